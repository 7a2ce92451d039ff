//! Crowd studies: run the `crowd_sim` engine on a site's real geometry (its outline on the
//! current map, minus buildings, stalls and barriers the user draws, with exits where streets
//! leave it), keep the study with everything needed to reproduce it, and present its results
//! (evacuation time, exits, the N(t) curve, density frames and the level-of-service map).
//!
//! The engine works in the map's local metric frame; this module projects the outline and the
//! user's drawings (WGS84) into it and the engine's positions back to WGS84. The density grid is
//! axis-aligned in that frame (east, north), so its corners in WGS84 are a lon/lat rectangle to
//! within millimetres over a site, and a map can draw it as one georeferenced image.

use std::ops::ControlFlow;

use anyhow::Context;
use crowd_sim as engine;
use domain::{JobId, Site, SiteId, SitePolygon, Study, StudyId, StudyKind};
use serde::{Deserialize, Serialize};
use street_network::{LocalFrame, MetricPoint, StreetNetwork};

use crate::hvm::{AddedBarrier, HvmInputs, check_lon_lat};
use crate::studies::StudyRecord;
use crate::{Actor, App, AppError};

/// The engine and its version, as recorded with every study.
pub fn crowd_engine_version() -> String {
    format!("crowd_sim {}", env!("CARGO_PKG_VERSION"))
}

/// Persons per m² when neither the request nor the site says how many people there are: the
/// engine's site default, a busy market (crowd.md §4.2: Fruin level A/B).
pub const DEFAULT_DENSITY_PER_M2: f64 = 0.5;
/// The highest density a request may ask for, persons per m²: Weidmann's jam density (5.4 /m²,
/// crowd.md §4.1), beyond which people cannot stand, let alone walk.
pub const MAX_DENSITY_PER_M2: f64 = 5.4;
/// The most agents one study may simulate (memory and time on a shared server).
pub const MAX_AGENTS: usize = 50_000;
/// Default simulated time limit, s.
pub const DEFAULT_MAX_TIME_S: f64 = 900.0;
/// Longest simulated time a request may ask for, s.
pub const MAX_TIME_LIMIT_S: f64 = 3600.0;
/// At most this many density frames are stored (they are sampled every second and thinned to
/// whole multiples of that, at least [`MIN_FRAME_INTERVAL_S`] apart).
pub const MAX_STORED_FRAMES: usize = 150;
/// Shortest interval between stored density frames, s.
pub const MIN_FRAME_INTERVAL_S: f64 = 2.0;
/// Interval at which the engine samples the N(t) curve and the density grid, s.
const SAMPLE_INTERVAL_S: f64 = 1.0;
/// Barrier kinds from a hostile-vehicle study that people cannot pass through. Bollards,
/// blocks, planters and the like stand in rows with gaps people walk through (that is what
/// they are designed for), so they do not become walls in a crowd study.
pub const PEOPLE_BLOCKING_BARRIER_KINDS: &[&str] = &["wall", "fence", "gate", "jersey_barrier"];

/// How many people are on the site at the alarm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrowdPopulation {
    /// The site's capacity (it must have one).
    Capacity,
    /// This many people.
    Count(usize),
    /// This many persons per m² of walkable area.
    DensityPerM2(f64),
}

/// Desired walking speeds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrowdSpeed {
    /// Weidmann (1993): 1.34 ± 0.26 m/s clipped to [0.46, 1.61] m/s.
    #[default]
    Weidmann,
    /// Everyone walks at this speed, m/s.
    FixedMps(f64),
}

/// How people choose their exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrowdExitChoice {
    /// Everyone heads for the exit nearest to where they stand and keeps it (moving only
    /// between the lanes of a wide opening): the worst case, where an exit near many people
    /// queues while others are clear.
    #[default]
    Nearest,
    /// Everyone reconsiders every 2 s and takes the exit with the shortest walk plus queue
    /// (the engine's `ExitChoice::QUICKEST`): people who see a queue go elsewhere.
    Quickest,
}

/// An exit the user adds on the outline (a gate the map does not show), in WGS84.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedExit {
    /// Its name in reports (default `added_exits[N]`).
    #[serde(default)]
    pub name: Option<String>,
    /// A point on the outline, `[lon, lat]`.
    pub at: [f64; 2],
    /// Clear width, m.
    pub width_m: f64,
}

/// What the user draws on the map for a crowd study, as the web form carries it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrowdChanges {
    /// Stalls, stages and other obstacles: polygons `[[lon, lat], ...]`.
    #[serde(default)]
    pub obstacles: Vec<Vec<[f64; 2]>>,
    /// Lines people cannot cross (fences, a street closed for an event): `[[lon, lat], ...]`.
    #[serde(default)]
    pub barriers: Vec<Vec<[f64; 2]>>,
    /// Exits to add.
    #[serde(default)]
    pub added_exits: Vec<AddedExit>,
}

