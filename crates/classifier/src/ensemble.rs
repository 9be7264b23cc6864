//! Tree ensembles and how their output becomes a probability and an explanation.

use serde::{Deserialize, Serialize};

use crate::tree::Tree;

/// The kind of ensemble, which fixes how tree outputs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnsembleKind {
    /// Mean of the trees' leaf values, each a share of attacks: the output is a probability.
    RandomForest,
    /// Base score plus the sum of the trees' leaf values: the output is log-odds.
    GradientBoosting,
}

impl EnsembleKind {
    /// Short name for the CLI and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RandomForest => "random_forest",
            Self::GradientBoosting => "gradient_boosting",
        }
    }
}

/// A trained ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    /// How the trees combine.
    pub kind: EnsembleKind,
    /// Base score (log-odds) for boosting; 0 for forests.
    pub base: f32,
    /// The trees.
    pub trees: Vec<Tree>,
}

/// An output split into per-feature parts: `bias + Σ contributions = raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The model's raw output (probability for forests, log-odds for boosting).
    pub raw: f32,
    /// The output before any split: the expected output over the training data.
    pub bias: f32,
    /// Per feature, how much the splits on it moved the output, in raw units.
    pub contributions: Vec<f32>,
}

impl Ensemble {
    /// The raw output for `x`.
    #[inline]
    pub fn raw(&self, x: &[f32]) -> f32 {
        let sum: f32 = self.trees.iter().map(|t| t.predict(x)).sum();
        match self.kind {
            EnsembleKind::RandomForest => sum / self.trees.len().max(1) as f32,
            EnsembleKind::GradientBoosting => self.base + sum,
        }
    }

    /// Maps a raw output to a probability of malice.
    pub fn probability_of(&self, raw: f32) -> f32 {
        match self.kind {
            EnsembleKind::RandomForest => raw.clamp(0.0, 1.0),
            EnsembleKind::GradientBoosting => 1.0 / (1.0 + (-raw).exp()),
        }
    }

    /// The probability of malice for `x`.
    pub fn probability(&self, x: &[f32]) -> f32 {
        self.probability_of(self.raw(x))
    }

    /// The raw output for `x` with its per-feature decomposition (Saabas path attribution).
    pub fn explain(&self, x: &[f32], features: usize) -> Explanation {
        let mut contributions = vec![0f32; features];
        let mut raw = 0f32;
        let mut bias = 0f32;
        for tree in &self.trees {
            raw += tree.explain(x, &mut contributions);
            bias += tree.value[0];
        }
        if self.kind == EnsembleKind::RandomForest {
            let n = self.trees.len().max(1) as f32;
            raw /= n;
            bias /= n;
            contributions.iter_mut().for_each(|c| *c /= n);
        } else {
            raw += self.base;
            bias += self.base;
        }
        Explanation { raw, bias, contributions }
    }

    /// Total nodes over all trees.
    pub fn nodes(&self) -> usize {
        self.trees.iter().map(Tree::len).sum()
    }
}
