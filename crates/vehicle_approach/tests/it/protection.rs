//! Existing protection: mapped bollards and gates close entries, bollard rows block only gaps
//! narrower than the vehicle, user barriers carry ratings, openings reopen.

use vehicle_approach::*;

use crate::support::*;

/// A 200 m street into the square with a barrier node 20 m before the perimeter.
fn street_with_barrier(kind: BarrierKind, rating: Option<&str>) -> Network {
    network(
        vec![
            node(1, -200.0, 0.0),
            barrier_node(2, -20.0, 0.0, kind, rating),
            node(3, 50.0, 0.0),
        ],
        vec![way(1, WayKind::Residential, &[1, 2, 3], None)],
    )
}

#[test]
fn mapped_bollard_and_gate_close_the_entry_and_say_what_they_face() {
    for kind in [BarrierKind::Bollard, BarrierKind::Gate] {
        let analysis = analyse(
            &street_with_barrier(kind.clone(), None),
            &Study::new(square()),
            &[vehicle("N2A")],
        )
        .unwrap();
        let result = only_result(&analysis);
        assert_eq!(result.status, EntryStatus::ClosedByBarriers, "{kind:?}");
        assert!(result.approach.is_none());
        let open = result.unprotected_approach.as_ref().unwrap();
        assert_eq!(open.run_up_m, 200.0);
        let relied = &result.barriers_relied_on;
        assert_eq!(relied.len(), 1);
        assert_eq!(
            (relied[0].barrier.clone(), relied[0].kind.clone()),
            (BarrierRef::Node(NodeId(2)), kind)
        );
        assert_eq!(relied[0].distance_m, 180.0);
        // N2A after 180 m from rest (hvm.md §2.2 table: 57.6 at 100 m, 70.7 at 200 m) needs an
        // 80 km/h rating; the bollard is unrated so there is no check.
        let RatingRequirement::Rating(required) = &relied[0].required_rating else {
            panic!()
        };
        assert_eq!(required.to_string(), "V/7200[N2A]/80/90");
        assert!(relied[0].rating_check.is_none());
    }
}

#[test]
fn a_pocket_between_a_bollard_and_the_perimeter_is_no_place_to_start_from() {
    // The bollard at x = −60 closes the street; the 30 m of street between it and the square is
    // reachable only through the bollard, so no run-up may start there.
    let net = network(
        vec![
            node(1, -200.0, 0.0),
            barrier_node(2, -60.0, 0.0, BarrierKind::Bollard, None),
            node(3, -30.0, 0.0),
            node(4, 50.0, 0.0),
        ],
        vec![way(1, WayKind::Residential, &[1, 2, 3, 4], None)],
    );
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    let result = only_result(&analysis);
    assert_eq!(result.status, EntryStatus::ClosedByBarriers);
    assert_eq!(
        result.barriers_relied_on[0].barrier,
        BarrierRef::Node(NodeId(2))
    );
}

#[test]
fn removable_bollards_and_booms_do_not_stop_vehicles() {
    // hvm.md §3.3: removable/flexible bollards are not HVM; a boom (lift gate) is not either.
    for kind in [
        BarrierKind::RemovableBollard,
        BarrierKind::LiftGate,
        BarrierKind::Kerb,
    ] {
        let analysis = analyse(
            &street_with_barrier(kind.clone(), None),
            &Study::new(square()),
            &[vehicle("M1")],
        )
        .unwrap();
        assert_eq!(only_result(&analysis).status, EntryStatus::Open, "{kind:?}");
    }
}

