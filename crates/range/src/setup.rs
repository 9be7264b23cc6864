//! Putting the range on chain: every contract in one batch (addresses follow from nonces),
//! then the initial liquidity and the starting balances of roles and users.

use alloy::{
    primitives::{Address, B256, U160, U256},
    sol_types::{SolCall, SolConstructor},
};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::{
    Chain, PlannedTx, RangeDeployment, RangeError, Result,
    abi::{
        AmmPool, Bridge, Collectible, ConcentratedPool, FlashArbitrage, FlashLender, LendingPool,
        Mixer, Token, Treasury, Vault, WrappedEther,
    },
    artifacts::artifact,
    deploy::{GWEI, RangeContracts, RangeRoles, units},
};

impl RangeDeployment {
    pub(crate) async fn seed_liquidity(&self, chain: &mut Chain) -> Result<()> {
        let (c, r) = (&self.contracts, &self.roles);
        let owner = r.owner;
        let call = |to, data: Vec<u8>| PlannedTx {
            from: owner,
            to: Some(to),
            input: data.into(),
            gas: 400_000,
            tip: GWEI,
            ..Default::default()
        };
        let mint = |token, to, amount| call(token, Token::mintCall { to, amount }.abi_encode());
        let approve_max = |from, token, spender| PlannedTx {
            from,
            ..call(token, Token::approveCall { spender, amount: U256::MAX }.abi_encode())
        };
        let mut txs =
            vec![mint(c.usd, owner, units(100_000_000)), mint(c.gov, owner, units(10_000_000))];
        for spender in [c.amm, c.v3_pool, c.lending, c.flash_lender] {
            txs.push(approve_max(owner, c.usd, spender));
            txs.push(approve_max(owner, c.gov, spender));
        }
        let (sqrt_price, liquidity) = v3_initial_position();
        txs.extend([
            call(
                c.amm,
                AmmPool::addLiquidityCall { amount0: units(200_000), amount1: units(2_000_000) }
                    .abi_encode(),
            ),
            call(
                c.v3_pool,
                ConcentratedPool::initializeCall {
                    sqrtPriceX96_: sqrt_price,
                    liquidity_: liquidity,
                }
                .abi_encode(),
            ),
            call(c.lending, LendingPool::supplyCall { amount: units(6_000_000) }.abi_encode()),
            call(
                c.flash_lender,
                FlashLender::depositCall { token: c.usd, amount: units(20_000_000) }.abi_encode(),
            ),
            call(
                c.flash_lender,
                FlashLender::depositCall { token: c.gov, amount: units(1_000_000) }.abi_encode(),
            ),
            call(c.vault, Vault::depositCall {}.abi_encode()).with_value(units(500)),
            call(c.weth, WrappedEther::depositCall {}.abi_encode()).with_value(units(100_000)),
            call(c.weth, Token::transferCall { to: c.bridge, amount: units(1_000) }.abi_encode()),
            mint(c.usd, c.bridge, units(5_000_000)),
            mint(c.gov, c.bridge, units(500_000)),
            call(
                c.treasury,
                Treasury::initializeCall { newOwner: owner, rewardToken_: c.gov }.abi_encode(),
            ),
            mint(c.gov, c.treasury, units(1_000_000)),
            mint(c.usd, c.treasury, units(2_000_000)),
            PlannedTx {
                gas: 8_000_000,
                ..call(
                    c.treasury,
                    Treasury::grantCall { accounts: self.users.clone(), amount: units(5_000) }
                        .abi_encode(),
                )
            },
            mint(c.usd, r.keeper, units(100_000_000)),
            mint(c.gov, r.keeper, units(10_000_000)),
            mint(c.usd, r.exchange, units(50_000_000)),
            mint(c.gov, r.exchange, units(5_000_000)),
        ]);
        for spender in [c.amm, c.v3_pool, c.flash_arbitrage] {
            txs.push(approve_max(r.keeper, c.usd, spender));
            txs.push(approve_max(r.keeper, c.gov, spender));
        }
        // Users: a few whales, the rest retail with log-uniform balances.
        let mut rng = StdRng::seed_from_u64(0x005e_ed0f_7a11);
        let mut mints = Vec::with_capacity(2 * self.users.len());
        for (i, user) in self.users.iter().enumerate() {
            let (usd, gov) = if i < self.whales() {
                (5_000_000, 400_000)
            } else {
                let usd = 10f64.powf(rng.random_range(3.5..5.5)) as u64;
                (usd, (usd / 10).max(100) * rng.random_range(1..4))
            };
            mints.push(mint(c.usd, *user, units(usd)));
            mints.push(mint(c.gov, *user, units(gov)));
        }
        txs.extend(mints);
        chain.execute(&txs).await?;
        Ok(())
    }
}

