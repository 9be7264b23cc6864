use std::collections::BTreeMap;

use vigil_types::Finding;

/// Puts analyzer results back into event order for lossless runs: findings of event `n` are
/// released only once every analyzer has reported on every event up to `n`, in analyzer order.
/// That makes replay output independent of thread scheduling.
#[derive(Debug)]
pub(crate) struct Reorder {
    analyzers: usize,
    next: u64,
    pending: BTreeMap<u64, Vec<Option<Vec<Finding>>>>,
}

impl Reorder {
    pub(crate) fn new(analyzers: usize) -> Self {
        Self { analyzers, next: 0, pending: BTreeMap::new() }
    }

    /// Records analyzer `index`'s findings for event `seq`; returns whatever is now in order.
    pub(crate) fn push(&mut self, seq: u64, index: usize, findings: Vec<Finding>) -> Vec<Finding> {
        let slots = self.pending.entry(seq).or_insert_with(|| vec![None; self.analyzers]);
        slots[index] = Some(findings);
        let mut ready = Vec::new();
        while let Some(slots) = self.pending.get(&self.next) {
            if slots.iter().any(Option::is_none) {
                break;
            }
            if let Some(slots) = self.pending.remove(&self.next) {
                ready.extend(slots.into_iter().flatten().flatten());
            }
            self.next += 1;
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use vigil_types::{FindingId, Subject, ThreatLevel};

    use super::*;

    fn finding(tag: &str) -> Finding {
        Finding {
            id: FindingId(tag.to_owned()),
            analyzer: tag.to_owned(),
            chain_id: 1,
            subject: Subject::Key { key: tag.to_owned() },
            target: None,
            threat_level: ThreatLevel::Info,
            confidence: 1.0,
            summary: String::new(),
            factors: vec![],
            evidence: serde_json::Value::Null,
            observed_at: 0,
        }
    }

    fn ids(findings: Vec<Finding>) -> Vec<String> {
        findings.into_iter().map(|f| f.id.0).collect()
    }

    #[test]
    fn releases_in_event_then_analyzer_order() {
        let mut r = Reorder::new(2);
        assert!(r.push(1, 0, vec![finding("1a")]).is_empty());
        assert!(r.push(0, 1, vec![finding("0b")]).is_empty());
        assert!(r.push(1, 1, vec![finding("1b")]).is_empty());
        assert_eq!(ids(r.push(0, 0, vec![finding("0a")])), ["0a", "0b", "1a", "1b"]);
    }
}
