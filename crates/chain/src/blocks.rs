use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};
use vigil_pipeline::{EventStream, Source, SourceError};
use vigil_types::{BlockInfo, Event, EventKind};

use crate::{
    CallDecoder, ChainError, MonitoredContracts, SourceHealth,
    canon::{Canon, Step},
    json::{block_from_json, log_from_json, receipt_status, u64_of},
    now_millis,
    rpc::{Incoming, RpcConn},
    session::{self, ConnectionConfig, Emitter, Session, SessionEnd, defaults},
};

/// `type = "blocks"`: committed blocks, their monitored transactions and logs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSourceConfig {
    /// WebSocket endpoints, tried in order; the next one is used when one fails.
    pub endpoints: Vec<String>,
    /// With no frame for this long, probe the node; a failed probe or missed traffic means
    /// the connection or subscription is dead and it is re-established.
    #[serde(default = "defaults::idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// Timeout for each request and for connecting.
    #[serde(default = "defaults::request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Largest accepted WebSocket message; larger ones are counted and the connection reset.
    #[serde(default = "defaults::max_message_bytes")]
    pub max_message_bytes: usize,
    /// Reconnect timing.
    #[serde(default)]
    pub backoff: crate::BackoffConfig,
    /// Blocks kept for reorg detection; also the deepest backfill after a long outage.
    #[serde(default = "default_depth")]
    pub reorg_depth: usize,
    /// Deliver every mined transaction and log, not only those of `[[contracts]]` entries
    /// (still decoded with their ABIs): attacks sent privately through a helper contract are
    /// then judged once mined.
    #[serde(default)]
    pub all_transactions: bool,
}

fn default_depth() -> usize {
    256
}

impl BlockSourceConfig {
    /// A config for `endpoints` with defaults elsewhere.
    pub fn new(endpoints: Vec<String>) -> Self {
        Self {
            endpoints,
            idle_timeout_ms: defaults::idle_timeout_ms(),
            request_timeout_ms: defaults::request_timeout_ms(),
            max_message_bytes: defaults::max_message_bytes(),
            backoff: Default::default(),
            reorg_depth: default_depth(),
            all_transactions: false,
        }
    }

    /// Sets the idle timeout after which the node is probed.
    pub fn with_idle_timeout_ms(mut self, ms: u64) -> Self {
        self.idle_timeout_ms = ms;
        self
    }

    /// Sets the backoff bounds.
    pub fn with_backoff(mut self, initial_ms: u64, max_ms: u64) -> Self {
        self.backoff.initial_ms = initial_ms;
        self.backoff.max_ms = max_ms;
        self
    }

    fn connection(&self) -> ConnectionConfig {
        ConnectionConfig {
            endpoints: self.endpoints.clone(),
            idle_timeout_ms: self.idle_timeout_ms,
            request_timeout_ms: self.request_timeout_ms,
            max_message_bytes: self.max_message_bytes,
            backoff: self.backoff,
        }
    }

    /// Every problem with the values, as `(field path, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = self.connection().problems();
        if !(2..=100_000).contains(&self.reorg_depth) {
            out.push(("reorg_depth".to_owned(), "must be within 2..=100000".to_owned()));
        }
        out
    }
}

/// Streams committed blocks in order, backfilling what was missed while disconnected and
/// reverting blocks that a reorg replaced.
pub struct BlockSource {
    id: String,
    chain_id: u64,
    config: BlockSourceConfig,
    contracts: Arc<MonitoredContracts>,
    decoder: Arc<CallDecoder>,
    health: SourceHealth,
}

impl BlockSource {
    /// A source named `id` for `chain_id`.
    pub fn new(
        id: &str,
        chain_id: u64,
        config: BlockSourceConfig,
        contracts: Arc<MonitoredContracts>,
        decoder: Arc<CallDecoder>,
    ) -> Self {
        // The empty set watches everything; the decoder keeps the contracts' ABIs.
        let contracts = if config.all_transactions {
            Arc::new(MonitoredContracts::default())
        } else {
            contracts
        };
        Self {
            id: id.to_owned(),
            chain_id,
            config,
            contracts,
            decoder,
            health: SourceHealth::default(),
        }
    }

