use serde::Deserialize;
use vigil_types::Address;

use crate::seasonal::SeasonalSettings;

/// `type = "priority_fee"`: per monitored contract, the hourly maximum priority fee over a
/// rolling window, forecast by Kalman + Holt-Winters; a finding for each transaction whose
/// tip breaks out above the band.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityFeeConfig {
    /// Contracts to follow; empty = every recipient of a monitored transaction.
    pub contracts: Vec<Address>,
    /// Hours in the rolling window (a week); also the history before Holt-Winters is used.
    pub window_hours: usize,
    /// Hours of history before any finding (cold start below `window_hours` uses a robust
    /// median/MAD band).
    pub min_history_hours: usize,
    /// Season length in hours.
    pub season_hours: usize,
    /// Band half-width in sigmas once the window is full.
    pub band_sigmas: f64,
    /// Band half-width in sigmas during the cold start.
    pub cold_band_sigmas: f64,
    /// Kalman process-to-observation noise ratio.
    pub kalman_ratio: f64,
    /// Model fees as `ln(1 + gwei)` (fees are heavy-tailed); otherwise in gwei.
    pub log_scale: bool,
    /// Smallest band sigma, in the model's units (log units with `log_scale`).
    pub min_sigma: f64,
    /// No finding for tips below this many gwei, whatever the band says.
    pub min_priority_fee_gwei: f64,
    /// Tips above this many gwei are treated as bad input and skipped.
    pub max_plausible_fee_gwei: f64,
    /// Re-select Holt-Winters parameters every this many hours (the state is always rerun).
    pub refit_every_hours: u64,
    /// Blocks after which a block's fees are considered final (reverts deeper are ignored).
    pub reorg_depth: u64,
    /// Most series held at once; further contracts are skipped and counted.
    pub max_series: usize,
    /// Judge pending transactions (mined ones are always judged, once).
    pub judge_pending: bool,
    /// Where series and fitted parameters are kept across restarts: `sqlite://file.db` or
    /// `postgres://user@host/db` (password in `PGPASSWORD` or `state_url_env`); none = memory only.
    pub state_url: Option<String>,
    /// Name of an environment variable holding the whole state URL (overrides `state_url`).
    pub state_url_env: Option<String>,
    /// Seconds between saves of the changed series (everything is saved at shutdown too).
    pub persist_every_secs: u64,
}

impl Default for PriorityFeeConfig {
    fn default() -> Self {
        Self {
            contracts: Vec::new(),
            window_hours: 168,
            min_history_hours: 24,
            season_hours: 24,
            band_sigmas: 3.0,
            cold_band_sigmas: 4.0,
            kalman_ratio: 0.5,
            log_scale: true,
            min_sigma: 0.1,
            min_priority_fee_gwei: 0.0,
            max_plausible_fee_gwei: 1e7,
            refit_every_hours: 1,
            reorg_depth: 64,
            max_series: 100_000,
            judge_pending: true,
            state_url: None,
            state_url_env: None,
            persist_every_secs: 60,
        }
    }
}

impl PriorityFeeConfig {
    /// Every problem with the values, as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |field: &str, message: String| out.push((field.to_owned(), message));
        if self.window_hours < 2 * self.season_hours.max(1) {
            bad(
                "window_hours",
                format!("must hold two seasons ({} hours)", 2 * self.season_hours.max(1)),
            );
        }
        if self.window_hours > 24 * 90 {
            bad("window_hours", "must be at most 2160 (90 days)".into());
        }
        if self.min_history_hours == 0 || self.min_history_hours > self.window_hours {
            bad("min_history_hours", "must be within 1..=window_hours".into());
        }
        for (field, v) in
            [("band_sigmas", self.band_sigmas), ("cold_band_sigmas", self.cold_band_sigmas)]
        {
            if !(v.is_finite() && v > 0.0) {
                bad(field, "must be a positive number".into());
            }
        }
        if !(self.kalman_ratio.is_finite() && self.kalman_ratio > 0.0) {
            bad("kalman_ratio", "must be a positive number".into());
        }
        if !(self.min_sigma.is_finite() && self.min_sigma > 0.0) {
            bad("min_sigma", "must be a positive number".into());
        }
        if !(self.min_priority_fee_gwei.is_finite() && self.min_priority_fee_gwei >= 0.0) {
            bad("min_priority_fee_gwei", "must be zero or positive".into());
        }
        if !(self.max_plausible_fee_gwei.is_finite() && self.max_plausible_fee_gwei > 0.0) {
            bad("max_plausible_fee_gwei", "must be a positive number".into());
        }
        if self.refit_every_hours == 0 {
            bad("refit_every_hours", "must be at least 1".into());
        }
        if self.max_series == 0 {
            bad("max_series", "must be at least 1".into());
        }
        if self.persist_every_secs == 0 {
            bad("persist_every_secs", "must be at least 1".into());
        }
        if let Err(e) = self.resolved_state_url() {
            bad("state_url_env", e);
        }
        out
    }

    /// The state-store URL to use, if any (`Err` names a missing environment variable).
    pub fn resolved_state_url(&self) -> Result<Option<String>, String> {
        crate::store::resolve_url(self.state_url.as_deref(), self.state_url_env.as_deref())
    }

    /// The forecaster settings these values describe.
    pub fn settings(&self) -> SeasonalSettings {
        SeasonalSettings {
            period: self.season_hours,
            window: self.window_hours,
            min_history: self.min_history_hours,
            kalman_ratio: self.kalman_ratio,
            z: self.band_sigmas,
            cold_z: self.cold_band_sigmas,
            min_sigma: self.min_sigma,
            min_sigma_rel: 0.0,
        }
    }

    /// Model units of a tip in gwei.
    pub(crate) fn to_model(&self, gwei: f64) -> f64 {
        if self.log_scale { gwei.ln_1p() } else { gwei }
    }

    /// Gwei of a value in model units.
    pub(crate) fn to_gwei(&self, v: f64) -> f64 {
        if self.log_scale { v.exp_m1() } else { v }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert!(PriorityFeeConfig::default().problems().is_empty());
        let bad = PriorityFeeConfig { window_hours: 10, band_sigmas: -1.0, ..Default::default() };
        let fields: Vec<String> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&"window_hours".to_owned()), "{fields:?}");
        assert!(fields.contains(&"band_sigmas".to_owned()), "{fields:?}");
        let parsed: Result<PriorityFeeConfig, _> = serde_json::from_str(r#"{"windw_hours": 5}"#);
        assert!(parsed.is_err());
    }
}
