//! Adapter from the `street_network` city model (built from OSM by `osm_import`) to this
//! engine's plain [`Network`]. This module is the only place that knows `street_network`; the
//! engine core works on its own input types.
//!
//! Choices made here (each an assumption to revisit with real cases):
//! - Drivable: every highway except steps, and tram tracks; heavy-rail tracks, tunnels and
//!   indoor ways are left out (a tunnel passes under the perimeter, not through it).
//! - Width: `width`, then `est_width`, then `lanes` × 3.25 m (hvm.md §2.3); otherwise the engine's
//!   per-kind default.
//! - Barrier nodes on a drivable way stand across it; barrier nodes off every way become point
//!   obstacles (bollard radius 0.1 m, block 0.6 m, planter 0.5 m, other 0.3 m).
//! - Barrier lines that stop vehicles (walls, city walls, rows of bollards or blocks, jersey
//!   barriers, planters) are kept; retaining walls are not (they line embankments and cross
//!   streets only on bridges and in tunnels), nor are fences, hedges, kerbs and rails.
//! - Squares mapped as closed ways keep their nodes; squares mapped as multipolygon relations
//!   get their outer ring as an area way, reusing network nodes at the same position (so the
//!   streets that end on the square connect to it) and new nodes elsewhere. Holes (fountains,
//!   kiosks) are not subtracted from the open area.

use std::collections::{BTreeMap, BTreeSet};

use street_network as sn;

use crate::analysis::Diagnostic;
use crate::geometry::Point;
use crate::network::{
    Access, Barrier, BarrierId, BarrierKind, BarrierLine, Network, Node, NodeId, Oneway,
    PointObstacle, Surface, Way, WayId, WayKind,
};

/// Lanes are this wide when only `lanes` is mapped (hvm.md §2.3), m.
const LANE_WIDTH_M: f64 = 3.25;
/// Ids for nodes created on multipolygon areas' outlines count up from here (OSM ids are
/// positive; negative ones exist only in unsaved editor data).
const FIRST_CREATED_NODE_ID: i64 = i64::MIN / 2;

/// Converts the city model into the engine's input, with diagnostics for what was left out.
///
/// Relation areas get the way id `-relation_id`.
pub fn network_from_street_network(city: &sn::StreetNetwork) -> (Network, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut ways = Vec::new();
    let mut on_ways: BTreeSet<sn::NodeId> = BTreeSet::new();
    let (mut rail, mut hidden) = (0usize, 0usize);
    for way in &city.ways {
        let Some(kind) = way_kind(way) else {
            rail += usize::from(way.kind == sn::WayKind::Railway);
            continue;
        };
        if way.is_underground_or_indoor() {
            hidden += 1;
            continue;
        }
        on_ways.extend(way.node_ids.iter().copied());
        ways.push(Way {
            id: WayId(way.id.0),
            kind,
            nodes: way.node_ids.iter().map(|id| NodeId(id.0)).collect(),
            width_m: way.width_m().or_else(|| {
                way.lanes()
                    .filter(|&lanes| lanes > 0)
                    .map(|lanes| f64::from(lanes) * LANE_WIDTH_M)
            }),
            oneway: match way.oneway() {
                sn::Oneway::Forward => Oneway::Forward,
                sn::Oneway::Backward => Oneway::Backward,
                sn::Oneway::No | sn::Oneway::Reversible => Oneway::No,
            },
            access: match way.motor_vehicle_access() {
                Some(sn::Access::Yes) => Access::Allowed,
                Some(sn::Access::No) => Access::Forbidden,
                Some(sn::Access::Restricted) => Access::Restricted,
                None => Access::Unspecified,
            },
            surface: surface(way.tags.get("surface").map(String::as_str)),
            is_area: way.is_area,
        });
    }
    if rail > 0 {
        diagnostics.push(Diagnostic::new(
            "street network",
            format!("{rail} railway track(s) other than tram left out"),
        ));
    }
    if hidden > 0 {
        diagnostics.push(Diagnostic::new(
            "street network",
            format!("{hidden} way(s) in tunnels, indoors or underground left out"),
        ));
    }

    let mut nodes = Vec::new();
    let mut point_obstacles = Vec::new();
    let mut by_position: BTreeMap<(u64, u64), NodeId> = BTreeMap::new();
    for node in &city.nodes {
        let position = Point::new(node.position.east_m, node.position.north_m);
        let barrier = node_barrier(node);
        if on_ways.contains(&node.id) {
            by_position.insert(
                (position.x_m.to_bits(), position.y_m.to_bits()),
                NodeId(node.id.0),
            );
            nodes.push(Node {
                id: NodeId(node.id.0),
                position,
                barrier,
            });
        } else if let Some(barrier) = barrier
            && barrier.blocks()
        {
            point_obstacles.push(PointObstacle {
                id: BarrierId(node.id.0),
                position,
                radius_m: obstacle_radius_m(&barrier.kind),
                barrier,
            });
        }
    }

    let mut next_created = FIRST_CREATED_NODE_ID;
    for area in &city.areas {
        let sn::ObjectRef::Relation(relation) = area.source else {
            continue; // closed-way areas are already ways with `is_area`
        };
        for polygon in &area.polygon.0 {
            if !polygon.interiors().is_empty() {
                diagnostics.push(Diagnostic::new(
                    format!("relation/{}", relation.0),
                    format!(
                        "open area has {} hole(s); straight lines across it may cross them",
                        polygon.interiors().len()
                    ),
                ));
            }
            let mut ring = Vec::new();
            for coord in polygon.exterior().coords() {
                let key = (coord.x.to_bits(), coord.y.to_bits());
                let id = *by_position.entry(key).or_insert_with(|| {
                    let id = NodeId(next_created);
                    next_created += 1;
                    nodes.push(Node {
                        id,
                        position: Point::new(coord.x, coord.y),
                        barrier: None,
                    });
                    id
                });
                ring.push(id);
            }
            ways.push(Way {
                id: WayId(-relation.0),
                kind: highway_kind(&area.highway).unwrap_or(WayKind::Pedestrian),
                nodes: ring,
                width_m: None,
                oneway: Oneway::No,
                access: Access::Unspecified,
                surface: surface(area.tags.get("surface").map(String::as_str)),
                is_area: true,
            });
        }
    }

    let mut barrier_lines = Vec::new();
    for line in &city.barrier_lines {
        let Some(kind) = barrier_kind(&line.kind, &line.tags) else {
            continue;
        };
        if !kind.stops_vehicles() || line.kind == sn::BarrierKind::RetainingWall {
            continue;
        }
        let points = line
            .node_ids
            .iter()
            .filter_map(|id| city.node(*id))
            .map(|node| Point::new(node.position.east_m, node.position.north_m))
            .collect();
        barrier_lines.push(BarrierLine {
            id: BarrierId(line.id.0),
            points,
            barrier: Barrier { kind, rating: None },
        });
    }
    (
        Network {
            nodes,
            ways,
            barrier_lines,
            point_obstacles,
        },
        diagnostics,
    )
}

