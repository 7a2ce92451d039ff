//! Integration tests of the street network model through its public API.

use street_network::{
    BarrierKind, LocalFrame, Node, NodeId, Oneway, StreetNetwork, Tags, Way, WayId, WayKind,
};

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn node(frame: &LocalFrame, id: i64, lon: f64, lat: f64, pairs: &[(&str, &str)]) -> Node {
    Node {
        id: NodeId(id),
        lon,
        lat,
        position: frame.project(lon, lat),
        tags: tags(pairs),
    }
}

/// A one-street network: Rosenstraße-like, 100 m long, with a bollard in the middle.
fn small_network() -> StreetNetwork {
    let frame = LocalFrame::new(11.5755, 48.1374);
    let nodes = vec![
        node(&frame, 1, 11.5755, 48.1374, &[]),
        node(&frame, 2, 11.5755, 48.13785, &[("barrier", "bollard")]),
        node(&frame, 3, 11.5755, 48.1383, &[]),
    ];
    let way_tags = tags(&[
        ("highway", "pedestrian"),
        ("width", "12"),
        ("oneway", "yes"),
    ]);
    let ways = vec![Way {
        id: WayId(10),
        kind: WayKind::from_tags(&way_tags).unwrap(),
        node_ids: vec![NodeId(1), NodeId(2), NodeId(3)],
        is_area: false,
        tags: way_tags,
    }];
    StreetNetwork {
        frame,
        nodes,
        ways,
        areas: vec![],
        barrier_lines: vec![],
        buildings: vec![],
    }
}

#[test]
fn nodes_and_ways_are_found_by_id_and_positions_are_metric() {
    let network = small_network();
    let way = network.way(WayId(10)).unwrap();
    assert_eq!(way.kind, WayKind::Pedestrian);
    assert_eq!(way.width_m(), Some(12.0));
    assert_eq!(way.oneway(), Oneway::Forward);
    let positions = network.way_positions(way);
    assert_eq!(positions.len(), 3);
    // 0.0009° of latitude at 48.14° N is 100.1 m (meridian arc: 111,194 m per degree × 0.0009).
    let length_m = positions[0].distance_m(positions[2]);
    assert!((length_m - 100.1).abs() < 0.2, "{length_m}");
    assert!(network.node(NodeId(4)).is_none());
}

#[test]
fn barrier_nodes_are_listed() {
    let network = small_network();
    let barriers: Vec<_> = network
        .barrier_nodes()
        .map(|(node, kind)| (node.id, kind))
        .collect();
    assert_eq!(barriers, vec![(NodeId(2), BarrierKind::Bollard)]);
}
