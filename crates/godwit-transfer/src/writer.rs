//! The writer: one chunk per target transaction, the source's COPY passed through to the target's,
//! and the search for refused rows when the target refuses the chunk.

use crate::*;

/// Bytes sent to the target per COPY message.
pub(crate) const BATCH_BYTES: usize = 1 << 20;
/// Rows tried at once when a chunk is searched for refused rows.
pub(crate) const RESCUE_ROWS: usize = 4096;
/// Times a chunk is tried again after a deadlock or serialization failure on the target.
pub(crate) const RETRIES: u32 = 3;

/// What a copy worker needs besides its connections.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) snapshot: String,
    pub(crate) run_id: String,
    pub(crate) on_error: OnError,
    pub(crate) control: Control,
    /// The source is SQL_ASCII: it sends its bytes as they are and the target, still reading UTF-8,
    /// checks them (refusing invalid ones row by row). Asking a SQL_ASCII server for UTF-8 would make
    /// it refuse to send a whole chunk holding one invalid value. (The target must not be told
    /// SQL_ASCII: its COPY would then take invalid bytes unchecked.)
    pub(crate) raw_bytes: bool,
    pub(crate) verify: Verify,
    /// Workers copying at once, and the planned chunk size in blocks.
    pub(crate) jobs: usize,
    pub(crate) chunk_pages: u32,
}

/// A chunk that committed: rows written, COPY bytes read, rows refused and set aside.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Copied {
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
    pub(crate) rejected: u64,
    /// The hash of the source rows the chunk kept, taken as they passed or by the source server.
    pub(crate) hash: RowsHash,
}

/// Why a chunk did not commit.
pub(crate) enum ChunkError {
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
pub(crate) enum Refusal {
    /// The target refuses a row: data exception (22), integrity constraint (23), trigger exception.
    Row,
    /// Deadlock or serialization failure.
    Retry,
    Other,
}

pub(crate) fn classify(e: &tokio_postgres::Error) -> Refusal {
    match e.code().map(|c| c.code()) {
        Some(c) if c.starts_with("22") || c.starts_with("23") || c == "P0001" => Refusal::Row,
        Some("40P01" | "40001") => Refusal::Retry,
        _ => Refusal::Other,
    }
}

pub(crate) fn chunk_error(e: &tokio_postgres::Error) -> ChunkError {
    match classify(e) {
        Refusal::Retry => ChunkError::Retry(db_message(e)),
        _ => ChunkError::Failed(db_message(e)),
    }
}

/// Rows and bytes of a chunk on their way, shown in [`TableStatus`] until the chunk ends.
pub(crate) struct Flight<'a> {
    pub(crate) control: &'a Control,
    pub(crate) slot: usize,
    pub(crate) rows: u64,
    pub(crate) bytes: u64,
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

pub(crate) async fn begin_source(
    source: &Client,
    snapshot: &str,
) -> Result<(), tokio_postgres::Error> {
    source
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"
        ))
        .await
}

