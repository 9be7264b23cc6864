//! Integration tests of vigil-timeseries, one binary: reference values, both detectors,
//! persistence, the shared data sets, plots, and the attack range.

mod data;
mod fee;
mod plot;
mod price;
mod range;
mod reference;
mod store;
mod support;
