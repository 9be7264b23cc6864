//! Parameter analysis: flags and structure of a call's arguments, from the decoded arguments
//! when the call decoded, or from the raw 32-byte argument words when it did not.

use serde_json::Value;
use vigil_types::CallArg;

/// 2^256 − 1 in decimal, as the decoder writes it.
const MAX_UINT: &str =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
/// Array elements inspected per array; longer arrays are judged by their head.
const MAX_ELEMENTS: usize = 64;
/// Raw words inspected; longer calldata is judged by its head.
const MAX_WORDS: usize = 256;

/// What the arguments look like.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ParamStats {
    pub(crate) zero_address: bool,
    pub(crate) max_uint: bool,
    pub(crate) tiny: bool,
    pub(crate) huge: bool,
    pub(crate) count: u32,
    pub(crate) dynamic: u32,
    pub(crate) nesting: u32,
    pub(crate) addresses: u32,
    /// `bytes` arguments that start like calldata (a selector then whole words).
    pub(crate) embedded_calls: u32,
    /// Selectors of those embedded calls (first few).
    pub(crate) embedded_selectors: [u32; 4],
}

impl ParamStats {
    /// Statistics of decoded arguments.
    pub(crate) fn decoded(args: &[CallArg]) -> Self {
        let mut s = ParamStats { count: args.len() as u32, ..Default::default() };
        for arg in args {
            if is_dynamic(&arg.ty) {
                s.dynamic += 1;
            }
            s.nesting = s.nesting.max(nesting(&arg.ty));
            s.visit(&arg.ty, &arg.value, 0);
        }
        s
    }

    fn visit(&mut self, ty: &str, value: &Value, depth: u32) {
        if depth > 8 {
            return;
        }
        if let Some(inner) = ty.strip_suffix(']') {
            // `T[]` or `T[n]`: the element type is everything before the last `[`.
            let element = inner.rfind('[').map_or(inner, |i| &inner[..i]);
            if let Value::Array(items) = value {
                for item in items.iter().take(MAX_ELEMENTS) {
                    self.visit(element, item, depth + 1);
                }
            }
            return;
        }
        if let (Some(inner), Value::Array(items)) =
            (ty.strip_prefix('(').and_then(|t| t.strip_suffix(')')), value)
        {
            for (component, item) in split_tuple(inner).zip(items) {
                self.visit(component, item, depth + 1);
            }
            return;
        }
        let Value::String(text) = value else { return };
        if ty == "address" {
            self.addresses += 1;
            let hex = text.trim_start_matches("0x");
            if !hex.is_empty() && hex.bytes().all(|b| b == b'0') {
                self.zero_address = true;
            }
        } else if ty.starts_with("uint") || ty.starts_with("int") {
            self.integer(text);
        } else if ty == "bytes" {
            let hex = text.trim_start_matches("0x");
            // A selector (8 hex digits) followed by whole 32-byte words looks like calldata.
            if hex.len() >= 8 && (hex.len() - 8) % 64 == 0 {
                if let Some(Ok(selector)) = hex.get(..8).map(|h| u32::from_str_radix(h, 16))
                    && (self.embedded_calls as usize) < self.embedded_selectors.len()
                {
                    self.embedded_selectors[self.embedded_calls as usize] = selector;
                }
                self.embedded_calls += 1;
            }
        }
    }

    fn integer(&mut self, text: &str) {
        let digits = text.trim_start_matches('-');
        if text == MAX_UINT {
            self.max_uint = true;
        } else if digits.len() >= 31 {
            self.huge = true;
        } else if digits.len() <= 3
            && digits != "0"
            && digits.parse::<u32>().is_ok_and(|n| n < 1000)
        {
            self.tiny = true;
        }
    }

    /// Statistics of undecoded argument bytes (calldata after the selector).
    pub(crate) fn raw(args: &[u8]) -> Self {
        let mut s = ParamStats::default();
        for word in args.chunks_exact(32).take(MAX_WORDS) {
            s.count += 1;
            let leading_zero = word.iter().take_while(|b| **b == 0).count();
            if leading_zero == 32 {
                continue;
            }
            if word.iter().all(|b| *b == 0xff) {
                s.max_uint = true;
            } else if (12..=14).contains(&leading_zero) {
                // 12 zero bytes then a high 20-byte value: an address.
                s.addresses += 1;
            } else if leading_zero >= 30 {
                let v = u32::from(word[30]) << 8 | u32::from(word[31]);
                if v < 1000 {
                    s.tiny = true;
                }
                // A small multiple of 32 within the calldata is an offset to dynamic data.
                if v % 32 == 0 && (v as usize) < args.len() {
                    s.dynamic += 1;
                }
            } else if (15..=19).contains(&leading_zero) {
                // 13–17 significant bytes: a number ≥ 10^30 (0x0d·256^12 ≈ 1.03·10^30) but far
                // below hash-like words, which have almost no leading zeros.
                s.huge |= leading_zero < 19 || word[19] >= 0x0d;
            }
        }
        s
    }
}

fn is_dynamic(ty: &str) -> bool {
    ty == "bytes"
        || ty == "string"
        || ty.ends_with("[]")
        || ty
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .is_some_and(|inner| split_tuple(inner).any(is_dynamic))
}

/// Levels of arrays and tuples: `uint256` 0, `uint256[]` 1, `(uint256,bytes)[]` 2.
fn nesting(ty: &str) -> u32 {
    if let Some(inner) = ty.strip_suffix(']') {
        let element = inner.rfind('[').map_or(inner, |i| &inner[..i]);
        return 1 + nesting(element);
    }
    match ty.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => 1 + split_tuple(inner).map(nesting).max().unwrap_or(0),
        None => 0,
    }
}

/// Splits `a,(b,c),d[]` into its top-level components.
fn split_tuple(inner: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        parts.push(&inner[start..]);
    }
    parts.into_iter()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn arg(ty: &str, value: Value) -> CallArg {
        CallArg { name: "a".into(), ty: ty.into(), value }
    }

    #[test]
    fn flags_decoded_arguments() {
        let s = ParamStats::decoded(&[
            arg("address", json!("0x0000000000000000000000000000000000000000")),
            arg("uint256", json!(MAX_UINT)),
            arg("uint256[]", json!(["7", "1000000000000000000000000000000"])),
            arg(
                "(address,bytes)",
                json!(["0x00000000000000000000000000000000000000aa", "0xa9059cbb"]),
            ),
        ]);
        assert!(s.zero_address && s.max_uint && s.tiny && s.huge);
        assert_eq!((s.count, s.dynamic, s.nesting, s.addresses), (4, 2, 1, 2));
        assert_eq!(s.embedded_calls, 1);
        assert_eq!(s.embedded_selectors[0], 0xa905_9cbb);
    }

    #[test]
    fn reads_raw_words() {
        let mut args = vec![0u8; 96];
        args[12..32].copy_from_slice(&[0xab; 20]); // address
        args[63] = 5; // tiny
        args[64..96].copy_from_slice(&[0xff; 32]); // max
        let s = ParamStats::raw(&args);
        assert_eq!((s.count, s.addresses), (3, 1));
        assert!(s.tiny && s.max_uint && !s.huge);
    }

    #[test]
    fn tuple_splitting_respects_nesting() {
        let parts: Vec<_> = split_tuple("a,(b,c)[],d").collect();
        assert_eq!(parts, ["a", "(b,c)[]", "d"]);
        assert!(is_dynamic("(uint256,bytes)"));
        assert!(!is_dynamic("(uint256,address)"));
        assert_eq!(nesting("((a,b)[],c)"), 3);
    }
}
