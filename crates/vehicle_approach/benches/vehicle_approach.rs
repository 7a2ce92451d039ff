//! Benchmarks for issue 3's performance targets.
//!
//! Until the OSM adapter exists, the "old town" is a synthetic city of the size of the Munich
//! Altstadt extract's street network (about 20 000 drivable segments, 12 candidate sites):
//! `synthetic_city(50, 50, 90 m, 4 pieces per street)`. Targets (issue 3, item 5):
//! - every candidate site × every vehicle class of the old town in under 1 s on 2 cores;
//! - (not measurable here) the analysis no slower than parsing the PBF, and peak memory printed:
//!   both need the OSM import and belong to `agora bench hvm`.
//!
//! `cargo bench -p vehicle_approach` runs criterion, then prints the whole-city figures with the
//! target beside them.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use vehicle_approach::{
    Analysis, Study, SyntheticCity, analyse, standard_vehicle_classes, synthetic_city,
};

const OLD_TOWN_TARGET: Duration = Duration::from_secs(1);

fn old_town() -> SyntheticCity {
    synthetic_city(50, 50, 90.0, 4, 12, 2016)
}

fn analyse_sites(city: &SyntheticCity, sites: &[Vec<vehicle_approach::Point>]) -> Vec<Analysis> {
    let vehicles = standard_vehicle_classes();
    sites
        .iter()
        .map(|site| {
            analyse(&city.network, &Study::new(site.clone()), &vehicles).expect("valid study")
        })
        .collect()
}

/// All sites on `threads` threads (the engine is single-threaded; callers spread sites).
fn analyse_all_sites_parallel(city: &SyntheticCity, threads: usize) -> usize {
    let chunk = city.sites.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = city
            .sites
            .chunks(chunk)
            .map(|sites| {
                scope.spawn(move || {
                    analyse_sites(city, sites)
                        .iter()
                        .map(|a| a.entries.len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    })
}

fn benchmarks(c: &mut Criterion) {
    let city = old_town();
    let vehicles = standard_vehicle_classes();
    let mut group = c.benchmark_group("old_town");
    group.sample_size(10);
    group.bench_function("one_site_8_vehicle_classes", |b| {
        b.iter(|| {
            analyse(&city.network, &Study::new(city.sites[0].clone()), &vehicles)
                .expect("valid study")
        })
    });
    group.bench_function("one_site_one_vehicle_class", |b| {
        b.iter(|| {
            analyse(
                &city.network,
                &Study::new(city.sites[0].clone()),
                &vehicles[3..4],
            )
            .expect("valid study")
        })
    });
    group.bench_function("all_12_sites_8_vehicle_classes_2_threads", |b| {
        b.iter(|| analyse_all_sites_parallel(&city, 2))
    });
    group.finish();
}

criterion_group!(benches, benchmarks);

fn report_targets() {
    let city = old_town();
    let segments: usize = city.network.ways.iter().map(|w| w.nodes.len() - 1).sum();
    println!(
        "old town (synthetic): {} nodes, {} ways, {segments} segments, {} sites x {} vehicle classes",
        city.network.nodes.len(),
        city.network.ways.len(),
        city.sites.len(),
        standard_vehicle_classes().len()
    );
    for threads in [1, 2] {
        let start = Instant::now();
        let entries = analyse_all_sites_parallel(&city, threads);
        let elapsed = start.elapsed();
        let verdict = match (threads, elapsed <= OLD_TOWN_TARGET) {
            (2, true) => "target < 1 s on 2 threads: met",
            (2, false) => "target < 1 s on 2 threads: NOT met",
            _ => "reference",
        };
        println!(
            "all sites, {threads} thread(s): {:.3} s for {entries} entries ({verdict})",
            elapsed.as_secs_f64()
        );
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only under `cargo bench` (which passes --bench), not when tests run the target once.
    if std::env::args().any(|arg| arg == "--bench") {
        report_targets();
    }
}
