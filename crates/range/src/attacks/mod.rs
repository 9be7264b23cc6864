//! The attacks: kinds, variants, and runs that build each stage's transactions when it is
//! due (amounts depend on the victim's state at that moment), plus [`run_attack`], which
//! plays one run to the end and reports what the victim lost.

mod exploit;
mod variant;

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use rand::rngs::StdRng;

pub use variant::{AttackKind, AttackVariant, Funding, Route, Size};

pub use crate::fees::FeeStyle;
use crate::{
    Chain, NoteBook, PlannedTx, RangeDeployment, Receipt, Result, abi::Token, dataset::Stage,
    deploy::units, notes::denomination_for,
};

/// What an attack run needs from the world while building a stage.
#[derive(Debug)]
pub struct AttackContext<'a> {
    /// The node.
    pub chain: &'a mut Chain,
    /// The range under attack.
    pub range: &'a RangeDeployment,
    /// Mixer notes for mixer-funded variants.
    pub notes: &'a mut NoteBook,
}

/// One attack instance: a variant, an attacking address, and what its stages created.
#[derive(Debug, Clone)]
pub struct AttackRun {
    /// Instance id shared by every transaction of the run.
    pub instance: String,
    /// How the attack is carried out.
    pub variant: AttackVariant,
    /// The attacking EOA.
    pub attacker: Address,
    /// Priority fee of every transaction of the run.
    pub tip: u64,
    helper: Option<Address>,
    nonce_seed: u64,
}

impl AttackRun {
    /// A run of `variant` from `attacker`; its tip is drawn from the variant's fee style.
    pub fn new(
        instance: String,
        variant: AttackVariant,
        attacker: Address,
        rng: &mut StdRng,
    ) -> Self {
        use rand::Rng;
        let tip = variant.fee.tip(rng);
        let nonce_seed = rng.random_range(1_000_000_000_000..2_000_000_000_000u64);
        Self { instance, variant, attacker, tip, helper: None, nonce_seed }
    }

    /// Stages in order.
    pub fn stages(&self) -> Vec<Stage> {
        self.variant.stages()
    }

    /// The victim the run attacks (and the defender must pause).
    pub fn target(&self, range: &RangeDeployment) -> Address {
        range.victim(self.variant.kind.target()).map(|v| v.address).unwrap_or_default()
    }

    /// Ether the attacker needs: stake plus gas for every later stage at `base_fee`.
    pub fn budget(&self, base_fee: u64) -> U256 {
        let per_gas =
            U256::from(base_fee.saturating_mul(4).saturating_add(self.tip) + 1_000_000_000);
        self.variant.stake() + per_gas * U256::from(self.variant.gas_budget() * 13 / 10)
    }

    /// Zeroes the attacker's balance when the variant funds it first (preparation only).
    pub async fn prepare(&self, chain: &Chain) -> Result<()> {
        if self.variant.funding != Funding::Prefunded {
            chain.set_balance(self.attacker, U256::ZERO).await?;
        }
        Ok(())
    }

    /// The transactions of `stage`, to be sent right away and in order.
    pub async fn build(
        &mut self,
        stage: Stage,
        ctx: &mut AttackContext<'_>,
    ) -> Result<Vec<PlannedTx>> {
        let txs = match stage {
            Stage::Funding => self.funding(ctx),
            Stage::Deployment => {
                let nonce = ctx.chain.nonce(self.attacker).await?;
                self.helper = Some(self.attacker.create(nonce));
                vec![exploit::deploy_helper(self, ctx.range)?]
            }
            Stage::Exploit => exploit::exploit(self, ctx).await?,
        };
        // Wallet-like limits: the planned limit plus 0–30 % headroom, rounded to 1,000 gas
        // (plain transfers keep exactly 21,000), so limits are no giveaway by themselves.
        let salt = self.nonce_seed ^ (stage as u64) << 8;
        Ok(txs
            .into_iter()
            .enumerate()
            .map(|(i, mut tx)| {
                if tx.gas != 21_000 {
                    let headroom = (salt.rotate_left(i as u32 * 7) % 300) + 1_000;
                    tx.gas = (tx.gas * headroom / 1_000).div_ceil(1_000) * 1_000;
                }
                tx.with_tip(self.tip)
            })
            .collect())
    }

