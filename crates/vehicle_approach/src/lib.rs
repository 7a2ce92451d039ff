//! `vehicle_approach` is Agora's hostile-vehicle engine. Given a drivable-surface network in a
//! local metric frame, a protected perimeter and a set of threat vehicle classes, it finds every
//! place a vehicle can cross the perimeter, the highest speed each vehicle can have there over
//! all approach paths, the path, run-up, speed profile and what limits it at each bend, the
//! impact angle and kinetic energy, and the ISO 22343-1 / IWA 14-1 style barrier rating that
//! would stop it. It also reads rating strings and checks existing barriers against what they
//! face. The physics and every default follow `shared/research/hvm.md` (§2 and §6.2).
//!
//! It is a pure function of its input: no files, clocks, environment, threads or randomness;
//! the same input gives the same output bit for bit. It is **not** an OSM reader (`osm_import`
//! builds a `street_network::StreetNetwork`, and [`network_from_street_network`], the one module
//! that knows that crate, turns it into the plain [`Network`] the engine takes), not a crash
//! simulation (impacts are kinetic energy and a rating class, not deformation), and not a
//! prediction of what an attacker will do: the speeds are a physical upper envelope.
//!
//! # How it works
//! Ways are cut into straight segments; each segment is driven in both directions (worst case)
//! unless it is narrower than the vehicle or blocked. Directed segments wholly outside the
//! perimeter form the approach graph; those that first touch the perimeter line are entries.
//! One search per vehicle labels every directed segment with the highest speed a vehicle can
//! have at its end (power- and traction-limited run-up, capped at each bend by grip and
//! rollover on the widest line, bends tighter than the vehicle can steer needing a stop); a
//! single label per segment is exact because any lower speed is also feasible. The path behind
//! each entry's label is then re-driven with the forward–backward profile to report speeds,
//! bends, time and the Model A cross-check. A second search without barriers says what the
//! barriers face.
//!
//! # Many studies over one map
//! [`PreparedNetwork::new`] does the study-independent work once (node index, parsed ratings,
//! segments and lines across open areas, where mapped barrier lines cross them, a grid over the
//! nodes). On first use it also runs one search per vehicle (and per setting of the options
//! that change it) over the whole network without a perimeter, shared by every study without
//! added barriers, obstacles or openings: a study reads its entries' labels from it and
//! searches again only the labels whose best path crosses its perimeter or starts in a pocket
//! the perimeter cuts off, and of those only the ones its entries can need (going back from the
//! entries, a label is needed while its network-wide upper bound could beat what the labels
//! that stand offer there), which gives exactly the study's own optimum (tests check it on
//! Munich and London). Other studies, and those with a search radius, run their own searches
//! ([`PreparedNetwork::analyse_with_own_search`]). [`PreparedNetwork::analyse_many`] runs a
//! list of studies and reports progress through [`Progress`], which can also stop the run. The
//! engine never starts threads; a caller may share one `PreparedNetwork` between its own
//! threads, which then run different vehicles' searches side by side.
//!
//! # Performance
//! Issue 3 asks for every candidate site of a city × every vehicle class in no more time than
//! parsing the extract, and the Munich old town in under 1 s on 2 cores. **Neither is met:** on
//! one thread London's analysis takes 4–5× its parse and Munich's about 45× (4–7 s on two
//! threads). `cargo bench -p vehicle_approach` and
//! `agora bench hvm` print the figures (parse time, analysis time, sites, entries, peak memory,
//! each target met or not); `examples/city_all_sites.rs` runs the same work with a fingerprint
//! of every result, to check that a speed-up changes no number. Measured with that example
//! (release build) on the 2-core development machine while other engineers' builds ran on it
//! (load average 2–3.5, so a second thread often found no free core), Munich (183 sites,
//! 11,049 entries, 8 classes) and London (157 sites, 1,165 entries), every result the same bit
//! for bit before and after:
//!
//! | | before (0f8c6cd) | now |
//! |---|---|---|
//! | Munich, all sites after the shared searches, 1 thread | 24.1 s | 6.2–6.3 s |
//! | Munich, the same on 2 threads (lighter / heavier load) | 22–25 s | 3.6 s / 6.9 s |
//! | Munich, 8 shared searches, 1 thread | 0.64–0.67 s | 0.55–0.56 s |
//! | London, all sites after the shared searches, 1 thread | 0.63–0.67 s | 0.26–0.27 s |
//! | London, analysis (prepare + searches + sites), 1 thread; parse 0.11–0.14 s | 0.98–1.08 s | 0.57–0.62 s |
//! | CPU (user) time of the whole run (parse included), 2 threads, Munich / London | 24.4 / 1.23 s | 6.0–7.7 / 0.76 s |
//! | peak memory (VmHWM, 2 threads) Munich / London | 234–242 / 124 MiB | 283–288 / 147 MiB |
//!
//! `cargo bench` (2 threads, load about 2.5) printed Munich 7.5 s of analysis against 0.14 s of
//! parse, London 0.54 s against 0.14 s. Its peak memory now reads about 340 MiB for both
//! cities: it resets the peak before London, most likely to a resident size still holding the
//! heap freed after Munich (many small kept profiles, not handed back to the system; not
//! verified): London run alone peaks at 147 MiB.
//!
//! What changed: a reported approach's profile is still the 1 m-step forward–backward
//! integration bit for bit, but what is final of the profile along the path behind each update
//! of a shared search's log is kept with the update ([`PreparedNetwork`]'s searches keep it;
//! approaches into different entries and sites share 99 % of the metres they drive on Munich).
//! Whatever continues a path can only lower the speed at its end (a bend, at worst a stop) and
//! brake back from there, so the stations before the one where braking from a standstill at
//! the end meets the profile are final (on Munich about 80 m before the end, of paths of 1.8
//! km): a reported approach integrates only its entry segment and the stations after that one,
//! and reads the speeds at its path's nodes from the kept profiles (braking in two stages gives
//! what one pass gives, bit for bit; a test compares every station). The braking pass skips
//! the square root where no braking can bind, and a site's repair reads compact
//! per-search arrays (what each turn offers, which segments may be driven) instead of records
//! scattered in memory, keeps each label in its queue once, and walks the turns between the
//! labels it searches again only once. The memory added is those arrays and caches.
//!
//! What the time goes on now (perf, Munich, one thread): the per-site repair, 55–60 % (3.27
//! million labels searched again, 1,177 per site, vehicle and search, against 32 on London:
//! Munich's best paths are long, 1.8 km on average, looping round the old town's squares, so
//! most cross some other site's perimeter and do not stand there), of which looking up run-up
//! speeds is a fifth and its queue a seventh; the reported approaches, about 15 % since their
//! profiles integrate only what their entry segments can brake (25 % before: 1.8 km of
//! stations per approach), of which a fifth is the forward passes over entry segments and
//! segments no approach drove before (mostly on the paths a site's repair finds, kept only for
//! that site); the shared searches, about 8 %.
//!
//! Two ways to search fewer labels again were measured on Munich (with a throwaway build, not
//! kept) and do not pay:
//! - A second label per segment from a search that avoids the insides of *all* 183 candidate
//!   sites (a lower bound that is a path of every site's graph), letting a label stand wherever
//!   it equals the network-wide one: of the 1.59 million labels searched again with barriers,
//!   only 4.8 % have such an equal label, and going back from the entries with them standing
//!   still searches 1.45 million again (−9 %; −10 % on London, 31,069 to 28,073). Even letting
//!   it stand within 0.5 m/s (no longer exact) leaves 1.45 million: most likely the old
//!   town's sites cover so much of it that paths avoiding them all are much slower (not
//!   measured). It would also need the set of perimeters in advance, which
//!   [`PreparedNetwork::analyse`] does not have.
//! - Going back, in the search without barriers, only from the entries whose upper bound could
//!   beat their label with barriers: 1 % fewer labels (3.24 against 3.27 million), and the
//!   Munich fingerprint changed. Which labels are searched again can change a tie between
//!   paths within 0.01 m/s of each other (the searches' improvement threshold), so any change
//!   to that set has to be checked against every fingerprint, not argued.
//!
//! Next steps: a tighter *upper* bound per site (the network-wide label bounds every site at
//! once; one for a site would have to leave out paths through its own inside, and the
//! measurement above says lower bounds will not do), cheaper work per label searched again
//! (run-up lookups by speed bucket instead of by distance; reading each such label's length and
//! friction once instead of from the segment's record at every offer was tried and gave
//! nothing measurable: 6.08–6.15 s against 6.02–6.24 s of site analysis, one thread, load about
//! 1.3); closed-form profiles would change reported figures in the last digit, so every golden
//! number would have to be re-checked.
//!
//! # Glossary
//! - **Perimeter**: the polygon around the space to protect (a square, a market).
//! - **Entry point**: a place where a drivable surface (road, pavement, tram track, open area)
//!   crosses the perimeter inward; every one is a candidate attack vector.
//! - **Approach path** (vector): the route a vehicle drives to an entry point.
//! - **Origin**: where a run-up may start: anywhere connected, without passing a barrier or
//!   entering the perimeter, to a public road, a dead end of the network (an extract's edge) or,
//!   when a study sets one, the search radius; and any point a vehicle has reached (it may stop
//!   and start again).
//! - **Run-up**: the length of approach path over which the vehicle accelerates, from a
//!   standstill (or a rolling start) to the perimeter.
//! - **Impact speed**: the speed at the perimeter line; the driver is assumed not to brake there.
//! - **Impact angle**: the angle between the vehicle's final heading and the perimeter edge; 90°
//!   is head-on.
//! - **Widest line**: the largest circular arc through a bend that stays on the paved width; a
//!   hostile driver ignores lanes.
//! - **Worst case / compliant**: whether the driver ignores one-way, access and pedestrian-only
//!   rules (the default) or obeys them.
//! - **Rating**: a barrier's impact test result, e.g. `V/7200[N2A]/48/90:8.3/0.0` (method,
//!   test mass and vehicle class, speed km/h, angle °, penetration m, debris m).
//! - **Nominal test speed**: 16, 32, 48, 64, 80, 96 or 112 km/h; a required speed is rounded up
//!   to one of these.
//! - **Stand-off**: the distance between the perimeter line and what it protects
//!   ([`Options::stand_off_m`]); a barrier's rated penetration must stay within the room behind
//!   it: the stand-off, plus the rest of the path for a barrier out on the approach
//!   ([`StandOffCheck`]).
//!
//! # Example
//! ```
//! use vehicle_approach::*;
//!
//! // A 150 m street approaching a square, with a bollard mapped on it 20 m before the square.
//! let node = |id, x: f64, bollard: bool| Node {
//!     id: NodeId(id),
//!     position: Point::new(x, 0.0),
//!     barrier: bollard.then(|| Barrier { kind: BarrierKind::Bollard, rating: None }),
//! };
//! let network = Network {
//!     nodes: vec![node(1, -150.0, false), node(2, -20.0, true), node(3, 30.0, false)],
//!     ways: vec![Way {
//!         id: WayId(7),
//!         kind: WayKind::Tertiary,
//!         nodes: vec![NodeId(1), NodeId(2), NodeId(3)],
//!         width_m: Some(7.0),
//!         oneway: Oneway::Forward,
//!         access: Access::Unspecified,
//!         surface: Surface::Asphalt,
//!         is_area: false,
//!     }],
//!     ..Network::default()
//! };
//! let square = vec![
//!     Point::new(0.0, -40.0),
//!     Point::new(80.0, -40.0),
//!     Point::new(80.0, 40.0),
//!     Point::new(0.0, 40.0),
//! ];
//! let lorry = standard_vehicle_class("N2A").unwrap();
//! let analysis = analyse(&network, &Study::new(square), &[lorry]).unwrap();
//!
//! let entry = &analysis.entries[0];
//! let result = &entry.vehicles[0];
//! // The bollard closes the entry; without it the lorry would arrive after 150 m of run-up.
//! assert_eq!(result.status, EntryStatus::ClosedByBarriers);
//! let open = result.unprotected_approach.as_ref().unwrap();
//! assert_eq!(open.run_up_m, 150.0);
//! assert!(matches!(&open.required_rating, RatingRequirement::Rating(r) if r.speed_kmh == 80));
//! assert_eq!(result.barriers_relied_on[0].barrier, BarrierRef::Node(NodeId(2)));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod analysis;
mod from_street_network;
mod geometry;
mod many;
mod network;
mod physics;
mod prepare;
mod rating;
mod shared;
mod synthetic;
mod vehicle;

