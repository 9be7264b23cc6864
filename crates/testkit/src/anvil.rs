use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::{Result, RpcClient, TestkitError};

/// The first ten anvil dev accounts (mnemonic `test test … junk`). Only ever used against
/// local nodes.
pub const DEV_ACCOUNTS: [&str; 10] = [
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
];

/// How to start anvil.
#[derive(Debug, Clone)]
pub struct AnvilOptions {
    /// `--no-mining`: transactions stay pending until mined by hand (`evm_mine`).
    pub no_mining: bool,
    /// `--block-time SECONDS`, when mining on a timer.
    pub block_time: Option<u64>,
    /// `--order fees`: the pool mines higher fees first.
    pub order_fees: bool,
    /// `--accounts N` dev accounts (default 10).
    pub accounts: u32,
    /// Anything else to pass.
    pub extra_args: Vec<String>,
}

impl Default for AnvilOptions {
    fn default() -> Self {
        Self {
            no_mining: true,
            block_time: None,
            order_fees: true,
            accounts: 10,
            extra_args: vec![],
        }
    }
}

/// A running anvil on a free loopback port; killed when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
}

impl Anvil {
    /// Locates the anvil binary: `$ANVIL`, then `node_modules` in this or any parent
    /// directory, then `PATH`.
    pub fn binary() -> Result<PathBuf> {
        if let Some(path) = std::env::var_os("ANVIL") {
            return Ok(PathBuf::from(path));
        }
        let relative = Path::new("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        let roots = [std::env::current_dir().ok(), Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")))];
        for root in roots.into_iter().flatten() {
            for dir in root.ancestors() {
                let candidate = dir.join(relative);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|dir| dir.join("anvil"))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| {
                TestkitError::AnvilStart(
                    "anvil not found: run `npm ci` at the repository root or set $ANVIL".into(),
                )
            })
    }

    /// Starts anvil and waits until it listens.
    pub fn spawn(options: AnvilOptions) -> Result<Self> {
        let mut command = Command::new(Self::binary()?);
        command.args(["--host", "127.0.0.1", "--port", "0", "--accounts"]);
        command.arg(options.accounts.to_string());
        if options.no_mining {
            command.arg("--no-mining");
        }
        if let Some(seconds) = options.block_time {
            command.args(["--block-time", &seconds.to_string()]);
        }
        if options.order_fees {
            command.args(["--order", "fees"]);
        }
        command.args(&options.extra_args);
        command.stdout(Stdio::piped()).stderr(Stdio::null()).stdin(Stdio::null());
        let mut child = command.spawn().map_err(|e| TestkitError::AnvilStart(e.to_string()))?;
        let stdout =
            child.stdout.take().ok_or_else(|| TestkitError::AnvilStart("no stdout".into()))?;
        let (port_tx, port_rx) = mpsc::channel();
        // anvil logs every request to stdout: keep draining it or it blocks on a full pipe.
        std::thread::spawn(move || {
            let mut port_tx = Some(port_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.trim().strip_prefix("Listening on ") {
                    let port = rest.rsplit(':').next().and_then(|p| p.trim().parse::<u16>().ok());
                    if let (Some(tx), Some(port)) = (port_tx.take(), port) {
                        let _ = tx.send(port);
                    }
                }
            }
        });
        let port = match port_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(TestkitError::AnvilStart(
                    "anvil did not report its port in 30 s".into(),
                ));
            }
        };
        Ok(Self { child, port })
    }

    /// The loopback port anvil listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// A JSON-RPC client for this node.
    pub fn rpc(&self) -> RpcClient {
        RpcClient::new(self.http_url())
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
