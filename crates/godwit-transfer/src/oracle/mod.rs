//! The Oracle source: Oracle tables (a live database, or the rows of an exported script) into
//! PostgreSQL tables through chunk transactions like the PostgreSQL path's.
//!
//! The parts: `source` reads an Oracle table's rows as canonical text ([`OracleRows`]: a live
//! database's ROWID ranges at one SCN, [`LiveRows`]); `script` does the same for an exported script's
//! rows; `chunk` copies one chunk in one target transaction (a blocking reader, a writer on the
//! target, refused rows searched and set aside); `binary` encodes a table's rows in COPY's binary
//! format where it can; `read_back` hashes the target's rows; `recheck` names the rows of a table
//! whose counts or hashes disagree; `prepare` readies a source (its tables, rows and converted
//! schema) and records what a run copies, for `godwit copy` and the desktop alike. This file plans the run (columns
//! checked, chunks planned and kept on the target with the snapshot), runs the chunks `--jobs` at
//! once, applies the schema around them with `--create-schema`, and checks each table afterwards.
//!
//! Values are converted to PostgreSQL's COPY text with no silent loss ([`godwit_oracle::data`]):
//! NUMBER as exact decimals, DATE to timestamp, TIMESTAMP WITH TIME ZONE as its UTC instant,
//! INTERVALs, RAW/BLOB to bytea, BINARY_FLOAT/DOUBLE from their IEEE bits, NUL characters by the
//! [`NulPolicy`], counted; a table without LOBs is then sent as binary tuples encoded from that
//! text. Rows go to the writer through a channel bounded in batches of about 1 MB. Each chunk is
//! one target transaction that also records it in `godwit_copy.progress` (under `--verify hash`
//! with the canonical hash of its rows); a run started again with the same run id copies only the
//! chunks that did not commit.

mod binary;
mod chunk;
mod prepare;
mod read_back;
mod recheck;
mod script;
mod source;
mod target;

use chunk::ChunkDone;
pub use prepare::{ConvertedSchema, OracleRunOptions, OracleSource, ScriptSourceError};
pub use script::{ScriptRows, SCRIPT_OWNER};
pub use source::{live_sessions, LiveRows, OpenRows, OracleRows};

use crate::canonical::Canonical;
use crate::*;
pub use godwit_oracle::chunks::RowRange;
use godwit_oracle::data::{DataError, DataStats, NulPolicy, OracleColumn, OracleType};

/// An Oracle table and the PostgreSQL table its rows go to.
#[derive(Clone, Debug)]
pub struct OracleTable {
    pub owner: String,
    pub table: String,
    pub target: QualifiedName,
}

/// The copyable tables of an Oracle schema (bind: the owner, as `godwit_oracle::live::owner_name`
/// spells it).
pub const ORACLE_TABLES_SQL: &str = "SELECT table_name FROM all_tables WHERE owner = :1 AND nested = 'NO' AND secondary = 'N' ORDER BY table_name";

/// The Oracle tables to copy and their PostgreSQL tables in `schema`: names in lower case unless
/// they hold lower-case letters (quoted in Oracle), kept by the include and exclude globs, which
/// match the PostgreSQL name alone or with its schema. Each glob list comes with the name of the
/// setting it came from, which a bad pattern's error names.
pub fn oracle_tables(
    names: impl IntoIterator<Item = String>,
    owner: &str,
    schema: &str,
    (include, include_setting): (&[String], &str),
    (exclude, exclude_setting): (&[String], &str),
) -> Result<Vec<OracleTable>, String> {
    let globs = |patterns: &[String], setting: &str| -> Result<Option<globset::GlobSet>, String> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut set = globset::GlobSetBuilder::new();
        for p in patterns {
            set.add(globset::Glob::new(p).map_err(|e| format!("{setting}: {e}."))?);
        }
        set.build()
            .map(Some)
            .map_err(|e| format!("{setting}: {e}."))
    };
    let (include, exclude) = (
        globs(include, include_setting)?,
        globs(exclude, exclude_setting)?,
    );
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let pg = if name.chars().any(char::is_lowercase) {
                name.clone()
            } else {
                name.to_lowercase()
            };
            let qualified = format!("{schema}.{pg}");
            let matches = |set: &globset::GlobSet| set.is_match(&pg) || set.is_match(&qualified);
            (include.as_ref().is_none_or(matches) && !exclude.as_ref().is_some_and(matches)).then(
                || OracleTable {
                    owner: owner.to_string(),
                    table: name,
                    target: QualifiedName::new(schema, &pg),
                },
            )
        })
        .collect())
}

