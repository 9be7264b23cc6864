use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::json;
use vigil_chain::{CallDecoder, MempoolSource, MempoolSourceConfig, MonitoredContracts};
use vigil_pipeline::{Delivery, Engine, Sink, SinkError};
use vigil_rules::{WatchlistAnalyzer, WatchlistConfig};
use vigil_types::{Finding, Mode, SinkRole, Subject};

use super::node::{BenchNode, SentAt};

/// Records, per finding, the time since its notification was written by the node.
struct LatencySink {
    sent_at: SentAt,
    samples: Arc<Mutex<Vec<u64>>>,
}

#[async_trait::async_trait]
impl Sink for LatencySink {
    fn id(&self) -> &str {
        "latency"
    }
    fn role(&self) -> SinkRole {
        SinkRole::Alert
    }
    async fn send(&mut self, finding: &Finding) -> Result<(), SinkError> {
        let now = Instant::now();
        if let Subject::Tx { hash } = &finding.subject {
            let sent = self.sent_at.lock().ok().and_then(|s| s.get(&format!("{hash}")).copied());
            if let (Some(sent), Ok(mut samples)) = (sent, self.samples.lock()) {
                samples.push(now.duration_since(sent).as_nanos() as u64);
            }
        }
        Ok(())
    }
}

/// One run: `messages` notifications, one per millisecond; returns latencies in ns.
pub(super) async fn run(messages: usize) -> anyhow::Result<Vec<u64>> {
    let node = BenchNode::start().await?;
    let contracts = Arc::new(MonitoredContracts::default());
    let decoder = Arc::new(CallDecoder::new(&contracts));
    let source = MempoolSource::new(
        "mempool",
        31337,
        MempoolSourceConfig::new(vec![node.url.clone()]),
        contracts,
        decoder,
    );
    let samples = Arc::new(Mutex::new(Vec::new()));
    let sink = LatencySink { sent_at: node.sent_at.clone(), samples: samples.clone() };
    let engine = Engine::builder(Mode::AlertOnly, Delivery::Live)
        .source(Box::new(source))
        .analyzer(Box::new(WatchlistAnalyzer::new(
            "watchlist",
            WatchlistConfig::default(),
            Default::default(),
        )))
        .sink(Box::new(sink))
        .build();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    // transfer(address,uint256) calldata, so the decoder does real work.
    let input =
        format!("0xa9059cbb{:0>64}{:0>64}", "70997970c51812dc3a010c7d01b50e0d17dc79c8", "3e8");
    for i in 0..messages {
        let tx = json!({
            "hash": format!("0x{i:064x}"), "from": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "to": to, "nonce": format!("{i:#x}"), "value": "0x0", "input": input, "gas": "0x186a0",
            "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x3b9aca00", "type": "0x2",
        });
        node.push.send(tx)?;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while samples.lock().map(|s| s.len()).unwrap_or(messages) < messages
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop.send(());
    let _ = running.await;
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    anyhow::ensure!(
        samples.len() == messages,
        "only {} of {messages} findings arrived",
        samples.len()
    );
    Ok(samples)
}
