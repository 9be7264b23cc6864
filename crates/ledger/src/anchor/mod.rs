//! Anchoring: every K blocks the head hash is published on an external EVM chain. An intruder
//! on the host can re-mine the local chain, but cannot take back what an EVM chain has
//! recorded, so any rewrite before the last anchor is caught — whatever the timestamps say.

mod rpc;

use std::fmt;

use alloy_primitives::B256;
use serde::Serialize;

pub use rpc::{ANCHOR_INIT_CODE, ANCHOR_RUNTIME_CODE, RpcAnchor, RpcAnchorConfig};

use crate::{Hash, LedgerError, Result, fault::short};

/// Tag in front of every anchor payload.
const PAYLOAD_TAG: [u8; 4] = *b"VGLA";
/// Payload size: tag, height, hash.
pub(crate) const PAYLOAD_BYTES: usize = 4 + 8 + 32;

/// A block the ledger wants to anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnchorPoint {
    /// Block height.
    pub height: u64,
    /// Block hash.
    #[serde(with = "hex_hash")]
    pub hash: Hash,
}

impl AnchorPoint {
    /// Encodes the point as published: `"VGLA" ‖ height (u64 BE) ‖ hash`.
    pub fn encode(&self) -> [u8; PAYLOAD_BYTES] {
        let mut out = [0u8; PAYLOAD_BYTES];
        out[..4].copy_from_slice(&PAYLOAD_TAG);
        out[4..12].copy_from_slice(&self.height.to_be_bytes());
        out[12..].copy_from_slice(&self.hash);
        out
    }

    /// Decodes a published payload.
    pub fn decode(bytes: &[u8]) -> Result<AnchorPoint> {
        if bytes.len() != PAYLOAD_BYTES || bytes[..4] != PAYLOAD_TAG {
            return Err(LedgerError::decode("anchor payload", format!("{} bytes", bytes.len())));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[12..]);
        Ok(AnchorPoint { height: crate::record::be_u64(&bytes[4..12]), hash })
    }
}

/// An anchor as found on the EVM chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnchoredPoint {
    /// What was anchored.
    pub point: AnchorPoint,
    /// The EVM transaction that published it.
    pub tx_hash: B256,
    /// The EVM block it landed in.
    pub evm_block: u64,
    /// Log index within that block (orders anchors in one block).
    pub log_index: u64,
}

/// Where the ledger's head hashes are published and read back.
///
/// Contract: `publish` returns only once the anchor is included in an EVM block (or fails);
/// `fetch` returns every anchor ever published by this publisher, oldest first, and must not
/// filter out anchors that disagree with the local chain — those are the evidence.
#[async_trait::async_trait]
pub trait Anchor: Send + Sync + 'static {
    /// Publishes `point`.
    async fn publish(&self, point: AnchorPoint) -> Result<AnchoredPoint>;

    /// Reads back all published anchors.
    async fn fetch(&self) -> Result<Vec<AnchoredPoint>>;
}

/// One anchor that the local chain does not honour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnchorProblem {
    /// The chain's block at the anchored height has another hash: a block in
    /// `(after, anchor.height]` was rewritten.
    Rewritten {
        /// The anchor.
        anchor: AnchoredPoint,
        /// The chain's hash at that height.
        #[serde(with = "hex_hash")]
        chain_hash: Hash,
        /// Height of the highest matching anchor below, if any.
        after: Option<u64>,
    },
    /// The chain ends before the anchored height: blocks were removed from the end.
    Truncated {
        /// The anchor.
        anchor: AnchoredPoint,
        /// Whole blocks the chain still has.
        chain_blocks: u64,
    },
    /// The anchored block lies after the first structural fault and cannot be compared.
    BeyondFault {
        /// The anchor.
        anchor: AnchoredPoint,
    },
}

impl fmt::Display for AnchorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnchorProblem::Rewritten { anchor, chain_hash, after } => {
                let from = after.map_or(0, |h| h + 1);
                write!(
                    f,
                    "anchor at height {} (evm block {}, tx {}) says {}…, chain has {}…: \
                     a block in {from}..={} was rewritten",
                    anchor.point.height,
                    anchor.evm_block,
                    anchor.tx_hash,
                    short(&anchor.point.hash),
                    short(chain_hash),
                    anchor.point.height
                )
            }
            AnchorProblem::Truncated { anchor, chain_blocks } => write!(
                f,
                "anchor at height {} (evm block {}) but the chain has only {chain_blocks} blocks: \
                 the chain was truncated",
                anchor.point.height, anchor.evm_block
            ),
            AnchorProblem::BeyondFault { anchor } => write!(
                f,
                "anchor at height {} lies after the first bad block and was not compared",
                anchor.point.height
            ),
        }
    }
}

