//! One max-speed search per vehicle over the whole network, shared by every study.
//!
//! Issue 3 item 2 asks for a search over (segment, direction, speed) states "so a whole city
//! extract is analysed at once". Per-site searches with a 1 km radius covered nearly the whole
//! old town from every site, so the same work was repeated for every site. Here each vehicle
//! (and each setting of the options that change the search) is searched once over the
//! network-wide graph, without a perimeter: every node is a candidate origin by the usual rule
//! and every segment is an approach segment. A site then reads each entry's label from the
//! labels of the segments arriving at the entry segment's tail.
//!
//! That label is an upper bound for the site's own search (the site's graph is the
//! network-wide one with the perimeter's inside and its crossings taken out, so every path the
//! site's search can drive is there too). When the best path behind it is also a path of the
//! site's graph (its segments wholly outside the perimeter, its start a node that still qualifies as an origin with the perimeter
//! in place), it is the site's optimum, and the result is what the site's own search would
//! give. Otherwise that vehicle's results at that site come from the site's own search (a
//! fallback, counted in [`SearchStatistics`](crate::SearchStatistics)). Studies with added
//! barriers, obstacles or openings, or a search radius, always run their own search.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use crate::analysis::{
    Diagnostic, EntryLabel, IMPROVEMENT_MPS, Labels, SearchContext, UNREACHED, VehicleResult,
    VehicleTables,
};
use crate::geometry::Point;
use crate::network::{Options, Study, TrafficRules};
use crate::physics::AccelerationModel;
use crate::prepare::{
    Bounds, Crossing, DirectedKind, NetworkIndex, Prepared, bounds, classify, node_position_state,
};
use crate::vehicle::VehicleClass;

/// Whether `study` can use the shared searches: no added barriers, obstacles or openings (they
/// change what the searches may drive) and no search radius.
pub(crate) fn study_can_share(study: &Study) -> bool {
    study.added_barrier_lines.is_empty()
        && study.added_point_obstacles.is_empty()
        && study.openings.is_empty()
        && study.options.search_radius_m.is_none()
}

/// The network-wide graph for one friction multiplier, with what sites need to find entries.
pub(crate) struct SharedGraph {
    pub prepared: Prepared,
    /// Per node, the directed segments arriving there.
    incoming: Vec<Vec<usize>>,
    grid: SegmentGrid,
    /// What every study without added items reports about the network (before its own
    /// perimeter's note).
    pub diagnostics: Vec<Diagnostic>,
}

impl SharedGraph {
    fn new(index: &NetworkIndex, options: &Options) -> SharedGraph {
        let mut diagnostics = Vec::new();
        let prepared = index.prepare_network_wide(options, &mut diagnostics);
        let mut incoming = vec![Vec::new(); prepared.positions.len()];
        for (d, kind) in prepared.directed.iter().enumerate() {
            if *kind != DirectedKind::Ignored {
                incoming[prepared.head(d)].push(d);
            }
        }
        let grid = SegmentGrid::new(&prepared);
        SharedGraph {
            prepared,
            incoming,
            grid,
            diagnostics,
        }
    }
}

/// A uniform grid over segment bounds: the segments that may cross a perimeter.
struct SegmentGrid {
    cell_m: f64,
    origin: Point,
    columns: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
}

impl SegmentGrid {
    const CELL_M: f64 = 100.0;

    fn new(prepared: &Prepared) -> SegmentGrid {
        let (x0, y0, x1, y1) = if prepared.positions.is_empty() {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            bounds(&prepared.positions)
        };
        // As for the node grid: a stray far node makes cells larger, not the grid huge.
        let cell_m = Self::CELL_M.max((x1 - x0).max(y1 - y0) / 2000.0);
        let columns = ((x1 - x0) / cell_m) as usize + 1;
        let rows = ((y1 - y0) / cell_m) as usize + 1;
        let mut grid = SegmentGrid {
            cell_m,
            origin: Point::new(x0, y0),
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        };
        for (s, segment) in prepared.segments.iter().enumerate() {
            let ends = [prepared.positions[segment.a], prepared.positions[segment.b]];
            let (c0, c1, r0, r1) = grid.cell_range(bounds(&ends));
            for r in r0..=r1 {
                for c in c0..=c1 {
                    grid.cells[r * columns + c].push(s as u32);
                }
            }
        }
        grid
    }

