//! Plane geometry in metres: points, rings, point-in-polygon, segment distance and crossing.

use serde::{Deserialize, Serialize};

/// A point (or vector) in the scenario's local metric frame, metres. Serialised as `[x, y]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct Point {
    /// Easting, metres.
    pub x: f64,
    /// Northing, metres.
    pub y: f64,
}

impl Point {
    /// The point `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// Euclidean distance to `other`, metres.
    pub fn distance_to(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// This point rotated by `angle_rad` counter-clockwise about `centre`.
    pub fn rotated_about(self, centre: Point, angle_rad: f64) -> Point {
        let (sin, cos) = angle_rad.sin_cos();
        let dx = self.x - centre.x;
        let dy = self.y - centre.y;
        Point::new(
            centre.x + cos * dx - sin * dy,
            centre.y + sin * dx + cos * dy,
        )
    }
}

impl From<[f64; 2]> for Point {
    fn from([x, y]: [f64; 2]) -> Point {
        Point { x, y }
    }
}

impl From<Point> for [f64; 2] {
    fn from(p: Point) -> [f64; 2] {
        [p.x, p.y]
    }
}

/// ⌊x⌋ for |x| < 2⁶³, without a call into libm (x86-64's baseline SSE2 has no rounding
/// instruction, so `f64::floor` is a function call on the hot paths that locate cells).
#[inline]
pub(crate) fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// An axis-aligned rectangle `[x0, x1] × [y0, y1]` as a closed ring (counter-clockwise), a
/// convenience for scenarios and tests.
pub fn rectangle(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<Point> {
    vec![
        Point::new(x0, y0),
        Point::new(x1, y0),
        Point::new(x1, y1),
        Point::new(x0, y1),
    ]
}

/// Edges of a ring given as its vertices (the closing edge from the last vertex back to the
/// first is implied; a repeated first vertex at the end is tolerated).
pub(crate) fn ring_edges(ring: &[Point]) -> impl Iterator<Item = (Point, Point)> + '_ {
    let n = ring.len();
    (0..n)
        .map(move |i| (ring[i], ring[(i + 1) % n]))
        .filter(|(a, b)| a != b)
}

/// Whether `p` lies inside the ring (even-odd rule; points exactly on an edge may go either way).
pub(crate) fn point_in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    for (a, b) in ring_edges(ring) {
        if (a.y > p.y) != (b.y > p.y) {
            let x_cross = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if p.x < x_cross {
                inside = !inside;
            }
        }
    }
    inside
}

/// Signed area of a ring, m² (positive when counter-clockwise).
pub(crate) fn ring_signed_area(ring: &[Point]) -> f64 {
    ring_edges(ring)
        .map(|(a, b)| a.x * b.y - b.x * a.y)
        .sum::<f64>()
        / 2.0
}

/// The closest point to `p` on the segment `a`–`b`.
pub(crate) fn closest_point_on_segment(p: Point, a: Point, b: Point) -> Point {
    let abx = b.x - a.x;
    let aby = b.y - a.y;
    let len2 = abx * abx + aby * aby;
    if len2 == 0.0 {
        return a;
    }
    let t = (((p.x - a.x) * abx + (p.y - a.y) * aby) / len2).clamp(0.0, 1.0);
    Point::new(a.x + t * abx, a.y + t * aby)
}

/// Distance from `p` to the segment `a`–`b`, metres.
pub(crate) fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    p.distance_to(closest_point_on_segment(p, a, b))
}

fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn on_segment(a: Point, b: Point, p: Point) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Whether the closed segments `p1`–`p2` and `q1`–`q2` share a point (touching counts).
pub(crate) fn segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    // Fast rejection (the common case for a wall and two agents on the same side of it).
    if (d1 > 0.0 && d2 > 0.0) || (d1 < 0.0 && d2 < 0.0) {
        return false;
    }
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, q2, p1))
        || (d2 == 0.0 && on_segment(q1, q2, p2))
        || (d3 == 0.0 && on_segment(p1, p2, q1))
        || (d4 == 0.0 && on_segment(p1, p2, q2))
}

