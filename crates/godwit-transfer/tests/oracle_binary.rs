//! Oracle rows sent in COPY's binary format into a real PostgreSQL: the same rows copied once as
//! COPY text (PostgreSQL's own input functions, the reference) and once in binary (godwit's
//! encoders) must be stored identically, typmods (rounding, padding, a timestamp's precision)
//! included; a chunk with a value the binary writer does not read is copied again as text; a row
//! the target refuses is searched for in the chunk's text lines and set aside; a large table is
//! read back for its hash in pieces, by several connections, and every row counts.

use godwit_catalog::QualifiedName;
use godwit_oracle::data::{OracleColumn, OracleType};
use godwit_testkit::{database, text_rows};
use godwit_transfer::{
    copy_oracle_from, Control, OnError, OpenRows, OracleCopied, OracleCopyOptions, OracleRows,
    OracleTable, Verify,
};
use std::sync::Arc;

/// One column of the test table: its Oracle name, type (as ALL_TAB_COLUMNS spells it) and
/// declared length, its target type, and its values as Oracle's SELECT returns them (row `i` takes
/// the `i`-th value, NULL past the end).
struct Column {
    name: &'static str,
    oracle: &'static str,
    length: Option<u32>,
    target: &'static str,
    values: &'static [Option<&'static str>],
}

