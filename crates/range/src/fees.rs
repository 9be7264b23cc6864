//! Priority fees: a realistic, heavy-tailed distribution for benign traffic and the styles
//! attackers use.

use rand::{Rng, rngs::StdRng};

use crate::deploy::GWEI;

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn gwei(g: f64) -> u64 {
    (g * GWEI as f64).round().max(0.0) as u64
}

/// A benign priority fee: wallets' round defaults, a log-normal body around 0.5 gwei and a
/// Pareto tail (impatient users, bots) reaching hundreds of gwei.
pub(crate) fn benign_tip(rng: &mut StdRng) -> u64 {
    let roll: f64 = rng.random();
    if roll < 0.35 {
        const DEFAULTS: [f64; 6] = [0.01, 0.05, 0.1, 1.0, 1.5, 2.0];
        return gwei(DEFAULTS[rng.random_range(0..DEFAULTS.len())]);
    }
    if roll < 0.97 {
        return gwei((0.5f64.ln() + 1.0 * normal(rng)).exp().min(50.0));
    }
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    gwei((5.0 * u.powf(-1.0 / 1.2)).min(500.0))
}

/// An attacker's fee style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeStyle {
    /// Blends in: the benign distribution.
    Normal,
    /// Pays to be first: 20–300 gwei.
    High,
    /// Patient: a fraction of a gwei.
    Low,
}

impl FeeStyle {
    /// Every style.
    pub const ALL: [FeeStyle; 3] = [Self::Normal, Self::High, Self::Low];

    /// The variant-name part.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal-tip",
            Self::High => "high-tip",
            Self::Low => "low-tip",
        }
    }

    /// A tip in this style.
    pub(crate) fn tip(self, rng: &mut StdRng) -> u64 {
        match self {
            Self::Normal => benign_tip(rng),
            Self::High => gwei(rng.random_range(20.0..300.0)),
            Self::Low => gwei(rng.random_range(0.001..0.05)),
        }
    }
}
