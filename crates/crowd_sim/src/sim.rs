//! The simulation loop: setup (fields, placement), the synchronous CFSM step, recording.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::error::{Error, invalid};
use crate::geometry::{
    Point, PreparedRing, distance_to_segment, point_in_ring, segments_intersect,
};
use crate::navigation::{DistanceField, NavGrid, Source, WallGrid};
use crate::output::{
    AgentId, AgentSummary, BUSIEST_FLOW_WINDOW_S, CurvePoint, DensityFrame, DensityMaps, ExitEvent,
    ExitId, ExitReport, InvariantReport, Outcome, PeakDensity, Trajectories, busiest_flow_p_per_s,
};
use crate::rng::SplitMix64;
use crate::scenario::{
    AvmParameters, CfsmParameters, DesiredSpeed, ExitChoice, Model, Premovement, Scenario,
};

/// Runs a scenario to the end (every agent out, or `max_time_s`) and returns its outcome.
///
/// Equivalent to [`Simulation::new`], [`Simulation::step`] until [`Simulation::is_finished`],
/// then [`Simulation::finish`]; use those to report progress or to cancel.
pub fn run(scenario: &Scenario) -> Result<Outcome, Error> {
    run_with_progress(scenario, f64::INFINITY, |_| ControlFlow::Continue(()))
}

/// Where a run stands, as reported to the progress callback of [`run_with_progress`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Simulated time, s.
    pub time_s: f64,
    /// The run stops at this simulated time at the latest, s.
    pub max_time_s: f64,
    /// Agents created.
    pub agents_total: usize,
    /// Agents still inside.
    pub agents_remaining: usize,
}

impl Progress {
    /// How far the run is, in [0, 1]: the larger of the share of simulated time and the share
    /// of agents evacuated (a run ends at `max_time_s` or when everyone has left).
    pub fn fraction(&self) -> f64 {
        let by_time = self.time_s / self.max_time_s;
        let by_agents = if self.agents_total == 0 {
            1.0
        } else {
            1.0 - self.agents_remaining as f64 / self.agents_total as f64
        };
        by_time.max(by_agents).clamp(0.0, 1.0)
    }
}

/// Runs a scenario like [`run`], calling `on_progress` after setup, then every
/// `report_every_s` of simulated time, and once at the end. The callback does the I/O (a
/// progress bar, a job table); returning [`ControlFlow::Break`] stops the run early, and the
/// outcome then covers the time simulated so far (agents still inside are in
/// [`Outcome::agents_remaining`]).
///
/// ```
/// use std::ops::ControlFlow;
/// use crowd_sim::*;
///
/// let scenario = Scenario::new(
///     WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
///     vec![Exit::new("gate", rectangle(9.6, 4.0, 10.0, 6.0))],
///     vec![Population::in_area(rectangle(1.0, 1.0, 6.0, 9.0), 40)],
/// );
/// let mut reports = Vec::new();
/// let outcome = run_with_progress(&scenario, 1.0, |p| {
///     reports.push(p.agents_remaining);
///     ControlFlow::Continue(())
/// })
/// .unwrap();
/// assert_eq!(reports.first(), Some(&40));
/// assert_eq!(reports.last(), Some(&0));
/// assert_eq!(outcome.agents_evacuated, 40);
/// ```
///
/// # Errors
/// As [`Simulation::new`].
pub fn run_with_progress(
    scenario: &Scenario,
    report_every_s: f64,
    mut on_progress: impl FnMut(&Progress) -> ControlFlow<()>,
) -> Result<Outcome, Error> {
    let mut sim = Simulation::new(scenario)?;
    let every_steps = if report_every_s.is_finite() && report_every_s > 0.0 {
        ((report_every_s / scenario.dt_s).round() as u64).max(1)
    } else {
        u64::MAX
    };
    let mut report = |sim: &Simulation| {
        on_progress(&Progress {
            time_s: sim.time_s(),
            max_time_s: scenario.max_time_s,
            agents_total: sim.summaries.len(),
            agents_remaining: sim.agent_count(),
        })
    };
    let mut flow = report(&sim);
    while flow.is_continue() && !sim.is_finished() {
        sim.step();
        if sim.step_index.is_multiple_of(every_steps) || sim.is_finished() {
            flow = report(&sim);
        }
    }
    Ok(sim.finish())
}

/// A simulation in progress: the prepared geometry, the agents still inside and what has been
/// recorded so far. Created by [`Simulation::new`], advanced by [`Simulation::step`].
///
/// Stepping by hand lets a caller report progress or cancel a long run:
/// ```
/// use crowd_sim::*;
///
/// let scenario = Scenario::new(
///     WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
///     vec![Exit::new("gate", rectangle(9.6, 4.0, 10.0, 6.0))],
///     vec![Population::in_area(rectangle(1.0, 1.0, 6.0, 9.0), 40)],
/// );
/// let mut sim = Simulation::new(&scenario).unwrap();
/// let cancelled = || false; // e.g. an AtomicBool set by the UI
/// while !sim.is_finished() && !cancelled() {
///     sim.step();
///     if sim.time_s() % 5.0 < scenario.dt_s {
///         // report sim.time_s() and sim.agent_count() to a progress bar
///     }
/// }
/// let outcome = sim.finish();
/// assert_eq!(outcome.agents_evacuated + outcome.agents_remaining.len(), 40);
/// ```
pub struct Simulation {
    nav: NavGrid,
    /// Distance fields: exits first (in scenario order), then waypoints.
    fields: Vec<DistanceField>,
    walls: WallGrid,
    exits: Vec<ExitRuntime>,
    waypoints: Vec<(Point, f64)>,
    zones: Vec<(PreparedRing, f64)>,
    /// Per population: the field indices of its waypoints, in order.
    routes: Vec<Vec<u32>>,
    /// Per population: whether its agents choose their exit (no allocated exit).
    free_choice: Vec<bool>,
    exit_choice: ExitChoice,
    /// The corridor's ends (x_min, x_max) when they are joined.
    periodic: Option<(f64, f64)>,
    model: Model,
    /// The scenario's seed (for the AVM's random side choice).
    seed: u64,
    dt_s: f64,
    max_steps: u64,
    step_index: u64,
    agents: Agents,
    grid: NeighbourGrid,
    // Buffers reused from step to step, so that a step allocates nothing once the run is
    // under way: the new states, one neighbour list per chunk of agents, the departures.
    updates: Vec<AgentUpdate>,
    neighbour_lists: Vec<Vec<Neighbour>>,
    avm_neighbour_lists: Vec<Vec<AvmNeighbour>>,
    departures: Vec<(AgentId, usize, usize)>,
    keep: Vec<bool>,
    by_id: Vec<(AgentId, usize)>,
    permute_scratch: PermuteScratch,
    // Recording.
    summaries: Vec<AgentSummary>,
    exit_events: Vec<ExitEvent>,
    curve: Vec<CurvePoint>,
    density: DensityMaps,
    sample_every: u64,
    trajectory_every: Option<u64>,
    trajectories: Option<Trajectories>,
    min_clearance_m: f64,
    wall_crossings: u64,
    /// Neighbours farther than this are skipped, m (see [`interaction_radius_m`]).
    interaction_radius_m: f64,
}

struct ExitRuntime {
    name: String,
    /// Index of its opening among the scenario's distinct [`crate::Exit::opening`]s (lanes of
    /// one opening share it).
    opening: Option<u32>,
    ring: PreparedRing,
    release_interval_s: Option<f64>,
    next_release_s: f64,
}

/// Agents still inside, as structure of arrays (index = slot, compacted in id order).
#[derive(Default)]
struct Agents {
    id: Vec<AgentId>,
    x: Vec<f64>,
    y: Vec<f64>,
    /// Orientation (last movement direction), unit vector.
    ex: Vec<f64>,
    ey: Vec<f64>,
    /// Velocity of the last step, m/s (kept for the AVM only; zero with the CFSM).
    vx: Vec<f64>,
    vy: Vec<f64>,
    v0: Vec<f64>,
    radius: Vec<f64>,
    time_gap: Vec<f64>,
    premovement: Vec<f64>,
    population: Vec<u32>,
    stage: Vec<u32>,
    exit: Vec<u32>,
    held: Vec<bool>,
    /// Where and when the agent was last found more than [`STALL_DISTANCE_M`] from its
    /// previous anchor (checked at every sample), for reporting stuck agents.
    anchor_x: Vec<f64>,
    anchor_y: Vec<f64>,
    anchor_s: Vec<f64>,
    // Per-step inputs of the model, refreshed before each step.
    e0x: Vec<f64>,
    e0y: Vec<f64>,
    v_desired: Vec<f64>,
}

