//! `agora hvm` on the real binary (issue 3, item 3): on an OSM file and a GeoJSON area, and on a
//! stored site; JSON and GeoJSON output; bad input named.

use crate::command_line::{DEMO_EXTRACT, city_with_marienplatz, fail, succeed};

#[test]
fn hvm_analyses_a_stored_site_and_an_area_file_and_names_bad_input() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    city_with_marienplatz(&database);

    // On the stored site: a table with every entry and vehicle, and the study is stored.
    let table = succeed(
        &database,
        &[
            "hvm",
            "--site",
            "Marienplatz",
            "--as",
            "planner",
            "--vehicle",
            "N3C,M1",
        ],
    );
    assert!(
        table.contains("Vehicle-approach analysis of Marienplatz"),
        "{table}"
    );
    assert!(table.contains("E1 "), "{table}");
    assert!(table.contains("N3C") && table.contains("M1"), "{table}");
    assert!(
        table.contains("V/7200[N3C]/"),
        "a required rating for the lorry:\n{table}"
    );

    // On a file and an area: the site's own outline, exported.
    let area = directory.path().join("marienplatz.geojson");
    std::fs::write(
        &area,
        succeed(&database, &["site", "export", "--as", "planner"]),
    )
    .unwrap();
    let area = area.to_str().unwrap();
    let arguments = [
        "hvm",
        "--map",
        DEMO_EXTRACT,
        "--area",
        area,
        "--vehicle",
        "N3C",
        "--format",
        "json",
    ];
    let json_text = succeed(&database, &arguments);
    let report: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let entries = report["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(report["summary"]["open_entries"].as_u64().unwrap() >= 1);
    let open = entries
        .iter()
        .flat_map(|entry| entry["vehicles"].as_array().unwrap())
        .filter(|vehicle| vehicle["status"] == "open")
        .collect::<Vec<_>>();
    assert!(!open.is_empty());
    for vehicle in open {
        let approach = &vehicle["approach"];
        assert!(approach["speed_kmh"].as_f64().unwrap() > 0.0);
        assert!(approach["energy_kj"].as_f64().unwrap() > 0.0);
        assert!(
            approach["required_rating"]
                .as_str()
                .unwrap()
                .starts_with("V/7200[N3C]/")
        );
        assert!(approach["path"].as_array().unwrap().len() >= 2);
    }
    // Same input, same output, byte for byte.
    assert_eq!(succeed(&database, &arguments), json_text);

    let geojson: serde_json::Value = serde_json::from_str(&succeed(
        &database,
        &[
            "hvm",
            "--map",
            DEMO_EXTRACT,
            "--area",
            area,
            "--vehicle",
            "M1",
            "--format",
            "geojson",
        ],
    ))
    .unwrap();
    let kinds: Vec<&str> = geojson["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|feature| feature["geometry"]["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"Point") && kinds.contains(&"LineString"),
        "{kinds:?}"
    );

    // Bad input: each named.
    let error = fail(
        &database,
        &[
            "hvm",
            "--map",
            DEMO_EXTRACT,
            "--area",
            area,
            "--vehicle",
            "X9",
        ],
    );
    assert!(error.contains("X9") && error.contains("N3C"), "{error}");
    let fail_on_area = |file_name: &str, geojson: &str| {
        let path = directory.path().join(file_name);
        std::fs::write(&path, geojson).unwrap();
        fail(
            &database,
            &[
                "hvm",
                "--map",
                DEMO_EXTRACT,
                "--area",
                path.to_str().unwrap(),
            ],
        )
    };
    let error = fail_on_area(
        "line.geojson",
        r#"{"type":"LineString","coordinates":[[11.57,48.13],[11.58,48.14]]}"#,
    );
    assert!(
        error.contains("line.geojson") && error.contains("Polygon"),
        "{error}"
    );
    let error = fail_on_area(
        "nice.geojson",
        r#"{"type":"Polygon","coordinates":[[[7.25,43.69],[7.26,43.69],[7.26,43.695],[7.25,43.69]]]}"#,
    );
    assert!(error.contains("outside the map"), "{error}");
    let corrupt = directory.path().join("corrupt.osm.pbf");
    std::fs::write(&corrupt, b"\x00\x00\x00\x0dnot a pbf at all").unwrap();
    let error = fail(
        &database,
        &["hvm", "--map", corrupt.to_str().unwrap(), "--area", area],
    );
    assert!(error.contains("corrupt.osm.pbf"), "{error}");
    let error = fail(&database, &["hvm", "--site", "Nowhere", "--as", "planner"]);
    assert!(error.contains("no site named 'Nowhere'"), "{error}");
    let error = fail(
        &database,
        &["hvm", "--site", "Marienplatz", "--rules", "reckless"],
    );
    assert!(error.contains("reckless"), "{error}");
}

