//! Gradient boosting on the logistic loss: shallow trees fitted to the loss's gradients with
//! Newton leaf weights, shrunk by the learning rate, on a random share of rows per round.

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use crate::{
    Ensemble, EnsembleKind,
    cart::{Binned, GrowParams, grow},
};

/// Gradient boosting settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BoostingParams {
    /// Boosting rounds (trees).
    pub trees: usize,
    /// Deepest split level.
    pub max_depth: usize,
    /// Shrinkage of every tree's output.
    pub learning_rate: f64,
    /// L2 penalty on leaf weights.
    pub lambda: f64,
    /// Least Hessian sum in a leaf (XGBoost's `min_child_weight`).
    pub min_hessian: f64,
    /// Share of rows each round sees.
    pub subsample: f64,
    /// Seed of the row sampling.
    pub seed: u64,
}

impl Default for BoostingParams {
    fn default() -> Self {
        Self {
            trees: 150,
            max_depth: 4,
            learning_rate: 0.15,
            lambda: 1.0,
            min_hessian: 0.5,
            subsample: 0.8,
            seed: 7,
        }
    }
}

/// Trains a boosted ensemble on row-major `x` with labels `y` (0/1) and weights `w`.
pub(crate) fn fit(
    data: &Binned,
    x: &[f32],
    y: &[f32],
    w: &[f32],
    params: &BoostingParams,
    mut progress: impl FnMut(usize),
) -> Ensemble {
    let n = data.rows;
    let f = data.features;
    let positive: f64 = y.iter().zip(w).map(|(y, w)| f64::from(y * w)).sum();
    let total: f64 = w.iter().map(|w| f64::from(*w)).sum();
    let share = (positive / total.max(f64::MIN_POSITIVE)).clamp(1e-6, 1.0 - 1e-6);
    let base = (share / (1.0 - share)).ln() as f32;
    let grow_params = GrowParams {
        max_depth: params.max_depth,
        min_leaf: 1,
        min_hessian: params.min_hessian,
        lambda: params.lambda,
        min_gain: 1e-9,
        features_per_node: f,
        value_scale: -params.learning_rate,
    };
    let mut rng = StdRng::seed_from_u64(params.seed);
    let mut raw = vec![base; n];
    let mut g = vec![0f32; n];
    let mut h = vec![0f32; n];
    let mut trees = Vec::with_capacity(params.trees);
    for t in 0..params.trees {
        let mut rows = Vec::with_capacity(n);
        for r in 0..n {
            let p = 1.0 / (1.0 + (-raw[r]).exp());
            g[r] = w[r] * (p - y[r]);
            h[r] = w[r] * (p * (1.0 - p)).max(1e-6);
            if params.subsample >= 1.0 || rng.random::<f64>() < params.subsample {
                rows.push(r as u32);
            }
        }
        let tree = grow(data, &g, &h, &mut rows, &grow_params, &mut rng);
        for r in 0..n {
            raw[r] += tree.predict(&x[r * f..(r + 1) * f]);
        }
        trees.push(tree);
        progress(t + 1);
    }
    Ensemble { kind: EnsembleKind::GradientBoosting, base, trees }
}
