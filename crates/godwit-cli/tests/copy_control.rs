//! `godwit copy` as a user runs it: progress on stderr, Ctrl-C (SIGINT) stopping a run that then
//! resumes with nothing lost or doubled, refused rows under both `--on-error` policies.

mod common;

use common::godwit;
use godwit_testkit::{database, TestDatabase};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

async fn count(db: &TestDatabase, sql: &str) -> i64 {
    db.connect().await.query_one(sql, &[]).await.unwrap().get(0)
}

/// SIGINT once rows are committed: the command stops promptly with exit code 130 and says how to
/// resume; no chunk is half there; the resumed run copies the rest, with 0 rows lost and none doubled.
#[tokio::test]
async fn ctrl_c_stops_a_copy_that_resumes_without_gaps_or_duplicates() {
    let source = database("sigint_source").await;
    source
        .execute(
            "CREATE TABLE events (id bigint PRIMARY KEY, body text);
             INSERT INTO events SELECT g, repeat('e', g % 200) FROM generate_series(1, 200000) g;
             CREATE TABLE tags (id int PRIMARY KEY, name text);
             INSERT INTO tags SELECT g, 'tag ' || g FROM generate_series(1, 5000) g;",
        )
        .await;
    let target = database("sigint_target").await;
    target
        .execute(
            "CREATE TABLE events (id bigint PRIMARY KEY, body text);
             CREATE TABLE tags (id int PRIMARY KEY, name text);
             -- Each COPY waits 20 ms: the run lasts seconds whatever the machine's speed.
             CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NULL; END $$;
             CREATE TRIGGER slow BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION slow();",
        )
        .await;
    let data = tempfile::tempdir().unwrap();
    let stderr_path = data.path().join("stderr.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_godwit"))
        .args([
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--jobs",
            "2",
            "--chunk-pages",
            "16",
        ])
        .env("GODWIT_DATA_DIR", data.path())
        .env("GODWIT_PROGRESS_SECONDS", "0.2")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let client = target.connect().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = client
            .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
            .await
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if done >= 3 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the copy ended before it was interrupted"
        );
        assert!(Instant::now() < deadline, "the copy made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let interrupted_at = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    eprintln!(
        "stopped {:.0} ms after SIGINT",
        interrupted_at.elapsed().as_secs_f64() * 1000.0
    );
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let run_id = stderr
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("run "))
        .expect("the run id comes first")
        .to_string();
    assert!(
        stderr.contains("interrupt: stopping; the chunks being copied roll back"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "resume with `godwit copy --resume {run_id}` and the same --source and --target"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("progress: "),
        "plain progress lines: {stderr}"
    );
    assert!(
        stderr.contains(" rows/s, ") && stderr.contains(" MB/s, ETA "),
        "{stderr}"
    );
    // Only whole chunks are on the target: its rows are those the committed chunks recorded.
    let (rows, recorded) = (
        count(&target, "SELECT count(*) FROM events").await
            + count(&target, "SELECT count(*) FROM tags").await,
        count(
            &target,
            "SELECT coalesce(sum(rows), 0)::bigint FROM godwit_copy.progress",
        )
        .await,
    );
    assert_eq!(rows, recorded, "no chunk is half committed");
    assert!(rows < 205_000, "interrupted before the end: {rows} rows");
    let status: String = {
        let store = godwit_store::Store::open(&data.path().join("godwit.sqlite3")).unwrap();
        store.run(&run_id).unwrap().status
    };
    assert_eq!(status, "interrupted");

    target.execute("DROP TRIGGER slow ON events").await;
    let resumed = godwit(
        &[
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--resume",
            &run_id,
            "--verify",
            "hash",
        ],
        data.path(),
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert!(
        resumed
            .stdout
            .contains("0 rows lost, 0 extra rows, 0 rejected"),
        "{}",
        resumed.stdout
    );
    for table in ["public.events", "public.tags"] {
        assert!(
            resumed
                .stdout
                .lines()
                .any(|l| l.starts_with(table) && l.trim_end().ends_with("equal")),
            "{}",
            resumed.stdout
        );
    }
    assert!(
        resumed.stderr.contains("copied public.events: 200000 rows"),
        "{}",
        resumed.stderr
    );
    let row = client
        .query_one("SELECT count(*), count(DISTINCT id) FROM events", &[])
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, i64>(1)),
        (200000, 200000)
    );

    // A finished run is not resumed again.
    let again = godwit(
        &[
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--resume",
            &run_id,
        ],
        data.path(),
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("already finished"),
        "{}",
        again.stderr
    );
}

