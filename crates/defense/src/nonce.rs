//! The guardian account's next nonce, kept locally so a pause never waits for a nonce lookup,
//! and resynchronised from the node whenever the node disagrees.

use vigil_types::Address;

use crate::{Result, rpc::NodeRpc};

/// The next nonce of one account.
#[derive(Debug)]
pub struct NonceTracker {
    account: Address,
    next: Option<u64>,
}

impl NonceTracker {
    /// A tracker for `account` that reads the node on first use.
    pub fn new(account: Address) -> Self {
        Self { account, next: None }
    }

    /// The nonce the next new transaction gets (from the node's pending count when unknown).
    pub async fn next(&mut self, rpc: &NodeRpc) -> Result<u64> {
        match self.next {
            Some(nonce) => Ok(nonce),
            None => self.resync(rpc).await,
        }
    }

    /// Reads the pending count from the node again (after "nonce too low/high").
    pub async fn resync(&mut self, rpc: &NodeRpc) -> Result<u64> {
        let nonce = rpc.pending_nonce(self.account).await?;
        self.next = Some(nonce);
        Ok(nonce)
    }

    /// Records that a transaction with `nonce` was accepted by the node.
    pub fn used(&mut self, nonce: u64) {
        self.next = Some(self.next.map_or(nonce + 1, |n| n.max(nonce + 1)));
    }

    /// Whether the tracker already knows the next nonce.
    pub fn is_known(&self) -> bool {
        self.next.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_nonces_only_move_forward() {
        let mut t = NonceTracker::new(Address::ZERO);
        assert!(!t.is_known());
        t.used(4);
        assert_eq!(t.next, Some(5));
        t.used(2);
        assert_eq!(t.next, Some(5));
        t.used(5);
        assert_eq!(t.next, Some(6));
    }
}
