//! The EIP-1559 fee strategy: outbid the attacker under both ordering rules in use — block
//! builders order by effective tip, anvil's pool (and some others) by max fee — within a
//! spending budget. Pure integer arithmetic in wei; every rounding goes the attacker-beating
//! way.

use crate::units::Wei;

/// How the attacker bids, per gas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackerBid {
    /// Tip offered above the base fee: `maxPriorityFeePerGas`, or `gasPrice − base fee` for
    /// legacy transactions.
    pub tip: u128,
    /// Highest price per gas it will pay: `maxFeePerGas`, or `gasPrice`.
    pub max_fee: u128,
}

impl AttackerBid {
    /// The bid of a transaction with these fee fields, at `base_fee`; `None` without any.
    pub fn from_fields(
        max_fee_per_gas: Option<u128>,
        max_priority_fee_per_gas: Option<u128>,
        gas_price: Option<u128>,
        base_fee: u128,
    ) -> Option<Self> {
        match (max_fee_per_gas, gas_price) {
            (Some(max_fee), _) => {
                let tip = max_priority_fee_per_gas.unwrap_or(max_fee.saturating_sub(base_fee));
                Some(Self { tip, max_fee })
            }
            (None, Some(price)) => {
                Some(Self { tip: price.saturating_sub(base_fee), max_fee: price })
            }
            (None, None) => None,
        }
    }

    /// The tip a builder actually earns from it at `base_fee`.
    pub fn effective_tip(&self, base_fee: u128) -> u128 {
        self.tip.min(self.max_fee.saturating_sub(base_fee))
    }
}

/// The fee fields of one of our transactions, per gas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fees {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
}

impl Fees {
    /// The most the transaction can cost: gas limit × max fee.
    pub fn worst_case(&self, gas_limit: u64) -> u128 {
        self.max_fee_per_gas.saturating_mul(u128::from(gas_limit))
    }

    /// The tip a builder earns from it at `base_fee`.
    pub fn effective_tip(&self, base_fee: u128) -> u128 {
        self.max_priority_fee_per_gas.min(self.max_fee_per_gas.saturating_sub(base_fee))
    }

    /// Whether these fees come first under both rules at `base_fee`: an effective tip
    /// strictly above the attacker's stated tip (so above its effective tip at any base fee;
    /// builders) and a strictly higher max fee (max-fee-ordered pools).
    pub fn outbid(&self, attacker: &AttackerBid, base_fee: u128) -> bool {
        self.effective_tip(base_fee) > attacker.tip && self.max_fee_per_gas > attacker.max_fee
    }
}

/// A bid the strategy settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// The fees.
    pub fees: Fees,
    /// Whether the preferred fees broke the budget and were lowered to the most it allows
    /// (still outbidding the attacker under both rules).
    pub squeezed: bool,
}

/// Outbidding the attacker would cost more than the budget allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// The lowest max fee per gas that still outbids the attacker.
    pub needed_max_fee: u128,
    /// Its worst-case cost at our gas limit.
    pub needed_cost: u128,
    /// The budget (wei) for this transaction.
    pub budget: u128,
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "outbidding needs a max fee of {} per gas, up to {} for the transaction, but only {} is left",
            Wei(self.needed_max_fee),
            Wei(self.needed_cost),
            Wei(self.budget)
        )
    }
}

/// `our tip = attacker tip × multiplier + floor`, `max fee = base × 1.2 + our tip × 1.5`,
/// never below the attacker's max fee + 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeStrategy {
    /// Tip multiplier in thousandths (1500 = ×1.5).
    pub multiplier_milli: u32,
    /// Added to every tip, in wei.
    pub tip_floor: u128,
}

/// Fee headroom over the base fee (×1.2) and over our tip (×1.5), in thousandths.
const BASE_HEADROOM_MILLI: u32 = 1200;
const TIP_HEADROOM_MILLI: u32 = 1500;

/// `ceil(x × milli / 1000)`, saturating.
fn scale(x: u128, milli: u32) -> u128 {
    let milli = u128::from(milli);
    match x.checked_mul(milli) {
        Some(product) => product.div_ceil(1000),
        None => (x / 1000).saturating_mul(milli).saturating_add(milli),
    }
}

/// The smallest value at least 10 % above `x` (and at least `x + 1`).
pub fn bump(x: u128) -> u128 {
    x.saturating_add(x.div_ceil(10).max(1))
}

impl FeeStrategy {
    /// The first bid against `attacker` at `base_fee` for a transaction of `gas_limit`, whose
    /// worst case must stay within `budget` wei.
    pub fn quote(
        &self,
        base_fee: u128,
        attacker: &AttackerBid,
        gas_limit: u64,
        budget: u128,
    ) -> Result<Quote, OverBudget> {
        self.bid(base_fee, attacker, None, gas_limit, budget)
    }

    /// A replacement of `previous` (same nonce): both fields at least 10 % higher, and
    /// outbidding the attacker's current bid, within `budget`.
    pub fn replacement(
        &self,
        base_fee: u128,
        attacker: &AttackerBid,
        previous: &Fees,
        gas_limit: u64,
        budget: u128,
    ) -> Result<Quote, OverBudget> {
        self.bid(base_fee, attacker, Some(previous), gas_limit, budget)
    }

    fn bid(
        &self,
        base_fee: u128,
        attacker: &AttackerBid,
        previous: Option<&Fees>,
        gas_limit: u64,
        budget: u128,
    ) -> Result<Quote, OverBudget> {
        let floor_tip = previous.map_or(0, |p| bump(p.max_priority_fee_per_gas));
        let floor_max = previous.map_or(0, |p| bump(p.max_fee_per_gas));
        // What always has to hold: strictly above the attacker under both rules.
        let min_tip = attacker.tip.saturating_add(1).max(floor_tip);
        let min_max =
            attacker.max_fee.saturating_add(1).max(floor_max).max(base_fee.saturating_add(min_tip));
        // What we prefer: the configured margin and headroom for a rising base fee.
        let tip =
            scale(attacker.tip, self.multiplier_milli).saturating_add(self.tip_floor).max(min_tip);
        let max = scale(base_fee, BASE_HEADROOM_MILLI)
            .saturating_add(scale(tip, TIP_HEADROOM_MILLI))
            .max(min_max);
        let gas = u128::from(gas_limit.max(1));
        if max.saturating_mul(gas) <= budget {
            let fees = Fees { max_fee_per_gas: max, max_priority_fee_per_gas: tip };
            return Ok(Quote { fees, squeezed: false });
        }
        let affordable = budget / gas;
        if affordable >= min_max {
            let tip = tip.min(affordable - base_fee).max(min_tip);
            let fees = Fees { max_fee_per_gas: affordable, max_priority_fee_per_gas: tip };
            return Ok(Quote { fees, squeezed: true });
        }
        Err(OverBudget {
            needed_max_fee: min_max,
            needed_cost: min_max.saturating_mul(gas),
            budget,
        })
    }
}

#[cfg(test)]
mod tests;