/// What a user asks of a crowd study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrowdRequest {
    /// How many people; default: the site's capacity if it has one, else
    /// [`DEFAULT_DENSITY_PER_M2`].
    #[serde(default)]
    pub population: Option<CrowdPopulation>,
    /// Desired walking speeds.
    #[serde(default)]
    pub speed: CrowdSpeed,
    /// How people choose their exit.
    #[serde(default)]
    pub exit_choice: CrowdExitChoice,
    /// Delay between the alarm and people starting to move, s: a number or `{"min", "max"}`
    /// (uniform).
    #[serde(default)]
    pub premovement_s: engine::Premovement,
    /// Stalls, stages and other obstacles: polygons `[[lon, lat], ...]`.
    #[serde(default)]
    pub obstacles: Vec<Vec<[f64; 2]>>,
    /// Lines people cannot cross: `[[lon, lat], ...]`. One across a street where it leaves the
    /// site (up to 25 m out) closes that exit, or narrows it to the widest gap left.
    #[serde(default)]
    pub barriers: Vec<Vec<[f64; 2]>>,
    /// Exits to add.
    #[serde(default)]
    pub added_exits: Vec<AddedExit>,
    /// Take the temporary barriers added in this hostile-vehicle study of the site too (those
    /// of a kind people cannot pass: [`PEOPLE_BLOCKING_BARRIER_KINDS`]).
    #[serde(default)]
    pub barriers_from_hvm_study: Option<StudyId>,
    /// Seed of the placement and of sampled speeds and pre-movement times.
    #[serde(default)]
    pub seed: u64,
    /// The run stops at this simulated time, s.
    #[serde(default = "default_max_time_s")]
    pub max_time_s: f64,
}

fn default_max_time_s() -> f64 {
    DEFAULT_MAX_TIME_S
}

impl Default for CrowdRequest {
    fn default() -> Self {
        CrowdRequest {
            population: None,
            speed: CrowdSpeed::default(),
            exit_choice: CrowdExitChoice::default(),
            premovement_s: engine::Premovement::default(),
            obstacles: Vec::new(),
            barriers: Vec::new(),
            added_exits: Vec::new(),
            barriers_from_hvm_study: None,
            seed: 0,
            max_time_s: DEFAULT_MAX_TIME_S,
        }
    }
}

/// The inputs stored with a study: the request, the outline exactly as simulated, and the
/// barriers taken from a hostile-vehicle study (copied, so the study reproduces on its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdInputs {
    /// What the user asked for.
    pub request: CrowdRequest,
    /// The site's version when it was simulated.
    pub site_version: i64,
    /// The site's capacity then (what `capacity` meant).
    pub site_capacity: Option<u32>,
    /// The outline simulated (GeoJSON, WGS84).
    pub outline: geojson::Geometry,
    /// The barriers taken from `request.barriers_from_hvm_study`.
    pub hvm_barriers: Vec<AddedBarrier>,
}

/// One exit's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdExitReport {
    /// The street (with its way id) or the user's name for it.
    pub name: String,
    /// Width of the opening, m.
    pub width_m: f64,
    /// Centre of the exit, `[lon, lat]`.
    pub position: [f64; 2],
    /// The exit polygon (behind the opening), `[[lon, lat], ...]`.
    pub polygon: Vec<[f64; 2]>,
    /// People who left through it.
    pub count: usize,
    /// First and last departures, s.
    pub first_exit_s: Option<f64>,
    /// Last departure, s.
    pub last_exit_s: Option<f64>,
    /// (count − 1) / (last − first), persons per second.
    pub mean_flow_p_per_s: Option<f64>,
    /// Mean flow per metre of width, p/(m s) (design codes 1.3, crowd.md §4.3). It averages
    /// over every lull between the first and the last person: low on a large square where
    /// people arrive spread out, though the exit never queues (compare the busiest flow).
    pub specific_flow_p_per_m_s: Option<f64>,
    /// The highest flow over any 10 s ([`crowd_sim::BUSIEST_FLOW_WINDOW_S`]), persons per
    /// second; `None` when the departures span less than 10 s. Near the exit's capacity when a
    /// queue stood there.
    #[serde(default)]
    pub busiest_flow_p_per_s: Option<f64>,
    /// The busiest flow per metre of width, p/(m s).
    #[serde(default)]
    pub busiest_specific_flow_p_per_m_s: Option<f64>,
}

/// An evacuation that takes at most this factor times the slowest free walk
/// ([`CrowdResult::free_walk_time_s`]) is set by walking (distance and speed), not by the
/// exits: queues delayed the last person out by less than 15 %.
pub const WALKING_LIMITED_FACTOR: f64 = 1.15;

/// An exit that passed at least this in its busiest 10 s, p/(m s), held a queue: a crowd
/// queued at an opening passes 1.0–1.15 p/(m s) in this engine at T = 1 s (validation case V9;
/// crowd_sim's Kaufingerstraße test), and an evacuation that ends at an exit passing less was
/// held up elsewhere.
pub const QUEUE_SPECIFIC_FLOW_P_PER_M_S: f64 = 0.8;

/// What sets the evacuation time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvacuationLimit {
    /// Walking: the evacuation took at most [`WALKING_LIMITED_FACTOR`] times the slowest free
    /// walk. The exits' mean flows are then low because people reach them spread out over
    /// time (a large square, slow walkers far away), not because the exits are too narrow.
    Walking,
    /// The exit that cleared last, well after everyone could have walked out: people queued
    /// there (with the nearest-exit choice an exit near many people queues while others are
    /// clear).
    Exit {
        /// The exit (opening).
        name: String,
        /// Its width, m.
        width_m: f64,
        /// People who left through it.
        count: usize,
        /// Their share of everyone, %.
        share_percent: f64,
        /// Its busiest 10 s flow per metre, p/(m s).
        busiest_specific_flow_p_per_m_s: Option<f64>,
        /// When every other exit had passed its last person, s (`None`: no other exit used).
        others_clear_s: Option<f64>,
    },
    /// Neither: the evacuation took longer than [`WALKING_LIMITED_FACTOR`] times the free walk,
    /// but the exit that cleared last never passed [`QUEUE_SPECIFIC_FLOW_P_PER_M_S`]: people
    /// were slowed on their way (crowding, or detours to another exit than the one first
    /// chosen, with the quickest-exit choice), not held in one exit's queue.
    OnTheWay,
}

