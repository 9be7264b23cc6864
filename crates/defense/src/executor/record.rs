//! Journal records and reports of actions that end without (or before) a transaction.

use std::time::Instant;

use serde_json::json;
use vigil_types::{Address, Finding};

use super::{Shared, now_ms, report::DefenseReport};
use crate::{
    attack::AttackTx,
    journal::{ActionRecord, ActionStatus},
};

pub(super) fn new_record(
    finding: &Finding,
    attack: &AttackTx,
    target: Address,
    call: &str,
    status: ActionStatus,
) -> ActionRecord {
    let now = now_ms();
    ActionRecord {
        finding_id: finding.id.0.clone(),
        attack_tx: attack.hash,
        attack_bumps: Vec::new(),
        attacker: attack.replacement_key(),
        target,
        call: call.to_owned(),
        status,
        reason: String::new(),
        nonce: None,
        versions: Vec::new(),
        charged_wei: 0,
        created_at: now,
        updated_at: now,
        detail: json!({
            "analyzer": finding.analyzer,
            "level": finding.threat_level,
            "confidence": finding.confidence,
            "summary": finding.summary,
            "observed_at": finding.observed_at,
            "attacker": {
                "from": attack.from, "nonce": attack.nonce,
                "max_fee_per_gas": attack.max_fee_per_gas.map(|v| v.to_string()),
                "max_priority_fee_per_gas": attack.max_priority_fee_per_gas.map(|v| v.to_string()),
                "gas_price": attack.gas_price.map(|v| v.to_string()),
            },
        }),
    }
}

/// Journals and reports an attack the executor answers without a transaction.
pub(super) async fn close_unanswered(
    shared: &Shared,
    finding: &Finding,
    attack: &AttackTx,
    target: Address,
    status: ActionStatus,
    reason: String,
    received_at: Instant,
) {
    remember(shared, finding, attack).await;
    let call = shared
        .policy
        .protected(&target)
        .map(|p| p.guardian.signature().to_owned())
        .unwrap_or_default();
    let mut record = new_record(finding, attack, target, &call, status);
    record.reason = reason;
    match shared.journal.claim(&record).await {
        Ok(true) => publish(shared, finding, record, Some(received_at), None),
        Ok(false) => {}
        Err(error) => tracing::warn!(finding = %finding.id, "{error}"),
    }
}

pub(super) fn publish(
    shared: &Shared,
    finding: &Finding,
    record: ActionRecord,
    received_at: Option<Instant>,
    accepted_at: Option<Instant>,
) {
    let target_name =
        shared.policy.protected(&record.target).map(|p| p.name.clone()).unwrap_or_default();
    let report = DefenseReport {
        record,
        target_name,
        received_at,
        accepted_at,
        level: finding.threat_level,
        chain_id: shared.chain_id,
    };
    shared.reporter.publish(&shared.id, report);
}

/// Remembers that `finding` is handled (no second answer).
async fn remember(shared: &Shared, finding: &Finding, attack: &AttackTx) {
    shared.state.lock().await.policy.handled(&finding.id, attack.hash);
}
