//! Agora's persistence layer: one [`Store`] trait that the app layer calls, with an embedded SQLite
//! implementation (the default, nothing to install) and a PostgreSQL implementation (for deployments
//! with many users or several application servers).
//!
//! This crate is the only place that contains SQL. It knows the domain types and nothing of HTTP or
//! the engines. Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`),
//! embedded in the binary and applied by [`open`]. It stores what it is given: validating drafts,
//! usernames and passwords is the caller's job (see `domain`).
//!
//! Layout: `lib.rs` holds the contract ([`Store`], [`StoreError`]) and [`open`]; `sqlite.rs`
//! ([`SqliteStore`]) and `postgres.rs` ([`PostgresStore`]) hold each backend's SQL; `rows.rs` holds
//! what both share honestly (row -> domain conversion, JSON forms, audit events of site writes,
//! error mapping). The `Any` driver is deliberately not used: its type set is too narrow.
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL` and foreign keys on; PostgreSQL with its
//! defaults (synchronous commit). A method returns only after its transaction committed, so an
//! acknowledged write survives a crash or kill. Multi-record writes (a GeoJSON import) are one
//! transaction: all or nothing.
//!
//! Timestamps are kept to the microsecond on both backends (PostgreSQL's precision): a value with
//! nanoseconds is stored truncated, and records returned by a write carry the stored value.
//!
//! Glossary:
//! - **token hash**: sessions are looked up by the SHA-256 of the cookie value, so a copy of the
//!   database does not yield live sessions.
//! - **version**: every site carries one; an update names the version it read and is refused with
//!   `VersionConflict` if the site moved on (optimistic locking).
//! - **base map position**: features keep the order `replace_basemap` received them in; viewport
//!   queries return them in that order.
//! - **scoped**: site methods take the caller's organisation and never return or touch another
//!   organisation's records.

mod postgres;
mod rows;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use domain::{
    AssessmentDraft, AssessmentId, AssessmentRecord, AuditEvent, BasemapFeature, Evidence,
    EvidenceId, MapSource, NewAssessment, NewEvidence, NewOrganisation, NewStudy, NewUser,
    Organisation, OrganisationId, Site, SiteDraft, SiteId, Study, StudyId, StudyKind, User, UserId,
};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store a URL names and brings its schema up to date (applies pending migrations):
///
/// - `sqlite://PATH` (or `sqlite:PATH`): the SQLite file at PATH, created if missing;
///   `sqlite:///srv/agora.db` is absolute, `sqlite://agora.db` relative to the working directory;
/// - `postgres://USER@HOST:PORT/DATABASE` (or `postgresql://...`): a PostgreSQL database, tables
///   in the `public` schema, or in the schema named by `?schema=NAME` (created if missing; see
///   [`PostgresStore::connect_in_schema`]).
///
/// Anything else is [`StoreError::BadUrl`], naming the scheme (never the whole URL, which may hold
/// a password).
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    let Some((scheme, _)) = url.split_once(':') else {
        return Err(StoreError::BadUrl(format!(
            "'{url}' has no scheme; expected sqlite://PATH or postgres://USER@HOST/DATABASE"
        )));
    };
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::open_url(url).await?)),
        "postgres" | "postgresql" => match split_schema_parameter(url) {
            (url, Some(schema)) => Ok(Arc::new(
                PostgresStore::connect_in_schema(&url, &schema).await?,
            )),
            (url, None) => Ok(Arc::new(PostgresStore::connect(&url).await?)),
        },
        other => Err(StoreError::BadUrl(format!(
            "unknown scheme '{other}'; expected sqlite://PATH or postgres://USER@HOST/DATABASE"
        ))),
    }
}

/// Takes Agora's own `schema=NAME` query parameter out of a PostgreSQL URL: it puts Agora's tables in
/// that schema of a shared database (created if missing). sqlx does not know the parameter, so it is
/// removed before the URL is handed on.
fn split_schema_parameter(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(name) => {
                schema = Some(name.to_string());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, schema)
}

