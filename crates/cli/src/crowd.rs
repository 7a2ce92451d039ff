//! `agora crowd ...` and `agora bench crowd`: the crowd engine from a shell.

use clap::{Args, Subcommand};

/// `agora crowd` subcommands.
#[derive(Subcommand)]
pub enum CrowdCommand {
    /// Run a scenario file (JSON, metres) and print the results.
    Run(RunArgs),
}

/// Arguments of `agora crowd run`.
#[derive(Args)]
pub struct RunArgs {
    /// The scenario file.
    pub scenario: std::path::PathBuf,
}

/// Arguments of `agora bench crowd`.
#[derive(Args)]
pub struct BenchArgs {}

/// Runs a `crowd` subcommand.
pub fn run(command: CrowdCommand) -> anyhow::Result<()> {
    match command {
        CrowdCommand::Run(args) => anyhow::bail!(
            "agora crowd run {}: not wired to the engine yet",
            args.scenario.display()
        ),
    }
}

/// Runs `agora bench crowd`.
pub fn bench(_args: BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("agora bench crowd: not wired to the engine yet")
}
