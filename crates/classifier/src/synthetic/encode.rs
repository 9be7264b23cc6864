//! Builds calldata and the matching decoded [`CallInfo`] together, the way the decoder would
//! report it: static words in the head, dynamic data in the tail behind an offset.

use alloy_primitives::keccak256;
use serde_json::{Value, json};
use vigil_types::{Address, Bytes, CallArg, CallInfo, DecodedBy, U256};

/// One call under construction.
pub(crate) struct CallBuilder {
    name: &'static str,
    types: Vec<&'static str>,
    head: Vec<[u8; 32]>,
    /// (head index of the offset word, encoded tail bytes)
    tails: Vec<(usize, Vec<u8>)>,
    args: Vec<CallArg>,
}

fn word(v: U256) -> [u8; 32] {
    v.to_be_bytes::<32>()
}

fn address_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

impl CallBuilder {
    pub(crate) fn new(name: &'static str) -> Self {
        Self { name, types: Vec::new(), head: Vec::new(), tails: Vec::new(), args: Vec::new() }
    }

    fn arg(&mut self, ty: &'static str, value: Value) {
        let i = self.args.len();
        self.types.push(ty);
        self.args.push(CallArg { name: format!("arg{i}"), ty: ty.to_owned(), value });
    }

    pub(crate) fn address(mut self, a: Address) -> Self {
        self.head.push(address_word(a));
        self.arg("address", json!(a.to_checksum(None)));
        self
    }

    pub(crate) fn uint(mut self, v: U256) -> Self {
        self.head.push(word(v));
        self.arg("uint256", json!(v.to_string()));
        self
    }

    pub(crate) fn bytes(mut self, data: &[u8]) -> Self {
        let mut tail = word(U256::from(data.len())).to_vec();
        tail.extend_from_slice(data);
        tail.resize(32 + data.len().div_ceil(32) * 32, 0);
        self.tails.push((self.head.len(), tail));
        self.head.push([0u8; 32]);
        self.arg("bytes", json!(format!("0x{}", hex(data))));
        self
    }

    pub(crate) fn addresses(mut self, list: &[Address]) -> Self {
        let mut tail = word(U256::from(list.len())).to_vec();
        for a in list {
            tail.extend_from_slice(&address_word(*a));
        }
        self.tails.push((self.head.len(), tail));
        self.head.push([0u8; 32]);
        let values: Vec<Value> = list.iter().map(|a| json!(a.to_checksum(None))).collect();
        self.arg("address[]", Value::Array(values));
        self
    }

    pub(crate) fn signature(&self) -> String {
        format!("{}({})", self.name, self.types.join(","))
    }

    /// The calldata and, when `decoded_by` is a decoder table, the decoded call.
    pub(crate) fn finish(mut self, decoded_by: DecodedBy) -> (Bytes, CallInfo) {
        let signature = self.signature();
        let hash = keccak256(signature.as_bytes());
        let mut data = hash[..4].to_vec();
        let mut offset = self.head.len() * 32;
        for (slot, tail) in &self.tails {
            self.head[*slot] = word(U256::from(offset));
            offset += tail.len();
        }
        for w in &self.head {
            data.extend_from_slice(w);
        }
        for (_, tail) in &self.tails {
            data.extend_from_slice(tail);
        }
        let selector = Some(format!("0x{}", hex(&hash[..4])));
        let call = match decoded_by {
            DecodedBy::ContractAbi | DecodedBy::Registry => CallInfo {
                decoded_by,
                selector,
                function: Some(self.name.to_owned()),
                signature: Some(signature),
                args: self.args,
                error: None,
            },
            _ => CallInfo::unknown(selector, "unknown selector"),
        };
        (Bytes::from(data), call)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 4-byte selector of `signature`.
pub(crate) fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_head_and_tail() {
        let (data, call) = CallBuilder::new("transfer")
            .address(Address::repeat_byte(1))
            .uint(U256::from(5u8))
            .finish(DecodedBy::Registry);
        assert_eq!(&data[..4], &[0xa9, 0x05, 0x9c, 0xbb]);
        assert_eq!(data.len(), 68);
        assert_eq!(call.signature.as_deref(), Some("transfer(address,uint256)"));
        let (data, _) = CallBuilder::new("process").bytes(&[7; 40]).finish(DecodedBy::ContractAbi);
        // selector + offset + length + 64 padded bytes
        assert_eq!(data.len(), 4 + 32 + 32 + 64);
        assert_eq!(data[4 + 31], 32);
    }
}
