//! The seasonal forecaster behind the priority-fee detector (and its NAB runs): a window of
//! buckets with gaps → linear interpolation → local-level Kalman filter → additive
//! Holt-Winters → a band for the next bucket. The cold start is explicit: before two seasons
//! of history a robust band (median ± z·σ, σ from the MAD and the IQR of what was observed)
//! stands in; from two seasons until the window is full Holt-Winters runs on the history
//! there is, with the wider cold-start band.

use serde::{Deserialize, Serialize};

use crate::{
    band::Band,
    holt_winters::{self, HwInit, HwParams},
    interpolate::fill_gaps,
    kalman,
};

/// Settings of the seasonal forecaster, in buckets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeasonalSettings {
    /// Season length (24 for hourly buckets and a daily season); below 2 means no season.
    pub period: usize,
    /// Buckets in the window (168 = seven days of hours).
    pub window: usize,
    /// Buckets of history before any band is given at all.
    pub min_history: usize,
    /// Kalman process-to-observation noise ratio (larger follows the data more closely).
    pub kalman_ratio: f64,
    /// Band half-width in sigmas once the window is full.
    pub z: f64,
    /// Band half-width in sigmas during the cold start.
    pub cold_z: f64,
    /// Smallest sigma, in the series' units.
    pub min_sigma: f64,
    /// Smallest sigma as a fraction of the observed range in the window.
    pub min_sigma_rel: f64,
}

/// Which method produced a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandSource {
    /// Kalman + Holt-Winters on a full window.
    HoltWinters,
    /// Kalman + Holt-Winters on a partial window (cold start), with the cold-start width.
    Warming,
    /// Median and spread while there are fewer than two seasons (cold start).
    Robust,
}

/// A band for a future bucket and how it was made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeasonalForecast {
    /// The band.
    pub band: Band,
    /// The method.
    pub source: BandSource,
    /// Holt-Winters parameters used (kept to warm-start the next fit).
    pub params: Option<HwParams>,
    /// Buckets ahead of the last observed one.
    pub horizon: usize,
}

/// In-sample one-step band per bucket of the window (for plots): `(index, band)`.
pub type BandHistory = Vec<(usize, Band)>;

/// Forecasts the bucket after `window` (`NaN` = no data), for a series `age` buckets old.
/// With `refit` (or no `warm` parameters) the smoothing parameters are re-selected; otherwise
/// `warm` is reused as is. `None` when there is too little history.
pub fn forecast(
    window: &[f64],
    age: usize,
    settings: &SeasonalSettings,
    warm: Option<HwParams>,
    refit: bool,
) -> Option<SeasonalForecast> {
    forecast_with_history(window, age, settings, warm, refit, false).map(|(f, _)| f)
}

/// As [`forecast`], also returning the in-sample one-step bands when `history` is set.
pub fn forecast_with_history(
    window: &[f64],
    age: usize,
    settings: &SeasonalSettings,
    warm: Option<HwParams>,
    refit: bool,
    history: bool,
) -> Option<(SeasonalForecast, BandHistory)> {
    let observed: Vec<f64> = window.iter().copied().filter(|v| v.is_finite()).collect();
    if age < settings.min_history || observed.len() < 3 {
        return None;
    }
    let (filled, tail) = fill_gaps(window)?;
    let horizon = tail + 1;
    let (lo, hi) =
        observed.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let floor = settings.min_sigma.max(settings.min_sigma_rel * (hi - lo)).max(1e-12);
    let period = if settings.period >= 2 { settings.period } else { 1 };
    if filled.len() < 2 * period.max(2) {
        let band = Band {
            mid: median(&observed),
            sigma: robust_sigma(&observed).max(floor),
            z: settings.cold_z,
        };
        let f = SeasonalForecast { band, source: BandSource::Robust, params: None, horizon };
        let past = if history { (0..filled.len()).map(|i| (i, band)).collect() } else { vec![] };
        return band.is_valid().then_some((f, past));
    }
    let (source, z) = if age < settings.window {
        (BandSource::Warming, settings.cold_z)
    } else {
        (BandSource::HoltWinters, settings.z)
    };
    let smoothed = kalman::local_level(&filled, settings.kalman_ratio);
    let init = HwInit::simple(&smoothed, period)?;
    let fit = match (warm, refit) {
        (Some(params), false) => holt_winters::run(&smoothed, &init, params),
        _ => holt_winters::fit(&smoothed, &init, warm),
    };
    let skip = if period >= 2 { period } else { 1 };
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, (&raw, &pred)) in window.iter().zip(&fit.fitted).enumerate().skip(skip) {
        if raw.is_finite() && i < filled.len() {
            sum += (raw - pred) * (raw - pred);
            n += 1;
        }
    }
    let one_step = if n > 0 { (sum / n as f64).sqrt() } else { 0.0 };
    let sigma =
        (one_step * holt_winters::variance_factor(fit.params, period, horizon).sqrt()).max(floor);
    let band = Band { mid: fit.state.forecast(horizon), sigma, z };
    let past = if history {
        let sigma1 = one_step.max(floor);
        fit.fitted.iter().enumerate().map(|(i, &mid)| (i, Band { mid, sigma: sigma1, z })).collect()
    } else {
        Vec::new()
    };
    let f = SeasonalForecast { band, source, params: Some(fit.params), horizon };
    band.is_valid().then_some((f, past))
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Median of `values`.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    quantile(&v, 0.5)
}

/// A robust standard deviation: the larger of 1.4826·MAD and IQR/1.349 (the MAD alone is
/// zero for a series that sits on two levels).
pub fn robust_sigma(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = quantile(&v, 0.5);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = quantile(&dev, 0.5);
    (1.4826 * mad).max((quantile(&v, 0.75) - quantile(&v, 0.25)) / 1.349)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SeasonalSettings {
        SeasonalSettings {
            period: 24,
            window: 168,
            min_history: 24,
            kalman_ratio: 0.5,
            z: 3.0,
            cold_z: 4.0,
            min_sigma: 0.01,
            min_sigma_rel: 0.0,
        }
    }

    fn daily(t: usize) -> f64 {
        5.0 + (t as f64 * std::f64::consts::TAU / 24.0).sin()
            + 0.1 * ((t * 7919) % 13) as f64 / 13.0
    }

    #[test]
    fn full_window_uses_holt_winters_and_covers_the_next_value() {
        let window: Vec<f64> = (0..168).map(daily).collect();
        let f = forecast(&window, 400, &settings(), None, true).expect("forecast");
        assert_eq!(f.source, BandSource::HoltWinters);
        assert!(!f.band.deviation(daily(168)).outside, "{:?}", f.band);
        assert!(f.band.deviation(daily(168) + 5.0).outside);
    }

    #[test]
    fn cold_start_is_explicit_and_gaps_widen_the_horizon() {
        let mut window: Vec<f64> = (0..168).map(daily).collect();
        assert!(forecast(&window[..10], 10, &settings(), None, true).is_none());
        let robust = forecast(&window[..30], 30, &settings(), None, true).expect("robust band");
        assert_eq!(robust.source, BandSource::Robust);
        let warming = forecast(&window[..60], 60, &settings(), None, true).expect("warming band");
        assert_eq!(warming.source, BandSource::Warming);
        assert_eq!(warming.band.z, 4.0);
        for v in &mut window[160..] {
            *v = f64::NAN;
        }
        let f = forecast(&window, 400, &settings(), None, true).expect("forecast");
        assert_eq!(f.horizon, 9);
    }
}
