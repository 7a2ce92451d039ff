//! Crowd studies of a stored site end to end (issue 4, item 4): `agora crowd run --site` on the
//! real binary, and the REST API of a running server (run, read, the density frames, bad input,
//! the OpenAPI document).

use crate::api::error_of;
use crate::command_line::{city_with_marienplatz, fail, succeed};
use crate::server::{
    DEMO_PASSWORD, Server, api_login, get_json, http_client, post_json, site_id_named,
};

#[test]
fn crowd_run_simulates_a_stored_site_and_names_bad_input() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    city_with_marienplatz(&database);
    // `agora crowd run --site Marienplatz --as planner` and more.
    let on_marienplatz = |more: &[&'static str]| {
        let mut arguments = vec!["crowd", "run", "--site", "Marienplatz", "--as", "planner"];
        arguments.extend_from_slice(more);
        arguments
    };
    let arguments = on_marienplatz(&["--population", "150", "--seed", "5", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&succeed(&database, &arguments)).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["agents"], 150);
    assert_eq!(summary["agents_evacuated"], 150);
    let evacuation = summary["evacuation_time_s"].as_f64().unwrap();
    let peak = summary["peak_density_per_m2"].as_f64().unwrap();
    assert!(peak > 0.0 && peak < 7.22, "{peak}");
    let exits = report["exits"].as_array().unwrap();
    assert!(exits.len() >= 4, "{exits:?}");
    assert_eq!(
        exits
            .iter()
            .map(|exit| exit["count"].as_u64().unwrap())
            .sum::<u64>(),
        150
    );
    // The last person leaves with the last departure at some exit.
    let last = exits
        .iter()
        .filter_map(|exit| exit["last_exit_s"].as_f64())
        .fold(0.0, f64::max);
    assert_eq!(last, evacuation);
    assert_eq!(report["map_sha256"].as_str().unwrap().len(), 64);

    // The table names the figures; the same run gives the same numbers, and both are stored.
    let table = succeed(
        &database,
        &on_marienplatz(&["--population", "150", "--seed", "5"]),
    );
    assert!(table.contains("Crowd evacuation of Marienplatz"), "{table}");
    assert!(
        table.contains(&format!("evacuation_time_s     {evacuation:.1}")),
        "{table}"
    );
    assert!(table.contains("Kaufingerstraße"), "{table}");
    // What sets the evacuation time, and the free walk it is compared with (the JSON's).
    let free_walk = report["free_walk_time_s"].as_f64().unwrap();
    assert!(
        free_walk > 0.0 && free_walk <= evacuation + 1.0 / 0.46 + 0.1,
        "{free_walk}"
    );
    assert!(
        table.contains(&format!("free_walk_time_s      {free_walk:.1}")),
        "{table}"
    );
    assert!(table.contains("\nlimited_by            "), "{table}");
    assert!(report["evacuation_limit"]["kind"].is_string(), "{report}");
    // People may take the quickest exit instead of the nearest; the choice is checked.
    let quickest: serde_json::Value = serde_json::from_str(&succeed(
        &database,
        &on_marienplatz(&[
            "--population",
            "150",
            "--seed",
            "5",
            "--exit-choice",
            "quickest",
            "--format",
            "json",
        ]),
    ))
    .unwrap();
    assert_eq!(quickest["summary"]["agents_evacuated"], 150);
    let error = fail(&database, &on_marienplatz(&["--exit-choice", "fastest"]));
    assert!(error.contains("fastest"), "{error}");

    // Bad input, named.
    let error = fail(&database, &on_marienplatz(&["--density", "12"]));
    assert!(error.contains("population.density_per_m2"), "{error}");
    let error = fail(
        &database,
        &["crowd", "run", "--site", "Stachus", "--as", "planner"],
    );
    assert!(error.contains("no site named 'Stachus'"), "{error}");
    let error = fail(&database, &["crowd", "run"]);
    assert!(error.contains("SCENARIO"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn crowd_studies_run_and_read_through_the_api() {
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let marienplatz = site_id_named(&client, &server, "Marienplatz").await;
    let path = format!("/api/sites/{marienplatz}/crowd-studies");
    let run = |body: serde_json::Value, csrf: Option<&str>| {
        post_json(&client, &server, &path, &body, csrf).send()
    };

    let response = run(
        serde_json::json!({"population": {"count": 120}, "seed": 2, "premovement_s": {"min": 0, "max": 5}}),
        Some(&csrf),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    let study_id = created["study"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["study"]["kind"], "crowd");
    assert!(
        created["study"]["engine_version"]
            .as_str()
            .unwrap()
            .starts_with("crowd_sim ")
    );
    assert_eq!(created["summary"]["agents"], 120);
    assert_eq!(created["summary"]["agents_evacuated"], 120);
    // Pre-movement of up to 5 s delays the first departure by at most that.
    let evacuation = created["summary"]["evacuation_time_s"].as_f64().unwrap();
    assert!(evacuation > 5.0, "{evacuation}");
    assert!(created["exits"].as_array().unwrap().len() >= 4);
    // The free walk (pre-movement included) cannot end more than the slowest walker's last
    // metre (1 m / 0.46 m/s) after the evacuation; what set the evacuation time is named.
    let free_walk = created["free_walk_time_s"].as_f64().unwrap();
    assert!(
        free_walk > 0.0 && free_walk <= evacuation + 2.3,
        "{free_walk}"
    );
    let kind = created["evacuation_limit"]["kind"].as_str().unwrap();
    assert!(["walking", "exit", "on_the_way"].contains(&kind), "{kind}");

    // GET /api/studies/{id} works for crowd studies; /crowd gives the frames for the map.
    let study: serde_json::Value =
        get_json(&client, &server.url(&format!("/api/studies/{study_id}"))).await;
    assert_eq!(study["summary"], created["summary"]);
    assert_eq!(study["inputs"]["request"]["seed"], 2);
    let crowd: serde_json::Value = get_json(
        &client,
        &server.url(&format!("/api/studies/{study_id}/crowd")),
    )
    .await;
    assert_eq!(crowd, study["result"]);
    let density = &crowd["density"];
    let cells = density["nx"].as_u64().unwrap() * density["ny"].as_u64().unwrap();
    let frames = density["frames"].as_array().unwrap();
    assert!(frames.len() > 2);
    assert_eq!(frames[0]["counts"].as_array().unwrap().len() as u64, cells);
    assert_eq!(
        density["level_of_service_at_peak"]
            .as_str()
            .unwrap()
            .chars()
            .count() as u64,
        cells
    );
    // A vehicle-approach route on a crowd study is "not found".
    let response = client
        .get(server.url(&format!("/api/studies/{study_id}/entries")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // Bad input: named, nothing stored.
    let (status, message) = error_of(
        run(serde_json::json!({"population": {"count": 0}}), Some(&csrf))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(message.contains("population.count"), "{message}");
    let (status, message) = error_of(
        run(serde_json::json!({"populaton": "capacity"}), Some(&csrf))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(message.contains("populaton"), "{message}");
    let (status, message) = error_of(
        run(
            serde_json::json!({"obstacles": [[[11.5755, 48.1372], [11.5756, 48.1372]]]}),
            Some(&csrf),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(message.contains("obstacles[0]"), "{message}");
    let response = run(serde_json::json!({}), None).await.unwrap();
    assert_eq!(response.status(), 403, "a write without the CSRF token");
    let studies: Vec<serde_json::Value> = get_json(
        &client,
        &server.url(&format!("/api/sites/{marienplatz}/studies")),
    )
    .await;
    assert_eq!(studies.len(), 1);

    // The same study in the background: 202 with the job, followed to the study it stores.
    let jobs_path = format!("/api/sites/{marienplatz}/crowd-jobs");
    let body = serde_json::json!({"population": {"count": 120}, "seed": 2, "premovement_s": {"min": 0, "max": 5}});
    let response = post_json(&client, &server, &jobs_path, &body, Some(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let job: serde_json::Value = response.json().await.unwrap();
    assert_eq!(job["site_id"].as_str(), Some(marienplatz.as_str()));
    let job_url = server.url(&format!("/api/jobs/{}", job["id"].as_str().unwrap()));
    let started = std::time::Instant::now();
    let done = loop {
        let job: serde_json::Value = get_json(&client, &job_url).await;
        match job["state"].as_str() {
            Some("running") => assert!(job["fraction"].as_f64().unwrap() <= 1.0, "{job}"),
            Some("done") => break job,
            _ => panic!("unexpected job state: {job}"),
        }
        assert!(started.elapsed().as_secs() < 300, "the job never ended");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let background: serde_json::Value = get_json(
        &client,
        &server.url(&format!("/api/studies/{}", done["study"].as_str().unwrap())),
    )
    .await;
    assert_eq!(
        background["summary"], created["summary"],
        "same request, same study"
    );
    let (status, message) = error_of(
        post_json(
            &client,
            &server,
            &jobs_path,
            &serde_json::json!({"population": {"count": 0}}),
            Some(&csrf),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "bad input is refused before a job starts");
    assert!(message.contains("population.count"), "{message}");
    let response = client
        .get(server.url("/api/jobs/not-a-job"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let document: serde_json::Value = get_json(&client, &server.url("/api/openapi.json")).await;
    for path in [
        "/api/sites/{id}/crowd-studies",
        "/api/studies/{id}/crowd",
        "/api/sites/{id}/crowd-jobs",
        "/api/jobs/{id}",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}
