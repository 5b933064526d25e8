//! Copies table data between PostgreSQL databases: chunked by block ranges, several chunks at once,
//! resumable after any interruption, and verified by row counts (and hashes on request).
//!
//! Each chunk is one transaction on the target that also records the chunk in a progress table
//! (`godwit_copy.progress`) there, so after a crash (process killed, target restarted) a resumed run
//! copies exactly the chunks that did not commit: no duplicates, no gaps. Schema statements
//! (`create_schema`) are recorded the same way, one transaction each (`godwit_copy.steps`), so a resumed
//! run applies only those that did not commit. All chunks of an invocation read one exported snapshot
//! of the source. Rows move in PostgreSQL's binary COPY format, passed through without decoding.
//!
//! A row the target refuses (a constraint, a check, a value it cannot take) makes the chunk's COPY
//! fail. The chunk is then copied again in pieces, each COPY under a savepoint, halving the pieces
//! that fail down to single rows, to find the refused rows: with [`OnError::Stop`] the run stops
//! naming the table, the chunk and the row's key; with [`OnError::Skip`] every other row is kept and
//! each refused one is written to `godwit_copy.rejects` on the target, in the chunk's transaction.
//!
//! The SQLite run history records the run and its chunks for review. [`Control`] lets a caller watch
//! per-table progress and stop a run: the workers roll back their open chunk and the run stays
//! resumable.

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use godwit_catalog::{quote_ident, Catalog, ConstraintKind, QualifiedName};
use godwit_postgres::{redact_url, Phase, SchemaFilter};
use godwit_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio_postgres::Client;

/// Why a copy stopped. The run stays resumable unless the input itself is wrong.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{side}: {source}")]
    Connect {
        side: &'static str,
        source: godwit_postgres::ConnectError,
    },
    #[error("reading the source catalog: {0}")]
    Read(#[from] godwit_postgres::ReadError),
    #[error("run history: {0}")]
    Store(#[from] godwit_store::StoreError),
    #[error("creating the target schema failed at `{statement}`: {message}")]
    Schema { statement: String, message: String },
    #[error("copying {table} chunk {chunk} failed: {message} (resume with --resume {run_id})")]
    Chunk {
        table: String,
        chunk: u32,
        message: String,
        run_id: String,
    },
    #[error("{table} chunk {chunk}: the target rejected the row with key {key}: {message} (SQLSTATE {sqlstate}); none of the chunk's rows were kept. Resume with --resume {run_id} once the target accepts it, or add --on-error skip to set such rows aside")]
    Rejected {
        table: String,
        chunk: u32,
        /// The row's primary key as `column=value, …`, or `ctid=(block,item)` in the source.
        key: String,
        message: String,
        sqlstate: String,
        run_id: String,
    },
    #[error("stopped on request; resume with --resume {run_id}")]
    Stopped { run_id: String },
    #[error("{what}: {message}")]
    Query { what: String, message: String },
    #[error("the target cannot take the source's rows; nothing was copied:\n  {}", .0.join("\n  "))]
    Incompatible(Vec<String>),
    #[error("run {run_id} copies from {recorded_source} to {recorded_target}; resume it with the same databases")]
    ResumeMismatch {
        run_id: String,
        recorded_source: String,
        recorded_target: String,
    },
    #[error("run {0} already finished; there is nothing to resume (start a new run instead)")]
    AlreadyFinished(String),
    #[error("{table} chunk {chunk} held {recorded} when it was copied but holds {planned} now: the source table changed since the run began, so resuming could skip or repeat rows; start a new run")]
    PlanChanged {
        table: String,
        chunk: u32,
        recorded: String,
        planned: String,
    },
}

fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn query_error(what: impl Into<String>) -> impl Fn(tokio_postgres::Error) -> CopyError {
    let what = what.into();
    move |e| CopyError::Query {
        what: what.clone(),
        message: db_message(&e),
    }
}

/// What to do with a row the target refuses: a constraint, a check or a value it cannot take
/// (SQLSTATE classes 22 and 23, or an exception raised by a target trigger).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Stop the run with an error naming the table, the chunk and the row's key; the chunk is not kept.
    #[default]
    Stop,
    /// Keep every other row and write each refused one to `godwit_copy.rejects` on the target.
    Skip,
}

/// What to copy and how.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct CopyOptions {
    pub schemas: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Chunks copied at once.
    pub jobs: usize,
    /// Table blocks (8 kB pages) per chunk; tables smaller than this are one chunk.
    pub chunk_pages: u32,
    /// Create the schema on the target first (keys, indexes and code after the data).
    pub create_schema: bool,
    /// Also compare an order-independent hash of every table's rows on both sides.
    #[serde(default)]
    pub verify_hash: bool,
    /// What to do with rows the target refuses.
    #[serde(default)]
    pub on_error: OnError,
    /// How tables are split into chunks.
    #[serde(default)]
    pub chunk_by: ChunkBy,
}

impl Default for CopyOptions {
    fn default() -> Self {
        Self {
            schemas: vec![],
            include: vec![],
            exclude: vec![],
            jobs: 4,
            chunk_pages: 16_384,
            create_schema: false,
            verify_hash: false,
            on_error: OnError::Stop,
            chunk_by: ChunkBy::Blocks,
        }
    }
}

/// Where one table stands in a running copy, as [`Control::tables`] shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TableStatus {
    pub table: String,
    pub chunks_total: usize,
    /// Chunks committed, by this invocation or an earlier one of the same run.
    pub chunks_done: usize,
    /// Rows committed on the target, by this invocation or an earlier one.
    pub rows_done: u64,
    /// Rows refused by the target and set aside, in committed chunks.
    pub rows_rejected: u64,
    /// Rows sent in chunks not committed yet (about one row per COPY message until the chunk
    /// commits; taken back if it rolls back).
    pub rows_in_flight: u64,
    /// COPY bytes of this invocation's committed chunks.
    pub bytes_done: u64,
    pub bytes_in_flight: u64,
    /// The source's row estimate (`pg_class.reltuples`, else counted on a sample of blocks).
    pub rows_estimate: Option<u64>,
    /// Rows committed or rejected by earlier invocations of the run (resumed runs).
    pub rows_before: u64,
    /// When this invocation began copying the table's first chunk.
    #[serde(skip)]
    pub started: Option<Instant>,
}

impl TableStatus {
    pub fn finished(&self) -> bool {
        self.chunks_done >= self.chunks_total
    }
}

/// Watches and stops a run from outside: cheap to clone, shared with the caller.
#[derive(Clone)]
pub struct Control {
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    tables: Arc<Mutex<Vec<TableStatus>>>,
    phase: Arc<Mutex<&'static str>>,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            stop: Arc::new(tokio::sync::watch::channel(false).0),
            tables: Arc::default(),
            phase: Arc::new(Mutex::new("starting")),
        }
    }
}

impl Control {
    pub fn new() -> Control {
        Control::default()
    }

    /// Asks the run to stop: no new chunk starts, open chunks roll back, the run stays resumable.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves once [`Control::stop`] was called.
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// What the run is doing: `starting`, `creating the schema`, `planning`, `copying`,
    /// `building keys and indexes`, `creating code and comments`, `verifying`.
    pub fn phase(&self) -> &'static str {
        self.phase.lock().map(|p| *p).unwrap_or("")
    }

    fn set_phase(&self, phase: &'static str) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase;
        }
    }

    /// Every table of the run with its progress, in copy order (empty until the run is planned).
    pub fn tables(&self) -> Vec<TableStatus> {
        self.tables.lock().map(|t| t.clone()).unwrap_or_default()
    }

    fn update(&self, slot: usize, f: impl FnOnce(&mut TableStatus)) {
        if let Ok(mut tables) = self.tables.lock() {
            if let Some(t) = tables.get_mut(slot) {
                f(t);
            }
        }
    }
}

/// Runs `work` unless the run is asked to stop first.
async fn unless_stopped<T>(
    control: &Control,
    run_id: &str,
    work: impl Future<Output = Result<T, CopyError>>,
) -> Result<T, CopyError> {
    tokio::select! {
        biased;
        _ = control.stopped() => Err(CopyError::Stopped { run_id: run_id.to_string() }),
        result = work => result,
    }
}

