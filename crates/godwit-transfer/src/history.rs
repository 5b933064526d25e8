//! Bookkeeping of a run: the target's `godwit_copy` progress tables (the truth after a crash)
//! and the SQLite run history.

use crate::*;

pub(crate) const PROGRESS_DDL: &str = "CREATE SCHEMA IF NOT EXISTS godwit_copy;
CREATE TABLE IF NOT EXISTS godwit_copy.progress (
    run_id text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL, rows bigint NOT NULL,
    PRIMARY KEY (run_id, table_name, chunk));
ALTER TABLE godwit_copy.progress ADD COLUMN IF NOT EXISTS rejected bigint NOT NULL DEFAULT 0;
ALTER TABLE godwit_copy.progress ADD COLUMN IF NOT EXISTS bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE godwit_copy.progress ADD COLUMN IF NOT EXISTS bounds text;
ALTER TABLE godwit_copy.progress ADD COLUMN IF NOT EXISTS hash text;
ALTER TABLE godwit_copy.progress ADD COLUMN IF NOT EXISTS hashed_rows bigint;
CREATE TABLE IF NOT EXISTS godwit_copy.steps (
    run_id text NOT NULL, step text NOT NULL, PRIMARY KEY (run_id, step));
CREATE TABLE IF NOT EXISTS godwit_copy.rejects (
    run_id text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL,
    row_key text NOT NULL, row_json text, source_ctid text NOT NULL,
    sqlstate text NOT NULL, message text NOT NULL, detail text,
    rejected_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS rejects_run ON godwit_copy.rejects (run_id, table_name);
CREATE TABLE IF NOT EXISTS godwit_copy.triggers (
    run_id text NOT NULL, table_name text NOT NULL, trigger_name text NOT NULL, enabled text NOT NULL,
    PRIMARY KEY (run_id, table_name, trigger_name));
CREATE TABLE IF NOT EXISTS godwit_copy.deferred (
    run_id text NOT NULL, kind text NOT NULL, table_name text NOT NULL, name text NOT NULL,
    definition text NOT NULL, tablespace text, comment text, added boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run_id, kind, table_name, name))";

pub(crate) async fn connect(side: &'static str, url: &str) -> Result<Client, CopyError> {
    godwit_postgres::connect(url)
        .await
        .map_err(|source| CopyError::Connect { side, source })
}

pub(crate) fn with_store<T>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&Store) -> Result<T, godwit_store::StoreError>,
) -> Result<T, CopyError> {
    let guard = store.lock().map_err(|_| CopyError::Query {
        what: "run history".into(),
        message: "the store lock is poisoned".into(),
    })?;
    Ok(f(&guard)?)
}

/// A SQL string literal.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A chunk the target's `godwit_copy.progress` says the run committed.
#[derive(Clone, Debug)]
pub(crate) struct CommittedChunk {
    pub(crate) rows: u64,
    pub(crate) rejected: u64,
    pub(crate) bytes: u64,
    /// Its range as [`Range::describe`] wrote it.
    pub(crate) bounds: Option<String>,
    /// The hash of the source rows it kept (absent for chunks copied before hashes were kept),
    /// and how many rows it holds: the rows the source sent less the rejected ones (a target
    /// trigger may have written fewer).
    pub(crate) hash: Option<String>,
    pub(crate) hashed_rows: Option<u64>,
}

/// What the target's `godwit_copy.progress` says a run committed, by table and chunk.
pub(crate) type Committed = BTreeMap<(String, u32), CommittedChunk>;

/// Reads the run's committed chunks from the target.
pub(crate) async fn committed(target: &Client, run_id: &str) -> Result<Committed, CopyError> {
    Ok(target
        .query(
            "SELECT table_name, chunk, rows, rejected, bytes, bounds, hash, hashed_rows FROM godwit_copy.progress WHERE run_id = $1",
            &[&run_id],
        )
        .await
        .map_err(query_error("reading the target's copy progress"))?
        .iter()
        .map(|r| {
            (
                (r.get::<_, String>(0), r.get::<_, i32>(1) as u32),
                CommittedChunk {
                    rows: r.get::<_, i64>(2) as u64,
                    rejected: r.get::<_, i64>(3) as u64,
                    bytes: r.get::<_, i64>(4) as u64,
                    bounds: r.get(5),
                    hash: r.get(6),
                    hashed_rows: r.get::<_, Option<i64>>(7).map(|n| n as u64),
                },
            )
        })
        .collect())
}

/// Records in the run history the chunks the target says the run committed but the history
/// lacks: a chunk committed on the target just before the process died (the target's record is
/// the truth).
pub(crate) fn reconcile_history(
    store: &Arc<Mutex<Store>>,
    run_id: &str,
    done: &Committed,
) -> Result<(), CopyError> {
    let known: BTreeSet<(String, u32)> = with_store(store, |s| s.run_chunks(run_id))?
        .into_iter()
        .map(|c| (c.table, c.chunk))
        .collect();
    for ((table, chunk), committed) in done {
        if !known.contains(&(table.clone(), *chunk)) {
            record(store, run_id, table, *chunk, committed)?;
        }
    }
    Ok(())
}

/// Records a committed chunk and the hash of its source rows in the run history.
pub(crate) fn record(
    store: &Arc<Mutex<Store>>,
    run_id: &str,
    table: &str,
    chunk: u32,
    committed: &CommittedChunk,
) -> Result<(), CopyError> {
    with_store(store, |s| {
        s.record_chunk(
            run_id,
            table,
            chunk,
            committed.rows,
            committed.bytes,
            committed.rejected,
        )?;
        match &committed.hash {
            Some(hash) => s.record_chunk_source_hash(run_id, table, chunk, hash),
            None => Ok(()),
        }
    })
}
