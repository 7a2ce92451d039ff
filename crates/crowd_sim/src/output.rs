//! The plain-data result of a run: evacuation time, exits, N(t), densities, trajectories.

use serde::{Deserialize, Serialize};

use crate::geometry::Point;

/// An agent's number: its position in the order agents are created (populations in order,
/// agents within a population in placement order), from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AgentId(pub u32);

/// An exit's index in [`crate::Scenario::exits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExitId(pub u32);

/// Everything a run produces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Time at which the last agent left, s; `None` if agents remained at `max_time_s`.
    pub evacuation_time_s: Option<f64>,
    /// Simulated time covered, s.
    pub simulated_time_s: f64,
    /// Time steps taken.
    pub steps: u64,
    /// Agents created.
    pub agents_total: usize,
    /// Agents that left through an exit.
    pub agents_evacuated: usize,
    /// Agents still inside when the run stopped, in id order.
    pub agents_remaining: Vec<AgentId>,
    /// Those of `agents_remaining` that had moved less than 0.5 m in the last 30 s of the run:
    /// stuck in a jam, at a clogged door or against an obstacle (why a run reached
    /// `max_time_s`), in id order. Agents still waiting out a long pre-movement time count too.
    pub agents_stalled: Vec<AgentId>,
    /// The agents as created: parameters drawn for each (reproducible from the seed).
    pub agents: Vec<AgentSummary>,
    /// One report per exit, in scenario order.
    pub exits: Vec<ExitReport>,
    /// Every departure, in time order (ties by agent id).
    pub exit_events: Vec<ExitEvent>,
    /// N(t): agents still inside, sampled every `sample_interval_s` and at the end.
    pub evacuation_curve: Vec<CurvePoint>,
    /// Density maps over time.
    pub density: DensityMaps,
    /// Positions over time, if requested.
    pub trajectories: Option<Trajectories>,
    /// Checks of the model's invariants over the whole run.
    pub invariants: InvariantReport,
}

impl Outcome {
    /// The longest [`AgentSummary::free_walk_time_s`]: how long the site would take to empty
    /// if nobody were in anyone's way and no exit limited the flow, s (`None` without agents
    /// that walk). An evacuation time close to it is governed by the walk of the farthest and
    /// slowest people, not by the exits' capacity.
    pub fn free_walk_time_s(&self) -> Option<f64> {
        self.agents
            .iter()
            .map(AgentSummary::free_walk_time_s)
            .filter(|t| t.is_finite())
            .reduce(f64::max)
    }
}

/// One agent as created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentSummary {
    /// The agent.
    pub id: AgentId,
    /// Index of its population in the scenario.
    pub population: usize,
    /// Start position.
    pub start: Point,
    /// Desired (free-walking) speed, m/s.
    pub desired_speed_mps: f64,
    /// Radius, m.
    pub radius_m: f64,
    /// Pre-movement time, s.
    pub premovement_s: f64,
    /// The exit it heads for at the start (with [`crate::ExitChoice::Quickest`] it may switch
    /// later; its [`ExitEvent`] says where it left).
    pub exit: ExitId,
    /// Walking distance from its start to that exit's centre along the way-finding grid
    /// (through its route's waypoints, each leg from the previous waypoint's centre), m.
    pub walking_distance_m: f64,
}

impl AgentSummary {
    /// How long it would take to leave on an empty site: pre-movement plus walking distance at
    /// the desired speed (speed zones not counted), s; infinite for an agent that never walks.
    pub fn free_walk_time_s(&self) -> f64 {
        if self.desired_speed_mps > 0.0 {
            self.premovement_s + self.walking_distance_m / self.desired_speed_mps
        } else {
            f64::INFINITY
        }
    }
}

/// Window of [`ExitReport::busiest_flow_p_per_s`], s: long enough to count several people
/// through a door at design flows (1.3 p/(m s) × 1 m = 13 in 10 s), short enough to catch a
/// queue that lasts a minute.
pub const BUSIEST_FLOW_WINDOW_S: f64 = 10.0;

/// The highest flow over any `window_s` of the departure times `sorted_times_s` (ascending):
/// the most departures in a half-open window `[t, t + window_s)` starting at a departure,
/// divided by `window_s`, persons per second. `None` when the departures span less than one
/// window (their mean flow then says as much).
///
/// ```
/// // Departures every 0.5 s for 20 s, then one more at 60 s: 20 in the busiest 10 s.
/// let mut times: Vec<f64> = (0..40).map(|k| k as f64 * 0.5).collect();
/// times.push(60.0);
/// assert_eq!(crowd_sim::busiest_flow_p_per_s(&times, 10.0), Some(2.0));
/// assert_eq!(crowd_sim::busiest_flow_p_per_s(&[1.0, 2.0], 10.0), None);
/// ```
pub fn busiest_flow_p_per_s(sorted_times_s: &[f64], window_s: f64) -> Option<f64> {
    let (first, last) = (sorted_times_s.first()?, sorted_times_s.last()?);
    if last - first < window_s {
        return None;
    }
    let mut most = 0;
    let mut end = 0;
    for (start, &t) in sorted_times_s.iter().enumerate() {
        while end < sorted_times_s.len() && sorted_times_s[end] < t + window_s {
            end += 1;
        }
        most = most.max(end - start);
    }
    Some(most as f64 / window_s)
}

