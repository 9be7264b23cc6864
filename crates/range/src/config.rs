//! The vigil config that protects a deployed range: both node sources, every victim with its
//! ABI and guardian call, the watchlist analyzer and a console sink.

use std::{fmt::Write, path::Path};

use crate::RangeDeployment;

impl RangeDeployment {
    /// vigil's TOML config for this deployment, with ABI paths relative to the repository
    /// root (`range/artifacts/<Contract>.json`), for `vigil run` started there.
    pub fn vigil_config(&self, ws_url: &str) -> String {
        self.vigil_config_with_abi_dir(ws_url, Path::new("range/artifacts"))
    }

    /// As [`RangeDeployment::vigil_config`], with the artifacts read from `abi_dir`.
    pub fn vigil_config_with_abi_dir(&self, ws_url: &str, abi_dir: &Path) -> String {
        let mut out = String::new();
        let endpoint = toml_string(ws_url);
        let _ = writeln!(out, "chain_id = {}", self.chain_id);
        let _ = writeln!(out, "mode = \"alert_only\"");
        for (id, ty) in [("mempool", "mempool"), ("blocks", "blocks")] {
            let _ = writeln!(out, "\n[sources.{id}]\ntype = \"{ty}\"\nendpoints = [{endpoint}]");
        }
        for victim in self.victims() {
            let abi = abi_dir.join(format!("{}.json", victim.artifact));
            let _ = writeln!(out, "\n[[contracts]]");
            let _ = writeln!(out, "name = \"{}\"", victim.name);
            let _ = writeln!(out, "address = \"{}\"", victim.address);
            let _ = writeln!(out, "abi = {}", toml_string(&abi.to_string_lossy()));
            let _ = writeln!(out, "guardian_function = \"pause()\"");
        }
        let _ = writeln!(out, "\n[analyzers.watchlist]\ntype = \"watchlist\"");
        let _ = writeln!(out, "\n[sinks.console]\ntype = \"console\"");
        out
    }
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
