//! Adapter from a site's real geometry (the `street_network` city model built from OSM by
//! `osm_import`, and the site's outline) to a [`Scenario`]. This module is the only place that
//! knows `street_network` and `geo`; the engine core works on its own plain input.
//!
//! Choices made here (each an assumption to revisit with real cases):
//! - Walkable area: the site outline (its largest part), widened by a short apron where each
//!   exit is, minus the footprints of buildings that block people (not roofs on pillars, not
//!   underground ones) and minus the user's obstacles (stalls, stages), each in frame metres.
//!   Where buildings cut the area into pieces, the largest piece is kept (a diagnostic says
//!   how much was left out).
//! - Exits: wherever a street, path or steps (any highway that is not underground or indoor;
//!   railway tracks excepted) crosses the outline's boundary, or starts on it and leaves it,
//!   one exit as wide as the way (`width`/`est_width`, else a per-kind default from
//!   [`ExitWidths`]). The opening in the outline stays open; the exit polygon lies
//!   [`EXIT_SETBACK_M`] behind it on the apron, so the opening's width limits the flow (an exit
//!   drawn inside the area would be entered from three sides, crowd.md §3.4). Crossings closer
//!   than their half-widths merge into one exit (the wider way's name wins). Passages through a
//!   building at street level (`tunnel=building_passage`) count; a way ending within
//!   [`ENDPOINT_SNAP_M`] outside the outline leaves it there. Openings wider than
//!   [`EXIT_LANE_WIDTH_M`] become side-by-side lanes (agents head for an exit's centre, so one
//!   wide exit would be used only in its middle); [`exit_opening_name`] groups them back, and
//!   the lanes share one [`Exit::opening`] so that agents spread to the shorter queue.
//! - Barriers the user draws are walls; one that spans an opening up to [`BARRIER_REACH_M`]
//!   out along the street closes that exit, or narrows it to the widest gap left. Exits the
//!   user adds sit on the nearest point of the outline.
//! - Population: a density over the walkable part of the outline, or a count, placed at random
//!   with the options' seed; Weidmann speeds by default; each agent takes the nearest exit
//!   (opening), and moves between the lanes of that opening to the shorter queue.
//! - Grids: 0.25 m way-finding cells (a 200 m × 200 m site with ten exits needs 77 MB; keep
//!   at least four cells across the narrowest exit) and 2 m density cells (4 m², the scale of
//!   Fruin's level-of-service classes rather than of one body).

use geo::{Area, BooleanOps, BoundingRect, LineString, MultiPolygon, Polygon, Rect};
use street_network as sn;

use crate::error::{Error, invalid};
use crate::geometry::{Point, closest_point_on_segment, point_in_ring, segments_intersect};
use crate::scenario::{
    DesiredSpeed, Exit, ExitChoice, Population, Premovement, Scenario, WalkableArea,
};

/// How deep the apron behind each opening in the outline is, m.
pub const APRON_DEPTH_M: f64 = 3.0;
/// How far behind the opening the exit polygon starts, m (it fills the rest of the apron).
pub const EXIT_SETBACK_M: f64 = 2.0;
/// Thickness given to a barrier line the user draws, m: a fence or crowd barrier is thinner,
/// but the way-finding grid (0.25 m cells) needs two cells to see it as a wall.
pub const BARRIER_THICKNESS_M: f64 = 0.5;
/// How far out along a street a barrier line still closes or narrows the opening where the
/// street leaves the site, m (an event's barrier line stands a few metres up the street, beyond
/// the short apron that is simulated).
pub const BARRIER_REACH_M: f64 = 25.0;
/// The narrowest gap one person passes through, m: a body (0.4 m, the engine's 0.2 m radius)
/// with a little room. A barrier line across an opening that leaves no wider gap closes it.
pub const MIN_PASSABLE_GAP_M: f64 = 0.6;
/// How far from the outline an exit the user adds may be, m.
pub const ADDED_EXIT_MAX_OFFSET_M: f64 = 10.0;
/// Widest lane of an exit, m. Agents head for the centre of their exit (as JuPedSim's do), so
/// one wide exit polygon draws everyone to its middle; a wider opening is split into
/// side-by-side lanes at most this wide and each agent takes the nearest, so the crowd spreads
/// over the whole width. The lanes share one [`Exit::opening`], so agents move to the lane with
/// the shorter queue. (The 0.42 p/(m s) once measured through Marienplatz's 6 m Kaufingerstraße
/// is the walk, not the exit: see the crowd_sim test
/// `kaufingerstrasse_alone_empties_the_square_at_the_pace_of_the_walk_not_of_the_exit`.)
pub const EXIT_LANE_WIDTH_M: f64 = 2.5;
/// Between an opening's name and its lane number in the exits' names (`Tal (way/1) · lane 2/3`).
pub const EXIT_LANE_SEPARATOR: &str = " · lane ";
/// A way that ends outside the outline but this close to it still leaves the site there, m
/// (mappers end a street a few centimetres short of a square's edge).
pub const ENDPOINT_SNAP_M: f64 = 1.0;

