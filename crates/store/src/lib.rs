//! Agora's persistence layer: one [`Store`] trait that the app layer calls, with an embedded SQLite
//! implementation (the default, nothing to install) and a PostgreSQL implementation (for deployments
//! with many users or several application servers).
//!
//! This crate is the only place that contains SQL. It knows the domain types and nothing of HTTP or
//! the engines. Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`),
//! embedded in the binary and applied by [`open`].
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL` and foreign keys on; PostgreSQL with its
//! defaults (synchronous commit). A method returns only after its transaction committed, so an
//! acknowledged write survives a crash or kill. Multi-record writes (a GeoJSON import) are one
//! transaction: all or nothing.
//!
//! Glossary:
//! - **token hash**: sessions are looked up by the SHA-256 of the cookie value, so a copy of the
//!   database does not yield live sessions.
//! - **scoped**: site methods take the caller's organisation and never return or touch another
//!   organisation's records.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    AuditEvent, BasemapFeature, NewOrganisation, NewUser, Organisation, OrganisationId, Site,
    SiteDraft, SiteId, User, UserId,
};

/// What can go wrong in the store; callers map `NotFound`, `Conflict` and `VersionConflict` to user
/// errors and everything else to an internal error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("site was changed by someone else (you edited version {expected}, it is now at version {actual})")]
    VersionConflict { expected: i64, actual: i64 },
    #[error("stored {what} could not be read: {message}")]
    Corrupt { what: &'static str, message: String },
    #[error("database URL not understood: {0}")]
    BadUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A login session as stored. The cookie holds a random token; the store holds only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Lower-case hex SHA-256 of the cookie token.
    pub token_hash: String,
    pub user_id: UserId,
    /// The synchronizer token forms must echo back (CSRF defence).
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Absolute end of the session, whatever the activity.
    pub expires_at: DateTime<Utc>,
}

/// A rectangle in WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

/// Everything the app layer persists. Both backends pass the same story test (`tests/it`).
#[async_trait]
pub trait Store: Send + Sync {
    /// Which backend this is ("sqlite" or "postgres"), for logs and the about page.
    fn backend_name(&self) -> &'static str;

    // Organisations.
    async fn create_organisation(&self, new: &NewOrganisation) -> StoreResult<Organisation>;
    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>>;
    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Organisation>>;
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;

    // Users. Usernames are unique; a duplicate is `StoreError::Conflict`.
    async fn create_user(&self, new: &NewUser) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The user and their password hash (PHC string), for the login check only.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;
    async fn list_users(&self, organisation: OrganisationId) -> StoreResult<Vec<User>>;

    // Sessions.
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, token_hash: &str, last_seen_at: DateTime<Utc>) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64>;
    /// Removes sessions whose absolute expiry is before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    // Sites, always scoped to the caller's organisation. Each write records its audit event
    // (SiteCreated / SitesImported, SiteUpdated, SiteDeleted) in the same transaction.
    /// Creates all drafts in one transaction (all or nothing), in order.
    async fn create_sites(
        &self,
        organisation: OrganisationId,
        drafts: &[SiteDraft],
        actor: Option<UserId>,
    ) -> StoreResult<Vec<Site>>;
    async fn site(&self, organisation: OrganisationId, id: SiteId) -> StoreResult<Option<Site>>;
    /// All sites of the organisation, ordered by name.
    async fn list_sites(&self, organisation: OrganisationId) -> StoreResult<Vec<Site>>;
    /// Replaces the fields of a site if it is still at `expected_version`; bumps the version.
    async fn update_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        expected_version: i64,
        draft: &SiteDraft,
        actor: Option<UserId>,
    ) -> StoreResult<Site>;
    async fn delete_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        actor: Option<UserId>,
    ) -> StoreResult<()>;

    // The base map (shared by all organisations: it is public OpenStreetMap data).
    /// Replaces the whole base map in one transaction.
    async fn replace_basemap(&self, features: &[BasemapFeature]) -> StoreResult<()>;
    /// Features whose bounding box intersects `area`, at most `limit`, in a stable order.
    async fn basemap_features(
        &self,
        area: BoundingBox,
        limit: usize,
    ) -> StoreResult<Vec<BasemapFeature>>;
    /// The extent of the whole base map, or `None` when none is loaded.
    async fn basemap_extent(&self) -> StoreResult<Option<BoundingBox>>;

    // Audit trail.
    async fn record_audit(&self, event: &AuditEvent) -> StoreResult<()>;
    /// The newest events of an organisation first.
    async fn audit_events(
        &self,
        organisation: OrganisationId,
        limit: usize,
    ) -> StoreResult<Vec<AuditEvent>>;
}
