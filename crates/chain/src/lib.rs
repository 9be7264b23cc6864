//! Node access for vigil — the *observe* edge. [`MempoolSource`] streams pending transactions
//! and [`BlockSource`] streams committed blocks and their logs, both over WebSocket with
//! reconnect (exponential backoff with jitter), failover across endpoints, detection of silently
//! dead subscriptions, and resync of what was missed while disconnected. [`CallDecoder`]
//! decodes calldata with each monitored contract's ABI and a built-in selector registry.
//! [`JsonlReplaySource`] and [`RpcReplaySource`] feed recorded or historical events through
//! the same engine.

mod backoff;
mod blocks;
mod canon;
mod contracts;
mod decode;
mod error;
mod health;
mod json;
mod mempool;
mod replay;
mod rpc;
mod session;

pub use backoff::BackoffConfig;
pub use blocks::{BlockSource, BlockSourceConfig};
pub use contracts::{ContractConfig, MonitoredContracts};
pub use decode::{CallDecoder, registry_signatures};
pub use error::ChainError;
pub use health::{HealthSnapshot, SourceHealth, now_millis};
pub use json::{block_from_json, log_from_json, tx_from_json};
pub use mempool::{MempoolSource, MempoolSourceConfig};
pub use replay::{JsonlReplaySource, RpcReplaySource};
