//! `type = "tx_classifier"`: judges every pending transaction with the model and reports the
//! ones at or above the threshold, with the decision factors and the feature vector.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::json;
use vigil_features::{ChainClock, FEATURE_COUNT, FeatureVector, Featurizer, HistoryLimits};
use vigil_pipeline::Analyzer;
use vigil_types::{
    B256, Event, EventKind, Factor, Finding, FindingId, SeenHashes, Subject, ThreatLevel, TxInfo,
};

use crate::{Classifier, DEFAULT_MODEL_PATH, Prediction, Result};

/// Configuration of the `tx_classifier` analyzer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxClassifierConfig {
    /// Model file; unset = the model shipped in `models/tx_classifier.json` (compiled in).
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// Findings below this level are not reported.
    #[serde(default = "low")]
    pub min_level: ThreatLevel,
    /// Probability at or above which a transaction is reported; unset = the threshold tuned
    /// into the model file.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Decision factors per finding, strongest first.
    #[serde(default = "five")]
    pub max_factors: usize,
    /// Also judge transactions seen only once mined (never pending: private order flow).
    #[serde(default = "yes")]
    pub judge_mined: bool,
}

fn low() -> ThreatLevel {
    ThreatLevel::Low
}

fn five() -> usize {
    5
}

fn yes() -> bool {
    true
}

impl Default for TxClassifierConfig {
    fn default() -> Self {
        Self {
            model: None,
            min_level: low(),
            threshold: None,
            max_factors: five(),
            judge_mined: true,
        }
    }
}

impl TxClassifierConfig {
    /// Every problem with the values, as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(t) = self.threshold
            && !(0.0..=1.0).contains(&t)
        {
            out.push(("threshold".to_owned(), format!("must be within 0..=1, got {t}")));
        }
        if let Some(path) = &self.model
            && !path.is_file()
        {
            out.push(("model".to_owned(), format!("file {} not found", path.display())));
        }
        if self.max_factors == 0 || self.max_factors > FEATURE_COUNT {
            out.push(("max_factors".to_owned(), format!("must be within 1..={FEATURE_COUNT}")));
        }
        out
    }
}

/// The exploit-classifier analyzer. Keeps the traffic history the features need (senders,
/// bids, observed deployments) and a chain clock, both fed only by events.
#[derive(Debug)]
pub struct TxClassifier {
    id: String,
    config: TxClassifierConfig,
    classifier: Classifier,
    threshold: f64,
    featurizer: Featurizer,
    clock: ChainClock,
    seen: SeenHashes,
}

/// Pending hashes remembered to skip duplicates and mined transactions already judged.
const SEEN_CAPACITY: usize = 500_000;

impl TxClassifier {
    /// Loads the configured model (or the shipped one) and builds the analyzer.
    pub fn new(id: &str, config: TxClassifierConfig) -> Result<Self> {
        let classifier = match &config.model {
            Some(path) => Classifier::load(path)?,
            None => Classifier::shipped()?,
        };
        Ok(Self::with_classifier(id, config, classifier))
    }

    /// An analyzer around an already loaded classifier.
    pub fn with_classifier(id: &str, config: TxClassifierConfig, classifier: Classifier) -> Self {
        let threshold = config.threshold.unwrap_or(f64::from(classifier.model().threshold));
        Self {
            id: id.to_owned(),
            config,
            classifier,
            threshold,
            featurizer: Featurizer::new(HistoryLimits::default()),
            clock: ChainClock::new(),
            seen: SeenHashes::new(SEEN_CAPACITY),
        }
    }

    /// The reporting threshold in force.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    fn first_sight(&mut self, hash: B256) -> bool {
        self.seen.insert(hash)
    }

    fn judge(&mut self, event: &Event, tx: &TxInfo, mined_only: bool) -> Option<Finding> {
        let now = self.clock.now(event.seen_at);
        let features = self.featurizer.featurize(tx, now);
        // Factors are computed only for what is reported: most traffic stops here.
        let probability = f64::from(self.classifier.probability(&features));
        if probability < self.threshold
            || ThreatLevel::from_probability(probability) < self.config.min_level
        {
            return None;
        }
        let prediction = self.classifier.predict(&features);
        Some(self.finding(event, tx, &features, &prediction, mined_only))
    }

    fn finding(
        &self,
        event: &Event,
        tx: &TxInfo,
        features: &FeatureVector,
        p: &Prediction,
        mined_only: bool,
    ) -> Finding {
        let factors: Vec<Factor> = p
            .contributions
            .iter()
            .take(self.config.max_factors)
            .map(|c| {
                let doc = c.feature.spec().doc;
                let head = doc.split(';').next().unwrap_or(doc).trim_end_matches('.');
                let direction = if c.contribution >= 0.0 { "raises" } else { "lowers" };
                Factor {
                    name: c.feature.name().to_owned(),
                    contribution: f64::from(c.contribution),
                    detail: format!(
                        "{} = {}: {direction} the score by {:.3} ({head})",
                        c.feature.name(),
                        (c.value * 1000.0).round() / 1000.0,
                        c.contribution.abs()
                    ),
                }
            })
            .collect();
        let model = self.classifier.model();
        let function = tx.call.as_ref().map(|c| c.label()).unwrap_or("<unknown>");
        let target = tx.to.map_or_else(|| "<create>".to_owned(), |a| a.to_string());
        let top: Vec<String> =
            factors.iter().take(3).map(|f| format!("{} {:+.2}", f.name, f.contribution)).collect();
        let when = if mined_only { " (seen only once mined)" } else { "" };
        let subject = Subject::Tx { hash: tx.hash };
        Finding {
            id: FindingId::derive(&self.id, &subject),
            analyzer: self.id.clone(),
            chain_id: event.chain_id,
            subject,
            target: tx.to,
            threat_level: p.level,
            confidence: p.probability,
            summary: format!(
                "exploit classifier: {target}.{function} from {} — p = {:.2} ({}){when}; {}",
                tx.from,
                p.probability,
                p.level,
                top.join(", ")
            ),
            factors,
            evidence: json!({
                "model": {
                    "version": model.model_version,
                    "kind": model.ensemble.kind.as_str(),
                    "feature_schema": model.feature_schema,
                    "trained_on": model.training.data,
                },
                "probability": p.probability,
                "threshold": self.threshold,
                "raw": p.raw,
                "bias": p.bias,
                "features": features.to_json(),
                "call": tx.call,
                "tx": tx.evidence(),
                "mined_only": mined_only,
                "block_number": tx.block_number,
                "success": tx.success,
            }),
            observed_at: event.seen_at,
        }
    }
}

impl Analyzer for TxClassifier {
    fn id(&self) -> &str {
        &self.id
    }

    fn analyze(&mut self, event: &Event) -> Vec<Finding> {
        match &event.kind {
            EventKind::PendingTx(tx) if self.first_sight(tx.hash) => {
                self.judge(event, tx, false).into_iter().collect()
            }
            EventKind::BlockCommitted(block) => {
                self.clock.on_block(block.timestamp, event.seen_at);
                let mut out = Vec::new();
                for tx in &block.transactions {
                    if !self.first_sight(tx.hash) {
                        continue;
                    }
                    if self.config.judge_mined {
                        out.extend(self.judge(event, tx, true));
                    } else {
                        let now = self.clock.now(event.seen_at);
                        self.featurizer.observe(tx, now);
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }
}

/// Where the shipped model lives, for config documentation and error messages.
pub fn default_model_path() -> PathBuf {
    PathBuf::from(DEFAULT_MODEL_PATH)
}