/// The density grid and its frames, with what a map needs to place it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdDensity {
    /// Cell edge, m.
    pub cell_m: f64,
    /// Columns (west to east).
    pub nx: usize,
    /// Rows (south to north); cell `c` is column `c % nx`, row `c / nx`.
    pub ny: usize,
    /// South-west corner of cell 0 in the map frame, m.
    pub origin_m: [f64; 2],
    /// The grid's south-west and north-east corners, `[[lon, lat], [lon, lat]]`.
    pub bounds: [[f64; 2]; 2],
    /// Walkable area of each cell, m² (0.01 m²); cells under half walkable have no density.
    pub walkable_area_m2: Vec<f64>,
    /// Interval between stored frames, s.
    pub frame_interval_s: f64,
    /// People per cell over time.
    pub frames: Vec<CrowdDensityFrame>,
    /// Fruin level of service of every cell at the peak (`A`–`F`, `-` where undefined).
    pub level_of_service_at_peak: String,
}

/// People per cell at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdDensityFrame {
    /// Time, s.
    pub time_s: f64,
    /// People whose centre is in each cell.
    pub counts: Vec<u32>,
}

/// The highest density of the run, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdPeak {
    /// Persons per m².
    pub density_per_m2: f64,
    /// When, s.
    pub time_s: f64,
    /// Centre of the cell, `[lon, lat]`.
    pub position: [f64; 2],
    /// Fruin level of service there (`A`–`F`).
    pub level_of_service: String,
}

/// The result of a crowd study as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdResult {
    /// Longitude and latitude of the map frame's origin.
    pub frame_origin: [f64; 2],
    /// People simulated.
    pub agents: usize,
    /// People who left.
    pub agents_evacuated: usize,
    /// People still inside at the end who had not moved 0.5 m in its last 30 s.
    pub agents_stalled: usize,
    /// When the last person left, s; `None` if people remained at `max_time_s`.
    pub evacuation_time_s: Option<f64>,
    /// Simulated time, s.
    pub simulated_time_s: f64,
    /// Area simulated (the outline and the short aprons at its exits, minus buildings,
    /// obstacles and barriers), m².
    pub walkable_area_m2: f64,
    /// The simulated area: outer ring first, then holes, `[[lon, lat], ...]`.
    pub walkable: Vec<Vec<[f64; 2]>>,
    /// Per exit, in the engine's order.
    pub exits: Vec<CrowdExitReport>,
    /// N(t): `[time_s, people inside]` every second and at the end.
    pub evacuation_curve: Vec<[f64; 2]>,
    /// Density frames on the grid.
    pub density: CrowdDensity,
    /// The highest density.
    pub peak: Option<CrowdPeak>,
    /// Notes on the site's data (exits found or closed, buildings subtracted, parts left out).
    pub diagnostics: Vec<String>,
    /// Smallest gap between two bodies over the run, m (negative: overlap); `None` if no two
    /// people ever met.
    pub min_pair_clearance_m: Option<f64>,
    /// Moves that crossed a wall (0 in a sound run).
    pub wall_crossings: u64,
    /// How long the site would take to empty if nobody were in anyone's way and no exit
    /// limited the flow: the longest pre-movement plus walking distance (along the way-finding
    /// grid to the exit first chosen) at the person's desired speed, s.
    #[serde(default)]
    pub free_walk_time_s: Option<f64>,
    /// What sets the evacuation time (`None` when people remained at the time limit).
    #[serde(default)]
    pub evacuation_limit: Option<EvacuationLimit>,
}

/// Headline figures of a crowd study (kept beside it for lists and other use cases: the risk
/// assessment reads `peak_density_per_m2` and `evacuation_time_s`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrowdSummary {
    /// When the last person left, s; `None` if people remained at the time limit.
    pub evacuation_time_s: Option<f64>,
    /// The highest density, persons per m² (0 if no cell had a density).
    pub peak_density_per_m2: f64,
    /// Fruin level of service at the peak.
    pub peak_level_of_service: Option<String>,
    /// People simulated.
    pub agents: usize,
    /// People who left.
    pub agents_evacuated: usize,
    /// Exits used in the simulation.
    pub exits: usize,
    /// Area simulated, m².
    pub walkable_area_m2: f64,
}

impl CrowdResult {
    /// The headline figures.
    pub fn summary(&self) -> CrowdSummary {
        CrowdSummary {
            evacuation_time_s: self.evacuation_time_s,
            peak_density_per_m2: self.peak.as_ref().map_or(0.0, |peak| peak.density_per_m2),
            peak_level_of_service: self.peak.as_ref().map(|peak| peak.level_of_service.clone()),
            agents: self.agents,
            agents_evacuated: self.agents_evacuated,
            exits: self.exits.len(),
            walkable_area_m2: self.walkable_area_m2,
        }
    }

    /// Density of `cell` in `frame`, persons per m² (`None` where less than half walkable).
    pub fn density_per_m2(&self, frame: &CrowdDensityFrame, cell: usize) -> Option<f64> {
        let area = self.density.walkable_area_m2[cell];
        let cell_area = self.density.cell_m * self.density.cell_m;
        (area >= 0.5 * cell_area).then(|| f64::from(frame.counts[cell]) / area)
    }
}

