//! A synthetic traffic generator for bootstrapping and tests: benign DeFi traffic with the
//! confounders real mempools have (MEV bots with unpublished selectors and high tips, benign
//! deployments followed by `initialize`, keepers taking flash loans, admins pausing), plus
//! attack runs of the range's four kinds along its routes (funding, deployment, exploit).
//!
//! Distributions (all seeded; documented in `docs/classifier.md`):
//! - arrivals: Poisson, `benign / duration` per second; attack stages 1–20 blocks (12 s) apart;
//! - tips: log-normal, median 1.5 gwei, σ = 0.6 (ln); MEV bots ×5–50; attack fee styles low
//!   (×0.5), normal (×1) or high (×10–40) in equal shares; max fee = 2 × 30 gwei + tip;
//! - senders: a pool of `senders` accounts with prior nonces log-normal (median 40); 4 % of
//!   benign transactions come from brand-new accounts; attackers are fresh (funded first) in
//!   two thirds of runs, old accounts otherwise;
//! - amounts: token amounts log-normal (median 500 tokens, σ = 2), ether log-normal
//!   (median 0.3 ETH, σ = 1.5); 60 % of approvals are unlimited.

mod attacks;
mod benign;
mod encode;

use rand::{Rng, SeedableRng, rngs::StdRng};
use vigil_types::{Address, B256, Bytes, TxInfo, U256};

use crate::{Label, LabelClass, LabelledTx};

/// Size and shape of a synthetic stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Benign transactions.
    pub benign: usize,
    /// Attack runs (kinds and routes cycle).
    pub attacks: usize,
    /// Benign accounts.
    pub senders: usize,
    /// Chain time covered, seconds.
    pub duration_secs: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self { seed: 1, benign: 20_000, attacks: 300, senders: 2_000, duration_secs: 6 * 3600 }
    }
}

/// Generates a labelled stream, sorted by time.
pub fn generate(config: &SyntheticConfig) -> Vec<LabelledTx> {
    let mut world = World::new(config);
    let mut out = Vec::with_capacity(config.benign + config.attacks * 3);
    let duration_ms = config.duration_secs.max(60) * 1000;
    let mut t = 0u64;
    let mean_gap = duration_ms as f64 / config.benign.max(1) as f64;
    for i in 0..config.benign {
        let u: f64 = world.rng.random_range(1e-9..1.0);
        t += (-u.ln() * mean_gap) as u64;
        let instance = format!("syn{}-b{i:06}", config.seed);
        for (tx, dt) in benign::action(&mut world) {
            out.push(LabelledTx { tx, seen_at: t + dt, label: Label::benign_action(&instance) });
        }
    }
    for i in 0..config.attacks {
        let start = world.rng.random_range(0..duration_ms);
        out.extend(attacks::run(&mut world, i, start, config.seed));
    }
    out.sort_by_key(|t| t.seen_at);
    out
}

impl Label {
    fn benign_action(instance: &str) -> Self {
        Label {
            class: LabelClass::Benign,
            kind: None,
            instance: instance.to_owned(),
            variant: "synthetic".into(),
            stage: None,
        }
    }
}

/// What the generator keeps between transactions.
pub(crate) struct World {
    pub(crate) rng: StdRng,
    pub(crate) senders: Vec<(Address, u64)>,
    pub(crate) protocols: Vec<Address>,
    pub(crate) exchange: (Address, u64),
    pub(crate) bots: Vec<(Address, u64)>,
    counter: u64,
}

impl World {
    fn new(config: &SyntheticConfig) -> Self {
        let mut rng = StdRng::seed_from_u64(config.seed);
        let account = |rng: &mut StdRng| Address::from(rng.random::<[u8; 20]>());
        let senders = (0..config.senders.max(1))
            .map(|_| (account(&mut rng), lognormal(&mut rng, 40.0, 1.0) as u64))
            .collect();
        let protocols = (0..10).map(|_| account(&mut rng)).collect();
        let exchange = (account(&mut rng), 1_000_000);
        let bots = (0..6).map(|_| (account(&mut rng), 50_000)).collect();
        Self { rng, senders, protocols, exchange, bots, counter: 0 }
    }

    /// A unique transaction hash.
    pub(crate) fn hash(&mut self) -> B256 {
        self.counter += 1;
        let mut h = [0u8; 32];
        h[..8].copy_from_slice(&self.counter.to_be_bytes());
        h[8..16].copy_from_slice(&self.rng.random::<u64>().to_be_bytes());
        B256::from(h)
    }

    /// A fresh account with no history.
    pub(crate) fn fresh_account(&mut self) -> Address {
        Address::from(self.rng.random::<[u8; 20]>())
    }

    /// A benign tip in wei.
    pub(crate) fn tip(&mut self) -> u128 {
        (lognormal(&mut self.rng, 1.5e9, 0.6)) as u128
    }

    /// A transaction with fees filled in from `tip`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tx(
        &mut self,
        from: Address,
        nonce: u64,
        to: Option<Address>,
        value: U256,
        input: Bytes,
        call: Option<vigil_types::CallInfo>,
        gas_limit: u64,
        tip: u128,
    ) -> TxInfo {
        TxInfo {
            hash: self.hash(),
            from,
            to,
            nonce,
            value,
            input,
            gas_limit,
            gas_price: None,
            max_fee_per_gas: Some(60_000_000_000 + tip),
            max_priority_fee_per_gas: Some(tip),
            tx_type: 2,
            call,
            block_number: None,
            success: None,
        }
    }
}

/// A log-normal draw with the given median and σ (of the logarithm).
pub(crate) fn lognormal(rng: &mut StdRng, median: f64, sigma: f64) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.random_range(1e-12..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    median * (sigma * z).exp()
}

/// `x` whole tokens (18 decimals).
pub(crate) fn tokens(x: f64) -> U256 {
    U256::from((x.max(0.0) * 1e6) as u128) * U256::from(1_000_000_000_000u64)
}

/// Synthetic EVM code of about `len` bytes: harmless filler opcodes with the given selectors
/// pushed and the given numbers of CALL, DELEGATECALL and SSTORE opcodes placed among them.
pub(crate) fn code(
    rng: &mut StdRng,
    len: usize,
    selectors: &[&str],
    calls: u32,
    delegates: u32,
    stores: u32,
) -> Bytes {
    const FILLER: [u8; 12] =
        [0x01, 0x02, 0x03, 0x10, 0x14, 0x16, 0x50, 0x51, 0x52, 0x5b, 0x80, 0x90];
    let mut out = Vec::with_capacity(len + 64);
    let mut specials: Vec<Vec<u8>> = Vec::new();
    for s in selectors {
        let sel = encode::selector(s);
        specials.push(vec![0x63, sel[0], sel[1], sel[2], sel[3]]);
    }
    specials.extend((0..calls).map(|_| vec![0xf1]));
    specials.extend((0..delegates).map(|_| vec![0xf4]));
    specials.extend((0..stores).map(|_| vec![0x55]));
    let every = (len / (specials.len() + 1)).max(1);
    let mut pending = specials.into_iter();
    while out.len() < len {
        if out.len() % every == 0
            && let Some(s) = pending.next()
        {
            out.extend(s);
            continue;
        }
        if rng.random_bool(0.2) {
            out.extend([0x60, rng.random::<u8>()]);
        } else {
            out.push(FILLER[rng.random_range(0..FILLER.len())]);
        }
    }
    out.extend(pending.flatten());
    Bytes::from(out)
}
