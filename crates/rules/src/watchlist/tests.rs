use vigil_testkit::{TxBuilder, pending_event};
use vigil_types::{B256, BlockInfo, CallInfo, DecodedBy};

use super::*;

fn call(name: &str, sig: &str) -> CallInfo {
    CallInfo {
        decoded_by: DecodedBy::Registry,
        selector: Some("0x00000000".into()),
        function: Some(name.into()),
        signature: Some(sig.into()),
        args: vec![],
        error: None,
    }
}

fn analyzer(config: WatchlistConfig) -> WatchlistAnalyzer {
    WatchlistAnalyzer::new("watchlist", config, HashMap::new())
}

#[test]
fn every_pending_tx_is_an_info_finding_with_the_function() {
    let mut a = analyzer(WatchlistConfig::default());
    let mut tx = TxBuilder::default().nonce(3).build();
    tx.call = Some(call("deposit", "deposit()"));
    let findings = a.analyze(&pending_event(tx, 7));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].threat_level, ThreatLevel::Info);
    assert!(findings[0].summary.contains(".deposit("), "{}", findings[0].summary);
    assert_eq!(findings[0].observed_at, 7);
}

#[test]
fn judges_only_its_named_contracts_when_it_has_some() {
    let watched = Address::repeat_byte(0xaa);
    let names = HashMap::from([(watched, "vault".to_owned())]);
    let mut a = WatchlistAnalyzer::new("watchlist", WatchlistConfig::default(), names);
    let to_watched = TxBuilder::default().hash_n(1).to(watched).build();
    let elsewhere = TxBuilder::default().hash_n(2).to(Address::repeat_byte(0xbb)).build();
    let mut creation = TxBuilder::default().hash_n(3).build();
    creation.to = None;
    assert_eq!(a.analyze(&pending_event(to_watched, 1)).len(), 1);
    assert!(a.analyze(&pending_event(elsewhere, 2)).is_empty());
    assert!(a.analyze(&pending_event(creation, 3)).is_empty());
}

#[test]
fn rules_raise_the_level_and_explain_why() {
    let config = WatchlistConfig {
        listed_functions: [("transferOwnership(address)".to_owned(), ThreatLevel::High)].into(),
        value_above_wei: Some("1000".into()),
        new_sender_level: Some(ThreatLevel::Low),
        ..WatchlistConfig::default()
    };
    let mut a = analyzer(config);
    let mut tx = TxBuilder::default().nonce(0).value(U256::from(5000)).build();
    tx.call = Some(call("transferOwnership", "transferOwnership(address)"));
    let f = &a.analyze(&pending_event(tx, 1))[0];
    assert_eq!(f.threat_level, ThreatLevel::High);
    let names: Vec<&str> = f.factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["listed_function", "value_above_bound", "new_sender"]);
}

#[test]
fn a_tx_is_reported_once_whether_seen_pending_mined_or_both() {
    let mut a = analyzer(WatchlistConfig::default());
    let pending = TxBuilder::default().hash_n(1).build();
    let mined_only = TxBuilder::default().hash_n(2).mined(5, true).build();
    assert_eq!(a.analyze(&pending_event(pending.clone(), 1)).len(), 1);
    assert!(a.analyze(&pending_event(pending.clone(), 2)).is_empty());
    let block = BlockInfo {
        number: 5,
        hash: B256::repeat_byte(5),
        parent_hash: B256::repeat_byte(4),
        timestamp: 1,
        base_fee_per_gas: Some(1),
        transactions: vec![TxInfo { block_number: Some(5), ..pending }, mined_only],
    };
    let event = Event { chain_id: 31337, seen_at: 3, kind: EventKind::BlockCommitted(block) };
    let findings = a.analyze(&event);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].evidence["mined_only"], json!(true));
}

#[test]
fn bad_value_bound_is_a_config_problem() {
    let config =
        WatchlistConfig { value_above_wei: Some("lots".into()), ..WatchlistConfig::default() };
    assert_eq!(config.problems().len(), 1);
}