fn level_letter(level: engine::LevelOfService) -> char {
    match level {
        engine::LevelOfService::A => 'A',
        engine::LevelOfService::B => 'B',
        engine::LevelOfService::C => 'C',
        engine::LevelOfService::D => 'D',
        engine::LevelOfService::E => 'E',
        engine::LevelOfService::F => 'F',
    }
}

/// Seven decimals of a degree: about a centimetre.
fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn to_lon_lat(frame: &LocalFrame, point: engine::Point) -> [f64; 2] {
    let (lon, lat) = frame.unproject(MetricPoint {
        east_m: point.x,
        north_m: point.y,
    });
    [round_to(lon, 7), round_to(lat, 7)]
}

fn ring_to_lon_lat(frame: &LocalFrame, ring: &[engine::Point]) -> Vec<[f64; 2]> {
    let mut points: Vec<[f64; 2]> = ring.iter().map(|p| to_lon_lat(frame, *p)).collect();
    if let Some(first) = points.first().copied() {
        points.push(first);
    }
    points
}

/// Projects `[lon, lat]` points (checked) into the frame; a repeated closing point is dropped.
fn project_points(
    frame: &LocalFrame,
    points: &[[f64; 2]],
    field: &str,
) -> Result<Vec<engine::Point>, AppError> {
    let mut projected = Vec::with_capacity(points.len());
    for (index, point) in points.iter().enumerate() {
        check_lon_lat(*point, &format!("{field}[{index}]"))?;
        let metric = frame.project(point[0], point[1]);
        projected.push(engine::Point::new(metric.east_m, metric.north_m));
    }
    if projected.len() > 1 && projected.first() == projected.last() {
        projected.pop();
    }
    Ok(projected)
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Invalid(message.into())
}

/// Checks the request's numbers and turns its population into the engine's.
fn checked_population(
    request: &CrowdRequest,
    site_capacity: Option<u32>,
) -> Result<engine::SitePopulation, AppError> {
    let population = match request.population {
        Some(population) => population,
        None => match site_capacity {
            Some(_) => CrowdPopulation::Capacity,
            None => CrowdPopulation::DensityPerM2(DEFAULT_DENSITY_PER_M2),
        },
    };
    let count = |n: usize, field: &str| {
        if n == 0 || n > MAX_AGENTS {
            Err(invalid(format!(
                "{field}: {n} people; give between 1 and {MAX_AGENTS}"
            )))
        } else {
            Ok(engine::SitePopulation::Count(n))
        }
    };
    match population {
        CrowdPopulation::Capacity => match site_capacity {
            Some(capacity) => count(capacity as usize, "population (the site's capacity)"),
            None => Err(invalid(
                "population: the site has no capacity; set one on the site, or give a count or a \
                 density",
            )),
        },
        CrowdPopulation::Count(n) => count(n, "population.count"),
        CrowdPopulation::DensityPerM2(density) => {
            if density.is_finite() && density > 0.0 && density <= MAX_DENSITY_PER_M2 {
                Ok(engine::SitePopulation::DensityPerM2(density))
            } else {
                Err(invalid(format!(
                    "population.density_per_m2: {density} persons/m² is not between 0 and \
                     {MAX_DENSITY_PER_M2} (the density at which a crowd stands still)"
                )))
            }
        }
    }
}

fn checked_request(request: &CrowdRequest) -> Result<(), AppError> {
    if !(request.max_time_s.is_finite()
        && request.max_time_s > 0.0
        && request.max_time_s <= MAX_TIME_LIMIT_S)
    {
        return Err(invalid(format!(
            "max_time_s: {} s is not between 0 and {MAX_TIME_LIMIT_S} s",
            request.max_time_s
        )));
    }
    if let CrowdSpeed::FixedMps(speed) = request.speed
        && !(speed.is_finite() && speed > 0.0 && speed <= 3.0)
    {
        return Err(invalid(format!(
            "speed.fixed_mps: {speed} m/s is not a walking speed (between 0 and 3 m/s)"
        )));
    }
    let within = |value: f64| value.is_finite() && value >= 0.0 && value < request.max_time_s;
    match request.premovement_s {
        engine::Premovement::Fixed(value) if !within(value) => Err(invalid(format!(
            "premovement_s: {value} s is not between 0 and max_time_s ({} s)",
            request.max_time_s
        ))),
        engine::Premovement::Uniform { min, max }
            if !(within(min) && within(max) && min <= max) =>
        {
            Err(invalid(format!(
                "premovement_s: {{min: {min}, max: {max}}} s must satisfy 0 ≤ min ≤ max < \
                 max_time_s ({} s)",
                request.max_time_s
            )))
        }
        _ => Ok(()),
    }
}

/// Whether some corner of the outline lies within the extent of the map's nodes.
fn outline_within_map(street: &StreetNetwork, outline_m: &geo::MultiPolygon<f64>) -> bool {
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for node in &street.nodes {
        min_x = min_x.min(node.position.east_m);
        max_x = max_x.max(node.position.east_m);
        min_y = min_y.min(node.position.north_m);
        max_y = max_y.max(node.position.north_m);
    }
    outline_m.0.iter().any(|polygon| {
        polygon
            .exterior()
            .coords()
            .any(|c| (min_x..=max_x).contains(&c.x) && (min_y..=max_y).contains(&c.y))
    })
}

