//! Evaluation figures: confusion matrix at a threshold, ROC-AUC, PR-AUC (average precision)
//! and the threshold that holds a target false-positive rate.

use serde::Serialize;

/// Counts at one threshold; a score `>= threshold` is flagged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Attacks flagged.
    pub tp: usize,
    /// Benign flagged.
    pub fp: usize,
    /// Benign passed.
    pub tn: usize,
    /// Attacks missed.
    pub fn_: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Confusion {
    /// The matrix of `scores` against `labels` at `threshold`.
    pub fn at(scores: &[f32], labels: &[bool], threshold: f32) -> Self {
        let mut c = Confusion::default();
        for (s, y) in scores.iter().zip(labels) {
            match (*s >= threshold, *y) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// tp / (tp + fp); 0 when nothing is flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn); 0 without attacks.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    /// fp / (fp + tn); 0 without benign rows.
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }
}

/// Area under the ROC curve (probability that an attack outscores a benign row, ties
/// counting half); `None` without both classes.
pub fn roc_auc(scores: &[f32], labels: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let positives = labels.iter().filter(|y| **y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Sum of (average) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += average_rank * order[i..=j].iter().filter(|k| labels[**k]).count() as f64;
        i = j + 1;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// Area under the precision-recall curve as average precision (precision at each attack,
/// rows with equal scores taken together); `None` without attacks.
pub fn pr_auc(scores: &[f32], labels: &[bool]) -> Option<f64> {
    let positives = labels.iter().filter(|y| **y).count();
    if positives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let (mut tp, mut seen, mut ap) = (0usize, 0usize, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let new_tp = order[i..=j].iter().filter(|k| labels[**k]).count();
        tp += new_tp;
        seen += j - i + 1;
        ap += new_tp as f64 * tp as f64 / seen as f64;
        i = j + 1;
    }
    Some(ap / positives as f64)
}

/// The lowest threshold, within `[floor, ceiling]`, at which at most `target_fpr` of the
/// benign rows are flagged.
pub fn threshold_for_fpr(
    scores: &[f32],
    labels: &[bool],
    target_fpr: f64,
    floor: f32,
    ceiling: f32,
) -> f32 {
    let mut benign: Vec<f32> =
        scores.iter().zip(labels).filter(|(_, y)| !**y).map(|(s, _)| *s).collect();
    if benign.is_empty() {
        return floor;
    }
    benign.sort_by(|a, b| b.total_cmp(a));
    let allowed = (target_fpr.clamp(0.0, 1.0) * benign.len() as f64).floor() as usize;
    let threshold = match benign.get(allowed) {
        // Just above the highest benign score that must not be flagged.
        Some(s) => s.next_up(),
        None => floor,
    };
    threshold.clamp(floor, ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_inverted_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(roc_auc(&[0.5; 4], &labels), Some(0.5));
        assert_eq!(pr_auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(roc_auc(&[0.1], &[true]), None);
    }

    #[test]
    fn average_precision_matches_a_hand_computation() {
        // Ranked: +, -, +  → AP = (1/1 + 2/3) / 2.
        let ap = pr_auc(&[0.9, 0.8, 0.7], &[true, false, true]).expect("has positives");
        assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn threshold_holds_the_target_rate() {
        let scores: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let labels = vec![false; 100];
        let t = threshold_for_fpr(&scores, &labels, 0.05, 0.0, 1.0);
        let c = Confusion::at(&scores, &labels, t);
        assert_eq!(c.fp, 5, "threshold {t}");
        assert!(threshold_for_fpr(&scores, &labels, 0.0, 0.0, 1.0) > 0.99);
    }

    #[test]
    fn confusion_rates() {
        let c = Confusion::at(&[0.9, 0.6, 0.4, 0.1], &[true, false, true, false], 0.5);
        assert_eq!(c, Confusion { tp: 1, fp: 1, tn: 1, fn_: 1 });
        assert_eq!((c.precision(), c.recall(), c.fpr()), (0.5, 0.5, 0.5));
    }
}
