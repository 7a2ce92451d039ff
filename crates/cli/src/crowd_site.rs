//! `agora crowd run --site NAME`: a crowd evacuation study of a stored site on the database's
//! current map, stored like one run from the web UI, printed as a table or JSON.

use anyhow::bail;
use app::{CrowdPopulation, CrowdRequest, CrowdResult};
use clap::Args;

use crate::crowd::{Format, RunArgs};

/// The options of `agora crowd run` for a stored site.
#[derive(Args)]
pub struct SiteArgs {
    /// A stored site, by its exact name.
    #[arg(long)]
    pub site: Option<String>,
    /// The user the study is run for (with --site).
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME, requires = "site")]
    pub as_user: String,
    /// How many people (default: the site's capacity, else 0.5 persons/m²).
    #[arg(long, value_name = "N", requires = "site", conflicts_with = "density")]
    pub population: Option<usize>,
    /// Persons per m² of walkable area instead of a number.
    #[arg(long, value_name = "PER_M2", requires = "site")]
    pub density: Option<f64>,
    /// Pre-movement time of everyone, s.
    #[arg(long, value_name = "S", default_value_t = 0.0, requires = "site")]
    pub premovement: f64,
    /// How people choose their exit: the nearest (worst case) or the quickest (avoiding queues).
    #[arg(long, value_name = "CHOICE", default_value = "nearest", value_parser = ["nearest", "quickest"], requires = "site")]
    pub exit_choice: String,
    /// Seed of the placement and of the sampled speeds.
    #[arg(long, default_value_t = 0, requires = "site")]
    pub seed: u64,
    /// Time limit of the simulation, s.
    #[arg(long, value_name = "S", default_value_t = CrowdRequest::default().max_time_s, requires = "site")]
    pub max_time: f64,
}

/// Runs a crowd study of the site named in `args` and prints it.
pub async fn run(db: &str, args: &RunArgs) -> anyhow::Result<()> {
    let options = &args.on_site;
    let Some(site_name) = &options.site else {
        bail!("give --site NAME");
    };
    let request = CrowdRequest {
        population: match (options.population, options.density) {
            (Some(count), _) => Some(CrowdPopulation::Count(count)),
            (None, Some(density)) => Some(CrowdPopulation::DensityPerM2(density)),
            (None, None) => None,
        },
        premovement_s: app::crowd_sim::Premovement::Fixed(options.premovement),
        exit_choice: match options.exit_choice.as_str() {
            "quickest" => app::CrowdExitChoice::Quickest,
            _ => app::CrowdExitChoice::Nearest,
        },
        seed: options.seed,
        max_time_s: options.max_time,
        ..CrowdRequest::default()
    };
    let app = crate::open(db).await?;
    let actor = app.command_line_actor(&options.as_user).await?;
    let site = crate::site_named(&app, &actor, site_name).await?;
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("simulating the evacuation of {site_name}"));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let outcome = app.run_crowd_study(&actor, site.id, request).await;
    progress.finish_and_clear();
    let (study, result) = outcome?;
    eprintln!("stored as study {}", study.id);
    match args.format {
        Format::Table => print!(
            "{}",
            result_table(
                site_name,
                study.study.map_sha256.as_deref().unwrap_or(""),
                &result
            )
        ),
        Format::Json => {
            let report = serde_json::json!({
                "study": study.id,
                "site": site_name,
                "map_sha256": study.study.map_sha256,
                "engine": study.study.engine_version,
                "summary": result.summary(),
                "exits": result.exits,
                "evacuation_curve": result.evacuation_curve,
                "peak": result.peak,
                "free_walk_time_s": result.free_walk_time_s,
                "evacuation_limit": result.evacuation_limit,
                "diagnostics": result.diagnostics,
            });
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}

fn result_table(site_name: &str, map: &str, result: &CrowdResult) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let number =
        |v: Option<f64>, decimals: usize| v.map_or("-".to_string(), |v| format!("{v:.decimals$}"));
    writeln!(out, "Crowd evacuation of {site_name}").unwrap();
    writeln!(
        out,
        "map source sha256 {map}; engine {}",
        app::crowd_engine_version()
    )
    .unwrap();
    let evacuation = match result.evacuation_time_s {
        Some(time) => format!("{time:.1}"),
        None => format!(
            "not reached: {} people still inside at {:.0} s ({} stuck)",
            result.agents - result.agents_evacuated,
            result.simulated_time_s,
            result.agents_stalled
        ),
    };
    let peak = result.peak.as_ref().map_or("-".to_string(), |peak| {
        format!(
            "{:.2} (level of service {}, at {:.0} s, {:.6}, {:.6})",
            peak.density_per_m2,
            peak.level_of_service,
            peak.time_s,
            peak.position[0],
            peak.position[1]
        )
    });
    for (name, value) in [
        ("evacuation_time_s", evacuation),
        (
            "agents_evacuated",
            format!("{} of {}", result.agents_evacuated, result.agents),
        ),
        ("free_walk_time_s", number(result.free_walk_time_s, 1)),
        (
            "limited_by",
            match web::evacuation_limit_text(web::Localizer::new(web::Language::English), result) {
                text if text.is_empty() => "-".to_string(),
                text => text,
            },
        ),
        ("peak_density_per_m2", peak),
        (
            "walkable_area_m2",
            format!("{:.0}", result.walkable_area_m2),
        ),
    ] {
        writeln!(out, "{name:<22}{value}").unwrap();
    }
    writeln!(
        out,
        "\n{:<44} {:>7} {:>6} {:>13} {:>12} {:>10} {:>12} {:>15}",
        "exit",
        "width_m",
        "count",
        "first_exit_s",
        "last_exit_s",
        "flow_p_s",
        "flow_p_m_s",
        "busiest_p_m_s"
    )
    .unwrap();
    for exit in &result.exits {
        writeln!(
            out,
            "{:<44} {:>7.1} {:>6} {:>13} {:>12} {:>10} {:>12} {:>15}",
            exit.name,
            exit.width_m,
            exit.count,
            number(exit.first_exit_s, 1),
            number(exit.last_exit_s, 1),
            number(exit.mean_flow_p_per_s, 2),
            number(exit.specific_flow_p_per_m_s, 2),
            number(exit.busiest_specific_flow_p_per_m_s, 2)
        )
        .unwrap();
    }
    if !result.diagnostics.is_empty() {
        writeln!(out, "\nnotes on the site's data:").unwrap();
        for note in &result.diagnostics {
            writeln!(out, "  {note}").unwrap();
        }
    }
    out
}