/// The opening (street) an exit of a site scenario belongs to: its name without the lane
/// suffix ([`EXIT_LANE_SEPARATOR`]).
pub fn exit_opening_name(exit_name: &str) -> &str {
    exit_name
        .split_once(EXIT_LANE_SEPARATOR)
        .map_or(exit_name, |(opening, _)| opening)
}

/// What to put on the site besides its geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteCrowdOptions {
    /// How many people are on the site at the alarm.
    pub population: SitePopulation,
    /// Obstacles the user drew (stalls, stages, fences), polygons in frame metres.
    pub obstacles: Vec<Vec<Point>>,
    /// Barrier lines people cannot cross (a fence, an event's closure of a street), lines in
    /// frame metres. Each is a [`BARRIER_THICKNESS_M`]-thick wall; one that spans an opening
    /// within [`BARRIER_REACH_M`] of the outline closes that exit, or narrows it to the widest
    /// gap it leaves.
    pub barriers: Vec<Vec<Point>>,
    /// Exits the user adds (a gate the map does not show).
    pub added_exits: Vec<AddedSiteExit>,
    /// Exit widths for ways without a mapped width.
    pub exit_widths: ExitWidths,
    /// Desired walking speed of everyone.
    pub speed_mps: DesiredSpeed,
    /// Pre-movement time of everyone.
    pub premovement_s: Premovement,
    /// Seed of the placement and of sampled speeds and pre-movement times.
    pub seed: u64,
    /// The run stops at this simulated time, s.
    pub max_time_s: f64,
    /// Way-finding grid cell, m.
    pub navigation_cell_m: f64,
    /// How people choose their exit: the nearest (the default, and the worst case where one
    /// exit is near many people), or the quickest, reconsidered as queues form.
    pub exit_choice: ExitChoice,
}

impl Default for SiteCrowdOptions {
    /// One person per 2 m² (HSG195's 0.5 m² per person is the crowded limit for standing
    /// events; 0.5 /m² is a busy market), Weidmann speeds, no pre-movement, seed 0, 900 s.
    fn default() -> Self {
        SiteCrowdOptions {
            population: SitePopulation::DensityPerM2(0.5),
            obstacles: Vec::new(),
            barriers: Vec::new(),
            added_exits: Vec::new(),
            exit_widths: ExitWidths::default(),
            speed_mps: DesiredSpeed::WEIDMANN,
            premovement_s: Premovement::Fixed(0.0),
            seed: 0,
            max_time_s: 900.0,
            navigation_cell_m: 0.25,
            exit_choice: ExitChoice::Nearest,
        }
    }
}

/// An exit the user adds on the outline.
#[derive(Clone, Debug, PartialEq)]
pub struct AddedSiteExit {
    /// Its name in reports.
    pub name: String,
    /// A point on (or within [`ADDED_EXIT_MAX_OFFSET_M`] of) the outline, frame metres; the exit
    /// is centred on the nearest point of the outline.
    pub at: Point,
    /// Clear width, m.
    pub width_m: f64,
}

/// How many people are on the site.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SitePopulation {
    /// Persons per m² of walkable area inside the outline (rounded to whole persons).
    DensityPerM2(f64),
    /// A number of persons (e.g. the site's capacity or an event's expected attendance).
    Count(usize),
}

/// Exit widths for ways whose width is not mapped, m. Assumptions, not a standard: a pedestrian
/// street as osm_import buffers an unmapped one (6 m); a footway or path 2 m; a road 6 m (two
/// lanes people can fill in an evacuation); anything else 3 m.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExitWidths {
    /// `highway=pedestrian`.
    pub pedestrian_m: f64,
    /// Footways, paths, cycleways and steps.
    pub footway_m: f64,
    /// Roads, living streets and service roads.
    pub road_m: f64,
    /// Any other highway.
    pub other_m: f64,
}

impl Default for ExitWidths {
    fn default() -> Self {
        ExitWidths {
            pedestrian_m: 6.0,
            footway_m: 2.0,
            road_m: 6.0,
            other_m: 3.0,
        }
    }
}

/// Something about the site's data worth telling the user; the scenario is built anyway.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SiteDiagnostic {
    /// What it is about, e.g. `way/123`, `outline` or `obstacles[2]`.
    pub subject: String,
    /// What happened.
    pub message: String,
}

/// One exit found on the outline, before the walkable area is assembled.
struct Opening {
    name: String,
    centre: Point,
    /// Unit vector along the outline at the crossing.
    along: Point,
    /// Unit vector pointing out of the outline.
    outward: Point,
    width_m: f64,
    /// A passage through a building at street level (`tunnel=building_passage`).
    through_building: bool,
}

