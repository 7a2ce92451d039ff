//! Agora's domain vocabulary: the records every other layer talks about.
//!
//! This crate is plain data plus the rules that make a record valid. It does no I/O, knows no SQL and
//! no HTTP; the store persists these types, the app layer orchestrates them, the web and CLI layers
//! render them.
//!
//! Glossary:
//! - **Organisation**: a city, police force, operator, national authority or other body. Every record
//!   has an owning organisation; users see the records of their own organisation.
//! - **Role**: what a user may do inside their organisation (admin, assessor, planner, viewer).
//! - **Site**: a public space, with a polygon in WGS84 longitude/latitude (GeoJSON order), a kind,
//!   a capacity, operators, opening hours and free-form tags.
//! - **Site draft**: the fields a user supplies to create or replace a site; validated before storage.
//! - **Assessment**: a site's vulnerability assessment against a questionnaire version; a draft until
//!   finalised, then never changed (a new one supersedes it); evidence files attach to it.
//! - **TLP marking**: the Traffic Light Protocol 2.0 label of a record (who may receive it).
//! - **Audit event**: who did what to which record, and when.

mod assessment;
mod audit;
mod basemap;
mod geometry;
mod ids;
mod organisation;
mod site;
mod site_geojson;
mod study;

pub use assessment::{
    AssessmentDraft, AssessmentRecord, AssessmentStatus, Evidence, NewAssessment, NewEvidence, Tlp,
};
pub use audit::{AuditAction, AuditEvent};
pub use basemap::{BasemapFeature, BasemapLayer};
pub use geometry::{GeometryError, SitePolygon, validate_polygon};
pub use ids::{AssessmentId, EvidenceId, JobId, OrganisationId, SiteId, StudyId, UserId};
pub use organisation::{
    NewOrganisation, NewUser, Organisation, OrganisationKind, Role, UnknownVariant, User,
    validate_password, validate_username,
};
pub use site::{Site, SiteDraft, SiteKind, SiteValidationError};
pub use site_geojson::{
    SiteImportError, parse_site_feature_collection, sites_to_feature_collection,
};
pub use study::{MapSource, NewStudy, Study, StudyKind};
