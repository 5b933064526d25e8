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
//!
//! The parts: `plan` splits tables into chunks (block or key ranges); `schema` applies the
//! target's schema as recorded steps and checks existing target tables before any row moves; `writer`
//! copies one chunk per target transaction (and looks for refused rows); `history` keeps the run's
//! bookkeeping on the target and in the SQLite history; `verify` checks the result; `kept` puts its
//! report in the form the history keeps; `control` lets a caller watch and stop the run. This file
//! drives them: [`copy`] and [`copy_with`].

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

mod canonical;
mod control;
mod error;
mod hash;
mod history;
mod kept;
mod load;
mod oracle;
mod pg_hash;
mod plan;
mod schema;
mod server_hash;
mod verify;
mod wide;
mod writer;

pub use control::{Control, TableStatus};
pub use error::CopyError;
pub use godwit_oracle::data::NulPolicy;
pub use hash::RowsHash;
pub use kept::{kept_oracle_verification, kept_tables, kept_verification, loss_percent};
pub use load::LoadSteps;
pub use oracle::{
    copy_oracle_from, live_sessions, oracle_tables, ConvertedSchema, LiveRows, OpenRows,
    OracleCopied, OracleCopyOptions, OracleRows, OracleRunOptions, OracleSchema, OracleSource,
    OracleTable, OracleTableReport, RowRange, ScriptRows, ScriptSourceError, ORACLE_TABLES_SQL,
    SCRIPT_OWNER,
};
pub use plan::ChunkBy;
pub use server_hash::taken_by_servers;
pub use verify::{
    CopyReport, DifferentRow, Progress, Recheck, TableCheck, TableFindings, NAMED_ROWS,
};

use control::*;
use error::*;
use hash::*;
use history::*;
use load::*;
use plan::*;
use schema::*;
use server_hash::*;
use verify::*;
use wide::*;
use writer::*;

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

/// How a copy is checked once the rows are in. Every level but `Off` rechecks a table whose
/// counts or hashes disagree and names the lost, extra and different rows by key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verify {
    /// Nothing is checked.
    Off,
    /// Row counts per table on both sides.
    #[default]
    Count,
    /// Counts, and per chunk an order-independent hash of the rows taken while they streamed from
    /// the source, against the same hash of the rows read back from the target.
    Hash,
    /// Counts, and `sample_rows` rows per table (by primary key) compared value by value.
    Sample,
}

/// How a run is checked: the level, and the rows per table compared under [`Verify::Sample`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub level: Verify,
    pub sample_rows: u64,
}

impl Default for Verification {
    fn default() -> Self {
        Verification {
            level: Verify::Count,
            sample_rows: 1000,
        }
    }
}

impl Verification {
    /// What [`CopyOptions::verify_hash`] asks for: hashes, else counts.
    pub fn of(options: &CopyOptions) -> Verification {
        Verification {
            level: if options.verify_hash {
                Verify::Hash
            } else {
                Verify::Count
            },
            ..Verification::default()
        }
    }
}

/// What to copy and how.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct CopyOptions {
    pub schemas: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Chunks copied at once (under hash verification as many readers again read finished tables
    /// back from the target meanwhile).
    pub jobs: usize,
    /// Table blocks (8 kB pages) per chunk; tables smaller than this are one chunk.
    pub chunk_pages: u32,
    /// Create the schema on the target first (keys, indexes and code after the data).
    pub create_schema: bool,
    /// Also compare an order-independent hash of every table's rows on both sides (the same as
    /// [`Verify::Hash`] given to [`copy_checked`]).
    #[serde(default)]
    pub verify_hash: bool,
    /// What to do with rows the target refuses.
    #[serde(default)]
    pub on_error: OnError,
    /// How tables are split into chunks.
    #[serde(default)]
    pub chunk_by: ChunkBy,
    /// Disable the target tables' user triggers while rows arrive (`ALTER TABLE … DISABLE TRIGGER`)
    /// and enable them again, as they were, once the data is in, after a failure or a stop, or
    /// when a run killed meanwhile is resumed.
    #[serde(default)]
    pub disable_triggers: bool,
    /// Load existing target tables without their secondary indexes and foreign keys: their
    /// definitions are recorded in `godwit_copy.deferred` on the target in the transaction that
    /// drops them, and after the data the indexes are built again (`jobs` at once) and the foreign
    /// keys added `NOT VALID`, then validated. Keys, unique indexes and the indexes a constraint
    /// uses stay. A run killed meanwhile recreates exactly what it recorded when resumed.
    #[serde(default)]
    pub defer_indexes: bool,
    /// Under hashes, hash the rows in godwit (the source's as they stream, the target's read back)
    /// even where both servers could hash their own rows ([`ServerRowHash`], PostgreSQL 14 or
    /// later): slower, for comparison.
    #[serde(default)]
    pub hash_by_client: bool,
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
            disable_triggers: false,
            defer_indexes: false,
            hash_by_client: false,
        }
    }
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
    copy_checked(
        source_url,
        target_url,
        store,
        options,
        &Verification::of(options),
        resume,
        control,
        on_start,
        on_progress,
    )
    .await
}

