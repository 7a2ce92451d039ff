//! The test cases of hvm.md §6.4, one test per case, with the stated tolerances. Case 15 (OSM
//! fixture counts) is in osm_fixtures.rs; the rating parser's error messages (case 3) are also
//! unit-tested in src/rating.rs.

use vehicle_approach::*;

use crate::support::*;

fn custom(
    mass_kg: f64,
    power_kw: f64,
    driven_weight_share: f64,
    drag_area_m2: f64,
    top_speed_kmh: f64,
) -> VehicleClass {
    VehicleClass {
        code: "TEST".into(),
        description: "test vehicle".into(),
        mass_kg,
        rating_class: None,
        rating_mass_kg: None,
        verified: false,
        power_kw,
        driven_weight_share,
        drag_area_m2,
        top_speed_mps: kmh_to_mps(top_speed_kmh),
        static_rollover_threshold_g: 1.0,
        braking_mps2: 6.5,
        width_m: 2.0,
        min_turning_radius_m: 5.0,
        constant_acceleration_mps2: 3.0,
        sources: vec![],
    }
}

fn model_b_kmh(vehicle: &VehicleClass, start_kmh: f64, distance_m: f64) -> f64 {
    mps_to_kmh(run_up_speed_mps(
        vehicle,
        AccelerationModel::PowerAndTraction,
        kmh_to_mps(start_kmh),
        distance_m,
        DEFAULT_FRICTION,
        DEFAULT_STEP_M,
    ))
}

#[test]
fn case_01_kinetic_energy() {
    // hvm.md §6.4 case 1 (first principles, ½mv²): 640.0 kJ; 7407.4 kJ; 133.3 kJ, ±0.1 kJ.
    assert_close(
        kinetic_energy_j(7200.0, kmh_to_mps(48.0)) / 1000.0,
        640.0,
        0.1,
        "7200 kg @ 48",
    );
    assert_close(
        kinetic_energy_j(30000.0, kmh_to_mps(80.0)) / 1000.0,
        7407.4,
        0.1,
        "30 t @ 80",
    );
    assert_close(
        kinetic_energy_j(1500.0, kmh_to_mps(48.0)) / 1000.0,
        133.3,
        0.1,
        "1500 kg @ 48",
    );
}

#[test]
fn case_02_astm_m50_energy_matches_delta_scientific() {
    // hvm.md §6.4 case 2: 15 000 lb at 50 mph = 1.2536e6 ft·lbf, within 0.5 % of Delta
    // Scientific's published 1 250 000 ft·lb. Conversions: 1 lb = 0.45359237 kg,
    // 1 mph = 0.44704 m/s, 1 ft·lbf = 1.3558179 J.
    let joules = kinetic_energy_j(15000.0 * 0.45359237, 50.0 * 0.44704);
    let foot_pounds = joules / 1.355_817_948;
    assert_close(foot_pounds, 1.2536e6, 0.0001e6, "ft·lbf");
    assert!((foot_pounds / 1_250_000.0 - 1.0).abs() < 0.005);
    assert_close(joules / 1e6, 1.70, 0.005, "MJ");
}

#[test]
fn case_03_rating_parser_reads_the_catalogue_strings_and_reports_malformed_ones() {
    // hvm.md §6.4 case 3 (exact; strings from the BarricadiX product catalogue,
    // Barricadix_MWP product-database.json, and hvm.md §1.4). The case's other figure, 436 of the
    // catalogue's 443 entries parsing, needs the catalogue itself, which is neither in this
    // repository nor in the reference folder, so it is not checked here.
    let fields = |text: &str| {
        let r = parse_rating(text).unwrap_or_else(|error| panic!("{text}: {error}"));
        (
            r.method,
            r.test_mass_kg,
            r.vehicle_class,
            r.speed_kmh,
            r.angle_deg,
            r.penetration_m,
            r.debris_m,
        )
    };
    let v = TestMethod::VehicleImpact;
    assert_eq!(
        fields("V/7200[N2A]/48/90:8.3/0.0"),
        (v, 7200, "N2A".into(), 48, 90, 8.3, Some(0.0))
    );
    // An IWA 14-1 string has no debris distance: None, not zero.
    assert_eq!(
        fields("V/7200[N3C]/80/90:8.1"),
        (v, 7200, "N3C".into(), 80, 90, 8.1, None)
    );
    assert_eq!(
        fields("V/7200 [N3C]/48/90:0"),
        (v, 7200, "N3C".into(), 48, 90, 0.0, None)
    );
    assert_eq!(
        fields("V/30000[N3]/80/90:3.3/25.0"),
        (v, 30000, "N3".into(), 80, 90, 3.3, Some(25.0))
    );
    assert_eq!(
        fields("V/7500(N2)/48/45:4/1.0"),
        (v, 7500, "N2".into(), 48, 45, 4.0, Some(1.0))
    );
    // The five entries malformed in the source are reported, each with where reading stopped.
    for malformed in [
        "V/7200[N2A]48/90:0.2",
        "7500[N2]/48/90:3.0/0.0",
        "7200[N3C]/80/90:19.1",
        "Provisional:",
        "V/7200[N2A]/48/90/25.4",
    ] {
        let error = parse_rating(malformed).expect_err(malformed);
        assert_eq!(error.input, malformed);
        assert!(
            error.column >= 1 && error.column <= malformed.len(),
            "{error}"
        );
    }
}

