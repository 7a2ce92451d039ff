//! The REST API of the real binary: login, sites, durability across a kill, bad input.

use crate::server::{
    DEMO_PASSWORD, Server, api_login, get_json, http_client, post_json, site_id_named,
};

const ODEONSPLATZ_CORNER: &str = r#"{"type":"Polygon","coordinates":[[[11.5770,48.1420],[11.5780,48.1420],[11.5780,48.1426],[11.5770,48.1426],[11.5770,48.1420]]]}"#;

fn site_body(name: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "kind": "event_space",
        "polygon": serde_json::from_str::<serde_json::Value>(ODEONSPLATZ_CORNER).unwrap(),
        "capacity": 2500,
        "operators": ["Kreisverwaltungsreferat"],
        "tags": {"event": "test"}
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_created_through_the_api_survives_a_kill_and_restart() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    let server = Server::start_demo(&database);
    assert!(
        server
            .banner
            .iter()
            .any(|line| line.contains("Demo login: username demo password")),
        "the demo prints its login: {:#?}",
        server.banner
    );
    let client = http_client();

    // Without a session the API answers 401 and pages send the browser to the login page.
    let response = client.get(server.url("/api/sites")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let response = client.get(server.url("/map")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");

    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let sites: Vec<serde_json::Value> = get_json(&client, &server.url("/api/sites")).await;
    let names: Vec<&str> = sites
        .iter()
        .map(|site| site["name"].as_str().unwrap())
        .collect();
    for expected in [
        "Marienplatz",
        "Viktualienmarkt",
        "Odeonsplatz",
        "Karlsplatz (Stachus)",
        "Max-Joseph-Platz",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        names.iter().any(|name| name.contains("Kaufingerstraße")),
        "{names:?}"
    );

    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .json(&site_body("Odeonsplatz stage"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["version"], 1);

    // The write was acknowledged; now the server dies without any chance to flush.
    server.kill();
    let server = Server::start_demo(&database);
    let client = http_client();
    api_login(&client, &server, DEMO_PASSWORD).await;
    let response = client
        .get(server.url(&format!("/api/sites/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let found: serde_json::Value = response.json().await.unwrap();
    assert_eq!(found["name"], "Odeonsplatz stage");
    assert_eq!(found["capacity"], 2500);
    assert_eq!(found["operators"][0], "Kreisverwaltungsreferat");
    // The restart kept the demo as it was instead of loading it a second time.
    let sites: Vec<serde_json::Value> = get_json(&client, &server.url("/api/sites")).await;
    assert_eq!(sites.len(), names.len() + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_deletes_logout_and_the_openapi_document() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let created: serde_json::Value = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .json(&site_body("Stage"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();

    let update = |version: i64, name: &str| serde_json::json!({ "expected_version": version, "site": site_body(name) });
    let response = client
        .put(server.url(&format!("/api/sites/{id}")))
        .header("x-csrf-token", &csrf)
        .json(&update(1, "Stage north"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let updated: serde_json::Value = response.json().await.unwrap();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "Stage north");

    // A second editor who read version 1 is told, not silently overwritten.
    let response = client
        .put(server.url(&format!("/api/sites/{id}")))
        .header("x-csrf-token", &csrf)
        .json(&update(1, "Stage south"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    let response = client
        .delete(server.url(&format!("/api/sites/{id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = client
        .get(server.url(&format!("/api/sites/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let document: serde_json::Value = get_json(&client, &server.url("/api/openapi.json")).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/sites",
        "/api/sites/{id}",
        "/api/session",
        "/api/osm/candidates",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    // Logout ends the session on the server: the old cookie no longer works.
    let response = client
        .delete(server.url("/api/session"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = client.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

pub(crate) async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let count_sites = || async {
        client
            .get(server.url("/api/sites"))
            .send()
            .await
            .unwrap()
            .json::<Vec<serde_json::Value>>()
            .await
            .unwrap()
            .len()
    };
    let before = count_sites().await;

    // Wrong password: 401 and nothing that says which half was wrong.
    let response = http_client()
        .post(server.url("/api/session"))
        .json(&serde_json::json!({"username": "demo", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(response).await,
        (401, "invalid username or password".into())
    );

    // Invalid JSON: 400 naming line and column.
    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{\"name\": \"x\",\n \"kind\": }")
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 400);
    assert!(message.contains("line 2"), "{message}");

    // Unknown site kind: 422 naming the accepted kinds.
    let mut body = site_body("Car park");
    body["kind"] = "car_park".into();
    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 422);
    assert!(
        message.contains("car_park") && message.contains("square"),
        "{message}"
    );

    // A ring that does not close, and one that crosses itself.
    let mut body = site_body("Open ring");
    body["polygon"] = serde_json::json!({"type": "Polygon", "coordinates": [[[11.57, 48.13], [11.58, 48.13], [11.58, 48.14]]]});
    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 422);
    assert!(message.contains("exterior ring"), "{message}");
    let mut body = site_body("Bow tie");
    body["polygon"] = serde_json::json!({"type": "Polygon", "coordinates": [[[11.57, 48.13], [11.58, 48.14], [11.58, 48.13], [11.57, 48.14], [11.57, 48.13]]]});
    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 422);
    assert!(message.contains("polygon"), "{message}");

    // A GeoJSON import whose second feature is bad stores nothing at all.
    let import = format!(
        r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","geometry":{ODEONSPLATZ_CORNER},"properties":{{"name":"Fine","kind":"square"}}}},
            {{"type":"Feature","geometry":{ODEONSPLATZ_CORNER},"properties":{{"name":"Bad","kind":"parking_lot"}}}}]}}"#
    );
    let response = client
        .post(server.url("/api/sites/import"))
        .header("x-csrf-token", &csrf)
        .body(import)
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with("feature 1: properties.kind"),
        "{message}"
    );

    // A truncated PBF upload: 400 with the importer's message, no crash.
    let extract = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/demo/munich-altstadt-2020.osm.pbf"
    ))
    .unwrap();
    let response = client
        .post(server.url("/api/osm/candidates"))
        .header("x-csrf-token", &csrf)
        .body(extract[..extract.len() / 2].to_vec())
        .send()
        .await
        .unwrap();
    let (status, message) = error_of(response).await;
    assert_eq!(status, 400, "{message}");
    assert!(!message.is_empty());

    // Writes without the CSRF header, or announced as cross-site by the browser, are refused.
    let response = client
        .post(server.url("/api/sites"))
        .json(&site_body("No token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = client
        .post(server.url("/api/sites"))
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&site_body("Cross site"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    assert_eq!(
        count_sites().await,
        before,
        "nothing was stored by the bad requests"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_the_security_headers_and_speak_french_when_asked() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let response = http_client()
        .get(server.url("/login"))
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("Connexion à Agora"));

    // The login form sets an HttpOnly, SameSite=Strict session cookie.
    let response = http_client()
        .post(server.url("/login"))
        .form(&[("username", "demo"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

/// The value of the hidden `csrf_token` field in a page.
fn csrf_field(html: &str) -> String {
    let start = html
        .find("name=\"csrf_token\" value=\"")
        .expect("a csrf field")
        + 25;
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_pages_turn_an_osm_upload_into_sites_and_explain_bad_input() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let response = client
        .post(server.url("/login"))
        .form(&[("username", "demo"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let import_page = client
        .get(server.url("/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_field(&import_page);

    // Upload the Berlin extract (PBF) and get its candidates listed.
    let berlin = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../osm_import/tests/data/berlin-grosser-stern-2017-10.osm.pbf"
    ))
    .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(berlin).file_name("berlin.osm.pbf"),
        );
    let response = client
        .post(server.url("/import/osm"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let candidates_page = response.text().await.unwrap();
    assert!(
        candidates_page.contains("name=\"pick\" value=\"0\""),
        "no candidates listed"
    );
    let collection_start = candidates_page
        .find("<textarea name=\"collection\" hidden>")
        .unwrap()
        + 35;
    let collection_end = candidates_page[collection_start..]
        .find("</textarea>")
        .unwrap();
    let collection = candidates_page[collection_start..collection_start + collection_end]
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let before = client
        .get(server.url("/api/sites"))
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .len();
    let response = client
        .post(server.url("/import/candidates"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("collection", collection.as_str()),
            ("pick", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/sites?notice=imported&count=1"
    );
    let after = client
        .get(server.url("/api/sites"))
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .len();
    assert_eq!(after, before + 1);

    // A form without the session's token is refused.
    let response = client
        .post(server.url("/import/candidates"))
        .form(&[
            ("csrf_token", "forged"),
            ("collection", collection.as_str()),
            ("pick", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // A site form with a ring that crosses itself comes back with the problem named, and the
    // fields as typed.
    let response = client
        .post(server.url("/sites"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "Bow tie"),
            ("kind", "square"),
            ("polygon", r#"{"type":"Polygon","coordinates":[[[11.57,48.13],[11.58,48.14],[11.58,48.13],[11.57,48.14],[11.57,48.13]]]}"#),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"form-error\""), "{page}");
    assert!(
        page.contains("polygon: polygon:"),
        "the message names the field: {page}"
    );
    assert!(page.contains("value=\"Bow tie\""));

    // A GeoJSON upload that is not JSON names the line and column.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                b"{\"type\": \"FeatureCollection\",\n \"features\": [}".to_vec(),
            )
            .file_name("sites.geojson"),
        );
    let response = client
        .post(server.url("/import/geojson"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("line 2, column"), "{page}");
}

/// The same durability story on PostgreSQL, when `AGORA_TEST_POSTGRES_URL` names a server (CI sets
/// it): `agora serve --db postgres://...` in a schema of its own, dropped afterwards.
#[tokio::test(flavor = "multi_thread")]
async fn the_server_runs_on_postgresql_and_keeps_acknowledged_writes() {
    let Ok(base_url) = std::env::var("AGORA_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must set AGORA_TEST_POSTGRES_URL"
        );
        eprintln!("skipped: AGORA_TEST_POSTGRES_URL is not set");
        return;
    };
    let schema = format!(
        "agora_e2e_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let database_url = format!("{base_url}{separator}schema={schema}");
    let outcome = async move {
        let server =
            Server::start_url(&database_url, &["--demo", "--demo-password", DEMO_PASSWORD]);
        assert!(
            server.banner[0].contains("database: postgres"),
            "{:?}",
            server.banner
        );
        let client = http_client();
        let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
        let created: serde_json::Value = client
            .post(server.url("/api/sites"))
            .header("x-csrf-token", &csrf)
            .json(&site_body("Odeonsplatz stage"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap().to_string();
        server.kill();
        let server =
            Server::start_url(&database_url, &["--demo", "--demo-password", DEMO_PASSWORD]);
        let client = http_client();
        api_login(&client, &server, DEMO_PASSWORD).await;
        let found: serde_json::Value =
            get_json(&client, &server.url(&format!("/api/sites/{id}"))).await;
        assert_eq!(found["name"], "Odeonsplatz stage");
        let sites: Vec<serde_json::Value> = get_json(&client, &server.url("/api/sites")).await;
        assert_eq!(sites.len(), 7, "six demo sites and the new one");
    };
    // Drop the schema whether or not the story passed.
    let result = tokio::spawn(outcome).await;
    store::PostgresStore::drop_schema(&base_url, &schema)
        .await
        .expect("dropping the test schema");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn administrators_add_colleagues_and_read_the_audit_trail_in_the_ui() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let admin = http_client();
    admin
        .post(server.url("/login"))
        .form(&[("username", "demo"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let page = admin
        .get(server.url("/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"user-form\""),
        "administrators get the add-user form"
    );
    let csrf = csrf_field(&page);

    // A password that is too short comes back with the rule named and the username kept.
    let response = admin
        .post(server.url("/users"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "anna.planner"),
            ("role", "viewer"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("at least 12 characters"), "{page}");
    assert!(page.contains("value=\"anna.planner\""));

    let response = admin
        .post(server.url("/users"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "anna.planner"),
            ("display_name", "Anna Planner"),
            ("role", "viewer"),
            ("password", "a long enough passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = admin
        .get(server.url("/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Anna Planner"));

    // The new viewer can log in, sees no add-user form, and may neither add users nor read the trail.
    let viewer = http_client();
    let response = viewer
        .post(server.url("/login"))
        .form(&[
            ("username", "anna.planner"),
            ("password", "a long enough passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let page = viewer
        .get(server.url("/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("id=\"user-form\""));
    let viewer_csrf = csrf_field(&page);
    let response = viewer
        .post(server.url("/users"))
        .form(&[
            ("csrf_token", viewer_csrf.as_str()),
            ("username", "mallory"),
            ("role", "admin"),
            ("password", "a long enough passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        viewer
            .get(server.url("/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let trail = admin
        .get(server.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        trail.contains("login_succeeded") && trail.contains("user_created"),
        "{trail}"
    );
    assert!(trail.contains("anna.planner"));
}

#[tokio::test]
async fn vehicle_approach_studies_run_and_read_through_the_api() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let marienplatz = site_id_named(&client, &server, "Marienplatz").await;
    let path = format!("/api/sites/{marienplatz}/hvm-studies");
    let run = |body: serde_json::Value, csrf: Option<&str>| {
        post_json(&client, &server, &path, &body, csrf).send()
    };

    let response = run(serde_json::json!({"vehicles": ["M1"]}), Some(&csrf))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    let study_id = created["study"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["study"]["kind"], "vehicle_approach");
    assert!(
        created["study"]["engine_version"]
            .as_str()
            .unwrap()
            .starts_with("vehicle_approach ")
    );
    assert_eq!(created["study"]["map_sha256"].as_str().unwrap().len(), 64);
    let entries = created["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .any(|entry| entry["vehicles"][0]["status"] == "open")
    );

    let studies: Vec<serde_json::Value> = get_json(
        &client,
        &server.url(&format!("/api/sites/{marienplatz}/studies")),
    )
    .await;
    assert_eq!(studies.len(), 1);
    assert!(
        studies[0].get("result").is_none(),
        "lists leave the result out"
    );
    let study: serde_json::Value =
        get_json(&client, &server.url(&format!("/api/studies/{study_id}"))).await;
    assert!(study["result"]["analysis"]["entries"].is_array());
    let listed: Vec<serde_json::Value> = get_json(
        &client,
        &server.url(&format!("/api/studies/{study_id}/entries")),
    )
    .await;
    assert_eq!(&listed, entries);
    let response = client
        .get(server.url(&format!("/api/studies/{study_id}/geojson")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let geojson: serde_json::Value = response.json().await.unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");

    // Bad input: named, nothing stored.
    let (status, message) = error_of(
        run(serde_json::json!({"vehicles": ["X9"]}), Some(&csrf))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(message.contains("X9"), "{message}");
    let (status, message) = error_of(
        run(serde_json::json!({"vehicle": ["M1"]}), Some(&csrf))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(message.contains("vehicle"), "{message}");
    let (status, message) = error_of(
        run(
            serde_json::json!({"openings": [{"at": [11.575, 48.137], "width_m": -2}]}),
            Some(&csrf),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(message.contains("openings[0].width_m"), "{message}");
    let response = run(serde_json::json!({}), None).await.unwrap();
    assert_eq!(
        response.status(),
        403,
        "a write without the CSRF token is refused"
    );
    let studies: Vec<serde_json::Value> = get_json(
        &client,
        &server.url(&format!("/api/sites/{marienplatz}/studies")),
    )
    .await;
    assert_eq!(studies.len(), 1);
    let response = client
        .get(server.url("/api/studies/00000000-0000-0000-0000-000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let document: serde_json::Value = get_json(&client, &server.url("/api/openapi.json")).await;
    for path in ["/api/sites/{id}/hvm-studies", "/api/studies/{id}/geojson"] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}
