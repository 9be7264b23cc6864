use rand::{Rng, SeedableRng, rngs::StdRng};

use super::TimingSeries;
use crate::{Block, Record, make_block};

/// The paper's simple attack at the timing level: the intruder starts rewriting at block `k`
/// and the re-mining shows as a pause of `pause_ms` in block `k`'s production time (every later
/// timestamp moves by the pause). Proofs are kept: a re-mined proof is a fresh draw from the same
/// distribution, independent of the pause, which is all the detector can see.
pub fn simple_attack(series: &TimingSeries, k: usize, pause_ms: u64) -> TimingSeries {
    let mut out = series.clone();
    for t in out.timestamps.iter_mut().skip(k + 1) {
        *t += pause_ms;
    }
    out
}

/// The paper's subtle attack at the timing level: every rewritten block from `k` on gets the
/// timestamp of the previous block plus a uniform random 1..=`u_ms` ms. Intervals `k − 1` and
/// later are forged.
pub fn subtle_attack(series: &TimingSeries, k: usize, u_ms: u64, seed: u64) -> TimingSeries {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = series.clone();
    for j in k.max(1)..out.timestamps.len() {
        out.timestamps[j] = out.timestamps[j - 1] + rng.random_range(1..=u_ms.max(1));
    }
    out
}

/// How a rewrite of vigil's own chain sets the timestamps of the re-mined blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampForgery {
    /// Keep each block's original timestamp (the cheapest lie).
    Keep,
    /// Shift every rewritten block after the first by `pause_ms` (what an honest clock shows).
    Pause {
        /// The pause.
        pause_ms: u64,
    },
    /// Previous timestamp + uniform 1..=`max_ms` ms, as in the paper's subtle attack.
    Subtle {
        /// U in ms.
        max_ms: u64,
        /// RNG seed.
        seed: u64,
    },
}

/// Rewrites vigil's chain from block `from`: applies `edit` to that block's records (without
/// the BLOCK_TIME record), renumbers every later record, forges timestamps and re-mines every
/// block from `from` on at its original difficulty. The result passes `verify` unless the
/// chain was anchored after `from` — which is the point of anchoring.
pub fn rewrite_chain(
    blocks: &[Block],
    from: usize,
    edit: impl FnOnce(&mut Vec<Record>),
    forgery: TimestampForgery,
) -> Vec<Block> {
    let mut out: Vec<Block> = blocks[..from.min(blocks.len())].to_vec();
    let mut rng = match forgery {
        TimestampForgery::Subtle { seed, .. } => StdRng::seed_from_u64(seed),
        _ => StdRng::seed_from_u64(0),
    };
    let mut edit = Some(edit);
    let mut next_seq = out.last().and_then(|b| b.records.last()).map_or(0, |r| r.seq + 1);
    let mut last_time = out.last().map_or(0, |b| b.header.timestamp_ms);
    for (i, original) in blocks.iter().enumerate().skip(from) {
        let mut records: Vec<Record> =
            original.records[..original.records.len().saturating_sub(1)].to_vec();
        if let Some(edit) = edit.take() {
            edit(&mut records);
        }
        let timestamp = match forgery {
            TimestampForgery::Keep => original.header.timestamp_ms,
            TimestampForgery::Pause { pause_ms } if i > from => {
                original.header.timestamp_ms + pause_ms
            }
            TimestampForgery::Pause { .. } => original.header.timestamp_ms,
            TimestampForgery::Subtle { .. } if i == 0 => original.header.timestamp_ms,
            TimestampForgery::Subtle { max_ms, .. } => {
                last_time + rng.random_range(1..=max_ms.max(1))
            }
        }
        .max(last_time);
        let mut time = out.last().and_then(|b| b.records.last()).map_or(0, |r| r.time_ms);
        for record in &mut records {
            record.seq = next_seq;
            next_seq += 1;
            time = time.max(record.time_ms.min(timestamp));
            record.time_ms = time;
        }
        let prev = out.last().map(|b| (b.header.height, b.hash));
        let block = make_block(prev, timestamp, original.header.difficulty, records, next_seq);
        next_seq += 1;
        last_time = timestamp;
        out.push(block);
    }
    out
}
