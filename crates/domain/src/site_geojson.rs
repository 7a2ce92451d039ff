//! Sites as a GeoJSON FeatureCollection: the exchange format with GIS tools (QGIS, geojson.io) and
//! between Agora installations.
//!
//! Each feature's properties carry the site fields: `name`, `kind`, `capacity`, `operators`,
//! `opening_hours`, `tags`, `source`, and on export also `id` and `version`.

use std::collections::BTreeMap;

use crate::{Site, SiteDraft, SiteKind, SitePolygon};

/// Why a GeoJSON document could not be imported; every variant names where the problem is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SiteImportError {
    #[error("line {line}, column {column}: invalid JSON: {message}")]
    InvalidJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not a GeoJSON FeatureCollection: {0}")]
    NotAFeatureCollection(String),
    #[error("feature {index}: {message}")]
    Feature { index: usize, message: String },
}

fn feature_error(index: usize, message: impl Into<String>) -> SiteImportError {
    SiteImportError::Feature {
        index,
        message: message.into(),
    }
}

/// Parses a FeatureCollection of site polygons. All features are checked before anything is returned,
/// so a caller that stores the result stores all of it or nothing.
pub fn parse_site_feature_collection(text: &str) -> Result<Vec<SiteDraft>, SiteImportError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| SiteImportError::InvalidJson {
            line: error.line(),
            column: error.column(),
            // serde_json appends " at line L column C"; the variant already says where.
            message: error
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        })?;
    match value.get("type").and_then(|kind| kind.as_str()) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(SiteImportError::NotAFeatureCollection(format!(
                "top-level \"type\" is \"{other}\""
            )));
        }
        None => {
            return Err(SiteImportError::NotAFeatureCollection(
                "top-level \"type\" is missing".into(),
            ));
        }
    }
    let Some(features) = value
        .get("features")
        .and_then(|features| features.as_array())
    else {
        return Err(SiteImportError::NotAFeatureCollection(
            "\"features\" must be an array".into(),
        ));
    };
    features
        .iter()
        .enumerate()
        .map(|(index, feature)| parse_site_feature(index, feature))
        .collect()
}

