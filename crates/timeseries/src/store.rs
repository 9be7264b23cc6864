//! Persistence of series and fitted parameters in SQL (SQLite file by default, PostgreSQL by
//! URL), one row per (analyzer, series key) with a JSON body, plus the loop that saves a
//! running detector's changed series on a schedule.

use std::time::Duration;

use sqlx::{AnyPool, Row, any::AnyPoolOptions};
use thiserror::Error;
use vigil_types::{connectable_url, redact_passwords};

use crate::state::{SeriesHandle, SeriesState};

/// Errors of the series store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Connecting or creating the schema failed.
    #[error("failed to open series store: {0}")]
    Open(String),
    /// A query failed.
    #[error("series store query failed: {0}")]
    Query(String),
}

/// SQL storage of series, keyed by analyzer id and series key.
#[derive(Debug, Clone)]
pub struct SeriesStore {
    pool: AnyPool,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS series (
    analyzer TEXT NOT NULL,
    key TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (analyzer, key)
)";

impl SeriesStore {
    /// Connects to `url` (`sqlite://file.db`, created if missing, or `postgres://…`) and
    /// creates the table.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let url = connectable_url(url);
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open(redact_passwords(&e.to_string())))?;
        sqlx::query(SCHEMA).execute(&pool).await.map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(Self { pool })
    }

    /// Upserts `states` of `analyzer` in one transaction; returns how many were written.
    pub async fn save(&self, analyzer: &str, states: &[SeriesState]) -> Result<usize, StoreError> {
        let q = |e: sqlx::Error| StoreError::Query(e.to_string());
        let mut tx = self.pool.begin().await.map_err(q)?;
        for s in states {
            sqlx::query(
                "INSERT INTO series (analyzer, key, updated_at, body) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (analyzer, key) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body",
            )
            .bind(analyzer.to_owned())
            .bind(s.key.clone())
            .bind(i64::try_from(s.updated_at).unwrap_or(i64::MAX))
            .bind(s.body.clone())
            .execute(&mut *tx)
            .await
            .map_err(q)?;
        }
        tx.commit().await.map_err(q)?;
        Ok(states.len())
    }

    /// Every series stored for `analyzer`, by key.
    pub async fn load(&self, analyzer: &str) -> Result<Vec<SeriesState>, StoreError> {
        let rows = sqlx::query(
            "SELECT key, updated_at, body FROM series WHERE analyzer = $1 ORDER BY key",
        )
        .bind(analyzer.to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::Query(e.to_string()))?;
        rows.iter()
            .map(|row| {
                let get = |e: sqlx::Error| StoreError::Query(e.to_string());
                let updated: i64 = row.try_get("updated_at").map_err(get)?;
                Ok(SeriesState {
                    key: row.try_get("key").map_err(get)?,
                    updated_at: u64::try_from(updated).unwrap_or(0),
                    body: row.try_get("body").map_err(get)?,
                })
            })
            .collect()
    }

    /// One series of `analyzer`, if stored.
    pub async fn get(&self, analyzer: &str, key: &str) -> Result<Option<SeriesState>, StoreError> {
        Ok(self.load(analyzer).await?.into_iter().find(|s| s.key == key))
    }

    /// Deletes series of `analyzer` not updated since `before` (Unix ms); returns how many.
    pub async fn prune(&self, analyzer: &str, before: u64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM series WHERE analyzer = $1 AND updated_at < $2")
            .bind(analyzer.to_owned())
            .bind(i64::try_from(before).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Query(e.to_string()))?;
        Ok(done.rows_affected())
    }

    /// Saves what changed in `handle`'s detector since the last save.
    pub async fn save_dirty(&self, handle: &SeriesHandle) -> Result<usize, StoreError> {
        self.save(handle.analyzer(), &handle.take_dirty()).await
    }

    /// Saves every live series of `handle`'s detector (at shutdown).
    pub async fn save_all(&self, handle: &SeriesHandle) -> Result<usize, StoreError> {
        self.save(handle.analyzer(), &handle.snapshot()).await
    }

    /// Closes the pool, waiting for writes in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The state-store URL of a detector config: the whole URL from the environment variable
/// `env` when one is named (`Err` if it is unset), else `url`.
pub(crate) fn resolve_url(url: Option<&str>, env: Option<&str>) -> Result<Option<String>, String> {
    match env {
        Some(name) => std::env::var(name)
            .map(Some)
            .map_err(|_| format!("environment variable {name} is not set")),
        None => Ok(url.map(str::to_owned)),
    }
}

/// Saves `handle`'s changed series every `every` until `stop` resolves, then everything once
/// more. A failed save is logged and retried at the next tick (the series stay in memory).
pub async fn persist_loop(
    store: SeriesStore,
    handle: SeriesHandle,
    every: Duration,
    stop: impl std::future::Future<Output = ()>,
) -> Result<usize, StoreError> {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    // After a failed save the taken series are no longer marked dirty: save all next time.
    let mut resave_all = false;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = ticker.tick() => {
                let states = if resave_all { handle.snapshot() } else { handle.take_dirty() };
                resave_all = match store.save(handle.analyzer(), &states).await {
                    Ok(_) => false,
                    Err(e) => {
                        tracing::warn!(analyzer = handle.analyzer(), error = %e, "failed to save series; retrying at the next tick");
                        true
                    }
                };
            }
        }
    }
    store.save_all(&handle).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_errors_never_show_passwords() {
        let out =
            redact_passwords("error connecting to postgres://vigil:hunter2@db:5432/vigil refused");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("postgres://vigil:<redacted>@db:5432/vigil"), "{out}");
    }
}
