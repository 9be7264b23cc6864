use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::broadcast,
    task::JoinSet,
};

/// What the proxy does to node → client traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    Pass,
    /// Keep connections open but swallow every node → client frame: a silently dead stream.
    Stall,
    /// Swallow subscription notifications only; responses pass: a subscription that died
    /// while the node still answers requests.
    DropNotifications,
}

#[derive(Debug)]
struct Shared {
    stall: AtomicBool,
    drop_notifications: AtomicBool,
    refuse: AtomicBool,
    accepted: AtomicU64,
    closes: broadcast::Sender<()>,
    injections: broadcast::Sender<Arc<Vec<u8>>>,
    upstream: Mutex<SocketAddr>,
}

/// A TCP proxy between a WebSocket client (vigil) and a node (anvil) that can close, stall or
/// corrupt the stream on command. It understands WebSocket framing on the node → client side,
/// so injected frames land between whole frames. Stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    listener: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stall: AtomicBool::new(false),
            drop_notifications: AtomicBool::new(false),
            refuse: AtomicBool::new(false),
            accepted: AtomicU64::new(0),
            closes: broadcast::channel(16).0,
            injections: broadcast::channel(64).0,
            upstream: Mutex::new(upstream),
        });
        let task_shared = shared.clone();
        let listener = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((client, _)) = listener.accept().await else { continue };
                if task_shared.refuse.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                task_shared.accepted.fetch_add(1, Ordering::SeqCst);
                connections.spawn(serve(client, task_shared.clone()));
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Self { addr, shared, listener })
    }

    /// `ws://127.0.0.1:PORT` of the proxy.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The proxy's listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sets the fault applied to node → client traffic from now on.
    pub fn set(&self, fault: Fault) {
        self.shared.stall.store(fault == Fault::Stall, Ordering::SeqCst);
        self.shared.drop_notifications.store(fault == Fault::DropNotifications, Ordering::SeqCst);
    }

    /// Refuses (accepts and immediately closes) new connections while `true`.
    pub fn refuse(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::SeqCst);
    }

    /// Points new connections at another node.
    pub fn retarget(&self, upstream: SocketAddr) {
        if let Ok(mut slot) = self.shared.upstream.lock() {
            *slot = upstream;
        }
    }

    /// Closes every open connection now.
    pub fn close_all(&self) {
        let _ = self.shared.closes.send(());
    }

    /// Sends raw bytes to every connected client at the next frame boundary. Use
    /// [`ws_text_frame`](Self::text_frame) for a well-framed message with any payload.
    pub fn inject(&self, bytes: Vec<u8>) {
        let _ = self.shared.injections.send(Arc::new(bytes));
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// An unmasked (server → client) WebSocket text frame carrying `payload`.
    pub fn text_frame(payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(n as u8),
            n if n <= u16::MAX as usize => {
                frame.push(126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(payload);
        frame
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.listener.abort();
        self.close_all();
    }
}

async fn serve(client: TcpStream, shared: Arc<Shared>) {
    let upstream = match shared.upstream.lock() {
        Ok(addr) => *addr,
        Err(_) => return,
    };
    let Ok(server) = TcpStream::connect(upstream).await else { return };
    let (mut client_rx, mut client_tx) = client.into_split();
    let (mut server_rx, mut server_tx) = server.into_split();
    let mut closes = shared.closes.subscribe();
    let mut injections = shared.injections.subscribe();
    let upward = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = client_rx.read(&mut buf).await.unwrap_or(0);
            if n == 0 || server_tx.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    let downward = async {
        let mut framer = Framer::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            tokio::select! {
                read = server_rx.read(&mut buf) => {
                    let n = read.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    for piece in framer.push(&buf[..n]) {
                        if piece.is_frame && shared.stall.load(Ordering::SeqCst) {
                            continue;
                        }
                        if piece.is_frame
                            && shared.drop_notifications.load(Ordering::SeqCst)
                            && contains(&piece.bytes, b"\"eth_subscription\"")
                        {
                            continue;
                        }
                        if client_tx.write_all(&piece.bytes).await.is_err() {
                            return;
                        }
                    }
                }
                injected = injections.recv(), if framer.at_boundary() => {
                    match injected {
                        Ok(bytes) => {
                            if client_tx.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
        }
    };
    tokio::select! {
        () = upward => {}
        () = downward => {}
        _ = closes.recv() => {}
    }
}

struct Piece {
    bytes: Vec<u8>,
    is_frame: bool,
}

/// Splits the node → client byte stream into the HTTP upgrade response and whole frames.
#[derive(Default)]
struct Framer {
    handshake_done: bool,
    buf: Vec<u8>,
}

impl Framer {
    fn at_boundary(&self) -> bool {
        self.handshake_done && self.buf.is_empty()
    }

    fn push(&mut self, bytes: &[u8]) -> Vec<Piece> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        if !self.handshake_done {
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                return out;
            };
            let rest = self.buf.split_off(end + 4);
            out.push(Piece { bytes: std::mem::replace(&mut self.buf, rest), is_frame: false });
            self.handshake_done = true;
        }
        while let Some(len) = frame_len(&self.buf) {
            let rest = self.buf.split_off(len);
            out.push(Piece { bytes: std::mem::replace(&mut self.buf, rest), is_frame: true });
        }
        out
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Total length of the first WebSocket frame in `buf`, if it is complete.
fn frame_len(buf: &[u8]) -> Option<usize> {
    let b1 = *buf.get(1)?;
    let masked = b1 & 0x80 != 0;
    let (payload, header) = match b1 & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => {
            let bytes: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(bytes)).ok()?, 10)
        }
        n => (n as usize, 2),
    };
    let total = header + if masked { 4 } else { 0 } + payload;
    (buf.len() >= total).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framer_splits_handshake_and_frames_across_reads() {
        let mut framer = Framer::default();
        let mut stream = b"HTTP/1.1 101 Switching\r\n\r\n".to_vec();
        stream.extend(FaultProxy::text_frame(b"hello"));
        stream.extend(FaultProxy::text_frame(&[b'x'; 300]));
        let mut pieces = Vec::new();
        for chunk in stream.chunks(7) {
            pieces.extend(framer.push(chunk));
        }
        let kinds: Vec<(bool, usize)> =
            pieces.iter().map(|p| (p.is_frame, p.bytes.len())).collect();
        assert_eq!(kinds, [(false, 26), (true, 7), (true, 304)]);
        assert!(framer.at_boundary());
    }
}