/// Every Oracle type into the PostgreSQL types a conversion gives it, with the edges of each:
/// scales and exponents, float bits (NaN, infinities, subnormals, -0), BC dates, leap days, the
/// rounding a typmod asks for, escapes and multi-byte text.
const COLUMNS: &[Column] = &[
    Column {
        name: "ID",
        oracle: "NUMBER",
        length: None,
        target: "integer",
        values: &[
            Some("1"),
            Some("2"),
            Some("3"),
            Some("4"),
            Some("5"),
            Some("6"),
            Some("7"),
        ],
    },
    Column {
        name: "AMOUNT",
        oracle: "NUMBER",
        length: None,
        target: "numeric",
        values: &[
            Some("12345678901234567890.0123456789"),
            Some("-.5"),
            Some("1E+125"),
            Some("-1.2E-130"),
            Some("0"),
            Some("1.50"),
            None,
        ],
    },
    Column {
        name: "PRICE",
        oracle: "NUMBER",
        length: None,
        target: "numeric(10,2)",
        values: &[
            Some("3.14159"),
            Some("-2.005"),
            Some("99999999.994"),
            Some(".001"),
        ],
    },
    Column {
        name: "SMALL",
        oracle: "NUMBER",
        length: None,
        target: "smallint",
        values: &[Some("-32768"), Some("32767"), Some("0")],
    },
    Column {
        name: "BIG",
        oracle: "NUMBER",
        length: None,
        target: "bigint",
        values: &[Some("-9223372036854775808"), Some("9223372036854775807")],
    },
    Column {
        name: "RATE",
        oracle: "NUMBER",
        length: None,
        target: "real",
        values: &[Some("0.1"), Some("3.4028235E+38"), Some("1.17549435E-38")],
    },
    Column {
        name: "RATIO",
        oracle: "NUMBER",
        length: None,
        target: "double precision",
        values: &[Some("0.1"), Some("-1E+125"), Some("123456789.123456789")],
    },
    Column {
        name: "BF",
        oracle: "BINARY_FLOAT",
        length: None,
        target: "real",
        values: &[
            Some("7FC00000"),
            Some("FF800000"),
            Some("3DCCCCCD"),
            Some("00000001"),
            Some("80000000"),
        ],
    },
    Column {
        name: "BD",
        oracle: "BINARY_DOUBLE",
        length: None,
        target: "double precision",
        values: &[
            Some("7FF8000000000000"),
            Some("7FF0000000000000"),
            Some("3FB999999999999A"),
            Some("0000000000000001"),
            Some("8000000000000000"),
        ],
    },
    Column {
        name: "BN",
        oracle: "BINARY_DOUBLE",
        length: None,
        target: "numeric",
        values: &[Some("3FF8000000000000"), Some("7FF8000000000000")],
    },
    Column {
        name: "FLAG",
        oracle: "NUMBER",
        length: None,
        target: "boolean",
        values: &[Some("1"), Some("0")],
    },
    Column {
        name: "NAME",
        oracle: "VARCHAR2",
        length: Some(20),
        target: "character varying(20)",
        values: &[
            Some("tab\there"),
            Some("back\\slash\nline\r"),
            Some("é漢字"),
            Some(""),
            Some("trailing  "),
        ],
    },
    Column {
        name: "CODE",
        oracle: "CHAR",
        length: Some(5),
        target: "character(5)",
        values: &[Some("ab"), Some("abcde"), Some("\\N")],
    },
    Column {
        name: "DOC",
        oracle: "VARCHAR2",
        length: Some(100),
        target: "jsonb",
        values: &[Some(r#"{"b": 1, "a": [1, 2.50, "x\ty"]}"#), Some("[]")],
    },
    Column {
        name: "RAWDOC",
        oracle: "VARCHAR2",
        length: Some(100),
        target: "json",
        values: &[Some(r#"{"b": 1,   "a":2}"#)],
    },
    Column {
        name: "NUMTEXT",
        oracle: "NUMBER",
        length: None,
        target: "text",
        values: &[Some("1E+125"), Some("-.5")],
    },
    Column {
        name: "TAKEN",
        oracle: "DATE",
        length: None,
        target: "timestamp(0) without time zone",
        values: &[
            Some(" 2024-02-29 13:45:00"),
            Some("-4712-01-01 00:00:00"),
            Some("-0001-12-31 23:59:59"),
            Some(" 1582-10-10 00:00:00"),
            Some(" 9999-12-31 23:59:59"),
        ],
    },
    Column {
        name: "STAMP",
        oracle: "TIMESTAMP(9)",
        length: None,
        target: "timestamp without time zone",
        values: &[
            Some(" 2000-01-01 00:00:00.000001000"),
            Some(" 1999-12-31 23:59:59.999999000"),
            Some("-0044-03-15 12:00:00.500000000"),
        ],
    },
    Column {
        name: "AT",
        oracle: "TIMESTAMP(6) WITH TIME ZONE",
        length: None,
        target: "timestamp with time zone",
        values: &[
            Some(" 2024-11-03 05:30:00.000001000"),
            Some("-0044-03-15 12:00:00.000000000"),
        ],
    },
    Column {
        name: "AT_LOCAL",
        oracle: "TIMESTAMP(6) WITH TIME ZONE",
        length: None,
        target: "timestamp(6) without time zone",
        values: &[Some(" 2024-11-03 05:30:00.000001000")],
    },
    Column {
        name: "TERM",
        oracle: "INTERVAL YEAR(2) TO MONTH",
        length: None,
        target: "interval",
        values: &[Some("+02-03"), Some("-01-11"), Some("+00-00")],
    },
    Column {
        name: "SPAN",
        oracle: "INTERVAL DAY(2) TO SECOND(6)",
        length: None,
        target: "interval day to second(3)",
        values: &[
            Some("+04 05:06:07.123456000"),
            Some("-00 00:00:00.000500000"),
            Some("+99 23:59:59.999999000"),
        ],
    },
    Column {
        name: "TAG",
        oracle: "RAW",
        length: Some(2000),
        target: "bytea",
        values: &[Some("00FF10"), Some("")],
    },
    Column {
        name: "GUID",
        oracle: "RAW",
        length: Some(16),
        target: "uuid",
        values: &[Some("0123456789ABCDEF0123456789ABCDEF")],
    },
];

#[path = "common/rows_of.rs"]
mod rows_of;
use rows_of::RowsOf;

/// The Oracle table of `columns`, read in chunks of `chunk` rows.
fn given(columns: &'static [Column], chunk: u64) -> RowsOf<impl Fn(u64) -> Vec<Option<String>>> {
    let count = columns.iter().map(|c| c.values.len()).max().unwrap_or(0);
    RowsOf {
        columns: columns
            .iter()
            .map(|c| {
                let mut column = OracleColumn::new(c.name, OracleType::parse(c.oracle));
                column.size.length = c.length;
                column
            })
            .collect(),
        rows: count as u64,
        chunk_rows: chunk,
        row: move |i| {
            columns
                .iter()
                .map(|c| {
                    c.values
                        .get(i as usize)
                        .copied()
                        .flatten()
                        .map(str::to_string)
                })
                .collect()
        },
    }
}

/// `CREATE TABLE name (…)` with the columns' target types (lower-case names).
fn create(name: &str, columns: &[Column]) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|c| format!("{} {}", c.name.to_lowercase(), c.target))
        .collect();
    format!("CREATE TABLE {name} ({});", list.join(", "))
}

/// Copies `columns`' rows (chunks of `chunk` rows) into `public.into` under `run_id`.
async fn copy(
    url: &str,
    columns: &'static [Column],
    chunk: u64,
    into: &str,
    run_id: &str,
    options: OracleCopyOptions,
) -> OracleCopied {
    copy_from(
        Arc::new(move || Ok(Box::new(given(columns, chunk)) as Box<dyn OracleRows>)),
        url,
        into,
        run_id,
        options,
    )
    .await
}

/// Copies the table `open` reads into `public.into` under `run_id`, verified by hashes.
async fn copy_from(
    open: OpenRows,
    url: &str,
    into: &str,
    run_id: &str,
    options: OracleCopyOptions,
) -> OracleCopied {
    let mut copied = copy_oracle_from(
        open,
        url,
        run_id,
        &[OracleTable {
            owner: "HR".into(),
            table: into.to_uppercase(),
            target: QualifiedName::new("public", into),
        }],
        &OracleCopyOptions {
            verify: Verify::Hash,
            ..options
        },
        None,
        &Control::new(),
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("copy into {into}: {e}"));
    assert_eq!(copied.len(), 1);
    copied.remove(0)
}

/// The table's rows as the server prints them, by id.
async fn stored(client: &tokio_postgres::Client, table: &str) -> Vec<Vec<Option<String>>> {
    text_rows(
        client,
        &format!("SELECT t::text FROM {table} t ORDER BY id"),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn rows_sent_in_binary_are_stored_exactly_as_the_same_rows_sent_as_text() {
    let target = database("oracle_binary_same").await;
    target
        .execute(&format!(
            "{} {}",
            create("sent_as_text", COLUMNS),
            create("sent_as_binary", COLUMNS)
        ))
        .await;
    let text = copy(
        &target.url,
        COLUMNS,
        3,
        "sent_as_text",
        "as-text",
        OracleCopyOptions {
            copy_text: true,
            ..Default::default()
        },
    )
    .await;
    let binary = copy(
        &target.url,
        COLUMNS,
        3,
        "sent_as_binary",
        "as-binary",
        Default::default(),
    )
    .await;
    assert!(!text.report.binary, "the reference is sent as text");
    assert!(binary.report.binary, "every column has a binary form");
    for copied in [&text, &binary] {
        let report = &copied.report;
        assert_eq!(
            (report.source_rows, report.target_rows, report.lost()),
            (7, 7, 0)
        );
        assert_eq!(report.chunks, 3);
        // PRICE and SPAN round what they were sent: the verification says so, in both.
        assert!(report.source_hash.is_some() && report.target_hash.is_some());
        assert!(report.content_differs(), "{}", report.table);
    }
    // Both copies hashed the same rows sent and the same rows stored.
    assert_eq!(text.report.source_hash, binary.report.source_hash);
    assert_eq!(text.report.target_hash, binary.report.target_hash);

    let client = target.connect().await;
    let (as_text, as_binary) = (
        stored(&client, "sent_as_text").await,
        stored(&client, "sent_as_binary").await,
    );
    assert_eq!(as_text.len(), 7);
    for (t, b) in as_text.iter().zip(&as_binary) {
        assert_eq!(t, b);
    }
    // What the typmods did, in both (a few values, so that a shared mistake shows too).
    let picked = text_rows(
        &client,
        "SELECT id::text, amount::text, price::text, code, taken::text, span::text, stamp::text \
         FROM sent_as_binary WHERE id IN (1, 2, 3) ORDER BY id",
    )
    .await
    .unwrap();
    let expect = |values: &[&str]| {
        values
            .iter()
            .map(|v| Some(v.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        picked,
        vec![
            expect(&[
                "1",
                "12345678901234567890.0123456789",
                "3.14",
                "ab   ",
                "2024-02-29 13:45:00",
                "4 days 05:06:07.123",
                "2000-01-01 00:00:00.000001",
            ]),
            expect(&[
                "2",
                "-0.5",
                "-2.01",
                "abcde",
                "4712-01-01 00:00:00 BC",
                "-00:00:00.001",
                "1999-12-31 23:59:59.999999",
            ]),
            expect(&[
                "3",
                &format!("1{}", "0".repeat(125)),
                "99999999.99",
                "\\N   ",
                "0001-12-31 23:59:59 BC",
                "99 days 24:00:00",
                "0044-03-15 12:00:00.5 BC",
            ]),
        ]
    );
}

/// A BINARY_DOUBLE into a numeric column: +Infinity (row 5) has no binary numeric godwit writes.
const INFINITE: &[Column] = &[
    Column {
        name: "ID",
        oracle: "NUMBER",
        length: None,
        target: "integer",
        values: &[Some("1"), Some("2"), Some("3"), Some("4"), Some("5")],
    },
    Column {
        name: "BN",
        oracle: "BINARY_DOUBLE",
        length: None,
        target: "numeric",
        values: &[
            Some("3FF8000000000000"),
            Some("7FF8000000000000"),
            Some("4000000000000000"),
            None,
            Some("7FF0000000000000"),
        ],
    },
];

#[tokio::test]
async fn a_chunk_with_a_value_the_binary_writer_does_not_read_is_copied_again_as_text() {
    let target = database("oracle_binary_again").await;
    target.execute(&create("infinite", INFINITE)).await;
    let copied = copy(
        &target.url,
        INFINITE,
        2,
        "infinite",
        "again",
        Default::default(),
    )
    .await;
    let report = &copied.report;
    assert!(report.binary);
    assert_eq!(
        (report.source_rows, report.target_rows, report.lost()),
        (5, 5, 0)
    );
    assert_eq!(report.source_hash, report.target_hash);
    let client = target.connect().await;
    assert_eq!(
        text_rows(&client, "SELECT bn::text FROM infinite ORDER BY id")
            .await
            .unwrap(),
        [Some("1.5"), Some("NaN"), Some("2"), None, Some("Infinity")]
            .iter()
            .map(|v| vec![v.map(str::to_string)])
            .collect::<Vec<_>>()
    );
}

/// Names into a varchar(5): row 3's is too long for it.
const NARROW: &[Column] = &[
    Column {
        name: "ID",
        oracle: "NUMBER",
        length: None,
        target: "integer",
        values: &[Some("1"), Some("2"), Some("3"), Some("4")],
    },
    Column {
        name: "NAME",
        oracle: "VARCHAR2",
        length: Some(20),
        target: "character varying(5)",
        values: &[Some("ann"), Some("bo\tb"), Some("charlotte"), Some("dé")],
    },
];

#[tokio::test]
async fn a_row_the_target_refuses_in_a_binary_chunk_is_found_in_its_text_and_set_aside() {
    let target = database("oracle_binary_refused").await;
    target.execute(&create("narrow", NARROW)).await;
    let copied = copy(
        &target.url,
        NARROW,
        4,
        "narrow",
        "refused",
        OracleCopyOptions {
            on_error: OnError::Skip,
            ..Default::default()
        },
    )
    .await;
    assert!(copied.report.binary);
    assert_eq!(copied.rejected_rows, 1);
    assert_eq!(
        (copied.report.target_rows, copied.report.expected_rows),
        (3, 3)
    );
    assert_eq!(copied.report.source_hash, copied.report.target_hash);
    let client = target.connect().await;
    assert_eq!(
        text_rows(&client, "SELECT name FROM narrow ORDER BY id")
            .await
            .unwrap(),
        vec![
            vec![Some("ann".to_string())],
            vec![Some("bo\tb".to_string())],
            vec![Some("dé".to_string())]
        ]
    );
    let rejected = text_rows(
        &client,
        "SELECT row_key, message, row_json FROM godwit_copy.rejects WHERE run_id = 'refused'",
    )
    .await
    .unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0][0].as_deref(), Some("ROWID row 3"));
    assert!(
        rejected[0][1].as_deref().unwrap_or("").contains("too long"),
        "{rejected:?}"
    );
    assert!(
        rejected[0][2]
            .as_deref()
            .unwrap_or("")
            .contains("charlotte"),
        "{rejected:?}"
    );
}

/// Rows of a table large enough (over 8 MB) to be read back in pieces.
fn long_notes() -> RowsOf<impl Fn(u64) -> Vec<Option<String>>> {
    let mut note = OracleColumn::new("NOTE", OracleType::Text);
    note.size.length = Some(200);
    RowsOf {
        columns: vec![OracleColumn::new("ID", OracleType::Number), note],
        rows: 120_000,
        chunk_rows: 30_000,
        row: |i: u64| {
            vec![
                Some(i.to_string()),
                Some(format!(
                    "note {i:>8} with some words to fill the block, é\tand a tab"
                )),
            ]
        },
    }
}

#[tokio::test]
async fn a_large_table_is_read_back_in_pieces_by_several_connections_and_every_row_counts() {
    let target = database("oracle_binary_pieces").await;
    target
        .execute("CREATE TABLE notes (id bigint PRIMARY KEY, note text)")
        .await;
    let copy = |run_id: &'static str| {
        let url = target.url.clone();
        async move {
            let open: OpenRows = Arc::new(|| Ok(Box::new(long_notes()) as Box<dyn OracleRows>));
            let options = OracleCopyOptions {
                jobs: 2,
                ..Default::default()
            };
            copy_from(open, &url, "notes", run_id, options).await.report
        }
    };
    let report = copy("pieces").await;
    assert!(report.binary);
    assert_eq!((report.target_rows, report.lost()), (120_000, 0));
    assert!(report.source_hash.is_some());
    assert_eq!(report.source_hash, report.target_hash);
    let client = target.connect().await;
    let blocks: i64 = client
        .query_one("SELECT pg_relation_size('notes') / 8192", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        blocks >= 1024,
        "the table has {blocks} blocks: too few to be read in pieces"
    );

    // A row changed at the start and one at the end of the table: the same run verified again
    // (every chunk committed) sees both.
    client
        .batch_execute(
            "UPDATE notes SET note = 'changed' WHERE id = 3; UPDATE notes SET note = 'changed too' WHERE id = 119998",
        )
        .await
        .unwrap();
    let again = copy("pieces").await;
    assert_eq!(again.chunks_skipped, again.chunks);
    assert!(again.content_differs());
    let recheck = again.recheck.expect("the rows are named");
    let named = format!("{recheck:?}");
    assert!(
        named.contains("id=3") && named.contains("id=119998"),
        "{named}"
    );
}
