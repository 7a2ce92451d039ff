//! The document model: what a report says, independent of HTML or PDF.

use chrono::{DateTime, Utc};

/// A report: a title, its TLP marking, when it was generated, and a flow of blocks.
///
/// Both renderers ([`crate::render_html`], [`crate::render_pdf`]) take the same document; the
/// marking is shown in the header and the footer of every page.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The report's title ("Site report: Marienplatz"); also the PDF's document title.
    pub title: String,
    /// A line under the title (site, city, assessment version...).
    pub subtitle: Option<String>,
    /// The TLP 2.0 label of the whole document.
    pub marking: Marking,
    /// BCP 47 language tag of the text ("en", "fr"); HTML `lang` and PDF `/Lang`.
    pub language: String,
    /// When the caller generated the report (this crate reads no clock).
    pub generated_at: DateTime<Utc>,
    /// The words the renderers add themselves (page numbers, "generated", "continued").
    pub strings: ReportStrings,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// A document with English [`ReportStrings`], language "en" and no blocks yet.
    pub fn new(title: impl Into<String>, marking: Marking, generated_at: DateTime<Utc>) -> Self {
        Document {
            title: title.into(),
            subtitle: None,
            marking,
            language: "en".to_string(),
            generated_at,
            strings: ReportStrings::english(),
            blocks: Vec::new(),
        }
    }
}

/// The words the renderers write themselves, so the caller can translate them (the labels of
/// [`Marking`] are never translated: TLP 2.0 says so).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportStrings {
    /// Page numbering with the placeholders `{page}` and `{pages}`: "Page {page} of {pages}".
    pub page_of: String,
    /// Put before the generation time: "Generated".
    pub generated: String,
    /// Added to a table's caption on the pages it continues on: "(continued)".
    pub continued: String,
    /// The decimal separator of numbers in tables and charts ('.' in English, ',' in French).
    pub decimal_separator: char,
}

impl ReportStrings {
    /// The English defaults.
    pub fn english() -> Self {
        ReportStrings {
            page_of: "Page {page} of {pages}".to_string(),
            generated: "Generated".to_string(),
            continued: "(continued)".to_string(),
            decimal_separator: '.',
        }
    }

    /// The page numbering text, e.g. "Page 2 of 5".
    pub fn page_label(&self, page: usize, pages: usize) -> String {
        self.page_of
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string())
    }
}

/// A TLP 2.0 label (FIRST, <https://www.first.org/tlp/>): who may receive the document.
///
/// TLP is a sharing label, not a security classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Marking {
    /// No limit on disclosure beyond copyright and law.
    Clear,
    /// Limited to the community (peers and partner organisations), not public channels.
    Green,
    /// Limited to the recipient's organisation and its clients, need-to-know.
    Amber,
    /// Limited to the recipient's organisation only, need-to-know.
    AmberStrict,
    /// For the named recipients only; no further disclosure.
    Red,
}

impl Marking {
    /// Every label, least restrictive first.
    pub const ALL: [Marking; 5] = [
        Marking::Clear,
        Marking::Green,
        Marking::Amber,
        Marking::AmberStrict,
        Marking::Red,
    ];

