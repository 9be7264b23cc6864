//! The executor's own output: a [`DefenseReport`] per action and outcome, broadcast to
//! subscribers, and the same as a [`Finding`] for alert and store sinks.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use serde_json::json;
use tokio::sync::{broadcast, mpsc};
use vigil_pipeline::Sink;
use vigil_types::{Factor, Finding, FindingId, Subject, ThreatLevel};

use crate::{
    journal::{ActionRecord, ActionStatus},
    units::Wei,
};

/// One step of one action: sent (or dry-run), or how it ended.
#[derive(Debug, Clone)]
pub struct DefenseReport {
    /// The action as journaled at this step.
    pub record: ActionRecord,
    /// The name of the protected contract.
    pub target_name: String,
    /// When the executor received the finding (for latency figures).
    pub received_at: Option<Instant>,
    /// When the node accepted our transaction.
    pub accepted_at: Option<Instant>,
    /// The attack's threat level.
    pub level: ThreatLevel,
    /// The chain.
    pub chain_id: u64,
}

impl DefenseReport {
    /// Where the action stands.
    pub fn status(&self) -> ActionStatus {
        self.record.status
    }

    /// The executor's finding for this step: id derived from (executor, finding, status), so
    /// stores keep one per step.
    pub fn to_finding(&self, executor: &str) -> Finding {
        let r = &self.record;
        let subject =
            Subject::Key { key: format!("defense/{}/{}", r.finding_id, r.status.as_str()) };
        let latest = r.versions.last();
        let attack = r.attack_tx.map_or_else(|| "an unknown tx".to_owned(), |h| h.to_string());
        let name = &self.target_name;
        let summary = match r.status {
            ActionStatus::Sent | ActionStatus::Claimed => format!(
                "sent {} to {name} ({}) ahead of attack {attack}: {}",
                r.call, r.target, r.reason
            ),
            ActionStatus::DryRun => {
                format!("dry run: would send {} to {name} ahead of {attack}: {}", r.call, r.reason)
            }
            ActionStatus::Saved => {
                format!("{name} paused before attack {attack}: saved — {}", r.reason)
            }
            ActionStatus::TooLate => {
                format!("attack {attack} on {name} landed first: too late — {}", r.reason)
            }
            ActionStatus::Refused => format!("did not pause {name} against {attack}: {}", r.reason),
            ActionStatus::Failed => {
                format!("pause of {name} against {attack} failed: {}", r.reason)
            }
            ActionStatus::AlreadyPaused => {
                format!("{name} was already paused by someone else: {}", r.reason)
            }
        };
        let level = match r.status {
            ActionStatus::Saved
            | ActionStatus::Sent
            | ActionStatus::Claimed
            | ActionStatus::DryRun => self.level,
            _ => self.level.max(ThreatLevel::Critical),
        };
        let mut factors = vec![Factor {
            name: format!("defense_{}", r.status.as_str()),
            contribution: 1.0,
            detail: r.reason.clone(),
        }];
        if let Some(v) = latest {
            factors.push(Factor {
                name: "priority_fee".into(),
                contribution: 0.0,
                detail: format!(
                    "tip {} / max fee {} per gas, gas limit {}",
                    Wei(v.fees.max_priority_fee_per_gas),
                    Wei(v.fees.max_fee_per_gas),
                    v.gas_limit
                ),
            });
        }
        Finding {
            id: FindingId::derive(executor, &subject),
            analyzer: executor.to_owned(),
            chain_id: self.chain_id,
            subject,
            target: Some(r.target),
            threat_level: level,
            confidence: 1.0,
            summary,
            factors,
            evidence: json!({ "defense": r, "answered_finding": r.finding_id }),
            observed_at: r.updated_at,
        }
    }
}

/// Fans reports out to subscribers and report sinks.
pub(crate) struct Reporter {
    subscribers: broadcast::Sender<DefenseReport>,
    sinks: Mutex<Vec<mpsc::Sender<Finding>>>,
    dropped: AtomicU64,
}

impl Reporter {
    pub(crate) fn new() -> Self {
        Self {
            subscribers: broadcast::channel(4096).0,
            sinks: Mutex::new(Vec::new()),
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<DefenseReport> {
        self.subscribers.subscribe()
    }

    pub(crate) fn add_sink(&self, mut sink: Box<dyn Sink>) {
        let (tx, mut rx) = mpsc::channel::<Finding>(1024);
        tokio::spawn(async move {
            while let Some(finding) = rx.recv().await {
                if let Err(error) = sink.send(&finding).await {
                    tracing::warn!(sink = sink.id(), "defense report not delivered: {error}");
                }
            }
            if let Err(error) = sink.close().await {
                tracing::warn!(sink = sink.id(), "{error}");
            }
        });
        if let Ok(mut sinks) = self.sinks.lock() {
            sinks.push(tx);
        }
    }

    /// Publishes `report`; never waits (a full sink queue drops and counts).
    pub(crate) fn publish(&self, executor: &str, report: DefenseReport) {
        let sinks = self.sinks.lock().map(|s| s.clone()).unwrap_or_default();
        if !sinks.is_empty() {
            let finding = report.to_finding(executor);
            for sink in sinks {
                if sink.try_send(finding.clone()).is_err() {
                    let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_power_of_two() {
                        tracing::warn!(executor, dropped = n, "defense report queue full");
                    }
                }
            }
        }
        // No subscriber is fine.
        let _ = self.subscribers.send(report);
    }

    /// Closes the report sinks' queues (their tasks flush and close).
    pub(crate) fn close(&self) {
        if let Ok(mut sinks) = self.sinks.lock() {
            sinks.clear();
        }
    }
}