    pub(crate) fn helper(&self) -> Address {
        self.helper.unwrap_or_default()
    }

    pub(crate) fn forged_nonce(&self) -> u64 {
        self.nonce_seed
    }

    fn funding(&self, ctx: &mut AttackContext<'_>) -> Vec<PlannedTx> {
        let need = self.budget(ctx.chain.base_fee());
        if self.variant.funding == Funding::Mixer
            && let Some((secret, value)) = ctx.notes.take(need)
        {
            return vec![NoteBook::withdrawal(ctx.range, secret, value, self.attacker, self.tip)];
        }
        let whole = need / units(1) + U256::from(1u64);
        let value = units(whole.to::<u64>());
        vec![PlannedTx {
            from: ctx.range.roles.exchange,
            to: Some(self.attacker),
            value,
            gas: 21_000,
            ..Default::default()
        }]
    }

    /// Notes per denomination (1, 10, 100 ether) that mixer funding of this run needs.
    pub fn notes_needed(&self, base_fee: u64) -> [usize; 3] {
        let mut counts = [0; 3];
        if self.variant.funding == Funding::Mixer
            && let Some(i) = denomination_for(self.budget(base_fee))
        {
            counts[i] += 1;
        }
        counts
    }
}

/// A finished run: receipts per stage and the target's holdings before and after.
#[derive(Debug, Clone)]
pub struct AttackOutcome {
    /// Receipts of each stage (`None` if the node dropped a transaction).
    pub stages: Vec<(Stage, Vec<Option<Receipt>>)>,
    /// Target holdings (asset → base units) before the run.
    pub before: BTreeMap<String, U256>,
    /// Target holdings after the run.
    pub after: BTreeMap<String, U256>,
}

impl AttackOutcome {
    fn exploit(&self) -> impl Iterator<Item = &Option<Receipt>> {
        self.stages.iter().filter(|(s, _)| *s == Stage::Exploit).flat_map(|(_, r)| r)
    }

    /// Every exploit transaction was mined and succeeded.
    pub fn exploit_succeeded(&self) -> bool {
        self.exploit().all(|r| r.as_ref().is_some_and(Receipt::succeeded))
    }

    /// Every exploit transaction was mined and reverted.
    pub fn exploit_reverted(&self) -> bool {
        self.exploit().all(|r| r.as_ref().is_some_and(|r| !r.succeeded()))
    }

    /// Some asset of the target went down.
    pub fn victim_lost_funds(&self) -> bool {
        self.before.iter().any(|(asset, before)| self.after.get(asset).is_some_and(|a| a < before))
    }
}

/// What `victim` holds: ether and each of the range's tokens, in base units.
pub async fn holdings(
    chain: &Chain,
    range: &RangeDeployment,
    victim: Address,
) -> Result<BTreeMap<String, U256>> {
    let mut out = BTreeMap::new();
    out.insert("ETH".to_owned(), chain.balance(victim).await?);
    for (symbol, token) in range.tokens() {
        out.insert(
            symbol.to_owned(),
            chain.call(token, &Token::balanceOfCall { account: victim }).await?,
        );
    }
    Ok(out)
}

/// Plays every stage of `run` (each stage mined before the next) and reports the outcome.
pub async fn run_attack(ctx: &mut AttackContext<'_>, run: &mut AttackRun) -> Result<AttackOutcome> {
    let target = run.target(ctx.range);
    let before = holdings(ctx.chain, ctx.range, target).await?;
    let mut stages = Vec::new();
    for stage in run.stages() {
        let txs = run.build(stage, ctx).await?;
        let mut hashes = Vec::with_capacity(txs.len());
        for tx in &txs {
            hashes.push(ctx.chain.send(tx).await?);
        }
        stages.push((stage, ctx.chain.settle(&hashes, None).await?));
    }
    let after = holdings(ctx.chain, ctx.range, target).await?;
    Ok(AttackOutcome { stages, before, after })
}
