//! Oracle rows into a real PostgreSQL: recorded catalog and data rows (as the live reader's queries
//! return them) played back through the Oracle source, split into ROWID-range chunks, converted
//! with no silent loss, copied in chunk transactions (several at once), resumed without duplicates,
//! and verified by hashes read back from the target. No Oracle server runs here; the live driver is
//! exercised only when GODWIT_TEST_ORACLE is set (crates/godwit-oracle's live test).

use godwit_catalog::QualifiedName;
use godwit_oracle::live::{LiveError, OracleSession};
use godwit_testkit::{database, text_rows};
use godwit_transfer::{
    copy_oracle_from, Control, CopyError, LiveRows, NulPolicy, OnError, OpenRows,
    OracleCopyOptions, OracleRows, OracleTable, Verify,
};
use std::sync::{Arc, Mutex};

/// Answers the reader's queries as a database holding one table, MEASURES, would: its size and
/// extents (three extents of one block, ROWIDs AAA1–AAA2, AAA3–AAA4 and AAA5), the snapshot's
/// SCN, its columns, and the rows of a ROWID range.
struct Recorded {
    /// Whether DBA_EXTENTS and USER_EXTENTS may be read.
    extents: bool,
    /// Whether the SCN may be read.
    scn: bool,
    /// The data queries answered so far, shared with the test.
    reads: Arc<Mutex<Vec<String>>>,
    /// Stops this run once that many chunks were read (as a user pressing Cancel).
    stop_after: Option<(usize, Control)>,
}

impl OracleSession for Recorded {
    fn execute(&mut self, _: &'static str, _: &str) -> Result<(), LiveError> {
        Ok(())
    }

    fn query(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
    ) -> Result<Vec<Vec<Option<String>>>, LiveError> {
        let refused = || LiveError::Query {
            query: name,
            message: "ORA-00942: table or view does not exist".into(),
        };
        Ok(match name {
            "columns" => {
                assert_eq!(binds, ["HR", "MEASURES"]);
                catalog()
            }
            "table size" => vec![row(&[Some("5"), Some("3")])],
            "extents" | "user extents" if !self.extents => return Err(refused()),
            "extents" | "user extents" => [("AAA1", "AAA2z"), ("AAA3", "AAA4z"), ("AAA5", "AAA5z")]
                .iter()
                .map(|(first, last)| row(&[Some(first), Some(last), Some("1"), Some("7")]))
                .collect(),
            "scn" if !self.scn => return Err(refused()),
            "scn" => vec![row(&[Some("4242")])],
            "table data" => {
                assert!(
                    sql.starts_with("SELECT ROWIDTOCHAR(ROWID), TO_CHAR(\"ID\", 'TM9'")
                        && sql.contains("FROM \"HR\".\"MEASURES\""),
                    "{sql}"
                );
                assert_eq!(sql.contains(" AS OF SCN 4242"), self.scn, "{sql}");
                let mut reads = self.reads.lock().unwrap();
                reads.push(binds.first().unwrap_or(&"all").to_string());
                if let Some((after, control)) = &self.stop_after {
                    if reads.len() >= *after {
                        control.stop();
                    }
                }
                data()
                    .into_iter()
                    .filter(|r| match binds {
                        [first, last] => {
                            let rowid = r[0].as_deref().unwrap();
                            *first <= rowid && rowid <= *last
                        }
                        _ => true,
                    })
                    .collect()
            }
            other => panic!("unexpected query {other}"),
        })
    }
}

fn row(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_string)).collect()
}

fn catalog() -> Vec<Vec<Option<String>>> {
    // Name, type and, for NOTE, its length in characters (a VARCHAR2, not a CLOB: the table has
    // no LOB and is sent in COPY's binary format where its target columns allow).
    [
        ("ID", "NUMBER", None),
        ("AMOUNT", "NUMBER", None),
        ("TAKEN", "DATE", None),
        ("AT", "TIMESTAMP(6) WITH TIME ZONE", None),
        ("SPAN", "INTERVAL DAY(2) TO SECOND(6)", None),
        ("TERM", "INTERVAL YEAR(2) TO MONTH", None),
        ("RATIO", "BINARY_DOUBLE", None),
        ("TAG", "RAW", None),
        ("NOTE", "VARCHAR2", Some("4000")),
    ]
    .iter()
    .map(|(n, t, length)| row(&[Some(n), Some(t), *length]))
    .collect()
}