/// How Oracle rows are copied.
#[derive(Clone, Copy, Debug)]
pub struct OracleCopyOptions {
    /// Rows per chunk (one target transaction each), about: live tables are split by ROWID ranges
    /// sized from the table's statistics.
    pub chunk_rows: u64,
    pub nul: NulPolicy,
    /// What to do with a row the target refuses.
    pub on_error: OnError,
    /// Chunks copied at once, each by its own source session and target connection.
    pub jobs: usize,
    /// How the copy is checked: row counts, or counts and hashes ([`Verify::Sample`] is for
    /// PostgreSQL sources and checks counts and hashes here).
    pub verify: Verify,
    /// Disable the target tables' user triggers while rows arrive (recorded, and enabled again
    /// afterwards, also after a failure or on resume).
    pub disable_triggers: bool,
    /// Existing target tables: load them without their secondary indexes and foreign keys
    /// (definitions recorded in `godwit_copy.deferred`), rebuilt after the rows.
    pub defer_indexes: bool,
    /// Send every table as COPY text. By default a table whose columns all have a binary form
    /// (no LOBs; numbers, times, intervals, bytes and text into their usual PostgreSQL types) is
    /// sent in COPY's binary format; text is the reference that writer is tested against.
    pub copy_text: bool,
}

impl Default for OracleCopyOptions {
    fn default() -> Self {
        OracleCopyOptions {
            chunk_rows: 100_000,
            nul: NulPolicy::Fail,
            on_error: OnError::Stop,
            jobs: 1,
            verify: Verify::Count,
            disable_triggers: false,
            defer_indexes: false,
            copy_text: false,
        }
    }
}

/// One table's report with the rows the target refused and that were set aside
/// (`godwit_copy.rejects`), by this invocation and earlier ones of the run.
#[derive(Clone, Debug, Serialize)]
pub struct OracleCopied {
    pub report: OracleTableReport,
    pub rejected_rows: u64,
}

/// What happened to one table.
#[derive(Clone, Debug, Serialize)]
pub struct OracleTableReport {
    pub table: String,
    /// Rows read from Oracle in this invocation (committed chunks of an earlier invocation are not
    /// read again) and rows the target holds afterwards.
    pub source_rows: u64,
    pub target_rows: i64,
    /// Chunks of the table (all invocations).
    pub chunks: u64,
    /// Chunks committed by an earlier invocation of the same run and skipped.
    pub chunks_skipped: u64,
    /// Values read, and those holding NUL characters (stripped or replaced per the policy).
    pub values: u64,
    pub nul_values: u64,
    pub nul_characters: u64,
    /// Rows the run's chunks committed (all invocations): what the target should hold.
    pub expected_rows: i64,
    /// Under [`Verify::Hash`]: the order-independent hash of the rows sent, in the canonical form of
    /// the target's column types, and the same hash of the rows read back from the target.
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
    /// The system change number every chunk read (`AS OF SCN`), if this user may read it.
    pub snapshot_scn: Option<String>,
    /// Why the table was read without a snapshot, or in one chunk, or its rows could not be named.
    pub notes: Vec<String>,
    /// When counts or hashes disagree: the lost, extra and different rows by key.
    pub recheck: Option<Recheck>,
    /// Rows were sent in COPY's binary format (every column has a binary form and none is a LOB);
    /// a chunk with a value the binary writer does not read is sent again as text.
    pub binary: bool,
}

impl OracleTableReport {
    /// Rows the target lacks (negative: extra rows).
    pub fn lost(&self) -> i64 {
        self.expected_rows - self.target_rows
    }

    /// Whether the hashes were taken and differ.
    pub fn content_differs(&self) -> bool {
        matches!((&self.source_hash, &self.target_hash), (Some(s), Some(t)) if s != t)
    }
}

/// The chunk plan of each run, kept on the target so that a resumed run reads exactly the same
/// ranges at the same snapshot.
const PLAN_DDL: &str = "CREATE TABLE IF NOT EXISTS godwit_copy.oracle_chunks (
    run_id text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL, range text NOT NULL,
    scn text, note text, PRIMARY KEY (run_id, table_name, chunk))";

