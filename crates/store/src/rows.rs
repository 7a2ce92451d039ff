//! What both backends share: turning a row into a domain record, the JSON form of the JSON columns,
//! the audit events a site write records, and the mapping of database errors to [`StoreError`].
//!
//! The two backends store the same logical columns in different physical types (a UUID is `TEXT` in
//! SQLite and `uuid` in PostgreSQL, a JSON column `TEXT` or `jsonb`, a timestamp fixed-width text or
//! `timestamptz`). Each backend says how to read one column of each kind by implementing
//! [`Columns`]; how a row becomes an `Organisation`, a `User` or a `Site` is written once, here.
//!
//! Columns are named `table.column` (e.g. `sites.polygon`) so that a [`StoreError::Corrupt`] tells
//! the reader exactly which stored value could not be read; the backends query by the part after
//! the dot.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use domain::{
    AssessmentId, AssessmentRecord, AssessmentStatus, AuditAction, AuditEvent, BasemapFeature,
    Evidence, EvidenceId, MapSource, NewAssessment, NewEvidence, NewStudy, Organisation,
    OrganisationId, Site, SiteDraft, SiteId, SitePolygon, Study, StudyId, User, UserId,
};

use crate::{BoundingBox, SessionRecord, StoreError, StoreResult};

/// Reads one column of a result row as a storage-neutral value. `column` is `table.column`.
pub(crate) trait Columns {
    fn text(&self, column: &'static str) -> StoreResult<String>;
    fn optional_text(&self, column: &'static str) -> StoreResult<Option<String>>;
    fn integer(&self, column: &'static str) -> StoreResult<i64>;
    fn optional_integer(&self, column: &'static str) -> StoreResult<Option<i64>>;
    fn real(&self, column: &'static str) -> StoreResult<f64>;
    fn uuid(&self, column: &'static str) -> StoreResult<Uuid>;
    fn optional_uuid(&self, column: &'static str) -> StoreResult<Option<Uuid>>;
    fn timestamp(&self, column: &'static str) -> StoreResult<DateTime<Utc>>;
    fn json(&self, column: &'static str) -> StoreResult<serde_json::Value>;
    fn optional_json(&self, column: &'static str) -> StoreResult<Option<serde_json::Value>>;
    fn optional_timestamp(&self, column: &'static str) -> StoreResult<Option<DateTime<Utc>>>;
}

/// The column name a query result carries: `sites.polygon` -> `polygon`.
pub(crate) fn bare_column_name(column: &'static str) -> &'static str {
    column.rsplit('.').next().unwrap_or(column)
}

/// A stored value that does not decode, named by its column.
pub(crate) fn corrupt(column: &'static str, message: impl Display) -> StoreError {
    StoreError::Corrupt {
        what: column,
        message: message.to_string(),
    }
}

/// The current time at the precision both backends keep (microseconds), so that a record returned
/// by a write equals the record read back later.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn parsed<T>(column: &'static str, text: String) -> StoreResult<T>
where
    T: FromStr,
    T::Err: Display,
{
    text.parse().map_err(|error| corrupt(column, error))
}

fn from_json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    value: serde_json::Value,
) -> StoreResult<T> {
    serde_json::from_value(value).map_err(|error| corrupt(column, error))
}

pub(crate) fn organisation_from_row(row: &impl Columns) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.uuid("organisations.id")?),
        name: row.text("organisations.name")?,
        kind: parsed("organisations.kind", row.text("organisations.kind")?)?,
        created_at: row.timestamp("organisations.created_at")?,
    })
}

pub(crate) fn user_from_row(row: &impl Columns) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.uuid("users.id")?),
        organisation_id: OrganisationId(row.uuid("users.organisation_id")?),
        username: row.text("users.username")?,
        display_name: row.text("users.display_name")?,
        role: parsed("users.role", row.text("users.role")?)?,
        created_at: row.timestamp("users.created_at")?,
    })
}

pub(crate) fn session_from_row(row: &impl Columns) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: row.text("sessions.token_hash")?,
        user_id: UserId(row.uuid("sessions.user_id")?),
        csrf_token: row.text("sessions.csrf_token")?,
        created_at: row.timestamp("sessions.created_at")?,
        last_seen_at: row.timestamp("sessions.last_seen_at")?,
        expires_at: row.timestamp("sessions.expires_at")?,
    })
}

