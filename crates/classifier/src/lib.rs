//! The exploit classifier — the second half of *judge* in observe → judge → act. Tree
//! ensembles (random forest, gradient boosting) trained in Rust on `vigil-features` vectors,
//! evaluated by a compact flat-array evaluator; per-prediction decision factors (path
//! contributions that add up to the output); threshold tuning to a target false-positive rate;
//! versioned model files bound to the feature schema; a documented synthetic traffic
//! generator; loading of the attack range's labelled JSONL; and [`TxClassifier`], the
//! `tx_classifier` analyzer that judges every pending transaction.

mod analyzer;
mod cart;
mod compiled;
mod dataset;
mod ensemble;
mod error;
mod evaluate;
mod metrics;
mod model;
mod predict;
mod range;
mod report;
mod synthetic;
mod train;
mod tree;

pub use analyzer::{TxClassifier, TxClassifierConfig, default_model_path};
pub use dataset::{Dataset, Label, LabelClass, LabelledTx, Sample, featurize};
pub use ensemble::{Ensemble, EnsembleKind, Explanation};
pub use error::{ClassifierError, Result};
pub use evaluate::{EvalReport, Figures, KindFigures, evaluate};
pub use metrics::{Confusion, pr_auc, roc_auc, threshold_for_fpr};
pub use model::{MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFile, TrainingInfo};
pub use predict::{Classifier, Contribution, DEFAULT_MODEL_JSON, DEFAULT_MODEL_PATH, Prediction};
pub use range::{
    RANGE_VICTIM_ARTIFACTS, RangeReceipt, RangeRecord, decode_records, decoder_for,
    infer_range_contracts, read_range_jsonl,
};
pub use synthetic::{SyntheticConfig, generate};
pub use train::{Algorithm, BoostingParams, ForestParams, TrainOptions, fit, importance, train};
pub use tree::{LEAF, Tree};
