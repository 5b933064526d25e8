//! Fault test: one multi-table `godwit copy --create-schema` run killed with SIGKILL at a dozen
//! points chosen at random (seeded; the seed is printed, GODWIT_FAULT_SEED repeats it) and resumed
//! each time, with the target server crash-restarted once mid-copy. At the end every source row is on
//! the target exactly once (counts and hashes), and every chunk committed exactly once.

use godwit_testkit::{database, Cluster, ClusterOptions, TestDatabase};
use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHUNK_PAGES: i64 = 8;

const SOURCE: &str = "
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id int PRIMARY KEY, name text NOT NULL, since date);
INSERT INTO shop.customers SELECT g, 'customer ' || g, date '2020-01-01' + g % 1000 FROM generate_series(1, 5000) g;
CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer int NOT NULL REFERENCES shop.customers, amount numeric(12,2), note text);
INSERT INTO shop.orders SELECT g, 1 + g % 5000, g / 7.0, CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('n', g % 40) END FROM generate_series(1, 60000) g;
CREATE INDEX orders_customer ON shop.orders (customer);
CREATE TABLE shop.lines (order_id bigint, sku text, qty int);
INSERT INTO shop.lines SELECT 1 + g % 60000, 'sku-' || (g % 997), 1 + g % 9 FROM generate_series(1, 100000) g;
CREATE TABLE shop.sales (id int NOT NULL, day date NOT NULL, total numeric) PARTITION BY RANGE (day);
CREATE TABLE shop.sales_2024 PARTITION OF shop.sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.sales_2025 PARTITION OF shop.sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO shop.sales SELECT g, date '2024-01-01' + g % 700, g * 1.5 FROM generate_series(1, 10000) g;
CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE amount > 1000;
";

/// splitmix64: a small seeded generator, enough to place kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Where an invocation is stopped.
#[derive(Clone, Copy, Debug)]
enum Point {
    /// SIGKILL this long after it started (connecting, reading catalogs, creating the schema, planning).
    AfterStart(Duration),
    /// SIGKILL this long after the run has this many chunks committed (the last point: all of
    /// them, so keys, indexes, code and verification are under way).
    AfterChunks(i64, Duration),
    /// Crash-restart the target server once this many chunks are committed; godwit fails by itself.
    RestartAfterChunks(i64),
}

