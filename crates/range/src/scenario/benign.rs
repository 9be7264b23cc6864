//! Benign user traffic: one action per chosen user and block, drawn from a realistic mix,
//! sized from the user's real balances (read from the node) so that most succeed — and the
//! usual share that fails (slippage, over-withdrawals, over-borrowing, honest mistakes).

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolCall,
};
use rand::Rng;

use super::world::{Planned, World};
use crate::{
    Chain, PlannedTx, RangeDeployment, Result,
    abi::{Collectible, Token},
    fees::{benign_tip, normal},
};

/// What one benign action needs: the node, the range and the driver's memory.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) chain: &'a mut Chain,
    pub(crate) range: &'a RangeDeployment,
    pub(crate) world: &'a mut World,
}

/// `x` whole tokens in base units (micro-token precision).
pub(crate) fn whole(x: f64) -> U256 {
    if !(x.is_finite() && x > 0.0) {
        return U256::ZERO;
    }
    U256::from((x * 1e6) as u128) * U256::from(1_000_000_000_000u64)
}

/// `fraction` (0..=1) of `amount`.
pub(crate) fn share(amount: U256, fraction: f64) -> U256 {
    amount * U256::from((fraction.clamp(0.0, 1.0) * 1e6) as u64) / U256::from(1_000_000u64)
}

impl Ctx<'_> {
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * normal(&mut self.world.rng)).exp()
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.world.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A wallet-style gas limit: the estimate with 0–40 % headroom, rounded to 1,000.
    pub(crate) fn gas(&mut self, base: u64) -> u64 {
        let factor: f64 = self.world.rng.random_range(1.0..1.4);
        ((base as f64 * factor / 1000.0).ceil() as u64) * 1000
    }

    pub(crate) fn call_tx<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        gas: u64,
    ) -> PlannedTx {
        let gas = self.gas(gas);
        PlannedTx::call(from, to, call, gas)
    }

    pub(crate) async fn balance_of(&self, token: Address, account: Address) -> Result<U256> {
        self.chain.call(token, &Token::balanceOfCall { account }).await
    }

    /// Ether `account` can send without running short of gas money: half of what is left
    /// after a 0.05 ether reserve.
    pub(crate) async fn spendable(&self, account: Address) -> Result<U256> {
        let balance = self.chain.balance(account).await?;
        Ok(balance.saturating_sub(whole(0.05)) / U256::from(2u64))
    }

    /// An approval of `spender` first, when the current allowance does not cover `amount`:
    /// unlimited most of the time, the exact amount (plus a margin) otherwise.
    pub(crate) async fn approval(
        &mut self,
        user: Address,
        token: Address,
        spender: Address,
        amount: U256,
    ) -> Result<Option<PlannedTx>> {
        let allowed =
            self.chain.call(token, &Token::allowanceCall { holder: user, spender }).await?;
        if allowed >= amount {
            return Ok(None);
        }
        let value = if self.chance(0.6) {
            U256::MAX
        } else {
            let margin = self.world.rng.random_range(1.0..1.5);
            amount + share(amount, margin - 1.0)
        };
        Ok(Some(self.call_tx(user, token, &Token::approveCall { spender, amount: value }, 55_000)))
    }

    /// Another user (or, sometimes, an outside address such as an exchange deposit).
    pub(crate) fn counterparty(&mut self, user: Address) -> Address {
        let users = &self.range.users;
        if self.chance(0.25) || users.len() < 2 {
            return Address::from_word(B256::from(self.world.rng.random::<[u8; 32]>()));
        }
        loop {
            let other = users[self.world.rng.random_range(0..users.len())];
            if other != user {
                return other;
            }
        }
    }

    /// Labels `txs` as one benign action and gives them a common tip.
    pub(crate) fn finish(&mut self, txs: Vec<(PlannedTx, &str)>) -> Vec<Planned> {
        let tip = benign_tip(&mut self.world.rng);
        let txs = txs.into_iter().map(|(tx, action)| (tx.with_tip(tip), action)).collect();
        self.world.benign(txs)
    }
}

