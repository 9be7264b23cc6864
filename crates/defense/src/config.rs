use std::collections::HashSet;

use serde::Deserialize;
use vigil_chain::ContractConfig;
use vigil_types::ThreatLevel;

use crate::{
    caps::SpendCaps,
    fees::FeeStrategy,
    keys::KeySource,
    policy::{GuardianCall, Protected},
    units::Wei,
};

/// `type = "pause_executor"`: answers HIGH/CRITICAL findings on protected contracts with the
/// contract's guardian call, sent ahead of the attacker's pending transaction.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PauseExecutorConfig {
    /// JSON-RPC endpoint (`http://` or `https://`) used to simulate, send and watch.
    pub rpc_url: String,
    /// Names of `[[contracts]]` entries to protect, or `["*"]` for all of them.
    pub protect: Vec<String>,
    /// Guardian functions the executor may ever call.
    #[serde(default = "defaults::allowed_functions")]
    pub allowed_functions: Vec<String>,
    /// Lowest threat level that triggers the guardian call.
    #[serde(default = "defaults::min_threat_level")]
    pub min_threat_level: ThreatLevel,
    /// Lowest classification confidence that triggers it.
    #[serde(default = "defaults::min_confidence")]
    pub min_confidence: f64,
    /// No second action on a target for this long after one.
    #[serde(default = "defaults::cooldown_secs")]
    pub cooldown_secs: u64,
    /// Our tip = attacker tip × this + `tip_floor` (1.1 to 3.0).
    #[serde(default = "defaults::tip_multiplier")]
    pub tip_multiplier: f64,
    /// Added to every tip.
    #[serde(default = "defaults::tip_floor")]
    pub tip_floor: Wei,
    /// Worst-case cost (gas limit × max fee) of one transaction.
    #[serde(default = "defaults::max_tx_cost")]
    pub max_tx_cost: Wei,
    /// Everything spent (worst case until mined) in a rolling hour.
    #[serde(default = "defaults::max_hourly_spend")]
    pub max_hourly_spend: Wei,
    /// Everything spent in a rolling day.
    #[serde(default = "defaults::max_daily_spend")]
    pub max_daily_spend: Wei,
    /// Gas limit = estimate × this.
    #[serde(default = "defaults::gas_padding")]
    pub gas_padding: f64,
    /// Replace our transaction when it is not mined after this many blocks.
    #[serde(default = "defaults::replace_after_blocks")]
    pub replace_after_blocks: u64,
    /// Give up after this many replacements.
    #[serde(default = "defaults::max_replacements")]
    pub max_replacements: u32,
    /// How often to look for new blocks while a transaction is pending.
    #[serde(default = "defaults::poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Timeout of each JSON-RPC request.
    #[serde(default = "defaults::request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Everything but the broadcast; the transaction that would have been sent is recorded.
    #[serde(default)]
    pub dry_run: bool,
    /// When no named target is protected, trace the attacker's transaction
    /// (`debug_traceCall`) to find the protected contracts it would reach.
    #[serde(default = "defaults::yes")]
    pub trace_targets: bool,
    /// A view returning true while the target is paused (`""` to skip the check).
    #[serde(default = "defaults::paused_function")]
    pub paused_function: String,
    /// The signing key.
    pub key: KeySource,
    /// Where actions, nonces and answered findings persist.
    #[serde(default = "defaults::journal_url")]
    pub journal_url: String,
    /// Name of an environment variable holding the journal URL (overrides `journal_url`).
    #[serde(default)]
    pub journal_url_env: Option<String>,
    /// Ids of sinks that also receive the executor's own findings (actions and outcomes).
    #[serde(default)]
    pub report_to: Vec<String>,
}

mod defaults {
    use super::*;

