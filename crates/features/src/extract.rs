//! The pure feature function: one transaction and its context in, one finite vector out.

use std::sync::OnceLock;

use vigil_types::{DecodedBy, TxInfo};

use crate::{
    CodeSummary, Feature as F, FeatureVector, TxContext,
    params::ParamStats,
    signatures::{self as sig, contains, families},
};

/// Bytes of calldata the entropy looks at.
const ENTROPY_WINDOW: usize = 4096;

/// `c · log2(c)` for every count the entropy can meet, computed once.
fn c_log2_c() -> &'static [f32] {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=ENTROPY_WINDOW)
            .map(|c| if c == 0 { 0.0 } else { c as f32 * (c as f32).log2() })
            .collect()
    })
}

/// Shannon entropy, in bits, of the byte distribution of `bytes` (at most the first 4 KiB):
/// `log2 n − Σ c·log2 c / n`, with the products from a table.
fn byte_entropy(bytes: &[u8]) -> f32 {
    let bytes = &bytes[..bytes.len().min(ENTROPY_WINDOW)];
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u16; 256];
    for b in bytes {
        counts[usize::from(*b)] += 1;
    }
    let table = c_log2_c();
    let sum: f32 = counts.iter().map(|c| table[usize::from(*c)]).sum();
    let n = bytes.len() as f32;
    (n.log2() - sum / n).max(0.0)
}

/// Entropy, in bits, of the eight hex nibbles of a selector.
fn selector_entropy(selector: [u8; 4]) -> f32 {
    let mut counts = [0u8; 16];
    for b in selector {
        counts[usize::from(b >> 4)] += 1;
        counts[usize::from(b & 0x0f)] += 1;
    }
    -counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| (f32::from(*c) / 8.0) * (f32::from(*c) / 8.0).log2())
        .sum::<f32>()
}

fn log2_1p(x: f64) -> f32 {
    (x.max(0.0) + 1.0).log2() as f32
}