/// Builds a crowd scenario from a site's real geometry: the walkable area (outline minus
/// buildings and the user's obstacles), exits where streets and paths leave the outline, and a
/// population by density or count.
///
/// `outline_m` is the site's outline in the network's frame metres (the app projects the
/// site's WGS84 polygon with `network.frame.project_geometry`). Only its largest part is used.
///
/// ```
/// use crowd_sim::{SiteCrowdOptions, SitePopulation, site_scenario};
/// use street_network::{LocalFrame, StreetNetwork};
///
/// // An empty city: no street leaves the square, so there is no exit.
/// let city = StreetNetwork {
///     frame: LocalFrame::new(11.575, 48.137),
///     nodes: vec![],
///     ways: vec![],
///     areas: vec![],
///     barrier_lines: vec![],
///     buildings: vec![],
/// };
/// let square = geo::MultiPolygon::new(vec![geo::Rect::new((0.0, 0.0), (40.0, 30.0)).to_polygon()]);
/// let options = SiteCrowdOptions { population: SitePopulation::Count(100), ..Default::default() };
/// let err = site_scenario(&city, &square, &options).unwrap_err();
/// assert!(err.to_string().starts_with("exits: no street or path leaves the site"), "{err}");
/// ```
///
/// # Errors
/// [`Error::Invalid`] when the outline is empty, no way leaves it, an obstacle is not a polygon,
/// or the population is not a positive number.
pub fn site_scenario(
    network: &sn::StreetNetwork,
    outline_m: &MultiPolygon<f64>,
    options: &SiteCrowdOptions,
) -> Result<(Scenario, Vec<SiteDiagnostic>), Error> {
    let mut diagnostics = Vec::new();
    let outline = largest_part(outline_m, "outline", &mut diagnostics)
        .ok_or_else(|| invalid("outline", "the site outline is empty"))?;
    let ring = ring_points(outline.exterior());

    let mut openings = find_openings(network, &ring, &options.exit_widths);
    for (k, added) in options.added_exits.iter().enumerate() {
        openings.push(added_opening(&ring, added, &format!("added_exits[{k}]"))?);
    }
    let barrier_lines = checked_barriers(&options.barriers)?;
    let openings = apply_barriers(openings, &barrier_lines, &mut diagnostics);
    if openings.is_empty() {
        return Err(invalid(
            "exits",
            if options.barriers.is_empty() {
                "no street or path leaves the site outline; draw the exits"
            } else {
                "every street or path leaving the site is closed by barriers; add an exit"
            },
        ));
    }

    // Walkable area: outline ∪ aprons − buildings − obstacles.
    let aprons: Vec<Polygon<f64>> = openings
        .iter()
        .map(|o| rectangle_across(o, -0.5, APRON_DEPTH_M))
        .collect();
    let mut walkable = MultiPolygon::new(vec![outline.clone()]);
    for apron in &aprons {
        walkable = walkable.union(&MultiPolygon::new(vec![apron.clone()]));
    }
    let (blockers, user_blockers) = blocking_polygons(
        network,
        &walkable,
        options,
        &barrier_lines,
        &mut diagnostics,
    )?;
    let outline_only = MultiPolygon::new(vec![outline.clone()]).difference(&blockers);
    let mut walkable = walkable.difference(&blockers);
    // A passage through a building (the arcade under a town hall) stays open: its apron is
    // walkable unless the user's obstacles or barriers close it.
    for (opening, apron) in openings.iter().zip(&aprons) {
        if opening.through_building {
            let open = MultiPolygon::new(vec![apron.clone()]).difference(&user_blockers);
            walkable = walkable.union(&open);
        }
    }
    let walkable = largest_part(&walkable, "walkable area", &mut diagnostics)
        .ok_or_else(|| invalid("outline", "buildings and obstacles cover the whole site"))?;
    let walkable_mp = MultiPolygon::new(vec![walkable.clone()]);

    // Exits: keep those whose polygon overlaps what is left of their apron.
    let mut exits: Vec<Exit> = Vec::new();
    for opening in &openings {
        let lanes = (opening.width_m / EXIT_LANE_WIDTH_M).ceil().max(1.0) as usize;
        let lane_width = opening.width_m / lanes as f64;
        let open_lanes: Vec<Polygon<f64>> = (0..lanes)
            .map(|lane| {
                let s0 = -opening.width_m / 2.0 + lane as f64 * lane_width;
                rectangle_span(
                    opening,
                    (s0, s0 + lane_width),
                    EXIT_SETBACK_M,
                    APRON_DEPTH_M,
                )
            })
            .filter(|polygon| {
                let overlap = walkable_mp
                    .intersection(&MultiPolygon::new(vec![polygon.clone()]))
                    .unsigned_area();
                overlap >= 0.25 * lane_width
            })
            .collect();
        if open_lanes.is_empty() {
            diagnostics.push(SiteDiagnostic {
                subject: opening.name.clone(),
                message: "left out as an exit: buildings or obstacles close it".into(),
            });
            continue;
        }
        if open_lanes.len() < lanes {
            diagnostics.push(SiteDiagnostic {
                subject: opening.name.clone(),
                message: format!(
                    "{} of its {lanes} lanes closed by buildings or obstacles",
                    lanes - open_lanes.len()
                ),
            });
        }
        let mut name = opening.name.clone();
        let mut k = 2;
        while exits
            .iter()
            .any(|e| exit_opening_name(&e.name) == name.as_str())
        {
            name = format!("{} #{k}", opening.name);
            k += 1;
        }
        let count = open_lanes.len();
        for (lane, polygon) in open_lanes.iter().enumerate() {
            let lane_name = if count == 1 {
                name.clone()
            } else {
                format!("{name}{EXIT_LANE_SEPARATOR}{}/{count}", lane + 1)
            };
            let mut exit = Exit::new(lane_name, ring_points(polygon.exterior()));
            // Lanes of one opening: agents move to the lane with the shorter queue.
            exit.opening = (count > 1).then(|| name.clone());
            exits.push(exit);
        }
    }
    if exits.is_empty() {
        return Err(invalid(
            "exits",
            "every street or path leaving the site is closed by buildings or obstacles",
        ));
    }

    // Population over the walkable part of the outline.
    let area_m2 = outline_only.unsigned_area();
    let count = match options.population {
        SitePopulation::Count(n) => n,
        SitePopulation::DensityPerM2(d) if d > 0.0 && d.is_finite() => {
            (d * area_m2).round() as usize
        }
        SitePopulation::DensityPerM2(d) => {
            return Err(invalid(
                "population.density_per_m2",
                format!("{d} must be finite and > 0"),
            ));
        }
    };
    if count == 0 {
        return Err(invalid("population", "no one to simulate (count 0)"));
    }
    let mut people = Population::in_area(ring, count);
    people.speed_mps = options.speed_mps;
    people.premovement_s = options.premovement_s;

    let holes = walkable
        .interiors()
        .iter()
        .map(ring_points)
        .filter(|h| crate::geometry::ring_signed_area(h).abs() >= 0.01)
        .collect();
    let mut scenario = Scenario::new(
        WalkableArea {
            outer: ring_points(walkable.exterior()),
            holes,
        },
        exits,
        vec![people],
    );
    scenario.seed = options.seed;
    scenario.max_time_s = options.max_time_s;
    scenario.navigation_cell_m = options.navigation_cell_m;
    scenario.exit_choice = options.exit_choice;
    scenario.output.density_cell_m = 2.0;
    diagnostics.sort();
    Ok((scenario, diagnostics))
}

