use std::{collections::HashMap, path::PathBuf};

use alloy::json_abi::JsonAbi;
use alloy_primitives::Address;
use serde::Deserialize;

use crate::ChainError;

/// A protected contract, as configured in `[[contracts]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    /// Human name used in findings.
    pub name: String,
    /// Deployed address.
    pub address: Address,
    /// Path to its JSON ABI: a plain ABI array, or an artifact with a top-level `abi` array.
    #[serde(default)]
    pub abi: Option<PathBuf>,
    /// The guardian call that stops it (used by active defense).
    #[serde(default = "default_guardian")]
    pub guardian_function: String,
}

fn default_guardian() -> String {
    "pause()".to_owned()
}

/// The monitored contracts with their loaded ABIs. Empty means "monitor every address".
#[derive(Debug, Clone, Default)]
pub struct MonitoredContracts {
    by_address: HashMap<Address, Monitored>,
}

#[derive(Debug, Clone)]
struct Monitored {
    name: String,
    abi: Option<JsonAbi>,
}

impl MonitoredContracts {
    /// Loads every ABI file; the first unreadable or invalid one is an error.
    pub fn load(contracts: &[ContractConfig]) -> Result<Self, ChainError> {
        let mut by_address = HashMap::new();
        for contract in contracts {
            let abi = contract.abi.as_ref().map(load_abi).transpose()?;
            by_address.insert(contract.address, Monitored { name: contract.name.clone(), abi });
        }
        Ok(Self { by_address })
    }

    /// Builds the set from already-parsed ABIs (tests, embedded range artifacts).
    pub fn from_abis(
        contracts: impl IntoIterator<Item = (String, Address, Option<JsonAbi>)>,
    ) -> Self {
        let by_address = contracts
            .into_iter()
            .map(|(name, address, abi)| (address, Monitored { name, abi }))
            .collect();
        Self { by_address }
    }

    /// True when no contract is configured (every transaction is of interest).
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    /// Whether transactions to `address` are of interest.
    pub fn watches(&self, address: Option<&Address>) -> bool {
        self.is_empty() || address.is_some_and(|a| self.by_address.contains_key(a))
    }

    /// The configured name of `address`.
    pub fn name(&self, address: &Address) -> Option<&str> {
        self.by_address.get(address).map(|m| m.name.as_str())
    }

    /// Addresses of all monitored contracts.
    pub fn addresses(&self) -> impl Iterator<Item = &Address> {
        self.by_address.keys()
    }

    pub(crate) fn abis(&self) -> impl Iterator<Item = (&Address, &JsonAbi)> {
        self.by_address.iter().filter_map(|(a, m)| m.abi.as_ref().map(|abi| (a, abi)))
    }
}

fn load_abi(path: &PathBuf) -> Result<JsonAbi, ChainError> {
    let err = |reason: String| ChainError::Abi { path: path.display().to_string(), reason };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    parse_abi(&text).map_err(err)
}

/// Parses a plain ABI array or an artifact object holding an `abi` array.
pub(crate) fn parse_abi(text: &str) -> Result<JsonAbi, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let abi = match value {
        serde_json::Value::Object(mut artifact) => {
            artifact.remove("abi").ok_or("object has no `abi` field")?
        }
        array => array,
    };
    serde_json::from_value(abi).map_err(|e| format!("not a valid ABI: {e}"))
}
