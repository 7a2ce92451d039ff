//! The API's plans and reports: `POST /api/sites/{id}/plans` (the Pareto-optimal plans of a site),
//! `GET /api/sites/{id}/report` and `GET /api/reports/city` (PDF or HTML). Described by their own
//! OpenAPI part, merged into the API's document.

use app::{PlanRequest, ReportFormat, SitePlans};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::AppState;
use crate::api::{ApiJson, ErrorBody, parse_site_id};
use crate::error::ApiError;
use crate::i18n::{Language, Localizer};
use crate::report_pages::download;
use crate::session::ApiCaller;

/// The OpenAPI part of plans and reports.
#[derive(OpenApi)]
#[openapi(paths(site_plans, site_report, city_report))]
pub struct ReportsApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites/{id}/plans", post(site_plans))
        .route("/sites/{id}/report", get(site_report))
        .route("/reports/city", get(city_report))
}

/// The Pareto-optimal protective-measure plans of a site, from its latest assessment and HVM
/// study. Body: `{"budget_eur": 500000, "max_openness_loss": 6, "horizon_years": 10,
/// "candidates": ["hvm.fixed_bollards_rated", ...], "selected": [...]}`, every field optional.
#[utoipa::path(post, path = "/api/sites/{id}/plans", params(("id" = String, Path, description = "site id")),
    request_body = Object,
    responses((status = 200, body = Object, description = "assessment label and the proposal: options, candidates, front (every plan), listed, selected, hvm_links"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn site_plans(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PlanRequest>,
) -> Result<Json<SitePlans>, ApiError> {
    let site_id = parse_site_id(&id)?;
    Ok(Json(state.app.site_plans(&actor, site_id, &request).await?))
}

/// How a report is asked for.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// `pdf` (the default) or `html`.
    format: Option<String>,
    /// `en` (the default) or `fr`.
    lang: Option<String>,
}

impl ReportQuery {
    fn parse(&self) -> Result<(ReportFormat, Localizer), ApiError> {
        let format = match self.format.as_deref().unwrap_or("pdf") {
            "pdf" => ReportFormat::Pdf,
            "html" => ReportFormat::Html,
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("format: '{other}' is not a report format (pdf, html)"),
                ));
            }
        };
        let language = match &self.lang {
            None => Language::English,
            Some(code) => Language::from_code(code).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("lang: '{code}' is not a language Agora speaks (en, fr)"),
                )
            })?,
        };
        Ok((format, Localizer::new(language)))
    }
}

/// A site's report: the site, its risk per threat with every score explained, its
/// vehicle-approach study, measure plans; the assessment's TLP marking on every page.
#[utoipa::path(get, path = "/api/sites/{id}/report", params(("id" = String, Path, description = "site id"), ReportQuery),
    responses((status = 200, content_type = "application/pdf", description = "the report (PDF or HTML)"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn site_report(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let site_id = parse_site_id(&id)?;
    let (format, labels) = query.parse()?;
    let report = state
        .app
        .site_report(&actor, site_id, &labels, format)
        .await?;
    Ok(download(report))
}

/// The city report: every site ranked by its highest risk, tiers beside risk.
#[utoipa::path(get, path = "/api/reports/city", params(ReportQuery),
    responses((status = 200, content_type = "application/pdf", description = "the report (PDF or HTML)"),
        (status = 400, body = ErrorBody)))]
async fn city_report(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let (format, labels) = query.parse()?;
    let report = state.app.city_report(&actor, &labels, format).await?;
    Ok(download(report))
}