/// [`copy_with`] checked as `verification` asks: off, counts, hashes or a sample, and a recheck
/// naming lost, extra and different rows by key wherever they disagree.
#[allow(clippy::too_many_arguments)]
pub async fn copy_checked(
    source_url: &str,
    target_url: &str,
    store: Arc<Mutex<Store>>,
    options: &CopyOptions,
    verification: &Verification,
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
            recorded.hash_by_client = options.hash_by_client;
            recorded.disable_triggers |= options.disable_triggers;
            recorded.defer_indexes |= options.defer_indexes;
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
    // A run begun with `verify_hash` keeps verifying hashes unless asked for more.
    let mut verification = *verification;
    if options.verify_hash && verification.level == Verify::Count {
        verification.level = Verify::Hash;
    }
    let result = run(
        source_url,
        target_url,
        &store,
        &options,
        &verification,
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
                          AND NOT EXISTS (SELECT 1 FROM godwit_copy.rejects) AND NOT EXISTS (SELECT 1 FROM godwit_copy.triggers)
                          AND NOT EXISTS (SELECT 1 FROM godwit_copy.deferred) THEN
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
            if options.disable_triggers {
                restore_triggers_after_failure(target_url, &run_id).await;
            }
            with_store(&store, |s| {
                s.set_run_status(&run_id, "interrupted", Some(&e.to_string()))
            })?;
            Err(e)
        }
    }
}

/// What a copy worker does next.
enum Task {
    Copy(Chunk),
    /// Read the table in this slot back from the target and hash it (all its chunks committed):
    /// splits the read into [`Task::ReadPiece`]s the workers share.
    ReadBack(usize),
    /// Read blocks `from..to` of the table in `slot` back from the target (`None`: open).
    ReadPiece {
        slot: usize,
        from: Option<u64>,
        to: Option<u64>,
    },
}

/// Target blocks read back per piece at the least (or a chunk's, when chunks are smaller).
const READ_PIECE_PAGES: u64 = 1024;

/// The next task for a worker: a copier takes the first chunk to copy, else (none left) the
/// first read; a reader only reads.
fn next_task(queue: &mut VecDeque<Task>, reader: bool) -> Option<Task> {
    let copy = |t: &Task| matches!(t, Task::Copy(_));
    let at = match reader {
        true => queue.iter().position(|t| !copy(t)),
        false => queue
            .iter()
            .position(copy)
            .or((!queue.is_empty()).then_some(0)),
    }?;
    queue.remove(at)
}