/// Counts and flow of one exit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExitReport {
    /// The exit's name.
    pub name: String,
    /// Agents that left through it.
    pub count: usize,
    /// Time of the first departure, s.
    pub first_exit_s: Option<f64>,
    /// Time of the last departure, s.
    pub last_exit_s: Option<f64>,
    /// Mean flow between first and last departure, persons per second: (count − 1) / (last −
    /// first); `None` with fewer than two departures. It averages over every lull between the
    /// first and the last departure: an exit that people reach spread out over minutes (a
    /// large square, slow walkers far away) shows a low mean flow though it never queues;
    /// compare [`ExitReport::busiest_flow_p_per_s`].
    pub mean_flow_p_per_s: Option<f64>,
    /// The highest flow over any [`BUSIEST_FLOW_WINDOW_S`], persons per second (see
    /// [`busiest_flow_p_per_s`]): near the exit's capacity when a queue stood there.
    pub busiest_flow_p_per_s: Option<f64>,
}

/// One agent leaving.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExitEvent {
    /// Who left.
    pub agent: AgentId,
    /// Through which exit.
    pub exit: ExitId,
    /// When (the end of the step in which its centre entered the exit polygon), s.
    pub time_s: f64,
}

/// One point of the N(t) curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Time, s.
    pub time_s: f64,
    /// Agents inside the area at that time.
    pub remaining: usize,
}

/// Fruin's (1971) level of service for walkways, from the area available per person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LevelOfService {
    /// More than 3.25 m² per person: free choice of speed.
    A,
    /// 2.32–3.25 m² per person.
    B,
    /// 1.39–2.32 m² per person.
    C,
    /// 0.93–1.39 m² per person: speed restricted.
    D,
    /// 0.46–0.93 m² per person: shuffling, flow at capacity.
    E,
    /// Less than 0.46 m² per person: breakdown, contact.
    F,
}

impl LevelOfService {
    /// The level for a density in persons per m² (crowd.md §4.2, Fruin 1971, thresholds of
    /// 35, 25, 15, 10 and 5 ft² per person converted to m²).
    pub fn from_density_per_m2(density: f64) -> LevelOfService {
        let area_per_person = if density > 0.0 {
            1.0 / density
        } else {
            f64::INFINITY
        };
        if area_per_person > 3.25 {
            LevelOfService::A
        } else if area_per_person > 2.32 {
            LevelOfService::B
        } else if area_per_person > 1.39 {
            LevelOfService::C
        } else if area_per_person > 0.93 {
            LevelOfService::D
        } else if area_per_person > 0.46 {
            LevelOfService::E
        } else {
            LevelOfService::F
        }
    }
}

/// Agent counts on a square grid over time. Cell `c` is column `c % nx`, row `c / nx`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DensityMaps {
    /// Lower-left corner of cell 0, m.
    pub origin: Point,
    /// Cell edge, m.
    pub cell_m: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Walkable area of each cell, m² (estimated on the navigation grid). Cells with less than
    /// half their area walkable get no density (edge cells would exaggerate it).
    pub walkable_area_m2: Vec<f64>,
    /// Frames every `sample_interval_s`, from t = 0.
    pub frames: Vec<DensityFrame>,
    /// The highest density of any frame and cell, with where and when.
    pub peak: Option<PeakDensity>,
}

/// Agent counts per cell at one time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DensityFrame {
    /// Time, s.
    pub time_s: f64,
    /// Agents whose centre is in each cell.
    pub counts: Vec<u32>,
}

/// The highest cell density of a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakDensity {
    /// Persons per m².
    pub density_per_m2: f64,
    /// When, s.
    pub time_s: f64,
    /// Centre of the cell, m.
    pub cell_centre: Point,
}

impl DensityMaps {
    /// Density of `cell` in `frame`, persons per m²; `None` for cells less than half walkable.
    pub fn density_per_m2(&self, frame: &DensityFrame, cell: usize) -> Option<f64> {
        let area = self.walkable_area_m2[cell];
        (area >= 0.5 * self.cell_m * self.cell_m).then(|| f64::from(frame.counts[cell]) / area)
    }

    /// Fruin level of service of every cell in `frame` (`None` where no density is defined).
    pub fn level_of_service(&self, frame: &DensityFrame) -> Vec<Option<LevelOfService>> {
        (0..frame.counts.len())
            .map(|c| {
                self.density_per_m2(frame, c)
                    .map(LevelOfService::from_density_per_m2)
            })
            .collect()
    }

    /// The highest density each cell reached over the run (`None` where undefined).
    pub fn max_density_per_m2(&self) -> Vec<Option<f64>> {
        let mut max = vec![None; self.nx * self.ny];
        for frame in &self.frames {
            for (c, slot) in max.iter_mut().enumerate() {
                if let Some(d) = self.density_per_m2(frame, c) {
                    *slot = Some(slot.map_or(d, |m: f64| m.max(d)));
                }
            }
        }
        max
    }

    /// Centre of cell `c`, m.
    pub fn cell_centre(&self, cell: usize) -> Point {
        Point::new(
            self.origin.x + ((cell % self.nx) as f64 + 0.5) * self.cell_m,
            self.origin.y + ((cell / self.nx) as f64 + 0.5) * self.cell_m,
        )
    }
}

/// Positions of every agent inside, every `trajectory_interval_s`, as columns (one row per
/// agent per frame; frames in time order, agents in id order within a frame).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trajectories {
    /// Time of the row, s.
    pub time_s: Vec<f64>,
    /// Agent of the row.
    pub agent: Vec<AgentId>,
    /// x of the agent's centre, m.
    pub x: Vec<f64>,
    /// y of the agent's centre, m.
    pub y: Vec<f64>,
}

/// Model invariants measured over every step of a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvariantReport {
    /// Smallest gap between two agents' bodies, d − (r_i + r_j), over all steps and pairs within
    /// the neighbour cutoff, m (negative = overlap). Infinite if no two agents ever met.
    pub min_pair_clearance_m: f64,
    /// Agent moves that crossed a wall segment (should be 0: agents never leave the area).
    pub wall_crossings: u64,
}
