//! On the attack range (a real anvil node): a stretch of ordinary swaps on the range's V2
//! pool raises no price anomaly, and the range's flash-loan price-manipulation attack on that
//! pool does.

use alloy::{primitives::U256, sol, sol_types::SolCall};
use rand::{SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use vigil_pipeline::Analyzer;
use vigil_range::{
    Chain, MiningMode, NoteBook, PlannedTx, RangeDeployment, RangeLayout,
    attacks::{AttackContext, AttackKind, AttackRun, AttackVariant, run_attack},
};
use vigil_timeseries::{PriceAnomalyConfig, PriceAnomalyDetector};
use vigil_types::{Address, B256, BlockInfo, Bytes, Event, EventKind, Finding, LogEntry};

use crate::support::noise;

sol! {
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external returns (uint256);
    function getReserves() external view returns (uint112, uint112, uint32);
    function token0() external view returns (address);
}

fn quantity(v: &Value, key: &str) -> u64 {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0)
}

/// Blocks `from..=to` as the block source emits them: each block, then its pool logs.
async fn events(chain: &Chain, pool: Address, from: u64, to: u64) -> Vec<Event> {
    let logs: Vec<Value> = chain
        .rpc()
        .call("eth_getLogs", json!([{"address": pool, "fromBlock": format!("{from:#x}"), "toBlock": format!("{to:#x}")}]))
        .await
        .expect("logs");
    let mut out = Vec::new();
    for number in from..=to {
        let block: Value = chain
            .rpc()
            .call("eth_getBlockByNumber", json!([format!("{number:#x}"), false]))
            .await
            .expect("block");
        let hash: B256 = serde_json::from_value(block["hash"].clone()).expect("hash");
        let seen_at = quantity(&block, "timestamp") * 1000;
        let info = BlockInfo {
            number,
            hash,
            parent_hash: serde_json::from_value(block["parentHash"].clone()).expect("parent"),
            timestamp: quantity(&block, "timestamp"),
            base_fee_per_gas: Some(u128::from(quantity(&block, "baseFeePerGas"))),
            transactions: Vec::new(),
        };
        out.push(Event { chain_id: 31337, seen_at, kind: EventKind::BlockCommitted(info) });
        for log in logs.iter().filter(|l| quantity(l, "blockNumber") == number) {
            let entry = LogEntry {
                address: serde_json::from_value(log["address"].clone()).expect("address"),
                topics: serde_json::from_value(log["topics"].clone()).expect("topics"),
                data: serde_json::from_value::<Bytes>(log["data"].clone()).expect("data"),
                block_number: number,
                block_hash: hash,
                tx_hash: serde_json::from_value(log["transactionHash"].clone()).expect("tx"),
                log_index: quantity(log, "logIndex"),
            };
            out.push(Event { chain_id: 31337, seen_at, kind: EventKind::Log(entry) });
        }
    }
    out
}

async fn reserves(chain: &Chain, pool: Address) -> (U256, U256) {
    let r = chain.call(pool, &getReservesCall {}).await.expect("reserves");
    (U256::from(r._0), U256::from(r._1))
}

#[tokio::test(flavor = "multi_thread")]
async fn ordinary_swaps_raise_nothing_and_the_price_manipulation_is_reported() {
    let layout = RangeLayout::small();
    let anvil = vigil_testkit::Anvil::spawn(layout.anvil_options()).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    let (c, trader) = (range.contracts.clone(), range.roles.owner);
    let token0 = chain.call(c.amm, &token0Call {}).await.expect("token0");
    let token1 = if token0 == c.usd { c.gov } else { c.usd };
    let start_block = chain.rpc().block_number().await.expect("block") + 1;
    let mut ts = chain.refresh_base_fee().await.expect("timestamp") + 60;
    // Three hours of ordinary trading: one swap a minute, 0.05-0.3 % of the reserve, either way.
    for i in 0..180usize {
        let (r0, r1) = reserves(&chain, c.amm).await;
        let sell0 = noise(i * 31 + 7) > 0.0;
        let frac = 5 + ((noise(i) + 0.5) * 25.0) as u64;
        let (token_in, reserve) = if sell0 { (token0, r0) } else { (token1, r1) };
        let call = swapCall {
            tokenIn: token_in,
            amountIn: reserve * U256::from(frac) / U256::from(10_000u64),
            minAmountOut: U256::ZERO,
            to: trader,
        };
        let tx = PlannedTx {
            from: trader,
            to: Some(c.amm),
            input: call.abi_encode().into(),
            gas: 200_000,
            tip: 1_000_000_000,
            ..Default::default()
        };
        let hash = chain.send(&tx).await.expect("send");
        let receipt = chain.settle(&[hash], Some(ts)).await.expect("mined");
        assert!(receipt[0].as_ref().is_some_and(|r| r.succeeded()), "benign swap {i} reverted");
        ts += 60;
    }
    let benign_end = chain.rpc().block_number().await.expect("block");
    let variant = AttackVariant::new(
        AttackKind::FlashLoanPriceManipulation,
        AttackKind::FlashLoanPriceManipulation.routes()[0],
    );
    let mut rng = StdRng::seed_from_u64(11);
    let mut run = AttackRun::new("manipulation".into(), variant, range.attackers[0], &mut rng);
    run.prepare(&chain).await.expect("prepare");
    let mut notes = NoteBook::default();
    let mut ctx = AttackContext { chain: &mut chain, range: &range, notes: &mut notes };
    let outcome = run_attack(&mut ctx, &mut run).await.expect("attack runs");
    assert!(outcome.exploit_succeeded(), "the attack works on an unprotected range");
    let end = chain.rpc().block_number().await.expect("block");

    let mut detector = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    let (mut benign, mut attack): (Vec<Finding>, Vec<Finding>) = (Vec::new(), Vec::new());
    for event in events(&chain, c.amm, start_block, end).await {
        let number = match &event.kind {
            EventKind::Log(l) => l.block_number,
            EventKind::BlockCommitted(b) => b.number,
            _ => 0,
        };
        let found = detector.analyze(&event);
        if number <= benign_end { benign.extend(found) } else { attack.extend(found) }
    }
    let stats = detector.handle().stats();
    println!("detector counters: {stats:?}");
    assert!(stats["refits"] > 0, "the model was fitted on the ordinary swaps");
    assert!(
        benign.is_empty(),
        "ordinary swaps flagged: {:?}",
        benign.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    assert!(!attack.is_empty(), "the manipulation was not reported");
    for f in &attack {
        println!("{}: {} ({:?}, confidence {:.2})", f.id, f.summary, f.threat_level, f.confidence);
        assert_eq!(f.target, Some(c.amm));
    }
}