/// Copies one chunk in one target transaction that also records it. When the target refuses a row,
/// the chunk is copied again piece by piece to find the refused rows ([`rescue`]).
pub(crate) async fn copy_chunk(
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

/// The source's COPY of a chunk, leaving out the rows at `except` (ctids). A whole table is copied
/// with `COPY table TO` (faster than a query); a range with a query.
pub(crate) fn chunk_copy_out(chunk: &Chunk, except: &[&str]) -> String {
    let format = if chunk.text { "text" } else { "binary" };
    let mut filter = chunk.range.filter();
    if !except.is_empty() {
        let list = except
            .iter()
            .map(|c| format!("'{c}'::tid"))
            .collect::<Vec<_>>()
            .join(", ");
        let condition = format!("x.ctid NOT IN ({list})");
        filter = if filter.is_empty() {
            format!(" WHERE {condition}")
        } else {
            format!("{filter} AND {condition}")
        };
    }
    if filter.is_empty() {
        format!(
            "COPY {} ({}) TO STDOUT (FORMAT {format})",
            chunk.table, chunk.columns
        )
    } else {
        format!(
            "COPY (SELECT {} FROM ONLY {} x{filter}) TO STDOUT (FORMAT {format})",
            chunk.columns, chunk.table
        )
    }
}

/// Why streaming a chunk whole failed.
pub(crate) enum Streamed {
    /// The target refused a row (the transaction rolled back).
    Refused(tokio_postgres::Error),
    Chunk(ChunkError),
}

/// The fast path: the source's COPY passed through to the target's COPY as it comes.
pub(crate) async fn stream_chunk(
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
        Stream(String),
        Stopped,
    }
    let mut flight = Flight::new(&ctx.control, chunk.slot);
    let format = if chunk.text { "text" } else { "binary" };
    let result = async {
        // Rows too wide to pass through whole are left out of the COPY and sent on their own.
        let wide_rows = match &chunk.wide {
            Some(wide) => wide.find(source, &chunk.table, &chunk.range.filter(), false).await.map_err(Failure::Source)?,
            None => Vec::new(),
        };
        let except: Vec<&str> = wide_rows.iter().map(String::as_str).collect();
        let out = source.copy_out(&chunk_copy_out(chunk, &except)).await.map_err(Failure::Source)?;
        let sink = target.copy_in(&format!("COPY {} ({}) FROM STDIN (FORMAT {format})", chunk.table, chunk.target_columns)).await.map_err(Failure::Target)?;
        futures_util::pin_mut!(out);
        futures_util::pin_mut!(sink);
        let stopped = ctx.control.stopped();
        futures_util::pin_mut!(stopped);
        // The source sends a message per row; the target gets them in batches of about 1 MB (COPY
        // data may be split anywhere), so memory stays bounded whatever the row size.
        let (mut bytes, mut messages) = (0u64, 0u64);
        let mut batch = BytesMut::with_capacity(BATCH_BYTES);
        // Every row hashed as it passes (the source's side of the verification), as the target
        // server will hash it when it can.
        let mut hash = match &chunk.row_hash {
            Some(server) => StreamHash::with(true, server.client_rows()),
            None => StreamHash::new(!chunk.text, &chunk.shapes),
        };
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
            hash.feed(&piece).map_err(Failure::Stream)?;
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
        let mut rows = tokio::select! {
            biased;
            _ = &mut stopped => return Err(Failure::Stopped),
            rows = sink.finish() => rows.map_err(Failure::Target)?,
        };
        if let (Some(wide), false) = (&chunk.wide, wide_rows.is_empty()) {
            let (written, sent) = wide
                .send(source, target, &chunk.table, &chunk.target_columns, &wide_rows, &ctx.control, &mut hash.total, chunk.row_hash.as_ref().map(|s| s.forms()))
                .await
                .map_err(|e| match e {
                    WideError::Source(e) => Failure::Source(e),
                    WideError::Target(e) => Failure::Target(e),
                    WideError::Stopped => Failure::Stopped,
                })?;
            tracing::info!(table = %chunk.table, chunk = chunk.index, rows = written, bytes = sent, "sent rows too wide to pass through whole, field by field");
            flight.add(written, sent);
            rows += written;
            bytes += sent;
        }
        let hash = hash.finish().map_err(Failure::Stream)?;
        // `rows` is what the target wrote: fewer than the source sent when a target trigger drops
        // rows, which verification then finds and names.
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds, hash, hashed_rows) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)",
                &[&ctx.run_id, &chunk.table.to_string(), &(chunk.index as i32), &(rows as i64), &(bytes as i64), &chunk.range.describe(), &chunk.hash_text(&hash), &(hash.rows as i64)],
            )
            .await
            .map_err(Failure::Record)?;
        // Deferred constraints are checked here.
        target.batch_execute("COMMIT").await.map_err(Failure::Target)?;
        Ok((rows, bytes, hash))
    }
    .await;
    match result {
        Ok((rows, bytes, hash)) => {
            // The source transaction only read; the chunk is committed whatever it answers.
            let _ = source.batch_execute("COMMIT").await;
            Ok(Copied {
                rows,
                bytes,
                rejected: 0,
                hash,
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
                Failure::Stream(message) => Streamed::Chunk(ChunkError::Failed(message)),
                Failure::Stopped => Streamed::Chunk(ChunkError::Stopped),
            })
        }
    }
}

/// One source row as a line of COPY text (without its newline) and its ctid in the snapshot.
pub(crate) struct Line {
    pub(crate) data: Bytes,
    pub(crate) ctid: String,
}

