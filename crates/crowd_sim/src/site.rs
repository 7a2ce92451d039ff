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
//!   than their half-widths merge into one exit (the wider way's name wins).
//! - Population: a density over the walkable part of the outline, or a count, placed at random
//!   with the options' seed; Weidmann speeds by default; each agent takes the nearest exit.
//! - Grids: 0.25 m way-finding cells (a 200 m × 200 m site with ten exits needs 77 MB; keep
//!   at least four cells across the narrowest exit) and 2 m density cells (4 m², the scale of
//!   Fruin's level-of-service classes rather than of one body).

use geo::{Area, BooleanOps, BoundingRect, LineString, MultiPolygon, Polygon, Rect};
use street_network as sn;

use crate::error::{Error, invalid};
use crate::geometry::{Point, closest_point_on_segment, point_in_ring, segments_intersect};
use crate::scenario::{DesiredSpeed, Exit, Population, Premovement, Scenario, WalkableArea};

/// How deep the apron behind each opening in the outline is, m.
pub const APRON_DEPTH_M: f64 = 3.0;
/// How far behind the opening the exit polygon starts, m (it fills the rest of the apron).
pub const EXIT_SETBACK_M: f64 = 2.0;

/// What to put on the site besides its geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteCrowdOptions {
    /// How many people are on the site at the alarm.
    pub population: SitePopulation,
    /// Obstacles the user drew (stalls, stages, fences), polygons in frame metres.
    pub obstacles: Vec<Vec<Point>>,
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
}

impl Default for SiteCrowdOptions {
    /// One person per 2 m² (HSG195's 0.5 m² per person is the crowded limit for standing
    /// events; 0.5 /m² is a busy market), Weidmann speeds, no pre-movement, seed 0, 900 s.
    fn default() -> Self {
        SiteCrowdOptions {
            population: SitePopulation::DensityPerM2(0.5),
            obstacles: Vec::new(),
            exit_widths: ExitWidths::default(),
            speed_mps: DesiredSpeed::WEIDMANN,
            premovement_s: Premovement::Fixed(0.0),
            seed: 0,
            max_time_s: 900.0,
            navigation_cell_m: 0.25,
        }
    }
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

    let openings = find_openings(network, &ring, &options.exit_widths);
    if openings.is_empty() {
        return Err(invalid(
            "exits",
            "no street or path leaves the site outline; draw the exits",
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
    let blockers = blocking_polygons(network, &walkable, options, &mut diagnostics)?;
    let outline_only = MultiPolygon::new(vec![outline.clone()]).difference(&blockers);
    let walkable = walkable.difference(&blockers);
    let walkable = largest_part(&walkable, "walkable area", &mut diagnostics)
        .ok_or_else(|| invalid("outline", "buildings and obstacles cover the whole site"))?;
    let walkable_mp = MultiPolygon::new(vec![walkable.clone()]);

    // Exits: keep those whose polygon overlaps what is left of their apron.
    let mut exits: Vec<Exit> = Vec::new();
    for opening in &openings {
        let polygon = rectangle_across(opening, EXIT_SETBACK_M, APRON_DEPTH_M);
        let overlap = walkable_mp
            .intersection(&MultiPolygon::new(vec![polygon.clone()]))
            .unsigned_area();
        if overlap < 0.25 * opening.width_m {
            diagnostics.push(SiteDiagnostic {
                subject: opening.name.clone(),
                message: "left out as an exit: buildings or obstacles close it".into(),
            });
            continue;
        }
        let mut name = opening.name.clone();
        let mut k = 2;
        while exits.iter().any(|e| e.name == name) {
            name = format!("{} #{k}", opening.name);
            k += 1;
        }
        exits.push(Exit::new(name, ring_points(polygon.exterior())));
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
    let (c, t, n, h) = (
        opening.centre,
        opening.along,
        opening.outward,
        opening.width_m / 2.0,
    );
    let at = |s: f64, d: f64| Point::new(c.x + t.x * s + n.x * d, c.y + t.y * s + n.y * d);
    to_polygon(&[at(-h, from_m), at(h, from_m), at(h, to_m), at(-h, to_m)])
}

/// Union of the footprints of buildings that block people and of the user's obstacles, over
/// the area's bounding box.
fn blocking_polygons(
    network: &sn::StreetNetwork,
    area: &MultiPolygon<f64>,
    options: &SiteCrowdOptions,
    diagnostics: &mut Vec<SiteDiagnostic>,
) -> Result<MultiPolygon<f64>, Error> {
    let Some(bounds) = area.bounding_rect() else {
        return Ok(MultiPolygon::new(Vec::new()));
    };
    let mut blockers: Vec<Polygon<f64>> = Vec::new();
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
        blockers.push(to_polygon(obstacle));
    }
    if buildings > 0 {
        diagnostics.push(SiteDiagnostic {
            subject: "buildings".into(),
            message: format!("{buildings} building footprint(s) near the site subtracted"),
        });
    }
    Ok(geo::unary_union(blockers.iter()))
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
        if way.is_area || way.is_underground_or_indoor() {
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
            });
        }
    }
    merge_openings(openings)
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
        if !kept
            .iter()
            .any(|k| k.centre.distance_to(o.centre) < (k.width_m + o.width_m) / 2.0)
        {
            kept.push(o);
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
