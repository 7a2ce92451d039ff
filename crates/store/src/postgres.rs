//! The PostgreSQL backend, for deployments with many users or several application servers.
//!
//! PostgreSQL runs with its defaults (synchronous commit, READ COMMITTED). Optimistic locking of
//! sites needs no stronger isolation: the update names the version it expects in its `WHERE`
//! clause, and PostgreSQL re-checks that clause after waiting for a concurrent update of the row.
//!
//! Storage shapes: `uuid`, `timestamptz`, `jsonb`, `bigint`; the base map's bounding boxes are
//! indexed with a GiST index on `box(point(min_lon, min_lat), point(max_lon, max_lat))`, built-in
//! geometric types, so PostGIS is not required.
//!
//! Tables live in the first schema of the connection's `search_path`: `public` for
//! [`PostgresStore::connect`], a named one for [`PostgresStore::connect_in_schema`] (each test run
//! uses its own, so parallel runs never see each other's rows).

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Postgres, Row};
use uuid::Uuid;

use domain::{
    AssessmentDraft, AssessmentId, AssessmentRecord, AssessmentStatus, AuditAction, AuditEvent,
    BasemapFeature, Evidence, EvidenceId, MapSource, NewAssessment, NewEvidence, NewOrganisation,
    NewStudy, NewUser, Organisation, OrganisationId, Site, SiteDraft, SiteId, Study, StudyId,
    StudyKind, User, UserId,
};

use crate::rows::{self, Columns, bare_column_name, corrupt};
use crate::{BoundingBox, SessionRecord, Store, StoreError, StoreResult};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Rows per `INSERT ... SELECT FROM UNNEST(...)` when loading the base map: one round trip per
/// batch instead of one per feature, with bounded statement size.
const BASEMAP_BATCH: usize = 2000;