/// Sets `refused` rows aside in `godwit_copy.rejects`, in the caller's transaction: each with its
/// key (`keys`, in the same order), its values as JSON (`json`) and the target's error.
pub(crate) async fn set_aside<J: tokio_postgres::types::ToSql + Sync>(
    target: &Client,
    run_id: &str,
    table: &str,
    chunk: u32,
    refused: &[Refused],
    keys: &[String],
    json: &[Option<J>],
) -> Result<u64, tokio_postgres::Error> {
    let ctids: Vec<&str> = refused.iter().map(|r| r.ctid.as_str()).collect();
    let states: Vec<&str> = refused.iter().map(|r| r.sqlstate.as_str()).collect();
    let messages: Vec<&str> = refused.iter().map(|r| r.message.as_str()).collect();
    let details: Vec<Option<&str>> = refused.iter().map(|r| r.detail.as_deref()).collect();
    target
        .execute(
            "INSERT INTO godwit_copy.rejects (run_id, table_name, chunk, row_key, row_json, source_ctid, sqlstate, message, detail)
             SELECT $1, $2, $3, u.k, u.j, u.c, u.s, u.m, u.d
               FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(k, j, c, s, m, d)",
            &[&run_id, &table, &(chunk as i32), &keys, &json, &ctids, &states, &messages, &details],
        )
        .await
}

/// A row the target refused.
pub(crate) struct Refused {
    pub(crate) ctid: String,
    pub(crate) sqlstate: String,
    pub(crate) message: String,
    pub(crate) detail: Option<String>,
}

impl Refused {
    /// The source row at `ctid`, refused with the target's error `e`.
    pub(crate) fn new(ctid: &str, e: &tokio_postgres::Error) -> Refused {
        let db = e.as_db_error();
        Refused {
            ctid: ctid.to_string(),
            sqlstate: e.code().map(|c| c.code().to_string()).unwrap_or_default(),
            message: db
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string()),
            detail: db.and_then(|d| d.detail()).map(str::to_string),
        }
    }
}

