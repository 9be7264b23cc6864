//! The TOML configuration: one file, components keyed by id, `type` naming the module.
//! Parsing runs in stages and collects *every* problem with its TOML path: syntax, then each
//! component on its own (so one bad component does not hide another), then values.

mod build;
mod interpolate;

use std::{collections::BTreeMap, fmt, path::Path};

pub(crate) use build::{Purpose, SeriesPersister};
use serde::{Deserialize, de::DeserializeOwned};
use vigil_chain::{BlockSourceConfig, ContractConfig, MempoolSourceConfig};
use vigil_classifier::TxClassifierConfig;
use vigil_defense::PauseExecutorConfig;
use vigil_ledger::LedgerSinkConfig;
use vigil_rules::WatchlistConfig;
use vigil_sinks::{ConsoleSinkConfig, JsonlSinkConfig, StoreSinkConfig, WebhookSinkConfig};
use vigil_timeseries::{PriceAnomalyConfig, PriorityFeeConfig};
use vigil_types::Mode;

/// A configured source.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum SourceConfig {
    Mempool(MempoolSourceConfig),
    Blocks(BlockSourceConfig),
}

/// A configured analyzer.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum AnalyzerConfig {
    Watchlist(WatchlistConfig),
    TxClassifier(TxClassifierConfig),
    PriorityFee(PriorityFeeConfig),
    PriceAnomaly(PriceAnomalyConfig),
}

/// A configured sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum SinkConfig {
    Console(ConsoleSinkConfig),
    Jsonl(JsonlSinkConfig),
    Webhook(WebhookSinkConfig),
    Store(StoreSinkConfig),
    Ledger(LedgerSinkConfig),
    PauseExecutor(Box<PauseExecutorConfig>),
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) chain_id: u64,
    pub(crate) mode: Mode,
    pub(crate) contracts: Vec<ContractConfig>,
    pub(crate) sources: BTreeMap<String, SourceConfig>,
    pub(crate) analyzers: BTreeMap<String, AnalyzerConfig>,
    pub(crate) sinks: BTreeMap<String, SinkConfig>,
}

/// One problem, with the TOML path it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) path: String,
    pub(crate) message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// All problems found in a configuration.
