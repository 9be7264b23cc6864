use vigil_defense::lab::bench;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_rounds_each_save_the_treasury() {
    let report = bench::run(bench::BenchOptions { attacks: 5, seed: 3 }).await.expect("bench ran");
    assert_eq!(report.end_to_end_us.len(), 5);
    assert_eq!(report.saved, 5, "{:?}", report.lines());
}