#[test]
fn an_opening_wide_enough_reopens_a_bollard_line() {
    // New Orleans 2025: bollards out for maintenance. A 3 m opening passes a lorry (2.55 m); a
    // 2 m one passes a car (1.8 m) but not the lorry.
    let net = street_with_barrier(BarrierKind::Bollard, None);
    for (width, car, lorry) in [
        (3.0, EntryStatus::Open, EntryStatus::Open),
        (2.0, EntryStatus::Open, EntryStatus::ClosedByBarriers),
    ] {
        let mut study = Study::new(square());
        study.openings.push(Opening {
            id: BarrierId(1),
            centre: Point::new(-20.0, 0.0),
            width_m: width,
        });
        let analysis = analyse(&net, &study, &[vehicle("M1"), vehicle("N2A")]).unwrap();
        let statuses: Vec<EntryStatus> = analysis.entries[0]
            .vehicles
            .iter()
            .map(|v| v.status)
            .collect();
        assert_eq!(statuses, [car, lorry], "opening {width} m");
    }
}

/// A 12 m wide pedestrian street with a row of 0.1 m bollards across it at x = −10.
fn bollard_row(lateral_positions: &[f64]) -> Network {
    let mut net = network(
        vec![node(1, -200.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Pedestrian, &[1, 2], Some(12.0))],
    );
    net.point_obstacles = lateral_positions
        .iter()
        .enumerate()
        .map(|(i, &y)| PointObstacle {
            id: BarrierId(100 + i as i64),
            position: Point::new(-10.0, y),
            radius_m: 0.1,
            barrier: Barrier {
                kind: BarrierKind::Bollard,
                rating: None,
            },
        })
        .collect();
    net
}

#[test]
fn bollard_row_with_a_gap_narrower_than_any_vehicle_closes_the_entry() {
    // Centres 1.5 m apart: clear gaps 1.3 m (and 0.65 m at the kerbs), narrower than the
    // narrowest vehicle (M1, 1.8 m).
    let net = bollard_row(&[-5.25, -3.75, -2.25, -0.75, 0.75, 2.25, 3.75, 5.25]);
    let vehicles = standard_vehicle_classes();
    let analysis = analyse(&net, &Study::new(square()), &vehicles).unwrap();
    for result in &analysis.entries[0].vehicles {
        assert_eq!(
            result.status,
            EntryStatus::ClosedByBarriers,
            "{}",
            result.vehicle
        );
        let BarrierRef::Obstacles(ids) = &result.barriers_relied_on[0].barrier else {
            panic!()
        };
        assert_eq!(ids.len(), 8);
    }
}

#[test]
fn bollard_row_with_a_gap_wider_than_a_car_lets_cars_through_not_lorries() {
    // The gap between the bollards at −0.75 and 1.55 is 1.55 − 0.1 − (−0.75 + 0.1) = 2.1 m:
    // wider than M1 (1.8), N1G and N1 (2.0), narrower than N2A and heavier (2.55).
    let net = bollard_row(&[-5.25, -3.75, -2.25, -0.75, 1.55, 3.05, 4.55]);
    let analysis = analyse(&net, &Study::new(square()), &standard_vehicle_classes()).unwrap();
    let statuses: Vec<(String, EntryStatus)> = analysis.entries[0]
        .vehicles
        .iter()
        .map(|v| (v.vehicle.clone(), v.status))
        .collect();
    let open = |code: &str| (code.to_string(), EntryStatus::Open);
    let closed = |code: &str| (code.to_string(), EntryStatus::ClosedByBarriers);
    assert_eq!(
        statuses,
        [
            open("M1"),
            open("N1G"),
            open("N1"),
            closed("N2A"),
            closed("N3C"),
            closed("N3D"),
            closed("N3F"),
            closed("ART40")
        ]
    );
}

