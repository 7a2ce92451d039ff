//! Turns the input network and study into indexed segments the search runs over: which
//! segments lie outside the perimeter, which cross it (entries), and what blocks each one.

use std::collections::BTreeMap;

use crate::analysis::{Diagnostic, Error};
use crate::geometry::{
    Point, circumradius_m, deflection_rad, offset_from_segment, ring_contains, ring_signed_area_m2,
    segment_intersection,
};
use crate::network::{
    Barrier, BarrierLine, Network, NodeId, Oneway, Options, PointObstacle, Study, Way, WayId,
    WayKind,
};
use crate::physics::widest_line_radius_m;
use crate::rating::{Rating, parse_rating};

/// Width in m of an open area (pedestrian square) when none is mapped.
pub(crate) const AREA_DEFAULT_WIDTH_M: f64 = 20.0;
/// Areas joined by more ways than this get no straight lines across (cost grows as joins × n²).
const AREA_MAX_JOINS: usize = 64;
/// Outlines with at most this many nodes get straight lines between every pair of their nodes,
/// driven both ways; larger ones (façades traced node by node) only from the nodes where ways
/// join them.
const AREA_ALL_PAIRS_MAX_NODES: usize = 12;
/// A perimeter with no drivable node this close is reported as probably outside the map, m.
const NEARBY_M: f64 = 1000.0;
/// Points closer than this to the perimeter line are on it, m.
const ON_BOUNDARY_M: f64 = 1e-6;
/// Free-standing obstacles closer than this along a segment form one row across it.
const OBSTACLE_ROW_DEPTH_M: f64 = 1.5;
/// A barrier this far past the perimeter line on an entry segment still protects the entry
/// (perimeters are drawn by hand; bollards often stand just inside them).
pub(crate) const BARRIER_LINE_TOLERANCE_M: f64 = 5.0;

/// Where a segment's width came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WidthSource {
    /// Mapped (`width`, `est_width`, lanes).
    Mapped,
    /// The per-kind default of [`WayKind::default_width_m`] (or 20 m for an open area).
    DefaultForKind,
}

/// A barrier the search may meet, with its parsed rating.
#[derive(Debug, Clone)]
pub(crate) struct BarrierInfo {
    pub reference: BarrierRef,
    pub barrier: Barrier,
    pub rating: Option<Rating>,
}

/// Which input barrier this is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BarrierRef {
    /// A barrier on a network node.
    Node(NodeId),
    /// A mapped or added barrier line.
    Line(crate::network::BarrierId),
    /// A row of free-standing obstacles across a segment.
    Obstacles(Vec<crate::network::BarrierId>),
}

/// Something on a segment that narrows it: a barrier line crossing or a row of obstacles.
#[derive(Debug, Clone)]
pub(crate) struct Constriction {
    /// Distance from the segment's first node, m.
    pub station_m: f64,
    /// Clear width left for a vehicle, m.
    pub clear_width_m: f64,
    /// Index into `Prepared::barriers` (for an obstacle row, the first obstacle).
    pub barrier: usize,
    /// For obstacle rows: all obstacle ids.
    pub reference: BarrierRef,
}

#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub a: usize,
    pub b: usize,
    pub way: usize,
    pub length_m: f64,
    pub width_m: f64,
    pub width_source: WidthSource,
    pub friction: f64,
    pub is_chord: bool,
    /// False for a straight line across an area drawn from a join to a ring node that joins
    /// nothing: it is driven only away from the join.
    pub backward_drivable: bool,
    /// A way a motorist may use (a public road): vehicles may be parked or start on it.
    pub public_road: bool,
    pub compliant_forward: bool,
    pub compliant_backward: bool,
    pub constrictions: Vec<Constriction>,
}

/// The geometry of a turn from one directed segment into the next (vehicle-independent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TurnGeometry {
    /// The directed segment turned into.
    pub to: usize,
    /// Change of heading, radians.
    pub deflection_rad: f64,
    /// Widest-line radius available, m (infinite when straight on).
    pub radius_m: f64,
    /// Friction for cornering: the higher of the two surfaces.
    pub friction: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DirectedKind {
    /// Wholly outside the perimeter: part of the approach graph.
    Approach,
    /// Crosses the perimeter inward at parameter `t`; the crossing is an entry point.
    Entry {
        t: f64,
        perimeter_edge: usize,
        point: Point,
    },
    /// Starts inside the perimeter or lies out of range.
    Ignored,
}

/// Where an entry segment crosses the perimeter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Crossing {
    /// Parameter along the directed segment.
    pub t: f64,
    /// Index of the perimeter edge crossed.
    pub perimeter_edge: usize,
    /// The crossing point.
    pub point: Point,
}

impl DirectedKind {
    /// The crossing of an entry segment.
    pub(crate) fn crossing(self) -> Option<Crossing> {
        match self {
            DirectedKind::Entry {
                t,
                perimeter_edge,
                point,
            } => Some(Crossing {
                t,
                perimeter_edge,
                point,
            }),
            _ => None,
        }
    }
}

pub(crate) struct Prepared {
    pub node_ids: Vec<NodeId>,
    pub positions: Vec<Point>,
    pub node_barrier: Vec<Option<usize>>,
    /// Widest opening covering each node's barrier (0 when none).
    pub node_opening_m: Vec<f64>,
    pub inside: Vec<bool>,
    /// Within the search radius of the perimeter.
    pub node_in_range: Vec<bool>,
    pub segments: Vec<Segment>,
    /// Directed segment `2s` runs a -> b, `2s + 1` runs b -> a.
    pub directed: Vec<DirectedKind>,
    /// Directed segments leaving each node (approach and entry segments only).
    pub outgoing: Vec<Vec<usize>>,
    /// Undirected segments touching each node.
    pub incident: Vec<Vec<usize>>,
    pub barriers: Vec<BarrierInfo>,
    /// Per directed segment, the turns from its head into each outgoing segment.
    pub turns: Vec<Vec<TurnGeometry>>,
    /// The distinct friction values of the segments, in increasing order.
    pub frictions: Vec<f64>,
    /// Per segment, its friction's index in `frictions`.
    pub friction_index: Vec<usize>,
    pub perimeter: Vec<Point>,
    pub ways: Vec<(WayId, WayKind)>,
}

impl Prepared {
    pub fn tail(&self, directed: usize) -> usize {
        let s = &self.segments[directed / 2];
        if directed.is_multiple_of(2) { s.a } else { s.b }
    }

