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

use crate::*;
use godwit_oracle::data::{read_columns, read_rows, DataError, DataStats, NulPolicy, OracleColumn};
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
    /// Rows per chunk (one target transaction each).
    pub chunk_rows: u64,
    pub nul: NulPolicy,
    /// What to do with a row the target refuses.
    pub on_error: OnError,
}

impl Default for OracleCopyOptions {
    fn default() -> Self {
        OracleCopyOptions {
            chunk_rows: 100_000,
            nul: NulPolicy::Fail,
            on_error: OnError::Stop,
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
    /// Rows read from Oracle (in this invocation, committed chunks skipped included) and rows the
    /// target holds afterwards.
    pub source_rows: u64,
    pub target_rows: i64,
    pub chunks: u64,
    /// Chunks committed by an earlier invocation of the same run and skipped.
    pub chunks_skipped: u64,
    /// Values read, and those holding NUL characters (stripped or replaced per the policy).
    pub values: u64,
    pub nul_values: u64,
    pub nul_characters: u64,
}

/// What the reader thread sends the writer.
enum Piece {
    /// COPY text lines of whole rows, and how many rows.
    Lines(Vec<u8>, u64),
    /// The table is read: its figures.
    Done(u64, DataStats),
    Failed(DataError),
}

/// Lines per batch sent to the writer (about [`BATCH_BYTES`]).
const PIECES_IN_FLIGHT: usize = 4;

fn query_failed(what: String) -> impl Fn(tokio_postgres::Error) -> CopyError {
    move |e| CopyError::Query {
        what: what.clone(),
        message: db_message(&e),
    }
}

/// The target's column list for an Oracle table: each Oracle column matched by name,
/// case-insensitively; every missing one is reported at once.
async fn target_columns(
    target: &Client,
    table: &OracleTable,
    columns: &[OracleColumn],
) -> Result<String, CopyError> {
    let names: Vec<String> = target
        .query(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            &[&table.target.to_string()],
        )
        .await
        .map_err(|e| CopyError::Incompatible(vec![format!("{}: {}", table.target, db_message(&e))]))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for c in columns {
        match names
            .iter()
            .find(|n| **n == c.name)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(&c.name)))
        {
            Some(n) => found.push(quote_ident(n)),
            None => missing.push(format!(
                "{}.{}: no such column on the target (Oracle column {} of {}.{})",
                table.target, c.name, c.name, table.owner, table.table
            )),
        }
    }
    if missing.is_empty() {
        Ok(found.join(", "))
    } else {
        Err(CopyError::Incompatible(missing))
    }
}

