//! The PDF, read back with poppler-utils: text, marking and page numbers on every page, page
//! count, document info, fonts, table pagination, and text placement against poppler's own
//! Helvetica metrics.

use report::*;

use crate::support::{PdfFile, generated_at, poppler_available, site_report};

#[test]
fn site_report_pdf_has_the_site_name_the_risk_table_and_the_marking() {
    if !poppler_available("site_report_pdf_has_the_site_name_the_risk_table_and_the_marking") {
        return;
    }
    let document = site_report(Marking::Amber);
    let pdf = render_pdf(&document).unwrap();
    // To look at the sample: REPORT_SAMPLES_DIR=/tmp cargo test -p report --test it site_report
    if let Some(dir) = std::env::var_os("REPORT_SAMPLES_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("site_report.pdf"), &pdf.bytes).unwrap();
        std::fs::write(
            dir.join("site_report.html"),
            render_html(&document).unwrap(),
        )
        .unwrap();
    }
    let file = PdfFile::new(&pdf.bytes);
    let text = file.text(1, pdf.page_count);
    assert!(text.contains("Site report: Marienplatz"), "{text}");
    // The risk table: its header and every row, cells in order on one line.
    let layout = file.layout_text(1, pdf.page_count);
    assert!(text.contains("Risk per threat"), "{text}");
    for header in ["Threat", "Vulnerability (1-10)", "Risk (1-1000)"] {
        assert!(text.contains(header), "{header} missing:\n{text}");
    }
    for (threat, risk) in [
        ("Improvised explosive device", "144"),
        ("Vehicle ramming", "384"),
        ("Armed attack", "160"),
        ("Arson", "128"),
    ] {
        let row = layout
            .lines()
            .find(|line| line.trim_start().starts_with(threat))
            .unwrap_or_else(|| panic!("no row for {threat}:\n{layout}"));
        assert!(row.trim_end().ends_with(risk), "{row}");
    }
    // Page 1: text, table, map, legend; 2: the bar chart, too tall for what is left of page
    // 1; a page break; 3: the scatter, stacked and line charts; 4: the matrix.
    assert_eq!(pdf.page_count, 4);
    for page in 1..=pdf.page_count {
        let page_text = file.text(page, page);
        assert_eq!(
            page_text.matches("TLP:AMBER").count(),
            2,
            "header and footer of page {page}:\n{page_text}"
        );
        assert!(
            page_text.contains(&format!("Page {page} of 4")),
            "{page_text}"
        );
        assert!(
            page_text.contains("Generated 2025-06-01 14:03 UTC"),
            "{page_text}"
        );
    }
    // Chart and map text is real text too.
    assert!(
        text.contains("Pareto front") && text.contains("Likelihood") && text.contains("E1"),
        "{text}"
    );
    assert!(pdf.replaced_characters.is_empty());
}

#[test]
fn every_marking_is_on_every_page() {
    if !poppler_available("every_marking_is_on_every_page") {
        return;
    }
    for marking in Marking::ALL {
        let pdf = render_pdf(&site_report(marking)).unwrap();
        let file = PdfFile::new(&pdf.bytes);
        for page in 1..=pdf.page_count {
            let text = file.text(page, page);
            assert_eq!(
                text.matches(marking.label()).count(),
                2,
                "{marking:?} page {page}:\n{text}"
            );
        }
    }
}

#[test]
fn pdfinfo_agrees_on_pages_title_size_and_version() {
    if !poppler_available("pdfinfo_agrees_on_pages_title_size_and_version") {
        return;
    }
    let mut document = site_report(Marking::Red);
    // A title outside ASCII: the information dictionary holds it as UTF-16.
    document.title = "Marienplatz – München".to_string();
    let pdf = render_pdf(&document).unwrap();
    let file = PdfFile::new(&pdf.bytes);
    assert_eq!(file.info("Pages"), pdf.page_count.to_string());
    assert_eq!(file.info("Title"), "Marienplatz – München");
    assert_eq!(file.info("Keywords"), "TLP:RED");
    assert_eq!(file.info("PDF version"), "1.7");
    assert_eq!(file.info("Page size"), "595.276 x 841.89 pts (A4)");
    assert!(
        file.info("CreationDate").contains("2025"),
        "{}",
        file.info("CreationDate")
    );
    // Standard fonts, not embedded, in WinAnsi.
    let fonts = file.fonts();
    for name in ["Helvetica ", "Helvetica-Bold ", "Helvetica-Oblique "] {
        let line = fonts
            .lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_else(|| panic!("{name} not used:\n{fonts}"));
        assert!(
            line.contains("Type 1") && line.contains("WinAnsi") && line.contains(" no "),
            "{line}"
        );
    }
}

