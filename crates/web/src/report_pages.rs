//! Reports to download (a site's, the city's; HTML or PDF) and the plans page of a site: the
//! Pareto front of protective-measure plans as a chart and a table, the candidates to combine,
//! a plan of the user's own, and what the vehicle measures must stop.

use app::{
    Labels, PlanRequest, RenderedReport, ReportFormat, SitePlans, risk::MeasureCategory,
    risk::MeasureId,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Site;
use fluent_bundle::FluentValue;

use crate::AppState;
use crate::error::page_error;
use crate::i18n::{Language, Localizer};
use crate::pages::{PageContext, parse_site_id, render};
use crate::session::SignedIn;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites/{id}/report.pdf", get(site_report_pdf))
        .route("/sites/{id}/report.html", get(site_report_html))
        .route("/reports/city.pdf", get(city_report_pdf))
        .route("/reports/city.html", get(city_report_html))
        .route("/sites/{id}/plans", get(plans_page))
}

impl Labels for Localizer {
    fn language(&self) -> &str {
        self.lang()
    }

    fn text(&self, key: &str) -> String {
        self.t(key)
    }

    fn text_with(&self, key: &str, args: &[(&str, String)]) -> String {
        let values: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from(value.clone())))
            .collect();
        self.t_args(key, &values)
    }
}

/// The report as a download: its media type, and a file name the browser saves it under.
pub(crate) fn download(report: RenderedReport) -> Response {
    let disposition = match report.format {
        // HTML opens in the browser (it prints well); PDF is saved.
        ReportFormat::Html => format!("inline; filename=\"{}\"", report.file_name),
        ReportFormat::Pdf => format!("attachment; filename=\"{}\"", report.file_name),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                report.format.content_type().to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            // The report is one self-contained page: its own <style> and inline SVG, nothing to
            // load and nothing to run.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
                 form-action 'none'; frame-ancestors 'none'"
                    .to_string(),
            ),
        ],
        report.bytes,
    )
        .into_response()
}

