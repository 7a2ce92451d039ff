//! OpenStreetMap import: the only crate that knows OSM file formats.
//!
//! It reads an extract (PBF, OSM XML, or gzipped OSM XML) and returns an [`OsmExtract`]: the
//! [`street_network::StreetNetwork`] the engines work on, the **candidate public spaces** a city
//! security officer may want to assess, and a **base map** the web map draws without a tile
//! server. It reads bytes and files but holds no state; the same input always gives the same
//! output, element for element.
//!
//! Glossary:
//! - **Extract**: one OSM file covering part of a city. Ways crossing its cut are usually kept whole,
//!   so some geometry reaches outside the cut box.
//! - **Candidate (public) space**: an OSM object whose tags and outline make it a likely site: a
//!   pedestrian area or square (`highway=pedestrian` + `area=yes`, `area:highway=pedestrian`,
//!   `place=square`), a market (`amenity=marketplace`), a pedestrian street (a linear
//!   `highway=pedestrian`, buffered into a polygon by its width or a stated default), a station
//!   (`public_transport=station`, `railway=station`, `amenity=bus_station` polygons, and squares
//!   named as a station's **forecourt**, e.g. Bahnhofplatz; a candidate within 50 m of a station
//!   that is not a subway station says so in its reason), a place of worship and its grounds. Objects
//!   underground or indoors (`layer<0`, `indoor=*`, `tunnel=*`, platforms) are never candidates.
//! - **Multipolygon assembly**: joining the member ways of a `type=multipolygon` relation end to end
//!   into closed outer and inner rings.
//! - **Diagnostic**: a problem with the map data (an unclosed ring, a missing member, a
//!   self-crossing outline) reported beside the result. Bad OSM data is normal, not an error;
//!   [`OsmImportError`] is only for files that cannot be read at all.
//! - **Base map**: [`domain::BasemapFeature`]s per layer (road, path, pedestrian area, building,
//!   barrier, rail, landuse) in GeoJSON longitude/latitude, with only the tags a map reader needs.

mod assemble;
mod build;
mod error;
mod pbf;
mod raw;
mod xml;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub use error::{ACCEPTED_FORMATS, OsmImportError};

/// Everything Agora takes from one OSM extract.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmExtract {
    /// The city model for the engines.
    pub network: street_network::StreetNetwork,
    /// Candidate public spaces, sorted by OSM object (ways, then relations, by id).
    pub candidates: Vec<CandidateSpace>,
    /// The base map, sorted by layer, then by OSM object.
    pub basemap: Vec<domain::BasemapFeature>,
    /// Problems with the map data, sorted by OSM object.
    pub diagnostics: Vec<Diagnostic>,
    /// How many objects the file holds.
    pub counts: ElementCounts,
    /// The extract's bounding box (min_lon, min_lat, max_lon, max_lat) from the file header or
    /// `<bounds>`, if it has one.
    pub bounds: Option<(f64, f64, f64, f64)>,
}

/// A public space found in the extract, ready to become a site.
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateSpace {
    /// The OSM object, e.g. `way/123` or `relation/456`.
    pub osm_ref: String,
    pub name: Option<String>,
    pub kind: domain::SiteKind,
    /// The outline in WGS84 longitude/latitude, validated.
    pub polygon: domain::SitePolygon,
    /// Geodesic area of `polygon` on the WGS84 ellipsoid, square metres.
    pub area_m2: f64,
    /// The object's OSM tags; for buffered streets also `agora:buffer_width_m` and
    /// `agora:width_source` (`width` or `default`).
    pub tags: BTreeMap<String, String>,
    /// Why it is a candidate, e.g. `place=square`, and how its kind was chosen.
    pub reason: String,
}

/// A problem with the map data, found while importing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The OSM object concerned, e.g. `relation/456`.
    pub osm_ref: String,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.osm_ref, self.message)
    }
}

/// Object counts of the file as read (before any filtering).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ElementCounts {
    pub nodes: usize,
    pub ways: usize,
    /// Ways with a `highway=*` tag.
    pub highway_ways: usize,
    pub relations: usize,
}

