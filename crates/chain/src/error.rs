use std::fmt::Display;

use thiserror::Error;

/// Errors from node access and decoding.
#[derive(Debug, Error)]
pub enum ChainError {
    /// Could not connect to a node.
    #[error("failed to connect to {endpoint}: {reason}")]
    Connect {
        /// Endpoint URL.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// A JSON-RPC request failed or returned an error.
    #[error("request {method} to {endpoint} failed: {reason}")]
    Request {
        /// Endpoint URL.
        endpoint: String,
        /// Method.
        method: String,
        /// Why.
        reason: String,
    },
    /// A node reply did not have the expected shape.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The node serves another chain than configured.
    #[error("{endpoint} serves chain {actual}, expected {expected}")]
    WrongChain {
        /// Endpoint URL.
        endpoint: String,
        /// Configured chain id.
        expected: u64,
        /// The node's chain id.
        actual: u64,
    },
    /// A contract ABI could not be loaded.
    #[error("failed to load ABI {path}: {reason}")]
    Abi {
        /// File path.
        path: String,
        /// Why.
        reason: String,
    },
}

impl ChainError {
    pub(crate) fn connect(endpoint: &str, reason: impl Display) -> Self {
        Self::Connect { endpoint: endpoint.to_owned(), reason: reason.to_string() }
    }

    pub(crate) fn malformed(what: &'static str, reason: impl Display) -> Self {
        Self::Malformed { what, reason: reason.to_string() }
    }

    /// Whether trying again (later, or on another endpoint) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Request { .. })
    }
}
