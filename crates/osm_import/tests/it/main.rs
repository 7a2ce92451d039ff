//! Integration tests of the OSM import on real extracts (© OpenStreetMap contributors, ODbL):
//! the Munich demo extract in `data/demo/` and the Berlin fixtures in `tests/data/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use osm_import::{CandidateSpace, OsmExtract, OsmImportError, read_osm_file, union_site_polygons};

fn repository_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn munich() -> &'static OsmExtract {
    static MUNICH: OnceLock<OsmExtract> = OnceLock::new();
    MUNICH.get_or_init(|| {
        read_osm_file(&repository_path("data/demo/munich-altstadt-2020.osm.pbf")).unwrap()
    })
}

fn candidate<'a>(extract: &'a OsmExtract, osm_ref: &str) -> &'a CandidateSpace {
    extract
        .candidates
        .iter()
        .find(|candidate| candidate.osm_ref == osm_ref)
        .unwrap_or_else(|| panic!("{osm_ref} is not a candidate"))
}

fn assert_within_one_percent(what: &str, ours_m2: f64, reference_m2: f64) {
    let relative = (ours_m2 - reference_m2).abs() / reference_m2;
    assert!(
        relative < 0.01,
        "{what}: {ours_m2:.1} m² vs reference {reference_m2:.1} m² ({:.3} %)",
        relative * 100.0
    );
}

/// Counts from shared/data/osm/README.md (read there with osmpbf 0.3.8 and pyosmium 4.3).
#[test]
fn the_munich_counts_match_the_data_readme() {
    let counts = munich().counts;
    assert_eq!(
        (
            counts.nodes,
            counts.ways,
            counts.highway_ways,
            counts.relations
        ),
        (38_803, 7_050, 2_959, 762)
    );
}

/// Reference areas: crates/osm_import/tests/reference/reference_areas.py (libosmium's area assembly
/// through pyosmium 4.3, measured in UTM zone 32N / EPSG:25832 with pyproj 3.7.2 and shapely 2.2.0);
/// its output is reference_areas.txt. Ours are geodesic areas of our own assembled polygons.
const REFERENCE_AREAS_M2: &[(&str, f64)] = &[
    ("relation/7366154", 8370.2),
    ("relation/4773563", 4913.5),
    ("relation/4775934", 10983.4),
    ("way/240014249", 20351.8),
    ("relation/7431621", 14379.9),
    ("relation/4777267", 5230.3),
    ("relation/4867157", 660.3),
    ("relation/4867158", 2416.2),
    ("relation/147144", 2593.5),
    ("way/24061814", 3449.7),
];

/// The six demo sites (data/demo/sites.toml) and the reference areas of their unions (same script).
const DEMO_SITES: &[(&str, &[&str], f64)] = &[
    ("Marienplatz", &["relation/7366154"], 8370.2),
    (
        "Kaufingerstraße / Neuhauser Straße",
        &["relation/4773563", "relation/4775934"],
        15896.8,
    ),
    (
        "Viktualienmarkt",
        &["way/240014249", "relation/7431621"],
        21274.4,
    ),
    (
        "Odeonsplatz",
        &["relation/4777267", "relation/4867157", "relation/4867158"],
        8306.9,
    ),
    ("Karlsplatz (Stachus)", &["relation/147144"], 2593.5),
    ("Max-Joseph-Platz", &["way/24061814"], 3449.7),
];

#[test]
fn the_demo_candidates_have_the_reference_areas() {
    let extract = munich();
    for (osm_ref, reference_m2) in REFERENCE_AREAS_M2 {
        let found = candidate(extract, osm_ref);
        assert_within_one_percent(osm_ref, found.area_m2, *reference_m2);
        assert_within_one_percent(osm_ref, found.polygon.area_m2(), *reference_m2);
    }
}

#[test]
fn the_named_demo_squares_are_found_with_their_names_and_kinds() {
    let extract = munich();
    let named = |osm_ref: &str| candidate(extract, osm_ref).name.clone().unwrap_or_default();
    assert_eq!(named("relation/7366154"), "Marienplatz");
    assert_eq!(named("relation/4773563"), "Kaufingerstraße");
    assert_eq!(named("relation/4775934"), "Neuhauser Straße");
    assert_eq!(named("way/240014249"), "Viktualienmarkt");
    assert_eq!(named("relation/4777267"), "Platz vor der Feldherrnhalle");
    assert_eq!(named("relation/147144"), "Karlsplatz");
    assert_eq!(named("way/24061814"), "Max-Joseph-Platz");
    use domain::SiteKind;
    assert_eq!(
        candidate(extract, "relation/7366154").kind,
        SiteKind::Square
    );
    assert_eq!(
        candidate(extract, "relation/4773563").kind,
        SiteKind::PedestrianStreet
    );
    assert_eq!(
        candidate(extract, "way/240014249").kind,
        SiteKind::OpenAirMarket
    );
    assert!(
        candidate(extract, "relation/7366154")
            .reason
            .contains("place=square")
    );
}

