//! Errors of the classifier crate.

use std::path::Path;

/// What can go wrong loading, training or applying a model.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    /// A file could not be read or written.
    #[error("failed to {op} {path}: {reason}")]
    Io {
        /// `read` or `write`.
        op: &'static str,
        /// The file.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// The model file is not a vigil model (wrong format, broken JSON, bad trees).
    #[error("invalid model file {source_name}: {reason}")]
    InvalidModel {
        /// Where the model came from.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// The model was built for another feature schema.
    #[error(
        "model {source_name} was built for feature schema {model} but this vigil computes schema {expected}: retrain it with `vigil train`"
    )]
    SchemaMismatch {
        /// Where the model came from.
        source_name: String,
        /// The model's schema.
        model: u32,
        /// The schema this build computes.
        expected: u32,
    },
    /// A dataset line could not be used.
    #[error("dataset {source_name} line {line}: {reason}")]
    Dataset {
        /// The dataset.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Training or evaluation cannot proceed with this data or these settings.
    #[error("{0}")]
    Training(String),
}

impl ClassifierError {
    pub(crate) fn io(op: &'static str, path: &Path, e: impl std::fmt::Display) -> Self {
        Self::Io { op, path: path.display().to_string(), reason: e.to_string() }
    }

    pub(crate) fn invalid(source_name: &str, reason: impl Into<String>) -> Self {
        Self::InvalidModel { source_name: source_name.to_owned(), reason: reason.into() }
    }
}

/// Result alias of the classifier crate.
pub type Result<T, E = ClassifierError> = std::result::Result<T, E>;
