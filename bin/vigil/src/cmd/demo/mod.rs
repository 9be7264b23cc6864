//! `vigil demo`: the main job on an embedded default. A local anvil (`--no-mining --order
//! fees`) with the attack range deployed, the range's own vigil config in `active_defense`
//! (watchlist, exploit classifier, both time-series detectors, the pause executor signing
//! from an encrypted keystore, console, JSONL, store and ledger), and `vigil run` on it as a
//! child process — exactly what an operator runs. The demo plays benign traffic and two
//! attacks into the public mempool, mines, and shows from the chain itself that each pause
//! landed first, the attack reverted and the funds stayed.

mod findings;
mod narrate;

use std::{
    path::{Path, PathBuf},
    process::{ExitCode, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};
use vigil_defense::{
    ActionStatus,
    lab::{AttackFees, DefenseLab, PreparedAttack},
};
use vigil_range::{
    DEFENDED_VICTIMS, DefenseOptions, PlannedTx, RangeLayout, VigilConfigOptions,
    attacks::{AttackKind, Route},
};
use vigil_types::{B256, U256};

use self::{findings::FindingsFile, narrate::Narrator};

alloy::sol! {
    interface IErc20 {
        function transfer(address to, uint256 amount) external returns (bool);
    }
}

/// Arguments of `vigil demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Directory for the config, findings, database, journal and ledger (emptied first).
    #[arg(long, default_value = "vigil-demo")]
    dir: PathBuf,
    /// No ANSI colours.
    #[arg(long)]
    no_color: bool,
    /// Milliseconds between steps, so people can follow.
    #[arg(long, default_value_t = 800)]
    pace_ms: u64,
}

