//! Copies between real PostgreSQL databases: every row arrives, chunks are recorded, verification
//! counts agree, and the target keeps no trace of the progress bookkeeping.

use godwit_store::Store;
use godwit_testkit::{database, TestDatabase};
use godwit_transfer::{
    copy, copy_checked, ChunkBy, Control, CopyOptions, OnError, Verification, Verify,
};
use std::sync::{Arc, Mutex};

/// `--verify hash`, with the default sample size.
const HASHES: Verification = Verification {
    level: Verify::Hash,
    sample_rows: 1000,
};

const FIXTURE: &str = "
CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM ('new', 'done');
CREATE TABLE shop.items (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    price numeric(12,4),
    data bytea,
    payload jsonb,
    at timestamptz,
    status shop.status,
    price_with_tax numeric GENERATED ALWAYS AS (price * 1.2) STORED
);
INSERT INTO shop.items (name, price, data, payload, at, status)
SELECT 'item ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE g / 3.0 END, decode(md5(g::text), 'hex'),
       jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g)), timestamptz '2024-01-01' + g * interval '1 minute',
       CASE WHEN g % 2 = 0 THEN 'new' ELSE 'done' END::shop.status
  FROM generate_series(1, 3000) g;
CREATE TABLE shop.log (id bigint, line text);
INSERT INTO shop.log SELECT g, repeat('x', g % 300) FROM generate_series(1, 20000) g;
CREATE TABLE shop.sales (id int NOT NULL, day date NOT NULL) PARTITION BY RANGE (day);
CREATE TABLE shop.sales_2024 PARTITION OF shop.sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.sales_2025 PARTITION OF shop.sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO shop.sales SELECT g, date '2024-06-01' + g FROM generate_series(1, 400) g;
CREATE TABLE shop.orders (id int PRIMARY KEY, item_id int REFERENCES shop.items);
INSERT INTO shop.orders SELECT g, g FROM generate_series(1, 500) g;
";

