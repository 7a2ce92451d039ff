//! Site and city reports and measure plans (issue 5, items 5 and 7) over a real SQLite store with
//! the demo city: the PDF is read back with pdftotext (Debian poppler-utils).

use std::collections::BTreeMap;
use std::process::Command;

use app::{App, Labels, ReportFormat, SessionPolicy};

use crate::{DEMO_EXTRACT, DEMO_MANIFEST, PASSWORD};

/// The English report words, read from the shipped Fluent file with a reader of its own (the
/// `web` crate's Fluent bundle is not a dependency of `app`): `key = text` lines, `{ $name }`
/// placeables.
pub struct EnglishLabels(BTreeMap<String, String>);

impl EnglishLabels {
    pub fn load() -> EnglishLabels {
        let source = include_str!("../../../../content/locales/en/report.ftl");
        let messages = source
            .lines()
            .filter_map(|line| {
                let (key, text) = line.split_once(" = ")?;
                (!key.starts_with('#') && !key.starts_with(' ')).then(|| {
                    (
                        key.trim().to_string(),
                        text.replace("{\"{\"}", "{").replace("{\"}\"}", "}"),
                    )
                })
            })
            .collect();
        EnglishLabels(messages)
    }
}

impl Labels for EnglishLabels {
    fn language(&self) -> &str {
        "en"
    }

    fn text(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    fn text_with(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut text = self.text(key);
        for (name, value) in args {
            text = text.replace(&format!("{{ ${name} }}"), value);
        }
        text
    }
}

/// The text of a PDF, or None where pdftotext is missing outside CI (scripts/test installs it).
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("report.pdf");
    std::fs::write(&path, bytes).unwrap();
    match Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => {
            assert!(output.status.success(), "pdftotext failed: {output:?}");
            Some(String::from_utf8(output.stdout).unwrap())
        }
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("pdftotext (Debian poppler-utils) is missing and CI is set")
        }
        Err(_) => None,
    }
}

async fn demo_app() -> (App, tempfile::TempDir, app::Actor) {
    let directory = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", directory.path().join("agora.db").display());
    let app = App::open(&url, SessionPolicy::default()).await.unwrap();
    app.load_demo(DEMO_EXTRACT.to_vec(), DEMO_MANIFEST, PASSWORD)
        .await
        .unwrap();
    let demo = app.login("demo", PASSWORD).await.unwrap().actor;
    (app, directory, demo)
}