#[test]
fn case_04_constant_acceleration_run_up() {
    // hvm.md §6.4 case 4: v = √(2as): M1 a = 3.0 over 100 m = 88.2 km/h; N3G a = 0.75 = 44.1 km/h.
    assert_close(
        mps_to_kmh(constant_acceleration_speed_mps(0.0, 3.0, 100.0, 1e9)),
        88.2,
        0.1,
        "M1",
    );
    assert_close(
        mps_to_kmh(constant_acceleration_speed_mps(0.0, 0.75, 100.0, 1e9)),
        44.1,
        0.1,
        "N3G",
    );
}

#[test]
fn case_05_power_model_30_t() {
    // hvm.md §6.4 case 5: 30 t, 300 kW, k_drive 0.45, C_dA 6.5, 100 m from rest: 46.5 km/h
    // (±0.5) and t = 11.8 s. The standard N3F class carries exactly these constants.
    let lorry = vehicle("N3F");
    let run = run_up(
        &lorry,
        AccelerationModel::PowerAndTraction,
        0.0,
        100.0,
        DEFAULT_FRICTION,
        DEFAULT_STEP_M,
    );
    assert_close(mps_to_kmh(run.speed_mps), 46.5, 0.5, "speed");
    assert_close(run.time_s, 11.8, 0.1, "time");
}

