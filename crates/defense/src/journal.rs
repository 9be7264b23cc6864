//! The durable record of every defense action: the finding it answers (claimed before
//! anything is sent, so a restart never answers it twice), our signed transactions with their
//! nonce (written before broadcast, so a restart can keep watching them), what each cost, and
//! how it ended. SQL through sqlx's `any` driver: SQLite by default, PostgreSQL by URL.

use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row, any::AnyPoolOptions};
use vigil_types::{Address, B256, connectable_url, redact_passwords};

use crate::{DefenseError, Result, fees::Fees};

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// The finding is claimed; nothing broadcast yet.
    Claimed,
    /// Our transaction is broadcast and watched.
    Sent,
    /// Dry run: everything but the broadcast.
    DryRun,
    /// Our guardian call was mined before the attack.
    Saved,
    /// The attack was mined before our guardian call (or before vigil saw it).
    TooLate,
    /// Not acted on: a cap or the policy said no.
    Refused,
    /// Simulation, signing, broadcast or mining failed.
    Failed,
    /// Someone else paused the target first.
    AlreadyPaused,
}

impl ActionStatus {
    /// The name stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Sent => "sent",
            Self::DryRun => "dry_run",
            Self::Saved => "saved",
            Self::TooLate => "too_late",
            Self::Refused => "refused",
            Self::Failed => "failed",
            Self::AlreadyPaused => "already_paused",
        }
    }

    /// Whether the action may still change (a transaction may still be mined).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Claimed | Self::Sent)
    }
}

/// One version of our transaction (same nonce, rising fees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentVersion {
    /// Its hash.
    pub hash: B256,
    /// Its fees.
    pub fees: Fees,
    /// Its gas limit.
    pub gas_limit: u64,
    /// Its signed encoding, 0x-hex (to rebroadcast after a restart).
    pub raw: String,
    /// When it was signed (Unix ms).
    pub signed_at: u64,
}

/// One defense action, as journaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// The finding answered (primary key).
    pub finding_id: String,
    /// The attacker's transaction.
    pub attack_tx: Option<B256>,
    /// Further attacker transactions with the same sender and nonce (bumps).
    #[serde(default)]
    pub attack_bumps: Vec<B256>,
    /// The attacker's sender and nonce.
    pub attacker: Option<(Address, u64)>,
    /// The protected contract.
    pub target: Address,
    /// The guardian call.
    pub call: String,
    /// Where it stands.
    pub status: ActionStatus,
    /// Why it stands there, for people.
    pub reason: String,
    /// Our nonce, once chosen.
    pub nonce: Option<u64>,
    /// Our transaction's versions, oldest first.
    pub versions: Vec<SentVersion>,
    /// What the action counts against the caps (wei): worst case while open, real cost once
    /// mined, zero when nothing was sent.
    pub charged_wei: u128,
    /// When it started (Unix ms).
    pub created_at: u64,
    /// Last change (Unix ms).
    pub updated_at: u64,
    /// Free-form detail: fees of the attacker, base fee, receipts, timings.
    pub detail: serde_json::Value,
}

