//! Benchmarks of the time-series code, printed by `vigil ts-bench`: update + forecast per
//! fee series, refit per price series, and memory for many live series. Figures are medians
//! over repeated runs; run them from a release build.

use std::time::Instant;

use alloy_primitives::{Address, B256, U256};
use serde::Serialize;
use vigil_pipeline::Analyzer;
use vigil_types::{Bytes, Event, EventKind, LogEntry};

use crate::{
    PriceAnomalyConfig, PriceAnomalyDetector, PriorityFeeConfig, SeriesState,
    holt_winters::HwParams,
    prophet::{ProphetModel, ProphetSettings},
    seasonal,
    swap::V3_SWAP_TOPIC,
};

/// `((i * 7919) % 101) / 101 - 0.5`, shared with `bench/peers/series.py`.
pub fn noise(i: usize) -> f64 {
    ((i * 7919) % 101) as f64 / 101.0 - 0.5
}

/// The hourly series of `bench/peers/series.py`, shifted by `offset` hours.
pub fn hourly(n: usize, offset: usize) -> Vec<f64> {
    (offset..offset + n)
        .map(|t| {
            let t_f = t as f64;
            10.0 + 0.02 * t_f + 2.0 * (2.0 * std::f64::consts::PI * t_f / 24.0).sin() + noise(t)
        })
        .collect()
}

/// The per-minute series of `bench/peers/series.py`: `(unix s, value)`.
pub fn minutely(n: usize) -> (Vec<f64>, Vec<f64>) {
    const T0: u64 = 1_704_067_200;
    (0..n)
        .map(|i| {
            let t = T0 + 60 * i as u64;
            let d = (t - T0) as f64 / 86_400.0;
            let trend = if d < 1.5 { d } else { 1.5 - 0.5 * (d - 1.5) };
            (
                t as f64,
                trend
                    + 0.3 * (2.0 * std::f64::consts::PI * t as f64 / 86_400.0).sin()
                    + 0.05 * noise(i),
            )
        })
        .unzip()
}

/// Median and 99th percentile of a sample, in the sample's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Median.
    pub median: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Samples.
    pub n: usize,
}

fn summary(mut v: Vec<f64>) -> Summary {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        v.get(((v.len().saturating_sub(1)) as f64 * q) as usize).copied().unwrap_or(f64::NAN)
    };
    Summary { median: at(0.5), p99: at(0.99), n: v.len() }
}

/// All figures.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Fee series: Kalman + Holt-Winters refit (warm start) + band for the next hour, µs.
    pub hw_update_forecast_us: Summary,
    /// Fee series: the same from a cold start (grid + Nelder-Mead), µs.
    pub hw_cold_fit_us: Summary,
    /// Fee series: rerun with known parameters + band (no refit), µs.
    pub hw_rerun_us: Summary,
    /// Price series: Prophet-style MAP fit on one day of minutes, ms.
    pub prophet_fit_1d_ms: Summary,
    /// Price series: the same on three days of minutes (the default window), ms.
    pub prophet_fit_3d_ms: Summary,
    /// Live series measured for memory.
    pub series: usize,
    /// Resident memory growth for `series` price series (3 days of minutes, fitted) plus as
    /// many fee series (a week of hours), MB.
    pub memory_mb: f64,
    /// JSON bytes of one persisted price series and one fee series.
    pub state_bytes: (usize, usize),
}

fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

/// Runs every benchmark: `runs` repetitions for timings, `series` live series for memory.
pub fn run(runs: usize, series: usize) -> BenchReport {
    let settings = PriorityFeeConfig::default().settings();
    let (mut warm, mut cold, mut rerun) = (Vec::new(), Vec::new(), Vec::new());
    let mut params: Option<HwParams> = None;
    for r in 0..runs.max(1) * 10 {
        let mut window = hourly(168, r);
        window[100] = f64::NAN;
        window[101] = f64::NAN;
        let started = Instant::now();
        let f = seasonal::forecast(&window, 1_000, &settings, params, true);
        let took = started.elapsed().as_secs_f64() * 1e6;
        if params.is_some() {
            warm.push(took)
        } else {
            cold.push(took)
        }
        params = f.and_then(|f| f.params);
        let started = Instant::now();
        let f = seasonal::forecast(&window, 1_000, &settings, params, false);
        rerun.push(started.elapsed().as_secs_f64() * 1e6);
        if r % 10 == 0 {
            let started = Instant::now();
            let _ = seasonal::forecast(&window, 1_000, &settings, None, true);
            cold.push(started.elapsed().as_secs_f64() * 1e6);
        }
        std::hint::black_box(f);
    }
    let settings = ProphetSettings::default();
    let fit = |n: usize| {
        let (t, y) = minutely(n);
        (0..runs.max(1))
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(ProphetModel::fit(&t, &y, &settings).ok());
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect::<Vec<_>>()
    };
    let (prophet_1d, prophet_3d) = (fit(1440), fit(4320));
    let (memory_mb, state_bytes) = memory(series);
    BenchReport {
        hw_update_forecast_us: summary(warm),
        hw_cold_fit_us: summary(cold),
        hw_rerun_us: summary(rerun),
        prophet_fit_1d_ms: summary(prophet_1d),
        prophet_fit_3d_ms: summary(prophet_3d),
        series,
        memory_mb,
        state_bytes,
    }
}

