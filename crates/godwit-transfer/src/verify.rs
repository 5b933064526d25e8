//! Verification after the copy, and the report of a run.

use crate::*;

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

    /// Rows the target lacks beyond the rejected ones by the counts (negative: extra rows).
    pub fn lost(&self) -> i64 {
        self.source_rows - self.rejected_rows - self.target_rows
    }
}

/// What the finer checks found in one table, beside its [`TableCheck`]: rows lost, extra and
/// different (found by key when the table was rechecked, else by the counts), chunk hashes, the
/// sample.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TableFindings {
    pub table: String,
    /// Source rows missing on the target, target rows not in the source, rows whose values differ.
    pub lost: u64,
    pub extra: u64,
    pub different: u64,
    /// Lost rows as a percentage of the source rows that should have arrived.
    pub loss_percent: f64,
    /// Chunks whose source and target hashes were compared one by one (key-chunked tables under
    /// `--verify hash`), and the ranges of those that differ.
    pub chunks_compared: usize,
    pub chunks_differing: Vec<String>,
    /// Rows compared value by value (`--verify sample`); `None` when not sampled.
    pub rows_sampled: Option<u64>,
    /// Why the table was not sampled, when it was not.
    pub sample_note: Option<String>,
    /// The row-by-row recheck of a table whose counts, hashes or sample disagreed.
    pub recheck: Option<Recheck>,
}

impl TableFindings {
    /// Everything agrees.
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.extra == 0 && self.different == 0 && self.chunks_differing.is_empty()
    }
}

/// Rows found by key in a recheck of the ranges that disagreed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Recheck {
    /// What was read again on both sides: `whole table` or the differing chunks' ranges.
    pub ranges: Vec<String>,
    /// Source rows missing on the target, target rows not in the source, rows on both sides whose
    /// values differ (exact counts).
    pub lost: u64,
    pub extra: u64,
    pub different: u64,
    /// Their keys (`col=value, …`, or `ctid=(block,item)` for tables without a primary key), the
    /// first [`NAMED_ROWS`] of each.
    pub lost_keys: Vec<String>,
    pub extra_keys: Vec<String>,
    pub different_rows: Vec<DifferentRow>,
}

/// A row on both sides whose values differ.
#[derive(Clone, Debug, Serialize)]
pub struct DifferentRow {
    pub key: String,
    /// The columns whose values differ.
    pub columns: Vec<String>,
}

/// Rows named per kind in a recheck; the counts are always exact.
pub const NAMED_ROWS: usize = 100;

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
    /// What the checks found, table by table in the order of `tables`.
    #[serde(default)]
    pub findings: Vec<TableFindings>,
    /// What the load did around the rows: foreign keys validated, sequences set, triggers
    /// disabled and enabled again.
    #[serde(default)]
    pub load: LoadSteps,
}

impl CopyReport {
    /// Source rows missing on the target over all tables (by key where rechecked, else by count).
    pub fn rows_lost(&self) -> i64 {
        if self.findings.is_empty() {
            return self.tables.iter().map(|t| t.lost().max(0)).sum();
        }
        self.findings.iter().map(|f| f.lost as i64).sum()
    }

    /// Tables whose content differs: hashes differ, or rows changed.
    pub fn content_mismatches(&self) -> Vec<&str> {
        self.tables
            .iter()
            .filter(|t| {
                t.content_differs()
                    || self
                        .findings
                        .iter()
                        .any(|f| f.table == t.table && f.different > 0)
            })
            .map(|t| t.table.as_str())
            .collect()
    }

    pub fn rows_extra(&self) -> i64 {
        if self.findings.is_empty() {
            return self.tables.iter().map(|t| (-t.lost()).max(0)).sum();
        }
        self.findings.iter().map(|f| f.extra as i64).sum()
    }

    /// Rows on both sides whose values differ, over all tables.
    pub fn rows_different(&self) -> i64 {
        self.findings.iter().map(|f| f.different as i64).sum()
    }

