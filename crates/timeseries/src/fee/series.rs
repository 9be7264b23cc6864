//! One contract's series: hourly maxima of the tip (model units) and the cached forecast.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use vigil_types::Address;

use crate::{
    holt_winters::HwParams,
    ring::{Aggregate, BucketRing},
    seasonal::{self, BandHistory, SeasonalForecast, SeasonalSettings},
};

/// The forecast for one hour, kept until the hour's inputs change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CachedForecast {
    pub(crate) hour: u64,
    pub(crate) forecast: Option<SeasonalForecast>,
    #[serde(skip)]
    pub(crate) version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FeeSeries {
    pub(crate) contract: Address,
    pub(crate) ring: BucketRing,
    pub(crate) first_hour: u64,
    pub(crate) last_seen_ms: u64,
    pub(crate) params: Option<HwParams>,
    pub(crate) last_fit_hour: Option<u64>,
    pub(crate) cached: Option<CachedForecast>,
    /// Parameters before the fit at an hour, so a fit undone by a reorg restarts from them.
    #[serde(default)]
    pub(crate) fit_base: Option<(u64, Option<HwParams>)>,
    #[serde(skip)]
    pub(crate) version: u64,
    #[serde(skip)]
    pub(crate) dirty: bool,
}

/// What computing a band did, for counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BandWork {
    Cached,
    Rerun,
    Refit,
}

impl FeeSeries {
    pub(crate) fn new(contract: Address, window: usize, hour: u64) -> Self {
        Self {
            contract,
            ring: BucketRing::new(Aggregate::Max, window),
            first_hour: hour,
            last_seen_ms: 0,
            params: None,
            last_fit_hour: None,
            cached: None,
            fit_base: None,
            version: 0,
            dirty: true,
        }
    }

    pub(crate) fn key(&self) -> String {
        format!("fee:{:#x}", self.contract)
    }

    /// The band for `hour`, from the buckets before it.
    pub(crate) fn band_for(
        &mut self,
        hour: u64,
        settings: &SeasonalSettings,
        refit_every: u64,
    ) -> (Option<SeasonalForecast>, BandWork) {
        if let Some(c) = &self.cached
            && c.hour == hour
            && c.version == self.version
        {
            return (c.forecast, BandWork::Cached);
        }
        let mut refit = self.last_fit_hour.is_none_or(|h| hour >= h + refit_every || hour < h);
        if let Some((h, base)) = self.fit_base
            && h == hour
            && self.cached.as_ref().is_some_and(|c| c.hour == hour)
        {
            // The inputs of this hour's fit changed (late block, reorg): fit again from the
            // parameters it started from.
            self.params = base;
            refit = true;
        }
        let window = self.ring.window(hour, settings.window);
        let age = hour.saturating_sub(self.first_hour) as usize;
        let forecast = seasonal::forecast(&window, age, settings, self.params, refit);
        let mut work = BandWork::Rerun;
        if let Some(f) = forecast
            && let Some(p) = f.params
            && (refit || self.params.is_none())
        {
            if refit && self.fit_base.is_none_or(|(h, _)| h != hour) {
                self.fit_base = Some((hour, self.params));
            }
            self.params = Some(p);
            self.last_fit_hour = Some(hour);
            work = BandWork::Refit;
        }
        self.cached = Some(CachedForecast { hour, forecast, version: self.version });
        self.dirty = true;
        (forecast, work)
    }

    pub(crate) fn add(
        &mut self,
        block: B256,
        number: u64,
        hour: u64,
        value: f64,
        seen_ms: u64,
    ) -> bool {
        if !self.ring.add(block, number, hour, value) {
            return false;
        }
        if self.cached.as_ref().is_some_and(|c| hour < c.hour) {
            self.version += 1;
        }
        self.first_hour = self.first_hour.min(hour);
        self.last_seen_ms = self.last_seen_ms.max(seen_ms);
        self.dirty = true;
        true
    }

    pub(crate) fn revert(&mut self, block: B256) -> bool {
        let hit = self.ring.revert(block);
        if hit {
            self.version += 1;
            self.dirty = true;
        }
        hit
    }

    /// In-sample bands over the window ending before `hour`, for plots.
    pub(crate) fn history(
        &self,
        hour: u64,
        settings: &SeasonalSettings,
    ) -> (Vec<f64>, BandHistory) {
        let window = self.ring.window(hour, settings.window);
        let age = hour.saturating_sub(self.first_hour) as usize;
        let past =
            seasonal::forecast_with_history(&window, age, settings, self.params, false, true)
                .map(|(_, h)| h)
                .unwrap_or_default();
        (window, past)
    }
}
