use std::{collections::HashMap, sync::Arc};

use anyhow::Context;
use vigil_chain::{BlockSource, CallDecoder, MempoolSource, MonitoredContracts, SourceHealth};
use vigil_pipeline::{Analyzer, Sink, Source};
use vigil_rules::WatchlistAnalyzer;
use vigil_sinks::{ConsoleSink, JsonlSink, StoreSink, WebhookSink};

use super::{AnalyzerConfig, Config, SinkConfig, SourceConfig};

/// The runtime components a configuration describes.
pub(crate) struct Built {
    pub(crate) contracts: Arc<MonitoredContracts>,
    pub(crate) decoder: Arc<CallDecoder>,
    pub(crate) sources: Vec<Box<dyn Source>>,
    pub(crate) health: Vec<(String, SourceHealth)>,
    pub(crate) analyzers: Vec<Box<dyn Analyzer>>,
    pub(crate) sinks: Vec<Box<dyn Sink>>,
}

impl Config {
    /// Loads ABIs, opens stores and builds every component. Live sources only when
    /// `with_sources` (replay brings its own).
    pub(crate) async fn build(&self, with_sources: bool) -> anyhow::Result<Built> {
        let contracts = Arc::new(MonitoredContracts::load(&self.contracts)?);
        let decoder = Arc::new(CallDecoder::new(&contracts));
        let mut sources: Vec<Box<dyn Source>> = Vec::new();
        let mut health = Vec::new();
        for (id, source) in self.sources.iter().filter(|_| with_sources) {
            match source {
                SourceConfig::Mempool(c) => {
                    let s = MempoolSource::new(
                        id,
                        self.chain_id,
                        c.clone(),
                        contracts.clone(),
                        decoder.clone(),
                    );
                    health.push((id.clone(), s.health()));
                    sources.push(Box::new(s));
                }
                SourceConfig::Blocks(c) => {
                    let s = BlockSource::new(
                        id,
                        self.chain_id,
                        c.clone(),
                        contracts.clone(),
                        decoder.clone(),
                    );
                    health.push((id.clone(), s.health()));
                    sources.push(Box::new(s));
                }
            }
        }
        let names: HashMap<_, _> =
            self.contracts.iter().map(|c| (c.address, c.name.clone())).collect();
        let analyzers = self
            .analyzers
            .iter()
            .map(|(id, analyzer)| -> Box<dyn Analyzer> {
                match analyzer {
                    AnalyzerConfig::Watchlist(c) => {
                        Box::new(WatchlistAnalyzer::new(id, c.clone(), names.clone()))
                    }
                }
            })
            .collect();
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        for (id, sink) in &self.sinks {
            sinks.push(match sink {
                SinkConfig::Console(c) => Box::new(ConsoleSink::new(id, c.clone())),
                SinkConfig::Jsonl(c) => Box::new(JsonlSink::new(id, c.clone())),
                SinkConfig::Webhook(c) => Box::new(
                    WebhookSink::new(id, c.clone())
                        .map_err(anyhow::Error::msg)
                        .with_context(|| format!("sinks.{id}"))?,
                ),
                SinkConfig::Store(c) => {
                    Box::new(StoreSink::open(id, c).await.with_context(|| format!("sinks.{id}"))?)
                }
                SinkConfig::Ledger(c) => {
                    Box::new(c.build(id).await.with_context(|| format!("sinks.{id}"))?)
                }
            });
        }
        Ok(Built { contracts, decoder, sources, health, analyzers, sinks })
    }
}
