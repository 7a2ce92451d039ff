//! Route allocation, waypoints, congestion location and nearest-exit choice.

use crowd_sim::validation::{self, twelve_rooms};
use crowd_sim::*;

use crate::support::{assert_invariants, check_case};

/// V11 — RiMEA 10: every person leaves by its allocated exit.
#[test]
fn v11_rimea_10_route_allocation() {
    check_case(validation::v11_route_allocation());
}

/// Without an allocation each agent takes the exit with the shortest walk: in the twelve-room
/// layout that is the west exit for rooms 1–3 and 7–9 and the east exit for the others.
#[test]
fn nearest_exit_by_walking_distance() {
    let (area, exits, rooms) = twelve_rooms();
    let populations = rooms
        .into_iter()
        .map(|room| Population::in_area(room, 1))
        .collect();
    let mut s = Scenario::new(area, exits, populations);
    s.max_time_s = 0.05;
    let outcome = run(&s).unwrap();
    for agent in &outcome.agents {
        let west = agent.start.x < 15.0;
        assert_eq!(agent.exit, ExitId(if west { 0 } else { 1 }), "{agent:?}");
    }
}

/// Waypoints are visited in order: an agent routed through a waypoint in the far corner of a
/// room passes within its reach distance before leaving.
#[test]
fn waypoints_are_visited_in_order() {
    let mut walker = Population::at_positions(vec![Point::new(1.0, 1.0)]);
    walker.speed_mps = DesiredSpeed::Fixed(1.2);
    walker.route = vec!["corner".into()];
    let mut s = Scenario::new(
        WalkableArea::new(rectangle(0.0, 0.0, 10.0, 10.0)),
        vec![Exit::new("east", rectangle(9.6, 0.5, 10.0, 1.5))],
        vec![walker],
    );
    s.waypoints.push(Waypoint {
        name: "corner".into(),
        position: Point::new(2.0, 8.0),
        distance_m: 0.5,
    });
    s.output.trajectory_interval_s = Some(0.01);
    let outcome = run(&s).unwrap();
    assert_eq!(outcome.agents_evacuated, 1);
    let traj = outcome.trajectories.unwrap();
    let closest = (0..traj.x.len())
        .map(|k| Point::new(traj.x[k], traj.y[k]).distance_to(Point::new(2.0, 8.0)))
        .fold(f64::INFINITY, f64::min);
    assert!(closest <= 0.5 + 0.02, "closest approach {closest} m");
    // Hand check: 7.07 m to the waypoint's edge zone, then ~10.3 m to the exit, at 1.2 m/s.
    let t = outcome.evacuation_time_s.unwrap();
    assert!((12.0..17.0).contains(&t), "{t} s");
}

/// V13 — RiMEA 12: congestion before the corridor, not before the final exit.
#[test]
#[ignore = "long: 150 agents for ~170 simulated s; run with -- --ignored"]
fn v13_rimea_12_congestion_before_the_bottleneck_only() {
    check_case(validation::v13_congestion_location());
}

/// RiMEA test 11 (choice of escape route), scaled: 80 persons packed in the west half of a
/// 12 m × 8 m hall with two 1 m exits on the north wall, one above the crowd (x 5–6) and one
/// 5.5 m further east (x 10.5–11.5). RiMEA's expectation (qualitative): most use the nearer
/// exit, with congestion there, and some use the second. With `Nearest` everyone queues at exit
/// 1; with `Quickest` some switch, fewer than half, and the hall empties sooner.
#[test]
fn rimea_11_congestion_aware_exit_choice() {
    let scenario = |choice: ExitChoice| {
        let mut group = Population::in_area(rectangle(0.0, 0.0, 5.0, 8.0), 80);
        group.speed_mps = DesiredSpeed::Fixed(1.34);
        let mut s = Scenario::new(
            WalkableArea::new(rectangle(0.0, 0.0, 12.0, 8.0)),
            vec![
                Exit::new("near", rectangle(5.0, 7.7, 6.0, 8.0)),
                Exit::new("far", rectangle(10.5, 7.7, 11.5, 8.0)),
            ],
            vec![group],
        );
        s.seed = 11;
        s.exit_choice = choice;
        s
    };
    let nearest = run(&scenario(ExitChoice::Nearest)).unwrap();
    assert_eq!(nearest.exits[0].count, 80);
    let quickest = run(&scenario(ExitChoice::QUICKEST)).unwrap();
    assert_eq!(quickest.agents_evacuated, 80);
    assert_invariants(&quickest, 1e-3);
    let (near, far) = (quickest.exits[0].count, quickest.exits[1].count);
    assert!(far > 0 && near > far, "near {near}, far {far}");
    let (t_nearest, t_quickest) = (
        nearest.evacuation_time_s.unwrap(),
        quickest.evacuation_time_s.unwrap(),
    );
    println!(
        "RiMEA 11: nearest {t_nearest:.2} s; quickest {t_quickest:.2} s, near {near}, far {far}"
    );
    assert!(t_quickest < t_nearest, "{t_quickest} s vs {t_nearest} s");
}
