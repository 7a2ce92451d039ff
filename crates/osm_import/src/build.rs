//! From the raw file contents to the street network, the candidate spaces and the base map.

use std::collections::{BTreeMap, BTreeSet};

use domain::{BasemapFeature, BasemapLayer, SiteKind, SitePolygon};
use geo::orient::{Direction, Orient};
use geo::{BoundingRect, Buffer, Contains, Distance, Euclidean, Length, MinimumRotatedRect};
use geo::{Coord, LineString, MultiPolygon, Point};
use street_network::{
    BUILDING_TAG_KEYS, BarrierKind, BarrierLine, Building, LocalFrame, NODE_TAG_KEYS, Node, NodeId,
    ObjectRef, RelationId, StreetNetwork, Tags, TrafficArea, WAY_TAG_KEYS, Way, WayId, WayKind,
    is_underground_or_indoor, parse_length_m,
};

use crate::assemble::{closed_way_polygon, relation_polygon};
use crate::raw::RawOsm;
use crate::{
    CandidateSpace, DEFAULT_PEDESTRIAN_STREET_WIDTH_M, Diagnostic, ElementCounts, OsmExtract,
};

/// Pedestrian streets mapped as lines shorter than this are connectors, not candidate spaces.
const MIN_PEDESTRIAN_STREET_LENGTH_M: f64 = 20.0;
/// A candidate this close to a station says so in its reason.
const FORECOURT_DISTANCE_M: f64 = 50.0;
/// A pedestrian area this many times longer than wide is a street rather than a square.
const STREET_ELONGATION: f64 = 3.0;

/// Tags a reader of the base map needs.
const BASEMAP_TAG_KEYS: &[&str] = &[
    "access",
    "amenity",
    "area",
    "area:highway",
    "barrier",
    "bicycle",
    "bollard",
    "bridge",
    "building",
    "foot",
    "highway",
    "kerb",
    "landuse",
    "lanes",
    "layer",
    "leisure",
    "maxspeed",
    "motor_vehicle",
    "natural",
    "oneway",
    "place",
    "railway",
    "ref",
    "removable",
    "service",
    "surface",
    "vehicle",
    "water",
    "waterway",
    "width",
];

struct Builder<'a> {
    raw: &'a RawOsm,
    frame: LocalFrame,
    relation_polygons: BTreeMap<i64, Option<MultiPolygon<f64>>>,
    diagnostics: BTreeSet<Diagnostic>,
}

pub(crate) fn build_extract(raw: RawOsm) -> OsmExtract {
    let counts = ElementCounts {
        nodes: raw.nodes.len(),
        ways: raw.ways.len(),
        highway_ways: raw
            .ways
            .values()
            .filter(|way| way.tags.contains_key("highway"))
            .count(),
        relations: raw.relations.len(),
    };
    let bounds = raw.bounds_e7.map(|(min_lon, min_lat, max_lon, max_lat)| {
        (
            min_lon as f64 * 1e-7,
            min_lat as f64 * 1e-7,
            max_lon as f64 * 1e-7,
            max_lat as f64 * 1e-7,
        )
    });
    let mut builder = Builder {
        raw: &raw,
        frame: frame_for(&raw),
        relation_polygons: BTreeMap::new(),
        diagnostics: BTreeSet::new(),
    };
    for warning in &raw.warnings {
        builder.diagnose("file".to_string(), warning.clone());
    }
    let network = builder.network();
    let candidates = builder.candidates();
    let basemap = builder.basemap();
    OsmExtract {
        network,
        candidates,
        basemap,
        diagnostics: builder.diagnostics.into_iter().collect(),
        counts,
        bounds,
    }
}

/// The frame's origin: the centre of the file's bounds, or of its nodes when it has none.
fn frame_for(raw: &RawOsm) -> LocalFrame {
    let bounds = raw.bounds_e7.or_else(|| {
        let mut nodes = raw.nodes.values();
        let first = nodes.next()?;
        let mut bounds = (first.lon_e7, first.lat_e7, first.lon_e7, first.lat_e7);
        for node in nodes {
            bounds.0 = bounds.0.min(node.lon_e7);
            bounds.1 = bounds.1.min(node.lat_e7);
            bounds.2 = bounds.2.max(node.lon_e7);
            bounds.3 = bounds.3.max(node.lat_e7);
        }
        Some(bounds)
    });
    let (min_lon, min_lat, max_lon, max_lat) = bounds.unwrap_or((0, 0, 0, 0));
    LocalFrame::new(
        (min_lon + max_lon) as f64 * 0.5e-7,
        (min_lat + max_lat) as f64 * 0.5e-7,
    )
}

