use thiserror::Error;

/// Everything that can go wrong while defending. Messages name the operation and the data,
/// never a key or a password.
#[derive(Debug, Error)]
pub enum DefenseError {
    /// The configuration is unusable (reported with its TOML path where there is one).
    #[error("invalid defense config: {0}")]
    Config(String),
    /// The signing key could not be loaded.
    #[error("failed to load the guardian key: {0}")]
    Key(String),
    /// The node could not be reached or did not answer in time.
    #[error("rpc {method} failed: {reason}")]
    Transport {
        /// JSON-RPC method.
        method: String,
        /// Why (connection refused, timeout, ...).
        reason: String,
    },
    /// The node answered with a JSON-RPC error.
    #[error("rpc {method} was refused: {message}")]
    Rpc {
        /// JSON-RPC method.
        method: String,
        /// The node's error message.
        message: String,
    },
    /// The node answered something that does not have the expected shape.
    #[error("rpc {method} returned an unexpected result: {reason}")]
    Malformed {
        /// JSON-RPC method.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// The guardian call would revert (role missing, already paused, ...).
    #[error("simulation of {call} on {target} reverted: {reason}")]
    SimulationReverted {
        /// The guardian call.
        call: String,
        /// The protected contract.
        target: String,
        /// The node's revert message.
        reason: String,
    },
    /// The transaction could not be signed.
    #[error("failed to sign the guardian transaction: {0}")]
    Signing(String),
    /// The attack range (tests, benchmark, demo) could not be driven.
    #[error("attack range: {0}")]
    Range(String),
    /// Reading or writing the defense journal failed.
    #[error("defense journal {operation} failed: {reason}")]
    Journal {
        /// What was attempted.
        operation: &'static str,
        /// Why.
        reason: String,
    },
}

impl DefenseError {
    /// Whether trying the same operation again may succeed: transport problems and the
    /// journal's transient failures are; a refusal by the node or a revert is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Journal { .. } => true,
            Self::Rpc { message, .. } => is_nonce_error(message),
            Self::Config(_)
            | Self::Key(_)
            | Self::Malformed { .. }
            | Self::SimulationReverted { .. }
            | Self::Signing(_)
            | Self::Range(_) => false,
        }
    }

    /// Whether the node refused a transaction for its nonce (resync and retry).
    pub fn is_nonce_error(&self) -> bool {
        matches!(self, Self::Rpc { message, .. } if is_nonce_error(message))
    }

    /// Whether the node already holds this exact transaction (a resend is then a success).
    pub fn is_already_known(&self) -> bool {
        matches!(self, Self::Rpc { message, .. } if message.to_ascii_lowercase().contains("already known"))
    }

    pub(crate) fn journal(operation: &'static str, error: impl std::fmt::Display) -> Self {
        Self::Journal { operation, reason: error.to_string() }
    }
}

fn is_nonce_error(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("nonce too low")
        || lower.contains("nonce too high")
        || lower.contains("invalid nonce")
        || lower.contains("nonce has already been used")
}

/// Result alias of the defense crate.
pub type Result<T, E = DefenseError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_retryable_errors() {
        let rpc = |message: &str| DefenseError::Rpc {
            method: "eth_sendRawTransaction".into(),
            message: message.into(),
        };
        let table = [
            (DefenseError::Transport { method: "m".into(), reason: "refused".into() }, true),
            (rpc("nonce too low: next nonce 4, tx nonce 3"), true),
            (rpc("Nonce too high"), true),
            (rpc("insufficient funds for gas * price + value"), false),
            (
                DefenseError::SimulationReverted {
                    call: "pause()".into(),
                    target: "vault".into(),
                    reason: "EnforcedPause".into(),
                },
                false,
            ),
            (DefenseError::Key("keystore missing".into()), false),
        ];
        for (error, want) in table {
            assert_eq!(error.is_retryable(), want, "{error}");
        }
        assert!(rpc("already known").is_already_known());
        assert!(rpc("nonce too low").is_nonce_error());
    }
}
