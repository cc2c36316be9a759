//! `ajil replay`: a recorded stream through analyze → story → breaking on a
//! simulated clock, one JSON line per story.

use anyhow::{Result, bail};

use crate::cli::ReplayArgs;

/// Replays `args.file` and writes the stories to `args.out`.
pub fn run(args: &ReplayArgs) -> Result<()> {
    bail!(
        "replay of {} is not available yet",
        args.file.display()
    )
}
