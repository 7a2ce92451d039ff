//! `agora bench hvm`: the hostile-vehicle engine against issue 3's targets, on real extracts.
//!
//! For each map: the time to parse the extract (PBF to the city model), then the time to analyse
//! every candidate public space it holds for every standard vehicle class: preparing the
//! engine's network, then every site through the same path as a study (`app::analyse_outline`),
//! spread over `--threads` threads. Each map is measured `--runs` times from its bytes on; the
//! figures are medians, with the ranges below them, since one run on a shared machine moves by a
//! tenth or more from minute to minute. Targets, judged on the medians: the analysis no longer
//! than the parse, the Munich old town under 1 s on 2 cores; the process's peak memory is
//! printed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

/// Arguments of `agora bench hvm`.
#[derive(Args)]
pub struct HvmBenchArgs {
    /// Extracts to measure (default: the demo's Munich old town, and
    /// data/osm/london-city-west-2020.osm.pbf when run from the repository).
    #[arg(long = "map")]
    maps: Vec<PathBuf>,
    /// Threads the sites are spread over.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Times each map is measured; the figures are the medians.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    runs: u32,
}

const LONDON: &str = "data/osm/london-city-west-2020.osm.pbf";
const OLD_TOWN_TARGET: Duration = Duration::from_secs(1);

/// One run over one map.
struct Figures {
    name: String,
    parse: Duration,
    /// The engine's network built from the city model (part of the analysis).
    prepare: Duration,
    sites: usize,
    entries: usize,
    /// Sites whose analysis failed, and the first such error: they took part in the timing
    /// only as far as they got, so the figures say so rather than passing over them.
    rejected: usize,
    first_rejection: Option<String>,
    /// Every site analysed, after `prepare`.
    per_site: Duration,
}

impl Figures {
    /// What the targets are about: everything after the parse.
    fn analysis(&self) -> Duration {
        self.prepare + self.per_site
    }
}

/// The middle of `values` (the upper middle of an even count), and their least and greatest.
fn median_and_range(mut values: Vec<Duration>) -> (Duration, Duration, Duration) {
    values.sort();
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

/// Runs `agora bench hvm`.
pub async fn run(args: HvmBenchArgs) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        // The parse (a workspace crate) is then unoptimised while the engine is not, so the
        // comparison between them says nothing about the targets.
        eprintln!(
            "note: this agora is a debug build; the targets are for a release build \
             (cargo run --release -- bench hvm)"
        );
    }
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    if args.maps.is_empty() {
        inputs.push((
            app::DEMO_EXTRACT_NAME.to_string(),
            crate::DEMO_EXTRACT.to_vec(),
        ));
        if let Ok(bytes) = std::fs::read(LONDON) {
            inputs.push((LONDON.to_string(), bytes));
        } else {
            eprintln!("note: {LONDON} not found (run from the repository root to include London)");
        }
    }
    for path in &args.maps {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        inputs.push((path.display().to_string(), bytes));
    }
    let threads = args.threads.max(1);
    let mut all: Vec<Vec<Figures>> = Vec::new();
    for (name, bytes) in inputs {
        eprintln!("measuring {name} ({} runs) ...", args.runs);
        let mut runs = Vec::new();
        for _ in 0..args.runs {
            runs.push(measure(name.clone(), bytes.clone(), threads).await?);
        }
        all.push(runs);
    }
    println!(
        "{:<44} {:>9} {:>10} {:>6} {:>8} {:>12}  targets (medians of {} runs)",
        "map", "parse s", "prepare s", "sites", "entries", "analysis s", args.runs
    );
    for runs in &all {
        let figures = &runs[0];
        let part = |of: fn(&Figures) -> Duration| median_and_range(runs.iter().map(of).collect());
        let (parse, analysis) = (part(|f| f.parse), part(Figures::analysis));
        let mut verdicts = vec![format!("analysis <= parse: {}", met(analysis.0 <= parse.0))];
        if figures.name.contains("munich") {
            verdicts.push(format!(
                "old town < {} s on {threads} threads: {}",
                OLD_TOWN_TARGET.as_secs(),
                met(analysis.0 < OLD_TOWN_TARGET)
            ));
        }
        println!(
            "{:<44} {:>9.3} {:>10.3} {:>6} {:>8} {:>12.3}  {}",
            figures.name,
            parse.0.as_secs_f64(),
            part(|f| f.prepare).0.as_secs_f64(),
            figures.sites,
            figures.entries,
            analysis.0.as_secs_f64(),
            verdicts.join("; ")
        );
        println!(
            "  ranges over {} runs: parse {:.3}-{:.3} s, analysis {:.3}-{:.3} s",
            runs.len(),
            parse.1.as_secs_f64(),
            parse.2.as_secs_f64(),
            analysis.1.as_secs_f64(),
            analysis.2.as_secs_f64()
        );
        if let Some(first) = &figures.first_rejection {
            println!(
                "  {} of {} sites could not be analysed, so the figures above leave them out; \
                 the first: {first}",
                figures.rejected, figures.sites
            );
        }
    }
    println!(
        "vehicle classes: {}; threads: {threads}; peak memory (VmHWM): {}",
        app::vehicle_approach::standard_vehicle_classes()
            .iter()
            .map(|vehicle| vehicle.code.as_str())
            .collect::<Vec<_>>()
            .join(","),
        peak_memory()
    );
    Ok(())
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT MET" }
}

