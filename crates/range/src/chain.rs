//! The range's view of the node: transactions from anvil's unlocked dev accounts with
//! locally tracked nonces and EIP-1559 fees, typed `eth_call`s, and settling (mining by hand
//! on a `--no-mining` node, waiting on a block-time node) until every sent transaction has
//! its receipt.

use std::{collections::HashMap, time::Duration};

use alloy::{
    primitives::{Address, B256, Bytes, U64, U256},
    sol_types::SolCall,
};
use serde::Deserialize;
use serde_json::{Value, json};
use vigil_testkit::{RpcClient, TxRequest};

use crate::{RangeError, Result};

/// How blocks are produced on the node the range drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MiningMode {
    /// anvil runs with `--no-mining`; the range mines each block itself (`anvil_mine`) and
    /// sets its timestamp, so a scenario is fully deterministic.
    #[default]
    Manual,
    /// anvil mines on its own timer (`--block-time`); the range waits for receipts.
    Interval,
}

/// A transaction the range wants sent; nonce and fee cap are filled in at send time.
#[derive(Debug, Clone, Default)]
pub struct PlannedTx {
    /// Sender, one of the node's unlocked accounts.
    pub from: Address,
    /// Recipient; `None` creates a contract from `input`.
    pub to: Option<Address>,
    /// Wei sent along.
    pub value: U256,
    /// Calldata or init code.
    pub input: Bytes,
    /// Gas limit (never estimated: later transactions depend on pending ones).
    pub gas: u64,
    /// Priority fee in wei.
    pub tip: u64,
}

impl PlannedTx {
    /// A call of `call` on `to`.
    pub fn call<C: SolCall>(from: Address, to: Address, call: &C, gas: u64) -> Self {
        Self { from, to: Some(to), input: call.abi_encode().into(), gas, ..Default::default() }
    }

    /// A contract creation.
    pub fn create(from: Address, init_code: Bytes, gas: u64) -> Self {
        Self { from, input: init_code, gas, ..Default::default() }
    }

    /// The same transaction carrying `value` wei.
    pub fn with_value(mut self, value: U256) -> Self {
        self.value = value;
        self
    }

    /// The same transaction with priority fee `tip` wei.
    pub fn with_tip(mut self, tip: u64) -> Self {
        self.tip = tip;
        self
    }
}

/// One log of a receipt.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptLog {
    /// Emitting contract.
    pub address: Address,
    /// Topics, signature first.
    pub topics: Vec<B256>,
    /// Non-indexed data.
    pub data: Bytes,
}

/// The parts of a receipt the range uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Transaction hash.
    pub transaction_hash: B256,
    status: U64,
    gas_used: U64,
    block_number: U64,
    transaction_index: U64,
    #[serde(default)]
    effective_gas_price: Option<U256>,
    /// Address of the created contract, for creations.
    #[serde(default)]
    pub contract_address: Option<Address>,
    /// Logs in emission order.
    pub logs: Vec<ReceiptLog>,
}

impl Receipt {
    /// Whether the transaction succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == U64::from(1)
    }
    /// Gas used.
    pub fn gas_used(&self) -> u64 {
        self.gas_used.to::<u64>()
    }
    /// Block that holds it.
    pub fn block_number(&self) -> u64 {
        self.block_number.to::<u64>()
    }
    /// Position inside the block.
    pub fn transaction_index(&self) -> u64 {
        self.transaction_index.to::<u64>()
    }
    /// Wei paid for gas.
    pub fn fee_paid(&self) -> U256 {
        self.effective_gas_price.unwrap_or_default() * U256::from(self.gas_used())
    }
}

/// Sends, calls and mines against one node.
#[derive(Debug, Clone)]
pub struct Chain {
    rpc: RpcClient,
    mode: MiningMode,
    nonces: HashMap<Address, u64>,
    base_fee: u64,
}

impl Chain {
    /// A driver for the node behind `rpc`.
    pub async fn new(rpc: RpcClient, mode: MiningMode) -> Result<Self> {
        let mut chain = Self { rpc, mode, nonces: HashMap::new(), base_fee: 0 };
        chain.refresh_base_fee().await?;
        Ok(chain)
    }

    /// The JSON-RPC client.
    pub fn rpc(&self) -> &RpcClient {
        &self.rpc
    }

    /// How blocks are produced.
    pub fn mode(&self) -> MiningMode {
        self.mode
    }

    /// The base fee of the latest block, as last read.
    pub fn base_fee(&self) -> u64 {
        self.base_fee
    }

    /// Re-reads the latest block's base fee; returns the block's timestamp.
    pub async fn refresh_base_fee(&mut self) -> Result<u64> {
        let block: Value = self.rpc.call("eth_getBlockByNumber", json!(["latest", false])).await?;
        let quantity = |key: &str| {
            block
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        };
        self.base_fee = quantity("baseFeePerGas").unwrap_or(0);
        Ok(quantity("timestamp").unwrap_or(0))
    }

