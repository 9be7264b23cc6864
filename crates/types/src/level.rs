use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// How dangerous a finding is, ordered from harmless to critical.
///
/// Probability thresholds follow the design: `INFO < 0.3 ≤ LOW < 0.5 ≤ MEDIUM < 0.7 ≤ HIGH <
/// 0.9 ≤ CRITICAL`. `Info` doubles as "benign": worth recording, not worth an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ThreatLevel {
    /// Informational or benign.
    Info,
    /// Slightly unusual.
    Low,
    /// Worth a look.
    Medium,
    /// Likely an attack.
    High,
    /// Almost certainly an attack.
    Critical,
}

impl ThreatLevel {
    /// All levels, lowest first.
    pub const ALL: [ThreatLevel; 5] =
        [Self::Info, Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The level for a probability of malice; NaN maps to `Info`.
    pub fn from_probability(p: f64) -> Self {
        match p {
            p if p >= 0.9 => Self::Critical,
            p if p >= 0.7 => Self::High,
            p if p >= 0.5 => Self::Medium,
            p if p >= 0.3 => Self::Low,
            _ => Self::Info,
        }
    }

    /// Upper-case name, as in config files and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for ThreatLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no threat level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown threat level `{}` (expected INFO, LOW, MEDIUM, HIGH or CRITICAL)",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for ThreatLevel {
    type Err = ParseLevelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseLevelError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_bands_match_the_design() {
        let cases = [
            (0.0, ThreatLevel::Info),
            (0.29, ThreatLevel::Info),
            (0.3, ThreatLevel::Low),
            (0.5, ThreatLevel::Medium),
            (0.69, ThreatLevel::Medium),
            (0.7, ThreatLevel::High),
            (0.9, ThreatLevel::Critical),
            (1.0, ThreatLevel::Critical),
            (f64::NAN, ThreatLevel::Info),
        ];
        for (p, want) in cases {
            assert_eq!(ThreatLevel::from_probability(p), want, "p = {p}");
        }
    }

    #[test]
    fn parses_names_case_insensitively() {
        assert_eq!("high".parse::<ThreatLevel>(), Ok(ThreatLevel::High));
        assert!("severe".parse::<ThreatLevel>().is_err());
    }
}
