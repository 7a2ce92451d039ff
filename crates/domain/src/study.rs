//! Studies: an engine's run on a site (hostile-vehicle approach, crowd evacuation), kept with
//! everything needed to reproduce it — the inputs, the engine and its version, and the exact map
//! data it read — and with what it found.
//!
//! The domain does not know the engines' types: inputs and results are kept as JSON documents
//! whose shape the engine's use case in `app` owns. What every study shares (who ran what, when,
//! on which map) is typed here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::organisation::text_enum;
use crate::{OrganisationId, SiteId, StudyId, UserId};

text_enum!(
    /// Which engine a study ran.
    StudyKind, "study kind", {
        /// Hostile-vehicle approach analysis (`vehicle_approach`).
        VehicleApproach => "vehicle_approach",
        /// Crowd and evacuation simulation (`crowd_sim`).
        Crowd => "crowd",
    }
);

/// The OpenStreetMap extract a deployment's base map and studies come from, identified by the
/// SHA-256 of its bytes (a study names the exact data it read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapSource {
    /// Lower-case hexadecimal SHA-256 of the file's bytes.
    pub sha256: String,
    /// The file name it was imported from (for people; the hash identifies it).
    pub name: String,
    /// Size of the file, bytes.
    pub size_bytes: u64,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
}

/// A study to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewStudy {
    /// The site studied.
    pub site_id: SiteId,
    /// The engine.
    pub kind: StudyKind,
    /// Who ran it (absent for system runs).
    pub created_by: Option<UserId>,
    /// The engine crate and version, e.g. `vehicle_approach 0.1.0`.
    pub engine_version: String,
    /// The map data read, when the study read any.
    pub map_sha256: Option<String>,
    /// The inputs, as the engine's use case defines them (enough to run it again).
    pub inputs: serde_json::Value,
    /// The headline figures (a small object shown in lists).
    pub summary: serde_json::Value,
    /// The full result.
    pub result: serde_json::Value,
}

/// A stored study. Studies are never changed: a new run is a new study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// Its id.
    pub id: StudyId,
    /// The organisation owning the site.
    pub organisation_id: OrganisationId,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// What was stored.
    #[serde(flatten)]
    pub study: NewStudy,
}
