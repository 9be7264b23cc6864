use std::collections::{BTreeMap, HashMap};

use vigil_classifier::{TxClassifier, TxClassifierConfig};
use vigil_pipeline::Analyzer;
use vigil_types::{Event, EventKind, Finding, ThreatLevel};

use crate::support::{classifier, forest, stream};

fn run(seed: u64) -> (Vec<Finding>, HashMap<vigil_types::B256, vigil_classifier::Label>) {
    let mut analyzer = TxClassifier::with_classifier(
        "tx_classifier",
        TxClassifierConfig::default(),
        classifier(forest()),
    );
    let mut labels = HashMap::new();
    let mut findings = Vec::new();
    for t in stream(seed) {
        labels.insert(t.tx.hash, t.label.clone());
        let event = Event { chain_id: 1, seen_at: t.seen_at, kind: EventKind::PendingTx(t.tx) };
        findings.extend(analyzer.analyze(&event));
    }
    (findings, labels)
}

#[test]
fn every_attack_kind_is_reported_high_while_pending() {
    let (findings, labels) = run(3);
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    for f in &findings {
        let vigil_types::Subject::Tx { hash } = &f.subject else { panic!("tx subject") };
        let label = &labels[hash];
        assert!(!f.factors.is_empty(), "factors");
        assert!((0.0..=1.0).contains(&f.confidence));
        assert_eq!(f.threat_level, ThreatLevel::from_probability(f.confidence));
        assert_eq!(f.evidence["mined_only"], false);
        assert!(f.evidence["tx"]["max_priority_fee_per_gas"].is_string());
        assert!(f.evidence["tx"]["max_fee_per_gas"].is_string());
        assert!(f.evidence["features"]["calldata_entropy"].is_number());
        assert!(f.evidence["model"]["version"].as_str().is_some_and(|v| !v.is_empty()));
        if label.stage.as_deref() == Some("exploit") && f.threat_level >= ThreatLevel::High {
            *per_kind.entry(label.kind.clone().unwrap_or_default()).or_default() += 1;
        }
    }
    assert_eq!(per_kind.len(), 4, "{per_kind:?}");
    let benign_alerts = findings
        .iter()
        .filter(|f| {
            let vigil_types::Subject::Tx { hash } = &f.subject else { return false };
            labels[hash].kind.is_none()
        })
        .count();
    let benign = labels.values().filter(|l| l.kind.is_none()).count();
    assert!(benign_alerts * 50 < benign, "{benign_alerts} alerts on {benign} benign transactions");
}

#[test]
fn factors_are_the_strongest_contributions() {
    let (findings, _) = run(4);
    let f =
        findings.iter().max_by(|a, b| a.confidence.total_cmp(&b.confidence)).expect("a finding");
    assert!(f.factors.len() <= 5);
    for pair in f.factors.windows(2) {
        assert!(pair[0].contribution.abs() >= pair[1].contribution.abs());
    }
    assert!(f.factors[0].detail.contains(&f.factors[0].name));
}

#[test]
fn replay_gives_the_same_findings() {
    let (a, _) = run(5);
    let (b, _) = run(5);
    assert_eq!(a, b);
}

#[test]
fn config_is_checked() {
    let config: TxClassifierConfig = serde_json::from_value(serde_json::json!({
        "threshold": 1.5, "model": "/nonexistent.json", "max_factors": 0
    }))
    .expect("parses");
    let fields: Vec<String> = config.problems().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["threshold", "model", "max_factors"]);
    let unknown = serde_json::from_value::<TxClassifierConfig>(serde_json::json!({"modle": "x"}));
    assert!(unknown.is_err());
    let err = TxClassifier::new("c", config).expect_err("missing model file");
    assert!(err.to_string().contains("nonexistent"), "{err}");
    let shipped = TxClassifier::new("c", TxClassifierConfig::default()).expect("shipped model");
    assert!(shipped.threshold() > 0.0);
}
