//! The analysis: entry points, the max-speed search per vehicle, and the reported approaches.

use std::cell::Cell;
use std::sync::{Arc, PoisonError, RwLock};

use serde::{Deserialize, Serialize};

use crate::geometry::Point;
use crate::network::{BarrierKind, Network, NodeId, Options, Study, TrafficRules, WayId, WayKind};
use crate::physics::{
    AccelerationModel, BendLimit, DrivenLeg, Leg, LegDrive, LegStations, ProfileStation,
    RunUpTable, brake_stations, clock_at, corner_speed_limit, drive_leg_alone,
    drive_legs_side_by_side, first_station_at_least, grip_speed_limit_mps, kinetic_energy_j,
    last_final_station, last_station, lay_out_more_legs, legs_profile, mps_to_kmh,
    rollover_speed_limit_mps, station_distance_m,
};
use crate::prepare::{
    BARRIER_LINE_TOLERANCE_M, BarrierRef, Crossing, DirectedKind, Prepared, TurnGeometry,
    WidthSource,
};
use crate::rating::{Rating, RatingCheck, RatingRequirement, check_rating, required_rating};
use crate::shared::IndexMap;
use crate::vehicle::VehicleClass;

/// Input the engine cannot work with at all (imperfect map data is a [`Diagnostic`] instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The protected perimeter is not a usable polygon.
    #[error("perimeter: {0}")]
    Perimeter(String),
    /// The options are out of range.
    #[error("options: {0}")]
    Options(String),
    /// No vehicle class was given.
    #[error("no vehicle class given")]
    NoVehicles,
    /// A vehicle class code is not in the table.
    #[error("unknown vehicle class `{code}`; known: {known}")]
    UnknownVehicleClass {
        /// The code as given.
        code: String,
        /// The known codes, comma-separated.
        known: String,
    },
}

/// A note about imperfect input that the engine worked around (bad map data is normal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// What it is about, e.g. "way 42".
    pub subject: String,
    /// What was wrong and what the engine did.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(subject: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            subject: subject.into(),
            message: message.into(),
        }
    }
}

/// The result of one study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Every place a vehicle could cross the perimeter, in a stable order.
    pub entries: Vec<EntryPoint>,
    /// What was imperfect in the input and how it was handled.
    pub diagnostics: Vec<Diagnostic>,
}

/// A place where a drivable surface crosses the perimeter inward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryPoint {
    /// Where the perimeter is crossed.
    pub position: Point,
    /// The way crossing it.
    pub way: WayId,
    /// Its kind.
    pub way_kind: WayKind,
    /// True when the crossing is a straight line across an open area (not a mapped way).
    pub across_open_area: bool,
    /// Last node outside the perimeter.
    pub from_node: NodeId,
    /// First node inside (or beyond) the perimeter.
    pub to_node: NodeId,
    /// Index of the perimeter edge crossed (edge i joins point i and point i + 1).
    pub perimeter_edge: usize,
    /// Usable width of the way there, m.
    pub width_m: f64,
    /// Whether that width was mapped or a default.
    pub width_source: WidthSource,
    /// Per vehicle class, in the order given.
    pub vehicles: Vec<VehicleResult>,
}

/// How an entry stands for one vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryStatus {
    /// The vehicle can reach the perimeter here.
    Open,
    /// Existing barriers (mapped or added) stop every approach.
    ClosedByBarriers,
    /// The way is narrower than the vehicle.
    TooNarrow,
    /// In compliant mode: the way may not be driven in this direction.
    NotPermitted,
    /// No drivable approach exists even without barriers.
    Unreachable,
}

/// One vehicle's result at one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleResult {
    /// Vehicle class code.
    pub vehicle: String,
    /// Whether it can get in.
    pub status: EntryStatus,
    /// The fastest approach with existing protection in place (`None` unless `Open`).
    pub approach: Option<Approach>,
    /// The fastest approach if no barrier stood anywhere, reported only when barriers change
    /// the outcome: this is what those barriers face.
    pub unprotected_approach: Option<Approach>,
    /// The barriers on `unprotected_approach`'s path that this vehicle cannot pass, with the
    /// speed at each and whether its rating is enough.
    pub barriers_relied_on: Vec<BarrierOnPath>,
}

/// The fastest way into the perimeter at one entry for one vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approach {
    /// Speed at the perimeter, m/s.
    pub impact_speed_mps: f64,
    /// The same in km/h.
    pub impact_speed_kmh: f64,
    /// Kinetic energy at the perimeter, kJ (½mv² with the class mass).
    pub kinetic_energy_kj: f64,
    /// Angle between the final heading and the perimeter edge, degrees (90 = head-on).
    pub impact_angle_deg: f64,
    /// Length of the path from where the run-up starts to the perimeter, m.
    pub run_up_m: f64,
    /// Speed at the start of the run-up, m/s (0 from rest).
    pub start_speed_mps: f64,
    /// Time from the start of the run-up to the perimeter, s.
    pub time_s: f64,
    /// True when the speed limiter (top speed) is reached somewhere on the path.
    pub top_speed_reached: bool,
    /// The path: every vertex from the start to the crossing, with distance and speed there.
    pub path: Vec<PathPoint>,
    /// Every bend of the path with its radius, limits and what governs it.
    pub bends: Vec<Bend>,
    /// Impact speed along the same path with Model A (constant acceleration), km/h.
    pub model_a_impact_speed_kmh: f64,
    /// The barrier rating this impact calls for.
    pub required_rating: RatingRequirement,
}

/// A vertex of an approach path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    /// The network node, or `None` for the perimeter crossing that ends the path.
    pub node: Option<NodeId>,
    /// Position.
    pub position: Point,
    /// Distance from the start of the run-up, m.
    pub distance_m: f64,
    /// Highest feasible speed there, m/s.
    pub speed_mps: f64,
}

/// A change of heading on an approach path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bend {
    /// Node at the bend.
    pub node: NodeId,
    /// Distance from the start of the run-up, m.
    pub distance_m: f64,
    /// Change of heading, degrees.
    pub deflection_deg: f64,
    /// Widest-line radius available, m.
    pub radius_m: f64,
    /// Grip limit √(μgR), m/s.
    pub grip_limit_mps: f64,
    /// Rollover limit √(SRT·g·R), m/s.
    pub rollover_limit_mps: f64,
    /// Speed through the bend on the fastest profile, m/s.
    pub speed_mps: f64,
    /// What caps it.
    pub limit: BendLimit,
}

/// A barrier on an unprotected approach path, with what it must withstand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarrierOnPath {
    /// Which barrier.
    pub barrier: BarrierRef,
    /// Its kind.
    pub kind: BarrierKind,
    /// Distance along the unprotected path, m.
    pub distance_m: f64,
    /// Speed the vehicle would have there, m/s.
    pub speed_mps: f64,
    /// Rating needed at that speed.
    pub required_rating: RatingRequirement,
    /// Its own rating, when known and well-formed.
    pub rating: Option<Rating>,
    /// Whether that rating meets the requirement (`None` when unrated); a penetration beyond
    /// the stand-off available here is one of its shortfalls.
    pub rating_check: Option<RatingCheck>,
    /// The rated penetration against the stand-off available behind this barrier (`None` when
    /// unrated or when the study gives no stand-off).
    #[serde(default)]
    pub stand_off: Option<StandOffCheck>,
}

/// Whether a barrier's rated penetration fits within the stand-off behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StandOffCheck {
    /// Room behind the barrier, m: the study's stand-off plus the path from the barrier to the
    /// perimeter line.
    pub available_m: f64,
    /// The barrier's rated penetration (dynamic penetration in its impact test), m.
    pub penetration_m: f64,
    /// True when the penetration is within the available room.
    pub fits: bool,
}

/// Analyses every entry of `study`'s perimeter for each vehicle.
///
/// ```
/// use vehicle_approach::*;
///
/// // A 200 m straight residential street running east into a 100 m square.
/// let node = |id, x| Node { id: NodeId(id), position: Point::new(x, 0.0), barrier: None };
/// let network = Network {
///     nodes: vec![node(1, -200.0), node(2, 50.0)],
///     ways: vec![Way {
///         id: WayId(10),
///         kind: WayKind::Residential,
///         nodes: vec![NodeId(1), NodeId(2)],
///         width_m: None,
///         oneway: Oneway::No,
///         access: Access::Unspecified,
///         surface: Surface::Asphalt,
///         is_area: false,
///     }],
///     ..Network::default()
/// };
/// let square = vec![
///     Point::new(0.0, -50.0),
///     Point::new(100.0, -50.0),
///     Point::new(100.0, 50.0),
///     Point::new(0.0, 50.0),
/// ];
/// let car = standard_vehicle_class("M1").unwrap();
/// let analysis = analyse(&network, &Study::new(square), &[car]).unwrap();
/// let approach = analysis.entries[0].vehicles[0].approach.as_ref().unwrap();
/// assert_eq!(approach.run_up_m, 200.0);
/// assert!((approach.impact_speed_kmh - 110.4).abs() < 0.5); // hvm.md §2.2: M1, 200 m
/// ```
pub fn analyse(
    network: &Network,
    study: &Study,
    vehicles: &[VehicleClass],
) -> Result<Analysis, Error> {
    crate::many::PreparedNetwork::new(network).analyse(study, vehicles)
}

/// The analysis of one prepared study (`vehicles` is not empty), each vehicle searched over the
/// study's own graph.
pub(crate) fn analyse_prepared(
    prepared: &Prepared,
    study: &Study,
    vehicles: &[VehicleClass],
    diagnostics: Vec<Diagnostic>,
) -> Analysis {
    let entry_crossings = prepared.entry_crossings();
    let mut entries: Vec<EntryPoint> = entry_crossings
        .iter()
        .map(|&(d, crossing)| entry_point(prepared, d, crossing, vehicles.len()))
        .collect();
    for vehicle in vehicles {
        let results = per_site_vehicle_results(prepared, &study.options, vehicle, &entry_crossings);
        for (entry, result) in entries.iter_mut().zip(results) {
            entry.vehicles.push(result);
        }
    }
    Analysis {
        entries,
        diagnostics,
    }
}

/// One vehicle's results at `entries` (directed entry segments of `prepared` with their
/// crossings), from searches over `prepared` itself.
pub(crate) fn per_site_vehicle_results(
    prepared: &Prepared,
    options: &Options,
    vehicle: &VehicleClass,
    entries: &[(usize, Crossing)],
) -> Vec<VehicleResult> {
    with_own_search(prepared, vehicle, options, |context| {
        own_search_results(context, entries)
    })
}