    /// The label as TLP 2.0 writes it: capitals, no spaces, never translated ("TLP:AMBER+STRICT").
    pub fn label(self) -> &'static str {
        match self {
            Marking::Clear => "TLP:CLEAR",
            Marking::Green => "TLP:GREEN",
            Marking::Amber => "TLP:AMBER",
            Marking::AmberStrict => "TLP:AMBER+STRICT",
            Marking::Red => "TLP:RED",
        }
    }

    /// The label's text colour. TLP 2.0 ("Colour-coding in RGB") prints the label in this
    /// colour on a black background: RED 255,43,43; AMBER (and AMBER+STRICT) 255,192,0;
    /// GREEN 51,255,0; CLEAR 255,255,255.
    pub fn text_colour(self) -> Rgb {
        match self {
            Marking::Clear => Rgb::new(255, 255, 255),
            Marking::Green => Rgb::new(51, 255, 0),
            Marking::Amber | Marking::AmberStrict => Rgb::new(255, 192, 0),
            Marking::Red => Rgb::new(255, 43, 43),
        }
    }

    /// The label's background colour: black for every label (TLP 2.0).
    pub fn background_colour(self) -> Rgb {
        Rgb::BLACK
    }
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rgb {
    /// Red, 0-255.
    pub r: u8,
    /// Green, 0-255.
    pub g: u8,
    /// Blue, 0-255.
    pub b: u8,
}

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb::new(0, 0, 0);
    /// White.
    pub const WHITE: Rgb = Rgb::new(255, 255, 255);

    /// A colour from its components.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Rgb { r, g, b }
    }

    /// `#rrggbb`, as CSS and SVG write it.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// A sequential green-yellow-red ramp for magnitudes such as approach speed or risk:
    /// `fraction` 0 is green (26,150,65), 0.5 yellow (255,255,191), 1 red (215,25,28) — the
    /// ends and middle of ColorBrewer's 5-class RdYlGn scheme, linearly interpolated.
    /// Values outside 0..=1 are clamped.
    pub fn ramp_green_red(fraction: f64) -> Rgb {
        const LOW: Rgb = Rgb::new(26, 150, 65);
        const MID: Rgb = Rgb::new(255, 255, 191);
        const HIGH: Rgb = Rgb::new(215, 25, 28);
        let t = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        if t <= 0.5 {
            LOW.mix(MID, t * 2.0)
        } else {
            MID.mix(HIGH, (t - 0.5) * 2.0)
        }
    }

    /// This colour moved `t` (0..=1) of the way towards `other`, rounded per component.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb::new(
            lerp(self.r, other.r),
            lerp(self.g, other.g),
            lerp(self.b, other.b),
        )
    }
}

/// One piece of content in the document's flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section heading; `level` 1 (section) to 3 (sub-sub-section).
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading's text.
        text: String,
    },
    /// Running text with simple emphasis.
    Paragraph(Paragraph),
    /// Terms and their values ("Capacity: 8,000 persons").
    KeyValues(Vec<KeyValue>),
    /// A table with a header row; it breaks across PDF pages with the header repeated.
    Table(Table),
    /// A vector map fitted to its frame, with a scale bar and a north arrow.
    Map(Map),
    /// A chart.
    Chart(Chart),
    /// A key to colours and symbols used by a map or chart.
    Legend(Legend),
    /// Start a new page (PDF); a page break when printing the HTML.
    PageBreak,
}

impl Block {
    /// A heading of `level` 1 to 3.
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Block::Heading {
            level,
            text: text.into(),
        }
    }

    /// A paragraph from the small markup of [`Paragraph::from_markup`] (`**strong**`,
    /// `*emphasised*`).
    pub fn paragraph(markup: &str) -> Self {
        Block::Paragraph(Paragraph::from_markup(markup))
    }
}

/// Running text: spans of plain, strong or emphasised text.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Paragraph {
    /// The spans in order; spaces are part of the spans' text.
    pub spans: Vec<Span>,
}

impl Paragraph {
    /// A paragraph of plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Paragraph {
            spans: vec![Span::plain(text)],
        }
    }

    /// A paragraph from a small markup: `**strong**` and `*emphasised*`; everything else is
    /// literal text (no HTML, no escapes). An unmatched marker is kept as literal text.
    pub fn from_markup(markup: &str) -> Self {
        let mut spans = Vec::new();
        let mut rest = markup;
        let mut plain = String::new();
        while !rest.is_empty() {
            let (marker, style) = if rest.starts_with("**") {
                ("**", SpanStyle::Strong)
            } else if rest.starts_with('*') {
                ("*", SpanStyle::Emphasis)
            } else {
                let ch = rest.chars().next().unwrap_or(' ');
                plain.push(ch);
                rest = &rest[ch.len_utf8()..];
                continue;
            };
            let after = &rest[marker.len()..];
            match after.find(marker) {
                Some(end) if end > 0 => {
                    if !plain.is_empty() {
                        spans.push(Span::plain(std::mem::take(&mut plain)));
                    }
                    spans.push(Span {
                        text: after[..end].to_string(),
                        style,
                    });
                    rest = &after[end + marker.len()..];
                }
                _ => {
                    plain.push_str(marker);
                    rest = after;
                }
            }
        }
        if !plain.is_empty() {
            spans.push(Span::plain(plain));
        }
        Paragraph { spans }
    }
}

