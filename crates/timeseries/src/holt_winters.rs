//! Additive Holt-Winters (level, trend, additive season), with statsmodels' recursions and
//! "simple" initialisation, and smoothing parameters chosen by minimising the one-step
//! squared error (Nelder-Mead on a logistic transform, after a coarse grid when cold).

use serde::{Deserialize, Serialize};

use crate::optimize::nelder_mead;

/// Smoothing parameters, each within `0..=1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HwParams {
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing (statsmodels' `smoothing_trend`).
    pub beta: f64,
    /// Seasonal smoothing (ignored without a season).
    pub gamma: f64,
}

/// The model state after the last observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HwState {
    /// Level.
    pub level: f64,
    /// Trend per step.
    pub trend: f64,
    /// Seasonal offsets; `season[i]` applies to the step `i + 1` after the last one, modulo
    /// the period. Empty without a season.
    pub season: Vec<f64>,
}

/// Initial states before the first observation.
#[derive(Debug, Clone, PartialEq)]
pub struct HwInit {
    /// Initial level.
    pub level: f64,
    /// Initial trend.
    pub trend: f64,
    /// Initial seasonal offsets for the first `period` observations.
    pub season: Vec<f64>,
}

impl HwInit {
    /// statsmodels' "simple" initialisation: the first season's mean, the change of mean to
    /// the second season per step, and the first season's deviations. Without a season
    /// (`period < 2`) the first value and the first difference. `None` if there are too
    /// few values (two periods, or two values).
    pub fn simple(values: &[f64], period: usize) -> Option<Self> {
        if period < 2 {
            let (&a, &b) = (values.first()?, values.get(1)?);
            return Some(Self { level: a, trend: b - a, season: Vec::new() });
        }
        if values.len() < 2 * period {
            return None;
        }
        let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
        let first = mean(&values[..period]);
        let second = mean(&values[period..2 * period]);
        let season = values[..period].iter().map(|v| v - first).collect();
        Some(Self { level: first, trend: (second - first) / period as f64, season })
    }
}

/// A fitted model: parameters, state after the data, and in-sample one-step errors.
#[derive(Debug, Clone, PartialEq)]
pub struct HwFit {
    /// The parameters.
    pub params: HwParams,
    /// State after the last value.
    pub state: HwState,
    /// One-step predictions, one per input value.
    pub fitted: Vec<f64>,
    /// Sum of squared one-step errors.
    pub sse: f64,
}

/// Runs the recursions over `values` from `init` with `params`.
pub fn run(values: &[f64], init: &HwInit, params: HwParams) -> HwFit {
    let m = init.season.len();
    let HwParams { alpha, beta, gamma } = params;
    let (mut level, mut trend) = (init.level, init.trend);
    let mut season = init.season.clone();
    let mut fitted = Vec::with_capacity(values.len());
    let mut sse = 0.0;
    for (t, &y) in values.iter().enumerate() {
        let s = if m > 0 { season[t % m] } else { 0.0 };
        let prediction = level + trend + s;
        fitted.push(prediction);
        sse += (y - prediction) * (y - prediction);
        let new_level = alpha * (y - s) + (1.0 - alpha) * (level + trend);
        if m > 0 {
            season[t % m] = gamma * (y - level - trend) + (1.0 - gamma) * s;
        }
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        level = new_level;
    }
    if m > 0 {
        season.rotate_left(values.len() % m);
    }
    HwFit { params, state: HwState { level, trend, season }, fitted, sse }
}

fn sse_only(values: &[f64], init: &HwInit, params: HwParams, scratch: &mut Vec<f64>) -> f64 {
    let m = init.season.len();
    let HwParams { alpha, beta, gamma } = params;
    let (mut level, mut trend) = (init.level, init.trend);
    scratch.clear();
    scratch.extend_from_slice(&init.season);
    let mut sse = 0.0;
    for (t, &y) in values.iter().enumerate() {
        let s = if m > 0 { scratch[t % m] } else { 0.0 };
        let err = y - (level + trend + s);
        sse += err * err;
        let new_level = alpha * (y - s) + (1.0 - alpha) * (level + trend);
        if m > 0 {
            scratch[t % m] = gamma * (y - level - trend) + (1.0 - gamma) * s;
        }
        trend = beta * (new_level - level) + (1.0 - beta) * trend;
        level = new_level;
    }
    sse
}

