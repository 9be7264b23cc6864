//! Integration tests of the ledger: verification properties, crash recovery, the log server,
//! the writer and sink, anchoring on anvil, and the paper's experiments on the shared data.

mod anchor_anvil;
mod common;
mod experiments;
mod server;
mod storage;
mod verify_props;