pub use analysis::{
    Analysis, Approach, BarrierOnPath, Bend, Diagnostic, EntryPoint, EntryStatus, Error, PathPoint,
    StandOffCheck, VehicleResult, analyse, vehicle_classes_by_code,
};
pub use from_street_network::network_from_street_network;
pub use geometry::Point;
pub use many::{PreparedNetwork, Progress, analyse_many, analyse_many_with_progress};
pub use network::{
    Access, Barrier, BarrierId, BarrierKind, BarrierLine, Network, Node, NodeId, Oneway, Opening,
    Options, PointObstacle, Study, Surface, TrafficRules, Way, WayId, WayKind,
};
pub use physics::{
    AIR_DENSITY_KG_M3, AccelerationModel, BRAKING_REFERENCE_FRICTION, BendLimit, DEFAULT_FRICTION,
    DEFAULT_STEP_M, DRIVETRAIN_EFFICIENCY, GRAVITY_MPS2, POWER_LIMIT_MIN_SPEED_MPS, PathStretch,
    ProfileStation, ROLLING_RESISTANCE, RunUp, braking_deceleration_mps2, braking_distance_m,
    constant_acceleration_speed_mps, corner_speed_limit, forward_backward_profile,
    grip_speed_limit_mps, kinetic_energy_j, kmh_to_mps, mps_to_kmh, power_model_acceleration_mps2,
    rollover_speed_limit_mps, run_up, run_up_speed_mps, widest_line_radius_m,
};
pub use prepare::{BarrierRef, WidthSource};
pub use rating::{
    NOMINAL_TEST_SPEEDS_KMH, Rating, RatingCheck, RatingParseError, RatingRequirement,
    RequiredRating, TEST_ANGLES_DEG, TestMethod, check_rating, parse_rating, required_rating,
    round_up_to_test_angle_deg, round_up_to_test_speed_kmh,
};
pub use shared::SearchStatistics;
pub use synthetic::{SyntheticCity, synthetic_city};
pub use vehicle::{VehicleClass, standard_vehicle_class, standard_vehicle_classes};
