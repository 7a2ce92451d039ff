//! Vulnerability assessments as records: who assessed which site, against which questionnaire
//! version, with which answers, in which state (draft or final), under which TLP marking, and the
//! evidence files attached to it.
//!
//! The domain does not know the risk engine's types: the answers (`risk::AssessmentInput`) and the
//! scored result (`risk::Assessment`) are kept as JSON documents whose shape `app` owns, as studies
//! keep theirs. What every assessment shares is typed here. A final assessment is never changed: a
//! new one supersedes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::organisation::text_enum;
use crate::{AssessmentId, EvidenceId, OrganisationId, SiteId, UserId};

text_enum!(
    /// A Traffic Light Protocol 2.0 label (FIRST, <https://www.first.org/tlp/>): who may receive
    /// a record. A sharing label, not a security classification.
    Tlp, "TLP marking", {
        /// May be shared freely.
        Clear => "clear",
        /// Within the community, not publicly.
        Green => "green",
        /// Within the recipient's organisation and its clients, on a need-to-know basis.
        Amber => "amber",
        /// Within the recipient's organisation only.
        AmberStrict => "amber_strict",
        /// Named recipients only.
        Red => "red",
    }
);

impl Tlp {
    /// The label as TLP 2.0 writes it (`TLP:AMBER+STRICT`): never translated.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }
}

text_enum!(
    /// Where an assessment is in its life.
    AssessmentStatus, "assessment status", {
        /// Being answered; may be saved any number of times.
        Draft => "draft",
        /// Finalised: scored and frozen; a new assessment supersedes it.
        Final => "final",
    }
);

/// An assessment to start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewAssessment {
    /// The site assessed.
    pub site_id: SiteId,
    /// The questionnaire's id, e.g. `public-space`.
    pub questionnaire_id: String,
    /// The questionnaire's version.
    pub questionnaire_version: String,
    /// The answers, likelihoods, overrides and study findings (`risk::AssessmentInput`).
    pub input: serde_json::Value,
    /// Free-text notes by question id.
    pub notes: BTreeMap<String, String>,
    /// Who may see it.
    pub marking: Tlp,
    /// Who started it.
    pub created_by: Option<UserId>,
    /// The final assessment of the same site this one replaces, if any.
    pub supersedes: Option<AssessmentId>,
}

/// What saving a draft replaces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssessmentDraft {
    /// The answers, likelihoods, overrides and study findings (`risk::AssessmentInput`).
    pub input: serde_json::Value,
    /// Free-text notes by question id.
    pub notes: BTreeMap<String, String>,
    /// Who may see it.
    pub marking: Tlp,
}

/// A stored assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    /// Its id.
    pub id: AssessmentId,
    /// The organisation owning the site.
    pub organisation_id: OrganisationId,
    /// The site assessed.
    pub site_id: SiteId,
    /// The questionnaire's id.
    pub questionnaire_id: String,
    /// The questionnaire's version.
    pub questionnaire_version: String,
    /// Draft or final.
    pub status: AssessmentStatus,
    /// The answers, likelihoods, overrides and study findings (`risk::AssessmentInput`).
    pub input: serde_json::Value,
    /// Free-text notes by question id.
    pub notes: BTreeMap<String, String>,
    /// The scored result (`risk::Assessment`), stored when finalised.
    pub result: Option<serde_json::Value>,
    /// Who may see it.
    pub marking: Tlp,
    /// Who started it.
    pub created_by: Option<UserId>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// Who saved it last.
    pub updated_by: Option<UserId>,
    /// When it was saved last.
    pub updated_at: DateTime<Utc>,
    /// Who finalised it.
    pub finalised_by: Option<UserId>,
    /// When it was finalised.
    pub finalised_at: Option<DateTime<Utc>>,
    /// The final assessment this one replaces.
    pub supersedes: Option<AssessmentId>,
    /// Bumped by every write; a save names the version it read (optimistic locking).
    pub version: i64,
}

/// An evidence file to attach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvidence {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The question it supports, if any.
    pub question_id: Option<String>,
    /// The file's name as uploaded (no directories).
    pub file_name: String,
    /// Its media type, as recognised from its bytes.
    pub content_type: String,
    /// Lower-case hexadecimal SHA-256 of its bytes.
    pub sha256: String,
    /// The bytes.
    pub data: Vec<u8>,
    /// Who uploaded it.
    pub uploaded_by: Option<UserId>,
}

/// A stored evidence file, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    /// Its id.
    pub id: EvidenceId,
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The question it supports, if any.
    pub question_id: Option<String>,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Size, bytes.
    pub size_bytes: u64,
    /// Lower-case hexadecimal SHA-256 of its bytes.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: Option<UserId>,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}
