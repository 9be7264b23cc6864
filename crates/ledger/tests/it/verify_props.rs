use std::sync::OnceLock;

use proptest::prelude::*;
use vigil_ledger::{
    AnchorPoint, AnchoredPoint, B256, Block, FaultKind, Record, VerifyReport, check_anchors,
    merkle_root, mine, verify_bytes,
};

use crate::common::{build_chain, encode_file, frame_spans, options, read_blocks};

const BLOCKS: usize = 6;
const PER_BLOCK: usize = 5;

/// One chain shared by all cases (mining is the slow part).
fn chain() -> &'static (Vec<u8>, Vec<Block>) {
    static CHAIN: OnceLock<(Vec<u8>, Vec<Block>)> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = build_chain(dir.path(), BLOCKS, PER_BLOCK);
        let bytes = std::fs::read(&path).expect("read");
        (bytes, read_blocks(&path))
    })
}

fn verify(bytes: &[u8]) -> VerifyReport {
    verify_bytes(bytes, options())
}

/// Re-mines every block from `from` on after `edit` changed its records (the attacker's full
/// effort: counts, Merkle roots, links and proofs all recomputed).
fn remine(
    blocks: &[Block],
    from: usize,
    mut edit: impl FnMut(usize, &mut Vec<Record>),
) -> Vec<Block> {
    let mut out: Vec<Block> = blocks[..from].to_vec();
    for (i, original) in blocks.iter().enumerate().skip(from) {
        let mut block = original.clone();
        edit(i, &mut block.records);
        block.header.record_count = block.records.len() as u32;
        block.header.merkle_root = merkle_root(&block.records);
        block.header.prev_hash = out.last().map_or([0; 32], |b| b.hash);
        block.hash = mine(&mut block.header);
        out.push(block);
    }
    out
}

#[test]
fn the_untouched_chain_verifies() {
    let (bytes, blocks) = chain();
    let report = verify(bytes);
    assert!(report.is_ok(), "{:?}", report.fault);
    assert_eq!(report.blocks as usize, blocks.len());
    assert_eq!(report.records as usize, BLOCKS * (PER_BLOCK + 1));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn flipping_any_byte_fails_at_its_block(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (bytes, _) = chain();
        let offset = pos.index(bytes.len());
        let mut bad = bytes.clone();
        bad[offset] ^= 1 << bit;
        let fault = verify(&bad).fault.expect("a flipped byte must fail");
        if offset < 8 {
            prop_assert_eq!(fault.kind, FaultKind::FileTag);
        } else {
            let block = frame_spans(bytes).iter().position(|(s, e)| (*s..*e).contains(&offset));
            prop_assert_eq!(Some(fault.block as usize), block, "{}", fault);
        }
    }

    #[test]
    fn edited_records_fail_at_their_block(k in 0..BLOCKS, i in 0..PER_BLOCK, op in 0..4usize) {
        let (_, blocks) = chain();
        let mut edited = blocks.clone();
        let records = &mut edited[k].records;
        match op {
            0 => records[i].message.push('!'),
            1 => { records.remove(i); }
            2 => { let copy = records[i].clone(); records.insert(i, copy); }
            _ => records.swap(i, (i + 1) % PER_BLOCK),
        }
        let fault = verify(&encode_file(&edited)).fault.expect("an edited record must fail");
        prop_assert_eq!(fault.block as usize, k, "{}", fault);
        let kind_ok = matches!(fault.kind, FaultKind::MerkleMismatch { .. } | FaultKind::RecordCount { .. });
        prop_assert!(kind_ok, "{}", fault);
    }

    #[test]
    fn removed_inserted_or_reordered_blocks_fail_where_the_order_breaks(
        k in 0..BLOCKS - 1, j in 0..BLOCKS, op in 0..3usize,
    ) {
        let (_, blocks) = chain();
        let mut edited = blocks.clone();
        match op {
            0 => { edited.remove(k); }
            1 => { let copy = edited[j].clone(); edited.insert(k, copy); }
            _ => edited.swap(k, k + 1),
        }
        let fault = verify(&encode_file(&edited)).fault.expect("a moved block must fail");
        // A copy of block k put in front of itself leaves position k intact: the repeat at
        // k + 1 is the first misplaced block.
        let first_bad = if op == 1 && j == k { k + 1 } else { k };
        prop_assert_eq!(fault.block as usize, first_bad, "{}", fault);
    }

    #[test]
    fn remined_deletions_and_reorders_leave_a_sequence_gap(k in 0..BLOCKS, i in 0..PER_BLOCK - 1, reorder: bool) {
        let (_, blocks) = chain();
        let edited = remine(blocks, k, |b, records| {
            if b == k {
                if reorder { records.swap(i, i + 1); } else { records.remove(i); }
            }
        });
        let fault = verify(&encode_file(&edited)).fault.expect("sequence numbers are hashed");
        prop_assert_eq!((fault.block as usize, fault.record), (k, Some(i)), "{}", fault);
        prop_assert!(matches!(fault.kind, FaultKind::Sequence { .. }), "{}", fault);
    }

    #[test]
    fn a_torn_tail_is_reported_as_such(cut in 1usize..200) {
        let (bytes, _) = chain();
        let spans = frame_spans(bytes);
        let (start, end) = spans[BLOCKS - 1];
        let keep = end - 1 - (cut % (end - start - 1));
        let report = verify(&bytes[..keep]);
        let fault = report.fault.clone().expect("a torn tail is reported");
        prop_assert_eq!(fault.block as usize, BLOCKS - 1);
        prop_assert!(matches!(fault.kind, FaultKind::TornTail { .. }), "{}", fault);
        // Anchored at block 3: the tear is after the last anchor, the anchors all hold.
        let anchors = [anchored(3, report.hashes[3])];
        let check = check_anchors(&report.hashes, true, &anchors);
        prop_assert!(check.is_ok());
        prop_assert_eq!(check.unanchored_blocks, (BLOCKS - 1 - 4) as u64);
    }
}

