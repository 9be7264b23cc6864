use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong in the ledger. Verification failures are not errors: they are
/// data in a [`VerifyReport`](crate::VerifyReport); these are the operations that could not run.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// A file operation failed.
    #[error("failed to {op} {path}: {error}")]
    Io {
        /// What was attempted, e.g. `open`, `append to`.
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The ledger file is damaged somewhere other than a torn tail; it is never repaired
    /// silently. Run `vigil ledger verify` to see what is wrong.
    #[error("ledger file {path} is corrupt at offset {offset}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Byte offset of the damage.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// Bytes could not be decoded as a block or record.
    #[error("failed to decode {what}: {reason}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// A value given by the caller is out of range.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The parameter.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The background writer has stopped; nothing more can be appended.
    #[error("ledger writer has stopped: {0}")]
    Closed(String),
    /// A JSON-RPC call to the anchor chain failed.
    #[error("anchor rpc {method} failed: {reason}")]
    Rpc {
        /// JSON-RPC method.
        method: String,
        /// Why.
        reason: String,
    },
    /// A SpartanGold JSON file could not be read.
    #[error("failed to read SpartanGold chain {path}: {reason}")]
    Spartan {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl LedgerError {
    /// Whether retrying the same operation later may succeed (network trouble, not bad data).
    pub fn is_retryable(&self) -> bool {
        matches!(self, LedgerError::Rpc { .. })
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LedgerError::Io { op, path: path.into(), error: source }
    }

    pub(crate) fn decode(what: &'static str, reason: impl Into<String>) -> Self {
        LedgerError::Decode { what, reason: reason.into() }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        LedgerError::Invalid { what, reason: reason.into() }
    }
}

/// Result alias for the ledger.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;
