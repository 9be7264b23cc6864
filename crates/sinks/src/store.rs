use serde::Deserialize;
use sqlx::{AnyPool, Row, any::AnyPoolOptions};
use thiserror::Error;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, SinkRole, ThreatLevel, connectable_url, redact_passwords};

/// `type = "store"`: every finding kept in SQL (SQLite file by default, PostgreSQL by URL).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSinkConfig {
    /// `sqlite://vigil.db` (created if missing) or `postgres://user@host/db`; a password
    /// belongs in `PGPASSWORD` or the environment variable named by `url_env`, not here.
    #[serde(default = "default_url")]
    pub url: String,
    /// Name of an environment variable holding the whole URL (overrides `url`).
    #[serde(default)]
    pub url_env: Option<String>,
}

fn default_url() -> String {
    "sqlite://vigil.db".to_owned()
}

impl StoreSinkConfig {
    /// The URL to connect to.
    pub fn resolved_url(&self) -> Result<String, String> {
        match &self.url_env {
            Some(name) => {
                std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
            }
            None => Ok(self.url.clone()),
        }
    }
}

/// Errors of the finding store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Connecting or migrating failed.
    #[error("failed to open finding store: {0}")]
    Open(String),
    /// A query failed.
    #[error("finding store query failed: {0}")]
    Query(String),
    /// A stored row no longer decodes as a finding.
    #[error("stored finding {id} is corrupt: {reason}")]
    Corrupt {
        /// Finding id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// Which findings to read back.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    /// Only findings observed at or after this time (Unix ms).
    pub since: Option<u64>,
    /// Only findings at or above this level.
    pub min_level: Option<ThreatLevel>,
}

/// SQL storage of findings, keyed by finding id (a second insert of the same id is ignored).
#[derive(Debug, Clone)]
pub struct FindingStore {
    pool: AnyPool,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS findings (
    id TEXT PRIMARY KEY,
    analyzer TEXT NOT NULL,
    chain_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    level TEXT NOT NULL,
    level_rank BIGINT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    observed_at BIGINT NOT NULL,
    body TEXT NOT NULL
)";

impl FindingStore {
    /// Connects (creating a SQLite file if needed) and creates the schema.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let url = connectable_url(url);
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open(redact_passwords(&e.to_string())))?;
        sqlx::query(SCHEMA).execute(&pool).await.map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::query("CREATE INDEX IF NOT EXISTS findings_observed ON findings (observed_at)")
            .execute(&pool)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Self { pool })
    }

    /// Stores `finding`; returns false if a finding with that id was already stored.
    pub async fn insert(&self, finding: &Finding) -> Result<bool, StoreError> {
        let body = serde_json::to_string(finding).map_err(|e| StoreError::Query(e.to_string()))?;
        let done = sqlx::query(
            "INSERT INTO findings (id, analyzer, chain_id, subject, level, level_rank, confidence, observed_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(finding.id.0.clone())
        .bind(finding.analyzer.clone())
        .bind(finding.chain_id as i64)
        .bind(finding.subject.to_string())
        .bind(finding.threat_level.as_str())
        .bind(finding.threat_level as i64)
        .bind(finding.confidence)
        .bind(finding.observed_at as i64)
        .bind(body)
        .execute(&self.pool)
        .await
        .map_err(|e| StoreError::Query(e.to_string()))?;
        Ok(done.rows_affected() > 0)
    }

    /// Findings matching `query`, oldest first (ties by id).
    pub async fn list(&self, query: &FindingQuery) -> Result<Vec<Finding>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, body FROM findings WHERE observed_at >= $1 AND level_rank >= $2 ORDER BY observed_at, id",
        )
        .bind(query.since.unwrap_or(0) as i64)
        .bind(query.min_level.unwrap_or(ThreatLevel::Info) as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::Query(e.to_string()))?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id").map_err(|e| StoreError::Query(e.to_string()))?;
                let body: String =
                    row.try_get("body").map_err(|e| StoreError::Query(e.to_string()))?;
                serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt { id, reason: e.to_string() })
            })
            .collect()
    }

    /// Whether a finding with `id` is stored.
    pub async fn contains(&self, id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM findings WHERE id = $1")
            .bind(id.to_owned())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| StoreError::Query(e.to_string()))?;
        let n: i64 = row.try_get("n").map_err(|e| StoreError::Query(e.to_string()))?;
        Ok(n > 0)
    }

    /// Closes the pool, waiting for writes in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Keeps every finding in a [`FindingStore`].
#[derive(Debug)]
pub struct StoreSink {
    id: String,
    store: FindingStore,
}

impl StoreSink {
    /// Opens the store described by `config`.
    pub async fn open(id: &str, config: &StoreSinkConfig) -> Result<Self, StoreError> {
        let url = config.resolved_url().map_err(StoreError::Open)?;
        Ok(Self { id: id.to_owned(), store: FindingStore::open(&url).await? })
    }

    /// The underlying store.
    pub fn store(&self) -> &FindingStore {
        &self.store
    }
}

#[async_trait::async_trait]
impl Sink for StoreSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Store
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        self.store
            .insert(finding)
            .await
            .map(|_| ())
            .map_err(|e| SinkError::Write { sink: self.id.clone(), reason: e.to_string() })
    }

    async fn close(&mut self) -> Result<(), SinkError> {
        self.store.close().await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_urls() {
        let text = "error connecting to postgres://vigil:hunter2@db:5432/vigil refused";
        let out = redact_passwords(text);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("postgres://vigil:<redacted>@db:5432/vigil"), "{out}");
    }
}
