use std::{path::PathBuf, sync::Arc, time::Duration};

use alloy::{
    dyn_abi::{DynSolValue, JsonAbiExt},
    json_abi::{Function, JsonAbi},
};
use alloy_primitives::{Address, B256, U256};
use tokio::sync::oneshot;
use vigil_chain::{
    BlockSource, BlockSourceConfig, CallDecoder, MempoolSource, MempoolSourceConfig,
    MonitoredContracts, SourceHealth,
};
use vigil_pipeline::{Delivery, Engine, RunReport, Sink};
use vigil_rules::{WatchlistAnalyzer, WatchlistConfig};
use vigil_testkit::{Anvil, CollectSink, Collected, DEV_ACCOUNTS, RpcClient, TxRequest};
use vigil_types::{Finding, Mode, SinkRole, Subject};

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

pub(crate) fn accounts() -> Vec<Address> {
    DEV_ACCOUNTS.iter().map(|a| a.parse().expect("dev account")).collect()
}

pub(crate) fn token_artifact() -> (PathBuf, JsonAbi, String) {
    let path = repo_root().join("range/artifacts/Token.json");
    let text = std::fs::read_to_string(&path).expect("range/artifacts/Token.json");
    let artifact: serde_json::Value = serde_json::from_str(&text).expect("artifact json");
    let abi = serde_json::from_value(artifact["abi"].clone()).expect("abi");
    let bytecode = artifact["bytecode"].as_str().expect("bytecode").to_owned();
    (path, abi, bytecode)
}

/// Deploys the range's pausable token (owner = account 0, guardian = account 1) and mints
/// plenty to accounts 2..10.
pub(crate) async fn deploy_token(rpc: &RpcClient) -> Address {
    let (_, abi, bytecode) = token_artifact();
    let a = accounts();
    let args = abi
        .constructor()
        .expect("constructor")
        .abi_encode_input(&[
            DynSolValue::String("Test".into()),
            DynSolValue::String("TST".into()),
            DynSolValue::Address(a[1]),
        ])
        .expect("encode");
    let token =
        rpc.deploy(a[0], &format!("{bytecode}{}", hex::encode(args))).await.expect("deploy");
    for holder in &a[2..] {
        let input = calldata(
            "mint(address,uint256)",
            &[
                DynSolValue::Address(*holder),
                DynSolValue::Uint(U256::from(10u64).pow(U256::from(24u64)), 256),
            ],
        );
        rpc.send_transaction(&TxRequest {
            from: a[0],
            to: Some(token),
            input: Some(input),
            ..Default::default()
        })
        .await
        .expect("mint");
    }
    rpc.mine(1).await.expect("mine");
    // An empty head: a watch that starts now sees no transaction from this set-up.
    rpc.mine(1).await.expect("mine");
    token
}

pub(crate) fn calldata(sig: &str, args: &[DynSolValue]) -> String {
    let function = Function::parse(sig).expect("signature");
    format!("0x{}", hex::encode(function.abi_encode_input(args).expect("encode")))
}

/// A token transfer of `n` wei from `from` to account 9.
pub(crate) async fn transfer(rpc: &RpcClient, token: Address, from: Address, n: u64) -> B256 {
    let to = accounts()[9];
    let input = calldata(
        "transfer(address,uint256)",
        &[DynSolValue::Address(to), DynSolValue::Uint(U256::from(n), 256)],
    );
    let tx = TxRequest {
        from,
        to: Some(token),
        input: Some(input),
        gas: Some(100_000),
        ..Default::default()
    };
    rpc.send_transaction(&tx).await.expect("send transfer")
}

pub(crate) fn contracts_for(token: Address) -> Arc<MonitoredContracts> {
    let (_, abi, _) = token_artifact();
    Arc::new(MonitoredContracts::from_abis([("token".to_owned(), token, Some(abi))]))
}

/// A live engine watching `token` through `endpoint` with mempool + blocks sources, the
/// watchlist, a collecting sink and any extra sinks.
pub(crate) struct Watch {
    pub(crate) collected: Collected,
    pub(crate) mempool: SourceHealth,
    pub(crate) blocks: SourceHealth,
    stop: Option<oneshot::Sender<()>>,
    run: tokio::task::JoinHandle<RunReport>,
}

pub(crate) fn watch(
    endpoint: &str,
    token: Address,
    fast: bool,
    extra: Vec<Box<dyn Sink>>,
) -> Watch {
    let contracts = contracts_for(token);
    let decoder = Arc::new(CallDecoder::new(&contracts));
    let tune = |idle: u64| if fast { idle } else { 15_000 };
    let mempool_config = MempoolSourceConfig::new(vec![endpoint.to_owned()])
        .with_idle_timeout_ms(tune(700))
        .with_backoff(20, 300);
    let blocks_config = BlockSourceConfig::new(vec![endpoint.to_owned()])
        .with_idle_timeout_ms(tune(700))
        .with_backoff(20, 300);
    let mempool =
        MempoolSource::new("mempool", 31337, mempool_config, contracts.clone(), decoder.clone());
    let blocks = BlockSource::new("blocks", 31337, blocks_config, contracts, decoder);
    let (mempool_health, blocks_health) = (mempool.health(), blocks.health());
    let (collect, collected) = CollectSink::new("collect", SinkRole::Store);
    let mut builder = Engine::builder(Mode::AlertOnly, Delivery::Live)
        .source(Box::new(mempool))
        .source(Box::new(blocks))
        .analyzer(Box::new(WatchlistAnalyzer::new(
            "watchlist",
            WatchlistConfig::default(),
            Default::default(),
        )))
        .sink(Box::new(collect));
    for sink in extra {
        builder = builder.sink(sink);
    }
    let engine = builder.build();
    let (stop, stopped) = oneshot::channel::<()>();
    let run = tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    Watch { collected, mempool: mempool_health, blocks: blocks_health, stop: Some(stop), run }
}

impl Watch {
    pub(crate) async fn stop(mut self) -> RunReport {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), &mut self.run)
            .await
            .expect("engine stops")
            .expect("engine task")
    }

    /// Waits until findings cover every hash in `hashes` (or the timeout passes).
    pub(crate) async fn wait_for_txs(&self, hashes: &[B256], timeout: Duration) -> Vec<Finding> {
        self.collected
            .wait_for(timeout, |findings| {
                hashes.iter().all(|h| findings.iter().any(|f| tx_hash(f) == Some(*h)))
            })
            .await
    }
}

pub(crate) fn tx_hash(finding: &Finding) -> Option<B256> {
    match finding.subject {
        Subject::Tx { hash } => Some(hash),
        _ => None,
    }
}

pub(crate) async fn start_anvil() -> Anvil {
    Anvil::spawn(Default::default()).expect("anvil starts (run `npm ci` at the repository root)")
}

/// Waits until the node holds `n` pending transactions (so they were accepted).
pub(crate) async fn settle() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}
