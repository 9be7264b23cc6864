//! The guardian transaction: simulate, price, sign, journal, broadcast, hand to the watcher.

use std::{sync::Arc, time::Instant};

use serde_json::json;
use tokio::sync::mpsc;
use vigil_types::Finding;

use super::{
    Shared,
    act::fill_fees,
    now_ms,
    record::{new_record, publish},
    stats::Handled,
    watch,
};
use crate::{
    DefenseError,
    attack::AttackTx,
    caps::CapRefusal,
    fees::AttackerBid,
    journal::{ActionRecord, ActionStatus, SentVersion},
    keys::CallTx,
    policy::Protected,
    rpc::hex_data,
};

/// Simulates, prices, signs, journals and broadcasts the guardian call, then starts the
/// watcher.
pub(super) async fn defend(
    shared: &Arc<Shared>,
    finding: &Finding,
    mut attack: AttackTx,
    protected: Protected,
    received_at: Instant,
) -> Result<Handled, String> {
    let call = protected.guardian.signature().to_owned();
    let data = protected.guardian.selector().to_vec();
    let mut record = new_record(finding, &attack, protected.address, &call, ActionStatus::Claimed);
    let now = record.created_at;
    {
        let mut state = shared.state.lock().await;
        state.policy.handled(&finding.id, attack.hash);
        state.policy.acted(protected.address, now);
    }
    let rpc = &shared.rpc;
    let lookup = async {
        match attack.hash.filter(|_| !attack.has_fees()) {
            Some(hash) => rpc.transaction(hash).await.ok().flatten(),
            None => None,
        }
    };
    let (claimed, gas, base_fee, looked_up) = tokio::join!(
        shared.journal.claim(&record),
        rpc.estimate_gas(shared.key.address(), protected.address, &data),
        rpc.base_fee(),
        lookup,
    );
    if let Some(tx) = looked_up {
        fill_fees(&mut attack, &tx);
        record.attacker = attack.replacement_key();
    }
    match claimed {
        Ok(true) => {}
        Ok(false) => return Ok(Handled::Ignored), // answered before a restart
        Err(error) => return Err(error.to_string()),
    }
    let base_fee = match base_fee {
        Ok(fee) => fee,
        Err(error) => {
            return finish(
                shared,
                finding,
                record,
                ActionStatus::Failed,
                error.to_string(),
                received_at,
            )
            .await;
        }
    };
    let gas = match gas {
        Ok(gas) => gas,
        Err(DefenseError::Rpc { message, .. }) => {
            let reason = DefenseError::SimulationReverted {
                call: call.clone(),
                target: protected.name.clone(),
                reason: message,
            }
            .to_string();
            return finish(shared, finding, record, ActionStatus::Failed, reason, received_at)
                .await;
        }
        Err(error) => {
            return finish(
                shared,
                finding,
                record,
                ActionStatus::Failed,
                error.to_string(),
                received_at,
            )
            .await;
        }
    };
    let Some(bid) = AttackerBid::from_fields(
        attack.max_fee_per_gas,
        attack.max_priority_fee_per_gas,
        attack.gas_price,
        base_fee,
    ) else {
        let reason =
            "the attacker's fees are unknown (no fee fields in the finding, tx not in the pool)"
                .to_owned();
        return finish(shared, finding, record, ActionStatus::Failed, reason, received_at).await;
    };
    let gas_limit = ((gas as f64) * shared.config.gas_padding).ceil() as u64;
    let (quote, nonce) = {
        let mut state = shared.state.lock().await;
        let (budget, cap) = state.ledger.budget(&shared.caps, &record.finding_id, now);
        match shared.strategy.quote(base_fee, &bid, gas_limit, budget) {
            Ok(quote) => {
                let nonce = state.nonce.next(rpc).await.map_err(|e| e.to_string())?;
                (quote, nonce)
            }
            Err(over) => {
                drop(state);
                let refusal = CapRefusal { cap, left: budget, needed: over.needed_cost };
                record.detail["base_fee"] = json!(base_fee.to_string());
                let reason = refusal.to_string();
                return finish(shared, finding, record, ActionStatus::Refused, reason, received_at)
                    .await;
            }
        }
    };
    record.detail["base_fee"] = json!(base_fee.to_string());
    record.detail["gas_estimate"] = json!(gas);
    record.detail["squeezed"] = json!(quote.squeezed);
    let tx = CallTx {
        chain_id: shared.chain_id,
        nonce,
        to: protected.address,
        data,
        gas_limit,
        fees: quote.fees,
    };
    let signed = shared.key.sign(&tx).map_err(|e| e.to_string())?;
    record.nonce = Some(nonce);
    record.versions.push(SentVersion {
        hash: signed.hash,
        fees: quote.fees,
        gas_limit,
        raw: hex_data(&signed.raw),
        signed_at: now_ms(),
    });
    record.reason = format!(
        "tip {} vs attacker's {}, max fee {} vs {}",
        crate::Wei(quote.fees.max_priority_fee_per_gas),
        crate::Wei(bid.tip),
        crate::Wei(quote.fees.max_fee_per_gas),
        crate::Wei(bid.max_fee)
    );
    if shared.config.dry_run {
        record.detail["would_send"] =
            json!({"raw": hex_data(&signed.raw), "hash": signed.hash, "nonce": nonce});
        record.status = ActionStatus::DryRun;
        record.updated_at = now_ms();
        shared.journal.update(&record).await.map_err(|e| e.to_string())?;
        publish(shared, finding, record, Some(received_at), None);
        return Ok(Handled::Acted);
    }
    // Journal the signed transaction before it exists anywhere else.
    shared.journal.update(&record).await.map_err(|e| e.to_string())?;
    let accepted = match rpc.send_raw(&signed.raw).await {
        Ok(_) => Ok(()),
        Err(error) if error.is_already_known() => Ok(()),
        Err(error) if error.is_nonce_error() => {
            retry_with_fresh_nonce(shared, &mut record, &tx).await
        }
        Err(error) => Err(error),
    };
    let accepted_at = Instant::now();
    if let Err(error) = accepted {
        shared.state.lock().await.nonce.resync(rpc).await.ok();
        return finish(
            shared,
            finding,
            record,
            ActionStatus::Failed,
            format!("broadcast failed: {error}"),
            received_at,
        )
        .await;
    }
    let (bump_tx, bump_rx) = mpsc::channel(16);
    {
        let mut state = shared.state.lock().await;
        if let Some(n) = record.nonce {
            state.nonce.used(n);
        }
        let worst = record.versions.last().map_or(0, |v| v.fees.worst_case(v.gas_limit));
        state.ledger.charge(&record.finding_id, record.created_at, worst);
        if let Some(key) = record.attacker {
            state.active.insert(key, bump_tx.clone());
        }
        state.targets.insert(record.target, bump_tx);
    }
    record.status = ActionStatus::Sent;
    record.charged_wei = record.versions.last().map_or(0, |v| v.fees.worst_case(v.gas_limit));
    record.updated_at = now_ms();
    publish(shared, finding, record.clone(), Some(received_at), Some(accepted_at));
    let action =
        watch::Action { record, bid, protected, level: finding.threat_level, replacements: 0 };
    watch::spawn(shared.clone(), action, bump_rx);
    Ok(Handled::Acted)
}

