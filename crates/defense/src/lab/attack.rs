//! Attacks on the lab: the range's real exploits, prepared up to their exploit stage, then
//! sent with fees the caller chooses (so tests can pit every fee shape against the defense).

use std::collections::BTreeMap;

use rand::{SeedableRng, rngs::StdRng};
use serde_json::Value;
use vigil_range::{
    NoteBook, PlannedTx,
    attacks::{AttackContext, AttackKind, AttackRun, AttackVariant, Route, holdings},
    dataset::Stage,
};
use vigil_testkit::TxRequest;
use vigil_types::{Address, B256, U256};

use super::{DefenseLab, range_error};
use crate::{DefenseError, Result};

/// The attacker's fee fields, per gas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackFees {
    /// `maxFeePerGas`.
    pub max_fee: u64,
    /// `maxPriorityFeePerGas`.
    pub tip: u64,
}

/// An attack whose preparation (helper contract deployed) is mined and whose exploit
/// transactions are built but not sent.
#[derive(Debug, Clone)]
pub struct PreparedAttack {
    /// The exploit kind.
    pub kind: AttackKind,
    /// The victim that would lose funds.
    pub target: Address,
    /// The attacking EOA.
    pub attacker: Address,
    /// The attack contract, for the contract route.
    pub helper: Option<Address>,
    /// Its artifact name.
    pub helper_artifact: Option<&'static str>,
    /// The exploit transactions, in order.
    pub exploit: Vec<PlannedTx>,
}

/// The helper artifact of a contract-route attack of `kind`.
fn helper_artifact(kind: AttackKind) -> &'static str {
    match kind {
        AttackKind::Reentrancy => "ReentrancyAttacker",
        AttackKind::FlashLoanPriceManipulation => "FlashLoanAttacker",
        AttackKind::BridgeForgery => "BridgeAttacker",
        AttackKind::OwnershipTakeover => "TakeoverAttacker",
    }
}

impl DefenseLab {
    /// Prepares an attack of `kind` along `route` from `attacker`: runs the stages before the
    /// exploit (mined) and builds the exploit transactions against the current state.
    pub async fn prepare(
        &mut self,
        kind: AttackKind,
        route: Route,
        attacker: Address,
        seed: u64,
    ) -> Result<PreparedAttack> {
        let mut rng = StdRng::seed_from_u64(seed);
        let variant = AttackVariant::new(kind, route);
        let mut run = AttackRun::new(format!("lab-{seed}"), variant, attacker, &mut rng);
        let mut notes = NoteBook::default();
        let range = self.range.clone();
        let target = run.target(&range);
        let mut helper = None;
        for stage in run.stages() {
            let mut ctx =
                AttackContext { chain: &mut self.chain, range: &range, notes: &mut notes };
            let txs = run.build(stage, &mut ctx).await.map_err(range_error)?;
            if stage == Stage::Exploit {
                let helper_artifact = helper.map(|_| helper_artifact(kind));
                return Ok(PreparedAttack {
                    kind,
                    target,
                    attacker,
                    helper,
                    helper_artifact,
                    exploit: txs,
                });
            }
            let receipts = self.chain.execute(&txs).await.map_err(range_error)?;
            helper = helper.or(receipts.iter().find_map(|r| r.contract_address));
        }
        Err(DefenseError::Range(format!("attack {} has no exploit stage", kind.as_str())))
    }

    /// Sends the exploit transactions of `attack` with `fees`; returns their hashes.
    pub async fn launch(&self, attack: &PreparedAttack, fees: AttackFees) -> Result<Vec<B256>> {
        let first = self.pending_nonce(attack.attacker).await?;
        let mut hashes = Vec::new();
        for (i, tx) in attack.exploit.iter().enumerate() {
            hashes.push(self.send_with(tx, fees, first + i as u64).await?);
        }
        Ok(hashes)
    }

    /// The next nonce of `account`, pending transactions counted.
    pub async fn pending_nonce(&self, account: Address) -> Result<u64> {
        let hex: alloy::primitives::U64 = self
            .rpc()
            .call("eth_getTransactionCount", serde_json::json!([account, "pending"]))
            .await
            .map_err(range_error)?;
        Ok(hex.to::<u64>())
    }

    /// Sends `tx` with `fees` and `nonce` from its (unlocked) sender.
    pub async fn send_with(&self, tx: &PlannedTx, fees: AttackFees, nonce: u64) -> Result<B256> {
        let request = TxRequest {
            from: tx.from,
            to: tx.to,
            value: (!tx.value.is_zero()).then_some(tx.value),
            input: Some(tx.input.to_string()),
            gas: Some(tx.gas),
            max_fee_per_gas: Some(fees.max_fee),
            max_priority_fee_per_gas: Some(fees.tip),
            nonce: Some(nonce),
        };
        self.rpc().send_transaction(&request).await.map_err(range_error)
    }

    /// What `victim` holds (ether and each token).
    pub async fn holdings(&self, victim: Address) -> Result<BTreeMap<String, U256>> {
        holdings(&self.chain, &self.range, victim).await.map_err(range_error)
    }

    /// The node's view of transaction `hash` (fee fields, block, index).
    pub async fn transaction(&self, hash: B256) -> Result<Value> {
        self.chain.transaction(hash).await.map_err(range_error)
    }

    /// Receipt status and (block, index) of `hash`, if mined.
    pub async fn position(&self, hash: B256) -> Result<Option<(bool, u64, u64)>> {
        let receipt = self.chain.receipt(hash).await.map_err(range_error)?;
        Ok(receipt.map(|r| (r.succeeded(), r.block_number(), r.transaction_index())))
    }
}
