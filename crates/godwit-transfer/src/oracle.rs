//! The Oracle source reader: Oracle tables into existing PostgreSQL tables through the same kind of
//! chunk transactions as the PostgreSQL path.
//!
//! A blocking thread reads each table through an [`OracleSession`] (array fetch and prefetch on the
//! `oracle` crate), converting every value to PostgreSQL's COPY text with no silent loss
//! ([`godwit_oracle::data`]): NUMBER as exact decimals, DATE to timestamp, TIMESTAMP WITH TIME ZONE as
//! its UTC instant, INTERVALs, RAW to bytea, BINARY_FLOAT/DOUBLE from their IEEE bits (NaN and
//! infinities exact), NUL characters by the [`NulPolicy`], counted. Lines go to the writer through a
//! channel bounded in batches of about 1 MB, so memory stays bounded whatever the table's size. Each
//! chunk of `chunk_rows` rows is one target transaction that also records it in
//! `godwit_copy.progress`, with the hash of the lines it sent; a run started again with the same run
//! id skips the committed chunks (rows are read in ROWID order). Columns are matched by name
//! (case-insensitive) and every missing one is reported before any row moves.
//!
//! A row the target refuses stops the run ([`OnError::Stop`]), or ([`OnError::Skip`]) is set aside
//! in `godwit_copy.rejects` with the target's error: under `Skip` each chunk's lines are also
//! written to a spill file while they stream, and a chunk the target refuses is copied again from
//! it in pieces under savepoints, halved down to the refused rows (as the PostgreSQL path does),
//! in the chunk's own transaction. A set-aside row is named by its place in ROWID order and kept
//! with its values as JSON.

use crate::canonical::{row_hash, unescape, Canonical};
use crate::*;
pub use godwit_oracle::chunks::RowRange;
use godwit_oracle::chunks::{chunk_sql, current_scn, plan_ranges, Plan};
use godwit_oracle::data::{copy_line, read_columns, DataError, DataStats, NulPolicy, OracleColumn};
use godwit_oracle::live::OracleSession;

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

/// Where an Oracle table's rows come from: a live database ([`LiveRows`]) or another source of
/// Oracle rows in the same canonical text (`godwit_oracle::data::select_expression`).
pub trait OracleRows: Send {
    /// The table's columns, in order.
    fn columns(&mut self, table: &OracleTable) -> Result<Vec<OracleColumn>, DataError>;
    /// Splits the table into chunks of about `chunk_rows` rows.
    fn plan(&mut self, table: &OracleTable, chunk_rows: u64) -> Result<Plan, DataError>;
    /// The snapshot a new run's chunks all read (`None`: the rows cannot change), or why there is
    /// none.
    fn snapshot(&mut self) -> Result<Option<String>, String>;
    /// Streams the rows of one chunk: each row's identity (its ROWID) and its values, until `row`
    /// returns false.
    fn read(
        &mut self,
        table: &OracleTable,
        columns: &[OracleColumn],
        range: &RowRange,
        snapshot: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Option<String>>) -> bool,
    ) -> Result<(), DataError>;
}

/// Opens one more row source, for another parallel job.
pub type OpenRows = Arc<dyn Fn() -> Result<Box<dyn OracleRows>, DataError> + Send + Sync>;

/// A live Oracle session as a row source: tables split by ROWID ranges of their extents, read at
/// one system change number when the user may read it.
pub struct LiveRows {
    session: Box<dyn OracleSession + Send>,
    /// The schema of the connected user (as `owner_name` spells it): its tables' extents can be
    /// read from USER_EXTENTS without DBA_EXTENTS.
    user: String,
}

impl LiveRows {
    pub fn new(session: Box<dyn OracleSession + Send>, user: &str) -> LiveRows {
        LiveRows {
            session,
            user: user.to_string(),
        }
    }
}

impl OracleRows for LiveRows {
    fn columns(&mut self, table: &OracleTable) -> Result<Vec<OracleColumn>, DataError> {
        read_columns(self.session.as_mut(), &table.owner, &table.table)
    }

    fn plan(&mut self, table: &OracleTable, chunk_rows: u64) -> Result<Plan, DataError> {
        Ok(plan_ranges(
            self.session.as_mut(),
            &table.owner,
            &table.table,
            table.owner == self.user,
            chunk_rows,
        )?)
    }

