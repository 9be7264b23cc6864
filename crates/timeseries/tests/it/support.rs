//! Series shared with bench/peers/series.py, and event builders.

use std::path::PathBuf;

use vigil_types::{Address, B256, BlockInfo, Bytes, Event, EventKind, LogEntry, TxInfo, U256};

/// `((i * 7919) % 101) / 101 - 0.5`, as in bench/peers/series.py.
pub(crate) fn noise(i: usize) -> f64 {
    ((i * 7919) % 101) as f64 / 101.0 - 0.5
}

/// The hourly reference series of bench/peers/series.py.
pub(crate) fn hourly(n: usize) -> Vec<f64> {
    (0..n)
        .map(|t| {
            let t_f = t as f64;
            10.0 + 0.02 * t_f + 2.0 * (2.0 * std::f64::consts::PI * t_f / 24.0).sin() + noise(t)
        })
        .collect()
}

/// 2024-01-01T00:00Z.
pub(crate) const PROPHET_T0: u64 = 1_704_067_200;

/// The per-minute reference series of bench/peers/series.py.
pub(crate) fn minutely(n: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = PROPHET_T0 + 60 * i as u64;
        let d = (t - PROPHET_T0) as f64 / 86_400.0;
        let trend = if d < 1.5 { d } else { 1.5 - 0.5 * (d - 1.5) };
        times.push(t as f64);
        values.push(
            trend
                + 0.3 * (2.0 * std::f64::consts::PI * t as f64 / 86_400.0).sin()
                + 0.05 * noise(i),
        );
    }
    (times, values)
}

/// A directory of the shared evaluation data beside the repository. Tests that read it are
/// ignored (reported skipped) where it is absent; see `build.rs`.
pub(crate) fn shared(sub: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(sub)
}

pub(crate) fn hash(n: u64) -> B256 {
    B256::from(U256::from(n))
}

/// A dynamic-fee transaction to `to` with tip `tip_gwei`.
pub(crate) fn tx(n: u64, to: Address, tip_gwei: f64) -> TxInfo {
    let tip = (tip_gwei * 1e9) as u128;
    TxInfo {
        hash: hash(1_000_000 + n),
        from: Address::repeat_byte(0xee),
        to: Some(to),
        nonce: n,
        value: U256::ZERO,
        input: Bytes::new(),
        gas_limit: 50_000,
        gas_price: None,
        max_fee_per_gas: Some(tip + 100_000_000_000),
        max_priority_fee_per_gas: Some(tip),
        tx_type: 2,
        call: None,
        block_number: None,
        success: None,
    }
}

/// A block event at `timestamp` (seconds) holding `txs`, base fee 20 gwei.
pub(crate) fn block(number: u64, timestamp: u64, txs: Vec<TxInfo>) -> Event {
    let info = BlockInfo {
        number,
        hash: hash(number),
        parent_hash: hash(number.saturating_sub(1)),
        timestamp,
        base_fee_per_gas: Some(20_000_000_000),
        transactions: txs,
    };
    Event { chain_id: 1, seen_at: timestamp * 1000, kind: EventKind::BlockCommitted(info) }
}

/// A log event of `address` in block `number`.
pub(crate) fn log(
    number: u64,
    at_s: u64,
    address: Address,
    topics: Vec<B256>,
    words: &[U256],
) -> Event {
    let mut data = Vec::new();
    for w in words {
        data.extend_from_slice(&w.to_be_bytes::<32>());
    }
    let entry = LogEntry {
        address,
        topics,
        data: Bytes::from(data),
        block_number: number,
        block_hash: hash(number),
        tx_hash: hash(5_000_000 + number),
        log_index: 0,
    };
    Event { chain_id: 1, seen_at: at_s * 1000, kind: EventKind::Log(entry) }
}
