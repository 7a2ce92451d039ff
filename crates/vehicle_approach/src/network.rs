//! The engine's input: a drivable-surface graph in a local metric frame, barriers, the study.

use serde::{Deserialize, Serialize};

use crate::geometry::Point;
use crate::physics::{AccelerationModel, DEFAULT_FRICTION, DEFAULT_STEP_M};

/// Identifies a node of the input network (an OSM node id, or any stable number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub i64);

/// Identifies a way of the input network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WayId(pub i64);

/// Identifies a barrier line, point obstacle or opening (mapped or added by the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BarrierId(pub i64);

/// A network node: a position and possibly a barrier standing on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable id.
    pub id: NodeId,
    /// Position in the local metric frame.
    pub position: Point,
    /// A barrier across the ways at this node (OSM `barrier=*` on a way node).
    pub barrier: Option<Barrier>,
}

/// What a barrier is, with its impact rating when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Barrier {
    /// Kind of barrier.
    pub kind: BarrierKind,
    /// Impact rating string as mapped or entered (e.g. `V/7200[N2A]/48/90:8.3`); the engine
    /// parses it and reports a malformed one as a diagnostic.
    pub rating: Option<String>,
}

/// Kind of physical barrier (OSM `barrier=*`, `bollard=*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BarrierKind {
    /// Fixed bollard(s) (`bollard=fixed` or unspecified).
    Bollard,
    /// Rising (automatic) bollard, assumed raised.
    RisingBollard,
    /// Removable, foldable or flexible bollard: not vehicle-resistant (hvm.md §3.3).
    RemovableBollard,
    /// Concrete or stone block(s), `barrier=block|stone`.
    Block,
    /// Jersey barrier.
    JerseyBarrier,
    /// Planter.
    Planter,
    /// Wall.
    Wall,
    /// Gate, swing gate, sliding gate, assumed closed.
    Gate,
    /// Lift gate (boom): not vehicle-resistant.
    LiftGate,
    /// Chain: not vehicle-resistant.
    Chain,
    /// Fence: not vehicle-resistant.
    Fence,
    /// Kerb: traversable (hvm.md §2.5).
    Kerb,
    /// Cycle barrier: not vehicle-resistant.
    CycleBarrier,
    /// Height restrictor: not modelled (vehicle heights are not in the class table).
    HeightRestrictor,
    /// Any other value, kept verbatim.
    Other(String),
}

impl BarrierKind {
    /// True when an unrated barrier of this kind physically stops a vehicle in this engine
    /// (fixed and rising bollards, blocks, jersey barriers, planters, walls, closed gates).
    /// Removable bollards, booms, chains, fences, kerbs and the like do not; a rated barrier of
    /// any kind does.
    pub fn stops_vehicles(&self) -> bool {
        matches!(
            self,
            BarrierKind::Bollard
                | BarrierKind::RisingBollard
                | BarrierKind::Block
                | BarrierKind::JerseyBarrier
                | BarrierKind::Planter
                | BarrierKind::Wall
                | BarrierKind::Gate
        )
    }
}

impl Barrier {
    /// True when this barrier blocks vehicles in the engine: a rated barrier or a blocking kind.
    pub fn blocks(&self) -> bool {
        self.rating.is_some() || self.kind.stops_vehicles()
    }
}

/// Class of a way, as far as driving over it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WayKind {
    /// `highway=motorway` and links.
    Motorway,
    /// `highway=trunk` and links.
    Trunk,
    /// `highway=primary` and links.
    Primary,
    /// `highway=secondary` and links.
    Secondary,
    /// `highway=tertiary` and links.
    Tertiary,
    /// `highway=unclassified`.
    Unclassified,
    /// `highway=residential`.
    Residential,
    /// `highway=living_street`.
    LivingStreet,
    /// `highway=service` (lanes, yards, emergency access).
    Service,
    /// `highway=track`.
    Track,
    /// `highway=pedestrian` street or area.
    Pedestrian,
    /// `highway=footway` or pavement.
    Footway,
    /// `highway=cycleway`.
    Cycleway,
    /// `highway=path` or bridleway.
    Path,
    /// `highway=steps`: never drivable.
    Steps,
    /// `railway=tram` track bed (Magdeburg 2024: the emergency lane on the tram tracks).
    TramTrack,
    /// Anything else that may be drivable.
    Other,
}

