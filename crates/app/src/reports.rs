//! Site and city reports: what a security officer files, prints or sends to a partner. This module
//! assembles a [`report::Document`] from a site, its assessment, its studies and a measure plan;
//! the `report` crate renders it to HTML and PDF with the marking on every page.
//!
//! The words come from the caller through [`Labels`] (the web layer's Fluent bundle, so the report
//! speaks the language of the interface and its strings live with the others in
//! `content/locales/`); names of threats, questions and measures come from the content files in
//! the same language.

use chrono::{DateTime, Utc};
use domain::{BasemapFeature, BasemapLayer, Site, Study, Tlp};
use report::{
    Align, BarChart, Block, Cell, Chart, ChartKind, Column, Document, Geometry, KeyValue, Legend,
    LegendItem, LegendSymbol, Map, MapFeature, MarkerShape, Marking, ReportStrings, Rgb, Row,
    ScatterChart, ScatterPoint, Style, Table,
};
use risk::{
    Assessment, Catalogue, Contribution, DutyTier, Factor, FactorScore, Questionnaire, RiskBand,
    Step, Threat,
};

use crate::hvm::{EntryReport, HvmResult};
use crate::plans::PlanProposal;
use crate::plans::{PlanRequest, propose_plans};
use crate::{Actor, App, AppError, StoredAssessment};
use domain::SiteId;

/// The words of a report, in the reader's language.
pub trait Labels: Sync {
    /// BCP 47 code of the language (`en`, `fr`).
    fn language(&self) -> &str;
    /// The text of a message (`report-risk-title`).
    fn text(&self, key: &str) -> String;
    /// The text of a message with arguments (`{ $name }`).
    fn text_with(&self, key: &str, args: &[(&str, String)]) -> String;
}

/// An assessment as a report shows it.
#[derive(Debug, Clone)]
pub struct ReportAssessment<'a> {
    /// How the report names it: "assessment 3, final, 2026-11-23, by ana".
    pub label: String,
    /// The scored assessment.
    pub scored: &'a Assessment,
    /// Its sharing label, which becomes the report's.
    pub marking: Marking,
}

/// A vehicle-approach study as a report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportHvmStudy<'a> {
    /// The stored study (id, date, engine version, map hash).
    pub study: &'a Study,
    /// Its decoded result.
    pub result: &'a HvmResult,
}

/// Everything a site report is made of.
pub struct SiteReportInputs<'a> {
    /// The site.
    pub site: &'a Site,
    /// Its organisation's name.
    pub organisation: &'a str,
    /// The base map around the site (buildings, streets), drawn under it.
    pub basemap: &'a [BasemapFeature],
    /// Its latest assessment, if any.
    pub assessment: Option<ReportAssessment<'a>>,
    /// Its latest HVM study, if any.
    pub hvm: Option<ReportHvmStudy<'a>>,
    /// Measure plans for the assessment, if one was scored.
    pub plans: Option<&'a PlanProposal>,
    /// The questionnaire the assessment answered (question texts for explanations).
    pub questionnaire: &'a Questionnaire,
    /// The measures catalogue (measure names for plans).
    pub catalogue: &'a Catalogue,
    /// The duty tier of the UK Protection of Premises Act, shown beside risk (`None` without a
    /// capacity).
    pub duty_tier: Option<DutyTier>,
    /// When the report is generated.
    pub generated_at: DateTime<Utc>,
}

/// One line of a city report.
pub struct CityReportSite<'a> {
    /// The site.
    pub site: &'a Site,
    /// Its latest final assessment, if any.
    pub assessment: Option<ReportAssessment<'a>>,
    /// Its duty tier (`None` without a capacity).
    pub duty_tier: Option<DutyTier>,
}

/// Colours of approach paths and entry markers, changing at the nominal impact-test speeds of
/// ISO 22343-1 / IWA 14-1 (16, 32, 48, 64, 80 km/h), as the web map draws them.
pub const SPEED_BANDS: [(f64, Rgb); 6] = [
    (16.0, Rgb::new(0x2e, 0x7d, 0x32)),
    (32.0, Rgb::new(0x9c, 0xcc, 0x65)),
    (48.0, Rgb::new(0xfd, 0xd8, 0x35)),
    (64.0, Rgb::new(0xfb, 0x8c, 0x00)),
    (80.0, Rgb::new(0xe5, 0x39, 0x35)),
    (f64::INFINITY, Rgb::new(0x6a, 0x1b, 0x9a)),
];

/// The colour of a speed on approach maps.
pub fn speed_colour(speed_kmh: f64) -> Rgb {
    SPEED_BANDS
        .iter()
        .find(|(below, _)| speed_kmh < *below)
        .map_or(SPEED_BANDS[5].1, |(_, colour)| *colour)
}

/// The colour of a risk band (FEMA 426's low, medium, high).
pub fn band_colour(band: RiskBand) -> Rgb {
    match band {
        RiskBand::Low => Rgb::new(0x8b, 0xc3, 0x4a),
        RiskBand::Medium => Rgb::new(0xff, 0xc1, 0x07),
        RiskBand::High => Rgb::new(0xe5, 0x39, 0x35),
    }
}

const SITE_OUTLINE: Rgb = Rgb::new(0xc0, 0x39, 0x2b);
const SITE_FILL: Rgb = Rgb::new(0xf5, 0xc6, 0xc0);

/// The report marking of a TLP label (the same TLP 2.0 labels).
pub fn report_marking(tlp: Tlp) -> Marking {
    match tlp {
        Tlp::Clear => Marking::Clear,
        Tlp::Green => Marking::Green,
        Tlp::Amber => Marking::Amber,
        Tlp::AmberStrict => Marking::AmberStrict,
        Tlp::Red => Marking::Red,
    }
}

/// The marking of a report without an assessment: the marking a new assessment gets, since a
/// site's vulnerabilities are never public by default.
fn default_marking() -> Marking {
    report_marking(crate::DEFAULT_MARKING)
}