/// How tables are split into chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChunkBy {
    /// Ranges of table blocks (by ctid): any table, no index needed.
    #[default]
    Blocks,
    /// Ranges of the primary key for tables whose key is one integer column (read through its
    /// index); other tables by blocks.
    Key,
}

/// Which rows of a table a chunk holds.
#[derive(Clone, Debug)]
enum Range {
    /// Blocks `from..to` (`None`: open); a table with one chunk has both ends open.
    Blocks { from: Option<u32>, to: Option<u32> },
    /// Key values `from..to` of the integer column `column` (quoted), `None`: open.
    Keys {
        column: String,
        from: Option<i64>,
        to: Option<i64>,
    },
}

impl Range {
    /// The WHERE clause selecting the range from the table aliased `x` (empty: the whole table).
    fn filter(&self) -> String {
        let mut condition = Vec::new();
        match self {
            Range::Blocks { from, to } => {
                if let Some(from) = from {
                    condition.push(format!("x.ctid >= '({from},0)'::tid"));
                }
                if let Some(to) = to {
                    condition.push(format!("x.ctid < '({to},0)'::tid"));
                }
            }
            Range::Keys { column, from, to } => {
                if let Some(from) = from {
                    condition.push(format!("x.{column} >= {from}"));
                }
                if let Some(to) = to {
                    condition.push(format!("x.{column} < {to}"));
                }
            }
        }
        if condition.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", condition.join(" AND "))
        }
    }

    /// The range for people and for the progress table, e.g. `blocks 8..16` or `id ..1000`.
    fn describe(&self) -> String {
        let end = |v: Option<String>| v.unwrap_or_default();
        match self {
            Range::Blocks { from, to } => format!(
                "blocks {}..{}",
                end(from.map(|v| v.to_string())),
                end(to.map(|v| v.to_string()))
            ),
            Range::Keys { column, from, to } => format!(
                "{column} {}..{}",
                end(from.map(|v| v.to_string())),
                end(to.map(|v| v.to_string()))
            ),
        }
    }
}

/// Splits the key span `min..=max` into `pieces` ranges of equal width; the first and last are
/// open so that every value belongs to one.
fn key_ranges(min: i64, max: i64, pieces: u32) -> Vec<(Option<i64>, Option<i64>)> {
    let span = (max as i128 - min as i128 + 1).max(1);
    let pieces = (pieces.max(1) as i128).min(span);
    let width = (span + pieces - 1) / pieces;
    (0..pieces)
        .map(|i| {
            let bound = |k: i128| (min as i128 + k * width) as i64;
            (
                (i > 0).then(|| bound(i)),
                (i + 1 < pieces).then(|| bound(i + 1)),
            )
        })
        .collect()
}

/// A piece of a table.
#[derive(Clone, Debug)]
struct Chunk {
    table: QualifiedName,
    /// The table's place in [`Control::tables`].
    slot: usize,
    index: u32,
    range: Range,
    /// Source column list.
    columns: String,
    /// The same columns as the target names them.
    target_columns: String,
    /// Copy as text (the types differ but convert); binary otherwise.
    text: bool,
    /// SQL naming a row of the table aliased `x` for people: its primary key, else its ctid.
    key: String,
}

/// A chunk that committed.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub table: String,
    pub chunk: u32,
    /// The rows the chunk holds, e.g. `blocks 8..16` or `id 1000..2000` (empty end: open).
    pub bounds: String,
    pub rows: u64,
    pub bytes: u64,
    /// Rows of the chunk the target refused and the run set aside.
    pub rejected: u64,
    pub chunks_done: usize,
    pub chunks_total: usize,
}

/// Row counts of one table after the copy.
#[derive(Clone, Debug, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub source_rows: i64,
    pub target_rows: i64,
    /// Source rows the target refused, set aside in `godwit_copy.rejects` (`--on-error skip`).
    pub rejected_rows: i64,
    /// Order-independent hashes of all rows (`--verify hash`), `None` when not computed. The source's
    /// leaves out the rejected rows, so equal hashes mean every other row arrived unchanged.
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
}

impl TableCheck {
    /// True when hashes were computed and differ: same counts, different content.
    pub fn content_differs(&self) -> bool {
        matches!((&self.source_hash, &self.target_hash), (Some(a), Some(b)) if a != b)
    }

    /// Rows the target lacks beyond the rejected ones (negative: extra rows).
    pub fn lost(&self) -> i64 {
        self.source_rows - self.rejected_rows - self.target_rows
    }
}

/// The outcome of a finished run.
#[derive(Clone, Debug, Serialize)]
pub struct CopyReport {
    pub run_id: String,
    pub resumed: bool,
    /// Chunks this invocation copied (a resumed run skips the ones done before).
    pub chunks_copied: usize,
    pub chunks_total: usize,
    pub rows_copied: u64,
    pub bytes_copied: u64,
    pub seconds: f64,
    /// How the tables were checked, in words.
    pub verification: String,
    pub tables: Vec<TableCheck>,
}

impl CopyReport {
    pub fn rows_lost(&self) -> i64 {
        self.tables.iter().map(|t| t.lost().max(0)).sum()
    }
    /// Tables whose counts agree but whose content hashes differ.
    pub fn content_mismatches(&self) -> Vec<&str> {
        self.tables
            .iter()
            .filter(|t| t.content_differs())
            .map(|t| t.table.as_str())
            .collect()
    }

    pub fn rows_extra(&self) -> i64 {
        self.tables.iter().map(|t| (-t.lost()).max(0)).sum()
    }

    /// Rows the target refused over all tables, set aside in `godwit_copy.rejects`.
    pub fn rows_rejected(&self) -> i64 {
        self.tables.iter().map(|t| t.rejected_rows).sum()
    }
}

/// Bytes sent to the target per COPY message.
const BATCH_BYTES: usize = 1 << 20;
/// Rows tried at once when a chunk is searched for refused rows.
const RESCUE_ROWS: usize = 4096;
/// Times a chunk is tried again after a deadlock or serialization failure on the target.
const RETRIES: u32 = 3;

const PROGRESS_DDL: &str = "CREATE SCHEMA IF NOT EXISTS godwit_copy;
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

async fn connect(side: &'static str, url: &str) -> Result<Client, CopyError> {
    godwit_postgres::connect(url)
        .await
        .map_err(|source| CopyError::Connect { side, source })
}

fn with_store<T>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&Store) -> Result<T, godwit_store::StoreError>,
) -> Result<T, CopyError> {
    let guard = store.lock().map_err(|_| CopyError::Query {
        what: "run history".into(),
        message: "the store lock is poisoned".into(),
    })?;
    Ok(f(&guard)?)
}

/// Starts a run (or resumes `resume`, a run id or `last`) and copies until done.
pub async fn copy(
    source_url: &str,
    target_url: &str,
    store: Arc<Mutex<Store>>,
    options: &CopyOptions,
    resume: Option<&str>,
    on_start: impl FnOnce(&str),
    on_progress: impl Fn(&Progress) + Send + Sync + 'static,
) -> Result<CopyReport, CopyError> {
    copy_with(
        source_url,
        target_url,
        store,
        options,
        resume,
        &Control::new(),
        on_start,
        on_progress,
    )
    .await
}

