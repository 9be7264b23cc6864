//! `vigil train`, `vigil eval` and `vigil classify-bench`: the exploit classifier's model
//! building, honest held-out evaluation, and the decode + features + classify benchmark.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use vigil_chain::{CallDecoder, tx_from_json};
use vigil_classifier::{
    Algorithm, BoostingParams, Classifier, Dataset, ForestParams, LabelledTx, RangeRecord,
    SyntheticConfig, TrainOptions, decode_records, decoder_for, evaluate, featurize, generate,
    infer_range_contracts, read_range_jsonl, train as train_model,
};
use vigil_features::{FEATURES, Featurizer, HistoryLimits};

/// Where the training or evaluation data comes from.
#[derive(clap::Args, Debug)]
pub(crate) struct DataArgs {
    /// Range datasets (JSONL from `vigil range scenario`); repeat for several scenarios.
    #[arg(long = "data")]
    data: Vec<PathBuf>,
    /// The range's compiled artifacts, for decoding calldata with the victims' ABIs.
    #[arg(long, default_value = "range/artifacts")]
    abi_dir: PathBuf,
    /// Synthetic benign transactions to add (0 = none); see docs/classifier.md.
    #[arg(long, default_value_t = 0)]
    synthetic: usize,
    /// Synthetic attack runs.
    #[arg(long, default_value_t = 300)]
    synthetic_attacks: usize,
    /// Seed of the synthetic generator.
    #[arg(long, default_value_t = 1)]
    synthetic_seed: u64,
}

/// Arguments of `vigil train`.
#[derive(clap::Args, Debug)]
pub(crate) struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// `rf` (random forest) or `gb` (gradient boosting).
    #[arg(long, default_value = "rf", value_parser = ["rf", "gb"])]
    algorithm: String,
    /// Trees (0 = the algorithm's default).
    #[arg(long, default_value_t = 0)]
    trees: usize,
    /// Maximum tree depth (0 = the algorithm's default).
    #[arg(long, default_value_t = 0)]
    max_depth: usize,
    /// False-positive rate on benign validation rows the threshold is tuned to.
    #[arg(long, default_value_t = 0.01)]
    target_fpr: f64,
    /// Share of instances held out for threshold tuning.
    #[arg(long, default_value_t = 0.25)]
    validation_share: f64,
    /// Seed of the trees and of the split.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where to write the model.
    #[arg(long, default_value = "models/tx_classifier.json")]
    out: PathBuf,
}

