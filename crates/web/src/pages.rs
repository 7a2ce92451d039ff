//! The HTML pages: login, map, site list, site view and form, imports.

use std::collections::BTreeMap;

use app::{Actor, AppError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::{Role, Site, SiteDraft, SiteId, SiteKind, SitePolygon, StudyId, User};
use serde::Deserialize;

use crate::error::{page_error, render_error_page};
use crate::i18n::{Language, Localizer};
use crate::session::{
    LANGUAGE_COOKIE, SignedIn, Visitor, expired_session_cookie, session_cookie, tokens_match,
};
use crate::{AppState, WebConfig};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
        .route("/map", get(map_page))
        .route("/sites", get(sites_page).post(create_site))
        .route("/sites/new", get(new_site_page))
        .route("/sites/export.geojson", get(export_sites))
        .route("/sites/{id}", get(site_page).post(update_site))
        .route("/sites/{id}/edit", get(edit_site_page))
        .route("/sites/{id}/delete", post(delete_site))
        .route("/import", get(import_page))
        .route("/import/geojson", post(import_geojson))
        .route("/import/osm", post(import_osm))
        .route("/import/candidates", post(import_candidates))
        .route("/users", get(users_page).post(create_user))
        .route("/audit", get(audit_page))
}

/// What the base template needs on every page.
pub struct PageContext {
    pub t: Localizer,
    pub user: Option<User>,
    pub csrf_token: String,
    pub title: String,
}

impl PageContext {
    pub fn new(t: Localizer, actor: Option<&Actor>, title: String) -> PageContext {
        PageContext {
            t,
            user: actor.map(|actor| actor.user.clone()),
            csrf_token: actor
                .map(|actor| actor.csrf_token.clone())
                .unwrap_or_default(),
            title,
        }
    }
}

pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The refusal of a form whose synchronizer token is not the session's, or None when it matches.
pub(crate) fn csrf_refusal(t: Localizer, actor: &Actor, given: &str) -> Option<Response> {
    (!tokens_match(given, &actor.csrf_token))
        .then(|| render_error_page(t, Some(actor), StatusCode::FORBIDDEN, t.t("error-csrf")))
}

/// "1,234 m²" in the page's language.
fn format_area(t: Localizer, area_m2: f64) -> String {
    let digits = format!("{:.0}", area_m2.round());
    let separator = match t.language() {
        Language::English => ",",
        Language::French => "\u{202f}",
    };
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    t.t_with("area-square-metres", "area", grouped)
}

/// "min_lon,min_lat,max_lon,max_lat" for the map script, or empty.
async fn map_extent(state: &AppState) -> String {
    match state.app.basemap_extent().await {
        Ok(Some(extent)) => format!(
            "{},{},{},{}",
            extent.min_lon, extent.min_lat, extent.max_lon, extent.max_lat
        ),
        _ => String::new(),
    }
}

pub(crate) fn tile_url(config: &WebConfig) -> String {
    config.tile_url.clone().unwrap_or_default()
}

async fn home(visitor: Visitor) -> Redirect {
    if visitor.actor.is_some() {
        Redirect::to("/map")
    } else {
        Redirect::to("/login")
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: PageContext,
    error: Option<String>,
    username: String,
}

async fn login_page(visitor: Visitor) -> Response {
    if visitor.actor.is_some() {
        return Redirect::to("/map").into_response();
    }
    render(&LoginPage {
        page: PageContext::new(visitor.t, None, visitor.t.t("login-title")),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login_submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = visitor.t;
    match state.app.login(&form.username, &form.password).await {
        Ok(outcome) => {
            // A fresh token on every login (ASVS 7.2.4); the old session, if any, ends.
            if let Some(old) = visitor.session_token {
                let _ = state.app.logout(&old).await;
            }
            let max_age = state.app.session_policy().absolute_timeout.as_secs();
            let mut response = Redirect::to("/map").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state.config, &outcome.session_token, max_age),
            );
            response
        }
        Err(error @ (AppError::BadCredentials | AppError::TooManyAttempts { .. })) => {
            let message = match &error {
                AppError::TooManyAttempts { retry_after } => {
                    t.t_with("login-throttled", "seconds", retry_after.as_secs().max(1))
                }
                _ => t.t("login-failed"),
            };
            let mut response = render(&LoginPage {
                page: PageContext::new(t, None, t.t("login-title")),
                error: Some(message),
                username: form.username.chars().take(64).collect(),
            });
            *response.status_mut() = crate::error::status_of(&error);
            response
        }
        Err(error) => page_error(t, None, error),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: String,
}

async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (Some(actor), Some(token)) = (&visitor.actor, &visitor.session_token) else {
        return Redirect::to("/login").into_response();
    };
    if let Some(response) = csrf_refusal(visitor.t, actor, &form.csrf_token) {
        return response;
    }
    if let Err(error) = state.app.logout(token).await {
        return page_error(visitor.t, Some(actor), error);
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie(&state.config));
    response
        .headers_mut()
        .insert("clear-site-data", HeaderValue::from_static("\"cache\""));
    response
}

/// Where to go back to after the language switch: the page the link was on, when the browser says so
/// (`Referrer-Policy: same-origin` sends it only within Agora) and it is on this host; else the start.
fn return_path(headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    let referer = headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok());
    let (Some(host), Some(referer)) = (host, referer) else {
        return "/".into();
    };
    let Some(rest) = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))
    else {
        return "/".into();
    };
    match rest.split_once('/') {
        // Only a plain local path: no scheme-relative `//evil` trick, no other host.
        Some((referer_host, path))
            if referer_host.eq_ignore_ascii_case(host) && !path.starts_with('/') =>
        {
            format!("/{path}")
        }
        _ => "/".into(),
    }
}

