//! Reward claims, and the honest mistakes users make: each of these reverts on chain.

use alloy::primitives::{Address, U256};
use rand::Rng;

use super::{
    benign::{Ctx, whole},
    world::Planned,
};
use crate::{
    Result,
    abi::{Collectible, LendingPool, Token, Treasury, Vault},
};

/// Reward claims, and the mistakes users make (each reverts).
pub(super) async fn claims_and_mistakes(
    ctx: &mut Ctx<'_>,
    user: Address,
    action: &str,
) -> Result<Vec<Planned>> {
    let c = ctx.range.contracts.clone();
    let claimable = ctx.chain.call(c.treasury, &Treasury::claimableCall { account: user }).await?;
    if action == "claim_rewards" {
        let amount = whole(ctx.lognormal(60.0, 1.0)).min(claimable);
        if amount.is_zero() {
            return Ok(Vec::new());
        }
        let tx = ctx.call_tx(user, c.treasury, &Treasury::claimCall { amount }, 60_000);
        return Ok(ctx.finish(vec![(tx, "claim_rewards")]));
    }
    let (tx, name) = match ctx.world.rng.random_range(0..5u8) {
        0 => {
            let saved = ctx.chain.call(c.vault, &Vault::balanceOfCall { account: user }).await?;
            let call = Vault::withdrawCall { amount: saved + whole(ctx.lognormal(1.0, 1.0)) };
            (ctx.call_tx(user, c.vault, &call, 60_000), "vault_withdraw_excess")
        }
        1 => {
            let available = ctx
                .chain
                .call(c.lending, &LendingPool::availableToBorrowCall { account: user })
                .await?;
            let call =
                LendingPool::borrowCall { amount: available + whole(ctx.lognormal(2_000.0, 1.0)) };
            (ctx.call_tx(user, c.lending, &call, 100_000), "borrow_over_limit")
        }
        2 => {
            let balance = ctx.balance_of(c.usd, user).await?;
            let to = ctx.counterparty(user);
            let call =
                Token::transferCall { to, amount: balance + whole(ctx.lognormal(500.0, 1.0)) };
            (ctx.call_tx(user, c.usd, &call, 60_000), "transfer_exceeds_balance")
        }
        3 => {
            let call = Treasury::claimCall { amount: claimable + whole(10.0) };
            (ctx.call_tx(user, c.treasury, &call, 60_000), "claim_exceeds_rewards")
        }
        _ => {
            let quantity = ctx.world.rng.random_range(1..4u64);
            let paid = whole(0.01) * U256::from(quantity) - whole(0.001);
            let call = Collectible::mintCall { quantity: U256::from(quantity) };
            (
                ctx.call_tx(user, c.collectible, &call, 60_000 + 50_000 * quantity)
                    .with_value(paid),
                "nft_mint_underpaid",
            )
        }
    };
    Ok(ctx.finish(vec![(tx, name)]))
}
