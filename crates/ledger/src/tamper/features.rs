use serde::Serialize;

use super::{TimingSeries, median, robust_scale};

/// Smoothing (ms) in the time/work ratio, so tiny proofs do not blow it up.
const RATIO_SMOOTHING_MS: f64 = 100.0;
/// Clip for z-scores fed to the learned model.
const Z_CLIP: f64 = 1000.0;

/// What the detector knows about one block's production.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlockFeatures {
    /// Block position.
    pub index: usize,
    /// Production time (ms): next timestamp − this one.
    pub production_ms: f64,
    /// The proof (nonce count).
    pub proof: u64,
    /// Time the proof should have taken at the chain's typical hash rate.
    pub expected_ms: f64,
    /// Production time not explained by the work: `production − expected`.
    pub unexplained_ms: f64,
    /// Robust z-score of ln(production time) within the chain (the paper's signal).
    pub timing_z: f64,
    /// Robust z-score of ln(time / expected time) within the chain.
    pub ratio_z: f64,
}

impl BlockFeatures {
    /// Inputs of the per-block learned model.
    pub fn model_inputs(&self) -> Vec<f64> {
        vec![
            self.timing_z.clamp(-Z_CLIP, Z_CLIP),
            self.ratio_z.clamp(-Z_CLIP, Z_CLIP).signum() * (1.0 + self.ratio_z.abs()).ln(),
            self.unexplained_ms.signum() * (1.0 + self.unexplained_ms.abs() / 1000.0).ln(),
            (1.0 + self.production_ms / 1000.0).ln(),
        ]
    }
}

/// Per-block features. The hash rate is the chain's median of time / proof, so a machine twice
/// as fast needs no retraining.
pub fn block_features(series: &TimingSeries) -> Vec<BlockFeatures> {
    let n = series.intervals();
    let dt: Vec<f64> = (0..n).map(|k| series.production_ms(k)).collect();
    let rates: Vec<f64> = (0..n)
        .filter(|&k| series.proofs[k] > 0 && dt[k] > 0.0)
        .map(|k| dt[k] / series.proofs[k] as f64)
        .collect();
    let rate = median(&rates);
    let log_dt: Vec<f64> = dt.iter().map(|d| (d + 1.0).ln()).collect();
    let log_center = median(&log_dt);
    let log_scale = robust_scale(&log_dt, log_center, 1e-3);
    let expected: Vec<f64> = (0..n).map(|k| rate * series.proofs[k] as f64).collect();
    let ratio: Vec<f64> = (0..n)
        .map(|k| ((dt[k] + RATIO_SMOOTHING_MS) / (expected[k] + RATIO_SMOOTHING_MS)).ln())
        .collect();
    let ratio_center = median(&ratio);
    let ratio_scale = robust_scale(&ratio, ratio_center, 1e-3);
    (0..n)
        .map(|k| BlockFeatures {
            index: k,
            production_ms: dt[k],
            proof: series.proofs[k],
            expected_ms: expected[k],
            unexplained_ms: dt[k] - expected[k],
            timing_z: (log_dt[k] - log_center) / log_scale,
            ratio_z: (ratio[k] - ratio_center) / ratio_scale,
        })
        .collect()
}

/// Features of a window of consecutive blocks, for judging whether a stretch was re-mined
/// with forged timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowFeatures {
    /// ln(mean production ms).
    pub log_mean_ms: f64,
    /// Mean ln(production ms).
    pub mean_log_ms: f64,
    /// Standard deviation of ln(production ms).
    pub sd_log_ms: f64,
    /// Coefficient of variation of production time (≈ 1 for honest mining).
    pub cv: f64,
    /// Share of blocks produced in under 300 ms.
    pub short_share: f64,
    /// Pearson correlation of production time and proof (≈ 1 when honest).
    pub work_correlation: f64,
    /// Spread (1.4826 × MAD) of ln(time / proof) (small when honest).
    pub ratio_spread: f64,
}

impl WindowFeatures {
    /// Only the average block time (ln of the mean): the kind of statistic the paper's
    /// analysis used. The experiments centre it on clean training windows and add its square,
    /// so the model can flag both too fast and too slow.
    pub fn mean_inputs(&self) -> Vec<f64> {
        vec![self.log_mean_ms]
    }

    /// Timing-only inputs: the distribution of block times, not the work.
    pub fn timing_inputs(&self) -> Vec<f64> {
        vec![self.mean_log_ms, self.sd_log_ms, self.cv, self.short_share]
    }

    /// Timing plus the proof-vs-time relation (vigil's detector).
    pub fn full_inputs(&self) -> Vec<f64> {
        let mut v = self.timing_inputs();
        v.push(self.work_correlation);
        v.push((self.ratio_spread + 1e-3).ln());
        v
    }
}

/// Features of blocks `start..start + len` (production intervals).
pub fn window_features(series: &TimingSeries, start: usize, len: usize) -> WindowFeatures {
    let idx: Vec<usize> = (start..(start + len).min(series.intervals())).collect();
    let dt: Vec<f64> = idx.iter().map(|&k| series.production_ms(k)).collect();
    let proofs: Vec<f64> = idx.iter().map(|&k| series.proofs[k] as f64).collect();
    let n = dt.len().max(1) as f64;
    let log_dt: Vec<f64> = dt.iter().map(|d| (d + 1.0).ln()).collect();
    let mean_log = log_dt.iter().sum::<f64>() / n;
    let sd_log = (log_dt.iter().map(|v| (v - mean_log).powi(2)).sum::<f64>() / n).sqrt();
    let mean = dt.iter().sum::<f64>() / n;
    let sd = (dt.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let ratio: Vec<f64> =
        dt.iter().zip(&proofs).map(|(d, p)| ((d + 1.0) / (p + 1.0)).ln()).collect();
    let ratio_center = median(&ratio);
    WindowFeatures {
        log_mean_ms: (mean + 1.0).ln(),
        mean_log_ms: mean_log,
        sd_log_ms: sd_log,
        cv: if mean > 0.0 { sd / mean } else { 0.0 },
        short_share: dt.iter().filter(|d| **d < 300.0).count() as f64 / n,
        work_correlation: correlation(&dt, &proofs),
        ratio_spread: robust_scale(&ratio, ratio_center, 0.0),
    }
}

fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().max(1) as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    if vx <= 0.0 || vy <= 0.0 { 0.0 } else { cov / (vx * vy).sqrt() }
}