/// Five rows as Oracle's SELECT returns them: ROWID first, then each column's canonical text.
fn data() -> Vec<Vec<Option<String>>> {
    vec![
        row(&[
            Some("AAA1"),
            Some("1"),
            Some("12345678901234567890.0123456789"),
            Some(" 2024-02-29 13:45:00"),
            Some(" 2024-11-03 05:30:00.000000000"),
            Some("+01 02:03:04.500000000"),
            Some("+02-03"),
            Some("7FF8000000000000"),
            Some("DEADBEEF"),
            Some("plain"),
        ]),
        row(&[
            Some("AAA2"),
            Some("2"),
            Some("-.5"),
            Some("-0044-03-15 12:00:00"),
            Some(" 2024-11-03 06:30:00.000000000"),
            Some("-00 00:00:01.000000000"),
            Some("-01-00"),
            Some("7FF0000000000000"),
            Some("00"),
            Some("tab\there"),
        ]),
        row(&[
            Some("AAA3"),
            Some("3"),
            None,
            None,
            None,
            None,
            None,
            Some("FFF0000000000000"),
            None,
            Some("nul\u{0}inside"),
        ]),
        row(&[
            Some("AAA4"),
            Some("4"),
            Some("1E+20"),
            Some(" 1999-12-31 23:59:59"),
            Some(" 2000-01-01 00:00:00.123456000"),
            Some("+00 00:00:00.000000000"),
            Some("+00-01"),
            Some("3FB999999999999A"),
            Some("0A0B"),
            None,
        ]),
        row(&[
            Some("AAA5"),
            Some("5"),
            Some("0"),
            Some(" 2000-01-01 00:00:00"),
            Some(" 2000-01-01 00:00:00.000000000"),
            Some("+10 00:00:00.000000000"),
            Some("+10-11"),
            Some("0000000000000000"),
            Some(""),
            Some("last"),
        ]),
    ]
}

const TARGET: &str = "CREATE TABLE measures (id integer PRIMARY KEY, amount numeric, taken timestamp, at timestamptz,
    span interval, term interval, ratio double precision, tag bytea, note text)";

fn tables() -> Vec<OracleTable> {
    vec![OracleTable {
        owner: "HR".into(),
        table: "MEASURES".into(),
        target: QualifiedName::new("public", "measures"),
    }]
}

/// The recorded table copied by one job (a fresh recorded session per open) under `run_id`.
async fn copy_oracle_checked(
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
) -> Result<Vec<godwit_transfer::OracleCopied>, CopyError> {
    copy_oracle_from(
        opener(true, true, &Arc::default(), &Arc::default()),
        target_url,
        run_id,
        tables,
        &OracleCopyOptions {
            jobs: 1,
            ..*options
        },
        None,
        &Control::new(),
        None,
    )
    .await
}

/// [`copy_oracle_checked`]'s table reports.
async fn copy_oracle(
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
) -> Result<Vec<godwit_transfer::OracleTableReport>, CopyError> {
    Ok(copy_oracle_checked(target_url, run_id, tables, options)
        .await?
        .into_iter()
        .map(|c| c.report)
        .collect())
}

