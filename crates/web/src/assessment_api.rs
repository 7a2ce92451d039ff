//! The assessment part of the REST API: start, read, save (with the version read: 409 when
//! stale), attach and download evidence, finalise, compare, and the city dashboard. A final
//! assessment answers every write with 409 and a message naming the way forward.

use app::{AssessmentAnswers, AssessmentComparison, CityDashboard, StoredAssessment};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{AssessmentId, Evidence, EvidenceId};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiJson, ErrorBody};
use crate::error::ApiError;
use crate::session::ApiCaller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sites/{id}/assessments",
            get(site_assessments).post(start_assessment),
        )
        .route("/assessments/compare", get(compare_assessments))
        .route(
            "/assessments/{id}",
            get(get_assessment).put(save_assessment),
        )
        .route("/assessments/{id}/finalise", post(finalise_assessment))
        .route(
            "/assessments/{id}/evidence",
            get(list_evidence).post(upload_evidence),
        )
        .route("/evidence/{id}", get(download_evidence))
        .route("/dashboard", get(dashboard))
}

fn not_found(what: &str, text: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("{what} {text} not found (not an id)"),
    )
}

fn parse_assessment_id(text: &str) -> Result<AssessmentId, ApiError> {
    text.parse().map_err(|_| not_found("assessment", text))
}

/// What starting an assessment takes.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StartAssessment {
    /// Supersede the site's latest final assessment, starting from its answers.
    #[serde(default)]
    pub supersede: bool,
}

/// A draft to save: the `version` last read and what was entered.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentUpdate {
    /// The assessment's `version` as last read; a mismatch is 409 Conflict.
    pub expected_version: i64,
    /// `{"answers": {"vr.entry_barriers": 3}, "threat_likelihoods": {"vehicle_ramming": 6},
    /// "overrides": [{"threat": "arson", "factor": "consequence", "value": 7, "justification":
    /// "..."}], "notes": {"vr.entry_barriers": "..."}, "marking": "amber"}`, every field optional.
    #[schema(value_type = Object)]
    pub assessment: AssessmentAnswers,
}

/// Finalising names the version last read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinaliseAssessment {
    /// The assessment's `version` as last read; a mismatch is 409 Conflict.
    pub expected_version: i64,
}

/// The assessments of a site, newest first, each scored.
#[utoipa::path(get, path = "/api/sites/{id}/assessments", params(("id" = String, Path, description = "site id")),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
pub async fn site_assessments(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredAssessment>>, ApiError> {
    let site = id.parse().map_err(|_| not_found("site", &id))?;
    Ok(Json(state.app.site_assessments(&actor, site).await?))
}

/// Start an assessment of a site (a draft); `{"supersede": true}` starts from the latest final
/// one's answers and supersedes it.
#[utoipa::path(post, path = "/api/sites/{id}/assessments", params(("id" = String, Path, description = "site id")),
    request_body = StartAssessment,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn start_assessment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<StoredAssessment>), ApiError> {
    let site = id.parse().map_err(|_| not_found("site", &id))?;
    // An empty body is a plain start.
    let start: StartAssessment = if body.iter().all(u8::is_ascii_whitespace) {
        StartAssessment::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("body: {error}"))
        })?
    };
    let started = state
        .app
        .start_assessment(&actor, site, start.supersede)
        .await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// One assessment: record, answers, scores per threat with their explanations, evidence list.
#[utoipa::path(get, path = "/api/assessments/{id}", params(("id" = String, Path, description = "assessment id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn get_assessment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<StoredAssessment>, ApiError> {
    Ok(Json(
        state
            .app
            .assessment(&actor, parse_assessment_id(&id)?)
            .await?,
    ))
}

/// Save a draft. 400 names the field at fault (unknown question, grade out of 1-5, likelihood or
/// override out of 1-10, override without justification) and saves nothing; 409 when the
/// version is stale or the assessment is final.
#[utoipa::path(put, path = "/api/assessments/{id}", params(("id" = String, Path, description = "assessment id")),
    request_body = AssessmentUpdate,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_assessment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<AssessmentUpdate>,
) -> Result<Json<StoredAssessment>, ApiError> {
    Ok(Json(
        state
            .app
            .save_assessment(
                &actor,
                parse_assessment_id(&id)?,
                update.expected_version,
                update.assessment,
            )
            .await?,
    ))
}

