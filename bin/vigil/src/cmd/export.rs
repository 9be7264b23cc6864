use std::{path::PathBuf, process::ExitCode};

use vigil_sinks::{FindingQuery, FindingStore};
use vigil_types::ThreatLevel;

/// Arguments of `vigil export`.
#[derive(clap::Args, Debug)]
pub(crate) struct ExportArgs {
    /// Store URL (`sqlite://vigil.db`, or a postgres:// URL whose password comes from
    /// PGPASSWORD). Defaults to $VIGIL_DB, then sqlite://vigil.db.
    #[arg(long, env = "VIGIL_DB", default_value = "sqlite://vigil.db", hide_env_values = true)]
    db: String,
    /// Only findings observed at or after this Unix time in milliseconds.
    #[arg(long)]
    since: Option<u64>,
    /// Only findings at or above this level (INFO, LOW, MEDIUM, HIGH, CRITICAL).
    #[arg(long)]
    min_level: Option<ThreatLevel>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub(crate) async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = FindingStore::open(&args.db).await?;
    let findings =
        store.list(&FindingQuery { since: args.since, min_level: args.min_level }).await?;
    let text = serde_json::to_string_pretty(&findings)?;
    match args.out {
        Some(path) => {
            std::fs::write(&path, text + "\n")?;
            eprintln!("wrote {} findings to {}", findings.len(), path.display());
        }
        None => println!("{text}"),
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