fn long_table_document(rows: usize) -> Document {
    let mut document = Document::new("Measures", Marking::Green, generated_at());
    document.blocks = vec![Block::Table(Table {
        caption: Some("Catalogue".to_string()),
        columns: vec![
            Column::text("Measure"),
            Column::text("Category"),
            Column::number("Cost (kEUR)", 1),
        ],
        rows: (1..=rows)
            .map(|i| {
                Row::new(vec![
                    format!("Measure {i:03}").into(),
                    "Hostile vehicle mitigation".into(),
                    (i as f64 * 1.5).into(),
                ])
            })
            .collect(),
    })];
    document
}

#[test]
fn a_long_table_breaks_across_pages_with_its_header_repeated() {
    if !poppler_available("a_long_table_breaks_across_pages_with_its_header_repeated") {
        return;
    }
    let rows = 150;
    let pdf = render_pdf(&long_table_document(rows)).unwrap();
    // 150 rows of 17 pt (11 pt leading + 2 x 3 pt padding) need about 2550 pt; a page body
    // holds about 720 pt.
    assert!(pdf.page_count >= 4, "{} pages", pdf.page_count);
    let file = PdfFile::new(&pdf.bytes);
    let mut seen = Vec::new();
    for page in 1..=pdf.page_count {
        let text = file.layout_text(page, page);
        assert!(
            text.contains("Measure") && text.contains("Cost (kEUR)"),
            "header on page {page}:\n{text}"
        );
        if page > 1 {
            assert!(
                text.contains("Catalogue (continued)"),
                "page {page}:\n{text}"
            );
        }
        for line in text.lines() {
            let row_number: Option<usize> = line
                .trim_start()
                .strip_prefix("Measure ")
                .and_then(|rest| rest.get(..3)?.parse().ok());
            if let Some(number) = row_number {
                // The last column: the row number times 1.5, one decimal.
                assert!(
                    line.trim_end()
                        .ends_with(&format!("{:.1}", number as f64 * 1.5)),
                    "{line}"
                );
                seen.push(number);
            }
        }
    }
    // Every row exactly once, in order.
    assert_eq!(seen, (1..=rows).collect::<Vec<_>>());
}

#[test]
fn a_cell_taller_than_a_page_is_split_between_pages() {
    if !poppler_available("a_cell_taller_than_a_page_is_split_between_pages") {
        return;
    }
    // 2000 words of about 40 pt: some 170 lines of 11 pt, nearly three pages of body.
    let long_text = (1..=2000)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut document = Document::new("Long cell", Marking::Clear, generated_at());
    document.blocks = vec![Block::Table(Table {
        caption: None,
        columns: vec![Column::text("Justification")],
        rows: vec![Row::new(vec![long_text.into()])],
    })];
    let pdf = render_pdf(&document).unwrap();
    assert!(pdf.page_count >= 3, "{} pages", pdf.page_count);
    let file = PdfFile::new(&pdf.bytes);
    let text = file.text(1, pdf.page_count);
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.starts_with("word"))
        .map(String::from)
        .collect();
    let expected: Vec<String> = (1..=2000).map(|i| format!("word{i}")).collect();
    assert_eq!(words, expected, "every word once, in order");
    // The header is repeated on the pages the cell continues on.
    for page in 2..=pdf.page_count {
        assert!(
            file.text(page, page).contains("Justification"),
            "page {page}"
        );
    }
}

#[test]
fn text_placement_agrees_with_popplers_helvetica_metrics() {
    if !poppler_available("text_placement_agrees_with_popplers_helvetica_metrics") {
        return;
    }
    let words = ["Wide", "ill", "MMMM", "fi!", "Zürich", "«€»"];
    let mut document = Document::new("Metrics", Marking::Clear, generated_at());
    let mut right = Column::text("Right");
    right.align = Align::Right;
    document.blocks = vec![
        Block::Paragraph(Paragraph::plain(
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore \
             et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut \
             aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum \
             dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident.",
        )),
        Block::Table(Table {
            caption: None,
            columns: vec![Column::text("Left"), right],
            rows: words
                .iter()
                .map(|w| Row::new(vec!["x".into(), (*w).into()]))
                .collect(),
        }),
    ];
    let pdf = render_pdf(&document).unwrap();
    let file = PdfFile::new(&pdf.bytes);
    let boxes = file.words(1);
    let right_margin = 595.276 - 56.693;
    let ends: Vec<f64> = words
        .iter()
        .map(|w| {
            boxes
                .iter()
                .find(|b| b.0 == *w)
                .unwrap_or_else(|| panic!("{w} not found: {boxes:?}"))
                .3
        })
        .collect();
    // Right edge of the cell text: the margin less the 4 pt padding.
    for (word, end) in words.iter().zip(&ends) {
        assert!(
            (end - (right_margin - 4.0)).abs() < 0.05,
            "{word} ends at {end}, expected {}",
            right_margin - 4.0
        );
    }
    let paragraph_ends: Vec<f64> = boxes
        .iter()
        .filter(|b| b.2 < 200.0 && b.2 > 60.0)
        .map(|b| b.3)
        .collect();
    let widest = paragraph_ends.iter().copied().fold(0.0, f64::max);
    assert!(widest <= right_margin + 0.05, "a line runs to {widest}");
    // Greedy wrapping fills lines: the widest line comes within a word of the margin.
    assert!(
        widest > right_margin - 40.0,
        "lines end at {widest} at most"
    );
}