fn squash(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn unsquash(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Chooses the parameters with the lowest one-step squared error on `values`, starting from
/// `warm` when given (a few dozen evaluations) or from the best point of a coarse grid.
pub fn fit(values: &[f64], init: &HwInit, warm: Option<HwParams>) -> HwFit {
    let seasonal = !init.season.is_empty();
    let mut scratch = Vec::with_capacity(init.season.len());
    let mut objective = |p: HwParams| sse_only(values, init, p, &mut scratch);
    let start = match warm {
        Some(p) => p,
        None => {
            let mut best = (f64::INFINITY, HwParams { alpha: 0.3, beta: 0.05, gamma: 0.1 });
            for alpha in [0.05, 0.2, 0.5, 0.8, 0.95] {
                for beta in [0.001, 0.05, 0.3] {
                    for gamma in if seasonal { &[0.01, 0.1, 0.4][..] } else { &[0.0][..] } {
                        let p = HwParams { alpha, beta, gamma: *gamma };
                        let v = objective(p);
                        if v < best.0 {
                            best = (v, p);
                        }
                    }
                }
            }
            best.1
        }
    };
    let (step, evals) = if warm.is_some() { (0.5, 120) } else { (1.0, 400) };
    let to_params = |u: &[f64; 3]| HwParams {
        alpha: squash(u[0]),
        beta: squash(u[1]),
        gamma: if seasonal { squash(u[2]) } else { 0.0 },
    };
    let u0 = [unsquash(start.alpha), unsquash(start.beta), unsquash(start.gamma.max(1e-6))];
    let (u, _) = nelder_mead(|u| objective(to_params(u)), u0, step, 1e-10, evals);
    let best = to_params(&u);
    let chosen = if objective(best) <= objective(start) { best } else { start };
    run(values, init, chosen)
}

impl HwState {
    /// The forecast `h >= 1` steps after the last value.
    pub fn forecast(&self, h: usize) -> f64 {
        let m = self.season.len();
        let s = if m > 0 { self.season[(h.max(1) - 1) % m] } else { 0.0 };
        self.level + h as f64 * self.trend + s
    }
}

/// Multiplier of the one-step variance for an `h`-step forecast, from the error-correction
/// form of additive Holt-Winters: `1 + Σ_{j<h} (α + αβj + γ·[j mod m = 0])²`.
pub fn variance_factor(params: HwParams, period: usize, h: usize) -> f64 {
    let mut sum = 1.0;
    for j in 1..h {
        let seasonal = if period >= 2 && j % period == 0 { params.gamma } else { 0.0 };
        let c = params.alpha + params.alpha * params.beta * j as f64 + seasonal;
        sum += c * c;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> Vec<f64> {
        (0..96)
            .map(|t| 10.0 + 0.05 * t as f64 + (t as f64 * std::f64::consts::PI / 6.0).sin())
            .collect()
    }

    #[test]
    fn a_clean_seasonal_series_is_forecast_closely() {
        let values = series();
        let init = HwInit::simple(&values, 12).expect("two seasons");
        let fit = fit(&values, &init, None);
        let next = 10.0 + 0.05 * 96.0 + (96.0 * std::f64::consts::PI / 6.0).sin();
        assert!((fit.state.forecast(1) - next).abs() < 0.05, "{}", fit.state.forecast(1));
        let warm = super::fit(&values, &init, Some(fit.params));
        assert!(warm.sse <= fit.sse * 1.0001);
    }

    #[test]
    fn variance_grows_with_horizon() {
        let p = HwParams { alpha: 0.5, beta: 0.1, gamma: 0.2 };
        assert_eq!(variance_factor(p, 24, 1), 1.0);
        assert!(variance_factor(p, 24, 5) > variance_factor(p, 24, 2));
    }
}
