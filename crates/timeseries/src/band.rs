//! The forecast band and how far outside it an observation lies.

use serde::{Deserialize, Serialize};
use vigil_types::ThreatLevel;

/// An expected value with its spread: `mid ± z·sigma`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The forecast.
    pub mid: f64,
    /// One standard deviation of the forecast error.
    pub sigma: f64,
    /// Half-width of the band in sigmas.
    pub z: f64,
}

/// Where an observation lies relative to a band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviation {
    /// `(observed - mid) / sigma`, signed.
    pub sigmas: f64,
    /// Whether it lies outside `mid ± z·sigma`.
    pub outside: bool,
    /// Confidence that it is a real breakout, `0..=1`: 0 on the band's edge, 0.5 at twice
    /// the band's half-width, approaching 1 far out.
    pub confidence: f64,
}

impl Band {
    /// Lower edge.
    pub fn lower(&self) -> f64 {
        self.mid - self.z * self.sigma
    }

    /// Upper edge.
    pub fn upper(&self) -> f64 {
        self.mid + self.z * self.sigma
    }

    /// Whether every number in the band is finite and the spread positive.
    pub fn is_valid(&self) -> bool {
        self.mid.is_finite() && self.sigma.is_finite() && self.sigma > 0.0 && self.z.is_finite()
    }

    /// Where `observed` lies. A non-finite input or band yields a zero deviation.
    pub fn deviation(&self, observed: f64) -> Deviation {
        if !self.is_valid() || !observed.is_finite() {
            return Deviation { sigmas: 0.0, outside: false, confidence: 0.0 };
        }
        let sigmas = (observed - self.mid) / self.sigma;
        let far = sigmas.abs();
        let outside = far > self.z;
        let confidence = if outside { (1.0 - self.z / far).clamp(0.0, 1.0) } else { 0.0 };
        Deviation { sigmas, outside, confidence }
    }
}

impl Deviation {
    /// The threat level for this deviation: the design's probability bands applied to the
    /// confidence, at least `Low` once outside the band.
    pub fn level(&self) -> ThreatLevel {
        if !self.outside {
            return ThreatLevel::Info;
        }
        ThreatLevel::from_probability(self.confidence).max(ThreatLevel::Low)
    }
}

/// One bucket for plots and views: `(bucket start ms, observed value or NaN, band as
/// (lower, forecast, upper) when there was one)`.
pub type BandRow = (u64, f64, Option<(f64, f64, f64)>);

/// A monotone map of a sigma distance into `0..1`, for scoring (NAB) where only the order
/// of scores matters.
pub fn anomaly_score(sigmas: f64) -> f64 {
    let far = sigmas.abs();
    if far.is_finite() { far / (far + 3.0) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_and_level_grow_with_distance() {
        let band = Band { mid: 10.0, sigma: 1.0, z: 3.0 };
        assert!(!band.deviation(12.9).outside);
        let near = band.deviation(13.5);
        let far = band.deviation(40.0);
        assert!(near.outside && far.outside);
        assert!(far.confidence > near.confidence);
        assert_eq!(near.level(), ThreatLevel::Low);
        assert_eq!(far.level(), ThreatLevel::Critical);
        assert_eq!(band.deviation(f64::NAN).confidence, 0.0);
        assert!(!Band { mid: 1.0, sigma: 0.0, z: 3.0 }.deviation(5.0).outside);
    }
}
