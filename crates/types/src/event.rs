use alloy_primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::{CallInfo, UnixMillis};

/// Something observed on a chain. `seen_at` is the only clock analyzers may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// EIP-155 chain id of the node the event came from.
    pub chain_id: u64,
    /// When vigil received it, in Unix milliseconds.
    pub seen_at: UnixMillis,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of chain events.
// Events are shared behind `Arc` by the engine and moved rarely, so the size gap between a
// transaction and a block reference costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A transaction waiting in the node's pool.
    PendingTx(TxInfo),
    /// A block joined the canonical chain, with the monitored transactions it holds.
    BlockCommitted(BlockInfo),
    /// A block left the canonical chain (reorg); undo what its commit added.
    BlockReverted(BlockRef),
    /// A log emitted by a monitored contract in a committed block.
    Log(LogEntry),
}

/// A transaction as vigil sees it, pending or mined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxInfo {
    /// Transaction hash.
    pub hash: B256,
    /// Sender.
    pub from: Address,
    /// Recipient; `None` for contract creation.
    pub to: Option<Address>,
    /// Sender nonce.
    pub nonce: u64,
    /// Wei sent along.
    pub value: U256,
    /// Raw calldata.
    pub input: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy / EIP-2930 gas price in wei.
    #[serde(default, with = "crate::quantity")]
    pub gas_price: Option<u128>,
    /// EIP-1559 max fee per gas in wei.
    #[serde(default, with = "crate::quantity")]
    pub max_fee_per_gas: Option<u128>,
    /// EIP-1559 max priority fee (tip) per gas in wei.
    #[serde(default, with = "crate::quantity")]
    pub max_priority_fee_per_gas: Option<u128>,
    /// EIP-2718 type byte (0 legacy, 1 access list, 2 dynamic fee, ...).
    pub tx_type: u8,
    /// The decoded calldata; `None` until a decoder has looked at it.
    pub call: Option<CallInfo>,
    /// Block number, when the transaction was observed already mined.
    pub block_number: Option<u64>,
    /// Receipt status (`true` = success), when known.
    pub success: Option<bool>,
}

impl TxInfo {
    /// The transaction as findings carry it in `evidence.tx`: sender, recipient, nonce and
    /// the fee fields as decimal strings (the keys the defense executor reads).
    pub fn evidence(&self) -> serde_json::Value {
        let decimal = |v: Option<u128>| v.map(|v| v.to_string());
        serde_json::json!({
            "from": self.from, "to": self.to, "nonce": self.nonce, "value": self.value.to_string(),
            "gas_limit": self.gas_limit, "gas_price": decimal(self.gas_price),
            "max_fee_per_gas": decimal(self.max_fee_per_gas),
            "max_priority_fee_per_gas": decimal(self.max_priority_fee_per_gas),
            "tx_type": self.tx_type,
        })
    }

    /// The highest fee per gas the sender will pay (max fee, or gas price for legacy).
    pub fn fee_cap(&self) -> u128 {
        self.max_fee_per_gas.or(self.gas_price).unwrap_or(0)
    }

    /// The tip the sender offers above `base_fee`: min(max priority fee, max fee − base fee)
    /// for EIP-1559 transactions, gas price − base fee for legacy ones.
    pub fn effective_tip(&self, base_fee: u128) -> u128 {
        let headroom = self.fee_cap().saturating_sub(base_fee);
        match self.max_priority_fee_per_gas {
            Some(tip) => tip.min(headroom),
            None => headroom,
        }
    }
}

/// A committed block, reduced to what vigil needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Parent hash.
    pub parent_hash: B256,
    /// Block timestamp (seconds, from the header).
    pub timestamp: u64,
    /// Base fee per gas, for EIP-1559 chains.
    #[serde(default, with = "crate::quantity")]
    pub base_fee_per_gas: Option<u128>,
    /// Monitored transactions in the block, with receipt status.
    pub transactions: Vec<TxInfo>,
}

/// Identifies a block that was reverted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

/// A log emitted by a monitored contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Emitting contract.
    pub address: Address,
    /// Indexed topics; `topics[0]` is the event signature hash.
    pub topics: Vec<B256>,
    /// Non-indexed data.
    pub data: Bytes,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Hash of the emitting transaction.
    pub tx_hash: B256,
    /// Position of the log in the block.
    pub log_index: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx() -> TxInfo {
        TxInfo {
            hash: B256::ZERO,
            from: Address::ZERO,
            to: None,
            nonce: 0,
            value: U256::ZERO,
            input: Bytes::new(),
            gas_limit: 21_000,
            gas_price: None,
            max_fee_per_gas: None,
            max_priority_fee_per_gas: None,
            tx_type: 2,
            call: None,
            block_number: None,
            success: None,
        }
    }

    #[test]
    fn effective_tip_is_capped_by_fee_headroom() {
        let t = TxInfo { max_fee_per_gas: Some(100), max_priority_fee_per_gas: Some(30), ..tx() };
        assert_eq!(t.effective_tip(50), 30);
        assert_eq!(t.effective_tip(80), 20);
        assert_eq!(t.effective_tip(120), 0);
        let legacy = TxInfo { gas_price: Some(70), tx_type: 0, ..tx() };
        assert_eq!(legacy.effective_tip(50), 20);
    }

    #[test]
    fn events_round_trip_through_json() {
        let tx =
            TxInfo { max_fee_per_gas: Some(u128::MAX), max_priority_fee_per_gas: Some(3), ..tx() };
        let event = Event { chain_id: 1, seen_at: 5, kind: EventKind::PendingTx(tx) };
        let text = serde_json::to_string(&event).expect("serialize");
        assert!(text.contains(r#""type":"pending_tx""#), "{text}");
        let back: Event = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back, event);
    }
}