    pub fn head(&self, directed: usize) -> usize {
        let s = &self.segments[directed / 2];
        if directed.is_multiple_of(2) { s.b } else { s.a }
    }

    /// Unit heading of a directed segment.
    pub fn heading(&self, directed: usize) -> Point {
        let (tail, head) = (
            self.positions[self.tail(directed)],
            self.positions[self.head(directed)],
        );
        let d = head.sub(tail);
        let n = d.norm();
        Point::new(d.x_m / n, d.y_m / n)
    }

    /// Every directed entry segment with its crossing, in increasing order.
    pub fn entry_crossings(&self) -> Vec<(usize, Crossing)> {
        (0..self.directed.len())
            .filter_map(|d| self.directed[d].crossing().map(|crossing| (d, crossing)))
            .collect()
    }

    /// Station along the directed segment of a point at `station_m` from the segment's first node.
    pub fn directed_station(&self, directed: usize, station_m: f64) -> f64 {
        if directed.is_multiple_of(2) {
            station_m
        } else {
            self.segments[directed / 2].length_m - station_m
        }
    }
}

/// Validates the perimeter: at least three distinct points, no self-intersection, some area.
pub(crate) fn validate_perimeter(points: &[Point]) -> Result<Vec<Point>, Error> {
    let mut ring: Vec<Point> = points.to_vec();
    if ring.len() >= 2 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring
        .iter()
        .any(|p| !p.x_m.is_finite() || !p.y_m.is_finite())
    {
        return Err(Error::Perimeter(
            "a point has a coordinate that is not a finite number".into(),
        ));
    }
    if ring.len() < 3 {
        return Err(Error::Perimeter(format!(
            "needs at least 3 distinct points, got {}",
            ring.len()
        )));
    }
    let n = ring.len();
    for i in 0..n {
        for j in (i + 1)..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            if adjacent {
                continue;
            }
            if segment_intersection(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n])
                .is_some()
            {
                return Err(Error::Perimeter(format!(
                    "edge {i} crosses edge {j}: the ring is not simple"
                )));
            }
        }
    }
    if ring_signed_area_m2(&ring).abs() < 1e-6 {
        return Err(Error::Perimeter(
            "encloses no area (its points are collinear)".into(),
        ));
    }
    Ok(ring)
}

fn parse_barrier_rating(
    barrier: &Barrier,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Rating> {
    let text = barrier.rating.as_ref()?;
    match parse_rating(text) {
        Ok(rating) => Some(rating),
        Err(error) => {
            diagnostics.push(Diagnostic::new(
                what,
                format!("{error}; treated as unrated"),
            ));
            None
        }
    }
}

fn compliant_directions(way: &Way, rules_allow: bool) -> (bool, bool) {
    if !rules_allow {
        return (false, false);
    }
    match way.oneway {
        Oneway::No => (true, true),
        Oneway::Forward => (true, false),
        Oneway::Backward => (false, true),
    }
}

fn compliant_way(way: &Way) -> bool {
    use crate::network::Access;
    match way.access {
        Access::Forbidden => false,
        Access::Allowed | Access::Restricted => true,
        Access::Unspecified => way.kind.open_to_motor_traffic() && !way.is_area,
    }
}

/// A segment of the whole network, before any study: geometry, width and the rules over it.
#[derive(Debug, Clone)]
struct NetworkSegment {
    a: usize,
    b: usize,
    way: usize,
    length_m: f64,
    width_m: f64,
    width_source: WidthSource,
    /// μ of the surface before the study's weather multiplier.
    surface_friction: f64,
    is_chord: bool,
    backward_drivable: bool,
    public_road: bool,
    compliant_forward: bool,
    compliant_backward: bool,
}

/// A mapped barrier line, parsed once.
#[derive(Debug, Clone)]
struct MappedLine {
    /// `None` when the line has fewer than 2 points (ignored).
    info: Option<BarrierInfo>,
    diagnostics: Vec<Diagnostic>,
}

/// A mapped free-standing obstacle, parsed once.
#[derive(Debug, Clone)]
struct MappedObstacle {
    info: BarrierInfo,
    position: Point,
    radius_m: f64,
    diagnostics: Vec<Diagnostic>,
}

/// Axis-aligned bounds: (x min, y min, x max, y max), m.
pub(crate) type Bounds = (f64, f64, f64, f64);

/// A uniform grid over the bounds of items between two nodes (segments, or nodes as items from
/// a node to itself): the items near a perimeter or a barrier line without looking at the
/// others.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    cell_m: f64,
    origin: Point,
    columns: usize,
    rows: usize,
    /// Item indices per cell, row-major, each in increasing order.
    cells: Vec<Vec<u32>>,
}

impl Grid {
    const CELL_M: f64 = 100.0;

    /// The grid over the nodes at `positions`.
    pub(crate) fn over_nodes(positions: &[Point]) -> Grid {
        Grid::new(positions, (0..positions.len()).map(|n| (n, n)))
    }

    /// The grid over items given by their end nodes' indices in `positions`.
    pub(crate) fn new(positions: &[Point], items: impl Iterator<Item = (usize, usize)>) -> Grid {
        let (x0, y0, x1, y1) = if positions.is_empty() {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            bounds(positions)
        };
        // Extracts span a few tens of kilometres at most; the cap keeps a stray far node from
        // allocating a huge grid (cells then just grow).
        let cell_m = Self::CELL_M.max((x1 - x0).max(y1 - y0) / 2000.0);
        let columns = ((x1 - x0) / cell_m) as usize + 1;
        let rows = ((y1 - y0) / cell_m) as usize + 1;
        let mut grid = Grid {
            cell_m,
            origin: Point::new(x0, y0),
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        };
        for (item, (a, b)) in items.enumerate() {
            let ends = [positions[a], positions[b]];
            if let Some((c0, c1, r0, r1)) = grid.cell_range(bounds(&ends)) {
                for r in r0..=r1 {
                    for c in c0..=c1 {
                        grid.cells[r * columns + c].push(item as u32);
                    }
                }
            }
        }
        grid
    }

