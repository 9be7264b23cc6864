//! Benign actions and their shares: ether transfers 18 %, token transfers 22 %, approvals
//! 12 %, swaps 18 %, deposits and withdrawals 9 %, borrows and repays 5 %, keeper flash
//! loans 3 %, MEV bots with unpublished selectors 5 % (bursts, high tips), multicalls 3 %,
//! admin calls 2 %, contract deployments 3 % (half followed by `initialize` on the new
//! contract within a minute).

use rand::Rng;
use vigil_features::created_address;
use vigil_types::{Address, Bytes, DecodedBy, TxInfo, U256};

use super::{World, code, encode::CallBuilder, lognormal, tokens};

/// Offset (ms) of a transaction within its action.
type Timed = (TxInfo, u64);

fn sender(world: &mut World) -> (Address, u64) {
    if world.rng.random_bool(0.04) {
        return (world.fresh_account(), 0);
    }
    let i = world.rng.random_range(0..world.senders.len());
    let (address, nonce) = &mut world.senders[i];
    *nonce += 1;
    (*address, *nonce - 1)
}

fn gas(world: &mut World, base: u64) -> u64 {
    ((base as f64 * world.rng.random_range(1.0..1.4) / 1000.0).ceil() as u64) * 1000
}

fn protocol(world: &mut World) -> Address {
    world.protocols[world.rng.random_range(0..world.protocols.len())]
}

fn amount(world: &mut World) -> U256 {
    let x = lognormal(&mut world.rng, 500.0, 2.0);
    tokens(x)
}

fn call(
    world: &mut World,
    from: (Address, u64),
    to: Address,
    builder: CallBuilder,
    by: DecodedBy,
    base_gas: u64,
) -> TxInfo {
    let (input, info) = builder.finish(by);
    let gas = gas(world, base_gas);
    let tip = world.tip();
    world.tx(from.0, from.1, Some(to), U256::ZERO, input, Some(info), gas, tip)
}

/// One benign action: one or more transactions with offsets.
pub(crate) fn action(world: &mut World) -> Vec<Timed> {
    let roll: f64 = world.rng.random_range(0.0..1.0);
    let from = sender(world);
    let to = protocol(world);
    let token = world.protocols[0];
    let one = |tx: TxInfo| vec![(tx, 0)];
    match roll {
        r if r < 0.18 => {
            let value = U256::from(lognormal(&mut world.rng, 3e17, 1.5) as u128);
            let recipient = world.fresh_account();
            let tip = world.tip();
            let mut tx =
                world.tx(from.0, from.1, Some(recipient), value, Bytes::new(), None, 21_000, tip);
            tx.call = Some(vigil_types::CallInfo {
                decoded_by: DecodedBy::Empty,
                selector: None,
                function: None,
                signature: None,
                args: Vec::new(),
                error: None,
            });
            one(tx)
        }
        r if r < 0.40 => {
            let b = CallBuilder::new("transfer").address(world.fresh_account()).uint(amount(world));
            one(call(world, from, token, b, DecodedBy::Registry, 52_000))
        }
        r if r < 0.52 => {
            let value = if world.rng.random_bool(0.6) { U256::MAX } else { amount(world) };
            let b = CallBuilder::new("approve").address(to).uint(value);
            one(call(world, from, token, b, DecodedBy::Registry, 46_000))
        }
        r if r < 0.70 => {
            let amt = amount(world);
            let b = CallBuilder::new("swap")
                .address(token)
                .uint(amt)
                .uint(amt / U256::from(3u8))
                .address(from.0);
            one(call(world, from, world.protocols[1], b, DecodedBy::ContractAbi, 110_000))
        }
        r if r < 0.79 => {
            let b = if world.rng.random_bool(0.5) {
                CallBuilder::new("deposit").address(token).uint(amount(world))
            } else {
                CallBuilder::new("withdraw").uint(amount(world))
            };
            one(call(world, from, world.protocols[2], b, DecodedBy::ContractAbi, 90_000))
        }
        r if r < 0.84 => {
            let name = if world.rng.random_bool(0.5) { "borrow" } else { "repay" };
            let b = CallBuilder::new(name).uint(amount(world));
            one(call(world, from, world.protocols[3], b, DecodedBy::ContractAbi, 160_000))
        }
        r if r < 0.87 => {
            // A keeper's flash-loan arbitrage on a long-deployed contract.
            let b = CallBuilder::new("flashLoan")
                .address(world.protocols[4])
                .address(token)
                .uint(amount(world))
                .bytes(&[1; 64]);
            one(call(world, from, world.protocols[5], b, DecodedBy::Registry, 400_000))
        }
        r if r < 0.92 => mev_bot(world),
        r if r < 0.95 => {
            let inner =
                CallBuilder::new("transfer").address(world.fresh_account()).uint(amount(world));
            let (data, _) = inner.finish(DecodedBy::Registry);
            let b = CallBuilder::new("multicall").bytes(&data);
            one(call(world, from, world.protocols[6], b, DecodedBy::Registry, 180_000))
        }
        r if r < 0.97 => {
            let admin = (world.senders[0].0, world.senders[0].1);
            world.senders[0].1 += 1;
            let b = match world.rng.random_range(0..3) {
                0 => CallBuilder::new("pause"),
                1 => CallBuilder::new("unpause"),
                _ => CallBuilder::new("transferOwnership").address(world.senders[1].0),
            };
            one(call(world, admin, to, b, DecodedBy::Registry, 40_000))
        }
        _ => deployment(world, from),
    }
}

