//! The attack range's labelled JSONL: one line per transaction with the node's pending-tx JSON,
//! its label, its receipt and when it was seen. Transactions are parsed and decoded exactly
//! as the mempool source does, with the range's victim ABIs, and stamped with chain time
//! (12 s blocks, as the range mines them) the way the live analyzer's clock does.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    io::BufRead,
    path::{Path, PathBuf},
};

use alloy_primitives::keccak256;
use serde::Deserialize;
use serde_json::Value;
use vigil_chain::{CallDecoder, ContractConfig, MonitoredContracts, tx_from_json};
use vigil_features::MAX_OFFSET_MS;
use vigil_types::Address;

use crate::{ClassifierError, Label, LabelledTx, Result};

/// The range's protected contracts' artifacts (`range/artifacts/<name>.json`): the ABIs a
/// vigil protecting the range is configured with. Attack contracts are not among them.
pub const RANGE_VICTIM_ARTIFACTS: &[&str] = &[
    "Token",
    "WrappedEther",
    "AmmPool",
    "ConcentratedPool",
    "LendingPool",
    "FlashLender",
    "Vault",
    "Bridge",
    "Treasury",
];

/// Seconds between the range's blocks.
const BLOCK_SECS: u64 = 12;

/// One line of a range dataset, before decoding.
#[derive(Debug, Clone, Deserialize)]
pub struct RangeRecord {
    /// The pending transaction as the node returned it.
    pub tx: Value,
    /// What it is.
    pub label: Label,
    /// Receipt summary, if it was mined.
    #[serde(default)]
    pub receipt: Option<RangeReceipt>,
    /// When the range saw it pending (Unix ms).
    #[serde(default)]
    pub seen_at: u64,
}

/// The receipt fields the classifier uses.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct RangeReceipt {
    /// Block that included the transaction.
    pub block_number: u64,
}

/// Reads a range dataset; a malformed line is an error naming it.
pub fn read_range_jsonl(path: &Path) -> Result<Vec<RangeRecord>> {
    let file = std::fs::File::open(path).map_err(|e| ClassifierError::io("read", path, e))?;
    let name = path.display().to_string();
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| ClassifierError::io("read", path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|e| ClassifierError::Dataset {
            source_name: name.clone(),
            line: n + 1,
            reason: e.to_string(),
        })?;
        out.push(record);
    }
    Ok(out)
}

/// Canonical ABI type of a parameter, tuples expanded: `(address,uint256)[]`.
fn canonical(param: &Value) -> String {
    let ty = param.get("type").and_then(Value::as_str).unwrap_or("");
    match ty.strip_prefix("tuple") {
        Some(suffix) => {
            let inner: Vec<String> = param
                .get("components")
                .and_then(Value::as_array)
                .map(|c| c.iter().map(canonical).collect())
                .unwrap_or_default();
            format!("({}){suffix}", inner.join(","))
        }
        None => ty.to_owned(),
    }
}

/// The function selectors of an artifact (or plain ABI array) file.
fn artifact_selectors(path: &Path) -> Result<BTreeSet<[u8; 4]>> {
    let text = std::fs::read_to_string(path).map_err(|e| ClassifierError::io("read", path, e))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        ClassifierError::Training(format!("artifact {} is not JSON: {e}", path.display()))
    })?;
    let abi = value.get("abi").unwrap_or(&value);
    let mut out = BTreeSet::new();
    for item in abi.as_array().into_iter().flatten() {
        if item.get("type").and_then(Value::as_str) != Some("function") {
            continue;
        }
        let name = item.get("name").and_then(Value::as_str).unwrap_or("");
        let inputs: Vec<String> = item
            .get("inputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(canonical)
            .collect();
        let hash = keccak256(format!("{name}({})", inputs.join(",")).as_bytes());
        out.insert([hash[0], hash[1], hash[2], hash[3]]);
    }
    Ok(out)
}

/// The contracts a vigil protecting the range monitors, found from the dataset itself: each
/// called address is matched to the victim artifact in `abi_dir` whose functions explain every
/// selector sent to it (the smallest such ABI when several do).
pub fn infer_range_contracts(
    records: &[RangeRecord],
    abi_dir: &Path,
) -> Result<Vec<ContractConfig>> {
    let mut artifacts = Vec::new();
    for name in RANGE_VICTIM_ARTIFACTS {
        let path = abi_dir.join(format!("{name}.json"));
        artifacts.push((*name, artifact_selectors(&path)?, path));
    }
    let mut called: HashMap<Address, BTreeSet<[u8; 4]>> = HashMap::new();
    for r in records {
        let to = r.tx.get("to").and_then(Value::as_str).and_then(|s| s.parse::<Address>().ok());
        let input = r.tx.get("input").and_then(Value::as_str).unwrap_or("0x");
        let selector = hex_prefix(input);
        if let (Some(to), Some(selector)) = (to, selector) {
            called.entry(to).or_default().insert(selector);
        }
    }
    let mut contracts: BTreeMap<Address, ContractConfig> = BTreeMap::new();
    for (address, selectors) in called {
        let best = artifacts
            .iter()
            .filter(|(_, known, _)| selectors.iter().all(|s| known.contains(s)))
            .min_by_key(|(_, known, _)| known.len());
        if let Some((name, _, path)) = best {
            contracts.insert(
                address,
                ContractConfig {
                    name: format!("{name}@{address}"),
                    address,
                    abi: Some(PathBuf::from(path)),
                    guardian_function: "pause()".to_owned(),
                },
            );
        }
    }
    Ok(contracts.into_values().collect())
}

fn hex_prefix(input: &str) -> Option<[u8; 4]> {
    let digits = input.strip_prefix("0x")?.get(..8)?;
    let n = u32::from_str_radix(digits, 16).ok()?;
    Some(n.to_be_bytes())
}

/// A decoder for `contracts` (monitored ABIs plus the built-in registry).
pub fn decoder_for(contracts: &[ContractConfig]) -> Result<CallDecoder> {
    let monitored = MonitoredContracts::load(contracts)
        .map_err(|e| ClassifierError::Training(format!("failed to load contract ABIs: {e}")))?;
    Ok(CallDecoder::new(&monitored))
}

/// Parses and decodes every record; each gets chain time: 12 s per block before the one that
/// included it, plus its arrival offset within its block's batch (capped like the live clock).
pub fn decode_records(
    records: &[RangeRecord],
    decoder: &CallDecoder,
    source_name: &str,
) -> Result<Vec<LabelledTx>> {
    let mut first_seen: HashMap<u64, u64> = HashMap::new();
    let mut block = 0u64;
    let blocks: Vec<u64> = records
        .iter()
        .map(|r| {
            block = r.receipt.map_or(block, |rc| rc.block_number);
            let first = first_seen.entry(block).or_insert(r.seen_at);
            *first = (*first).min(r.seen_at);
            block
        })
        .collect();
    records
        .iter()
        .zip(blocks)
        .enumerate()
        .map(|(i, (r, block))| {
            let mut tx = tx_from_json(&r.tx).map_err(|e| ClassifierError::Dataset {
                source_name: source_name.to_owned(),
                line: i + 1,
                reason: e.to_string(),
            })?;
            decoder.annotate(&mut tx);
            let offset =
                r.seen_at.saturating_sub(first_seen.get(&block).copied().unwrap_or(r.seen_at));
            let seen_at = block.saturating_sub(1) * BLOCK_SECS * 1000 + offset.min(MAX_OFFSET_MS);
            Ok(LabelledTx { tx, seen_at, label: r.label.clone() })
        })
        .collect()
}
