//! What the features need to remember about recent traffic: the bids of recent transactions
//! (for the gas-price percentile), each sender's recent sends and deployments, and the code of
//! contracts whose creation was observed. Time comes from the events (`seen_at`), never from
//! the clock, so replaying the same stream yields the same features.

use std::collections::{HashMap, VecDeque};

use alloy_primitives::keccak256;
use vigil_types::{Address, TxInfo, UnixMillis};

use crate::CodeSummary;

/// Bids kept for the gas-price percentile.
const BID_WINDOW: usize = 512;
/// Burst window for a sender's recent sends.
pub(crate) const BURST_MS: u64 = 60_000;
/// Recent sends remembered per sender.
const BURST_CAP: usize = 32;
/// Senders and contracts forgotten when idle this long and the tables are full.
const IDLE_MS: u64 = 24 * 3600 * 1000;

/// Limits of the history's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLimits {
    /// Senders remembered before idle ones are evicted.
    pub max_senders: usize,
    /// Created contracts remembered before old ones are evicted.
    pub max_contracts: usize,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        Self { max_senders: 500_000, max_contracts: 100_000 }
    }
}

#[derive(Debug, Clone, Default)]
struct SenderState {
    last_seen: UnixMillis,
    recent: VecDeque<UnixMillis>,
    last_deployment: Option<UnixMillis>,
}

/// A contract whose creation was observed.
#[derive(Debug, Clone)]
pub struct CreatedContract {
    /// Who deployed it.
    pub creator: Address,
    /// When the creation was seen.
    pub created_at: UnixMillis,
    /// Scan of its init code.
    pub code: CodeSummary,
}

/// The context of one transaction, read from the history before the transaction is added.
#[derive(Debug, Clone, Copy)]
pub struct TxContext<'a> {
    /// When the transaction was seen.
    pub seen_at: UnixMillis,
    /// Share of recent bids below this one (0.5 with no history).
    pub bid_percentile: f32,
    /// Robust z-score of the bid against recent bids (log space); 0 with little history.
    pub bid_zscore: f32,
    /// Whether the sender was seen before.
    pub sender_seen: bool,
    /// The sender's sends in the previous [`BURST_MS`].
    pub sender_recent: u32,
    /// Milliseconds since the sender's latest observed contract creation.
    pub since_own_deployment: Option<u64>,
    /// The code known for this transaction: the init code of a creation, or the target's
    /// observed creation.
    pub code: Option<&'a CodeSummary>,
    /// The target's observed creation, if any.
    pub target: Option<&'a CreatedContract>,
}

impl TxContext<'_> {
    /// A context with no history at all (the first transaction of a stream).
    pub fn empty(seen_at: UnixMillis) -> Self {
        TxContext {
            seen_at,
            bid_percentile: 0.5,
            bid_zscore: 0.0,
            sender_seen: false,
            sender_recent: 0,
            since_own_deployment: None,
            code: None,
            target: None,
        }
    }
}

/// Recent traffic, bounded in memory, updated one transaction at a time.
#[derive(Debug, Clone, Default)]
pub struct TrafficHistory {
    limits: HistoryLimits,
    bids: VecDeque<f32>,
    sorted_bids: Vec<f32>,
    senders: HashMap<Address, SenderState>,
    contracts: HashMap<Address, CreatedContract>,
}

/// The address a creation from `sender` with `nonce` deploys to:
/// `keccak256(rlp([sender, nonce]))[12..]`.
pub fn created_address(sender: &Address, nonce: u64) -> Address {
    let mut rlp = [0u8; 32];
    rlp[1] = 0x94;
    rlp[2..22].copy_from_slice(sender.as_slice());
    let len = match nonce {
        0 => {
            rlp[22] = 0x80;
            23
        }
        1..=0x7f => {
            rlp[22] = nonce as u8;
            23
        }
        _ => {
            let bytes = nonce.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            rlp[22] = 0x80 + (8 - skip) as u8;
            rlp[23..23 + 8 - skip].copy_from_slice(&bytes[skip..]);
            23 + 8 - skip
        }
    };
    rlp[0] = 0xc0 + (len - 1) as u8;
    Address::from_slice(&keccak256(&rlp[..len])[12..])
}

/// The bid of a transaction: its tip, or its gas price for legacy ones, as log10(1 + wei).
pub fn bid_of(tx: &TxInfo) -> f32 {
    let wei = tx.max_priority_fee_per_gas.or(tx.gas_price).unwrap_or(0);
    (wei as f64).ln_1p() as f32 / std::f32::consts::LN_10
}

impl TrafficHistory {
    /// An empty history with the given limits.
    pub fn new(limits: HistoryLimits) -> Self {
        Self { limits, ..Default::default() }
    }

