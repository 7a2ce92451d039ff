//! Outputs: level of service, density maps, N(t), exit reports, the JSON scenario format.

use crowd_sim::*;

/// Fruin (1971) walkway levels of service (crowd.md §4.2): area per person thresholds 3.25,
/// 2.32, 1.39, 0.93 and 0.46 m².
#[test]
fn fruin_levels_of_service() {
    use LevelOfService::*;
    let cases = [
        (0.0, A),
        (0.30, A),
        (0.35, B),
        (0.5, C),
        (1.0, D),
        (1.5, E),
        (2.0, E),
        (2.2, F),
        (5.0, F),
    ];
    for (density, expected) in cases {
        assert_eq!(
            LevelOfService::from_density_per_m2(density),
            expected,
            "{density}"
        );
    }
}

/// A hand-counted density: 8 agents standing (long pre-movement) in one 2 m × 2 m cell give
/// 2 persons/m², level of service E, and that is the peak.
#[test]
fn density_maps_count_agents_per_cell() {
    let positions = (0..8)
        .map(|k| Point::new(4.3 + 0.5 * (k % 4) as f64, 4.5 + 1.0 * (k / 4) as f64))
        .collect();
    let mut group = Population::at_positions(positions);
    group.premovement_s = Premovement::Fixed(100.0);
    let mut s = Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
        vec![Exit::new("east", rectangle(9.6, 0.0, 10.0, 10.0))],
        vec![group],
    );
    s.output.density_cell_m = 2.0;
    s.max_time_s = 2.0;
    let outcome = run(&s).unwrap();
    let d = &outcome.density;
    assert_eq!((d.nx, d.ny), (5, 5));
    assert_eq!(d.frames.len(), 3, "frames at 0, 1 and 2 s");
    let cell = 2 * d.nx + 2;
    assert!((d.walkable_area_m2[cell] - 4.0).abs() < 1e-9);
    let rho = d.density_per_m2(&d.frames[0], cell).unwrap();
    assert!((rho - 2.0).abs() < 1e-9, "{rho}");
    assert_eq!(
        d.level_of_service(&d.frames[0])[cell],
        Some(LevelOfService::E)
    );
    let peak = d.peak.unwrap();
    assert_eq!(peak.density_per_m2, rho);
    assert_eq!(peak.cell_centre, Point::new(5.0, 5.0));
    assert_eq!(d.max_density_per_m2()[cell], Some(rho));
    // Nobody left: no evacuation time, N(t) flat at 8.
    assert_eq!(outcome.evacuation_time_s, None);
    assert_eq!(outcome.agents_remaining.len(), 8);
    assert!(outcome.evacuation_curve.iter().all(|c| c.remaining == 8));
}

/// Exit reports, events and N(t) agree with each other.
#[test]
fn exit_reports_and_evacuation_curve_agree() {
    let mut group = Population::in_area(rectangle(1.0, 1.0, 9.0, 9.0), 30);
    group.speed_mps = DesiredSpeed::Fixed(1.2);
    let mut s = Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
        vec![
            Exit::new("west", rectangle(0.0, 4.0, 0.4, 6.0)),
            Exit::new("east", rectangle(9.6, 4.0, 10.0, 6.0)),
        ],
        vec![group],
    );
    s.seed = 1;
    let outcome = run(&s).unwrap();
    assert_eq!(outcome.agents_evacuated, 30);
    let total: usize = outcome.exits.iter().map(|e| e.count).sum();
    assert_eq!(total, 30);
    let last = outcome.exit_events.last().unwrap().time_s;
    assert_eq!(outcome.evacuation_time_s, Some(last));
    assert_eq!(outcome.evacuation_curve[0].remaining, 30);
    assert_eq!(outcome.evacuation_curve.last().unwrap().remaining, 0);
    assert!(
        outcome
            .evacuation_curve
            .windows(2)
            .all(|w| w[0].remaining >= w[1].remaining)
    );
    for (e, report) in outcome.exits.iter().enumerate() {
        let times: Vec<f64> = outcome
            .exit_events
            .iter()
            .filter(|ev| ev.exit == ExitId(e as u32))
            .map(|ev| ev.time_s)
            .collect();
        assert_eq!(report.first_exit_s, times.first().copied());
        assert_eq!(report.last_exit_s, times.last().copied());
    }
}

/// The scenario file of issue 4 (JSON, metres) deserialises into a runnable scenario.
#[test]
fn issue_4_json_scenario_runs() {
    let json = r#"{
        "walkable": {"outer": [[0,0],[20,0],[20,10],[0,10]], "holes": [[[8,4],[12,4],[12,6],[8,6]]]},
        "exits": [{"name": "gate", "polygon": [[19.6,4],[20,4],[20,6],[19.6,6]]}],
        "populations": [
            {"area": [[1,1],[7,1],[7,9],[1,9]], "count": 20, "speed_mps": 1.2, "radius_m": 0.2, "premovement_s": 0},
            {"area": [[1,1],[7,1],[7,9],[1,9]], "count": 5,
             "speed_mps": {"mean": 1.34, "sd": 0.26, "min": 0.46, "max": 1.61}}
        ],
        "model": {"kind": "cfsm"},
        "dt_s": 0.01, "max_time_s": 600, "seed": 42
    }"#;
    let scenario: Scenario = serde_json::from_str(json).unwrap();
    assert_eq!(scenario.model, Model::Cfsm(CfsmParameters::default()));
    let outcome = run(&scenario).unwrap();
    assert_eq!(outcome.agents_evacuated, 25);
    assert!(
        outcome.agents[..20]
            .iter()
            .all(|a| a.desired_speed_mps == 1.2)
    );
    assert!(
        outcome.agents[20..]
            .iter()
            .all(|a| (0.46..=1.61).contains(&a.desired_speed_mps))
    );
}