/// Calls `each` with the context of searches over `prepared` itself (its own perimeter and
/// tables for `vehicle`).
fn with_own_search<R>(
    prepared: &Prepared,
    vehicle: &VehicleClass,
    options: &Options,
    each: impl FnOnce(&SearchContext<'_>) -> R,
) -> R {
    let tables = VehicleTables::new(prepared, vehicle, options.acceleration_model);
    each(&SearchContext {
        prepared,
        vehicle,
        options,
        tables: &tables,
        perimeter: &prepared.perimeter,
    })
}

/// [`per_site_vehicle_results`] within its search context.
fn own_search_results(
    context: &SearchContext<'_>,
    entries: &[(usize, Crossing)],
) -> Vec<VehicleResult> {
    let prepared = context.prepared;
    let protected = context.search(true);
    let unprotected = (!prepared.barriers.is_empty() && context.barriers_stop_vehicle())
        .then(|| context.search(false));
    let labels: Vec<_> = entries
        .iter()
        .map(|&(d, _)| {
            let protected_label = protected.entry_label(d);
            let unprotected_label = unprotected
                .as_ref()
                .and_then(|labels| labels.entry_label(d));
            (protected_label, unprotected_label)
        })
        .collect();
    let entries: Vec<EntryLabels<'_, '_>> = entries
        .iter()
        .zip(&labels)
        .map(|(&(d, crossing), (protected, unprotected))| {
            (d, crossing, protected.as_ref(), unprotected.as_ref())
        })
        .collect();
    context.vehicle_results(&entries)
}

/// The entry point (without vehicle results yet) of directed entry segment `d`.
pub(crate) fn entry_point(
    prepared: &Prepared,
    d: usize,
    crossing: Crossing,
    vehicle_count: usize,
) -> EntryPoint {
    let segment = &prepared.segments[d / 2];
    let (way, way_kind) = prepared.ways[segment.way];
    EntryPoint {
        position: crossing.point,
        way,
        way_kind,
        across_open_area: segment.is_chord,
        from_node: prepared.node_ids[prepared.tail(d)],
        to_node: prepared.node_ids[prepared.head(d)],
        perimeter_edge: crossing.perimeter_edge,
        width_m: segment.width_m,
        width_source: segment.width_source,
        vehicles: Vec::with_capacity(vehicle_count),
    }
}

/// Looks up standard vehicle classes by code, failing on the first unknown one.
pub fn vehicle_classes_by_code(codes: &[&str]) -> Result<Vec<VehicleClass>, Error> {
    codes
        .iter()
        .map(|code| {
            crate::vehicle::standard_vehicle_class(code).ok_or_else(|| Error::UnknownVehicleClass {
                code: code.to_string(),
                known: crate::vehicle::standard_vehicle_classes()
                    .iter()
                    .map(|v| v.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect()
}

/// Labels of one search: per directed segment, the best speed at its head (approach segments)
/// or at its tail (entry segments), and where it came from.
#[derive(Clone)]
pub(crate) struct Labels {
    /// Highest speed reached at the end of each approach segment, or at the start of each entry
    /// segment; negative when unreached.
    pub(crate) speed_mps: Vec<f64>,
    /// The speed at the start of each segment that gave its label (a run-up is monotone in its
    /// start speed, so an offer no faster than this cannot improve the label).
    pub(crate) start_speed_mps: Vec<f64>,
    /// Per directed segment, the index in `log` of the update that set its label.
    pub(crate) current_update: Vec<usize>,
    /// Every label improvement in order: the directed segment and the update of the segment
    /// before it (`None` when the run-up starts there). Following `previous` always goes to an
    /// earlier entry, so a path read back from the log is finite even when it revisits a
    /// segment (say, a rolling U-turn at a dead end).
    pub(crate) log: Vec<LogEntry>,
}

/// One update of a search's log, in 8 bytes: a network-wide search logs a few hundred thousand
/// and keeps them for every site (as a `(usize, Option<usize>)` it took three times the memory,
/// and freshly touched memory is much of what those searches cost).
#[derive(Clone, Copy)]
pub(crate) struct LogEntry {
    segment: u32,
    /// `u32::MAX` where the run-up starts.
    previous: u32,
}

impl LogEntry {
    /// The update labelling directed segment `segment`, continuing update `previous`.
    pub(crate) fn new(segment: usize, previous: Option<usize>) -> LogEntry {
        let previous = previous.map_or(u32::MAX, |update| {
            u32::try_from(update)
                .ok()
                .filter(|&update| update < u32::MAX)
                .expect("fewer than 2³² - 1 updates in a search's log")
        });
        LogEntry {
            segment: u32::try_from(segment).expect("fewer than 2³² directed segments"),
            previous,
        }
    }

    /// The directed segment labelled.
    pub(crate) fn segment(self) -> usize {
        self.segment as usize
    }

    /// The update before it on its path, `None` where its run-up starts.
    pub(crate) fn previous(self) -> Option<usize> {
        (self.previous != u32::MAX).then_some(self.previous as usize)
    }
}

impl Labels {
    /// The best path into entry segment `d`, when the search reached it.
    pub(crate) fn entry_label(&self, d: usize) -> Option<EntryLabel<'static>> {
        (self.speed_mps[d] >= 0.0).then(|| EntryLabel {
            speed_mps: self.speed_mps[d],
            path: self.path_to(d),
            cached: None,
        })
    }

    /// The directed segments of the best path to the end of `d` (or, for an entry, into it),
    /// first to last.
    pub(crate) fn path_to(&self, d: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut update = Some(self.current_update[d]);
        while let Some(index) = update {
            let entry = self.log[index];
            path.push(entry.segment());
            update = entry.previous();
        }
        path.reverse();
        path
    }
}

/// The best way found into one entry: the speed where it starts its entry segment and the
/// directed segments from the start of the run-up, the entry segment last.
#[derive(Clone)]
pub(crate) struct EntryLabel<'c> {
    pub speed_mps: f64,
    pub path: Vec<usize>,
    /// For a path read from a shared search: where the profiles of the paths behind its
    /// updates are kept.
    pub cached: Option<CachedPath<'c>>,
}

/// The profile caches of a path read from a shared search and its site's repair.
#[derive(Clone)]
pub(crate) struct CachedPath<'c> {
    /// The shared search's cache, for updates of its log (below `local_from`).
    pub shared: &'c ForwardCache,
    /// The repair's own cache, for updates of its log (numbered from `local_from`).
    pub local: &'c ForwardCache,
    pub local_from: usize,
    /// The update behind each segment of the path but the entry segment.
    pub updates: Vec<usize>,
}

impl CachedPath<'_> {
    /// The cache and the update behind the path's `i`th segment (none for the entry segment).
    fn leg_source(&self, i: usize) -> Option<(&ForwardCache, usize)> {
        let update = *self.updates.get(i)?;
        let cache = if update < self.local_from {
            self.shared
        } else {
            self.local
        };
        Some((cache, update))
    }
}

/// What is known of the profile along the path behind an update of a shared search's log
/// (the path's segments from the start of its run-up to the updated one), whatever path
/// continues it: a continuation can only lower the path's end (a bend's cap, as low as 0) and
/// brake back from there, so the stations up to `tail_from` are final, and those after it are
/// what the path's own bends leave of the forward pass, which a continuation's braking pass
/// lowers exactly as a pass over the whole path would (see
/// [`crate::physics::brake_stations`]). Made from the profile of the update before it (its
/// `parent`), so only the stations from there on are integrated: on Munich a path drives about
/// 1.8 km, and a continuation can brake about the last 80 m.
pub(crate) struct PathProfile {
    /// The integration step it was made with: studies sharing a search may ask for
    /// different steps (`Options::step_m` does not change the search).
    step_bits: u64,
    /// The profile of the path one segment shorter (`None` for the run-up's start).
    parent: Option<Arc<PathProfile>>,
    /// The station of `speeds[0]`: the parent's `tail_from`.
    settled_from: usize,
    /// The last station that no continuation of the path can brake.
    tail_from: usize,
    /// Speeds at the stations from `settled_from` to the path's end: final up to `tail_from`,
    /// after braking for the path's own bends after it. The last is the forward pass's speed
    /// there (a braking pass never lowers a path's last station), where the next segment
    /// starts.
    speeds: Box<[f64]>,
    /// The clock at `tail_from`, s (the sum [`crate::physics::legs_profile`] makes, step by
    /// step in the same order).
    time_s: f64,
    /// Whether a station before `tail_from` reaches the top speed.
    top_speed_reached: bool,
    /// Model A's forward pass at the path's end (when Model B is the search's).
    model_a_end_mps: f64,
    /// The distance from the run-up's start to the path's end, m: the sum
    /// [`SearchContext::report`] makes node by node, segment lengths added in path order.
    end_m: f64,
    /// How many of the path's nodes (the tails of its segments, in order) have their final
    /// speed: those whose station is before `tail_from`.
    nodes_final: usize,
    /// The reported points at the nodes whose speed became final with this profile (from the
    /// parent's `nodes_final` on), and the bends among them: every approach continuing the path
    /// reports them as they are, so they are worked out once per update, not per approach.
    points: Box<[PathPoint]>,
    bends: Box<[Bend]>,
    /// Where the stations of the path's last leg lie (`None` for the run-up's start): a
    /// reported path takes the layout of the legs behind its entry from here.
    last_leg: Option<LegStations>,
}

impl PathProfile {
    /// The profile of a path of no segments yet: one station, at `speed_mps`.
    fn start(speed_mps: f64, step_m: f64) -> PathProfile {
        PathProfile {
            step_bits: step_m.to_bits(),
            parent: None,
            settled_from: 0,
            tail_from: 0,
            speeds: Box::new([speed_mps]),
            time_s: 0.0,
            top_speed_reached: false,
            model_a_end_mps: speed_mps,
            end_m: 0.0,
            nodes_final: 0,
            points: Box::default(),
            bends: Box::default(),
            last_leg: None,
        }
    }

    /// The forward pass's speed at the path's end (its last station: a braking pass never
    /// lowers it), where a leg continuing the path starts before the bend into it.
    fn forward_end_mps(&self) -> f64 {
        *self.tail().last().expect("a profile has a station")
    }

    /// Speeds at the stations from `tail_from` to the path's end.
    fn tail(&self) -> &[f64] {
        &self.speeds[self.tail_from - self.settled_from..]
    }

    /// Speeds at the final stations from `settled_from` up to (not including) `tail_from`.
    #[cfg(test)]
    fn settled(&self) -> &[f64] {
        &self.speeds[..self.tail_from - self.settled_from]
    }
}

impl Drop for PathProfile {
    /// Drops the profiles behind it that nothing else holds one after the other, not each from
    /// within the next: a path may have thousands of segments.
    fn drop(&mut self) {
        let mut parent = self.parent.take();
        while let Some(profile) = parent {
            parent = match Arc::try_unwrap(profile) {
                Ok(mut alone) => alone.parent.take(),
                Err(_) => None, // held elsewhere too
            };
        }
    }
}

/// Profiles of the paths behind the updates of a shared search's log (or of a site's repair
/// log): approaches into different entries and sites share most of their paths (on the Munich
/// demo, 99 % of the metres profiled), so what is final of each path is integrated once. Filled
/// as approaches are reported, by whichever thread gets there first; a value is a pure
/// function of the update, so what the threads find does not depend on their order.
#[derive(Default)]
pub(crate) struct ForwardCache {
    profiles: RwLock<IndexMap<Arc<PathProfile>>>,
}

impl ForwardCache {
    /// The profile kept for `update`, if it was made with integration step `step_m`.
    fn profile(&self, update: usize, step_m: f64) -> Option<Arc<PathProfile>> {
        self.profiles
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&update)
            .filter(|profile| profile.step_bits == step_m.to_bits())
            .cloned()
    }

    /// Keeps `made` for `update` unless a profile is kept for it already, and returns the one
    /// kept, or `made` where the one kept has another integration step. Should two threads make
    /// it at once, both make the same.
    fn keep(&self, update: usize, made: PathProfile) -> Arc<PathProfile> {
        let made = Arc::new(made);
        let mut profiles = self
            .profiles
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let kept = profiles.entry(update).or_insert_with(|| Arc::clone(&made));
        if kept.step_bits == made.step_bits {
            Arc::clone(kept)
        } else {
            made
        }
    }
}

/// The turns of `Prepared::turns` flattened: those out of directed segment `e` at
/// `start[e]..start[e + 1]`, and the segment each leads into. Arrays with a value per turn (a
/// vehicle's speed caps) follow this order. It depends on the graph alone, so every vehicle's
/// tables over one graph share it.
pub(crate) struct TurnLayout {
    start: Vec<u32>,
    to: Vec<u32>,
}

impl TurnLayout {
    pub(crate) fn new(prepared: &Prepared) -> TurnLayout {
        let mut start = Vec::with_capacity(prepared.turns.len() + 1);
        let mut to = Vec::new();
        for turns in &prepared.turns {
            start.push(u32::try_from(to.len()).expect("fewer than 2³² turns"));
            to.extend(turns.iter().map(|turn| turn.to as u32));
        }
        start.push(u32::try_from(to.len()).expect("fewer than 2³² turns"));
        TurnLayout { start, to }
    }

    /// Where the turns out of directed segment `e` lie.
    pub(crate) fn range(&self, e: usize) -> std::ops::Range<usize> {
        self.start[e] as usize..self.start[e + 1] as usize
    }

    /// The segments the turns out of directed segment `e` lead into.
    pub(crate) fn to_from(&self, e: usize) -> &[u32] {
        &self.to[self.range(e)]
    }
}

/// What a search needs per vehicle and graph, computed once: run-up tables per friction value
/// and the speed cap of every turn.
pub(crate) struct VehicleTables {
    /// Run-up tables per friction value of `Prepared::frictions`.
    run_up: Vec<RunUpTable>,
    /// Where each directed segment's turns lie in `turn_caps`, and where they lead.
    turns: Arc<TurnLayout>,
    /// The speed cap of every prepared turn for this vehicle (`turn_through`'s `cap_mps`, or
    /// [`NO_STEERING`]), in the order of `turns`: the search reads them instead of taking
    /// square roots, 8 bytes each rather than an `Option`'s 16 (a city has hundreds of
    /// thousands of turns, and each vehicle its own caps).
    turn_caps: Vec<f64>,
    /// Per segment, its length and its run-up table (`Prepared::friction_index`): every
    /// offer a search makes reads both, and these keep it from the segment's whole record.
    length_m: Vec<f64>,
    run_up_of: Vec<u16>,
}

impl VehicleTables {
    pub(crate) fn new(
        prepared: &Prepared,
        vehicle: &VehicleClass,
        model: AccelerationModel,
    ) -> VehicleTables {
        VehicleTables::with_turns(
            prepared,
            Arc::new(TurnLayout::new(prepared)),
            vehicle,
            model,
        )
    }

    /// The tables over `prepared`, whose turns are laid out as `turns` (shared with other
    /// vehicles' tables over the same graph).
    pub(crate) fn with_turns(
        prepared: &Prepared,
        turns: Arc<TurnLayout>,
        vehicle: &VehicleClass,
        model: AccelerationModel,
    ) -> VehicleTables {
        let run_up = prepared
            .frictions
            .iter()
            .map(|&friction| RunUpTable::new(vehicle, model, friction))
            .collect();
        let turn_caps = prepared
            .turns
            .iter()
            .flatten()
            .map(|turn| turn_through(vehicle, turn).cap_mps.unwrap_or(NO_STEERING))
            .collect();
        VehicleTables {
            run_up,
            turns,
            turn_caps,
            length_m: prepared.segments.iter().map(|s| s.length_m).collect(),
            run_up_of: prepared
                .friction_index
                .iter()
                .map(|&i| u16::try_from(i).expect("fewer than 65536 friction values"))
                .collect(),
        }
    }

    /// The segments the turns out of directed segment `e` lead into (`turn_caps_from`'s order).
    fn turns_to_from(&self, e: usize) -> &[u32] {
        self.turns.to_from(e)
    }

    /// The speed caps of the turns out of directed segment `e`, in `Prepared::turns[e]` order
    /// ([`NO_STEERING`] where the vehicle cannot steer one): read them with [`through_turn`].
    pub(crate) fn turn_caps_from(&self, e: usize) -> &[f64] {
        &self.turn_caps[self.turns.range(e)]
    }
}

/// The speed cap [`VehicleTables`] keeps for a turn the vehicle cannot steer: below any start
/// speed, so [`through_turn`] makes it a stop, as a turn no faster than a standing start is.
pub(crate) const NO_STEERING: f64 = -1.0;

/// What a label of `label_mps` offers through a turn capped at `cap_mps`: `Some(speed)` where
/// the path goes on through it at that speed, `None` where the vehicle must stop there (the
/// turn is too tight to steer, or no faster than the start speed `start_mps`) and a new
/// run-up starts. Every search and repair offers through turns this way.
pub(crate) fn through_turn(label_mps: f64, cap_mps: f64, start_mps: f64) -> Option<f64> {
    let speed = label_mps.min(cap_mps);
    (speed > start_mps + 1e-9).then_some(speed)
}

/// Whether a search may label a directed segment, and as what.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Usable {
    No,
    Approach,
    Entry,
}

