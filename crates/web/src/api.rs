//! The REST API: JSON in and out, errors as `{"error": "..."}` with a 4xx status, described by the
//! OpenAPI document at `/api/openapi.json`.

use app::AppError;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Site, SiteDraft, SiteId, User};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::session::{ApiCaller, Visitor, expired_session_cookie, session_cookie};

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Agora API",
        description = "Public-space protection: sites, OpenStreetMap import, base map. Log in with POST /api/session; send the returned csrf_token in the X-CSRF-Token header of every POST, PUT and DELETE.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        login,
        logout,
        me,
        list_sites,
        create_site,
        get_site,
        update_site,
        delete_site,
        export_sites,
        import_sites,
        osm_candidates,
        basemap,
        run_hvm_study,
        site_studies,
        get_study,
        study_entries,
        study_geojson,
        crate::assessment_api::site_assessments,
        crate::assessment_api::start_assessment,
        crate::assessment_api::get_assessment,
        crate::assessment_api::save_assessment,
        crate::assessment_api::finalise_assessment,
        crate::assessment_api::list_evidence,
        crate::assessment_api::upload_evidence,
        crate::assessment_api::download_evidence,
        crate::assessment_api::compare_assessments,
        crate::assessment_api::dashboard,
        run_crowd_study,
        study_crowd,
        start_crowd_job,
        get_job,
        openapi_json
    ),
    components(schemas(
        LoginRequest,
        LoginResponse,
        SiteUpdate,
        ErrorBody,
        StudyRecord,
        HvmStudyResponse,
        crate::assessment_api::StartAssessment,
        crate::assessment_api::AssessmentUpdate,
        crate::assessment_api::FinaliseAssessment,
        domain::Evidence,
        CrowdStudyResponse,
        Site,
        SiteDraft,
        User,
        domain::SiteKind,
        domain::Role,
        domain::OrganisationKind
    ))
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
        .route("/sites", get(list_sites).post(create_site))
        .route("/sites.geojson", get(export_sites))
        .route("/sites/import", post(import_sites))
        .route(
            "/sites/{id}",
            get(get_site).put(update_site).delete(delete_site),
        )
        .route("/sites/{id}/hvm-studies", post(run_hvm_study))
        .route("/sites/{id}/studies", get(site_studies))
        .route("/studies/{id}", get(get_study))
        .route("/studies/{id}/entries", get(study_entries))
        .route("/studies/{id}/geojson", get(study_geojson))
        .route("/sites/{id}/crowd-studies", post(run_crowd_study))
        .route("/studies/{id}/crowd", get(study_crowd))
        .route("/sites/{id}/crowd-jobs", post(start_crowd_job))
        .route("/jobs/{id}", get(get_job))
        .route("/osm/candidates", post(osm_candidates))
        .route("/basemap", get(basemap))
        .route("/openapi.json", get(openapi_json))
        .merge(crate::assessment_api::routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such API route") })
}

/// JSON body extractor whose rejections are API errors naming the problem (line and column for
/// syntax errors, the field for type errors).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let status = match rejection {
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::BAD_REQUEST,
                };
                Err(ApiError::new(status, rejection.body_text()))
            }
        }
    }
}

/// An error response body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: User,
    /// Send this in the `X-CSRF-Token` header of every state-changing call.
    pub csrf_token: String,
}

/// Log in: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let outcome = state
        .app
        .login(&request.username, &request.password)
        .await?;
    let max_age = state.app.session_policy().absolute_timeout.as_secs();
    let mut response = Json(LoginResponse {
        user: outcome.actor.user,
        csrf_token: outcome.actor.csrf_token,
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state.config, &outcome.session_token, max_age),
    );
    Ok(response)
}

