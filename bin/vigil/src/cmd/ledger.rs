//! `vigil ledger …`: run the tamper-evident log, verify it, anchor it, test it for tampering
//! and measure it.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::Context;
use clap::{Args, Subcommand};
use vigil_ledger::{
    Address, Anchor, AnchorPoint, LedgerConfig, LedgerError, LedgerWriter, LogServer, RpcAnchor,
    RpcAnchorConfig, VerifyOptions, bench_append, bench_verify, read_blocks,
    spartan::{SpartanChain, is_spartan_file},
    tamper::{
        BlockScorer, Detector, ExperimentConfig, TimestampForgery, rank_of, ranked, rewrite_chain,
        run_experiments, timing_of_file,
    },
    verify_file, verify_with_anchors, write_blocks,
};

/// The ledger's subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum LedgerCommand {
    /// Run the TCP log server (`LEVEL message` per line) on a ledger file until Ctrl-C.
    Serve(ServeArgs),
    /// Check every hash, link, Merkle root, proof, sequence number and time (exit 2 on failure).
    /// A SpartanGold JSON file (the paper's format) is recognised and verified too.
    Verify(VerifyArgs),
    /// Deploy the anchor contract, publish the head now, or list published anchors.
    #[command(subcommand)]
    Anchor(AnchorCommand),
    /// Simulate the paper's attacks, scan a chain for tampering, reproduce the experiments.
    #[command(subcommand)]
    Tamper(TamperCommand),
    /// Measure appended records/s (with proof of work) and verified records/s.
    Bench(BenchArgs),
}

/// Where anchors live.
#[derive(Args, Debug, Clone)]
pub(crate) struct AnchorArgs {
    /// JSON-RPC URL of the anchor chain.
    #[arg(long)]
    rpc: String,
    /// The anchor contract.
    #[arg(long)]
    contract: Address,
    /// The node-managed account that publishes anchors.
    #[arg(long)]
    publisher: Address,
    /// First EVM block to search (the contract's deployment block).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
}

impl AnchorArgs {
    fn anchor(&self) -> RpcAnchor {
        RpcAnchor::new(RpcAnchorConfig {
            rpc_url: self.rpc.clone(),
            contract: self.contract,
            publisher: self.publisher,
            from_block: self.from_block,
            confirm_timeout_ms: 60_000,
        })
    }
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The ledger file (created if missing).
    path: PathBuf,
    /// Address of the log server.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: String,
    /// Leading zero bits per block hash.
    #[arg(long, default_value_t = 19)]
    difficulty: u32,
    /// A block closes after this many records ...
    #[arg(long, default_value_t = 10_000)]
    max_block_records: usize,
    /// ... or this many ms after its first record.
    #[arg(long, default_value_t = 200)]
    max_block_delay_ms: u64,
    /// Idle heartbeat block interval (ms); 0 turns it off.
    #[arg(long, default_value_t = 10_000)]
    heartbeat_ms: u64,
    /// Anchor the head every K blocks (needs the --rpc/--contract/--publisher flags).
    #[arg(long)]
    anchor_every: Option<u64>,
    #[command(flatten)]
    anchor: Option<AnchorArgs>,
}

