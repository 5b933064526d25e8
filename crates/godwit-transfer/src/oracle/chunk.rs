//! One chunk of an Oracle table in one target transaction: a blocking reader makes its rows into
//! COPY text lines (hashed in canonical form under `--verify hash`) and sends them, or the binary
//! tuples encoded from them ([`super::binary`]), while the writer sends them to the target and
//! records the chunk in `godwit_copy.progress`. A chunk the target refuses is, under
//! [`OnError::Skip`], copied again from a spill file of its text lines in pieces under savepoints,
//! halved down to the refused rows, which are set aside in `godwit_copy.rejects` with their ROWID,
//! values and error.

use super::binary::{encode_row, BinaryField, NotBinary, HEADER, TRAILER};
use super::{data_error, query_failed, OracleCopyOptions, OracleRows, Work};
use crate::canonical::{row_hash, unescape, Canonical, StreamingRows};
use crate::*;
use godwit_oracle::data::{copy_row, DataError, DataStats};

/// What the reader thread sends the writer.
enum Piece {
    /// Whole rows: the bytes for the target (COPY text, or binary tuples), the same rows as COPY
    /// text when the bytes are binary and the chunk keeps a spill file, how many, and their ROWIDs
    /// when refused rows are to be named ([`OnError::Skip`]).
    Lines {
        sent: Vec<u8>,
        text: Option<Vec<u8>>,
        rows: u64,
        ids: Vec<String>,
    },
    /// The chunk is read: its rows, figures and the canonical hash of its rows (only their count
    /// when they are not hashed).
    Done(u64, DataStats, RowsHash),
    Failed(DataError),
    /// A value the binary writer does not read (why): the chunk is copied again as text.
    NotBinary(String),
}

/// Lines per batch sent to the writer (about [`BATCH_BYTES`]).
const PIECES_IN_FLIGHT: usize = 4;

/// Copies one chunk in one target transaction: a blocking reader streams its rows (as COPY text
/// lines, or binary tuples where the table has a binary form) while the writer sends them and
/// records the chunk with the canonical hash of its rows. A chunk with a value the binary writer
/// does not read is copied again as text. Returns the row source (for the next chunk) and the
/// chunk as committed.
pub(super) async fn copy_chunk(
    target: &Client,
    mut source: Box<dyn OracleRows>,
    work: &Work,
    options: &OracleCopyOptions,
    run_id: &str,
    control: &Control,
) -> (Option<Box<dyn OracleRows>>, Result<ChunkDone, CopyError>) {
    let mut binary = work.job.binary.as_deref();
    loop {
        let (back, written) =
            copy_chunk_as(target, source, work, options, run_id, control, binary).await;
        match written {
            Ok(Written::Committed(done)) => return (back, Ok(done)),
            Err(e) => return (back, Err(e)),
            // Only a binary copy sends a chunk back.
            Ok(Written::NotBinary(why)) => {
                tracing::info!(table = %work.job.name, chunk = work.chunk, "{why}: copying the chunk again as COPY text");
                let Some(back) = back else {
                    return (None, Err(reader_stopped(&work.job.name, work.chunk)));
                };
                (source, binary) = (back, None);
            }
        }
    }
}

/// Whether the rows are hashed as they are read: only a verification by hashes uses the hashes.
fn hashes_rows(options: &OracleCopyOptions) -> bool {
    matches!(options.verify, Verify::Hash | Verify::Sample)
}

fn reader_stopped(table: &str, chunk: u32) -> CopyError {
    CopyError::Query {
        what: format!("reading {table} chunk {chunk}"),
        message: "the reader stopped without finishing".into(),
    }
}

/// How a chunk's copy ended when it did not fail.
enum Written {
    Committed(ChunkDone),
    /// A value had no binary form (why); the chunk was rolled back.
    NotBinary(String),
}

/// The rows read so far and not yet sent to the writer.
struct Batch {
    sent: Vec<u8>,
    /// The same rows as COPY text, when `sent` is binary and a spill file keeps them.
    text: Option<Vec<u8>>,
    rows: u64,
    ids: Vec<String>,
}

impl Batch {
    fn new(binary_with_spill: bool) -> Batch {
        Batch {
            sent: Vec::new(),
            text: binary_with_spill.then(Vec::new),
            rows: 0,
            ids: Vec::new(),
        }
    }

