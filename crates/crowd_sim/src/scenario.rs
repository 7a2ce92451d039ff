//! The plain-data input of a simulation: geometry, exits, waypoints, populations, model.
//!
//! Every type derives serde so that the JSON scenario file of issue 4 deserialises straight into
//! [`Scenario`]; optional fields have the defaults of crowd.md §5.2.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::geometry::Point;

/// Everything one simulation run needs. Lengths in metres, times in seconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The area people can walk on.
    pub walkable: WalkableArea,
    /// Where people leave the area; at least one.
    pub exits: Vec<Exit>,
    /// Intermediate targets that populations can be routed through (by name).
    #[serde(default)]
    pub waypoints: Vec<Waypoint>,
    /// Groups of agents with their placement and per-agent parameters.
    pub populations: Vec<Population>,
    /// Areas where desired speeds are scaled (stairs, smoke, uneven ground).
    #[serde(default)]
    pub speed_zones: Vec<SpeedZone>,
    /// The operational model and its parameters.
    #[serde(default)]
    pub model: Model,
    /// Time step, s (JuPedSim's default 0.01 s).
    #[serde(default = "default_dt_s")]
    pub dt_s: f64,
    /// The run stops at this simulated time even if agents remain, s.
    #[serde(default = "default_max_time_s")]
    pub max_time_s: f64,
    /// Seed of every random choice (placement, sampled speeds and pre-movement times).
    #[serde(default)]
    pub seed: u64,
    /// Edge length of the way-finding grid on which distance fields are computed, m. Memory is
    /// 12 bytes per cell per exit and waypoint (a 200 m × 200 m site at 0.1 m: 48 MB per exit);
    /// use 0.2–0.25 m for large sites, but keep at least 4 cells across the narrowest door.
    #[serde(default = "default_navigation_cell_m")]
    pub navigation_cell_m: f64,
    /// What to record besides the summary.
    #[serde(default)]
    pub output: OutputOptions,
    /// How agents without an allocated exit choose one.
    #[serde(default)]
    pub exit_choice: ExitChoice,
    /// Joins the two ends of a corridor (for fundamental-diagram measurements, RiMEA 4 and
    /// 16): `None` for an ordinary evacuation.
    #[serde(default)]
    pub periodic: Option<PeriodicCorridor>,
}

/// A corridor along x whose ends are joined: an agent that walks out at `x_max` comes back in
/// at `x_min`, and agents near one end see those near the other as neighbours. Everyone walks
/// towards +x; exits may be left out (the run then lasts `max_time_s`). The walkable area must
/// lie within `x_min..=x_max`; its edges on those two lines are openings, not walls.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodicCorridor {
    /// West end, m.
    pub x_min: f64,
    /// East end, m.
    pub x_max: f64,
}

fn json_error(field: String, error: &serde_json::Error) -> Error {
    let (line, column) = (error.line(), error.column());
    let full = error.to_string();
    let suffix = format!(" at line {line} column {column}");
    Error::Json {
        field,
        message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
        line,
        column,
    }
}

fn default_dt_s() -> f64 {
    0.01
}
fn default_max_time_s() -> f64 {
    600.0
}
fn default_navigation_cell_m() -> f64 {
    0.1
}

impl Scenario {
    /// Reads the JSON scenario format of issue 4 (documented in `docs/crowd.md`). Unknown fields
    /// are errors, so a misspelt optional field is not silently replaced by its default.
    ///
    /// ```
    /// let err = crowd_sim::Scenario::from_json(r#"{"walkable": {"outer": [[0,0],[1,0],[1,1]]},
    ///     "exits": [], "populations": [{"area": [[0,0],[1,0],[1,1]], "count": 1,
    ///     "radius_m": "wide"}]}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("populations[0].radius_m: invalid type"), "{err}");
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] with the path of the offending field and its line and column. The
    /// scenario's values are checked later, by [`crate::Simulation::new`].
    pub fn from_json(text: &str) -> Result<Scenario, Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let scenario: Scenario =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
                // serde_path_to_error writes "." for the top level and "?" where a syntax
                // error left no path.
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = if path == "." || path == "?" {
                    String::new()
                } else {
                    path
                };
                json_error(field, &inner)
            })?;
        deserializer
            .end()
            .map_err(|e| json_error(String::new(), &e))?;
        Ok(scenario)
    }

    /// A scenario with the given geometry and populations and every other field at its default
    /// (CFSM with JuPedSim's parameters, dt 0.01 s, 600 s limit, seed 0).
    pub fn new(walkable: WalkableArea, exits: Vec<Exit>, populations: Vec<Population>) -> Self {
        Scenario {
            walkable,
            exits,
            waypoints: Vec::new(),
            populations,
            speed_zones: Vec::new(),
            model: Model::default(),
            dt_s: default_dt_s(),
            max_time_s: default_max_time_s(),
            seed: 0,
            navigation_cell_m: default_navigation_cell_m(),
            output: OutputOptions::default(),
            exit_choice: ExitChoice::default(),
            periodic: None,
        }
    }
}

