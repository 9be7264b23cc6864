//! A bounded set of transaction hashes already judged (oldest forgotten first).

use std::collections::{HashSet, VecDeque};

use alloy_primitives::B256;

#[derive(Debug, Clone)]
pub(crate) struct SeenTx {
    set: HashSet<B256>,
    order: VecDeque<B256>,
    capacity: usize,
}

impl SeenTx {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { set: HashSet::new(), order: VecDeque::new(), capacity: capacity.max(1) }
    }

    pub(crate) fn contains(&self, hash: &B256) -> bool {
        self.set.contains(hash)
    }

    /// Remembers `hash`; returns false if it was already known.
    pub(crate) fn insert(&mut self, hash: B256) -> bool {
        if !self.set.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}
