//! Attack kinds and the dimensions along which each attack varies.

use alloy::primitives::U256;
use rand::{Rng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use crate::{dataset::Stage, deploy::units, fees::FeeStyle};

/// The exploit classes the range reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackKind {
    /// Re-entering the vault's `withdraw` until it is empty.
    Reentrancy,
    /// Flash loan, AMM spot-price pump, over-borrow from the lending pool.
    FlashLoanPriceManipulation,
    /// Processing bridge withdrawals that were never proven.
    BridgeForgery,
    /// Re-running the treasury's initializer, then sweeping it.
    OwnershipTakeover,
}

impl AttackKind {
    /// Every kind.
    pub const ALL: [AttackKind; 4] = [
        Self::Reentrancy,
        Self::FlashLoanPriceManipulation,
        Self::BridgeForgery,
        Self::OwnershipTakeover,
    ];

    /// The label string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reentrancy => "reentrancy",
            Self::FlashLoanPriceManipulation => "flash_loan_price_manipulation",
            Self::BridgeForgery => "bridge_forgery",
            Self::OwnershipTakeover => "ownership_takeover",
        }
    }

    /// Name of the victim that loses funds (and that the defender must pause).
    pub fn target(self) -> &'static str {
        match self {
            Self::Reentrancy => "vault",
            Self::FlashLoanPriceManipulation => "lending",
            Self::BridgeForgery => "bridge",
            Self::OwnershipTakeover => "treasury",
        }
    }

    /// The routes this kind can take (reentrancy and flash loans need callback code).
    pub fn routes(self) -> &'static [Route] {
        match self {
            Self::Reentrancy | Self::FlashLoanPriceManipulation => {
                &[Route::Contract, Route::Constructor]
            }
            Self::BridgeForgery | Self::OwnershipTakeover => {
                &[Route::Direct, Route::Contract, Route::Constructor]
            }
        }
    }
}

/// How the exploit reaches the victim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Plain calls from the attacking EOA.
    Direct,
    /// Deploy an attack contract first, call it later.
    Contract,
    /// One creation transaction whose constructor does everything.
    Constructor,
}

/// Where the attacking address's ether comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funding {
    /// Already funded; no funding stage.
    Prefunded,
    /// A fresh address funded from an exchange hot wallet.
    Exchange,
    /// A fresh address funded through a relayed mixer withdrawal.
    Mixer,
}

/// How much the attack takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// A probe: a small part of the victim's funds.
    Small,
    /// A large part.
    Medium,
    /// Everything it can.
    Large,
}

/// One way of carrying out an attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AttackVariant {
    /// The exploit class.
    pub kind: AttackKind,
    /// Direct, via a contract, or in a constructor.
    pub route: Route,
    /// Where the gas money comes from.
    pub funding: Funding,
    /// How much is taken.
    pub size: Size,
    /// Priority-fee style.
    pub fee: FeeStyle,
}

impl AttackVariant {
    /// A prefunded, large, normal-fee attack of `kind` along `route`.
    pub fn new(kind: AttackKind, route: Route) -> Self {
        Self { kind, route, funding: Funding::Prefunded, size: Size::Large, fee: FeeStyle::Normal }
    }

    /// One variant per kind and route.
    pub fn every_route() -> Vec<Self> {
        AttackKind::ALL
            .iter()
            .flat_map(|kind| kind.routes().iter().map(|route| Self::new(*kind, *route)))
            .collect()
    }

    /// A variant of `kind` along `route` with funding, size and fee drawn from `rng`.
    pub fn random(kind: AttackKind, route: Route, rng: &mut StdRng) -> Self {
        const FUNDING: [Funding; 3] = [Funding::Prefunded, Funding::Exchange, Funding::Mixer];
        const SIZE: [Size; 3] = [Size::Small, Size::Medium, Size::Large];
        Self {
            kind,
            route,
            funding: FUNDING[rng.random_range(0..3)],
            size: SIZE[rng.random_range(0..3)],
            fee: FeeStyle::ALL[rng.random_range(0..3)],
        }
    }