/// One vehicle's searches and reports over one graph.
pub(crate) struct SearchContext<'a> {
    pub prepared: &'a Prepared,
    pub vehicle: &'a VehicleClass,
    pub options: &'a Options,
    pub tables: &'a VehicleTables,
    /// The study's perimeter (the graph's own, or none for the network-wide graph).
    pub perimeter: &'a [Point],
}

pub(crate) const UNREACHED: f64 = -1.0;
/// Label improvements smaller than this are not propagated (0.036 km/h): it bounds the number of
/// re-relaxations; the reported speeds come from the exact profile of the path found.
pub(crate) const IMPROVEMENT_MPS: f64 = 0.01;

impl<'a> SearchContext<'a> {
    fn model(&self) -> AccelerationModel {
        self.options.acceleration_model
    }

    pub(crate) fn segment_passable(&self, s: usize, protected: bool) -> bool {
        let segment = &self.prepared.segments[s];
        segment.width_m >= self.vehicle.width_m
            && (!protected
                || segment
                    .constrictions
                    .iter()
                    .all(|c| c.clear_width_m >= self.vehicle.width_m))
    }

    pub(crate) fn node_passable(&self, n: usize, protected: bool) -> bool {
        if !protected {
            return true;
        }
        match self.prepared.node_barrier[n] {
            Some(b) => {
                !self.prepared.barriers[b].barrier.blocks()
                    || self.prepared.node_opening_m[n] >= self.vehicle.width_m
            }
            None => true,
        }
    }

    pub(crate) fn direction_permitted(&self, d: usize) -> bool {
        match self.options.rules {
            TrafficRules::WorstCase => true,
            TrafficRules::Compliant => {
                let segment = &self.prepared.segments[d / 2];
                if d.is_multiple_of(2) {
                    segment.compliant_forward
                } else {
                    segment.compliant_backward
                }
            }
        }
    }

    /// Is the directed entry segment, crossing the perimeter at `t`, itself open up to just
    /// past the perimeter line?
    pub(crate) fn entry_segment_open(&self, d: usize, t: f64, protected: bool) -> bool {
        let segment = &self.prepared.segments[d / 2];
        if segment.width_m < self.vehicle.width_m {
            return false;
        }
        if !protected {
            return true;
        }
        let reach_m = t * segment.length_m + BARRIER_LINE_TOLERANCE_M;
        let constricted = segment.constrictions.iter().any(|c| {
            c.clear_width_m < self.vehicle.width_m
                && self.prepared.directed_station(d, c.station_m) <= reach_m
        });
        let head_blocked =
            !self.node_passable(self.prepared.head(d), true) && segment.length_m <= reach_m;
        !constricted && !head_blocked
    }

    /// True when some barrier within the search radius stops this vehicle; otherwise the search
    /// without barriers would find exactly the same approaches.
    pub(crate) fn barriers_stop_vehicle(&self) -> bool {
        let p = self.prepared;
        let node_barrier =
            (0..p.positions.len()).any(|n| p.node_in_range[n] && !self.node_passable(n, true));
        node_barrier
            || p.segments.iter().any(|segment| {
                segment
                    .constrictions
                    .iter()
                    .any(|c| c.clear_width_m < self.vehicle.width_m)
            })
    }

    /// Origins: the nodes where a hostile run-up may begin. A node qualifies when, without
    /// passing a barrier or entering the perimeter, it is connected to a public road (where a
    /// vehicle may be parked), to a dead end of the network (an extract's edge) or to a node
    /// beyond the search radius. Pockets reachable only through barriers do not qualify.
    pub(crate) fn origins(&self, protected: bool) -> Vec<bool> {
        let p = self.prepared;
        let count = p.positions.len();
        let open = |n: usize| !p.inside[n] && self.node_passable(n, protected);
        let mut parent: Vec<usize> = (0..count).collect();
        fn root(parent: &mut [usize], mut n: usize) -> usize {
            while parent[n] != n {
                parent[n] = parent[parent[n]];
                n = parent[n];
            }
            n
        }
        let mut public_nodes = Vec::new();
        for (s, segment) in p.segments.iter().enumerate() {
            let outside = p.directed[2 * s] == DirectedKind::Approach;
            if outside && open(segment.a) && open(segment.b) && self.segment_passable(s, protected)
            {
                let (a, b) = (root(&mut parent, segment.a), root(&mut parent, segment.b));
                if a != b {
                    parent[a] = b;
                }
                if segment.public_road {
                    public_nodes.push(segment.a);
                }
            }
        }
        let mut qualifies = vec![false; count];
        for n in public_nodes {
            let r = root(&mut parent, n);
            qualifies[r] = true;
        }
        for n in 0..count {
            if open(n) && (!p.node_in_range[n] || self.is_dead_end(n)) {
                let r = root(&mut parent, n);
                qualifies[r] = true;
            }
        }
        (0..count)
            .map(|n| open(n) && qualifies[root(&mut parent, n)])
            .collect()
    }

