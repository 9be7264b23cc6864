use std::io::Write;

use vigil_ledger::{
    FaultKind, Ledger, LedgerConfig, LedgerError, LedgerSinkConfig, LedgerWriter, Level,
    verify_file,
};
use vigil_pipeline::Sink;
use vigil_testkit::FindingBuilder;
use vigil_types::ThreatLevel;

use crate::common::{TEST_DIFFICULTY, build_chain, config, frame_spans, options, read_blocks};

#[test]
fn opening_cuts_a_torn_tail_and_reports_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = build_chain(dir.path(), 3, 4);
    let whole = std::fs::read(&path).expect("read");
    let (_, end) = frame_spans(&whole)[1];
    // A crash in the middle of writing block 2.
    std::fs::write(&path, &whole[..end + 37]).expect("write");
    let report = verify_file(&path, options()).expect("verify");
    assert!(matches!(report.fault.expect("torn").kind, FaultKind::TornTail { bytes: 37 }));
    let (mut ledger, open) = Ledger::open(&path, config(4)).expect("open");
    assert_eq!((open.blocks, open.truncated_bytes, open.truncated_at), (2, 37, Some(end as u64)));
    assert_eq!(ledger.head().map(|h| h.0), Some(1));
    ledger.append(Level::Warn, "after the crash".into(), 1_800_000_000_000).expect("append");
    ledger.seal(1_800_000_000_001).expect("seal");
    let report = verify_file(&path, options()).expect("verify");
    assert!(report.is_ok(), "{:?}", report.fault);
    assert_eq!(report.blocks, 3);
}

#[test]
fn a_zero_filled_tail_is_cut_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = build_chain(dir.path(), 2, 2);
    let before = std::fs::metadata(&path).expect("meta").len();
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(&[0u8; 4096]).expect("zeros");
    let (_, open) = Ledger::open(&path, config(2)).expect("open");
    assert_eq!(open.truncated_bytes, 4096);
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), before);
}

#[test]
fn damage_inside_the_file_is_an_error_and_nothing_is_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = build_chain(dir.path(), 3, 2);
    let mut bytes = std::fs::read(&path).expect("read");
    let (start, _) = frame_spans(&bytes)[1];
    bytes[start + 50] ^= 0xff;
    std::fs::write(&path, &bytes).expect("write");
    let err = Ledger::open(&path, config(2)).expect_err("corruption must not be repaired");
    assert!(matches!(err, LedgerError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("block 1"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "the file is left as it was");
}

#[test]
fn garbage_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("not-a-ledger");
    std::fs::write(&path, b"hello, this is not a ledger").expect("write");
    let err = Ledger::open(&path, LedgerConfig::default()).expect_err("garbage");
    assert!(err.to_string().contains("not a vigil ledger file"), "{err}");
    let report = verify_file(&path, options()).expect("verify runs");
    assert_eq!(report.fault.expect("fails").kind, FaultKind::FileTag);
}

#[test]
fn reopening_continues_heights_and_sequence_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = build_chain(dir.path(), 2, 3);
    let (mut ledger, _) = Ledger::open(&path, config(3)).expect("open");
    assert_eq!(ledger.next_seq(), 8);
    ledger.append(Level::Info, "again".into(), 1_900_000_000_000).expect("append");
    let sealed = ledger.seal(1_900_000_000_000).expect("seal");
    assert_eq!((sealed.height, sealed.first_seq, sealed.records), (2, 8, 2));
    assert!(verify_file(&path, options()).expect("verify").is_ok());
}

#[tokio::test]
async fn the_writer_batches_records_and_acknowledges_their_sequence_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.ledger");
    let (handle, _) = LedgerWriter::spawn(&path, config(10), None).expect("spawn");
    let mut pending = Vec::new();
    for i in 0..25 {
        pending.push(handle.enqueue(Level::Info, format!("line {i}")).await.expect("enqueue"));
    }
    let mut seqs = Vec::new();
    for p in pending {
        seqs.push(p.await.expect("committed"));
    }
    // Blocks of 10 records, each followed by its BLOCK_TIME record.
    let expected: Vec<u64> = (0..25u64).map(|i| i + i / 10).collect();
    assert_eq!(seqs, expected);
    let err = handle.append(Level::BlockTime, "forged".into()).await.expect_err("reserved");
    assert!(err.to_string().contains("reserved"), "{err}");
    handle.shutdown().await.expect("shutdown");
    let blocks = read_blocks(&path);
    assert_eq!(blocks.iter().map(|b| b.records.len()).collect::<Vec<_>>(), [11, 11, 6]);
    assert!(verify_file(&path, options()).expect("verify").is_ok());
    assert_eq!(handle.stats().records, 25);
}

#[tokio::test]
async fn the_sink_records_findings_once_across_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = LedgerSinkConfig::new(dir.path().join("sink.ledger"));
    config.difficulty = TEST_DIFFICULTY;
    config.heartbeat_ms = 0;
    let finding = FindingBuilder::new("watchlist", 1).level(ThreatLevel::High).build();
    for _ in 0..2 {
        let mut sink = config.build("ledger").await.expect("build");
        sink.send(&finding).await.expect("send");
        sink.send(&finding).await.expect("send twice");
        sink.close().await.expect("close");
    }
    let blocks = read_blocks(&config.path);
    let findings: Vec<_> = blocks
        .iter()
        .flat_map(|b| &b.records)
        .filter(|r| r.message.starts_with("finding "))
        .collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].level, Level::Error);
    assert!(findings[0].message.contains(&finding.id.0));
    assert!(verify_file(&config.path, options()).expect("verify").is_ok());
}

#[test]
fn sink_config_rejects_unknown_fields() {
    let err = toml_like(r#"{"path": "x.ledger", "difficulty": 19, "colour": "red"}"#);
    assert!(err.contains("unknown field"), "{err}");
}

fn toml_like(json: &str) -> String {
    serde_json::from_str::<LedgerSinkConfig>(json).expect_err("must fail").to_string()
}
