use serde::Deserialize;
use vigil_types::Address;

use crate::prophet::ProphetSettings;

/// A pool to follow and how to read its price.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    /// Pool address.
    pub address: Address,
    /// Decimals of token0.
    #[serde(default = "eighteen")]
    pub token0_decimals: u8,
    /// Decimals of token1.
    #[serde(default = "eighteen")]
    pub token1_decimals: u8,
    /// Report token0 per token1 instead of token1 per token0.
    #[serde(default)]
    pub invert: bool,
    /// Display name, e.g. `WETH/USDC 0.05%`.
    #[serde(default)]
    pub name: Option<String>,
}

fn eighteen() -> u8 {
    18
}

/// `type = "price_anomaly"`: per pool, per-minute mean prices from `Swap` / `Sync` logs, a
/// Prophet-style model refitted on a schedule, and a finding when a price leaves its band.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriceAnomalyConfig {
    /// Pools with their decimals; empty = every pool whose logs arrive, read as 18/18
    /// decimals (decimals shift prices by a constant factor and never change detection).
    pub pools: Vec<PoolConfig>,
    /// Minutes of history kept and fitted (three days).
    pub window_minutes: usize,
    /// Minutes with data before the first fit.
    pub min_points: usize,
    /// Minutes between the first and last point before the first fit.
    pub min_history_minutes: u64,
    /// Longest time between refits; a young series is refitted sooner (every tenth of its
    /// history, at least every 5 minutes).
    pub refit_every_minutes: u64,
    /// Band half-width in sigmas.
    pub band_sigmas: f64,
    /// No finding unless the price is also this many percent away from the forecast.
    pub min_deviation_pct: f64,
    /// After this many consecutive anomalous minutes the new level is accepted: the flagged
    /// minutes rejoin the fit and the model is refitted.
    pub level_shift_minutes: u32,
    /// Blocks after which a block's prices are final.
    pub reorg_depth: u64,
    /// Most series held at once.
    pub max_series: usize,
    /// Model settings (Prophet's defaults).
    pub prophet: ProphetSettings,
    /// Where series and fitted parameters are kept across restarts: `sqlite://file.db` or
    /// `postgres://user@host/db` (password in `PGPASSWORD` or `state_url_env`); none = memory only.
    pub state_url: Option<String>,
    /// Name of an environment variable holding the whole state URL (overrides `state_url`).
    pub state_url_env: Option<String>,
    /// Seconds between saves of the changed series (everything is saved at shutdown too).
    pub persist_every_secs: u64,
}

impl Default for PriceAnomalyConfig {
    fn default() -> Self {
        Self {
            pools: Vec::new(),
            window_minutes: 3 * 1440,
            min_points: 30,
            min_history_minutes: 60,
            refit_every_minutes: 60,
            band_sigmas: 4.0,
            min_deviation_pct: 1.0,
            level_shift_minutes: 15,
            reorg_depth: 64,
            max_series: 20_000,
            prophet: ProphetSettings::default(),
            state_url: None,
            state_url_env: None,
            persist_every_secs: 60,
        }
    }
}

impl PriceAnomalyConfig {
    /// Every problem with the values, as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |field: &str, message: &str| out.push((field.to_owned(), message.to_owned()));
        if self.window_minutes < 60 || self.window_minutes > 60 * 24 * 30 {
            bad("window_minutes", "must be within 60..=43200 (30 days)");
        }
        if self.min_points < 3 {
            bad("min_points", "must be at least 3");
        }
        if self.min_history_minutes as usize > self.window_minutes {
            bad("min_history_minutes", "must not exceed window_minutes");
        }
        if self.refit_every_minutes == 0 {
            bad("refit_every_minutes", "must be at least 1");
        }
        if !(self.band_sigmas.is_finite() && self.band_sigmas > 0.0) {
            bad("band_sigmas", "must be a positive number");
        }
        if !(self.min_deviation_pct.is_finite() && self.min_deviation_pct >= 0.0) {
            bad("min_deviation_pct", "must be zero or positive");
        }
        if self.level_shift_minutes == 0 {
            bad("level_shift_minutes", "must be at least 1");
        }
        if self.max_series == 0 {
            bad("max_series", "must be at least 1");
        }
        if self.persist_every_secs == 0 {
            bad("persist_every_secs", "must be at least 1");
        }
        if let Err(e) = self.resolved_state_url() {
            bad("state_url_env", &e);
        }
        let p = &self.prophet;
        if !(0.0..=1.0).contains(&p.changepoint_range) {
            bad("prophet.changepoint_range", "must be within 0..=1");
        }
        if !(p.changepoint_prior_scale.is_finite() && p.changepoint_prior_scale > 0.0) {
            bad("prophet.changepoint_prior_scale", "must be a positive number");
        }
        if !(p.seasonality_prior_scale.is_finite() && p.seasonality_prior_scale > 0.0) {
            bad("prophet.seasonality_prior_scale", "must be a positive number");
        }
        if p.n_changepoints > 200 || p.daily_order > 20 || p.weekly_order > 20 {
            bad("prophet", "n_changepoints ≤ 200 and Fourier orders ≤ 20");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, pool) in self.pools.iter().enumerate() {
            if !seen.insert(pool.address) {
                out.push((
                    format!("pools[{i}].address"),
                    format!("{} is listed twice", pool.address),
                ));
            }
            if pool.token0_decimals > 77 || pool.token1_decimals > 77 {
                out.push((format!("pools[{i}]"), "decimals must be at most 77".to_owned()));
            }
        }
        out
    }

    /// The state-store URL to use, if any (`Err` names a missing environment variable).
    pub fn resolved_state_url(&self) -> Result<Option<String>, String> {
        crate::store::resolve_url(self.state_url.as_deref(), self.state_url_env.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_problems_carry_paths() {
        assert!(PriceAnomalyConfig::default().problems().is_empty());
        let pool = PoolConfig {
            address: Address::ZERO,
            token0_decimals: 18,
            token1_decimals: 6,
            invert: false,
            name: None,
        };
        let bad = PriceAnomalyConfig {
            pools: vec![pool.clone(), pool],
            band_sigmas: 0.0,
            ..Default::default()
        };
        let fields: Vec<String> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&"pools[1].address".to_owned()), "{fields:?}");
        assert!(fields.contains(&"band_sigmas".to_owned()), "{fields:?}");
        let parsed: Result<PriceAnomalyConfig, _> =
            serde_json::from_str(r#"{"prophet": {"n_changepoint": 3}}"#);
        assert!(parsed.is_err());
    }
}
