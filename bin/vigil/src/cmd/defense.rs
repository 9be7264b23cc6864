//! Active-defense commands: `vigil defense-bench` (attacker tx sent → our pause accepted by
//! the node, p50/p99 over many attacks on a local anvil with the attack range) and `vigil
//! keystore new` (an encrypted keystore for the guardian key).

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use vigil_defense::{GuardianKey, KeySource, lab::bench as defense_bench};

/// Arguments of `vigil defense-bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct DefenseBenchArgs {
    /// Attacks to time (p99 needs at least 100).
    #[arg(long, default_value_t = 200)]
    attacks: usize,
    /// Seed of the attackers' fees.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Runs the defense benchmark and prints its figures.
pub(crate) async fn bench(args: DefenseBenchArgs) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run it with --release for real figures");
    }
    if args.attacks == 0 {
        bail!("--attacks must be at least 1");
    }
    let options = defense_bench::BenchOptions { attacks: args.attacks, seed: args.seed };
    let report = defense_bench::run(options).await.context("defense benchmark")?;
    for line in report.lines() {
        println!("{line}");
    }
    let all_saved = report.saved == report.end_to_end_us.len();
    Ok(if all_saved { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Arguments of `vigil keystore new`.
#[derive(clap::Args, Debug)]
pub(crate) struct KeystoreNewArgs {
    /// Directory to write the keystore into.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// File name of the keystore.
    #[arg(long, default_value = "guardian.json")]
    name: String,
    /// Environment variable holding the password to encrypt with.
    #[arg(long, default_value = "VIGIL_KEYSTORE_PASSWORD")]
    password_env: String,
    /// Environment variable holding an existing hex private key to import; without it a
    /// fresh key is generated.
    #[arg(long)]
    import_env: Option<String>,
}

/// Writes an encrypted keystore; prints its path and address, never the key.
pub(crate) fn keystore_new(args: KeystoreNewArgs) -> anyhow::Result<ExitCode> {
    let password = match std::env::var(&args.password_env) {
        Ok(password) if !password.is_empty() => password,
        _ => bail!("environment variable {} must hold the keystore password", args.password_env),
    };
    let key = match &args.import_env {
        Some(var) => GuardianKey::load(&KeySource::Env { var: var.clone() })?,
        None => GuardianKey::random(),
    };
    if args.dir.join(&args.name).exists() {
        bail!("{} already exists; not overwriting a keystore", args.dir.join(&args.name).display());
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("failed to create {}", args.dir.display()))?;
    let path = key.write_keystore(&args.dir, &args.name, &password)?;
    println!("keystore: {}", path.display());
    println!("address:  {}", key.address());
    println!(
        "config:   key = {{ source = \"keystore\", path = \"{}\", password_env = \"{}\" }}",
        path.display(),
        args.password_env
    );
    Ok(ExitCode::SUCCESS)
}