/// A polygon with holes: the outer boundary and the obstacles inside it (stalls, buildings,
/// barriers). Rings are lists of vertices; the closing edge is implied.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkableArea {
    /// Outer boundary ring.
    pub outer: Vec<Point>,
    /// Obstacle rings (stalls, buildings, barriers). The walkable area is `outer` minus the
    /// union of the holes, so a hole may touch or overlap the boundary (a stall against a
    /// façade) or another hole.
    #[serde(default)]
    pub holes: Vec<Vec<Point>>,
}

impl WalkableArea {
    /// A walkable area without holes.
    pub fn new(outer: Vec<Point>) -> WalkableArea {
        WalkableArea {
            outer,
            holes: Vec::new(),
        }
    }
}

/// An exit: an agent whose centre is inside the polygon leaves the simulation there. Agents
/// head for the polygon's centre (JuPedSim's exit stages do the same), so keep exits about
/// as wide as the opening they stand for; a long exit along a wall draws people to its middle.
///
/// Model a door as an opening in a wall with the exit polygon *behind* it when the door's
/// capacity matters; an exit polygon inside a room can be entered from three sides and passes
/// several times a real door's flow (crowd.md §3.4).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exit {
    /// Name used in reports and by [`Population::exit`].
    pub name: String,
    /// The absorbing polygon; it must overlap the walkable area.
    pub polygon: Vec<Point>,
    /// Optional flow limiter, persons per second through this exit (e.g. 1.33 p/(m s) × the
    /// door width, IMO MSC.1/Circ.1238). Agents inside the polygon wait until released.
    #[serde(default)]
    pub max_flow_p_per_s: Option<f64>,
    /// Exits with the same `opening` are side-by-side lanes of one wide opening. Agents head for
    /// an exit's centre, so a wide opening is drawn as lanes to be used over its whole width;
    /// but a lane chosen once, by distance from the start, would keep its queue while the lane
    /// beside it stands empty (on Marienplatz's 6 m Kaufingerstraße a crowd packed in front of
    /// the opening left through its three lanes 111 : 96 : 293, the southern lane queueing 50 s
    /// after the northern one had emptied). So every 2 s each agent heading for a lane moves to
    /// the lane of the same opening with the shortest estimated walk plus queue
    /// ([`ExitChoice::QUICKEST`]'s estimate and margin), as people at a wide gate spread to
    /// where the crowd is thinner. It never changes to another opening unless the scenario's
    /// [`ExitChoice`] is `Quickest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<String>,
}

impl Exit {
    /// An exit without a flow limiter.
    pub fn new(name: impl Into<String>, polygon: Vec<Point>) -> Exit {
        Exit {
            name: name.into(),
            polygon,
            max_flow_p_per_s: None,
            opening: None,
        }
    }
}

/// An intermediate target: reached when an agent's centre is within `distance_m` of `position`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waypoint {
    /// Name used in [`Population::route`].
    pub name: String,
    /// Centre of the waypoint.
    pub position: Point,
    /// Reach distance, m (JuPedSim's `WaypointStage(position, distance)`).
    pub distance_m: f64,
}

/// A group of agents: where they start, their parameters and their route.
///
/// Give either `area` and `count` (random non-overlapping placement with the scenario seed) or
/// `positions` (one agent at each point, as JuPedSim's `add_agent`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Polygon in which `count` agents are placed at random, clear of walls and of each other.
    #[serde(default)]
    pub area: Option<Vec<Point>>,
    /// Number of agents placed in `area`.
    #[serde(default)]
    pub count: Option<usize>,
    /// Explicit start positions (instead of `area` and `count`).
    #[serde(default)]
    pub positions: Option<Vec<Point>>,
    /// Desired (free-walking) speed.
    #[serde(default)]
    pub speed_mps: DesiredSpeed,
    /// Body radius, m (JuPedSim 0.2 m).
    #[serde(default = "default_radius_m")]
    pub radius_m: f64,
    /// Pre-movement time: agents stand still (but occupy space) until it has passed.
    #[serde(default)]
    pub premovement_s: Premovement,
    /// Time gap T of the speed law, s; `None`: the model's default (JuPedSim's 1.0 s for the
    /// CFSM, 1.06 s for the AVM). Smaller values give higher door flows.
    #[serde(default)]
    pub time_gap_s: Option<f64>,
    /// Names of waypoints to visit in order before heading for the exit.
    #[serde(default)]
    pub route: Vec<String>,
    /// Name of the exit this group uses; `None`: each agent takes the exit with the shortest
    /// walking distance from its start position.
    #[serde(default)]
    pub exit: Option<String>,
}