/// The part of `polygons` with the largest area; a diagnostic if others were dropped.
fn largest_part(
    polygons: &MultiPolygon<f64>,
    subject: &str,
    diagnostics: &mut Vec<SiteDiagnostic>,
) -> Option<Polygon<f64>> {
    let mut parts: Vec<&Polygon<f64>> = polygons.0.iter().collect();
    parts.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
    let largest = parts.first()?;
    if largest.unsigned_area() <= 0.0 {
        return None;
    }
    let dropped: f64 = parts[1..].iter().map(|p| p.unsigned_area()).sum();
    if parts.len() > 1 && dropped >= 1.0 {
        diagnostics.push(SiteDiagnostic {
            subject: subject.into(),
            message: format!(
                "{} separate part(s) of {dropped:.0} m² left out; only the largest part ({:.0} m²) is simulated",
                parts.len() - 1,
                largest.unsigned_area()
            ),
        });
    }
    Some((*largest).clone())
}

/// A ring's vertices without the repeated closing point.
fn ring_points(ring: &LineString<f64>) -> Vec<Point> {
    let mut points: Vec<Point> = ring.0.iter().map(|c| Point::new(c.x, c.y)).collect();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    points
}

fn to_polygon(ring: &[Point]) -> Polygon<f64> {
    Polygon::new(
        LineString::from(ring.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>()),
        Vec::new(),
    )
}

/// The rectangle across an opening: as wide as the way, from `from_m` to `to_m` outward.
fn rectangle_across(opening: &Opening, from_m: f64, to_m: f64) -> Polygon<f64> {
    let h = opening.width_m / 2.0;
    rectangle_span(opening, (-h, h), from_m, to_m)
}

/// The rectangle over `(s0, s1)` along an opening (0 at its centre), from `from_m` to `to_m`
/// outward; its first edge runs along the opening.
fn rectangle_span(opening: &Opening, (s0, s1): (f64, f64), from_m: f64, to_m: f64) -> Polygon<f64> {
    let (c, t, n) = (opening.centre, opening.along, opening.outward);
    let at = |s: f64, d: f64| Point::new(c.x + t.x * s + n.x * d, c.y + t.y * s + n.y * d);
    to_polygon(&[at(s0, from_m), at(s1, from_m), at(s1, to_m), at(s0, to_m)])
}