    fn snapshot(&mut self) -> Result<Option<String>, String> {
        current_scn(self.session.as_mut()).map(Some)
    }

    fn read(
        &mut self,
        table: &OracleTable,
        columns: &[OracleColumn],
        range: &RowRange,
        snapshot: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Option<String>>) -> bool,
    ) -> Result<(), DataError> {
        let sql = chunk_sql(&table.owner, &table.table, columns, range, snapshot);
        let binds: Vec<&str> = match range {
            RowRange::Whole => vec![],
            RowRange::Rowids { first, last } => vec![first, last],
            RowRange::Rows { .. } => {
                return Err(DataError::Live(godwit_oracle::live::LiveError::Query {
                    query: "table data",
                    message: format!("{} is not a range of a live table", range.describe()),
                }))
            }
        };
        self.session
            .query_each("table data", &sql, &binds, &mut |mut values| {
                let rowid = if values.is_empty() {
                    None
                } else {
                    values.remove(0)
                };
                row(rowid.unwrap_or_default(), values)
            })?;
        Ok(())
    }
}

/// Opens a session on the `oracle` crate per job, each reading through [`LiveRows`] (the
/// connected user's own tables can be split without DBA_EXTENTS).
pub fn live_sessions(url: godwit_oracle::live::OracleUrl) -> OpenRows {
    let user = godwit_oracle::live::owner_name(&url.user);
    Arc::new(move || {
        let session = godwit_oracle::live::connect(&url)?;
        Ok(Box::new(LiveRows::new(Box::new(session), &user)) as Box<dyn OracleRows>)
    })
}

/// What the reader thread sends the writer.
enum Piece {
    /// COPY text lines of whole rows, how many, and their ROWIDs when refused rows are to be named
    /// ([`OnError::Skip`]).
    Lines(Vec<u8>, u64, Vec<String>),
    /// The chunk is read: its rows, figures and the canonical hash of its rows.
    Done(u64, DataStats, RowsHash),
    Failed(DataError),
}

/// Lines per batch sent to the writer (about [`BATCH_BYTES`]).
const PIECES_IN_FLIGHT: usize = 4;

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

