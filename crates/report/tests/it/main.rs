//! Integration tests of `report`.
