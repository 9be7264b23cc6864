use vigil_chain::MonitoredContracts;
use vigil_classifier::{TxClassifier, TxClassifierConfig};
use vigil_defense::{ActionStatus, lab::AttackFees};
use vigil_range::attacks::{AttackKind, Route};

use crate::support::*;

/// The exploit classifier judges every pending transaction; the attack is a contract
/// creation whose constructor drains the vault, so the finding names no target and the
/// executor finds the vault by tracing the pending transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classifier_detected_constructor_attack_is_paused_first() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack = lab
        .prepare(AttackKind::Reentrancy, Route::Constructor, attacker, 26)
        .await
        .expect("prepared");
    let executor = lab.executor(&lab.executor_config("classifier.db")).await.expect("executor");
    let mut reports = executor.reports();
    let classifier =
        TxClassifier::new("tx_classifier", TxClassifierConfig::default()).expect("shipped model");
    let vigil = lab
        .start_vigil_with(
            executor,
            vec![Box::new(classifier)],
            MonitoredContracts::default(),
            vec![],
        )
        .await
        .expect("vigil");

    let before = lab.holdings(attack.target).await.expect("holdings");
    let hashes =
        lab.launch(&attack, AttackFees { tip: 2 * GWEI, max_fee: 30 * GWEI }).await.expect("sent");
    let sent = report(&mut reports, status(ActionStatus::Sent)).await;
    assert_eq!(sent.record.target, lab.range.contracts.vault, "found by tracing the creation");
    assert_eq!(sent.record.detail["analyzer"], "tx_classifier");
    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| !r.status().is_open()).await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);
    let (ok, block, index) =
        lab.position(our_hash(&sent)).await.expect("receipt").expect("pause mined");
    let (attack_ok, attack_block, attack_index) =
        lab.position(hashes[0]).await.expect("receipt").expect("mined");
    assert!(ok && !attack_ok && block == attack_block && index < attack_index);
    assert_eq!(lab.holdings(attack.target).await.expect("holdings"), before);
    vigil.stop().await.expect("stopped");
}