/// The Berlin Großer Stern fixture: a small extract with a few candidate spaces.
const SMALL_EXTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../osm_import/tests/data/berlin-grosser-stern-2017-10.osm.pbf"
);

#[test]
fn bench_hvm_times_every_site_of_a_map_against_the_targets_and_names_bad_maps() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    let figures = succeed(
        &database,
        &[
            "bench",
            "hvm",
            "--map",
            SMALL_EXTRACT,
            "--threads",
            "1",
            "--runs",
            "3",
        ],
    );
    // One row for the map: parse, prepare, sites, entries, analysis (medians of the runs),
    // then the verdict, and the ranges on the line below.
    let row = figures
        .lines()
        .find(|line| line.starts_with(SMALL_EXTRACT))
        .unwrap_or_else(|| panic!("a row for the map:\n{figures}"));
    let numbers: Vec<f64> = row[SMALL_EXTRACT.len()..]
        .split_whitespace()
        .take(5)
        .map(|figure| figure.parse().unwrap())
        .collect();
    let [parse_s, _, sites, entries, analysis_s] = numbers[..] else {
        panic!("five figures in {row}");
    };
    assert!(parse_s > 0.0 && analysis_s > 0.0, "{row}");
    assert!(sites >= 1.0 && entries >= 1.0, "{row}");
    assert!(row.contains("analysis <= parse: "), "{row}");
    assert!(figures.contains("(medians of 3 runs)"), "{figures}");
    let ranges = figures
        .lines()
        .find_map(|line| line.trim().strip_prefix("ranges over 3 runs: "))
        .unwrap_or_else(|| panic!("a line of ranges:\n{figures}"));
    let bounds: Vec<f64> = ranges
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|figure| figure.parse().ok())
        .collect();
    let [parse_min, parse_max, analysis_min, analysis_max] = bounds[..] else {
        panic!("two ranges in {ranges}");
    };
    assert!(parse_min <= parse_s && parse_s <= parse_max, "{figures}");
    assert!(
        analysis_min <= analysis_s && analysis_s <= analysis_max,
        "{figures}"
    );
    assert!(
        !figures.contains("could not be analysed"),
        "every candidate is analysed:\n{figures}"
    );
    assert!(figures.contains("peak memory (VmHWM)"), "{figures}");

    let corrupt = directory.path().join("corrupt.osm.pbf");
    std::fs::write(&corrupt, b"\x00\x00\x00\x0dnot a pbf at all").unwrap();
    let error = fail(
        &database,
        &["bench", "hvm", "--map", corrupt.to_str().unwrap()],
    );
    assert!(
        error.contains("corrupt.osm.pbf") && error.contains("corrupt PBF"),
        "{error}"
    );
    let error = fail(&database, &["bench", "hvm", "--map", "no-such-map.osm.pbf"]);
    assert!(error.contains("no-such-map.osm.pbf"), "{error}");
    let error = fail(&database, &["bench", "hvm", "--runs", "0"]);
    assert!(error.contains("--runs"), "{error}");
}