async fn fingerprint(db: &TestDatabase, table: &str) -> String {
    let client = db.connect().await;
    let row = client
        .query_one(&format!("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"), &[])
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test]
async fn every_row_arrives_and_the_counts_are_verified() {
    let source = database("copy_source").await;
    source.execute(FIXTURE).await;
    let target = database("copy_target").await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    let options = CopyOptions {
        schemas: vec!["shop".into()],
        jobs: 3,
        chunk_pages: 8,
        create_schema: true,
        ..Default::default()
    };
    let progress = Arc::new(Mutex::new(0usize));
    let seen = progress.clone();
    let report = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        move |_| *seen.lock().unwrap() += 1,
    )
    .await
    .unwrap();

    assert_eq!(
        (report.rows_lost(), report.rows_extra()),
        (0, 0),
        "{:?}",
        report.tables
    );
    assert!(
        report.chunks_total > 10,
        "the 20 000-row table is split into chunks: {}",
        report.chunks_total
    );
    assert_eq!(report.chunks_copied, report.chunks_total);
    assert_eq!(*progress.lock().unwrap(), report.chunks_total);
    assert_eq!(report.rows_copied, 3000 + 20000 + 400 + 500);
    for table in ["shop.items", "shop.log", "shop.sales", "shop.orders"] {
        assert_eq!(
            fingerprint(&source, table).await,
            fingerprint(&target, table).await,
            "{table} differs"
        );
    }
    // Keys, indexes and constraints were all built (table by table in parallel, foreign keys last).
    let shape = "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop') || '/' || (SELECT count(*) FROM pg_constraint WHERE connamespace = 'shop'::regnamespace)";
    let (a, b) = (source.connect().await, target.connect().await);
    assert_eq!(
        a.query_one(shape, &[]).await.unwrap().get::<_, String>(0),
        b.query_one(shape, &[]).await.unwrap().get::<_, String>(0)
    );
    let client = target.connect().await;
    // Keys, generated columns and identity positions came with the schema.
    let next: i32 = client
        .query_one(
            "INSERT INTO shop.items (name, price) VALUES ('new', 10) RETURNING id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(next, 3001);
    let fk = client
        .query(
            "SELECT 1 FROM pg_constraint WHERE conname = 'orders_item_id_fkey'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(fk.len(), 1);
    assert!(
        client
            .query(
                "SELECT 1 FROM pg_namespace WHERE nspname = 'godwit_copy'",
                &[]
            )
            .await
            .unwrap()
            .is_empty(),
        "progress schema left behind"
    );

    let store = store.lock().unwrap();
    let run = store.run(&report.run_id).unwrap();
    assert_eq!(run.status, "finished");
    assert!(
        !run.source.contains(godwit_testkit::CLUSTER_PASSWORD)
            || !source.url.contains(godwit_testkit::CLUSTER_PASSWORD)
    );
    assert_eq!(
        store.run_chunks(&report.run_id).unwrap().len(),
        report.chunks_total
    );
}

#[tokio::test]
async fn a_resumed_run_copies_only_the_chunks_that_did_not_commit() {
    let source = database("resume_source").await;
    source.execute(FIXTURE).await;
    let target = database("resume_target").await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    let options = CopyOptions {
        schemas: vec!["shop".into()],
        include: vec!["log".into()],
        jobs: 1,
        chunk_pages: 1,
        create_schema: true,
        ..Default::default()
    };
    // A first run that fails midway: the target table disappears under it after some chunks.
    let target_url = target.url.clone();
    let killer = tokio::spawn(async move {
        let client = godwit_testkit::connect(&target_url).await;
        loop {
            let done = client
                .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
                .await
                .map(|r| r.get::<_, i64>(0))
                .unwrap_or(0);
            if done >= 3 {
                client
                    .batch_execute("ALTER TABLE shop.log RENAME TO log_away")
                    .await
                    .unwrap();
                return done;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    let first = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await;
    let err = first.expect_err("the first run stops when its table is gone");
    assert!(
        err.to_string().contains("shop.log") && err.to_string().contains("resume with --resume"),
        "{err}"
    );
    killer.await.unwrap();
    let target_client = target.connect().await;
    target_client
        .batch_execute("ALTER TABLE shop.log_away RENAME TO log")
        .await
        .unwrap();
    let committed: i64 = target_client
        .query_one("SELECT count(*) FROM shop.log", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        committed > 0 && committed < 20000,
        "some chunks committed before the failure: {committed}"
    );
    let run_id = store.lock().unwrap().run("last").unwrap().id;
    assert_eq!(
        store.lock().unwrap().run(&run_id).unwrap().status,
        "interrupted"
    );

    let report = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        Some("last"),
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.run_id, run_id);
    assert!(
        report.chunks_copied < report.chunks_total,
        "resume skipped the committed chunks"
    );
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert_eq!(
        fingerprint(&source, "shop.log").await,
        fingerprint(&target, "shop.log").await
    );
}

/// `--verify hash` sees what counts cannot: rows that arrived changed.
#[tokio::test]
async fn hash_verification_finds_rows_that_arrived_changed() {
    let source = database("hash_source").await;
    source.execute("CREATE TABLE notes (id int, body text); INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 1000) g;").await;
    let target = database("hash_target").await;
    // The target changes one row on its way in: same count, different content.
    target
        .execute(
            "CREATE TABLE notes (id int, body text);
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 500 THEN NEW.body := 'changed'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    let options = CopyOptions {
        verify_hash: true,
        ..Default::default()
    };
    let report = copy(
        &source.url,
        &target.url,
        store,
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    // Same counts, different hashes; without a key the recheck matches rows by their values: the
    // source's row 500 is missing and the target's changed row is extra, each named by its ctid.
    assert_eq!(report.tables[0].lost(), 0);
    assert_eq!(report.content_mismatches(), ["public.notes"]);
    let recheck = report.findings[0].recheck.as_ref().expect("a recheck");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (1, 1, 0));
    assert_eq!(recheck.lost_keys.len(), 1);
    assert!(recheck.lost_keys[0].starts_with("ctid=("), "{recheck:?}");
    assert!(
        recheck.extra_keys[0].starts_with("target ctid=("),
        "{recheck:?}"
    );
    // Without the tampering the hashes agree.
    target
        .execute("DROP TRIGGER tamper ON notes; TRUNCATE notes;")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));
    let clean = copy(
        &source.url,
        &target.url,
        store,
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert!(clean.content_mismatches().is_empty());
    assert!(clean.tables[0].source_hash.is_some());
    assert_eq!(clean.tables[0].source_hash, clean.tables[0].target_hash);
    assert!(clean.findings[0].recheck.is_none() && clean.findings[0].clean());
    assert_eq!(
        (
            clean.rows_lost(),
            clean.rows_extra(),
            clean.rows_different()
        ),
        (0, 0, 0)
    );
}

/// A target that loses one row, changes another and adds a third on the way in (a trigger):
/// `--verify hash` compares the hash taken while each chunk streamed from the source with the
/// target's rows read back chunk by chunk, rechecks only the chunks that differ, and names the
/// lost, extra and different rows by key, with the differing column. The history keeps both
/// hashes of every chunk.
#[tokio::test]
async fn hash_verification_names_lost_extra_and_changed_rows_by_key() {
    let source = database("named_source").await;
    source
        .execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(12,2), tags text[]);
             INSERT INTO items SELECT g, 'item ' || g, g / 7.0, ARRAY['a', g::text] FROM generate_series(1, 20000) g;",
        )
        .await;
    let target = database("named_target").await;
    target
        .execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(12,2), tags text[]);
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.id = 500 THEN NEW.name := 'changed'; END IF;
               IF NEW.id = 7000 THEN RETURN NULL; END IF;
               IF NEW.id = 12000 THEN INSERT INTO items VALUES (999999, 'intruder', 1, NULL); END IF;
               RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let options = CopyOptions {
        chunk_pages: 16,
        chunk_by: ChunkBy::Key,
        jobs: 2,
        ..Default::default()
    };
    let verification = HASHES;
    let report = checked(&source, &target, store.clone(), &options, &verification).await;
    assert!(report.chunks_total > 4, "{}", report.chunks_total);
    let found = &report.findings[0];
    let recheck = found.recheck.as_ref().expect("a recheck");
    assert_eq!(recheck.lost_keys, ["id=7000"]);
    assert_eq!(recheck.extra_keys, ["id=999999"]);
    assert_eq!(recheck.different_rows.len(), 1);
    assert_eq!(recheck.different_rows[0].key, "id=500");
    assert_eq!(recheck.different_rows[0].columns, ["name"]);
    assert_eq!(
        (
            report.rows_lost(),
            report.rows_extra(),
            report.rows_different()
        ),
        (1, 1, 1)
    );
    assert!((report.loss_percent() - 100.0 / 20000.0).abs() < 1e-9);
    // Only the chunks whose hashes differ were read again: those of ids 500, 7000 and 12000 (the
    // extra row's key lies in the last, open-ended chunk).
    assert_eq!(found.chunks_compared, report.chunks_total);
    assert!(
        found.chunks_differing.len() >= 3 && found.chunks_differing.len() < report.chunks_total,
        "{found:?}"
    );
    assert_eq!(recheck.ranges, found.chunks_differing);
    // Both hashes of every chunk are in the run history, equal where the chunk arrived whole.
    let hashes = store.lock().unwrap().chunk_hashes(&report.run_id).unwrap();
    assert_eq!(hashes.len(), report.chunks_total);
    assert!(hashes
        .iter()
        .all(|h| h.source_hash.is_some() && h.target_hash.is_some()));
    let differing = hashes
        .iter()
        .filter(|h| h.source_hash != h.target_hash)
        .count();
    assert_eq!(differing, found.chunks_differing.len());

    // Without the trigger every chunk agrees: 0 rows lost, with the hashes as evidence.
    target
        .execute("DROP TRIGGER tamper ON items; TRUNCATE items;")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let clean = checked(&source, &target, store_in(&dir), &options, &verification).await;
    assert_eq!(
        (
            clean.rows_lost(),
            clean.rows_extra(),
            clean.rows_different()
        ),
        (0, 0, 0)
    );
    assert!(clean.findings[0].clean() && clean.findings[0].recheck.is_none());
    assert_eq!(clean.tables[0].source_hash, clean.tables[0].target_hash);
    assert_eq!(clean.tables[0].source_rows, 20000);
}

/// `--verify sample` compares rows value by value by primary key; a changed row in the sample
/// leads to a recheck of the table that names it. Tables without a key are said not sampled.
#[tokio::test]
async fn sample_verification_compares_rows_value_by_value() {
    let source = database("sample_source").await;
    source
        .execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, at timestamptz);
             INSERT INTO items SELECT g, 'item ' || g, timestamptz '2024-01-01 00:00:00+02' + g * interval '1 hour' FROM generate_series(1, 3000) g;
             CREATE TABLE notes (body text); INSERT INTO notes SELECT 'n' || g FROM generate_series(1, 10) g;",
        )
        .await;
    let target = database("sample_target").await;
    // The target's own time zone differs: text is compared under the same settings on both sides.
    target
        .execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, at timestamptz);
             CREATE TABLE notes (body text);
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.id = 1234 THEN NEW.at := NEW.at + interval '1 second'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .await;
    target
        .execute(&format!(
            "ALTER DATABASE {} SET TimeZone = 'Asia/Kolkata'",
            target.name
        ))
        .await;
    // Every row sampled (more asked than the table has), so the changed one is seen.
    let verification = Verification {
        level: Verify::Sample,
        sample_rows: 100_000,
    };
    let dir = tempfile::tempdir().unwrap();
    let report = checked(
        &source,
        &target,
        store_in(&dir),
        &CopyOptions::default(),
        &verification,
    )
    .await;
    let items = report
        .findings
        .iter()
        .find(|f| f.table == "public.items")
        .unwrap();
    assert_eq!(items.rows_sampled, Some(3000));
    let recheck = items.recheck.as_ref().expect("a recheck");
    assert_eq!(recheck.different_rows.len(), 1);
    assert_eq!(recheck.different_rows[0].key, "id=1234");
    assert_eq!(recheck.different_rows[0].columns, ["at"]);
    let notes = report
        .findings
        .iter()
        .find(|f| f.table == "public.notes")
        .unwrap();
    assert!(notes.rows_sampled.is_none() && notes.sample_note.is_some());

    target
        .execute("DROP TRIGGER tamper ON items; TRUNCATE items, notes;")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let clean = checked(
        &source,
        &target,
        store_in(&dir),
        &CopyOptions::default(),
        &Verification {
            level: Verify::Sample,
            sample_rows: 200,
        },
    )
    .await;
    let items = clean
        .findings
        .iter()
        .find(|f| f.table == "public.items")
        .unwrap();
    let sampled = items.rows_sampled.unwrap();
    assert!(sampled > 0 && sampled <= 200, "{sampled}");
    assert!(items.clean() && items.recheck.is_none());
}

