//! The price-anomaly detector.

mod config;
mod finding;
pub(crate) mod series;

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use vigil_pipeline::Analyzer;
use vigil_types::{Address, B256, Event, EventKind, Finding, LogEntry};

pub use config::{PoolConfig, PriceAnomalyConfig};
use series::PriceSeries;

use crate::{
    state::{Counters, DetectorState, PersistedSeries, SeriesHandle, SeriesState, lock},
    swap::{self, PricePoint, PriceSource},
    time::MINUTE_MS,
};

/// Judges pool prices against each pool's Prophet-style band.
pub struct PriceAnomalyDetector {
    id: String,
    inner: Arc<Mutex<PriceState>>,
}

impl std::fmt::Debug for PriceAnomalyDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceAnomalyDetector").field("id", &self.id).finish_non_exhaustive()
    }
}

pub(crate) struct PriceState {
    pub(crate) id: String,
    pub(crate) config: PriceAnomalyConfig,
    pools: HashMap<Address, PoolConfig>,
    pub(crate) series: HashMap<Address, PriceSeries>,
    block_times: VecDeque<(B256, u64)>,
    head: u64,
    last_upkeep_minute: u64,
    pub(crate) counters: Counters,
}

/// One point of a plotted price series: `(minute start ms, mean price, band (lower, mid,
/// upper) in price units, flagged)`.
pub type PricePointView = (u64, f64, Option<(f64, f64, f64)>, bool);

impl PriceAnomalyDetector {
    /// A detector named `id` (assumes `config.problems()` is empty).
    pub fn new(id: &str, config: PriceAnomalyConfig) -> Self {
        let state = PriceState {
            id: id.to_owned(),
            pools: config.pools.iter().map(|p| (p.address, p.clone())).collect(),
            config,
            series: HashMap::new(),
            block_times: VecDeque::new(),
            head: 0,
            last_upkeep_minute: 0,
            counters: Counters::default(),
        };
        Self { id: id.to_owned(), inner: Arc::new(Mutex::new(state)) }
    }

    /// Restores persisted series; unreadable ones are skipped and counted.
    pub fn with_state(self, states: Vec<SeriesState>) -> Self {
        {
            let mut state = lock(&self.inner);
            for s in states {
                match serde_json::from_str::<PriceSeries>(&s.body) {
                    Ok(mut series) if series.key() == s.key => {
                        series.dirty = false;
                        state.series.insert(series.pool, series);
                        state.counters.bump("restored");
                    }
                    _ => state.counters.bump("restore_rejected"),
                }
            }
        }
        self
    }

    /// A handle for persistence and counters.
    pub fn handle(&self) -> SeriesHandle {
        SeriesHandle::new(&self.id, self.inner.clone())
    }

    /// The band (lower, forecast, upper) in price units for `pool` at `at_ms`, if fitted.
    pub fn band(&self, pool: Address, at_ms: u64) -> Option<(f64, f64, f64)> {
        let state = lock(&self.inner);
        let b = state.series.get(&pool)?.band(at_ms as f64 / 1000.0, state.config.band_sigmas)?;
        Some((b.lower().exp(), b.mid.exp(), b.upper().exp()))
    }

    /// The series of `pool` with its band, for plots.
    pub fn series_view(&self, pool: Address) -> Vec<PricePointView> {
        let state = lock(&self.inner);
        state.series.get(&pool).map(|s| finding::view(s, &state)).unwrap_or_default()
    }
}

impl PriceState {
    fn price_of(&self, pool: Address, raw: f64) -> Option<f64> {
        let cfg = self.pools.get(&pool);
        if cfg.is_none() && !self.config.pools.is_empty() {
            return None;
        }
        let (d0, d1, invert) =
            cfg.map_or((18, 18, false), |c| (c.token0_decimals, c.token1_decimals, c.invert));
        let adjusted = raw * 10f64.powi(i32::from(d0) - i32::from(d1));
        let price = if invert { 1.0 / adjusted } else { adjusted };
        (price.is_finite() && price > 0.0).then_some(price)
    }

    fn on_log(&mut self, event: &Event, log: &LogEntry) -> Vec<Finding> {
        if !self.config.pools.is_empty() && !self.pools.contains_key(&log.address) {
            return Vec::new();
        }
        let point = match swap::decode(log) {
            Ok(p) => p,
            Err(skip) => {
                self.counters.bump(skip.as_str());
                return Vec::new();
            }
        };
        self.head = self.head.max(log.block_number);
        let at_ms = self
            .block_times
            .iter()
            .rev()
            .find(|(h, _)| *h == log.block_hash)
            .map_or(event.seen_at, |(_, t)| *t);
        let Some(price) = self.price_of(log.address, point.price) else {
            self.counters.bump("skipped_zero_price");
            return Vec::new();
        };
        let minute = at_ms / MINUTE_MS;
        if !self.series.contains_key(&log.address) {
            if self.series.len() >= self.config.max_series {
                self.counters.bump("skipped_series_cap");
                return Vec::new();
            }
            let s = PriceSeries::new(log.address, self.config.window_minutes, minute);
            self.series.insert(log.address, s);
            self.counters.bump("series_created");
        }
        self.observe(event, log, point, price, minute, at_ms).into_iter().collect()
    }