#[test]
fn characters_outside_win_ansi_are_replaced_and_reported() {
    if !poppler_available("characters_outside_win_ansi_are_replaced_and_reported") {
        return;
    }
    let mut document = Document::new("Łódź – Kraków", Marking::Clear, generated_at());
    document.blocks = vec![Block::Paragraph(Paragraph::plain("Distance ≤ 30 m, Ω"))];
    let pdf = render_pdf(&document).unwrap();
    assert_eq!(pdf.replaced_characters, vec!['Ł', 'ź', 'Ω', '≤']);
    let text = PdfFile::new(&pdf.bytes).text(1, 1);
    assert!(text.contains("?ód? – Kraków"), "{text}");
    assert!(text.contains("Distance <= 30 m, ?"), "{text}");
    // The document information keeps the real title.
    assert_eq!(PdfFile::new(&pdf.bytes).info("Title"), "Łódź – Kraków");
}

#[test]
fn the_pdf_is_the_same_bytes_every_time() {
    let document = site_report(Marking::Amber);
    assert_eq!(
        render_pdf(&document).unwrap().bytes,
        render_pdf(&document).unwrap().bytes
    );
}

#[test]
fn content_streams_are_flate_compressed() {
    let pdf = render_pdf(&site_report(Marking::Amber)).unwrap();
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert_eq!(text.matches("/Filter /FlateDecode").count(), pdf.page_count);
    // No operator text is visible outside the compressed streams.
    assert!(!text.contains(" Tj"), "uncompressed text operators found");
}

#[test]
fn headings_are_kept_with_what_follows_them() {
    if !poppler_available("headings_are_kept_with_what_follows_them") {
        return;
    }
    // Paragraphs take 22 pt each (14 pt line and 8 pt of spacing), so one of these counts
    // puts the heading at the very bottom of page 1; it must then move to page 2 with the
    // paragraph under it.
    for count in 26..=34 {
        let mut document = Document::new("Headings", Marking::Clear, generated_at());
        for i in 0..count {
            document
                .blocks
                .push(Block::Paragraph(Paragraph::plain(format!(
                    "Filler line {i}"
                ))));
        }
        document.blocks.push(Block::Heading {
            level: 1,
            text: "Kept heading".to_string(),
        });
        document.blocks.push(Block::Paragraph(Paragraph::plain(
            "First paragraph under the heading.",
        )));
        let pdf = render_pdf(&document).unwrap();
        let file = PdfFile::new(&pdf.bytes);
        let page = (1..=pdf.page_count)
            .find(|&p| file.text(p, p).contains("Kept heading"))
            .unwrap();
        assert!(
            file.text(page, page).contains("First paragraph"),
            "{count} paragraphs: heading alone on page {page}"
        );
    }
}

#[test]
fn a_table_header_is_never_left_alone_at_the_bottom_of_a_page() {
    if !poppler_available("a_table_header_is_never_left_alone_at_the_bottom_of_a_page") {
        return;
    }
    // As for headings: one of these counts of 22 pt paragraphs leaves just room for the
    // caption and header row at the bottom of page 1.
    for count in 27..=31 {
        let mut document = long_table_document(3);
        let filler = (0..count).map(|i| Block::paragraph(&format!("Filler line {i}")));
        document.blocks.splice(0..0, filler);
        let pdf = render_pdf(&document).unwrap();
        let file = PdfFile::new(&pdf.bytes);
        let page = (1..=pdf.page_count)
            .find(|&p| file.text(p, p).contains("Cost (kEUR)"))
            .unwrap();
        assert!(
            file.text(page, page).contains("Measure 001"),
            "{count} paragraphs: header alone on page {page}"
        );
    }
}