/// Actions and their weights, for retail users.
const RETAIL: &[(&str, u32)] = &[
    ("transfer", 13),
    ("eth_transfer", 7),
    ("approve", 2),
    ("swap_v2", 14),
    ("swap_v3", 8),
    ("wrap", 4),
    ("unwrap", 3),
    ("vault_deposit", 5),
    ("vault_withdraw", 4),
    ("lending_supply", 2),
    ("lending_withdraw", 1),
    ("deposit_collateral", 3),
    ("borrow", 3),
    ("repay", 3),
    ("withdraw_collateral", 1),
    ("lender_deposit", 1),
    ("lender_withdraw", 1),
    ("add_liquidity", 2),
    ("remove_liquidity", 1),
    ("bridge_deposit", 4),
    ("claim_rewards", 3),
    ("nft_mint", 6),
    ("nft_transfer", 1),
    ("mixer_deposit", 1),
    ("mistake", 3),
];

/// One action of user number `index`; empty when nothing sensible was possible.
pub(crate) async fn user_action(ctx: &mut Ctx<'_>, index: usize) -> Result<Vec<Planned>> {
    let user = ctx.range.users[index];
    let whale = index < ctx.range.whales();
    if ctx.chance(0.05) {
        super::upkeep::bridge_back(ctx, user);
    }
    if let Some(pos) = ctx.world.provable.iter().position(|m| m.message.recipient == user)
        && ctx.chance(0.6)
    {
        let message = ctx.world.provable.swap_remove(pos);
        return Ok(super::defi::bridge_withdraw(ctx, user, message));
    }
    if whale && ctx.chance(0.25) {
        return super::defi::whale_swap(ctx, user).await;
    }
    if whale && ctx.chance(0.1) {
        return super::defi::whale_savings(ctx, user).await;
    }
    for _ in 0..4 {
        let total: u32 = RETAIL.iter().map(|(_, w)| w).sum();
        let mut roll = ctx.world.rng.random_range(0..total);
        let action = RETAIL.iter().find(|(_, w)| {
            if roll < *w {
                return true;
            }
            roll -= w;
            false
        });
        let action = action.map_or("eth_transfer", |(a, _)| a);
        let planned = dispatch(ctx, user, action).await?;
        if !planned.is_empty() {
            return Ok(planned);
        }
    }
    eth_transfer(ctx, user).await
}

async fn dispatch(ctx: &mut Ctx<'_>, user: Address, action: &str) -> Result<Vec<Planned>> {
    use super::defi;
    Ok(match action {
        "transfer" => transfer(ctx, user).await?,
        "eth_transfer" => eth_transfer(ctx, user).await?,
        "approve" => approve(ctx, user),
        "swap_v2" | "swap_v3" => defi::swap(ctx, user, action == "swap_v2", None, action).await?,
        "wrap" | "unwrap" | "vault_deposit" | "vault_withdraw" => {
            defi::ether(ctx, user, action).await?
        }
        "lending_supply"
        | "lending_withdraw"
        | "deposit_collateral"
        | "borrow"
        | "repay"
        | "withdraw_collateral" => defi::lending(ctx, user, action).await?,
        "lender_deposit" | "lender_withdraw" | "add_liquidity" | "remove_liquidity" => {
            defi::liquidity(ctx, user, action).await?
        }
        "bridge_deposit" => defi::bridge_deposit(ctx, user).await?,
        "claim_rewards" | "mistake" => {
            super::mistakes::claims_and_mistakes(ctx, user, action).await?
        }
        "nft_mint" | "nft_transfer" | "mixer_deposit" => {
            let spendable = ctx.spendable(user).await?;
            collectibles(ctx, user, action, spendable)
        }
        _ => Vec::new(),
    })
}