#[test]
fn case_05b_power_model_table_of_section_2_2() {
    // hvm.md §2.2 Model B table [calc, Δs = 0.1 m]: speed in km/h from rest at each distance.
    // Our integrator (Heun, Δs ≤ 1 m) must agree within 0.5 km/h.
    let table: [(&str, [f64; 7]); 7] = [
        ("M1", [32.2, 50.7, 68.2, 87.8, 110.4, 144.6, 171.3]),
        ("N1G", [32.2, 49.4, 64.3, 81.7, 102.2, 134.2, 160.0]),
        ("N1", [29.8, 42.1, 53.3, 66.7, 82.5, 106.3, 123.9]),
        ("N2A", [27.1, 37.0, 46.3, 57.6, 70.7, 89.8, 90.0]),
        ("N3D", [26.2, 35.6, 44.6, 55.5, 68.4, 87.9, 90.0]),
        ("N3F", [22.0, 29.9, 37.4, 46.5, 57.5, 74.8, 89.3]),
        ("ART40", [20.2, 27.7, 34.8, 43.3, 53.6, 69.9, 83.7]),
    ];
    let distances = [10.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
    for (code, speeds) in table {
        let v = vehicle(code);
        for (distance, expected) in distances.iter().zip(speeds) {
            assert_close(
                model_b_kmh(&v, 0.0, *distance),
                expected,
                0.5,
                &format!("{code} at {distance} m"),
            );
        }
    }
}

#[test]
fn case_05c_model_a_cross_check_against_model_b_at_100_m() {
    // hvm.md §2.2 says Models A and B "agree within about 10–15 % up to ~100 m for trucks". With
    // the tables as given that holds for N3C, N3D, N3F and the 40 t lorry but not for N2A, whose
    // BarricadiX constant acceleration (2.0 m/s², provenance unverified) runs 25 % ahead of its
    // power model. The Model A column matches hvm.md's Model A table at 100 m (e.g. N2A 72.0,
    // N3G-like 40 t 44.1); the Model B column its Model B table. The engine reports both speeds
    // for every approach.
    let mut table = String::new();
    for vehicle in standard_vehicle_classes() {
        let b = model_b_kmh(&vehicle, 0.0, 100.0);
        let a = mps_to_kmh(constant_acceleration_speed_mps(
            0.0,
            vehicle.constant_acceleration_mps2,
            100.0,
            vehicle.top_speed_mps,
        ));
        table += &format!(
            "{:<6} A {a:5.1} B {b:5.1} km/h  A/B {:+4.0} %\n",
            vehicle.code,
            (a / b - 1.0) * 100.0
        );
        if ["N3C", "N3D", "N3F", "ART40"].contains(&vehicle.code.as_str()) {
            assert!((a / b - 1.0).abs() <= 0.15, "{}", vehicle.code);
        }
    }
    expect_test::expect![[r#"
        M1     A  91.1 B  87.8 km/h  A/B   +4 %
        N1G    A  80.5 B  81.7 km/h  A/B   -1 %
        N1     A  70.2 B  66.7 km/h  A/B   +5 %
        N2A    A  72.0 B  57.6 km/h  A/B  +25 %
        N3C    A  56.9 B  65.7 km/h  A/B  -13 %
        N3D    A  50.9 B  55.5 km/h  A/B   -8 %
        N3F    A  45.5 B  46.5 km/h  A/B   -2 %
        ART40  A  44.1 B  43.3 km/h  A/B   +2 %
    "#]]
    .assert_eq(&table);
}

#[test]
fn case_06_rating_speed_rounding() {
    // hvm.md §6.4 case 6 (convention: round up to the nominal test speed).
    let got: Vec<Option<u32>> = [41.0, 48.0, 49.0, 79.0]
        .into_iter()
        .map(round_up_to_test_speed_kmh)
        .collect();
    assert_eq!(got, [Some(48), Some(48), Some(64), Some(80)]);
}

#[test]
fn case_07_corner_limits() {
    // hvm.md §6.4 case 7: r = 25 m: √(0.7·9.81·25) = 13.10 m/s = 47.2 km/h; √(0.35·9.81·25) =
    // 9.27 m/s = 33.4 km/h (±0.1).
    assert_close(
        mps_to_kmh(grip_speed_limit_mps(0.7, 25.0)),
        47.2,
        0.1,
        "grip",
    );
    assert_close(
        mps_to_kmh(rollover_speed_limit_mps(0.35, 25.0)),
        33.4,
        0.1,
        "rollover",
    );
}

#[test]
fn case_08_widest_line_radius() {
    // hvm.md §6.4 case 8: δ 90°, w 7/7 → 23.90 m (46.1 km/h at μ 0.7); 3.5/3.5 → 11.95 m;
    // 7/14 → 35.0 m (±0.01 m).
    let right_angle = 90f64.to_radians();
    let r = widest_line_radius_m(right_angle, 7.0, 7.0);
    assert_close(r, 23.90, 0.01, "7/7");
    assert_close(
        mps_to_kmh(grip_speed_limit_mps(0.7, r)),
        46.1,
        0.1,
        "speed 7/7",
    );
    assert_close(
        widest_line_radius_m(right_angle, 3.5, 3.5),
        11.95,
        0.01,
        "3.5/3.5",
    );
    assert_close(
        widest_line_radius_m(right_angle, 7.0, 14.0),
        35.0,
        0.01,
        "7/14",
    );
    assert_close(
        widest_line_radius_m(right_angle, 14.0, 7.0),
        35.0,
        0.01,
        "14/7",
    );
}

#[test]
fn case_09_forward_backward_profile() {
    // hvm.md §6.4 case 9: 150 m straight → 90° bend R 23.9 m (arc 37.5 m) → 100 m straight;
    // a = 3.0, b = 6.5, μ 0.7, v₀ = 0: peak before braking 92.9 km/h, bend 46.1, end 99.5 (±0.5).
    // By hand: the peak is where 2·3·s = 12.82² + 2·6.5·(150 − s), s = 111.3 m.
    let mut v = custom(1500.0, 100.0, 0.6, 0.65, 200.0);
    v.constant_acceleration_mps2 = 3.0;
    // Braking is quoted at μ 0.8 and scaled by μ/0.8: quote 6.5 at μ 0.8 for exactly 6.5.
    v.braking_mps2 = 6.5;
    let bend_cap = grip_speed_limit_mps(0.7, 23.9);
    let stretches = [
        PathStretch {
            length_m: 150.0,
            speed_cap_mps: f64::INFINITY,
            friction: 0.8,
        },
        PathStretch {
            length_m: 37.5,
            speed_cap_mps: bend_cap,
            friction: 0.8,
        },
        PathStretch {
            length_m: 100.0,
            speed_cap_mps: f64::INFINITY,
            friction: 0.8,
        },
    ];
    let profile = forward_backward_profile(
        &v,
        AccelerationModel::ConstantPerClass,
        &stretches,
        0.0,
        0.5,
    );
    let peak = profile
        .iter()
        .filter(|s| s.distance_m <= 150.0)
        .map(|s| s.speed_mps)
        .fold(0.0, f64::max);
    let in_bend = profile
        .iter()
        .find(|s| s.distance_m >= 160.0)
        .unwrap()
        .speed_mps;
    let end = profile.last().unwrap().speed_mps;
    assert_close(mps_to_kmh(peak), 92.9, 0.5, "peak");
    assert_close(mps_to_kmh(in_bend), 46.1, 0.5, "bend");
    assert_close(mps_to_kmh(end), 99.5, 0.5, "end");
}

#[test]
fn case_10_braking_distance() {
    // hvm.md §6.4 case 10: v²/2b: 80 km/h at 6.5 → 38.0 m; 48 km/h at 8.0 → 11.1 m (±0.1).
    assert_close(
        braking_distance_m(kmh_to_mps(80.0), 6.5),
        38.0,
        0.1,
        "80 km/h",
    );
    assert_close(
        braking_distance_m(kmh_to_mps(48.0), 8.0),
        11.1,
        0.1,
        "48 km/h",
    );
}

#[test]
fn case_11_nice_replay() {
    // hvm.md §6.4 case 11 (Nice 2016, published 1.7 km and "close to 90 km/h"): a 19 t lorry
    // with 199 kW (Renault Midlum 270), v_top 90, reaches ≥ 80 km/h within 1 km and is capped at
    // 90; hvm.md's model gives 75 km/h at 500 m and 88.6 at 1 km. At 10 t the cap is reached by
    // about 500 m. Drag and traction as the N3 rows of hvm.md §2.2 (C_dA 5.5, k_drive 0.6).
    let laden = custom(19000.0, 199.0, 0.6, 5.5, 90.0);
    assert_close(model_b_kmh(&laden, 0.0, 500.0), 75.0, 1.0, "19 t at 500 m");
    assert_close(model_b_kmh(&laden, 0.0, 1000.0), 88.6, 1.0, "19 t at 1 km");
    assert!(model_b_kmh(&laden, 0.0, 1000.0) >= 80.0);
    assert_close(
        model_b_kmh(&laden, 0.0, 1700.0),
        90.0,
        1e-9,
        "capped at the limiter",
    );
    let light = custom(10000.0, 199.0, 0.6, 5.5, 90.0);
    assert!(
        model_b_kmh(&light, 0.0, 550.0) >= 90.0 - 1e-9,
        "10 t reaches 90 by about 500 m"
    );
    assert!(model_b_kmh(&light, 0.0, 400.0) < 90.0);
}

#[test]
fn case_12_berlin_replay_flags_the_witness_speed() {
    // hvm.md §6.4 case 12 (Berlin 2016, ≈80 m run-up): 40 t articulated, 331 kW, k_drive 0.3,
    // v₀ 0 / 20 / 30 km/h → 40.4 / 41.8 / 44.8 km/h (±3); the witness "40 mph" (64 km/h) is
    // above the physical bound.
    let artic = vehicle("ART40");
    for (start, expected) in [(0.0, 40.4), (20.0, 41.8), (30.0, 44.8)] {
        let v = model_b_kmh(&artic, start, 80.0);
        assert_close(v, expected, 3.0, &format!("from {start} km/h"));
        assert!(
            v < 64.0,
            "the witness's 64 km/h must exceed the bound, got {v}"
        );
    }
}

#[test]
fn case_13_magdeburg_bound_is_above_the_measured_peak() {
    // hvm.md §6.4 case 13: ~2 t SUV, 250 kW, from ≈10 km/h over ≈400 m: bound ≥ 49 km/h (the
    // court expert's measured peak). The network part (tram-track lane, dropped kerb) is in
    // protection.rs.
    let suv = custom(2000.0, 250.0, 0.6, 0.9, 210.0);
    assert!(model_b_kmh(&suv, 10.0, 400.0) >= 49.0);
}

#[test]
fn case_14_london_bridge_bound() {
    // hvm.md §6.4 case 14: 3.5 t van, 100 kW, v₀ 15 km/h, 250 m straight: bound 88.4 km/h,
    // ≥ the reported ~80 km/h. Van constants as the N1 class (k_drive 0.55, C_dA 1.8).
    let van = vehicle("N1");
    let v = model_b_kmh(&van, 15.0, 250.0);
    assert_close(v, 88.4, 1.0, "bound");
    assert!(v >= 80.0);
}
