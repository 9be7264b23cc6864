//! The tamper detector and the hardened-logger paper's experiments. An intruder who rewrites a
//! proof-of-work log must re-mine every block after the change, which takes time; the rewrite
//! shows as a pause (the paper's *simple attack*) unless the intruder forges the timestamps
//! (the *subtle attack*: each block = previous + uniform 1..U ms). vigil scores every block
//! from its production time, from the relation between its proof (the nonce count, i.e. the
//! work done) and the time it took — on clean continuously-mined chains the two are almost
//! exactly proportional — and from a learned model trained on clean chains.

mod attack;
mod detector;
mod experiments;
mod features;
mod model;
mod report;

pub use attack::{TimestampForgery, rewrite_chain, simple_attack, subtle_attack};
pub use detector::{BlockScore, BlockScorer, Detector, rank_of, ranked};
pub use experiments::{
    ExperimentConfig, ExperimentReport, FalseAlarms, PAPER_RANKS, RankRow, SUBTLE_DETECTORS,
    SubtleRow, SubtleTable, run_experiments,
};
pub use features::{BlockFeatures, WindowFeatures, block_features, window_features};
pub use model::LogisticModel;

use crate::Block;

/// What the detector reads from a chain: when each block's proof search started, and the
/// proof found. Block `k`'s production time is `timestamps[k + 1] − timestamps[k]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimingSeries {
    /// Proof-search start per block (Unix ms).
    pub timestamps: Vec<u64>,
    /// Proof (nonce) per block.
    pub proofs: Vec<u64>,
}

impl TimingSeries {
    /// Timing of vigil's own blocks.
    pub fn from_blocks(blocks: &[Block]) -> TimingSeries {
        TimingSeries {
            timestamps: blocks.iter().map(|b| b.header.timestamp_ms).collect(),
            proofs: blocks.iter().map(|b| b.header.nonce).collect(),
        }
    }

    /// Number of production-time intervals (blocks − 1).
    pub fn intervals(&self) -> usize {
        self.timestamps.len().saturating_sub(1)
    }

    /// Production time of block `k` in ms (0 if timestamps go backwards).
    pub fn production_ms(&self, k: usize) -> f64 {
        self.timestamps[k + 1].saturating_sub(self.timestamps[k]) as f64
    }
}

/// The timing of the chain at `path`: a vigil ledger or a SpartanGold JSON file.
pub fn timing_of_file(path: &std::path::Path) -> crate::Result<TimingSeries> {
    if crate::spartan::is_spartan_file(path)? {
        return Ok(crate::spartan::SpartanChain::read(path)?.timing());
    }
    Ok(TimingSeries::from_blocks(&crate::read_blocks(path)?))
}

/// Median of `values` (NaN-free input); 0 for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Median absolute deviation scaled to a normal σ (1.4826 × MAD), floored at `floor`.
pub(crate) fn robust_scale(values: &[f64], center: f64, floor: f64) -> f64 {
    let dev: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    (1.4826 * median(&dev)).max(floor)
}