    fn cell_range(&self, (x0, y0, x1, y1): Bounds) -> (usize, usize, usize, usize) {
        let column = |x: f64| ((x - self.origin.x_m) / self.cell_m).floor();
        let row = |y: f64| ((y - self.origin.y_m) / self.cell_m).floor();
        let clamp = |v: f64, count: usize| v.clamp(0.0, (count - 1) as f64) as usize;
        (
            clamp(column(x0), self.columns),
            clamp(column(x1), self.columns),
            clamp(row(y0), self.rows),
            clamp(row(y1), self.rows),
        )
    }

    /// Every segment whose bounds may overlap `bounds`, in increasing order.
    fn segments_within(&self, bounds: Bounds) -> Vec<usize> {
        let (c0, c1, r0, r1) = self.cell_range(bounds);
        let mut segments: Vec<usize> = (r0..=r1)
            .flat_map(|r| (c0..=c1).map(move |c| (r, c)))
            .flat_map(|(r, c)| self.cells[r * self.columns + c].iter())
            .map(|&s| s as usize)
            .collect();
        segments.sort_unstable();
        segments.dedup();
        segments
    }
}

/// One network-wide search's labels with what a site needs to repair them.
struct SharedLabels {
    labels: Labels,
    origins: Vec<bool>,
    tree: LogTree,
    /// Whether the search respected barriers.
    protected: bool,
}

impl SharedLabels {
    fn new(context: &SearchContext<'_>, protected: bool) -> SharedLabels {
        let labels = context.search(protected);
        let tree = LogTree::new(&labels, context.prepared.directed.len());
        SharedLabels {
            labels,
            origins: context.origins(protected),
            tree,
            protected,
        }
    }
}

/// The search log as a tree: the updates that continue from each update, and each directed
/// segment's updates (compressed rows).
struct LogTree {
    children_start: Vec<u32>,
    children: Vec<u32>,
    updates_start: Vec<u32>,
    updates: Vec<u32>,
}

impl LogTree {
    fn new(labels: &Labels, directed_count: usize) -> LogTree {
        let log = &labels.log;
        let rows = |count: usize, key: &dyn Fn(usize) -> Option<usize>| {
            let mut start = vec![0u32; count + 1];
            for u in 0..log.len() {
                if let Some(k) = key(u) {
                    start[k + 1] += 1;
                }
            }
            for i in 0..count {
                start[i + 1] += start[i];
            }
            let mut next = start.clone();
            let mut items = vec![0u32; start[count] as usize];
            for u in 0..log.len() {
                if let Some(k) = key(u) {
                    items[next[k] as usize] = u as u32;
                    next[k] += 1;
                }
            }
            (start, items)
        };
        let (children_start, children) = rows(log.len(), &|u| log[u].1);
        let (updates_start, updates) = rows(directed_count, &|u| Some(log[u].0));
        LogTree {
            children_start,
            children,
            updates_start,
            updates,
        }
    }

    fn children(&self, u: usize) -> &[u32] {
        &self.children[self.children_start[u] as usize..self.children_start[u + 1] as usize]
    }

    fn updates(&self, d: usize) -> &[u32] {
        &self.updates[self.updates_start[d] as usize..self.updates_start[d + 1] as usize]
    }
}

/// One vehicle's searches over the network-wide graph, with and without barriers.
pub(crate) struct VehicleSearch {
    tables: VehicleTables,
    protected: SharedLabels,
    /// Only when some barrier stops the vehicle (otherwise it would find the same).
    unprotected: Option<SharedLabels>,
}

