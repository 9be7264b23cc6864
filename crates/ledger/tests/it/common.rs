use std::path::{Path, PathBuf};

use vigil_ledger::{Block, Ledger, LedgerConfig, Level, VerifyOptions, read_file, scan_frames};

/// Low difficulty keeps tests fast; 19 bits is exercised by the benchmark.
pub(crate) const TEST_DIFFICULTY: u32 = 8;

pub(crate) fn options() -> VerifyOptions {
    VerifyOptions { min_difficulty: TEST_DIFFICULTY }
}

pub(crate) fn config(max_block_records: usize) -> LedgerConfig {
    LedgerConfig {
        difficulty: TEST_DIFFICULTY,
        max_block_records,
        max_block_delay_ms: 20,
        heartbeat_ms: None,
        fsync: false,
    }
}

/// Writes a chain of `blocks` blocks with `per_block` records each, times 1 s apart.
pub(crate) fn build_chain(dir: &Path, blocks: usize, per_block: usize) -> PathBuf {
    let path = dir.join("chain.ledger");
    let (mut ledger, _) = Ledger::open(&path, config(per_block.max(1))).expect("open");
    let mut now = 1_700_000_000_000u64;
    for b in 0..blocks {
        for r in 0..per_block {
            now += 7;
            let level = [Level::Debug, Level::Info, Level::Warn, Level::Error, Level::Fatal][r % 5];
            ledger.append(level, format!("block {b} record {r}"), now).expect("append");
        }
        now += 1000;
        ledger.seal(now).expect("seal");
    }
    path
}

/// Decodes every block of the file at `path`.
pub(crate) fn read_blocks(path: &Path) -> Vec<Block> {
    let bytes = read_file(path).expect("read");
    let scan = scan_frames(&bytes).expect("scan");
    scan.frames.iter().map(|f| Block::decode(f.payload).expect("decode")).collect()
}

/// Byte offsets `[start, end)` of each frame.
pub(crate) fn frame_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let scan = scan_frames(bytes).expect("scan");
    scan.frames
        .iter()
        .map(|f| (f.offset as usize, f.offset as usize + 8 + f.payload.len() + 8))
        .collect()
}

/// A file holding `blocks` (re-encoded with valid frames).
pub(crate) fn encode_file(blocks: &[Block]) -> Vec<u8> {
    let mut out = vigil_ledger::FILE_TAG.to_vec();
    for block in blocks {
        out.extend_from_slice(&vigil_ledger::encode_frame(block));
    }
    out
}
