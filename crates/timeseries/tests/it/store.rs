//! The series store: round trip through SQLite and PostgreSQL, upserts, and a restart that
//! resumes.

use vigil_pipeline::Analyzer;
use vigil_timeseries::{PriceAnomalyConfig, PriceAnomalyDetector, SeriesState, SeriesStore};
use vigil_types::{Address, U256};

use crate::support::{log, noise};

fn state(key: &str, body: &str) -> SeriesState {
    SeriesState { key: key.into(), updated_at: 7, body: body.into() }
}

#[tokio::test]
async fn saves_upserts_and_loads_series_per_analyzer() {
    let dir = tempfile::tempdir().expect("tempdir");
    saves_upserts_and_loads(&format!("sqlite://{}", dir.path().join("series.db").display())).await;
}

#[tokio::test]
async fn saves_upserts_and_loads_series_in_postgres() {
    let server = vigil_testkit::Postgres::spawn().expect("postgres starts");
    saves_upserts_and_loads(&server.url()).await;
}

async fn saves_upserts_and_loads(url: &str) {
    let store = SeriesStore::open(url).await.expect("open");
    store.save("a", &[state("k1", "{}"), state("k2", "[1]")]).await.expect("save");
    store.save("a", &[state("k1", "{\"v\":2}")]).await.expect("upsert");
    store.save("b", &[state("k1", "null")]).await.expect("other analyzer");
    let a = store.load("a").await.expect("load");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].body, "{\"v\":2}");
    assert_eq!(store.get("b", "k1").await.expect("get").map(|s| s.body), Some("null".into()));
    assert_eq!(store.prune("a", 8).await.expect("prune"), 2);
    assert_eq!(store.load("b").await.expect("load").len(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_restart_resumes_from_the_store_without_refitting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("series.db").display());
    let pool = Address::repeat_byte(0x33);
    let swap = |i: u64| {
        let price = 1.5 * (1.0 + 0.001 * noise(i as usize));
        let sync = [U256::from(1_000_000_000u64), U256::from((1e9 * price) as u64)];
        log(i + 1, 1_700_000_000 + i * 30, pool, vec![vigil_timeseries::swap::V2_SYNC_TOPIC], &sync)
    };
    let mut first = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    for i in 0..300 {
        first.analyze(&swap(i));
    }
    let store = SeriesStore::open(&url).await.expect("open");
    assert_eq!(store.save_all(&first.handle()).await.expect("save"), 1);
    assert_eq!(store.save_dirty(&first.handle()).await.expect("nothing new"), 0);
    let restored = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default())
        .with_state(store.load("prices").await.expect("load"));
    let at = (1_700_000_000 + 300 * 30) * 1000;
    assert!(first.band(pool, at).is_some());
    assert_eq!(first.band(pool, at), restored.band(pool, at));
    let mut restored = restored;
    let refits = |d: &PriceAnomalyDetector| d.handle().stats().get("refits").copied().unwrap_or(0);
    let before = refits(&first);
    assert_eq!(restored.analyze(&swap(300)), first.analyze(&swap(300)));
    assert_eq!(refits(&restored), refits(&first) - before, "only the refits that were due anyway");
    store.close().await;
}

#[tokio::test]
async fn the_persist_loop_saves_everything_when_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("series.db").display());
    let mut detector = PriceAnomalyDetector::new("prices", PriceAnomalyConfig::default());
    let sync = [U256::from(1_000u64), U256::from(2_000u64)];
    let topic = vec![vigil_timeseries::swap::V2_SYNC_TOPIC];
    detector.analyze(&log(1, 1_700_000_000, Address::repeat_byte(0x44), topic, &sync));
    let store = SeriesStore::open(&url).await.expect("open");
    let stop = std::future::ready(());
    let every = std::time::Duration::from_secs(3600);
    let saved = vigil_timeseries::persist_loop(store.clone(), detector.handle(), every, stop)
        .await
        .expect("saves");
    assert_eq!(saved, 1);
    assert_eq!(store.load("prices").await.expect("load").len(), 1);
    store.close().await;
}
