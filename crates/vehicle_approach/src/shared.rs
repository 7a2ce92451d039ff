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
//! site's graph (its segments wholly outside the perimeter, its start a node that still
//! qualifies as an origin with the perimeter in place), it *stands*: it is the site's optimum.
//! Labels that do not stand are searched again, seeded from those that stand, but only those
//! the site's entries turn out to need (`SiteView::repair`): going back from each entry, the
//! one whose network-wide value (an upper bound) offers most is taken first, and more only
//! while what has been taken leaves the entry, or a label taken, short of what it can use and
//! of what a candidate could still offer. Whether a path stands is read from the bounds of the path behind
//! each logged update ([`LogPaths`]): only the part of it near the perimeter is walked. Studies
//! with added barriers, obstacles or openings, or a search radius, run their own search.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{
    CachedPath, Diagnostic, EntryLabel, EntryLabels, ForwardCache, IMPROVEMENT_MPS, Labels,
    LogEntry, SearchContext, SlotQueue, TurnLayout, UNREACHED, VehicleResult, VehicleTables,
    through_turn,
};
use crate::geometry::Point;
use crate::network::{Options, Study, TrafficRules};
use crate::physics::AccelerationModel;
use crate::prepare::{
    Bounds, Crossing, DirectedKind, Grid, NetworkIndex, Prepared, bounds, classify,
    node_position_state,
};
use crate::vehicle::VehicleClass;

/// Sets and maps of node and log-update indices (the repair's pockets, the forward-pass
/// cache), hashed with FxHash rather than SipHash, which showed in profiles: the keys are
/// indices, not untrusted input, and these are only asked what they hold, never iterated, so
/// the hasher changes no result.
type IndexSet = FxHashSet<usize>;
pub(crate) type IndexMap<V> = FxHashMap<usize, V>;

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
    /// The turns into each directed segment `f`, at
    /// `turns_into_start[f]..turns_into_start[f + 1]`: (segment turning, index in its turns),
    /// by increasing segment (the order of `incoming`). One flat list, so per-search arrays can
    /// follow the same order.
    turns_into: Vec<(u32, u32)>,
    turns_into_start: Vec<u32>,
    /// `Prepared::turns` flattened, with the segment each turn leads into: the repair reads
    /// only this of each turn, and reads it for every label it searches again. Every vehicle's
    /// tables over the graph share it.
    turns: Arc<TurnLayout>,
    /// Per turn in that flattened order, its place in `turns_into`.
    turn_into_at: Vec<u32>,
    /// Per directed segment, its tail and head node (`Prepared::tail`, `head`) without
    /// reading the segment's record.
    ends: Vec<[u32; 2]>,
    grid: Grid,
    /// What every study without added items reports about the network (before its own
    /// perimeter's note).
    pub diagnostics: Vec<Diagnostic>,
}

impl SharedGraph {
    /// The turns into directed segment `f`: (segment turning, index in its turns).
    fn turns_into(&self, f: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.turns_into[self.turns_into_range(f)]
            .iter()
            .map(|&(e, k)| (e as usize, k as usize))
    }

    fn tail(&self, d: usize) -> usize {
        self.ends[d][0] as usize
    }

    fn head(&self, d: usize) -> usize {
        self.ends[d][1] as usize
    }

    /// Where the turns into `f` lie in `turns_into` (and in arrays in its order).
    fn turns_into_range(&self, f: usize) -> std::ops::Range<usize> {
        self.turns_into_start[f] as usize..self.turns_into_start[f + 1] as usize
    }

    fn new(index: &NetworkIndex, options: &Options) -> SharedGraph {
        let mut diagnostics = Vec::new();
        let prepared = index.prepare_network_wide(options, &mut diagnostics);
        let mut incoming = vec![Vec::new(); prepared.positions.len()];
        for (d, kind) in prepared.directed.iter().enumerate() {
            if *kind != DirectedKind::Ignored {
                incoming[prepared.head(d)].push(d);
            }
        }
        // The turns grouped by the segment they lead into, each group by increasing segment
        // turning: counted first, then placed (a counting sort, not a vector per segment).
        let mut turns_into_start = vec![0u32; prepared.directed.len() + 1];
        for turn in prepared.turns.iter().flatten() {
            turns_into_start[turn.to + 1] += 1;
        }
        for f in 0..prepared.directed.len() {
            turns_into_start[f + 1] += turns_into_start[f];
        }
        let mut placed = turns_into_start.clone();
        let mut turns_into = vec![(0, 0); turns_into_start[prepared.directed.len()] as usize];
        for (e, turns) in prepared.turns.iter().enumerate() {
            for (k, turn) in turns.iter().enumerate() {
                turns_into[placed[turn.to] as usize] = (e as u32, k as u32);
                placed[turn.to] += 1;
            }
        }
        let turns = Arc::new(TurnLayout::new(&prepared));
        let mut turn_into_at = vec![0u32; turns_into.len()];
        for (at, &(e, k)) in turns_into.iter().enumerate() {
            turn_into_at[turns.range(e as usize).start + k as usize] = at as u32;
        }
        let ends = (0..prepared.directed.len())
            .map(|d| [prepared.tail(d) as u32, prepared.head(d) as u32])
            .collect();
        let grid = Grid::new(
            &prepared.positions,
            prepared
                .segments
                .iter()
                .map(|segment| (segment.a, segment.b)),
        );
        SharedGraph {
            prepared,
            incoming,
            turns_into,
            turns_into_start,
            turns,
            turn_into_at,
            ends,
            grid,
            diagnostics,
        }
    }
}

