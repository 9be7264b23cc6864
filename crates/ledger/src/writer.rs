use std::{
    collections::VecDeque,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::{
    Anchor, AnchorPoint, Hash, Ledger, LedgerConfig, LedgerError, Level, OpenReport, Result,
    now_ms, validate_message,
};

/// Records that may wait for a block before `append` waits too.
const QUEUE_RECORDS: usize = 200_000;

type Ack = oneshot::Sender<std::result::Result<u64, String>>;

enum Msg {
    Append { level: Level, message: String, ack: Option<Ack>, _permit: OwnedSemaphorePermit },
    Flush(oneshot::Sender<std::result::Result<Option<(u64, Hash)>, String>>),
    Stop(oneshot::Sender<()>),
}

/// Counters of a running writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Blocks written since start.
    pub blocks: u64,
    /// Records written since start (BLOCK_TIME records not counted).
    pub records: u64,
    /// Blocks that failed to be written (their records were refused).
    pub write_errors: u64,
    /// Anchors published.
    pub anchors: u64,
    /// Anchors that failed to publish.
    pub anchor_errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    blocks: AtomicU64,
    records: AtomicU64,
    write_errors: AtomicU64,
    anchors: AtomicU64,
    anchor_errors: AtomicU64,
}

/// Starts the ledger's writer thread. Mining is CPU work, so it runs on its own OS thread,
/// never on the async runtime; callers talk to it through a cloneable [`LedgerHandle`].
#[derive(Debug)]
pub struct LedgerWriter;

impl LedgerWriter {
    /// Opens the ledger at `path` and starts the writer. With `anchor = Some((anchor, k))`
    /// the head is published after every `k`-th block (needs a tokio runtime).
    pub fn spawn(
        path: &Path,
        config: LedgerConfig,
        anchor: Option<(Arc<dyn Anchor>, u64)>,
    ) -> Result<(LedgerHandle, OpenReport)> {
        let (ledger, report) = Ledger::open(path, config)?;
        let counters = Arc::new(Counters::default());
        let anchor_tx = match anchor {
            Some((_, 0)) => return Err(LedgerError::invalid("anchor_every", "must be positive")),
            Some((anchor, every)) => {
                let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                    LedgerError::invalid("anchor", "anchoring needs a running tokio runtime")
                })?;
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                runtime.spawn(publish_anchors(anchor, rx, counters.clone()));
                Some((tx, every))
            }
            None => None,
        };
        let (tx, rx) = mpsc::channel();
        let thread_counters = counters.clone();
        let thread = std::thread::Builder::new()
            .name("vigil-ledger".into())
            .spawn(move || run(ledger, rx, thread_counters, anchor_tx))
            .map_err(|e| LedgerError::io("start writer thread for", path, e))?;
        let handle = LedgerHandle {
            tx,
            permits: Arc::new(Semaphore::new(QUEUE_RECORDS)),
            counters,
            thread: Arc::new(Mutex::new(Some(thread))),
        };
        Ok((handle, report))
    }
}

async fn publish_anchors(
    anchor: Arc<dyn Anchor>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<AnchorPoint>,
    counters: Arc<Counters>,
) {
    while let Some(point) = rx.recv().await {
        match anchor.publish(point).await {
            Ok(done) => {
                counters.anchors.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    height = point.height,
                    evm_block = done.evm_block,
                    "ledger head anchored"
                );
            }
            Err(e) => {
                // The next anchor covers this one: a later head commits to every earlier block.
                counters.anchor_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(height = point.height, error = %e, "failed to anchor ledger head");
            }
        }
    }
}

struct State {
    ledger: Ledger,
    acks: VecDeque<Option<Ack>>,
    permits: VecDeque<OwnedSemaphorePermit>,
    counters: Arc<Counters>,
    anchor: Option<(tokio::sync::mpsc::UnboundedSender<AnchorPoint>, u64)>,
    batch_started: Option<Instant>,
    last_block: Instant,
}

impl State {
    fn seal(&mut self) {
        let result = self.ledger.seal(now_ms());
        self.last_block = Instant::now();
        match result {
            Ok(sealed) => {
                let n = sealed.records - 1;
                for (i, ack) in self.acks.drain(..n).enumerate() {
                    if let Some(ack) = ack {
                        let _ = ack.send(Ok(sealed.first_seq + i as u64));
                    }
                }
                self.permits.drain(..n);
                self.counters.blocks.fetch_add(1, Ordering::Relaxed);
                self.counters.records.fetch_add(n as u64, Ordering::Relaxed);
                if let Some((tx, every)) = &self.anchor
                    && (sealed.height + 1) % every == 0
                {
                    let _ = tx.send(AnchorPoint { height: sealed.height, hash: sealed.hash });
                }
            }
            Err(e) => {
                self.counters.write_errors.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "failed to write ledger block; its records are refused");
                let reason = e.to_string();
                for ack in self.acks.drain(..).flatten() {
                    let _ = ack.send(Err(reason.clone()));
                }
                self.permits.clear();
                self.ledger.discard_pending();
            }
        }
        self.batch_started = (self.ledger.pending() > 0).then(Instant::now);
    }

    fn seal_all(&mut self) {
        self.seal();
        while self.ledger.pending() > 0 {
            self.seal();
        }
    }

    fn timeout(&self) -> Duration {
        let config = self.ledger.config();
        let deadline = match self.batch_started {
            Some(start) => start + Duration::from_millis(config.max_block_delay_ms),
            None => match config.heartbeat_ms {
                Some(ms) => self.last_block + Duration::from_millis(ms),
                None => return Duration::from_secs(3600),
            },
        };
        deadline.saturating_duration_since(Instant::now())
    }
}

