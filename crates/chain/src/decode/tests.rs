use alloy::dyn_abi::{DynSolValue, JsonAbiExt};
use alloy::json_abi::{Function, JsonAbi};
use alloy_primitives::{Address, U256};

use super::*;

fn encode(sig: &str, args: &[DynSolValue]) -> Vec<u8> {
    Function::parse(sig).expect("signature").abi_encode_input(args).expect("encode")
}

#[test]
fn every_registry_signature_parses() {
    for sig in registry_signatures() {
        assert!(Function::parse(sig).is_ok(), "{sig}");
    }
}

#[test]
fn decodes_a_registry_call_with_names() {
    let decoder = CallDecoder::new(&MonitoredContracts::default());
    let to = Address::repeat_byte(1);
    let input = encode(
        "transfer(address,uint256)",
        &[DynSolValue::Address(to), DynSolValue::Uint(U256::MAX, 256)],
    );
    let call = decoder.decode(Some(&to), &input);
    assert_eq!(call.decoded_by, DecodedBy::Registry);
    assert_eq!(call.function.as_deref(), Some("transfer"));
    assert_eq!(call.args[0].name, "to");
    assert_eq!(call.args[1].value, serde_json::json!(U256::MAX.to_string()));
}

#[test]
fn prefers_the_contract_abi() {
    let abi: JsonAbi = serde_json::from_str(
        r#"[{"type":"function","name":"transfer","stateMutability":"nonpayable",
            "inputs":[{"name":"dst","type":"address"},{"name":"wad","type":"uint256"}],"outputs":[]}]"#,
    )
    .expect("abi");
    let target = Address::repeat_byte(9);
    let contracts = MonitoredContracts::from_abis([("token".to_owned(), target, Some(abi))]);
    let decoder = CallDecoder::new(&contracts);
    let input = encode(
        "transfer(address,uint256)",
        &[DynSolValue::Address(target), DynSolValue::Uint(U256::from(5), 256)],
    );
    let call = decoder.decode(Some(&target), &input);
    assert_eq!(call.decoded_by, DecodedBy::ContractAbi);
    assert_eq!(call.args[0].name, "dst");
}

#[test]
fn odd_calldata_is_unknown_not_an_error() {
    let decoder = CallDecoder::new(&MonitoredContracts::default());
    let to = Address::repeat_byte(1);
    let short = decoder.decode(Some(&to), &[0xa9, 0x05]);
    assert!(short.is_unknown());
    let unknown = decoder.decode(Some(&to), &[0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    assert!(unknown.is_unknown());
    assert_eq!(unknown.selector.as_deref(), Some("0xdeadbeef"));
    // transfer selector with truncated arguments
    let truncated = decoder.decode(Some(&to), &[0xa9, 0x05, 0x9c, 0xbb, 0, 0, 0]);
    assert!(truncated.is_unknown());
    assert!(truncated.error.unwrap_or_default().contains("transfer(address,uint256)"));
    assert_eq!(decoder.decode(None, &[1, 2, 3]).decoded_by, DecodedBy::Creation);
    assert_eq!(decoder.decode(Some(&to), &[]).decoded_by, DecodedBy::Empty);
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_calldata(input in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let decoder = CallDecoder::new(&MonitoredContracts::default());
        let _ = decoder.decode(Some(&Address::ZERO), &input);
    }
}
