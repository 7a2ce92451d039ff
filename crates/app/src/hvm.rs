//! Hostile-vehicle studies: run the `vehicle_approach` engine on a site's real street network, keep
//! the study with everything needed to reproduce it, and present its findings (tables, GeoJSON).
//!
//! The engine works in the map's local metric frame; this module projects the site outline (and
//! the user's temporary barriers and openings) into that frame, and the engine's positions back to
//! WGS84 for maps. A study stores the engine's own result (`analysis`, in metres) with the frame
//! origin, so every figure shown can be traced to the engine output it came from.

use std::sync::Arc;

use anyhow::Context;
use domain::{Site, SiteId, SitePolygon, Study, StudyId, StudyKind};
use osm_import::OsmExtract;
use serde::{Deserialize, Serialize};
use street_network::{LocalFrame, MetricPoint, StreetNetwork};
use vehicle_approach as engine;

use crate::studies::StudyRecord;
use crate::{Actor, App, AppError};

/// The engine and its version, as recorded with every study.
pub fn hvm_engine_version() -> String {
    format!("vehicle_approach {}", env!("CARGO_PKG_VERSION"))
}

/// Whether the hostile driver obeys one-way and access rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HvmRules {
    /// Every physically drivable surface, in both directions (the default).
    #[default]
    WorstCase,
    /// Only where, and in the direction, a motorist may drive.
    Compliant,
}

impl std::str::FromStr for HvmRules {
    type Err = AppError;
    fn from_str(text: &str) -> Result<HvmRules, AppError> {
        match text {
            "worst_case" | "worst-case" => Ok(HvmRules::WorstCase),
            "compliant" => Ok(HvmRules::Compliant),
            other => Err(AppError::Invalid(format!(
                "rules: unknown value `{other}`; expected worst_case or compliant"
            ))),
        }
    }
}

/// A barrier the user adds for a study (an event's temporary barriers), in WGS84.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedBarrier {
    /// What it is: bollard, block, jersey_barrier, planter, wall, gate, fence, ...
    pub kind: String,
    /// Its impact rating, e.g. `V/7200[N2A]/48/90:8.3/0.0`, when it has one.
    #[serde(default)]
    pub rating: Option<String>,
    /// The line it stands along, `[[lon, lat], ...]` (at least two points); one point is a
    /// free-standing obstacle.
    pub line: Vec<[f64; 2]>,
}

/// A gap the user opens in the protection (an emergency lane, bollards out for maintenance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedOpening {
    /// Centre of the gap, `[lon, lat]`.
    pub at: [f64; 2],
    /// Clear width, m.
    pub width_m: f64,
}

/// What a user asks of a hostile-vehicle study.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HvmRequest {
    /// Vehicle class codes (M1, N1G, N1, N2A, N3C, N3D, N3-30t, N3-40t...); empty means all.
    #[serde(default)]
    pub vehicles: Vec<String>,
    /// Traffic rules the driver obeys.
    #[serde(default)]
    pub rules: HvmRules,
    /// Temporary barriers to add.
    #[serde(default)]
    pub added_barriers: Vec<AddedBarrier>,
    /// Openings to make.
    #[serde(default)]
    pub openings: Vec<AddedOpening>,
}

/// Temporary barriers and openings, as the CLI's `--changes` file and the web form carry them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HvmChanges {
    /// Barriers to add.
    #[serde(default)]
    pub added_barriers: Vec<AddedBarrier>,
    /// Openings to make.
    #[serde(default)]
    pub openings: Vec<AddedOpening>,
}

/// A map loaded for analysis: the city model and the engine's network built from it once.
pub struct LoadedMap {
    /// SHA-256 of the extract's bytes (the map source).
    pub sha256: String,
    /// The city model.
    pub street: StreetNetwork,
    /// The engine's input built from it, prepared once for every study on this map (the engine
    /// caches one network-wide search per vehicle inside it).
    pub prepared: engine::PreparedNetwork,
    /// What the conversion left out, for the study's diagnostics.
    pub conversion_notes: Vec<engine::Diagnostic>,
}

impl LoadedMap {
    /// Builds the engine's network from an imported extract.
    pub fn new(sha256: String, extract: OsmExtract) -> LoadedMap {
        let (network, conversion_notes) = engine::network_from_street_network(&extract.network);
        LoadedMap {
            sha256,
            street: extract.network,
            prepared: engine::PreparedNetwork::new(&network),
            conversion_notes,
        }
    }
}

