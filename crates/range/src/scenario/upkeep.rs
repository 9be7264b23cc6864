//! The protocol's own traffic around users: the keeper's arbitrage (towards an outside price
//! that random-walks), the bridge updater's roots, exchange and mixer withdrawals that
//! activate newcomers, and the owner's incident response — refills after losses, restoring
//! the treasury's owner, unpausing paused victims, periodic reward grants.

use alloy::primitives::{Address, U256};
use rand::Rng;

use super::{
    benign::{Ctx, share, whole},
    world::{BridgeMessage, Effect, Planned, ProvenMessage},
};
use crate::{
    NoteBook, PlannedTx, Result,
    abi::{
        AmmPool, Bridge, Collectible, ConcentratedPool, FlashArbitrage, IGuarded, Token, Treasury,
        Vault,
    },
    attacks::holdings,
    deploy::{GWEI, units},
    fees::normal,
    merkle::{bridge_message, root_and_proofs},
};

/// (victim, asset, target holding in whole units) that the owner keeps funded.
const TARGETS: [(&str, &str, u64); 7] = [
    ("vault", "ETH", 500),
    ("lending", "rUSD", 6_000_000),
    ("bridge", "rUSD", 5_000_000),
    ("bridge", "RGOV", 500_000),
    ("bridge", "WETH", 1_000),
    ("treasury", "RGOV", 1_000_000),
    ("treasury", "rUSD", 2_000_000),
];

fn keeper_tip(ctx: &mut Ctx<'_>) -> u64 {
    (ctx.lognormal(3.0, 0.8) * GWEI as f64) as u64
}

/// Everything the protocol side sends in `slot`, one group per action.
pub(crate) async fn upkeep(
    ctx: &mut Ctx<'_>,
    slot: u64,
    notes: &mut NoteBook,
) -> Result<Vec<Vec<Planned>>> {
    let mut groups = Vec::new();
    ctx.world.market_price *= (0.001 * normal(&mut ctx.world.rng)).exp();
    arbitrage(ctx, &mut groups);
    bridge_updates(ctx, slot, &mut groups);
    activations(ctx, slot, notes, &mut groups);
    let owner = ctx.range.roles.owner;
    let due: Vec<Address> =
        ctx.world.unpause_at.iter().filter(|(_, at)| **at <= slot).map(|(v, _)| *v).collect();
    for victim in due {
        ctx.world.unpause_at.remove(&victim);
        let tx =
            PlannedTx::call(owner, victim, &IGuarded::unpauseCall {}, 60_000).with_tip(2 * GWEI);
        groups.push(ctx.world.benign(vec![(tx, "unpause")]));
    }
    if slot % 10 == 5 || ctx.world.refill_at.is_some_and(|at| at <= slot) {
        ctx.world.refill_at = None;
        refills(ctx, &mut groups).await?;
    }
    if slot % 300 == 150 {
        let c = ctx.range.contracts.clone();
        let grant = Treasury::grantCall { accounts: ctx.range.users.clone(), amount: units(1_000) };
        let tx = PlannedTx::call(owner, c.treasury, &grant, 8_000_000).with_tip(GWEI);
        let proceeds =
            PlannedTx::call(owner, c.collectible, &Collectible::withdrawProceedsCall {}, 60_000)
                .with_tip(GWEI);
        groups.push(ctx.world.benign(vec![(tx, "rewards_grant")]));
        groups.push(ctx.world.benign(vec![(proceeds, "nft_proceeds")]));
    }
    Ok(groups)
}

