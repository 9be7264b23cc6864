use std::{path::PathBuf, process::ExitCode, time::Duration};

use vigil_pipeline::{Delivery, Engine, RunReport};

use crate::cmd::{load_config, record::EventRecorder};

/// Arguments of `vigil run`.
#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// The configuration file.
    #[arg(long)]
    pub(crate) config: PathBuf,
    /// Also write every event to this JSONL file (input for `vigil replay --events`).
    #[arg(long)]
    pub(crate) record_events: Option<PathBuf>,
    /// Seconds between statistics lines on stderr (0 = none).
    #[arg(long, default_value_t = 60)]
    pub(crate) stats_interval: u64,
    /// Stop by itself after this many seconds.
    #[arg(long)]
    pub(crate) duration: Option<u64>,
}

pub(crate) async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let built = config.build(true).await?;
    let recorder = args.record_events.as_deref().map(EventRecorder::create).transpose()?;
    let mut builder = Engine::builder(config.mode, Delivery::Live);
    for source in built.sources {
        builder = builder.source(match &recorder {
            Some(recorder) => recorder.wrap(source),
            None => source,
        });
    }
    for analyzer in built.analyzers {
        builder = builder.analyzer(analyzer);
    }
    for sink in built.sinks {
        builder = builder.sink(sink);
    }
    let engine = builder.build();
    let stats = engine.stats();
    let health = built.health;
    if args.stats_interval > 0 {
        let every = Duration::from_secs(args.stats_interval);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let report = stats.snapshot();
                let sources: Vec<String> = health
                    .iter()
                    .map(|(id, h)| {
                        let h = h.snapshot();
                        format!(
                            "{id}: reconnects={} dead={} resynced={} garbage={}",
                            h.reconnects, h.dead_detected, h.resynced, h.garbage
                        )
                    })
                    .collect();
                eprintln!(
                    "stats: events={} findings={} analyzer_drops={} sink_errors={} | {}",
                    report.events,
                    report.findings(),
                    report.analyzer_drops(),
                    report.sink_errors(),
                    sources.join(" | ")
                );
            }
        });
    }
    let duration = args.duration;
    let shutdown = async move {
        match duration {
            Some(secs) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    () = tokio::time::sleep(Duration::from_secs(secs)) => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    let report = engine.run(shutdown).await;
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}

/// Prints the run report as JSON on stderr.
pub(crate) fn print_report(report: &RunReport) {
    match serde_json::to_string_pretty(report) {
        Ok(text) => eprintln!("run report: {text}"),
        Err(e) => eprintln!("run report could not be encoded: {e}"),
    }
}