#[tokio::test]
async fn oracle_rows_arrive_exactly_in_chunks_and_resume_without_duplicates() {
    let target = database("oracle_rows_target").await;
    target.execute(TARGET).await;
    let options = OracleCopyOptions {
        chunk_rows: 2,
        nul: NulPolicy::Strip,
        ..Default::default()
    };
    let reports = copy_oracle(&target.url, "run-1", &tables(), &options)
        .await
        .unwrap();
    let r = &reports[0];
    assert_eq!((r.source_rows, r.target_rows, r.chunks), (5, 5, 3));
    assert_eq!((r.nul_values, r.nul_characters), (1, 1));
    assert!(r.binary, "sent in COPY's binary format");
    let client = target.connect().await;
    let rows = text_rows(
        &client,
        "SET TimeZone = 'UTC'; SELECT id::text, amount::text, taken::text, at::text, span::text, term::text, ratio::text, encode(tag, 'hex'), note FROM measures ORDER BY id",
    )
    .await
    .unwrap();
    let expect: Vec<Vec<Option<&str>>> = vec![
        vec![
            Some("1"),
            Some("12345678901234567890.0123456789"),
            Some("2024-02-29 13:45:00"),
            Some("2024-11-03 05:30:00+00"),
            Some("1 day 02:03:04.5"),
            Some("2 years 3 mons"),
            Some("NaN"),
            Some("deadbeef"),
            Some("plain"),
        ],
        vec![
            Some("2"),
            Some("-0.5"),
            Some("0044-03-15 12:00:00 BC"),
            Some("2024-11-03 06:30:00+00"),
            Some("-00:00:01"),
            Some("-1 years"),
            Some("Infinity"),
            Some("00"),
            Some("tab\there"),
        ],
        vec![
            Some("3"),
            None,
            None,
            None,
            None,
            None,
            Some("-Infinity"),
            None,
            Some("nulinside"),
        ],
        vec![
            Some("4"),
            Some("100000000000000000000"),
            Some("1999-12-31 23:59:59"),
            Some("2000-01-01 00:00:00.123456+00"),
            Some("00:00:00"),
            Some("1 mon"),
            Some("0.1"),
            Some("0a0b"),
            None,
        ],
        vec![
            Some("5"),
            Some("0"),
            Some("2000-01-01 00:00:00"),
            Some("2000-01-01 00:00:00+00"),
            Some("10 days"),
            Some("10 years 11 mons"),
            Some("0"),
            Some(""),
            Some("last"),
        ],
    ];
    let expect: Vec<Vec<Option<String>>> = expect
        .into_iter()
        .map(|r| r.into_iter().map(|v| v.map(str::to_string)).collect())
        .collect();
    assert_eq!(rows, expect);
    // Under --verify count the chunks keep the rows they kept but no hash (nothing reads it).
    let chunks: i64 = client
        .query_one(
            "SELECT count(*) FROM godwit_copy.progress WHERE run_id = 'run-1' AND hash IS NULL AND hashed_rows = rows",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(chunks, 3);

    // The same run again: every chunk is committed, nothing is copied twice.
    let again = copy_oracle(&target.url, "run-1", &tables(), &options)
        .await
        .unwrap();
    assert_eq!((again[0].chunks_skipped, again[0].target_rows), (3, 5));

    // Under the default policy a NUL stops the table, naming its row and column; the chunk being
    // copied rolls back, the committed ones stay.
    client.batch_execute("TRUNCATE measures").await.unwrap();
    let e = copy_oracle(
        &target.url,
        "run-2",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Fail,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("table HR.MEASURES, row with ROWID AAA3: column NOTE: the text holds 1 NUL character(s)"),
        "{e}"
    );
    let kept: i64 = client
        .query_one("SELECT count(*) FROM measures", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 2);

    // Resumed with a policy that takes the NUL, the run copies only its two other chunks.
    let resumed = copy_oracle(
        &target.url,
        "run-2",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            resumed[0].chunks_skipped,
            resumed[0].source_rows,
            resumed[0].target_rows,
            resumed[0].expected_rows
        ),
        (1, 3, 5, 5)
    );
    assert_eq!(
        text_rows(
            &client,
            "SELECT string_agg(id::text, ' ' ORDER BY id) FROM measures"
        )
        .await
        .unwrap(),
        [[Some("1 2 3 4 5".to_string())]]
    );
}