fn query_failed(what: String) -> impl Fn(tokio_postgres::Error) -> CopyError {
    move |e| CopyError::Query {
        what: what.clone(),
        message: db_message(&e),
    }
}

/// The target schema an Oracle copy creates before its rows (`--create-schema`), from the
/// conversion of the source: tables first, their rows, then keys, indexes and foreign keys (the
/// fast load order), then code and comments. Each statement is a step of the run, committed with
/// its record, so a resumed run applies only the ones that did not commit.
#[derive(Clone, Debug, Default)]
pub struct OracleSchema {
    /// The converted objects.
    pub catalog: Catalog,
    /// Statements that go before the tables (helper functions the converted code calls).
    pub before: Vec<String>,
    /// Statements that go after the rows and before the keys (the source's own statements on its
    /// rows, identity positions past the copied values).
    pub after_rows: Vec<String>,
    /// The search path routines and views are created under.
    pub search_path: String,
}

/// Applies `texts` in order as steps of the run, skipping those it committed before.
async fn apply_texts(target: &Client, run_id: &str, texts: &[String]) -> Result<(), CopyError> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for (sql, key) in refs.iter().zip(step_keys(target, run_id, &refs).await?) {
        if let Some(key) = key {
            step(target, run_id, sql, &key)
                .await
                .map_err(schema_error(sql))?;
        }
    }
    Ok(())
}

/// One table of the run, as every chunk needs it.
pub(crate) struct TableJob {
    pub(crate) table: OracleTable,
    pub(crate) name: String,
    pub(crate) columns: Vec<OracleColumn>,
    column_names: Vec<String>,
    pub(crate) forms: Vec<Canonical>,
    /// Which target columns can hold a long value (text, varchar, bytea): the read-back has the
    /// target hash such values where they lie ([`crate::canonical::digest_select`]).
    pub(crate) long: Vec<bool>,
    /// Target columns narrower than the Oracle ones, whose too large values would be refused.
    pub(crate) notes: Vec<String>,
    /// The target's columns, in the order of the Oracle columns (unquoted).
    pub(crate) target_names: Vec<String>,
    /// `COPY … FROM STDIN` in text, the form every row is hashed in and refused rows are
    /// searched in.
    copy_in: String,
    /// The encoders of the table's columns when its rows are sent in COPY's binary format.
    binary: Option<Vec<binary::BinaryField>>,
    pub(crate) scn: Option<String>,
}

/// `a, "B", c`: column names quoted, for a column list.
fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TableJob {
    /// The target's columns for reading rows back in bounded memory: a long value of a column
    /// that may hold one digested by the server ([`crate::canonical::digest_select`]).
    pub(crate) fn digested_select(&self) -> String {
        let select: Vec<String> = self
            .target_names
            .iter()
            .enumerate()
            .map(|(i, name)| match self.long.get(i) == Some(&true) {
                true => crate::canonical::digest_select(
                    name,
                    self.forms[i] == crate::canonical::Canonical::Bytes,
                ),
                false => quote_ident(name),
            })
            .collect();
        select.join(", ")
    }

    /// A value of the row `rowid` that PostgreSQL cannot take, naming the table and the row.
    pub(crate) fn value_error(
        &self,
        rowid: String,
        error: godwit_oracle::data::ValueError,
    ) -> DataError {
        DataError::Value {
            owner: self.table.owner.clone(),
            table: self.table.table.clone(),
            rowid,
            error: Box::new(error),
        }
    }
}

/// One chunk to copy.
struct Work {
    job: Arc<TableJob>,
    /// The table's place in [`Control::tables`].
    slot: usize,
    chunk: u32,
    range: RowRange,
}

/// Copies Oracle tables into existing PostgreSQL tables under `run_id`: each table split into
/// chunks (ROWID ranges of its extents), `options.jobs` chunks at once, each read by its own row
/// source (opened with `open`) into its own target transaction. The plan and the snapshot are kept
/// on the target, so a resumed run reads the same ranges at the same SCN and copies only the
/// chunks that did not commit; each committed chunk is also recorded in `history` (the run
/// history, SQLite) when given. Then each table is counted and, under [`Verify::Hash`], hashed
/// back.
#[allow(clippy::too_many_arguments)]
pub async fn copy_oracle_from(
    open: OpenRows,
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
    schema: Option<&OracleSchema>,
    control: &Control,
    history: Option<&Arc<Mutex<Store>>>,
) -> Result<Vec<OracleCopied>, CopyError> {
    let result = copy_oracle_run(
        open, target_url, run_id, tables, options, schema, control, history,
    )
    .await;
    if result.is_err() && options.disable_triggers {
        restore_triggers_after_failure(target_url, run_id).await;
    }
    result
}

