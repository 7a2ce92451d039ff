//! `agora assess`: a site's vulnerability assessment from a file of answers (TOML or JSON), for
//! batch use, through the same use cases as the web form; or the latest one printed.
//!
//! The file names the questionnaire and its version, and gives answers by question id,
//! threat likelihoods, overrides with their justification, notes and the marking (see
//! `examples/assessment-marienplatz.toml` and the README). Errors name the field and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::risk::{Contribution, Factor, Grade, QuestionId, ScoreOverride, Threat};
use app::{AssessmentAnswers, StoredAssessment};
use clap::Args;
use domain::{AssessmentId, Tlp};
use serde::Deserialize;

/// Arguments of `agora assess`.
#[derive(Args)]
pub struct AssessArgs {
    /// The site, by its exact name.
    #[arg(long)]
    site: String,
    /// A file of answers (.toml or .json): saved into the site's draft assessment, or into a new
    /// one (superseding the latest final assessment, if there is one).
    #[arg(long, required_unless_present = "show", conflicts_with = "show")]
    file: Option<PathBuf>,
    /// Save into this assessment (by id) rather than the site's latest draft.
    #[arg(long, requires = "file")]
    assessment: Option<AssessmentId>,
    /// Finalise the assessment after saving the answers (it can then no longer change).
    #[arg(long, requires = "file")]
    finalise: bool,
    /// Print the site's latest assessment and change nothing.
    #[arg(long)]
    show: bool,
    /// The assessor.
    #[arg(long = "as", value_name = "USERNAME", default_value = app::DEMO_USERNAME)]
    as_user: String,
}

/// The answers file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    /// The questionnaire's id, e.g. `public-space`.
    questionnaire: String,
    /// The questionnaire's version, e.g. `1`.
    version: String,
    #[serde(default)]
    marking: Option<Tlp>,
    #[serde(default)]
    answers: BTreeMap<QuestionId, Grade>,
    #[serde(default)]
    threat_likelihoods: BTreeMap<Threat, f64>,
    #[serde(default)]
    overrides: Vec<ScoreOverride>,
    #[serde(default)]
    notes: BTreeMap<QuestionId, String>,
}

/// Reads an answers file; syntax and shape errors carry the parser's line and column.
fn read_answers(path: &Path) -> anyhow::Result<(String, AnswersFile)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
    let file: AnswersFile = if is_json {
        serde_json::from_str(&text).map_err(|error| {
            anyhow::anyhow!("{}: line {}: {error}", path.display(), error.line())
        })?
    } else {
        toml::from_str(&text)
            .map_err(|error| anyhow::anyhow!("{}: {}", path.display(), error.to_string().trim()))?
    };
    Ok((text, file))
}

/// The 1-based line where a field named by a use-case error (`answers.vr.run_up`,
/// `threat_likelihoods.firearms`, `overrides[1].value`, `notes.site.symbolism`) is written.
fn line_of_field(text: &str, field: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // Where a table starts: `[name]` / `[[name]]` in TOML, `"name":` in JSON (not a comment
    // that happens to mention it).
    let section_line = |name: &str| {
        lines
            .iter()
            .position(|line| {
                let line = line.trim_start();
                line.starts_with(&format!("[{name}]"))
                    || line.starts_with(&format!("[[{name}]]"))
                    || line.starts_with(&format!("\"{name}\""))
            })
            .unwrap_or(0)
    };
    let key_after = |start: usize, key: &str| {
        lines
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, line)| {
                line.contains(&format!("\"{key}\"")) || line.trim_start().starts_with(key)
            })
            .map(|(index, _)| index + 1)
    };
    if let Some(rest) = field.strip_prefix("overrides[") {
        let index: usize = rest.split(']').next()?.parse().ok()?;
        // TOML: the index-th [[overrides]] table; JSON: the index-th "threat" key after "overrides".
        let start = section_line("overrides");
        let marker = if lines
            .get(start)
            .is_some_and(|line| line.contains("[[overrides]]"))
        {
            "[[overrides]]"
        } else {
            "\"threat\""
        };
        return lines
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, line)| line.contains(marker))
            .nth(index)
            .map(|(line, _)| line + 1);
    }
    for section in ["answers", "threat_likelihoods", "notes"] {
        if let Some(key) = field.strip_prefix(&format!("{section}.")) {
            return key_after(section_line(section), key);
        }
    }
    None
}

