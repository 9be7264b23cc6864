//! `vigil range`: the attack range — deploy it on anvil, play a labelled scenario, summarise
//! a dataset.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context;
use vigil_range::{
    Anvil, Chain, MiningMode, RangeDeployment, RangeLayout, RpcClient, VigilConfigOptions,
    dataset::{DatasetStats, read_records},
    scenario::{ScenarioConfig, play},
};

/// Subcommands of `vigil range`.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum RangeCommand {
    /// Deploy the range and write its deployment file and vigil config. Without --rpc a local
    /// anvil is started and kept running until Ctrl-C.
    Deploy(DeployArgs),
    /// Play a labelled scenario and write the dataset (JSONL).
    Scenario(ScenarioArgs),
    /// Counts per label, kind, stage and action of a dataset.
    Stats(StatsArgs),
}

/// Where the range's node is.
#[derive(clap::Args, Debug)]
pub(crate) struct NodeArgs {
    /// JSON-RPC URL of a node with enough unlocked dev accounts (anvil). Without it a local
    /// anvil is started.
    #[arg(long)]
    rpc: Option<String>,
    /// WebSocket URL written into the vigil config (default: the RPC URL with ws://).
    #[arg(long)]
    ws: Option<String>,
    /// Mine every N seconds instead of `--no-mining` (started node), or wait for a node that
    /// mines on its own (--rpc).
    #[arg(long)]
    block_time: Option<u64>,
    /// Attacker accounts.
    #[arg(long, default_value_t = RangeLayout::default().attackers)]
    attackers: usize,
    /// Benign user accounts.
    #[arg(long, default_value_t = RangeLayout::default().users)]
    users: usize,
}

/// Arguments of `vigil range deploy`.
#[derive(clap::Args, Debug)]
pub(crate) struct DeployArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// Where to write the deployment (addresses and roles) as JSON.
    #[arg(long, default_value = "range-deployment.json")]
    deployment_out: PathBuf,
    /// Where to write the vigil config that protects the range.
    #[arg(long, default_value = "range-vigil.toml")]
    config_out: PathBuf,
    /// Directory of the contract artifacts, as referenced from the config.
    #[arg(long, default_value = "range/artifacts")]
    abi_dir: PathBuf,
}

/// Arguments of `vigil range scenario`.
#[derive(clap::Args, Debug)]
pub(crate) struct ScenarioArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// A deployment written by `vigil range deploy` on the node at --rpc (else: deploy now).
    #[arg(long, requires = "rpc")]
    deployment: Option<PathBuf>,
    /// The dataset to write (JSONL).
    #[arg(long, default_value = "range-dataset.jsonl")]
    out: PathBuf,
    /// Also write the vigil config for the deployment here.
    #[arg(long)]
    config_out: Option<PathBuf>,
    /// Directory of the contract artifacts, as referenced from the config.
    #[arg(long, default_value = "range/artifacts")]
    abi_dir: PathBuf,
    /// Seed of every random choice.
    #[arg(long, default_value_t = ScenarioConfig::default().seed)]
    seed: u64,
    /// Benign user actions.
    #[arg(long, default_value_t = ScenarioConfig::default().benign_actions)]
    benign: usize,
    /// Attack runs.
    #[arg(long, default_value_t = ScenarioConfig::default().attacks)]
    attacks: usize,
    /// Chain time covered, seconds.
    #[arg(long, default_value_t = ScenarioConfig::default().duration_secs)]
    duration_secs: u64,
    /// Wall-clock milliseconds between sending a block's transactions and mining it.
    #[arg(long, default_value_t = 0)]
    slot_delay_ms: u64,
}

/// Arguments of `vigil range stats`.
#[derive(clap::Args, Debug)]
pub(crate) struct StatsArgs {
    /// The dataset (JSONL).
    file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) async fn run(cmd: RangeCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RangeCommand::Deploy(args) => deploy(args).await,
        RangeCommand::Scenario(args) => scenario(args).await,
        RangeCommand::Stats(args) => stats(&args),
    }
}

