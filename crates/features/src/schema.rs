//! The feature schema: names, order and meaning of every slot of a [`FeatureVector`]. Changing
//! the order, the meaning or the set of features bumps [`SCHEMA_VERSION`]: a model trained on
//! one schema cannot be used with another.

use serde::{Deserialize, Serialize};

/// Version of the feature schema. Model files record it; loading a model built for another
/// schema is an error.
pub const SCHEMA_VERSION: u32 = 1;

/// One feature: its stable name and a line saying what it measures and why it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Stable machine name, used in model files, factors and evidence.
    pub name: &'static str,
    /// What it measures and why it matters.
    pub doc: &'static str,
}

macro_rules! features {
    ($($variant:ident = $name:literal : $doc:literal,)*) => {
        /// The features, in vector order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(usize)]
        pub enum Feature {
            $(#[doc = $doc] $variant,)*
        }

        /// Every feature's spec, in vector order.
        pub const FEATURES: &[FeatureSpec] = &[$(FeatureSpec { name: $name, doc: $doc },)*];

        impl Feature {
            /// Every feature, in vector order.
            pub const ALL: &[Feature] = &[$(Feature::$variant,)*];
        }
    };
}

features! {
    SelectorEntropy = "selector_entropy":
        "Shannon entropy (bits, 0..3) of the selector's eight hex nibbles; vanity and brute-forced selectors of attack contracts stand out against ordinary ones.",
    UnknownFunction = "unknown_function":
        "1 when the calldata has a selector that neither the target's ABI nor the selector registry decodes; attack helpers call functions no one published.",
    ZeroAddressParam = "zero_address_param":
        "1 when a decoded address parameter is the zero address; burns, unset owners and uninitialised proxies are abused this way.",
    MaxUintParam = "max_uint_param":
        "1 when an integer parameter (or a raw argument word) equals 2^256-1; unlimited approvals and overflow probes use it.",
    TinyParam = "tiny_param":
        "1 when a non-zero integer parameter is below 1,000: dust probes, loop counts and re-entry depths rather than token amounts.",
    HugeParam = "huge_param":
        "1 when an integer parameter is at least 10^30 but not the maximum: beyond any plausible amount, typical of forged messages and price pumps.",
    ParamCount = "param_count":
        "Top-level parameters of the decoded call, or 32-byte argument words of undecoded calldata; complex exploits carry many.",
    DynamicParams = "dynamic_params":
        "Parameters of dynamic type (bytes, string, arrays), or offset-shaped words of undecoded calldata; payloads and batches hide there.",
    NestingDepth = "nesting_depth":
        "Deepest nesting of arrays and tuples in the parameter types; structural complexity of the call.",
    CalldataLenLog = "calldata_len_log":
        "log2(1 + calldata bytes), init code included for creations; exploit deployments and batched calls are long.",
    CalldataEntropy = "calldata_entropy":
        "Shannon entropy (bits per byte, 0..8) of the argument bytes; packed, signed or bytecode payloads are denser than ABI-padded amounts.",
    ValueLog = "value_log":
        "log10(1 + wei sent); stakes for re-entrancy and bribes move ether, most contract calls send none.",
    GasPricePercentile = "gas_price_percentile":
        "Share of recent transactions whose bid (tip, or gas price for legacy) is below this one (0.5 without history); attackers racing others bid high.",
    GasPriceAnomaly = "gas_price_anomaly":
        "1 when the bid is more than 3.5 robust deviations above the recent median in log space; a tip far above the market is a race.",
    GasLimitLog = "gas_limit_log":
        "log2(1 + gas limit); loops, flash loans and constructor exploits need far more gas than ordinary calls.",
    CallDepthEstimate = "call_depth_estimate":
        "Estimated depth of the call tree: 1 for a plain call, plus one per level of embedded calldata, outgoing calls in the known code and callback-style functions.",
    DelegatecallIndicator = "delegatecall_indicator":
        "1 when the known code (target or init code) contains DELEGATECALL/CALLCODE, 0.5 when the function forwards a payload to be executed; storage hijacks go through it.",
    ExternalCallIndicator = "external_call_indicator":
        "1 when the known code makes outgoing calls, 0.5 when the function is a callback-style one (flash loan, swap with data, multicall, execute); every drain ends in a call.",
    StateChangeIndicator = "state_change_indicator":
        "1 for creations, value transfers and functions that write state, 0 for view-style names; judges whether the transaction can move anything at all.",
    ReentrancySignature = "reentrancy_signature":
        "Code that references a withdraw-style function and makes calls, fed with ether or a deposit (1), or only the first two (0.5): the shape of a re-entrancy drainer.",
    FlashLoanSignature = "flash_loan_signature":
        "Code that borrows through or receives a flash loan (1), or a direct flash-loan call or an embedded one (0.5): capital for one-block attacks.",
    PriceManipulationSignature = "price_manipulation_signature":
        "Code or embedded calldata that swaps and borrows or liquidates (1), or swaps and reads a spot price (0.5): pump the oracle, then borrow against it.",
    NewSender = "new_sender":
        "1 when the sender's nonce is 0: a brand-new account, as freshly funded attack wallets are.",
    SenderFirstSeen = "sender_first_seen":
        "1 when this sender was never seen before in the observed traffic.",
    SenderBurst = "sender_burst":
        "log2(1 + transactions from the same sender in the previous 60 s); multi-step attacks come in bursts.",
    TimingAnomaly = "timing_anomaly":
        "max(e^(-t/300 s) for t since the sender's own contract deployment, a burst score of recent sends / 5, capped at 1): a call right after deploying is the classic exploit rhythm.",
    IsCreation = "is_creation":
        "1 for contract creations; attack contracts are deployed shortly before, or exploit in their constructor.",
    TargetFreshContract = "target_fresh_contract":
        "e^(-age/1 h) of the target contract when its creation was observed, else 0; protocols are old, attack helpers are minutes old.",
    CallsOwnContract = "calls_own_contract":
        "1 when the target was created by this very sender; attackers call the helper they just deployed.",
    PrivilegedCall = "privileged_call":
        "1 when the function is an initializer, ownership, role, upgrade, sweep or pause function; takeovers call exactly these.",
    AddressParams = "address_params":
        "Address parameters (decoded, or address-shaped words of undecoded calldata); exploit contracts are wired to many protocol addresses.",
}

/// Number of features in a vector of this schema.
pub const FEATURE_COUNT: usize = FEATURES.len();

impl Feature {
    /// Position in the vector.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The feature's spec.
    pub fn spec(self) -> FeatureSpec {
        FEATURES[self.index()]
    }

    /// Stable name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// The features of one transaction, in [`FEATURES`] order. Every value is finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeatureVector(#[serde(with = "array")] pub [f32; FEATURE_COUNT]);

impl Default for FeatureVector {
    fn default() -> Self {
        Self([0.0; FEATURE_COUNT])
    }
}

impl FeatureVector {
    /// The value of `feature`.
    pub fn get(&self, feature: Feature) -> f32 {
        self.0[feature.index()]
    }

    /// Sets `feature`, mapping NaN and infinities to 0 so the vector stays finite.
    pub fn set(&mut self, feature: Feature, value: f32) {
        self.0[feature.index()] = if value.is_finite() { value } else { 0.0 };
    }

    /// The values, in schema order.
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }

    /// `(name, value)` pairs, in schema order.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        FEATURES.iter().zip(self.0).map(|(spec, v)| (spec.name, v))
    }

    /// The vector as a JSON object keyed by feature name.
    pub fn to_json(&self) -> serde_json::Value {
        let map = self
            .named()
            .map(|(name, v)| (name.to_owned(), serde_json::json!((v as f64 * 1e4).round() / 1e4)))
            .collect::<serde_json::Map<_, _>>();
        serde_json::Value::Object(map)
    }
}

mod array {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::FEATURE_COUNT;

    pub(super) fn serialize<S: Serializer>(
        v: &[f32; FEATURE_COUNT],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<[f32; FEATURE_COUNT], D::Error> {
        let values = Vec::<f32>::deserialize(d)?;
        let n = values.len();
        values
            .try_into()
            .map_err(|_| D::Error::custom(format!("expected {FEATURE_COUNT} features, got {n}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ordered() {
        let mut names: Vec<_> = FEATURES.iter().map(|f| f.name).collect();
        assert_eq!(Feature::ALL.len(), FEATURE_COUNT);
        for (i, f) in Feature::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FEATURE_COUNT);
        const { assert!(FEATURE_COUNT >= 22) };
    }

    #[test]
    fn setting_nan_keeps_the_vector_finite() {
        let mut v = FeatureVector::default();
        v.set(Feature::ValueLog, f32::NAN);
        v.set(Feature::GasLimitLog, f32::INFINITY);
        assert!(v.as_slice().iter().all(|x| x.is_finite()));
    }
}