/// The barriers of a hostile-vehicle study people cannot pass, and notes on those left out.
fn people_blocking_barriers(barriers: &[AddedBarrier]) -> (Vec<Vec<[f64; 2]>>, Vec<String>) {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    for (index, barrier) in barriers.iter().enumerate() {
        if barrier.line.len() >= 2 && PEOPLE_BLOCKING_BARRIER_KINDS.contains(&barrier.kind.as_str())
        {
            lines.push(barrier.line.clone());
        } else {
            notes.push(format!(
                "vehicle study barrier {} ({}): people pass it, not simulated as a wall",
                index + 1,
                barrier.kind
            ));
        }
    }
    (lines, notes)
}

/// Simulates a crowd evacuation of a site's outline on a street network (pure computation;
/// run it on a blocking thread). `hvm_barriers` are the added barriers of a vehicle study.
///
/// Fails (naming the field) when the request is malformed, the outline lies outside the map,
/// no exit is left, or the engine refuses the scenario (people cannot fit, an exit cannot be
/// reached); imperfect map data is reported in the result's diagnostics instead.
pub fn simulate_site(
    street: &StreetNetwork,
    polygon: &SitePolygon,
    site_capacity: Option<u32>,
    request: &CrowdRequest,
    hvm_barriers: &[AddedBarrier],
) -> Result<CrowdResult, AppError> {
    SiteSimulation::prepare(street, polygon, site_capacity, request, hvm_barriers)?
        .run(|_| ControlFlow::Continue(()))
}

/// A site's evacuation, checked and ready to run: what [`simulate_site`] does in two steps, so
/// a caller can refuse bad input at once and then run the simulation in the background.
pub struct SiteSimulation {
    frame: LocalFrame,
    scenario: engine::Scenario,
    notes: Vec<String>,
}

impl SiteSimulation {
    /// Builds and checks the scenario (every refusal of [`simulate_site`] but those the
    /// engine makes when it starts).
    pub fn prepare(
        street: &StreetNetwork,
        polygon: &SitePolygon,
        site_capacity: Option<u32>,
        request: &CrowdRequest,
        hvm_barriers: &[AddedBarrier],
    ) -> Result<SiteSimulation, AppError> {
        checked_request(request)?;
        let population = checked_population(request, site_capacity)?;
        let frame = street.frame;
        let outline_m = frame.project_geometry(polygon.as_geo());
        if !outline_within_map(street, &outline_m) {
            let (min_lon, min_lat, max_lon, max_lat) = polygon.bounding_box();
            return Err(invalid(format!(
                "the site ({min_lon:.5}, {min_lat:.5}) – ({max_lon:.5}, {max_lat:.5}) lies outside \
                 the map data; import an OpenStreetMap extract that covers it"
            )));
        }
        let mut obstacles = Vec::new();
        for (index, ring) in request.obstacles.iter().enumerate() {
            obstacles.push(project_points(
                &frame,
                ring,
                &format!("obstacles[{index}]"),
            )?);
        }
        let mut barriers = Vec::new();
        for (index, line) in request.barriers.iter().enumerate() {
            barriers.push(project_points(&frame, line, &format!("barriers[{index}]"))?);
        }
        let (hvm_lines, mut notes) = people_blocking_barriers(hvm_barriers);
        for (index, line) in hvm_lines.iter().enumerate() {
            barriers.push(project_points(
                &frame,
                line,
                &format!("barriers_from_hvm_study[{index}]"),
            )?);
        }
        let mut added_exits = Vec::new();
        for (index, exit) in request.added_exits.iter().enumerate() {
            let field = format!("added_exits[{index}]");
            check_lon_lat(exit.at, &format!("{field}.at"))?;
            let at = frame.project(exit.at[0], exit.at[1]);
            added_exits.push(engine::AddedSiteExit {
                name: exit.name.clone().unwrap_or(field),
                at: engine::Point::new(at.east_m, at.north_m),
                width_m: exit.width_m,
            });
        }
        let options = engine::SiteCrowdOptions {
            population,
            obstacles,
            barriers,
            added_exits,
            speed_mps: match request.speed {
                CrowdSpeed::Weidmann => engine::DesiredSpeed::WEIDMANN,
                CrowdSpeed::FixedMps(speed) => engine::DesiredSpeed::Fixed(speed),
            },
            premovement_s: request.premovement_s,
            seed: request.seed,
            max_time_s: request.max_time_s,
            exit_choice: match request.exit_choice {
                CrowdExitChoice::Nearest => engine::ExitChoice::Nearest,
                CrowdExitChoice::Quickest => engine::ExitChoice::QUICKEST,
            },
            ..engine::SiteCrowdOptions::default()
        };
        let (mut scenario, site_notes) = engine::site_scenario(street, &outline_m, &options)
            .map_err(|error| invalid(error.to_string()))?;
        let agents: usize = scenario.populations.iter().filter_map(|p| p.count).sum();
        if agents > MAX_AGENTS {
            return Err(invalid(format!(
                "population: {agents} people at that density; at most {MAX_AGENTS} per study"
            )));
        }
        scenario.output.sample_interval_s = SAMPLE_INTERVAL_S;
        notes.extend(
            site_notes
                .into_iter()
                .map(|note| format!("{}: {}", note.subject, note.message)),
        );
        Ok(SiteSimulation {
            frame,
            scenario,
            notes,
        })
    }