/// The node to use: the given URL, or a freshly started anvil (kept alive by the guard).
fn node(args: &NodeArgs) -> anyhow::Result<(Option<Anvil>, RpcClient, String, MiningMode)> {
    let layout = RangeLayout { attackers: args.attackers, users: args.users };
    let mode = if args.block_time.is_some() { MiningMode::Interval } else { MiningMode::Manual };
    match &args.rpc {
        Some(url) => {
            let ws = args.ws.clone().unwrap_or_else(|| url.replacen("http", "ws", 1));
            Ok((None, RpcClient::new(url.clone()), ws, mode))
        }
        None => {
            let anvil = layout.spawn_node(args.block_time).context("failed to start anvil")?;
            let ws = args.ws.clone().unwrap_or_else(|| anvil.ws_url());
            let rpc = anvil.rpc();
            Ok((Some(anvil), rpc, ws, mode))
        }
    }
}

/// The range's vigil config in alert_only mode, data files in the working directory.
fn config_options(ws: &str, abi_dir: &Path) -> VigilConfigOptions {
    VigilConfigOptions { abi_dir: abi_dir.to_owned(), ..VigilConfigOptions::new(ws) }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))
}

async fn deploy(args: DeployArgs) -> anyhow::Result<ExitCode> {
    let (anvil, rpc, ws, mode) = node(&args.node)?;
    let layout = RangeLayout { attackers: args.node.attackers, users: args.node.users };
    let mut chain = Chain::new(rpc.clone(), mode).await.context("node unreachable")?;
    let range =
        RangeDeployment::deploy(&mut chain, layout).await.context("failed to deploy the range")?;
    write(&args.deployment_out, &range.to_json()?)?;
    write(&args.config_out, &range.vigil_config_with(&config_options(&ws, &args.abi_dir)))?;
    println!("range deployed on {} (chain {})", rpc.url(), range.chain_id);
    for victim in range.victims() {
        println!("  {:<13} {}", victim.name, victim.address);
    }
    println!("guardian {} (pause), owner {}", range.roles.guardian, range.roles.owner);
    println!(
        "deployment: {}\nvigil config: {}",
        args.deployment_out.display(),
        args.config_out.display()
    );
    if let Some(anvil) = anvil {
        println!("anvil at {} / {} — Ctrl-C to stop", anvil.http_url(), anvil.ws_url());
        tokio::signal::ctrl_c().await.context("failed to wait for Ctrl-C")?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn scenario(args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    let config = ScenarioConfig {
        seed: args.seed,
        benign_actions: args.benign,
        attacks: args.attacks,
        duration_secs: args.duration_secs,
        slot_delay: std::time::Duration::from_millis(args.slot_delay_ms),
        ..ScenarioConfig::default()
    };
    let (_anvil, rpc, ws, mode) = node(&args.node)?;
    let mut chain = Chain::new(rpc, mode).await.context("node unreachable")?;
    let range = match &args.deployment {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            match RangeDeployment::from_json(&text) {
                Ok(range) => range,
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    return Ok(ExitCode::from(super::INVALID));
                }
            }
        }
        None => {
            let layout = RangeLayout { attackers: args.node.attackers, users: args.node.users };
            RangeDeployment::deploy(&mut chain, layout)
                .await
                .context("failed to deploy the range")?
        }
    };
    if let Some(path) = &args.config_out {
        write(path, &range.vigil_config_with(&config_options(&ws, &args.abi_dir)))?;
    }
    let file = File::create(&args.out)
        .with_context(|| format!("failed to create {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    let report = match play(&mut chain, &range, &config, &mut out).await {
        Ok(report) => report,
        Err(vigil_range::RangeError::Invalid(problem)) => {
            eprintln!("error: {problem}");
            return Ok(ExitCode::from(super::INVALID));
        }
        Err(e) => return Err(e).context("scenario failed"),
    };
    println!(
        "{} transactions in {} blocks, {:.1} s; dataset {}",
        report.stats.transactions,
        report.blocks,
        report.elapsed.as_secs_f64(),
        args.out.display()
    );
    if report.dropped > 0 {
        println!("{} transactions dropped by the node (receipt null)", report.dropped);
    }
    if report.rejected > 0 {
        println!("{} transactions rejected by the node: {:?}", report.rejected, report.rejections);
    }
    print!("{}", report.stats);
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let file = File::open(&args.file)
        .with_context(|| format!("failed to open {}", args.file.display()))?;
    let records = match read_records(BufReader::new(file)) {
        Ok(records) => records,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return Ok(ExitCode::from(super::INVALID));
        }
    };
    let stats = DatasetStats::of(&records);
    let text = if args.json {
        format!("{}\n", serde_json::to_string_pretty(&stats)?)
    } else {
        stats.to_string()
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The reader (e.g. `head`) has seen enough.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("failed to write the statistics"),
    }
}
