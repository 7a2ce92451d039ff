//! Sites: the public spaces Agora protects.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::organisation::text_enum;
use crate::{OrganisationId, SiteId, SitePolygon};

text_enum!(
    /// The kind of public space, as in the EU action plan's typology.
    SiteKind, "site kind", {
        Square => "square",
        PedestrianStreet => "pedestrian_street",
        Promenade => "promenade",
        TransportHub => "transport_hub",
        ShoppingCentre => "shopping_centre",
        PlaceOfWorship => "place_of_worship",
        OpenAirMarket => "open_air_market",
        ConcertHall => "concert_hall",
        Stadium => "stadium",
        TouristSite => "tourist_site",
        EventSpace => "event_space",
    }
);

/// What a user supplies to create a site or replace its fields. Validate with [`SiteDraft::validate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteDraft {
    pub name: String,
    pub kind: SiteKind,
    /// GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude.
    #[schema(value_type = Object)]
    pub polygon: SitePolygon,
    /// How many people the space holds at once, where known.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Who runs the space (city department, market office, private operator).
    #[serde(default)]
    pub operators: Vec<String>,
    /// Opening hours in OpenStreetMap `opening_hours` syntax or free text.
    #[serde(default)]
    pub opening_hours: Option<String>,
    /// Free-form tags (e.g. `christmas_market=yes`).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Where the outline came from, e.g. `osm:way/123` or `drawn`.
    #[serde(default)]
    pub source: Option<String>,
}

/// A field of a site draft that breaks a rule; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SiteValidationError {
    pub field: String,
    pub problem: String,
}

fn too_long(field: &str, value: &str, limit: usize) -> Result<(), SiteValidationError> {
    let length = value.chars().count();
    if length > limit {
        return Err(SiteValidationError {
            field: field.to_string(),
            problem: format!("must be at most {limit} characters, got {length}"),
        });
    }
    Ok(())
}

impl SiteDraft {
    /// Checks the field rules the polygon type does not already guarantee; trims the name.
    pub fn validate(mut self) -> Result<SiteDraft, SiteValidationError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(SiteValidationError {
                field: "name".into(),
                problem: "must not be empty".into(),
            });
        }
        too_long("name", &self.name, 200)?;
        if let Some(capacity) = self.capacity
            && capacity > 10_000_000
        {
            return Err(SiteValidationError {
                field: "capacity".into(),
                problem: format!("{capacity} people is not plausible (at most 10,000,000)"),
            });
        }
        if self.operators.len() > 50 {
            return Err(SiteValidationError {
                field: "operators".into(),
                problem: "at most 50 operators".into(),
            });
        }
        for (index, operator) in self.operators.iter().enumerate() {
            if operator.trim().is_empty() {
                return Err(SiteValidationError {
                    field: format!("operators[{index}]"),
                    problem: "must not be empty".into(),
                });
            }
            too_long(&format!("operators[{index}]"), operator, 200)?;
        }
        if let Some(hours) = &self.opening_hours {
            too_long("opening_hours", hours, 500)?;
        }
        if self.tags.len() > 100 {
            return Err(SiteValidationError {
                field: "tags".into(),
                problem: "at most 100 tags".into(),
            });
        }
        for (key, value) in &self.tags {
            if key.trim().is_empty() {
                return Err(SiteValidationError {
                    field: "tags".into(),
                    problem: "tag keys must not be empty".into(),
                });
            }
            too_long(&format!("tags.{key}"), key, 100)?;
            too_long(&format!("tags.{key}"), value, 1000)?;
        }
        if let Some(source) = &self.source {
            too_long("source", source, 200)?;
        }
        Ok(self)
    }
}

/// A site as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Site {
    pub id: SiteId,
    pub organisation_id: OrganisationId,
    #[serde(flatten)]
    pub draft: SiteDraft,
    /// Incremented on every update; an update names the version it read (optimistic locking) so two
    /// officers editing at once cannot silently overwrite each other.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str) -> SiteDraft {
        let geometry: geojson::Geometry = serde_json::from_value(serde_json::json!({
            "type": "Polygon",
            "coordinates": [[[11.575, 48.137], [11.576, 48.137], [11.576, 48.138], [11.575, 48.137]]]
        }))
        .unwrap();
        SiteDraft {
            name: name.to_string(),
            kind: SiteKind::Square,
            polygon: SitePolygon::from_geojson(&geometry).unwrap(),
            capacity: Some(5000),
            operators: vec![],
            opening_hours: None,
            tags: BTreeMap::new(),
            source: None,
        }
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_empty() {
        assert_eq!(
            draft("  Marienplatz ").validate().unwrap().name,
            "Marienplatz"
        );
        assert_eq!(
            draft("   ").validate().unwrap_err().to_string(),
            "name: must not be empty"
        );
    }

    #[test]
    fn unknown_site_kinds_are_named_with_the_accepted_ones() {
        let error = "car_park".parse::<SiteKind>().unwrap_err();
        assert!(error.to_string().starts_with(
            "unknown site kind 'car_park'; expected one of: square, pedestrian_street"
        ));
    }

    #[test]
    fn implausible_capacities_are_refused() {
        let mut site = draft("Marienplatz");
        site.capacity = Some(20_000_000);
        assert_eq!(site.validate().unwrap_err().field, "capacity");
    }
}
