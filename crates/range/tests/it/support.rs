use serde_json::json;
use vigil_range::{Chain, MiningMode, RangeDeployment, RangeLayout};
use vigil_testkit::{Anvil, RpcClient};

/// A fresh anvil with the small range deployed on it.
pub(crate) async fn small_range() -> (Anvil, Chain, RangeDeployment) {
    let layout = RangeLayout::small();
    let anvil = Anvil::spawn(layout.anvil_options()).expect("anvil starts");
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await.expect("node answers");
    let range = RangeDeployment::deploy(&mut chain, layout).await.expect("range deploys");
    (anvil, chain, range)
}

pub(crate) async fn snapshot(rpc: &RpcClient) -> String {
    rpc.call("evm_snapshot", json!([])).await.expect("snapshot")
}

pub(crate) async fn revert(rpc: &RpcClient, id: &str) {
    let ok: bool = rpc.call("evm_revert", json!([id])).await.expect("revert");
    assert!(ok, "snapshot {id} restored");
}