/// Arguments of `vigil eval`.
#[derive(clap::Args, Debug)]
pub(crate) struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Model file (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Threshold (default: the model's tuned threshold).
    #[arg(long)]
    threshold: Option<f32>,
    /// Also write the report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Arguments of `vigil classify-bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct ClassifyBenchArgs {
    /// A range dataset whose transactions are replayed (default: synthetic traffic).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The range's compiled artifacts.
    #[arg(long, default_value = "range/artifacts")]
    abi_dir: PathBuf,
    /// Model file (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Repetitions (the median run is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Write the feature vectors and labels as CSV (for the scikit-learn peer).
    #[arg(long)]
    export_features: Option<PathBuf>,
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// Loads and featurizes every source; each scenario keeps its own traffic history.
fn load(args: &DataArgs) -> anyhow::Result<(Dataset, Vec<String>, String)> {
    let mut dataset = Dataset::default();
    let mut sources = Vec::new();
    let progress = bar(args.data.len() as u64 + u64::from(args.synthetic > 0), "datasets");
    for path in &args.data {
        let records = read_range_jsonl(path)?;
        let stream = decode_range(&records, &args.abi_dir, path)?;
        dataset.extend(featurize(&stream));
        sources.push(file_name(path));
        progress.inc(1);
    }
    if args.synthetic > 0 {
        let config = SyntheticConfig {
            seed: args.synthetic_seed,
            benign: args.synthetic,
            attacks: args.synthetic_attacks,
            ..SyntheticConfig::default()
        };
        dataset.extend(featurize(&generate(&config)));
        sources.push(format!("synthetic:seed={}", args.synthetic_seed));
        progress.inc(1);
    }
    progress.finish_and_clear();
    let label = match (args.data.is_empty(), args.synthetic > 0) {
        (false, false) => "range",
        (true, true) => "synthetic",
        (false, true) => "range+synthetic",
        (true, false) => anyhow::bail!("no data: give --data FILE and/or --synthetic N"),
    };
    Ok((dataset, sources, label.to_owned()))
}

fn decode_range(
    records: &[RangeRecord],
    abi_dir: &Path,
    path: &Path,
) -> anyhow::Result<Vec<LabelledTx>> {
    let contracts = infer_range_contracts(records, abi_dir)?;
    let decoder = decoder_for(&contracts)?;
    Ok(decode_records(records, &decoder, &path.display().to_string())?)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

pub(crate) async fn train(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let (dataset, sources, data_label) = load(&args.data)?;
    let (attacks, benign) = dataset.counts();
    println!(
        "{} rows ({attacks} attack, {benign} benign, {} attack runs) from {}",
        dataset.samples.len(),
        dataset.attack_instances(),
        sources.join(", ")
    );
    let algorithm = if args.algorithm == "gb" {
        let mut p = BoostingParams { seed: args.seed, ..BoostingParams::default() };
        p.trees = if args.trees > 0 { args.trees } else { p.trees };
        p.max_depth = if args.max_depth > 0 { args.max_depth } else { p.max_depth };
        Algorithm::GradientBoosting(p)
    } else {
        let mut p = ForestParams { seed: args.seed, ..ForestParams::default() };
        p.trees = if args.trees > 0 { args.trees } else { p.trees };
        p.max_depth = if args.max_depth > 0 { args.max_depth } else { p.max_depth };
        Algorithm::RandomForest(p)
    };
    let trees = match algorithm {
        Algorithm::RandomForest(p) => p.trees,
        Algorithm::GradientBoosting(p) => p.trees,
    };
    let options = TrainOptions {
        algorithm,
        target_fpr: args.target_fpr,
        validation_share: args.validation_share,
        split_seed: args.seed,
        data_label,
        sources,
        ..TrainOptions::default()
    };
    let progress = bar(trees as u64, "trees");
    let started = Instant::now();
    let model = train_model(&dataset, &options, |n| progress.set_position(n as u64))?;
    progress.finish_and_clear();
    model.save(&args.out)?;
    println!(
        "trained {} ({} trees, {} nodes) in {:.1} s; threshold {:.3} for validation FPR ≤ {}",
        model.model_version,
        model.ensemble.trees.len(),
        model.ensemble.nodes(),
        started.elapsed().as_secs_f64(),
        model.threshold,
        args.target_fpr
    );
    println!(
        "validation (held-out instances, used to tune the threshold): {}",
        model.training.validation
    );
    println!("importance (mean |contribution| on validation):");
    for (name, value) in model.importance.iter().take(12) {
        println!("  {name:<30} {value:.4}");
    }
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn load_model(path: &Option<PathBuf>) -> anyhow::Result<Classifier> {
    Ok(match path {
        Some(path) => Classifier::load(path)?,
        None => Classifier::shipped()?,
    })
}

pub(crate) async fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let classifier = load_model(&args.model)?;
    let trained_on = &classifier.model().training.sources;
    let (dataset, sources, _) = load(&args.data)?;
    if let Some(reused) = sources.iter().find(|s| trained_on.contains(s)) {
        eprintln!("{reused} was used to train this model: evaluate on held-out data only");
        return Ok(ExitCode::from(super::INVALID));
    }
    let threshold = args.threshold.unwrap_or(classifier.model().threshold);
    let report = evaluate(&classifier, &dataset, threshold);
    println!("model {} (trained on {})", classifier.model().model_version, trained_on.join(", "));
    println!("held-out data: {}", sources.join(", "));
    print!("{report}");
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One replayable transaction: raw (undecoded) and when it was seen.
struct BenchTx {
    tx: vigil_types::TxInfo,
    seen_at: u64,
    attack: Option<bool>,
}

fn bench_input(args: &ClassifyBenchArgs) -> anyhow::Result<(Vec<BenchTx>, CallDecoder)> {
    let Some(path) = &args.data else {
        let stream = generate(&SyntheticConfig { benign: 50_000, ..SyntheticConfig::default() });
        let decoder = decoder_for(&[])?;
        let txs = stream
            .into_iter()
            .map(|t| BenchTx { attack: t.label.target(), seen_at: t.seen_at, tx: t.tx })
            .collect();
        return Ok((txs, decoder));
    };
    let records = read_range_jsonl(path)?;
    let decoder = decoder_for(&infer_range_contracts(&records, &args.abi_dir)?)?;
    let timed = decode_records(&records, &decoder, &path.display().to_string())?;
    let mut txs = Vec::with_capacity(records.len());
    for (record, t) in records.iter().zip(timed) {
        txs.push(BenchTx {
            tx: tx_from_json(&record.tx)?,
            seen_at: t.seen_at,
            attack: t.label.target(),
        });
    }
    Ok((txs, decoder))
}

fn all_features(txs: &[BenchTx], decoder: &CallDecoder) -> Vec<vigil_features::FeatureVector> {
    let mut featurizer = Featurizer::new(HistoryLimits::default());
    txs.iter()
        .map(|item| {
            let mut tx = item.tx.clone();
            decoder.annotate(&mut tx);
            featurizer.featurize(&tx, item.seen_at)
        })
        .collect()
}

pub(crate) async fn bench(args: ClassifyBenchArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; build with --release for real figures");
    }
    let classifier = load_model(&args.model)?;
    let (txs, decoder) = bench_input(&args)?;
    anyhow::ensure!(!txs.is_empty(), "no transactions to replay");
    let mut runs = Vec::new();
    let progress = bar(args.runs.max(1) as u64, "runs");
    let mut flagged = 0usize;
    let mut exported = Vec::new();
    for run in 0..args.runs.max(1) {
        let mut featurizer = Featurizer::new(HistoryLimits::default());
        let mut latencies = Vec::with_capacity(txs.len());
        let mut phases = [0u64; 3];
        let started = Instant::now();
        flagged = 0;
        for item in &txs {
            let t0 = Instant::now();
            let mut tx = item.tx.clone();
            decoder.annotate(&mut tx);
            let t1 = Instant::now();
            let features = featurizer.featurize(&tx, item.seen_at);
            let t2 = Instant::now();
            // As the analyzer does: the probability for every transaction, the decision
            // factors only for the ones it reports.
            let probability = classifier.probability(&features);
            let reported = probability >= classifier.model().threshold;
            if reported {
                std::hint::black_box(classifier.predict(&features));
            }
            let t3 = Instant::now();
            latencies.push((t3 - t0).as_nanos() as u64);
            phases[0] += (t1 - t0).as_nanos() as u64;
            phases[1] += (t2 - t1).as_nanos() as u64;
            phases[2] += (t3 - t2).as_nanos() as u64;
            flagged += usize::from(reported);
            if run == 0 && args.export_features.is_some() {
                exported.push((features, item.attack));
            }
        }
        let total = started.elapsed().as_secs_f64();
        latencies.sort_unstable();
        let q = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
        let n = txs.len() as f64;
        let mean = phases.map(|p| p as f64 / n / 1000.0);
        runs.push((n / total, q(0.5), q(0.99), mean));
        progress.inc(1);
    }
    progress.finish_and_clear();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (rate, p50, p99, mean) = runs[runs.len() / 2];
    println!(
        "decode + features + classify (factors for reported txs), one thread, {} txs × {} runs, model {} ({} trees):",
        txs.len(),
        runs.len(),
        classifier.model().model_version,
        classifier.model().ensemble.trees.len()
    );
    println!(
        "  median run: {rate:.0} tx/s; per tx p50 {:.2} µs, p99 {:.2} µs ({flagged} flagged)",
        p50 as f64 / 1000.0,
        p99 as f64 / 1000.0
    );
    println!(
        "  mean per phase: decode {:.2} µs, features {:.2} µs, classify {:.2} µs",
        mean[0], mean[1], mean[2]
    );
    let vectors: Vec<_> = all_features(&txs, &decoder);
    let started = Instant::now();
    for x in &vectors {
        std::hint::black_box(classifier.predict(x));
    }
    println!(
        "  probability + decision factors for every tx: {:.2} µs mean",
        started.elapsed().as_secs_f64() * 1e6 / vectors.len() as f64
    );
    if let Some(path) = &args.export_features {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("failed to create {}", path.display()))?,
        );
        let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
        writeln!(out, "{},label", names.join(","))?;
        for (features, attack) in exported {
            let values: Vec<String> = features.as_slice().iter().map(|v| v.to_string()).collect();
            let label = match attack {
                Some(true) => "1",
                Some(false) => "0",
                None => "",
            };
            writeln!(out, "{},{label}", values.join(","))?;
        }
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
