use std::{path::PathBuf, sync::Arc, time::Duration};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use vigil_pipeline::{EventStream, Source, SourceError};
use vigil_types::{Event, EventKind};

use crate::{
    CallDecoder, ChainError, MonitoredContracts, SourceHealth,
    blocks::{BlockCtx, commit},
    json::{block_from_json, u64_of},
    rpc::RpcConn,
    session::{self, Emitter},
};

/// Replays events recorded as JSON lines (one [`Event`] per line). Calldata is decoded again
/// with the current contracts so that replay and live monitoring judge the same input. A
/// line that does not parse is reported as an error (counted by the engine) and skipped.
pub struct JsonlReplaySource {
    id: String,
    path: PathBuf,
    contracts: Arc<MonitoredContracts>,
    decoder: Arc<CallDecoder>,
}

impl JsonlReplaySource {
    /// A replay of the file at `path`.
    pub fn new(
        id: &str,
        path: PathBuf,
        contracts: Arc<MonitoredContracts>,
        decoder: Arc<CallDecoder>,
    ) -> Self {
        Self { id: id.to_owned(), path, contracts, decoder }
    }
}

impl Source for JsonlReplaySource {
    fn id(&self) -> &str {
        &self.id
    }

    fn events(self: Box<Self>) -> EventStream {
        session::spawn_stream(move |emit| async move {
            let path = self.path.display().to_string();
            let file = match tokio::fs::File::open(&self.path).await {
                Ok(file) => file,
                Err(e) => {
                    emit.error(SourceError::Replay { path, line: 0, reason: e.to_string() }).await;
                    return;
                }
            };
            let mut lines = BufReader::new(file).lines();
            let mut number = 0;
            loop {
                number += 1;
                let line = match lines.next_line().await {
                    Ok(Some(line)) => line,
                    Ok(None) => return,
                    Err(e) => {
                        let reason = format!("read failed: {e}");
                        emit.error(SourceError::Replay { path, line: number, reason }).await;
                        return;
                    }
                };
                if line.trim().is_empty() {
                    continue;
                }
                let sent = match serde_json::from_str::<Event>(&line) {
                    Ok(event) => match self.prepare(event) {
                        Some(event) => emit.event(event).await,
                        None => true,
                    },
                    Err(e) => {
                        let reason = format!("not an event: {e}");
                        emit.error(SourceError::Replay { path: path.clone(), line: number, reason })
                            .await
                    }
                };
                if !sent {
                    return;
                }
            }
        })
    }
}

impl JsonlReplaySource {
    /// Applies the live sources' filter and decoding; `None` when the event is filtered out.
    fn prepare(&self, mut event: Event) -> Option<Event> {
        match &mut event.kind {
            EventKind::PendingTx(tx) => {
                if !self.contracts.watches(tx.to.as_ref()) {
                    return None;
                }
                self.decoder.annotate(tx);
            }
            EventKind::BlockCommitted(block) => {
                block.transactions.retain(|tx| self.contracts.watches(tx.to.as_ref()));
                block.transactions.iter_mut().for_each(|tx| self.decoder.annotate(tx));
            }
            EventKind::Log(log) => {
                if !self.contracts.watches(Some(&log.address)) {
                    return None;
                }
            }
            EventKind::BlockReverted(_) => {}
        }
        Some(event)
    }
}

/// Replays a historical block range from a node: for each block, its monitored transactions
/// as pending events (stamped with the block time, as if seen just before inclusion), then
/// the block and its logs — the order live monitoring would have seen them in.
pub struct RpcReplaySource {
    id: String,
    endpoint: String,
    chain_id: u64,
    from: u64,
    to: u64,
    contracts: Arc<MonitoredContracts>,
    decoder: Arc<CallDecoder>,
}

impl RpcReplaySource {
    /// Replays blocks `from..=to` from the WebSocket `endpoint`.
    pub fn new(
        id: &str,
        endpoint: &str,
        chain_id: u64,
        (from, to): (u64, u64),
        contracts: Arc<MonitoredContracts>,
        decoder: Arc<CallDecoder>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            endpoint: endpoint.to_owned(),
            chain_id,
            from,
            to,
            contracts,
            decoder,
        }
    }
}

impl Source for RpcReplaySource {
    fn id(&self) -> &str {
        &self.id
    }

    fn events(self: Box<Self>) -> EventStream {
        session::spawn_stream(move |emit| async move {
            if let Err(error) = self.replay(&emit).await {
                let error = SourceError::Connection {
                    endpoint: self.endpoint.clone(),
                    reason: error.to_string(),
                };
                emit.error(error).await;
            }
        })
    }
}

impl RpcReplaySource {
    async fn replay(&self, emit: &Emitter) -> Result<(), ChainError> {
        let (conn, incoming) =
            RpcConn::connect(&self.endpoint, 64 << 20, Duration::from_secs(30)).await?;
        drop(incoming);
        let chain = conn.request("eth_chainId", json!([])).await?;
        if u64_of(&chain) != Some(self.chain_id) {
            return Err(ChainError::WrongChain {
                endpoint: self.endpoint.clone(),
                expected: self.chain_id,
                actual: u64_of(&chain).unwrap_or_default(),
            });
        }
        let ctx = BlockCtx {
            chain_id: self.chain_id,
            contracts: self.contracts.clone(),
            decoder: self.decoder.clone(),
            health: SourceHealth::default(),
        };
        for number in self.from..=self.to {
            let raw =
                conn.request("eth_getBlockByNumber", json!([format!("{number:#x}"), true])).await?;
            if raw.is_null() {
                return Err(ChainError::malformed("block", format!("node has no block {number}")));
            }
            let block = block_from_json(&raw)?;
            let seen_at = block.timestamp.saturating_mul(1000);
            for tx in block.transactions.iter().filter(|tx| self.contracts.watches(tx.to.as_ref()))
            {
                let mut tx = tx.clone();
                tx.block_number = None;
                self.decoder.annotate(&mut tx);
                let event =
                    Event { chain_id: self.chain_id, seen_at, kind: EventKind::PendingTx(tx) };
                if !emit.event(event).await {
                    return Ok(());
                }
            }
            if !commit(&conn, emit, &ctx, block, seen_at).await? {
                return Ok(());
            }
        }
        Ok(())
    }
}