async fn switch_language(Path(code): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let language = Language::from_code(&code).unwrap_or(Language::English);
    let mut response = Redirect::to(&return_path(&headers)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LANGUAGE_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            language.code()
        ))
        .expect("language codes are ASCII"),
    );
    response
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    page: PageContext,
    sites: Vec<Site>,
    extent: String,
    tile_url: String,
}

async fn map_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { t, actor } = signed_in;
    match state.app.list_sites(&actor).await {
        Ok(sites) => render(&MapPage {
            page: PageContext::new(t, Some(&actor), t.t("title-map")),
            sites,
            extent: map_extent(&state).await,
            tile_url: tile_url(&state.config),
        }),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

struct SiteRow {
    site: Site,
    area: String,
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    page: PageContext,
    rows: Vec<SiteRow>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
    count: Option<u32>,
}

fn notice_text(t: Localizer, query: &NoticeQuery) -> Option<String> {
    match query.notice.as_deref()? {
        "created" => Some(t.t("notice-site-created")),
        "updated" => Some(t.t("notice-site-updated")),
        "deleted" => Some(t.t("notice-site-deleted")),
        "imported" => Some(t.t_with("notice-sites-imported", "count", query.count.unwrap_or(0))),
        _ => None,
    }
}

async fn sites_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    match state.app.list_sites(&actor).await {
        Ok(sites) => render(&SitesPage {
            page: PageContext::new(t, Some(&actor), t.t("title-sites")),
            rows: sites
                .into_iter()
                .map(|site| SiteRow {
                    area: format_area(t, site.draft.polygon.area_m2()),
                    site,
                })
                .collect(),
            notice: notice_text(t, &query),
        }),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

#[derive(Template)]
#[template(path = "site_show.html")]
struct SitePage {
    page: PageContext,
    site: Site,
    area: String,
    can_edit: bool,
    notice: Option<String>,
    extent: String,
    tile_url: String,
    /// The newest vehicle-approach study in one line, when there is one.
    hvm_line: Option<String>,
}

pub(crate) fn parse_site_id(text: &str) -> Result<SiteId, AppError> {
    text.parse()
        .map_err(|_| AppError::NotFound(format!("site {text} not found")))
}

/// `?study=ID` on a study page: which stored study to show (default: the newest).
#[derive(Deserialize)]
pub(crate) struct StudyQuery {
    study: Option<String>,
}

impl StudyQuery {
    /// The study asked for, if any; an id that does not parse is a study that does not exist.
    pub(crate) fn chosen(&self) -> Result<Option<StudyId>, AppError> {
        self.study
            .as_deref()
            .map(|text| {
                text.parse::<StudyId>()
                    .map_err(|_| AppError::NotFound("no such study".into()))
            })
            .transpose()
    }
}

async fn site_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let site = match parse_site_id(&id) {
        Ok(id) => state.app.site(&actor, id).await,
        Err(error) => Err(error),
    };
    match site {
        Ok(site) => {
            let (min_lon, min_lat, max_lon, max_lat) = site.draft.polygon.bounding_box();
            let hvm_line = match state
                .app
                .site_studies(&actor, site.id, Some(domain::StudyKind::VehicleApproach))
                .await
            {
                Ok(studies) => studies.first().and_then(|study| {
                    let summary: app::HvmSummary =
                        serde_json::from_value(study.study.summary.clone()).ok()?;
                    Some(t.t_args(
                        "site-hvm-latest",
                        &[
                            ("entries", summary.entries.into()),
                            ("open", summary.open_entries.into()),
                            (
                                "date",
                                study.created_at.format("%Y-%m-%d").to_string().into(),
                            ),
                        ],
                    ))
                }),
                Err(error) => return page_error(t, Some(&actor), error),
            };
            render(&SitePage {
                hvm_line,
                page: PageContext::new(t, Some(&actor), site.draft.name.clone()),
                area: format_area(t, site.draft.polygon.area_m2()),
                can_edit: actor.user.role.can_edit_sites(),
                notice: notice_text(t, &query),
                extent: format!("{min_lon},{min_lat},{max_lon},{max_lat}"),
                tile_url: tile_url(&state.config),
                site,
            })
        }
        Err(error) => page_error(t, Some(&actor), error),
    }
}

/// The site form's fields as the browser sends them (all text; parsed in [`SiteFormFields::parse`]).
#[derive(Deserialize, Default)]
struct SiteFormFields {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    operators: String,
    #[serde(default)]
    opening_hours: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    polygon: String,
}

impl SiteFormFields {
    fn from_site(site: &Site) -> SiteFormFields {
        SiteFormFields {
            csrf_token: String::new(),
            version: site.version.to_string(),
            name: site.draft.name.clone(),
            kind: site.draft.kind.as_str().to_string(),
            capacity: site
                .draft
                .capacity
                .map(|c| c.to_string())
                .unwrap_or_default(),
            operators: site.draft.operators.join("\n"),
            opening_hours: site.draft.opening_hours.clone().unwrap_or_default(),
            tags: site
                .draft
                .tags
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join("\n"),
            polygon: site.draft.polygon.to_geojson().to_string(),
        }
    }

    /// The draft the fields describe, or an error that names the field.
    fn parse(&self) -> Result<SiteDraft, AppError> {
        let invalid =
            |field: &str, problem: String| AppError::Invalid(format!("{field}: {problem}"));
        let kind: SiteKind = self
            .kind
            .parse()
            .map_err(|error: domain::UnknownVariant| invalid("kind", error.to_string()))?;
        let capacity = match self.capacity.trim() {
            "" => None,
            text => Some(text.parse::<u32>().map_err(|_| {
                invalid(
                    "capacity",
                    format!("'{text}' is not a whole number of people"),
                )
            })?),
        };
        let mut tags = BTreeMap::new();
        for (line_index, line) in self.tags.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = line.split_once('=').ok_or_else(|| {
                invalid(
                    "tags",
                    format!("line {}: expected key=value, got '{line}'", line_index + 1),
                )
            })?;
            tags.insert(key.trim().to_string(), value.trim().to_string());
        }
        if self.polygon.trim().is_empty() {
            return Err(invalid(
                "polygon",
                "missing: draw the outline on the map or paste a GeoJSON Polygon".into(),
            ));
        }
        let geometry: geojson::Geometry = serde_json::from_str(self.polygon.trim())
            .map_err(|error| invalid("polygon", format!("not a GeoJSON geometry: {error}")))?;
        let polygon = SitePolygon::from_geojson(&geometry)
            .map_err(|error| invalid("polygon", error.to_string()))?;
        let opening_hours = Some(self.opening_hours.trim().to_string()).filter(|h| !h.is_empty());
        SiteDraft {
            name: self.name.clone(),
            kind,
            polygon,
            capacity,
            operators: self
                .operators
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_string)
                .collect(),
            opening_hours,
            tags,
            source: Some("drawn".into()),
        }
        .validate()
        .map_err(|error| AppError::Invalid(error.to_string()))
    }
}