/// The site report (see the module docs).
pub fn site_report(inputs: &SiteReportInputs<'_>, labels: &dyn Labels) -> Document {
    let site = inputs.site;
    let marking = inputs
        .assessment
        .as_ref()
        .map_or_else(default_marking, |assessment| assessment.marking);
    let mut document = Document::new(
        labels.text_with("report-site-title", &[("name", site.draft.name.clone())]),
        marking,
        inputs.generated_at,
    );
    document.language = labels.language().to_string();
    document.strings = report_strings(labels);
    document.subtitle = Some(match &inputs.assessment {
        Some(assessment) => format!("{} · {}", inputs.organisation, assessment.label),
        None => format!(
            "{} · {}",
            inputs.organisation,
            labels.text("report-no-assessment-short")
        ),
    });

    let mut blocks = vec![Block::heading(1, labels.text("report-site-section"))];
    blocks.push(Block::KeyValues(site_facts(site, inputs.duty_tier, labels)));
    blocks.push(Block::Map(site_map(inputs, labels)));
    blocks.push(Block::Legend(site_map_legend(labels)));

    blocks.push(Block::heading(1, labels.text("report-risk-section")));
    match &inputs.assessment {
        Some(assessment) => {
            blocks.extend(risk_blocks(assessment, inputs.questionnaire, labels));
        }
        None => blocks.push(Block::paragraph(&labels.text("report-no-assessment"))),
    }

    blocks.push(Block::heading(1, labels.text("report-hvm-section")));
    match inputs.hvm {
        Some(hvm) => blocks.extend(hvm_blocks(inputs.site, inputs.basemap, hvm, labels)),
        None => blocks.push(Block::paragraph(&labels.text("report-no-hvm"))),
    }

    if let Some(plans) = inputs.plans {
        blocks.push(Block::heading(1, labels.text("report-plans-section")));
        blocks.extend(plan_blocks(plans, inputs.catalogue, labels));
    }

    blocks.push(Block::heading(1, labels.text("report-method-section")));
    blocks.push(Block::paragraph(&labels.text("report-method-risk")));
    blocks.push(Block::paragraph(&labels.text_with(
        "report-method-content",
        &[
            ("questionnaire", inputs.questionnaire.label()),
            ("catalogue", inputs.catalogue.version.clone()),
        ],
    )));
    blocks.push(Block::paragraph(&labels.text("report-method-tier")));
    document.blocks = blocks;
    document
}

