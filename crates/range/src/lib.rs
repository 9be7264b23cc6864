//! vigil's attack range: a small DeFi world — tokens, a V2 and a V3-style pool, a lending
//! pool priced from the AMM, a reentrant vault, a flash lender, a Nomad-style bridge and a
//! treasury with an unprotected initializer, every victim pausable by a guardian — deployed
//! on a real anvil node, with attacker contracts that exploit each victim the way real
//! incidents did. It sits *before* observe → judge → act: a scenario driver plays benign
//! traffic with attacks mixed in, labels every transaction, and exports the labelled pending
//! transactions (as the mempool source sees them) for training, evaluation and the demo,
//! together with a vigil config that protects the deployed range out of the box.

mod abi;
mod admin;
pub mod artifacts;
pub mod attacks;
mod chain;
mod config;
pub mod dataset;
mod deltas;
mod deploy;
mod fees;
mod merkle;
mod notes;
pub mod scenario;
mod setup;

pub use chain::{Chain, MiningMode, PlannedTx, Receipt, ReceiptLog};
pub use config::{DEFENDED_VICTIMS, DefenseOptions, VigilConfigOptions};
pub use deltas::{BalanceDeltas, victim_deltas};
pub use deploy::{RangeContracts, RangeDeployment, RangeLayout, RangeRoles, Victim};
pub use notes::NoteBook;
pub use vigil_testkit::{Anvil, AnvilOptions, RpcClient};

use alloy::primitives::B256;

/// Errors of the attack range: node access, artifacts, deployment and datasets.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    /// A JSON-RPC call to the node failed.
    #[error(transparent)]
    Rpc(#[from] vigil_testkit::TestkitError),
    /// The node answered something the range cannot use.
    #[error("node: {0}")]
    Node(String),
    /// A compiled artifact is missing or malformed.
    #[error("artifact {name}: {reason}")]
    Artifact {
        /// Contract name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A transaction that had to succeed (while preparing the range) reverted.
    #[error("transaction {0} reverted")]
    Reverted(B256),
    /// The node has too few unlocked accounts for the requested layout.
    #[error(
        "layout needs {needed} unlocked accounts, the node has {available}: start anvil with \
             --accounts {needed}"
    )]
    Accounts {
        /// Accounts the layout needs.
        needed: usize,
        /// Accounts the node offers.
        available: usize,
    },
    /// A scenario or dataset setting is out of range.
    #[error("invalid {0}")]
    Invalid(String),
    /// Reading or writing a file failed.
    #[error("i/o: {0}")]
    Io(String),
}

/// Result alias for the range.
pub type Result<T, E = RangeError> = std::result::Result<T, E>;