/// Held by a copier while it runs: readers wait for tables as long as one does.
struct Copying(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Copying {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    source_url: &str,
    target_url: &str,
    store: &Arc<Mutex<Store>>,
    options: &CopyOptions,
    verification: &Verification,
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
        let done = committed(&target, run_id).await?;
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
        reconcile_history(store, run_id, &done)?;
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

    // Under hashes, the target hashes its own rows (and the source its own when it must hash
    // again) when both servers hash as godwit does.
    let server_hashes = if verification.level == Verify::Hash && !options.hash_by_client {
        unless_stopped(control, run_id, async {
            let hashing = ServerHashing::of(&source, &target)
                .await
                .map_err(query_error("asking the servers how they hash rows"))?;
            match hashing {
                None => tracing::info!(run_id, "a server does not hash rows as godwit does: the target's rows are read back and hashed here"),
                Some(h) => tracing::info!(run_id, text_as_stored = h.text_as_stored, "the target hashes its own rows"),
            }
            Ok(hashing)
        })
        .await?
    } else {
        None
    };
    let (chunks, mut tables, plans) = unless_stopped(
        control,
        run_id,
        plan(
            &source,
            &catalog,
            &mapping,
            options.chunk_pages.max(1),
            options.chunk_by,
            server_hashes,
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
            Some(CommittedChunk {
                bounds: Some(bounds),
                ..
            }) if *bounds != chunk.range.describe()
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
            Some(done) => {
                let t = &mut tables[chunk.slot];
                t.chunks_done += 1;
                t.rows_done += done.rows;
                t.rows_rejected += done.rejected;
                t.rows_before += done.rows + done.rejected;
            }
            None => pending.push_back(Task::Copy(chunk)),
        }
    }
    // Largest tables first: their read-back overlaps the copy of the others, and no big table
    // starts last (a stable sort: chunks of a table keep their order).
    let pages: Vec<u64> = plans.iter().map(|p| p.pages).collect();
    pending.make_contiguous().sort_by_key(|t| match t {
        Task::Copy(c) => std::cmp::Reverse(pages.get(c.slot).copied().unwrap_or(0)),
        Task::ReadBack(_) | Task::ReadPiece { .. } => std::cmp::Reverse(u64::MAX),
    });
    let already = total - pending.len();
    tracing::info!(run_id, total, already, "copy plan");
    let verify_level = verification.level;
    // Tables whose every chunk committed before are read back from the target first.
    if verify_level == Verify::Hash {
        for (slot, t) in tables.iter().enumerate() {
            if t.finished() {
                pending.push_front(Task::ReadBack(slot));
            }
        }
    }
    let mut load = LoadSteps::default();
    if options.disable_triggers {
        control.set_phase("disabling triggers");
        let tables: Vec<QualifiedName> = plans.iter().map(|p| p.table.clone()).collect();
        load.triggers_disabled =
            unless_stopped(control, run_id, disable_triggers(&target, run_id, &tables)).await?;
    }
    if options.defer_indexes {
        control.set_phase("deferring indexes and foreign keys");
        // Only tables that still get rows.
        let loading: Vec<QualifiedName> = plans
            .iter()
            .zip(&tables)
            .filter(|(_, t)| !t.finished())
            .map(|(p, _)| p.table.clone())
            .collect();
        let dropped =
            unless_stopped(control, run_id, defer_indexes(&target, run_id, &loading)).await?;
        tracing::info!(run_id, dropped = ?dropped, "loading without these, recorded in godwit_copy.deferred");
    }
    let plans = Arc::new(plans);
    let readbacks: Arc<Mutex<BTreeMap<usize, ReadBack>>> = Arc::default();
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
        verify: verify_level,
        jobs: options.jobs.max(1),
        chunk_pages: options.chunk_pages.max(1),
    };
    let mut workers = tokio::task::JoinSet::new();
    // Under hash verification as many readers again read finished tables back from the target
    // while the copiers go on with the others; copiers left without chunks read back too.
    let jobs = options.jobs.max(1);
    let readers = if verify_level == Verify::Hash {
        jobs
    } else {
        0
    };
    let copiers = Arc::new(std::sync::atomic::AtomicUsize::new(jobs));
    for worker in 0..jobs + readers {
        let reader = worker >= jobs;
        let (queue, counters, on_progress, store, ctx, plans, readbacks) = (
            queue.clone(),
            counters.clone(),
            on_progress.clone(),
            store.clone(),
            ctx.clone(),
            plans.clone(),
            readbacks.clone(),
        );
        let copying = (!reader).then(|| Copying(copiers.clone()));
        let copiers = copiers.clone();
        let (source_url, target_url) = (source_url.to_string(), target_url.to_string());
        workers.spawn(async move {
            let _copying = copying;
            let (source, target) = tokio::select! {
                biased;
                _ = ctx.control.stopped() => return Ok(()),
                pair = async {
                    let source = match reader {
                        true => None,
                        false => Some(connect("source", &source_url).await?),
                    };
                    let target = connect("target", &target_url).await?;
                    if let (true, Some(source)) = (ctx.raw_bytes, &source) {
                        source
                            .batch_execute("SET client_encoding = 'SQL_ASCII'")
                            .await
                            .map_err(query_error("reading SQL_ASCII bytes as they are"))?;
                    }
                    // Text sent and read back the same way on both sides.
                    for (client, side) in [(source.as_ref(), "source"), (Some(&target), "target")] {
                        let Some(client) = client else { continue };
                        client
                            .batch_execute(SESSION_SETTINGS)
                            .await
                            .map_err(query_error(format!("setting the {side}'s session")))?;
                    }
                    Ok::<_, CopyError>((source, target))
                } => pair?,
            };
            loop {
                if ctx.control.is_stopped() {
                    return Ok::<(), CopyError>(());
                }
                let next = queue.lock().ok().and_then(|mut q| next_task(&mut q, reader));
                let chunk = match next {
                    // A reader waits while chunks are still being copied: their tables come.
                    None if reader && copiers.load(std::sync::atomic::Ordering::SeqCst) > 0 => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        continue;
                    }
                    None => return Ok(()),
                    Some(Task::Copy(chunk)) => chunk,
                    Some(Task::ReadBack(slot)) => {
                        // A target that hashes its own rows reads the table whole, in one
                        // sequential scan (split among its own parallel workers where it plans
                        // them): a scan of a range of blocks goes through shared buffers without
                        // the small ring a sequential scan keeps. Four ranges of pgbench_accounts
                        // (770 MB, shared buffers 512 MB), freshly copied, took 2.4-3.0 s to hash
                        // against 2.0-2.3 s in one scan, and 1.0-1.35 s with two parallel workers
                        // (wall times through psql, three each).
                        // Rows read back into godwit come in as many pieces as workers, readers
                        // and copiers (each at least READ_PIECE_PAGES): the readers start on them
                        // at once, beside the chunks still copying, and copiers left without
                        // chunks take the rest; a table read whole by one reader would leave the
                        // others idle at the end. The sums of any split of the target's rows add
                        // up to the table's.
                        let (pieces, width) = if plans[slot].row_hash.is_some() {
                            (1, 1)
                        } else {
                            let pages: i64 = target
                                .query_one(
                                    "SELECT pg_relation_size($1::text::regclass) / current_setting('block_size')::bigint",
                                    &[&plans[slot].table.to_string()],
                                )
                                .await
                                .map_err(|e| CopyError::Verify {
                                    table: plans[slot].table.to_string(),
                                    message: format!("sizing it on the target: {}", db_message(&e)),
                                    run_id: ctx.run_id.clone(),
                                })?
                                .get(0);
                            let pages = pages.max(0) as u64;
                            let least = READ_PIECE_PAGES.min(ctx.chunk_pages as u64).max(1);
                            let pieces = (pages / least).clamp(1, 2 * ctx.jobs as u64);
                            (pieces, pages.div_ceil(pieces).max(1))
                        };
                        if let Ok(mut r) = readbacks.lock() {
                            r.insert(slot, ReadBack::empty(&plans[slot], pieces));
                        }
                        // Pieces go newest blocks first: those rows may still be in the target's
                        // buffers, dirty, where setting their hint bits costs no second write
                        // (no difference measured on the bench, within its noise).
                        if let Ok(mut q) = queue.lock() {
                            for i in 0..pieces {
                                q.push_front(Task::ReadPiece {
                                    slot,
                                    from: (i > 0).then(|| i * width),
                                    to: (i + 1 < pieces).then(|| (i + 1) * width),
                                });
                            }
                        }
                        continue;
                    }
                    Some(Task::ReadPiece { slot, from, to }) => {
                        let plan = &plans[slot];
                        let range = Range::Blocks {
                            from: from.map(|v| v as u32),
                            to: to.map(|v| v as u32),
                        };
                        let filter = range.filter();
                        let read = tokio::select! {
                            biased;
                            _ = ctx.control.stopped() => return Ok(()),
                            read = read_back(&target, plan, &filter) => read.map_err(|message| CopyError::Verify {
                                table: plan.table.to_string(),
                                message: format!("reading it back from the target: {message}"),
                                run_id: ctx.run_id.clone(),
                            })?,
                        };
                        // The last piece of the table in: its chunks' target hashes go to the history.
                        let whole = readbacks.lock().ok().and_then(|mut r| {
                            let entry = r.get_mut(&slot)?;
                            entry.merge(&read);
                            (entry.pieces_left == 0).then(|| entry.clone())
                        });
                        if let Some(chunks) = whole.and_then(|w| w.chunks) {
                            let (store, run_id, table) = (store.clone(), ctx.run_id.clone(), plan.table.to_string());
                            let hashes: Vec<String> = chunks.iter().map(|c| plan.hash_text(c)).collect();
                            tokio::task::spawn_blocking(move || {
                                with_store(&store, |s| {
                                    hashes.iter().enumerate().try_for_each(|(i, h)| {
                                        s.record_chunk_target_hash(&run_id, &table, i as u32, h)
                                    })
                                })
                            })
                            .await
                            .map_err(|e| CopyError::Query { what: "run history".into(), message: e.to_string() })??;
                        }
                        continue;
                    }
                };
                let Some(source) = source.as_ref() else {
                    continue; // readers are given no chunk to copy
                };
                let mut attempt = 0;
                let outcome = loop {
                    match copy_chunk(source, &target, &ctx, &chunk).await {
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
                let hash = chunk.hash_text(&copied.hash);
                let recorded = tokio::task::spawn_blocking(move || {
                    let committed = CommittedChunk {
                        rows: copied.rows,
                        rejected: copied.rejected,
                        bytes: copied.bytes,
                        bounds: None,
                        hash: Some(hash),
                        hashed_rows: Some(copied.hash.rows),
                    };
                    record(&store, &store_id, &table_name, index, &committed)
                })
                .await
                .map_err(|e| CopyError::Query {
                    what: "run history".into(),
                    message: e.to_string(),
                })?;
                recorded?;
                let mut complete = false;
                ctx.control.update(chunk.slot, |t| {
                    t.chunks_done += 1;
                    t.rows_done += copied.rows;
                    t.rows_rejected += copied.rejected;
                    t.bytes_done += copied.bytes;
                    complete = t.finished();
                });
                // The table's last chunk: read it back from the target while other chunks copy.
                if complete && ctx.verify == Verify::Hash {
                    if let Ok(mut q) = queue.lock() {
                        q.push_front(Task::ReadBack(chunk.slot));
                    }
                }
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

    if options.disable_triggers {
        // Also those a killed invocation of the run disabled.
        control.set_phase("enabling triggers");
        let restored = unless_stopped(control, run_id, restore_triggers(&target, run_id)).await?;
        for trigger in restored {
            if !load.triggers_disabled.contains(&trigger) {
                load.triggers_disabled.push(trigger);
            }
        }
    }
    if options.create_schema {
        control.set_phase("building keys and indexes");
        load.foreign_keys_validated = unless_stopped(
            control,
            run_id,
            post_data(
                target_url,
                &target,
                run_id,
                &catalog,
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
    if options.defer_indexes {
        // Also what a killed invocation of the run deferred.
        control.set_phase("recreating indexes and foreign keys");
        let (recreated, validated) = unless_stopped(
            control,
            run_id,
            recreate_deferred(target_url, &target, run_id, options.jobs.max(1)),
        )
        .await?;
        load.recreated = recreated;
        load.foreign_keys_validated.extend(validated);
    }
    // Every table of the selection, partitioned parents too (an identity column's sequence
    // belongs to the parent).
    control.set_phase("setting sequences");
    let all_tables = table_names(&catalog);
    load.sequences = unless_stopped(
        control,
        run_id,
        advance_sequences(&source, &target, &all_tables),
    )
    .await?;
    control.set_phase("verifying");
    let tables = unless_stopped(control, run_id, async {
        let readbacks = readbacks.lock().map(|r| r.clone()).unwrap_or_default();
        verify(
            &source,
            &target,
            &plans,
            verification,
            run_id,
            resumed,
            &readbacks,
        )
        .await
    })
    .await?;
    source
        .batch_execute("COMMIT")
        .await
        .map_err(query_error("ending the source snapshot"))?;
    let (_, copied, rows, bytes) = *counters.lock().map_err(|_| CopyError::Query {
        what: "progress".into(),
        message: "poisoned".into(),
    })?;
    let (tables, findings): (Vec<TableCheck>, Vec<TableFindings>) = tables.into_iter().unzip();
    let rejected = tables.iter().any(|t| t.rejected_rows > 0);
    let mut verification_text = match verify_level {
        Verify::Off => "nothing (--verify off): the figures are the copy's own".to_string(),
        Verify::Count => "row counts on both sides".to_string(),
        Verify::Hash => format!(
            "row counts (the source's as its rows streamed, unless resumed), and an order-independent hash of every row taken while it streamed from the source against the same hash of {} (per chunk for key-chunked tables)",
            if server_hashes.is_some() {
                "the target's rows, computed by the target server in PostgreSQL's own hash functions where both servers hash as godwit does, else read back"
            } else {
                "the rows read back from the target"
            }
        ),
        Verify::Sample => format!("row counts, and up to {} rows per table compared value by value by primary key", verification.sample_rows),
    };
    if rejected {
        verification_text.push_str("; source rows = target rows + rejected rows (godwit_copy.rejects on the target), the rejected ones left out of the source's hash");
    }
    if findings.iter().any(|t| t.recheck.is_some()) {
        verification_text.push_str(
            "; tables that disagreed were read again row by row and their rows named by key",
        );
    }
    Ok((
        CopyReport {
            run_id: run_id.to_string(),
            resumed,
            chunks_copied: copied,
            chunks_total: total,
            rows_copied: rows,
            bytes_copied: bytes,
            seconds: started.elapsed().as_secs_f64(),
            verification: verification_text,
            tables,
            findings,
            load,
        },
        target,
    ))
}

/// Every table of `catalog`, partitioned parents too.
fn table_names(catalog: &Catalog) -> Vec<QualifiedName> {
    catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .map(|t| QualifiedName::new(&s.name, &t.name))
        })
        .collect()
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
