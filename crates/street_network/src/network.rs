//! The street network: the nodes, ways, areas, barriers and buildings of a city extract.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

use crate::frame::{LocalFrame, MetricPoint};
use crate::ids::{NodeId, ObjectRef, WayId};
use crate::tags::{self, Access, Tags};

/// The city model built from one map extract. Every collection is sorted by id (or by
/// [`ObjectRef`]), so two imports of the same data are equal, element for element.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreetNetwork {
    /// The metric frame every `position` and metric polygon here is in.
    pub frame: LocalFrame,
    /// Nodes used by `ways` and `barrier_lines`, plus free-standing barrier, kerb and crossing
    /// nodes. Sorted by id; look one up with [`StreetNetwork::node`].
    pub nodes: Vec<Node>,
    /// Every highway (roads, service lanes, pedestrian streets and areas, footways, cycleways,
    /// paths, steps, tracks, including those under construction) and every railway track (tram,
    /// light rail, rail, subway), as node sequences. Sorted by id.
    pub ways: Vec<Way>,
    /// Traffic surfaces mapped as areas (pedestrian squares, `area:highway=*`, highway areas),
    /// from closed ways and multipolygon relations, as polygons in frame metres. Sorted by source.
    pub areas: Vec<TrafficArea>,
    /// Walls, fences, hedges, kerbs, guard rails and rows of bollards mapped as lines. Sorted by id.
    pub barrier_lines: Vec<BarrierLine>,
    /// Building footprints in frame metres. Sorted by source.
    pub buildings: Vec<Building>,
}

impl StreetNetwork {
    /// The node with this id, if the network holds it.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes
            .binary_search_by_key(&id, |node| node.id)
            .ok()
            .map(|index| &self.nodes[index])
    }

    /// The way with this id, if the network holds it.
    pub fn way(&self, id: WayId) -> Option<&Way> {
        self.ways
            .binary_search_by_key(&id, |way| way.id)
            .ok()
            .map(|index| &self.ways[index])
    }

    /// The positions of a way's nodes in frame metres (nodes missing from the network are skipped;
    /// the importer never leaves any).
    pub fn way_positions(&self, way: &Way) -> Vec<MetricPoint> {
        way.node_ids
            .iter()
            .filter_map(|id| self.node(*id).map(|node| node.position))
            .collect()
    }

    /// Nodes that carry a barrier (bollard, gate, block, ...), in id order.
    pub fn barrier_nodes(&self) -> impl Iterator<Item = (&Node, BarrierKind)> {
        self.nodes
            .iter()
            .filter_map(|node| node.barrier().map(|barrier| (node, barrier)))
    }
}

/// A point of the map: a way vertex, a bollard, a kerb, a crossing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: NodeId,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// The same point in the network's frame.
    pub position: MetricPoint,
    /// The tags that matter to the engines (barrier, kerb, access, width, highway, ...); see
    /// [`NODE_TAG_KEYS`].
    pub tags: Tags,
}

impl Node {
    /// The barrier on this node, if any.
    pub fn barrier(&self) -> Option<BarrierKind> {
        self.tags
            .get("barrier")
            .map(|value| BarrierKind::parse(value))
    }

    /// The kerb at this node (`kerb=*`, or `barrier=kerb` without a kerb value: `raised`).
    pub fn kerb(&self) -> Option<&str> {
        self.tags.get("kerb").map(String::as_str).or_else(|| {
            (self.tags.get("barrier").map(String::as_str) == Some("kerb")).then_some("raised")
        })
    }

    /// The mapped clear width (`maxwidth:physical`, `maxwidth` or `width`), metres.
    pub fn width_m(&self) -> Option<f64> {
        ["maxwidth:physical", "maxwidth", "width"]
            .iter()
            .find_map(|key| {
                self.tags
                    .get(*key)
                    .and_then(|value| tags::parse_length_m(value))
            })
    }
}

/// What a way is, for travel. Unknown highway values are kept as [`WayKind::OtherHighway`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WayKind {
    /// Roads for motor traffic: motorway ... residential, unclassified, `*_link`, road, busway.
    Road,
    /// `highway=living_street`.
    LivingStreet,
    /// `highway=service` (driveways, alleys, parking aisles).
    Service,
    /// `highway=track`.
    Track,
    /// `highway=pedestrian` (pedestrian street or, with `area=yes`, a square).
    Pedestrian,
    /// `highway=footway`, `path`, `bridleway`, `corridor`, `platform`.
    Footway,
    /// `highway=cycleway`.
    Cycleway,
    /// `highway=steps` (not drivable by any road vehicle).
    Steps,
    /// `highway=construction` (often physically drivable).
    Construction,
    /// Any other highway value, kept with its tag.
    OtherHighway,
    /// `railway=tram` (and `light_rail` on street); vehicles can drive along and across them.
    TramTrack,
    /// Other railway tracks: rail, light_rail, subway, narrow_gauge, funicular, monorail.
    Railway,
}