/// The city report: every site ranked by its highest risk, tiers beside it, and the sites that
/// have no final assessment yet.
pub fn city_report(
    organisation: &str,
    sites: &[CityReportSite<'_>],
    questionnaire: &Questionnaire,
    basemap: &[BasemapFeature],
    generated_at: DateTime<Utc>,
    labels: &dyn Labels,
) -> Document {
    // The report carries the most restrictive marking of the assessments it draws on.
    let marking = sites
        .iter()
        .filter_map(|row| row.assessment.as_ref().map(|assessment| assessment.marking))
        .max()
        .unwrap_or_else(default_marking)
        .max(default_marking());
    let mut document = Document::new(
        labels.text_with(
            "report-city-title",
            &[("organisation", organisation.into())],
        ),
        marking,
        generated_at,
    );
    document.language = labels.language().to_string();
    document.strings = report_strings(labels);

    let mut ranked: Vec<(&CityReportSite<'_>, Option<(Threat, risk::RiskScore)>)> = sites
        .iter()
        .map(|row| {
            let highest = row
                .assessment
                .as_ref()
                .and_then(|assessment| assessment.scored.highest_risk());
            (row, highest)
        })
        .collect();
    ranked.sort_by(|a, b| {
        let risk = |entry: &Option<(Threat, risk::RiskScore)>| entry.map_or(-1.0, |(_, r)| r.value);
        risk(&b.1)
            .total_cmp(&risk(&a.1))
            .then_with(|| a.0.site.draft.name.cmp(&b.0.site.draft.name))
    });

    let mut blocks = vec![
        Block::heading(1, labels.text("report-city-ranking")),
        Block::paragraph(&labels.text("report-city-ranking-intro")),
    ];
    let rows = ranked
        .iter()
        .map(|(row, highest)| {
            let mut cells: Vec<Cell> = vec![
                row.site.draft.name.clone().into(),
                labels
                    .text(&format!("kind-{}", row.site.draft.kind.as_str()))
                    .into(),
                capacity_text(row.site.draft.capacity).into(),
                tier_text(row.duty_tier, labels).into(),
            ];
            match highest {
                Some((threat, score)) => {
                    cells.push(threat_title(questionnaire, *threat, labels).into());
                    cells.push(Cell::from(score.value).with_fill(band_colour(score.band)));
                    cells.push(band_text(score.band, labels).into());
                }
                None => {
                    cells.push(labels.text("report-not-assessed").into());
                    cells.push(Cell::from(String::new()));
                    cells.push(Cell::from(String::new()));
                }
            }
            cells.push(
                row.assessment
                    .as_ref()
                    .map_or_else(String::new, |assessment| assessment.label.clone())
                    .into(),
            );
            if matches!(highest, Some((_, score)) if score.band == RiskBand::High) {
                Row::highlighted(cells)
            } else {
                Row::new(cells)
            }
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: Some(labels.text("report-city-ranking")),
        columns: vec![
            Column::text(labels.text("report-col-site")),
            Column::text(labels.text("report-col-kind")),
            Column::text(labels.text("report-col-capacity")),
            Column::text(labels.text("report-col-tier")),
            Column::text(labels.text("report-col-highest-threat")),
            Column::number(labels.text("report-col-risk"), 0),
            Column::text(labels.text("report-col-band")),
            Column::text(labels.text("report-col-assessment")),
        ],
        rows,
    }));

    let assessed: Vec<_> = ranked
        .iter()
        .filter_map(|(row, highest)| highest.map(|(_, score)| (row, score)))
        .take(15)
        .collect();
    if !assessed.is_empty() {
        blocks.push(Block::Chart(Chart {
            caption: Some(labels.text("report-city-chart")),
            height_pt: 200.0,
            kind: ChartKind::Bar(BarChart {
                categories: assessed
                    .iter()
                    .map(|(row, _)| row.site.draft.name.clone())
                    .collect(),
                values: assessed.iter().map(|(_, score)| score.value).collect(),
                colours: assessed
                    .iter()
                    .map(|(_, score)| band_colour(score.band))
                    .collect(),
                value_axis_title: Some(labels.text("report-risk-axis")),
                value_labels: Some(0),
            }),
        }));
    }

    let mut features = sites
        .iter()
        .map(|row| row.site.draft.polygon.bounding_box())
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
        .map(|bounds| basemap_features(basemap, grown(bounds, 30.0)))
        .unwrap_or_default();
    for (row, highest) in &ranked {
        let fill = highest.map_or(Rgb::new(0xbd, 0xbd, 0xbd), |(_, score)| {
            band_colour(score.band)
        });
        features.extend(site_features(
            row.site,
            fill,
            Some(row.site.draft.name.clone()),
        ));
    }
    blocks.push(Block::Map(Map {
        caption: Some(labels.text("report-city-map")),
        coordinates: report::Coordinates::LonLatDegrees,
        features,
        height_pt: 420.0,
    }));
    blocks.push(Block::Legend(Legend {
        title: None,
        items: [RiskBand::Low, RiskBand::Medium, RiskBand::High]
            .into_iter()
            .map(|band| LegendItem {
                label: band_text(band, labels),
                symbol: LegendSymbol::Area(band_colour(band)),
            })
            .chain(std::iter::once(LegendItem {
                label: labels.text("report-not-assessed"),
                symbol: LegendSymbol::Area(Rgb::new(0xbd, 0xbd, 0xbd)),
            }))
            .collect(),
    }));
    blocks.push(Block::heading(1, labels.text("report-method-section")));
    blocks.push(Block::paragraph(&labels.text("report-method-risk")));
    blocks.push(Block::paragraph(&labels.text("report-method-tier")));
    document.blocks = blocks;
    document
}

fn report_strings(labels: &dyn Labels) -> ReportStrings {
    ReportStrings {
        page_of: labels.text("report-page-of"),
        generated: labels.text("report-generated"),
        continued: labels.text("report-continued"),
        decimal_separator: if labels.language() == "fr" { ',' } else { '.' },
    }
}

fn capacity_text(capacity: Option<u32>) -> String {
    capacity.map_or_else(|| "—".to_string(), |capacity| capacity.to_string())
}

fn tier_text(tier: Option<DutyTier>, labels: &dyn Labels) -> String {
    labels.text(match tier {
        None => "report-tier-unknown",
        Some(DutyTier::OutOfScope) => "report-tier-out-of-scope",
        Some(DutyTier::Standard) => "report-tier-standard",
        Some(DutyTier::Enhanced) => "report-tier-enhanced",
    })
}

fn band_text(band: RiskBand, labels: &dyn Labels) -> String {
    labels.text(&format!("report-band-{}", band.as_str()))
}

fn factor_text(factor: Factor, labels: &dyn Labels) -> String {
    labels.text(&format!("report-factor-{}", factor.as_str()))
}

/// A threat's name in the reader's language: the title of its scenario section.
pub fn threat_title(questionnaire: &Questionnaire, threat: Threat, labels: &dyn Labels) -> String {
    questionnaire
        .sections
        .iter()
        .find(|section| section.step == Step::Scenario { threat })
        .map_or_else(
            || threat.as_str().replace('_', " "),
            |section| section.title.get(labels.language()).to_string(),
        )
}

fn site_facts(site: &Site, tier: Option<DutyTier>, labels: &dyn Labels) -> Vec<KeyValue> {
    let draft = &site.draft;
    let mut facts = vec![
        KeyValue::new(
            labels.text("report-col-kind"),
            labels.text(&format!("kind-{}", draft.kind.as_str())),
        ),
        KeyValue::new(
            labels.text("report-area"),
            format!("{:.0} m²", draft.polygon.area_m2()),
        ),
        KeyValue::new(
            labels.text("report-col-capacity"),
            capacity_text(draft.capacity),
        ),
    ];
    if !draft.operators.is_empty() {
        facts.push(KeyValue::new(
            labels.text("report-operators"),
            draft.operators.join(", "),
        ));
    }
    if let Some(hours) = &draft.opening_hours {
        facts.push(KeyValue::new(
            labels.text("report-opening-hours"),
            hours.clone(),
        ));
    }
    if let Some(source) = &draft.source {
        facts.push(KeyValue::new(labels.text("report-source"), source.clone()));
    }
    facts.push(KeyValue::new(
        labels.text("report-col-tier"),
        format!(
            "{} — {}",
            tier_text(tier, labels),
            labels.text("report-tier-not-risk")
        ),
    ));
    facts
}

fn ring(points: &geo::LineString<f64>) -> Vec<[f64; 2]> {
    points.0.iter().map(|point| [point.x, point.y]).collect()
}

fn site_features(site: &Site, fill: Rgb, label: Option<String>) -> Vec<MapFeature> {
    site.draft
        .polygon
        .as_geo()
        .0
        .iter()
        .enumerate()
        .map(|(index, polygon)| MapFeature {
            geometry: Geometry::Polygon {
                exterior: ring(polygon.exterior()),
                holes: polygon.interiors().iter().map(ring).collect(),
            },
            style: Style {
                stroke_width_pt: 1.5,
                ..Style::area(fill, SITE_OUTLINE)
            },
            label: if index == 0 { label.clone() } else { None },
        })
        .collect()
}

type Bounds = (f64, f64, f64, f64);

/// How far around a site its map shows the surroundings.
const SITE_MAP_MARGIN_M: f64 = 60.0;

/// A (min_lon, min_lat, max_lon, max_lat) box grown by `margin_m` on every side.
fn grown(bounds: Bounds, margin_m: f64) -> Bounds {
    let lat_margin = margin_m / 111_320.0;
    let mid_lat = (bounds.1 + bounds.3) / 2.0;
    let lon_margin = margin_m / (111_320.0 * mid_lat.to_radians().cos().max(0.1));
    (
        bounds.0 - lon_margin,
        bounds.1 - lat_margin,
        bounds.2 + lon_margin,
        bounds.3 + lat_margin,
    )
}

/// How far around a site the vehicle-approach map reaches: the last few hundred metres of each
/// approach, where barriers go; longer run-ups are in the table's figures.
const HVM_MAP_MARGIN_M: f64 = 250.0;

/// The part of the segment `from`-`to` inside `bounds` (Liang-Barsky), if any.
fn clip_segment(bounds: Bounds, from: [f64; 2], to: [f64; 2]) -> Option<[[f64; 2]; 2]> {
    let delta = [to[0] - from[0], to[1] - from[1]];
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    let edges = [
        (-delta[0], from[0] - bounds.0),
        (delta[0], bounds.2 - from[0]),
        (-delta[1], from[1] - bounds.1),
        (delta[1], bounds.3 - from[1]),
    ];
    for (p, q) in edges {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                enter = enter.max(t);
            } else {
                leave = leave.min(t);
            }
        }
    }
    (enter <= leave).then(|| {
        let at = |t: f64| [from[0] + t * delta[0], from[1] + t * delta[1]];
        [at(enter), at(leave)]
    })
}

