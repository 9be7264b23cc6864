//! Findings and plot views of the price-anomaly detector.

use serde_json::json;
use vigil_types::{Event, Factor, Finding, FindingId, LogEntry, Subject};

use super::{PricePointView, PriceState, series::PriceSeries, series::minute_seconds};
use crate::{
    band::{Band, Deviation},
    swap::PricePoint,
    time::{MINUTE_MS, utc_minute},
};

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    analyzer: &str,
    event: &Event,
    log: &LogEntry,
    point: PricePoint,
    price: f64,
    minute: u64,
    band: &Band,
    dev: Deviation,
) -> Option<Finding> {
    let (lower, mid, upper) = (band.lower().exp(), band.mid.exp(), band.upper().exp());
    let change_pct = (price / mid - 1.0) * 100.0;
    if [price, lower, mid, upper, dev.sigmas, dev.confidence, change_pct]
        .iter()
        .any(|v| !v.is_finite())
    {
        return None;
    }
    let pool = log.address;
    let subject =
        Subject::Key { key: format!("pool:{pool:#x}@{}", utc_minute(minute * MINUTE_MS)) };
    let direction = if dev.sigmas > 0.0 { "above" } else { "below" };
    let mut factors = vec![
        Factor {
            name: "price_outside_band".into(),
            contribution: dev.confidence,
            detail: format!(
                "price {price:.6} is {:.1}σ {direction} the forecast {mid:.6} (band {lower:.6}..{upper:.6}, ±{}σ)",
                dev.sigmas.abs(),
                band.z
            ),
        },
        Factor {
            name: "relative_change".into(),
            contribution: (change_pct.abs() / 100.0).min(1.0),
            detail: format!("{change_pct:+.2}% from the forecast"),
        },
    ];
    let impact = point.execution_price.map(|e| (e / point.price).ln().abs());
    if let Some(gap) = impact.filter(|g| g.is_finite() && *g > 0.05) {
        factors.push(Factor {
            name: "large_swap_impact".into(),
            contribution: gap.min(1.0),
            detail: format!(
                "execution price differs {:.1}% from the pool price after the swap",
                gap.exp_m1() * 100.0
            ),
        });
    }
    Some(Finding {
        id: FindingId::derive(analyzer, &subject),
        analyzer: analyzer.to_owned(),
        chain_id: event.chain_id,
        subject,
        target: Some(pool),
        threat_level: dev.level(),
        confidence: dev.confidence,
        summary: format!(
            "pool {pool} price {price:.6} left its band ({change_pct:+.1}%, {:.1}σ {direction})",
            dev.sigmas.abs()
        ),
        factors,
        evidence: json!({
            "pool": pool,
            "source": point.source.as_str(),
            "price": price,
            "band": {"lower": lower, "forecast": mid, "upper": upper},
            "sigmas": dev.sigmas,
            "band_sigmas": band.z,
            "minute": utc_minute(minute * MINUTE_MS),
            "tx": log.tx_hash,
            "block_number": log.block_number,
            "log_index": log.log_index,
            "execution_price_raw": point.execution_price.filter(|v| v.is_finite()),
            "spot_price_raw": point.price,
        }),
        observed_at: event.seen_at,
    })
}

pub(super) fn view(s: &PriceSeries, state: &PriceState) -> Vec<PricePointView> {
    let z = state.config.band_sigmas;
    s.ring
        .points()
        .into_iter()
        .map(|(m, v)| {
            let band = s
                .band(minute_seconds(m), z)
                .map(|b| (b.lower().exp(), b.mid.exp(), b.upper().exp()));
            (m * MINUTE_MS, v.exp(), band, s.flagged.binary_search(&m).is_ok())
        })
        .collect()
}
