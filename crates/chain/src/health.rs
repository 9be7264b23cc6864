use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use serde::Serialize;

/// Wall-clock Unix milliseconds; used only at the edges (stamping received data).
pub fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Connection health of a live source, readable while it runs.
#[derive(Debug, Clone, Default)]
pub struct SourceHealth(Arc<HealthCounters>);

#[derive(Debug, Default)]
struct HealthCounters {
    last_message_at: AtomicU64,
    connects: AtomicU64,
    reconnects: AtomicU64,
    dead_detected: AtomicU64,
    resynced: AtomicU64,
    garbage: AtomicU64,
}

/// A point-in-time copy of [`SourceHealth`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HealthSnapshot {
    /// Unix ms of the last frame received (0 = never).
    pub last_message_at: u64,
    /// Successful connections, the first included.
    pub connects: u64,
    /// Connections lost and re-established.
    pub reconnects: u64,
    /// Subscriptions found silently dead and re-established.
    pub dead_detected: u64,
    /// Items recovered by resync after a reconnect (pool re-read or block backfill).
    pub resynced: u64,
    /// Frames that could not be understood.
    pub garbage: u64,
}

impl SourceHealth {
    /// The current numbers.
    pub fn snapshot(&self) -> HealthSnapshot {
        let c = &self.0;
        HealthSnapshot {
            last_message_at: c.last_message_at.load(Relaxed),
            connects: c.connects.load(Relaxed),
            reconnects: c.reconnects.load(Relaxed),
            dead_detected: c.dead_detected.load(Relaxed),
            resynced: c.resynced.load(Relaxed),
            garbage: c.garbage.load(Relaxed),
        }
    }

    pub(crate) fn message(&self, at: u64) {
        self.0.last_message_at.store(at, Relaxed);
    }
    pub(crate) fn connected(&self) {
        if self.0.connects.fetch_add(1, Relaxed) > 0 {
            self.0.reconnects.fetch_add(1, Relaxed);
        }
    }
    pub(crate) fn dead(&self) {
        self.0.dead_detected.fetch_add(1, Relaxed);
    }
    pub(crate) fn resynced(&self, n: u64) {
        self.0.resynced.fetch_add(n, Relaxed);
    }
    pub(crate) fn garbage(&self) {
        self.0.garbage.fetch_add(1, Relaxed);
    }
}
