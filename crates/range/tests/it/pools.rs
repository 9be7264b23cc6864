use alloy::primitives::{I256, U160, U256};
use vigil_range::PlannedTx;

use crate::support::small_range;

alloy::sol! {
    interface IV3Pool {
        function slot0() external view
            returns (uint160, int24, uint16, uint16, uint16, uint8, bool);
        function liquidity() external view returns (uint128);
        function tickAtSqrtPrice(uint160 sqrtPriceX96_) external pure returns (int24);
        function swapExactInput(address recipient, bool zeroForOne, uint256 amountIn,
            uint256 minAmountOut) external returns (uint256);
    }
    interface IToken {
        function approve(address spender, uint256 amount) external returns (bool);
    }
}

/// keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)"): Uniswap V3's topic.
const V3_SWAP_TOPIC: &str = "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67";

fn reference_tick(sqrt_price_x96: f64) -> i32 {
    let price = (sqrt_price_x96 / 2f64.powi(96)).powi(2);
    (price.ln() / 1.0001f64.ln()).floor() as i32
}

#[tokio::test(flavor = "multi_thread")]
async fn v3_pool_ticks_match_uniswap() {
    let (_anvil, chain, range) = small_range().await;
    let pool = range.contracts.v3_pool;
    let tick = |s: U160| {
        let chain = &chain;
        async move {
            chain
                .call(pool, &IV3Pool::tickAtSqrtPriceCall { sqrtPriceX96_: s })
                .await
                .expect("call")
        }
    };
    // Uniswap V3's MIN_SQRT_RATIO, MAX_SQRT_RATIO - 1 and 1.0 map to its documented ticks.
    assert_eq!(tick(U160::from(4_295_128_739u64)).await.as_i32(), -887_272);
    let max = "1461446703485210103287273052203988822378723970341".parse::<U160>().expect("max");
    assert_eq!(tick(max).await.as_i32(), 887_271);
    assert_eq!(tick(U160::from(1u64) << 96).await.as_i32(), 0);
    for t in [-200_000i32, -50_000, -1, 1, 23_027, 100_000, 400_000] {
        let exact = 1.0001f64.powf(f64::from(t) / 2.0) * 2f64.powi(96);
        let above = U160::from((exact * (1.0 + 1e-9)) as u128);
        let below = U160::from((exact * (1.0 - 1e-9)) as u128);
        if exact < 1e38 {
            assert_eq!(tick(above).await.as_i32(), t, "just above tick {t}");
            assert_eq!(tick(below).await.as_i32(), t - 1, "just below tick {t}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn v3_pool_emits_uniswap_v3_swap_events() {
    let (_anvil, mut chain, range) = small_range().await;
    let (user, pool, gov) = (range.users[0], range.contracts.v3_pool, range.contracts.gov);
    let amount_in = U256::from(2_000u64) * U256::from(10u64).pow(U256::from(18u64));
    let approve = IToken::approveCall { spender: pool, amount: U256::MAX };
    let swap = IV3Pool::swapExactInputCall {
        recipient: user,
        zeroForOne: true,
        amountIn: amount_in,
        minAmountOut: U256::ZERO,
    };
    let receipts = chain
        .execute(&[
            PlannedTx::call(user, gov, &approve, 80_000),
            PlannedTx::call(user, pool, &swap, 200_000),
        ])
        .await
        .expect("swap succeeds");
    let log = receipts[1]
        .logs
        .iter()
        .find(|l| l.address == pool && format!("{:#x}", l.topics[0]) == V3_SWAP_TOPIC)
        .expect("a V3 Swap event");
    assert_eq!(log.topics.len(), 3, "sender and recipient indexed");
    let word = |i: usize| &log.data[i * 32..(i + 1) * 32];
    let amount0 = I256::try_from_be_slice(word(0)).expect("int256");
    let amount1 = I256::try_from_be_slice(word(1)).expect("int256");
    let sqrt_price = U256::from_be_slice(word(2));
    let liquidity = U256::from_be_slice(word(3));
    let tick = I256::try_from_be_slice(word(4)).expect("int24 word");
    assert_eq!(amount0, I256::try_from(amount_in).expect("fits"), "pool received token0");
    assert!(amount1.is_negative(), "pool paid token1");
    let slot0 = chain.call(pool, &IV3Pool::slot0Call {}).await.expect("slot0");
    assert_eq!(sqrt_price, U256::from(slot0._0));
    assert_eq!(tick, I256::try_from(slot0._1.as_i32()).expect("fits"));
    let l = chain.call(pool, &IV3Pool::liquidityCall {}).await.expect("liquidity");
    assert_eq!(liquidity, U256::from(l));
    assert_eq!(slot0._1.as_i32(), reference_tick(f64::from(sqrt_price)));
    // Selling 2,000 RGOV at ~10 rUSD: the price fell and about 20,000 rUSD came out.
    let paid = f64::from(amount1.unsigned_abs()) / 1e18;
    assert!((19_000.0..20_000.0).contains(&paid), "paid {paid}");
}
