use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An amount of wei. In config files: an integer, or a string with an optional unit —
/// `"1500000000"`, `"1.5 gwei"`, `"0.05 ether"` (units: `wei`, `gwei`, `ether`/`eth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Wei(pub u128);

const GWEI: u128 = 1_000_000_000;
const ETHER: u128 = 1_000_000_000_000_000_000;

impl Wei {
    /// `n` gwei.
    pub const fn gwei(n: u64) -> Self {
        Self(n as u128 * GWEI)
    }
}

impl fmt::Display for Wei {
    /// Picks the unit that reads best, exactly: `21000 wei`, `1.5 gwei`, `40.000000001 gwei`,
    /// `0.0123 ether`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wei = self.0;
        let (unit, scale, digits) = if wei >= ETHER / 1000 {
            ("ether", ETHER, 18)
        } else if wei >= GWEI / 1000 {
            ("gwei", GWEI, 9)
        } else {
            return write!(f, "{wei} wei");
        };
        let fraction = format!("{:0digits$}", wei % scale);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            write!(f, "{} {unit}", wei / scale)
        } else {
            write!(f, "{}.{fraction} {unit}", wei / scale)
        }
    }
}

impl FromStr for Wei {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (number, unit) = match text.split_once(char::is_whitespace) {
            Some((n, u)) => (n.trim(), u.trim().to_ascii_lowercase()),
            None => (text, "wei".to_owned()),
        };
        let scale = match unit.as_str() {
            "wei" => 1,
            "gwei" => GWEI,
            "ether" | "eth" => ETHER,
            other => return Err(format!("unknown unit `{other}` (expected wei, gwei or ether)")),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(format!("`{text}` is not an amount"));
        }
        let overflow = || format!("`{text}` is too large");
        let mut wei = if whole.is_empty() {
            0u128
        } else {
            whole
                .parse::<u128>()
                .map_err(|_| overflow())?
                .checked_mul(scale)
                .ok_or_else(overflow)?
        };
        let mut place = scale;
        for c in fraction.chars() {
            place /= 10;
            if place == 0 {
                return Err(format!("`{text}` has more decimals than the unit allows"));
            }
            wei = wei.checked_add(u128::from(c as u8 - b'0') * place).ok_or_else(overflow)?;
        }
        Ok(Self(wei))
    }
}

impl Serialize for Wei {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Wei {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Wei;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of wei: an integer or a string such as \"30 gwei\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wei, E> {
                Ok(Wei(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wei, E> {
                u128::try_from(v).map(Wei).map_err(|_| E::custom("an amount cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wei, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_with_units() {
        let table = [
            ("21000", Ok(21_000)),
            ("1.5 gwei", Ok(1_500_000_000)),
            ("0.05 ether", Ok(50_000_000_000_000_000)),
            ("2 ETH", Ok(2 * ETHER)),
            (".5 gwei", Ok(500_000_000)),
            ("1.5 wei", Err(())),
            ("-1", Err(())),
            ("ten gwei", Err(())),
            ("3 szabo", Err(())),
            ("", Err(())),
        ];
        for (text, want) in table {
            let got = text.parse::<Wei>().map(|w| w.0).map_err(|_| ());
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn displays_in_a_readable_unit() {
        assert_eq!(Wei(21_000).to_string(), "21000 wei");
        assert_eq!(Wei(1_500_000_000).to_string(), "1.5 gwei");
        assert_eq!(Wei(ETHER / 20).to_string(), "0.05 ether");
        assert_eq!(Wei(40 * GWEI + 1).to_string(), "40.000000001 gwei");
        assert_eq!(Wei(2 * ETHER).to_string(), "2 ether");
    }

    #[test]
    fn deserializes_integers_and_strings() {
        #[derive(Deserialize)]
        struct T {
            a: Wei,
            b: Wei,
        }
        let t: T = toml::from_str("a = 7\nb = \"2 gwei\"").expect("valid");
        assert_eq!((t.a, t.b), (Wei(7), Wei::gwei(2)));
        assert!(toml::from_str::<T>("a = -7\nb = 1").is_err());
    }
}
