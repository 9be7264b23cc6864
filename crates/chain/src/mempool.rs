use std::sync::Arc;

use futures::{StreamExt, stream::FuturesUnordered};
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_pipeline::{EventStream, Source, SourceError};
use vigil_types::{B256, Event, EventKind, SeenHashes, TxInfo};

use crate::{
    CallDecoder, MonitoredContracts, SourceHealth,
    json::tx_from_json,
    now_millis,
    rpc::{Incoming, RpcConn},
    session::{self, ConnectionConfig, Emitter, Session, SessionEnd, defaults},
};

/// `type = "mempool"`: pending transactions over WebSocket.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MempoolSourceConfig {
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
    /// Ask for full transaction bodies (falls back to hashes + lookups if refused).
    #[serde(default = "defaults::yes")]
    pub full_transactions: bool,
    /// Deliver every pending transaction, not only those sent to a `[[contracts]]` entry
    /// (they are still decoded with those contracts' ABIs). The exploit classifier needs it:
    /// attacks through a helper contract or a constructor are not sent to the victim.
    #[serde(default)]
    pub all_transactions: bool,
}

impl MempoolSourceConfig {
    /// A config for `endpoints` with defaults elsewhere.
    pub fn new(endpoints: Vec<String>) -> Self {
        Self {
            endpoints,
            idle_timeout_ms: defaults::idle_timeout_ms(),
            request_timeout_ms: defaults::request_timeout_ms(),
            max_message_bytes: defaults::max_message_bytes(),
            backoff: Default::default(),
            full_transactions: true,
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
        self.connection().problems()
    }
}

/// Streams pending transactions to monitored contracts, decoded, each exactly once.
pub struct MempoolSource {
    id: String,
    chain_id: u64,
    config: MempoolSourceConfig,
    contracts: Arc<MonitoredContracts>,
    decoder: Arc<CallDecoder>,
    health: SourceHealth,
}

impl MempoolSource {
    /// A source named `id` for `chain_id`.
    pub fn new(
        id: &str,
        chain_id: u64,
        config: MempoolSourceConfig,
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

impl Source for MempoolSource {
    fn id(&self) -> &str {
        &self.id
    }

    fn events(self: Box<Self>) -> EventStream {
        let this = *self;
        session::spawn_stream(move |emit| async move {
            let state = Arc::new(tokio::sync::Mutex::new(SeenHashes::new(200_000)));
            let connection = this.config.connection();
            let full = this.config.full_transactions;
            let ctx = Arc::new(Ctx {
                chain_id: this.chain_id,
                contracts: this.contracts,
                decoder: this.decoder,
                health: this.health.clone(),
                idle: connection.idle(),
            });
            session::reconnect_loop(
                this.id,
                connection,
                this.chain_id,
                this.health,
                emit,
                move |s, emit| {
                    let ctx = ctx.clone();
                    let state = state.clone();
                    async move { run_session(s, emit, ctx, state, full).await }
                },
            )
            .await;
        })
    }
}

struct Ctx {
    chain_id: u64,
    contracts: Arc<MonitoredContracts>,
    decoder: Arc<CallDecoder>,
    health: SourceHealth,
    idle: std::time::Duration,
}

/// Hashes already emitted, bounded: the oldest are forgotten first.
type SeenState = Arc<tokio::sync::Mutex<SeenHashes>>;

async fn run_session(
    session: Session,
    emit: Emitter,
    ctx: Arc<Ctx>,
    seen: SeenState,
    full: bool,
) -> SessionEnd {
    let Session { conn, mut incoming } = session;
    let (subscription, full) = match subscribe(&conn, full).await {
        Ok(sub) => sub,
        Err(error) => return SessionEnd::Lost(error.to_string()),
    };
    // Subscribe first, then read the pool: nothing falls between the two; duplicates are
    // filtered by hash.
    match resync(&conn, &emit, &ctx, &seen).await {
        Ok(None) => return SessionEnd::Stopped,
        Ok(Some(n)) => ctx.health.resynced(n),
        Err(error) => {
            if !emit.error(error).await {
                return SessionEnd::Stopped;
            }
        }
    }
    let mut lookups = FuturesUnordered::new();
    loop {
        tokio::select! {
            message = tokio::time::timeout(ctx.idle, incoming.recv()) => match message {
                Err(_) => {
                    // Quiet for a whole idle period: is the node (and our subscription) alive?
                    match resync(&conn, &emit, &ctx, &seen).await {
                        Ok(None) => return SessionEnd::Stopped,
                        Ok(Some(0)) => {}
                        Ok(Some(n)) => {
                            ctx.health.resynced(n);
                            ctx.health.dead();
                            return SessionEnd::Lost(format!("subscription silent while {n} txs arrived"));
                        }
                        Err(error) => {
                            ctx.health.dead();
                            return SessionEnd::Lost(format!("liveness probe failed: {error}"));
                        }
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
                    if full && result.is_object() {
                        if offer(&emit, &ctx, &seen, &result, received_at).await == Offered::Stopped {
                            return SessionEnd::Stopped;
                        }
                    } else if let Some(hash) = result.as_str().and_then(|h| h.parse::<B256>().ok()) {
                        if seen.lock().await.contains(&hash) {
                            continue;
                        }
                        let request = conn.request("eth_getTransactionByHash", json!([hash]));
                        lookups.push(async move { (hash, received_at, request.await) });
                    } else {
                        let error = SourceError::Malformed {
                            endpoint: conn.endpoint().to_owned(),
                            reason: format!("pending notification is neither a tx nor a hash: {result}"),
                        };
                        if !emit.error(error).await {
                            return SessionEnd::Stopped;
                        }
                    }
                }
            },
            Some((hash, received_at, reply)) = lookups.next(), if !lookups.is_empty() => {
                let outcome = match reply {
                    Ok(Value::Null) => continue, // already gone from the pool (mined or dropped)
                    Ok(tx) => offer(&emit, &ctx, &seen, &tx, received_at).await != Offered::Stopped,
                    Err(error) => emit.error(SourceError::Request {
                        endpoint: conn.endpoint().to_owned(),
                        method: "eth_getTransactionByHash".into(),
                        reason: format!("{hash}: {error}"),
                    }).await,
                };
                if !outcome {
                    return SessionEnd::Stopped;
                }
            }
        }
    }
}

async fn subscribe(conn: &RpcConn, full: bool) -> Result<(String, bool), crate::ChainError> {
    if full {
        if let Ok(id) = conn.subscribe(json!(["newPendingTransactions", true])).await {
            return Ok((id, true));
        }
        tracing::info!(endpoint = conn.endpoint(), "full pending bodies refused; using hashes");
    }
    Ok((conn.subscribe(json!(["newPendingTransactions"])).await?, false))
}

/// What became of an offered transaction.
#[derive(Debug, PartialEq, Eq)]
enum Offered {
    Emitted,
    Skipped,
    Stopped,
}

/// Parses, filters, dedupes, decodes and emits one transaction.
async fn offer(emit: &Emitter, ctx: &Ctx, seen: &SeenState, raw: &Value, seen_at: u64) -> Offered {
    let mut tx = match tx_from_json(raw) {
        Ok(tx) => tx,
        Err(error) => {
            let reason = error.to_string();
            let sent =
                emit.error(SourceError::Malformed { endpoint: "mempool".into(), reason }).await;
            return if sent { Offered::Skipped } else { Offered::Stopped };
        }
    };
    if !ctx.contracts.watches(tx.to.as_ref()) || !seen.lock().await.insert(tx.hash) {
        return Offered::Skipped;
    }
    ctx.decoder.annotate(&mut tx);
    if emit.event(pending(ctx.chain_id, seen_at, tx)).await {
        Offered::Emitted
    } else {
        Offered::Stopped
    }
}

fn pending(chain_id: u64, seen_at: u64, tx: TxInfo) -> Event {
    Event { chain_id, seen_at, kind: EventKind::PendingTx(tx) }
}

/// Re-reads the node's pool and emits what was not seen yet. `Ok(None)`: the consumer left.
/// Doubles as the liveness probe: an error means the node did not answer.
async fn resync(
    conn: &RpcConn,
    emit: &Emitter,
    ctx: &Ctx,
    seen: &SeenState,
) -> Result<Option<u64>, SourceError> {
    let fail = |method: &str, reason: String| SourceError::Request {
        endpoint: conn.endpoint().to_owned(),
        method: method.to_owned(),
        reason,
    };
    let txs: Vec<Value> = match conn.request("txpool_content", json!([])).await {
        Ok(content) => pool_transactions(&content),
        Err(pool_error) => {
            // Not every node exposes txpool_*: the pending block is the portable fallback.
            let block = conn
                .request("eth_getBlockByNumber", json!(["pending", true]))
                .await
                .map_err(|e| {
                    fail(
                        "eth_getBlockByNumber",
                        format!("{e} (after txpool_content: {pool_error})"),
                    )
                })?;
            block.get("transactions").and_then(Value::as_array).cloned().unwrap_or_default()
        }
    };
    let now = now_millis();
    let mut fresh = 0;
    for raw in txs {
        match offer(emit, ctx, seen, &raw, now).await {
            Offered::Emitted => fresh += 1,
            Offered::Skipped => {}
            Offered::Stopped => return Ok(None),
        }
    }
    Ok(Some(fresh))
}

/// Flattens `txpool_content` (`{pending: {sender: {nonce: tx}}, queued: …}`), nonce-ordered.
fn pool_transactions(content: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for section in ["pending", "queued"] {
        let Some(senders) = content.get(section).and_then(Value::as_object) else { continue };
        for by_nonce in senders.values().filter_map(Value::as_object) {
            let mut txs: Vec<(u64, &Value)> = by_nonce
                .iter()
                .map(|(nonce, tx)| (nonce.parse().unwrap_or(u64::MAX), tx))
                .collect();
            txs.sort_by_key(|(nonce, _)| *nonce);
            out.extend(txs.into_iter().map(|(_, tx)| tx.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_content_is_flattened_in_nonce_order() {
        let content = json!({"pending": {"0xa": {"10": {"n": 10}, "9": {"n": 9}}}, "queued": {}});
        let txs = pool_transactions(&content);
        assert_eq!(txs, vec![json!({"n": 9}), json!({"n": 10})]);
    }
}