/// A [`Store`] on a PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to a `postgres://` or `postgresql://` URL and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        Self::connect_with(connect_options(url)?).await
    }

    /// Connects with `search_path` set to `schema`, creating the schema if missing, and applies the
    /// migrations inside it. `schema` must be a plain lower-case identifier (`[a-z_][a-z0-9_]*`).
    pub async fn connect_in_schema(url: &str, schema: &str) -> StoreResult<PostgresStore> {
        let options = connect_options(url)?;
        let schema = checked_schema_name(schema)?;
        let mut connection = PgConnection::connect_with(&options).await?;
        sqlx::query(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
        )))
        .execute(&mut connection)
        .await?;
        connection.close().await?;
        Self::connect_with(options.options([("search_path", schema)])).await
    }

    /// Drops `schema` and everything in it; for test suites cleaning up after
    /// [`PostgresStore::connect_in_schema`].
    pub async fn drop_schema(url: &str, schema: &str) -> StoreResult<()> {
        let schema = checked_schema_name(schema)?;
        let mut connection = PgConnection::connect_with(&connect_options(url)?).await?;
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
        )))
        .execute(&mut connection)
        .await?;
        connection.close().await?;
        Ok(())
    }

    async fn connect_with(options: PgConnectOptions) -> StoreResult<PostgresStore> {
        let pool = PgPoolOptions::new().connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
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
        let mut transaction = self.pool.begin().await?;
        let now = rows::now();
        let status = if result.is_some() {
            AssessmentStatus::Final
        } else {
            AssessmentStatus::Draft
        };
        let updated = sqlx::query(
            "UPDATE assessments
             SET input = $1, notes = $2, marking = $3, updated_by = $4, updated_at = $5,
                 status = $6, result = $7, finalised_by = $8, finalised_at = $9,
                 version = version + 1
             WHERE id = $10 AND organisation_id = $11 AND version = $12 AND status = 'draft'
             RETURNING *",
        )
        .bind(Json(&draft.input))
        .bind(Json(rows::notes_json(&draft.notes)))
        .bind(draft.marking.as_str())
        .bind(actor.map(|id| id.0))
        .bind(now)
        .bind(status.as_str())
        .bind(result.map(Json))
        .bind(result.and(actor).map(|id| id.0))
        .bind(result.map(|_| now))
        .bind(id.0)
        .bind(organisation.0)
        .bind(expected_version)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = updated else {
            let found = sqlx::query(
                "SELECT status, version FROM assessments WHERE id = $1 AND organisation_id = $2",
            )
            .bind(id.0)
            .bind(organisation.0)
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

fn connect_options(url: &str) -> StoreResult<PgConnectOptions> {
    // The sqlx message does not repeat the URL, which may hold a password.
    PgConnectOptions::from_str(url)
        .map_err(|error| StoreError::BadUrl(format!("PostgreSQL URL: {error}")))
}

/// The schema name, if it needs no quoting rules beyond the double quotes we put around it.
fn checked_schema_name(schema: &str) -> StoreResult<&str> {
    let mut characters = schema.chars();
    let first_ok = characters
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_');
    let rest_ok = characters.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(schema)
    } else {
        Err(StoreError::BadUrl(format!(
            "schema name '{schema}' must be 1 to 63 characters of a-z, 0-9 and _, not starting with a digit"
        )))
    }
}

fn decoded<T>(row: &PgRow, column: &'static str) -> StoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(bare_column_name(column))
        .map_err(|error| corrupt(column, error))
}

impl Columns for PgRow {
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
        decoded(self, column)
    }

    fn optional_uuid(&self, column: &'static str) -> StoreResult<Option<Uuid>> {
        decoded(self, column)
    }

    fn timestamp(&self, column: &'static str) -> StoreResult<DateTime<Utc>> {
        decoded(self, column)
    }

    fn json(&self, column: &'static str) -> StoreResult<serde_json::Value> {
        decoded::<Json<serde_json::Value>>(self, column).map(|json| json.0)
    }

    fn optional_json(&self, column: &'static str) -> StoreResult<Option<serde_json::Value>> {
        decoded::<Option<Json<serde_json::Value>>>(self, column).map(|json| json.map(|json| json.0))
    }

    fn optional_timestamp(&self, column: &'static str) -> StoreResult<Option<DateTime<Utc>>> {
        decoded(self, column)
    }
}

/// Runs `decode` over every row.
fn all<T>(rows: Vec<PgRow>, decode: fn(&PgRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(decode).collect()
}

async fn insert_audit_event(connection: &mut PgConnection, event: &AuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, organisation_id, user_id, action, subject, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event.at)
    .bind(event.organisation_id.map(|id| id.0))
    .bind(event.user_id.map(|id| id.0))
    .bind(event.action.as_str())
    .bind(&event.subject)
    .bind(&event.detail)
    .execute(connection)
    .await?;
    Ok(())
}