    /// The batch as a piece, leaving an empty one.
    fn take(&mut self) -> Piece {
        Piece::Lines {
            sent: std::mem::take(&mut self.sent),
            text: self.text.as_mut().map(std::mem::take),
            rows: std::mem::take(&mut self.rows),
            ids: std::mem::take(&mut self.ids),
        }
    }
}

/// [`copy_chunk`] once, in binary when `binary` gives the columns' encoders, else in text.
async fn copy_chunk_as(
    target: &Client,
    source: Box<dyn OracleRows>,
    work: &Work,
    options: &OracleCopyOptions,
    run_id: &str,
    control: &Control,
    binary: Option<&[BinaryField]>,
) -> (Option<Box<dyn OracleRows>>, Result<Written, CopyError>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(PIECES_IN_FLIGHT);
    let skip = options.on_error == OnError::Skip;
    let hashing = hashes_rows(options);
    let reader = {
        let (job, range, nul) = (work.job.clone(), work.range.clone(), options.nul);
        let binary = binary.map(<[BinaryField]>::to_vec);
        tokio::task::spawn_blocking(move || {
            let mut source = source;
            let mut stats = DataStats::default();
            let mut hash = RowsHash::default();
            let mut hasher = StreamingRows::new(job.forms.clone());
            let mut batch = Batch::new(binary.is_some() && skip);
            // In binary: the row being read, as COPY text.
            let mut line = Vec::new();
            let (mut rows, mut failure, mut not_binary) = (0u64, None, None);
            let mut stopped = false;
            let read = source.read(
                &job.table,
                &job.columns,
                &range,
                job.scn.as_deref(),
                &mut |rowid, fields| {
                    if skip {
                        batch.ids.push(rowid.clone());
                    }
                    // In text, a row's bytes go to the hash and the batch as they come; a batch is
                    // sent when full, even in the middle of a long value, so no row is whole in
                    // memory. In binary (tables without LOBs), a row is encoded once read.
                    let mut out = |bytes: &[u8]| {
                        if binary.is_some() {
                            line.extend_from_slice(bytes);
                            return true;
                        }
                        if hashing {
                            hasher.feed(bytes, &mut |row| hash.add(row));
                        }
                        batch.sent.extend_from_slice(bytes);
                        batch.sent.len() < BATCH_BYTES || tx.blocking_send(batch.take()).is_ok()
                    };
                    match copy_row(&job.columns, fields, nul, &mut stats, &mut out) {
                        Ok(true) => {}
                        Ok(false) => {
                            stopped = true;
                            return false;
                        }
                        Err(error) => {
                            failure = Some(job.value_error(rowid, error));
                            return false;
                        }
                    }
                    rows += 1;
                    batch.rows += 1;
                    let Some(fields) = binary.as_deref() else {
                        return true;
                    };
                    if hashing {
                        hasher.feed(&line, &mut |row| hash.add(row));
                    }
                    if let Err(NotBinary { column }) = encode_row(fields, &line, &mut batch.sent) {
                        let name = job.columns.get(column).map_or("?", |c| c.name.as_str());
                        not_binary = Some(format!(
                            "column {name} of the row with ROWID {rowid} has a value the binary writer does not read"
                        ));
                        return false;
                    }
                    if let Some(text) = batch.text.as_mut() {
                        text.extend_from_slice(&line);
                    }
                    line.clear();
                    if batch.sent.len() < BATCH_BYTES {
                        return true;
                    }
                    stopped = tx.blocking_send(batch.take()).is_err();
                    !stopped
                },
            );
            let last = match (read, failure, not_binary) {
                (Err(e), _, _) | (Ok(()), Some(e), _) => Piece::Failed(e),
                (Ok(()), None, Some(why)) => Piece::NotBinary(why),
                (Ok(()), None, None) if stopped => return source,
                (Ok(()), None, None) => {
                    if batch.rows > 0 || !batch.sent.is_empty() {
                        let _ = tx.blocking_send(batch.take());
                    }
                    if !hashing {
                        hash.rows = rows;
                    }
                    Piece::Done(rows, stats, hash)
                }
            };
            let _ = tx.blocking_send(last);
            source
        })
    };
    let written = write_chunk(
        target,
        work,
        options,
        run_id,
        control,
        binary.is_some(),
        &mut rx,
    )
    .await;
    // The reader ends once the writer stops listening.
    drop(rx);
    let source = reader.await.ok();
    (source, written)
}

/// A chunk the target committed: the rows read and their figures, and the chunk as the run's
/// history keeps it.
pub(super) struct ChunkDone {
    pub(super) rows_read: u64,
    pub(super) stats: DataStats,
    pub(super) committed: CommittedChunk,
}

