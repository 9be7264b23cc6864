//! Model files: JSON with a header that names the format, its version and the feature schema,
//! what the model was trained on, its tuned threshold and feature importance, then the trees.
//! The header is checked before the trees are read, so a model for another schema fails with
//! a clear message.

use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_features::{FEATURE_COUNT, FEATURES, SCHEMA_VERSION};

use crate::{ClassifierError, Ensemble, Result};

/// The `format` every model file carries.
pub const MODEL_FORMAT: &str = "vigil-tx-classifier";
/// Version of the file layout (not of the features: see `feature_schema`).
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// What a model was trained and validated on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// `range`, `synthetic`, or `range+synthetic`.
    pub data: String,
    /// The datasets (file names, generator seeds).
    pub sources: Vec<String>,
    /// Rows the trees were fitted on.
    pub fit_rows: usize,
    /// Attack rows among them.
    pub fit_attack_rows: usize,
    /// Rows of the validation split (distinct attack instances) used for the threshold.
    pub validation_rows: usize,
    /// False-positive rate the threshold was tuned to.
    pub target_fpr: f64,
    /// Validation figures at the tuned threshold.
    pub validation: serde_json::Value,
    /// The training settings.
    pub params: serde_json::Value,
}

/// The contents of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Layout version, [`MODEL_FORMAT_VERSION`].
    pub format_version: u32,
    /// Feature schema the model expects ([`SCHEMA_VERSION`] of `vigil-features`).
    pub feature_schema: u32,
    /// Feature names in vector order, for readers of the file.
    pub feature_names: Vec<String>,
    /// Identifies this model in findings: kind, data and a digest of the trees.
    pub model_version: String,
    /// Probability at or above which a transaction is reported.
    pub threshold: f32,
    /// Training provenance.
    pub training: TrainingInfo,
    /// Mean absolute contribution per feature on the validation split, largest first.
    pub importance: Vec<(String, f32)>,
    /// The trees.
    pub ensemble: Ensemble,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    format: String,
    #[serde(default)]
    format_version: u32,
    #[serde(default)]
    feature_schema: u32,
}

/// FNV-1a, 64 bits: a stable digest for model versions (not a security measure).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

impl ModelFile {
    /// A model file for `ensemble` under the current schema; `model_version` is derived from
    /// the kind, the training data and a digest of the trees.
    pub fn new(
        ensemble: Ensemble,
        threshold: f32,
        training: TrainingInfo,
        importance: Vec<(String, f32)>,
    ) -> Self {
        let digest = serde_json::to_vec(&ensemble).map(|b| fnv1a(&b)).unwrap_or(0);
        let data =
            if training.data.is_empty() { "unknown".to_owned() } else { training.data.clone() };
        Self {
            format: MODEL_FORMAT.to_owned(),
            format_version: MODEL_FORMAT_VERSION,
            feature_schema: SCHEMA_VERSION,
            feature_names: FEATURES.iter().map(|f| f.name.to_owned()).collect(),
            model_version: format!("{}-{data}-{digest:016x}", ensemble.kind.as_str()),
            threshold,
            training,
            importance,
            ensemble,
        }
    }

    /// Parses and checks model JSON; `source_name` names it in errors.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let header: Header = serde_json::from_str(text)
            .map_err(|e| ClassifierError::invalid(source_name, format!("not valid JSON: {e}")))?;
        if header.format != MODEL_FORMAT {
            return Err(ClassifierError::invalid(
                source_name,
                format!("format is `{}`, expected `{MODEL_FORMAT}`", header.format),
            ));
        }
        if header.format_version != MODEL_FORMAT_VERSION {
            return Err(ClassifierError::invalid(
                source_name,
                format!(
                    "format version {} is not supported (this vigil reads {MODEL_FORMAT_VERSION})",
                    header.format_version
                ),
            ));
        }
        if header.feature_schema != SCHEMA_VERSION {
            return Err(ClassifierError::SchemaMismatch {
                source_name: source_name.to_owned(),
                model: header.feature_schema,
                expected: SCHEMA_VERSION,
            });
        }
        let model: ModelFile = serde_json::from_str(text)
            .map_err(|e| ClassifierError::invalid(source_name, e.to_string()))?;
        model.validate().map_err(|reason| ClassifierError::invalid(source_name, reason))?;
        Ok(model)
    }

    /// Reads and checks the model at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ClassifierError::io("read", path, e))?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Writes the model as JSON to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self).map_err(|e| {
            ClassifierError::Training(format!("failed to serialise the model: {e}"))
        })?;
        std::fs::write(path, text + "\n").map_err(|e| ClassifierError::io("write", path, e))
    }

    fn validate(&self) -> Result<(), String> {
        if self.feature_names.len() != FEATURE_COUNT {
            return Err(format!(
                "{} feature names, expected {FEATURE_COUNT}",
                self.feature_names.len()
            ));
        }
        for (name, spec) in self.feature_names.iter().zip(FEATURES) {
            if name != spec.name {
                return Err(format!("feature `{name}` where the schema has `{}`", spec.name));
            }
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(format!("threshold {} is outside 0..=1", self.threshold));
        }
        if self.ensemble.trees.is_empty() {
            return Err("the ensemble has no trees".into());
        }
        if !self.ensemble.base.is_finite() {
            return Err("the base score is not finite".into());
        }
        for (i, tree) in self.ensemble.trees.iter().enumerate() {
            tree.validate(FEATURE_COUNT).map_err(|e| format!("tree {i}: {e}"))?;
        }
        Ok(())
    }
}
