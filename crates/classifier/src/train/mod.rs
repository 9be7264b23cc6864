//! Training: fit an ensemble on part of the data, tune the reporting threshold to a target
//! false-positive rate on a validation split of other instances, measure feature importance
//! there, and package it all as a [`ModelFile`].

mod boosting;
mod forest;

use serde::{Deserialize, Serialize};
use vigil_features::{FEATURE_COUNT, FEATURES};

pub use boosting::BoostingParams;
pub use forest::ForestParams;

use crate::{
    ClassifierError, Dataset, Ensemble, ModelFile, Result, TrainingInfo, cart::Binned,
    evaluate::evaluate, metrics::threshold_for_fpr,
};

/// Which ensemble to train, with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "snake_case")]
pub enum Algorithm {
    /// A random forest.
    RandomForest(ForestParams),
    /// Gradient-boosted trees.
    GradientBoosting(BoostingParams),
}

/// Everything a training run needs besides the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// The ensemble.
    pub algorithm: Algorithm,
    /// False-positive rate on benign validation rows the threshold is tuned to.
    pub target_fpr: f64,
    /// Share of instances held out for threshold tuning and importance.
    pub validation_share: f64,
    /// Seed of the instance split.
    pub split_seed: u64,
    /// Weight of each attack row relative to a benign one; `0` = √(benign / attack), which
    /// counters the rarity of attacks without inflating every probability.
    pub attack_weight: f64,
    /// Lowest threshold the tuning may choose.
    pub threshold_floor: f32,
    /// `range`, `synthetic` or both: recorded in the model file.
    pub data_label: String,
    /// Dataset names recorded in the model file.
    pub sources: Vec<String>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::RandomForest(ForestParams::default()),
            target_fpr: 0.01,
            validation_share: 0.25,
            split_seed: 17,
            attack_weight: 0.0,
            threshold_floor: 0.2,
            data_label: String::new(),
            sources: Vec::new(),
        }
    }
}

/// Fits `algorithm` on all of `data` (no validation): the building block of [`train`].
pub fn fit(
    data: &Dataset,
    algorithm: &Algorithm,
    attack_weight: f64,
    progress: impl FnMut(usize),
) -> Result<Ensemble> {
    let (x, y) = data.matrix();
    let attacks = y.iter().filter(|v| **v > 0.5).count();
    let benign = y.len() - attacks;
    if attacks == 0 || benign == 0 {
        return Err(ClassifierError::Training(format!(
            "training needs both classes: {attacks} attack and {benign} benign rows"
        )));
    }
    let weight =
        if attack_weight > 0.0 { attack_weight } else { (benign as f64 / attacks as f64).sqrt() };
    let w: Vec<f32> = y.iter().map(|v| if *v > 0.5 { weight as f32 } else { 1.0 }).collect();
    let binned = Binned::new(&x, FEATURE_COUNT);
    Ok(match algorithm {
        Algorithm::RandomForest(p) => forest::fit(&binned, &y, &w, p, progress),
        Algorithm::GradientBoosting(p) => boosting::fit(&binned, &x, &y, &w, p, progress),
    })
}

/// Trains a model: fit on the instances outside the validation split, tune the threshold and
/// measure importance on the validation split. `progress` gets the trees built so far.
pub fn train(
    data: &Dataset,
    options: &TrainOptions,
    progress: impl FnMut(usize),
) -> Result<ModelFile> {
    let (fit_part, validation) =
        data.split_by_instance(options.validation_share, options.split_seed);
    let (val_attacks, val_benign) = validation.counts();
    if val_attacks == 0 || val_benign == 0 {
        return Err(ClassifierError::Training(format!(
            "the validation split has {val_attacks} attack and {val_benign} benign rows: more attack instances are needed"
        )));
    }
    let ensemble = fit(&fit_part, &options.algorithm, options.attack_weight, progress)?;
    let provisional = ModelFile::new(ensemble, 0.5, TrainingInfo::default(), Vec::new());
    let classifier = crate::Classifier::new(provisional);
    let rows: Vec<_> = validation.samples.iter().filter(|s| s.label.target().is_some()).collect();
    let scores: Vec<f32> = rows.iter().map(|s| classifier.probability(&s.features)).collect();
    let labels: Vec<bool> = rows.iter().map(|s| s.label.target() == Some(true)).collect();
    let threshold =
        threshold_for_fpr(&scores, &labels, options.target_fpr, options.threshold_floor, 0.95);
    let importance = importance(&classifier, &validation);
    let report = evaluate(&classifier, &validation, threshold);
    let (fit_attacks, fit_benign) = fit_part.counts();
    let training = TrainingInfo {
        data: options.data_label.clone(),
        sources: options.sources.clone(),
        fit_rows: fit_attacks + fit_benign,
        fit_attack_rows: fit_attacks,
        validation_rows: val_attacks + val_benign,
        target_fpr: options.target_fpr,
        validation: serde_json::to_value(report.overall).unwrap_or_default(),
        params: serde_json::to_value(options.algorithm).unwrap_or_default(),
    };
    let ensemble = classifier.model().ensemble.clone();
    Ok(ModelFile::new(ensemble, threshold, training, importance))
}

/// Mean absolute contribution of each feature over `data`, largest first.
pub fn importance(classifier: &crate::Classifier, data: &Dataset) -> Vec<(String, f32)> {
    let mut sums = [0f64; FEATURE_COUNT];
    let ensemble = &classifier.model().ensemble;
    for s in &data.samples {
        let e = ensemble.explain(s.features.as_slice(), FEATURE_COUNT);
        for (sum, c) in sums.iter_mut().zip(&e.contributions) {
            *sum += f64::from(c.abs());
        }
    }
    let n = data.samples.len().max(1) as f64;
    let mut out: Vec<(String, f32)> =
        FEATURES.iter().zip(sums).map(|(f, s)| (f.name.to_owned(), (s / n) as f32)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}