impl VehicleSearch {
    fn new(graph: &SharedGraph, vehicle: &VehicleClass, options: &Options) -> VehicleSearch {
        let prepared = &graph.prepared;
        let tables = VehicleTables::new(prepared, vehicle, options.acceleration_model);
        let context = SearchContext {
            prepared,
            vehicle,
            options,
            tables: &tables,
            perimeter: &[],
        };
        let protected = SharedLabels::new(&context, true);
        let unprotected = (!prepared.barriers.is_empty() && context.barriers_stop_vehicle())
            .then(|| SharedLabels::new(&context, false));
        VehicleSearch {
            tables,
            protected,
            unprotected,
        }
    }
}

/// One study's perimeter over the network-wide graph: which nodes are inside, how each
/// directed segment is classified, the entries, and the segments the study takes out.
pub(crate) struct SiteView<'a> {
    graph: &'a SharedGraph,
    perimeter: &'a [Point],
    /// The perimeter's bounds, widened by 1 m: nothing outside is inside or on the line.
    near: Bounds,
    /// Nodes within `near`, in increasing order, with (inside, on the line).
    near_nodes: Vec<(usize, (bool, bool))>,
    /// Directed entry segments with their crossings, in increasing order.
    entries: Vec<(usize, Crossing)>,
    /// Directed segments of the network-wide graph that are not approach segments of the
    /// study (they start inside, run along the line or cross it), in increasing order.
    taken_out: Vec<usize>,
}

