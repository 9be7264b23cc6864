//! `vigil defense-bench`: attacker transaction sent → our pause accepted by the node, over
//! many attacks on the range, through vigil's real engine (WebSocket mempool source,
//! watchlist, executor). Each round: an attacker calls the treasury's `initialize` (the
//! takeover), vigil pauses ahead of it, the block is mined (pause first, attack reverted),
//! the owner unpauses.

use std::time::Instant;

use rand::{Rng, SeedableRng, rngs::StdRng};
use vigil_range::{PlannedTx, RangeLayout};
use vigil_rules::WatchlistConfig;
use vigil_types::ThreatLevel;

use super::{AttackFees, DefenseLab, next_report};
use crate::{ActionStatus, Result};

alloy::sol! {
    function initialize(address newOwner, address rewardToken_) external;
}

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchOptions {
    /// Attacks to time (at least 100 for a p99 worth reading).
    pub attacks: usize,
    /// Seed of the attackers' fees.
    pub seed: u64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self { attacks: 200, seed: 1 }
    }
}

/// Latency samples, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct BenchReport {
    /// Attacker tx sent → our pause accepted by the node.
    pub end_to_end_us: Vec<u64>,
    /// Attacker tx sent → the finding reaches the executor (node, WebSocket, source,
    /// analyzer, engine).
    pub detection_us: Vec<u64>,
    /// Finding received by the executor → our pause accepted (the executor's own share:
    /// simulation, fees, signing, journal, broadcast).
    pub executor_us: Vec<u64>,
    /// Attacks whose pause was mined first and whose attack reverted.
    pub saved: usize,
}

/// `p` (0..=1) of `samples` (sorted in place).
pub fn percentile(samples: &mut [u64], p: f64) -> u64 {
    if samples.is_empty() {
        return 0;
    }
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

impl BenchReport {
    /// Human-readable lines with p50 / p99 / max.
    pub fn lines(&self) -> Vec<String> {
        let line = |name: &str, samples: &[u64]| {
            let mut s = samples.to_vec();
            let (p50, p99, max) =
                (percentile(&mut s, 0.5), percentile(&mut s, 0.99), percentile(&mut s, 1.0));
            format!(
                "{name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} attacks",
                p50 as f64 / 1e3,
                p99 as f64 / 1e3,
                max as f64 / 1e3,
                samples.len()
            )
        };
        vec![
            line("attacker tx sent → pause accepted by anvil", &self.end_to_end_us),
            line("  of which attacker tx sent → finding at the executor", &self.detection_us),
            line("  of which finding at the executor → pause accepted", &self.executor_us),
            format!(
                "saved (pause mined first, attack reverted): {} of {}",
                self.saved,
                self.end_to_end_us.len()
            ),
        ]
    }
}

/// Runs the benchmark on a fresh local anvil with the range deployed.
pub async fn run(options: BenchOptions) -> Result<BenchReport> {
    let mut lab = DefenseLab::start(RangeLayout::small()).await?;
    let mut config = lab.executor_config("bench.db");
    config.cooldown_secs = 0; // the same target is attacked again every round
    let executor = lab.executor(&config).await?;
    let mut reports = executor.reports();
    let mut watchlist = WatchlistConfig::default();
    watchlist.listed_functions.insert("initialize".into(), ThreatLevel::Critical);
    let vigil = lab.start_vigil(executor, watchlist, lab.monitored(&[]), Vec::new()).await?;

    let treasury = lab.range.contracts.treasury;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut report = BenchReport::default();
    for round in 0..options.attacks {
        let attacker = lab.range.attackers[round % lab.range.attackers.len()];
        let call = initializeCall { newOwner: attacker, rewardToken_: lab.range.contracts.gov };
        let tx = PlannedTx::call(attacker, treasury, &call, 200_000);
        let fees =
            AttackFees { tip: rng.random_range(1..=5) * 1_000_000_000, max_fee: 50_000_000_000 };
        let nonce = lab.pending_nonce(attacker).await?;
        let sent_at = Instant::now();
        let hash = lab.send_with(&tx, fees, nonce).await?;
        let sent = next_report(&mut reports, |r| {
            r.record.attack_tx == Some(hash) && r.status() == ActionStatus::Sent
        })
        .await?;
        if let (Some(received), Some(accepted)) = (sent.received_at, sent.accepted_at) {
            report.end_to_end_us.push(accepted.duration_since(sent_at).as_micros() as u64);
            report.executor_us.push(accepted.duration_since(received).as_micros() as u64);
            report
                .detection_us
                .push(received.saturating_duration_since(sent_at).as_micros() as u64);
        }
        lab.mine().await?;
        let done = next_report(&mut reports, |r| {
            r.record.finding_id == sent.record.finding_id && !r.status().is_open()
        })
        .await?;
        let reverted = lab.position(hash).await?.is_some_and(|(ok, _, _)| !ok);
        if done.status() == ActionStatus::Saved && reverted {
            report.saved += 1;
        }
        lab.unpause(treasury).await?;
    }
    vigil.stop().await?;
    Ok(report)
}