/// Finalise: stores the scored result; afterwards every write answers 409.
#[utoipa::path(post, path = "/api/assessments/{id}/finalise", params(("id" = String, Path, description = "assessment id")),
    request_body = FinaliseAssessment,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn finalise_assessment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<FinaliseAssessment>,
) -> Result<Json<StoredAssessment>, ApiError> {
    Ok(Json(
        state
            .app
            .finalise_assessment(&actor, parse_assessment_id(&id)?, request.expected_version)
            .await?,
    ))
}

/// The evidence files of an assessment (without their bytes).
#[utoipa::path(get, path = "/api/assessments/{id}/evidence", params(("id" = String, Path, description = "assessment id")),
    responses((status = 200, body = Vec<Evidence>), (status = 404, body = ErrorBody)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Evidence>>, ApiError> {
    let assessment = state
        .app
        .assessment(&actor, parse_assessment_id(&id)?)
        .await?;
    Ok(Json(assessment.evidence))
}

#[derive(Deserialize)]
pub struct EvidenceQuery {
    file_name: String,
    question: Option<String>,
}

/// Upload an evidence file as the raw body, named by `file_name` (PNG, JPEG, PDF or plain text,
/// recognised from the bytes; at most 10 MiB), optionally for one `question`.
#[utoipa::path(post, path = "/api/assessments/{id}/evidence",
    params(("id" = String, Path, description = "assessment id"),
        ("file_name" = String, Query, description = "the file's name, e.g. bollards.jpg"),
        ("question" = Option<String>, Query, description = "the question it supports, e.g. vr.entry_barriers")),
    request_body(content = Vec<u8>, description = "the file's bytes", content_type = "application/octet-stream"),
    responses((status = 201, body = Evidence), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    Query(query): Query<EvidenceQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Evidence>), ApiError> {
    let evidence = state
        .app
        .add_evidence(
            &actor,
            parse_assessment_id(&id)?,
            query
                .question
                .filter(|question| !question.is_empty())
                .map(|question| app::risk::QuestionId::from(question.as_str())),
            &query.file_name,
            body.to_vec(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(evidence)))
}

/// Download an evidence file (as an attachment, with the type recognised at upload).
#[utoipa::path(get, path = "/api/evidence/{id}", params(("id" = String, Path, description = "evidence id")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn download_evidence(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: EvidenceId = id.parse().map_err(|_| not_found("evidence", &id))?;
    let (evidence, data) = state.app.evidence_file(&actor, id).await?;
    Ok(evidence_response(&evidence, data))
}

/// An evidence file as a download: its recognised type, and `attachment` so that a browser
/// never renders it in Agora's origin.
pub fn evidence_response(evidence: &Evidence, data: Vec<u8>) -> Response {
    let content_type = HeaderValue::from_str(&evidence.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // The name is quoted with anything outside printable ASCII (and quotes) replaced.
    let safe_name: String = evidence
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        data,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct CompareQuery {
    before: String,
    after: String,
}

/// Two assessments of one site side by side, with the answers and scores that changed.
#[utoipa::path(get, path = "/api/assessments/compare",
    params(("before" = String, Query, description = "the earlier assessment's id"), ("after" = String, Query, description = "the later assessment's id")),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn compare_assessments(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(query): Query<CompareQuery>,
) -> Result<Json<AssessmentComparison>, ApiError> {
    Ok(Json(
        state
            .app
            .compare_assessments(
                &actor,
                parse_assessment_id(&query.before)?,
                parse_assessment_id(&query.after)?,
            )
            .await?,
    ))
}

/// The city dashboard: sites ranked by the highest risk of their latest final assessment, what
/// changed since the previous one, the duty tier beside it; then the sites never assessed.
#[utoipa::path(get, path = "/api/dashboard", responses((status = 200, body = Object)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<CityDashboard>, ApiError> {
    Ok(Json(state.app.city_dashboard(&actor).await?))
}