/// The writer's half of [`copy_chunk_as`]: `binary` when the pieces are binary tuples.
async fn write_chunk(
    target: &Client,
    work: &Work,
    options: &OracleCopyOptions,
    run_id: &str,
    control: &Control,
    binary: bool,
    rx: &mut tokio::sync::mpsc::Receiver<Piece>,
) -> Result<Written, CopyError> {
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
    let hashing = hashes_rows(options);
    target
        .batch_execute("BEGIN")
        .await
        .map_err(query_failed(format!("starting {name} chunk {chunk}")))?;
    let copying = query_failed(format!("copying into {name} chunk {chunk}"));
    let mut sink = match binary {
        true => {
            let statement = format!("{} (FORMAT binary)", work.job.copy_in);
            let mut sink = Box::pin(
                target
                    .copy_in::<_, Bytes>(&statement)
                    .await
                    .map_err(&copying)?,
            );
            sink.send(Bytes::from_static(HEADER))
                .await
                .map_err(&copying)?;
            Some(sink)
        }
        false => Some(Box::pin(
            target
                .copy_in::<_, Bytes>(&work.job.copy_in)
                .await
                .map_err(&copying)?,
        )),
    };
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
        binary,
        hashed: hashing,
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
            Piece::Lines {
                sent: bytes,
                text,
                rows,
                ids,
            } => {
                rowids.extend(ids);
                flying_rows += rows;
                flying_bytes += bytes.len() as u64;
                control.update(work.slot, |t| {
                    t.rows_in_flight += rows;
                    t.bytes_in_flight += bytes.len() as u64;
                    t.started.get_or_insert_with(Instant::now);
                });
                if let Some(file) = spill.as_mut() {
                    file.write(text.as_deref().unwrap_or(&bytes))
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
                return Ok(Written::Committed(ChunkDone {
                    rows_read: rows,
                    stats,
                    committed: CommittedChunk {
                        rows: kept.rows,
                        rejected,
                        bytes: flying_bytes,
                        bounds: Some(work.range.describe()),
                        hash: hashing.then(|| kept.hex()),
                        hashed_rows: Some(kept.rows),
                    },
                }));
            }
            Piece::Failed(e) => {
                sink.take();
                let _ = target.batch_execute("ROLLBACK").await;
                land(flying_rows, flying_bytes, None);
                return Err(data_error(e));
            }
            Piece::NotBinary(why) => {
                sink.take();
                let _ = target.batch_execute("ROLLBACK").await;
                land(flying_rows, flying_bytes, None);
                return Ok(Written::NotBinary(why));
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
    Err(reader_stopped(name, chunk))
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
    /// `COPY … FROM STDIN` in text: refused rows are searched for in their text lines.
    copy_in: &'a str,
    /// Whether the chunk's COPY is binary (its trailer is sent before it ends).
    binary: bool,
    /// Whether its rows were hashed (a verification by hashes asked for it): else its hash is
    /// not recorded, only how many rows it kept.
    hashed: bool,
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
            Some(mut s) => {
                if chunk.binary {
                    s.send(Bytes::from_static(TRAILER)).await?;
                }
                s.as_mut().finish().await?
            }
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
            &[&chunk.run_id, &chunk.table, &(chunk.chunk as i32), &(rows as i64), &(rejected as i64), &chunk.range, &chunk.hashed.then(|| hash.hex()), &(hash.rows as i64)],
        )
        .await
}

/// Copies a refused chunk again from its spill file in one transaction: pieces of a few thousand
/// lines, each COPY under a savepoint, halved down to the refused rows, which go to
/// `godwit_copy.rejects` with the target's error, their ROWID (or script line) and their values as
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
            let (line, long) = read_line_start(&mut reader)
                .map_err(|e| failed(format!("reading the spill file: {e}")))?;
            let read = line.len();
            if read > 0 {
                row += 1;
            }
            let rowid = || {
                chunk
                    .rowids
                    .get(row - 1)
                    .cloned()
                    .unwrap_or_else(|| format!("line {row}"))
            };
            let mut long_line = None;
            if long {
                // A line with a LOB: the lines before it go first, then it streams on its own.
                long_line = Some((line, rowid()));
            } else if read > 0 {
                let mut line = line;
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                lines.push(Line {
                    data: Bytes::from(line),
                    ctid: rowid(),
                });
            }
            let flush = lines.len() >= RESCUE_ROWS || long_line.is_some() || read == 0;
            if flush && !lines.is_empty() {
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
                let out: BTreeSet<&str> = refused[before..]
                    .iter()
                    .map(|r: &Refused| r.ctid.as_str())
                    .collect();
                for line in &lines {
                    if !out.contains(line.ctid.as_str()) {
                        hash.add(row_hash(chunk.forms, &line.data));
                    } else {
                        out_lines.insert(line.ctid.clone(), line.data.clone());
                    }
                }
                lines.clear();
            }
            if let Some((start, rowid)) = long_line {
                let mut row_hash = StreamingRows::new(chunk.forms.to_vec());
                match stream_long_line(target, chunk.copy_in, &mut reader, start, &mut row_hash)
                    .await
                    .map_err(database)?
                {
                    Ok(h) => {
                        kept += 1;
                        hash.add(h);
                    }
                    Err(LongLine::Target(e)) if matches!(classify(&e), Refusal::Row) => {
                        // Set aside by its ROWID, without its values (they would be held whole).
                        refused.push(Refused::new(&rowid, &e));
                    }
                    Err(LongLine::Target(e)) => return Err(database(e)),
                    Err(LongLine::Spill(e)) => {
                        return Err(failed(format!("reading the spill file: {e}")))
                    }
                }
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
        set_aside(
            target,
            chunk.run_id,
            chunk.table,
            chunk.chunk as u32,
            &refused,
            &keys,
            &json,
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

/// Lines of the spill file longer than this are streamed on their own, never held.
const LONG_LINE: usize = 1 << 20;

/// The next line of the spill file (with its newline), or its first [`LONG_LINE`] bytes and `true`
/// when it is longer (the rest is left to [`stream_long_line`]); empty at the end.
fn read_line_start(reader: &mut impl std::io::BufRead) -> std::io::Result<(Vec<u8>, bool)> {
    let mut line = Vec::new();
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok((line, false));
        }
        let room = LONG_LINE - line.len();
        match memchr::memchr(b'\n', &buffer[..buffer.len().min(room)]) {
            Some(at) => {
                line.extend_from_slice(&buffer[..=at]);
                reader.consume(at + 1);
                return Ok((line, false));
            }
            None => {
                let take = buffer.len().min(room);
                line.extend_from_slice(&buffer[..take]);
                reader.consume(take);
                if line.len() == LONG_LINE {
                    return Ok((line, true));
                }
            }
        }
    }
}

/// Why a long line could not be tried.
enum LongLine {
    Spill(std::io::Error),
    Target(tokio_postgres::Error),
}

/// Copies one long line (its first bytes `start`, the rest still in `reader`) under a savepoint,
/// hashing it as it passes: `Ok(Ok(hash))` when the target took it, `Ok(Err(LongLine::Target(e)))`
/// when it refused it (rolled back to the savepoint). The whole line is read from `reader` either
/// way.
async fn stream_long_line(
    target: &Client,
    copy_in: &str,
    reader: &mut impl std::io::BufRead,
    start: Vec<u8>,
    row_hash: &mut StreamingRows,
) -> Result<Result<u128, LongLine>, tokio_postgres::Error> {
    under_savepoint(target, async {
        let mut hashed = None;
        let mut sending = target.copy_in::<_, Bytes>(copy_in).await.map(Box::pin);
        let mut piece = start;
        loop {
            row_hash.feed(&piece, &mut |h| hashed = Some(h));
            let ended = piece.last() == Some(&b'\n');
            if let Ok(sink) = sending.as_mut() {
                if let Err(e) = sink.send(Bytes::from(std::mem::take(&mut piece))).await {
                    sending = Err(e);
                }
            }
            if ended {
                break;
            }
            // The rest of the line, a buffer at a time (read even when the target has refused it).
            piece.clear();
            let buffer = reader.fill_buf().map_err(LongLine::Spill)?;
            if buffer.is_empty() {
                return Err(LongLine::Spill(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the spill file ends inside a line",
                )));
            }
            let take = memchr::memchr(b'\n', buffer).map_or(buffer.len(), |at| at + 1);
            piece.extend_from_slice(&buffer[..take]);
            reader.consume(take);
        }
        match sending {
            Ok(mut sink) => sink.as_mut().finish().await.map_err(LongLine::Target)?,
            Err(e) => return Err(LongLine::Target(e)),
        };
        Ok(hashed.unwrap_or_default())
    })
    .await
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