    /// Rows the target refused over all tables, set aside in `godwit_copy.rejects`.
    pub fn rows_rejected(&self) -> i64 {
        self.tables.iter().map(|t| t.rejected_rows).sum()
    }

    /// Lost rows as a percentage of the source rows that should have arrived, over all tables.
    pub fn loss_percent(&self) -> f64 {
        let expected: i64 = self
            .tables
            .iter()
            .map(|t| (t.source_rows - t.rejected_rows).max(0))
            .sum();
        if expected == 0 {
            0.0
        } else {
            self.rows_lost() as f64 * 100.0 / expected as f64
        }
    }
}

/// A table read back from the target and hashed: in all, and per chunk when its chunks are key
/// ranges (each row goes to the chunk its key falls in).
#[derive(Clone, Debug)]
pub(crate) struct ReadBack {
    pub(crate) total: RowsHash,
    pub(crate) chunks: Option<Vec<RowsHash>>,
    /// Pieces of the read still to come (0: complete).
    pub(crate) pieces_left: u64,
}

impl ReadBack {
    /// Nothing read yet of a table read in `pieces` pieces.
    pub(crate) fn empty(plan: &TablePlan, pieces: u64) -> ReadBack {
        ReadBack {
            total: RowsHash::default(),
            chunks: plan
                .key_position()
                .map(|_| vec![RowsHash::default(); plan.ranges.len()]),
            pieces_left: pieces,
        }
    }

    /// Adds a piece's rows.
    pub(crate) fn merge(&mut self, piece: &ReadBack) {
        self.total.merge(piece.total);
        if let (Some(mine), Some(theirs)) = (self.chunks.as_mut(), piece.chunks.as_ref()) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(*b);
            }
        }
        self.pieces_left = self.pieces_left.saturating_sub(1);
    }
}

fn format_of(binary: bool) -> &'static str {
    if binary {
        "binary"
    } else {
        "text"
    }
}

/// The value of integer field `position` of a row (binary int2/int4/int8, or text).
fn integer_field(row: &[u8], position: usize, binary: bool) -> Option<i64> {
    let value = nth_field(row, position, binary)?;
    if !binary {
        return std::str::from_utf8(value).ok()?.parse().ok();
    }
    binary_integer(value)
}

/// A binary int2, int4 or int8 value.
pub(crate) fn binary_integer(value: &[u8]) -> Option<i64> {
    Some(match value.len() {
        2 => i16::from_be_bytes(value.try_into().ok()?) as i64,
        4 => i32::from_be_bytes(value.try_into().ok()?) as i64,
        8 => i64::from_be_bytes(value.try_into().ok()?),
        _ => return None,
    })
}

/// Reads a table back from the target (its copied columns in the source's order, in the chunks'
/// format) and hashes its rows as the source's were hashed while they streamed.
pub(crate) async fn read_back(
    target: &Client,
    plan: &TablePlan,
    filter: &str,
) -> Result<ReadBack, String> {
    if let Some(server) = &plan.row_hash {
        return read_back_on_server(target, plan, server, filter)
            .await
            .map_err(|e| db_message(&e));
    }
    let Some(wide) = plan.wide.as_ref().filter(|_| !plan.text) else {
        return read_back_rows(target, plan, filter, &[]).await;
    };
    // The rows too wide to read whole are found and read in the same snapshot as the others.
    in_target_snapshot(target, async {
        let wide_rows = wide
            .find(target, &plan.table, filter, true)
            .await
            .map_err(|e| db_message(&e))?;
        let mut read = read_back_rows(target, plan, filter, &wide_rows).await?;
        let key = plan.key_position();
        for ctid in &wide_rows {
            let (h, key_value) = wide
                .hash_target_row(target, &plan.table, ctid, key)
                .await
                .map_err(|e| db_message(&e))?;
            read.total.add(h);
            if let Some(chunks) = read.chunks.as_mut() {
                chunks[key_value.map_or(0, |v| plan.chunk_of_key(v))].add(h);
            }
        }
        Ok(read)
    })
    .await
}