/// [`copy`] under a [`Control`]: the caller can watch the tables and stop the run.
#[allow(clippy::too_many_arguments)]
pub async fn copy_with(
    source_url: &str,
    target_url: &str,
    store: Arc<Mutex<Store>>,
    options: &CopyOptions,
    resume: Option<&str>,
    control: &Control,
    on_start: impl FnOnce(&str),
    on_progress: impl Fn(&Progress) + Send + Sync + 'static,
) -> Result<CopyReport, CopyError> {
    let started = Instant::now();
    let (source_name, target_name) = (redact_url(source_url), redact_url(target_url));
    let (run_id, options) = match resume {
        Some(key) => {
            let run = with_store(&store, |s| s.run(key))?;
            if run.status == "finished" {
                return Err(CopyError::AlreadyFinished(run.id));
            }
            if run.source != source_name || run.target != target_name {
                return Err(CopyError::ResumeMismatch {
                    run_id: run.id,
                    recorded_source: run.source,
                    recorded_target: run.target,
                });
            }
            with_store(&store, |s| s.set_run_status(&run.id, "running", None))?;
            // What to copy comes from the run; how hard to verify may be asked anew, and so may
            // setting refused rows aside (a run stopped by a refused row resumes with skip).
            let mut recorded: CopyOptions =
                serde_json::from_str(&run.options).unwrap_or_else(|_| options.clone());
            recorded.verify_hash |= options.verify_hash;
            if options.on_error == OnError::Skip {
                recorded.on_error = OnError::Skip;
            }
            (run.id, recorded)
        }
        None => {
            let json = serde_json::to_string(options).unwrap_or_default();
            let run = with_store(&store, |s| {
                s.start_run("copy", &source_name, &target_name, &json)
            })?;
            (run.id, options.clone())
        }
    };
    on_start(&run_id);
    let result = run(
        source_url,
        target_url,
        &store,
        &options,
        &run_id,
        resume.is_some(),
        started,
        control,
        on_progress,
    )
    .await;
    match result {
        Ok((report, target)) => {
            // Finished in the history first, then the target's bookkeeping goes: a run killed in
            // between is finished, with a few leftover rows in godwit_copy; the other order could
            // leave an unfinished run whose progress is gone, and resuming it would copy it all again.
            with_store(&store, |s| s.set_run_status(&run_id, "finished", None))?;
            if let Err(e) = target
                .batch_execute(&format!(
                    "DELETE FROM godwit_copy.progress WHERE run_id = {id};
                     DELETE FROM godwit_copy.steps WHERE run_id = {id};
                     DO $$ BEGIN
                       IF NOT EXISTS (SELECT 1 FROM godwit_copy.progress) AND NOT EXISTS (SELECT 1 FROM godwit_copy.steps)
                          AND NOT EXISTS (SELECT 1 FROM godwit_copy.rejects) THEN
                         DROP SCHEMA godwit_copy CASCADE;
                       END IF;
                     END $$",
                    id = literal(&run_id)
                ))
                .await
            {
                tracing::warn!(error = %db_message(&e), "removing the target's copy progress");
            }
            Ok(report)
        }
        Err(e) => {
            with_store(&store, |s| {
                s.set_run_status(&run_id, "interrupted", Some(&e.to_string()))
            })?;
            Err(e)
        }
    }
}

/// A SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What the target's `godwit_copy.progress` says a run committed: (rows, rejected, bytes, range)
/// per chunk.
type Committed = BTreeMap<(String, u32), (u64, u64, u64, Option<String>)>;