    /// Connection health, readable while the source runs.
    pub fn health(&self) -> SourceHealth {
        self.health.clone()
    }
}

impl Source for BlockSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn events(self: Box<Self>) -> EventStream {
        let this = *self;
        session::spawn_stream(move |emit| async move {
            let connection = this.config.connection();
            let ctx = Arc::new(BlockCtx {
                chain_id: this.chain_id,
                contracts: this.contracts,
                decoder: this.decoder,
                health: this.health.clone(),
            });
            let canon = Arc::new(tokio::sync::Mutex::new(Canon::new(this.config.reorg_depth)));
            let idle = connection.idle();
            session::reconnect_loop(
                this.id,
                connection,
                this.chain_id,
                this.health,
                emit,
                move |s, emit| {
                    let ctx = ctx.clone();
                    let canon = canon.clone();
                    async move { run_session(s, emit, ctx, canon, idle).await }
                },
            )
            .await;
        })
    }
}

pub(crate) struct BlockCtx {
    pub(crate) chain_id: u64,
    pub(crate) contracts: Arc<MonitoredContracts>,
    pub(crate) decoder: Arc<CallDecoder>,
    pub(crate) health: SourceHealth,
}

async fn run_session(
    session: Session,
    emit: Emitter,
    ctx: Arc<BlockCtx>,
    canon: Arc<tokio::sync::Mutex<Canon>>,
    idle: std::time::Duration,
) -> SessionEnd {
    let Session { conn, mut incoming } = session;
    let subscription = match conn.subscribe(json!(["newHeads"])).await {
        Ok(id) => id,
        Err(error) => return SessionEnd::Lost(error.to_string()),
    };
    let mut canon = canon.lock().await;
    // Catch up first: everything between our last block and the node's head.
    if let Err(end) = catch_up(&conn, &emit, &ctx, &mut canon, None).await {
        return end;
    }
    loop {
        match tokio::time::timeout(idle, incoming.recv()).await {
            Err(_) => {
                let before = canon.head();
                if let Err(end) = catch_up(&conn, &emit, &ctx, &mut canon, None).await {
                    ctx.health.dead();
                    return end;
                }
                if canon.head() != before {
                    ctx.health.dead();
                    return SessionEnd::Lost("newHeads silent while blocks were produced".into());
                }
            }
            Ok(None) => return SessionEnd::Lost("connection task ended".into()),
            Ok(Some(Incoming::Closed(reason))) => return SessionEnd::Lost(reason),
            Ok(Some(Incoming::Garbage(error))) => {
                ctx.health.garbage();
                if !emit.error(error).await {
                    return SessionEnd::Stopped;
                }
            }
            Ok(Some(Incoming::Notification { subscription: sub, result, received_at })) => {
                ctx.health.message(received_at);
                if sub != subscription {
                    continue;
                }
                let Some(number) = result.get("number").and_then(u64_of) else {
                    let reason = format!("newHeads notification without a number: {result}");
                    let error =
                        SourceError::Malformed { endpoint: conn.endpoint().to_owned(), reason };
                    if !emit.error(error).await {
                        return SessionEnd::Stopped;
                    }
                    continue;
                };
                if let Err(end) = catch_up(&conn, &emit, &ctx, &mut canon, Some(number)).await {
                    return end;
                }
            }
        }
    }
}

