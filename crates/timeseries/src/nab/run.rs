//! Running the detectors' cores over NAB files and scoring them.

use std::time::Instant;

use alloy_primitives::B256;
use serde::Serialize;

use super::{CostMatrix, NabCorpus, NabFile, score};
use crate::{
    band::{Band, anomaly_score},
    price::{PriceAnomalyConfig, series::PriceSeries},
    seasonal::{self, SeasonalSettings},
};

/// Which core to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NabCore {
    /// The priority-fee core: window → interpolation → Kalman → Holt-Winters band, with the
    /// detector's defaults (7-season window, daily season, 3σ band, robust cold start).
    HoltWinters,
    /// The price core: Prophet-style model on a 3-day window refitted on the detector's
    /// schedule, 4σ band, anomalous points kept out of the fit.
    Prophet,
}

/// The result for one profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileScore {
    /// Profile name.
    pub profile: String,
    /// Threshold chosen over the corpus.
    pub threshold: f64,
    /// Raw score at that threshold.
    pub raw: f64,
    /// Null detector's raw score.
    pub null: f64,
    /// Perfect detector's raw score.
    pub perfect: f64,
    /// `100 · (raw − null) / (perfect − null)`.
    pub normalized: f64,
}

/// Scores of one core on a corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NabReport {
    /// The core.
    pub core: NabCore,
    /// How rows were scored.
    pub scoring: NabScoring,
    /// Files scored.
    pub files: usize,
    /// Rows scored.
    pub rows: usize,
    /// Anomaly windows in the labels of those files.
    pub windows: usize,
    /// Seconds spent detecting.
    pub detect_seconds: f64,
    /// One entry per profile.
    pub profiles: Vec<ProfileScore>,
}

fn median_step(times: &[i64]) -> f64 {
    let mut steps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0).collect();
    steps.sort_unstable();
    steps.get(steps.len() / 2).copied().unwrap_or(300) as f64
}

fn hw_bands(file: &NabFile) -> Vec<Option<Band>> {
    let per_day = (86_400.0 / median_step(&file.times)).round() as usize;
    let period = if (2..=1440).contains(&per_day) { per_day } else { 1 };
    let defaults = crate::PriorityFeeConfig::default();
    let settings = SeasonalSettings {
        period,
        window: 7 * period.max(24),
        min_history: period.max(24),
        kalman_ratio: defaults.kalman_ratio,
        z: defaults.band_sigmas,
        cold_z: defaults.cold_band_sigmas,
        min_sigma: 0.0,
        min_sigma_rel: 1e-3,
    };
    let mut params = None;
    let mut last_fit = None::<usize>;
    (0..file.values.len())
        .map(|i| {
            let start = i.saturating_sub(settings.window);
            let refit = last_fit.is_none_or(|at| i >= at + period.max(24));
            match seasonal::forecast(&file.values[start..i], i, &settings, params, refit) {
                Some(f) => {
                    if refit && f.params.is_some() {
                        params = f.params;
                        last_fit = Some(i);
                    }
                    Some(f.band)
                }
                None => None,
            }
        })
        .collect()
}

fn prophet_bands(file: &NabFile) -> Vec<Option<Band>> {
    let config = PriceAnomalyConfig::default();
    let Some(&t0) = file.times.first() else { return Vec::new() };
    let mut series = PriceSeries::new(Default::default(), config.window_minutes, (t0 / 60) as u64);
    let mut out = Vec::with_capacity(file.values.len());
    for (i, (&t, &v)) in file.times.iter().zip(&file.values).enumerate() {
        let minute = (t.max(0) / 60) as u64;
        series.maybe_refit(minute, &config);
        let band = series.band(t as f64, config.band_sigmas);
        if let Some(band) = band {
            series.record_verdict(minute, band.deviation(v).outside, config.level_shift_minutes);
        }
        out.push(band);
        series.add(B256::ZERO, i as u64, minute, v, t.max(0) as u64 * 1000);
        series.ring.settle(i as u64);
    }
    out
}

