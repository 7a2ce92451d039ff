//! `agora report` and `agora plans` on the real binary (issue 5, items 5 and 7): a site report and
//! a city report written as PDF and HTML, read back with pdftotext; bad input named.

use std::path::Path;
use std::process::Command;

use crate::command_line::{DEMO_EXTRACT, agora, city_with_a_planner, succeed};

fn fail(database: &Path, arguments: &[&str]) -> String {
    let output = agora(database, arguments);
    assert!(!output.status.success(), "agora {arguments:?} should fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The text of a PDF file, or None where pdftotext is missing outside CI.
fn pdf_text(path: &Path) -> Option<String> {
    match Command::new("pdftotext").arg("-layout").arg(path).arg("-").output() {
        Ok(output) => {
            assert!(output.status.success(), "pdftotext {}: {output:?}", path.display());
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
    succeed(
        database,
        &["hvm", "--site", "Marienplatz", "--as", "planner", "--vehicle", "N3C"],
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
        assert!(text.contains("V/7200[N3C]/"), "the lorry's required rating:\n{text}");
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
        &["report", "--site", "Nowhere", "--pdf", "x.pdf", "--as", "planner"],
    );
    assert!(error.contains("no site named 'Nowhere'"), "{error}");
    let error = fail(
        &database,
        &[
            "report", "--site", "Marienplatz", "--pdf", "x.pdf", "--lang", "de", "--as", "planner",
        ],
    );
    assert!(error.contains("--lang: 'de'"), "{error}");
    let error = fail(&database, &["report", "--site", "Marienplatz", "--as", "planner"]);
    assert!(error.contains("--pdf"), "an output is required: {error}");
}
