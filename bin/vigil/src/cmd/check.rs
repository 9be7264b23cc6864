use std::{path::PathBuf, process::ExitCode};

use crate::cmd::load_config;

/// Arguments of `vigil check-config`.
#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// The configuration file.
    file: PathBuf,
}

pub(crate) fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    match load_config(&args.file) {
        Ok(config) => {
            println!(
                "{}: ok ({} contracts, {} sources, {} analyzers, {} sinks, mode {})",
                args.file.display(),
                config.contracts.len(),
                config.sources.len(),
                config.analyzers.len(),
                config.sinks.len(),
                config.mode
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}
