//! A minimal JSON-RPC client over HTTP (keep-alive) for the few calls the executor makes.

use std::{
    sync::{
        Arc, Once,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vigil_types::{Address, B256};

use crate::{DefenseError, Result, attack::integer};

/// JSON-RPC over HTTP to one node.
#[derive(Debug, Clone)]
pub struct NodeRpc {
    url: String,
    http: reqwest::Client,
    ids: Arc<AtomicU64>,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    // Another component may have installed ring already; either way ring is in place.
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A mined transaction's receipt, reduced to what the executor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Whether it succeeded.
    pub success: bool,
    /// Block number.
    pub block_number: u64,
    /// Index in the block.
    pub index: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Price paid per gas.
    pub effective_gas_price: u128,
}

impl NodeRpc {
    /// A client for `url` (`http://` or `https://`) with `timeout` per request.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .tcp_nodelay(true)
            .pool_max_idle_per_host(8)
            .build()
            .map_err(|e| DefenseError::Config(format!("failed to build http client: {e}")))?;
        Ok(Self { url: url.to_owned(), http, ids: Arc::new(AtomicU64::new(1)) })
    }

    /// Calls `method` and decodes its result.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T> {
        let value = self.call_value(method, params).await?;
        serde_json::from_value(value).map_err(|e| DefenseError::Malformed {
            method: method.to_owned(),
            reason: e.to_string(),
        })
    }

    async fn call_value(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let transport = |e: reqwest::Error| DefenseError::Transport {
            method: method.to_owned(),
            reason: e.to_string(),
        };
        let mut reply: Value = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(transport)?
            .json()
            .await
            .map_err(transport)?;
        if let Some(error) = reply.get("error") {
            let message = error.get("message").and_then(Value::as_str).map(str::to_owned);
            let data = error.get("data").filter(|d| !d.is_null()).map(|d| format!(" ({d})"));
            return Err(DefenseError::Rpc {
                method: method.to_owned(),
                message: message.unwrap_or_else(|| error.to_string()) + &data.unwrap_or_default(),
            });
        }
        Ok(reply.get_mut("result").map(Value::take).unwrap_or(Value::Null))
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64> {
        self.quantity("eth_chainId", json!([])).await
    }

    /// `eth_blockNumber`.
    pub async fn block_number(&self) -> Result<u64> {
        self.quantity("eth_blockNumber", json!([])).await
    }

    /// The base fee of the latest block (0 before London).
    pub async fn base_fee(&self) -> Result<u128> {
        let block: Value = self.call("eth_getBlockByNumber", json!(["latest", false])).await?;
        Ok(integer(block.get("baseFeePerGas")).unwrap_or(0))
    }

    /// `eth_getTransactionCount(account, "pending")`.
    pub async fn pending_nonce(&self, account: Address) -> Result<u64> {
        self.quantity("eth_getTransactionCount", json!([account, "pending"])).await
    }

    /// `eth_estimateGas` of a call from `from` to `to` with `data`: the simulation of our
    /// guardian call. A revert comes back as [`DefenseError::Rpc`].
    pub async fn estimate_gas(&self, from: Address, to: Address, data: &[u8]) -> Result<u64> {
        let call = json!({"from": from, "to": to, "data": hex_data(data)});
        self.quantity("eth_estimateGas", json!([call])).await
    }

    /// `eth_call` at the latest block; returns the output bytes.
    pub async fn eth_call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>> {
        let out: String =
            self.call("eth_call", json!([{"to": to, "data": hex_data(data)}, "latest"])).await?;
        hex::decode(out.trim_start_matches("0x")).map_err(|e| DefenseError::Malformed {
            method: "eth_call".into(),
            reason: e.to_string(),
        })
    }

    /// `eth_sendRawTransaction`; returns the hash the node reports.
    pub async fn send_raw(&self, raw: &[u8]) -> Result<B256> {
        self.call("eth_sendRawTransaction", json!([hex_data(raw)])).await
    }

    /// The receipt of `hash`, if mined.
    pub async fn receipt(&self, hash: B256) -> Result<Option<Receipt>> {
        let value: Value = self.call("eth_getTransactionReceipt", json!([hash])).await?;
        if value.is_null() {
            return Ok(None);
        }
        let field = |key: &str| integer(value.get(key));
        let malformed = || DefenseError::Malformed {
            method: "eth_getTransactionReceipt".into(),
            reason: format!("receipt of {hash} lacks status or block"),
        };
        Ok(Some(Receipt {
            success: field("status").ok_or_else(malformed)? == 1,
            block_number: field("blockNumber").ok_or_else(malformed)? as u64,
            index: field("transactionIndex").unwrap_or(0) as u64,
            gas_used: field("gasUsed").unwrap_or(0) as u64,
            effective_gas_price: field("effectiveGasPrice").unwrap_or(0),
        }))
    }

    /// `eth_getTransactionByHash`; `None` when the node does not know it (dropped or
    /// replaced).
    pub async fn transaction(&self, hash: B256) -> Result<Option<Value>> {
        let value: Value = self.call("eth_getTransactionByHash", json!([hash])).await?;
        Ok((!value.is_null()).then_some(value))
    }

    /// `debug_traceCall` with the call tracer: the addresses the call reaches with a
    /// state-changing call (not `STATICCALL`), in the order it reaches them. The reply is
    /// scanned without recursion (see [`crate::trace`]): attack traces nest deep.
    pub async fn touched(&self, tx: &Value) -> Result<Vec<Address>> {
        let mut call = json!({});
        for key in ["from", "to", "value", "input", "gas"] {
            if let Some(v) = tx.get(key).filter(|v| !v.is_null()) {
                call[if key == "input" { "data" } else { key }] = v.clone();
            }
        }
        let method = "debug_traceCall";
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let params = json!([call, "latest", {"tracer": "callTracer"}]);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let transport = |e: reqwest::Error| DefenseError::Transport {
            method: method.to_owned(),
            reason: e.to_string(),
        };
        let text = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(transport)?
            .text()
            .await
            .map_err(transport)?;
        if !text.contains("\"result\"") {
            // Error replies are shallow: read them normally.
            let reply: Value = serde_json::from_str(&text).map_err(|e| {
                DefenseError::Malformed { method: method.to_owned(), reason: e.to_string() }
            })?;
            let message = reply["error"]["message"].as_str().unwrap_or("no result").to_owned();
            return Err(DefenseError::Rpc { method: method.to_owned(), message });
        }
        Ok(crate::trace::touched(&text))
    }

    async fn quantity(&self, method: &str, params: Value) -> Result<u64> {
        let value = self.call_value(method, params).await?;
        integer(Some(&value)).and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
            DefenseError::Malformed {
                method: method.to_owned(),
                reason: format!("not a quantity: {value}"),
            }
        })
    }
}

/// `0x`-hex of `bytes`.
pub(crate) fn hex_data(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}
