//! Chart layout: every [`ChartKind`] laid out into a [`Figure`] (drawn by `svg` and `pdf`).

use crate::figure::{Anchor, Figure, Stroke, format_number};
use crate::fonts::{self, Font};
use crate::model::{
    BarChart, Chart, ChartKind, Legend, LegendItem, LegendSymbol, LineChart, MarkerShape, Rgb,
    RiskMatrix, ScatterChart, StackedBarChart,
};

const TICK_SIZE: f64 = 8.0;
const TITLE_SIZE: f64 = 8.5;
const VALUE_SIZE: f64 = 7.5;
const TEXT: Rgb = Rgb::new(33, 33, 33);
const AXIS: Rgb = Rgb::new(90, 90, 90);
const GRID: Rgb = Rgb::new(225, 225, 225);
/// Bars without their own colour, and lines without one.
pub(crate) const DEFAULT_COLOUR: Rgb = Rgb::new(49, 104, 155);
const FRONT: Rgb = Rgb::new(215, 25, 28);
const DOMINATED: Rgb = Rgb::new(150, 150, 150);
const LEGEND_ROW: f64 = 13.0;

/// Lays out `chart` in a figure `width` points wide and `chart.height_pt` high.
pub(crate) fn chart_figure(chart: &Chart, width: f64, separator: char) -> Figure {
    let mut figure = Figure::new(width, chart.height_pt);
    match &chart.kind {
        ChartKind::Bar(bar) => bar_chart(&mut figure, bar, separator),
        ChartKind::StackedBars(stacked) => stacked_bars(&mut figure, stacked, separator),
        ChartKind::Scatter(scatter) => scatter_chart(&mut figure, scatter, separator),
        ChartKind::Line(line) => line_chart(&mut figure, line, separator),
        ChartKind::RiskMatrix(matrix) => risk_matrix(&mut figure, matrix),
    }
    figure
}

/// Round tick values covering `lo..=hi`: steps of 1, 2 or 5 times a power of ten, about
/// `target` of them (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1)
    };
    let range = nice_number(hi - lo, false);
    let step = nice_number(range / (target.max(2) - 1) as f64, true);
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    // Steps below 1 are 1/n for a whole n (nice steps are 1, 2 or 5 times a power of ten);
    // dividing by n keeps 3 x 0.2 from printing as 0.6000000000000001.
    let inverse = (1.0 / step).round();
    (first as i64..=last as i64)
        .map(|i| {
            if step < 1.0 {
                i as f64 / inverse
            } else {
                i as f64 * step
            }
        })
        .collect()
}

/// Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near `x` (rounded, or not less).
fn nice_number(x: f64, round: bool) -> f64 {
    let exponent = x.log10().floor();
    let power = 10f64.powf(exponent);
    let fraction = x / power;
    let nice = if round {
        match fraction {
            f if f < 1.5 => 1.0,
            f if f < 3.0 => 2.0,
            f if f < 7.0 => 5.0,
            _ => 10.0,
        }
    } else {
        match fraction {
            f if f <= 1.0 => 1.0,
            f if f <= 2.0 => 2.0,
            f if f <= 5.0 => 5.0,
            _ => 10.0,
        }
    };
    nice * power
}

/// The fewest decimals (0-6) that write every tick exactly.
fn tick_decimals(ticks: &[f64]) -> u8 {
    (0..=6u8)
        .find(|&d| {
            let scale = 10f64.powi(i32::from(d));
            ticks
                .iter()
                .all(|t| ((t * scale) - (t * scale).round()).abs() < 1e-6)
        })
        .unwrap_or(6)
}

/// A linear map from a value domain to a coordinate range.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub(crate) domain: (f64, f64),
    pub(crate) range: (f64, f64),
}

