//! vigil's shared vocabulary. Sources *observe* chain [`Event`]s, analyzers *judge* them into
//! [`Finding`]s, sinks *act* on findings according to the run [`Mode`]. This crate holds only
//! data and pure helpers — no I/O — so every other crate can depend on it.

mod call;
mod db_url;
mod event;
mod finding;
mod level;
mod mode;
mod quantity;
mod seen;

pub use alloy_primitives::{Address, B256, Bytes, U256};
pub use call::{CallArg, CallInfo, DecodedBy};
pub use db_url::{connectable_url, redact_passwords};
pub use event::{BlockInfo, BlockRef, Event, EventKind, LogEntry, TxInfo};
pub use finding::{Factor, Finding, FindingId, Subject};
pub use level::{ParseLevelError, ThreatLevel};
pub use mode::{Mode, ParseModeError, SinkRole};
pub use seen::SeenHashes;

/// Milliseconds since the Unix epoch. Analyzers take time from events, never from the clock.
pub type UnixMillis = u64;
