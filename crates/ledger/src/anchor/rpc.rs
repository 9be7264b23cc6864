use std::{
    sync::{
        Once,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy_primitives::{Address, B256};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Anchor, AnchorPoint, AnchoredPoint};
use crate::{LedgerError, Result};

/// Runtime code of the anchor contract: it emits its calldata as a log whose only topic is
/// the caller (`CALLDATACOPY; LOG1(0, size, CALLER)`). Anyone may call it, but a log carries
/// the caller's address, so a reader trusts only the publisher's topic.
pub const ANCHOR_RUNTIME_CODE: &str = "0x365f5f3733365fa100";
/// Init code that deploys [`ANCHOR_RUNTIME_CODE`].
pub const ANCHOR_INIT_CODE: &str = "0x6009600a5f3960095ff3365f5f3733365fa100";

/// Where and as whom to anchor. The publisher account is managed by the node
/// (`eth_sendTransaction`); vigil holds no anchoring key. Signing locally from an encrypted
/// keystore is not implemented yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcAnchorConfig {
    /// JSON-RPC endpoint (http or https).
    pub rpc_url: String,
    /// The anchor contract (deploy it with [`RpcAnchor::deploy`]).
    pub contract: Address,
    /// The node-managed account that publishes.
    pub publisher: Address,
    /// First EVM block to search for anchors (the contract's deployment block).
    #[serde(default)]
    pub from_block: u64,
    /// How long to wait for an anchor transaction to be mined.
    #[serde(default = "default_confirm_ms")]
    pub confirm_timeout_ms: u64,
}

fn default_confirm_ms() -> u64 {
    60_000
}

/// Anchors over JSON-RPC to the contract above.
#[derive(Debug, Clone)]
pub struct RpcAnchor {
    config: RpcAnchorConfig,
    http: reqwest::Client,
}

static IDS: AtomicU64 = AtomicU64::new(1);

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another component may have installed ring already; either way ring is in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

async fn call<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    params: Value,
) -> Result<T> {
    let err = |reason: String| LedgerError::Rpc { method: method.to_owned(), reason };
    let id = IDS.fetch_add(1, Ordering::Relaxed);
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let reply: Value = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| err(e.to_string()))?
        .json()
        .await
        .map_err(|e| err(e.to_string()))?;
    if let Some(error) = reply.get("error") {
        return Err(err(error.to_string()));
    }
    serde_json::from_value(reply.get("result").cloned().unwrap_or(Value::Null))
        .map_err(|e| err(format!("unexpected result: {e}")))
}

fn quantity(value: &Value, field: &str, method: &str) -> Result<u64> {
    value
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .ok_or_else(|| LedgerError::Rpc { method: method.into(), reason: format!("no {field}") })
}

async fn wait_receipt(
    http: &reqwest::Client,
    url: &str,
    tx: B256,
    timeout_ms: u64,
) -> Result<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
    loop {
        let receipt: Option<Value> =
            call(http, url, "eth_getTransactionReceipt", json!([tx])).await?;
        if let Some(receipt) = receipt {
            if receipt.get("status").and_then(Value::as_str) != Some("0x1") {
                return Err(LedgerError::Rpc {
                    method: "eth_getTransactionReceipt".into(),
                    reason: format!("transaction {tx} reverted"),
                });
            }
            return Ok(receipt);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(LedgerError::Rpc {
                method: "eth_getTransactionReceipt".into(),
                reason: format!("transaction {tx} not mined within {timeout_ms} ms"),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl RpcAnchor {
    /// An anchor publishing through `config`.
    pub fn new(config: RpcAnchorConfig) -> Self {
        Self { config, http: client() }
    }

    /// The config.
    pub fn config(&self) -> &RpcAnchorConfig {
        &self.config
    }

    /// Deploys the anchor contract from the node-managed account `from`; returns its address
    /// and deployment block.
    pub async fn deploy(rpc_url: &str, from: Address, timeout_ms: u64) -> Result<(Address, u64)> {
        let http = client();
        let tx = json!([{ "from": from, "input": ANCHOR_INIT_CODE }]);
        let hash: B256 = call(&http, rpc_url, "eth_sendTransaction", tx).await?;
        let receipt = wait_receipt(&http, rpc_url, hash, timeout_ms).await?;
        let address = receipt
            .get("contractAddress")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Address>().ok())
            .ok_or_else(|| LedgerError::Rpc {
                method: "eth_getTransactionReceipt".into(),
                reason: format!("no contract address in receipt of {hash}"),
            })?;
        Ok((address, quantity(&receipt, "blockNumber", "eth_getTransactionReceipt")?))
    }

    fn topic(&self) -> B256 {
        B256::left_padding_from(self.config.publisher.as_slice())
    }
}

#[async_trait::async_trait]
impl Anchor for RpcAnchor {
    async fn publish(&self, point: AnchorPoint) -> Result<AnchoredPoint> {
        let c = &self.config;
        let data = format!("0x{}", hex::encode(point.encode()));
        let tx = json!([{ "from": c.publisher, "to": c.contract, "input": data }]);
        let hash: B256 = call(&self.http, &c.rpc_url, "eth_sendTransaction", tx).await?;
        let receipt = wait_receipt(&self.http, &c.rpc_url, hash, c.confirm_timeout_ms).await?;
        let log = receipt.get("logs").and_then(|l| l.get(0)).cloned().unwrap_or(Value::Null);
        Ok(AnchoredPoint {
            point,
            tx_hash: hash,
            evm_block: quantity(&receipt, "blockNumber", "eth_getTransactionReceipt")?,
            log_index: quantity(&log, "logIndex", "eth_getTransactionReceipt").unwrap_or(0),
        })
    }

    async fn fetch(&self) -> Result<Vec<AnchoredPoint>> {
        let c = &self.config;
        let code: String =
            call(&self.http, &c.rpc_url, "eth_getCode", json!([c.contract, "latest"])).await?;
        if !code.eq_ignore_ascii_case(ANCHOR_RUNTIME_CODE) {
            return Err(LedgerError::Rpc {
                method: "eth_getCode".into(),
                reason: format!("{} is not the anchor contract (code {code})", c.contract),
            });
        }
        let filter = json!([{
            "address": c.contract,
            "topics": [self.topic()],
            "fromBlock": format!("{:#x}", c.from_block),
            "toBlock": "latest",
        }]);
        let logs: Vec<Value> = call(&self.http, &c.rpc_url, "eth_getLogs", filter).await?;
        let mut out = Vec::with_capacity(logs.len());
        for log in logs {
            let data = log.get("data").and_then(Value::as_str).unwrap_or_default();
            let point = hex::decode(data.trim_start_matches("0x"))
                .map_err(|e| LedgerError::decode("anchor log", e.to_string()))
                .and_then(|bytes| AnchorPoint::decode(&bytes));
            let point = match point {
                Ok(point) => point,
                Err(e) => {
                    // Only the publisher can write under its topic, so this is its own mistake.
                    tracing::warn!(error = %e, "skipping an anchor log that is not an anchor");
                    continue;
                }
            };
            let tx_hash = log
                .get("transactionHash")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<B256>().ok())
                .unwrap_or_default();
            out.push(AnchoredPoint {
                point,
                tx_hash,
                evm_block: quantity(&log, "blockNumber", "eth_getLogs")?,
                log_index: quantity(&log, "logIndex", "eth_getLogs")?,
            });
        }
        out.sort_by_key(|a| (a.evm_block, a.log_index));
        Ok(out)
    }
}