impl WayKind {
    /// Classifies a way from its tags; `None` if it is neither a highway nor a railway track.
    pub fn from_tags(tags: &Tags) -> Option<WayKind> {
        if let Some(highway) = tags.get("highway") {
            let kind = match highway.as_str() {
                "motorway" | "trunk" | "primary" | "secondary" | "tertiary" | "unclassified"
                | "residential" | "motorway_link" | "trunk_link" | "primary_link"
                | "secondary_link" | "tertiary_link" | "road" | "busway" | "bus_guideway" => {
                    WayKind::Road
                }
                "living_street" => WayKind::LivingStreet,
                "service" => WayKind::Service,
                "track" => WayKind::Track,
                "pedestrian" => WayKind::Pedestrian,
                "footway" | "path" | "bridleway" | "corridor" | "platform" => WayKind::Footway,
                "cycleway" => WayKind::Cycleway,
                "steps" => WayKind::Steps,
                "construction" => WayKind::Construction,
                "proposed"
                | "abandoned"
                | "razed"
                | "disused"
                | "no"
                | "elevator"
                | "emergency_access_point"
                | "rest_area"
                | "services" => return None,
                _ => WayKind::OtherHighway,
            };
            return Some(kind);
        }
        match tags.get("railway").map(String::as_str) {
            Some("tram") => Some(WayKind::TramTrack),
            Some("rail" | "light_rail" | "subway" | "narrow_gauge" | "funicular" | "monorail") => {
                Some(WayKind::Railway)
            }
            _ => None,
        }
    }
}

/// Direction of travel allowed by `oneway` (legal, not physical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Oneway {
    /// Both directions.
    No,
    /// Only in the order of the way's nodes.
    Forward,
    /// Only against the order of the way's nodes (`oneway=-1`).
    Backward,
    /// Changes with time of day (`oneway=reversible`/`alternating`).
    Reversible,
}

/// A highway or railway track, as a sequence of nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Way {
    pub id: WayId,
    pub kind: WayKind,
    /// The nodes in order; a closed way repeats its first node at the end.
    pub node_ids: Vec<NodeId>,
    /// True for a closed way that describes a surface (`area=yes`, or a closed pedestrian way
    /// mapped as a square); its outline is then not a line of travel but the edge of an area.
    pub is_area: bool,
    /// The tags that matter later; see [`WAY_TAG_KEYS`].
    pub tags: Tags,
}

impl Way {
    /// The `highway` value, if any.
    pub fn highway(&self) -> Option<&str> {
        self.tags.get("highway").map(String::as_str)
    }

    /// The mapped width (`width`, then `est_width`), metres; `None` when not mapped.
    pub fn width_m(&self) -> Option<f64> {
        ["width", "est_width"].iter().find_map(|key| {
            self.tags
                .get(*key)
                .and_then(|value| tags::parse_length_m(value))
        })
    }

    /// The mapped speed limit, km/h.
    pub fn maxspeed_kmh(&self) -> Option<f64> {
        self.tags
            .get("maxspeed")
            .and_then(|value| tags::parse_speed_kmh(value))
    }

    /// The mapped number of lanes.
    pub fn lanes(&self) -> Option<u32> {
        self.tags
            .get("lanes")
            .and_then(|value| value.trim().parse().ok())
    }

    /// The legal direction of travel; roundabouts and motorways are one-way unless tagged otherwise.
    pub fn oneway(&self) -> Oneway {
        match self.tags.get("oneway").map(String::as_str) {
            Some("yes" | "true" | "1") => Oneway::Forward,
            Some("-1" | "reverse") => Oneway::Backward,
            Some("reversible" | "alternating") => Oneway::Reversible,
            Some(_) => Oneway::No,
            None => {
                let implied = matches!(
                    self.tags.get("junction").map(String::as_str),
                    Some("roundabout" | "circular")
                ) || self.highway() == Some("motorway");
                if implied { Oneway::Forward } else { Oneway::No }
            }
        }
    }

    /// Legal access for motor vehicles (see [`tags::motor_vehicle_access`]).
    pub fn motor_vehicle_access(&self) -> Option<Access> {
        tags::motor_vehicle_access(&self.tags)
    }

