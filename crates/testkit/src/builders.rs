use alloy_primitives::{Address, B256, Bytes, U256};
use vigil_types::{Event, EventKind, Factor, Finding, FindingId, Subject, ThreatLevel, TxInfo};

/// Builds [`TxInfo`] values for tests with sensible defaults (an EIP-1559 call).
#[derive(Debug, Clone)]
pub struct TxBuilder(TxInfo);

impl Default for TxBuilder {
    fn default() -> Self {
        Self(TxInfo {
            hash: B256::repeat_byte(0x11),
            from: Address::repeat_byte(0xaa),
            to: Some(Address::repeat_byte(0xcc)),
            nonce: 0,
            value: U256::ZERO,
            input: Bytes::new(),
            gas_limit: 100_000,
            gas_price: None,
            max_fee_per_gas: Some(30_000_000_000),
            max_priority_fee_per_gas: Some(1_000_000_000),
            tx_type: 2,
            call: None,
            block_number: None,
            success: None,
        })
    }
}

impl TxBuilder {
    /// Sets the hash.
    pub fn hash(mut self, hash: B256) -> Self {
        self.0.hash = hash;
        self
    }
    /// Sets the hash from a small number, handy for unique test txs.
    pub fn hash_n(self, n: u64) -> Self {
        self.hash(B256::left_padding_from(&n.to_be_bytes()))
    }
    /// Sets the sender.
    pub fn from(mut self, from: Address) -> Self {
        self.0.from = from;
        self
    }
    /// Sets the recipient.
    pub fn to(mut self, to: Address) -> Self {
        self.0.to = Some(to);
        self
    }
    /// Sets the sender nonce.
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.0.nonce = nonce;
        self
    }
    /// Sets the value in wei.
    pub fn value(mut self, wei: U256) -> Self {
        self.0.value = wei;
        self
    }
    /// Sets the calldata.
    pub fn input(mut self, input: impl Into<Bytes>) -> Self {
        self.0.input = input.into();
        self
    }
    /// Sets the EIP-1559 fees.
    pub fn fees(mut self, max_fee: u128, tip: u128) -> Self {
        self.0.max_fee_per_gas = Some(max_fee);
        self.0.max_priority_fee_per_gas = Some(tip);
        self
    }
    /// Marks the tx as mined in `block`.
    pub fn mined(mut self, block: u64, success: bool) -> Self {
        self.0.block_number = Some(block);
        self.0.success = Some(success);
        self
    }
    /// The transaction.
    pub fn build(self) -> TxInfo {
        self.0
    }
}

/// A pending-transaction event on chain 31337 seen at `seen_at`.
pub fn pending_event(tx: TxInfo, seen_at: u64) -> Event {
    Event { chain_id: 31337, seen_at, kind: EventKind::PendingTx(tx) }
}

/// Builds [`Finding`]s for sink tests.
#[derive(Debug, Clone)]
pub struct FindingBuilder(Finding);

impl FindingBuilder {
    /// A finding by `analyzer` about tx `n`.
    pub fn new(analyzer: &str, n: u64) -> Self {
        let subject = Subject::Tx { hash: B256::left_padding_from(&n.to_be_bytes()) };
        Self(Finding {
            id: FindingId::derive(analyzer, &subject),
            analyzer: analyzer.to_owned(),
            chain_id: 31337,
            subject,
            target: Some(Address::repeat_byte(0xcc)),
            threat_level: ThreatLevel::Info,
            confidence: 1.0,
            summary: format!("test finding {n}"),
            factors: vec![Factor {
                name: "test".into(),
                contribution: 1.0,
                detail: "made by a test".into(),
            }],
            evidence: serde_json::json!({"n": n}),
            observed_at: 1_700_000_000_000 + n,
        })
    }
    /// Sets the threat level.
    pub fn level(mut self, level: ThreatLevel) -> Self {
        self.0.threat_level = level;
        self
    }
    /// The finding.
    pub fn build(self) -> Finding {
        self.0
    }
}
