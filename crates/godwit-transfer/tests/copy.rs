//! Copies between real PostgreSQL databases: every row arrives, chunks are recorded, verification
//! counts agree, and the target keeps no trace of the progress bookkeeping.

use godwit_store::Store;
use godwit_testkit::{database, TestDatabase};
use godwit_transfer::{copy, CopyOptions};
use std::sync::{Arc, Mutex};

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
    assert_eq!((report.rows_lost(), report.rows_extra()), (0, 0));
    assert_eq!(report.content_mismatches(), ["public.notes"]);
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
        .execute("CREATE TABLE people (id int, name varchar(10))")
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
    let rows: i64 = narrow
        .connect()
        .await
        .query_one("SELECT count(*) FROM people", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}
