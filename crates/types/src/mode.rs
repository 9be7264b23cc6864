use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// What a run is allowed to do with its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Record findings in the stores only.
    #[default]
    MonitorOnly,
    /// Record and alert.
    AlertOnly,
    /// Record, alert, and let defense sinks act.
    ActiveDefense,
}

/// The part a sink plays; the mode decides which roles receive findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinkRole {
    /// Keeps every finding (database, JSONL file, tamper-evident log).
    Store,
    /// Tells people (console, webhook, chat).
    Alert,
    /// Acts on the chain (the pause executor).
    Defense,
}

impl Mode {
    /// Whether a sink of `role` receives findings in this mode. Stores always do.
    pub fn delivers_to(self, role: SinkRole) -> bool {
        match role {
            SinkRole::Store => true,
            SinkRole::Alert => self != Mode::MonitorOnly,
            SinkRole::Defense => self == Mode::ActiveDefense,
        }
    }

    /// The name used in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::MonitorOnly => "monitor_only",
            Mode::AlertOnly => "alert_only",
            Mode::ActiveDefense => "active_defense",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseModeError(pub String);

impl fmt::Display for ParseModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown mode `{}` (expected monitor_only, alert_only or active_defense)", self.0)
    }
}

impl std::error::Error for ParseModeError {}

impl FromStr for Mode {
    type Err = ParseModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Mode::MonitorOnly, Mode::AlertOnly, Mode::ActiveDefense]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| ParseModeError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_route_roles_as_designed() {
        use SinkRole::*;
        let table = [
            (Mode::MonitorOnly, [true, false, false]),
            (Mode::AlertOnly, [true, true, false]),
            (Mode::ActiveDefense, [true, true, true]),
        ];
        for (mode, want) in table {
            let got = [Store, Alert, Defense].map(|r| mode.delivers_to(r));
            assert_eq!(got, want, "{mode}");
        }
    }
}