/// The chain compared with its anchors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorCheck {
    /// Anchors found.
    pub anchors: usize,
    /// Anchors the chain honours.
    pub matched: usize,
    /// Highest anchored height the chain honours.
    pub last_anchored: Option<u64>,
    /// Whole blocks after the last honoured anchor: their removal or rewrite cannot be proved.
    pub unanchored_blocks: u64,
    /// Anchors the chain does not honour, lowest height first.
    pub problems: Vec<AnchorProblem>,
}

impl AnchorCheck {
    /// Whether every anchor is honoured.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Compares the verified block hashes (`hashes[h]` = hash at height `h`) with the anchors.
/// `structurally_whole` is true when verification found no fault, or only a torn tail.
pub fn check_anchors(
    hashes: &[Hash],
    structurally_whole: bool,
    anchors: &[AnchoredPoint],
) -> AnchorCheck {
    let mut sorted: Vec<AnchoredPoint> = anchors.to_vec();
    sorted.sort_by_key(|a| (a.point.height, a.evm_block, a.log_index));
    let mut check = AnchorCheck {
        anchors: sorted.len(),
        matched: 0,
        last_anchored: None,
        unanchored_blocks: hashes.len() as u64,
        problems: Vec::new(),
    };
    let mut last_match: Option<u64> = None;
    for anchor in sorted {
        let height = anchor.point.height;
        match usize::try_from(height).ok().and_then(|h| hashes.get(h)) {
            Some(hash) if *hash == anchor.point.hash => {
                check.matched += 1;
                last_match = Some(last_match.map_or(height, |m| m.max(height)));
            }
            Some(hash) => check.problems.push(AnchorProblem::Rewritten {
                anchor,
                chain_hash: *hash,
                after: last_match.filter(|m| *m < height),
            }),
            None if structurally_whole => check
                .problems
                .push(AnchorProblem::Truncated { anchor, chain_blocks: hashes.len() as u64 }),
            None => check.problems.push(AnchorProblem::BeyondFault { anchor }),
        }
    }
    check.last_anchored = last_match;
    check.unanchored_blocks = hashes.len() as u64 - last_match.map_or(0, |m| m + 1);
    check
}

/// Verifies the ledger file at `path` and compares it with every anchor `anchor` returns.
pub async fn verify_with_anchors(
    path: &std::path::Path,
    options: crate::VerifyOptions,
    anchor: &dyn Anchor,
) -> Result<(crate::VerifyReport, AnchorCheck)> {
    let report = crate::verify_file(path, options)?;
    let anchors = anchor.fetch().await?;
    let whole =
        report.fault.as_ref().is_none_or(|f| matches!(f.kind, crate::FaultKind::TornTail { .. }));
    let check = check_anchors(&report.hashes, whole, &anchors);
    Ok((report, check))
}

mod hex_hash {
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(hash)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchored(height: u64, hash: Hash) -> AnchoredPoint {
        AnchoredPoint {
            point: AnchorPoint { height, hash },
            tx_hash: B256::ZERO,
            evm_block: height,
            log_index: 0,
        }
    }

    #[test]
    fn payload_round_trips() {
        let p = AnchorPoint { height: 42, hash: [5; 32] };
        assert_eq!(AnchorPoint::decode(&p.encode()).expect("decode"), p);
        assert!(AnchorPoint::decode(&[0; 10]).is_err());
    }

    #[test]
    fn finds_rewrites_and_truncation() {
        let hashes: Vec<Hash> = (0..10u8).map(|i| [i; 32]).collect();
        let ok = check_anchors(&hashes, true, &[anchored(4, [4; 32]), anchored(9, [9; 32])]);
        assert!(ok.is_ok());
        assert_eq!((ok.last_anchored, ok.unanchored_blocks), (Some(9), 0));
        let bad = check_anchors(&hashes, true, &[anchored(4, [4; 32]), anchored(7, [0xee; 32])]);
        assert!(matches!(bad.problems[..], [AnchorProblem::Rewritten { after: Some(4), .. }]));
        let cut = check_anchors(&hashes[..6], true, &[anchored(4, [4; 32]), anchored(8, [8; 32])]);
        assert!(matches!(cut.problems[..], [AnchorProblem::Truncated { chain_blocks: 6, .. }]));
    }
}
