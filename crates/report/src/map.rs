//! Map layout: features projected to metres, fitted to the frame (north up, one scale for
//! both axes), with a scale bar and a north arrow; drawn into a [`Figure`].

use crate::chart::fit_text;
use crate::figure::{Anchor, Figure, Segment, Stroke, segments_through};
use crate::fonts::Font;
use crate::model::{Coordinates, Geometry, Map, Rgb};

/// WGS84 semi-major axis (m) and flattening (NIMA TR8350.2).
const WGS84_A_M: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// Space kept free inside the frame: labels on the left and top, the north arrow on the
/// right, the scale bar at the bottom.
pub(crate) const PAD_LEFT: f64 = 12.0;
pub(crate) const PAD_RIGHT: f64 = 28.0;
pub(crate) const PAD_TOP: f64 = 12.0;
pub(crate) const PAD_BOTTOM: f64 = 26.0;

/// The scale bar is at most this share of the fitted width.
const SCALE_BAR_SHARE: f64 = 0.3;
const LABEL_SIZE: f64 = 7.5;
const BACKGROUND: Rgb = Rgb::new(250, 250, 247);
const FRAME: Rgb = Rgb::new(120, 120, 120);

/// Projects WGS84 `[longitude, latitude]` (degrees) to `[east_m, north_m]` on the plane
/// tangent at `origin` (also `[lon, lat]`): east = N(φ0) cos φ0 Δλ, north = M(φ0) Δφ, with
/// N and M the ellipsoid's radii of curvature in the prime vertical and the meridian at the
/// origin's latitude. Over a site or a city centre (a few km) this differs from a transverse
/// Mercator by well under 0.1 %, far below what a printed map shows.
pub fn project_lon_lat(point: [f64; 2], origin: [f64; 2]) -> [f64; 2] {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let phi0 = origin[1].to_radians();
    let w = 1.0 - e2 * phi0.sin().powi(2);
    let prime_vertical_m = WGS84_A_M / w.sqrt();
    let meridian_m = WGS84_A_M * (1.0 - e2) / w.powf(1.5);
    [
        prime_vertical_m * phi0.cos() * (point[0] - origin[0]).to_radians(),
        meridian_m * (point[1] - origin[1]).to_radians(),
    ]
}

/// How metres map to the frame: `x_pt = centre_x + (east - mid_east) * scale`, and likewise
/// for y with north up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Fit {
    pub(crate) points_per_metre: f64,
    mid_east: f64,
    mid_north: f64,
    centre_x: f64,
    centre_y: f64,
}

impl Fit {
    /// Fits the box `[min_east, min_north, max_east, max_north]` into the frame's free area,
    /// centred, with one scale for both axes. A box smaller than 10 m a side is widened to
    /// 10 m so a single point still gets a sensible scale.
    pub(crate) fn new(bounds: [f64; 4], width: f64, height: f64) -> Self {
        let [min_e, min_n, max_e, max_n] = bounds;
        let span_e = (max_e - min_e).max(10.0);
        let span_n = (max_n - min_n).max(10.0);
        let free_w = width - PAD_LEFT - PAD_RIGHT;
        let free_h = height - PAD_TOP - PAD_BOTTOM;
        Fit {
            points_per_metre: (free_w / span_e).min(free_h / span_n),
            mid_east: (min_e + max_e) / 2.0,
            mid_north: (min_n + max_n) / 2.0,
            centre_x: PAD_LEFT + free_w / 2.0,
            centre_y: PAD_TOP + free_h / 2.0,
        }
    }

    pub(crate) fn apply(&self, point: [f64; 2]) -> (f64, f64) {
        (
            self.centre_x + (point[0] - self.mid_east) * self.points_per_metre,
            self.centre_y - (point[1] - self.mid_north) * self.points_per_metre,
        )
    }
}

/// The longest 1, 2 or 5 x 10^k metres not over `max_m`.
pub(crate) fn scale_bar_length_m(max_m: f64) -> f64 {
    let power = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&length| length <= max_m * (1.0 + 1e-9))
        .unwrap_or(power)
}

