//! vigil's tamper-evident log: the last step of observe → judge → act keeps its own record.
//! Every finding, alert and defense action — and any log line sent to the TCP log server — is
//! a [`Record`] in a local proof-of-work chain, as in the hardened-logger paper, so an intruder
//! who takes the host cannot rewrite history without being caught. Beyond the paper: many
//! records per block under a Merkle root, sequence numbers and times inside the hashed data, a
//! crash-safe append-only file ([`BlockStore`]), full verification that names the first bad
//! block and why ([`verify_file`]), anchoring of the head hash on an EVM chain ([`Anchor`]), a
//! reader for the paper's SpartanGold chains ([`spartan`]) and a tamper detector that scores
//! blocks from timing and the proof-vs-time relation ([`tamper`]). [`LedgerSink`] plugs the
//! ledger into the engine as a store sink.

mod anchor;
mod bench;
mod block;
mod chain;
mod error;
mod fault;
mod merkle;
mod miner;
mod record;
mod server;
mod sink;
pub mod spartan;
mod store;
pub mod tamper;
mod verify;
mod writer;

pub use alloy_primitives::{Address, B256};
pub use anchor::{
    ANCHOR_INIT_CODE, ANCHOR_RUNTIME_CODE, Anchor, AnchorCheck, AnchorPoint, AnchorProblem,
    AnchoredPoint, RpcAnchor, RpcAnchorConfig, check_anchors, verify_with_anchors,
};
pub use bench::{BenchReport, bench_append, bench_verify};
pub use block::{
    Block, BlockHeader, DEFAULT_DIFFICULTY, HEADER_BYTES, HEADER_TAG, Hash, leading_zero_bits,
};
pub use chain::{Ledger, LedgerConfig, SealedBlock, make_block};
pub use error::{LedgerError, Result};
pub use fault::{Fault, FaultKind};
pub use merkle::{merkle_root, merkle_root_of_leaves, node_hash};
pub use miner::{MAX_DIFFICULTY, meets, mine};
pub use record::{Level, MAX_MESSAGE_BYTES, Record, validate_message};
pub use server::{LogServer, parse_line};
pub use sink::{LedgerSink, LedgerSinkConfig, level_for};
pub use store::{
    BlockStore, FILE_TAG, FrameEnd, FrameRef, FrameScan, MAX_FRAME_BYTES, OpenReport, encode_frame,
    read_blocks, read_file, scan_frames, write_blocks,
};
pub use verify::{VerifyOptions, VerifyReport, verify_bytes, verify_file};
pub use writer::{LedgerHandle, LedgerWriter, WriterStats};

/// Milliseconds since the Unix epoch from the system clock (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
