//! Benign DeFi actions: swaps on both pools, wrapping, vault savings, lending, liquidity,
//! bridging, reward claims — and honest mistakes that revert.

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolCall,
};
use rand::Rng;

use super::{
    benign::{Ctx, share, whole},
    world::{Planned, ProvenMessage},
};
use crate::{
    PlannedTx, Result,
    abi::{AmmPool, Bridge, ConcentratedPool, FlashLender, LendingPool, Vault, WrappedEther},
    merkle::bridge_message,
};

/// A swap on the V2 (`v2`) or V3 pool; `usd_value` overrides the drawn size.
pub(super) async fn swap(
    ctx: &mut Ctx<'_>,
    user: Address,
    v2: bool,
    usd_value: Option<f64>,
    action: &str,
) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let sell_gov = ctx.chance(0.5);
    let price = if v2 { ctx.world.pools.v2_price() } else { ctx.world.pools.v3_price() };
    let value = usd_value.unwrap_or_else(|| ctx.lognormal(400.0, 1.5));
    let (token_in, amount) =
        if sell_gov { (c.gov, value / price.max(1e-9)) } else { (c.usd, value) };
    let balance = ctx.balance_of(token_in, user).await?;
    let amount_in = whole(amount).min(share(balance, 0.8));
    if amount_in.is_zero() {
        return Ok(Vec::new());
    }
    let spender = if v2 { c.amm } else { c.v3_pool };
    let quote = if v2 {
        ctx.world.pools.swap_v2(sell_gov, amount_in)
    } else {
        ctx.world.pools.swap_v3(sell_gov, amount_in)
    };
    const SLIPPAGE: [f64; 4] = [0.003, 0.005, 0.01, 0.03];
    let slippage = SLIPPAGE[ctx.world.rng.random_range(0..SLIPPAGE.len())];
    let min_out = share(quote, 1.0 - slippage);
    let mut txs = Vec::new();
    if let Some(approve) = ctx.approval(user, token_in, spender, amount_in).await? {
        txs.push((approve, "approve"));
    }
    let tx = if v2 {
        let call = AmmPool::swapCall {
            tokenIn: token_in,
            amountIn: amount_in,
            minAmountOut: min_out,
            to: user,
        };
        ctx.call_tx(user, c.amm, &call, 110_000)
    } else {
        let call = ConcentratedPool::swapExactInputCall {
            recipient: user,
            zeroForOne: sell_gov,
            amountIn: amount_in,
            minAmountOut: min_out,
        };
        ctx.call_tx(user, c.v3_pool, &call, 130_000)
    };
    txs.push((tx, action));
    Ok(ctx.finish(txs))
}

/// A large but legitimate trade.
pub(super) async fn whale_swap(ctx: &mut Ctx<'_>, user: Address) -> Result<Vec<Planned>> {
    let value = ctx.world.rng.random_range(150_000.0..1_200_000.0);
    let v2 = ctx.chance(0.6);
    swap(ctx, user, v2, Some(value), "whale_swap").await
}

/// A whale parks a large sum in the vault, or takes all of it out.
pub(super) async fn whale_savings(ctx: &mut Ctx<'_>, user: Address) -> Result<Vec<Planned>> {
    let vault = ctx.range.contracts.vault;
    let saved = ctx.chain.call(vault, &Vault::balanceOfCall { account: user }).await?;
    let tx = if saved.is_zero() {
        let value = whole(ctx.world.rng.random_range(50.0..400.0)).min(ctx.spendable(user).await?);
        (
            ctx.call_tx(user, vault, &Vault::depositCall {}, 65_000).with_value(value),
            "whale_deposit",
        )
    } else {
        (
            ctx.call_tx(user, vault, &Vault::withdrawCall { amount: saved }, 60_000),
            "whale_withdrawal",
        )
    };
    Ok(ctx.finish(vec![tx]))
}