/// "20 m", "500 m", "1 km", "2.5 km".
pub(crate) fn distance_label(metres: f64) -> String {
    if metres >= 1000.0 {
        format!(
            "{} km",
            crate::figure::format_number_shortest(metres / 1000.0, '.')
        )
    } else {
        format!("{} m", crate::figure::format_number_shortest(metres, '.'))
    }
}

/// The map's features in metres, in the order given.
fn features_in_metres(map: &Map) -> Vec<Geometry> {
    let all_points = || {
        map.features
            .iter()
            .flat_map(|f| geometry_points(&f.geometry))
    };
    let project: Box<dyn Fn([f64; 2]) -> [f64; 2]> = match map.coordinates {
        Coordinates::ProjectedMetres => Box::new(|p| p),
        Coordinates::LonLatDegrees => {
            let bounds = bounds(all_points());
            let origin = [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0];
            Box::new(move |p| project_lon_lat(p, origin))
        }
    };
    let ring = |points: &Vec<[f64; 2]>| points.iter().map(|p| project(*p)).collect::<Vec<_>>();
    map.features
        .iter()
        .map(|f| match &f.geometry {
            Geometry::Polygon { exterior, holes } => Geometry::Polygon {
                exterior: ring(exterior),
                holes: holes.iter().map(ring).collect(),
            },
            Geometry::Polyline(points) => Geometry::Polyline(ring(points)),
            Geometry::Point(point) => Geometry::Point(project(*point)),
        })
        .collect()
}

fn bounds(points: impl Iterator<Item = [f64; 2]>) -> [f64; 4] {
    points.fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |[a, b, c, d], [x, y]| [a.min(x), b.min(y), c.max(x), d.max(y)],
    )
}

fn geometry_points(geometry: &Geometry) -> Vec<[f64; 2]> {
    match geometry {
        Geometry::Polygon { exterior, holes } => {
            let mut points = exterior.clone();
            points.extend(holes.iter().flatten().copied());
            points
        }
        Geometry::Polyline(points) => points.clone(),
        Geometry::Point(point) => vec![*point],
    }
}

/// The area centroid of a ring in frame coordinates (shoelace formula), or the mean of its
/// points when the ring has no area.
fn ring_centroid(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len();
    let (mut area2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x0, y0) = points[i];
        let (x1, y1) = points[(i + 1) % n];
        let cross = x0 * y1 - x1 * y0;
        area2 += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if area2.abs() < 1e-9 {
        let sum = points
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        return (sum.0 / n as f64, sum.1 / n as f64);
    }
    (cx / (3.0 * area2), cy / (3.0 * area2))
}

