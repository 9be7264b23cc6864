//! The vigil config that protects a deployed range: both node sources (every transaction, so
//! attacks through helper contracts and constructors are judged), every victim with its ABI
//! and guardian call, the watchlist, the exploit classifier, both time-series detectors, a
//! console, a JSONL file, the findings store and the tamper-evident ledger — and, when asked,
//! the pause executor in `active_defense` mode.

use std::{
    fmt::Write,
    path::{Path, PathBuf},
};

use crate::RangeDeployment;

/// Victims the executor may pause. The tokens are left out: pausing the stablecoin would stop
/// every protocol at once, and the trace of an attack reaches a protocol before its tokens.
pub const DEFENDED_VICTIMS: [&str; 7] =
    ["amm", "v3_pool", "lending", "flash_lender", "vault", "bridge", "treasury"];

/// What goes into the generated config besides the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VigilConfigOptions {
    /// WebSocket endpoint of the node.
    pub ws_url: String,
    /// Directory of the contract artifacts, as the config should reference it.
    pub abi_dir: PathBuf,
    /// Directory for the findings file and database, the series state, the defense journal
    /// and the ledger.
    pub data_dir: PathBuf,
    /// Active defense, if wanted.
    pub defense: Option<DefenseOptions>,
}

impl VigilConfigOptions {
    /// Options for `ws_url` with artifacts under `range/artifacts`, data in the working
    /// directory and no active defense.
    pub fn new(ws_url: &str) -> Self {
        Self {
            ws_url: ws_url.to_owned(),
            abi_dir: PathBuf::from("range/artifacts"),
            data_dir: PathBuf::new(),
            defense: None,
        }
    }
}

/// The pause executor's connection and key. Only the *names* of secrets go into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefenseOptions {
    /// JSON-RPC (http) endpoint for simulating, sending and watching.
    pub rpc_url: String,
    /// The guardian's encrypted keystore.
    pub keystore: PathBuf,
    /// Name of the environment variable holding the keystore password.
    pub password_env: String,
}

impl RangeDeployment {
    /// vigil's TOML config for this deployment, with ABI paths relative to the repository
    /// root (`range/artifacts/<Contract>.json`), for `vigil run` started there.
    pub fn vigil_config(&self, ws_url: &str) -> String {
        self.vigil_config_with(&VigilConfigOptions::new(ws_url))
    }

    /// vigil's TOML config for this deployment with `options`.
    pub fn vigil_config_with(&self, options: &VigilConfigOptions) -> String {
        let mut out = String::new();
        let endpoint = toml_string(&options.ws_url);
        let data = |name: &str| path_string(&options.data_dir.join(name));
        let mode = if options.defense.is_some() { "active_defense" } else { "alert_only" };
        let _ = writeln!(out, "chain_id = {}", self.chain_id);
        let _ = writeln!(out, "mode = \"{mode}\"");
        for (id, ty) in [("mempool", "mempool"), ("blocks", "blocks")] {
            let _ = writeln!(
                out,
                "\n[sources.{id}]\ntype = \"{ty}\"\nendpoints = [{endpoint}]\nall_transactions = true"
            );
        }
        for victim in self.victims() {
            let abi = options.abi_dir.join(format!("{}.json", victim.artifact));
            let _ = writeln!(out, "\n[[contracts]]");
            let _ = writeln!(out, "name = \"{}\"", victim.name);
            let _ = writeln!(out, "address = \"{}\"", victim.address);
            let _ = writeln!(out, "abi = {}", path_string(&abi));
            let _ = writeln!(out, "guardian_function = \"pause()\"");
        }
        let _ = writeln!(
            out,
            r#"
[analyzers.watchlist]
type = "watchlist"
listed_functions = {{ "initialize" = "CRITICAL", "transferOwnership" = "HIGH", "sweep" = "HIGH", "setGuardian" = "MEDIUM", "pause" = "MEDIUM", "unpause" = "MEDIUM" }}

[analyzers.classifier]
type = "tx_classifier"
min_level = "LOW"

[analyzers.priority_fee]
type = "priority_fee"
contracts = [{victims}]
state_url = {series}

[analyzers.prices]
type = "price_anomaly"
pools = [{{ address = "{v3}", name = "RGOV/rUSD (V3)" }}, {{ address = "{amm}", name = "RGOV/rUSD (V2)" }}]
state_url = {series}

[sinks.console]
type = "console"
min_level = "LOW"
color = true

[sinks.jsonl]
type = "jsonl"
path = {jsonl}

[sinks.store]
type = "store"
url = {store}

[sinks.ledger]
type = "ledger"
path = {ledger}"#,
            victims = self
                .victims()
                .iter()
                .map(|v| format!("\"{}\"", v.address))
                .collect::<Vec<_>>()
                .join(", "),
            series = sqlite_url(&options.data_dir.join("vigil-series.db")),
            v3 = self.contracts.v3_pool,
            amm = self.contracts.amm,
            jsonl = data("findings.jsonl"),
            store = sqlite_url(&options.data_dir.join("vigil.db")),
            ledger = data("vigil.ledger"),
        );
        if let Some(defense) = &options.defense {
            let protect: Vec<String> =
                DEFENDED_VICTIMS.iter().map(|v| format!("\"{v}\"")).collect();
            let _ = writeln!(
                out,
                r#"
[sinks.guardian]
type = "pause_executor"
rpc_url = {rpc}
protect = [{protect}]
key = {{ source = "keystore", path = {keystore}, password_env = {password_env} }}
journal_url = {journal}
poll_interval_ms = 50
report_to = ["console", "jsonl", "store", "ledger"]"#,
                rpc = toml_string(&defense.rpc_url),
                protect = protect.join(", "),
                keystore = path_string(&defense.keystore),
                password_env = toml_string(&defense.password_env),
                journal = sqlite_url(&options.data_dir.join("vigil-defense.db")),
            );
        }
        out
    }
}

fn sqlite_url(path: &Path) -> String {
    toml_string(&format!("sqlite://{}", path.to_string_lossy()))
}

fn path_string(path: &Path) -> String {
    toml_string(&path.to_string_lossy())
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
