use std::{path::PathBuf, process::ExitCode, time::Duration};

use vigil_pipeline::{Delivery, Engine, RunReport};

use crate::{
    cmd::{load_config, record::EventRecorder},
    config::{Purpose, SeriesPersister},
};

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
    let built = config.build(Purpose::Live).await?;
    for id in &built.skipped_executors {
        eprintln!("note: sinks.{id} is an executor; it acts only in mode = \"active_defense\"");
    }
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
    let (stop_persisting, persisting) = tokio::sync::watch::channel(false);
    let persisters: Vec<_> =
        built.persisters.into_iter().map(|p| spawn_persister(p, persisting.clone())).collect();
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
    let _ = stop_persisting.send(true);
    for persister in persisters {
        match persister.await {
            Ok((analyzer, Ok(saved))) => eprintln!("{analyzer}: saved {saved} series"),
            Ok((analyzer, Err(e))) => eprintln!("{analyzer}: failed to save series: {e}"),
            Err(e) => eprintln!("series persister failed: {e}"),
        }
    }
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}

/// Saves a detector's changed series on its schedule until `stop` turns true, then all of
/// them once more.
fn spawn_persister(
    persister: SeriesPersister,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<(String, Result<usize, vigil_timeseries::StoreError>)> {
    let SeriesPersister { store, handle, every } = persister;
    tokio::spawn(async move {
        let analyzer = handle.analyzer().to_owned();
        let stopped = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        let saved = vigil_timeseries::persist_loop(store.clone(), handle, every, stopped).await;
        store.close().await;
        (analyzer, saved)
    })
}

/// Prints the run report as JSON on stderr.
pub(crate) fn print_report(report: &RunReport) {
    match serde_json::to_string_pretty(report) {
        Ok(text) => eprintln!("run report: {text}"),
        Err(e) => eprintln!("run report could not be encoded: {e}"),
    }
}
