//! Growing one regression tree on pre-binned features from per-row gradient statistics.
//!
//! Both ensembles use the same grower: a random forest passes `g = y·w, h = w` with λ = 0, for
//! which the gain `G_L²/H_L + G_R²/H_R − G²/H` is the reduction in squared error (Gini for a
//! 0/1 label) and the node value `G/H` the weighted share of positives; gradient boosting
//! passes the logistic loss's gradients and Hessians with λ > 0 and gets Newton leaf weights
//! `−G/(H+λ)`. Split search uses histograms over at most [`MAX_BINS`] quantile bins per feature.

use rand::{Rng, rngs::StdRng};

use crate::tree::{LEAF, Tree};

/// Most bins per feature.
pub(crate) const MAX_BINS: usize = 64;

/// The training matrix, binned once: `bins[f * rows + r]`; bin `b < edges[f].len()` holds
/// values `<= edges[f][b]`, the last bin the values above every edge.
#[derive(Debug, Clone)]
pub(crate) struct Binned {
    pub(crate) rows: usize,
    pub(crate) features: usize,
    bins: Vec<u8>,
    edges: Vec<Vec<f32>>,
}

impl Binned {
    /// Bins `x` (row-major, `features` columns).
    pub(crate) fn new(x: &[f32], features: usize) -> Self {
        let rows = x.len() / features.max(1);
        let mut bins = vec![0u8; rows * features];
        let mut edges = Vec::with_capacity(features);
        for f in 0..features {
            let mut column: Vec<f32> = (0..rows).map(|r| x[r * features + f]).collect();
            column.sort_by(f32::total_cmp);
            let mut distinct = column.clone();
            distinct.dedup();
            let cuts: Vec<f32> = if distinct.len() <= MAX_BINS {
                distinct.windows(2).map(|w| w[0] + (w[1] - w[0]) / 2.0).collect()
            } else {
                let mut cuts: Vec<f32> = (1..MAX_BINS)
                    .filter_map(|k| {
                        let v = column[k * rows / MAX_BINS];
                        let i = distinct.partition_point(|d| *d <= v);
                        distinct.get(i).map(|next| v + (next - v) / 2.0)
                    })
                    .collect();
                cuts.dedup();
                cuts
            };
            for r in 0..rows {
                let v = x[r * features + f];
                bins[f * rows + r] = cuts.partition_point(|c| *c < v) as u8;
            }
            edges.push(cuts);
        }
        Self { rows, features, bins, edges }
    }

    fn bin(&self, f: usize, r: u32) -> usize {
        usize::from(self.bins[f * self.rows + r as usize])
    }
}

/// How a tree grows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrowParams {
    pub(crate) max_depth: usize,
    /// Least rows in a leaf.
    pub(crate) min_leaf: usize,
    /// Least Hessian sum in a leaf.
    pub(crate) min_hessian: f64,
    pub(crate) lambda: f64,
    pub(crate) min_gain: f64,
    /// Features tried per node (random subset); all when ≥ the feature count.
    pub(crate) features_per_node: usize,
    /// Node value = `value_scale · G / (H + λ)`.
    pub(crate) value_scale: f64,
}

struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
}