/// The target's rows within `filter` counted and hashed by the target itself: in all, and per
/// chunk when the chunks are key ranges.
async fn read_back_on_server(
    target: &Client,
    plan: &TablePlan,
    server: &ServerRowHash,
    filter: &str,
) -> Result<ReadBack, tokio_postgres::Error> {
    let table = plan.table.to_string();
    let key = plan.key_position().and_then(|p| plan.target_names.get(p));
    let (total, chunks) = match key {
        Some(key) => {
            // Chunk i holds the keys from its lower bound, below the next chunk's.
            let bounds: Vec<i64> = plan
                .ranges
                .iter()
                .skip(1)
                .filter_map(|r| match r {
                    Range::Keys { from, .. } => *from,
                    Range::Blocks { .. } => None,
                })
                .collect();
            let chunks = server
                .target_rows_by_key(target, &table, filter, key, &bounds)
                .await?;
            let mut total = RowsHash::default();
            chunks.iter().for_each(|c| total.merge(*c));
            (total, Some(chunks))
        }
        None => (server.target_rows(target, &table, filter).await?, None),
    };
    Ok(ReadBack {
        total,
        chunks,
        pieces_left: 0,
    })
}

/// Runs `read` on the target in a read-only snapshot of its own, so that the wide rows it finds and
/// the other rows are read as of one moment.
async fn in_target_snapshot<T>(
    target: &Client,
    read: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    let done = async {
        target
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| db_message(&e))?;
        let out = read.await?;
        target
            .batch_execute("COMMIT")
            .await
            .map_err(|e| db_message(&e))?;
        Ok(out)
    }
    .await;
    if done.is_err() {
        let _ = target.batch_execute("ROLLBACK").await;
    }
    done
}

/// Reads back and hashes the rows of `plan`'s table within `filter`, except the rows at `except`.
async fn read_back_rows(
    target: &Client,
    plan: &TablePlan,
    filter: &str,
    except: &[String],
) -> Result<ReadBack, String> {
    let binary = !plan.text;
    let filter = and_except(filter, except);
    let sql = if filter.is_empty() {
        format!(
            "COPY {} ({}) TO STDOUT (FORMAT {})",
            plan.table,
            plan.target_columns,
            format_of(binary)
        )
    } else {
        format!(
            "COPY (SELECT {} FROM ONLY {} x{filter}) TO STDOUT (FORMAT {})",
            plan.target_columns,
            plan.table,
            format_of(binary)
        )
    };
    let key = plan.key_position();
    let mut hasher = RowHasher::new(binary, &plan.shapes);
    let mut total = RowsHash::default();
    let mut chunks = key.map(|_| vec![RowsHash::default(); plan.ranges.len()]);
    read_rows(target, &sql, binary, |row| {
        let h = hasher.row(row);
        total.add(h);
        if let (Some(position), Some(chunks)) = (key, chunks.as_mut()) {
            // A NULL or unreadable key cannot come from a primary key; it counts in chunk 0 and
            // makes that chunk differ.
            let chunk = integer_field(row, position, binary).map_or(0, |v| plan.chunk_of_key(v));
            chunks[chunk].add(h);
        }
    })
    .await?;
    Ok(ReadBack {
        total,
        chunks,
        pieces_left: 0,
    })
}

/// `x.ctid NOT IN (…)` for the rows at `rejected` (empty: none): rows the target refused, or too wide to read whole.
fn except_ctids(rejected: &[impl AsRef<str>]) -> Option<String> {
    if rejected.is_empty() {
        return None;
    }
    // ctids as the source printed them: `(block,item)`.
    let list: Vec<String> = rejected
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| {
            c.chars()
                .all(|ch| ch.is_ascii_digit() || "(),".contains(ch))
        })
        .map(|c| format!("'{c}'::tid"))
        .collect();
    Some(format!("x.ctid NOT IN ({})", list.join(", ")))
}