/// Environment variable through which the child `vigil run` gets the keystore password.
const PASSWORD_ENV: &str = "VIGIL_DEMO_KEYSTORE_PASSWORD";
const GWEI: u64 = 1_000_000_000;

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let say = Narrator::new(!args.no_color, Duration::from_millis(args.pace_ms));
    let dir = fresh_dir(&args.dir)?;
    say.step("starting anvil (--no-mining --order fees) and deploying the attack range");
    let mut lab = DefenseLab::start(RangeLayout::small()).await.context("range lab")?;
    let password = random_password();
    let keystore = lab.write_keystore(&password)?;
    let options = VigilConfigOptions {
        ws_url: lab.ws_url(),
        abi_dir: artifacts_dir()?,
        data_dir: dir.clone(),
        defense: Some(DefenseOptions {
            rpc_url: lab.http_url(),
            keystore,
            password_env: PASSWORD_ENV.into(),
        }),
    };
    let config = dir.join("vigil.toml");
    std::fs::write(&config, lab.range.vigil_config_with(&options))
        .with_context(|| format!("failed to write {}", config.display()))?;
    say.step(&format!(
        "{} contracts monitored; vigil's guardian {} may pause {} of them ({}; key in an encrypted keystore)",
        lab.range.victims().len(),
        lab.guardian.address(),
        DEFENDED_VICTIMS.len(),
        DEFENDED_VICTIMS.join(", ")
    ));

    say.step(&format!("vigil run --config {}  (mode active_defense)", config.display()));
    let log_path = dir.join("vigil-run.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("failed to create {}", log_path.display()))?;
    let mut vigil = tokio::process::Command::new(std::env::current_exe()?)
        .args(["run", "--config"])
        .arg(&config)
        .args(["--stats-interval", "0"])
        .env(PASSWORD_ENV, &password)
        .stdin(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .context("failed to start vigil run")?;
    let findings = FindingsFile::new(dir.join("findings.jsonl"));
    wait_until_watching(&lab, &findings).await?;
    say.pause().await;

    say.step("benign traffic: users move rUSD around, three blocks");
    for _ in 0..3 {
        let hashes = benign_block(&lab).await?;
        say.pause().await;
        lab.mine().await?;
        let worst = findings.wait_for_txs(&hashes, Duration::from_secs(10)).await;
        let block = lab.rpc().block_number().await?;
        say.detail(&format!("block {block}: {} transfers, vigil's verdict {worst}", hashes.len()));
    }

    let mut saved = true;
    let attacker = lab.range.attackers[0];
    let takeover = lab.prepare(AttackKind::OwnershipTakeover, Route::Direct, attacker, 42).await?;
    saved &= defend(
        &mut lab,
        &say,
        &findings,
        &takeover,
        "re-run the treasury's initializer to become its owner, then sweep it",
    )
    .await?;
    let attacker = lab.range.attackers[1];
    let drain = lab.prepare(AttackKind::Reentrancy, Route::Constructor, attacker, 7).await?;
    saved &= defend(
        &mut lab,
        &say,
        &findings,
        &drain,
        "deploy a contract whose constructor re-enters the vault's withdraw until it is empty",
    )
    .await?;

    stop(&mut vigil).await?;
    narrate::summary(&say, &dir, &findings)?;
    Ok(if saved { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Plays one attack: sends it, waits for vigil's pause, mines, and reads the block back.
async fn defend(
    lab: &mut DefenseLab,
    say: &Narrator,
    findings: &FindingsFile,
    attack: &PreparedAttack,
    what: &str,
) -> anyhow::Result<bool> {
    let victim = lab.range.victims().into_iter().find(|v| v.address == attack.target);
    let name = victim.map_or("the victim", |v| v.name);
    let before = lab.holdings(attack.target).await?;
    say.step(&format!("the {name} holds {}", narrate::holdings(&before)));
    say.step(&format!(
        "an attacker ({}) sends {} transaction(s) to the public mempool: {what}",
        attack.attacker,
        attack.exploit.len()
    ));
    let hashes = lab.launch(attack, AttackFees { tip: 3 * GWEI, max_fee: 40 * GWEI }).await?;
    let ours = |a: &vigil_defense::ActionRecord| {
        a.target == attack.target && a.attack_tx.is_some_and(|h| hashes.contains(&h))
    };
    let Some(sent) = findings
        .wait_for_action(|a| ours(a) && a.status != ActionStatus::Claimed, Duration::from_secs(20))
        .await
    else {
        say.bad("vigil sent no pause within 20 s");
        lab.mine().await?;
        return Ok(false);
    };
    say.pause().await;
    say.step("the next block is mined");
    lab.mine().await?;
    let outcome = findings
        .wait_for_action(
            |a| a.finding_id == sent.finding_id && !a.status.is_open(),
            Duration::from_secs(20),
        )
        .await
        .unwrap_or(sent);
    let mut lines = Vec::new();
    let mut reverted = true;
    // The version that was mined: the last one sent (earlier ones were replaced).
    if let Some(pause) = outcome.versions.last().map(|v| v.hash) {
        lines.extend(position_line(lab, pause, "pause() by vigil's guardian").await?);
    }
    for (i, hash) in hashes.iter().enumerate() {
        let (line, ok) =
            match position_line(lab, *hash, &format!("attacker's tx {}", i + 1)).await? {
                Some((index, line, ok)) => (Some((index, line, ok)), ok),
                None => (None, false),
            };
        reverted &= !ok;
        lines.extend(line);
    }
    lines.sort_by_key(|(index, _, _)| *index);
    for (_, line, _) in &lines {
        say.detail(line);
    }
    let after = lab.holdings(attack.target).await?;
    let saved = outcome.status == ActionStatus::Saved && reverted && after == before;
    if saved {
        say.good(&format!("funds saved: the {name} still holds {}", narrate::holdings(&after)));
    } else {
        say.bad(&format!(
            "not saved ({}): the {name} now holds {}",
            outcome.reason,
            narrate::holdings(&after)
        ));
    }
    lab.unpause(attack.target).await?;
    Ok(saved)
}

/// `#index what — succeeded/reverted` for a mined transaction.
async fn position_line(
    lab: &DefenseLab,
    hash: B256,
    what: &str,
) -> anyhow::Result<Option<(u64, String, bool)>> {
    Ok(lab.position(hash).await?.map(|(ok, block, index)| {
        let verdict = if ok { "succeeded" } else { "reverted" };
        (index, format!("block {block} #{index}: {what} — {verdict}"), ok)
    }))
}

/// Sends harmless transfers until vigil's findings file shows one of them.
async fn wait_until_watching(lab: &DefenseLab, findings: &FindingsFile) -> anyhow::Result<()> {
    for _ in 0..100 {
        let hashes = benign_block(lab).await?;
        if findings.wait_for_txs(&hashes, Duration::from_millis(300)).await.is_judged() {
            return Ok(());
        }
    }
    bail!("vigil did not start watching the mempool (see its output above)")
}

/// Two rUSD transfers between users, sent pending.
async fn benign_block(lab: &DefenseLab) -> anyhow::Result<Vec<B256>> {
    let users = &lab.range.users;
    let mut hashes = Vec::new();
    for i in 0..2 {
        let (from, to) = (users[(i * 7 + 3) % users.len()], users[(i * 5 + 11) % users.len()]);
        let amount = U256::from(25 + 40 * i as u64) * U256::from(10u64).pow(U256::from(18u64));
        let call = IErc20::transferCall { to, amount };
        let tx = PlannedTx::call(from, lab.range.contracts.usd, &call, 80_000);
        let nonce = lab.pending_nonce(from).await?;
        let fees = AttackFees { tip: GWEI + 250_000_000 * i as u64, max_fee: 20 * GWEI };
        hashes.push(lab.send_with(&tx, fees, nonce).await?);
    }
    Ok(hashes)
}

/// Sends Ctrl-C to `vigil run` so it drains, saves and prints its run report.
async fn stop(vigil: &mut tokio::process::Child) -> anyhow::Result<()> {
    if let Some(pid) = vigil.id() {
        let _ =
            tokio::process::Command::new("kill").args(["-INT", &pid.to_string()]).status().await;
    }
    match tokio::time::timeout(Duration::from_secs(20), vigil.wait()).await {
        Ok(status) => {
            let status = status?;
            if !status.success() {
                bail!("vigil run ended with {status}");
            }
        }
        Err(_) => {
            vigil.start_kill()?;
            bail!("vigil run did not stop within 20 s of Ctrl-C");
        }
    }
    Ok(())
}

fn fresh_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("failed to empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    dir.canonicalize().with_context(|| format!("failed to resolve {}", dir.display()))
}

/// `range/artifacts` of the repository the demo runs in (or was built from).
fn artifacts_dir() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let built_from = vigil_range::artifacts::range_dir().join("artifacts");
    cwd.ancestors()
        .map(|dir| dir.join("range/artifacts"))
        .chain(std::iter::once(built_from))
        .find(|p| p.join("Treasury.json").is_file())
        .and_then(|p| p.canonicalize().ok())
        .context("range/artifacts not found: run the demo from the repository")
}

/// A keystore password for this run only; it reaches `vigil run` through its environment.
fn random_password() -> String {
    use rand::Rng;
    hex::encode(rand::rng().random::<[u8; 16]>())
}