async fn insert_site(connection: &mut PgConnection, site: &Site) -> StoreResult<()> {
    let json = rows::site_json(&site.draft);
    sqlx::query(
        "INSERT INTO sites (id, organisation_id, name, kind, polygon, capacity, operators,
                            opening_hours, tags, source, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(site.id.0)
    .bind(site.organisation_id.0)
    .bind(&site.draft.name)
    .bind(site.draft.kind.as_str())
    .bind(Json(&json.polygon))
    .bind(site.draft.capacity.map(i64::from))
    .bind(Json(&json.operators))
    .bind(&site.draft.opening_hours)
    .bind(Json(&json.tags))
    .bind(&site.draft.source)
    .bind(site.version)
    .bind(site.created_at)
    .bind(site.updated_at)
    .execute(connection)
    .await?;
    Ok(())
}

async fn insert_basemap_batch(
    connection: &mut PgConnection,
    first_position: usize,
    features: &[BasemapFeature],
) -> StoreResult<()> {
    let positions: Vec<i64> = (first_position..first_position + features.len())
        .map(rows::saturating_i64)
        .collect();
    let layers: Vec<&str> = features
        .iter()
        .map(|feature| feature.layer.as_str())
        .collect();
    let osm_refs: Vec<&str> = features
        .iter()
        .map(|feature| feature.osm_ref.as_str())
        .collect();
    let names: Vec<Option<&str>> = features
        .iter()
        .map(|feature| feature.name.as_deref())
        .collect();
    let tags: Vec<String> = features
        .iter()
        .map(|feature| rows::basemap_tags_json(feature).to_string())
        .collect();
    let geometries: Vec<String> = features
        .iter()
        .map(|feature| rows::basemap_geometry_json(feature).to_string())
        .collect();
    let corner = |pick: fn(&(f64, f64, f64, f64)) -> f64| -> Vec<f64> {
        features
            .iter()
            .map(|feature| pick(&feature.bounding_box))
            .collect()
    };
    sqlx::query(
        "INSERT INTO basemap_features (position, layer, osm_ref, name, tags, geometry,
                                       min_lon, min_lat, max_lon, max_lat)
         SELECT position, layer, osm_ref, name, tags::jsonb, geometry::jsonb,
                min_lon, min_lat, max_lon, max_lat
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::float8[], $8::float8[], $9::float8[], $10::float8[])
              AS input (position, layer, osm_ref, name, tags, geometry,
                        min_lon, min_lat, max_lon, max_lat)",
    )
    .bind(positions)
    .bind(layers)
    .bind(osm_refs)
    .bind(names)
    .bind(tags)
    .bind(geometries)
    .bind(corner(|bounding_box| bounding_box.0))
    .bind(corner(|bounding_box| bounding_box.1))
    .bind(corner(|bounding_box| bounding_box.2))
    .bind(corner(|bounding_box| bounding_box.3))
    .execute(connection)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn close(&self) {
        PostgresStore::close(self).await;
    }

    async fn create_organisation(&self, new: &NewOrganisation) -> StoreResult<Organisation> {
        let organisation = Organisation {
            id: OrganisationId::new_random(),
            name: new.name.clone(),
            kind: new.kind,
            created_at: rows::now(),
        };
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(organisation.id.0)
        .bind(&organisation.name)
        .bind(organisation.kind.as_str())
        .bind(organisation.created_at)
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
        sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::organisation_from_row(&row))
            .transpose()
    }

    async fn organisation_by_name(&self, name: &str) -> StoreResult<Option<Organisation>> {
        sqlx::query("SELECT * FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::organisation_from_row(&row))
            .transpose()
    }

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        // COLLATE "C": code-point order, as SQLite's default, whatever the database's locale.
        let found = sqlx::query("SELECT * FROM organisations ORDER BY name COLLATE \"C\", id")
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
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user.id.0)
        .bind(user.organisation_id.0)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(&new.password_hash)
        .bind(user.created_at)
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
        sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::user_from_row(&row))
            .transpose()
    }

    async fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let Some(row) = sqlx::query("SELECT * FROM users WHERE username = $1")
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
        let result = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
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
        let found = sqlx::query(
            "SELECT * FROM users WHERE organisation_id = $1 ORDER BY username COLLATE \"C\", id",
        )
        .bind(organisation.0)
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::user_from_row)
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                                   expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id.0)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
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
        sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
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
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(last_seen_at)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
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
        let mut transaction = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM organisations WHERE id = $1")
            .bind(organisation.0)
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
        sqlx::query("SELECT * FROM sites WHERE id = $1 AND organisation_id = $2")
            .bind(id.0)
            .bind(organisation.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| rows::site_from_row(&row))
            .transpose()
    }

    async fn list_sites(&self, organisation: OrganisationId) -> StoreResult<Vec<Site>> {
        let found = sqlx::query("SELECT * FROM sites WHERE organisation_id = $1")
            .bind(organisation.0)
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
        let mut transaction = self.pool.begin().await?;
        let json = rows::site_json(draft);
        let updated = sqlx::query(
            "UPDATE sites
             SET name = $1, kind = $2, polygon = $3, capacity = $4, operators = $5,
                 opening_hours = $6, tags = $7, source = $8, version = version + 1,
                 updated_at = $9
             WHERE id = $10 AND organisation_id = $11 AND version = $12
             RETURNING *",
        )
        .bind(&draft.name)
        .bind(draft.kind.as_str())
        .bind(Json(&json.polygon))
        .bind(draft.capacity.map(i64::from))
        .bind(Json(&json.operators))
        .bind(&draft.opening_hours)
        .bind(Json(&json.tags))
        .bind(&draft.source)
        .bind(rows::now())
        .bind(id.0)
        .bind(organisation.0)
        .bind(expected_version)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = updated else {
            let actual: Option<i64> = sqlx::query_scalar(
                "SELECT version FROM sites WHERE id = $1 AND organisation_id = $2",
            )
            .bind(id.0)
            .bind(organisation.0)
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
        let mut transaction = self.pool.begin().await?;
        let final_assessments: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM assessments
             WHERE site_id = $1 AND organisation_id = $2 AND status = 'final'",
        )
        .bind(id.0)
        .bind(organisation.0)
        .fetch_one(&mut *transaction)
        .await?;
        if final_assessments > 0 {
            return Err(rows::site_has_final_assessments(final_assessments));
        }
        let deleted_name: Option<String> = sqlx::query_scalar(
            "DELETE FROM sites WHERE id = $1 AND organisation_id = $2 RETURNING name",
        )
        .bind(id.0)
        .bind(organisation.0)
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
        let mut transaction = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO map_sources (sha256, name, size_bytes, imported_at, data)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO UPDATE SET name = excluded.name,
                                                imported_at = excluded.imported_at",
        )
        .bind(&source.sha256)
        .bind(&source.name)
        .bind(i64::try_from(source.size_bytes).unwrap_or(i64::MAX))
        .bind(source.imported_at)
        .bind(data)
        .execute(&mut *transaction)
        .await?;
        sqlx::query("DELETE FROM basemap_features")
            .execute(&mut *transaction)
            .await?;
        for (batch_index, batch) in features.chunks(BASEMAP_BATCH).enumerate() {
            insert_basemap_batch(&mut transaction, batch_index * BASEMAP_BATCH, batch).await?;
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
        // PostgreSQL's geometric operators compare with a tolerance of 1e-6, so `&&` (which the
        // GiST index answers) may return a box that misses the area by a hair; the same test on
        // the exact columns drops those.
        let found = sqlx::query(
            "SELECT * FROM basemap_features
             WHERE box(point(min_lon, min_lat), point(max_lon, max_lat))
                   && box(point($1, $2), point($3, $4))
               AND max_lon >= $1 AND min_lon <= $3 AND max_lat >= $2 AND min_lat <= $4
             ORDER BY position
             LIMIT $5",
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
        let row = sqlx::query("SELECT data FROM map_sources WHERE sha256 = $1")
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
        let mut transaction = self.pool.begin().await?;
        let site = sqlx::query("SELECT 1 FROM sites WHERE id = $1 AND organisation_id = $2")
            .bind(new.site_id.0)
            .bind(organisation.0)
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(study.id.0)
        .bind(organisation.0)
        .bind(new.site_id.0)
        .bind(new.kind.as_str())
        .bind(study.created_at)
        .bind(new.created_by.map(|id| id.0))
        .bind(&new.engine_version)
        .bind(&new.map_sha256)
        .bind(Json(&new.inputs))
        .bind(Json(&new.summary))
        .bind(Json(&new.result))
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
        sqlx::query("SELECT * FROM studies WHERE id = $1 AND organisation_id = $2")
            .bind(id.0)
            .bind(organisation.0)
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
             WHERE organisation_id = $1 AND site_id = $2 AND ($3::text IS NULL OR kind = $3)
             ORDER BY created_at DESC, id",
        )
        .bind(organisation.0)
        .bind(site.0)
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
        let mut transaction = self.pool.begin().await?;
        let site = sqlx::query("SELECT 1 FROM sites WHERE id = $1 AND organisation_id = $2")
            .bind(new.site_id.0)
            .bind(organisation.0)
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
                 WHERE id = $1 AND organisation_id = $2 AND site_id = $3",
            )
            .bind(previous.0)
            .bind(organisation.0)
            .bind(new.site_id.0)
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, $13, NULL, NULL,
                     $14, $15)",
        )
        .bind(record.id.0)
        .bind(organisation.0)
        .bind(record.site_id.0)
        .bind(&record.questionnaire_id)
        .bind(&record.questionnaire_version)
        .bind(record.status.as_str())
        .bind(Json(&record.input))
        .bind(Json(rows::notes_json(&record.notes)))
        .bind(record.marking.as_str())
        .bind(record.created_by.map(|id| id.0))
        .bind(record.created_at)
        .bind(record.updated_by.map(|id| id.0))
        .bind(record.updated_at)
        .bind(record.supersedes.map(|id| id.0))
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
        sqlx::query("SELECT * FROM assessments WHERE id = $1 AND organisation_id = $2")
            .bind(id.0)
            .bind(organisation.0)
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
             WHERE organisation_id = $1 AND ($2::uuid IS NULL OR site_id = $2)
             ORDER BY created_at DESC, id",
        )
        .bind(organisation.0)
        .bind(site.map(|site| site.0))
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
        let mut transaction = self.pool.begin().await?;
        // FOR UPDATE: a concurrent finalisation waits for this upload, or this upload sees it.
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM assessments WHERE id = $1 AND organisation_id = $2 FOR UPDATE",
        )
        .bind(new.assessment_id.0)
        .bind(organisation.0)
        .fetch_optional(&mut *transaction)
        .await?;
        rows::check_evidence_can_be_added(new.assessment_id, status.as_deref())?;
        let evidence = rows::new_evidence_record(new, rows::now());
        sqlx::query(
            "INSERT INTO evidence (id, assessment_id, question_id, file_name, content_type,
                                   size_bytes, sha256, data, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(evidence.id.0)
        .bind(evidence.assessment_id.0)
        .bind(&evidence.question_id)
        .bind(&evidence.file_name)
        .bind(&evidence.content_type)
        .bind(i64::try_from(evidence.size_bytes).unwrap_or(i64::MAX))
        .bind(&evidence.sha256)
        .bind(&new.data)
        .bind(evidence.uploaded_by.map(|id| id.0))
        .bind(evidence.uploaded_at)
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
             WHERE assessment_id = $1 AND assessment_id IN
                   (SELECT id FROM assessments WHERE organisation_id = $2)
             ORDER BY uploaded_at, id",
            rows::EVIDENCE_COLUMNS
        )))
        .bind(assessment.0)
        .bind(organisation.0)
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
             WHERE evidence.id = $1 AND assessments.organisation_id = $2",
        )
        .bind(id.0)
        .bind(organisation.0)
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
            "SELECT * FROM audit_events WHERE organisation_id = $1
             ORDER BY at DESC, seq DESC LIMIT $2",
        )
        .bind(organisation.0)
        .bind(rows::saturating_i64(limit))
        .fetch_all(&self.pool)
        .await?;
        all(found, rows::audit_event_from_row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(checked_schema_name("agora_test_1f2e").is_ok());
        for bad in [
            "",
            "1abc",
            "Agora",
            "a-b",
            "a\"; DROP TABLE x; --",
            &"a".repeat(64),
        ] {
            assert!(checked_schema_name(bad).is_err(), "{bad}");
        }
    }
}
