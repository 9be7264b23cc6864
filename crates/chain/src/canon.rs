use std::collections::BTreeMap;

use vigil_types::{B256, BlockRef};

/// The recent canonical chain as vigil has committed it, for reorg detection.
#[derive(Debug, Default)]
pub(crate) struct Canon {
    blocks: BTreeMap<u64, B256>,
    depth: usize,
}

impl Canon {
    pub(crate) fn new(depth: usize) -> Self {
        Self { blocks: BTreeMap::new(), depth: depth.max(2) }
    }

    /// The highest committed block number.
    pub(crate) fn head(&self) -> Option<u64> {
        self.blocks.keys().next_back().copied()
    }

    pub(crate) fn hash(&self, number: u64) -> Option<B256> {
        self.blocks.get(&number).copied()
    }

    /// Removes and returns the committed head (to revert it).
    pub(crate) fn pop(&mut self) -> Option<BlockRef> {
        self.blocks.pop_last().map(|(number, hash)| BlockRef { number, hash })
    }

    pub(crate) fn commit(&mut self, number: u64, hash: B256) {
        self.blocks.insert(number, hash);
        while self.blocks.len() > self.depth {
            self.blocks.pop_first();
        }
    }
}

/// The decision for a fetched block at `number` with `parent`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// We already committed this very block: nothing to do.
    Known,
    /// Our head is at or above `number` with another block: revert it first.
    RevertHead,
    /// Our block `number - 1` is not this block's parent: revert it and re-fetch from there.
    RevertParent,
    /// Fits on top: commit.
    Commit,
}

impl Canon {
    pub(crate) fn step(&self, number: u64, hash: B256, parent: B256) -> Step {
        match self.head() {
            Some(head) if head >= number && self.hash(number) == Some(hash) => Step::Known,
            Some(head) if head >= number => Step::RevertHead,
            Some(head) if head + 1 == number && self.hash(head) != Some(parent) => {
                Step::RevertParent
            }
            _ => Step::Commit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> B256 {
        B256::repeat_byte(n)
    }

    #[test]
    fn detects_a_changed_parent_and_a_replaced_head() {
        let mut canon = Canon::new(8);
        canon.commit(1, h(1));
        canon.commit(2, h(2));
        assert_eq!(canon.step(3, h(3), h(2)), Step::Commit);
        assert_eq!(canon.step(3, h(3), h(9)), Step::RevertParent);
        assert_eq!(canon.step(2, h(2), h(1)), Step::Known);
        assert_eq!(canon.step(2, h(7), h(1)), Step::RevertHead);
        assert_eq!(canon.pop(), Some(BlockRef { number: 2, hash: h(2) }));
        assert_eq!(canon.step(2, h(7), h(1)), Step::Commit);
    }

    #[test]
    fn keeps_only_the_configured_depth() {
        let mut canon = Canon::new(3);
        for n in 0..10 {
            canon.commit(n, h(n as u8));
        }
        assert_eq!(canon.hash(6), None);
        assert_eq!(canon.hash(7), Some(h(7)));
        assert_eq!(canon.head(), Some(9));
    }
}
