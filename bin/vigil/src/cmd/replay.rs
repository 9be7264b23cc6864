use std::{path::PathBuf, process::ExitCode};

use anyhow::bail;
use vigil_chain::{JsonlReplaySource, RpcReplaySource};
use vigil_pipeline::{Delivery, Engine, Source};
use vigil_sinks::{JsonlSink, JsonlSinkConfig};

use crate::{
    cmd::{INVALID, load_config, run::print_report},
    config::Purpose,
};

/// Arguments of `vigil replay`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReplayArgs {
    /// The configuration file (its analyzers, sinks and contracts are used; its sources not).
    #[arg(long)]
    config: PathBuf,
    /// Recorded events, one JSON event per line (from `vigil run --record-events`).
    #[arg(long, conflicts_with = "blocks")]
    events: Option<PathBuf>,
    /// A block range `FROM..TO` (inclusive) to read from `--endpoint`.
    #[arg(long, requires = "endpoint", value_parser = parse_range)]
    blocks: Option<(u64, u64)>,
    /// WebSocket endpoint for `--blocks`.
    #[arg(long)]
    endpoint: Option<String>,
    /// Also write every finding to this JSONL file.
    #[arg(long)]
    findings: Option<PathBuf>,
}

fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let (from, to) = text.split_once("..").ok_or("expected FROM..TO")?;
    let from: u64 = from.trim().parse().map_err(|_| format!("bad block number `{from}`"))?;
    let to: u64 = to.trim().parse().map_err(|_| format!("bad block number `{to}`"))?;
    if from > to {
        return Err(format!("empty range {from}..{to}"));
    }
    Ok((from, to))
}

pub(crate) async fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let built = config.build(Purpose::Replay).await?;
    for id in &built.skipped_executors {
        eprintln!("note: sinks.{id} is an executor; executors take no part in a replay");
    }
    let source: Box<dyn Source> = match (&args.events, args.blocks, &args.endpoint) {
        (Some(path), _, _) => {
            if !path.is_file() {
                eprintln!("replay input {} not found", path.display());
                return Ok(ExitCode::from(INVALID));
            }
            Box::new(JsonlReplaySource::new(
                "replay",
                path.clone(),
                built.contracts.clone(),
                built.decoder.clone(),
            ))
        }
        (None, Some(range), Some(endpoint)) => Box::new(RpcReplaySource::new(
            "replay",
            endpoint,
            config.chain_id,
            range,
            built.contracts.clone(),
            built.decoder.clone(),
        )),
        _ => bail!("give --events FILE or --blocks FROM..TO with --endpoint URL"),
    };
    let mut builder = Engine::builder(config.mode, Delivery::Lossless).source(source);
    for analyzer in built.analyzers {
        builder = builder.analyzer(analyzer);
    }
    for sink in built.sinks {
        builder = builder.sink(sink);
    }
    if let Some(path) = args.findings {
        builder =
            builder.sink(Box::new(JsonlSink::new("replay-findings", JsonlSinkConfig { path })));
    }
    let report = builder.build().run(std::future::pending()).await;
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}
