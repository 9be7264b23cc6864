//! The defense on the attack range: a real anvil (`--order fees`), the range deployed on it
//! with a fresh guardian key (encrypted keystore, never an anvil dev key), and vigil's real
//! engine — mempool source, watchlist, [`PauseExecutor`] — in `active_defense` mode. Used by
//! the integration tests and `vigil defense-bench` ([`bench`]); `vigil demo` runs the real
//! `vigil run` on the same lab.

mod attack;
pub mod bench;

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use alloy::{json_abi::JsonAbi, sol, sol_types::SolCall};
use vigil_chain::{
    CallDecoder, ContractConfig, MempoolSource, MempoolSourceConfig, MonitoredContracts,
};
use vigil_pipeline::{Analyzer, Delivery, Engine, RunReport, Sink};
use vigil_range::{
    Chain, MiningMode, PlannedTx, RangeDeployment, RangeLayout, artifacts::artifact,
};
use vigil_rules::{WatchlistAnalyzer, WatchlistConfig};
use vigil_testkit::{Anvil, CollectSink, Collected, RpcClient, TxRequest};
use vigil_types::{Address, Mode, SinkRole, U256};

pub use self::attack::{AttackFees, PreparedAttack};
use crate::{
    DefenseError, GuardianKey, KeySource, PauseExecutor, PauseExecutorConfig, Result, Wei,
};

sol! {
    interface IGuardedLab {
        function setGuardian(address newGuardian) external;
        function pause() external;
        function unpause() external;
        function paused() external view returns (bool);
        function transfer(address to, uint256 amount) external returns (bool);
    }
}

pub(crate) fn range_error(error: impl std::fmt::Display) -> DefenseError {
    DefenseError::Range(error.to_string())
}

/// A deployed range with its own guardian, ready for vigil.
#[derive(Debug)]
pub struct DefenseLab {
    anvil: Anvil,
    rpc: RpcClient,
    /// The range's node driver (manual mining).
    pub chain: Chain,
    /// Where everything is.
    pub range: RangeDeployment,
    /// The guardian key every victim trusts to pause it.
    pub guardian: GuardianKey,
    /// A scratch directory (keystore, journals); removed on drop.
    pub dir: tempfile::TempDir,
}

impl DefenseLab {
    /// Starts anvil (`--no-mining --order fees`), deploys the range with `layout`, and hands
    /// the guardian role of every victim to a fresh key.
    pub async fn start(layout: RangeLayout) -> Result<Self> {
        let anvil = Anvil::spawn(layout.anvil_options()).map_err(range_error)?;
        let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.map_err(range_error)?;
        let range = RangeDeployment::deploy(&mut chain, layout).await.map_err(range_error)?;
        let guardian = GuardianKey::random();
        let dir = tempfile::tempdir().map_err(range_error)?;
        let rpc = anvil.rpc();
        let mut lab = Self { anvil, rpc, chain, range, guardian, dir };
        lab.install_guardian().await?;
        Ok(lab)
    }

    async fn install_guardian(&mut self) -> Result<()> {
        let owner = self.range.roles.owner;
        let call = IGuardedLab::setGuardianCall { newGuardian: self.guardian.address() };
        let mut txs = Vec::new();
        for victim in self.range.victims() {
            txs.push(
                PlannedTx::call(owner, victim.address, &call, 100_000).with_tip(1_000_000_000),
            );
        }
        self.chain.execute(&txs).await.map_err(range_error)?;
        let ether = U256::from(10u64).pow(U256::from(18u64)) * U256::from(100u64);
        self.chain.set_balance(self.guardian.address(), ether).await.map_err(range_error)?;
        Ok(())
    }

    /// JSON-RPC over HTTP (one client, connections kept alive).
    pub fn rpc(&self) -> &RpcClient {
        &self.rpc
    }