pub(crate) fn site_from_row(row: &impl Columns) -> StoreResult<Site> {
    let polygon_geometry: geojson::Geometry =
        from_json("sites.polygon", row.json("sites.polygon")?)?;
    let polygon = SitePolygon::from_geojson(&polygon_geometry)
        .map_err(|error| corrupt("sites.polygon", error))?;
    let capacity = row
        .optional_integer("sites.capacity")?
        .map(|capacity| {
            u32::try_from(capacity)
                .map_err(|_| corrupt("sites.capacity", format!("{capacity} is not a capacity")))
        })
        .transpose()?;
    Ok(Site {
        id: SiteId(row.uuid("sites.id")?),
        organisation_id: OrganisationId(row.uuid("sites.organisation_id")?),
        draft: SiteDraft {
            name: row.text("sites.name")?,
            kind: parsed("sites.kind", row.text("sites.kind")?)?,
            polygon,
            capacity,
            operators: from_json("sites.operators", row.json("sites.operators")?)?,
            opening_hours: row.optional_text("sites.opening_hours")?,
            tags: from_json("sites.tags", row.json("sites.tags")?)?,
            source: row.optional_text("sites.source")?,
        },
        version: row.integer("sites.version")?,
        created_at: row.timestamp("sites.created_at")?,
        updated_at: row.timestamp("sites.updated_at")?,
    })
}

pub(crate) fn map_source_from_row(row: &impl Columns) -> StoreResult<MapSource> {
    let size = row.integer("map_sources.size_bytes")?;
    Ok(MapSource {
        sha256: row.text("map_sources.sha256")?,
        name: row.text("map_sources.name")?,
        size_bytes: u64::try_from(size)
            .map_err(|_| corrupt("map_sources.size_bytes", format!("{size} is not a size")))?,
        imported_at: row.timestamp("map_sources.imported_at")?,
    })
}

/// A study row; `with_result` false for list queries, which leave the result column out.
pub(crate) fn study_from_row(row: &impl Columns, with_result: bool) -> StoreResult<Study> {
    Ok(Study {
        id: StudyId(row.uuid("studies.id")?),
        organisation_id: OrganisationId(row.uuid("studies.organisation_id")?),
        created_at: row.timestamp("studies.created_at")?,
        study: NewStudy {
            site_id: SiteId(row.uuid("studies.site_id")?),
            kind: parsed("studies.kind", row.text("studies.kind")?)?,
            created_by: row.optional_uuid("studies.created_by")?.map(UserId),
            engine_version: row.text("studies.engine_version")?,
            map_sha256: row.optional_text("studies.map_sha256")?,
            inputs: row.json("studies.inputs")?,
            summary: row.json("studies.summary")?,
            result: if with_result {
                row.json("studies.result")?
            } else {
                serde_json::Value::Null
            },
        },
    })
}

/// The audit event of a stored study.
pub(crate) fn study_run_event(study: &Study) -> AuditEvent {
    AuditEvent {
        at: study.created_at,
        organisation_id: Some(study.organisation_id),
        user_id: study.study.created_by,
        action: AuditAction::StudyRun,
        subject: format!("study:{}", study.id),
        detail: format!(
            "{} study of site:{} ({})",
            study.study.kind, study.study.site_id, study.study.engine_version
        ),
    }
}

pub(crate) fn audit_event_from_row(row: &impl Columns) -> StoreResult<AuditEvent> {
    Ok(AuditEvent {
        at: row.timestamp("audit_events.at")?,
        organisation_id: row
            .optional_uuid("audit_events.organisation_id")?
            .map(OrganisationId),
        user_id: row.optional_uuid("audit_events.user_id")?.map(UserId),
        action: parsed("audit_events.action", row.text("audit_events.action")?)?,
        subject: row.text("audit_events.subject")?,
        detail: row.text("audit_events.detail")?,
    })
}

pub(crate) fn basemap_feature_from_row(row: &impl Columns) -> StoreResult<BasemapFeature> {
    let tags: BTreeMap<String, String> =
        from_json("basemap_features.tags", row.json("basemap_features.tags")?)?;
    Ok(BasemapFeature {
        layer: parsed(
            "basemap_features.layer",
            row.text("basemap_features.layer")?,
        )?,
        osm_ref: row.text("basemap_features.osm_ref")?,
        name: row.optional_text("basemap_features.name")?,
        tags,
        geometry: from_json(
            "basemap_features.geometry",
            row.json("basemap_features.geometry")?,
        )?,
        bounding_box: (
            row.real("basemap_features.min_lon")?,
            row.real("basemap_features.min_lat")?,
            row.real("basemap_features.max_lon")?,
            row.real("basemap_features.max_lat")?,
        ),
    })
}

