//! The shared evaluation data: NAB (../shared/data/nab) and the bridge fee streams
//! (../shared/data/gas). Figures are printed; the note in docs/timeseries.md reports them.

use vigil_timeseries::{
    PriorityFeeConfig, gas,
    nab::{NabCore, NabCorpus, NabScoring, core_scores, evaluate},
};

use crate::support::shared;

#[test]
#[cfg_attr(not(shared_data), ignore = "../shared/data is absent beside the repository")]
fn nab_corpus_scores_within_the_normalised_range() {
    let root = shared("nab");
    let corpus = NabCorpus::load(&root).expect("corpus loads");
    assert!(corpus.files.len() >= 20, "{} files", corpus.files.len());
    assert_eq!(corpus.profiles.len(), 3);
    let small = NabCorpus {
        files: corpus
            .files
            .iter()
            .filter(|f| f.name.starts_with("realAdExchange/exchange-2"))
            .cloned()
            .collect(),
        profiles: corpus.profiles.clone(),
    };
    let mut short = small.files[0].clone();
    short.times.truncate(400);
    short.values.truncate(400);
    for core in [NabCore::HoltWinters, NabCore::Prophet] {
        let scores = core_scores(&short, core, NabScoring::EveryRow);
        assert_eq!(scores.len(), short.values.len());
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
        assert!(scores.iter().any(|s| *s > 0.0), "{core:?} judged some rows");
    }
    // Full files in a debug build: the Holt-Winters core only (`vigil nab` scores both).
    {
        let core = NabCore::HoltWinters;
        let report = evaluate(&small, core, NabScoring::Onset, 2);
        for p in &report.profiles {
            println!("{core:?} on realAdExchange, {}: {:.1}", p.profile, p.normalized);
            assert!(p.normalized.is_finite() && p.normalized <= 100.0, "{p:?}");
            assert!(
                p.raw >= p.null - 1e-9,
                "the chosen threshold is never worse than detecting nothing"
            );
        }
    }
}

#[test]
#[cfg_attr(not(shared_data), ignore = "../shared/data is absent beside the repository")]
fn bridge_fee_streams_replay_through_the_detector() {
    let root = shared("gas");
    for name in ["multichain-bridge.csv", "rainbow-bridge.csv", "umbria-bridge.csv"] {
        let text = std::fs::read_to_string(root.join(name)).expect("readable");
        let report = gas::replay(&text, PriorityFeeConfig::default()).expect("replays");
        println!(
            "{name}: {} alerts over {:.0} days ({} tx with a tip), {} in cold start, {:?}",
            report.findings,
            report.tip_days,
            report.with_tip,
            report.cold_start_findings,
            report.by_level
        );
        assert!(report.with_tip > 1000);
        assert!(
            report
                .alerts
                .iter()
                .all(|(_, tip, upper)| tip.is_finite() && upper.is_finite() && tip > upper)
        );
        // An alert is an unusual event: far fewer than one per hundred transactions.
        assert!(report.findings * 100 < report.with_tip, "{} alerts", report.findings);
    }
}
