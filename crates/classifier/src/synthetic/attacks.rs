//! Attack runs modelled on the range's four kinds and three routes: an optional funding
//! transfer from an exchange to a fresh attacker, a helper deployment (contract route), and
//! the exploit — a call of the helper's unpublished `attack(...)`, a creation whose
//! constructor does everything, or direct calls to the victim (bridge forgery, takeover).

use rand::Rng;
use vigil_features::created_address;
use vigil_types::{Bytes, DecodedBy, TxInfo, U256};

use super::{World, code, encode::CallBuilder, lognormal, tokens};
use crate::{Label, LabelClass, LabelledTx};

const KINDS: [&str; 4] =
    ["reentrancy", "flash_loan_price_manipulation", "bridge_forgery", "ownership_takeover"];

/// Selectors each kind's attack code references.
fn code_selectors(kind: &str) -> &'static [&'static str] {
    match kind {
        "reentrancy" => &["deposit()", "withdraw(uint256)", "attack(uint256)"],
        "flash_loan_price_manipulation" => &[
            "flashLoan(address,address,uint256,bytes)",
            "onFlashLoan(address,address,uint256,uint256,bytes)",
            "swap(address,uint256,uint256,address)",
            "borrow(uint256)",
            "getReserves()",
            "attack(uint256,uint256)",
        ],
        "bridge_forgery" => {
            &["process(bytes)", "transfer(address,uint256)", "attack(address[],uint256[],uint64)"]
        }
        _ => {
            &["initialize(address,address)", "sweep(address,address,uint256)", "attack(address[])"]
        }
    }
}

/// One attack run starting at `start` (chain ms).
pub(crate) fn run(world: &mut World, index: usize, start: u64, seed: u64) -> Vec<LabelledTx> {
    let kind = KINDS[index % 4];
    let direct_possible = index % 4 >= 2;
    let route = match (index / 4) % 3 {
        0 => "contract",
        1 => "constructor",
        _ if direct_possible => "eoa",
        _ => "contract",
    };
    let fee_mult = match world.rng.random_range(0..3) {
        0 => 0.5,
        1 => 1.0,
        _ => world.rng.random_range(10.0..40.0),
    };
    let tip = (world.tip() as f64 * fee_mult) as u128;
    let fresh = world.rng.random_bool(2.0 / 3.0);
    let instance = format!("syn{seed}-a{index:04}");
    let variant = format!("{route}/{}", if fresh { "funded" } else { "prefunded" });
    let label = |stage: &str| Label {
        class: LabelClass::Attack,
        kind: Some(kind.to_owned()),
        instance: instance.clone(),
        variant: variant.clone(),
        stage: Some(stage.to_owned()),
    };
    let (attacker, mut nonce) = if fresh {
        (world.fresh_account(), 0)
    } else {
        let i = world.rng.random_range(0..world.senders.len());
        world.senders[i]
    };
    let mut out = Vec::new();
    let mut t = start;
    let gap = |world: &mut World| {
        world.rng.random_range(1..20u64) * 12_000 + world.rng.random_range(0..3_000)
    };
    if fresh {
        let (exchange, ex_nonce) = world.exchange;
        world.exchange.1 += 1;
        let value = U256::from(lognormal(&mut world.rng, 2e18, 0.8) as u128);
        let ex_tip = world.tip();
        let tx =
            world.tx(exchange, ex_nonce, Some(attacker), value, Bytes::new(), None, 21_000, ex_tip);
        out.push(LabelledTx { tx, seen_at: t, label: label("funding") });
        t += gap(world);
    }
    let len = world.rng.random_range(2_500..9_000);
    let sels = code_selectors(kind);
    let calls = world.rng.random_range(2..8);
    let push = |out: &mut Vec<LabelledTx>, tx: TxInfo, t: u64, stage: &str| {
        out.push(LabelledTx { tx, seen_at: t, label: label(stage) });
    };
    let stake = if kind == "reentrancy" {
        U256::from(lognormal(&mut world.rng, 3e18, 0.8) as u128)
    } else {
        U256::ZERO
    };
    match route {
        "contract" => {
            let init = code(&mut world.rng, len, sels, calls, 0, 3);
            let tx = world.tx(attacker, nonce, None, U256::ZERO, init, None, 1_500_000, tip);
            let helper = created_address(&attacker, nonce);
            nonce += 1;
            push(&mut out, tx, t, "deployment");
            t += gap(world);
            let b =
                match kind {
                    "reentrancy" => CallBuilder::new("attack")
                        .uint(U256::from(world.rng.random_range(10..150u64))),
                    "flash_loan_price_manipulation" => {
                        let pump = tokens(lognormal(&mut world.rng, 200_000.0, 0.7));
                        CallBuilder::new("attack").uint(pump).uint(pump)
                    }
                    "bridge_forgery" => CallBuilder::new("attack")
                        .addresses(&[world.protocols[0], world.protocols[1]]),
                    _ => CallBuilder::new("attack").addresses(&[world.protocols[0]]),
                };
            let (input, info) = b.finish(DecodedBy::Unknown);
            let gas = world.rng.random_range(400_000..2_500_000);
            let tx = world.tx(attacker, nonce, Some(helper), stake, input, Some(info), gas, tip);
            push(&mut out, tx, t, "exploit");
        }
        "constructor" => {
            let init = code(&mut world.rng, len + 1_000, sels, calls, 0, 3);
            let gas = world.rng.random_range(900_000..3_500_000);
            let tx = world.tx(attacker, nonce, None, stake, init, None, gas, tip);
            push(&mut out, tx, t, "exploit");
        }
        _ => {
            let victim = world.protocols[8];
            let steps: Vec<CallBuilder> = if kind == "bridge_forgery" {
                (0..world.rng.random_range(1..4))
                    .map(|_| {
                        let mut msg = vec![0u8; 160];
                        world.rng.fill(&mut msg[..]);
                        CallBuilder::new("process").bytes(&msg)
                    })
                    .collect()
            } else {
                let mut v = vec![
                    CallBuilder::new("initialize").address(attacker).address(world.protocols[0]),
                ];
                for _ in 0..world.rng.random_range(1..3) {
                    v.push(
                        CallBuilder::new("sweep")
                            .address(world.protocols[0])
                            .address(attacker)
                            .uint(tokens(lognormal(&mut world.rng, 1e6, 1.0))),
                    );
                }
                v
            };
            for (k, b) in steps.into_iter().enumerate() {
                let (input, info) = b.finish(DecodedBy::ContractAbi);
                let tx = world.tx(
                    attacker,
                    nonce,
                    Some(victim),
                    U256::ZERO,
                    input,
                    Some(info),
                    160_000,
                    tip,
                );
                nonce += 1;
                push(&mut out, tx, t + k as u64 * 150, "exploit");
            }
        }
    }
    if !fresh && let Some(s) = world.senders.iter_mut().find(|s| s.0 == attacker) {
        s.1 = nonce + 1;
    }
    out
}
