//! The evaluator the classifier runs: every tree of an ensemble packed into one array of
//! 12-byte nodes (threshold, child index, feature) with absolute child indices, so a row
//! walks a few cache lines per tree and never chases a pointer. Built once when a model is
//! loaded; it must agree exactly with [`Tree::predict`](crate::Tree::predict) (tested).

use crate::{Ensemble, EnsembleKind, tree::LEAF};

#[derive(Debug, Clone, Copy)]
struct Node {
    threshold: f32,
    /// Absolute index of the left child; the right child follows it.
    left: u32,
    feature: u16,
}

/// A packed, read-only ensemble.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    kind: EnsembleKind,
    base: f32,
    nodes: Vec<Node>,
    values: Vec<f32>,
    roots: Vec<u32>,
}

impl Compiled {
    pub(crate) fn new(ensemble: &Ensemble) -> Self {
        let total = ensemble.nodes();
        let mut nodes = Vec::with_capacity(total);
        let mut values = Vec::with_capacity(total);
        let mut roots = Vec::with_capacity(ensemble.trees.len());
        for tree in &ensemble.trees {
            let offset = nodes.len() as u32;
            roots.push(offset);
            for i in 0..tree.len() {
                nodes.push(Node {
                    threshold: tree.threshold[i],
                    left: offset + tree.left[i],
                    feature: tree.feature[i],
                });
                values.push(tree.value[i]);
            }
        }
        Self { kind: ensemble.kind, base: ensemble.base, nodes, values, roots }
    }

    #[inline]
    fn leaf(&self, root: u32, x: &[f32]) -> usize {
        let mut i = root as usize;
        loop {
            let node = self.nodes[i];
            if node.feature == LEAF {
                return i;
            }
            let go_right = x[usize::from(node.feature)] > node.threshold;
            i = node.left as usize + usize::from(go_right);
        }
    }

    /// Raw output (probability for forests, log-odds for boosting).
    #[inline]
    pub(crate) fn raw(&self, x: &[f32]) -> f32 {
        let sum: f32 = self.roots.iter().map(|r| self.values[self.leaf(*r, x)]).sum();
        match self.kind {
            EnsembleKind::RandomForest => sum / self.roots.len().max(1) as f32,
            EnsembleKind::GradientBoosting => self.base + sum,
        }
    }

    /// Raw output, bias and per-feature contributions (added into `contributions`).
    pub(crate) fn explain(&self, x: &[f32], contributions: &mut [f32]) -> (f32, f32) {
        let (mut raw, mut bias) = (0f32, 0f32);
        for root in &self.roots {
            let mut i = *root as usize;
            bias += self.values[i];
            loop {
                let node = self.nodes[i];
                if node.feature == LEAF {
                    raw += self.values[i];
                    break;
                }
                let go_right = x[usize::from(node.feature)] > node.threshold;
                let next = node.left as usize + usize::from(go_right);
                contributions[usize::from(node.feature)] += self.values[next] - self.values[i];
                i = next;
            }
        }
        match self.kind {
            EnsembleKind::RandomForest => {
                let n = self.roots.len().max(1) as f32;
                contributions.iter_mut().for_each(|c| *c /= n);
                (raw / n, bias / n)
            }
            EnsembleKind::GradientBoosting => (raw + self.base, bias + self.base),
        }
    }
}