    /// `http://127.0.0.1:PORT`.
    pub fn http_url(&self) -> String {
        self.anvil.http_url()
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn ws_url(&self) -> String {
        self.anvil.ws_url()
    }

    /// The victims as `[[contracts]]` entries (guardian call `pause()`).
    pub fn contracts(&self) -> Vec<ContractConfig> {
        self.range
            .victims()
            .into_iter()
            .map(|v| ContractConfig {
                name: v.name.into(),
                address: v.address,
                abi: None,
                guardian_function: "pause()".into(),
            })
            .collect()
    }

    /// An executor config protecting every victim, journal in the scratch directory, key
    /// from the keystore written by [`DefenseLab::write_keystore`].
    pub fn executor_config(&self, journal: &str) -> PauseExecutorConfig {
        let key = KeySource::Keystore {
            path: self.dir.path().join("guardian.json"),
            password_env: "VIGIL_GUARDIAN_PASSWORD".into(),
        };
        let mut config = PauseExecutorConfig::new(&self.http_url(), vec!["*".into()], key);
        config.journal_url = format!("sqlite://{}", self.dir.path().join(journal).display());
        config.poll_interval_ms = 20;
        config.max_tx_cost = Wei(100_000_000_000_000_000);
        config.max_hourly_spend = Wei(1_000_000_000_000_000_000);
        config.max_daily_spend = Wei(2_000_000_000_000_000_000);
        config
    }

    /// Writes the guardian key as an encrypted keystore (`guardian.json`) in the scratch
    /// directory.
    pub fn write_keystore(&self, password: &str) -> Result<PathBuf> {
        self.guardian.write_keystore(self.dir.path(), "guardian.json", password)
    }

    /// An executor for `config` signing with the lab's guardian key.
    pub async fn executor(&self, config: &PauseExecutorConfig) -> Result<PauseExecutor> {
        PauseExecutor::with_key("guardian", config, &self.contracts(), self.guardian.clone()).await
    }

    /// Victims plus `extra` contracts (attack helpers) with their ABIs, for the mempool
    /// source and the decoder.
    pub fn monitored(&self, extra: &[(String, Address, &str)]) -> MonitoredContracts {
        let abi = |name: &str| {
            artifact(name).ok().and_then(|a| serde_json::from_value::<JsonAbi>(a.abi.clone()).ok())
        };
        let victims = self
            .range
            .victims()
            .into_iter()
            .map(|v| (v.name.to_owned(), v.address, abi(v.artifact)));
        let helpers =
            extra.iter().map(|(name, address, artifact)| (name.clone(), *address, abi(artifact)));
        MonitoredContracts::from_abis(victims.chain(helpers).collect::<Vec<_>>())
    }

    /// Starts vigil in `active_defense`: mempool source → watchlist → `executor` (+ `sinks`),
    /// and waits until the mempool subscription delivers.
    pub async fn start_vigil(
        &self,
        executor: PauseExecutor,
        watchlist: WatchlistConfig,
        monitored: MonitoredContracts,
        sinks: Vec<Box<dyn Sink>>,
    ) -> Result<Vigil> {
        let names = names(&monitored);
        let analyzer = Box::new(WatchlistAnalyzer::new("watchlist", watchlist, names));
        self.start_vigil_with(executor, vec![analyzer], monitored, sinks).await
    }

    /// As [`DefenseLab::start_vigil`] with any analyzers (the exploit classifier, ...). An
    /// empty `monitored` set means every transaction is judged.
    pub async fn start_vigil_with(
        &self,
        executor: PauseExecutor,
        analyzers: Vec<Box<dyn Analyzer>>,
        monitored: MonitoredContracts,
        sinks: Vec<Box<dyn Sink>>,
    ) -> Result<Vigil> {
        let names = names(&monitored);
        let contracts = Arc::new(monitored);
        let decoder = Arc::new(CallDecoder::new(&contracts));
        let source = MempoolSource::new(
            "mempool",
            self.range.chain_id,
            MempoolSourceConfig::new(vec![self.ws_url()]),
            contracts.clone(),
            decoder,
        );
        // Every judged transaction becomes an INFO finding of the probe: how the lab knows
        // the engine sees the mempool.
        let (probe, seen) = CollectSink::new("probe", SinkRole::Store);
        let mut builder = Engine::builder(Mode::ActiveDefense, Delivery::Live)
            .source(Box::new(source))
            .analyzer(Box::new(WatchlistAnalyzer::new("probe", WatchlistConfig::default(), names)))
            .sink(Box::new(executor))
            .sink(Box::new(probe));
        for analyzer in analyzers {
            builder = builder.analyzer(analyzer);
        }
        for sink in sinks {
            builder = builder.sink(sink);
        }
        let engine = builder.build();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(engine.run(async move {
            let _ = stopped.await;
        }));
        let vigil = Vigil { stop: Some(stop), task, seen };
        self.probe(&vigil).await?;
        Ok(vigil)
    }

    /// Sends a harmless pending transaction to a victim and waits for vigil to judge it.
    async fn probe(&self, vigil: &Vigil) -> Result<()> {
        let user = self.range.users[0];
        let call = vigil_range_token_transfer(user);
        for _ in 0..50 {
            let before = vigil.seen.findings().iter().filter(|f| f.analyzer == "probe").count();
            let tx = TxRequest {
                from: user,
                to: Some(self.range.contracts.usd),
                input: Some(call.clone()),
                gas: Some(80_000),
                ..Default::default()
            };
            self.rpc().send_transaction(&tx).await.map_err(range_error)?;
            let probed = |f: &[vigil_types::Finding]| {
                f.iter().filter(|f| f.analyzer == "probe").count() > before
            };
            let found = vigil.seen.wait_for(Duration::from_millis(300), probed).await;
            if probed(&found) {
                return Ok(());
            }
        }
        Err(DefenseError::Range("vigil's mempool source never delivered".into()))
    }

    /// Mines one block now.
    pub async fn mine(&self) -> Result<()> {
        self.rpc().mine(1).await.map_err(range_error)
    }

    /// The owner unpauses `victim` (and the block is mined).
    pub async fn unpause(&mut self, victim: Address) -> Result<()> {
        let tx = self.range.unpause_tx(victim);
        self.chain.execute(&[tx]).await.map_err(range_error)?;
        Ok(())
    }

    /// Whether `victim` is paused.
    pub async fn is_paused(&self, victim: Address) -> Result<bool> {
        self.chain.call(victim, &IGuardedLab::pausedCall {}).await.map_err(range_error)
    }
}

fn names(monitored: &MonitoredContracts) -> HashMap<Address, String> {
    monitored.addresses().filter_map(|a| Some((*a, monitored.name(a)?.to_owned()))).collect()
}

/// The next report matching `want`, within 30 s.
pub async fn next_report(
    reports: &mut tokio::sync::broadcast::Receiver<crate::DefenseReport>,
    want: impl Fn(&crate::DefenseReport) -> bool,
) -> Result<crate::DefenseReport> {
    use tokio::sync::broadcast::error::RecvError;
    let wait = async {
        loop {
            match reports.recv().await {
                Ok(report) if want(&report) => return Ok(report),
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => {
                    return Err(DefenseError::Range("the executor stopped reporting".into()));
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .map_err(|_| DefenseError::Range("no defense report within 30 s".into()))?
}

/// A zero-amount token transfer to oneself, 0x-hex calldata.
fn vigil_range_token_transfer(to: Address) -> String {
    let call = IGuardedLab::transferCall { to, amount: U256::ZERO };
    format!("0x{}", hex::encode(call.abi_encode()))
}

/// vigil running in the background.
#[derive(Debug)]
pub struct Vigil {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<RunReport>,
    seen: Collected,
}

impl Vigil {
    /// Every finding the engine produced so far.
    pub fn findings(&self) -> Vec<vigil_types::Finding> {
        self.seen.findings()
    }

    /// Stops the engine (sinks drained and closed) and returns its report.
    pub async fn stop(self) -> Result<RunReport> {
        let Self { stop, task, .. } = self;
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        task.await.map_err(|e| DefenseError::Range(format!("vigil stopped abnormally: {e}")))
    }
}
