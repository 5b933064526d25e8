//! The hash of an Oracle table's rows as the target holds them, read back in bounded memory.
//!
//! PostgreSQL sends each row of a `COPY … TO` as one message, which the client holds whole. So a
//! long value of a text, varchar or bytea column ([`hashed_in_place`](crate::canonical::hashed_in_place)) is hashed by the server where it
//! lies ([`digest_select`]): the row comes back with its length and SHA-256 instead, which is how
//! the rows sent put their long values in their hashes too ([`crate::canonical::add_field`]).

use super::TableJob;
use crate::canonical::digest_row_hash;
use crate::*;

/// Tables smaller than this many blocks (8 MB) are read back in one piece.
const PIECE_MIN_BLOCKS: i64 = 1024;

/// The order-independent hash of the table's rows as the target holds them, each field in the
/// canonical form of its column's type, read in the order of the Oracle columns. A large table is
/// read in `pieces` ranges of its blocks at once, each by its own connection to `target_url`
/// (PostgreSQL 14 or later, which scans a range of blocks without reading the rest).
pub(super) async fn read_back_hash(
    target_url: &str,
    target: &Client,
    job: &Arc<TableJob>,
    pieces: usize,
) -> Result<RowsHash, CopyError> {
    let failed = |message: String| CopyError::Query {
        what: format!("reading {} back from the target", job.name),
        message,
    };
    let ranges = block_ranges(target, job, pieces)
        .await
        .map_err(|e| failed(db_message(&e)))?;
    if ranges.len() <= 1 {
        return hash_range(
            target,
            job,
            &Range::Blocks {
                from: None,
                to: None,
            },
        )
        .await
        .map_err(failed);
    }
    let mut readers = tokio::task::JoinSet::new();
    for range in ranges {
        let (url, job) = (target_url.to_string(), job.clone());
        readers.spawn(async move {
            let client = connect("target", &url).await?;
            hash_range(&client, &job, &range)
                .await
                .map_err(|message| CopyError::Query {
                    what: format!("reading {} back from the target", job.name),
                    message,
                })
        });
    }
    let mut sum = RowsHash::default();
    while let Some(joined) = readers.join_next().await {
        let piece = joined.map_err(|e| failed(e.to_string()))??;
        sum.merge(piece);
    }
    Ok(sum)
}

/// The table's blocks split into `pieces` ranges (the first and last open), or one range when the
/// table is small, `pieces` is 1 or the server is older than 14.
async fn block_ranges(
    target: &Client,
    job: &TableJob,
    pieces: usize,
) -> Result<Vec<Range>, tokio_postgres::Error> {
    let whole = vec![Range::Blocks {
        from: None,
        to: None,
    }];
    if pieces <= 1 {
        return Ok(whole);
    }
    let row = target
        .query_one(
            "SELECT current_setting('server_version_num')::int4 >= 140000, pg_relation_size($1::text::regclass) / current_setting('block_size')::int8",
            &[&job.name],
        )
        .await?;
    let (tid_ranges, blocks): (bool, i64) = (row.get(0), row.get(1));
    if !tid_ranges || blocks < PIECE_MIN_BLOCKS {
        return Ok(whole);
    }
    let step = (blocks + pieces as i64 - 1) / pieces as i64;
    Ok((0..pieces as i64)
        .map(|i| Range::Blocks {
            from: (i > 0).then(|| (i * step) as u32),
            to: (i + 1 < pieces as i64).then(|| ((i + 1) * step) as u32),
        })
        .collect())
}

/// The hash of the table's rows in `range`, read back in this session.
async fn hash_range(target: &Client, job: &TableJob, range: &Range) -> Result<RowsHash, String> {
    target
        .batch_execute(SESSION_SETTINGS)
        .await
        .map_err(|e| db_message(&e))?;
    let sql = format!(
        "COPY (SELECT {} FROM ONLY {} x{}) TO STDOUT",
        job.digested_select(),
        job.name,
        range.filter()
    );
    let mut sum = RowsHash::default();
    read_rows(target, &sql, false, |line| {
        sum.add(digest_row_hash(&job.forms, &job.long, line))
    })
    .await?;
    Ok(sum)
}
