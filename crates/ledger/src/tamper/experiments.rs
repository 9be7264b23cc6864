use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use super::{
    BlockScorer, Detector, LogisticModel, TimingSeries, rank_of, subtle_attack, window_features,
};
use crate::{LedgerError, Result, spartan::SpartanChain};

/// Ranks the paper reports for the delayed block of rewritten1..5.
pub const PAPER_RANKS: [usize; 5] = [3, 1, 1, 3, 2];

/// How to run the paper's experiments.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentConfig {
    /// The `hardened_logger` folder.
    pub data_dir: PathBuf,
    /// Clean files the models learn from (never reported on).
    pub train: Vec<u32>,
    /// Clean files reported on.
    pub test: Vec<u32>,
    /// Seed for every simulated attack.
    pub seed: u64,
    /// Window sizes (blocks) for judging a stretch for the subtle attack.
    pub windows: Vec<usize>,
    /// Values of U (ms) for the subtle attack.
    pub u_grid_ms: Vec<u64>,
    /// Simulated attacks per chain and U.
    pub trials: usize,
    /// Alarm threshold (ms) for the timing and proof-vs-time detectors.
    pub alarm_ms: f64,
}

impl ExperimentConfig {
    /// The setup used in the docs: train on files 01-05, report on 06-20.
    pub fn paper(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            train: (1..=5).collect(),
            test: (6..=20).collect(),
            seed: 7,
            windows: vec![10, 50],
            u_grid_ms: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 60, 120, 180]
                .map(|s| s * 1000)
                .to_vec(),
            trials: 3,
            alarm_ms: 60_000.0,
        }
    }

    fn clean_path(&self, n: u32) -> PathBuf {
        self.data_dir.join(format!("datasetEmptyBlocks/blockchain{n:02}.json"))
    }
}

/// Where the delayed block of one rewritten chain ranks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankRow {
    /// File name.
    pub file: String,
    /// chainLength of the delayed block.
    pub delayed_block: u64,
    /// Its production time (ms).
    pub delay_ms: u64,
    /// The paper's rank.
    pub paper: Option<usize>,
    /// Rank by production time, by proof-vs-time, by the learned model.
    pub timing: usize,
    /// See `timing`.
    pub proof_time: usize,
    /// See `timing`.
    pub learned: usize,
    /// Blocks ranked.
    pub blocks: usize,
}

/// Alarms of one detector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FalseAlarms {
    /// The detector.
    pub detector: Detector,
    /// Its alarm rule.
    pub rule: String,
    /// Alarms on the clean test chains (all false).
    pub alarms: usize,
    /// Clean test chains with at least one alarm.
    pub chains_alarmed: usize,
    /// Clean test chains.
    pub chains: usize,
    /// Blocks in them.
    pub blocks: usize,
    /// Rewritten chains whose delayed block raised an alarm.
    pub attacks_caught: usize,
    /// Rewritten chains.
    pub attacks: usize,
}

/// The window detectors compared on the subtle attack.
pub const SUBTLE_DETECTORS: [&str; 3] =
    ["mean block time (paper-style)", "block-time distribution", "vigil: timing + proof"];

/// Subtle-attack detection for one U, per detector of [`SUBTLE_DETECTORS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubtleRow {
    /// U (ms).
    pub u_ms: u64,
    /// Balanced accuracy: mean of the detection rate and 1 − the false-positive rate.
    pub accuracy: [f64; 3],
    /// Share of forged windows detected.
    pub detected: [f64; 3],
}

/// The subtle attack judged with windows of one size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubtleTable {
    /// Blocks per window.
    pub window: usize,
    /// False-positive rate on clean test windows, per detector.
    pub false_positive: [f64; 3],
    /// Clean test windows.
    pub clean_windows: usize,
    /// One row per U.
    pub rows: Vec<SubtleRow>,
}

/// Everything the experiments found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentReport {
    /// Verification of every file: `(file, "ok" or the first fault)`.
    pub verification: Vec<(String, String)>,
    /// Whether files 10-20 link into one chain.
    pub linked_10_20: Option<bool>,
    /// Training files.
    pub train: Vec<u32>,
    /// Test files.
    pub test: Vec<u32>,
    /// Ranks of the delayed block.
    pub ranks: Vec<RankRow>,
    /// Alarms per detector.
    pub false_alarms: Vec<FalseAlarms>,
    /// Subtle attack per window size and U.
    pub subtle: Vec<SubtleTable>,
    /// Trials per chain and U.
    pub trials: usize,
}