    /// The next nonce of `account`, counting what this driver already sent.
    pub async fn nonce(&mut self, account: Address) -> Result<u64> {
        if let Some(nonce) = self.nonces.get(&account) {
            return Ok(*nonce);
        }
        let hex: U64 =
            self.rpc.call("eth_getTransactionCount", json!([account, "pending"])).await?;
        let nonce = hex.to::<u64>();
        self.nonces.insert(account, nonce);
        Ok(nonce)
    }

    /// Sends `tx` with the sender's next nonce and `max_fee = 2 × base fee + tip`.
    pub async fn send(&mut self, tx: &PlannedTx) -> Result<B256> {
        let nonce = self.nonce(tx.from).await?;
        let request = TxRequest {
            from: tx.from,
            to: tx.to,
            value: (!tx.value.is_zero()).then_some(tx.value),
            input: Some(tx.input.to_string()),
            gas: Some(tx.gas),
            max_fee_per_gas: Some(self.base_fee.saturating_mul(2).saturating_add(tx.tip).max(1)),
            max_priority_fee_per_gas: Some(tx.tip),
            nonce: Some(nonce),
        };
        let hash = self.rpc.send_transaction(&request).await?;
        self.nonces.insert(tx.from, nonce + 1);
        Ok(hash)
    }

    /// The node's JSON for `hash` (as a mempool watcher sees it while pending).
    pub async fn transaction(&self, hash: B256) -> Result<Value> {
        let tx: Value = self.rpc.call("eth_getTransactionByHash", json!([hash])).await?;
        if tx.is_null() {
            return Err(RangeError::Node(format!("transaction {hash} unknown to the node")));
        }
        Ok(tx)
    }

    async fn is_pending(&self, hash: B256) -> Result<bool> {
        let tx: Value = self.rpc.call("eth_getTransactionByHash", json!([hash])).await?;
        Ok(!tx.is_null())
    }

    /// `eth_call` of `call` on `to` at the latest block.
    pub async fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        let request = json!([{ "to": to, "data": Bytes::from(call.abi_encode()) }, "latest"]);
        let out: Bytes = self.rpc.call("eth_call", request).await?;
        C::abi_decode_returns(&out)
            .map_err(|e| RangeError::Node(format!("failed to decode {} result: {e}", C::SIGNATURE)))
    }

    /// Ether balance of `account`.
    pub async fn balance(&self, account: Address) -> Result<U256> {
        Ok(self.rpc.call("eth_getBalance", json!([account, "latest"])).await?)
    }

    /// Sets `account`'s ether balance (anvil cheat code; only used while preparing the range).
    pub async fn set_balance(&self, account: Address, wei: U256) -> Result<()> {
        let _: Value = self.rpc.call("anvil_setBalance", json!([account, wei])).await?;
        Ok(())
    }

    /// The receipt of `hash`, if mined.
    pub async fn receipt(&self, hash: B256) -> Result<Option<Receipt>> {
        let raw = self.rpc.receipt(hash).await?;
        match raw {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| RangeError::Node(format!("malformed receipt of {hash}: {e}"))),
        }
    }

    /// Mines (manual mode; the first block at `timestamp` when given) or waits (interval
    /// mode) until every transaction in `hashes` has a receipt. Order matches `hashes`;
    /// a transaction the node dropped comes back as `None`.
    pub async fn settle(
        &mut self,
        hashes: &[B256],
        timestamp: Option<u64>,
    ) -> Result<Vec<Option<Receipt>>> {
        let mut receipts: Vec<Option<Receipt>> = vec![None; hashes.len()];
        let attempts = match self.mode {
            MiningMode::Manual => 64,
            MiningMode::Interval => 1200,
        };
        for attempt in 0..attempts {
            match self.mode {
                MiningMode::Manual => {
                    if attempt == 0
                        && let Some(ts) = timestamp
                    {
                        let _: Value =
                            self.rpc.call("evm_setNextBlockTimestamp", json!([ts])).await?;
                    }
                    self.rpc.mine(1).await?;
                }
                MiningMode::Interval if attempt > 0 => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                MiningMode::Interval => {}
            }
            let mut waiting = false;
            for (slot, hash) in receipts.iter_mut().zip(hashes) {
                if slot.is_none() {
                    *slot = self.receipt(*hash).await?;
                    // A transaction the pool no longer knows will never be mined.
                    waiting |= slot.is_none() && self.is_pending(*hash).await?;
                }
            }
            if !waiting {
                break;
            }
        }
        self.refresh_base_fee().await?;
        Ok(receipts)
    }

    /// Sends `txs` in order, settles them and fails unless every one succeeded. For
    /// preparing the range, not for scenario traffic.
    pub async fn execute(&mut self, txs: &[PlannedTx]) -> Result<Vec<Receipt>> {
        let mut hashes = Vec::with_capacity(txs.len());
        for tx in txs {
            hashes.push(self.send(tx).await?);
        }
        let receipts = self.settle(&hashes, None).await?;
        receipts
            .into_iter()
            .zip(hashes)
            .map(|(receipt, hash)| match receipt {
                Some(r) if r.succeeded() => Ok(r),
                Some(_) => Err(RangeError::Reverted(hash)),
                None => Err(RangeError::Node(format!("transaction {hash} was never mined"))),
            })
            .collect()
    }
}