/// A run of text in one style.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// How it is set.
    pub style: SpanStyle,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            style: SpanStyle::Plain,
        }
    }

    /// Strong (bold) text.
    pub fn strong(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            style: SpanStyle::Strong,
        }
    }

    /// Emphasised (oblique) text.
    pub fn emphasis(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            style: SpanStyle::Emphasis,
        }
    }
}

/// The style of a [`Span`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanStyle {
    /// Regular.
    Plain,
    /// Bold (Helvetica-Bold in PDF, `<strong>` in HTML).
    Strong,
    /// Oblique (Helvetica-Oblique in PDF, `<em>` in HTML).
    Emphasis,
}

/// A term and its value in a [`Block::KeyValues`] list.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    /// The term, set in bold.
    pub key: String,
    /// Its value.
    pub value: String,
}

impl KeyValue {
    /// A term and its value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A table: columns with a header, rows of cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Shown above the table (and again, with [`ReportStrings::continued`], on each page the
    /// table continues on).
    pub caption: Option<String>,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The rows; each has exactly one cell per column.
    pub rows: Vec<Row>,
}

/// A table column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The header cell's text.
    pub header: String,
    /// Text or numbers.
    pub kind: ColumnKind,
    /// Horizontal alignment of the column's cells (numbers are usually [`Align::Right`]).
    pub align: Align,
}

impl Column {
    /// A left-aligned text column.
    pub fn text(header: impl Into<String>) -> Self {
        Column {
            header: header.into(),
            kind: ColumnKind::Text,
            align: Align::Left,
        }
    }

    /// A right-aligned numeric column whose [`CellValue::Number`] cells are written with
    /// `decimals` digits after the separator.
    pub fn number(header: impl Into<String>, decimals: u8) -> Self {
        Column {
            header: header.into(),
            kind: ColumnKind::Number { decimals },
            align: Align::Right,
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text.
    Text,
    /// Numbers, written with this many decimals.
    Number {
        /// Digits after the decimal separator (0-6).
        decimals: u8,
    },
}

/// Horizontal alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Centre,
    /// Flush right.
    Right,
}

/// A table row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Set the row off with a background (e.g. the highest risk, the chosen plan).
    pub highlight: bool,
}

impl Row {
    /// A row that is not highlighted.
    pub fn new(cells: Vec<Cell>) -> Self {
        Row {
            cells,
            highlight: false,
        }
    }

    /// A highlighted row.
    pub fn highlighted(cells: Vec<Cell>) -> Self {
        Row {
            cells,
            highlight: true,
        }
    }
}

/// A table cell: a value and an optional background (e.g. a risk band's colour).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// What the cell shows.
    pub value: CellValue,
    /// Background colour; overrides the row highlight.
    pub fill: Option<Rgb>,
}

impl Cell {
    /// This cell with a background colour.
    pub fn with_fill(mut self, fill: Rgb) -> Self {
        self.fill = Some(fill);
        self
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell {
            value: CellValue::Text(text.to_string()),
            fill: None,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell {
            value: CellValue::Text(text),
            fill: None,
        }
    }
}

impl From<f64> for Cell {
    fn from(number: f64) -> Self {
        Cell {
            value: CellValue::Number(number),
            fill: None,
        }
    }
}

impl From<i64> for Cell {
    fn from(number: i64) -> Self {
        Cell {
            value: CellValue::Number(number as f64),
            fill: None,
        }
    }
}

/// The content of a [`Cell`].
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    /// Text, set as given.
    Text(String),
    /// A number, formatted by its column ([`ColumnKind::Number`]); in a text column it is
    /// written with as few decimals as it needs (up to 6).
    Number(f64),
    /// Nothing.
    Empty,
}