fn read(path: &Path) -> Result<SpartanChain> {
    SpartanChain::read(path)
}

fn rel(config: &ExperimentConfig, path: &Path) -> String {
    path.strip_prefix(&config.data_dir).unwrap_or(path).display().to_string()
}

/// Runs the paper's experiments on the `hardened_logger` data.
pub fn run_experiments(config: &ExperimentConfig) -> Result<ExperimentReport> {
    let train: Vec<TimingSeries> = config
        .train
        .iter()
        .map(|n| read(&config.clean_path(*n)).map(|c| c.timing()))
        .collect::<Result<_>>()?;
    let mut verification = Vec::new();
    let mut test = Vec::new();
    let mut linked = Some(true);
    let mut prev_last: Option<(u32, String)> = None;
    for n in config.train.iter().chain(&config.test) {
        let path = config.clean_path(*n);
        let chain = read(&path)?;
        let report = chain.verify(crate::spartan::PAPER_DIFFICULTY);
        let verdict = report.fault.as_ref().map_or_else(|| "ok".to_owned(), |f| f.to_string());
        verification.push((rel(config, &path), verdict));
        if (10..=20).contains(n) {
            if let Some((p, last)) = &prev_last
                && *p + 1 == *n
                && report.base.as_deref() != Some(last.as_str())
            {
                linked = Some(false);
            }
            prev_last = report.last_id.clone().map(|id| (*n, id));
        }
        if config.test.contains(n) {
            test.push(chain.timing());
        }
    }
    let scorer = BlockScorer::train(&train, 20, config.seed);
    let labels = read_labels(&config.data_dir)?;
    let mut ranks = Vec::new();
    let mut attacked_scores = Vec::new();
    for (file, first_rewritten, delay_ms, n) in labels {
        let path = config.data_dir.join(&file);
        let chain = read(&path)?;
        let report = chain.verify(crate::spartan::PAPER_DIFFICULTY);
        let verdict = report.fault.as_ref().map_or_else(|| "ok".to_owned(), |f| f.to_string());
        verification.push((file.clone(), verdict));
        let first = chain.blocks.first().map_or(1, |(_, b)| b.chain_length);
        let index = usize::try_from(first_rewritten.saturating_sub(first)).unwrap_or(usize::MAX);
        let scores = scorer.score(&chain.timing());
        ranks.push(RankRow {
            file,
            delayed_block: first_rewritten,
            delay_ms,
            paper: n.checked_sub(1).and_then(|i| PAPER_RANKS.get(i)).copied(),
            timing: rank_of(&scores, Detector::Timing, index),
            proof_time: rank_of(&scores, Detector::ProofTime, index),
            learned: rank_of(&scores, Detector::Learned, index),
            blocks: scores.len(),
        });
        attacked_scores.push((scores, index));
    }
    let clean_scores: Vec<_> = test.iter().map(|s| scorer.score(s)).collect();
    let false_alarms = [Detector::Timing, Detector::ProofTime, Detector::Learned]
        .into_iter()
        .map(|detector| {
            let threshold = if detector == Detector::Learned { 0.0 } else { config.alarm_ms };
            let rule = if detector == Detector::Learned {
                "p ≥ 0.5".to_owned()
            } else {
                format!("≥ {} s", config.alarm_ms / 1000.0)
            };
            let per_chain: Vec<usize> = clean_scores
                .iter()
                .map(|s| s.iter().filter(|b| b.get(detector) >= threshold).count())
                .collect();
            FalseAlarms {
                detector,
                rule,
                alarms: per_chain.iter().sum(),
                chains_alarmed: per_chain.iter().filter(|c| **c > 0).count(),
                chains: clean_scores.len(),
                blocks: clean_scores.iter().map(Vec::len).sum(),
                attacks_caught: attacked_scores
                    .iter()
                    .filter(|(s, i)| s.get(*i).is_some_and(|b| b.get(detector) >= threshold))
                    .count(),
                attacks: attacked_scores.len(),
            }
        })
        .collect();
    let subtle = config
        .windows
        .iter()
        .map(|w| subtle_experiment(config, *w, &train, &test))
        .collect::<Result<Vec<_>>>()?;
    Ok(ExperimentReport {
        verification,
        linked_10_20: linked.filter(|_| config.test.contains(&10)),
        train: config.train.clone(),
        test: config.test.clone(),
        ranks,
        false_alarms,
        subtle,
        trials: config.trials,
    })
}

