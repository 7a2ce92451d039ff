//! Area geometry from OSM: closed ways, and multipolygon relations whose member ways are joined
//! end to end into closed outer and inner rings. Bad data gives a problem text, never a panic.

use geo::{Contains, Coord, LineString, MultiPolygon, Polygon};

use crate::raw::{MemberType, RawOsm, RawRelation, RawWay};

/// The polygon of a closed way in lon/lat degrees, or why there is none.
pub(crate) fn closed_way_polygon(raw: &RawOsm, way: &RawWay) -> Result<MultiPolygon<f64>, String> {
    if !way.is_closed() {
        return Err("way is not closed".to_string());
    }
    let ring = ring_coordinates(raw, &way.node_ids)?;
    Ok(MultiPolygon(vec![Polygon::new(ring, vec![])]))
}

/// The polygons of a multipolygon relation in lon/lat degrees, or why there are none.
pub(crate) fn relation_polygon(
    raw: &RawOsm,
    relation: &RawRelation,
) -> Result<MultiPolygon<f64>, String> {
    let mut outer_segments = Vec::new();
    let mut inner_segments = Vec::new();
    let mut unknown_role_segments = Vec::new();
    for member in &relation.members {
        if member.member_type != MemberType::Way {
            continue;
        }
        let Some(way) = raw.ways.get(&member.id) else {
            return Err(format!(
                "member way/{} is not in the extract, so the area is incomplete",
                member.id
            ));
        };
        if way.node_ids.len() < 2 {
            return Err(format!("member way/{} has fewer than 2 nodes", member.id));
        }
        match member.role.as_str() {
            "outer" => outer_segments.push(way.node_ids.clone()),
            "inner" => inner_segments.push(way.node_ids.clone()),
            _ => unknown_role_segments.push(way.node_ids.clone()),
        }
    }
    let outer_rings = join_rings(outer_segments.into_iter().chain(unknown_role_segments))?;
    let inner_rings = join_rings(inner_segments)?;
    if outer_rings.is_empty() {
        return Err("no outer ring".to_string());
    }
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for ring in &outer_rings {
        polygons.push(Polygon::new(ring_coordinates(raw, ring)?, vec![]));
    }
    for ring in &inner_rings {
        let inner = ring_coordinates(raw, ring)?;
        let probe = Polygon::new(inner.clone(), vec![]);
        let Some(outer) = polygons.iter_mut().find(|outer| {
            let outer_exterior = Polygon::new(outer.exterior().clone(), vec![]);
            inner
                .0
                .iter()
                .any(|coord| outer_exterior.contains(&geo::Point::from(*coord)))
                || outer_exterior.contains(&probe)
        }) else {
            return Err(format!(
                "inner ring starting at node/{} lies in no outer ring",
                ring[0]
            ));
        };
        outer.interiors_push(inner);
    }
    Ok(MultiPolygon(polygons))
}

/// Joins way node sequences end to end into closed rings (sequences of node ids, first = last).
fn join_rings(segments: impl IntoIterator<Item = Vec<i64>>) -> Result<Vec<Vec<i64>>, String> {
    let mut remaining: Vec<Option<Vec<i64>>> = segments.into_iter().map(Some).collect();
    let mut rings = Vec::new();
    for start in 0..remaining.len() {
        let Some(mut ring) = remaining[start].take() else {
            continue;
        };
        while ring.first() != ring.last() {
            let end = *ring.last().expect("segments have nodes");
            let next = remaining.iter_mut().find_map(|slot| {
                let segment = slot.as_ref()?;
                if segment.first() == Some(&end) {
                    slot.take()
                } else if segment.last() == Some(&end) {
                    slot.take().map(|mut segment| {
                        segment.reverse();
                        segment
                    })
                } else {
                    None
                }
            });
            let Some(next) = next else {
                return Err(format!(
                    "ring starting at node/{} is not closed: it ends at node/{end}",
                    ring[0]
                ));
            };
            ring.extend_from_slice(&next[1..]);
        }
        if ring.len() < 4 {
            return Err(format!(
                "ring starting at node/{} has only {} nodes",
                ring[0],
                ring.len()
            ));
        }
        rings.push(ring);
    }
    Ok(rings)
}

fn ring_coordinates(raw: &RawOsm, node_ids: &[i64]) -> Result<LineString<f64>, String> {
    let mut coordinates = Vec::with_capacity(node_ids.len());
    for id in node_ids {
        let Some(node) = raw.nodes.get(id) else {
            return Err(format!("node/{id} is not in the extract"));
        };
        let (lon, lat) = node.lon_lat();
        coordinates.push(Coord { x: lon, y: lat });
    }
    Ok(LineString::new(coordinates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::{RawMember, RawNode};

    fn raw_with_square() -> RawOsm {
        let mut raw = RawOsm::default();
        for (id, lon, lat) in [(1, 0, 0), (2, 100, 0), (3, 100, 100), (4, 0, 100)] {
            raw.nodes.insert(
                id,
                RawNode {
                    lon_e7: lon,
                    lat_e7: lat,
                    tags: Default::default(),
                },
            );
        }
        // The square's outline split over two ways, the second drawn backwards.
        raw.ways.insert(
            10,
            RawWay {
                node_ids: vec![1, 2, 3],
                tags: Default::default(),
            },
        );
        raw.ways.insert(
            11,
            RawWay {
                node_ids: vec![1, 4, 3],
                tags: Default::default(),
            },
        );
        raw
    }

    fn relation(member_ids: &[i64]) -> RawRelation {
        RawRelation {
            members: member_ids
                .iter()
                .map(|id| RawMember {
                    member_type: MemberType::Way,
                    id: *id,
                    role: "outer".to_string(),
                })
                .collect(),
            tags: Default::default(),
        }
    }

    #[test]
    fn member_ways_are_joined_into_a_closed_ring() {
        let raw = raw_with_square();
        let polygon = relation_polygon(&raw, &relation(&[10, 11])).unwrap();
        assert_eq!(polygon.0.len(), 1);
        assert_eq!(polygon.0[0].exterior().0.len(), 5);
    }

    #[test]
    fn open_rings_and_missing_members_are_problems_not_panics() {
        let raw = raw_with_square();
        assert_eq!(
            relation_polygon(&raw, &relation(&[10])).unwrap_err(),
            "ring starting at node/1 is not closed: it ends at node/3"
        );
        assert_eq!(
            relation_polygon(&raw, &relation(&[10, 99])).unwrap_err(),
            "member way/99 is not in the extract, so the area is incomplete"
        );
    }
}
