//! Many studies over one network: the network is prepared once, each study does only its own
//! work, and a caller may watch progress and stop early.

use std::ops::ControlFlow;

use crate::analysis::{Analysis, Diagnostic, Error, VehicleResult, analyse_prepared, entry_point};
use crate::network::{Network, Study};
use crate::prepare::{NetworkIndex, validate_options, validate_perimeter};
use crate::shared::{SearchStatistics, SharedSearches, SiteView, study_can_share};
use crate::vehicle::VehicleClass;

/// A network prepared once for any number of studies: node index, parsed barrier ratings,
/// every drivable segment and line across open areas, where mapped barrier lines cross them,
/// and a grid to find the nodes near a perimeter. Build it once per map and share it (it is
/// `Sync`: threads owned by the caller may analyse different studies against it at once).
///
/// [`PreparedNetwork::analyse`] gives exactly what [`analyse`](crate::analyse) gives for the
/// same network and study, bit for bit (a test checks it on the Munich demo).
///
/// ```
/// use vehicle_approach::*;
///
/// let city = synthetic_city(6, 6, 90.0, 2, 3, 7);
/// let prepared = PreparedNetwork::new(&city.network);
/// let vehicles = vehicle_classes_by_code(&["M1", "N3C"]).unwrap();
/// let studies: Vec<Study> = city.sites.iter().cloned().map(Study::new).collect();
/// let mut seen = Vec::new();
/// let analyses = analyse_many_with_progress(&prepared, &studies, &vehicles, &mut |done, total| {
///     seen.push((done, total));
/// });
/// assert_eq!(analyses.len(), 3);
/// assert_eq!(seen, [(1, 3), (2, 3), (3, 3)]);
/// let first = analyses[0].as_ref().unwrap();
/// assert_eq!(first, &analyse(&city.network, &studies[0], &vehicles).unwrap());
/// ```
#[derive(Debug)]
pub struct PreparedNetwork {
    index: NetworkIndex,
    shared: SharedSearches,
}

impl Clone for PreparedNetwork {
    /// A copy of the preparation; the shared searches are made again on first use.
    fn clone(&self) -> PreparedNetwork {
        PreparedNetwork {
            index: self.index.clone(),
            shared: SharedSearches::default(),
        }
    }
}

impl PreparedNetwork {
    /// Prepares `network` for studies. Imperfect data is reported by [`Self::diagnostics`]
    /// (and again in every analysis, as [`analyse`](crate::analyse) does).
    pub fn new(network: &Network) -> PreparedNetwork {
        PreparedNetwork {
            index: NetworkIndex::new(network),
            shared: SharedSearches::default(),
        }
    }

