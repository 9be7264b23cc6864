//! The defense demo: benign traffic, an attack appearing in the mempool, vigil's finding
//! with its factors, the pause sent ahead of the attack, the attack reverting, and the funds
//! saved — on a local anvil with the attack range, narrated on the console.

use std::{collections::BTreeMap, time::Duration};

use rand::{Rng, SeedableRng, rngs::StdRng};
use vigil_range::{PlannedTx, RangeLayout, attacks::AttackKind, attacks::Route};
use vigil_rules::WatchlistConfig;
use vigil_sinks::{ConsoleSink, ConsoleSinkConfig};
use vigil_types::{ThreatLevel, U256};

use super::{AttackFees, DefenseLab, IGuardedLab, next_report};
use crate::{ActionStatus, GuardianKey, PauseExecutor, Result};

/// How the demo looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// ANSI colours.
    pub color: bool,
    /// Pause between steps, so people can follow.
    pub pace: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { color: true, pace: Duration::from_millis(700) }
    }
}

/// How the demo ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    /// The pause was mined first and every attack transaction reverted.
    pub saved: bool,
    /// The treasury's holdings before the attack (asset → base units).
    pub before: BTreeMap<String, U256>,
    /// And after.
    pub after: BTreeMap<String, U256>,
}

fn say(options: &DemoOptions, text: &str) {
    if options.color {
        println!("\x1b[1;34m▶\x1b[0m \x1b[1m{text}\x1b[0m");
    } else {
        println!("▶ {text}");
    }
}

fn whole(amount: &U256) -> String {
    let units = *amount / U256::from(10u64).pow(U256::from(18u64));
    units.to_string()
}

fn holdings_text(holdings: &BTreeMap<String, U256>) -> String {
    let parts: Vec<String> = holdings
        .iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(k, v)| format!("{} {k}", whole(v)))
        .collect();
    parts.join(", ")
}

/// Runs the demo on a fresh local anvil; returns how it ended.
pub async fn run(options: DemoOptions) -> Result<DemoOutcome> {
    say(
        &options,
        "starting a local anvil (--no-mining --order fees) and deploying the attack range",
    );
    let mut lab = DefenseLab::start(RangeLayout::small()).await?;
    let password = hex::encode(rand::rng().random::<[u8; 16]>());
    let path = lab.write_keystore(&password)?;
    let key = GuardianKey::from_keystore(&path, &password)?;
    say(
        &options,
        &format!(
            "{} protected contracts, each pausable by vigil's guardian {} (key in the encrypted keystore {})",
            lab.range.victims().len(),
            key.address(),
            path.display()
        ),
    );

    let console = |min_level| {
        Box::new(ConsoleSink::new("console", ConsoleSinkConfig { min_level, color: options.color }))
    };
    let config = lab.executor_config("demo-defense.db");
    let executor = PauseExecutor::with_key("guardian", &config, &lab.contracts(), key)
        .await?
        .report_to(console(ThreatLevel::Info));
    let mut reports = executor.reports();
    let mut watchlist = WatchlistConfig::default();
    watchlist.listed_functions.insert("initialize".into(), ThreatLevel::Critical);
    watchlist.listed_functions.insert("sweep".into(), ThreatLevel::High);
    watchlist.listed_functions.insert("pause".into(), ThreatLevel::Medium);
    let vigil = lab
        .start_vigil(executor, watchlist, lab.monitored(&[]), vec![console(ThreatLevel::Info)])
        .await?;
    say(
        &options,
        "vigil watches the mempool in active_defense mode (mempool → watchlist → pause executor)",
    );
    tokio::time::sleep(options.pace).await;

    say(&options, "benign traffic: users move rUSD around");
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..3 {
        for _ in 0..2 {
            let from = lab.range.users[rng.random_range(1..lab.range.users.len())];
            let to = lab.range.users[rng.random_range(1..lab.range.users.len())];
            let amount =
                U256::from(rng.random_range(10..500u64)) * U256::from(10u64).pow(U256::from(18u64));
            let call = IGuardedLab::transferCall { to, amount };
            let tx = PlannedTx::call(from, lab.range.contracts.usd, &call, 80_000);
            let tip = rng.random_range(1..3) * 1_000_000_000;
            let nonce = lab.pending_nonce(from).await?;
            lab.send_with(&tx, AttackFees { tip, max_fee: 20_000_000_000 }, nonce).await?;
        }
        tokio::time::sleep(options.pace / 2).await;
        lab.mine().await?;
        let number = lab.rpc().block_number().await.map_err(super::range_error)?;
        say(&options, &format!("block {number} mined"));
    }

    let attacker = lab.range.attackers[0];
    let attack = lab.prepare(AttackKind::OwnershipTakeover, Route::Direct, attacker, 42).await?;
    let treasury = attack.target;
    let before = lab.holdings(treasury).await?;
    say(&options, &format!("the treasury holds {}", holdings_text(&before)));
    tokio::time::sleep(options.pace).await;
    say(
        &options,
        &format!(
            "an attacker ({attacker}) sends {} transactions to the public mempool: re-run the treasury's initializer, then sweep it",
            attack.exploit.len()
        ),
    );
    let hashes =
        lab.launch(&attack, AttackFees { tip: 3_000_000_000, max_fee: 40_000_000_000 }).await?;
    next_report(&mut reports, |r| r.status() == ActionStatus::Sent).await?;
    tokio::time::sleep(options.pace).await;
    say(&options, "the next block is mined");
    lab.mine().await?;
    let done = next_report(&mut reports, |r| !r.status().is_open()).await?;
    let pause = done.record.versions.last().map(|v| v.hash);
    let mut lines = Vec::new();
    let mut all_reverted = true;
    if let Some(hash) = pause
        && let Some((ok, block, index)) = lab.position(hash).await?
    {
        lines.push((
            index,
            format!(
                "#{index} pause() by vigil's guardian — {}",
                if ok { "succeeded" } else { "reverted" }
            ),
        ));
        say(&options, &format!("block {block}:"));
    }
    for (i, hash) in hashes.iter().enumerate() {
        if let Some((ok, _, index)) = lab.position(*hash).await? {
            all_reverted &= !ok;
            let what = if i == 0 { "initialize" } else { "sweep" };
            lines.push((
                index,
                format!(
                    "#{index} attacker's {what} — {}",
                    if ok { "SUCCEEDED" } else { "reverted" }
                ),
            ));
        }
    }
    lines.sort();
    for (_, line) in lines {
        println!("    {line}");
    }
    let after = lab.holdings(treasury).await?;
    let saved = done.status() == ActionStatus::Saved && all_reverted && after == before;
    if saved {
        say(&options, &format!("funds saved: the treasury still holds {}", holdings_text(&after)));
    } else {
        say(
            &options,
            &format!(
                "not saved ({}): the treasury now holds {}",
                done.record.reason,
                holdings_text(&after)
            ),
        );
    }
    vigil.stop().await?;
    Ok(DemoOutcome { saved, before, after })
}
