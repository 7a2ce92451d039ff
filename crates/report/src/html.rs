//! [`Document`] to one self-contained, printable HTML page: inline CSS in a single `<style>`
//! element, maps and charts as inline SVG, no script, every piece of text escaped.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::CONTENT_WIDTH_PT;
use crate::chart::{chart_figure, legend_figure};
use crate::error::{Error, validate};
use crate::figure::{format_number, format_number_shortest};
use crate::map::map_figure;
use crate::model::{
    Block, Cell, CellValue, ColumnKind, Document, KeyValue, Marking, Paragraph, Rgb, SpanStyle,
    Table,
};
use crate::svg::figure_to_svg;

/// Escapes text for HTML element content and quoted attribute values: `& < > " '`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A CSS string literal: quotes, backslashes, line breaks and `<` escaped (so the text can
/// neither end the string nor the `<style>` element).
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' | '\\' | '<' | '>' | '\n' | '\r' => {
                let _ = write!(out, "\\{:x} ", u32::from(ch));
            }
            _ => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// `Page {page} of {pages}` as CSS `content`: the words as strings, the numbers as counters.
fn css_page_counter(template: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let next = [("{page}", "counter(page)"), ("{pages}", "counter(pages)")]
            .into_iter()
            .filter_map(|(placeholder, counter)| {
                rest.find(placeholder).map(|at| (at, placeholder, counter))
            })
            .min_by_key(|(at, _, _)| *at);
        match next {
            Some((at, placeholder, counter)) => {
                if at > 0 {
                    parts.push(css_string(&rest[..at]));
                }
                parts.push(counter.to_string());
                rest = &rest[at + placeholder.len()..];
            }
            None => {
                parts.push(css_string(rest));
                rest = "";
            }
        }
    }
    parts.join(" ")
}

fn marking_class(marking: Marking) -> &'static str {
    match marking {
        Marking::Clear => "tlp-clear",
        Marking::Green => "tlp-green",
        Marking::Amber => "tlp-amber",
        Marking::AmberStrict => "tlp-amber-strict",
        Marking::Red => "tlp-red",
    }
}

/// Whether white text reads better than black on `fill`: WCAG 2 relative luminance below
/// 0.179, where the contrast ratios with white and with black are equal
/// ((1 + 0.05) / (L + 0.05) = (L + 0.05) / 0.05).
pub(crate) fn is_dark(fill: Rgb) -> bool {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(fill.r) + 0.7152 * channel(fill.g) + 0.0722 * channel(fill.b) < 0.18
}

