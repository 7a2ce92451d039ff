//! Pagination: the document's blocks flowed onto A4 pages (each a [`Figure`]), then every page
//! given its header and footer (marking, title, generation time, "Page n of N").

use crate::CONTENT_WIDTH_PT;
use crate::chart::{chart_figure, fit_text, legend_figure};
use crate::figure::{Anchor, Figure, Stroke};
use crate::fonts::{self, Font, Line};
use crate::html::{cell_text, is_dark};
use crate::map::map_figure;
use crate::model::{Align, Block, Document, KeyValue, Paragraph, Rgb, SpanStyle, Table};

/// A4 in points: 210 mm x 297 mm at 72 points per inch.
pub(crate) const PAGE_WIDTH_PT: f64 = 595.276;
pub(crate) const PAGE_HEIGHT_PT: f64 = 841.89;
/// 20 mm side margins.
pub(crate) const MARGIN_PT: f64 = 56.693;
/// Where the flow of blocks starts and ends on a page (the header and footer are outside).
pub(crate) const BODY_TOP: f64 = 60.0;
pub(crate) const BODY_BOTTOM: f64 = PAGE_HEIGHT_PT - 58.0;

const TEXT: Rgb = Rgb::new(33, 33, 33);
const MUTED: Rgb = Rgb::new(90, 90, 90);
const RULE: Rgb = Rgb::new(170, 170, 170);
const HEADER_FILL: Rgb = Rgb::new(232, 232, 232);
const HIGHLIGHT_FILL: Rgb = Rgb::new(255, 243, 196);
const ROW_RULE: Rgb = Rgb::new(221, 221, 221);

const BODY_SIZE: f64 = 10.0;
const BODY_LEADING: f64 = 14.0;
const TABLE_SIZE: f64 = 9.0;
const TABLE_LEADING: f64 = 11.0;
const CELL_PAD_X: f64 = 4.0;
const CELL_PAD_Y: f64 = 3.0;
const CAPTION_SIZE: f64 = 9.0;
const CAPTION_LEADING: f64 = 12.0;
/// TLP 2.0 asks for the label in 12 point or larger.
const MARKING_SIZE: f64 = 12.0;

/// The baseline of a line of text set at `size` in a line box of `leading` starting at `top`.
fn baseline(top: f64, size: f64, leading: f64) -> f64 {
    top + (leading - size) / 2.0 + size * 0.8
}

struct Flow<'a> {
    document: &'a Document,
    pages: Vec<Figure>,
    y: f64,
}

/// Lays the document out on pages and decorates them; the pages are ready to write.
pub(crate) fn paginate(document: &Document) -> Vec<Figure> {
    let mut flow = Flow {
        document,
        pages: Vec::new(),
        y: BODY_TOP,
    };
    flow.new_page();
    flow.title_block();
    for block in &document.blocks {
        flow.block(block);
    }
    let total = flow.pages.len();
    let mut pages = flow.pages;
    for (i, page) in pages.iter_mut().enumerate() {
        decorate(page, document, i + 1, total);
    }
    pages
}

