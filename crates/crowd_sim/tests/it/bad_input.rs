//! Bad input gives an error that names the field and the problem (issue 4, "Bad input").

use crowd_sim::*;

fn valid() -> Scenario {
    Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
        vec![Exit::new("gate", rectangle(9.6, 4.0, 10.0, 6.0))],
        vec![Population::in_area(rectangle(1.0, 1.0, 5.0, 5.0), 10)],
    )
}

fn message(s: &Scenario) -> String {
    match Simulation::new(s) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn self_intersecting_walkable_polygon() {
    let mut s = valid();
    s.walkable.outer = vec![
        Point::new(0.0, 0.0),
        Point::new(10.0, 10.0),
        Point::new(10.0, 0.0),
        Point::new(0.0, 10.0),
    ];
    let m = message(&s);
    assert!(
        m.starts_with("walkable.outer: the polygon intersects itself"),
        "{m}"
    );
}

#[test]
fn exit_outside_the_walkable_area() {
    let mut s = valid();
    s.exits[0].polygon = rectangle(12.0, 4.0, 13.0, 6.0);
    let m = message(&s);
    assert!(
        m.starts_with("exits[0].polygon: exit \"gate\" does not overlap"),
        "{m}"
    );
}

#[test]
fn population_that_does_not_fit() {
    let mut s = valid();
    s.populations[0] = Population::in_area(rectangle(1.0, 1.0, 2.0, 2.0), 50);
    let err = Simulation::new(&s).err().unwrap();
    assert!(
        matches!(err, Error::PopulationDoesNotFit { count: 50, placed, .. } if placed < 50),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("populations[0]: could place only")
    );
}

#[test]
fn time_step_too_large_for_the_model() {
    let mut s = valid();
    s.dt_s = 0.2;
    let m = message(&s);
    assert!(
        m.starts_with("dt_s: 0.2 s is too large for populations[0]"),
        "{m}"
    );
}

#[test]
fn missing_field_in_json() {
    let err = serde_json::from_str::<Scenario>(r#"{"walkable": {"outer": []}, "populations": []}"#)
        .unwrap_err();
    assert!(err.to_string().contains("missing field `exits`"), "{err}");
}

#[test]
fn unknown_exit_and_waypoint_names() {
    let mut s = valid();
    s.populations[0].exit = Some("north".into());
    assert_eq!(
        message(&s),
        "populations[0].exit: no exit is named \"north\""
    );
    let mut s = valid();
    s.populations[0].route = vec!["stage".into()];
    assert_eq!(
        message(&s),
        "populations[0].route[0]: no waypoint is named \"stage\""
    );
}

/// An agent boxed in by obstacles (gaps of 0.01 m, narrower than the 0.1 m navigation grid can
/// see) cannot reach the exit: the error names it instead of running to max_time.
#[test]
fn unreachable_exit_names_the_agents() {
    let mut s = valid();
    s.populations[0] = Population::at_positions(vec![Point::new(5.0, 5.0), Point::new(1.0, 1.0)]);
    s.walkable.holes = vec![
        rectangle(3.0, 3.0, 3.5, 7.0),
        rectangle(6.5, 3.0, 7.0, 7.0),
        rectangle(3.51, 3.0, 6.49, 3.5),
        rectangle(3.51, 6.5, 6.49, 7.0),
    ];
    let err = Simulation::new(&s).err().unwrap();
    match &err {
        Error::Unreachable { target, agents, .. } => {
            assert_eq!(target, "exit \"gate\"");
            assert_eq!(agents, &vec![AgentId(0)]);
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .starts_with("exit \"gate\" cannot be reached"),
        "{err}"
    );
}

/// An exit reached only through a 0.25 m gap, narrower than a 0.4 m body: the grid sees a way,
/// the agents cannot pass, so the error says which agents and why instead of running to
/// max_time with them stuck at the gap.
#[test]
fn exit_behind_too_narrow_a_gap_names_the_agents_and_the_width() {
    let mut s = valid();
    // A wall across the room at x 6–6.2 (touching the outer walls) with a gap at y 5.0–5.25.
    s.walkable.holes = vec![
        rectangle(6.0, 0.0, 6.2, 5.0),
        rectangle(6.0, 5.25, 6.2, 10.0),
    ];
    s.populations[0] = Population::at_positions(vec![Point::new(2.0, 2.0), Point::new(3.0, 8.0)]);
    let err = Simulation::new(&s).err().unwrap();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "exit \"gate\" cannot be reached from the start of 2 agent(s) (agents 0, 1)"
        ),
        "{text}"
    );
    assert!(
        text.contains("narrower than their bodies (0.40 m wide)"),
        "{text}"
    );
    // A 0.6 m gap lets them through.
    s.walkable.holes[1] = rectangle(6.0, 5.6, 6.2, 10.0);
    let outcome = run(&s).unwrap();
    assert_eq!(outcome.agents_evacuated, 2);
}

/// A free-choice agent whose nearest exit lies behind too narrow a gap takes another exit.
#[test]
fn free_choice_avoids_an_exit_behind_too_narrow_a_gap() {
    let mut s = valid();
    s.walkable.holes = vec![
        rectangle(6.0, 0.0, 6.2, 5.0),
        rectangle(6.0, 5.25, 6.2, 10.0),
    ];
    s.exits
        .push(Exit::new("west", rectangle(0.0, 4.0, 0.4, 6.0)));
    // 4.1 m from the gate through the gap, 5.1 m from the west exit.
    s.populations[0] = Population::at_positions(vec![Point::new(5.5, 5.1)]);
    let outcome = run(&s).unwrap();
    assert_eq!(outcome.agents[0].exit, ExitId(1));
    assert_eq!(outcome.exits[1].count, 1);
}
