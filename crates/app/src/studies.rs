//! Studies of every kind: stored with their inputs, summary, result and engine version, read back
//! and decoded. The engine-specific use cases (`hvm.rs`, `crowd.rs`) build the parts; storing and
//! decoding is the same for all of them.

use anyhow::Context;
use domain::{NewStudy, Site, SiteId, Study, StudyId, StudyKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Actor, App, AppError};

/// What a study stores beside its kind: how it was run and what it found.
pub(crate) struct StudyRecord<'a, I, S, R> {
    pub kind: StudyKind,
    pub engine_version: String,
    pub map_sha256: &'a str,
    pub inputs: &'a I,
    pub summary: &'a S,
    pub result: &'a R,
}

impl App {
    /// Stores a study of `site`, encoded as JSON.
    pub(crate) async fn store_study<I: Serialize, S: Serialize, R: Serialize>(
        &self,
        actor: &Actor,
        site: &Site,
        record: StudyRecord<'_, I, S, R>,
    ) -> Result<Study, AppError> {
        let new = NewStudy {
            site_id: site.id,
            kind: record.kind,
            created_by: Some(actor.user.id),
            engine_version: record.engine_version,
            map_sha256: Some(record.map_sha256.to_string()),
            inputs: serde_json::to_value(record.inputs).context("encoding study inputs")?,
            summary: serde_json::to_value(record.summary).context("encoding study summary")?,
            result: serde_json::to_value(record.result).context("encoding study result")?,
        };
        Ok(self
            .store
            .create_study(actor.organisation_id(), &new)
            .await?)
    }

    /// The studies of a site, newest first (results left out), optionally of one kind.
    pub async fn site_studies(
        &self,
        actor: &Actor,
        site_id: SiteId,
        kind: Option<StudyKind>,
    ) -> Result<Vec<Study>, AppError> {
        Ok(self
            .store
            .list_studies(actor.organisation_id(), site_id, kind)
            .await?)
    }

    /// One study with its result.
    pub async fn study(&self, actor: &Actor, id: StudyId) -> Result<Study, AppError> {
        self.store
            .study(actor.organisation_id(), id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("study {id} not found")))
    }

    /// One study of `kind` (`described` names the kind to the user) with its result decoded.
    pub(crate) async fn decoded_study<R: DeserializeOwned>(
        &self,
        actor: &Actor,
        id: StudyId,
        kind: StudyKind,
        described: &str,
    ) -> Result<(Study, R), AppError> {
        let study = self.study(actor, id).await?;
        if study.study.kind != kind {
            return Err(AppError::NotFound(format!(
                "study {id} is a {} study, not a {described} study",
                study.study.kind
            )));
        }
        let result: R = serde_json::from_value(study.study.result.clone())
            .with_context(|| format!("study {id}: stored result does not decode"))?;
        Ok((study, result))
    }
}