/// One network-wide search's labels with what a site needs to repair them.
struct SharedLabels {
    labels: Labels,
    origins: Vec<bool>,
    paths: Arc<LogPaths>,
    /// Whether the search respected barriers.
    protected: bool,
    /// Forward passes of the reported approaches over the paths behind the log's updates.
    forward: ForwardCache,
    /// Per directed segment, whether the vehicle may drive it (as `SearchContext::search`
    /// decides for approach segments), and per node whether it may pass; the repair asks for
    /// every label it may search again, and these keep it from the segments' and nodes' records.
    drivable: Vec<bool>,
    node_open: Vec<bool>,
    /// Per turn of `SharedGraph::turns_into` (same order), the speed the turning segment's
    /// label offers at the start of the segment turned into, as the search offers it (the
    /// start speed where the turn is too tight or slower), or `UNREACHED` where the label is:
    /// a site's repair reads it for every turn into the labels it may need, and this keeps
    /// those reads in order instead of at random across labels and speed caps.
    offers_into: Vec<f64>,
}

impl SharedLabels {
    /// The labels of the search with barriers (`with_barriers: None`) or of the one without,
    /// carried on from those with (whose log it extends, so what is derived from the log and
    /// the labels is carried on too, not made again).
    fn new(
        graph: &SharedGraph,
        context: &SearchContext<'_>,
        with_barriers: Option<&SharedLabels>,
    ) -> SharedLabels {
        let protected = with_barriers.is_none();
        let origins = context.origins(protected);
        let labels = match with_barriers {
            None => context.search_from(true, &origins),
            Some(before) => context.search_without_barriers_from(&before.labels, &origins),
        };
        let paths = Arc::new(LogPaths::new(
            &labels,
            context.prepared,
            with_barriers.map(|before| &before.paths),
        ));
        let start = context.start_speed();
        // What each turn offers, label by label (each label's turns lie side by side), written
        // where `turns_into` has the turn; without barriers only for the labels that changed.
        let mut offers_into = match with_barriers {
            None => vec![UNREACHED; graph.turns_into.len()],
            Some(before) => before.offers_into.clone(),
        };
        for (e, &label) in labels.speed_mps.iter().enumerate() {
            let changed = with_barriers
                .is_none_or(|before| before.labels.speed_mps[e].to_bits() != label.to_bits());
            if !changed || (label < 0.0 && with_barriers.is_none()) {
                continue;
            }
            for (&at, &cap) in graph.turn_into_at[graph.turns.range(e)]
                .iter()
                .zip(context.tables.turn_caps_from(e))
            {
                offers_into[at as usize] = if label < 0.0 {
                    UNREACHED
                } else {
                    through_turn(label, cap, start).unwrap_or(start)
                };
            }
        }
        SharedLabels {
            labels,
            origins,
            paths,
            protected,
            forward: ForwardCache::default(),
            offers_into,
            drivable: (0..context.prepared.directed.len())
                .map(|d| {
                    context.direction_permitted(d) && context.segment_passable(d / 2, protected)
                })
                .collect(),
            node_open: (0..context.prepared.positions.len())
                .map(|n| context.node_passable(n, protected))
                .collect(),
        }
    }
}

/// Per update of a search log, what a site asks about the path behind it without walking it
/// all (the bounds of every segment on it and the node where its run-up starts) and, for the
/// part it does walk, the update itself: one record per update, so a step of a walk reads one
/// place in memory rather than three (the walks are a tenth of Munich's per-site work, most of
/// it waiting for memory).
struct LogPaths {
    /// The records of the log this one extends (the search without barriers carries on from
    /// the one with them): its first updates are that log's, so their records are read there
    /// rather than copied (on Munich, 3 MB per vehicle).
    carried: Option<Arc<LogPaths>>,
    /// The records of the updates after those carried.
    steps: Vec<LogStep>,
}

#[derive(Clone, Copy)]
struct LogStep {
    /// (x min, y min, x max, y max), m, rounded to f32 (sites compare them with bounds
    /// widened by a metre).
    bounds: [f32; 4],
    /// The directed segment the update labelled.
    segment: u32,
    /// The update before it on its path, or `u32::MAX` where its run-up starts.
    previous: u32,
    origin: u32,
}

impl LogPaths {
    /// The records of `labels`' log; those of the updates `before` has (a log this one
    /// extends, itself extending none) are read there.
    fn new(labels: &Labels, prepared: &Prepared, before: Option<&Arc<LogPaths>>) -> LogPaths {
        debug_assert!(before.is_none_or(|before| before.carried.is_none()));
        let mut paths = LogPaths {
            carried: before.cloned(),
            steps: Vec::new(),
        };
        let carried = paths.carried_len();
        let log = &labels.log;
        paths.steps.reserve(log.len() - carried);
        for entry in &log[carried..] {
            let (d, previous) = (entry.segment(), entry.previous());
            let (tail, head) = (prepared.tail(d), prepared.head(d));
            let (a, b) = (prepared.positions[tail], prepared.positions[head]);
            let mut bounds = [
                a.x_m.min(b.x_m) as f32,
                a.y_m.min(b.y_m) as f32,
                a.x_m.max(b.x_m) as f32,
                a.y_m.max(b.y_m) as f32,
            ];
            let origin = match previous {
                // Every update continues one logged before it.
                Some(before) => {
                    let earlier = paths.step(before);
                    bounds = [
                        bounds[0].min(earlier.bounds[0]),
                        bounds[1].min(earlier.bounds[1]),
                        bounds[2].max(earlier.bounds[2]),
                        bounds[3].max(earlier.bounds[3]),
                    ];
                    earlier.origin
                }
                None => tail as u32,
            };
            paths.steps.push(LogStep {
                bounds,
                segment: d as u32,
                previous: previous.map_or(u32::MAX, |before| before as u32),
                origin,
            });
        }
        paths
    }

