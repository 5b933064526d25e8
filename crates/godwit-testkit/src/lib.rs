//! The one test harness every Godwit crate uses for PostgreSQL.
//!
//! [`server`] gives the process-wide test server: the one `GODWIT_TEST_PG` names
//! (`postgresql://user:password@host:port/db`), or else a throwaway cluster made with `initdb` and
//! `pg_ctl` on a free port in a temporary directory, stopped and removed when the test process ends.
//! [`database`] creates a fresh database per test. [`Cluster::start`] makes extra clusters for tests that
//! need their own server settings (TLS required, a stopped server).
//!
//! As root (CI runs as root) `initdb` refuses to run, so the cluster is run as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Superuser password of throwaway clusters (test-only).
pub const CLUSTER_PASSWORD: &str = "godwit-test-pw";
const CLUSTER_USER: &str = "postgres";

/// Server settings for a throwaway cluster.
#[derive(Clone, Debug, Default)]
pub struct ClusterOptions {
    /// Serve TLS with a self-signed certificate and reject connections without it.
    pub require_tls: bool,
}

/// A throwaway PostgreSQL cluster; stopped and deleted on drop, or when the test process exits.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    run_as: Option<String>,
}

fn fail(what: &str, detail: impl std::fmt::Display) -> ! {
    panic!("godwit-testkit: {what}: {detail}")
}

/// Directory holding `initdb`, `pg_ctl` and `postgres`: `$GODWIT_PG_BIN`, else the newest
/// `/usr/lib/postgresql/N/bin`, else the one `pg_ctl` on PATH lives in.
pub fn postgres_bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("GODWIT_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, p): &(u32, PathBuf)| p.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|p| p.join("pg_ctl").exists() && p.join("initdb").exists())
        .map(|p| {
            std::fs::canonicalize(p.join("pg_ctl"))
                .ok()
                .and_then(|c| c.parent().map(Path::to_path_buf))
                .unwrap_or(p)
        })
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail("no free port", e));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| fail("no free port", e))
}

impl Cluster {
    /// Creates and starts a cluster. Panics with the server log when it cannot start: a test
    /// environment problem, not a test failure.
    pub fn start(options: ClusterOptions) -> Cluster {
        let bin = postgres_bin_dir().unwrap_or_else(|| {
            fail(
                "PostgreSQL server binaries not found",
                "install them (cargo xtask test does) or set GODWIT_TEST_PG",
            )
        });
        let run_as = running_as_root().then(|| "postgres".to_string());
        let dir = tempfile::Builder::new()
            .prefix("godwit-pg-")
            .tempdir()
            .unwrap_or_else(|e| fail("temp dir", e));
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            run_as,
        };
        if let Some(user) = &cluster.run_as {
            cluster.host_command(
                "chown",
                &["-R", user, &cluster.path().display().to_string()],
            );
        }
        let pwfile = cluster.path().join("pwfile");
        std::fs::write(&pwfile, CLUSTER_PASSWORD).unwrap_or_else(|e| fail("pwfile", e));
        cluster.host_command("chmod", &["a+r", &pwfile.display().to_string()]);
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data_dir().display().to_string(),
                "-U",
                CLUSTER_USER,
                "--pwfile",
                &pwfile.display().to_string(),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nfsync = off\n\
             synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\nshared_buffers = 128MB\n",
            cluster.port,
            cluster.path().display()
        );
        if options.require_tls {
            cluster.as_owner(
                "openssl",
                &[
                    "req",
                    "-new",
                    "-x509",
                    "-days",
                    "2",
                    "-nodes",
                    "-subj",
                    "/CN=localhost",
                    "-keyout",
                    &cluster.data_dir().join("server.key").display().to_string(),
                    "-out",
                    &cluster.data_dir().join("server.crt").display().to_string(),
                ],
            );
            cluster.as_owner(
                "chmod",
                &[
                    "600",
                    &cluster.data_dir().join("server.key").display().to_string(),
                ],
            );
            conf.push_str("ssl = on\n");
            let hba = "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n";
            cluster.append(&cluster.data_dir().join("pg_hba.conf"), hba, true);
        }
        cluster.append(&cluster.data_dir().join("postgresql.conf"), &conf, false);
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                &cluster.data_dir().display().to_string(),
                "-l",
                &cluster.path().join("server.log").display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        cluster.reap_when_process_exits();
        cluster
    }

    /// The cluster's directory (socket, log, data).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn data_dir(&self) -> PathBuf {
        self.path().join("data")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// URL of database `db` as the superuser, with password.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql://{CLUSTER_USER}:{CLUSTER_PASSWORD}@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// Stops the server (fast shutdown); [`Cluster::restart`] starts it again.
    pub fn stop(&self) {
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    pub fn restart(&self) {
        let log = self.path().join("server.log").display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Restarts the server the way a crash would: immediate shutdown (no checkpoint, every client
    /// cut off, recovery from the WAL at start), then waits until it accepts connections again.
    pub fn crash_restart(&self) {
        let log = self.path().join("server.log").display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-m",
                "immediate",
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "restart",
            ],
        );
    }

    fn append(&self, file: &Path, text: &str, replace: bool) {
        let result = if replace {
            std::fs::write(file, text)
        } else {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(file)
                .and_then(|mut f| f.write_all(text.as_bytes()))
        };
        result.unwrap_or_else(|e| fail(&format!("writing {}", file.display()), e));
    }

    fn host_command(&self, program: &str, args: &[&str]) {
        run(Command::new(program).args(args), program, self);
    }

    /// Runs a program as the cluster's owner.
    fn as_owner(&self, program: &str, args: &[&str]) {
        match &self.run_as {
            Some(user) => run(
                Command::new("runuser")
                    .args(["-u", user, "--", program])
                    .args(args),
                program,
                self,
            ),
            None => run(Command::new(program).args(args), program, self),
        }
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool).display().to_string();
        self.as_owner(&exe, args);
    }

    /// Starts a detached shell that stops the server and deletes its directory once this process has
    /// exited, so a panicking or killed test run leaves nothing behind.
    fn reap_when_process_exits(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data_dir();
        let stop = match &self.run_as {
            Some(user) => format!(
                "runuser -u {user} -- '{}' -D '{}' -m immediate stop",
                pg_ctl.display(),
                data.display()
            ),
            None => format!(
                "'{}' -D '{}' -m immediate stop",
                pg_ctl.display(),
                data.display()
            ),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.path().display()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir().display().to_string();
        let exe = self.bin.join("pg_ctl").display().to_string();
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--", &exe]);
                c
            }
            None => Command::new(&exe),
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn run(cmd: &mut Command, what: &str, cluster: &Cluster) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {what}"), e));
    if !out.status.success() {
        let log = std::fs::read_to_string(cluster.path().join("server.log")).unwrap_or_default();
        fail(
            &format!("{what} failed"),
            format!(
                "{}{}\nserver log:\n{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        );
    }
}

/// The process-wide test server.
pub struct TestServer {
    /// Server URL with the database part left to each test.
    admin_url: String,
    _cluster: Option<Cluster>,
}

impl TestServer {
    /// URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        replace_database(&self.admin_url, db)
    }
}

/// Replaces the database of a `postgresql://` URL (keeping its query string).
pub fn replace_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let head = match base[authority_end..].find('/') {
        Some(i) => &base[..authority_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{head}/{db}?{q}"),
        None => format!("{head}/{db}"),
    }
}

/// The server `GODWIT_TEST_PG` names, or a throwaway cluster started on first use.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("GODWIT_TEST_PG") {
        Ok(url) if !url.is_empty() => TestServer {
            admin_url: url,
            _cluster: None,
        },
        _ => {
            let cluster = Cluster::start(ClusterOptions::default());
            TestServer {
                admin_url: cluster.url("postgres"),
                _cluster: Some(cluster),
            }
        }
    })
}