impl Flow<'_> {
    fn page(&mut self) -> &mut Figure {
        // paginate() opens the first page before anything is laid out.
        self.pages.last_mut().expect("a page is open")
    }

    fn new_page(&mut self) {
        self.pages.push(Figure::new(PAGE_WIDTH_PT, PAGE_HEIGHT_PT));
        self.y = BODY_TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= BODY_TOP + 1e-6
    }

    fn room(&self) -> f64 {
        BODY_BOTTOM - self.y
    }

    /// Starts a new page unless `height` fits on this one (or this one is still empty).
    fn ensure(&mut self, height: f64) {
        if height > self.room() + 1e-6 && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space between blocks; none at the top of a page.
    fn gap(&mut self, space: f64) {
        if !self.at_top() {
            self.y += space;
        }
    }

    fn draw_line(&mut self, line: &Line, x: f64, baseline: f64, size: f64, colour: Rgb) {
        for (dx, font, text) in &line.runs {
            self.page().text(
                x + dx,
                baseline,
                text.clone(),
                *font,
                size,
                colour,
                Anchor::Start,
            );
        }
    }

    /// Flows lines of one size down the page, breaking pages between lines.
    fn flow_lines(&mut self, lines: &[Line], size: f64, leading: f64, colour: Rgb) {
        for line in lines {
            self.ensure(leading);
            let y = baseline(self.y, size, leading);
            self.draw_line(line, MARGIN_PT, y, size, colour);
            self.y += leading;
        }
    }

    fn title_block(&mut self) {
        let document = self.document;
        let title = wrap_plain(&document.title, Font::Bold, 20.0, CONTENT_WIDTH_PT);
        self.flow_lines(&title, 20.0, 25.0, TEXT);
        if let Some(subtitle) = &document.subtitle {
            let lines = wrap_plain(subtitle, Font::Regular, 12.0, CONTENT_WIDTH_PT);
            self.flow_lines(&lines, 12.0, 16.0, MUTED);
        }
        let generated = format!(
            "{} {}",
            document.strings.generated,
            crate::generated_label(document)
        );
        let lines = wrap_plain(&generated, Font::Regular, 9.0, CONTENT_WIDTH_PT);
        self.flow_lines(&lines, 9.0, 13.0, MUTED);
        self.y += 8.0;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text),
            Block::Paragraph(paragraph) => self.paragraph(paragraph),
            Block::KeyValues(items) => self.key_values(items),
            Block::Table(table) => self.table(table),
            Block::Map(map) => {
                let figure = map_figure(map, CONTENT_WIDTH_PT);
                self.figure(&figure, map.caption.as_deref());
            }
            Block::Chart(chart) => {
                let figure = chart_figure(
                    chart,
                    CONTENT_WIDTH_PT,
                    self.document.strings.decimal_separator,
                );
                self.figure(&figure, chart.caption.as_deref());
            }
            Block::Legend(legend) => {
                let figure = legend_figure(legend, CONTENT_WIDTH_PT);
                self.figure(&figure, None);
            }
            Block::PageBreak => {
                if !self.at_top() {
                    self.new_page();
                }
            }
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let (size, space_before) = match level {
            1 => (15.0, 14.0),
            2 => (12.5, 10.0),
            _ => (11.0, 8.0),
        };
        let leading = size * 1.25;
        let lines = wrap_plain(text, Font::Bold, size, CONTENT_WIDTH_PT);
        self.gap(space_before);
        // Keep the heading with the first lines of what follows it.
        self.ensure(lines.len() as f64 * leading + 3.0 * BODY_LEADING);
        self.flow_lines(&lines, size, leading, TEXT);
        self.y += 3.0;
    }

    fn paragraph(&mut self, paragraph: &Paragraph) {
        let spans: Vec<(String, Font)> = paragraph
            .spans
            .iter()
            .map(|span| {
                let font = match span.style {
                    SpanStyle::Plain => Font::Regular,
                    SpanStyle::Strong => Font::Bold,
                    SpanStyle::Emphasis => Font::Oblique,
                };
                (span.text.clone(), font)
            })
            .collect();
        let lines = fonts::wrap(&fonts::words(&spans), BODY_SIZE, CONTENT_WIDTH_PT);
        self.gap(4.0);
        self.flow_lines(&lines, BODY_SIZE, BODY_LEADING, TEXT);
        self.y += 4.0;
    }

    fn key_values(&mut self, items: &[KeyValue]) {
        let leading = 13.5;
        let widest_key = items
            .iter()
            .map(|item| Font::Bold.text_width(&item.key, BODY_SIZE))
            .fold(0.0, f64::max);
        let key_width = (widest_key + 12.0).min(CONTENT_WIDTH_PT * 0.4);
        let value_width = CONTENT_WIDTH_PT - key_width;
        self.gap(4.0);
        for item in items {
            let keys = wrap_plain(&item.key, Font::Bold, BODY_SIZE, key_width - 12.0);
            let values = wrap_plain(&item.value, Font::Regular, BODY_SIZE, value_width);
            let rows = keys.len().max(values.len());
            self.ensure((rows as f64 * leading).min(BODY_BOTTOM - BODY_TOP));
            for i in 0..rows {
                self.ensure(leading);
                let y = baseline(self.y, BODY_SIZE, leading);
                if let Some(line) = keys.get(i) {
                    self.draw_line(line, MARGIN_PT, y, BODY_SIZE, TEXT);
                }
                if let Some(line) = values.get(i) {
                    self.draw_line(line, MARGIN_PT + key_width, y, BODY_SIZE, TEXT);
                }
                self.y += leading;
            }
        }
        self.y += 4.0;
    }

    fn figure(&mut self, figure: &Figure, caption: Option<&str>) {
        let caption_lines = caption
            .map(|c| wrap_plain(c, Font::Oblique, CAPTION_SIZE, CONTENT_WIDTH_PT))
            .unwrap_or_default();
        self.gap(6.0);
        self.ensure(figure.height + caption_lines.len() as f64 * CAPTION_LEADING + 2.0);
        let top = self.y;
        self.page().place(figure, MARGIN_PT, top);
        self.y += figure.height + 2.0;
        self.flow_lines(&caption_lines, CAPTION_SIZE, CAPTION_LEADING, MUTED);
        self.y += 6.0;
    }

    fn table(&mut self, table: &Table) {
        let separator = self.document.strings.decimal_separator;
        let laid = TableLayout::new(table, separator);
        self.gap(6.0);
        // Keep the caption and header with the first row (or its first three lines).
        let first_row = laid
            .rows
            .first()
            .map_or(0.0, |row| laid.row_height(row, 0, 3));
        self.ensure(laid.caption_height() + laid.header_height() + first_row);
        self.table_head(table, &laid, false);
        for (r, row) in laid.rows.iter().enumerate() {
            let line_count = row.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut from = 0;
            // Whether the page was just started for this row: it then takes what fits.
            let mut fresh_page = false;
            while from < line_count {
                let fitting = ((self.room() - 2.0 * CELL_PAD_Y) / TABLE_LEADING)
                    .floor()
                    .max(0.0) as usize;
                let rest_fits_a_page = laid.row_height(row, from, usize::MAX)
                    <= BODY_BOTTOM - BODY_TOP - laid.header_height() - laid.caption_height();
                if fitting >= line_count - from {
                    self.table_row(table, &laid, r, from, line_count);
                    from = line_count;
                } else if !fresh_page && (fitting == 0 || rest_fits_a_page) {
                    self.new_page();
                    self.table_head(table, &laid, true);
                    fresh_page = true;
                } else {
                    // A row taller than a page is split between its lines.
                    let to = from + fitting.max(1);
                    self.table_row(table, &laid, r, from, to);
                    from = to;
                    if from < line_count {
                        self.new_page();
                        self.table_head(table, &laid, true);
                        fresh_page = true;
                    }
                }
            }
        }
        self.y += 6.0;
    }

    fn table_head(&mut self, table: &Table, laid: &TableLayout, continued: bool) {
        if let Some(caption) = &table.caption {
            let text = if continued {
                format!("{caption} {}", self.document.strings.continued)
            } else {
                caption.clone()
            };
            let lines = wrap_plain(&text, Font::Bold, 9.5, CONTENT_WIDTH_PT);
            self.flow_lines(&lines, 9.5, 13.0, TEXT);
        }
        let fills = vec![Some(HEADER_FILL); laid.header.len()];
        let rule = Stroke::solid(MUTED, 0.75);
        self.table_band(table, laid, &laid.header, &fills, (0, usize::MAX), rule);
    }

    /// Draws lines `from..to` of row `r`.
    fn table_row(&mut self, table: &Table, laid: &TableLayout, r: usize, from: usize, to: usize) {
        let highlight = table.rows[r].highlight;
        let fills: Vec<Option<Rgb>> = table.rows[r]
            .cells
            .iter()
            .map(|cell| cell.fill.or(highlight.then_some(HIGHLIGHT_FILL)))
            .collect();
        let rule = Stroke::solid(ROW_RULE, 0.5);
        self.table_band(table, laid, &laid.rows[r], &fills, (from, to), rule);
    }

    /// Draws lines `span.0..span.1` of a band of cells (the header or a row) at the current
    /// position, each cell on its fill, and a rule under the band.
    fn table_band(
        &mut self,
        table: &Table,
        laid: &TableLayout,
        cells: &[Vec<Line>],
        fills: &[Option<Rgb>],
        (from, to): (usize, usize),
        rule: Stroke,
    ) {
        let height = laid.row_height(cells, from, to);
        let top = self.y;
        let mut x = MARGIN_PT;
        for (c, lines) in cells.iter().enumerate() {
            let width = laid.widths[c];
            if let Some(fill) = fills[c] {
                self.page().rect(x, top, width, height, Some(fill), None);
            }
            let colour = if fills[c].is_some_and(is_dark) {
                Rgb::WHITE
            } else {
                TEXT
            };
            for (l, line) in lines.iter().enumerate().take(to).skip(from) {
                let line_top = top + CELL_PAD_Y + (l - from) as f64 * TABLE_LEADING;
                let y = baseline(line_top, TABLE_SIZE, TABLE_LEADING);
                let dx = align_offset(table.columns[c].align, line.width, width);
                self.draw_line(line, x + dx, y, TABLE_SIZE, colour);
            }
            x += width;
        }
        let bottom = top + height;
        self.page().line(
            MARGIN_PT,
            bottom,
            MARGIN_PT + CONTENT_WIDTH_PT,
            bottom,
            rule,
        );
        self.y = bottom;
    }
}