    pub(super) fn allowed_functions() -> Vec<String> {
        vec!["pause()".to_owned()]
    }
    pub(super) fn min_threat_level() -> ThreatLevel {
        ThreatLevel::High
    }
    pub(super) fn min_confidence() -> f64 {
        0.8
    }
    pub(super) fn cooldown_secs() -> u64 {
        600
    }
    pub(super) fn tip_multiplier() -> f64 {
        1.5
    }
    pub(super) fn tip_floor() -> Wei {
        Wei::gwei(1)
    }
    pub(super) fn max_tx_cost() -> Wei {
        Wei(50_000_000_000_000_000)
    }
    pub(super) fn max_hourly_spend() -> Wei {
        Wei(200_000_000_000_000_000)
    }
    pub(super) fn max_daily_spend() -> Wei {
        Wei(500_000_000_000_000_000)
    }
    pub(super) fn gas_padding() -> f64 {
        1.2
    }
    pub(super) fn replace_after_blocks() -> u64 {
        2
    }
    pub(super) fn max_replacements() -> u32 {
        5
    }
    pub(super) fn poll_interval_ms() -> u64 {
        200
    }
    pub(super) fn request_timeout_ms() -> u64 {
        5_000
    }
    pub(super) fn yes() -> bool {
        true
    }
    pub(super) fn paused_function() -> String {
        "paused()".to_owned()
    }
    pub(super) fn journal_url() -> String {
        "sqlite://vigil-defense.db".to_owned()
    }
}

impl PauseExecutorConfig {
    /// A config for `rpc_url` protecting `protect` with `key`, defaults elsewhere.
    pub fn new(rpc_url: &str, protect: Vec<String>, key: KeySource) -> Self {
        Self {
            rpc_url: rpc_url.to_owned(),
            protect,
            allowed_functions: defaults::allowed_functions(),
            min_threat_level: defaults::min_threat_level(),
            min_confidence: defaults::min_confidence(),
            cooldown_secs: defaults::cooldown_secs(),
            tip_multiplier: defaults::tip_multiplier(),
            tip_floor: defaults::tip_floor(),
            max_tx_cost: defaults::max_tx_cost(),
            max_hourly_spend: defaults::max_hourly_spend(),
            max_daily_spend: defaults::max_daily_spend(),
            gas_padding: defaults::gas_padding(),
            replace_after_blocks: defaults::replace_after_blocks(),
            max_replacements: defaults::max_replacements(),
            poll_interval_ms: defaults::poll_interval_ms(),
            request_timeout_ms: defaults::request_timeout_ms(),
            dry_run: false,
            trace_targets: true,
            paused_function: defaults::paused_function(),
            key,
            journal_url: defaults::journal_url(),
            journal_url_env: None,
            report_to: Vec::new(),
        }
    }

