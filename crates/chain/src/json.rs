//! Node JSON → vigil types. Written by hand (rather than through alloy's strict RPC types) so
//! that odd but usable replies from different node implementations still parse, and unusable
//! ones give a precise error naming the field.

use std::str::FromStr;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;
use vigil_types::{BlockInfo, LogEntry, TxInfo};

use crate::ChainError;

fn field<'a>(v: &'a Value, name: &str, what: &'static str) -> Result<&'a Value, ChainError> {
    v.get(name)
        .filter(|f| !f.is_null())
        .ok_or_else(|| ChainError::malformed(what, format!("missing field `{name}`")))
}

fn parse<T: FromStr>(v: &Value, name: &str, what: &'static str) -> Result<T, ChainError> {
    let raw = field(v, name, what)?;
    raw.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ChainError::malformed(what, format!("field `{name}` is invalid: {raw}")))
}

fn opt_parse<T: FromStr>(
    v: &Value,
    name: &str,
    what: &'static str,
) -> Result<Option<T>, ChainError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => parse(v, name, what).map(Some),
    }
}

/// Parses a JSON-RPC quantity (`"0x1a"`, or a plain JSON number from lenient nodes).
fn quantity(raw: &Value) -> Option<u128> {
    match raw {
        Value::String(s) => {
            let digits = s.strip_prefix("0x")?;
            if digits.is_empty() {
                return Some(0);
            }
            u128::from_str_radix(digits, 16).ok()
        }
        Value::Number(n) => n.as_u64().map(u128::from),
        _ => None,
    }
}

fn qty(v: &Value, name: &str, what: &'static str) -> Result<u128, ChainError> {
    let raw = field(v, name, what)?;
    quantity(raw).ok_or_else(|| {
        ChainError::malformed(what, format!("field `{name}` is not a quantity: {raw}"))
    })
}

fn qty64(v: &Value, name: &str, what: &'static str) -> Result<u64, ChainError> {
    u64::try_from(qty(v, name, what)?)
        .map_err(|_| ChainError::malformed(what, format!("field `{name}` exceeds 64 bits")))
}

fn opt_qty(v: &Value, name: &str, what: &'static str) -> Result<Option<u128>, ChainError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => qty(v, name, what).map(Some),
    }
}

/// Parses a transaction object as returned by `eth_getTransactionByHash`, pending
/// subscriptions with full bodies, or blocks with full transactions.
pub fn tx_from_json(v: &Value) -> Result<TxInfo, ChainError> {
    const W: &str = "transaction";
    if !v.is_object() {
        return Err(ChainError::malformed(W, format!("expected an object, got {v}")));
    }
    let input_field = if v.get("input").is_some() { "input" } else { "data" };
    let value = match v.get("value") {
        None | Some(Value::Null) => U256::ZERO,
        Some(raw) => raw
            .as_str()
            .and_then(|s| U256::from_str(s).ok())
            .ok_or_else(|| ChainError::malformed(W, format!("field `value` is invalid: {raw}")))?,
    };
    let tx_type = opt_qty(v, "type", W)?.unwrap_or(0);
    Ok(TxInfo {
        hash: parse::<B256>(v, "hash", W)?,
        from: parse::<Address>(v, "from", W)?,
        to: opt_parse::<Address>(v, "to", W)?,
        nonce: qty64(v, "nonce", W)?,
        value,
        input: parse::<Bytes>(v, input_field, W)?,
        gas_limit: qty64(v, "gas", W)?,
        gas_price: opt_qty(v, "gasPrice", W)?,
        max_fee_per_gas: opt_qty(v, "maxFeePerGas", W)?,
        max_priority_fee_per_gas: opt_qty(v, "maxPriorityFeePerGas", W)?,
        tx_type: u8::try_from(tx_type)
            .map_err(|_| ChainError::malformed(W, "type exceeds 8 bits"))?,
        call: None,
        block_number: opt_qty(v, "blockNumber", W)?.and_then(|n| u64::try_from(n).ok()),
        success: None,
    })
}