/// `(file, first rewritten chainLength, delay ms, file number)` from `rewritten_labels.json`.
fn read_labels(dir: &Path) -> Result<Vec<(String, u64, u64, usize)>> {
    let path = dir.join("rewritten_labels.json");
    let err = |reason: String| LedgerError::Spartan { path: path.clone(), reason };
    let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
    let files =
        json.get("files").and_then(|f| f.as_object()).ok_or_else(|| err("no `files`".into()))?;
    let mut out = Vec::new();
    for (file, label) in files {
        let field = |name: &str| label.get(name).and_then(serde_json::Value::as_u64);
        let (Some(block), Some(delay)) = (field("first_rewritten_block"), field("delay_ms")) else {
            return Err(err(format!("{file}: missing first_rewritten_block or delay_ms")));
        };
        let digits: String = file.chars().filter(char::is_ascii_digit).collect();
        out.push((file.clone(), block, delay, digits.parse().unwrap_or(0)));
    }
    out.sort_by_key(|row| row.3);
    Ok(out)
}

type Row = ([Vec<f64>; 3], bool);

/// Windows of `w` blocks: positives from forged stretches, negatives from clean chains.
fn windows(
    config: &ExperimentConfig,
    w: usize,
    chains: &[TimingSeries],
    u_ms: u64,
    seed: u64,
) -> Vec<Row> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    let row = |series: &TimingSeries, start: usize, forged: bool| {
        let f = window_features(series, start, w);
        ([f.mean_inputs(), f.timing_inputs(), f.full_inputs()], forged)
    };
    for series in chains.iter().filter(|s| s.intervals() > 4 * w.max(50)) {
        let n = series.intervals();
        if u_ms == 0 {
            out.extend((0..=n - w).step_by(w).map(|start| row(series, start, false)));
            continue;
        }
        for _ in 0..config.trials {
            let k = rng.random_range(50..n - 100);
            let attacked = subtle_attack(series, k, u_ms, rng.random());
            out.extend((k..=n - w).step_by(w).map(|start| row(&attacked, start, true)));
        }
    }
    out
}

fn share(rows: &[Row], model: &LogisticModel, d: usize) -> f64 {
    rows.iter().filter(|r| model.predict(&r.0[d]) >= 0.5).count() as f64 / rows.len().max(1) as f64
}

fn subtle_experiment(
    config: &ExperimentConfig,
    w: usize,
    train: &[TimingSeries],
    test: &[TimingSeries],
) -> Result<SubtleTable> {
    let mut rows = windows(config, w, train, 0, 0);
    for (i, u) in config.u_grid_ms.iter().enumerate() {
        rows.extend(windows(config, w, train, *u, config.seed + i as u64));
    }
    // Centre the mean-time input on clean training windows and add its square.
    let clean_means: Vec<f64> = rows.iter().filter(|r| !r.1).map(|r| r.0[0][0]).collect();
    let centre = super::median(&clean_means);
    let square = |rows: &mut Vec<Row>| {
        for r in rows.iter_mut() {
            let x = r.0[0][0] - centre;
            r.0[0] = vec![x, x * x];
        }
    };
    square(&mut rows);
    let labels: Vec<bool> = rows.iter().map(|r| r.1).collect();
    let models = (0..3)
        .map(|d| {
            let inputs: Vec<Vec<f64>> = rows.iter().map(|r| r.0[d].clone()).collect();
            LogisticModel::fit(&inputs, &labels).ok_or_else(|| {
                LedgerError::invalid("training data", format!("cannot fit {}", SUBTLE_DETECTORS[d]))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut clean = windows(config, w, test, 0, 0);
    square(&mut clean);
    let fpr: [f64; 3] = std::array::from_fn(|d| share(&clean, &models[d], d));
    let mut table = SubtleTable {
        window: w,
        false_positive: fpr,
        clean_windows: clean.len(),
        rows: Vec::new(),
    };
    for (i, u) in config.u_grid_ms.iter().enumerate() {
        let mut forged = windows(config, w, test, *u, config.seed + 1000 + i as u64);
        square(&mut forged);
        let detected: [f64; 3] = std::array::from_fn(|d| share(&forged, &models[d], d));
        let accuracy = std::array::from_fn(|d| (detected[d] + 1.0 - fpr[d]) / 2.0);
        table.rows.push(SubtleRow { u_ms: *u, accuracy, detected });
    }
    Ok(table)
}