/// SQL storage of [`ActionRecord`]s.
#[derive(Debug, Clone)]
pub struct Journal {
    pool: AnyPool,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS defense_actions (
    finding_id TEXT PRIMARY KEY,
    attack_tx TEXT,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    our_nonce BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    body TEXT NOT NULL
)";

impl Journal {
    /// Connects (creating a SQLite file if needed) and creates the schema.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = connectable_url(url);
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 1 } else { 4 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // WAL + NORMAL: a claim costs one fsync-free write, so it never slows a pause.
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| DefenseError::journal("open", redact_passwords(&e.to_string())))?;
        for statement in [
            SCHEMA,
            "CREATE INDEX IF NOT EXISTS defense_actions_created ON defense_actions (created_at)",
            "CREATE INDEX IF NOT EXISTS defense_actions_status ON defense_actions (status)",
        ] {
            sqlx::query(statement)
                .execute(&pool)
                .await
                .map_err(|e| DefenseError::journal("open", e))?;
        }
        Ok(Self { pool })
    }

    /// Inserts `record` unless its finding is already journaled; false if it was.
    pub async fn claim(&self, record: &ActionRecord) -> Result<bool> {
        let body = serde_json::to_string(record).map_err(|e| DefenseError::journal("claim", e))?;
        let done = sqlx::query(
            "INSERT INTO defense_actions (finding_id, attack_tx, target, status, our_nonce, created_at, updated_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (finding_id) DO NOTHING",
        )
        .bind(record.finding_id.clone())
        .bind(record.attack_tx.map(|h| h.to_string()))
        .bind(record.target.to_string())
        .bind(record.status.as_str())
        .bind(record.nonce.map(|n| n as i64))
        .bind(record.created_at as i64)
        .bind(record.updated_at as i64)
        .bind(body)
        .execute(&self.pool)
        .await
        .map_err(|e| DefenseError::journal("claim", e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores the current state of `record` (claimed before).
    pub async fn update(&self, record: &ActionRecord) -> Result<()> {
        let body = serde_json::to_string(record).map_err(|e| DefenseError::journal("update", e))?;
        sqlx::query(
            "UPDATE defense_actions SET status = $1, our_nonce = $2, updated_at = $3, body = $4 WHERE finding_id = $5",
        )
        .bind(record.status.as_str())
        .bind(record.nonce.map(|n| n as i64))
        .bind(record.updated_at as i64)
        .bind(body)
        .bind(record.finding_id.clone())
        .execute(&self.pool)
        .await
        .map_err(|e| DefenseError::journal("update", e))?;
        Ok(())
    }

    /// Actions started at or after `since_ms`, plus every open one, oldest first.
    pub async fn recent(&self, since_ms: u64) -> Result<Vec<ActionRecord>> {
        let rows = sqlx::query(
            "SELECT finding_id, body FROM defense_actions
             WHERE created_at >= $1 OR status IN ('claimed', 'sent') ORDER BY created_at, finding_id",
        )
        .bind(since_ms as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| DefenseError::journal("read", e))?;
        rows.iter().map(decode).collect()
    }

    /// The action answering `finding_id`, if journaled.
    pub async fn get(&self, finding_id: &str) -> Result<Option<ActionRecord>> {
        let row = sqlx::query("SELECT finding_id, body FROM defense_actions WHERE finding_id = $1")
            .bind(finding_id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| DefenseError::journal("read", e))?;
        row.as_ref().map(decode).transpose()
    }

    /// Closes the pool, waiting for writes in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn decode(row: &sqlx::any::AnyRow) -> Result<ActionRecord> {
    let id: String = row.try_get("finding_id").map_err(|e| DefenseError::journal("read", e))?;
    let body: String = row.try_get("body").map_err(|e| DefenseError::journal("read", e))?;
    serde_json::from_str(&body)
        .map_err(|e| DefenseError::journal("read", format!("action {id} is corrupt: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(id: &str, created_at: u64, status: ActionStatus) -> ActionRecord {
        ActionRecord {
            finding_id: id.into(),
            attack_tx: Some(B256::repeat_byte(1)),
            attack_bumps: vec![],
            attacker: Some((Address::repeat_byte(2), 7)),
            target: Address::repeat_byte(3),
            call: "pause()".into(),
            status,
            reason: "test".into(),
            nonce: None,
            versions: vec![],
            charged_wei: u128::MAX,
            created_at,
            updated_at: created_at,
            detail: json!({}),
        }
    }

    #[tokio::test]
    async fn claims_each_finding_once_and_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        claims_once_and_survives_reopening(&format!(
            "sqlite://{}",
            dir.path().join("j.db").display()
        ))
        .await;
    }

    #[tokio::test]
    async fn postgres_journal_claims_each_finding_once_and_survives_reopening() {
        let server = vigil_testkit::Postgres::spawn().expect("postgres starts");
        claims_once_and_survives_reopening(&server.url()).await;
    }

    async fn claims_once_and_survives_reopening(url: &str) {
        let journal = Journal::open(url).await.expect("open");
        assert!(journal.claim(&record("a", 10, ActionStatus::Claimed)).await.expect("claim"));
        assert!(!journal.claim(&record("a", 11, ActionStatus::Claimed)).await.expect("claim"));
        let mut sent = record("a", 10, ActionStatus::Sent);
        sent.nonce = Some(4);
        journal.update(&sent).await.expect("update");
        assert!(journal.claim(&record("b", 20, ActionStatus::Refused)).await.expect("claim"));
        journal.close().await;

        let journal = Journal::open(url).await.expect("reopen");
        assert_eq!(journal.get("a").await.expect("get"), Some(sent.clone()));
        // Open actions always come back; closed ones only when recent.
        let ids = |records: Vec<ActionRecord>| {
            records.into_iter().map(|r| r.finding_id).collect::<Vec<_>>()
        };
        assert_eq!(ids(journal.recent(0).await.expect("recent")), ["a", "b"]);
        assert_eq!(ids(journal.recent(15).await.expect("recent")), ["a", "b"]);
        assert_eq!(ids(journal.recent(25).await.expect("recent")), ["a"]);
    }

    #[test]
    fn redacts_passwords_in_urls() {
        let out = redact_passwords("error connecting to postgres://vigil:hunter2@db/vigil");
        assert!(!out.contains("hunter2") && out.contains("vigil:<redacted>@db"), "{out}");
    }
}