    /// How many of the first updates are the carried log's.
    fn carried_len(&self) -> usize {
        self.carried
            .as_ref()
            .map_or(0, |carried| carried.steps.len())
    }

    /// The record of update `update`.
    fn step(&self, update: usize) -> LogStep {
        match update.checked_sub(self.carried_len()) {
            Some(own) => self.steps[own],
            None => self.carried.as_ref().expect("a carried log").steps[update],
        }
    }
}

impl LogStep {
    /// Whether the path behind the update may come near `(x0, y0, x1, y1)`.
    fn may_touch(&self, (x0, y0, x1, y1): Bounds) -> bool {
        let [bx0, by0, bx1, by1] = self.bounds.map(f64::from);
        bx0 <= x1 && x0 <= bx1 && by0 <= y1 && y0 <= by1
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
        let tables = VehicleTables::with_turns(
            prepared,
            Arc::clone(&graph.turns),
            vehicle,
            options.acceleration_model,
        );
        let context = SearchContext {
            prepared,
            vehicle,
            options,
            tables: &tables,
            perimeter: &[],
        };
        let protected = SharedLabels::new(graph, &context, None);
        let unprotected = (!prepared.barriers.is_empty() && context.barriers_stop_vehicle())
            .then(|| SharedLabels::new(graph, &context, Some(&protected)));
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
    /// Per node, (inside, on the line): false for every node outside `near`. A plain array:
    /// the repair asks about a node for every label it searches again.
    node_states: Vec<(bool, bool)>,
    /// Directed entry segments with their crossings, in increasing order.
    entries: Vec<(usize, Crossing)>,
    /// Directed segments of the network-wide graph that are not approach segments of the
    /// study (they start inside, run along the line or cross it), in increasing order.
    taken_out: Vec<usize>,
    /// The same as a bit set over directed segments: the repair asks about every turn.
    taken_out_bits: Vec<u64>,
    /// The pockets found so far, by vehicle width (the bits of its `f64`) and whether barriers
    /// count: they depend on nothing else of the vehicle, and the standard classes come in
    /// three widths, so a site walks its pockets three times instead of eight.
    pockets: RefCell<Vec<(PocketsKey, Rc<IndexSet>)>>,
}

/// What a site's pockets depend on: the vehicle's width (the bits of its `f64`) and whether
/// barriers count.
type PocketsKey = (u64, bool);

impl<'a> SiteView<'a> {
    pub(crate) fn new(
        index: &NetworkIndex,
        graph: &'a SharedGraph,
        perimeter: &'a [Point],
    ) -> SiteView<'a> {
        let (x0, y0, x1, y1) = bounds(perimeter);
        let near = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0);
        let mut node_states = vec![(false, false); index.positions().len()];
        for n in index.nodes_within(near) {
            node_states[n] = node_position_state(perimeter, index.positions()[n]);
        }
        let mut site = SiteView {
            graph,
            perimeter,
            near,
            node_states,
            entries: Vec::new(),
            taken_out: Vec::new(),
            taken_out_bits: vec![0; graph.prepared.directed.len().div_ceil(64)],
            pockets: RefCell::default(),
        };
        for s in graph.grid.within(near) {
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
                    site.taken_out_bits[d / 64] |= 1 << (d % 64);
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
        self.node_states[n]
    }

    fn inside(&self, n: usize) -> bool {
        self.node_state(n).0
    }

    /// Whether directed segment `d` (used network-wide) is an approach segment of the study.
    fn is_approach(&self, d: usize) -> bool {
        self.taken_out_bits[d / 64] & (1 << (d % 64)) == 0
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
        let protected = self.repair(&context, &search.protected, true, &[]);
        let protected_labels: Vec<Option<EntryLabel<'_>>> = self
            .entries
            .iter()
            .map(|&(d, crossing)| self.entry_label(&context, &protected, (d, crossing), None))
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
        // Without barriers, an entry needs only what could beat its label with them.
        let floors: Vec<f64> = protected_labels
            .iter()
            .map(|label| {
                label
                    .as_ref()
                    .map_or(UNREACHED, |label| label.speed_mps + IMPROVEMENT_MPS)
            })
            .collect();
        let unprotected = unprotected.map(|shared| self.repair(&context, shared, false, &floors));
        searches.count_labels_searched_again(
            protected.redo.len() + unprotected.as_ref().map_or(0, |labels| labels.redo.len()),
        );
        // Without barriers, only a faster approach is reported (`vehicle_results`): a slower
        // one's path is not even read back.
        let unprotected_labels: Vec<Option<EntryLabel<'_>>> = self
            .entries
            .iter()
            .zip(&protected_labels)
            .map(|(&(d, crossing), protected_label)| {
                unprotected.as_ref().and_then(|labels| {
                    let faster_than = protected_label.as_ref().map(|label| label.speed_mps);
                    self.entry_label(&context, labels, (d, crossing), faster_than)
                })
            })
            .collect();
        let entries: Vec<EntryLabels<'_, '_>> = self
            .entries
            .iter()
            .zip(protected_labels.iter().zip(&unprotected_labels))
            .map(|(&(d, crossing), (protected, unprotected))| {
                (d, crossing, protected.as_ref(), unprotected.as_ref())
            })
            .collect();
        context.vehicle_results(&entries)
    }

