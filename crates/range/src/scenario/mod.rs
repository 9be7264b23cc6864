//! The scenario driver: benign traffic from many accounts with attacks mixed in at chosen
//! blocks, every transaction labelled, deterministic from a seed on a `--no-mining` node.
//! Each block: the protocol's upkeep, the scheduled user actions and attack stages are
//! sent (in shuffled order, so a block interleaves them), the range reads each back from
//! the node while it is pending, mines (or waits for) the block, and writes one dataset
//! line per transaction with its receipt and victim balance deltas.

mod benign;
mod defi;
mod mistakes;
mod observe;
mod schedule;
mod upkeep;
mod world;

use std::{
    collections::BTreeMap,
    io::Write,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};

use self::{
    benign::{Ctx, user_action},
    observe::{drained_target, observe, order_fees_per_sender, track_pauses},
    world::{Effect, Planned, Pools, World},
};
use crate::{
    Chain, NoteBook, RangeDeployment, RangeError, Result,
    attacks::{AttackContext, AttackRun},
    dataset::{DatasetRecord, DatasetStats, Label, ReceiptSummary, StatsBuilder, write_record},
    victim_deltas,
};

/// Size, length and pacing of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Benign user actions (each one or two transactions; keeper and admin traffic comes on
    /// top).
    pub benign_actions: usize,
    /// Attack runs, cycling through every kind and route.
    pub attacks: usize,
    /// Chain time covered, in seconds.
    pub duration_secs: u64,
    /// Seconds between blocks.
    pub block_secs: u64,
    /// Wall-clock pause between sending a block's transactions and mining it, so a watcher
    /// (vigil) can react to what is pending. Zero for dataset generation.
    pub slot_delay: Duration,
    /// Blocks after which the owner unpauses a victim someone paused.
    pub unpause_after_blocks: u64,
    /// Share of users that start without ether and are funded during the scenario.
    pub newcomer_share: f64,
}

impl Default for ScenarioConfig {
    /// The default dataset: 5,000 benign actions and 120 attacks over six hours of blocks.
    fn default() -> Self {
        Self {
            seed: 1,
            benign_actions: 5_000,
            attacks: 120,
            duration_secs: 6 * 3600,
            block_secs: 12,
            slot_delay: Duration::ZERO,
            unpause_after_blocks: 5,
            newcomer_share: 0.15,
        }
    }
}

impl ScenarioConfig {
    /// A short scenario for the demo: a few hundred actions, one attack of each kind and
    /// route, and time for a watcher to act before every block.
    pub fn demo(seed: u64) -> Self {
        Self {
            seed,
            benign_actions: 300,
            attacks: 10,
            duration_secs: 20 * 60,
            slot_delay: Duration::from_millis(300),
            ..Self::default()
        }
    }

    /// Blocks the scenario spans.
    pub fn blocks(&self) -> u64 {
        self.duration_secs / self.block_secs.max(1)
    }

    fn validate(&self) -> Result<()> {
        if self.block_secs == 0 || self.blocks() < 20 {
            return Err(RangeError::Invalid(format!(
                "scenario: duration_secs / block_secs must give at least 20 blocks (got {})",
                self.blocks()
            )));
        }
        if !(0.0..=0.9).contains(&self.newcomer_share) {
            return Err(RangeError::Invalid(
                "scenario: newcomer_share must be within 0..=0.9".into(),
            ));
        }
        Ok(())
    }
}

/// What a scenario produced.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// Counts per label.
    pub stats: DatasetStats,
    /// Blocks mined (or waited for).
    pub blocks: u64,
    /// Transactions the node refused (not in the dataset), with the first few reasons.
    pub rejected: usize,
    /// Up to ten rejection reasons.
    pub rejections: Vec<String>,
    /// Sent transactions that never got a receipt (the node dropped them); they are in the
    /// dataset with `"receipt": null`.
    pub dropped: usize,
    /// Wall-clock time of the whole run, preparation included.
    pub elapsed: Duration,
}

/// A sent transaction waiting for its block.
struct InFlight {
    hash: alloy::primitives::B256,
    planned: Planned,
    tx: serde_json::Value,
    seen_at: u64,
}

