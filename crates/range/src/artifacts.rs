//! The compiled contracts, embedded from `range/artifacts/*.json` at build time, and the
//! source hash that tells whether those artifacts still match `range/contracts/*.sol`.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use alloy::primitives::Bytes;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{RangeError, Result};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../../range/artifacts/", $name, ".json"
        )))),*]
    };
}

static EMBEDDED: &[(&str, &str)] = embedded!(
    "AmmPool",
    "Bridge",
    "BridgeAttacker",
    "BridgeStrike",
    "Collectible",
    "ConcentratedPool",
    "FlashArbitrage",
    "FlashLender",
    "FlashLoanAttacker",
    "FlashLoanStrike",
    "LendingPool",
    "Mixer",
    "ReentrancyAttacker",
    "ReentrancyStrike",
    "TakeoverAttacker",
    "TakeoverStrike",
    "Token",
    "Treasury",
    "Vault",
    "WrappedEther",
);

/// One compiled contract as `range/build.mjs` writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Contract name, also the artifact's file stem.
    pub contract_name: String,
    /// Source file inside `range/contracts`.
    pub source_name: String,
    /// Full solc version string.
    pub compiler: String,
    /// [`source_hash`] of the sources this artifact was compiled from.
    pub source_hash: String,
    /// The JSON ABI.
    pub abi: serde_json::Value,
    /// Init code (constructor arguments are appended to it).
    pub bytecode: Bytes,
    /// Runtime code.
    pub deployed_bytecode: Bytes,
}

impl Artifact {
    /// Init code followed by the ABI-encoded constructor arguments.
    pub fn init_code(&self, constructor_args: &[u8]) -> Bytes {
        let mut code = self.bytecode.to_vec();
        code.extend_from_slice(constructor_args);
        code.into()
    }
}

fn parsed() -> &'static HashMap<&'static str, std::result::Result<Artifact, String>> {
    static PARSED: OnceLock<HashMap<&'static str, std::result::Result<Artifact, String>>> =
        OnceLock::new();
    PARSED.get_or_init(|| {
        EMBEDDED
            .iter()
            .map(|(name, text)| (*name, serde_json::from_str(text).map_err(|e| e.to_string())))
            .collect()
    })
}

/// The embedded artifact of contract `name`.
pub fn artifact(name: &str) -> Result<&'static Artifact> {
    match parsed().get(name) {
        Some(Ok(artifact)) => Ok(artifact),
        Some(Err(reason)) => {
            Err(RangeError::Artifact { name: name.to_owned(), reason: reason.clone() })
        }
        None => Err(RangeError::Artifact { name: name.to_owned(), reason: "not embedded".into() }),
    }
}

/// Names of every embedded artifact.
pub fn artifact_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED.iter().map(|(name, _)| *name)
}

/// `range/` in the source tree this crate was built from.
pub fn range_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../range")
}

/// sha256 over `range/build.mjs` and every `range/contracts/*.sol` (sorted by name), each as
/// `<name>\n<byte length>\n<bytes>\n` — the same digest `build.mjs` stores in every artifact.
pub fn source_hash(range_dir: &Path) -> Result<String> {
    let io = |path: &Path, e: std::io::Error| RangeError::Io(format!("{}: {e}", path.display()));
    let contracts = range_dir.join("contracts");
    let mut names: Vec<String> = std::fs::read_dir(&contracts)
        .map_err(|e| io(&contracts, e))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".sol"))
        .collect();
    names.sort();
    let mut files = vec![("build.mjs".to_owned(), range_dir.join("build.mjs"))];
    files.extend(names.into_iter().map(|n| (format!("contracts/{n}"), contracts.join(n))));
    let mut hasher = Sha256::new();
    for (name, path) in files {
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        hasher.update(format!("{name}\n{}\n", bytes.len()).as_bytes());
        hasher.update(&bytes);
        hasher.update(b"\n");
    }
    Ok(hex::encode(hasher.finalize()))
}