/// `filter` (empty, or ` WHERE …`) narrowed to leave out the rows at `except` (ctids).
pub(crate) fn and_except(filter: &str, except: &[impl AsRef<str>]) -> String {
    match except_ctids(except) {
        None => filter.to_string(),
        Some(except) if filter.is_empty() => format!(" WHERE {except}"),
        Some(except) => format!("{filter} AND {except}"),
    }
}

fn where_all(conditions: &[Option<String>]) -> String {
    let present: Vec<&String> = conditions.iter().flatten().collect();
    if present.is_empty() {
        String::new()
    } else {
        format!(
            " WHERE {}",
            present
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" AND ")
        )
    }
}

/// Counts (and hashes, samples, rechecks as asked) of every table on both sides, the source read
/// in the run's snapshot. Rows the target refused and the run set aside are counted apart, and left
/// out of the source's hash.
pub(crate) async fn verify(
    source: &Client,
    target: &Client,
    plans: &[TablePlan],
    verification: &Verification,
    run_id: &str,
    resumed: bool,
    readbacks: &BTreeMap<usize, ReadBack>,
) -> Result<Vec<(TableCheck, TableFindings)>, CopyError> {
    let level = verification.level;
    for (client, side) in [(source, "source"), (target, "target")] {
        client
            .batch_execute(SESSION_SETTINGS)
            .await
            .map_err(query_error(format!("setting the {side}'s session")))?;
    }
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
    let done = committed(target, run_id).await?;
    let mut tables = Vec::new();
    for (slot, plan) in plans.iter().enumerate() {
        let name = &plan.table;
        let rejected = rejects.get(&name.to_string()).cloned().unwrap_or_default();
        let chunks: Vec<&CommittedChunk> = (0..plan.ranges.len() as u32)
            .filter_map(|i| done.get(&(name.to_string(), i)))
            .collect();
        let mut check = TableCheck {
            table: name.to_string(),
            source_rows: 0,
            target_rows: 0,
            rejected_rows: rejected.len() as i64,
            source_hash: None,
            target_hash: None,
        };
        let mut found = TableFindings {
            table: name.to_string(),
            ..TableFindings::default()
        };
        if level == Verify::Off {
            // Nothing read again: the copy's own figures.
            check.target_rows = chunks.iter().map(|c| c.rows as i64).sum();
            check.source_rows = check.target_rows + check.rejected_rows;
            tables.push((check, found));
            continue;
        }
        let count = format!("SELECT count(*) FROM ONLY {name}");
        // A read-back left incomplete (a piece failed: the run would have stopped) does not count.
        let read = readbacks.get(&slot).filter(|r| r.pieces_left == 0).cloned();
        // Under hashes, when every chunk of the table read this invocation's snapshot, the source's
        // count is the rows its chunks sent (and set aside), counted as they streamed: the chunks'
        // ranges are open at both ends, so together they hold the whole table. Otherwise (counts,
        // samples, a resumed run) the source counts itself. The target's count comes with its
        // read-back when there is one.
        let streamed = (level == Verify::Hash && !resumed && chunks.len() == plan.ranges.len())
            .then(|| {
                chunks
                    .iter()
                    .map(|c| c.hashed_rows.map(|n| (n + c.rejected) as i64))
                    .sum::<Option<i64>>()
            })
            .flatten();
        let (a, b) = tokio::join!(
            async {
                match streamed {
                    Some(n) => Ok(n),
                    None => source
                        .query_one(&count, &[])
                        .await
                        .map(|r| r.get::<_, i64>(0)),
                }
            },
            async {
                match (&read, level) {
                    (Some(r), _) => Ok(r.total.rows as i64),
                    (None, Verify::Hash) => Err(None),
                    _ => target
                        .query_one(&count, &[])
                        .await
                        .map(|r| r.get::<_, i64>(0))
                        .map_err(Some),
                }
            }
        );
        check.source_rows = a.map_err(query_error(format!("counting {name} on the source")))?;
        let mut read = read;
        if level == Verify::Hash && read.is_none() {
            read = Some(
                read_back(target, plan, "")
                    .await
                    .map_err(|message| CopyError::Query {
                        what: format!("reading {name} back from the target"),
                        message,
                    })?,
            );
        }
        check.target_rows = match (b, &read) {
            (Ok(n), _) => n,
            (Err(_), Some(r)) => r.total.rows as i64,
            (Err(Some(e)), None) => {
                return Err(query_error(format!("counting {name} on the target"))(e))
            }
            (Err(None), None) => 0,
        };
        let mut recheck_ranges: Option<Vec<String>> = None;
        if let (Verify::Hash, Some(read)) = (level, &read) {
            // The source's hash is the sum of its chunks', taken while they streamed; a chunk
            // copied before hashes were kept is hashed again now (in this run's snapshot).
            let mut source_hash = RowsHash::default();
            let complete = chunks.len() == plan.ranges.len()
                && chunks
                    .iter()
                    .all(|c| plan.recorded_sum(c.hash.as_deref()).is_some());
            if complete {
                for c in &chunks {
                    let sum = plan.recorded_sum(c.hash.as_deref()).unwrap_or(0);
                    let rows = c.hashed_rows.unwrap_or(c.rows);
                    source_hash.merge(RowsHash { rows, sum });
                }
            } else {
                let filter = where_all(&[except_ctids(&rejected)]);
                let what = format!("hashing {name} on the source");
                source_hash = match &plan.row_hash {
                    Some(server) => server
                        .source_rows(source, &name.to_string(), &filter)
                        .await
                        .map_err(query_error(what))?,
                    None => {
                        let sql = format!(
                            "COPY (SELECT {} FROM ONLY {name} x{filter}) TO STDOUT (FORMAT {})",
                            plan.columns,
                            format_of(!plan.text)
                        );
                        hash_rows(source, &sql, !plan.text, &plan.shapes)
                            .await
                            .map_err(|message| CopyError::Query { what, message })?
                    }
                };
            }
            check.source_hash = Some(plan.hash_text(&source_hash));
            check.target_hash = Some(plan.hash_text(&read.total));
            if let (Some(per_chunk), true) = (&read.chunks, complete) {
                found.chunks_compared = per_chunk.len();
                let differing: Vec<String> = chunks
                    .iter()
                    .zip(per_chunk)
                    .zip(&plan.ranges)
                    .filter(|((c, t), _)| plan.recorded_sum(c.hash.as_deref()) != Some(t.sum))
                    .map(|(_, r)| r.filter())
                    .collect();
                found.chunks_differing = plan
                    .ranges
                    .iter()
                    .filter(|r| differing.contains(&r.filter()))
                    .map(|r| r.describe())
                    .collect();
                if !differing.is_empty() {
                    recheck_ranges = Some(differing);
                }
            }
        }
        if level == Verify::Sample {
            match sample(
                source,
                target,
                plan,
                verification.sample_rows,
                check.source_rows,
                &rejected,
            )
            .await
            .map_err(|message| CopyError::Query {
                what: format!("sampling {name}"),
                message,
            })? {
                Some((sampled, mismatched)) => {
                    found.rows_sampled = Some(sampled);
                    if mismatched {
                        found.recheck = Some(Recheck::default());
                    }
                }
                None => {
                    found.sample_note =
                        Some("no primary key: rows cannot be fetched by key, counted only".into())
                }
            }
        }
        let disagrees = check.lost() != 0
            || matches!((&check.source_hash, &check.target_hash), (Some(a), Some(b)) if a != b)
            || found.recheck.is_some();
        if disagrees {
            found.recheck = Some(
                recheck(source, target, plan, recheck_ranges, &rejected)
                    .await
                    .map_err(|message| CopyError::Query {
                        what: format!("rechecking {name} row by row"),
                        message,
                    })?,
            );
        }
        match &found.recheck {
            Some(r) => (found.lost, found.extra, found.different) = (r.lost, r.extra, r.different),
            None => {
                found.lost = check.lost().max(0) as u64;
                found.extra = (-check.lost()).max(0) as u64;
            }
        }
        let expected = (check.source_rows - check.rejected_rows).max(0);
        found.loss_percent = if expected == 0 {
            0.0
        } else {
            found.lost as f64 * 100.0 / expected as f64
        };
        tables.push((check, found));
    }
    Ok(tables)
}