#[allow(clippy::too_many_arguments)]
async fn run(
    source_url: &str,
    target_url: &str,
    store: &Arc<Mutex<Store>>,
    options: &CopyOptions,
    run_id: &str,
    resumed: bool,
    started: Instant,
    control: &Control,
    on_progress: impl Fn(&Progress) + Send + Sync + 'static,
) -> Result<(CopyReport, Client), CopyError> {
    let filter = SchemaFilter {
        schemas: options.schemas.clone(),
        include: options.include.clone(),
        exclude: options.exclude.clone(),
    };
    let (source, target, catalog, done, encoding) = unless_stopped(control, run_id, async {
        let source = connect("source", source_url).await?;
        let target = connect("target", target_url).await?;
        let catalog = godwit_postgres::discover(&source, &filter).await?;
        let encoding: String = source
            .query_one("SELECT current_setting('server_encoding')", &[])
            .await
            .map_err(query_error("reading the source's encoding"))?
            .get(0);
        target
            .batch_execute(PROGRESS_DDL)
            .await
            .map_err(query_error("creating the godwit_copy schema on the target"))?;
        let done: Committed = target
            .query(
                "SELECT table_name, chunk, rows, rejected, bytes, bounds FROM godwit_copy.progress WHERE run_id = $1",
                &[&run_id],
            )
            .await
            .map_err(query_error("reading the target's copy progress"))?
            .iter()
            .map(|r| {
                (
                    (r.get::<_, String>(0), r.get::<_, i32>(1) as u32),
                    (
                        r.get::<_, i64>(2) as u64,
                        r.get::<_, i64>(3) as u64,
                        r.get::<_, i64>(4) as u64,
                        r.get::<_, Option<String>>(5),
                    ),
                )
            })
            .collect();
        Ok((source, target, catalog, done, encoding))
    })
    .await?;
    let script = godwit_postgres::render(&catalog);
    if options.create_schema {
        // A run begun before schema steps were recorded had its pre-data applied whole.
        let recorded: i64 = target
            .query_one(
                "SELECT count(*) FROM godwit_copy.steps WHERE run_id = $1",
                &[&run_id],
            )
            .await
            .map_err(query_error("reading the target's schema steps"))?
            .get(0);
        if !(resumed && recorded == 0 && !done.is_empty()) {
            control.set_phase("creating the schema");
            let pre_data = script.phase(Phase::PreData).collect();
            unless_stopped(control, run_id, apply_steps(&target, run_id, pre_data)).await?;
        }
    }
    control.set_phase("planning");
    let mapping = unless_stopped(control, run_id, preflight(&catalog, &target)).await?;
    if resumed {
        // A chunk committed on the target just before the process died may be missing from the
        // history: the target's record is the truth.
        let known: BTreeSet<(String, u32)> = with_store(store, |s| s.run_chunks(run_id))?
            .into_iter()
            .map(|c| (c.table, c.chunk))
            .collect();
        for ((table, chunk), (rows, rejected, bytes, _)) in &done {
            if !known.contains(&(table.clone(), *chunk)) {
                with_store(store, |s| {
                    s.record_chunk(run_id, table, *chunk, *rows, *bytes, *rejected)
                })?;
            }
        }
    }

    // One snapshot for every chunk of this invocation.
    let snapshot = unless_stopped(control, run_id, async {
        source
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(query_error("starting the source snapshot"))?;
        Ok(source
            .query_one("SELECT pg_export_snapshot()", &[])
            .await
            .map_err(query_error("exporting the source snapshot"))?
            .get::<_, String>(0))
    })
    .await?;

    let (chunks, mut tables) = unless_stopped(
        control,
        run_id,
        plan(
            &source,
            &catalog,
            &mapping,
            options.chunk_pages.max(1),
            options.chunk_by,
        ),
    )
    .await?;
    let total = chunks.len();
    let mut pending = VecDeque::new();
    for chunk in chunks {
        match done.get(&(chunk.table.to_string(), chunk.index)) {
            // Key ranges depend on the key's span: if it changed, chunk n holds other rows now and
            // resuming would skip or repeat some. (Block ranges stay put; only the open end of the
            // last one moves when a table grows.)
            Some((_, _, _, Some(bounds)))
                if *bounds != chunk.range.describe()
                    && !(bounds.starts_with("blocks ")
                        && matches!(chunk.range, Range::Blocks { .. })) =>
            {
                return Err(CopyError::PlanChanged {
                    table: chunk.table.to_string(),
                    chunk: chunk.index,
                    recorded: bounds.clone(),
                    planned: chunk.range.describe(),
                });
            }
            Some((rows, rejected, _, _)) => {
                let t = &mut tables[chunk.slot];
                t.chunks_done += 1;
                t.rows_done += rows;
                t.rows_rejected += rejected;
                t.rows_before += rows + rejected;
            }
            None => pending.push_back(chunk),
        }
    }
    let already = total - pending.len();
    tracing::info!(run_id, total, already, "copy plan");
    if let Ok(mut shown) = control.tables.lock() {
        *shown = tables;
    }
    control.set_phase("copying");
    let queue = Arc::new(Mutex::new(pending));
    let counters = Arc::new(Mutex::new((already, 0usize, 0u64, 0u64))); // done, copied, rows, bytes
    let on_progress = Arc::new(on_progress);
    let ctx = Ctx {
        snapshot,
        run_id: run_id.to_string(),
        on_error: options.on_error,
        control: control.clone(),
        raw_bytes: encoding == "SQL_ASCII",
    };
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..options.jobs.max(1) {
        let (queue, counters, on_progress, store, ctx) = (
            queue.clone(),
            counters.clone(),
            on_progress.clone(),
            store.clone(),
            ctx.clone(),
        );
        let (source_url, target_url) = (source_url.to_string(), target_url.to_string());
        workers.spawn(async move {
            let (source, target) = tokio::select! {
                biased;
                _ = ctx.control.stopped() => return Ok(()),
                pair = async {
                    let (source, target) = (connect("source", &source_url).await?, connect("target", &target_url).await?);
                    if ctx.raw_bytes {
                        source
                            .batch_execute("SET client_encoding = 'SQL_ASCII'")
                            .await
                            .map_err(query_error("reading SQL_ASCII bytes as they are"))?;
                    }
                    Ok::<_, CopyError>((source, target))
                } => pair?,
            };
            loop {
                if ctx.control.is_stopped() {
                    return Ok::<(), CopyError>(());
                }
                let Some(chunk) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok(());
                };
                let mut attempt = 0;
                let outcome = loop {
                    match copy_chunk(&source, &target, &ctx, &chunk).await {
                        Err(ChunkError::Retry(message)) if attempt < RETRIES => {
                            attempt += 1;
                            tracing::info!(table = %chunk.table, chunk = chunk.index, %message, "trying the chunk again");
                        }
                        other => break other,
                    }
                };
                let copied = match outcome {
                    Ok(copied) => copied,
                    Err(ChunkError::Stopped) => return Ok(()),
                    Err(ChunkError::Rejected {
                        key,
                        message,
                        sqlstate,
                    }) => {
                        return Err(CopyError::Rejected {
                            table: chunk.table.to_string(),
                            chunk: chunk.index,
                            key,
                            message,
                            sqlstate,
                            run_id: ctx.run_id.clone(),
                        })
                    }
                    Err(ChunkError::Retry(message) | ChunkError::Failed(message)) => {
                        return Err(CopyError::Chunk {
                            table: chunk.table.to_string(),
                            chunk: chunk.index,
                            message,
                            run_id: ctx.run_id.clone(),
                        })
                    }
                };
                let (store_id, table_name) = (ctx.run_id.clone(), chunk.table.to_string());
                let store = store.clone();
                let index = chunk.index;
                let recorded = tokio::task::spawn_blocking(move || {
                    with_store(&store, |s| {
                        s.record_chunk(
                            &store_id,
                            &table_name,
                            index,
                            copied.rows,
                            copied.bytes,
                            copied.rejected,
                        )
                    })
                })
                .await
                .map_err(|e| CopyError::Query {
                    what: "run history".into(),
                    message: e.to_string(),
                })?;
                recorded?;
                ctx.control.update(chunk.slot, |t| {
                    t.chunks_done += 1;
                    t.rows_done += copied.rows;
                    t.rows_rejected += copied.rejected;
                    t.bytes_done += copied.bytes;
                });
                let progress = {
                    let mut c = counters.lock().map_err(|_| CopyError::Query {
                        what: "progress".into(),
                        message: "poisoned".into(),
                    })?;
                    c.0 += 1;
                    c.1 += 1;
                    c.2 += copied.rows;
                    c.3 += copied.bytes;
                    Progress {
                        table: chunk.table.to_string(),
                        chunk: chunk.index,
                        bounds: chunk.range.describe(),
                        rows: copied.rows,
                        bytes: copied.bytes,
                        rejected: copied.rejected,
                        chunks_done: c.0,
                        chunks_total: total,
                    }
                };
                on_progress(&progress);
            }
        });
    }
    let mut failure = None;
    while let Some(result) = workers.join_next().await {
        let outcome = result
            .map_err(|e| CopyError::Query {
                what: "a copy worker".into(),
                message: e.to_string(),
            })
            .and_then(|r| r);
        if let Err(e) = outcome {
            if failure.is_none() {
                // Stop the others promptly; what they committed stays committed and recorded.
                if let Ok(mut q) = queue.lock() {
                    q.clear();
                }
                failure = Some(e);
            }
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if control.is_stopped() {
        return Err(CopyError::Stopped {
            run_id: run_id.to_string(),
        });
    }

    if options.create_schema {
        control.set_phase("building keys and indexes");
        unless_stopped(
            control,
            run_id,
            post_data(
                target_url,
                &target,
                run_id,
                script.phase(Phase::PostData).collect(),
                options.jobs.max(1),
            ),
        )
        .await?;
        let after: Vec<_> = [Phase::Code, Phase::Comments, Phase::SequencePositions]
            .iter()
            .flat_map(|p| script.phase(*p))
            .collect();
        control.set_phase("creating code and comments");
        unless_stopped(control, run_id, apply_steps(&target, run_id, after)).await?;
    }
    control.set_phase("verifying");
    let tables = unless_stopped(
        control,
        run_id,
        verify(&source, &target, &catalog, &mapping, options, run_id),
    )
    .await?;
    source
        .batch_execute("COMMIT")
        .await
        .map_err(query_error("ending the source snapshot"))?;
    let (_, copied, rows, bytes) = *counters.lock().map_err(|_| CopyError::Query {
        what: "progress".into(),
        message: "poisoned".into(),
    })?;
    let rejected = tables.iter().any(|t| t.rejected_rows > 0);
    let verification = match (options.verify_hash, rejected) {
        (false, false) => "row counts: source rows = target rows",
        (true, false) => "row counts and an order-independent hash of all rows on both sides",
        (false, true) => "row counts: source rows = target rows + rejected rows (godwit_copy.rejects on the target)",
        (true, true) => "row counts (source rows = target rows + rejected rows, in godwit_copy.rejects on the target) and a hash of all rows on both sides, the rejected ones left out of the source's",
    };
    Ok((
        CopyReport {
            run_id: run_id.to_string(),
            resumed,
            chunks_copied: copied,
            chunks_total: total,
            rows_copied: rows,
            bytes_copied: bytes,
            seconds: started.elapsed().as_secs_f64(),
            verification: verification.to_string(),
            tables,
        },
        target,
    ))
}

/// Row counts (and hashes on request) of every table on both sides, the source read in the run's
/// snapshot. Rows the target refused and the run set aside are counted apart, and left out of the
/// source's hash.
async fn verify(
    source: &Client,
    target: &Client,
    catalog: &Catalog,
    mapping: &BTreeMap<QualifiedName, TableMapping>,
    options: &CopyOptions,
    run_id: &str,
) -> Result<Vec<TableCheck>, CopyError> {
    let rejects: BTreeMap<String, Vec<String>> = target
        .query(
            "SELECT table_name, array_agg(source_ctid) FROM godwit_copy.rejects WHERE run_id = $1 GROUP BY table_name",
            &[&run_id],
        )
        .await
        .map_err(query_error("reading the target's rejected rows"))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut tables = Vec::new();
    for (schema, table) in data_tables(catalog) {
        let name = QualifiedName::new(&schema, &table);
        let rejected = rejects.get(&name.to_string()).cloned().unwrap_or_default();
        let count = format!("SELECT count(*) FROM ONLY {name}");
        let (a, b) = tokio::join!(source.query_one(&count, &[]), target.query_one(&count, &[]));
        let source_rows: i64 = a
            .map_err(query_error(format!("counting {name} on the source")))?
            .get(0);
        let target_rows: i64 = b
            .map_err(query_error(format!("counting {name} on the target")))?
            .get(0);
        let (source_hash, target_hash) = if options.verify_hash {
            // The sum of a 64-bit hash of each row's text: independent of row order, equal when the
            // multisets of rows are equal (up to hash collisions).
            // The copied columns in the source's order on both sides, whatever the target's order.
            let source_columns = catalog
                .table(&name)
                .map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.generated.is_none())
                        .map(|c| quote_ident(&c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "*".into());
            let target_columns = mapping
                .get(&name)
                .map(|m| m.target_columns.clone())
                .unwrap_or_else(|| source_columns.clone());
            let sum = |columns: &str, filter: &str| {
                format!(
                    "SELECT coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0) FROM (SELECT {columns} FROM ONLY {name} x{filter}) t"
                )
            };
            // The source's sum less that of the rows the target refused (found by their ctid in
            // the snapshot, a TID scan).
            let source_sql = format!(
                "SELECT (({}) - ({}))::text",
                sum(&source_columns, ""),
                sum(&source_columns, " WHERE x.ctid = ANY($1::text[]::tid[])")
            );
            let target_sql = format!("SELECT ({})::text", sum(&target_columns, ""));
            // Both sides at once: each server scans its own copy.
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&rejected];
            let (a, b) = tokio::join!(
                source.query_one(&source_sql, &params),
                target.query_one(&target_sql, &[])
            );
            let a: String = a
                .map_err(query_error(format!("hashing {name} on the source")))?
                .get(0);
            let b: String = b
                .map_err(query_error(format!("hashing {name} on the target")))?
                .get(0);
            (Some(a), Some(b))
        } else {
            (None, None)
        };
        tables.push(TableCheck {
            table: name.to_string(),
            source_rows,
            target_rows,
            rejected_rows: rejected.len() as i64,
            source_hash,
            target_hash,
        });
    }
    Ok(tables)
}

