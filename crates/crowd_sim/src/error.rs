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
    /// The scenario text is not JSON, or not the scenario format (a missing field, a value of
    /// the wrong type, an unknown field).
    #[error("{}{message} (line {line}, column {column})", if field.is_empty() { String::new() } else { format!("{field}: ") })]
    Json {
        /// Path of the field, e.g. `populations[0].radius_m`; empty for a JSON syntax error.
        field: String,
        /// What is wrong, e.g. ``missing field `count` ``.
        message: String,
        /// Line of the scenario text where the problem was found, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
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
    /// Some agents cannot walk to a target they are routed to: it lies in a part of the
    /// walkable area not connected to their start, or only through openings narrower than
    /// their bodies. The simulation would run to `max_time_s` without them ever leaving.
    #[error(
        "{target} cannot be reached from the start of {} agent(s) ({}): {why}",
        agents.len(),
        agent_list(agents)
    )]
    Unreachable {
        /// The exit or waypoint, e.g. `exit "north"`.
        target: String,
        /// The agents concerned, in id order.
        agents: Vec<AgentId>,
        /// Why, in words.
        why: String,
    },
}

pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// "agents 3, 7, 12" or "agents 3, 7, 12, … and 40 more".
fn agent_list(agents: &[AgentId]) -> String {
    let shown: Vec<String> = agents.iter().take(10).map(|a| a.0.to_string()).collect();
    let more = agents.len().saturating_sub(10);
    if more > 0 {
        format!("agents {}, … and {more} more", shown.join(", "))
    } else {
        format!("agents {}", shown.join(", "))
    }
}
