//! Plane geometry in the local metric frame: points, segments, the perimeter polygon.

use serde::{Deserialize, Serialize};

/// A point in the local metric frame (metres east and north of an arbitrary origin).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Metres east of the frame origin.
    pub x_m: f64,
    /// Metres north of the frame origin.
    pub y_m: f64,
}

impl Point {
    /// A point from its coordinates in metres.
    pub const fn new(x_m: f64, y_m: f64) -> Point {
        Point { x_m, y_m }
    }

    pub(crate) fn sub(self, other: Point) -> Point {
        Point::new(self.x_m - other.x_m, self.y_m - other.y_m)
    }

    pub(crate) fn add_scaled(self, direction: Point, factor: f64) -> Point {
        Point::new(
            self.x_m + direction.x_m * factor,
            self.y_m + direction.y_m * factor,
        )
    }

    pub(crate) fn dot(self, other: Point) -> f64 {
        self.x_m * other.x_m + self.y_m * other.y_m
    }

    pub(crate) fn cross(self, other: Point) -> f64 {
        self.x_m * other.y_m - self.y_m * other.x_m
    }

    pub(crate) fn norm(self) -> f64 {
        self.x_m.hypot(self.y_m)
    }

    /// Straight-line distance in metres.
    pub fn distance_m(self, other: Point) -> f64 {
        self.sub(other).norm()
    }
}

/// Deflection angle in radians (0 = straight on, π = U-turn) between two headings.
pub(crate) fn deflection_rad(incoming: Point, outgoing: Point) -> f64 {
    let cross = incoming.cross(outgoing);
    let dot = incoming.dot(outgoing);
    cross.atan2(dot).abs()
}

/// Parameter `t` in [0, 1] along `a -> b` where it crosses `c -> d`, with the parameter `u` along
/// `c -> d`; `None` when they do not cross (parallel segments never count as crossing).
pub(crate) fn segment_intersection(a: Point, b: Point, c: Point, d: Point) -> Option<(f64, f64)> {
    let r = b.sub(a);
    let s = d.sub(c);
    let denominator = r.cross(s);
    if denominator.abs() < 1e-12 {
        return None;
    }
    let ca = c.sub(a);
    let t = ca.cross(s) / denominator;
    let u = ca.cross(r) / denominator;
    if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
        Some((t, u))
    } else {
        None
    }
}

/// Distance from `p` to the segment `a -> b`.
#[cfg(test)]
pub(crate) fn distance_to_segment_m(p: Point, a: Point, b: Point) -> f64 {
    offset_from_segment(p, a, b).norm()
}

/// `p` less the point of segment `a -> b` nearest to it: its norm is
/// `distance_to_segment_m`.
pub(crate) fn offset_from_segment(p: Point, a: Point, b: Point) -> Point {
    let ab = b.sub(a);
    let length_squared = ab.dot(ab);
    if length_squared == 0.0 {
        return p.sub(a);
    }
    let t = (p.sub(a).dot(ab) / length_squared).clamp(0.0, 1.0);
    p.sub(a.add_scaled(ab, t))
}

/// Radius of the circle through three points; infinite when they are collinear.
pub(crate) fn circumradius_m(a: Point, b: Point, c: Point) -> f64 {
    let twice_area = b.sub(a).cross(c.sub(a)).abs();
    if twice_area < 1e-9 {
        return f64::INFINITY;
    }
    a.distance_m(b) * b.distance_m(c) * c.distance_m(a) / (2.0 * twice_area)
}

/// Even-odd point-in-polygon test over a closed ring given without its closing point.
pub(crate) fn ring_contains(ring: &[Point], p: Point) -> bool {
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a.y_m > p.y_m) != (b.y_m > p.y_m) {
            let x = a.x_m + (p.y_m - a.y_m) / (b.y_m - a.y_m) * (b.x_m - a.x_m);
            if p.x_m < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Signed area of a ring (positive when counter-clockwise).
pub(crate) fn ring_signed_area_m2(ring: &[Point]) -> f64 {
    let mut twice = 0.0;
    for i in 0..ring.len() {
        let j = (i + 1) % ring.len();
        twice += ring[i].cross(ring[j]);
    }
    twice / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_of_two_diagonals_is_at_their_midpoints() {
        let hit = segment_intersection(
            Point::new(0.0, 0.0),
            Point::new(2.0, 2.0),
            Point::new(0.0, 2.0),
            Point::new(2.0, 0.0),
        );
        assert_eq!(hit, Some((0.5, 0.5)));
    }

    #[test]
    fn circumradius_of_a_right_angle_is_half_the_hypotenuse() {
        // Thales: the hypotenuse of a right triangle is a diameter of its circumcircle.
        let r = circumradius_m(
            Point::new(-10.0, 0.0),
            Point::new(0.0, 0.0),
            Point::new(0.0, 10.0),
        );
        assert!((r - 200f64.sqrt() / 2.0).abs() < 1e-9);
    }

    #[test]
    fn square_contains_its_centre_not_a_far_point() {
        let ring = [
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(10.0, 10.0),
            Point::new(0.0, 10.0),
        ];
        assert!(ring_contains(&ring, Point::new(5.0, 5.0)));
        assert!(!ring_contains(&ring, Point::new(15.0, 5.0)));
        assert_eq!(ring_signed_area_m2(&ring), 100.0);
    }

    #[test]
    fn deflection_of_a_right_turn_is_a_quarter_turn() {
        let d = deflection_rad(Point::new(1.0, 0.0), Point::new(0.0, -1.0));
        assert!((d - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
    }
}
