use std::{process::Command, time::Duration};

use crate::support::*;

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

#[test]
fn check_config_reports_three_mistakes_with_paths_and_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        r#"chain_id = 31337
mode = "loud"

[sources.mempool]
type = "mempool"
endpoints = ["http://127.0.0.1:8545"]

[analyzers.watchlist]
type = "watchlist"
value_above_wei = "a lot"

[sinks.console]
type = "consol"
"#,
    )
    .expect("write config");
    let out = vigil().arg("check-config").arg(&path).output().expect("run vigil");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for path in [
        "mode:",
        "sinks.console:",
        "sources.mempool.endpoints[0]:",
        "analyzers.watchlist.value_above_wei:",
    ] {
        assert!(stderr.contains(path), "missing {path} in:\n{stderr}");
    }
}

#[test]
fn check_config_accepts_a_good_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("good.toml");
    std::fs::write(
        &path,
        "chain_id = 1\n[sources.m]\ntype = \"mempool\"\nendpoints = [\"ws://127.0.0.1:1\"]\n",
    )
    .expect("write");
    let out = vigil().arg("check-config").arg(&path).output().expect("run vigil");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_of_recorded_events_gives_byte_identical_findings() {
    let anvil = start_anvil().await;
    let rpc = anvil.rpc();
    let token = deploy_token(&rpc).await;
    let (abi_path, _, _) = token_artifact();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("vigil.toml");
    std::fs::write(
        &config,
        format!(
            r#"chain_id = 31337
mode = "alert_only"
[[contracts]]
name = "token"
address = "{token}"
abi = "{abi}"
[sources.mempool]
type = "mempool"
endpoints = ["{ws}"]
[sources.blocks]
type = "blocks"
endpoints = ["{ws}"]
[analyzers.watchlist]
type = "watchlist"
listed_functions = {{ "pause" = "HIGH" }}
value_above_wei = "5"
"#,
            abi = abi_path.display(),
            ws = anvil.ws_url()
        ),
    )
    .expect("config");
    let events = dir.path().join("events.jsonl");
    let mut live = tokio::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["run", "--stats-interval", "0", "--duration", "6", "--config"])
        .arg(&config)
        .arg("--record-events")
        .arg(&events)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start vigil run");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a = accounts();
    for i in 0..12 {
        transfer(&rpc, token, a[2 + i % 5], i as u64).await;
        if i % 4 == 3 {
            rpc.mine(1).await.expect("mine");
        }
    }
    let pause = calldata("pause()", &[]);
    rpc.send_transaction(&vigil_testkit::TxRequest {
        from: a[1],
        to: Some(token),
        input: Some(pause),
        ..Default::default()
    })
    .await
    .expect("pause");
    rpc.mine(1).await.expect("mine");
    let status = live.wait().await.expect("vigil run ends");
    assert!(status.success());

    let replay = |out: &std::path::Path| {
        vigil()
            .args(["replay", "--config"])
            .arg(&config)
            .arg("--events")
            .arg(&events)
            .arg("--findings")
            .arg(out)
            .output()
            .expect("run replay")
    };
    let (first, second) = (dir.path().join("first.jsonl"), dir.path().join("second.jsonl"));
    for out in [&first, &second] {
        let done = replay(out);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    }
    let (first, second) =
        (std::fs::read(&first).expect("first"), std::fs::read(&second).expect("second"));
    let lines = String::from_utf8_lossy(&first).lines().count();
    assert!(lines >= 13, "one finding per tx, got {lines}");
    assert!(String::from_utf8_lossy(&first).contains("\"HIGH\""), "the pause is HIGH");
    assert_eq!(first, second, "replays differ");

    // The same chain replayed from the node's blocks: deterministic too, and it sees every
    // monitored transaction that was mined (the pause included).
    let head = rpc.block_number().await.expect("head");
    let from_blocks = |out: &std::path::Path| {
        vigil()
            .args(["replay", "--config"])
            .arg(&config)
            .args(["--blocks", &format!("0..{head}"), "--endpoint", &anvil.ws_url(), "--findings"])
            .arg(out)
            .output()
            .expect("run block replay")
    };
    let (third, fourth) = (dir.path().join("third.jsonl"), dir.path().join("fourth.jsonl"));
    for out in [&third, &fourth] {
        let done = from_blocks(out);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    }
    let (third, fourth) =
        (std::fs::read(&third).expect("third"), std::fs::read(&fourth).expect("fourth"));
    assert_eq!(third, fourth, "block replays differ");
    let text = String::from_utf8_lossy(&third);
    assert!(text.lines().count() >= 13, "{text}");
    assert!(text.contains("\"HIGH\""), "the pause is HIGH");
}
