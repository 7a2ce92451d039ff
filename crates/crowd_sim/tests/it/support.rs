//! Scenario builders and checks shared by the test modules.

use crowd_sim::{AgentId, Outcome, Point, Trajectories};

/// Every run checks the CFSM invariants (crowd.md §5.3 V18): no move crosses a wall and no two
/// bodies overlap by more than `overlap_tolerance_m`.
pub fn assert_invariants(outcome: &Outcome, overlap_tolerance_m: f64) {
    assert_eq!(
        outcome.invariants.wall_crossings, 0,
        "an agent crossed a wall"
    );
    assert!(
        outcome.invariants.min_pair_clearance_m >= -overlap_tolerance_m,
        "bodies overlap by {} m",
        -outcome.invariants.min_pair_clearance_m
    );
}

/// The recorded positions of one agent, in time order: (t, x, y).
pub fn track(traj: &Trajectories, agent: AgentId) -> Vec<(f64, f64, f64)> {
    (0..traj.agent.len())
        .filter(|&k| traj.agent[k] == agent)
        .map(|k| (traj.time_s[k], traj.x[k], traj.y[k]))
        .collect()
}

/// First time at which `coordinate(position) >= threshold` along a track, linearly interpolated
/// between samples.
pub fn crossing_time(
    track: &[(f64, f64, f64)],
    coordinate: impl Fn(Point) -> f64,
    threshold: f64,
) -> f64 {
    for w in track.windows(2) {
        let (t0, x0, y0) = w[0];
        let (t1, x1, y1) = w[1];
        let c0 = coordinate(Point::new(x0, y0));
        let c1 = coordinate(Point::new(x1, y1));
        if c0 < threshold && c1 >= threshold {
            return t0 + (threshold - c0) / (c1 - c0) * (t1 - t0);
        }
    }
    panic!("the track never reaches {threshold}");
}

/// Relative difference |a − b| / b.
pub fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}