/// Copies Oracle tables into existing PostgreSQL tables under `run_id` (a new id starts a run; the
/// id of an interrupted one resumes it, skipping its committed chunks).
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
/// [`OnError::Skip`].
pub async fn copy_oracle_checked(
    session: Box<dyn OracleSession + Send>,
    target_url: &str,
    run_id: &str,
    tables: &[OracleTable],
    options: &OracleCopyOptions,
) -> Result<Vec<OracleCopied>, CopyError> {
    let target = connect("target", target_url).await?;
    target
        .batch_execute(PROGRESS_DDL)
        .await
        .map_err(query_error("creating the godwit_copy schema on the target"))?;
    let done = committed(&target, run_id).await?;
    let chunk_rows = options.chunk_rows.max(1);
    let session = Arc::new(Mutex::new(session));
    let mut reports = Vec::new();
    for table in tables {
        let name = table.target.to_string();
        // The columns first, and the target checked, before any row moves.
        let columns = {
            let (session, owner, oracle_table) =
                (session.clone(), table.owner.clone(), table.table.clone());
            tokio::task::spawn_blocking(move || {
                let mut s = session.lock().map_err(|_| poisoned())?;
                read_columns(s.as_mut(), &owner, &oracle_table).map_err(data_error)
            })
            .await
            .map_err(join_error)??
        };
        let target_columns = target_columns(&target, table, &columns).await?;
        let skipped: u64 = done.keys().filter(|(t, _)| *t == name).count() as u64;
        let mut rejected: u64 = done
            .iter()
            .filter(|((t, _), _)| *t == name)
            .map(|(_, c)| c.rejected)
            .sum();
        let column_names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(PIECES_IN_FLIGHT);
        let reader = {
            let (session, owner, oracle_table, nul) = (
                session.clone(),
                table.owner.clone(),
                table.table.clone(),
                options.nul,
            );
            let columns = columns.clone();
            tokio::task::spawn_blocking(move || {
                let Ok(mut s) = session.lock() else {
                    return;
                };
                let mut stats = DataStats::default();
                let (mut batch, mut rows_in_batch, mut row) = (Vec::new(), 0u64, 0u64);
                let skip = skipped * chunk_rows;
                let result = read_rows(
                    s.as_mut(),
                    &owner,
                    &oracle_table,
                    &columns,
                    nul,
                    &mut stats,
                    &mut |line| {
                        row += 1;
                        if row <= skip {
                            return true;
                        }
                        batch.extend_from_slice(line.as_bytes());
                        rows_in_batch += 1;
                        // A batch never spans two chunks.
                        if batch.len() >= BATCH_BYTES || (row - skip).is_multiple_of(chunk_rows) {
                            let full = std::mem::take(&mut batch);
                            let n = std::mem::replace(&mut rows_in_batch, 0);
                            return tx.blocking_send(Piece::Lines(full, n)).is_ok();
                        }
                        true
                    },
                );
                let last = match result {
                    Ok(rows) => {
                        if !batch.is_empty() {
                            let _ = tx.blocking_send(Piece::Lines(batch, rows_in_batch));
                        }
                        Piece::Done(rows, stats)
                    }
                    Err(e) => Piece::Failed(e),
                };
                let _ = tx.blocking_send(last);
            })
        };
        // The writer: chunks of `chunk_rows` rows, one transaction each.
        let copy_in = format!("COPY {name} ({target_columns}) FROM STDIN");
        let skip = options.on_error == OnError::Skip;
        let mut chunk = skipped;
        let (mut open, mut in_chunk, mut hash) = (false, 0u64, StreamHash::new(false, &[]));
        let mut sink = None;
        // Under `Skip`: the open chunk's lines, and the target's refusal of one of them.
        let (mut spill, mut refusal) = (None::<Spill>, None::<tokio_postgres::Error>);
        let mut figures = None;
        let ended = |chunk: u64| OracleChunk {
            run_id,
            table: &name,
            chunk,
            first_row: chunk * chunk_rows,
            copy_in: &copy_in,
            columns: &column_names,
        };
        while let Some(piece) = rx.recv().await {
            match piece {
                Piece::Lines(bytes, rows) => {
                    if !open {
                        target
                            .batch_execute("BEGIN")
                            .await
                            .map_err(query_failed(format!("starting {name} chunk {chunk}")))?;
                        sink =
                            Some(Box::pin(
                                target.copy_in::<_, Bytes>(&copy_in).await.map_err(
                                    query_failed(format!("copying into {name} chunk {chunk}")),
                                )?,
                            ));
                        if skip {
                            spill = Some(Spill::new().map_err(spill_error(&name, chunk))?);
                        }
                        open = true;
                    }
                    hash.feed(&bytes).map_err(|message| CopyError::Query {
                        what: format!("hashing {name} chunk {chunk}"),
                        message,
                    })?;
                    if let Some(file) = spill.as_mut() {
                        file.write(&bytes).map_err(spill_error(&name, chunk))?;
                    }
                    // After a refusal the chunk's remaining lines only go to the spill file.
                    if let (Some(s), None) = (sink.as_mut(), refusal.as_ref()) {
                        if let Err(e) = s.send(Bytes::from(bytes)).await {
                            if skip && matches!(classify(&e), Refusal::Row) {
                                refusal = Some(e);
                            } else {
                                let _ = target.batch_execute("ROLLBACK").await;
                                return Err(query_failed(format!(
                                    "copying into {name} chunk {chunk}"
                                ))(e));
                            }
                        }
                    }
                    in_chunk += rows;
                }
                Piece::Done(rows, stats) => figures = Some((rows, stats)),
                Piece::Failed(e) => {
                    if open {
                        let _ = target.batch_execute("ROLLBACK").await;
                    }
                    return Err(data_error(e));
                }
            }
            // A chunk ends with its last row, or with the table.
            if open && (in_chunk >= chunk_rows || figures.is_some()) {
                rejected += end_chunk(
                    &target,
                    &ended(chunk),
                    &mut sink,
                    &hash,
                    spill.take(),
                    refusal.take(),
                )
                .await?;
                (open, in_chunk, hash) = (false, 0, StreamHash::new(false, &[]));
                chunk += 1;
            }
        }
        reader.await.map_err(join_error)?;
        let Some((source_rows, stats)) = figures else {
            return Err(CopyError::Query {
                what: format!("reading {}.{}", table.owner, table.table),
                message: "the reader stopped without finishing".into(),
            });
        };
        let target_rows: i64 = target
            .query_one(&format!("SELECT count(*) FROM ONLY {name}"), &[])
            .await
            .map_err(query_error(format!("counting {name} on the target")))?
            .get(0);
        reports.push(OracleCopied {
            report: OracleTableReport {
                table: name,
                source_rows,
                target_rows,
                chunks: chunk,
                chunks_skipped: skipped,
                values: stats.values,
                nul_values: stats.nul_values,
                nul_characters: stats.nul_characters,
            },
            rejected_rows: rejected,
        });
    }
    Ok(reports)
}