#[test]
fn user_barrier_line_with_a_rating_is_checked_against_the_impact() {
    // A temporary barrier line across the street 5 m before the square, rated for a 7.2 t lorry
    // at 48 km/h. An N2A reaches it after 195 m at about 70 km/h (hvm.md §2.2: 70.7 at 200 m),
    // so it needs an 80 km/h rating: the check reports the shortfall.
    let net = network(
        vec![node(1, -200.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Residential, &[1, 2], None)],
    );
    let mut study = Study::new(square());
    study.added_barrier_lines.push(BarrierLine {
        id: BarrierId(7),
        points: vec![Point::new(-5.0, -10.0), Point::new(-5.0, 10.0)],
        barrier: Barrier {
            kind: BarrierKind::Other("temporary".into()),
            rating: Some("V/7200[N2A]/48/90:8.3/0.0".into()),
        },
    });
    let analysis = analyse(&net, &study, &[vehicle("N2A")]).unwrap();
    let result = only_result(&analysis);
    assert_eq!(result.status, EntryStatus::ClosedByBarriers);
    let barrier = &result.barriers_relied_on[0];
    assert_eq!(barrier.barrier, BarrierRef::Line(BarrierId(7)));
    assert_close(barrier.distance_m, 195.0, 1e-9, "distance");
    let check = barrier.rating_check.as_ref().unwrap();
    assert!(!check.meets);
    assert_eq!(check.shortfalls, ["tested at 48 km/h, needs 80 km/h"]);

    // An emergency gap of 4 m in the line lets the lorry in again.
    study.openings.push(Opening {
        id: BarrierId(8),
        centre: Point::new(-5.0, 0.0),
        width_m: 4.0,
    });
    let reopened = analyse(&net, &study, &[vehicle("N2A")]).unwrap();
    assert_eq!(only_result(&reopened).status, EntryStatus::Open);
}

#[test]
fn magdeburg_the_path_bypasses_blocks_by_the_tram_track_lane_and_a_dropped_kerb() {
    // hvm.md §4 and §6.4 case 13: the street is closed by concrete blocks, but a tram-track
    // emergency lane runs beside it and a dropped kerb joins the market. The vector must use
    // the tram track, and its bound must be ≥ 49 km/h (the measured peak).
    let net = network(
        vec![
            node(1, -400.0, 0.0),
            node(2, -60.0, 0.0),
            barrier_node(3, -15.0, 0.0, BarrierKind::Block, None),
            node(4, 50.0, 0.0),
            node(5, -60.0, 8.0),
            barrier_node(6, -15.0, 8.0, BarrierKind::Kerb, None),
            node(7, 50.0, 8.0),
        ],
        vec![
            way(1, WayKind::Secondary, &[1, 2, 3, 4], Some(8.0)),
            way(2, WayKind::TramTrack, &[2, 5, 6, 7], None),
        ],
    );
    let suv = VehicleClass {
        code: "SUV".into(),
        mass_kg: 2000.0,
        power_kw: 250.0,
        ..vehicle("N1G")
    };
    let analysis = analyse(&net, &Study::new(square()), &[suv]).unwrap();
    let via_tram = analysis.entries.iter().find(|e| e.way == WayId(2)).unwrap();
    let approach = via_tram.vehicles[0].approach.as_ref().unwrap();
    assert!(
        approach.impact_speed_kmh >= 49.0,
        "{}",
        approach.impact_speed_kmh
    );
    let nodes: Vec<Option<NodeId>> = approach.path.iter().map(|p| p.node).collect();
    assert!(
        nodes.contains(&Some(NodeId(6))),
        "the path crosses the dropped kerb: {nodes:?}"
    );
    let via_street = analysis.entries.iter().find(|e| e.way == WayId(1)).unwrap();
    assert_eq!(via_street.vehicles[0].status, EntryStatus::ClosedByBarriers);
}

