//! A minimal JSON-RPC node on loopback for latency measurement: it answers the handful of
//! calls the mempool source makes and pushes pending-transaction notifications on command,
//! remembering when each one was written to the socket.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::mpsc};
use tokio_tungstenite::tungstenite::Message;

pub(super) type SentAt = Arc<Mutex<HashMap<String, Instant>>>;

/// A running node; notifications are pushed through `push`.
pub(super) struct BenchNode {
    pub(super) url: String,
    pub(super) push: mpsc::UnboundedSender<Value>,
    pub(super) sent_at: SentAt,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BenchNode {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BenchNode {
    pub(super) async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}", listener.local_addr()?);
        let (push, mut pushes) = mpsc::unbounded_channel::<Value>();
        let sent_at: SentAt = Arc::default();
        let stamps = sent_at.clone();
        let task = tokio::spawn(async move {
            let Ok((stream, _)) = listener.accept().await else { return };
            let Ok(socket) = tokio_tungstenite::accept_async(stream).await else { return };
            let (mut write, mut read) = socket.split();
            loop {
                tokio::select! {
                    frame = read.next() => {
                        let Some(Ok(Message::Text(text))) = frame else { return };
                        let Ok(request) = serde_json::from_str::<Value>(&text) else { continue };
                        let result = match request["method"].as_str() {
                            Some("eth_chainId") => json!("0x7a69"),
                            Some("eth_subscribe") => json!("0xb1"),
                            Some("txpool_content") => json!({"pending": {}, "queued": {}}),
                            Some("eth_blockNumber") => json!("0x1"),
                            _ => Value::Null,
                        };
                        let reply = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
                        if write.send(Message::text(reply.to_string())).await.is_err() {
                            return;
                        }
                    }
                    tx = pushes.recv() => {
                        let Some(tx) = tx else { return };
                        let hash = tx["hash"].as_str().unwrap_or_default().to_owned();
                        let note = json!({"jsonrpc": "2.0", "method": "eth_subscription",
                            "params": {"subscription": "0xb1", "result": tx}});
                        let text = note.to_string();
                        if let Ok(mut stamps) = stamps.lock() {
                            stamps.insert(hash, Instant::now());
                        }
                        if write.send(Message::text(text)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Self { url, push, sent_at, task })
    }
}