/// Buckets rows are spread over by key in a recheck.
const BUCKETS: usize = 1024;
/// Rows held in memory at most per side in the second pass of a recheck.
const RECHECK_ROWS: u64 = 200_000;

/// One row of a recheck: its key (as text) and the hashes of its values.
struct KeyedRow {
    key: String,
    hash: u128,
    fields: Vec<u64>,
}

impl KeyedRow {
    fn new(key: String, fields: Vec<u64>) -> KeyedRow {
        let bytes: Vec<u8> = fields.iter().flat_map(|h| h.to_le_bytes()).collect();
        KeyedRow {
            key,
            hash: xxhash_rust::xxh3::xxh3_128(&bytes),
            fields,
        }
    }
}

/// Reads the rows of `plan`'s table on one side with their key first, calling `row` with each.
async fn keyed_rows(
    client: &Client,
    plan: &TablePlan,
    target_side: bool,
    filter: &str,
    mut row: impl FnMut(KeyedRow),
) -> Result<(), String> {
    let binary = !plan.text;
    let columns = if target_side {
        &plan.target_columns
    } else {
        &plan.columns
    };
    let key = if target_side && !plan.has_key {
        "'target ctid=' || x.ctid::text".to_string()
    } else {
        plan.key.clone()
    };
    let Some(wide) = plan.wide.as_ref().filter(|_| binary) else {
        return keyed_copy(client, plan, &key, columns, filter, &[], row).await;
    };
    // Rows too wide to read whole are found, and read field by field, in one snapshot with the
    // others (the source's side already reads the run's snapshot).
    let read = async {
        let wide_rows = wide
            .find(client, &plan.table, filter, target_side)
            .await
            .map_err(|e| db_message(&e))?;
        keyed_copy(client, plan, &key, columns, filter, &wide_rows, &mut row).await?;
        for ctid in &wide_rows {
            let (key, fields) = wide
                .keyed_row(client, &plan.table, ctid, &key, target_side)
                .await
                .map_err(|e| db_message(&e))?;
            row(KeyedRow::new(key, fields));
        }
        Ok(())
    };
    if target_side {
        in_target_snapshot(client, read).await
    } else {
        read.await
    }
}

