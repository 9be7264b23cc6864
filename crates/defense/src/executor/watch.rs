//! After the broadcast: follow our transaction block by block; replace it (same nonce, fees
//! up ≥ 10 % and above the attacker's new bid, within caps) when the attacker bumps its tip
//! or ours stays unmined; stop when ours is mined, the attack is mined, or the target is
//! paused by someone else.

use std::{sync::Arc, time::Duration};

use serde_json::json;
use tokio::sync::{mpsc, watch};
use vigil_types::{B256, ThreatLevel};

use super::{Shared, now_ms};
use crate::{
    Result,
    attack::AttackTx,
    caps::CapRefusal,
    fees::AttackerBid,
    journal::{ActionRecord, ActionStatus, SentVersion},
    keys::CallTx,
    policy::Protected,
    rpc::{NodeRpc, Receipt, hex_data},
};

/// A newer attacker transaction: the same sender and nonce (a bump of the attack), or
/// another attack on the same target while our pause is pending.
#[derive(Debug, Clone)]
pub(crate) struct Bump {
    pub(crate) hash: B256,
    pub(crate) attack: AttackTx,
    pub(crate) same_nonce: bool,
}

/// An open action being watched.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) record: ActionRecord,
    pub(crate) bid: AttackerBid,
    pub(crate) protected: Protected,
    pub(crate) level: ThreatLevel,
    pub(crate) replacements: u32,
}

/// Publishes the latest block number until every receiver is gone.
pub(crate) async fn poll_head(rpc: NodeRpc, head: watch::Sender<u64>, interval_ms: u64) {
    let interval = Duration::from_millis(interval_ms);
    loop {
        tokio::select! {
            () = head.closed() => return,
            () = tokio::time::sleep(interval) => {}
        }
        if let Ok(number) = rpc.block_number().await {
            head.send_if_modified(|current| {
                let newer = number > *current;
                if newer {
                    *current = number;
                }
                newer
            });
        }
    }
}

/// Starts watching `action`.
pub(crate) fn spawn(shared: Arc<Shared>, action: Action, bumps: mpsc::Receiver<Bump>) {
    let task = tokio::spawn(run(shared.clone(), action, bumps));
    if let Ok(mut watchers) = shared.watchers.lock() {
        watchers.retain(|w| !w.is_finished());
        watchers.push(task);
    }
}

enum Step {
    Open,
    Closed(ActionStatus, String),
}

async fn run(shared: Arc<Shared>, mut action: Action, mut bumps: mpsc::Receiver<Bump>) {
    let mut head = shared.head.clone();
    // The polled head may lag by a poll interval; counting blocks from a stale head would
    // replace a transaction that had no chance to be mined yet.
    let polled = *head.borrow_and_update();
    let mut last_sent = shared.rpc.block_number().await.map_or(polled, |now| now.max(polled));
    let first_sent = last_sent;
    let limit = shared.config.replace_after_blocks;
    let give_up_after = limit.saturating_mul(u64::from(shared.config.max_replacements) + 2);
    loop {
        tokio::select! {
            changed = head.changed() => {
                if changed.is_err() {
                    return;
                }
                let block = *head.borrow_and_update();
                match check(&shared, &mut action).await {
                    Ok(Step::Closed(status, reason)) => return close(&shared, action, status, reason).await,
                    Ok(Step::Open) => {}
                    Err(error) => tracing::debug!(action = %action.record.finding_id, "check failed: {error}"),
                }
                if block.saturating_sub(first_sent) >= give_up_after {
                    let reason = format!("not mined within {give_up_after} blocks");
                    return close(&shared, action, ActionStatus::Failed, reason).await;
                }
                if block.saturating_sub(last_sent) >= limit && action.replacements < shared.config.max_replacements {
                    last_sent = block;
                    replace(&shared, &mut action, "not mined in time").await;
                }
            }
            bump = bumps.recv() => {
                let Some(bump) = bump else { continue };
                if bump.same_nonce && !action.record.attack_bumps.contains(&bump.hash) {
                    action.record.attack_bumps.push(bump.hash);
                }
                if outbid_by(&shared, &mut action, &bump.attack).await
                    && action.replacements < shared.config.max_replacements
                {
                    last_sent = *head.borrow();
                    let why = if bump.same_nonce { "the attacker raised its fees" } else { "another attack on the target bids higher" };
                    replace(&shared, &mut action, why).await;
                }
            }
        }
    }
}