impl Scale {
    pub(crate) fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return (r0 + r1) / 2.0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// The plot rectangle inside a figure.
#[derive(Clone, Copy, Debug)]
struct Plot {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

/// Tick labels of a value axis, and the widest of them.
fn tick_labels(ticks: &[f64], separator: char) -> (Vec<String>, f64) {
    let decimals = tick_decimals(ticks);
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| format_number(*t, decimals, separator))
        .collect();
    let widest = labels
        .iter()
        .map(|l| Font::Regular.text_width(l, TICK_SIZE))
        .fold(0.0, f64::max);
    (labels, widest)
}

/// Draws a vertical value axis with grid lines at the ticks.
fn vertical_axis(
    figure: &mut Figure,
    plot: Plot,
    scale: Scale,
    ticks: &[f64],
    labels: &[String],
    title: Option<&str>,
) {
    for (tick, label) in ticks.iter().zip(labels) {
        let y = scale.map(*tick);
        figure.line(plot.left, y, plot.right, y, Stroke::solid(GRID, 0.5));
        figure.line(plot.left - 3.0, y, plot.left, y, Stroke::solid(AXIS, 0.5));
        figure.text(
            plot.left - 5.0,
            y + TICK_SIZE * 0.35,
            label.clone(),
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::End,
        );
    }
    figure.line(
        plot.left,
        plot.top,
        plot.left,
        plot.bottom,
        Stroke::solid(AXIS, 0.75),
    );
    if let Some(title) = title {
        figure.vertical_text(
            TITLE_SIZE,
            (plot.top + plot.bottom) / 2.0,
            title,
            Font::Regular,
            TITLE_SIZE,
            TEXT,
        );
    }
}

/// Draws a horizontal value axis (ticks below the plot, vertical grid lines).
fn horizontal_axis(
    figure: &mut Figure,
    plot: Plot,
    scale: Scale,
    ticks: &[f64],
    labels: &[String],
    title: Option<&str>,
) {
    for (tick, label) in ticks.iter().zip(labels) {
        let x = scale.map(*tick);
        figure.line(x, plot.top, x, plot.bottom, Stroke::solid(GRID, 0.5));
        figure.line(
            x,
            plot.bottom,
            x,
            plot.bottom + 3.0,
            Stroke::solid(AXIS, 0.5),
        );
        figure.text(
            x,
            plot.bottom + 4.0 + TICK_SIZE,
            label.clone(),
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::Middle,
        );
    }
    figure.line(
        plot.left,
        plot.bottom,
        plot.right,
        plot.bottom,
        Stroke::solid(AXIS, 0.75),
    );
    if let Some(title) = title {
        let y = plot.bottom + 6.0 + TICK_SIZE + 3.0 + TITLE_SIZE;
        figure.text(
            (plot.left + plot.right) / 2.0,
            y,
            title,
            Font::Regular,
            TITLE_SIZE,
            TEXT,
            Anchor::Middle,
        );
    }
}

/// Height below the plot taken by a horizontal axis (tick labels and optional title).
fn horizontal_axis_height(title: Option<&str>) -> f64 {
    6.0 + TICK_SIZE
        + if title.is_some() {
            3.0 + TITLE_SIZE + 2.0
        } else {
            2.0
        }
}

/// Left margin for a vertical axis with these tick labels.
fn vertical_axis_width(widest_label: f64, title: Option<&str>) -> f64 {
    widest_label
        + 8.0
        + if title.is_some() {
            TITLE_SIZE + 6.0
        } else {
            2.0
        }
}

/// `text` cut to fit `max_width` at `size`, ending in an ellipsis when cut.
pub(crate) fn fit_text(text: &str, font: Font, size: f64, max_width: f64) -> String {
    if font.text_width(text, size) <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    for ch in text.chars() {
        let candidate = format!("{out}{ch}\u{2026}");
        if font.text_width(&candidate, size) > max_width {
            break;
        }
        out.push(ch);
    }
    format!("{}\u{2026}", out.trim_end())
}

/// Up to `max_lines` lines of `text` wrapped to `width`, the last one cut if needed.
fn wrap_label(text: &str, font: Font, size: f64, width: f64, max_lines: usize) -> Vec<String> {
    let words = fonts::words(&[(text.to_string(), font)]);
    let lines: Vec<String> = fonts::wrap(&words, size, width)
        .into_iter()
        .map(|line| line.runs.into_iter().map(|(_, _, t)| t).collect::<String>())
        .collect();
    if lines.len() <= max_lines {
        return lines;
    }
    let mut kept: Vec<String> = lines[..max_lines - 1].to_vec();
    let rest = lines[max_lines - 1..].join(" ");
    kept.push(fit_text(&rest, font, size, width));
    kept
}

fn bar_chart(figure: &mut Figure, bar: &BarChart, separator: char) {
    let lo = bar.values.iter().copied().fold(0.0, f64::min);
    let hi = bar.values.iter().copied().fold(0.0, f64::max);
    let ticks = nice_ticks(lo, hi, 5);
    let (labels, widest) = tick_labels(&ticks, separator);
    let title = bar.value_axis_title.as_deref();
    let n = bar.categories.len();
    let left = vertical_axis_width(widest, title);
    let slot = (figure.width - left - 4.0) / n as f64;
    let category_lines: Vec<Vec<String>> = bar
        .categories
        .iter()
        .map(|c| wrap_label(c, Font::Regular, TICK_SIZE, slot - 4.0, 2))
        .collect();
    let line_count = category_lines.iter().map(Vec::len).max().unwrap_or(1);
    let plot = Plot {
        left,
        top: if bar.value_labels.is_some() {
            VALUE_SIZE + 6.0
        } else {
            6.0
        },
        right: figure.width - 4.0,
        bottom: figure.height - 6.0 - line_count as f64 * (TICK_SIZE + 1.5),
    };
    let scale = Scale {
        domain: (ticks[0], ticks[ticks.len() - 1]),
        range: (plot.bottom, plot.top),
    };
    vertical_axis(figure, plot, scale, &ticks, &labels, title);
    let zero = scale.map(0.0);
    for (i, (value, lines)) in bar.values.iter().zip(&category_lines).enumerate() {
        let centre = plot.left + slot * (i as f64 + 0.5);
        let bar_width = slot * 0.65;
        let top = scale.map(*value);
        let colour = bar.colours.get(i).copied().unwrap_or(DEFAULT_COLOUR);
        figure.rect(
            centre - bar_width / 2.0,
            top.min(zero),
            bar_width,
            (zero - top).abs(),
            Some(colour),
            None,
        );
        if let Some(decimals) = bar.value_labels {
            let y = if *value >= 0.0 {
                top - 3.0
            } else {
                top + VALUE_SIZE + 2.0
            };
            figure.text(
                centre,
                y,
                format_number(*value, decimals, separator),
                Font::Bold,
                VALUE_SIZE,
                TEXT,
                Anchor::Middle,
            );
        }
        for (l, line) in lines.iter().enumerate() {
            let y = plot.bottom + 4.0 + TICK_SIZE + l as f64 * (TICK_SIZE + 1.5);
            figure.text(
                centre,
                y,
                line.clone(),
                Font::Regular,
                TICK_SIZE,
                TEXT,
                Anchor::Middle,
            );
        }
    }
    figure.line(plot.left, zero, plot.right, zero, Stroke::solid(AXIS, 0.75));
}

fn stacked_bars(figure: &mut Figure, stacked: &StackedBarChart, separator: char) {
    let legend_items: Vec<LegendItem> = stacked
        .series
        .iter()
        .map(|s| LegendItem {
            label: s.name.clone(),
            symbol: LegendSymbol::Area(s.colour),
        })
        .collect();
    let legend = layout_legend(None, &legend_items, figure.width);
    let n = stacked.categories.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| stacked.series.iter().map(|s| s.values[i]).sum())
        .collect();
    let ticks = nice_ticks(0.0, totals.iter().copied().fold(0.0, f64::max), 5);
    let (labels, _) = tick_labels(&ticks, separator);
    let title = stacked.value_axis_title.as_deref();
    let label_width = stacked
        .categories
        .iter()
        .map(|c| Font::Regular.text_width(c, TICK_SIZE))
        .fold(0.0, f64::max)
        .min(figure.width * 0.35);
    // Half the last tick label may stick out on the right.
    let last_label = labels
        .last()
        .map_or(0.0, |l| Font::Regular.text_width(l, TICK_SIZE));
    let plot = Plot {
        left: label_width + 8.0,
        top: 4.0,
        right: figure.width - last_label / 2.0 - 2.0,
        bottom: figure.height - horizontal_axis_height(title) - legend.height,
    };
    let scale = Scale {
        domain: (0.0, ticks[ticks.len() - 1]),
        range: (plot.left, plot.right),
    };
    horizontal_axis(figure, plot, scale, &ticks, &labels, title);
    let row = (plot.bottom - plot.top) / n as f64;
    for (i, category) in stacked.categories.iter().enumerate() {
        let centre = plot.top + row * (i as f64 + 0.5);
        let thickness = row * 0.6;
        let mut start = 0.0;
        for series in &stacked.series {
            let end = start + series.values[i];
            let x0 = scale.map(start);
            let x1 = scale.map(end);
            figure.rect(
                x0,
                centre - thickness / 2.0,
                x1 - x0,
                thickness,
                Some(series.colour),
                None,
            );
            start = end;
        }
        let label = fit_text(category, Font::Regular, TICK_SIZE, label_width);
        figure.text(
            plot.left - 5.0,
            centre + TICK_SIZE * 0.35,
            label,
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::End,
        );
    }
    figure.line(
        plot.left,
        plot.top,
        plot.left,
        plot.bottom,
        Stroke::solid(AXIS, 0.75),
    );
    figure.place(&legend.figure, 0.0, figure.height - legend.height);
}

