//! `crowd_sim` is Agora's pedestrian crowd and evacuation engine. Given a walkable area
//! (polygons with holes, in metres), exits, waypoints, populations of agents and a movement
//! model, it simulates every agent step by step and reports the evacuation time, who left
//! through which exit and when (flows and the N(t) curve), density and level-of-service maps
//! over time with the peak density, and trajectories on request. The movement model is the
//! collision-free speed model (CFSM) exactly as JuPedSim 1.4.2 implements it
//! (`shared/research/crowd.md` §1.3), so results can be compared with JuPedSim number for
//! number, or JuPedSim's anticipation velocity model (AVM, [`Model::Avm`]) for counter-flow;
//! way-finding uses one precomputed distance field per exit and waypoint.
//! [`site_scenario`] builds a scenario from a site's OSM geometry (`street_network`).
//!
//! It is pure and deterministic: no files, clocks, environment or global state; randomness
//! (placement, sampled speeds, pre-movement times) comes from the scenario's seed through a
//! generator written out in this crate; the per-agent update runs on rayon's pool but is a
//! synchronous (Jacobi) update with per-agent gathers, so the output is identical bit for bit
//! whatever the number of threads. It reads no files (the CLI reads the file and passes its
//! text to [`Scenario::from_json`]), imports no OSM (it reads the `street_network` that
//! `osm_import` built), and is not a fire or smoke model (speed zones only scale walking speed).
//!
//! # Glossary
//! - **Walkable area**: where agents' centres may be; an outer ring minus holes (stalls,
//!   buildings, barriers).
//! - **Exit**: a polygon where agents leave; an agent is removed once its centre is inside.
//!   Agents head for the exit's centre (as JuPedSim's do), so a wide exit draws people in.
//!   Put it *behind* a door opening when the door's capacity matters.
//! - **Distance field**: for one target, the walking distance from every cell of a raster of
//!   the walkable area (fast marching, around obstacles) to the target's centre; agents walk
//!   down its gradient.
//! - **Desired speed** (free speed, v0): how fast an agent walks when nothing is in the way;
//!   Weidmann's (1993) 1.34 ± 0.26 m/s by default.
//! - **Pre-movement time**: delay between the alarm (t = 0) and an agent starting to move.
//! - **Time gap** (T): the speed law's headway; an agent walks at min(v0, spacing / T).
//! - **Anticipation** (AVM): neighbours ahead push sideways, away from where they will be after
//!   the anticipation time, so people in counter-flow step aside early and form lanes.
//! - **Density**: persons per m² in a cell of the density grid.
//! - **Level of service** (LoS): Fruin's (1971) classes A–F of area per person (A > 3.25 m²,
//!   F < 0.46 m²); E/F is where crowds become dangerous.
//! - **Flow**: persons per second through an exit; **specific flow**: flow per metre of
//!   width, p/(m s) (design codes ~1.3, lab bottlenecks ~1.9).
//! - **N(t)**: agents still inside over time (the evacuation curve).
//! - **Speed zone**: an area (stairs, smoke) where desired speeds are multiplied by a factor.
//! - **Exit choice**: fixed per population, nearest by walking distance, or "quickest"
//!   ([`ExitChoice::Quickest`]): re-evaluated every few seconds from walking time plus the
//!   queue ahead divided by the exit's observed flow, so agents react to congestion.
//!
//! # Example
//! ```
//! use crowd_sim::*;
//!
//! // A 2 m × 42 m corridor with one agent walking 1.33 m/s to an exit at its far end
//! // (RiMEA test 1).
//! let mut walker = Population::at_positions(vec![Point::new(0.5, 1.0)]);
//! walker.speed_mps = DesiredSpeed::Fixed(1.33);
//! let scenario = Scenario::new(
//!     WalkableArea::new(rectangle(0.0, 0.0, 42.0, 2.0)),
//!     vec![Exit::new("end", rectangle(41.5, 0.2, 41.9, 1.8))],
//!     vec![walker],
//! );
//! let outcome = run(&scenario).unwrap();
//! // 41 m at 1.33 m/s: the agent enters the exit after 30.83 s.
//! let t = outcome.evacuation_time_s.unwrap();
//! assert!((t - 41.0 / 1.33).abs() < 0.02, "{t}");
//! assert_eq!(outcome.exits[0].count, 1);
//! ```

