//! Integration tests of the feature extraction: invariants over arbitrary input and the
//! behaviour of the signature and history features on hand-built transactions.

use proptest::prelude::*;
use serde_json::json;
use vigil_features::{
    FEATURE_COUNT, Feature, Featurizer, HistoryLimits, TxContext, created_address, extract,
};
use vigil_types::{Address, B256, Bytes, CallArg, CallInfo, DecodedBy, TxInfo, U256};

fn tx(from: Address, nonce: u64, to: Option<Address>, input: Vec<u8>) -> TxInfo {
    TxInfo {
        hash: B256::from(U256::from(nonce) + U256::from_be_slice(from.as_slice())),
        from,
        to,
        nonce,
        value: U256::ZERO,
        input: Bytes::from(input),
        gas_limit: 100_000,
        gas_price: None,
        max_fee_per_gas: Some(30_000_000_000),
        max_priority_fee_per_gas: Some(1_000_000_000),
        tx_type: 2,
        call: None,
        block_number: None,
        success: None,
    }
}

fn selector(signature: &str) -> [u8; 4] {
    let h = alloy_primitives::keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

fn arb_call() -> impl Strategy<Value = Option<CallInfo>> {
    let arg = (
        prop::sample::select(vec![
            "address",
            "uint256",
            "int256",
            "bytes",
            "string",
            "uint256[]",
            "(address,bytes)[]",
            "bool",
            "((uint8,bytes)[],address)",
            "weird[",
            "(",
            "]",
        ]),
        prop_oneof![
            any::<String>().prop_map(|s| json!(s)),
            any::<u64>().prop_map(|n| json!(n.to_string())),
            Just(json!(
                "115792089237316195423570985008687907853269984665640564039457584007913129639935"
            )),
            Just(json!("0x0000000000000000000000000000000000000000")),
            Just(json!(["1", ["0x00", "0xa9059cbb"], {"x": 1}])),
            Just(json!(null)),
        ],
    )
        .prop_map(|(ty, value)| CallArg { name: "a".into(), ty: ty.into(), value });
    prop::option::of((prop::collection::vec(arg, 0..6), any::<bool>(), ".{0,40}").prop_map(
        |(args, decoded, name)| CallInfo {
            decoded_by: if decoded { DecodedBy::ContractAbi } else { DecodedBy::Unknown },
            selector: None,
            function: Some(name),
            signature: None,
            args,
            error: None,
        },
    ))
}

fn arb_tx() -> impl Strategy<Value = TxInfo> {
    (
        any::<[u8; 20]>(),
        prop::option::of(any::<[u8; 20]>()),
        any::<u64>(),
        any::<[u64; 4]>(),
        prop::collection::vec(any::<u8>(), 0..700),
        any::<u64>(),
        prop::option::of(any::<u128>()),
        prop::option::of(any::<u128>()),
        arb_call(),
    )
        .prop_map(|(from, to, nonce, limbs, input, gas, fee, tip, call)| TxInfo {
            value: U256::from_limbs(limbs),
            gas_limit: gas,
            max_fee_per_gas: fee,
            max_priority_fee_per_gas: tip,
            gas_price: fee.map(|f| f / 2),
            call,
            ..tx(Address::from(from), nonce, to.map(Address::from), input)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn features_are_always_finite(txs in prop::collection::vec((arb_tx(), any::<u32>()), 1..12)) {
        let mut featurizer = Featurizer::new(HistoryLimits { max_senders: 4, max_contracts: 2 });
        let mut t = 0u64;
        for (tx, dt) in &txs {
            t = t.saturating_add(u64::from(*dt));
            let v = featurizer.featurize(tx, t);
            prop_assert!(v.as_slice().iter().all(|x| x.is_finite()), "{:?}", v);
            let alone = extract(tx, &TxContext::empty(t));
            prop_assert!(alone.as_slice().iter().all(|x| x.is_finite()));
        }
    }
}

#[test]
fn a_call_right_after_an_own_deployment_is_flagged() {
    let attacker = Address::repeat_byte(0xaa);
    // Init code that pushes flashLoan, onFlashLoan, a swap and a borrow selector and calls out.
    let mut code = Vec::new();
    for sig in [
        "flashLoan(address,address,uint256,bytes)",
        "onFlashLoan(address,address,uint256,uint256,bytes)",
        "swap(uint256,uint256,address,bytes)",
        "borrow(uint256)",
    ] {
        code.push(0x63);
        code.extend(selector(sig));
    }
    code.extend([0xf1, 0x55, 0xf1]);
    let mut f = Featurizer::default();
    let deploy = tx(attacker, 0, None, code);
    let d = f.featurize(&deploy, 1_000);
    assert_eq!(d.get(Feature::IsCreation), 1.0);
    assert_eq!(d.get(Feature::FlashLoanSignature), 1.0);
    assert_eq!(d.get(Feature::PriceManipulationSignature), 1.0);
    assert_eq!(d.get(Feature::NewSender), 1.0);
    let helper = created_address(&attacker, 0);
    let exploit = tx(attacker, 1, Some(helper), vec![0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7]);
    let e = f.featurize(&exploit, 13_000);
    assert_eq!(e.get(Feature::CallsOwnContract), 1.0);
    assert!(e.get(Feature::TargetFreshContract) > 0.99);
    assert!(e.get(Feature::TimingAnomaly) > 0.9);
    assert_eq!(e.get(Feature::UnknownFunction), 1.0);
    assert_eq!(e.get(Feature::FlashLoanSignature), 1.0, "the helper's code is known");
    assert_eq!(e.get(Feature::SenderFirstSeen), 0.0);
    // An unrelated sender calling the same contract an hour later is not "own".
    let other =
        f.featurize(&tx(Address::repeat_byte(0xbb), 9, Some(helper), vec![1, 2, 3, 4]), 3_613_000);
    assert_eq!(other.get(Feature::CallsOwnContract), 0.0);
    assert!(other.get(Feature::TargetFreshContract) < 0.4);
}

#[test]
fn decoded_parameters_set_their_flags() {
    let mut t =
        tx(Address::repeat_byte(1), 5, Some(Address::repeat_byte(2)), vec![0x09, 0x5e, 0xa7, 0xb3]);
    t.call = Some(CallInfo {
        decoded_by: DecodedBy::Registry,
        selector: Some("0x095ea7b3".into()),
        function: Some("approve".into()),
        signature: Some("approve(address,uint256)".into()),
        args: vec![
            CallArg {
                name: "spender".into(),
                ty: "address".into(),
                value: json!("0x00000000000000000000000000000000000000ff"),
            },
            CallArg {
                name: "amount".into(),
                ty: "uint256".into(),
                value: json!(
                    "115792089237316195423570985008687907853269984665640564039457584007913129639935"
                ),
            },
        ],
        error: None,
    });
    let v = extract(&t, &TxContext::empty(0));
    assert_eq!(v.get(Feature::MaxUintParam), 1.0);
    assert_eq!(v.get(Feature::UnknownFunction), 0.0);
    assert_eq!(v.get(Feature::ParamCount), 2.0);
    assert_eq!(v.get(Feature::AddressParams), 1.0);
    assert_eq!(v.get(Feature::PrivilegedCall), 0.0);
    assert_eq!(v.as_slice().len(), FEATURE_COUNT);
}

#[test]
fn a_tip_far_above_the_market_is_an_anomaly() {
    let mut f = Featurizer::default();
    for i in 0..200u64 {
        let mut t =
            tx(Address::repeat_byte((i % 50) as u8), i, Some(Address::repeat_byte(9)), vec![]);
        t.max_priority_fee_per_gas = Some(1_000_000_000 + u128::from(i) * 5_000_000);
        f.featurize(&t, i * 1000);
    }
    let mut racer = tx(Address::repeat_byte(0xee), 0, Some(Address::repeat_byte(9)), vec![]);
    racer.max_priority_fee_per_gas = Some(50_000_000_000);
    let v = f.featurize(&racer, 300_000);
    assert_eq!(v.get(Feature::GasPriceAnomaly), 1.0);
    assert!(v.get(Feature::GasPricePercentile) > 0.99);
}

#[test]
fn every_feature_is_documented() {
    for spec in vigil_features::FEATURES {
        assert!(spec.doc.len() > 40, "{} needs a doc line", spec.name);
    }
}