fn run(
    ledger: Ledger,
    rx: mpsc::Receiver<Msg>,
    counters: Arc<Counters>,
    anchor: Option<(tokio::sync::mpsc::UnboundedSender<AnchorPoint>, u64)>,
) {
    let mut state = State {
        ledger,
        acks: VecDeque::new(),
        permits: VecDeque::new(),
        counters,
        anchor,
        batch_started: None,
        last_block: Instant::now(),
    };
    loop {
        match rx.recv_timeout(state.timeout()) {
            Ok(Msg::Append { level, message, ack, _permit }) => {
                if let Err(e) = state.ledger.append(level, message, now_ms()) {
                    if let Some(ack) = ack {
                        let _ = ack.send(Err(e.to_string()));
                    }
                    continue;
                }
                state.acks.push_back(ack);
                state.permits.push_back(_permit);
                state.batch_started.get_or_insert_with(Instant::now);
                if state.ledger.is_full() {
                    state.seal();
                }
            }
            Ok(Msg::Flush(ack)) => {
                if state.ledger.pending() > 0 {
                    state.seal_all();
                }
                let _ = ack.send(Ok(state.ledger.head()));
            }
            Ok(Msg::Stop(ack)) => {
                if state.ledger.pending() > 0 {
                    state.seal_all();
                }
                let _ = ack.send(());
                return;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => state.seal(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if state.ledger.pending() > 0 {
                    state.seal_all();
                }
                return;
            }
        }
    }
}

/// A cloneable handle to the writer thread.
#[derive(Debug, Clone)]
pub struct LedgerHandle {
    tx: mpsc::Sender<Msg>,
    permits: Arc<Semaphore>,
    counters: Arc<Counters>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
}

impl LedgerHandle {
    async fn send(&self, level: Level, message: String, ack: Option<Ack>) -> Result<()> {
        if level == Level::BlockTime {
            return Err(LedgerError::invalid("level", "BLOCK_TIME is reserved for the miner"));
        }
        validate_message(&message)?;
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| LedgerError::Closed("queue closed".into()))?;
        self.tx
            .send(Msg::Append { level, message, ack, _permit: permit })
            .map_err(|_| LedgerError::Closed("writer thread has exited".into()))
    }

    /// Appends a record and waits until its block is on disk; returns its sequence number.
    pub async fn append(&self, level: Level, message: String) -> Result<u64> {
        let pending = self.enqueue(level, message).await?;
        pending.await
    }

    /// Queues a record and returns a future that resolves once its block is on disk; lets a
    /// caller queue many records before waiting (the log server acknowledges lines this way).
    pub async fn enqueue(
        &self,
        level: Level,
        message: String,
    ) -> Result<impl Future<Output = Result<u64>> + Send + 'static> {
        let (tx, rx) = oneshot::channel();
        self.send(level, message, Some(tx)).await?;
        Ok(async move {
            match rx.await {
                Ok(Ok(seq)) => Ok(seq),
                Ok(Err(reason)) => Err(LedgerError::Closed(format!("record refused: {reason}"))),
                Err(_) => Err(LedgerError::Closed("writer dropped the record".into())),
            }
        })
    }

    /// Queues a record without waiting for its block (waits only when the queue is full).
    pub async fn submit(&self, level: Level, message: String) -> Result<()> {
        self.send(level, message, None).await
    }

    /// Seals everything queued so far; returns the head (height, hash).
    pub async fn flush(&self) -> Result<Option<(u64, Hash)>> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Flush(tx))
            .map_err(|_| LedgerError::Closed("writer thread has exited".into()))?;
        match rx.await {
            Ok(result) => result.map_err(LedgerError::Closed),
            Err(_) => Err(LedgerError::Closed("writer stopped during flush".into())),
        }
    }

    /// Seals what is queued and stops the writer thread.
    pub async fn shutdown(&self) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Stop(tx)).is_ok() {
            let _ = rx.await;
        }
        let thread = self.thread.lock().map_or(None, |mut slot| slot.take());
        if let Some(thread) = thread {
            tokio::task::spawn_blocking(move || thread.join())
                .await
                .map_err(|e| LedgerError::Closed(format!("failed to join writer: {e}")))?
                .map_err(|_| LedgerError::Closed("writer thread panicked".into()))?;
        }
        Ok(())
    }

    /// Current counters.
    pub fn stats(&self) -> WriterStats {
        let c = &self.counters;
        WriterStats {
            blocks: c.blocks.load(Ordering::Relaxed),
            records: c.records.load(Ordering::Relaxed),
            write_errors: c.write_errors.load(Ordering::Relaxed),
            anchors: c.anchors.load(Ordering::Relaxed),
            anchor_errors: c.anchor_errors.load(Ordering::Relaxed),
        }
    }
}