impl WayKind {
    /// Default carriageway width in m when none is mapped: hvm.md §2.3 for primary 10, secondary
    /// 8, tertiary 7, residential 6, service 4 and pedestrian 6; the others are this engine's
    /// assumptions (footway and cycleway 2, path 1.5, tram track bed 3, track 3).
    pub fn default_width_m(self) -> f64 {
        match self {
            WayKind::Motorway => 11.0,
            WayKind::Trunk => 10.0,
            WayKind::Primary => 10.0,
            WayKind::Secondary => 8.0,
            WayKind::Tertiary => 7.0,
            WayKind::Unclassified => 6.0,
            WayKind::Residential => 6.0,
            WayKind::LivingStreet => 5.0,
            WayKind::Service => 4.0,
            WayKind::Track => 3.0,
            WayKind::Pedestrian => 6.0,
            WayKind::Footway => 2.0,
            WayKind::Cycleway => 2.0,
            WayKind::Path => 1.5,
            WayKind::Steps => 0.0,
            WayKind::TramTrack => 3.0,
            WayKind::Other => 3.0,
        }
    }

    /// True for ways a law-abiding motorist may use when access is not tagged.
    pub fn open_to_motor_traffic(self) -> bool {
        matches!(
            self,
            WayKind::Motorway
                | WayKind::Trunk
                | WayKind::Primary
                | WayKind::Secondary
                | WayKind::Tertiary
                | WayKind::Unclassified
                | WayKind::Residential
                | WayKind::LivingStreet
                | WayKind::Service
                | WayKind::Track
        )
    }
}

/// One-way restriction (`oneway=*`), obeyed only in [`TrafficRules::Compliant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Oneway {
    /// Both directions.
    No,
    /// Only in the order of the way's nodes.
    Forward,
    /// Only against the order of the way's nodes.
    Backward,
}

/// Motor-vehicle access (`access`, `motor_vehicle`, `vehicle`), obeyed only when compliant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Not tagged: follows the way kind.
    Unspecified,
    /// Explicitly allowed.
    Allowed,
    /// Allowed for some (destination, delivery, emergency).
    Restricted,
    /// Forbidden (`no`, `private`).
    Forbidden,
}

/// Road surface (`surface=*`), which sets the friction μ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Surface {
    /// Asphalt.
    Asphalt,
    /// Concrete.
    Concrete,
    /// Paving stones.
    PavingStones,
    /// Sett or cobblestone.
    Sett,
    /// Compacted.
    Compacted,
    /// Gravel.
    Gravel,
    /// Fine gravel.
    FineGravel,
    /// Dirt, earth, ground.
    Dirt,
    /// Grass.
    Grass,
    /// Sand.
    Sand,
    /// Not mapped.
    Unknown,
}

impl Surface {
    /// Tyre-road friction μ: asphalt and concrete 0.7 (hvm.md §6.2 default), the others from the
    /// table in hvm.md §2.3; unknown surfaces take the asphalt value (the higher speed).
    pub fn friction(self) -> f64 {
        match self {
            Surface::Asphalt | Surface::Concrete | Surface::Unknown => DEFAULT_FRICTION,
            Surface::PavingStones | Surface::Sett | Surface::Compacted => 0.55,
            Surface::Gravel => 0.45,
            Surface::FineGravel => 0.48,
            Surface::Dirt => 0.35,
            Surface::Grass => 0.30,
            Surface::Sand => 0.25,
        }
    }
}

/// A way: a polyline of nodes (or a closed ring when `is_area`) with what driving over it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Way {
    /// Stable id.
    pub id: WayId,
    /// Class of way.
    pub kind: WayKind,
    /// Node ids in order; an area repeats its first node at the end.
    pub nodes: Vec<NodeId>,
    /// Mapped usable width in m (`width`, `est_width`, or lanes × 3.25), `None` when unmapped:
    /// the engine then uses [`WayKind::default_width_m`] and says so.
    pub width_m: Option<f64>,
    /// One-way restriction.
    pub oneway: Oneway,
    /// Motor-vehicle access.
    pub access: Access,
    /// Surface.
    pub surface: Surface,
    /// True for an open area (pedestrian square): its ring is the outline, driven like a way, and
    /// vehicles cross it in straight lines from every ring node where another way joins it to
    /// every other join it sees; in areas near the perimeter also to every ring node it sees.
    pub is_area: bool,
}

/// A barrier along a polyline: a mapped wall or fence line, or one drawn by the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarrierLine {
    /// Stable id.
    pub id: BarrierId,
    /// Polyline in the local frame.
    pub points: Vec<Point>,
    /// What it is and its rating.
    pub barrier: Barrier,
}

