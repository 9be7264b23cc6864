use std::time::Duration;

use vigil_sinks::{FindingStore, JsonlSink, JsonlSinkConfig, StoreSink, StoreSinkConfig};

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_tx_to_monitored_contract_lands_in_jsonl_and_sqlite_while_pending() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl_path = dir.path().join("findings.jsonl");
    let db_url = format!("sqlite://{}", dir.path().join("vigil.db").display());
    let store = StoreSink::open("store", &StoreSinkConfig { url: db_url.clone(), url_env: None })
        .await
        .expect("store");
    let jsonl = JsonlSink::new("jsonl", JsonlSinkConfig { path: jsonl_path.clone() });
    let watch = watch(&anvil.ws_url(), token, false, vec![Box::new(jsonl), Box::new(store)]);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let hash = transfer(&rpc, token, accounts()[2], 1234).await;
    let findings = watch.wait_for_txs(&[hash], Duration::from_secs(10)).await;
    let finding =
        findings.iter().find(|f| tx_hash(f) == Some(hash)).expect("finding for the transfer");
    assert_eq!(finding.evidence["call"]["function"], "transfer");
    assert_eq!(finding.evidence["mined_only"], false);
    // Still pending: the node has no receipt, so the finding came from the mempool.
    assert!(rpc.receipt(hash).await.expect("receipt query").is_none());

    let report = watch.stop().await;
    assert_eq!(report.sinks["jsonl"].errors, 0);
    let lines = std::fs::read_to_string(&jsonl_path).expect("jsonl written");
    assert!(
        lines
            .lines()
            .any(|l| l.contains(&format!("{hash}")) && l.contains("\"function\":\"transfer\"")),
        "{lines}"
    );
    let store = FindingStore::open(&db_url).await.expect("reopen store");
    assert!(store.contains(&finding.id.0).await.expect("query"));
}

/// Records every commit and revert as a finding, to observe the block source's stream.
struct BlockLog;

impl vigil_pipeline::Analyzer for BlockLog {
    fn id(&self) -> &str {
        "block-log"
    }
    fn analyze(&mut self, event: &vigil_types::Event) -> Vec<vigil_types::Finding> {
        use vigil_types::{EventKind, Subject};
        let (subject, summary) = match &event.kind {
            EventKind::BlockCommitted(b) => {
                (Subject::Block { number: b.number, hash: b.hash }, "commit")
            }
            EventKind::BlockReverted(r) => {
                (Subject::Key { key: format!("revert {} {}", r.number, r.hash) }, "revert")
            }
            _ => return Vec::new(),
        };
        let mut f = vigil_testkit::FindingBuilder::new("block-log", 0).build();
        f.id = vigil_types::FindingId::derive("block-log", &subject);
        f.subject = subject;
        f.summary = summary.to_owned();
        vec![f]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_reverts_replaced_blocks_and_commits_the_new_ones() {
    use std::sync::Arc;

    use vigil_chain::{BlockSource, BlockSourceConfig, CallDecoder, MonitoredContracts};
    use vigil_pipeline::{Delivery, Engine};
    use vigil_testkit::CollectSink;
    use vigil_types::{Mode, SinkRole, Subject};

    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let contracts = Arc::new(MonitoredContracts::default());
    let decoder = Arc::new(CallDecoder::new(&contracts));
    let config = BlockSourceConfig::new(vec![anvil.ws_url()]).with_idle_timeout_ms(500);
    let (sink, collected) = CollectSink::new("collect", SinkRole::Store);
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Live)
        .source(Box::new(BlockSource::new("blocks", 31337, config, contracts, decoder)))
        .analyzer(Box::new(BlockLog))
        .sink(Box::new(sink))
        .build();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    rpc.mine(5).await.expect("mine");
    let committed = |n: u64| {
        move |fs: &[vigil_types::Finding]| {
            fs.iter().any(|f| matches!(f.subject, Subject::Block { number, .. } if number == n))
        }
    };
    collected.wait_for(Duration::from_secs(10), committed(5)).await;
    let hash_of = |n: u64| {
        let rpc = rpc.clone();
        async move {
            let block: serde_json::Value = rpc
                .call("eth_getBlockByNumber", serde_json::json!([format!("{n:#x}"), false]))
                .await
                .expect("block");
            block["hash"].as_str().expect("hash").to_owned()
        }
    };
    let old = (hash_of(4).await, hash_of(5).await);
    let _: serde_json::Value =
        rpc.call("anvil_reorg", serde_json::json!([2, []])).await.expect("reorg");
    let new = (hash_of(4).await, hash_of(5).await);
    assert_ne!(old, new, "anvil replaced blocks 4 and 5");
    let has_new = |fs: &[vigil_types::Finding]| {
        fs.iter().any(|f| matches!(&f.subject, Subject::Block { number: 5, hash } if format!("{hash}") == new.1))
    };
    let findings = collected.wait_for(Duration::from_secs(10), has_new).await;
    let _ = stop.send(());
    run.await.expect("engine");

    let reverts: Vec<String> =
        findings.iter().filter(|f| f.summary == "revert").map(|f| f.subject.to_string()).collect();
    assert_eq!(reverts, [format!("revert 5 {}", old.1), format!("revert 4 {}", old.0)]);
    assert!(findings.iter().any(
        |f| matches!(&f.subject, Subject::Block { number: 4, hash } if format!("{hash}") == new.0)
    ));
}

async fn mempool_only(
    config: vigil_chain::MempoolSourceConfig,
    token: alloy_primitives::Address,
) -> (MempoolRun, vigil_testkit::Collected) {
    use vigil_pipeline::{Delivery, Engine};
    use vigil_rules::{WatchlistAnalyzer, WatchlistConfig};
    use vigil_testkit::CollectSink;
    use vigil_types::{Mode, SinkRole};

    let contracts = contracts_for(token);
    let decoder = std::sync::Arc::new(vigil_chain::CallDecoder::new(&contracts));
    let source = vigil_chain::MempoolSource::new("mempool", 31337, config, contracts, decoder);
    let health = source.health();
    let (sink, collected) = CollectSink::new("collect", SinkRole::Store);
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Live)
        .source(Box::new(source))
        .analyzer(Box::new(WatchlistAnalyzer::new(
            "watchlist",
            WatchlistConfig::default(),
            Default::default(),
        )))
        .sink(Box::new(sink))
        .build();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    (MempoolRun { stop, task, health }, collected)
}

