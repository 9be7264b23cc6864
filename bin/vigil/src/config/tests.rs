use super::*;

const GOOD: &str = r#"
chain_id = 31337
mode = "alert_only"

[sources.mempool]
type = "mempool"
endpoints = ["ws://127.0.0.1:8545"]

[analyzers.watchlist]
type = "watchlist"
listed_functions = { "pause" = "HIGH" }

[sinks.console]
type = "console"
"#;

#[test]
fn parses_a_good_config() {
    let config = Config::parse(GOOD).expect("valid");
    assert_eq!(config.chain_id, 31337);
    assert_eq!(config.mode, Mode::AlertOnly);
    assert_eq!(config.sources.len(), 1);
}

#[test]
fn reports_every_mistake_with_its_path() {
    let bad = GOOD
        .replace("mode = \"alert_only\"", "mode = \"loud\"")
        .replace(
            "endpoints = [\"ws://127.0.0.1:8545\"]",
            "endpoints = [\"http://127.0.0.1:8545\"]\nreconect = true",
        )
        .replace("type = \"console\"", "type = \"consol\"");
    let problems = Config::parse(&bad).expect_err("three mistakes").0;
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["mode", "sources.mempool", "sinks.console"], "{problems:?}");
    assert!(problems[1].message.contains("reconect"), "{problems:?}");
}

#[test]
fn value_problems_carry_field_paths() {
    let bad = GOOD.replace("endpoints = [\"ws://127.0.0.1:8545\"]", "endpoints = [\"http://x\"]");
    let problems = Config::parse(&bad).expect_err("bad url").0;
    assert_eq!(problems[0].path, "sources.mempool.endpoints[0]");
}

const DEFENDED: &str = r#"
chain_id = 31337
mode = "active_defense"

[[contracts]]
name = "vault"
address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"

[sources.mempool]
type = "mempool"
endpoints = ["ws://127.0.0.1:8545"]
all_transactions = true

[analyzers.classifier]
type = "tx_classifier"

[analyzers.fees]
type = "priority_fee"

[analyzers.prices]
type = "price_anomaly"
pools = [{ address = "0x5FbDB2315678afecb367f032d93F642f64180aa3" }]

[sinks.console]
type = "console"

[sinks.guardian]
type = "pause_executor"
rpc_url = "http://127.0.0.1:8545"
protect = ["vault"]
key = { source = "env", var = "VIGIL_GUARDIAN_KEY" }
report_to = ["console"]
"#;

#[test]
fn parses_every_analyzer_and_the_executor() {
    let config = Config::parse(DEFENDED).expect("valid");
    assert_eq!(config.mode, Mode::ActiveDefense);
    assert!(matches!(config.analyzers["classifier"], AnalyzerConfig::TxClassifier(_)));
    assert!(matches!(config.analyzers["fees"], AnalyzerConfig::PriorityFee(_)));
    assert!(matches!(config.analyzers["prices"], AnalyzerConfig::PriceAnomaly(_)));
    assert!(matches!(config.sinks["guardian"], SinkConfig::PauseExecutor(_)));
    let SourceConfig::Mempool(mempool) = &config.sources["mempool"] else { panic!("mempool") };
    assert!(mempool.all_transactions);
}

#[test]
fn component_mistakes_are_reported_with_their_paths() {
    let bad = DEFENDED
        .replace("type = \"tx_classifier\"", "type = \"tx_classifier\"\nthreshold = 1.5")
        .replace("type = \"priority_fee\"", "type = \"priority_fee\"\nwindow_hours = 10")
        .replace("protect = [\"vault\"]", "protect = [\"vault\", \"bridge\"]")
        .replace("report_to = [\"console\"]", "report_to = [\"console\", \"pager\", \"guardian\"]");
    let problems = Config::parse(&bad).expect_err("mistakes").0;
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "analyzers.classifier.threshold",
        "analyzers.fees.window_hours",
        "sinks.guardian.report_to[1]",
        "sinks.guardian.report_to[2]",
    ] {
        assert!(paths.contains(&expected), "{expected} missing from {problems:?}");
    }
    assert!(paths.iter().any(|p| p.starts_with("sinks.guardian.protect")), "{problems:?}");
}
