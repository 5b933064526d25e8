//! The `godwit` binary against real PostgreSQL servers: results, exit codes and the exact message for
//! each connection failure a user can meet.

use godwit_testkit::{database, Cluster, ClusterOptions, CLUSTER_PASSWORD};
use std::process::{Command, Output};
use std::sync::OnceLock;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn godwit(args: &[&str], data_dir: Option<&std::path::Path>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_godwit"));
    cmd.args(args)
        .env_remove("PGPASSWORD")
        .env_remove("RUST_LOG");
    match data_dir {
        Some(dir) => cmd.env("GODWIT_DATA_DIR", dir),
        None => cmd.env(
            "GODWIT_DATA_DIR",
            std::env::temp_dir().join("godwit-cli-tests-unused"),
        ),
    };
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run godwit");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A cluster of our own with password authentication, whatever GODWIT_TEST_PG says.
fn auth_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(ClusterOptions::default()))
}

fn assert_failure(run: &Run, code: i32, message: &str) {
    assert_eq!(run.code, code, "exit code; stderr: {}", run.stderr);
    assert_eq!(run.stderr.trim_end(), format!("error: {message}"));
    assert!(
        !run.stderr.contains(CLUSTER_PASSWORD) && !run.stdout.contains(CLUSTER_PASSWORD),
        "password echoed"
    );
}

