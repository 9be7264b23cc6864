//! Calldata decoding: the monitored contract's own ABI first, then a registry of common
//! functions. Anything that does not decode is returned as [`DecodedBy::Unknown`] with the
//! reason — the transaction is still analysed.

mod registry;
mod value;

use std::collections::HashMap;

use alloy::{dyn_abi::JsonAbiExt, json_abi::Function};
use alloy_primitives::Address;
use vigil_types::{CallArg, CallInfo, DecodedBy, TxInfo};

pub use registry::registry_signatures;

use crate::MonitoredContracts;

type BySelector = HashMap<[u8; 4], Vec<Function>>;

/// Decodes calldata into [`CallInfo`].
#[derive(Debug, Clone)]
pub struct CallDecoder {
    contracts: HashMap<Address, BySelector>,
    registry: BySelector,
}

impl CallDecoder {
    /// A decoder for the given contracts plus the built-in registry.
    pub fn new(contracts: &MonitoredContracts) -> Self {
        let contracts = contracts
            .abis()
            .map(|(address, abi)| (*address, index(abi.functions().cloned())))
            .collect();
        Self { contracts, registry: index(registry::functions()) }
    }

    /// Fills `tx.call` with the decoded calldata.
    pub fn annotate(&self, tx: &mut TxInfo) {
        tx.call = Some(self.decode(tx.to.as_ref(), &tx.input));
    }

    /// Decodes `input` sent to `to`.
    pub fn decode(&self, to: Option<&Address>, input: &[u8]) -> CallInfo {
        let Some(to) = to else {
            return CallInfo { decoded_by: DecodedBy::Creation, ..empty() };
        };
        if input.is_empty() {
            return CallInfo { decoded_by: DecodedBy::Empty, ..empty() };
        }
        let Some(selector) = input.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
            return CallInfo::unknown(
                None,
                format!("calldata of {} bytes has no selector", input.len()),
            );
        };
        let selector_hex = Some(format!("0x{}", hex::encode(selector)));
        let tables = [
            (DecodedBy::ContractAbi, self.contracts.get(to).and_then(|t| t.get(&selector))),
            (DecodedBy::Registry, self.registry.get(&selector)),
        ];
        let mut last_error = None;
        for (decoded_by, candidates) in tables {
            for function in candidates.into_iter().flatten() {
                match function.abi_decode_input(&input[4..]) {
                    Ok(values) => {
                        let args = function
                            .inputs
                            .iter()
                            .zip(values)
                            .enumerate()
                            .map(|(i, (param, v))| CallArg {
                                name: if param.name.is_empty() {
                                    format!("arg{i}")
                                } else {
                                    param.name.clone()
                                },
                                ty: param.selector_type().into_owned(),
                                value: value::to_json(&v),
                            })
                            .collect();
                        return CallInfo {
                            decoded_by,
                            selector: selector_hex,
                            function: Some(function.name.clone()),
                            signature: Some(function.signature()),
                            args,
                            error: None,
                        };
                    }
                    Err(e) => {
                        last_error = Some(format!(
                            "arguments do not decode as {}: {e}",
                            function.signature()
                        ))
                    }
                }
            }
        }
        CallInfo::unknown(selector_hex, last_error.unwrap_or_else(|| "unknown selector".to_owned()))
    }
}

fn empty() -> CallInfo {
    CallInfo {
        decoded_by: DecodedBy::Unknown,
        selector: None,
        function: None,
        signature: None,
        args: Vec::new(),
        error: None,
    }
}

fn index(functions: impl Iterator<Item = Function>) -> BySelector {
    let mut table = BySelector::new();
    for function in functions {
        table.entry(function.selector().0).or_default().push(function);
    }
    table
}

#[cfg(test)]
mod tests;
