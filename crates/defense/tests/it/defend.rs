use vigil_defense::{ActionStatus, CallTx, Wei, fees::Fees, lab::AttackFees};
use vigil_range::attacks::{AttackKind, Route};

use crate::support::*;

/// For each kind: the route and the attacker's fees. The fee shapes differ on purpose: a low
/// tip under a huge max fee wins anvil's max-fee ordering, a high tip under a tight max fee
/// wins a builder's tip ordering; the pause must beat both.
fn cases(base: u64) -> [(AttackKind, Route, AttackFees); 4] {
    [
        (
            AttackKind::Reentrancy,
            Route::Contract,
            AttackFees { tip: 2 * GWEI, max_fee: 300 * GWEI },
        ),
        (
            AttackKind::FlashLoanPriceManipulation,
            Route::Contract,
            AttackFees { tip: 40 * GWEI, max_fee: base + 41 * GWEI },
        ),
        (
            AttackKind::BridgeForgery,
            Route::Direct,
            AttackFees { tip: GWEI / 100, max_fee: 2 * base + GWEI / 100 },
        ),
        (
            AttackKind::OwnershipTakeover,
            Route::Direct,
            AttackFees { tip: 5 * GWEI, max_fee: 20 * GWEI },
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_lands_before_attack_of_every_kind() {
    let mut lab = lab().await;
    let base = lab.chain.base_fee();
    let mut attacks = Vec::new();
    for (i, (kind, route, fees)) in cases(base).into_iter().enumerate() {
        let attacker = lab.range.attackers[i];
        attacks.push((
            lab.prepare(kind, route, attacker, i as u64 + 1).await.expect("prepared"),
            fees,
        ));
    }
    let config = lab.executor_config("every-kind.db");
    let executor = lab.executor(&config).await.expect("executor");
    let stats = executor.stats();
    let mut reports = executor.reports();
    let prepared: Vec<_> = attacks.iter().map(|(a, _)| a).collect();
    let vigil = vigil(&lab, executor, &prepared).await;

    for (attack, fees) in &attacks {
        let kind = attack.kind.as_str();
        let before = lab.holdings(attack.target).await.expect("holdings");
        let hashes = lab.launch(attack, *fees).await.expect("attack sent");
        let sent = report(&mut reports, |r| {
            r.status() == ActionStatus::Sent && r.record.attack_tx == Some(hashes[0])
        })
        .await;
        let paused = sent.record.target;
        lab.mine().await.expect("mined");
        let saved = report(&mut reports, |r| {
            r.record.finding_id == sent.record.finding_id && !r.status().is_open()
        })
        .await;
        assert_eq!(saved.status(), ActionStatus::Saved, "{kind}: {}", saved.record.reason);

        let (ok, block, index) =
            lab.position(our_hash(&sent)).await.expect("receipt").expect("pause mined");
        assert!(ok, "{kind}: the pause reverted");
        for hash in &hashes {
            let (ok, attack_block, attack_index) =
                lab.position(*hash).await.expect("receipt").expect("attack mined");
            assert!(!ok, "{kind}: attack tx {hash} succeeded");
            assert_eq!(attack_block, block, "{kind}: pause and attack in one block");
            assert!(index < attack_index, "{kind}: pause at {index}, attack at {attack_index}");
        }
        assert_eq!(
            lab.holdings(attack.target).await.expect("holdings"),
            before,
            "{kind}: victim lost funds"
        );

        // Won on both orderings, not only on anvil's: higher max fee and higher tip.
        let ours = lab.transaction(our_hash(&sent)).await.expect("our tx");
        let theirs = lab.transaction(hashes[0]).await.expect("attack tx");
        let fee = |tx: &serde_json::Value, key| quantity(tx, key);
        assert!(fee(&ours, "maxFeePerGas") > fee(&theirs, "maxFeePerGas"), "{kind}: max fee");
        assert!(
            fee(&ours, "maxPriorityFeePerGas") > fee(&theirs, "maxPriorityFeePerGas"),
            "{kind}: tip"
        );

        assert!(lab.is_paused(paused).await.expect("paused()"), "{kind}");
        lab.unpause(paused).await.expect("unpaused");
    }
    let report = vigil.stop().await.expect("stopped");
    assert_eq!(report.sinks.values().map(|s| s.errors).sum::<u64>(), 0, "{report:?}");
    let stats = stats.snapshot();
    assert_eq!(stats.acted, 4, "one pause per attack: {stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacement_wins_when_the_attacker_bumps_its_tip() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack = lab
        .prepare(AttackKind::OwnershipTakeover, Route::Contract, attacker, 7)
        .await
        .expect("prepared");
    let executor = lab.executor(&lab.executor_config("bump.db")).await.expect("executor");
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[&attack]).await;

    let first = AttackFees { tip: GWEI, max_fee: 10 * GWEI };
    let hashes = lab.launch(&attack, first).await.expect("attack sent");
    let sent = report(&mut reports, status(ActionStatus::Sent)).await;
    // The attacker sees our pause and outbids it with the same nonce.
    let bumped = AttackFees { tip: 20 * GWEI, max_fee: 100 * GWEI };
    let nonce = quantity(&lab.transaction(hashes[0]).await.expect("attack"), "nonce") as u64;
    let bump = lab.send_with(&attack.exploit[0], bumped, nonce).await.expect("bump accepted");
    let replaced =
        report(&mut reports, |r| r.status() == ActionStatus::Sent && r.record.versions.len() == 2)
            .await;
    assert_eq!(replaced.record.finding_id, sent.record.finding_id, "one action, two versions");
    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| !r.status().is_open()).await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);

    let (ok, block, index) =
        lab.position(our_hash(&replaced)).await.expect("receipt").expect("replacement mined");
    let (attack_ok, attack_block, attack_index) =
        lab.position(bump).await.expect("receipt").expect("bump mined");
    assert!(ok && !attack_ok, "pause {ok}, attack {attack_ok}");
    assert_eq!((block, true), (attack_block, index < attack_index));
    let ours = lab.transaction(our_hash(&replaced)).await.expect("tx");
    assert!(quantity(&ours, "maxPriorityFeePerGas") > u128::from(bumped.tip));
    assert!(quantity(&ours, "maxFeePerGas") > u128::from(bumped.max_fee));
    assert_eq!(guardian_nonce(&lab).await, 1, "one nonce for both versions");
    vigil.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacker_tip_above_the_cap_is_refused_without_spending() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack =
        lab.prepare(AttackKind::Reentrancy, Route::Contract, attacker, 3).await.expect("prepared");
    let mut config = lab.executor_config("cap.db");
    config.max_tx_cost = Wei(1_000_000_000_000_000); // 0.001 ether
    let executor = lab.executor(&config).await.expect("executor");
    let journal = executor.journal().clone();
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[&attack]).await;

    let hashes = lab
        .launch(&attack, AttackFees { tip: 500 * GWEI, max_fee: 1_000 * GWEI })
        .await
        .expect("sent");
    let refused = report(&mut reports, status(ActionStatus::Refused)).await;
    assert!(
        refused.record.reason.contains("refused by cap max_tx_cost"),
        "{}",
        refused.record.reason
    );
    assert!(refused.record.versions.is_empty());
    assert_eq!(guardian_nonce(&lab).await, 0, "nothing was sent");
    let stored = journal.get(&refused.record.finding_id).await.expect("journal").expect("recorded");
    assert_eq!((stored.status, stored.charged_wei), (ActionStatus::Refused, 0));

    lab.mine().await.expect("mined");
    let (ok, _, _) = lab.position(hashes[0]).await.expect("receipt").expect("attack mined");
    assert!(ok, "with no pause the attack goes through");
    vigil.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_records_the_transaction_it_would_send() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack =
        lab.prepare(AttackKind::BridgeForgery, Route::Direct, attacker, 5).await.expect("prepared");
    let mut config = lab.executor_config("dry.db");
    config.dry_run = true;
    let executor = lab.executor(&config).await.expect("executor");
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[&attack]).await;

    lab.launch(&attack, AttackFees { tip: GWEI, max_fee: 10 * GWEI }).await.expect("sent");
    let dry = report(&mut reports, status(ActionStatus::DryRun)).await;
    let raw = dry.record.detail["would_send"]["raw"].as_str().expect("raw tx recorded");
    assert!(raw.starts_with("0x02"), "an EIP-1559 transaction: {raw}");
    assert_eq!(dry.record.versions.len(), 1);
    assert_eq!(guardian_nonce(&lab).await, 0, "nothing broadcast");
    vigil.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_not_mined_in_time_is_replaced() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack = lab
        .prepare(AttackKind::BridgeForgery, Route::Contract, attacker, 9)
        .await
        .expect("prepared");
    let mut config = lab.executor_config("slow.db");
    config.replace_after_blocks = 2;
    let executor = lab.executor(&config).await.expect("executor");
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[&attack]).await;

    let hashes =
        lab.launch(&attack, AttackFees { tip: GWEI, max_fee: 10 * GWEI }).await.expect("sent");
    let sent = report(&mut reports, status(ActionStatus::Sent)).await;
    // The node loses both transactions (as a restarted or congested node would): two blocks
    // pass without our pause.
    for hash in [our_hash(&sent), hashes[0]] {
        let _: serde_json::Value = lab
            .rpc()
            .call("anvil_dropTransaction", serde_json::json!([hash]))
            .await
            .expect("dropped");
    }
    lab.rpc().mine(2).await.expect("mined");
    let replaced =
        report(&mut reports, |r| r.status() == ActionStatus::Sent && r.record.versions.len() == 2)
            .await;
    assert!(replaced.record.reason.contains("not mined in time"), "{}", replaced.record.reason);
    let (first, second) = (&replaced.record.versions[0], &replaced.record.versions[1]);
    assert!(second.fees.max_fee_per_gas >= first.fees.max_fee_per_gas * 11 / 10);
    assert!(second.fees.max_priority_fee_per_gas >= first.fees.max_priority_fee_per_gas * 11 / 10);
    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| !r.status().is_open()).await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);
    assert!(lab.is_paused(lab.range.contracts.bridge).await.expect("paused()"));
    assert_eq!(guardian_nonce(&lab).await, 1);
    vigil.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_local_nonce_is_resynced_from_the_node() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack = lab
        .prepare(AttackKind::OwnershipTakeover, Route::Direct, attacker, 13)
        .await
        .expect("prepared");
    let executor = lab.executor(&lab.executor_config("nonce.db")).await.expect("executor");
    let mut reports = executor.reports();
    let vigil = vigil(&lab, executor, &[&attack]).await;
    // The same key is used elsewhere: the executor's local nonce is now behind the node's.
    let elsewhere = CallTx {
        chain_id: lab.range.chain_id,
        nonce: 0,
        to: lab.guardian.address(),
        data: vec![],
        gas_limit: 21_000,
        fees: Fees {
            max_fee_per_gas: 20 * u128::from(GWEI),
            max_priority_fee_per_gas: u128::from(GWEI),
        },
    };
    let signed = lab.guardian.sign(&elsewhere).expect("signed");
    lab.rpc().send_raw_transaction(&signed.raw).await.expect("accepted");
    lab.mine().await.expect("mined");

    lab.launch(&attack, AttackFees { tip: GWEI, max_fee: 10 * GWEI }).await.expect("sent");
    let sent = report(&mut reports, status(ActionStatus::Sent)).await;
    assert_eq!(sent.record.nonce, Some(1), "resynced after `nonce too low`");
    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| !r.status().is_open()).await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);
    vigil.stop().await.expect("stopped");
}