/// Log out: ends the session on the server.
#[utoipa::path(delete, path = "/api/session", responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    ApiCaller(_actor): ApiCaller,
    visitor: Visitor,
) -> Result<Response, ApiError> {
    if let Some(token) = visitor.session_token {
        state.app.logout(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie(&state.config));
    Ok(response)
}

/// The logged-in user and the session's CSRF token.
#[utoipa::path(get, path = "/api/me", responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody)))]
async fn me(ApiCaller(actor): ApiCaller) -> Json<LoginResponse> {
    Json(LoginResponse {
        user: actor.user,
        csrf_token: actor.csrf_token,
    })
}

/// The sites of the caller's organisation, by name.
#[utoipa::path(get, path = "/api/sites", responses((status = 200, body = Vec<Site>), (status = 401, body = ErrorBody)))]
async fn list_sites(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<Site>>, ApiError> {
    Ok(Json(state.app.list_sites(&actor).await?))
}

/// Create a site.
#[utoipa::path(post, path = "/api/sites", request_body = SiteDraft,
    responses((status = 201, body = Site), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_site(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(draft): ApiJson<SiteDraft>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    let site = state.app.create_site(&actor, draft).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// A study as the API shows it. `result` is the engine's full output (absent in lists).
#[derive(Serialize, ToSchema)]
pub struct StudyRecord {
    #[schema(value_type = String, format = Uuid)]
    pub id: domain::StudyId,
    #[schema(value_type = String, format = Uuid)]
    pub site_id: SiteId,
    /// vehicle_approach or crowd.
    pub kind: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The engine and its version, e.g. `vehicle_approach 0.1.0`.
    pub engine_version: String,
    /// SHA-256 of the OpenStreetMap extract analysed.
    pub map_sha256: Option<String>,
    /// What was asked (for a vehicle-approach study: vehicles, rules, added barriers, openings,
    /// and the outline analysed; for a crowd study: population, speeds, obstacles, barriers,
    /// exits, seed, and the outline simulated).
    #[schema(value_type = Object)]
    pub inputs: serde_json::Value,
    /// Headline figures.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

impl StudyRecord {
    fn from_study(study: domain::Study, with_result: bool) -> StudyRecord {
        StudyRecord {
            id: study.id,
            site_id: study.study.site_id,
            kind: study.study.kind.as_str().to_string(),
            created_at: study.created_at,
            engine_version: study.study.engine_version,
            map_sha256: study.study.map_sha256,
            inputs: study.study.inputs,
            summary: study.study.summary,
            result: with_result.then_some(study.study.result),
        }
    }
}

/// A vehicle-approach study just run: the stored study and every entry's figures.
#[derive(Serialize, ToSchema)]
pub struct HvmStudyResponse {
    pub study: StudyRecord,
    /// Per entry point: position, way, width, and per vehicle class the status, impact speed
    /// (km/h), kinetic energy (kJ), angle, run-up, required rating, path and bends.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<app::EntryReport>,
}

/// Run a hostile-vehicle study of a site on the current map and store it. Body: `{"vehicles":
/// ["N3C", "M1"], "rules": "worst_case" | "compliant", "added_barriers": [{"kind": "block",
/// "rating": "V/7200[N2A]/48/90:8.3/0.0", "line": [[lon, lat], ...]}], "openings": [{"at":
/// [lon, lat], "width_m": 4.0}]}` (every field optional).
#[utoipa::path(post, path = "/api/sites/{id}/hvm-studies", request_body(content = Object),
    params(("id" = String, Path, description = "site id")),
    responses((status = 201, body = HvmStudyResponse), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_hvm_study(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<app::HvmRequest>,
) -> Result<(StatusCode, Json<HvmStudyResponse>), ApiError> {
    let id = parse_site_id(&id)?;
    let (study, result) = state.app.run_hvm_study(&actor, id, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(HvmStudyResponse {
            study: StudyRecord::from_study(study, false),
            entries: result.entry_reports(),
        }),
    ))
}

/// The studies of a site, newest first (without their results).
#[utoipa::path(get, path = "/api/sites/{id}/studies", params(("id" = String, Path, description = "site id")),
    responses((status = 200, body = Vec<StudyRecord>), (status = 404, body = ErrorBody)))]
async fn site_studies(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<StudyRecord>>, ApiError> {
    let id = parse_site_id(&id)?;
    state.app.site(&actor, id).await?;
    let studies = state.app.site_studies(&actor, id, None).await?;
    Ok(Json(
        studies
            .into_iter()
            .map(|study| StudyRecord::from_study(study, false))
            .collect(),
    ))
}

fn parse_study_id(text: &str) -> Result<domain::StudyId, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("study {text} not found (not a study id)"),
        )
    })
}

/// One study with the engine's full result.
#[utoipa::path(get, path = "/api/studies/{id}", params(("id" = String, Path, description = "study id")),
    responses((status = 200, body = StudyRecord), (status = 404, body = ErrorBody)))]
async fn get_study(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<StudyRecord>, ApiError> {
    let study = state.app.study(&actor, parse_study_id(&id)?).await?;
    Ok(Json(StudyRecord::from_study(study, true)))
}

/// A vehicle-approach study's entries with every vehicle's figures (WGS84, rounded).
#[utoipa::path(get, path = "/api/studies/{id}/entries", params(("id" = String, Path, description = "study id")),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody)))]
async fn study_entries(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<app::EntryReport>>, ApiError> {
    let (_, result) = state.app.hvm_study(&actor, parse_study_id(&id)?).await?;
    Ok(Json(result.entry_reports()))
}

/// A vehicle-approach study as GeoJSON: entry points and approach paths (speeds per vertex).
#[utoipa::path(get, path = "/api/studies/{id}/geojson", params(("id" = String, Path, description = "study id")),
    responses((status = 200, description = "GeoJSON FeatureCollection"), (status = 404, body = ErrorBody)))]
