//! Checks shared by the test modules.

use crowd_sim::validation::CaseReport;
use crowd_sim::{Error, Outcome, Scenario, run};

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

/// Runs one validation case of `crowd_sim::validation` (the same code `agora crowd validate`
/// runs), prints its measured value and fails with every failed criterion.
pub fn check_case(report: Result<CaseReport, Error>) {
    let report = report.expect("the case's scenario is valid");
    println!(
        "{} {}: measured {}; expected {} ({})",
        report.id, report.title, report.measured, report.expected, report.source
    );
    assert!(report.passed(), "{}: {:#?}", report.id, report.failures);
}

/// Runs a scenario on a rayon pool of `threads` threads.
pub fn run_on_threads(scenario: &Scenario, threads: usize) -> Outcome {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run(scenario).unwrap())
}
