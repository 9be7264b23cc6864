//! MAP estimate of Prophet's linear-trend model, solved in closed-form pieces.
//!
//! Prophet's Stan program, for linear growth and additive seasonality, is
//! `y ~ N(Xθ, σ)`, `k, m ~ N(0, 5)`, `δ ~ Laplace(0, τ)`, `β ~ N(0, σ_s)`,
//! `σ ~ N⁺(0, 0.5)`; Prophet maximises that posterior with L-BFGS. Here the same objective,
//! `n·ln σ + ‖y − Xθ‖²/2σ² + k²/50 + m²/50 + Σ|δ|/τ + Σβ²/2σ_s² + 2σ²`,
//! is minimised by block coordinate descent: for fixed σ the θ-problem is convex (a ridge
//! with an L1 part) and is solved by majorise-minimise (each |δ| bounded by a quadratic
//! through the current point, giving a ridge solve by Cholesky) followed by exact
//! coordinate descent; for fixed θ the best σ solves `4σ⁴ + nσ² − RSS = 0`. Every step
//! lowers the objective.

use super::linalg::cholesky_solve;

/// Sufficient statistics of the regression: `G = XᵀX`, `b = Xᵀy`, `yᵀy`, `n`.
#[derive(Debug, Clone)]
pub(crate) struct Gram {
    pub(crate) p: usize,
    pub(crate) g: Vec<f64>,
    pub(crate) b: Vec<f64>,
    pub(crate) yy: f64,
    pub(crate) n: f64,
}

impl Gram {
    pub(crate) fn new(p: usize) -> Self {
        Self { p, g: vec![0.0; p * p], b: vec![0.0; p], yy: 0.0, n: 0.0 }
    }

    /// Adds one row (upper triangle only; call [`Gram::finish`] once at the end).
    pub(crate) fn add(&mut self, x: &[f64], y: f64) {
        let p = self.p;
        for i in 0..p {
            let xi = x[i];
            if xi == 0.0 {
                continue;
            }
            self.b[i] += xi * y;
            let row = &mut self.g[i * p..(i + 1) * p];
            for j in i..p {
                row[j] += xi * x[j];
            }
        }
        self.yy += y * y;
        self.n += 1.0;
    }

    pub(crate) fn finish(&mut self) {
        let p = self.p;
        for i in 0..p {
            for j in 0..i {
                self.g[i * p + j] = self.g[j * p + i];
            }
        }
    }

    fn rss(&self, theta: &[f64]) -> f64 {
        let p = self.p;
        let mut quad = 0.0;
        let mut lin = 0.0;
        for i in 0..p {
            lin += theta[i] * self.b[i];
            let row = &self.g[i * p..(i + 1) * p];
            quad += theta[i] * row.iter().zip(theta).map(|(g, t)| g * t).sum::<f64>();
        }
        (self.yy - 2.0 * lin + quad).max(0.0)
    }
}

/// Priors per parameter: Gaussian precision and L1 weight (`1/τ` for changepoint deltas).
#[derive(Debug, Clone)]
pub(crate) struct Priors {
    pub(crate) precision: Vec<f64>,
    pub(crate) l1: Vec<f64>,
}

fn objective(gram: &Gram, priors: &Priors, theta: &[f64], sigma: f64) -> f64 {
    let mut prior = 0.0;
    for ((t, p), l) in theta.iter().zip(&priors.precision).zip(&priors.l1) {
        prior += 0.5 * p * t * t + l * t.abs();
    }
    gram.n * sigma.ln() + gram.rss(theta) / (2.0 * sigma * sigma) + prior + 2.0 * sigma * sigma
}

fn best_sigma(gram: &Gram, theta: &[f64]) -> f64 {
    let rss = gram.rss(theta);
    let n = gram.n;
    ((-n + (n * n + 16.0 * rss).sqrt()) / 8.0).max(1e-24).sqrt()
}

/// The MAP parameters and noise, and the objective reached.
pub(crate) fn map_fit(gram: &Gram, priors: &Priors) -> Option<(Vec<f64>, f64, f64)> {
    let p = gram.p;
    let mut sigma = 0.5f64;
    let mut theta: Vec<f64> = vec![0.0; p];
    let mut a = vec![0.0; p * p];
    let mut rhs = vec![0.0; p];
    let mut last = f64::INFINITY;
    for iter in 0..200 {
        let inv = 1.0 / (sigma * sigma);
        for i in 0..p {
            for j in 0..p {
                a[i * p + j] = gram.g[i * p + j] * inv;
            }
            let l1 = if priors.l1[i] > 0.0 {
                let scale = if iter == 0 { 1e-2 } else { theta[i].abs().max(1e-9) };
                priors.l1[i] / scale
            } else {
                0.0
            };
            a[i * p + i] += priors.precision[i] + l1 + 1e-12;
            rhs[i] = gram.b[i] * inv;
        }
        theta = cholesky_solve(&a, &rhs)?;
        sigma = best_sigma(gram, &theta);
        let now = objective(gram, priors, &theta, sigma);
        if (last - now).abs() <= 1e-11 * now.abs().max(1.0) {
            break;
        }
        last = now;
    }
    coordinate_descent(gram, priors, &mut theta, &mut sigma);
    let value = objective(gram, priors, &theta, sigma);
    value.is_finite().then_some((theta, sigma, value))
}

fn coordinate_descent(gram: &Gram, priors: &Priors, theta: &mut [f64], sigma: &mut f64) {
    let p = gram.p;
    let mut g_theta: Vec<f64> = (0..p)
        .map(|i| gram.g[i * p..(i + 1) * p].iter().zip(theta.iter()).map(|(g, t)| g * t).sum())
        .collect();
    for _ in 0..50 {
        let inv = 1.0 / (*sigma * *sigma);
        let mut moved = 0.0f64;
        for _ in 0..20 {
            moved = 0.0;
            for j in 0..p {
                let gjj = gram.g[j * p + j];
                let a = gjj * inv + priors.precision[j];
                if a <= 0.0 {
                    continue;
                }
                let c = (gram.b[j] - (g_theta[j] - gjj * theta[j])) * inv;
                let l = priors.l1[j];
                let new = if c > l {
                    (c - l) / a
                } else if c < -l {
                    (c + l) / a
                } else {
                    0.0
                };
                let delta = new - theta[j];
                if delta != 0.0 {
                    for (i, gt) in g_theta.iter_mut().enumerate() {
                        *gt += gram.g[i * p + j] * delta;
                    }
                    theta[j] = new;
                    moved = moved.max(delta.abs());
                }
            }
            if moved < 1e-12 {
                break;
            }
        }
        let before = *sigma;
        *sigma = best_sigma(gram, theta);
        if moved < 1e-12 && (before - *sigma).abs() < 1e-14 {
            break;
        }
    }
}
