//! The city model (being written).
