//! The vulnerability assessment pages: a site's assessments (start one, or one superseding the
//! last final one), the assessment itself (the risk table with every score's explanation, then
//! the questionnaire section by section with graded answers, notes, evidence, likelihoods and
//! overrides; save, finalise), the side-by-side comparison, and the city dashboard.
//!
//! Forms post urlencoded (evidence: multipart) with the session's synchronizer token; no script.

use app::risk::{
    Contribution, DutyTier, Factor, FactorScore, QuestionId, Questionnaire, RiskBand, ScoreKind,
    ScoreOverride, Step, Threat,
};
use app::{Actor, AppError, AssessmentAnswers, StoredAssessment};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{AssessmentId, EvidenceId, Site, SiteId, Tlp};
use fluent_bundle::FluentValue;
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::i18n::{Language, Localizer};
use crate::pages::{PageContext, csrf_refusal, parse_site_id, render};
use crate::session::SignedIn;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sites/{id}/assessments",
            get(site_assessments_page).post(start_assessment),
        )
        .route(
            "/assessments/{id}",
            get(assessment_page).post(save_assessment),
        )
        .route("/assessments/{id}/finalise", post(finalise_assessment))
        .route("/assessments/{id}/evidence", post(upload_evidence))
        .route("/assessments/{id}/compare", get(compare_page))
        .route("/evidence/{id}", get(download_evidence))
        .route("/dashboard", get(dashboard_page))
}

fn parse_assessment_id(text: &str) -> Result<AssessmentId, AppError> {
    text.parse()
        .map_err(|_| AppError::NotFound(format!("assessment {text} not found")))
}

/// A 1-10 score or a risk in the page's language: at most two decimals, no trailing zeros.
fn score_text(t: Localizer, value: f64) -> String {
    let mut text = format!("{value:.2}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    match t.language() {
        Language::French => text.replace('.', ","),
        Language::English => text,
    }
}

fn threat_name(t: Localizer, threat: Threat) -> String {
    t.t(&format!("threat-{}", threat.as_str().replace('_', "-")))
}

fn factor_name(t: Localizer, factor: Factor) -> String {
    t.t(&format!("factor-{}", factor.as_str().replace('_', "-")))
}

fn band_name(t: Localizer, band: RiskBand) -> String {
    t.t(match band {
        RiskBand::Low => "band-low",
        RiskBand::Medium => "band-medium",
        RiskBand::High => "band-high",
    })
}

fn band_class(band: RiskBand) -> &'static str {
    match band {
        RiskBand::Low => "band-low",
        RiskBand::Medium => "band-medium",
        RiskBand::High => "band-high",
    }
}

fn tier_name(t: Localizer, tier: Option<DutyTier>) -> String {
    t.t(match tier {
        None => "tier-unknown",
        Some(DutyTier::OutOfScope) => "tier-out-of-scope",
        Some(DutyTier::Standard) => "tier-standard",
        Some(DutyTier::Enhanced) => "tier-enhanced",
    })
}

fn status_name(t: Localizer, assessment: &StoredAssessment) -> String {
    t.t(if assessment.is_final() {
        "assessment-status-final"
    } else {
        "assessment-status-draft"
    })
}