/// [`copy_oracle_from`] but for the triggers it leaves disabled when it fails.
#[allow(clippy::too_many_arguments)]
async fn copy_oracle_run(
    open: OpenRows,
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
    schema: Option<&OracleSchema>,
    control: &Control,
    history: Option<&Arc<Mutex<Store>>>,
) -> Result<Vec<OracleCopied>, CopyError> {
    let mut seen = BTreeSet::new();
    let twice: Vec<String> = tables
        .iter()
        .filter(|t| !seen.insert(t.target.to_string()))
        .map(|t| {
            format!(
                "{}: named twice (again as {}.{})",
                t.target, t.owner, t.table
            )
        })
        .collect();
    if !twice.is_empty() {
        return Err(CopyError::Incompatible(twice));
    }
    let target = connect("target", target_url).await?;
    target
        .batch_execute(PROGRESS_DDL)
        .await
        .map_err(query_error("creating the godwit_copy schema on the target"))?;
    target
        .batch_execute(PLAN_DDL)
        .await
        .map_err(query_error("creating the godwit_copy schema on the target"))?;
    let script = schema.map(|s| godwit_postgres::render(&s.catalog));
    if let (Some(schema), Some(script)) = (schema, &script) {
        control.set_phase("creating the schema");
        unless_stopped(control, run_id, async {
            apply_texts(&target, run_id, &schema.before).await?;
            apply_steps(&target, run_id, script.phase(Phase::PreData).collect()).await
        })
        .await?;
    }
    control.set_phase("planning");
    let done = committed(&target, run_id).await?;
    if let Some(store) = history {
        reconcile_history(store, run_id, &done)?;
    }
    let chunk_rows = options.chunk_rows.max(1);
    let mut planner = blocking({
        let open = open.clone();
        move || open()
    })
    .await?;
    // The run's snapshot: kept with its plan, else taken now.
    let kept_scn: Option<Option<String>> = target
        .query_opt(
            "SELECT scn FROM godwit_copy.oracle_chunks WHERE run_id = $1 LIMIT 1",
            &[&run_id],
        )
        .await
        .map_err(query_error("reading the run's chunk plan"))?
        .map(|r| r.get(0));
    let (scn, snapshot_note) = match kept_scn {
        Some(scn) => (scn, None),
        None => {
            let (reader, result) = blocking(move || {
                let result = planner.snapshot();
                Ok((planner, result))
            })
            .await?;
            planner = reader;
            match result {
                Ok(scn) => (scn, None),
                Err(why) => (
                    None,
                    Some(format!("no snapshot: each chunk reads the rows committed when it starts; stop writes to the table during the copy ({why})")),
                ),
            }
        }
    };
    let (mut jobs, mut statuses) = (Vec::new(), Vec::new());
    let mut queue = VecDeque::new();
    for table in tables {
        let name = table.target.to_string();
        // The columns first, and the target checked, before any row moves.
        let (reader, columns) = blocking({
            let table = table.clone();
            move || {
                let columns = planner.columns(&table);
                Ok((planner, columns))
            }
        })
        .await?;
        planner = reader;
        let mut columns = columns.map_err(data_error)?;
        let (mapped, fit_notes) = target::target_columns(&target, table, &columns).await?;
        // A RAW going into a uuid column is sent as a uuid's hex.
        for (column, target) in columns.iter_mut().zip(&mapped) {
            if column.data_type == OracleType::Binary && target.form == Canonical::Uuid {
                column.data_type = OracleType::Uuid;
            }
        }
        let target_names: Vec<String> = mapped.iter().map(|c| c.name.clone()).collect();
        let forms = mapped.iter().map(|c| c.form).collect();
        let long = mapped.iter().map(|c| c.long).collect();
        let copy_in = format!("COPY {name} ({}) FROM STDIN", quoted_list(&target_names));
        let binary = match options.copy_text {
            true => None,
            false => {
                let types: Vec<String> = mapped.iter().map(|c| c.data_type.clone()).collect();
                binary::table_fields(&columns, &types)
            }
        };
        let job = Arc::new(TableJob {
            table: table.clone(),
            name: name.clone(),
            column_names: columns.iter().map(|c| c.name.clone()).collect(),
            columns,
            forms,
            long,
            notes: fit_notes,
            target_names,
            copy_in,
            binary,
            scn: scn.clone(),
        });
        let (plan, estimate, reader) =
            stored_or_new_plan(&target, run_id, &job, planner, chunk_rows).await?;
        planner = reader;
        let before: Vec<&CommittedChunk> = done
            .iter()
            .filter(|((t, _), _)| *t == name)
            .map(|(_, c)| c)
            .collect();
        statuses.push(TableStatus {
            table: name.clone(),
            chunks_total: plan.len(),
            chunks_done: before.len(),
            rows_done: before.iter().map(|c| c.rows).sum(),
            rows_rejected: before.iter().map(|c| c.rejected).sum(),
            rows_estimate: estimate,
            rows_before: before.iter().map(|c| c.rows + c.rejected).sum(),
            ..TableStatus::default()
        });
        for (chunk, range) in plan.into_iter().enumerate() {
            if !done.contains_key(&(name.clone(), chunk as u32)) {
                queue.push_back(Work {
                    job: job.clone(),
                    slot: jobs.len(),
                    chunk: chunk as u32,
                    range,
                });
            }
        }
        jobs.push(job);
    }
    let names: Vec<QualifiedName> = tables.iter().map(|t| t.target.clone()).collect();
    if options.disable_triggers {
        control.set_phase("disabling triggers");
        unless_stopped(control, run_id, disable_triggers(&target, run_id, &names)).await?;
    }
    if options.defer_indexes {
        control.set_phase("deferring indexes and foreign keys");
        // Only tables that still get rows.
        let loading: Vec<QualifiedName> = tables
            .iter()
            .zip(&statuses)
            .filter(|(_, t)| !t.finished())
            .map(|(t, _)| t.target.clone())
            .collect();
        unless_stopped(control, run_id, defer_indexes(&target, run_id, &loading)).await?;
    }
    if let Ok(mut tables) = control.tables.lock() {
        *tables = statuses;
    }
    control.set_phase("copying");
    // The workers: the planner's source serves the first; the others open their own.
    let queue = Arc::new(Mutex::new(queue));
    let read = Arc::new(Mutex::new(BTreeMap::<String, (u64, DataStats, u64)>::new()));
    let mut workers = tokio::task::JoinSet::new();
    let mut first = Some(planner);
    for _ in 0..options
        .jobs
        .max(1)
        .min(queue.lock().map(|q| q.len()).unwrap_or(1).max(1))
    {
        let source = first.take();
        let (open, queue, read, options) = (open.clone(), queue.clone(), read.clone(), *options);
        let (control, history) = (control.clone(), history.cloned());
        let (url, run_id) = (target_url.to_string(), run_id.to_string());
        workers.spawn(async move {
            let mut source = match source {
                Some(s) => s,
                None => blocking(move || open()).await?,
            };
            let target = connect("target", &url).await?;
            loop {
                if control.is_stopped() {
                    return Err(CopyError::Stopped { run_id });
                }
                let Some(work) = queue.lock().map_err(|_| poisoned())?.pop_front() else {
                    return Ok::<(), CopyError>(());
                };
                let (back, figures) =
                    chunk::copy_chunk(&target, source, &work, &options, &run_id, &control).await;
                let ChunkDone {
                    rows_read: rows,
                    stats,
                    committed,
                } = figures?;
                if let Some(store) = &history {
                    record(store, &run_id, &work.job.name, work.chunk, &committed)?;
                }
                source = back.ok_or_else(|| CopyError::Query {
                    what: format!("reading {}.{}", work.job.table.owner, work.job.table.table),
                    message: "the reader stopped without finishing".into(),
                })?;
                let mut read = read.lock().map_err(|_| poisoned())?;
                let entry = read.entry(work.job.name.clone()).or_default();
                entry.0 += rows;
                entry.1.values += stats.values;
                entry.1.nul_values += stats.nul_values;
                entry.1.nul_characters += stats.nul_characters;
                entry.2 += 1;
            }
        });
    }
    let mut failure = None;
    while let Some(joined) = workers.join_next().await {
        let result = joined.map_err(join_error).and_then(|r| r);
        if let (Err(e), None) = (result, &failure) {
            // The first failure stops the others after their chunk.
            if let Ok(mut q) = queue.lock() {
                q.clear();
            }
            failure = Some(e);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if options.disable_triggers {
        // Also those a killed invocation of the run disabled.
        control.set_phase("enabling triggers");
        unless_stopped(control, run_id, restore_triggers(&target, run_id)).await?;
    }
    if options.defer_indexes {
        // Also what a killed invocation of the run deferred.
        control.set_phase("recreating indexes and foreign keys");
        unless_stopped(
            control,
            run_id,
            recreate_deferred(target_url, &target, run_id, options.jobs.max(1)),
        )
        .await?;
    }
    if let (Some(schema), Some(script)) = (schema, &script) {
        control.set_phase("building keys and indexes");
        unless_stopped(control, run_id, async {
            apply_texts(&target, run_id, &schema.after_rows).await?;
            post_data(
                target_url,
                &target,
                run_id,
                &schema.catalog,
                script.phase(Phase::PostData).collect(),
                options.jobs.max(1),
            )
            .await
        })
        .await?;
        control.set_phase("creating code and comments");
        target
            .batch_execute(&format!(
                "SET check_function_bodies = false; SET search_path TO {}",
                schema.search_path
            ))
            .await
            .map_err(query_error("setting the search path for the code"))?;
        for phase in [Phase::Code, Phase::Comments, Phase::SequencePositions] {
            apply_steps(&target, run_id, script.phase(phase).collect()).await?;
        }
    }
    control.set_phase("verifying");
    let done = committed(&target, run_id).await?;
    let read = read.lock().map_err(|_| poisoned())?.clone();
    let mut reports = Vec::new();
    for job in &jobs {
        reports.push(
            check_table(
                target_url,
                &target,
                &open,
                run_id,
                job,
                &done,
                &read,
                options,
                snapshot_note.clone(),
            )
            .await?,
        );
    }
    Ok(reports)
}

/// Runs `f` on a blocking thread (Oracle drivers block).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DataError> + Send + 'static,
) -> Result<T, CopyError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(join_error)?
        .map_err(data_error)
}

