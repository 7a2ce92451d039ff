//! Bad input: clear errors for what cannot be analysed, diagnostics for imperfect map data.

use vehicle_approach::*;

use crate::support::*;

fn simple_network() -> Network {
    network(
        vec![node(1, -100.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Residential, &[1, 2], None)],
    )
}

#[test]
fn perimeter_that_is_not_a_polygon_is_an_error() {
    let m1 = [vehicle("M1")];
    let two_points = Study::new(vec![Point::new(0.0, 0.0), Point::new(1.0, 0.0)]);
    assert_eq!(
        analyse(&simple_network(), &two_points, &m1)
            .unwrap_err()
            .to_string(),
        "perimeter: needs at least 3 distinct points, got 2"
    );
    let collinear = Study::new(vec![
        Point::new(0.0, 0.0),
        Point::new(1.0, 0.0),
        Point::new(2.0, 0.0),
    ]);
    assert_eq!(
        analyse(&simple_network(), &collinear, &m1)
            .unwrap_err()
            .to_string(),
        "perimeter: encloses no area (its points are collinear)"
    );
    let bow_tie = Study::new(vec![
        Point::new(0.0, 0.0),
        Point::new(10.0, 10.0),
        Point::new(10.0, 0.0),
        Point::new(0.0, 10.0),
    ]);
    assert_eq!(
        analyse(&simple_network(), &bow_tie, &m1)
            .unwrap_err()
            .to_string(),
        "perimeter: edge 0 crosses edge 2: the ring is not simple"
    );
}

#[test]
fn unknown_vehicle_class_is_an_error_naming_the_known_ones() {
    assert_eq!(
        vehicle_classes_by_code(&["M1", "TANK"])
            .unwrap_err()
            .to_string(),
        "unknown vehicle class `TANK`; known: M1, N1G, N1, N2A, N3C, N3D, N3F, ART40"
    );
    assert_eq!(
        analyse(&simple_network(), &Study::new(square()), &[]).unwrap_err(),
        Error::NoVehicles
    );
}

#[test]
fn perimeter_far_from_the_network_gives_no_entries_and_says_why() {
    let far = vec![
        Point::new(5000.0, 0.0),
        Point::new(5100.0, 0.0),
        Point::new(5100.0, 100.0),
    ];
    let analysis = analyse(&simple_network(), &Study::new(far), &[vehicle("M1")]).unwrap();
    assert!(analysis.entries.is_empty());
    assert!(
        analysis
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no drivable way lies within 1000 m"))
    );
}

#[test]
fn imperfect_map_data_becomes_diagnostics_not_failures() {
    let mut net = simple_network();
    net.ways[0].nodes.insert(1, NodeId(99)); // unknown node
    net.nodes.push(node(1, 7.0, 7.0)); // duplicate id
    net.nodes[0].barrier = Some(Barrier {
        kind: BarrierKind::Other("mystery".into()),
        rating: None,
    });
    net.barrier_lines.push(BarrierLine {
        id: BarrierId(5),
        points: vec![Point::new(-50.0, -5.0), Point::new(-50.0, 5.0)],
        barrier: Barrier {
            kind: BarrierKind::Wall,
            rating: Some("V/7200[N2A]48/90:0.2".into()),
        },
    });
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    let messages: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.subject, d.message))
        .collect();
    expect_test::expect![[r#"
        barrier on node 1: unknown barrier kind `mystery` treated as passable
        node 1: duplicate node id; the first is used
        way 1: refers to unknown node 99; skipped there
        ways: 1 way(s) have no mapped width; per-kind defaults are used (see each entry's width_source)
        barrier line 5: rating `V/7200[N2A]48/90:0.2`, column 12: expected '/' before the impact speed, found '4'; treated as unrated"#]]
    .assert_eq(&messages.join("\n"));
    // The wall still stands (walls stop vehicles rated or not): the entry is closed.
    assert_eq!(only_result(&analysis).status, EntryStatus::ClosedByBarriers);
}