/// The problems a copy into a `measures` table made by `create` reports, refusing it; and the
/// rows the table holds afterwards.
async fn refused_target(label: &str, create: &str) -> (Vec<String>, i64) {
    let target = database(label).await;
    target.execute(create).await;
    let e = copy_oracle(
        &target.url,
        "run-3",
        &tables(),
        &OracleCopyOptions::default(),
    )
    .await
    .unwrap_err();
    let CopyError::Incompatible(problems) = e else {
        panic!("{e}")
    };
    let rows: i64 = target
        .connect()
        .await
        .query_one("SELECT count(*) FROM measures", &[])
        .await
        .unwrap()
        .get(0);
    (problems, rows)
}

#[tokio::test]
async fn a_target_missing_columns_is_refused_before_any_row_moves() {
    let (problems, rows) = refused_target(
        "oracle_rows_missing",
        "CREATE TABLE measures (id integer, amount numeric)",
    )
    .await;
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert!(problems[0].starts_with("public.measures.TAKEN: no such column on the target"));
    assert_eq!(rows, 0);
}

/// Every column exists, but some cannot hold the values without an error or a silent change: each
/// is named with what it would do, all at once, and no row moves.
#[tokio::test]
async fn a_target_whose_columns_cannot_hold_the_values_is_refused_with_every_problem() {
    let (problems, rows) = refused_target(
        "oracle_rows_incompatible",
        "CREATE TABLE measures (id integer, amount numeric, taken date, at bytea,
            span interval, term interval, ratio real, tag bytea, note text,
            doubled integer GENERATED ALWAYS AS (id * 2) STORED, owner text NOT NULL)",
    )
    .await;
    assert_eq!(
        problems,
        [
            "public.measures.taken: DATE into date drops the time of day",
            "public.measures.at: TIMESTAMP WITH TIME ZONE cannot go into bytea",
            "public.measures.ratio: BINARY_DOUBLE into real rounds some values",
            "public.measures.owner: NOT NULL on the target without a default, and the Oracle table has no such column (every row would be refused)",
        ]
    );
    assert_eq!(rows, 0);
}

/// Rows the target refuses (a CHECK on rows 2 and 4, one in each of the first two chunks) stop the
/// table under the default policy; under `Skip` they are set aside in `godwit_copy.rejects` with
/// their place in ROWID order, their values and the target's error, every other row arrives, and
/// running the run again copies nothing twice.
#[tokio::test]
async fn refused_oracle_rows_stop_the_table_or_are_set_aside() {
    let target = database("oracle_rows_refused").await;
    target
        .execute(&format!(
            "{TARGET}; ALTER TABLE measures ADD CONSTRAINT not_two_or_four CHECK (id NOT IN (2, 4))"
        ))
        .await;
    let options = |on_error| OracleCopyOptions {
        chunk_rows: 2,
        nul: NulPolicy::Strip,
        on_error,
        ..Default::default()
    };
    let e = copy_oracle(&target.url, "run-stop", &tables(), &options(OnError::Stop))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("public.measures chunk 0")
            && e.to_string().contains("not_two_or_four"),
        "{e}"
    );
    let client = target.connect().await;
    let ids = |sql: &'static str| {
        let client = &client;
        async move {
            text_rows(client, sql)
                .await
                .unwrap()
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|v| v.unwrap_or_else(|| "NULL".into()))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("SELECT id FROM measures").await, Vec::<String>::new());

    let skip = || async {
        copy_oracle_checked(&target.url, "run-skip", &tables(), &options(OnError::Skip))
            .await
            .unwrap()
    };
    let copied = skip().await;
    let c = &copied[0];
    assert_eq!(
        (
            c.report.source_rows,
            c.report.target_rows,
            c.rejected_rows,
            c.report.chunks
        ),
        (5, 3, 2, 3)
    );
    assert_eq!(
        ids("SELECT id FROM measures ORDER BY id").await,
        ["1", "3", "5"]
    );
    assert_eq!(
        ids("SELECT chunk, row_key, source_ctid, sqlstate, row_json::jsonb ->> 'ID', row_json::jsonb ->> 'NOTE', coalesce(row_json::jsonb ->> 'AMOUNT', 'null') FROM godwit_copy.rejects WHERE run_id = 'run-skip' ORDER BY chunk").await,
        [
            // The values as sent to PostgreSQL (NUMBER in Oracle's canonical text).
            "0 ROWID AAA2 AAA2 23514 2 tab\there -.5",
            "1 ROWID AAA4 AAA4 23514 4 NULL 1E+20"
        ]
    );
    // Each chunk is recorded with the rows it kept and the hash of exactly those.
    assert_eq!(
        ids("SELECT chunk, rows, rejected, hashed_rows FROM godwit_copy.progress WHERE run_id = 'run-skip' ORDER BY chunk").await,
        ["0 1 1 1", "1 1 1 1", "2 1 0 1"]
    );
    let again = skip().await;
    assert_eq!(
        (
            again[0].report.chunks_skipped,
            again[0].report.target_rows,
            again[0].rejected_rows
        ),
        (3, 3, 2)
    );
}

