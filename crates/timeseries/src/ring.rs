//! Bucketed series that survive reorgs: settled buckets in a fixed-size ring (`f32` value and
//! a count per bucket, `NaN` = empty) plus the contributions of recent blocks kept apart
//! until they are deeper than the reorg horizon, so a reverted block can be taken out.

use std::collections::VecDeque;

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};

/// How a bucket combines its observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// The largest value (priority fees).
    Max,
    /// The mean (prices).
    Mean,
}

/// One block's contribution to one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Block hash.
    pub block: B256,
    /// Block number.
    pub number: u64,
    /// Bucket index.
    pub bucket: u64,
    /// Max of the values (Max) or their sum (Mean).
    pub value: f64,
    /// Number of values.
    pub count: u32,
}

/// A window of buckets ending at the newest one seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketRing {
    aggregate: Aggregate,
    capacity: usize,
    /// Bucket index of `values[0]`.
    first: u64,
    #[serde(with = "crate::state::f32_vec")]
    values: VecDeque<f32>,
    #[serde(with = "crate::state::u16_vec")]
    counts: VecDeque<u16>,
    pending: Vec<Contribution>,
}

impl BucketRing {
    /// An empty ring of `capacity` buckets.
    pub fn new(aggregate: Aggregate, capacity: usize) -> Self {
        Self {
            aggregate,
            capacity: capacity.max(1),
            first: 0,
            values: VecDeque::new(),
            counts: VecDeque::new(),
            pending: Vec::new(),
        }
    }

    /// Buckets the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Index of the newest bucket, if any.
    pub fn last_bucket(&self) -> Option<u64> {
        let newest_settled =
            (!self.values.is_empty()).then(|| self.first + self.values.len() as u64 - 1);
        let newest_pending = self.pending.iter().map(|c| c.bucket).max();
        newest_settled.max(newest_pending)
    }

    /// Whether `bucket` is too old to be kept.
    pub fn is_stale(&self, bucket: u64) -> bool {
        self.last_bucket().is_some_and(|last| bucket + self.capacity as u64 <= last)
    }

    /// Adds an observation from `block` (number `number`) to `bucket`. Returns false (and
    /// keeps nothing) when the bucket is older than the window.
    pub fn add(&mut self, block: B256, number: u64, bucket: u64, value: f64) -> bool {
        if !value.is_finite() || self.is_stale(bucket) {
            return false;
        }
        // Stored as it will be once settled, so settling never changes a bucket's value.
        let value = value as f32 as f64;
        if let Some(c) = self.pending.iter_mut().find(|c| c.block == block && c.bucket == bucket) {
            match self.aggregate {
                Aggregate::Max => c.value = c.value.max(value),
                Aggregate::Mean => c.value += value,
            }
            c.count += 1;
        } else {
            self.pending.push(Contribution { block, number, bucket, value, count: 1 });
        }
        true
    }

    /// Removes what `block` contributed; returns whether it contributed anything.
    pub fn revert(&mut self, block: B256) -> bool {
        let before = self.pending.len();
        self.pending.retain(|c| c.block != block);
        before != self.pending.len()
    }

    /// Folds contributions of blocks at or below `final_number` into the settled buckets.
    pub fn settle(&mut self, final_number: u64) {
        if self.pending.iter().all(|c| c.number > final_number) {
            return;
        }
        let (done, keep): (Vec<_>, Vec<_>) =
            self.pending.drain(..).partition(|c| c.number <= final_number);
        self.pending = keep;
        for c in done {
            self.fold(c);
        }
    }