#[derive(Template)]
#[template(path = "site_form.html")]
struct SiteFormPage {
    page: PageContext,
    form: SiteFormFields,
    kinds: &'static [SiteKind],
    action: String,
    cancel_url: String,
    error: Option<String>,
    extent: String,
    tile_url: String,
}

/// What differs between the new-site and edit-site forms.
struct SiteFormView {
    title: String,
    form: SiteFormFields,
    /// Where the form posts to, and where "cancel" goes.
    action: String,
    cancel_url: String,
    error: Option<String>,
}

async fn site_form_page(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    view: SiteFormView,
) -> Response {
    let failed = view.error.is_some();
    let mut response = render(&SiteFormPage {
        page: PageContext::new(t, Some(actor), view.title),
        form: view.form,
        kinds: SiteKind::ALL,
        action: view.action,
        cancel_url: view.cancel_url,
        extent: map_extent(state).await,
        tile_url: tile_url(&state.config),
        error: view.error,
    });
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn new_site_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { t, actor } = signed_in;
    if let Err(error) = actor.require_site_editor() {
        return page_error(t, Some(&actor), error);
    }
    let form = SiteFormFields {
        kind: SiteKind::Square.as_str().into(),
        ..SiteFormFields::default()
    };
    site_form_page(
        &state,
        t,
        &actor,
        SiteFormView {
            title: t.t("title-new-site"),
            form,
            action: "/sites".into(),
            cancel_url: "/sites".into(),
            error: None,
        },
    )
    .await
}