    /// The study's labels from the network-wide ones. A label whose best path (every update
    /// behind it in the log) avoids the segments the study takes out and starts at a node that
    /// is still an origin *stands*: it is the study's optimum too (the network-wide labels are
    /// upper bounds). The others are searched again, but only those the entries turn out to
    /// need, found depth first from each entry: an entry or a label searched again takes, of
    /// the labels arriving at its start that do not stand, the one whose network-wide offer
    /// (an upper bound) is highest, and that one takes its own best in turn, down to labels
    /// seeded from what stands or from origins. Then one forward search over what was taken;
    /// then each entry or label still short of what its next candidate could offer takes it,
    /// and so on until none is. A label stops taking candidates once it is as fast as anything
    /// after it can use (its ceiling: the speed cap of the turn after it, or what the segment
    /// after it needs at its start to reach its own ceiling) or once no candidate left could
    /// offer it more than it has, since a candidate can offer no more than its network-wide
    /// label. So every label on a best path into an entry is taken, and the entries get what a
    /// search over the whole study gives them, to within the searches' improvement threshold
    /// (which path of two that close is reported may differ). On the Munich demo this
    /// searches about a tenth of the labels that going back from the entries while a bound
    /// could beat what stands did.
    fn repair<'s>(
        &self,
        context: &SearchContext<'_>,
        shared: &'s SharedLabels,
        protected: bool,
        floors: &[f64],
    ) -> SiteLabels<'s> {
        let p = context.prepared;
        // Room for what a repair usually takes (Munich: about 50 labels, each with a few
        // candidates and updates), so the per-label vectors do not grow push by push.
        const LABELS: usize = 128;
        let mut site = SiteLabels {
            shared,
            redo: Vec::with_capacity(LABELS),
            speed_mps: Vec::with_capacity(LABELS),
            start_speed_mps: Vec::with_capacity(LABELS),
            current_update: Vec::with_capacity(LABELS),
            log: Vec::with_capacity(2 * LABELS),
            pockets: self.pockets(context, shared, protected),
            // Zeroed, so untouched pages cost nothing (a site searches few labels again).
            slot_of: vec![0; p.directed.len()],
            standing: vec![Memo::Unknown; p.directed.len()],
            // An array over the shared log (a byte per update, ~100 kB) is cheaper to set than
            // a hash map is to fill with the few thousand updates the walks visit.
            path_clear: vec![Memo::Unknown; shared.labels.log.len()],
            walked: Vec::new(),
            forward: ForwardCache::default(),
        };
        let mut taking = Taking {
            start: context.start_speed(),
            highest: context.highest_run_up_speed(),
            ceiling: Vec::with_capacity(LABELS),
            candidates: Vec::with_capacity(4 * LABELS),
            first_candidate: Vec::with_capacity(LABELS),
            next_candidate: Vec::with_capacity(LABELS),
            queue: SlotQueue::new(LABELS),
            turns: Vec::with_capacity(16),
        };
        // Per entry the study's search may label: its segment, its candidates, the next one.
        let mut entries: Vec<(usize, Vec<Candidate>, usize)> = Vec::new();
        for (k, &(d, crossing)) in self.entries.iter().enumerate() {
            if context.direction_permitted(d)
                && context.entry_segment_open(d, crossing.t, protected)
                && context.node_passable(p.tail(d), protected)
            {
                let floor = floors.get(k).copied().unwrap_or(UNREACHED);
                let mut candidates = self.candidates_into(&mut site, d);
                candidates.retain(|candidate| candidate.offer_mps > floor);
                if !candidates.is_empty() {
                    entries.push((d, candidates, 0));
                }
            }
        }
        let mut waiting: Vec<Taker> = (0..entries.len()).rev().map(Taker::Entry).collect();
        loop {
            while let Some(taker) = waiting.pop() {
                let taken = match taker {
                    Taker::Entry(k) => {
                        let (d, ref candidates, next) = entries[k];
                        let wanted = candidates.get(next).copied().filter(|candidate| {
                            self.entry_wants(context, &site, &taking, d, candidate.offer_mps)
                        });
                        if wanted.is_some() {
                            entries[k].2 += 1;
                        }
                        // Any faster start into an entry matters.
                        wanted.map(|candidate| (candidate, f64::INFINITY))
                    }
                    Taker::Label(i) => taking.wanted(&site, i).map(|candidate| {
                        taking.next_candidate[i] += 1;
                        (candidate, taking.limit(context, &site, i))
                    }),
                };
                if let Some((candidate, limit)) = taken {
                    let ceiling = taking.useful(context, candidate, limit);
                    if let Some(j) =
                        self.take(context, &mut site, &mut taking, candidate.from, ceiling)
                    {
                        waiting.push(Taker::Label(j));
                    }
                }
            }
            self.search_taken(context, &mut site, &mut taking);
            // Those still short of what their next candidate could offer take it.
            for (k, &(d, ref candidates, next)) in entries.iter().enumerate().rev() {
                if candidates.get(next).is_some_and(|candidate| {
                    self.entry_wants(context, &site, &taking, d, candidate.offer_mps)
                }) {
                    waiting.push(Taker::Entry(k));
                }
            }
            for i in (0..site.redo.len()).rev() {
                if taking.wanted(&site, i).is_some() {
                    waiting.push(Taker::Label(i));
                }
            }
            if waiting.is_empty() {
                break;
            }
        }
        site
    }

    /// What each turn into entry segment `f` from a label that does not stand (and that the
    /// study may drive) could offer, where that beats every label that stands: its
    /// network-wide offer, an upper bound. Highest first; equal offers by segment, so the order
    /// is deterministic.
    fn candidates_into(&self, site: &mut SiteLabels<'_>, f: usize) -> Vec<Candidate> {
        let range = self.graph.turns_into_range(f);
        let shared = site.shared;
        // One vector, sized once, that becomes the candidates (a repair asks this for every
        // entry of its site, for every vehicle, with barriers and without).
        let mut turns = Vec::with_capacity(range.len());
        turns.extend(
            self.graph.turns_into[range.clone()]
                .iter()
                .zip(&shared.offers_into[range])
                .filter(|&(&(from, _), &offer_mps)| {
                    offer_mps >= 0.0 && self.searchable(shared, from as usize)
                })
                .map(|(&(from, turn), &offer_mps)| Candidate {
                    offer_mps,
                    from: from as usize,
                    turn: turn as usize,
                }),
        );
        // Highest first: below the first that stands, none could beat what it offers, so
        // whether they stand is never asked.
        turns.sort_by(|a, b| b.offer_mps.total_cmp(&a.offer_mps));
        let standing = turns
            .iter()
            .position(|candidate| self.stands(site, candidate.from))
            .unwrap_or(turns.len());
        turns.truncate(standing);
        sort_candidates(&mut turns);
        turns
    }

    /// Whether entry segment `d` could start faster by a candidate offering `offer_mps`: it
    /// beats what the labels offer the entry now, and the entry is not at the highest speed.
    fn entry_wants(
        &self,
        context: &SearchContext<'_>,
        site: &SiteLabels<'_>,
        taking: &Taking,
        d: usize,
        offer_mps: f64,
    ) -> bool {
        let start = taking.start;
        let tail = self.graph.tail(d);
        let mut best = if site.is_origin(self, tail) {
            start
        } else {
            UNREACHED
        };
        for (e, turn) in self.graph.turns_into(d) {
            let label = site.speed(e);
            if label >= 0.0 {
                let cap = context.tables.turn_caps_from(e)[turn];
                best = best.max(through_turn(label, cap, start).unwrap_or(start));
            }
        }
        best < taking.highest && offer_mps > best
    }

    /// Takes label `e` into the search with ceiling `ceiling`, seeded from an origin at its
    /// tail, the labels that stand and those already taken; or raises its ceiling (and those
    /// of the candidates it took). Returns it when it is to take candidates (again).
    fn take(
        &self,
        context: &SearchContext<'_>,
        site: &mut SiteLabels<'_>,
        taking: &mut Taking,
        e: usize,
        ceiling: f64,
    ) -> Option<usize> {
        if let Some(i) = site.slot(e) {
            if ceiling <= taking.ceiling[i] {
                return None;
            }
            let mut raised = vec![(i, ceiling)];
            while let Some((j, ceiling)) = raised.pop() {
                if ceiling <= taking.ceiling[j] {
                    continue;
                }
                taking.ceiling[j] = ceiling;
                let limit = taking.limit(context, site, j);
                let taken = taking.first_candidate[j] as usize..taking.next_candidate[j] as usize;
                for &candidate in &taking.candidates[taken] {
                    let useful = taking.useful(context, candidate, limit);
                    if let Some(k) = site.slot(candidate.from)
                        && useful > taking.ceiling[k]
                    {
                        raised.push((k, useful));
                    }
                }
            }
            return Some(i);
        }
        let shared = site.shared;
        let start = taking.start;
        let i = site.redo.len();
        site.redo.push(e);
        site.slot_of[e] = i as u32 + 1;
        site.speed_mps.push(UNREACHED);
        site.start_speed_mps.push(UNREACHED);
        site.current_update.push(usize::MAX);
        taking.ceiling.push(ceiling);
        taking.queue.grow(i + 1);
        // The turns into it, the highest network-wide offer first: the labels taken seed it
        // with what they have now (what they gain later, they offer when searched), those that
        // stand with what the search offered (from the label's own path, or from a start where
        // that is faster), and the others are its candidates. Once one that stands has
        // offered, those that do not offer more (by their network-wide bound) can neither seed
        // it faster nor be a candidate it would take, so whether they stand is never asked.
        let tail = self.graph.tail(e);
        // Its candidates go straight to the end of `taking.candidates` (sorted there below).
        let first = taking.candidates.len();
        taking.first_candidate.push(first as u32);
        taking.next_candidate.push(first as u32);
        if !shared.node_open[tail] {
            return Some(i); // nothing reaches it: it takes nothing
        }
        if site.is_origin(self, tail) {
            site.offer(context, i, start, None, &mut taking.queue);
        }
        let range = self.graph.turns_into_range(e);
        // A buffer kept in `taking`, not a vector per label taken.
        let mut turns = std::mem::take(&mut taking.turns);
        turns.clear();
        turns.extend(
            self.graph.turns_into[range.clone()]
                .iter()
                .zip(&shared.offers_into[range])
                .filter(|&(&(from, _), &offer_mps)| {
                    offer_mps >= 0.0 && self.is_approach(from as usize)
                })
                .map(|(&(from, turn), &offer_mps)| Candidate {
                    offer_mps,
                    from: from as usize,
                    turn: turn as usize,
                }),
        );
        // Highest first; equal offers in the order of the turns (a stable sort).
        turns.sort_by(|a, b| b.offer_mps.total_cmp(&a.offer_mps));
        let mut standing_offer = None;
        for &candidate in &turns {
            let from = candidate.from;
            if let Some(j) = site.slot(from) {
                taking.candidates.push(candidate); // taken: it did not stand
                let label = site.speed_mps[j];
                if label < 0.0 || !shared.node_open[self.graph.head(from)] {
                    continue;
                }
                let cap = context.tables.turn_caps_from(from)[candidate.turn];
                match through_turn(label, cap, start) {
                    Some(v) => {
                        let previous = Some(site.current_update[j]);
                        site.offer(context, i, v, previous, &mut taking.queue);
                    }
                    None => site.offer(context, i, start, None, &mut taking.queue),
                }
            } else if standing_offer.is_some_and(|offered| candidate.offer_mps <= offered) {
                continue;
            } else if self.stands(site, from) {
                let offer_mps = candidate.offer_mps;
                let previous =
                    (offer_mps > start + 1e-9).then(|| shared.labels.current_update[from]);
                site.offer(context, i, offer_mps, previous, &mut taking.queue);
                standing_offer = Some(offer_mps);
            } else if shared.drivable[from] {
                taking.candidates.push(candidate);
            }
        }
        taking.turns = turns;
        sort_candidates(&mut taking.candidates[first..]);
        Some(i)
    }

    /// The forward search over the labels taken, until nothing improves.
    fn search_taken(
        &self,
        context: &SearchContext<'_>,
        site: &mut SiteLabels<'_>,
        taking: &mut Taking,
    ) {
        let shared = site.shared;
        let start = taking.start;
        while let Some(i) = taking.queue.pop() {
            let e = site.redo[i];
            if !shared.node_open[self.graph.head(e)] {
                continue;
            }
            for (&to, &cap) in self
                .graph
                .turns
                .to_from(e)
                .iter()
                .zip(context.tables.turn_caps_from(e))
            {
                let Some(j) = site.slot(to as usize) else {
                    continue;
                };
                match through_turn(site.speed_mps[i], cap, start) {
                    Some(through) => {
                        let previous = Some(site.current_update[i]);
                        site.offer(context, j, through, previous, &mut taking.queue);
                    }
                    None => site.offer(context, j, start, None, &mut taking.queue),
                }
            }
        }
    }

    /// Whether the study's search would label directed segment `f` (an approach segment it may
    /// drive).
    fn searchable(&self, shared: &SharedLabels, f: usize) -> bool {
        self.is_approach(f) && shared.drivable[f]
    }

    /// Whether the network-wide label of approach segment `e` stands in the study (memoised in
    /// `site`).
    fn stands(&self, site: &mut SiteLabels<'_>, e: usize) -> bool {
        match site.standing[e] {
            Memo::Yes => return true,
            Memo::No => return false,
            Memo::Unknown => {}
        }
        let labels = &site.shared.labels;
        let stands = labels.speed_mps[e] >= 0.0
            && self.is_approach(e)
            && self.path_clear(site, labels.current_update[e]);
        site.standing[e] = if stands { Memo::Yes } else { Memo::No };
        stands
    }

    /// Whether the path behind update `u` of the shared log keeps to the study's approach
    /// segments and starts at one of its origins. Only the part of it near the perimeter is
    /// walked: a path whose bounds stay away from it is clear but for where it starts.
    fn path_clear(&self, site: &mut SiteLabels<'_>, u: usize) -> bool {
        let shared = site.shared;
        let (x0, y0, x1, y1) = self.near;
        let near = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0);
        let mut walked = std::mem::take(&mut site.walked);
        walked.clear();
        let mut update = u;
        let clear = loop {
            match site.path_clear[update] {
                Memo::Yes => break true,
                Memo::No => break false,
                Memo::Unknown => {}
            }
            let step = shared.paths.step(update);
            if !step.may_touch(near) {
                break !site.pockets.contains(&(step.origin as usize));
            }
            walked.push(update);
            let segment = step.segment as usize;
            if !self.is_approach(segment) {
                break false;
            }
            if step.previous == u32::MAX {
                break !site.pockets.contains(&self.graph.tail(segment));
            }
            update = step.previous as usize;
        };
        for &update in &walked {
            site.path_clear[update] = if clear { Memo::Yes } else { Memo::No };
        }
        site.walked = walked;
        clear
    }

    /// Origins the perimeter cuts off: pockets whose only way to a public road or dead end ran
    /// through the site. Each touches a segment taken out. Found once per vehicle width and
    /// setting of `protected`: the origins and the walks depend on the vehicle through its
    /// width alone (which segments, openings and dead ends it fits).
    fn pockets(
        &self,
        context: &SearchContext<'_>,
        shared: &SharedLabels,
        protected: bool,
    ) -> Rc<IndexSet> {
        let key = (context.vehicle.width_m.to_bits(), protected);
        if let Some((_, found)) = self.pockets.borrow().iter().find(|(k, _)| *k == key) {
            debug_assert!(
                **found == self.find_pockets(context, shared, protected),
                "a site's pockets depend on the vehicle's width alone"
            );
            return Rc::clone(found);
        }
        let found = Rc::new(self.find_pockets(context, shared, protected));
        self.pockets.borrow_mut().push((key, Rc::clone(&found)));
        found
    }

    fn find_pockets(
        &self,
        context: &SearchContext<'_>,
        shared: &SharedLabels,
        protected: bool,
    ) -> IndexSet {
        let p = context.prepared;
        let mut pockets = IndexSet::default();
        let mut checked = IndexSet::default();
        for &d in &self.taken_out {
            for n in [p.tail(d), p.head(d)] {
                if shared.origins[n]
                    && !self.inside(n)
                    && !pockets.contains(&n)
                    && checked.insert(n)
                {
                    match self.unqualified_component(context, n, protected) {
                        Ok(pocket) => pockets.extend(pocket),
                        // Whether a component qualifies does not depend on where the walk
                        // starts: the nodes it went through need no walk of their own.
                        Err(qualifying) => checked.extend(qualifying),
                    }
                }
            }
        }
        pockets
    }

    /// The component of `n` in the study's approach graph (see `SearchContext::origins`) when
    /// it holds no public road and no dead end, i.e. its nodes are no origins of the study;
    /// otherwise the nodes of it walked before finding one (`Err`).
    fn unqualified_component(
        &self,
        context: &SearchContext<'_>,
        n: usize,
        protected: bool,
    ) -> Result<Vec<usize>, Vec<usize>> {
        let p = context.prepared;
        let open = |n: usize| !self.inside(n) && context.node_passable(n, protected);
        let wide_enough = |s: usize| p.segments[s].width_m >= context.vehicle.width_m;
        let mut seen = IndexSet::default();
        seen.insert(n);
        let mut component = vec![n];
        let mut next = 0;
        while let Some(&u) = component.get(next) {
            next += 1;
            if p.incident[u].iter().filter(|&&s| wide_enough(s)).count() == 1 {
                return Err(component); // a dead end
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
                    return Err(component);
                }
                let other = if segment.a == u { segment.b } else { segment.a };
                if seen.insert(other) {
                    component.push(other);
                }
            }
        }
        Ok(component)
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
    /// each labelled segment arriving there), with the path behind the best offer; `None`
    /// where it offers no more than `faster_than` (and the threshold) when that is given.
    fn entry_label<'l>(
        &self,
        context: &SearchContext<'_>,
        labels: &'l SiteLabels<'_>,
        (d, crossing): (usize, Crossing),
        faster_than: Option<f64>,
    ) -> Option<EntryLabel<'l>> {
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
            for (e, turn) in self.graph.turns_into(d) {
                let label = labels.speed(e);
                if label < 0.0 {
                    continue;
                }
                let cap = context.tables.turn_caps_from(e)[turn];
                let offer = match through_turn(label, cap, start) {
                    Some(v) => (v, Some(e)),
                    None => (start, None),
                };
                // The first of equal offers is kept, so the choice is deterministic.
                if best.is_none_or(|(speed, _)| offer.0 > speed) {
                    best = Some(offer);
                }
            }
        }
        let (speed_mps, before) = best?;
        if faster_than.is_some_and(|other| speed_mps <= other + IMPROVEMENT_MPS) {
            return None;
        }
        let (mut path, updates) = before.map_or_else(Default::default, |e| labels.path_to(e));
        path.push(d);
        Some(EntryLabel {
            speed_mps,
            path,
            cached: Some(CachedPath {
                shared: &labels.shared.forward,
                local: &labels.forward,
                local_from: labels.shared.labels.log.len(),
                updates,
            }),
        })
    }
}

