use std::time::Duration;

use rand::{Rng, SeedableRng, rngs::SmallRng};
use serde::Deserialize;

/// Reconnect timing: exponential backoff with full jitter, reset after a healthy connection.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackoffConfig {
    /// First delay, in milliseconds.
    pub initial_ms: u64,
    /// Largest delay, in milliseconds.
    pub max_ms: u64,
    /// Growth factor per failed round over all endpoints.
    pub factor: f64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self { initial_ms: 100, max_ms: 10_000, factor: 2.0 }
    }
}

impl BackoffConfig {
    /// Problems with the values, as `(field, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.initial_ms == 0 {
            out.push(("initial_ms", "must be at least 1".to_owned()));
        }
        if self.max_ms < self.initial_ms {
            out.push(("max_ms", format!("must be ≥ initial_ms ({})", self.initial_ms)));
        }
        if !(1.0..=10.0).contains(&self.factor) {
            out.push(("factor", "must be within 1..=10".to_owned()));
        }
        out
    }
}

/// Walks the endpoint list; after every full round without success the delay grows.
#[derive(Debug)]
pub(crate) struct Backoff {
    config: BackoffConfig,
    endpoints: usize,
    current: usize,
    failures: u32,
    rng: SmallRng,
}

impl Backoff {
    pub(crate) fn new(config: BackoffConfig, endpoints: usize) -> Self {
        // Jitter only spreads reconnects out; it never affects findings.
        let rng = SmallRng::from_os_rng();
        Self { config, endpoints: endpoints.max(1), current: 0, failures: 0, rng }
    }

    /// Index of the endpoint to try next.
    pub(crate) fn endpoint(&self) -> usize {
        self.current
    }

    /// Records a failure of the current endpoint and moves to the next one; returns how long
    /// to wait first. Failing over is immediate; a full failed round waits, longer each time.
    pub(crate) fn failed(&mut self) -> Duration {
        self.current = (self.current + 1) % self.endpoints;
        self.failures = self.failures.saturating_add(1);
        if !(self.failures as usize).is_multiple_of(self.endpoints) {
            return Duration::ZERO;
        }
        let rounds = (self.failures as usize / self.endpoints).min(30) as i32;
        let cap = (self.config.initial_ms as f64 * self.config.factor.powi(rounds - 1))
            .min(self.config.max_ms as f64)
            .max(1.0);
        Duration::from_millis(self.rng.random_range(cap / 2.0..=cap) as u64)
    }

    /// Records a healthy connection: the next failure starts over from the smallest delay.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_over_before_waiting_and_grows_within_cap() {
        let config = BackoffConfig { initial_ms: 100, max_ms: 1000, factor: 2.0 };
        let mut b = Backoff::new(config, 2);
        assert_eq!(b.endpoint(), 0);
        assert_eq!(b.failed(), Duration::ZERO);
        assert_eq!(b.endpoint(), 1);
        let first = b.failed();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        for _ in 0..20 {
            b.failed();
        }
        let late = b.failed();
        assert!(late <= Duration::from_millis(1000), "{late:?}");
    }

    #[test]
    fn success_resets_the_delay() {
        let mut b = Backoff::new(BackoffConfig::default(), 1);
        for _ in 0..10 {
            b.failed();
        }
        b.succeeded();
        assert!(b.failed() <= Duration::from_millis(100));
    }
}
