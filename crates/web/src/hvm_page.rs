//! The vehicle-approach page of a site: the latest (or a chosen) hostile-vehicle study on the map
//! and as a table, and the form that runs a new one, with temporary barriers and openings drawn
//! on the map.

use app::{Actor, AppError, EntryReport, HvmInputs, HvmRequest, HvmRules};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{Site, SiteId, StudyId, StudyKind};
use fluent_bundle::FluentValue;

use crate::AppState;
use crate::error::page_error;
use crate::i18n::Localizer;
use crate::pages::{PageContext, StudyQuery, csrf_refusal, parse_site_id, render, tile_url};
use crate::session::SignedIn;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sites/{id}/hvm", get(hvm_page).post(run_study))
}

/// One vehicle's line in the table, formatted for the page's language.
struct VehicleRow {
    vehicle: String,
    description: String,
    status: String,
    open: bool,
    speed_kmh: String,
    energy_kj: String,
    angle_deg: String,
    run_up_m: String,
    required_rating: String,
    /// For a closed entry: what its barriers face.
    faced: String,
}

struct EntryRow {
    label: String,
    way: String,
    width: String,
    worst: Option<VehicleRow>,
    vehicles: Vec<VehicleRow>,
}

struct StudyLink {
    id: StudyId,
    label: String,
    current: bool,
}

struct VehicleChoice {
    code: String,
    description: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "hvm.html")]
struct HvmPage {
    page: PageContext,
    site: Site,
    can_run: bool,
    error: Option<String>,
    study_id: Option<StudyId>,
    meta: String,
    summary: String,
    fastest: String,
    entries: Vec<EntryRow>,
    diagnostics: Vec<String>,
    studies: Vec<StudyLink>,
    vehicles: Vec<VehicleChoice>,
    worst_case: bool,
    changes: String,
    barrier_kinds: Vec<&'static str>,
    extent: String,
    tile_url: String,
}

pub(crate) fn number(t: Localizer, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match t.language() {
        crate::i18n::Language::French => text.replace('.', ","),
        crate::i18n::Language::English => text,
    }
}

fn status_text(t: Localizer, status: &str) -> String {
    t.t(&format!("hvm-status-{}", status.replace(' ', "-")))
}

fn vehicle_row(t: Localizer, vehicle: &app::VehicleReport, description: &str) -> VehicleRow {
    let dash = || "—".to_string();
    let approach = vehicle.approach.as_ref();
    VehicleRow {
        vehicle: vehicle.vehicle.clone(),
        description: description.to_string(),
        status: status_text(t, &vehicle.status),
        open: approach.is_some(),
        speed_kmh: approach.map_or_else(dash, |a| number(t, a.speed_kmh, 1)),
        energy_kj: approach.map_or_else(dash, |a| number(t, a.energy_kj, 0)),
        angle_deg: approach.map_or_else(dash, |a| format!("{:.0}°", a.angle_deg)),
        run_up_m: approach.map_or_else(dash, |a| number(t, a.run_up_m, 0)),
        required_rating: approach.map_or_else(dash, |a| a.required_rating.clone()),
        faced: vehicle
            .unprotected_approach
            .as_ref()
            .map(|faced| {
                t.t_args(
                    "hvm-barriers-face",
                    &[
                        ("speed", FluentValue::from(number(t, faced.speed_kmh, 1))),
                        ("rating", FluentValue::from(faced.required_rating.clone())),
                    ],
                )
            })
            .unwrap_or_default(),
    }
}

