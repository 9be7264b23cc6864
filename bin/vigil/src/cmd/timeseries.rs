//! `vigil plot`, `vigil nab` and `vigil ts-bench`: pictures of a time series with its band,
//! NAB scores of the time-series detectors, and their benchmarks.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context;
use vigil_timeseries::{
    PriceAnomalyConfig, PriceAnomalyDetector, PriorityFeeConfig, PriorityFeeDetector, SeriesStore,
    bench, gas,
    nab::{self, NabCore, NabCorpus, NabFile, NabScoring},
    plot::{self, PlotSeries},
};
use vigil_types::Address;

use super::INVALID;

/// Which detector core to run on a CSV file or the NAB corpus.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CoreArg {
    /// Kalman + Holt-Winters (the priority-fee detector's core).
    HoltWinters,
    /// Prophet-style model (the price-anomaly detector's core).
    Prophet,
    /// Both, one after the other.
    All,
}

impl CoreArg {
    fn cores(self) -> Vec<NabCore> {
        match self {
            Self::HoltWinters => vec![NabCore::HoltWinters],
            Self::Prophet => vec![NabCore::Prophet],
            Self::All => vec![NabCore::HoltWinters, NabCore::Prophet],
        }
    }
}

/// Arguments of `vigil plot`.
#[derive(clap::Args, Debug)]
pub(crate) struct PlotArgs {
    /// Output file(s): `.png` or `.svg`; repeat for both.
    #[arg(long = "out", required = true)]
    out: Vec<PathBuf>,
    /// A persisted series: the store URL (`sqlite://vigil.db`, `postgres://…`).
    #[arg(long, requires_all = ["analyzer", "key"])]
    store: Option<String>,
    /// Analyzer id of the persisted series.
    #[arg(long)]
    analyzer: Option<String>,
    /// Series key: `pool:0x…` (price) or `fee:0x…` (priority fee).
    #[arg(long)]
    key: Option<String>,
    /// A `timestamp,value` CSV file (NAB format) judged by `--core`.
    #[arg(long, conflicts_with_all = ["store", "gas"])]
    csv: Option<PathBuf>,
    /// Core for `--csv`.
    #[arg(long, value_enum, default_value = "holt-winters")]
    core: CoreArg,
    /// A bridge fee file (`../shared/data/gas/*.csv`) replayed through the priority-fee detector.
    #[arg(long, conflicts_with = "store")]
    gas: Option<PathBuf>,
    /// Title (defaults to the input).
    #[arg(long)]
    title: Option<String>,
}

/// Arguments of `vigil nab`.
#[derive(clap::Args, Debug)]
pub(crate) struct NabArgs {
    /// NAB directory with `data/` and `labels/`.
    #[arg(long, default_value = "../shared/data/nab")]
    data: PathBuf,
    /// Core(s) to score.
    #[arg(long, value_enum, default_value = "all")]
    core: CoreArg,
    /// Score every row by its distance from the band, or only breakouts (a row outside the
    /// band after one inside), or both.
    #[arg(long, value_enum, default_value = "both")]
    scoring: ScoringArg,
    /// Threads for detection.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Row scoring for NAB.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScoringArg {
    /// Every row scores its distance from the band.
    EveryRow,
    /// Only a breakout scores.
    Onset,
    /// Both.
    Both,
}

/// Arguments of `vigil ts-bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct TsBenchArgs {
    /// Repetitions (medians are reported).
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Live series for the memory figure (price and fee series each).
    #[arg(long, default_value_t = 10_000)]
    series: usize,
    /// Python with bench/peers/requirements.txt installed, to time statsmodels and Prophet
    /// on the same series in this run.
    #[arg(long, env = "VIGIL_PEERS_PYTHON")]
    python: Option<PathBuf>,
    /// Bridge fee files to replay for alert counts (skipped if absent).
    #[arg(long, default_value = "../shared/data/gas")]
    gas: PathBuf,
}

fn invalid(message: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(INVALID))
}