/// Union of the footprints of buildings that block people, of the user's obstacles and of
/// the user's barrier lines, over the area's bounding box; and the union of the user's alone.
fn blocking_polygons(
    network: &sn::StreetNetwork,
    area: &MultiPolygon<f64>,
    options: &SiteCrowdOptions,
    barrier_lines: &[Vec<Point>],
    diagnostics: &mut Vec<SiteDiagnostic>,
) -> Result<(MultiPolygon<f64>, MultiPolygon<f64>), Error> {
    let Some(bounds) = area.bounding_rect() else {
        return Ok((MultiPolygon::new(Vec::new()), MultiPolygon::new(Vec::new())));
    };
    let mut blockers: Vec<Polygon<f64>> = Vec::new();
    let mut user_blockers: Vec<Polygon<f64>> = Vec::new();
    let mut buildings = 0;
    for building in &network.buildings {
        if !building.blocks_vehicles() {
            continue;
        }
        for polygon in &building.footprint.0 {
            if polygon
                .bounding_rect()
                .is_some_and(|r| rects_overlap(&r, &bounds))
            {
                blockers.push(polygon.clone());
                buildings += 1;
            }
        }
    }
    for (k, obstacle) in options.obstacles.iter().enumerate() {
        let field = format!("obstacles[{k}]");
        if obstacle.len() < 3 || crate::geometry::ring_signed_area(obstacle).abs() < 1e-6 {
            return Err(invalid(
                field,
                "an obstacle needs at least 3 vertices and an area",
            ));
        }
        if let Some((a, b)) = crate::geometry::ring_self_intersection(obstacle) {
            return Err(invalid(
                field,
                format!("the polygon intersects itself (edges {a} and {b} cross)"),
            ));
        }
        user_blockers.push(to_polygon(obstacle));
    }
    for line in barrier_lines {
        for w in line.windows(2) {
            user_blockers.push(thick_segment(w[0], w[1], BARRIER_THICKNESS_M));
        }
    }
    blockers.extend(user_blockers.iter().cloned());
    if buildings > 0 {
        diagnostics.push(SiteDiagnostic {
            subject: "buildings".into(),
            message: format!("{buildings} building footprint(s) near the site subtracted"),
        });
    }
    Ok((
        geo::unary_union(blockers.iter()),
        geo::unary_union(user_blockers.iter()),
    ))
}

