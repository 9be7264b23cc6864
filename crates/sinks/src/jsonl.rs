use std::path::PathBuf;

use serde::Deserialize;
use tokio::{fs::OpenOptions, io::AsyncWriteExt};
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, SinkRole};

/// `type = "jsonl"`: every finding appended to a file as one JSON line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlSinkConfig {
    /// File to append to (created if missing).
    pub path: PathBuf,
}

/// Appends findings as JSON lines; each line is written whole and flushed before `send`
/// returns, so a crash loses at most the finding being written.
#[derive(Debug)]
pub struct JsonlSink {
    id: String,
    path: PathBuf,
    file: Option<tokio::fs::File>,
}

impl JsonlSink {
    /// A JSONL sink named `id` writing to `config.path`.
    pub fn new(id: &str, config: JsonlSinkConfig) -> Self {
        Self { id: id.to_owned(), path: config.path, file: None }
    }

    async fn open(&mut self) -> Result<(), SinkError> {
        if self.file.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .await
                .map_err(|e| self.fail("failed to open", e))?;
            self.file = Some(file);
        }
        Ok(())
    }

    fn fail(&self, what: &str, e: impl std::fmt::Display) -> SinkError {
        SinkError::Write {
            sink: self.id.clone(),
            reason: format!("{what} {}: {e}", self.path.display()),
        }
    }
}

#[async_trait::async_trait]
impl Sink for JsonlSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Store
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        let mut line = serde_json::to_vec(finding)
            .map_err(|e| self.fail("failed to encode finding for", e))?;
        line.push(b'\n');
        self.open().await?;
        let Some(file) = self.file.as_mut() else { return Ok(()) };
        let written = match file.write_all(&line).await {
            Ok(()) => file.flush().await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            self.file = None; // reopen on the next finding
            return Err(self.fail("failed to append to", e));
        }
        Ok(())
    }

    async fn close(&mut self) -> Result<(), SinkError> {
        // Create the file even when no finding came: an empty file says "ran, found nothing".
        self.open().await?;
        if let Some(file) = self.file.as_mut() {
            file.sync_data()
                .await
                .map_err(|e| SinkError::Write { sink: self.id.clone(), reason: e.to_string() })?;
        }
        Ok(())
    }
}
