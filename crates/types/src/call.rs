use serde::{Deserialize, Serialize};

/// How a transaction's calldata was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecodedBy {
    /// The monitored contract's own JSON ABI.
    ContractAbi,
    /// The built-in registry of common function selectors.
    Registry,
    /// No calldata: a plain value transfer.
    Empty,
    /// A contract creation (no `to`).
    Creation,
    /// The selector is unknown or the arguments did not decode; the tx is still analysed.
    Unknown,
}

/// One decoded argument. Integers are decimal strings (they may exceed 64 bits), addresses and
/// bytes are 0x-hex, arrays and tuples are JSON arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallArg {
    /// Parameter name from the ABI, or `argN` when the ABI has none.
    pub name: String,
    /// Solidity type, e.g. `uint256` or `(address,uint256)[]`.
    pub ty: String,
    /// The value, as described on the type.
    pub value: serde_json::Value,
}

/// The decoded view of a transaction's calldata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInfo {
    /// Where the decoding came from; `Unknown` means it failed.
    pub decoded_by: DecodedBy,
    /// First four calldata bytes as 0x-hex, when there are at least four.
    pub selector: Option<String>,
    /// Function name, e.g. `transfer`.
    pub function: Option<String>,
    /// Canonical signature, e.g. `transfer(address,uint256)`.
    pub signature: Option<String>,
    /// Decoded arguments in ABI order.
    pub args: Vec<CallArg>,
    /// Why decoding failed, when it did.
    pub error: Option<String>,
}

impl CallInfo {
    /// A call whose calldata could not be understood.
    pub fn unknown(selector: Option<String>, error: impl Into<String>) -> Self {
        Self {
            decoded_by: DecodedBy::Unknown,
            selector,
            function: None,
            signature: None,
            args: Vec::new(),
            error: Some(error.into()),
        }
    }

    /// True when the calldata was not decoded.
    pub fn is_unknown(&self) -> bool {
        self.decoded_by == DecodedBy::Unknown
    }

    /// The function name, or a placeholder describing what the call is.
    pub fn label(&self) -> &str {
        match (&self.function, self.decoded_by) {
            (Some(name), _) => name,
            (None, DecodedBy::Empty) => "<transfer>",
            (None, DecodedBy::Creation) => "<create>",
            (None, _) => "<unknown>",
        }
    }
}
