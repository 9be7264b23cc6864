use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    LedgerError, Record, Result,
    record::{be_u32, be_u64},
};

/// Tag at the start of every header: identifies the format and its version.
pub const HEADER_TAG: [u8; 4] = *b"VGL1";
/// Encoded header size in bytes (the nonce is the last 8).
pub const HEADER_BYTES: usize = 100;
/// Default proof-of-work difficulty in leading zero bits, as in the hardened-logger paper.
pub const DEFAULT_DIFFICULTY: u8 = 19;

/// A 32-byte SHA-256 digest.
pub type Hash = [u8; 32];

/// Everything the proof of work covers. The records enter through `merkle_root` and
/// `record_count`, so each nonce costs one SHA-256 compression (see [`crate::mine`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Position in the chain, from 0.
    pub height: u64,
    /// When the proof search started (Unix ms).
    pub timestamp_ms: u64,
    /// Number of records, the BLOCK_TIME record included.
    pub record_count: u32,
    /// Required leading zero bits of the block hash.
    pub difficulty: u32,
    /// Hash of the previous block; zeros for the first.
    pub prev_hash: Hash,
    /// Merkle root of the records.
    pub merkle_root: Hash,
    /// The proof: the search starts at 0 and counts up, so it is also the work done.
    pub nonce: u64,
}

impl BlockHeader {
    /// Canonical encoding: tag, height, timestamp, count, difficulty, prev, root, nonce
    /// (big-endian).
    pub fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        out[0..4].copy_from_slice(&HEADER_TAG);
        out[4..12].copy_from_slice(&self.height.to_be_bytes());
        out[12..20].copy_from_slice(&self.timestamp_ms.to_be_bytes());
        out[20..24].copy_from_slice(&self.record_count.to_be_bytes());
        out[24..28].copy_from_slice(&self.difficulty.to_be_bytes());
        out[28..60].copy_from_slice(&self.prev_hash);
        out[60..92].copy_from_slice(&self.merkle_root);
        out[92..100].copy_from_slice(&self.nonce.to_be_bytes());
        out
    }

    /// Decodes a header.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < HEADER_BYTES {
            return Err(LedgerError::decode("block header", "truncated header"));
        }
        if bytes[0..4] != HEADER_TAG {
            return Err(LedgerError::decode("block header", "unknown header tag"));
        }
        let mut prev_hash = [0u8; 32];
        prev_hash.copy_from_slice(&bytes[28..60]);
        let mut merkle_root = [0u8; 32];
        merkle_root.copy_from_slice(&bytes[60..92]);
        Ok(BlockHeader {
            height: be_u64(&bytes[4..12]),
            timestamp_ms: be_u64(&bytes[12..20]),
            record_count: be_u32(&bytes[20..24]),
            difficulty: be_u32(&bytes[24..28]),
            prev_hash,
            merkle_root,
            nonce: be_u64(&bytes[92..100]),
        })
    }

    /// The block hash: sha256 of the encoded header.
    pub fn hash(&self) -> Hash {
        Sha256::digest(self.encode()).into()
    }
}

/// Number of leading zero bits of `hash`.
pub fn leading_zero_bits(hash: &Hash) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// A block: header, its hash as stored, and its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The hash the writer computed; verification recomputes it.
    pub hash: Hash,
    /// The header.
    pub header: BlockHeader,
    /// The records; the last is the BLOCK_TIME record.
    pub records: Vec<Record>,
}

impl Block {
    /// Encoded payload: hash, header, records.
    pub fn encode(&self) -> Vec<u8> {
        let size: usize = self.records.iter().map(Record::encoded_len).sum();
        let mut out = Vec::with_capacity(32 + HEADER_BYTES + size);
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&self.header.encode());
        for record in &self.records {
            record.encode_into(&mut out);
        }
        out
    }

    /// Decodes a payload written by [`Block::encode`]. The record list is read up to the end of
    /// the payload; a count that disagrees with the header is left for verification to report.
    pub fn decode(bytes: &[u8]) -> Result<Block> {
        if bytes.len() < 32 + HEADER_BYTES {
            return Err(LedgerError::decode("block", "payload shorter than hash and header"));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&bytes[..32]);
        let header = BlockHeader::decode(&bytes[32..32 + HEADER_BYTES])?;
        let mut rest = &bytes[32 + HEADER_BYTES..];
        let mut records = Vec::with_capacity((header.record_count as usize).min(1 << 20));
        while !rest.is_empty() {
            let (record, used) = Record::decode(rest).map_err(|e| {
                LedgerError::decode("block", format!("record {}: {e}", records.len()))
            })?;
            records.push(record);
            rest = &rest[used..];
        }
        Ok(Block { hash, header, records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    #[test]
    fn header_and_block_round_trip() {
        let header = BlockHeader {
            height: 3,
            timestamp_ms: 1_700_000_000_000,
            record_count: 1,
            difficulty: 8,
            prev_hash: [7; 32],
            merkle_root: [9; 32],
            nonce: 12345,
        };
        assert_eq!(BlockHeader::decode(&header.encode()).expect("decode"), header);
        let record = Record { seq: 0, time_ms: 1, level: Level::BlockTime, message: String::new() };
        let block = Block { hash: header.hash(), header, records: vec![record] };
        assert_eq!(Block::decode(&block.encode()).expect("decode"), block);
    }

    #[test]
    fn counts_leading_zero_bits() {
        let mut h = [0u8; 32];
        assert_eq!(leading_zero_bits(&h), 256);
        h[2] = 0b0001_0000;
        assert_eq!(leading_zero_bits(&h), 19);
    }
}