    /// What was imperfect about the network's nodes and ways, and how it was handled.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.index.diagnostics()
    }

    /// Analyses one study: the same result as [`analyse`](crate::analyse) on the network this
    /// was prepared from.
    ///
    /// A study without added barriers, obstacles or openings and without a search radius reads
    /// its results from one network-wide search per vehicle and search options, run on first
    /// use and kept for every later study (the search with barriers, and the one without where
    /// a barrier stops the vehicle). Labels whose best network-wide path is not a path of the
    /// study (it crosses the perimeter, or starts in a pocket the perimeter cuts off) are
    /// searched again from those that stand, but only those the study's entries can need
    /// (their upper bound could beat what the labels that stand offer), so the results are
    /// those of [`Self::analyse_with_own_search`] (tests check it on Munich and London).
    pub fn analyse(&self, study: &Study, vehicles: &[VehicleClass]) -> Result<Analysis, Error> {
        if vehicles.is_empty() {
            return Err(Error::NoVehicles);
        }
        if !study_can_share(study) {
            self.shared.count_own_search_study();
            return self.analyse_with_own_search(study, vehicles);
        }
        let perimeter = validate_perimeter(&study.perimeter)?;
        validate_options(&study.options)?;
        let graph = self.shared.graph(&self.index, &study.options);
        let site = SiteView::new(&self.index, &graph, &perimeter);
        let crossings = site.entries();
        let mut per_vehicle: Vec<Vec<VehicleResult>> = vec![Vec::new(); vehicles.len()];
        self.shared
            .for_each_search(&graph, vehicles, &study.options, |i, search| {
                per_vehicle[i] =
                    site.vehicle_results(search, &vehicles[i], &study.options, &self.shared);
            });
        self.shared.count_shared_study();
        let mut entries: Vec<_> = crossings
            .iter()
            .map(|&(d, crossing)| entry_point(&graph.prepared, d, crossing, vehicles.len()))
            .collect();
        for results in per_vehicle {
            for (entry, result) in entries.iter_mut().zip(results) {
                entry.vehicles.push(result);
            }
        }
        let mut diagnostics = graph.diagnostics.clone();
        diagnostics.extend(self.index.remoteness_diagnostic(&perimeter));
        Ok(Analysis {
            entries,
            diagnostics,
        })
    }

    /// Analyses one study with searches over the study's own graph only: the reference the
    /// shared searches of [`Self::analyse`] are checked against, and what `analyse` does for
    /// studies with added barriers, obstacles or openings or with a search radius. Slower for
    /// many studies; the same results.
    pub fn analyse_with_own_search(
        &self,
        study: &Study,
        vehicles: &[VehicleClass],
    ) -> Result<Analysis, Error> {
        if vehicles.is_empty() {
            return Err(Error::NoVehicles);
        }
        let mut diagnostics = Vec::new();
        let prepared = self.index.prepare_study(study, &mut diagnostics)?;
        Ok(analyse_prepared(&prepared, study, vehicles, diagnostics))
    }

    /// Analyses every study, in order, on the calling thread, telling `progress` after each;
    /// the result has one item per study analysed (fewer when `progress` stopped the run).
    /// This is the entry point for whole maps: the shared searches run once for all of them.
    /// Threads owned by the caller may each call it (or [`Self::analyse`]) on a share of the
    /// studies at the same time; they then run different vehicles' searches side by side.
    pub fn analyse_many(
        &self,
        studies: &[Study],
        vehicles: &[VehicleClass],
        progress: &mut dyn Progress,
    ) -> Vec<Result<Analysis, Error>> {
        let mut analyses = Vec::with_capacity(studies.len());
        for study in studies {
            analyses.push(self.analyse(study, vehicles));
            if progress
                .study_done(analyses.len(), studies.len())
                .is_break()
            {
                break;
            }
        }
        analyses
    }

    /// Runs now (or waits for) the network-wide searches that studies with `options` will
    /// share, which [`Self::analyse`] otherwise runs on first use. Threads owned by the caller
    /// may call it at the same time: each then runs a different vehicle's search.
    pub fn run_shared_searches(&self, vehicles: &[VehicleClass], options: &crate::Options) {
        let graph = self.shared.graph(&self.index, options);
        self.shared
            .for_each_search(&graph, vehicles, options, |_, _| {});
    }

    /// What the shared searches have done so far.
    pub fn search_statistics(&self) -> SearchStatistics {
        self.shared.statistics()
    }
}

/// Told how far a long run has got; may stop it (ripgrep's `Sink` style).
///
/// Any `FnMut(usize, usize)` closure is a `Progress` that never stops the run.
pub trait Progress {
    /// Called after each study with the number done and the total; return
    /// `ControlFlow::Break(())` to stop before the next one.
    fn study_done(&mut self, done: usize, total: usize) -> ControlFlow<()>;
}

impl<F: FnMut(usize, usize)> Progress for F {
    fn study_done(&mut self, done: usize, total: usize) -> ControlFlow<()> {
        self(done, total);
        ControlFlow::Continue(())
    }
}

/// Analyses every study against one prepared network, in order, on the calling thread.
pub fn analyse_many(
    prepared: &PreparedNetwork,
    studies: &[Study],
    vehicles: &[VehicleClass],
) -> Vec<Result<Analysis, Error>> {
    analyse_many_with_progress(prepared, studies, vehicles, &mut |_, _| {})
}

/// [`analyse_many`] telling `progress` after each study. The result has one item per study
/// analysed: all of them, or fewer when `progress` stopped the run.
pub fn analyse_many_with_progress(
    prepared: &PreparedNetwork,
    studies: &[Study],
    vehicles: &[VehicleClass],
    progress: &mut dyn Progress,
) -> Vec<Result<Analysis, Error>> {
    prepared.analyse_many(studies, vehicles, progress)
}