/// Value-axis ticks over the data, not forced to include zero.
fn data_ticks(values: impl Iterator<Item = f64> + Clone) -> Vec<f64> {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    nice_ticks(lo, hi, 6)
}

/// Two value axes around a plot that fills the figure above a legend band.
struct XyAxes<'a> {
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
    x_title: Option<&'a str>,
    y_title: Option<&'a str>,
}

impl XyAxes<'_> {
    /// Draws both axes and returns the scales of the plot.
    fn draw(&self, figure: &mut Figure, legend_height: f64, separator: char) -> (Scale, Scale) {
        let (x_labels, _) = tick_labels(&self.x_ticks, separator);
        let (y_labels, y_widest) = tick_labels(&self.y_ticks, separator);
        // Half the last x tick label may stick out on the right.
        let last_label = x_labels
            .last()
            .map_or(0.0, |l| Font::Regular.text_width(l, TICK_SIZE));
        let plot = Plot {
            left: vertical_axis_width(y_widest, self.y_title),
            top: 6.0,
            right: figure.width - last_label / 2.0 - 2.0,
            bottom: figure.height - horizontal_axis_height(self.x_title) - legend_height,
        };
        let x_scale = Scale {
            domain: (self.x_ticks[0], self.x_ticks[self.x_ticks.len() - 1]),
            range: (plot.left, plot.right),
        };
        let y_scale = Scale {
            domain: (self.y_ticks[0], self.y_ticks[self.y_ticks.len() - 1]),
            range: (plot.bottom, plot.top),
        };
        vertical_axis(
            figure,
            plot,
            y_scale,
            &self.y_ticks,
            &y_labels,
            self.y_title,
        );
        horizontal_axis(
            figure,
            plot,
            x_scale,
            &self.x_ticks,
            &x_labels,
            self.x_title,
        );
        (x_scale, y_scale)
    }
}

