use vigil_classifier::{ClassifierError, Dataset, ModelFile, evaluate, roc_auc};
use vigil_features::SCHEMA_VERSION;

use crate::support::{boosted, classifier, dataset, forest};

fn rows(data: &Dataset) -> impl Iterator<Item = &vigil_features::FeatureVector> {
    data.samples.iter().map(|s| &s.features)
}

#[test]
fn contributions_plus_bias_equal_the_output() {
    let data = dataset(2);
    for model in [forest(), boosted()] {
        let c = classifier(model);
        for x in rows(&data).take(2_000) {
            let p = c.predict(x);
            let sum: f32 = p.contributions.iter().map(|c| c.contribution).sum();
            assert!((p.bias + sum - p.raw).abs() < 1e-3, "{} + {sum} != {}", p.bias, p.raw);
            let direct = model.ensemble.raw(x.as_slice());
            assert!((direct - p.raw).abs() < 1e-4);
            assert!((0.0..=1.0).contains(&p.probability));
        }
    }
}

#[test]
fn held_out_synthetic_attacks_rank_above_benign_traffic() {
    let data = dataset(2);
    for model in [forest(), boosted()] {
        let c = classifier(model);
        let rows: Vec<_> = data.samples.iter().filter(|s| s.label.target().is_some()).collect();
        let scores: Vec<f32> = rows.iter().map(|s| c.probability(&s.features)).collect();
        let labels: Vec<bool> = rows.iter().map(|s| s.label.target() == Some(true)).collect();
        let auc = roc_auc(&scores, &labels).expect("both classes");
        assert!(auc > 0.95, "{} ROC-AUC {auc}", model.model_version);
        let report = evaluate(&c, &data, model.threshold);
        assert_eq!(report.per_kind.len(), 4);
        assert!(report.overall.fpr < 0.05, "{:?}", report.overall);
    }
}

#[test]
fn model_files_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    forest().save(&path).expect("saves");
    let loaded = ModelFile::load(&path).expect("loads");
    assert!(loaded.ensemble == forest().ensemble, "trees survive the round trip");
    assert_eq!(loaded.threshold, forest().threshold);
    assert_eq!(loaded.importance, forest().importance);
    assert!(loaded.model_version.starts_with("random_forest-synthetic-"));
    assert!(loaded.threshold > 0.0 && loaded.threshold < 1.0);
    assert_eq!(loaded.importance.len(), vigil_features::FEATURE_COUNT);
}

#[test]
fn a_model_for_another_schema_is_refused() {
    let mut json = serde_json::to_value(forest()).expect("serialise");
    json["feature_schema"] = serde_json::json!(SCHEMA_VERSION + 1);
    let err = ModelFile::from_json(&json.to_string(), "old.json").expect_err("refused");
    assert!(matches!(err, ClassifierError::SchemaMismatch { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("feature schema") && message.contains("retrain"), "{message}");
}

#[test]
fn broken_model_files_are_clear_errors() {
    let good = serde_json::to_string(forest()).expect("serialise");
    let err = ModelFile::from_json(&good[..good.len() / 2], "cut.json").expect_err("truncated");
    assert!(err.to_string().contains("cut.json"), "{err}");
    let err = ModelFile::from_json(r#"{"format":"other"}"#, "x.json").expect_err("format");
    assert!(err.to_string().contains("vigil-tx-classifier"), "{err}");
    let mut json = serde_json::to_value(forest()).expect("serialise");
    json["ensemble"]["trees"][0]["left"][0] = serde_json::json!(1_000_000);
    let err = ModelFile::from_json(&json.to_string(), "loop.json").expect_err("bad tree");
    assert!(err.to_string().contains("tree 0"), "{err}");
    let err = ModelFile::load(std::path::Path::new("/nonexistent/model.json")).expect_err("io");
    assert!(err.to_string().contains("failed to read"), "{err}");
}

#[test]
fn the_shipped_model_loads() {
    let c = vigil_classifier::Classifier::shipped().expect("the shipped model is valid");
    assert_eq!(c.model().feature_schema, SCHEMA_VERSION);
    assert!(!c.model().training.data.is_empty());
    let size = vigil_classifier::DEFAULT_MODEL_JSON.len();
    assert!(size < 5 * 1024 * 1024, "shipped model is {size} bytes");
}

#[test]
fn packed_evaluator_agrees_with_the_trees() {
    let data = dataset(6);
    for model in [forest(), boosted()] {
        let c = classifier(model);
        for x in rows(&data) {
            let per_tree = model.ensemble.probability(x.as_slice());
            assert_eq!(c.probability(x), per_tree, "{}", model.model_version);
        }
    }
}