async fn study_geojson(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_, result) = state.app.hvm_study(&actor, parse_study_id(&id)?).await?;
    let mut response = Json(result.to_geojson()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(response)
}

/// A crowd study just run: the stored study, its headline figures, the exits and the notes on
/// the site's data (the density frames are at `GET /api/studies/{id}/crowd`).
#[derive(Serialize, ToSchema)]
pub struct CrowdStudyResponse {
    pub study: StudyRecord,
    /// `evacuation_time_s` (s, null if people remained at the time limit),
    /// `peak_density_per_m2`, `peak_level_of_service`, `agents`, `agents_evacuated`, `exits`,
    /// `walkable_area_m2`.
    #[schema(value_type = Object)]
    pub summary: app::CrowdSummary,
    /// Per exit: name, width (m), position and polygon (WGS84), count, first and last
    /// departure (s), mean flow (p/s) and flow per metre (p/(m s)) between them, and the
    /// busiest 10 s (p/s, p/(m s)).
    #[schema(value_type = Vec<Object>)]
    pub exits: Vec<app::CrowdExitReport>,
    /// How long the site would take to empty with nobody in anyone's way, s.
    pub free_walk_time_s: Option<f64>,
    /// What sets the evacuation time: `{"kind": "walking"}`, `{"kind": "exit", "name",
    /// "width_m", "count", "share_percent", "busiest_specific_flow_p_per_m_s",
    /// "others_clear_s"}` or `{"kind": "on_the_way"}`; null if people remained.
    #[schema(value_type = Object)]
    pub evacuation_limit: Option<app::EvacuationLimit>,
    /// Notes on the site's data: exits found, closed or narrowed, buildings subtracted.
    pub diagnostics: Vec<String>,
}

/// Run a crowd evacuation study of a site on the current map and store it. Body (every field
/// optional): `{"population": "capacity" | {"count": 500} | {"density_per_m2": 0.5},
/// "speed": "weidmann" | {"fixed_mps": 1.2}, "exit_choice": "nearest" | "quickest",
/// "premovement_s": 0 | {"min": 10, "max": 60},
/// "obstacles": [[[lon, lat], ...]], "barriers": [[[lon, lat], ...]], "added_exits": [{"at":
/// [lon, lat], "width_m": 4, "name": "gate"}], "barriers_from_hvm_study": "STUDY-ID", "seed": 0,
/// "max_time_s": 900}`.
#[utoipa::path(post, path = "/api/sites/{id}/crowd-studies", request_body(content = Object),
    params(("id" = String, Path, description = "site id")),
    responses((status = 201, body = CrowdStudyResponse), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_crowd_study(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<app::CrowdRequest>,
) -> Result<(StatusCode, Json<CrowdStudyResponse>), ApiError> {
    let id = parse_site_id(&id)?;
    let (study, result) = state.app.run_crowd_study(&actor, id, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(CrowdStudyResponse {
            study: StudyRecord::from_study(study, false),
            summary: result.summary(),
            exits: result.exits,
            free_walk_time_s: result.free_walk_time_s,
            evacuation_limit: result.evacuation_limit,
            diagnostics: result.diagnostics,
        }),
    ))
}

/// Start a crowd evacuation study in the background, for runs longer than one request should
/// wait (a full square: minutes). The body is that of `crowd-studies`; bad input is refused at
/// once. The answer is the job: follow it with `GET /api/jobs/{id}`.
#[utoipa::path(post, path = "/api/sites/{id}/crowd-jobs", request_body(content = Object),
    params(("id" = String, Path, description = "site id")),
    responses((status = 202, body = Object), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn start_crowd_job(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<app::CrowdRequest>,
) -> Result<(StatusCode, Json<app::Job>), ApiError> {
    let site_id = parse_site_id(&id)?;
    let job = state
        .app
        .start_crowd_study(&actor, site_id, request)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(state.app.job(&actor, job)?)))
}

/// Where a background job stands: `{"id", "site_id", "started_at", "state": "running",
/// "fraction", "simulated_s", "agents_total", "agents_remaining"}`, then `"state": "done"` with
/// the `study` it stored, or `"state": "failed"` with the `error`. Finished jobs are kept for a
/// day; a server restart forgets running ones.
#[utoipa::path(get, path = "/api/jobs/{id}", params(("id" = String, Path, description = "job id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_job(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<app::Job>, ApiError> {
    let job = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("job {id} not found (not a job id)"),
        )
    })?;
    Ok(Json(state.app.job(&actor, job)?))
}