fn anchored(height: u64, hash: [u8; 32]) -> AnchoredPoint {
    AnchoredPoint {
        point: AnchorPoint { height, hash },
        tx_hash: B256::ZERO,
        evm_block: 1,
        log_index: 0,
    }
}

#[test]
fn a_remined_time_reversal_is_caught() {
    let (_, blocks) = chain();
    let edited = remine(blocks, 2, |b, records| {
        if b == 2 {
            records[1].time_ms = records[0].time_ms - 1;
        }
    });
    let fault = verify(&encode_file(&edited)).fault.expect("time order is checked");
    assert_eq!((fault.block, fault.record), (2, Some(1)), "{fault}");
    assert!(matches!(fault.kind, FaultKind::TimeBackwards { .. }), "{fault}");
}

#[test]
fn cutting_whole_blocks_before_an_anchor_is_truncation() {
    let (bytes, blocks) = chain();
    let (_, end) = frame_spans(bytes)[2];
    let report = verify(&bytes[..end]);
    assert!(report.is_ok(), "a clean cut at a frame boundary is structurally whole");
    let check = check_anchors(&report.hashes, true, &[anchored(4, blocks[4].hash)]);
    assert!(!check.is_ok());
    assert!(check.problems[0].to_string().contains("truncated"), "{}", check.problems[0]);
}

#[test]
fn a_single_remined_block_breaks_the_next_link() {
    let (_, blocks) = chain();
    let mut edited = remine(blocks, 1, |b, records| {
        if b == 1 {
            records[0].message = "forged".into();
        }
    });
    edited.truncate(2);
    edited.extend_from_slice(&blocks[2..]);
    let fault =
        verify(&encode_file(&edited)).fault.expect("the next block still links to the old hash");
    assert_eq!(fault.block, 2);
    assert!(matches!(fault.kind, FaultKind::Link { .. }), "{fault}");
}