/// Buildings, pedestrian areas, streets and barriers that lie within `bounds`, in grey, for
/// orientation.
fn basemap_features(basemap: &[BasemapFeature], bounds: Bounds) -> Vec<MapFeature> {
    let mut features = Vec::new();
    for layer in [
        BasemapLayer::Landuse,
        BasemapLayer::PedestrianArea,
        BasemapLayer::Building,
        BasemapLayer::Road,
        BasemapLayer::Path,
        BasemapLayer::Barrier,
    ] {
        let style = match layer {
            BasemapLayer::Landuse => {
                Style::area(Rgb::new(0xdd, 0xed, 0xdd), Rgb::new(0xc4, 0xdc, 0xc4))
            }
            BasemapLayer::PedestrianArea => {
                Style::area(Rgb::new(0xf3, 0xee, 0xdf), Rgb::new(0xd8, 0xcf, 0xb4))
            }
            BasemapLayer::Building => {
                Style::area(Rgb::new(0xdc, 0xd6, 0xd0), Rgb::new(0xb5, 0xad, 0xa5))
            }
            BasemapLayer::Road => Style::line(Rgb::new(0xa0, 0xa0, 0xa0), 2.0),
            BasemapLayer::Path => Style::line(Rgb::new(0xc9, 0xb8, 0x96), 0.8),
            BasemapLayer::Barrier => Style {
                marker_size_pt: 2.5,
                ..Style::point(Rgb::new(0x1f, 0x3a, 0x93), MarkerShape::Square)
            },
            BasemapLayer::Rail => Style::line(Rgb::new(0x55, 0x55, 0x55), 0.8),
        };
        // Only what lies within the frame: a park or a river that reaches far beyond it would
        // otherwise widen the map until the site is a dot.
        let touches = |feature: &&BasemapFeature| {
            let (min_lon, min_lat, max_lon, max_lat) = feature.bounding_box;
            min_lon >= bounds.0 && max_lon <= bounds.2 && min_lat >= bounds.1 && max_lat <= bounds.3
        };
        for feature in basemap
            .iter()
            .filter(|feature| feature.layer == layer)
            .filter(touches)
        {
            for geometry in geometries(&feature.geometry.value) {
                features.push(MapFeature {
                    geometry,
                    style,
                    label: None,
                });
            }
        }
    }
    features
}

fn geometries(value: &geojson::GeometryValue) -> Vec<Geometry> {
    let position = |p: &geojson::Position| [p[0], p[1]];
    let polygon = |rings: &Vec<Vec<geojson::Position>>| Geometry::Polygon {
        exterior: rings
            .first()
            .map(|ring| ring.iter().map(position).collect())
            .unwrap_or_default(),
        holes: rings
            .iter()
            .skip(1)
            .map(|ring| ring.iter().map(position).collect())
            .collect(),
    };
    match value {
        geojson::GeometryValue::Point { coordinates } => {
            vec![Geometry::Point(position(coordinates))]
        }
        geojson::GeometryValue::LineString { coordinates } => {
            vec![Geometry::Polyline(
                coordinates.iter().map(position).collect(),
            )]
        }
        geojson::GeometryValue::MultiLineString { coordinates } => coordinates
            .iter()
            .map(|line| Geometry::Polyline(line.iter().map(position).collect()))
            .collect(),
        geojson::GeometryValue::Polygon { coordinates } => vec![polygon(coordinates)],
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().map(polygon).collect()
        }
        _ => Vec::new(),
    }
}

fn site_map(inputs: &SiteReportInputs<'_>, labels: &dyn Labels) -> Map {
    let bounds = grown(inputs.site.draft.polygon.bounding_box(), SITE_MAP_MARGIN_M);
    let mut features = basemap_features(inputs.basemap, bounds);
    features.extend(site_features(inputs.site, SITE_FILL, None));
    Map {
        caption: Some(labels.text_with(
            "report-site-map",
            &[("name", inputs.site.draft.name.clone())],
        )),
        coordinates: report::Coordinates::LonLatDegrees,
        features,
        height_pt: 300.0,
    }
}

fn site_map_legend(labels: &dyn Labels) -> Legend {
    Legend {
        title: None,
        items: vec![
            LegendItem {
                label: labels.text("report-legend-site"),
                symbol: LegendSymbol::Area(SITE_FILL),
            },
            LegendItem {
                label: labels.text("report-legend-building"),
                symbol: LegendSymbol::Area(Rgb::new(0xdc, 0xd6, 0xd0)),
            },
            LegendItem {
                label: labels.text("report-legend-street"),
                symbol: LegendSymbol::Line(Rgb::new(0xa0, 0xa0, 0xa0)),
            },
            LegendItem {
                label: labels.text("report-legend-barrier"),
                symbol: LegendSymbol::Marker(Rgb::new(0x1f, 0x3a, 0x93), MarkerShape::Square),
            },
        ],
    }
}

fn risk_blocks(
    assessment: &ReportAssessment<'_>,
    questionnaire: &Questionnaire,
    labels: &dyn Labels,
) -> Vec<Block> {
    let scored = assessment.scored;
    let mut blocks = vec![Block::paragraph(&labels.text_with(
        "report-risk-intro",
        &[("assessment", assessment.label.clone())],
    ))];
    let value = |score: &Option<FactorScore>| -> Cell {
        score
            .as_ref()
            .map_or_else(|| Cell::from(String::new()), |score| score.value.into())
    };
    let rows = scored
        .threats
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::from(threat_title(questionnaire, row.threat, labels)),
                value(&row.threat_likelihood),
                value(&row.vulnerability),
                value(&row.consequence),
            ];
            match row.risk {
                Some(risk) => {
                    cells.push(Cell::from(risk.value).with_fill(band_colour(risk.band)));
                    cells.push(band_text(risk.band, labels).into());
                }
                None => {
                    cells.push(Cell::from(String::new()));
                    cells.push(labels.text("report-not-scored").into());
                }
            }
            if matches!(row.risk, Some(risk) if risk.band == RiskBand::High) {
                Row::highlighted(cells)
            } else {
                Row::new(cells)
            }
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: Some(labels.text("report-risk-table")),
        columns: vec![
            Column::text(labels.text("report-col-threat")),
            Column::number("T", 1),
            Column::number("V", 1),
            Column::number("C", 1),
            Column::number(labels.text("report-col-risk"), 0),
            Column::text(labels.text("report-col-band")),
        ],
        rows,
    }));
    let scored_rows: Vec<_> = scored
        .threats
        .iter()
        .filter_map(|row| row.risk.map(|risk| (row.threat, risk)))
        .collect();
    if !scored_rows.is_empty() {
        blocks.push(Block::Chart(Chart {
            caption: Some(labels.text("report-risk-chart")),
            height_pt: 190.0,
            kind: ChartKind::Bar(BarChart {
                categories: scored_rows
                    .iter()
                    .map(|(threat, _)| threat_title(questionnaire, *threat, labels))
                    .collect(),
                values: scored_rows.iter().map(|(_, risk)| risk.value).collect(),
                colours: scored_rows
                    .iter()
                    .map(|(_, risk)| band_colour(risk.band))
                    .collect(),
                value_axis_title: Some(labels.text("report-risk-axis")),
                value_labels: Some(0),
            }),
        }));
    }

    blocks.push(Block::heading(2, labels.text("report-explanations")));
    blocks.push(Block::paragraph(&labels.text("report-explanations-intro")));
    for row in scored.threats.iter().filter(|row| row.risk.is_some()) {
        blocks.push(Block::heading(
            3,
            threat_title(questionnaire, row.threat, labels),
        ));
        let mut rows = Vec::new();
        for score in [&row.threat_likelihood, &row.vulnerability, &row.consequence]
            .into_iter()
            .flatten()
        {
            for contribution in &score.contributions {
                let (source, detail) = contribution_text(contribution, questionnaire, labels);
                let cells = vec![
                    Cell::from(factor_text(score.factor, labels)),
                    Cell::from(score.value),
                    Cell::from(source),
                    Cell::from(detail),
                ];
                rows.push(if matches!(contribution, Contribution::Override { .. }) {
                    Row::highlighted(cells)
                } else {
                    Row::new(cells)
                });
            }
        }
        blocks.push(Block::Table(Table {
            caption: None,
            columns: vec![
                Column::text(labels.text("report-col-factor")),
                Column::number(labels.text("report-col-value"), 1),
                Column::text(labels.text("report-col-source")),
                Column::text(labels.text("report-col-detail")),
            ],
            rows,
        }));
    }
    blocks
}

