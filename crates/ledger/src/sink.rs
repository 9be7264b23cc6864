use std::{collections::HashSet, path::PathBuf, sync::Arc};

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, FindingId, SinkRole, ThreatLevel};

use crate::{
    Block, DEFAULT_DIFFICULTY, LedgerConfig, LedgerHandle, LedgerWriter, Level, LogServer,
    MAX_MESSAGE_BYTES, OpenReport, Result, RpcAnchor, RpcAnchorConfig, read_file, scan_frames,
};

/// Config of the `ledger` sink (TOML `type = "ledger"`). Plain data; [`LedgerSinkConfig::build`]
/// validates it and starts the writer, the optional log server and the optional anchoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerSinkConfig {
    /// The ledger file (created if missing).
    pub path: PathBuf,
    /// Leading zero bits per block hash.
    #[serde(default = "default_difficulty")]
    pub difficulty: u32,
    /// A block closes after this many records ...
    #[serde(default = "default_max_block_records")]
    pub max_block_records: usize,
    /// ... or this many ms after its first record.
    #[serde(default = "default_max_block_delay_ms")]
    pub max_block_delay_ms: u64,
    /// Idle heartbeat block interval in ms; 0 turns it off.
    #[serde(default = "default_heartbeat_ms")]
    pub heartbeat_ms: u64,
    /// Address of the TCP log server (`LEVEL message` lines), if one should run.
    #[serde(default)]
    pub listen: Option<String>,
    /// Wait until each finding's block is on disk before taking the next one.
    #[serde(default)]
    pub wait_for_commit: bool,
    /// Anchor the head on an EVM chain every `anchor_every` blocks.
    #[serde(default)]
    pub anchor: Option<RpcAnchorConfig>,
    /// Blocks between anchors.
    #[serde(default = "default_anchor_every")]
    pub anchor_every: u64,
}

fn default_difficulty() -> u32 {
    u32::from(DEFAULT_DIFFICULTY)
}
fn default_max_block_records() -> usize {
    LedgerConfig::default().max_block_records
}
fn default_max_block_delay_ms() -> u64 {
    LedgerConfig::default().max_block_delay_ms
}
fn default_heartbeat_ms() -> u64 {
    10_000
}
fn default_anchor_every() -> u64 {
    100
}

impl LedgerSinkConfig {
    /// A config with defaults for everything but the path.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            difficulty: default_difficulty(),
            max_block_records: default_max_block_records(),
            max_block_delay_ms: default_max_block_delay_ms(),
            heartbeat_ms: default_heartbeat_ms(),
            listen: None,
            wait_for_commit: false,
            anchor: None,
            anchor_every: default_anchor_every(),
        }
    }

    /// The ledger part of the config.
    pub fn ledger_config(&self) -> LedgerConfig {
        LedgerConfig {
            difficulty: self.difficulty,
            max_block_records: self.max_block_records,
            max_block_delay_ms: self.max_block_delay_ms,
            heartbeat_ms: (self.heartbeat_ms > 0).then_some(self.heartbeat_ms),
            fsync: true,
        }
    }

    /// Every problem, as `field must ...` strings (without the TOML prefix of the sink).
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.ledger_config().problems();
        if self.anchor.is_some() && self.anchor_every == 0 {
            out.push("anchor_every must be positive".into());
        }
        if let Some(anchor) = &self.anchor
            && !anchor.rpc_url.starts_with("http://")
            && !anchor.rpc_url.starts_with("https://")
        {
            out.push("anchor.rpc_url must be an http(s) URL".into());
        }
        out
    }

    /// Validates, opens the ledger (cutting a torn tail), starts the writer thread, the log
    /// server and anchoring. Needs a tokio runtime.
    pub async fn build(&self, id: &str) -> Result<LedgerSink> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(crate::LedgerError::invalid("ledger sink config", problems.join("; ")));
        }
        let seen = finding_ids(&self.path);
        let anchor = self.anchor.as_ref().map(|c| {
            let anchor: Arc<dyn crate::Anchor> = Arc::new(RpcAnchor::new(c.clone()));
            (anchor, self.anchor_every)
        });
        let (handle, open_report) = LedgerWriter::spawn(&self.path, self.ledger_config(), anchor)?;
        let mut server_stop = None;
        if let Some(addr) = &self.listen {
            let server = LogServer::bind(addr, handle.clone()).await?;
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            tokio::spawn(async move {
                let stop = async {
                    let _ = stop_rx.await;
                };
                if let Err(e) = server.serve(stop).await {
                    tracing::error!(error = %e, "ledger log server stopped");
                }
            });
            server_stop = Some(stop_tx);
        }
        Ok(LedgerSink {
            id: id.to_owned(),
            handle,
            seen,
            wait_for_commit: self.wait_for_commit,
            server_stop,
            open_report,
            owns_writer: true,
        })
    }
}

