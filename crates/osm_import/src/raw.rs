//! The format-neutral form both readers produce: every node, way and relation of the file, in id
//! order. Coordinates are kept as integers of 10⁻⁷ degree (OSM's own precision), so the PBF and XML
//! readers give bit-identical positions.

use std::collections::BTreeMap;

use street_network::Tags;

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawOsm {
    /// (min_lon, min_lat, max_lon, max_lat) in 10⁻⁷ degree, from the PBF header or XML `<bounds>`.
    pub bounds_e7: Option<(i64, i64, i64, i64)>,
    pub nodes: BTreeMap<i64, RawNode>,
    pub ways: BTreeMap<i64, RawWay>,
    pub relations: BTreeMap<i64, RawRelation>,
    /// Problems with the file itself that did not stop reading (e.g. unknown blob types).
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawNode {
    pub lon_e7: i64,
    pub lat_e7: i64,
    pub tags: Tags,
}

impl RawNode {
    pub fn lon_lat(&self) -> (f64, f64) {
        (self.lon_e7 as f64 * 1e-7, self.lat_e7 as f64 * 1e-7)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawWay {
    pub node_ids: Vec<i64>,
    pub tags: Tags,
}

impl RawWay {
    pub fn is_closed(&self) -> bool {
        self.node_ids.len() >= 4 && self.node_ids.first() == self.node_ids.last()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MemberType {
    Node,
    Way,
    Relation,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawMember {
    pub member_type: MemberType,
    pub id: i64,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawRelation {
    pub members: Vec<RawMember>,
    pub tags: Tags,
}

/// Degrees to 10⁻⁷ degree, rounded (exact for values written with 7 decimals).
pub(crate) fn degrees_to_e7(degrees: f64) -> i64 {
    (degrees * 1e7).round() as i64
}
