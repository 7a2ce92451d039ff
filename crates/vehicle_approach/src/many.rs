//! Many studies over one network: the network is prepared once, each study does only its own
//! work, and a caller may watch progress and stop early.

use std::ops::ControlFlow;

use crate::analysis::{Analysis, Diagnostic, Error, analyse_prepared};
use crate::network::{Network, Study};
use crate::prepare::NetworkIndex;
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
#[derive(Debug, Clone)]
pub struct PreparedNetwork {
    index: NetworkIndex,
}

impl PreparedNetwork {
    /// Prepares `network` for studies. Imperfect data is reported by [`Self::diagnostics`]
    /// (and again in every analysis, as [`analyse`](crate::analyse) does).
    pub fn new(network: &Network) -> PreparedNetwork {
        PreparedNetwork {
            index: NetworkIndex::new(network),
        }
    }

    /// What was imperfect about the network's nodes and ways, and how it was handled.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.index.diagnostics()
    }

    /// Analyses one study: the same result as [`analyse`](crate::analyse) on the network this
    /// was prepared from.
    pub fn analyse(&self, study: &Study, vehicles: &[VehicleClass]) -> Result<Analysis, Error> {
        if vehicles.is_empty() {
            return Err(Error::NoVehicles);
        }
        let mut diagnostics = Vec::new();
        let prepared = self.index.prepare_study(study, &mut diagnostics)?;
        Ok(analyse_prepared(&prepared, study, vehicles, diagnostics))
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
    let mut analyses = Vec::with_capacity(studies.len());
    for study in studies {
        analyses.push(prepared.analyse(study, vehicles));
        if progress
            .study_done(analyses.len(), studies.len())
            .is_break()
        {
            break;
        }
    }
    analyses
}