/// `vigil plot`.
pub(crate) async fn plot(args: PlotArgs) -> anyhow::Result<ExitCode> {
    let series = if let (Some(url), Some(analyzer), Some(key)) =
        (&args.store, &args.analyzer, &args.key)
    {
        let store = SeriesStore::open(url).await?;
        let state = store.get(analyzer, key).await?;
        store.close().await;
        let Some(state) = state else {
            return invalid(format!("no series {key} of analyzer {analyzer} in the store"));
        };
        let Some((kind, address)) = key.split_once(':') else {
            return invalid(format!("series key {key} is not kind:0xaddress"));
        };
        let Ok(address) = address.parse::<Address>() else {
            return invalid(format!("series key {key} does not hold an address"));
        };
        let title = args.title.clone().unwrap_or_else(|| format!("{analyzer} {key}"));
        match kind {
            "pool" => {
                let d = PriceAnomalyDetector::new(analyzer, PriceAnomalyConfig::default())
                    .with_state(vec![state]);
                PlotSeries::from_price_view(&title, &d.series_view(address))
            }
            "fee" => {
                let d = PriorityFeeDetector::new(analyzer, PriorityFeeConfig::default())
                    .with_state(vec![state]);
                let mut picture = PlotSeries::from_bands(
                    &title,
                    "max priority fee per hour (gwei)",
                    &d.series_view(address),
                );
                picture.log_y = true;
                picture
            }
            other => return invalid(format!("unknown series kind {other} (expected pool or fee)")),
        }
    } else if let Some(path) = &args.csv {
        let Ok(text) = std::fs::read_to_string(path) else {
            return invalid(format!("cannot read {}", path.display()));
        };
        let (times, values) = match nab::parse_csv(&text) {
            Ok(parsed) => parsed,
            Err(e) => return invalid(format!("{}: {e}", path.display())),
        };
        let file = NabFile { name: path.display().to_string(), times, values, windows: Vec::new() };
        let core = args.core.cores()[0];
        let bands = nab::core_bands(&file, core);
        let rows: Vec<_> = file
            .times
            .iter()
            .zip(&file.values)
            .zip(&bands)
            .map(|((&t, &v), b)| {
                ((t.max(0) as u64) * 1000, v, b.map(|b| (b.lower(), b.mid, b.upper())))
            })
            .collect();
        let title = args.title.clone().unwrap_or_else(|| format!("{} ({core:?})", path.display()));
        PlotSeries::from_bands(&title, "value", &rows)
    } else if let Some(path) = &args.gas {
        let Ok(text) = std::fs::read_to_string(path) else {
            return invalid(format!("cannot read {}", path.display()));
        };
        let report = match gas::replay(&text, PriorityFeeConfig::default()) {
            Ok(r) => r,
            Err(e) => return invalid(format!("{}: {e}", path.display())),
        };
        let title = args.title.clone().unwrap_or_else(|| {
            format!("{}: hourly max priority fee, {} alerts", path.display(), report.findings)
        });
        let mut picture = PlotSeries::from_bands(&title, "gwei", &report.hourly);
        picture.anomalies = report.alerts.iter().map(|&(t, tip, _)| (t as f64, tip)).collect();
        picture.log_y = true;
        picture
    } else {
        return invalid("give --store/--analyzer/--key, --csv or --gas");
    };
    for out in &args.out {
        plot::render(&series, out).with_context(|| format!("failed to write {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `vigil nab`.
pub(crate) async fn nab(args: NabArgs) -> anyhow::Result<ExitCode> {
    let corpus = match NabCorpus::load(&args.data) {
        Ok(c) => c,
        Err(e) => return invalid(e),
    };
    let scorings = match args.scoring {
        ScoringArg::EveryRow => vec![NabScoring::EveryRow],
        ScoringArg::Onset => vec![NabScoring::Onset],
        ScoringArg::Both => vec![NabScoring::EveryRow, NabScoring::Onset],
    };
    let mut reports = Vec::new();
    for core in args.core.cores() {
        for &scoring in &scorings {
            let report =
                tokio::task::block_in_place(|| nab::evaluate(&corpus, core, scoring, args.threads));
            reports.push(report);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(r) = reports.first() {
        println!(
            "NAB on {} files, {} rows, {} windows ({})",
            r.files,
            r.rows,
            r.windows,
            args.data.display()
        );
    }
    println!(
        "{:<14} {:<10} {:>9} {:>9} {:>9}  detect s",
        "core", "scoring", "standard", "low FP", "low FN"
    );
    for r in &reports {
        let get = |name: &str| {
            r.profiles.iter().find(|p| p.profile == name).map_or(f64::NAN, |p| p.normalized)
        };
        println!(
            "{:<14} {:<10} {:>9.1} {:>9.1} {:>9.1}  {:.1}",
            format!("{:?}", r.core),
            format!("{:?}", r.scoring),
            get("standard"),
            get("reward_low_FP_rate"),
            get("reward_low_FN_rate"),
            r.detect_seconds
        );
    }
    println!(
        "published (standard, full 58-file corpus): ARTime 74.9, Numenta HTM 70.5, CAD OSE 69.9, Random Cut Forest 51.7, windowed Gaussian 39.6"
    );
    Ok(ExitCode::SUCCESS)
}

/// `vigil ts-bench`.
pub(crate) async fn bench(args: TsBenchArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; build with --release for real figures");
    }
    let report = tokio::task::block_in_place(|| bench::run(args.runs, args.series));
    let s = |x: bench::Summary, unit: &str| {
        format!("median {:.3} {unit} (p99 {:.3}, n {})", x.median, x.p99, x.n)
    };
    println!(
        "fee series, 168 hourly points, update + forecast (Kalman + HW refit, warm): {}",
        s(report.hw_update_forecast_us, "µs")
    );
    println!(
        "fee series, 168 hourly points, cold fit (grid + Nelder-Mead):             {}",
        s(report.hw_cold_fit_us, "µs")
    );
    println!(
        "fee series, 168 hourly points, rerun with known parameters:              {}",
        s(report.hw_rerun_us, "µs")
    );
    println!(
        "price series refit, 1 day of minutes (1440 points):                      {}",
        s(report.prophet_fit_1d_ms, "ms")
    );
    println!(
        "price series refit, 3 days of minutes (4320 points):                     {}",
        s(report.prophet_fit_3d_ms, "ms")
    );
    println!(
        "memory: {} price series (3 days of minutes, fitted) + {} fee series (7 days of hours): {:.0} MB RSS growth; state JSON {} B per price series, {} B per fee series",
        report.series, report.series, report.memory_mb, report.state_bytes.0, report.state_bytes.1
    );
    if let Some(python) = &args.python {
        peers(python, args.runs)?;
    } else {
        println!(
            "peers: not run (pass --python or set VIGIL_PEERS_PYTHON; see bench/peers/requirements.txt)"
        );
    }
    gas_counts(&args.gas);
    Ok(ExitCode::SUCCESS)
}

fn peers(python: &Path, runs: usize) -> anyhow::Result<()> {
    let local = Path::new("bench/peers/bench.py");
    let script = if local.is_file() {
        local.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peers/bench.py")
    };
    let output = std::process::Command::new(python)
        .arg(&script)
        .args(["--runs", &runs.to_string()])
        // Set on some machines for old OpenBLAS builds; they slow a current numpy.
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output()
        .with_context(|| format!("failed to run {}", python.display()))?;
    if !output.status.success() {
        anyhow::bail!("peer benchmark failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("peer benchmark output is not JSON")?;
    let ms = |k: &str| report[k]["median"].as_f64().unwrap_or(f64::NAN);
    println!("peers ({}):", report["versions"]);
    println!(
        "  statsmodels Holt-Winters fit + forecast, 168 hourly points: median {:.1} ms",
        ms("statsmodels_hw_fit_forecast_ms")
    );
    println!(
        "  Prophet fit + predict, 1 day of minutes:                   median {:.1} ms",
        ms("prophet_fit_1d_ms")
    );
    println!(
        "  Prophet fit + predict, 3 days of minutes:                  median {:.1} ms",
        ms("prophet_fit_3d_ms")
    );
    Ok(())
}

fn gas_counts(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("gas: {} not present, alert counts skipped", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    for path in files {
        let report = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| gas::replay(&t, PriorityFeeConfig::default()));
        match report {
            Ok(r) => println!(
                "gas {}: {} alerts over {:.0} days of post-London traffic ({} tx with a tip, {} rows; {} during cold start; by level {:?})",
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                r.findings,
                r.tip_days,
                r.with_tip,
                r.rows,
                r.cold_start_findings,
                r.by_level
            ),
            Err(e) => println!("gas {}: {e}", path.display()),
        }
    }
}