/// A database created for one test; dropped when the value is dropped.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// Connects to this database.
    pub async fn connect(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }

    /// Runs a script of SQL statements, panicking with the error on failure.
    pub async fn execute(&self, sql: &str) {
        let client = self.connect().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!("fixture SQL failed in {}: {}", self.name, describe(&e));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = server().url("postgres");
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(conn);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Error text with the server's detail, for panics in fixtures.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {} {}",
            db.code().code(),
            db.message(),
            db.detail().unwrap_or("")
        ),
        None => e.to_string(),
    }
}

/// Runs `sql` over the simple query protocol; every row's values as text, NULL as `None`.
pub async fn text_rows(
    client: &tokio_postgres::Client,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, tokio_postgres::Error> {
    Ok(client
        .simple_query(sql)
        .await?
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect())
}

/// Connects without TLS and drives the connection in the background.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match tokio_postgres::connect(url, tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(conn);
                return client;
            }
            Err(e) if Instant::now() < deadline && e.as_db_error().is_none() => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(e) => panic!("cannot connect to the test server: {}", describe(&e)),
        }
    }
}

/// Creates a fresh, empty database for one test. `label` becomes part of its name.
pub async fn database(label: &str) -> TestDatabase {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let server = server();
    let clean: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = format!(
        "gw_{}_{}_{}",
        clean,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let admin = connect(&server.url("postgres")).await;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
        ))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {}", describe(&e)));
    TestDatabase {
        url: server.url(&name),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_database_part() {
        assert_eq!(
            replace_database("postgresql://u:p@h:5/a?sslmode=disable", "b"),
            "postgresql://u:p@h:5/b?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgresql://u@h:5", "b"),
            "postgresql://u@h:5/b"
        );
    }

    #[tokio::test]
    async fn each_test_gets_its_own_empty_database() {
        let a = database("a").await;
        let b = database("b").await;
        assert_ne!(a.name, b.name);
        a.execute("CREATE TABLE t (x int)").await;
        let rows = b
            .connect()
            .await
            .query("SELECT 1 FROM pg_class WHERE relname = 't'", &[])
            .await
            .unwrap();
        assert!(
            rows.is_empty(),
            "a table made in one test database leaked into another"
        );
    }
}

/// This process's memory, from /proc/self/status (Linux; 0 elsewhere).
pub mod memory {
    /// A figure of /proc/self/status in bytes (`VmHWM:` peak resident memory since the last
    /// [`reset_peak`]; `VmRSS:` resident now).
    fn status_bytes(field: &str) -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// Peak resident memory since the last [`reset_peak`].
    pub fn peak_rss() -> u64 {
        status_bytes("VmHWM:")
    }

    /// Resident memory now.
    pub fn resident() -> u64 {
        status_bytes("VmRSS:")
    }

    /// Makes the peak start again from what is resident now (Linux: writing 5 to clear_refs).
    pub fn reset_peak() {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
}
