//! What both live sources share: connection settings, connecting with a chain-id check, the
//! reconnect loop with failover, and the event channel that becomes the source's stream.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tokio::sync::mpsc;
use vigil_pipeline::{EventStream, SourceError};
use vigil_types::Event;

use crate::{
    BackoffConfig, ChainError, SourceHealth,
    backoff::Backoff,
    json::u64_of,
    rpc::{Incoming, RpcConn},
};

/// Connection settings shared by the live sources (copied out of their configs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionConfig {
    pub(crate) endpoints: Vec<String>,
    pub(crate) idle_timeout_ms: u64,
    pub(crate) request_timeout_ms: u64,
    pub(crate) max_message_bytes: usize,
    pub(crate) backoff: BackoffConfig,
}

pub(crate) mod defaults {
    pub(crate) fn idle_timeout_ms() -> u64 {
        15_000
    }
    pub(crate) fn request_timeout_ms() -> u64 {
        10_000
    }
    pub(crate) fn max_message_bytes() -> usize {
        16 << 20
    }
    pub(crate) fn yes() -> bool {
        true
    }
}

impl ConnectionConfig {
    pub(crate) fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.endpoints.is_empty() {
            out.push((
                "endpoints".to_owned(),
                "must list at least one ws:// or wss:// URL".to_owned(),
            ));
        }
        for (i, url) in self.endpoints.iter().enumerate() {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) {
                out.push((
                    format!("endpoints[{i}]"),
                    format!("`{url}` is not a ws:// or wss:// URL"),
                ));
            }
        }
        if self.idle_timeout_ms < 100 {
            out.push(("idle_timeout_ms".to_owned(), "must be at least 100".to_owned()));
        }
        if self.request_timeout_ms < 10 {
            out.push(("request_timeout_ms".to_owned(), "must be at least 10".to_owned()));
        }
        if self.max_message_bytes < 64 * 1024 {
            out.push(("max_message_bytes".to_owned(), "must be at least 65536".to_owned()));
        }
        for (field, message) in self.backoff.problems() {
            out.push((format!("backoff.{field}"), message));
        }
        out
    }

    pub(crate) fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }
}

/// An established connection whose chain id was checked.
pub(crate) struct Session {
    pub(crate) conn: RpcConn,
    pub(crate) incoming: mpsc::Receiver<Incoming>,
}

impl Session {
    pub(crate) async fn open(
        config: &ConnectionConfig,
        endpoint: &str,
        chain_id: u64,
    ) -> Result<Self, ChainError> {
        let timeout = Duration::from_millis(config.request_timeout_ms);
        let (conn, incoming) =
            RpcConn::connect(endpoint, config.max_message_bytes, timeout).await?;
        let reply = conn.request("eth_chainId", json!([])).await?;
        let actual =
            u64_of(&reply).ok_or_else(|| ChainError::malformed("eth_chainId reply", &reply))?;
        if actual != chain_id {
            return Err(ChainError::WrongChain {
                endpoint: endpoint.to_owned(),
                expected: chain_id,
                actual,
            });
        }
        Ok(Self { conn, incoming })
    }
}

/// Sends events to the source's stream; `false` once the stream was dropped (stop).
#[derive(Clone)]
pub(crate) struct Emitter(mpsc::Sender<Result<Event, SourceError>>);

impl Emitter {
    pub(crate) async fn event(&self, event: Event) -> bool {
        self.0.send(Ok(event)).await.is_ok()
    }

    pub(crate) async fn error(&self, error: SourceError) -> bool {
        self.0.send(Err(error)).await.is_ok()
    }
}

/// Runs `work` as a task feeding a stream; the task ends when the stream is dropped.
pub(crate) fn spawn_stream<F, Fut>(work: F) -> EventStream
where
    F: FnOnce(Emitter) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(4096);
    let task = tokio::spawn(work(Emitter(tx)));
    let guard = AbortOnDrop(task);
    futures::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|item| (item, (rx, guard)))
    })
    .boxed()
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How a session ended.
pub(crate) enum SessionEnd {
    /// The connection or subscription died: reconnect.
    Lost(String),
    /// The consumer dropped the stream: stop.
    Stopped,
}

/// The reconnect loop: runs `session` against each endpoint in turn, with backoff, until the
/// stream is dropped.
pub(crate) async fn reconnect_loop<S, Fut>(
    source_id: String,
    config: ConnectionConfig,
    chain_id: u64,
    health: SourceHealth,
    emit: Emitter,
    mut session: S,
) where
    S: FnMut(Session, Emitter) -> Fut,
    Fut: std::future::Future<Output = SessionEnd>,
{
    if config.endpoints.is_empty() {
        let reason = "no endpoints configured".to_owned();
        emit.error(SourceError::Connection { endpoint: String::new(), reason }).await;
        return;
    }
    let mut backoff = Backoff::new(config.backoff, config.endpoints.len());
    loop {
        let endpoint = config.endpoints[backoff.endpoint()].clone();
        let reason = match Session::open(&config, &endpoint, chain_id).await {
            Ok(opened) => {
                health.connected();
                backoff.succeeded();
                tracing::info!(source = %source_id, %endpoint, "connected");
                match session(opened, emit.clone()).await {
                    SessionEnd::Stopped => return,
                    SessionEnd::Lost(reason) => reason,
                }
            }
            Err(error) => error.to_string(),
        };
        tracing::warn!(source = %source_id, %endpoint, "connection lost: {reason}");
        let error = SourceError::Connection { endpoint, reason };
        if !emit.error(error).await {
            return;
        }
        let wait = backoff.failed();
        tokio::time::sleep(wait).await;
    }
}
