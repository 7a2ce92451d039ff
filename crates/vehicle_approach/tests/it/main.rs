//! Integration tests of `vehicle_approach`: hvm.md §6.4 golden cases, geometry cases with
//! hand-worked answers, existing protection, bad input and determinism.

mod bad_input;
#[path = "../common/candidates.rs"]
mod candidates;
mod determinism;
mod geometry_cases;
mod hvm_cases;
mod munich;
mod osm_fixtures;
mod protection;
mod support;