const STYLE: &str = "
*{box-sizing:border-box}
body{font-family:Helvetica,Arial,sans-serif;font-size:10pt;line-height:1.4;color:#212121;max-width:190mm;margin:0 auto;padding:0 8mm}
h1{font-size:20pt;margin:8mm 0 2mm}
h2{font-size:15pt;margin:6mm 0 2mm}
h3{font-size:12.5pt;margin:5mm 0 1.5mm}
h4{font-size:11pt;margin:4mm 0 1mm}
.subtitle{font-size:12pt;color:#555;margin:0 0 1mm}
.generated{font-size:9pt;color:#555;margin:0 0 4mm}
.marking-bar{text-align:right;margin:2mm 0}
.tlp{display:inline-block;background:#000;font-weight:bold;font-size:12pt;padding:1px 6px}
table{border-collapse:collapse;width:100%;margin:2mm 0 4mm;font-size:9pt}
caption{text-align:left;font-weight:bold;padding:0 0 1mm}
th{background:#e8e8e8;text-align:left;border-bottom:1px solid #777}
th,td{padding:2pt 4pt;vertical-align:top}
td{border-bottom:1px solid #ddd}
.num{text-align:right;font-variant-numeric:tabular-nums}
.centre{text-align:center}
tr.highlight td{background:#fff3c4;font-weight:bold}
td.dark{color:#fff}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:1mm 4mm;margin:2mm 0 4mm}
dl.kv dt{font-weight:bold}
dl.kv dd{margin:0}
figure{margin:3mm 0 4mm;break-inside:avoid}
figure svg{width:100%;height:auto;max-width:170mm;display:block}
figcaption{font-size:9pt;font-style:italic;color:#555;margin-top:1mm}
.page-break{break-after:page}
thead{display:table-header-group}
tr{break-inside:avoid}
@media print{body{max-width:none;padding:0}.marking-bar{display:none}}
";

/// Renders the document as one HTML page (UTF-8), printable on A4 with the marking in the
/// header and footer of every printed page (CSS page-margin boxes) and at the top and bottom
/// on screen.
pub fn render_html(document: &Document) -> Result<String, Error> {
    validate(document)?;
    let strings = &document.strings;
    let marking = document.marking;
    let mut fills = BTreeSet::new();
    let mut body = String::new();
    for block in &document.blocks {
        render_block(&mut body, block, document, &mut fills);
    }

    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n");
    let _ = writeln!(out, "<html lang=\"{}\">", escape(&document.language));
    out.push_str("<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&document.title));
    out.push_str("<style>");
    out.push_str(STYLE);
    for m in Marking::ALL {
        let _ = writeln!(
            out,
            ".{}{{color:{}}}",
            marking_class(m),
            m.text_colour().hex()
        );
    }
    for fill in &fills {
        // As specific as `tr.highlight td` and later, so a cell's own fill wins, as in the PDF.
        let _ = writeln!(out, "tr td.fill-{0}{{background:#{0}}}", &fill.hex()[1..]);
    }
    let label = css_string(marking.label());
    let badge = format!(
        "content:{label};color:{};background:{};font-weight:bold;font-size:12pt;font-family:Helvetica,Arial,sans-serif",
        marking.text_colour().hex(),
        marking.background_colour().hex()
    );
    let _ = writeln!(
        out,
        "@page{{size:A4;margin:20mm 18mm;@top-right{{{badge}}}@bottom-right{{{badge}}}@bottom-left{{content:{};font-size:8pt;font-family:Helvetica,Arial,sans-serif}}}}",
        css_page_counter(&strings.page_of)
    );
    out.push_str("</style>\n</head>\n<body>\n");
    let badge_html = format!(
        "<div class=\"marking-bar\"><span class=\"tlp {}\">{}</span></div>\n",
        marking_class(marking),
        escape(marking.label())
    );
    out.push_str(&badge_html);
    out.push_str("<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&document.title));
    if let Some(subtitle) = &document.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(subtitle));
    }
    let _ = writeln!(
        out,
        "<p class=\"generated\">{} {} · <span class=\"tlp {}\">{}</span></p>",
        escape(&strings.generated),
        escape(&crate::generated_label(document)),
        marking_class(marking),
        escape(marking.label())
    );
    out.push_str("</header>\n<main>\n");
    out.push_str(&body);
    out.push_str("</main>\n");
    out.push_str(&badge_html);
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

fn render_block(out: &mut String, block: &Block, document: &Document, fills: &mut BTreeSet<Rgb>) {
    let separator = document.strings.decimal_separator;
    match block {
        Block::Heading { level, text } => {
            let _ = writeln!(out, "<h{0}>{1}</h{0}>", level + 1, escape(text));
        }
        Block::Paragraph(paragraph) => {
            let _ = writeln!(out, "<p>{}</p>", paragraph_html(paragraph));
        }
        Block::KeyValues(items) => {
            out.push_str("<dl class=\"kv\">\n");
            for KeyValue { key, value } in items {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(key), escape(value));
            }
            out.push_str("</dl>\n");
        }
        Block::Table(table) => table_html(out, table, separator, fills),
        Block::Map(map) => {
            let figure = map_figure(map, CONTENT_WIDTH_PT);
            figure_html(
                out,
                &figure_to_svg(&figure, map.caption.as_deref()),
                map.caption.as_deref(),
                "map",
            );
        }
        Block::Chart(chart) => {
            let figure = chart_figure(chart, CONTENT_WIDTH_PT, separator);
            figure_html(
                out,
                &figure_to_svg(&figure, chart.caption.as_deref()),
                chart.caption.as_deref(),
                "chart",
            );
        }
        Block::Legend(legend) => {
            let figure = legend_figure(legend, CONTENT_WIDTH_PT);
            figure_html(
                out,
                &figure_to_svg(&figure, legend.title.as_deref()),
                None,
                "legend",
            );
        }
        Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
    }
}

fn paragraph_html(paragraph: &Paragraph) -> String {
    paragraph
        .spans
        .iter()
        .map(|span| match span.style {
            SpanStyle::Plain => escape(&span.text),
            SpanStyle::Strong => format!("<strong>{}</strong>", escape(&span.text)),
            SpanStyle::Emphasis => format!("<em>{}</em>", escape(&span.text)),
        })
        .collect()
}

fn figure_html(out: &mut String, svg: &str, caption: Option<&str>, class: &str) {
    let _ = writeln!(out, "<figure class=\"{class}\">");
    out.push_str(svg);
    out.push('\n');
    if let Some(caption) = caption {
        let _ = writeln!(out, "<figcaption>{}</figcaption>", escape(caption));
    }
    out.push_str("</figure>\n");
}

/// The text of a cell as both renderers write it.
pub(crate) fn cell_text(cell: &Cell, kind: ColumnKind, separator: char) -> String {
    match (&cell.value, kind) {
        (CellValue::Text(text), _) => text.clone(),
        (CellValue::Number(value), ColumnKind::Number { decimals }) => {
            format_number(*value, decimals, separator)
        }
        (CellValue::Number(value), ColumnKind::Text) => format_number_shortest(*value, separator),
        (CellValue::Empty, _) => String::new(),
    }
}

fn table_html(out: &mut String, table: &Table, separator: char, fills: &mut BTreeSet<Rgb>) {
    out.push_str("<table>\n");
    if let Some(caption) = &table.caption {
        let _ = writeln!(out, "<caption>{}</caption>", escape(caption));
    }
    let align_class = |column: &crate::model::Column| match column.align {
        crate::model::Align::Left => "",
        crate::model::Align::Centre => "centre",
        crate::model::Align::Right => "num",
    };
    out.push_str("<thead><tr>");
    for column in &table.columns {
        let class = align_class(column);
        if class.is_empty() {
            let _ = write!(out, "<th>{}</th>", escape(&column.header));
        } else {
            let _ = write!(out, "<th class=\"{class}\">{}</th>", escape(&column.header));
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str(if row.highlight {
            "<tr class=\"highlight\">"
        } else {
            "<tr>"
        });
        for (cell, column) in row.cells.iter().zip(&table.columns) {
            let mut classes: Vec<String> = Vec::new();
            let class = align_class(column);
            if !class.is_empty() {
                classes.push(class.to_string());
            }
            if let Some(fill) = cell.fill {
                fills.insert(fill);
                classes.push(format!("fill-{}", &fill.hex()[1..]));
                if is_dark(fill) {
                    classes.push("dark".to_string());
                }
            }
            let text = escape(&cell_text(cell, column.kind, separator));
            if classes.is_empty() {
                let _ = write!(out, "<td>{text}</td>");
            } else {
                let _ = write!(out, "<td class=\"{}\">{text}</td>", classes.join(" "));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_the_five_special_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn page_counter_template_becomes_css_content() {
        assert_eq!(
            css_page_counter("Page {page} of {pages}"),
            r#""Page " counter(page) " of " counter(pages)"#
        );
        assert_eq!(
            css_page_counter("{page}/{pages}"),
            r#"counter(page) "/" counter(pages)"#
        );
        assert_eq!(css_page_counter("a\"</style>"), r#""a\22 \3c /style\3e ""#);
    }

    // WCAG 2 relative luminance: black 0, white 1, TLP red (255,43,43) about 0.23, a dark
    // red (150,0,0) about 0.065.
    #[test]
    fn dark_fills_get_white_text() {
        assert!(is_dark(Rgb::BLACK));
        assert!(!is_dark(Rgb::WHITE));
        assert!(is_dark(Rgb::new(150, 0, 0)));
        assert!(!is_dark(Rgb::new(255, 192, 0)));
    }
}