/// The result of a study as stored: the engine's analysis in the map frame, the frame to put it
/// back on the globe, and the vehicle classes with the figures the physics used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmResult {
    /// Longitude and latitude of the map frame's origin.
    pub frame_origin: [f64; 2],
    /// The vehicle classes analysed, in order.
    pub vehicles: Vec<engine::VehicleClass>,
    /// Names of the ways entries lie on, by way id (from the map's `name` tags).
    pub way_names: std::collections::BTreeMap<i64, String>,
    /// The engine's output.
    pub analysis: engine::Analysis,
}

/// Headline figures of a study (kept beside it for lists and dashboards).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmSummary {
    /// Entry points found.
    pub entries: usize,
    /// Entries at least one analysed vehicle can get through.
    pub open_entries: usize,
    /// The fastest impact over all open entries and vehicles.
    pub fastest: Option<HvmWorstImpact>,
    /// The most energetic impact over all open entries and vehicles.
    pub most_energetic: Option<HvmWorstImpact>,
}

/// One vehicle's impact at one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmWorstImpact {
    /// Entry label (E1, E2, ... in the analysis' order).
    pub entry: String,
    /// Vehicle class code.
    pub vehicle: String,
    /// Impact speed, km/h.
    pub speed_kmh: f64,
    /// Kinetic energy, kJ.
    pub energy_kj: f64,
    /// The barrier rating that would stop it.
    pub required_rating: String,
}

/// The label users see for the entry at `index` (E1, E2, ...).
pub fn entry_label(index: usize) -> String {
    format!("E{}", index + 1)
}

/// A rating requirement in words: the rating string, "none" or why it is beyond the standards.
pub fn rating_requirement_text(requirement: &engine::RatingRequirement) -> String {
    match requirement {
        engine::RatingRequirement::Rating(rating) => rating.to_string(),
        engine::RatingRequirement::None => "none".into(),
        engine::RatingRequirement::BeyondStandard { reason } => {
            format!("beyond the test standards: {reason}")
        }
    }
}

/// An entry status in words.
pub fn entry_status_text(status: engine::EntryStatus) -> &'static str {
    match status {
        engine::EntryStatus::Open => "open",
        engine::EntryStatus::ClosedByBarriers => "closed by barriers",
        engine::EntryStatus::TooNarrow => "too narrow",
        engine::EntryStatus::NotPermitted => "not permitted",
        engine::EntryStatus::Unreachable => "unreachable",
    }
}

impl HvmResult {
    /// The headline figures.
    pub fn summary(&self) -> HvmSummary {
        let mut impacts = Vec::new();
        let mut open_entries = 0;
        for (index, entry) in self.analysis.entries.iter().enumerate() {
            let mut open = false;
            for result in &entry.vehicles {
                if let Some(approach) = &result.approach {
                    open = true;
                    impacts.push(HvmWorstImpact {
                        entry: entry_label(index),
                        vehicle: result.vehicle.clone(),
                        speed_kmh: approach.impact_speed_kmh,
                        energy_kj: approach.kinetic_energy_kj,
                        required_rating: rating_requirement_text(&approach.required_rating),
                    });
                }
            }
            open_entries += usize::from(open);
        }
        // Ties keep the first in analysis order, so the summary is deterministic.
        let pick = |key: fn(&HvmWorstImpact) -> f64| {
            impacts
                .iter()
                .fold(None::<&HvmWorstImpact>, |best, impact| match best {
                    Some(best) if key(best) >= key(impact) => Some(best),
                    _ => Some(impact),
                })
                .cloned()
        };
        HvmSummary {
            entries: self.analysis.entries.len(),
            open_entries,
            fastest: pick(|impact| impact.speed_kmh),
            most_energetic: pick(|impact| impact.energy_kj),
        }
    }

    fn frame(&self) -> LocalFrame {
        LocalFrame::new(self.frame_origin[0], self.frame_origin[1])
    }