async fn create_site(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<SiteFormFields>,
) -> Response {
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &form.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let result = match form.parse() {
        Ok(draft) => state.app.create_site(&actor, draft).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(site) => Redirect::to(&format!("/sites/{}?notice=created", site.id)).into_response(),
        Err(AppError::Invalid(message)) => {
            site_form_page(
                &state,
                t,
                &actor,
                SiteFormView {
                    title: t.t("title-new-site"),
                    form,
                    action: "/sites".into(),
                    cancel_url: "/sites".into(),
                    error: Some(t.t_with("error-invalid", "detail", message)),
                },
            )
            .await
        }
        Err(error) => page_error(t, Some(&actor), error),
    }
}

async fn edit_site_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let site = match parse_site_id(&id) {
        Ok(id) => state.app.site(&actor, id).await,
        Err(error) => Err(error),
    };
    let site = match site.and_then(|site| actor.require_site_editor().map(|()| site)) {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    site_form_page(
        &state,
        t,
        &actor,
        SiteFormView {
            title: t.t_with("title-edit-site", "name", site.draft.name.clone()),
            form: SiteFormFields::from_site(&site),
            action: format!("/sites/{}", site.id),
            cancel_url: format!("/sites/{}", site.id),
            error: None,
        },
    )
    .await
}

async fn update_site(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<SiteFormFields>,
) -> Response {
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &form.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let id = match parse_site_id(&id) {
        Ok(id) => id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let version = match form.version.trim().parse::<i64>() {
        Ok(version) => version,
        Err(_) => {
            return page_error(
                t,
                Some(&actor),
                AppError::Invalid("version: missing or not a number".into()),
            );
        }
    };
    let result = match form.parse() {
        Ok(draft) => state.app.update_site(&actor, id, version, draft).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(site) => Redirect::to(&format!("/sites/{}?notice=updated", site.id)).into_response(),
        Err(AppError::Invalid(message)) => {
            site_form_page(
                &state,
                t,
                &actor,
                SiteFormView {
                    title: t.t_with("title-edit-site", "name", form.name.clone()),
                    form,
                    action: format!("/sites/{id}"),
                    cancel_url: format!("/sites/{id}"),
                    error: Some(t.t_with("error-invalid", "detail", message)),
                },
            )
            .await
        }
        Err(error) => page_error(t, Some(&actor), error),
    }
}

async fn delete_site(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &form.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let result = match parse_site_id(&id) {
        Ok(id) => state.app.delete_site(&actor, id).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Redirect::to("/sites?notice=deleted").into_response(),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

async fn export_sites(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { t, actor } = signed_in;
    match state.app.export_sites_geojson(&actor).await {
        Ok(collection) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/geo+json"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"agora-sites.geojson\""),
                ),
            ],
            collection.to_string(),
        )
            .into_response(),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: PageContext,
    error: Option<String>,
}

async fn import_page(signed_in: SignedIn) -> Response {
    let SignedIn { t, actor } = signed_in;
    render(&ImportPage {
        page: PageContext::new(t, Some(&actor), t.t("title-import")),
        error: None,
    })
}