    /// `route/funding/size/fee`, e.g. `contract/mixer/large/high-tip`.
    pub fn name(&self) -> String {
        let route = match self.route {
            Route::Direct => "eoa",
            Route::Contract => "contract",
            Route::Constructor => "constructor",
        };
        let funding = match self.funding {
            Funding::Prefunded => "prefunded",
            Funding::Exchange => "exchange",
            Funding::Mixer => "mixer",
        };
        let size = match self.size {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        };
        format!("{route}/{funding}/{size}/{}", self.fee.as_str())
    }

    /// Stages in order.
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages = Vec::with_capacity(3);
        if self.funding != Funding::Prefunded {
            stages.push(Stage::Funding);
        }
        if self.route == Route::Contract {
            stages.push(Stage::Deployment);
        }
        stages.push(Stage::Exploit);
        stages
    }

    /// Re-entries of a reentrancy run.
    pub(crate) fn reentries(&self) -> u64 {
        match self.size {
            Size::Small => 10,
            Size::Medium => 40,
            Size::Large => 150,
        }
    }

    /// Ether the exploit itself carries (the reentrancy stake).
    pub(crate) fn stake(&self) -> U256 {
        match (self.kind, self.size) {
            (AttackKind::Reentrancy, Size::Small) => units(1) / U256::from(2u64),
            (AttackKind::Reentrancy, Size::Medium) => units(2),
            (AttackKind::Reentrancy, Size::Large) => units(10),
            _ => U256::ZERO,
        }
    }

    /// Forged messages (bridge) or swept tokens (takeover) per run.
    pub(crate) fn pieces(&self) -> usize {
        match self.size {
            Size::Small => 1,
            Size::Medium => 2,
            Size::Large => 3,
        }
    }

    /// Tokens a takeover sweeps, with the share of the balance (percent) for direct sweeps.
    pub(crate) fn swept(&self) -> &'static [(usize, u64)] {
        // Indices into `RangeDeployment::tokens()`: 0 = rUSD, 1 = RGOV.
        match self.size {
            Size::Small => &[(1, 20)],
            Size::Medium => &[(1, 100)],
            Size::Large => &[(1, 100), (0, 100)],
        }
    }

    /// Share (percent) of each bridged token's balance a forgery takes.
    pub(crate) fn forged_share(&self) -> u64 {
        match self.size {
            Size::Small => 5,
            Size::Medium => 30,
            Size::Large => 90,
        }
    }

    /// Gas limit of the helper deployment.
    pub(crate) fn deploy_gas(&self) -> u64 {
        1_500_000
    }

    /// Gas limit of each exploit transaction, in order. Reentrancy needs twice what it uses:
    /// every nested call keeps back 1/64 of the gas left (EIP-150).
    pub(crate) fn exploit_gas(&self) -> Vec<u64> {
        let in_constructor = if self.route == Route::Constructor { 900_000 } else { 0 };
        match (self.kind, self.route) {
            (AttackKind::Reentrancy, _) => {
                vec![250_000 + 30_000 * self.reentries() + in_constructor]
            }
            (AttackKind::FlashLoanPriceManipulation, _) => vec![1_000_000 + in_constructor],
            (AttackKind::BridgeForgery, Route::Direct) => vec![160_000; self.pieces()],
            (AttackKind::BridgeForgery, _) => {
                vec![150_000 + 300_000 * self.pieces() as u64 + in_constructor]
            }
            (AttackKind::OwnershipTakeover, Route::Direct) => vec![150_000; 1 + self.swept().len()],
            (AttackKind::OwnershipTakeover, _) => vec![400_000 + in_constructor],
        }
    }

    /// Gas limits of every transaction the attacker itself sends.
    pub(crate) fn gas_budget(&self) -> u64 {
        let deploy = if self.route == Route::Contract { self.deploy_gas() } else { 0 };
        deploy + self.exploit_gas().iter().sum::<u64>()
    }
}
