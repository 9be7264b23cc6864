use std::io::Write;

use serde::Deserialize;
use vigil_pipeline::{Sink, SinkError};
use vigil_types::{Finding, SinkRole, ThreatLevel};

/// `type = "console"`: one human-readable line per finding on standard output.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSinkConfig {
    /// Findings below this level are not printed.
    #[serde(default = "info")]
    pub min_level: ThreatLevel,
    /// ANSI colours by level.
    #[serde(default)]
    pub color: bool,
}

fn info() -> ThreatLevel {
    ThreatLevel::Info
}

/// Prints findings for people watching a terminal.
#[derive(Debug)]
pub struct ConsoleSink {
    id: String,
    config: ConsoleSinkConfig,
}

impl ConsoleSink {
    /// A console sink named `id`.
    pub fn new(id: &str, config: ConsoleSinkConfig) -> Self {
        Self { id: id.to_owned(), config }
    }
}

/// The one-line rendering of a finding: time, level, analyzer, subject, summary, top factors.
pub fn format_line(finding: &Finding, color: bool) -> String {
    let time = chrono::DateTime::from_timestamp_millis(finding.observed_at as i64)
        .map(|t| t.format("%H:%M:%S%.3f").to_string())
        .unwrap_or_else(|| finding.observed_at.to_string());
    let level = format!("{:<8}", finding.threat_level.as_str());
    let level = if color {
        let code = match finding.threat_level {
            ThreatLevel::Info => "2",
            ThreatLevel::Low => "36",
            ThreatLevel::Medium => "33",
            ThreatLevel::High => "31",
            ThreatLevel::Critical => "1;41",
        };
        format!("\x1b[{code}m{level}\x1b[0m")
    } else {
        level
    };
    let factors: Vec<String> = finding
        .factors
        .iter()
        .take(3)
        .map(|f| format!("{}({:+.2})", f.name, f.contribution))
        .collect();
    let factors =
        if factors.is_empty() { String::new() } else { format!(" [{}]", factors.join(" ")) };
    format!(
        "{time} {level} {:<10} {} conf={:.2} — {}{factors}",
        finding.analyzer, finding.subject, finding.confidence, finding.summary
    )
}

#[async_trait::async_trait]
impl Sink for ConsoleSink {
    fn id(&self) -> &str {
        &self.id
    }

    fn role(&self) -> SinkRole {
        SinkRole::Alert
    }

    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        if finding.threat_level < self.config.min_level {
            return Ok(());
        }
        let line = format_line(finding, self.config.color);
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .map_err(|e| SinkError::Write { sink: self.id.clone(), reason: e.to_string() })
    }
}