pub(crate) fn assessment_from_row(row: &impl Columns) -> StoreResult<AssessmentRecord> {
    Ok(AssessmentRecord {
        id: AssessmentId(row.uuid("assessments.id")?),
        organisation_id: OrganisationId(row.uuid("assessments.organisation_id")?),
        site_id: SiteId(row.uuid("assessments.site_id")?),
        questionnaire_id: row.text("assessments.questionnaire_id")?,
        questionnaire_version: row.text("assessments.questionnaire_version")?,
        status: parsed("assessments.status", row.text("assessments.status")?)?,
        input: row.json("assessments.input")?,
        notes: from_json("assessments.notes", row.json("assessments.notes")?)?,
        result: row.optional_json("assessments.result")?,
        marking: parsed("assessments.marking", row.text("assessments.marking")?)?,
        created_by: row.optional_uuid("assessments.created_by")?.map(UserId),
        created_at: row.timestamp("assessments.created_at")?,
        updated_by: row.optional_uuid("assessments.updated_by")?.map(UserId),
        updated_at: row.timestamp("assessments.updated_at")?,
        finalised_by: row.optional_uuid("assessments.finalised_by")?.map(UserId),
        finalised_at: row.optional_timestamp("assessments.finalised_at")?,
        supersedes: row
            .optional_uuid("assessments.supersedes")?
            .map(AssessmentId),
        version: row.integer("assessments.version")?,
    })
}

pub(crate) fn evidence_from_row(row: &impl Columns) -> StoreResult<Evidence> {
    let size = row.integer("evidence.size_bytes")?;
    Ok(Evidence {
        id: EvidenceId(row.uuid("evidence.id")?),
        assessment_id: AssessmentId(row.uuid("evidence.assessment_id")?),
        question_id: row.optional_text("evidence.question_id")?,
        file_name: row.text("evidence.file_name")?,
        content_type: row.text("evidence.content_type")?,
        size_bytes: u64::try_from(size)
            .map_err(|_| corrupt("evidence.size_bytes", format!("{size} is not a size")))?,
        sha256: row.text("evidence.sha256")?,
        uploaded_by: row.optional_uuid("evidence.uploaded_by")?.map(UserId),
        uploaded_at: row.timestamp("evidence.uploaded_at")?,
    })
}

/// The columns of an evidence row without its bytes, for lists.
pub(crate) const EVIDENCE_COLUMNS: &str = "id, assessment_id, question_id, file_name, content_type, \
     size_bytes, sha256, uploaded_by, uploaded_at";

/// Why a write to an assessment is refused once its row is known to exist: it is final, or it
/// moved past the version the caller read.
pub(crate) fn assessment_final(id: AssessmentId) -> StoreError {
    StoreError::Conflict(format!(
        "assessment {id} is final and cannot be changed; start a new assessment of the site that \
         supersedes it"
    ))
}

/// The refusal of an assessment write that matched no row: `found` is the row's status and
/// version if it exists in the organisation.
pub(crate) fn assessment_write_refused(
    id: AssessmentId,
    expected_version: i64,
    found: Option<(String, i64)>,
) -> StoreError {
    match found {
        None => StoreError::NotFound {
            what: "assessment",
            id: id.to_string(),
        },
        Some((status, _)) if status == AssessmentStatus::Final.as_str() => assessment_final(id),
        Some((_, actual)) => StoreError::Conflict(format!(
            "assessment was changed by someone else (you edited version {expected_version}, it is \
             now at version {actual}); reload it and save again"
        )),
    }
}

/// Whether an assessment can be superseded, given its status (`None`: not an assessment of the
/// same site in the organisation).
pub(crate) fn check_supersedable(previous: AssessmentId, status: Option<&str>) -> StoreResult<()> {
    match status {
        None => Err(StoreError::NotFound {
            what: "assessment of this site",
            id: previous.to_string(),
        }),
        Some(status) if status == AssessmentStatus::Final.as_str() => Ok(()),
        Some(_) => Err(StoreError::Conflict(format!(
            "assessment {previous} is still a draft: only a final assessment can be superseded \
             (finalise it, or keep working on it)"
        ))),
    }
}

/// Whether evidence can be attached to an assessment, given its status (`None`: not found).
pub(crate) fn check_evidence_can_be_added(
    assessment: AssessmentId,
    status: Option<&str>,
) -> StoreResult<()> {
    match status {
        None => Err(StoreError::NotFound {
            what: "assessment",
            id: assessment.to_string(),
        }),
        Some(status) if status == AssessmentStatus::Final.as_str() => {
            Err(assessment_final(assessment))
        }
        Some(_) => Ok(()),
    }
}

