//! Bridge messages and the Merkle tree the updater commits, matching `Bridge.prove`.

use alloy::primitives::{Address, B256, U256, keccak256};

/// `abi.encode(uint64 nonce, address token, address recipient, uint256 amount)`.
pub(crate) fn bridge_message(
    nonce: u64,
    token: Address,
    recipient: Address,
    amount: U256,
) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out[24..32].copy_from_slice(&nonce.to_be_bytes());
    out[44..64].copy_from_slice(token.as_slice());
    out[76..96].copy_from_slice(recipient.as_slice());
    out[96..128].copy_from_slice(&amount.to_be_bytes::<32>());
    out
}

/// The root over `leaves` (padded with zero leaves to a power of two) and each leaf's branch.
pub(crate) fn root_and_proofs(leaves: &[B256]) -> (B256, Vec<Vec<B256>>) {
    let width = leaves.len().max(1).next_power_of_two();
    let mut level: Vec<B256> = leaves.to_vec();
    level.resize(width, B256::ZERO);
    let mut proofs = vec![Vec::new(); leaves.len()];
    let mut positions: Vec<usize> = (0..leaves.len()).collect();
    while level.len() > 1 {
        for (proof, position) in proofs.iter_mut().zip(positions.iter_mut()) {
            proof.push(level[*position ^ 1]);
            *position /= 2;
        }
        level = level
            .chunks(2)
            .map(|pair| {
                let mut buf = [0u8; 64];
                buf[..32].copy_from_slice(pair[0].as_slice());
                buf[32..].copy_from_slice(pair[1].as_slice());
                keccak256(buf)
            })
            .collect();
    }
    (level[0], proofs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(leaf: B256, proof: &[B256], index: usize) -> B256 {
        let mut node = leaf;
        for (i, sibling) in proof.iter().enumerate() {
            let mut buf = [0u8; 64];
            let (l, r) = if (index >> i) & 1 == 1 { (sibling, &node) } else { (&node, sibling) };
            buf[..32].copy_from_slice(l.as_slice());
            buf[32..].copy_from_slice(r.as_slice());
            node = keccak256(buf);
        }
        node
    }

    #[test]
    fn every_branch_leads_to_the_root() {
        let leaves: Vec<B256> = (0u8..5).map(|i| keccak256([i])).collect();
        let (root, proofs) = root_and_proofs(&leaves);
        for (i, leaf) in leaves.iter().enumerate() {
            assert_eq!(verify(*leaf, &proofs[i], i), root);
        }
        let (single, proofs) = root_and_proofs(&leaves[..1]);
        assert_eq!(single, leaves[0]);
        assert!(proofs[0].is_empty());
    }
}