fn import_error_page(t: Localizer, actor: &Actor, message: String) -> Response {
    let mut response = render(&ImportPage {
        page: PageContext::new(t, Some(actor), t.t("title-import")),
        error: Some(t.t_with("error-invalid", "detail", message)),
    });
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// An import form as sent: its CSRF token and the uploaded file.
struct Upload {
    csrf_token: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let mut csrf_token = String::new();
    let mut file_name = String::from("upload");
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| format!("upload: {error}"))?
    {
        match field.name() {
            Some("csrf_token") => {
                csrf_token = field
                    .text()
                    .await
                    .map_err(|error| format!("upload: {error}"))?;
            }
            Some("file") => {
                if let Some(name) = field.file_name().filter(|name| !name.is_empty()) {
                    // Only for messages: the name is never used as a path.
                    file_name = name.chars().take(100).collect();
                }
                file = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|error| format!("upload: {error}"))?
                        .to_vec(),
                );
            }
            _ => {}
        }
    }
    let bytes = file
        .filter(|bytes| !bytes.is_empty())
        .ok_or_else(|| "file: no file was uploaded".to_string())?;
    Ok(Upload {
        csrf_token,
        file_name,
        bytes,
    })
}

async fn import_geojson(
    State(state): State<AppState>,
    signed_in: SignedIn,
    multipart: Multipart,
) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(message) => return import_error_page(signed_in.t, &signed_in.actor, message),
    };
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &upload.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let text = match String::from_utf8(upload.bytes) {
        Ok(text) => text,
        Err(_) => return import_error_page(t, &actor, "file: not UTF-8 text".into()),
    };
    match state.app.import_sites_geojson(&actor, &text).await {
        Ok(sites) => {
            Redirect::to(&format!("/sites?notice=imported&count={}", sites.len())).into_response()
        }
        Err(AppError::Invalid(message)) => import_error_page(t, &actor, message),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

struct CandidateRow {
    index: usize,
    name: String,
    kind: SiteKind,
    area: String,
    reason: String,
    osm_ref: String,
}

#[derive(Template)]
#[template(path = "candidates.html")]
struct CandidatesPage {
    page: PageContext,
    rows: Vec<CandidateRow>,
    collection: String,
}

async fn import_osm(
    State(_state): State<AppState>,
    signed_in: SignedIn,
    multipart: Multipart,
) -> Response {
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(message) => return import_error_page(signed_in.t, &signed_in.actor, message),
    };
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &upload.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    if let Err(error) = actor.require_site_editor() {
        return page_error(t, Some(&actor), error);
    }
    let extract = match app::read_osm_bytes(upload.bytes, &upload.file_name).await {
        Ok(extract) => extract,
        Err(AppError::Invalid(message)) => return import_error_page(t, &actor, message),
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let rows = extract
        .candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| CandidateRow {
            index,
            name: app::candidate_site_name(candidate),
            kind: candidate.kind,
            area: format_area(t, candidate.area_m2),
            reason: candidate.reason.clone(),
            osm_ref: candidate.osm_ref.clone(),
        })
        .collect();
    render(&CandidatesPage {
        page: PageContext::new(t, Some(&actor), t.t("title-candidates")),
        rows,
        collection: app::candidate_feature_collection(&extract.candidates).to_string(),
    })
}

async fn import_candidates(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    // Repeated `pick` fields do not fit a struct, so the form is read as pairs.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    };
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, field("csrf_token")) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let picks: Vec<usize> = pairs
        .iter()
        .filter(|(key, _)| key == "pick")
        .filter_map(|(_, value)| value.parse().ok())
        .collect();
    if picks.is_empty() {
        return import_error_page(t, &actor, t.t("error-no-selection"));
    }
    match state
        .app
        .import_chosen_sites_geojson(&actor, field("collection"), &picks)
        .await
    {
        Ok(sites) => {
            Redirect::to(&format!("/sites?notice=imported&count={}", sites.len())).into_response()
        }
        Err(AppError::Invalid(message)) => import_error_page(t, &actor, message),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    page: PageContext,
    users: Vec<User>,
    can_manage: bool,
    roles: &'static [Role],
    notice: Option<String>,
    error: Option<String>,
    form_username: String,
    form_display_name: String,
}

