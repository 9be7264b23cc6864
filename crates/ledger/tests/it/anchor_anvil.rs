use std::{sync::Arc, time::Duration};

use vigil_ledger::{
    Address, Anchor, AnchorPoint, AnchorProblem, LedgerConfig, LedgerWriter, Level, RpcAnchor,
    RpcAnchorConfig, check_anchors,
    tamper::{TimestampForgery, rewrite_chain},
    verify_bytes, verify_with_anchors,
};
use vigil_testkit::{Anvil, AnvilOptions, DEV_ACCOUNTS};

use crate::common::{TEST_DIFFICULTY, encode_file, options, read_blocks};

const PER_BLOCK: usize = 3;
const BLOCKS: usize = 12;
const ANCHOR_EVERY: u64 = 4;

#[tokio::test]
async fn a_rewrite_before_the_last_anchor_is_caught_whatever_the_timestamps() {
    let anvil =
        Anvil::spawn(AnvilOptions { no_mining: false, ..Default::default() }).expect("anvil");
    let publisher: Address = DEV_ACCOUNTS[0].parse().expect("address");
    let (contract, from_block) =
        RpcAnchor::deploy(&anvil.http_url(), publisher, 30_000).await.expect("deploy");
    let anchor = Arc::new(RpcAnchor::new(RpcAnchorConfig {
        rpc_url: anvil.http_url(),
        contract,
        publisher,
        from_block,
        confirm_timeout_ms: 30_000,
    }));

    // Only full batches close blocks here, so the chain has exactly BLOCKS blocks.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("anchored.ledger");
    let config = LedgerConfig {
        difficulty: TEST_DIFFICULTY,
        max_block_records: PER_BLOCK,
        max_block_delay_ms: 600_000,
        heartbeat_ms: None,
        fsync: true,
    };
    let dyn_anchor: Arc<dyn Anchor> = anchor.clone();
    let (handle, _) =
        LedgerWriter::spawn(&path, config, Some((dyn_anchor, ANCHOR_EVERY))).expect("spawn");
    let mut pending = Vec::new();
    for i in 0..BLOCKS * PER_BLOCK {
        pending.push(handle.enqueue(Level::Info, format!("finding {i}")).await.expect("enqueue"));
    }
    for p in pending {
        p.await.expect("committed");
    }
    // Anchors are published in the background; wait for all three (heights 3, 7, 11).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while handle.stats().anchors < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "anchors not published: {:?}",
            handle.stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handle.shutdown().await.expect("shutdown");

    let (report, check) =
        verify_with_anchors(&path, options(), anchor.as_ref()).await.expect("verify");
    assert!(report.is_ok(), "{:?}", report.fault);
    assert!(check.is_ok(), "{:?}", check.problems);
    assert_eq!((check.anchors, check.last_anchored, check.unanchored_blocks), (3, Some(11), 0));

    // The intruder rewrites a record in block 5 and re-mines everything after it, with
    // timestamps forged as in the paper's subtle attack.
    let blocks = read_blocks(&path);
    let forged = rewrite_chain(
        &blocks,
        5,
        |records| records[0].message = "nothing happened".into(),
        TimestampForgery::Subtle { max_ms: 2_000, seed: 1 },
    );
    let bytes = encode_file(&forged);
    assert!(verify_bytes(&bytes, options()).is_ok(), "a full re-mine is self-consistent");
    std::fs::write(&path, &bytes).expect("write forged chain");

    let (report, check) =
        verify_with_anchors(&path, options(), anchor.as_ref()).await.expect("verify");
    assert!(report.is_ok());
    match &check.problems[..] {
        [
            AnchorProblem::Rewritten { anchor, after: Some(3), .. },
            AnchorProblem::Rewritten { .. },
        ] => {
            assert_eq!(anchor.point.height, 7);
        }
        other => panic!("expected rewrites caught at anchors 7 and 11: {other:?}"),
    }
    assert!(check.problems[0].to_string().contains("a block in 4..=7 was rewritten"));

    // Publishing fresh anchors for the forged chain does not erase the old ones.
    for height in [7u64, 11] {
        let point = AnchorPoint { height, hash: forged[height as usize].hash };
        anchor.publish(point).await.expect("publish forged anchor");
    }
    let anchors = anchor.fetch().await.expect("fetch");
    assert_eq!(anchors.len(), 5);
    let check = check_anchors(&report.hashes, true, &anchors);
    assert_eq!(check.problems.len(), 2, "{:?}", check.problems);
}
