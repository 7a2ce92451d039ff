//! The embedded backend: one SQLite file, nothing to install.
//!
//! Durability and concurrency settings: WAL journal (readers never block the writer),
//! `synchronous=FULL` (a commit is on disk before it returns, so a kill or power cut loses no
//! acknowledged write), foreign keys on, and a 5 s busy timeout so that concurrent writers wait for
//! each other instead of failing. Write transactions start with `BEGIN IMMEDIATE`: they take the
//! write lock before their first read, so a read-then-write transaction cannot fail half-way when
//! another connection committed in between.
//!
//! Storage shapes: UUIDs and timestamps as text (see [`timestamp_text`]), JSON as text, the base
//! map's bounding boxes also in an R*Tree (`basemap_boxes`).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};
use uuid::Uuid;

use domain::{
    AssessmentDraft, AssessmentId, AssessmentRecord, AssessmentStatus, AuditAction, AuditEvent,
    BasemapFeature, Evidence, EvidenceId, MapSource, NewAssessment, NewEvidence, NewOrganisation,
    NewStudy, NewUser, Organisation, OrganisationId, Site, SiteDraft, SiteId, Study, StudyId,
    StudyKind, User, UserId,
};

use crate::rows::{self, Columns, bare_column_name, corrupt};
use crate::{BoundingBox, SessionRecord, Store, StoreError, StoreResult};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another one's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite allows one writer at a time anyway; a few connections serve concurrent readers.
const MAX_CONNECTIONS: u32 = 8;

/// A [`Store`] on one SQLite database file.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the database file at `path`, creating it if missing, and applies the migrations.
    pub async fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        Self::open_with(SqliteConnectOptions::new().filename(path)).await
    }

    /// Opens a `sqlite://PATH` (or `sqlite:PATH`) URL; query parameters are those of sqlx.
    pub async fn open_url(url: &str) -> StoreResult<SqliteStore> {
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| StoreError::BadUrl("a SQLite URL starts with sqlite://".into()))?;
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() || path.starts_with(":memory:") || path.contains("mode=memory") {
            return Err(StoreError::BadUrl(
                "SQLite needs a file path (sqlite://PATH); in-memory databases are not supported"
                    .into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|error| StoreError::BadUrl(format!("SQLite URL: {error}")))?;
        Self::open_with(options).await
    }

    async fn open_with(options: SqliteConnectOptions) -> StoreResult<SqliteStore> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// Closes every connection (checkpointing the WAL), waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Saves a draft's fields and, with `result`, finalises it; one statement that matches only a
    /// draft at the expected version, then, if it matched nothing, a read that says why.
    async fn write_assessment(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
        expected_version: i64,
        draft: &AssessmentDraft,
        result: Option<&serde_json::Value>,
        actor: Option<UserId>,
    ) -> StoreResult<AssessmentRecord> {
        let mut transaction = self.begin_write().await?;
        let now = rows::now();
        let status = if result.is_some() {
            AssessmentStatus::Final
        } else {
            AssessmentStatus::Draft
        };
        let updated = sqlx::query(
            "UPDATE assessments
             SET input = ?, notes = ?, marking = ?, updated_by = ?, updated_at = ?,
                 status = ?, result = ?, finalised_by = ?, finalised_at = ?,
                 version = version + 1
             WHERE id = ? AND organisation_id = ? AND version = ? AND status = 'draft'
             RETURNING *",
        )
        .bind(draft.input.to_string())
        .bind(rows::notes_json(&draft.notes).to_string())
        .bind(draft.marking.as_str())
        .bind(actor.map(|id| id.to_string()))
        .bind(timestamp_text(now))
        .bind(status.as_str())
        .bind(result.map(|result| result.to_string()))
        .bind(result.and(actor).map(|id| id.to_string()))
        .bind(result.map(|_| timestamp_text(now)))
        .bind(id.to_string())
        .bind(organisation.to_string())
        .bind(expected_version)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = updated else {
            let found = sqlx::query(
                "SELECT status, version FROM assessments WHERE id = ? AND organisation_id = ?",
            )
            .bind(id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&mut *transaction)
            .await?
            .map(|row| {
                Ok::<_, StoreError>((
                    row.text("assessments.status")?,
                    row.integer("assessments.version")?,
                ))
            })
            .transpose()?;
            return Err(rows::assessment_write_refused(id, expected_version, found));
        };
        let record = rows::assessment_from_row(&row)?;
        let action = if result.is_some() {
            AuditAction::AssessmentFinalised
        } else {
            AuditAction::AssessmentSaved
        };
        insert_audit_event(
            &mut transaction,
            &rows::assessment_event(&record, action, actor, now),
        )
        .await?;
        transaction.commit().await?;
        Ok(record)
    }
}

