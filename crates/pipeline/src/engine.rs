use std::{
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{Arc, atomic::Ordering::Relaxed},
    thread,
};

use futures::{StreamExt, stream::select_all};
use tokio::sync::mpsc;
use vigil_types::{Event, Finding, Mode, SinkRole};

use crate::{
    Analyzer, RunReport, Sink, Source,
    reorder::Reorder,
    stats::{Stats, StatsHandle},
};

/// How events and findings travel when a consumer falls behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Never block the reader: a full analyzer or sink queue drops the item and counts it.
    Live,
    /// Block instead of dropping, and release findings in event order (replay).
    Lossless,
}

/// Collects the parts of an [`Engine`].
pub struct EngineBuilder {
    mode: Mode,
    delivery: Delivery,
    analyzer_queue: usize,
    sink_queue: usize,
    sources: Vec<Box<dyn Source>>,
    analyzers: Vec<Box<dyn Analyzer>>,
    sinks: Vec<Box<dyn Sink>>,
}

impl EngineBuilder {
    /// Adds a source.
    pub fn source(mut self, source: Box<dyn Source>) -> Self {
        self.sources.push(source);
        self
    }

    /// Adds an analyzer.
    pub fn analyzer(mut self, analyzer: Box<dyn Analyzer>) -> Self {
        self.analyzers.push(analyzer);
        self
    }

    /// Adds a sink.
    pub fn sink(mut self, sink: Box<dyn Sink>) -> Self {
        self.sinks.push(sink);
        self
    }

    /// Capacity of each analyzer's event queue (default 8192).
    pub fn analyzer_queue(mut self, capacity: usize) -> Self {
        self.analyzer_queue = capacity.max(1);
        self
    }

    /// Capacity of each sink's finding queue (default 8192).
    pub fn sink_queue(mut self, capacity: usize) -> Self {
        self.sink_queue = capacity.max(1);
        self
    }

    /// Finishes the engine.
    pub fn build(self) -> Engine {
        let stats = Stats::new(
            self.sources.iter().map(|s| s.id().to_owned()).collect(),
            self.analyzers.iter().map(|a| a.id().to_owned()).collect(),
            self.sinks.iter().map(|s| s.id().to_owned()).collect(),
        );
        Engine { parts: self, stats: Arc::new(stats) }
    }
}

/// Connects sources to analyzers to sinks and runs until the sources end or shutdown fires.
pub struct Engine {
    parts: EngineBuilder,
    stats: Arc<Stats>,
}

struct AnalyzerOutput {
    seq: u64,
    index: usize,
    findings: Vec<Finding>,
}

struct SinkLane {
    index: usize,
    role: SinkRole,
    queue: mpsc::Sender<Arc<Finding>>,
}

impl Engine {
    /// Starts describing an engine for `mode` with the given delivery.
    pub fn builder(mode: Mode, delivery: Delivery) -> EngineBuilder {
        EngineBuilder {
            mode,
            delivery,
            analyzer_queue: 8192,
            sink_queue: 8192,
            sources: Vec::new(),
            analyzers: Vec::new(),
            sinks: Vec::new(),
        }
    }

    /// A handle to read statistics while the engine runs.
    pub fn stats(&self) -> StatsHandle {
        StatsHandle(self.stats.clone())
    }

    /// Runs until every source has ended or `shutdown` completes, then drains analyzers and
    /// sinks (each sink's `close` is awaited) and reports.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> RunReport {
        let Engine { parts, stats } = self;
        let lossless = parts.delivery == Delivery::Lossless;

        let (lanes, sink_tasks) = spawn_sinks(parts.sinks, parts.mode, parts.sink_queue, &stats);
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let router =
            tokio::spawn(route(out_rx, lanes, parts.analyzers.len(), lossless, stats.clone()));
        let (inputs, threads) =
            spawn_analyzers(parts.analyzers, parts.analyzer_queue, out_tx, lossless, &stats);

        read_sources(parts.sources, inputs, lossless, &stats, shutdown).await;

        for handle in threads {
            let joined = tokio::task::spawn_blocking(move || handle.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("an analyzer thread did not stop cleanly");
            }
        }
        if router.await.is_err() {
            tracing::error!("the finding router stopped abnormally");
        }
        for task in sink_tasks {
            if task.await.is_err() {
                tracing::error!("a sink task stopped abnormally");
            }
        }
        StatsHandle(stats).snapshot()
    }
}

async fn read_sources(
    sources: Vec<Box<dyn Source>>,
    inputs: AnalyzerInputs,
    lossless: bool,
    stats: &Stats,
    shutdown: impl Future<Output = ()>,
) {
    let mut streams = select_all(
        sources.into_iter().enumerate().map(|(i, s)| s.events().map(move |item| (i, item))),
    );
    tokio::pin!(shutdown);
    let mut seq = 0u64;
    loop {
        let (index, item) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            next = streams.next() => match next {
                Some(next) => next,
                None => break,
            },
        };
        let counters = &stats.sources[index].1;
        let event = match item {
            Ok(event) => Arc::new(event),
            Err(error) => {
                let n = counters.errors.fetch_add(1, Relaxed) + 1;
                if n <= 20 || n.is_power_of_two() {
                    tracing::warn!(source = %stats.sources[index].0, errors = n, "{error}");
                }
                continue;
            }
        };
        counters.received.fetch_add(1, Relaxed);
        stats.events.fetch_add(1, Relaxed);
        for (input, (_, counters)) in inputs.iter().zip(&stats.analyzers) {
            if lossless {
                // Lossless: wait for the analyzer; a closed queue means it died and is counted.
                if input.send((seq, event.clone())).await.is_err() {
                    counters.errors.fetch_add(1, Relaxed);
                }
            } else if input.try_send((seq, event.clone())).is_err() {
                counters.dropped.fetch_add(1, Relaxed);
            }
        }
        seq += 1;
    }
}