    /// A node with a single segment wide enough for the vehicle (barriers aside).
    pub(crate) fn is_dead_end(&self, n: usize) -> bool {
        let p = self.prepared;
        p.incident[n]
            .iter()
            .filter(|&&s| p.segments[s].width_m >= self.vehicle.width_m)
            .count()
            == 1
    }

    /// Turn from directed segment `from` into `to` at their shared node: the speed cap (None
    /// when the turn is tighter than the vehicle can steer) and the geometry behind it.
    fn turn(&self, from: usize, to: usize) -> Turn {
        // Found among the compact targets rather than the turns' whole records.
        let k = self
            .tables
            .turns_to_from(from)
            .iter()
            .position(|&target| target as usize == to)
            .expect("consecutive path segments share a node");
        turn_through(self.vehicle, &self.prepared.turns[from][k])
    }

    /// The turn into `path`'s `i`th segment from the one before it (`i` above 0).
    fn turn_into(&self, path: &ReportedPath<'_>, i: usize) -> Turn {
        self.turn(path.segments[i - 1], path.segments[i])
    }

    /// Speed at the end of segment `segment` entered at `start_speed_mps`, from the run-up table.
    pub(crate) fn run(&self, start_speed_mps: f64, segment: usize) -> f64 {
        let tables = self.tables;
        tables.run_up[usize::from(tables.run_up_of[segment])]
            .speed_after(start_speed_mps, tables.length_m[segment])
    }

    /// About the lowest speed at the start of `segment` from which the vehicle reaches
    /// `end_speed_mps` at its end ([`RunUpTable::start_speed_to_reach`]).
    pub(crate) fn start_speed_to_reach(&self, end_speed_mps: f64, segment: usize) -> f64 {
        let p = self.prepared;
        self.tables.run_up[p.friction_index[segment]]
            .start_speed_to_reach(end_speed_mps, p.segments[segment].length_m)
    }

    /// The highest speed any run-up of the vehicle ends at (from a start below it): a label
    /// there cannot be improved.
    pub(crate) fn highest_run_up_speed(&self) -> f64 {
        self.tables
            .run_up
            .iter()
            .map(RunUpTable::highest_speed_mps)
            .fold(0.0, f64::max)
    }

    pub(crate) fn start_speed(&self) -> f64 {
        self.options.start_speed_mps.min(self.vehicle.top_speed_mps)
    }

    /// Label-correcting max-speed search over directed segments.
    ///
    /// The state is the directed segment; its label is the highest speed at its end. One
    /// number per segment suffices because any lower arrival speed is also feasible (the
    /// vehicle can brake earlier or start slower), so the reachable speeds at a segment's end
    /// form an interval [0, label] and the braking pass of the forward–backward profile never
    /// invalidates a label.
    pub(crate) fn search(&self, protected: bool) -> Labels {
        self.search_from(protected, &self.origins(protected))
    }

    /// [`Self::search`] from `origins` (`Self::origins(protected)`, made by a caller that keeps
    /// them too).
    pub(crate) fn search_from(&self, protected: bool, origins: &[bool]) -> Labels {
        let count = self.prepared.directed.len();
        let labels = Labels {
            speed_mps: vec![UNREACHED; count],
            start_speed_mps: vec![UNREACHED; count],
            current_update: vec![usize::MAX; count],
            log: Vec::new(),
        };
        self.search_on(protected, labels, &[], origins)
    }

    /// The search without barriers, carried on from the labels `with_barriers` of the search
    /// with them: those are paths without barriers too, so only what the barriers held back
    /// (the segments arriving at a barrier, those turning into a segment only barriers narrow,
    /// and origins only barriers cut off) is searched further. The same fixpoint as a search
    /// from scratch (to within the improvement threshold: which of two paths that close is
    /// kept may differ), for the part of the graph the barriers touch.
    /// `origins` are `Self::origins(false)`.
    pub(crate) fn search_without_barriers_from(
        &self,
        with_barriers: &Labels,
        origins: &[bool],
    ) -> Labels {
        let p = self.prepared;
        let usable_with = self.usable(true);
        let usable_without = self.usable(false);
        let held_back: Vec<usize> = (0..p.directed.len())
            .filter(|&e| {
                with_barriers.speed_mps[e] >= 0.0
                    && matches!(p.directed[e], DirectedKind::Approach)
                    && (!self.node_passable(p.head(e), true)
                        || p.turns[e]
                            .iter()
                            .any(|turn| usable_without[turn.to] && !usable_with[turn.to]))
            })
            .collect();
        self.search_on(false, with_barriers.clone(), &held_back, origins)
    }

    /// Which directed segments the search may label (entry segments open up to the line).
    fn usable(&self, protected: bool) -> Vec<bool> {
        let p = self.prepared;
        (0..p.directed.len())
            .map(|d| {
                p.directed[d] != DirectedKind::Ignored
                    && self.direction_permitted(d)
                    && match p.directed[d] {
                        DirectedKind::Entry { t, .. } => self.entry_segment_open(d, t, protected),
                        _ => self.segment_passable(d / 2, protected),
                    }
            })
            .collect()
    }

    /// The search from `labels` (fresh, or those of a search over fewer segments), seeded
    /// from every origin and the labels `resume` to relax again.
    fn search_on(
        &self,
        protected: bool,
        mut labels: Labels,
        resume: &[usize],
        origins: &[bool],
    ) -> Labels {
        let p = self.prepared;
        let count = p.directed.len();
        // What the loop below asks at every turn and pop, in arrays a byte per item rather
        // than from the segments' and nodes' records.
        let usable: Vec<Usable> = self
            .usable(protected)
            .into_iter()
            .zip(&p.directed)
            .map(|(usable, kind)| match (usable, kind) {
                (false, _) => Usable::No,
                (true, DirectedKind::Entry { .. }) => Usable::Entry,
                (true, _) => Usable::Approach,
            })
            .collect();
        let node_open: Vec<bool> = (0..p.positions.len())
            .map(|n| self.node_passable(n, protected) && !p.inside[n])
            .collect();
        let mut queue = SlotQueue::new(count);
        let start = self.start_speed();
        for &e in resume {
            queue.push_or_raise(labels.speed_mps[e].to_bits(), e);
        }

        // Seed: a run-up may start at any origin.
        for (n, _) in origins.iter().enumerate().filter(|(_, origin)| **origin) {
            for &d in &p.outgoing[n] {
                if usable[d] != Usable::No {
                    self.offer(d, usable[d], start, None, &mut labels, &mut queue);
                }
            }
        }
        while let Some(e) = queue.pop() {
            if !node_open[p.head(e)] {
                continue;
            }
            let caps = self.tables.turn_caps_from(e);
            for (&f, &cap) in self.tables.turns_to_from(e).iter().zip(caps) {
                let f = f as usize;
                let kind = usable[f];
                if kind == Usable::No {
                    continue;
                }
                // The vehicle reached `node`, so it may also stop there and start again.
                match through_turn(labels.speed_mps[e], cap, start) {
                    Some(v) => {
                        let previous = Some(labels.current_update[e]);
                        self.offer(f, kind, v, previous, &mut labels, &mut queue)
                    }
                    None => self.offer(f, kind, start, None, &mut labels, &mut queue),
                }
            }
        }
        labels
    }

    fn offer(
        &self,
        d: usize,
        kind: Usable,
        entry_speed_mps: f64,
        previous: Option<usize>,
        labels: &mut Labels,
        queue: &mut SlotQueue,
    ) {
        if entry_speed_mps <= labels.start_speed_mps[d] + IMPROVEMENT_MPS {
            return;
        }
        let value = match kind {
            // Entry segments keep the speed at their start; the crossing is computed at the end.
            Usable::Entry => entry_speed_mps,
            _ => self.run(entry_speed_mps, d / 2),
        };
        if value > labels.speed_mps[d] + IMPROVEMENT_MPS {
            labels.speed_mps[d] = value;
            labels.start_speed_mps[d] = entry_speed_mps;
            labels.current_update[d] = labels.log.len();
            labels.log.push(LogEntry::new(d, previous));
            if kind == Usable::Approach {
                // Speeds are never negative, so their bit patterns order like their values.
                queue.push_or_raise(value.to_bits(), d);
            }
        }
    }

    /// The approach along `label`'s path (directed segments, entry segment `d` last, crossing
    /// the perimeter at `crossing`): its profile, bends and rating.
    ///
    /// The profile is [`crate::physics::forward_backward_profile`]'s over the path's segments
    /// and bends, and Model A's impact speed is `forward_profile_end_speed_mps`'s, bit for bit.
    /// For a shared search's path only the stations from the last one that the path's
    /// continuation into the entry segment could brake are integrated: the profile of the path
    /// behind its last update is kept in the search's [`ForwardCache`] (the same update always
    /// has the same path behind it), and made there from the one before where it is missing.
    ///
    /// Reports are made in two stages, [`Self::start_approach`] and [`Self::finish_approach`],
    /// so that [`Self::vehicle_results`] can drive many entry legs side by side in between;
    /// this is one approach alone through the same stages.
    #[cfg(test)]
    fn approach(&self, d: usize, crossing: Crossing, label: &EntryLabel<'_>) -> Approach {
        self.approach_and_barriers(d, crossing, label).0
    }

    /// [`Self::approach`] (without barriers) and the barriers on its path that stop the
    /// vehicle.
    #[cfg(test)]
    fn approach_and_barriers(
        &self,
        d: usize,
        crossing: Crossing,
        label: &EntryLabel<'_>,
    ) -> (Approach, Vec<BarrierOnPath>) {
        let mut drives = Vec::new();
        let under_way = self.start_approach(d, crossing, label, &mut drives);
        let mut speeds = Vec::new();
        let driven = self.drive_entry_legs(&drives, &mut speeds);
        self.finish_approach(&under_way, &speeds, &driven, true)
    }