    /// Every problem with the values alone, as `(field path, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |field: &str, message: String| out.push((field.to_owned(), message));
        if !(self.rpc_url.starts_with("http://") || self.rpc_url.starts_with("https://")) {
            bad("rpc_url", format!("`{}` must be an http:// or https:// URL", self.rpc_url));
        }
        if self.protect.is_empty() {
            bad("protect", "name at least one contract (or \"*\" for all)".into());
        }
        if self.allowed_functions.is_empty() {
            bad("allowed_functions", "must not be empty".into());
        }
        for (i, function) in self.allowed_functions.iter().enumerate() {
            if let Err(e) = GuardianCall::parse(function) {
                bad(&format!("allowed_functions[{i}]"), e);
            }
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            bad("min_confidence", "must be within 0..=1".into());
        }
        if !(1.1..=3.0).contains(&self.tip_multiplier) {
            bad("tip_multiplier", "must be within 1.1..=3.0".into());
        }
        if !(1.0..=3.0).contains(&self.gas_padding) {
            bad("gas_padding", "must be within 1.0..=3.0".into());
        }
        for (field, cap) in [
            ("max_tx_cost", self.max_tx_cost),
            ("max_hourly_spend", self.max_hourly_spend),
            ("max_daily_spend", self.max_daily_spend),
        ] {
            if cap.0 == 0 {
                bad(field, "must be above zero".into());
            }
        }
        if self.max_tx_cost > self.max_hourly_spend || self.max_hourly_spend > self.max_daily_spend
        {
            bad(
                "max_hourly_spend",
                "caps must satisfy max_tx_cost ≤ max_hourly_spend ≤ max_daily_spend".into(),
            );
        }
        if self.replace_after_blocks == 0 {
            bad("replace_after_blocks", "must be at least 1".into());
        }
        if !(10..=60_000).contains(&self.poll_interval_ms) {
            bad("poll_interval_ms", "must be within 10..=60000".into());
        }
        if self.request_timeout_ms == 0 {
            bad("request_timeout_ms", "must be above zero".into());
        }
        if !self.paused_function.is_empty()
            && let Err(e) = GuardianCall::parse(&self.paused_function)
        {
            bad("paused_function", e);
        }
        match &self.key {
            KeySource::Env { var } if var.trim().is_empty() => {
                bad("key.var", "must name an environment variable".into())
            }
            KeySource::Keystore { password_env, .. } if password_env.trim().is_empty() => {
                bad("key.password_env", "must name an environment variable".into())
            }
            KeySource::Keystore { path, .. } if path.as_os_str().is_empty() => {
                bad("key.path", "must name the keystore file".into())
            }
            _ => {}
        }
        let url = self.journal_url.as_str();
        if self.journal_url_env.is_none()
            && !(url.starts_with("sqlite:") || url.starts_with("postgres"))
        {
            bad("journal_url", format!("`{url}` must be a sqlite: or postgres:// URL"));
        }
        out
    }

    /// Problems of the config together with the `[[contracts]]` table it refers to.
    pub fn problems_with(&self, contracts: &[ContractConfig]) -> Vec<(String, String)> {
        let mut out = self.problems();
        if let Err(more) = self.protected(contracts) {
            out.extend(more);
        }
        out
    }

    /// The protected contracts with their guardian calls; every problem when some name is
    /// unknown or some guardian call is not allowed.
    pub fn protected(
        &self,
        contracts: &[ContractConfig],
    ) -> Result<Vec<Protected>, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let allowed: HashSet<String> = self.allowed_signatures();
        let all = self.protect.iter().any(|n| n == "*");
        for (i, name) in self.protect.iter().enumerate() {
            if name != "*" && !contracts.iter().any(|c| &c.name == name) {
                problems.push((
                    format!("protect[{i}]"),
                    format!("no [[contracts]] entry is named `{name}`"),
                ));
            }
        }
        let mut out = Vec::new();
        for contract in contracts.iter().filter(|c| all || self.protect.contains(&c.name)) {
            match GuardianCall::parse(&contract.guardian_function) {
                Ok(call) if allowed.contains(call.signature()) => out.push(Protected {
                    name: contract.name.clone(),
                    address: contract.address,
                    guardian: call,
                }),
                Ok(call) => problems.push((
                    "allowed_functions".to_owned(),
                    format!(
                        "guardian function {} of contract `{}` is not allowed",
                        call.signature(),
                        contract.name
                    ),
                )),
                Err(e) => problems
                    .push(("protect".to_owned(), format!("contract `{}`: {e}", contract.name))),
            }
        }
        if problems.is_empty() { Ok(out) } else { Err(problems) }
    }

    /// The allowed guardian functions, canonical.
    pub(crate) fn allowed_signatures(&self) -> HashSet<String> {
        self.allowed_functions
            .iter()
            .filter_map(|f| GuardianCall::parse(f).ok())
            .map(|c| c.signature().to_owned())
            .collect()
    }

    /// The fee strategy the values describe.
    pub fn fee_strategy(&self) -> FeeStrategy {
        FeeStrategy {
            multiplier_milli: (self.tip_multiplier * 1000.0).round() as u32,
            tip_floor: self.tip_floor.0,
        }
    }

    /// The spending caps.
    pub fn caps(&self) -> SpendCaps {
        SpendCaps {
            per_tx: self.max_tx_cost.0,
            per_hour: self.max_hourly_spend.0,
            per_day: self.max_daily_spend.0,
        }
    }

    /// The journal URL to connect to.
    pub fn resolved_journal_url(&self) -> Result<String, String> {
        match &self.journal_url_env {
            Some(name) => {
                std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
            }
            None => Ok(self.journal_url.clone()),
        }
    }
}

#[cfg(test)]
mod tests;
