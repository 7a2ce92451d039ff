//! Vulnerability assessments on the real binary (issue 5): the REST API from start to final, the
//! refusals that keep a final assessment unchanged through every path (API, web form posts,
//! `agora assess`), evidence uploads, the dashboard, and `agora assess` with the example file,
//! whose figures are checked against an independent computation of FEMA 452's T × V × C.

use std::path::Path;

use crate::command_line::{DEMO_EXTRACT, agora, stderr, stdout, succeed};
use crate::server::{DEMO_PASSWORD, Server, api_login, get_json, http_client};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/assessment-marienplatz.toml"
);

async fn status_and_body(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assessment_through_the_api_and_a_final_one_refuses_every_change() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    let server = Server::start_demo(&database);
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let sites: Vec<serde_json::Value> = get_json(&client, &server.url("/api/sites")).await;
    let marienplatz = sites
        .iter()
        .find(|site| site["draft"]["name"] == "Marienplatz" || site["name"] == "Marienplatz")
        .expect("the demo has Marienplatz");
    let site_id = marienplatz["id"].as_str().unwrap().to_string();

    // Start.
    let (status, started) = status_and_body(
        client
            .post(server.url(&format!("/api/sites/{site_id}/assessments")))
            .header("X-CSRF-Token", &csrf)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["status"], "draft");
    assert_eq!(started["version"], 1);
    let id = started["id"].as_str().unwrap().to_string();
    let assessment_url = server.url(&format!("/api/assessments/{id}"));

    // Bad input names the field; nothing is saved.
    for (body, expected) in [
        (
            serde_json::json!({"expected_version": 1, "assessment": {"answers": {"vr.moat": 2}}}),
            "answers.vr.moat: no such question in questionnaire public-space v1",
        ),
        (
            serde_json::json!({"expected_version": 1, "assessment": {"answers": {"vr.run_up": 9}}}),
            "answers.vr.run_up: grade 9 is out of range 1-5",
        ),
        (
            serde_json::json!({"expected_version": 1, "assessment": {"threat_likelihoods": {"firearms": 0}}}),
            "threat_likelihoods.firearms: 0 is out of range 1-10",
        ),
        (
            serde_json::json!({"expected_version": 1, "assessment": {"overrides": [
                {"threat": "arson", "factor": "vulnerability", "value": 4, "justification": ""}]}}),
            "overrides[0] (arson vulnerability): a manual override needs a written justification",
        ),
    ] {
        let (status, error) = status_and_body(
            client
                .put(&assessment_url)
                .header("X-CSRF-Token", &csrf)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, error["error"].as_str().unwrap()), (400, expected));
    }
    let unchanged: serde_json::Value = get_json(&client, &assessment_url).await;
    assert_eq!(unchanged["version"], 1);

    // Save (T 6, V from grade 2 = 7.75, C from grade 1 = 10), then a stale save.
    let answers = serde_json::json!({
        "answers": {"vr.entry_barriers": 2, "site.peak_occupancy": 1},
        "threat_likelihoods": {"vehicle_ramming": 6},
        "notes": {"vr.entry_barriers": "Bollards at Weinstraße only"}
    });
    let (status, saved) = status_and_body(
        client
            .put(&assessment_url)
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"expected_version": 1, "assessment": answers}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 2);
    let ramming = &saved["scored"]["threats"][0];
    assert_eq!(ramming["threat"], "vehicle_ramming");
    // No study of Marienplatz has run in this database: 6 × 7.75 × 10 = 465.
    assert_eq!(ramming["risk"]["value"], 465.0);
    assert_eq!(ramming["risk"]["band"], "high");
    assert_eq!(
        ramming["vulnerability"]["contributions"][0]["question"],
        "vr.entry_barriers"
    );
    let (status, stale) = status_and_body(
        client
            .put(&assessment_url)
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"expected_version": 1, "assessment": answers}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "{stale}");

    // Evidence: accepted by content, refused by size or type.
    let evidence_url = |name: &str| {
        server.url(&format!(
            "/api/assessments/{id}/evidence?file_name={name}&question=vr.entry_barriers"
        ))
    };
    let (status, evidence) = status_and_body(
        client
            .post(evidence_url("walk.txt"))
            .header("X-CSRF-Token", &csrf)
            .body("Site walk 2026-11-20: bollards at Weinstraße only")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{evidence}");
    assert_eq!(evidence["content_type"], "text/plain");
    let download = client
        .get(server.url(&format!(
            "/api/evidence/{}",
            evidence["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "text/plain");
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        download.text().await.unwrap(),
        "Site walk 2026-11-20: bollards at Weinstraße only"
    );
    for (name, body, expected) in [
        (
            "big.txt",
            vec![b'a'; 10 * 1024 * 1024 + 1],
            "over the limit of 10 MiB",
        ),
        (
            "photo.png",
            b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
            "is not a PNG or JPEG image, a PDF or plain text",
        ),
    ] {
        let (status, error) = status_and_body(
            client
                .post(evidence_url(name))
                .header("X-CSRF-Token", &csrf)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{error}");
        assert!(
            error["error"].as_str().unwrap().contains(expected),
            "{error}"
        );
    }

    // Finalise.
    let (status, finalised) = status_and_body(
        client
            .post(server.url(&format!("/api/assessments/{id}/finalise")))
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"expected_version": 2}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{finalised}");
    assert_eq!(finalised["status"], "final");
    assert_eq!(finalised["version"], 3);

    // Every write to it is refused through the API, naming the way forward ...
    let refusals = [
        client
            .put(&assessment_url)
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"expected_version": 3, "assessment": answers}))
            .send()
            .await
            .unwrap(),
        client
            .post(server.url(&format!("/api/assessments/{id}/finalise")))
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"expected_version": 3}))
            .send()
            .await
            .unwrap(),
        client
            .post(evidence_url("late.txt"))
            .header("X-CSRF-Token", &csrf)
            .body("late")
            .send()
            .await
            .unwrap(),
    ];
    for response in refusals {
        let (status, error) = status_and_body(response).await;
        assert_eq!(status, 409, "{error}");
        let message = error["error"].as_str().unwrap();
        assert!(
            message.contains("is final and cannot be changed")
                && message.contains("start a new assessment of the site that supersedes it"),
            "{message}"
        );
    }

    // ... through the web form posts (with a valid session and synchronizer token) ...
    for (path, form) in [
        (
            format!("/assessments/{id}"),
            vec![
                ("csrf_token", csrf.as_str()),
                ("version", "3"),
                ("answer:vr.entry_barriers", "5"),
            ],
        ),
        (
            format!("/assessments/{id}/finalise"),
            vec![
                ("csrf_token", csrf.as_str()),
                ("version", "3"),
                ("confirm", "yes"),
            ],
        ),
    ] {
        let response = client
            .post(server.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 409, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("is final and cannot be changed"), "{page}");
    }
    let evidence_form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.clone())
        .text("question", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"late".to_vec()).file_name("late.txt"),
        );
    let response = client
        .post(server.url(&format!("/assessments/{id}/evidence")))
        .multipart(evidence_form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    // ... and through the command line, on the same database.
    let output = agora(
        &database,
        &[
            "assess",
            "--site",
            "Marienplatz",
            "--file",
            EXAMPLE,
            "--assessment",
            &id,
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is final and cannot be changed"),
        "{}",
        stderr(&output)
    );
    let still: serde_json::Value = get_json(&client, &assessment_url).await;
    assert_eq!(still, finalised, "the final assessment is unchanged");

    // A new assessment supersedes it; the two compare side by side; the dashboard ranks it.
    let (status, second) = status_and_body(
        client
            .post(server.url(&format!("/api/sites/{site_id}/assessments")))
            .header("X-CSRF-Token", &csrf)
            .json(&serde_json::json!({"supersede": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["supersedes"], id.as_str());
    assert_eq!(second["input"]["answers"]["vr.entry_barriers"], 2);
    let comparison: serde_json::Value = get_json(
        &client,
        &server.url(&format!(
            "/api/assessments/compare?before={id}&after={}",
            second["id"].as_str().unwrap()
        )),
    )
    .await;
    assert_eq!(comparison["changes"]["answers"], serde_json::json!([]));
    let dashboard: serde_json::Value = get_json(&client, &server.url("/api/dashboard")).await;
    assert_eq!(dashboard["ranked"][0]["name"], "Marienplatz");
    assert_eq!(
        dashboard["ranked"][0]["latest"]["highest"][1]["value"],
        465.0
    );
    assert_eq!(dashboard["ranked"][0]["draft_in_progress"], true);
    assert_eq!(dashboard["ranked"].as_array().unwrap().len(), 1);
    assert!(dashboard["never_assessed"].as_array().unwrap().len() >= 5);
    let page = client
        .get(server.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Marienplatz") && page.contains("465"),
        "{page}"
    );
    let openapi: serde_json::Value = get_json(&client, &server.url("/api/openapi.json")).await;
    for path in [
        "/api/sites/{id}/assessments",
        "/api/assessments/{id}",
        "/api/assessments/{id}/finalise",
        "/api/assessments/{id}/evidence",
        "/api/evidence/{id}",
        "/api/assessments/compare",
        "/api/dashboard",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} missing");
    }
}

fn assessor_city(database: &Path) {
    succeed(database, &["org", "add", "Stadt München", "--kind", "city"]);
    succeed(
        database,
        &[
            "user",
            "add",
            "--org",
            "Stadt München",
            "--username",
            "assessor",
            "--role",
            "assessor",
        ],
    );
    succeed(
        database,
        &[
            "import",
            "osm",
            DEMO_EXTRACT,
            "--add",
            "relation/7366154",
            "--as",
            "assessor",
        ],
    );
}

/// The table's line of a threat, without its spacing.
fn table_line(table: &str, threat: &str) -> String {
    table
        .lines()
        .find(|line| line.starts_with(&format!("{threat} ")))
        .unwrap_or_else(|| panic!("no line for {threat} in\n{table}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn agora_assess_scores_the_example_file_and_names_bad_fields_with_their_line() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    assessor_city(&database);

    let table = succeed(
        &database,
        &[
            "assess",
            "--site",
            "Marienplatz",
            "--file",
            EXAMPLE,
            "--as",
            "assessor",
        ],
    );
    // Independent computation (Python over the questionnaire TOML and the example file, FEMA
    // 452's T × V × C with grade g scored 10 - (g - 1) × 9/4 and each question's weight):
    // vehicle ramming V = 6.586, C = 7.648, risk 6 × 6.586 × 7.648 = 302.22; edged weapon V =
    // 5.05, C overridden to 8, risk 5 × 5.05 × 8 = 202.
    assert_eq!(
        table_line(&table, "vehicle_ramming"),
        "vehicle_ramming 6 6.59 7.65 302.22 high"
    );
    assert_eq!(
        table_line(&table, "edged_weapon"),
        "edged_weapon 5 5.05 8 202 high"
    );
    assert_eq!(table_line(&table, "firearms"), "firearms - 4.94 7.33 -");
    assert!(table.contains("draft, TLP:AMBER, version 1"), "{table}");
    assert!(
        table.contains("manual override to 8; justification: Police briefing of 2026-11"),
        "{table}"
    );
    assert!(
        table.contains("answer vr.entry_barriers: grade 2 -> 7.75 x weight 3"),
        "{table}"
    );

    // Finalise, then show.
    let finalised = succeed(
        &database,
        &[
            "assess",
            "--site",
            "Marienplatz",
            "--file",
            EXAMPLE,
            "--finalise",
            "--as",
            "assessor",
        ],
    );
    assert!(finalised.contains("final, TLP:AMBER"), "{finalised}");
    let shown = succeed(
        &database,
        &[
            "assess",
            "--site",
            "Marienplatz",
            "--show",
            "--as",
            "assessor",
        ],
    );
    assert_eq!(
        table_line(&shown, "vehicle_ramming"),
        "vehicle_ramming 6 6.59 7.65 302.22 high"
    );

    // Bad files: the field and the line; nothing saved.
    let bad = directory.path().join("bad.toml");
    for (content, expected) in [
        (
            "questionnaire = \"public-space\"\nversion = \"1\"\n\n[answers]\n\"site.symbolism\" = 2\n\"vr.moat_depth\" = 3\n",
            "line 6: answers.vr.moat_depth: no such question in questionnaire public-space v1",
        ),
        (
            "questionnaire = \"public-space\"\nversion = \"1\"\n\n[threat_likelihoods]\nfirearms = 11\n",
            "line 5: threat_likelihoods.firearms: 11 is out of range 1-10",
        ),
        (
            "questionnaire = \"public-space\"\nversion = \"1\"\n\n[[overrides]]\nthreat = \"arson\"\nfactor = \"consequence\"\nvalue = 7\njustification = \"\"\n",
            "line 4: overrides[0] (arson consequence): a manual override needs a written justification",
        ),
        (
            "questionnaire = \"public-space\"\nversion = \"1\"\n[answers]\n\"vr.run_up\" = \"high\"\n",
            "line 4",
        ),
        (
            "questionnaire = \"public-space\"\nversion = \"7\"\n",
            "line 2: questionnaire/version: public-space v7 is not the questionnaire this Agora has",
        ),
    ] {
        std::fs::write(&bad, content).unwrap();
        let output = agora(
            &database,
            &[
                "assess",
                "--site",
                "Marienplatz",
                "--file",
                bad.to_str().unwrap(),
                "--as",
                "assessor",
            ],
        );
        assert!(!output.status.success(), "{content}");
        assert!(
            stderr(&output).contains(expected),
            "{}\nexpected: {expected}",
            stderr(&output)
        );
    }
    let shown = stdout(&agora(
        &database,
        &[
            "assess",
            "--site",
            "Marienplatz",
            "--show",
            "--as",
            "assessor",
        ],
    ));
    // The bad files stored nothing: no new draft, the latest is still the final assessment.
    assert!(shown.contains("final, TLP:AMBER, version 3"), "{shown}");
}
