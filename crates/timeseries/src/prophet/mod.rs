//! A Prophet-style model fitted in Rust: piecewise-linear trend with changepoints, Fourier
//! seasonality, Gaussian noise, Prophet's priors, and the MAP estimate (see [`fit`] for the
//! method). The uncertainty interval is Prophet's, computed analytically: observation noise
//! plus the variance of future trend changes (changepoints arriving at the historical rate
//! with Laplace-distributed rate changes of the historical mean size) instead of Prophet's
//! Monte Carlo draws.

mod features;
mod fit;
mod linalg;

use serde::{Deserialize, Serialize};

pub use features::{Design, Seasonality};

use crate::band::Band;

/// Prophet's knobs, with its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProphetSettings {
    /// Potential changepoints (Prophet: 25).
    pub n_changepoints: usize,
    /// Fraction of the history in which changepoints are placed (Prophet: 0.8).
    pub changepoint_range: f64,
    /// Laplace scale of trend changes (Prophet: 0.05).
    pub changepoint_prior_scale: f64,
    /// Normal scale of seasonal coefficients (Prophet: 10).
    pub seasonality_prior_scale: f64,
    /// Daily season: `None` = when the history spans two days (Prophet's "auto").
    pub daily: Option<bool>,
    /// Fourier order of the daily season (Prophet: 4).
    pub daily_order: usize,
    /// Weekly season: `None` = when the history spans two weeks.
    pub weekly: Option<bool>,
    /// Fourier order of the weekly season (Prophet: 3).
    pub weekly_order: usize,
}