    /// People in the simulation.
    pub fn agents(&self) -> usize {
        self.scenario
            .populations
            .iter()
            .filter_map(|p| p.count)
            .sum()
    }

    /// Runs the simulation, reporting every simulated second to `on_progress` (which may
    /// stop it: the result then covers the time simulated so far).
    pub fn run(
        self,
        on_progress: impl FnMut(&engine::Progress) -> ControlFlow<()>,
    ) -> Result<CrowdResult, AppError> {
        let outcome = engine::run_with_progress(&self.scenario, PROGRESS_INTERVAL_S, on_progress)
            .map_err(|error| invalid(error.to_string()))?;
        Ok(present(&self.frame, &self.scenario, &outcome, self.notes))
    }
}

/// A crowd study checked and ready to run.
struct PreparedCrowdStudy {
    site: Site,
    map_sha256: String,
    inputs: CrowdInputs,
    simulation: SiteSimulation,
}

/// Simulated time between two progress reports, s.
const PROGRESS_INTERVAL_S: f64 = 1.0;

/// Area of the simulated walkable area (outer ring minus holes), m².
fn walkable_area_m2(scenario: &engine::Scenario) -> f64 {
    let ring_area = |ring: &[engine::Point]| {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                a.x * b.y - b.x * a.y
            })
            .sum::<f64>()
            .abs()
            / 2.0
    };
    let holes: f64 = scenario.walkable.holes.iter().map(|h| ring_area(h)).sum();
    ring_area(&scenario.walkable.outer) - holes
}

/// One report per opening: the engine's exits are the openings' lanes (side by side, in
/// order along the opening, named `opening · lane k/n`), added up here.
fn opening_reports(
    frame: &LocalFrame,
    scenario: &engine::Scenario,
    outcome: &engine::Outcome,
) -> Vec<CrowdExitReport> {
    // Per opening: its name, its lanes, and their indices among the engine's exits.
    type Lanes<'a> = Vec<(&'a engine::Exit, &'a engine::ExitReport)>;
    let mut groups: Vec<(&str, Lanes, Vec<u32>)> = Vec::new();
    for (index, (exit, report)) in scenario.exits.iter().zip(&outcome.exits).enumerate() {
        let opening = engine::exit_opening_name(&exit.name);
        match groups.last_mut() {
            Some((name, lanes, indices)) if *name == opening => {
                lanes.push((exit, report));
                indices.push(index as u32);
            }
            _ => groups.push((opening, vec![(exit, report)], vec![index as u32])),
        }
    }
    groups
        .into_iter()
        .map(|(name, lanes, indices)| {
            // Each lane is a rectangle whose first edge runs along the opening; the opening
            // spans from the first lane's first corner to the last lane's second.
            let (first_lane, last_lane) = (&lanes[0].0.polygon, &lanes[lanes.len() - 1].0.polygon);
            let polygon = vec![first_lane[0], last_lane[1], last_lane[2], first_lane[3]];
            let width_m: f64 = lanes
                .iter()
                .map(|(exit, _)| exit.polygon[0].distance_to(exit.polygon[1]))
                .sum();
            let centre = engine::Point::new(
                polygon.iter().map(|p| p.x).sum::<f64>() / 4.0,
                polygon.iter().map(|p| p.y).sum::<f64>() / 4.0,
            );
            let count: usize = lanes.iter().map(|(_, report)| report.count).sum();
            let first_exit_s = lanes
                .iter()
                .filter_map(|(_, report)| report.first_exit_s)
                .reduce(f64::min);
            let last_exit_s = lanes
                .iter()
                .filter_map(|(_, report)| report.last_exit_s)
                .reduce(f64::max);
            // As the engine defines an exit's mean flow: (count − 1) / (last − first).
            let mean_flow_p_per_s = match (first_exit_s, last_exit_s) {
                (Some(first), Some(last)) if count >= 2 && last > first => {
                    Some((count - 1) as f64 / (last - first))
                }
                _ => None,
            };
            // The busiest 10 s over the opening's lanes together (events are in time order).
            let times: Vec<f64> = outcome
                .exit_events
                .iter()
                .filter(|event| indices.contains(&event.exit.0))
                .map(|event| event.time_s)
                .collect();
            let busiest = engine::busiest_flow_p_per_s(&times, engine::BUSIEST_FLOW_WINDOW_S);
            CrowdExitReport {
                name: name.to_string(),
                width_m: round_to(width_m, 2),
                position: to_lon_lat(frame, centre),
                polygon: ring_to_lon_lat(frame, &polygon),
                count,
                first_exit_s,
                last_exit_s,
                mean_flow_p_per_s: mean_flow_p_per_s.map(|flow| round_to(flow, 4)),
                specific_flow_p_per_m_s: mean_flow_p_per_s.map(|flow| round_to(flow / width_m, 3)),
                busiest_flow_p_per_s: busiest.map(|flow| round_to(flow, 4)),
                busiest_specific_flow_p_per_m_s: busiest.map(|flow| round_to(flow / width_m, 3)),
            }
        })
        .collect()
}