/// The record a `create_assessment` stores: a draft at version 1.
pub(crate) fn new_assessment_record(
    organisation: OrganisationId,
    new: &NewAssessment,
    now: DateTime<Utc>,
) -> AssessmentRecord {
    AssessmentRecord {
        id: AssessmentId::new_random(),
        organisation_id: organisation,
        site_id: new.site_id,
        questionnaire_id: new.questionnaire_id.clone(),
        questionnaire_version: new.questionnaire_version.clone(),
        status: AssessmentStatus::Draft,
        input: new.input.clone(),
        notes: new.notes.clone(),
        result: None,
        marking: new.marking,
        created_by: new.created_by,
        created_at: now,
        updated_by: new.created_by,
        updated_at: now,
        finalised_by: None,
        finalised_at: None,
        supersedes: new.supersedes,
        version: 1,
    }
}

/// The record an `add_evidence` stores (its bytes go beside it).
pub(crate) fn new_evidence_record(new: &NewEvidence, now: DateTime<Utc>) -> Evidence {
    Evidence {
        id: EvidenceId::new_random(),
        assessment_id: new.assessment_id,
        question_id: new.question_id.clone(),
        file_name: new.file_name.clone(),
        content_type: new.content_type.clone(),
        size_bytes: new.data.len() as u64,
        sha256: new.sha256.clone(),
        uploaded_by: new.uploaded_by,
        uploaded_at: now,
    }
}

pub(crate) fn notes_json(notes: &BTreeMap<String, String>) -> serde_json::Value {
    serde_json::to_value(notes).expect("a string map serialises")
}

/// The refusal of a site deletion while final assessments of it exist.
pub(crate) fn site_has_final_assessments(count: i64) -> StoreError {
    StoreError::Conflict(format!(
        "the site has {count} final assessment(s), which are kept as records: it cannot be deleted"
    ))
}

fn assessment_subject(id: AssessmentId) -> String {
    format!("assessment:{id}")
}

pub(crate) fn assessment_event(
    assessment: &AssessmentRecord,
    action: AuditAction,
    actor: Option<UserId>,
    at: DateTime<Utc>,
) -> AuditEvent {
    let detail = match action {
        AuditAction::AssessmentStarted => match assessment.supersedes {
            Some(previous) => format!(
                "started on site:{} ({} v{}), superseding assessment:{previous}",
                assessment.site_id, assessment.questionnaire_id, assessment.questionnaire_version
            ),
            None => format!(
                "started on site:{} ({} v{})",
                assessment.site_id, assessment.questionnaire_id, assessment.questionnaire_version
            ),
        },
        AuditAction::AssessmentFinalised => format!(
            "finalised at version {} ({})",
            assessment.version,
            assessment.marking.label()
        ),
        _ => format!("saved draft version {}", assessment.version),
    };
    AuditEvent {
        at,
        organisation_id: Some(assessment.organisation_id),
        user_id: actor,
        action,
        subject: assessment_subject(assessment.id),
        detail,
    }
}

pub(crate) fn evidence_added_event(
    organisation: OrganisationId,
    evidence: &Evidence,
) -> AuditEvent {
    AuditEvent {
        at: evidence.uploaded_at,
        organisation_id: Some(organisation),
        user_id: evidence.uploaded_by,
        action: AuditAction::EvidenceAdded,
        subject: assessment_subject(evidence.assessment_id),
        detail: format!(
            "evidence:{} '{}' ({}, {} bytes, sha256 {})",
            evidence.id,
            evidence.file_name,
            evidence.content_type,
            evidence.size_bytes,
            evidence.sha256
        ),
    }
}

/// The JSON columns of a site, ready to bind (as text on SQLite, as `jsonb` on PostgreSQL).
pub(crate) struct SiteJson {
    pub polygon: serde_json::Value,
    pub operators: serde_json::Value,
    pub tags: serde_json::Value,
}

pub(crate) fn site_json(draft: &SiteDraft) -> SiteJson {
    SiteJson {
        polygon: serde_json::to_value(draft.polygon.to_geojson())
            .expect("a GeoJSON geometry serialises"),
        operators: serde_json::Value::from(draft.operators.clone()),
        tags: serde_json::to_value(&draft.tags).expect("a string map serialises"),
    }
}

pub(crate) fn basemap_tags_json(feature: &BasemapFeature) -> serde_json::Value {
    serde_json::to_value(&feature.tags).expect("a string map serialises")
}