    fn observe(
        &mut self,
        event: &Event,
        log: &LogEntry,
        point: PricePoint,
        price: f64,
        minute: u64,
        at_ms: u64,
    ) -> Option<Finding> {
        let final_number = self.head.saturating_sub(self.config.reorg_depth);
        let config = self.config.clone();
        let series = self.series.get_mut(&log.address)?;
        match point.source {
            PriceSource::V2Sync => series.uses_sync = true,
            PriceSource::V2Swap if series.uses_sync => {
                self.counters.bump("v2_swap_cross_check_only");
                return None;
            }
            _ => {}
        }
        match series.maybe_refit(minute, &config) {
            Some(true) => self.counters.bump("refits"),
            Some(false) => self.counters.bump("refit_failed"),
            None => {}
        }
        self.counters.bump("prices");
        let x = price.ln();
        let band = series.band(at_ms as f64 / 1000.0, config.band_sigmas);
        let mut out = None;
        match band {
            None => self.counters.bump("cold_start_no_band"),
            Some(band) => {
                let dev = band.deviation(x);
                let far_enough = (x - band.mid).abs() >= (config.min_deviation_pct / 100.0).ln_1p();
                let anomalous = dev.outside && far_enough;
                if series.record_verdict(minute, anomalous, config.level_shift_minutes) {
                    self.counters.bump("level_shifts_accepted");
                }
                if anomalous && series.alerted_minute != Some(minute) {
                    series.alerted_minute = Some(minute);
                    let f = finding::build(&self.id, event, log, point, price, minute, &band, dev);
                    self.counters.bump(if f.is_some() { "findings" } else { "skipped_non_finite" });
                    out = f;
                }
            }
        }
        if series.add(log.block_hash, log.block_number, minute, x, at_ms) {
            series.ring.settle(final_number);
        } else {
            self.counters.bump("skipped_stale_bucket");
        }
        out
    }
}

impl PriceState {
    /// Settles old blocks everywhere and drops pools with nothing left in the window.
    fn hourly_upkeep(&mut self, minute: u64) {
        let final_number = self.head.saturating_sub(self.config.reorg_depth);
        let window = self.config.window_minutes as u64;
        let before = self.series.len();
        self.series.retain(|_, s| {
            s.ring.settle(final_number);
            s.ring.last_bucket().is_some_and(|last| last + window > minute)
        });
        self.counters.add("series_evicted", (before - self.series.len()) as u64);
    }
}

impl Analyzer for PriceAnomalyDetector {
    fn id(&self) -> &str {
        &self.id
    }

    fn analyze(&mut self, event: &Event) -> Vec<Finding> {
        let mut state = lock(&self.inner);
        state.counters.bump("events");
        match &event.kind {
            EventKind::Log(log) => state.on_log(event, log),
            EventKind::BlockCommitted(block) => {
                state.head = state.head.max(block.number);
                state.block_times.push_back((block.hash, block.timestamp.saturating_mul(1000)));
                if state.block_times.len() > 256 {
                    state.block_times.pop_front();
                }
                let minute = block.timestamp / 60;
                if minute >= state.last_upkeep_minute + 60 {
                    state.last_upkeep_minute = minute;
                    state.hourly_upkeep(minute);
                }
                Vec::new()
            }
            EventKind::BlockReverted(block) => {
                let mut hit = 0;
                for s in state.series.values_mut() {
                    if s.ring.revert(block.hash) {
                        s.dirty = true;
                        hit += 1;
                    }
                }
                state.counters.add("reverted_contributions", hit);
                Vec::new()
            }
            EventKind::PendingTx(_) => Vec::new(),
        }
    }
}

impl DetectorState for PriceState {
    type Series = PriceSeries;

    fn series_map(&mut self) -> &mut HashMap<Address, PriceSeries> {
        &mut self.series
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}

impl PersistedSeries for PriceSeries {
    fn persisted_key(&self) -> String {
        self.key()
    }

    fn last_seen(&self) -> u64 {
        self.last_seen_ms
    }

    fn dirty_flag(&mut self) -> &mut bool {
        &mut self.dirty
    }
}
