//! Integration tests of `crowd_sim`: the validation cases of crowd.md §5.3 (RiMEA, NIST,
//! JuPedSim parity), hand-worked checks, bad input, invariants and determinism.
//!
//! The whole default suite runs in a few seconds (the workspace builds this crate with
//! opt-level 3 in the dev profile). Cases that simulate hundreds of agents for minutes (the V9
//! width sweep, RiMEA 9, RiMEA 12) take ten seconds to a minute or more each and are
//! `#[ignore]`d with a note: `cargo test -p crowd_sim -- --ignored --nocapture`.

mod avm;
mod bad_input;
mod bottleneck;
mod determinism;
mod exit_flow;
mod outputs;
mod rimea;
mod routing;
mod site;
mod support;