/// [`keyed_rows`] through one COPY, leaving out the rows at `except` (ctids).
async fn keyed_copy(
    client: &Client,
    plan: &TablePlan,
    key: &str,
    columns: &str,
    filter: &str,
    except: &[String],
    mut row: impl FnMut(KeyedRow),
) -> Result<(), String> {
    let binary = !plan.text;
    let filter = and_except(filter, except);
    let sql = format!(
        "COPY (SELECT {key}, {columns} FROM ONLY {} x{filter}) TO STDOUT (FORMAT {})",
        plan.table,
        format_of(binary)
    );
    let mut shapes = vec![Shape::Plain];
    shapes.extend(plan.shapes.iter().cloned());
    let mut hasher = RowHasher::new(binary, &shapes);
    read_rows(client, &sql, binary, |data| {
        let mut hashes = hasher.field_hashes(data);
        // The first field is the key, matched as text; the rest are the row's values.
        if !hashes.is_empty() {
            hashes.remove(0);
        }
        let key = fields(data, binary)
            .first()
            .copied()
            .flatten()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .unwrap_or_default();
        row(KeyedRow::new(key, hashes))
    })
    .await
}

/// The bucket of a row: by its key's hash (primary key), else by its values' hash.
fn bucket(plan: &TablePlan, row: &KeyedRow) -> usize {
    let h = if plan.has_key {
        xxhash_rust::xxh3::xxh3_64(row.key.as_bytes())
    } else {
        row.hash as u64
    };
    (h % BUCKETS as u64) as usize
}

