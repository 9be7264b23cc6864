//! A throwaway PostgreSQL server for tests: `initdb` into a temporary directory, `postgres` on a
//! free loopback port with trust authentication, stopped and removed on drop. PostgreSQL
//! refuses to run as root, so as root both run as the `postgres` system user (`runuser`).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::{Result, TestkitError};

/// A running PostgreSQL server; stopped when dropped.
#[derive(Debug)]
pub struct Postgres {
    child: Child,
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

fn fail(message: impl Into<String>) -> TestkitError {
    TestkitError::PostgresStart(message.into())
}

impl Postgres {
    /// The directory holding `initdb` and `postgres`: `$PG_BIN`, the newest
    /// `/usr/lib/postgresql/*/bin` (Debian), or the directory of `initdb` on `PATH`.
    pub fn bin_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os("PG_BIN") {
            return Ok(PathBuf::from(dir));
        }
        let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        debian.sort_by_key(|bin| {
            bin.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
        });
        if let Some(newest) = debian.pop() {
            return Ok(newest);
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file()).ok_or_else(|| {
            fail("initdb not found: install PostgreSQL (`make test` does) or set $PG_BIN")
        })
    }

    /// Initialises a cluster and starts the server; returns once it accepts connections.
    pub fn spawn() -> Result<Self> {
        let bin = Self::bin_dir()?;
        let dir = tempfile::Builder::new().prefix("vigil-pg-").tempdir()?;
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").args(["postgres:postgres"]).arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        let mut initdb = Self::command(&bin, "initdb", as_postgres);
        initdb.arg("-D").arg(&data).args(["-U", "vigil", "-A", "trust", "-E", "UTF8", "-N"]);
        run(&mut initdb)?;
        let port = free_port()?;
        let mut postgres = Self::command(&bin, "postgres", as_postgres);
        postgres.arg("-D").arg(&data).args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"]);
        postgres.arg(dir.path());
        for setting in ["fsync=off", "synchronous_commit=off", "full_page_writes=off"] {
            postgres.args(["-c", setting]);
        }
        postgres.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let child = postgres.spawn().map_err(|e| fail(format!("postgres: {e}")))?;
        let server = Self { child, bin, data, port, as_postgres, _dir: dir };
        server.wait_ready(Duration::from_secs(30))?;
        Ok(server)
    }

    fn command(bin: &Path, program: &str, as_postgres: bool) -> Command {
        if as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(bin.join(program));
            command
        } else {
            Command::new(bin.join(program))
        }
    }

    fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(fail(format!("postgres on port {} not ready within {timeout:?}", self.port)))
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://vigil@127.0.0.1:PORT/postgres` (trust authentication, no password).
    pub fn url(&self) -> String {
        format!("postgres://vigil@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut stop = Self::command(&self.bin, "pg_ctl", self.as_postgres);
        stop.arg("-D").arg(&self.data).args(["stop", "-m", "immediate", "-w"]);
        let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(command: &mut Command) -> Result<()> {
    let out =
        command.stdin(Stdio::null()).output().map_err(|e| fail(format!("{command:?}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(fail(format!("{command:?}: {}", String::from_utf8_lossy(&out.stderr).trim())))
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