pub(crate) fn basemap_geometry_json(feature: &BasemapFeature) -> serde_json::Value {
    serde_json::to_value(&feature.geometry).expect("a GeoJSON geometry serialises")
}

/// Sites in name order: case-insensitive first, then exact, then by id. Sorted here rather than in
/// SQL because SQLite and PostgreSQL collate text differently, and both backends must list alike.
pub(crate) fn sort_sites_by_name(sites: &mut [Site]) {
    sites.sort_by(|a, b| {
        (a.draft.name.to_lowercase(), &a.draft.name, a.id).cmp(&(
            b.draft.name.to_lowercase(),
            &b.draft.name,
            b.id,
        ))
    });
}

fn site_subject(id: SiteId) -> String {
    format!("site:{id}")
}

/// The audit event of a `create_sites` call: `SiteCreated` for one site, `SitesImported` (with the
/// count and the first names) for several.
pub(crate) fn sites_created_event(
    organisation: OrganisationId,
    sites: &[Site],
    actor: Option<UserId>,
    at: DateTime<Utc>,
) -> AuditEvent {
    let (action, subject, detail) = match sites {
        [site] => (
            AuditAction::SiteCreated,
            site_subject(site.id),
            format!("created '{}'", site.draft.name),
        ),
        _ => {
            const NAMES_SHOWN: usize = 10;
            let mut names: Vec<&str> = sites
                .iter()
                .take(NAMES_SHOWN)
                .map(|site| site.draft.name.as_str())
                .collect();
            if sites.len() > NAMES_SHOWN {
                names.push("...");
            }
            (
                AuditAction::SitesImported,
                String::new(),
                format!("created {} sites: {}", sites.len(), names.join(", ")),
            )
        }
    };
    AuditEvent {
        at,
        organisation_id: Some(organisation),
        user_id: actor,
        action,
        subject,
        detail,
    }
}

pub(crate) fn site_updated_event(site: &Site, actor: Option<UserId>) -> AuditEvent {
    AuditEvent {
        at: site.updated_at,
        organisation_id: Some(site.organisation_id),
        user_id: actor,
        action: AuditAction::SiteUpdated,
        subject: site_subject(site.id),
        detail: format!("updated '{}' to version {}", site.draft.name, site.version),
    }
}

pub(crate) fn site_deleted_event(
    organisation: OrganisationId,
    id: SiteId,
    name: &str,
    actor: Option<UserId>,
) -> AuditEvent {
    AuditEvent {
        at: now(),
        organisation_id: Some(organisation),
        user_id: actor,
        action: AuditAction::SiteDeleted,
        subject: site_subject(id),
        detail: format!("deleted '{name}'"),
    }
}

/// Maps a unique-constraint violation to `Conflict(message)`; other errors pass through.
pub(crate) fn conflict_on_unique(
    error: sqlx::Error,
    message: impl FnOnce() -> String,
) -> StoreError {
    match &error {
        sqlx::Error::Database(database_error) if database_error.is_unique_violation() => {
            StoreError::Conflict(message())
        }
        _ => StoreError::Database(error),
    }
}

/// Maps a foreign-key violation to `NotFound` of the referenced record; other errors pass through.
pub(crate) fn not_found_on_foreign_key(
    error: sqlx::Error,
    what: &'static str,
    id: impl Display,
) -> StoreError {
    match &error {
        sqlx::Error::Database(database_error) if database_error.is_foreign_key_violation() => {
            StoreError::NotFound {
                what,
                id: id.to_string(),
            }
        }
        _ => StoreError::Database(error),
    }
}

/// Whether a viewport has no area to query (minimum above maximum, or not a number). Both backends
/// answer such a query with no features rather than each in its own way.
pub(crate) fn is_inverted(area: &BoundingBox) -> bool {
    !(area.min_lon <= area.max_lon && area.min_lat <= area.max_lat)
}

/// A count or position (a `LIMIT`, a base-map position) as the `i64` both databases take.
pub(crate) fn saturating_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_lose_their_table_for_the_query_but_keep_it_in_errors() {
        assert_eq!(bare_column_name("sites.polygon"), "polygon");
        assert_eq!(bare_column_name("polygon"), "polygon");
        assert_eq!(
            corrupt("sites.polygon", "expected value").to_string(),
            "stored sites.polygon could not be read: expected value"
        );
    }

    #[test]
    fn now_keeps_microseconds_only() {
        let time = now();
        assert_eq!(time.timestamp_subsec_nanos() % 1000, 0);
    }
}
