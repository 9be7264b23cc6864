//! The compact tree evaluator: one tree as flat arrays, children of a node stored next to each
//! other, so evaluating a row is a short loop over a few cache lines with no pointers.

use serde::{Deserialize, Serialize};

/// Marks a leaf in [`Tree::feature`].
pub const LEAF: u16 = u16::MAX;

/// A binary decision tree in flat arrays. Node 0 is the root; an internal node `i` sends a
/// row to `left[i]` when `x[feature[i]] <= threshold[i]`, else to `left[i] + 1`. `value[i]`
/// is the model output the node would give as a leaf (used for explanations).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Split feature per node; [`LEAF`] for leaves.
    pub feature: Vec<u16>,
    /// Split threshold per node (unused for leaves).
    pub threshold: Vec<f32>,
    /// Index of the left child (the right child follows it); 0 for leaves.
    pub left: Vec<u32>,
    /// Output per node.
    pub value: Vec<f32>,
}

impl Tree {
    /// Nodes in the tree.
    pub fn len(&self) -> usize {
        self.feature.len()
    }

    /// True for a tree without nodes (never produced by training).
    pub fn is_empty(&self) -> bool {
        self.feature.is_empty()
    }

    /// Index of the leaf `x` falls into.
    #[inline]
    pub fn leaf(&self, x: &[f32]) -> usize {
        let mut i = 0usize;
        loop {
            let f = self.feature[i];
            if f == LEAF {
                return i;
            }
            let go_right = x[usize::from(f)] > self.threshold[i];
            i = self.left[i] as usize + usize::from(go_right);
        }
    }

    /// The tree's output for `x`.
    #[inline]
    pub fn predict(&self, x: &[f32]) -> f32 {
        self.value[self.leaf(x)]
    }

    /// Adds to `contributions[f]` the change in node value at every split on `f` along the
    /// path of `x` (Saabas): root value + Σ contributions = leaf value. Returns the leaf value.
    #[inline]
    pub fn explain(&self, x: &[f32], contributions: &mut [f32]) -> f32 {
        let mut i = 0usize;
        loop {
            let f = self.feature[i];
            if f == LEAF {
                return self.value[i];
            }
            let go_right = x[usize::from(f)] > self.threshold[i];
            let next = self.left[i] as usize + usize::from(go_right);
            contributions[usize::from(f)] += self.value[next] - self.value[i];
            i = next;
        }
    }

    /// Checks the structure: arrays of one length, children in range and after their parent,
    /// features below `features`, finite numbers. Returns a description of the first problem.
    pub fn validate(&self, features: usize) -> Result<(), String> {
        let n = self.feature.len();
        if n == 0 {
            return Err("tree has no nodes".into());
        }
        if self.threshold.len() != n || self.left.len() != n || self.value.len() != n {
            return Err("tree arrays differ in length".into());
        }
        for i in 0..n {
            if !self.value[i].is_finite() {
                return Err(format!("node {i} has a non-finite value"));
            }
            if self.feature[i] == LEAF {
                continue;
            }
            let left = self.left[i] as usize;
            if usize::from(self.feature[i]) >= features {
                return Err(format!(
                    "node {i} splits on feature {} of {features}",
                    self.feature[i]
                ));
            }
            if left <= i || left + 1 >= n {
                return Err(format!("node {i} has children out of range"));
            }
            if self.threshold[i].is_nan() {
                return Err(format!("node {i} has a NaN threshold"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x0 <= 1 ? 0.1 : (x1 <= 5 ? 0.6 : 0.9)
    fn sample() -> Tree {
        Tree {
            feature: vec![0, LEAF, 1, LEAF, LEAF],
            threshold: vec![1.0, 0.0, 5.0, 0.0, 0.0],
            left: vec![1, 0, 3, 0, 0],
            value: vec![0.5, 0.1, 0.75, 0.6, 0.9],
        }
    }

    #[test]
    fn evaluates_and_explains_paths() {
        let t = sample();
        t.validate(2).expect("valid");
        assert_eq!(t.predict(&[0.0, 9.0]), 0.1);
        assert_eq!(t.predict(&[2.0, 4.0]), 0.6);
        let mut c = [0.0; 2];
        let out = t.explain(&[2.0, 9.0], &mut c);
        assert_eq!(out, 0.9);
        assert!((0.5 + c[0] + c[1] - 0.9).abs() < 1e-6);
        assert!((c[0] - 0.25).abs() < 1e-6 && (c[1] - 0.15).abs() < 1e-6);
    }

    #[test]
    fn rejects_broken_structure() {
        let mut t = sample();
        t.left[2] = 9;
        assert!(t.validate(2).is_err());
        let mut t = sample();
        t.feature[0] = 7;
        assert!(t.validate(2).is_err());
        assert!(Tree::default().validate(2).is_err());
    }
}
