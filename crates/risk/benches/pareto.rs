//! Timing of the exact Pareto search on 25 measures of the shipped catalogue, the top of the
//! 10-25 measures a site's applicable set has (issue 5, scope 5).
//!
//! The site is a busy square with all ten threats scored; the 25 candidates are the shipped
//! catalogue's measures after dropping every other HVM perimeter alternative, so that several
//! exclusive groups remain. `cargo bench -p risk` prints the front size once, then times
//! `pareto_plans` with and without a budget.
//!
//! Measured on the shared 2-core machine (other sessions compiling; release profile):
//! no budget 144 ms (873 Pareto-optimal plans), EUR 500 000 budget 88 µs (17 plans).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use risk::*;

#[path = "../tests/it/sites.rs"]
mod sites;
use sites::busy_square;

/// 25 measures: all but every other HVM perimeter alternative, then the first 25.
fn candidates(catalogue: &Catalogue) -> Vec<&Measure> {
    let mut perimeter = 0;
    catalogue
        .measures
        .iter()
        .filter(|measure| {
            if measure.exclusive_group.as_deref() == Some("hvm.perimeter_line") {
                perimeter += 1;
                perimeter % 2 == 1
            } else {
                true
            }
        })
        .take(25)
        .collect()
}

fn pareto_25(c: &mut Criterion) {
    let catalogue = shipped_catalogue();
    let site = busy_square();
    let chosen = candidates(&catalogue);
    assert_eq!(chosen.len(), 25);
    for budget in [None, Some(500_000)] {
        let options = PlanOptions {
            budget_eur: budget,
            ..PlanOptions::default()
        };
        let start = Instant::now();
        let front = pareto_plans(&site, &chosen, &options).unwrap();
        println!(
            "25 measures, budget {budget:?}: {} Pareto-optimal plans, first run {:.3} s",
            front.len(),
            start.elapsed().as_secs_f64()
        );
    }
    let mut group = c.benchmark_group("pareto_plans");
    group.sample_size(10);
    group.bench_function("25 measures, no budget", |b| {
        b.iter(|| {
            pareto_plans(
                black_box(&site),
                black_box(&chosen),
                &PlanOptions::default(),
            )
            .unwrap()
        })
    });
    let budget = PlanOptions {
        budget_eur: Some(500_000),
        ..PlanOptions::default()
    };
    group.bench_function("25 measures, EUR 500 000 budget", |b| {
        b.iter(|| pareto_plans(black_box(&site), black_box(&chosen), &budget).unwrap())
    });
    group.finish();
}

criterion_group!(benches, pareto_25);
criterion_main!(benches);
