use std::fmt;

use alloy_primitives::{Address, B256};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ThreatLevel, UnixMillis};

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A transaction.
    Tx {
        /// Its hash.
        hash: B256,
    },
    /// An account or contract.
    Address {
        /// The address.
        address: Address,
    },
    /// A block.
    Block {
        /// Its number.
        number: u64,
        /// Its hash.
        hash: B256,
    },
    /// Anything else with a stable key, e.g. a time-series bucket `pool:0x…@minute`.
    Key {
        /// The key.
        key: String,
    },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Tx { hash } => write!(f, "tx {hash}"),
            Subject::Address { address } => write!(f, "address {address}"),
            Subject::Block { number, hash } => write!(f, "block {number} ({hash})"),
            Subject::Key { key } => write!(f, "{key}"),
        }
    }
}

/// Deterministic finding id: sha256 of (analyzer, subject). Sinks dedupe on it and the
/// defense executor never acts twice for one id, across restarts too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FindingId(pub String);

impl FindingId {
    /// The id of the finding that `analyzer` makes about `subject`.
    pub fn derive(analyzer: &str, subject: &Subject) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(analyzer.as_bytes());
        hasher.update([0u8]);
        hasher.update(subject.to_string().as_bytes());
        Self(hex::encode(&hasher.finalize()[..16]))
    }
}

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One reason behind a finding and how much it weighed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Short machine-friendly name, e.g. `listed_function`.
    pub name: String,
    /// Signed contribution to the verdict (positive raises the threat).
    pub contribution: f64,
    /// Human explanation.
    pub detail: String,
}

/// A judgement about a subject, produced by one analyzer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Deterministic id (see [`FindingId::derive`]).
    pub id: FindingId,
    /// Analyzer id that produced it.
    pub analyzer: String,
    /// Chain the subject lives on.
    pub chain_id: u64,
    /// What it is about.
    pub subject: Subject,
    /// The protected contract concerned, if any.
    pub target: Option<Address>,
    /// Severity.
    pub threat_level: ThreatLevel,
    /// Confidence in the verdict, 0..=1.
    pub confidence: f64,
    /// One-line human summary.
    pub summary: String,
    /// Reasons, strongest first.
    pub factors: Vec<Factor>,
    /// Structured evidence (decoded call, fees, ...).
    pub evidence: serde_json::Value,
    /// Time of the event that produced it (Unix ms).
    pub observed_at: UnixMillis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_on_analyzer_and_subject_only() {
        let tx = Subject::Tx { hash: B256::repeat_byte(1) };
        let a = FindingId::derive("watchlist", &tx);
        assert_eq!(a, FindingId::derive("watchlist", &tx.clone()));
        assert_ne!(a, FindingId::derive("classifier", &tx));
        assert_ne!(a, FindingId::derive("watchlist", &Subject::Tx { hash: B256::repeat_byte(2) }));
        assert_eq!(a.0.len(), 32);
    }
}
