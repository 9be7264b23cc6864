use sha2::{Digest, Sha256};

use crate::Record;

/// Hash of an inner node: sha256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// Merkle root of `leaves`. An odd node at the end of a level moves up unchanged (no
/// duplication, so two different record lists never share a root); the header also commits to
/// the record count. The root of no leaves is all zeros.
pub fn merkle_root_of_leaves(mut level: Vec<[u8; 32]>) -> [u8; 32] {
    if level.is_empty() {
        return [0u8; 32];
    }
    while level.len() > 1 {
        let pairs = level.len() / 2;
        for i in 0..pairs {
            level[i] = node_hash(&level[2 * i], &level[2 * i + 1]);
        }
        if level.len() % 2 == 1 {
            level[pairs] = level[level.len() - 1];
            level.truncate(pairs + 1);
        } else {
            level.truncate(pairs);
        }
    }
    level[0]
}

/// Merkle root of `records` (leaf = [`Record::leaf_hash`]).
pub fn merkle_root(records: &[Record]) -> [u8; 32] {
    merkle_root_of_leaves(records.iter().map(Record::leaf_hash).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    fn rec(seq: u64) -> Record {
        Record { seq, time_ms: seq, level: Level::Info, message: format!("m{seq}") }
    }

    #[test]
    fn root_commits_to_order_and_content() {
        let records: Vec<Record> = (0..5).map(rec).collect();
        let root = merkle_root(&records);
        let mut swapped = records.clone();
        swapped.swap(1, 2);
        assert_ne!(merkle_root(&swapped), root);
        assert_ne!(merkle_root(&records[..4]), root);
        let a = records[0].leaf_hash();
        let b = records[1].leaf_hash();
        assert_eq!(merkle_root(&records[..2]), node_hash(&a, &b));
        assert_eq!(merkle_root(&records[..1]), a);
    }

    #[test]
    fn odd_leaf_is_promoted_not_duplicated() {
        let three: Vec<Record> = (0..3).map(rec).collect();
        let mut four = three.clone();
        four.push(three[2].clone());
        assert_ne!(merkle_root(&three), merkle_root(&four));
    }
}
