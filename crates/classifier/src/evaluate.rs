//! Evaluation on held-out data: headline figures at a threshold, per attack kind and stage,
//! the funding transactions on their own, and how rows spread over threat levels.

use std::collections::BTreeMap;

use serde::Serialize;
use vigil_types::ThreatLevel;

use crate::{
    Classifier, Dataset, LabelClass,
    metrics::{Confusion, pr_auc, roc_auc},
};

/// Figures for a set of scored rows at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Attack rows.
    pub attacks: usize,
    /// Benign rows.
    pub benign: usize,
    /// The threshold.
    pub threshold: f32,
    /// Counts at the threshold.
    pub confusion: Confusion,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// False-positive rate at the threshold.
    pub fpr: f64,
    /// Threshold-free ranking quality.
    pub roc_auc: Option<f64>,
    /// Average precision.
    pub pr_auc: Option<f64>,
}

impl Figures {
    fn of(scores: &[f32], labels: &[bool], threshold: f32) -> Self {
        let confusion = Confusion::at(scores, labels, threshold);
        Figures {
            attacks: confusion.tp + confusion.fn_,
            benign: confusion.fp + confusion.tn,
            threshold,
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            fpr: confusion.fpr(),
            roc_auc: roc_auc(scores, labels),
            pr_auc: pr_auc(scores, labels),
            confusion,
        }
    }
}

/// Figures of one attack kind against all benign rows.
#[derive(Debug, Clone, Serialize)]
pub struct KindFigures {
    /// Attack kind.
    pub kind: String,
    /// Attack runs of this kind with a deployment or exploit transaction in the data.
    pub instances: usize,
    /// Runs with at least one deployment or exploit transaction flagged.
    pub instances_detected: usize,
    /// Runs whose every exploit transaction was judged HIGH or CRITICAL.
    pub exploits_high: usize,
    /// Kind's attack rows against all benign rows (precision counts every false positive).
    pub figures: Figures,
    /// Per stage: (rows, flagged).
    pub stages: BTreeMap<String, (usize, usize)>,
}

/// Everything `vigil eval` prints.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Deployment and exploit rows against benign rows.
    pub overall: Figures,
    /// Per attack kind.
    pub per_kind: Vec<KindFigures>,
    /// Funding transactions: (rows, flagged) — not part of the headline figures.
    pub funding: (usize, usize),
    /// Rows per threat level: (benign, attack).
    pub levels: BTreeMap<String, (usize, usize)>,
}

/// Scores every row of `data` and reports at `threshold`.
pub fn evaluate(classifier: &Classifier, data: &Dataset, threshold: f32) -> EvalReport {
    let scores: Vec<f32> =
        data.samples.iter().map(|s| classifier.probability(&s.features)).collect();
    let mut headline = (Vec::new(), Vec::new());
    let mut benign_scores = Vec::new();
    let mut levels: BTreeMap<String, (usize, usize)> =
        ThreatLevel::ALL.iter().map(|l| (l.as_str().to_owned(), (0, 0))).collect();
    let mut funding = (0, 0);
    for (s, score) in data.samples.iter().zip(&scores) {
        let level = ThreatLevel::from_probability(f64::from(*score)).as_str().to_owned();
        match s.label.target() {
            Some(target) => {
                headline.0.push(*score);
                headline.1.push(target);
                if !target {
                    benign_scores.push(*score);
                }
                let cell = levels.entry(level).or_default();
                if target { cell.1 += 1 } else { cell.0 += 1 }
            }
            None => {
                funding.0 += 1;
                funding.1 += usize::from(*score >= threshold);
            }
        }
    }
    let mut kinds: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in data.samples.iter().enumerate() {
        if s.label.class == LabelClass::Attack {
            kinds
                .entry(s.label.kind.clone().unwrap_or_else(|| "unknown".into()))
                .or_default()
                .push(i);
        }
    }
    let per_kind = kinds
        .into_iter()
        .map(|(kind, rows)| kind_figures(kind, &rows, data, &scores, &benign_scores, threshold))
        .collect();
    EvalReport {
        overall: Figures::of(&headline.0, &headline.1, threshold),
        per_kind,
        funding,
        levels,
    }
}

fn kind_figures(
    kind: String,
    rows: &[usize],
    data: &Dataset,
    scores: &[f32],
    benign_scores: &[f32],
    threshold: f32,
) -> KindFigures {
    let mut s: Vec<f32> = benign_scores.to_vec();
    let mut y = vec![false; s.len()];
    let mut stages: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // instance → (any flagged, every exploit HIGH+, has exploit, has a target row)
    let mut runs: BTreeMap<&str, (bool, bool, bool, bool)> = BTreeMap::new();
    for &i in rows {
        let label = &data.samples[i].label;
        let flagged = scores[i] >= threshold;
        let stage = label.stage.clone().unwrap_or_else(|| "none".into());
        let cell = stages.entry(stage.clone()).or_default();
        cell.0 += 1;
        cell.1 += usize::from(flagged);
        let run = runs.entry(label.instance.as_str()).or_insert((false, true, false, false));
        if label.target() == Some(true) {
            s.push(scores[i]);
            y.push(true);
            run.0 |= flagged;
            run.3 = true;
        }
        if stage == "exploit" {
            run.2 = true;
            run.1 &= f64::from(scores[i]) >= 0.7;
        }
    }
    KindFigures {
        kind,
        instances: runs.values().filter(|r| r.3).count(),
        instances_detected: runs.values().filter(|r| r.0).count(),
        exploits_high: runs.values().filter(|r| r.1 && r.2).count(),
        figures: Figures::of(&s, &y, threshold),
        stages,
    }
}