/// A bot with an unpublished selector, a high tip and a burst of sends.
fn mev_bot(world: &mut World) -> Vec<Timed> {
    let i = world.rng.random_range(0..world.bots.len());
    let target = world.protocols[7 + i % 3];
    let burst = world.rng.random_range(1..5);
    (0..burst)
        .map(|k| {
            let (bot, nonce) = world.bots[i];
            world.bots[i].1 += 1;
            let mut data = vec![0x00, 0x00, 0x00, 0x0b + i as u8];
            let words = world.rng.random_range(2..8);
            data.extend((0..words * 32).map(|_| world.rng.random::<u8>()));
            let tip = world.tip() * world.rng.random_range(5..50);
            let gas = gas(world, 250_000);
            let info = vigil_types::CallInfo::unknown(
                Some(format!("0x{:08x}", 0x0b + i)),
                "unknown selector",
            );
            (
                world.tx(
                    bot,
                    nonce,
                    Some(target),
                    U256::ZERO,
                    Bytes::from(data),
                    Some(info),
                    gas,
                    tip,
                ),
                k * 800,
            )
        })
        .collect()
}

/// A token or proxy deployment, half the time followed by its `initialize`.
fn deployment(world: &mut World, from: (Address, u64)) -> Vec<Timed> {
    let len = lognormal(&mut world.rng, 6_000.0, 0.5).min(24_000.0) as usize;
    let calls = world.rng.random_range(0..4);
    let delegates = u32::from(world.rng.random_bool(0.3));
    let sels = [
        "transfer(address,uint256)",
        "approve(address,uint256)",
        "balanceOf(address)",
        "initialize(address)",
    ];
    let init = code(&mut world.rng, len, &sels, calls, delegates, 8);
    let tip = world.tip();
    let gas = gas(world, 1_200_000 + len as u64 * 200);
    let created = world.tx(from.0, from.1, None, U256::ZERO, init, None, gas, tip);
    let mut out = vec![(created, 0)];
    if world.rng.random_bool(0.5) {
        let contract = created_address(&from.0, from.1);
        let b = CallBuilder::new("initialize").address(from.0);
        let next = (from.0, from.1 + 1);
        if let Some(s) = world.senders.iter_mut().find(|s| s.0 == from.0) {
            s.1 += 1;
        }
        let delay = world.rng.random_range(12_000..60_000);
        out.push((call(world, next, contract, b, DecodedBy::Registry, 80_000), delay));
    }
    out
}
