//! Copies table data between PostgreSQL databases: chunked by block ranges, several chunks at once,
//! resumable after any interruption, and verified by row counts.
//!
//! Each chunk is one transaction on the target that also records the chunk in a progress table
//! (`godwit_copy.progress`) there, so after a crash (process killed, target restarted) a resumed run
//! copies exactly the chunks that did not commit: no duplicates, no gaps. All chunks of a run read one
//! exported snapshot of the source. Rows move in PostgreSQL's binary COPY format, passed through without
//! decoding. The SQLite run history records the run and its chunks for review.

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use godwit_catalog::{quote_ident, Catalog, QualifiedName};
use godwit_postgres::{redact_url, Phase, SchemaFilter};
use godwit_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
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
        }
    }
}

/// A piece of a table: a range of its blocks (`None` ends: open).
#[derive(Clone, Debug)]
struct Chunk {
    table: QualifiedName,
    index: u32,
    from_block: Option<u32>,
    to_block: Option<u32>,
    /// Source column list.
    columns: String,
    /// The same columns as the target names them.
    target_columns: String,
    /// Copy as text (the types differ but convert); binary otherwise.
    text: bool,
}

/// Progress of a run, as chunks complete.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub table: String,
    pub chunk: u32,
    pub rows: u64,
    pub bytes: u64,
    pub chunks_done: usize,
    pub chunks_total: usize,
}

/// Row counts of one table after the copy.
#[derive(Clone, Debug, Serialize)]
pub struct TableCheck {
    pub table: String,
    pub source_rows: i64,
    pub target_rows: i64,
    /// Order-independent hashes of all rows (`--verify hash`), `None` when not computed.
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
}

impl TableCheck {
    /// True when hashes were computed and differ: same counts, different content.
    pub fn content_differs(&self) -> bool {
        matches!((&self.source_hash, &self.target_hash), (Some(a), Some(b)) if a != b)
    }