/// Parses a block header (and its full transactions, if present) from `eth_getBlockByNumber`
/// or a `newHeads` notification. Hash-only transaction lists yield no transactions.
pub fn block_from_json(v: &Value) -> Result<BlockInfo, ChainError> {
    const W: &str = "block";
    let transactions = match v.get("transactions").and_then(Value::as_array) {
        Some(list) => {
            list.iter().filter(|t| t.is_object()).map(tx_from_json).collect::<Result<_, _>>()?
        }
        None => Vec::new(),
    };
    Ok(BlockInfo {
        number: qty64(v, "number", W)?,
        hash: parse::<B256>(v, "hash", W)?,
        parent_hash: parse::<B256>(v, "parentHash", W)?,
        timestamp: qty64(v, "timestamp", W)?,
        base_fee_per_gas: opt_qty(v, "baseFeePerGas", W)?,
        transactions,
    })
}

/// Parses a log object from a receipt or `eth_getLogs`.
pub fn log_from_json(v: &Value) -> Result<LogEntry, ChainError> {
    const W: &str = "log";
    let topics = field(v, "topics", W)?
        .as_array()
        .ok_or_else(|| ChainError::malformed(W, "topics is not an array"))?
        .iter()
        .map(|t| {
            t.as_str()
                .and_then(|s| s.parse::<B256>().ok())
                .ok_or_else(|| ChainError::malformed(W, format!("bad topic {t}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(LogEntry {
        address: parse(v, "address", W)?,
        topics,
        data: parse(v, "data", W)?,
        block_number: qty64(v, "blockNumber", W)?,
        block_hash: parse(v, "blockHash", W)?,
        tx_hash: parse(v, "transactionHash", W)?,
        log_index: qty64(v, "logIndex", W)?,
    })
}

/// Receipt status (`0x1` = success) from a receipt object.
pub(crate) fn receipt_status(v: &Value) -> Option<bool> {
    v.get("status").and_then(quantity).map(|s| s == 1)
}

/// A hex quantity as `u64`, for small RPC results such as `eth_chainId`.
pub(crate) fn u64_of(v: &Value) -> Option<u64> {
    quantity(v).and_then(|q| u64::try_from(q).ok())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> Value {
        json!({
            "hash": "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
            "from": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "to": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
            "nonce": "0x2", "value": "0xde0b6b3a7640000", "input": "0xa9059cbb",
            "gas": "0x5208", "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x3b9aca00",
            "type": "0x2", "blockNumber": null
        })
    }

    #[test]
    fn parses_a_pending_eip1559_tx() {
        let tx = tx_from_json(&sample()).expect("parses");
        assert_eq!(tx.nonce, 2);
        assert_eq!(tx.value, U256::from(10u64).pow(U256::from(18u64)));
        assert_eq!(tx.max_priority_fee_per_gas, Some(1_000_000_000));
        assert_eq!(tx.tx_type, 2);
        assert_eq!(tx.input.len(), 4);
        assert_eq!(tx.block_number, None);
    }

    #[test]
    fn names_the_bad_field() {
        let mut v = sample();
        v["nonce"] = json!("zz");
        let err = tx_from_json(&v).expect_err("bad nonce").to_string();
        assert!(err.contains("nonce"), "{err}");
        let err = tx_from_json(&json!([1, 2])).expect_err("not an object").to_string();
        assert!(err.contains("expected an object"), "{err}");
    }

    #[test]
    fn accepts_legacy_data_field_and_missing_value() {
        let mut v = sample();
        let obj = v.as_object_mut().expect("object");
        let input = obj.remove("input").expect("input");
        obj.insert("data".into(), input);
        obj.remove("value");
        obj.insert("type".into(), json!("0x0"));
        let tx = tx_from_json(&v).expect("parses");
        assert_eq!(tx.value, U256::ZERO);
        assert_eq!(tx.tx_type, 0);
    }
}