fn rects_overlap(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// The points where ways leave the outline `ring`, merged where they overlap.
fn find_openings(network: &sn::StreetNetwork, ring: &[Point], widths: &ExitWidths) -> Vec<Opening> {
    let orientation = crate::geometry::ring_signed_area(ring).signum();
    let (ring_min, ring_max) = crate::geometry::bounding_box(ring);
    let mut openings: Vec<Opening> = Vec::new();
    for way in &network.ways {
        let default_width = match way.kind {
            sn::WayKind::Railway | sn::WayKind::TramTrack => continue,
            sn::WayKind::Pedestrian => widths.pedestrian_m,
            sn::WayKind::Footway | sn::WayKind::Cycleway | sn::WayKind::Steps => widths.footway_m,
            sn::WayKind::Road | sn::WayKind::LivingStreet | sn::WayKind::Service => widths.road_m,
            sn::WayKind::Track | sn::WayKind::Construction | sn::WayKind::OtherHighway => {
                widths.other_m
            }
        };
        let through_building = is_ground_level_passage(way);
        if way.is_area || (way.is_underground_or_indoor() && !through_building) {
            continue;
        }
        let line: Vec<Point> = network
            .way_positions(way)
            .iter()
            .map(|p| Point::new(p.east_m, p.north_m))
            .collect();
        let (lo, hi) = crate::geometry::bounding_box(&line);
        if line.len() < 2
            || hi.x < ring_min.x
            || lo.x > ring_max.x
            || hi.y < ring_min.y
            || lo.y > ring_max.y
        {
            continue;
        }
        let width_m = way.width_m().filter(|w| *w > 0.0).unwrap_or(default_width);
        let name = match way.tags.get("name") {
            Some(name) => format!("{name} (way/{})", way.id.0),
            None => format!("way/{}", way.id.0),
        };
        for (centre, edge) in leaving_points(&line, ring) {
            let (a, b) = (ring[edge], ring[(edge + 1) % ring.len()]);
            let len = a.distance_to(b);
            let along = Point::new((b.x - a.x) / len, (b.y - a.y) / len);
            // Counter-clockwise ring: the outside is on the right of each edge.
            let outward = Point::new(along.y * orientation, -along.x * orientation);
            openings.push(Opening {
                name: name.clone(),
                centre,
                along,
                outward,
                width_m,
                through_building,
            });
        }
    }
    merge_openings(openings)
}

/// Whether a way passes through a building at street level (`tunnel=building_passage`, e.g.
/// the arcade under Munich's Altes Rathaus from Marienplatz to Tal): people walk it like a
/// street, though it counts as a tunnel. Not when it is also indoors or below ground.
fn is_ground_level_passage(way: &sn::Way) -> bool {
    if way.tags.get("tunnel").map(String::as_str) != Some("building_passage") {
        return false;
    }
    let mut without_tunnel = way.clone();
    without_tunnel.tags.remove("tunnel");
    !without_tunnel.is_underground_or_indoor()
}

/// Distance along the way checked on each side of a crossing, m.
const SIDE_PROBE_M: f64 = 1.0;

/// Where the polyline `line` leaves the ring: (point on the ring, index of the ring edge).
/// A crossing counts when the way is inside on one side and outside on the other; a way that
/// starts or ends on the boundary counts when its other side is outside.
fn leaving_points(line: &[Point], ring: &[Point]) -> Vec<(Point, usize)> {
    let mut cumulative = vec![0.0];
    for w in line.windows(2) {
        cumulative.push(cumulative.last().unwrap() + w[0].distance_to(w[1]));
    }
    let total = *cumulative.last().unwrap_or(&0.0);
    let at = |s: f64| -> Point {
        let s = s.clamp(0.0, total);
        let k = cumulative
            .partition_point(|&c| c <= s)
            .clamp(1, line.len() - 1);
        let (a, b) = (line[k - 1], line[k]);
        let seg = cumulative[k] - cumulative[k - 1];
        let t = if seg > 0.0 {
            (s - cumulative[k - 1]) / seg
        } else {
            0.0
        };
        Point::new(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    };
    let mut found: Vec<(Point, usize)> = Vec::new();
    for (k, w) in line.windows(2).enumerate() {
        for edge in 0..ring.len() {
            let (a, b) = (ring[edge], ring[(edge + 1) % ring.len()]);
            if !segments_intersect(w[0], w[1], a, b) {
                continue;
            }
            let c = line_intersection(w[0], w[1], a, b);
            let s = cumulative[k] + w[0].distance_to(c);
            let before = (s >= SIDE_PROBE_M).then(|| point_in_ring(at(s - SIDE_PROBE_M), ring));
            let after =
                (s + SIDE_PROBE_M <= total).then(|| point_in_ring(at(s + SIDE_PROBE_M), ring));
            let leaves = match (before, after) {
                (Some(x), Some(y)) => x != y,
                (Some(inside), None) | (None, Some(inside)) => !inside,
                (None, None) => false,
            };
            // The same crossing is found from both segments meeting at a vertex on the ring.
            if leaves && !found.iter().any(|(p, _)| p.distance_to(c) < 0.5) {
                found.push((c, edge));
            }
        }
    }
    // A way ending just outside the outline (mapped a little short of the square's edge)
    // leaves it at the nearest point of the outline.
    for end in [line[0], line[line.len() - 1]] {
        if point_in_ring(end, ring) {
            continue;
        }
        let nearest = (0..ring.len())
            .map(|edge| {
                let (a, b) = (ring[edge], ring[(edge + 1) % ring.len()]);
                (closest_point_on_segment(end, a, b), edge)
            })
            .min_by(|x, y| x.0.distance_to(end).total_cmp(&y.0.distance_to(end)));
        if let Some((c, edge)) = nearest
            && c.distance_to(end) <= ENDPOINT_SNAP_M
            && !found.iter().any(|(p, _)| p.distance_to(c) < 0.5)
        {
            found.push((c, edge));
        }
    }
    found
}

/// Intersection of the segments' supporting lines; the caller has checked that the segments
/// meet. For collinear overlaps, the point of `q1`–`q2` nearest `p1`.
fn line_intersection(p1: Point, p2: Point, q1: Point, q2: Point) -> Point {
    let (rx, ry) = (p2.x - p1.x, p2.y - p1.y);
    let (sx, sy) = (q2.x - q1.x, q2.y - q1.y);
    let denom = rx * sy - ry * sx;
    if denom.abs() < 1e-12 {
        return closest_point_on_segment(p1, q1, q2);
    }
    let t = ((q1.x - p1.x) * sy - (q1.y - p1.y) * sx) / denom;
    Point::new(p1.x + t * rx, p1.y + t * ry)
}

/// Merges openings closer than half their widths added: the wider (then the first) stays.
fn merge_openings(mut openings: Vec<Opening>) -> Vec<Opening> {
    // Widest first, so a footway joining a street's opening merges into the street.
    openings.sort_by(|a, b| b.width_m.total_cmp(&a.width_m).then(a.name.cmp(&b.name)));
    let mut kept: Vec<Opening> = Vec::new();
    for o in openings {
        match kept
            .iter_mut()
            .find(|k| k.centre.distance_to(o.centre) < (k.width_m + o.width_m) / 2.0)
        {
            // A square's footway ending where a passage through a building begins (Marienplatz
            // to Tal under the Altes Rathaus) is one opening, through the building.
            // It takes the passage's name: that is where it leads.
            Some(k) => {
                if o.through_building && !k.through_building {
                    k.through_building = true;
                    k.name = o.name;
                }
            }
            None => kept.push(o),
        }
    }
    // A stable order for reports: by name, then position.
    kept.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then(a.centre.x.total_cmp(&b.centre.x))
            .then(a.centre.y.total_cmp(&b.centre.y))
    });
    kept
}

/// The user's barrier lines, checked: at least two finite points each.
fn checked_barriers(barriers: &[Vec<Point>]) -> Result<Vec<Vec<Point>>, Error> {
    let mut lines = Vec::new();
    for (k, line) in barriers.iter().enumerate() {
        let field = format!("barriers[{k}]");
        if line.iter().any(|p| !(p.x.is_finite() && p.y.is_finite())) {
            return Err(invalid(field, "a point is not a finite coordinate"));
        }
        let mut points: Vec<Point> = Vec::new();
        for p in line {
            if points.last().is_none_or(|last| last.distance_to(*p) > 1e-6) {
                points.push(*p);
            }
        }
        if points.len() < 2 {
            return Err(invalid(
                field,
                "a barrier is a line: it needs at least two distinct points",
            ));
        }
        lines.push(points);
    }
    Ok(lines)
}

