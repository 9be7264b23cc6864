//! Test support for vigil, used by every crate's integration tests and by the demo: a real
//! anvil node on a free loopback port ([`Anvil`]), a JSON-RPC client for driving it
//! ([`RpcClient`]), a throwaway PostgreSQL server ([`Postgres`]), a TCP fault proxy that drops, stalls, corrupts or closes connections on
//! command ([`FaultProxy`]), builders for events and findings, and a [`CollectSink`].

mod anvil;
mod builders;
mod collect;
mod postgres;
mod proxy;
mod rpc;

pub use anvil::{Anvil, AnvilOptions, DEV_ACCOUNTS};
pub use builders::{FindingBuilder, TxBuilder, pending_event};
pub use collect::{CollectSink, Collected};
pub use postgres::Postgres;
pub use proxy::{Fault, FaultProxy};
pub use rpc::{RpcClient, TxRequest};

/// Errors from test support: starting anvil, talking JSON-RPC, running the proxy.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// anvil could not be found or started.
    #[error("failed to start anvil: {0}")]
    AnvilStart(String),
    /// PostgreSQL could not be found or started.
    #[error("failed to start postgres: {0}")]
    PostgresStart(String),
    /// A JSON-RPC call failed.
    #[error("rpc {method} failed: {reason}")]
    Rpc {
        /// Method name.
        method: String,
        /// Why.
        reason: String,
    },
    /// An I/O operation failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Result alias for test support.
pub type Result<T, E = TestkitError> = std::result::Result<T, E>;
