//! What can be wrong with a document, checked before anything is rendered.

use crate::model::{
    Block, CellValue, Chart, ChartKind, Coordinates, Document, Geometry, Map, Table,
};

/// A document that cannot be rendered; the message names the block and the place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A block is malformed: `block 3 (table "Risk per threat"): row 2 has 4 cells, the table
    /// has 5 columns`.
    #[error("block {index} ({block}): {problem}")]
    InvalidBlock {
        /// 1-based position of the block in [`Document::blocks`].
        index: usize,
        /// The kind of block and its caption or text, for the reader of the message.
        block: String,
        /// What is wrong.
        problem: String,
    },
    /// A map or chart rendered on its own ([`crate::chart_svg`], [`crate::map_svg`]) is
    /// malformed.
    #[error("{figure}: {problem}")]
    InvalidFigure {
        /// The kind of figure and its caption.
        figure: String,
        /// What is wrong.
        problem: String,
    },
}

/// Checks every block; the first problem found is returned.
pub(crate) fn validate(document: &Document) -> Result<(), Error> {
    for (i, block) in document.blocks.iter().enumerate() {
        check_block(block).map_err(|problem| Error::InvalidBlock {
            index: i + 1,
            block: describe(block),
            problem,
        })?;
    }
    Ok(())
}

pub(crate) fn describe(block: &Block) -> String {
    let named = |kind: &str, name: Option<&String>| match name {
        Some(name) => format!("{kind} {name:?}"),
        None => kind.to_string(),
    };
    match block {
        Block::Heading { text, .. } => named("heading", Some(text)),
        Block::Paragraph(_) => "paragraph".to_string(),
        Block::KeyValues(_) => "key-value list".to_string(),
        Block::Table(table) => named("table", table.caption.as_ref()),
        Block::Map(map) => named("map", map.caption.as_ref()),
        Block::Chart(chart) => named("chart", chart.caption.as_ref()),
        Block::Legend(legend) => named("legend", legend.title.as_ref()),
        Block::PageBreak => "page break".to_string(),
    }
}

fn check_block(block: &Block) -> Result<(), String> {
    match block {
        Block::Heading { level, .. } if !(1..=3).contains(level) => {
            Err(format!("heading level {level} is not 1, 2 or 3"))
        }
        Block::Table(table) => check_table(table),
        Block::Map(map) => check_map(map),
        Block::Chart(chart) => check_chart(chart),
        _ => Ok(()),
    }
}

fn check_table(table: &Table) -> Result<(), String> {
    if table.columns.is_empty() {
        return Err("the table has no columns".to_string());
    }
    for column in &table.columns {
        if let crate::model::ColumnKind::Number { decimals } = column.kind
            && decimals > 6
        {
            return Err(format!(
                "column {:?} asks for {decimals} decimals (at most 6)",
                column.header
            ));
        }
    }
    for (r, row) in table.rows.iter().enumerate() {
        if row.cells.len() != table.columns.len() {
            return Err(format!(
                "row {} has {} cells, the table has {} columns",
                r + 1,
                row.cells.len(),
                table.columns.len()
            ));
        }
        for (c, cell) in row.cells.iter().enumerate() {
            if let CellValue::Number(value) = cell.value
                && !value.is_finite()
            {
                return Err(format!(
                    "row {}, column {}: {value} is not a finite number",
                    r + 1,
                    c + 1
                ));
            }
        }
    }
    Ok(())
}

fn check_size(height_pt: f64) -> Result<(), String> {
    if !(height_pt.is_finite() && (20.0..=650.0).contains(&height_pt)) {
        return Err(format!(
            "height {height_pt} pt is not between 20 and 650 pt"
        ));
    }
    Ok(())
}

