//! One pool's series: per-minute mean log prices, the flagged minutes kept out of the fit,
//! and the fitted model.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use vigil_types::Address;

use super::PriceAnomalyConfig;
use crate::{
    band::Band,
    prophet::ProphetModel,
    ring::{Aggregate, BucketRing},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PriceSeries {
    pub(crate) pool: Address,
    pub(crate) ring: BucketRing,
    pub(crate) first_minute: u64,
    pub(crate) last_seen_ms: u64,
    pub(crate) model: Option<ProphetModel>,
    pub(crate) fitted_at: Option<u64>,
    pub(crate) refit_interval: u64,
    pub(crate) force_refit: bool,
    pub(crate) flagged: Vec<u64>,
    pub(crate) streak: u32,
    pub(crate) streak_minute: u64,
    pub(crate) alerted_minute: Option<u64>,
    pub(crate) uses_sync: bool,
    /// Residual autocorrelation per minute and innovation sigma (scaled units), from the fit.
    #[serde(default)]
    pub(crate) ar: Option<(f64, f64)>,
    #[serde(skip)]
    pub(crate) dirty: bool,
}

/// Centre of a minute bucket, in seconds.
pub(crate) fn minute_seconds(minute: u64) -> f64 {
    minute as f64 * 60.0 + 30.0
}

impl PriceSeries {
    pub(crate) fn new(pool: Address, window: usize, minute: u64) -> Self {
        Self {
            pool,
            ring: BucketRing::new(Aggregate::Mean, window),
            first_minute: minute,
            last_seen_ms: 0,
            model: None,
            fitted_at: None,
            refit_interval: 5,
            force_refit: false,
            flagged: Vec::new(),
            streak: 0,
            streak_minute: 0,
            alerted_minute: None,
            uses_sync: false,
            ar: None,
            dirty: true,
        }
    }

    pub(crate) fn key(&self) -> String {
        format!("pool:{:#x}", self.pool)
    }

    /// Completed minutes before `minute` that are not flagged: `(seconds, log price)`.
    fn training(&self, minute: u64) -> (Vec<f64>, Vec<f64>) {
        let (mut t, mut y) = (Vec::new(), Vec::new());
        for (m, v) in self.ring.points() {
            if m < minute && self.flagged.binary_search(&m).is_err() {
                t.push(minute_seconds(m));
                y.push(v);
            }
        }
        (t, y)
    }

    /// Refits when due; returns whether a fit ran (`Some(true)`), failed (`Some(false)`),
    /// or was not due (`None`).
    pub(crate) fn maybe_refit(&mut self, minute: u64, config: &PriceAnomalyConfig) -> Option<bool> {
        let due = match self.fitted_at {
            None => true,
            Some(at) => self.force_refit || minute >= at + self.refit_interval,
        };
        if !due {
            return None;
        }
        let (t, y) = self.training(minute);
        let span_minutes = match (t.first(), t.last()) {
            (Some(a), Some(b)) => ((b - a) / 60.0) as u64,
            _ => 0,
        };
        if t.len() < config.min_points || span_minutes < config.min_history_minutes {
            return None;
        }
        self.fitted_at = Some(minute);
        self.force_refit = false;
        self.refit_interval = (span_minutes / 10).clamp(5, config.refit_every_minutes.max(5));
        self.dirty = true;
        match ProphetModel::fit(&t, &y, &config.prophet) {
            Ok(model) => {
                self.ar = residual_ar(&model, &t, &y);
                self.model = Some(model);
                Some(true)
            }
            Err(_) => Some(false),
        }
    }

    /// The latest completed, unflagged minute before `minute` and its mean.
    fn anchor(&self, minute: u64) -> Option<(u64, f64)> {
        let oldest = minute.saturating_sub(self.ring.capacity() as u64);
        (oldest..minute).rev().find_map(|m| {
            let v = self.ring.value(m);
            (v.is_finite() && self.flagged.binary_search(&m).is_err()).then_some((m, v))
        })
    }

    /// The band at `t_seconds`; sigma is kept above a thousandth of the fitted range so a
    /// perfectly fitted stretch does not make every later wiggle infinitely anomalous.
    ///
    /// Prices wander like random walks, so the residuals of the smooth model are strongly
    /// autocorrelated: the band is anchored on the latest completed, unflagged minute's
    /// residual (decaying towards the model as `φʰ`) and widens with the AR(1) forecast
    /// variance `σₑ²(1 − φ²ʰ)/(1 − φ²)` (`h·σₑ²` for `φ = 1`) plus Prophet's trend
    /// uncertainty.
    pub(crate) fn band(&self, t_seconds: f64, z: f64) -> Option<Band> {
        let model = self.model.as_ref()?;
        let mut band = model.band(t_seconds, z);
        let minute = (t_seconds / 60.0).floor().max(0.0) as u64;
        if let (Some((phi, sigma_e)), Some((at, value))) = (self.ar, self.anchor(minute)) {
            let h = (minute - at) as i32;
            let residual = value - model.predict(minute_seconds(at));
            let decay = phi.powi(h);
            let ar_var = if phi < 1.0 {
                sigma_e * sigma_e * (1.0 - decay * decay) / (1.0 - phi * phi)
            } else {
                sigma_e * sigma_e * h as f64
            };
            let obs = model.sigma * model.y_scale;
            let trend_var = (band.sigma * band.sigma - obs * obs).max(0.0);
            band.mid += decay * residual;
            band.sigma = (ar_var * model.y_scale * model.y_scale + trend_var).sqrt();
        }
        band.sigma = band.sigma.max(1e-3 * model.y_scale);
        Some(band).filter(Band::is_valid)
    }

    /// Records the verdict for an observation in `minute`; returns true when the new level
    /// was accepted after a run of anomalous minutes.
    pub(crate) fn record_verdict(
        &mut self,
        minute: u64,
        anomalous: bool,
        shift_after: u32,
    ) -> bool {
        if !anomalous {
            if minute != self.streak_minute {
                self.streak = 0;
            }
            return false;
        }
        if let Err(at) = self.flagged.binary_search(&minute) {
            self.flagged.insert(at, minute);
        }
        if minute != self.streak_minute {
            self.streak += 1;
            self.streak_minute = minute;
        }
        if self.streak >= shift_after {
            self.flagged.clear();
            self.streak = 0;
            self.force_refit = true;
            return true;
        }
        false
    }

    pub(crate) fn add(
        &mut self,
        block: B256,
        number: u64,
        minute: u64,
        value: f64,
        at_ms: u64,
    ) -> bool {
        if !self.ring.add(block, number, minute, value) {
            return false;
        }
        self.first_minute = self.first_minute.min(minute);
        self.last_seen_ms = self.last_seen_ms.max(at_ms);
        if let Some(last) = self.ring.last_bucket() {
            let oldest = last.saturating_sub(self.ring.capacity() as u64);
            self.flagged.retain(|&m| m >= oldest);
        }
        self.dirty = true;
        true
    }
}

/// The residuals' behaviour from one minute to the next, as `(φ, σₑ)` in scaled units:
/// prices are martingales, so the residual of the smooth model is taken as a random walk
/// (`φ = 1`; a least-squares φ from the same residuals is biased towards 0 because the fit
/// pulls them to zero) whose per-minute variance `σₑ²` is the mean of `Δr²/Δminutes` over
/// consecutive points at most an hour apart. `None` with fewer than ten such pairs.
fn residual_ar(model: &ProphetModel, t: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let r: Vec<f64> =
        t.iter().zip(y).map(|(&t, &y)| (y - model.predict(t)) / model.y_scale).collect();
    let per_minute: Vec<f64> = t
        .windows(2)
        .zip(r.windows(2))
        .filter_map(|(tt, rr)| {
            let minutes = ((tt[1] - tt[0]) / 60.0).round();
            (1.0..=60.0).contains(&minutes).then(|| (rr[1] - rr[0]).powi(2) / minutes)
        })
        .collect();
    if per_minute.len() < 10 {
        return None;
    }
    let var = per_minute.iter().sum::<f64>() / per_minute.len() as f64;
    var.is_finite().then_some((1.0, var.sqrt()))
}