    /// Rows the target lacks (negative: extra rows).
    pub fn lost(&self) -> i64 {
        self.source_rows - self.target_rows
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
}

/// Bytes sent to the target per COPY message.
const BATCH_BYTES: usize = 1 << 20;

const PROGRESS_DDL: &str = "CREATE SCHEMA IF NOT EXISTS godwit_copy;
CREATE TABLE IF NOT EXISTS godwit_copy.progress (
    run_id text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL, rows bigint NOT NULL,
    PRIMARY KEY (run_id, table_name, chunk))";

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
    let started = Instant::now();
    let (source_name, target_name) = (redact_url(source_url), redact_url(target_url));
    let (run_id, options) = match resume {
        Some(key) => {
            let run = with_store(&store, |s| s.run(key))?;
            if run.source != source_name || run.target != target_name {
                return Err(CopyError::ResumeMismatch {
                    run_id: run.id,
                    recorded_source: run.source,
                    recorded_target: run.target,
                });
            }
            with_store(&store, |s| s.set_run_status(&run.id, "running", None))?;
            // What to copy comes from the run; how hard to verify may be asked anew.
            let mut recorded: CopyOptions =
                serde_json::from_str(&run.options).unwrap_or_else(|_| options.clone());
            recorded.verify_hash |= options.verify_hash;
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
        on_progress,
    )
    .await;
    match &result {
        Ok(_) => with_store(&store, |s| s.set_run_status(&run_id, "finished", None))?,
        Err(e) => with_store(&store, |s| {
            s.set_run_status(&run_id, "interrupted", Some(&e.to_string()))
        })?,
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn run(
    source_url: &str,
    target_url: &str,
    store: &Arc<Mutex<Store>>,
    options: &CopyOptions,
    run_id: &str,
    resumed: bool,
    started: Instant,
    on_progress: impl Fn(&Progress) + Send + Sync + 'static,
) -> Result<CopyReport, CopyError> {
    let source = connect("source", source_url).await?;
    let target = connect("target", target_url).await?;
    let filter = SchemaFilter {
        schemas: options.schemas.clone(),
        include: options.include.clone(),
        exclude: options.exclude.clone(),
    };
    let catalog = godwit_postgres::discover(&source, &filter).await?;
    let script = godwit_postgres::render(&catalog);
    if options.create_schema && !resumed {
        apply(&target, script.phase(Phase::PreData)).await?;
    }
    let mapping = preflight(&catalog, &target).await?;
    target
        .batch_execute(PROGRESS_DDL)
        .await
        .map_err(query_error("creating godwit_copy.progress on the target"))?;
    let done: BTreeSet<(String, u32)> = target
        .query(
            "SELECT table_name, chunk FROM godwit_copy.progress WHERE run_id = $1",
            &[&run_id],
        )
        .await
        .map_err(query_error("reading the target's copy progress"))?
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i32>(1) as u32))
        .collect();

    // One snapshot for every chunk of this invocation.
    source
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(query_error("starting the source snapshot"))?;
    let snapshot: String = source
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .map_err(query_error("exporting the source snapshot"))?
        .get(0);

    let chunks = plan(&source, &catalog, &mapping, options.chunk_pages.max(1)).await?;
    let total = chunks.len();
    let pending: VecDeque<Chunk> = chunks
        .into_iter()
        .filter(|c| !done.contains(&(c.table.to_string(), c.index)))
        .collect();
    let already = total - pending.len();
    tracing::info!(run_id, total, already, "copy plan");
    let queue = Arc::new(Mutex::new(pending));
    let counters = Arc::new(Mutex::new((already, 0usize, 0u64, 0u64))); // done, copied, rows, bytes
    let on_progress = Arc::new(on_progress);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..options.jobs.max(1) {
        let (queue, counters, on_progress, store) = (
            queue.clone(),
            counters.clone(),
            on_progress.clone(),
            store.clone(),
        );
        let (source_url, target_url, snapshot, run_id) = (
            source_url.to_string(),
            target_url.to_string(),
            snapshot.clone(),
            run_id.to_string(),
        );
        workers.spawn(async move {
            let source = connect("source", &source_url).await?;
            let target = connect("target", &target_url).await?;
            loop {
                let Some(chunk) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok::<(), CopyError>(());
                };
                let (rows, bytes) = copy_chunk(&source, &target, &snapshot, &run_id, &chunk)
                    .await
                    .map_err(|message| CopyError::Chunk {
                        table: chunk.table.to_string(),
                        chunk: chunk.index,
                        message,
                        run_id: run_id.clone(),
                    })?;
                let (store_id, table_name) = (run_id.clone(), chunk.table.to_string());
                let store = store.clone();
                let index = chunk.index;
                let recorded = tokio::task::spawn_blocking(move || {
                    with_store(&store, |s| {
                        s.record_chunk(&store_id, &table_name, index, rows, bytes)
                    })
                })
                .await
                .map_err(|e| CopyError::Query {
                    what: "run history".into(),
                    message: e.to_string(),
                })?;
                recorded?;
                let progress = {
                    let mut c = counters.lock().map_err(|_| CopyError::Query {
                        what: "progress".into(),
                        message: "poisoned".into(),
                    })?;
                    c.0 += 1;
                    c.1 += 1;
                    c.2 += rows;
                    c.3 += bytes;
                    Progress {
                        table: chunk.table.to_string(),
                        chunk: chunk.index,
                        rows,
                        bytes,
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

    if options.create_schema {
        post_data(
            target_url,
            &target,
            script.phase(Phase::PostData).collect(),
            options.jobs.max(1),
        )
        .await?;
        let after: Vec<_> = [Phase::Code, Phase::Comments, Phase::SequencePositions]
            .iter()
            .flat_map(|p| script.phase(*p))
            .collect();
        apply(&target, after.into_iter()).await?;
    }
    // Verification: row counts on the same snapshot of the source.
    let mut tables = Vec::new();
    for (schema, table) in data_tables(&catalog) {
        let name = QualifiedName::new(&schema, &table);
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
            let hash = |columns: &str| {
                format!(
                    "SELECT coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text FROM (SELECT {columns} FROM ONLY {name}) t"
                )
            };
            let (source_sql, target_sql) = (hash(&source_columns), hash(&target_columns));
            // Both sides at once: each server scans its own copy.
            let (a, b) = tokio::join!(
                source.query_one(&source_sql, &[]),
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
            source_hash,
            target_hash,
        });
    }
    source
        .batch_execute("COMMIT")
        .await
        .map_err(query_error("ending the source snapshot"))?;
    target
        .batch_execute(&format!(
            "DELETE FROM godwit_copy.progress WHERE run_id = '{run_id}';
             DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM godwit_copy.progress) THEN DROP SCHEMA godwit_copy CASCADE; END IF; END $$"
        ))
        .await
        .map_err(query_error("removing the target's copy progress"))?;
    let (_, copied, rows, bytes) = *counters.lock().map_err(|_| CopyError::Query {
        what: "progress".into(),
        message: "poisoned".into(),
    })?;
    Ok(CopyReport {
        run_id: run_id.to_string(),
        resumed,
        chunks_copied: copied,
        chunks_total: total,
        rows_copied: rows,
        bytes_copied: bytes,
        seconds: started.elapsed().as_secs_f64(),
        tables,
    })
}

/// Keys, indexes and checks table by table on `jobs` connections at once (each table's statements in
/// order on one connection), then foreign keys one after another (two at once could deadlock on a
/// pair of tables that reference each other).
async fn post_data(
    target_url: &str,
    target: &Client,
    statements: Vec<&godwit_postgres::DdlStatement>,
    jobs: usize,
) -> Result<(), CopyError> {
    let (foreign_keys, rest): (Vec<_>, Vec<_>) = statements
        .into_iter()
        .partition(|s| s.sql.contains(" FOREIGN KEY ("));
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut index: BTreeMap<godwit_catalog::ObjectRef, usize> = BTreeMap::new();
    for s in rest {
        let slot = *index.entry(s.object.clone()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push((
            s.sql.clone(),
            s.sql.lines().next().unwrap_or("").to_string(),
        ));
    }
    let queue = Arc::new(Mutex::new(VecDeque::from(groups)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs {
        let (queue, url) = (queue.clone(), target_url.to_string());
        workers.spawn(async move {
            let client = connect("target", &url).await?;
            loop {
                let Some(group) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok::<(), CopyError>(());
                };
                for (sql, first_line) in group {
                    client
                        .batch_execute(&sql)
                        .await
                        .map_err(|e| CopyError::Schema {
                            statement: first_line,
                            message: db_message(&e),
                        })?;
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
    apply(target, foreign_keys.into_iter()).await
}

async fn apply<'a>(
    target: &Client,
    statements: impl Iterator<Item = &'a godwit_postgres::DdlStatement>,
) -> Result<(), CopyError> {
    for s in statements {
        target
            .batch_execute(&s.sql)
            .await
            .map_err(|e| CopyError::Schema {
                statement: s.sql.lines().next().unwrap_or("").to_string(),
                message: db_message(&e),
            })?;
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

/// Splits every table into block-range chunks of at most `chunk_pages` pages.
async fn plan(
    source: &Client,
    catalog: &Catalog,
    mapping: &BTreeMap<QualifiedName, TableMapping>,
    chunk_pages: u32,
) -> Result<Vec<Chunk>, CopyError> {
    let mut chunks = Vec::new();
    let generated: BTreeMap<(String, String), Vec<String>> = catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables.iter().map(move |t| {
                (
                    (s.name.clone(), t.name.clone()),
                    t.columns
                        .iter()
                        .filter(|c| c.generated.is_none())
                        .map(|c| quote_ident(&c.name))
                        .collect(),
                )
            })
        })
        .collect();
    for (schema, table) in data_tables(catalog) {
        let name = QualifiedName::new(&schema, &table);
        let pages: i64 = source
            .query_one("SELECT pg_relation_size($1::text::regclass) / current_setting('block_size')::bigint", &[&name.to_string()])
            .await
            .map_err(query_error(format!("sizing {name}")))?
            .get(0);
        let columns = generated
            .get(&(schema.clone(), table.clone()))
            .cloned()
            .unwrap_or_default()
            .join(", ");
        let pieces = ((pages.max(1) as u64).div_ceil(chunk_pages as u64)) as u32;
        for index in 0..pieces {
            chunks.push(Chunk {
                table: name.clone(),
                index,
                from_block: (index > 0).then(|| index * chunk_pages),
                to_block: (index + 1 < pieces).then(|| (index + 1) * chunk_pages),
                columns: columns.clone(),
                target_columns: mapping
                    .get(&name)
                    .map(|m| m.target_columns.clone())
                    .unwrap_or_else(|| columns.clone()),
                text: mapping.get(&name).is_some_and(|m| m.text),
            });
        }
    }
    Ok(chunks)
}

/// Copies one chunk in one target transaction that also records it; returns (rows, bytes).
async fn copy_chunk(
    source: &Client,
    target: &Client,
    snapshot: &str,
    run_id: &str,
    chunk: &Chunk,
) -> Result<(u64, u64), String> {
    let m = |e: tokio_postgres::Error| db_message(&e);
    let mut condition = Vec::new();
    if let Some(from) = chunk.from_block {
        condition.push(format!("ctid >= '({from},0)'::tid"));
    }
    if let Some(to) = chunk.to_block {
        condition.push(format!("ctid < '({to},0)'::tid"));
    }
    let filter = if condition.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", condition.join(" AND "))
    };
    let format = if chunk.text { "text" } else { "binary" };
    source
        .batch_execute(&format!("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"))
        .await
        .map_err(m)?;
    target.batch_execute("BEGIN").await.map_err(m)?;
    let result = async {
        // A whole table is copied with COPY table TO (faster than a query); a block range with a query.
        let copy_out = if filter.is_empty() {
            format!("COPY {} ({}) TO STDOUT (FORMAT {format})", chunk.table, chunk.columns)
        } else {
            format!("COPY (SELECT {} FROM ONLY {}{filter}) TO STDOUT (FORMAT {format})", chunk.columns, chunk.table)
        };
        let out = source.copy_out(&copy_out).await.map_err(m)?;
        let sink = target.copy_in(&format!("COPY {} ({}) FROM STDIN (FORMAT {format})", chunk.table, chunk.target_columns)).await.map_err(m)?;
        futures_util::pin_mut!(out);
        futures_util::pin_mut!(sink);
        // The source sends a message per row; the target gets them in batches of about 1 MB (COPY
        // data may be split anywhere), so memory stays bounded whatever the row size.
        let mut bytes = 0u64;
        let mut batch = BytesMut::with_capacity(BATCH_BYTES);
        while let Some(piece) = out.next().await {
            let piece: Bytes = piece.map_err(m)?;
            bytes += piece.len() as u64;
            batch.extend_from_slice(&piece);
            if batch.len() >= BATCH_BYTES {
                sink.send(batch.split().freeze()).await.map_err(m)?;
            }
        }
        if !batch.is_empty() {
            sink.send(batch.freeze()).await.map_err(m)?;
        }
        let rows = sink.finish().await.map_err(m)?;
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows) VALUES ($1, $2, $3, $4)",
                &[&run_id, &chunk.table.to_string(), &(chunk.index as i32), &(rows as i64)],
            )
            .await
            .map_err(m)?;
        Ok::<_, String>((rows, bytes))
    }
    .await;
    match result {
        Ok(done) => {
            target.batch_execute("COMMIT").await.map_err(m)?;
            source.batch_execute("COMMIT").await.map_err(m)?;
            Ok(done)
        }
        Err(e) => {
            let _ = target.batch_execute("ROLLBACK").await;
            let _ = source.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}
