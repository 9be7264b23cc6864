use sha2::{Digest, Sha256};

use crate::{BlockHeader, Hash, block::leading_zero_bits};

/// Highest difficulty the ledger accepts: beyond this a block takes hours on one core.
pub const MAX_DIFFICULTY: u32 = 40;

/// Finds the proof for `header`: the first nonce from 0 upwards whose block hash has at least
/// `header.difficulty` leading zero bits. Sets `header.nonce` and returns the hash.
///
/// The first 64 header bytes do not depend on the nonce, so their compression is done once and
/// each attempt costs one SHA-256 compression. The search is sequential on purpose: the nonce
/// then counts the work done, which keeps it proportional to the time spent (the tamper
/// detector relies on this).
pub fn mine(header: &mut BlockHeader) -> Hash {
    let encoded = header.encode();
    let mut prefix = Sha256::new();
    prefix.update(&encoded[..92]);
    let difficulty = header.difficulty.min(MAX_DIFFICULTY);
    let mut nonce = 0u64;
    loop {
        let mut attempt = prefix.clone();
        attempt.update(nonce.to_be_bytes());
        let hash: Hash = attempt.finalize().into();
        if meets(&hash, difficulty) {
            header.nonce = nonce;
            return hash;
        }
        nonce = nonce.wrapping_add(1);
    }
}

/// Whether `hash` has at least `difficulty` leading zero bits.
pub fn meets(hash: &Hash, difficulty: u32) -> bool {
    // Fast path: most attempts fail on the first two bytes.
    if difficulty >= 16 && (hash[0] | hash[1]) != 0 {
        return false;
    }
    leading_zero_bits(hash) >= difficulty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mined_hash_matches_header_and_difficulty() {
        let mut header = BlockHeader {
            height: 0,
            timestamp_ms: 1,
            record_count: 1,
            difficulty: 12,
            prev_hash: [0; 32],
            merkle_root: [3; 32],
            nonce: 0,
        };
        let hash = mine(&mut header);
        assert_eq!(hash, header.hash());
        assert!(leading_zero_bits(&hash) >= 12);
        // The first valid nonce: every smaller one fails.
        for nonce in 0..header.nonce {
            let probe = BlockHeader { nonce, ..header.clone() };
            assert!(!meets(&probe.hash(), 12));
        }
    }
}
