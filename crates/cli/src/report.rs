//! `agora report` (a site's or the city's report as PDF and/or HTML) and `agora plans` (the
//! Pareto-optimal protective-measure plans of a site), through the same use cases as the web UI.

use std::path::PathBuf;

use anyhow::{Context, bail};
use app::{PlanRequest, ReportFormat, risk::MeasureId};
use clap::{Args, ValueEnum};
use web::{Language, Localizer};

/// Arguments of `agora report`.
#[derive(Args)]
pub struct ReportArgs {
    /// The site to report on, by its exact name.
    #[arg(long, conflicts_with = "city", required_unless_present = "city")]
    site: Option<String>,
    /// Report on every site of the organisation instead (ranked by risk).
    #[arg(long)]
    city: bool,
    /// Write the report as PDF to this file.
    #[arg(long, required_unless_present = "html")]
    pdf: Option<PathBuf>,
    /// Write the report as one self-contained HTML page to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// The report's language: en or fr.
    #[arg(long, default_value = "en")]
    lang: String,
    /// The user the report is made for (their organisation's data).
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME)]
    as_user: String,
}

/// Arguments of `agora plans`.
#[derive(Args)]
pub struct PlansArgs {
    /// The site, by its exact name.
    #[arg(long)]
    site: String,
    /// Highest whole-life cost of a plan, EUR.
    #[arg(long)]
    budget: Option<u64>,
    /// Most openness a plan may take, in loss points.
    #[arg(long)]
    max_openness_loss: Option<u32>,
    /// Years of running cost in the whole-life cost (default 10).
    #[arg(long)]
    horizon_years: Option<u32>,
    /// Measures the planner may combine, comma-separated ids (default: the 18 strongest alone).
    #[arg(long, value_delimiter = ',')]
    candidates: Vec<String>,
    /// A plan of your own to evaluate beside the front, comma-separated measure ids.
    #[arg(long, value_delimiter = ',')]
    selected: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlansFormat::Table)]
    format: PlansFormat,
    /// The user the plans are computed for.
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME)]
    as_user: String,
}

/// How `agora plans` prints.
#[derive(Clone, Copy, ValueEnum)]
pub enum PlansFormat {
    /// The plans along the front, one per line.
    Table,
    /// The whole proposal: options, candidates, every plan of the front, the selection, HVM links.
    Json,
}

/// Runs `agora report`.
pub async fn run_report(db: &str, args: ReportArgs) -> anyhow::Result<()> {
    let Some(language) = Language::from_code(&args.lang) else {
        bail!(
            "--lang: '{}' is not a language Agora speaks (en, fr)",
            args.lang
        );
    };
    let labels = Localizer::new(language);
    let app = crate::open(db).await?;
    let actor = app.command_line_actor(&args.as_user).await?;
    let site = match &args.site {
        Some(name) => Some(crate::site_named(&app, &actor, name).await?),
        None => None,
    };
    let outputs = [
        (ReportFormat::Pdf, args.pdf.as_ref()),
        (ReportFormat::Html, args.html.as_ref()),
    ];
    for (format, path) in outputs {
        let Some(path) = path else { continue };
        let report = match &site {
            Some(site) => app.site_report(&actor, site.id, &labels, format).await?,
            None => app.city_report(&actor, &labels, format).await?,
        };
        // Written beside the target and renamed, so a failed write never leaves half a report
        // under the name asked for.
        let partial = path.with_extension(format!("{}.partial", format.extension()));
        std::fs::write(&partial, &report.bytes)
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
        match report.page_count {
            Some(pages) => eprintln!("wrote {} ({pages} pages)", path.display()),
            None => eprintln!("wrote {}", path.display()),
        }
        if !report.replaced_characters.is_empty() {
            let replaced: String = report.replaced_characters.iter().collect();
            eprintln!(
                "note: the PDF's standard fonts cannot show these characters, replaced: {replaced}"
            );
        }
    }
    Ok(())
}

/// Runs `agora plans`.
pub async fn run_plans(db: &str, args: PlansArgs) -> anyhow::Result<()> {
    let app = crate::open(db).await?;
    let actor = app.command_line_actor(&args.as_user).await?;
    let site = crate::site_named(&app, &actor, &args.site).await?;
    let request = PlanRequest {
        budget_eur: args.budget,
        max_openness_loss: args.max_openness_loss,
        horizon_years: args.horizon_years,
        candidates: args
            .candidates
            .iter()
            .map(|id| MeasureId::from(id.as_str()))
            .collect(),
        selected: args
            .selected
            .iter()
            .map(|id| MeasureId::from(id.as_str()))
            .collect(),
    };
    let plans = app.site_plans(&actor, site.id, &request).await?;
    match args.format {
        PlansFormat::Json => println!("{}", serde_json::to_string_pretty(&plans)?),
        PlansFormat::Table => {
            let catalogue = app::risk::shipped_catalogue();
            let proposal = &plans.proposal;
            println!(
                "Protective measure plans for {} ({})",
                site.draft.name, plans.assessment
            );
            println!(
                "{} Pareto-optimal plans from {} candidates; risk before any measure {:.0}; \
                 whole-life cost over {} years{}",
                proposal.front.len(),
                proposal.candidates.len(),
                proposal.total_risk_before,
                proposal.options.horizon_years,
                proposal
                    .options
                    .budget_eur
                    .map_or_else(String::new, |budget| format!(", budget {budget} EUR")),
            );
            println!();
            println!(
                "{:<4} {:>13} {:>8} {:>14} {:>9}  measures",
                "plan", "residual risk", "removed", "cost EUR", "openness"
            );
            let print = |letter: String, plan: &app::risk::PlanEvaluation| {
                let names: Vec<&str> = plan
                    .measures
                    .iter()
                    .map(|id| {
                        catalogue
                            .measure(id)
                            .map_or(id.as_str(), |m| m.name.en.as_str())
                    })
                    .collect();
                println!(
                    "{:<4} {:>13.0} {:>7.0}% {:>14} {:>9}  {}",
                    letter,
                    plan.total_risk_after,
                    100.0 * plan.risk_reduction() / plan.total_risk_before.max(f64::MIN_POSITIVE),
                    plan.whole_life_cost_eur,
                    plan.openness_loss_points,
                    if names.is_empty() {
                        "(nothing more)".to_string()
                    } else {
                        names.join("; ")
                    }
                );
            };
            for (position, &index) in proposal.listed.iter().enumerate() {
                print(app::plan_letter(position), &proposal.front[index]);
            }
            if let Some(selected) = &proposal.selected {
                println!();
                print("mine".to_string(), selected);
            }
            for link in &proposal.hvm_links {
                println!();
                println!(
                    "{} ({}) must close:",
                    link.measure,
                    link.measure_rating.as_deref().unwrap_or("no rating stated")
                );
                for need in &link.entries {
                    println!(
                        "  {} {}: {} at {:.0} km/h, {:.0} kJ, needs {}",
                        need.entry,
                        need.way_name.as_deref().unwrap_or(""),
                        need.vehicle,
                        need.speed_kmh,
                        need.energy_kj,
                        need.required_rating
                    );
                }
            }
        }
    }
    Ok(())
}
