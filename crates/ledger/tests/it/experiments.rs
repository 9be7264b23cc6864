use std::path::PathBuf;

use vigil_ledger::{
    spartan::{PAPER_DIFFICULTY, SpartanChain},
    tamper::{BlockScorer, Detector, ExperimentConfig, rank_of, run_experiments, simple_attack},
};

/// `../shared/data/hardened_logger`, beside the repository. The tests that read it are
/// ignored (reported skipped) where it is absent; see `build.rs`.
fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/hardened_logger"))
}

#[test]
#[cfg_attr(not(shared_data), ignore = "../shared/data is absent beside the repository")]
fn paper_chains_verify_and_a_changed_block_is_found() {
    let dir = data_dir();
    let chain =
        SpartanChain::read(&dir.join("datasetEmptyBlocks/blockchain01.json")).expect("read");
    let report = chain.verify(PAPER_DIFFICULTY);
    assert_eq!((report.blocks, report.fault.clone()), (1000, None));
    let mut forged = chain.clone();
    forged.blocks[500].1.timestamp += 1;
    let fault = forged.verify(PAPER_DIFFICULTY).fault.expect("forged timestamp must be caught");
    assert_eq!(fault.index, 500, "{fault}");
    assert!(fault.problem.contains("id mismatch"), "{fault}");
}

#[test]
#[cfg_attr(not(shared_data), ignore = "../shared/data is absent beside the repository")]
fn proof_time_detector_ranks_an_injected_pause_first_on_a_chain_without_stalls() {
    let dir = data_dir();
    // blockchain02 has no natural stall longer than 18 s.
    let chain =
        SpartanChain::read(&dir.join("datasetEmptyBlocks/blockchain02.json")).expect("read");
    let attacked = simple_attack(&chain.timing(), 600, 30_000);
    let scores = BlockScorer::untrained().score(&attacked);
    assert_eq!(rank_of(&scores, Detector::ProofTime, 600), 1);
}

#[test]
#[cfg_attr(not(shared_data), ignore = "../shared/data is absent beside the repository")]
fn reproduces_the_papers_experiments() {
    let dir = data_dir();
    let report = run_experiments(&ExperimentConfig::paper(dir)).expect("experiments");
    println!("{}", report.to_markdown());
    assert!(report.verification.iter().all(|(_, v)| v == "ok"), "{:?}", report.verification);
    assert_eq!(report.linked_10_20, Some(true));
    assert_eq!(report.ranks.len(), 3, "rewritten1..3 are in the shared data");
    let timing: Vec<usize> = report.ranks.iter().map(|r| r.timing).collect();
    assert_eq!(timing, [3, 1, 1], "production-time ranks match the paper's");
    for table in &report.subtle {
        for row in &table.rows {
            let vigil = row.accuracy[2];
            assert!(vigil > 0.9, "vigil misses the subtle attack at U = {} ms: {vigil}", row.u_ms);
        }
    }
}