fn scatter_chart(figure: &mut Figure, scatter: &ScatterChart, separator: char) {
    let legend_items: Vec<LegendItem> = scatter
        .front_name
        .iter()
        .map(|name| LegendItem {
            label: name.clone(),
            symbol: LegendSymbol::Marker(FRONT, MarkerShape::Circle),
        })
        .collect();
    let axes = XyAxes {
        x_ticks: data_ticks(scatter.points.iter().map(|p| p.x)),
        y_ticks: data_ticks(scatter.points.iter().map(|p| p.y)),
        x_title: scatter.x_axis_title.as_deref(),
        y_title: scatter.y_axis_title.as_deref(),
    };
    let legend = layout_legend(None, &legend_items, figure.width);
    let (x_scale, y_scale) = axes.draw(figure, legend.height, separator);
    for point in scatter.points.iter().filter(|p| !p.on_front) {
        figure.marker(
            MarkerShape::Circle,
            x_scale.map(point.x),
            y_scale.map(point.y),
            5.0,
            Some(DOMINATED),
            None,
        );
    }
    let mut front: Vec<_> = scatter.points.iter().filter(|p| p.on_front).collect();
    front.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let line: Vec<(f64, f64)> = front
        .iter()
        .map(|p| (x_scale.map(p.x), y_scale.map(p.y)))
        .collect();
    if line.len() > 1 {
        figure.polyline(&line, Stroke::solid(FRONT, 1.25));
    }
    for point in &front {
        let (x, y) = (x_scale.map(point.x), y_scale.map(point.y));
        figure.marker(
            MarkerShape::Circle,
            x,
            y,
            7.0,
            Some(FRONT),
            Some(Stroke::solid(Rgb::BLACK, 0.5)),
        );
        if let Some(label) = &point.label {
            // Beside the point, on its left when the right side has no room.
            let width = Font::Regular.text_width(label, VALUE_SIZE);
            let (x, anchor) = if x + 6.0 + width > figure.width {
                (x - 6.0, Anchor::End)
            } else {
                (x + 6.0, Anchor::Start)
            };
            let label = label.clone();
            figure.text(x, y - 4.0, label, Font::Regular, VALUE_SIZE, TEXT, anchor);
        }
    }
    figure.place(&legend.figure, 0.0, figure.height - legend.height);
}