async fn site_report(
    state: AppState,
    signed_in: SignedIn,
    id: String,
    format: ReportFormat,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    match state.app.site_report(&actor, site_id, &t, format).await {
        Ok(report) => download(report),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

async fn site_report_pdf(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Response {
    site_report(state, signed_in, id, ReportFormat::Pdf).await
}

async fn site_report_html(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Response {
    site_report(state, signed_in, id, ReportFormat::Html).await
}

async fn city_report(state: AppState, signed_in: SignedIn, format: ReportFormat) -> Response {
    let SignedIn { t, actor } = signed_in;
    match state.app.city_report(&actor, &t, format).await {
        Ok(report) => download(report),
        Err(error) => page_error(t, Some(&actor), error),
    }
}

async fn city_report_pdf(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    city_report(state, signed_in, ReportFormat::Pdf).await
}

async fn city_report_html(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    city_report(state, signed_in, ReportFormat::Html).await
}

/// The plans form, read from the query: checkboxes repeat `candidate` and `selected`. Empty
/// numbers mean "none"; a number that does not parse is named.
///
/// Gives every field that reads, and the first that does not: a refused page keeps the user's
/// other choices (ticked measures, the numbers that were right).
fn parse_plan_fields(query: &str) -> (PlanRequest, Option<String>) {
    let mut request = PlanRequest::default();
    let mut first_error = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim();
        let mut number = |field: &str| -> Option<u64> {
            if value.is_empty() {
                return None;
            }
            match value.replace([' ', '\u{a0}', '\''], "").parse::<u64>() {
                Ok(number) => Some(number),
                Err(_) => {
                    first_error
                        .get_or_insert_with(|| format!("{field}: '{value}' is not a whole number"));
                    None
                }
            }
        };
        match key.as_ref() {
            "budget_eur" => request.budget_eur = number("budget_eur"),
            "max_openness_loss" => {
                request.max_openness_loss =
                    number("max_openness_loss").map(|cap| u32::try_from(cap).unwrap_or(u32::MAX));
            }
            "horizon_years" => {
                request.horizon_years =
                    number("horizon_years").map(|years| u32::try_from(years).unwrap_or(u32::MAX));
            }
            "candidate" if !value.is_empty() => request.candidates.push(MeasureId::from(value)),
            "selected" if !value.is_empty() => request.selected.push(MeasureId::from(value)),
            _ => {}
        }
    }
    (request, first_error)
}

/// What the user typed in a field of the plan form, so a refused number is shown to correct.
fn typed_field(query: &str, field: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == field)
        .last()
        .map(|(_, value)| value.trim().to_string())
}

struct PlanRow {
    letter: String,
    measures: Vec<String>,
    residual_risk: String,
    removed_percent: String,
    cost_eur: String,
    openness: String,
}

struct MeasureChoice {
    id: String,
    name: String,
    category: String,
    candidate: bool,
    selected: bool,
    reduction_alone: String,
}

struct HvmLinkRow {
    measure: String,
    rating: String,
    entry: String,
    street: String,
    vehicle: String,
    speed_kmh: String,
    required_rating: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    page: PageContext,
    site: Site,
    error: Option<String>,
    assessment: String,
    summary: String,
    chart_svg: String,
    plans: Vec<PlanRow>,
    selected: Option<PlanRow>,
    measures: Vec<MeasureChoice>,
    hvm_links: Vec<HvmLinkRow>,
    budget_eur: String,
    max_openness_loss: String,
    horizon_years: String,
}

fn number(t: Localizer, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match t.language() {
        Language::French => text.replace('.', ","),
        Language::English => text,
    }
}

/// A whole number of euros with thin groups ("1 250 000"), readable in both languages.
fn euros(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(digit);
    }
    grouped
}

fn plan_row(
    t: Localizer,
    letter: String,
    plan: &app::risk::PlanEvaluation,
    catalogue: &app::risk::Catalogue,
) -> PlanRow {
    PlanRow {
        letter,
        measures: plan
            .measures
            .iter()
            .map(|id| {
                catalogue
                    .measure(id)
                    .map_or_else(|| id.to_string(), |m| m.name.get(t.lang()).to_string())
            })
            .collect(),
        residual_risk: number(t, plan.total_risk_after, 0),
        removed_percent: number(
            t,
            100.0 * plan.risk_reduction() / plan.total_risk_before.max(f64::MIN_POSITIVE),
            0,
        ),
        cost_eur: euros(plan.whole_life_cost_eur),
        openness: plan.openness_loss_points.to_string(),
    }
}

async fn plans_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let SignedIn { t, actor } = signed_in;
    let site_id = match parse_site_id(&id) {
        Ok(site_id) => site_id,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let site = match state.app.site(&actor, site_id).await {
        Ok(site) => site,
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let query = query.unwrap_or_default();
    let (request, refused) = parse_plan_fields(&query);
    let outcome = match refused {
        None => state.app.site_plans(&actor, site_id, &request).await,
        Some(message) => Err(app::AppError::Invalid(message)),
    };
    let shown = |field: &str, parsed: Option<String>| {
        typed_field(&query, field)
            .filter(|typed| !typed.is_empty())
            .unwrap_or_else(|| parsed.unwrap_or_default())
    };
    let catalogue = app::risk::shipped_catalogue();
    let mut page = PlansPage {
        page: PageContext::new(
            t,
            Some(&actor),
            t.t_with("plans-title", "name", site.draft.name.clone()),
        ),
        error: None,
        assessment: String::new(),
        summary: String::new(),
        chart_svg: String::new(),
        plans: Vec::new(),
        selected: None,
        measures: Vec::new(),
        hvm_links: Vec::new(),
        budget_eur: shown("budget_eur", request.budget_eur.map(|b| b.to_string())),
        max_openness_loss: shown(
            "max_openness_loss",
            request.max_openness_loss.map(|cap| cap.to_string()),
        ),
        horizon_years: shown(
            "horizon_years",
            Some(request.horizon_years.unwrap_or(10).to_string()),
        ),
        site,
    };
    let proposal = match outcome {
        Ok(SitePlans {
            assessment,
            proposal,
        }) => {
            page.assessment = assessment;
            Some(proposal)
        }
        Err(app::AppError::Invalid(message)) => {
            page.error = Some(t.t_with("error-invalid", "detail", message));
            None
        }
        Err(error) => return page_error(t, Some(&actor), error),
    };
    let candidates: Vec<&MeasureId> = proposal
        .as_ref()
        .map(|proposal| proposal.candidates.iter().map(|c| &c.id).collect())
        .unwrap_or_else(|| request.candidates.iter().collect());
    page.measures = catalogue
        .measures
        .iter()
        .map(|measure| MeasureChoice {
            id: measure.id.to_string(),
            name: measure.name.get(t.lang()).to_string(),
            category: t.t(&format!(
                "plans-category-{}",
                category_key(measure.category)
            )),
            candidate: candidates.contains(&&measure.id),
            selected: request.selected.contains(&measure.id),
            reduction_alone: proposal
                .as_ref()
                .and_then(|proposal| proposal.candidates.iter().find(|c| c.id == measure.id))
                .map(|c| number(t, c.risk_reduction_alone, 0))
                .unwrap_or_default(),
        })
        .collect();
    if let Some(proposal) = &proposal {
        page.summary = t.t_args(
            "plans-summary",
            &[
                ("front", FluentValue::from(proposal.front.len())),
                ("candidates", FluentValue::from(proposal.candidates.len())),
                (
                    "risk",
                    FluentValue::from(number(t, proposal.total_risk_before, 0)),
                ),
            ],
        );
        let chart = app::report::Chart {
            caption: None,
            height_pt: 260.0,
            kind: app::report::ChartKind::Scatter(app::plan_scatter(proposal, &t)),
        };
        let decimal = if t.language() == Language::French {
            ','
        } else {
            '.'
        };
        page.chart_svg = app::report::chart_svg(&chart, decimal).unwrap_or_default();
        page.plans = proposal
            .listed
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                plan_row(
                    t,
                    app::plan_letter(position),
                    &proposal.front[index],
                    &catalogue,
                )
            })
            .collect();
        page.selected = proposal
            .selected
            .as_ref()
            .map(|plan| plan_row(t, "—".into(), plan, &catalogue));
        page.hvm_links = proposal
            .hvm_links
            .iter()
            .flat_map(|link| {
                let measure = catalogue.measure(&link.measure).map_or_else(
                    || link.measure.to_string(),
                    |m| m.name.get(t.lang()).to_string(),
                );
                let rating = link.measure_rating.clone().unwrap_or_default();
                link.entries.iter().map(move |need| HvmLinkRow {
                    measure: measure.clone(),
                    rating: rating.clone(),
                    entry: need.entry.clone(),
                    street: need.way_name.clone().unwrap_or_default(),
                    vehicle: need.vehicle.clone(),
                    speed_kmh: number(t, need.speed_kmh, 0),
                    required_rating: need.required_rating.clone(),
                })
            })
            .collect();
    }
    render(&page)
}

