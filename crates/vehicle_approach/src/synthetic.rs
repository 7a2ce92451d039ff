//! A deterministic synthetic city for benchmarks and tests: a jittered street grid with main
//! roads, one-way streets, a pedestrian zone, footways, bollards and candidate sites.

use crate::geometry::Point;
use crate::network::{
    Access, Barrier, BarrierKind, Network, Node, NodeId, Oneway, Surface, Way, WayId, WayKind,
};

/// A generated city: its network and the perimeters of its candidate sites.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticCity {
    /// The street network.
    pub network: Network,
    /// Perimeters of candidate sites (squares inside blocks next to junctions).
    pub sites: Vec<Vec<Point>>,
}

/// Park–Miller style linear congruential generator: enough for jitter, and fully determined by
/// the seed.
struct Lcg(u64);

impl Lcg {
    fn next_unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Builds a city of `columns` × `rows` junctions `block_m` apart, each street split into
/// `nodes_per_street` pieces, with `site_count` sites; the same arguments give the same city.
pub fn synthetic_city(
    columns: usize,
    rows: usize,
    block_m: f64,
    nodes_per_street: usize,
    site_count: usize,
    seed: u64,
) -> SyntheticCity {
    let mut random = Lcg(seed ^ 0x9E37_79B9_7F4A_7C15);
    let pieces = nodes_per_street.max(1);
    let mut nodes = Vec::new();
    let mut next_node = 1i64;
    let mut junction = vec![vec![NodeId(0); rows]; columns];
    let mut positions = vec![vec![Point::new(0.0, 0.0); rows]; columns];
    for (i, column) in junction.iter_mut().enumerate() {
        for (j, id) in column.iter_mut().enumerate() {
            let jitter = block_m * 0.15;
            let p = Point::new(
                i as f64 * block_m + (random.next_unit() - 0.5) * jitter,
                j as f64 * block_m + (random.next_unit() - 0.5) * jitter,
            );
            *id = NodeId(next_node);
            positions[i][j] = p;
            nodes.push(Node {
                id: *id,
                position: p,
                barrier: None,
            });
            next_node += 1;
        }
    }
    let centre = (columns / 2, rows / 2);
    let pedestrian_zone =
        |i: usize, j: usize| i.abs_diff(centre.0) <= 2 && j.abs_diff(centre.1) <= 2;
    let mut ways = Vec::new();
    let mut next_way = 1i64;
    let mut add_street = |a: (usize, usize),
                          b: (usize, usize),
                          horizontal: bool,
                          nodes: &mut Vec<Node>,
                          random: &mut Lcg| {
        let (pa, pb) = (positions[a.0][a.1], positions[b.0][b.1]);
        let line = if horizontal { a.1 } else { a.0 };
        let pedestrian = pedestrian_zone(a.0, a.1) && pedestrian_zone(b.0, b.1);
        let kind = if pedestrian {
            WayKind::Pedestrian
        } else if line % 5 == 0 {
            WayKind::Primary
        } else if line % 5 == 2 {
            WayKind::Tertiary
        } else {
            WayKind::Residential
        };
        let mut way_nodes = vec![junction[a.0][a.1]];
        for k in 1..pieces {
            let t = k as f64 / pieces as f64;
            let bulge = (random.next_unit() - 0.5) * 4.0;
            let p = Point::new(
                pa.x_m + (pb.x_m - pa.x_m) * t + bulge,
                pa.y_m + (pb.y_m - pa.y_m) * t - bulge,
            );
            let id = NodeId(next_node);
            next_node += 1;
            // A bollard at the first inner node of one pedestrian street in three.
            let barrier = (pedestrian && k == 1 && random.next_unit() < 0.33).then_some(Barrier {
                kind: BarrierKind::Bollard,
                rating: None,
            });
            nodes.push(Node {
                id,
                position: p,
                barrier,
            });
            way_nodes.push(id);
        }
        way_nodes.push(junction[b.0][b.1]);
        let oneway = if kind == WayKind::Residential && random.next_unit() < 0.3 {
            Oneway::Forward
        } else {
            Oneway::No
        };
        let width_m = (random.next_unit() < 0.4).then(|| 4.0 + random.next_unit() * 8.0);
        let surface = if pedestrian {
            Surface::PavingStones
        } else {
            Surface::Asphalt
        };
        ways.push(Way {
            id: WayId(next_way),
            kind,
            nodes: way_nodes,
            width_m,
            oneway,
            access: Access::Unspecified,
            surface,
            is_area: false,
        });
        next_way += 1;
    };
    for i in 0..columns {
        for j in 0..rows {
            if i + 1 < columns {
                add_street((i, j), (i + 1, j), true, &mut nodes, &mut random);
            }
            if j + 1 < rows {
                add_street((i, j), (i, j + 1), false, &mut nodes, &mut random);
            }
        }
    }
    // Footway diagonals across every fourth block (narrower than lorries, wide enough for cars).
    for i in (0..columns.saturating_sub(1)).step_by(4) {
        for j in (0..rows.saturating_sub(1)).step_by(4) {
            ways.push(Way {
                id: WayId(next_way),
                kind: WayKind::Footway,
                nodes: vec![junction[i][j], junction[i + 1][j + 1]],
                width_m: None,
                oneway: Oneway::No,
                access: Access::Unspecified,
                surface: Surface::PavingStones,
                is_area: false,
            });
            next_way += 1;
        }
    }
    // Sites: squares 1.4 blocks wide centred on junctions spread over the grid; every street and
    // footway crossing their edge is an entry.
    let mut sites = Vec::new();
    for k in 0..site_count {
        let i = 1 + (k * 7 + 3) % columns.saturating_sub(3).max(1);
        let j = 1 + (k * 11 + 5) % rows.saturating_sub(3).max(1);
        let origin = positions[i][j];
        let half = block_m * 0.7;
        sites.push(vec![
            Point::new(origin.x_m - half, origin.y_m - half),
            Point::new(origin.x_m + half, origin.y_m - half),
            Point::new(origin.x_m + half, origin.y_m + half),
            Point::new(origin.x_m - half, origin.y_m + half),
        ]);
    }
    SyntheticCity {
        network: Network {
            nodes,
            ways,
            ..Network::default()
        },
        sites,
    }
}