/// Commits every block up to `target` (default: the node's head), reverting on reorgs.
async fn catch_up(
    conn: &RpcConn,
    emit: &Emitter,
    ctx: &BlockCtx,
    canon: &mut Canon,
    target: Option<u64>,
) -> Result<(), SessionEnd> {
    let lost = |e: ChainError| SessionEnd::Lost(e.to_string());
    let target = match target {
        Some(n) => n,
        None => {
            let reply = conn.request("eth_blockNumber", json!([])).await.map_err(lost)?;
            u64_of(&reply)
                .ok_or_else(|| SessionEnd::Lost(format!("bad eth_blockNumber reply {reply}")))?
        }
    };
    let mut next = match canon.head() {
        Some(head) => (head + 1).min(target),
        None => target,
    };
    let mut backfilled = 0;
    while next <= target {
        let block = fetch_block(conn, next).await.map_err(lost)?;
        match canon.step(block.number, block.hash, block.parent_hash) {
            Step::Known => next += 1,
            Step::RevertHead | Step::RevertParent => {
                let Some(reverted) = canon.pop() else { break };
                next = reverted.number;
                let event = Event {
                    chain_id: ctx.chain_id,
                    seen_at: now_millis(),
                    kind: EventKind::BlockReverted(reverted),
                };
                if !emit.event(event).await {
                    return Err(SessionEnd::Stopped);
                }
            }
            Step::Commit => {
                canon.commit(block.number, block.hash);
                if target > block.number {
                    backfilled += 1;
                }
                if !commit(conn, emit, ctx, block, now_millis()).await.map_err(lost)? {
                    return Err(SessionEnd::Stopped);
                }
                next += 1;
            }
        }
    }
    ctx.health.resynced(backfilled);
    Ok(())
}

async fn fetch_block(conn: &RpcConn, number: u64) -> Result<BlockInfo, ChainError> {
    let raw = conn.request("eth_getBlockByNumber", json!([format!("{number:#x}"), true])).await?;
    if raw.is_null() {
        return Err(ChainError::malformed("block", format!("node has no block {number}")));
    }
    block_from_json(&raw)
}

/// Emits the block (monitored transactions, decoded, with receipt status) and its monitored
/// logs. Ok(false) when the consumer left.
pub(crate) async fn commit(
    conn: &RpcConn,
    emit: &Emitter,
    ctx: &BlockCtx,
    mut block: BlockInfo,
    seen_at: u64,
) -> Result<bool, ChainError> {
    block.transactions.retain(|tx| ctx.contracts.watches(tx.to.as_ref()));
    let (receipts, raw_logs) = receipts_and_logs(conn, ctx, &block).await?;
    for receipt in &receipts {
        let hash =
            receipt.get("transactionHash").and_then(Value::as_str).and_then(|h| h.parse().ok());
        if let Some(tx) = block.transactions.iter_mut().find(|tx| Some(tx.hash) == hash) {
            tx.success = receipt_status(receipt);
        }
    }
    let mut logs = Vec::new();
    for raw in &raw_logs {
        let log = log_from_json(raw)?;
        if ctx.contracts.watches(Some(&log.address)) {
            logs.push(log);
        }
    }
    for tx in &mut block.transactions {
        tx.block_number = Some(block.number);
        ctx.decoder.annotate(tx);
    }
    let chain_id = ctx.chain_id;
    if !emit.event(Event { chain_id, seen_at, kind: EventKind::BlockCommitted(block) }).await {
        return Ok(false);
    }
    for log in logs {
        if !emit.event(Event { chain_id, seen_at, kind: EventKind::Log(log) }).await {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Receipts of the monitored transactions and the block's logs: one `eth_getBlockReceipts`
/// where the node offers it; receipts per transaction plus `eth_getLogs` otherwise.
async fn receipts_and_logs(
    conn: &RpcConn,
    ctx: &BlockCtx,
    block: &BlockInfo,
) -> Result<(Vec<Value>, Vec<Value>), ChainError> {
    let number = format!("{:#x}", block.number);
    if let Ok(Value::Array(all)) = conn.request("eth_getBlockReceipts", json!([number])).await {
        let logs = all
            .iter()
            .filter_map(|r| r.get("logs").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        return Ok((all, logs));
    }
    let mut receipts = Vec::new();
    for tx in &block.transactions {
        let receipt = conn.request("eth_getTransactionReceipt", json!([tx.hash])).await?;
        if !receipt.is_null() {
            receipts.push(receipt);
        }
    }
    let mut filter = json!({"blockHash": block.hash});
    if !ctx.contracts.is_empty() {
        filter["address"] = json!(ctx.contracts.addresses().collect::<Vec<_>>());
    }
    let logs = match conn.request("eth_getLogs", json!([filter])).await? {
        Value::Array(logs) => logs,
        other => return Err(ChainError::malformed("eth_getLogs reply", other)),
    };
    Ok((receipts, logs))
}