fn entry_rows(t: Localizer, entries: &[EntryReport], result: &app::HvmResult) -> Vec<EntryRow> {
    let description = |code: &str| {
        result
            .vehicles
            .iter()
            .find(|vehicle| vehicle.code == code)
            .map(|vehicle| vehicle.description.clone())
            .unwrap_or_default()
    };
    entries
        .iter()
        .map(|entry| {
            let vehicles: Vec<VehicleRow> = entry
                .vehicles
                .iter()
                .map(|vehicle| vehicle_row(t, vehicle, &description(&vehicle.vehicle)))
                .collect();
            // The row shown first: the most energetic open approach.
            let worst = entry
                .most_energetic()
                .map(|(vehicle, _)| vehicle_row(t, vehicle, &description(&vehicle.vehicle)));
            EntryRow {
                label: entry.entry.clone(),
                way: match &entry.way_name {
                    Some(name) => format!("{name} ({})", entry.way),
                    None => entry.way.clone(),
                },
                width: match entry.width_source {
                    app::vehicle_approach::WidthSource::Mapped => {
                        format!("{} m", number(t, entry.width_m, 1))
                    }
                    app::vehicle_approach::WidthSource::DefaultForKind => {
                        format!("{} m*", number(t, entry.width_m, 1))
                    }
                },
                worst,
                vehicles,
            }
        })
        .collect()
}

async fn hvm_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<StudyQuery>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let chosen = match query.chosen() {
        Ok(chosen) => chosen,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    match parse_site_id(&id) {
        Ok(site_id) => render_page(&state, t, &actor, site_id, chosen, None, None).await,
        Err(error) => page_error(t, Some(&actor), error),
    }
}