/// A rectangle `thickness_m` wide around the segment `a`–`b`.
fn thick_segment(a: Point, b: Point, thickness_m: f64) -> Polygon<f64> {
    let length = a.distance_to(b);
    let h = thickness_m / 2.0;
    let (tx, ty) = ((b.x - a.x) / length, (b.y - a.y) / length);
    let (nx, ny) = (-ty * h, tx * h);
    let (ex, ey) = (tx * h, ty * h);
    to_polygon(&[
        Point::new(a.x - ex + nx, a.y - ey + ny),
        Point::new(a.x - ex - nx, a.y - ey - ny),
        Point::new(b.x + ex - nx, b.y + ey - ny),
        Point::new(b.x + ex + nx, b.y + ey + ny),
    ])
}

/// The opening for an exit the user adds: centred on the point of the outline nearest `at`.
fn added_opening(ring: &[Point], added: &AddedSiteExit, field: &str) -> Result<Opening, Error> {
    if !(added.at.x.is_finite() && added.at.y.is_finite()) {
        return Err(invalid(format!("{field}.at"), "not a finite coordinate"));
    }
    if !(added.width_m.is_finite() && added.width_m >= MIN_PASSABLE_GAP_M && added.width_m <= 100.0)
    {
        return Err(invalid(
            format!("{field}.width_m"),
            format!(
                "{} is not a width between {MIN_PASSABLE_GAP_M} and 100 m",
                added.width_m
            ),
        ));
    }
    let (edge, centre) = (0..ring.len())
        .map(|k| {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            (k, closest_point_on_segment(added.at, a, b))
        })
        .min_by(|x, y| {
            x.1.distance_to(added.at)
                .total_cmp(&y.1.distance_to(added.at))
        })
        .ok_or_else(|| invalid("outline", "the site outline is empty"))?;
    let offset = centre.distance_to(added.at);
    if offset > ADDED_EXIT_MAX_OFFSET_M {
        return Err(invalid(
            format!("{field}.at"),
            format!(
                "{offset:.0} m from the site outline (at most {ADDED_EXIT_MAX_OFFSET_M} m); \
                 put the exit on the outline"
            ),
        ));
    }
    let orientation = crate::geometry::ring_signed_area(ring).signum();
    let (a, b) = (ring[edge], ring[(edge + 1) % ring.len()]);
    let len = a.distance_to(b);
    let along = Point::new((b.x - a.x) / len, (b.y - a.y) / len);
    Ok(Opening {
        name: if added.name.trim().is_empty() {
            field.to_string()
        } else {
            added.name.clone()
        },
        centre,
        along,
        outward: Point::new(along.y * orientation, -along.x * orientation),
        width_m: added.width_m,
        through_building: false,
    })
}

/// Closes the openings that barrier lines span (no gap of [`MIN_PASSABLE_GAP_M`] left across
/// the opening's width, from just inside the outline to [`BARRIER_REACH_M`] out along the
/// street) and narrows those they span in part to the widest gap left.
fn apply_barriers(
    openings: Vec<Opening>,
    barriers: &[Vec<Point>],
    diagnostics: &mut Vec<SiteDiagnostic>,
) -> Vec<Opening> {
    if barriers.is_empty() {
        return openings;
    }
    let mut kept = Vec::new();
    for mut opening in openings {
        let half = opening.width_m / 2.0;
        // Each barrier segment, in the opening's frame (s along the outline, d outward),
        // clipped to the corridor [-half, half] × [-1, BARRIER_REACH_M], covers an interval
        // of s (widened by half the barrier's thickness on each side).
        let mut covered: Vec<(f64, f64)> = Vec::new();
        for line in barriers {
            for w in line.windows(2) {
                let local = |p: Point| {
                    let (dx, dy) = (p.x - opening.centre.x, p.y - opening.centre.y);
                    (
                        dx * opening.along.x + dy * opening.along.y,
                        dx * opening.outward.x + dy * opening.outward.y,
                    )
                };
                if let Some((s0, s1)) = clip_to_box(
                    local(w[0]),
                    local(w[1]),
                    (-half, half),
                    (-1.0, BARRIER_REACH_M),
                ) {
                    let pad = BARRIER_THICKNESS_M / 2.0;
                    covered.push((s0.min(s1) - pad, s0.max(s1) + pad));
                }
            }
        }
        if covered.is_empty() {
            kept.push(opening);
            continue;
        }
        let (gap_start, gap_width) = widest_gap(-half, half, covered);
        if gap_width < MIN_PASSABLE_GAP_M {
            diagnostics.push(SiteDiagnostic {
                subject: opening.name.clone(),
                message: "closed by barriers: not an exit in this study".into(),
            });
            continue;
        }
        if gap_width < opening.width_m - 1e-6 {
            diagnostics.push(SiteDiagnostic {
                subject: opening.name.clone(),
                message: format!(
                    "narrowed by barriers from {:.1} m to {gap_width:.1} m",
                    opening.width_m
                ),
            });
            let shift = gap_start + gap_width / 2.0;
            opening.centre = Point::new(
                opening.centre.x + opening.along.x * shift,
                opening.centre.y + opening.along.y * shift,
            );
            opening.width_m = gap_width;
        }
        kept.push(opening);
    }
    kept
}

