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
