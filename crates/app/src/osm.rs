//! OpenStreetMap use cases: read an extract, list its candidate public spaces, add chosen ones as
//! sites, and load its streets as the base map.

use std::path::{Path, PathBuf};

use anyhow::Context;
use domain::{AuditAction, BasemapFeature, MapSource, Site, SiteDraft};
use osm_import::{CandidateSpace, OsmExtract};

use crate::{Actor, App, AppError};

/// Reads an OSM file (.osm.pbf, .osm, .osm.gz) on a blocking thread. A missing, corrupt or truncated
/// file is `AppError::Invalid` with the importer's message, which names the file and the place.
pub async fn read_osm_extract(path: &Path) -> Result<OsmExtract, AppError> {
    let path: PathBuf = path.to_path_buf();
    tokio::task::spawn_blocking(move || osm_import::read_osm_file(&path))
        .await
        .context("OSM import task failed")?
        .map_err(|error| AppError::Invalid(error.to_string()))
}

/// Reads OSM data uploaded as bytes (PBF, XML or gzipped XML; the importer tells them apart), on a
/// blocking thread. `input` names the data in error messages (e.g. the upload's file name).
pub async fn read_osm_bytes(bytes: Vec<u8>, input: &str) -> Result<OsmExtract, AppError> {
    let input = input.to_string();
    tokio::task::spawn_blocking(move || osm_import::read_osm_bytes(&bytes, &input))
        .await
        .context("OSM import task failed")?
        .map_err(|error| AppError::Invalid(error.to_string()))
}

/// The name a candidate gets as a site: its OSM name, or a description that says it had none.
pub fn candidate_site_name(candidate: &CandidateSpace) -> String {
    candidate
        .name
        .clone()
        .unwrap_or_else(|| format!("Unnamed {} ({})", candidate.kind, candidate.osm_ref))
}

/// A candidate as a site draft, its outline taken from OpenStreetMap.
pub fn candidate_draft(candidate: &CandidateSpace) -> SiteDraft {
    SiteDraft {
        name: candidate_site_name(candidate),
        kind: candidate.kind,
        polygon: candidate.polygon.clone(),
        capacity: None,
        operators: Vec::new(),
        opening_hours: candidate.tags.get("opening_hours").cloned(),
        tags: Default::default(),
        source: Some(format!("osm:{}", candidate.osm_ref)),
    }
}

/// Candidates as a GeoJSON FeatureCollection that the site import accepts as it is (properties
/// `name`, `kind`, `source`), with `area_m2`, `osm_ref` and `reason` for the reader.
pub fn candidate_feature_collection(candidates: &[CandidateSpace]) -> geojson::FeatureCollection {
    let features = candidates
        .iter()
        .map(|candidate| {
            let draft = candidate_draft(candidate);
            let mut properties = serde_json::Map::new();
            properties.insert("name".into(), draft.name.into());
            properties.insert("kind".into(), draft.kind.as_str().into());
            properties.insert("source".into(), draft.source.unwrap_or_default().into());
            properties.insert("osm_ref".into(), candidate.osm_ref.clone().into());
            properties.insert("area_m2".into(), (candidate.area_m2.round()).into());
            properties.insert("reason".into(), candidate.reason.clone().into());
            geojson::Feature {
                bbox: None,
                geometry: Some(candidate.polygon.to_geojson()),
                id: None,
                properties: Some(properties),
                foreign_members: None,
            }
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

impl App {
    /// Adds the candidates named by `osm_refs` (e.g. `way/24061814`) as sites, in one transaction.
    /// An unknown reference fails the whole request and stores nothing.
    pub async fn add_candidates_as_sites(
        &self,
        actor: &Actor,
        extract: &OsmExtract,
        osm_refs: &[String],
    ) -> Result<Vec<Site>, AppError> {
        let drafts = osm_refs
            .iter()
            .map(|osm_ref| {
                extract
                    .candidates
                    .iter()
                    .find(|candidate| &candidate.osm_ref == osm_ref)
                    .map(candidate_draft)
                    .ok_or_else(|| {
                        AppError::Invalid(format!(
                            "{osm_ref} is not a candidate public space in this extract"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.import_site_drafts(actor, drafts).await
    }

    /// Replaces the base map with the features of an extract and keeps the extract itself (`data`,
    /// the file's bytes, imported from the file `name`) as the map source that studies read
    /// (system action). Returns the source's record.
    pub async fn import_basemap(
        &self,
        name: &str,
        data: &[u8],
        features: &[BasemapFeature],
    ) -> Result<MapSource, AppError> {
        let source = MapSource {
            sha256: sha256_hex(data),
            name: name.to_string(),
            size_bytes: data.len() as u64,
            imported_at: chrono::Utc::now(),
        };
        self.store.replace_basemap(&source, data, features).await?;
        self.audit(
            None,
            None,
            AuditAction::BasemapImported,
            format!("map:{}", source.sha256),
            format!("{} features from {}", features.len(), source.name),
        )
        .await?;
        Ok(source)
    }
}

/// Lower-case hexadecimal SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