/// A vector map: features in one coordinate system, fitted to a frame the width of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    /// Shown under the map.
    pub caption: Option<String>,
    /// How the features' coordinates are to be read.
    pub coordinates: Coordinates,
    /// Drawn in order: later features on top.
    pub features: Vec<MapFeature>,
    /// The frame's height in points (1/72 inch); the width is the page's text width.
    pub height_pt: f64,
}

/// The coordinate system of a [`Map`]'s features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coordinates {
    /// `[east_m, north_m]` in a local metric frame (north up), as the engines use.
    ProjectedMetres,
    /// `[longitude, latitude]` in WGS84 degrees; projected onto a plane tangent at the
    /// centre of the features' bounding box (see [`crate::project_lon_lat`]).
    LonLatDegrees,
}

/// One thing drawn on a map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapFeature {
    /// Where.
    pub geometry: Geometry,
    /// How.
    pub style: Style,
    /// Text drawn beside a point, at the middle of a line, or at the centre of a polygon.
    pub label: Option<String>,
}

/// A map feature's geometry; coordinates as [`Map::coordinates`] says.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// An area: an exterior ring and holes (rings need not repeat their first point).
    Polygon {
        /// The outline.
        exterior: Vec<[f64; 2]>,
        /// Holes in it.
        holes: Vec<Vec<[f64; 2]>>,
    },
    /// A line through two or more points (a street, an approach path).
    Polyline(Vec<[f64; 2]>),
    /// A single place (an entry point, a barrier).
    Point([f64; 2]),
}

/// How a map feature is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    /// Outline or line colour; `None` draws no outline.
    pub stroke: Option<Rgb>,
    /// Outline or line width in points.
    pub stroke_width_pt: f64,
    /// Dashed outline or line.
    pub dashed: bool,
    /// Area or marker fill; `None` leaves it empty.
    pub fill: Option<Rgb>,
    /// The symbol drawn for a point.
    pub marker: MarkerShape,
    /// The symbol's size (diameter or side) in points.
    pub marker_size_pt: f64,
}

impl Style {
    /// A filled area with a thin dark outline.
    pub fn area(fill: Rgb, outline: Rgb) -> Self {
        Style {
            stroke: Some(outline),
            stroke_width_pt: 1.0,
            dashed: false,
            fill: Some(fill),
            marker: MarkerShape::Circle,
            marker_size_pt: 6.0,
        }
    }

    /// A line of this colour and width.
    pub fn line(colour: Rgb, width_pt: f64) -> Self {
        Style {
            stroke: Some(colour),
            stroke_width_pt: width_pt,
            dashed: false,
            fill: None,
            marker: MarkerShape::Circle,
            marker_size_pt: 6.0,
        }
    }

    /// A point symbol filled with `colour`, outlined in black.
    pub fn point(colour: Rgb, marker: MarkerShape) -> Self {
        Style {
            stroke: Some(Rgb::BLACK),
            stroke_width_pt: 0.75,
            dashed: false,
            fill: Some(colour),
            marker,
            marker_size_pt: 7.0,
        }
    }
}

/// The symbol of a point feature or a scatter point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerShape {
    /// A disc.
    Circle,
    /// A square.
    Square,
    /// A triangle pointing up.
    Triangle,
}

/// A chart: a caption and one of the chart kinds.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Shown under the chart.
    pub caption: Option<String>,
    /// The chart's height in points; the width is the page's text width.
    pub height_pt: f64,
    /// What is drawn.
    pub kind: ChartKind,
}

/// The kinds of chart.
#[derive(Clone, Debug, PartialEq)]
pub enum ChartKind {
    /// Vertical bars, one per category (risk per threat).
    Bar(BarChart),
    /// Horizontal bars made of stacked segments (cost or openness per plan, by component).
    StackedBars(StackedBarChart),
    /// Points on two axes, a highlighted subset joined as a front (plans: cost vs risk).
    Scatter(ScatterChart),
    /// Lines through points (the evacuation curve N(t)).
    Line(LineChart),
    /// A grid of coloured cells with markers (likelihood x consequence).
    RiskMatrix(RiskMatrix),
}

