//! Gap filling for bucketed series: a bucket without data is `NaN`.

/// Fills interior `NaN` runs linearly between their neighbours and leading ones with the first
/// value. Trailing `NaN`s are removed (the caller forecasts across them instead) and their
/// number returned. Returns `None` when no value is present.
pub fn fill_gaps(values: &[f64]) -> Option<(Vec<f64>, usize)> {
    let first = values.iter().position(|v| v.is_finite())?;
    let last = values.iter().rposition(|v| v.is_finite())?;
    let mut out: Vec<f64> = values[..=last].to_vec();
    let lead = out[first];
    for v in &mut out[..first] {
        *v = lead;
    }
    let mut prev = first;
    for i in first + 1..=last {
        if out[i].is_finite() {
            let gap = i - prev;
            if gap > 1 {
                let (a, b) = (out[prev], out[i]);
                for j in 1..gap {
                    out[prev + j] = a + (b - a) * j as f64 / gap as f64;
                }
            }
            prev = i;
        }
    }
    Some((out, values.len() - 1 - last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_interior_gaps_linearly_and_reports_the_tail() {
        let nan = f64::NAN;
        let (out, tail) = fill_gaps(&[nan, 2.0, nan, nan, 5.0, nan]).expect("values");
        assert_eq!(out, vec![2.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(tail, 1);
        assert!(fill_gaps(&[nan, nan]).is_none());
    }
}
