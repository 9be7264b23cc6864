use futures::stream::BoxStream;
use vigil_types::{Event, Finding, SinkRole};

use crate::{SinkError, SourceError};

/// The stream a [`Source`] produces. An `Err` item is a per-event problem (a malformed frame, a
/// failed lookup): the engine counts it and keeps reading.
pub type EventStream = BoxStream<'static, Result<Event, SourceError>>;

/// Produces chain events.
///
/// Contract: live sources reconnect on their own and end only when dropped; finite sources
/// (replay) end their stream when done, which lets the engine drain and stop. A source must
/// not emit the same transaction twice as pending, and must stamp `seen_at` when it received
/// the data (or, for replay, with the recorded time).
pub trait Source: Send + 'static {
    /// Stable id from the config (table key), used in logs and statistics.
    fn id(&self) -> &str;

    /// Consumes the source and starts producing events.
    fn events(self: Box<Self>) -> EventStream;
}

/// Judges events.
///
/// Contract: synchronous and deterministic — no I/O, no wall clock (use `event.seen_at`), no
/// unseeded randomness — so replaying the same events yields the same findings. Each analyzer
/// runs on its own thread and sees events in arrival order; in live mode it may miss events
/// when it falls behind (the engine counts them). `BlockReverted` must undo what the matching
/// `BlockCommitted` added to the analyzer's state.
pub trait Analyzer: Send + 'static {
    /// Stable id; part of every finding id this analyzer produces.
    fn id(&self) -> &str;

    /// Judges one event. Returns zero or more findings; never panics on odd input.
    fn analyze(&mut self, event: &Event) -> Vec<Finding>;
}

/// Acts on findings.
///
/// Contract: each sink owns a task and a bounded queue, so a slow sink delays only itself.
/// `send` may await the network and should retry what is worth retrying before returning an
/// error; an error is counted and logged by the engine, and the next finding is still
/// delivered. The same finding id may arrive twice (e.g. after a restart): sinks that keep
/// state dedupe on it.
#[async_trait::async_trait]
pub trait Sink: Send + 'static {
    /// Stable id from the config.
    fn id(&self) -> &str;

    /// The part this sink plays; the run mode decides whether it receives findings.
    fn role(&self) -> SinkRole;

    /// Delivers one finding.
    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError>;

    /// Called once after the last finding, before the engine returns: flush buffers here.
    async fn close(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}