    /// The approach along `label`'s path into entry segment `d` as far as its entry leg: the
    /// path read back, the profile behind the entry (a shared search's path, whose entry leg is
    /// then added to `drives`) or none (a path integrated whole when finished).
    fn start_approach<'l>(
        &self,
        d: usize,
        crossing: Crossing,
        label: &'l EntryLabel<'_>,
        drives: &mut Vec<LegDrive>,
    ) -> UnderWay<'l> {
        let (path, behind) = self.reported_path(d, crossing, label);
        let entry_leg = behind.as_deref().map(|behind| {
            let (cap, drive) = self.entry_drive(&path, behind);
            drives.push(drive);
            (cap, drives.len() - 1)
        });
        UnderWay {
            path,
            behind,
            entry_leg,
        }
    }

    /// Drives `drives` (entry legs), their forward speeds appended to `speeds`: per drive,
    /// where they lie there and Model A's speed at the leg's end.
    fn drive_entry_legs(&self, drives: &[LegDrive], speeds: &mut Vec<f64>) -> Vec<DrivenLeg> {
        drive_legs_side_by_side(
            self.vehicle,
            self.model(),
            drives,
            self.options.step_m,
            speeds,
        )
    }

    /// The approach `under_way` was started for, its entry leg driven (`speeds` and `driven`
    /// from [`Self::drive_entry_legs`]), with the barriers on its path that stop the vehicle
    /// when `barriers` is set.
    fn finish_approach(
        &self,
        under_way: &UnderWay<'_>,
        speeds: &[f64],
        driven: &[DrivenLeg],
        barriers: bool,
    ) -> (Approach, Vec<BarrierOnPath>) {
        let path = &under_way.path;
        let profile = match (under_way.behind.as_deref(), under_way.entry_leg) {
            (Some(behind), Some((cap, drive))) => {
                let (leg_speeds, model_a_end_mps) = &driven[drive];
                self.profile_driven(
                    path,
                    behind,
                    cap,
                    &speeds[leg_speeds.clone()],
                    *model_a_end_mps,
                )
            }
            _ => self.whole_profile(path),
        };
        let approach = self.report(path, &profile);
        let barriers = if barriers {
            self.barriers_on(path, &approach, &profile)
        } else {
            Vec::new()
        };
        (approach, barriers)
    }

    /// The speed a profile starts at: the start speed, capped as
    /// [`crate::physics::forward_backward_profile`] and `forward_profile_end_speed_mps` cap it.
    fn start_capped(&self) -> f64 {
        let start = self.start_speed();
        start.min(self.vehicle.top_speed_mps.max(start))
    }

    /// The path of `label` into entry segment `d`, crossed at `crossing`, and for a shared
    /// search's path the profile of all its segments but the entry (see
    /// [`Self::cached_profile`]).
    fn reported_path<'l>(
        &self,
        d: usize,
        crossing: Crossing,
        label: &'l EntryLabel<'_>,
    ) -> (ReportedPath<'l>, Option<Arc<PathProfile>>) {
        let segments = &label.path[..];
        let mut path = ReportedPath {
            d,
            crossing,
            segments,
            layout: Vec::with_capacity(segments.len()),
        };
        let behind = self.cached_profile(&mut path, label);
        if behind.is_none() {
            let legs = segments
                .iter()
                .map(|&segment_d| path_leg(self.prepared, segment_d, (d, crossing)));
            lay_out_more_legs(self.vehicle, &mut path.layout, legs, self.options.step_m);
        }
        (path, behind)
    }

    /// The profile of a whole path, every leg integrated (a path of no shared search).
    fn whole_profile(&self, path: &ReportedPath<'_>) -> ReportedProfile<'static> {
        let (vehicle, step) = (self.vehicle, self.options.step_m);
        let start = self.start_capped();
        let mut forward = Vec::with_capacity(last_station(&path.layout) + 1);
        forward.push(start);
        let mut model_a_mps = start;
        let legs: Vec<Leg> = (0..path.segments.len())
            .map(|i| path.leg(self.prepared, i))
            .collect();
        for (i, &leg) in legs.iter().enumerate() {
            let cap = (i > 0).then(|| self.turn_into(path, i).cap_mps.unwrap_or(0.0));
            model_a_mps = self.drive_leg(&mut forward, model_a_mps, cap, leg);
        }
        ReportedProfile::every(
            legs_profile(vehicle, &legs, forward, step),
            vehicle.top_speed_mps,
            model_a_mps,
        )
    }

    /// The profile of `path` without its entry segment, kept in the shared search's caches
    /// (made and kept, back to the last one kept, where missing), with `path`'s layout: that
    /// of the legs behind the last profile kept is read from the profiles behind it, not laid
    /// out again. `None` (and no layout) for a path of no shared search.
    fn cached_profile(
        &self,
        path: &mut ReportedPath<'_>,
        label: &EntryLabel<'_>,
    ) -> Option<Arc<PathProfile>> {
        let cached = label.cached.as_ref()?;
        let behind = path.segments.len() - 1;
        // Paths stop at entry segments. Were the entry driven before, its leg there would end
        // at the crossing too, unlike on the update's path: integrate the whole path then.
        if path.segments[..behind].contains(&path.d) {
            return None;
        }
        let step = self.options.step_m;
        let source = |i: usize| {
            cached
                .leg_source(i)
                .expect("an update behind every segment but the entry")
        };
        let mut known = behind;
        let mut profile = loop {
            if known == 0 {
                break Arc::new(PathProfile::start(self.start_capped(), step));
            }
            let (cache, update) = source(known - 1);
            if let Some(profile) = cache.profile(update, step) {
                break profile;
            }
            known -= 1;
        };
        let mut kept = Some(&*profile);
        while let Some(leg) = kept.and_then(|known| known.last_leg) {
            path.layout.push(leg);
            kept = kept.and_then(|known| known.parent.as_deref());
        }
        path.layout.reverse();
        debug_assert_eq!(path.layout.len(), known, "a leg per profile behind");
        let end = (path.d, path.crossing);
        let legs = path.segments[known..]
            .iter()
            .map(|&segment_d| path_leg(self.prepared, segment_d, end));
        lay_out_more_legs(self.vehicle, &mut path.layout, legs, step);
        for i in known..behind {
            let cap = (i > 0).then(|| self.turn_into(path, i).cap_mps.unwrap_or(0.0));
            let made = self.profile_through(
                &profile,
                cap,
                path.leg(self.prepared, i),
                (&path.segments[..=i], &path.layout[..=i]),
            );
            let (cache, update) = source(i);
            profile = cache.keep(update, made);
        }
        Some(profile)
    }

    /// The profile of `parent`'s path continued by `leg` (the last of `layout`, into the last
    /// of `segments`) through a bend capped at `cap` (none at the run-up's start).
    fn profile_through(
        &self,
        parent: &Arc<PathProfile>,
        cap: Option<f64>,
        leg: Leg,
        (segments, layout): (&[usize], &[LegStations]),
    ) -> PathProfile {
        let mut model_a_end_mps = parent.model_a_end_mps;
        let speeds = stations_after(parent, cap, layout, |speeds| {
            let drive = drive_after(parent.forward_end_mps(), parent.model_a_end_mps, cap, leg);
            model_a_end_mps = self.drive(drive, speeds);
        });
        let first = parent.tail_from;
        let tail_from = last_final_station(layout, first, &speeds);
        let segment = &self.prepared.segments[segments[segments.len() - 1] / 2];
        let (points, bends) = self.nodes_made_final(parent, (segments, layout), &speeds, tail_from);
        let top_speed_mps = self.vehicle.top_speed_mps;
        let top_speed_reached = parent.top_speed_reached
            || speeds[..tail_from - first]
                .iter()
                .any(|&speed| speed >= top_speed_mps - 1e-6);
        PathProfile {
            step_bits: self.options.step_m.to_bits(),
            parent: Some(Arc::clone(parent)),
            settled_from: first,
            tail_from,
            time_s: clock_at(layout, first, &speeds, parent.time_s, tail_from),
            top_speed_reached,
            speeds: speeds.into_boxed_slice(),
            model_a_end_mps,
            end_m: parent.end_m + segment.length_m,
            nodes_final: parent.nodes_final + points.len(),
            points,
            bends,
            last_leg: layout.last().copied(),
        }
    }

    /// The reported points (and bends) at the nodes of the path of `segments` (laid out as
    /// `layout`) whose speed is not final in `parent`'s profile but is before `tail_from`,
    /// `speeds` being the stations from `parent.tail_from` on: what [`Self::report`] finds
    /// there for every continuation of the path.
    fn nodes_made_final(
        &self,
        parent: &PathProfile,
        (segments, layout): (&[usize], &[LegStations]),
        speeds: &[f64],
        tail_from: usize,
    ) -> (Box<[PathPoint]>, Box<[Bend]>) {
        let open = parent.nodes_final..segments.len();
        // Each node's distance is the end of the path behind it, the last node's the parent's.
        let mut distances = Vec::with_capacity(open.len());
        let mut behind = Some(parent);
        for _ in open.clone() {
            let known = behind.expect("a profile behind every node");
            distances.push(known.end_m);
            behind = known.parent.as_deref();
        }
        distances.reverse();
        let (mut points, mut bends) = (Vec::new(), Vec::new());
        for (i, distance_m) in open.zip(distances) {
            // Where `ReportedProfile::speed_at` looks: a station of the path so far unless
            // past its end, and the nodes' stations come in path order.
            let station = first_station_at_least(layout, distance_m - 1e-9, i);
            if station >= tail_from {
                break;
            }
            let speed_mps = speeds[station - parent.tail_from];
            points.push(self.path_point(segments[i], distance_m, speed_mps));
            if i > 0 {
                let turn = self.turn(segments[i - 1], segments[i]);
                bends.extend(self.bend(segments, i, &turn, distance_m, speed_mps));
            }
        }
        (points.into_boxed_slice(), bends.into_boxed_slice())
    }

    /// The reported point at the tail of directed segment `segment_d`.
    fn path_point(&self, segment_d: usize, distance_m: f64, speed_mps: f64) -> PathPoint {
        let p = self.prepared;
        let node = p.tail(segment_d);
        PathPoint {
            node: Some(p.node_ids[node]),
            position: p.positions[node],
            distance_m,
            speed_mps,
        }
    }

    /// The bend at the tail of `segments[i]` (`i` above 0) through `turn`, `distance_m` from
    /// the run-up's start and driven at `speed_mps`, when the heading changes by 2° or more.
    fn bend(
        &self,
        segments: &[usize],
        i: usize,
        turn: &Turn,
        distance_m: f64,
        speed_mps: f64,
    ) -> Option<Bend> {
        if turn.deflection.to_degrees() < 2.0 {
            return None;
        }
        let p = self.prepared;
        let friction = p.segments[segments[i] / 2]
            .friction
            .max(p.segments[segments[i - 1] / 2].friction);
        let grip = grip_speed_limit_mps(friction, turn.radius_m);
        let rollover =
            rollover_speed_limit_mps(self.vehicle.static_rollover_threshold_g, turn.radius_m);
        let cap = turn.cap_mps.unwrap_or(0.0);
        let limit =
            if speed_mps >= self.vehicle.top_speed_mps - 1e-6 && cap > self.vehicle.top_speed_mps {
                BendLimit::SpeedLimiter
            } else if speed_mps >= cap - 1e-3 {
                turn.limit.unwrap_or(BendLimit::Grip)
            } else {
                BendLimit::Power
            };
        Some(Bend {
            node: p.node_ids[p.tail(segments[i])],
            distance_m,
            deflection_deg: turn.deflection.to_degrees(),
            radius_m: turn.radius_m,
            grip_limit_mps: grip,
            rollover_limit_mps: rollover,
            speed_mps,
            limit,
        })
    }

    /// Drives `leg` on from the last of the forward speeds `forward` (capped first by the bend
    /// into it, `cap`, where there is one): appends the leg's forward speeds and returns
    /// Model A's forward pass at its end, from `model_a_mps` at its start (when Model B is the
    /// search's; otherwise unused).
    fn drive_leg(
        &self,
        forward: &mut Vec<f64>,
        model_a_mps: f64,
        cap: Option<f64>,
        leg: Leg,
    ) -> f64 {
        let last = forward.last_mut().expect("a profile has a station");
        let drive = drive_after(*last, model_a_mps, cap, leg);
        cap_station(last, cap);
        self.drive(drive, forward)
    }

    /// Drives one leg as `drive` says with the search's model, appending its forward speeds
    /// to `forward`: Model A's speed at its end (with Model B, driven alongside; otherwise its
    /// entry speed, unused). [`Self::drive_entry_legs`] drives many at once, bit for bit the
    /// same.
    fn drive(&self, drive: LegDrive, forward: &mut Vec<f64>) -> f64 {
        drive_leg_alone(
            self.vehicle,
            self.model(),
            drive,
            self.options.step_m,
            forward,
        )
    }

    /// The profile of `path` from `behind`, the profile of all its segments but the entry: its
    /// stations from `behind`'s last final one on.
    #[cfg(test)]
    fn profile_after<'p>(
        &self,
        path: &ReportedPath<'_>,
        behind: &'p PathProfile,
    ) -> ReportedProfile<'p> {
        let (cap, drive) = self.entry_drive(path, behind);
        let mut leg_speeds = Vec::new();
        let driven = self.drive_entry_legs(&[drive], &mut leg_speeds);
        self.profile_driven(path, behind, cap, &leg_speeds, driven[0].1)
    }

    /// How the entry leg of `path` is driven after `behind` (the profile of all its segments
    /// but the entry), as [`Self::drive_leg`] drives it: the cap of the turn into the entry
    /// (none at the run-up's start), and the leg entered at `behind`'s forward speed at its
    /// end, and Model A's, capped by it.
    fn entry_drive(
        &self,
        path: &ReportedPath<'_>,
        behind: &PathProfile,
    ) -> (Option<f64>, LegDrive) {
        let entry = path.segments.len() - 1;
        let cap = (entry > 0).then(|| self.turn_into(path, entry).cap_mps.unwrap_or(0.0));
        let leg = path.leg(self.prepared, entry);
        let drive = drive_after(behind.forward_end_mps(), behind.model_a_end_mps, cap, leg);
        (cap, drive)
    }

    /// The profile of `path` from `behind`, the profile of all its segments but the entry,
    /// its entry leg driven (`leg_speeds`, its forward speeds after the first station, and
    /// Model A's speed at its end): the stations from `behind`'s last final one on
    /// ([`stations_after`]).
    fn profile_driven<'p>(
        &self,
        path: &ReportedPath<'_>,
        behind: &'p PathProfile,
        cap: Option<f64>,
        leg_speeds: &[f64],
        model_a_end_mps: f64,
    ) -> ReportedProfile<'p> {
        let speeds = stations_after(behind, cap, &path.layout, |speeds| {
            speeds.extend_from_slice(leg_speeds);
        });
        // One profile per segment before the entry, and the run-up's start.
        let mut settled = Vec::with_capacity(path.segments.len());
        let mut profile = Some(behind);
        while let Some(known) = profile {
            settled.push(known);
            profile = known.parent.as_deref();
        }
        settled.reverse();
        let (first, last) = (behind.tail_from, last_station(&path.layout));
        let top_speed_mps = self.vehicle.top_speed_mps;
        ReportedProfile {
            last: ProfileStation {
                distance_m: station_distance_m(&path.layout, last),
                speed_mps: speeds[last - first],
                time_s: clock_at(&path.layout, first, &speeds, behind.time_s, last),
            },
            top_speed_reached: behind.top_speed_reached
                || speeds.iter().any(|&speed| speed >= top_speed_mps - 1e-6),
            stations: ReportedStations::From {
                first,
                speeds,
                settled,
                at: Cell::new(0),
            },
            model_a_end_mps,
        }
    }

    /// The approach along `path` with the profile `profile`.
    fn report(&self, path: &ReportedPath<'_>, profile: &ReportedProfile<'_>) -> Approach {
        let p = self.prepared;
        let d = path.d;
        let Crossing {
            t,
            perimeter_edge,
            point,
        } = path.crossing;
        let last = profile.last;
        // The braking pass never lowers the last station, so Model A's impact speed is the end
        // of its forward pass.
        let model_a_impact_mps = match self.model() {
            AccelerationModel::PowerAndTraction => profile.model_a_end_mps,
            AccelerationModel::ConstantPerClass => last.speed_mps,
        };

        let segments = path.segments;
        let mut points = Vec::with_capacity(segments.len() + 1);
        let mut bends = Vec::new();
        // Along a shared search's path the nodes whose speed is final were reported as the
        // profiles behind were kept: only those after them are worked out here.
        let (open_from, mut distance_m) = match &profile.stations {
            ReportedStations::From { settled, .. } => {
                let behind = settled.last().expect("the profile behind the entry");
                // Room for the bends kept and one per node after them, so the vector is
                // allocated once (about 30 bends of 70 bytes on Munich's paths).
                let open_nodes = segments.len() - behind.nodes_final;
                bends.reserve(
                    settled.iter().map(|known| known.bends.len()).sum::<usize>() + open_nodes,
                );
                for known in settled {
                    points.extend_from_slice(&known.points);
                    bends.extend_from_slice(&known.bends);
                }
                (behind.nodes_final, settled[behind.nodes_final].end_m)
            }
            ReportedStations::Every(_) => {
                bends.reserve(segments.len());
                (0, 0.0)
            }
        };
        for (i, &segment_d) in segments.iter().enumerate().skip(open_from) {
            let speed_mps = profile.speed_at(&path.layout, distance_m, i);
            points.push(self.path_point(segment_d, distance_m, speed_mps));
            if i > 0 {
                let turn = self.turn_into(path, i);
                bends.extend(self.bend(segments, i, &turn, distance_m, speed_mps));
            }
            let segment = &p.segments[segment_d / 2];
            distance_m += if segment_d == d {
                t * segment.length_m
            } else {
                segment.length_m
            };
        }
        points.push(PathPoint {
            node: None,
            position: point,
            distance_m,
            speed_mps: last.speed_mps,
        });

        let heading = p.heading(d);
        let n = self.perimeter.len();
        let edge = self.perimeter[(perimeter_edge + 1) % n].sub(self.perimeter[perimeter_edge]);
        let sine = heading.cross(edge).abs() / edge.norm();
        let impact_angle_deg = sine.clamp(0.0, 1.0).asin().to_degrees();
        let impact_speed_mps = last.speed_mps;
        Approach {
            impact_speed_mps,
            impact_speed_kmh: mps_to_kmh(impact_speed_mps),
            kinetic_energy_kj: kinetic_energy_j(self.vehicle.mass_kg, impact_speed_mps) / 1000.0,
            impact_angle_deg,
            run_up_m: last.distance_m,
            start_speed_mps: self.start_speed(),
            time_s: last.time_s,
            top_speed_reached: profile.top_speed_reached,
            path: points,
            bends,
            model_a_impact_speed_kmh: mps_to_kmh(model_a_impact_mps),
            required_rating: required_rating(
                self.vehicle,
                impact_speed_mps,
                impact_angle_deg,
                self.options.perimeter_stand_off_m(),
            ),
        }
    }

    /// Barriers that block this vehicle along an (unprotected) approach path.
    fn barriers_on(
        &self,
        path: &ReportedPath<'_>,
        approach: &Approach,
        profile: &ReportedProfile<'_>,
    ) -> Vec<BarrierOnPath> {
        let p = self.prepared;
        let (d, t) = (path.d, path.crossing.t);
        let mut found = Vec::new();
        let mut distance_m = 0.0;
        for (i, &segment_d) in path.segments.iter().enumerate() {
            let speed_at_distance = |distance: f64| profile.speed_at(&path.layout, distance, i);
            let tail = p.tail(segment_d);
            if let Some(b) = p.node_barrier[tail]
                && !self.node_passable(tail, true)
            {
                found.push(self.barrier_on_path(
                    b,
                    p.barriers[b].reference.clone(),
                    (distance_m, approach.run_up_m),
                    speed_at_distance(distance_m),
                ));
            }
            let segment = &p.segments[segment_d / 2];
            let reach_m = if segment_d == d {
                t * segment.length_m + BARRIER_LINE_TOLERANCE_M
            } else {
                segment.length_m
            };
            let mut on_segment: Vec<(f64, usize, BarrierRef)> = segment
                .constrictions
                .iter()
                .filter(|c| c.clear_width_m < self.vehicle.width_m)
                .map(|c| {
                    (
                        p.directed_station(segment_d, c.station_m),
                        c.barrier,
                        c.reference.clone(),
                    )
                })
                .filter(|(station, _, _)| *station <= reach_m)
                .collect();
            on_segment.sort_by(|x, y| x.0.total_cmp(&y.0));
            for (station, b, reference) in on_segment {
                let at = distance_m + station;
                found.push(self.barrier_on_path(
                    b,
                    reference,
                    (at, approach.run_up_m),
                    speed_at_distance(at.min(approach.run_up_m)),
                ));
            }
            if segment_d == d {
                let head = p.head(d);
                if let Some(b) = p.node_barrier[head]
                    && !self.node_passable(head, true)
                    && segment.length_m <= reach_m
                {
                    found.push(self.barrier_on_path(
                        b,
                        p.barriers[b].reference.clone(),
                        (approach.run_up_m, approach.run_up_m),
                        approach.impact_speed_mps,
                    ));
                }
            }
            distance_m += segment.length_m;
        }
        found
    }

    fn barrier_on_path(
        &self,
        b: usize,
        reference: BarrierRef,
        (distance_m, run_up_m): (f64, f64),
        speed_mps: f64,
    ) -> BarrierOnPath {
        let info = &self.prepared.barriers[b];
        // Behind a barrier out on the approach lies the rest of the path to the perimeter as
        // well as the perimeter's own stand-off.
        let available_stand_off_m = self
            .options
            .perimeter_stand_off_m()
            .map(|stand_off| stand_off + (run_up_m - distance_m).max(0.0));
        // Impacts on barriers along the path are taken head-on (90°): the path's heading there
        // relative to the barrier line is not modelled.
        let required = required_rating(self.vehicle, speed_mps, 90.0, available_stand_off_m);
        let stand_off = match (&info.rating, available_stand_off_m) {
            (Some(rating), Some(available_m)) => Some(StandOffCheck {
                available_m,
                penetration_m: rating.penetration_m,
                fits: rating.penetration_m <= available_m,
            }),
            _ => None,
        };
        let rating_check = match (&info.rating, &required) {
            (Some(rating), RatingRequirement::Rating(required)) => {
                Some(check_rating(rating, required))
            }
            (Some(_), RatingRequirement::None) => Some(RatingCheck {
                meets: true,
                shortfalls: Vec::new(),
            }),
            (Some(_), RatingRequirement::BeyondStandard { reason }) => Some(RatingCheck {
                meets: false,
                shortfalls: vec![reason.clone()],
            }),
            (None, _) => None,
        };
        BarrierOnPath {
            barrier: reference,
            kind: info.barrier.kind.clone(),
            distance_m,
            speed_mps,
            required_rating: required,
            rating: info.rating.clone(),
            rating_check,
            stand_off,
        }
    }

    /// The vehicle's result at each of `entries`: entry segment `d` crossed at `crossing`,
    /// from the best paths into it with barriers (`None`: unreached) and without them (`None`:
    /// not searched or unreached). Every approach is read back first; then their entry legs
    /// are driven side by side ([`drive_legs_side_by_side`]); then each is reported.
    pub(crate) fn vehicle_results<'l>(
        &self,
        entries: &[EntryLabels<'l, '_>],
    ) -> Vec<VehicleResult> {
        let p = self.prepared;
        let mut drives = Vec::new();
        let plans: Vec<Result<_, EntryStatus>> = entries
            .iter()
            .map(|&(d, crossing, protected, unprotected)| {
                if p.segments[d / 2].width_m < self.vehicle.width_m {
                    return Err(EntryStatus::TooNarrow);
                }
                if !self.direction_permitted(d) {
                    return Err(EntryStatus::NotPermitted);
                }
                // Barriers matter where the entry is reachable only without them, or faster
                // without them.
                let unprotected = unprotected.filter(|label| {
                    protected.is_none_or(|protected| {
                        label.speed_mps > protected.speed_mps + IMPROVEMENT_MPS
                    })
                });
                let protected =
                    protected.map(|label| self.start_approach(d, crossing, label, &mut drives));
                let unprotected =
                    unprotected.map(|label| self.start_approach(d, crossing, label, &mut drives));
                Ok((protected, unprotected))
            })
            .collect();
        let mut speeds = Vec::new();
        let driven = self.drive_entry_legs(&drives, &mut speeds);
        plans
            .into_iter()
            .map(|plan| {
                let vehicle = self.vehicle.code.clone();
                let (protected, unprotected) = match plan {
                    Ok(approaches) => approaches,
                    Err(status) => {
                        return VehicleResult {
                            vehicle,
                            status,
                            approach: None,
                            unprotected_approach: None,
                            barriers_relied_on: Vec::new(),
                        };
                    }
                };
                let approach = protected
                    .map(|under_way| self.finish_approach(&under_way, &speeds, &driven, false).0);
                let status = match (&approach, &unprotected) {
                    (Some(_), _) => EntryStatus::Open,
                    (None, Some(_)) => EntryStatus::ClosedByBarriers,
                    (None, None) => EntryStatus::Unreachable,
                };
                let (unprotected_approach, barriers_relied_on) = match unprotected {
                    Some(under_way) => {
                        let (open, barriers) =
                            self.finish_approach(&under_way, &speeds, &driven, true);
                        (Some(open), barriers)
                    }
                    None => (None, Vec::new()),
                };
                VehicleResult {
                    vehicle,
                    status,
                    approach,
                    unprotected_approach,
                    barriers_relied_on,
                }
            })
            .collect()
    }
}