/// Closed ways and multipolygon relations, with their tags, in id order (ways first).
fn area_objects(raw: &RawOsm) -> Vec<(ObjectRef, &Tags)> {
    let ways = raw
        .ways
        .iter()
        .filter(|(_, way)| way.is_closed())
        .map(|(id, way)| (ObjectRef::Way(WayId(*id)), &way.tags));
    let relations = raw
        .relations
        .iter()
        .filter(|(_, relation)| is_multipolygon(&relation.tags))
        .map(|(id, relation)| (ObjectRef::Relation(RelationId(*id)), &relation.tags));
    ways.chain(relations).collect()
}

fn filtered(tags: &Tags, keys: &[&str]) -> Tags {
    tags.iter()
        .filter(|(key, _)| keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

fn is_multipolygon(tags: &Tags) -> bool {
    tags.get("type").map(String::as_str) == Some("multipolygon")
}

fn is_building(tags: &Tags) -> bool {
    tags.get("building").is_some_and(|value| value != "no")
}

/// `highway=*` + `area=yes`, or `area:highway=*`: the highway value of a traffic area.
fn traffic_area_highway(tags: &Tags, is_relation: bool) -> Option<String> {
    if let Some(value) = tags.get("area:highway") {
        return Some(value.clone());
    }
    let area = tags.get("area").map(String::as_str);
    let highway = tags.get("highway")?;
    (area == Some("yes") || (is_relation && area != Some("no"))).then(|| highway.clone())
}

impl Builder<'_> {
    fn diagnose(&mut self, osm_ref: String, message: String) {
        self.diagnostics.insert(Diagnostic { osm_ref, message });
    }

    /// The lon/lat polygon of a closed way or multipolygon relation; problems become diagnostics.
    fn polygon_of(&mut self, object: ObjectRef) -> Option<MultiPolygon<f64>> {
        match object {
            ObjectRef::Way(WayId(id)) => {
                let way = self.raw.ways.get(&id)?;
                match closed_way_polygon(self.raw, way) {
                    Ok(polygon) => Some(polygon),
                    Err(problem) => {
                        self.diagnose(object.to_string(), problem);
                        None
                    }
                }
            }
            ObjectRef::Relation(RelationId(id)) => {
                if let Some(cached) = self.relation_polygons.get(&id) {
                    return cached.clone();
                }
                let relation = self.raw.relations.get(&id)?;
                let polygon = match relation_polygon(self.raw, relation) {
                    Ok(polygon) => Some(polygon),
                    Err(problem) => {
                        self.diagnose(object.to_string(), format!("multipolygon: {problem}"));
                        None
                    }
                };
                self.relation_polygons.insert(id, polygon.clone());
                polygon
            }
            ObjectRef::Node(_) => None,
        }
    }

    fn project(&self, polygon: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        self.frame.project_geometry(polygon)
    }

    /// A way's node ids, without those missing from the extract (each reported).
    fn present_node_ids(&mut self, way_id: i64, node_ids: &[i64]) -> Vec<NodeId> {
        let mut present = Vec::with_capacity(node_ids.len());
        for id in node_ids {
            if self.raw.nodes.contains_key(id) {
                present.push(NodeId(*id));
            } else {
                self.diagnose(
                    format!("way/{way_id}"),
                    format!("node/{id} is not in the extract; skipped"),
                );
            }
        }
        present
    }

    fn network(&mut self) -> StreetNetwork {
        let raw = self.raw;
        let mut ways = Vec::new();
        let mut barrier_lines = Vec::new();
        for (id, raw_way) in &raw.ways {
            let kind = WayKind::from_tags(&raw_way.tags);
            let barrier = raw_way.tags.get("barrier");
            if kind.is_none() && barrier.is_none() {
                continue;
            }
            let node_ids = self.present_node_ids(*id, &raw_way.node_ids);
            if node_ids.len() < 2 {
                self.diagnose(
                    format!("way/{id}"),
                    "fewer than 2 of its nodes are in the extract; left out".to_string(),
                );
                continue;
            }
            if let Some(kind) = kind {
                ways.push(Way {
                    id: WayId(*id),
                    kind,
                    node_ids: node_ids.clone(),
                    is_area: raw_way.is_closed()
                        && raw_way.tags.get("area").map(String::as_str) == Some("yes"),
                    tags: filtered(&raw_way.tags, WAY_TAG_KEYS),
                });
            }
            if let Some(barrier) = barrier {
                barrier_lines.push(BarrierLine {
                    id: WayId(*id),
                    kind: BarrierKind::parse(barrier),
                    node_ids,
                    tags: filtered(&raw_way.tags, WAY_TAG_KEYS),
                });
            }
        }

        let mut areas = Vec::new();
        let mut buildings = Vec::new();
        for (object, tags) in area_objects(self.raw) {
            let is_relation = matches!(object, ObjectRef::Relation(_));
            let area_highway = traffic_area_highway(tags, is_relation);
            let building = is_building(tags);
            if area_highway.is_none() && !building {
                continue;
            }
            let Some(polygon) = self.polygon_of(object) else {
                continue;
            };
            let metric = self.project(&polygon);
            if let Some(highway) = area_highway {
                areas.push(TrafficArea {
                    source: object,
                    highway,
                    polygon: metric.clone(),
                    tags: filtered(tags, WAY_TAG_KEYS),
                });
            }
            if building {
                buildings.push(Building {
                    source: object,
                    footprint: metric,
                    tags: filtered(tags, BUILDING_TAG_KEYS),
                });
            }
        }

        let mut node_ids: BTreeSet<i64> = ways
            .iter()
            .flat_map(|way| way.node_ids.iter())
            .chain(barrier_lines.iter().flat_map(|line| line.node_ids.iter()))
            .map(|id| id.0)
            .collect();
        for (id, node) in &raw.nodes {
            let relevant = ["barrier", "kerb", "traffic_calming", "highway"]
                .iter()
                .any(|key| node.tags.contains_key(*key))
                || matches!(
                    node.tags.get("railway").map(String::as_str),
                    Some("level_crossing" | "tram_crossing" | "crossing" | "tram_level_crossing")
                );
            if relevant {
                node_ids.insert(*id);
            }
        }
        let nodes = node_ids
            .into_iter()
            .filter_map(|id| {
                let node = raw.nodes.get(&id)?;
                let (lon, lat) = node.lon_lat();
                Some(Node {
                    id: NodeId(id),
                    lon,
                    lat,
                    position: self.frame.project(lon, lat),
                    tags: filtered(&node.tags, NODE_TAG_KEYS),
                })
            })
            .collect();
        StreetNetwork {
            frame: self.frame,
            nodes,
            ways,
            areas,
            barrier_lines,
            buildings,
        }
    }

    fn candidates(&mut self) -> Vec<CandidateSpace> {
        let stations = self.ground_level_stations();
        let mut candidates = Vec::new();
        for (object, tags) in area_objects(self.raw) {
            let is_relation = matches!(object, ObjectRef::Relation(_));
            let Some(rule) = area_candidate_rule(tags, is_relation) else {
                continue;
            };
            let Some(polygon) = self.polygon_of(object) else {
                continue;
            };
            let metric = self.project(&polygon);
            let name = tags.get("name").cloned();
            let (kind, mut reason) = match rule {
                AreaRule::Kind(kind, reason) => (kind, reason),
                AreaRule::PedestrianArea(reason) => {
                    let (kind, why) = street_or_square(name.as_deref(), &metric);
                    (kind, format!("{reason}; {why}"))
                }
            };
            let mut kind = kind;
            if kind == SiteKind::Square
                && let Some(name) = &name
                && is_station_name(name)
            {
                kind = SiteKind::TransportHub;
                reason.push_str("; a station forecourt by its name");
            }
            if let Some((station_ref, station_name)) = stations
                .iter()
                .find(|(_, _, point)| Euclidean.distance(point, &metric) <= FORECOURT_DISTANCE_M)
                .map(|(station_ref, station_name, _)| (station_ref, station_name))
            {
                reason.push_str(&format!(
                    "; within {FORECOURT_DISTANCE_M} m of the station {} ({station_ref})",
                    station_name.as_deref().unwrap_or("without a name"),
                ));
            }
            if let Some(candidate) =
                self.candidate(object, name, kind, polygon, tags.clone(), reason)
            {
                candidates.push(candidate);
            }
        }
        let pedestrian_streets = self.pedestrian_street_candidates(&candidates);
        candidates.extend(pedestrian_streets);
        candidates.sort_by_key(|candidate| sort_key(&candidate.osm_ref));
        candidates
    }

    fn candidate(
        &mut self,
        object: ObjectRef,
        name: Option<String>,
        kind: SiteKind,
        polygon: MultiPolygon<f64>,
        tags: Tags,
        reason: String,
    ) -> Option<CandidateSpace> {
        // Exterior rings counter-clockwise, holes clockwise (RFC 7946 §3.1.6): the geodesic area
        // measures the wrong side of a clockwise ring.
        let polygon = polygon.orient(Direction::Default);
        match SitePolygon::from_geo(polygon) {
            Ok(polygon) => Some(CandidateSpace {
                osm_ref: object.to_string(),
                name,
                kind,
                area_m2: polygon.area_m2(),
                polygon,
                tags,
                reason,
            }),
            Err(error) => {
                self.diagnose(
                    object.to_string(),
                    format!("candidate space ({reason}) left out: outline is not a valid polygon: {error}"),
                );
                None
            }
        }
    }

    /// Stations at ground level (nodes and area centroids), in frame metres.
    fn ground_level_stations(&mut self) -> Vec<(String, Option<String>, Point<f64>)> {
        let mut stations = Vec::new();
        for (id, node) in &self.raw.nodes {
            if is_ground_level_station(&node.tags) {
                let (lon, lat) = node.lon_lat();
                let position = self.frame.project(lon, lat);
                stations.push((
                    format!("node/{id}"),
                    node.tags.get("name").cloned(),
                    Point::new(position.east_m, position.north_m),
                ));
            }
        }
        stations
    }

    /// Linear `highway=pedestrian` ways, buffered into polygons, unless an area candidate covers them.
    fn pedestrian_street_candidates(&mut self, areas: &[CandidateSpace]) -> Vec<CandidateSpace> {
        let raw = self.raw;
        let mut candidates = Vec::new();
        for (id, way) in &raw.ways {
            let tags = &way.tags;
            if tags.get("highway").map(String::as_str) != Some("pedestrian")
                || tags.get("area").map(String::as_str) == Some("yes")
                || is_excluded(tags)
            {
                continue;
            }
            let mut coordinates = Vec::new();
            for node_id in &way.node_ids {
                if let Some(node) = raw.nodes.get(node_id) {
                    let (lon, lat) = node.lon_lat();
                    coordinates.push(Coord { x: lon, y: lat });
                }
            }
            if coordinates.len() < 2 {
                continue;
            }
            let line = LineString::new(coordinates);
            let covered = areas.iter().any(|area| {
                line.0.iter().all(|coord| {
                    let point = Point::from(*coord);
                    area.polygon.as_geo().contains(&point)
                        || area
                            .polygon
                            .as_geo()
                            .0
                            .iter()
                            .any(|polygon| geo::Intersects::intersects(polygon, &point))
                })
            });
            if covered {
                continue;
            }
            let metric_line = self.frame.project_geometry(&line);
            if Euclidean.length(&metric_line) < MIN_PEDESTRIAN_STREET_LENGTH_M {
                continue;
            }
            let mapped_width = tags.get("width").and_then(|value| parse_length_m(value));
            let (width_m, width_source) = match mapped_width {
                Some(width) if width > 0.5 => (width, "width"),
                _ => (DEFAULT_PEDESTRIAN_STREET_WIDTH_M, "default"),
            };
            let metric_polygon = metric_line.buffer(width_m / 2.0);
            let polygon = self.frame.unproject_geometry(&metric_polygon);
            let reason = if width_source == "width" {
                format!("highway=pedestrian line, buffered by its width={width_m} m")
            } else {
                format!(
                    "highway=pedestrian line, buffered by the default width {width_m} m (no width tag)"
                )
            };
            let mut candidate_tags = tags.clone();
            candidate_tags.insert("agora:buffer_width_m".to_string(), format!("{width_m}"));
            candidate_tags.insert("agora:width_source".to_string(), width_source.to_string());
            if let Some(candidate) = self.candidate(
                ObjectRef::Way(WayId(*id)),
                tags.get("name").cloned(),
                SiteKind::PedestrianStreet,
                polygon,
                candidate_tags,
                reason,
            ) {
                candidates.push(candidate);
            }
        }
        candidates
    }

    fn basemap(&mut self) -> Vec<BasemapFeature> {
        let raw = self.raw;
        let mut features: Vec<(BasemapLayer, ObjectRef, BasemapFeature)> = Vec::new();
        for (id, node) in &raw.nodes {
            if node.tags.contains_key("barrier") && !is_underground_or_indoor(&node.tags) {
                let (lon, lat) = node.lon_lat();
                let object = ObjectRef::Node(NodeId(*id));
                features.push((
                    BasemapLayer::Barrier,
                    object,
                    basemap_feature(
                        BasemapLayer::Barrier,
                        object,
                        &node.tags,
                        &Point::new(lon, lat),
                    ),
                ));
            }
        }
        for (id, way) in &raw.ways {
            if is_underground_or_indoor(&way.tags) {
                continue;
            }
            let object = ObjectRef::Way(WayId(*id));
            let area_layer = area_layer(&way.tags, false);
            if way.is_closed() && area_layer.is_some() {
                continue; // drawn as a polygon below
            }
            let line_layer = match WayKind::from_tags(&way.tags) {
                Some(
                    WayKind::Road
                    | WayKind::LivingStreet
                    | WayKind::Service
                    | WayKind::Track
                    | WayKind::Construction
                    | WayKind::OtherHighway,
                ) => Some(BasemapLayer::Road),
                Some(
                    WayKind::Pedestrian | WayKind::Footway | WayKind::Cycleway | WayKind::Steps,
                ) => Some(BasemapLayer::Path),
                Some(WayKind::TramTrack | WayKind::Railway) => Some(BasemapLayer::Rail),
                None if way.tags.contains_key("barrier") => Some(BasemapLayer::Barrier),
                None => None,
            };
            let Some(layer) = line_layer else {
                continue;
            };
            let coordinates: Vec<Coord<f64>> = way
                .node_ids
                .iter()
                .filter_map(|node_id| raw.nodes.get(node_id))
                .map(|node| {
                    let (lon, lat) = node.lon_lat();
                    Coord { x: lon, y: lat }
                })
                .collect();
            if coordinates.len() < 2 {
                continue;
            }
            features.push((
                layer,
                object,
                basemap_feature(layer, object, &way.tags, &LineString::new(coordinates)),
            ));
        }
        for (object, tags) in area_objects(self.raw) {
            if is_underground_or_indoor(tags) {
                continue;
            }
            let Some(layer) = area_layer(tags, matches!(object, ObjectRef::Relation(_))) else {
                continue;
            };
            let Some(polygon) = self.polygon_of(object) else {
                continue;
            };
            let feature = if polygon.0.len() == 1 {
                basemap_feature(layer, object, tags, &polygon.0[0])
            } else {
                basemap_feature(layer, object, tags, &polygon)
            };
            features.push((layer, object, feature));
        }
        features.sort_by_key(|(layer, object, _)| (*layer, *object));
        features
            .into_iter()
            .map(|(_, _, feature)| feature)
            .collect()
    }
}

/// The base-map layer an area object is drawn in, if any.
fn area_layer(tags: &Tags, is_relation: bool) -> Option<BasemapLayer> {
    if is_building(tags) {
        return Some(BasemapLayer::Building);
    }
    if let Some(highway) = traffic_area_highway(tags, is_relation) {
        return Some(match highway.as_str() {
            "pedestrian" | "footway" | "path" | "cycleway" | "living_street" | "platform" => {
                BasemapLayer::PedestrianArea
            }
            _ => BasemapLayer::Road,
        });
    }
    if tags.get("place").map(String::as_str) == Some("square")
        || tags.get("amenity").map(String::as_str) == Some("marketplace")
    {
        return Some(BasemapLayer::PedestrianArea);
    }
    let landuse = matches!(
        tags.get("leisure").map(String::as_str),
        Some("park" | "garden" | "playground" | "pitch")
    ) || matches!(
        tags.get("landuse").map(String::as_str),
        Some("grass" | "forest" | "meadow" | "recreation_ground" | "village_green" | "cemetery")
    ) || matches!(
        tags.get("natural").map(String::as_str),
        Some("water" | "wood" | "grassland" | "scrub")
    ) || tags.get("waterway").map(String::as_str) == Some("riverbank");
    landuse.then_some(BasemapLayer::Landuse)
}

fn basemap_feature<G>(
    layer: BasemapLayer,
    object: ObjectRef,
    tags: &Tags,
    geometry: &G,
) -> BasemapFeature
where
    G: BoundingRect<f64>,
    for<'g> geojson::GeometryValue: From<&'g G>,
{
    let bounding_box = geometry
        .bounding_rect()
        .into()
        .map(|rect: geo::Rect<f64>| (rect.min().x, rect.min().y, rect.max().x, rect.max().y))
        .unwrap_or((0.0, 0.0, 0.0, 0.0));
    BasemapFeature {
        layer,
        osm_ref: object.to_string(),
        name: tags.get("name").cloned(),
        tags: filtered(tags, BASEMAP_TAG_KEYS),
        geometry: geojson::Geometry::new(geojson::GeometryValue::from(geometry)),
        bounding_box,
    }
}

/// Ways first, then relations, each by numeric id.
fn sort_key(osm_ref: &str) -> (u8, i64) {
    let (kind, id) = osm_ref.split_once('/').unwrap_or(("", "0"));
    let rank = match kind {
        "node" => 0,
        "way" => 1,
        _ => 2,
    };
    (rank, id.parse().unwrap_or(0))
}

enum AreaRule {
    /// The tags decide the kind.
    Kind(SiteKind, String),
    /// A pedestrian area: a square or a street, by name and shape.
    PedestrianArea(String),
}

/// Underground, indoor and platform objects are never candidate spaces.
fn is_excluded(tags: &Tags) -> bool {
    is_underground_or_indoor(tags)
        || tags.get("railway").map(String::as_str) == Some("platform")
        || tags.get("public_transport").map(String::as_str) == Some("platform")
        || tags.get("highway").map(String::as_str) == Some("platform")
}

fn area_candidate_rule(tags: &Tags, is_relation: bool) -> Option<AreaRule> {
    if is_excluded(tags) {
        return None;
    }
    let get = |key: &str| tags.get(key).map(String::as_str);
    let mut reasons: Vec<&str> = Vec::new();
    let mut kind = None;
    if get("amenity") == Some("marketplace") {
        reasons.push("amenity=marketplace");
        kind = kind.or(Some(SiteKind::OpenAirMarket));
    }
    if get("amenity") == Some("place_of_worship") {
        reasons.push("amenity=place_of_worship");
        kind = kind.or(Some(SiteKind::PlaceOfWorship));
    }
    if get("public_transport") == Some("station")
        || matches!(get("railway"), Some("station" | "halt"))
        || get("amenity") == Some("bus_station")
    {
        reasons.push("station (public_transport=station, railway=station or amenity=bus_station)");
        kind = kind.or(Some(SiteKind::TransportHub));
    }
    if get("place") == Some("square") {
        reasons.push("place=square");
        kind = kind.or(Some(SiteKind::Square));
    }
    let pedestrian_area = get("highway") == Some("pedestrian")
        && (get("area") == Some("yes") || (is_relation && get("area") != Some("no")));
    if pedestrian_area {
        reasons.push("highway=pedestrian area");
    }
    if get("area:highway") == Some("pedestrian") {
        reasons.push("area:highway=pedestrian");
    }
    if reasons.is_empty() {
        return None;
    }
    let reason = reasons.join("; ");
    Some(match kind {
        Some(kind) => AreaRule::Kind(kind, reason),
        None => AreaRule::PedestrianArea(reason),
    })
}

/// Decides whether a pedestrian area is a square or a street: by its name where the name says so
/// (…straße, …platz, rue …, piazza …), otherwise by its shape.
fn street_or_square(name: Option<&str>, metric: &MultiPolygon<f64>) -> (SiteKind, String) {
    if let Some(name) = name {
        let lower = name.to_lowercase();
        const STREET_SUFFIXES: &[&str] = &[
            "straße", "strasse", "gasse", "weg", "allee", "street", "road", "avenue", "lane",
            "katu", "gatan", "gate", "steeg", "straat",
        ];
        const STREET_PREFIXES: &[&str] = &[
            "rue ", "via ", "viale ", "calle ", "carrer ", "avenue ", "avenida ", "rua ", "ulica ",
        ];
        const SQUARE_SUFFIXES: &[&str] = &[
            "platz", "plein", "square", "plaza", "tori", "torget", "torg", "markt", "place",
        ];
        const SQUARE_PREFIXES: &[&str] = &[
            "place ",
            "piazza ",
            "plaza ",
            "praça ",
            "largo ",
            "plac ",
            "náměstí ",
            "platz ",
        ];
        let last_word = lower.split_whitespace().last().unwrap_or("");
        if STREET_SUFFIXES
            .iter()
            .any(|suffix| last_word.ends_with(suffix))
            || STREET_PREFIXES
                .iter()
                .any(|prefix| lower.starts_with(prefix))
        {
            return (
                SiteKind::PedestrianStreet,
                "a street by its name".to_string(),
            );
        }
        if SQUARE_SUFFIXES
            .iter()
            .any(|suffix| last_word.ends_with(suffix))
            || SQUARE_PREFIXES
                .iter()
                .any(|prefix| lower.starts_with(prefix))
        {
            return (SiteKind::Square, "a square by its name".to_string());
        }
    }
    let elongation = metric
        .minimum_rotated_rect()
        .map(|rect| {
            let corners = &rect.exterior().0;
            let side_a = Euclidean.length(&LineString::new(vec![corners[0], corners[1]]));
            let side_b = Euclidean.length(&LineString::new(vec![corners[1], corners[2]]));
            side_a.max(side_b) / side_a.min(side_b).max(0.01)
        })
        .unwrap_or(1.0);
    if elongation >= STREET_ELONGATION {
        (
            SiteKind::PedestrianStreet,
            format!("a street by its shape ({elongation:.1} times longer than wide)"),
        )
    } else {
        (
            SiteKind::Square,
            format!("a square by its shape ({elongation:.1} times longer than wide)"),
        )
    }
}

/// True for names of station squares: Bahnhofplatz, Bahnhofsvorplatz, Place de la Gare, Piazza
/// della Stazione, Station Square, Rautatientori (Finnish: railway square).
fn is_station_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    [
        "bahnhof",
        "station",
        "gare",
        "stazione",
        "estación",
        "rautatie",
        "banegård",
        "stationsplein",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// A station people reach at street level: not a subway station, not underground or indoors.
fn is_ground_level_station(tags: &Tags) -> bool {
    let get = |key: &str| tags.get(key).map(String::as_str);
    let station = get("public_transport") == Some("station")
        || matches!(get("railway"), Some("station" | "halt"))
        || get("amenity") == Some("bus_station");
    station
        && get("station") != Some("subway")
        && get("subway") != Some("yes")
        && !is_underground_or_indoor(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn rectangle(width_m: f64, height_m: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            geo::Rect::new(
                Coord { x: 0.0, y: 0.0 },
                Coord {
                    x: width_m,
                    y: height_m,
                },
            )
            .to_polygon(),
        ])
    }

    #[test]
    fn pedestrian_areas_are_streets_or_squares_by_name_then_shape() {
        let square = rectangle(50.0, 60.0);
        let long = rectangle(200.0, 20.0);
        assert_eq!(
            street_or_square(Some("Kaufingerstraße"), &square).0,
            SiteKind::PedestrianStreet
        );
        assert_eq!(
            street_or_square(Some("Max-Joseph-Platz"), &long).0,
            SiteKind::Square
        );
        assert_eq!(street_or_square(None, &long).0, SiteKind::PedestrianStreet);
        assert_eq!(street_or_square(None, &square).0, SiteKind::Square);
    }

    #[test]
    fn underground_indoor_and_platform_areas_are_not_candidates() {
        for excluded in [
            tags(&[("highway", "pedestrian"), ("area", "yes"), ("layer", "-1")]),
            tags(&[
                ("highway", "pedestrian"),
                ("area", "yes"),
                ("indoor", "yes"),
            ]),
            tags(&[("place", "square"), ("tunnel", "yes")]),
            tags(&[("railway", "platform"), ("public_transport", "platform")]),
        ] {
            assert!(
                area_candidate_rule(&excluded, false).is_none(),
                "{excluded:?}"
            );
        }
        assert!(area_candidate_rule(&tags(&[("highway", "pedestrian")]), false).is_none());
        assert!(area_candidate_rule(&tags(&[("highway", "pedestrian")]), true).is_some());
    }

    #[test]
    fn subway_stations_are_not_ground_level() {
        assert!(is_ground_level_station(&tags(&[("railway", "station")])));
        assert!(!is_ground_level_station(&tags(&[
            ("railway", "station"),
            ("station", "subway")
        ])));
        assert!(!is_ground_level_station(&tags(&[
            ("public_transport", "station"),
            ("layer", "-2")
        ])));
    }
}