/// The users page, with an optional error and the add-user fields as typed.
async fn render_users_page(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    notice: Option<String>,
    failed: Option<(String, &NewUserForm)>,
) -> Response {
    let users = match state.app.list_users(actor).await {
        Ok(users) => users,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let (error, form_username, form_display_name) = match failed {
        Some((message, form)) => (
            Some(message),
            form.username.clone(),
            form.display_name.clone(),
        ),
        None => (None, String::new(), String::new()),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&UsersPage {
        page: PageContext::new(t, Some(actor), t.t("title-users")),
        users,
        can_manage: actor.user.role.can_manage_users(),
        roles: Role::ALL,
        notice,
        error,
        form_username,
        form_display_name,
    });
    *response.status_mut() = status;
    response
}

async fn users_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let notice =
        (query.notice.as_deref() == Some("user-created")).then(|| t.t("notice-user-created"));
    render_users_page(&state, t, &actor, notice, None).await
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn create_user(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<NewUserForm>,
) -> Response {
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &form.csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(error) => {
            let message = t.t_with("error-invalid", "detail", format!("role: {error}"));
            return render_users_page(&state, t, &actor, None, Some((message, &form))).await;
        }
    };
    let display_name = if form.display_name.trim().is_empty() {
        form.username.clone()
    } else {
        form.display_name.clone()
    };
    match state
        .app
        .create_user_as(&actor, &form.username, &display_name, role, &form.password)
        .await
    {
        Ok(_) => Redirect::to("/users?notice=user-created").into_response(),
        Err(AppError::Invalid(message) | AppError::Conflict(message)) => {
            let message = t.t_with("error-invalid", "detail", message);
            render_users_page(&state, t, &actor, None, Some((message, &form))).await
        }
        Err(error) => page_error(t, Some(&actor), error),
    }
}

struct AuditRow {
    at: String,
    who: String,
    action: &'static str,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: PageContext,
    rows: Vec<AuditRow>,
}

async fn audit_page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let SignedIn { t, actor } = signed_in;
    let events = match state.app.audit_trail(&actor, 500).await {
        Ok(events) => events,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let users = match state.app.list_users(&actor).await {
        Ok(users) => users,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let username_of = |id: Option<domain::UserId>| {
        id.and_then(|id| users.iter().find(|user| user.id == id))
            .map_or_else(|| "—".to_string(), |user| user.username.clone())
    };
    let rows = events
        .into_iter()
        .map(|event| AuditRow {
            at: event.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            who: username_of(event.user_id),
            action: event.action.as_str(),
            subject: event.subject,
            detail: event.detail,
        })
        .collect();
    render(&AuditPage {
        page: PageContext::new(t, Some(&actor), t.t("title-audit")),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_returns_only_to_local_pages() {
        let headers = |referer: &'static str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
            headers.insert(header::REFERER, HeaderValue::from_static(referer));
            headers
        };
        assert_eq!(
            return_path(&headers("http://127.0.0.1:8080/sites?notice=created")),
            "/sites?notice=created"
        );
        assert_eq!(return_path(&headers("https://evil.example/sites")), "/");
        assert_eq!(
            return_path(&headers("http://127.0.0.1:8080//evil.example/")),
            "/"
        );
        assert_eq!(return_path(&axum::http::HeaderMap::new()), "/");
    }

    #[test]
    fn areas_are_grouped_per_language() {
        assert_eq!(
            format_area(Localizer::new(Language::English), 12345.4),
            "12,345 m²"
        );
        assert_eq!(
            format_area(Localizer::new(Language::French), 1234567.0),
            "1\u{202f}234\u{202f}567 m²"
        );
        assert_eq!(
            format_area(Localizer::new(Language::English), 999.0),
            "999 m²"
        );
    }

    #[test]
    fn form_fields_name_the_field_in_error() {
        let fields = SiteFormFields {
            name: "Marienplatz".into(),
            kind: "square".into(),
            capacity: "lots".into(),
            ..SiteFormFields::default()
        };
        assert_eq!(
            fields.parse().unwrap_err().to_string(),
            "capacity: 'lots' is not a whole number of people"
        );
        let fields = SiteFormFields {
            name: "Marienplatz".into(),
            kind: "square".into(),
            polygon: r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#.into(),
            ..SiteFormFields::default()
        };
        assert!(
            fields
                .parse()
                .unwrap_err()
                .to_string()
                .starts_with("polygon: exterior ring: ring is not closed")
        );
        let fields = SiteFormFields {
            name: "X".into(),
            kind: "parking".into(),
            ..SiteFormFields::default()
        };
        assert!(
            fields
                .parse()
                .unwrap_err()
                .to_string()
                .starts_with("kind: unknown site kind 'parking'")
        );
    }
}