fn default_radius_m() -> f64 {
    0.2
}

impl Population {
    /// `count` agents placed at random in `area`, with the defaults (Weidmann speeds, r 0.2 m,
    /// the model's time gap, no pre-movement, nearest exit).
    pub fn in_area(area: Vec<Point>, count: usize) -> Population {
        Population {
            area: Some(area),
            count: Some(count),
            positions: None,
            ..Population::at_positions(Vec::new())
        }
    }

    /// One agent at each position, with the same defaults as [`Population::in_area`].
    pub fn at_positions(positions: Vec<Point>) -> Population {
        Population {
            area: None,
            count: None,
            positions: Some(positions),
            speed_mps: DesiredSpeed::default(),
            radius_m: default_radius_m(),
            premovement_s: Premovement::default(),
            time_gap_s: None,
            route: Vec::new(),
            exit: None,
        }
    }
}

/// Per-agent desired speed: one value, or a normal distribution clipped to a range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DesiredSpeed {
    /// Every agent walks at this speed, m/s.
    Fixed(f64),
    /// Normal distribution N(mean, sd²) clipped to [min, max], m/s.
    Normal {
        /// Mean, m/s.
        mean: f64,
        /// Standard deviation, m/s.
        sd: f64,
        /// Lower clip, m/s.
        min: f64,
        /// Upper clip, m/s.
        max: f64,
    },
}

impl DesiredSpeed {
    /// Weidmann (1993): 1.34 ± 0.26 m/s, clipped to RiMEA 7's [0.46, 1.61] m/s.
    pub const WEIDMANN: DesiredSpeed = DesiredSpeed::Normal {
        mean: 1.34,
        sd: 0.26,
        min: 0.46,
        max: 1.61,
    };

    /// The largest speed this distribution can give, m/s.
    pub fn max_mps(&self) -> f64 {
        match *self {
            DesiredSpeed::Fixed(v) => v,
            DesiredSpeed::Normal { max, .. } => max,
        }
    }
}

impl Default for DesiredSpeed {
    fn default() -> Self {
        DesiredSpeed::WEIDMANN
    }
}

/// Pre-movement time: the delay between the alarm (t = 0) and an agent starting to move.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Premovement {
    /// Every agent starts after this many seconds.
    Fixed(f64),
    /// Uniformly distributed in [min, max] s (RiMEA 5 uses 10–100 s).
    Uniform {
        /// Earliest start, s.
        min: f64,
        /// Latest start, s.
        max: f64,
    },
}

impl Default for Premovement {
    fn default() -> Self {
        Premovement::Fixed(0.0)
    }
}

/// An area where desired speeds are multiplied by `factor` (stairs: RiMEA 2/3 use 0.5 up and
/// 0.75 down). Where zones overlap the smallest factor applies.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedZone {
    /// Name for reports.
    pub name: String,
    /// The zone's polygon.
    pub polygon: Vec<Point>,
    /// Factor on the desired speed, in (0, 1] for slower ground (values above 1 are allowed).
    pub factor: f64,
}

/// The operational (movement) model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    /// Collision-free speed model (Tordeux, Chraibi, Seyfried 2015) as implemented by
    /// JuPedSim 1.4.2 (`CollisionFreeSpeedModel`, crowd.md §1.3).
    Cfsm(CfsmParameters),
    /// Anticipation velocity model (Xu, Chraibi, Seyfried, Transportation Research C 128
    /// (2021) 103464) as implemented by JuPedSim (`AnticipationVelocityModel`, crowd.md §1.3):
    /// the CFSM's speed law, but neighbours repel sideways from where they will be after the
    /// anticipation time, so that people in counter-flow step aside early and pass.
    Avm(AvmParameters),
}

impl Default for Model {
    fn default() -> Self {
        Model::Cfsm(CfsmParameters::default())
    }
}

impl Model {
    /// The time gap of agents whose population sets none, s (JuPedSim's defaults).
    pub fn default_time_gap_s(&self) -> f64 {
        match self {
            Model::Cfsm(_) => 1.0,
            Model::Avm(_) => 1.06,
        }
    }

    /// Neighbours and walls farther than this are ignored, m.
    pub fn cutoff_m(&self) -> f64 {
        match self {
            Model::Cfsm(p) => p.cutoff_m,
            Model::Avm(p) => p.cutoff_m,
        }
    }
}