impl<'a> SiteView<'a> {
    pub(crate) fn new(
        index: &NetworkIndex,
        graph: &'a SharedGraph,
        perimeter: &'a [Point],
    ) -> SiteView<'a> {
        let (x0, y0, x1, y1) = bounds(perimeter);
        let near = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0);
        let near_nodes = index
            .nodes_within(near)
            .into_iter()
            .map(|n| (n, node_position_state(perimeter, index.positions()[n])))
            .collect();
        let mut site = SiteView {
            graph,
            perimeter,
            near,
            near_nodes,
            entries: Vec::new(),
            taken_out: Vec::new(),
        };
        for s in graph.grid.segments_within(near) {
            for d in [2 * s, 2 * s + 1] {
                if graph.prepared.directed[d] == DirectedKind::Ignored {
                    continue;
                }
                let kind = site.kind(d);
                if let Some(crossing) = kind.crossing() {
                    site.entries.push((d, crossing));
                }
                if kind != DirectedKind::Approach {
                    site.taken_out.push(d);
                }
            }
        }
        site
    }

    /// Every directed entry segment with its crossing, in increasing order.
    pub(crate) fn entries(&self) -> &[(usize, Crossing)] {
        &self.entries
    }

    /// (inside, on the line) for node `n`.
    fn node_state(&self, n: usize) -> (bool, bool) {
        match self.near_nodes.binary_search_by_key(&n, |&(node, _)| node) {
            Ok(i) => self.near_nodes[i].1,
            Err(_) => (false, false),
        }
    }

    fn inside(&self, n: usize) -> bool {
        self.node_state(n).0
    }

    /// Whether directed segment `d` (used network-wide) is an approach segment of the study.
    fn is_approach(&self, d: usize) -> bool {
        self.taken_out.binary_search(&d).is_err()
    }

    /// How the study classifies directed segment `d` (as preparing it would).
    fn kind(&self, d: usize) -> DirectedKind {
        let p = &self.graph.prepared;
        if p.directed[d] == DirectedKind::Ignored {
            return DirectedKind::Ignored;
        }
        let (tail, head) = (p.tail(d), p.head(d));
        let ends = [p.positions[tail], p.positions[head]];
        if !bounds_overlap_strictly(bounds(&ends), self.near) {
            // Wholly away from the perimeter: it can neither start inside nor cross it.
            return DirectedKind::Approach;
        }
        let (tail_inside, tail_on_line) = self.node_state(tail);
        classify(
            self.perimeter,
            (p.positions[tail], tail_inside, tail_on_line),
            (p.positions[head], self.node_state(head).1),
        )
    }

    /// One vehicle's results at the study's entries from its shared search.
    pub(crate) fn vehicle_results(
        &self,
        search: &VehicleSearch,
        vehicle: &VehicleClass,
        options: &Options,
        searches: &SharedSearches,
    ) -> Vec<VehicleResult> {
        let context = SearchContext {
            prepared: &self.graph.prepared,
            vehicle,
            options,
            tables: &search.tables,
            perimeter: self.perimeter,
        };
        let protected = self.repair(&context, &search.protected, true);
        let protected_labels: Vec<Option<EntryLabel>> = self
            .entries
            .iter()
            .map(|&(d, crossing)| self.entry_label(&context, &protected, (d, crossing)))
            .collect();
        // Without barriers only what is faster than with them is reported, and the network-wide
        // labels bound the study's from above: repair them only where they might be.
        let unprotected = search.unprotected.as_ref().filter(|unprotected| {
            self.entries
                .iter()
                .zip(&protected_labels)
                .any(|(&(d, _), label)| {
                    let bound = self.entry_bound(&context, unprotected, d);
                    bound.is_some_and(|bound| {
                        label
                            .as_ref()
                            .is_none_or(|label| bound > label.speed_mps + IMPROVEMENT_MPS)
                    })
                })
        });
        let unprotected = unprotected.map(|shared| self.repair(&context, shared, false));
        searches.count_labels_searched_again(
            protected.redo.len() + unprotected.as_ref().map_or(0, |labels| labels.redo.len()),
        );
        self.entries
            .iter()
            .zip(&protected_labels)
            .map(|(&(d, crossing), protected_label)| {
                let unprotected_label = unprotected
                    .as_ref()
                    .and_then(|labels| self.entry_label(&context, labels, (d, crossing)));
                context.vehicle_result(
                    d,
                    crossing,
                    protected_label.as_ref(),
                    unprotected_label.as_ref(),
                )
            })
            .collect()
    }

    /// The study's labels from the network-wide ones: a label whose best path (every update
    /// behind it in the log) avoids the segments the study takes out and starts at a node that
    /// is still an origin is the study's optimum too (the network-wide labels are upper
    /// bounds); the others are searched again from those.
    fn repair<'s>(
        &self,
        context: &SearchContext<'_>,
        shared: &'s SharedLabels,
        protected: bool,
    ) -> SiteLabels<'s> {
        let p = context.prepared;
        let labels = &shared.labels;

        // Origins the perimeter cuts off: pockets whose only way to a public road or dead end
        // ran through the site. Each touches a segment taken out.
        let mut pockets: HashSet<usize> = HashSet::new();
        let mut checked: HashSet<usize> = HashSet::new();
        for &d in &self.taken_out {
            for n in [p.tail(d), p.head(d)] {
                if shared.origins[n]
                    && !self.inside(n)
                    && !pockets.contains(&n)
                    && checked.insert(n)
                    && let Some(pocket) = self.unqualified_component(context, n, protected)
                {
                    pockets.extend(pocket);
                }
            }
        }

        // Every update that continues from one of a segment taken out, or from a fresh start
        // in a pocket, is not the study's.
        let mut stack: Vec<u32> = Vec::new();
        for &d in &self.taken_out {
            stack.extend_from_slice(shared.tree.updates(d));
        }
        let mut pocket_nodes: Vec<usize> = pockets.iter().copied().collect();
        pocket_nodes.sort_unstable();
        for &n in &pocket_nodes {
            for &d in &p.outgoing[n] {
                stack.extend(
                    shared
                        .tree
                        .updates(d)
                        .iter()
                        .filter(|&&u| labels.log[u as usize].1.is_none()),
                );
            }
        }
        let mut tainted = vec![0u64; labels.log.len().div_ceil(64)];
        let is_tainted = |tainted: &[u64], u: usize| tainted[u / 64] & (1 << (u % 64)) != 0;
        let mut tainted_updates = Vec::new();
        while let Some(u) = stack.pop() {
            let u = u as usize;
            if !is_tainted(&tainted, u) {
                tainted[u / 64] |= 1 << (u % 64);
                tainted_updates.push(u);
                stack.extend_from_slice(shared.tree.children(u));
            }
        }
        let mut redo: Vec<usize> = tainted_updates
            .iter()
            .map(|&u| labels.log[u].0)
            .filter(|&d| is_tainted(&tainted, labels.current_update[d]))
            .collect();
        redo.sort_unstable();
        redo.dedup();

        let mut site = SiteLabels {
            shared,
            speed_mps: vec![UNREACHED; redo.len()],
            start_speed_mps: vec![UNREACHED; redo.len()],
            current_update: vec![usize::MAX; redo.len()],
            log: Vec::new(),
            pockets,
            redo,
        };
        // Searched again: the approach segments among them, seeded where the study's search
        // would reach them from labels that stand, or start them.
        let searchable: Vec<bool> = site
            .redo
            .iter()
            .map(|&f| {
                self.is_approach(f)
                    && context.direction_permitted(f)
                    && context.segment_passable(f / 2, protected)
            })
            .collect();
        let start = context.start_speed();
        let mut queue = BinaryHeap::new();
        for (i, &searchable_here) in searchable.iter().enumerate() {
            let f = site.redo[i];
            let tail = p.tail(f);
            if !searchable_here || !context.node_passable(tail, protected) {
                continue;
            }
            if site.is_origin(self, tail) {
                site.offer(context, i, start, None, &mut queue);
            }
            for &e in &self.graph.incoming[tail] {
                let label = labels.speed_mps[e];
                if label < 0.0 || site.slot(e).is_some() {
                    continue;
                }
                let turn = p.turns[e]
                    .iter()
                    .position(|turn| turn.to == f)
                    .expect("every segment turns into every segment leaving its head");
                match context.tables.turn_caps_from(e)[turn].map(|cap| label.min(cap)) {
                    Some(v) if v > start + 1e-9 => {
                        let previous = Some(labels.current_update[e]);
                        site.offer(context, i, v, previous, &mut queue);
                    }
                    _ => site.offer(context, i, start, None, &mut queue),
                }
            }
        }
        while let Some((speed_bits, Reverse(i))) = queue.pop() {
            if speed_bits != site.speed_mps[i].to_bits() {
                continue;
            }
            let e = site.redo[i];
            if !context.node_passable(p.head(e), protected) {
                continue;
            }
            for (geometry, cap) in p.turns[e].iter().zip(context.tables.turn_caps_from(e)) {
                let Some(j) = site.slot(geometry.to).filter(|&j| searchable[j]) else {
                    // Labels that stand are the study's optimum already.
                    continue;
                };
                let through = cap.map(|cap| site.speed_mps[i].min(cap));
                match through {
                    Some(v) if v > start + 1e-9 => {
                        let previous = Some(site.current_update[i]);
                        site.offer(context, j, v, previous, &mut queue);
                    }
                    _ => site.offer(context, j, start, None, &mut queue),
                }
            }
        }
        site
    }

    /// The component of `n` in the study's approach graph (see `SearchContext::origins`) when
    /// it holds no public road and no dead end, i.e. its nodes are no origins of the study.
    fn unqualified_component(
        &self,
        context: &SearchContext<'_>,
        n: usize,
        protected: bool,
    ) -> Option<Vec<usize>> {
        let p = context.prepared;
        let open = |n: usize| !self.inside(n) && context.node_passable(n, protected);
        let wide_enough = |s: usize| p.segments[s].width_m >= context.vehicle.width_m;
        let mut seen = HashSet::from([n]);
        let mut component = vec![n];
        let mut next = 0;
        while let Some(&u) = component.get(next) {
            next += 1;
            if p.incident[u].iter().filter(|&&s| wide_enough(s)).count() == 1 {
                return None; // a dead end
            }
            for &s in &p.incident[u] {
                let segment = &p.segments[s];
                let joins = p.directed[2 * s] != DirectedKind::Ignored
                    && self.is_approach(2 * s)
                    && open(segment.a)
                    && open(segment.b)
                    && context.segment_passable(s, protected);
                if !joins {
                    continue;
                }
                if segment.public_road {
                    return None;
                }
                let other = if segment.a == u { segment.b } else { segment.a };
                if seen.insert(other) {
                    component.push(other);
                }
            }
        }
        Some(component)
    }

    /// The highest speed the network-wide labels offer entry `d` (an upper bound of the
    /// study's), or `None` when they do not reach it.
    fn entry_bound(
        &self,
        context: &SearchContext<'_>,
        shared: &SharedLabels,
        d: usize,
    ) -> Option<f64> {
        let p = context.prepared;
        let tail = p.tail(d);
        let start = context.start_speed();
        let mut bound = shared.origins[tail].then_some(start);
        for &e in &self.graph.incoming[tail] {
            let label = shared.labels.speed_mps[e];
            if label >= 0.0 {
                bound = Some(bound.unwrap_or(start).max(label).max(start));
            }
        }
        bound
    }

    /// The study's label of entry `d`: what its search would offer the entry segment at its
    /// tail (the start speed where the tail is an origin, and the speed through the turn from
    /// each labelled segment arriving there), with the path behind the best offer.
    fn entry_label(
        &self,
        context: &SearchContext<'_>,
        labels: &SiteLabels<'_>,
        (d, crossing): (usize, Crossing),
    ) -> Option<EntryLabel> {
        let protected = labels.shared.protected;
        let p = context.prepared;
        if !(context.direction_permitted(d) && context.entry_segment_open(d, crossing.t, protected))
        {
            return None;
        }
        let tail = p.tail(d);
        let start = context.start_speed();
        let mut best: Option<(f64, Option<usize>)> =
            labels.is_origin(self, tail).then_some((start, None));
        if context.node_passable(tail, protected) {
            for &e in &self.graph.incoming[tail] {
                let label = labels.speed(e);
                if label < 0.0 {
                    continue;
                }
                let turn = p.turns[e]
                    .iter()
                    .position(|turn| turn.to == d)
                    .expect("every segment turns into every segment leaving its head");
                let offer = match context.tables.turn_caps_from(e)[turn].map(|cap| label.min(cap)) {
                    Some(v) if v > start + 1e-9 => (v, Some(e)),
                    _ => (start, None),
                };
                // The first of equal offers is kept, so the choice is deterministic.
                if best.is_none_or(|(speed, _)| offer.0 > speed) {
                    best = Some(offer);
                }
            }
        }
        let (speed_mps, before) = best?;
        let mut path = before.map_or_else(Vec::new, |e| labels.path_to(e));
        path.push(d);
        Some(EntryLabel { speed_mps, path })
    }
}

