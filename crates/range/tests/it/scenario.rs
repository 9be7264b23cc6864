use std::collections::{BTreeMap, BTreeSet};

use vigil_range::{
    Chain, MiningMode, RangeDeployment, RangeLayout,
    attacks::AttackKind,
    dataset::{DatasetRecord, DatasetStats, LabelClass, Stage, read_records},
    scenario::{ScenarioConfig, play},
};

fn small(seed: u64) -> ScenarioConfig {
    ScenarioConfig {
        seed,
        benign_actions: 150,
        attacks: 10,
        duration_secs: 150 * 12,
        ..ScenarioConfig::default()
    }
}

async fn generate(config: &ScenarioConfig, mode: MiningMode) -> (Vec<DatasetRecord>, DatasetStats) {
    let layout = RangeLayout::small();
    let block_time = (mode == MiningMode::Interval).then_some(1);
    let anvil = layout.spawn_node(block_time).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), mode).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    let mut out = Vec::new();
    let report = play(&mut chain, &range, config, &mut out).await.expect("scenario plays");
    let records = read_records(out.as_slice()).expect("dataset parses");
    assert_eq!(DatasetStats::of(&records), report.stats, "report matches the written dataset");
    assert_eq!(report.rejected, 0, "node refused: {:?}", report.rejections);
    assert_eq!(report.dropped, 0, "node dropped transactions");
    (records, report.stats)
}

fn without_wall_clock(records: &[DatasetRecord]) -> Vec<DatasetRecord> {
    records.iter().cloned().map(|r| DatasetRecord { seen_at: 0, ..r }).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn scenario_labels_every_transaction_and_replays_from_its_seed() {
    let config = small(42);
    let (records, stats) = generate(&config, MiningMode::Manual).await;
    assert!(stats.benign >= config.benign_actions, "{stats}");
    // Every transaction was seen pending, then mined.
    for record in &records {
        assert!(
            record.tx.get("blockHash").is_some_and(serde_json::Value::is_null),
            "{:?}",
            record.tx
        );
        assert!(record.tx.get("hash").is_some() && record.receipt.is_some());
        assert_eq!(record.label.class == LabelClass::Attack, record.label.stage.is_some());
    }
    // Every kind ran and drained its target; each run has exactly one kind and an exploit.
    let mut runs: BTreeMap<&str, (BTreeSet<AttackKind>, BTreeSet<Stage>)> = BTreeMap::new();
    for record in records.iter().filter(|r| r.label.class == LabelClass::Attack) {
        let run = runs.entry(record.label.instance.as_str()).or_default();
        run.0.extend(record.label.kind);
        run.1.extend(record.label.stage);
    }
    assert_eq!(runs.len(), config.attacks);
    for (instance, (kinds, stages)) in &runs {
        assert_eq!(kinds.len(), 1, "{instance}");
        assert!(stages.contains(&Stage::Exploit), "{instance}: {stages:?}");
    }
    for kind in AttackKind::ALL {
        assert!(
            stats.successful_runs.get(kind.as_str()).copied().unwrap_or(0) >= 1,
            "{}: {stats}",
            kind.as_str()
        );
    }
    // Same seed, fresh node: the same dataset, transaction hashes included.
    let (again, _) = generate(&config, MiningMode::Manual).await;
    assert_eq!(without_wall_clock(&records), without_wall_clock(&again));
}

#[tokio::test(flavor = "multi_thread")]
async fn scenario_runs_on_a_node_that_mines_on_a_timer() {
    let config =
        ScenarioConfig { benign_actions: 25, attacks: 4, duration_secs: 20 * 12, ..small(7) };
    let (records, stats) = generate(&config, MiningMode::Interval).await;
    assert!(records.iter().all(|r| r.receipt.is_some()));
    assert_eq!(stats.attack_runs.values().sum::<usize>(), 4, "{stats}");
}

#[tokio::test(flavor = "multi_thread")]
async fn vigil_config_protects_every_victim() {
    let layout = RangeLayout::small();
    let anvil = layout.spawn_node(None).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    let text = range.vigil_config(&anvil.ws_url());
    let config: toml::Value = toml::from_str(&text).expect("valid TOML");
    assert_eq!(config["chain_id"].as_integer(), Some(31337));
    assert_eq!(config["mode"].as_str(), Some("alert_only"));
    for source in ["mempool", "blocks"] {
        let endpoints = config["sources"][source]["endpoints"].as_array().expect("endpoints");
        assert_eq!(endpoints[0].as_str(), Some(anvil.ws_url().as_str()));
    }
    let contracts = config["contracts"].as_array().expect("contracts");
    assert_eq!(contracts.len(), range.victims().len());
    let repo = vigil_range::artifacts::range_dir().join("..");
    for (entry, victim) in contracts.iter().zip(range.victims()) {
        assert_eq!(entry["name"].as_str(), Some(victim.name));
        assert_eq!(
            entry["address"].as_str().map(str::to_lowercase),
            Some(format!("{:#x}", victim.address))
        );
        assert_eq!(entry["guardian_function"].as_str(), Some("pause()"));
        let abi = repo.join(entry["abi"].as_str().expect("abi path"));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&abi).expect("abi file")).expect("json");
        assert!(json["abi"].as_array().is_some_and(|abi| abi.iter().any(|f| f["name"] == "pause")));
    }
    let deployment = RangeDeployment::from_json(&range.to_json().expect("json"))
        .expect("deployment round-trips");
    assert_eq!(deployment, range);
}