/// Reads the rows that disagree again on both sides and names them: first a hash per bucket of
/// keys on each side, then, bucket group by bucket group (bounded memory), the rows of the buckets
/// that differ, matched by primary key (by their values for tables without one).
async fn recheck(
    source: &Client,
    target: &Client,
    plan: &TablePlan,
    ranges: Option<Vec<String>>,
    rejected: &[String],
) -> Result<Recheck, String> {
    let range = ranges.as_ref().map(|filters| {
        filters
            .iter()
            .map(|f| format!("({})", f.trim_start_matches(" WHERE ")))
            .collect::<Vec<_>>()
            .join(" OR ")
    });
    let source_filter = where_all(&[range.clone(), except_ctids(rejected)]);
    let target_filter = where_all(&[range]);
    let mut report = Recheck {
        ranges: match &ranges {
            None => vec!["whole table".into()],
            Some(_) => plan
                .ranges
                .iter()
                .filter(|r| ranges.as_ref().is_some_and(|f| f.contains(&r.filter())))
                .map(|r| r.describe())
                .collect(),
        },
        ..Recheck::default()
    };
    // Pass 1: a hash per bucket on each side.
    let mut sides = [
        vec![RowsHash::default(); BUCKETS],
        vec![RowsHash::default(); BUCKETS],
    ];
    {
        let [s, t] = &mut sides;
        let (a, b) = tokio::join!(
            keyed_rows(source, plan, false, &source_filter, |r| s[bucket(plan, &r)]
                .add(r.hash)),
            keyed_rows(target, plan, true, &target_filter, |r| t[bucket(plan, &r)]
                .add(r.hash)),
        );
        a?;
        b?;
    }
    let differing: Vec<usize> = (0..BUCKETS)
        .filter(|&b| sides[0][b] != sides[1][b])
        .collect();
    // Pass 2, in groups of buckets small enough to hold.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut size = u64::MAX;
    for b in differing {
        let rows = sides[0][b].rows.max(sides[1][b].rows);
        if size.saturating_add(rows) > RECHECK_ROWS {
            groups.push(Vec::new());
            size = 0;
        }
        size += rows;
        if let Some(g) = groups.last_mut() {
            g.push(b);
        }
    }
    for group in groups {
        let mut wanted = [false; BUCKETS];
        for b in &group {
            wanted[*b] = true;
        }
        let mut source_rows: Vec<KeyedRow> = Vec::new();
        let mut target_rows: Vec<KeyedRow> = Vec::new();
        let (a, b) = tokio::join!(
            keyed_rows(source, plan, false, &source_filter, |r| {
                if wanted[bucket(plan, &r)] {
                    source_rows.push(r)
                }
            }),
            keyed_rows(target, plan, true, &target_filter, |r| {
                if wanted[bucket(plan, &r)] {
                    target_rows.push(r)
                }
            }),
        );
        a?;
        b?;
        compare_rows(plan, source_rows, target_rows, &mut report);
    }
    Ok(report)
}

/// Matches the rows of both sides and adds the lost, extra and different ones to `report`.
fn compare_rows(
    plan: &TablePlan,
    source: Vec<KeyedRow>,
    target: Vec<KeyedRow>,
    report: &mut Recheck,
) {
    fn name(list: &mut Vec<String>, key: String) {
        if list.len() < NAMED_ROWS {
            list.push(key);
        }
    }
    if plan.has_key {
        let mut by_key: std::collections::HashMap<String, KeyedRow> =
            source.into_iter().map(|r| (r.key.clone(), r)).collect();
        for t in target {
            match by_key.remove(&t.key) {
                None => {
                    report.extra += 1;
                    name(&mut report.extra_keys, t.key);
                }
                Some(s) if s.hash != t.hash => {
                    report.different += 1;
                    if report.different_rows.len() < NAMED_ROWS {
                        let columns = plan
                            .column_names
                            .iter()
                            .zip(s.fields.iter().zip(&t.fields))
                            .filter(|(_, (a, b))| a != b)
                            .map(|(c, _)| c.clone())
                            .collect();
                        report.different_rows.push(DifferentRow {
                            key: t.key,
                            columns,
                        });
                    }
                }
                Some(_) => {}
            }
        }
        let mut lost: Vec<String> = by_key.into_keys().collect();
        lost.sort();
        report.lost += lost.len() as u64;
        for key in lost {
            name(&mut report.lost_keys, key);
        }
    } else {
        // No key: rows are matched by their values; a row is lost when the source holds more
        // copies of it than the target.
        let mut by_hash: BTreeMap<u128, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for s in source {
            by_hash.entry(s.hash).or_default().0.push(s.key);
        }
        for t in target {
            by_hash.entry(t.hash).or_default().1.push(t.key);
        }
        for (_, (s, t)) in by_hash {
            if s.len() > t.len() {
                report.lost += (s.len() - t.len()) as u64;
                for key in s.into_iter().skip(t.len()) {
                    name(&mut report.lost_keys, key);
                }
            } else if t.len() > s.len() {
                report.extra += (t.len() - s.len()) as u64;
                for key in t.into_iter().skip(s.len()) {
                    name(&mut report.extra_keys, key);
                }
            }
        }
    }
}

