//! `report` renders Agora's reports. The caller (the `app` layer) assembles a [`Document`]
//! from sites, assessments, studies and risk scores — headings, paragraphs, key-value lists,
//! tables, maps, charts, legends — and this crate writes it as one self-contained HTML page
//! ([`render_html`]) or as a PDF it writes itself ([`render_pdf`]), with the document's TLP
//! marking in the header and footer of every page.
//!
//! It is pure: no files, clocks, environment or network; the generation time is a field of
//! the document. It is **not** a template engine (the document model is the template), not a
//! general PDF library (A4 portrait, the standard Helvetica fonts, vector graphics; no images,
//! no embedded fonts), and it knows nothing of sites or risk: it draws what it is given.
//!
//! Maps and charts are laid out once into a drawing of paths and text in points, which is
//! written twice, as inline SVG for the HTML and as PDF path operators, so both outputs show
//! the same geometry. Text widths come from Adobe's AFM metrics of Helvetica, used for line
//! wrapping, table column widths and text anchoring in both outputs.
//!
//! # Glossary
//! - **Marking**: the document's TLP 2.0 label ([`Marking`]): `TLP:CLEAR`, `TLP:GREEN`,
//!   `TLP:AMBER`, `TLP:AMBER+STRICT` or `TLP:RED`; printed in FIRST's colours (coloured text on
//!   black), never translated. A sharing label, not a security classification.
//! - **Block**: one piece of the document's flow ([`Block`]).
//! - **Figure**: the drawing a map or a chart is laid out into, in points, origin top left.
//! - **Fit**: a map's scale and offset: one scale for both axes, north up, the features'
//!   bounding box centred in the frame.
//! - **Pareto front**: in a scatter chart, the points no other point beats on both axes; the
//!   caller marks them ([`ScatterPoint::on_front`]) and they are drawn joined.
//! - **WinAnsi**: the character set of the standard PDF fonts (Windows code page 1252:
//!   Western European letters, € and typographic quotes). Other characters cannot be shown
//!   in the PDF; they are replaced and reported ([`PdfOutput::replaced_characters`]).
//!
//! # Example
//! A one-page site report with a paragraph, a risk table and a bar chart:
//! ```
//! use chrono::{TimeZone, Utc};
//! use report::*;
//!
//! let generated_at = Utc.with_ymd_and_hms(2025, 6, 1, 14, 3, 0).unwrap();
//! let mut document = Document::new("Site report: Marienplatz", Marking::Amber, generated_at);
//! document.subtitle = Some("Munich - assessment 3 (final)".to_string());
//! document.blocks = vec![
//!     Block::heading(1, "Risk per threat"),
//!     Block::paragraph(
//!         "Risk is threat x vulnerability x consequence (FEMA 452); **vehicle ramming** ranks first.",
//!     ),
//!     Block::Table(Table {
//!         caption: Some("Risk per threat".to_string()),
//!         columns: vec![Column::text("Threat"), Column::number("Risk", 0)],
//!         rows: vec![
//!             Row::highlighted(vec!["Vehicle ramming".into(), 384.0.into()]),
//!             Row::new(vec!["Edged weapon".into(), 160.0.into()]),
//!         ],
//!     }),
//!     Block::Chart(Chart {
//!         caption: Some("Risk per threat (1-1000)".to_string()),
//!         height_pt: 180.0,
//!         kind: ChartKind::Bar(BarChart {
//!             categories: vec!["Vehicle ramming".to_string(), "Edged weapon".to_string()],
//!             values: vec![384.0, 160.0],
//!             colours: Vec::new(),
//!             value_axis_title: Some("Risk".to_string()),
//!             value_labels: Some(0),
//!         }),
//!     }),
//! ];
//!
//! let html = render_html(&document).unwrap();
//! assert!(html.contains("TLP:AMBER") && html.contains("<svg"));
//! let pdf = render_pdf(&document).unwrap();
//! assert!(pdf.bytes.starts_with(b"%PDF-1.7"));
//! assert_eq!(pdf.page_count, 1);
//! assert!(pdf.replaced_characters.is_empty());
//! ```

#![warn(missing_docs)]

mod chart;
mod error;
mod figure;
mod fonts;
mod html;
mod map;
mod model;
mod pdf;
mod svg;

pub use error::Error;
pub use html::render_html;
pub use map::project_lon_lat;
pub use model::{
    Align, BarChart, Block, Cell, CellValue, Chart, ChartKind, Column, ColumnKind, Coordinates,
    Document, Geometry, KeyValue, Legend, LegendItem, LegendSymbol, LineChart, LineSeries, Map,
    MapFeature, MarkerShape, Marking, MatrixMarker, Paragraph, ReportStrings, Rgb, RiskBand,
    RiskMatrix, Row, ScatterChart, ScatterPoint, Series, Span, SpanStyle, StackedBarChart, Style,
    Table,
};
pub use pdf::{PdfOutput, render_pdf};

/// The width of the text column, and so of every map and chart, in points: A4 (595.276 pt)
/// less two 20 mm margins. SVG figures have this width in user units.
pub const CONTENT_WIDTH_PT: f64 = 595.276 - 2.0 * 56.693;

/// A chart on its own as an SVG element [`CONTENT_WIDTH_PT`] wide (for a web page), with
/// numbers written with `decimal_separator`.
pub fn chart_svg(chart: &Chart, decimal_separator: char) -> Result<String, Error> {
    error::check_chart(chart).map_err(|problem| Error::InvalidFigure {
        figure: error::describe(&Block::Chart(chart.clone())),
        problem,
    })?;
    let figure = chart::chart_figure(chart, CONTENT_WIDTH_PT, decimal_separator);
    Ok(svg::figure_to_svg(&figure, chart.caption.as_deref()))
}

/// A map on its own as an SVG element [`CONTENT_WIDTH_PT`] wide (for a web page).
pub fn map_svg(map: &Map) -> Result<String, Error> {
    error::check_map(map).map_err(|problem| Error::InvalidFigure {
        figure: error::describe(&Block::Map(map.clone())),
        problem,
    })?;
    let figure = map::map_figure(map, CONTENT_WIDTH_PT);
    Ok(svg::figure_to_svg(&figure, map.caption.as_deref()))
}

/// The generation time as both outputs print it: "2025-06-01 14:03 UTC".
fn generated_label(document: &Document) -> String {
    document
        .generated_at
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}
