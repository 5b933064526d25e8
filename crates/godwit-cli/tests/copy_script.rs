//! `godwit copy --source <exported Oracle script>`: the offline source's rows (Oracle's HR sample
//! schema, `tests/fixtures/oracle_hr`) go through the Oracle copy path (canonical text, COPY in
//! chunk transactions, several at once), with the schema converted and created around them, hashed
//! on both sides, kept in the run history, and resumed after a stop with only the unfinished chunks.

mod common;

use common::{godwit, Run};
use godwit_store::{Store, VerifyLevel};
use godwit_testkit::{database, text_rows};

fn fixture() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oracle_hr")
        .display()
        .to_string()
}

/// HR's tables and the rows `hr_populate.sql` inserts into each (216 in all).
const HR_ROWS: [(&str, i64); 7] = [
    ("regions", 5),
    ("countries", 25),
    ("locations", 23),
    ("departments", 27),
    ("jobs", 19),
    ("employees", 107),
    ("job_history", 10),
];

fn run_id(run: &Run) -> String {
    run.stderr
        .lines()
        .find_map(|l| l.strip_prefix("run "))
        .unwrap_or_else(|| panic!("no run id in {}", run.stderr))
        .trim()
        .to_string()
}

async fn counts(client: &tokio_postgres::Client) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (table, _) in HR_ROWS {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        out.push((table.to_string(), n));
    }
    out
}

