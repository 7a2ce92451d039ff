//! Agora's use cases: log in, manage organisations and users, create, edit, import and export sites,
//! import OpenStreetMap data, load the demo city, run studies, assess sites' vulnerability and rank
//! them on the city dashboard.
//!
//! `app` is the only orchestrator: it calls the store and the engines and returns plain data. The web
//! layer and the CLI both call these functions, so whatever the UI can do, the CLI and the REST API
//! can do too, with the same checks. It knows nothing of HTTP or HTML and contains no SQL.
//!
//! Glossary:
//! - **Actor**: the authenticated user on whose behalf a use case runs; every site use case takes one
//!   and is scoped to the actor's organisation and checked against the actor's role.
//! - **Session token**: the random secret in the browser's cookie; only its SHA-256 is stored.
//! - **Candidate**: a public space found in OpenStreetMap data that a user may add as a site.
//! - **Base map**: the streets, pedestrian areas, buildings and barriers drawn under the sites.

mod assessments;
mod auth;
mod crowd;
mod demo;
mod error;
mod hvm;
mod jobs;
mod osm;
mod plans;
mod reports;
mod sites;
mod studies;
mod throttle;

use std::sync::Arc;

pub use assessments::{
    AssessmentAnswers, AssessmentComparison, CityDashboard, DEFAULT_MARKING, DashboardAssessment,
    DashboardSite, MAX_EVIDENCE_BYTES, MAX_NOTE_CHARS, StoredAssessment, check_evidence_file,
    crowd_findings, current_questionnaire, hvm_findings, questionnaire_version, schedule_1_use,
    site_duty_tier, sniff_evidence_type,
};
pub use auth::{Actor, LoginOutcome, SessionPolicy, hash_password};
pub use crowd::DEFAULT_DENSITY_PER_M2 as CROWD_DEFAULT_DENSITY_PER_M2;
pub use crowd::{
    AddedExit, CrowdChanges, CrowdDensity, CrowdDensityFrame, CrowdExitChoice, CrowdExitReport,
    CrowdInputs, CrowdPeak, CrowdPopulation, CrowdRequest, CrowdResult, CrowdSpeed, CrowdSummary,
    EvacuationLimit, PEOPLE_BLOCKING_BARRIER_KINDS, QUEUE_SPECIFIC_FLOW_P_PER_M_S, SiteSimulation,
    WALKING_LIMITED_FACTOR, crowd_engine_version, simulate_site,
};
pub use crowd_sim;
pub use demo::{
    DEMO_EXTRACT_NAME, DEMO_ORGANISATION_NAME, DEMO_USERNAME, DemoLogin, DemoSiteSpec,
    demo_site_drafts, parse_demo_manifest,
};
pub use error::AppError;
pub use hvm::{
    ADDED_BARRIER_KINDS, AddedBarrier, AddedOpening, ApproachReport, BarrierReport, BendReport,
    EntryReport, HvmChanges, HvmInputs, HvmRequest, HvmResult, HvmRules, HvmSummary,
    HvmWorstImpact, LoadedMap, VehicleReport, analyse_outline, entry_label, entry_status_text,
    hvm_engine_version, parse_area_geojson, rating_requirement_text, requested_vehicles,
};
pub use jobs::{Job, JobState, MAX_RUNNING_JOBS};
pub use osm::{
    candidate_draft, candidate_feature_collection, candidate_site_name, read_osm_bytes,
    read_osm_extract,
};
pub use osm_import::{CandidateSpace, OsmExtract};
pub use plans::{
    AUTOMATIC_CANDIDATES, CandidateMeasure, EntryNeed, HvmMeasureLink, LISTED_PLANS, PlanProposal,
    PlanRequest, SitePlans, listed_plans, propose_plans,
};
pub use reports::{
    AssessmentForReport, CityReportSite, Labels, RenderedReport, ReportAssessment, ReportFormat,
    ReportHvmStudy, SPEED_BANDS, SiteReportInputs, band_colour, city_report, contribution_text,
    file_stem, plan_letter, plan_scatter, render, report_marking, site_report, speed_colour,
    threat_title,
};
pub use store::{BoundingBox, Store};
pub use vehicle_approach;
pub use {report, risk};

/// The application: the store plus the policies that govern its use. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    session_policy: SessionPolicy,
    /// Caps concurrent Argon2 computations so a flood of logins cannot starve the server
    /// (reliability-security.md §2.1: one per core).
    hashing_permits: Arc<tokio::sync::Semaphore>,
    /// Per-account back-off after repeated failed logins.
    login_throttle: Arc<throttle::LoginThrottle>,
    /// The current map source, parsed and converted once for the engines.
    map_cache: Arc<tokio::sync::Mutex<Option<Arc<hvm::LoadedMap>>>>,
    /// Long studies running in the background.
    jobs: Arc<jobs::Jobs>,
}

impl App {
    /// Wraps an opened store.
    pub fn new(store: Arc<dyn Store>, session_policy: SessionPolicy) -> App {
        let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
        App {
            store,
            session_policy,
            hashing_permits: Arc::new(tokio::sync::Semaphore::new(cores)),
            login_throttle: Arc::default(),
            map_cache: Arc::default(),
            jobs: Arc::default(),
        }
    }

    /// Opens the database named by `url` (`sqlite://PATH` or `postgres://...`), applying migrations.
    pub async fn open(url: &str, session_policy: SessionPolicy) -> Result<App, AppError> {
        let store = store::open(url)
            .await
            .map_err(|error| AppError::Internal(anyhow::anyhow!("opening {url}: {error}")))?;
        Ok(App::new(store, session_policy))
    }

    /// The store, for the few read-only needs of the edges (e.g. which backend runs).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The session timeouts in force.
    pub fn session_policy(&self) -> SessionPolicy {
        self.session_policy
    }
}