/// Copies a chunk whose COPY the target refused, in one transaction: the source rows (as text, with
/// their ctid) in pieces of a few thousand, each COPY under a savepoint; a piece that fails is halved
/// until the refused rows stand alone. With [`OnError::Skip`] those rows go to `godwit_copy.rejects`
/// with the target's error and the chunk commits; with [`OnError::Stop`] the first one stops the run.
pub(crate) async fn rescue(
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
    // Rows too wide to read whole are tried one by one after the others, field by field.
    let mut wide_hash = RowsHash::default();
    let mut wide_rows = Vec::new();
    let result = async {
        if let Some(wide) = &chunk.wide {
            wide_rows = wide
                .find(source, &chunk.table, &chunk.range.filter(), false)
                .await
                .map_err(failed)?;
        }
        let select = if chunk.columns.is_empty() {
            "x.ctid".to_string()
        } else {
            format!("{}, x.ctid", chunk.columns)
        };
        let out = source
            .copy_out(&format!(
                "COPY (SELECT {select} FROM ONLY {} x{}) TO STDOUT",
                chunk.table,
                and_except(&chunk.range.filter(), &wide_rows)
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
            }
            // The source sends a row per message: pieces stay near RESCUE_ROWS rows.
            let full = lines.len() >= RESCUE_ROWS || size >= BATCH_BYTES;
            if !lines.is_empty() && (full || ended) {
                let n = insert_lines(
                    target,
                    &copy_in,
                    &lines,
                    ctx.on_error,
                    &ctx.control,
                    &mut refused,
                )
                .await?;
                flight.add(n, size as u64);
                (rows, bytes) = (rows + n, bytes + size as u64);
                lines.clear();
                size = 0;
                if ctx.on_error == OnError::Stop && !refused.is_empty() {
                    return Ok((rows, bytes));
                }
            }
        }
        if let Some(wide) = &chunk.wide {
            for ctid in &wide_rows {
                if ctx.on_error == OnError::Stop && !refused.is_empty() {
                    break;
                }
                let mut hash = RowsHash::default();
                let sent = wide.send(
                    source,
                    target,
                    &chunk.table,
                    &chunk.target_columns,
                    std::slice::from_ref(ctid),
                    &ctx.control,
                    &mut hash,
                    chunk.row_hash.as_ref().map(|s| s.forms()),
                );
                match under_savepoint(target, sent).await.map_err(failed)? {
                    Ok((n, sent)) => {
                        wide_hash.merge(hash);
                        flight.add(n, sent);
                        (rows, bytes) = (rows + n, bytes + sent);
                    }
                    Err(WideError::Target(e)) if matches!(classify(&e), Refusal::Row) => {
                        refused.push(Refused::new(ctid, &e));
                    }
                    Err(WideError::Target(e) | WideError::Source(e)) => return Err(failed(e)),
                    Err(WideError::Stopped) => return Err(ChunkError::Stopped),
                }
            }
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
        // A wide row is set aside without its values: they would be held whole as JSON.
        let named: BTreeMap<String, (String, Option<String>)> = if ctids.is_empty() {
            BTreeMap::new()
        } else {
            source
                .query(
                    &format!(
                        "SELECT x.ctid::text, textsend({}), CASE WHEN x.ctid <> ALL($2::text[]::tid[]) THEN textsend(row_to_json(x)::text) END FROM ONLY {} x WHERE x.ctid = ANY($1::text[]::tid[])",
                        chunk.key, chunk.table
                    ),
                    &[&ctids, &wide_rows],
                )
                .await
                .map_err(failed)?
                .iter()
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        (
                            String::from_utf8_lossy(r.get::<_, &[u8]>(1)).into_owned(),
                            r.get::<_, Option<&[u8]>>(2)
                                .map(|j| String::from_utf8_lossy(j).into_owned()),
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
                .map(|r| named.get(&r.ctid).and_then(|(_, j)| j.as_deref()))
                .collect();
            set_aside(
                target,
                &ctx.run_id,
                &chunk.table.to_string(),
                chunk.index,
                &refused,
                &keys,
                &json,
            )
            .await
            .map_err(failed)?;
        }
        // The hash of the rows the chunk kept, in the chunk's own format, read again in the same
        // snapshot without the refused ones (this path is rare: refused rows).
        // The wide rows kept were hashed as they were sent.
        let hash = match &chunk.row_hash {
            Some(server) => {
                let kept = and_except(&chunk.range.filter(), &ctids);
                server.source_rows(source, &chunk.table.to_string(), &kept).await.map_err(failed)?
            }
            None => {
                let mut except = ctids.clone();
                except.extend(wide_rows.iter().map(String::as_str));
                let mut hash = hash_rows(source, &chunk_copy_out(chunk, &except), !chunk.text, &chunk.shapes)
                    .await
                    .map_err(ChunkError::Failed)?;
                hash.merge(wide_hash);
                hash
            }
        };
        target
            .execute(
                "INSERT INTO godwit_copy.progress (run_id, table_name, chunk, rows, rejected, bytes, bounds, hash, hashed_rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[&ctx.run_id, &chunk.table.to_string(), &(chunk.index as i32), &(rows as i64), &(refused.len() as i64), &(bytes as i64), &chunk.range.describe(), &chunk.hash_text(&hash), &(hash.rows as i64)],
            )
            .await
            .map_err(failed)?;
        target.batch_execute("COMMIT").await.map_err(failed)?;
        Ok(hash)
    }
    .await;
    match finish {
        Ok(hash) => {
            let _ = source.batch_execute("COMMIT").await;
            Ok(Copied {
                rows,
                bytes,
                rejected: refused.len() as u64,
                hash,
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
pub(crate) async fn insert_lines(
    target: &Client,
    copy_in: &str,
    lines: &[Line],
    on_error: OnError,
    control: &Control,
    refused: &mut Vec<Refused>,
) -> Result<u64, ChunkError> {
    let mut inserted = 0;
    let mut pieces = vec![(0, lines.len())];
    while let Some((from, to)) = pieces.pop() {
        if from == to {
            continue;
        }
        if control.is_stopped() {
            return Err(ChunkError::Stopped);
        }
        match try_lines(target, copy_in, &lines[from..to])
            .await
            .map_err(|e| chunk_error(&e))?
        {
            Ok(n) => inserted += n,
            Err(e) => match classify(&e) {
                Refusal::Row if to - from == 1 => {
                    refused.push(Refused::new(&lines[from].ctid, &e));
                    if on_error == OnError::Stop {
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
pub(crate) async fn try_lines(
    target: &Client,
    copy_in: &str,
    lines: &[Line],
) -> Result<Result<u64, tokio_postgres::Error>, tokio_postgres::Error> {
    under_savepoint(target, async {
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
    })
    .await
}

/// Runs `attempt` on the target under a savepoint: released when it succeeds, rolled back to when
/// it fails, so that the transaction goes on either way. `Err` only when the savepoint itself fails.
pub(crate) async fn under_savepoint<T, E>(
    target: &Client,
    attempt: impl std::future::Future<Output = Result<T, E>>,
) -> Result<Result<T, E>, tokio_postgres::Error> {
    target.batch_execute("SAVEPOINT godwit_rows").await?;
    let outcome = attempt.await;
    let end = match outcome {
        Ok(_) => "RELEASE SAVEPOINT godwit_rows",
        Err(_) => "ROLLBACK TO SAVEPOINT godwit_rows",
    };
    target.batch_execute(end).await?;
    Ok(outcome)
}
