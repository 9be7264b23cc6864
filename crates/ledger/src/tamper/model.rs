use serde::{Deserialize, Serialize};

/// Logistic regression on standardised inputs, fitted by Newton's method (IRLS) with a small
/// ridge penalty. Small and deterministic: the detector's features are few and dense.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// Input means.
    pub mean: Vec<f64>,
    /// Input standard deviations.
    pub scale: Vec<f64>,
    /// Weights on standardised inputs; the last one is the bias.
    pub weights: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl LogisticModel {
    /// Fits `rows` (all of one width) to `labels`; positives and negatives are weighted to
    /// count equally. Returns `None` for empty or one-class data.
    pub fn fit(rows: &[Vec<f64>], labels: &[bool]) -> Option<LogisticModel> {
        let d = rows.first()?.len();
        let positives = labels.iter().filter(|l| **l).count();
        if positives == 0 || positives == labels.len() || rows.len() != labels.len() {
            return None;
        }
        let n = rows.len() as f64;
        let mean: Vec<f64> = (0..d).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n).collect();
        let scale: Vec<f64> = (0..d)
            .map(|j| {
                let var = rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
                var.sqrt().max(1e-9)
            })
            .collect();
        let x: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| {
                let mut v: Vec<f64> = (0..d).map(|j| (r[j] - mean[j]) / scale[j]).collect();
                v.push(1.0);
                v
            })
            .collect();
        let w_pos = 0.5 * n / positives as f64;
        let w_neg = 0.5 * n / (labels.len() - positives) as f64;
        let mut weights = vec![0.0; d + 1];
        let ridge = 1e-3 * n;
        for _ in 0..30 {
            let mut grad = vec![0.0; d + 1];
            let mut hess = vec![vec![0.0; d + 1]; d + 1];
            for (xi, &yi) in x.iter().zip(labels) {
                let p = sigmoid(dot(xi, &weights));
                let sw = if yi { w_pos } else { w_neg };
                let err = sw * (p - f64::from(u8::from(yi)));
                let curv = sw * (p * (1.0 - p)).max(1e-9);
                for a in 0..=d {
                    grad[a] += err * xi[a];
                    for b in 0..=d {
                        hess[a][b] += curv * xi[a] * xi[b];
                    }
                }
            }
            for a in 0..d {
                grad[a] += ridge * weights[a];
                hess[a][a] += ridge;
            }
            let step = solve(hess, grad)?;
            let mut moved = 0.0f64;
            for (w, s) in weights.iter_mut().zip(step) {
                *w -= s;
                moved = moved.max(s.abs());
            }
            if moved < 1e-8 {
                break;
            }
        }
        Some(LogisticModel { mean, scale, weights })
    }

    /// Probability that `row` is tampered.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let p = sigmoid(self.logit(row));
        if p.is_nan() { 0.0 } else { p }
    }

    /// Log-odds that `row` is tampered (does not saturate, so it ranks extreme rows).
    pub fn logit(&self, row: &[f64]) -> f64 {
        let z: f64 = row
            .iter()
            .zip(self.mean.iter().zip(&self.scale))
            .zip(&self.weights)
            .map(|((v, (m, s)), w)| w * (v - m) / s)
            .sum::<f64>()
            + self.weights.last().copied().unwrap_or(0.0);
        if z.is_nan() { 0.0 } else { z }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, bottom) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in bottom.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_a_simple_threshold() {
        let rows: Vec<Vec<f64>> = (0..200).map(|i| vec![f64::from(i) / 10.0]).collect();
        let labels: Vec<bool> = (0..200).map(|i| i >= 120).collect();
        let model = LogisticModel::fit(&rows, &labels).expect("fit");
        assert!(model.predict(&[2.0]) < 0.1);
        assert!(model.predict(&[18.0]) > 0.9);
        assert!(LogisticModel::fit(&rows, &[false; 200]).is_none());
    }
}