/// Grows a tree over `rows` (indices into `data`) with per-row statistics `g`, `h`.
pub(crate) fn grow(
    data: &Binned,
    g: &[f32],
    h: &[f32],
    rows: &mut [u32],
    params: &GrowParams,
    rng: &mut StdRng,
) -> Tree {
    let mut tree = Tree::default();
    let (g0, h0) = sums(rows, g, h);
    push(&mut tree, params.value_scale * g0 / (h0 + params.lambda));
    // (node, start, end, depth, G, H)
    let mut stack = vec![(0usize, 0usize, rows.len(), 0usize, g0, h0)];
    let mut order: Vec<usize> = (0..data.features).collect();
    let mut hist = vec![(0f64, 0f64, 0u32); MAX_BINS];
    while let Some((node, start, end, depth, g_sum, h_sum)) = stack.pop() {
        if depth >= params.max_depth || end - start < 2 * params.min_leaf.max(1) {
            continue;
        }
        let span = &mut rows[start..end];
        let tried = params.features_per_node.clamp(1, data.features);
        for k in 0..tried {
            let j = rng.random_range(k..data.features);
            order.swap(k, j);
        }
        let parent = g_sum * g_sum / (h_sum + params.lambda);
        let mut best: Option<Split> = None;
        for &f in &order[..tried] {
            let edges = data.edges[f].len();
            if edges == 0 {
                continue;
            }
            hist[..=edges].fill((0.0, 0.0, 0));
            for &r in span.iter() {
                let cell = &mut hist[data.bin(f, r)];
                cell.0 += f64::from(g[r as usize]);
                cell.1 += f64::from(h[r as usize]);
                cell.2 += 1;
            }
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
            for (b, cell) in hist.iter().enumerate().take(edges) {
                gl += cell.0;
                hl += cell.1;
                nl += cell.2 as usize;
                let (gr, hr, nr) = (g_sum - gl, h_sum - hl, span.len() - nl);
                if nl < params.min_leaf || nr < params.min_leaf {
                    continue;
                }
                if hl < params.min_hessian || hr < params.min_hessian {
                    continue;
                }
                let gain = gl * gl / (hl + params.lambda) + gr * gr / (hr + params.lambda) - parent;
                if gain > params.min_gain && best.as_ref().is_none_or(|s| gain > s.gain) {
                    best = Some(Split { feature: f, bin: b, gain });
                }
            }
        }
        let Some(split) = best else { continue };
        // Partition the node's rows: bin <= split.bin to the front.
        let mut mid = 0;
        for i in 0..span.len() {
            if data.bin(split.feature, span[i]) <= split.bin {
                span.swap(i, mid);
                mid += 1;
            }
        }
        let (gl, hl) = sums(&span[..mid], g, h);
        let (gr, hr) = (g_sum - gl, h_sum - hl);
        let left = tree.len();
        push(&mut tree, params.value_scale * gl / (hl + params.lambda));
        push(&mut tree, params.value_scale * gr / (hr + params.lambda));
        tree.feature[node] = split.feature as u16;
        tree.threshold[node] = data.edges[split.feature][split.bin];
        tree.left[node] = left as u32;
        stack.push((left + 1, start + mid, end, depth + 1, gr, hr));
        stack.push((left, start, start + mid, depth + 1, gl, hl));
    }
    tree
}

fn sums(rows: &[u32], g: &[f32], h: &[f32]) -> (f64, f64) {
    rows.iter().fold((0.0, 0.0), |(gs, hs), r| {
        (gs + f64::from(g[*r as usize]), hs + f64::from(h[*r as usize]))
    })
}

fn push(tree: &mut Tree, value: f64) {
    tree.feature.push(LEAF);
    tree.threshold.push(0.0);
    tree.left.push(0);
    tree.value.push(value as f32);
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn bins_respect_thresholds() {
        let x: Vec<f32> = (0..200).map(|i| (i % 100) as f32).collect();
        let b = Binned::new(&x, 1);
        assert!(b.edges[0].len() < MAX_BINS);
        for (r, v) in x.iter().enumerate() {
            let bin = b.bin(0, r as u32);
            if bin < b.edges[0].len() {
                assert!(*v <= b.edges[0][bin]);
            }
            if bin > 0 {
                assert!(*v > b.edges[0][bin - 1]);
            }
        }
    }

    #[test]
    fn learns_a_threshold_on_one_feature() {
        // y = x0 > 3, x1 is noise.
        let x: Vec<f32> = (0..100).flat_map(|i| [(i % 8) as f32, ((i * 7) % 5) as f32]).collect();
        let y: Vec<f32> = (0..100).map(|i| f32::from(u8::from(i % 8 > 3))).collect();
        let data = Binned::new(&x, 2);
        let h = vec![1.0; 100];
        let mut rows: Vec<u32> = (0..100).collect();
        let params = GrowParams {
            max_depth: 3,
            min_leaf: 1,
            min_hessian: 0.0,
            lambda: 0.0,
            min_gain: 1e-9,
            features_per_node: 2,
            value_scale: 1.0,
        };
        let tree = grow(&data, &y, &h, &mut rows, &params, &mut StdRng::seed_from_u64(1));
        tree.validate(2).expect("valid");
        assert_eq!(tree.feature[0], 0);
        for i in 0..100 {
            assert_eq!(tree.predict(&x[i * 2..i * 2 + 2]), y[i]);
        }
    }
}
