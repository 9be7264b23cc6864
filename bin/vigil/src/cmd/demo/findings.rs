//! Reading vigil's JSONL findings file while `vigil run` appends to it.

use std::{fmt, path::PathBuf, time::Duration};

use vigil_defense::ActionRecord;
use vigil_types::{B256, Finding, Subject, ThreatLevel};

/// The findings file of the running vigil.
pub(super) struct FindingsFile {
    path: PathBuf,
}

/// vigil's verdict on a set of transactions: the highest level among their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    NotJudged,
    Judged { worst: ThreatLevel, findings: usize },
}

impl Verdict {
    pub(super) fn is_judged(self) -> bool {
        matches!(self, Self::Judged { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJudged => f.write_str("not judged yet"),
            Self::Judged { worst, findings } => {
                write!(f, "{worst} at most ({findings} findings)")
            }
        }
    }
}

const POLL: Duration = Duration::from_millis(50);

impl FindingsFile {
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Every whole finding written so far (a line still being written is skipped).
    pub(super) fn read(&self) -> Vec<Finding> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect()
    }

    /// Waits until every tx in `hashes` has a finding (or `timeout`), and gives the verdict.
    pub(super) async fn wait_for_txs(&self, hashes: &[B256], timeout: Duration) -> Verdict {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let about: Vec<Finding> = self
                .read()
                .into_iter()
                .filter(|f| matches!(&f.subject, Subject::Tx { hash } if hashes.contains(hash)))
                .collect();
            let all = hashes.iter().all(|h| {
                about.iter().any(|f| matches!(&f.subject, Subject::Tx { hash } if hash == h))
            });
            if all || tokio::time::Instant::now() >= deadline {
                return match about.iter().map(|f| f.threat_level).max() {
                    Some(worst) if all => Verdict::Judged { worst, findings: about.len() },
                    _ => Verdict::NotJudged,
                };
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for the executor's latest report of an action that satisfies `wanted`.
    pub(super) async fn wait_for_action(
        &self,
        wanted: impl Fn(&ActionRecord) -> bool,
        timeout: Duration,
    ) -> Option<ActionRecord> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let found = self.actions().into_iter().rev().find(|a| wanted(a));
            if found.is_some() || tokio::time::Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The executor's findings, as the actions they report.
    pub(super) fn actions(&self) -> Vec<ActionRecord> {
        self.read()
            .into_iter()
            .filter_map(|f| serde_json::from_value(f.evidence.get("defense")?.clone()).ok())
            .collect()
    }
}
