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
CREATE TABLE IF NOT EXISTS godwit_copy.steps (
    run_id text NOT NULL, step text NOT NULL, PRIMARY KEY (run_id, step));
CREATE TABLE IF NOT EXISTS godwit_copy.rejects (
    run_id text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL,
    row_key text NOT NULL, row_json text, source_ctid text NOT NULL,
    sqlstate text NOT NULL, message text NOT NULL, detail text,
    rejected_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS rejects_run ON godwit_copy.rejects (run_id, table_name)";

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

/// What the target's `godwit_copy.progress` says a run committed: (rows, rejected, bytes, range)
/// per chunk.
pub(crate) type Committed = BTreeMap<(String, u32), (u64, u64, u64, Option<String>)>;