#[derive(Clone, Copy, Default)]
struct AgentUpdate {
    x: f64,
    y: f64,
    ex: f64,
    ey: f64,
    speed: f64,
    min_clearance_m: f64,
    crossed_wall: bool,
}

/// Uniform grid of agents rebuilt every step by counting sort; cells of half the cutoff, so a
/// query scans a 5 × 5 block whose rows are contiguous runs of the sorted arrays.
#[derive(Default)]
struct NeighbourGrid {
    origin: Point,
    cell_m: f64,
    nx: usize,
    ny: usize,
    cell_start: Vec<u32>,
    cell_of_agent: Vec<u32>,
    order: Vec<u32>,
    /// Inverse of `order`: the sorted position of each agent slot.
    sorted_slot: Vec<u32>,
    sx: Vec<f64>,
    sy: Vec<f64>,
    sr: Vec<f64>,
    /// Next free slot of each cell while filling (kept to avoid an allocation per step).
    fill: Vec<u32>,
}

impl NeighbourGrid {
    fn new(min: Point, max: Point, cutoff_m: f64) -> NeighbourGrid {
        let cell_m = cutoff_m / 2.0;
        let nx = ((max.x - min.x) / cell_m).ceil() as usize + 1;
        let ny = ((max.y - min.y) / cell_m).ceil() as usize + 1;
        NeighbourGrid {
            origin: min,
            cell_m,
            nx,
            ny,
            cell_start: vec![0; nx * ny + 1],
            ..NeighbourGrid::default()
        }
    }

    fn cell(&self, x: f64, y: f64) -> (usize, usize) {
        // Truncating a non-negative value is its floor; negative ones clamp to 0 either way.
        let i = ((x - self.origin.x) / self.cell_m).max(0.0) as usize;
        let j = ((y - self.origin.y) / self.cell_m).max(0.0) as usize;
        (i.min(self.nx - 1), j.min(self.ny - 1))
    }

    fn rebuild(&mut self, x: &[f64], y: &[f64], r: &[f64]) {
        let n = x.len();
        self.cell_start.iter_mut().for_each(|c| *c = 0);
        self.cell_of_agent.clear();
        for k in 0..n {
            let (i, j) = self.cell(x[k], y[k]);
            let c = j * self.nx + i;
            self.cell_of_agent.push(c as u32);
            self.cell_start[c + 1] += 1;
        }
        for c in 0..self.nx * self.ny {
            self.cell_start[c + 1] += self.cell_start[c];
        }
        self.order.resize(n, 0);
        self.sorted_slot.resize(n, 0);
        self.sx.resize(n, 0.0);
        self.sy.resize(n, 0.0);
        self.sr.resize(n, 0.0);
        // Stable placement: agents of a cell stay in slot order, so sums over neighbours are
        // taken in an order that depends only on the state.
        self.fill.clear();
        self.fill
            .extend_from_slice(&self.cell_start[..self.nx * self.ny]);
        for k in 0..n {
            let c = self.cell_of_agent[k] as usize;
            let slot = self.fill[c] as usize;
            self.fill[c] += 1;
            self.order[slot] = k as u32;
            self.sorted_slot[k] = slot as u32;
            self.sx[slot] = x[k];
            self.sy[slot] = y[k];
            self.sr[slot] = r[k];
        }
    }
}

impl Simulation {
    /// Checks the scenario, rasterises the walkable area, computes one distance field per exit
    /// and waypoint, places the agents (drawing positions, speeds and pre-movement times from
    /// the seed) and assigns each its exit.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field for bad input (self-intersecting polygon, exit
    /// outside the walkable area, dt too large for the model, ...);
    /// [`Error::PopulationDoesNotFit`] when an area cannot hold its count;
    /// [`Error::Unreachable`] listing agents that cannot walk to their exit or waypoint.
    pub fn new(scenario: &Scenario) -> Result<Simulation, Error> {
        crate::validate::check_scenario(scenario)?;
        let model = scenario.model;
        let nav = NavGrid::new(&scenario.walkable, scenario.navigation_cell_m);
        let periodic = scenario.periodic.map(|p| (p.x_min, p.x_max));
        let walls = WallGrid::new(&scenario.walkable, model.cutoff_m(), periodic);

        let mut exits = Vec::new();
        let mut fields = Vec::new();
        let mut openings: Vec<&str> = Vec::new();
        for (e, exit) in scenario.exits.iter().enumerate() {
            let opening = exit.opening.as_deref().map(|name| {
                openings.iter().position(|o| *o == name).unwrap_or_else(|| {
                    openings.push(name);
                    openings.len() - 1
                }) as u32
            });
            let ring = PreparedRing::new(&exit.polygon);
            let field = DistanceField::compute(&nav, &Source::PolygonCentre(&ring));
            if field.source_cells.is_empty() {
                return Err(invalid(
                    format!("exits[{e}].polygon"),
                    format!(
                        "exit {:?} does not overlap the walkable area (no {} m navigation cell \
                         centre inside it); move it onto the area or enlarge it",
                        exit.name, scenario.navigation_cell_m
                    ),
                ));
            }
            fields.push(field);
            exits.push(ExitRuntime {
                name: exit.name.clone(),
                opening,
                ring,
                release_interval_s: exit.max_flow_p_per_s.map(|f| 1.0 / f),
                next_release_s: 0.0,
            });
        }
        let mut waypoints = Vec::new();
        for (w, wp) in scenario.waypoints.iter().enumerate() {
            if !inside_walkable(scenario, wp.position) {
                return Err(invalid(
                    format!("waypoints[{w}].position"),
                    "lies outside the walkable area",
                ));
            }
            fields.push(DistanceField::compute(
                &nav,
                &Source::Disc {
                    centre: wp.position,
                    radius_m: wp.distance_m,
                },
            ));
            waypoints.push((wp.position, wp.distance_m));
        }
        let zones = scenario
            .speed_zones
            .iter()
            .map(|z| (PreparedRing::new(&z.polygon), z.factor))
            .collect();
        let routes: Vec<Vec<u32>> = scenario
            .populations
            .iter()
            .map(|p| {
                p.route
                    .iter()
                    .map(|name| {
                        let w = scenario.waypoints.iter().position(|w| &w.name == name);
                        (scenario.exits.len() + w.expect("checked by validate")) as u32
                    })
                    .collect()
            })
            .collect();

        let (bmin, bmax) = crate::geometry::bounding_box(&scenario.walkable.outer);
        let grid = NeighbourGrid::new(bmin, bmax, model.cutoff_m());
        let dt_s = scenario.dt_s;
        let steps_of = |t: f64| ((t / dt_s) - 1e-9).ceil().max(1.0) as u64;
        let trajectory_every = scenario.output.trajectory_interval_s.map(steps_of);
        let mut sim = Simulation {
            density: density_grid(&nav, bmin, bmax, scenario.output.density_cell_m),
            nav,
            fields,
            walls,
            exits,
            waypoints,
            zones,
            routes,
            free_choice: scenario
                .populations
                .iter()
                .map(|p| p.exit.is_none())
                .collect(),
            exit_choice: scenario.exit_choice,
            periodic,
            model,
            seed: scenario.seed,
            dt_s,
            max_steps: steps_of(scenario.max_time_s),
            step_index: 0,
            agents: Agents::default(),
            grid,
            updates: Vec::new(),
            neighbour_lists: Vec::new(),
            avm_neighbour_lists: Vec::new(),
            departures: Vec::new(),
            keep: Vec::new(),
            by_id: Vec::new(),
            permute_scratch: PermuteScratch::default(),
            summaries: Vec::new(),
            exit_events: Vec::new(),
            curve: Vec::new(),
            sample_every: steps_of(scenario.output.sample_interval_s),
            trajectory_every,
            trajectories: trajectory_every.map(|_| Trajectories::default()),
            min_clearance_m: f64::INFINITY,
            wall_crossings: 0,
            interaction_radius_m: model.cutoff_m(),
        };
        sim.place_agents(scenario)?;
        sim.interaction_radius_m = match model {
            Model::Cfsm(params) => interaction_radius_m(scenario, &sim.agents, params),
            // Anticipation brings closing neighbours into play from afar: JuPedSim's cutoff.
            Model::Avm(params) => params.cutoff_m,
        };
        sim.grid = NeighbourGrid::new(bmin, bmax, sim.interaction_radius_m);
        sim.refresh_targets();
        for i in 0..sim.agents.id.len() {
            sim.agents.ex[i] = sim.agents.e0x[i];
            sim.agents.ey[i] = sim.agents.e0y[i];
        }
        sim.record_samples();
        Ok(sim)
    }

    /// Simulated time, s.
    pub fn time_s(&self) -> f64 {
        self.step_index as f64 * self.dt_s
    }

