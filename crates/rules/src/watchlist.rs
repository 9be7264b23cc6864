use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::json;
use vigil_pipeline::Analyzer;
use vigil_types::{
    Address, Event, EventKind, Factor, Finding, FindingId, SeenHashes, Subject, ThreatLevel,
    TxInfo, U256,
};

/// `type = "watchlist"`: one finding per transaction to a monitored contract.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchlistConfig {
    /// Function names (`pause`) or signatures (`transferOwnership(address)`) and the level a
    /// call to them raises the finding to.
    #[serde(default)]
    pub listed_functions: BTreeMap<String, ThreatLevel>,
    /// Wei value above which `value_level` applies (decimal string, may exceed 64 bits).
    #[serde(default)]
    pub value_above_wei: Option<String>,
    /// Level for a value above the bound.
    #[serde(default = "medium")]
    pub value_level: ThreatLevel,
    /// Level for a sender with nonce 0 (a brand-new account), if set.
    #[serde(default)]
    pub new_sender_level: Option<ThreatLevel>,
    /// Level for calldata that did not decode, if set.
    #[serde(default)]
    pub unknown_function_level: Option<ThreatLevel>,
}

fn medium() -> ThreatLevel {
    ThreatLevel::Medium
}

impl Default for WatchlistConfig {
    fn default() -> Self {
        Self {
            listed_functions: BTreeMap::new(),
            value_above_wei: None,
            value_level: medium(),
            new_sender_level: None,
            unknown_function_level: None,
        }
    }
}

impl WatchlistConfig {
    /// Every problem with the values, as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(raw) = &self.value_above_wei
            && raw.parse::<U256>().is_err()
        {
            out.push((
                "value_above_wei".to_owned(),
                format!("`{raw}` is not a decimal wei amount"),
            ));
        }
        for name in self.listed_functions.keys() {
            if name.is_empty() {
                out.push((
                    "listed_functions".to_owned(),
                    "function names must not be empty".to_owned(),
                ));
            }
        }
        out
    }
}

/// Reports every monitored transaction — while pending, or once mined if it never showed in
/// the mempool (private order flow) — exactly once per transaction.
#[derive(Debug)]
pub struct WatchlistAnalyzer {
    id: String,
    config: WatchlistConfig,
    value_above: Option<U256>,
    names: HashMap<Address, String>,
    seen: SeenHashes,
}

impl WatchlistAnalyzer {
    /// An analyzer named `id`; `names` maps monitored addresses to their configured names.
    pub fn new(id: &str, config: WatchlistConfig, names: HashMap<Address, String>) -> Self {
        let value_above = config.value_above_wei.as_deref().and_then(|v| v.parse().ok());
        Self { id: id.to_owned(), config, value_above, names, seen: SeenHashes::new(500_000) }
    }

    /// Sources may deliver every transaction (for other analyzers); the watchlist judges
    /// only those to its named contracts, or all of them when it has none.
    fn watches(&self, tx: &TxInfo) -> bool {
        self.names.is_empty() || tx.to.is_some_and(|to| self.names.contains_key(&to))
    }

    fn judge(&self, chain_id: u64, observed_at: u64, tx: &TxInfo, mined_only: bool) -> Finding {
        let mut factors = Vec::new();
        let mut level = ThreatLevel::Info;
        let mut raise = |to: ThreatLevel, name: &str, detail: String| {
            level = level.max(to);
            factors.push(Factor {
                name: name.to_owned(),
                contribution: to as u8 as f64 / 4.0,
                detail,
            });
        };
        let call = tx.call.as_ref();
        let function = call.map(|c| c.label()).unwrap_or("<unknown>");
        let signature = call.and_then(|c| c.signature.as_deref());
        let listed = self
            .config
            .listed_functions
            .get(function)
            .or_else(|| signature.and_then(|s| self.config.listed_functions.get(s)));
        if let Some(to) = listed {
            raise(
                *to,
                "listed_function",
                format!("call to listed function {}", signature.unwrap_or(function)),
            );
        }
        if let Some(bound) = self.value_above
            && tx.value > bound
        {
            raise(
                self.config.value_level,
                "value_above_bound",
                format!("value {} wei above {bound}", tx.value),
            );
        }
        if let (Some(to), 0) = (self.config.new_sender_level, tx.nonce) {
            raise(to, "new_sender", format!("sender {} has never sent a transaction", tx.from));
        }
        if let (Some(to), true) =
            (self.config.unknown_function_level, call.is_some_and(|c| c.is_unknown()))
        {
            raise(
                to,
                "unknown_function",
                format!(
                    "calldata did not decode: {}",
                    call.and_then(|c| c.error.as_deref()).unwrap_or("")
                ),
            );
        }
        factors.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        let contract = tx.to.and_then(|a| self.names.get(&a).cloned());
        let target = contract
            .clone()
            .unwrap_or_else(|| tx.to.map(|a| a.to_string()).unwrap_or_else(|| "<create>".into()));
        let args = call
            .map(|c| {
                c.args
                    .iter()
                    .map(|a| format!("{}={}", a.name, short(&a.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let when = if mined_only { " (seen only once mined)" } else { "" };
        let subject = Subject::Tx { hash: tx.hash };
        Finding {
            id: FindingId::derive(&self.id, &subject),
            analyzer: self.id.clone(),
            chain_id,
            subject,
            target: tx.to,
            threat_level: level,
            confidence: 1.0,
            summary: format!("{target}.{function}({args}) from {}{when}", tx.from),
            factors,
            evidence: json!({
                "contract": contract,
                "call": tx.call,
                "tx": tx.evidence(),
                "mined_only": mined_only,
                "block_number": tx.block_number,
                "success": tx.success,
            }),
            observed_at,
        }
    }
}

fn short(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.len() > 24 {
        format!("{}…", &text[..text.char_indices().nth(20).map_or(text.len(), |(i, _)| i)])
    } else {
        text
    }
}

impl Analyzer for WatchlistAnalyzer {
    fn id(&self) -> &str {
        &self.id
    }

    fn analyze(&mut self, event: &Event) -> Vec<Finding> {
        match &event.kind {
            EventKind::PendingTx(tx) if self.watches(tx) && self.seen.insert(tx.hash) => {
                vec![self.judge(event.chain_id, event.seen_at, tx, false)]
            }
            EventKind::BlockCommitted(block) => {
                let fresh: Vec<&TxInfo> = block
                    .transactions
                    .iter()
                    .filter(|tx| self.watches(tx) && self.seen.insert(tx.hash))
                    .collect();
                fresh
                    .into_iter()
                    .map(|tx| self.judge(event.chain_id, event.seen_at, tx, true))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