/// For each statement, its step key (md5 of its text) unless the run already committed it.
async fn pending_steps<'a>(
    target: &Client,
    run_id: &str,
    statements: Vec<&'a godwit_postgres::DdlStatement>,
) -> Result<Vec<(&'a godwit_postgres::DdlStatement, String)>, CopyError> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let rows = target
        .query(
            "SELECT md5(u.s), EXISTS (SELECT 1 FROM godwit_copy.steps g WHERE g.run_id = $2 AND g.step = md5(u.s))
               FROM unnest($1::text[]) WITH ORDINALITY AS u(s, i) ORDER BY u.i",
            &[&texts, &run_id],
        )
        .await
        .map_err(query_error("reading the target's schema steps"))?;
    Ok(statements
        .into_iter()
        .zip(rows)
        .filter(|(_, r)| !r.get::<_, bool>(1))
        .map(|(s, r)| (s, r.get(0)))
        .collect())
}

/// Runs one schema statement in a transaction that also records it as done for the run.
async fn step(
    client: &Client,
    run_id: &str,
    sql: &str,
    key: &str,
) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        client.batch_execute(sql).await?;
        client
            .execute(
                "INSERT INTO godwit_copy.steps (run_id, step) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&run_id, &key],
            )
            .await?;
        client.batch_execute("COMMIT").await
    }
    .await;
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}

fn schema_error(sql: &str) -> impl Fn(tokio_postgres::Error) -> CopyError + '_ {
    move |e| CopyError::Schema {
        statement: sql.lines().next().unwrap_or("").to_string(),
        message: db_message(&e),
    }
}

/// Applies schema statements in order, one transaction each, skipping those the run committed before.
async fn apply_steps(
    target: &Client,
    run_id: &str,
    statements: Vec<&godwit_postgres::DdlStatement>,
) -> Result<(), CopyError> {
    for (s, key) in pending_steps(target, run_id, statements).await? {
        step(target, run_id, &s.sql, &key)
            .await
            .map_err(schema_error(&s.sql))?;
    }
    Ok(())
}

/// Keys, indexes and checks table by table on `jobs` connections at once (each table's statements in
/// order on one connection), then foreign keys one after another (two at once could deadlock on a
/// pair of tables that reference each other). Each statement is a step of the run (see [`step`]).
async fn post_data(
    target_url: &str,
    target: &Client,
    run_id: &str,
    statements: Vec<&godwit_postgres::DdlStatement>,
    jobs: usize,
) -> Result<(), CopyError> {
    let pending = pending_steps(target, run_id, statements).await?;
    let (foreign_keys, rest): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|(s, _)| s.sql.contains(" FOREIGN KEY ("));
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut index: BTreeMap<godwit_catalog::ObjectRef, usize> = BTreeMap::new();
    for (s, key) in rest {
        let slot = *index.entry(s.object.clone()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push((s.sql.clone(), key));
    }
    let queue = Arc::new(Mutex::new(VecDeque::from(groups)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs {
        let (queue, url, run_id) = (queue.clone(), target_url.to_string(), run_id.to_string());
        workers.spawn(async move {
            let client = connect("target", &url).await?;
            loop {
                let Some(group) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok::<(), CopyError>(());
                };
                for (sql, key) in group {
                    step(&client, &run_id, &sql, &key)
                        .await
                        .map_err(schema_error(&sql))?;
                }
            }
        });
    }
    let mut failure = None;
    while let Some(result) = workers.join_next().await {
        if let Err(e) = result
            .map_err(|e| CopyError::Query {
                what: "a schema worker".into(),
                message: e.to_string(),
            })
            .and_then(|r| r)
        {
            failure.get_or_insert(e);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    for (s, key) in foreign_keys {
        step(target, run_id, &s.sql, &key)
            .await
            .map_err(schema_error(&s.sql))?;
    }
    Ok(())
}

/// How a source table's columns land in the target table.
struct TableMapping {
    target_columns: String,
    text: bool,
}

/// A length or precision from a type's SQL, e.g. 20 in `character varying(20)`.
fn type_size(sql: &str) -> Option<u32> {
    let inner = sql.split_once('(')?.1.split([')', ',']).next()?;
    inner.trim().parse().ok()
}

/// Checks every source table against the target before any row moves: the table and each column must
/// exist (names compared case-insensitively), no target column may be generated, and no type may be
/// narrower. Tables whose types differ but convert are copied as text. All problems are reported at once.
async fn preflight(
    catalog: &Catalog,
    target: &Client,
) -> Result<BTreeMap<QualifiedName, TableMapping>, CopyError> {
    let filter = SchemaFilter {
        schemas: vec![],
        include: vec![],
        exclude: vec![],
    };
    let target_catalog = godwit_postgres::discover(target, &filter).await?;
    let mut problems = Vec::new();
    let mut mapping = BTreeMap::new();
    for schema in &catalog.schemas {
        for table in schema.tables.iter().filter(|t| t.partitioning.is_none()) {
            let name = QualifiedName::new(&schema.name, &table.name);
            let found = target_catalog
                .schemas
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&schema.name))
                .and_then(|s| {
                    s.tables.iter().find(|t| t.name == table.name).or_else(|| {
                        s.tables
                            .iter()
                            .find(|t| t.name.eq_ignore_ascii_case(&table.name))
                    })
                });
            let Some(target_table) = found else {
                problems.push(format!(
                    "{name}: no such table on the target (create it, or use --create-schema)"
                ));
                continue;
            };
            let mut columns = Vec::new();
            let mut text = false;
            for column in table.columns.iter().filter(|c| c.generated.is_none()) {
                let Some(tc) = target_table
                    .columns
                    .iter()
                    .find(|c| c.name == column.name)
                    .or_else(|| {
                        target_table
                            .columns
                            .iter()
                            .find(|c| c.name.eq_ignore_ascii_case(&column.name))
                    })
                else {
                    problems.push(format!(
                        "{name}.{}: no such column on the target",
                        quote_ident(&column.name)
                    ));
                    continue;
                };
                if tc.generated.is_some() {
                    problems.push(format!(
                        "{name}.{}: the target column is generated and cannot take values",
                        quote_ident(&column.name)
                    ));
                }
                if tc.data_type.sql != column.data_type.sql {
                    let narrowed = tc.data_type.name == column.data_type.name
                        && matches!((type_size(&column.data_type.sql), type_size(&tc.data_type.sql)), (Some(a), Some(b)) if b < a);
                    if narrowed {
                        problems.push(format!(
                            "{name}.{}: narrowed from {} to {}",
                            quote_ident(&column.name),
                            column.data_type.sql,
                            tc.data_type.sql
                        ));
                    } else {
                        text = true;
                    }
                }
                columns.push(quote_ident(&tc.name));
            }
            mapping.insert(
                name,
                TableMapping {
                    target_columns: columns.join(", "),
                    text,
                },
            );
        }
    }
    if problems.is_empty() {
        Ok(mapping)
    } else {
        Err(CopyError::Incompatible(problems))
    }
}

/// Tables that hold rows: every table except partitioned parents.
fn data_tables(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .filter(|t| t.partitioning.is_none())
                .map(move |t| (s.name.clone(), t.name.clone()))
        })
        .collect()
}