#[tokio::test]
async fn a_site_report_shows_the_site_its_vehicle_study_and_its_marking_on_every_page() {
    let (app, _directory, demo) = demo_app().await;
    let marienplatz = app
        .list_sites(&demo)
        .await
        .unwrap()
        .into_iter()
        .find(|site| site.draft.name == "Marienplatz")
        .unwrap();
    let labels = EnglishLabels::load();

    // Before any study or assessment the report says what is missing instead of inventing it.
    let empty = app
        .site_report(&demo, marienplatz.id, &labels, ReportFormat::Html)
        .await
        .unwrap();
    let html = String::from_utf8(empty.bytes).unwrap();
    assert!(html.contains("Site report: Marienplatz"));
    assert!(
        html.contains("has no vehicle-approach study yet"),
        "no study yet"
    );
    assert!(html.contains("has no assessment yet"));
    assert!(empty.file_name.starts_with("agora-site-marienplatz-"));
    assert!(empty.file_name.ends_with(".html"));

    let (_, result) = app
        .run_hvm_study(
            &demo,
            marienplatz.id,
            app::HvmRequest {
                vehicles: vec!["N3C".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let pdf = app
        .site_report(&demo, marienplatz.id, &labels, ReportFormat::Pdf)
        .await
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-1.7"));
    let pages = pdf.page_count.unwrap();
    assert!(pages >= 2, "{pages} pages");
    let Some(text) = pdf_text(&pdf.bytes) else {
        return;
    };
    assert!(text.contains("Site report: Marienplatz"));
    // TLP:AMBER in the header and footer of every page: a site's weaknesses are not public.
    assert!(
        text.matches("TLP:AMBER").count() >= 2 * pages,
        "marking on every page:\n{text}"
    );
    // Every open entry of the study is in the table with the rating it needs.
    let entries = result.entry_reports();
    let open: Vec<_> = entries
        .iter()
        .filter_map(|entry| {
            entry
                .most_energetic()
                .map(|(_, approach)| (entry, approach))
        })
        .collect();
    assert!(!open.is_empty());
    for (entry, approach) in open {
        assert!(
            text.contains(&approach.required_rating),
            "{} needs {}:\n{text}",
            entry.entry,
            approach.required_rating
        );
    }
    assert!(text.contains("Vehicle approach"));
}

#[tokio::test]
async fn the_city_report_lists_every_site_and_keeps_tiers_apart_from_risk() {
    let (app, _directory, demo) = demo_app().await;
    let labels = EnglishLabels::load();
    let sites = app.list_sites(&demo).await.unwrap();
    let pdf = app
        .city_report(&demo, &labels, ReportFormat::Pdf)
        .await
        .unwrap();
    assert!(pdf.file_name.starts_with("agora-city-"));
    let html = app
        .city_report(&demo, &labels, ReportFormat::Html)
        .await
        .unwrap();
    let html = String::from_utf8(html.bytes).unwrap();
    for site in &sites {
        assert!(
            html.contains(&site.draft.name),
            "{} missing",
            site.draft.name
        );
    }
    let Some(text) = pdf_text(&pdf.bytes) else {
        return;
    };
    assert!(text.contains("City report"));
    // Long names wrap in the PDF's table cells: every word is there.
    for site in &sites {
        for word in site
            .draft
            .name
            .split([' ', '/'])
            .filter(|word| !word.is_empty())
        {
            assert!(text.contains(word), "{word} of {} missing", site.draft.name);
        }
    }
    assert!(text.contains("Protection of Premises"));
    assert!(text.contains("not assessed"));
}

#[tokio::test]
async fn a_final_assessment_gives_the_report_its_risk_explanations_plans_and_marking() {
    use app::AssessmentAnswers;
    use app::risk::{Factor, QuestionId, ScoreOverride, Threat};

    let (app, _directory, demo) = demo_app().await;
    let marienplatz = app
        .list_sites(&demo)
        .await
        .unwrap()
        .into_iter()
        .find(|site| site.draft.name == "Marienplatz")
        .unwrap();
    let labels = EnglishLabels::load();

    // No assessment: no plans, and the reason is named.
    let error = app
        .site_plans(&demo, marienplatz.id, &app::PlanRequest::default())
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("has no assessment yet"),
        "{error}"
    );

    let questionnaire = app::current_questionnaire();
    let mut entered = AssessmentAnswers::default();
    for question in questionnaire.questions() {
        entered.answers.insert(question.id.clone(), 3);
    }
    entered
        .answers
        .insert(QuestionId::from("vr.entry_barriers"), 1);
    for threat in Threat::ALL {
        entered.threat_likelihoods.insert(threat, 4.0);
    }
    entered
        .threat_likelihoods
        .insert(Threat::VehicleRamming, 7.0);
    entered.overrides.push(ScoreOverride {
        threat: Threat::Firearms,
        factor: Factor::Consequence,
        value: 9.0,
        justification: "Christmas market crowds of 8000 in December".into(),
    });
    entered.marking = Some(domain::Tlp::Red);
    let draft = app
        .start_assessment_with(&demo, marienplatz.id, false, Some(entered))
        .await
        .unwrap();
    let stored = app
        .finalise_assessment(&demo, draft.id, draft.version)
        .await
        .unwrap();
    let ramming = stored.scored.threat(Threat::VehicleRamming);
    let risk = ramming.risk.unwrap();

    let plans = app
        .site_plans(&demo, marienplatz.id, &app::PlanRequest::default())
        .await
        .unwrap();
    assert!(plans.assessment.contains("final"), "{}", plans.assessment);
    let front = &plans.proposal.front;
    assert!(front.len() > 1);
    assert_eq!(
        front[0].total_risk_before,
        stored
            .scored
            .threats
            .iter()
            .filter_map(|row| row.risk.map(|risk| risk.value))
            .sum::<f64>(),
        "the plans start from the assessment's total risk"
    );

    let pdf = app
        .site_report(&demo, marienplatz.id, &labels, app::ReportFormat::Pdf)
        .await
        .unwrap();
    let html = app
        .site_report(&demo, marienplatz.id, &labels, app::ReportFormat::Html)
        .await
        .unwrap();
    let html = String::from_utf8(html.bytes).unwrap();
    // The override's justification and the answer behind vehicle-ramming vulnerability.
    assert!(html.contains("Christmas market crowds of 8000 in December"));
    assert!(html.contains("Answer vr.entry_barriers"));
    assert!(html.contains("Protective measures"));
    let Some(text) = pdf_text(&pdf.bytes) else {
        return;
    };
    let pages = pdf.page_count.unwrap();
    // The assessment's marking (TLP:RED) on every page.
    assert!(text.matches("TLP:RED").count() >= 2 * pages, "{text}");
    assert!(!text.contains("TLP:AMBER"));
    assert!(text.contains("Risk per threat"));
    assert!(
        text.contains(&format!("{:.0}", risk.value)),
        "ramming risk {}",
        risk.value
    );
    assert!(text.contains("Pareto-optimal plans"));
}
