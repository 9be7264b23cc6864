//! Findings and plot views of the priority-fee detector.

use serde_json::json;
use vigil_types::{Address, BlockInfo, Event, Factor, Finding, FindingId, Subject, TxInfo};

use super::{FeeState, series::FeeSeries};
use crate::{
    band::{BandRow, Deviation},
    seasonal::{BandSource, SeasonalForecast},
    time::{HOUR_MS, utc_minute},
};

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    state: &FeeState,
    event: &Event,
    tx: &TxInfo,
    contract: Address,
    gwei: f64,
    forecast: &SeasonalForecast,
    deviation: Deviation,
    block: Option<&BlockInfo>,
) -> Option<Finding> {
    let c = &state.config;
    let band = forecast.band;
    let (lower, mid, upper) =
        (c.to_gwei(band.lower()), c.to_gwei(band.mid), c.to_gwei(band.upper()));
    let numbers = [gwei, lower, mid, upper, deviation.sigmas, deviation.confidence];
    if numbers.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let method = match (forecast.source, forecast.params) {
        (BandSource::Robust, _) | (_, None) => {
            "cold start (under two days): median and robust spread of the hourly maxima".to_owned()
        }
        (source, Some(p)) => format!(
            "Kalman + Holt-Winters (α {:.3}, β {:.3}, γ {:.3}), {}-hour horizon{}",
            p.alpha,
            p.beta,
            p.gamma,
            forecast.horizon,
            if source == BandSource::Warming { ", cold start: window not yet full" } else { "" }
        ),
    };
    let subject = Subject::Tx { hash: tx.hash };
    let mined_only = block.is_some();
    let when = if mined_only { " (seen only once mined)" } else { "" };
    Some(Finding {
        id: FindingId::derive(&state.id, &subject),
        analyzer: state.id.clone(),
        chain_id: event.chain_id,
        subject,
        target: Some(contract),
        threat_level: deviation.level(),
        confidence: deviation.confidence,
        summary: format!(
            "priority fee {gwei:.3} gwei to {contract} is {:.1}σ above its hourly band (upper {upper:.3} gwei){when}",
            deviation.sigmas
        ),
        factors: vec![
            Factor {
                name: "priority_fee_above_band".into(),
                contribution: deviation.confidence,
                detail: format!(
                    "tip {gwei:.3} gwei vs forecast {mid:.3} gwei, band {lower:.3}..{upper:.3} gwei: {:.1}σ out, band is ±{}σ",
                    deviation.sigmas, band.z
                ),
            },
            Factor { name: "band_method".into(), contribution: 0.0, detail: method },
        ],
        evidence: json!({
            "contract": contract,
            "tx": tx.hash,
            "from": tx.from,
            "priority_fee_gwei": gwei,
            "band_gwei": {"lower": lower, "forecast": mid, "upper": upper},
            "sigmas": deviation.sigmas,
            "band_sigmas": band.z,
            "band_source": forecast.source,
            "params": forecast.params,
            "horizon_hours": forecast.horizon,
            "hour": utc_minute(event.seen_at / HOUR_MS * HOUR_MS),
            "mined_only": mined_only,
            "block_number": block.map(|b| b.number),
            "base_fee_per_gas": block.and_then(|b| b.base_fee_per_gas).map(|v| v.to_string()),
        }),
        observed_at: event.seen_at,
    })
}

/// `(hour start ms, observed gwei or NaN, band (lower, mid, upper) in gwei)` over the window.
pub(super) fn view(s: &FeeSeries, state: &FeeState) -> Vec<BandRow> {
    let Some(last) = s.ring.last_bucket() else { return Vec::new() };
    let end = last + 1;
    let (window, past) = s.history(end, &state.settings);
    let start = end - window.len() as u64;
    let c = &state.config;
    let mut bands = vec![None; window.len()];
    for (i, b) in past {
        if i < bands.len() {
            bands[i] = Some((c.to_gwei(b.lower()), c.to_gwei(b.mid), c.to_gwei(b.upper())));
        }
    }
    window
        .iter()
        .zip(bands)
        .enumerate()
        .map(|(i, (v, b))| ((start + i as u64) * HOUR_MS, c.to_gwei(*v), b))
        .collect()
}