/// Slack above a label's ceiling before it is taken to reach it: ceilings invert the run-up
/// table only to within rounding, and reported profiles integrate what the table tabulates.
const SATURATION_MARGIN_MPS: f64 = 0.05;

/// A label arriving at the start of a segment (or entry) whose network-wide label does not
/// stand in the study: what it could offer there at most, the label and its turn.
#[derive(Clone, Copy)]
struct Candidate {
    offer_mps: f64,
    from: usize,
    /// Its index among `from`'s turns.
    turn: usize,
}

/// Highest offer first; equal offers by segment, so the order is deterministic.
fn sort_candidates(candidates: &mut [Candidate]) {
    candidates.sort_unstable_by(|a, b| {
        b.offer_mps
            .total_cmp(&a.offer_mps)
            .then(a.from.cmp(&b.from))
    });
}

/// An entry (by its index among those that may take candidates) or a label searched again
/// (by its slot) waiting to take its next candidate.
#[derive(Clone, Copy)]
enum Taker {
    Entry(usize),
    Label(usize),
}

/// A repair's labels taken so far, beside `SiteLabels`: per slot, its ceiling and its
/// candidates (at `first_candidate[i]..` in `candidates`, up to the next slot's first; those
/// before `next_candidate[i]` taken), and the forward search's queue.
struct Taking {
    start: f64,
    /// No label can be faster (`SearchContext::highest_run_up_speed`).
    highest: f64,
    /// The highest speed at the label's end that still makes a difference after it.
    ceiling: Vec<f64>,
    candidates: Vec<Candidate>,
    first_candidate: Vec<u32>,
    next_candidate: Vec<u32>,
    queue: SlotQueue,
    /// Room for the turns into a label being taken (`SiteView::take`).
    turns: Vec<Candidate>,
}

