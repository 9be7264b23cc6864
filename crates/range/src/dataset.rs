//! The labelled dataset: one JSON line per transaction the scenario sent — the pending
//! transaction as the node returned it, its label, its receipt and what it did to victims —
//! plus reading it back and per-label statistics.

use std::{
    collections::BTreeMap,
    fmt,
    io::{BufRead, Write},
};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{BalanceDeltas, RangeError, Result, attacks::AttackKind};

/// Benign or attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelClass {
    /// Ordinary protocol use, including keepers and admin.
    Benign,
    /// Part of an attack.
    Attack,
}

/// Which step of an attack a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Getting gas money to the attacking address (exchange or mixer).
    Funding,
    /// Deploying the attack contract.
    Deployment,
    /// The transaction(s) that take the funds.
    Exploit,
}

impl Stage {
    /// The label string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Funding => "funding",
            Self::Deployment => "deployment",
            Self::Exploit => "exploit",
        }
    }
}

/// What a transaction is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Benign or attack.
    pub class: LabelClass,
    /// Attack kind; `None` for benign traffic.
    pub kind: Option<AttackKind>,
    /// Groups transactions that belong together: one attack run (all its stages), or one
    /// benign action (an approval and the swap it enables). Split train/test by it.
    pub instance: String,
    /// Attack variant (`route/funding/size/fee`) or benign action name (`swap_v2`, …).
    pub variant: String,
    /// Attack stage; `None` for benign traffic.
    pub stage: Option<Stage>,
}

impl Label {
    /// A benign label.
    pub fn benign(instance: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            class: LabelClass::Benign,
            kind: None,
            instance: instance.into(),
            variant: action.into(),
            stage: None,
        }
    }

    /// An attack label.
    pub fn attack(kind: AttackKind, instance: &str, variant: &str, stage: Stage) -> Self {
        Self {
            class: LabelClass::Attack,
            kind: Some(kind),
            instance: instance.to_owned(),
            variant: variant.to_owned(),
            stage: Some(stage),
        }
    }
}

/// The receipt fields kept in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptSummary {
    /// Success (`true`) or revert.
    pub status: bool,
    /// Gas used.
    pub gas_used: u64,
    /// Block that includes it.
    pub block_number: u64,
}

/// One line of the dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// `eth_getTransactionByHash` while the transaction was pending, exactly as returned.
    pub tx: Value,
    /// What the transaction is.
    pub label: Label,
    /// Outcome once mined; `None` if the node dropped it.
    pub receipt: Option<ReceiptSummary>,
    /// victim → asset → signed change in base units, as a decimal string.
    pub victim_balance_deltas: BTreeMap<String, BTreeMap<String, String>>,
    /// When the range saw it pending, Unix milliseconds.
    pub seen_at: u64,
}

impl DatasetRecord {
    /// Stores `deltas` as decimal strings.
    pub fn set_deltas(&mut self, deltas: &BalanceDeltas) {
        self.victim_balance_deltas = deltas
            .iter()
            .map(|(victim, assets)| {
                let assets = assets.iter().map(|(a, d)| (a.clone(), d.to_string())).collect();
                (victim.clone(), assets)
            })
            .collect();
    }

    /// True when some victim's balance of some asset went down.
    pub fn victim_lost_funds(&self) -> bool {
        self.victim_balance_deltas.values().flat_map(|a| a.values()).any(|d| d.starts_with('-'))
    }
}

/// Writes one record as a JSON line.
pub fn write_record(out: &mut dyn Write, record: &DatasetRecord) -> Result<()> {
    let line = serde_json::to_string(record).map_err(|e| RangeError::Io(e.to_string()))?;
    writeln!(out, "{line}").map_err(|e| RangeError::Io(e.to_string()))
}

/// Reads a JSONL dataset; blank lines are skipped, a malformed line is an error naming it.
pub fn read_records(input: impl BufRead) -> Result<Vec<DatasetRecord>> {
    let mut records = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| RangeError::Io(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line)
            .map_err(|e| RangeError::Invalid(format!("dataset line {}: {e}", n + 1)))?;
        records.push(record);
    }
    Ok(records)
}