    /// The findings as a GeoJSON FeatureCollection in WGS84, built from [`Self::entry_reports`]:
    /// one Point per entry (with every vehicle's figures, and the most energetic open approach's
    /// vehicle, speed, energy and required rating), and one LineString per open approach (with
    /// the speed at each vertex, km/h, in `speeds_kmh`).
    pub fn to_geojson(&self) -> geojson::FeatureCollection {
        let mut features = Vec::new();
        for entry in self.entry_reports() {
            let mut properties = serde_json::Map::new();
            properties.insert("feature".into(), "entry".into());
            properties.insert("entry".into(), entry.entry.clone().into());
            properties.insert("way".into(), entry.way.clone().into());
            properties.insert("way_name".into(), entry.way_name.clone().into());
            properties.insert(
                "way_kind".into(),
                serde_json::to_value(entry.way_kind).unwrap_or_default(),
            );
            properties.insert("across_open_area".into(), entry.across_open_area.into());
            properties.insert("width_m".into(), entry.width_m.into());
            properties.insert(
                "width_source".into(),
                serde_json::to_value(entry.width_source).unwrap_or_default(),
            );
            let worst = entry.most_energetic();
            properties.insert("open".into(), worst.is_some().into());
            if let Some((vehicle, approach)) = worst {
                properties.insert("worst_vehicle".into(), vehicle.vehicle.clone().into());
                properties.insert("max_speed_kmh".into(), approach.speed_kmh.into());
                properties.insert("max_energy_kj".into(), approach.energy_kj.into());
                properties.insert(
                    "required_rating".into(),
                    approach.required_rating.clone().into(),
                );
            }
            properties.insert(
                "vehicles".into(),
                entry.vehicles.iter().map(vehicle_properties).collect(),
            );
            let [lon, lat] = entry.position;
            features.push(feature(
                geojson::GeometryValue::from(&geo::Point::new(lon, lat)),
                properties,
            ));
            for vehicle in &entry.vehicles {
                let Some(approach) = &vehicle.approach else {
                    continue;
                };
                let mut properties = serde_json::Map::new();
                properties.insert("feature".into(), "approach".into());
                properties.insert("entry".into(), entry.entry.clone().into());
                properties.insert("vehicle".into(), vehicle.vehicle.clone().into());
                properties.insert("speed_kmh".into(), approach.speed_kmh.into());
                properties.insert("energy_kj".into(), approach.energy_kj.into());
                properties.insert("run_up_m".into(), approach.run_up_m.into());
                properties.insert(
                    "speeds_kmh".into(),
                    approach
                        .path
                        .iter()
                        .map(|[_, _, speed_kmh]| *speed_kmh)
                        .collect::<Vec<f64>>()
                        .into(),
                );
                features.push(feature(
                    geojson::GeometryValue::from(&geo::LineString::from(
                        approach
                            .path
                            .iter()
                            .map(|[lon, lat, _]| (*lon, *lat))
                            .collect::<Vec<_>>(),
                    )),
                    properties,
                ));
            }
        }
        geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }
}

/// One entry as reported to users (CLI JSON, REST API, web table), positions in WGS84.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryReport {
    /// E1, E2, ...
    pub entry: String,
    /// `way/ID` of the way crossing the perimeter.
    pub way: String,
    /// Its name, when mapped.
    pub way_name: Option<String>,
    /// Its kind (engine form).
    pub way_kind: engine::WayKind,
    /// True when the crossing is a straight line across an open area.
    pub across_open_area: bool,
    /// Where the perimeter is crossed, `[lon, lat]`.
    pub position: [f64; 2],
    /// Usable width there, m.
    pub width_m: f64,
    /// Whether the width was mapped or a default for the way's kind.
    pub width_source: engine::WidthSource,
    /// Per vehicle class.
    pub vehicles: Vec<VehicleReport>,
}

/// One vehicle at one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleReport {
    /// Vehicle class code.
    pub vehicle: String,
    /// open, closed by barriers, too narrow, not permitted, unreachable.
    pub status: String,
    /// The fastest approach with existing protection in place (when open).
    pub approach: Option<ApproachReport>,
    /// The fastest approach if no barrier stood anywhere, when barriers change the outcome.
    pub unprotected_approach: Option<ApproachReport>,
    /// Barriers the unprotected approach would meet, with what they would face.
    pub barriers_relied_on: Vec<BarrierReport>,
}