fn line_chart(figure: &mut Figure, chart: &LineChart, separator: char) {
    let legend_items: Vec<LegendItem> = if chart.series.len() > 1 {
        chart
            .series
            .iter()
            .map(|s| LegendItem {
                label: s.name.clone(),
                symbol: LegendSymbol::Line(s.colour),
            })
            .collect()
    } else {
        Vec::new()
    };
    let points = || chart.series.iter().flat_map(|s| s.points.iter());
    let y_lo = points().map(|p| p[1]).fold(0.0, f64::min);
    let y_hi = points().map(|p| p[1]).fold(0.0, f64::max);
    let axes = XyAxes {
        x_ticks: data_ticks(points().map(|p| p[0])),
        y_ticks: nice_ticks(y_lo, y_hi, 5),
        x_title: chart.x_axis_title.as_deref(),
        y_title: chart.y_axis_title.as_deref(),
    };
    let legend = layout_legend(None, &legend_items, figure.width);
    let (x_scale, y_scale) = axes.draw(figure, legend.height, separator);
    for series in &chart.series {
        let line: Vec<(f64, f64)> = series
            .points
            .iter()
            .map(|p| (x_scale.map(p[0]), y_scale.map(p[1])))
            .collect();
        figure.polyline(&line, Stroke::solid(series.colour, 1.5));
    }
    figure.place(&legend.figure, 0.0, figure.height - legend.height);
}