/// sqrtPriceX96 for 10 rUSD per RGOV and the liquidity of a 100k RGOV / 1M rUSD position.
fn v3_initial_position() -> (U160, u128) {
    let sqrt_price = (U256::from(10u64) << 192usize).root(2);
    let liquidity = (units(100_000) * units(1_000_000)).root(2);
    (U160::from(sqrt_price), liquidity.to::<u128>())
}

/// Contract creations sent together; addresses follow from the senders' nonces.
struct Creations<'a> {
    chain: &'a mut Chain,
    txs: Vec<PlannedTx>,
    next: std::collections::HashMap<Address, u64>,
}

impl Creations<'_> {
    async fn add<C: SolConstructor>(
        &mut self,
        from: Address,
        name: &str,
        args: C,
    ) -> Result<Address> {
        let nonce = match self.next.get(&from) {
            Some(nonce) => *nonce,
            None => self.chain.nonce(from).await?,
        };
        self.next.insert(from, nonce + 1);
        let code = artifact(name)?.init_code(&args.abi_encode());
        self.txs.push(PlannedTx::create(from, code, 5_000_000).with_tip(GWEI));
        Ok(from.create(nonce))
    }
}

pub(crate) async fn deploy_contracts(
    chain: &mut Chain,
    roles: &RangeRoles,
) -> Result<RangeContracts> {
    let (owner, guardian_) = (roles.owner, roles.guardian);
    let token = |name: &str, symbol: &str| Token::constructorCall {
        name_: name.into(),
        symbol_: symbol.into(),
        guardian_,
    };
    let mut batch = Creations { chain, txs: Vec::new(), next: Default::default() };
    let usd = batch.add(owner, "Token", token("Range USD", "rUSD")).await?;
    let gov = batch.add(owner, "Token", token("Range Governance", "RGOV")).await?;
    let weth =
        batch.add(owner, "WrappedEther", WrappedEther::constructorCall { guardian_ }).await?;
    let amm = batch
        .add(owner, "AmmPool", AmmPool::constructorCall { token0_: gov, token1_: usd, guardian_ })
        .await?;
    let v3_pool = batch
        .add(
            owner,
            "ConcentratedPool",
            ConcentratedPool::constructorCall { token0_: gov, token1_: usd, guardian_ },
        )
        .await?;
    let lending = batch
        .add(
            owner,
            "LendingPool",
            LendingPool::constructorCall { collateral_: gov, debt_: usd, oracle_: amm, guardian_ },
        )
        .await?;
    let flash_lender =
        batch.add(owner, "FlashLender", FlashLender::constructorCall { guardian_ }).await?;
    let vault = batch.add(owner, "Vault", Vault::constructorCall { guardian_ }).await?;
    // The zero root marked confirmed at initialisation is the flaw.
    let bridge = batch
        .add(
            owner,
            "Bridge",
            Bridge::constructorCall {
                updater_: roles.updater,
                committedRoot_: B256::ZERO,
                guardian_,
            },
        )
        .await?;
    let treasury = batch.add(owner, "Treasury", Treasury::constructorCall { guardian_ }).await?;
    let collectible = batch.add(owner, "Collectible", Collectible::constructorCall {}).await?;
    let mixer = batch.add(owner, "Mixer", Mixer::constructorCall {}).await?;
    let flash_arbitrage = batch
        .add(
            roles.keeper,
            "FlashArbitrage",
            FlashArbitrage::constructorCall {
                lender_: flash_lender,
                v2_: amm,
                v3_: v3_pool,
                quote_: usd,
                base_: gov,
            },
        )
        .await?;
    let txs = std::mem::take(&mut batch.txs);
    let receipts = chain.execute(&txs).await?;
    let expected = [
        usd,
        gov,
        weth,
        amm,
        v3_pool,
        lending,
        flash_lender,
        vault,
        bridge,
        treasury,
        collectible,
        mixer,
        flash_arbitrage,
    ];
    for (receipt, address) in receipts.iter().zip(expected) {
        if receipt.contract_address != Some(address) {
            return Err(RangeError::Node(format!(
                "contract expected at {address}, got {:?}",
                receipt.contract_address
            )));
        }
    }
    Ok(RangeContracts {
        usd,
        gov,
        weth,
        amm,
        v3_pool,
        lending,
        flash_lender,
        vault,
        bridge,
        treasury,
        collectible,
        mixer,
        flash_arbitrage,
    })
}
