//! The anticipation velocity model (AVM; Xu, Chraibi, Seyfried 2021, as JuPedSim implements it,
//! crowd.md §1.3): single agents against hand physics, passing in counter-flow where the CFSM
//! jams, the invariants and determinism.

use crowd_sim::validation::{self, counter_flow_corridor};

use crowd_sim::*;

use crate::support::{assert_invariants, run_on_threads};

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

/// The AVM's speed law by hand: a walker 1 m (centre to centre) behind someone standing, both
/// r 0.2 m, takes its first step at (d − (r_i + r_j + 0.02 m buffer)) / T with the AVM's
/// default time gap T = 1.06 s: (1 − 0.42) / 1.06 = 0.5472 m/s, i.e. 5.472 mm in 0.01 s.
#[test]
fn avm_speed_law_uses_the_spacing_buffer_and_its_default_time_gap() {
    let mut s = periodic(vec![Point::new(5.0, 1.0)], 1.2, 0.01);
    let mut standing = Population::at_positions(vec![Point::new(6.0, 1.0)]);
    standing.premovement_s = Premovement::Fixed(1000.0);
    s.populations.push(standing);
    let outcome = run(&s).unwrap();
    let track = validation::track(outcome.trajectories.as_ref().unwrap(), AgentId(0));
    let [(_, x0, y0), (_, x1, y1)] = track[..] else {
        panic!("{track:?}")
    };
    let step = Point::new(x1, y1).distance_to(Point::new(x0, y0));
    let expected = (1.0 - 0.42) / 1.06 * 0.01;
    assert!((step - expected).abs() < 1e-12, "{step} m vs {expected} m");
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

/// The AVM is not collision-free by construction (it creeps forward at 0.01 m/s when its
/// spacing is about zero, as JuPedSim's does): bodies may touch by a few millimetres in dense
/// counter-flow, never more than this, m.
const AVM_OVERLAP_TOLERANCE_M: f64 = 0.01;

/// Counter-flow (NIST 2.8-like): 40 people at each end of a 20 m × 4 m corridor walk to the far
/// end. With the AVM they step aside early and pass in lanes; with the CFSM, whose repulsion
/// points straight back at someone coming head-on, the groups push into each other and clear
/// the corridor much later. Measured (seeds 1 and 2): AVM 45.3 and 45.7 s, CFSM 59.5 and
/// 58.6 s. Pass: everyone out with both models, the AVM at least 15 % sooner on each seed, no
/// wall crossed, no overlap beyond the AVM's tolerance.
#[test]
fn avm_counter_flow_passes_sooner_than_the_cfsm() {
    for seed in [1, 2] {
        let time = |model: Model| {
            let outcome = run(&counter_flow_corridor(20.0, 4.0, 40, model, seed)).unwrap();
            assert_invariants(&outcome, AVM_OVERLAP_TOLERANCE_M);
            assert_eq!(outcome.agents_evacuated, 80, "seed {seed}: {model:?}");
            outcome.evacuation_time_s.unwrap()
        };
        let (avm_s, cfsm_s) = (time(avm()), time(Model::Cfsm(CfsmParameters::default())));
        assert!(
            avm_s < 0.85 * cfsm_s,
            "seed {seed}: AVM {avm_s} s vs CFSM {cfsm_s} s"
        );
    }
}

/// Determinism with the AVM, whose side choice for someone dead ahead is random: the same seed
/// gives the same bits, with one thread or several (600 agents: above the engine's 256-agent
/// parallel split).
#[test]
fn avm_is_deterministic_whatever_the_thread_count() {
    let mut s = validation::market(5, 600, 0.01);
    s.model = avm();
    s.max_time_s = 1.0;
    let on = |threads: usize| run_on_threads(&s, threads);
    let one = on(1);
    assert_invariants(&one, AVM_OVERLAP_TOLERANCE_M);
    let json = |o: &Outcome| serde_json::to_string(o).unwrap();
    assert_eq!(json(&one), json(&on(3)));
    assert_eq!(json(&one), json(&run(&s).unwrap()));
}

/// The AVM's parameters are checked like the CFSM's, with JuPedSim's ranges, and the scenario
/// file names them: `"model": {"kind": "avm", ...}`.
#[test]
fn avm_parameters_from_the_scenario_file_are_checked() {
    let file = |model: &str| {
        format!(
            r#"{{"walkable": {{"outer": [[0,0],[10,0],[10,4],[0,4]]}},
                "exits": [{{"name": "e", "polygon": [[9.6,1],[10,1],[10,3],[9.6,3]]}}],
                "populations": [{{"positions": [[1,2]]}}],
                "model": {model}}}"#
        )
    };
    let s = Scenario::from_json(&file(r#"{"kind": "avm"}"#)).unwrap();
    assert_eq!(s.model, avm());
    let s = Scenario::from_json(&file(r#"{"kind": "avm", "anticipation_time_s": 0.5}"#)).unwrap();
    let Model::Avm(p) = s.model else {
        panic!("{:?}", s.model)
    };
    assert_eq!(p.anticipation_time_s, 0.5);
    assert_eq!(p.reaction_time_s, 0.3);
    let s = Scenario::from_json(&file(r#"{"kind": "avm", "reaction_time_s": 1.5}"#)).unwrap();
    let err = run(&s).unwrap_err().to_string();
    assert!(err.contains("model.reaction_time_s"), "{err}");
    let err = Scenario::from_json(&file(r#"{"kind": "avm", "time_gap_s": 1}"#))
        .unwrap_err()
        .to_string();
    assert!(err.contains("model"), "{err}");
}