fn way_kind(way: &sn::Way) -> Option<WayKind> {
    Some(match way.kind {
        sn::WayKind::Road => {
            highway_kind(way.highway().unwrap_or("road")).unwrap_or(WayKind::Unclassified)
        }
        sn::WayKind::LivingStreet => WayKind::LivingStreet,
        sn::WayKind::Service => WayKind::Service,
        sn::WayKind::Track => WayKind::Track,
        sn::WayKind::Pedestrian => WayKind::Pedestrian,
        sn::WayKind::Footway => match way.highway() {
            Some("path" | "bridleway") => WayKind::Path,
            _ => WayKind::Footway,
        },
        sn::WayKind::Cycleway => WayKind::Cycleway,
        sn::WayKind::Steps => WayKind::Steps,
        sn::WayKind::Construction | sn::WayKind::OtherHighway => WayKind::Other,
        sn::WayKind::TramTrack => WayKind::TramTrack,
        sn::WayKind::Railway => return None,
    })
}

fn highway_kind(highway: &str) -> Option<WayKind> {
    let base = highway.strip_suffix("_link").unwrap_or(highway);
    Some(match base {
        "motorway" => WayKind::Motorway,
        "trunk" => WayKind::Trunk,
        "primary" => WayKind::Primary,
        "secondary" => WayKind::Secondary,
        "tertiary" => WayKind::Tertiary,
        "unclassified" | "road" | "busway" => WayKind::Unclassified,
        "residential" => WayKind::Residential,
        "living_street" => WayKind::LivingStreet,
        "service" => WayKind::Service,
        "track" => WayKind::Track,
        "pedestrian" => WayKind::Pedestrian,
        "footway" => WayKind::Footway,
        "cycleway" => WayKind::Cycleway,
        "path" | "bridleway" => WayKind::Path,
        _ => return None,
    })
}

fn surface(value: Option<&str>) -> Surface {
    match value {
        Some("asphalt" | "paved" | "chipseal") => Surface::Asphalt,
        Some(concrete) if concrete.starts_with("concrete") => Surface::Concrete,
        Some("paving_stones" | "paving_stones:lanes") => Surface::PavingStones,
        Some("sett" | "cobblestone" | "unhewn_cobblestone" | "cobblestone:flattened") => {
            Surface::Sett
        }
        Some("compacted") => Surface::Compacted,
        Some("gravel" | "pebblestone") => Surface::Gravel,
        Some("fine_gravel") => Surface::FineGravel,
        Some("dirt" | "earth" | "ground" | "mud" | "unpaved") => Surface::Dirt,
        Some("grass" | "grass_paver") => Surface::Grass,
        Some("sand") => Surface::Sand,
        _ => Surface::Unknown,
    }
}

