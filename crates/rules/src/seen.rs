use std::collections::{HashSet, VecDeque};

use vigil_types::B256;

/// A bounded set of hashes; the oldest are forgotten first.
#[derive(Debug)]
pub(crate) struct SeenHashes {
    set: HashSet<B256>,
    order: VecDeque<B256>,
    capacity: usize,
}

impl SeenHashes {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { set: HashSet::new(), order: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Records `hash`; false if it was already there.
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