fn category_key(category: MeasureCategory) -> &'static str {
    match category {
        MeasureCategory::Hvm => "hvm",
        MeasureCategory::AccessControl => "access-control",
        MeasureCategory::Surveillance => "surveillance",
        MeasureCategory::Stewarding => "stewarding",
        MeasureCategory::Communication => "communication",
        MeasureCategory::CrowdManagement => "crowd-management",
        MeasureCategory::Design => "design",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_form_reads_repeated_checkboxes_and_names_bad_numbers() {
        let (request, error) = parse_plan_fields(
            "budget_eur=250+000&max_openness_loss=&candidate=a&candidate=b&selected=a&horizon_years=5",
        );
        assert_eq!(error, None);
        assert_eq!(request.budget_eur, Some(250_000));
        assert_eq!(request.max_openness_loss, None);
        assert_eq!(request.horizon_years, Some(5));
        assert_eq!(request.candidates.len(), 2);
        assert_eq!(request.selected, vec![MeasureId::from("a")]);
        let error = parse_plan_fields("budget_eur=lots").1.unwrap();
        assert!(error.contains("budget_eur"), "{error}");
        // A refused number leaves the user's other choices as they were, and what was typed.
        let (kept, error) = parse_plan_fields("budget_eur=lots&candidate=a&horizon_years=5");
        assert!(error.is_some_and(|error| error.contains("'lots'")));
        assert_eq!(kept.candidates, vec![MeasureId::from("a")]);
        assert_eq!(kept.horizon_years, Some(5));
        let query = "budget_eur=lots&candidate=a";
        assert_eq!(typed_field(query, "budget_eur").as_deref(), Some("lots"));
        assert_eq!(typed_field(query, "horizon_years"), None);
    }

    #[test]
    fn euros_are_grouped_by_thousands() {
        assert_eq!(euros(950), "950");
        assert_eq!(euros(1_250_000), "1\u{202f}250\u{202f}000");
    }

    #[test]
    fn every_report_label_the_app_uses_exists_in_every_language() {
        let source = include_str!("../../app/src/reports.rs");
        let mut keys: Vec<String> = source
            .split("\"report-")
            .skip(1)
            .map(|piece| format!("report-{}", piece.split('"').next().unwrap()))
            .filter(|key| !key.contains('{'))
            .collect();
        for band in ["low", "medium", "high"] {
            keys.push(format!("report-band-{band}"));
        }
        for factor in ["threat_likelihood", "vulnerability", "consequence"] {
            keys.push(format!("report-factor-{factor}"));
        }
        for category in [
            MeasureCategory::Hvm,
            MeasureCategory::AccessControl,
            MeasureCategory::Surveillance,
            MeasureCategory::Stewarding,
            MeasureCategory::Communication,
            MeasureCategory::CrowdManagement,
            MeasureCategory::Design,
        ] {
            keys.push(format!("plans-category-{}", category_key(category)));
        }
        assert!(keys.len() > 60, "only {} keys found", keys.len());
        for language in Language::ALL {
            let t = Localizer::new(language);
            for key in &keys {
                assert_ne!(&t.t(key), key, "{key} missing in {}", language.code());
            }
        }
    }
}