/// One pool with three days of swaps, one a minute, fitted through the real analyzer.
fn template_pool() -> SeriesState {
    let mut detector = PriceAnomalyDetector::new("bench", PriceAnomalyConfig::default());
    let pool = Address::repeat_byte(0x77);
    for i in 0..4320u64 {
        let price = 2000.0 * (1.0 + 0.001 * noise(i as usize));
        let sqrt = U256::from((price.sqrt() * 2f64.powi(96)) as u128);
        let mut data = Vec::new();
        let a1 = U256::from((1e15 * price) as u128).wrapping_neg();
        for w in [U256::from(10u64.pow(15)), a1, sqrt, U256::from(1u8), U256::ZERO] {
            data.extend_from_slice(&w.to_be_bytes::<32>());
        }
        let log = LogEntry {
            address: pool,
            topics: vec![V3_SWAP_TOPIC, B256::ZERO, B256::ZERO],
            data: Bytes::from(data),
            block_number: i + 1,
            block_hash: B256::from(U256::from(i + 1)),
            tx_hash: B256::ZERO,
            log_index: 0,
        };
        let at = (1_704_067_200 + i * 60) * 1000;
        detector.analyze(&Event { chain_id: 1, seen_at: at, kind: EventKind::Log(log) });
    }
    detector.handle().snapshot().remove(0)
}

fn memory(n: usize) -> (f64, (usize, usize)) {
    let template = template_pool();
    let fee_template = {
        let mut d = crate::PriorityFeeDetector::new("bench", PriorityFeeConfig::default());
        let c = Address::repeat_byte(0x78);
        for h in 0..168u64 {
            let mut tx = crate::gas::sample_tx(h, c, 1.5 + noise(h as usize));
            tx.block_number = Some(h);
            let block = vigil_types::BlockInfo {
                number: h + 1,
                hash: B256::from(U256::from(h + 1)),
                parent_hash: B256::ZERO,
                timestamp: 1_704_067_200 + h * 3600,
                base_fee_per_gas: Some(10_000_000_000),
                transactions: vec![tx],
            };
            d.analyze(&Event { chain_id: 1, seen_at: 0, kind: EventKind::BlockCommitted(block) });
        }
        let _ = d.band_gwei(c, (1_704_067_200 + 168 * 3600) * 1000);
        d.handle().snapshot().remove(0)
    };
    let sizes = (template.body.len(), fee_template.body.len());
    let clone_as = |s: &SeriesState, field: &str, i: usize| -> Option<SeriesState> {
        let mut body: serde_json::Value = serde_json::from_str(&s.body).ok()?;
        let address = Address::from_word(B256::from(U256::from(i as u64 + 1)));
        body[field] = serde_json::to_value(address).ok()?;
        let prefix = if field == "pool" { "pool" } else { "fee" };
        Some(SeriesState {
            key: format!("{prefix}:{address:#x}"),
            updated_at: s.updated_at,
            body: body.to_string(),
        })
    };
    let before = rss_mb();
    let mut price = PriceAnomalyDetector::new("bench", PriceAnomalyConfig::default());
    let mut fee = crate::PriorityFeeDetector::new("bench", PriorityFeeConfig::default());
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let states: Vec<_> = chunk.iter().filter_map(|&i| clone_as(&template, "pool", i)).collect();
        price = price.with_state(states);
        let states: Vec<_> =
            chunk.iter().filter_map(|&i| clone_as(&fee_template, "contract", i)).collect();
        fee = fee.with_state(states);
    }
    let grown = rss_mb() - before;
    std::hint::black_box((&mut price, &mut fee));
    (grown, sizes)
}
