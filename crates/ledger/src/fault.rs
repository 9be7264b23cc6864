use std::fmt;

use serde::Serialize;

use crate::Hash;

/// Short hex of a hash for messages.
pub(crate) fn short(hash: &Hash) -> String {
    hex::encode(&hash[..8])
}

/// What is wrong with a block or record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// The file does not start with the ledger tag.
    FileTag,
    /// The frame around the block is damaged (tag, length or checksum).
    Frame {
        /// What is wrong.
        reason: String,
    },
    /// The file ends inside a frame: a crash mid-write, or a cut.
    TornTail {
        /// Bytes after the last whole frame.
        bytes: u64,
    },
    /// The payload is not a block.
    Decode {
        /// Why.
        reason: String,
    },
    /// The header's height is not the block's position.
    Height {
        /// Height in the header.
        found: u64,
    },
    /// The previous-hash field does not name the block before.
    Link {
        /// Hash of the block before (zeros for the first block).
        expected: Hash,
        /// Hash in the header.
        found: Hash,
    },
    /// The stored block hash is not the hash of the header.
    HashMismatch {
        /// Stored hash.
        stored: Hash,
        /// Hash of the header as it is.
        computed: Hash,
    },
    /// The header asks for less work than the chain requires.
    Difficulty {
        /// Difficulty in the header.
        found: u32,
        /// Difficulty required.
        required: u32,
    },
    /// The hash does not have the leading zero bits the header asks for.
    InsufficientProof {
        /// Leading zero bits of the hash.
        bits: u32,
        /// Bits required.
        required: u32,
    },
    /// The header's record count disagrees with the records present.
    RecordCount {
        /// Count in the header.
        header: u32,
        /// Records present.
        found: usize,
    },
    /// The records do not hash to the header's Merkle root.
    MerkleMismatch {
        /// Root in the header.
        header: Hash,
        /// Root of the records present.
        computed: Hash,
    },
    /// A record's sequence number is not the next one.
    Sequence {
        /// Expected number.
        expected: u64,
        /// Number found.
        found: u64,
    },
    /// Time goes backwards (record time, or block timestamp).
    TimeBackwards {
        /// The earlier time seen before.
        previous: u64,
        /// The time found.
        found: u64,
    },
    /// The block's BLOCK_TIME record is missing, misplaced or disagrees with the timestamp.
    BlockTime {
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::FileTag => write!(f, "not a vigil ledger file (bad file tag)"),
            FaultKind::Frame { reason } => write!(f, "damaged frame: {reason}"),
            FaultKind::TornTail { bytes } => {
                write!(f, "torn tail: {bytes} bytes after the last whole block (incomplete frame)")
            }
            FaultKind::Decode { reason } => write!(f, "undecodable block: {reason}"),
            FaultKind::Height { found } => write!(f, "header height is {found}"),
            FaultKind::Link { expected, found } => write!(
                f,
                "bad link: prev hash {}… does not match the previous block {}…",
                short(found),
                short(expected)
            ),
            FaultKind::HashMismatch { stored, computed } => write!(
                f,
                "hash mismatch: stored {}…, header hashes to {}…",
                short(stored),
                short(computed)
            ),
            FaultKind::Difficulty { found, required } => {
                write!(f, "difficulty {found} below the required {required}")
            }
            FaultKind::InsufficientProof { bits, required } => {
                write!(
                    f,
                    "insufficient proof: hash has {bits} leading zero bits, {required} required"
                )
            }
            FaultKind::RecordCount { header, found } => {
                write!(f, "header counts {header} records, block holds {found}")
            }
            FaultKind::MerkleMismatch { header, computed } => write!(
                f,
                "merkle root mismatch: header {}…, records hash to {}…",
                short(header),
                short(computed)
            ),
            FaultKind::Sequence { expected, found } => {
                write!(f, "sequence gap: expected seq {expected}, found {found}")
            }
            FaultKind::TimeBackwards { previous, found } => {
                write!(f, "time goes backwards: {found} ms after {previous} ms")
            }
            FaultKind::BlockTime { reason } => write!(f, "bad BLOCK_TIME record: {reason}"),
        }
    }
}

/// The first problem verification found, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Position of the bad block (its expected height).
    pub block: u64,
    /// Byte offset of its frame in the file.
    pub offset: u64,
    /// Index of the bad record inside the block, when one record is to blame.
    pub record: Option<usize>,
    /// What is wrong.
    pub kind: FaultKind,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block {} (offset {})", self.block, self.offset)?;
        if let Some(record) = self.record {
            write!(f, " record {record}")?;
        }
        write!(f, ": {}", self.kind)
    }
}
