//! The *act* edge of vigil for records and alerts: [`ConsoleSink`] (one readable line per
//! finding), [`JsonlSink`] (append-only JSON lines), [`WebhookSink`] (signed JSON POST with
//! retries) and [`StoreSink`] over [`FindingStore`] (SQLite by default, PostgreSQL by URL),
//! which keeps every finding and serves `vigil export`.

mod console;
mod jsonl;
mod secret;
mod store;
mod webhook;

pub use console::{ConsoleSink, ConsoleSinkConfig, format_line};
pub use jsonl::{JsonlSink, JsonlSinkConfig};
pub use secret::Secret;
pub use store::{FindingQuery, FindingStore, StoreError, StoreSink, StoreSinkConfig};
pub use webhook::{WebhookSink, WebhookSinkConfig, signature};