/// A timestamp as stored: UTC, fixed width, microseconds, so that text order is time order.
pub(crate) fn timestamp_text(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn decoded<T>(row: &SqliteRow, column: &'static str) -> StoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(bare_column_name(column))
        .map_err(|error| corrupt(column, error))
}

fn parse_uuid(column: &'static str, text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|error| corrupt(column, error))
}

impl Columns for SqliteRow {
    fn text(&self, column: &'static str) -> StoreResult<String> {
        decoded(self, column)
    }

    fn optional_text(&self, column: &'static str) -> StoreResult<Option<String>> {
        decoded(self, column)
    }

    fn integer(&self, column: &'static str) -> StoreResult<i64> {
        decoded(self, column)
    }

    fn optional_integer(&self, column: &'static str) -> StoreResult<Option<i64>> {
        decoded(self, column)
    }

    fn real(&self, column: &'static str) -> StoreResult<f64> {
        decoded(self, column)
    }

    fn uuid(&self, column: &'static str) -> StoreResult<Uuid> {
        parse_uuid(column, &self.text(column)?)
    }

    fn optional_uuid(&self, column: &'static str) -> StoreResult<Option<Uuid>> {
        self.optional_text(column)?
            .map(|text| parse_uuid(column, &text))
            .transpose()
    }

    fn timestamp(&self, column: &'static str) -> StoreResult<DateTime<Utc>> {
        let text = self.text(column)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|time| time.with_timezone(&Utc))
            .map_err(|error| corrupt(column, format!("'{text}': {error}")))
    }

    fn json(&self, column: &'static str) -> StoreResult<serde_json::Value> {
        serde_json::from_str(&self.text(column)?).map_err(|error| corrupt(column, error))
    }

    fn optional_json(&self, column: &'static str) -> StoreResult<Option<serde_json::Value>> {
        self.optional_text(column)?
            .map(|text| serde_json::from_str(&text).map_err(|error| corrupt(column, error)))
            .transpose()
    }

    fn optional_timestamp(&self, column: &'static str) -> StoreResult<Option<DateTime<Utc>>> {
        self.optional_text(column)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|time| time.with_timezone(&Utc))
                    .map_err(|error| corrupt(column, format!("'{text}': {error}")))
            })
            .transpose()
    }
}

/// Runs `decode` over every row.
fn all<T>(rows: Vec<SqliteRow>, decode: fn(&SqliteRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(decode).collect()
}

async fn insert_audit_event(
    connection: &mut sqlx::SqliteConnection,
    event: &AuditEvent,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, organisation_id, user_id, action, subject, detail)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(timestamp_text(event.at))
    .bind(event.organisation_id.map(|id| id.to_string()))
    .bind(event.user_id.map(|id| id.to_string()))
    .bind(event.action.as_str())
    .bind(&event.subject)
    .bind(&event.detail)
    .execute(connection)
    .await?;
    Ok(())
}

