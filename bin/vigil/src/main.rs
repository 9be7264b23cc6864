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
    /// Start a local node with the attack range and watch vigil detect an attack and pause
    /// its target before it lands.
    Demo(cmd::demo::DemoArgs),
    /// Measure engine throughput and node-message → finding latency.
    Bench(cmd::bench::BenchArgs),
    /// Train the exploit classifier on range datasets and synthetic traffic.
    Train(cmd::classify::TrainArgs),
    /// Evaluate a model on held-out data: precision, recall, FPR, ROC-AUC, PR-AUC per kind.
    Eval(cmd::classify::EvalArgs),
    /// Measure decode + features + classify per transaction on one thread.
    ClassifyBench(cmd::classify::ClassifyBenchArgs),
    /// Measure attacker tx sent → our pause accepted by a local anvil with the range.
    DefenseBench(cmd::defense::DefenseBenchArgs),
    /// Guardian keys: encrypted JSON keystores.
    Keystore {
        #[command(subcommand)]
        command: KeystoreCommand,
    },
    /// The attack range: deploy it, play labelled scenarios, summarise datasets.
    Range {
        #[command(subcommand)]
        command: cmd::range::RangeCommand,
    },
    /// Draw a time series with its forecast band and anomalies (PNG or SVG).
    Plot(cmd::timeseries::PlotArgs),
    /// Score the time-series detectors on the Numenta Anomaly Benchmark files.
    Nab(cmd::timeseries::NabArgs),
    /// Measure time-series update + forecast, refit and memory per series.
    TsBench(cmd::timeseries::TsBenchArgs),
    /// The tamper-evident log: serve, verify, anchor, tamper experiments, bench.
    Ledger {
        #[command(subcommand)]
        command: cmd::ledger::LedgerCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KeystoreCommand {
    /// Write a new encrypted keystore (password from an environment variable).
    New(cmd::defense::KeystoreNewArgs),
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
            Command::Train(args) => cmd::classify::train(args).await,
            Command::Eval(args) => cmd::classify::eval(args).await,
            Command::ClassifyBench(args) => cmd::classify::bench(args).await,
            Command::DefenseBench(args) => cmd::defense::bench(args).await,
            Command::Keystore { command: KeystoreCommand::New(args) } => {
                cmd::defense::keystore_new(args)
            }
            Command::Range { command } => cmd::range::run(command).await,
            Command::Plot(args) => cmd::timeseries::plot(args).await,
            Command::Nab(args) => cmd::timeseries::nab(args).await,
            Command::TsBench(args) => cmd::timeseries::bench(args).await,
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
