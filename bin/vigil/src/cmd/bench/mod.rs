//! `vigil bench`: figures for the engine, printed as medians over repeated runs.
//! - engine throughput with a no-op analyzer (lossless, in-memory source);
//! - node message → finding latency through the real WebSocket mempool source, against a
//!   minimal local node that timestamps each notification as it writes it.

mod latency;
mod node;

use std::{process::ExitCode, time::Instant};

use futures::StreamExt;
use vigil_pipeline::{Analyzer, Delivery, Engine, EventStream, Source};
use vigil_testkit::{CollectSink, TxBuilder, pending_event};
use vigil_types::{Event, Finding, Mode, SinkRole};

/// Arguments of `vigil bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// Events per throughput run.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Notifications per latency run.
    #[arg(long, default_value_t = 3_000)]
    messages: usize,
    /// Repetitions (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

pub(crate) async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run `make bench` (release) for real figures");
    }
    let mut rates = Vec::new();
    for _ in 0..args.runs.max(1) {
        rates.push(throughput(args.events).await);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "engine throughput, no-op analyzer, lossless: median {:.0} events/s (min {:.0}, max {:.0}) over {} runs of {} events",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1],
        rates.len(),
        args.events
    );
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    for _ in 0..args.runs.max(1) {
        let mut samples = latency::run(args.messages).await?;
        samples.sort_unstable();
        let pct = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
        p50s.push(pct(0.5));
        p99s.push(pct(0.99));
    }
    p50s.sort_unstable();
    p99s.sort_unstable();
    println!(
        "node message → finding (WebSocket mempool source → watchlist → sink): median p50 {:.1} µs, median p99 {:.1} µs over {} runs of {} messages",
        p50s[p50s.len() / 2] as f64 / 1000.0,
        p99s[p99s.len() / 2] as f64 / 1000.0,
        p50s.len(),
        args.messages
    );
    Ok(ExitCode::SUCCESS)
}

struct Replayed(Vec<Event>);

impl Source for Replayed {
    fn id(&self) -> &str {
        "memory"
    }
    fn events(self: Box<Self>) -> EventStream {
        futures::stream::iter(self.0.into_iter().map(Ok)).boxed()
    }
}

struct Noop;

impl Analyzer for Noop {
    fn id(&self) -> &str {
        "noop"
    }
    fn analyze(&mut self, _: &Event) -> Vec<Finding> {
        Vec::new()
    }
}

async fn throughput(n: u64) -> f64 {
    let tx = TxBuilder::default().build();
    let events: Vec<Event> = (0..n).map(|i| pending_event(tx.clone(), i)).collect();
    let (sink, _) = CollectSink::new("collect", SinkRole::Store);
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Lossless)
        .source(Box::new(Replayed(events)))
        .analyzer(Box::new(Noop))
        .sink(Box::new(sink))
        .build();
    let start = Instant::now();
    let report = engine.run(std::future::pending()).await;
    report.events as f64 / start.elapsed().as_secs_f64()
}