/// A use case's refusal of the file's content, with the line of the field it names.
fn with_line(path: &Path, text: &str, error: app::AppError) -> anyhow::Error {
    let message = error.to_string();
    let field = message.split(':').next().unwrap_or_default();
    match line_of_field(text, field) {
        Some(line) => anyhow::anyhow!("{}: line {line}: {message}", path.display()),
        None => anyhow::anyhow!("{}: {message}", path.display()),
    }
}

/// Runs `agora assess`.
pub async fn run(app: &app::App, args: AssessArgs) -> anyhow::Result<()> {
    let actor = app.command_line_actor(&args.as_user).await?;
    let site = crate::site_named(app, &actor, &args.site).await?;
    let Some(path) = &args.file else {
        let latest = app
            .latest_assessment(&actor, site.id)
            .await?
            .with_context(|| format!("site '{}' has no assessment yet", site.draft.name))?;
        print_assessment(&site.draft.name, &latest);
        return Ok(());
    };
    let (text, file) = read_answers(path)?;
    let questionnaire = app::current_questionnaire();
    if file.questionnaire != questionnaire.id || file.version != questionnaire.version {
        let line = line_of_field(&text, "version").or_else(|| {
            text.lines()
                .position(|line| line.contains("version"))
                .map(|index| index + 1)
        });
        bail!(
            "{}: line {}: questionnaire/version: {} v{} is not the questionnaire this Agora has ({})",
            path.display(),
            line.unwrap_or(1),
            file.questionnaire,
            file.version,
            questionnaire.label()
        );
    }
    let entered = AssessmentAnswers {
        answers: file.answers,
        threat_likelihoods: file.threat_likelihoods,
        overrides: file.overrides,
        notes: file.notes,
        marking: file.marking,
    };
    let draft = match args.assessment {
        Some(id) => Some(app.assessment(&actor, id).await?),
        None => app
            .latest_assessment(&actor, site.id)
            .await?
            .filter(|latest| !latest.is_final()),
    };
    let refused_with_line = |error: app::AppError| match error {
        app::AppError::Invalid(_) => with_line(path, &text, error),
        other => other.into(),
    };
    let saved = match draft {
        Some(draft) => {
            if draft.site_id != site.id {
                bail!(
                    "assessment {} is not an assessment of '{}'",
                    draft.id,
                    site.draft.name
                );
            }
            app.save_assessment(&actor, draft.id, draft.version, entered)
                .await
                .map_err(refused_with_line)?
        }
        None => {
            // A new assessment supersedes the latest final one, if the site has one.
            let supersede = app
                .latest_final_assessment(&actor, site.id)
                .await?
                .is_some();
            let started = app
                .start_assessment_with(&actor, site.id, supersede, Some(entered))
                .await
                .map_err(refused_with_line)?;
            eprintln!("started assessment {}", started.id);
            started
        }
    };
    let shown = if args.finalise {
        app.finalise_assessment(&actor, saved.id, saved.version)
            .await?
    } else {
        saved
    };
    print_assessment(&site.draft.name, &shown);
    Ok(())
}