/// SQL naming a row of `table` (aliased `x`) for people: `col=value, …` of its primary key, else its
/// ctid in the source.
fn key_sql(table: Option<&godwit_catalog::Table>) -> String {
    let primary_key = table.and_then(|t| {
        t.constraints.iter().find_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns } if !columns.is_empty() => Some(columns.clone()),
            _ => None,
        })
    });
    match primary_key {
        Some(columns) => format!(
            "concat_ws(', ', {})",
            columns
                .iter()
                .map(|c| format!(
                    "{} || coalesce(x.{}::text, 'NULL')",
                    literal(&format!("{c}=")),
                    quote_ident(c)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "'ctid=' || x.ctid::text".into(),
    }
}

/// The primary key column of `table` when the key is one `smallint`, `integer` or `bigint` column.
fn integer_key(table: &godwit_catalog::Table) -> Option<String> {
    let columns = table.constraints.iter().find_map(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns } => Some(columns),
        _ => None,
    })?;
    let [column] = columns.as_slice() else {
        return None;
    };
    let data_type = &table.columns.iter().find(|c| &c.name == column)?.data_type;
    matches!(data_type.name.as_str(), "smallint" | "integer" | "bigint").then(|| column.clone())
}

/// Splits every table into chunks: block ranges of at most `chunk_pages` pages, or as many key
/// ranges for tables with an integer key under [`ChunkBy::Key`]; also returns each
/// table's status as [`Control::tables`] starts it (chunks, row estimate).
async fn plan(
    source: &Client,
    catalog: &Catalog,
    mapping: &BTreeMap<QualifiedName, TableMapping>,
    chunk_pages: u32,
    chunk_by: ChunkBy,
) -> Result<(Vec<Chunk>, Vec<TableStatus>), CopyError> {
    let mut chunks = Vec::new();
    let mut tables = Vec::new();
    for (slot, (schema, table)) in data_tables(catalog).into_iter().enumerate() {
        let name = QualifiedName::new(&schema, &table);
        let row = source
            .query_one(
                "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples::float8
                   FROM pg_class c WHERE c.oid = $1::text::regclass",
                &[&name.to_string()],
            )
            .await
            .map_err(query_error(format!("sizing {name}")))?;
        let (pages, reltuples): (i64, f64) = (row.get(0), row.get(1));
        let estimate = if pages == 0 {
            Some(0)
        } else if reltuples > 0.0 {
            Some(reltuples as u64)
        } else {
            // Never analyzed: count a sample of about 1000 blocks (all of a smaller table).
            let sql = if pages <= 1000 {
                format!("SELECT count(*)::float8 FROM ONLY {name}")
            } else {
                let percent = 100_000.0 / pages as f64;
                format!(
                    "SELECT count(*)::float8 * {} FROM ONLY {name} TABLESAMPLE SYSTEM ({percent})",
                    100.0 / percent
                )
            };
            source
                .query_one(&sql, &[])
                .await
                .ok()
                .map(|r| r.get::<_, f64>(0) as u64)
        };
        let source_table = catalog.table(&name);
        let columns = source_table
            .map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.generated.is_none())
                    .map(|c| quote_ident(&c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let key = key_sql(source_table);
        let pieces = ((pages.max(1) as u64).div_ceil(chunk_pages as u64)) as u32;
        let integer_key = match chunk_by {
            ChunkBy::Key => source_table.and_then(integer_key),
            ChunkBy::Blocks => None,
        };
        let ranges: Vec<Range> = match integer_key {
            Some(column) => {
                // As many chunks as by blocks, over the span of the key (read from its index).
                let column = quote_ident(&column);
                let row = source
                    .query_one(
                        &format!("SELECT min(x.{column})::bigint, max(x.{column})::bigint FROM ONLY {name} x"),
                        &[],
                    )
                    .await
                    .map_err(query_error(format!("reading the key span of {name}")))?;
                match (row.get::<_, Option<i64>>(0), row.get::<_, Option<i64>>(1)) {
                    (Some(min), Some(max)) => key_ranges(min, max, pieces)
                        .into_iter()
                        .map(|(from, to)| Range::Keys {
                            column: column.clone(),
                            from,
                            to,
                        })
                        .collect(),
                    _ => vec![Range::Keys {
                        column,
                        from: None,
                        to: None,
                    }],
                }
            }
            None => (0..pieces)
                .map(|index| Range::Blocks {
                    from: (index > 0).then(|| index * chunk_pages),
                    to: (index + 1 < pieces).then(|| (index + 1) * chunk_pages),
                })
                .collect(),
        };
        let pieces = ranges.len() as u32;
        for (index, range) in ranges.into_iter().enumerate() {
            chunks.push(Chunk {
                table: name.clone(),
                slot,
                index: index as u32,
                range,
                columns: columns.clone(),
                target_columns: mapping
                    .get(&name)
                    .map(|m| m.target_columns.clone())
                    .unwrap_or_else(|| columns.clone()),
                text: mapping.get(&name).is_some_and(|m| m.text),
                key: key.clone(),
            });
        }
        tables.push(TableStatus {
            table: name.to_string(),
            chunks_total: pieces as usize,
            rows_estimate: estimate,
            ..Default::default()
        });
    }
    Ok((chunks, tables))
}

/// What a copy worker needs besides its connections.
#[derive(Clone)]
struct Ctx {
    snapshot: String,
    run_id: String,
    on_error: OnError,
    control: Control,
    /// The source is SQL_ASCII: it sends its bytes as they are and the target, still reading UTF-8,
    /// checks them (refusing invalid ones row by row). Asking a SQL_ASCII server for UTF-8 would make
    /// it refuse to send a whole chunk holding one invalid value. (The target must not be told
    /// SQL_ASCII: its COPY would then take invalid bytes unchecked.)
    raw_bytes: bool,
}

/// A chunk that committed: rows written, COPY bytes read, rows refused and set aside.
#[derive(Clone, Copy, Debug)]
struct Copied {
    rows: u64,
    bytes: u64,
    rejected: u64,
}

/// Why a chunk did not commit.
enum ChunkError {
    /// A row the target refused, under [`OnError::Stop`].
    Rejected {
        key: String,
        message: String,
        sqlstate: String,
    },
    /// A deadlock or serialization failure: trying again may work.
    Retry(String),
    /// [`Control::stop`] was called; the chunk rolled back.
    Stopped,
    Failed(String),
}

/// How a target error bears on the rows that caused it.
enum Refusal {
    /// The target refuses a row: data exception (22), integrity constraint (23), trigger exception.
    Row,
    /// Deadlock or serialization failure.
    Retry,
    Other,
}

fn classify(e: &tokio_postgres::Error) -> Refusal {
    match e.code().map(|c| c.code()) {
        Some(c) if c.starts_with("22") || c.starts_with("23") || c == "P0001" => Refusal::Row,
        Some("40P01" | "40001") => Refusal::Retry,
        _ => Refusal::Other,
    }
}

fn chunk_error(e: &tokio_postgres::Error) -> ChunkError {
    match classify(e) {
        Refusal::Retry => ChunkError::Retry(db_message(e)),
        _ => ChunkError::Failed(db_message(e)),
    }
}

/// Rows and bytes of a chunk on their way, shown in [`TableStatus`] until the chunk ends.
struct Flight<'a> {
    control: &'a Control,
    slot: usize,
    rows: u64,
    bytes: u64,
}

impl<'a> Flight<'a> {
    fn new(control: &'a Control, slot: usize) -> Flight<'a> {
        control.update(slot, |t| {
            t.started.get_or_insert_with(Instant::now);
        });
        Flight {
            control,
            slot,
            rows: 0,
            bytes: 0,
        }
    }

    fn add(&mut self, rows: u64, bytes: u64) {
        self.rows += rows;
        self.bytes += bytes;
        self.control.update(self.slot, |t| {
            t.rows_in_flight += rows;
            t.bytes_in_flight += bytes;
        });
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let (rows, bytes) = (self.rows, self.bytes);
        self.control.update(self.slot, |t| {
            t.rows_in_flight = t.rows_in_flight.saturating_sub(rows);
            t.bytes_in_flight = t.bytes_in_flight.saturating_sub(bytes);
        });
    }
}

async fn begin_source(source: &Client, snapshot: &str) -> Result<(), tokio_postgres::Error> {
    source
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"
        ))
        .await
}