fn node_barrier(node: &sn::Node) -> Option<Barrier> {
    let kind = barrier_kind(&node.barrier()?, &node.tags)?;
    Some(Barrier { kind, rating: None })
}

fn barrier_kind(kind: &sn::BarrierKind, tags: &sn::Tags) -> Option<BarrierKind> {
    use sn::BarrierKind as K;
    Some(match kind {
        K::Bollard => match tags.get("bollard").map(String::as_str) {
            Some("removable" | "foldable" | "flexible") => BarrierKind::RemovableBollard,
            Some("rising") => BarrierKind::RisingBollard,
            _ => BarrierKind::Bollard,
        },
        K::Gate | K::SwingGate | K::SlidingGate => BarrierKind::Gate,
        K::LiftGate => BarrierKind::LiftGate,
        K::Block => BarrierKind::Block,
        K::JerseyBarrier => BarrierKind::JerseyBarrier,
        K::Planter => BarrierKind::Planter,
        K::Chain => BarrierKind::Chain,
        K::CycleBarrier => BarrierKind::CycleBarrier,
        K::KerbBarrier => BarrierKind::Kerb,
        K::HeightRestrictor => BarrierKind::HeightRestrictor,
        K::Wall | K::CityWall | K::RetainingWall => BarrierKind::Wall,
        K::Fence | K::Hedge | K::Handrail | K::GuardRail => BarrierKind::Fence,
        K::Entrance => return None,
        K::Turnstile => BarrierKind::Other("turnstile".into()),
        K::Ditch => BarrierKind::Other("ditch".into()),
        K::Other(value) => BarrierKind::Other(value.clone()),
    })
}

fn obstacle_radius_m(kind: &BarrierKind) -> f64 {
    match kind {
        BarrierKind::Bollard | BarrierKind::RisingBollard | BarrierKind::RemovableBollard => 0.1,
        BarrierKind::Block => 0.6,
        BarrierKind::Planter => 0.5,
        _ => 0.3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> sn::Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn city_node(id: i64, east_m: f64, north_m: f64, node_tags: &[(&str, &str)]) -> sn::Node {
        sn::Node {
            id: sn::NodeId(id),
            lon: 0.0,
            lat: 0.0,
            position: sn::MetricPoint { east_m, north_m },
            tags: tags(node_tags),
        }
    }

    #[test]
    fn ways_barriers_and_widths_are_carried_over() {
        let city = sn::StreetNetwork {
            frame: sn::LocalFrame::new(11.57, 48.137),
            nodes: vec![
                city_node(1, -100.0, 0.0, &[]),
                city_node(
                    2,
                    -20.0,
                    0.0,
                    &[("barrier", "bollard"), ("bollard", "removable")],
                ),
                city_node(3, 50.0, 0.0, &[]),
                city_node(4, -50.0, 30.0, &[("barrier", "block")]),
            ],
            ways: vec![
                sn::Way {
                    id: sn::WayId(10),
                    kind: sn::WayKind::Road,
                    node_ids: vec![sn::NodeId(1), sn::NodeId(2), sn::NodeId(3)],
                    is_area: false,
                    tags: tags(&[
                        ("highway", "secondary"),
                        ("lanes", "2"),
                        ("oneway", "yes"),
                        ("surface", "sett"),
                    ]),
                },
                sn::Way {
                    id: sn::WayId(11),
                    kind: sn::WayKind::Road,
                    node_ids: vec![sn::NodeId(1), sn::NodeId(3)],
                    is_area: false,
                    tags: tags(&[("highway", "primary"), ("tunnel", "yes"), ("layer", "-1")]),
                },
            ],
            areas: vec![],
            barrier_lines: vec![],
            buildings: vec![],
        };
        let (network, diagnostics) = network_from_street_network(&city);
        assert_eq!(network.ways.len(), 1, "the tunnel is left out");
        let way = &network.ways[0];
        assert_eq!(
            (way.kind, way.width_m, way.oneway, way.surface),
            (
                WayKind::Secondary,
                Some(6.5),
                Oneway::Forward,
                Surface::Sett
            )
        );
        assert_eq!(network.nodes.len(), 3);
        assert_eq!(
            network.nodes[1].barrier.as_ref().unwrap().kind,
            BarrierKind::RemovableBollard
        );
        assert_eq!(network.point_obstacles.len(), 1);
        assert_eq!(
            (
                network.point_obstacles[0].id,
                network.point_obstacles[0].radius_m
            ),
            (BarrierId(4), 0.6)
        );
        assert_eq!(
            diagnostics[0].message,
            "1 way(s) in tunnels, indoors or underground left out"
        );
    }
}