#[test]
fn a_wall_is_passed_only_where_the_street_shares_a_node_with_it() {
    // OSM maps a gateway through a wall as a node shared by the wall and the street (Munich's
    // Karlstor, Isartor); a wall crossing a street between its nodes closes it.
    let wall = |points: Vec<Point>| BarrierLine {
        id: BarrierId(1),
        points,
        barrier: Barrier {
            kind: BarrierKind::Wall,
            rating: None,
        },
    };
    let mut gateway = network(
        vec![
            node(1, -200.0, 0.0),
            node(2, -20.0, 0.0),
            node(3, 50.0, 0.0),
        ],
        vec![way(1, WayKind::Residential, &[1, 2, 3], None)],
    );
    gateway.barrier_lines.push(wall(vec![
        Point::new(-20.0, -30.0),
        Point::new(-20.0, 0.0),
        Point::new(-20.0, 30.0),
    ]));
    let through = analyse(&gateway, &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_eq!(only_result(&through).status, EntryStatus::Open);

    let mut closed = gateway.clone();
    closed.barrier_lines[0] = wall(vec![Point::new(-40.0, -30.0), Point::new(-40.0, 30.0)]);
    let blocked = analyse(&closed, &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_eq!(only_result(&blocked).status, EntryStatus::ClosedByBarriers);
}

#[test]
fn a_rated_barrier_fits_the_stand_off_only_with_the_room_behind_it() {
    // The same rated line (`V/7200[N2A]/48/90:8.3/0.0`: 8.3 m penetration, hvm.md §1.4) across
    // the street 5 m and 20 m before the square, with a 2 m stand-off at the perimeter. Room
    // behind the barrier by hand = 2 m + the path from the barrier to the perimeter line: 7 m
    // (8.3 m does not fit) and 22 m (it fits).
    let net = network(
        vec![node(1, -200.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Residential, &[1, 2], None)],
    );
    for (x, room_m, fits) in [(-5.0, 7.0, false), (-20.0, 22.0, true)] {
        let mut study = Study::new(square());
        study.options.stand_off_m = Some(2.0);
        study.added_barrier_lines.push(BarrierLine {
            id: BarrierId(7),
            points: vec![Point::new(x, -10.0), Point::new(x, 10.0)],
            barrier: Barrier {
                kind: BarrierKind::Other("temporary".into()),
                rating: Some("V/7200[N2A]/48/90:8.3/0.0".into()),
            },
        });
        let analysis = analyse(&net, &study, &[vehicle("N2A")]).unwrap();
        let barrier = &only_result(&analysis).barriers_relied_on[0];
        let stand_off = barrier.stand_off.expect("rated, with a stand-off");
        assert_close(
            stand_off.available_m,
            room_m,
            1e-9,
            "room behind the barrier",
        );
        assert_eq!(stand_off.penetration_m, 8.3);
        assert_eq!(stand_off.fits, fits, "barrier at x = {x}");
        let RatingRequirement::Rating(required) = &barrier.required_rating else {
            panic!()
        };
        assert_close(
            required.max_penetration_m.unwrap(),
            room_m,
            1e-9,
            "required",
        );
        let shortfalls = &barrier.rating_check.as_ref().unwrap().shortfalls;
        let penetration_shortfall = shortfalls.iter().any(|s| s.starts_with("penetration"));
        assert_eq!(penetration_shortfall, !fits, "{shortfalls:?}");
    }

    // Without a stand-off there is nothing to compare with.
    let mut study = Study::new(square());
    study.added_barrier_lines.push(BarrierLine {
        id: BarrierId(7),
        points: vec![Point::new(-5.0, -10.0), Point::new(-5.0, 10.0)],
        barrier: Barrier {
            kind: BarrierKind::Block,
            rating: Some("V/7200[N2A]/48/90:8.3/0.0".into()),
        },
    });
    let analysis = analyse(&net, &study, &[vehicle("N2A")]).unwrap();
    assert!(
        only_result(&analysis).barriers_relied_on[0]
            .stand_off
            .is_none()
    );

    // A negative stand-off is an input error naming the option.
    study.options.stand_off_m = Some(-1.0);
    let error = analyse(&net, &study, &[vehicle("N2A")]).unwrap_err();
    assert!(error.to_string().contains("stand_off_m"), "{error}");
}