/// What one contribution was, as (source, detail) for the explanation table.
pub fn contribution_text(
    contribution: &Contribution,
    questionnaire: &Questionnaire,
    labels: &dyn Labels,
) -> (String, String) {
    let number = |value: f64| format!("{value:.1}");
    match contribution {
        Contribution::Answer {
            question,
            grade,
            weight,
            score,
        } => {
            let found = questionnaire.question(question);
            let text = found.map_or_else(
                || question.to_string(),
                |q| q.text.get(labels.language()).to_string(),
            );
            // The meaning of the grade chosen, so the line reads without the questionnaire.
            let level = found
                .and_then(|q| q.level(*grade))
                .map(|level| level.description.get(labels.language()).to_string())
                .unwrap_or_default();
            (
                labels.text_with(
                    "report-source-answer",
                    &[("question", question.to_string())],
                ),
                labels.text_with(
                    "report-detail-answer",
                    &[
                        ("text", text),
                        ("grade", grade.to_string()),
                        ("level", level),
                        ("score", number(*score)),
                        ("weight", number(*weight)),
                    ],
                ),
            )
        }
        Contribution::ThreatLikelihood { value } => (
            labels.text("report-source-likelihood"),
            labels.text_with("report-detail-likelihood", &[("value", number(*value))]),
        ),
        Contribution::HvmImpactSpeed {
            open_entry,
            speed_kmh,
            floor,
        } => (
            labels.text("report-source-hvm"),
            labels.text_with(
                "report-detail-hvm-speed",
                &[
                    ("entry", open_entry.clone()),
                    ("speed", format!("{speed_kmh:.0}")),
                    ("floor", number(*floor)),
                ],
            ),
        ),
        Contribution::HvmImpactEnergy {
            open_entry,
            energy_kj,
            floor,
        } => (
            labels.text("report-source-hvm"),
            labels.text_with(
                "report-detail-hvm-energy",
                &[
                    ("entry", open_entry.clone()),
                    ("energy", format!("{energy_kj:.0}")),
                    ("floor", number(*floor)),
                ],
            ),
        ),
        Contribution::CrowdPeakDensity {
            density_persons_per_m2,
            floor,
        } => (
            labels.text("report-source-crowd"),
            labels.text_with(
                "report-detail-crowd-density",
                &[
                    ("density", format!("{density_persons_per_m2:.1}")),
                    ("floor", number(*floor)),
                ],
            ),
        ),
        Contribution::CrowdEvacuationTime { time_s, floor } => (
            labels.text("report-source-crowd"),
            labels.text_with(
                "report-detail-crowd-evacuation",
                &[("time", format!("{time_s:.0}")), ("floor", number(*floor))],
            ),
        ),
        Contribution::Override {
            value,
            justification,
        } => (
            labels.text("report-source-override"),
            labels.text_with(
                "report-detail-override",
                &[
                    ("value", number(*value)),
                    ("justification", justification.clone()),
                ],
            ),
        ),
    }
}

