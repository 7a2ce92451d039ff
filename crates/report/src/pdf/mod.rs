//! [`Document`] to PDF, written by this crate: A4 pages, the marking in the header and footer
//! of every page, "Page n of N", Helvetica in WinAnsiEncoding, vector maps and charts.

use std::collections::BTreeSet;

use crate::error::{Error, validate};
use crate::fonts::to_win_ansi_text;
use crate::model::{Block, CellValue, ChartKind, Document};

mod layout;
mod writer;

use layout::{PAGE_HEIGHT_PT, PAGE_WIDTH_PT};

/// A rendered PDF and what the caller should know about it.
#[derive(Clone, Debug, PartialEq)]
pub struct PdfOutput {
    /// The file's bytes (PDF 1.7).
    pub bytes: Vec<u8>,
    /// How many pages it has.
    pub page_count: usize,
    /// Characters of the document that the standard fonts' WinAnsiEncoding cannot show, in
    /// order; each was written as '?' or spelled out ("≤" as "<="). Log or show them: the PDF
    /// says less than the document where a name or a symbol was replaced.
    pub replaced_characters: Vec<char>,
}

/// Renders the document as a PDF: A4 portrait, 20 mm side margins; the title, subtitle and
/// generation time open the first page; every page carries the marking (right-justified, as
/// TLP 2.0 recommends) in its header and its footer, and "Page n of N".
///
/// Text is set in Helvetica (Helvetica-Bold, -Oblique) from the standard 14 fonts, which every
/// reader has, so no font is embedded. Those fonts only carry WinAnsi (Western European)
/// characters: anything else is replaced visibly and listed in
/// [`PdfOutput::replaced_characters`]. The HTML rendering has no such limit.
pub fn render_pdf(document: &Document) -> Result<PdfOutput, Error> {
    validate(document)?;
    let mut replaced = BTreeSet::new();
    let safe = win_ansi_document(document, &mut replaced);
    let pages = layout::paginate(&safe);
    let info = writer::DocumentInfo {
        title: &document.title,
        subject: document.subtitle.as_deref(),
        keywords: document.marking.label(),
        creation_date: document.generated_at.format("D:%Y%m%d%H%M%SZ").to_string(),
        language: &document.language,
    };
    let bytes = writer::write_pdf(&pages, PAGE_WIDTH_PT, PAGE_HEIGHT_PT, &info);
    Ok(PdfOutput {
        bytes,
        page_count: pages.len(),
        replaced_characters: replaced.into_iter().collect(),
    })
}

/// A copy of the document whose every string is WinAnsi-only, so that what layout measures is
/// what the page shows.
fn win_ansi_document(document: &Document, replaced: &mut BTreeSet<char>) -> Document {
    let mut fix = |text: &mut String| *text = to_win_ansi_text(text, replaced);
    let mut safe = document.clone();
    fix(&mut safe.title);
    if let Some(subtitle) = &mut safe.subtitle {
        fix(subtitle);
    }
    fix(&mut safe.strings.page_of);
    fix(&mut safe.strings.generated);
    fix(&mut safe.strings.continued);
    for block in &mut safe.blocks {
        match block {
            Block::Heading { text, .. } => fix(text),
            Block::Paragraph(paragraph) => paragraph
                .spans
                .iter_mut()
                .for_each(|span| fix(&mut span.text)),
            Block::KeyValues(items) => items.iter_mut().for_each(|item| {
                fix(&mut item.key);
                fix(&mut item.value);
            }),
            Block::Table(table) => {
                table.caption.iter_mut().for_each(&mut fix);
                table
                    .columns
                    .iter_mut()
                    .for_each(|column| fix(&mut column.header));
                for row in &mut table.rows {
                    for cell in &mut row.cells {
                        if let CellValue::Text(text) = &mut cell.value {
                            fix(text);
                        }
                    }
                }
            }
            Block::Map(map) => {
                map.caption.iter_mut().for_each(&mut fix);
                map.features
                    .iter_mut()
                    .for_each(|feature| feature.label.iter_mut().for_each(&mut fix));
            }
            Block::Chart(chart) => {
                chart.caption.iter_mut().for_each(&mut fix);
                match &mut chart.kind {
                    ChartKind::Bar(bar) => {
                        bar.categories.iter_mut().for_each(&mut fix);
                        bar.value_axis_title.iter_mut().for_each(&mut fix);
                    }
                    ChartKind::StackedBars(stacked) => {
                        stacked.categories.iter_mut().for_each(&mut fix);
                        stacked.value_axis_title.iter_mut().for_each(&mut fix);
                        stacked.series.iter_mut().for_each(|s| fix(&mut s.name));
                    }
                    ChartKind::Scatter(scatter) => {
                        scatter.x_axis_title.iter_mut().for_each(&mut fix);
                        scatter.y_axis_title.iter_mut().for_each(&mut fix);
                        scatter.front_name.iter_mut().for_each(&mut fix);
                        scatter
                            .points
                            .iter_mut()
                            .for_each(|p| p.label.iter_mut().for_each(&mut fix));
                    }
                    ChartKind::Line(line) => {
                        line.x_axis_title.iter_mut().for_each(&mut fix);
                        line.y_axis_title.iter_mut().for_each(&mut fix);
                        line.series.iter_mut().for_each(|s| fix(&mut s.name));
                    }
                    ChartKind::RiskMatrix(matrix) => {
                        matrix.row_labels.iter_mut().for_each(&mut fix);
                        matrix.column_labels.iter_mut().for_each(&mut fix);
                        matrix.row_axis_title.iter_mut().for_each(&mut fix);
                        matrix.column_axis_title.iter_mut().for_each(&mut fix);
                        matrix.markers.iter_mut().for_each(|m| fix(&mut m.label));
                    }
                }
            }
            Block::Legend(legend) => {
                legend.title.iter_mut().for_each(&mut fix);
                legend
                    .items
                    .iter_mut()
                    .for_each(|item| fix(&mut item.label));
            }
            Block::PageBreak => {}
        }
    }
    safe
}