/// What sets the evacuation time: walking when it took at most [`WALKING_LIMITED_FACTOR`]
/// times the slowest free walk, else the exit that cleared last if it held a queue
/// ([`QUEUE_SPECIFIC_FLOW_P_PER_M_S`]), else delays on the way.
fn evacuation_limit(
    evacuation_time_s: Option<f64>,
    free_walk_time_s: Option<f64>,
    agents: usize,
    exits: &[CrowdExitReport],
) -> Option<EvacuationLimit> {
    let evacuation = evacuation_time_s?;
    if free_walk_time_s.is_some_and(|free| evacuation <= WALKING_LIMITED_FACTOR * free) {
        return Some(EvacuationLimit::Walking);
    }
    let (last, exit) = exits
        .iter()
        .enumerate()
        .filter(|(_, exit)| exit.last_exit_s.is_some())
        .max_by(|(_, a), (_, b)| {
            a.last_exit_s
                .unwrap_or(0.0)
                .total_cmp(&b.last_exit_s.unwrap_or(0.0))
        })?;
    if exit
        .busiest_specific_flow_p_per_m_s
        .is_none_or(|flow| flow < QUEUE_SPECIFIC_FLOW_P_PER_M_S)
    {
        return Some(EvacuationLimit::OnTheWay);
    }
    let others_clear_s = exits
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != last)
        .filter_map(|(_, other)| other.last_exit_s)
        .reduce(f64::max);
    Some(EvacuationLimit::Exit {
        name: exit.name.clone(),
        width_m: exit.width_m,
        count: exit.count,
        share_percent: round_to(100.0 * exit.count as f64 / agents.max(1) as f64, 1),
        busiest_specific_flow_p_per_m_s: exit.busiest_specific_flow_p_per_m_s,
        others_clear_s,
    })
}

/// The engine's outcome as users see it: WGS84 positions, flows per metre, thinned frames.
fn present(
    frame: &LocalFrame,
    scenario: &engine::Scenario,
    outcome: &engine::Outcome,
    diagnostics: Vec<String>,
) -> CrowdResult {
    let exits = opening_reports(frame, scenario, outcome);
    let evacuation_time_s = outcome.evacuation_time_s.map(|t| round_to(t, 3));
    let free_walk_time_s = outcome.free_walk_time_s().map(|t| round_to(t, 1));
    let evacuation_limit = evacuation_limit(
        evacuation_time_s,
        free_walk_time_s,
        outcome.agents_total,
        &exits,
    );
    let maps = &outcome.density;
    let level_of_service_at_peak = maps
        .peak
        .and_then(|peak| maps.frames.iter().find(|f| f.time_s == peak.time_s))
        .map(|peak_frame| {
            maps.level_of_service(peak_frame)
                .into_iter()
                .map(|level| level.map_or('-', level_letter))
                .collect()
        })
        .unwrap_or_default();
    let stride = maps
        .frames
        .len()
        .div_ceil(MAX_STORED_FRAMES)
        .max((MIN_FRAME_INTERVAL_S / SAMPLE_INTERVAL_S).round() as usize)
        .max(1);
    let frames = maps
        .frames
        .iter()
        .step_by(stride)
        .map(|f| CrowdDensityFrame {
            time_s: round_to(f.time_s, 3),
            counts: f.counts.clone(),
        })
        .collect();
    let south_west = maps.origin;
    let north_east = engine::Point::new(
        maps.origin.x + maps.nx as f64 * maps.cell_m,
        maps.origin.y + maps.ny as f64 * maps.cell_m,
    );
    let density = CrowdDensity {
        cell_m: maps.cell_m,
        nx: maps.nx,
        ny: maps.ny,
        origin_m: [round_to(maps.origin.x, 3), round_to(maps.origin.y, 3)],
        bounds: [to_lon_lat(frame, south_west), to_lon_lat(frame, north_east)],
        walkable_area_m2: maps
            .walkable_area_m2
            .iter()
            .map(|a| round_to(*a, 2))
            .collect(),
        frame_interval_s: stride as f64 * SAMPLE_INTERVAL_S,
        frames,
        level_of_service_at_peak,
    };
    let peak = maps.peak.map(|peak| CrowdPeak {
        density_per_m2: round_to(peak.density_per_m2, 3),
        time_s: round_to(peak.time_s, 3),
        position: to_lon_lat(frame, peak.cell_centre),
        level_of_service: level_letter(engine::LevelOfService::from_density_per_m2(
            peak.density_per_m2,
        ))
        .to_string(),
    });
    let mut walkable = vec![ring_to_lon_lat(frame, &scenario.walkable.outer)];
    walkable.extend(
        scenario
            .walkable
            .holes
            .iter()
            .map(|hole| ring_to_lon_lat(frame, hole)),
    );
    let (origin_lon, origin_lat) = frame.origin_lon_lat();
    CrowdResult {
        frame_origin: [origin_lon, origin_lat],
        agents: outcome.agents_total,
        agents_evacuated: outcome.agents_evacuated,
        agents_stalled: outcome.agents_stalled.len(),
        evacuation_time_s,
        simulated_time_s: round_to(outcome.simulated_time_s, 3),
        walkable_area_m2: round_to(walkable_area_m2(scenario), 1),
        walkable,
        exits,
        evacuation_curve: outcome
            .evacuation_curve
            .iter()
            .map(|point| [round_to(point.time_s, 3), point.remaining as f64])
            .collect(),
        density,
        peak,
        diagnostics,
        min_pair_clearance_m: outcome
            .invariants
            .min_pair_clearance_m
            .is_finite()
            .then(|| round_to(outcome.invariants.min_pair_clearance_m, 4)),
        wall_crossings: outcome.invariants.wall_crossings,
        free_walk_time_s,
        evacuation_limit,
    }
}