type Sink = std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>;

/// The chunk being ended, and what naming its rows takes.
struct OracleChunk<'a> {
    run_id: &'a str,
    table: &'a str,
    chunk: u64,
    /// Rows of the table (in ROWID order) before the chunk's first.
    first_row: u64,
    copy_in: &'a str,
    /// The Oracle columns, in the order of the COPY lines.
    columns: &'a [String],
}

/// Ends a chunk: its COPY finished, the chunk recorded with the hash of its lines, committed. A
/// chunk the target refused (`refusal`, or at its end) is copied again from `spill` when there is
/// one ([`OnError::Skip`]). Returns the rows set aside.
async fn end_chunk(
    target: &Client,
    chunk: &OracleChunk<'_>,
    sink: &mut Option<Sink>,
    hash: &StreamHash,
    spill: Option<Spill>,
    refusal: Option<tokio_postgres::Error>,
) -> Result<u64, CopyError> {
    let failed = |e: tokio_postgres::Error| CopyError::Chunk {
        table: chunk.table.to_string(),
        chunk: chunk.chunk as u32,
        message: db_message(&e),
        run_id: chunk.run_id.to_string(),
    };
    let refused = match refusal {
        Some(e) => e,
        None => match commit_chunk(target, chunk, sink, hash).await {
            Ok(()) => return Ok(0),
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
    hash: &StreamHash,
) -> Result<(), tokio_postgres::Error> {
    let result = async {
        let rows = match sink.take() {
            Some(mut s) => s.as_mut().finish().await?,
            None => 0,
        };
        record_oracle_chunk(target, chunk, rows, 0, hash.total).await?;
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
            &[&chunk.run_id, &chunk.table, &(chunk.chunk as i32), &(rows as i64), &(rejected as i64), &format!("rows of chunk {}", chunk.chunk), &hash.hex(), &(hash.rows as i64)],
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
) -> Result<u64, CopyError> {
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
        let mut row = chunk.first_row;
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
                    ctid: row.to_string(),
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
                        hash.add(xxhash_rust::xxh3::xxh3_128(&line.data));
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
            .map(|r| format!("row {} in ROWID order", r.ctid))
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
        Ok(refused.len() as u64)
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

/// A COPY text field with its backslash escapes undone.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut bytes = field.iter().copied();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b't') => out.push(b'\t'),
            Some(b'b') => out.push(8),
            Some(b'f') => out.push(12),
            Some(b'v') => out.push(11),
            Some(other) => out.push(other),
            None => out.push(b'\\'),
        }
    }
    out
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
