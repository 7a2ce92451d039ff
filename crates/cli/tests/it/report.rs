//! `agora report` and `agora plans` on the real binary (issue 5, items 5 and 7): a site report and
//! a city report written as PDF and HTML, read back with pdftotext; bad input named.

use std::path::Path;
use std::process::Command;

use crate::command_line::{city_with_marienplatz, fail, succeed};

/// The text of a PDF file, or None where pdftotext is missing outside CI.
fn pdf_text(path: &Path) -> Option<String> {
    match Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(output) => {
            assert!(
                output.status.success(),
                "pdftotext {}: {output:?}",
                path.display()
            );
            Some(String::from_utf8(output.stdout).unwrap())
        }
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("pdftotext (Debian poppler-utils) is missing and CI is set")
        }
        Err(_) => None,
    }
}

/// A city with Marienplatz, its base map and a vehicle-approach study of it.
pub(crate) fn marienplatz_with_a_study(database: &Path) {
    city_with_marienplatz(database);
    succeed(
        database,
        &[
            "hvm",
            "--site",
            "Marienplatz",
            "--as",
            "planner",
            "--vehicle",
            "N3C",
        ],
    );
}

#[test]
fn reports_are_written_as_pdf_and_html_and_bad_requests_are_named() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("agora.db");
    marienplatz_with_a_study(&database);

    let pdf = directory.path().join("marienplatz.pdf");
    let html = directory.path().join("marienplatz.html");
    succeed(
        &database,
        &[
            "report",
            "--site",
            "Marienplatz",
            "--pdf",
            pdf.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--as",
            "planner",
        ],
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..100]);
    assert!(page.contains("Site report: Marienplatz") && page.contains("<svg"));
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Site report: Marienplatz"), "{text}");
        assert!(text.contains("TLP:AMBER"), "{text}");
        assert!(
            text.contains("V/7200[N3C]/"),
            "the lorry's required rating:\n{text}"
        );
    }
    assert!(
        !directory.path().join("marienplatz.pdf.partial").exists(),
        "no partial file left behind"
    );

    // In French, the city's report.
    let city = directory.path().join("ville.pdf");
    succeed(
        &database,
        &[
            "report",
            "--city",
            "--pdf",
            city.to_str().unwrap(),
            "--lang",
            "fr",
            "--as",
            "planner",
        ],
    );
    if let Some(text) = pdf_text(&city) {
        assert!(text.contains("Rapport de ville : Stadt München"), "{text}");
        assert!(text.contains("Marienplatz"), "{text}");
    }

    let error = fail(
        &database,
        &[
            "report", "--site", "Nowhere", "--pdf", "x.pdf", "--as", "planner",
        ],
    );
    assert!(error.contains("no site named 'Nowhere'"), "{error}");
    let error = fail(
        &database,
        &[
            "report",
            "--site",
            "Marienplatz",
            "--pdf",
            "x.pdf",
            "--lang",
            "de",
            "--as",
            "planner",
        ],
    );
    assert!(error.contains("--lang: 'de'"), "{error}");
    let error = fail(
        &database,
        &["report", "--site", "Marienplatz", "--as", "planner"],
    );
    assert!(error.contains("--pdf"), "an output is required: {error}");
}

/// Plans and reports through the API and the pages of the demo server: the plans need an
/// assessment (named), reports download as PDF and HTML with the right headers, bad requests are
/// named, the OpenAPI document describes the routes.
#[tokio::test(flavor = "multi_thread")]
async fn plans_and_reports_through_the_api_and_the_pages() {
    use crate::server::{DEMO_PASSWORD, Server, api_login, get_json, http_client};

    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_demo(&directory.path().join("agora.db"));
    let client = http_client();
    let csrf = api_login(&client, &server, DEMO_PASSWORD).await;
    let sites: Vec<serde_json::Value> = get_json(&client, &server.url("/api/sites")).await;
    let marienplatz = sites
        .iter()
        .find(|site| site["name"] == "Marienplatz")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let response = client
        .post(server.url(&format!("/api/sites/{marienplatz}/plans")))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"budget_eur": 500000}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("has no assessment yet"),
        "{body}"
    );
    let response = client
        .post(server.url(&format!("/api/sites/{marienplatz}/plans")))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"budget": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422, "an unknown field is named");

    let response = client
        .get(server.url(&format!(
            "/api/sites/{marienplatz}/report?format=pdf&lang=fr"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"agora-site-marienplatz-"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));

    // The HTML report opens in the browser under a policy that lets nothing run or load.
    let response = client
        .get(server.url(&format!("/sites/{marienplatz}/report.html")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains("Site report: Marienplatz"));

    let response = client
        .get(server.url("/api/reports/city?format=docx"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("format: 'docx'"),
        "{body}"
    );

    // The plans page explains why it has nothing to show yet, and keeps the form.
    let page = client
        .get(server.url(&format!("/sites/{marienplatz}/plans?budget_eur=abc")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"plans-error\"") && page.contains("is not a whole number"),
        "{page}"
    );
    assert!(page.contains("id=\"plans-form\""));
    assert!(
        page.contains("value=\"abc\" id=\"plans-budget\""),
        "the refused budget is shown to correct"
    );

    let document: serde_json::Value = get_json(&client, &server.url("/api/openapi.json")).await;
    for path in [
        "/api/sites/{id}/plans",
        "/api/sites/{id}/report",
        "/api/reports/city",
    ] {
        assert!(document["paths"][path].is_object(), "{path} not documented");
    }
}