/// How rows are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NabScoring {
    /// Every row scores its distance from the band.
    EveryRow,
    /// Only a breakout scores: a row outside the band whose predecessor was inside (how
    /// an alert fires once per excursion); other rows score 0.
    Onset,
}

/// The band each row of `file` was judged against under `core` (`None` in the cold start).
pub fn core_bands(file: &NabFile, core: NabCore) -> Vec<Option<Band>> {
    match core {
        NabCore::HoltWinters => hw_bands(file),
        NabCore::Prophet => prophet_bands(file),
    }
}

/// The anomaly score (0..1) of every row of `file` under `core`.
pub fn core_scores(file: &NabFile, core: NabCore, scoring: NabScoring) -> Vec<f64> {
    let rows: Vec<(f64, bool)> = core_bands(file, core)
        .iter()
        .zip(&file.values)
        .map(|(band, &v)| match band {
            Some(b) => {
                let dev = b.deviation(v);
                (anomaly_score(dev.sigmas), dev.outside)
            }
            None => (0.0, false),
        })
        .collect();
    match scoring {
        NabScoring::EveryRow => rows.into_iter().map(|(s, _)| s).collect(),
        NabScoring::Onset => {
            let mut inside_before = true;
            rows.into_iter()
                .map(|(s, outside)| {
                    let onset = outside && inside_before;
                    inside_before = !outside;
                    if onset { s } else { 0.0 }
                })
                .collect()
        }
    }
}

/// Runs `core` on every file (on `threads` threads) and scores it with each profile.
pub fn evaluate(
    corpus: &NabCorpus,
    core: NabCore,
    scoring: NabScoring,
    threads: usize,
) -> NabReport {
    let started = Instant::now();
    let threads = threads.max(1);
    let mut all: Vec<Vec<f64>> = vec![Vec::new(); corpus.files.len()];
    std::thread::scope(|scope| {
        let chunks: Vec<_> =
            all.chunks_mut(corpus.files.len().div_ceil(threads)).enumerate().collect();
        let size = corpus.files.len().div_ceil(threads);
        for (c, chunk) in chunks {
            scope.spawn(move || {
                for (j, slot) in chunk.iter_mut().enumerate() {
                    *slot = core_scores(&corpus.files[c * size + j], core, scoring);
                }
            });
        }
    });
    let detect_seconds = started.elapsed().as_secs_f64();
    let windows: usize = corpus.files.iter().map(|f| f.windows.len()).sum();
    let profiles = corpus
        .profiles
        .iter()
        .map(|(name, cost)| profile_score(corpus, &all, name, cost, windows))
        .collect();
    NabReport {
        core,
        scoring,
        files: corpus.files.len(),
        rows: corpus.files.iter().map(|f| f.values.len()).sum(),
        windows,
        detect_seconds,
        profiles,
    }
}

fn profile_score(
    corpus: &NabCorpus,
    scores: &[Vec<f64>],
    name: &str,
    cost: &CostMatrix,
    windows: usize,
) -> ProfileScore {
    let mut points = Vec::new();
    let mut first_window = 0;
    for (file, s) in corpus.files.iter().zip(scores) {
        points.extend(score::sweep(file, s, cost, 0.15, first_window));
        first_window += file.windows.len();
    }
    let table = score::scores_by_threshold(&mut points, cost);
    let (threshold, raw) = score::best(&table);
    // The null detector gives every row the same score: its best is detecting nothing or
    // everything.
    let mut constant: Vec<_> =
        points.iter().map(|p| score::SweepPoint { score: 0.5, ..*p }).collect();
    let null = score::best(&score::scores_by_threshold(&mut constant, cost)).1;
    let perfect = windows as f64 * cost.tp;
    ProfileScore {
        profile: name.to_owned(),
        threshold,
        raw,
        null,
        perfect,
        normalized: 100.0 * (raw - null) / (perfect - null),
    }
}