fn risk_matrix(figure: &mut Figure, matrix: &RiskMatrix) {
    let rows = matrix.row_labels.len();
    let columns = matrix.column_labels.len();
    let row_title = matrix.row_axis_title.as_deref();
    let column_title = matrix.column_axis_title.as_deref();
    let label_width = matrix
        .row_labels
        .iter()
        .map(|l| Font::Regular.text_width(l, TICK_SIZE))
        .fold(0.0, f64::max)
        .min(figure.width * 0.3);
    let left = label_width
        + 6.0
        + if row_title.is_some() {
            TITLE_SIZE + 6.0
        } else {
            0.0
        };
    let bottom_band = horizontal_axis_height(column_title);
    let available_h = figure.height - 4.0 - bottom_band;
    let cell = ((figure.width - left - 4.0) / columns as f64).min(available_h / rows as f64);
    let plot = Plot {
        left,
        top: 4.0,
        right: left + cell * columns as f64,
        bottom: 4.0 + cell * rows as f64,
    };
    for (row, fills) in matrix.cell_fills.iter().enumerate() {
        let y = plot.bottom - cell * (row as f64 + 1.0);
        for (column, fill) in fills.iter().enumerate() {
            let x = plot.left + cell * column as f64;
            figure.rect(
                x,
                y,
                cell,
                cell,
                Some(*fill),
                Some(Stroke::solid(Rgb::WHITE, 1.0)),
            );
        }
        let label = fit_text(
            &matrix.row_labels[row],
            Font::Regular,
            TICK_SIZE,
            label_width,
        );
        figure.text(
            plot.left - 5.0,
            y + cell / 2.0 + TICK_SIZE * 0.35,
            label,
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::End,
        );
    }
    for (column, label) in matrix.column_labels.iter().enumerate() {
        let x = plot.left + cell * (column as f64 + 0.5);
        let label = fit_text(label, Font::Regular, TICK_SIZE, cell - 2.0);
        figure.text(
            x,
            plot.bottom + 4.0 + TICK_SIZE,
            label,
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::Middle,
        );
    }
    if let Some(title) = row_title {
        figure.vertical_text(
            TITLE_SIZE,
            (plot.top + plot.bottom) / 2.0,
            title,
            Font::Regular,
            TITLE_SIZE,
            TEXT,
        );
    }
    if let Some(title) = column_title {
        let y = plot.bottom + 6.0 + TICK_SIZE + 3.0 + TITLE_SIZE;
        figure.text(
            (plot.left + plot.right) / 2.0,
            y,
            title,
            Font::Regular,
            TITLE_SIZE,
            TEXT,
            Anchor::Middle,
        );
    }
    // Markers sharing a cell are set in rows of up to three.
    let marker = (cell * 0.42).min(20.0);
    for row in 0..rows {
        for column in 0..columns {
            let here: Vec<_> = matrix
                .markers
                .iter()
                .filter(|m| m.row == row && m.column == column)
                .collect();
            let per_line = here.len().clamp(1, 3);
            let lines = here.len().div_ceil(per_line);
            for (k, m) in here.iter().enumerate() {
                let (line, slot) = (k / per_line, k % per_line);
                let in_line = (here.len() - line * per_line).min(per_line);
                let x = plot.left
                    + cell * column as f64
                    + cell / 2.0
                    + (slot as f64 - (in_line as f64 - 1.0) / 2.0) * marker * 1.15;
                let y = plot.bottom - cell * (row as f64 + 0.5)
                    + (line as f64 - (lines as f64 - 1.0) / 2.0) * marker * 1.15;
                figure.marker(
                    MarkerShape::Circle,
                    x,
                    y,
                    marker,
                    Some(Rgb::new(33, 33, 33)),
                    Some(Stroke::solid(Rgb::WHITE, 0.75)),
                );
                let size = (marker * 0.5).min(8.0);
                let label = fit_text(&m.label, Font::Bold, size, marker * 0.95);
                figure.text(
                    x,
                    y + size * 0.35,
                    label,
                    Font::Bold,
                    size,
                    Rgb::WHITE,
                    Anchor::Middle,
                );
            }
        }
    }
}

/// A legend laid out for a given width.
pub(crate) struct LegendLayout {
    pub(crate) figure: Figure,
    pub(crate) height: f64,
}

