//! Engine behaviour: routing by mode, lossless ordering, counted drops, clean shutdown.

use std::time::Duration;

use futures::StreamExt;
use vigil_pipeline::{Analyzer, Delivery, Engine, EventStream, Sink, SinkError, Source};
use vigil_testkit::{CollectSink, FindingBuilder, TxBuilder, pending_event};
use vigil_types::{Event, Finding, Mode, SinkRole, ThreatLevel};

struct Events(Vec<Event>);

impl Source for Events {
    fn id(&self) -> &str {
        "events"
    }
    fn events(self: Box<Self>) -> EventStream {
        futures::stream::iter(self.0.into_iter().map(Ok)).boxed()
    }
}

/// Never ends: a live source with nothing to say.
struct Silent;

impl Source for Silent {
    fn id(&self) -> &str {
        "silent"
    }
    fn events(self: Box<Self>) -> EventStream {
        futures::stream::pending().boxed()
    }
}

/// One finding per event, numbered by the event's time; optionally slow.
struct Echo {
    id: &'static str,
    delay: Duration,
}

impl Analyzer for Echo {
    fn id(&self) -> &str {
        self.id
    }
    fn analyze(&mut self, event: &Event) -> Vec<Finding> {
        std::thread::sleep(self.delay);
        vec![FindingBuilder::new(self.id, event.seen_at).level(ThreatLevel::High).build()]
    }
}

struct Failing;

#[async_trait::async_trait]
impl Sink for Failing {
    fn id(&self) -> &str {
        "failing"
    }
    fn role(&self) -> SinkRole {
        SinkRole::Alert
    }
    async fn send(&mut self, _: &Finding) -> Result<(), SinkError> {
        Err(SinkError::Delivery { sink: "failing".into(), attempts: 1, reason: "down".into() })
    }
}

fn events(n: u64) -> Vec<Event> {
    (0..n).map(|i| pending_event(TxBuilder::default().hash_n(i).build(), i)).collect()
}

fn echo(id: &'static str) -> Box<dyn Analyzer> {
    Box::new(Echo { id, delay: Duration::ZERO })
}

#[tokio::test]
async fn lossless_delivery_orders_findings_by_event_then_analyzer() {
    let (sink, collected) = CollectSink::new("collect", SinkRole::Store);
    let slow = Box::new(Echo { id: "slow", delay: Duration::from_micros(200) });
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Lossless)
        .source(Box::new(Events(events(200))))
        .analyzer(slow)
        .analyzer(echo("fast"))
        .sink(Box::new(sink))
        .build();
    let report = engine.run(std::future::pending()).await;
    let order: Vec<(u64, String)> = collected
        .findings()
        .iter()
        .map(|f| (f.observed_at - 1_700_000_000_000, f.analyzer.clone()))
        .collect();
    let want: Vec<(u64, String)> =
        (0..200).flat_map(|i| [(i, "slow".to_owned()), (i, "fast".to_owned())]).collect();
    assert_eq!(order, want);
    assert_eq!(report.events, 200);
    assert_eq!(report.findings_by_level["HIGH"], 400);
    assert_eq!(report.analyzer_drops(), 0);
}

#[tokio::test]
async fn modes_decide_which_sinks_receive_findings() {
    for (mode, want) in [
        (Mode::MonitorOnly, [1, 0, 0]),
        (Mode::AlertOnly, [1, 1, 0]),
        (Mode::ActiveDefense, [1, 1, 1]),
    ] {
        let (store, stored) = CollectSink::new("store", SinkRole::Store);
        let (alert, alerted) = CollectSink::new("alert", SinkRole::Alert);
        let (defense, defended) = CollectSink::new("defense", SinkRole::Defense);
        Engine::builder(mode, Delivery::Lossless)
            .source(Box::new(Events(events(1))))
            .analyzer(echo("a"))
            .sink(Box::new(store))
            .sink(Box::new(alert))
            .sink(Box::new(defense))
            .build()
            .run(std::future::pending())
            .await;
        let got = [stored.findings().len(), alerted.findings().len(), defended.findings().len()];
        assert_eq!(got, want, "{mode}");
    }
}

#[tokio::test]
async fn live_delivery_drops_and_counts_instead_of_blocking() {
    let (sink, collected) = CollectSink::new("collect", SinkRole::Store);
    let slow = Box::new(Echo { id: "slow", delay: Duration::from_millis(2) });
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Live)
        .analyzer_queue(4)
        .source(Box::new(Events(events(500))))
        .analyzer(slow)
        .sink(Box::new(sink))
        .build();
    let report = engine.run(std::future::pending()).await;
    let analyzed = report.analyzers["slow"].received;
    assert_eq!(report.events, 500);
    assert!(report.analyzers["slow"].dropped > 0, "{report:?}");
    assert_eq!(analyzed + report.analyzers["slow"].dropped, 500, "every event analysed or counted");
    assert_eq!(collected.findings().len() as u64, analyzed);
}

#[tokio::test]
async fn sink_errors_are_counted_and_other_sinks_still_deliver() {
    let (sink, collected) = CollectSink::new("collect", SinkRole::Alert);
    let report = Engine::builder(Mode::AlertOnly, Delivery::Lossless)
        .source(Box::new(Events(events(10))))
        .analyzer(echo("a"))
        .sink(Box::new(Failing))
        .sink(Box::new(sink))
        .build()
        .run(std::future::pending())
        .await;
    assert_eq!(report.sinks["failing"].errors, 10);
    assert_eq!(report.sink_errors(), 10);
    assert_eq!(collected.findings().len(), 10);
}

#[tokio::test]
async fn shutdown_stops_a_live_source_and_drains() {
    let (sink, _) = CollectSink::new("collect", SinkRole::Store);
    let engine = Engine::builder(Mode::MonitorOnly, Delivery::Live)
        .source(Box::new(Silent))
        .analyzer(echo("a"))
        .sink(Box::new(sink))
        .build();
    let stats = engine.stats();
    let report = tokio::time::timeout(
        Duration::from_secs(5),
        engine.run(tokio::time::sleep(Duration::from_millis(50))),
    )
    .await
    .expect("engine stops on shutdown");
    assert_eq!(report.events, 0);
    assert_eq!(stats.snapshot(), report);
}

#[tokio::test]
async fn a_panicking_analyzer_is_counted_and_the_run_goes_on() {
    struct Panics;
    impl Analyzer for Panics {
        fn id(&self) -> &str {
            "panics"
        }
        fn analyze(&mut self, event: &Event) -> Vec<Finding> {
            assert!(event.seen_at.is_multiple_of(2), "odd event");
            Vec::new()
        }
    }
    let (sink, collected) = CollectSink::new("collect", SinkRole::Store);
    let report = Engine::builder(Mode::MonitorOnly, Delivery::Lossless)
        .source(Box::new(Events(events(10))))
        .analyzer(Box::new(Panics))
        .analyzer(echo("a"))
        .sink(Box::new(sink))
        .build()
        .run(std::future::pending())
        .await;
    assert_eq!(report.analyzers["panics"].errors, 5);
    assert_eq!(collected.findings().len(), 10);
}