/// An existing target table is checked before any row moves: columns matched by name, converting types
/// copied as text; missing or narrowed columns refuse the run with every problem listed.
#[tokio::test]
async fn existing_target_tables_are_checked_before_any_row_moves() {
    let source = database("map_source").await;
    source.execute("CREATE TABLE people (id int, name varchar(40), born date); INSERT INTO people SELECT g, 'p' || g, date '2000-01-01' + g FROM generate_series(1, 300) g;").await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ));

    // Other column order, upper-case name, a wider integer: copied through the column mapping.
    let target = database("map_target").await;
    target.execute("CREATE TABLE people (\"BORN\" date, name varchar(80), id bigint, note text DEFAULT 'x')").await;
    let options = CopyOptions {
        verify_hash: true,
        ..Default::default()
    };
    let report = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert!(
        report.content_mismatches().is_empty(),
        "hashes compare the same columns in the same order"
    );
    let client = target.connect().await;
    let row = client
        .query_one(
            "SELECT count(*), sum(id)::bigint, max(\"BORN\")::text, min(note) FROM people",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (300, 45150));
    assert_eq!(
        (row.get::<_, String>(2), row.get::<_, String>(3)),
        ("2000-10-27".to_string(), "x".to_string())
    );

    // A missing column and a narrowed one: refused, nothing copied.
    let narrow = database("map_narrow").await;
    narrow
        .execute("CREATE TABLE people (id int, name varchar(10), extra int NOT NULL, spare int NOT NULL DEFAULT 0)")
        .await;
    let err = copy(
        &source.url,
        &narrow.url,
        store,
        &CopyOptions::default(),
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "public.people.name: narrowed from character varying(40) to character varying(10)"
        ),
        "{err}"
    );
    assert!(
        err.contains("public.people.born: no such column on the target"),
        "{err}"
    );
    // A NOT NULL target column the source cannot fill (one with a default is fine).
    assert!(
        err.contains("public.people.extra: NOT NULL on the target without a default, and the source has no such column"),
        "{err}"
    );
    assert!(!err.contains("spare"), "{err}");
    let rows: i64 = narrow
        .connect()
        .await
        .query_one("SELECT count(*) FROM people", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}

