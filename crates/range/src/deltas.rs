//! Victim balance changes of one transaction, read from its receipt's logs: ERC-20
//! `Transfer`s into and out of victims, and the ether events of the vault and WETH (the only
//! victims that hold ether, and only through functions that log it).

use std::collections::BTreeMap;

use alloy::{
    primitives::{Address, I256, U256},
    sol_types::SolEvent,
};

use crate::{
    RangeDeployment, Receipt,
    abi::{Token, Vault, WrappedEther},
};

/// victim name → asset symbol (`ETH`, `rUSD`, `RGOV`, `WETH`) → signed change in base units.
/// Only non-zero entries are kept.
pub type BalanceDeltas = BTreeMap<String, BTreeMap<String, I256>>;

/// How `receipt` changed the victims' balances (empty for reverted transactions).
pub fn victim_deltas(range: &RangeDeployment, receipt: &Receipt) -> BalanceDeltas {
    let mut deltas = BalanceDeltas::new();
    if !receipt.succeeded() {
        return deltas;
    }
    let victims: BTreeMap<Address, &'static str> =
        range.victims().into_iter().map(|v| (v.address, v.name)).collect();
    let tokens: BTreeMap<Address, &'static str> =
        range.tokens().into_iter().map(|(symbol, address)| (address, symbol)).collect();
    let mut add = |victim: Address, asset: &str, amount: U256, sign: bool| {
        let Some(name) = victims.get(&victim) else { return };
        let signed = I256::try_from(amount).unwrap_or(I256::MAX);
        let entry = deltas.entry((*name).to_owned()).or_default();
        let slot = entry.entry(asset.to_owned()).or_insert(I256::ZERO);
        *slot = if sign { slot.saturating_add(signed) } else { slot.saturating_sub(signed) };
    };
    for log in &receipt.logs {
        let Some(topic0) = log.topics.first() else { continue };
        let amount = || U256::try_from_be_slice(log.data.get(..32).unwrap_or_default());
        let indexed = |i: usize| log.topics.get(i).map(|t| Address::from_word(*t));
        if let Some(symbol) = tokens.get(&log.address)
            && *topic0 == Token::Transfer::SIGNATURE_HASH
            && log.topics.len() == 3
            && let (Some(from), Some(to), Some(value)) = (indexed(1), indexed(2), amount())
        {
            add(from, symbol, value, false);
            add(to, symbol, value, true);
        }
        let ether_in = (log.address == range.contracts.vault
            && *topic0 == Vault::Deposited::SIGNATURE_HASH)
            || (log.address == range.contracts.weth
                && *topic0 == WrappedEther::Deposit::SIGNATURE_HASH);
        let ether_out = (log.address == range.contracts.vault
            && *topic0 == Vault::Withdrawn::SIGNATURE_HASH)
            || (log.address == range.contracts.weth
                && *topic0 == WrappedEther::Withdrawal::SIGNATURE_HASH);
        if (ether_in || ether_out)
            && let Some(value) = amount()
        {
            add(log.address, "ETH", value, ether_in);
        }
    }
    for assets in deltas.values_mut() {
        assets.retain(|_, delta| !delta.is_zero());
    }
    deltas.retain(|_, assets| !assets.is_empty());
    deltas
}
