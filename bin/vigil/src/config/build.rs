use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::Context;
use vigil_chain::{BlockSource, CallDecoder, MempoolSource, MonitoredContracts, SourceHealth};
use vigil_classifier::TxClassifier;
use vigil_defense::PauseExecutor;
use vigil_ledger::LedgerSink;
use vigil_pipeline::{Analyzer, Sink, Source};
use vigil_rules::WatchlistAnalyzer;
use vigil_sinks::{ConsoleSink, JsonlSink, StoreSink, WebhookSink};
use vigil_timeseries::{PriceAnomalyDetector, PriorityFeeDetector, SeriesHandle, SeriesStore};
use vigil_types::Mode;

use super::{AnalyzerConfig, Config, SinkConfig, SourceConfig};

/// What the components are built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// `vigil run`: live sources, series resumed from and saved to their stores, executors.
    Live,
    /// `vigil replay`: no sources (the replay brings its own), series start empty and are not
    /// saved (a replay is deterministic and must not disturb the live state), and no executor
    /// (recorded attacks are history: nothing is sent).
    Replay,
}

/// A source's id and its connection health, readable while it runs.
pub(crate) type SourceHealthEntry = (String, SourceHealth);

/// A time-series detector's state store, saved on a schedule while the engine runs.
pub(crate) struct SeriesPersister {
    pub(crate) store: SeriesStore,
    pub(crate) handle: SeriesHandle,
    pub(crate) every: Duration,
}

/// The runtime components a configuration describes.
pub(crate) struct Built {
    pub(crate) contracts: Arc<MonitoredContracts>,
    pub(crate) decoder: Arc<CallDecoder>,
    pub(crate) sources: Vec<Box<dyn Source>>,
    pub(crate) health: Vec<SourceHealthEntry>,
    pub(crate) analyzers: Vec<Box<dyn Analyzer>>,
    pub(crate) sinks: Vec<Box<dyn Sink>>,
    pub(crate) persisters: Vec<SeriesPersister>,
    /// Executors left out (a replay, or a mode other than active_defense), by id.
    pub(crate) skipped_executors: Vec<String>,
}

impl Config {
    /// Loads ABIs and models, opens stores and builds every component for `purpose`.
    pub(crate) async fn build(&self, purpose: Purpose) -> anyhow::Result<Built> {
        let contracts = Arc::new(MonitoredContracts::load(&self.contracts)?);
        let decoder = Arc::new(CallDecoder::new(&contracts));
        let (sources, health) = match purpose {
            Purpose::Live => self.build_sources(&contracts, &decoder),
            Purpose::Replay => (Vec::new(), Vec::new()),
        };
        let (analyzers, persisters) = self.build_analyzers(purpose).await?;
        let mut built = Built {
            contracts,
            decoder,
            sources,
            health,
            analyzers,
            sinks: Vec::new(),
            persisters,
            skipped_executors: Vec::new(),
        };
        self.build_sinks(purpose, &mut built).await?;
        Ok(built)
    }

    fn build_sources(
        &self,
        contracts: &Arc<MonitoredContracts>,
        decoder: &Arc<CallDecoder>,
    ) -> (Vec<Box<dyn Source>>, Vec<SourceHealthEntry>) {
        let mut sources: Vec<Box<dyn Source>> = Vec::new();
        let mut health = Vec::new();
        for (id, source) in &self.sources {
            let (c, d) = (contracts.clone(), decoder.clone());
            match source {
                SourceConfig::Mempool(config) => {
                    let s = MempoolSource::new(id, self.chain_id, config.clone(), c, d);
                    health.push((id.clone(), s.health()));
                    sources.push(Box::new(s));
                }
                SourceConfig::Blocks(config) => {
                    let s = BlockSource::new(id, self.chain_id, config.clone(), c, d);
                    health.push((id.clone(), s.health()));
                    sources.push(Box::new(s));
                }
            }
        }
        (sources, health)
    }

