//! Site use cases: list, read, create, update, delete, GeoJSON import and export.

use domain::{AuditAction, Site, SiteDraft, SiteId, parse_site_feature_collection};

use crate::{Actor, App, AppError, BoundingBox};

/// The most sites one GeoJSON import may create; a city inventory is hundreds, not millions, and a
/// bound keeps one request from filling the database.
pub const MAX_SITES_PER_IMPORT: usize = 10_000;

impl App {
    /// All sites of the actor's organisation, by name.
    pub async fn list_sites(&self, actor: &Actor) -> Result<Vec<Site>, AppError> {
        Ok(self.store.list_sites(actor.organisation_id()).await?)
    }

    /// The site of the actor's organisation with exactly this name (how the CLI names sites).
    pub async fn site_named(&self, actor: &Actor, name: &str) -> Result<Site, AppError> {
        self.list_sites(actor)
            .await?
            .into_iter()
            .find(|site| site.draft.name == name)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "no site named '{name}' in {}'s organisation",
                    actor.user.username
                ))
            })
    }

    /// One site of the actor's organisation.
    pub async fn site(&self, actor: &Actor, id: SiteId) -> Result<Site, AppError> {
        self.store
            .site(actor.organisation_id(), id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("site {id} not found")))
    }

    /// Creates a site after validating it.
    pub async fn create_site(&self, actor: &Actor, draft: SiteDraft) -> Result<Site, AppError> {
        actor.require_site_editor()?;
        let draft = draft
            .validate()
            .map_err(|error| AppError::Invalid(error.to_string()))?;
        let mut created = self
            .store
            .create_sites(actor.organisation_id(), &[draft], Some(actor.user.id))
            .await?;
        created
            .pop()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("store created no site")))
    }

    /// Replaces a site's fields if nobody changed it since `expected_version` was read.
    pub async fn update_site(
        &self,
        actor: &Actor,
        id: SiteId,
        expected_version: i64,
        draft: SiteDraft,
    ) -> Result<Site, AppError> {
        actor.require_site_editor()?;
        let draft = draft
            .validate()
            .map_err(|error| AppError::Invalid(error.to_string()))?;
        Ok(self
            .store
            .update_site(
                actor.organisation_id(),
                id,
                expected_version,
                &draft,
                Some(actor.user.id),
            )
            .await?)
    }

    /// Deletes a site.
    pub async fn delete_site(&self, actor: &Actor, id: SiteId) -> Result<(), AppError> {
        actor.require_site_editor()?;
        Ok(self
            .store
            .delete_site(actor.organisation_id(), id, Some(actor.user.id))
            .await?)
    }

    /// Imports a GeoJSON FeatureCollection of sites: every feature is checked first, then all are
    /// stored in one transaction, so a bad feature stores nothing.
    pub async fn import_sites_geojson(
        &self,
        actor: &Actor,
        text: &str,
    ) -> Result<Vec<Site>, AppError> {
        actor.require_site_editor()?;
        let drafts = parse_site_feature_collection(text)
            .map_err(|error| AppError::Invalid(error.to_string()))?;
        self.import_site_drafts(actor, drafts).await
    }

    /// Imports the features at `chosen` (indices) of a GeoJSON FeatureCollection, e.g. the candidates a
    /// user ticked in a list. The whole collection is checked like any import; an index it does not
    /// have is an error naming it.
    pub async fn import_chosen_sites_geojson(
        &self,
        actor: &Actor,
        text: &str,
        chosen: &[usize],
    ) -> Result<Vec<Site>, AppError> {
        actor.require_site_editor()?;
        if chosen.is_empty() {
            return Err(AppError::Invalid("no feature was chosen".into()));
        }
        let drafts = parse_site_feature_collection(text)
            .map_err(|error| AppError::Invalid(error.to_string()))?;
        if let Some(missing) = chosen.iter().find(|&&index| index >= drafts.len()) {
            return Err(AppError::Invalid(format!(
                "feature {missing} was chosen, but the collection has {} features",
                drafts.len()
            )));
        }
        let drafts = drafts
            .into_iter()
            .enumerate()
            .filter(|(index, _)| chosen.contains(index))
            .map(|(_, draft)| draft)
            .collect();
        self.import_site_drafts(actor, drafts).await
    }

    /// Stores already-parsed drafts in one transaction (used by the GeoJSON and OSM imports).
    pub async fn import_site_drafts(
        &self,
        actor: &Actor,
        drafts: Vec<SiteDraft>,
    ) -> Result<Vec<Site>, AppError> {
        actor.require_site_editor()?;
        if drafts.is_empty() {
            return Err(AppError::Invalid("the import contains no sites".into()));
        }
        if drafts.len() > MAX_SITES_PER_IMPORT {
            return Err(AppError::Invalid(format!(
                "the import contains {} sites, at most {MAX_SITES_PER_IMPORT} are accepted at once",
                drafts.len()
            )));
        }
        let drafts = drafts
            .into_iter()
            .enumerate()
            .map(|(index, draft)| {
                draft
                    .validate()
                    .map_err(|error| AppError::Invalid(format!("feature {index}: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .store
            .create_sites(actor.organisation_id(), &drafts, Some(actor.user.id))
            .await?)
    }

    /// All sites of the actor's organisation as a GeoJSON FeatureCollection (audited: an export is
    /// data leaving the system).
    pub async fn export_sites_geojson(
        &self,
        actor: &Actor,
    ) -> Result<geojson::FeatureCollection, AppError> {
        let sites = self.list_sites(actor).await?;
        self.audit(
            Some(actor.organisation_id()),
            Some(actor.user.id),
            AuditAction::SitesExported,
            String::new(),
            format!("{} sites as GeoJSON", sites.len()),
        )
        .await?;
        Ok(domain::sites_to_feature_collection(&sites))
    }

    /// Base-map features in a viewport, as a GeoJSON FeatureCollection whose properties carry the
    /// layer, the OSM reference, the name and the tags.
    pub async fn basemap(
        &self,
        area: BoundingBox,
        limit: usize,
    ) -> Result<geojson::FeatureCollection, AppError> {
        let valid = area.min_lon.is_finite()
            && area.min_lat.is_finite()
            && area.max_lon.is_finite()
            && area.max_lat.is_finite()
            && area.min_lon <= area.max_lon
            && area.min_lat <= area.max_lat;
        if !valid {
            return Err(AppError::Invalid(
                "bbox must be min_lon,min_lat,max_lon,max_lat with min <= max".into(),
            ));
        }
        let features = self.store.basemap_features(area, limit).await?;
        Ok(geojson::FeatureCollection {
            bbox: None,
            features: features
                .into_iter()
                .map(|feature| {
                    let mut properties = serde_json::Map::new();
                    properties.insert("layer".into(), feature.layer.as_str().into());
                    properties.insert("osm_ref".into(), feature.osm_ref.into());
                    properties.insert(
                        "name".into(),
                        feature.name.map_or(serde_json::Value::Null, Into::into),
                    );
                    properties.insert(
                        "tags".into(),
                        serde_json::to_value(feature.tags).expect("string map serialises"),
                    );
                    geojson::Feature {
                        bbox: None,
                        geometry: Some(feature.geometry),
                        id: None,
                        properties: Some(properties),
                        foreign_members: None,
                    }
                })
                .collect(),
            foreign_members: None,
        })
    }

    /// The extent of the loaded base map, for centring the map.
    pub async fn basemap_extent(&self) -> Result<Option<BoundingBox>, AppError> {
        Ok(self.store.basemap_extent().await?)
    }
}
