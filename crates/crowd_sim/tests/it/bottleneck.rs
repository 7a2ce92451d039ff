//! Bottleneck flow: the width sweep against JuPedSim (V9), the published specific flows, and
//! the door flow limiter (V17).

use crowd_sim::validation::{self, bottleneck, relative, steady_flow};
use crowd_sim::*;

use crate::support::{assert_invariants, check_case};

/// V9 (one draw of the sweep, in the default suite) — a 2.0 m door, seed 7. JuPedSim 1.4.2 on
/// the same 150 start positions: 2.2477 p/s (`validation::JUPEDSIM_BOTTLENECK_FLOWS`), parity
/// ± 10 %; specific flow between Weidmann's maximum 1.22 p/(m s) minus 10 % and the design
/// value 1.3 p/(m s) (CFSM with T = 1 s gives ~1.1, crowd.md §3.4).
#[test]
fn v9_bottleneck_2m_parity_with_jupedsim() {
    let outcome = run(&bottleneck(2.0, 150, 7)).unwrap();
    assert_eq!(outcome.agents_evacuated, 150);
    assert_invariants(&outcome, 1e-3);
    let flow = steady_flow(&outcome);
    println!(
        "V9 2 m: {flow:.3} p/s (JuPedSim 2.2477), min clearance {:.4} m, peak {:?}",
        outcome.invariants.min_pair_clearance_m, outcome.density.peak
    );
    assert!(
        relative(flow, 2.2477) <= 0.10,
        "flow {flow} p/s vs JuPedSim 2.2477"
    );
    let specific = flow / 2.0;
    assert!((1.0..=1.3).contains(&specific), "specific flow {specific}");
}

/// V9 — the full sweep, 0.8–2.0 m, three draws per width, parity ± 10 % with JuPedSim 1.4.2
/// run on the same draws, J(b) increasing, 0.8 m clogging where JuPedSim clogs (see
/// `crowd_sim::validation::v9_bottleneck_sweep`). Measured: +3 / +3 / +1 / +2 % at 1.0 / 1.2
/// / 1.6 / 2.0 m; 0.8 m clogs on draws 7 and 8, as JuPedSim's. Before exits steered agents to
/// their centre (as JuPedSim does) the 1.0–1.2 m doors passed 10–17 % more than JuPedSim.
///
/// Ignored as long (15 runs of 150 agents for up to 300 simulated s, about two minutes); run
/// with `cargo test -p crowd_sim -- --ignored --nocapture v9`.
#[test]
#[ignore = "long: 15 runs of 150 agents; run with -- --ignored"]
fn v9_bottleneck_width_sweep() {
    check_case(validation::v9_bottleneck_sweep());
}

/// V9, calibrated: with a time gap of 0.6 s the specific flow of a 1.6 m door (mean of three
/// draws) lies between the design value 1.3 and the lab value 1.9 p/(m s) (Seyfried et al.
/// 2009; crowd.md §4.4). (T = 0.5 s gave 1.86 and 2.00 p/(m s) in two draws: above the band.)
#[test]
#[ignore = "long: three runs of 150 agents; run with -- --ignored"]
fn v9_calibrated_time_gap_reaches_design_to_lab_flows() {
    let draws: Vec<f64> = [7, 8, 9]
        .into_iter()
        .map(|seed| {
            let mut s = bottleneck(1.6, 150, seed);
            s.populations[0].time_gap_s = Some(0.6);
            steady_flow(&run(&s).unwrap()) / 1.6
        })
        .collect();
    let specific = draws.iter().sum::<f64>() / 3.0;
    println!("T = 0.6 s, b = 1.6 m: {specific:.3} p/(m s), draws {draws:.3?}");
    assert!((1.3..=1.9).contains(&specific), "{specific}");
}

/// V17 — NIST 5.2: a 2 m door with a 1.33 p/(m s) limiter passes at most the cap + 5 %.
#[test]
fn v17_flow_limiter_caps_door_flow() {
    check_case(validation::v17_flow_limiter());
}
