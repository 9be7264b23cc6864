use std::{collections::HashMap, net::SocketAddr, time::Duration};

use alloy_primitives::B256;
use vigil_testkit::{Fault, FaultProxy};

use crate::support::*;

async fn proxy_for(anvil: &vigil_testkit::Anvil) -> FaultProxy {
    let upstream: SocketAddr = format!("127.0.0.1:{}", anvil.port()).parse().expect("addr");
    FaultProxy::start(upstream).await.expect("proxy")
}

fn counts(findings: &[vigil_types::Finding]) -> HashMap<B256, usize> {
    let mut counts = HashMap::new();
    for f in findings {
        if let Some(hash) = tx_hash(f) {
            *counts.entry(hash).or_default() += 1;
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_after_five_closes_and_reports_every_tx_exactly_once() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let proxy = proxy_for(&anvil).await;
    let watch = watch(&proxy.ws_url(), token, true, vec![]);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let senders = accounts()[2..9].to_vec();
    let mut sent = Vec::new();
    for i in 0..200u64 {
        sent.push(transfer(&rpc, token, senders[i as usize % senders.len()], i + 1).await);
        if i % 40 == 20 {
            // Cut both connections; while vigil is away some txs arrive and a block is mined.
            proxy.close_all();
            sent.push(transfer(&rpc, token, senders[0], 10_000 + i).await);
            if i % 80 == 20 {
                rpc.mine(1).await.expect("mine");
            }
        }
        settle().await;
    }
    rpc.mine(1).await.expect("mine the rest");
    let findings = watch.wait_for_txs(&sent, Duration::from_secs(60)).await;
    let health = (watch.mempool.snapshot(), watch.blocks.snapshot());
    let report = watch.stop().await;

    let counts = counts(&findings);
    let missing: Vec<_> = sent.iter().filter(|h| !counts.contains_key(*h)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} txs never reported; health {health:?}; {report:?}",
        missing.len(),
        sent.len()
    );
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "reported more than once: {twice:?}");
    assert_eq!(counts.len(), sent.len(), "no findings beyond the txs sent");
    assert!(health.0.reconnects >= 5, "mempool reconnects: {health:?}");
    assert!(health.1.reconnects >= 5, "blocks reconnects: {health:?}");
    assert!(proxy.accepted() >= 12, "connections accepted: {}", proxy.accepted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silently_dead_subscription_is_detected_and_reestablished() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let proxy = proxy_for(&anvil).await;
    let watch = watch(&proxy.ws_url(), token, true, vec![]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = watch.mempool.snapshot();

    // Requests still get answers, but no notification arrives: the subscription is dead.
    proxy.set(Fault::DropNotifications);
    let mut sent = Vec::new();
    for i in 0..10 {
        sent.push(transfer(&rpc, token, accounts()[4], 500 + i).await);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while watch.mempool.snapshot().dead_detected == before.dead_detected
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.set(Fault::Pass);
    for i in 0..5 {
        sent.push(transfer(&rpc, token, accounts()[5], 900 + i).await);
    }
    let findings = watch.wait_for_txs(&sent, Duration::from_secs(20)).await;
    let after = watch.mempool.snapshot();
    watch.stop().await;

    assert!(
        after.dead_detected > before.dead_detected,
        "dead subscription not detected: {after:?}"
    );
    assert!(after.reconnects > before.reconnects, "subscription not re-established: {after:?}");
    let counts = counts(&findings);
    assert!(sent.iter().all(|h| counts.get(h) == Some(&1)), "every tx exactly once: {counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_on_the_wire_is_counted_and_skipped() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let proxy = proxy_for(&anvil).await;
    let watch = watch(&proxy.ws_url(), token, true, vec![]);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let first = transfer(&rpc, token, accounts()[2], 1).await;
    watch.wait_for_txs(&[first], Duration::from_secs(10)).await;
    proxy.inject(FaultProxy::text_frame(b"{this is not json"));
    proxy.inject(FaultProxy::text_frame(br#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":{"hash":"zz"}}}"#));
    proxy.inject(FaultProxy::text_frame(&vec![b'x'; 5 << 20]));
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A frame that announces 1000 bytes and ends after 10: the stream cannot be resynced,
    // so the connection is cut and vigil must reconnect.
    let mut truncated = vec![0x81, 126, 0x03, 0xe8];
    truncated.extend_from_slice(b"0123456789");
    proxy.inject(truncated);
    tokio::time::sleep(Duration::from_millis(200)).await;
    proxy.close_all();

    let mut sent = vec![first];
    for i in 0..20 {
        sent.push(transfer(&rpc, token, accounts()[3], 100 + i).await);
    }
    let findings = watch.wait_for_txs(&sent, Duration::from_secs(20)).await;
    let health = watch.mempool.snapshot();
    let report = watch.stop().await;
    assert!(health.garbage >= 2, "garbage counted: {health:?}");
    assert!(report.sources["mempool"].errors >= 3, "{report:?}");
    let counts = counts(&findings);
    assert!(
        sent.iter().all(|h| counts.get(h) == Some(&1)),
        "run went on, every tx once: {counts:?}"
    );
}