/// Vertical bars, one per category.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    /// Category names, left to right.
    pub categories: Vec<String>,
    /// One value per category (finite; may be negative).
    pub values: Vec<f64>,
    /// One colour per bar, or empty for a single default colour.
    pub colours: Vec<Rgb>,
    /// Title of the value axis ("Risk (1-1000)").
    pub value_axis_title: Option<String>,
    /// Decimals of the value written over each bar; `None` writes no values.
    pub value_labels: Option<u8>,
}

/// Horizontal bars, each the sum of its segments.
#[derive(Clone, Debug, PartialEq)]
pub struct StackedBarChart {
    /// Bar names, top to bottom.
    pub categories: Vec<String>,
    /// The segments: series `i` gives every bar its `i`-th segment.
    pub series: Vec<Series>,
    /// Title of the value axis.
    pub value_axis_title: Option<String>,
}

/// A named series of values, one per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Shown in the chart's legend.
    pub name: String,
    /// The series' colour.
    pub colour: Rgb,
    /// One finite, non-negative value per category.
    pub values: Vec<f64>,
}

/// A scatter plot with an optional highlighted front.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterChart {
    /// Title of the horizontal axis.
    pub x_axis_title: Option<String>,
    /// Title of the vertical axis.
    pub y_axis_title: Option<String>,
    /// The points.
    pub points: Vec<ScatterPoint>,
    /// Name of the highlighted points in the legend ("Pareto front").
    pub front_name: Option<String>,
}

/// A point of a [`ScatterChart`].
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
    /// Written beside the point (highlighted points only, to keep the plot legible).
    pub label: Option<String>,
    /// Part of the front: drawn larger, in colour, joined to the other front points in x order.
    pub on_front: bool,
}

/// Lines through points.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    /// Title of the horizontal axis ("Time (s)").
    pub x_axis_title: Option<String>,
    /// Title of the vertical axis ("Persons inside").
    pub y_axis_title: Option<String>,
    /// The lines.
    pub series: Vec<LineSeries>,
}

/// One line of a [`LineChart`].
#[derive(Clone, Debug, PartialEq)]
pub struct LineSeries {
    /// Shown in the legend when the chart has more than one line.
    pub name: String,
    /// The line's colour.
    pub colour: Rgb,
    /// `[x, y]` points, in the order they are joined.
    pub points: Vec<[f64; 2]>,
}

/// A matrix of coloured cells (rows bottom to top, columns left to right) with markers.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskMatrix {
    /// Row labels, bottom row first ("1 - rare" ... "5 - almost certain").
    pub row_labels: Vec<String>,
    /// Column labels, left to right.
    pub column_labels: Vec<String>,
    /// `cell_fills[row][column]`, row 0 at the bottom.
    pub cell_fills: Vec<Vec<Rgb>>,
    /// Title of the vertical axis ("Likelihood").
    pub row_axis_title: Option<String>,
    /// Title of the horizontal axis ("Consequence").
    pub column_axis_title: Option<String>,
    /// Things placed in cells (threats).
    pub markers: Vec<MatrixMarker>,
}

impl RiskMatrix {
    /// A matrix whose cell (row r, column c) is coloured by the first band whose
    /// `max_product` is at least (r + 1) x (c + 1): the usual banded 5x5 likelihood x
    /// consequence matrix. Cells above every band take the last band's colour.
    pub fn product_bands(
        row_labels: Vec<String>,
        column_labels: Vec<String>,
        bands: &[RiskBand],
    ) -> Self {
        let cell_fills = (0..row_labels.len())
            .map(|row| {
                (0..column_labels.len())
                    .map(|column| {
                        let product = ((row + 1) * (column + 1)) as u32;
                        bands
                            .iter()
                            .find(|band| product <= band.max_product)
                            .or(bands.last())
                            .map_or(Rgb::WHITE, |band| band.colour)
                    })
                    .collect()
            })
            .collect();
        RiskMatrix {
            row_labels,
            column_labels,
            cell_fills,
            row_axis_title: None,
            column_axis_title: None,
            markers: Vec::new(),
        }
    }
}

