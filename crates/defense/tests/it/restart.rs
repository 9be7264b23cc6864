use std::time::Duration;

use vigil_defense::{
    ActionStatus, ExecutorStats, KeySource, PauseExecutor,
    lab::{AttackFees, Vigil},
};
use vigil_range::attacks::{AttackKind, Route};
use vigil_types::{B256, Subject};

use crate::support::*;

/// Waits until the executor has handled every finding the engine produced, the one about
/// `attack` included.
async fn settled(vigil: &Vigil, stats: &ExecutorStats, attack: B256) {
    let wait = async {
        loop {
            let findings = vigil.findings();
            let seen = findings
                .iter()
                .any(|f| f.analyzer == "watchlist" && f.subject == Subject::Tx { hash: attack });
            if seen && stats.snapshot().received >= findings.len() as u64 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait).await.expect("executor did not catch up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_between_detection_and_mining_sends_no_second_pause() {
    let mut lab = lab().await;
    let attacker = lab.range.attackers[0];
    let attack = lab
        .prepare(AttackKind::OwnershipTakeover, Route::Direct, attacker, 11)
        .await
        .expect("prepared");
    let config = lab.executor_config("restart.db");
    let first = lab.executor(&config).await.expect("executor");
    let mut reports = first.reports();
    let running = vigil(&lab, first, &[&attack]).await;
    let hashes =
        lab.launch(&attack, AttackFees { tip: 3 * GWEI, max_fee: 30 * GWEI }).await.expect("sent");
    let sent = report(&mut reports, status(ActionStatus::Sent)).await;
    running.stop().await.expect("stopped");
    assert_eq!(guardian_nonce(&lab).await, 1);

    // A new process: the mempool source re-reads the pool, so the attack is judged again.
    let second = lab.executor(&config).await.expect("executor after restart");
    let stats = second.stats();
    let mut reports = second.reports();
    let running = vigil(&lab, second, &[&attack]).await;
    settled(&running, &stats, hashes[0]).await;
    assert_eq!(guardian_nonce(&lab).await, 1, "no second pause after the restart");
    assert_eq!(stats.snapshot().acted, 0, "{:?}", stats.snapshot());

    // The action from before the restart is still watched to its end.
    lab.mine().await.expect("mined");
    let done = report(&mut reports, |r| {
        r.record.finding_id == sent.record.finding_id && !r.status().is_open()
    })
    .await;
    assert_eq!(done.status(), ActionStatus::Saved, "{}", done.record.reason);
    let (ok, block, index) =
        lab.position(our_hash(&sent)).await.expect("receipt").expect("pause mined");
    for hash in &hashes {
        let (attack_ok, attack_block, attack_index) =
            lab.position(*hash).await.expect("receipt").expect("mined");
        assert!(ok && !attack_ok && block == attack_block && index < attack_index);
    }
    running.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builds_from_an_encrypted_keystore_with_the_password_from_the_environment() {
    let lab = lab().await;
    // The test process cannot set variables (no unsafe code), so it uses one the test runner
    // always sets; the executor reads it exactly as it reads VIGIL_KEYSTORE_PASSWORD.
    let password = std::env::var("CARGO_PKG_NAME").expect("set by the test runner");
    let path = lab.write_keystore(&password).expect("keystore written");
    let mut config = lab.executor_config("keystore.db");
    config.key = KeySource::Keystore { path, password_env: "CARGO_PKG_NAME".into() };
    let executor =
        PauseExecutor::build("guardian", &config, &lab.contracts()).await.expect("built");
    assert_eq!(executor.guardian(), lab.guardian.address());
    let shown = format!("{executor:?} {config:?}");
    assert!(!shown.contains(&password), "{shown}");

    config.key = KeySource::Keystore {
        path: lab.dir.path().join("guardian.json"),
        password_env: "PATH".into(),
    };
    let error = PauseExecutor::build("guardian", &config, &lab.contracts())
        .await
        .expect_err("wrong password");
    assert!(error.to_string().contains("failed to decrypt keystore"), "{error}");
}
