//! What the driver learns after each block: effects of successful transactions, collectible
//! ownership, drained targets, and pauses by anyone (vigil included) — plus the per-sender fee
//! ordering that keeps anvil from dropping transactions.

use std::collections::BTreeMap;

use alloy::{primitives::Address, sol_types::SolEvent};
use serde::Deserialize;
use serde_json::json;

use super::world::{Effect, Planned, World};
use crate::{
    Chain, RangeDeployment, ReceiptLog, Result,
    abi::{Collectible, IGuarded},
    dataset::{DatasetRecord, Stage},
};

/// Within a block, puts each sender's transactions in non-increasing tip order, keeping the
/// positions the shuffle gave them (a stable sort, so a group's equal-tip transactions keep
/// their order). anvil 1.7.1 with `--order fees` silently drops a transaction that follows
/// one of its sender's lower-fee transactions in the same block.
pub(super) fn order_fees_per_sender(txs: &mut [Planned]) {
    let mut by_sender: BTreeMap<Address, Vec<usize>> = BTreeMap::new();
    for (i, planned) in txs.iter().enumerate() {
        by_sender.entry(planned.tx.from).or_default().push(i);
    }
    for positions in by_sender.into_values().filter(|p| p.len() > 1) {
        let mut taken: Vec<Planned> = positions.iter().map(|i| txs[*i].clone()).collect();
        taken.sort_by_key(|p| std::cmp::Reverse(p.tx.tip));
        for (i, planned) in positions.into_iter().zip(taken) {
            txs[i] = planned;
        }
    }
}

/// An exploit that took funds from its target: the owner will respond soon.
pub(super) fn drained_target(record: &DatasetRecord) -> bool {
    let Some(kind) = record.label.kind.filter(|_| record.label.stage == Some(Stage::Exploit))
    else {
        return false;
    };
    record
        .victim_balance_deltas
        .get(kind.target())
        .is_some_and(|a| a.values().any(|d| d.starts_with('-')))
}

/// Applies what the driver learns from a successful transaction.
pub(super) fn observe(
    world: &mut World,
    range: &RangeDeployment,
    logs: &[ReceiptLog],
    effect: Effect,
) {
    match effect {
        Effect::None => {}
        Effect::Activate(index) => world.active[index] = true,
        Effect::RootCommitted(messages) => world.provable.extend(messages),
    }
    for log in logs.iter().filter(|l| l.address == range.contracts.collectible) {
        if log.topics.len() == 4 && log.topics[0] == Collectible::Transfer::SIGNATURE_HASH {
            let (from, to) = (Address::from_word(log.topics[1]), Address::from_word(log.topics[2]));
            let id = alloy::primitives::U256::from_be_bytes(log.topics[3].0);
            if let Some(owned) = world.collectibles.get_mut(&from) {
                owned.retain(|held| *held != id);
            }
            world.collectibles.entry(to).or_default().push(id);
        }
    }
}

#[derive(Deserialize)]
struct PauseLog {
    address: Address,
    topics: Vec<alloy::primitives::B256>,
}

/// Finds victims paused or unpaused since `last_block` (by anyone, vigil included) and
/// schedules the owner's unpause for `unpause_slot`; returns the latest block.
pub(super) async fn track_pauses(
    chain: &Chain,
    range: &RangeDeployment,
    world: &mut World,
    last_block: u64,
    unpause_slot: u64,
) -> Result<u64> {
    let latest = chain.rpc().block_number().await?;
    if latest <= last_block {
        return Ok(last_block);
    }
    let victims: Vec<Address> = range.victims().iter().map(|v| v.address).collect();
    let filter = json!([{
        "fromBlock": format!("{:#x}", last_block + 1),
        "toBlock": format!("{latest:#x}"),
        "address": victims,
        "topics": [[IGuarded::Paused::SIGNATURE_HASH, IGuarded::Unpaused::SIGNATURE_HASH]],
    }]);
    let logs: Vec<PauseLog> = chain.rpc().call("eth_getLogs", filter).await?;
    for log in logs {
        if log.topics.first() == Some(&IGuarded::Paused::SIGNATURE_HASH) {
            world.unpause_at.insert(log.address, unpause_slot);
        } else {
            world.unpause_at.remove(&log.address);
        }
    }
    Ok(latest)
}
