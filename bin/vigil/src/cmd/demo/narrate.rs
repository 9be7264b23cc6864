//! The demo's console voice and its closing summary.

use std::{collections::BTreeMap, path::Path, time::Duration};

use vigil_ledger::{VerifyOptions, verify_file};
use vigil_types::U256;

use super::findings::FindingsFile;

/// Prints the story between vigil's own console lines.
pub(super) struct Narrator {
    color: bool,
    pace: Duration,
}

impl Narrator {
    pub(super) fn new(color: bool, pace: Duration) -> Self {
        Self { color, pace }
    }

    fn line(&self, mark: &str, style: &str, text: &str) {
        if self.color {
            println!("\x1b[{style}m{mark}\x1b[0m \x1b[1m{text}\x1b[0m");
        } else {
            println!("{mark} {text}");
        }
    }

    pub(super) fn step(&self, text: &str) {
        self.line("▶", "1;34", text);
    }

    pub(super) fn detail(&self, text: &str) {
        if self.color {
            println!("    \x1b[2m{text}\x1b[0m");
        } else {
            println!("    {text}");
        }
    }

    pub(super) fn good(&self, text: &str) {
        self.line("✔", "1;32", text);
    }

    pub(super) fn bad(&self, text: &str) {
        self.line("✘", "1;31", text);
    }

    pub(super) async fn pause(&self) {
        tokio::time::sleep(self.pace).await;
    }
}

/// `500 ETH, 1000000 rUSD`: whole units of what a contract holds.
pub(super) fn holdings(holdings: &BTreeMap<String, U256>) -> String {
    let unit = U256::from(10u64).pow(U256::from(18u64));
    let parts: Vec<String> = holdings
        .iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(asset, v)| format!("{} {asset}", *v / unit))
        .collect();
    if parts.is_empty() { "nothing".to_owned() } else { parts.join(", ") }
}

/// What vigil recorded, and whether its tamper-evident log verifies.
pub(super) fn summary(say: &Narrator, dir: &Path, findings: &FindingsFile) -> anyhow::Result<()> {
    let mut by_analyzer: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for finding in findings.read() {
        *by_analyzer
            .entry(finding.analyzer)
            .or_default()
            .entry(finding.threat_level.to_string())
            .or_default() += 1;
    }
    say.step("what vigil recorded");
    for (analyzer, levels) in &by_analyzer {
        let levels: Vec<String> = levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
        say.detail(&format!("{analyzer:<13} {}", levels.join(", ")));
    }
    let ledger = dir.join("vigil.ledger");
    let report = verify_file(&ledger, VerifyOptions::default())?;
    match &report.fault {
        None => say.good(&format!(
            "tamper-evident ledger verified: {} blocks, {} records ({})",
            report.blocks,
            report.records,
            ledger.display()
        )),
        Some(fault) => say.bad(&format!("ledger {} does not verify: {fault:?}", ledger.display())),
    }
    say.detail(&format!(
        "findings: {}/findings.jsonl · database: {}/vigil.db · defense journal: {}/vigil-defense.db",
        dir.display(),
        dir.display(),
        dir.display()
    ));
    say.detail(&format!(
        "vigil export --db sqlite://{}/vigil.db   vigil ledger verify {}",
        dir.display(),
        ledger.display()
    ));
    Ok(())
}