/// The node refused our nonce: read it again, re-sign, journal, send once more.
async fn retry_with_fresh_nonce(
    shared: &Shared,
    record: &mut ActionRecord,
    tx: &CallTx,
) -> crate::Result<()> {
    let nonce = shared.state.lock().await.nonce.resync(&shared.rpc).await?;
    let tx = CallTx { nonce, ..tx.clone() };
    let signed = shared.key.sign(&tx)?;
    record.nonce = Some(nonce);
    if let Some(version) = record.versions.last_mut() {
        version.hash = signed.hash;
        version.raw = hex_data(&signed.raw);
    }
    shared.journal.update(record).await?;
    shared.rpc.send_raw(&signed.raw).await.map(|_| ())
}

/// Closes an action that sent nothing: journal, report, and the engine's error count.
async fn finish(
    shared: &Shared,
    finding: &Finding,
    mut record: ActionRecord,
    status: ActionStatus,
    reason: String,
    received_at: Instant,
) -> Result<Handled, String> {
    record.status = status;
    record.reason = reason.clone();
    record.updated_at = now_ms();
    if matches!(status, ActionStatus::Failed | ActionStatus::Refused) {
        // Nothing was sent: the target is not in cool-down because of this attempt.
        shared.state.lock().await.policy.undo_action(record.target, record.created_at);
    }
    let stored = shared.journal.update(&record).await;
    publish(shared, finding, record, Some(received_at), None);
    stored.map_err(|e| e.to_string())?;
    match status {
        ActionStatus::Failed | ActionStatus::Refused => Err(reason),
        _ => Ok(Handled::Refused),
    }
}
