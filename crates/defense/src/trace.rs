//! Reading a call-tracer result without recursion. An attack may nest calls a thousand deep
//! (reentrancy does), past what a recursive JSON parser accepts or a small stack survives;
//! this scanner walks the text with an explicit stack and yields every frame's `to` and
//! `type`, frames in the order they start (pre-order: the order the calls happen).

use vigil_types::Address;

/// One call frame: its `type` (`CALL`, `STATICCALL`, ...) and `to`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Frame {
    pub(crate) kind: String,
    pub(crate) to: Option<Address>,
}

enum Container {
    Object { frame: usize, key: Option<String> },
    Array,
}

/// Every object in `json` as a frame, in the order the objects open. Malformed input gives
/// whatever was read before the problem.
pub(crate) fn frames(json: &str) -> Vec<Frame> {
    let bytes = json.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    let mut stack: Vec<Container> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                clear_key(&mut stack);
                frames.push(Frame::default());
                stack.push(Container::Object { frame: frames.len() - 1, key: None });
                i += 1;
            }
            b'[' => {
                clear_key(&mut stack);
                stack.push(Container::Array);
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                clear_key(&mut stack);
                i += 1;
            }
            b'"' => {
                let (text, next) = string(bytes, i + 1);
                i = next;
                match stack.last_mut() {
                    Some(Container::Object { key: key @ None, .. }) => *key = Some(text),
                    Some(Container::Object { frame, key: key @ Some(_) }) => {
                        match key.as_deref() {
                            Some("to") => frames[*frame].to = text.parse().ok(),
                            Some("type") => frames[*frame].kind = text,
                            _ => {}
                        }
                        *key = None;
                    }
                    _ => {}
                }
            }
            b',' | b':' | b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            _ => {
                // A number, true, false or null: a value that is neither `to` nor `type`.
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\n') {
                    i += 1;
                }
                clear_key(&mut stack);
            }
        }
    }
    frames
}

fn clear_key(stack: &mut [Container]) {
    if let Some(Container::Object { key, .. }) = stack.last_mut() {
        *key = None;
    }
}

/// The string starting at `start` (after the quote) and the index after its closing quote.
/// Escapes are kept as written: addresses and call types contain none.
fn string(bytes: &[u8], start: usize) -> (String, usize) {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => break,
            _ => i += 1,
        }
    }
    let end = i.min(bytes.len());
    (String::from_utf8_lossy(&bytes[start..end]).into_owned(), end + 1)
}

/// The addresses a traced call reaches with a state-changing call (not `STATICCALL`), first
/// reached first, each once.
pub(crate) fn touched(json: &str) -> Vec<Address> {
    let mut out = Vec::new();
    for frame in frames(json) {
        if frame.kind.is_empty() || frame.kind == "STATICCALL" {
            continue;
        }
        if let Some(to) = frame.to
            && !out.contains(&to)
        {
            out.push(to);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: u8) -> String {
        Address::repeat_byte(n).to_string()
    }

    #[test]
    fn reads_frames_in_call_order() {
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":1,"result":{{"from":"{x}","gas":"0x1","to":"{one}","input":"0x",
            "calls":[{{"type":"STATICCALL","to":"{nine}"}},
                     {{"from":"{x}","to":"{two}","calls":[{{"to":"{three}","type":"DELEGATECALL","value":"0x0"}}],"type":"CALL"}},
                     {{"type":"CALL","to":"{one}","error":"execution reverted: \"x\""}},
                     {{"type":"CREATE","to":"{four}","gasUsed":12}}],
            "value":"0x0","type":"CALL"}}}}"#,
            x = a(0xee),
            one = a(1),
            two = a(2),
            three = a(3),
            four = a(4),
            nine = a(9)
        );
        let want: Vec<Address> = [1, 2, 3, 4].map(Address::repeat_byte).to_vec();
        assert_eq!(touched(&json), want);
    }

    #[test]
    fn survives_nesting_deeper_than_any_parser_limit() {
        let depth = 5_000;
        let mut json = String::new();
        for i in 0..depth {
            json.push_str(&format!(
                r#"{{"type":"CALL","to":"{}","calls":["#,
                a((i % 200) as u8 + 1)
            ));
        }
        for _ in 0..depth {
            json.push_str("]}");
        }
        assert_eq!(frames(&json).len(), depth);
        assert_eq!(touched(&json).len(), 200);
    }

    #[test]
    fn tolerates_garbage() {
        for junk in
            ["", "{", "]]]}}}", r#"{"to":"#, r#"{"type":"CALL","to":"0xzz"}"#, "\"unterminated"]
        {
            let _ = touched(junk);
        }
        assert!(touched(r#"{"type":"CALL","to":"0xzz"}"#).is_empty());
    }
}
