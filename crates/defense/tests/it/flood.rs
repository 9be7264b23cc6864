use std::time::Duration;

use vigil_defense::{ActionStatus, Wei, lab::AttackFees};
use vigil_range::PlannedTx;

use crate::support::*;

alloy::sol! {
    function initialize(address newOwner, address rewardToken_) external;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_of_bait_transactions_sends_at_most_one_pause_within_caps() {
    let lab = lab().await;
    let mut config = lab.executor_config("flood.db");
    config.max_tx_cost = Wei(10_000_000_000_000_000); // 0.01 ether
    config.max_hourly_spend = Wei(20_000_000_000_000_000);
    config.max_daily_spend = Wei(50_000_000_000_000_000);
    let executor = lab.executor(&config).await.expect("executor");
    let stats = executor.stats();
    let journal = executor.journal().clone();
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[]).await;

    // 1,000 calls that look like the treasury takeover, from every account the range has.
    let treasury = lab.range.contracts.treasury;
    let senders: Vec<_> = lab.range.attackers.iter().chain(&lab.range.users).copied().collect();
    let mut nonces = Vec::new();
    for sender in &senders {
        let hex: String = lab
            .rpc()
            .call("eth_getTransactionCount", serde_json::json!([sender, "pending"]))
            .await
            .expect("nonce");
        nonces.push(u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex"));
    }
    let baits = 1_000;
    for i in 0..baits {
        let k = i % senders.len();
        let call = initializeCall { newOwner: senders[k], rewardToken_: lab.range.contracts.gov };
        let tx = PlannedTx::call(senders[k], treasury, &call, 150_000);
        let fees = AttackFees { tip: (i as u64 % 3 + 1) * GWEI, max_fee: 50 * GWEI };
        lab.send_with(&tx, fees, nonces[k]).await.expect("bait sent");
        nonces[k] += 1;
    }
    let wait = async {
        loop {
            let handled = stats.snapshot().received;
            if handled >= baits as u64 && handled >= vigil.findings().len() as u64 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(120), wait).await.expect("executor handled the flood");

    let snapshot = stats.snapshot();
    assert_eq!(snapshot.acted, 1, "{snapshot:?}");
    assert_eq!(
        guardian_nonce(&lab).await,
        1,
        "one guardian transaction (its replacements share the nonce)"
    );
    let records = journal.recent(0).await.expect("journal");
    let sent: Vec<_> = records.iter().filter(|r| !r.versions.is_empty()).collect();
    assert_eq!(sent.len(), 1, "one action");
    let charged: u128 = records.iter().map(|r| r.charged_wei).sum();
    assert!(sent[0].charged_wei <= config.max_tx_cost.0, "{} per tx", Wei(sent[0].charged_wei));
    assert!(charged <= config.max_hourly_spend.0, "{} in total", Wei(charged));
    for version in &sent[0].versions {
        assert!(version.fees.worst_case(version.gas_limit) <= config.max_tx_cost.0);
    }

    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| !r.status().is_open()).await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);
    let (_, _, index) = lab
        .position(done.record.versions.last().expect("sent").hash)
        .await
        .expect("receipt")
        .expect("mined");
    assert_eq!(index, 0, "the pause outbids every bait");
    vigil.stop().await.expect("stopped");
}
