//! Typed OpenStreetMap identifiers: a node id is never confused with a way id.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An OpenStreetMap node id (`node/123`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub i64);

/// An OpenStreetMap way id (`way/123`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WayId(pub i64);

/// An OpenStreetMap relation id (`relation/123`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RelationId(pub i64);

/// The OpenStreetMap object an area or obstacle was built from: a closed way or a multipolygon
/// relation. Displays as `way/123` or `relation/456`, the form OSM's own website uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ObjectRef {
    Node(NodeId),
    Way(WayId),
    Relation(RelationId),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node/{}", self.0)
    }
}

impl fmt::Display for WayId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "way/{}", self.0)
    }
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "relation/{}", self.0)
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectRef::Node(id) => id.fmt(f),
            ObjectRef::Way(id) => id.fmt(f),
            ObjectRef::Relation(id) => id.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_as_osm_references() {
        assert_eq!(NodeId(1).to_string(), "node/1");
        assert_eq!(WayId(24061814).to_string(), "way/24061814");
        assert_eq!(
            ObjectRef::Relation(RelationId(7366154)).to_string(),
            "relation/7366154"
        );
    }
}
