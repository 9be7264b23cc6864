//! Prices from pool logs: Uniswap V3 `Swap` (`sqrtPriceX96`, cross-checked with the
//! amounts), Uniswap V2 `Sync` (reserves) and V2 `Swap` (amounts, used only for pools whose
//! `Sync` is not seen). Prices are token1 base units per token0 base unit; decimals are
//! applied by the caller.

use alloy_primitives::{B256, U256, b256};
use vigil_types::LogEntry;

/// `Swap(address,address,int256,int256,uint160,uint128,int24)` (Uniswap V3).
pub const V3_SWAP_TOPIC: B256 =
    b256!("c42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67");
/// `Swap(address,uint256,uint256,uint256,uint256,address)` (Uniswap V2).
pub const V2_SWAP_TOPIC: B256 =
    b256!("d78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822");
/// `Sync(uint112,uint112)` (Uniswap V2).
pub const V2_SYNC_TOPIC: B256 =
    b256!("1c411e9a96e071241c2f21f7726b17ae89e3cab4c78be50e062b03a9fffbbad1");

/// Which event a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// V3 `Swap`: the pool price after the swap.
    V3Swap,
    /// V2 `Sync`: the reserve ratio after the update.
    V2Sync,
    /// V2 `Swap`: the execution price of the swap.
    V2Swap,
}

impl PriceSource {
    /// Short name for evidence and counters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3Swap => "v3_swap",
            Self::V2Sync => "v2_sync",
            Self::V2Swap => "v2_swap",
        }
    }
}

/// A price read from one log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PricePoint {
    /// The event.
    pub source: PriceSource,
    /// Spot (V3 Swap, V2 Sync) or execution (V2 Swap) price, raw units.
    pub price: f64,
    /// `|amount1 / amount0|` of a swap, raw units, when both amounts are non-zero.
    pub execution_price: Option<f64>,
}

/// Why a log gave no price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SwapSkip {
    /// Not a swap or sync event.
    #[error("not a price event")]
    NotPriceEvent,
    /// The topics or data do not match the event's layout.
    #[error("malformed price event")]
    Malformed,
    /// A zero or non-finite price.
    #[error("zero or non-finite price")]
    ZeroPrice,
    /// Both swap amounts flow the same way.
    #[error("swap amounts with the same sign")]
    OddAmounts,
}

impl SwapSkip {
    /// Counter name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotPriceEvent => "skipped_not_price_event",
            Self::Malformed => "skipped_malformed_log",
            Self::ZeroPrice => "skipped_zero_price",
            Self::OddAmounts => "skipped_odd_swap_amounts",
        }
    }
}

fn word(data: &[u8], i: usize) -> U256 {
    U256::from_be_slice(&data[32 * i..32 * (i + 1)])
}

/// A `U256` as the nearest `f64`.
pub fn u256_to_f64(v: U256) -> f64 {
    v.as_limbs()
        .iter()
        .rev()
        .fold(0.0, |acc, &limb| acc * 18_446_744_073_709_551_616.0 + limb as f64)
}

/// An `int256` word as `f64`.
fn i256_to_f64(v: U256) -> f64 {
    if v.bit(255) { -u256_to_f64(v.wrapping_neg()) } else { u256_to_f64(v) }
}

fn fits(v: U256, bits: usize) -> bool {
    v.bit_len() <= bits
}

