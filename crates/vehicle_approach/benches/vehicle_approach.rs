//! Benchmarks for issue 3's performance targets.
//!
//! Two cities:
//! - the Munich demo extract (`data/demo/munich-altstadt-2020.osm.pbf`, © OpenStreetMap
//!   contributors, ODbL), read by `osm_import`: every candidate site it finds × every vehicle
//!   class. (The London extract named in issue 3 is not in the repository yet.)
//! - a synthetic old town (`synthetic_city(50, 50, 90 m, 4 pieces per street)`, about 20 000
//!   segments, 12 sites), which needs no data file.
//!
//! Targets (issue 3, item 5), printed beside the figures after the criterion runs:
//! - the analysis of all sites takes no longer than parsing the PBF itself (both printed);
//! - the old town complete in under 1 s on 2 cores;
//! - peak memory printed (the process's VmHWM, Linux only).
//!
//! `cargo bench -p vehicle_approach` runs criterion, then prints the whole-city figures.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use vehicle_approach::{
    Analysis, Network, Point, Study, SyntheticCity, analyse, network_from_street_network,
    standard_vehicle_classes, synthetic_city,
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

fn munich_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/munich-altstadt-2020.osm.pbf")
}

/// The Munich extract's network and the perimeters of its candidate sites, in the network frame.
fn munich() -> (Network, Vec<(String, Vec<Point>)>) {
    let extract = osm_import::read_osm_file(&munich_path()).expect("the demo extract reads");
    let (network, _) = network_from_street_network(&extract.network);
    let sites = extract
        .candidates
        .iter()
        .filter_map(|candidate| {
            let outline = candidate.polygon.as_geo().0.first()?;
            let ring = outline
                .exterior()
                .coords()
                .map(|c| {
                    let p = extract.network.frame.project(c.x, c.y);
                    Point::new(p.east_m, p.north_m)
                })
                .collect();
            Some((
                candidate
                    .name
                    .clone()
                    .unwrap_or_else(|| candidate.osm_ref.clone()),
                ring,
            ))
        })
        .collect();
    (network, sites)
}

/// All `sites` of `network` × all vehicle classes on `threads` threads; returns the entry count.
fn analyse_network_sites(
    network: &Network,
    sites: &[(String, Vec<Point>)],
    threads: usize,
) -> usize {
    let vehicles = standard_vehicle_classes();
    let chunk = sites.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sites
            .chunks(chunk)
            .map(|sites| {
                let vehicles = &vehicles;
                scope.spawn(move || {
                    sites
                        .iter()
                        .filter_map(|(_, ring)| {
                            analyse(network, &Study::new(ring.clone()), vehicles).ok()
                        })
                        .map(|analysis| analysis.entries.len())
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

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".to_string())
}

fn benchmarks(c: &mut Criterion) {
    let (munich_network, munich_sites) = munich();
    let marienplatz = munich_sites
        .iter()
        .find(|(name, _)| name == "Marienplatz")
        .map(|(_, ring)| ring.clone());
    let mut group = c.benchmark_group("munich");
    group.sample_size(10);
    if let Some(ring) = marienplatz {
        let vehicles = standard_vehicle_classes();
        group.bench_function("marienplatz_8_vehicle_classes", |b| {
            b.iter(|| {
                analyse(&munich_network, &Study::new(ring.clone()), &vehicles).expect("valid study")
            })
        });
    }
    group.finish();

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
    let start = Instant::now();
    let extract = osm_import::read_osm_file(&munich_path()).expect("the demo extract reads");
    let parse = start.elapsed();
    drop(extract);
    let (network, sites) = munich();
    println!(
        "munich: {} nodes, {} ways, {} candidate sites x {} vehicle classes",
        network.nodes.len(),
        network.ways.len(),
        sites.len(),
        standard_vehicle_classes().len()
    );
    println!(
        "munich: parsing the PBF (osm_import): {:.3} s",
        parse.as_secs_f64()
    );
    for threads in [1, 2] {
        let start = Instant::now();
        let entries = analyse_network_sites(&network, &sites, threads);
        let elapsed = start.elapsed();
        let verdict = if elapsed <= parse { "met" } else { "NOT met" };
        println!(
            "munich: all sites, {threads} thread(s): {:.3} s for {entries} entries (target <= PBF parse time: {verdict})",
            elapsed.as_secs_f64()
        );
    }

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
    println!("peak memory (VmHWM): {}", peak_memory());
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only under `cargo bench` (which passes --bench), not when tests run the target once.
    if std::env::args().any(|arg| arg == "--bench") {
        report_targets();
    }
}
