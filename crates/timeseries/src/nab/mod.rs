//! The Numenta Anomaly Benchmark: reading the corpus, running either detector's core on each
//! file, and NAB's scoring with its three profiles.

mod corpus;
mod run;
mod score;

pub use corpus::{CostMatrix, NabCorpus, NabFile, parse_csv};
pub use run::{NabCore, NabReport, NabScoring, ProfileScore, core_bands, core_scores, evaluate};
pub use score::{SweepPoint, best, scaled_sigmoid, scores_by_threshold, sweep};

/// Errors reading or scoring the corpus.
#[derive(Debug, thiserror::Error)]
pub enum NabError {
    /// A file could not be read.
    #[error("failed to read nab corpus: {0}")]
    Io(String),
    /// A file is not in NAB's format.
    #[error("malformed nab file: {0}")]
    Format(String),
}
