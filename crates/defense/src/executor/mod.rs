//! [`PauseExecutor`]: the defense sink. For each finding it asks the policy; to act it
//! simulates the guardian call, prices it against the attacker, signs and broadcasts it
//! (claiming the finding in the journal first), then a watcher task follows it block by block,
//! replaces it when outbid or slow, and records how it ended.

mod act;
mod defend;
mod record;
mod report;
mod resume;
mod stats;
mod watch;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex as StdMutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tokio::sync::{Mutex, broadcast, mpsc, watch as tokio_watch};
use vigil_chain::ContractConfig;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Address, Finding, SinkRole};

pub use self::{
    report::DefenseReport,
    stats::{ExecutorStats, StatsSnapshot},
};
use self::{report::Reporter, watch::Bump};
use crate::{
    DefenseError, GuardianKey, Journal, PauseExecutorConfig, Result,
    caps::{SpendCaps, SpendLedger},
    fees::FeeStrategy,
    nonce::NonceTracker,
    policy::{Policy, PolicyRules, PolicyState},
    rpc::NodeRpc,
};

/// Wall-clock milliseconds since the Unix epoch (cool-downs and caps are about real time).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// What the executor's tasks share.
pub(crate) struct Shared {
    pub(crate) id: String,
    pub(crate) config: PauseExecutorConfig,
    pub(crate) policy: Policy,
    pub(crate) strategy: FeeStrategy,
    pub(crate) caps: SpendCaps,
    pub(crate) rpc: NodeRpc,
    pub(crate) key: GuardianKey,
    pub(crate) chain_id: u64,
    pub(crate) journal: Journal,
    pub(crate) state: Mutex<State>,
    pub(crate) reporter: Reporter,
    pub(crate) stats: ExecutorStats,
    pub(crate) head: tokio_watch::Receiver<u64>,
    pub(crate) watchers: StdMutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// Mutable state behind one lock, never held across a broadcast.
pub(crate) struct State {
    pub(crate) policy: PolicyState,
    pub(crate) ledger: SpendLedger,
    pub(crate) nonce: NonceTracker,
    /// Open actions by the attacker's (sender, nonce): where to send a bump.
    pub(crate) active: HashMap<(Address, u64), mpsc::Sender<Bump>>,
    /// Open actions by target: where to send another attack on the same target.
    pub(crate) targets: HashMap<Address, mpsc::Sender<Bump>>,
}

/// The defense sink (`type = "pause_executor"`). Receives findings only in
/// `active_defense` mode.
pub struct PauseExecutor {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for PauseExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PauseExecutor")
            .field("id", &self.shared.id)
            .field("guardian", &self.shared.key.address())
            .field("dry_run", &self.shared.config.dry_run)
            .finish_non_exhaustive()
    }
}

impl PauseExecutor {
    /// Builds the executor `id` from its config and the `[[contracts]]` table, reading the
    /// key (and the journal URL, when `journal_url_env` is set) from the environment.
    pub async fn build(
        id: &str,
        config: &PauseExecutorConfig,
        contracts: &[ContractConfig],
    ) -> Result<Self> {
        let key = GuardianKey::load(&config.key)?;
        Self::with_key(id, config, contracts, key).await
    }

    /// As [`PauseExecutor::build`] with a key already loaded (tests, keystores opened with a
    /// password from elsewhere).
    pub async fn with_key(
        id: &str,
        config: &PauseExecutorConfig,
        contracts: &[ContractConfig],
        key: GuardianKey,
    ) -> Result<Self> {
        let problems = config.problems_with(contracts);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(|(p, m)| format!("{p}: {m}")).collect();
            return Err(DefenseError::Config(list.join("; ")));
        }
        let protected =
            config.protected(contracts).map_err(|p| DefenseError::Config(format!("{p:?}")))?;
        let rpc = NodeRpc::new(&config.rpc_url, Duration::from_millis(config.request_timeout_ms))?;
        let journal_url = config.resolved_journal_url().map_err(DefenseError::Config)?;
        let (chain_id, block, journal) =
            tokio::join!(rpc.chain_id(), rpc.block_number(), Journal::open(&journal_url));
        let (chain_id, block, journal) = (chain_id?, block?, journal?);
        let rules = PolicyRules {
            chain_id,
            min_level: config.min_threat_level,
            min_confidence: config.min_confidence,
            cooldown_ms: config.cooldown_secs.saturating_mul(1000),
            allowed_functions: config.allowed_signatures(),
        };
        let (head_tx, head) = tokio_watch::channel(block);
        tokio::spawn(watch::poll_head(rpc.clone(), head_tx, config.poll_interval_ms));
        let mut nonce = NonceTracker::new(key.address());
        nonce.resync(&rpc).await?;
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            config: config.clone(),
            policy: Policy::new(rules, protected),
            strategy: config.fee_strategy(),
            caps: config.caps(),
            rpc,
            key,
            chain_id,
            journal,
            state: Mutex::new(State {
                policy: PolicyState::default(),
                ledger: SpendLedger::default(),
                nonce,
                active: HashMap::new(),
                targets: HashMap::new(),
            }),
            reporter: Reporter::new(),
            stats: ExecutorStats::default(),
            head,
            watchers: StdMutex::new(Vec::new()),
        });
        resume::resume(&shared).await?;
        Ok(Self { shared })
    }

    /// Also delivers the executor's own findings (each action and its outcome) to `sink`,
    /// through a bounded queue of its own so the defense never waits for it.
    pub fn report_to(self, sink: Box<dyn Sink>) -> Self {
        self.shared.reporter.add_sink(sink);
        self
    }

    /// Every action and outcome as it happens, for dashboards, tests and benchmarks.
    pub fn reports(&self) -> broadcast::Receiver<DefenseReport> {
        self.shared.reporter.subscribe()
    }

    /// What the executor did with the findings so far.
    pub fn stats(&self) -> ExecutorStats {
        self.shared.stats.clone()
    }

    /// The guardian account.
    pub fn guardian(&self) -> Address {
        self.shared.key.address()
    }

    /// The chain the executor signs for.
    pub fn chain_id(&self) -> u64 {
        self.shared.chain_id
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }
}

#[async_trait::async_trait]
impl Sink for PauseExecutor {
    fn id(&self) -> &str {
        &self.shared.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Defense
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        act::handle(&self.shared, finding)
            .await
            .map_err(|reason| SinkError::Refused { sink: self.shared.id.clone(), reason })
    }

    /// Stops watching: open actions stay in the journal and are picked up on the next start.
    async fn close(&mut self) -> Result<(), SinkError> {
        let watchers = match self.shared.watchers.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(_) => Vec::new(),
        };
        for watcher in watchers {
            watcher.abort();
        }
        let mut state = self.shared.state.lock().await;
        state.active.clear();
        state.targets.clear();
        self.shared.reporter.close();
        Ok(())
    }
}