#[test]
fn health_reports_version_privileges_and_latency() {
    let c = auth_cluster();
    let run = godwit(
        &[
            "health",
            "--source",
            &c.url("postgres"),
            "--target",
            &c.url("template1"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "source: postgresql://postgres:***@127.0.0.1:{}/postgres",
            c.port()
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("target: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("  server      PostgreSQL 1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("superuser, create databases, create in database"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(CLUSTER_PASSWORD));

    let json = godwit(
        &["health", "--source", &c.url("postgres"), "--format", "json"],
        None,
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(value["source"]["server_version_num"].as_u64().unwrap() >= 130000);
    assert!(value["source"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(value["source"]["tls"], false);
}

#[test]
fn wrong_password_says_to_check_the_password() {
    let c = auth_cluster();
    let url = format!(
        "postgresql://postgres:not-the-password@127.0.0.1:{}/postgres",
        c.port()
    );
    let run = godwit(&["health", "--source", &url], None);
    assert_failure(
        &run,
        1,
        &format!("source: password authentication failed for user \"postgres\" at 127.0.0.1:{}: check the password (or the user name)", c.port()),
    );
    assert!(!run.stderr.contains("not-the-password"));
}

#[test]
fn unreachable_host_says_to_check_host_port_and_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = godwit(
        &[
            "health",
            "--source",
            &format!("postgresql://postgres:{CLUSTER_PASSWORD}@127.0.0.1:{port}/postgres"),
        ],
        None,
    );
    assert_eq!(run.code, 1);
    let expected_start = format!("error: source: cannot reach 127.0.0.1:{port}: ");
    assert!(run.stderr.starts_with(&expected_start), "{}", run.stderr);
    assert!(run.stderr.trim_end().ends_with("Check the host name and port, that the server is running and that a firewall lets the connection through"), "{}", run.stderr);
    assert!(!run.stderr.contains(CLUSTER_PASSWORD));
}

#[test]
fn missing_database_is_named() {
    let c = auth_cluster();
    let run = godwit(&["health", "--source", &c.url("no_such_db")], None);
    assert_failure(
        &run,
        1,
        &format!("source: database \"no_such_db\" does not exist at 127.0.0.1:{}: check its name or create it (CREATE DATABASE \"no_such_db\")", c.port()),
    );
}

#[test]
fn tls_required_says_to_add_sslmode_and_tls_then_works() {
    let c = Cluster::start(ClusterOptions { require_tls: true });
    let plain = godwit(
        &[
            "health",
            "--source",
            &format!("{}?sslmode=disable", c.url("postgres")),
        ],
        None,
    );
    assert_failure(
        &plain,
        1,
        &format!("source: 127.0.0.1:{} requires an encrypted connection: add sslmode=require to the URL (e.g. …/postgres?sslmode=require)", c.port()),
    );
    let tls = godwit(
        &[
            "health",
            "--source",
            &format!("{}?sslmode=require", c.url("postgres")),
        ],
        None,
    );
    assert_eq!(tls.code, 0, "{}", tls.stderr);
    assert!(tls.stdout.contains("  tls         yes"), "{}", tls.stdout);
}

#[tokio::test]
async fn insufficient_privilege_says_what_to_grant() {
    let c = auth_cluster();
    let admin = godwit_testkit::connect(&c.url("postgres")).await;
    for statement in [
        "DROP DATABASE IF EXISTS locked_db",
        "DROP ROLE IF EXISTS outsider",
        "CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'",
        "CREATE DATABASE locked_db",
        "REVOKE CONNECT ON DATABASE locked_db FROM PUBLIC",
    ] {
        admin.batch_execute(statement).await.unwrap();
    }
    let run = godwit(
        &[
            "health",
            "--source",
            &format!(
                "postgresql://outsider:outsider-pw@127.0.0.1:{}/locked_db",
                c.port()
            ),
        ],
        None,
    );
    assert_failure(
        &run,
        1,
        &format!("source: user \"outsider\" may not connect to database \"locked_db\" at 127.0.0.1:{}: grant it with GRANT CONNECT ON DATABASE \"locked_db\" TO \"outsider\"", c.port()),
    );
    assert!(!run.stderr.contains("outsider-pw"));
}

#[test]
fn invalid_url_is_a_usage_error_without_the_password() {
    let run = godwit(
        &[
            "health",
            "--source",
            "postgresql://bob:s3cret@host:notaport/db",
        ],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("invalid connection URL postgresql://bob:***@host:notaport/db"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cret"));
}

#[test]
fn unknown_profile_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = godwit(&["discover", "--source", "nope"], Some(dir.path()));
    assert_failure(&run, 2, "no connection profile named or with id \"nope\"; give a postgresql:// URL or one of the saved profiles (godwit profile list)");
}

#[tokio::test]
async fn discover_prints_counts_tables_and_dependencies() {
    let db = database("cli_discover").await;
    db.execute(
        "CREATE SCHEMA shop;
         CREATE TABLE shop.customers (id int PRIMARY KEY, name text);
         CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int REFERENCES shop.customers);
         CREATE TABLE shop.orders_archive (id int);
         INSERT INTO shop.customers SELECT g, 'c' || g FROM generate_series(1, 500) g; ANALYZE shop.customers;
         CREATE VIEW shop.names AS SELECT name FROM shop.customers;",
    )
    .await;
    let run = godwit(
        &[
            "discover",
            "--source",
            &db.url,
            "--schema",
            "shop",
            "--exclude",
            "*_archive",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("  table                     2"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  view                      1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("shop.customers"), "{}", run.stdout);
    assert!(!run.stdout.contains("orders_archive"), "{}", run.stdout);
    let customers_line = run
        .stdout
        .lines()
        .find(|l| l.contains("shop.customers"))
        .unwrap();
    assert!(customers_line.contains(" 500 "), "{customers_line}");
    assert!(
        run.stdout
            .contains("Dependencies: 2 (foreign keys 1, view reads 1)"),
        "{}",
        run.stdout
    );

    let json = godwit(
        &[
            "discover", "--source", &db.url, "--schema", "shop", "--format", "json",
        ],
        None,
    );
    let catalog: godwit_catalog::Catalog =
        serde_json::from_str(&json.stdout).expect("discover --format json prints a catalog");
    assert_eq!(catalog.schemas[0].tables.len(), 3);

    let bad = godwit(&["discover", "--source", &db.url, "--include", "a["], None);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("invalid name pattern \"a[\""),
        "{}",
        bad.stderr
    );
}

#[tokio::test]
async fn ddl_writes_a_script_that_recreates_the_schema() {
    let db = database("cli_ddl").await;
    db.execute("CREATE SCHEMA app; CREATE TABLE app.t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text NOT NULL);").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.sql");
    let run = godwit(
        &["ddl", "--source", &db.url, "-o", out.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let script = std::fs::read_to_string(&out).unwrap();
    let empty = database("cli_ddl_target").await;
    empty.execute(&script).await;
    let rows = empty
        .connect()
        .await
        .query("SELECT count(*) FROM app.t", &[])
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, i64>(0), 0);

    let unwritable = godwit(
        &["ddl", "--source", &db.url, "-o", "/nonexistent-dir/x.sql"],
        None,
    );
    assert_eq!(unwritable.code, 1);
    assert!(
        unwritable
            .stderr
            .contains("cannot write /nonexistent-dir/x.sql"),
        "{}",
        unwritable.stderr
    );
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let run = godwit(&["--help"], None);
    assert!(
        run.stdout.contains("Examples:") && run.stdout.contains("Exit codes: 0 success"),
        "{}",
        run.stdout
    );
    let sub = godwit(&["discover", "--help"], None);
    assert!(
        sub.stdout.contains("godwit discover --source"),
        "{}",
        sub.stdout
    );
}

/// Saved profiles: the CLI finds them by name and reads their password from the OS keyring.
#[test]
fn saved_profiles_are_usable_by_name() {
    if std::env::var_os("GODWIT_REQUIRE_KEYRING").is_none()
        && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
    {
        eprintln!(
            "SKIPPED: no D-Bus session for the Secret Service keyring; run `cargo xtask test`"
        );
        return;
    }
    let c = auth_cluster();
    let dir = tempfile::tempdir().unwrap();
    let name = format!("cli-profile-{}", std::process::id());
    let add = godwit(
        &[
            "profile",
            "add",
            &name,
            "--url",
            &c.url("postgres"),
            "--env",
            "test",
        ],
        Some(dir.path()),
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert!(!add.stderr.contains(CLUSTER_PASSWORD));
    let health = godwit(&["health", "--source", &name], Some(dir.path()));
    assert_eq!(health.code, 0, "{}", health.stderr);
    assert!(health.stdout.contains("PostgreSQL"), "{}", health.stdout);
    let list = godwit(&["profile", "list"], Some(dir.path()));
    assert!(
        list.stdout.contains(&name) && list.stdout.contains(" test "),
        "{}",
        list.stdout
    );
    let db_bytes = std::fs::read(dir.path().join("godwit.sqlite3")).unwrap();
    assert!(!db_bytes
        .windows(CLUSTER_PASSWORD.len())
        .any(|w| w == CLUSTER_PASSWORD.as_bytes()));
    let remove = godwit(&["profile", "remove", &name], Some(dir.path()));
    assert_eq!(remove.code, 0, "{}", remove.stderr);
    assert_eq!(
        godwit(&["health", "--source", &name], Some(dir.path())).code,
        2
    );
}

#[test]
fn convert_writes_a_script_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sql");
    std::fs::write(&input, "PROMPT hi\nCREATE TABLE t (id NUMBER(5) PRIMARY KEY, name VARCHAR2(10));\nINSERT INTO t VALUES (1, '');\nCREATE VIEW v AS SELECT id, CONNECT_BY_ISCYCLE c FROM t START WITH id = 1 CONNECT BY NOCYCLE PRIOR id = id;\n").unwrap();
    let out = dir.path().join("out.sql");
    let report = dir.path().join("report.json");
    let run = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sql = std::fs::read_to_string(&out).unwrap();
    assert!(
        sql.contains("CREATE TABLE public.t (\n    id integer NOT NULL,\n    name varchar(10)\n)"),
        "{sql}"
    );
    assert!(sql.contains("insert into t values(1, NULL);"), "{sql}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["summary"]["not_converted"], 1);
    assert_eq!(report["summary"]["data_rows"], 1);
    assert!(run.stderr.contains("1 not converted"), "{}", run.stderr);
}

#[tokio::test]
async fn convert_checks_on_a_target_and_leaves_out_what_it_refuses() {
    let db = database("cli_check_on").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sql");
    std::fs::write(
        &input,
        "CREATE TABLE t (id NUMBER PRIMARY KEY);\nCREATE OR REPLACE PROCEDURE good AS BEGIN UPDATE t SET id = id; END;\n/\nCREATE OR REPLACE PROCEDURE bad AS BEGIN UPDATE missing SET id = 1; END;\n/\n",
    )
    .unwrap();
    let out = dir.path().join("out.sql");
    let url = db.url.clone();
    let run = tokio::task::spawn_blocking(move || {
        godwit(
            &[
                "convert",
                "--from",
                "oracle",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--check-on",
                &url,
            ],
            None,
        )
    })
    .await
    .unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 routines passed plpgsql_check; 1 left out"),
        "{}",
        run.stderr
    );
    let sql = std::fs::read_to_string(dir.path().join("out.sql")).unwrap();
    assert!(
        sql.contains("CREATE OR REPLACE PROCEDURE public.good"),
        "{sql}"
    );
    assert!(sql.contains("error GW-PG-CHECK"), "{sql}");
    assert!(sql.contains("relation \"missing\" does not exist"), "{sql}");
    // Nothing was left on the target.
    let client = db.connect().await;
    let left =
        godwit_testkit::text_rows(&client, "SELECT count(*) FROM pg_class WHERE relname = 't'")
            .await
            .unwrap();
    assert_eq!(left[0][0].as_deref(), Some("0"));
}

#[test]
fn convert_applies_a_rules_file_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sql");
    std::fs::write(
        &input,
        "CREATE TABLE t (id NUMBER, token RAW(16), amount NUMBER(8,2));\n",
    )
    .unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, "[types]\n\"NUMBER\" = \"bigint\"\n\"RAW(16)\" = \"uuid\"\n[columns]\n\"t.amount\" = \"numeric(12,2)\"\n").unwrap();
    let out = dir.path().join("out.sql");
    let run = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sql = std::fs::read_to_string(&out).unwrap();
    assert!(
        sql.contains("    id bigint,\n    token uuid,\n    amount numeric(12,2)\n"),
        "{sql}"
    );
    std::fs::write(&rules, "[types]\n\"NUMBER\" = bigint\n").unwrap();
    let bad = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("rules.toml: line 2: "),
        "{}",
        bad.stderr
    );
}

/// No Oracle client library can be installed here: a live source then says what to install and how to
/// work offline instead (on a machine with the library, nothing listens on port 1).
#[test]
fn convert_from_a_live_oracle_without_client_library_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.sql");
    let run = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            "oracle://scott:tiger@127.0.0.1:1/nothing",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Oracle client library is not installed")
            || run
                .stderr
                .contains("cannot connect to Oracle at //127.0.0.1:1/nothing"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("tiger"));
    assert!(!out.exists());
}

/// Writing to a device must not replace it with a regular file (a rename over /dev/null would).
#[test]
fn convert_writes_to_a_fifo_without_replacing_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sql");
    std::fs::write(&input, "CREATE TABLE t (id NUMBER);\n").unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            input.to_str().unwrap(),
            "-o",
            fifo.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(reader.join().unwrap().contains("CREATE TABLE public.t"));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO is still a FIFO"
    );
}

#[test]
fn convert_refuses_unusable_input_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("dump.dmp");
    std::fs::write(&binary, [0x00u8, 0x01, 0x02]).unwrap();
    let out = dir.path().join("out.sql");
    let run = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            binary.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("dump.dmp") && run.stderr.contains("not a text script"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing is written for unusable input");
    let missing = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            "/no/such/file.sql",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read /no/such/file.sql"),
        "{}",
        missing.stderr
    );
}

/// `godwit copy` killed with SIGKILL midway, then resumed: no row lost, none duplicated.
#[tokio::test]
async fn a_killed_copy_resumes_without_gaps_or_duplicates() {
    let source = database("cli_copy_source").await;
    source
        .execute("CREATE TABLE events (id bigint, body text); INSERT INTO events SELECT g, repeat('e', g % 200) FROM generate_series(1, 30000) g;")
        .await;
    let target = database("cli_copy_target").await;
    let data = tempfile::tempdir().unwrap();
    let args = [
        "copy",
        "--source",
        &source.url,
        "--target",
        &target.url,
        "--create-schema",
        "--jobs",
        "1",
        "--chunk-pages",
        "1",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_godwit"))
        .args(args)
        .env("GODWIT_DATA_DIR", data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = godwit_testkit::connect(&target.url).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let done = client
            .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
            .await
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if done >= 5 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the copy made no progress"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        partial > 0 && partial < 30000,
        "killed midway: {partial} rows"
    );

    let resumed = godwit(
        &[
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--resume",
            "last",
            "--jobs",
            "2",
            "--verify",
            "hash",
        ],
        Some(data.path()),
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert!(
        resumed
            .stdout
            .lines()
            .any(|l| l.starts_with("public.events") && l.trim_end().ends_with("equal")),
        "{}",
        resumed.stdout
    );
    assert!(
        resumed.stdout.contains("0 rows lost, 0 extra rows"),
        "{}",
        resumed.stdout
    );
    assert!(
        resumed.stderr.starts_with("run "),
        "the run id is printed first: {}",
        resumed.stderr
    );
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM events",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2),
            row.get::<_, i64>(3)
        ),
        (30000, 30000, 1, 30000)
    );
    let again = godwit(
        &[
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--resume",
            "last",
        ],
        Some(data.path()),
    );
    assert_eq!(again.code, 2, "nothing left to resume: {}", again.stderr);
    assert!(again.stderr.contains("no run \"last\""), "{}", again.stderr);
}
