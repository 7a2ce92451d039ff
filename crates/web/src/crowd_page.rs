//! The crowd page of a site: the latest (or a chosen) crowd evacuation study with its density
//! animation and level-of-service map (drawn by `map.js` from `/api/studies/{id}/crowd`), the
//! evacuation curve (an SVG drawn here), the exits' table, and the form that runs a new study,
//! with stalls, barriers and added exits drawn on the map.

use app::{
    Actor, AppError, CrowdExitChoice, CrowdInputs, CrowdPopulation, CrowdRequest, CrowdResult,
    CrowdSpeed, EvacuationLimit, JobState,
};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::{Site, SiteId, StudyId, StudyKind};
use fluent_bundle::FluentValue;
use serde::Deserialize;

use crate::AppState;
use crate::error::page_error;
use crate::hvm_page::number;
use crate::i18n::Localizer;
use crate::pages::{PageContext, StudyQuery, csrf_refusal, parse_site_id, render, tile_url};
use crate::session::SignedIn;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sites/{id}/crowd", get(crowd_page).post(run_study))
}

struct ExitRow {
    name: String,
    width: String,
    count: usize,
    first: String,
    last: String,
    flow: String,
    specific_flow: String,
    busiest_flow: String,
}

struct StudyLink {
    id: StudyId,
    label: String,
    current: bool,
}

struct HvmChoice {
    id: StudyId,
    label: String,
    selected: bool,
}

/// The run form's fields as the user entered them (kept when a run is refused).
struct FormValues {
    population_mode: String,
    population_value: String,
    speed_mode: String,
    speed_value: String,
    exit_choice: String,
    premovement_min: String,
    premovement_max: String,
    seed: String,
    max_time: String,
    changes: String,
    hvm_study: String,
}

impl FormValues {
    fn from_request(request: &CrowdRequest, has_capacity: bool) -> FormValues {
        let (population_mode, population_value) = match request.population {
            Some(CrowdPopulation::Capacity) => ("capacity", String::new()),
            Some(CrowdPopulation::Count(count)) => ("count", count.to_string()),
            Some(CrowdPopulation::DensityPerM2(density)) => ("density", density.to_string()),
            None if has_capacity => ("capacity", String::new()),
            None => ("density", app::CROWD_DEFAULT_DENSITY_PER_M2.to_string()),
        };
        let (speed_mode, speed_value) = match request.speed {
            CrowdSpeed::Weidmann => ("weidmann", "1.34".to_string()),
            CrowdSpeed::FixedMps(speed) => ("fixed", speed.to_string()),
        };
        let (premovement_min, premovement_max) = match request.premovement_s {
            app::crowd_sim::Premovement::Fixed(value) => (value, value),
            app::crowd_sim::Premovement::Uniform { min, max } => (min, max),
        };
        FormValues {
            population_mode: population_mode.into(),
            population_value,
            speed_mode: speed_mode.into(),
            speed_value,
            exit_choice: match request.exit_choice {
                CrowdExitChoice::Nearest => "nearest",
                CrowdExitChoice::Quickest => "quickest",
            }
            .into(),
            premovement_min: premovement_min.to_string(),
            premovement_max: premovement_max.to_string(),
            seed: request.seed.to_string(),
            max_time: request.max_time_s.to_string(),
            changes: serde_json::json!({
                "obstacles": request.obstacles,
                "barriers": request.barriers,
                "added_exits": request.added_exits,
            })
            .to_string(),
            hvm_study: request
                .barriers_from_hvm_study
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "crowd.html")]
struct CrowdPage {
    page: PageContext,
    site: Site,
    can_run: bool,
    error: Option<String>,
    /// A study of this site running in the background, as the page shows it.
    running: Option<RunningJob>,
    study_id: Option<StudyId>,
    meta: String,
    evacuation: String,
    agents: String,
    /// What sets the evacuation time (walking or an exit), in words.
    limit: String,
    peak: String,
    exits: Vec<ExitRow>,
    curve_svg: String,
    diagnostics: Vec<String>,
    studies: Vec<StudyLink>,
    hvm_studies: Vec<HvmChoice>,
    has_capacity: bool,
    form: FormValues,
    extent: String,
    tile_url: String,
}

async fn crowd_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<StudyQuery>,
    Query(job): Query<JobQuery>,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let chosen = match query.chosen() {
        Ok(chosen) => chosen,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let notice = match job.job.as_deref() {
        None => Notice::None,
        Some(text) => {
            let job = text
                .parse()
                .map_err(|_| AppError::NotFound(format!("job {text} not found")))
                .and_then(|id| state.app.job(&actor, id));
            match job {
                Ok(job) if job.site_id != site_id => {
                    return page_error(t, Some(&actor), AppError::NotFound("no such job".into()));
                }
                Ok(job) => match job.state {
                    JobState::Done { study } => {
                        return Redirect::to(&format!("/sites/{site_id}/crowd?study={study}"))
                            .into_response();
                    }
                    JobState::Failed { error } => {
                        Notice::Error(t.t_with("crowd-job-failed", "detail", error))
                    }
                    JobState::Running {
                        fraction,
                        simulated_s,
                        agents_total,
                        agents_remaining,
                    } => Notice::Running(RunningJob {
                        fraction: format!("{fraction:.3}"),
                        text: t.t_args(
                            "crowd-job-running",
                            &[
                                (
                                    "percent",
                                    FluentValue::from(format!("{:.0}", fraction * 100.0)),
                                ),
                                ("time", FluentValue::from(format!("{simulated_s:.0}"))),
                                ("left", FluentValue::from(agents_remaining)),
                                ("total", FluentValue::from(agents_total)),
                            ],
                        ),
                    }),
                },
                Err(error) => return page_error(t, Some(&actor), error),
            }
        }
    };
    render_page(&state, t, &actor, site_id, chosen, notice, None).await
}

/// `?job=ID`: the background run the page follows.
#[derive(Deserialize)]
struct JobQuery {
    job: Option<String>,
}

/// What the page says above its study.
enum Notice {
    None,
    Error(String),
    Running(RunningJob),
}

/// A running study as the page shows it (the page reloads itself until it is done).
struct RunningJob {
    fraction: String,
    text: String,
}

fn seconds(t: Localizer, value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |s| number(t, s, 1))
}