/// Trades each pool back towards the market price; closes V2/V3 gaps with a flash loan.
fn arbitrage(ctx: &mut Ctx<'_>, groups: &mut Vec<Vec<Planned>>) {
    let (keeper, c) = (ctx.range.roles.keeper, ctx.range.contracts.clone());
    let market = ctx.world.market_price;
    let mut traded = false;
    let pools = ctx.world.pools.clone();
    let (gov, usd) = (f64::from(pools.gov) / 1e18, f64::from(pools.usd) / 1e18);
    if (pools.v2_price() / market - 1.0).abs() > 0.015 && ctx.chance(0.5) {
        let k = gov * usd;
        let (gov_in, amount) = if (k * market).sqrt() > usd {
            (false, ((k * market).sqrt() - usd) / 0.997)
        } else {
            (true, ((k / market).sqrt() - gov) / 0.997)
        };
        let amount_in = whole(amount);
        let quote = ctx.world.pools.swap_v2(gov_in, amount_in);
        let token_in = if gov_in { c.gov } else { c.usd };
        let call = AmmPool::swapCall {
            tokenIn: token_in,
            amountIn: amount_in,
            minAmountOut: share(quote, 0.99),
            to: keeper,
        };
        let tip = keeper_tip(ctx);
        let tx = PlannedTx::call(keeper, c.amm, &call, 150_000).with_tip(tip);
        groups.push(ctx.world.benign(vec![(tx, "arbitrage_v2")]));
        traded = true;
    }
    let liquidity = f64::from(pools.liquidity) / 1e18;
    let sqrt_now = pools.v3_price().sqrt();
    if (pools.v3_price() / market - 1.0).abs() > 0.015 && ctx.chance(0.5) {
        let sqrt_target = market.sqrt();
        let (gov_in, amount) = if sqrt_target > sqrt_now {
            (false, liquidity * (sqrt_target - sqrt_now) / 0.997)
        } else {
            (true, liquidity * (1.0 / sqrt_target - 1.0 / sqrt_now) / 0.997)
        };
        let amount_in = whole(amount);
        let quote = ctx.world.pools.swap_v3(gov_in, amount_in);
        let call = ConcentratedPool::swapExactInputCall {
            recipient: keeper,
            zeroForOne: gov_in,
            amountIn: amount_in,
            minAmountOut: share(quote, 0.99),
        };
        let tip = keeper_tip(ctx);
        let tx = PlannedTx::call(keeper, c.v3_pool, &call, 170_000).with_tip(tip);
        groups.push(ctx.world.benign(vec![(tx, "arbitrage_v3")]));
        traded = true;
    }
    let (p2, p3) = (pools.v2_price(), pools.v3_price());
    if !traded && ((p2 - p3) / p2).abs() > 0.012 && ctx.chance(0.3) {
        // Both pools meet at p* = ((√k2 + √k3) / (x2 + x3))²; trade half-way there.
        let (x3, k3) = (liquidity / sqrt_now, liquidity * liquidity);
        let meet = (((gov * usd).sqrt() + k3.sqrt()) / (gov + x3)).powi(2);
        let (amount, buy_on_v2) = if p2 < p3 {
            (0.5 * ((gov * usd * meet).sqrt() - usd), true)
        } else {
            (0.5 * liquidity * (meet.sqrt() - sqrt_now), false)
        };
        let call = FlashArbitrage::runCall { amount: whole(amount), buyOnV2: buy_on_v2 };
        let tip = keeper_tip(ctx);
        let tx = PlannedTx::call(keeper, c.flash_arbitrage, &call, 450_000).with_tip(tip);
        groups.push(ctx.world.benign(vec![(tx, "flash_arbitrage")]));
    }
}

/// `user` sends tokens home from the remote chain: a message for the updater's next root.
pub(super) fn bridge_back(ctx: &mut Ctx<'_>, user: Address) {
    let roll: f64 = ctx.world.rng.random();
    let c = &ctx.range.contracts;
    let (token, median) = if roll < 0.6 {
        (c.usd, 1_500.0)
    } else if roll < 0.85 {
        (c.gov, 150.0)
    } else {
        (c.weth, 1.0)
    };
    let amount = whole(ctx.lognormal(median, 1.3));
    let nonce = ctx.world.remote_nonce;
    ctx.world.remote_nonce += 1;
    ctx.world.outbound.push(BridgeMessage { nonce, token, recipient: user, amount });
}

/// The updater commits a root of the waiting messages now and then.
fn bridge_updates(ctx: &mut Ctx<'_>, slot: u64, groups: &mut Vec<Vec<Planned>>) {
    if ctx.world.outbound.is_empty() || (!slot.is_multiple_of(50) && ctx.world.outbound.len() < 10)
    {
        return;
    }
    let batch = std::mem::take(&mut ctx.world.outbound);
    let leaves: Vec<_> = batch
        .iter()
        .map(|m| {
            alloy::primitives::keccak256(bridge_message(m.nonce, m.token, m.recipient, m.amount))
        })
        .collect();
    let (root, proofs) = root_and_proofs(&leaves);
    let proven = batch
        .into_iter()
        .zip(proofs)
        .enumerate()
        .map(|(index, (message, proof))| ProvenMessage { message, proof, index })
        .collect();
    let tx = PlannedTx::call(
        ctx.range.roles.updater,
        ctx.range.contracts.bridge,
        &Bridge::updateCall { newRoot: root },
        80_000,
    )
    .with_tip(GWEI);
    let mut group = ctx.world.benign(vec![(tx, "bridge_update_root")]);
    if let Some(last) = group.last_mut() {
        last.effect = Effect::RootCommitted(proven);
    }
    groups.push(group);
}