/// Ids of the findings already in the ledger, so a restart does not record them twice.
fn finding_ids(path: &std::path::Path) -> HashSet<FindingId> {
    let Ok(bytes) = read_file(path) else { return HashSet::new() };
    let Ok(scan) = scan_frames(&bytes) else { return HashSet::new() };
    let mut ids = HashSet::new();
    for frame in &scan.frames {
        let Ok(block) = Block::decode(frame.payload) else { continue };
        for record in &block.records {
            if let Some(id) =
                record.message.strip_prefix("finding ").and_then(|r| r.split(' ').next())
            {
                ids.insert(FindingId(id.to_owned()));
            }
        }
    }
    ids
}

/// The level a finding is recorded at.
pub fn level_for(threat: ThreatLevel) -> Level {
    match threat {
        ThreatLevel::Info | ThreatLevel::Low => Level::Info,
        ThreatLevel::Medium => Level::Warn,
        ThreatLevel::High => Level::Error,
        ThreatLevel::Critical => Level::Fatal,
    }
}

/// The ledger as a store sink: every finding becomes a record
/// `finding <id> <finding as JSON>`, deduplicated by id (across restarts too).
#[derive(Debug)]
pub struct LedgerSink {
    id: String,
    handle: LedgerHandle,
    seen: HashSet<FindingId>,
    wait_for_commit: bool,
    server_stop: Option<oneshot::Sender<()>>,
    open_report: OpenReport,
    /// The sink that started the writer shuts it down; shared ones only flush.
    owns_writer: bool,
}

impl LedgerSink {
    /// A handle for recording alerts and defense actions beside the findings.
    pub fn handle(&self) -> LedgerHandle {
        self.handle.clone()
    }

    /// A second sink `id` writing to the same ledger (one writer per file), for components
    /// that deliver findings of their own, such as the defense executor's actions. Closing
    /// it flushes; the writer stops when this sink is closed.
    pub fn share(&self, id: &str) -> LedgerSink {
        LedgerSink {
            id: id.to_owned(),
            handle: self.handle.clone(),
            seen: self.seen.clone(),
            wait_for_commit: self.wait_for_commit,
            server_stop: None,
            open_report: self.open_report.clone(),
            owns_writer: false,
        }
    }

    /// What opening the file found (a torn tail that was cut, for instance).
    pub fn open_report(&self) -> &OpenReport {
        &self.open_report
    }

    fn write_error(&self, e: impl std::fmt::Display) -> SinkError {
        SinkError::Write { sink: self.id.clone(), reason: e.to_string() }
    }
}

#[async_trait::async_trait]
impl Sink for LedgerSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Store
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        if self.seen.contains(&finding.id) {
            return Ok(());
        }
        let mut json = serde_json::to_string(finding).map_err(|e| self.write_error(e))?;
        if json.len() + 80 > MAX_MESSAGE_BYTES {
            // Keep the verdict; the bulky evidence lives in the other stores.
            let mut slim = finding.clone();
            slim.evidence =
                serde_json::json!({"omitted": "evidence exceeded the record size limit"});
            json = serde_json::to_string(&slim).map_err(|e| self.write_error(e))?;
        }
        let message = format!("finding {} {json}", finding.id);
        let level = level_for(finding.threat_level);
        let result = if self.wait_for_commit {
            self.handle.append(level, message).await.map(|_| ())
        } else {
            self.handle.submit(level, message).await
        };
        result.map_err(|e| self.write_error(e))?;
        self.seen.insert(finding.id.clone());
        Ok(())
    }

    async fn close(&mut self) -> Result<(), SinkError> {
        if let Some(stop) = self.server_stop.take() {
            let _ = stop.send(());
        }
        self.handle.flush().await.map_err(|e| self.write_error(e))?;
        if !self.owns_writer {
            return Ok(());
        }
        self.handle.shutdown().await.map_err(|e| self.write_error(e))
    }
}