    /// The cells `bounds` overlaps (columns, then rows, first and last), or `None` where it lies
    /// wholly outside the grid (so no item can overlap it).
    fn cell_range(&self, (x0, y0, x1, y1): Bounds) -> Option<(usize, usize, usize, usize)> {
        let column = |x: f64| ((x - self.origin.x_m) / self.cell_m).floor();
        let row = |y: f64| ((y - self.origin.y_m) / self.cell_m).floor();
        let clamp = |v: f64, count: usize| v.clamp(0.0, (count - 1) as f64) as usize;
        let (c0, c1, r0, r1) = (column(x0), column(x1), row(y0), row(y1));
        if c1 < 0.0 || r1 < 0.0 || c0 >= self.columns as f64 || r0 >= self.rows as f64 {
            return None;
        }
        Some((
            clamp(c0, self.columns),
            clamp(c1, self.columns),
            clamp(r0, self.rows),
            clamp(r1, self.rows),
        ))
    }

    /// Whether `wanted` holds for an item whose bounds may overlap `bounds` (whole grid cells),
    /// asking cell by cell without collecting them (an item in several cells may be asked
    /// more than once).
    pub(crate) fn any_within(&self, bounds: Bounds, mut wanted: impl FnMut(usize) -> bool) -> bool {
        let Some((c0, c1, r0, r1)) = self.cell_range(bounds) else {
            return false;
        };
        (r0..=r1).any(|r| {
            self.cells[r * self.columns + c0..=r * self.columns + c1]
                .iter()
                .flatten()
                .any(|&item| wanted(item as usize))
        })
    }

    /// Every item whose bounds may overlap `bounds` (whole grid cells), in increasing order.
    pub(crate) fn within(&self, bounds: Bounds) -> Vec<usize> {
        let Some((c0, c1, r0, r1)) = self.cell_range(bounds) else {
            return Vec::new();
        };
        let mut items: Vec<usize> = (r0..=r1)
            .flat_map(|r| (c0..=c1).map(move |c| (r, c)))
            .flat_map(|(r, c)| self.cells[r * self.columns + c].iter())
            .map(|&item| item as usize)
            .collect();
        items.sort_unstable();
        items.dedup();
        items
    }
}

/// Everything about a network that does not depend on a study, computed once: node index,
/// barriers and their parsed ratings, every segment and line across open areas, where mapped
/// barrier lines cross segments, and a grid over the nodes. [`NetworkIndex::prepare_study`] then
/// does only the study's own work, and gives exactly what preparing from scratch would.
#[derive(Debug, Clone)]
pub(crate) struct NetworkIndex {
    node_ids: Vec<NodeId>,
    positions: Vec<Point>,
    node_barrier: Vec<Option<usize>>,
    /// The barriers on nodes, indexed by `node_barrier`.
    node_barriers: Vec<BarrierInfo>,
    mapped_lines: Vec<MappedLine>,
    mapped_obstacles: Vec<MappedObstacle>,
    ways: Vec<(WayId, WayKind)>,
    segments: Vec<NetworkSegment>,
    /// Per segment, its crossings with blocking mapped lines in line then piece order: the
    /// index into `mapped_lines`, the parameter along the segment and the crossing point.
    line_crossings: Vec<Vec<(usize, f64, Point)>>,
    /// Diagnostics about nodes and ways (the study adds those about barriers after them).
    diagnostics: Vec<Diagnostic>,
    grid: Grid,
    /// Per node, whether a segment with some width touches it.
    node_drivable: Vec<bool>,
}