fn parse_site_feature(
    index: usize,
    feature: &serde_json::Value,
) -> Result<SiteDraft, SiteImportError> {
    if feature.get("type").and_then(|kind| kind.as_str()) != Some("Feature") {
        return Err(feature_error(index, "\"type\" must be \"Feature\""));
    }
    let geometry_value = feature
        .get("geometry")
        .filter(|geometry| !geometry.is_null())
        .ok_or_else(|| feature_error(index, "geometry: missing"))?;
    let geometry: geojson::Geometry = serde_json::from_value(geometry_value.clone())
        .map_err(|error| feature_error(index, format!("geometry: {error}")))?;
    let polygon = SitePolygon::from_geojson(&geometry)
        .map_err(|error| feature_error(index, format!("geometry: {error}")))?;
    let empty = serde_json::Map::new();
    let properties = match feature.get("properties") {
        None | Some(serde_json::Value::Null) => &empty,
        Some(serde_json::Value::Object(properties)) => properties,
        Some(_) => return Err(feature_error(index, "properties: must be an object")),
    };
    let string_property = |field: &str| -> Result<Option<String>, SiteImportError> {
        match properties.get(field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(feature_error(
                index,
                format!("properties.{field}: must be a string"),
            )),
        }
    };
    let name =
        string_property("name")?.ok_or_else(|| feature_error(index, "properties.name: missing"))?;
    let kind_text =
        string_property("kind")?.ok_or_else(|| feature_error(index, "properties.kind: missing"))?;
    let kind: SiteKind = kind_text
        .parse()
        .map_err(|error| feature_error(index, format!("properties.kind: {error}")))?;
    let capacity = match properties.get("capacity") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .and_then(|capacity| u32::try_from(capacity).ok())
                .ok_or_else(|| {
                    feature_error(
                        index,
                        "properties.capacity: must be a whole number of people",
                    )
                })?,
        ),
    };
    let operators = match properties.get("operators") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    feature_error(index, "properties.operators: must be an array of strings")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(feature_error(
                index,
                "properties.operators: must be an array of strings",
            ));
        }
    };
    let tags = match properties.get("tags") {
        None | Some(serde_json::Value::Null) => BTreeMap::new(),
        Some(serde_json::Value::Object(tags)) => tags
            .iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(text) => Ok((key.clone(), text.clone())),
                _ => Err(feature_error(
                    index,
                    format!("properties.tags.{key}: must be a string"),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(feature_error(index, "properties.tags: must be an object")),
    };
    SiteDraft {
        name,
        kind,
        polygon,
        capacity,
        operators,
        opening_hours: string_property("opening_hours")?,
        tags,
        source: string_property("source")?,
    }
    .validate()
    .map_err(|error| feature_error(index, format!("properties.{error}")))
}

/// Writes sites as a FeatureCollection that [`parse_site_feature_collection`] reads back.
pub fn sites_to_feature_collection(sites: &[Site]) -> geojson::FeatureCollection {
    let features = sites
        .iter()
        .map(|site| {
            let mut properties = serde_json::Map::new();
            properties.insert("id".into(), site.id.to_string().into());
            properties.insert("name".into(), site.draft.name.clone().into());
            properties.insert("kind".into(), site.draft.kind.as_str().into());
            properties.insert(
                "capacity".into(),
                site.draft
                    .capacity
                    .map_or(serde_json::Value::Null, Into::into),
            );
            properties.insert("operators".into(), site.draft.operators.clone().into());
            properties.insert(
                "opening_hours".into(),
                site.draft
                    .opening_hours
                    .clone()
                    .map_or(serde_json::Value::Null, Into::into),
            );
            properties.insert(
                "tags".into(),
                serde_json::to_value(&site.draft.tags).expect("string map serialises"),
            );
            properties.insert(
                "source".into(),
                site.draft
                    .source
                    .clone()
                    .map_or(serde_json::Value::Null, Into::into),
            );
            properties.insert("version".into(), site.version.into());
            geojson::Feature {
                bbox: None,
                geometry: Some(site.draft.polygon.to_geojson()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(input: &str, expected: Expect) {
        let actual = match parse_site_feature_collection(input) {
            Ok(drafts) => format!(
                "ok: {}",
                drafts
                    .iter()
                    .map(|draft| format!("{} ({})", draft.name, draft.kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(error) => format!("error: {error}"),
        };
        expected.assert_eq(&actual);
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[11.575,48.137],[11.576,48.137],[11.576,48.138],[11.575,48.137]]]}"#;

    #[test]
    fn valid_collections_parse() {
        check(
            &format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{SQUARE},"properties":{{"name":"Marienplatz","kind":"square","capacity":8000,"tags":{{"market":"christmas"}}}}}}]}}"#
            ),
            expect![[r#"ok: Marienplatz (square)"#]],
        );
    }

    #[test]
    fn bad_input_names_the_place() {
        check(
            "{\"type\":\n\"FeatureCollection\",,}",
            expect!["error: line 2, column 21: invalid JSON: key must be a string"],
        );
        check(
            r#"{"type":"Feature"}"#,
            expect![[r#"error: not a GeoJSON FeatureCollection: top-level "type" is "Feature""#]],
        );
        check(
            &format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{SQUARE},"properties":{{"name":"A","kind":"square"}}}},{{"type":"Feature","geometry":{SQUARE},"properties":{{"name":"B","kind":"car_park"}}}}]}}"#
            ),
            expect![[
                r#"error: feature 1: properties.kind: unknown site kind 'car_park'; expected one of: square, pedestrian_street, promenade, transport_hub, shopping_centre, place_of_worship, open_air_market, concert_hall, stadium, tourist_site, event_space"#
            ]],
        );
        check(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{"name":"Open","kind":"square"}}]}"#,
            expect![[
                r#"error: feature 0: geometry: exterior ring: ring is not closed (first position [0.0, 0.0] differs from last [0.0, 1.0])"#
            ]],
        );
        check(
            &format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{SQUARE},"properties":{{"kind":"square"}}}}]}}"#
            ),
            expect![[r#"error: feature 0: properties.name: missing"#]],
        );
    }

    #[test]
    fn export_then_import_keeps_every_field() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{SQUARE},"properties":{{"name":"Viktualienmarkt","kind":"open_air_market","capacity":3000,"operators":["Markthallen München"],"opening_hours":"Mo-Sa 08:00-20:00","tags":{{"a":"b"}},"source":"osm:way/1"}}}}]}}"#
        );
        let drafts = parse_site_feature_collection(&text).unwrap();
        let site = Site {
            id: crate::SiteId::new_random(),
            organisation_id: crate::OrganisationId::new_random(),
            draft: drafts[0].clone(),
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let exported = sites_to_feature_collection(&[site]).to_string();
        assert_eq!(parse_site_feature_collection(&exported).unwrap(), drafts);
    }
}