/// The default width, metres, used to buffer a pedestrian street mapped as a line without `width`.
pub const DEFAULT_PEDESTRIAN_STREET_WIDTH_M: f64 = 6.0;

/// Reads an OSM file: PBF (`.osm.pbf`, `.pbf`), OSM XML (`.osm`, `.xml`) or gzipped OSM XML
/// (`.osm.gz`). The content decides (a gzip or XML signature, a PBF header); the extension is the
/// fallback for content that looks like neither.
///
/// ```no_run
/// let extract = osm_import::read_osm_file(std::path::Path::new("data/demo/munich-altstadt-2020.osm.pbf"))?;
/// for candidate in &extract.candidates {
///     println!("{} {:?} {:.0} m²", candidate.osm_ref, candidate.name, candidate.area_m2);
/// }
/// # Ok::<(), osm_import::OsmImportError>(())
/// ```
pub fn read_osm_file(path: &Path) -> Result<OsmExtract, OsmImportError> {
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            OsmImportError::FileNotFound {
                path: path.to_path_buf(),
            }
        } else {
            OsmImportError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    read_osm_bytes(&bytes, &path.display().to_string())
}

/// Reads OSM data held in memory (an upload, say) in any accepted format, decided by the content (a
/// gzip or XML signature, a PBF header) and, for content that looks like neither, by the extension of
/// `input`, the name errors use for the data (a path or an upload's file name).
pub fn read_osm_bytes(bytes: &[u8], input: &str) -> Result<OsmExtract, OsmImportError> {
    let name = input.to_lowercase();
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        xml::read_xml(&gunzip(bytes, input)?, input)?
    } else if xml::looks_like_xml(bytes) {
        xml::read_xml(bytes, input)?
    } else if pbf::looks_like_pbf(bytes) || name.ends_with(".pbf") {
        pbf::read_pbf(bytes, input)?
    } else if name.ends_with(".osm") || name.ends_with(".xml") {
        xml::read_xml(bytes, input)?
    } else {
        let found = if bytes.is_empty() {
            "the file is empty".to_string()
        } else {
            let head: Vec<String> = bytes
                .iter()
                .take(8)
                .map(|byte| format!("{byte:02x}"))
                .collect();
            format!("first bytes {}", head.join(" "))
        };
        return Err(OsmImportError::UnknownFormat {
            input: input.to_string(),
            found,
        });
    };
    Ok(build::build_extract(raw))
}

/// Reads OSM PBF data held in memory.
pub fn read_osm_pbf(bytes: &[u8]) -> Result<OsmExtract, OsmImportError> {
    Ok(build::build_extract(pbf::read_pbf(bytes, "PBF data")?))
}

/// Reads OSM XML (uncompressed) from a reader.
pub fn read_osm_xml(mut reader: impl std::io::BufRead) -> Result<OsmExtract, OsmImportError> {
    let input = "OSM XML data";
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|error| OsmImportError::Xml {
            input: input.to_string(),
            line: 1 + bytes.iter().filter(|&&byte| byte == b'\n').count(),
            column: 0,
            byte_offset: bytes.len() as u64,
            problem: format!("cannot read: {error}"),
        })?;
    Ok(build::build_extract(xml::read_xml(&bytes, input)?))
}

/// Merges site outlines (e.g. several candidates making up one site) into one valid polygon:
/// overlapping and touching parts are joined, separate parts stay a MultiPolygon.
pub fn union_site_polygons(
    parts: &[&domain::SitePolygon],
) -> Result<domain::SitePolygon, domain::GeometryError> {
    let polygons: Vec<&geo::Polygon<f64>> = parts
        .iter()
        .flat_map(|part| part.as_geo().0.iter())
        .collect();
    let union = geo::unary_union(polygons);
    domain::SitePolygon::from_geo(union)
}

fn gunzip(bytes: &[u8], input: &str) -> Result<Vec<u8>, OsmImportError> {
    let mut decompressed = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut decompressed)
        .map_err(|error| OsmImportError::Gzip {
            input: input.to_string(),
            problem: error.to_string(),
        })?;
    Ok(decompressed)
}