#[derive(Debug)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the configuration:", self.0.len())?;
        for problem in &self.0 {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

const TOP_LEVEL: [&str; 6] = ["chain_id", "mode", "contracts", "sources", "analyzers", "sinks"];

impl Config {
    /// Reads and checks the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, Problems> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problems(vec![Problem {
                path: String::new(),
                message: format!("cannot read {}: {e}", path.display()),
            }])
        })?;
        Self::parse(&text)
    }

    /// Parses and checks configuration text.
    pub(crate) fn parse(text: &str) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let mut push = |path: String, message: String| problems.push(Problem { path, message });
        let mut root: toml::Table = toml::from_str(text).map_err(|e| {
            Problems(vec![Problem { path: String::new(), message: format!("invalid TOML: {e}") }])
        })?;
        for (path, message) in interpolate::expand(&mut root) {
            push(path, message);
        }
        for key in root.keys().filter(|k| !TOP_LEVEL.contains(&k.as_str())) {
            push(key.clone(), format!("unknown key (expected one of {})", TOP_LEVEL.join(", ")));
        }
        let chain_id = match root.get("chain_id") {
            None => {
                push("chain_id".into(), "missing: the chain id the endpoints must serve".into());
                0
            }
            Some(v) => match v.as_integer().and_then(|n| u64::try_from(n).ok()) {
                Some(n) => n,
                None => {
                    push("chain_id".into(), format!("must be a positive integer, got {v}"));
                    0
                }
            },
        };
        let mode = match root.get("mode") {
            None => Mode::MonitorOnly,
            Some(v) => match v.as_str().map(str::parse::<Mode>) {
                Some(Ok(mode)) => mode,
                Some(Err(e)) => {
                    push("mode".into(), e.to_string());
                    Mode::MonitorOnly
                }
                None => {
                    push("mode".into(), format!("must be a string, got {v}"));
                    Mode::MonitorOnly
                }
            },
        };
        let contracts: Vec<ContractConfig> = match root.remove("contracts") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, item)| component(&format!("contracts[{i}]"), item, &mut push))
                .collect(),
            Some(_) => {
                push("contracts".into(), "must be an array of tables ([[contracts]])".into());
                Vec::new()
            }
        };
        let sources_given = root.contains_key("sources");
        let sources = section::<SourceConfig>(&mut root, "sources", &mut push);
        let analyzers = section::<AnalyzerConfig>(&mut root, "analyzers", &mut push);
        let sinks = section::<SinkConfig>(&mut root, "sinks", &mut push);
        let config = Config { chain_id, mode, contracts, sources, analyzers, sinks };
        if !sources_given {
            push(
                "sources".into(),
                "no source configured: add e.g. [sources.mempool] with type = \"mempool\"".into(),
            );
        }
        config.check_values(&mut push);
        if problems.is_empty() { Ok(config) } else { Err(Problems(problems)) }
    }

    fn check_values(&self, push: &mut impl FnMut(String, String)) {
        let mut seen = std::collections::HashSet::new();
        for (i, contract) in self.contracts.iter().enumerate() {
            if !seen.insert(contract.address) {
                push(
                    format!("contracts[{i}].address"),
                    format!("{} is listed twice", contract.address),
                );
            }
            if let Some(abi) = &contract.abi
                && !abi.is_file()
            {
                push(format!("contracts[{i}].abi"), format!("file {} not found", abi.display()));
            }
        }
        for (id, source) in &self.sources {
            let problems = match source {
                SourceConfig::Mempool(c) => c.problems(),
                SourceConfig::Blocks(c) => c.problems(),
            };
            for (field, message) in problems {
                push(format!("sources.{id}.{field}"), message);
            }
        }
        for (id, analyzer) in &self.analyzers {
            let problems = match analyzer {
                AnalyzerConfig::Watchlist(c) => c.problems(),
                AnalyzerConfig::TxClassifier(c) => c.problems(),
                AnalyzerConfig::PriorityFee(c) => c.problems(),
                AnalyzerConfig::PriceAnomaly(c) => c.problems(),
            };
            for (field, message) in problems {
                push(format!("analyzers.{id}.{field}"), message);
            }
        }
        for (id, sink) in &self.sinks {
            let problems = match sink {
                SinkConfig::Webhook(c) => c.problems(),
                SinkConfig::Store(c) => {
                    c.resolved_url().err().map(|e| ("url_env".to_owned(), e)).into_iter().collect()
                }
                SinkConfig::Ledger(c) => {
                    c.problems().into_iter().map(|m| (String::new(), m)).collect()
                }
                SinkConfig::PauseExecutor(c) => {
                    let mut problems = c.problems_with(&self.contracts);
                    problems.extend(self.report_to_problems(id, &c.report_to));
                    problems
                }
                SinkConfig::Console(_) | SinkConfig::Jsonl(_) => Vec::new(),
            };
            for (field, message) in problems {
                let path = if field.is_empty() {
                    format!("sinks.{id}")
                } else {
                    format!("sinks.{id}.{field}")
                };
                push(path, message);
            }
        }
    }
}

impl Config {
    /// `report_to` must name other sinks that are not executors themselves.
    fn report_to_problems(&self, own_id: &str, report_to: &[String]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, target) in report_to.iter().enumerate() {
            let message = match self.sinks.get(target) {
                None => format!("no sink `{target}` (sinks: {})", self.sink_ids()),
                Some(SinkConfig::PauseExecutor(_)) if target == own_id => {
                    "an executor cannot report to itself".to_owned()
                }
                Some(SinkConfig::PauseExecutor(_)) => {
                    format!("`{target}` is an executor; report to alert or store sinks")
                }
                Some(_) => continue,
            };
            out.push((format!("report_to[{i}]"), message));
        }
        out
    }

    fn sink_ids(&self) -> String {
        self.sinks.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
    }
}

fn section<T: DeserializeOwned>(
    root: &mut toml::Table,
    name: &str,
    push: &mut impl FnMut(String, String),
) -> BTreeMap<String, T> {
    match root.remove(name) {
        None => BTreeMap::new(),
        Some(toml::Value::Table(table)) => table
            .into_iter()
            .filter_map(|(id, value)| {
                component(&format!("{name}.{id}"), value, push).map(|c| (id, c))
            })
            .collect(),
        Some(_) => {
            push(name.into(), format!("must be a table of components ([{name}.<id>])"));
            BTreeMap::new()
        }
    }
}

fn component<T: DeserializeOwned>(
    path: &str,
    value: toml::Value,
    push: &mut impl FnMut(String, String),
) -> Option<T> {
    match T::deserialize(value) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            push(path.to_owned(), e.message().trim().to_owned());
            None
        }
    }
}

#[cfg(test)]
mod tests;
