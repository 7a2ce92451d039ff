//! The demo city: Munich old town from a real OpenStreetMap extract, with six well-known public
//! spaces as sites, a demo organisation and an administrator whose fresh password is printed at start.

use std::collections::BTreeMap;

use anyhow::Context;
use domain::{OrganisationKind, Role, SiteDraft, SiteKind};
use serde::Deserialize;

use crate::{App, AppError};

/// The demo organisation's name.
pub const DEMO_ORGANISATION_NAME: &str = "Munich demo city";
/// The demo administrator's login name.
pub const DEMO_USERNAME: &str = "demo";

/// One site of the demo manifest (`data/demo/sites.toml`): its outline is the union of the named
/// OpenStreetMap candidates' polygons.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DemoSiteSpec {
    pub name: String,
    pub kind: SiteKind,
    pub osm_refs: Vec<String>,
    #[serde(default)]
    pub capacity: Option<u32>,
    #[serde(default)]
    pub operators: Vec<String>,
    #[serde(default)]
    pub opening_hours: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoManifest {
    site: Vec<DemoSiteSpec>,
}

/// How to log in to the demo, printed at start.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    /// Whether this start loaded the city (false when the database already had it).
    pub loaded_now: bool,
    pub site_count: usize,
}

/// Parses the demo manifest.
pub fn parse_demo_manifest(text: &str) -> Result<Vec<DemoSiteSpec>, AppError> {
    toml::from_str::<DemoManifest>(text)
        .map(|manifest| manifest.site)
        .map_err(|error| AppError::Invalid(format!("demo manifest: {error}")))
}

/// Builds the demo sites from an extract: each manifest entry's outline is the union of its
/// candidates' polygons. A reference that is not a candidate is an error naming it.
pub fn demo_site_drafts(
    extract: &osm_import::OsmExtract,
    specs: &[DemoSiteSpec],
) -> Result<Vec<SiteDraft>, AppError> {
    specs
        .iter()
        .map(|spec| {
            let parts = spec
                .osm_refs
                .iter()
                .map(|osm_ref| {
                    extract
                        .candidates
                        .iter()
                        .find(|candidate| &candidate.osm_ref == osm_ref)
                        .map(|candidate| &candidate.polygon)
                        .ok_or_else(|| {
                            AppError::Invalid(format!(
                                "demo site '{}': {osm_ref} is not a candidate public space in the extract",
                                spec.name
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if parts.is_empty() {
                return Err(AppError::Invalid(format!(
                    "demo site '{}' names no osm_refs",
                    spec.name
                )));
            }
            let polygon = osm_import::union_site_polygons(&parts).map_err(|error| {
                AppError::Invalid(format!("demo site '{}': {error}", spec.name))
            })?;
            Ok(SiteDraft {
                name: spec.name.clone(),
                kind: spec.kind,
                polygon,
                capacity: spec.capacity,
                operators: spec.operators.clone(),
                opening_hours: spec.opening_hours.clone(),
                tags: spec.tags.clone(),
                source: Some(format!("osm:{}", spec.osm_refs.join("+"))),
            })
        })
        .collect()
}

/// The file name the demo extract is recorded under as a map source.
pub const DEMO_EXTRACT_NAME: &str = "munich-altstadt-2020.osm.pbf";

impl App {
    /// Makes sure the demo city is in the database and gives the demo administrator `password`.
    ///
    /// On the first start it creates the demo organisation and user, imports the extract's base map
    /// and creates the manifest's sites (so a restart keeps any edits made in the demo). On every
    /// start it sets the administrator's password, so the login printed is always the one that works.
    pub async fn load_demo(
        &self,
        extract_pbf: Vec<u8>,
        manifest: &str,
        password: &str,
    ) -> Result<DemoLogin, AppError> {
        let specs = parse_demo_manifest(manifest)?;
        let existing = self.organisation_by_name(DEMO_ORGANISATION_NAME).await?;
        let loaded_now = existing.is_none();
        // A database from before map sources were kept has a base map but no source: import again.
        let needs_basemap = self.store.current_map_source().await?.is_none();
        let extract = if loaded_now || needs_basemap {
            Some(crate::read_osm_bytes(extract_pbf.clone(), DEMO_EXTRACT_NAME).await?)
        } else {
            None
        };
        if let Some(extract) = &extract
            && needs_basemap
        {
            self.import_basemap(DEMO_EXTRACT_NAME, &extract_pbf, &extract.basemap)
                .await?;
        }
        let organisation = match existing {
            Some(organisation) => organisation,
            None => {
                let organisation = self
                    .create_organisation(DEMO_ORGANISATION_NAME, OrganisationKind::City)
                    .await?;
                self.create_user(
                    organisation.id,
                    DEMO_USERNAME,
                    "Demo security officer",
                    Role::Admin,
                    password,
                )
                .await?;
                let drafts = demo_site_drafts(
                    extract.as_ref().context("extract read for a first load")?,
                    &specs,
                )?;
                self.store
                    .create_sites(organisation.id, &drafts, None)
                    .await?;
                organisation
            }
        };
        if !loaded_now {
            match self.store.user_credentials(DEMO_USERNAME).await? {
                Some(_) => self.reset_password(DEMO_USERNAME, password).await?,
                None => {
                    self.create_user(
                        organisation.id,
                        DEMO_USERNAME,
                        "Demo security officer",
                        Role::Admin,
                        password,
                    )
                    .await?;
                }
            }
        }
        let site_count = self.store.list_sites(organisation.id).await?.len();
        Ok(DemoLogin {
            username: DEMO_USERNAME.to_string(),
            password: password.to_string(),
            loaded_now,
            site_count,
        })
    }
}
