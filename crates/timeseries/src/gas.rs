//! Replays a bridge's transaction-fee records (`../shared/data/gas`) through the real
//! priority-fee detector, as mined blocks, and reports the alerts it raises.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde::Serialize;
use vigil_pipeline::Analyzer;
use vigil_types::{BlockInfo, Event, EventKind, ThreatLevel, TxInfo};

use crate::{PriorityFeeConfig, PriorityFeeDetector, band::BandRow, time::HOUR_MS};

/// The contract every replayed transaction goes to.
pub const BRIDGE: Address = Address::repeat_byte(0xb1);

/// What a replay produced.
#[derive(Debug, Clone, Serialize)]
pub struct GasReport {
    /// Rows in the file.
    pub rows: usize,
    /// Rows with a priority fee (post-London).
    pub with_tip: usize,
    /// First and last block time (Unix s).
    pub period: (u64, u64),
    /// Days between the first and the last row with a tip.
    pub tip_days: f64,
    /// Findings raised.
    pub findings: usize,
    /// Findings by level.
    pub by_level: BTreeMap<ThreatLevel, usize>,
    /// Findings raised while the series was in its cold start.
    pub cold_start_findings: usize,
    /// `(unix s, tip gwei, band upper gwei)` of each finding.
    pub alerts: Vec<(u64, f64, f64)>,
    /// Detector counters at the end.
    pub stats: BTreeMap<String, u64>,
    /// Per hour with traffic: `(hour start ms, max tip gwei, band the hour was judged by)`.
    pub hourly: Vec<BandRow>,
}

/// A mined dynamic-fee transaction to `to` paying `tip_gwei` (for benchmarks and examples).
pub fn sample_tx(n: u64, to: Address, tip_gwei: f64) -> TxInfo {
    let tip = (tip_gwei.max(0.0) * 1e9) as u128;
    TxInfo {
        hash: B256::from(U256::from(n + 1)),
        from: Address::ZERO,
        to: Some(to),
        nonce: n,
        value: U256::ZERO,
        input: Bytes::new(),
        gas_limit: 21_000,
        gas_price: None,
        max_fee_per_gas: Some(tip + 200_000_000_000),
        max_priority_fee_per_gas: Some(tip),
        tx_type: 2,
        call: None,
        block_number: None,
        success: Some(true),
    }
}

struct Row {
    time: u64,
    base: Option<u128>,
    gas_price: Option<u128>,
    max_fee: Option<u128>,
    tip: Option<u128>,
}

fn parse(text: &str) -> Result<Vec<Row>, String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty file")?.split(',').collect();
    let col = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or(format!("no column {name}"))
    };
    let (base, time, price, max_fee, tip) = (
        col("base_fee_per_gas")?,
        col("block_time")?,
        col("gas_price")?,
        col("max_fee_per_gas")?,
        col("max_priority_fee_per_gas")?,
    );
    let num = |s: Option<&&str>| s.and_then(|v| v.trim().parse::<u128>().ok());
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let Some(t) = cells.get(time).and_then(|v| v.trim().parse::<u64>().ok()) else {
            return Err(format!("line {}: bad block_time", i + 2));
        };
        rows.push(Row {
            time: t,
            base: num(cells.get(base)),
            gas_price: num(cells.get(price)),
            max_fee: num(cells.get(max_fee)),
            tip: num(cells.get(tip)),
        });
    }
    rows.sort_by_key(|r| r.time);
    Ok(rows)
}

/// Replays the CSV `text` with `config`; rows sharing a block time form one block.
pub fn replay(text: &str, config: PriorityFeeConfig) -> Result<GasReport, String> {
    let rows = parse(text)?;
    let mut detector = PriorityFeeDetector::new("priority_fee", config);
    let mut report = GasReport {
        rows: rows.len(),
        with_tip: 0,
        period: (rows.first().map_or(0, |r| r.time), rows.last().map_or(0, |r| r.time)),
        tip_days: 0.0,
        findings: 0,
        by_level: BTreeMap::new(),
        cold_start_findings: 0,
        alerts: Vec::new(),
        stats: BTreeMap::new(),
        hourly: Vec::new(),
    };
    let tipped: Vec<u64> = rows.iter().filter(|r| r.base.is_some()).map(|r| r.time).collect();
    report.with_tip = tipped.len();
    if let (Some(a), Some(b)) = (tipped.first(), tipped.last()) {
        report.tip_days = (b - a) as f64 / 86_400.0;
    }
    let mut i = 0;
    let mut number = 0u64;
    while i < rows.len() {
        let time = rows[i].time;
        let mut txs = Vec::new();
        let base = rows[i].base;
        while i < rows.len() && rows[i].time == time {
            let r = &rows[i];
            let dynamic = r.tip.is_some();
            txs.push(TxInfo {
                hash: B256::from(U256::from(i as u64 + 1)),
                from: Address::ZERO,
                to: Some(BRIDGE),
                nonce: 1,
                value: U256::ZERO,
                input: Bytes::new(),
                gas_limit: 21_000,
                gas_price: r.gas_price,
                max_fee_per_gas: if dynamic { r.max_fee } else { None },
                max_priority_fee_per_gas: r.tip,
                tx_type: if dynamic { 2 } else { 0 },
                call: None,
                block_number: Some(number),
                success: Some(true),
            });
            i += 1;
        }
        number += 1;
        let block = BlockInfo {
            number,
            hash: B256::from(U256::from(number)),
            parent_hash: B256::from(U256::from(number - 1)),
            timestamp: time,
            base_fee_per_gas: base,
            transactions: txs,
        };
        let hour_ms = time * 1000 / HOUR_MS * HOUR_MS;
        let top =
            base.map(|b| block.transactions.iter().map(|t| t.effective_tip(b)).max().unwrap_or(0));
        if let Some(top) = top {
            let gwei = top as f64 / 1e9;
            match report.hourly.last_mut() {
                Some(last) if last.0 == hour_ms => last.1 = last.1.max(gwei),
                _ => report.hourly.push((hour_ms, gwei, detector.band_gwei(BRIDGE, hour_ms))),
            }
        }
        let event =
            Event { chain_id: 1, seen_at: time * 1000, kind: EventKind::BlockCommitted(block) };
        for f in detector.analyze(&event) {
            report.findings += 1;
            *report.by_level.entry(f.threat_level).or_default() += 1;
            let cold = f.evidence["band_source"] != "holt_winters";
            report.cold_start_findings += usize::from(cold);
            let tip = f.evidence["priority_fee_gwei"].as_f64().unwrap_or(f64::NAN);
            let upper = f.evidence["band_gwei"]["upper"].as_f64().unwrap_or(f64::NAN);
            report.alerts.push((time, tip, upper));
        }
    }
    report.stats = detector.handle().stats();
    Ok(report)
}