/// Wrapping, unwrapping, vault deposits and withdrawals (sometimes everything at once).
pub(super) async fn ether(ctx: &mut Ctx<'_>, user: Address, action: &str) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let tx = match action {
        "wrap" => {
            let value = whole(ctx.lognormal(0.8, 1.2).min(150.0)).min(ctx.spendable(user).await?);
            ctx.call_tx(user, c.weth, &WrappedEther::depositCall {}, 65_000).with_value(value)
        }
        "unwrap" => {
            let balance = ctx.balance_of(c.weth, user).await?;
            if balance.is_zero() {
                return Ok(Vec::new());
            }
            let fraction =
                if ctx.chance(0.3) { 1.0 } else { ctx.world.rng.random_range(0.05..0.8) };
            ctx.call_tx(
                user,
                c.weth,
                &WrappedEther::withdrawCall { wad: share(balance, fraction) },
                50_000,
            )
        }
        "vault_deposit" => {
            let value = whole(ctx.lognormal(1.5, 1.1).min(300.0)).min(ctx.spendable(user).await?);
            ctx.call_tx(user, c.vault, &Vault::depositCall {}, 65_000).with_value(value)
        }
        _ => {
            let saved = ctx.chain.call(c.vault, &Vault::balanceOfCall { account: user }).await?;
            if saved.is_zero() {
                return Ok(Vec::new());
            }
            let fraction =
                if ctx.chance(0.35) { 1.0 } else { ctx.world.rng.random_range(0.1..0.9) };
            ctx.call_tx(
                user,
                c.vault,
                &Vault::withdrawCall { amount: share(saved, fraction) },
                60_000,
            )
        }
    };
    Ok(ctx.finish(vec![(tx, action)]))
}

/// Supplying, withdrawing, collateral, borrowing and repaying on the lending pool.
pub(super) async fn lending(
    ctx: &mut Ctx<'_>,
    user: Address,
    action: &str,
) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let mut txs = Vec::new();
    let (tx, gas) = match action {
        "lending_supply" | "deposit_collateral" | "repay" => {
            let (token, amount) = match action {
                "lending_supply" => (c.usd, whole(ctx.lognormal(4_000.0, 1.3))),
                "deposit_collateral" => (c.gov, whole(ctx.lognormal(400.0, 1.2))),
                _ => {
                    let debt = ctx
                        .chain
                        .call(c.lending, &LendingPool::debtOfCall { account: user })
                        .await?;
                    let fraction =
                        if ctx.chance(0.4) { 1.0 } else { ctx.world.rng.random_range(0.1..0.9) };
                    (c.usd, share(debt, fraction))
                }
            };
            let amount = amount.min(share(ctx.balance_of(token, user).await?, 0.8));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            if let Some(approve) = ctx.approval(user, token, c.lending, amount).await? {
                txs.push((approve, "approve"));
            }
            match action {
                "lending_supply" => (LendingPool::supplyCall { amount }.abi_encode(), 90_000),
                "deposit_collateral" => {
                    (LendingPool::depositCollateralCall { amount }.abi_encode(), 105_000)
                }
                _ => (LendingPool::repayCall { amount }.abi_encode(), 70_000),
            }
        }
        "lending_withdraw" => {
            let supplied =
                ctx.chain.call(c.lending, &LendingPool::suppliedOfCall { account: user }).await?;
            let amount = share(supplied, ctx.world.rng.random_range(0.2..1.0));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            (LendingPool::withdrawSupplyCall { amount }.abi_encode(), 70_000)
        }
        "borrow" => {
            let available = ctx
                .chain
                .call(c.lending, &LendingPool::availableToBorrowCall { account: user })
                .await?;
            let amount = share(available, ctx.world.rng.random_range(0.1..0.7));
            if amount < whole(1.0) {
                return Ok(Vec::new());
            }
            (LendingPool::borrowCall { amount }.abi_encode(), 100_000)
        }
        _ => {
            let collateral =
                ctx.chain.call(c.lending, &LendingPool::collateralOfCall { account: user }).await?;
            let amount = share(collateral, ctx.world.rng.random_range(0.05..0.3));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            (LendingPool::withdrawCollateralCall { amount }.abi_encode(), 90_000)
        }
    };
    let gas = ctx.gas(gas);
    txs.push((
        PlannedTx { from: user, to: Some(c.lending), input: tx.into(), gas, ..Default::default() },
        action,
    ));
    Ok(ctx.finish(txs))
}