    /// The context of `tx` seen at `seen_at`; `own_code` is the scan of its init code when it
    /// is a creation.
    pub fn context<'a>(
        &'a self,
        tx: &TxInfo,
        seen_at: UnixMillis,
        own_code: Option<&'a CodeSummary>,
    ) -> TxContext<'a> {
        let (bid_percentile, bid_zscore) = self.bid_position(bid_of(tx));
        let sender = self.senders.get(&tx.from);
        let target = tx.to.as_ref().and_then(|to| self.contracts.get(to));
        TxContext {
            seen_at,
            bid_percentile,
            bid_zscore,
            sender_seen: sender.is_some(),
            sender_recent: sender.map_or(0, |s| {
                s.recent.iter().filter(|t| seen_at.saturating_sub(**t) <= BURST_MS).count() as u32
            }),
            since_own_deployment: sender
                .and_then(|s| s.last_deployment)
                .map(|t| seen_at.saturating_sub(t)),
            code: own_code.or(target.map(|c| &c.code)),
            target,
        }
    }

    fn bid_position(&self, bid: f32) -> (f32, f32) {
        let n = self.sorted_bids.len();
        if n == 0 {
            return (0.5, 0.0);
        }
        let below = self.sorted_bids.partition_point(|b| *b < bid);
        let not_above = self.sorted_bids.partition_point(|b| *b <= bid);
        let percentile = (below + not_above) as f32 / (2 * n) as f32;
        if n < 20 {
            return (percentile, 0.0);
        }
        let q = |p: f32| self.sorted_bids[((n - 1) as f32 * p) as usize];
        // IQR / 1.349 estimates σ for a normal; floored so a flat market does not make every
        // small difference an anomaly.
        let sigma = ((q(0.75) - q(0.25)) / 1.349).max(0.05);
        (percentile, (bid - q(0.5)) / sigma)
    }

    /// Adds `tx` (seen at `seen_at`) to the history; `own_code` as for [`Self::context`].
    pub fn observe(&mut self, tx: &TxInfo, seen_at: UnixMillis, own_code: Option<&CodeSummary>) {
        let bid = bid_of(tx);
        if self.bids.len() == BID_WINDOW
            && let Some(old) = self.bids.pop_front()
        {
            let i = self.sorted_bids.partition_point(|b| *b < old);
            if i < self.sorted_bids.len() {
                self.sorted_bids.remove(i);
            }
        }
        self.bids.push_back(bid);
        let i = self.sorted_bids.partition_point(|b| *b < bid);
        self.sorted_bids.insert(i, bid);

        if self.senders.len() >= self.limits.max_senders.max(1) {
            self.senders.retain(|_, s| seen_at.saturating_sub(s.last_seen) < IDLE_MS);
            if self.senders.len() >= self.limits.max_senders.max(1) {
                self.senders.clear();
            }
        }
        let sender = self.senders.entry(tx.from).or_default();
        sender.last_seen = seen_at;
        sender.recent.retain(|t| seen_at.saturating_sub(*t) <= BURST_MS);
        if sender.recent.len() == BURST_CAP {
            sender.recent.pop_front();
        }
        sender.recent.push_back(seen_at);
        if tx.to.is_none() {
            sender.last_deployment = Some(seen_at);
            if let Some(code) = own_code {
                self.add_contract(tx, seen_at, code.clone());
            }
        }
    }

    fn add_contract(&mut self, tx: &TxInfo, seen_at: UnixMillis, code: CodeSummary) {
        if self.contracts.len() >= self.limits.max_contracts.max(1) {
            self.contracts.retain(|_, c| seen_at.saturating_sub(c.created_at) < IDLE_MS);
            if self.contracts.len() >= self.limits.max_contracts.max(1) {
                self.contracts.clear();
            }
        }
        let address = created_address(&tx.from, tx.nonce);
        self.contracts
            .insert(address, CreatedContract { creator: tx.from, created_at: seen_at, code });
    }

    /// The observed creation of `address`, if any.
    pub fn created(&self, address: &Address) -> Option<&CreatedContract> {
        self.contracts.get(address)
    }

    /// Senders currently remembered.
    pub fn senders(&self) -> usize {
        self.senders.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_addresses_match_the_chain() {
        // anvil's first account deploys its first contracts to these well-known addresses.
        let deployer: Address =
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".parse().expect("address");
        let first: Address = "0x5fbdb2315678afecb367f032d93f642f64180aa3".parse().expect("address");
        let second: Address =
            "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512".parse().expect("address");
        assert_eq!(created_address(&deployer, 0), first);
        assert_eq!(created_address(&deployer, 1), second);
        // Multi-byte nonces use the long form.
        assert_ne!(created_address(&deployer, 0x80), created_address(&deployer, 0x81));
    }

    #[test]
    fn percentile_and_zscore_follow_the_window() {
        let mut h = TrafficHistory::new(HistoryLimits::default());
        let tx = |tip: u128| TxInfo {
            hash: Default::default(),
            from: Address::ZERO,
            to: Some(Address::ZERO),
            nonce: 0,
            value: Default::default(),
            input: Default::default(),
            gas_limit: 21_000,
            gas_price: None,
            max_fee_per_gas: Some(tip * 2),
            max_priority_fee_per_gas: Some(tip),
            tx_type: 2,
            call: None,
            block_number: None,
            success: None,
        };
        for i in 0..100u128 {
            h.observe(&tx(1_000_000_000 + i * 10_000_000), i as u64, None);
        }
        let low = h.context(&tx(1), 200, None);
        let high = h.context(&tx(1_000_000_000_000), 200, None);
        assert_eq!(low.bid_percentile, 0.0);
        assert_eq!(high.bid_percentile, 1.0);
        assert!(high.bid_zscore > 3.5, "{}", high.bid_zscore);
        assert!(low.sender_seen && low.sender_recent > 0);
    }
}
