//! From finding to broadcast: the critical path. Everything that can run at once does
//! (journal claim, simulation, base fee, nonce); nothing waits for an alert.

use std::{sync::Arc, time::Instant};

use vigil_types::{Address, Finding};

use super::{Shared, defend::defend, now_ms, record::close_unanswered, stats::Handled, watch};
use crate::{
    attack::{AttackTx, integer, named_targets},
    journal::ActionStatus,
    policy::{Decision, Refusal},
};

/// Handles one finding; `Err` carries a refusal or failure worth the engine's error count.
pub(super) async fn handle(shared: &Arc<Shared>, finding: &Finding) -> Result<(), String> {
    let outcome = decide_and_act(shared, finding).await;
    shared.stats.count(match &outcome {
        Ok(handled) => *handled,
        Err(_) => Handled::Refused,
    });
    outcome.map(|_| ())
}

async fn decide_and_act(shared: &Arc<Shared>, finding: &Finding) -> Result<Handled, String> {
    let received_at = Instant::now();
    let mut attack = AttackTx::from_finding(finding);
    if forward_bump(shared, finding, &attack).await {
        return Ok(Handled::Escalated);
    }
    let mut candidates = named_targets(finding);
    let mut looked_up = None;
    let named_protected = candidates.iter().any(|a| shared.policy.protected(a).is_some());
    if !named_protected
        && shared.config.trace_targets
        && !attack.mined
        && shared.policy.is_serious(finding)
    {
        match trace_targets(shared, &attack).await {
            Ok((tx, touched)) => {
                candidates.extend(touched);
                looked_up = tx;
            }
            Err(error) => {
                tracing::debug!(finding = %finding.id, "could not trace the attack: {error}")
            }
        }
    }
    if let Some(tx) = &looked_up {
        fill_fees(&mut attack, tx);
    }
    let decision = {
        let state = shared.state.lock().await;
        shared.policy.decide(&state.policy, finding, &attack, &candidates, now_ms())
    };
    let target = match decision {
        Decision::Ignore(reason) => {
            tracing::trace!(finding = %finding.id, ?reason, "not acting");
            return Ok(Handled::Ignored);
        }
        Decision::TooLate { target } => {
            let reason = "the attack was already mined when it was first seen".to_owned();
            close_unanswered(
                shared,
                finding,
                &attack,
                target,
                ActionStatus::TooLate,
                reason,
                received_at,
            )
            .await;
            return Ok(Handled::Refused);
        }
        Decision::Refuse { target, reason: Refusal::CoolDown { remaining_ms } } => {
            let open = {
                let mut state = shared.state.lock().await;
                state.policy.handled(&finding.id, attack.hash);
                state.targets.get(&target).cloned()
            };
            // Another attack on a target whose pause is still pending: make sure the pending
            // pause outbids it too (a decoy followed by the real attack must not win).
            if let (Some(open), Some(hash)) = (open, attack.hash)
                && open.send(watch::Bump { hash, attack, same_nonce: false }).await.is_ok()
            {
                return Ok(Handled::Escalated);
            }
            tracing::debug!(finding = %finding.id, %target, remaining_ms, "target in cool-down");
            return Ok(Handled::Refused);
        }
        Decision::Refuse { target, reason } => {
            let reason = reason.to_string();
            close_unanswered(
                shared,
                finding,
                &attack,
                target,
                ActionStatus::Refused,
                reason.clone(),
                received_at,
            )
            .await;
            return Err(reason);
        }
        Decision::Act { target } => target,
    };
    let protected = shared.policy.protected(&target).cloned().ok_or("target vanished")?;
    defend(shared, finding, attack, protected, received_at).await
}

/// A finding about a new version (same sender and nonce) of an attack being answered.
async fn forward_bump(shared: &Arc<Shared>, finding: &Finding, attack: &AttackTx) -> bool {
    let (Some(key), Some(hash)) = (attack.replacement_key(), attack.hash) else { return false };
    let mut state = shared.state.lock().await;
    let Some(tx) = state.active.get(&key).cloned() else { return false };
    state.policy.handled(&finding.id, Some(hash));
    drop(state);
    let bump = watch::Bump { hash, attack: attack.clone(), same_nonce: true };
    tx.send(bump).await.is_ok()
}

/// The pending attacker transaction and the protected-contract candidates its trace reaches.
async fn trace_targets(
    shared: &Shared,
    attack: &AttackTx,
) -> crate::Result<(Option<serde_json::Value>, Vec<Address>)> {
    let Some(hash) = attack.hash else { return Ok((None, Vec::new())) };
    let Some(tx) = shared.rpc.transaction(hash).await? else { return Ok((None, Vec::new())) };
    let touched = shared.rpc.touched(&tx).await?;
    Ok((Some(tx), touched))
}

pub(super) fn fill_fees(attack: &mut AttackTx, tx: &serde_json::Value) {
    if !attack.has_fees() {
        attack.max_fee_per_gas = integer(tx.get("maxFeePerGas"));
        attack.max_priority_fee_per_gas = integer(tx.get("maxPriorityFeePerGas"));
        attack.gas_price = integer(tx.get("gasPrice")).filter(|_| attack.max_fee_per_gas.is_none());
    }
    attack.from = attack.from.or_else(|| tx.get("from").and_then(|v| v.as_str()?.parse().ok()));
    attack.nonce = attack.nonce.or_else(|| integer(tx.get("nonce")).map(|n| n as u64));
}
