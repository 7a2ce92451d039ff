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
//! - **Audit event**: who did what to which record, and when.

mod audit;
mod basemap;
mod geometry;
mod ids;
mod organisation;
mod site;
mod site_geojson;
mod study;

pub use audit::{AuditAction, AuditEvent};
pub use basemap::{BasemapFeature, BasemapLayer};
pub use geometry::{GeometryError, SitePolygon, validate_polygon};
pub use ids::{OrganisationId, SiteId, StudyId, UserId};
pub use organisation::{
    NewOrganisation, NewUser, Organisation, OrganisationKind, Role, UnknownVariant, User,
    validate_password, validate_username,
};
pub use site::{Site, SiteDraft, SiteKind, SiteValidationError};
pub use site_geojson::{
    SiteImportError, parse_site_feature_collection, sites_to_feature_collection,
};
pub use study::{MapSource, NewStudy, Study, StudyKind};
