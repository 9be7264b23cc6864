//! The protocol side of incidents: the guardian's pause, the owner's unpause.

use alloy::primitives::Address;

use crate::{PlannedTx, RangeDeployment, abi::IGuarded, deploy::GWEI};

impl RangeDeployment {
    /// The guardian's `pause()` of `victim` (what vigil's defense sends).
    pub fn pause_tx(&self, victim: Address) -> PlannedTx {
        PlannedTx::call(self.roles.guardian, victim, &IGuarded::pauseCall {}, 100_000)
            .with_tip(GWEI)
    }

    /// The owner's `unpause()` of `victim`.
    pub fn unpause_tx(&self, victim: Address) -> PlannedTx {
        PlannedTx::call(self.roles.owner, victim, &IGuarded::unpauseCall {}, 100_000).with_tip(GWEI)
    }
}