#[test]
fn the_demo_sites_are_valid_unions_of_candidates_with_the_reference_areas() {
    let extract = munich();
    for (site, osm_refs, reference_m2) in DEMO_SITES {
        let parts: Vec<_> = osm_refs
            .iter()
            .map(|osm_ref| &candidate(extract, osm_ref).polygon)
            .collect();
        let union = union_site_polygons(&parts)
            .unwrap_or_else(|error| panic!("{site}: the union is not valid: {error}"));
        assert_within_one_percent(site, union.area_m2(), *reference_m2);
    }
}

/// Every `osm_refs` entry of data/demo/sites.toml must be a candidate, and the file must list
/// exactly the sites above.
#[test]
fn every_osm_ref_in_the_demo_sites_file_is_a_candidate() {
    let text = std::fs::read_to_string(repository_path("data/demo/sites.toml")).unwrap();
    let mut listed = Vec::new();
    for line in text
        .lines()
        .filter(|line| line.trim_start().starts_with("osm_refs"))
    {
        let refs: Vec<String> = line
            .split('#')
            .next()
            .unwrap()
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        for osm_ref in &refs {
            candidate(munich(), osm_ref);
        }
        listed.push(refs);
    }
    let expected: Vec<Vec<String>> = DEMO_SITES
        .iter()
        .map(|(_, refs, _)| refs.iter().map(|r| r.to_string()).collect())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn underground_and_indoor_objects_are_not_candidates() {
    let extract = munich();
    for candidate in &extract.candidates {
        assert!(
            !street_network::is_underground_or_indoor(&candidate.tags),
            "{} {:?}",
            candidate.osm_ref,
            candidate.tags
        );
        assert_ne!(
            candidate.tags.get("public_transport").map(String::as_str),
            Some("platform")
        );
    }
    // The S-Bahn platform under Karlsplatz (level -3, tunnel) shares the square's name.
    assert!(
        extract
            .candidates
            .iter()
            .all(|c| c.osm_ref != "relation/3230775")
    );
}

#[test]
fn the_munich_network_holds_ways_barriers_buildings_and_tram_tracks() {
    let network = &munich().network;
    assert!(network.ways.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(network.nodes.windows(2).all(|pair| pair[0].id < pair[1].id));
    let highway_ways = network
        .ways
        .iter()
        .filter(|way| way.highway().is_some())
        .count();
    assert!(highway_ways > 2_900, "{highway_ways}");
    assert!(
        network
            .ways
            .iter()
            .any(|way| way.kind == street_network::WayKind::TramTrack)
    );
    assert!(
        network
            .barrier_nodes()
            .any(|(_, kind)| kind == street_network::BarrierKind::Bollard)
    );
    assert!(network.buildings.len() > 1_000);
    // Every node a way uses is in the network.
    for way in &network.ways {
        for node_id in &way.node_ids {
            assert!(
                network.node(*node_id).is_some(),
                "{} uses missing {node_id}",
                way.id
            );
        }
    }
    // Marienplatz is a traffic area (a vehicle can drive onto it).
    assert!(
        network
            .areas
            .iter()
            .any(|area| area.source.to_string() == "relation/7366154"
                && area.highway == "pedestrian")
    );
}

#[test]
fn the_munich_base_map_has_every_layer_in_lon_lat() {
    use domain::BasemapLayer;
    let basemap = &munich().basemap;
    for layer in [
        BasemapLayer::Road,
        BasemapLayer::Path,
        BasemapLayer::PedestrianArea,
        BasemapLayer::Building,
        BasemapLayer::Barrier,
        BasemapLayer::Rail,
        BasemapLayer::Landuse,
    ] {
        assert!(
            basemap.iter().any(|feature| feature.layer == layer),
            "no {layer}"
        );
    }
    for feature in basemap {
        let (min_lon, min_lat, max_lon, max_lat) = feature.bounding_box;
        assert!(
            (11.0..12.0).contains(&min_lon) && (11.0..12.0).contains(&max_lon),
            "{}",
            feature.osm_ref
        );
        assert!(
            (48.0..48.5).contains(&min_lat) && (48.0..48.5).contains(&max_lat),
            "{}",
            feature.osm_ref
        );
    }
}

#[test]
fn importing_twice_gives_identical_output() {
    let path = repository_path("data/demo/munich-altstadt-2020.osm.pbf");
    let second = read_osm_file(&path).unwrap();
    assert_eq!(munich(), &second);
    assert_eq!(
        format!("{:?}", munich().candidates),
        format!("{:?}", second.candidates)
    );
}

#[test]
fn pbf_and_xml_readers_agree_on_the_berlin_extract() {
    let pbf = read_osm_file(&fixture("berlin-grosser-stern-2017-10.osm.pbf")).unwrap();
    let xml = read_osm_file(&fixture("berlin-grosser-stern-2017-10.osm.gz")).unwrap();
    assert_eq!(
        (
            pbf.counts.nodes,
            pbf.counts.ways,
            pbf.counts.highway_ways,
            pbf.counts.relations
        ),
        (5_117, 418, 146, 50)
    );
    assert_eq!(pbf.counts, xml.counts);
    assert_eq!(pbf.network, xml.network);
    assert_eq!(pbf.candidates, xml.candidates);
    assert_eq!(pbf.basemap, xml.basemap);
    assert_eq!(pbf.diagnostics, xml.diagnostics);
    assert_eq!(pbf, xml);
}

#[test]
fn in_memory_readers_match_the_file_reader() {
    let bytes = std::fs::read(fixture("berlin-grosser-stern-2017-10.osm.pbf")).unwrap();
    let from_bytes = osm_import::read_osm_pbf(&bytes).unwrap();
    let gz = std::fs::read(fixture("berlin-grosser-stern-2017-10.osm.gz")).unwrap();
    let xml = flate2_decompress(&gz);
    let from_xml = osm_import::read_osm_xml(xml.as_slice()).unwrap();
    assert_eq!(from_bytes, from_xml);
}

fn flate2_decompress(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn temp_file(name: &str, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents)
        .unwrap();
    (directory, path)
}

#[test]
fn a_missing_file_is_named() {
    let error = read_osm_file(Path::new("/nonexistent/city.osm.pbf")).unwrap_err();
    assert!(
        matches!(error, OsmImportError::FileNotFound { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "/nonexistent/city.osm.pbf: no such file");
}

#[test]
fn a_truncated_pbf_names_the_blob_and_offset() {
    let bytes = std::fs::read(repository_path("data/demo/munich-altstadt-2020.osm.pbf")).unwrap();
    let half = &bytes[..bytes.len() / 2];
    let (_directory, path) = temp_file("half.osm.pbf", half);
    let error = read_osm_file(&path).unwrap_err();
    let OsmImportError::TruncatedPbf {
        blob_index,
        byte_offset,
        file_length,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(*blob_index > 0 && *byte_offset < *file_length, "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: truncated PBF: blob ", path.display())),
        "{message}"
    );
    assert!(message.contains("byte offset"), "{message}");
    // The in-memory reader says the same without a file name.
    assert!(matches!(
        osm_import::read_osm_pbf(half),
        Err(OsmImportError::TruncatedPbf { .. })
    ));
}

#[test]
fn a_pbf_with_a_corrupt_blob_names_the_blob() {
    let mut bytes = std::fs::read(fixture("berlin-grosser-stern-2017-10.osm.pbf")).unwrap();
    // Overwrite the middle of the file (inside a compressed data blob) with zeros.
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle..middle + 200] {
        *byte = 0;
    }
    let error = osm_import::read_osm_pbf(&bytes).unwrap_err();
    assert!(
        matches!(
            error,
            OsmImportError::CorruptPbf { .. } | OsmImportError::TruncatedPbf { .. }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("blob "), "{error}");
}

#[test]
fn garbage_bytes_are_refused_with_the_accepted_formats() {
    let garbage: Vec<u8> = (0..4096_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let (_directory, path) = temp_file("noise.bin", &garbage);
    let error = read_osm_file(&path).unwrap_err();
    assert!(
        matches!(error, OsmImportError::UnknownFormat { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("accepted formats: OSM PBF"),
        "{error}"
    );

    let (_directory, path) = temp_file("noise.osm.pbf", &garbage);
    let error = read_osm_file(&path).unwrap_err();
    assert!(
        matches!(
            error,
            OsmImportError::CorruptPbf {
                blob_index: 0,
                byte_offset: 0,
                ..
            }
        ),
        "{error:?}"
    );

    let (_directory, path) = temp_file("empty.osm.pbf", b"");
    assert!(read_osm_file(&path).is_err());

    let (_directory, path) = temp_file("noise.osm.gz", &[0x1f, 0x8b, 1, 2, 3, 4, 5]);
    let error = read_osm_file(&path).unwrap_err();
    assert!(matches!(error, OsmImportError::Gzip { .. }), "{error:?}");
}

#[test]
fn malformed_xml_names_the_line_and_column() {
    let xml = "<?xml version='1.0'?>\n<osm version=\"0.6\">\n  <node id=\"1\" lat=\"48.1\" lon=\"11.5\"/>\n  <node id=\"2\" lat=\"north\" lon=\"11.5\"/>\n</osm>\n";
    let (_directory, path) = temp_file("bad.osm", xml.as_bytes());
    let error = read_osm_file(&path).unwrap_err();
    let OsmImportError::Xml { line, column, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!((*line, *column), (4, 3), "{error}");
    assert!(error.to_string().contains("lat=\"north\""), "{error}");

    let unclosed = "<osm version=\"0.6\">\n<node id=\"1\" lat=\"48.1\" lon=\"11.5\">\n<tag k=\"a\" v=\"b\"/>\n</way>\n</osm>";
    let error = osm_import::read_osm_xml(unclosed.as_bytes()).unwrap_err();
    let OsmImportError::Xml { line, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*line, 4, "{error}");

    let not_osm = "<html><body>hello</body></html>";
    let error = osm_import::read_osm_xml(not_osm.as_bytes()).unwrap_err();
    assert!(
        error.to_string().contains("no <osm> root element"),
        "{error}"
    );
}

#[test]
fn broken_multipolygons_become_diagnostics() {
    // A multipolygon whose only outer way is open, and a square with a self-crossing outline.
    let xml = r#"<osm version="0.6">
<node id="1" lat="48.0" lon="11.0"/><node id="2" lat="48.0" lon="11.001"/>
<node id="3" lat="48.001" lon="11.001"/><node id="4" lat="48.001" lon="11.0"/>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/></way>
<way id="11"><nd ref="1"/><nd ref="3"/><nd ref="2"/><nd ref="4"/><nd ref="1"/>
  <tag k="place" v="square"/><tag k="name" v="Bow tie"/></way>
<relation id="20"><member type="way" ref="10" role="outer"/>
  <tag k="type" v="multipolygon"/><tag k="highway" v="pedestrian"/><tag k="name" v="Open"/></relation>
</osm>"#;
    let extract = osm_import::read_osm_xml(xml.as_bytes()).unwrap();
    assert!(extract.candidates.is_empty(), "{:?}", extract.candidates);
    let messages: Vec<String> = extract
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m
                .starts_with("relation/20: multipolygon: ring starting at node/1 is not closed")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("way/11: candidate space (place=square) left out")),
        "{messages:?}"
    );
}

#[test]
fn pedestrian_street_lines_are_buffered_by_width_or_the_stated_default() {
    // Two 100 m pedestrian streets along a meridian; one with width=10.
    let xml = r#"<osm version="0.6">
<node id="1" lat="48.0" lon="11.0"/><node id="2" lat="48.0009" lon="11.0"/>
<node id="3" lat="48.0" lon="11.01"/><node id="4" lat="48.0009" lon="11.01"/>
<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="pedestrian"/><tag k="width" v="10"/></way>
<way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="pedestrian"/></way>
</osm>"#;
    let extract = osm_import::read_osm_xml(xml.as_bytes()).unwrap();
    let wide = candidate(&extract, "way/10");
    let default = candidate(&extract, "way/11");
    assert_eq!(wide.kind, domain::SiteKind::PedestrianStreet);
    assert_eq!(wide.tags["agora:width_source"], "width");
    assert_eq!(default.tags["agora:width_source"], "default");
    assert!(
        default.reason.contains("default width 6 m"),
        "{}",
        default.reason
    );
    // A buffer of half-width w/2 around a segment of length L has area L·w + π(w/2)²; the segment
    // is 0.0009° of latitude = 100.1 m (111,194 m per degree at 48° N).
    let expected = |width: f64| 100.1 * width + std::f64::consts::PI * (width / 2.0).powi(2);
    assert!(
        (wide.area_m2 - expected(10.0)).abs() / expected(10.0) < 0.01,
        "{}",
        wide.area_m2
    );
    assert!(
        (default.area_m2 - expected(6.0)).abs() / expected(6.0) < 0.01,
        "{}",
        default.area_m2
    );
}
