//! [`ChainClock`]: the time the timing features measure in — chain time, read from committed
//! block timestamps, plus how long after the latest block a transaction arrived. Wall-clock
//! arrival times alone would make the features depend on how fast a stream is played (a
//! replay, a range scenario mined as fast as the node can); block timestamps do not.

use vigil_types::UnixMillis;

/// Largest arrival offset counted after the latest block; a stalled chain does not make
/// every later transaction look ever later.
pub const MAX_OFFSET_MS: u64 = 60_000;

/// Maps arrival times to chain time. Monotonic: it never goes back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChainClock {
    /// (block timestamp in ms, arrival time of that block's event).
    anchor: Option<(UnixMillis, UnixMillis)>,
    last: UnixMillis,
}

impl ChainClock {
    /// A clock that has seen no block: it passes arrival times through until one arrives.
    pub fn new() -> Self {
        Self::default()
    }

    /// A block with `timestamp` (seconds, from its header) was committed; its event arrived at
    /// `seen_at`. Older blocks (reorgs, backfill) do not move the clock.
    pub fn on_block(&mut self, timestamp: u64, seen_at: UnixMillis) {
        let block_ms = timestamp.saturating_mul(1000);
        if self.anchor.is_none_or(|(ms, _)| block_ms > ms) {
            self.anchor = Some((block_ms, seen_at));
        }
    }

    /// Chain time of something that arrived at `seen_at`.
    pub fn now(&mut self, seen_at: UnixMillis) -> UnixMillis {
        let t = match self.anchor {
            Some((block_ms, at)) => block_ms + seen_at.saturating_sub(at).min(MAX_OFFSET_MS),
            None => seen_at,
        };
        self.last = self.last.max(t);
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_blocks_and_never_goes_back() {
        let mut c = ChainClock::new();
        assert_eq!(c.now(5_000), 5_000);
        c.on_block(1_000, 6_000);
        assert_eq!(c.now(6_250), 1_000_250);
        assert_eq!(c.now(999_999), 1_000_000 + MAX_OFFSET_MS);
        c.on_block(900, 7_000); // an older block: ignored
        assert_eq!(c.now(7_000), 1_000_000 + MAX_OFFSET_MS);
        c.on_block(1_100, 8_000);
        assert_eq!(c.now(8_100), 1_100_100);
    }
}
