//! Integration tests of `crowd_sim`: the validation cases of crowd.md §5.3 (RiMEA, NIST,
//! JuPedSim parity), hand-worked checks, bad input, invariants and determinism.
//!
//! Tests run in the dev profile, where this crate is unoptimised; cases that simulate more than
//! a few thousand agent-seconds are `#[ignore]`d with a note and run with
//! `cargo test -p crowd_sim --release -- --ignored`.

mod bad_input;
mod bottleneck;
mod determinism;
mod outputs;
mod rimea;
mod routing;
mod support;
