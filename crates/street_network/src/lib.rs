//! The city model: the streets, squares, barriers and buildings of a map extract, as plain data in
//! a local metric frame.
//!
//! This crate is pure data and the small rules for reading it (widths, speeds, access, layers). It
//! does no I/O and knows no file format: `osm_import` builds a [`StreetNetwork`] from OpenStreetMap
//! data, and engines such as `vehicle_approach` read it. Everything is kept in a stable order (sorted
//! vectors), so the same input always gives the same network.
//!
//! Glossary:
//! - **Node**: an OpenStreetMap point ([`NodeId`]): a vertex of a way, or a free-standing object
//!   such as a bollard, a kerb or a crossing.
//! - **Way**: a highway or railway track as a sequence of nodes ([`WayId`]). A closed way with
//!   `area=yes` is an **area** (e.g. a pedestrian square), not a line of travel.
//! - **Traffic area**: a surface people and vehicles can move anywhere on (a square, `area:highway`),
//!   as a polygon in metres, built from a closed way or a multipolygon relation ([`RelationId`]).
//! - **Barrier**: something that stops or narrows traffic. Barrier nodes are points on or beside a
//!   way (bollard, gate, block, lift gate); barrier lines are walls, fences, hedges, kerbs, guard
//!   rails and bollard rows.
//! - **Building**: a footprint no vehicle drives through (roofs on pillars excepted, see
//!   [`Building::blocks_vehicles`]).
//! - **Local frame**: the projection ([`LocalFrame`]) of WGS84 longitude/latitude to metres east and
//!   north of an origin near the extract's centre. Lon/lat are projected once, at import; every
//!   position and metric polygon here is in the network's frame.
//! - **Access, oneway, maxspeed**: the law of the road. Hostile-vehicle analysis ignores it in its
//!   worst case, and the model keeps it so a compliant mode can use it.

mod frame;
mod ids;
mod network;
mod tags;

pub use frame::{LocalFrame, MetricPoint};
pub use ids::{NodeId, ObjectRef, RelationId, WayId};
pub use network::{
    BUILDING_TAG_KEYS, BarrierKind, BarrierLine, Building, NODE_TAG_KEYS, Node, Oneway,
    StreetNetwork, TrafficArea, WAY_TAG_KEYS, Way, WayKind,
};
pub use tags::{
    Access, Tags, is_underground_or_indoor, layer, motor_vehicle_access, parse_length_m,
    parse_speed_kmh,
};