/// A running `godwit` whose output is collected.
struct Godwit {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Godwit {
    /// Waits for the end and returns its stdout.
    fn finish(&mut self) -> (std::process::ExitStatus, String) {
        let status = self.child.wait().unwrap();
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        (status, self.stdout.lock().unwrap().clone())
    }
}

impl Drop for Godwit {
    /// A failed assertion leaves no godwit running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect(
    mut pipe: impl Read + Send + 'static,
) -> (Arc<Mutex<String>>, std::thread::JoinHandle<()>) {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    (text, reader)
}

fn spawn(args: &[&str], data: &std::path::Path) -> Godwit {
    let mut child = Command::new(env!("CARGO_BIN_EXE_godwit"))
        .args(args)
        .env("GODWIT_DATA_DIR", data)
        .env("GODWIT_PROGRESS_SECONDS", "60")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start godwit");
    let (stdout, out_reader) = collect(child.stdout.take().unwrap());
    let (stderr, err_reader) = collect(child.stderr.take().unwrap());
    Godwit {
        child,
        stdout,
        stderr,
        readers: vec![out_reader, err_reader],
    }
}

/// The report of the invocation that finished the run: with the chunks and rows the target had
/// committed before it started, every chunk and every source row is counted exactly once, and
/// verification found the tables equal.
fn check_report(stdout: &str, before: (i64, i64), total: i64, source_rows: i64) {
    let report: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["chunks_total"], total);
    assert_eq!(
        before.0 + report["chunks_copied"].as_i64().unwrap(),
        total,
        "chunks committed before plus those copied by the last invocation: each once"
    );
    assert_eq!(
        before.1 + report["rows_copied"].as_i64().unwrap(),
        source_rows,
        "rows committed over all invocations: each source row once"
    );
    let tables = report["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 5);
    for table in tables {
        assert_eq!(table["source_rows"], table["target_rows"], "{table}");
        assert_eq!(table["rejected_rows"], 0, "{table}");
        assert!(table["source_hash"].is_string(), "{table}");
        assert_eq!(table["source_hash"], table["target_hash"], "{table}");
    }
}

/// A connection to the target that comes back after the server restarts.
struct Target {
    url: String,
    client: Option<tokio_postgres::Client>,
}

impl Target {
    /// One row of `sql`; `None` while godwit_copy does not exist yet. Retries through a restart.
    async fn query_one(&mut self, sql: &str, run_id: &str) -> Option<tokio_postgres::Row> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.client.as_ref().is_none_or(|c| c.is_closed()) {
                self.client = Some(godwit_testkit::connect(&self.url).await);
            }
            match self
                .client
                .as_ref()
                .unwrap()
                .query_one(sql, &[&run_id])
                .await
            {
                Ok(row) => return Some(row),
                Err(e) if matches!(e.code().map(|c| c.code()), Some("42P01" | "3F000")) => {
                    return None
                }
                Err(e) => {
                    // The restart cut the connection (or the server is still recovering).
                    assert!(Instant::now() < deadline, "the target does not answer: {e}");
                    self.client = None;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Chunks of the run committed on the target, and their rows.
    async fn committed(&mut self, run_id: &str) -> (i64, i64) {
        self.query_one(
            "SELECT count(*), coalesce(sum(rows), 0)::bigint FROM godwit_copy.progress WHERE run_id = $1",
            run_id,
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap_or((0, 0))
    }

    /// The run's committed chunks as (table, chunk).
    async fn chunks(&mut self, run_id: &str) -> BTreeSet<(String, u32)> {
        let Some(row) = self
            .query_one(
                "SELECT coalesce(array_agg(table_name || ':' || chunk), '{}') FROM godwit_copy.progress WHERE run_id = $1",
                run_id,
            )
            .await
        else {
            return BTreeSet::new();
        };
        row.get::<_, Vec<String>>(0)
            .into_iter()
            .map(|s| {
                let (table, chunk) = s.rsplit_once(':').unwrap();
                (table.to_string(), chunk.parse().unwrap())
            })
            .collect()
    }
}

/// Rows of every copied table, as count and an order-independent digest of their text.
async fn fingerprint(client: &tokio_postgres::Client, table: &str) -> String {
    client
        .query_one(
            &format!("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"),
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// The fault tests' generator: seeded from GODWIT_FAULT_SEED, else the clock (the seed is printed).
fn seeded() -> (u64, Rng) {
    let seed = std::env::var("GODWIT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("fault test seed: {seed} (GODWIT_FAULT_SEED={seed} repeats the same kill points)");
    (seed, Rng(seed))
}

/// A target database on a server of its own, since the tests restart it. Commits are made durable
/// (the test clusters turn synchronous_commit off), so a chunk in the history is on the target.
async fn restartable_target() -> (Arc<Cluster>, String) {
    let cluster = Arc::new(Cluster::start(ClusterOptions::default()));
    let admin = godwit_testkit::connect(&cluster.url("postgres")).await;
    admin
        .batch_execute("ALTER SYSTEM SET synchronous_commit = on")
        .await
        .unwrap();
    admin
        .batch_execute("SELECT pg_reload_conf()")
        .await
        .unwrap();
    admin.batch_execute("CREATE DATABASE faults").await.unwrap();
    drop(admin);
    let url = cluster.url("faults");
    (cluster, url)
}

/// Kill points over a run of `total` chunks: one early, twelve at random numbers of committed
/// chunks, one once all chunks are in (schema after the data, verification); the target restarts
/// at the middle one.
fn kill_points(rng: &mut Rng, total: i64) -> Vec<Point> {
    let mut thresholds: BTreeSet<i64> = BTreeSet::new();
    while thresholds.len() < 12 {
        thresholds.insert(1 + rng.below(total as u64 - 1) as i64);
    }
    let mut points = vec![Point::AfterStart(Duration::from_millis(rng.below(400)))];
    for (i, t) in thresholds.into_iter().enumerate() {
        points.push(if i == 6 {
            Point::RestartAfterChunks(t)
        } else {
            Point::AfterChunks(t, Duration::from_micros(rng.below(20_000)))
        });
    }
    points.push(Point::AfterChunks(
        total,
        Duration::from_millis(rng.below(300)),
    ));
    eprintln!("{total} chunks; points: {points:?}");
    points
}

/// One more invocation that resumes the run to its end (the last kill point may have come too
/// late for a run to finish by itself): its output, and what was committed before it began.
async fn resume_to_end(
    base: &[String],
    run_id: &str,
    target: &mut Target,
    data: &std::path::Path,
) -> (String, (i64, i64)) {
    let before = target.committed(run_id).await;
    let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
    args.extend(["--resume", run_id]);
    let mut last = spawn(&args, data);
    let (status, stdout) = last.finish();
    assert!(
        status.success(),
        "{stdout}\n{}",
        last.stderr.lock().unwrap()
    );
    (stdout, before)
}

/// What [`kill_and_resume`] did: the run, its kills and target restarts, the report of the
/// invocation that finished the run (with what was committed before it began), if one did.
struct Killed {
    run_id: String,
    kills: u32,
    restarts: u32,
    finished: Option<(String, (i64, i64))>,
    target: Target,
}

/// Runs `godwit` with `base` and stops it at each of `points` (SIGKILL, or a crash-restart of the
/// target server), resuming the run each time; after each stop checks that what the target
/// committed only grows and that every chunk in the history is committed on the target.
async fn kill_and_resume(
    base: &[String],
    points: &[Point],
    cluster: &Arc<Cluster>,
    target_url: &str,
    data: &std::path::Path,
) -> Killed {
    let store_path = data.join("godwit.sqlite3");
    let mut target = Target {
        url: target_url.to_string(),
        client: None,
    };
    let mut run_id: Option<String> = None;
    let (mut kills, mut restarts, mut last_committed) = (0, 0, 0i64);
    let mut finished_early = false;
    // The report of an invocation that finished the run, and what was committed before it began.
    let mut finished: Option<(String, (i64, i64))> = None;
    for point in points {
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        let mut before = (0, 0);
        if let Some(id) = &run_id {
            args.extend(["--resume", id]);
            before = target.committed(id).await;
        }
        let mut godwit = spawn(&args, data);
        let deadline = Instant::now() + Duration::from_secs(60);
        // The run id, once: kill points begin after the run is in the history.
        while run_id.is_none() {
            if let Some(id) = godwit
                .stderr
                .lock()
                .unwrap()
                .lines()
                .find_map(|line| line.strip_prefix("run "))
            {
                run_id = Some(id.trim().to_string());
            }
            assert!(
                godwit.child.try_wait().unwrap().is_none(),
                "godwit ended before starting the run: {}",
                godwit.stderr.lock().unwrap()
            );
            assert!(Instant::now() < deadline, "no run id");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let id = run_id.clone().unwrap();
        match *point {
            Point::AfterStart(delay) => tokio::time::sleep(delay).await,
            Point::AfterChunks(chunks, _) | Point::RestartAfterChunks(chunks) => loop {
                // The target restarts mid-copy: once this invocation has committed a chunk of its
                // own (before that it may not have connected yet, and would not notice).
                let goal = match *point {
                    Point::RestartAfterChunks(_) => chunks.max(before.0 + 1),
                    _ => chunks,
                };
                let committed = target.committed(&id).await.0;
                if committed >= goal || godwit.child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "stuck at {committed} chunks: {}",
                    godwit.stderr.lock().unwrap()
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            },
        }
        match *point {
            Point::RestartAfterChunks(_) => {
                let (restarting, began) = (cluster.clone(), Instant::now());
                tokio::task::spawn_blocking(move || restarting.crash_restart())
                    .await
                    .unwrap();
                eprintln!("target restarted in {:.1} s", began.elapsed().as_secs_f64());
                let (status, stdout) = godwit.finish();
                let stderr = godwit.stderr.lock().unwrap().clone();
                if status.success() {
                    finished_early = true;
                    finished = Some((stdout, before));
                } else {
                    assert_eq!(status.code(), Some(1), "{stderr}");
                    assert!(stderr.contains("resume with --resume"), "{stderr}");
                    restarts += 1;
                }
            }
            Point::AfterStart(_) | Point::AfterChunks(..) => {
                if let Point::AfterChunks(_, delay) = *point {
                    tokio::time::sleep(delay).await;
                }
                match godwit.child.try_wait().unwrap() {
                    None => {
                        godwit.child.kill().unwrap(); // SIGKILL
                        godwit.child.wait().unwrap();
                        kills += 1;
                    }
                    Some(_) => {
                        let (status, stdout) = godwit.finish();
                        assert!(status.success(), "{}", godwit.stderr.lock().unwrap());
                        finished_early = true;
                        finished = Some((stdout, before));
                    }
                }
            }
        }
        // After each stop: what the target committed only grows, and every chunk in the history
        // is committed on the target (the history is written after the target's commit).
        let store = godwit_store::Store::open(&store_path).unwrap();
        let run = store.run(&id).unwrap();
        if run.status == "finished" {
            finished_early = true;
        }
        if !finished_early {
            let on_target = target.chunks(&id).await;
            assert!(on_target.len() as i64 >= last_committed);
            last_committed = on_target.len() as i64;
            for c in store.run_chunks(&id).unwrap() {
                assert!(
                    on_target.contains(&(c.table.clone(), c.chunk)),
                    "{}:{} is in the history but not committed on the target",
                    c.table,
                    c.chunk
                );
            }
        }
        eprintln!(
            "{point:?}: {} chunks committed, status {}",
            last_committed, run.status
        );
        if finished_early {
            break;
        }
    }
    Killed {
        run_id: run_id.expect("a run id"),
        kills,
        restarts,
        finished,
        target,
    }
}

#[tokio::test]
async fn a_copy_killed_at_random_points_and_a_restarted_target_lose_and_double_nothing() {
    let started = Instant::now();
    let (seed, mut rng) = seeded();
    let source: TestDatabase = database("fault_source").await;
    source.execute(SOURCE).await;
    let (cluster, target_url) = restartable_target().await;

    // The chunks the run will have: each table's blocks over CHUNK_PAGES.
    let source_client = source.connect().await;
    let sizes = source_client
        .query(
            "SELECT c.oid::regclass::text, greatest(1, ceil(pg_relation_size(c.oid) / 8192.0 / $1::float8))::bigint
               FROM pg_class c WHERE c.relnamespace = 'shop'::regnamespace AND c.relkind = 'r' ORDER BY 1",
            &[&(CHUNK_PAGES as f64)],
        )
        .await
        .unwrap();
    let total: i64 = sizes.iter().map(|r| r.get::<_, i64>(1)).sum();
    let source_rows: i64 = source_client
        .query_one(
            "SELECT (SELECT count(*) FROM shop.customers) + (SELECT count(*) FROM shop.orders) + (SELECT count(*) FROM shop.lines) + (SELECT count(*) FROM shop.sales)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(total > 100, "enough chunks to kill between: {total}");
    let points = kill_points(&mut rng, total);

    let data = tempfile::tempdir().unwrap();
    let store_path = data.path().join("godwit.sqlite3");
    let base = [
        "copy",
        "--source",
        &source.url,
        "--target",
        &target_url,
        "--schema",
        "shop",
        "--create-schema",
        "--jobs",
        "2",
        "--chunk-pages",
        &CHUNK_PAGES.to_string(),
        "--verify",
        "hash",
        "--format",
        "json",
    ]
    .map(String::from);
    let killed = kill_and_resume(&base, &points, &cluster, &target_url, data.path()).await;
    let Killed {
        run_id,
        kills,
        restarts,
        finished,
        mut target,
    } = killed;
    eprintln!("{kills} kills, {restarts} restart(s) of the target");
    assert!(kills >= 10, "at least ten kills landed mid-run: {kills}");
    assert_eq!(restarts, 1, "the target restarted mid-copy once");

    // The invocation that finished the run (the last kill point may have come too late), or one
    // more that copies what is left.
    let store = godwit_store::Store::open(&store_path).unwrap();
    match finished {
        Some((stdout, before)) => check_report(&stdout, before, total, source_rows),
        None if store.run(&run_id).unwrap().status == "finished" => {
            // Killed after the history said finished, before the target's bookkeeping went: it
            // still lists every chunk once.
            assert_eq!(target.committed(&run_id).await, (total, source_rows));
        }
        None => {
            let (stdout, before) = resume_to_end(&base, &run_id, &mut target, data.path()).await;
            check_report(&stdout, before, total, source_rows);
        }
    }
    // The history lists every chunk once, with the rows of each table.
    let chunks = store.run_chunks(&run_id).unwrap();
    assert_eq!(chunks.len() as i64, total);
    assert_eq!(
        chunks.iter().map(|c| c.rows as i64).sum::<i64>(),
        source_rows
    );
    assert_eq!(store.run(&run_id).unwrap().status, "finished");

    // Checked again independently of godwit: same rows, each once, and the schema came whole.
    let target_client = godwit_testkit::connect(&target_url).await;
    for table in [
        "shop.customers",
        "shop.orders",
        "shop.lines",
        "shop.sales",
        "shop.big_orders",
    ] {
        assert_eq!(
            fingerprint(&source_client, table).await,
            fingerprint(&target_client, table).await,
            "{table}"
        );
    }
    let shape = "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop') || '/' || (SELECT count(*) FROM pg_constraint WHERE connamespace = 'shop'::regnamespace)";
    assert_eq!(
        source_client
            .query_one(shape, &[])
            .await
            .unwrap()
            .get::<_, String>(0),
        target_client
            .query_one(shape, &[])
            .await
            .unwrap()
            .get::<_, String>(0)
    );
    eprintln!(
        "fault test: {kills} kills and {restarts} restart over {total} chunks in {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}

/// An exported Oracle script of three tables (9,000 rows in multi-row INSERTs): customers, their
/// orders (NUMBER(12,2), TIMESTAMP, text with quotes and NULLs), events (RAW).
fn oracle_script() -> (String, [(&'static str, i64); 3]) {
    let mut sql = String::from(
        "CREATE TABLE customers (id NUMBER(10) PRIMARY KEY, name VARCHAR2(40) NOT NULL, since DATE);
CREATE TABLE orders (id NUMBER(12) PRIMARY KEY, customer NUMBER(10) NOT NULL REFERENCES customers,
  amount NUMBER(12,2), placed TIMESTAMP, note VARCHAR2(60));
CREATE INDEX orders_customer ON orders (customer);
CREATE TABLE events (id NUMBER(10) PRIMARY KEY, tag RAW(8), ratio NUMBER);
",
    );
    let rows = [("customers", 1500), ("orders", 6000), ("events", 1500)];
    let batch = |sql: &mut String, head: &str, values: Vec<String>| {
        for group in values.chunks(500) {
            sql.push_str(head);
            sql.push_str(&group.join(",\n  "));
            sql.push_str(";\n");
        }
    };
    batch(
        &mut sql,
        "INSERT INTO customers (id, name, since) VALUES\n  ",
        (1..=rows[0].1)
            .map(|g| {
                format!(
                    "({g}, 'customer {g}', TO_DATE('20{:02}-{:02}-{:02}', 'YYYY-MM-DD'))",
                    g % 25,
                    1 + g % 12,
                    1 + g % 28
                )
            })
            .collect(),
    );
    batch(
        &mut sql,
        "INSERT INTO orders (id, customer, amount, placed, note) VALUES\n  ",
        (1..=rows[1].1)
            .map(|g| {
                let note = match g % 3 {
                    0 => "NULL".to_string(),
                    1 => format!("'it''s order {g}'"),
                    _ => format!("'{}'", "n".repeat((g % 40) as usize)),
                };
                format!(
                    "({g}, {}, {}.{:02}, TO_TIMESTAMP('2024-03-{:02} 10:{:02}:{:02}.{:06}', 'YYYY-MM-DD HH24:MI:SS.FF'), {note})",
                    1 + g % rows[0].1,
                    g / 7,
                    g % 100,
                    1 + g % 28,
                    g % 60,
                    (g * 7) % 60,
                    (g * 7919) % 1_000_000
                )
            })
            .collect(),
    );
    batch(
        &mut sql,
        "INSERT INTO events (id, tag, ratio) VALUES\n  ",
        (1..=rows[2].1)
            .map(|g| format!("({g}, HEXTORAW('{:016X}'), -{g}.125)", g * 2_654_435_761))
            .collect(),
    );
    (sql, rows)
}

/// The same faults as above, the source an exported Oracle script (the offline source's rows
/// through the Oracle copy path, --create-schema from its conversion): every row arrives exactly
/// once, hashed equal on both sides, and the same as loading `godwit convert`'s script.
#[tokio::test]
async fn an_oracle_script_copy_killed_at_random_points_loses_and_doubles_nothing() {
    const CHUNK_ROWS: i64 = 60;
    let started = Instant::now();
    let (seed, mut rng) = seeded();
    let data = tempfile::tempdir().unwrap();
    let (sql, rows) = oracle_script();
    let script = data.path().join("shop.sql");
    std::fs::write(&script, &sql).unwrap();
    let total: i64 = rows
        .iter()
        .map(|(_, n)| (n + CHUNK_ROWS - 1) / CHUNK_ROWS)
        .sum();
    let source_rows: i64 = rows.iter().map(|(_, n)| n).sum();
    let (cluster, target_url) = restartable_target().await;
    let points = kill_points(&mut rng, total);
    let base = [
        "copy",
        "--source",
        script.to_str().unwrap(),
        "--target",
        &target_url,
        "--create-schema",
        "--jobs",
        "2",
        "--chunk-rows",
        &CHUNK_ROWS.to_string(),
        "--verify",
        "hash",
        "--format",
        "json",
    ]
    .map(String::from);
    let Killed {
        run_id,
        kills,
        restarts,
        finished,
        mut target,
    } = kill_and_resume(&base, &points, &cluster, &target_url, data.path()).await;
    eprintln!("{kills} kills, {restarts} restart(s) of the target");
    assert!(kills >= 10, "at least ten kills landed mid-run: {kills}");
    assert_eq!(restarts, 1, "the target restarted mid-copy once");
    let (stdout, before) = match finished {
        Some(done) => done,
        None => resume_to_end(&base, &run_id, &mut target, data.path()).await,
    };
    // The invocation that finished: with what was committed before it, each chunk and each row
    // once; each table counted and hashed equal.
    let reports: Vec<serde_json::Value> =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(reports.len(), 3);
    let copied_now: i64 = reports
        .iter()
        .map(|r| r["chunks"].as_i64().unwrap() - r["chunks_skipped"].as_i64().unwrap())
        .sum();
    assert_eq!(before.0 + copied_now, total);
    let read_now: i64 = reports
        .iter()
        .map(|r| r["source_rows"].as_i64().unwrap())
        .sum();
    assert_eq!(before.1 + read_now, source_rows);
    for r in &reports {
        assert_eq!(r["expected_rows"], r["target_rows"], "{r}");
        assert!(r["source_hash"].is_string(), "{r}");
        assert_eq!(r["source_hash"], r["target_hash"], "{r}");
    }
    let store = godwit_store::Store::open(&data.path().join("godwit.sqlite3")).unwrap();
    let chunks = store.run_chunks(&run_id).unwrap();
    assert_eq!(chunks.len() as i64, total);
    assert_eq!(
        chunks.iter().map(|c| c.rows as i64).sum::<i64>(),
        source_rows
    );

    // Checked independently of the copy: the rows `godwit convert`'s script loads.
    let converted = data.path().join("shop.pg.sql");
    let mut convert = spawn(
        &[
            "convert",
            "--from",
            "oracle",
            script.to_str().unwrap(),
            "-o",
            converted.to_str().unwrap(),
        ],
        data.path(),
    );
    let (status, _) = convert.finish();
    assert!(status.success(), "{}", convert.stderr.lock().unwrap());
    let reference = database("fault_oracle_reference").await;
    reference
        .execute(&std::fs::read_to_string(&converted).unwrap())
        .await;
    let (reference, copied) = (
        reference.connect().await,
        godwit_testkit::connect(&target_url).await,
    );
    for (table, n) in rows {
        let copied_rows = fingerprint(&copied, table).await;
        assert!(
            copied_rows.starts_with(&format!("{n}:")),
            "{table}: {copied_rows}"
        );
        assert_eq!(copied_rows, fingerprint(&reference, table).await, "{table}");
        let distinct: i64 = copied
            .query_one(&format!("SELECT count(DISTINCT id) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(distinct, n, "{table}");
    }
    eprintln!(
        "oracle script fault test: {kills} kills and {restarts} restart over {total} chunks in {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}