impl App {
    /// Runs a crowd evacuation study of a site on the current map and stores it.
    pub async fn run_crowd_study(
        &self,
        actor: &Actor,
        site_id: SiteId,
        request: CrowdRequest,
    ) -> Result<(Study, CrowdResult), AppError> {
        let prepared = self.prepare_crowd_study(actor, site_id, request).await?;
        self.complete_crowd_study(actor, prepared, |_| ControlFlow::Continue(()))
            .await
    }

    /// Checks a crowd study and starts it in the background; bad input is refused at once.
    /// The job's state ([`App::job`]) says how far it is, then which study it stored or why
    /// it failed. Jobs live in this server's memory: a restart forgets running ones (nothing
    /// of theirs was stored yet) and the user runs them again.
    pub async fn start_crowd_study(
        &self,
        actor: &Actor,
        site_id: SiteId,
        request: CrowdRequest,
    ) -> Result<JobId, AppError> {
        let prepared = self.prepare_crowd_study(actor, site_id, request).await?;
        let agents = prepared.simulation.agents();
        let job = self.jobs.start(actor, site_id, agents)?;
        let (app, actor) = (self.clone(), actor.clone());
        tokio::spawn(async move {
            let jobs = app.jobs.clone();
            let outcome = app
                .complete_crowd_study(&actor, prepared, move |progress| {
                    jobs.advance(job, progress);
                    ControlFlow::Continue(())
                })
                .await;
            app.jobs.end(job, outcome.map(|(study, _)| study.id));
        });
        Ok(job)
    }

    /// Everything a crowd study needs before it runs, checked.
    async fn prepare_crowd_study(
        &self,
        actor: &Actor,
        site_id: SiteId,
        request: CrowdRequest,
    ) -> Result<PreparedCrowdStudy, AppError> {
        if !actor.user.role.can_edit_sites() {
            return Err(AppError::Forbidden("run studies".into()));
        }
        let site = self.site(actor, site_id).await?;
        let hvm_barriers = match request.barriers_from_hvm_study {
            Some(id) => self.hvm_barriers_of(actor, &site, id).await?,
            None => Vec::new(),
        };
        let map = self.current_map().await?;
        let simulation = {
            let (map, polygon, capacity, request, barriers) = (
                map.clone(),
                site.draft.polygon.clone(),
                site.draft.capacity,
                request.clone(),
                hvm_barriers.clone(),
            );
            tokio::task::spawn_blocking(move || {
                SiteSimulation::prepare(&map.street, &polygon, capacity, &request, &barriers)
            })
            .await
            .context("crowd simulation task failed")??
        };
        let inputs = CrowdInputs {
            request,
            site_version: site.version,
            site_capacity: site.draft.capacity,
            outline: site.draft.polygon.to_geojson(),
            hvm_barriers,
        };
        Ok(PreparedCrowdStudy {
            site,
            map_sha256: map.sha256.clone(),
            inputs,
            simulation,
        })
    }

    /// Runs a prepared crowd study on a blocking thread and stores it.
    async fn complete_crowd_study(
        &self,
        actor: &Actor,
        prepared: PreparedCrowdStudy,
        on_progress: impl FnMut(&engine::Progress) -> ControlFlow<()> + Send + 'static,
    ) -> Result<(Study, CrowdResult), AppError> {
        let PreparedCrowdStudy {
            site,
            map_sha256,
            inputs,
            simulation,
        } = prepared;
        let result = tokio::task::spawn_blocking(move || simulation.run(on_progress))
            .await
            .context("crowd simulation task failed")??;
        let study = self
            .store_crowd_study(actor, &site, &map_sha256, &inputs, &result)
            .await?;
        Ok((study, result))
    }

    /// The added barriers of hostile-vehicle study `id`, which must be a study of `site`.
    async fn hvm_barriers_of(
        &self,
        actor: &Actor,
        site: &Site,
        id: StudyId,
    ) -> Result<Vec<AddedBarrier>, AppError> {
        let study = match self.study(actor, id).await {
            Ok(study) => study,
            Err(AppError::NotFound(_)) => {
                return Err(invalid(format!(
                    "barriers_from_hvm_study: no vehicle-approach study {id}"
                )));
            }
            Err(error) => return Err(error),
        };
        if study.study.kind != StudyKind::VehicleApproach || study.study.site_id != site.id {
            return Err(invalid(format!(
                "barriers_from_hvm_study: study {id} is not a vehicle-approach study of {}",
                site.draft.name
            )));
        }
        let inputs: HvmInputs = serde_json::from_value(study.study.inputs)
            .with_context(|| format!("study {id}: stored inputs do not decode"))?;
        Ok(inputs.request.added_barriers)
    }

    async fn store_crowd_study(
        &self,
        actor: &Actor,
        site: &Site,
        map_sha256: &str,
        inputs: &CrowdInputs,
        result: &CrowdResult,
    ) -> Result<Study, AppError> {
        self.store_study(
            actor,
            site,
            StudyRecord {
                kind: StudyKind::Crowd,
                engine_version: crowd_engine_version(),
                map_sha256,
                inputs,
                summary: &result.summary(),
                result,
            },
        )
        .await
    }

    /// A crowd study's result, decoded.
    pub async fn crowd_study(
        &self,
        actor: &Actor,
        id: StudyId,
    ) -> Result<(Study, CrowdResult), AppError> {
        self.decoded_study(actor, id, StudyKind::Crowd, "crowd")
            .await
    }
}