/// Opens sessions of the recorded database, counting them; all share one log of chunk reads.
fn opener(
    extents: bool,
    scn: bool,
    reads: &Arc<Mutex<Vec<String>>>,
    opened: &Arc<Mutex<u32>>,
) -> OpenRows {
    let (reads, opened) = (reads.clone(), opened.clone());
    Arc::new(move || {
        *opened.lock().unwrap() += 1;
        let session = Recorded {
            extents,
            scn,
            reads: reads.clone(),
            stop_after: None,
        };
        Ok(Box::new(LiveRows::new(Box::new(session), "HR")) as Box<dyn OracleRows>)
    })
}

/// Two jobs copy the three ROWID-range chunks, each read once by one of two sessions at the
/// run's SCN; the hash of the rows sent equals the hash of the rows read back from the target.
#[tokio::test]
async fn parallel_jobs_read_each_rowid_range_once_at_one_snapshot_and_the_hashes_agree() {
    let target = database("oracle_rows_parallel").await;
    target.execute(TARGET).await;
    let (reads, opened) = (Arc::default(), Arc::default());
    let options = OracleCopyOptions {
        chunk_rows: 2,
        nul: NulPolicy::Strip,
        jobs: 2,
        verify: Verify::Hash,
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let history = Arc::new(Mutex::new(
        godwit_store::Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    let run_id = history
        .lock()
        .unwrap()
        .start_run("copy-oracle", "oracle://hr@db/x", "postgres://t", "{}")
        .unwrap()
        .id;
    let copied = copy_oracle_from(
        opener(true, true, &reads, &opened),
        &target.url,
        &run_id,
        &tables(),
        &options,
        None,
        &Control::new(),
        Some(&history),
    )
    .await
    .unwrap();
    let r = &copied[0].report;
    assert_eq!(
        (r.source_rows, r.expected_rows, r.target_rows, r.chunks),
        (5, 5, 5, 3)
    );
    assert_eq!(r.snapshot_scn.as_deref(), Some("4242"));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert!(r.source_hash.is_some() && r.source_hash == r.target_hash);
    assert!(!r.content_differs());
    let mut read = reads.lock().unwrap().clone();
    read.sort();
    assert_eq!(read, ["AAA1", "AAA3", "AAA5"]);
    assert_eq!(*opened.lock().unwrap(), 2);
    // The run history (SQLite) keeps each committed chunk too.
    let mut kept: Vec<(u32, u64)> = history
        .lock()
        .unwrap()
        .run_chunks(&run_id)
        .unwrap()
        .iter()
        .map(|c| (c.chunk, c.rows))
        .collect();
    kept.sort();
    assert_eq!(kept, [(0, 2), (1, 2), (2, 1)]);
    let client = target.connect().await;
    let plan = text_rows(
        &client,
        &format!("SELECT chunk::text, range, scn FROM godwit_copy.oracle_chunks WHERE run_id = '{run_id}' ORDER BY chunk"),
    )
    .await
    .unwrap();
    assert_eq!(plan.len(), 3);
    assert_eq!(
        plan[1],
        [
            Some("1".to_string()),
            Some(r#"{"rowids":{"first":"AAA3","last":"AAA4z"}}"#.to_string()),
            Some("4242".to_string())
        ]
    );

    // Run again, everything is committed: nothing is read, the hashes still agree.
    reads.lock().unwrap().clear();
    let again = copy_oracle_from(
        opener(true, true, &reads, &opened),
        &target.url,
        &run_id,
        &tables(),
        &options,
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap();
    let r = &again[0].report;
    assert_eq!((r.chunks_skipped, r.source_rows, r.target_rows), (3, 0, 5));
    assert!(r.source_hash.is_some() && r.source_hash == r.target_hash);
    assert!(reads.lock().unwrap().is_empty());
}

/// A target that changes values on the way in (a NUMBER rounded by numeric(30,2), a time of day
/// dropped by a trigger; a `date` column would be refused before any row moves) holds as many rows
/// but different ones: the hashes say so.
#[tokio::test]
async fn values_the_target_changed_on_the_way_in_make_the_hashes_differ() {
    let target = database("oracle_rows_changed").await;
    target
        .execute(
            "CREATE TABLE measures (id integer PRIMARY KEY, amount numeric(30,2), taken timestamp, at timestamptz,
    span interval, term interval, ratio double precision, tag bytea, note text);
             CREATE FUNCTION drop_the_time() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN NEW.taken := date_trunc('day', NEW.taken); RETURN NEW; END $$;
             CREATE TRIGGER drop_the_time BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION drop_the_time();",
        )
        .await;
    let reads = Arc::default();
    let copied = hashed_copy(&target.url, "run-changed", &reads).await;
    let r = &copied[0].report;
    assert_eq!((r.expected_rows, r.target_rows, r.lost()), (5, 5, 0));
    assert!(r.content_differs(), "{r:?}");

    // Counts alone cannot see it.
    let counted = copy_oracle_from(
        opener(true, true, &reads, &Arc::default()),
        &target.url,
        "run-changed",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap();
    assert!(!counted[0].report.content_differs());
    assert_eq!(counted[0].report.source_hash, None);
}

/// A user who may read neither the extents nor the SCN still gets every row, in one chunk read
/// without a snapshot, and the report says both.
#[tokio::test]
async fn without_extents_or_scn_a_table_is_one_chunk_and_the_report_says_why() {
    let target = database("oracle_rows_one_chunk").await;
    target.execute(TARGET).await;
    let (reads, opened) = (Arc::default(), Arc::default());
    let copied = copy_oracle_from(
        opener(false, false, &reads, &opened),
        &target.url,
        "run-whole",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            jobs: 4,
            verify: Verify::Hash,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap();
    let r = &copied[0].report;
    assert_eq!(
        (r.chunks, r.target_rows, r.snapshot_scn.clone()),
        (1, 5, None)
    );
    assert_eq!(r.source_hash, r.target_hash);
    assert_eq!(*reads.lock().unwrap(), ["all"]);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("one chunk: the extents are not readable"))
            && r.notes.iter().any(|n| n.starts_with("no snapshot")),
        "{:?}",
        r.notes
    );
}

/// Cancel (Control::stop) during the second chunk: that chunk rolls back, no other starts, and
/// the run says it stopped; resumed, it copies the two chunks left and the progress shows the
/// table whole, the first chunk counted as done before.
#[tokio::test]
async fn a_stopped_oracle_copy_rolls_back_its_open_chunk_and_resumes() {
    let target = database("oracle_rows_stopped").await;
    target.execute(TARGET).await;
    let options = OracleCopyOptions {
        chunk_rows: 2,
        nul: NulPolicy::Strip,
        ..Default::default()
    };
    let control = Control::new();
    let reads: Arc<Mutex<Vec<String>>> = Arc::default();
    let stopping = {
        let (reads, control) = (reads.clone(), control.clone());
        let open: OpenRows = Arc::new(move || {
            let session = Recorded {
                extents: true,
                scn: true,
                reads: reads.clone(),
                stop_after: Some((2, control.clone())),
            };
            Ok(Box::new(LiveRows::new(Box::new(session), "HR")) as Box<dyn OracleRows>)
        });
        open
    };
    let e = copy_oracle_from(
        stopping,
        &target.url,
        "run-stop",
        &tables(),
        &options,
        None,
        &control,
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, CopyError::Stopped { .. }), "{e}");
    let client = target.connect().await;
    let kept: i64 = client
        .query_one("SELECT count(*) FROM measures", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 2, "only the first chunk committed");
    assert_eq!(reads.lock().unwrap().len(), 2);

    let control = Control::new();
    let (reads, opened) = (Arc::default(), Arc::default());
    let resumed = copy_oracle_from(
        opener(true, true, &reads, &opened),
        &target.url,
        "run-stop",
        &tables(),
        &options,
        None,
        &control,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        (
            resumed[0].report.chunks_skipped,
            resumed[0].report.target_rows
        ),
        (1, 5)
    );
    assert_eq!(*reads.lock().unwrap(), ["AAA3", "AAA5"]);
    let progress = control.tables();
    assert_eq!(progress.len(), 1);
    let t = &progress[0];
    assert_eq!(
        (
            t.chunks_done,
            t.chunks_total,
            t.rows_done,
            t.rows_before,
            t.rows_in_flight
        ),
        (3, 3, 5, 2, 0)
    );
    assert!(t.finished() && t.bytes_done > 0);
    assert_eq!(control.phase(), "verifying");
}

/// Into existing tables whose trigger would refuse the rows and whose secondary index and foreign
/// key would slow the load: with triggers disabled and indexes deferred, every row arrives, and
/// afterwards the trigger is enabled again and the index and foreign key are back as they were.
#[tokio::test]
async fn triggers_off_and_indexes_deferred_during_the_load_come_back_after_it() {
    let target = database("oracle_rows_load_order").await;
    target
        .execute(&format!(
            "{TARGET};
             CREATE TABLE kinds (term interval PRIMARY KEY);
             INSERT INTO kinds VALUES (interval '2 years 3 months'), (interval '-1 year'),
               (interval '1 month'), (interval '10 years 11 months');
             CREATE INDEX measures_note ON measures (note) WHERE note IS NOT NULL;
             ALTER TABLE measures ADD CONSTRAINT measures_term FOREIGN KEY (term) REFERENCES kinds;
             CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no rows here'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION refuse();"
        ))
        .await;
    let client = target.connect().await;
    let shape = || async {
        text_rows(
            &client,
            "SELECT (SELECT indexdef FROM pg_indexes WHERE indexname = 'measures_note'),
                    (SELECT pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint WHERE conname = 'measures_term'),
                    (SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'refuse')",
        )
        .await
        .unwrap()
    };
    let before = shape().await;
    let (reads, opened) = (Arc::default(), Arc::default());
    let copied = copy_oracle_from(
        opener(true, true, &reads, &opened),
        &target.url,
        "run-load-order",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            disable_triggers: true,
            defer_indexes: true,
            verify: Verify::Hash,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap();
    let r = &copied[0].report;
    assert_eq!((r.target_rows, r.lost()), (5, 0));
    assert!(!r.content_differs());
    assert_eq!(shape().await, before);
    assert!(before[0].iter().all(Option::is_some), "{before:?}");
}

/// The recorded table copied in chunks of two rows with hashes, logging its chunk reads in `reads`.
async fn hashed_copy(
    target_url: &str,
    run_id: &str,
    reads: &Arc<Mutex<Vec<String>>>,
) -> Vec<godwit_transfer::OracleCopied> {
    copy_oracle_from(
        opener(true, true, reads, &Arc::default()),
        target_url,
        run_id,
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            verify: Verify::Hash,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap()
}

/// A target that drops a row (a trigger), already held another, and changes values on the way in
/// (numeric(30,2), a trigger dropping the time of day): the recheck reads both sides again and names each lost, extra and
/// different row by the target's primary key, with the columns that differ.
#[tokio::test]
async fn lost_extra_and_different_rows_are_named_by_key() {
    let target = database("oracle_rows_named").await;
    target
        .execute(
            "CREATE TABLE measures (id integer PRIMARY KEY, amount numeric(30,2), taken timestamp, at timestamptz,
    span interval, term interval, ratio double precision, tag bytea, note text);
             CREATE FUNCTION drop_the_time() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN NEW.taken := date_trunc('day', NEW.taken); RETURN NEW; END $$;
             CREATE TRIGGER drop_the_time BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION drop_the_time();
             INSERT INTO measures (id, note) VALUES (9, 'already here');
             CREATE FUNCTION drop_three() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN IF NEW.id = 3 THEN RETURN NULL; END IF; RETURN NEW; END $$;
             CREATE TRIGGER drop_three BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION drop_three();",
        )
        .await;
    let reads = Arc::default();
    let copied = hashed_copy(&target.url, "run-named", &reads).await;
    let r = &copied[0].report;
    let found = r.recheck.as_ref().expect("a recheck");
    assert_eq!(found.ranges, ["whole table, by id (1 pass)"]);
    assert_eq!((found.lost, found.extra, found.different), (1, 1, 3));
    assert_eq!(found.lost_keys, ["id=3"]);
    assert_eq!(found.extra_keys, ["id=9"]);
    let mut different: Vec<(String, Vec<String>)> = found
        .different_rows
        .iter()
        .map(|d| (d.key.clone(), d.columns.clone()))
        .collect();
    different.sort();
    assert_eq!(
        different,
        [
            (
                "id=1".to_string(),
                vec!["amount".to_string(), "taken".to_string()]
            ),
            ("id=2".to_string(), vec!["taken".to_string()]),
            ("id=4".to_string(), vec!["taken".to_string()]),
        ]
    );
    // Chunks 0..3 were read once to copy and once more to name the rows.
    assert_eq!(reads.lock().unwrap().len(), 6);

    // Counts alone see the dropped row too, the target holding fewer rows than the chunks sent
    // (with no extra row to make up for it).
    let client = target.connect().await;
    client.batch_execute("TRUNCATE measures").await.unwrap();
    let counted = copy_oracle_from(
        opener(true, true, &reads, &Arc::default()),
        &target.url,
        "run-named-by-counts",
        &tables(),
        &OracleCopyOptions {
            chunk_rows: 2,
            nul: NulPolicy::Strip,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap();
    let r = &counted[0].report;
    assert_eq!((r.expected_rows, r.target_rows), (5, 4));
    let found = r.recheck.as_ref().expect("a recheck");
    assert_eq!((found.lost, found.extra), (1, 0));
    assert_eq!(found.lost_keys, ["id=3"]);
}

/// A target table without a primary key is compared by whole rows, counted: a dropped row is lost
/// and a row already there is extra, each named by its first columns.
#[tokio::test]
async fn rows_of_a_table_without_a_key_are_named_by_their_values() {
    let target = database("oracle_rows_keyless").await;
    target
        .execute(
            "CREATE TABLE measures (id integer, amount numeric, taken timestamp, at timestamptz,
    span interval, term interval, ratio double precision, tag bytea, note text);
             INSERT INTO measures (id, note) VALUES (9, 'already here');
             CREATE FUNCTION drop_three() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN IF NEW.id = 3 THEN RETURN NULL; END IF; RETURN NEW; END $$;
             CREATE TRIGGER drop_three BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION drop_three();",
        )
        .await;
    let copied = hashed_copy(&target.url, "run-keyless", &Arc::default()).await;
    let found = copied[0].report.recheck.as_ref().expect("a recheck");
    assert_eq!(
        found.ranges,
        ["whole table, by whole rows (no primary key) (1 pass)"]
    );
    assert_eq!((found.lost, found.extra, found.different), (1, 1, 0));
    assert_eq!(
        found.lost_keys,
        ["id=3, amount=NULL, taken=NULL, at=NULL, …"]
    );
    assert_eq!(
        found.extra_keys,
        ["id=9, amount=NULL, taken=NULL, at=NULL, …"]
    );
}