async fn insert_site(connection: &mut sqlx::SqliteConnection, site: &Site) -> StoreResult<()> {
    let json = rows::site_json(&site.draft);
    sqlx::query(
        "INSERT INTO sites (id, organisation_id, name, kind, polygon, capacity, operators,
                            opening_hours, tags, source, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(site.id.to_string())
    .bind(site.organisation_id.to_string())
    .bind(&site.draft.name)
    .bind(site.draft.kind.as_str())
    .bind(json.polygon.to_string())
    .bind(site.draft.capacity.map(i64::from))
    .bind(json.operators.to_string())
    .bind(&site.draft.opening_hours)
    .bind(json.tags.to_string())
    .bind(&site.draft.source)
    .bind(site.version)
    .bind(timestamp_text(site.created_at))
    .bind(timestamp_text(site.updated_at))
    .execute(connection)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn close(&self) {
        SqliteStore::close(self).await;
    }

    async fn create_organisation(&self, new: &NewOrganisation) -> StoreResult<Organisation> {
        let organisation = Organisation {
            id: OrganisationId::new_random(),
            name: new.name.clone(),
            kind: new.kind,
            created_at: rows::now(),
        };
        sqlx::query("INSERT INTO organisations (id, name, kind, created_at) VALUES (?, ?, ?, ?)")
            .bind(organisation.id.to_string())
            .bind(&organisation.name)
            .bind(organisation.kind.as_str())
            .bind(timestamp_text(organisation.created_at))
            .execute(&self.pool)
            .await
            .map_err(|error| {
                rows::conflict_on_unique(error, || {
                    format!("organisation '{}' already exists", new.name)
                })
            })?;
        Ok(organisation)
    }

    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>> {
        sqlx::query("SELECT * FROM organisations WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::organisation_from_row(&row))
            .transpose()
    }

    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Organisation>> {
        sqlx::query("SELECT * FROM organisations WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::organisation_from_row(&row))
            .transpose()
    }

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        let found = sqlx::query("SELECT * FROM organisations ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?;
        all(found, rows::organisation_from_row)
    }

    async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        let user = User {
            id: UserId::new_random(),
            organisation_id: new.organisation_id,
            username: new.username.clone(),
            display_name: new.display_name.clone(),
            role: new.role,
            created_at: rows::now(),
        };
        sqlx::query(
            "INSERT INTO users (id, organisation_id, username, display_name, role, password_hash,
                                created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.id.to_string())
        .bind(user.organisation_id.to_string())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(&new.password_hash)
        .bind(timestamp_text(user.created_at))
        .execute(&self.pool)
        .await
        .map_err(|error| {
            match rows::conflict_on_unique(error, || {
                format!("username '{}' is already taken", new.username)
            }) {
                StoreError::Database(error) => {
                    rows::not_found_on_foreign_key(error, "organisation", new.organisation_id)
                }
                other => other,
            }
        })?;
        Ok(user)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::user_from_row(&row))
            .transpose()
    }

    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let Some(row) = sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((
            rows::user_from_row(&row)?,
            row.text("users.password_hash")?,
        )))
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        let result = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "user",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    async fn list_users(&self, organisation: OrganisationId) -> StoreResult<Vec<User>> {
        let found =
            sqlx::query("SELECT * FROM users WHERE organisation_id = ? ORDER BY username, id")
                .bind(organisation.to_string())
                .fetch_all(&self.pool)
                .await?;
        all(found, rows::user_from_row)
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                                   expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id.to_string())
        .bind(&session.csrf_token)
        .bind(timestamp_text(session.created_at))
        .bind(timestamp_text(session.last_seen_at))
        .bind(timestamp_text(session.expires_at))
        .execute(&self.pool)
        .await
        .map_err(|error| {
            match rows::conflict_on_unique(error, || {
                "a session with this token already exists".to_string()
            }) {
                StoreError::Database(error) => {
                    rows::not_found_on_foreign_key(error, "user", session.user_id)
                }
                other => other,
            }
        })?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        sqlx::query("SELECT * FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::session_from_row(&row))
            .transpose()
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(timestamp_text(last_seen_at))
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
            .bind(timestamp_text(now))
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn create_sites(
        &self,
        organisation: OrganisationId,
        drafts: &[SiteDraft],
        actor: Option<UserId>,
    ) -> StoreResult<Vec<Site>> {
        let mut transaction = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM organisations WHERE id = ?")
            .bind(organisation.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "organisation",
                id: organisation.to_string(),
            });
        }
        let now = rows::now();
        let mut sites = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let site = Site {
                id: SiteId::new_random(),
                organisation_id: organisation,
                draft: draft.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            insert_site(&mut transaction, &site).await?;
            sites.push(site);
        }
        if !sites.is_empty() {
            let event = rows::sites_created_event(organisation, &sites, actor, now);
            insert_audit_event(&mut transaction, &event).await?;
        }
        transaction.commit().await?;
        Ok(sites)
    }

    async fn site(&self, organisation: OrganisationId, id: SiteId) -> StoreResult<Option<Site>> {
        sqlx::query("SELECT * FROM sites WHERE id = ? AND organisation_id = ?")
            .bind(id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::site_from_row(&row))
            .transpose()
    }

    async fn list_sites(&self, organisation: OrganisationId) -> StoreResult<Vec<Site>> {
        let found = sqlx::query("SELECT * FROM sites WHERE organisation_id = ?")
            .bind(organisation.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut sites = all(found, rows::site_from_row)?;
        rows::sort_sites_by_name(&mut sites);
        Ok(sites)
    }

    async fn update_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        expected_version: i64,
        draft: &SiteDraft,
        actor: Option<UserId>,
    ) -> StoreResult<Site> {
        let mut transaction = self.begin_write().await?;
        let json = rows::site_json(draft);
        let updated = sqlx::query(
            "UPDATE sites
             SET name = ?, kind = ?, polygon = ?, capacity = ?, operators = ?, opening_hours = ?,
                 tags = ?, source = ?, version = version + 1, updated_at = ?
             WHERE id = ? AND organisation_id = ? AND version = ?
             RETURNING *",
        )
        .bind(&draft.name)
        .bind(draft.kind.as_str())
        .bind(json.polygon.to_string())
        .bind(draft.capacity.map(i64::from))
        .bind(json.operators.to_string())
        .bind(&draft.opening_hours)
        .bind(json.tags.to_string())
        .bind(&draft.source)
        .bind(timestamp_text(rows::now()))
        .bind(id.to_string())
        .bind(organisation.to_string())
        .bind(expected_version)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = updated else {
            let actual: Option<i64> = sqlx::query_scalar(
                "SELECT version FROM sites WHERE id = ? AND organisation_id = ?",
            )
            .bind(id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
            return Err(match actual {
                Some(actual) => StoreError::VersionConflict {
                    expected: expected_version,
                    actual,
                },
                None => StoreError::NotFound {
                    what: "site",
                    id: id.to_string(),
                },
            });
        };
        let site = rows::site_from_row(&row)?;
        insert_audit_event(&mut transaction, &rows::site_updated_event(&site, actor)).await?;
        transaction.commit().await?;
        Ok(site)
    }

    async fn delete_site(
        &self,
        organisation: OrganisationId,
        id: SiteId,
        actor: Option<UserId>,
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        let final_assessments: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM assessments
             WHERE site_id = ? AND organisation_id = ? AND status = 'final'",
        )
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_one(&mut *transaction)
        .await?;
        if final_assessments > 0 {
            return Err(rows::site_has_final_assessments(final_assessments));
        }
        let deleted_name: Option<String> = sqlx::query_scalar(
            "DELETE FROM sites WHERE id = ? AND organisation_id = ? RETURNING name",
        )
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(name) = deleted_name else {
            return Err(StoreError::NotFound {
                what: "site",
                id: id.to_string(),
            });
        };
        let event = rows::site_deleted_event(organisation, id, &name, actor);
        insert_audit_event(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn replace_basemap(
        &self,
        source: &MapSource,
        data: &[u8],
        features: &[BasemapFeature],
    ) -> StoreResult<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO map_sources (sha256, name, size_bytes, imported_at, data)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (sha256) DO UPDATE SET name = excluded.name,
                                                imported_at = excluded.imported_at",
        )
        .bind(&source.sha256)
        .bind(&source.name)
        .bind(i64::try_from(source.size_bytes).unwrap_or(i64::MAX))
        .bind(timestamp_text(source.imported_at))
        .bind(data)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM basemap_features")
            .execute(&mut *transaction)
            .await?;
        for (position, feature) in features.iter().enumerate() {
            let (min_lon, min_lat, max_lon, max_lat) = feature.bounding_box;
            sqlx::query(
                "INSERT INTO basemap_features (position, layer, osm_ref, name, tags, geometry,
                                               min_lon, min_lat, max_lon, max_lat)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(rows::saturating_i64(position))
            .bind(feature.layer.as_str())
            .bind(&feature.osm_ref)
            .bind(&feature.name)
            .bind(rows::basemap_tags_json(feature).to_string())
            .bind(rows::basemap_geometry_json(feature).to_string())
            .bind(min_lon)
            .bind(min_lat)
            .bind(max_lon)
            .bind(max_lat)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn basemap_features(
        &self,
        area: BoundingBox,
        limit: usize,
    ) -> StoreResult<Vec<BasemapFeature>> {
        if rows::is_inverted(&area) {
            return Ok(Vec::new());
        }
        // The R*Tree stores 32-bit floats rounded outwards, so it may return a box that misses the
        // area by a hair; the same test on the exact columns drops those.
        let found = sqlx::query(
            "SELECT features.*
             FROM basemap_boxes AS boxes
             JOIN basemap_features AS features ON features.position = boxes.position
             WHERE boxes.max_lon >= ?1 AND boxes.min_lon <= ?3
               AND boxes.max_lat >= ?2 AND boxes.min_lat <= ?4
               AND features.max_lon >= ?1 AND features.min_lon <= ?3
               AND features.max_lat >= ?2 AND features.min_lat <= ?4
             ORDER BY features.position
             LIMIT ?5",
        )
        .bind(area.min_lon)
        .bind(area.min_lat)
        .bind(area.max_lon)
        .bind(area.max_lat)
        .bind(rows::saturating_i64(limit))
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::basemap_feature_from_row)
    }

    async fn basemap_extent(&self) -> StoreResult<Option<BoundingBox>> {
        let row = sqlx::query(
            "SELECT min(min_lon) AS min_lon, min(min_lat) AS min_lat,
                    max(max_lon) AS max_lon, max(max_lat) AS max_lat
             FROM basemap_features",
        )
        .fetch_one(&self.pool)
        .await?;
        let min_lon: Option<f64> = decoded(&row, "basemap_features.min_lon")?;
        let Some(min_lon) = min_lon else {
            return Ok(None);
        };
        Ok(Some(BoundingBox {
            min_lon,
            min_lat: row.real("basemap_features.min_lat")?,
            max_lon: row.real("basemap_features.max_lon")?,
            max_lat: row.real("basemap_features.max_lat")?,
        }))
    }

    async fn current_map_source(&self) -> StoreResult<Option<MapSource>> {
        sqlx::query(
            "SELECT sha256, name, size_bytes, imported_at FROM map_sources
             ORDER BY imported_at DESC, sha256 LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|row| rows::map_source_from_row(&row))
        .transpose()
    }

    async fn map_source_data(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT data FROM map_sources WHERE sha256 = ?")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| decoded(&row, "map_sources.data")).transpose()
    }

    async fn create_study(
        &self,
        organisation: OrganisationId,
        new: &NewStudy,
    ) -> StoreResult<Study> {
        let mut transaction = self.begin_write().await?;
        let site = sqlx::query("SELECT 1 FROM sites WHERE id = ? AND organisation_id = ?")
            .bind(new.site_id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
        if site.is_none() {
            return Err(StoreError::NotFound {
                what: "site",
                id: new.site_id.to_string(),
            });
        }
        let study = Study {
            id: StudyId::new_random(),
            organisation_id: organisation,
            created_at: rows::now(),
            study: new.clone(),
        };
        sqlx::query(
            "INSERT INTO studies (id, organisation_id, site_id, kind, created_at, created_by,
                                  engine_version, map_sha256, inputs, summary, result)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(study.id.to_string())
        .bind(organisation.to_string())
        .bind(new.site_id.to_string())
        .bind(new.kind.as_str())
        .bind(timestamp_text(study.created_at))
        .bind(new.created_by.map(|id| id.to_string()))
        .bind(&new.engine_version)
        .bind(&new.map_sha256)
        .bind(new.inputs.to_string())
        .bind(new.summary.to_string())
        .bind(new.result.to_string())
        .execute(&mut *transaction)
        .await
        .map_err(|error| {
            rows::not_found_on_foreign_key(
                error,
                "map source",
                new.map_sha256.as_deref().unwrap_or_default(),
            )
        })?;
        insert_audit_event(&mut transaction, &rows::study_run_event(&study)).await?;
        transaction.commit().await?;
        Ok(study)
    }

    async fn study(&self, organisation: OrganisationId, id: StudyId) -> StoreResult<Option<Study>> {
        sqlx::query("SELECT * FROM studies WHERE id = ? AND organisation_id = ?")
            .bind(id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::study_from_row(&row, true))
            .transpose()
    }

    async fn list_studies(
        &self,
        organisation: OrganisationId,
        site: SiteId,
        kind: Option<StudyKind>,
    ) -> StoreResult<Vec<Study>> {
        let found = sqlx::query(
            "SELECT id, organisation_id, site_id, kind, created_at, created_by, engine_version,
                    map_sha256, inputs, summary
             FROM studies
             WHERE organisation_id = ? AND site_id = ? AND (?3 IS NULL OR kind = ?3)
             ORDER BY created_at DESC, id",
        )
        .bind(organisation.to_string())
        .bind(site.to_string())
        .bind(kind.map(|kind| kind.as_str()))
        .fetch_all(&self.pool)
        .await?;
        found
            .iter()
            .map(|row| rows::study_from_row(row, false))
            .collect()
    }

    async fn create_assessment(
        &self,
        organisation: OrganisationId,
        new: &NewAssessment,
    ) -> StoreResult<AssessmentRecord> {
        let mut transaction = self.begin_write().await?;
        let site = sqlx::query("SELECT 1 FROM sites WHERE id = ? AND organisation_id = ?")
            .bind(new.site_id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
        if site.is_none() {
            return Err(StoreError::NotFound {
                what: "site",
                id: new.site_id.to_string(),
            });
        }
        if let Some(previous) = new.supersedes {
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM assessments
                 WHERE id = ? AND organisation_id = ? AND site_id = ?",
            )
            .bind(previous.to_string())
            .bind(organisation.to_string())
            .bind(new.site_id.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
            rows::check_supersedable(previous, status.as_deref())?;
        }
        let now = rows::now();
        let record = rows::new_assessment_record(organisation, new, now);
        sqlx::query(
            "INSERT INTO assessments (id, organisation_id, site_id, questionnaire_id,
                 questionnaire_version, status, input, notes, result, marking, created_by,
                 created_at, updated_by, updated_at, finalised_by, finalised_at, supersedes,
                 version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
        )
        .bind(record.id.to_string())
        .bind(organisation.to_string())
        .bind(record.site_id.to_string())
        .bind(&record.questionnaire_id)
        .bind(&record.questionnaire_version)
        .bind(record.status.as_str())
        .bind(record.input.to_string())
        .bind(rows::notes_json(&record.notes).to_string())
        .bind(record.marking.as_str())
        .bind(record.created_by.map(|id| id.to_string()))
        .bind(timestamp_text(record.created_at))
        .bind(record.updated_by.map(|id| id.to_string()))
        .bind(timestamp_text(record.updated_at))
        .bind(record.supersedes.map(|id| id.to_string()))
        .bind(record.version)
        .execute(&mut *transaction)
        .await?;
        let event =
            rows::assessment_event(&record, AuditAction::AssessmentStarted, new.created_by, now);
        insert_audit_event(&mut transaction, &event).await?;
        transaction.commit().await?;
        Ok(record)
    }

    async fn assessment(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
    ) -> StoreResult<Option<AssessmentRecord>> {
        sqlx::query("SELECT * FROM assessments WHERE id = ? AND organisation_id = ?")
            .bind(id.to_string())
            .bind(organisation.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::assessment_from_row(&row))
            .transpose()
    }

    async fn list_assessments(
        &self,
        organisation: OrganisationId,
        site: Option<SiteId>,
    ) -> StoreResult<Vec<AssessmentRecord>> {
        let found = sqlx::query(
            "SELECT * FROM assessments
             WHERE organisation_id = ? AND (?2 IS NULL OR site_id = ?2)
             ORDER BY created_at DESC, id",
        )
        .bind(organisation.to_string())
        .bind(site.map(|site| site.to_string()))
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::assessment_from_row)
    }

    async fn save_assessment_draft(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
        expected_version: i64,
        draft: &AssessmentDraft,
        actor: Option<UserId>,
    ) -> StoreResult<AssessmentRecord> {
        self.write_assessment(organisation, id, expected_version, draft, None, actor)
            .await
    }

    async fn finalise_assessment(
        &self,
        organisation: OrganisationId,
        id: AssessmentId,
        expected_version: i64,
        draft: &AssessmentDraft,
        result: &serde_json::Value,
        actor: Option<UserId>,
    ) -> StoreResult<AssessmentRecord> {
        self.write_assessment(
            organisation,
            id,
            expected_version,
            draft,
            Some(result),
            actor,
        )
        .await
    }

    async fn add_evidence(
        &self,
        organisation: OrganisationId,
        new: &NewEvidence,
    ) -> StoreResult<Evidence> {
        let mut transaction = self.begin_write().await?;
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM assessments WHERE id = ? AND organisation_id = ?",
        )
        .bind(new.assessment_id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(&mut *transaction)
        .await?;
        rows::check_evidence_can_be_added(new.assessment_id, status.as_deref())?;
        let evidence = rows::new_evidence_record(new, rows::now());
        sqlx::query(
            "INSERT INTO evidence (id, assessment_id, question_id, file_name, content_type,
                                   size_bytes, sha256, data, uploaded_by, uploaded_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(evidence.id.to_string())
        .bind(evidence.assessment_id.to_string())
        .bind(&evidence.question_id)
        .bind(&evidence.file_name)
        .bind(&evidence.content_type)
        .bind(i64::try_from(evidence.size_bytes).unwrap_or(i64::MAX))
        .bind(&evidence.sha256)
        .bind(&new.data)
        .bind(evidence.uploaded_by.map(|id| id.to_string()))
        .bind(timestamp_text(evidence.uploaded_at))
        .execute(&mut *transaction)
        .await?;
        insert_audit_event(
            &mut transaction,
            &rows::evidence_added_event(organisation, &evidence),
        )
        .await?;
        transaction.commit().await?;
        Ok(evidence)
    }

    async fn list_evidence(
        &self,
        organisation: OrganisationId,
        assessment: AssessmentId,
    ) -> StoreResult<Vec<Evidence>> {
        let found = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM evidence
             WHERE assessment_id = ? AND assessment_id IN
                   (SELECT id FROM assessments WHERE organisation_id = ?)
             ORDER BY uploaded_at, id",
            rows::EVIDENCE_COLUMNS
        )))
        .bind(assessment.to_string())
        .bind(organisation.to_string())
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::evidence_from_row)
    }

    async fn evidence_data(
        &self,
        organisation: OrganisationId,
        id: EvidenceId,
    ) -> StoreResult<Option<(Evidence, Vec<u8>)>> {
        let Some(row) = sqlx::query(
            "SELECT evidence.* FROM evidence
             JOIN assessments ON assessments.id = evidence.assessment_id
             WHERE evidence.id = ? AND assessments.organisation_id = ?",
        )
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some((
            rows::evidence_from_row(&row)?,
            decoded(&row, "evidence.data")?,
        )))
    }

    async fn record_audit(&self, event: &AuditEvent) -> StoreResult<()> {
        let mut connection = self.pool.acquire().await?;
        insert_audit_event(&mut connection, event).await
    }

    async fn audit_events(
        &self,
        organisation: OrganisationId,
        limit: usize,
    ) -> StoreResult<Vec<AuditEvent>> {
        let found = sqlx::query(
            "SELECT * FROM audit_events WHERE organisation_id = ?
             ORDER BY at DESC, seq DESC LIMIT ?",
        )
        .bind(organisation.to_string())
        .bind(rows::saturating_i64(limit))
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::audit_event_from_row)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn timestamps_have_a_fixed_width_so_text_order_is_time_order() {
        let early = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let later = early + chrono::Duration::microseconds(1);
        assert_eq!(timestamp_text(early), "2026-01-02T03:04:05.000000Z");
        assert_eq!(timestamp_text(later), "2026-01-02T03:04:05.000001Z");
        assert!(timestamp_text(early) < timestamp_text(later));
    }

    #[tokio::test]
    async fn every_connection_runs_with_the_durability_settings() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path().join("settings.db"))
            .await
            .unwrap();
        let mut connection = store.pool.acquire().await.unwrap();
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        // synchronous: 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        assert_eq!(
            (
                journal_mode.as_str(),
                synchronous,
                foreign_keys,
                busy_timeout_ms
            ),
            ("wal", 2, 1, 5000)
        );
        drop(connection);
        store.close().await;
    }

    #[tokio::test]
    async fn values_that_do_not_decode_are_corrupt_and_name_their_column() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path().join("corrupt.db"))
            .await
            .unwrap();
        let organisation = store
            .create_organisation(&NewOrganisation {
                name: "City".into(),
                kind: domain::OrganisationKind::City,
            })
            .await
            .unwrap();
        sqlx::query("UPDATE organisations SET kind = 'bakery', created_at = 'yesterday'")
            .execute(&store.pool)
            .await
            .unwrap();
        let error = store.organisation(organisation.id).await.unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::Corrupt {
                    what: "organisations.kind",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with(
                "stored organisations.kind could not be read: unknown organisation kind 'bakery'"
            ),
            "{error}"
        );
        sqlx::query("UPDATE organisations SET kind = 'city'")
            .execute(&store.pool)
            .await
            .unwrap();
        let error = store.organisation(organisation.id).await.unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::Corrupt {
                    what: "organisations.created_at",
                    ..
                }
            ),
            "{error:?}"
        );
        store.close().await;
    }

    #[tokio::test]
    async fn urls_without_a_file_are_refused() {
        for url in ["sqlite::memory:", "sqlite://", "sqlite://:memory:"] {
            let error = SqliteStore::open_url(url).await.unwrap_err();
            assert!(matches!(error, StoreError::BadUrl(_)), "{url}: {error}");
        }
    }
}