/// Flash-lender deposits and withdrawals, AMM liquidity in and out.
pub(super) async fn liquidity(
    ctx: &mut Ctx<'_>,
    user: Address,
    action: &str,
) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let mut txs = Vec::new();
    match action {
        "lender_deposit" => {
            let amount = whole(ctx.lognormal(8_000.0, 1.2))
                .min(share(ctx.balance_of(c.usd, user).await?, 0.5));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            if let Some(approve) = ctx.approval(user, c.usd, c.flash_lender, amount).await? {
                txs.push((approve, "approve"));
            }
            txs.push((
                ctx.call_tx(
                    user,
                    c.flash_lender,
                    &FlashLender::depositCall { token: c.usd, amount },
                    80_000,
                ),
                action,
            ));
        }
        "lender_withdraw" => {
            let deposited = ctx
                .chain
                .call(c.flash_lender, &FlashLender::depositOfCall { account: user, token: c.usd })
                .await?;
            let amount = share(deposited, ctx.world.rng.random_range(0.2..1.0));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            txs.push((
                ctx.call_tx(
                    user,
                    c.flash_lender,
                    &FlashLender::withdrawCall { token: c.usd, amount },
                    60_000,
                ),
                action,
            ));
        }
        "add_liquidity" => {
            let usd = whole(ctx.lognormal(3_000.0, 1.2))
                .min(share(ctx.balance_of(c.usd, user).await?, 0.4));
            let pools = &ctx.world.pools;
            let gov = if pools.usd.is_zero() { U256::ZERO } else { usd * pools.gov / pools.usd };
            if gov.is_zero() || gov > share(ctx.balance_of(c.gov, user).await?, 0.8) {
                return Ok(Vec::new());
            }
            for (token, amount) in [(c.gov, gov), (c.usd, usd)] {
                if let Some(approve) = ctx.approval(user, token, c.amm, amount).await? {
                    txs.push((approve, "approve"));
                }
            }
            txs.push((
                ctx.call_tx(
                    user,
                    c.amm,
                    &AmmPool::addLiquidityCall { amount0: gov, amount1: usd },
                    150_000,
                ),
                action,
            ));
        }
        _ => {
            let shares = ctx.chain.call(c.amm, &AmmPool::sharesOfCall { account: user }).await?;
            let amount = share(shares, ctx.world.rng.random_range(0.3..1.0));
            if amount.is_zero() {
                return Ok(Vec::new());
            }
            txs.push((
                ctx.call_tx(
                    user,
                    c.amm,
                    &AmmPool::removeLiquidityCall { shares: amount, to: user },
                    120_000,
                ),
                action,
            ));
        }
    }
    Ok(ctx.finish(txs))
}

/// Locking tokens for another chain.
pub(super) async fn bridge_deposit(ctx: &mut Ctx<'_>, user: Address) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let roll: f64 = ctx.world.rng.random();
    let (token, median) = if roll < 0.6 {
        (c.usd, 1_500.0)
    } else if roll < 0.85 {
        (c.gov, 150.0)
    } else {
        (c.weth, 1.0)
    };
    let amount =
        whole(ctx.lognormal(median, 1.3)).min(share(ctx.balance_of(token, user).await?, 0.7));
    if amount.is_zero() {
        return Ok(Vec::new());
    }
    let mut txs = Vec::new();
    if let Some(approve) = ctx.approval(user, token, c.bridge, amount).await? {
        txs.push((approve, "approve"));
    }
    const DESTINATIONS: [u32; 4] = [1, 10, 42_161, 8_453];
    let destination = DESTINATIONS[ctx.world.rng.random_range(0..DESTINATIONS.len())];
    let recipient = if ctx.chance(0.8) {
        user.into_word()
    } else {
        B256::from(ctx.world.rng.random::<[u8; 32]>())
    };
    let call = Bridge::depositCall { token, amount, destination, recipient };
    txs.push((ctx.call_tx(user, c.bridge, &call, 90_000), "bridge_deposit"));
    Ok(ctx.finish(txs))
}

/// Claiming a proven withdrawal from the remote chain.
pub(super) fn bridge_withdraw(
    ctx: &mut Ctx<'_>,
    user: Address,
    proven: ProvenMessage,
) -> Vec<Planned> {
    let m = &proven.message;
    let call = Bridge::proveAndProcessCall {
        message: bridge_message(m.nonce, m.token, m.recipient, m.amount).into(),
        proof: proven.proof.clone(),
        index: U256::from(proven.index),
    };
    let tx = ctx.call_tx(user, ctx.range.contracts.bridge, &call, 140_000);
    ctx.finish(vec![(tx, "bridge_withdraw")])
}