/// A study's labels: the network-wide ones that stand, and those searched again (`redo`).
struct SiteLabels<'s> {
    shared: &'s SharedLabels,
    /// The directed segments searched again, in increasing order; the arrays below are theirs.
    redo: Vec<usize>,
    speed_mps: Vec<f64>,
    start_speed_mps: Vec<f64>,
    /// Index of the update that set the label: below the shared log's length an update of the
    /// shared log, above it one of `log`.
    current_update: Vec<usize>,
    log: Vec<(usize, Option<usize>)>,
    /// Nodes that are origins network-wide but not in the study.
    pockets: HashSet<usize>,
}

impl SiteLabels<'_> {
    fn slot(&self, d: usize) -> Option<usize> {
        self.redo.binary_search(&d).ok()
    }

    fn speed(&self, d: usize) -> f64 {
        match self.slot(d) {
            Some(i) => self.speed_mps[i],
            None => self.shared.labels.speed_mps[d],
        }
    }

    fn is_origin(&self, site: &SiteView<'_>, n: usize) -> bool {
        self.shared.origins[n] && !site.inside(n) && !self.pockets.contains(&n)
    }

    fn offer(
        &mut self,
        context: &SearchContext<'_>,
        i: usize,
        entry_speed_mps: f64,
        previous: Option<usize>,
        queue: &mut BinaryHeap<(u64, Reverse<usize>)>,
    ) {
        // As `SearchContext::offer` for approach segments.
        if entry_speed_mps <= self.start_speed_mps[i] + IMPROVEMENT_MPS {
            return;
        }
        let value = context.run(entry_speed_mps, self.redo[i] / 2);
        if value > self.speed_mps[i] + IMPROVEMENT_MPS {
            self.speed_mps[i] = value;
            self.start_speed_mps[i] = entry_speed_mps;
            self.current_update[i] = self.shared.labels.log.len() + self.log.len();
            self.log.push((self.redo[i], previous));
            queue.push((value.to_bits(), Reverse(i)));
        }
    }

    /// The directed segments of the best path to the end of `d`, first to last.
    fn path_to(&self, d: usize) -> Vec<usize> {
        let shared_log = &self.shared.labels.log;
        let mut path = Vec::new();
        let mut update = Some(match self.slot(d) {
            Some(i) => self.current_update[i],
            None => self.shared.labels.current_update[d],
        });
        while let Some(index) = update {
            let (segment, previous) = match index.checked_sub(shared_log.len()) {
                Some(local) => self.log[local],
                None => shared_log[index],
            };
            path.push(segment);
            update = previous;
        }
        path.reverse();
        path
    }
}

