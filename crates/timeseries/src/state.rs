//! What the detectors export for persistence and metrics, and the handle the binary holds
//! while the detector itself runs inside the engine.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex, MutexGuard},
};

use serde::{Deserialize, Serialize};
use vigil_types::Address;

/// One persisted series: a stable key (`fee:0x…`, `pool:0x…`), the series time of its
/// latest observation, and the series with its fitted parameters as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesState {
    /// Stable key within the analyzer.
    pub key: String,
    /// Unix ms of the latest observation.
    pub updated_at: u64,
    /// The series as JSON text.
    pub body: String,
}

/// Counters of a detector: inputs seen, skipped (by reason), refits, findings.
pub type DetectorStats = BTreeMap<String, u64>;

/// What a detector's shared state offers to its handle.
pub(crate) trait Exporter: Send + Sync {
    fn export(&self, only_dirty: bool) -> Vec<SeriesState>;
    fn stats(&self) -> DetectorStats;
}

/// A cloneable handle on a running detector's state: the binary persists through it on a
/// schedule and at shutdown, and reads counters for metrics. Taking a snapshot holds the
/// detector's lock only while the changed series are copied.
#[derive(Clone)]
pub struct SeriesHandle {
    analyzer: String,
    inner: Arc<dyn Exporter>,
}

impl std::fmt::Debug for SeriesHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeriesHandle").field("analyzer", &self.analyzer).finish_non_exhaustive()
    }
}

impl SeriesHandle {
    pub(crate) fn new(analyzer: &str, inner: Arc<dyn Exporter>) -> Self {
        Self { analyzer: analyzer.to_owned(), inner }
    }

    /// The analyzer id the series belong to.
    pub fn analyzer(&self) -> &str {
        &self.analyzer
    }

    /// Every live series.
    pub fn snapshot(&self) -> Vec<SeriesState> {
        self.inner.export(false)
    }

    /// The series changed since the last call (or since start), marking them clean.
    pub fn take_dirty(&self) -> Vec<SeriesState> {
        self.inner.export(true)
    }

    /// Current counters.
    pub fn stats(&self) -> DetectorStats {
        self.inner.stats()
    }
}

/// One series of a detector, as far as persistence is concerned.
pub(crate) trait PersistedSeries: Clone + Serialize {
    /// The stable key (`fee:0x…`, `pool:0x…`).
    fn persisted_key(&self) -> String;
    /// Unix ms of its latest observation.
    fn last_seen(&self) -> u64;
    /// Changed since it was last exported.
    fn dirty_flag(&mut self) -> &mut bool;
}

/// A detector's state: its series by address and its counters.
pub(crate) trait DetectorState: Send {
    type Series: PersistedSeries;
    fn series_map(&mut self) -> &mut HashMap<Address, Self::Series>;
    fn counters(&self) -> &Counters;
}

impl<T: DetectorState> Exporter for Mutex<T> {
    fn export(&self, only_dirty: bool) -> Vec<SeriesState> {
        // Copy under the lock, encode after it: the detector waits only for the copy.
        let picked: Vec<T::Series> = {
            let mut state = lock(self);
            state
                .series_map()
                .values_mut()
                .filter_map(|s| {
                    let dirty = s.dirty_flag();
                    if only_dirty && !*dirty {
                        return None;
                    }
                    *dirty = false;
                    Some(s.clone())
                })
                .collect()
        };
        picked
            .into_iter()
            .filter_map(|s| {
                let body = serde_json::to_string(&s).ok()?;
                Some(SeriesState { key: s.persisted_key(), updated_at: s.last_seen(), body })
            })
            .collect()
    }

    fn stats(&self) -> DetectorStats {
        let mut state = lock(self);
        let live = state.series_map().len() as u64;
        let mut out = state.counters().0.clone();
        out.insert("series_live".into(), live);
        out
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the state is only
/// ever replaced whole, so it stays consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counter map with static names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counters(pub(crate) BTreeMap<String, u64>);

impl Counters {
    pub(crate) fn bump(&mut self, name: &str) {
        self.add(name, 1);
    }

    pub(crate) fn add(&mut self, name: &str, n: u64) {
        if let Some(v) = self.0.get_mut(name) {
            *v += n;
        } else {
            self.0.insert(name.to_owned(), n);
        }
    }
}

macro_rules! packed {
    ($name:ident, $ty:ty, $size:expr) => {
        /// Serde for a deque of numbers as base64 of their little-endian bytes.
        pub(crate) mod $name {
            use std::collections::VecDeque;

            use base64::{Engine, engine::general_purpose::STANDARD};
            use serde::{Deserialize, Deserializer, Serializer, de::Error};

            pub(crate) fn serialize<S: Serializer>(
                values: &VecDeque<$ty>,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                let mut bytes = Vec::with_capacity(values.len() * $size);
                for v in values {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                s.serialize_str(&STANDARD.encode(bytes))
            }

            pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
                d: D,
            ) -> Result<VecDeque<$ty>, D::Error> {
                let text = String::deserialize(d)?;
                let bytes = STANDARD.decode(text.as_bytes()).map_err(D::Error::custom)?;
                if bytes.len() % $size != 0 {
                    return Err(D::Error::custom("packed numbers of the wrong length"));
                }
                Ok(bytes
                    .chunks_exact($size)
                    .map(|c| {
                        let mut raw = [0u8; $size];
                        raw.copy_from_slice(c);
                        <$ty>::from_le_bytes(raw)
                    })
                    .collect())
            }
        }
    };
}

packed!(f32_vec, f32, 4);
packed!(u16_vec, u16, 2);