/// The point halfway along a line.
fn line_midpoint(points: &[(f64, f64)]) -> (f64, f64) {
    let length: f64 = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .sum();
    let mut remaining = length / 2.0;
    for w in points.windows(2) {
        let segment = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        if segment >= remaining && segment > 0.0 {
            let t = remaining / segment;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        remaining -= segment;
    }
    points[0]
}

/// Lays out `map` in a frame `width` x `map.height_pt` points.
pub(crate) fn map_figure(map: &Map, width: f64) -> Figure {
    let height = map.height_pt;
    let mut figure = Figure::new(width, height);
    figure.rect(0.0, 0.0, width, height, Some(BACKGROUND), None);
    let geometries = features_in_metres(map);
    let fit = Fit::new(
        bounds(geometries.iter().flat_map(geometry_points)),
        width,
        height,
    );
    let mut labels = Vec::new();
    for (feature, geometry) in map.features.iter().zip(&geometries) {
        let style = feature.style;
        let stroke = style.stroke.map(|colour| Stroke {
            colour,
            width: style.stroke_width_pt,
            dashed: style.dashed,
        });
        let to_frame =
            |points: &[[f64; 2]]| points.iter().map(|p| fit.apply(*p)).collect::<Vec<_>>();
        let label_at = match geometry {
            Geometry::Polygon { exterior, holes } => {
                let outer = to_frame(exterior);
                let mut segments = segments_through(&outer, true);
                for hole in holes {
                    segments.extend(segments_through(&to_frame(hole), true));
                }
                figure.path(segments, style.fill, stroke);
                let (x, y) = ring_centroid(&outer);
                (x, y + LABEL_SIZE * 0.35, Anchor::Middle)
            }
            Geometry::Polyline(points) => {
                let line = to_frame(points);
                figure.path(segments_through(&line, false), None, stroke);
                let (x, y) = line_midpoint(&line);
                (x + 3.0, y - 3.0, Anchor::Start)
            }
            Geometry::Point(point) => {
                let (x, y) = fit.apply(*point);
                figure.marker(style.marker, x, y, style.marker_size_pt, style.fill, stroke);
                (
                    x + style.marker_size_pt / 2.0 + 2.5,
                    y + LABEL_SIZE * 0.35,
                    Anchor::Start,
                )
            }
        };
        if let Some(label) = &feature.label {
            labels.push((label_at, label.clone()));
        }
    }
    // Labels go on top of every feature.
    for ((x, y, anchor), label) in labels {
        let label = fit_text(&label, Font::Bold, LABEL_SIZE, width * 0.4);
        figure.text(
            x,
            y,
            label,
            Font::Bold,
            LABEL_SIZE,
            Rgb::new(20, 20, 20),
            anchor,
        );
    }
    scale_bar(&mut figure, &fit);
    north_arrow(&mut figure);
    // Inset by half the line width, so the whole frame line is inside the figure.
    let inset = 0.375;
    let frame = Some(Stroke::solid(FRAME, 2.0 * inset));
    figure.rect(
        inset,
        inset,
        width - 2.0 * inset,
        height - 2.0 * inset,
        None,
        frame,
    );
    figure
}

fn scale_bar(figure: &mut Figure, fit: &Fit) {
    let free_w = figure.width - PAD_LEFT - PAD_RIGHT;
    let length_m = scale_bar_length_m(SCALE_BAR_SHARE * free_w / fit.points_per_metre);
    let length_pt = length_m * fit.points_per_metre;
    let (x, y) = (PAD_LEFT, figure.height - 10.0);
    let black = Stroke::solid(Rgb::BLACK, 0.5);
    figure.rect(
        x,
        y - 3.0,
        length_pt / 2.0,
        3.0,
        Some(Rgb::BLACK),
        Some(black),
    );
    figure.rect(
        x + length_pt / 2.0,
        y - 3.0,
        length_pt / 2.0,
        3.0,
        Some(Rgb::WHITE),
        Some(black),
    );
    figure.text(
        x + length_pt + 4.0,
        y,
        distance_label(length_m),
        Font::Regular,
        LABEL_SIZE,
        Rgb::BLACK,
        Anchor::Start,
    );
}

fn north_arrow(figure: &mut Figure) {
    let x = figure.width - PAD_RIGHT / 2.0;
    let black = Stroke::solid(Rgb::BLACK, 0.5);
    figure.text(x, 15.0, "N", Font::Bold, 9.0, Rgb::BLACK, Anchor::Middle);
    let (tip, base, half) = (18.0, 36.0, 5.0);
    figure.path(
        vec![
            Segment::MoveTo(x, tip),
            Segment::LineTo(x, base - 4.0),
            Segment::LineTo(x - half, base),
            Segment::Close,
        ],
        Some(Rgb::BLACK),
        Some(black),
    );
    figure.path(
        vec![
            Segment::MoveTo(x, tip),
            Segment::LineTo(x + half, base),
            Segment::LineTo(x, base - 4.0),
            Segment::Close,
        ],
        Some(Rgb::WHITE),
        Some(black),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference: the length of one degree on the WGS84 ellipsoid at 45° latitude, as tabulated
    // in "Length of a degree of latitude/longitude" (e.g. Wikipedia, from the same radii of
    // curvature): 111.132 km of latitude, 78.847 km of longitude.
    #[test]
    fn one_degree_at_45_degrees_matches_the_published_lengths() {
        let east = project_lon_lat([1.0, 45.0], [0.0, 45.0]);
        let north = project_lon_lat([0.0, 46.0], [0.0, 45.0]);
        assert!((east[0] - 78_847.0).abs() < 1.0, "{east:?}");
        assert!(east[1].abs() < 1e-9);
        assert!((north[1] - 111_132.0).abs() < 1.0, "{north:?}");
    }

    // Marienplatz, Munich (48.1374 N). By hand: e² = f(2 - f) = 0.00669438;
    // sin² 48.1374° = 0.554649; N = a / sqrt(1 - e² sin²) = 6 390 011.2 m;
    // M = a (1 - e²) / (1 - e² sin²)^1.5 = 6 370 889.3 m; cos 48.1374° = 0.667347.
    // 0.001° of longitude: N cos φ0 × 0.001 π/180 = 74.427 m; of latitude: M × 0.001 π/180 = 111.193 m.
    #[test]
    fn a_thousandth_of_a_degree_at_marienplatz() {
        let origin = [11.5755, 48.1374];
        let p = project_lon_lat([11.5765, 48.1384], origin);
        assert!((p[0] - 74.427).abs() < 0.001, "{p:?}");
        assert!((p[1] - 111.193).abs() < 0.001, "{p:?}");
    }

    // A 100 m x 50 m rectangle in a 400 x 300 pt frame. Free area: 400 - 12 - 28 = 360 pt wide,
    // 300 - 12 - 26 = 262 pt high. Scale: min(360/100, 262/50) = 3.6 pt/m. The box's centre
    // (50, 25) goes to the free area's centre (12 + 180, 12 + 131) = (192, 143); so corner
    // (0, 0) -> (192 - 180, 143 + 90) = (12, 233) and (100, 50) -> (372, 53).
    #[test]
    fn fitting_scales_uniformly_and_centres_north_up() {
        let fit = Fit::new([0.0, 0.0, 100.0, 50.0], 400.0, 300.0);
        assert!((fit.points_per_metre - 3.6).abs() < 1e-12);
        let (x0, y0) = fit.apply([0.0, 0.0]);
        let (x1, y1) = fit.apply([100.0, 50.0]);
        assert!(
            (x0 - 12.0).abs() < 1e-9 && (y0 - 233.0).abs() < 1e-9,
            "{x0} {y0}"
        );
        assert!(
            (x1 - 372.0).abs() < 1e-9 && (y1 - 53.0).abs() < 1e-9,
            "{x1} {y1}"
        );
    }

    // Same frame, a tall box 20 m x 200 m: the height limits, 262/200 = 1.31 pt/m.
    #[test]
    fn a_tall_box_is_fitted_by_its_height() {
        let fit = Fit::new([0.0, 0.0, 20.0, 200.0], 400.0, 300.0);
        assert!((fit.points_per_metre - 1.31).abs() < 1e-12);
    }

    // The scale bar for the 3.6 pt/m fit: at most 0.3 x 360 pt = 108 pt = 30 m -> 20 m (72 pt).
    #[test]
    fn scale_bar_takes_the_longest_round_length_that_fits() {
        assert_eq!(scale_bar_length_m(30.0), 20.0);
        assert_eq!(scale_bar_length_m(50.0), 50.0);
        assert_eq!(scale_bar_length_m(9.99), 5.0);
        assert_eq!(scale_bar_length_m(1400.0), 1000.0);
        assert_eq!(distance_label(20.0), "20 m");
        assert_eq!(distance_label(2500.0), "2.5 km");
    }

    #[test]
    fn polygon_labels_sit_at_the_area_centroid() {
        // An L shape: a 2 x 1 rectangle plus a 1 x 1 square on its left end: area 3,
        // centroid ((1 x 2 + 0.5 x 1) / 3, (0.5 x 2 + 1.5 x 1) / 3) = (0.8333, 0.8333).
        let (x, y) = ring_centroid(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (1.0, 2.0),
            (0.0, 2.0),
        ]);
        assert!(
            (x - 2.5 / 3.0).abs() < 1e-12 && (y - 2.5 / 3.0).abs() < 1e-12,
            "{x} {y}"
        );
        assert_eq!(
            line_midpoint(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]),
            (10.0, 0.0)
        );
    }
}