/// The target's columns for an Oracle table: each Oracle column matched by name,
/// case-insensitively, with the target's type; every missing one is reported at once.
async fn target_columns(
    target: &Client,
    table: &OracleTable,
    columns: &[OracleColumn],
) -> Result<Vec<(String, Canonical)>, CopyError> {
    let names: Vec<(String, String)> = target
        .query(
            "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            &[&table.target.to_string()],
        )
        .await
        .map_err(|e| CopyError::Incompatible(vec![format!("{}: {}", table.target, db_message(&e))]))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for c in columns {
        match names
            .iter()
            .find(|(n, _)| *n == c.name)
            .or_else(|| names.iter().find(|(n, _)| n.eq_ignore_ascii_case(&c.name)))
        {
            Some((n, t)) => found.push((n.clone(), Canonical::of(t))),
            None => missing.push(format!(
                "{}.{}: no such column on the target (Oracle column {} of {}.{})",
                table.target, c.name, c.name, table.owner, table.table
            )),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(CopyError::Incompatible(missing))
    }
}

/// Copies Oracle tables into existing PostgreSQL tables under `run_id` (a new id starts a run; the
/// id of an interrupted one resumes it, skipping its committed chunks), through one session.
pub async fn copy_oracle(
    session: Box<dyn OracleSession + Send>,
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
) -> Result<Vec<OracleTableReport>, CopyError> {
    Ok(
        copy_oracle_checked(session, target_url, run_id, tables, options)
            .await?
            .into_iter()
            .map(|c| c.report)
            .collect(),
    )
}

/// [`copy_oracle`], also saying how many rows of each table were set aside under
/// [`OnError::Skip`]. One session reads every chunk in turn.
pub async fn copy_oracle_checked(
    session: Box<dyn OracleSession + Send>,
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
) -> Result<Vec<OracleCopied>, CopyError> {
    let user = tables.first().map(|t| t.owner.clone()).unwrap_or_default();
    let once = Mutex::new(Some(
        Box::new(LiveRows::new(session, &user)) as Box<dyn OracleRows>
    ));
    let open: OpenRows = Arc::new(move || {
        once.lock().ok().and_then(|mut s| s.take()).ok_or_else(|| {
            DataError::Live(godwit_oracle::live::LiveError::Query {
                query: "session",
                message: "one session was given, so one job reads".into(),
            })
        })
    });
    let options = OracleCopyOptions {
        jobs: 1,
        ..*options
    };
    copy_oracle_from(
        open,
        target_url,
        run_id,
        tables,
        &options,
        None,
        &Control::new(),
        None,
    )
    .await
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
    /// The target's columns, in the order of the Oracle columns (unquoted).
    pub(crate) target_names: Vec<String>,
    copy_in: String,
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
    /// The target's columns quoted, for a SELECT list.
    pub(crate) fn target_select(&self) -> String {
        quoted_list(&self.target_names)
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
        // A chunk committed on the target just before the process died may be missing from the
        // history: the target's record is the truth.
        let known: BTreeSet<(String, u32)> = with_store(store, |s| s.run_chunks(run_id))?
            .into_iter()
            .map(|c| (c.table, c.chunk))
            .collect();
        for ((table, chunk), chunk_done) in &done {
            if !known.contains(&(table.clone(), *chunk)) {
                record(store, run_id, table, *chunk, chunk_done)?;
            }
        }
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
        let columns = columns.map_err(data_error)?;
        let mapped = target_columns(&target, table, &columns).await?;
        let (target_names, forms): (Vec<String>, Vec<Canonical>) = mapped.into_iter().unzip();
        let copy_in = format!("COPY {name} ({}) FROM STDIN", quoted_list(&target_names));
        let job = Arc::new(TableJob {
            table: table.clone(),
            name: name.clone(),
            column_names: columns.iter().map(|c| c.name.clone()).collect(),
            columns,
            forms,
            target_names,
            copy_in,
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
                    copy_chunk(&target, source, &work, &options, &run_id, &control).await;
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

/// The order-independent hash of the table's rows as the target holds them, each field in the
/// canonical form of its column's type, read in the order of the Oracle columns.
async fn read_back_hash(target: &Client, job: &TableJob) -> Result<RowsHash, CopyError> {
    target
        .batch_execute(SESSION_SETTINGS)
        .await
        .map_err(query_error("setting the session for the read-back"))?;
    let sql = format!(
        "COPY (SELECT {} FROM ONLY {}) TO STDOUT",
        job.target_select(),
        job.name
    );
    let mut sum = RowsHash::default();
    read_rows(target, &sql, false, |line| {
        sum.add(row_hash(&job.forms, line))
    })
    .await
    .map_err(|message| CopyError::Query {
        what: format!("reading {} back from the target", job.name),
        message,
    })?;
    Ok(sum)
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

/// Copies one chunk in one target transaction: a blocking reader streams its rows as COPY lines
/// while the writer sends them and records the chunk with the canonical hash of its rows. Returns
/// the row source (for the next chunk) and the rows read with their figures.
async fn copy_chunk(
    target: &Client,
    source: Box<dyn OracleRows>,
    work: &Work,
    options: &OracleCopyOptions,
    run_id: &str,
    control: &Control,
) -> (Option<Box<dyn OracleRows>>, Result<ChunkDone, CopyError>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(PIECES_IN_FLIGHT);
    let skip = options.on_error == OnError::Skip;
    let reader = {
        let (job, range, nul) = (work.job.clone(), work.range.clone(), options.nul);
        tokio::task::spawn_blocking(move || {
            let mut source = source;
            let mut stats = DataStats::default();
            let mut hash = RowsHash::default();
            let (mut batch, mut in_batch, mut ids, mut rows) = (Vec::new(), 0u64, Vec::new(), 0u64);
            let mut failure = None;
            let read = source.read(
                &job.table,
                &job.columns,
                &range,
                job.scn.as_deref(),
                &mut |rowid, values| match copy_line(&job.columns, &values, nul, &mut stats) {
                    Ok(line) => {
                        rows += 1;
                        hash.add(row_hash(&job.forms, line.trim_end_matches('\n').as_bytes()));
                        batch.extend_from_slice(line.as_bytes());
                        in_batch += 1;
                        if skip {
                            ids.push(rowid);
                        }
                        if batch.len() >= BATCH_BYTES {
                            let piece = Piece::Lines(
                                std::mem::take(&mut batch),
                                std::mem::take(&mut in_batch),
                                std::mem::take(&mut ids),
                            );
                            return tx.blocking_send(piece).is_ok();
                        }
                        true
                    }
                    Err(error) => {
                        failure = Some(job.value_error(rowid, error));
                        false
                    }
                },
            );
            let last = match (read, failure) {
                (Err(e), _) | (Ok(()), Some(e)) => Piece::Failed(e),
                (Ok(()), None) => {
                    if in_batch > 0 {
                        let _ = tx.blocking_send(Piece::Lines(batch, in_batch, ids));
                    }
                    Piece::Done(rows, stats, hash)
                }
            };
            let _ = tx.blocking_send(last);
            source
        })
    };
    let written = write_chunk(target, work, options, run_id, control, &mut rx).await;
    // The reader ends once the writer stops listening.
    drop(rx);
    let source = reader.await.ok();
    (source, written)
}

/// A chunk the target committed: the rows read and their figures, and the chunk as the run's
/// history keeps it.
struct ChunkDone {
    rows_read: u64,
    stats: DataStats,
    committed: CommittedChunk,
}

/// The writer's half of [`copy_chunk`].
async fn write_chunk(
    target: &Client,
    work: &Work,
    options: &OracleCopyOptions,
    run_id: &str,
    control: &Control,
    rx: &mut tokio::sync::mpsc::Receiver<Piece>,
) -> Result<ChunkDone, CopyError> {
    let (name, chunk) = (&work.job.name, work.chunk);
    // What this chunk shows as in flight, taken back when it ends either way.
    let (mut flying_rows, mut flying_bytes) = (0u64, 0u64);
    let land = |rows: u64, bytes: u64, committed: Option<(u64, u64)>| {
        control.update(work.slot, |t| {
            t.rows_in_flight = t.rows_in_flight.saturating_sub(rows);
            t.bytes_in_flight = t.bytes_in_flight.saturating_sub(bytes);
            if let Some((kept, rejected)) = committed {
                t.rows_done += kept;
                t.rows_rejected += rejected;
                t.bytes_done += bytes;
                t.chunks_done += 1;
            }
        })
    };
    let skip = options.on_error == OnError::Skip;
    target
        .batch_execute("BEGIN")
        .await
        .map_err(query_failed(format!("starting {name} chunk {chunk}")))?;
    let mut sink = Some(Box::pin(
        target
            .copy_in::<_, Bytes>(&work.job.copy_in)
            .await
            .map_err(query_failed(format!("copying into {name} chunk {chunk}")))?,
    ));
    // Under `Skip`: the chunk's lines and ROWIDs, and the target's refusal of one of them.
    let mut spill = if skip {
        Some(Spill::new().map_err(spill_error(name, chunk as u64))?)
    } else {
        None
    };
    let (mut rowids, mut refusal) = (Vec::new(), None::<tokio_postgres::Error>);
    let ended = |rowids| OracleChunk {
        run_id,
        table: name,
        chunk: chunk as u64,
        range: work.range.describe(),
        rowids,
        copy_in: &work.job.copy_in,
        columns: &work.job.column_names,
        forms: &work.job.forms,
    };
    loop {
        let piece = tokio::select! {
            biased;
            _ = control.stopped() => None,
            piece = rx.recv() => piece,
        };
        let Some(piece) = piece else {
            break;
        };
        match piece {
            Piece::Lines(bytes, rows, ids) => {
                rowids.extend(ids);
                flying_rows += rows;
                flying_bytes += bytes.len() as u64;
                control.update(work.slot, |t| {
                    t.rows_in_flight += rows;
                    t.bytes_in_flight += bytes.len() as u64;
                    t.started.get_or_insert_with(Instant::now);
                });
                if let Some(file) = spill.as_mut() {
                    file.write(&bytes)
                        .map_err(spill_error(name, chunk as u64))?;
                }
                // After a refusal the chunk's remaining lines only go to the spill file.
                if let (Some(s), None) = (sink.as_mut(), refusal.as_ref()) {
                    if let Err(e) = s.send(Bytes::from(bytes)).await {
                        if skip && matches!(classify(&e), Refusal::Row) {
                            refusal = Some(e);
                        } else {
                            sink.take();
                            let _ = target.batch_execute("ROLLBACK").await;
                            land(flying_rows, flying_bytes, None);
                            return Err(
                                query_failed(format!("copying into {name} chunk {chunk}"))(e),
                            );
                        }
                    }
                }
            }
            Piece::Done(rows, stats, hash) => {
                let ended =
                    end_chunk(target, &ended(rowids), &mut sink, hash, spill, refusal).await;
                let rejected = ended.as_ref().map(|(r, _)| *r).unwrap_or(0);
                land(
                    flying_rows,
                    flying_bytes,
                    ended
                        .is_ok()
                        .then(|| (rows.saturating_sub(rejected), rejected)),
                );
                let (rejected, kept) = ended?;
                return Ok(ChunkDone {
                    rows_read: rows,
                    stats,
                    committed: CommittedChunk {
                        rows: kept.rows,
                        rejected,
                        bytes: flying_bytes,
                        bounds: Some(work.range.describe()),
                        hash: Some(kept.hex()),
                        hashed_rows: Some(kept.rows),
                    },
                });
            }
            Piece::Failed(e) => {
                sink.take();
                let _ = target.batch_execute("ROLLBACK").await;
                land(flying_rows, flying_bytes, None);
                return Err(data_error(e));
            }
        }
    }
    sink.take();
    let _ = target.batch_execute("ROLLBACK").await;
    land(flying_rows, flying_bytes, None);
    if control.is_stopped() {
        return Err(CopyError::Stopped {
            run_id: run_id.to_string(),
        });
    }
    Err(CopyError::Query {
        what: format!("reading {name} chunk {chunk}"),
        message: "the reader stopped without finishing".into(),
    })
}

/// The table's figures after the copy: its committed chunks, the target's count, and under
/// [`Verify::Hash`] the hash of the rows read back against the hashes the chunks kept.
#[allow(clippy::too_many_arguments)]
async fn check_table(
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
            target_hash = Some(read_back_hash(target, job).await?.hex());
        } else {
            notes.push("not hashed: chunks copied by an older godwit kept no hash".into());
        }
    }
    // Counts or hashes disagree: name the rows.
    let expected_rows: i64 = chunks.iter().map(|c| c.rows as i64).sum();
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
        match crate::oracle_recheck::recheck(
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
        },
        rejected_rows: chunks.iter().map(|c| c.rejected).sum(),
    })
}
type Sink = std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>;

/// The chunk being ended, and what naming its rows takes.
struct OracleChunk<'a> {
    run_id: &'a str,
    table: &'a str,
    chunk: u64,
    /// Its rows, for people.
    range: String,
    /// The ROWIDs of its rows in the order of its lines (under [`OnError::Skip`]).
    rowids: Vec<String>,
    copy_in: &'a str,
    /// The Oracle columns, in the order of the COPY lines, and the forms their target columns
    /// compare in.
    columns: &'a [String],
    forms: &'a [Canonical],
}

/// Ends a chunk: its COPY finished, the chunk recorded with the hash of its lines, committed. A
/// chunk the target refused (`refusal`, or at its end) is copied again from `spill` when there is
/// one ([`OnError::Skip`]). Returns the rows set aside and the hash of the rows kept.
async fn end_chunk(
    target: &Client,
    chunk: &OracleChunk<'_>,
    sink: &mut Option<Sink>,
    hash: RowsHash,
    spill: Option<Spill>,
    refusal: Option<tokio_postgres::Error>,
) -> Result<(u64, RowsHash), CopyError> {
    let failed = |e: tokio_postgres::Error| CopyError::Chunk {
        table: chunk.table.to_string(),
        chunk: chunk.chunk as u32,
        message: db_message(&e),
        run_id: chunk.run_id.to_string(),
    };
    let refused = match refusal {
        Some(e) => e,
        None => match commit_chunk(target, chunk, sink, hash).await {
            Ok(()) => return Ok((0, hash)),
            Err(e) if spill.is_some() && matches!(classify(&e), Refusal::Row) => e,
            Err(e) => return Err(failed(e)),
        },
    };
    sink.take();
    let _ = target.batch_execute("ROLLBACK").await;
    let Some(spill) = spill else {
        return Err(failed(refused));
    };
    tracing::info!(table = chunk.table, chunk = chunk.chunk, error = %db_message(&refused), "the target refused a row; copying the chunk again in pieces");
    rescue_lines(target, chunk, spill).await
}

/// Ends a chunk's COPY, records the chunk with the hash of its lines, and commits; rolls back on
/// failure.
async fn commit_chunk(
    target: &Client,
    chunk: &OracleChunk<'_>,
    sink: &mut Option<Sink>,
    hash: RowsHash,
) -> Result<(), tokio_postgres::Error> {
    let result = async {
        let rows = match sink.take() {
            Some(mut s) => s.as_mut().finish().await?,
            None => 0,
        };
        record_oracle_chunk(target, chunk, rows, 0, hash).await?;
        target.batch_execute("COMMIT").await
    }
    .await;
    if result.is_err() {
        let _ = target.batch_execute("ROLLBACK").await;
    }
    result
}

async fn record_oracle_chunk(
    target: &Client,
    chunk: &OracleChunk<'_>,
    rows: u64,
    rejected: u64,
    hash: RowsHash,
) -> Result<u64, tokio_postgres::Error> {
    target
        .execute(
            "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds, hash, hashed_rows) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
            &[&chunk.run_id, &chunk.table, &(chunk.chunk as i32), &(rows as i64), &(rejected as i64), &chunk.range, &hash.hex(), &(hash.rows as i64)],
        )
        .await
}

/// Copies a refused chunk again from its spill file in one transaction: pieces of a few thousand
/// lines, each COPY under a savepoint, halved down to the refused rows, which go to
/// `godwit_copy.rejects` with the target's error, their place in ROWID order and their values as
/// JSON. The chunk is recorded with the hash of the lines it kept. Returns the rows set aside.
async fn rescue_lines(
    target: &Client,
    chunk: &OracleChunk<'_>,
    spill: Spill,
) -> Result<(u64, RowsHash), CopyError> {
    let failed = |message: String| CopyError::Chunk {
        table: chunk.table.to_string(),
        chunk: chunk.chunk as u32,
        message,
        run_id: chunk.run_id.to_string(),
    };
    let database = |e: tokio_postgres::Error| failed(db_message(&e));
    let rows_failed = |e: ChunkError| {
        failed(match e {
            ChunkError::Retry(m) | ChunkError::Failed(m) => m,
            ChunkError::Rejected { message, .. } => message,
            ChunkError::Stopped => "stopped".into(),
        })
    };
    let mut reader = spill.reader().map_err(|e| failed(e.to_string()))?;
    target
        .batch_execute("BEGIN; SET CONSTRAINTS ALL IMMEDIATE")
        .await
        .map_err(database)?;
    let result = async {
        let control = Control::new();
        let (mut kept, mut refused, mut lines) = (0u64, Vec::new(), Vec::new());
        let mut hash = RowsHash::default();
        // The refused lines, by row number.
        let mut out_lines: BTreeMap<String, Bytes> = BTreeMap::new();
        let mut row = 0usize;
        loop {
            let mut line = Vec::new();
            let read = std::io::BufRead::read_until(&mut reader, b'\n', &mut line)
                .map_err(|e| failed(format!("reading the spill file: {e}")))?;
            if read > 0 {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                row += 1;
                lines.push(Line {
                    data: Bytes::from(line),
                    ctid: chunk
                        .rowids
                        .get(row - 1)
                        .cloned()
                        .unwrap_or_else(|| format!("line {row}")),
                });
            }
            if lines.len() >= RESCUE_ROWS || (read == 0 && !lines.is_empty()) {
                let before = refused.len();
                kept += insert_lines(
                    target,
                    chunk.copy_in,
                    &lines,
                    OnError::Skip,
                    &control,
                    &mut refused,
                )
                .await
                .map_err(rows_failed)?;
                let out: BTreeSet<&str> =
                    refused[before..].iter().map(|r: &Refused| r.ctid.as_str()).collect();
                for line in &lines {
                    if !out.contains(line.ctid.as_str()) {
                        hash.add(row_hash(chunk.forms, &line.data));
                    } else {
                        out_lines.insert(line.ctid.clone(), line.data.clone());
                    }
                }
                lines.clear();
            }
            if read == 0 {
                break;
            }
        }
        let keys: Vec<String> = refused
            .iter()
            .map(|r| format!("ROWID {}", r.ctid))
            .collect();
        let json: Vec<Option<String>> = refused
            .iter()
            .map(|r| out_lines.get(&r.ctid).map(|l| line_json(chunk.columns, l)))
            .collect();
        let numbers: Vec<&str> = refused.iter().map(|r| r.ctid.as_str()).collect();
        let states: Vec<&str> = refused.iter().map(|r| r.sqlstate.as_str()).collect();
        let messages: Vec<&str> = refused.iter().map(|r| r.message.as_str()).collect();
        let details: Vec<Option<&str>> = refused.iter().map(|r| r.detail.as_deref()).collect();
        target
            .execute(
                "INSERT INTO godwit_copy.rejects (run_id, table_name, chunk, row_key, row_json, source_ctid, sqlstate, message, detail)
                 SELECT $1, $2, $3, u.k, u.j, u.c, u.s, u.m, u.d
                   FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(k, j, c, s, m, d)",
                &[&chunk.run_id, &chunk.table, &(chunk.chunk as i32), &keys, &json, &numbers, &states, &messages, &details],
            )
            .await
            .map_err(database)?;
        record_oracle_chunk(target, chunk, kept, refused.len() as u64, hash)
            .await
            .map_err(database)?;
        target.batch_execute("COMMIT").await.map_err(database)?;
        Ok((refused.len() as u64, hash))
    }
    .await;
    if result.is_err() {
        let _ = target.batch_execute("ROLLBACK").await;
    }
    result
}

/// A COPY text line as a JSON object of the columns' values (`\N` is null; escapes undone).
fn line_json(columns: &[String], line: &[u8]) -> String {
    let mut object = serde_json::Map::new();
    for (name, field) in columns.iter().zip(line.split(|b| *b == b'\t')) {
        let value = if field == b"\\N" {
            serde_json::Value::Null
        } else {
            serde_json::Value::String(String::from_utf8_lossy(&unescape(field)).into_owned())
        };
        object.insert(name.clone(), value);
    }
    serde_json::Value::Object(object).to_string()
}

/// A chunk's COPY lines kept on disk while it streams (bounded memory whatever the chunk size), so
/// that a refused chunk can be copied again; the file goes when the value is dropped.
struct Spill {
    path: std::path::PathBuf,
    file: std::io::BufWriter<std::fs::File>,
}

impl Spill {
    fn new() -> std::io::Result<Spill> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "godwit-chunk-{}-{}.copy",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Spill {
            path,
            file: std::io::BufWriter::with_capacity(BATCH_BYTES, file),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        std::io::Write::write_all(&mut self.file, bytes)
    }

    /// Reads the lines written so far from the start.
    fn reader(mut self) -> std::io::Result<SpillReader> {
        use std::io::Seek;
        std::io::Write::flush(&mut self.file)?;
        let mut file = self.file.get_ref().try_clone()?;
        file.seek(std::io::SeekFrom::Start(0))?;
        Ok(SpillReader {
            reader: std::io::BufReader::with_capacity(BATCH_BYTES, file),
            _spill: self,
        })
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lines of a [`Spill`], which stays (and is removed) with it.
struct SpillReader {
    reader: std::io::BufReader<std::fs::File>,
    _spill: Spill,
}

impl std::io::Read for SpillReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reader.read(buf)
    }
}

impl std::io::BufRead for SpillReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.reader.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.reader.consume(amount)
    }
}

fn spill_error(table: &str, chunk: u64) -> impl Fn(std::io::Error) -> CopyError + '_ {
    move |e| CopyError::Query {
        what: format!("keeping the lines of {table} chunk {chunk} in a temporary file"),
        message: e.to_string(),
    }
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