/// Model-level CFSM parameters; the defaults are JuPedSim 1.4.2's (crowd.md §1.2). Per-agent
/// parameters (desired speed, radius, time gap) are on [`Population`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CfsmParameters {
    /// Neighbour repulsion strength a (dimensionless, 8.0).
    pub strength_neighbour_repulsion: f64,
    /// Neighbour repulsion range D, m (0.1).
    pub range_neighbour_repulsion_m: f64,
    /// Wall repulsion strength a_w (5.0).
    pub strength_geometry_repulsion: f64,
    /// Wall repulsion range D_w, m (0.02).
    pub range_geometry_repulsion_m: f64,
    /// Neighbours and walls farther than this are ignored, m (3.0).
    pub cutoff_m: f64,
}

impl Default for CfsmParameters {
    fn default() -> Self {
        CfsmParameters {
            strength_neighbour_repulsion: 8.0,
            range_neighbour_repulsion_m: 0.1,
            strength_geometry_repulsion: 5.0,
            range_geometry_repulsion_m: 0.02,
            cutoff_m: 3.0,
        }
    }
}

/// Model-level AVM parameters; the defaults are JuPedSim's (crowd.md §1.2). Per-agent
/// parameters (desired speed, radius, time gap, default 1.06 s) are on [`Population`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AvmParameters {
    /// Neighbour repulsion strength a (dimensionless, 8.0).
    pub strength_neighbour_repulsion: f64,
    /// Neighbour repulsion range D, m (0.1).
    pub range_neighbour_repulsion_m: f64,
    /// How far ahead agents anticipate their neighbours' positions, s (1.0).
    pub anticipation_time_s: f64,
    /// Time constant with which the heading turns toward the new direction, s (0.3).
    pub reaction_time_s: f64,
    /// Within this distance of a wall beyond the body's radius, the part of the direction that
    /// points into the wall is removed, m (0.1).
    pub wall_buffer_distance_m: f64,
    /// How strongly such an agent is then steered away from the wall (0.3).
    pub pushout_strength: f64,
    /// Neighbours and walls farther than this are ignored, m (3.0).
    pub cutoff_m: f64,
}

impl Default for AvmParameters {
    fn default() -> Self {
        AvmParameters {
            strength_neighbour_repulsion: 8.0,
            range_neighbour_repulsion_m: 0.1,
            anticipation_time_s: 1.0,
            reaction_time_s: 0.3,
            wall_buffer_distance_m: 0.1,
            pushout_strength: 0.3,
            cutoff_m: 3.0,
        }
    }
}

/// What the run records besides exit events and the summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputOptions {
    /// Edge of the square cells of the density grid, m.
    pub density_cell_m: f64,
    /// Interval between density frames and points of the evacuation curve, s.
    pub sample_interval_s: f64,
    /// Interval between trajectory frames, s; `None` records no trajectories.
    pub trajectory_interval_s: Option<f64>,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            density_cell_m: 1.0,
            sample_interval_s: 1.0,
            trajectory_interval_s: None,
        }
    }
}

/// How agents whose population has no allocated exit ([`Population::exit`] `None`) choose one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExitChoice {
    /// The exit with the shortest walking distance from the start, kept to the end.
    #[default]
    Nearest,
    /// Every `reconsider_interval_s` each agent estimates, for every exit, its walking time
    /// (distance / desired speed) plus the time to pass the agents heading for that exit that
    /// are closer to it (their number / the exit's flow over the last `flow_window_s`, or
    /// `initial_flow_p_per_s` before anyone has left there), and switches when another exit is
    /// quicker by more than `switch_margin_s`. Re-evaluated in id order, from the state at the
    /// start of the step, so it stays deterministic.
    Quickest {
        /// Interval between re-evaluations, s.
        reconsider_interval_s: f64,
        /// Window over which each exit's observed flow is measured, s.
        flow_window_s: f64,
        /// Flow assumed for an exit nobody has used yet, persons per second.
        initial_flow_p_per_s: f64,
        /// Minimum gain that makes an agent change its exit, s (hysteresis).
        switch_margin_s: f64,
    },
}

impl ExitChoice {
    /// `Quickest` with re-evaluation every 2 s, a 10 s flow window, 1.3 p/s for an unused exit
    /// (a 1 m door at the design specific flow of 1.3 p/(m s)) and a 5 s switching margin.
    pub const QUICKEST: ExitChoice = ExitChoice::Quickest {
        reconsider_interval_s: 2.0,
        flow_window_s: 10.0,
        initial_flow_p_per_s: 1.3,
        switch_margin_s: 5.0,
    };
}