/// Folds `attack`'s bid into the action's; true when our latest version no longer outbids
/// it under both ordering rules.
async fn outbid_by(shared: &Shared, action: &mut Action, attack: &AttackTx) -> bool {
    let base = shared.rpc.base_fee().await.unwrap_or(0);
    let Some(bid) = AttackerBid::from_fields(
        attack.max_fee_per_gas,
        attack.max_priority_fee_per_gas,
        attack.gas_price,
        base,
    ) else {
        return false;
    };
    action.bid = AttackerBid {
        tip: bid.tip.max(action.bid.tip),
        max_fee: bid.max_fee.max(action.bid.max_fee),
    };
    action.record.versions.last().is_some_and(|ours| !ours.fees.outbid(&action.bid, base))
}

/// Looks at the chain: the target's pause flag, the attack's receipts, ours — in that order,
/// so that a block mined between two of the reads can never make an earlier read look like
/// someone else's pause or an attack that came first.
async fn check(shared: &Shared, action: &mut Action) -> Result<Step> {
    let rpc = &shared.rpc;
    let paused = is_paused(shared, &action.protected).await;
    let attacks: Vec<B256> = action
        .record
        .attack_tx
        .into_iter()
        .chain(action.record.attack_bumps.iter().copied())
        .collect();
    let attack = first_receipt(rpc, attacks.into_iter()).await?;
    let ours = first_receipt(rpc, action.record.versions.iter().map(|v| v.hash)).await?;
    if let Some((hash, a)) = attack {
        action.record.detail["attack_mined"] =
            json!({"hash": hash, "block": a.block_number, "index": a.index, "success": a.success});
    }
    let Some((hash, receipt)) = ours else {
        if let Some((_, a)) = attack {
            let outcome = if a.success { "succeeded" } else { "reverted" };
            return Ok(Step::Closed(
                ActionStatus::TooLate,
                format!(
                    "the attack was mined first (block {}, {outcome}); our pause is still pending",
                    a.block_number
                ),
            ));
        }
        if paused {
            return Ok(Step::Closed(
                ActionStatus::AlreadyPaused,
                "the target was paused by someone else".into(),
            ));
        }
        return Ok(Step::Open);
    };
    action.record.charged_wei =
        u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price);
    action.record.detail["mined"] = json!({
        "hash": hash, "block": receipt.block_number, "index": receipt.index,
        "gas_used": receipt.gas_used, "effective_gas_price": receipt.effective_gas_price.to_string(),
    });
    let position = |r: &Receipt| (r.block_number, r.index);
    Ok(match (receipt.success, attack) {
        (true, Some((_, a))) if position(&a) < position(&receipt) && a.success => {
            Step::Closed(ActionStatus::TooLate, "the attack was mined before our pause".into())
        }
        (true, Some((_, a))) if a.success => Step::Closed(
            ActionStatus::Failed,
            format!("paused in block {} but the attack still succeeded", receipt.block_number),
        ),
        (true, Some((_, a))) => Step::Closed(
            ActionStatus::Saved,
            format!(
                "pause mined in block {} at index {}, attack reverted at index {} of block {}",
                receipt.block_number, receipt.index, a.index, a.block_number
            ),
        ),
        (true, None) => Step::Closed(
            ActionStatus::Saved,
            format!(
                "pause mined in block {} at index {}; the attack has not landed",
                receipt.block_number, receipt.index
            ),
        ),
        (false, _) if is_paused(shared, &action.protected).await => Step::Closed(
            ActionStatus::AlreadyPaused,
            "our pause reverted: the target was already paused".into(),
        ),
        (false, _) => Step::Closed(
            ActionStatus::Failed,
            format!("our pause reverted in block {}", receipt.block_number),
        ),
    })
}

