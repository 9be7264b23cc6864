//! `vigil`: real-time intrusion detection and response for EVM chains. This binary wires the
//! configured sources, analyzers and sinks into the engine and offers the operator commands.

mod cmd;
mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "vigil",
    version,
    about = "Real-time intrusion detection and response for EVM chains"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Monitor live: read the configured sources until Ctrl-C.
    Run(cmd::run::RunArgs),
    /// Judge recorded events (JSONL) or a historical block range, deterministically.
    Replay(cmd::replay::ReplayArgs),
    /// Check a configuration file and report every problem (exit 2 if any).
    CheckConfig(cmd::check::CheckArgs),
    /// Write stored findings as JSON.
    Export(cmd::export::ExportArgs),
    /// Start a local node, send traffic to a deployed contract, and watch vigil judge it.
    Demo(cmd::demo::DemoArgs),
    /// Measure engine throughput and node-message → finding latency.
    Bench(cmd::bench::BenchArgs),
    /// The tamper-evident log: serve, verify, anchor, tamper experiments, bench.
    Ledger {
        #[command(subcommand)]
        command: cmd::ledger::LedgerCommand,
    },
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => cmd::run::run(args).await,
            Command::Replay(args) => cmd::replay::run(args).await,
            Command::CheckConfig(args) => cmd::check::run(args),
            Command::Export(args) => cmd::export::run(args).await,
            Command::Demo(args) => cmd::demo::run(args).await,
            Command::Bench(args) => cmd::bench::run(args).await,
            Command::Ledger { command } => cmd::ledger::run(command).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