fn number(value: f64) -> String {
    let mut text = format!("{value:.2}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    text
}

fn contribution_line(item: &Contribution) -> String {
    match item {
        Contribution::Answer {
            question,
            grade,
            weight,
            score,
        } => format!(
            "answer {question}: grade {grade} -> {} x weight {}",
            number(*score),
            number(*weight)
        ),
        Contribution::ThreatLikelihood { value } => {
            format!(
                "threat likelihood set by the organisation: {}",
                number(*value)
            )
        }
        Contribution::HvmImpactSpeed {
            open_entry,
            speed_kmh,
            floor,
        } => format!(
            "vehicle-approach study: {open_entry} at {} km/h -> at least {}",
            number(*speed_kmh),
            number(*floor)
        ),
        Contribution::HvmImpactEnergy {
            open_entry,
            energy_kj,
            floor,
        } => format!(
            "vehicle-approach study: {open_entry} with {energy_kj:.0} kJ -> at least {}",
            number(*floor)
        ),
        Contribution::CrowdPeakDensity {
            density_persons_per_m2,
            floor,
        } => format!(
            "crowd study: peak density {} persons/m2 -> at least {}",
            number(*density_persons_per_m2),
            number(*floor)
        ),
        Contribution::CrowdEvacuationTime { time_s, floor } => format!(
            "crowd study: evacuation in {time_s:.0} s -> at least {}",
            number(*floor)
        ),
        Contribution::Override {
            value,
            justification,
        } => format!(
            "manual override to {}; justification: {justification}",
            number(*value)
        ),
    }
}

fn factor_letter(factor: Factor) -> &'static str {
    match factor {
        Factor::ThreatLikelihood => "T",
        Factor::Vulnerability => "V",
        Factor::Consequence => "C",
    }
}

/// The risk table per threat, then where every score comes from.
fn print_assessment(site: &str, assessment: &StoredAssessment) {
    println!(
        "{site}: assessment {} ({} v{}), {}, {}, version {}",
        assessment.id,
        assessment.input.questionnaire_id,
        assessment.input.questionnaire_version,
        if assessment.is_final() {
            "final"
        } else {
            "draft"
        },
        assessment.marking.label(),
        assessment.version
    );
    if let Some(previous) = assessment.supersedes {
        println!("supersedes assessment {previous}");
    }
    println!(
        "{:<20} {:>5} {:>5} {:>5} {:>7}  band",
        "threat", "T", "V", "C", "risk"
    );
    let cell = |score: Option<&app::risk::FactorScore>| {
        score.map_or_else(|| "-".to_string(), |score| number(score.value))
    };
    for row in &assessment.scored.threats {
        println!(
            "{:<20} {:>5} {:>5} {:>5} {:>7}  {}",
            row.threat.as_str(),
            cell(row.threat_likelihood.as_ref()),
            cell(row.vulnerability.as_ref()),
            cell(row.consequence.as_ref()),
            row.risk
                .map_or_else(|| "-".to_string(), |risk| number(risk.value)),
            row.risk.map_or("", |risk| match risk.band {
                app::risk::RiskBand::Low => "low",
                app::risk::RiskBand::Medium => "medium",
                app::risk::RiskBand::High => "high",
            })
        );
    }
    println!();
    println!("where each score comes from:");
    for row in &assessment.scored.threats {
        for factor in Factor::ALL {
            let Some(score) = row.factor(factor) else {
                continue;
            };
            println!(
                "{} {} = {}",
                row.threat.as_str(),
                factor_letter(factor),
                number(score.value)
            );
            for item in &score.contributions {
                println!("  - {}", contribution_line(item));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_named_by_errors_are_found_in_toml_and_json() {
        let toml = "questionnaire = \"public-space\"\nversion = \"1\"\n\n[answers]\n\"site.symbolism\" = 2\n\"vr.run_up\" = 7\n\n[threat_likelihoods]\nfirearms = 12\n\n[[overrides]]\nthreat = \"arson\"\n\n[[overrides]]\nthreat = \"cbrn\"\n";
        assert_eq!(line_of_field(toml, "answers.vr.run_up"), Some(6));
        assert_eq!(line_of_field(toml, "threat_likelihoods.firearms"), Some(9));
        assert_eq!(line_of_field(toml, "overrides[1].justification"), Some(14));
        let json = "{\n  \"questionnaire\": \"public-space\",\n  \"version\": \"1\",\n  \"answers\": {\n    \"vr.run_up\": 7\n  },\n  \"overrides\": [\n    {\"threat\": \"arson\"},\n    {\"threat\": \"cbrn\"}\n  ]\n}";
        assert_eq!(line_of_field(json, "answers.vr.run_up"), Some(5));
        assert_eq!(line_of_field(json, "overrides[1].value"), Some(9));
        assert_eq!(line_of_field(json, "marking"), None);
    }
}