    /// Agents still inside.
    pub fn agent_count(&self) -> usize {
        self.agents.id.len()
    }

    /// Whether every agent has left or `max_time_s` is reached.
    pub fn is_finished(&self) -> bool {
        self.agents.id.is_empty() || self.step_index >= self.max_steps
    }

    /// Advances one time step: targets and desired speeds, neighbour grid, the CFSM update of
    /// every agent from the same old state (in parallel; the result does not depend on the
    /// number of threads), then departures and recording.
    pub fn step(&mut self) {
        if self.step_index.is_multiple_of(REORDER_EVERY_STEPS) {
            // Keep agents stored in neighbour-grid order so that an agent's neighbours, its
            // navigation cells and its own data are close in memory (a deterministic function
            // of the state, so results stay reproducible).
            let a = &self.agents;
            self.grid.rebuild(&a.x, &a.y, &a.radius);
            self.agents
                .permute(&self.grid.order, &mut self.permute_scratch);
        }
        // Quickest exit choice reconsiders every exit; nearest exit choice reconsiders only
        // the lanes of an agent's opening (if the scenario has lanes).
        let (reconsider, lanes_only) = match self.exit_choice {
            quickest @ ExitChoice::Quickest { .. } => (Some(quickest), false),
            ExitChoice::Nearest if self.exits.iter().any(|e| e.opening.is_some()) => {
                (Some(ExitChoice::QUICKEST), true)
            }
            ExitChoice::Nearest => (None, false),
        };
        if let Some(
            choice @ ExitChoice::Quickest {
                reconsider_interval_s,
                ..
            },
        ) = reconsider
        {
            let every = ((reconsider_interval_s / self.dt_s).round() as u64).max(1);
            if self.step_index > 0 && self.step_index.is_multiple_of(every) {
                self.reconsider_exits(choice, lanes_only);
            }
        }
        self.refresh_targets();
        let a = &self.agents;
        self.grid.rebuild(&a.x, &a.y, &a.radius);
        let context = StepContext {
            agents: &self.agents,
            grid: &self.grid,
            walls: &self.walls,
            seed: self.seed,
            step_index: self.step_index,
            dt_s: self.dt_s,
            periodic: self.periodic,
            interaction_radius_m: self.interaction_radius_m,
        };
        let n = self.agents.id.len();
        let mut updates = std::mem::take(&mut self.updates);
        updates.resize(n, AgentUpdate::default());
        let chunks = n.div_ceil(UPDATE_CHUNK);
        match self.model {
            Model::Cfsm(params) => {
                if self.neighbour_lists.len() < chunks {
                    self.neighbour_lists.resize_with(chunks, Vec::new);
                }
                updates
                    .par_chunks_mut(UPDATE_CHUNK)
                    .zip(self.neighbour_lists.par_iter_mut())
                    .enumerate()
                    .for_each(|(c, (out, neighbours))| {
                        for (k, u) in out.iter_mut().enumerate() {
                            *u = context.cfsm_update(c * UPDATE_CHUNK + k, &params, neighbours);
                        }
                    });
            }
            Model::Avm(params) => {
                if self.avm_neighbour_lists.len() < chunks {
                    self.avm_neighbour_lists.resize_with(chunks, Vec::new);
                }
                updates
                    .par_chunks_mut(UPDATE_CHUNK)
                    .zip(self.avm_neighbour_lists.par_iter_mut())
                    .enumerate()
                    .for_each(|(c, (out, neighbours))| {
                        for (k, u) in out.iter_mut().enumerate() {
                            *u = context.avm_update(c * UPDATE_CHUNK + k, &params, neighbours);
                        }
                    });
            }
        }
        // Only the AVM reads velocities (its anticipation).
        let keep_velocity = matches!(self.model, Model::Avm(_));
        let a = &mut self.agents;
        for (i, u) in updates.iter().enumerate() {
            a.x[i] = match self.periodic {
                Some((x_min, x_max)) if u.x >= x_max => u.x - (x_max - x_min),
                Some((x_min, x_max)) if u.x < x_min => u.x + (x_max - x_min),
                _ => u.x,
            };
            a.y[i] = u.y;
            a.ex[i] = u.ex;
            a.ey[i] = u.ey;
            if keep_velocity {
                a.vx[i] = u.ex * u.speed;
                a.vy[i] = u.ey * u.speed;
            }
            self.min_clearance_m = self.min_clearance_m.min(u.min_clearance_m);
            self.wall_crossings += u64::from(u.crossed_wall);
        }
        self.updates = updates;
        self.step_index += 1;
        self.process_departures();
        self.record_samples();
    }

    /// Ends the run and assembles the outcome (exit reports, N(t) end point, peak density).
    pub fn finish(mut self) -> Outcome {
        let t = self.time_s();
        if self.curve.last().is_none_or(|c| c.time_s != t) {
            self.curve.push(CurvePoint {
                time_s: t,
                remaining: self.agents.id.len(),
            });
        }
        let exits = self
            .exits
            .iter()
            .enumerate()
            .map(|(e, x)| {
                let times: Vec<f64> = self
                    .exit_events
                    .iter()
                    .filter(|ev| ev.exit.0 as usize == e)
                    .map(|ev| ev.time_s)
                    .collect();
                let first = times.first().copied();
                let last = times.last().copied();
                let mean_flow = match (first, last) {
                    (Some(f), Some(l)) if times.len() >= 2 && l > f => {
                        Some((times.len() - 1) as f64 / (l - f))
                    }
                    _ => None,
                };
                ExitReport {
                    name: x.name.clone(),
                    count: times.len(),
                    first_exit_s: first,
                    last_exit_s: last,
                    mean_flow_p_per_s: mean_flow,
                    busiest_flow_p_per_s: busiest_flow_p_per_s(&times, BUSIEST_FLOW_WINDOW_S),
                }
            })
            .collect();
        // Walking distances along the fields: from the start through the route's waypoints
        // (each leg from the previous waypoint's centre) to the exit first chosen.
        let mut agents = std::mem::take(&mut self.summaries);
        for agent in &mut agents {
            if self.periodic.is_some() || agent.exit.0 as usize >= self.exits.len() {
                // A periodic corridor has no way out to measure.
                continue;
            }
            let mut from = agent.start;
            let mut distance = 0.0;
            for &w in &self.routes[agent.population] {
                distance += self.fields[w as usize].distance_at(&self.nav, from);
                from = self.waypoints[w as usize - self.exits.len()].0;
            }
            distance += self.fields[agent.exit.0 as usize].distance_at(&self.nav, from);
            agent.walking_distance_m = distance;
        }
        let mut density = self.density;
        density.peak = peak_density(&density);
        let mut remaining = self.agents.id.clone();
        remaining.sort();
        let a = &self.agents;
        let mut stalled: Vec<AgentId> = (0..a.id.len())
            .filter(|&i| t - a.anchor_s[i] >= STALL_TIME_S - 1e-9)
            .map(|i| a.id[i])
            .collect();
        stalled.sort();
        Outcome {
            evacuation_time_s: remaining
                .is_empty()
                .then(|| self.exit_events.last().map_or(0.0, |e| e.time_s)),
            simulated_time_s: t,
            steps: self.step_index,
            agents_total: agents.len(),
            agents_evacuated: self.exit_events.len(),
            agents_remaining: remaining,
            agents_stalled: stalled,
            agents,
            exits,
            exit_events: self.exit_events,
            evacuation_curve: self.curve,
            density,
            trajectories: self.trajectories,
            invariants: InvariantReport {
                min_pair_clearance_m: self.min_clearance_m,
                wall_crossings: self.wall_crossings,
            },
        }
    }