fn expected() -> Vec<(String, i64)> {
    HR_ROWS.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

#[tokio::test]
async fn an_exported_script_arrives_with_its_schema_hashed_on_both_sides_and_kept_in_the_history() {
    let target = database("script_copy_target").await;
    let data = tempfile::tempdir().unwrap();
    let run = godwit(
        &[
            "copy",
            "--source",
            &fixture(),
            "--target",
            &target.url,
            "--create-schema",
            "--verify",
            "hash",
            "--jobs",
            "2",
            "--chunk-rows",
            "10",
        ],
        data.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("0 rows lost (counted and hashed on both sides"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.lines().filter(|l| l.ends_with(" equal")).count(),
        7,
        "{}",
        run.stdout
    );
    let client = target.connect().await;
    assert_eq!(counts(&client).await, expected());
    // Values as Oracle holds them: a DATE from TO_DATE('17-06-2013', 'dd-MM-yyyy'), a NUMBER, NULLs.
    assert_eq!(
        text_rows(
            &client,
            "SELECT first_name, hire_date::text, salary::text, commission_pct::text FROM employees WHERE employee_id = 100"
        )
        .await
        .unwrap(),
        [[
            Some("Steven".to_string()),
            Some("2013-06-17 00:00:00".to_string()),
            Some("24000.00".to_string()),
            None
        ]]
    );
    // The schema around the rows: keys and foreign keys after them, then HR's code.
    let objects = text_rows(
        &client,
        "SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace)::text,
                (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated AND connamespace = 'public'::regnamespace)::text,
                (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)::text,
                (SELECT count(*) FROM pg_proc WHERE proname IN ('add_job_history', 'secure_dml'))::text",
    )
    .await
    .unwrap();
    assert_eq!(
        objects,
        [[
            Some("7".to_string()),
            Some("10".to_string()),
            Some("2".to_string()),
            Some("2".to_string())
        ]]
    );
    // The history keeps each chunk (216 rows in chunks of at most 10: 24) and the verification,
    // as the desktop shows them.
    let history = Store::open(&data.path().join("godwit.sqlite3")).unwrap();
    let chunks = history.run_chunks(&run_id(&run)).unwrap();
    assert_eq!(
        (chunks.len(), chunks.iter().map(|c| c.rows).sum::<u64>()),
        (24, 216)
    );
    let kept = history
        .verification(&run_id(&run))
        .unwrap()
        .expect("a kept verification");
    assert_eq!(kept.level, VerifyLevel::Hash);
    assert_eq!(kept.tables.len(), 7);
    for t in &kept.tables {
        assert_eq!((t.lost, t.extra), (0, 0), "{}", t.table);
        assert!(
            t.source_hash.is_some() && t.source_hash == t.target_hash,
            "{}",
            t.table
        );
    }
    assert_eq!(kept.tables.iter().map(|t| t.target_rows).sum::<i64>(), 216);
}

#[tokio::test]
async fn a_script_copy_stopped_by_a_refused_row_resumes_with_only_its_unfinished_chunks() {
    let target = database("script_copy_resume").await;
    let data = tempfile::tempdir().unwrap();
    // The tables as `godwit convert` writes them (the part before the data), and a check that
    // refuses employee 150, the 51st row: chunks of 10 rows stop at the sixth.
    let script = data.path().join("hr.sql");
    let convert = godwit(
        &[
            "convert",
            "--from",
            "oracle",
            &fixture(),
            "-o",
            script.to_str().unwrap(),
        ],
        data.path(),
    );
    assert_eq!(convert.code, 0, "{}", convert.stderr);
    let sql = std::fs::read_to_string(&script).unwrap();
    let tables = sql.split("-- ===== data =====").next().unwrap();
    target.execute(tables).await;
    target
        .execute("ALTER TABLE employees ADD CONSTRAINT not_150 CHECK (employee_id <> 150)")
        .await;
    let args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "copy",
            "--source",
            &fixture(),
            "--target",
            &target.url,
            "--verify",
            "hash",
            "--chunk-rows",
            "10",
            "--jobs",
            "1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let first = godwit(
        &args(&[]).iter().map(String::as_str).collect::<Vec<_>>(),
        data.path(),
    );
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stderr.contains("not_150") && first.stderr.contains("resume with --resume"),
        "{}",
        first.stderr
    );
    let client = target.connect().await;
    let n: i64 = client
        .query_one("SELECT count(*) FROM employees", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 50, "the five chunks before the refused row stay");

    client
        .batch_execute("ALTER TABLE employees DROP CONSTRAINT not_150")
        .await
        .unwrap();
    let id = run_id(&first);
    let resumed = godwit(
        &args(&["--resume", &id, "--format", "json"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        data.path(),
    );
    assert_eq!(resumed.code, 0, "{}\n{}", resumed.stdout, resumed.stderr);
    assert_eq!(counts(&client).await, expected());
    let distinct: i64 = client
        .query_one("SELECT count(DISTINCT employee_id) FROM employees", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(distinct, 107);
    let reports: Vec<serde_json::Value> = serde_json::from_str(&resumed.stdout).unwrap();
    let report = |table: &str| {
        reports
            .iter()
            .find(|r| r["table"] == format!("public.{table}"))
            .unwrap_or_else(|| panic!("no {table} in {}", resumed.stdout))
            .clone()
    };
    // Regions were all copied by the first invocation; employees' first five chunks too.
    assert_eq!(report("regions")["chunks_skipped"], 1);
    assert_eq!(report("regions")["source_rows"], 0);
    assert_eq!(report("employees")["chunks"], 11);
    assert_eq!(report("employees")["chunks_skipped"], 5);
    assert_eq!(report("employees")["source_rows"], 57);
    assert_eq!(
        report("employees")["source_hash"],
        report("employees")["target_hash"]
    );
}

/// Rows that drew their keys from a sequence arrive with those keys, and the target's sequence
/// goes on after them, as Oracle's would.
#[tokio::test]
async fn a_sequence_the_rows_drew_from_goes_on_after_them() {
    let target = database("script_copy_sequence").await;
    let data = tempfile::tempdir().unwrap();
    let script = data.path().join("orders.sql");
    std::fs::write(
        &script,
        "CREATE SEQUENCE order_seq START WITH 1000 INCREMENT BY 10;
CREATE TABLE orders (id NUMBER(10) PRIMARY KEY, placed DATE, note VARCHAR2(20));
INSERT INTO orders VALUES (order_seq.NEXTVAL, DATE '2024-01-31', 'first');
INSERT INTO orders VALUES (order_seq.NEXTVAL, TO_DATE('2024-02-29 13:45', 'YYYY-MM-DD HH24:MI'), 'it''s');
",
    )
    .unwrap();
    let run = godwit(
        &[
            "copy",
            "--source",
            script.to_str().unwrap(),
            "--target",
            &target.url,
            "--create-schema",
            "--verify",
            "hash",
        ],
        data.path(),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let client = target.connect().await;
    assert_eq!(
        text_rows(
            &client,
            "SELECT id::text, placed::text, note FROM orders ORDER BY id"
        )
        .await
        .unwrap(),
        [
            [
                Some("1000".to_string()),
                Some("2024-01-31 00:00:00".to_string()),
                Some("first".to_string())
            ],
            [
                Some("1010".to_string()),
                Some("2024-02-29 13:45:00".to_string()),
                Some("it's".to_string())
            ]
        ]
    );
    assert_eq!(
        text_rows(&client, "SELECT nextval('order_seq')::text")
            .await
            .unwrap(),
        [[Some("1020".to_string())]]
    );
}

/// A RAW(16) key goes into a target table whose column is a uuid (made by hand, not by
/// `--create-schema`, which keeps bytea): sent as a uuid, hashed alike on both sides; a RAW of
/// another length is refused naming the row's line and the column.
#[tokio::test]
async fn raw_sixteen_goes_into_a_uuid_column() {
    let target = database("script_copy_uuid").await;
    target
        .execute("CREATE TABLE tokens (id uuid PRIMARY KEY, owner text)")
        .await;
    let data = tempfile::tempdir().unwrap();
    let script = data.path().join("tokens.sql");
    let write = |rows: &str| {
        std::fs::write(
            &script,
            format!("CREATE TABLE tokens (id RAW(16) PRIMARY KEY, owner VARCHAR2(20));\n{rows}"),
        )
        .unwrap()
    };
    let copy = || {
        godwit(
            &[
                "copy",
                "--source",
                script.to_str().unwrap(),
                "--target",
                &target.url,
                "--verify",
                "hash",
            ],
            data.path(),
        )
    };
    write(
        "INSERT INTO tokens VALUES (HEXTORAW('0A1B2C3D4E5F60718293A4B5C6D7E8F9'), 'ann');
INSERT INTO tokens VALUES (HEXTORAW('00112233445566778899aabbccddeeff'), 'bob');
",
    );
    let run = copy();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let client = target.connect().await;
    assert_eq!(
        text_rows(&client, "SELECT id::text, owner FROM tokens ORDER BY owner")
            .await
            .unwrap(),
        [
            [
                Some("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9".to_string()),
                Some("ann".to_string())
            ],
            [
                Some("00112233-4455-6677-8899-aabbccddeeff".to_string()),
                Some("bob".to_string())
            ]
        ]
    );

    client.batch_execute("TRUNCATE tokens").await.unwrap();
    write("INSERT INTO tokens VALUES (HEXTORAW('DEADBEEF'), 'eve');\n");
    let run = copy();
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("tokens.sql:2")
            && run.stderr.contains("ID")
            && run.stderr.contains("uuid"),
        "{}",
        run.stderr
    );
}
