//! Reader and verifier for the hardened-logger paper's chains (SpartanGold JSON): a JSON array
//! of single-key objects `{"<block id>": {chainLength, timestamp, transactions, prevBlockHash,
//! proof, rewardAddr}}`. Block id = hex sha256 of the block's compact JSON, keys in that order;
//! transaction id = sha256("TX" + compact JSON of {from, nonce, pubKey, outputs, fee, data});
//! proof of work = block hash below `(2^256 − 1) >> zeros`. Transaction signatures (RSA) are
//! not checked.

use std::{collections::BTreeMap, fmt, path::Path};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{LedgerError, Result, tamper::TimingSeries};

/// Whether the file at `path` looks like a SpartanGold JSON chain (starts with `[`) rather
/// than a vigil ledger.
pub fn is_spartan_file(path: &Path) -> Result<bool> {
    let bytes = crate::read_file(path)?;
    Ok(bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['))
}

/// PoW leading zeros of the paper's chains.
pub const PAPER_DIFFICULTY: u32 = 19;

/// One SpartanGold block; fields in the order the block id hashes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SgBlock {
    /// Height, from 1 after the genesis block.
    pub chain_length: u64,
    /// When the miner started searching for this block's proof (Unix ms).
    pub timestamp: u64,
    /// `[id, transaction]` pairs.
    pub transactions: Vec<(String, SgTx)>,
    /// Id of the previous block.
    pub prev_block_hash: String,
    /// The nonce found; the search counts up from 0.
    pub proof: u64,
    /// Miner address.
    pub reward_addr: String,
}

/// A SpartanGold transaction; fields in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SgTx {
    /// Sender address.
    pub from: String,
    /// Sender nonce.
    pub nonce: u64,
    /// Sender public key (PEM).
    pub pub_key: String,
    /// Signature (hex).
    pub sig: String,
    /// Fee.
    pub fee: u64,
    /// Outputs (empty for log transactions).
    pub outputs: Vec<SgOutput>,
    /// The log payload.
    pub data: SgData,
}

/// A transaction output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgOutput {
    /// Amount.
    pub amount: u64,
    /// Recipient.
    pub address: String,
}

/// A log transaction's payload: level 0-4 for messages, 5 for the BLOCK_TIME record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgData {
    /// Log level.
    pub level: u8,
    /// Message (absent for BLOCK_TIME).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it was logged (Unix ms).
    pub time: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TxBody<'a> {
    from: &'a str,
    nonce: u64,
    pub_key: &'a str,
    outputs: &'a [SgOutput],
    fee: u64,
    data: &'a SgData,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl SgBlock {
    /// The block id: hex sha256 of the compact JSON.
    pub fn id(&self) -> String {
        sha256_hex(serde_json::to_string(self).unwrap_or_default().as_bytes())
    }
}

impl SgTx {
    /// The transaction id.
    pub fn id(&self) -> String {
        let body = TxBody {
            from: &self.from,
            nonce: self.nonce,
            pub_key: &self.pub_key,
            outputs: &self.outputs,
            fee: self.fee,
            data: &self.data,
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        sha256_hex(format!("TX{json}").as_bytes())
    }
}

/// A chain read from one file: `(stored id, block)` in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct SpartanChain {
    /// The blocks with the ids the file gives them.
    pub blocks: Vec<(String, SgBlock)>,
}

