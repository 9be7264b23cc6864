//! Inference: probability of malice, threat level and the decision factors of one vector.

use std::path::Path;

use vigil_features::{FEATURE_COUNT, Feature, FeatureVector};
use vigil_types::ThreatLevel;

use crate::{ModelFile, Result, compiled::Compiled};

/// The model shipped in `models/`, compiled in so that `vigil run` works from any directory.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../../../models/tx_classifier.json");
/// Name of the shipped model file, relative to the repository root.
pub const DEFAULT_MODEL_PATH: &str = "models/tx_classifier.json";

/// One feature's part in a prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contribution {
    /// The feature.
    pub feature: Feature,
    /// Its value in the vector.
    pub value: f32,
    /// How much it moved the raw output (probability for forests, log-odds for boosting);
    /// positive raises the threat.
    pub contribution: f32,
}

/// A model's verdict on one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Probability of malice, 0..=1.
    pub probability: f64,
    /// The band the probability falls in.
    pub level: ThreatLevel,
    /// Raw model output; `bias + Σ contributions = raw`.
    pub raw: f32,
    /// The raw output before any split (the training data's average).
    pub bias: f32,
    /// Non-zero contributions, largest magnitude first.
    pub contributions: Vec<Contribution>,
}

/// A loaded model, ready to judge feature vectors.
#[derive(Debug, Clone)]
pub struct Classifier {
    model: ModelFile,
    compiled: Compiled,
}

impl Classifier {
    /// Wraps a checked model file, packing its trees for evaluation.
    pub fn new(model: ModelFile) -> Self {
        let compiled = Compiled::new(&model.ensemble);
        Self { model, compiled }
    }

    /// Loads and checks the model at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        ModelFile::load(path).map(Self::new)
    }

    /// The model shipped with vigil.
    pub fn shipped() -> Result<Self> {
        ModelFile::from_json(DEFAULT_MODEL_JSON, DEFAULT_MODEL_PATH).map(Self::new)
    }

    /// The model file behind this classifier.
    pub fn model(&self) -> &ModelFile {
        &self.model
    }

    /// Probability of malice only: the fast path for evaluation.
    pub fn probability(&self, x: &FeatureVector) -> f32 {
        self.model.ensemble.probability_of(self.compiled.raw(x.as_slice()))
    }

    /// Probability, level and decision factors for `x`.
    pub fn predict(&self, x: &FeatureVector) -> Prediction {
        let mut parts = [0f32; FEATURE_COUNT];
        let (raw, bias) = self.compiled.explain(x.as_slice(), &mut parts);
        let probability = f64::from(self.model.ensemble.probability_of(raw));
        let mut contributions: Vec<Contribution> = Feature::ALL
            .iter()
            .zip(&parts)
            .filter(|(_, c)| **c != 0.0)
            .map(|(f, c)| Contribution { feature: *f, value: x.get(*f), contribution: *c })
            .collect();
        contributions.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        Prediction {
            probability,
            level: ThreatLevel::from_probability(probability),
            raw,
            bias,
            contributions,
        }
    }
}