/// Newcomers' first ether (and some stablecoins) from an exchange, or through the mixer.
fn activations(ctx: &mut Ctx<'_>, slot: u64, notes: &mut NoteBook, groups: &mut Vec<Vec<Planned>>) {
    let Some(due) = ctx.world.activations.remove(&slot) else { return };
    let (exchange, c) = (ctx.range.roles.exchange, ctx.range.contracts.clone());
    for (index, via_mixer) in due {
        let user = ctx.range.users[index];
        let tip = super::super::fees::benign_tip(&mut ctx.world.rng);
        let note = if via_mixer { notes.take(units(1)) } else { None };
        let mut txs = match note {
            Some((secret, value)) => vec![(
                NoteBook::withdrawal(ctx.range, secret, value, user, tip),
                "mixer_withdrawal",
            )],
            None => {
                let value = whole(ctx.world.rng.random_range(0.3..5.0));
                vec![(
                    PlannedTx {
                        from: exchange,
                        to: Some(user),
                        value,
                        gas: 21_000,
                        tip,
                        ..Default::default()
                    },
                    "exchange_withdrawal",
                )]
            }
        };
        let amount = whole(ctx.lognormal(1_000.0, 1.0));
        txs.push((
            PlannedTx::call(exchange, c.usd, &Token::transferCall { to: user, amount }, 60_000)
                .with_tip(tip),
            "exchange_withdrawal",
        ));
        let mut group = ctx.world.benign(txs);
        if let Some(first) = group.first_mut() {
            first.effect = Effect::Activate(index);
        }
        groups.push(group);
    }
}

/// The owner tops up victims that fell below half their target and takes the treasury back.
async fn refills(ctx: &mut Ctx<'_>, groups: &mut Vec<Vec<Planned>>) -> Result<()> {
    let (owner, c) = (ctx.range.roles.owner, ctx.range.contracts.clone());
    let treasury_owner = ctx.chain.call(c.treasury, &IGuarded::ownerCall {}).await?;
    if treasury_owner != owner {
        let call = Treasury::initializeCall { newOwner: owner, rewardToken_: c.gov };
        let tx = PlannedTx::call(owner, c.treasury, &call, 80_000).with_tip(2 * GWEI);
        groups.push(ctx.world.benign(vec![(tx, "restore_owner")]));
    }
    let mut current: Option<(&str, std::collections::BTreeMap<String, U256>)> = None;
    for (victim, asset, target) in TARGETS {
        let Some(v) = ctx.range.victim(victim) else { continue };
        if current.as_ref().is_none_or(|(name, _)| *name != victim) {
            current = Some((victim, holdings(ctx.chain, ctx.range, v.address).await?));
        }
        let held = current.as_ref().and_then(|(_, h)| h.get(asset).copied()).unwrap_or_default();
        let target = units(target);
        if held >= target / U256::from(2u64) {
            continue;
        }
        let deficit = target - held;
        let tx = match asset {
            "ETH" => {
                PlannedTx::call(owner, c.vault, &Vault::depositCall {}, 80_000).with_value(deficit)
            }
            "WETH" => PlannedTx::call(
                owner,
                c.weth,
                &Token::transferCall { to: v.address, amount: deficit },
                80_000,
            ),
            "rUSD" => PlannedTx::call(
                owner,
                c.usd,
                &Token::mintCall { to: v.address, amount: deficit },
                80_000,
            ),
            _ => PlannedTx::call(
                owner,
                c.gov,
                &Token::mintCall { to: v.address, amount: deficit },
                80_000,
            ),
        };
        let action = format!("refill_{victim}");
        groups.push(ctx.world.benign(vec![(tx.with_tip(2 * GWEI), action.as_str())]));
    }
    Ok(())
}