pub(crate) fn check_map(map: &Map) -> Result<(), String> {
    check_size(map.height_pt)?;
    if map.features.is_empty() {
        return Err("the map has no features".to_string());
    }
    for (f, feature) in map.features.iter().enumerate() {
        let place = format!("feature {}", f + 1);
        let check_points = |points: &[[f64; 2]], what: &str, least: usize| -> Result<(), String> {
            if points.len() < least {
                return Err(format!(
                    "{place}: {what} has {} points, at least {least} needed",
                    points.len()
                ));
            }
            for (p, point) in points.iter().enumerate() {
                if !(point[0].is_finite() && point[1].is_finite()) {
                    return Err(format!("{place}: {what}: point {} is not finite", p + 1));
                }
                if map.coordinates == Coordinates::LonLatDegrees
                    && !((-180.0..=180.0).contains(&point[0]) && (-85.0..=85.0).contains(&point[1]))
                {
                    return Err(format!(
                        "{place}: {what}: point {} ({}, {}) is not a longitude/latitude in range",
                        p + 1,
                        point[0],
                        point[1]
                    ));
                }
            }
            Ok(())
        };
        match &feature.geometry {
            Geometry::Polygon { exterior, holes } => {
                check_points(exterior, "exterior ring", 3)?;
                for hole in holes {
                    check_points(hole, "hole", 3)?;
                }
            }
            Geometry::Polyline(points) => check_points(points, "line", 2)?,
            Geometry::Point(point) => check_points(std::slice::from_ref(point), "point", 1)?,
        }
        let style = &feature.style;
        let size_ok = |value: f64| value.is_finite() && value >= 0.0;
        if !(size_ok(style.stroke_width_pt) && size_ok(style.marker_size_pt)) {
            return Err(format!(
                "{place}: stroke width and marker size must be finite and >= 0"
            ));
        }
    }
    Ok(())
}

fn finite(values: impl IntoIterator<Item = f64>, what: &str) -> Result<(), String> {
    match values.into_iter().find(|v| !v.is_finite()) {
        Some(v) => Err(format!("{what}: {v} is not a finite number")),
        None => Ok(()),
    }
}

pub(crate) fn check_chart(chart: &Chart) -> Result<(), String> {
    check_size(chart.height_pt)?;
    match &chart.kind {
        ChartKind::Bar(bar) => {
            if bar.categories.is_empty() {
                return Err("the bar chart has no categories".to_string());
            }
            if bar.values.len() != bar.categories.len() {
                return Err(format!(
                    "{} values for {} categories",
                    bar.values.len(),
                    bar.categories.len()
                ));
            }
            if !bar.colours.is_empty() && bar.colours.len() != bar.categories.len() {
                return Err(format!(
                    "{} colours for {} categories (give one per bar, or none)",
                    bar.colours.len(),
                    bar.categories.len()
                ));
            }
            finite(bar.values.iter().copied(), "values")
        }
        ChartKind::StackedBars(stacked) => {
            if stacked.categories.is_empty() || stacked.series.is_empty() {
                return Err("the stacked bar chart needs categories and series".to_string());
            }
            for series in &stacked.series {
                if series.values.len() != stacked.categories.len() {
                    return Err(format!(
                        "series {:?} has {} values for {} categories",
                        series.name,
                        series.values.len(),
                        stacked.categories.len()
                    ));
                }
                finite(
                    series.values.iter().copied(),
                    &format!("series {:?}", series.name),
                )?;
                if let Some(v) = series.values.iter().find(|v| **v < 0.0) {
                    return Err(format!(
                        "series {:?}: {v} is negative; stacked segments cannot be",
                        series.name
                    ));
                }
            }
            Ok(())
        }
        ChartKind::Scatter(scatter) => {
            if scatter.points.is_empty() {
                return Err("the scatter chart has no points".to_string());
            }
            finite(scatter.points.iter().flat_map(|p| [p.x, p.y]), "points")
        }
        ChartKind::Line(line) => {
            if line.series.is_empty() || line.series.iter().all(|s| s.points.is_empty()) {
                return Err("the line chart has no points".to_string());
            }
            for series in &line.series {
                finite(
                    series.points.iter().flatten().copied(),
                    &format!("series {:?}", series.name),
                )?;
            }
            Ok(())
        }
        ChartKind::RiskMatrix(matrix) => {
            if matrix.row_labels.is_empty() || matrix.column_labels.is_empty() {
                return Err("the matrix needs row and column labels".to_string());
            }
            if matrix.cell_fills.len() != matrix.row_labels.len()
                || matrix
                    .cell_fills
                    .iter()
                    .any(|row| row.len() != matrix.column_labels.len())
            {
                return Err(format!(
                    "cell_fills must be {} rows of {} colours",
                    matrix.row_labels.len(),
                    matrix.column_labels.len()
                ));
            }
            for marker in &matrix.markers {
                if marker.row >= matrix.row_labels.len()
                    || marker.column >= matrix.column_labels.len()
                {
                    return Err(format!(
                        "marker {:?} is in row {}, column {}, outside the {}x{} matrix",
                        marker.label,
                        marker.row,
                        marker.column,
                        matrix.row_labels.len(),
                        matrix.column_labels.len()
                    ));
                }
            }
            Ok(())
        }
    }
}