/// What can go wrong in the store; callers map `NotFound`, `Conflict` and `VersionConflict` to user
/// errors and everything else to an internal error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error(
        "site was changed by someone else (you edited version {expected}, it is now at version {actual})"
    )]
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

    /// Closes the connections, waiting for those in use (for a clean shutdown; SQLite checkpoints
    /// its write-ahead log). The store must not be used afterwards.
    async fn close(&self) {}

    // Organisations. These writes record no audit event; the caller records one if it wants.
    /// Creates an organisation; a name already in use is `StoreError::Conflict`.
    async fn create_organisation(&self, new: &NewOrganisation) -> StoreResult<Organisation>;
    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>>;
    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Organisation>>;
    /// All organisations, ordered by name.
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;

    // Users. Usernames are unique; a duplicate is `StoreError::Conflict`.
    /// Creates a user; an unknown organisation is `StoreError::NotFound`.
    async fn create_user(&self, new: &NewUser) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The user and their password hash (PHC string), for the login check only.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    /// Replaces a user's password hash; an unknown user is `StoreError::NotFound`.
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;
    /// The users of an organisation, ordered by username.
    async fn list_users(&self, organisation: OrganisationId) -> StoreResult<Vec<User>>;

    // Sessions. The store does not check expiry on read: the caller compares `expires_at`.
    /// Stores a new session; an unknown user is `StoreError::NotFound`.
    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// Sets `last_seen_at`; does nothing when the session is gone (e.g. logged out meanwhile).
    async fn touch_session(&self, token_hash: &str, last_seen_at: DateTime<Utc>)
    -> StoreResult<()>;
    /// Removes one session; removing a session that is gone is not an error (logout is idempotent).
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes all sessions of a user (e.g. after a password change); returns how many.
    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64>;
    /// Removes sessions whose absolute expiry is before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    // Sites, always scoped to the caller's organisation. Each write records its audit event
    // (SiteCreated / SitesImported, SiteUpdated, SiteDeleted) in the same transaction.
    /// Creates all drafts in one transaction (all or nothing), in order, each at version 1. One draft
    /// records `SiteCreated`, several one `SitesImported`. An unknown organisation is
    /// `StoreError::NotFound` and stores nothing. Drafts are stored as given: validate them first.
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
    /// Another version is `StoreError::VersionConflict` (with the current one); a site that does not
    /// exist or belongs to another organisation is `StoreError::NotFound`.
    async fn update_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        expected_version: i64,
        draft: &SiteDraft,
        actor: Option<UserId>,
    ) -> StoreResult<Site>;
    /// Deletes a site with its studies and draft assessments; one that does not exist or belongs
    /// to another organisation is `StoreError::NotFound`, one with a final assessment (a record
    /// kept for good) `StoreError::Conflict`.
    async fn delete_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        actor: Option<UserId>,
    ) -> StoreResult<()>;

    // The base map (shared by all organisations: it is public OpenStreetMap data).
    /// Replaces the whole base map in one transaction, and records `source` (with the extract's
    /// bytes, `data`) as the current map source; a source already stored (same SHA-256) becomes
    /// current again. The caller computes `source.sha256` from `data`.
    async fn replace_basemap(
        &self,
        source: &MapSource,
        data: &[u8],
        features: &[BasemapFeature],
    ) -> StoreResult<()>;
    /// The map source imported last, or `None` before any import.
    async fn current_map_source(&self) -> StoreResult<Option<MapSource>>;
    /// The bytes of a stored map source.
    async fn map_source_data(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Features whose bounding box intersects `area` (edges touching count), at most `limit`, in
    /// the order they were given to `replace_basemap`.
    async fn basemap_features(
        &self,
        area: BoundingBox,
        limit: usize,
    ) -> StoreResult<Vec<BasemapFeature>>;
    /// The extent of the whole base map, or `None` when none is loaded.
    async fn basemap_extent(&self) -> StoreResult<Option<BoundingBox>>;

    // Studies, scoped to the caller's organisation; never updated.
    /// Stores a study and its `StudyRun` audit event in one transaction. A site that does not exist
    /// or belongs to another organisation is `StoreError::NotFound`, and so is an unknown
    /// `map_sha256`.
    async fn create_study(
        &self,
        organisation: OrganisationId,
        study: &NewStudy,
    ) -> StoreResult<Study>;
    async fn study(&self, organisation: OrganisationId, id: StudyId) -> StoreResult<Option<Study>>;
    /// The studies of a site, newest first, optionally of one kind. Their `result` is left out
    /// (`null`) to keep lists light; [`Store::study`] returns it.
    async fn list_studies(
        &self,
        organisation: OrganisationId,
        site: SiteId,
        kind: Option<StudyKind>,
    ) -> StoreResult<Vec<Study>>;

    // Assessments, scoped to the caller's organisation. Each write records its audit event
    // (AssessmentStarted, AssessmentSaved, AssessmentFinalised, EvidenceAdded) in the same
    // transaction. A final assessment and its evidence are never changed: every write to them is
    // `StoreError::Conflict` naming the way forward, and database triggers refuse it too.
    /// Starts an assessment (a draft at version 1). A site that does not exist or belongs to
    /// another organisation is `NotFound`; so is a `supersedes` that is not an assessment of the
    /// same site; a `supersedes` that is still a draft is `Conflict`.
    async fn create_assessment(
        &self,
        organisation: OrganisationId,
        new: &NewAssessment,
    ) -> StoreResult<AssessmentRecord>;
    async fn assessment(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
    ) -> StoreResult<Option<AssessmentRecord>>;
    /// The assessments of one site (or of every site), newest first.
    async fn list_assessments(
        &self,
        organisation: OrganisationId,
        site: Option<SiteId>,
    ) -> StoreResult<Vec<AssessmentRecord>>;
    /// Replaces a draft's input, notes and marking if it is still at `expected_version`; bumps the
    /// version. A final one is `Conflict`, another version `Conflict`, a missing one `NotFound`.
    async fn save_assessment_draft(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
        expected_version: i64,
        draft: &AssessmentDraft,
        actor: Option<UserId>,
    ) -> StoreResult<AssessmentRecord>;
    /// Saves `draft` and makes the assessment final with its scored `result`, under the same
    /// conditions as [`Store::save_assessment_draft`].
    async fn finalise_assessment(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
        expected_version: i64,
        draft: &AssessmentDraft,
        result: &serde_json::Value,
        actor: Option<UserId>,
    ) -> StoreResult<AssessmentRecord>;
    /// Attaches a file to a draft assessment (`Conflict` once final, `NotFound` if missing).
    async fn add_evidence(
        &self,
        organisation: OrganisationId,
        new: &NewEvidence,
    ) -> StoreResult<Evidence>;
    /// The evidence of an assessment, oldest first, without the bytes.
    async fn list_evidence(
        &self,
        organisation: OrganisationId,
        assessment: AssessmentId,
    ) -> StoreResult<Vec<Evidence>>;
    /// One evidence file with its bytes.
    async fn evidence_data(
        &self,
        organisation: OrganisationId,
        id: EvidenceId,
    ) -> StoreResult<Option<(Evidence, Vec<u8>)>>;

    // Audit trail.
    /// Appends an event (stored at microsecond precision).
    async fn record_audit(&self, event: &AuditEvent) -> StoreResult<()>;
    /// The newest events of an organisation first.
    async fn audit_events(
        &self,
        organisation: OrganisationId,
        limit: usize,
    ) -> StoreResult<Vec<AuditEvent>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_parameter_is_taken_out_of_postgres_urls() {
        assert_eq!(
            split_schema_parameter("postgres://u@h/db?schema=agora&sslmode=disable"),
            (
                "postgres://u@h/db?sslmode=disable".to_string(),
                Some("agora".to_string())
            )
        );
        assert_eq!(
            split_schema_parameter("postgres://u@h/db?schema=agora"),
            ("postgres://u@h/db".to_string(), Some("agora".to_string()))
        );
        assert_eq!(
            split_schema_parameter("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
    }

    #[tokio::test]
    async fn unknown_schemes_are_named_without_the_rest_of_the_url() {
        let error = open("mysql://agora:secret@db/agora").await.err().unwrap();
        let message = error.to_string();
        assert!(matches!(error, StoreError::BadUrl(_)), "{message}");
        assert!(message.contains("unknown scheme 'mysql'"), "{message}");
        assert!(!message.contains("secret"), "{message}");
        let error = open("agora.db").await.err().unwrap();
        assert!(error.to_string().contains("has no scheme"), "{error}");
    }
}
