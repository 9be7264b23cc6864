//! Integration tests of the classifier: training and explanations, model files, the analyzer
//! on synthetic streams, and the analyzer live against the attack range on anvil.

mod analyzer;
mod model;
mod range;
mod support;
