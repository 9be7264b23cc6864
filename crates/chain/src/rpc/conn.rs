use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::{self, Message, protocol::WebSocketConfig};
use vigil_pipeline::SourceError;

use crate::{ChainError, health::now_millis};

type Waiters = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// What arrives on a connection besides responses.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// An `eth_subscription` notification, stamped with its arrival time.
    Notification { subscription: String, result: Value, received_at: u64 },
    /// A frame that could not be understood; the connection goes on.
    Garbage(SourceError),
    /// The connection ended (closed, reset, protocol error).
    Closed(String),
}

/// One live WebSocket connection to a node.
#[derive(Debug)]
pub(crate) struct RpcConn {
    endpoint: String,
    outgoing: mpsc::UnboundedSender<Message>,
    waiters: Waiters,
    ids: AtomicU64,
    timeout: Duration,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for RpcConn {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl RpcConn {
    /// Connects to `endpoint`; notifications and garbage go to the returned receiver.
    pub(crate) async fn connect(
        endpoint: &str,
        max_message_bytes: usize,
        timeout: Duration,
    ) -> Result<(Self, mpsc::Receiver<Incoming>), ChainError> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message_bytes))
            .max_frame_size(Some(max_message_bytes));
        let connecting = tokio_tungstenite::connect_async_with_config(endpoint, Some(config), true);
        let (socket, _) = tokio::time::timeout(timeout, connecting)
            .await
            .map_err(|_| ChainError::connect(endpoint, "timed out"))?
            .map_err(|e| ChainError::connect(endpoint, e))?;
        let (mut write, mut read) = socket.split();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (in_tx, in_rx) = mpsc::channel(65_536);
        let waiters: Waiters = Arc::default();
        let reader_waiters = waiters.clone();
        let name = endpoint.to_owned();
        let reader = tokio::spawn(async move {
            let reason = loop {
                tokio::select! {
                    outgoing = out_rx.recv() => match outgoing {
                        Some(message) => {
                            if let Err(e) = write.send(message).await {
                                break format!("write failed: {e}");
                            }
                        }
                        None => break "connection dropped by its owner".to_owned(),
                    },
                    frame = read.next() => match frame {
                        Some(Ok(message)) => {
                            if let Some(incoming) = dispatch(&name, message, &reader_waiters)
                                && in_tx.send(incoming).await.is_err() {
                                    break "receiver dropped".to_owned();
                                }
                        }
                        Some(Err(tungstenite::Error::Capacity(e))) => {
                            let _ = in_tx.send(Incoming::Garbage(SourceError::Oversized {
                                endpoint: name.clone(),
                                size: 0,
                                limit: max_message_bytes,
                            })).await;
                            break format!("oversized message: {e}");
                        }
                        Some(Err(e)) => break format!("read failed: {e}"),
                        None => break "closed by peer".to_owned(),
                    },
                }
            };
            // Fail every request still waiting: the connection that would answer is gone.
            if let Ok(mut waiting) = reader_waiters.lock() {
                for (_, waiter) in waiting.drain() {
                    let _ = waiter.send(Err(reason.clone()));
                }
            }
            let _ = in_tx.send(Incoming::Closed(reason)).await;
        });
        let conn = Self {
            endpoint: endpoint.to_owned(),
            outgoing: out_tx,
            waiters,
            ids: AtomicU64::new(1),
            timeout,
            reader,
        };
        Ok((conn, in_rx))
    }

    /// The endpoint URL.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends a request and waits for its response (bounded by the connection's timeout).
    pub(crate) async fn request(&self, method: &str, params: Value) -> Result<Value, ChainError> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        if let Ok(mut waiting) = self.waiters.lock() {
            waiting.insert(id, tx);
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let fail = |reason: String| ChainError::Request {
            endpoint: self.endpoint.clone(),
            method: method.to_owned(),
            reason,
        };
        self.outgoing
            .send(Message::text(body.to_string()))
            .map_err(|_| fail("connection closed".into()))?;
        let reply = tokio::time::timeout(self.timeout, rx).await;
        if reply.is_err()
            && let Ok(mut waiting) = self.waiters.lock()
        {
            waiting.remove(&id);
        }
        match reply {
            Err(_) => Err(fail(format!("no answer within {:?}", self.timeout))),
            Ok(Err(_)) => Err(fail("connection closed".into())),
            Ok(Ok(Err(reason))) => Err(fail(reason)),
            Ok(Ok(Ok(value))) => Ok(value),
        }
    }

    /// `eth_subscribe` with `params`; returns the subscription id.
    pub(crate) async fn subscribe(&self, params: Value) -> Result<String, ChainError> {
        let id = self.request("eth_subscribe", params).await?;
        id.as_str().map(str::to_owned).ok_or_else(|| ChainError::Request {
            endpoint: self.endpoint.clone(),
            method: "eth_subscribe".into(),
            reason: format!("subscription id is not a string: {id}"),
        })
    }
}

fn dispatch(endpoint: &str, message: Message, waiters: &Waiters) -> Option<Incoming> {
    let received_at = now_millis();
    let garbage = |reason: String| {
        Some(Incoming::Garbage(SourceError::Malformed { endpoint: endpoint.to_owned(), reason }))
    };
    let text = match message {
        Message::Text(text) => text,
        Message::Binary(bytes) => match String::from_utf8(bytes.to_vec()) {
            Ok(text) => text.into(),
            Err(_) => return garbage("binary frame is not UTF-8".into()),
        },
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return None,
        Message::Close(_) => return None,
    };
    let mut value: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => return garbage(format!("invalid JSON ({} bytes): {e}", text.len())),
    };
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        let waiter = waiters.lock().ok().and_then(|mut w| w.remove(&id));
        let Some(waiter) = waiter else {
            return garbage(format!("response to unknown request id {id}"));
        };
        let outcome = match value.get_mut("error") {
            Some(error) => Err(error.to_string()),
            None => Ok(value.get_mut("result").map(Value::take).unwrap_or(Value::Null)),
        };
        let _ = waiter.send(outcome);
        return None;
    }
    if value.get("method").and_then(Value::as_str) == Some("eth_subscription") {
        let params = value.get_mut("params").map(Value::take).unwrap_or(Value::Null);
        let subscription = params.get("subscription").and_then(Value::as_str).map(str::to_owned);
        if let (Some(subscription), Some(result)) = (subscription, params.get("result")) {
            return Some(Incoming::Notification {
                subscription,
                result: result.clone(),
                received_at,
            });
        }
        return garbage("subscription notification without subscription or result".into());
    }
    garbage(format!("unexpected message: {}", truncate(&text, 120)))
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}
