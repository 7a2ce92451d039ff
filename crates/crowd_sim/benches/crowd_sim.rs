//! Benchmarks for issue 4's performance target (item 5).
//!
//! The scenario is `shared/research/jupedsim_bench.py`'s: a 100 m × 100 m square without
//! obstacles, four exits 5 m wide and 1 m deep at the wall midpoints, each agent heading for
//! its nearest exit, agents on a square lattice in [0.5, 99.5]² (a random subset when N is not
//! a square), CFSM with JuPedSim's defaults, v0 1.2 m/s, r 0.2 m, T 1 s, dt 0.01 s, no
//! trajectories. Differences: the lattice subset comes from this crate's own shuffle (not
//! numpy's), and "nearest exit" is by walking distance (identical in an empty square).
//!
//! Target: at least 10× JuPedSim 1.4.2's agent-steps per second at N = 10 000 and 50 000 on
//! the same machine. JuPedSim measured on the 2-core research machine (crowd.md §1.5, best of
//! runs): 522 000 (N 1 000, 30 s), 135 000 (N 10 000, 30 s), 44 200 (N 50 000, 2 s)
//! agent-steps/s. For a fair comparison run `jupedsim_bench.py` back to back on the same idle
//! machine; the figures printed here compare with the stored ones.
//!
//! Measured side by side with JuPedSim: see `benchmarks/crowd/README.md` (release build, idle
//! 2-core machine, 2026-12-07: 10.7× at N = 10 000, 15.4× at N = 50 000; the dev profile, with
//! debug assertions, gave 8.7–8.9× at N = 10 000 on 2026-11-23).
//!
//! `cargo bench -p crowd_sim` runs a short criterion measurement of one step, then the
//! JuPedSim windows (30 s for N ≤ 20 000, 2 s above) and prints agent-steps/s beside the target.
//! `cargo bench -p crowd_sim -- windows` skips the criterion part (no benchmark matches the
//! filter); `CROWD_BENCH_N=10000` runs one window only.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use crowd_sim::{Scenario, Simulation};

/// (N, simulated window s, JuPedSim 1.4.2 agent-steps/s measured on the project machine:
/// 522 000 at N = 1 000 from crowd.md §1.5, 117 000 and 44 000 from issue 4; `agora bench
/// crowd` prints the same references)
const WINDOWS: [(usize, f64, f64); 3] = [
    (1_000, 30.0, 522_000.0),
    (10_000, 30.0, 117_000.0),
    (50_000, 2.0, 44_000.0),
];

fn square_evacuation(n: usize) -> Scenario {
    crowd_sim::validation::jupedsim_bench_scenario(n)
}

fn step_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("cfsm_step_square_100m");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for n in [1_000, 10_000] {
        let scenario = square_evacuation(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &scenario, |b, s| {
            b.iter_custom(|iters| {
                let mut sim = Simulation::new(s).unwrap();
                let start = Instant::now();
                for _ in 0..iters {
                    sim.step();
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

/// The JuPedSim windows: agent-steps integrate the agents present over the steps, as in
/// jupedsim_bench.py (which uses a trapezoid per 100-step chunk).
fn jupedsim_windows() {
    println!("\nJuPedSim comparison (jupedsim_bench.py scenario, CFSM, dt 0.01 s)");
    println!(
        "{:>7} {:>8} {:>9} {:>10} {:>16} {:>12} {:>8} {:>7} {:>14}",
        "N",
        "sim s",
        "setup s",
        "wall s",
        "agent-steps/s",
        "JuPedSim",
        "ratio",
        "target",
        "per CPU-s"
    );
    println!("(load average at start: {})", load_average());
    // `CROWD_BENCH_N=10000` limits the windows to one N (for profiling).
    let only: Option<usize> = std::env::var("CROWD_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok());
    for (n, window_s, jupedsim) in WINDOWS {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        let t0 = Instant::now();
        let mut sim = Simulation::new(&square_evacuation(n)).unwrap();
        let setup = t0.elapsed().as_secs_f64();
        let steps = (window_s / 0.01).round() as u64;
        let mut agent_steps = 0u64;
        let cpu_start = process_cpu_s();
        let start = Instant::now();
        for _ in 0..steps {
            agent_steps += sim.agent_count() as u64;
            sim.step();
        }
        let wall = start.elapsed().as_secs_f64();
        let cpu = process_cpu_s().map(|end| end - cpu_start.unwrap_or(end));
        let rate = agent_steps as f64 / wall;
        let ratio = rate / jupedsim;
        let target = if n >= 10_000 {
            if ratio >= 10.0 { "met" } else { "MISSED" }
        } else {
            "-"
        };
        let per_cpu = cpu.map_or("-".to_string(), |c| {
            format!("{:.0}", agent_steps as f64 / c)
        });
        println!(
            "{n:>7} {window_s:>8.1} {setup:>9.2} {wall:>10.2} {rate:>16.0} {jupedsim:>12.0} {ratio:>7.1}x {target:>7} {per_cpu:>14}"
        );
    }
}

/// CPU time of this process (all threads), s, from /proc/self/stat (Linux; `None` elsewhere).
/// JuPedSim is single-threaded, so agent-steps per CPU-second compare the work done whatever
/// the contention on a shared machine (jupedsim_bench.py reports the same figure).
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

criterion_group!(benches, step_benchmark);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    jupedsim_windows();
}
