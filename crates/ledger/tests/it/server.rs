use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};
use vigil_ledger::{LedgerWriter, Level, LogServer, verify_file};

use crate::common::{config, options, read_blocks};

#[tokio::test]
async fn log_lines_are_acknowledged_in_order_and_malformed_ones_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.ledger");
    let (handle, _) = LedgerWriter::spawn(&path, config(100), None).expect("spawn");
    let server = LogServer::bind("127.0.0.1:0", handle.clone()).await.expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async {
        let _ = stop_rx.await;
    }));

    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let lines =
        "WARN disk 91% full\nnonsense\n3paper format error\n\n5forged block time\r\nINFO last";
    write.write_all(lines.as_bytes()).await.expect("write");
    write.shutdown().await.expect("half-close");
    let mut replies = Vec::new();
    let mut reader = BufReader::new(read).lines();
    while let Some(line) = reader.next_line().await.expect("read") {
        replies.push(line);
    }
    assert_eq!(replies.len(), 6, "{replies:?}");
    assert_eq!(replies[0], "OK 0");
    assert!(replies[1].starts_with("ERR "), "{replies:?}");
    assert_eq!(replies[2], "OK 1");
    assert!(replies[3].contains("empty line"), "{replies:?}");
    assert!(replies[4].contains("reserved"), "{replies:?}");
    assert_eq!(replies[5], "OK 2");

    let _ = stop_tx.send(());
    task.await.expect("join").expect("serve");
    handle.shutdown().await.expect("shutdown");
    let stored: Vec<(Level, String)> = read_blocks(&path)
        .into_iter()
        .flat_map(|b| b.records)
        .filter(|r| r.level != Level::BlockTime)
        .map(|r| (r.level, r.message))
        .collect();
    assert_eq!(
        stored,
        [
            (Level::Warn, "disk 91% full".to_owned()),
            (Level::Error, "paper format error".to_owned()),
            (Level::Info, "last".to_owned()),
        ]
    );
    assert!(verify_file(&path, options()).expect("verify").is_ok());
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_the_connection_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("long.ledger");
    let (handle, _) = LedgerWriter::spawn(&path, config(100), None).expect("spawn");
    let server = LogServer::bind("127.0.0.1:0", handle.clone()).await.expect("bind");
    let addr = server.local_addr().expect("addr");
    let task = tokio::spawn(server.serve(std::future::pending()));
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (read, mut write) = stream.into_split();
    let mut data = format!("INFO {}\n", "x".repeat(200_000)).into_bytes();
    data.extend_from_slice(b"INFO short\n");
    write.write_all(&data).await.expect("write");
    write.shutdown().await.expect("half-close");
    let mut reader = BufReader::new(read).lines();
    let first = reader.next_line().await.expect("read").expect("reply");
    let second = reader.next_line().await.expect("read").expect("reply");
    assert!(first.starts_with("ERR line exceeds"), "{first}");
    assert_eq!(second, "OK 0");
    task.abort();
    handle.shutdown().await.expect("shutdown");
}
