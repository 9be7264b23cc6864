use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
};

use serde::Serialize;
use vigil_types::ThreatLevel;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) received: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) errors: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> CounterSnapshot {
        CounterSnapshot {
            received: self.received.load(Relaxed),
            dropped: self.dropped.load(Relaxed),
            errors: self.errors.load(Relaxed),
        }
    }
}

/// Live statistics shared between the engine's tasks and anyone holding a [`StatsHandle`].
#[derive(Debug)]
pub(crate) struct Stats {
    pub(crate) events: AtomicU64,
    pub(crate) findings: [AtomicU64; 5],
    pub(crate) sources: Vec<(String, Counters)>,
    pub(crate) analyzers: Vec<(String, Counters)>,
    pub(crate) sinks: Vec<(String, Counters)>,
}

impl Stats {
    pub(crate) fn new(sources: Vec<String>, analyzers: Vec<String>, sinks: Vec<String>) -> Self {
        let table =
            |ids: Vec<String>| ids.into_iter().map(|id| (id, Counters::default())).collect();
        Self {
            events: AtomicU64::new(0),
            findings: Default::default(),
            sources: table(sources),
            analyzers: table(analyzers),
            sinks: table(sinks),
        }
    }

    pub(crate) fn count_finding(&self, level: ThreatLevel) {
        self.findings[level as usize].fetch_add(1, Relaxed);
    }
}

/// A cheap, cloneable view of a running engine's statistics.
#[derive(Debug, Clone)]
pub struct StatsHandle(pub(crate) Arc<Stats>);

impl StatsHandle {
    /// The numbers as they are now.
    pub fn snapshot(&self) -> RunReport {
        let s = &self.0;
        let table = |rows: &[(String, Counters)]| {
            rows.iter().map(|(id, c)| (id.clone(), c.snapshot())).collect::<BTreeMap<_, _>>()
        };
        RunReport {
            events: s.events.load(Relaxed),
            findings_by_level: ThreatLevel::ALL
                .iter()
                .map(|level| (level.as_str().to_owned(), s.findings[*level as usize].load(Relaxed)))
                .collect(),
            sources: table(&s.sources),
            analyzers: table(&s.analyzers),
            sinks: table(&s.sinks),
        }
    }
}

/// Per-component counters in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CounterSnapshot {
    /// Items accepted (events for sources and analyzers, findings for sinks).
    pub received: u64,
    /// Items dropped because the component's queue was full (live delivery only).
    pub dropped: u64,
    /// Errors: malformed input for sources, failed deliveries for sinks.
    pub errors: u64,
}

/// What a run did: returned when the engine stops, and available while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Events read from all sources.
    pub events: u64,
    /// Findings produced, by threat level name.
    pub findings_by_level: BTreeMap<String, u64>,
    /// Per source: events, -, per-event errors.
    pub sources: BTreeMap<String, CounterSnapshot>,
    /// Per analyzer: events analysed, events dropped while lagging, -.
    pub analyzers: BTreeMap<String, CounterSnapshot>,
    /// Per sink: findings delivered, findings dropped on a full queue, delivery errors.
    pub sinks: BTreeMap<String, CounterSnapshot>,
}

impl RunReport {
    /// Total findings over all levels.
    pub fn findings(&self) -> u64 {
        self.findings_by_level.values().sum()
    }

    /// Events dropped by lagging analyzers, over all analyzers.
    pub fn analyzer_drops(&self) -> u64 {
        self.analyzers.values().map(|c| c.dropped).sum()
    }

    /// Delivery errors over all sinks.
    pub fn sink_errors(&self) -> u64 {
        self.sinks.values().map(|c| c.errors).sum()
    }
}