async fn measure(name: String, bytes: Vec<u8>, threads: usize) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let extract = app::read_osm_bytes(bytes, &name).await?;
    let parse = started.elapsed();
    let candidates: Vec<domain::SitePolygon> = extract
        .candidates
        .iter()
        .map(|candidate| candidate.polygon.clone())
        .collect();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let map = app::LoadedMap::new(String::new(), extract);
        let prepare = started.elapsed();
        let request = app::HvmRequest::default();
        let started = Instant::now();
        // Sites are handed out one at a time, so a slow site does not hold up a share of them
        // (as `cargo bench -p vehicle_approach` does).
        let next = AtomicUsize::new(0);
        // Per thread: entries found, and the sites rejected with their errors (site order).
        let per_thread: Vec<(usize, Vec<(usize, String)>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (map, request, candidates, next) = (&map, &request, &candidates, &next);
                    scope.spawn(move || {
                        let (mut entries, mut rejected) = (0, Vec::new());
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(site) = candidates.get(i) else { break };
                            match app::analyse_outline(map, site, request) {
                                Ok(result) => entries += result.analysis.entries.len(),
                                Err(error) => rejected.push((i, format!("{error:#}"))),
                            }
                        }
                        (entries, rejected)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("an analysis thread panicked"))
                .collect()
        });
        let per_site = started.elapsed();
        let entries = per_thread.iter().map(|(entries, _)| entries).sum();
        let mut rejected: Vec<(usize, String)> = per_thread
            .into_iter()
            .flat_map(|(_, rejected)| rejected)
            .collect();
        rejected.sort();
        Figures {
            name,
            parse,
            prepare,
            sites: candidates.len(),
            entries,
            rejected: rejected.len(),
            first_rejection: rejected
                .into_iter()
                .next()
                .map(|(i, error)| format!("site {} of {}: {error}", i + 1, candidates.len())),
            per_site,
        }
    })
    .await
    .context("benchmark task failed")
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM"))
                .map(|line| {
                    line.split_whitespace()
                        .skip(1)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn the_median_is_the_middle_run_and_the_range_spans_all_runs() {
        let [median, least, greatest] = [3, 1, 9].map(Duration::from_millis);
        assert_eq!(
            median_and_range(ms(&[9, 1, 3])),
            (median, least, greatest),
            "an odd count: the middle of the sorted runs"
        );
        // An even count takes the upper of the two middle runs: never a figure below what
        // half the runs measured.
        assert_eq!(
            median_and_range(ms(&[4, 1, 2, 8])).0,
            Duration::from_millis(4)
        );
        let one = Duration::from_millis(7);
        assert_eq!(median_and_range(vec![one]), (one, one, one));
    }
}