/// True when two bounds overlap (touching counts).
fn bounds_overlap_strictly((ax0, ay0, ax1, ay1): Bounds, (bx0, by0, bx1, by1): Bounds) -> bool {
    ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1
}

/// What decides a shared search: the vehicle and the options that change the search.
#[derive(Clone, PartialEq)]
struct SearchKey {
    vehicle: VehicleClass,
    rules: TrafficRules,
    model: AccelerationModel,
    start_speed_bits: u64,
    friction_multiplier_bits: u64,
}

impl SearchKey {
    fn new(vehicle: &VehicleClass, options: &Options) -> SearchKey {
        SearchKey {
            vehicle: vehicle.clone(),
            rules: options.rules,
            model: options.acceleration_model,
            start_speed_bits: options.start_speed_mps.to_bits(),
            friction_multiplier_bits: options.friction_multiplier.to_bits(),
        }
    }
}

enum Slot {
    /// A thread is running this search.
    Running,
    Ready(Arc<VehicleSearch>),
}

enum Claim {
    Ready(Arc<VehicleSearch>),
    /// The caller is to run it.
    Mine,
    /// Another thread is running it.
    Busy,
}

/// Counts of what the shared searches did (for benchmarks and progress displays).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchStatistics {
    /// Network-wide searches run (one per vehicle and search options; each covers the search
    /// with barriers and, where a barrier stops the vehicle, the one without).
    pub shared_searches: usize,
    /// Studies analysed from the shared searches.
    pub shared_studies: usize,
    /// Directed-segment labels searched again because their best network-wide path was not
    /// the study's (it crossed the perimeter or started in a pocket the perimeter cuts off),
    /// summed over studies, vehicles and searches with and without barriers.
    pub labels_searched_again: usize,
    /// Studies that ran their own searches throughout (added barriers, obstacles or openings,
    /// or a search radius).
    pub own_search_studies: usize,
}