fn date_text(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One line of a score's explanation, in the page's language: the same words as the report's
/// explanation table (its source, then its detail).
fn contribution_text(t: Localizer, questionnaire: &Questionnaire, item: &Contribution) -> String {
    let (source, detail) = app::contribution_text(item, questionnaire, &t);
    format!("{source}: {detail}")
}

/// A T, V or C cell: the value and the lines that explain it.
struct FactorCell {
    value: String,
    computed_note: String,
    lines: Vec<String>,
}

fn factor_cell(
    t: Localizer,
    questionnaire: &Questionnaire,
    score: Option<&FactorScore>,
) -> FactorCell {
    match score {
        None => FactorCell {
            value: "—".into(),
            computed_note: String::new(),
            lines: Vec::new(),
        },
        Some(score) => FactorCell {
            value: score_text(t, score.value),
            computed_note: match score.computed {
                Some(computed) if computed != score.value => {
                    t.t_with("explain-computed", "value", score_text(t, computed))
                }
                _ => String::new(),
            },
            lines: score
                .contributions
                .iter()
                .map(|item| contribution_text(t, questionnaire, item))
                .collect(),
        },
    }
}

struct ThreatRow {
    id: &'static str,
    name: String,
    factors: Vec<FactorCell>,
    risk: String,
    band: String,
    band_class: &'static str,
}

fn threat_rows(
    t: Localizer,
    questionnaire: &Questionnaire,
    assessment: &StoredAssessment,
) -> Vec<ThreatRow> {
    assessment
        .scored
        .threats
        .iter()
        .map(|row| ThreatRow {
            id: row.threat.as_str(),
            name: threat_name(t, row.threat),
            factors: Factor::ALL
                .iter()
                .map(|factor| factor_cell(t, questionnaire, row.factor(*factor)))
                .collect(),
            risk: row
                .risk
                .map_or_else(|| "—".into(), |risk| score_text(t, risk.value)),
            band: row
                .risk
                .map(|risk| band_name(t, risk.band))
                .unwrap_or_default(),
            band_class: row.risk.map_or("", |risk| band_class(risk.band)),
        })
        .collect()
}

struct LevelView {
    grade: u8,
    description: String,
    options: String,
    checked: bool,
}

struct EvidenceView {
    id: EvidenceId,
    name: String,
    detail: String,
}

struct QuestionView {
    id: String,
    text: String,
    feeds: String,
    levels: Vec<LevelView>,
    answered: String,
    note: String,
    evidence: Vec<EvidenceView>,
}

struct SectionView {
    id: String,
    step: String,
    title: String,
    sources: Vec<String>,
    questions: Vec<QuestionView>,
}

struct ThreatInput {
    id: &'static str,
    name: String,
    likelihood: String,
}

struct OverrideRow {
    index: usize,
    threat: &'static str,
    factor: &'static str,
    value: String,
    justification: String,
}

struct Choice {
    value: &'static str,
    label: String,
}

fn sections(
    t: Localizer,
    questionnaire: &Questionnaire,
    entered: &AssessmentAnswers,
    assessment: &StoredAssessment,
) -> Vec<SectionView> {
    let language = t.lang();
    questionnaire
        .sections
        .iter()
        .map(|section| SectionView {
            id: section.id.to_string(),
            step: match section.step {
                Step::DescribeSite => t.t("step-describe-site"),
                Step::ExistingMeasures => t.t("step-existing-measures"),
                Step::Scenario { threat } => {
                    t.t_with("step-scenario", "threat", threat_name(t, threat))
                }
            },
            title: section.title.get(language).to_string(),
            sources: section.sources.clone(),
            questions: section
                .questions
                .iter()
                .map(|question| {
                    let chosen = entered.answers.get(&question.id).copied();
                    QuestionView {
                        id: question.id.to_string(),
                        text: question.text.get(language).to_string(),
                        feeds: factor_name(t, question.feeds),
                        levels: question
                            .levels
                            .iter()
                            .enumerate()
                            .map(|(index, level)| {
                                let grade = index as u8 + 1;
                                LevelView {
                                    grade,
                                    description: level.description.get(language).to_string(),
                                    options: level.options.get(language).to_string(),
                                    checked: chosen == Some(grade),
                                }
                            })
                            .collect(),
                        answered: chosen
                            .and_then(|grade| question.level(grade).map(|level| (grade, level)))
                            .map(|(grade, level)| {
                                format!("{grade} · {}", level.description.get(language))
                            })
                            .unwrap_or_else(|| t.t("assessment-unanswered")),
                        note: entered.notes.get(&question.id).cloned().unwrap_or_default(),
                        evidence: assessment
                            .evidence
                            .iter()
                            .filter(|file| {
                                file.question_id.as_deref() == Some(question.id.as_str())
                            })
                            .map(|file| EvidenceView {
                                id: file.id,
                                name: file.file_name.clone(),
                                detail: format!(
                                    "{} · {} kB",
                                    file.content_type,
                                    file.size_bytes.div_ceil(1024)
                                ),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    page: PageContext,
    site: Site,
    assessment: StoredAssessment,
    status: String,
    meta: String,
    marking_label: &'static str,
    editable: bool,
    can_assess: bool,
    error: Option<String>,
    rows: Vec<ThreatRow>,
    sections: Vec<SectionView>,
    threats: Vec<ThreatInput>,
    overrides: Vec<OverrideRow>,
    threat_choices: Vec<Choice>,
    factor_choices: Vec<Choice>,
    markings: Vec<Choice>,
    marking: &'static str,
    general_evidence: Vec<EvidenceView>,
    question_ids: Vec<String>,
    studies: Vec<String>,
}

/// How many empty override rows the form offers beyond those entered.
const EMPTY_OVERRIDE_ROWS: usize = 2;

async fn render_assessment(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    id: AssessmentId,
    error: Option<String>,
    entered: Option<AssessmentAnswers>,
) -> Response {
    let assessment = match state.app.assessment(actor, id).await {
        Ok(assessment) => assessment,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let site = match state.app.site(actor, assessment.site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let questionnaire = match app::questionnaire_version(
        &assessment.input.questionnaire_id,
        &assessment.input.questionnaire_version,
    ) {
        Ok(questionnaire) => questionnaire,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let entered = entered.unwrap_or_else(|| assessment.answers());
    let can_assess = actor.user.role.can_assess();
    let mut overrides: Vec<OverrideRow> = entered
        .overrides
        .iter()
        .enumerate()
        .map(|(index, item)| OverrideRow {
            index,
            threat: item.threat.as_str(),
            factor: item.factor.as_str(),
            value: score_text(t, item.value),
            justification: item.justification.clone(),
        })
        .collect();
    for _ in 0..EMPTY_OVERRIDE_ROWS {
        overrides.push(OverrideRow {
            index: overrides.len(),
            threat: "",
            factor: "",
            value: String::new(),
            justification: String::new(),
        });
    }
    let studies = [
        assessment.input.studies.hvm.as_ref().map(|hvm| {
            t.t_args(
                "assessment-study-hvm",
                &[
                    ("entry", FluentValue::from(hvm.open_entry.clone())),
                    (
                        "speed",
                        FluentValue::from(score_text(t, hvm.max_impact_speed_kmh)),
                    ),
                    (
                        "energy",
                        FluentValue::from(format!("{:.0}", hvm.max_impact_energy_kj)),
                    ),
                ],
            )
        }),
        assessment.input.studies.crowd.as_ref().map(|crowd| {
            t.t_args(
                "assessment-study-crowd",
                &[
                    (
                        "density",
                        FluentValue::from(score_text(t, crowd.peak_density_persons_per_m2)),
                    ),
                    (
                        "time",
                        FluentValue::from(format!("{:.0}", crowd.evacuation_time_s)),
                    ),
                ],
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let marking = entered.marking.unwrap_or(assessment.marking);
    let page = AssessmentPage {
        page: PageContext::new(
            t,
            Some(actor),
            t.t_with("assessment-title", "name", site.draft.name.clone()),
        ),
        status: status_name(t, &assessment),
        meta: match assessment.finalised_at {
            Some(at) => t.t_with("assessment-finalised-at", "date", date_text(at)),
            None => t.t_with(
                "assessment-saved-at",
                "date",
                date_text(assessment.updated_at),
            ),
        },
        marking_label: assessment.marking.label(),
        editable: can_assess && !assessment.is_final(),
        can_assess,
        error,
        rows: threat_rows(t, &questionnaire, &assessment),
        sections: sections(t, &questionnaire, &entered, &assessment),
        threats: Threat::ALL
            .iter()
            .map(|threat| ThreatInput {
                id: threat.as_str(),
                name: threat_name(t, *threat),
                likelihood: entered
                    .threat_likelihoods
                    .get(threat)
                    .map(|value| score_text(t, *value))
                    .unwrap_or_default(),
            })
            .collect(),
        overrides,
        threat_choices: Threat::ALL
            .iter()
            .map(|threat| Choice {
                value: threat.as_str(),
                label: threat_name(t, *threat),
            })
            .collect(),
        factor_choices: Factor::ALL
            .iter()
            .map(|factor| Choice {
                value: factor.as_str(),
                label: factor_name(t, *factor),
            })
            .collect(),
        markings: Tlp::ALL
            .iter()
            .map(|tlp| Choice {
                value: tlp.as_str(),
                label: tlp.label().to_string(),
            })
            .collect(),
        marking: marking.as_str(),
        general_evidence: assessment
            .evidence
            .iter()
            .filter(|file| file.question_id.is_none())
            .map(|file| EvidenceView {
                id: file.id,
                name: file.file_name.clone(),
                detail: format!(
                    "{} · {} kB",
                    file.content_type,
                    file.size_bytes.div_ceil(1024)
                ),
            })
            .collect(),
        question_ids: questionnaire
            .questions()
            .map(|question| question.id.to_string())
            .collect(),
        studies,
        site,
        assessment,
    };
    render(&page)
}

/// A refused write re-renders the assessment with the reason: 400 for bad input (keeping what
/// was entered), 409 for a final assessment or a stale version; other errors get the error page.
async fn refused(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    id: AssessmentId,
    error: AppError,
    entered: Option<AssessmentAnswers>,
) -> Response {
    let (status, message, entered) = match error {
        AppError::Invalid(message) => (
            axum::http::StatusCode::BAD_REQUEST,
            t.t_with("error-invalid", "detail", message),
            entered,
        ),
        AppError::Conflict(message) => (
            axum::http::StatusCode::CONFLICT,
            t.t_with("assessment-refused", "detail", message),
            None,
        ),
        other => return page_error(t, Some(actor), other),
    };
    let mut response = render_assessment(state, t, actor, id, Some(message), entered).await;
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}

async fn assessment_page(
    State(state): State<AppState>,
    SignedIn { t, actor }: SignedIn,
    Path(id): Path<String>,
) -> Response {
    match parse_assessment_id(&id) {
        Ok(id) => render_assessment(&state, t, &actor, id, None, None).await,
        Err(error) => page_error(t, Some(&actor), error),
    }
}

/// The save form: `answer:QID` = grade, `note:QID`, `likelihood:THREAT`, `override_threat_N`,
/// `override_factor_N`, `override_value_N`, `override_justification_N`, `marking`, `version`.
struct SaveForm {
    csrf_token: String,
    version: i64,
    entered: Result<AssessmentAnswers, AppError>,
}

fn parse_number(field: &str, text: &str) -> Result<f64, AppError> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| AppError::Invalid(format!("{field}: '{text}' is not a number")))
}

fn parse_save_form(body: &[u8]) -> SaveForm {
    let mut csrf_token = String::new();
    let mut version = String::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "csrf_token" => csrf_token = value.into_owned(),
            "version" => version = value.into_owned(),
            _ => fields.push((key.into_owned(), value.into_owned())),
        }
    }
    let entered = (|| {
        let mut entered = AssessmentAnswers::default();
        let mut rows: std::collections::BTreeMap<usize, [String; 4]> = Default::default();
        for (key, value) in fields {
            if let Some(question) = key.strip_prefix("answer:") {
                let grade = value.trim().parse::<u8>().map_err(|_| {
                    AppError::Invalid(format!("answers.{question}: '{value}' is not a grade 1-5"))
                })?;
                entered.answers.insert(QuestionId::from(question), grade);
            } else if let Some(question) = key.strip_prefix("note:") {
                if !value.trim().is_empty() {
                    entered.notes.insert(QuestionId::from(question), value);
                }
            } else if let Some(threat) = key.strip_prefix("likelihood:") {
                if value.trim().is_empty() {
                    continue;
                }
                let field = format!("threat_likelihoods.{threat}");
                let threat: Threat =
                    threat.parse().map_err(|error: app::risk::UnknownThreat| {
                        AppError::Invalid(format!("{field}: {error}"))
                    })?;
                entered
                    .threat_likelihoods
                    .insert(threat, parse_number(&field, &value)?);
            } else if key == "marking" {
                entered.marking = Some(
                    value
                        .parse()
                        .map_err(|error| AppError::Invalid(format!("marking: {error}")))?,
                );
            } else if let Some((part, index)) = key
                .strip_prefix("override_")
                .and_then(|rest| rest.rsplit_once('_'))
                && let Ok(index) = index.parse::<usize>()
            {
                let slot = match part {
                    "threat" => 0,
                    "factor" => 1,
                    "value" => 2,
                    "justification" => 3,
                    _ => continue,
                };
                rows.entry(index).or_default()[slot] = value;
            }
        }
        for [threat, factor, value, justification] in rows.into_values() {
            // A row with neither a value nor a justification is one of the empty spare rows.
            if value.trim().is_empty() && justification.trim().is_empty() {
                continue;
            }
            let index = entered.overrides.len();
            let field = |name: &str| format!("overrides[{index}].{name}");
            entered.overrides.push(ScoreOverride {
                threat: threat
                    .parse()
                    .map_err(|error| AppError::Invalid(format!("{}: {error}", field("threat"))))?,
                factor: factor
                    .parse()
                    .map_err(|error| AppError::Invalid(format!("{}: {error}", field("factor"))))?,
                value: parse_number(&field("value"), &value)?,
                justification,
            });
        }
        Ok(entered)
    })();
    SaveForm {
        csrf_token,
        version: version.trim().parse().unwrap_or(-1),
        entered,
    }
}

async fn save_assessment(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = parse_save_form(&body);
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &form.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let id = match parse_assessment_id(&id) {
        Ok(id) => id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let outcome = match &form.entered {
        Ok(entered) => state
            .app
            .save_assessment(&actor, id, form.version, entered.clone())
            .await
            .map(|_| ()),
        Err(error) => Err(AppError::Invalid(error.to_string())),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/assessments/{id}")).into_response(),
        Err(error) => refused(&state, t, &actor, id, error, form.entered.ok()).await,
    }
}

#[derive(Deserialize)]
struct FinaliseForm {
    csrf_token: String,
    version: i64,
    #[serde(default)]
    confirm: Option<String>,
}

async fn finalise_assessment(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form: Option<FinaliseForm> = serde_urlencoded_form(&body);
    let csrf_token = form
        .as_ref()
        .map(|form| form.csrf_token.as_str())
        .unwrap_or_default();
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let id = match parse_assessment_id(&id) {
        Ok(id) => id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let Some(form) = form else {
        return page_error(
            t,
            Some(&actor),
            AppError::Invalid("version: missing".into()),
        );
    };
    if form.confirm.as_deref() != Some("yes") {
        let message = t.t("assessment-confirm-needed");
        return refused(&state, t, &actor, id, AppError::Invalid(message), None).await;
    }
    match state
        .app
        .finalise_assessment(&actor, id, form.version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/assessments/{id}")).into_response(),
        Err(error) => refused(&state, t, &actor, id, error, None).await,
    }
}

/// A small urlencoded form read into `T` (the fields are simple strings and numbers).
fn serde_urlencoded_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    let map: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(body)
        .map(|(key, value)| {
            let value = match value.parse::<i64>() {
                Ok(number) if key != "csrf_token" => serde_json::Value::from(number),
                _ => serde_json::Value::from(value.into_owned()),
            };
            (key.into_owned(), value)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(map)).ok()
}

async fn upload_evidence(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let mut csrf_token = String::new();
    let mut question = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                let Ok(bytes) = field.bytes().await else {
                    return page_error(
                        t,
                        Some(&actor),
                        AppError::Invalid("file: the upload was cut off".into()),
                    );
                };
                match name.as_str() {
                    "csrf_token" => csrf_token = String::from_utf8_lossy(&bytes).into_owned(),
                    "question" => question = String::from_utf8_lossy(&bytes).into_owned(),
                    "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(error) => {
                return page_error(
                    t,
                    Some(&actor),
                    AppError::Invalid(format!("file: {}", error.body_text())),
                );
            }
        }
    }
    if let Some(response) = csrf_refusal(t, &actor, &csrf_token) {
        return response;
    }
    let id = match parse_assessment_id(&id) {
        Ok(id) => id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let (file_name, data) = file.unwrap_or_default();
    let question = (!question.is_empty()).then(|| QuestionId::from(question.as_str()));
    match state
        .app
        .add_evidence(&actor, id, question, &file_name, data)
        .await
    {
        Ok(_) => Redirect::to(&format!("/assessments/{id}#evidence")).into_response(),
        Err(error) => refused(&state, t, &actor, id, error, None).await,
    }
}

async fn download_evidence(
    State(state): State<AppState>,
    SignedIn { t, actor }: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<EvidenceId>() else {
        return page_error(
            t,
            Some(&actor),
            AppError::NotFound(format!("evidence {id} not found")),
        );
    };
    match state.app.evidence_file(&actor, id).await {
        Ok((evidence, data)) => crate::assessment_api::evidence_response(&evidence, data),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

struct AssessmentLink {
    id: AssessmentId,
    label: String,
    status: String,
    highest: String,
    compare: Option<AssessmentId>,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct SiteAssessmentsPage {
    page: PageContext,
    site: Site,
    tier: String,
    can_assess: bool,
    has_final: bool,
    assessments: Vec<AssessmentLink>,
}

fn highest_text(t: Localizer, assessment: &StoredAssessment) -> String {
    assessment
        .scored
        .highest_risk()
        .map(|(threat, risk)| {
            t.t_args(
                "assessment-highest",
                &[
                    ("threat", FluentValue::from(threat_name(t, threat))),
                    ("risk", FluentValue::from(score_text(t, risk.value))),
                    ("band", FluentValue::from(band_name(t, risk.band))),
                ],
            )
        })
        .unwrap_or_else(|| t.t("assessment-no-risk"))
}

async fn site_assessments_page(
    State(state): State<AppState>,
    SignedIn { t, actor }: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    render_site_assessments(&state, t, &actor, site_id).await
}

async fn render_site_assessments(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    site_id: SiteId,
) -> Response {
    let site = match state.app.site(actor, site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let assessments = match state.app.site_assessments(actor, site_id).await {
        Ok(assessments) => assessments,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let page = SiteAssessmentsPage {
        page: PageContext::new(
            t,
            Some(actor),
            t.t_with("assessments-title", "name", site.draft.name.clone()),
        ),
        tier: tier_name(t, app::site_duty_tier(&site)),
        can_assess: actor.user.role.can_assess(),
        has_final: assessments.iter().any(StoredAssessment::is_final),
        assessments: assessments
            .iter()
            .map(|assessment| AssessmentLink {
                id: assessment.id,
                label: date_text(assessment.finalised_at.unwrap_or(assessment.created_at)),
                status: status_name(t, assessment),
                highest: highest_text(t, assessment),
                compare: assessment.supersedes,
            })
            .collect(),
        site,
    };
    render(&page)
}

async fn start_assessment(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut csrf_token = String::new();
    let mut supersede = false;
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "csrf_token" => csrf_token = value.into_owned(),
            "supersede" => supersede = value == "yes",
            _ => {}
        }
    }
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    match state.app.start_assessment(&actor, site_id, supersede).await {
        Ok(started) => Redirect::to(&format!("/assessments/{}", started.id)).into_response(),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

struct CompareRow {
    name: String,
    before: Vec<String>,
    after: Vec<String>,
    before_band: &'static str,
    after_band: &'static str,
}

struct AnswerChangeRow {
    question: String,
    text: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "assessment_compare.html")]
struct ComparePage {
    page: PageContext,
    site: Site,
    before_id: AssessmentId,
    after_id: AssessmentId,
    before_label: String,
    after_label: String,
    rows: Vec<CompareRow>,
    answers: Vec<AnswerChangeRow>,
}

#[derive(Deserialize)]
struct CompareQuery {
    with: Option<String>,
}

fn compare_cells(t: Localizer, assessment: &StoredAssessment, threat: Threat) -> Vec<String> {
    let row = assessment.scored.threat(threat);
    let mut cells: Vec<String> = Factor::ALL
        .iter()
        .map(|factor| {
            row.factor(*factor)
                .map_or_else(|| "—".into(), |score| score_text(t, score.value))
        })
        .collect();
    cells.push(row.risk.map_or_else(
        || "—".into(),
        |risk| {
            format!(
                "{} ({})",
                score_text(t, risk.value),
                band_name(t, risk.band)
            )
        },
    ));
    cells
}

async fn compare_page(
    State(state): State<AppState>,
    SignedIn { t, actor }: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Response {
    let after = match parse_assessment_id(&id) {
        Ok(id) => id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let before = match query.with.as_deref().map(parse_assessment_id) {
        Some(Ok(before)) => before,
        Some(Err(error)) => return page_error(t, Some(&actor), error),
        None => match state.app.assessment(&actor, after).await {
            Ok(StoredAssessment {
                supersedes: Some(before),
                ..
            }) => before,
            Ok(_) => {
                return page_error(
                    t,
                    Some(&actor),
                    AppError::Invalid(
                        "this assessment supersedes none: choose one to compare with".into(),
                    ),
                );
            }
            Err(error) => return page_error(t, Some(&actor), error),
        },
    };
    let comparison = match state.app.compare_assessments(&actor, before, after).await {
        Ok(comparison) => comparison,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let site = match state.app.site(&actor, comparison.after.site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let questionnaire = app::current_questionnaire();
    let grade_text = |grade: Option<u8>| {
        grade.map_or_else(|| t.t("assessment-unanswered"), |grade| grade.to_string())
    };
    let band_of = |assessment: &StoredAssessment, threat: Threat| {
        assessment
            .scored
            .threat(threat)
            .risk
            .map_or("", |risk| band_class(risk.band))
    };
    let page = ComparePage {
        page: PageContext::new(
            t,
            Some(&actor),
            t.t_with("compare-title", "name", site.draft.name.clone()),
        ),
        before_id: before,
        after_id: after,
        before_label: format!(
            "{} · {}",
            status_name(t, &comparison.before),
            date_text(
                comparison
                    .before
                    .finalised_at
                    .unwrap_or(comparison.before.created_at)
            )
        ),
        after_label: format!(
            "{} · {}",
            status_name(t, &comparison.after),
            date_text(
                comparison
                    .after
                    .finalised_at
                    .unwrap_or(comparison.after.created_at)
            )
        ),
        rows: Threat::ALL
            .iter()
            .map(|threat| CompareRow {
                name: threat_name(t, *threat),
                before: compare_cells(t, &comparison.before, *threat),
                after: compare_cells(t, &comparison.after, *threat),
                before_band: band_of(&comparison.before, *threat),
                after_band: band_of(&comparison.after, *threat),
            })
            .collect(),
        answers: comparison
            .changes
            .answers
            .iter()
            .map(|change| AnswerChangeRow {
                question: change.question.to_string(),
                text: questionnaire
                    .question(&change.question)
                    .map(|question| question.text.get(t.lang()).to_string())
                    .unwrap_or_default(),
                before: grade_text(change.before),
                after: grade_text(change.after),
            })
            .collect(),
        site,
    };
    render(&page)
}

struct DashboardRow {
    rank: usize,
    site_id: SiteId,
    name: String,
    tier: String,
    highest: String,
    band_class: &'static str,
    assessment: Option<AssessmentId>,
    finalised: String,
    changes: Vec<String>,
    draft: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: PageContext,
    ranked: Vec<DashboardRow>,
    never_assessed: Vec<DashboardRow>,
}

fn dashboard_row(t: Localizer, rank: usize, site: &app::DashboardSite) -> DashboardRow {
    let latest = site.latest.as_ref();
    let highest = latest.and_then(|latest| latest.highest);
    let mut changes = Vec::new();
    if let Some(comparison) = latest.and_then(|latest| latest.changes.as_ref()) {
        for change in &comparison.scores {
            if change.kind != ScoreKind::Risk {
                continue;
            }
            changes.push(
                t.t_args(
                    "dashboard-risk-change",
                    &[
                        ("threat", FluentValue::from(threat_name(t, change.threat))),
                        (
                            "before",
                            FluentValue::from(
                                change
                                    .before
                                    .map_or_else(|| "—".into(), |value| score_text(t, value)),
                            ),
                        ),
                        (
                            "after",
                            FluentValue::from(
                                change
                                    .after
                                    .map_or_else(|| "—".into(), |value| score_text(t, value)),
                            ),
                        ),
                        (
                            "delta",
                            FluentValue::from(change.delta().map_or_else(String::new, |delta| {
                                format!(
                                    " ({}{})",
                                    if delta > 0.0 { "+" } else { "" },
                                    score_text(t, delta)
                                )
                            })),
                        ),
                    ],
                ),
            );
        }
        changes.push(t.t_with(
            "dashboard-answers-changed",
            "count",
            comparison.answers.len(),
        ));
    } else if latest.is_some() {
        changes.push(t.t("dashboard-first-assessment"));
    }
    DashboardRow {
        rank,
        site_id: site.site_id,
        name: site.name.clone(),
        tier: tier_name(t, site.duty_tier),
        highest: highest
            .map(|(threat, risk)| {
                format!(
                    "{} — {} ({})",
                    score_text(t, risk.value),
                    threat_name(t, threat),
                    band_name(t, risk.band)
                )
            })
            .unwrap_or_default(),
        band_class: highest.map_or("", |(_, risk)| band_class(risk.band)),
        assessment: latest.map(|latest| latest.id),
        finalised: latest
            .and_then(|latest| latest.finalised_at)
            .map(date_text)
            .unwrap_or_default(),
        changes,
        draft: site.draft_in_progress,
    }
}

async fn dashboard_page(
    State(state): State<AppState>,
    SignedIn { t, actor }: SignedIn,
) -> Response {
    let dashboard = match state.app.city_dashboard(&actor).await {
        Ok(dashboard) => dashboard,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let page = DashboardPage {
        page: PageContext::new(t, Some(&actor), t.t("dashboard-title")),
        ranked: dashboard
            .ranked
            .iter()
            .enumerate()
            .map(|(index, site)| dashboard_row(t, index + 1, site))
            .collect(),
        never_assessed: dashboard
            .never_assessed
            .iter()
            .map(|site| dashboard_row(t, 0, site))
            .collect(),
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_save_form_reads_answers_likelihoods_and_overrides_and_names_bad_fields() {
        let form = parse_save_form(
            b"csrf_token=abc&version=3&answer%3Avr.entry_barriers=2&note%3Avr.entry_barriers=gap+at+the+north&likelihood%3Avehicle_ramming=6%2C5&likelihood%3Afirearms=&override_threat_0=arson&override_factor_0=consequence&override_value_0=7&override_justification_0=fuel+store&override_threat_1=arson&override_factor_1=vulnerability&override_value_1=&override_justification_1=&marking=red",
        );
        assert_eq!((form.csrf_token.as_str(), form.version), ("abc", 3));
        let entered = form.entered.unwrap();
        assert_eq!(entered.answers[&QuestionId::from("vr.entry_barriers")], 2);
        assert_eq!(
            entered.notes[&QuestionId::from("vr.entry_barriers")],
            "gap at the north"
        );
        assert_eq!(entered.threat_likelihoods.len(), 1);
        assert_eq!(entered.threat_likelihoods[&Threat::VehicleRamming], 6.5);
        assert_eq!(
            entered.overrides.len(),
            1,
            "the empty spare row is left out"
        );
        assert_eq!(entered.overrides[0].justification, "fuel store");
        assert_eq!(entered.marking, Some(Tlp::Red));
        for (body, expected) in [
            (
                &b"answer%3Avr.run_up=high"[..],
                "answers.vr.run_up: 'high' is not a grade 1-5",
            ),
            (
                b"likelihood%3Afirearms=often",
                "threat_likelihoods.firearms: 'often' is not a number",
            ),
            (
                b"override_threat_0=arson&override_factor_0=cost&override_value_0=3&override_justification_0=x",
                "overrides[0].factor: unknown factor `cost`",
            ),
        ] {
            let message = parse_save_form(body).entered.unwrap_err().to_string();
            assert!(message.starts_with(expected), "{message}");
        }
    }

    #[test]
    fn scores_are_written_without_trailing_zeros_in_the_page_language() {
        let english = Localizer::new(Language::English);
        let french = Localizer::new(Language::French);
        assert_eq!(score_text(english, 297.0), "297");
        assert_eq!(score_text(english, 5.5), "5.5");
        assert_eq!(score_text(english, 3.25), "3.25");
        assert_eq!(score_text(french, 97.5), "97,5");
    }
}
