//! `agora crowd ...` and `agora bench crowd`: the crowd engine from a shell.
//!
//! `crowd run` reads a scenario file (JSON, metres; `docs/crowd.md`), runs it with a progress
//! bar on standard error and prints the results; `crowd validate` runs the validation cases of
//! crowd.md §5.3 and prints their table; `bench crowd` measures agent-steps per second on the
//! scenario of `jupedsim_bench.py` beside JuPedSim 1.4.2's figures.

use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use crowd_sim::{Outcome, Progress, Scenario, Simulation, validation};
use indicatif::{ProgressBar, ProgressStyle};

/// `agora crowd` subcommands.
#[derive(Subcommand)]
pub enum CrowdCommand {
    /// Run a scenario file (JSON, metres) and print the results.
    Run(RunArgs),
    /// Run the validation cases of crowd.md §5.3 (RiMEA, NIST, JuPedSim parity) and print a
    /// table of measured values, expected ranges and pass/fail; fails if any case fails.
    Validate(ValidateArgs),
}

/// Arguments of `agora crowd run`: a scenario file, or a stored site (`--site`).
#[derive(Args)]
pub struct RunArgs {
    /// The scenario file (JSON; see docs/crowd.md).
    #[arg(required_unless_present = "site", conflicts_with = "site")]
    pub scenario: Option<PathBuf>,
    /// Simulate a stored site instead, by its exact name, on the database's current map, and
    /// store the study (as one run from the web UI).
    #[command(flatten)]
    pub on_site: crate::crowd_site::SiteArgs,
    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write every agent's positions to this CSV file (time_s,agent,x_m,y_m), every
    /// `output.trajectory_interval_s` of the scenario, or every 0.1 s if it sets none.
    #[arg(long, value_name = "FILE", conflicts_with = "site")]
    pub trajectories: Option<PathBuf>,
}

/// Output format of `agora crowd run`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// One JSON object (the summary, the exits and the evacuation curve).
    Json,
}

/// Arguments of `agora crowd validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// Run only these cases, e.g. `--case V1 --case V9` (default: all).
    #[arg(long = "case", value_name = "ID")]
    pub cases: Vec<String>,
}

/// Arguments of `agora bench crowd`.
#[derive(Args)]
pub struct BenchArgs {
    /// Numbers of agents, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,50000")]
    pub agents: Vec<usize>,
    /// Simulated window per N, s (default as jupedsim_bench.py: 30 s up to 20 000 agents, 2 s
    /// above).
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// Runs a `crowd` subcommand.
pub fn run(command: CrowdCommand) -> anyhow::Result<()> {
    match command {
        CrowdCommand::Run(args) => run_scenario(&args),
        CrowdCommand::Validate(args) => validate(&args),
    }
}

/// Trajectory interval when `--trajectories` is given and the scenario sets none, s.
const DEFAULT_TRAJECTORY_INTERVAL_S: f64 = 0.1;

fn run_scenario(args: &RunArgs) -> anyhow::Result<()> {
    let Some(path) = &args.scenario else {
        bail!("give a scenario file, or --site NAME");
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the scenario {}", path.display()))?;
    let mut scenario =
        Scenario::from_json(&text).with_context(|| format!("scenario {}", path.display()))?;
    if args.trajectories.is_some() && scenario.output.trajectory_interval_s.is_none() {
        scenario.output.trajectory_interval_s = Some(DEFAULT_TRAJECTORY_INTERVAL_S);
    }
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {msg} (eta {eta})")
            .expect("valid template"),
    );
    let outcome = crowd_sim::run_with_progress(&scenario, 1.0, |p: &Progress| {
        bar.set_position((p.fraction() * 1000.0) as u64);
        bar.set_message(format!(
            "t = {:.0} s, {} of {} inside",
            p.time_s, p.agents_remaining, p.agents_total
        ));
        ControlFlow::Continue(())
    })
    .with_context(|| format!("scenario {}", path.display()))?;
    bar.finish_and_clear();
    if let Some(file) = &args.trajectories {
        write_trajectories(file, &outcome)?;
    }
    match args.format {
        Format::Table => print!("{}", outcome_table(&outcome)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&outcome_json(&outcome))?),
    }
    Ok(())
}