/// An approach path with its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproachReport {
    /// Impact speed at the perimeter, km/h.
    pub speed_kmh: f64,
    /// Kinetic energy at the perimeter, kJ.
    pub energy_kj: f64,
    /// Angle to the perimeter edge, degrees (90 = head-on).
    pub angle_deg: f64,
    /// Run-up length, m.
    pub run_up_m: f64,
    /// Time from the start of the run-up, s.
    pub time_s: f64,
    /// Impact speed with constant acceleration (Model A), the cross-check, km/h.
    pub model_a_speed_kmh: f64,
    /// True when the speed limiter is reached on the way.
    pub top_speed_reached: bool,
    /// The barrier rating that would stop this impact.
    pub required_rating: String,
    /// `[lon, lat, speed km/h]` at every vertex from the start to the perimeter.
    pub path: Vec<[f64; 3]>,
    /// Each bend with its radius, limits and what governs the speed there.
    pub bends: Vec<BendReport>,
}

/// A bend on an approach path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BendReport {
    /// Distance from the start of the run-up, m.
    pub distance_m: f64,
    /// Change of heading, degrees.
    pub deflection_deg: f64,
    /// Widest-line radius, m.
    pub radius_m: f64,
    /// Grip limit, km/h.
    pub grip_limit_kmh: f64,
    /// Rollover limit, km/h.
    pub rollover_limit_kmh: f64,
    /// Speed through the bend, km/h.
    pub speed_kmh: f64,
    /// What governs it: Grip, Rollover, Power or SpeedLimiter.
    pub limit: engine::BendLimit,
}

/// A barrier an approach relies on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarrierReport {
    /// Which barrier (engine reference, e.g. `{"Node": 123}`).
    pub barrier: engine::BarrierRef,
    /// Its kind.
    pub kind: engine::BarrierKind,
    /// Speed the vehicle would have there, km/h.
    pub speed_kmh: f64,
    /// The rating it would need.
    pub required_rating: String,
    /// Its own rating, when known.
    pub rating: Option<String>,
    /// Whether its rating meets the requirement (absent when unrated), and why not.
    pub rating_meets: Option<bool>,
    /// The unmet criteria.
    pub shortfalls: Vec<String>,
}

impl EntryReport {
    /// The open approach with the most kinetic energy at this entry, and its vehicle (the first
    /// in the order analysed on a tie).
    pub fn most_energetic(&self) -> Option<(&VehicleReport, &ApproachReport)> {
        self.vehicles
            .iter()
            .filter_map(|vehicle| Some((vehicle, vehicle.approach.as_ref()?)))
            .fold(None, |best, next| match best {
                Some(best) if best.1.energy_kj >= next.1.energy_kj => Some(best),
                _ => Some(next),
            })
    }
}

