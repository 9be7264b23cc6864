//! The price-anomaly detector on synthetic pool logs: quiet random walks, a manipulation,
//! restore without refit, odd logs.

use vigil_pipeline::Analyzer;
use vigil_timeseries::{
    PriceAnomalyConfig, PriceAnomalyDetector,
    swap::{V2_SWAP_TOPIC, V2_SYNC_TOPIC, V3_SWAP_TOPIC},
};
use vigil_types::{Address, B256, Event, Finding, Subject, ThreatLevel, U256};

use crate::support::{block, log, noise};

const POOL: Address = Address::repeat_byte(0x51);
const START: u64 = 1_700_000_000 / 60 * 60;

fn sqrt_x96(price: f64) -> U256 {
    U256::from((price.sqrt() * 2f64.powi(96)) as u128)
}

fn v3_swap(number: u64, at_s: u64, price: f64) -> Event {
    let a0 = U256::from(1_000_000_000_000_000u64);
    let a1 = U256::from((1e15 * price) as u128).wrapping_neg();
    let topics = vec![V3_SWAP_TOPIC, B256::ZERO, B256::ZERO];
    log(
        number,
        at_s,
        POOL,
        topics,
        &[a0, a1, sqrt_x96(price), U256::from(10u64.pow(18)), U256::ZERO],
    )
}

/// A swap every 20 s for `minutes`, the price a slow random walk around 2000.
fn quiet(
    detector: &mut PriceAnomalyDetector,
    from_block: u64,
    minutes: u64,
) -> (u64, f64, Vec<Finding>) {
    let mut out = Vec::new();
    let mut price = 2000.0;
    let mut number = from_block;
    for i in 0..minutes * 3 {
        number += 1;
        let at = START + i * 20;
        price *= 1.0 + 0.0004 * noise(i as usize);
        out.extend(detector.analyze(&block(number, at, vec![])));
        out.extend(detector.analyze(&v3_swap(number, at, price)));
    }
    (number, price, out)
}

#[test]
fn quiet_swaps_raise_nothing_and_a_manipulated_price_is_reported_once_per_minute() {
    let mut detector = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    let (number, price, quiet_findings) = quiet(&mut detector, 0, 180);
    assert!(
        quiet_findings.is_empty(),
        "{:?}",
        quiet_findings.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    let stats = detector.handle().stats();
    assert!(stats["refits"] > 0 && stats["cold_start_no_band"] > 0, "{stats:?}");
    let at = START + 180 * 60 + 5;
    let mut found = detector.analyze(&block(number + 1, at, vec![]));
    found.extend(detector.analyze(&v3_swap(number + 1, at, price * 1.6)));
    found.extend(detector.analyze(&v3_swap(number + 1, at, price * 1.7)));
    assert_eq!(found.len(), 1, "one finding per pool and minute");
    let f = &found[0];
    let Subject::Key { key } = &f.subject else { panic!("subject {:?}", f.subject) };
    assert!(key.starts_with(&format!("pool:{POOL:#x}@")), "{key}");
    assert_eq!(f.target, Some(POOL));
    assert!(f.threat_level >= ThreatLevel::High, "{:?}", f.threat_level);
    assert!(f.confidence > 0.5 && f.confidence <= 1.0);
    assert_eq!(f.factors[0].name, "price_outside_band");
    assert!(f.evidence["price"].as_f64().is_some_and(|p| (p / (price * 1.6) - 1.0).abs() < 1e-6));
}

#[test]
fn a_restored_detector_gives_the_same_band_without_refitting() {
    let mut detector = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    let (number, price, _) = quiet(&mut detector, 0, 120);
    let at_ms = (START + 120 * 60) * 1000;
    let before = detector.band(POOL, at_ms).expect("fitted");
    let restored = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default())
        .with_state(detector.handle().snapshot());
    assert_eq!(restored.band(POOL, at_ms), Some(before));
    let mut restored = restored;
    let mut original = detector;
    let next = v3_swap(number + 1, at_ms / 1000, price);
    assert_eq!(restored.analyze(&next), original.analyze(&next));
    let stats = restored.handle().stats();
    assert_eq!(stats.get("refits"), None, "{stats:?}");
}

#[test]
fn v2_sync_prices_and_odd_logs_are_handled() {
    let mut detector = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    let sync = |n: u64, r0: u64, r1: u64| {
        log(n, START + n, POOL, vec![V2_SYNC_TOPIC], &[U256::from(r0), U256::from(r1)])
    };
    assert!(detector.analyze(&sync(1, 1000, 2000)).is_empty());
    let swap = log(
        2,
        START + 2,
        POOL,
        vec![V2_SWAP_TOPIC, B256::ZERO, B256::ZERO],
        &[U256::from(5u8), U256::ZERO, U256::ZERO, U256::from(9u8)],
    );
    assert!(detector.analyze(&swap).is_empty());
    let odd = [
        sync(3, 0, 2000),
        log(4, START, POOL, vec![V3_SWAP_TOPIC], &[U256::ZERO]),
        log(5, START, POOL, vec![V3_SWAP_TOPIC, B256::ZERO, B256::ZERO], &[U256::MAX; 5]),
        log(6, START, POOL, vec![], &[]),
    ];
    for e in &odd {
        assert!(detector.analyze(e).is_empty());
    }
    let stats = detector.handle().stats();
    assert_eq!(stats["prices"], 1, "{stats:?}");
    assert_eq!(stats["v2_swap_cross_check_only"], 1);
    assert_eq!(stats["skipped_zero_price"], 1);
    assert_eq!(stats["skipped_malformed_log"], 2);
    assert_eq!(stats["skipped_not_price_event"], 1);
}
