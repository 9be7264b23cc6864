//! `vigil demo`: a local anvil, a pausable token deployed on it, a little traffic (transfers,
//! approvals, a mint, then the guardian's pause) and vigil judging it live on the console.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use alloy::{
    dyn_abi::{DynSolValue, JsonAbiExt},
    json_abi::{Function, JsonAbi},
};
use alloy_primitives::{Address, U256};
use anyhow::{Context, anyhow};
use vigil_testkit::{Anvil, AnvilOptions, DEV_ACCOUNTS, RpcClient, TxRequest};

use crate::{cmd::run, cmd::run::RunArgs};

/// Arguments of `vigil demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Seconds to keep watching after the traffic was sent.
    #[arg(long, default_value_t = 4)]
    linger: u64,
}

const ARTIFACT: &str = "range/artifacts/Token.json";

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let artifact_path = find(ARTIFACT)?;
    let artifact: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&artifact_path)?)?;
    let abi: JsonAbi = serde_json::from_value(artifact["abi"].clone()).context("token ABI")?;
    let bytecode =
        artifact["bytecode"].as_str().ok_or_else(|| anyhow!("token artifact has no bytecode"))?;

    let anvil =
        Anvil::spawn(AnvilOptions { no_mining: false, block_time: Some(1), ..Default::default() })?;
    let rpc = anvil.rpc();
    let accounts: Vec<Address> = DEV_ACCOUNTS.iter().filter_map(|a| a.parse().ok()).collect();
    let (owner, guardian, alice, bob) = (accounts[0], accounts[1], accounts[2], accounts[3]);
    eprintln!("anvil listening on {} (block time 1 s)", anvil.ws_url());

    let constructor = abi.constructor().ok_or_else(|| anyhow!("token has no constructor"))?;
    let args_encoded = constructor.abi_encode_input(&[
        DynSolValue::String("Demo Dollar".into()),
        DynSolValue::String("DUSD".into()),
        DynSolValue::Address(guardian),
    ])?;
    let init = format!("{bytecode}{}", hex_of(&args_encoded));
    let token = deploy(&rpc, owner, &init).await?;
    eprintln!("deployed pausable token at {token}");

    let dir = tempdir()?;
    let config_path = dir.join("vigil-demo.toml");
    std::fs::write(&config_path, config(&anvil.ws_url(), token, &artifact_path, &dir))?;
    eprintln!("vigil config: {}", config_path.display());

    let watcher = tokio::spawn(run::run(RunArgs {
        config: config_path,
        record_events: None,
        stats_interval: 0,
        duration: Some(args.linger + 8),
    }));
    tokio::time::sleep(Duration::from_millis(800)).await;

    let call = |sig: &str, values: Vec<DynSolValue>| -> anyhow::Result<String> {
        let function = Function::parse(sig)?;
        Ok(format!("0x{}", hex_of(&function.abi_encode_input(&values)?)))
    };
    let amount = |units: u64| {
        DynSolValue::Uint(U256::from(units) * U256::from(10u64).pow(U256::from(18u64)), 256)
    };
    let traffic = [
        (owner, call("mint(address,uint256)", vec![DynSolValue::Address(alice), amount(1_000)])?),
        (alice, call("transfer(address,uint256)", vec![DynSolValue::Address(bob), amount(25)])?),
        (bob, call("approve(address,uint256)", vec![DynSolValue::Address(alice), amount(10)])?),
        (alice, call("transfer(address,uint256)", vec![DynSolValue::Address(bob), amount(5)])?),
        (guardian, call("pause()", vec![])?),
    ];
    for (from, input) in traffic {
        let tx = TxRequest { from, to: Some(token), input: Some(input), ..Default::default() };
        rpc.send_transaction(&tx).await?;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let outcome = watcher.await.map_err(|e| anyhow!("monitor task failed: {e}"))??;
    drop(anvil);
    Ok(outcome)
}

async fn deploy(rpc: &RpcClient, from: Address, init: &str) -> anyhow::Result<Address> {
    let hash = rpc
        .send_transaction(&TxRequest { from, input: Some(init.to_owned()), ..Default::default() })
        .await?;
    for _ in 0..50 {
        if let Some(receipt) = rpc.receipt(hash).await? {
            let address = receipt["contractAddress"].as_str().unwrap_or_default();
            return address.parse().map_err(|_| anyhow!("deployment receipt without address"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(anyhow!("deployment {hash} was not mined"))
}

fn config(ws: &str, token: Address, abi: &std::path::Path, dir: &std::path::Path) -> String {
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
listed_functions = {{ "pause" = "HIGH", "mint" = "MEDIUM", "transferOwnership" = "HIGH" }}

[sinks.console]
type = "console"
color = true

[sinks.store]
type = "store"
url = "sqlite://{db}"
"#,
        abi = abi.display(),
        db = dir.join("findings.db").display(),
    )
}

fn find(relative: &str) -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    cwd.ancestors()
        .map(|dir| dir.join(relative))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow!("{relative} not found: run the demo from the repository"))
}

fn tempdir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("vigil-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