impl NetworkIndex {
    pub(crate) fn new(network: &Network) -> NetworkIndex {
        let mut diagnostics = Vec::new();
        let mut node_barriers: Vec<BarrierInfo> = Vec::new();

        // Nodes, in input order; a duplicate id keeps its first occurrence.
        let mut index_of: BTreeMap<NodeId, usize> = BTreeMap::new();
        let mut node_ids = Vec::new();
        let mut positions = Vec::new();
        let mut node_barrier = Vec::new();
        for node in &network.nodes {
            if index_of.contains_key(&node.id) {
                diagnostics.push(Diagnostic::new(
                    format!("node {}", node.id.0),
                    "duplicate node id; the first is used",
                ));
                continue;
            }
            if !node.position.x_m.is_finite() || !node.position.y_m.is_finite() {
                diagnostics.push(Diagnostic::new(
                    format!("node {}", node.id.0),
                    "position is not finite; node ignored",
                ));
                continue;
            }
            index_of.insert(node.id, node_ids.len());
            node_ids.push(node.id);
            positions.push(node.position);
            node_barrier.push(node.barrier.as_ref().map(|barrier| {
                let what = format!("barrier on node {}", node.id.0);
                if let crate::network::BarrierKind::Other(kind) = &barrier.kind
                    && barrier.rating.is_none()
                {
                    diagnostics.push(Diagnostic::new(
                        &what,
                        format!("unknown barrier kind `{kind}` treated as passable"),
                    ));
                }
                let rating = parse_barrier_rating(barrier, &what, &mut diagnostics);
                node_barriers.push(BarrierInfo {
                    reference: BarrierRef::Node(node.id),
                    barrier: barrier.clone(),
                    rating,
                });
                node_barriers.len() - 1
            }));
        }
        let node_count = node_ids.len();

        // How many ways use each node: nodes used by two or more join ways together.
        let mut ways_at_node = vec![0u32; node_count];
        for way in &network.ways {
            let mut seen: Vec<usize> = way
                .nodes
                .iter()
                .filter_map(|id| index_of.get(id).copied())
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for i in seen {
                ways_at_node[i] += 1;
            }
        }

        // Segments from ways (and visibility chords across open areas).
        let mut segments: Vec<NetworkSegment> = Vec::new();
        let mut ways = Vec::new();
        let mut unmapped_width = 0usize;
        for (way_index, way) in network.ways.iter().enumerate() {
            ways.push((way.id, way.kind));
            let what = format!("way {}", way.id.0);
            let mut resolved = Vec::with_capacity(way.nodes.len());
            for id in &way.nodes {
                match index_of.get(id) {
                    Some(&i) => resolved.push(i),
                    None => diagnostics.push(Diagnostic::new(
                        &what,
                        format!("refers to unknown node {}; skipped there", id.0),
                    )),
                }
            }
            let (width_m, width_source) = match way.width_m {
                Some(w) if w.is_finite() && w > 0.0 => (w, WidthSource::Mapped),
                Some(w) => {
                    diagnostics.push(Diagnostic::new(
                        &what,
                        format!("width {w} m is not usable; the default is used"),
                    ));
                    (default_width(way), WidthSource::DefaultForKind)
                }
                None => {
                    unmapped_width += 1;
                    (default_width(way), WidthSource::DefaultForKind)
                }
            };
            let width_m = if way.kind == WayKind::Steps {
                0.0
            } else {
                width_m
            };
            let (forward, backward) = compliant_directions(way, compliant_way(way));
            let surface_friction = way.surface.friction();
            let push = |a: usize,
                        b: usize,
                        is_chord: bool,
                        reverse_drivable: bool,
                        segments: &mut Vec<NetworkSegment>| {
                let length_m = positions[a].distance_m(positions[b]);
                if length_m < 1e-6 {
                    return;
                }
                segments.push(NetworkSegment {
                    a,
                    b,
                    way: way_index,
                    length_m,
                    width_m,
                    width_source,
                    surface_friction,
                    is_chord,
                    backward_drivable: reverse_drivable,
                    public_road: compliant_way(way) && !is_chord,
                    compliant_forward: forward && !is_chord,
                    compliant_backward: backward && !is_chord,
                });
            };
            for pair in resolved.windows(2) {
                push(pair[0], pair[1], false, true, &mut segments);
            }
            if way.is_area {
                let mut ring = resolved.clone();
                if ring.len() >= 2 && ring.first() == ring.last() {
                    ring.pop();
                }
                // Straight lines across the area: between every pair of ring nodes that see each
                // other on a small outline; on a larger one from every node where another way
                // joins it (where a vehicle can come from or go on) to every other ring node
                // that it sees. All pairs would be the full visibility graph, but its size grows
                // as n² and outlines tracing façades have hundreds of nodes.
                let joins: Vec<usize> = (0..ring.len())
                    .filter(|&k| ways_at_node[ring[k]] >= 2)
                    .collect();
                if ring.len() >= 4 && joins.len() > AREA_MAX_JOINS {
                    diagnostics.push(Diagnostic::new(
                        &what,
                        format!(
                            "open area is joined by ways at {} nodes (more than {AREA_MAX_JOINS}); only its outline is driven",
                            joins.len()
                        ),
                    ));
                } else if (4..=AREA_ALL_PAIRS_MAX_NODES).contains(&ring.len()) {
                    // A small outline (a plain square): every straight line across it, both
                    // ways, so the longest straight run-up a vehicle can drive across it (say
                    // a diagonal from a corner that nothing joins) is there.
                    let points: Vec<Point> = ring.iter().map(|&i| positions[i]).collect();
                    let n = ring.len();
                    for i in 0..n {
                        for j in (i + 2)..n {
                            let adjacent = i == (j + 1) % n;
                            if !adjacent && chord_is_inside(&points, i, j) {
                                push(ring[i], ring[j], true, true, &mut segments);
                            }
                        }
                    }
                } else if ring.len() >= 4 {
                    let points: Vec<Point> = ring.iter().map(|&i| positions[i]).collect();
                    let n = ring.len();
                    for (position, &i) in joins.iter().enumerate() {
                        for j in 0..n {
                            let adjacent = j == i || j == (i + 1) % n || i == (j + 1) % n;
                            // A pair of joins is visited once, from the first.
                            let pair_seen = joins[..position].contains(&j);
                            if !adjacent
                                && !pair_seen
                                && chord_is_inside(&points, i.min(j), i.max(j))
                            {
                                // Back from a ring node that joins nothing is not driven: it
                                // would put n² turns at every join for paths that gain nothing.
                                // (These lines used to be left out of studies whose perimeter
                                // is far from the area, a saving like the 1 km radius; fastest
                                // paths do cross squares by them, so every study has them.)
                                let both_ways = joins.contains(&j);
                                push(ring[i], ring[j], true, both_ways, &mut segments);
                            }
                        }
                    }
                }
            }
        }
        if unmapped_width > 0 {
            diagnostics.push(Diagnostic::new(
                "ways",
                format!("{unmapped_width} way(s) have no mapped width; per-kind defaults are used (see each entry's width_source)"),
            ));
        }

        // Mapped barrier lines and where the blocking ones cross segments.
        let mut line_crossings = vec![Vec::new(); segments.len()];
        let mut mapped_lines = Vec::new();
        // Only the segments near a line can cross it (a metre's slack for the tolerances of
        // `segment_intersection`); in increasing order, as walking them all would find them.
        let segment_grid = Grid::new(
            &positions,
            segments.iter().map(|segment| (segment.a, segment.b)),
        );
        for line in &network.barrier_lines {
            let mut line_diagnostics = Vec::new();
            let info = prepare_line(line, &mut line_diagnostics);
            if let Some(info) = &info
                && info.barrier.blocks()
                && !line.points.is_empty()
            {
                let (x0, y0, x1, y1) = bounds(&line.points);
                let near = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0);
                for s in segment_grid.within(near) {
                    let segment = &segments[s];
                    let (a, b) = (positions[segment.a], positions[segment.b]);
                    for (t, point) in line_crossings_of(a, b, &line.points) {
                        line_crossings[s].push((mapped_lines.len(), t, point));
                    }
                }
            }
            mapped_lines.push(MappedLine {
                info,
                diagnostics: line_diagnostics,
            });
        }
        let mapped_obstacles = network
            .point_obstacles
            .iter()
            .map(|obstacle| {
                let mut obstacle_diagnostics = Vec::new();
                let info = prepare_obstacle(obstacle, &mut obstacle_diagnostics);
                MappedObstacle {
                    info,
                    position: obstacle.position,
                    radius_m: obstacle.radius_m,
                    diagnostics: obstacle_diagnostics,
                }
            })
            .collect();
        let grid = Grid::over_nodes(&positions);
        let mut node_drivable = vec![false; positions.len()];
        for segment in segments.iter().filter(|segment| segment.width_m > 0.0) {
            node_drivable[segment.a] = true;
            node_drivable[segment.b] = true;
        }
        NetworkIndex {
            node_drivable,
            node_ids,
            positions,
            node_barrier,
            node_barriers,
            mapped_lines,
            mapped_obstacles,
            ways,
            segments,
            line_crossings,
            diagnostics,
            grid,
        }
    }

    /// Diagnostics about the network's nodes and ways (every study's analysis repeats them).
    pub(crate) fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The study's part of the preparation: perimeter, range, openings, added barriers, entry
    /// classification and turns. Gives exactly what preparing network and study together would.
    pub(crate) fn prepare_study(
        &self,
        study: &Study,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Prepared, Error> {
        let perimeter = validate_perimeter(&study.perimeter)?;
        validate_options(&study.options)?;
        Ok(self.prepare_with(Some(perimeter), study, diagnostics))
    }

    /// The whole network as one approach graph, without a perimeter: every segment (and every
    /// line across every open area) driven in both directions where it may be, no entries, and
    /// the mapped barriers. `options` gives the weather's friction multiplier; the searches over
    /// it are shared by every study without added barriers or openings.
    pub(crate) fn prepare_network_wide(
        &self,
        options: &Options,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Prepared {
        let study = Study {
            options: Options {
                search_radius_m: None,
                ..*options
            },
            ..Study::new(Vec::new())
        };
        self.prepare_with(None, &study, diagnostics)
    }

    /// Says so when no drivable way comes within [`NEARBY_M`] of `perimeter` (without a
    /// search radius): the perimeter is most likely outside the map.
    pub(crate) fn remoteness_diagnostic(&self, perimeter: &[Point]) -> Option<Diagnostic> {
        let (x0, y0, x1, y1) = bounds(perimeter);
        let nearby = |n: usize| {
            let p = self.positions[n];
            self.node_drivable[n]
                && (ring_contains(perimeter, p) || within_boundary_m(perimeter, p, NEARBY_M))
        };
        // Most perimeters have a drivable node within their own bounds: look there first, and
        // only then over everything within NEARBY_M (the answer is the same either way; a
        // site's analysis asks this, and the wide query spans most of a small extract).
        let near = self.grid.any_within((x0, y0, x1, y1), nearby)
            || self.grid.any_within(
                (x0 - NEARBY_M, y0 - NEARBY_M, x1 + NEARBY_M, y1 + NEARBY_M),
                nearby,
            );
        (!near).then(|| {
            Diagnostic::new(
                "network",
                format!(
                    "no drivable way lies within {NEARBY_M} m of the perimeter: is it outside the map?"
                ),
            )
        })
    }

    /// The network's node positions.
    pub(crate) fn positions(&self) -> &[Point] {
        &self.positions
    }

    /// The nodes that may lie within `bounds` (whole grid cells), in increasing order.
    pub(crate) fn nodes_within(&self, bounds: Bounds) -> Vec<usize> {
        self.grid.within(bounds)
    }

    /// The preparation of `study` (already validated), or of the whole network when
    /// `perimeter` is `None`.
    fn prepare_with(
        &self,
        perimeter: Option<Vec<Point>>,
        study: &Study,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Prepared {
        let options = &study.options;
        diagnostics.extend(self.diagnostics.iter().cloned());
        let positions = &self.positions;
        let node_count = positions.len();
        let mut barriers: Vec<BarrierInfo> = self.node_barriers.clone();

        // Only nodes within the search radius of the perimeter's bounds can be in range or
        // inside, and only those within 1 m of them inside or on the line; the grid finds them
        // without measuring the others. Without a radius every node is in range.
        let radius_m = options.search_radius_m;
        let candidates = match &perimeter {
            Some(perimeter) => {
                let (x0, y0, x1, y1) = bounds(perimeter);
                let reach_m = radius_m.map_or(1.0, |radius_m| radius_m + 1.0);
                self.grid
                    .within((x0 - reach_m, y0 - reach_m, x1 + reach_m, y1 + reach_m))
            }
            None => Vec::new(),
        };
        // Nodes on the perimeter line count as outside: a vehicle there has not yet entered.
        let mut on_boundary = vec![false; node_count];
        let mut inside = vec![false; node_count];
        let mut in_range = vec![radius_m.is_none(); node_count];
        if let Some(perimeter) = &perimeter {
            for &n in &candidates {
                let p = positions[n];
                (inside[n], on_boundary[n]) = node_position_state(perimeter, p);
                in_range[n] = inside[n]
                    || radius_m.is_none_or(|radius_m| within_boundary_m(perimeter, p, radius_m));
            }
        }
        let opening_width_at = |p: Point| -> f64 {
            study
                .openings
                .iter()
                .filter(|o| p.distance_m(o.centre) <= o.width_m / 2.0)
                .map(|o| o.width_m)
                .fold(0.0, f64::max)
        };
        let node_opening_m: Vec<f64> = if study.openings.is_empty() {
            vec![0.0; node_count]
        } else {
            positions.iter().map(|&p| opening_width_at(p)).collect()
        };

        // The segments in range (segments wholly beyond the search radius play no part; their
        // in-range neighbours' far ends become origins instead), with their mapped crossings.
        let mut segments: Vec<Segment> = Vec::new();
        let mut local_crossings: Vec<&[(usize, f64, Point)]> = Vec::new();
        for (s, segment) in self.segments.iter().enumerate() {
            if !(in_range[segment.a] || in_range[segment.b]) {
                continue;
            }
            segments.push(Segment {
                a: segment.a,
                b: segment.b,
                way: segment.way,
                length_m: segment.length_m,
                width_m: segment.width_m,
                width_source: segment.width_source,
                friction: segment.surface_friction * options.friction_multiplier,
                is_chord: segment.is_chord,
                backward_drivable: segment.backward_drivable,
                public_road: segment.public_road,
                compliant_forward: segment.compliant_forward,
                compliant_backward: segment.compliant_backward,
                constrictions: Vec::new(),
            });
            local_crossings.push(&self.line_crossings[s]);
        }

        // Barrier lines (mapped, then added) and their crossings with segments.
        let mut line_barrier = Vec::with_capacity(self.mapped_lines.len());
        for line in &self.mapped_lines {
            diagnostics.extend(line.diagnostics.iter().cloned());
            line_barrier.push(line.info.as_ref().map(|info| {
                barriers.push(info.clone());
                barriers.len() - 1
            }));
        }
        for (segment, crossings) in segments.iter_mut().zip(&local_crossings) {
            for &(line, t, point) in crossings.iter() {
                let barrier = line_barrier[line].expect("only lines with a barrier cross");
                segment.constrictions.push(Constriction {
                    station_m: t * segment.length_m,
                    clear_width_m: opening_width_at(point),
                    barrier,
                    reference: barriers[barrier].reference.clone(),
                });
            }
        }
        for line in &study.added_barrier_lines {
            let Some(info) = prepare_line(line, diagnostics) else {
                continue;
            };
            barriers.push(info);
            let barrier = barriers.len() - 1;
            if !barriers[barrier].barrier.blocks() {
                continue;
            }
            for segment in segments.iter_mut() {
                let (a, b) = (positions[segment.a], positions[segment.b]);
                for (t, point) in line_crossings_of(a, b, &line.points) {
                    segment.constrictions.push(Constriction {
                        station_m: t * segment.length_m,
                        clear_width_m: opening_width_at(point),
                        barrier,
                        reference: BarrierRef::Line(line.id),
                    });
                }
            }
        }

        // Free-standing obstacles: rows across each segment and the widest gap they leave.
        let mut obstacles: Vec<(usize, Point, f64)> = Vec::new();
        let mapped = self.mapped_obstacles.iter().map(|obstacle| {
            diagnostics.extend(obstacle.diagnostics.iter().cloned());
            (obstacle.info.clone(), obstacle.position, obstacle.radius_m)
        });
        let mapped: Vec<_> = mapped.collect();
        let added = study.added_point_obstacles.iter().map(|obstacle| {
            (
                prepare_obstacle(obstacle, diagnostics),
                obstacle.position,
                obstacle.radius_m,
            )
        });
        let added: Vec<_> = added.collect();
        for (info, position, radius_m) in mapped.into_iter().chain(added) {
            barriers.push(info);
            let covered_by_opening = opening_width_at(position) > 0.0;
            if barriers[barriers.len() - 1].barrier.blocks() && !covered_by_opening {
                obstacles.push((barriers.len() - 1, position, radius_m.max(0.0)));
            }
        }
        if !obstacles.is_empty() {
            for segment in segments.iter_mut() {
                add_obstacle_rows(segment, positions, &obstacles, &barriers);
            }
        }
        for segment in segments.iter_mut() {
            segment
                .constrictions
                .sort_by(|x, y| x.station_m.total_cmp(&y.station_m));
        }

        // Directed segments: approach, entry or ignored.
        let mut directed = Vec::with_capacity(segments.len() * 2);
        for segment in &segments {
            for (tail, head) in [(segment.a, segment.b), (segment.b, segment.a)] {
                if tail == segment.b && !segment.backward_drivable {
                    directed.push(DirectedKind::Ignored);
                    continue;
                }
                directed.push(match &perimeter {
                    Some(perimeter) => classify(
                        perimeter,
                        (positions[tail], inside[tail], on_boundary[tail]),
                        (positions[head], on_boundary[head]),
                    ),
                    None => DirectedKind::Approach,
                });
            }
        }
        let mut outgoing = vec![Vec::new(); node_count];
        let mut incident = vec![Vec::new(); node_count];
        for (s, segment) in segments.iter().enumerate() {
            incident[segment.a].push(s);
            incident[segment.b].push(s);
            for d in [2 * s, 2 * s + 1] {
                if directed[d] != DirectedKind::Ignored {
                    let tail = if d.is_multiple_of(2) {
                        segment.a
                    } else {
                        segment.b
                    };
                    outgoing[tail].push(d);
                }
            }
        }
        let mut frictions: Vec<f64> = segments.iter().map(|s| s.friction).collect();
        frictions.sort_by(f64::total_cmp);
        frictions.dedup();
        let friction_index = segments
            .iter()
            .map(|s| frictions.partition_point(|&f| f < s.friction))
            .collect();
        let mut prepared_turns = Vec::with_capacity(directed.len());
        for e in 0..directed.len() {
            let head = if e.is_multiple_of(2) {
                segments[e / 2].b
            } else {
                segments[e / 2].a
            };
            let turns: Vec<TurnGeometry> = if directed[e] == DirectedKind::Approach {
                outgoing[head]
                    .iter()
                    .map(|&f| turn_geometry(&segments, positions, &incident, e, f))
                    .collect()
            } else {
                Vec::new()
            };
            prepared_turns.push(turns);
        }
        match (&perimeter, radius_m) {
            (Some(_), Some(radius_m)) => {
                if !segments.iter().any(|s| s.width_m > 0.0) {
                    diagnostics.push(Diagnostic::new(
                        "network",
                        format!("no drivable way lies within {radius_m} m of the perimeter"),
                    ));
                }
            }
            (Some(perimeter), None) => diagnostics.extend(self.remoteness_diagnostic(perimeter)),
            (None, _) => {}
        }
        Prepared {
            node_ids: self.node_ids.clone(),
            positions: positions.clone(),
            node_barrier: self.node_barrier.clone(),
            node_opening_m,
            inside,
            node_in_range: in_range,
            segments,
            directed,
            outgoing,
            incident,
            barriers,
            turns: prepared_turns,
            frictions,
            friction_index,
            perimeter: perimeter.unwrap_or_default(),
            ways: self.ways.clone(),
        }
    }
}

/// Checks a study's options.
pub(crate) fn validate_options(options: &Options) -> Result<(), Error> {
    let options_valid = options.step_m > 0.0
        && options
            .search_radius_m
            .is_none_or(|radius_m| radius_m >= 0.0 && !radius_m.is_nan())
        && options.friction_multiplier > 0.0
        && options.step_m.is_finite()
        && options.friction_multiplier.is_finite()
        && options.start_speed_mps >= 0.0
        && options.start_speed_mps.is_finite()
        && [options.stand_off_m, options.max_penetration_m]
            .iter()
            .flatten()
            .all(|m| m.is_finite() && *m >= 0.0);
    if options_valid {
        Ok(())
    } else {
        Err(Error::Options(
            "step_m and friction_multiplier must be positive finite numbers, search_radius_m and start_speed_mps not negative, stand_off_m and max_penetration_m finite and not negative"
                .into(),
        ))
    }
}

/// Parses a barrier line's rating and says when it is unusable (fewer than 2 points: `None`).
fn prepare_line(line: &BarrierLine, diagnostics: &mut Vec<Diagnostic>) -> Option<BarrierInfo> {
    let what = format!("barrier line {}", line.id.0);
    let rating = parse_barrier_rating(&line.barrier, &what, diagnostics);
    if line.points.len() < 2 {
        diagnostics.push(Diagnostic::new(&what, "has fewer than 2 points; ignored"));
        return None;
    }
    Some(BarrierInfo {
        reference: BarrierRef::Line(line.id),
        barrier: line.barrier.clone(),
        rating,
    })
}

fn prepare_obstacle(obstacle: &PointObstacle, diagnostics: &mut Vec<Diagnostic>) -> BarrierInfo {
    let what = format!("point obstacle {}", obstacle.id.0);
    let rating = parse_barrier_rating(&obstacle.barrier, &what, diagnostics);
    BarrierInfo {
        reference: BarrierRef::Obstacles(vec![obstacle.id]),
        barrier: obstacle.barrier.clone(),
        rating,
    }
}

/// Where the segment a–b crosses a barrier polyline: the parameter along the segment and the
/// point, in the polyline's order.
fn line_crossings_of(a: Point, b: Point, line: &[Point]) -> Vec<(f64, Point)> {
    let mut crossings = Vec::new();
    for piece in line.windows(2) {
        if let Some((t, u)) = segment_intersection(a, b, piece[0], piece[1]) {
            let at_segment_end = !(1e-6..=1.0 - 1e-6).contains(&t);
            let at_line_vertex = !(1e-6..=1.0 - 1e-6).contains(&u);
            if at_segment_end && at_line_vertex {
                // The way passes the line at a node they share: a gateway through the wall;
                // whatever stands there is mapped on that node.
                continue;
            }
            crossings.push((t, a.add_scaled(b.sub(a), t)));
        }
    }
    crossings
}

/// Prepares a network and one study together (the tests' shorthand).
#[cfg(test)]
pub(crate) fn prepare(
    network: &Network,
    study: &Study,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Prepared, Error> {
    NetworkIndex::new(network).prepare_study(study, diagnostics)
}

/// The turn from directed segment `from` into `to` at their shared node.
fn turn_geometry(
    segments: &[Segment],
    positions: &[Point],
    incident: &[Vec<usize>],
    from: usize,
    to: usize,
) -> TurnGeometry {
    let ends = |d: usize| {
        let s = &segments[d / 2];
        if d.is_multiple_of(2) {
            (s.a, s.b)
        } else {
            (s.b, s.a)
        }
    };
    let ((from_tail, node), (_, to_head)) = (ends(from), ends(to));
    let heading_in = positions[node].sub(positions[from_tail]);
    let heading_out = positions[to_head].sub(positions[node]);
    let deflection_rad = deflection_rad(heading_in, heading_out);
    let (sf, st) = (&segments[from / 2], &segments[to / 2]);
    let friction = sf.friction.max(st.friction);
    if deflection_rad < 1e-6 {
        return TurnGeometry {
            to,
            deflection_rad,
            radius_m: f64::INFINITY,
            friction,
        };
    }
    let mut radius_m = if from / 2 == to / 2 {
        // Turning back on the same carriageway: the circle must fit inside its width.
        sf.width_m / 2.0
    } else {
        widest_line_radius_m(deflection_rad, sf.width_m, st.width_m)
    };
    let inside_one_way =
        incident[node].len() == 2 && sf.way == st.way && !sf.is_chord && !st.is_chord;
    if inside_one_way {
        // A curve drawn with several nodes: the circle through the three nodes, widened by
        // half the carriageway, bounds the usable radius (hvm.md §6.2).
        let circle = circumradius_m(positions[from_tail], positions[node], positions[to_head]);
        radius_m = radius_m.min(circle + (sf.width_m + st.width_m) / 4.0);
    }
    TurnGeometry {
        to,
        deflection_rad,
        radius_m,
        friction,
    }
}

fn default_width(way: &Way) -> f64 {
    if way.is_area {
        AREA_DEFAULT_WIDTH_M
    } else {
        way.kind.default_width_m()
    }
}

/// Bounds of a point set (infinite and inverted when it is empty).
pub(crate) fn bounds(points: &[Point]) -> Bounds {
    points.iter().fold(
        (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ),
        |(x0, y0, x1, y1), p| (x0.min(p.x_m), y0.min(p.y_m), x1.max(p.x_m), y1.max(p.y_m)),
    )
}

/// A chord between ring vertices `i` and `j` lies inside the area when it crosses no ring edge
/// (other than those meeting at its ends) and its midpoint is inside.
fn chord_is_inside(ring: &[Point], i: usize, j: usize) -> bool {
    let n = ring.len();
    let (a, b) = (ring[i], ring[j]);
    for k in 0..n {
        let l = (k + 1) % n;
        if k == i || k == j || l == i || l == j {
            continue;
        }
        if segment_intersection(a, b, ring[k], ring[l]).is_some() {
            return false;
        }
    }
    ring_contains(
        ring,
        Point::new((a.x_m + b.x_m) / 2.0, (a.y_m + b.y_m) / 2.0),
    )
}

/// Distance from a point to the perimeter line (not to its interior).
#[cfg(test)]
pub(crate) fn boundary_distance_m(perimeter: &[Point], p: Point) -> f64 {
    use crate::geometry::distance_to_segment_m;
    (0..perimeter.len())
        .map(|i| distance_to_segment_m(p, perimeter[i], perimeter[(i + 1) % perimeter.len()]))
        .fold(f64::INFINITY, f64::min)
}

/// Whether `p` lies within `limit_m` of the perimeter line: the answer of
/// `boundary_distance_m(perimeter, p) <= limit_m`, but stopping at the first edge close enough,
/// and taking the distance's square root only where its square is too close to the limit's to
/// tell (a site asks this for every node near it, of perimeters with hundreds of edges).
pub(crate) fn within_boundary_m(perimeter: &[Point], p: Point, limit_m: f64) -> bool {
    // The square carries a few units in the last place of rounding, the root one more: a
    // relative margin far above that decides every case but those within it exactly.
    const MARGIN: f64 = 1e-12;
    let limit_squared = limit_m * limit_m;
    (0..perimeter.len()).any(|i| {
        let offset = offset_from_segment(p, perimeter[i], perimeter[(i + 1) % perimeter.len()]);
        let squared = offset.dot(offset);
        if squared <= limit_squared * (1.0 - MARGIN) {
            true
        } else if squared >= limit_squared * (1.0 + MARGIN) {
            false
        } else {
            offset.norm() <= limit_m
        }
    })
}

/// Whether a node at `p` is inside the perimeter and whether it is on its line (nodes on the
/// line count as outside: a vehicle there has not yet entered).
pub(crate) fn node_position_state(perimeter: &[Point], p: Point) -> (bool, bool) {
    let on_boundary = within_boundary_m(perimeter, p, ON_BOUNDARY_M);
    (!on_boundary && ring_contains(perimeter, p), on_boundary)
}

fn strictly_inside(perimeter: &[Point], p: Point) -> bool {
    ring_contains(perimeter, p) && !within_boundary_m(perimeter, p, ON_BOUNDARY_M)
}

/// Classifies a directed segment: an entry where it first touches the perimeter line coming
/// from outside, approach when it stays outside, ignored when it runs inside or along the line.
pub(crate) fn classify(
    perimeter: &[Point],
    (tail, tail_inside, tail_on_line): (Point, bool, bool),
    (head, head_on_line): (Point, bool),
) -> DirectedKind {
    if tail_inside {
        return DirectedKind::Ignored;
    }
    let at = |t: f64| tail.add_scaled(head.sub(tail), t);
    if tail_on_line && head_on_line {
        // Along the perimeter line, or a chord across the inside from one point of it to another.
        let middle = at(0.5);
        let strictly_outside = !ring_contains(perimeter, middle)
            && !within_boundary_m(perimeter, middle, ON_BOUNDARY_M);
        if !strictly_outside {
            return DirectedKind::Ignored;
        }
    }
    let n = perimeter.len();
    let mut first: Option<(f64, usize)> = None;
    for edge in 0..n {
        if let Some((t, _)) =
            segment_intersection(tail, head, perimeter[edge], perimeter[(edge + 1) % n])
            // A tail on the line touches it at t = 0: the segment that brought the vehicle there
            // already reported that point (at its t = 1).
            && t > 1e-9
            && first.is_none_or(|(best, _)| t < best)
        {
            first = Some((t, edge));
        }
    }
    // A segment leaving a point of the line towards the inside runs inside: not an approach.
    if strictly_inside(perimeter, at(first.map_or(1.0, |(t, _)| t) / 2.0)) {
        return DirectedKind::Ignored;
    }
    match first {
        None => DirectedKind::Approach,
        Some((t, perimeter_edge)) => DirectedKind::Entry {
            t,
            perimeter_edge,
            point: at(t),
        },
    }
}

fn add_obstacle_rows(
    segment: &mut Segment,
    positions: &[Point],
    obstacles: &[(usize, Point, f64)],
    barriers: &[BarrierInfo],
) {
    let (a, b) = (positions[segment.a], positions[segment.b]);
    let along = b.sub(a);
    let unit = Point::new(along.x_m / segment.length_m, along.y_m / segment.length_m);
    let half_width = segment.width_m / 2.0;
    // (station, lateral offset, radius, barrier index)
    let mut near: Vec<(f64, f64, f64, usize)> = obstacles
        .iter()
        .filter_map(|&(barrier, p, radius)| {
            let rel = p.sub(a);
            let station = rel.dot(unit);
            let lateral = unit.cross(rel);
            let within = station >= -radius
                && station <= segment.length_m + radius
                && lateral.abs() < half_width + radius;
            within.then_some((station, lateral, radius, barrier))
        })
        .collect();
    if near.is_empty() {
        return;
    }
    near.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut start = 0;
    while start < near.len() {
        let mut end = start + 1;
        while end < near.len() && near[end].0 - near[start].0 <= OBSTACLE_ROW_DEPTH_M {
            end += 1;
        }
        let row = &mut near[start..end];
        row.sort_by(|x, y| x.1.total_cmp(&y.1));
        let mut widest_gap: f64 = 0.0;
        let mut free_from = -half_width;
        for &(_, lateral, radius, _) in row.iter() {
            widest_gap = widest_gap.max(lateral - radius - free_from);
            free_from = free_from.max(lateral + radius);
        }
        widest_gap = widest_gap.max(half_width - free_from);
        let ids: Vec<crate::network::BarrierId> = row
            .iter()
            .filter_map(|&(_, _, _, barrier)| match &barriers[barrier].reference {
                BarrierRef::Obstacles(ids) => ids.first().copied(),
                _ => None,
            })
            .collect();
        let station_m = row.iter().map(|r| r.0).sum::<f64>() / row.len() as f64;
        segment.constrictions.push(Constriction {
            station_m: station_m.clamp(0.0, segment.length_m),
            clear_width_m: widest_gap.max(0.0),
            barrier: row[0].3,
            reference: BarrierRef::Obstacles(ids),
        });
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_boundary_answers_as_the_distance_to_the_boundary_does() {
        // A ring with a repeated vertex (an edge of no length), points on its edges, at its
        // vertices, on a grid around it, and near the limits along an edge's normal.
        let ring = [
            Point::new(0.0, 0.0),
            Point::new(40.3, 0.0),
            Point::new(40.3, 0.0),
            Point::new(55.7, 31.1),
            Point::new(12.9, 48.2),
            Point::new(-3.3, 20.0),
        ];
        let limits = [0.0, ON_BOUNDARY_M, 0.5, 7.0, NEARBY_M];
        let mut points: Vec<Point> = ring.to_vec();
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            for t in [0.0, 0.1, 0.333, 0.5, 0.9, 1.0] {
                let on = a.add_scaled(b.sub(a), t);
                points.push(on);
                let length = b.sub(a).norm();
                if length > 0.0 {
                    let normal = Point::new(-(b.y_m - a.y_m) / length, (b.x_m - a.x_m) / length);
                    for limit in limits {
                        for scale in [1.0 - 1e-15, 1.0, 1.0 + 1e-15, 1.0 - 1e-9, 1.0 + 1e-9] {
                            points.push(on.add_scaled(normal, limit * scale));
                            points.push(on.add_scaled(normal, -limit * scale));
                        }
                    }
                }
            }
        }
        for x in -20..80 {
            for y in -20..70 {
                points.push(Point::new(f64::from(x) * 1.01, f64::from(y) * 0.99));
            }
        }
        let mut near_limit = 0;
        for p in points {
            for limit in limits {
                let distance = boundary_distance_m(&ring, p);
                if (distance - limit).abs() <= 1e-12 * limit.max(1.0) {
                    near_limit += 1;
                }
                assert_eq!(
                    within_boundary_m(&ring, p, limit),
                    distance <= limit,
                    "{p:?} at {distance} m against {limit} m"
                );
            }
        }
        assert!(
            near_limit > 50,
            "points close enough to the limits to test the margin"
        );
    }
}
