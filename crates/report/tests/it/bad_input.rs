//! Malformed documents are refused with a message that names the block and the place.

use report::*;

use crate::support::{fema_risk_table, generated_at};

fn error_of(block: Block) -> String {
    let mut document = Document::new("Bad", Marking::Clear, generated_at());
    document.blocks = vec![Block::PageBreak, block];
    let html = render_html(&document).unwrap_err().to_string();
    let pdf = render_pdf(&document).unwrap_err().to_string();
    assert_eq!(html, pdf, "both renderers check the same way");
    html
}

#[test]
fn a_row_with_the_wrong_number_of_cells() {
    let mut table = fema_risk_table();
    table.rows[2].cells.pop();
    assert_eq!(
        error_of(Block::Table(table)),
        r#"block 2 (table "Risk per threat"): row 3 has 4 cells, the table has 5 columns"#
    );
}

#[test]
fn a_number_that_is_not_finite() {
    let mut table = fema_risk_table();
    table.rows[0].cells[4] = f64::NAN.into();
    assert_eq!(
        error_of(Block::Table(table)),
        r#"block 2 (table "Risk per threat"): row 1, column 5: NaN is not a finite number"#
    );
}

#[test]
fn a_heading_level_out_of_range() {
    assert_eq!(
        error_of(Block::Heading {
            level: 4,
            text: "Deep".to_string()
        }),
        r#"block 2 (heading "Deep"): heading level 4 is not 1, 2 or 3"#
    );
}

#[test]
fn chart_values_that_do_not_match_the_categories() {
    let chart = Chart {
        caption: Some("Risk".to_string()),
        height_pt: 150.0,
        kind: ChartKind::Bar(BarChart {
            categories: vec!["A".into(), "B".into()],
            values: vec![1.0],
            colours: vec![],
            value_axis_title: None,
            value_labels: None,
        }),
    };
    assert_eq!(
        error_of(Block::Chart(chart.clone())),
        r#"block 2 (chart "Risk"): 1 values for 2 categories"#
    );
    assert_eq!(
        chart_svg(&chart, '.').unwrap_err().to_string(),
        r#"chart "Risk": 1 values for 2 categories"#
    );
}

#[test]
fn a_negative_stacked_segment() {
    let chart = Chart {
        caption: None,
        height_pt: 100.0,
        kind: ChartKind::StackedBars(StackedBarChart {
            categories: vec!["Plan".into()],
            series: vec![Series {
                name: "Capital".into(),
                colour: Rgb::BLACK,
                values: vec![-5.0],
            }],
            value_axis_title: None,
        }),
    };
    assert_eq!(
        error_of(Block::Chart(chart)),
        r#"block 2 (chart): series "Capital": -5 is negative; stacked segments cannot be"#
    );
}

#[test]
fn a_marker_outside_the_matrix() {
    let mut matrix = crate::support::risk_matrix();
    matrix.markers.push(MatrixMarker {
        row: 5,
        column: 0,
        label: "X".into(),
    });
    let chart = Chart {
        caption: None,
        height_pt: 150.0,
        kind: ChartKind::RiskMatrix(matrix),
    };
    assert_eq!(
        error_of(Block::Chart(chart)),
        r#"block 2 (chart): marker "X" is in row 5, column 0, outside the 5x5 matrix"#
    );
}

#[test]
fn map_geometry_problems() {
    let map = |coordinates, geometry| {
        Block::Map(Map {
            caption: Some("Site".to_string()),
            coordinates,
            features: vec![MapFeature {
                geometry,
                style: Style::line(Rgb::BLACK, 1.0),
                label: None,
            }],
            height_pt: 200.0,
        })
    };
    assert_eq!(
        error_of(map(
            Coordinates::ProjectedMetres,
            Geometry::Polyline(vec![[0.0, 0.0]])
        )),
        r#"block 2 (map "Site"): feature 1: line has 1 points, at least 2 needed"#
    );
    assert_eq!(
        error_of(map(
            Coordinates::LonLatDegrees,
            Geometry::Point([11.57, 148.1])
        )),
        r#"block 2 (map "Site"): feature 1: point: point 1 (11.57, 148.1) is not a longitude/latitude in range"#
    );
    assert_eq!(
        error_of(map(
            Coordinates::ProjectedMetres,
            Geometry::Point([f64::INFINITY, 0.0])
        )),
        r#"block 2 (map "Site"): feature 1: point: point 1 is not finite"#
    );
    let mut empty = Map {
        caption: None,
        coordinates: Coordinates::ProjectedMetres,
        features: vec![],
        height_pt: 200.0,
    };
    assert_eq!(
        map_svg(&empty).unwrap_err().to_string(),
        "map: the map has no features"
    );
    empty.height_pt = 5000.0;
    assert_eq!(
        error_of(Block::Map(empty)),
        "block 2 (map): height 5000 pt is not between 20 and 650 pt"
    );
}
