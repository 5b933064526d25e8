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

/// How Oracle rows are copied.
#[derive(Clone, Copy, Debug)]
pub struct OracleCopyOptions {
    /// Rows per chunk (one target transaction each).
    pub chunk_rows: u64,
    pub nul: NulPolicy,
}

impl Default for OracleCopyOptions {
    fn default() -> Self {
        OracleCopyOptions {
            chunk_rows: 100_000,
            nul: NulPolicy::Fail,
        }
    }
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
        let mut chunk = skipped;
        let (mut open, mut in_chunk, mut hash) = (false, 0u64, StreamHash::new(false, &[]));
        let mut sink = None;
        let mut figures = None;
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
                        open = true;
                    }
                    hash.feed(&bytes).map_err(|message| CopyError::Query {
                        what: format!("hashing {name} chunk {chunk}"),
                        message,
                    })?;
                    if let Some(s) = sink.as_mut() {
                        s.send(Bytes::from(bytes))
                            .await
                            .map_err(query_failed(format!("copying into {name} chunk {chunk}")))?;
                    }
                    in_chunk += rows;
                    if in_chunk >= chunk_rows {
                        commit_chunk(&target, run_id, &name, chunk, &mut sink, &hash).await?;
                        (open, in_chunk, hash) = (false, 0, StreamHash::new(false, &[]));
                        chunk += 1;
                    }
                }
                Piece::Done(rows, stats) => {
                    if open {
                        commit_chunk(&target, run_id, &name, chunk, &mut sink, &hash).await?;
                        chunk += 1;
                    }
                    figures = Some((rows, stats));
                }
                Piece::Failed(e) => {
                    if open {
                        let _ = target.batch_execute("ROLLBACK").await;
                    }
                    return Err(data_error(e));
                }
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
        reports.push(OracleTableReport {
            table: name,
            source_rows,
            target_rows,
            chunks: chunk,
            chunks_skipped: skipped,
            values: stats.values,
            nul_values: stats.nul_values,
            nul_characters: stats.nul_characters,
        });
    }
    Ok(reports)
}

type Sink = std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>;

/// Ends a chunk's COPY, records the chunk with the hash of its lines, and commits.
async fn commit_chunk(
    target: &Client,
    run_id: &str,
    table: &str,
    chunk: u64,
    sink: &mut Option<Sink>,
    hash: &StreamHash,
) -> Result<(), CopyError> {
    let result = async {
        let rows = match sink.take() {
            Some(mut s) => s.as_mut().finish().await?,
            None => 0,
        };
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds, hash, hashed_rows) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7)",
                &[&run_id, &table, &(chunk as i32), &(rows as i64), &format!("rows of chunk {chunk}"), &hash.total.hex(), &(hash.total.rows as i64)],
            )
            .await?;
        target.batch_execute("COMMIT").await
    }
    .await;
    if let Err(e) = result {
        let _ = target.batch_execute("ROLLBACK").await;
        return Err(CopyError::Chunk {
            table: table.to_string(),
            chunk: chunk as u32,
            message: db_message(&e),
            run_id: run_id.to_string(),
        });
    }
    Ok(())
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
