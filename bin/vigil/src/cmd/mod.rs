//! One module per subcommand; each parses its arguments and returns an exit code.

pub(crate) mod bench;
pub(crate) mod check;
pub(crate) mod classify;
pub(crate) mod defense;
pub(crate) mod demo;
pub(crate) mod export;
pub(crate) mod ledger;
pub(crate) mod range;
pub(crate) mod record;
pub(crate) mod replay;
pub(crate) mod run;
pub(crate) mod timeseries;

use std::{path::Path, process::ExitCode};

use crate::config::Config;

/// Exit code for invalid configuration or input.
pub(crate) const INVALID: u8 = 2;

/// Loads a config, printing every problem and returning exit code 2 when it is invalid.
pub(crate) fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|problems| {
        eprint!("{problems}");
        ExitCode::from(INVALID)
    })
}
