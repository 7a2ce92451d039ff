//! The command line of the real binary: organisations, users, OSM import, GeoJSON export and import.

use std::path::Path;
use std::process::{Command, Output};

use crate::server::{agora_binary, sqlite_url};

pub(crate) const DEMO_EXTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/demo/munich-altstadt-2020.osm.pbf"
);

pub(crate) fn agora(database: &Path, arguments: &[&str]) -> Output {
    Command::new(agora_binary())
        .arg("--db")
        .arg(sqlite_url(database))
        .args(arguments)
        .env("RUST_LOG", "warn")
        .env("AGORA_PASSWORD", "a sufficiently long password")
        .output()
        .expect("agora runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A city organisation, "Stadt München", with one user, `planner` (role planner).
pub(crate) fn city_with_a_planner(database: &Path) {
    succeed(database, &["org", "add", "Stadt München", "--kind", "city"]);
    succeed(
        database,
        &[
            "user",
            "add",
            "--org",
            "Stadt München",
            "--username",
            "planner",
            "--role",
            "planner",
        ],
    );
}

/// `agora ARGUMENTS` must fail; its standard error.
pub(crate) fn fail(database: &Path, arguments: &[&str]) -> String {
    let output = agora(database, arguments);
    assert!(!output.status.success(), "agora {arguments:?} should fail");
    stderr(&output)
}

/// [`city_with_a_planner`] with the demo extract as the base map and its Marienplatz
/// (relation/7366154) as the planner's site.
pub(crate) fn city_with_marienplatz(database: &Path) {
    city_with_a_planner(database);
    succeed(
        database,
        &[
            "import",
            "osm",
            DEMO_EXTRACT,
            "--add",
            "relation/7366154",
            "--basemap",
            "--as",
            "planner",
        ],
    );
}

pub(crate) fn succeed(database: &Path, arguments: &[&str]) -> String {
    let output = agora(database, arguments);
    assert!(
        output.status.success(),
        "agora {arguments:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

#[test]
fn osm_candidates_become_sites_that_export_and_import_as_geojson() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");

    let listing = succeed(&database, &["import", "osm", DEMO_EXTRACT]);
    assert!(listing.contains("way/24061814"), "{listing}");
    assert!(listing.contains("Max-Joseph-Platz"), "{listing}");
    assert!(listing.contains("relation/7366154"), "{listing}");

    succeed(
        &database,
        &["org", "add", "Polizeipräsidium München", "--kind", "police"],
    );
    succeed(
        &database,
        &["org", "add", "Stadt München", "--kind", "city"],
    );
    succeed(
        &database,
        &[
            "user",
            "add",
            "--org",
            "Polizeipräsidium München",
            "--username",
            "officer",
            "--role",
            "planner",
        ],
    );
    succeed(
        &database,
        &[
            "user",
            "add",
            "--org",
            "Stadt München",
            "--username",
            "planner",
            "--role",
            "planner",
        ],
    );
    let added = succeed(
        &database,
        &[
            "import",
            "osm",
            DEMO_EXTRACT,
            "--add",
            "way/24061814",
            "--add",
            "relation/7366154",
            "--as",
            "officer",
        ],
    );
    assert!(added.contains("added 2 sites"), "{added}");

    let exported = succeed(&database, &["site", "export", "--as", "officer"]);
    let collection: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let names: Vec<&str> = collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|feature| feature["properties"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Marienplatz", "Max-Joseph-Platz"]);

    // Another organisation sees none of them until it imports the file.
    assert_eq!(succeed(&database, &["site", "list", "--as", "planner"]), "");
    let file = directory.path().join("sites.geojson");
    std::fs::write(&file, &exported).unwrap();
    let imported = succeed(
        &database,
        &["site", "import", file.to_str().unwrap(), "--as", "planner"],
    );
    assert!(imported.contains("imported 2 sites"), "{imported}");
    let listed = succeed(&database, &["site", "list", "--as", "planner"]);
    assert!(
        listed.contains("Marienplatz") && listed.contains("Max-Joseph-Platz"),
        "{listed}"
    );
}

#[test]
fn bad_files_are_named_in_the_error_and_store_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    city_with_a_planner(&database);

    let missing = directory.path().join("missing.osm.pbf");
    let output = agora(&database, &["import", "osm", missing.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("missing.osm.pbf"),
        "{}",
        stderr(&output)
    );

    let truncated = directory.path().join("truncated.osm.pbf");
    let bytes = std::fs::read(DEMO_EXTRACT).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let output = agora(&database, &["import", "osm", truncated.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).starts_with("error: "),
        "{}",
        stderr(&output)
    );

    let bad = directory.path().join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[11.57,48.13],[11.58,48.13],[11.58,48.14],[11.57,48.13]]]},"properties":{"name":"Good","kind":"square"}},
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[11.57,48.13],[11.58,48.13],[11.58,48.14],[11.57,48.14]]]},"properties":{"name":"Open","kind":"square"}}]}"#,
    )
    .unwrap();
    let output = agora(
        &database,
        &["site", "import", bad.to_str().unwrap(), "--as", "planner"],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("bad.geojson")
            && message.contains("feature 1: geometry: exterior ring: ring is not closed"),
        "{message}"
    );
    assert_eq!(succeed(&database, &["site", "list", "--as", "planner"]), "");

    let output = agora(
        &database,
        &[
            "user",
            "add",
            "--org",
            "Stadt München",
            "--username",
            "x y",
            "--role",
            "viewer",
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("username may contain only"),
        "{}",
        stderr(&output)
    );
    let output = agora(
        &database,
        &[
            "user",
            "add",
            "--org",
            "Stadt München",
            "--username",
            "boss",
            "--role",
            "king",
        ],
    );
    assert!(
        stderr(&output).contains("unknown role 'king'"),
        "{}",
        stderr(&output)
    );
}

/// `agora import osm FILE | head -1`: the reader goes away before the listing ends; agora stops
/// quietly with SIGPIPE's status instead of a panic message.
#[test]
fn a_closed_output_pipe_stops_agora_quietly() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    let mut child = Command::new(agora_binary())
        .arg("--db")
        .arg(sqlite_url(&database))
        .args(["import", "osm", DEMO_EXTRACT])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("agora runs");
    // Close the read end at once: agora reads the extract for a while before it prints.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let errors = stderr(&output);
    assert!(!errors.contains("panicked"), "{errors}");
    assert_eq!(output.status.code(), Some(141), "{errors}");
}