/// A free-standing obstacle: a bollard, block or planter not on a way. Rows of them with gaps
/// narrower than a vehicle stop it; wider gaps do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointObstacle {
    /// Stable id.
    pub id: BarrierId,
    /// Centre.
    pub position: Point,
    /// Radius in m (a bollard is about 0.1 m).
    pub radius_m: f64,
    /// What it is and its rating.
    pub barrier: Barrier,
}

/// A gap opened in the protection, e.g. an event's emergency lane or bollards out for
/// maintenance: barriers within `width_m / 2` of `centre` are taken out over that width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// Stable id.
    pub id: BarrierId,
    /// Centre of the gap.
    pub centre: Point,
    /// Clear width of the gap, m.
    pub width_m: f64,
}

/// The street network around a site as the engine sees it: plain data in metres.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Nodes (any order; ids unique).
    pub nodes: Vec<Node>,
    /// Ways.
    pub ways: Vec<Way>,
    /// Mapped barrier lines (walls, fences, jersey-barrier lines).
    pub barrier_lines: Vec<BarrierLine>,
    /// Mapped free-standing obstacles.
    pub point_obstacles: Vec<PointObstacle>,
}

/// Whether the hostile driver obeys one-way and access rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrafficRules {
    /// Ignores one-way, access and pedestrian-only rules: every physically drivable surface (the
    /// default, hvm.md §3.3).
    WorstCase,
    /// Drives only where and in the direction a motorist may.
    Compliant,
}

/// Scenario options; `Default` gives hvm.md §6.2's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Traffic rules the driver obeys.
    pub rules: TrafficRules,
    /// Acceleration model for the search (the other is reported as a cross-check).
    pub acceleration_model: AccelerationModel,
    /// Weather multiplier on every surface's μ (wet 0.75, snow 0.30, ice 0.15; dry 1.0).
    pub friction_multiplier: f64,
    /// Speed at which a vehicle may start its run-up, m/s (0 = from rest; a rolling start
    /// models a vehicle already driving at the road's typical speed).
    pub start_speed_mps: f64,
    /// Only ways within this distance of the perimeter are searched, m; `None` (the default)
    /// searches the whole network. hvm.md §6.1 proposed 1 km to keep per-site searches small;
    /// [`PreparedNetwork`](crate::PreparedNetwork) runs one search per vehicle for the whole
    /// map, shared by every study, so no radius is needed. A radius makes the study run its own
    /// search over the ways in range (a local view; a run-up may then start at the radius).
    #[serde(default)]
    pub search_radius_m: Option<f64>,
    /// Longest integration step, m.
    pub step_m: f64,
    /// Largest penetration a barrier on the perimeter may allow, m, when known (an older name
    /// for the stand-off; when both are given the smaller counts).
    pub max_penetration_m: Option<f64>,
    /// Stand-off, m, when known: the distance from the perimeter line to what it protects (the
    /// crowd, a façade). A barrier on the perimeter must stop a vehicle within it (its rated
    /// penetration); a barrier farther out along an approach has that much more room.
    #[serde(default)]
    pub stand_off_m: Option<f64>,
}

impl Options {
    /// The stand-off at the perimeter line: the smaller of `stand_off_m` and
    /// `max_penetration_m`, when either is given.
    pub fn perimeter_stand_off_m(&self) -> Option<f64> {
        match (self.stand_off_m, self.max_penetration_m) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rules: TrafficRules::WorstCase,
            acceleration_model: AccelerationModel::PowerAndTraction,
            friction_multiplier: 1.0,
            start_speed_mps: 0.0,
            search_radius_m: None,
            step_m: DEFAULT_STEP_M,
            max_penetration_m: None,
            stand_off_m: None,
        }
    }
}

/// One study: the protected perimeter, the user's temporary barriers and openings, and options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// Protected perimeter, a simple polygon ring in the local frame (closing point optional).
    pub perimeter: Vec<Point>,
    /// Barrier lines added by the user (e.g. an event's temporary barriers), with ratings.
    pub added_barrier_lines: Vec<BarrierLine>,
    /// Point obstacles added by the user.
    pub added_point_obstacles: Vec<PointObstacle>,
    /// Openings: gaps that take barriers out.
    pub openings: Vec<Opening>,
    /// Options.
    pub options: Options,
}

impl Study {
    /// A study of `perimeter` with no added barriers and default options.
    pub fn new(perimeter: Vec<Point>) -> Study {
        Study {
            perimeter,
            added_barrier_lines: Vec::new(),
            added_point_obstacles: Vec::new(),
            openings: Vec::new(),
            options: Options::default(),
        }
    }
}