    async fn build_analyzers(
        &self,
        purpose: Purpose,
    ) -> anyhow::Result<(Vec<Box<dyn Analyzer>>, Vec<SeriesPersister>)> {
        let names: HashMap<_, _> =
            self.contracts.iter().map(|c| (c.address, c.name.clone())).collect();
        let mut analyzers: Vec<Box<dyn Analyzer>> = Vec::new();
        let mut persisters = Vec::new();
        for (id, analyzer) in &self.analyzers {
            let context = || format!("analyzers.{id}");
            analyzers.push(match analyzer {
                AnalyzerConfig::Watchlist(c) => {
                    Box::new(WatchlistAnalyzer::new(id, c.clone(), names.clone()))
                }
                AnalyzerConfig::TxClassifier(c) => {
                    Box::new(TxClassifier::new(id, c.clone()).with_context(context)?)
                }
                AnalyzerConfig::PriorityFee(c) => {
                    let url = c.resolved_state_url().map_err(anyhow::Error::msg)?;
                    let series = SeriesSetup::open(id, url, c.persist_every_secs, purpose)
                        .await
                        .with_context(context)?;
                    let detector =
                        PriorityFeeDetector::new(id, c.clone()).with_state(series.states);
                    persisters.extend(series.store.map(|store| SeriesPersister {
                        store,
                        handle: detector.handle(),
                        every: series.every,
                    }));
                    Box::new(detector)
                }
                AnalyzerConfig::PriceAnomaly(c) => {
                    let url = c.resolved_state_url().map_err(anyhow::Error::msg)?;
                    let series = SeriesSetup::open(id, url, c.persist_every_secs, purpose)
                        .await
                        .with_context(context)?;
                    let detector =
                        PriceAnomalyDetector::new(id, c.clone()).with_state(series.states);
                    persisters.extend(series.store.map(|store| SeriesPersister {
                        store,
                        handle: detector.handle(),
                        every: series.every,
                    }));
                    Box::new(detector)
                }
            });
        }
        Ok((analyzers, persisters))
    }

    async fn build_sinks(&self, purpose: Purpose, built: &mut Built) -> anyhow::Result<()> {
        // Executors come last: their `report_to` sinks are further instances of the sinks
        // built here, and a ledger is shared (one writer per file).
        let mut ledgers: HashMap<String, LedgerSink> = HashMap::new();
        for (id, sink) in &self.sinks {
            if let SinkConfig::Ledger(c) = sink {
                ledgers
                    .insert(id.clone(), c.build(id).await.with_context(|| format!("sinks.{id}"))?);
            }
        }
        for (id, sink) in &self.sinks {
            match sink {
                SinkConfig::Ledger(_) => {}
                SinkConfig::PauseExecutor(c) => {
                    // An executor holds the key and resumes journaled actions: it is built
                    // only where it may act.
                    if purpose == Purpose::Replay || self.mode != Mode::ActiveDefense {
                        built.skipped_executors.push(id.clone());
                        continue;
                    }
                    let mut executor = PauseExecutor::build(id, c, &self.contracts)
                        .await
                        .with_context(|| format!("sinks.{id}"))?;
                    for target in &c.report_to {
                        let report_sink = match ledgers.get(target) {
                            Some(ledger) => Box::new(ledger.share(target)),
                            None => self.plain_sink(target).await?,
                        };
                        executor = executor.report_to(report_sink);
                    }
                    built.sinks.push(Box::new(executor));
                }
                _ => built.sinks.push(self.plain_sink(id).await?),
            }
        }
        for (_, ledger) in ledgers {
            built.sinks.push(Box::new(ledger));
        }
        Ok(())
    }

    /// Builds the alert or store sink `id` (not a ledger, not an executor).
    async fn plain_sink(&self, id: &str) -> anyhow::Result<Box<dyn Sink>> {
        let context = || format!("sinks.{id}");
        Ok(match self.sinks.get(id) {
            Some(SinkConfig::Console(c)) => Box::new(ConsoleSink::new(id, c.clone())),
            Some(SinkConfig::Jsonl(c)) => Box::new(JsonlSink::new(id, c.clone())),
            Some(SinkConfig::Webhook(c)) => Box::new(
                WebhookSink::new(id, c.clone())
                    .map_err(anyhow::Error::msg)
                    .with_context(context)?,
            ),
            Some(SinkConfig::Store(c)) => {
                Box::new(StoreSink::open(id, c).await.with_context(context)?)
            }
            Some(SinkConfig::Ledger(_) | SinkConfig::PauseExecutor(_)) | None => {
                anyhow::bail!("sinks.{id}: not an alert or store sink")
            }
        })
    }
}

/// A detector's persisted series, opened for `purpose`.
struct SeriesSetup {
    store: Option<SeriesStore>,
    states: Vec<vigil_timeseries::SeriesState>,
    every: Duration,
}

impl SeriesSetup {
    async fn open(
        id: &str,
        url: Option<String>,
        every_secs: u64,
        purpose: Purpose,
    ) -> anyhow::Result<Self> {
        let every = Duration::from_secs(every_secs.max(1));
        let Some(url) = url.filter(|_| purpose == Purpose::Live) else {
            return Ok(Self { store: None, states: Vec::new(), every });
        };
        let store = SeriesStore::open(&url).await?;
        let states = store.load(id).await?;
        tracing::info!(analyzer = id, series = states.len(), "resumed series from the store");
        Ok(Self { store: Some(store), states, every })
    }
}
