//! The priority-fee detector on synthetic traffic: cold start, breakouts, restore, reorgs.

use vigil_pipeline::Analyzer;
use vigil_timeseries::{PriorityFeeConfig, PriorityFeeDetector};
use vigil_types::{Address, Event, EventKind, Subject, ThreatLevel};

use crate::support::{block, noise, tx};

const CONTRACT: Address = Address::repeat_byte(0x42);
const START: u64 = 1_700_000_000 / 3600 * 3600;

/// Hours of ordinary traffic: four blocks an hour, a few txs each, tips around 1.5-3 gwei
/// with a daily rhythm.
fn traffic(detector: &mut PriorityFeeDetector, hours: u64) -> (u64, Vec<vigil_types::Finding>) {
    traffic_from(detector, 0, hours)
}

fn traffic_from(
    detector: &mut PriorityFeeDetector,
    from: u64,
    to: u64,
) -> (u64, Vec<vigil_types::Finding>) {
    let mut findings = Vec::new();
    let mut number = from * 4;
    for h in from..to {
        for b in 0..4 {
            number += 1;
            let ts = START + h * 3600 + b * 900;
            let daily = 1.0 + 0.5 * ((h % 24) as f64 * std::f64::consts::TAU / 24.0).sin();
            let txs = (0..3)
                .map(|k| {
                    let i = (number * 3 + k) as usize;
                    tx(number * 10 + k, CONTRACT, 1.5 * daily + 0.8 * (noise(i) + 0.5))
                })
                .collect();
            findings.extend(detector.analyze(&block(number, ts, txs)));
        }
    }
    (number, findings)
}

fn pending(at_s: u64, t: vigil_types::TxInfo) -> Event {
    Event { chain_id: 1, seen_at: at_s * 1000, kind: EventKind::PendingTx(t) }
}

#[test]
fn ordinary_traffic_raises_nothing_and_a_breakout_tip_is_reported_once() {
    let mut detector = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    let (number, quiet) = traffic(&mut detector, 9 * 24);
    assert!(
        quiet.is_empty(),
        "ordinary tips flagged: {:?}",
        quiet.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    let now = START + 9 * 24 * 3600 + 60;
    let normal = tx(99_999_992, CONTRACT, 2.0);
    assert!(detector.analyze(&pending(now, normal)).is_empty());
    let attack = tx(99_999_993, CONTRACT, 300.0);
    let found = detector.analyze(&pending(now, attack.clone()));
    assert_eq!(found.len(), 1, "one finding for the breakout");
    let f = &found[0];
    assert_eq!(f.subject, Subject::Tx { hash: attack.hash });
    assert_eq!(f.target, Some(CONTRACT));
    assert!(f.threat_level >= ThreatLevel::Medium, "{:?}", f.threat_level);
    assert!(f.confidence > 0.0 && f.confidence <= 1.0);
    assert_eq!(f.factors[0].name, "priority_fee_above_band");
    assert_eq!(f.evidence["band_source"], "holt_winters");
    let mined = detector.analyze(&block(number + 1, now + 12, vec![attack]));
    assert!(mined.is_empty(), "already judged while pending");
    let unseen = tx(99_999_994, CONTRACT, 400.0);
    let mined_only = detector.analyze(&block(number + 2, now + 24, vec![unseen]));
    assert_eq!(mined_only.len(), 1);
    assert_eq!(mined_only[0].evidence["mined_only"], true);
}

#[test]
fn cold_start_is_explicit() {
    let mut detector = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    let (_, early) = traffic(&mut detector, 10);
    assert!(early.is_empty());
    let big = detector.analyze(&pending(START + 10 * 3600 + 5, tx(99_999_991, CONTRACT, 500.0)));
    assert!(big.is_empty(), "no band before min_history_hours");
    assert!(detector.handle().stats()["cold_start_no_band"] > 0);
    let (_, warming) = traffic_from(&mut detector, 10, 60);
    assert!(warming.is_empty());
    let found = detector.analyze(&pending(START + 60 * 3600 + 5, tx(99_999_990, CONTRACT, 500.0)));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].evidence["band_source"], "warming");
}

#[test]
fn a_restored_detector_forecasts_the_same_band_without_refitting() {
    let mut detector = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    traffic(&mut detector, 8 * 24);
    let next = (START + 8 * 24 * 3600) * 1000 + 1;
    let before = detector.band_gwei(CONTRACT, next).expect("band");
    let saved = detector.handle().snapshot();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].key, format!("fee:{CONTRACT:#x}"));
    let restored = PriorityFeeDetector::new("fees", PriorityFeeConfig::default()).with_state(saved);
    let after = restored.band_gwei(CONTRACT, next).expect("band after restore");
    assert_eq!(before, after);
    let stats = restored.handle().stats();
    assert_eq!(stats.get("refits"), None, "{stats:?}");
    assert_eq!(stats["restored"], 1);
    assert!(restored.handle().take_dirty().is_empty(), "nothing changed since the restore");
}

#[test]
fn a_reverted_block_leaves_no_trace() {
    let mut a = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    let mut b = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    let (number, _) = traffic(&mut a, 8 * 24);
    traffic(&mut b, 8 * 24);
    let hour_start = START + 8 * 24 * 3600;
    a.analyze(&block(number + 1, hour_start - 10, vec![tx(99_999_995, CONTRACT, 900.0)]));
    let next = (hour_start + 5) * 1000;
    assert_ne!(a.band_gwei(CONTRACT, next), b.band_gwei(CONTRACT, next));
    let reverted =
        vigil_types::BlockRef { number: number + 1, hash: crate::support::hash(number + 1) };
    a.analyze(&Event { chain_id: 1, seen_at: next, kind: EventKind::BlockReverted(reverted) });
    assert_eq!(a.band_gwei(CONTRACT, next), b.band_gwei(CONTRACT, next));
}

#[test]
fn bad_fees_are_skipped_and_counted() {
    let mut detector = PriorityFeeDetector::new("fees", PriorityFeeConfig::default());
    let mut absurd = tx(1, CONTRACT, 0.0);
    absurd.max_priority_fee_per_gas = Some(u128::MAX / 2);
    absurd.max_fee_per_gas = Some(u128::MAX);
    assert!(detector.analyze(&block(1, START, vec![absurd])).is_empty());
    let mut legacy = tx(2, CONTRACT, 0.0);
    legacy.max_priority_fee_per_gas = None;
    legacy.max_fee_per_gas = None;
    legacy.gas_price = Some(5);
    assert!(detector.analyze(&pending(START, legacy)).is_empty());
    let stats = detector.handle().stats();
    assert_eq!(stats["skipped_implausible_fee"], 1, "{stats:?}");
}
