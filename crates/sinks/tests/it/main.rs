//! Sinks against real endpoints: an HTTP server on loopback for the webhook, SQLite files for
//! the store.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use vigil_pipeline::{Sink, SinkError};
use vigil_sinks::{
    FindingQuery, FindingStore, JsonlSink, JsonlSinkConfig, Secret, StoreSink, StoreSinkConfig,
    WebhookSink, WebhookSinkConfig, signature,
};
use vigil_testkit::FindingBuilder;
use vigil_types::{Finding, ThreatLevel};

/// (signature header, body) of each request received.
type Received = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;

#[derive(Clone, Default)]
struct Hook {
    /// Status codes to answer, in order; 200 once exhausted.
    script: Arc<Mutex<Vec<u16>>>,
    received: Received,
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers.get("x-vigil-signature").and_then(|v| v.to_str().ok()).map(str::to_owned);
    hook.received.lock().expect("lock").push((sig, body));
    let code = {
        let mut script = hook.script.lock().expect("lock");
        if script.is_empty() { 200 } else { script.remove(0) }
    };
    StatusCode::from_u16(code).expect("status")
}

/// An HTTP endpoint on a free loopback port; stops when dropped.
struct Server {
    addr: SocketAddr,
    hook: Hook,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn server(script: Vec<u16>) -> Server {
    let hook = Hook { script: Arc::new(Mutex::new(script)), ..Hook::default() };
    let app = Router::new().route("/hook", post(receive)).with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { addr, hook, task }
}

fn high(n: u64) -> Finding {
    FindingBuilder::new("test", n).level(ThreatLevel::High).build()
}

#[tokio::test]
async fn webhook_retries_server_errors_and_signs_the_body() {
    let server = server(vec![500, 503]).await;
    let mut config = WebhookSinkConfig::new(format!("http://{}/hook", server.addr));
    config.retry_initial_ms = 10;
    let secret = Some(Secret::from("s3cret".to_owned()));
    let mut sink = WebhookSink::with_secret("hook", config, secret).expect("sink");
    sink.send(&high(1)).await.expect("delivered on the third attempt");
    let received = server.hook.received.lock().expect("lock").clone();
    assert_eq!(received.len(), 3);
    let (sig, body) = &received[2];
    assert_eq!(sig.as_deref(), Some(signature(b"s3cret", body).as_str()));
    let finding: Finding = serde_json::from_slice(body).expect("body is the finding");
    assert_eq!(finding, high(1));
    assert!(!format!("{sink:?}").contains("s3cret"), "the secret never shows in Debug");
}

#[tokio::test]
async fn webhook_gives_up_on_client_errors_without_retrying() {
    let server = server(vec![400]).await;
    let mut config = WebhookSinkConfig::new(format!("http://{}/hook", server.addr));
    config.retry_initial_ms = 10;
    let mut sink = WebhookSink::new("hook", config).expect("sink");
    let err = sink.send(&high(2)).await.expect_err("400 is final");
    assert!(matches!(err, SinkError::Delivery { attempts: 1, .. }), "{err}");
    // Below the minimum level nothing is sent at all.
    sink.send(&FindingBuilder::new("test", 3).build()).await.expect("skipped");
    assert_eq!(server.hook.received.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn webhook_reports_an_unreachable_endpoint_after_its_attempts() {
    let addr = server(vec![]).await.addr; // dropped: the port is closed now
    let mut config = WebhookSinkConfig::new(format!("http://{addr}/hook"));
    config.retry_initial_ms = 1;
    config.max_attempts = 3;
    let mut sink = WebhookSink::new("hook", config).expect("sink");
    let err = sink.send(&high(4)).await.expect_err("nobody listens");
    assert!(matches!(err, SinkError::Delivery { attempts: 3, .. }), "{err}");
}

#[tokio::test]
async fn store_keeps_each_finding_once_and_filters_on_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    keeps_each_finding_once(format!("sqlite://{}", dir.path().join("f.db").display())).await;
}

#[tokio::test]
async fn postgres_store_keeps_each_finding_once_and_filters_on_read() {
    let server = vigil_testkit::Postgres::spawn().expect("postgres starts");
    keeps_each_finding_once(server.url()).await;
}

async fn keeps_each_finding_once(url: String) {
    let mut sink = StoreSink::open("store", &StoreSinkConfig { url: url.clone(), url_env: None })
        .await
        .expect("open");
    for n in 0..5 {
        sink.send(&FindingBuilder::new("a", n).build()).await.expect("insert");
    }
    sink.send(&high(9)).await.expect("insert");
    sink.send(&FindingBuilder::new("a", 0).build()).await.expect("duplicate is not an error");
    sink.close().await.expect("close");

    let store = FindingStore::open(&url).await.expect("reopen");
    let all = store.list(&FindingQuery::default()).await.expect("list");
    assert_eq!(all.len(), 6);
    assert_eq!(all[0], FindingBuilder::new("a", 0).build());
    let high_only = store
        .list(&FindingQuery { min_level: Some(ThreatLevel::High), since: None })
        .await
        .expect("list");
    assert_eq!(high_only, vec![high(9)]);
    let recent = store
        .list(&FindingQuery { since: Some(1_700_000_000_003), min_level: None })
        .await
        .expect("list");
    assert_eq!(recent.len(), 3);
}

#[tokio::test]
async fn jsonl_appends_one_line_per_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f.jsonl");
    std::fs::write(&path, "").expect("pre-existing empty file");
    let mut sink = JsonlSink::new("jsonl", JsonlSinkConfig { path: path.clone() });
    sink.send(&high(1)).await.expect("write");
    sink.send(&high(2)).await.expect("write");
    sink.close().await.expect("close");
    let text = std::fs::read_to_string(&path).expect("read");
    let lines: Vec<Finding> =
        text.lines().map(|l| serde_json::from_str(l).expect("a finding per line")).collect();
    assert_eq!(lines, vec![high(1), high(2)]);
}