/// A network-wide graph made on first use; threads wanting it meanwhile wait.
type GraphCell = Arc<OnceLock<Arc<SharedGraph>>>;

/// The shared graphs and searches of one prepared network, made on first use and kept.
#[derive(Default)]
pub(crate) struct SharedSearches {
    /// Per friction multiplier (its bits), the graph, made once.
    graphs: Mutex<Vec<(u64, GraphCell)>>,
    searches: Mutex<Vec<(SearchKey, Slot)>>,
    search_done: Condvar,
    shared_searches: AtomicUsize,
    shared_studies: AtomicUsize,
    labels_searched_again: AtomicUsize,
    own_search_studies: AtomicUsize,
}

impl std::fmt::Debug for SharedSearches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSearches")
            .field("statistics", &self.statistics())
            .finish_non_exhaustive()
    }
}

impl SharedSearches {
    pub(crate) fn statistics(&self) -> SearchStatistics {
        SearchStatistics {
            shared_searches: self.shared_searches.load(Ordering::Relaxed),
            shared_studies: self.shared_studies.load(Ordering::Relaxed),
            labels_searched_again: self.labels_searched_again.load(Ordering::Relaxed),
            own_search_studies: self.own_search_studies.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_shared_study(&self) {
        self.shared_studies.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_labels_searched_again(&self, count: usize) {
        self.labels_searched_again
            .fetch_add(count, Ordering::Relaxed);
    }

    pub(crate) fn count_own_search_study(&self) {
        self.own_search_studies.fetch_add(1, Ordering::Relaxed);
    }

    /// The network-wide graph for `options`' friction multiplier (made once; other threads
    /// wanting it meanwhile wait for it).
    pub(crate) fn graph(&self, index: &NetworkIndex, options: &Options) -> Arc<SharedGraph> {
        let key = options.friction_multiplier.to_bits();
        let cell = {
            let mut graphs = self.graphs.lock().unwrap_or_else(PoisonError::into_inner);
            match graphs.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => Arc::clone(cell),
                None => {
                    let cell = Arc::new(OnceLock::new());
                    graphs.push((key, Arc::clone(&cell)));
                    cell
                }
            }
        };
        Arc::clone(cell.get_or_init(|| Arc::new(SharedGraph::new(index, options))))
    }

    /// Calls `each` with every vehicle's shared search, in an order that lets threads analysing
    /// other studies at the same time run different vehicles' searches: a search another thread
    /// is running is left for last and then waited for.
    pub(crate) fn for_each_search(
        &self,
        graph: &SharedGraph,
        vehicles: &[VehicleClass],
        options: &Options,
        mut each: impl FnMut(usize, &VehicleSearch),
    ) {
        let keys: Vec<SearchKey> = vehicles
            .iter()
            .map(|vehicle| SearchKey::new(vehicle, options))
            .collect();
        let mut busy = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            match self.claim(key, false) {
                Claim::Ready(search) => each(i, &search),
                Claim::Mine => each(i, &self.run(graph, &vehicles[i], options, key)),
                Claim::Busy => busy.push(i),
            }
        }
        for i in busy {
            match self.claim(&keys[i], true) {
                Claim::Ready(search) => each(i, &search),
                Claim::Mine | Claim::Busy => {
                    each(i, &self.run(graph, &vehicles[i], options, &keys[i]));
                }
            }
        }
    }

    /// The search for `key` if ready; else claims it for the caller, or (with `wait`) waits
    /// while another thread runs it.
    fn claim(&self, key: &SearchKey, wait: bool) -> Claim {
        let mut searches = self.searches.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match searches.iter().find(|(k, _)| k == key) {
                Some((_, Slot::Ready(search))) => return Claim::Ready(Arc::clone(search)),
                Some((_, Slot::Running)) if !wait => return Claim::Busy,
                Some((_, Slot::Running)) => {
                    searches = self
                        .search_done
                        .wait(searches)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                None => {
                    searches.push((key.clone(), Slot::Running));
                    return Claim::Mine;
                }
            }
        }
    }

    /// Runs the claimed search for `key` and publishes it (or, should it panic, withdraws the
    /// claim so that waiting threads run it themselves).
    fn run(
        &self,
        graph: &SharedGraph,
        vehicle: &VehicleClass,
        options: &Options,
        key: &SearchKey,
    ) -> Arc<VehicleSearch> {
        struct Withdraw<'a> {
            searches: &'a SharedSearches,
            key: &'a SearchKey,
            done: bool,
        }
        impl Drop for Withdraw<'_> {
            fn drop(&mut self) {
                if !self.done {
                    let mut searches = self
                        .searches
                        .searches
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    searches.retain(|(k, _)| k != self.key);
                    self.searches.search_done.notify_all();
                }
            }
        }
        let mut withdraw = Withdraw {
            searches: self,
            key,
            done: false,
        };
        let search = Arc::new(VehicleSearch::new(graph, vehicle, options));
        self.shared_searches.fetch_add(1, Ordering::Relaxed);
        let mut searches = self.searches.lock().unwrap_or_else(PoisonError::into_inner);
        match searches.iter_mut().find(|(k, _)| k == key) {
            Some((_, slot)) => *slot = Slot::Ready(Arc::clone(&search)),
            None => searches.push((key.clone(), Slot::Ready(Arc::clone(&search)))),
        }
        withdraw.done = true;
        self.search_done.notify_all();
        search
    }
}