impl Default for ProphetSettings {
    fn default() -> Self {
        Self {
            n_changepoints: 25,
            changepoint_range: 0.8,
            changepoint_prior_scale: 0.05,
            seasonality_prior_scale: 10.0,
            daily: None,
            daily_order: 4,
            weekly: None,
            weekly_order: 3,
        }
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Fewer than two distinct timestamps, or mismatched inputs.
    #[error("too little data to fit: {0} points")]
    TooLittle(usize),
    /// A non-finite input value.
    #[error("non-finite input at index {0}")]
    NonFinite(usize),
    /// The normal equations were singular.
    #[error("the fit did not converge")]
    Singular,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProphetModel {
    /// Feature layout.
    pub design: Design,
    /// Offset of the value scaling (`minmax`: the minimum).
    pub y_min: f64,
    /// Scale of the value scaling (`minmax`: the range).
    pub y_scale: f64,
    /// Parameters `[k, m, δ…, β…]` in scaled units.
    pub theta: Vec<f64>,
    /// Observation noise in scaled units.
    pub sigma: f64,
    /// Points fitted.
    pub n: usize,
}

impl ProphetModel {
    /// Fits `values` at `times` (seconds; any order) with `settings`, scaling values by
    /// min-max as Prophet's `scaling="minmax"` does.
    pub fn fit(
        times: &[f64],
        values: &[f64],
        settings: &ProphetSettings,
    ) -> Result<Self, FitError> {
        if times.len() != values.len() || times.len() < 3 {
            return Err(FitError::TooLittle(times.len()));
        }
        if let Some(i) =
            times.iter().zip(values).position(|(t, v)| !t.is_finite() || !v.is_finite())
        {
            return Err(FitError::NonFinite(i));
        }
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
        let sorted: Vec<f64> = order.iter().map(|&i| times[i]).collect();
        let (t0, t1) = (sorted[0], sorted[sorted.len() - 1]);
        if t1 <= t0 {
            return Err(FitError::TooLittle(times.len()));
        }
        let span_days = (t1 - t0) / 86_400.0;
        let mut seasonalities = Vec::new();
        if settings.daily.unwrap_or(span_days >= 2.0) && settings.daily_order > 0 {
            seasonalities.push(Seasonality { period_days: 1.0, order: settings.daily_order });
        }
        if settings.weekly.unwrap_or(span_days >= 14.0) && settings.weekly_order > 0 {
            seasonalities.push(Seasonality { period_days: 7.0, order: settings.weekly_order });
        }
        let raw_cps = features::changepoint_times(
            &sorted,
            settings.n_changepoints,
            settings.changepoint_range,
        );
        let t_scale = t1 - t0;
        let design = Design {
            t0,
            t_scale,
            changepoints: raw_cps.iter().map(|c| (c - t0) / t_scale).collect(),
            seasonalities,
        };
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let y_min = lo;
        let y_scale = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        let p = design.width();
        let mut gram = fit::Gram::new(p);
        let mut row = vec![0.0; p];
        for (&t, &v) in times.iter().zip(values) {
            design.row(t, &mut row);
            gram.add(&row, (v - y_min) / y_scale);
        }
        gram.finish();
        let cps = design.changepoints.len();
        let mut precision = vec![0.0; p];
        let mut l1 = vec![0.0; p];
        precision[0] = 1.0 / 25.0;
        precision[1] = 1.0 / 25.0;
        for w in l1.iter_mut().skip(2).take(cps) {
            *w = 1.0 / settings.changepoint_prior_scale;
        }
        let s2 = settings.seasonality_prior_scale * settings.seasonality_prior_scale;
        for q in precision.iter_mut().skip(2 + cps) {
            *q = 1.0 / s2;
        }
        let (theta, sigma, _) =
            fit::map_fit(&gram, &fit::Priors { precision, l1 }).ok_or(FitError::Singular)?;
        Ok(Self { design, y_min, y_scale, theta, sigma, n: times.len() })
    }

    /// The expected value at `t_seconds`, in the input's units.
    pub fn predict(&self, t_seconds: f64) -> f64 {
        let mut row = vec![0.0; self.design.width()];
        self.design.row(t_seconds, &mut row);
        let scaled: f64 = row.iter().zip(&self.theta).map(|(x, b)| x * b).sum();
        scaled * self.y_scale + self.y_min
    }

    /// The trend part alone at `t_seconds`, in the input's units (offset included).
    pub fn trend(&self, t_seconds: f64) -> f64 {
        let mut row = vec![0.0; self.design.width()];
        self.design.row(t_seconds, &mut row);
        let k = 2 + self.design.changepoints.len();
        let scaled: f64 = row[..k].iter().zip(&self.theta[..k]).map(|(x, b)| x * b).sum();
        scaled * self.y_scale + self.y_min
    }

    /// The band at `t_seconds` with half-width `z` sigmas: observation noise, plus for times
    /// past the history the expected variance of future trend changes,
    /// `2·S·λ²·h³/3` for `S` changepoints per unit of scaled time, mean absolute change `λ`,
    /// and `h` the scaled time past the end.
    pub fn band(&self, t_seconds: f64, z: f64) -> Band {
        let h = (self.design.scaled(t_seconds) - 1.0).max(0.0);
        let cps = self.design.changepoints.len();
        let deltas = &self.theta[2..2 + cps];
        let lambda = if cps > 0 {
            deltas.iter().map(|d| d.abs()).sum::<f64>() / cps as f64 + 1e-8
        } else {
            0.0
        };
        let trend_var = 2.0 * cps as f64 * lambda * lambda * h * h * h / 3.0;
        let sigma = (self.sigma * self.sigma + trend_var).sqrt() * self.y_scale;
        Band { mid: self.predict(t_seconds), sigma, z }
    }

    /// Timestamp (seconds) of the last fitted point.
    pub fn end(&self) -> f64 {
        self.design.t0 + self.design.t_scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_trend_with_a_kink_and_a_daily_season() {
        let times: Vec<f64> = (0..3 * 1440).map(|i| i as f64 * 60.0).collect();
        let truth = |t: f64| {
            let d = t / 86_400.0;
            let trend = if d < 1.5 { d } else { 1.5 - 0.5 * (d - 1.5) };
            trend + 0.3 * (std::f64::consts::TAU * d).sin()
        };
        let noise = |i: usize| 0.01 * (((i * 7919) % 101) as f64 / 101.0 - 0.5);
        let values: Vec<f64> =
            times.iter().enumerate().map(|(i, &t)| truth(t) + noise(i)).collect();
        let model = ProphetModel::fit(&times, &values, &ProphetSettings::default()).expect("fit");
        assert_eq!(model.design.seasonalities.len(), 1);
        for &t in &[3_600.0, 100_000.0, 200_000.0] {
            assert!((model.predict(t) - truth(t)).abs() < 0.05, "t {t}: {}", model.predict(t));
        }
        let future = model.band(times[times.len() - 1] + 600.0, 3.0);
        assert!(future.sigma > 0.0 && future.sigma < 0.1, "{future:?}");
        assert!(ProphetModel::fit(&[1.0], &[1.0], &ProphetSettings::default()).is_err());
    }
}
