//! The HTML: user text is inert, the page is self-contained and carries the marking.

use report::*;

use crate::support::{PdfFile, generated_at, poppler_available, site_report};

#[test]
fn user_text_with_script_comes_out_inert() {
    let evil = r#"<script>alert("x")</script><img src=x onerror=alert(1)>"#;
    let mut document = Document::new(evil, Marking::Amber, generated_at());
    document.subtitle = Some(evil.to_string());
    document.language = r#"en"><script>"#.to_string();
    let mut table = crate::support::fema_risk_table();
    table.caption = Some(evil.to_string());
    table.columns[0].header = evil.to_string();
    table.rows[0].cells[0] = evil.into();
    document.blocks = vec![
        Block::Heading {
            level: 2,
            text: evil.to_string(),
        },
        Block::Paragraph(Paragraph {
            spans: vec![Span::plain(evil), Span::strong(evil), Span::emphasis(evil)],
        }),
        Block::KeyValues(vec![KeyValue::new(evil, evil)]),
        Block::Table(table),
        Block::Chart(Chart {
            caption: Some(evil.to_string()),
            height_pt: 150.0,
            kind: ChartKind::Bar(BarChart {
                categories: vec![evil.to_string()],
                values: vec![1.0],
                colours: vec![],
                value_axis_title: Some(evil.to_string()),
                value_labels: None,
            }),
        }),
        Block::Map(Map {
            caption: Some(evil.to_string()),
            coordinates: Coordinates::ProjectedMetres,
            features: vec![MapFeature {
                geometry: Geometry::Point([0.0, 0.0]),
                style: Style::point(Rgb::BLACK, MarkerShape::Circle),
                label: Some(evil.to_string()),
            }],
            height_pt: 100.0,
        }),
        Block::Legend(Legend {
            title: Some(evil.to_string()),
            items: vec![LegendItem {
                label: evil.to_string(),
                symbol: LegendSymbol::Area(Rgb::BLACK),
            }],
        }),
    ];
    document.strings.page_of = r#"</style><script>x</script>{page}"#.to_string();
    let html = render_html(&document).unwrap();
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a script element got through");
    assert!(!lower.contains("<img"), "an img element got through");
    assert_eq!(
        lower.matches("</style").count(),
        1,
        "only the real style element closes"
    );
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    // The title, subtitle, heading, paragraph (3 spans), key and value, caption, header, cell,
    // chart caption and aria-label, category, axis title, map caption and aria-label, map
    // label, legend title and item: the text is all there, escaped.
    assert!(
        html.matches("&lt;script&gt;alert").count() >= 20,
        "{}",
        html.matches("&lt;script&gt;alert").count()
    );
}

#[test]
fn html_is_self_contained_and_marked() {
    let html = render_html(&site_report(Marking::AmberStrict)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    // No script, no external resource of any kind.
    let lower = html.to_lowercase();
    for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link"] {
        assert!(!lower.contains(forbidden), "{forbidden} found");
    }
    assert_eq!(lower.matches("<style>").count(), 1);
    // The marking: on screen at the top, beside the date and at the bottom; in print, in the
    // page-margin boxes of every page; in TLP 2.0's colour (amber text on black).
    assert_eq!(html.matches(">TLP:AMBER+STRICT</span>").count(), 3);
    assert!(
        html.contains(r#"@top-right{content:"TLP:AMBER+STRICT";color:#ffc000;background:#000000"#)
    );
    assert!(html.contains(r#"@bottom-right{content:"TLP:AMBER+STRICT""#));
    assert!(html.contains(r#"@bottom-left{content:"Page " counter(page) " of " counter(pages)"#));
    // Maps and charts inline as SVG: one map, one legend, five charts.
    assert_eq!(html.matches("<svg ").count(), 7);
    // The risk table, with its highlighted row and numbers in numeric cells.
    assert!(html.contains(r#"<tr class="highlight"><td>Vehicle ramming</td><td class="num">6</td><td class="num">8</td><td class="num">8</td><td class="num">384</td></tr>"#));
    assert!(html.contains(r#"<th class="num">Risk (1-1000)</th>"#));
    assert!(html.contains("<strong>Vehicle ramming</strong>"));
    assert!(html.contains("Generated 2025-06-01 14:03 UTC"));
    assert!(html.contains(r#"<div class="page-break"></div>"#));
}

#[test]
fn cell_fills_become_classes_with_readable_text() {
    let mut document = Document::new("Fills", Marking::Clear, generated_at());
    document.blocks = vec![Block::Table(Table {
        caption: None,
        columns: vec![Column::text("Band")],
        rows: vec![
            Row::new(vec![Cell::from("high").with_fill(Rgb::new(150, 0, 0))]),
            Row::new(vec![Cell::from("medium").with_fill(Rgb::new(255, 192, 0))]),
        ],
    })];
    let html = render_html(&document).unwrap();
    assert!(html.contains("td.fill-960000{background:#960000}"));
    assert!(html.contains(r#"<td class="fill-960000 dark">high</td>"#));
    assert!(html.contains(r#"<td class="fill-ffc000">medium</td>"#));
}

#[test]
fn numbers_follow_the_documents_decimal_separator() {
    let mut document = Document::new("Nombres", Marking::Clear, generated_at());
    document.language = "fr".to_string();
    document.strings = ReportStrings {
        page_of: "Page {page} sur {pages}".to_string(),
        generated: "Généré le".to_string(),
        continued: "(suite)".to_string(),
        decimal_separator: ',',
    };
    document.blocks = vec![Block::Table(Table {
        caption: None,
        columns: vec![Column::text("Mesure"), Column::number("Coût (k€)", 2)],
        rows: vec![Row::new(vec!["Bornes".into(), 12.5.into()])],
    })];
    let html = render_html(&document).unwrap();
    assert!(html.contains(r#"<td class="num">12,50</td>"#));
    assert!(html.contains(r#"content:"Page " counter(page) " sur " counter(pages)"#));
    assert!(html.contains("<html lang=\"fr\">"));
}

/// Printing the HTML in Chromium (headless, as the end-to-end tests use it) puts the marking
/// in the header and footer of every printed page, through the CSS page-margin boxes.
#[test]
fn printed_html_has_the_marking_on_every_page() {
    let test = "printed_html_has_the_marking_on_every_page";
    if !poppler_available(test) {
        return;
    }
    if std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_err()
    {
        if std::env::var_os("CI").is_some() {
            panic!("{test}: chromium is missing and CI is set; scripts/test installs it");
        }
        eprintln!("{test}: skipped, chromium is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    let pdf_path = dir.path().join("printed.pdf");
    std::fs::write(&html_path, render_html(&site_report(Marking::Red)).unwrap()).unwrap();
    let output = std::process::Command::new("timeout")
        .arg("120")
        .arg("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf_path.display()))
        .arg(format!("file://{}", html_path.display()))
        .output()
        .unwrap();
    assert!(
        pdf_path.exists(),
        "chromium printed nothing: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = PdfFile::new(&std::fs::read(&pdf_path).unwrap());
    let pages: usize = file.info("Pages").parse().unwrap();
    assert!(pages >= 2, "{pages} pages");
    for page in 1..=pages {
        let text = file.text(page, page);
        // Header and footer; page 1 also shows it beside the generation time.
        assert!(text.matches("TLP:RED").count() >= 2, "page {page}:\n{text}");
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "page {page}:\n{text}"
        );
    }
}
