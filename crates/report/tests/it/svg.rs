//! Figures as SVG: a golden chart, and maps fitted to their frame checked against
//! hand-worked numbers.

use expect_test::expect;
use report::*;

#[test]
fn golden_bar_chart() {
    let chart = Chart {
        caption: Some("Risk <by> threat".to_string()),
        height_pt: 60.0,
        kind: ChartKind::Bar(BarChart {
            categories: vec!["Ramming".to_string(), "Arson".to_string()],
            values: vec![384.0, 128.0],
            colours: vec![Rgb::new(215, 25, 28), Rgb::new(255, 192, 0)],
            value_axis_title: None,
            value_labels: Some(0),
        }),
    };
    // Bless with UPDATE_EXPECT=1 after checking the picture by eye. By hand: ticks 0..400 by
    // 100 (Heckbert); the axis is as wide as the widest tick label, "400" (3 x 556/1000 x
    // 8 pt = 13.34 pt), plus 10 pt: 23.34. The plot runs from y = 13.5 (7.5 pt value labels
    // + 6) to 60 - 6 - 9.5 = 44.5, so 384 sits at 44.5 - 31 x 384/400 = 14.74 and 128 at
    // 34.58; two slots of (481.89 - 23.34 - 4) / 2 = 227.27 pt, centred on 136.98 and
    // 364.25, bars 65 % of a slot (147.73 pt).
    expect![[r##"
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 481.89 60" width="481.89" height="60" role="img" aria-label="Risk &lt;by&gt; threat" font-family="Helvetica, Arial, sans-serif" fill-rule="evenodd">
        <path d="M23.34 44.5 L477.89 44.5" fill="none" stroke="#e1e1e1" stroke-width="0.5" stroke-linejoin="round"/>
        <path d="M20.34 44.5 L23.34 44.5" fill="none" stroke="#5a5a5a" stroke-width="0.5" stroke-linejoin="round"/>
        <text x="18.34" y="47.3" font-size="8" fill="#212121" text-anchor="end">0</text>
        <path d="M23.34 36.75 L477.89 36.75" fill="none" stroke="#e1e1e1" stroke-width="0.5" stroke-linejoin="round"/>
        <path d="M20.34 36.75 L23.34 36.75" fill="none" stroke="#5a5a5a" stroke-width="0.5" stroke-linejoin="round"/>
        <text x="18.34" y="39.55" font-size="8" fill="#212121" text-anchor="end">100</text>
        <path d="M23.34 29 L477.89 29" fill="none" stroke="#e1e1e1" stroke-width="0.5" stroke-linejoin="round"/>
        <path d="M20.34 29 L23.34 29" fill="none" stroke="#5a5a5a" stroke-width="0.5" stroke-linejoin="round"/>
        <text x="18.34" y="31.8" font-size="8" fill="#212121" text-anchor="end">200</text>
        <path d="M23.34 21.25 L477.89 21.25" fill="none" stroke="#e1e1e1" stroke-width="0.5" stroke-linejoin="round"/>
        <path d="M20.34 21.25 L23.34 21.25" fill="none" stroke="#5a5a5a" stroke-width="0.5" stroke-linejoin="round"/>
        <text x="18.34" y="24.05" font-size="8" fill="#212121" text-anchor="end">300</text>
        <path d="M23.34 13.5 L477.89 13.5" fill="none" stroke="#e1e1e1" stroke-width="0.5" stroke-linejoin="round"/>
        <path d="M20.34 13.5 L23.34 13.5" fill="none" stroke="#5a5a5a" stroke-width="0.5" stroke-linejoin="round"/>
        <text x="18.34" y="16.3" font-size="8" fill="#212121" text-anchor="end">400</text>
        <path d="M23.34 13.5 L23.34 44.5" fill="none" stroke="#5a5a5a" stroke-width="0.75" stroke-linejoin="round"/>
        <path d="M63.12 14.74 L210.84 14.74 L210.84 44.5 L63.12 44.5 Z" fill="#d7191c"/>
        <text x="136.98" y="11.74" font-size="7.5" fill="#212121" text-anchor="middle" font-weight="bold">384</text>
        <text x="136.98" y="56.5" font-size="8" fill="#212121" text-anchor="middle">Ramming</text>
        <path d="M290.39 34.58 L438.12 34.58 L438.12 44.5 L290.39 44.5 Z" fill="#ffc000"/>
        <text x="364.25" y="31.58" font-size="7.5" fill="#212121" text-anchor="middle" font-weight="bold">128</text>
        <text x="364.25" y="56.5" font-size="8" fill="#212121" text-anchor="middle">Arson</text>
        <path d="M23.34 44.5 L477.89 44.5" fill="none" stroke="#5a5a5a" stroke-width="0.75" stroke-linejoin="round"/>
        </svg>"##]]
    .assert_eq(&chart_svg(&chart, '.').unwrap());
}

fn rectangle_map(coordinates: Coordinates, corners: [[f64; 2]; 2]) -> Map {
    let [[x0, y0], [x1, y1]] = corners;
    Map {
        caption: None,
        coordinates,
        features: vec![MapFeature {
            geometry: Geometry::Polygon {
                exterior: vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
                holes: vec![],
            },
            style: Style::area(Rgb::WHITE, Rgb::BLACK),
            label: None,
        }],
        height_pt: 300.0,
    }
}

// A 100 m x 50 m rectangle in metres, frame 481.89 x 300 pt (the text width of A4 less 20 mm
// margins). Free area: 481.89 - 12 - 28 = 441.89 pt by 300 - 12 - 26 = 262 pt. Scale:
// min(441.89/100, 262/50) = 4.4189 pt/m, so the rectangle spans the free width, x 12 to
// 453.89; its 50 m are 220.945 pt, centred on y = 12 + 131 = 143: from 253.47 (south) up to
// 32.53 (north). Scale bar: at most 0.3 x 441.89 pt = 30 m -> 20 m.
#[test]
fn a_metric_map_is_fitted_as_worked_by_hand() {
    let svg = map_svg(&rectangle_map(
        Coordinates::ProjectedMetres,
        [[0.0, 0.0], [100.0, 50.0]],
    ))
    .unwrap();
    assert!(svg.contains(r##"<path d="M12 253.47 L453.89 253.47 L453.89 32.53 L12 32.53 Z" fill="#ffffff" stroke="#000000""##), "{svg}");
    assert!(svg.contains(">20 m</text>"), "{svg}");
    assert!(svg.contains(">N</text>"), "north arrow");
}

// The same frame with a thousandth of a degree each way at Marienplatz (11.5755-11.5765 E,
// 48.1374-48.1384 N). Projected at the box's centre (48.1379 N; radii as in map.rs's unit
// test): 74.426 m east-west, 111.193 m north-south. Height-limited: 262/111.193 = 2.35626
// pt/m; the width is 74.426 x 2.35626 = 175.37 pt centred on x = 12 + 220.945 = 232.945:
// from 145.26 to 320.63; the height fills y 12 to 274. Scale bar: 0.3 x 441.89 / 2.35626 =
// 56.3 m -> 50 m.
#[test]
fn a_lon_lat_map_is_projected_and_fitted_as_worked_by_hand() {
    let svg = map_svg(&rectangle_map(
        Coordinates::LonLatDegrees,
        [[11.5755, 48.1374], [11.5765, 48.1384]],
    ))
    .unwrap();
    assert!(
        svg.contains(r#"<path d="M145.26 274 L320.63 274 L320.63 12 L145.26 12 Z""#),
        "{svg}"
    );
    assert!(svg.contains(">50 m</text>"), "{svg}");
}

#[test]
fn polygons_with_holes_are_one_even_odd_path() {
    let map = Map {
        caption: None,
        coordinates: Coordinates::ProjectedMetres,
        features: vec![MapFeature {
            geometry: Geometry::Polygon {
                exterior: vec![[0.0, 0.0], [100.0, 0.0], [100.0, 50.0], [0.0, 50.0]],
                holes: vec![vec![[40.0, 20.0], [60.0, 20.0], [60.0, 30.0], [40.0, 30.0]]],
            },
            style: Style::area(Rgb::WHITE, Rgb::BLACK),
            label: Some("Square".to_string()),
        }],
        height_pt: 300.0,
    };
    let svg = map_svg(&map).unwrap();
    // Hole corners by the fit of the test above: x = 12 + 4.4189 x, y = 253.47 - 4.4189 y.
    assert!(
        svg.contains("Z M188.76 165.09 L277.13 165.09 L277.13 120.91 L188.76 120.91 Z"),
        "{svg}"
    );
    assert!(svg.contains(r#"fill-rule="evenodd""#));
    // The label sits at the area centroid (the middle, by symmetry): x 232.94.
    assert!(
        svg.contains(r#"<text x="232.94""#) || svg.contains(r#"<text x="232.95""#),
        "{svg}"
    );
}
