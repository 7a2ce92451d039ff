//! The audit trail: every change, and every login, is recorded with who, what, which record and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::organisation::text_enum;
use crate::{OrganisationId, UserId};

text_enum!(
    /// What happened.
    AuditAction, "audit action", {
        LoginSucceeded => "login_succeeded",
        LoginFailed => "login_failed",
        Logout => "logout",
        OrganisationCreated => "organisation_created",
        UserCreated => "user_created",
        SiteCreated => "site_created",
        SiteUpdated => "site_updated",
        SiteDeleted => "site_deleted",
        SitesImported => "sites_imported",
        SitesExported => "sites_exported",
        BasemapImported => "basemap_imported",
        StudyRun => "study_run",
        AssessmentStarted => "assessment_started",
        AssessmentSaved => "assessment_saved",
        AssessmentFinalised => "assessment_finalised",
        EvidenceAdded => "evidence_added",
    }
);

/// One line of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// When, in UTC.
    pub at: DateTime<Utc>,
    /// The organisation whose records were touched (or the user's, for logins).
    pub organisation_id: Option<OrganisationId>,
    /// Who; absent for failed logins of unknown users and for system actions.
    pub user_id: Option<UserId>,
    pub action: AuditAction,
    /// The record touched, as `kind:id` (e.g. `site:4f0c...`), or empty.
    pub subject: String,
    /// A short human-readable detail (never a secret).
    pub detail: String,
}
