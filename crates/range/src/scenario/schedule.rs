//! When things happen: benign activity per block (a daily rhythm, bursts and quiet spells)
//! and the blocks at which each attack run's stages fall.

use rand::{Rng, rngs::StdRng, seq::SliceRandom};

use crate::{
    RangeDeployment,
    attacks::{AttackKind, AttackRun, AttackVariant, Funding},
    dataset::Stage,
};

/// An attack run and the slot (block index) of each of its stages.
#[derive(Debug, Clone)]
pub(crate) struct ScheduledAttack {
    pub(crate) run: AttackRun,
    pub(crate) stage_slots: Vec<(Stage, u64)>,
}

/// The whole timetable of a scenario.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// Benign user actions started in each slot.
    pub(crate) benign: Vec<usize>,
    pub(crate) attacks: Vec<ScheduledAttack>,
}

/// Relative activity of each slot.
fn activity(slots: u64, block_secs: u64, rng: &mut StdRng) -> Vec<f64> {
    let phase: f64 = rng.random_range(0.0..std::f64::consts::TAU);
    let mut weights = Vec::with_capacity(slots as usize);
    let (mut burst_left, mut quiet_left) = (0u64, 0u64);
    for slot in 0..slots {
        let day = (slot * block_secs) as f64 / 86_400.0 * std::f64::consts::TAU;
        let mut w = 1.0 + 0.45 * (day + phase).sin();
        if burst_left == 0 && quiet_left == 0 {
            let roll: f64 = rng.random();
            if roll < 0.012 {
                burst_left = rng.random_range(2..12);
            } else if roll < 0.024 {
                quiet_left = rng.random_range(5..40);
            }
        }
        if burst_left > 0 {
            burst_left -= 1;
            w *= rng.random_range(3.0..8.0);
        } else if quiet_left > 0 {
            quiet_left -= 1;
            w *= 0.03;
        }
        weights.push(w);
    }
    weights
}

/// Spreads `actions` over `slots` by activity (exactly `actions` in total).
fn benign_counts(actions: usize, weights: &[f64], rng: &mut StdRng) -> Vec<usize> {
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in weights {
        total += w;
        cumulative.push(total);
    }
    let mut counts = vec![0; weights.len()];
    if weights.is_empty() {
        return counts;
    }
    for _ in 0..actions {
        let x = rng.random_range(0.0..total);
        let slot = cumulative.partition_point(|c| *c <= x).min(weights.len() - 1);
        counts[slot] += 1;
    }
    counts
}

/// Builds the timetable. Attacks cycle through every kind and route (in shuffled order per
/// cycle) with funding, size and fee drawn at random; prefunded runs use the first third of
/// the attacker accounts, funded runs the rest (fresh addresses).
pub(crate) fn schedule(
    range: &RangeDeployment,
    seed: u64,
    slots: u64,
    block_secs: u64,
    benign_actions: usize,
    attacks: usize,
    rng: &mut StdRng,
) -> Schedule {
    let weights = activity(slots, block_secs, rng);
    let benign = benign_counts(benign_actions, &weights, rng);
    let combos: Vec<(AttackKind, crate::attacks::Route)> =
        AttackKind::ALL.iter().flat_map(|k| k.routes().iter().map(move |r| (*k, *r))).collect();
    let split = (range.attackers.len() / 3).max(1).min(range.attackers.len());
    let (prefunded, fresh) = range.attackers.split_at(split);
    let (mut next_prefunded, mut next_fresh) = (0usize, 0usize);
    let mut order = combos.clone();
    let mut runs = Vec::with_capacity(attacks);
    for i in 0..attacks {
        if i % combos.len() == 0 {
            order.shuffle(rng);
        }
        let (kind, route) = order[i % combos.len()];
        let variant = AttackVariant::random(kind, route, rng);
        let attacker = if variant.funding == Funding::Prefunded || fresh.is_empty() {
            next_prefunded += 1;
            prefunded[(next_prefunded - 1) % prefunded.len()]
        } else {
            next_fresh += 1;
            fresh[(next_fresh - 1) % fresh.len()]
        };
        let run = AttackRun::new(format!("s{seed}-a{i:03}"), variant, attacker, rng);
        let last = slots.saturating_sub(1).max(1);
        let span = (slots / 10).clamp(2, 40);
        let mut slot = rng.random_range(1..last.saturating_sub(span + 2).max(2));
        let mut stage_slots = Vec::new();
        for stage in run.stages() {
            slot = match stage {
                Stage::Funding => slot,
                _ if stage_slots.is_empty() => slot,
                Stage::Deployment => slot + rng.random_range(1..=span / 2 + 1),
                Stage::Exploit if stage_slots.last().is_some_and(|(s, _)| *s == Stage::Funding) => {
                    slot + rng.random_range(1..=span / 2 + 1)
                }
                Stage::Exploit => slot + rng.random_range(0..=span / 2),
            }
            .min(last);
            stage_slots.push((stage, slot));
        }
        runs.push(ScheduledAttack { run, stage_slots });
    }
    Schedule { benign, attacks: runs }
}