fn hvm_blocks(
    site: &Site,
    basemap: &[BasemapFeature],
    hvm: ReportHvmStudy<'_>,
    labels: &dyn Labels,
) -> Vec<Block> {
    let summary = hvm.result.summary();
    let entries = hvm.result.entry_reports();
    let map_hash = hvm.study.study.map_sha256.as_deref().unwrap_or("—");
    let mut blocks = vec![Block::paragraph(
        &labels.text_with(
            "report-hvm-intro",
            &[
                ("study", hvm.study.id.to_string()),
                ("date", hvm.study.created_at.format("%Y-%m-%d").to_string()),
                ("engine", hvm.study.study.engine_version.clone()),
                ("map", map_hash.chars().take(12).collect()),
                ("entries", summary.entries.to_string()),
                ("open", summary.open_entries.to_string()),
                (
                    "vehicles",
                    hvm.result
                        .vehicles
                        .iter()
                        .map(|vehicle| vehicle.code.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
    )];
    if let Some(worst) = &summary.most_energetic {
        blocks.push(Block::paragraph(&labels.text_with(
            "report-hvm-worst",
            &[
                ("entry", worst.entry.clone()),
                ("vehicle", worst.vehicle.clone()),
                ("speed", format!("{:.0}", worst.speed_kmh)),
                ("energy", format!("{:.0}", worst.energy_kj)),
                ("rating", worst.required_rating.clone()),
            ],
        )));
    }
    blocks.push(Block::Map(hvm_map(site, basemap, &entries, labels)));
    blocks.push(Block::Legend(Legend {
        title: Some(labels.text("report-hvm-legend")),
        items: SPEED_BANDS
            .iter()
            .scan(0.0, |from, (below, colour)| {
                let label = if below.is_finite() {
                    format!("{from:.0}–{below:.0} km/h")
                } else {
                    format!("{from:.0}+ km/h")
                };
                *from = *below;
                Some(LegendItem {
                    label,
                    symbol: LegendSymbol::Line(*colour),
                })
            })
            .collect(),
    }));
    let rows = entries
        .iter()
        .map(|entry| {
            let street = entry.way_name.clone().unwrap_or_else(|| entry.way.clone());
            match entry.most_energetic() {
                Some((vehicle, approach)) => Row::new(vec![
                    entry.entry.clone().into(),
                    street.into(),
                    entry.width_m.into(),
                    vehicle.vehicle.clone().into(),
                    Cell::from(approach.speed_kmh).with_fill(speed_colour(approach.speed_kmh)),
                    approach.energy_kj.into(),
                    approach.required_rating.clone().into(),
                ]),
                None => Row::new(vec![
                    entry.entry.clone().into(),
                    street.into(),
                    entry.width_m.into(),
                    labels.text("report-hvm-closed").into(),
                    Cell::from(String::new()),
                    Cell::from(String::new()),
                    Cell::from(String::new()),
                ]),
            }
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: Some(labels.text("report-hvm-table")),
        columns: vec![
            Column::text(labels.text("report-col-entry")),
            Column::text(labels.text("report-col-street")),
            Column::number(labels.text("report-col-width"), 1),
            Column::text(labels.text("report-col-vehicle")),
            Column::number("km/h", 0),
            Column::number("kJ", 0),
            Column::text(labels.text("report-col-rating")),
        ],
        rows,
    }));
    blocks
}

fn hvm_map(
    site: &Site,
    basemap: &[BasemapFeature],
    entries: &[EntryReport],
    labels: &dyn Labels,
) -> Map {
    let bounds = grown(site.draft.polygon.bounding_box(), HVM_MAP_MARGIN_M);
    let mut features = basemap_features(basemap, bounds);
    features.extend(site_features(site, SITE_FILL, None));
    // Paths first, slowest vehicles first, so the fastest approach to each entry is on top; only
    // their stretches within the frame.
    let mut paths: Vec<(f64, Vec<[f64; 3]>)> = entries
        .iter()
        .flat_map(|entry| {
            entry
                .vehicles
                .iter()
                .filter_map(|vehicle| vehicle.approach.as_ref())
                .map(|approach| (approach.speed_kmh, approach.path.clone()))
        })
        .collect();
    paths.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, path) in &paths {
        for pair in path.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let Some([start, end]) = clip_segment(bounds, [from[0], from[1]], [to[0], to[1]])
            else {
                continue;
            };
            features.push(MapFeature {
                geometry: Geometry::Polyline(vec![start, end]),
                style: Style::line(speed_colour(to[2]), 2.0),
                label: None,
            });
        }
    }
    for entry in entries {
        let colour = entry
            .most_energetic()
            .map_or(Rgb::new(0x9e, 0x9e, 0x9e), |(_, approach)| {
                speed_colour(approach.speed_kmh)
            });
        features.push(MapFeature {
            geometry: Geometry::Point(entry.position),
            style: Style::point(colour, MarkerShape::Circle),
            label: Some(entry.entry.clone()),
        });
    }
    Map {
        caption: Some(labels.text("report-hvm-map")),
        coordinates: report::Coordinates::LonLatDegrees,
        features,
        height_pt: 360.0,
    }
}

fn measure_names(ids: &[risk::MeasureId], catalogue: &Catalogue, language: &str) -> String {
    if ids.is_empty() {
        return "—".to_string();
    }
    ids.iter()
        .map(|id| {
            catalogue.measure(id).map_or_else(
                || id.to_string(),
                |measure| measure.name.get(language).to_string(),
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A plan's letter in the front's table and chart: A, B, ... Z, AA, AB, ...
pub fn plan_letter(position: usize) -> String {
    let mut letters = String::new();
    let mut n = position + 1;
    while n > 0 {
        n -= 1;
        letters.insert(0, char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters
}

fn plan_blocks(plans: &PlanProposal, catalogue: &Catalogue, labels: &dyn Labels) -> Vec<Block> {
    let language = labels.language();
    let budget = plans.options.budget_eur.map_or_else(
        || labels.text("report-plans-no-budget"),
        |budget| format!("{budget} EUR"),
    );
    let mut blocks = vec![Block::paragraph(&labels.text_with(
        "report-plans-intro",
        &[
            ("front", plans.front.len().to_string()),
            ("candidates", plans.candidates.len().to_string()),
            ("budget", budget),
            ("years", plans.options.horizon_years.to_string()),
        ],
    ))];
    if !plans.front.is_empty() {
        blocks.push(Block::Chart(Chart {
            caption: Some(labels.text("report-plans-chart")),
            height_pt: 240.0,
            kind: ChartKind::Scatter(plan_scatter(plans, labels)),
        }));
    }
    let rows = plans
        .listed
        .iter()
        .enumerate()
        .map(|(position, &index)| {
            let plan = &plans.front[index];
            Row::new(vec![
                plan_letter(position).into(),
                measure_names(&plan.measures, catalogue, language).into(),
                plan.total_risk_after.into(),
                (100.0 * plan.risk_reduction() / plan.total_risk_before.max(f64::MIN_POSITIVE))
                    .into(),
                (plan.whole_life_cost_eur as f64).into(),
                i64::from(plan.openness_loss_points).into(),
            ])
        })
        .collect();
    blocks.push(Block::Table(plan_table(
        labels,
        labels.text("report-plans-table"),
        rows,
    )));
    if let Some(selected) = &plans.selected {
        blocks.push(Block::heading(2, labels.text("report-plans-selected")));
        blocks.push(Block::Table(plan_table(
            labels,
            labels.text("report-plans-selected"),
            vec![Row::highlighted(vec![
                "—".to_string().into(),
                measure_names(&selected.measures, catalogue, language).into(),
                selected.total_risk_after.into(),
                (100.0 * selected.risk_reduction()
                    / selected.total_risk_before.max(f64::MIN_POSITIVE))
                .into(),
                (selected.whole_life_cost_eur as f64).into(),
                i64::from(selected.openness_loss_points).into(),
            ])],
        )));
    }
    if !plans.hvm_links.is_empty() {
        blocks.push(Block::heading(2, labels.text("report-plans-hvm")));
        blocks.push(Block::paragraph(&labels.text("report-plans-hvm-intro")));
        let rows = plans
            .hvm_links
            .iter()
            .flat_map(|link| {
                let name = catalogue.measure(&link.measure).map_or_else(
                    || link.measure.to_string(),
                    |m| m.name.get(language).to_string(),
                );
                let rating = link.measure_rating.clone().unwrap_or_default();
                link.entries.iter().map(move |need| {
                    Row::new(vec![
                        name.clone().into(),
                        rating.clone().into(),
                        format!(
                            "{}{}",
                            need.entry,
                            need.way_name
                                .as_ref()
                                .map_or_else(String::new, |name| format!(" ({name})"))
                        )
                        .into(),
                        need.required_rating.clone().into(),
                    ])
                })
            })
            .collect();
        blocks.push(Block::Table(Table {
            caption: Some(labels.text("report-plans-hvm")),
            columns: vec![
                Column::text(labels.text("report-col-measure")),
                Column::text(labels.text("report-col-measure-rating")),
                Column::text(labels.text("report-col-entry")),
                Column::text(labels.text("report-col-rating")),
            ],
            rows,
        }));
    }
    blocks
}

fn plan_table(labels: &dyn Labels, caption: String, rows: Vec<Row>) -> Table {
    Table {
        caption: Some(caption),
        columns: vec![
            Column::text(labels.text("report-col-plan")),
            Column::text(labels.text("report-col-measures")),
            Column::number(labels.text("report-col-residual-risk"), 0),
            Column::number(labels.text("report-col-risk-removed"), 0),
            Column::number(labels.text("report-col-cost"), 0),
            Column {
                align: Align::Right,
                ..Column::number(labels.text("report-col-openness"), 0)
            },
        ],
        rows,
    }
}

/// The front as a chart: whole-life cost (thousand EUR) against residual risk, every plan a point;
/// the plans no other beats on both cost and risk drawn as the front, the listed ones lettered.
pub fn plan_scatter(plans: &PlanProposal, labels: &dyn Labels) -> ScatterChart {
    let points = plans
        .front
        .iter()
        .enumerate()
        .map(|(index, plan)| {
            let on_front = !plans.front.iter().any(|other| {
                other.whole_life_cost_eur <= plan.whole_life_cost_eur
                    && other.total_risk_after <= plan.total_risk_after
                    && (other.whole_life_cost_eur < plan.whole_life_cost_eur
                        || other.total_risk_after < plan.total_risk_after)
            });
            ScatterPoint {
                x: plan.whole_life_cost_eur as f64 / 1000.0,
                y: plan.total_risk_after,
                label: plans
                    .listed
                    .iter()
                    .position(|&listed| listed == index)
                    .map(plan_letter),
                on_front,
            }
        })
        .collect();
    ScatterChart {
        x_axis_title: Some(labels.text("report-plans-cost-axis")),
        y_axis_title: Some(labels.text("report-plans-risk-axis")),
        points,
        front_name: Some(labels.text("report-plans-front")),
    }
}

/// The file formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One self-contained HTML page (inline SVG, no external resources).
    Html,
    /// PDF 1.7 written by Agora itself.
    Pdf,
}

impl ReportFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

/// A report written to a file format.
#[derive(Debug, Clone)]
pub struct RenderedReport {
    /// A file name to save it under (`agora-site-marienplatz-2026-11-23.pdf`).
    pub file_name: String,
    /// The format.
    pub format: ReportFormat,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Pages (PDF only).
    pub page_count: Option<usize>,
    /// Characters the PDF's standard fonts cannot show and that were replaced (PDF only).
    pub replaced_characters: Vec<char>,
}

/// Writes a document in a format.
pub fn render(
    document: &Document,
    format: ReportFormat,
    file_stem: &str,
) -> Result<RenderedReport, AppError> {
    let file_name = format!(
        "{file_stem}-{}.{}",
        document.generated_at.format("%Y-%m-%d"),
        format.extension()
    );
    let internal = |error: report::Error| AppError::Internal(anyhow::anyhow!("report: {error}"));
    Ok(match format {
        ReportFormat::Html => RenderedReport {
            file_name,
            format,
            bytes: report::render_html(document)
                .map_err(internal)?
                .into_bytes(),
            page_count: None,
            replaced_characters: Vec::new(),
        },
        ReportFormat::Pdf => {
            let pdf = report::render_pdf(document).map_err(internal)?;
            RenderedReport {
                file_name,
                format,
                bytes: pdf.bytes,
                page_count: Some(pdf.page_count),
                replaced_characters: pdf.replaced_characters,
            }
        }
    })
}

/// The first eight characters of an id: enough to tell assessments of a site apart in print.
fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A file-name-safe form of a name: lower-case ASCII letters and digits joined by dashes.
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for character in name.chars().flat_map(char::to_lowercase) {
        let plain = match character {
            'ä' | 'à' | 'â' | 'á' => Some('a'),
            'ö' | 'ô' | 'ó' => Some('o'),
            'ü' | 'û' | 'ù' | 'ú' => Some('u'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'ç' => Some('c'),
            'î' | 'ï' | 'í' => Some('i'),
            'ß' => Some('s'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        };
        match plain {
            Some(c) => stem.push(c),
            None if !stem.ends_with('-') && !stem.is_empty() => stem.push('-'),
            None => {}
        }
    }
    stem.trim_end_matches('-').to_string()
}

/// The base map around a bounding box, with a margin, for report maps.
const REPORT_BASEMAP_LIMIT: usize = 6000;

/// A stored assessment, scored, as reports and plans read it.
#[derive(Debug, Clone)]
pub struct AssessmentForReport {
    /// "assessment 3, final, 2026-11-23, by ana".
    pub label: String,
    /// The scores.
    pub scored: Assessment,
    /// Its marking.
    pub marking: Marking,
    /// The plan request kept with it (budget, chosen measures), or the default.
    pub plan_request: PlanRequest,
}

impl App {
    /// The assessment a site report and plans show: the newest one, final or draft (a draft is
    /// labelled as such).
    pub(crate) async fn assessment_for_report(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Option<AssessmentForReport>, AppError> {
        let found = self.latest_assessment(actor, site_id).await?;
        Ok(match found {
            Some(stored) => Some(self.for_report(actor, stored).await?),
            None => None,
        })
    }

    /// The latest final assessment of a site, for the city report.
    async fn final_assessment_for_report(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Option<AssessmentForReport>, AppError> {
        let found = self.latest_final_assessment(actor, site_id).await?;
        Ok(match found {
            Some(stored) => Some(self.for_report(actor, stored).await?),
            None => None,
        })
    }

    async fn for_report(
        &self,
        actor: &Actor,
        stored: StoredAssessment,
    ) -> Result<AssessmentForReport, AppError> {
        let assessor = match stored
            .finalised_by
            .or(stored.updated_by)
            .or(stored.created_by)
        {
            Some(id) => self
                .store
                .user(id)
                .await?
                .filter(|user| user.organisation_id == actor.organisation_id())
                .map(|user| user.username),
            None => None,
        };
        let label = match (stored.finalised_at, stored.is_final()) {
            (Some(at), true) => format!(
                "assessment {} (final, {}{})",
                short_id(&stored.id.to_string()),
                at.format("%Y-%m-%d"),
                assessor.map_or_else(String::new, |name| format!(", {name}"))
            ),
            _ => format!(
                "assessment {} (DRAFT, saved {}{})",
                short_id(&stored.id.to_string()),
                stored.updated_at.format("%Y-%m-%d"),
                assessor.map_or_else(String::new, |name| format!(", {name}"))
            ),
        };
        Ok(AssessmentForReport {
            label,
            marking: report_marking(stored.marking),
            scored: stored.scored,
            plan_request: PlanRequest::default(),
        })
    }

    /// The base-map features within `margin_m` of a (min_lon, min_lat, max_lon, max_lat) box.
    async fn basemap_around(
        &self,
        bounds: Bounds,
        margin_m: f64,
    ) -> Result<Vec<BasemapFeature>, AppError> {
        let (min_lon, min_lat, max_lon, max_lat) = grown(bounds, margin_m);
        Ok(self
            .store
            .basemap_features(
                store::BoundingBox {
                    min_lon,
                    min_lat,
                    max_lon,
                    max_lat,
                },
                REPORT_BASEMAP_LIMIT,
            )
            .await?)
    }

    async fn organisation_name(&self, actor: &Actor) -> Result<String, AppError> {
        Ok(self
            .store
            .organisation(actor.organisation_id())
            .await?
            .map_or_else(
                || actor.organisation_id().to_string(),
                |organisation| organisation.name,
            ))
    }

    /// The site report of a site, in a format, in the language of `labels`.
    pub async fn site_report(
        &self,
        actor: &Actor,
        site_id: SiteId,
        labels: &dyn Labels,
        format: ReportFormat,
    ) -> Result<RenderedReport, AppError> {
        let site = self.site(actor, site_id).await?;
        let organisation = self.organisation_name(actor).await?;
        let hvm = self.latest_hvm_study(actor, site_id).await?;
        let assessment = self.assessment_for_report(actor, site_id).await?;
        let questionnaire = risk::shipped_questionnaire();
        let catalogue = risk::shipped_catalogue();
        let entries = hvm.as_ref().map(|(_, result)| result.entry_reports());
        let plans = match &assessment {
            Some(found) if !found.scored.scored_factors().is_empty() => Some(propose_plans(
                &found.scored,
                &catalogue,
                entries.as_deref(),
                &found.plan_request,
            )?),
            _ => None,
        };
        let margin = if hvm.is_some() {
            HVM_MAP_MARGIN_M
        } else {
            SITE_MAP_MARGIN_M
        };
        let basemap = self
            .basemap_around(site.draft.polygon.bounding_box(), margin)
            .await?;
        let inputs = SiteReportInputs {
            site: &site,
            organisation: &organisation,
            basemap: &basemap,
            assessment: assessment.as_ref().map(|found| ReportAssessment {
                label: found.label.clone(),
                scored: &found.scored,
                marking: found.marking,
            }),
            hvm: hvm
                .as_ref()
                .map(|(study, result)| ReportHvmStudy { study, result }),
            plans: plans.as_ref(),
            questionnaire: &questionnaire,
            catalogue: &catalogue,
            duty_tier: crate::site_duty_tier(&site),
            generated_at: Utc::now(),
        };
        let document = site_report(&inputs, labels);
        render(
            &document,
            format,
            &format!("agora-site-{}", file_stem(&site.draft.name)),
        )
    }

    /// The city report of the actor's organisation.
    pub async fn city_report(
        &self,
        actor: &Actor,
        labels: &dyn Labels,
        format: ReportFormat,
    ) -> Result<RenderedReport, AppError> {
        let organisation = self.organisation_name(actor).await?;
        let sites = self.list_sites(actor).await?;
        let mut found = Vec::new();
        for site in &sites {
            found.push(self.final_assessment_for_report(actor, site.id).await?);
        }
        let rows: Vec<CityReportSite<'_>> = sites
            .iter()
            .zip(&found)
            .map(|(site, assessment)| CityReportSite {
                site,
                assessment: assessment.as_ref().map(|found| ReportAssessment {
                    label: found.label.clone(),
                    scored: &found.scored,
                    marking: found.marking,
                }),
                duty_tier: crate::site_duty_tier(site),
            })
            .collect();
        let bounds = sites
            .iter()
            .map(|site| site.draft.polygon.bounding_box())
            .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)));
        let basemap = match bounds {
            Some(bounds) => self.basemap_around(bounds, 30.0).await?,
            None => Vec::new(),
        };
        let questionnaire = risk::shipped_questionnaire();
        let document = city_report(
            &organisation,
            &rows,
            &questionnaire,
            &basemap,
            Utc::now(),
            labels,
        );
        render(
            &document,
            format,
            &format!("agora-city-{}", file_stem(&organisation)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_letters_run_like_spreadsheet_columns() {
        assert_eq!(plan_letter(0), "A");
        assert_eq!(plan_letter(25), "Z");
        assert_eq!(plan_letter(26), "AA");
        assert_eq!(plan_letter(27), "AB");
    }

    #[test]
    fn segments_are_clipped_to_the_frame() {
        let frame = (0.0, 0.0, 10.0, 10.0);
        assert_eq!(
            clip_segment(frame, [-5.0, 5.0], [5.0, 5.0]),
            Some([[0.0, 5.0], [5.0, 5.0]])
        );
        assert_eq!(
            clip_segment(frame, [2.0, 2.0], [3.0, 3.0]),
            Some([[2.0, 2.0], [3.0, 3.0]])
        );
        assert_eq!(clip_segment(frame, [-5.0, -5.0], [-1.0, 20.0]), None);
        let [start, end] = clip_segment(frame, [-10.0, -10.0], [20.0, 20.0]).unwrap();
        assert_eq!((start, end), ([0.0, 0.0], [10.0, 10.0]));
    }

    #[test]
    fn speed_colours_change_at_the_nominal_test_speeds() {
        assert_eq!(speed_colour(15.9), SPEED_BANDS[0].1);
        assert_eq!(speed_colour(16.0), SPEED_BANDS[1].1);
        assert_eq!(speed_colour(48.0), SPEED_BANDS[3].1);
        assert_eq!(speed_colour(79.9), SPEED_BANDS[4].1);
        assert_eq!(speed_colour(170.0), SPEED_BANDS[5].1);
    }
}
