use std::time::Duration;

use vigil_defense::lab::{bench, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_shows_the_attack_reverting_and_the_funds_saved() {
    let options = demo::DemoOptions { color: false, pace: Duration::ZERO };
    let outcome = demo::run(options).await.expect("demo ran");
    assert!(outcome.saved, "{outcome:?}");
    assert!(outcome.before.values().any(|v| !v.is_zero()), "the treasury held funds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_rounds_each_save_the_treasury() {
    let report = bench::run(bench::BenchOptions { attacks: 5, seed: 3 }).await.expect("bench ran");
    assert_eq!(report.end_to_end_us.len(), 5);
    assert_eq!(report.saved, 5, "{:?}", report.lines());
}
