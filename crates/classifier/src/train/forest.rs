//! Random forest: bootstrap samples, a random subset of features per node, deep trees whose
//! leaves hold the weighted share of attacks; the forest averages them.

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use crate::{
    Ensemble, EnsembleKind,
    cart::{Binned, GrowParams, grow},
};

/// Random forest settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForestParams {
    /// Trees in the forest.
    pub trees: usize,
    /// Deepest split level.
    pub max_depth: usize,
    /// Least bootstrap rows in a leaf.
    pub min_leaf: usize,
    /// Features tried per node; `0` = √(feature count).
    pub features_per_node: usize,
    /// Seed of the bootstrap and feature sampling.
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self { trees: 100, max_depth: 12, min_leaf: 2, features_per_node: 0, seed: 7 }
    }
}

/// Trains a forest on row-major `x` with labels `y` (0/1) and weights `w`.
pub(crate) fn fit(
    data: &Binned,
    y: &[f32],
    w: &[f32],
    params: &ForestParams,
    mut progress: impl FnMut(usize),
) -> Ensemble {
    let features_per_node = match params.features_per_node {
        0 => (data.features as f64).sqrt().round() as usize,
        n => n,
    };
    let grow_params = GrowParams {
        max_depth: params.max_depth,
        min_leaf: params.min_leaf.max(1),
        min_hessian: 0.0,
        lambda: 0.0,
        min_gain: 1e-12,
        features_per_node,
        value_scale: 1.0,
    };
    let n = data.rows;
    let mut rng = StdRng::seed_from_u64(params.seed);
    let mut counts = vec![0u32; n];
    let mut g = vec![0f32; n];
    let mut h = vec![0f32; n];
    let mut trees = Vec::with_capacity(params.trees);
    for t in 0..params.trees {
        counts.fill(0);
        for _ in 0..n {
            counts[rng.random_range(0..n)] += 1;
        }
        let mut rows = Vec::with_capacity(n);
        for r in 0..n {
            let c = counts[r] as f32;
            g[r] = y[r] * w[r] * c;
            h[r] = w[r] * c;
            if counts[r] > 0 {
                rows.push(r as u32);
            }
        }
        trees.push(grow(data, &g, &h, &mut rows, &grow_params, &mut rng));
        progress(t + 1);
    }
    Ensemble { kind: EnsembleKind::RandomForest, base: 0.0, trees }
}
