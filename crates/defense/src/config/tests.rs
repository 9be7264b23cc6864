use std::path::PathBuf;

use vigil_types::Address;

use super::*;

const MINIMAL: &str = r#"
rpc_url = "http://127.0.0.1:8545"
protect = ["vault"]
key = { source = "keystore", path = "/etc/vigil/guardian.json", password_env = "VIGIL_KEYSTORE_PASSWORD" }
"#;

fn contract(name: &str, byte: u8, guardian: &str) -> ContractConfig {
    ContractConfig {
        name: name.into(),
        address: Address::repeat_byte(byte),
        abi: None,
        guardian_function: guardian.into(),
    }
}

#[test]
fn parses_a_minimal_config_with_safe_defaults() {
    let config: PauseExecutorConfig = toml::from_str(MINIMAL).expect("valid");
    assert_eq!(config.min_threat_level, ThreatLevel::High);
    assert_eq!(config.min_confidence, 0.8);
    assert_eq!(config.tip_multiplier, 1.5);
    assert_eq!(config.allowed_functions, ["pause()"]);
    assert_eq!(
        config.key,
        KeySource::Keystore {
            path: PathBuf::from("/etc/vigil/guardian.json"),
            password_env: "VIGIL_KEYSTORE_PASSWORD".into()
        }
    );
    assert!(!config.dry_run);
    assert!(config.problems().is_empty(), "{:?}", config.problems());
    assert_eq!(config.fee_strategy().multiplier_milli, 1500);
}

#[test]
fn rejects_unknown_fields_and_keys_in_the_file() {
    let typo = format!("{MINIMAL}\ntip_multiplyer = 2.0\n");
    assert!(toml::from_str::<PauseExecutorConfig>(&typo).is_err());
    // A key can never be written into the config: only the name of a variable.
    let inline = MINIMAL.replace(
        r#"key = { source = "keystore", path = "/etc/vigil/guardian.json", password_env = "VIGIL_KEYSTORE_PASSWORD" }"#,
        r#"key = { source = "env", var = "K", private_key = "0x01" }"#,
    );
    assert!(toml::from_str::<PauseExecutorConfig>(&inline).is_err());
}

#[test]
fn reports_every_problem_with_its_path() {
    let mut config: PauseExecutorConfig = toml::from_str(MINIMAL).expect("valid");
    config.rpc_url = "ws://127.0.0.1:8545".into();
    config.protect.clear();
    config.min_confidence = 1.5;
    config.tip_multiplier = 5.0;
    config.gas_padding = 0.5;
    config.max_tx_cost = Wei(0);
    config.replace_after_blocks = 0;
    config.poll_interval_ms = 1;
    config.allowed_functions = vec!["pause(uint256)".into()];
    config.key = KeySource::Env { var: " ".into() };
    config.journal_url = "mysql://x".into();
    let fields: Vec<String> = config.problems().into_iter().map(|(field, _)| field).collect();
    for want in [
        "rpc_url",
        "protect",
        "min_confidence",
        "tip_multiplier",
        "gas_padding",
        "max_tx_cost",
        "replace_after_blocks",
        "poll_interval_ms",
        "allowed_functions[0]",
        "key.var",
        "journal_url",
    ] {
        assert!(fields.iter().any(|f| f == want), "missing {want} in {fields:?}");
    }
}

#[test]
fn resolves_protected_contracts_and_checks_their_guardian_calls() {
    let contracts = [
        contract("vault", 1, "pause()"),
        contract("bridge", 2, "halt()"),
        contract("token", 3, "pause()"),
    ];
    let mut config: PauseExecutorConfig = toml::from_str(MINIMAL).expect("valid");
    let protected = config.protected(&contracts).expect("vault only");
    assert_eq!(protected.len(), 1);
    assert_eq!(protected[0].address, Address::repeat_byte(1));

    config.protect = vec!["*".into()];
    let problems = config.protected(&contracts).expect_err("halt() not allowed");
    assert!(
        problems.iter().any(|(_, m)| m.contains("halt() of contract `bridge` is not allowed")),
        "{problems:?}"
    );
    config.allowed_functions.push("halt()".into());
    assert_eq!(config.protected(&contracts).expect("all").len(), 3);

    config.protect = vec!["vault".into(), "vualt".into()];
    let problems = config.problems_with(&contracts);
    assert_eq!(
        problems,
        [("protect[1]".to_owned(), "no [[contracts]] entry is named `vualt`".to_owned())]
    );
}

#[test]
fn parses_caps_with_units() {
    let text = format!(
        "{MINIMAL}\nmax_tx_cost = \"0.01 ether\"\nmax_hourly_spend = \"0.02 ether\"\nmax_daily_spend = 100000000000000000\ntip_floor = \"2 gwei\"\n"
    );
    let config: PauseExecutorConfig = toml::from_str(&text).expect("valid");
    assert_eq!(
        config.caps(),
        SpendCaps {
            per_tx: 10_000_000_000_000_000,
            per_hour: 20_000_000_000_000_000,
            per_day: 100_000_000_000_000_000
        }
    );
    assert_eq!(config.fee_strategy().tip_floor, 2_000_000_000);
}
