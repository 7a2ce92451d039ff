//! The anticipation velocity model (AVM; Xu, Chraibi, Seyfried 2021, as JuPedSim implements it,
//! crowd.md §1.3): single agents against hand physics, passing in counter-flow where the CFSM
//! jams, the invariants and determinism.

use crowd_sim::validation::{self, counter_flow_corridor};

use crowd_sim::*;

use crate::support::assert_invariants;

fn avm() -> Model {
    Model::Avm(AvmParameters::default())
}

/// A periodic corridor 26 m × 2 m (no ends, desired direction exactly +x) with agents at the
/// given positions, the AVM, positions every step.
fn periodic(positions: Vec<Point>, speed_mps: f64, seconds: f64) -> Scenario {
    let mut s = validation::periodic_corridor(26.0, 2.0, positions.len());
    s.populations[0] = Population::at_positions(positions);
    s.populations[0].speed_mps = DesiredSpeed::Fixed(speed_mps);
    s.model = avm();
    s.max_time_s = seconds;
    s.output.trajectory_interval_s = Some(s.dt_s);
    s
}

/// RiMEA 1 with the AVM: alone, an agent walks at its desired speed from the first step (the
/// speed law is first order and no one is in the way): 40 m at 1.33 m/s take 30.075 s.
#[test]
fn avm_free_walker_covers_40_m_at_its_desired_speed() {
    let mut s = validation::rimea_1_corridor(0.0, 1.33);
    s.model = avm();
    let outcome = run(&s).unwrap();
    assert_invariants(&outcome, 0.0);
    let track = validation::track(outcome.trajectories.as_ref().unwrap(), AgentId(0));
    let t0 = validation::crossing_time(&track, |p| p.x, 1.0).unwrap();
    let t1 = validation::crossing_time(&track, |p| p.x, 41.0).unwrap();
    let expected = 40.0 / 1.33;
    assert!(
        (t1 - t0 - expected).abs() < 0.02,
        "{} s vs {expected} s",
        t1 - t0
    );
}

/// Walls only deflect in the AVM (no repulsion): an agent walking parallel to a wall inside the
/// wall buffer (0.25 m from it, buffer reaching 0.3 m) keeps its line exactly, where the CFSM's
/// wall repulsion (5·exp((0.2 − 0.25)/0.02) = 0.41 of the desired direction) pushes it away.
/// Hand physics: after 10 s at 1.2 m/s, x has advanced 12 m and y is still 0.25 m.
#[test]
fn avm_agent_glides_along_a_wall_without_being_pushed_off() {
    let s = periodic(vec![Point::new(3.0, 0.25)], 1.2, 10.0);
    let outcome = run(&s).unwrap();
    assert_invariants(&outcome, 0.0);
    let track = validation::track(outcome.trajectories.as_ref().unwrap(), AgentId(0));
    let (t_end, x_end, _) = *track.last().unwrap();
    let travelled = (x_end - 3.0).rem_euclid(26.0);
    assert!(
        (travelled - 12.0).abs() < 1e-6,
        "{travelled} m at {t_end} s"
    );
    assert!(track.iter().all(|&(_, _, y)| (y - 0.25).abs() < 1e-12));

    let mut cfsm = s.clone();
    cfsm.model = Model::Cfsm(CfsmParameters::default());
    let outcome = run(&cfsm).unwrap();
    let track = validation::track(outcome.trajectories.as_ref().unwrap(), AgentId(0));
    assert!(
        track.last().unwrap().2 > 0.3,
        "the CFSM agent is pushed off the wall"
    );
}

/// Jülich test 4 (crowd.md §3.3), overtaking a standing pedestrian: a walker right behind
/// someone who stands (a long pre-movement time) steps aside early (anticipation), passes
/// without touching and is ahead after 20 s; the CFSM walker, whose repulsion from a person
/// dead ahead points straight back, stops behind them, at the gap its speed law leaves.
#[test]
fn avm_walker_passes_a_standing_person_where_the_cfsm_stops() {
    let scenario = |model: Model| {
        let mut s = periodic(vec![Point::new(2.0, 1.0)], 1.2, 20.0);
        let mut standing = Population::at_positions(vec![Point::new(10.0, 1.0)]);
        standing.premovement_s = Premovement::Fixed(1000.0);
        s.populations.push(standing);
        s.model = model;
        s
    };
    let outcome = run(&scenario(avm())).unwrap();
    assert_invariants(&outcome, 0.0);
    let traj = outcome.trajectories.as_ref().unwrap();
    let walker = validation::track(traj, AgentId(0));
    // Unwrapped x: the walker passes x = 10 (beside the standing person) and keeps going.
    let passed = validation::crossing_time(&walker, |p| p.x, 10.5);
    assert!(passed.is_some(), "the AVM walker never got past");
    let min_gap = walker
        .iter()
        .map(|&(_, x, y)| Point::new(x, y).distance_to(Point::new(10.0, 1.0)) - 0.4)
        .fold(f64::INFINITY, f64::min);
    assert!(min_gap > 0.0, "touched the standing person ({min_gap} m)");

    let outcome = run(&scenario(Model::Cfsm(CfsmParameters::default()))).unwrap();
    assert_invariants(&outcome, 0.0);
    let walker = validation::track(outcome.trajectories.as_ref().unwrap(), AgentId(0));
    let (_, x, y) = *walker.last().unwrap();
    assert!(
        x < 10.0 - 0.4 && x > 9.0,
        "the CFSM walker waits behind: x = {x}"
    );
    assert!((y - 1.0).abs() < 1e-9);
}
