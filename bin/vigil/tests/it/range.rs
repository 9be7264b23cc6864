//! The attack range through the binary: the config `vigil range deploy` writes is valid for
//! `vigil check-config` (alert-only and active-defense), and `vigil demo` — the real `vigil run`
//! in active_defense against the range — pauses each attack's target before it lands.

use std::{path::PathBuf, process::Command};

use vigil_range::{
    Chain, DefenseOptions, MiningMode, RangeDeployment, RangeLayout, VigilConfigOptions,
};

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

fn artifacts() -> PathBuf {
    vigil_range::artifacts::range_dir().join("artifacts")
}

fn check(config: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("range.toml");
    std::fs::write(&path, config).expect("write config");
    let out = vigil().arg("check-config").arg(&path).output().expect("run vigil");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_configs_pass_check_config_in_both_modes() {
    let layout = RangeLayout::small();
    let anvil = layout.spawn_node(None).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    let data = tempfile::tempdir().expect("tempdir");
    let alert_only = VigilConfigOptions {
        abi_dir: artifacts(),
        data_dir: data.path().to_owned(),
        ..VigilConfigOptions::new(&anvil.ws_url())
    };
    let (code, stderr) = check(&range.vigil_config_with(&alert_only));
    assert_eq!(code, Some(0), "{stderr}");

    let defended = VigilConfigOptions {
        defense: Some(DefenseOptions {
            rpc_url: anvil.http_url(),
            keystore: data.path().join("guardian.json"),
            password_env: "VIGIL_TEST_UNUSED_PASSWORD".into(),
        }),
        ..alert_only
    };
    let text = range.vigil_config_with(&defended);
    assert!(text.contains("mode = \"active_defense\""), "{text}");
    let (code, stderr) = check(&text);
    assert_eq!(code, Some(0), "{stderr}");

    // The executor may only pause contracts of the config.
    let (code, stderr) = check(&text.replace("\"treasury\"]", "\"treasury\", \"mint\"]"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("sinks.guardian.protect"), "{stderr}");
}

#[test]
fn demo_pauses_every_attack_before_it_lands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigil()
        .args(["demo", "--no-color", "--pace-ms", "0", "--dir"])
        .arg(dir.path().join("demo"))
        .output()
        .expect("run vigil demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = std::fs::read_to_string(dir.path().join("demo/vigil-run.log")).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{log}");
    assert_eq!(stdout.matches("✔ funds saved").count(), 2, "{stdout}");
    assert!(stdout.contains("tamper-evident ledger verified"), "{stdout}");
    let pause_first = stdout.lines().filter(|l| l.contains("#0: pause() by vigil's guardian"));
    assert_eq!(pause_first.count(), 2, "{stdout}");
    assert!(!stdout.contains("attacker's tx 1 — succeeded"), "{stdout}");
}
