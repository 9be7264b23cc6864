use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{
    Block, BlockHeader, BlockStore, DEFAULT_DIFFICULTY, Hash, LedgerError, Level, OpenReport,
    Record, Result, merkle_root, mine, miner::MAX_DIFFICULTY, validate_message,
};

/// How blocks are made. Plain data; [`LedgerConfig::validate`] runs at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// Leading zero bits every block hash must have.
    pub difficulty: u32,
    /// A block closes after this many records (the BLOCK_TIME record not counted) ...
    pub max_block_records: usize,
    /// ... or this long after its first record arrived, whichever comes first.
    pub max_block_delay_ms: u64,
    /// When idle, a block holding only its BLOCK_TIME record is still made this often, so the
    /// chain keeps a heartbeat; `None` mines only when there are records.
    pub heartbeat_ms: Option<u64>,
    /// fsync after every block (turn off only for benchmarks).
    pub fsync: bool,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            difficulty: u32::from(DEFAULT_DIFFICULTY),
            max_block_records: 10_000,
            max_block_delay_ms: 200,
            heartbeat_ms: Some(10_000),
            fsync: true,
        }
    }
}

impl LedgerConfig {
    /// Every problem with the config, as `field: reason` lines.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.difficulty > MAX_DIFFICULTY {
            out.push(format!("difficulty must be at most {MAX_DIFFICULTY}"));
        }
        if self.max_block_records == 0 || self.max_block_records > 1_000_000 {
            out.push("max_block_records must be within 1..=1000000".into());
        }
        if self.heartbeat_ms == Some(0) {
            out.push("heartbeat_ms must be positive".into());
        }
        out
    }

    /// Fails with all problems at once.
    pub fn validate(&self) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LedgerError::invalid("ledger config", problems.join("; ")))
        }
    }
}

/// What sealing a block produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBlock {
    /// Height of the new block.
    pub height: u64,
    /// Its hash.
    pub hash: Hash,
    /// Records in it, BLOCK_TIME included.
    pub records: usize,
    /// Sequence number of its first record.
    pub first_seq: u64,
    /// The proof found.
    pub nonce: u64,
}

/// Builds and mines a block on top of `prev` (height, hash), with `records` followed by the
/// BLOCK_TIME record stamped `timestamp_ms`. Used by the writer and by the tamper simulator.
pub fn make_block(
    prev: Option<(u64, Hash)>,
    timestamp_ms: u64,
    difficulty: u32,
    mut records: Vec<Record>,
    block_time_seq: u64,
) -> Block {
    records.push(Record {
        seq: block_time_seq,
        time_ms: timestamp_ms,
        level: Level::BlockTime,
        message: String::new(),
    });
    let mut header = BlockHeader {
        height: prev.map_or(0, |(h, _)| h + 1),
        timestamp_ms,
        record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
        difficulty,
        prev_hash: prev.map_or([0u8; 32], |(_, hash)| hash),
        merkle_root: merkle_root(&records),
        nonce: 0,
    };
    let hash = mine(&mut header);
    Block { hash, header, records }
}

#[derive(Debug, Clone, Copy)]
struct Head {
    height: u64,
    hash: Hash,
    timestamp_ms: u64,
}

/// The ledger, synchronous: records go into a pending batch; [`Ledger::seal`] mines them into
/// a block and appends it to the file. [`crate::LedgerWriter`] drives it from its own thread.
#[derive(Debug)]
pub struct Ledger {
    store: BlockStore,
    config: LedgerConfig,
    head: Option<Head>,
    next_seq: u64,
    last_time: u64,
    pending: Vec<Pending>,
}

#[derive(Debug)]
struct Pending {
    level: Level,
    message: String,
    time_ms: u64,
}

impl Ledger {
    /// Opens or creates the ledger at `path`; a torn tail is cut and reported.
    pub fn open(path: &Path, config: LedgerConfig) -> Result<(Ledger, OpenReport)> {
        config.validate()?;
        let (store, last, report) = BlockStore::open(path, config.fsync)?;
        let (head, next_seq, last_time) = match last {
            Some(block) => {
                let last_record = block.records.last().ok_or_else(|| LedgerError::Corrupt {
                    path: path.to_owned(),
                    offset: store.len(),
                    reason: format!("last block {} has no records", block.header.height),
                })?;
                let head = Head {
                    height: block.header.height,
                    hash: block.hash,
                    timestamp_ms: block.header.timestamp_ms,
                };
                (Some(head), last_record.seq + 1, last_record.time_ms)
            }
            None => (None, 0, 0),
        };
        let ledger = Ledger { store, config, head, next_seq, last_time, pending: Vec::new() };
        Ok((ledger, report))
    }

    /// Adds a record to the pending batch. `now_ms` is the caller's clock; the stored time
    /// never goes backwards. Sequence numbers are given when the block is sealed: the record
    /// pending at position `i` gets `first_seq + i` of the [`SealedBlock`] that takes it.
    pub fn append(&mut self, level: Level, message: String, now_ms: u64) -> Result<()> {
        if level == Level::BlockTime {
            return Err(LedgerError::invalid("level", "BLOCK_TIME is reserved for the miner"));
        }
        validate_message(&message)?;
        self.last_time = self.last_time.max(now_ms);
        self.pending.push(Pending { level, message, time_ms: self.last_time });
        Ok(())
    }

    /// Records waiting for the next block.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Whether the pending batch has reached `max_block_records`.
    pub fn is_full(&self) -> bool {
        self.pending.len() >= self.config.max_block_records
    }

    /// Mines up to `max_block_records` pending records (possibly none) into a block and
    /// appends it. On error the records stay pending.
    pub fn seal(&mut self, now_ms: u64) -> Result<SealedBlock> {
        let prev_time = self.head.map_or(0, |h| h.timestamp_ms);
        let timestamp = now_ms.max(self.last_time).max(prev_time);
        let take = self.pending.len().min(self.config.max_block_records);
        let first_seq = self.next_seq;
        let records: Vec<Record> = self.pending[..take]
            .iter()
            .zip(first_seq..)
            .map(|(p, seq)| Record {
                seq,
                time_ms: p.time_ms,
                level: p.level,
                message: p.message.clone(),
            })
            .collect();
        let block_time_seq = first_seq + take as u64;
        let prev = self.head.map(|h| (h.height, h.hash));
        let block = make_block(prev, timestamp, self.config.difficulty, records, block_time_seq);
        self.store.append(&block)?;
        self.pending.drain(..take);
        self.next_seq = block_time_seq + 1;
        self.last_time = timestamp;
        for pending in &mut self.pending {
            pending.time_ms = pending.time_ms.max(timestamp);
        }
        let height = block.header.height;
        self.head = Some(Head { height, hash: block.hash, timestamp_ms: timestamp });
        Ok(SealedBlock {
            height,
            hash: block.hash,
            records: block.records.len(),
            first_seq,
            nonce: block.header.nonce,
        })
    }

    /// Drops every pending record (after a failed write whose callers were told).
    pub fn discard_pending(&mut self) {
        self.pending.clear();
    }

    /// Height and hash of the last block, if any.
    pub fn head(&self) -> Option<(u64, Hash)> {
        self.head.map(|h| (h.height, h.hash))
    }

    /// The sequence number the next sealed record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The config in force.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        self.store.path()
    }
}
