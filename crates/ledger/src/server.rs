use std::{future::Future, net::SocketAddr, pin::Pin, sync::Arc};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, mpsc},
};

use crate::{LedgerError, LedgerHandle, Level, MAX_MESSAGE_BYTES, Result};

/// Connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 256;
/// Replies a connection may have outstanding before its reader waits.
const MAX_IN_FLIGHT: usize = 4096;

/// Parses one log line: `LEVEL message`, where LEVEL is DEBUG, INFO, WARN, ERROR or FATAL (any
/// case), or the paper's numeric form, a digit 0-4 directly followed by the message
/// (`3disk full`). BLOCK_TIME is reserved for the miner; the message must not be empty.
pub fn parse_line(line: &str) -> Result<(Level, String)> {
    let bad = |reason: &str| LedgerError::invalid("log line", reason);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (level, message) = match line.as_bytes().first() {
        None => return Err(bad("empty line")),
        Some(b) if b.is_ascii_digit() => {
            let level = Level::from_code(b - b'0').ok_or_else(|| bad("unknown level code"))?;
            let rest = &line[1..];
            (level, rest.strip_prefix(' ').unwrap_or(rest))
        }
        Some(_) => {
            let (name, rest) =
                line.split_once(' ').ok_or_else(|| bad("expected `LEVEL message`"))?;
            (name.parse::<Level>().map_err(|_| bad("unknown level"))?, rest)
        }
    };
    if level == Level::BlockTime {
        return Err(bad("BLOCK_TIME is reserved for the miner"));
    }
    if message.is_empty() {
        return Err(bad("empty message"));
    }
    Ok((level, message.to_owned()))
}

/// The TCP log server: one record per line, each answered in order with `OK <seq>` once its
/// block is on disk, or `ERR <reason>` (malformed lines are not stored).
#[derive(Debug)]
pub struct LogServer {
    listener: TcpListener,
    handle: LedgerHandle,
}

type Reply = Pin<Box<dyn Future<Output = String> + Send>>;

impl LogServer {
    /// Binds `addr` (e.g. `127.0.0.1:9000`; port 0 picks a free port).
    pub async fn bind(addr: &str, handle: LedgerHandle) -> Result<LogServer> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| LedgerError::io("bind log server on", addr, e))?;
        Ok(LogServer { listener, handle })
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener.local_addr().map_err(|e| LedgerError::io("read address of", "log server", e))
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<()> {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                _ = &mut shutdown => return Ok(()),
                permit = slots.clone().acquire_owned() => permit
                    .map_err(|_| LedgerError::Closed("connection slots closed".into()))?,
            };
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => return Ok(()),
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "log server accept failed");
                        continue;
                    }
                },
            };
            let handle = self.handle.clone();
            tokio::spawn(async move {
                if let Err(e) = serve_connection(stream, handle).await {
                    tracing::debug!(%peer, error = %e, "log connection ended with an error");
                }
                drop(permit);
            });
        }
    }
}

async fn serve_connection(stream: TcpStream, handle: LedgerHandle) -> std::io::Result<()> {
    let (mut reader, mut writer) = stream.into_split();
    let (tx, mut rx) = mpsc::channel::<Reply>(MAX_IN_FLIGHT);
    let replies = tokio::spawn(async move {
        while let Some(reply) = rx.recv().await {
            let mut line = reply.await;
            line.push('\n');
            writer.write_all(line.as_bytes()).await?;
        }
        writer.shutdown().await
    });
    let max_line = MAX_MESSAGE_BYTES + 16;
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut discarding = false;
    loop {
        let n = reader.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        let mut data = &chunk[..n];
        while let Some(pos) = data.iter().position(|b| *b == b'\n') {
            buf.extend_from_slice(&data[..pos]);
            data = &data[pos + 1..];
            let reply = if std::mem::take(&mut discarding) {
                None
            } else {
                Some(line_reply(&buf, &handle).await)
            };
            buf.clear();
            if let Some(reply) = reply
                && tx.send(reply).await.is_err()
            {
                return Ok(());
            }
        }
        buf.extend_from_slice(data);
        if buf.len() > max_line {
            buf.clear();
            if !discarding {
                discarding = true;
                let reason = format!("ERR line exceeds {max_line} bytes");
                if tx.send(Box::pin(async move { reason })).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    // A last line without a newline still counts.
    if !buf.is_empty() && !discarding {
        let reply = line_reply(&buf, &handle).await;
        let _ = tx.send(reply).await;
    }
    drop(tx);
    replies.await.map_err(std::io::Error::other)?
}

async fn line_reply(bytes: &[u8], handle: &LedgerHandle) -> Reply {
    let parsed = std::str::from_utf8(bytes)
        .map_err(|_| LedgerError::invalid("log line", "not utf-8"))
        .and_then(parse_line);
    let (level, message) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return error_reply(e),
    };
    match handle.enqueue(level, message).await {
        Ok(pending) => Box::pin(async move {
            match pending.await {
                Ok(seq) => format!("OK {seq}"),
                Err(e) => format!("ERR {e}"),
            }
        }),
        Err(e) => error_reply(e),
    }
}

fn error_reply(e: LedgerError) -> Reply {
    let line = format!("ERR {e}");
    Box::pin(async move { line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_and_numeric_levels() {
        assert_eq!(
            parse_line("WARN disk 91% full").expect("named"),
            (Level::Warn, "disk 91% full".into())
        );
        assert_eq!(
            parse_line("3disk failed\r").expect("paper"),
            (Level::Error, "disk failed".into())
        );
        assert_eq!(parse_line("info  two spaces").expect("case").1, " two spaces");
        for bad in ["", "WARN", "LOUD noise", "5forged block time", "BLOCK_TIME x", "9x", "7 x"] {
            assert!(parse_line(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
