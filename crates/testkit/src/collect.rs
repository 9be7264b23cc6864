use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::sync::Notify;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, SinkRole};

/// A sink that keeps every finding in memory, for assertions.
#[derive(Debug)]
pub struct CollectSink {
    id: String,
    role: SinkRole,
    collected: Collected,
}

/// The shared view of what a [`CollectSink`] received.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    findings: Arc<Mutex<Vec<Finding>>>,
    changed: Arc<Notify>,
}

impl CollectSink {
    /// A collecting sink with the given role, and the handle to read it.
    pub fn new(id: &str, role: SinkRole) -> (Self, Collected) {
        let collected = Collected::default();
        (Self { id: id.to_owned(), role, collected: collected.clone() }, collected)
    }
}

impl Collected {
    /// A copy of everything received so far.
    pub fn findings(&self) -> Vec<Finding> {
        self.findings.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Waits until `done` holds for the received findings, or `timeout` passes; returns them.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[Finding]) -> bool,
    ) -> Vec<Finding> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            let now = self.findings();
            if done(&now) || tokio::time::Instant::now() >= deadline {
                return now;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }
}

#[async_trait::async_trait]
impl Sink for CollectSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        self.role
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        if let Ok(mut findings) = self.collected.findings.lock() {
            findings.push(finding.clone());
        }
        self.collected.changed.notify_waiters();
        Ok(())
    }
}
