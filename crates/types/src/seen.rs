//! A bounded set of hashes already handled, shared by sources and analyzers that must report
//! each transaction once without growing without bound.

use std::collections::{HashSet, VecDeque};

use alloy_primitives::B256;

/// Hashes seen so far, at most `capacity`; the oldest are forgotten first.
#[derive(Debug, Clone)]
pub struct SeenHashes {
    set: HashSet<B256>,
    order: VecDeque<B256>,
    capacity: usize,
}

impl SeenHashes {
    /// An empty set that remembers at most `capacity` hashes (at least one).
    pub fn new(capacity: usize) -> Self {
        Self { set: HashSet::new(), order: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Whether `hash` is remembered.
    pub fn contains(&self, hash: &B256) -> bool {
        self.set.contains(hash)
    }

    /// Records `hash`; false if it was already there.
    pub fn insert(&mut self, hash: B256) -> bool {
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

    /// How many hashes are remembered.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_once_and_forgets_the_oldest_first() {
        let mut seen = SeenHashes::new(2);
        let h = |n: u8| B256::repeat_byte(n);
        assert!(seen.insert(h(1)) && seen.insert(h(2)));
        assert!(!seen.insert(h(1)), "already there");
        assert!(seen.insert(h(3)));
        assert_eq!(seen.len(), 2);
        assert!(!seen.contains(&h(1)) && seen.contains(&h(2)) && seen.contains(&h(3)));
    }
}
