//! The hash of an Oracle table's rows as the target holds them, read back in bounded memory.
//!
//! PostgreSQL sends each row of a `COPY … TO` as one message, which the client holds whole. So a
//! long value of a text, varchar or bytea column ([`hashed_in_place`](crate::canonical::hashed_in_place)) is hashed by the server where it
//! lies ([`digest_select`]): the row comes back with its length and SHA-256 instead, which is how
//! the rows sent put their long values in their hashes too ([`crate::canonical::add_field`]).

use super::TableJob;
use crate::canonical::digest_row_hash;
use crate::*;

/// The order-independent hash of the table's rows as the target holds them, each field in the
/// canonical form of its column's type, read in the order of the Oracle columns.
pub(super) async fn read_back_hash(target: &Client, job: &TableJob) -> Result<RowsHash, CopyError> {
    let failed = |message: String| CopyError::Query {
        what: format!("reading {} back from the target", job.name),
        message,
    };
    target
        .batch_execute(SESSION_SETTINGS)
        .await
        .map_err(|e| failed(db_message(&e)))?;
    let sql = format!(
        "COPY (SELECT {} FROM ONLY {}) TO STDOUT",
        job.digested_select(),
        job.name
    );
    let mut sum = RowsHash::default();
    read_rows(target, &sql, false, |line| {
        sum.add(digest_row_hash(&job.forms, &job.long, line))
    })
    .await
    .map_err(failed)?;
    Ok(sum)
}
