//! Hard spending caps: per transaction, per rolling hour and per rolling day. Each action
//! (all versions of one nonce: only one can be mined) is charged its worst case — gas limit ×
//! max fee of its latest version — until it is mined, then what it really cost. Pure: the
//! caller passes the time.

use std::collections::BTreeMap;

use crate::units::Wei;

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// The three caps, in wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendCaps {
    /// Worst-case cost of one transaction.
    pub per_tx: u128,
    /// Everything charged in the last hour.
    pub per_hour: u128,
    /// Everything charged in the last 24 hours.
    pub per_day: u128,
}

/// Which cap would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapKind {
    /// The per-transaction cap.
    PerTx,
    /// The rolling-hour cap.
    PerHour,
    /// The rolling-day cap.
    PerDay,
}

impl CapKind {
    /// Config-style name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerTx => "max_tx_cost",
            Self::PerHour => "max_hourly_spend",
            Self::PerDay => "max_daily_spend",
        }
    }
}

/// What one action has been charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Charge {
    at_ms: u64,
    wei: u128,
}

/// The charges of recent actions, keyed by action (finding id).
#[derive(Debug, Clone, Default)]
pub struct SpendLedger {
    charges: BTreeMap<String, Charge>,
}

impl SpendLedger {
    /// Sets what action `key` (started at `at_ms`) is charged: its worst case while pending,
    /// its real cost once mined, zero if nothing was sent.
    pub fn charge(&mut self, key: &str, at_ms: u64, wei: u128) {
        self.charges.insert(key.to_owned(), Charge { at_ms, wei });
    }

    /// Total charged to actions other than `except` that started less than `window_ms`
    /// before `now_ms`.
    fn others_within(&self, now_ms: u64, window_ms: u64, except: &str) -> u128 {
        self.charges
            .iter()
            .filter(|(key, c)| now_ms.saturating_sub(c.at_ms) < window_ms && key.as_str() != except)
            .fold(0u128, |sum, (_, c)| sum.saturating_add(c.wei))
    }

    /// Charged in the window of `window_ms` before `now_ms`.
    pub fn spent(&self, now_ms: u64, window_ms: u64) -> u128 {
        self.others_within(now_ms, window_ms, "")
    }

    /// The most action `key` may be charged now, and the cap that sets that limit.
    pub fn budget(&self, caps: &SpendCaps, key: &str, now_ms: u64) -> (u128, CapKind) {
        let hour = caps.per_hour.saturating_sub(self.others_within(now_ms, HOUR_MS, key));
        let day = caps.per_day.saturating_sub(self.others_within(now_ms, DAY_MS, key));
        [(caps.per_tx, CapKind::PerTx), (hour, CapKind::PerHour), (day, CapKind::PerDay)]
            .into_iter()
            .min_by_key(|(wei, _)| *wei)
            .unwrap_or((0, CapKind::PerTx))
    }

    /// Forgets charges older than a day before `now_ms`.
    pub fn prune(&mut self, now_ms: u64) {
        self.charges.retain(|_, c| now_ms.saturating_sub(c.at_ms) < DAY_MS);
    }
}

/// A refusal because a cap would break, for logs and records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapRefusal {
    /// The binding cap.
    pub cap: CapKind,
    /// What is left under it.
    pub left: u128,
    /// What winning would cost.
    pub needed: u128,
}

impl std::fmt::Display for CapRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refused by cap {}: outbidding the attacker needs up to {} but only {} is left",
            self.cap.as_str(),
            Wei(self.needed),
            Wei(self.left)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: SpendCaps = SpendCaps { per_tx: 100, per_hour: 250, per_day: 400 };

    #[test]
    fn budget_is_the_tightest_cap_left() {
        let mut ledger = SpendLedger::default();
        let now = 10 * DAY_MS;
        // (charges before: (key, age in ms, wei)), asking key → (budget, binding cap)
        type Charges<'a> = &'a [(&'a str, u64, u128)];
        let table: [(Charges, (u128, CapKind)); 5] = [
            (&[], (100, CapKind::PerTx)),
            (&[("a", 1_000, 100)], (100, CapKind::PerTx)),
            (&[("a", 1_000, 100), ("b", 2_000, 100)], (50, CapKind::PerHour)),
            // An hour later the hour cap is free again, the day cap is not.
            (&[("a", HOUR_MS + 1, 150), ("b", HOUR_MS + 2, 200)], (50, CapKind::PerDay)),
            // Older than a day: forgotten.
            (&[("a", DAY_MS + 1, 400)], (100, CapKind::PerTx)),
        ];
        for (charges, want) in table {
            ledger.charges.clear();
            for (key, age, wei) in charges {
                ledger.charge(key, now - age, *wei);
            }
            assert_eq!(ledger.budget(&CAPS, "new", now), want, "{charges:?}");
        }
    }

    #[test]
    fn an_action_is_not_charged_twice_for_its_replacements() {
        let mut ledger = SpendLedger::default();
        ledger.charge("a", 0, 90);
        ledger.charge("b", 1, 90);
        // Replacing b: its own earlier charge does not count against it.
        assert_eq!(ledger.budget(&CAPS, "b", 2), (100, CapKind::PerTx));
        ledger.charge("b", 1, 100);
        assert_eq!(ledger.spent(2, HOUR_MS), 190);
        assert_eq!(ledger.budget(&CAPS, "c", 2), (60, CapKind::PerHour));
        ledger.prune(DAY_MS + 5);
        assert_eq!(ledger.spent(DAY_MS + 5, DAY_MS), 0);
    }

    #[test]
    fn refusals_explain_themselves() {
        let refusal =
            CapRefusal { cap: CapKind::PerHour, left: 1_000_000_000, needed: 3_000_000_000 };
        assert_eq!(
            refusal.to_string(),
            "refused by cap max_hourly_spend: outbidding the attacker needs up to 3 gwei but only 1 gwei is left"
        );
    }
}
