use std::path::Path;

use serde::Serialize;

use crate::{
    Block, DEFAULT_DIFFICULTY, Fault, FaultKind, Hash, Level, Result, block::leading_zero_bits,
    merkle::merkle_root_of_leaves, read_file, store::FrameEnd, store::FrameRef, store::scan_frames,
};

/// What verification demands beyond the chain's own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Every block must ask for at least this many leading zero bits (and all blocks must ask
    /// for the same number as the first).
    pub min_difficulty: u32,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self { min_difficulty: u32::from(DEFAULT_DIFFICULTY) }
    }
}

/// Outcome of verifying a ledger file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Blocks that passed every check (all of them when `fault` is `None`).
    pub blocks: u64,
    /// Records in those blocks.
    pub records: u64,
    /// Hashes of those blocks, by height (used to check anchors).
    #[serde(skip)]
    pub hashes: Vec<Hash>,
    /// The first problem, if any.
    pub fault: Option<Fault>,
}

impl VerifyReport {
    /// Whether the whole file verified.
    pub fn is_ok(&self) -> bool {
        self.fault.is_none()
    }
}

/// Verifies the ledger file at `path`.
pub fn verify_file(path: &Path, options: VerifyOptions) -> Result<VerifyReport> {
    Ok(verify_bytes(&read_file(path)?, options))
}

struct Checked {
    block: Block,
    computed_hash: Hash,
    computed_root: Hash,
}

fn check_frame(frame: &FrameRef<'_>) -> std::result::Result<Checked, FaultKind> {
    let block =
        Block::decode(frame.payload).map_err(|e| FaultKind::Decode { reason: e.to_string() })?;
    let computed_hash = block.header.hash();
    let computed_root =
        merkle_root_of_leaves(block.records.iter().map(|r| r.leaf_hash()).collect());
    Ok(Checked { block, computed_hash, computed_root })
}

/// Decodes and hashes frames on all cores; the order-dependent checks run after, in order.
fn check_frames(frames: &[FrameRef<'_>]) -> Vec<std::result::Result<Checked, FaultKind>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads <= 1 || frames.len() < 4 {
        return frames.iter().map(check_frame).collect();
    }
    let chunk = frames.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = frames
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(check_frame).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| vec![Err(FaultKind::Decode { reason: "panic".into() })])
            })
            .collect()
    })
}

/// Running state of the order-dependent checks.
struct Cursor {
    prev_hash: Hash,
    prev_timestamp: u64,
    next_seq: u64,
    last_time: u64,
    difficulty: Option<u32>,
}

fn check_block(
    c: &mut Cursor,
    checked: &Checked,
    height: u64,
    min: u32,
) -> Result<(), (Option<usize>, FaultKind)> {
    let Checked { block, computed_hash, computed_root } = checked;
    let h = &block.header;
    let fail = |kind| Err((None, kind));
    if h.height != height {
        return fail(FaultKind::Height { found: h.height });
    }
    if h.prev_hash != c.prev_hash {
        return fail(FaultKind::Link { expected: c.prev_hash, found: h.prev_hash });
    }
    if block.hash != *computed_hash {
        return fail(FaultKind::HashMismatch { stored: block.hash, computed: *computed_hash });
    }
    let required = c.difficulty.unwrap_or(h.difficulty).max(min);
    if h.difficulty < required || c.difficulty.is_some_and(|d| d != h.difficulty) {
        return fail(FaultKind::Difficulty { found: h.difficulty, required });
    }
    let bits = leading_zero_bits(computed_hash);
    if bits < h.difficulty {
        return fail(FaultKind::InsufficientProof { bits, required: h.difficulty });
    }
    if h.record_count as usize != block.records.len() {
        return fail(FaultKind::RecordCount { header: h.record_count, found: block.records.len() });
    }
    if h.merkle_root != *computed_root {
        return fail(FaultKind::MerkleMismatch { header: h.merkle_root, computed: *computed_root });
    }
    if h.timestamp_ms < c.prev_timestamp {
        return fail(FaultKind::TimeBackwards {
            previous: c.prev_timestamp,
            found: h.timestamp_ms,
        });
    }
    let last = block.records.len().saturating_sub(1);
    for (i, r) in block.records.iter().enumerate() {
        let at = |kind| Err((Some(i), kind));
        if r.seq != c.next_seq {
            return at(FaultKind::Sequence { expected: c.next_seq, found: r.seq });
        }
        if r.time_ms < c.last_time {
            return at(FaultKind::TimeBackwards { previous: c.last_time, found: r.time_ms });
        }
        let reason = match (i == last, r.level == Level::BlockTime) {
            (false, true) => Some("BLOCK_TIME record before the end of the block".to_owned()),
            (true, false) => Some(format!("last record is {}, not BLOCK_TIME", r.level)),
            (true, true) if r.time_ms != h.timestamp_ms => {
                Some(format!("time {} differs from block timestamp {}", r.time_ms, h.timestamp_ms))
            }
            _ => None,
        };
        if let Some(reason) = reason {
            return at(FaultKind::BlockTime { reason });
        }
        c.next_seq += 1;
        c.last_time = r.time_ms;
    }
    if block.records.is_empty() {
        return fail(FaultKind::BlockTime { reason: "block has no records".into() });
    }
    c.prev_hash = block.hash;
    c.prev_timestamp = h.timestamp_ms;
    c.difficulty = Some(h.difficulty);
    Ok(())
}

/// Verifies a whole ledger file held in memory: every frame, hash, link, proof, Merkle root,
/// sequence number and time, stopping at the first problem.
pub fn verify_bytes(bytes: &[u8], options: VerifyOptions) -> VerifyReport {
    let mut report = VerifyReport { blocks: 0, records: 0, hashes: Vec::new(), fault: None };
    let scan = match scan_frames(bytes) {
        Ok(scan) => scan,
        Err(_) => {
            let kind = FaultKind::FileTag;
            report.fault = Some(Fault { block: 0, offset: 0, record: None, kind });
            return report;
        }
    };
    let mut cursor = Cursor {
        prev_hash: [0; 32],
        prev_timestamp: 0,
        next_seq: 0,
        last_time: 0,
        difficulty: None,
    };
    const WINDOW: usize = 256;
    for window in scan.frames.chunks(WINDOW) {
        for (frame, checked) in window.iter().zip(check_frames(window)) {
            let outcome = checked.map_err(|kind| (None, kind)).and_then(|c| {
                check_block(&mut cursor, &c, frame.index, options.min_difficulty).map(|()| c)
            });
            match outcome {
                Ok(c) => {
                    report.blocks += 1;
                    report.records += c.block.records.len() as u64;
                    report.hashes.push(c.block.hash);
                }
                Err((record, kind)) => {
                    report.fault =
                        Some(Fault { block: frame.index, offset: frame.offset, record, kind });
                    return report;
                }
            }
        }
    }
    let block = scan.frames.len() as u64;
    report.fault = match scan.end {
        FrameEnd::Clean => None,
        FrameEnd::Torn { offset, bytes } => {
            Some(Fault { block, offset, record: None, kind: FaultKind::TornTail { bytes } })
        }
        FrameEnd::Corrupt { index, offset, reason } => {
            Some(Fault { block: index, offset, record: None, kind: FaultKind::Frame { reason } })
        }
    };
    report
}
