//! The one error type of the crate: every message names the input field and the problem.

use crate::output::AgentId;

/// Why a scenario cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A field has a value the engine cannot use.
    #[error("{field}: {problem}")]
    Invalid {
        /// Path of the field, e.g. `exits[1].polygon` or `populations[0].radius_m`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A population area is too small for its count at the agents' radius.
    #[error(
        "{field}: could place only {placed} of {count} agents of radius {radius_m} m clear of \
         walls and of each other; enlarge the area or lower the count"
    )]
    PopulationDoesNotFit {
        /// Path of the population, e.g. `populations[2]`.
        field: String,
        /// Agents asked for.
        count: usize,
        /// Agents that could be placed.
        placed: usize,
        /// Their radius, m.
        radius_m: f64,
    },
    /// Some agents cannot walk to a target they are routed to (it lies in a part of the
    /// walkable area not connected to their start).
    #[error("{target} cannot be reached from the start of {} agent(s) (first: {:?})", agents.len(), agents.first())]
    Unreachable {
        /// The exit or waypoint, e.g. `exit "north"`.
        target: String,
        /// The agents concerned.
        agents: Vec<AgentId>,
    },
}

pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}
