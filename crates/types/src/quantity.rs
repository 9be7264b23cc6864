//! Fee fields (`u128` wei) travel as decimal strings: JSON numbers lose precision past 2^53
//! in many consumers, and serde's buffered formats (tagged enums) cannot carry `u128` at all.

use serde::{Deserialize, Deserializer, Serializer, de::Error};

pub(crate) fn serialize<S: Serializer>(value: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Text(String),
    Number(u64),
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(u128::from(n))),
        Some(Raw::Text(text)) => text
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("`{text}` is not a wei amount"))),
    }
}
