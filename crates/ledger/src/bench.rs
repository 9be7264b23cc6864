use std::{path::Path, time::Instant};

use serde::Serialize;

use crate::{
    Ledger, LedgerConfig, LedgerError, Level, Result, VerifyOptions, now_ms, read_file,
    verify_bytes,
};

/// Throughput of repeated runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// What was measured.
    pub what: String,
    /// Records per run.
    pub records: u64,
    /// Blocks per run.
    pub blocks: u64,
    /// Records per second of each run.
    pub per_second: Vec<f64>,
    /// Median of `per_second`.
    pub median_per_second: f64,
}

impl BenchReport {
    fn new(what: String, records: u64, blocks: u64, mut per_second: Vec<f64>) -> Self {
        per_second.sort_by(f64::total_cmp);
        let median = per_second.get(per_second.len() / 2).copied().unwrap_or(0.0);
        Self { what, records, blocks, per_second, median_per_second: median }
    }
}

/// Appends `records` records of `message_bytes` bytes into a fresh ledger under `dir`,
/// sealing a block whenever `config.max_block_records` are pending, `runs` times; the time
/// includes mining, Merkle roots, encoding and writing (with fsync when configured). The
/// last run's file stays at `dir/bench.ledger` for [`bench_verify`].
pub fn bench_append(
    dir: &Path,
    records: u64,
    message_bytes: usize,
    config: &LedgerConfig,
    runs: usize,
) -> Result<BenchReport> {
    let path = dir.join("bench.ledger");
    let message = "x".repeat(message_bytes);
    let mut rates = Vec::new();
    let mut blocks = 0;
    for _ in 0..runs.max(1) {
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| LedgerError::io("remove", &path, e))?;
        }
        let (mut ledger, _) = Ledger::open(&path, config.clone())?;
        blocks = 0;
        let start = Instant::now();
        for i in 0..records {
            let mut text = message.clone();
            text.push_str(&i.to_string());
            ledger.append(Level::Info, text, now_ms())?;
            if ledger.is_full() {
                ledger.seal(now_ms())?;
                blocks += 1;
            }
        }
        if ledger.pending() > 0 {
            ledger.seal(now_ms())?;
            blocks += 1;
        }
        rates.push(records as f64 / start.elapsed().as_secs_f64());
    }
    let what = format!(
        "append at {} bits, {} records per block, {message_bytes}-byte messages, fsync {}",
        config.difficulty, config.max_block_records, config.fsync
    );
    Ok(BenchReport::new(what, records, blocks, rates))
}

/// Verifies the ledger at `path` `runs` times (file read once; the time covers frame
/// checksums, decoding, every hash, proof, Merkle root, sequence and time check).
pub fn bench_verify(path: &Path, options: VerifyOptions, runs: usize) -> Result<BenchReport> {
    let bytes = read_file(path)?;
    let mut rates = Vec::new();
    let mut report = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let r = verify_bytes(&bytes, options);
        rates.push(r.records as f64 / start.elapsed().as_secs_f64());
        report = Some(r);
    }
    let report = report.ok_or_else(|| LedgerError::invalid("runs", "no run"))?;
    if let Some(fault) = &report.fault {
        return Err(LedgerError::invalid("bench ledger", format!("verification failed: {fault}")));
    }
    let what = format!("verify {} bytes", bytes.len());
    Ok(BenchReport::new(what, report.records, report.blocks, rates))
}