#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The ledger file, or a SpartanGold JSON chain.
    path: PathBuf,
    /// Minimum difficulty every block must carry.
    #[arg(long, default_value_t = 19)]
    min_difficulty: u32,
    /// Also compare the chain with its anchors.
    #[arg(long, requires = "rpc")]
    anchors: bool,
    #[command(flatten)]
    anchor: Option<AnchorArgs>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AnchorCommand {
    /// Deploy the anchor contract from a node-managed account; prints its address.
    Deploy {
        /// JSON-RPC URL.
        #[arg(long)]
        rpc: String,
        /// The node-managed account to deploy from.
        #[arg(long)]
        from: Address,
    },
    /// Publish the head of a ledger file now.
    Publish {
        /// The ledger file.
        path: PathBuf,
        #[command(flatten)]
        anchor: AnchorArgs,
    },
    /// List the published anchors.
    List {
        #[command(flatten)]
        anchor: AnchorArgs,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum TamperCommand {
    /// Reproduce the hardened-logger paper's experiments and print the tables (Markdown).
    Experiments {
        /// The `hardened_logger` data folder.
        #[arg(long, default_value = "../shared/data/hardened_logger")]
        data: PathBuf,
        /// Seed of the simulated attacks.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Score every block of a chain (vigil ledger or SpartanGold JSON) and list the most
    /// suspicious.
    Scan {
        /// The chain.
        path: PathBuf,
        /// Clean SpartanGold chains (`datasetEmptyBlocks`) to train the learned model on.
        #[arg(long)]
        train: Option<PathBuf>,
        /// Blocks to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Rewrite a vigil ledger from a block on, re-mining everything after it, as an intruder
    /// would; the output verifies unless anchors say otherwise.
    Attack {
        /// The ledger to attack.
        input: PathBuf,
        /// Where to write the rewritten ledger.
        output: PathBuf,
        /// First block to rewrite.
        #[arg(long)]
        from: usize,
        /// New text of the first record of that block.
        #[arg(long, default_value = "nothing happened")]
        message: String,
        /// Simple attack: the pause (ms) the re-mining shows.
        #[arg(long, conflicts_with = "subtle_u_ms")]
        pause_ms: Option<u64>,
        /// Subtle attack: each forged timestamp = previous + uniform 1..=U ms.
        #[arg(long)]
        subtle_u_ms: Option<u64>,
        /// Seed of the subtle attack.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// Records to append per run.
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
    /// Leading zero bits per block.
    #[arg(long, default_value_t = 19)]
    difficulty: u32,
    /// Records per block.
    #[arg(long, default_value_t = 10_000)]
    max_block_records: usize,
    /// Message size in bytes.
    #[arg(long, default_value_t = 100)]
    message_bytes: usize,
    /// Runs (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Skip fsync after each block.
    #[arg(long)]
    no_fsync: bool,
    /// Directory for the benchmark file (a temporary one by default).
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs a ledger subcommand. Exit code 2 for failed verification or invalid input.
pub(crate) async fn run(cmd: LedgerCommand) -> anyhow::Result<ExitCode> {
    let outcome = match cmd {
        LedgerCommand::Serve(args) => serve(args).await,
        LedgerCommand::Verify(args) => verify(args).await,
        LedgerCommand::Anchor(cmd) => anchor(cmd).await,
        LedgerCommand::Tamper(cmd) => tamper(cmd),
        LedgerCommand::Bench(args) => bench(args),
    };
    match outcome {
        Err(e) if is_invalid_input(&e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(2))
        }
        other => other,
    }
}

fn is_invalid_input(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<LedgerError>(),
            Some(
                LedgerError::Invalid { .. }
                    | LedgerError::Decode { .. }
                    | LedgerError::Corrupt { .. }
                    | LedgerError::Spartan { .. }
            )
        )
    })
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = LedgerConfig {
        difficulty: args.difficulty,
        max_block_records: args.max_block_records,
        max_block_delay_ms: args.max_block_delay_ms,
        heartbeat_ms: (args.heartbeat_ms > 0).then_some(args.heartbeat_ms),
        fsync: true,
    };
    let anchor = match (&args.anchor, args.anchor_every) {
        (Some(a), Some(every)) => Some((Arc::new(a.anchor()) as Arc<dyn Anchor>, every)),
        (None, Some(_)) => anyhow::bail!(LedgerError::Invalid {
            what: "anchor_every",
            reason: "needs --rpc, --contract and --publisher".into(),
        }),
        _ => None,
    };
    let (handle, report) = LedgerWriter::spawn(&args.path, config, anchor)?;
    if report.truncated_bytes > 0 {
        eprintln!(
            "cut a torn tail of {} bytes at offset {} (a crash mid-write); {} whole blocks kept",
            report.truncated_bytes,
            report.truncated_at.unwrap_or(0),
            report.blocks
        );
    }
    let server = LogServer::bind(&args.listen, handle.clone()).await?;
    eprintln!("ledger {} serving on {}", args.path.display(), server.local_addr()?);
    server
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    handle.flush().await?;
    handle.shutdown().await?;
    let stats = handle.stats();
    eprintln!(
        "stopped: {} records in {} blocks, {} anchors",
        stats.records, stats.blocks, stats.anchors
    );
    Ok(ExitCode::SUCCESS)
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    if is_spartan_file(&args.path)? {
        let chain = SpartanChain::read(&args.path)?;
        let report = chain.verify(args.min_difficulty);
        return Ok(match report.fault {
            None => {
                println!(
                    "ok: {} SpartanGold blocks (base {})",
                    report.blocks,
                    report.base.unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Some(fault) => {
                println!("FAILED at {fault} ({} blocks before it are valid)", report.blocks);
                ExitCode::from(2)
            }
        });
    }
    let options = VerifyOptions { min_difficulty: args.min_difficulty };
    let (report, check) = match (&args.anchor, args.anchors) {
        (Some(a), true) => {
            let (report, check) = verify_with_anchors(&args.path, options, &a.anchor()).await?;
            (report, Some(check))
        }
        _ => (verify_file(&args.path, options)?, None),
    };
    let mut failed = false;
    match &report.fault {
        None => println!("ok: {} blocks, {} records", report.blocks, report.records),
        Some(fault) => {
            failed = true;
            println!("FAILED at {fault}");
            println!("{} blocks ({} records) before it are valid", report.blocks, report.records);
        }
    }
    if let Some(check) = check {
        let last = check.last_anchored.map_or("none".to_owned(), |h| h.to_string());
        println!(
            "anchors: {} found, {} honoured, last honoured height {last}, {} blocks after it unanchored",
            check.anchors, check.matched, check.unanchored_blocks
        );
        for problem in &check.problems {
            failed = true;
            println!("FAILED anchor: {problem}");
        }
    }
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

async fn anchor(cmd: AnchorCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AnchorCommand::Deploy { rpc, from } => {
            let (address, block) = RpcAnchor::deploy(&rpc, from, 60_000).await?;
            println!("anchor contract {address} deployed in block {block}");
        }
        AnchorCommand::Publish { path, anchor } => {
            let report = verify_file(&path, VerifyOptions { min_difficulty: 0 })?;
            if let Some(fault) = &report.fault {
                println!("FAILED at {fault}: refusing to anchor a chain that does not verify");
                return Ok(ExitCode::from(2));
            }
            let height =
                report.blocks.checked_sub(1).context("the ledger has no block to anchor")?;
            let hash = report.hashes[height as usize];
            let done = anchor.anchor().publish(AnchorPoint { height, hash }).await?;
            println!(
                "anchored height {height} in evm block {} (tx {})",
                done.evm_block, done.tx_hash
            );
        }
        AnchorCommand::List { anchor } => {
            for a in anchor.anchor().fetch().await? {
                println!(
                    "height {} hash 0x{} evm block {} tx {}",
                    a.point.height,
                    hex_hash(&a.point.hash),
                    a.evm_block,
                    a.tx_hash
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex_hash(hash: &[u8; 32]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn tamper(cmd: TamperCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TamperCommand::Experiments { data, seed } => {
            let config = ExperimentConfig { seed, ..ExperimentConfig::paper(data) };
            print!("{}", run_experiments(&config)?.to_markdown());
        }
        TamperCommand::Scan { path, train, top } => {
            let series = timing_of_file(&path)?;
            let scorer = match train {
                Some(dir) => BlockScorer::train_on_dir(&dir, 7)?,
                None => BlockScorer::untrained(),
            };
            let scores = scorer.score(&series);
            let order =
                if scorer.model.is_some() { Detector::Learned } else { Detector::ProofTime };
            println!("blocks ranked by {} ({} blocks)", order.name(), scores.len());
            println!("rank  block  production_ms  proof  unexplained_ms  timing_rank  learned");
            for (i, s) in ranked(&scores, order).iter().take(top).enumerate() {
                let f = &s.features;
                let learned = s.learned.map_or("-".to_owned(), |l| format!("{l:.1}"));
                println!(
                    "{:>4}  {:>5}  {:>13.0}  {:>5}  {:>14.0}  {:>11}  {learned}",
                    i + 1,
                    f.index,
                    f.production_ms,
                    f.proof,
                    f.unexplained_ms,
                    rank_of(&scores, Detector::Timing, f.index)
                );
            }
        }
        TamperCommand::Attack { input, output, from, message, pause_ms, subtle_u_ms, seed } => {
            let blocks = read_blocks(&input)?;
            anyhow::ensure!(
                from < blocks.len(),
                LedgerError::Invalid {
                    what: "from",
                    reason: format!("the ledger has {} blocks", blocks.len()),
                }
            );
            let forgery = match (pause_ms, subtle_u_ms) {
                (Some(pause_ms), _) => TimestampForgery::Pause { pause_ms },
                (None, Some(max_ms)) => TimestampForgery::Subtle { max_ms, seed },
                (None, None) => TimestampForgery::Keep,
            };
            let edit = |records: &mut Vec<vigil_ledger::Record>| {
                if let Some(first) = records.first_mut() {
                    first.message = message.clone();
                }
            };
            let forged = rewrite_chain(&blocks, from, edit, forgery);
            write_blocks(&output, &forged)?;
            println!("rewrote blocks {from}..{} into {}", forged.len(), output.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let temp = std::env::temp_dir().join(format!("vigil-ledger-bench-{}", std::process::id()));
    let dir = args.dir.clone().unwrap_or(temp);
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let config = LedgerConfig {
        difficulty: args.difficulty,
        max_block_records: args.max_block_records,
        fsync: !args.no_fsync,
        ..LedgerConfig::default()
    };
    let append = bench_append(&dir, args.records, args.message_bytes, &config, args.runs)?;
    print_bench(&append);
    let verify = bench_verify(
        &dir.join("bench.ledger"),
        VerifyOptions { min_difficulty: args.difficulty },
        args.runs,
    )?;
    print_bench(&verify);
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_bench(report: &vigil_ledger::BenchReport) {
    let runs: Vec<String> = report.per_second.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "{}: {} records in {} blocks; median {:.0} records/s (runs: {})",
        report.what,
        report.records,
        report.blocks,
        report.median_per_second,
        runs.join(", ")
    );
}
