use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use super::{BlockFeatures, LogisticModel, TimingSeries, block_features, simple_attack};

/// The three ways a block is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// The paper's signal: the block's production time.
    Timing,
    /// Production time the proof does not explain (time − proof × typical ms per hash).
    ProofTime,
    /// Log-odds from the learned model.
    Learned,
}

impl Detector {
    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Detector::Timing => "timing (paper)",
            Detector::ProofTime => "proof-vs-time",
            Detector::Learned => "learned model",
        }
    }
}

/// Scores of one block under every detector.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlockScore {
    /// The features the scores come from.
    pub features: BlockFeatures,
    /// Learned log-odds, when a model is loaded.
    pub learned: Option<f64>,
}

impl BlockScore {
    /// The score under `detector` (higher = more suspicious; `-inf` without a model).
    pub fn get(&self, detector: Detector) -> f64 {
        match detector {
            Detector::Timing => self.features.production_ms,
            Detector::ProofTime => self.features.unexplained_ms,
            Detector::Learned => self.learned.unwrap_or(f64::NEG_INFINITY),
        }
    }
}

/// Scores every block of a chain for tampering.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BlockScorer {
    /// The learned per-block model, if trained.
    pub model: Option<LogisticModel>,
}

impl BlockScorer {
    /// A scorer with the two model-free detectors only.
    pub fn untrained() -> Self {
        Self { model: None }
    }

    /// Trains the per-block model on `clean` chains: each gets `trials` simulated simple
    /// attacks (pauses log-uniform in 10 s..900 s at random blocks); the paused block is the
    /// positive, every other block a negative (natural stalls included: they are clean).
    pub fn train(clean: &[TimingSeries], trials: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for series in clean.iter().filter(|s| s.intervals() > 40) {
            for _ in 0..trials {
                let k = rng.random_range(10..series.intervals() - 10);
                let pause = (rng.random_range(10_000f64.ln()..900_000f64.ln())).exp() as u64;
                let attacked = simple_attack(series, k, pause);
                for f in block_features(&attacked) {
                    // Every 4th clean block keeps the fit fast; classes are re-weighted anyway.
                    if f.index == k || f.index % 4 == 0 {
                        rows.push(f.model_inputs());
                        labels.push(f.index == k);
                    }
                }
            }
        }
        Self { model: LogisticModel::fit(&rows, &labels) }
    }

    /// Trains on every `*.json` SpartanGold chain in `dir` (e.g. `datasetEmptyBlocks`).
    pub fn train_on_dir(dir: &std::path::Path, seed: u64) -> crate::Result<Self> {
        let err = |e: std::io::Error| crate::LedgerError::io("list", dir, e);
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(err)?
            .map(|entry| entry.map(|e| e.path()).map_err(err))
            .collect::<crate::Result<_>>()?;
        paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
        paths.sort();
        let clean = paths
            .iter()
            .map(|p| crate::spartan::SpartanChain::read(p).map(|c| c.timing()))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(Self::train(&clean, 20, seed))
    }

    /// Scores every block of `series`.
    pub fn score(&self, series: &TimingSeries) -> Vec<BlockScore> {
        block_features(series)
            .into_iter()
            .map(|features| BlockScore {
                features,
                learned: self.model.as_ref().map(|m| m.logit(&features.model_inputs())),
            })
            .collect()
    }
}

/// Blocks ordered from most to least suspicious under `detector`.
pub fn ranked(scores: &[BlockScore], detector: Detector) -> Vec<BlockScore> {
    let mut out = scores.to_vec();
    out.sort_by(|a, b| b.get(detector).total_cmp(&a.get(detector)));
    out
}

/// 1-based rank of block `index` under `detector` (ties count against it: 1 + the number of
/// blocks scoring at least as high, other than itself).
pub fn rank_of(scores: &[BlockScore], detector: Detector, index: usize) -> usize {
    let Some(target) = scores.iter().find(|s| s.features.index == index) else { return 0 };
    let value = target.get(detector);
    1 + scores.iter().filter(|s| s.features.index != index && s.get(detector) >= value).count()
}
