//! Labelled transactions, their feature vectors, and splits that never put two transactions
//! of one attack instance on both sides.

use serde::{Deserialize, Serialize};
use vigil_features::{FEATURE_COUNT, FeatureVector, Featurizer, HistoryLimits};
use vigil_types::{TxInfo, UnixMillis};

/// Benign or attack, as the range labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelClass {
    /// Ordinary use.
    Benign,
    /// Part of an attack.
    Attack,
}

/// The label of one transaction (the range's dataset format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Benign or attack.
    pub class: LabelClass,
    /// Attack kind, e.g. `reentrancy`; `None` for benign traffic.
    #[serde(default)]
    pub kind: Option<String>,
    /// Shared by every transaction of one attack run (or one benign action).
    pub instance: String,
    /// Attack variant or benign action name.
    #[serde(default)]
    pub variant: String,
    /// `funding`, `deployment` or `exploit` for attacks.
    #[serde(default)]
    pub stage: Option<String>,
}

impl Label {
    /// The training target: `Some(true)` for the attack's own transactions (deployment,
    /// exploit), `Some(false)` for benign ones, `None` for funding — gas money sent to the
    /// attacker by an exchange or mixer is an ordinary transfer on its own, so it is neither
    /// learned from nor counted in the headline figures (it is reported separately).
    pub fn target(&self) -> Option<bool> {
        match (self.class, self.stage.as_deref()) {
            (LabelClass::Benign, _) => Some(false),
            (LabelClass::Attack, Some("funding")) => None,
            (LabelClass::Attack, _) => Some(true),
        }
    }
}

/// A transaction as the pool showed it, when, and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledTx {
    /// The decoded pending transaction.
    pub tx: TxInfo,
    /// When it was seen (Unix ms).
    pub seen_at: UnixMillis,
    /// What it is.
    pub label: Label,
}

/// One row: features and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The features.
    pub features: FeatureVector,
    /// The label.
    pub label: Label,
}

/// Rows in the order their transactions were seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// The rows.
    pub samples: Vec<Sample>,
}

/// Computes features for a stream in `seen_at` order (stable for equal times), with one
/// history across the whole stream — exactly as the live analyzer does.
pub fn featurize(stream: &[LabelledTx]) -> Dataset {
    let mut order: Vec<usize> = (0..stream.len()).collect();
    order.sort_by_key(|i| stream[*i].seen_at);
    let mut featurizer = Featurizer::new(HistoryLimits::default());
    let samples = order
        .into_iter()
        .map(|i| {
            let t = &stream[i];
            Sample { features: featurizer.featurize(&t.tx, t.seen_at), label: t.label.clone() }
        })
        .collect();
    Dataset { samples }
}

/// A stable 64-bit hash of an instance id and a seed (FNV-1a), deciding its side of a split.
fn instance_hash(instance: &str, seed: u64) -> u64 {
    let h = seed
        .to_le_bytes()
        .iter()
        .chain(instance.as_bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    // FNV leaves the high bits poorly mixed for short keys: finish with splitmix64's mixer.
    let mut z = h ^ (h >> 30);
    z = z.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Dataset {
    /// Appends another dataset's rows (e.g. another scenario: its history was separate).
    pub fn extend(&mut self, other: Dataset) {
        self.samples.extend(other.samples);
    }

    /// Splits by instance: about `share` of the instances (attack runs and benign actions
    /// alike) go to the second part. No instance has rows on both sides.
    pub fn split_by_instance(&self, share: f64, seed: u64) -> (Dataset, Dataset) {
        let cut = (share.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
        let (mut first, mut second) = (Dataset::default(), Dataset::default());
        for s in &self.samples {
            if instance_hash(&s.label.instance, seed) < cut {
                second.samples.push(s.clone());
            } else {
                first.samples.push(s.clone());
            }
        }
        (first, second)
    }

    /// Rows with a training target, as a row-major matrix and 0/1 labels.
    pub fn matrix(&self) -> (Vec<f32>, Vec<f32>) {
        let mut x = Vec::with_capacity(self.samples.len() * FEATURE_COUNT);
        let mut y = Vec::with_capacity(self.samples.len());
        for s in &self.samples {
            if let Some(target) = s.label.target() {
                x.extend_from_slice(s.features.as_slice());
                y.push(f32::from(u8::from(target)));
            }
        }
        (x, y)
    }

    /// Rows with a training target: (attack rows, benign rows).
    pub fn counts(&self) -> (usize, usize) {
        self.samples.iter().fold((0, 0), |(a, b), s| match s.label.target() {
            Some(true) => (a + 1, b),
            Some(false) => (a, b + 1),
            None => (a, b),
        })
    }

    /// Distinct attack instances.
    pub fn attack_instances(&self) -> usize {
        let mut ids: Vec<&str> = self
            .samples
            .iter()
            .filter(|s| s.label.class == LabelClass::Attack)
            .map(|s| s.label.instance.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(instance: &str, class: LabelClass) -> Sample {
        Sample {
            features: FeatureVector::default(),
            label: Label {
                class,
                kind: None,
                instance: instance.into(),
                variant: String::new(),
                stage: None,
            },
        }
    }

    #[test]
    fn splits_keep_instances_whole() {
        let samples = (0..400)
            .map(|i| {
                sample(
                    &format!("a{}", i / 4),
                    if i % 3 == 0 { LabelClass::Attack } else { LabelClass::Benign },
                )
            })
            .collect();
        let data = Dataset { samples };
        let (train, test) = data.split_by_instance(0.3, 5);
        assert_eq!(train.samples.len() + test.samples.len(), 400);
        assert!(test.samples.len() > 60 && test.samples.len() < 180, "{}", test.samples.len());
        for s in &test.samples {
            assert!(train.samples.iter().all(|t| t.label.instance != s.label.instance));
        }
    }

    #[test]
    fn funding_has_no_target() {
        let mut label = sample("x", LabelClass::Attack).label;
        assert_eq!(label.target(), Some(true));
        label.stage = Some("funding".into());
        assert_eq!(label.target(), None);
    }
}
