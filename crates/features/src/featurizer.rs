//! [`Featurizer`]: the one stateful piece — a [`TrafficHistory`] fed transaction by
//! transaction, with the pure [`extract`] in between. Training and live inference both go
//! through it, in `seen_at` order, so they compute exactly the same vectors.

use vigil_types::{TxInfo, UnixMillis};

use crate::{CodeSummary, FeatureVector, HistoryLimits, TrafficHistory, extract};

/// Computes feature vectors for a stream of transactions.
#[derive(Debug, Clone, Default)]
pub struct Featurizer {
    history: TrafficHistory,
}

impl Featurizer {
    /// A featurizer with an empty history and the given memory limits.
    pub fn new(limits: HistoryLimits) -> Self {
        Self { history: TrafficHistory::new(limits) }
    }

    /// The features of `tx` seen at `seen_at`, then adds it to the history. Transactions must
    /// come in the order they were seen.
    pub fn featurize(&mut self, tx: &TxInfo, seen_at: UnixMillis) -> FeatureVector {
        let own_code = tx.to.is_none().then(|| CodeSummary::scan(&tx.input));
        let vector = {
            let ctx = self.history.context(tx, seen_at, own_code.as_ref());
            extract(tx, &ctx)
        };
        self.history.observe(tx, seen_at, own_code.as_ref());
        vector
    }

    /// Adds `tx` to the history without computing its features (a transaction seen only once
    /// mined, say, that still counts as the sender's activity).
    pub fn observe(&mut self, tx: &TxInfo, seen_at: UnixMillis) {
        let own_code = tx.to.is_none().then(|| CodeSummary::scan(&tx.input));
        self.history.observe(tx, seen_at, own_code.as_ref());
    }

    /// The history, for inspection.
    pub fn history(&self) -> &TrafficHistory {
        &self.history
    }
}