/// `--on-error stop` (the default) fails naming table, chunk and key; `--on-error skip` copies the
/// rest, the summary gives the refused rows per table, and the run exits 3 saying where they are.
#[tokio::test]
async fn refused_rows_stop_the_copy_or_are_counted_in_the_summary() {
    let source = database("cli_reject_source").await;
    source
        .execute(
            "CREATE TABLE prices (sku text PRIMARY KEY, amount numeric);
             INSERT INTO prices SELECT 'sku-' || g, CASE WHEN g IN (17, 42, 99) THEN -1 ELSE g END FROM generate_series(1, 500) g;",
        )
        .await;
    let target = database("cli_reject_target").await;
    target
        .execute("CREATE TABLE prices (sku text PRIMARY KEY, amount numeric CHECK (amount >= 0))")
        .await;
    let data = tempfile::tempdir().unwrap();
    let args = ["copy", "--source", &source.url, "--target", &target.url];
    let stop = godwit(&args, data.path());
    assert_eq!(stop.code, 1, "{}", stop.stderr);
    let last = stop.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: public.prices chunk 0: the target rejected the row with key sku=sku-17: new row for relation \"prices\" violates check constraint \"prices_amount_check\" (SQLSTATE 23514)"),
        "{}",
        stop.stderr
    );
    assert_eq!(count(&target, "SELECT count(*) FROM prices").await, 0);

    let skip = godwit(
        &[&args[..], &["--on-error", "skip", "--verify", "hash"]].concat(),
        data.path(),
    );
    // Every row arrived but those set aside: exit 3, not 0.
    assert_eq!(skip.code, 3, "{}\n{}", skip.stdout, skip.stderr);
    let line = skip
        .stdout
        .lines()
        .find(|l| l.starts_with("public.prices"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields, ["public.prices", "500", "497", "3", "0", "equal"]);
    assert!(
        skip.stdout
            .contains("0 rows lost, 0 extra rows, 3 rejected")
            && skip
                .stdout
                .contains("source rows = target rows + rejected rows"),
        "{}",
        skip.stdout
    );
    assert!(
        skip.stderr
            .contains("error: copy incomplete: the target refused 3 rows (public.prices 3); they are set aside in godwit_copy.rejects on the target ("),
        "{}",
        skip.stderr
    );
    assert_eq!(
        count(&target, "SELECT count(*) FROM godwit_copy.rejects WHERE row_key IN ('sku=sku-17', 'sku=sku-42', 'sku=sku-99')").await,
        3
    );
}

/// `--chunk-by key` splits a table with an integer key by key ranges; every row arrives once.
#[tokio::test]
async fn chunk_by_key_copies_every_row() {
    let source = database("cli_keys_source").await;
    source
        .execute(
            "CREATE TABLE ledger (id int PRIMARY KEY, memo text);
             INSERT INTO ledger SELECT g * 3, repeat('m', g % 60) FROM generate_series(-4000, 4000) g;",
        )
        .await;
    let target = database("cli_keys_target").await;
    let data = tempfile::tempdir().unwrap();
    let run = godwit(
        &[
            "copy",
            "--source",
            &source.url,
            "--target",
            &target.url,
            "--create-schema",
            "--chunk-by",
            "key",
            "--chunk-pages",
            "4",
            "--verify",
            "hash",
        ],
        data.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("public.ledger") && l.trim_end().ends_with("equal")),
        "{}",
        run.stdout
    );
    assert_eq!(
        count(&target, "SELECT count(DISTINCT id) FROM ledger").await,
        8001
    );
}
