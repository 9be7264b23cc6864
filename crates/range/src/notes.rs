//! Mixer notes: deposited while preparing a scenario, withdrawn later to fund fresh
//! addresses (an attacker's gas money, or a privacy-minded user's first ether).

use alloy::primitives::{Address, B256, U256, keccak256};

use crate::{
    Chain, PlannedTx, RangeDeployment, Result,
    abi::Mixer,
    deploy::{GWEI, units},
};

/// Mixer denominations in whole ether, smallest first.
pub(crate) const DENOMINATIONS: [u64; 3] = [1, 10, 100];

#[derive(Debug, Clone)]
struct Note {
    secret: B256,
    denomination: u64,
    spent: bool,
}

/// Unspent mixer notes whose secrets the range knows.
#[derive(Debug, Clone, Default)]
pub struct NoteBook {
    notes: Vec<Note>,
}

impl NoteBook {
    /// Deposits `counts[i]` notes of `DENOMINATIONS[i]` ether (1, 10, 100) from the range's
    /// depositors and mines them. Secrets derive from `seed` and the current block, so
    /// preparing twice on one node never reuses a note.
    pub async fn deposit(
        chain: &mut Chain,
        range: &RangeDeployment,
        seed: u64,
        counts: [usize; 3],
    ) -> Result<Self> {
        let block = chain.rpc().block_number().await?;
        let mut notes = Vec::new();
        let mut txs = Vec::new();
        for (denomination, count) in DENOMINATIONS.into_iter().zip(counts) {
            for _ in 0..count {
                let index = notes.len() as u64;
                let mut preimage = Vec::with_capacity(32);
                preimage.extend_from_slice(&seed.to_be_bytes());
                preimage.extend_from_slice(&block.to_be_bytes());
                preimage.extend_from_slice(&index.to_be_bytes());
                preimage.extend_from_slice(b"range-note");
                let secret = keccak256(&preimage);
                let depositor = range.roles.depositors[notes.len() % range.roles.depositors.len()];
                let call = Mixer::depositCall { commitment: keccak256(secret) };
                txs.push(
                    PlannedTx::call(depositor, range.contracts.mixer, &call, 120_000)
                        .with_value(units(denomination))
                        .with_tip(GWEI),
                );
                notes.push(Note { secret, denomination, spent: false });
            }
        }
        for chunk in txs.chunks(150) {
            chain.execute(chunk).await?;
        }
        Ok(Self { notes })
    }

    /// Takes the smallest unspent note worth at least `need` wei: (secret, value in wei).
    pub fn take(&mut self, need: U256) -> Option<(B256, U256)> {
        let note = self
            .notes
            .iter_mut()
            .filter(|n| !n.spent && units(n.denomination) >= need)
            .min_by_key(|n| n.denomination)?;
        note.spent = true;
        Some((note.secret, units(note.denomination)))
    }

    /// Unspent notes left.
    pub fn unspent(&self) -> usize {
        self.notes.iter().filter(|n| !n.spent).count()
    }

    /// A relayed withdrawal of the note `secret` to `to`, keeping a 1 % fee for `relayer`.
    pub(crate) fn withdrawal(
        range: &RangeDeployment,
        secret: B256,
        value: U256,
        to: Address,
        tip: u64,
    ) -> PlannedTx {
        let relayer = range.roles.relayer;
        let call = Mixer::withdrawCall { secret, to, relayer, fee: value / U256::from(100u64) };
        PlannedTx::call(relayer, range.contracts.mixer, &call, 150_000).with_tip(tip)
    }
}

/// The note denomination (whole ether) that covers `need` wei, if any.
pub(crate) fn denomination_for(need: U256) -> Option<usize> {
    DENOMINATIONS.iter().position(|d| units(*d) >= need)
}