/// Lays out legend items left to right, wrapping to new rows; empty when there are no items.
pub(crate) fn layout_legend(title: Option<&str>, items: &[LegendItem], width: f64) -> LegendLayout {
    let mut figure = Figure::new(width, 0.0);
    if items.is_empty() && title.is_none() {
        return LegendLayout {
            figure,
            height: 0.0,
        };
    }
    let mut x = 0.0;
    let mut row = 0.0;
    let baseline = |row: f64| 6.0 + row * LEGEND_ROW + TICK_SIZE * 0.35 + 4.0;
    if let Some(title) = title {
        figure.text(
            0.0,
            baseline(0.0),
            title,
            Font::Bold,
            TICK_SIZE,
            TEXT,
            Anchor::Start,
        );
        x = Font::Bold.text_width(title, TICK_SIZE) + 8.0;
    }
    for item in items {
        let label_width = Font::Regular.text_width(&item.label, TICK_SIZE);
        let item_width = 14.0 + label_width + 12.0;
        if x > 0.0 && x + item_width > width {
            x = 0.0;
            row += 1.0;
        }
        let centre_y = 4.0 + row * LEGEND_ROW + 6.0;
        match item.symbol {
            LegendSymbol::Area(colour) => {
                figure.rect(
                    x,
                    centre_y - 5.0,
                    10.0,
                    10.0,
                    Some(colour),
                    Some(Stroke::solid(AXIS, 0.5)),
                );
            }
            LegendSymbol::Line(colour) => {
                figure.line(x, centre_y, x + 10.0, centre_y, Stroke::solid(colour, 2.0))
            }
            LegendSymbol::Marker(colour, shape) => {
                figure.marker(
                    shape,
                    x + 5.0,
                    centre_y,
                    7.0,
                    Some(colour),
                    Some(Stroke::solid(Rgb::BLACK, 0.5)),
                );
            }
        }
        let label = fit_text(&item.label, Font::Regular, TICK_SIZE, width - 14.0);
        figure.text(
            x + 14.0,
            baseline(row),
            label,
            Font::Regular,
            TICK_SIZE,
            TEXT,
            Anchor::Start,
        );
        x += item_width;
    }
    let height = 4.0 + (row + 1.0) * LEGEND_ROW + 2.0;
    figure.height = height;
    LegendLayout { figure, height }
}

/// The figure of a [`Legend`] block.
pub(crate) fn legend_figure(legend: &Legend, width: f64) -> Figure {
    layout_legend(legend.title.as_deref(), &legend.items, width).figure
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-worked with Heckbert's algorithm: range 0..384 -> nice(384) = 500, step
    // nice(500 / 4 = 125, rounded) = 100; ticks from floor(0/100) to ceil(384/100) = 4.
    #[test]
    fn nice_ticks_cover_the_data_in_round_steps() {
        assert_eq!(
            nice_ticks(0.0, 384.0, 5),
            vec![0.0, 100.0, 200.0, 300.0, 400.0]
        );
        // 0..1000: nice(1000) = 1000, step nice(250) = 200 (2.5 < 3 rounds to 2).
        assert_eq!(
            nice_ticks(0.0, 1000.0, 5),
            vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        // 2.3..7.9: nice(5.6) = 10, step nice(2) = 2: from 2 to 8.
        assert_eq!(nice_ticks(2.3, 7.9, 5), vec![2.0, 4.0, 6.0, 8.0]);
        // Negative values: -30..50: nice(80) = 100, step nice(25) = 20 (2.5 -> 2).
        assert_eq!(
            nice_ticks(-30.0, 50.0, 5),
            vec![-40.0, -20.0, 0.0, 20.0, 40.0, 60.0]
        );
        // All values equal to zero still give an axis.
        assert_eq!(nice_ticks(0.0, 0.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    }

    #[test]
    fn tick_labels_use_the_fewest_decimals() {
        assert_eq!(
            tick_labels(&[0.0, 0.25, 0.5], '.').0,
            ["0.00", "0.25", "0.50"]
        );
        assert_eq!(tick_labels(&[0.0, 200.0], ',').0, ["0", "200"]);
        assert_eq!(tick_labels(&[0.0, 0.5, 1.0], ',').0, ["0,0", "0,5", "1,0"]);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        let cut = fit_text(
            "Vehicle-borne improvised explosive device",
            Font::Regular,
            8.0,
            60.0,
        );
        assert!(cut.ends_with('\u{2026}'), "{cut}");
        assert!(Font::Regular.text_width(&cut, 8.0) <= 60.0);
        assert_eq!(fit_text("Arson", Font::Regular, 8.0, 60.0), "Arson");
    }

    #[test]
    fn scale_maps_domain_ends_to_range_ends() {
        let scale = Scale {
            domain: (0.0, 400.0),
            range: (200.0, 10.0),
        };
        assert_eq!(scale.map(0.0), 200.0);
        assert_eq!(scale.map(400.0), 10.0);
        assert_eq!(scale.map(100.0), 152.5);
    }
}
