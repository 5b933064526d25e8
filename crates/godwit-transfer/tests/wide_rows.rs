//! Rows of a hundred MB and more between two PostgreSQL databases: they arrive byte for byte and
//! hashed on both sides, and a changed one is named by the recheck, while godwit's memory grows by a
//! fraction of the row. (One test in its own
//! binary: the peak resident memory it measures is the whole process's.)

use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_testkit::{database, TestDatabase};
use godwit_transfer::{copy_checked, Control, CopyOptions, OnError, Verification, Verify};

/// Ordinary rows, one row of 112 MB (a 40 MB text, a 72 MB bytea of every byte value, each a huge
/// field), one of 20 MB made of two 10 MB fields (wide, no huge field), and one with a 19 MB jsonb
/// (sized through its binary form). Text and bytea are stored uncompressed.
const DOCS: &str = "
CREATE TABLE docs (id int PRIMARY KEY, title text, body text, blob bytea, meta jsonb);
ALTER TABLE docs ALTER body SET STORAGE EXTERNAL, ALTER blob SET STORAGE EXTERNAL;
INSERT INTO docs SELECT g, 'doc ' || g, repeat(E'line\\t' || g || E' é\\n', 20), decode(md5(g::text), 'hex'),
       jsonb_build_object('g', g)
  FROM generate_series(1, 3000) g;
INSERT INTO docs VALUES (
  5000, 'huge', repeat(E'Godwit é 漢字\\tback\\\\slash\\n', 40 * 1048576 / 32),
  decode(repeat((SELECT string_agg(lpad(to_hex(b), 2, '0'), '') FROM generate_series(0, 255) b), 72 * 4096), 'hex'),
  NULL);
INSERT INTO docs VALUES (5001, 'wide', repeat('w', 10 * 1048576), decode(repeat('ab', 10 * 1048576), 'hex'), '{}');
INSERT INTO docs VALUES (5002, 'json', 'j', NULL,
  jsonb_build_object('k', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 600000) i)));
";

const HASHES: Verification = Verification {
    level: Verify::Hash,
    sample_rows: 0,
};