    fn fold(&mut self, c: Contribution) {
        if self.values.is_empty() {
            self.first = c.bucket;
        }
        if c.bucket < self.first {
            let missing = (self.first - c.bucket) as usize;
            if missing + self.values.len() > self.capacity {
                return;
            }
            for _ in 0..missing {
                self.values.push_front(f32::NAN);
                self.counts.push_front(0);
            }
            self.first = c.bucket;
        }
        let mut idx = (c.bucket - self.first) as usize;
        while idx >= self.values.len() {
            self.values.push_back(f32::NAN);
            self.counts.push_back(0);
        }
        while self.values.len() > self.capacity {
            self.values.pop_front();
            self.counts.pop_front();
            self.first += 1;
            idx -= 1;
        }
        let (old, n) = (self.values[idx], self.counts[idx]);
        let merged = match (self.aggregate, n) {
            (_, 0) => match self.aggregate {
                Aggregate::Max => c.value,
                Aggregate::Mean => c.value / c.count as f64,
            },
            (Aggregate::Max, _) => (old as f64).max(c.value),
            (Aggregate::Mean, _) => (old as f64 * n as f64 + c.value) / (n as f64 + c.count as f64),
        };
        self.values[idx] = merged as f32;
        self.counts[idx] = n.saturating_add(c.count.min(u16::MAX as u32) as u16);
    }

    /// The value of `bucket` (settled and pending together), `NaN` if empty.
    pub fn value(&self, bucket: u64) -> f64 {
        let (mut value, mut count) = (f64::NAN, 0.0);
        if bucket >= self.first && ((bucket - self.first) as usize) < self.values.len() {
            let i = (bucket - self.first) as usize;
            if self.counts[i] > 0 {
                value = self.values[i] as f64;
                count = self.counts[i] as f64;
            }
        }
        for c in self.pending.iter().filter(|c| c.bucket == bucket) {
            value = match (self.aggregate, count > 0.0) {
                (Aggregate::Max, true) => value.max(c.value),
                (Aggregate::Max, false) => c.value,
                (Aggregate::Mean, true) => (value * count + c.value) / (count + c.count as f64),
                (Aggregate::Mean, false) => c.value / c.count as f64,
            };
            count += c.count as f64;
        }
        value
    }

    /// The `len` buckets ending just before `end` (exclusive), `NaN` where empty.
    pub fn window(&self, end: u64, len: usize) -> Vec<f64> {
        let start = end.saturating_sub(len as u64);
        (start..end).map(|b| self.value(b)).collect()
    }

    /// Every non-empty bucket in the window as `(bucket, value)`, oldest first.
    pub fn points(&self) -> Vec<(u64, f64)> {
        let Some(last) = self.last_bucket() else { return Vec::new() };
        let oldest = self
            .pending
            .iter()
            .map(|c| c.bucket)
            .chain((!self.values.is_empty()).then_some(self.first));
        let start = last.saturating_sub(self.capacity as u64 - 1).max(oldest.min().unwrap_or(last));
        (start..=last).map(|b| (b, self.value(b))).filter(|(_, v)| v.is_finite()).collect()
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * 4
            + self.counts.capacity() * 2
            + self.pending.capacity() * std::mem::size_of::<Contribution>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverted_blocks_leave_no_trace_and_settled_ones_stay() {
        let (a, b) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let mut ring = BucketRing::new(Aggregate::Mean, 10);
        assert!(ring.add(a, 1, 100, 2.0));
        assert!(ring.add(b, 2, 100, 4.0));
        assert_eq!(ring.value(100), 3.0);
        assert!(ring.revert(b));
        assert_eq!(ring.value(100), 2.0);
        ring.settle(1);
        assert!(!ring.revert(a));
        assert_eq!(ring.value(100), 2.0);
        assert!(ring.add(b, 3, 105, 6.0));
        ring.settle(3);
        let w = ring.window(106, 3);
        assert!(w[0].is_nan() && w[1].is_nan());
        assert_eq!(w[2], 6.0);
        assert!(ring.add(b, 4, 120, 1.0));
        ring.settle(4);
        assert!(ring.is_stale(105));
        assert_eq!(ring.points().len(), 1);
    }

    #[test]
    fn max_buckets_keep_the_largest() {
        let mut ring = BucketRing::new(Aggregate::Max, 4);
        ring.add(B256::ZERO, 1, 7, 3.0);
        ring.add(B256::ZERO, 1, 7, 9.0);
        ring.add(B256::repeat_byte(9), 2, 7, 5.0);
        assert_eq!(ring.value(7), 9.0);
        ring.settle(2);
        assert_eq!(ring.value(7), 9.0);
    }
}
