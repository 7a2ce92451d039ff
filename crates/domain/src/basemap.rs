//! The base map: the city drawn from Agora's own OpenStreetMap import (streets, pedestrian areas,
//! buildings, bollards and other barriers), so the web map needs no internet tile server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::organisation::text_enum;

text_enum!(
    /// Which map layer a base-map feature belongs to; the web map styles each layer differently.
    BasemapLayer, "base-map layer", {
        /// Roads and streets a motor vehicle uses (highway=primary ... service, living_street).
        Road => "road",
        /// Pedestrian streets, footways, cycleways, steps, paths.
        Path => "path",
        /// Pedestrian areas and squares (area polygons).
        PedestrianArea => "pedestrian_area",
        /// Building footprints.
        Building => "building",
        /// Bollards, gates, blocks, walls and other barriers (points or lines).
        Barrier => "barrier",
        /// Rail and tram tracks.
        Rail => "rail",
        /// Parks, water and other open land, for orientation.
        Landuse => "landuse",
    }
);

/// One feature of the base map, in WGS84 longitude/latitude.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BasemapFeature {
    pub layer: BasemapLayer,
    /// The OpenStreetMap object it came from, e.g. `way/4818682` or `node/123`.
    pub osm_ref: String,
    pub name: Option<String>,
    /// The OSM tags that matter to a reader of the map (highway, barrier, access, width, ...).
    pub tags: BTreeMap<String, String>,
    /// Point, LineString or Polygon.
    pub geometry: geojson::Geometry,
    /// (min_lon, min_lat, max_lon, max_lat), for viewport queries.
    pub bounding_box: (f64, f64, f64, f64),
}
