//! What the executor needs to know about the attacker's transaction, read from a finding.
//!
//! Analyzers that want the executor to act put these keys in `finding.evidence` (the
//! watchlist does; any analyzer should):
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `tx.from` | address | attacker EOA |
//! | `tx.to` | address or null | called contract (null for a creation) |
//! | `tx.nonce` | integer | attacker nonce (a later tx with the same from + nonce is a bump) |
//! | `tx.max_fee_per_gas` | decimal string or null | EIP-1559 max fee |
//! | `tx.max_priority_fee_per_gas` | decimal string or null | EIP-1559 tip |
//! | `tx.gas_price` | decimal string or null | legacy gas price |
//! | `targets` | array of addresses (optional) | protected contracts the tx would touch |
//! | `mined_only` | bool (optional) | the tx was first seen already mined |
//! | `block_number` | integer or null (optional) | block holding the tx, if mined |
//!
//! The finding's `subject` is `Tx { hash }` of the attacker's transaction, and its `target`
//! the protected contract when the analyzer knows it. Integers may also be given as JSON
//! numbers or 0x-hex strings.

use serde_json::Value;
use vigil_types::{Address, B256, Finding, Subject};

/// The attacker's transaction as far as a finding tells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttackTx {
    /// Its hash (the finding's subject).
    pub hash: Option<B256>,
    /// Sender.
    pub from: Option<Address>,
    /// Recipient (`None` for a creation or when unknown).
    pub to: Option<Address>,
    /// Sender nonce.
    pub nonce: Option<u64>,
    /// EIP-1559 max fee per gas.
    pub max_fee_per_gas: Option<u128>,
    /// EIP-1559 tip.
    pub max_priority_fee_per_gas: Option<u128>,
    /// Legacy gas price.
    pub gas_price: Option<u128>,
    /// Whether the transaction was already mined when judged.
    pub mined: bool,
}

impl AttackTx {
    /// Reads the agreed evidence keys (see the module docs) of `finding`.
    pub fn from_finding(finding: &Finding) -> Self {
        let tx = finding.evidence.get("tx").unwrap_or(&Value::Null);
        let hash = match &finding.subject {
            Subject::Tx { hash } => Some(*hash),
            _ => tx.get("hash").and_then(Value::as_str).and_then(|s| s.parse().ok()),
        };
        let mined_only = finding.evidence.get("mined_only").and_then(Value::as_bool);
        let in_block = finding.evidence.get("block_number").is_some_and(|b| !b.is_null());
        Self {
            hash,
            from: address(tx.get("from")),
            to: address(tx.get("to")),
            nonce: integer(tx.get("nonce")).and_then(|n| u64::try_from(n).ok()),
            max_fee_per_gas: integer(tx.get("max_fee_per_gas")),
            max_priority_fee_per_gas: integer(tx.get("max_priority_fee_per_gas")),
            gas_price: integer(tx.get("gas_price")),
            mined: mined_only.unwrap_or(false) || in_block,
        }
    }

    /// Whether the fee fields needed to outbid the attacker are present.
    pub fn has_fees(&self) -> bool {
        self.max_fee_per_gas.is_some() || self.gas_price.is_some()
    }

    /// `(from, nonce)`: a later transaction with the same key replaces this one.
    pub fn replacement_key(&self) -> Option<(Address, u64)> {
        Some((self.from?, self.nonce?))
    }
}

/// Protected-contract candidates the finding names: its `target`, then `evidence.targets`.
pub fn named_targets(finding: &Finding) -> Vec<Address> {
    let mut out: Vec<Address> = finding.target.into_iter().collect();
    if let Some(list) = finding.evidence.get("targets").and_then(Value::as_array) {
        out.extend(list.iter().filter_map(|v| address(Some(v))));
    }
    out
}

fn address(value: Option<&Value>) -> Option<Address> {
    value?.as_str()?.parse().ok()
}

/// A non-negative integer given as a JSON number, a decimal string or a 0x-hex string.
pub(crate) fn integer(value: Option<&Value>) -> Option<u128> {
    match value? {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(hex) => u128::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vigil_types::{FindingId, ThreatLevel};

    use super::*;

    fn finding(evidence: Value) -> Finding {
        let subject = Subject::Tx { hash: B256::repeat_byte(7) };
        Finding {
            id: FindingId::derive("t", &subject),
            analyzer: "t".into(),
            chain_id: 1,
            subject,
            target: Some(Address::repeat_byte(1)),
            threat_level: ThreatLevel::High,
            confidence: 1.0,
            summary: String::new(),
            factors: vec![],
            evidence,
            observed_at: 0,
        }
    }

    #[test]
    fn reads_the_agreed_evidence_keys() {
        let f = finding(json!({
            "tx": {
                "from": "0x0202020202020202020202020202020202020202", "to": null, "nonce": 4,
                "max_fee_per_gas": "300000000000", "max_priority_fee_per_gas": "0x3b9aca00",
                "gas_price": null
            },
            "targets": ["0x0303030303030303030303030303030303030303", "junk"],
            "mined_only": false, "block_number": null
        }));
        let tx = AttackTx::from_finding(&f);
        assert_eq!(tx.hash, Some(B256::repeat_byte(7)));
        assert_eq!(tx.from, Some(Address::repeat_byte(2)));
        assert_eq!(tx.to, None);
        assert_eq!(tx.nonce, Some(4));
        assert_eq!(tx.max_fee_per_gas, Some(300_000_000_000));
        assert_eq!(tx.max_priority_fee_per_gas, Some(1_000_000_000));
        assert!(tx.has_fees() && !tx.mined);
        assert_eq!(named_targets(&f), [Address::repeat_byte(1), Address::repeat_byte(3)]);
    }

    #[test]
    fn mined_findings_are_marked() {
        assert!(AttackTx::from_finding(&finding(json!({"mined_only": true}))).mined);
        assert!(AttackTx::from_finding(&finding(json!({"block_number": 9}))).mined);
        let bare = AttackTx::from_finding(&finding(json!("not an object")));
        assert!(!bare.mined && !bare.has_fees() && bare.replacement_key().is_none());
    }
}