/// Copies one chunk in one target transaction that also records it. When the target refuses a row,
/// the chunk is copied again piece by piece to find the refused rows ([`rescue`]).
async fn copy_chunk(
    source: &Client,
    target: &Client,
    ctx: &Ctx,
    chunk: &Chunk,
) -> Result<Copied, ChunkError> {
    match stream_chunk(source, target, ctx, chunk).await {
        Ok(copied) => Ok(copied),
        Err(Streamed::Chunk(e)) => Err(e),
        Err(Streamed::Refused(e)) => {
            tracing::info!(table = %chunk.table, chunk = chunk.index, error = %db_message(&e), "the target refused a row; copying the chunk again in pieces");
            rescue(source, target, ctx, chunk).await
        }
    }
}

/// Why streaming a chunk whole failed.
enum Streamed {
    /// The target refused a row (the transaction rolled back).
    Refused(tokio_postgres::Error),
    Chunk(ChunkError),
}

/// The fast path: the source's COPY passed through to the target's COPY as it comes.
async fn stream_chunk(
    source: &Client,
    target: &Client,
    ctx: &Ctx,
    chunk: &Chunk,
) -> Result<Copied, Streamed> {
    let failed = |e: tokio_postgres::Error| Streamed::Chunk(chunk_error(&e));
    begin_source(source, &ctx.snapshot).await.map_err(failed)?;
    if let Err(e) = target.batch_execute("BEGIN").await {
        let _ = source.batch_execute("ROLLBACK").await;
        return Err(failed(e));
    }
    enum Failure {
        Source(tokio_postgres::Error),
        Target(tokio_postgres::Error),
        Record(tokio_postgres::Error),
        Stopped,
    }
    let mut flight = Flight::new(&ctx.control, chunk.slot);
    let format = if chunk.text { "text" } else { "binary" };
    let filter = chunk.range.filter();
    let result = async {
        // A whole table is copied with COPY table TO (faster than a query); a range with a query.
        let copy_out = if filter.is_empty() {
            format!("COPY {} ({}) TO STDOUT (FORMAT {format})", chunk.table, chunk.columns)
        } else {
            format!("COPY (SELECT {} FROM ONLY {} x{filter}) TO STDOUT (FORMAT {format})", chunk.columns, chunk.table)
        };
        let out = source.copy_out(&copy_out).await.map_err(Failure::Source)?;
        let sink = target.copy_in(&format!("COPY {} ({}) FROM STDIN (FORMAT {format})", chunk.table, chunk.target_columns)).await.map_err(Failure::Target)?;
        futures_util::pin_mut!(out);
        futures_util::pin_mut!(sink);
        let stopped = ctx.control.stopped();
        futures_util::pin_mut!(stopped);
        // The source sends a message per row; the target gets them in batches of about 1 MB (COPY
        // data may be split anywhere), so memory stays bounded whatever the row size.
        let (mut bytes, mut messages) = (0u64, 0u64);
        let mut batch = BytesMut::with_capacity(BATCH_BYTES);
        loop {
            let piece = tokio::select! {
                biased;
                _ = &mut stopped => return Err(Failure::Stopped),
                piece = out.next() => piece,
            };
            let Some(piece) = piece else { break };
            let piece: Bytes = piece.map_err(Failure::Source)?;
            bytes += piece.len() as u64;
            messages += 1;
            batch.extend_from_slice(&piece);
            if batch.len() >= BATCH_BYTES {
                let sent = batch.len() as u64;
                sink.send(batch.split().freeze()).await.map_err(Failure::Target)?;
                flight.add(messages, sent);
                messages = 0;
            }
        }
        if !batch.is_empty() {
            sink.send(batch.freeze()).await.map_err(Failure::Target)?;
        }
        let rows = tokio::select! {
            biased;
            _ = &mut stopped => return Err(Failure::Stopped),
            rows = sink.finish() => rows.map_err(Failure::Target)?,
        };
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds) VALUES ($1, $2, $3, $4, 0, $5, $6)",
                &[&ctx.run_id, &chunk.table.to_string(), &(chunk.index as i32), &(rows as i64), &(bytes as i64), &chunk.range.describe()],
            )
            .await
            .map_err(Failure::Record)?;
        // Deferred constraints are checked here.
        target.batch_execute("COMMIT").await.map_err(Failure::Target)?;
        Ok((rows, bytes))
    }
    .await;
    match result {
        Ok((rows, bytes)) => {
            // The source transaction only read; the chunk is committed whatever it answers.
            let _ = source.batch_execute("COMMIT").await;
            Ok(Copied {
                rows,
                bytes,
                rejected: 0,
            })
        }
        Err(failure) => {
            let _ = target.batch_execute("ROLLBACK").await;
            if let Failure::Stopped = failure {
                // The worker ends and drops the source connection: no waiting for its COPY to drain.
                return Err(Streamed::Chunk(ChunkError::Stopped));
            }
            let _ = source.batch_execute("ROLLBACK").await;
            Err(match failure {
                Failure::Target(e) if matches!(classify(&e), Refusal::Row) => Streamed::Refused(e),
                Failure::Target(e) | Failure::Source(e) | Failure::Record(e) => failed(e),
                Failure::Stopped => Streamed::Chunk(ChunkError::Stopped),
            })
        }
    }
}

/// One source row as a line of COPY text (without its newline) and its ctid in the snapshot.
struct Line {
    data: Bytes,
    ctid: String,
}

/// A row the target refused.
struct Refused {
    ctid: String,
    sqlstate: String,
    message: String,
    detail: Option<String>,
}

