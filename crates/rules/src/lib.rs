//! Rule-based analyzers — the simplest *judges* in observe → judge → act. The
//! [`WatchlistAnalyzer`] turns every transaction to a monitored contract into a finding with
//! the decoded call, and raises its level by configurable rules.

mod watchlist;

pub use watchlist::{WatchlistAnalyzer, WatchlistConfig};
