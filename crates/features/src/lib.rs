//! Payload analysis for vigil — the first half of *judge* in observe → judge → act. Every
//! pending transaction becomes a fixed, documented, versioned [`FeatureVector`]: calldata
//! structure and parameter flags, value and gas, the call tree the target's known code
//! implies, exploit signatures (re-entrancy, flash loans, price manipulation), and the
//! sender's history. [`extract`] is a pure function; [`Featurizer`] adds the bounded traffic
//! history it needs. Live inference and offline training share both, so a model sees the same
//! features in production as in training. [`FEATURES`] documents every slot and
//! [`SCHEMA_VERSION`] versions the layout.

mod bytecode;
mod clock;
mod extract;
mod featurizer;
mod history;
mod params;
mod schema;
mod signatures;

pub use bytecode::{CodeSummary, MAX_SCANNED_CODE};
pub use clock::{ChainClock, MAX_OFFSET_MS};
pub use extract::extract;
pub use featurizer::Featurizer;
pub use history::{
    CreatedContract, HistoryLimits, TrafficHistory, TxContext, bid_of, created_address,
};
pub use schema::{FEATURE_COUNT, FEATURES, Feature, FeatureSpec, FeatureVector, SCHEMA_VERSION};