fn outcome_table(outcome: &Outcome) -> String {
    let mut out = String::new();
    let evacuation = match outcome.evacuation_time_s {
        Some(t) => format!("{t:.2}"),
        None => format!(
            "not reached: {} agents still inside at {:.2} s, {} of them stalled (moved < 0.5 m in the last 30 s: a jam, a clogged door or an obstacle){}",
            outcome.agents_remaining.len(),
            outcome.simulated_time_s,
            outcome.agents_stalled.len(),
            if outcome.agents_stalled.is_empty() {
                String::new()
            } else {
                format!(": agents {}", id_list(&outcome.agents_stalled))
            }
        ),
    };
    let peak = outcome.density.peak.map_or("-".to_string(), |p| {
        format!(
            "{:.2} (cell at {:.1}, {:.1} m, t = {:.1} s)",
            p.density_per_m2, p.cell_centre.x, p.cell_centre.y, p.time_s
        )
    });
    let rows = [
        ("evacuation_time_s", evacuation),
        (
            "agents_evacuated",
            format!("{} of {}", outcome.agents_evacuated, outcome.agents_total),
        ),
        ("peak_density_per_m2", peak),
        (
            "simulated_time_s",
            format!("{:.2} ({} steps)", outcome.simulated_time_s, outcome.steps),
        ),
        (
            "min_pair_clearance_m",
            format!("{:.4}", outcome.invariants.min_pair_clearance_m),
        ),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<22}{value}").unwrap();
    }
    writeln!(
        out,
        "\n{:<20} {:>6} {:>13} {:>12} {:>18}",
        "exit", "count", "first_exit_s", "last_exit_s", "mean_flow_p_per_s"
    )
    .unwrap();
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    for exit in &outcome.exits {
        writeln!(
            out,
            "{:<20} {:>6} {:>13} {:>12} {:>18}",
            exit.name,
            exit.count,
            number(exit.first_exit_s),
            number(exit.last_exit_s),
            number(exit.mean_flow_p_per_s)
        )
        .unwrap();
    }
    out
}

/// The first ten ids, then how many more.
fn id_list(ids: &[crowd_sim::AgentId]) -> String {
    let shown: Vec<String> = ids.iter().take(10).map(|a| a.0.to_string()).collect();
    match ids.len().saturating_sub(10) {
        0 => shown.join(", "),
        more => format!("{}, … and {more} more", shown.join(", ")),
    }
}

fn outcome_json(outcome: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "evacuation_time_s": outcome.evacuation_time_s,
        "simulated_time_s": outcome.simulated_time_s,
        "steps": outcome.steps,
        "agents_total": outcome.agents_total,
        "agents_evacuated": outcome.agents_evacuated,
        "agents_remaining": outcome.agents_remaining,
        "agents_stalled": outcome.agents_stalled,
        "peak_density_per_m2": outcome.density.peak.map(|p| p.density_per_m2),
        "peak_density": outcome.density.peak,
        "exits": outcome.exits,
        "evacuation_curve": outcome.evacuation_curve,
        "invariants": outcome.invariants,
    })
}

fn write_trajectories(file: &Path, outcome: &Outcome) -> anyhow::Result<()> {
    let traj = outcome
        .trajectories
        .as_ref()
        .context("the run recorded no trajectories")?;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(file)
            .with_context(|| format!("creating the trajectory file {}", file.display()))?,
    );
    writeln!(out, "time_s,agent,x_m,y_m")?;
    for k in 0..traj.time_s.len() {
        writeln!(
            out,
            "{},{},{:.4},{:.4}",
            traj.time_s[k], traj.agent[k].0, traj.x[k], traj.y[k]
        )?;
    }
    out.flush()
        .with_context(|| format!("writing the trajectory file {}", file.display()))
}