async fn transfer(ctx: &mut Ctx<'_>, user: Address) -> Result<Vec<Planned>> {
    let roll: f64 = ctx.world.rng.random();
    let c = &ctx.range.contracts;
    let (token, median) = if roll < 0.6 {
        (c.usd, 250.0)
    } else if roll < 0.9 {
        (c.gov, 25.0)
    } else {
        (c.weth, 0.3)
    };
    let balance = ctx.balance_of(token, user).await?;
    if balance.is_zero() {
        return Ok(Vec::new());
    }
    let amount = whole(ctx.lognormal(median, 1.3)).min(share(balance, 0.5));
    let to = ctx.counterparty(user);
    let tx = ctx.call_tx(user, token, &Token::transferCall { to, amount }, 60_000);
    Ok(ctx.finish(vec![(tx, "transfer")]))
}

async fn eth_transfer(ctx: &mut Ctx<'_>, user: Address) -> Result<Vec<Planned>> {
    let value = whole(ctx.lognormal(0.15, 1.3).min(40.0)).min(ctx.spendable(user).await?);
    let to = ctx.counterparty(user);
    let tx = PlannedTx { from: user, to: Some(to), value, gas: 21_000, ..Default::default() };
    Ok(ctx.finish(vec![(tx, "eth_transfer")]))
}

fn approve(ctx: &mut Ctx<'_>, user: Address) -> Vec<Planned> {
    let c = ctx.range.contracts.clone();
    let spenders = [c.amm, c.v3_pool, c.lending, c.bridge, c.flash_lender];
    let spender = spenders[ctx.world.rng.random_range(0..spenders.len())];
    let token = if ctx.chance(0.6) { c.usd } else { c.gov };
    let roll: f64 = ctx.world.rng.random();
    let amount = if roll < 0.5 {
        U256::MAX
    } else if roll < 0.7 {
        U256::ZERO
    } else {
        whole(ctx.lognormal(1_000.0, 1.5))
    };
    let tx = ctx.call_tx(user, token, &Token::approveCall { spender, amount }, 55_000);
    ctx.finish(vec![(tx, if amount.is_zero() { "revoke" } else { "approve" })])
}

fn collectibles(ctx: &mut Ctx<'_>, user: Address, action: &str, spendable: U256) -> Vec<Planned> {
    let c = ctx.range.contracts.clone();
    match action {
        "nft_mint" => {
            let quantity: u64 = if ctx.chance(0.9) {
                ctx.world.rng.random_range(1..4)
            } else {
                ctx.world.rng.random_range(4..21)
            };
            let price = whole(0.01) * U256::from(quantity);
            if price > spendable {
                return Vec::new();
            }
            let call = Collectible::mintCall { quantity: U256::from(quantity) };
            let tx = ctx
                .call_tx(user, c.collectible, &call, 60_000 + 50_000 * quantity)
                .with_value(price);
            ctx.finish(vec![(tx, "nft_mint")])
        }
        "nft_transfer" => {
            let Some(id) = ctx.world.collectibles.get_mut(&user).and_then(Vec::pop) else {
                return Vec::new();
            };
            let to = ctx.counterparty(user);
            let call = Collectible::transferFromCall { from: user, to, tokenId: id };
            let tx = ctx.call_tx(user, c.collectible, &call, 60_000);
            ctx.finish(vec![(tx, "nft_transfer")])
        }
        _ => {
            let ether = if ctx.chance(0.8) { 1 } else { 10 };
            if crate::deploy::units(ether) > spendable {
                return Vec::new();
            }
            let commitment = B256::from(ctx.world.rng.random::<[u8; 32]>());
            let call = crate::abi::Mixer::depositCall { commitment };
            let tx =
                ctx.call_tx(user, c.mixer, &call, 60_000).with_value(crate::deploy::units(ether));
            ctx.finish(vec![(tx, "mixer_deposit")])
        }
    }
}