/// An entry for [`SearchContext::vehicle_results`]: its directed segment, its crossing, and
/// its labels with and without barriers.
pub(crate) type EntryLabels<'l, 'c> = (
    usize,
    Crossing,
    Option<&'l EntryLabel<'c>>,
    Option<&'l EntryLabel<'c>>,
);

/// How a leg is driven on from a path whose forward pass ends at `forward_end_mps` (and
/// Model A's at `model_a_end_mps`) through a bend capped at `cap` (none at the run-up's start):
/// both entered at their speed capped by the bend.
fn drive_after(forward_end_mps: f64, model_a_end_mps: f64, cap: Option<f64>, leg: Leg) -> LegDrive {
    let (mut entry_mps, mut model_a_entry_mps) = (forward_end_mps, model_a_end_mps);
    cap_station(&mut entry_mps, cap);
    cap_station(&mut model_a_entry_mps, cap);
    LegDrive {
        entry_mps,
        model_a_entry_mps,
        leg,
    }
}

/// Caps a station's speed at a bend's `cap` (caps are minima, so applying one now gives what
/// applying it with the station's other caps gives).
fn cap_station(speed_mps: &mut f64, cap: Option<f64>) {
    if let Some(cap) = cap {
        *speed_mps = speed_mps.min(cap);
    }
}