/// Where a line of `line_width` starts in a cell of `cell_width`, padding included.
fn align_offset(align: Align, line_width: f64, cell_width: f64) -> f64 {
    let inner = cell_width - 2.0 * CELL_PAD_X;
    CELL_PAD_X
        + match align {
            Align::Left => 0.0,
            Align::Centre => (inner - line_width) / 2.0,
            Align::Right => inner - line_width,
        }
}

fn wrap_plain(text: &str, font: Font, size: f64, width: f64) -> Vec<Line> {
    fonts::wrap(&fonts::words(&[(text.to_string(), font)]), size, width)
}

/// A table's column widths and every cell's lines.
struct TableLayout {
    widths: Vec<f64>,
    header: Vec<Vec<Line>>,
    /// `rows[r][c]`: the lines of cell (r, c).
    rows: Vec<Vec<Vec<Line>>>,
    has_caption: bool,
}

impl TableLayout {
    fn new(table: &Table, separator: char) -> Self {
        let n = table.columns.len();
        let texts: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|row| {
                row.cells
                    .iter()
                    .zip(&table.columns)
                    .map(|(cell, column)| cell_text(cell, column.kind, separator))
                    .collect()
            })
            .collect();
        let row_font = |r: usize| {
            if table.rows[r].highlight {
                Font::Bold
            } else {
                Font::Regular
            }
        };
        let mut natural = vec![0.0f64; n];
        let mut minimum = vec![0.0f64; n];
        let mut measure = |c: usize, text: &str, font: Font| {
            natural[c] = natural[c].max(font.text_width(text, TABLE_SIZE));
            for word in text.split(' ') {
                minimum[c] = minimum[c].max(font.text_width(word, TABLE_SIZE));
            }
        };
        for (c, column) in table.columns.iter().enumerate() {
            measure(c, &column.header, Font::Bold);
        }
        for (r, row) in texts.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                measure(c, text, row_font(r));
            }
        }
        let pad = 2.0 * CELL_PAD_X;
        let natural: Vec<f64> = natural.iter().map(|w| w + pad + 0.5).collect();
        let minimum: Vec<f64> = minimum.iter().map(|w| w + pad + 0.5).collect();
        let widths = column_widths(&natural, &minimum, CONTENT_WIDTH_PT);
        let header = table
            .columns
            .iter()
            .enumerate()
            .map(|(c, column)| wrap_plain(&column.header, Font::Bold, TABLE_SIZE, widths[c] - pad))
            .collect();
        let rows = texts
            .iter()
            .enumerate()
            .map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, text)| wrap_plain(text, row_font(r), TABLE_SIZE, widths[c] - pad))
                    .collect()
            })
            .collect();
        TableLayout {
            widths,
            header,
            rows,
            has_caption: table.caption.is_some(),
        }
    }

    fn header_height(&self) -> f64 {
        let lines = self.header.iter().map(Vec::len).max().unwrap_or(1);
        lines as f64 * TABLE_LEADING + 2.0 * CELL_PAD_Y
    }

    fn caption_height(&self) -> f64 {
        if self.has_caption { 13.0 } else { 0.0 }
    }

    fn row_height(&self, row: &[Vec<Line>], from: usize, to: usize) -> f64 {
        let lines = row
            .iter()
            .map(|cell| cell.len().min(to).saturating_sub(from))
            .max()
            .unwrap_or(0)
            .max(1);
        lines as f64 * TABLE_LEADING + 2.0 * CELL_PAD_Y
    }
}