impl SpartanChain {
    /// Reads a chain file.
    pub fn read(path: &Path) -> Result<SpartanChain> {
        let err = |reason: String| LedgerError::Spartan { path: path.to_owned(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let entries: Vec<BTreeMap<String, SgBlock>> =
            serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        let mut blocks = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            if entry.len() != 1 {
                return Err(err(format!(
                    "entry {i} has {} keys, expected one block id",
                    entry.len()
                )));
            }
            blocks.extend(entry);
        }
        Ok(SpartanChain { blocks })
    }

    /// Block timestamps and proofs, for the tamper detector.
    pub fn timing(&self) -> TimingSeries {
        TimingSeries {
            timestamps: self.blocks.iter().map(|(_, b)| b.timestamp).collect(),
            proofs: self.blocks.iter().map(|(_, b)| b.proof).collect(),
        }
    }

    /// Checks ids, proofs, links, heights, transaction ids, BLOCK_TIME records and time
    /// order; stops at the first problem.
    pub fn verify(&self, zeros: u32) -> SpartanReport {
        let mut report = SpartanReport {
            blocks: 0,
            base: self.blocks.first().map(|(_, b)| b.prev_block_hash.clone()),
            last_id: None,
            fault: None,
        };
        let mut prev: Option<(&str, &SgBlock)> = None;
        for (index, (id, block)) in self.blocks.iter().enumerate() {
            if let Some(problem) = check_block(id, block, prev, zeros) {
                report.fault =
                    Some(SpartanFault { index, chain_length: block.chain_length, problem });
                return report;
            }
            report.blocks += 1;
            report.last_id = Some(id.clone());
            prev = Some((id, block));
        }
        report
    }
}

fn check_block(
    id: &str,
    block: &SgBlock,
    prev: Option<(&str, &SgBlock)>,
    zeros: u32,
) -> Option<String> {
    let computed = block.id();
    if computed != id {
        return Some(format!("id mismatch: file says {id}, block hashes to {computed}"));
    }
    if !below_target(&computed, zeros) {
        return Some(format!("insufficient proof: {computed} is not below the {zeros}-bit target"));
    }
    if let Some((prev_id, prev_block)) = prev {
        if block.prev_block_hash != prev_id {
            return Some(format!(
                "bad link: prevBlockHash {} is not {prev_id}",
                block.prev_block_hash
            ));
        }
        if block.chain_length != prev_block.chain_length + 1 {
            return Some(format!(
                "chainLength {} after {}",
                block.chain_length, prev_block.chain_length
            ));
        }
        if block.timestamp < prev_block.timestamp {
            return Some(format!("timestamp {} before {}", block.timestamp, prev_block.timestamp));
        }
    }
    for (tx_id, tx) in &block.transactions {
        let computed = tx.id();
        if computed != *tx_id {
            return Some(format!("transaction id mismatch: {tx_id} hashes to {computed}"));
        }
    }
    let block_times = block.transactions.iter().filter(|(_, tx)| tx.data.level == 5).count();
    if block_times != 1 {
        return Some(format!("{block_times} BLOCK_TIME transactions, expected 1"));
    }
    None
}

/// Whether hex `hash` < (2^256 − 1) >> zeros, SpartanGold's target.
pub fn below_target(hash: &str, zeros: u32) -> bool {
    let Ok(bytes) = hex::decode(hash) else { return false };
    let Ok(hash) = <[u8; 32]>::try_from(bytes.as_slice()) else { return false };
    let zeros = zeros.min(256);
    // target = 2^(256-zeros) - 1: below it means the top `zeros` bits are clear and the
    // remaining bits are not all ones.
    if crate::leading_zero_bits(&hash) < zeros {
        return false;
    }
    !(zeros..256).all(|i| hash[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)
}

/// A problem in a SpartanGold chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpartanFault {
    /// Position in the file (0-based).
    pub index: usize,
    /// The block's chainLength.
    pub chain_length: u64,
    /// What is wrong.
    pub problem: String,
}

/// Outcome of [`SpartanChain::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpartanReport {
    /// Blocks that passed.
    pub blocks: usize,
    /// The first block's prevBlockHash (the genesis or the previous file's last block).
    pub base: Option<String>,
    /// Id of the last block that passed.
    pub last_id: Option<String>,
    /// The first problem.
    pub fault: Option<SpartanFault>,
}

impl fmt::Display for SpartanFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block {} (chainLength {}): {}", self.index, self.chain_length, self.problem)
    }
}