/// Computes the feature vector of `tx` in `ctx`. Pure: the same inputs give the same vector,
/// and every value is finite whatever the input.
pub fn extract(tx: &TxInfo, ctx: &TxContext<'_>) -> FeatureVector {
    let mut v = FeatureVector::default();
    let fam = families();
    let input: &[u8] = &tx.input;
    let creation = tx.to.is_none();
    let selector =
        (!creation && input.len() >= 4).then(|| [input[0], input[1], input[2], input[3]]);
    let selector_u32 = selector.map(u32::from_be_bytes);
    let call = tx.call.as_ref();
    let name = call.and_then(|c| c.function.as_deref()).unwrap_or("");
    let decoded =
        call.is_some_and(|c| matches!(c.decoded_by, DecodedBy::ContractAbi | DecodedBy::Registry));
    let unknown = selector.is_some() && !decoded;

    let params = match (creation, decoded, call) {
        (true, ..) => ParamStats::default(),
        (false, true, Some(c)) => ParamStats::decoded(&c.args),
        _ => ParamStats::raw(input.get(4..).unwrap_or_default()),
    };
    let code: Option<&CodeSummary> = ctx.code;

    v.set(F::SelectorEntropy, selector.map_or(0.0, selector_entropy));
    v.set(F::UnknownFunction, f32::from(u8::from(unknown)));
    v.set(F::ZeroAddressParam, f32::from(u8::from(params.zero_address)));
    v.set(F::MaxUintParam, f32::from(u8::from(params.max_uint)));
    v.set(F::TinyParam, f32::from(u8::from(params.tiny)));
    v.set(F::HugeParam, f32::from(u8::from(params.huge)));
    v.set(F::ParamCount, params.count as f32);
    v.set(F::DynamicParams, params.dynamic as f32);
    v.set(F::NestingDepth, params.nesting as f32);
    v.set(F::CalldataLenLog, log2_1p(input.len() as f64));
    let args = if creation { input } else { input.get(4..).unwrap_or_default() };
    v.set(F::CalldataEntropy, byte_entropy(args));
    let value = f64::from(tx.value);
    v.set(F::ValueLog, (value.max(0.0) + 1.0).log10() as f32);
    v.set(F::GasPricePercentile, ctx.bid_percentile.clamp(0.0, 1.0));
    v.set(F::GasPriceAnomaly, f32::from(u8::from(ctx.bid_zscore > 3.5)));
    v.set(F::GasLimitLog, log2_1p(tx.gas_limit as f64));

    let embedded = &params.embedded_selectors[..(params.embedded_calls as usize).min(4)];
    let callback_style = sig::is_callback_style(name);
    let code_calls = code.map_or(0, CodeSummary::outgoing_calls);
    let depth = 1
        + u32::from(code_calls > 0)
        + u32::from(code.is_some_and(|c| c.creates > 0))
        + params.embedded_calls.min(3)
        + u32::from(callback_style);
    v.set(F::CallDepthEstimate, depth as f32);
    let delegate = if code.is_some_and(|c| c.delegate_calls > 0) {
        1.0
    } else if sig::is_delegating(name) && params.dynamic > 0 {
        0.5
    } else {
        0.0
    };
    v.set(F::DelegatecallIndicator, delegate);
    let external = if code_calls > 0 {
        1.0
    } else if callback_style || params.embedded_calls > 0 {
        0.5
    } else {
        0.0
    };
    v.set(F::ExternalCallIndicator, external);
    let writes = creation
        || !tx.value.is_zero()
        || code.is_some_and(|c| c.stores > 0)
        || (!input.is_empty() && !sig::is_view_like(name));
    v.set(F::StateChangeIndicator, f32::from(u8::from(writes)));

    let refs = |family: &[u32]| {
        code.is_some_and(|c| c.references_any(family))
            || embedded.iter().any(|s| contains(family, *s))
    };
    let reentrancy = match code {
        Some(c) if c.references_any(&fam.withdraw) && c.calls > 0 => {
            if !tx.value.is_zero() || c.references_any(&fam.deposit) { 1.0 } else { 0.5 }
        }
        _ => 0.0,
    };
    v.set(F::ReentrancySignature, reentrancy);
    let flash = if code.is_some_and(|c| c.references_any(&fam.flash)) {
        1.0
    } else if selector_u32.is_some_and(|s| contains(&fam.flash, s))
        || embedded.iter().any(|s| contains(&fam.flash, *s))
    {
        0.5
    } else {
        0.0
    };
    v.set(F::FlashLoanSignature, flash);
    let swaps = refs(&fam.swap);
    let manipulation = if swaps && refs(&fam.borrow) {
        1.0
    } else if swaps && refs(&fam.price_read) {
        0.5
    } else {
        0.0
    };
    v.set(F::PriceManipulationSignature, manipulation);

    v.set(F::NewSender, f32::from(u8::from(tx.nonce == 0)));
    v.set(F::SenderFirstSeen, f32::from(u8::from(!ctx.sender_seen)));
    v.set(F::SenderBurst, log2_1p(f64::from(ctx.sender_recent)));
    let after_deploy =
        ctx.since_own_deployment.map_or(0.0, |ms| (-(ms as f64) / 300_000.0).exp() as f32);
    let burst = (ctx.sender_recent as f32 / 5.0).min(1.0);
    v.set(F::TimingAnomaly, after_deploy.max(burst));
    v.set(F::IsCreation, f32::from(u8::from(creation)));
    let fresh = ctx.target.map_or(0.0, |t| {
        (-(ctx.seen_at.saturating_sub(t.created_at) as f64) / 3_600_000.0).exp() as f32
    });
    v.set(F::TargetFreshContract, fresh);
    v.set(
        F::CallsOwnContract,
        f32::from(u8::from(ctx.target.is_some_and(|t| t.creator == tx.from))),
    );
    v.set(F::PrivilegedCall, f32::from(u8::from(decoded && sig::is_privileged(name))));
    v.set(F::AddressParams, params.addresses as f32);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropies_are_bounded() {
        assert_eq!(byte_entropy(&[]), 0.0);
        assert!((byte_entropy(&(0..=255u8).collect::<Vec<_>>()) - 8.0).abs() < 1e-4);
        assert_eq!(selector_entropy([0, 0, 0, 0]), 0.0);
        assert!((selector_entropy([0x01, 0x23, 0x45, 0x67]) - 3.0).abs() < 1e-6);
    }
}