fn exit_rows(t: Localizer, result: &CrowdResult) -> Vec<ExitRow> {
    result
        .exits
        .iter()
        .map(|exit| ExitRow {
            name: exit.name.clone(),
            width: number(t, exit.width_m, 1),
            count: exit.count,
            first: seconds(t, exit.first_exit_s),
            last: seconds(t, exit.last_exit_s),
            flow: exit
                .mean_flow_p_per_s
                .map_or_else(|| "—".to_string(), |flow| number(t, flow, 2)),
            specific_flow: exit
                .specific_flow_p_per_m_s
                .map_or_else(|| "—".to_string(), |flow| number(t, flow, 2)),
            busiest_flow: exit
                .busiest_specific_flow_p_per_m_s
                .map_or_else(|| "—".to_string(), |flow| number(t, flow, 2)),
        })
        .collect()
}

/// What sets the evacuation time, in the user's language (empty when people remained): the
/// page's words, and the command line's (in English).
pub fn evacuation_limit_text(t: Localizer, result: &CrowdResult) -> String {
    let free = result
        .free_walk_time_s
        .map_or_else(|| "—".to_string(), |s| number(t, s, 0));
    match &result.evacuation_limit {
        None => String::new(),
        Some(EvacuationLimit::Walking) => t.t_with("crowd-limit-walking", "free", free),
        Some(EvacuationLimit::OnTheWay) => t.t_with("crowd-limit-on-the-way", "free", free),
        Some(EvacuationLimit::Exit {
            name,
            width_m,
            count,
            share_percent,
            busiest_specific_flow_p_per_m_s,
            others_clear_s,
        }) => {
            let text = t.t_args(
                "crowd-limit-exit",
                &[
                    ("exit", FluentValue::from(name.clone())),
                    ("count", FluentValue::from(*count)),
                    ("share", FluentValue::from(number(t, *share_percent, 0))),
                    ("width", FluentValue::from(number(t, *width_m, 1))),
                    (
                        "busiest",
                        FluentValue::from(
                            busiest_specific_flow_p_per_m_s
                                .map_or_else(|| "—".to_string(), |q| number(t, q, 2)),
                        ),
                    ),
                    ("free", FluentValue::from(free)),
                ],
            );
            match others_clear_s {
                Some(time) => format!(
                    "{text} {}",
                    t.t_with("crowd-limit-others", "time", number(t, *time, 0))
                ),
                None => text,
            }
        }
    }
}

/// The N(t) curve as an SVG line chart (the report crate's chart, so a report shows the same).
fn curve_svg(t: Localizer, result: &CrowdResult) -> String {
    let chart = report::Chart {
        caption: None,
        height_pt: 220.0,
        kind: report::ChartKind::Line(report::LineChart {
            x_axis_title: Some(t.t("crowd-curve-time")),
            y_axis_title: Some(t.t("crowd-curve-inside")),
            series: vec![report::LineSeries {
                name: t.t("crowd-curve-inside"),
                colour: report::Rgb::new(0x1f, 0x3a, 0x93),
                points: result.evacuation_curve.clone(),
            }],
        }),
    };
    let separator = match t.language() {
        crate::i18n::Language::French => ',',
        crate::i18n::Language::English => '.',
    };
    match report::chart_svg(&chart, separator) {
        Ok(svg) => svg,
        Err(error) => {
            tracing::warn!(%error, "evacuation curve not drawn");
            String::new()
        }
    }
}