struct MempoolRun {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<vigil_pipeline::RunReport>,
    health: vigil_chain::SourceHealth,
}

impl MempoolRun {
    async fn finish(self) -> vigil_pipeline::RunReport {
        let _ = self.stop.send(());
        self.task.await.expect("engine")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_only_subscription_looks_up_each_transaction() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let mut config = vigil_chain::MempoolSourceConfig::new(vec![anvil.ws_url()]);
    config.full_transactions = false;
    let (run, collected) = mempool_only(config, token).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(transfer(&rpc, token, accounts()[2], 40 + i).await);
    }
    let findings = collected
        .wait_for(Duration::from_secs(10), |fs| {
            sent.iter().all(|h| fs.iter().any(|f| tx_hash(f) == Some(*h)))
        })
        .await;
    run.finish().await;
    for hash in &sent {
        let f =
            findings.iter().find(|f| tx_hash(f) == Some(*hash)).expect("looked up and reported");
        assert_eq!(f.evidence["call"]["function"], "transfer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fails_over_to_the_next_endpoint() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    // The first endpoint refuses every connection; the second is the node.
    let refusing = vigil_testkit::FaultProxy::start(
        format!("127.0.0.1:{}", anvil.port()).parse().expect("addr"),
    )
    .await
    .expect("proxy");
    refusing.refuse(true);
    let config = vigil_chain::MempoolSourceConfig::new(vec![refusing.ws_url(), anvil.ws_url()])
        .with_backoff(20, 200);
    let (run, collected) = mempool_only(config, token).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let hash = transfer(&rpc, token, accounts()[3], 99).await;
    let findings = collected
        .wait_for(Duration::from_secs(10), |fs| fs.iter().any(|f| tx_hash(f) == Some(hash)))
        .await;
    let health = run.health.snapshot();
    let report = run.finish().await;
    assert!(findings.iter().any(|f| tx_hash(f) == Some(hash)), "{report:?}");
    assert!(report.sources["mempool"].errors >= 1, "the refused endpoint was reported: {report:?}");
    assert_eq!(health.connects, 1, "{health:?}");
}