/// Reads the price of a pool log.
pub fn decode(log: &LogEntry) -> Result<PricePoint, SwapSkip> {
    let topic = log.topics.first().ok_or(SwapSkip::NotPriceEvent)?;
    let data = log.data.as_ref();
    let positive = |p: f64| if p.is_finite() && p > 0.0 { Ok(p) } else { Err(SwapSkip::ZeroPrice) };
    if *topic == V3_SWAP_TOPIC {
        if log.topics.len() != 3 || data.len() != 5 * 32 {
            return Err(SwapSkip::Malformed);
        }
        let (a0, a1, sqrt) =
            (i256_to_f64(word(data, 0)), i256_to_f64(word(data, 1)), word(data, 2));
        if !fits(sqrt, 160) || !fits(word(data, 3), 128) {
            return Err(SwapSkip::Malformed);
        }
        if a0 != 0.0 && a1 != 0.0 && a0.signum() == a1.signum() {
            return Err(SwapSkip::OddAmounts);
        }
        let root = u256_to_f64(sqrt) / 79_228_162_514_264_337_593_543_950_336.0;
        let execution_price = (a0 != 0.0 && a1 != 0.0).then(|| (a1 / a0).abs());
        Ok(PricePoint {
            source: PriceSource::V3Swap,
            price: positive(root * root)?,
            execution_price,
        })
    } else if *topic == V2_SYNC_TOPIC {
        if log.topics.len() != 1 || data.len() != 2 * 32 {
            return Err(SwapSkip::Malformed);
        }
        let (r0, r1) = (word(data, 0), word(data, 1));
        if !fits(r0, 112) || !fits(r1, 112) {
            return Err(SwapSkip::Malformed);
        }
        let price = positive(u256_to_f64(r1) / u256_to_f64(r0))?;
        Ok(PricePoint { source: PriceSource::V2Sync, price, execution_price: None })
    } else if *topic == V2_SWAP_TOPIC {
        if log.topics.len() != 3 || data.len() != 4 * 32 {
            return Err(SwapSkip::Malformed);
        }
        let w: Vec<f64> = (0..4).map(|i| u256_to_f64(word(data, i))).collect();
        let (in0, in1, out0, out1) = (w[0], w[1], w[2], w[3]);
        if (in0 > 0.0 && out0 > 0.0 && in1 == 0.0) || (in1 > 0.0 && out1 > 0.0 && in0 == 0.0) {
            return Err(SwapSkip::OddAmounts);
        }
        let price = positive((in1 + out1) / (in0 + out0))?;
        Ok(PricePoint { source: PriceSource::V2Swap, price, execution_price: Some(price) })
    } else {
        Err(SwapSkip::NotPriceEvent)
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Bytes, keccak256};

    use super::*;

    fn log(topic: B256, extra_topics: usize, words: &[U256]) -> LogEntry {
        let mut data = Vec::new();
        for w in words {
            data.extend_from_slice(&w.to_be_bytes::<32>());
        }
        let mut topics = vec![topic];
        topics.extend(std::iter::repeat_n(B256::ZERO, extra_topics));
        LogEntry {
            address: Default::default(),
            topics,
            data: Bytes::from(data),
            block_number: 1,
            block_hash: B256::ZERO,
            tx_hash: B256::ZERO,
            log_index: 0,
        }
    }

    #[test]
    fn topics_are_the_event_signatures() {
        assert_eq!(
            keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)"),
            V3_SWAP_TOPIC
        );
        assert_eq!(
            keccak256("Swap(address,uint256,uint256,uint256,uint256,address)"),
            V2_SWAP_TOPIC
        );
        assert_eq!(keccak256("Sync(uint112,uint112)"), V2_SYNC_TOPIC);
    }

    #[test]
    fn decodes_v3_price_and_cross_checks_amounts() {
        // sqrtPriceX96 = 2 * 2^96 → price 4; 1 token0 in, ~4 token1 out.
        let sqrt = U256::from(2u8) << 96;
        let a0 = U256::from(1_000_000u64);
        let a1 = U256::from(3_990_000u64).wrapping_neg();
        let p = decode(&log(V3_SWAP_TOPIC, 2, &[a0, a1, sqrt, U256::from(1u8), U256::ZERO]))
            .expect("price");
        assert!((p.price - 4.0).abs() < 1e-12);
        assert!((p.execution_price.expect("both amounts") - 3.99).abs() < 1e-9);
        let odd = log(V3_SWAP_TOPIC, 2, &[a0, a0, sqrt, U256::from(1u8), U256::ZERO]);
        assert_eq!(decode(&odd), Err(SwapSkip::OddAmounts));
        let zero = log(V3_SWAP_TOPIC, 2, &[a0, a1, U256::ZERO, U256::from(1u8), U256::ZERO]);
        assert_eq!(decode(&zero), Err(SwapSkip::ZeroPrice));
        assert_eq!(decode(&log(V3_SWAP_TOPIC, 2, &[a0])), Err(SwapSkip::Malformed));
        let huge = log(V3_SWAP_TOPIC, 2, &[a0, a1, U256::MAX, U256::from(1u8), U256::ZERO]);
        assert_eq!(decode(&huge), Err(SwapSkip::Malformed));
    }

    #[test]
    fn decodes_v2_sync_and_swap() {
        let sync = log(V2_SYNC_TOPIC, 0, &[U256::from(100u8), U256::from(250u16)]);
        assert_eq!(decode(&sync).expect("sync").price, 2.5);
        let swap =
            log(V2_SWAP_TOPIC, 2, &[U256::from(10u8), U256::ZERO, U256::ZERO, U256::from(20u8)]);
        assert_eq!(decode(&swap).expect("swap").price, 2.0);
        let empty = log(V2_SYNC_TOPIC, 0, &[U256::ZERO, U256::from(1u8)]);
        assert_eq!(decode(&empty), Err(SwapSkip::ZeroPrice));
        assert_eq!(decode(&log(B256::ZERO, 0, &[])), Err(SwapSkip::NotPriceEvent));
    }
}