impl HvmResult {
    /// Every entry with every vehicle's figures, in WGS84, rounded for people (0.1 km/h, 1 kJ,
    /// 1°, 0.1 m).
    pub fn entry_reports(&self) -> Vec<EntryReport> {
        let frame = self.frame();
        let lon_lat = |point: &engine::Point| {
            let (lon, lat) = frame.unproject(MetricPoint {
                east_m: point.x_m,
                north_m: point.y_m,
            });
            [round_degrees(lon), round_degrees(lat)]
        };
        let approach_report = |approach: &engine::Approach| ApproachReport {
            speed_kmh: round_to(approach.impact_speed_kmh, 1),
            energy_kj: round_to(approach.kinetic_energy_kj, 0),
            angle_deg: round_to(approach.impact_angle_deg, 0),
            run_up_m: round_to(approach.run_up_m, 1),
            time_s: round_to(approach.time_s, 1),
            model_a_speed_kmh: round_to(approach.model_a_impact_speed_kmh, 1),
            top_speed_reached: approach.top_speed_reached,
            required_rating: rating_requirement_text(&approach.required_rating),
            path: approach
                .path
                .iter()
                .map(|point| {
                    let [lon, lat] = lon_lat(&point.position);
                    [lon, lat, round_to(engine::mps_to_kmh(point.speed_mps), 1)]
                })
                .collect(),
            bends: approach
                .bends
                .iter()
                .map(|bend| BendReport {
                    distance_m: round_to(bend.distance_m, 1),
                    deflection_deg: round_to(bend.deflection_deg, 0),
                    radius_m: round_to(bend.radius_m, 1),
                    grip_limit_kmh: round_to(engine::mps_to_kmh(bend.grip_limit_mps), 1),
                    rollover_limit_kmh: round_to(engine::mps_to_kmh(bend.rollover_limit_mps), 1),
                    speed_kmh: round_to(engine::mps_to_kmh(bend.speed_mps), 1),
                    limit: bend.limit,
                })
                .collect(),
        };
        self.analysis
            .entries
            .iter()
            .enumerate()
            .map(|(index, entry)| EntryReport {
                entry: entry_label(index),
                way: format!("way/{}", entry.way.0),
                way_name: self.way_names.get(&entry.way.0).cloned(),
                way_kind: entry.way_kind,
                across_open_area: entry.across_open_area,
                position: lon_lat(&entry.position),
                width_m: round_to(entry.width_m, 1),
                width_source: entry.width_source,
                vehicles: entry
                    .vehicles
                    .iter()
                    .map(|result| VehicleReport {
                        vehicle: result.vehicle.clone(),
                        status: entry_status_text(result.status).into(),
                        approach: result.approach.as_ref().map(approach_report),
                        unprotected_approach: result
                            .unprotected_approach
                            .as_ref()
                            .map(approach_report),
                        barriers_relied_on: result
                            .barriers_relied_on
                            .iter()
                            .map(|barrier| BarrierReport {
                                barrier: barrier.barrier.clone(),
                                kind: barrier.kind.clone(),
                                speed_kmh: round_to(engine::mps_to_kmh(barrier.speed_mps), 1),
                                required_rating: rating_requirement_text(&barrier.required_rating),
                                rating: barrier.rating.as_ref().map(ToString::to_string),
                                rating_meets: barrier.rating_check.as_ref().map(|c| c.meets),
                                shortfalls: barrier
                                    .rating_check
                                    .as_ref()
                                    .map(|check| check.shortfalls.clone())
                                    .unwrap_or_default(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Reads the protected area of `agora hvm --area`: a GeoJSON Polygon or MultiPolygon, or a
/// Feature or a FeatureCollection holding exactly one such feature. `name` names the input in
/// errors.
pub fn parse_area_geojson(text: &str, name: &str) -> Result<SitePolygon, AppError> {
    let geojson: geojson::GeoJson = text
        .parse()
        .map_err(|error| AppError::Invalid(format!("{name}: not GeoJSON: {error}")))?;
    let geometry = match geojson {
        geojson::GeoJson::Geometry(geometry) => geometry,
        geojson::GeoJson::Feature(feature) => feature
            .geometry
            .ok_or_else(|| AppError::Invalid(format!("{name}: the feature has no geometry")))?,
        geojson::GeoJson::FeatureCollection(collection) => {
            let count = collection.features.len();
            let mut features = collection.features.into_iter();
            match (features.next(), count) {
                (Some(feature), 1) => feature.geometry.ok_or_else(|| {
                    AppError::Invalid(format!("{name}: feature 0 has no geometry"))
                })?,
                _ => {
                    return Err(AppError::Invalid(format!(
                        "{name}: expected one area, found a FeatureCollection of {count} features"
                    )));
                }
            }
        }
    };
    SitePolygon::from_geojson(&geometry)
        .map_err(|error| AppError::Invalid(format!("{name}: {error}")))
}

/// A vehicle's figures at an entry, without its paths (they are features of their own).
fn vehicle_properties(vehicle: &VehicleReport) -> serde_json::Value {
    let mut properties = serde_json::Map::new();
    properties.insert("vehicle".into(), vehicle.vehicle.clone().into());
    properties.insert("status".into(), vehicle.status.clone().into());
    if let Some(approach) = &vehicle.approach {
        properties.insert("speed_kmh".into(), approach.speed_kmh.into());
        properties.insert("energy_kj".into(), approach.energy_kj.into());
        properties.insert("angle_deg".into(), approach.angle_deg.into());
        properties.insert("run_up_m".into(), approach.run_up_m.into());
        properties.insert(
            "required_rating".into(),
            approach.required_rating.clone().into(),
        );
    }
    if let Some(unprotected) = &vehicle.unprotected_approach {
        properties.insert("unprotected_speed_kmh".into(), unprotected.speed_kmh.into());
        properties.insert(
            "unprotected_required_rating".into(),
            unprotected.required_rating.clone().into(),
        );
    }
    properties.into()
}

fn feature(
    value: geojson::GeometryValue,
    properties: serde_json::Map<String, serde_json::Value>,
) -> geojson::Feature {
    geojson::Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(value)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

/// Seven decimals of a degree: about a centimetre, far below map accuracy.
fn round_degrees(value: f64) -> f64 {
    round_to(value, 7)
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// The vehicle classes a request names (all standard classes when it names none).
pub fn requested_vehicles(codes: &[String]) -> Result<Vec<engine::VehicleClass>, AppError> {
    if codes.is_empty() {
        return Ok(engine::standard_vehicle_classes());
    }
    let codes: Vec<&str> = codes.iter().map(|code| code.trim()).collect();
    engine::vehicle_classes_by_code(&codes)
        .map_err(|error| AppError::Invalid(format!("vehicles: {error}")))
}

fn barrier_kind(kind: &str) -> Result<engine::BarrierKind, AppError> {
    use engine::BarrierKind as K;
    Ok(match kind {
        "bollard" => K::Bollard,
        "rising_bollard" => K::RisingBollard,
        "removable_bollard" => K::RemovableBollard,
        "block" => K::Block,
        "jersey_barrier" => K::JerseyBarrier,
        "planter" => K::Planter,
        "wall" => K::Wall,
        "gate" => K::Gate,
        "lift_gate" => K::LiftGate,
        "chain" => K::Chain,
        "fence" => K::Fence,
        "kerb" => K::Kerb,
        "cycle_barrier" => K::CycleBarrier,
        "height_restrictor" => K::HeightRestrictor,
        other => {
            return Err(AppError::Invalid(format!(
                "unknown barrier kind `{other}`; expected one of {}",
                ADDED_BARRIER_KINDS.join(", ")
            )));
        }
    })
}

/// The barrier kinds a user may add.
pub const ADDED_BARRIER_KINDS: &[&str] = &[
    "bollard",
    "rising_bollard",
    "removable_bollard",
    "block",
    "jersey_barrier",
    "planter",
    "wall",
    "gate",
    "lift_gate",
    "chain",
    "fence",
    "kerb",
    "cycle_barrier",
    "height_restrictor",
];

/// Radius given to a single added obstacle (a bollard or a block), m.
const ADDED_OBSTACLE_RADIUS_M: f64 = 0.3;

pub(crate) fn check_lon_lat(position: [f64; 2], what: &str) -> Result<(), AppError> {
    let [lon, lat] = position;
    let in_range = lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat);
    if !in_range {
        return Err(AppError::Invalid(format!(
            "{what}: [{lon}, {lat}] is not a longitude/latitude pair"
        )));
    }
    Ok(())
}

/// Builds the engine's studies (one per part of the outline) from a site outline and a request.
fn engine_studies(
    frame: &LocalFrame,
    polygon: &SitePolygon,
    request: &HvmRequest,
) -> Result<(Vec<engine::Study>, Vec<engine::Diagnostic>), AppError> {
    let project = |[lon, lat]: [f64; 2]| {
        let point = frame.project(lon, lat);
        engine::Point::new(point.east_m, point.north_m)
    };
    let mut added_lines = Vec::new();
    let mut added_points = Vec::new();
    for (index, barrier) in request.added_barriers.iter().enumerate() {
        let what = format!("added_barriers[{index}]");
        let kind = barrier_kind(&barrier.kind)
            .map_err(|error| AppError::Invalid(format!("{what}.kind: {error}")))?;
        if let Some(rating) = &barrier.rating {
            engine::parse_rating(rating)
                .map_err(|error| AppError::Invalid(format!("{what}.rating: {error}")))?;
        }
        for (point_index, point) in barrier.line.iter().enumerate() {
            check_lon_lat(*point, &format!("{what}.line[{point_index}]"))?;
        }
        let id = engine::BarrierId(-1 - i64::try_from(index).unwrap_or(i64::MAX - 1));
        let engine_barrier = engine::Barrier {
            kind,
            rating: barrier.rating.clone(),
        };
        match barrier.line.as_slice() {
            [] => {
                return Err(AppError::Invalid(format!(
                    "{what}.line: needs at least one [lon, lat] point"
                )));
            }
            [point] => added_points.push(engine::PointObstacle {
                id,
                position: project(*point),
                radius_m: ADDED_OBSTACLE_RADIUS_M,
                barrier: engine_barrier,
            }),
            points => added_lines.push(engine::BarrierLine {
                id,
                points: points.iter().map(|point| project(*point)).collect(),
                barrier: engine_barrier,
            }),
        }
    }
    let mut openings = Vec::new();
    for (index, opening) in request.openings.iter().enumerate() {
        let what = format!("openings[{index}]");
        check_lon_lat(opening.at, &format!("{what}.at"))?;
        if !(opening.width_m.is_finite() && opening.width_m > 0.0 && opening.width_m <= 100.0) {
            return Err(AppError::Invalid(format!(
                "{what}.width_m: {} is not a width between 0 and 100 m",
                opening.width_m
            )));
        }
        openings.push(engine::Opening {
            id: engine::BarrierId(-1_000_000 - i64::try_from(index).unwrap_or(0)),
            centre: project(opening.at),
            width_m: opening.width_m,
        });
    }
    let mut diagnostics = Vec::new();
    let mut studies = Vec::new();
    for (part, outline) in polygon.as_geo().0.iter().enumerate() {
        if !outline.interiors().is_empty() {
            diagnostics.push(engine::Diagnostic {
                subject: format!("outline part {}", part + 1),
                message: "its holes are ignored: the whole outline is protected".into(),
            });
        }
        let mut perimeter: Vec<engine::Point> = outline
            .exterior()
            .coords()
            .map(|coord| project([coord.x, coord.y]))
            .collect();
        perimeter.pop(); // the closing point repeats the first
        let mut study = engine::Study::new(perimeter);
        study.added_barrier_lines = added_lines.clone();
        study.added_point_obstacles = added_points.clone();
        study.openings = openings.clone();
        study.options.rules = match request.rules {
            HvmRules::WorstCase => engine::TrafficRules::WorstCase,
            HvmRules::Compliant => engine::TrafficRules::Compliant,
        };
        studies.push(study);
    }
    Ok((studies, diagnostics))
}

/// Whether some corner of the outline lies within the extent of the map's nodes (an outline
/// wholly outside it is an input error, not an empty analysis).
fn outline_within_map(street: &StreetNetwork, studies: &[engine::Study]) -> bool {
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for node in &street.nodes {
        min_x = min_x.min(node.position.east_m);
        max_x = max_x.max(node.position.east_m);
        min_y = min_y.min(node.position.north_m);
        max_y = max_y.max(node.position.north_m);
    }
    studies.iter().any(|study| {
        study.perimeter.iter().any(|point| {
            (min_x..=max_x).contains(&point.x_m) && (min_y..=max_y).contains(&point.y_m)
        })
    })
}

/// Analyses an outline on a loaded map (pure computation; run it on a blocking thread).
///
/// Fails when the outline lies outside the map, a vehicle class is unknown, or an added barrier
/// or opening is malformed; imperfect map data is reported in the analysis' diagnostics instead.
pub fn analyse_outline(
    map: &LoadedMap,
    polygon: &SitePolygon,
    request: &HvmRequest,
) -> Result<HvmResult, AppError> {
    let vehicles = requested_vehicles(&request.vehicles)?;
    let frame = map.street.frame;
    let (studies, mut diagnostics) = engine_studies(&frame, polygon, request)?;
    if !outline_within_map(&map.street, &studies) {
        let (min_lon, min_lat, max_lon, max_lat) = polygon.bounding_box();
        return Err(AppError::Invalid(format!(
            "the area ({min_lon:.5}, {min_lat:.5}) – ({max_lon:.5}, {max_lat:.5}) lies outside \
             the map data; import an OpenStreetMap extract that covers it"
        )));
    }
    let mut entries = Vec::new();
    for study in &studies {
        let analysis = map
            .prepared
            .analyse(study, &vehicles)
            .map_err(|error| AppError::Invalid(format!("area: {error}")))?;
        entries.extend(analysis.entries);
        diagnostics.extend(analysis.diagnostics);
    }
    diagnostics.extend(map.conversion_notes.iter().cloned());
    let way_names = entries
        .iter()
        .filter_map(|entry: &engine::EntryPoint| {
            let way = map.street.way(street_network::WayId(entry.way.0))?;
            Some((entry.way.0, way.tags.get("name")?.to_string()))
        })
        .collect();
    let (origin_lon, origin_lat) = frame.origin_lon_lat();
    Ok(HvmResult {
        frame_origin: [origin_lon, origin_lat],
        vehicles,
        way_names,
        analysis: engine::Analysis {
            entries,
            diagnostics,
        },
    })
}

/// The inputs stored with a study: the request, and the outline exactly as analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HvmInputs {
    /// What the user asked for.
    pub request: HvmRequest,
    /// The site's version when it was analysed.
    pub site_version: i64,
    /// The outline analysed (GeoJSON, WGS84).
    pub outline: geojson::Geometry,
}

impl App {
    /// The map an analysis reads: the current map source, parsed once and kept in memory.
    pub async fn current_map(&self) -> Result<Arc<LoadedMap>, AppError> {
        let source = self.store.current_map_source().await?.ok_or_else(|| {
            AppError::Invalid(
                "no map data is loaded: import an OpenStreetMap extract with \
                 `agora import osm FILE --basemap` (the demo loads one)"
                    .into(),
            )
        })?;
        let mut cached = self.map_cache.lock().await;
        if let Some(map) = cached.as_ref()
            && map.sha256 == source.sha256
        {
            return Ok(map.clone());
        }
        let data = self
            .store
            .map_source_data(&source.sha256)
            .await?
            .with_context(|| format!("map source {} has no data", source.sha256))?;
        let extract = crate::read_osm_bytes(data, &source.name).await?;
        let sha256 = source.sha256.clone();
        let map = tokio::task::spawn_blocking(move || LoadedMap::new(sha256, extract))
            .await
            .context("map preparation task failed")?;
        let map = Arc::new(map);
        *cached = Some(map.clone());
        Ok(map)
    }

    /// Runs a hostile-vehicle study of a site on the current map and stores it.
    pub async fn run_hvm_study(
        &self,
        actor: &Actor,
        site_id: SiteId,
        request: HvmRequest,
    ) -> Result<(Study, HvmResult), AppError> {
        if !actor.user.role.can_edit_sites() {
            return Err(AppError::Forbidden("run studies".into()));
        }
        let site = self.site(actor, site_id).await?;
        let map = self.current_map().await?;
        let result = {
            let (map, polygon, request) =
                (map.clone(), site.draft.polygon.clone(), request.clone());
            tokio::task::spawn_blocking(move || analyse_outline(&map, &polygon, &request))
                .await
                .context("vehicle-approach task failed")??
        };
        let study = self
            .store_hvm_study(actor, &site, &map.sha256, request, &result)
            .await?;
        Ok((study, result))
    }

    async fn store_hvm_study(
        &self,
        actor: &Actor,
        site: &Site,
        map_sha256: &str,
        request: HvmRequest,
        result: &HvmResult,
    ) -> Result<Study, AppError> {
        let inputs = HvmInputs {
            request,
            site_version: site.version,
            outline: site.draft.polygon.to_geojson(),
        };
        self.store_study(
            actor,
            site,
            StudyRecord {
                kind: StudyKind::VehicleApproach,
                engine_version: hvm_engine_version(),
                map_sha256,
                inputs: &inputs,
                summary: &result.summary(),
                result,
            },
        )
        .await
    }

    /// A hostile-vehicle study's result, decoded.
    pub async fn hvm_study(
        &self,
        actor: &Actor,
        id: StudyId,
    ) -> Result<(Study, HvmResult), AppError> {
        self.decoded_study(actor, id, StudyKind::VehicleApproach, "vehicle-approach")
            .await
    }

    /// The newest hostile-vehicle study of a site, if any.
    pub async fn latest_hvm_study(
        &self,
        actor: &Actor,
        site_id: SiteId,
    ) -> Result<Option<(Study, HvmResult)>, AppError> {
        let studies = self
            .site_studies(actor, site_id, Some(StudyKind::VehicleApproach))
            .await?;
        match studies.first() {
            Some(study) => Ok(Some(self.hvm_study(actor, study.id).await?)),
            None => Ok(None),
        }
    }
}
