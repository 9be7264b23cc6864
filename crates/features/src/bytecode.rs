//! A one-pass opcode scan of EVM code: which kinds of calls it can make and which function
//! selectors it pushes (the functions it calls, and its own dispatch table). Init code is
//! scanned as it is: the runtime code it deploys follows the constructor and is read too.

use serde::{Deserialize, Serialize};

/// Largest code scanned; longer code is truncated (EIP-3860 caps init code at 48 KiB).
pub const MAX_SCANNED_CODE: usize = 49_152;

/// What an opcode scan found in a piece of code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSummary {
    /// Code length in bytes.
    pub len: usize,
    /// `CALL` opcodes (can forward ether).
    pub calls: u32,
    /// `STATICCALL` opcodes.
    pub static_calls: u32,
    /// `DELEGATECALL` and `CALLCODE` opcodes.
    pub delegate_calls: u32,
    /// `CREATE` and `CREATE2` opcodes.
    pub creates: u32,
    /// `SSTORE` opcodes.
    pub stores: u32,
    /// `SELFDESTRUCT` opcodes.
    pub self_destructs: u32,
    /// Distinct 4-byte constants pushed with `PUSH4`, sorted: the selectors the code calls or
    /// dispatches on.
    pub selectors: Vec<u32>,
}

const PUSH1: u8 = 0x60;
const PUSH4: u8 = 0x63;
const PUSH32: u8 = 0x7f;

impl CodeSummary {
    /// Scans `code` (at most [`MAX_SCANNED_CODE`] bytes), skipping push data.
    pub fn scan(code: &[u8]) -> Self {
        let code = &code[..code.len().min(MAX_SCANNED_CODE)];
        let mut out = CodeSummary { len: code.len(), ..Default::default() };
        let mut i = 0;
        while i < code.len() {
            let op = code[i];
            match op {
                0xf1 => out.calls += 1,
                0xfa => out.static_calls += 1,
                0xf2 | 0xf4 => out.delegate_calls += 1,
                0xf0 | 0xf5 => out.creates += 1,
                0x55 => out.stores += 1,
                0xff => out.self_destructs += 1,
                _ => {}
            }
            if (PUSH1..=PUSH32).contains(&op) {
                let n = usize::from(op - PUSH1) + 1;
                if op == PUSH4
                    && let Some(word) = code.get(i + 1..i + 5)
                {
                    let mut bytes = [0u8; 4];
                    bytes.copy_from_slice(word);
                    out.selectors.push(u32::from_be_bytes(bytes));
                }
                i += n;
            }
            i += 1;
        }
        out.selectors.sort_unstable();
        out.selectors.dedup();
        out
    }

    /// Whether the code pushes `selector`.
    pub fn references(&self, selector: u32) -> bool {
        self.selectors.binary_search(&selector).is_ok()
    }

    /// Whether the code pushes any of `selectors`.
    pub fn references_any(&self, selectors: &[u32]) -> bool {
        selectors.iter().any(|s| self.references(*s))
    }

    /// Outgoing calls of any kind.
    pub fn outgoing_calls(&self) -> u32 {
        self.calls + self.static_calls + self.delegate_calls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_opcodes_and_skips_push_data() {
        // PUSH4 0x2e1a7d4d, CALL, PUSH2 0xf4f4 (data, not opcodes), DELEGATECALL, SSTORE
        let code = [0x63, 0x2e, 0x1a, 0x7d, 0x4d, 0xf1, 0x61, 0xf4, 0xf4, 0xf4, 0x55];
        let s = CodeSummary::scan(&code);
        assert_eq!((s.calls, s.delegate_calls, s.stores), (1, 1, 1));
        assert!(s.references(0x2e1a_7d4d));
        assert!(!s.references(0xf4f4));
    }

    #[test]
    fn truncated_push_at_the_end_is_harmless() {
        let s = CodeSummary::scan(&[0x63, 0x01]);
        assert!(s.selectors.is_empty());
        assert_eq!(s.len, 2);
    }
}
