//! `vigil ledger …`: run the tamper-evident log, verify it, anchor it, test it for tampering
//! and measure it.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::Context;
use clap::{Args, Subcommand};
use vigil_ledger::{
    Address, Anchor, AnchorPoint, LedgerConfig, LedgerError, LedgerWriter, LogServer, RpcAnchor,
    RpcAnchorConfig, VerifyOptions, bench_append, bench_verify,
    spartan::{SpartanChain, is_spartan_file},
    verify_file, verify_with_anchors,
};

mod tamper;

use tamper::{TamperCommand, tamper};

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

/// Where anchors live (all three of --rpc, --contract and --publisher, or none).
#[derive(Args, Debug, Clone)]
pub(crate) struct AnchorArgs {
    /// JSON-RPC URL of the anchor chain.
    #[arg(long)]
    rpc: Option<String>,
    /// The anchor contract.
    #[arg(long)]
    contract: Option<Address>,
    /// The node-managed account that publishes anchors.
    #[arg(long)]
    publisher: Option<Address>,
    /// First EVM block to search (the contract's deployment block).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
}

impl AnchorArgs {
    fn anchor(&self) -> anyhow::Result<Option<RpcAnchor>> {
        match (&self.rpc, self.contract, self.publisher) {
            (None, None, None) => Ok(None),
            (Some(rpc), Some(contract), Some(publisher)) => {
                Ok(Some(RpcAnchor::new(RpcAnchorConfig {
                    rpc_url: rpc.clone(),
                    contract,
                    publisher,
                    from_block: self.from_block,
                    confirm_timeout_ms: 60_000,
                })))
            }
            _ => Err(invalid("anchor", "give all of --rpc, --contract and --publisher")),
        }
    }

    fn require(&self) -> anyhow::Result<RpcAnchor> {
        self.anchor()?
            .ok_or_else(|| invalid("anchor", "--rpc, --contract and --publisher are required"))
    }
}

fn invalid(what: &'static str, reason: &str) -> anyhow::Error {
    LedgerError::Invalid { what, reason: reason.to_owned() }.into()
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
    anchor: AnchorArgs,
}

#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The ledger file, or a SpartanGold JSON chain.
    path: PathBuf,
    /// Minimum difficulty every block must carry.
    #[arg(long, default_value_t = 19)]
    min_difficulty: u32,
    /// Also compare the chain with its anchors.
    #[arg(long)]
    anchors: bool,
    #[command(flatten)]
    anchor: AnchorArgs,
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
        ) || matches!(
            cause.downcast_ref::<LedgerError>(),
            Some(LedgerError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound
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
    let anchor = match args.anchor_every {
        Some(every) => Some((Arc::new(args.anchor.require()?) as Arc<dyn Anchor>, every)),
        None => None,
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
    let (report, check) = if args.anchors {
        let anchor = args.anchor.require()?;
        let (report, check) = verify_with_anchors(&args.path, options, &anchor).await?;
        (report, Some(check))
    } else {
        (verify_file(&args.path, options)?, None)
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
            let done = anchor.require()?.publish(AnchorPoint { height, hash }).await?;
            println!(
                "anchored height {height} in evm block {} (tx {})",
                done.evm_block, done.tx_hash
            );
        }
        AnchorCommand::List { anchor } => {
            for a in anchor.require()?.fetch().await? {
                println!(
                    "height {} hash {} evm block {} tx {}",
                    a.point.height,
                    vigil_ledger::B256::from(a.point.hash),
                    a.evm_block,
                    a.tx_hash
                );
            }
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