impl Taking {
    /// The speed at the start of slot `i`'s segment above which it would reach its ceiling
    /// (its candidates are useful up to that).
    fn limit(&self, context: &SearchContext<'_>, site: &SiteLabels<'_>, i: usize) -> f64 {
        context.start_speed_to_reach(self.ceiling[i], site.redo[i] / 2)
    }

    /// The ceiling `candidate` gets from what it turns into, useful up to `limit` at its
    /// start: the turn's cap and `limit`, or only reaching the turn where it starts from rest.
    fn useful(&self, context: &SearchContext<'_>, candidate: Candidate, limit: f64) -> f64 {
        let cap = context.tables.turn_caps_from(candidate.from)[candidate.turn];
        if cap > self.start + 1e-9 {
            cap.min(limit).max(self.start)
        } else {
            self.start // too tight to steer, or no faster than a standing start
        }
    }

    /// Slot `i`'s next candidate when it could still make the label faster where that makes a
    /// difference: the label is below its ceiling and the candidate offers more than the label
    /// started from.
    fn wanted(&self, site: &SiteLabels<'_>, i: usize) -> Option<Candidate> {
        let end = self
            .first_candidate
            .get(i + 1)
            .map_or(self.candidates.len(), |&end| end as usize);
        let next = self.next_candidate[i] as usize;
        if next >= end {
            return None;
        }
        let value = site.speed_mps[i];
        let saturated = value >= 0.0
            && (value >= self.ceiling[i] + SATURATION_MARGIN_MPS
                || value >= self.highest
                || self.ceiling[i] <= self.start);
        let candidate = self.candidates[next];
        (!saturated && candidate.offer_mps > site.start_speed_mps[i] + IMPROVEMENT_MPS)
            .then_some(candidate)
    }
}

