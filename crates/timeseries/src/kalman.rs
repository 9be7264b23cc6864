//! A local-level Kalman filter (random walk observed with noise), the denoising step before
//! Holt-Winters.
//!
//! State `x_t = x_{t-1} + w_t`, observation `y_t = x_t + v_t`, `w ~ N(0, q)`, `v ~ N(0, r)`.
//! The filtered mean depends only on the ratio `q / r`, so that ratio is the one parameter.

/// Filters `values` causally (each output uses only the values up to it).
pub fn local_level(values: &[f64], process_to_noise: f64) -> Vec<f64> {
    let q = process_to_noise.max(0.0);
    let r = 1.0;
    let mut out = Vec::with_capacity(values.len());
    let Some(&first) = values.first() else {
        return out;
    };
    let (mut x, mut p) = (first, r);
    out.push(x);
    for &y in &values[1..] {
        let prior = p + q;
        let gain = prior / (prior + r);
        x += gain * (y - x);
        p = (1.0 - gain) * prior;
        out.push(x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooths_noise_and_follows_level_shifts() {
        let mut values = vec![0.0; 50];
        values.extend(vec![10.0; 50]);
        for (i, v) in values.iter_mut().enumerate() {
            *v += if i % 2 == 0 { 1.0 } else { -1.0 };
        }
        let out = local_level(&values, 0.1);
        let swing = (out[40] - out[41]).abs();
        assert!(swing < 1.0, "noise should shrink, swing {swing}");
        assert!((out[99] - 10.0).abs() < 1.0, "level followed: {}", out[99]);
        assert!(local_level(&[], 0.1).is_empty());
    }
}