/// The first pair of non-adjacent edges of a ring that cross or touch, as edge indices.
pub(crate) fn ring_self_intersection(ring: &[Point]) -> Option<(usize, usize)> {
    let n = ring.len();
    for i in 0..n {
        let (a1, a2) = (ring[i], ring[(i + 1) % n]);
        for j in (i + 1)..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            if adjacent {
                continue;
            }
            let (b1, b2) = (ring[j], ring[(j + 1) % n]);
            if segments_intersect(a1, a2, b1, b2) {
                return Some((i, j));
            }
        }
    }
    None
}

/// Axis-aligned bounding box of a set of points: `(min, max)`.
pub(crate) fn bounding_box(points: &[Point]) -> (Point, Point) {
    let mut min = Point::new(f64::INFINITY, f64::INFINITY);
    let mut max = Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in points {
        min.x = min.x.min(p.x);
        min.y = min.y.min(p.y);
        max.x = max.x.max(p.x);
        max.y = max.y.max(p.y);
    }
    (min, max)
}

/// A polygon with a precomputed bounding box for fast rejection.
#[derive(Clone, Debug)]
pub(crate) struct PreparedRing {
    pub ring: Vec<Point>,
    pub min: Point,
    pub max: Point,
}

impl PreparedRing {
    pub fn new(ring: &[Point]) -> PreparedRing {
        let (min, max) = bounding_box(ring);
        PreparedRing {
            ring: ring.to_vec(),
            min,
            max,
        }
    }

    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.min.x
            && p.x <= self.max.x
            && p.y >= self.min.y
            && p.y <= self.max.y
            && point_in_ring(p, &self.ring)
    }

    /// Distance from `p` to the polygon (zero inside), metres.
    pub fn distance_to(&self, p: Point) -> f64 {
        if self.contains(p) {
            return 0.0;
        }
        ring_edges(&self.ring)
            .map(|(a, b)| distance_to_segment(p, a, b))
            .fold(f64::INFINITY, f64::min)
    }

    pub fn centroid(&self) -> Point {
        let area = ring_signed_area(&self.ring);
        if area.abs() < 1e-12 {
            let n = self.ring.len() as f64;
            let sx: f64 = self.ring.iter().map(|p| p.x).sum();
            let sy: f64 = self.ring.iter().map(|p| p.y).sum();
            return Point::new(sx / n, sy / n);
        }
        let (mut cx, mut cy) = (0.0, 0.0);
        for (a, b) in ring_edges(&self.ring) {
            let cross = a.x * b.y - b.x * a.y;
            cx += (a.x + b.x) * cross;
            cy += (a.y + b.y) * cross;
        }
        Point::new(cx / (6.0 * area), cy / (6.0 * area))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_agrees_with_the_standard_library() {
        for v in [-2.5, -2.0, -0.5, -0.0, 0.0, 0.3, 1.0, 7.99, 1e9] {
            assert_eq!(floor(v), v.floor(), "{v}");
        }
    }

    #[test]
    fn point_in_ring_with_square() {
        let sq = rectangle(0.0, 0.0, 2.0, 2.0);
        assert!(point_in_ring(Point::new(1.0, 1.0), &sq));
        assert!(!point_in_ring(Point::new(3.0, 1.0), &sq));
        assert_eq!(ring_signed_area(&sq), 4.0);
    }

    #[test]
    fn bow_tie_self_intersects() {
        let bow = vec![
            Point::new(0.0, 0.0),
            Point::new(2.0, 2.0),
            Point::new(2.0, 0.0),
            Point::new(0.0, 2.0),
        ];
        assert!(ring_self_intersection(&bow).is_some());
        assert!(ring_self_intersection(&rectangle(0.0, 0.0, 1.0, 1.0)).is_none());
    }

    #[test]
    fn segment_distance_and_crossing() {
        let a = Point::new(0.0, 0.0);
        let b = Point::new(10.0, 0.0);
        assert_eq!(distance_to_segment(Point::new(5.0, 3.0), a, b), 3.0);
        assert_eq!(distance_to_segment(Point::new(13.0, 4.0), a, b), 5.0);
        assert!(segments_intersect(
            a,
            b,
            Point::new(5.0, -1.0),
            Point::new(5.0, 1.0)
        ));
        assert!(!segments_intersect(
            a,
            b,
            Point::new(5.0, 0.5),
            Point::new(5.0, 1.0)
        ));
    }
}
