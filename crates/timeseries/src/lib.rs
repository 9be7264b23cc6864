//! Time-series anomaly detection — two *judges* in observe → judge → act. The
//! [`PriorityFeeDetector`] keeps, per monitored contract, the maximum priority fee of each
//! hour over a rolling week (gaps interpolated, denoised by a Kalman filter, forecast by
//! additive Holt-Winters with automatically chosen parameters) and reports transactions whose
//! tip breaks out of the forecast band. The [`PriceAnomalyDetector`] keeps, per Uniswap V3 or
//! V2 pool, the per-minute mean price decoded from `Swap` / `Sync` logs, fits a Prophet-style
//! model on a schedule and reports prices that leave its band. Both are pure; their series
//! and fitted parameters are exported through a [`SeriesHandle`] and kept by a
//! [`SeriesStore`] (SQLite or PostgreSQL) so a restart resumes without refitting. Around
//! them: a NAB scorer ([`nab`]), plots of a series with its band ([`plot`]), the bridge fee
//! replay ([`gas`]) and benchmarks ([`bench`]).

pub mod band;
pub mod bench;
mod fee;
pub mod gas;
pub mod holt_winters;
pub mod interpolate;
pub mod kalman;
pub mod nab;
mod optimize;
pub mod plot;
pub(crate) mod price;
pub mod prophet;
pub mod ring;
pub mod seasonal;
pub mod state;
pub mod store;
pub mod swap;
pub mod time;

pub use fee::{PriorityFeeConfig, PriorityFeeDetector};
pub use price::{PoolConfig, PriceAnomalyConfig, PriceAnomalyDetector, PricePointView};
pub use state::{DetectorStats, SeriesHandle, SeriesState};
pub use store::{SeriesStore, StoreError, persist_loop};