fn validate(args: &ValidateArgs) -> anyhow::Result<()> {
    let all = validation::cases();
    let cases: Vec<_> = if args.cases.is_empty() {
        all
    } else {
        for id in &args.cases {
            if !all.iter().any(|c| c.id.eq_ignore_ascii_case(id)) {
                let ids: Vec<&str> = all.iter().map(|c| c.id).collect();
                bail!(
                    "no validation case {id:?}; the cases are {}",
                    ids.join(", ")
                );
            }
        }
        all.into_iter()
            .filter(|c| args.cases.iter().any(|id| c.id.eq_ignore_ascii_case(id)))
            .collect()
    };
    let total_cost: f64 = cases.iter().map(|c| c.cost_s).sum();
    let bar = ProgressBar::new((total_cost * 10.0) as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {msg}")
            .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut reports = Vec::new();
    for case in &cases {
        bar.set_message(format!("{} {}", case.id, case.title));
        let report = (case.run)().with_context(|| format!("validation case {}", case.id))?;
        bar.inc((case.cost_s * 10.0) as u64);
        bar.println(format!(
            "{:<4} {}",
            report.id,
            if report.passed() { "pass" } else { "FAIL" }
        ));
        reports.push(report);
    }
    bar.finish_and_clear();
    println!(
        "{:<4}  {:<48}  {:<60}  {:<50}  result",
        "case", "title", "measured", "expected"
    );
    for r in &reports {
        println!(
            "{:<4}  {:<48}  {:<60}  {:<50}  {}",
            r.id,
            r.title,
            r.measured,
            r.expected,
            if r.passed() { "pass" } else { "FAIL" }
        );
    }
    let failed: Vec<_> = reports.iter().filter(|r| !r.passed()).collect();
    if !failed.is_empty() {
        println!();
        for r in &failed {
            for failure in &r.failures {
                println!("{} failed: {failure}", r.id);
            }
        }
        bail!(
            "{} of {} validation cases failed",
            failed.len(),
            reports.len()
        );
    }
    println!("\nall {} validation cases passed", reports.len());
    Ok(())
}

/// JuPedSim 1.4.2's agent-steps per second on the `jupedsim_bench.py` scenario, measured on the
/// project's 2-core machine: 117 000 at N = 10 000 and 44 000 at N = 50 000 (issue 4), 522 000
/// at N = 1 000 (crowd.md §1.5). `benchmarks/crowd/compare.sh` measures both side by side.
const JUPEDSIM_AGENT_STEPS_PER_S: [(usize, f64); 3] =
    [(1_000, 522_000.0), (10_000, 117_000.0), (50_000, 44_000.0)];

/// Runs `agora bench crowd`.
pub fn bench(args: BenchArgs) -> anyhow::Result<()> {
    if args.agents.is_empty() {
        bail!("--agents: give at least one number of agents");
    }
    if let Some(s) = args.seconds
        && !(s > 0.0 && s.is_finite())
    {
        bail!("--seconds: {s} must be a positive number");
    }
    println!(
        "crowd_sim on jupedsim_bench.py's scenario (100 m x 100 m, 4 exits, CFSM, dt 0.01 s), {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>7} {:>7} {:>8} {:>8} {:>14} {:>14} {:>8}",
        "N", "sim_s", "setup_s", "wall_s", "agent-steps/s", "JuPedSim", "ratio"
    );
    for &n in &args.agents {
        if !(1..=50_176).contains(&n) {
            bail!("--agents: {n} is outside 1..=50176 (the 224 x 224 lattice of the scenario)");
        }
        let window_s = args.seconds.unwrap_or(if n <= 20_000 { 30.0 } else { 2.0 });
        let result = bench_one(n, window_s)?;
        let reference = JUPEDSIM_AGENT_STEPS_PER_S
            .iter()
            .find(|(m, _)| *m == n)
            .map(|(_, r)| *r);
        let (jupedsim, ratio) = match reference {
            Some(r) => (
                format!("{r:.0}"),
                format!("{:.1}x", result.agent_steps_per_s / r),
            ),
            None => ("-".into(), "-".into()),
        };
        println!(
            "{n:>7} {window_s:>7.1} {:>8.2} {:>8.2} {:>14.0} {jupedsim:>14} {ratio:>8}",
            result.setup_s, result.wall_s, result.agent_steps_per_s
        );
    }
    Ok(())
}

struct BenchResult {
    setup_s: f64,
    wall_s: f64,
    agent_steps_per_s: f64,
}

/// One window: agent-steps integrate the agents present over the steps, as jupedsim_bench.py.
fn bench_one(n: usize, window_s: f64) -> anyhow::Result<BenchResult> {
    let t0 = Instant::now();
    let mut sim = Simulation::new(&validation::jupedsim_bench_scenario(n))
        .context("building the benchmark scenario")?;
    let setup_s = t0.elapsed().as_secs_f64();
    let steps = (window_s / 0.01).round() as u64;
    let bar = ProgressBar::new(steps);
    bar.set_message(format!("N = {n}"));
    let mut agent_steps = 0u64;
    let start = Instant::now();
    for k in 0..steps {
        if sim.is_finished() {
            break;
        }
        agent_steps += sim.agent_count() as u64;
        sim.step();
        if k % 50 == 0 {
            bar.set_position(k);
        }
    }
    let wall_s = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    Ok(BenchResult {
        setup_s,
        wall_s,
        agent_steps_per_s: agent_steps as f64 / wall_s,
    })
}