/// The speeds at the stations from `parent.tail_from` to the end of `parent`'s path continued
/// by a leg (the last of `layout`) through a bend capped at `cap`, after braking: `parent`'s
/// tail with its last station capped by the bend, then the leg's forward speeds, which
/// `drive` appends (driven from [`drive_after`]), then the braking pass. As
/// [`SearchContext::whole_profile`] integrates, from the first station a continuation can
/// brake.
fn stations_after(
    parent: &PathProfile,
    cap: Option<f64>,
    layout: &[LegStations],
    drive: impl FnOnce(&mut Vec<f64>),
) -> Vec<f64> {
    let tail = parent.tail();
    let steps = layout.last().map_or(0, |leg| leg.steps);
    let mut speeds = Vec::with_capacity(tail.len() + steps);
    speeds.extend_from_slice(tail);
    cap_station(speeds.last_mut().expect("a profile has a station"), cap);
    drive(&mut speeds);
    brake_stations(layout, parent.tail_from, &mut speeds);
    speeds
}

/// An approach read back as far as its entry leg ([`SearchContext::start_approach`]).
struct UnderWay<'l> {
    path: ReportedPath<'l>,
    /// The profile of all the path's segments but the entry (a shared search's path).
    behind: Option<Arc<PathProfile>>,
    /// With `behind`: the cap of the turn into the entry, and which drive is its entry leg.
    entry_leg: Option<(Option<f64>, usize)>,
}

/// A reported path: its directed segments (the entry segment `d` last, crossed at
/// `crossing`) and where the stations of their legs (the entry's cut at the crossing) lie.
/// The turns between its segments are worked out where needed
/// ([`SearchContext::turn_into`]): along a shared search's path most are needed only once per
/// update, when its profile is kept.
struct ReportedPath<'l> {
    d: usize,
    crossing: Crossing,
    segments: &'l [usize],
    layout: Vec<LegStations>,
}

impl ReportedPath<'_> {
    /// The leg of the path's `i`th segment: the segment, or up to the crossing for the entry.
    fn leg(&self, prepared: &Prepared, i: usize) -> Leg {
        path_leg(prepared, self.segments[i], (self.d, self.crossing))
    }
}

/// The leg of directed segment `segment_d` on a path into entry segment `d` crossed at
/// `crossing`: the segment, or up to the crossing for the entry.
fn path_leg(prepared: &Prepared, segment_d: usize, (d, crossing): (usize, Crossing)) -> Leg {
    let segment = &prepared.segments[segment_d / 2];
    Leg {
        length_m: if segment_d == d {
            crossing.t * segment.length_m
        } else {
            segment.length_m
        },
        friction: segment.friction,
    }
}

/// A reported approach's profile: its last station, whether it reaches the top speed, Model
/// A's speed at its end, and its stations.
struct ReportedProfile<'p> {
    stations: ReportedStations<'p>,
    last: ProfileStation,
    top_speed_reached: bool,
    /// Model A's forward pass at the path's end (when Model B is the search's).
    model_a_end_mps: f64,
}

/// The stations of a reported profile.
enum ReportedStations<'p> {
    /// Every station.
    Every(Vec<ProfileStation>),
    /// The speeds at the stations from `first` on (a shared search's path), the final stations
    /// before `first` held by the profiles `settled` behind it, run-up start first.
    From {
        first: usize,
        speeds: Vec<f64>,
        settled: Vec<&'p PathProfile>,
        /// Where in `settled` the last node looked up was found: the nodes come in order.
        at: Cell<usize>,
    },
}

impl ReportedProfile<'_> {
    /// A profile with every station.
    fn every(stations: Vec<ProfileStation>, top_speed_mps: f64, model_a_end_mps: f64) -> Self {
        ReportedProfile {
            last: *stations.last().expect("a profile has at least one station"),
            top_speed_reached: stations.iter().any(|s| s.speed_mps >= top_speed_mps - 1e-6),
            stations: ReportedStations::Every(stations),
            model_a_end_mps,
        }
    }

    /// The speed `distance_m` from the path's start, expected on or near the path's leg
    /// `near` (laid out as `layout`): at the first station no nearer than that, as [`speed_at`]
    /// over every station finds it.
    fn speed_at(&self, layout: &[LegStations], distance_m: f64, near: usize) -> f64 {
        let (first, speeds, settled, at) = match &self.stations {
            ReportedStations::Every(stations) => {
                return speed_at_near(stations, distance_m, layout[near].start_station);
            }
            ReportedStations::From {
                first,
                speeds,
                settled,
                at,
            } => (*first, speeds, settled, at),
        };
        let station = first_station_at_least(layout, distance_m - 1e-9, near);
        if let Some(from_first) = station.checked_sub(first) {
            return speeds
                .get(from_first)
                .or(speeds.last())
                .copied()
                .unwrap_or(0.0);
        }
        // The profile whose final stations hold it: on from the one the station looked up
        // before was found in (they come in order along the path), else from the start.
        let mut k = at.get();
        if settled[k].settled_from > station {
            k = 0;
        }
        while settled[k].tail_from <= station {
            k += 1;
        }
        at.set(k);
        settled[k].speeds[station - settled[k].settled_from]
    }

    /// The same profile with every station, the clock added up from the start again.
    #[cfg(test)]
    fn with_every_station(self, layout: &[LegStations]) -> ReportedProfile<'static> {
        let stations = match self.stations {
            ReportedStations::Every(stations) => stations,
            ReportedStations::From {
                first,
                speeds,
                settled,
                ..
            } => {
                let mut every = Vec::with_capacity(first + speeds.len());
                for known in &settled {
                    every.extend_from_slice(known.settled());
                }
                debug_assert_eq!(every.len(), first, "the final stations before the first");
                every.extend_from_slice(&speeds);
                crate::physics::stations_from(layout, 0, &every, 0.0)
            }
        };
        debug_assert_eq!(
            format!("{:?}", stations.last()),
            format!("{:?}", Some(self.last)),
            "the clock kept with the profile behind"
        );
        ReportedProfile {
            stations: ReportedStations::Every(stations),
            ..self
        }
    }

    /// Every station (empty unless made with them).
    #[cfg(test)]
    fn into_stations(self) -> Vec<ProfileStation> {
        match self.stations {
            ReportedStations::Every(stations) => stations,
            ReportedStations::From { .. } => Vec::new(),
        }
    }
}

struct Turn {
    deflection: f64,
    radius_m: f64,
    /// Speed cap through the turn, or `None` when the vehicle cannot steer it.
    cap_mps: Option<f64>,
    limit: Option<BendLimit>,
}

