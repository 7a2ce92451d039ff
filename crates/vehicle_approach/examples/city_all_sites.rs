//! Every candidate site of a city extract × every standard vehicle class, as issue 3's
//! benchmark runs it, with a fingerprint of every result: for measuring the engine (timings,
//! or instruction counts under `valgrind --tool=callgrind`) and checking that a change to it
//! leaves every number as it was.
//!
//! `cargo run --release -p vehicle_approach --example city_all_sites -- [munich|london|PATH]
//! [THREADS] [EVERY_NTH_SITE] [memory]`
//!
//! Prints the parse, prepare, shared-search and per-site times, the search statistics and the
//! SHA-256 of the `Debug` text of every analysis in site order (`Debug` prints each f64 in its
//! shortest round-trip form, so equal fingerprints mean equal results bit for bit). With
//! `memory` it keeps no analysis (so no fingerprint) and prints the peak resident size
//! (VmHWM, Linux) instead, as the benchmark measures it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use sha2::{Digest, Sha256};
use vehicle_approach::{
    Options, PreparedNetwork, Study, network_from_street_network, standard_vehicle_classes,
};

#[path = "../tests/common/candidates.rs"]
mod candidates;

fn main() {
    let mut args = std::env::args().skip(1);
    let city = args.next().unwrap_or_else(|| "munich".to_string());
    let threads: usize = args.next().map_or(1, |t| t.parse().expect("THREADS"));
    let every: usize = args
        .next()
        .map_or(1, |n| n.parse().expect("EVERY_NTH_SITE"));
    let memory_only = args.next().is_some_and(|a| a == "memory");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path: PathBuf = match city.as_str() {
        "munich" => root.join("data/demo/munich-altstadt-2020.osm.pbf"),
        "london" => root.join("data/osm/london-city-west-2020.osm.pbf"),
        other => PathBuf::from(other),
    };

    let start = Instant::now();
    let extract = osm_import::read_osm_file(&path).expect("the extract reads");
    let parse = start.elapsed();

    let start = Instant::now();
    let (network, _) = network_from_street_network(&extract.network);
    let prepared = PreparedNetwork::new(&network);
    let prepare = start.elapsed();

    let studies: Vec<Study> = candidates::candidate_studies(&extract)
        .into_iter()
        .map(|(_, study)| study)
        .step_by(every)
        .collect();
    let vehicles = standard_vehicle_classes();

    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| prepared.run_shared_searches(&vehicles, &Options::default()));
        }
    });
    let shared = start.elapsed();

    let start = Instant::now();
    let next = AtomicUsize::new(0);
    // Formatted after the clock stops: the text is for the fingerprint only.
    let analyses: Mutex<Vec<Option<_>>> = Mutex::new(vec![None; studies.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(study) = studies.get(i) else { break };
                    let analysis = prepared.analyse(study, &vehicles);
                    if !memory_only {
                        analyses.lock().unwrap()[i] = Some(analysis);
                    }
                }
            });
        }
    });
    let sites = start.elapsed();

    if memory_only {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = status
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .unwrap_or("VmHWM ?");
        println!(
            "{city}: {} sites; prepare {:.3} s; shared searches {:.3} s; sites {:.3} s; {peak}",
            studies.len(),
            prepare.as_secs_f64(),
            shared.as_secs_f64(),
            sites.as_secs_f64()
        );
        return;
    }
    let mut hash = Sha256::new();
    let mut entries = 0;
    for analysis in analyses.into_inner().unwrap() {
        let text = format!("{:?}", analysis.expect("every site analysed"));
        entries += text.matches("EntryPoint {").count();
        hash.update(text.as_bytes());
    }
    let statistics = prepared.search_statistics();
    println!(
        "{city}: {} sites, {entries} entries, {} vehicle classes, {threads} threads",
        studies.len(),
        vehicles.len()
    );
    println!(
        "parse {:.3} s; prepare {:.3} s; shared searches {:.3} s; sites {:.3} s; analysis {:.3} s",
        parse.as_secs_f64(),
        prepare.as_secs_f64(),
        shared.as_secs_f64(),
        sites.as_secs_f64(),
        (prepare + shared + sites).as_secs_f64()
    );
    println!("{statistics:?}");
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("fingerprint {digest}");
}