async fn first_receipt(
    rpc: &NodeRpc,
    hashes: impl Iterator<Item = B256>,
) -> Result<Option<(B256, Receipt)>> {
    for hash in hashes {
        if let Some(receipt) = rpc.receipt(hash).await? {
            return Ok(Some((hash, receipt)));
        }
    }
    Ok(None)
}

async fn is_paused(shared: &Shared, _target: &Protected) -> bool {
    let function = &shared.config.paused_function;
    let Ok(call) = crate::policy::GuardianCall::parse(function) else { return false };
    match shared.rpc.eth_call(_target.address, &call.selector()).await {
        Ok(out) => out.len() == 32 && out[31] == 1 && out[..31].iter().all(|b| *b == 0),
        Err(_) => false,
    }
}

/// Sends a new version of our transaction (same nonce) with higher fees, within caps.
pub(crate) async fn replace(shared: &Shared, action: &mut Action, why: &str) {
    let (Some(nonce), Some(previous)) =
        (action.record.nonce, action.record.versions.last().cloned())
    else {
        return;
    };
    let base_fee = match shared.rpc.base_fee().await {
        Ok(fee) => fee,
        Err(error) => {
            return tracing::warn!(action = %action.record.finding_id, "replacement skipped: {error}");
        }
    };
    let id = action.record.finding_id.clone();
    let quote = {
        let state = shared.state.lock().await;
        let (budget, cap) = state.ledger.budget(&shared.caps, &id, now_ms());
        shared
            .strategy
            .replacement(base_fee, &action.bid, &previous.fees, previous.gas_limit, budget)
            .map_err(|over| CapRefusal { cap, left: budget, needed: over.needed_cost })
    };
    let quote = match quote {
        Ok(quote) => quote,
        Err(refusal) => {
            action.record.detail["replacement_refused"] = json!(refusal.to_string());
            tracing::warn!(action = %id, "replacement ({why}) {refusal}");
            return;
        }
    };
    let tx = CallTx {
        chain_id: shared.chain_id,
        nonce,
        to: action.protected.address,
        data: action.protected.guardian.selector().to_vec(),
        gas_limit: previous.gas_limit,
        fees: quote.fees,
    };
    let Ok(signed) = shared.key.sign(&tx) else { return };
    action.record.versions.push(SentVersion {
        hash: signed.hash,
        fees: quote.fees,
        gas_limit: previous.gas_limit,
        raw: hex_data(&signed.raw),
        signed_at: now_ms(),
    });
    action.replacements += 1;
    action.record.updated_at = now_ms();
    action.record.charged_wei = quote.fees.worst_case(previous.gas_limit);
    if let Err(error) = shared.journal.update(&action.record).await {
        tracing::warn!(action = %id, "{error}");
    }
    match shared.rpc.send_raw(&signed.raw).await {
        Ok(_) => {
            shared.state.lock().await.ledger.charge(
                &id,
                action.record.created_at,
                action.record.charged_wei,
            );
            action.record.reason = format!("replaced: {why}");
            publish(shared, action);
        }
        // A version of ours was mined meanwhile (nonce used) or the node wants more: the
        // next block's check settles it.
        Err(error) => tracing::warn!(action = %id, "replacement ({why}) not accepted: {error}"),
    }
}

async fn close(shared: &Shared, mut action: Action, status: ActionStatus, reason: String) {
    action.record.status = status;
    action.record.reason = reason;
    action.record.updated_at = now_ms();
    {
        let mut state = shared.state.lock().await;
        state.ledger.charge(
            &action.record.finding_id,
            action.record.created_at,
            action.record.charged_wei,
        );
        if let Some(key) = action.record.attacker {
            state.active.remove(&key);
        }
        state.targets.remove(&action.record.target);
    }
    if let Err(error) = shared.journal.update(&action.record).await {
        tracing::warn!(action = %action.record.finding_id, "{error}");
    }
    publish(shared, &action);
}

fn publish(shared: &Shared, action: &Action) {
    let report = super::DefenseReport {
        record: action.record.clone(),
        target_name: action.protected.name.clone(),
        received_at: None,
        accepted_at: None,
        level: action.level,
        chain_id: shared.chain_id,
    };
    shared.reporter.publish(&shared.id, report);
}