    /// The OSM layer (default 0).
    pub fn layer(&self) -> i32 {
        tags::layer(&self.tags)
    }

    /// True for tunnels, indoor ways and ways below ground.
    pub fn is_underground_or_indoor(&self) -> bool {
        tags::is_underground_or_indoor(&self.tags)
    }

    /// True for bridges (`bridge=*` other than `no`).
    pub fn is_bridge(&self) -> bool {
        self.tags.get("bridge").is_some_and(|value| value != "no")
    }

    /// True if the way carries tram rails: a tram track, or a road with `embedded_rails=tram`.
    pub fn has_tram_rails(&self) -> bool {
        self.kind == WayKind::TramTrack
            || self
                .tags
                .get("embedded_rails")
                .is_some_and(|value| value.contains("tram"))
    }
}

/// A traffic surface mapped as an area, e.g. a pedestrian square: a vehicle can drive anywhere on
/// it unless something stops it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficArea {
    /// The closed way or multipolygon relation it was built from.
    pub source: ObjectRef,
    /// `highway=*` or `area:highway=*` value, e.g. `pedestrian`.
    pub highway: String,
    /// Polygons with holes, in frame metres (x = east, y = north).
    pub polygon: MultiPolygon<f64>,
    pub tags: Tags,
}

/// What a barrier is. Unknown values are kept verbatim in [`BarrierKind::Other`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BarrierKind {
    Bollard,
    Gate,
    LiftGate,
    SwingGate,
    SlidingGate,
    Block,
    JerseyBarrier,
    Planter,
    Chain,
    CycleBarrier,
    Turnstile,
    KerbBarrier,
    HeightRestrictor,
    Entrance,
    Wall,
    CityWall,
    RetainingWall,
    Fence,
    Hedge,
    GuardRail,
    Handrail,
    Ditch,
    Other(String),
}

impl BarrierKind {
    /// Reads a `barrier=*` value.
    pub fn parse(value: &str) -> BarrierKind {
        match value {
            "bollard" => BarrierKind::Bollard,
            "gate" => BarrierKind::Gate,
            "lift_gate" => BarrierKind::LiftGate,
            "swing_gate" => BarrierKind::SwingGate,
            "sliding_gate" => BarrierKind::SlidingGate,
            "block" => BarrierKind::Block,
            "jersey_barrier" => BarrierKind::JerseyBarrier,
            "planter" => BarrierKind::Planter,
            "chain" => BarrierKind::Chain,
            "cycle_barrier" => BarrierKind::CycleBarrier,
            "turnstile" | "full-height_turnstile" => BarrierKind::Turnstile,
            "kerb" => BarrierKind::KerbBarrier,
            "height_restrictor" => BarrierKind::HeightRestrictor,
            "entrance" => BarrierKind::Entrance,
            "wall" => BarrierKind::Wall,
            "city_wall" => BarrierKind::CityWall,
            "retaining_wall" => BarrierKind::RetainingWall,
            "fence" => BarrierKind::Fence,
            "hedge" => BarrierKind::Hedge,
            "guard_rail" => BarrierKind::GuardRail,
            "handrail" => BarrierKind::Handrail,
            "ditch" => BarrierKind::Ditch,
            other => BarrierKind::Other(other.to_string()),
        }
    }
}

/// A barrier mapped as a line: wall, fence, hedge, kerb line, guard rail, or a row of bollards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BarrierLine {
    pub id: WayId,
    pub kind: BarrierKind,
    pub node_ids: Vec<NodeId>,
    pub tags: Tags,
}

/// A building footprint: nothing drives through it (except under a roof-only structure).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Building {
    /// The closed way or multipolygon relation it was built from.
    pub source: ObjectRef,
    /// Polygons with holes (courtyards), in frame metres (x = east, y = north).
    pub footprint: MultiPolygon<f64>,
    /// building, name, layer, location, levels, min_level, height tags.
    pub tags: Tags,
}

impl Building {
    /// False for roofs and canopies on pillars (`building=roof`, `carport`, or a `min_level`/
    /// `building:min_level` above 0), which vehicles can drive under, and for buildings below ground.
    pub fn blocks_vehicles(&self) -> bool {
        let roof = matches!(
            self.tags.get("building").map(String::as_str),
            Some("roof" | "carport")
        );
        let raised = ["min_level", "building:min_level", "min_height"]
            .iter()
            .any(|key| {
                self.tags
                    .get(*key)
                    .and_then(|value| value.trim().parse::<f64>().ok())
                    .is_some_and(|level| level > 0.0)
            });
        !roof && !raised && !tags::is_underground_or_indoor(&self.tags)
    }
}