/// Column widths filling `available`: natural widths stretched when they fit; otherwise each
/// column gets its longest word and a share of what is left in proportion to how much more
/// it would like; if even the longest words do not fit, those are scaled down (and words cut).
pub(crate) fn column_widths(natural: &[f64], minimum: &[f64], available: f64) -> Vec<f64> {
    let sum_natural: f64 = natural.iter().sum();
    let sum_minimum: f64 = minimum.iter().sum();
    if sum_natural <= available {
        natural
            .iter()
            .map(|w| w * available / sum_natural)
            .collect()
    } else if sum_minimum <= available {
        let share = (available - sum_minimum) / (sum_natural - sum_minimum);
        natural
            .iter()
            .zip(minimum)
            .map(|(n, m)| m + (n - m) * share)
            .collect()
    } else {
        minimum
            .iter()
            .map(|m| m * available / sum_minimum)
            .collect()
    }
}

/// The marking in the header and the footer, the title, the generation time and the page
/// number.
fn decorate(page: &mut Figure, document: &Document, number: usize, total: usize) {
    let marking = document.marking;
    let label = marking.label();
    let badge_width = Font::Bold.text_width(label, MARKING_SIZE) + 10.0;
    let right = PAGE_WIDTH_PT - MARGIN_PT;
    for top in [20.0, PAGE_HEIGHT_PT - 42.0] {
        page.rect(
            right - badge_width,
            top,
            badge_width,
            18.0,
            Some(marking.background_colour()),
            None,
        );
        page.text(
            right - 5.0,
            top + 13.5,
            label,
            Font::Bold,
            MARKING_SIZE,
            marking.text_colour(),
            Anchor::End,
        );
    }
    let title = fit_text(
        &document.title,
        Font::Regular,
        8.5,
        CONTENT_WIDTH_PT - badge_width - 16.0,
    );
    page.text(
        MARGIN_PT,
        33.5,
        title,
        Font::Regular,
        8.5,
        MUTED,
        Anchor::Start,
    );
    page.line(MARGIN_PT, 44.0, right, 44.0, Stroke::solid(RULE, 0.5));
    page.line(
        MARGIN_PT,
        PAGE_HEIGHT_PT - 48.0,
        right,
        PAGE_HEIGHT_PT - 48.0,
        Stroke::solid(RULE, 0.5),
    );
    let footer_baseline = PAGE_HEIGHT_PT - 29.0;
    let generated = format!(
        "{} {}",
        document.strings.generated,
        crate::generated_label(document)
    );
    page.text(
        MARGIN_PT,
        footer_baseline,
        generated,
        Font::Regular,
        8.0,
        MUTED,
        Anchor::Start,
    );
    let page_label = document.strings.page_label(number, total);
    page.text(
        PAGE_WIDTH_PT / 2.0,
        footer_baseline,
        page_label,
        Font::Regular,
        8.0,
        MUTED,
        Anchor::Middle,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-worked: natural widths 100 + 200 = 300 in 600 pt: both doubled.
    // Natural 300 + 500 = 800 with minimums 100 + 100 in 400 pt: 200 pt to share among 600 pt
    // of wish (200 + 400), a third each: 100 + 200/3 and 100 + 400/3.
    #[test]
    fn column_widths_fill_the_line_in_proportion() {
        assert_eq!(
            column_widths(&[100.0, 200.0], &[50.0, 50.0], 600.0),
            vec![200.0, 400.0]
        );
        let widths = column_widths(&[300.0, 500.0], &[100.0, 100.0], 400.0);
        assert!((widths[0] - (100.0 + 200.0 / 3.0)).abs() < 1e-9);
        assert!((widths[1] - (100.0 + 400.0 / 3.0)).abs() < 1e-9);
        assert_eq!(
            column_widths(&[900.0, 900.0], &[300.0, 500.0], 400.0),
            vec![150.0, 250.0]
        );
    }
}