/// Compares up to `rows` rows of a table with a primary key value by value (the MD5 of each value's
/// text, both sides read with the same session settings): the sample is drawn from the source, and the same keys
/// fetched from the target. Returns the rows compared and whether any was missing or different;
/// `None` for tables without a primary key.
async fn sample(
    source: &Client,
    target: &Client,
    plan: &TablePlan,
    rows: u64,
    source_rows: i64,
    rejected: &[String],
) -> Result<Option<(u64, bool)>, String> {
    if !plan.has_key || plan.key_columns.is_empty() {
        return Ok(None);
    }
    if rows == 0 || source_rows <= 0 {
        return Ok(Some((0, false)));
    }
    let name = &plan.table;
    let keys = plan
        .key_columns
        .iter()
        .map(|c| format!("x.{}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    // Twice the share wanted, so that about `rows` rows come back; a small table whole.
    let percent = (rows as f64 * 200.0 / source_rows as f64).clamp(0.0001, 100.0);
    let tablesample = if percent >= 100.0 {
        String::new()
    } else {
        format!(" TABLESAMPLE BERNOULLI ({percent})")
    };
    let picked: Option<String> = source
        .query_one(
            &format!(
                "SELECT json_agg(k)::text FROM (SELECT {keys} FROM ONLY {name} x{tablesample}{} LIMIT {rows}) k",
                where_all(&[except_ctids(rejected)])
            ),
            &[],
        )
        .await
        .map_err(|e| db_message(&e))?
        .get(0);
    let Some(picked) = picked else {
        return Ok(Some((0, false)));
    };
    // Each value compared by the MD5 of its text, so that a sample of wide rows stays small.
    let fetch = |columns: &str| {
        let texts = columns
            .split(", ")
            .map(|c| format!("md5(x.{c}::text)"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT {}, {texts} FROM ONLY {name} x WHERE ({keys}) IN (SELECT {} FROM json_populate_recordset(NULL::{name}, $1::text::json) j)",
            plan.key,
            plan.key_columns
                .iter()
                .map(|c| format!("j.{}", quote_ident(c)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let (source_sql, target_sql) = (fetch(&plan.columns), fetch(&plan.target_columns));
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&picked];
    let (a, b) = tokio::join!(
        source.query(&source_sql, &params),
        target.query(&target_sql, &params)
    );
    let values = |rows: Vec<tokio_postgres::Row>| -> BTreeMap<String, Vec<Option<String>>> {
        rows.iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    (1..r.len())
                        .map(|i| r.get::<_, Option<String>>(i))
                        .collect(),
                )
            })
            .collect()
    };
    let source_values = values(a.map_err(|e| db_message(&e))?);
    let target_values = values(b.map_err(|e| db_message(&e))?);
    let mismatched = source_values
        .iter()
        .any(|(key, v)| target_values.get(key) != Some(v));
    Ok(Some((source_values.len() as u64, mismatched)))
}