/// Node tags the network keeps.
pub const NODE_TAG_KEYS: &[&str] = &[
    "access",
    "barrier",
    "bicycle",
    "bollard",
    "crossing",
    "foot",
    "height",
    "highway",
    "kerb",
    "layer",
    "level",
    "lockable",
    "material",
    "maxheight",
    "maxwidth",
    "maxwidth:physical",
    "motor_vehicle",
    "motorcar",
    "name",
    "railway",
    "removable",
    "traffic_calming",
    "vehicle",
    "width",
];

/// Way tags the network keeps.
pub const WAY_TAG_KEYS: &[&str] = &[
    "access",
    "area",
    "area:highway",
    "barrier",
    "bicycle",
    "bridge",
    "bus",
    "covered",
    "cycleway",
    "embedded_rails",
    "emergency",
    "est_width",
    "foot",
    "goods",
    "height",
    "hgv",
    "highway",
    "incline",
    "indoor",
    "junction",
    "kerb",
    "lanes",
    "layer",
    "level",
    "location",
    "material",
    "maxheight",
    "maxspeed",
    "maxweight",
    "maxwidth",
    "motor_vehicle",
    "motorcar",
    "name",
    "oneway",
    "place",
    "psv",
    "railway",
    "ref",
    "service",
    "sidewalk",
    "smoothness",
    "surface",
    "tracktype",
    "tram",
    "tunnel",
    "vehicle",
    "width",
];

/// Building tags the network keeps.
pub const BUILDING_TAG_KEYS: &[&str] = &[
    "building",
    "building:levels",
    "building:min_level",
    "height",
    "indoor",
    "layer",
    "level",
    "location",
    "min_height",
    "min_level",
    "name",
    "tunnel",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn way(pairs: &[(&str, &str)]) -> Way {
        let tags = tags(pairs);
        Way {
            id: WayId(1),
            kind: WayKind::from_tags(&tags).unwrap(),
            node_ids: vec![NodeId(1), NodeId(2)],
            is_area: false,
            tags,
        }
    }

    #[test]
    fn ways_are_classified_by_highway_then_railway() {
        assert_eq!(
            WayKind::from_tags(&tags(&[("highway", "primary")])),
            Some(WayKind::Road)
        );
        assert_eq!(
            WayKind::from_tags(&tags(&[("highway", "pedestrian")])),
            Some(WayKind::Pedestrian)
        );
        assert_eq!(
            WayKind::from_tags(&tags(&[("railway", "tram")])),
            Some(WayKind::TramTrack)
        );
        assert_eq!(WayKind::from_tags(&tags(&[("highway", "proposed")])), None);
        assert_eq!(WayKind::from_tags(&tags(&[("building", "yes")])), None);
    }

    #[test]
    fn oneway_reads_explicit_and_implied_values() {
        assert_eq!(
            way(&[("highway", "primary"), ("oneway", "yes")]).oneway(),
            Oneway::Forward
        );
        assert_eq!(
            way(&[("highway", "primary"), ("oneway", "-1")]).oneway(),
            Oneway::Backward
        );
        assert_eq!(
            way(&[("highway", "primary"), ("junction", "roundabout")]).oneway(),
            Oneway::Forward
        );
        assert_eq!(way(&[("highway", "primary")]).oneway(), Oneway::No);
    }

    #[test]
    fn tram_rails_are_seen_on_tracks_and_roads() {
        assert!(way(&[("railway", "tram")]).has_tram_rails());
        assert!(way(&[("highway", "primary"), ("embedded_rails", "tram")]).has_tram_rails());
        assert!(!way(&[("highway", "primary")]).has_tram_rails());
    }

    #[test]
    fn roofs_do_not_block_vehicles() {
        let building = |pairs: &[(&str, &str)]| Building {
            source: ObjectRef::Way(WayId(1)),
            footprint: MultiPolygon(vec![]),
            tags: tags(pairs),
        };
        assert!(building(&[("building", "yes")]).blocks_vehicles());
        assert!(!building(&[("building", "roof")]).blocks_vehicles());
        assert!(!building(&[("building", "yes"), ("building:min_level", "1")]).blocks_vehicles());
        assert!(!building(&[("building", "yes"), ("layer", "-1")]).blocks_vehicles());
    }

    #[test]
    fn barrier_values_are_parsed_and_unknown_ones_kept() {
        assert_eq!(BarrierKind::parse("bollard"), BarrierKind::Bollard);
        assert_eq!(
            BarrierKind::parse("log"),
            BarrierKind::Other("log".to_string())
        );
    }
}