/// Counts per label of a dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DatasetStats {
    /// Transactions.
    pub transactions: usize,
    /// Benign transactions.
    pub benign: usize,
    /// Attack transactions.
    pub attack: usize,
    /// Reverted transactions per class.
    pub reverted: BTreeMap<String, usize>,
    /// Attack transactions per kind and stage.
    pub attack_txs: BTreeMap<String, BTreeMap<String, usize>>,
    /// Attack runs (distinct instances) per kind.
    pub attack_runs: BTreeMap<String, usize>,
    /// Attack runs per kind whose exploit took funds from the kind's target victim.
    pub successful_runs: BTreeMap<String, usize>,
    /// Distinct attack variants per kind.
    pub attack_variants: BTreeMap<String, usize>,
    /// Benign transactions per action.
    pub benign_actions: BTreeMap<String, usize>,
}

impl DatasetStats {
    /// Statistics of `records`.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a DatasetRecord>) -> Self {
        let mut builder = StatsBuilder::default();
        for record in records {
            builder.add(
                &record.label,
                record.receipt.map(|r| r.status),
                &record.victim_balance_deltas,
            );
        }
        builder.finish()
    }
}

/// Accumulates [`DatasetStats`] one transaction at a time.
#[derive(Debug, Clone, Default)]
pub struct StatsBuilder {
    stats: DatasetStats,
    runs: BTreeMap<String, (String, bool)>,
    variants: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl StatsBuilder {
    /// Counts one transaction: its label, its status (`None` if never mined) and its victim
    /// balance deltas (decimal strings, as stored).
    pub fn add(
        &mut self,
        label: &Label,
        status: Option<bool>,
        deltas: &BTreeMap<String, BTreeMap<String, String>>,
    ) {
        let stats = &mut self.stats;
        stats.transactions += 1;
        let class = match label.class {
            LabelClass::Benign => "benign",
            LabelClass::Attack => "attack",
        };
        if status == Some(false) {
            *stats.reverted.entry(class.to_owned()).or_default() += 1;
        }
        match (label.class, label.kind) {
            (LabelClass::Attack, Some(kind)) => {
                stats.attack += 1;
                let stage = label.stage.map_or("none", Stage::as_str);
                let drained = deltas
                    .get(kind.target())
                    .is_some_and(|assets| assets.values().any(|d| d.starts_with('-')));
                let kind = kind.as_str().to_owned();
                let per_stage = stats.attack_txs.entry(kind.clone()).or_default();
                *per_stage.entry(stage.into()).or_default() += 1;
                self.variants.entry(kind.clone()).or_default().insert(label.variant.clone());
                let run = self.runs.entry(label.instance.clone()).or_insert((kind, false));
                run.1 |= label.stage == Some(Stage::Exploit) && drained;
            }
            _ => {
                stats.benign += 1;
                *stats.benign_actions.entry(label.variant.clone()).or_default() += 1;
            }
        }
    }

    /// The statistics so far.
    pub fn finish(&self) -> DatasetStats {
        let mut stats = self.stats.clone();
        for (kind, drained) in self.runs.values() {
            *stats.attack_runs.entry(kind.clone()).or_default() += 1;
            *stats.successful_runs.entry(kind.clone()).or_default() += usize::from(*drained);
        }
        stats.attack_variants = self.variants.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        stats
    }
}

impl fmt::Display for DatasetStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reverted = |class: &str| self.reverted.get(class).copied().unwrap_or(0);
        writeln!(f, "transactions  {}", self.transactions)?;
        writeln!(f, "benign        {} ({} reverted)", self.benign, reverted("benign"))?;
        writeln!(f, "attack        {} ({} reverted)", self.attack, reverted("attack"))?;
        let columns = ["runs", "drained", "variants", "funding", "deployment", "exploit"];
        let [a, b, c, d, e, g] = columns;
        writeln!(f, "\n{:<30} {a:>5} {b:>8} {c:>9} {d:>8} {e:>11} {g:>8}", "attack kind")?;
        for (kind, runs) in &self.attack_runs {
            let stage =
                |s: &str| self.attack_txs.get(kind).and_then(|m| m.get(s)).copied().unwrap_or(0);
            writeln!(
                f,
                "{kind:<30} {runs:>5} {:>8} {:>9} {:>8} {:>11} {:>8}",
                self.successful_runs.get(kind).copied().unwrap_or(0),
                self.attack_variants.get(kind).copied().unwrap_or(0),
                stage("funding"),
                stage("deployment"),
                stage("exploit"),
            )?;
        }
        writeln!(f, "\nbenign action                   txs")?;
        for (action, count) in &self.benign_actions {
            writeln!(f, "{action:<30} {count:>5}")?;
        }
        Ok(())
    }
}
