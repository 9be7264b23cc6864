//! The priority-fee detector.

mod config;
mod finding;
mod series;

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use vigil_pipeline::Analyzer;
use vigil_types::{Address, B256, BlockInfo, Event, EventKind, Finding, SeenHashes, TxInfo};

pub use config::PriorityFeeConfig;
use series::{BandWork, FeeSeries};

use crate::{
    band::BandRow,
    seasonal::SeasonalSettings,
    state::{Counters, DetectorState, PersistedSeries, SeriesHandle, SeriesState, lock},
    time::HOUR_MS,
};

/// Judges transactions' priority fees against each contract's forecast band.
pub struct PriorityFeeDetector {
    id: String,
    inner: Arc<Mutex<FeeState>>,
}

impl std::fmt::Debug for PriorityFeeDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriorityFeeDetector").field("id", &self.id).finish_non_exhaustive()
    }
}

pub(crate) struct FeeState {
    pub(crate) id: String,
    pub(crate) config: PriorityFeeConfig,
    pub(crate) settings: SeasonalSettings,
    follow: HashSet<Address>,
    pub(crate) series: HashMap<Address, FeeSeries>,
    base_fee: Option<u128>,
    head: u64,
    current_hour: u64,
    seen: SeenHashes,
    pub(crate) counters: Counters,
}

impl PriorityFeeDetector {
    /// A detector named `id` (assumes `config.problems()` is empty).
    pub fn new(id: &str, config: PriorityFeeConfig) -> Self {
        let state = FeeState {
            id: id.to_owned(),
            settings: config.settings(),
            follow: config.contracts.iter().copied().collect(),
            config,
            series: HashMap::new(),
            base_fee: None,
            head: 0,
            current_hour: 0,
            seen: SeenHashes::new(200_000),
            counters: Counters::default(),
        };
        Self { id: id.to_owned(), inner: Arc::new(Mutex::new(state)) }
    }

    /// Restores persisted series (see [`SeriesHandle::snapshot`]); unreadable ones are
    /// skipped and counted as `restore_rejected`.
    pub fn with_state(self, states: Vec<SeriesState>) -> Self {
        {
            let mut state = lock(&self.inner);
            for s in states {
                match serde_json::from_str::<FeeSeries>(&s.body) {
                    Ok(mut series) if series.key() == s.key => {
                        series.dirty = false;
                        state.series.insert(series.contract, series);
                        state.counters.bump("restored");
                    }
                    _ => state.counters.bump("restore_rejected"),
                }
            }
        }
        self
    }

    /// A handle for persistence and counters, valid while the detector runs elsewhere.
    pub fn handle(&self) -> SeriesHandle {
        SeriesHandle::new(&self.id, self.inner.clone())
    }

    /// The band (in gwei: lower, forecast, upper) a transaction to `contract` at `at_ms`
    /// would be judged against, if the series is warm enough.
    pub fn band_gwei(&self, contract: Address, at_ms: u64) -> Option<(f64, f64, f64)> {
        let mut state = lock(&self.inner);
        let FeeState { series, settings, config, .. } = &mut *state;
        let s = series.get_mut(&contract)?;
        let (f, _) = s.band_for(at_ms / HOUR_MS, settings, config.refit_every_hours);
        let b = f?.band;
        Some((config.to_gwei(b.lower()), config.to_gwei(b.mid), config.to_gwei(b.upper())))
    }

    /// Series (hourly maxima in gwei) and in-sample band of `contract` for plots:
    /// `(hour start ms, observed gwei or NaN, band lower, mid, upper)`.
    pub fn series_view(&self, contract: Address) -> Vec<BandRow> {
        let state = lock(&self.inner);
        state.series.get(&contract).map(|s| finding::view(s, &state)).unwrap_or_default()
    }
}

impl FeeState {
    fn follows(&self, to: Option<Address>) -> Option<Address> {
        let to = to?;
        (self.follow.is_empty() || self.follow.contains(&to)).then_some(to)
    }

    fn tip_gwei(&mut self, tx: &TxInfo, base_fee: Option<u128>) -> Option<f64> {
        let tip = match base_fee {
            Some(base) => tx.effective_tip(base),
            None => match tx.max_priority_fee_per_gas {
                Some(tip) => tip.min(tx.fee_cap()),
                None => {
                    self.counters.bump("skipped_no_base_fee");
                    return None;
                }
            },
        };
        let gwei = tip as f64 / 1e9;
        if !gwei.is_finite() || gwei > self.config.max_plausible_fee_gwei {
            self.counters.bump("skipped_implausible_fee");
            return None;
        }
        Some(gwei)
    }

    fn series_for(&mut self, contract: Address, hour: u64) -> Option<&mut FeeSeries> {
        if !self.series.contains_key(&contract) {
            if self.series.len() >= self.config.max_series {
                self.counters.bump("skipped_series_cap");
                return None;
            }
            self.series.insert(contract, FeeSeries::new(contract, self.config.window_hours, hour));
            self.counters.bump("series_created");
        }
        self.series.get_mut(&contract)
    }

