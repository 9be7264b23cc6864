//! `--record-events`: tees every event a source produces into a JSONL file, the input format
//! of `vigil replay --events`.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    sync::{Arc, Mutex},
};

use futures::StreamExt;
use vigil_pipeline::{EventStream, Source};

/// A shared JSONL writer for events.
#[derive(Clone)]
pub(crate) struct EventRecorder(Arc<Mutex<BufWriter<File>>>);

impl EventRecorder {
    pub(crate) fn create(path: &Path) -> anyhow::Result<Self> {
        let file = File::create(path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        Ok(Self(Arc::new(Mutex::new(BufWriter::new(file)))))
    }

    /// Wraps `source` so its events are recorded as they pass.
    pub(crate) fn wrap(&self, source: Box<dyn Source>) -> Box<dyn Source> {
        Box::new(Recorded { inner: source, recorder: self.clone() })
    }

    fn write(&self, line: &[u8]) {
        if let Ok(mut out) = self.0.lock() {
            let written =
                out.write_all(line).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush());
            if let Err(e) = written {
                tracing::warn!("failed to record event: {e}");
            }
        }
    }
}

struct Recorded {
    inner: Box<dyn Source>,
    recorder: EventRecorder,
}

impl Source for Recorded {
    fn id(&self) -> &str {
        self.inner.id()
    }

    fn events(self: Box<Self>) -> EventStream {
        let recorder = self.recorder;
        self.inner
            .events()
            .inspect(move |item| {
                if let Ok(event) = item {
                    match serde_json::to_vec(event) {
                        Ok(line) => recorder.write(&line),
                        Err(e) => tracing::warn!("failed to encode event for recording: {e}"),
                    }
                }
            })
            .boxed()
    }
}