/// A remembered yes-or-no answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Memo {
    Unknown,
    Yes,
    No,
}

/// A study's labels: the network-wide ones that stand, and those searched again (`redo`).
struct SiteLabels<'s> {
    shared: &'s SharedLabels,
    /// The directed segments searched again, in the order taken; the arrays below are theirs.
    redo: Vec<usize>,
    speed_mps: Vec<f64>,
    start_speed_mps: Vec<f64>,
    /// Index of the update that set the label: below the shared log's length an update of the
    /// shared log, above it one of `log`.
    current_update: Vec<usize>,
    log: Vec<LogEntry>,
    /// Nodes that are origins network-wide but not in the study.
    pockets: Rc<IndexSet>,
    /// Per directed segment, its index in `redo` plus one (0: not searched again).
    slot_of: Vec<u32>,
    /// Per directed segment asked about, whether its network-wide label stands.
    standing: Vec<Memo>,
    /// Per update of the shared log, whether the path behind it is the study's (once walked).
    path_clear: Vec<Memo>,
    /// The updates a walk of `SiteView::path_clear` went through (kept for the next walk).
    walked: Vec<usize>,
    /// Forward passes of reported approaches over the paths behind updates of `log`.
    forward: ForwardCache,
}

impl SiteLabels<'_> {
    fn slot(&self, d: usize) -> Option<usize> {
        match self.slot_of.get(d) {
            Some(&slot) if slot > 0 => Some(slot as usize - 1),
            _ => None,
        }
    }

    /// The study's label of `d`: searched again, standing, or (left out as unable to improve
    /// on the others) none.
    fn speed(&self, d: usize) -> f64 {
        match self.slot(d) {
            Some(i) => self.speed_mps[i],
            None if self.standing[d] == Memo::Yes => self.shared.labels.speed_mps[d],
            None => UNREACHED,
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
        queue: &mut SlotQueue,
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
            self.log.push(LogEntry::new(self.redo[i], previous));
            queue.push_or_raise(value.to_bits(), i);
        }
    }

    /// The directed segments of the best path to the end of `d`, first to last, and the
    /// update behind each (of the shared log, or from its length on of this repair's). The
    /// path has room for one more segment (the entry's).
    fn path_to(&self, d: usize) -> (Vec<usize>, Vec<usize>) {
        let shared_log = &self.shared.labels.log;
        let entry = |index: usize| match index.checked_sub(shared_log.len()) {
            Some(local) => self.log[local],
            None => shared_log[index],
        };
        let last = match self.slot(d) {
            Some(i) => self.current_update[i],
            None => self.shared.labels.current_update[d],
        };
        let updates_back = || std::iter::successors(Some(last), |&index| entry(index).previous());
        // Counted first and filled from the end: paths have about a hundred segments, and
        // growing the vectors push by push cost more than walking the log twice.
        let count = updates_back().count();
        let mut path = Vec::with_capacity(count + 1);
        path.resize(count, 0);
        let mut updates = vec![0; count];
        for (at, index) in (0..count).rev().zip(updates_back()) {
            updates[at] = index;
            path[at] = entry(index).segment();
        }
        (path, updates)
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