/// A copy from `source` to `target` checked as `verification` asks; it must finish.
async fn checked(
    source: &TestDatabase,
    target: &TestDatabase,
    store: Arc<Mutex<Store>>,
    options: &CopyOptions,
    verification: &Verification,
) -> godwit_transfer::CopyReport {
    copy_checked(
        &source.url,
        &target.url,
        store,
        options,
        verification,
        None,
        &Control::new(),
        |_| {},
        |_| {},
    )
    .await
    .unwrap()
}

fn store_in(dir: &tempfile::TempDir) -> Arc<Mutex<Store>> {
    Arc::new(Mutex::new(
        Store::open(&dir.path().join("g.sqlite3")).unwrap(),
    ))
}

/// Accounts with a few negative balances; the target's CHECK refuses those.
const ACCOUNTS: &str = "
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance int);
INSERT INTO accounts SELECT g, 'owner ' || g, CASE WHEN g % 1000 = 0 THEN -g ELSE g END FROM generate_series(1, 5000) g;
";

/// With `--on-error stop` (the default) the first refused row stops the run: the error names the
/// table, the chunk and the row's primary key; that chunk keeps no row; chunks committed before stay
/// committed, and the run resumes with `skip` to set the refused rows aside.
#[tokio::test]
async fn a_refused_row_stops_the_run_naming_table_chunk_and_key() {
    let source = database("stop_source").await;
    source.execute(ACCOUNTS).await;
    let target = database("stop_target").await;
    target
        .execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance int CHECK (balance >= 0))")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let options = CopyOptions {
        jobs: 1,
        chunk_pages: 4,
        ..Default::default()
    };
    let err = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap_err();
    // The chunk holding id 1000: its block divided by the chunk size.
    let expected_chunk: i32 = source
        .connect()
        .await
        .query_one(
            "SELECT floor((ctid::text::point)[0] / 4)::int FROM accounts WHERE id = 1000",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    match &err {
        godwit_transfer::CopyError::Rejected {
            table,
            chunk,
            key,
            sqlstate,
            message,
            ..
        } => {
            assert_eq!(
                (
                    table.as_str(),
                    *chunk as i32,
                    key.as_str(),
                    sqlstate.as_str()
                ),
                ("public.accounts", expected_chunk, "id=1000", "23514")
            );
            assert!(message.contains("accounts_balance_check"), "{message}");
        }
        other => panic!("expected a rejected row, got {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("public.accounts chunk")
            && text.contains("key id=1000")
            && text.contains("--resume")
            && text.contains("--on-error skip"),
        "{text}"
    );
    let client = target.connect().await;
    let (rows, max): (i64, Option<i32>) = {
        let r = client
            .query_one("SELECT count(*), max(id) FROM accounts", &[])
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert!(
        rows > 0 && max.unwrap() < 1000,
        "the chunks before the refused row committed, nothing of its chunk: {rows} rows up to {max:?}"
    );
    let run_id = store.lock().unwrap().run("last").unwrap().id;
    assert_eq!(
        store.lock().unwrap().run(&run_id).unwrap().status,
        "interrupted"
    );

    // Resumed with skip: every good row arrives, the five refused ones are set aside.
    let report = copy(
        &source.url,
        &target.url,
        store.clone(),
        &CopyOptions {
            on_error: OnError::Skip,
            verify_hash: true,
            ..Default::default()
        },
        Some(&run_id),
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.rows_rejected(), 5);
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert!(
        report.content_mismatches().is_empty(),
        "{:?}",
        report.tables
    );
    assert_eq!(
        (
            report.tables[0].source_rows,
            report.tables[0].target_rows,
            report.tables[0].rejected_rows
        ),
        (5000, 4995, 5)
    );
    assert!(report
        .verification
        .contains("source rows = target rows + rejected rows"));
    let keys: Vec<String> = client
        .query(
            "SELECT row_key FROM godwit_copy.rejects WHERE run_id = $1 ORDER BY row_key",
            &[&run_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        keys,
        ["id=1000", "id=2000", "id=3000", "id=4000", "id=5000"]
    );
    let bad: i64 = client
        .query_one("SELECT count(*) FROM accounts WHERE id % 1000 = 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(bad, 0);
    let totals = store.lock().unwrap().run_totals(&run_id).unwrap();
    assert_eq!(
        (totals[0].rows, totals[0].rejected),
        (4995, 5),
        "the history counts the rejected rows"
    );
}

/// With `--on-error skip` a unique index and a CHECK on the target refuse some rows: every other row
/// arrives, each refused one is in godwit_copy.rejects with its key, its data as JSON, the error and
/// the SQLSTATE; verification counts source = target + rejected, and the hashes agree once the
/// rejected rows are left out.
#[tokio::test]
async fn refused_rows_are_set_aside_and_every_other_row_arrives() {
    let source = database("skip_source").await;
    // No primary key in the source: rows are named by ctid. Codes repeat every 2000 rows.
    source
        .execute(
            "CREATE TABLE events (id int, code text, qty int);
             INSERT INTO events SELECT g, 'c' || (g % 2000), CASE WHEN g % 777 = 0 THEN -1 ELSE g END FROM generate_series(1, 6000) g;
             CREATE TABLE plain (id int PRIMARY KEY, note text);
             INSERT INTO plain SELECT g, 'n' || g FROM generate_series(1, 3000) g;",
        )
        .await;
    let target = database("skip_target").await;
    target
        .execute(
            "CREATE TABLE events (id int, code text UNIQUE, qty int CHECK (qty > 0));
             CREATE TABLE plain (id int PRIMARY KEY, note text);",
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let options = CopyOptions {
        jobs: 2,
        chunk_pages: 3,
        on_error: OnError::Skip,
        verify_hash: true,
        ..Default::default()
    };
    let rejected_seen = Arc::new(Mutex::new(0u64));
    let seen = rejected_seen.clone();
    let report = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        move |p| *seen.lock().unwrap() += p.rejected,
    )
    .await
    .unwrap();

    // Seven rows have a negative qty (CHECK); every code has three rows, and one valid row of each
    // code gets in first (UNIQUE): 2000 rows arrive, 4000 are refused, whichever worker wins a code.
    let client = target.connect().await;
    let check = |name: &str| {
        report
            .tables
            .iter()
            .find(|t| t.table == name)
            .map(|t| (t.source_rows, t.target_rows, t.rejected_rows, t.lost()))
            .unwrap()
    };
    assert_eq!(check("public.events"), (6000, 2000, 4000, 0));
    assert_eq!(check("public.plain"), (3000, 3000, 0, 0));
    assert_eq!(report.rows_rejected(), 4000);
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert!(
        report.content_mismatches().is_empty(),
        "the source's hash leaves out the rejected rows: {:?}",
        report.tables
    );
    assert_eq!(*rejected_seen.lock().unwrap(), 4000);

    // Each refused row is kept with its key (a ctid: no primary key), data, error and SQLSTATE.
    let by_state: Vec<(String, i64)> = client
        .query(
            "SELECT sqlstate, count(*) FROM godwit_copy.rejects WHERE run_id = $1 GROUP BY 1 ORDER BY 1",
            &[&report.run_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        by_state,
        [("23505".to_string(), 3993), ("23514".to_string(), 7)]
    );
    let row = client
        .query_one(
            "SELECT row_key, row_json, message, detail, table_name FROM godwit_copy.rejects
              WHERE run_id = $1 AND sqlstate = '23514' ORDER BY (row_json::json->>'id')::int LIMIT 1",
            &[&report.run_id],
        )
        .await
        .unwrap();
    let (key, json, message, detail, table): (String, String, String, Option<String>, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let ctid: String = source
        .connect()
        .await
        .query_one(
            "SELECT 'ctid=' || ctid::text FROM events WHERE id = 777",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(key, ctid);
    assert_eq!(table, "public.events");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": 777, "code": "c777", "qty": -1})
    );
    assert!(message.contains("events_qty_check"), "{message}");
    assert!(detail.unwrap_or_default().contains("Failing row"));
    let unique = client
        .query_one(
            "SELECT message, detail FROM godwit_copy.rejects WHERE run_id = $1 AND sqlstate = '23505' LIMIT 1",
            &[&report.run_id],
        )
        .await
        .unwrap();
    assert!(unique.get::<_, String>(0).contains("events_code_key"));
    assert!(unique
        .get::<_, Option<String>>(1)
        .unwrap_or_default()
        .starts_with("Key (code)=("));
    // Target rows and rejected rows together are the source's rows, each once.
    let union = client
        .query_one(
            "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM (
               SELECT id FROM events
               UNION ALL SELECT (row_json::json->>'id')::int FROM godwit_copy.rejects WHERE table_name = 'public.events') u",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            union.get::<_, i64>(0),
            union.get::<_, i64>(1),
            union.get::<_, i32>(2),
            union.get::<_, i32>(3)
        ),
        (6000, 6000, 1, 6000)
    );
    let totals = store.lock().unwrap().run_totals(&report.run_id).unwrap();
    let events_totals = totals.iter().find(|t| t.table == "public.events").unwrap();
    assert_eq!((events_totals.rows, events_totals.rejected), (2000, 4000));
    // The rejects stay on the target after the run; its progress bookkeeping does not.
    let progress: i64 = client
        .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(progress, 0);
}

/// A source in SQL_ASCII holding bytes that are not UTF-8: the UTF-8 target refuses those values
/// (SQLSTATE 22021), and skip keeps the rest.
#[tokio::test]
async fn values_the_target_encoding_refuses_are_rejected() {
    let admin = godwit_testkit::connect(&godwit_testkit::server().url("postgres")).await;
    let name = format!("gw_ascii_source_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
        ))
        .await
        .unwrap();
    let source = TestDatabase {
        url: godwit_testkit::server().url(&name),
        name,
    };
    source
        .execute(
            "CREATE TABLE notes (id int PRIMARY KEY, body text);
             INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 500) g;
             UPDATE notes SET body = E'caf\\xe9' WHERE id IN (7, 300);",
        )
        .await;
    let target = database("ascii_target").await;
    target
        .execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let stop = copy(
        &source.url,
        &target.url,
        store_in(&dir),
        &CopyOptions::default(),
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        stop.contains("public.notes chunk 0")
            && stop.contains("key id=7")
            && stop.contains("22021"),
        "{stop}"
    );
    let report = copy(
        &source.url,
        &target.url,
        store_in(&dir),
        &CopyOptions {
            on_error: OnError::Skip,
            ..Default::default()
        },
        None,
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        (
            report.tables[0].target_rows,
            report.tables[0].rejected_rows,
            report.rows_lost()
        ),
        (498, 2, 0)
    );
    let keys: Vec<String> = target
        .connect()
        .await
        .query(
            "SELECT row_key FROM godwit_copy.rejects WHERE sqlstate = '22021' ORDER BY row_key",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(keys, ["id=300", "id=7"]);
}

/// `ChunkBy::Key`: a table whose primary key is one integer column is split into ranges of its key
/// (contiguous, open at both ends, as many as by blocks), each chunk holding exactly the source rows
/// of its range; a table with another key is still split by blocks.
#[tokio::test]
async fn tables_with_an_integer_key_are_chunked_by_key_ranges() {
    let source = database("keys_source").await;
    source
        .execute(
            "CREATE TABLE ledger (id bigint PRIMARY KEY, memo text);
             INSERT INTO ledger SELECT g * 7 - 20000, repeat('m', g % 50) FROM generate_series(1, 8000) g;
             DELETE FROM ledger WHERE id % 5 = 0;
             CREATE TABLE notes (code text PRIMARY KEY, body text);
             INSERT INTO notes SELECT 'n' || g, repeat('b', g % 30) FROM generate_series(1, 3000) g;",
        )
        .await;
    let target = database("keys_target").await;
    let dir = tempfile::tempdir().unwrap();
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let seen = chunks.clone();
    let report = copy(
        &source.url,
        &target.url,
        store_in(&dir),
        &CopyOptions {
            chunk_by: ChunkBy::Key,
            chunk_pages: 4,
            jobs: 2,
            create_schema: true,
            verify_hash: true,
            ..Default::default()
        },
        None,
        |_| {},
        move |p| {
            seen.lock()
                .unwrap()
                .push((p.table.clone(), p.chunk, p.bounds.clone(), p.rows))
        },
    )
    .await
    .unwrap();
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert!(
        report.content_mismatches().is_empty(),
        "{:?}",
        report.tables
    );

    let client = source.connect().await;
    let pages: i64 = client
        .query_one("SELECT pg_relation_size('ledger') / 8192", &[])
        .await
        .unwrap()
        .get(0);
    let mut ledger: Vec<(u32, String, u64)> = chunks
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.0 == "public.ledger")
        .map(|c| (c.1, c.2.clone(), c.3))
        .collect();
    ledger.sort();
    assert_eq!(ledger.len() as i64, (pages + 3) / 4, "{ledger:?}");
    let mut previous_end = String::new();
    for (i, (index, bounds, rows)) in ledger.iter().enumerate() {
        assert_eq!(*index as usize, i);
        let (from, to) = bounds
            .strip_prefix("id ")
            .and_then(|r| r.split_once(".."))
            .unwrap_or_else(|| panic!("a key range: {bounds}"));
        assert_eq!(from, previous_end, "contiguous ranges: {ledger:?}");
        assert_eq!(from.is_empty(), i == 0);
        assert_eq!(to.is_empty(), i + 1 == ledger.len());
        previous_end = to.to_string();
        let condition = match (from, to) {
            ("", to) => format!("id < {to}"),
            (from, "") => format!("id >= {from}"),
            (from, to) => format!("id >= {from} AND id < {to}"),
        };
        let expected: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM ledger WHERE {condition}"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(*rows as i64, expected, "{bounds}");
    }
    let notes: Vec<String> = chunks
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.0 == "public.notes")
        .map(|c| c.2.clone())
        .collect();
    assert!(
        !notes.is_empty() && notes.iter().all(|b| b.starts_with("blocks ")),
        "{notes:?}"
    );
}

/// Key ranges follow the key's span, so a run whose source key span changed before it resumed
/// would skip or repeat rows: the resume is refused, naming the chunk; unchanged, it resumes.
#[tokio::test]
async fn a_key_chunked_run_resumes_only_over_the_same_key_span() {
    let source = database("keyspan_source").await;
    source
        .execute(
            "CREATE TABLE ledger (id int PRIMARY KEY, memo text);
             INSERT INTO ledger SELECT g, repeat('m', g % 80) FROM generate_series(1, 20000) g;",
        )
        .await;
    let target = database("keyspan_target").await;
    target
        .execute("CREATE TABLE ledger (id int PRIMARY KEY, memo text)")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let options = CopyOptions {
        chunk_by: ChunkBy::Key,
        chunk_pages: 2,
        jobs: 1,
        ..Default::default()
    };
    // The first run fails midway: its target table is renamed away after a few chunks.
    let target_url = target.url.clone();
    let renamer = tokio::spawn(async move {
        let client = godwit_testkit::connect(&target_url).await;
        loop {
            let done = client
                .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
                .await
                .map(|r| r.get::<_, i64>(0))
                .unwrap_or(0);
            if done >= 3 {
                client
                    .batch_execute("ALTER TABLE ledger RENAME TO ledger_away")
                    .await
                    .unwrap();
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        None,
        |_| {},
        |_| {},
    )
    .await
    .expect_err("the table went away");
    renamer.await.unwrap();
    target
        .execute("ALTER TABLE ledger_away RENAME TO ledger")
        .await;
    let run_id = store.lock().unwrap().run("last").unwrap().id;

    // A larger key widens every range.
    source
        .execute("INSERT INTO ledger VALUES (1000000, 'far')")
        .await;
    let err = copy(
        &source.url,
        &target.url,
        store.clone(),
        &options,
        Some(&run_id),
        |_| {},
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, godwit_transfer::CopyError::PlanChanged { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("public.ledger chunk 0 held id ..")
            && err.to_string().contains("start a new run"),
        "{err}"
    );

    // The same span again: the resume copies the rest, nothing twice.
    source
        .execute("DELETE FROM ledger WHERE id = 1000000")
        .await;
    let report = copy(
        &source.url,
        &target.url,
        store,
        &options,
        Some(&run_id),
        |_| {},
        |_| {},
    )
    .await
    .unwrap();
    assert!(report.chunks_copied < report.chunks_total);
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert_eq!(
        fingerprint(&source, "ledger").await,
        fingerprint(&target, "ledger").await
    );
}

/// Documents of every common type, a 3 MB value among them, and an enum created separately on
/// each side (its OID differs); `labels` holds arrays of that enum, whose binary form carries the
/// OID inside.
const DOCS: &str = "
CREATE TYPE mood AS ENUM ('calm', 'cross');
CREATE TABLE docs (id int PRIMARY KEY, title varchar(40), code char(6), body text, blob bytea,
                   price numeric, meta jsonb, at timestamptz, mood mood, small int2, flag bool,
                   day date, big bigint, ratio float8, u uuid, ts timestamp, tm time);
INSERT INTO docs SELECT g, 'title ' || g, 'c' || (g % 100), CASE g % 10 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'body of ' || g END,
       CASE WHEN g = 4077 THEN decode(repeat(md5(g::text), 98304), 'hex') ELSE decode(md5(g::text), 'hex') END,
       g / 7.0, jsonb_build_object('g', g), timestamptz '2024-01-01' + g * interval '1 hour',
       CASE WHEN g % 3 = 0 THEN 'cross' ELSE 'calm' END::mood, (g % 200 - 100)::int2, g % 2 = 0,
       date '2000-01-01' + (g - 3000), g * -1000000007::bigint, CASE WHEN g % 50 = 0 THEN 'NaN' ELSE g / 3.0 END,
       md5(g::text)::uuid, timestamp '2024-01-01' + g * interval '1 minute', time '00:00' + g * interval '1 second'
  FROM generate_series(1, 6000) g;
CREATE TABLE labels (id int PRIMARY KEY, moods mood[]);
INSERT INTO labels SELECT g, ARRAY['calm', 'cross']::mood[] FROM generate_series(1, 100) g;
";

/// Between PostgreSQL 14 or later servers, `--verify hash` lets each server hash its own rows (no
/// read-back): every value counts by its binary form, so two values swapped between rows, a NULL
/// become an empty string, one byte changed in a 3 MB value, a `char(n)` and a microsecond each
/// make their chunk's hashes differ, and the rows are named by key with their column. A table whose values carry type OIDs
/// inside (an array of an enum) is hashed by godwit, as is every table with `hash_by_client`.
#[tokio::test]
async fn the_servers_hash_their_own_rows_and_any_changed_value_is_found() {
    let source = database("server_hash_source").await;
    source.execute(DOCS).await;
    let target = database("server_hash_target").await;
    // Created in another order: the enum's OID differs from the source's.
    target
        .execute(&format!(
            "CREATE TABLE unrelated (x int); CREATE TYPE other AS ENUM ('x'); {}",
            DOCS.split("INSERT INTO docs").next().unwrap()
        ))
        .await;
    target
        .execute(
            "CREATE TABLE labels (id int PRIMARY KEY, moods mood[]);
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.id = 10 THEN NEW.body := 'body of 12'; END IF;
               IF NEW.id = 12 THEN NEW.body := 'body of 10'; END IF;
               IF NEW.id = 2000 THEN NEW.body := ''; END IF;
               IF NEW.id = 4077 THEN NEW.blob := set_byte(NEW.blob, 1500000, (get_byte(NEW.blob, 1500000) + 1) % 256); END IF;
               IF NEW.id = 3000 THEN NEW.code := 'x' || NEW.code; END IF;
               IF NEW.id = 5000 THEN NEW.ts := NEW.ts + interval '1 microsecond'; END IF;
               RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION tamper();",
        )
        .await;
    let options = CopyOptions {
        chunk_pages: 8,
        chunk_by: ChunkBy::Key,
        jobs: 2,
        ..Default::default()
    };
    let verification = HASHES;
    let dir = tempfile::tempdir().unwrap();
    let report = checked(&source, &target, store_in(&dir), &options, &verification).await;
    let docs = report
        .tables
        .iter()
        .position(|t| t.table == "public.docs")
        .unwrap();
    let labels = report
        .tables
        .iter()
        .position(|t| t.table == "public.labels")
        .unwrap();
    let by_servers = |i: usize| {
        let t = &report.tables[i];
        [&t.source_hash, &t.target_hash]
            .iter()
            .all(|h| h.as_deref().is_some_and(|h| h.starts_with("pg2:")))
    };
    assert!(by_servers(docs), "{:?}", report.tables[docs]);
    assert!(!by_servers(labels), "{:?}", report.tables[labels]);
    assert_eq!(report.content_mismatches(), ["public.docs"]);
    let found = &report.findings[docs];
    let recheck = found.recheck.as_ref().expect("a recheck");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (0, 0, 6));
    let named: Vec<(String, Vec<String>)> = recheck
        .different_rows
        .iter()
        .map(|r| (r.key.clone(), r.columns.clone()))
        .collect();
    for (key, column) in [
        ("id=10", "body"),
        ("id=12", "body"),
        ("id=2000", "body"),
        ("id=4077", "blob"),
        ("id=3000", "code"),
        ("id=5000", "ts"),
    ] {
        assert!(
            named.contains(&(key.to_string(), vec![column.to_string()])),
            "{key} {column}: {named:?}"
        );
    }
    // Each change lies in a chunk of its own (the swap in one), and each chunk's hashes differ.
    assert!(found.chunks_compared > 6, "{found:?}");
    assert_eq!(found.chunks_differing.len(), 5, "{found:?}");

    // Untampered, every hash agrees, by the servers and by godwit alike.
    target
        .execute("DROP TRIGGER tamper ON docs; TRUNCATE docs, labels;")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let clean = checked(&source, &target, store_in(&dir), &options, &verification).await;
    assert!(
        clean.findings.iter().all(|f| f.clean()),
        "{:?}",
        clean.findings
    );
    assert_eq!(clean.tables[docs].source_rows, 6000);
    assert_eq!(
        clean.tables[docs].source_hash,
        clean.tables[docs].target_hash
    );
    assert!(clean.tables[docs]
        .source_hash
        .as_deref()
        .unwrap()
        .starts_with("pg2:"));
    target.execute("TRUNCATE docs, labels;").await;
    let dir = tempfile::tempdir().unwrap();
    let by_client = CopyOptions {
        hash_by_client: true,
        ..options.clone()
    };
    let clean = checked(&source, &target, store_in(&dir), &by_client, &verification).await;
    assert!(
        clean.findings.iter().all(|f| f.clean()),
        "{:?}",
        clean.findings
    );
    let hash = clean.tables[docs].source_hash.clone().unwrap();
    assert!(
        hash.len() == 32 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{hash}"
    );
    assert_eq!(
        clean.tables[docs].target_hash.as_deref(),
        Some(hash.as_str())
    );
}

/// A run stopped after some chunks, hashed by godwit alone, and resumed with the target hashing
/// its own rows: the earlier chunks' hashes, taken the other way, are never summed with the new
/// ones; the source hashes those rows again in the resumed run's snapshot, and the table verifies
/// equal. The other way round too.
#[tokio::test]
async fn a_run_resumed_with_the_other_hashing_hashes_its_earlier_chunks_again() {
    let source = database("rehash_source").await;
    source
        .execute(
            "CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz);
             INSERT INTO notes SELECT g, repeat('n', g % 50), timestamptz '2024-01-01' + g * interval '1 s' FROM generate_series(1, 20000) g;",
        )
        .await;
    let verification = HASHES;
    for (first_by_client, name) in [(true, "rehash_a"), (false, "rehash_b")] {
        let target = database(name).await;
        target
            .execute("CREATE TABLE notes (id int PRIMARY KEY, body text, at timestamptz)")
            .await;
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(&dir);
        let options = CopyOptions {
            jobs: 1,
            chunk_pages: 4,
            hash_by_client: first_by_client,
            ..Default::default()
        };
        // Stopped once two chunks have committed.
        let control = Control::new();
        let (stopper, target_url) = (control.clone(), target.url.clone());
        let watcher = tokio::spawn(async move {
            let client = godwit_testkit::connect(&target_url).await;
            loop {
                let done: i64 = client
                    .query_one("SELECT count(*) FROM godwit_copy.progress", &[])
                    .await
                    .map(|r| r.get(0))
                    .unwrap_or(0);
                if done >= 2 {
                    stopper.stop();
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        });
        let first = copy_checked(
            &source.url,
            &target.url,
            store.clone(),
            &options,
            &verification,
            None,
            &control,
            |_| {},
            |_| {},
        )
        .await;
        assert!(first.is_err(), "the first run stops");
        watcher.await.unwrap();
        let resumed = CopyOptions {
            hash_by_client: !first_by_client,
            ..options.clone()
        };
        let report = copy_checked(
            &source.url,
            &target.url,
            store.clone(),
            &resumed,
            &verification,
            Some("last"),
            &Control::new(),
            |_| {},
            |_| {},
        )
        .await
        .unwrap();
        assert!(
            report.resumed && report.chunks_copied < report.chunks_total,
            "{report:?}"
        );
        let table = &report.tables[0];
        assert_eq!(table.source_rows, 20000);
        assert_eq!(table.source_hash, table.target_hash, "{table:?}");
        assert_eq!(
            table.source_hash.as_deref().unwrap().starts_with("pg2:"),
            first_by_client,
            "{table:?}"
        );
        assert!(report.findings[0].clean(), "{:?}", report.findings);
    }
}