    fn judge(
        &mut self,
        event: &Event,
        tx: &TxInfo,
        contract: Address,
        at_ms: u64,
        gwei: f64,
        block: Option<&BlockInfo>,
    ) -> Option<Finding> {
        let hour = at_ms / HOUR_MS;
        let value = self.config.to_model(gwei);
        let (settings, every) = (self.settings, self.config.refit_every_hours);
        let series = self.series.get_mut(&contract)?;
        let (forecast, work) = series.band_for(hour, &settings, every);
        match work {
            BandWork::Refit => self.counters.bump("refits"),
            BandWork::Rerun => self.counters.bump("reruns"),
            BandWork::Cached => {}
        }
        let Some(forecast) = forecast else {
            self.counters.bump("cold_start_no_band");
            return None;
        };
        let deviation = forecast.band.deviation(value);
        if !deviation.outside || deviation.sigmas <= 0.0 || gwei < self.config.min_priority_fee_gwei
        {
            return None;
        }
        let finding = finding::build(self, event, tx, contract, gwei, &forecast, deviation, block);
        if finding.is_some() {
            self.counters.bump("findings");
        } else {
            self.counters.bump("skipped_non_finite");
        }
        finding
    }

    fn on_pending(&mut self, event: &Event, tx: &TxInfo) -> Vec<Finding> {
        let Some(contract) = self.follows(tx.to) else { return vec![] };
        if !self.config.judge_pending || !self.seen.insert(tx.hash) {
            return vec![];
        }
        self.counters.bump("pending_seen");
        let Some(gwei) = self.tip_gwei(tx, self.base_fee) else { return vec![] };
        if !self.series.contains_key(&contract) {
            return vec![];
        }
        self.judge(event, tx, contract, event.seen_at, gwei, None).into_iter().collect()
    }

    fn on_block(&mut self, event: &Event, block: &BlockInfo) -> Vec<Finding> {
        self.head = self.head.max(block.number);
        if block.base_fee_per_gas.is_some() {
            self.base_fee = block.base_fee_per_gas;
        }
        let at_ms = block.timestamp.saturating_mul(1000);
        let hour = at_ms / HOUR_MS;
        if hour > self.current_hour {
            self.current_hour = hour;
            self.hourly_upkeep();
        }
        let final_number = self.head.saturating_sub(self.config.reorg_depth);
        let mut out = Vec::new();
        for tx in &block.transactions {
            let Some(contract) = self.follows(tx.to) else { continue };
            self.counters.bump("mined_seen");
            let Some(gwei) = self.tip_gwei(tx, block.base_fee_per_gas) else { continue };
            if self.series_for(contract, hour).is_none() {
                continue;
            }
            if !self.seen.contains(&tx.hash) {
                self.seen.insert(tx.hash);
                out.extend(self.judge(event, tx, contract, at_ms, gwei, Some(block)));
            }
            let value = self.config.to_model(gwei);
            if let Some(series) = self.series.get_mut(&contract) {
                if series.add(block.hash, block.number, hour, value, at_ms) {
                    series.ring.settle(final_number);
                } else {
                    self.counters.bump("skipped_stale_bucket");
                }
            }
        }
        out
    }

    fn on_revert(&mut self, hash: B256) {
        let mut hit = 0;
        for series in self.series.values_mut() {
            hit += u64::from(series.revert(hash));
        }
        self.counters.add("reverted_contributions", hit);
    }

    /// Once per hour: settle old blocks everywhere and drop series with nothing in the window.
    fn hourly_upkeep(&mut self) {
        let final_number = self.head.saturating_sub(self.config.reorg_depth);
        let (window, now) = (self.config.window_hours as u64, self.current_hour);
        let before = self.series.len();
        self.series.retain(|_, s| {
            s.ring.settle(final_number);
            s.ring.last_bucket().is_some_and(|last| last + window > now)
        });
        self.counters.add("series_evicted", (before - self.series.len()) as u64);
    }
}

impl Analyzer for PriorityFeeDetector {
    fn id(&self) -> &str {
        &self.id
    }

    fn analyze(&mut self, event: &Event) -> Vec<Finding> {
        let mut state = lock(&self.inner);
        state.counters.bump("events");
        match &event.kind {
            EventKind::PendingTx(tx) => state.on_pending(event, tx),
            EventKind::BlockCommitted(block) => state.on_block(event, block),
            EventKind::BlockReverted(block) => {
                state.on_revert(block.hash);
                Vec::new()
            }
            EventKind::Log(_) => Vec::new(),
        }
    }
}

impl DetectorState for FeeState {
    type Series = FeeSeries;

    fn series_map(&mut self) -> &mut HashMap<Address, FeeSeries> {
        &mut self.series
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}

impl PersistedSeries for FeeSeries {
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
