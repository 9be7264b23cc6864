use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{LedgerError, Result};

/// Largest message a record may carry, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Fixed part of an encoded record: seq, time, level, message length.
pub(crate) const RECORD_FIXED_BYTES: usize = 8 + 8 + 1 + 4;

/// Severity of a record, as in the hardened-logger paper. `BlockTime` is reserved for the one
/// record the miner puts in every block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// Diagnostic detail.
    Debug = 0,
    /// Normal operation.
    Info = 1,
    /// Something unusual.
    Warn = 2,
    /// Something failed.
    Error = 3,
    /// Something failed badly.
    Fatal = 4,
    /// The miner's own record: when the proof search for the block started.
    BlockTime = 5,
}

impl Level {
    /// All levels, lowest first.
    pub const ALL: [Level; 6] =
        [Level::Debug, Level::Info, Level::Warn, Level::Error, Level::Fatal, Level::BlockTime];

    /// The numeric code (0..=5), as in the paper's wire format.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The level with numeric `code`.
    pub fn from_code(code: u8) -> Option<Level> {
        Level::ALL.get(usize::from(code)).copied()
    }

    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
            Level::BlockTime => "BLOCK_TIME",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = LedgerError;

    /// Accepts a name (any case) or the numeric code.
    fn from_str(s: &str) -> Result<Self> {
        if let Ok(code) = s.parse::<u8>() {
            return Level::from_code(code).ok_or_else(|| {
                LedgerError::invalid("level", format!("unknown level code {code}"))
            });
        }
        Level::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            LedgerError::invalid(
                "level",
                format!("unknown level `{s}` (expected DEBUG, INFO, WARN, ERROR or FATAL)"),
            )
        })
    }
}

/// One entry of the log. Every field is inside the hashed data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the whole chain, from 0, without gaps.
    pub seq: u64,
    /// When the ledger accepted it (Unix ms); never decreases along the chain.
    pub time_ms: u64,
    /// Severity.
    pub level: Level,
    /// The text.
    pub message: String,
}

impl Record {
    /// Bytes this record takes when encoded.
    pub fn encoded_len(&self) -> usize {
        RECORD_FIXED_BYTES + self.message.len()
    }

    /// Appends the canonical encoding (big-endian seq, time, level, length, message).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.push(self.level.code());
        // Messages are capped at MAX_MESSAGE_BYTES on entry, so the length fits in u32.
        let len = u32::try_from(self.message.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.message.as_bytes());
    }

    /// Decodes one record from the front of `bytes`; returns it and the bytes it used.
    pub fn decode(bytes: &[u8]) -> Result<(Record, usize)> {
        if bytes.len() < RECORD_FIXED_BYTES {
            return Err(LedgerError::decode("record", "truncated record header"));
        }
        let seq = be_u64(&bytes[0..8]);
        let time_ms = be_u64(&bytes[8..16]);
        let level = Level::from_code(bytes[16])
            .ok_or_else(|| LedgerError::decode("record", format!("bad level {}", bytes[16])))?;
        let len = be_u32(&bytes[17..21]) as usize;
        if len > MAX_MESSAGE_BYTES {
            return Err(LedgerError::decode("record", format!("message of {len} bytes too long")));
        }
        let end = RECORD_FIXED_BYTES + len;
        let body = bytes
            .get(RECORD_FIXED_BYTES..end)
            .ok_or_else(|| LedgerError::decode("record", "truncated message"))?;
        let message = std::str::from_utf8(body)
            .map_err(|e| LedgerError::decode("record", format!("message is not utf-8: {e}")))?;
        Ok((Record { seq, time_ms, level, message: message.to_owned() }, end))
    }

    /// Merkle leaf hash: sha256(0x00 ‖ encoding). The 0x00 prefix keeps leaves and inner
    /// nodes (prefix 0x01) apart, so an inner node can never pass for a record.
    pub fn leaf_hash(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update([0u8]);
        hasher.update(self.seq.to_be_bytes());
        hasher.update(self.time_ms.to_be_bytes());
        hasher.update([self.level.code()]);
        let len = u32::try_from(self.message.len()).unwrap_or(u32::MAX);
        hasher.update(len.to_be_bytes());
        hasher.update(self.message.as_bytes());
        hasher.finalize().into()
    }
}

/// Checks a message a client wants to log.
pub fn validate_message(message: &str) -> Result<()> {
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(LedgerError::invalid(
            "message",
            format!("{} bytes exceeds the limit of {MAX_MESSAGE_BYTES}", message.len()),
        ));
    }
    Ok(())
}

pub(crate) fn be_u64(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(buf)
}

pub(crate) fn be_u32(bytes: &[u8]) -> u32 {
    let mut buf = [0u8; 4];
    buf.copy_from_slice(&bytes[..4]);
    u32::from_be_bytes(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_hash_their_fields() {
        let r = Record { seq: 7, time_ms: 99, level: Level::Warn, message: "disk ½ full".into() };
        let mut bytes = Vec::new();
        r.encode_into(&mut bytes);
        assert_eq!(bytes.len(), r.encoded_len());
        let (back, used) = Record::decode(&bytes).expect("decode");
        assert_eq!((back.clone(), used), (r.clone(), bytes.len()));
        let mut other = r.clone();
        other.seq = 8;
        assert_ne!(other.leaf_hash(), r.leaf_hash());
    }

    #[test]
    fn levels_parse_by_name_or_code() {
        assert_eq!("warn".parse::<Level>().expect("name"), Level::Warn);
        assert_eq!("4".parse::<Level>().expect("code"), Level::Fatal);
        assert!("9".parse::<Level>().is_err());
        assert!("LOUD".parse::<Level>().is_err());
    }
}
