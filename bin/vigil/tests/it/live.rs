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
