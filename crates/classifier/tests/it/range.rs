//! The analyzer live against the attack range: anvil, the deployed victims, a scenario with
//! every attack kind and route, vigil's WebSocket sources and engine, and the shipped model.

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use vigil_chain::{
    BlockSource, BlockSourceConfig, ContractConfig, MempoolSource, MempoolSourceConfig,
    MonitoredContracts,
};
use vigil_classifier::{Label, TxClassifier, TxClassifierConfig, decoder_for};
use vigil_pipeline::{Delivery, Engine};
use vigil_range::{
    Chain, MiningMode, RangeDeployment, RangeLayout,
    scenario::{ScenarioConfig, play},
};
use vigil_testkit::CollectSink;
use vigil_types::{B256, Mode, SinkRole, Subject, ThreatLevel};

fn artifacts() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../range/artifacts"))
}

#[tokio::test(flavor = "multi_thread")]
async fn range_attacks_are_high_while_pending_for_every_kind() {
    let layout = RangeLayout::small();
    let anvil = layout.spawn_node(None).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    let contracts: Vec<ContractConfig> = range
        .victims()
        .iter()
        .map(|v| ContractConfig {
            name: v.name.to_owned(),
            address: v.address,
            abi: Some(artifacts().join(format!("{}.json", v.artifact))),
            guardian_function: "pause()".into(),
        })
        .collect();
    // Decode with the victims' ABIs but watch every pending transaction: attack contracts
    // and constructor exploits are not sent to a victim.
    let decoder = Arc::new(decoder_for(&contracts).expect("ABIs load"));
    let everything = Arc::new(MonitoredContracts::default());
    let endpoints = vec![anvil.ws_url()];
    let mempool = MempoolSource::new(
        "mempool",
        range.chain_id,
        MempoolSourceConfig::new(endpoints.clone()),
        everything.clone(),
        decoder.clone(),
    );
    let blocks = BlockSource::new(
        "blocks",
        range.chain_id,
        BlockSourceConfig::new(endpoints),
        everything,
        decoder,
    );
    let analyzer =
        TxClassifier::new("tx_classifier", TxClassifierConfig::default()).expect("model");
    let (sink, collected) = CollectSink::new("collect", SinkRole::Alert);
    let engine = Engine::builder(Mode::AlertOnly, Delivery::Live)
        .source(Box::new(mempool))
        .source(Box::new(blocks))
        .analyzer(Box::new(analyzer))
        .sink(Box::new(sink))
        .build();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let config = ScenarioConfig {
        seed: 31,
        benign_actions: 100,
        attacks: 10,
        duration_secs: 100 * 12,
        slot_delay: Duration::from_millis(250),
        ..ScenarioConfig::default()
    };
    let mut dataset = Vec::new();
    play(&mut chain, &range, &config, &mut dataset).await.expect("scenario plays");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stop.send(());
    let _ = running.await;

    let labels: HashMap<B256, Label> = String::from_utf8_lossy(&dataset)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let hash = v["tx"]["hash"].as_str()?.parse().ok()?;
            Some((hash, serde_json::from_value(v["label"].clone()).ok()?))
        })
        .collect();
    let findings = collected.findings();
    let mut caught: HashMap<String, usize> = HashMap::new();
    let mut benign_high = 0;
    for f in &findings {
        let Subject::Tx { hash } = &f.subject else { continue };
        let Some(label) = labels.get(hash) else { continue };
        let pending = f.evidence["mined_only"] == false;
        match (&label.kind, label.stage.as_deref()) {
            (Some(kind), Some("exploit")) if pending && f.threat_level >= ThreatLevel::High => {
                assert!(!f.factors.is_empty());
                *caught.entry(kind.clone()).or_default() += 1;
            }
            (None, _) if f.threat_level >= ThreatLevel::High => benign_high += 1,
            _ => {}
        }
    }
    let kinds: Vec<&str> = labels
        .values()
        .filter_map(|l| l.kind.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(kinds.len(), 4, "the scenario ran every kind: {kinds:?}");
    for kind in kinds {
        assert!(
            caught.get(kind).copied().unwrap_or(0) > 0,
            "no HIGH pending finding for {kind}: {caught:?}"
        );
    }
    let benign = labels.values().filter(|l| l.kind.is_none()).count();
    assert!(
        benign_high * 20 <= benign,
        "{benign_high} HIGH findings on {benign} benign transactions"
    );
}
