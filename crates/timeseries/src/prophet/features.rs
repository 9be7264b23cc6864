//! The Prophet design: piecewise-linear trend with changepoints and Fourier seasonality.

use serde::{Deserialize, Serialize};

/// One seasonal component: a period in days and a Fourier order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Seasonality {
    /// Period in days (1 = daily, 7 = weekly).
    pub period_days: f64,
    /// Number of sine/cosine pairs.
    pub order: usize,
}

/// How rows map to regression features: `[t, 1, hinge(t - s_j)…, sin, cos…]`, with `t`
/// scaled to `0..=1` over the history, as Prophet does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// First timestamp of the history (seconds).
    pub t0: f64,
    /// Length of the history (seconds).
    pub t_scale: f64,
    /// Changepoints in scaled time.
    pub changepoints: Vec<f64>,
    /// Seasonal components.
    pub seasonalities: Vec<Seasonality>,
}

impl Design {
    /// Number of features (and parameters).
    pub fn width(&self) -> usize {
        2 + self.changepoints.len() + self.seasonal_width()
    }

    /// Number of seasonal features.
    pub fn seasonal_width(&self) -> usize {
        self.seasonalities.iter().map(|s| 2 * s.order).sum()
    }

    /// Scaled time of a timestamp in seconds.
    pub fn scaled(&self, t_seconds: f64) -> f64 {
        (t_seconds - self.t0) / self.t_scale
    }

    /// Writes the features of the row at `t_seconds` into `row` (length [`Design::width`]).
    pub fn row(&self, t_seconds: f64, row: &mut [f64]) {
        let t = self.scaled(t_seconds);
        row[0] = t;
        row[1] = 1.0;
        let mut i = 2;
        for &s in &self.changepoints {
            row[i] = if t >= s { t - s } else { 0.0 };
            i += 1;
        }
        let days = t_seconds / 86_400.0;
        for season in &self.seasonalities {
            for k in 0..season.order {
                let x = std::f64::consts::TAU * (k + 1) as f64 * days / season.period_days;
                row[i] = x.sin();
                row[i + 1] = x.cos();
                i += 2;
            }
        }
    }
}

/// Prophet's changepoint placement: `n` points at evenly spaced row positions (rounded half
/// to even, as numpy does) within the first `range` fraction of the rows, the first dropped.
pub(super) fn changepoint_times(sorted_t: &[f64], n: usize, range: f64) -> Vec<f64> {
    let hist = (sorted_t.len() as f64 * range).floor() as usize;
    let n = n.min(hist.saturating_sub(1));
    if n == 0 {
        return Vec::new();
    }
    (1..=n)
        .map(|i| {
            let pos = (hist - 1) as f64 * i as f64 / n as f64;
            sorted_t[pos.round_ties_even() as usize]
        })
        .collect()
}