/// Plays `config` on the deployed `range`, writing the dataset to `out` as JSONL.
pub async fn play(
    chain: &mut Chain,
    range: &RangeDeployment,
    config: &ScenarioConfig,
    out: &mut dyn Write,
) -> Result<ScenarioReport> {
    config.validate()?;
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(config.seed);
    let slots = config.blocks();
    let plan = schedule::schedule(
        range,
        config.seed,
        slots,
        config.block_secs,
        config.benign_actions,
        config.attacks,
        &mut rng,
    );
    let pools = Pools::read(chain, range).await?;
    let mut world = World::new(config.seed, range.users.len(), pools.v2_price());
    world.pools = pools;
    let mut counts = [4usize, 4, 4];
    for index in range.whales()..range.users.len() {
        if rng.random_bool(config.newcomer_share) {
            let via_mixer = rng.random_bool(0.2);
            counts[0] += usize::from(via_mixer);
            world.active[index] = false;
            let at = rng.random_range(0..slots * 4 / 5);
            world.activations.entry(at).or_default().push((index, via_mixer));
            chain.set_balance(range.users[index], alloy::primitives::U256::ZERO).await?;
        }
    }
    let mut runs: Vec<AttackRun> = Vec::with_capacity(plan.attacks.len());
    let mut due: BTreeMap<u64, Vec<(usize, crate::dataset::Stage)>> = BTreeMap::new();
    for (i, scheduled) in plan.attacks.into_iter().enumerate() {
        for (n, c) in scheduled.run.notes_needed(chain.base_fee()).into_iter().enumerate() {
            counts[n] += 2 * c;
        }
        scheduled.run.prepare(chain).await?;
        for (stage, slot) in scheduled.stage_slots {
            due.entry(slot).or_default().push((i, stage));
        }
        runs.push(scheduled.run);
    }
    let mut notes = NoteBook::deposit(chain, range, config.seed, counts).await?;
    let start_ts = chain.refresh_base_fee().await?;
    let mut last_block = chain.rpc().block_number().await?;
    let mut stats = StatsBuilder::default();
    let (mut rejected, mut rejections, mut dropped) = (0usize, Vec::new(), 0usize);
    for slot in 0..slots {
        world.busy.clear();
        world.pools = Pools::read(chain, range).await?;
        let mut groups = {
            let mut ctx = Ctx { chain, range, world: &mut world };
            let mut groups = upkeep::upkeep(&mut ctx, slot, &mut notes).await?;
            for _ in 0..plan.benign[slot as usize] {
                let Some(index) = pick_user(&mut ctx) else { break };
                groups.push(user_action(&mut ctx, index).await?);
            }
            groups
        };
        // Stages of one run due in the same block go out as one group, in stage order.
        let mut stages_due: BTreeMap<usize, Vec<Planned>> = BTreeMap::new();
        for (i, stage) in due.remove(&slot).unwrap_or_default() {
            let run = &mut runs[i];
            let mut ctx = AttackContext { chain, range, notes: &mut notes };
            let label = Label::attack(run.variant.kind, &run.instance, &run.variant.name(), stage);
            let txs = run.build(stage, &mut ctx).await?;
            let group = stages_due.entry(i).or_default();
            group.extend(txs.into_iter().map(|tx| Planned {
                tx,
                label: label.clone(),
                effect: Effect::None,
            }));
        }
        groups.extend(stages_due.into_values());
        groups.shuffle(&mut world.rng);
        let mut txs: Vec<Planned> = groups.into_iter().flatten().collect();
        order_fees_per_sender(&mut txs);
        let mut sent = Vec::new();
        for planned in txs {
            match chain.send(&planned.tx).await {
                Ok(hash) => {
                    let tx = chain.transaction(hash).await?;
                    sent.push(InFlight { hash, planned, tx, seen_at: unix_ms() });
                }
                Err(e) => {
                    let (action, instance) = (&planned.label.variant, &planned.label.instance);
                    tracing::warn!(%action, %instance, "node refused a scenario transaction: {e}");
                    rejected += 1;
                    if rejections.len() < 10 {
                        rejections.push(format!(
                            "{} ({}): {e}",
                            planned.label.variant, planned.label.instance
                        ));
                    }
                }
            }
        }
        if !config.slot_delay.is_zero() {
            tokio::time::sleep(config.slot_delay).await;
        }
        let hashes: Vec<_> = sent.iter().map(|s| s.hash).collect();
        let timestamp = start_ts + (slot + 1) * config.block_secs;
        let receipts = if hashes.is_empty() && chain.mode() == crate::MiningMode::Interval {
            Vec::new()
        } else {
            chain.settle(&hashes, Some(timestamp)).await?
        };
        dropped += receipts.iter().filter(|r| r.is_none()).count();
        for (flight, receipt) in sent.into_iter().zip(receipts) {
            let mut record = DatasetRecord {
                tx: flight.tx,
                label: flight.planned.label,
                receipt: receipt.as_ref().map(|r| ReceiptSummary {
                    status: r.succeeded(),
                    gas_used: r.gas_used(),
                    block_number: r.block_number(),
                }),
                victim_balance_deltas: BTreeMap::new(),
                seen_at: flight.seen_at,
            };
            if let Some(receipt) = receipt.as_ref().filter(|r| r.succeeded()) {
                record.set_deltas(&victim_deltas(range, receipt));
                observe(&mut world, range, &receipt.logs, flight.planned.effect);
            }
            if drained_target(&record) && world.refill_at.is_none() {
                world.refill_at = Some(slot + world.rng.random_range(1..=3));
            }
            stats.add(
                &record.label,
                record.receipt.map(|r| r.status),
                &record.victim_balance_deltas,
            );
            write_record(out, &record)?;
        }
        if slot % 100 == 99 {
            tracing::debug!(
                slot,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "scenario progress"
            );
        }
        last_block =
            track_pauses(chain, range, &mut world, last_block, slot + config.unpause_after_blocks)
                .await?;
    }
    out.flush().map_err(|e| RangeError::Io(e.to_string()))?;
    Ok(ScenarioReport {
        stats: stats.finish(),
        blocks: slots,
        rejected,
        rejections,
        dropped,
        elapsed: started.elapsed(),
    })
}

/// A random active user that has not sent in this block yet.
fn pick_user(ctx: &mut Ctx<'_>) -> Option<usize> {
    let users = ctx.range.users.len();
    for _ in 0..12 {
        let index = ctx.world.rng.random_range(0..users);
        let user = ctx.range.users[index];
        if ctx.world.active[index] && !ctx.world.busy.contains(&user) {
            ctx.world.busy.insert(user);
            return Some(index);
        }
    }
    None
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
