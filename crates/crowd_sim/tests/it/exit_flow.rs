//! What an exit's flow and a run's evacuation time are made of: each agent's walking distance
//! and free-walk time against hand geometry, and the busiest-window flow of an exit against a
//! door flow limiter.

use crowd_sim::*;

/// One agent walking alone, first along a straight corridor, then round a wall: its walking
/// distance is the hand-measured path to the exit's centre, its free-walk time that distance at
/// its speed after its pre-movement time, and the evacuation time (the model walks the same
/// path, leaving as soon as its centre enters the exit polygon, 0.2 m before the centre) agrees.
#[test]
fn walking_distance_and_free_walk_time_match_hand_geometry() {
    // Straight: 20 m × 2 m corridor, exit 19.6–20 m, centre x = 19.8; start x = 1.
    let straight = Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 20.0, 2.0)),
        vec![Exit::new("end", rectangle(19.6, 0.5, 20.0, 1.5))],
        vec![Population {
            speed_mps: DesiredSpeed::Fixed(1.0),
            premovement_s: Premovement::Fixed(3.0),
            ..Population::at_positions(vec![Point::new(1.0, 1.0)])
        }],
    );
    let outcome = run(&straight).unwrap();
    assert_eq!((outcome.agents_total, outcome.agents.len()), (1, 1));
    let agent = &outcome.agents[0];
    // The cell containing the start (0.1 m cells) holds the distance of its centre, 0.05 m
    // nearer: 18.8 m − 0.05 m.
    assert!(
        (agent.walking_distance_m - 18.75).abs() < 0.06,
        "{}",
        agent.walking_distance_m
    );
    let free = outcome.free_walk_time_s().unwrap();
    assert!((free - (3.0 + agent.walking_distance_m)).abs() < 1e-9);
    let evacuation = outcome.evacuation_time_s.unwrap();
    // Leaves 0.2 m before the centre: 3 + 18.6 m / 1 m/s.
    assert!((evacuation - 21.6).abs() < 0.1, "{evacuation}");
    assert!(evacuation <= free);

    // Round a wall: a 20 m × 10 m room with a wall at x = 9.9–10.1 from the floor to y = 8;
    // from (2, 1) to the exit's centre (19.8, 1) over the wall's top corners (9.9, 8) and
    // (10.1, 8): √(7.9² + 7²) + 0.2 + √(9.7² + 7²) = 22.72 m.
    let mut room = WalkableArea::new(rectangle(0.0, 0.0, 20.0, 10.0));
    room.holes.push(rectangle(9.9, 0.0, 10.1, 8.0));
    let around = Scenario::new(
        room,
        vec![Exit::new("corner", rectangle(19.6, 0.5, 20.0, 1.5))],
        vec![Population {
            speed_mps: DesiredSpeed::Fixed(1.2),
            ..Population::at_positions(vec![Point::new(2.0, 1.0)])
        }],
    );
    let outcome = run(&around).unwrap();
    let hand = (7.9_f64.hypot(7.0)) + 0.2 + 9.7_f64.hypot(7.0);
    let d = outcome.agents[0].walking_distance_m;
    // First-order fast marching overestimates oblique distances by a few per cent.
    assert!(
        d >= hand - 0.1 && d <= 1.04 * hand,
        "{d} m against {hand:.2} m"
    );
    let free = outcome.free_walk_time_s().unwrap();
    assert!((free - d / 1.2).abs() < 1e-9);
    // The body (radius 0.2 m) keeps off the wall's corners, so the walk is a little longer.
    let evacuation = outcome.evacuation_time_s.unwrap();
    let hand_time = hand / 1.2;
    assert!(
        evacuation >= hand_time - 0.5 && evacuation <= 1.1 * hand_time,
        "{evacuation} s against {hand_time:.1} s"
    );
}

/// A door with a flow limiter of 1.5 p/s and a crowd queued behind it: the busiest 10 s pass
/// the limiter's flow (one person every 2/3 s, released on the 0.01 s steps), and the mean flow
/// over first to last departure does not exceed it.
#[test]
fn the_busiest_flow_of_a_limited_door_is_the_limiter() {
    let mut exit = Exit::new("gate", rectangle(9.6, 4.0, 10.0, 6.0));
    exit.max_flow_p_per_s = Some(1.5);
    let scenario = Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
        vec![exit],
        vec![Population::in_area(rectangle(1.0, 1.0, 8.0, 9.0), 60)],
    );
    let outcome = run(&scenario).unwrap();
    assert_eq!(outcome.agents_evacuated, 60);
    assert_eq!(outcome.agents_total, 60);
    let report = &outcome.exits[0];
    let busiest = report.busiest_flow_p_per_s.unwrap();
    // 15 releases 0.67 s apart fit in [t, t + 10 s).
    assert_eq!(busiest, 1.5, "{report:?}");
    assert!(
        report.mean_flow_p_per_s.unwrap() <= 1.5 + 1e-9,
        "{report:?}"
    );
}
