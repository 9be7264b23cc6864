use std::sync::OnceLock;

use vigil_classifier::{
    Algorithm, BoostingParams, Classifier, Dataset, ForestParams, LabelledTx, ModelFile,
    SyntheticConfig, TrainOptions, featurize, generate, train,
};

pub(crate) fn stream(seed: u64) -> Vec<LabelledTx> {
    generate(&SyntheticConfig {
        seed,
        benign: 4_000,
        attacks: 120,
        senders: 400,
        duration_secs: 3 * 3600,
    })
}

pub(crate) fn dataset(seed: u64) -> Dataset {
    featurize(&stream(seed))
}

fn fit(algorithm: Algorithm) -> ModelFile {
    let options = TrainOptions {
        algorithm,
        data_label: "synthetic".into(),
        sources: vec!["synthetic:seed=1".into()],
        ..TrainOptions::default()
    };
    train(&dataset(1), &options, |_| {}).expect("trains")
}

/// A small forest trained on synthetic seed 1, shared by the tests.
pub(crate) fn forest() -> &'static ModelFile {
    static MODEL: OnceLock<ModelFile> = OnceLock::new();
    MODEL.get_or_init(|| {
        fit(Algorithm::RandomForest(ForestParams { trees: 30, ..ForestParams::default() }))
    })
}

/// A small boosted ensemble trained on synthetic seed 1.
pub(crate) fn boosted() -> &'static ModelFile {
    static MODEL: OnceLock<ModelFile> = OnceLock::new();
    MODEL.get_or_init(|| {
        fit(Algorithm::GradientBoosting(BoostingParams { trees: 40, ..BoostingParams::default() }))
    })
}

pub(crate) fn classifier(model: &ModelFile) -> Classifier {
    Classifier::new(model.clone())
}