/// The table's chunk ranges: as the run's plan kept them, else planned now and kept (with the
/// snapshot) before any chunk is copied.
async fn stored_or_new_plan(
    target: &Client,
    run_id: &str,
    job: &TableJob,
    planner: Box<dyn OracleRows>,
    chunk_rows: u64,
) -> Result<(Vec<RowRange>, Option<u64>, Box<dyn OracleRows>), CopyError> {
    let stored = target
        .query(
            "SELECT range FROM godwit_copy.oracle_chunks WHERE run_id = $1 AND table_name = $2 ORDER BY chunk",
            &[&run_id, &job.name],
        )
        .await
        .map_err(query_error("reading the run's chunk plan"))?;
    if !stored.is_empty() {
        let ranges = stored
            .iter()
            .map(|r| serde_json::from_str::<RowRange>(r.get(0)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CopyError::Query {
                what: format!("reading the chunk plan of {}", job.name),
                message: e.to_string(),
            })?;
        return Ok((ranges, None, planner));
    }
    let table = job.table.clone();
    let (planner, plan) = blocking(move || {
        let mut planner = planner;
        let plan = planner.plan(&table, chunk_rows);
        Ok((planner, plan))
    })
    .await?;
    let plan = plan.map_err(data_error)?;
    let ranges: Vec<String> = plan
        .ranges
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    target
        .execute(
            "INSERT INTO godwit_copy.oracle_chunks (run_id, table_name, chunk, range, scn, note)
             SELECT $1, $2, (u.n - 1)::integer, u.r, $4, $5 FROM unnest($3::text[]) WITH ORDINALITY AS u(r, n)",
            &[&run_id, &job.name, &ranges, &job.scn, &plan.note],
        )
        .await
        .map_err(query_error(format!("keeping the chunk plan of {}", job.name)))?;
    Ok((plan.ranges, plan.rows, planner))
}

/// The table's figures after the copy: its committed chunks, the target's count, and under
/// [`Verify::Hash`] the hash of the rows read back against the hashes the chunks kept.
#[allow(clippy::too_many_arguments)]
async fn check_table(
    target_url: &str,
    target: &Client,
    open: &OpenRows,
    run_id: &str,
    job: &Arc<TableJob>,
    done: &Committed,
    read: &BTreeMap<String, (u64, DataStats, u64)>,
    options: &OracleCopyOptions,
    snapshot_note: Option<String>,
) -> Result<OracleCopied, CopyError> {
    let name = &job.name;
    let chunks: Vec<&CommittedChunk> = done
        .iter()
        .filter(|((t, _), _)| t == name)
        .map(|(_, c)| c)
        .collect();
    let (source_rows, stats, copied_now) = read.get(name).cloned().unwrap_or_default();
    let planned: i64 = target
        .query_one(
            "SELECT count(*) FROM godwit_copy.oracle_chunks WHERE run_id = $1 AND table_name = $2",
            &[&run_id, name],
        )
        .await
        .map_err(query_error("reading the run's chunk plan"))?
        .get(0);
    let mut notes: Vec<String> = target
        .query(
            "SELECT DISTINCT note FROM godwit_copy.oracle_chunks WHERE run_id = $1 AND table_name = $2 AND note IS NOT NULL",
            &[&run_id, name],
        )
        .await
        .map_err(query_error("reading the run's chunk plan"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    notes.extend(snapshot_note.filter(|_| job.scn.is_none()));
    notes.extend(job.notes.iter().cloned());
    let target_rows: i64 = target
        .query_one(&format!("SELECT count(*) FROM ONLY {name}"), &[])
        .await
        .map_err(query_error(format!("counting {name} on the target")))?
        .get(0);
    let (mut source_hash, mut target_hash) = (None, None);
    if matches!(options.verify, Verify::Hash | Verify::Sample) {
        let mut sum = RowsHash::default();
        let mut complete = true;
        for c in &chunks {
            match c.hash.as_deref().and_then(RowsHash::parse) {
                Some(h) => sum.merge(RowsHash {
                    rows: c.hashed_rows.unwrap_or(c.rows),
                    sum: h,
                }),
                None => complete = false,
            }
        }
        if complete {
            source_hash = Some(sum.hex());
            let pieces = options.jobs.max(1);
            target_hash = Some(
                read_back::read_back_hash(target_url, target, job, pieces)
                    .await?
                    .hex(),
            );
        } else {
            notes.push("not hashed: some chunks kept no hash (copied without --verify hash, or by an older godwit)".into());
        }
    }
    // Counts or hashes disagree: name the rows.
    // The rows each chunk sent and the target did not refuse (a target trigger that drops a row
    // makes the target hold fewer).
    let expected_rows: i64 = chunks
        .iter()
        .map(|c| c.hashed_rows.unwrap_or(c.rows) as i64)
        .sum();
    let mut recheck = None;
    if options.verify != Verify::Off && (expected_rows != target_rows || source_hash != target_hash)
    {
        let ranges = target
            .query(
                "SELECT range FROM godwit_copy.oracle_chunks WHERE run_id = $1 AND table_name = $2 ORDER BY chunk",
                &[&run_id, name],
            )
            .await
            .map_err(query_error("reading the run's chunk plan"))?
            .iter()
            .filter_map(|r| serde_json::from_str::<RowRange>(r.get(0)).ok())
            .collect();
        match recheck::recheck(
            target,
            open,
            run_id,
            job,
            ranges,
            expected_rows.max(target_rows).max(0) as u64,
            options,
        )
        .await?
        {
            Ok(found) => recheck = Some(found),
            Err(why) => notes.push(why),
        }
    }
    Ok(OracleCopied {
        report: OracleTableReport {
            table: name.clone(),
            source_rows,
            target_rows,
            chunks: planned as u64,
            chunks_skipped: (chunks.len() as u64).saturating_sub(copied_now),
            values: stats.values,
            nul_values: stats.nul_values,
            nul_characters: stats.nul_characters,
            expected_rows,
            source_hash,
            target_hash,
            snapshot_scn: job.scn.clone(),
            notes,
            recheck,
            binary: job.binary.is_some(),
        },
        rejected_rows: chunks.iter().map(|c| c.rejected).sum(),
    })
}
fn data_error(e: DataError) -> CopyError {
    CopyError::Query {
        what: "reading Oracle data".into(),
        message: e.to_string(),
    }
}

fn join_error(e: tokio::task::JoinError) -> CopyError {
    CopyError::Query {
        what: "the Oracle reader".into(),
        message: e.to_string(),
    }
}

fn poisoned() -> CopyError {
    CopyError::Query {
        what: "the Oracle session".into(),
        message: "its lock is poisoned".into(),
    }
}