/// A band of [`RiskMatrix::product_bands`]: products up to `max_product` take `colour`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskBand {
    /// The largest row x column product in the band (1-based indices).
    pub max_product: u32,
    /// The band's colour.
    pub colour: Rgb,
}

/// A marker in a [`RiskMatrix`] cell.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixMarker {
    /// Row index, 0 at the bottom.
    pub row: usize,
    /// Column index, 0 at the left.
    pub column: usize,
    /// A short label written in the marker ("VR", "1").
    pub label: String,
}

/// A key to the colours and symbols of a map or chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    /// Written before the items.
    pub title: Option<String>,
    /// The entries, in order.
    pub items: Vec<LegendItem>,
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    /// What the symbol stands for.
    pub label: String,
    /// The symbol.
    pub symbol: LegendSymbol,
}

/// The symbol of a [`LegendItem`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegendSymbol {
    /// A filled square (areas, bars, bands).
    Area(Rgb),
    /// A short line.
    Line(Rgb),
    /// A point symbol.
    Marker(Rgb, MarkerShape),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_makes_strong_and_emphasised_spans() {
        let paragraph = Paragraph::from_markup("Risk is **high** for *vehicle ramming*, 2 * 3 = 6");
        assert_eq!(
            paragraph.spans,
            vec![
                Span::plain("Risk is "),
                Span::strong("high"),
                Span::plain(" for "),
                Span::emphasis("vehicle ramming"),
                Span::plain(", 2 * 3 = 6"),
            ]
        );
    }

    #[test]
    fn product_bands_colour_a_five_by_five_matrix() {
        let low = Rgb::new(0, 128, 0);
        let medium = Rgb::new(255, 192, 0);
        let high = Rgb::new(200, 0, 0);
        let labels: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
        let matrix = RiskMatrix::product_bands(
            labels.clone(),
            labels,
            &[
                RiskBand {
                    max_product: 4,
                    colour: low,
                },
                RiskBand {
                    max_product: 12,
                    colour: medium,
                },
                RiskBand {
                    max_product: 25,
                    colour: high,
                },
            ],
        );
        // Row 1 (index 0) x column 4 (index 3): 1 x 4 = 4, low; 3 x 4 = 12, medium; 5 x 5 high.
        assert_eq!(matrix.cell_fills[0][3], low);
        assert_eq!(matrix.cell_fills[2][3], medium);
        assert_eq!(matrix.cell_fills[3][2], medium);
        assert_eq!(matrix.cell_fills[4][4], high);
        assert_eq!(matrix.cell_fills[1][2], medium); // 2 x 3 = 6
    }

    #[test]
    fn green_red_ramp_ends_and_middle_are_the_colorbrewer_colours() {
        assert_eq!(Rgb::ramp_green_red(0.0), Rgb::new(26, 150, 65));
        assert_eq!(Rgb::ramp_green_red(0.5), Rgb::new(255, 255, 191));
        assert_eq!(Rgb::ramp_green_red(1.0), Rgb::new(215, 25, 28));
        assert_eq!(Rgb::ramp_green_red(7.0), Rgb::new(215, 25, 28));
        // A quarter: halfway between green and yellow, (26+255)/2 = 140.5 -> 141 (round half away).
        assert_eq!(Rgb::ramp_green_red(0.25), Rgb::new(141, 203, 128));
    }

    #[test]
    fn tlp_labels_and_colours_follow_tlp_2_0() {
        assert_eq!(Marking::AmberStrict.label(), "TLP:AMBER+STRICT");
        assert_eq!(Marking::Red.text_colour().hex(), "#ff2b2b");
        assert_eq!(Marking::Amber.text_colour().hex(), "#ffc000");
        assert_eq!(Marking::Green.text_colour().hex(), "#33ff00");
        assert_eq!(Marking::Clear.text_colour().hex(), "#ffffff");
        assert!(
            Marking::ALL
                .iter()
                .all(|m| m.background_colour() == Rgb::BLACK)
        );
    }

    #[test]
    fn page_label_fills_both_placeholders() {
        assert_eq!(ReportStrings::english().page_label(2, 5), "Page 2 of 5");
    }
}
