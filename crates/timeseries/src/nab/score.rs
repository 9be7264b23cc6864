//! NAB scoring, following NAB 1.1's sweeper: each row gets a weighted score (inside a window
//! by a scaled sigmoid of its position, outside by its distance past the previous window),
//! only the earliest detection in a window counts, a window without one costs `fnWeight`,
//! one threshold is chosen for the whole corpus per profile, and the total is normalised
//! between the null detector (0) and a perfect one (100).

use super::{CostMatrix, NabFile};

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// NAB's scaled sigmoid of a relative position.
pub fn scaled_sigmoid(position: f64) -> f64 {
    if position >= 3.0 { -1.0 } else { 2.0 * sigmoid(-5.0 * position) - 1.0 }
}

/// One scorable row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    /// The detector's anomaly score.
    pub score: f64,
    /// Weighted score if this row were a detection.
    pub sweep: f64,
    /// Global id of the window the row lies in.
    pub window: Option<usize>,
}

// One pass over rows keeps NAB's window bookkeeping readable.
#[allow(clippy::needless_range_loop)]
/// Rows of `file` outside the probationary period with their sweep scores; window ids start
/// at `first_window`. Returns the points and the number of windows with a scorable row.
pub fn sweep(
    file: &NabFile,
    scores: &[f64],
    cost: &CostMatrix,
    probation_pct: f64,
    first_window: usize,
) -> Vec<SweepPoint> {
    let n = file.times.len().min(scores.len());
    let probation = ((probation_pct * n as f64).floor()).min(probation_pct * 5000.0) as usize;
    let max_tp = scaled_sigmoid(-1.0);
    let ranges: Vec<(usize, usize)> = file
        .windows
        .iter()
        .filter_map(|&(a, b)| {
            let left = file.times.iter().position(|&t| t >= a)?;
            let right = file.times.iter().rposition(|&t| t <= b)?;
            (right >= left).then_some((left, right))
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut prev: Option<(usize, usize)> = None;
    for i in 0..n {
        let inside = ranges.iter().position(|&(l, r)| l <= i && i <= r);
        let sweep = match inside {
            Some(w) => {
                let (l, r) = ranges[w];
                let width = (r - l + 1) as f64;
                let position = -((r - i + 1) as f64) / width;
                scaled_sigmoid(position) * cost.tp / max_tp
            }
            None => {
                let position = match prev {
                    Some((l, r)) if r > l => (i - r) as f64 / (r - l) as f64,
                    _ => 3.0,
                };
                scaled_sigmoid(position) * cost.fp
            }
        };
        if let Some(w) = inside
            && i == ranges[w].1
        {
            prev = Some(ranges[w]);
        }
        if i >= probation {
            out.push(SweepPoint {
                score: scores[i],
                sweep,
                window: inside.map(|w| first_window + w),
            });
        }
    }
    out
}

/// The corpus score at each distinct threshold: `(threshold, score)`, detections being rows
/// with an anomaly score at or above the threshold. The first entry (threshold above every
/// score) is the score with no detection at all.
pub fn scores_by_threshold(points: &mut [SweepPoint], cost: &CostMatrix) -> Vec<(f64, f64)> {
    points.sort_by(|a, b| b.score.total_cmp(&a.score));
    let windows = points.iter().filter_map(|p| p.window).max().map_or(0, |m| m + 1);
    let mut best = vec![f64::NAN; windows];
    let mut window_total = 0.0;
    for p in points.iter() {
        if let Some(w) = p.window
            && best[w].is_nan()
        {
            best[w] = -cost.fn_;
            window_total -= cost.fn_;
        }
    }
    let mut fp_total = 0.0;
    let mut out = Vec::new();
    let mut threshold = f64::INFINITY;
    for p in points.iter() {
        if p.score != threshold {
            out.push((threshold, fp_total + window_total));
            threshold = p.score;
        }
        match p.window {
            None => fp_total += p.sweep,
            Some(w) => {
                if p.sweep > best[w] {
                    window_total += p.sweep - best[w];
                    best[w] = p.sweep;
                }
            }
        }
    }
    out.push((threshold, fp_total + window_total));
    out
}

/// The best threshold and its score.
pub fn best(by_threshold: &[(f64, f64)]) -> (f64, f64) {
    by_threshold
        .iter()
        .copied()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |acc, x| if x.1 > acc.1 { x } else { acc })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> NabFile {
        NabFile {
            name: "t.csv".into(),
            times: (0..100).collect(),
            values: vec![0.0; 100],
            windows: vec![(40, 49)],
        }
    }

    const STANDARD: CostMatrix = CostMatrix { tp: 1.0, fp: 0.11, fn_: 1.0 };

    #[test]
    fn an_early_detection_scores_the_full_true_positive_weight() {
        let mut scores = vec![0.0; 100];
        scores[40] = 1.0;
        let mut points = sweep(&file(), &scores, &STANDARD, 0.15, 0);
        let table = scores_by_threshold(&mut points, &STANDARD);
        assert_eq!(table[0].1, -1.0, "no detection = one missed window");
        let (threshold, score) = best(&table);
        assert_eq!(threshold, 1.0);
        assert!((score - 1.0).abs() < 1e-12, "{score}");
    }

    #[test]
    fn false_positives_cost_by_distance_and_late_detections_less() {
        let mut scores = vec![0.0; 100];
        scores[20] = 1.0;
        scores[48] = 1.0;
        let mut points = sweep(&file(), &scores, &STANDARD, 0.15, 0);
        let (_, score) = best(&scores_by_threshold(&mut points, &STANDARD));
        let late = scaled_sigmoid(-2.0 / 10.0) / scaled_sigmoid(-1.0);
        assert!((score - (late - 0.11)).abs() < 1e-9, "{score}");
    }
}
