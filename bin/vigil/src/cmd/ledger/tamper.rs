//! `vigil ledger tamper …`: the paper's attacks, the detector scan, the experiments.

use std::{path::PathBuf, process::ExitCode};

use clap::Subcommand;
use vigil_ledger::{
    LedgerError, read_blocks,
    tamper::{
        BlockScorer, Detector, ExperimentConfig, TimestampForgery, rank_of, ranked, rewrite_chain,
        run_experiments, timing_of_file,
    },
    write_blocks,
};

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

pub(super) fn tamper(cmd: TamperCommand) -> anyhow::Result<ExitCode> {
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