/// Copies a chunk whose COPY the target refused, in one transaction: the source rows (as text, with
/// their ctid) in pieces of a few thousand, each COPY under a savepoint; a piece that fails is halved
/// until the refused rows stand alone. With [`OnError::Skip`] those rows go to `godwit_copy.rejects`
/// with the target's error and the chunk commits; with [`OnError::Stop`] the first one stops the run.
async fn rescue(
    source: &Client,
    target: &Client,
    ctx: &Ctx,
    chunk: &Chunk,
) -> Result<Copied, ChunkError> {
    let failed = |e: tokio_postgres::Error| chunk_error(&e);
    begin_source(source, &ctx.snapshot).await.map_err(failed)?;
    // Deferred constraints are checked per statement, so a savepoint catches their refusals too.
    if let Err(e) = target
        .batch_execute("BEGIN; SET CONSTRAINTS ALL IMMEDIATE")
        .await
    {
        let _ = source.batch_execute("ROLLBACK").await;
        return Err(failed(e));
    }
    let mut flight = Flight::new(&ctx.control, chunk.slot);
    let mut refused = Vec::new();
    let result = async {
        let select = if chunk.columns.is_empty() {
            "x.ctid".to_string()
        } else {
            format!("{}, x.ctid", chunk.columns)
        };
        let out = source
            .copy_out(&format!(
                "COPY (SELECT {select} FROM ONLY {} x{}) TO STDOUT",
                chunk.table,
                chunk.range.filter()
            ))
            .await
            .map_err(failed)?;
        futures_util::pin_mut!(out);
        let copy_in = format!("COPY {} ({}) FROM STDIN", chunk.table, chunk.target_columns);
        let stopped = ctx.control.stopped();
        futures_util::pin_mut!(stopped);
        let (mut rows, mut bytes) = (0u64, 0u64);
        let mut pending = BytesMut::new();
        let mut lines: Vec<Line> = Vec::new();
        let mut size = 0usize;
        let mut ended = false;
        while !ended {
            let piece = tokio::select! {
                biased;
                _ = &mut stopped => return Err(ChunkError::Stopped),
                piece = out.next() => piece,
            };
            match piece {
                Some(piece) => pending.extend_from_slice(&piece.map_err(failed)?),
                None => ended = true,
            }
            // Text COPY escapes newlines and tabs inside values: each line is a row, its last
            // field the ctid.
            while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                let line = pending.split_to(end + 1).freeze();
                let (data, ctid) = match line[..end].iter().rposition(|b| *b == b'\t') {
                    Some(tab) => (line.slice(..tab), &line[tab + 1..end]),
                    None => (Bytes::new(), &line[..end]),
                };
                size += data.len() + 1;
                lines.push(Line {
                    data,
                    ctid: String::from_utf8_lossy(ctid).into_owned(),
                });
                if lines.len() >= RESCUE_ROWS || size >= BATCH_BYTES {
                    let n = insert_lines(target, &copy_in, &lines, ctx, &mut refused).await?;
                    flight.add(n, size as u64);
                    (rows, bytes) = (rows + n, bytes + size as u64);
                    lines.clear();
                    size = 0;
                    if ctx.on_error == OnError::Stop && !refused.is_empty() {
                        return Ok((rows, bytes));
                    }
                }
            }
        }
        if !lines.is_empty() {
            let n = insert_lines(target, &copy_in, &lines, ctx, &mut refused).await?;
            (rows, bytes) = (rows + n, bytes + size as u64);
        }
        Ok::<_, ChunkError>((rows, bytes))
    }
    .await;
    let (rows, bytes) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = target.batch_execute("ROLLBACK").await;
            if !matches!(e, ChunkError::Stopped) {
                let _ = source.batch_execute("ROLLBACK").await;
            }
            return Err(e);
        }
    };
    let finish = async {
        // Name the refused rows from the source, in the same snapshot.
        let ctids: Vec<&str> = refused.iter().map(|r| r.ctid.as_str()).collect();
        let named: BTreeMap<String, (String, String)> = if ctids.is_empty() {
            BTreeMap::new()
        } else {
            source
                .query(
                    &format!(
                        "SELECT x.ctid::text, textsend({}), textsend(row_to_json(x)::text) FROM ONLY {} x WHERE x.ctid = ANY($1::text[]::tid[])",
                        chunk.key, chunk.table
                    ),
                    &[&ctids],
                )
                .await
                .map_err(failed)?
                .iter()
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        (
                            String::from_utf8_lossy(r.get::<_, &[u8]>(1)).into_owned(),
                            String::from_utf8_lossy(r.get::<_, &[u8]>(2)).into_owned(),
                        ),
                    )
                })
                .collect()
        };
        let key = |ctid: &str| {
            named
                .get(ctid)
                .map(|(key, _)| key.clone())
                .unwrap_or_else(|| format!("ctid={ctid}"))
        };
        if ctx.on_error == OnError::Stop {
            if let Some(first) = refused.first() {
                return Err(ChunkError::Rejected {
                    key: key(&first.ctid),
                    message: first.message.clone(),
                    sqlstate: first.sqlstate.clone(),
                });
            }
        }
        if !refused.is_empty() {
            let keys: Vec<String> = refused.iter().map(|r| key(&r.ctid)).collect();
            let json: Vec<Option<&str>> = refused
                .iter()
                .map(|r| named.get(&r.ctid).map(|(_, j)| j.as_str()))
                .collect();
            let states: Vec<&str> = refused.iter().map(|r| r.sqlstate.as_str()).collect();
            let messages: Vec<&str> = refused.iter().map(|r| r.message.as_str()).collect();
            let details: Vec<Option<&str>> = refused.iter().map(|r| r.detail.as_deref()).collect();
            target
                .execute(
                    "INSERT INTO godwit_copy.rejects (run_id, table_name, chunk, row_key, row_json, source_ctid, sqlstate, message, detail)
                     SELECT $1, $2, $3, u.k, u.j, u.c, u.s, u.m, u.d
                       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(k, j, c, s, m, d)",
                    &[&ctx.run_id, &chunk.table.to_string(), &(chunk.index as i32), &keys, &json, &ctids, &states, &messages, &details],
                )
                .await
                .map_err(failed)?;
        }
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&ctx.run_id, &chunk.table.to_string(), &(chunk.index as i32), &(rows as i64), &(refused.len() as i64), &(bytes as i64), &chunk.range.describe()],
            )
            .await
            .map_err(failed)?;
        target.batch_execute("COMMIT").await.map_err(failed)
    }
    .await;
    match finish {
        Ok(()) => {
            let _ = source.batch_execute("COMMIT").await;
            Ok(Copied {
                rows,
                bytes,
                rejected: refused.len() as u64,
            })
        }
        Err(e) => {
            let _ = target.batch_execute("ROLLBACK").await;
            let _ = source.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}

/// COPYs `lines` into the target, halving any piece the target refuses down to single rows, which
/// are added to `refused`. Under [`OnError::Stop`] it returns at the first refused row. Returns the
/// rows written.
async fn insert_lines(
    target: &Client,
    copy_in: &str,
    lines: &[Line],
    ctx: &Ctx,
    refused: &mut Vec<Refused>,
) -> Result<u64, ChunkError> {
    let mut inserted = 0;
    let mut pieces = vec![(0, lines.len())];
    while let Some((from, to)) = pieces.pop() {
        if from == to {
            continue;
        }
        if ctx.control.is_stopped() {
            return Err(ChunkError::Stopped);
        }
        match try_lines(target, copy_in, &lines[from..to])
            .await
            .map_err(|e| chunk_error(&e))?
        {
            Ok(n) => inserted += n,
            Err(e) => match classify(&e) {
                Refusal::Row if to - from == 1 => {
                    let db = e.as_db_error();
                    refused.push(Refused {
                        ctid: lines[from].ctid.clone(),
                        sqlstate: e.code().map(|c| c.code().to_string()).unwrap_or_default(),
                        message: db
                            .map(|d| d.message().to_string())
                            .unwrap_or_else(|| e.to_string()),
                        detail: db.and_then(|d| d.detail()).map(str::to_string),
                    });
                    if ctx.on_error == OnError::Stop {
                        return Ok(inserted);
                    }
                }
                Refusal::Row => {
                    // The first half is tried first, so rows keep their order.
                    let middle = from + (to - from) / 2;
                    pieces.push((middle, to));
                    pieces.push((from, middle));
                }
                _ => return Err(chunk_error(&e)),
            },
        }
    }
    Ok(inserted)
}

/// One COPY of `lines` under a savepoint: `Ok(Ok(rows))` when the target took them, `Ok(Err(e))`
/// when it refused them (rolled back to the savepoint), `Err` when even the savepoint failed.
async fn try_lines(
    target: &Client,
    copy_in: &str,
    lines: &[Line],
) -> Result<Result<u64, tokio_postgres::Error>, tokio_postgres::Error> {
    target.batch_execute("SAVEPOINT godwit_rows").await?;
    let attempt = async {
        let sink = target.copy_in(copy_in).await?;
        futures_util::pin_mut!(sink);
        let mut buffer = BytesMut::new();
        for line in lines {
            buffer.extend_from_slice(&line.data);
            buffer.put_u8(b'\n');
            if buffer.len() >= BATCH_BYTES {
                sink.send(buffer.split().freeze()).await?;
            }
        }
        if !buffer.is_empty() {
            sink.send(buffer.freeze()).await?;
        }
        sink.finish().await
    }
    .await;
    match attempt {
        Ok(rows) => {
            target
                .batch_execute("RELEASE SAVEPOINT godwit_rows")
                .await?;
            Ok(Ok(rows))
        }
        Err(e) => {
            target
                .batch_execute("ROLLBACK TO SAVEPOINT godwit_rows")
                .await?;
            Ok(Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ranges_cover_the_span_once_with_open_ends() {
        assert_eq!(
            key_ranges(1, 100, 4),
            [
                (None, Some(26)),
                (Some(26), Some(51)),
                (Some(51), Some(76)),
                (Some(76), None)
            ]
        );
        // Fewer values than pieces: one piece per value.
        assert_eq!(
            key_ranges(-1, 1, 10),
            [(None, Some(0)), (Some(0), Some(1)), (Some(1), None)]
        );
        assert_eq!(key_ranges(7, 7, 3), [(None, None)]);
        // The whole bigint span does not overflow.
        let wide = key_ranges(i64::MIN, i64::MAX, 3);
        assert_eq!(wide.len(), 3);
        assert!(wide[0].1.unwrap() < wide[1].1.unwrap());
    }

    #[test]
    fn ranges_read_as_sql_and_for_people() {
        let keys = Range::Keys {
            column: "id".into(),
            from: Some(-5),
            to: Some(10),
        };
        assert_eq!(keys.filter(), " WHERE x.id >= -5 AND x.id < 10");
        assert_eq!(keys.describe(), "id -5..10");
        let blocks = Range::Blocks {
            from: None,
            to: Some(8),
        };
        assert_eq!(blocks.filter(), " WHERE x.ctid < '(8,0)'::tid");
        assert_eq!(blocks.describe(), "blocks ..8");
    }
}