    fn place_agents(&mut self, scenario: &Scenario) -> Result<(), Error> {
        let mut rng = SplitMix64::new(scenario.seed);
        let mut placed = PlacementIndex::new(&self.nav);
        for (k, pop) in scenario.populations.iter().enumerate() {
            let field = format!("populations[{k}]");
            let r = pop.radius_m;
            let starts: Vec<Point> = if let Some(positions) = &pop.positions {
                for (m, &p) in positions.iter().enumerate() {
                    let f = format!("{field}.positions[{m}]");
                    if !inside_walkable(scenario, p) {
                        return Err(invalid(f, "lies outside the walkable area"));
                    }
                    if self.wall_distance(p) < r {
                        return Err(invalid(
                            f,
                            format!("the agent (radius {r} m) would overlap a wall"),
                        ));
                    }
                    if let Some(other) = placed.overlap(p, r, 0.0) {
                        return Err(invalid(f, format!("the agent overlaps agent {}", other.0)));
                    }
                    placed.insert(p, r);
                }
                positions.clone()
            } else {
                let area = pop.area.as_ref().expect("checked by validate");
                let count = pop.count.expect("checked by validate");
                let ring = PreparedRing::new(area);
                let mut out = Vec::with_capacity(count);
                let max_attempts = 2_000 + 500 * count;
                let mut attempts = 0;
                while out.len() < count && attempts < max_attempts {
                    attempts += 1;
                    let p = Point::new(
                        rng.uniform(ring.min.x, ring.max.x),
                        rng.uniform(ring.min.y, ring.max.y),
                    );
                    if !ring.contains(p)
                        || !inside_walkable(scenario, p)
                        || self.wall_distance(p) < r + 0.01
                        || placed.overlap(p, r, 0.01).is_some()
                    {
                        continue;
                    }
                    placed.insert(p, r);
                    out.push(p);
                }
                if out.len() < count {
                    return Err(Error::PopulationDoesNotFit {
                        field,
                        count,
                        placed: out.len(),
                        radius_m: r,
                    });
                }
                out
            };
            let fixed_exit = pop
                .exit
                .as_ref()
                .map(|name| scenario.exits.iter().position(|e| &e.name == name).unwrap() as u32);
            for p in starts {
                let id = AgentId(self.summaries.len() as u32);
                let v0 = match pop.speed_mps {
                    DesiredSpeed::Fixed(v) => v,
                    DesiredSpeed::Normal { mean, sd, min, max } => {
                        (mean + sd * rng.standard_normal()).clamp(min, max)
                    }
                };
                let premovement = match pop.premovement_s {
                    Premovement::Fixed(t) => t,
                    Premovement::Uniform { min, max } => rng.uniform(min, max),
                };
                let exit = match fixed_exit {
                    Some(e) => e,
                    None => self.nearest_exit(p),
                };
                let a = &mut self.agents;
                a.id.push(id);
                a.x.push(p.x);
                a.y.push(p.y);
                a.ex.push(0.0);
                a.ey.push(0.0);
                a.vx.push(0.0);
                a.vy.push(0.0);
                a.v0.push(v0);
                a.radius.push(r);
                a.time_gap.push(
                    pop.time_gap_s
                        .unwrap_or(scenario.model.default_time_gap_s()),
                );
                a.premovement.push(premovement);
                a.population.push(k as u32);
                a.stage.push(0);
                a.exit.push(exit);
                a.held.push(false);
                a.anchor_x.push(p.x);
                a.anchor_y.push(p.y);
                a.anchor_s.push(0.0);
                a.e0x.push(0.0);
                a.e0y.push(0.0);
                a.v_desired.push(0.0);
                self.summaries.push(AgentSummary {
                    id,
                    population: k,
                    start: p,
                    desired_speed_mps: v0,
                    radius_m: r,
                    premovement_s: premovement,
                    exit: ExitId(exit),
                    // Measured along the way-finding field when the run ends.
                    walking_distance_m: f64::NAN,
                });
            }
        }
        // Every target of every agent must be reachable from its start, on the navigation grid
        // and through openings wide enough for its body; report all agents that cannot reach
        // the first failing target. A free-choice agent whose nearest exit is only reachable
        // through too narrow a gap takes the nearest exit it can reach. (In a periodic corridor
        // everyone walks along it, whatever the exits.)
        if self.periodic.is_some() {
            return Ok(());
        }
        let clearance = self.wall_clearance();
        let mut passable: std::collections::BTreeMap<(u64, u32), Vec<bool>> =
            std::collections::BTreeMap::new();
        for i in 0..self.agents.id.len() {
            let p = Point::new(self.agents.x[i], self.agents.y[i]);
            let radius = self.agents.radius[i];
            let population = self.agents.population[i] as usize;
            let mut mask_for = |sim: &Simulation, target: u32| -> bool {
                let mask = passable
                    .entry((radius.to_bits(), target))
                    .or_insert_with(|| sim.passable_region(target, &clearance, radius));
                sim.nav_mask_at(mask, p)
            };
            if self.free_choice[population]
                && self.fields[self.agents.exit[i] as usize]
                    .distance_at(&self.nav, p)
                    .is_finite()
                && !mask_for(self, self.agents.exit[i])
            {
                let mut options: Vec<(f64, u32)> = (0..self.exits.len() as u32)
                    .map(|e| (self.fields[e as usize].distance_at(&self.nav, p), e))
                    .filter(|(d, _)| d.is_finite())
                    .collect();
                options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                if let Some(&(_, e)) = options.iter().find(|&&(_, e)| mask_for(self, e)) {
                    self.agents.exit[i] = e;
                    self.summaries[self.agents.id[i].0 as usize].exit = ExitId(e);
                }
            }
            let route = self.routes[population].clone();
            for target in route
                .into_iter()
                .chain(std::iter::once(self.agents.exit[i]))
            {
                if !self.fields[target as usize]
                    .distance_at(&self.nav, p)
                    .is_finite()
                {
                    return Err(self.unreachable(
                        scenario,
                        target,
                        |sim, j| {
                            !sim.fields[target as usize]
                                .distance_at(&sim.nav, Point::new(sim.agents.x[j], sim.agents.y[j]))
                                .is_finite()
                        },
                        "no walkable connection from their start".into(),
                    ));
                }
                if !mask_for(self, target) {
                    let mask = &passable[&(radius.to_bits(), target)];
                    return Err(self.unreachable(
                        scenario,
                        target,
                        |sim, j| {
                            sim.agents.radius[j].to_bits() == radius.to_bits()
                                && !sim
                                    .nav_mask_at(mask, Point::new(sim.agents.x[j], sim.agents.y[j]))
                        },
                        format!(
                            "every way there passes an opening narrower than their bodies \
                             ({:.2} m wide)",
                            2.0 * radius
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Distance from each walkable navigation cell's centre to the nearest wall, m (infinite
    /// beyond the wall grid's reach).
    fn wall_clearance(&self) -> Vec<f32> {
        let nav = &self.nav;
        (0..nav.nx * nav.ny)
            .into_par_iter()
            .with_min_len(4096)
            .map(|c| {
                if !nav.walkable[c] {
                    return 0.0;
                }
                self.wall_distance(nav.cell_centre(c % nav.nx, c / nav.nx)) as f32
            })
            .collect()
    }

    /// The navigation cells from which a body of `radius_m` can walk to `target`: a flood fill
    /// from the target's own cells (distance 0) over cells whose centre is at least
    /// `radius_m` − half a cell from every wall.
    fn passable_region(&self, target: u32, clearance: &[f32], radius_m: f64) -> Vec<bool> {
        let nav = &self.nav;
        let field = &self.fields[target as usize];
        let threshold = (radius_m - nav.cell_m / 2.0) as f32;
        let mut reached = vec![false; nav.nx * nav.ny];
        let mut queue: std::collections::VecDeque<usize> =
            field.source_cells.iter().map(|&c| c as usize).collect();
        for &c in &queue {
            reached[c] = true;
        }
        while let Some(c) = queue.pop_front() {
            let (i, j) = (c % nav.nx, c / nav.nx);
            let neighbours = [
                (i > 0).then(|| c - 1),
                (i + 1 < nav.nx).then(|| c + 1),
                (j > 0).then(|| c - nav.nx),
                (j + 1 < nav.ny).then(|| c + nav.nx),
            ];
            for n in neighbours.into_iter().flatten() {
                if !reached[n] && nav.walkable[n] && clearance[n] >= threshold {
                    reached[n] = true;
                    queue.push_back(n);
                }
            }
        }
        reached
    }

    /// Whether `p`'s navigation cell or one of its eight neighbours is set in `mask`.
    fn nav_mask_at(&self, mask: &[bool], p: Point) -> bool {
        let nav = &self.nav;
        let (i, j) = nav.cell_of(p);
        (j.saturating_sub(1)..=(j + 1).min(nav.ny - 1)).any(|jj| {
            (i.saturating_sub(1)..=(i + 1).min(nav.nx - 1)).any(|ii| mask[jj * nav.nx + ii])
        })
    }

    /// The error for the agents heading for `target` (as an exit or on their route) for whom
    /// `cannot(sim, slot)` holds, with the reason.
    fn unreachable(
        &self,
        scenario: &Scenario,
        target: u32,
        cannot: impl Fn(&Simulation, usize) -> bool,
        why: String,
    ) -> Error {
        let a = &self.agents;
        let agents: Vec<AgentId> = (0..a.id.len())
            .filter(|&i| {
                a.exit[i] == target || self.routes[a.population[i] as usize].contains(&target)
            })
            .filter(|&i| cannot(self, i))
            .map(|i| a.id[i])
            .collect();
        let t = target as usize;
        let target = if t < scenario.exits.len() {
            format!("exit {:?}", scenario.exits[t].name)
        } else {
            format!(
                "waypoint {:?}",
                scenario.waypoints[t - scenario.exits.len()].name
            )
        };
        Error::Unreachable {
            target,
            agents,
            why,
        }
    }

    fn nearest_exit(&self, p: Point) -> u32 {
        let mut best = (f64::INFINITY, 0u32);
        for e in 0..self.exits.len() {
            let d = self.fields[e].distance_at(&self.nav, p);
            if d < best.0 {
                best = (d, e as u32);
            }
        }
        best.1
    }

    fn wall_distance(&self, p: Point) -> f64 {
        let mut best = f64::INFINITY;
        for &s in self.walls.near(p) {
            let (a, b) = self.walls.segments[s as usize];
            best = best.min(distance_to_segment(p, a, b));
        }
        best
    }

    /// `ExitChoice::Quickest`: every free-choice agent (in id order, all from the same state)
    /// takes the exit with the smallest estimated walking plus queueing time; with
    /// `lanes_only`, only among the lanes of the opening it is heading for.
    fn reconsider_exits(&mut self, choice: ExitChoice, lanes_only: bool) {
        let ExitChoice::Quickest {
            flow_window_s,
            initial_flow_p_per_s,
            switch_margin_s,
            ..
        } = choice
        else {
            return;
        };
        let t = self.time_s();
        let n_exits = self.exits.len();
        let a = &self.agents;
        // Observed flow of each exit over the window.
        let window = flow_window_s.min(t).max(self.dt_s);
        let mut recent = vec![0usize; n_exits];
        let mut used = vec![false; n_exits];
        for ev in &self.exit_events {
            used[ev.exit.0 as usize] = true;
            if ev.time_s > t - window {
                recent[ev.exit.0 as usize] += 1;
            }
        }
        let flow: Vec<f64> = (0..n_exits)
            .map(|e| {
                if used[e] {
                    (recent[e] as f64 / window).max(0.1)
                } else {
                    initial_flow_p_per_s
                }
            })
            .collect();
        // Walking distance of every agent to every exit, and per exit the sorted distances of
        // the agents heading there (to count who is ahead).
        let distances: Vec<Vec<f64>> = (0..n_exits)
            .map(|e| {
                (0..a.id.len())
                    .map(|i| self.fields[e].distance_at(&self.nav, Point::new(a.x[i], a.y[i])))
                    .collect()
            })
            .collect();
        let mut heading: Vec<Vec<f64>> = vec![Vec::new(); n_exits];
        for (i, &e) in a.exit.iter().enumerate() {
            heading[e as usize].push(distances[e as usize][i]);
        }
        for list in &mut heading {
            list.sort_by(f64::total_cmp);
        }
        let mut by_id: Vec<(AgentId, usize)> = a.id.iter().copied().zip(0..a.id.len()).collect();
        by_id.sort_unstable();
        let mut new_exit = a.exit.clone();
        for (_, i) in by_id {
            if !self.free_choice[a.population[i] as usize] || a.v0[i] <= 0.0 {
                continue;
            }
            let estimate = |e: usize| {
                let d = distances[e][i];
                let ahead = heading[e].partition_point(|&x| x < d);
                d / a.v0[i] + ahead as f64 / flow[e]
            };
            let current = a.exit[i] as usize;
            let opening = self.exits[current].opening;
            if lanes_only && opening.is_none() {
                continue;
            }
            let current_time = estimate(current);
            let mut best = (current_time, current);
            for e in 0..n_exits {
                if lanes_only && self.exits[e].opening != opening {
                    continue;
                }
                let time = estimate(e);
                if time.is_finite() && time < best.0 {
                    best = (time, e);
                }
            }
            if best.1 != current && best.0 + switch_margin_s < current_time {
                new_exit[i] = best.1 as u32;
            }
        }
        self.agents.exit = new_exit;
    }

    /// Advances waypoint stages and computes each agent's desired direction and speed.
    fn refresh_targets(&mut self) {
        let t = self.time_s();
        let Agents {
            x,
            y,
            ex,
            ey,
            v0,
            premovement,
            population,
            stage,
            exit,
            held,
            e0x,
            e0y,
            v_desired,
            ..
        } = &mut self.agents;
        let (routes, waypoints, fields, nav, zones) = (
            &self.routes,
            &self.waypoints,
            &self.fields,
            &self.nav,
            &self.zones,
        );
        let first_waypoint_field = self.exits.len();
        let periodic = self.periodic.is_some();
        // Each agent reads only its own state and the static fields: parallel and exact.
        stage
            .par_iter_mut()
            .zip(e0x.par_iter_mut())
            .zip(e0y.par_iter_mut())
            .zip(v_desired.par_iter_mut())
            .enumerate()
            .with_min_len(1024)
            .for_each(|(i, (((stage, e0x), e0y), v_desired))| {
                let p = Point::new(x[i], y[i]);
                let route = &routes[population[i] as usize];
                while (*stage as usize) < route.len() {
                    let (centre, reach) =
                        waypoints[route[*stage as usize] as usize - first_waypoint_field];
                    if p.distance_to(centre) <= reach {
                        *stage += 1;
                    } else {
                        break;
                    }
                }
                let (dx, dy) = if periodic {
                    (1.0, 0.0)
                } else {
                    let target = route.get(*stage as usize).copied().unwrap_or(exit[i]);
                    fields[target as usize]
                        .direction_at(nav, p)
                        .unwrap_or((ex[i], ey[i]))
                };
                *e0x = dx;
                *e0y = dy;
                *v_desired = if t < premovement[i] || held[i] {
                    0.0
                } else {
                    let factor = zones
                        .iter()
                        .filter(|(ring, _)| ring.contains(p))
                        .map(|(_, f)| *f)
                        .fold(1.0, f64::min);
                    v0[i] * factor
                };
            });
    }

    /// Removes agents whose centre is inside an exit (respecting flow limiters) and records it.
    fn process_departures(&mut self) {
        let t = self.time_s();
        let a = &mut self.agents;
        // Agents are stored in spatial order; decide departures in id order so that events
        // and flow-limiter releases do not depend on storage order.
        let mut inside = std::mem::take(&mut self.departures);
        inside.clear();
        for i in 0..a.id.len() {
            a.held[i] = false;
            let p = Point::new(a.x[i], a.y[i]);
            if let Some(e) = self.exits.iter().position(|exit| exit.ring.contains(p)) {
                inside.push((a.id[i], i, e));
            }
        }
        if inside.is_empty() {
            self.departures = inside;
            return;
        }
        inside.sort_unstable();
        let mut keep = std::mem::take(&mut self.keep);
        keep.clear();
        keep.resize(a.id.len(), true);
        for &(id, i, e) in &inside {
            let exit = &mut self.exits[e];
            if let Some(interval) = exit.release_interval_s {
                if t + 1e-9 < exit.next_release_s {
                    a.held[i] = true;
                    continue;
                }
                exit.next_release_s = t + interval;
            }
            keep[i] = false;
            self.exit_events.push(ExitEvent {
                agent: id,
                exit: ExitId(e as u32),
                time_s: t,
            });
        }
        a.compact(&keep);
        self.keep = keep;
        self.departures = inside;
    }

    fn record_samples(&mut self) {
        let t = self.time_s();
        if self.step_index.is_multiple_of(self.sample_every) {
            let a = &mut self.agents;
            for i in 0..a.id.len() {
                if (a.x[i] - a.anchor_x[i]).hypot(a.y[i] - a.anchor_y[i]) > STALL_DISTANCE_M {
                    a.anchor_x[i] = a.x[i];
                    a.anchor_y[i] = a.y[i];
                    a.anchor_s[i] = t;
                }
            }
        }
        let a = &self.agents;
        if self.step_index.is_multiple_of(self.sample_every) {
            self.curve.push(CurvePoint {
                time_s: t,
                remaining: a.id.len(),
            });
            let d = &self.density;
            let mut counts = vec![0u32; d.nx * d.ny];
            for i in 0..a.id.len() {
                let ci = ((a.x[i] - d.origin.x) / d.cell_m).floor();
                let cj = ((a.y[i] - d.origin.y) / d.cell_m).floor();
                if ci >= 0.0 && cj >= 0.0 && (ci as usize) < d.nx && (cj as usize) < d.ny {
                    counts[cj as usize * d.nx + ci as usize] += 1;
                }
            }
            self.density.frames.push(DensityFrame { time_s: t, counts });
        }
        if let (Some(every), Some(traj)) = (self.trajectory_every, self.trajectories.as_mut())
            && self.step_index.is_multiple_of(every)
        {
            let by_id = &mut self.by_id;
            by_id.clear();
            by_id.extend(a.id.iter().copied().zip(0..a.id.len()));
            by_id.sort_unstable();
            for &(id, i) in by_id.iter() {
                traj.time_s.push(t);
                traj.agent.push(id);
                traj.x.push(a.x[i]);
                traj.y.push(a.y[i]);
            }
        }
    }
}

/// An agent still inside at the end that has not moved this far in [`STALL_TIME_S`] is
/// reported as stalled, m.
const STALL_DISTANCE_M: f64 = 0.5;
/// See [`STALL_DISTANCE_M`], s.
const STALL_TIME_S: f64 = 30.0;

/// A neighbour's repulsion below this fraction of the unit desired direction is left out.
const NEGLIGIBLE_REPULSION: f64 = 1e-6;

/// How far an agent looks for neighbours, m: JuPedSim's cutoff (3 m), or less where every
/// neighbour beyond cannot matter. A neighbour counts twice in the CFSM: its repulsion
/// a·exp((r_i + r_j − d)/D), which falls below [`NEGLIGIBLE_REPULSION`] of the unit desired
/// direction beyond d = r_i + r_j + D·ln(a / 1e-6) (1.99 m with JuPedSim's a = 8, D = 0.1 m
/// and r = 0.2 m); and the spacing ahead, which limits the speed only below v0·T (1.61 m for
/// the fastest Weidmann walker at T = 1 s). Beyond both, leaving a neighbour out changes the
/// direction by less than 1e-6 rad and the speed not at all, and halves the neighbours a step
/// visits (1.99² / 3² of the area).
fn interaction_radius_m(scenario: &Scenario, agents: &Agents, params: CfsmParameters) -> f64 {
    let r_max = agents.radius.iter().copied().fold(0.0, f64::max);
    let zone_factor = scenario
        .speed_zones
        .iter()
        .map(|z| z.factor)
        .fold(1.0, f64::max);
    let speed_gap = agents
        .v0
        .iter()
        .zip(&agents.time_gap)
        .map(|(v0, t)| v0 * zone_factor * t)
        .fold(0.0, f64::max);
    let repulsion_gap = params.range_neighbour_repulsion_m
        * (params.strength_neighbour_repulsion / NEGLIGIBLE_REPULSION)
            .ln()
            .max(0.0);
    (2.0 * r_max + speed_gap.max(repulsion_gap)).min(params.cutoff_m)
}

/// Agents per parallel task of the update (each task keeps its own neighbour list).
const UPDATE_CHUNK: usize = 256;

/// How often agents are re-sorted into spatial order, in steps.
const REORDER_EVERY_STEPS: u64 = 10;

/// Buffers for [`Agents::permute`], one per element type.
#[derive(Default)]
struct PermuteScratch {
    f: Vec<f64>,
    u: Vec<u32>,
    b: Vec<bool>,
    id: Vec<AgentId>,
}

impl Agents {
    /// Reorders every array so that slot k holds the agent that was in slot `order[k]`,
    /// through buffers kept in `scratch` (no allocation once they have grown).
    fn permute(&mut self, order: &[u32], scratch: &mut PermuteScratch) {
        fn apply<T: Copy>(v: &mut Vec<T>, order: &[u32], tmp: &mut Vec<T>) {
            tmp.clear();
            tmp.extend(order.iter().map(|&k| v[k as usize]));
            std::mem::swap(v, tmp);
        }
        let PermuteScratch { f, u, b, id } = scratch;
        apply(&mut self.id, order, id);
        for v in [
            &mut self.x,
            &mut self.y,
            &mut self.ex,
            &mut self.ey,
            &mut self.vx,
            &mut self.vy,
            &mut self.v0,
            &mut self.radius,
            &mut self.time_gap,
            &mut self.premovement,
            &mut self.anchor_x,
            &mut self.anchor_y,
            &mut self.anchor_s,
            &mut self.e0x,
            &mut self.e0y,
            &mut self.v_desired,
        ] {
            apply(v, order, f);
        }
        for v in [&mut self.population, &mut self.stage, &mut self.exit] {
            apply(v, order, u);
        }
        apply(&mut self.held, order, b);
    }

    fn compact(&mut self, keep: &[bool]) {
        fn retain<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut w = 0;
            for r in 0..v.len() {
                if keep[r] {
                    v[w] = v[r];
                    w += 1;
                }
            }
            v.truncate(w);
        }
        retain(&mut self.id, keep);
        retain(&mut self.x, keep);
        retain(&mut self.y, keep);
        retain(&mut self.ex, keep);
        retain(&mut self.ey, keep);
        retain(&mut self.vx, keep);
        retain(&mut self.vy, keep);
        retain(&mut self.v0, keep);
        retain(&mut self.radius, keep);
        retain(&mut self.time_gap, keep);
        retain(&mut self.premovement, keep);
        retain(&mut self.population, keep);
        retain(&mut self.stage, keep);
        retain(&mut self.exit, keep);
        retain(&mut self.held, keep);
        retain(&mut self.anchor_x, keep);
        retain(&mut self.anchor_y, keep);
        retain(&mut self.anchor_s, keep);
        retain(&mut self.e0x, keep);
        retain(&mut self.e0y, keep);
        retain(&mut self.v_desired, keep);
    }
}

/// Read-only view of the state one step reads from (the synchronous, Jacobi update).
struct StepContext<'a> {
    agents: &'a Agents,
    grid: &'a NeighbourGrid,
    walls: &'a WallGrid,
    seed: u64,
    step_index: u64,
    dt_s: f64,
    periodic: Option<(f64, f64)>,
    interaction_radius_m: f64,
}

/// A neighbour kept for the CFSM's spacing pass: offset, distance, radius.
type Neighbour = (f64, f64, f64, f64);

/// A neighbour kept by the AVM: offset from the agent, distance, radius, and its agent slot
/// (for its heading and velocity).
#[derive(Clone, Copy)]
struct AvmNeighbour {
    dx: f64,
    dy: f64,
    d: f64,
    rj: f64,
    slot: u32,
}

/// Most wall segments an agent keeps by itself for its sight tests; beyond, it tests all the
/// candidates of its wall cell.
const NEAR_WALLS_KEPT: usize = 48;

/// The wall segments within the cutoff of an agent, for its line-of-sight tests.
struct NearWalls<'a> {
    kept: [u32; NEAR_WALLS_KEPT],
    count: usize,
    overflow: bool,
    candidates: &'a [u32],
}

impl<'a> NearWalls<'a> {
    fn new(candidates: &'a [u32]) -> NearWalls<'a> {
        NearWalls {
            kept: [0; NEAR_WALLS_KEPT],
            count: 0,
            overflow: false,
            candidates,
        }
    }

    fn keep(&mut self, s: u32) {
        if self.count < NEAR_WALLS_KEPT {
            self.kept[self.count] = s;
            self.count += 1;
        } else {
            self.overflow = true;
        }
    }

    fn for_sight(&self) -> &[u32] {
        if self.overflow {
            self.candidates
        } else {
            &self.kept[..self.count]
        }
    }
}

/// The AVM's creep speeds (JuPedSim `AnticipationVelocityModel::OptimalSpeed`): below
/// `AVM_CREEP_MPS` in magnitude, an agent creeps forward at it instead of stopping; it backs
/// off at most at `AVM_BACKOFF_MPS`.
const AVM_CREEP_MPS: f64 = 0.01;
const AVM_BACKOFF_MPS: f64 = -0.01;
/// Extra spacing the AVM keeps in its speed law, m (JuPedSim's `buffer`).
const AVM_SPACING_BUFFER_M: f64 = 0.02;
/// Below this, a neighbour's predicted offset counts as dead ahead and the side to pass on is
/// drawn at random (JuPedSim's `J_EPS`), m.
const AVM_DEAD_AHEAD_M: f64 = 1e-3;
/// A heading whose component into a wall is smaller than this runs along it.
const AVM_PARALLEL: f64 = 1e-12;

impl StepContext<'_> {
    /// Waiting (pre-movement) or held at a limited exit: stands, faces its target.
    fn standing(&self, i: usize) -> AgentUpdate {
        let a = self.agents;
        AgentUpdate {
            x: a.x[i],
            y: a.y[i],
            ex: a.e0x[i],
            ey: a.e0y[i],
            speed: 0.0,
            min_clearance_m: f64::INFINITY,
            crossed_wall: false,
        }
    }

    /// The CFSM update of agent `i` (crowd.md §1.3, JuPedSim `CollisionFreeSpeedModel.cpp`).
    fn cfsm_update(
        &self,
        i: usize,
        params: &CfsmParameters,
        neighbours: &mut Vec<Neighbour>,
    ) -> AgentUpdate {
        let a = self.agents;
        let (px, py, ri) = (a.x[i], a.y[i], a.radius[i]);
        let v_desired = a.v_desired[i];
        if v_desired == 0.0 {
            return self.standing(i);
        }
        let p = Point::new(px, py);
        let cutoff = params.cutoff_m;

        // Walls within the cutoff: repulsion from the closest point of each segment.
        let candidates = self.walls.near(p);
        let mut near = NearWalls::new(candidates);
        let (mut wx, mut wy) = (0.0, 0.0);
        for &s in candidates {
            let (sa, sb) = self.walls.segments[s as usize];
            let q = crate::geometry::closest_point_on_segment(p, sa, sb);
            let (dx, dy) = (q.x - px, q.y - py);
            let d = (dx * dx + dy * dy).sqrt();
            if d > cutoff {
                continue;
            }
            near.keep(s);
            if d > 0.0 {
                let f = -params.strength_geometry_repulsion
                    * ((ri - d) / params.range_geometry_repulsion_m).exp()
                    / d;
                wx += f * dx;
                wy += f * dy;
            }
        }

        // Neighbours within the cutoff and in sight: repulsion and the list for the spacing.
        neighbours.clear();
        let (mut rx, mut ry, mut min_clearance) = (0.0, 0.0, f64::INFINITY);
        let a_n = params.strength_neighbour_repulsion;
        let d_n = params.range_neighbour_repulsion_m;
        self.for_each_neighbour(i, &near, |dx, dy, d2, rj, _| {
            let d = d2.sqrt();
            let gap = d - (ri + rj);
            min_clearance = f64::min(min_clearance, gap);
            if d > 0.0 {
                let f = -a_n * (-gap / d_n).exp() / d;
                rx += f * dx;
                ry += f * dy;
            }
            neighbours.push((dx, dy, d, rj));
        });

        // Direction: desired direction plus repulsions, normalised.
        let sx = a.e0x[i] + rx + wx;
        let sy = a.e0y[i] + ry + wy;
        let norm = (sx * sx + sy * sy).sqrt();
        let (ex, ey) = if norm > 0.0 {
            (sx / norm, sy / norm)
        } else {
            (a.ex[i], a.ey[i])
        };

        // Spacing: the nearest neighbour ahead within the corridor of half-width r_i + r_j.
        let mut spacing = f64::MAX;
        for &(dx, dy, d, rj) in neighbours.iter() {
            let l = ri + rj;
            if ex * dx + ey * dy >= 0.0 && (-ey * dx + ex * dy).abs() <= l {
                spacing = spacing.min(d - l);
            }
        }
        let speed = (spacing / a.time_gap[i]).max(0.0).min(v_desired);
        self.moved(i, &near, (ex, ey), speed, min_clearance)
    }

    /// The AVM update of agent `i` (crowd.md §1.3; Xu, Chraibi, Seyfried 2021; JuPedSim
    /// `AnticipationVelocityModel.cpp`).
    fn avm_update(
        &self,
        i: usize,
        params: &AvmParameters,
        neighbours: &mut Vec<AvmNeighbour>,
    ) -> AgentUpdate {
        let a = self.agents;
        let (px, py, ri) = (a.x[i], a.y[i], a.radius[i]);
        let v_desired = a.v_desired[i];
        if v_desired == 0.0 {
            return self.standing(i);
        }
        let p = Point::new(px, py);
        let candidates = self.walls.near(p);
        let mut near = NearWalls::new(candidates);
        for &s in candidates {
            let (sa, sb) = self.walls.segments[s as usize];
            if crate::geometry::closest_point_on_segment(p, sa, sb).distance_to(p)
                <= params.cutoff_m
            {
                near.keep(s);
            }
        }
        neighbours.clear();
        let mut min_clearance = f64::INFINITY;
        self.for_each_neighbour(i, &near, |dx, dy, d2, rj, slot| {
            let d = d2.sqrt();
            min_clearance = f64::min(min_clearance, d - (ri + rj));
            neighbours.push(AvmNeighbour {
                dx,
                dy,
                d,
                rj,
                slot: slot as u32,
            });
        });

        // Desired direction d, heading e and velocity v of the agent.
        let (dx1, dy1) = (a.e0x[i], a.e0y[i]);
        let (ex1, ey1) = (a.ex[i], a.ey[i]);
        let (vx1, vy1) = (a.vx[i], a.vy[i]);
        let t_a = params.anticipation_time_s;
        // The unit normal to the desired direction, to its left.
        let (ox, oy) = (-dy1, dx1);
        let (mut rx, mut ry) = (0.0, 0.0);
        for n in neighbours.iter() {
            let (ux, uy) = if n.d > 0.0 {
                (n.dx / n.d, n.dy / n.d)
            } else {
                (0.0, 0.0)
            };
            // Perception: ahead of the desired direction or of the heading (Eq. 1).
            if dx1 * ux + dy1 * uy < 0.0 && ex1 * ux + ey1 * uy < 0.0 {
                continue;
            }
            let j = n.slot as usize;
            let (vxj, vyj) = (a.vx[j], a.vy[j]);
            // The gap left after the anticipation time at the current closing speed (Eq. 3).
            let closing = ((vx1 - vxj) * ux + (vy1 - vyj) * uy) * t_a;
            let anticipated_gap = (n.d - (ri + n.rj) - closing).max(0.0);
            // Someone walking against the desired direction weighs up to twice (Eq. 4).
            let alignment = 1.0 + 0.5 * (1.0 - (dx1 * a.ex[j] + dy1 * a.ey[j]));
            let strength = params.strength_neighbour_repulsion
                * alignment
                * (-anticipated_gap / params.range_neighbour_repulsion_m).exp();
            // Step aside, orthogonally to the desired direction, away from where the neighbour
            // will be (Eq. 5); dead ahead, to a side drawn at random.
            let side = ox * (n.dx + vxj * t_a) + oy * (n.dy + vyj * t_a);
            let away_left = if side.abs() < AVM_DEAD_AHEAD_M {
                crate::rng::coin(self.seed, self.step_index, a.id[i].0, a.id[j].0)
            } else {
                side < 0.0
            };
            let sign = if away_left { strength } else { -strength };
            rx += sign * ox;
            ry += sign * oy;
        }
        let (mut cx, mut cy) = (dx1 + rx, dy1 + ry);
        let norm = (cx * cx + cy * cy).sqrt();
        (cx, cy) = if norm > 0.0 {
            (cx / norm, cy / norm)
        } else {
            (ex1, ey1)
        };

        // The heading turns toward the new direction with the reaction time (Eq. 7), unless
        // the two lie on opposite sides of the desired direction's normal.
        let (mut hx, mut hy) = if (dx1 * cx + dy1 * cy) * (dx1 * ex1 + dy1 * ey1) < 0.0 {
            (cx, cy)
        } else {
            let k = self.dt_s / params.reaction_time_s;
            (ex1 + (cx - ex1) * k, ey1 + (cy - ey1) * k)
        };
        let norm = (hx * hx + hy * hy).sqrt();
        (hx, hy) = if norm > 0.0 {
            (hx / norm, hy / norm)
        } else {
            (cx, cy)
        };

        // Speed: the CFSM's law on the spacing along the new heading, with a small buffer,
        // creeping rather than stopping.
        let mut spacing = f64::MAX;
        for n in neighbours.iter() {
            let l = ri + n.rj + AVM_SPACING_BUFFER_M;
            if hx * n.dx + hy * n.dy >= 0.0 && (-hy * n.dx + hx * n.dy).abs() <= l {
                spacing = spacing.min(n.d - l);
            }
        }
        let mut speed = spacing / a.time_gap[i];
        if speed < AVM_CREEP_MPS && speed > AVM_BACKOFF_MPS {
            speed = AVM_CREEP_MPS;
        }
        let speed = speed.max(AVM_BACKOFF_MPS).min(v_desired);

        // Walls only deflect: within wall_buffer of touching one, the part of the heading that
        // points into it is removed and the agent is pushed out a little.
        let critical = ri + params.wall_buffer_distance_m;
        for &s in near.for_sight() {
            let (sa, sb) = self.walls.segments[s as usize];
            let q = crate::geometry::closest_point_on_segment(p, sa, sb);
            let (nx, ny) = (px - q.x, py - q.y);
            let d = (nx * nx + ny * ny).sqrt();
            if d > critical || d == 0.0 {
                continue;
            }
            let (nx, ny) = (nx / d, ny / d);
            let into = hx * nx + hy * ny;
            // (Below AVM_PARALLEL the heading runs along the wall and the sign of `into` is
            // rounding noise of the closest point: left alone, as an exact computation would.)
            if into < -AVM_PARALLEL {
                hx += nx * (params.pushout_strength - into);
                hy += ny * (params.pushout_strength - into);
            }
        }
        let norm = (hx * hx + hy * hy).sqrt();
        if norm > 0.0 {
            (hx, hy) = (hx / norm, hy / norm);
        }
        self.moved(i, &near, (hx, hy), speed, min_clearance)
    }

    /// Moves agent `i` along `heading` at `speed` for one step and checks the move crossed no
    /// wall.
    fn moved(
        &self,
        i: usize,
        near: &NearWalls,
        heading: (f64, f64),
        speed: f64,
        min_clearance_m: f64,
    ) -> AgentUpdate {
        let a = self.agents;
        let p = Point::new(a.x[i], a.y[i]);
        let (ex, ey) = heading;
        let nx = p.x + ex * speed * self.dt_s;
        let ny = p.y + ey * speed * self.dt_s;
        let crossed_wall = speed != 0.0
            && near.for_sight().iter().any(|&s| {
                let (sa, sb) = self.walls.segments[s as usize];
                segments_intersect(p, Point::new(nx, ny), sa, sb)
            });
        AgentUpdate {
            x: nx,
            y: ny,
            ex,
            ey,
            speed,
            min_clearance_m,
            crossed_wall,
        }
    }

    /// Calls `visit(dx, dy, d², r_j, slot)` for every neighbour of agent `i` within the
    /// interaction radius and in sight (no wall of `near` between them), with its offset from
    /// agent `i`. In a periodic corridor an agent near one end also scans round the other end,
    /// from its image one period away.
    fn for_each_neighbour(
        &self,
        i: usize,
        near: &NearWalls,
        mut visit: impl FnMut(f64, f64, f64, f64, usize),
    ) {
        let px = self.agents.x[i];
        self.scan_neighbours(i, px, 0.0, near, &mut visit);
        if let Some((x_min, x_max)) = self.periodic {
            let period = x_max - x_min;
            let reach = self.interaction_radius_m;
            if px - x_min < reach {
                self.scan_neighbours(i, px + period, -period, near, &mut visit);
            } else if x_max - px < reach {
                self.scan_neighbours(i, px - period, period, near, &mut visit);
            }
        }
    }

    /// Scans the 5 × 5 block of neighbour cells around (`cx`, y of agent `i`) for agent `i`
    /// (`shift_x` maps the scan position back to the agent: 0, or ± the period when scanning
    /// from a periodic image).
    fn scan_neighbours(
        &self,
        i: usize,
        cx: f64,
        shift_x: f64,
        near: &NearWalls,
        visit: &mut impl FnMut(f64, f64, f64, f64, usize),
    ) {
        let a = self.agents;
        let cy = a.y[i];
        let p = Point::new(cx + shift_x, cy);
        let walls = near.for_sight();
        let cutoff2 = self.interaction_radius_m * self.interaction_radius_m;
        let g = self.grid;
        let (ci, cj) = g.cell(cx, cy);
        let i0 = ci.saturating_sub(2);
        let i1 = (ci + 2).min(g.nx - 1);
        let me = g.sorted_slot[i] as usize;
        for row in cj.saturating_sub(2)..=(cj + 2).min(g.ny - 1) {
            let start = g.cell_start[row * g.nx + i0] as usize;
            let end = g.cell_start[row * g.nx + i1 + 1] as usize;
            // Row slices: one bounds check per row instead of four per candidate.
            let (xs, ys, rs) = (&g.sx[start..end], &g.sy[start..end], &g.sr[start..end]);
            for (k, ((&qx, &qy), &rj)) in xs.iter().zip(ys).zip(rs).enumerate() {
                let dx = qx - cx;
                let dy = qy - cy;
                let d2 = dx * dx + dy * dy;
                if d2 > cutoff2 || (start + k == me && shift_x == 0.0) {
                    continue;
                }
                if !walls.is_empty() {
                    // (Unshifted: the neighbour's own coordinates, exactly.)
                    let q = if shift_x == 0.0 {
                        Point::new(qx, qy)
                    } else {
                        Point::new(p.x + dx, p.y + dy)
                    };
                    if walls.iter().any(|&s| {
                        let (sa, sb) = self.walls.segments[s as usize];
                        segments_intersect(p, q, sa, sb)
                    }) {
                        continue;
                    }
                }
                visit(dx, dy, d2, rj, g.order[start + k] as usize);
            }
        }
    }
}

/// Exact test: inside the outer ring and in no hole.
fn inside_walkable(scenario: &Scenario, p: Point) -> bool {
    point_in_ring(p, &scenario.walkable.outer)
        && !scenario.walkable.holes.iter().any(|h| point_in_ring(p, h))
}

/// Bucket index of placed agents for the overlap test during placement.
struct PlacementIndex {
    origin: Point,
    nx: usize,
    ny: usize,
    buckets: Vec<Vec<(Point, f64, u32)>>,
    count: u32,
}

impl PlacementIndex {
    const CELL_M: f64 = 1.0;

    fn new(nav: &NavGrid) -> PlacementIndex {
        let nx = (nav.nx as f64 * nav.cell_m / Self::CELL_M).ceil() as usize + 1;
        let ny = (nav.ny as f64 * nav.cell_m / Self::CELL_M).ceil() as usize + 1;
        PlacementIndex {
            origin: nav.origin,
            nx,
            ny,
            buckets: vec![Vec::new(); nx * ny],
            count: 0,
        }
    }

    fn cell(&self, p: Point) -> (usize, usize) {
        let i = ((p.x - self.origin.x) / Self::CELL_M).floor().max(0.0) as usize;
        let j = ((p.y - self.origin.y) / Self::CELL_M).floor().max(0.0) as usize;
        (i.min(self.nx - 1), j.min(self.ny - 1))
    }

    /// An already placed agent closer than r + r_other + margin to `p`; radii are at most 2 m,
    /// so a 5 × 5 block of 1 m buckets covers every candidate.
    fn overlap(&self, p: Point, r: f64, margin: f64) -> Option<AgentId> {
        let (ci, cj) = self.cell(p);
        let reach = ((r + 2.0 + margin) / Self::CELL_M).ceil() as usize;
        for j in cj.saturating_sub(reach)..=(cj + reach).min(self.ny - 1) {
            for i in ci.saturating_sub(reach)..=(ci + reach).min(self.nx - 1) {
                for &(q, rq, id) in &self.buckets[j * self.nx + i] {
                    if p.distance_to(q) < r + rq + margin {
                        return Some(AgentId(id));
                    }
                }
            }
        }
        None
    }

    fn insert(&mut self, p: Point, r: f64) {
        let (i, j) = self.cell(p);
        self.buckets[j * self.nx + i].push((p, r, self.count));
        self.count += 1;
    }
}

/// The density grid covers the walkable area's bounding box from its lower-left corner.
fn density_grid(nav: &NavGrid, min: Point, max: Point, cell_m: f64) -> DensityMaps {
    let origin = min;
    let nx = ((max.x - min.x) / cell_m - 1e-9).ceil().max(1.0) as usize;
    let ny = ((max.y - min.y) / cell_m - 1e-9).ceil().max(1.0) as usize;
    // Count navigation cells first and multiply once, so a fully walkable cell's area is exact.
    let mut cells = vec![0u32; nx * ny];
    for j in 0..nav.ny {
        for i in 0..nav.nx {
            if !nav.walkable[j * nav.nx + i] {
                continue;
            }
            let c = nav.cell_centre(i, j);
            let ci = ((c.x - origin.x) / cell_m).floor();
            let cj = ((c.y - origin.y) / cell_m).floor();
            if ci >= 0.0 && cj >= 0.0 && (ci as usize) < nx && (cj as usize) < ny {
                cells[cj as usize * nx + ci as usize] += 1;
            }
        }
    }
    let cell_area = nav.cell_m * nav.cell_m;
    let area = cells.iter().map(|&k| f64::from(k) * cell_area).collect();
    DensityMaps {
        origin,
        cell_m,
        nx,
        ny,
        walkable_area_m2: area,
        frames: Vec::new(),
        peak: None,
    }
}

fn peak_density(d: &DensityMaps) -> Option<PeakDensity> {
    let mut best: Option<PeakDensity> = None;
    for frame in &d.frames {
        for c in 0..frame.counts.len() {
            if let Some(rho) = d.density_per_m2(frame, c)
                && rho > best.map_or(0.0, |b| b.density_per_m2)
            {
                best = Some(PeakDensity {
                    density_per_m2: rho,
                    time_s: frame.time_s,
                    cell_centre: d.cell_centre(c),
                });
            }
        }
    }
    best
}
