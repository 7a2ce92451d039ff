//! Geometry cases with hand-worked answers (issue 3, "Validation"): a straight approach, a 90°
//! corner at several widths, an S-bend, widths against vehicle widths, one-way streets in
//! worst-case and compliant mode, and an open area crossed in a straight line.

use vehicle_approach::*;

use crate::support::*;

#[test]
fn straight_approach_matches_the_model_b_table_and_half_m_v_squared() {
    // 200 m straight residential street into the square, head-on. hvm.md §2.2 table: M1 after
    // 200 m from rest = 110.4 km/h; energy ½·1500·v² by hand = 705 kJ at 110.4 km/h.
    let net = network(
        vec![node(1, -200.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(10, WayKind::Residential, &[1, 2], None)],
    );
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    let entry = &analysis.entries[0];
    assert_eq!(
        (entry.from_node, entry.to_node, entry.perimeter_edge),
        (NodeId(1), NodeId(2), 3)
    );
    assert_eq!(
        (entry.width_m, entry.width_source),
        (6.0, WidthSource::DefaultForKind)
    );
    let approach = only_approach(&analysis);
    assert_eq!(approach.run_up_m, 200.0);
    assert_close(approach.impact_speed_kmh, 110.4, 0.5, "speed");
    assert_close(approach.impact_angle_deg, 90.0, 1e-9, "angle");
    let by_hand_kj = 0.5 * 1500.0 * approach.impact_speed_mps.powi(2) / 1000.0;
    assert_close(approach.kinetic_energy_kj, by_hand_kj, 1e-9, "energy");
    assert_close(
        approach.kinetic_energy_kj,
        705.0,
        7.0,
        "energy at 110.4 km/h",
    );
    assert!(approach.bends.is_empty());
    // 110.4 km/h rounds up to the 112 km/h test speed; M1 is rated as V/1500[M1].
    let RatingRequirement::Rating(rating) = &approach.required_rating else {
        panic!()
    };
    assert_eq!(rating.to_string(), "V/1500[M1]/112/90");
    // Model A cross-check on the same path: √(2·3.2·200) = 35.78 m/s = 128.8 km/h (hvm.md §2.2).
    assert_close(approach.model_a_impact_speed_kmh, 128.8, 0.1, "model A");
}

#[test]
fn oblique_entry_reports_the_angle_to_the_perimeter_edge() {
    // A street meeting the west edge at 30° to it: heading (cos 30°, sin 30°)... the angle between
    // the heading and the edge (north) is 90° − 30° = 60°.
    let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
    let net = network(
        vec![node(1, -100.0 * c, -100.0 * s), node(2, 20.0 * c, 20.0 * s)],
        vec![way(1, WayKind::Residential, &[1, 2], None)],
    );
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_close(
        only_approach(&analysis).impact_angle_deg,
        60.0,
        1e-9,
        "angle",
    );
    let RatingRequirement::Rating(rating) = &only_approach(&analysis).required_rating else {
        panic!()
    };
    assert_eq!(rating.angle_deg, 60);
}

/// An L: 300 m south from (−150, 300) to the corner (−150, 0), then east into the square.
fn corner(width_m: f64) -> Network {
    network(
        vec![
            node(1, -150.0, 300.0),
            node(2, -150.0, 0.0),
            node(3, 50.0, 0.0),
        ],
        vec![
            way(1, WayKind::Tertiary, &[1, 2], Some(width_m)),
            way(2, WayKind::Tertiary, &[2, 3], Some(width_m)),
        ],
    )
}

#[test]
fn right_angle_corner_at_several_widths() {
    // Widest line R = w / (1 − cos 45°) (hvm.md §2.3); M1 is grip-limited (μ 0.7 < SRT 1.2), so
    // the corner speed is √(0.7·9.81·R); Model A then gives v² = v_c² + 2·3.2·150 at the line.
    for (width, radius) in [(3.5, 11.95), (7.0, 23.90), (14.0, 47.80)] {
        let analysis = analyse(
            &corner(width),
            &model_a(Study::new(square())),
            &[vehicle("M1")],
        )
        .unwrap();
        let approach = only_approach(&analysis);
        // The run-up starts at the far end or beyond it (a rolling U-turn there, on a road wide
        // enough for one); either way the corner caps the speed.
        assert!(
            approach.run_up_m >= 450.0,
            "width {width}: run-up {}",
            approach.run_up_m
        );
        // An equally fast path may start with that U-turn, so the corner is the 90° bend, not
        // necessarily the first (which of equally fast paths a search keeps is not specified).
        let bend = approach
            .bends
            .iter()
            .find(|bend| (bend.deflection_deg - 90.0).abs() < 1.0)
            .expect("the corner is a bend of the path");
        assert_close(bend.radius_m, radius, 0.01, "radius");
        assert_close(bend.deflection_deg, 90.0, 1e-9, "deflection");
        let corner_speed = (0.7 * 9.81 * bend.radius_m).sqrt();
        assert_close(bend.speed_mps, corner_speed, 1e-6, "corner speed");
        assert_eq!(bend.limit, BendLimit::Grip);
        let by_hand = (corner_speed * corner_speed + 2.0 * 3.2 * 150.0).sqrt();
        assert_close(
            approach.impact_speed_mps,
            by_hand,
            1e-6,
            &format!("impact at width {width}"),
        );
    }
}

#[test]
fn a_lorry_rolls_over_before_it_skids() {
    // N3D: SRT 0.45 < μ 0.7, so the 7 m corner caps it at √(0.45·9.81·23.90) = 10.27 m/s; Model
    // A (1.0 m/s²) then gives √(10.27² + 2·1.0·150) = 20.14 m/s = 72.5 km/h.
    let analysis = analyse(
        &corner(7.0),
        &model_a(Study::new(square())),
        &[vehicle("N3D")],
    )
    .unwrap();
    let approach = only_approach(&analysis);
    assert_eq!(approach.bends[0].limit, BendLimit::Rollover);
    assert_close(approach.bends[0].speed_mps, 10.27, 0.01, "corner");
    assert_close(approach.impact_speed_kmh, 72.5, 0.1, "impact");
}

#[test]
fn a_turn_tighter_than_the_lorry_can_steer_forces_a_standing_start() {
    // A 2.6 m wide service lane turning 90°: R = 2.6 · 3.414 = 8.88 m, below the N3F's 11 m
    // minimum turning radius, so the lorry must stop and manoeuvre: its run-up is only the
    // 150 m after the corner (a car, 5 m minimum, drives round at √(0.7·9.81·8.88) = 7.81 m/s).
    let lorry = analyse(&corner(2.6), &Study::new(square()), &[vehicle("N3F")]).unwrap();
    let approach = only_approach(&lorry);
    assert_eq!(approach.run_up_m, 150.0);
    assert!(approach.bends.is_empty());
    let car = analyse(&corner(2.6), &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_eq!(only_approach(&car).run_up_m, 450.0);
    assert_close(
        only_approach(&car).bends[0].speed_mps,
        7.81,
        0.01,
        "car corner",
    );
}

#[test]
fn s_bend_caps_at_both_bends_and_the_run_up_counts_from_the_last() {
    // East 200 m, then 45° right for 84.85 m, then 45° left into the square (one 7 m way).
    // Each bend: R = 7 / (1 − cos 22.5°) = 91.96 m, cap √(0.7·9.81·91.96) = 25.13 m/s. After the
    // second bend Model A gives √(25.13² + 2·3.2·140) = 39.08 m/s = 140.7 km/h.
    let net = network(
        vec![
            node(1, -400.0, 60.0),
            node(2, -200.0, 60.0),
            node(3, -140.0, 0.0),
            node(4, 50.0, 0.0),
        ],
        vec![way(1, WayKind::Tertiary, &[1, 2, 3, 4], Some(7.0))],
    );
    let analysis = analyse(&net, &model_a(Study::new(square())), &[vehicle("M1")]).unwrap();
    let approach = only_approach(&analysis);
    assert_eq!(approach.bends.len(), 2);
    for bend in &approach.bends {
        assert_close(bend.radius_m, 91.96, 0.01, "radius");
        assert_close(bend.speed_mps, 25.13, 0.01, "bend speed");
        assert_eq!(bend.limit, BendLimit::Grip);
    }
    assert_close(approach.impact_speed_kmh, 140.7, 0.1, "impact");
    // The profile brakes before each bend: the speed at each bend vertex is the cap.
    assert_close(
        approach.path[1].speed_mps,
        25.13,
        0.01,
        "path vertex at bend 1",
    );
}

#[test]
fn footway_admits_a_car_but_not_a_lorry() {
    // Default footway width 2.0 m; vehicle widths M1 1.8 m, N2A 2.55 m (hvm.md §2.5).
    let net = network(
        vec![node(1, -100.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Footway, &[1, 2], None)],
    );
    let analysis = analyse(
        &net,
        &Study::new(square()),
        &[vehicle("M1"), vehicle("N2A")],
    )
    .unwrap();
    let statuses: Vec<EntryStatus> = analysis.entries[0]
        .vehicles
        .iter()
        .map(|v| v.status)
        .collect();
    assert_eq!(statuses, [EntryStatus::Open, EntryStatus::TooNarrow]);
}

#[test]
fn one_way_street_worst_case_versus_compliant() {
    // A one-way street whose legal direction leads out of the square: a hostile driver uses it
    // anyway (worst case), a law-abiding one may not (compliant).
    let mut street = way(1, WayKind::Residential, &[2, 1], None);
    street.oneway = Oneway::Forward;
    let net = network(vec![node(1, -100.0, 0.0), node(2, 50.0, 0.0)], vec![street]);
    let worst = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_eq!(only_result(&worst).status, EntryStatus::Open);
    let mut compliant = Study::new(square());
    compliant.options.rules = TrafficRules::Compliant;
    let obeying = analyse(&net, &compliant, &[vehicle("M1")]).unwrap();
    assert_eq!(only_result(&obeying).status, EntryStatus::NotPermitted);
}

#[test]
fn pedestrian_street_and_tram_track_are_driven_only_in_the_worst_case() {
    for kind in [WayKind::Pedestrian, WayKind::TramTrack] {
        let net = network(
            vec![node(1, -100.0, 0.0), node(2, 50.0, 0.0)],
            vec![way(1, kind, &[1, 2], None)],
        );
        let worst = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
        assert_eq!(only_result(&worst).status, EntryStatus::Open, "{kind:?}");
        let mut compliant = Study::new(square());
        compliant.options.rules = TrafficRules::Compliant;
        let obeying = analyse(&net, &compliant, &[vehicle("M1")]).unwrap();
        assert_eq!(
            only_result(&obeying).status,
            EntryStatus::NotPermitted,
            "{kind:?}"
        );
    }
}

#[test]
fn a_rolling_start_adds_to_the_run_up() {
    // hvm.md §6.4 case 14 on a network: a 3.5 t van entering a 250 m straight at 15 km/h
    // reaches 88.4 km/h (hvm.md [calc]).
    let net = network(
        vec![node(1, -250.0, 0.0), node(2, 50.0, 0.0)],
        vec![way(1, WayKind::Primary, &[1, 2], None)],
    );
    let mut study = Study::new(square());
    study.options.start_speed_mps = kmh_to_mps(15.0);
    let analysis = analyse(&net, &study, &[vehicle("N1")]).unwrap();
    assert_close(only_approach(&analysis).impact_speed_kmh, 88.4, 1.0, "van");
}

#[test]
fn an_open_area_is_crossed_in_a_straight_line() {
    // A 200 m pedestrian square (an area) around a 20 m × 60 m perimeter; a road reaches its
    // south-west corner. The diagonal chord y = x meets the west edge x = −10 at (−10, −10), at
    // 45° to it.
    let mut area = way(1, WayKind::Pedestrian, &[1, 2, 3, 4, 1], None);
    area.is_area = true;
    let net = network(
        vec![
            node(1, -100.0, -100.0),
            node(2, 100.0, -100.0),
            node(3, 100.0, 100.0),
            node(4, -100.0, 100.0),
            node(5, -300.0, -100.0),
        ],
        vec![area, way(2, WayKind::Residential, &[5, 1], None)],
    );
    let perimeter = vec![
        Point::new(-10.0, -30.0),
        Point::new(10.0, -30.0),
        Point::new(10.0, 30.0),
        Point::new(-10.0, 30.0),
    ];
    let analysis = analyse(&net, &Study::new(perimeter), &[vehicle("M1")]).unwrap();
    let diagonal = analysis
        .entries
        .iter()
        .find(|e| e.across_open_area && e.from_node == NodeId(1))
        .expect("an entry along the diagonal");
    assert_close(diagonal.position.x_m, -10.0, 1e-9, "x");
    assert_close(diagonal.position.y_m, -10.0, 1e-9, "y");
    let approach = diagonal.vehicles[0].approach.as_ref().unwrap();
    assert_close(approach.impact_angle_deg, 45.0, 1e-9, "angle");
    assert_eq!(approach.path.last().unwrap().node, None);
    assert_close(
        approach.path.last().unwrap().distance_m
            - approach.path[approach.path.len() - 2].distance_m,
        90.0 * 2f64.sqrt(),
        1e-9,
        "last leg",
    );
}

#[test]
fn a_node_on_the_perimeter_gives_one_entry_not_two() {
    // Node 2 lies exactly on the west edge (x = 0): the crossing is reported once.
    let net = network(
        vec![node(1, -100.0, 0.0), node(2, 0.0, 0.0), node(3, 50.0, 0.0)],
        vec![way(1, WayKind::Residential, &[1, 2, 3], None)],
    );
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    assert_eq!(analysis.entries.len(), 1, "{:#?}", analysis.entries);
    assert_close(only_approach(&analysis).run_up_m, 100.0, 1e-9, "run-up");
}

#[test]
fn a_square_mapped_as_an_area_and_used_as_the_perimeter_is_entered_only_from_outside() {
    // The perimeter is the square's own outline (as for a site taken from a mapped pedestrian
    // area): its outline and the chords across it are inside or on the line, not approaches.
    // Two streets end on the outline: from the west at (0, 0) and from the south at the corner
    // (100, −50); those are the two entries.
    let mut area = way(1, WayKind::Pedestrian, &[1, 2, 3, 4, 6, 1], None);
    area.is_area = true;
    let net = network(
        vec![
            node(1, 0.0, -50.0),
            node(2, 100.0, -50.0),
            node(3, 100.0, 50.0),
            node(4, 0.0, 50.0),
            node(5, -200.0, 0.0),
            node(6, 0.0, 0.0),
            node(7, 100.0, -250.0),
        ],
        vec![
            area,
            way(2, WayKind::Residential, &[5, 6], None),
            way(3, WayKind::Residential, &[7, 2], None),
        ],
    );
    let analysis = analyse(&net, &Study::new(square()), &[vehicle("M1")]).unwrap();
    let entries: Vec<(NodeId, NodeId, f64, f64)> = analysis
        .entries
        .iter()
        .map(|e| (e.from_node, e.to_node, e.position.x_m, e.position.y_m))
        .collect();
    assert_eq!(
        entries,
        [
            (NodeId(5), NodeId(6), 0.0, 0.0),
            (NodeId(7), NodeId(2), 100.0, -50.0)
        ]
    );
    for entry in &analysis.entries {
        let approach = entry.vehicles[0].approach.as_ref().unwrap();
        assert_close(approach.run_up_m, 200.0, 1e-9, "run-up");
        assert_close(approach.impact_angle_deg, 90.0, 1e-9, "angle");
    }
}

/// Model B by hand (hvm.md §2.2 and §6.2): explicit Euler in v² over distance with Δs = 1 cm,
/// a = [min(μ g m k_drive, η P / max(v, 0.5)) − C_rr m g − ½ ρ C_dA v²] / m, capped at v_top.
fn model_b_by_hand_mps(vehicle: &VehicleClass, start_mps: f64, distance_m: f64) -> f64 {
    let (g, eta, rolling, rho, friction) = (9.81, 0.85, 0.012, 1.2, 0.7);
    let m = vehicle.mass_kg;
    let step_m = 0.01;
    let mut v = start_mps;
    for _ in 0..(distance_m / step_m).round() as usize {
        let traction = friction * g * m * vehicle.driven_weight_share;
        let power = eta * vehicle.power_kw * 1000.0 / v.max(0.5);
        let resistance = rolling * m * g + 0.5 * rho * vehicle.drag_area_m2 * v * v;
        let a = (traction.min(power) - resistance) / m;
        v = (v * v + 2.0 * a * step_m).sqrt().min(vehicle.top_speed_mps);
    }
    v
}

#[test]
fn the_longest_straight_line_across_an_open_square_is_driven() {
    // A 60 m × 60 m pedestrian square (an open area, default width 20 m) with corners A (0, 0),
    // B (60, 0), C (60, 60) and D (0, 60). A 10 m street ends at B from the south; nothing joins
    // C. The protected perimeter lies south-west of the square, one edge on the line x + y = 0
    // through A, so the diagonal from C reaches the perimeter at A after 60√2 = 84.85 m.
    //
    // By hand: a car drives up the street and the east side (70 m straight, enough for
    // 76 km/h; or round by D), turns at C onto the diagonal (deflection 135°, widest line in
    // 20 m: R = 20 / (1 − cos 67.5°) = 32.40 m, grip √(0.7 · 9.81 · 32.40) = 14.93 m/s; the
    // car's rollover threshold 1.2 g is above μ), then accelerates along the whole diagonal.
    // Before, lines across a square were drawn only from where ways join it, so the diagonal
    // from C did not exist and the longest straight run-up across the square was missed.
    let mut square = way(1, WayKind::Pedestrian, &[1, 2, 3, 4, 1], None);
    square.is_area = true;
    let net = network(
        vec![
            node(1, 0.0, 0.0),
            node(2, 60.0, 0.0),
            node(3, 60.0, 60.0),
            node(4, 0.0, 60.0),
            node(5, 60.0, -10.0),
        ],
        vec![square, way(2, WayKind::Residential, &[5, 2], None)],
    );
    let perimeter = vec![
        Point::new(20.0, -20.0),
        Point::new(-20.0, 20.0),
        Point::new(-50.0, -10.0),
        Point::new(-10.0, -50.0),
    ];
    let car = vehicle("M1");
    let analysis = analyse(&net, &Study::new(perimeter), std::slice::from_ref(&car)).unwrap();
    let diagonal = analysis
        .entries
        .iter()
        .find(|e| e.across_open_area && e.from_node == NodeId(3) && e.to_node == NodeId(1))
        .expect("an entry along the diagonal from C");
    assert_close(diagonal.position.x_m, 0.0, 1e-9, "crossing x");
    assert_close(diagonal.position.y_m, 0.0, 1e-9, "crossing y");
    let approach = diagonal.vehicles[0].approach.as_ref().unwrap();
    let n = approach.path.len();
    assert_eq!(
        approach.path[n - 2].node,
        Some(NodeId(3)),
        "the last leg starts at C"
    );
    assert_eq!(approach.path[n - 1].node, None);
    let last_leg = approach.path[n - 1].distance_m - approach.path[n - 2].distance_m;
    assert_close(last_leg, 60.0 * 2f64.sqrt(), 1e-9, "the diagonal");
    assert_close(approach.impact_angle_deg, 90.0, 1e-6, "head-on");

    // However the car gets to C (up the east side, or round by D: every way into the diagonal
    // there turns by 135° or more), the corner caps it.
    let radius_m = 20.0 / (1.0 - 67.5f64.to_radians().cos());
    let corner_mps = (0.7 * 9.81 * radius_m).sqrt();
    let bend = approach.bends.last().unwrap();
    assert_eq!(bend.node, NodeId(3), "{:#?}", approach.bends);
    assert_close(bend.deflection_deg, 135.0, 1e-9, "deflection at C");
    assert_close(bend.radius_m, radius_m, 1e-9, "widest line at C");
    assert_eq!(bend.limit, BendLimit::Grip);
    assert_close(bend.speed_mps, corner_mps, 0.01, "speed through C");

    let expected_kmh = mps_to_kmh(model_b_by_hand_mps(&car, corner_mps, 60.0 * 2f64.sqrt()));
    assert_close(approach.impact_speed_kmh, expected_kmh, 0.3, "impact speed");
    // From rest the same 84.85 m would give only about 82 km/h (hvm.md §2.2 table: 68.2 km/h at
    // 50 m, 87.8 at 100 m).
    assert!(
        expected_kmh > 90.0 && expected_kmh < 100.0,
        "{expected_kmh}"
    );
}
