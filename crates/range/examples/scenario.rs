//! Generates a labelled dataset on a fresh anvil and prints how long it took:
//! `cargo run --release -p vigil-range --example scenario -- [OUT] [SEED] [BENIGN] [ATTACKS]`.

use std::{fs::File, io::BufWriter, time::Instant};

use vigil_range::{
    Chain, MiningMode, RangeDeployment, RangeLayout,
    scenario::{ScenarioConfig, play},
};
use vigil_testkit::Anvil;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().cloned().unwrap_or_else(|| "range-dataset.jsonl".into());
    let mut config = ScenarioConfig::default();
    if let Some(seed) = args.get(1) {
        config.seed = seed.parse()?;
    }
    if let Some(benign) = args.get(2) {
        config.benign_actions = benign.parse()?;
    }
    if let Some(attacks) = args.get(3) {
        config.attacks = attacks.parse()?;
    }
    let started = Instant::now();
    let layout = RangeLayout::default();
    let anvil = Anvil::spawn(layout.anvil_options())?;
    let mut chain = Chain::new(anvil.rpc(), MiningMode::Manual).await?;
    let range = RangeDeployment::deploy(&mut chain, layout).await?;
    let deployed = started.elapsed();
    let mut file = BufWriter::new(File::create(&out)?);
    let report = play(&mut chain, &range, &config, &mut file).await?;
    println!(
        "deployed in {:.1} s; scenario in {:.1} s; total {:.1} s",
        deployed.as_secs_f64(),
        report.elapsed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!("{} blocks, {} rejected {:?}", report.blocks, report.rejected, report.rejections);
    println!("{}", report.stats);
    Ok(())
}
