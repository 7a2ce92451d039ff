//! Site polygons: WGS84 longitude/latitude, validated before anything is stored.

use geo::orient::Direction;
use geo::{BoundingRect, Centroid, GeodesicArea, MultiPolygon, Orient, Validation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a polygon was refused; the message names the ring and position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("geometry must be a Polygon or MultiPolygon, got {0}")]
    NotAPolygon(String),
    #[error("{place}: ring has {count} positions, a closed ring needs at least 4")]
    TooFewPositions { place: String, count: usize },
    #[error("{place}: ring is not closed (first position {first:?} differs from last {last:?})")]
    RingNotClosed {
        place: String,
        first: Vec<f64>,
        last: Vec<f64>,
    },
    #[error("{place}: position must have longitude and latitude, got {count} numbers")]
    BadPosition { place: String, count: usize },
    #[error(
        "{place}: coordinate ({lon}, {lat}) is outside longitude -180..180 / latitude -90..90 or not finite"
    )]
    OutOfRange { place: String, lon: f64, lat: f64 },
    #[error("{place}: {reason}")]
    Invalid { place: String, reason: String },
    #[error("polygon has no area")]
    Empty,
}

/// A validated site outline: one or more polygons (with holes) in WGS84 longitude/latitude.
#[derive(Clone, Debug, PartialEq)]
pub struct SitePolygon(MultiPolygon<f64>);

impl SitePolygon {
    /// Validates a GeoJSON geometry (Polygon or MultiPolygon) and keeps it.
    pub fn from_geojson(geometry: &geojson::Geometry) -> Result<Self, GeometryError> {
        let polygons_positions: Vec<&geojson::PolygonType> = match &geometry.value {
            geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
            geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
            other => return Err(GeometryError::NotAPolygon(other.type_name().to_string())),
        };
        let multi_polygon_input = polygons_positions.len() > 1;
        let mut polygons = Vec::with_capacity(polygons_positions.len());
        for (polygon_index, rings) in polygons_positions.into_iter().enumerate() {
            let place_of = |ring_index: usize| {
                let ring = if ring_index == 0 {
                    "exterior ring".to_string()
                } else {
                    format!("hole {ring_index}")
                };
                if multi_polygon_input {
                    format!("polygon {polygon_index}, {ring}")
                } else {
                    ring
                }
            };
            if rings.is_empty() {
                return Err(GeometryError::Empty);
            }
            let mut geo_rings = Vec::with_capacity(rings.len());
            for (ring_index, ring) in rings.iter().enumerate() {
                geo_rings.push(validated_ring(ring, &place_of(ring_index))?);
            }
            let exterior = geo_rings.remove(0);
            let polygon = geo::Polygon::new(exterior, geo_rings);
            if let Err(invalid) = polygon.check_validation() {
                let place = if multi_polygon_input {
                    format!("polygon {polygon_index}")
                } else {
                    "polygon".to_string()
                };
                return Err(GeometryError::Invalid {
                    place,
                    reason: invalid.to_string(),
                });
            }
            polygons.push(polygon);
        }
        let multi_polygon = MultiPolygon(polygons);
        if let Err(invalid) = multi_polygon.check_validation() {
            return Err(GeometryError::Invalid {
                place: "multipolygon".to_string(),
                reason: invalid.to_string(),
            });
        }
        // GeoJSON (RFC 7946 §3.1.6) wants exterior rings counter-clockwise and holes clockwise, but
        // files in the wild and drawing tools use either; the geodesic area of a clockwise exterior
        // ring is the rest of the globe. Store the standard order.
        let polygon = SitePolygon(multi_polygon.orient(Direction::Default));
        if polygon.area_m2() <= 0.0 {
            return Err(GeometryError::Empty);
        }
        Ok(polygon)
    }

    /// Validates an in-memory polygon (e.g. one assembled from OpenStreetMap ways).
    pub fn from_geo(multi_polygon: MultiPolygon<f64>) -> Result<Self, GeometryError> {
        Self::from_geojson(&geojson::Geometry::new(geojson::GeometryValue::from(
            &multi_polygon,
        )))
    }

    /// The polygons, in longitude/latitude degrees.
    pub fn as_geo(&self) -> &MultiPolygon<f64> {
        &self.0
    }

    /// The GeoJSON geometry: a Polygon when there is one part, a MultiPolygon otherwise.
    pub fn to_geojson(&self) -> geojson::Geometry {
        if self.0.0.len() == 1 {
            geojson::Geometry::new(geojson::GeometryValue::from(&self.0.0[0]))
        } else {
            geojson::Geometry::new(geojson::GeometryValue::from(&self.0))
        }
    }

    /// Area on the WGS84 ellipsoid (Karney's geodesic algorithm), in square metres.
    pub fn area_m2(&self) -> f64 {
        self.0.geodesic_area_unsigned()
    }

    /// The centroid (longitude, latitude), for labels and map centring.
    pub fn centroid_lon_lat(&self) -> (f64, f64) {
        self.0
            .centroid()
            .map(|point| (point.x(), point.y()))
            .unwrap_or((0.0, 0.0))
    }

    /// Bounding box as (min_lon, min_lat, max_lon, max_lat).
    pub fn bounding_box(&self) -> (f64, f64, f64, f64) {
        let rect = self
            .0
            .bounding_rect()
            .expect("validated polygons are non-empty");
        (rect.min().x, rect.min().y, rect.max().x, rect.max().y)
    }
}

