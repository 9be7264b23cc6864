//! Start-up from the journal: which findings and attacks were answered, the cool-downs and
//! charges still running, and the actions still open — whose watchers start again, with the
//! signed transaction rebroadcast if the node lost it.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;
use vigil_types::ThreatLevel;

use super::{Shared, now_ms, watch};
use crate::{
    Result,
    attack::integer,
    fees::AttackerBid,
    journal::{ActionRecord, ActionStatus},
    policy::{GuardianCall, Protected},
    rpc::NodeRpc,
};

const DAY_MS: u64 = 24 * 3_600_000;

pub(super) async fn resume(shared: &Arc<Shared>) -> Result<()> {
    let now = now_ms();
    let records = shared.journal.recent(now.saturating_sub(DAY_MS)).await?;
    let mut open = Vec::new();
    {
        let mut state = shared.state.lock().await;
        for record in &records {
            let id = vigil_types::FindingId(record.finding_id.clone());
            state.policy.handled(&id, record.attack_tx);
            for bump in &record.attack_bumps {
                state.policy.handled(&id, Some(*bump));
            }
            if !record.versions.is_empty() {
                state.policy.acted(record.target, record.created_at);
            }
            state.ledger.charge(&record.finding_id, record.created_at, record.charged_wei);
            if record.status.is_open() {
                open.push(record.clone());
            }
        }
    }
    for mut record in open {
        if record.versions.is_empty() {
            record.status = ActionStatus::Failed;
            record.reason = "interrupted before the transaction was signed".into();
            record.updated_at = now_ms();
            shared.journal.update(&record).await?;
            continue;
        }
        if let Err(error) = rebroadcast(&shared.rpc, &record).await {
            tracing::warn!(action = %record.finding_id, "rebroadcast after restart failed: {error}");
        }
        let action = watch::Action {
            bid: stored_bid(&record.detail),
            protected: protected_of(shared, &record),
            level: serde_json::from_value(record.detail["level"].clone())
                .unwrap_or(ThreatLevel::High),
            replacements: record.versions.len().saturating_sub(1) as u32,
            record,
        };
        let (tx, rx) = mpsc::channel(16);
        {
            let mut state = shared.state.lock().await;
            if let Some(key) = action.record.attacker {
                state.active.insert(key, tx.clone());
            }
            state.targets.insert(action.record.target, tx);
        }
        tracing::info!(action = %action.record.finding_id, "watching an action from before the restart");
        watch::spawn(shared.clone(), action, rx);
    }
    Ok(())
}

/// Sends the latest signed version again when the node knows none of ours.
async fn rebroadcast(rpc: &NodeRpc, record: &ActionRecord) -> Result<()> {
    for version in &record.versions {
        if rpc.receipt(version.hash).await?.is_some()
            || rpc.transaction(version.hash).await?.is_some()
        {
            return Ok(());
        }
    }
    if let Some(latest) = record.versions.last() {
        let raw = hex::decode(latest.raw.trim_start_matches("0x")).map_err(|e| {
            crate::DefenseError::Journal {
                operation: "read",
                reason: format!("stored transaction of {} is not hex: {e}", record.finding_id),
            }
        })?;
        match rpc.send_raw(&raw).await {
            Ok(_) => {}
            Err(error) if error.is_already_known() => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

fn stored_bid(detail: &Value) -> AttackerBid {
    let attacker = &detail["attacker"];
    let field = |key: &str| integer(attacker.get(key));
    let base = integer(detail.get("base_fee")).unwrap_or(0);
    AttackerBid::from_fields(
        field("max_fee_per_gas"),
        field("max_priority_fee_per_gas"),
        field("gas_price"),
        base,
    )
    .unwrap_or(AttackerBid { tip: 0, max_fee: 0 })
}

fn protected_of(shared: &Shared, record: &ActionRecord) -> Protected {
    shared.policy.protected(&record.target).cloned().unwrap_or_else(|| Protected {
        name: record.target.to_string(),
        address: record.target,
        guardian: GuardianCall::parse(&record.call).unwrap_or_else(|_| GuardianCall::pause()),
    })
}