/// The turn through `geometry` for `vehicle`: its speed cap (none when tighter than the
/// vehicle can steer) and what governs it.
fn turn_through(vehicle: &VehicleClass, geometry: &TurnGeometry) -> Turn {
    let (deflection, radius_m) = (geometry.deflection_rad, geometry.radius_m);
    if radius_m.is_infinite() {
        let cap_mps = Some(f64::INFINITY);
        return Turn {
            deflection,
            radius_m,
            cap_mps,
            limit: None,
        };
    }
    if radius_m < vehicle.min_turning_radius_m {
        return Turn {
            deflection,
            radius_m,
            cap_mps: None,
            limit: None,
        };
    }
    let (cap, limit) = corner_speed_limit(vehicle, geometry.friction, radius_m);
    Turn {
        deflection,
        radius_m,
        cap_mps: Some(cap),
        limit: Some(limit),
    }
}

/// [`speed_at`], searching first the few stations around `near` (where `distance_m` is
/// expected to fall): the same station whenever that bracket holds it (its ends are checked),
/// and `speed_at` over all stations otherwise. A long path's profile has thousands of stations
/// and a node on it each.
fn speed_at_near(stations: &[ProfileStation], distance_m: f64, near: usize) -> f64 {
    let low = near.saturating_sub(2).min(stations.len());
    let high = (near + 3).min(stations.len());
    let target = distance_m - 1e-9;
    let below_low = low == 0 || stations[low - 1].distance_m < target;
    let from_high = high == stations.len() || stations[high].distance_m >= target;
    if !(below_low && from_high) {
        return speed_at(stations, distance_m);
    }
    let i = low + stations[low..high].partition_point(|s| s.distance_m < target);
    stations
        .get(i)
        .or(stations.last())
        .map_or(0.0, |s| s.speed_mps)
}

fn speed_at(stations: &[ProfileStation], distance_m: f64) -> f64 {
    let i = stations.partition_point(|s| s.distance_m < distance_m - 1e-9);
    stations
        .get(i)
        .or(stations.last())
        .map_or(0.0, |s| s.speed_mps)
}

/// The searches' queue of labels to relax (by directed segment, or by slot in a repair):
/// highest speed first, of equal speeds the lowest index first, the order a
/// `BinaryHeap<(speed bits, Reverse(index))>` pops in. Each index is queued at most once: a
/// label that improves while queued moves up instead of being queued again, so no stale entry
/// is ever popped (in a site's repair a label improved about three times before it was
/// relaxed). Keys of queued indices are distinct, so the order is total and the labels are
/// relaxed in the order the lazy heap relaxed them.
pub(crate) struct SlotQueue {
    /// A binary heap of (speed bits, slot).
    heap: Vec<(u64, u32)>,
    /// Per slot, its place in `heap`, or `NOT_QUEUED`.
    place: Vec<u32>,
}

impl SlotQueue {
    const NOT_QUEUED: u32 = u32::MAX;

    pub(crate) fn new(slots: usize) -> SlotQueue {
        SlotQueue {
            heap: Vec::new(),
            place: vec![Self::NOT_QUEUED; slots],
        }
    }

    /// Makes room for slots up to `slots` (a queue whose slots are added as it goes).
    pub(crate) fn grow(&mut self, slots: usize) {
        if self.place.len() < slots {
            self.place.resize(slots, Self::NOT_QUEUED);
        }
    }

    /// Whether `a` comes out before `b`.
    fn before(a: (u64, u32), b: (u64, u32)) -> bool {
        a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
    }

    /// Queues `slot` with key `bits`, or raises its key to `bits` (keys only rise: labels
    /// only improve).
    pub(crate) fn push_or_raise(&mut self, bits: u64, slot: usize) {
        let at = match self.place[slot] {
            Self::NOT_QUEUED => {
                self.heap.push((bits, slot as u32));
                self.heap.len() - 1
            }
            at => {
                debug_assert!(bits >= self.heap[at as usize].0, "keys only rise");
                self.heap[at as usize].0 = bits;
                at as usize
            }
        };
        self.sift_up(at);
    }

    /// The first slot, taken out.
    pub(crate) fn pop(&mut self) -> Option<usize> {
        let last = self.heap.pop()?;
        let top = match self.heap.first_mut() {
            Some(first) => {
                let top = std::mem::replace(first, last);
                self.sift_down(0);
                top
            }
            None => last,
        };
        self.place[top.1 as usize] = Self::NOT_QUEUED;
        Some(top.1 as usize)
    }

    /// Children per heap node: a four-way heap is half as deep as a binary one, and a pop
    /// (most of a search's queue work) then moves an item down half as many levels, comparing
    /// children that lie side by side in memory. Keys are distinct (a slot is queued once), so
    /// the order items come out in is the same whatever the arity.
    const ARITY: usize = 4;

    fn sift_up(&mut self, mut at: usize) {
        let item = self.heap[at];
        while at > 0 {
            let parent = (at - 1) / Self::ARITY;
            if !Self::before(item, self.heap[parent]) {
                break;
            }
            self.put(at, self.heap[parent]);
            at = parent;
        }
        self.put(at, item);
    }

    /// Puts `item` at `at` in the heap, and notes where it is.
    fn put(&mut self, at: usize, item: (u64, u32)) {
        self.heap[at] = item;
        self.place[item.1 as usize] = at as u32;
    }

    fn sift_down(&mut self, mut at: usize) {
        let item = self.heap[at];
        let len = self.heap.len();
        loop {
            let first = Self::ARITY * at + 1;
            if first >= len {
                break;
            }
            let mut child = first;
            for candidate in first + 1..(first + Self::ARITY).min(len) {
                if Self::before(self.heap[candidate], self.heap[child]) {
                    child = candidate;
                }
            }
            if !Self::before(self.heap[child], item) {
                break;
            }
            self.put(at, self.heap[child]);
            at = child;
        }
        self.put(at, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;

    /// `labels`' path into entry segment `d` as a shared search gives it: with the update
    /// behind each segment but the entry, the profiles behind them kept in `cache`.
    fn entry_label_with_cache<'c>(
        labels: &Labels,
        d: usize,
        cache: &'c ForwardCache,
    ) -> Option<EntryLabel<'c>> {
        let label = labels.entry_label(d)?;
        let mut updates = Vec::new();
        let mut update = labels.log[labels.current_update[d]].previous();
        while let Some(index) = update {
            updates.push(index);
            update = labels.log[index].previous();
        }
        updates.reverse();
        Some(EntryLabel {
            speed_mps: label.speed_mps,
            path: label.path,
            cached: Some(CachedPath {
                shared: cache,
                local: cache,
                local_from: labels.log.len(),
                updates,
            }),
        })
    }

    #[test]
    fn profiles_from_the_kept_profiles_behind_are_the_whole_paths_profiles_bit_for_bit() {
        // A reported approach over a shared search's path integrates only the stations its
        // entry segment could brake, from the profiles kept per update of the search's log;
        // the approach, its barriers and every station must be what integrating the whole path
        // gives. Every vehicle, both models, a rolling start, coarser and finer steps, paths
        // with and without barriers; the kept profiles made in one order of entries and read
        // back in the other. The points and bends kept with the profiles, and the layout of
        // the legs read from them, must be what reporting the whole path gives too.
        let city = crate::synthetic::synthetic_city(8, 8, 90.0, 3, 3, 7);
        let mut checked = 0;
        let mut with_kept_points = 0;
        for site in &city.sites {
            for (model, start_speed_mps, step_m) in [
                (AccelerationModel::PowerAndTraction, 0.0, 1.0),
                (AccelerationModel::ConstantPerClass, 0.0, 1.0),
                (AccelerationModel::PowerAndTraction, 4.2, 0.5),
                (AccelerationModel::PowerAndTraction, 0.0, 2.5),
            ] {
                let mut study = Study::new(site.clone());
                study.options.acceleration_model = model;
                study.options.start_speed_mps = start_speed_mps;
                study.options.step_m = step_m;
                let prepared = prepare(&city.network, &study, &mut Vec::new()).unwrap();
                let entries = prepared.entry_crossings();
                for vehicle in crate::vehicle::standard_vehicle_classes() {
                    with_own_search(&prepared, &vehicle, &study.options, |context| {
                        for protected in [true, false] {
                            let labels = context.search(protected);
                            let cache = ForwardCache::default();
                            let forwards = entries.iter();
                            for &(d, crossing) in forwards.clone().chain(forwards.rev()) {
                                let Some(kept) = entry_label_with_cache(&labels, d, &cache) else {
                                    continue;
                                };
                                let whole = labels.entry_label(d).unwrap();
                                let (approach, barriers) =
                                    context.approach_and_barriers(d, crossing, &kept);
                                let expected = context.approach_and_barriers(d, crossing, &whole);
                                assert_eq!(
                                    format!("{:?}", (&approach, &barriers)),
                                    format!("{expected:?}"),
                                    "{} {model:?}",
                                    vehicle.code
                                );
                                let (path, behind) = context.reported_path(d, crossing, &kept);
                                let behind = behind.unwrap();
                                let legs: Vec<Leg> = (0..path.segments.len())
                                    .map(|i| path.leg(&prepared, i))
                                    .collect();
                                assert_eq!(
                                    format!("{:?}", path.layout),
                                    format!(
                                        "{:?}",
                                        crate::physics::lay_out_legs(&vehicle, &legs, step_m)
                                    )
                                );
                                if behind.nodes_final > 0 {
                                    with_kept_points += 1;
                                }
                                let stations = context
                                    .profile_after(&path, &behind)
                                    .with_every_station(&path.layout)
                                    .into_stations();
                                let expected = context.whole_profile(&path).into_stations();
                                assert_eq!(format!("{stations:?}"), format!("{expected:?}"));
                                checked += 1;
                            }
                        }
                    });
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        assert!(
            with_kept_points > checked / 2,
            "{with_kept_points} of {checked}"
        );
    }

    #[test]
    fn reported_profiles_reproduce_the_search_labels() {
        // The search integrates with run-up tables and the report re-integrates the path found
        // step by step (hvm.md §6.2, Δs ≤ 1 m): both must give the same speed where the path
        // reaches the entry segment, to 0.05 m/s.
        let city = crate::synthetic::synthetic_city(10, 10, 90.0, 3, 3, 5);
        let mut checked = 0;
        for site in &city.sites {
            let study = Study::new(site.clone());
            let prepared = prepare(&city.network, &study, &mut Vec::new()).unwrap();
            for vehicle in crate::vehicle::standard_vehicle_classes() {
                with_own_search(&prepared, &vehicle, &study.options, |context| {
                    let labels = context.search(true);
                    for (d, crossing) in prepared.entry_crossings() {
                        let Some(label) = labels.entry_label(d) else {
                            continue;
                        };
                        let approach = context.approach(d, crossing, &label);
                        // The profile's speed there, as `speed_at` over its stations finds it.
                        let profiled = approach.path[approach.path.len() - 2].speed_mps;
                        assert!(
                            (profiled - labels.speed_mps[d]).abs() < 0.05,
                            "{}: label {} profile {profiled}",
                            vehicle.code,
                            labels.speed_mps[d]
                        );
                        checked += 1;
                    }
                });
            }
        }
        assert!(checked > 20, "{checked}");
    }
}