//!
//! # Validation
//! `tests/it` holds the validation cases of crowd.md §5.3, each citing its source and pass
//! criterion: RiMEA 1 (V1) and rotation invariance (V2), stairs as speed zones (V3, RiMEA 2/3),
//! pre-movement (V4, RiMEA 5), the corner (V5, RiMEA 6), demographic speeds (V6, RiMEA 7),
//! bottleneck flows against JuPedSim and published specific flows (V9), route allocation (V11,
//! RiMEA 10), congestion location (V13, RiMEA 12), reduced mobility (V16, NIST 2.10), the door
//! flow limiter (V17, NIST 5.2) and the invariants and determinism (V18), plus RiMEA 9 and a
//! scaled RiMEA 11 (congestion-aware exit choice). Long
//! cases are `#[ignore]`d: `cargo test -p crowd_sim -- --ignored --nocapture`.
//! The 2-D fundamental diagram (V7, RiMEA 4) runs with the CFSM calibrated to a time gap of
//! 0.6 s: with JuPedSim's T = 1 s the model's evenly packed 2-D steady state is slower than
//! Weidmann's curve (0.35 m/s at 2 /m² against 0.61; the derivation is on
//! [`validation::v7_fundamental_diagram_2d`]), while its 1-D diagram (V8) fits at T = 1 s.
//! The same cases run from `agora crowd validate`; their code is [`validation`].
//!
//! # Performance
//! Structure of arrays, agents kept in spatial order, a flat neighbour grid rebuilt by counting
//! sort, rayon over fixed chunks of agents with buffers reused from step to step (no
//! allocation per step), and neighbours looked for only as far as one can matter (about 2 m
//! rather than JuPedSim's 3 m cutoff, see `interaction_radius_m` in `sim.rs`). On the scenario
//! of `jupedsim_bench.py` the release build runs 10.7× JuPedSim 1.4.2's agent-steps per second
//! at 10 000 agents and 15.4× at 50 000, side by side on the same idle 2-core machine
//! (`benchmarks/crowd/README.md`);
//! `agora bench crowd` and `cargo bench -p crowd_sim` measure it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod geometry;
mod navigation;
mod output;
mod rng;
mod scenario;
mod sim;
mod site;
mod validate;
pub mod validation;

pub use error::Error;
pub use geometry::{Point, rectangle};
pub use output::{
    AgentId, AgentSummary, BUSIEST_FLOW_WINDOW_S, CurvePoint, DensityFrame, DensityMaps, ExitEvent,
    ExitId, ExitReport, InvariantReport, LevelOfService, Outcome, PeakDensity, Trajectories,
    busiest_flow_p_per_s,
};
pub use scenario::{
    AvmParameters, CfsmParameters, DesiredSpeed, Exit, ExitChoice, Model, OutputOptions,
    PeriodicCorridor, Population, Premovement, Scenario, SpeedZone, WalkableArea, Waypoint,
};
pub use sim::{Progress, Simulation, run, run_with_progress};
pub use site::{
    ADDED_EXIT_MAX_OFFSET_M, APRON_DEPTH_M, AddedSiteExit, BARRIER_REACH_M, BARRIER_THICKNESS_M,
    ENDPOINT_SNAP_M, EXIT_LANE_SEPARATOR, EXIT_LANE_WIDTH_M, EXIT_SETBACK_M, ExitWidths,
    MIN_PASSABLE_GAP_M, SiteCrowdOptions, SiteDiagnostic, SitePopulation, exit_opening_name,
    site_scenario,
};