/// Renders the page for `site_id` showing study `chosen` (default: the newest); `error` and
/// `form` come from a refused run, so the form keeps what the user entered.
async fn render_page(
    state: &AppState,
    t: Localizer,
    actor: &Actor,
    site_id: SiteId,
    chosen: Option<StudyId>,
    notice: Notice,
    form: Option<FormValues>,
) -> Response {
    let site = match state.app.site(actor, site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(actor), error),
    };
    let (studies, hvm_studies) = match (
        state
            .app
            .site_studies(actor, site_id, Some(StudyKind::Crowd))
            .await,
        state
            .app
            .site_studies(actor, site_id, Some(StudyKind::VehicleApproach))
            .await,
    ) {
        (Ok(crowd), Ok(hvm)) => (crowd, hvm),
        (Err(error), _) | (_, Err(error)) => return page_error(t, Some(actor), error),
    };
    let shown = chosen.or_else(|| studies.first().map(|study| study.id));
    let loaded = match shown {
        Some(id) => match state.app.crowd_study(actor, id).await {
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
    let has_capacity = site.draft.capacity.is_some();
    let form = form.unwrap_or_else(|| {
        let stored = loaded.as_ref().and_then(|(study, _)| {
            serde_json::from_value::<CrowdInputs>(study.study.inputs.clone())
                .ok()
                .map(|inputs| inputs.request)
        });
        FormValues::from_request(&stored.unwrap_or_default(), has_capacity)
    });
    let date = |study: &domain::Study| study.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut page = CrowdPage {
        page: PageContext::new(
            t,
            Some(actor),
            t.t_with("crowd-title", "name", site.draft.name.clone()),
        ),
        can_run: actor.user.role.can_edit_sites(),
        error: match &notice {
            Notice::Error(message) => Some(message.clone()),
            _ => None,
        },
        running: match notice {
            Notice::Running(running) => Some(running),
            _ => None,
        },
        study_id: shown,
        meta: String::new(),
        evacuation: String::new(),
        limit: String::new(),
        agents: String::new(),
        peak: String::new(),
        exits: Vec::new(),
        curve_svg: String::new(),
        diagnostics: Vec::new(),
        studies: studies
            .iter()
            .map(|study| {
                let summary = &study.study.summary;
                StudyLink {
                    id: study.id,
                    label: format!(
                        "{} · {}",
                        date(study),
                        t.t_args(
                            "crowd-study-label",
                            &[
                                (
                                    "agents",
                                    FluentValue::from(
                                        summary["agents"].as_u64().unwrap_or_default()
                                    ),
                                ),
                                (
                                    "time",
                                    FluentValue::from(seconds(
                                        t,
                                        summary["evacuation_time_s"].as_f64()
                                    )),
                                ),
                            ],
                        )
                    ),
                    current: Some(study.id) == shown,
                }
            })
            .collect(),
        hvm_studies: hvm_studies
            .iter()
            .map(|study| HvmChoice {
                id: study.id,
                label: date(study),
                selected: form.hvm_study == study.id.to_string(),
            })
            .collect(),
        has_capacity,
        form,
        extent: {
            let (min_lon, min_lat, max_lon, max_lat) = site.draft.polygon.bounding_box();
            format!("{min_lon},{min_lat},{max_lon},{max_lat}")
        },
        tile_url: tile_url(&state.config),
        site,
    };
    if let Some((study, result)) = &loaded {
        page.meta = t.t_args(
            "crowd-study-meta",
            &[
                ("date", FluentValue::from(date(study))),
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
        page.evacuation = match result.evacuation_time_s {
            Some(time) => t.t_with("crowd-evacuation-time", "time", number(t, time, 1)),
            None => t.t_args(
                "crowd-evacuation-unfinished",
                &[
                    (
                        "remaining",
                        FluentValue::from(result.agents - result.agents_evacuated),
                    ),
                    (
                        "time",
                        FluentValue::from(number(t, result.simulated_time_s, 0)),
                    ),
                    ("stalled", FluentValue::from(result.agents_stalled)),
                ],
            ),
        };
        page.agents = t.t_args(
            "crowd-agents",
            &[
                ("agents", FluentValue::from(result.agents)),
                ("evacuated", FluentValue::from(result.agents_evacuated)),
                (
                    "area",
                    FluentValue::from(number(t, result.walkable_area_m2, 0)),
                ),
                ("exits", FluentValue::from(result.exits.len())),
            ],
        );
        if let Some(peak) = &result.peak {
            page.peak = t.t_args(
                "crowd-peak",
                &[
                    (
                        "density",
                        FluentValue::from(number(t, peak.density_per_m2, 2)),
                    ),
                    ("time", FluentValue::from(number(t, peak.time_s, 0))),
                    ("los", FluentValue::from(peak.level_of_service.clone())),
                ],
            );
        }
        page.limit = evacuation_limit_text(t, result);
        page.exits = exit_rows(t, result);
        page.curve_svg = curve_svg(t, result);
        page.diagnostics = result.diagnostics.clone();
    }
    render(&page)
}

/// A number from the form, or an error naming the field.
fn form_number<T: std::str::FromStr>(t: Localizer, value: &str, field: &str) -> Result<T, String> {
    value
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("{}: '{value}' is not a number", t.t(field)))
}

/// The run form, read from the raw body.
fn parse_run_form(t: Localizer, body: &[u8]) -> (String, FormValues, Result<CrowdRequest, String>) {
    let mut csrf_token = String::new();
    let mut form = FormValues::from_request(&CrowdRequest::default(), false);
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "csrf_token" => csrf_token = value,
            "population_mode" => form.population_mode = value,
            "population_value" => form.population_value = value,
            "speed_mode" => form.speed_mode = value,
            "speed_value" => form.speed_value = value,
            "exit_choice" => form.exit_choice = value,
            "premovement_min" => form.premovement_min = value,
            "premovement_max" => form.premovement_max = value,
            "seed" => form.seed = value,
            "max_time_s" => form.max_time = value,
            "changes" => form.changes = value,
            "hvm_study" => form.hvm_study = value,
            _ => {}
        }
    }
    let request = (|| {
        let population = match form.population_mode.as_str() {
            "capacity" => CrowdPopulation::Capacity,
            "count" => CrowdPopulation::Count(form_number(
                t,
                &form.population_value,
                "crowd-population-count",
            )?),
            _ => CrowdPopulation::DensityPerM2(form_number(
                t,
                &form.population_value,
                "crowd-population-density",
            )?),
        };
        let speed = match form.speed_mode.as_str() {
            "fixed" => CrowdSpeed::FixedMps(form_number(t, &form.speed_value, "crowd-speed")?),
            _ => CrowdSpeed::Weidmann,
        };
        let min: f64 = form_number(t, &form.premovement_min, "crowd-premovement-min")?;
        let max: f64 = form_number(t, &form.premovement_max, "crowd-premovement-max")?;
        let changes: app::CrowdChanges = if form.changes.trim().is_empty() {
            app::CrowdChanges::default()
        } else {
            serde_json::from_str(&form.changes)
                .map_err(|error| format!("{}: {error}", t.t("crowd-changes")))?
        };
        let barriers_from_hvm_study = match form.hvm_study.trim() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|_| format!("{}: not a study", t.t("crowd-hvm-barriers")))?,
            ),
        };
        Ok(CrowdRequest {
            population: Some(population),
            speed,
            exit_choice: match form.exit_choice.as_str() {
                "quickest" => CrowdExitChoice::Quickest,
                _ => CrowdExitChoice::Nearest,
            },
            premovement_s: if min == max {
                app::crowd_sim::Premovement::Fixed(min)
            } else {
                app::crowd_sim::Premovement::Uniform { min, max }
            },
            obstacles: changes.obstacles,
            barriers: changes.barriers,
            added_exits: changes.added_exits,
            barriers_from_hvm_study,
            seed: form_number(t, &form.seed, "crowd-seed")?,
            max_time_s: form_number(t, &form.max_time, "crowd-max-time")?,
        })
    })();
    (csrf_token, form, request)
}

async fn run_study(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (csrf_token, form, request) = parse_run_form(signed_in.t, &body);
    if let Some(response) = csrf_refusal(signed_in.t, &signed_in.actor, &csrf_token) {
        return response;
    }
    let SignedIn { t, actor } = signed_in;
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    // A full square takes minutes: the run goes on in the background and this page follows it.
    let outcome = match request {
        Ok(request) => state.app.start_crowd_study(&actor, site_id, request).await,
        Err(message) => Err(AppError::Invalid(message)),
    };
    let refusal = match outcome {
        Ok(job) => {
            return Redirect::to(&format!("/sites/{site_id}/crowd?job={job}")).into_response();
        }
        Err(AppError::Invalid(message)) => t.t_with("error-invalid", "detail", message),
        // The server is busy: the input was fine, so say only that.
        Err(AppError::Conflict(message)) => message,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    render_page(
        &state,
        t,
        &actor,
        site_id,
        None,
        Notice::Error(refusal),
        Some(form),
    )
    .await
}