fn validated_ring(
    ring: &[geojson::Position],
    place: &str,
) -> Result<geo::LineString<f64>, GeometryError> {
    if ring.len() < 4 {
        return Err(GeometryError::TooFewPositions {
            place: place.to_string(),
            count: ring.len(),
        });
    }
    let mut coordinates = Vec::with_capacity(ring.len());
    for (position_index, position) in ring.iter().enumerate() {
        let position = position.as_slice();
        let position_place = format!("{place}, position {position_index}");
        if position.len() < 2 || position.len() > 3 {
            return Err(GeometryError::BadPosition {
                place: position_place,
                count: position.len(),
            });
        }
        let (lon, lat) = (position[0], position[1]);
        // `contains` is false for NaN, so this also refuses non-finite numbers.
        let in_range = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
        if !in_range {
            return Err(GeometryError::OutOfRange {
                place: position_place,
                lon,
                lat,
            });
        }
        coordinates.push(geo::coord! { x: lon, y: lat });
    }
    let (first, last) = (&ring[0], &ring[ring.len() - 1]);
    if first[0] != last[0] || first[1] != last[1] {
        return Err(GeometryError::RingNotClosed {
            place: place.to_string(),
            first: first.as_slice().to_vec(),
            last: last.as_slice().to_vec(),
        });
    }
    Ok(geo::LineString::new(coordinates))
}

/// Validates a GeoJSON geometry as a site polygon; a convenience for callers that only need the check.
pub fn validate_polygon(geometry: &geojson::Geometry) -> Result<(), GeometryError> {
    SitePolygon::from_geojson(geometry).map(|_| ())
}

impl Serialize for SitePolygon {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_geojson().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SitePolygon {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let geometry = geojson::Geometry::deserialize(deserializer)?;
        SitePolygon::from_geojson(&geometry).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polygon(rings: serde_json::Value) -> Result<SitePolygon, GeometryError> {
        let geometry: geojson::Geometry =
            serde_json::from_value(serde_json::json!({"type": "Polygon", "coordinates": rings}))
                .unwrap();
        SitePolygon::from_geojson(&geometry)
    }

    #[test]
    fn a_one_hundredth_degree_box_at_the_equator_has_the_area_worked_by_hand() {
        // At the equator one degree of longitude is 111,319.49 m (WGS84 a·π/180) and one degree of
        // latitude 110,574 m (meridian arc near the equator), so a 0.01° box is ≈ 1113.19 m × 1105.74 m
        // = 1,230,900 m².
        let square = polygon(serde_json::json!([[
            [0.0, 0.0],
            [0.01, 0.0],
            [0.01, 0.01],
            [0.0, 0.01],
            [0.0, 0.0]
        ]]))
        .unwrap();
        let expected = 1113.1949 * 1105.7427;
        assert!(
            (square.area_m2() - expected).abs() / expected < 1e-3,
            "{}",
            square.area_m2()
        );
    }

    #[test]
    fn clockwise_rings_are_stored_counter_clockwise_with_the_same_area() {
        let counter_clockwise = polygon(serde_json::json!([[
            [0.0, 0.0],
            [0.01, 0.0],
            [0.01, 0.01],
            [0.0, 0.01],
            [0.0, 0.0]
        ]]))
        .unwrap();
        let clockwise = polygon(serde_json::json!([[
            [0.0, 0.0],
            [0.0, 0.01],
            [0.01, 0.01],
            [0.01, 0.0],
            [0.0, 0.0]
        ]]))
        .unwrap();
        assert!((clockwise.area_m2() - counter_clockwise.area_m2()).abs() < 1e-6);
        assert!(clockwise.area_m2() < 2.0e6, "{}", clockwise.area_m2());
    }

    #[test]
    fn open_rings_are_refused_with_their_place() {
        let error = polygon(serde_json::json!([[
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0]
        ]]))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "exterior ring: ring is not closed (first position [0.0, 0.0] differs from last [0.0, 1.0])"
        );
    }

    #[test]
    fn self_crossing_rings_are_refused() {
        // A bow tie: the edges (0,0)-(1,1) and (1,0)-(0,1) cross.
        let error = polygon(serde_json::json!([[
            [0.0, 0.0],
            [1.0, 1.0],
            [1.0, 0.0],
            [0.0, 1.0],
            [0.0, 0.0]
        ]]))
        .unwrap_err();
        assert!(matches!(error, GeometryError::Invalid { .. }), "{error}");
        assert!(error.to_string().starts_with("polygon: "), "{error}");
    }

    #[test]
    fn short_rings_and_out_of_range_coordinates_are_refused() {
        let error = polygon(serde_json::json!([[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "exterior ring: ring has 3 positions, a closed ring needs at least 4"
        );
        let error = polygon(serde_json::json!([[
            [0.0, 0.0],
            [200.0, 0.0],
            [1.0, 1.0],
            [0.0, 0.0]
        ]]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("exterior ring, position 1:"),
            "{error}"
        );
    }

    #[test]
    fn points_are_not_polygons() {
        let geometry: geojson::Geometry =
            serde_json::from_value(serde_json::json!({"type": "Point", "coordinates": [1.0, 2.0]}))
                .unwrap();
        assert_eq!(
            SitePolygon::from_geojson(&geometry)
                .unwrap_err()
                .to_string(),
            "geometry must be a Polygon or MultiPolygon, got Point"
        );
    }
}