/// Rows, and the md5 of every row's text, in key order.
async fn fingerprint(db: &TestDatabase) -> String {
    db.connect()
        .await
        .query_one(
            "SELECT count(*)::text || ':' || md5(string_agg(md5(t::text), '' ORDER BY id)) FROM docs t",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// Who hashes the target's rows under `--verify hash`.
#[derive(Clone, Copy, PartialEq)]
enum HashedBy {
    /// The target server (the default between PostgreSQL 14 or later servers).
    Server,
    /// godwit, reading them back (`hash_by_client`).
    Godwit,
}

/// Copies docs in chunks of 16 pages, two at once; the schema created when asked, refused rows set
/// aside under `on_error`.
async fn copy_docs(
    source: &TestDatabase,
    target: &TestDatabase,
    (create_schema, on_error): (bool, OnError),
    verification: Verification,
) -> godwit_transfer::CopyReport {
    copy_docs_hashed(
        source,
        target,
        (create_schema, on_error),
        verification,
        HashedBy::Server,
    )
    .await
}

async fn copy_docs_hashed(
    source: &TestDatabase,
    target: &TestDatabase,
    (create_schema, on_error): (bool, OnError),
    verification: Verification,
    hashed_by: HashedBy,
) -> godwit_transfer::CopyReport {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(std::sync::Mutex::new(
        godwit_store::Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    // Boxed: the copy's future is large for a test thread's stack in debug builds.
    Box::pin(copy_checked(
        &source.url,
        &target.url,
        store,
        &CopyOptions {
            jobs: 2,
            chunk_pages: 16,
            create_schema,
            on_error,
            hash_by_client: hashed_by == HashedBy::Godwit,
            ..Default::default()
        },
        &verification,
        None,
        &Control::new(),
        |_| {},
        |_| {},
    ))
    .await
    .unwrap()
}

/// Runs `copy` and fails when it grows peak resident memory by 100 MB or more: held whole once,
/// the 112 MB row alone would (390 MB, 298 MB, 914 MB and 781 MB when tried).
async fn within_memory<T>(what: &str, copy: impl std::future::Future<Output = T>) -> T {
    let before = resident();
    reset_peak();
    let out = copy.await;
    let grown = peak_rss().saturating_sub(before);
    eprintln!("{what}: peak resident memory grew by {} MB", grown >> 20);
    assert!(
        grown < 100 << 20,
        "{what}: peak resident memory grew by {} MB",
        grown >> 20
    );
    out
}

#[tokio::test]
async fn rows_of_a_hundred_megabytes_stream_through_in_slices_and_hash_equal() {
    let source = database("wide_source").await;
    source.execute(DOCS).await;
    let target = database("wide_target").await;

    let report = within_memory(
        "copying a 112 MB row",
        copy_docs(&source, &target, (true, OnError::Stop), HASHES),
    )
    .await;

    assert_eq!(report.rows_copied, 3003);
    assert_eq!(
        (
            report.rows_lost(),
            report.rows_extra(),
            report.rows_different()
        ),
        (0, 0, 0)
    );
    assert!(
        report.content_mismatches().is_empty(),
        "{:?}",
        report.tables
    );
    // Hashed as it streamed by godwit, and by the target server, in PostgreSQL's functions.
    let table = &report.tables[0];
    assert!(table.source_hash.as_deref().unwrap().starts_with("pg2:"));
    assert!(table.source_hash.is_some() && table.source_hash == table.target_hash);
    assert_eq!(fingerprint(&source).await, fingerprint(&target).await);

    // One byte changed 50 MB into the bytea on its way in: the hashes differ, and the recheck
    // names the row and the column, reading the wide rows field by field too.
    target
        .execute(
            "TRUNCATE docs;
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.id = 5000 THEN NEW.blob := set_byte(NEW.blob, 50000000, 7); END IF; RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .await;
    let tampered = within_memory(
        "rechecking a 112 MB row",
        copy_docs(&source, &target, (false, OnError::Stop), HASHES),
    )
    .await;
    assert_eq!(tampered.content_mismatches(), ["public.docs"]);
    let recheck = tampered.findings[0].recheck.as_ref().expect("a recheck");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (0, 0, 1));
    assert_eq!(recheck.different_rows[0].key, "id=5000", "{recheck:?}");
    assert_eq!(recheck.different_rows[0].columns, ["blob"], "{recheck:?}");

    // The same with the target's rows read back and hashed by godwit: the wide rows' fields
    // are read in slices (a huge one digested by the server).
    target.execute("TRUNCATE docs").await;
    let read_back = within_memory(
        "reading back a 112 MB row",
        copy_docs_hashed(
            &source,
            &target,
            (false, OnError::Stop),
            HASHES,
            HashedBy::Godwit,
        ),
    )
    .await;
    assert!(
        !read_back.tables[0]
            .source_hash
            .as_deref()
            .unwrap()
            .starts_with("pg2:"),
        "{:?}",
        read_back.tables
    );
    assert_eq!(read_back.content_mismatches(), ["public.docs"]);
    let recheck = read_back.findings[0].recheck.as_ref().expect("a recheck");
    assert_eq!(recheck.different_rows[0].key, "id=5000", "{recheck:?}");
    assert_eq!(recheck.different_rows[0].columns, ["blob"], "{recheck:?}");

    // A sample of every row, the wide ones included, compared value by value: the changed row is
    // found, and each value is compared by its digest, never held.
    target.execute("TRUNCATE docs").await;
    let sampled = within_memory(
        "sampling a 112 MB row",
        copy_docs(
            &source,
            &target,
            (false, OnError::Stop),
            Verification {
                level: Verify::Sample,
                sample_rows: 10_000,
            },
        ),
    )
    .await;
    let found = &sampled.findings[0];
    assert_eq!(found.rows_sampled, Some(3003), "{found:?}");
    let recheck = found.recheck.as_ref().expect("a recheck after the sample");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (0, 0, 1));

    // The target refuses the 20 MB row: its chunk is copied again row by row, the wide rows field
    // by field, and the refused one is set aside by key without its values.
    target
        .execute(
            "TRUNCATE docs; DROP TRIGGER tamper ON docs;
             ALTER TABLE docs ADD CONSTRAINT not_5001 CHECK (id <> 5001);",
        )
        .await;
    let skipped = within_memory(
        "copying a chunk of wide rows again",
        copy_docs(&source, &target, (false, OnError::Skip), HASHES),
    )
    .await;
    assert_eq!((skipped.rows_copied, skipped.rows_rejected()), (3002, 1));
    assert_eq!(
        (
            skipped.rows_lost(),
            skipped.rows_extra(),
            skipped.rows_different()
        ),
        (0, 0, 0)
    );
    let table = &skipped.tables[0];
    assert!(table.source_hash.is_some() && table.source_hash == table.target_hash);
    let set_aside = target
        .connect()
        .await
        .query_one(
            "SELECT row_key, row_json IS NULL, message FROM godwit_copy.rejects",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(set_aside.get::<_, String>(0), "id=5001");
    assert!(set_aside.get::<_, bool>(1));
    assert!(set_aside.get::<_, String>(2).contains("not_5001"));
}
