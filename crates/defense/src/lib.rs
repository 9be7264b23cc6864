//! vigil's active defense — the sharpest end of observe → judge → act. In `active_defense`
//! mode the [`PauseExecutor`] sink answers a HIGH/CRITICAL finding on a protected contract by
//! sending the contract's guardian call (`pause()` by default) ahead of the attacker's
//! pending transaction: the [`policy`] decides (thresholds, protected targets, allowed
//! functions, cool-down, one action per attack), the [`fees`] strategy outbids the attacker
//! under both ordering rules in use (effective tip for builders, max fee for max-fee-ordered
//! pools), [`caps`] bound the spending, the call is simulated, signed with a [`GuardianKey`]
//! from an encrypted keystore or the environment, journaled, broadcast, watched and replaced
//! when outbid. Every action and outcome is journaled and reported as a finding.
//!
//! Findings tell the executor about the attacker's transaction through agreed evidence keys,
//! documented in [`attack`].

pub mod attack;
pub mod caps;
mod config;
mod error;
mod executor;
pub mod fees;
mod journal;
mod keys;
#[cfg(feature = "range")]
pub mod lab;
mod nonce;
pub mod policy;
mod rpc;
mod trace;
mod units;

pub use config::PauseExecutorConfig;
pub use error::{DefenseError, Result};
pub use executor::{DefenseReport, ExecutorStats, PauseExecutor, StatsSnapshot};
pub use journal::{ActionRecord, ActionStatus, Journal, SentVersion};
pub use keys::{CallTx, GuardianKey, KeySource, SignedTx};
pub use nonce::NonceTracker;
pub use rpc::{NodeRpc, Receipt};
pub use units::Wei;