/// A crowd study's result: exits, the N(t) curve, the density grid (georeferenced by its
/// `bounds`, cell `c` at column `c % nx`, row `c / nx` from the south-west) with its frames, the
/// peak and the level-of-service map at the peak.
#[utoipa::path(get, path = "/api/studies/{id}/crowd", params(("id" = String, Path, description = "study id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn study_crowd(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<app::CrowdResult>, ApiError> {
    let (_, result) = state.app.crowd_study(&actor, parse_study_id(&id)?).await?;
    Ok(Json(result))
}

pub(crate) fn parse_site_id(text: &str) -> Result<SiteId, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("site {text} not found (not a site id)"),
        )
    })
}

/// One site.
#[utoipa::path(get, path = "/api/sites/{id}", params(("id" = String, Path, description = "site id (UUID)")),
    responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
async fn get_site(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Site>, ApiError> {
    Ok(Json(state.app.site(&actor, parse_site_id(&id)?).await?))
}

/// A site update: the version the client read, and the new fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteUpdate {
    /// The `version` of the site as the client last read it; a mismatch is 409 Conflict.
    pub expected_version: i64,
    pub site: SiteDraft,
}

/// Replace a site's fields (optimistic locking on `expected_version`).
#[utoipa::path(put, path = "/api/sites/{id}", params(("id" = String, Path, description = "site id (UUID)")),
    request_body = SiteUpdate,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_site(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<SiteUpdate>,
) -> Result<Json<Site>, ApiError> {
    let id = parse_site_id(&id)?;
    Ok(Json(
        state
            .app
            .update_site(&actor, id, update.expected_version, update.site)
            .await?,
    ))
}

/// Delete a site.
#[utoipa::path(delete, path = "/api/sites/{id}", params(("id" = String, Path, description = "site id (UUID)")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_site(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_site(&actor, parse_site_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn geojson_response(collection: geojson::FeatureCollection) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        )],
        collection.to_string(),
    )
        .into_response()
}

/// All sites of the caller's organisation as a GeoJSON FeatureCollection.
#[utoipa::path(get, path = "/api/sites.geojson", responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json")))]
async fn export_sites(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Response, ApiError> {
    Ok(geojson_response(
        state.app.export_sites_geojson(&actor).await?,
    ))
}

/// Import a GeoJSON FeatureCollection of sites: all features or none.
#[utoipa::path(post, path = "/api/sites/import", request_body(content = String, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"),
    responses((status = 201, body = Vec<Site>), (status = 400, body = ErrorBody)))]
async fn import_sites(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Site>>), ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "body is not UTF-8 text"))?;
    let sites = state.app.import_sites_geojson(&actor, text).await?;
    Ok((StatusCode::CREATED, Json(sites)))
}

/// The candidate public spaces in an uploaded OpenStreetMap extract (PBF, XML or gzipped XML body), as a GeoJSON
/// FeatureCollection that POST /api/sites/import accepts once filtered.
#[utoipa::path(post, path = "/api/osm/candidates", request_body(content = Vec<u8>, description = "OSM PBF, XML or gzipped XML", content_type = "application/octet-stream"),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"), (status = 400, body = ErrorBody)))]
async fn osm_candidates(ApiCaller(actor): ApiCaller, body: Bytes) -> Result<Response, ApiError> {
    actor.require_site_editor()?;
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "body: empty, expected OSM PBF, XML or gzipped XML",
        ));
    }
    let extract = app::read_osm_bytes(body.to_vec(), "request body").await?;
    Ok(geojson_response(app::candidate_feature_collection(
        &extract.candidates,
    )))
}

#[derive(Deserialize)]
struct BasemapQuery {
    bbox: String,
    limit: Option<usize>,
}

/// Base-map features (streets, pedestrian areas, buildings, barriers) in a viewport.
#[utoipa::path(get, path = "/api/basemap",
    params(("bbox" = String, Query, description = "min_lon,min_lat,max_lon,max_lat"), ("limit" = Option<usize>, Query, description = "at most this many features (default and maximum 20000)")),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"), (status = 400, body = ErrorBody)))]
async fn basemap(
    State(state): State<AppState>,
    ApiCaller(_actor): ApiCaller,
    Query(query): Query<BasemapQuery>,
) -> Result<Response, ApiError> {
    let numbers: Vec<f64> = query
        .bbox
        .split(',')
        .map(|part| part.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::from(AppError::Invalid(format!(
                "bbox: '{}' is not four numbers min_lon,min_lat,max_lon,max_lat",
                query.bbox
            )))
        })?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
        return Err(
            AppError::Invalid(format!("bbox: expected 4 numbers, got {}", numbers.len())).into(),
        );
    };
    let limit = query.limit.unwrap_or(20_000).min(20_000);
    let area = app::BoundingBox {
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    };
    Ok(geojson_response(state.app.basemap(area, limit).await?))
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "OpenAPI 3.1 document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi().merge_from(crate::api_reports::ReportsApiDoc::openapi()))
}
