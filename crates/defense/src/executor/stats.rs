use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering::Relaxed},
};

/// Counters of what the executor did with the findings it received; readable while it runs.
#[derive(Debug, Clone, Default)]
pub struct ExecutorStats(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    received: AtomicU64,
    ignored: AtomicU64,
    acted: AtomicU64,
    refused: AtomicU64,
    escalated: AtomicU64,
}

/// A point-in-time copy of [`ExecutorStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct StatsSnapshot {
    /// Findings handled (each finding counts once, when its handling is done).
    pub received: u64,
    /// None of the executor's business (level, confidence, target) or already answered.
    pub ignored: u64,
    /// Answered with a guardian transaction (or a dry run).
    pub acted: u64,
    /// Refused (cool-down, cap, function) or failed before sending.
    pub refused: u64,
    /// Handed to an open action: a bumped attack or another attack on the same target.
    pub escalated: u64,
}

/// What became of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handled {
    Ignored,
    Acted,
    Refused,
    Escalated,
}

impl ExecutorStats {
    pub(crate) fn count(&self, handled: Handled) {
        let c = &self.0;
        match handled {
            Handled::Ignored => c.ignored.fetch_add(1, Relaxed),
            Handled::Acted => c.acted.fetch_add(1, Relaxed),
            Handled::Refused => c.refused.fetch_add(1, Relaxed),
            Handled::Escalated => c.escalated.fetch_add(1, Relaxed),
        };
        c.received.fetch_add(1, Relaxed);
    }

    /// The current numbers.
    pub fn snapshot(&self) -> StatsSnapshot {
        let c = &self.0;
        StatsSnapshot {
            received: c.received.load(Relaxed),
            ignored: c.ignored.load(Relaxed),
            acted: c.acted.load(Relaxed),
            refused: c.refused.load(Relaxed),
            escalated: c.escalated.load(Relaxed),
        }
    }
}