type AnalyzerInputs = Vec<mpsc::Sender<(u64, Arc<Event>)>>;

fn spawn_analyzers(
    analyzers: Vec<Box<dyn Analyzer>>,
    capacity: usize,
    out: mpsc::UnboundedSender<AnalyzerOutput>,
    lossless: bool,
    stats: &Arc<Stats>,
) -> (AnalyzerInputs, Vec<thread::JoinHandle<()>>) {
    let mut inputs = Vec::new();
    let mut threads = Vec::new();
    for (index, mut analyzer) in analyzers.into_iter().enumerate() {
        let (tx, mut rx) = mpsc::channel::<(u64, Arc<Event>)>(capacity);
        let out = out.clone();
        let stats = stats.clone();
        let spawned =
            thread::Builder::new().name(format!("analyzer-{}", analyzer.id())).spawn(move || {
                let counters = &stats.analyzers[index].1;
                while let Some((seq, event)) = rx.blocking_recv() {
                    counters.received.fetch_add(1, Relaxed);
                    let findings = match catch_unwind(AssertUnwindSafe(|| analyzer.analyze(&event)))
                    {
                        Ok(findings) => findings,
                        Err(_) => {
                            counters.errors.fetch_add(1, Relaxed);
                            tracing::error!(analyzer = analyzer.id(), seq, "analyzer panicked");
                            Vec::new()
                        }
                    };
                    if (lossless || !findings.is_empty())
                        && out.send(AnalyzerOutput { seq, index, findings }).is_err()
                    {
                        break;
                    }
                }
            });
        match spawned {
            Ok(handle) => {
                inputs.push(tx);
                threads.push(handle);
            }
            Err(error) => {
                // Without its thread the analyzer cannot run; its queue closes and every event
                // it misses is counted as an error by the reader.
                tracing::error!("failed to start analyzer thread: {error}");
                inputs.push(tx);
            }
        }
    }
    (inputs, threads)
}

async fn route(
    mut results: mpsc::UnboundedReceiver<AnalyzerOutput>,
    lanes: Vec<SinkLane>,
    analyzers: usize,
    lossless: bool,
    stats: Arc<Stats>,
) {
    let mut reorder = Reorder::new(analyzers);
    while let Some(output) = results.recv().await {
        let ready = if lossless {
            reorder.push(output.seq, output.index, output.findings)
        } else {
            output.findings
        };
        for finding in ready {
            stats.count_finding(finding.threat_level);
            let finding = Arc::new(finding);
            for lane in &lanes {
                let counters = &stats.sinks[lane.index].1;
                if lossless {
                    if lane.queue.send(finding.clone()).await.is_err() {
                        counters.errors.fetch_add(1, Relaxed);
                    }
                } else if lane.queue.try_send(finding.clone()).is_err() {
                    counters.dropped.fetch_add(1, Relaxed);
                }
            }
        }
    }
}

fn spawn_sinks(
    sinks: Vec<Box<dyn Sink>>,
    mode: Mode,
    capacity: usize,
    stats: &Arc<Stats>,
) -> (Vec<SinkLane>, Vec<tokio::task::JoinHandle<()>>) {
    let mut lanes = Vec::new();
    let mut tasks = Vec::new();
    for (index, mut sink) in sinks.into_iter().enumerate() {
        let role = sink.role();
        if !mode.delivers_to(role) {
            tracing::info!(sink = sink.id(), ?role, %mode, "sink idle in this mode");
            continue;
        }
        let (tx, mut rx) = mpsc::channel::<Arc<Finding>>(capacity);
        let stats = stats.clone();
        tasks.push(tokio::spawn(async move {
            let counters = &stats.sinks[index].1;
            while let Some(finding) = rx.recv().await {
                match sink.send(&finding).await {
                    Ok(()) => {
                        counters.received.fetch_add(1, Relaxed);
                    }
                    Err(error) => {
                        let n = counters.errors.fetch_add(1, Relaxed) + 1;
                        if n <= 20 || n.is_power_of_two() {
                            tracing::warn!(sink = sink.id(), errors = n, "{error}");
                        }
                    }
                }
            }
            if let Err(error) = sink.close().await {
                counters.errors.fetch_add(1, Relaxed);
                tracing::warn!(sink = sink.id(), "{error}");
            }
        }));
        lanes.push(SinkLane { index, role, queue: tx });
    }
    // Defense first, then alerts, then stores: the cheapest way to keep the pause fastest.
    lanes.sort_by_key(|lane| match lane.role {
        SinkRole::Defense => 0,
        SinkRole::Alert => 1,
        SinkRole::Store => 2,
    });
    (lanes, tasks)
}
