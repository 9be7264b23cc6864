use std::{
    sync::{
        Arc, Once,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy_primitives::{Address, B256, U256};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use crate::{Result, TestkitError};

/// A transaction for `eth_sendTransaction` from one of anvil's unlocked dev accounts.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxRequest {
    /// Sender (must be unlocked on the node).
    pub from: Address,
    /// Recipient; `None` deploys `input` as a contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
    /// Wei to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<U256>,
    /// Calldata or init code, 0x-hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Gas limit (the node estimates when absent).
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_quantity")]
    pub gas: Option<u64>,
    /// EIP-1559 max fee per gas.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_quantity")]
    pub max_fee_per_gas: Option<u64>,
    /// EIP-1559 tip.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_quantity")]
    pub max_priority_fee_per_gas: Option<u64>,
    /// Explicit nonce.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_quantity")]
    pub nonce: Option<u64>,
}

mod opt_quantity {
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(value: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_str(&format!("{v:#x}")),
            None => s.serialize_none(),
        }
    }
}

/// A small JSON-RPC 2.0 client over HTTP, for driving a local node in tests and the demo.
#[derive(Debug, Clone)]
pub struct RpcClient {
    url: String,
    http: reqwest::Client,
    ids: Arc<AtomicU64>,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another component may have installed ring already; either way ring is in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl RpcClient {
    /// A client for `url` (http://…).
    pub fn new(url: impl Into<String>) -> Self {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { url: url.into(), http, ids: Arc::new(AtomicU64::new(1)) }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with `params` and decodes the result.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T> {
        let err = |reason: String| TestkitError::Rpc { method: method.to_owned(), reason };
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let reply: Value = self
            .http
            .post(&self.url)
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
            .map_err(|e| err(e.to_string()))
    }

    /// Sends a transaction from an unlocked account; returns its hash.
    pub async fn send_transaction(&self, tx: &TxRequest) -> Result<B256> {
        self.call("eth_sendTransaction", json!([tx])).await
    }

    /// Sends a raw signed transaction; returns its hash.
    pub async fn send_raw_transaction(&self, raw: &[u8]) -> Result<B256> {
        self.call("eth_sendRawTransaction", json!([format!("0x{}", hex_encode(raw))])).await
    }

    /// Mines `blocks` blocks now.
    pub async fn mine(&self, blocks: u64) -> Result<()> {
        let _: Value = self.call("anvil_mine", json!([format!("{blocks:#x}")])).await?;
        Ok(())
    }

    /// The current block number.
    pub async fn block_number(&self) -> Result<u64> {
        let hex: String = self.call("eth_blockNumber", json!([])).await?;
        parse_quantity(&hex).ok_or_else(|| TestkitError::Rpc {
            method: "eth_blockNumber".into(),
            reason: format!("bad quantity {hex}"),
        })
    }

    /// The receipt of `hash`, if mined.
    pub async fn receipt(&self, hash: B256) -> Result<Option<Value>> {
        self.call("eth_getTransactionReceipt", json!([hash])).await
    }

    /// Deploys `init_code` (0x-hex) from `from`, mines it, and returns the contract address.
    pub async fn deploy(&self, from: Address, init_code: &str) -> Result<Address> {
        let tx = TxRequest { from, input: Some(init_code.to_owned()), ..Default::default() };
        let hash = self.send_transaction(&tx).await?;
        self.mine(1).await?;
        let receipt = self.receipt(hash).await?.unwrap_or(Value::Null);
        let address = receipt.get("contractAddress").and_then(Value::as_str).unwrap_or_default();
        address.parse().map_err(|_| TestkitError::Rpc {
            method: "eth_getTransactionReceipt".into(),
            reason: format!("no contract address in receipt of {hash}"),
        })
    }
}

/// Parses a JSON-RPC quantity such as `0x1a`.
pub(crate) fn parse_quantity(hex: &str) -> Option<u64> {
    u64::from_str_radix(hex.strip_prefix("0x")?, 16).ok()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
