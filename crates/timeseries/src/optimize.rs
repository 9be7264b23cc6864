//! Nelder-Mead simplex minimisation, enough for the three Holt-Winters smoothing parameters.

/// Minimises `f` from `start` with initial step `step` per coordinate; returns the best point
/// and its value after at most `max_evals` evaluations or when the simplex values agree within
/// `tol`.
pub(crate) fn nelder_mead<const N: usize>(
    mut f: impl FnMut(&[f64; N]) -> f64,
    start: [f64; N],
    step: f64,
    tol: f64,
    max_evals: usize,
) -> ([f64; N], f64) {
    let mut simplex: Vec<([f64; N], f64)> = Vec::with_capacity(N + 1);
    let v0 = f(&start);
    simplex.push((start, v0));
    for i in 0..N {
        let mut p = start;
        p[i] += step;
        let v = f(&p);
        simplex.push((p, v));
    }
    let mut evals = N + 1;
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[N].1);
        if (worst - best).abs() <= tol * (best.abs() + tol) {
            break;
        }
        let mut centroid = [0.0; N];
        for (p, _) in &simplex[..N] {
            for (c, x) in centroid.iter_mut().zip(p) {
                *c += x / N as f64;
            }
        }
        let along = |t: f64| {
            let mut p = centroid;
            for (i, c) in p.iter_mut().enumerate() {
                *c += t * (simplex[N].0[i] - centroid[i]);
            }
            p
        };
        let reflected = along(-1.0);
        let vr = f(&reflected);
        evals += 1;
        if vr < simplex[0].1 {
            let expanded = along(-2.0);
            let ve = f(&expanded);
            evals += 1;
            simplex[N] = if ve < vr { (expanded, ve) } else { (reflected, vr) };
        } else if vr < simplex[N - 1].1 {
            simplex[N] = (reflected, vr);
        } else {
            let (contracted, vc) = if vr < simplex[N].1 {
                let p = along(-0.5);
                (p, f(&p))
            } else {
                let p = along(0.5);
                (p, f(&p))
            };
            evals += 1;
            if vc < simplex[N].1.min(vr) {
                simplex[N] = (contracted, vc);
            } else {
                let best = simplex[0].0;
                for entry in simplex.iter_mut().skip(1) {
                    for (x, b) in entry.0.iter_mut().zip(best) {
                        *x = b + 0.5 * (*x - b);
                    }
                    entry.1 = f(&entry.0);
                    evals += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_rosenbrock_valley() {
        let rosen = |p: &[f64; 2]| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2);
        let (p, v) = nelder_mead(rosen, [-1.0, 1.0], 0.5, 1e-14, 5_000);
        assert!(v < 1e-8, "value {v} at {p:?}");
    }
}
