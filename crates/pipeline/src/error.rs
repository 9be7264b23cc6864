use thiserror::Error;

/// A problem reading from a source. Per-event errors are data: the engine counts them.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The node sent something that is not valid JSON-RPC or not the expected shape.
    #[error("malformed message from {endpoint}: {reason}")]
    Malformed {
        /// Endpoint that sent it.
        endpoint: String,
        /// What was wrong.
        reason: String,
    },
    /// A message exceeded the size limit and was skipped.
    #[error("oversized message from {endpoint}: {size} bytes (limit {limit})")]
    Oversized {
        /// Endpoint that sent it.
        endpoint: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The connection failed or was lost; the source reconnects by itself.
    #[error("connection to {endpoint} failed: {reason}")]
    Connection {
        /// Endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// A follow-up request (e.g. fetching a tx by hash) failed.
    #[error("request {method} to {endpoint} failed: {reason}")]
    Request {
        /// Endpoint.
        endpoint: String,
        /// JSON-RPC method.
        method: String,
        /// Why.
        reason: String,
    },
    /// A replay input could not be read.
    #[error("replay input {path} line {line}: {reason}")]
    Replay {
        /// File path.
        path: String,
        /// 1-based line number.
        line: usize,
        /// Why.
        reason: String,
    },
}

/// A sink failed to deliver a finding.
#[derive(Debug, Error)]
pub enum SinkError {
    /// Writing to a file or database failed.
    #[error("{sink}: write failed: {reason}")]
    Write {
        /// Sink id.
        sink: String,
        /// Why.
        reason: String,
    },
    /// A remote endpoint refused or did not answer, after retries.
    #[error("{sink}: delivery failed after {attempts} attempts: {reason}")]
    Delivery {
        /// Sink id.
        sink: String,
        /// Attempts made.
        attempts: u32,
        /// Last reason.
        reason: String,
    },
    /// The sink decided not to act (e.g. a defense cap).
    #[error("{sink}: refused: {reason}")]
    Refused {
        /// Sink id.
        sink: String,
        /// Why.
        reason: String,
    },
}