/// Renders the page for `site_id` showing study `chosen` (default: the newest); `error` and
/// `request` come from a refused run, so the form keeps what the user entered.
async fn render_page(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    site_id: SiteId,
    chosen: Option<StudyId>,
    error: Option<String>,
    request: Option<HvmRequest>,
) -> Response {
    let site = match state.app.site(actor, site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let studies = match state
        .app
        .site_studies(actor, site_id, Some(StudyKind::VehicleApproach))
        .await
    {
        Ok(studies) => studies,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let shown = chosen.or_else(|| studies.first().map(|study| study.id));
    let loaded = match shown {
        Some(id) => match state.app.hvm_study(actor, id).await {
            Ok(loaded) if loaded.0.study.site_id == site_id => Some(loaded),
            Ok(_) => {
                return page_error(
                    t,
                    Some(actor),
                    AppError::NotFound(format!("study {id} is not a study of this site")),
                );
            }
            Err(error) => return page_error(t, Some(actor), error),
        },
        None => None,
    };
    let stored_request = loaded.as_ref().and_then(|(study, _)| {
        serde_json::from_value::<HvmInputs>(study.study.inputs.clone())
            .ok()
            .map(|inputs| inputs.request)
    });
    let request = request.or(stored_request).unwrap_or_default();
    let mut page = HvmPage {
        page: PageContext::new(
            t,
            Some(actor),
            t.t_with("hvm-title", "name", site.draft.name.clone()),
        ),
        can_run: actor.user.role.can_edit_sites(),
        error,
        study_id: shown,
        meta: String::new(),
        summary: String::new(),
        fastest: String::new(),
        entries: Vec::new(),
        diagnostics: Vec::new(),
        studies: studies
            .iter()
            .map(|study| StudyLink {
                id: study.id,
                label: format!(
                    "{} · {}",
                    study.created_at.format("%Y-%m-%d %H:%M UTC"),
                    study
                        .study
                        .summary
                        .get("open_entries")
                        .and_then(serde_json::Value::as_u64)
                        .map(|open| t.t_with("hvm-open-entries", "count", open))
                        .unwrap_or_default()
                ),
                current: Some(study.id) == shown,
            })
            .collect(),
        vehicles: app::vehicle_approach::standard_vehicle_classes()
            .into_iter()
            .map(|vehicle| VehicleChoice {
                checked: request.vehicles.is_empty() || request.vehicles.contains(&vehicle.code),
                code: vehicle.code,
                description: vehicle.description,
            })
            .collect(),
        worst_case: request.rules == HvmRules::WorstCase,
        changes: serde_json::json!({
            "added_barriers": request.added_barriers,
            "openings": request.openings,
        })
        .to_string(),
        barrier_kinds: app::ADDED_BARRIER_KINDS.to_vec(),
        extent: {
            let (min_lon, min_lat, max_lon, max_lat) = site.draft.polygon.bounding_box();
            format!("{min_lon},{min_lat},{max_lon},{max_lat}")
        },
        tile_url: tile_url(&state.config),
        site,
    };
    if let Some((study, result)) = &loaded {
        let summary = result.summary();
        page.meta = t.t_args(
            "hvm-study-meta",
            &[
                (
                    "date",
                    FluentValue::from(study.created_at.format("%Y-%m-%d %H:%M UTC").to_string()),
                ),
                (
                    "engine",
                    FluentValue::from(study.study.engine_version.clone()),
                ),
                (
                    "map",
                    FluentValue::from(
                        study
                            .study
                            .map_sha256
                            .as_deref()
                            .map(|sha| sha.chars().take(12).collect::<String>())
                            .unwrap_or_default(),
                    ),
                ),
            ],
        );
        page.summary = t.t_args(
            "hvm-summary",
            &[
                ("entries", FluentValue::from(summary.entries)),
                ("open", FluentValue::from(summary.open_entries)),
            ],
        );
        if let Some(fastest) = &summary.fastest {
            page.fastest = t.t_args(
                "hvm-fastest",
                &[
                    ("vehicle", FluentValue::from(fastest.vehicle.clone())),
                    ("entry", FluentValue::from(fastest.entry.clone())),
                    ("speed", FluentValue::from(number(t, fastest.speed_kmh, 1))),
                    ("rating", FluentValue::from(fastest.required_rating.clone())),
                ],
            );
        }
        page.entries = entry_rows(t, &result.entry_reports(), result);
        page.diagnostics = result
            .analysis
            .diagnostics
            .iter()
            .map(|diagnostic| format!("{}: {}", diagnostic.subject, diagnostic.message))
            .collect();
    }
    render(&page)
}

/// The run form, read from the raw body: checkboxes repeat the `vehicle` key.
fn parse_run_form(body: &[u8]) -> (String, Result<HvmRequest, AppError>) {
    let mut csrf_token = String::new();
    let mut vehicles = Vec::new();
    let mut rules = String::from("worst_case");
    let mut changes = String::new();
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "csrf_token" => csrf_token = value.into_owned(),
            "vehicle" => vehicles.push(value.into_owned()),
            "rules" => rules = value.into_owned(),
            "changes" => changes = value.into_owned(),
            _ => {}
        }
    }
    let request = (|| {
        if vehicles.is_empty() {
            return Err(AppError::Invalid(
                "vehicles: tick at least one vehicle class".into(),
            ));
        }
        let changes: app::HvmChanges = if changes.trim().is_empty() {
            app::HvmChanges::default()
        } else {
            serde_json::from_str(&changes).map_err(|error| {
                AppError::Invalid(format!("temporary barriers and openings: {error}"))
            })?
        };
        Ok(HvmRequest {
            vehicles,
            rules: rules.parse()?,
            added_barriers: changes.added_barriers,
            openings: changes.openings,
        })
    })();
    (csrf_token, request)
}

async fn run_study(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (csrf_token, request) = parse_run_form(&body);
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let outcome = match &request {
        Ok(request) => state
            .app
            .run_hvm_study(&actor, site_id, request.clone())
            .await
            .map(|(study, _)| study),
        Err(error) => Err(AppError::Invalid(error.to_string())),
    };
    match outcome {
        Ok(study) => {
            Redirect::to(&format!("/sites/{site_id}/hvm?study={}", study.id)).into_response()
        }
        Err(AppError::Invalid(message)) => {
            render_page(
                &state,
                t,
                &actor,
                site_id,
                None,
                Some(t.t_with("error-invalid", "detail", message)),
                request.ok(),
            )
            .await
        }
        Err(error) => page_error(t, Some(&actor), error),
    }
}