/// The part of segment `p`–`q` inside the box `s_range` × `d_range` (Liang–Barsky), as the
/// s coordinates of its two ends; `None` if it misses the box.
fn clip_to_box(
    p: (f64, f64),
    q: (f64, f64),
    s_range: (f64, f64),
    d_range: (f64, f64),
) -> Option<(f64, f64)> {
    let (ds, dd) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (delta, distance) in [
        (-ds, p.0 - s_range.0),
        (ds, s_range.1 - p.0),
        (-dd, p.1 - d_range.0),
        (dd, d_range.1 - p.1),
    ] {
        if delta == 0.0 {
            if distance < 0.0 {
                return None;
            }
        } else {
            let t = distance / delta;
            if delta < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((p.0 + t0 * ds, p.0 + t1 * ds))
}

/// The widest part of `[from, to]` that no interval of `covered` overlaps: (start, width).
fn widest_gap(from: f64, to: f64, mut covered: Vec<(f64, f64)>) -> (f64, f64) {
    covered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut best_start, mut best_width) = (from, 0.0);
    let mut cursor = from;
    for (start, end) in covered {
        if start > cursor && start.min(to) - cursor > best_width {
            best_start = cursor;
            best_width = start.min(to) - cursor;
        }
        cursor = cursor.max(end);
    }
    if to - cursor > best_width {
        best_start = cursor;
        best_width = to - cursor;
    }
    (best_start, best_width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_gap_between_covered_intervals() {
        // A 6 m opening with barriers over [-3, -1] and [0.5, 1]: gaps 1.5 m and 2 m.
        let (start, width) = widest_gap(-3.0, 3.0, vec![(0.5, 1.0), (-3.5, -1.0)]);
        assert_eq!((start, width), (1.0, 2.0));
        let (_, width) = widest_gap(-3.0, 3.0, vec![(-4.0, 4.0)]);
        assert_eq!(width, 0.0);
        assert_eq!(widest_gap(-1.0, 1.0, vec![]), (-1.0, 2.0));
    }

    #[test]
    fn a_segment_is_clipped_to_the_corridor() {
        // Across the corridor at d = 5: the whole width.
        let clipped = clip_to_box((-10.0, 5.0), (10.0, 5.0), (-3.0, 3.0), (-1.0, 25.0));
        assert_eq!(clipped, Some((-3.0, 3.0)));
        // Beyond the reach: nothing.
        assert_eq!(
            clip_to_box((-10.0, 30.0), (10.0, 30.0), (-3.0, 3.0), (-1.0, 25.0)),
            None
        );
        // A diagonal entering at s = 0: clipped at d = -1 and s = 3.
        let (s0, s1) = clip_to_box((-2.0, -3.0), (4.0, 3.0), (-3.0, 3.0), (-1.0, 25.0)).unwrap();
        assert!(
            (s0 - 0.0).abs() < 1e-12 && (s1 - 3.0).abs() < 1e-12,
            "{s0} {s1}"
        );
    }

    #[test]
    fn a_barrier_across_a_street_closes_its_exit_and_a_partial_one_narrows_it() {
        let opening = || Opening {
            name: "Street".into(),
            centre: Point::new(0.0, 0.0),
            along: Point::new(1.0, 0.0),
            outward: Point::new(0.0, 1.0),
            width_m: 6.0,
            through_building: false,
        };
        let mut diagnostics = Vec::new();
        // A line 10 m up the street, wider than it: closed.
        let across = vec![vec![Point::new(-5.0, 10.0), Point::new(5.0, 10.0)]];
        assert!(apply_barriers(vec![opening()], &across, &mut diagnostics).is_empty());
        assert!(diagnostics[0].message.starts_with("closed by barriers"));
        // A line leaving 2 m free on the east side: narrowed to 2 m − half the thickness.
        let partial = vec![vec![Point::new(-5.0, 10.0), Point::new(1.0, 10.0)]];
        let kept = apply_barriers(vec![opening()], &partial, &mut diagnostics);
        let expected = 2.0 - BARRIER_THICKNESS_M / 2.0;
        assert!(
            (kept[0].width_m - expected).abs() < 1e-9,
            "{}",
            kept[0].width_m
        );
        assert!((kept[0].centre.x - (3.0 - expected / 2.0)).abs() < 1e-9);
        // A line 40 m away changes nothing.
        let far = vec![vec![Point::new(-5.0, 40.0), Point::new(5.0, 40.0)]];
        assert_eq!(
            apply_barriers(vec![opening()], &far, &mut diagnostics)[0].width_m,
            6.0
        );
    }
}
