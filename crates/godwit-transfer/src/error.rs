//! Why a copy stops, and the target's errors in words.

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
    #[error("{table} chunk {chunk}: the target rejected the row with key {key}: {message} (SQLSTATE {sqlstate}); none of the chunk's rows were kept. Resume with --resume {run_id} once the target accepts it, or add --on-error skip to set such rows aside")]
    Rejected {
        table: String,
        chunk: u32,
        /// The row's primary key as `column=value, …`, or `ctid=(block,item)` in the source.
        key: String,
        message: String,
        sqlstate: String,
        run_id: String,
    },
    #[error("verifying {table} failed: {message} (every copied chunk stays committed; resume with --resume {run_id} to verify again)")]
    Verify {
        table: String,
        message: String,
        run_id: String,
    },
    #[error("the copied rows of {table} violate foreign key {constraint}: {message}. The key is on the target NOT VALID (rows written from now on are checked, the copied ones are not); correct the rows and resume with --resume {run_id} to validate it")]
    ForeignKeyViolated {
        table: String,
        constraint: String,
        message: String,
        run_id: String,
    },
    #[error("recreating {what} after the load failed at `{statement}`: {message}. Its definition stays recorded in godwit_copy.deferred on the target; resume with --resume {run_id} to recreate it")]
    Deferred {
        what: String,
        statement: String,
        message: String,
        run_id: String,
    },
    #[error("stopped on request; resume with --resume {run_id}")]
    Stopped { run_id: String },
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
    #[error("run {0} already finished; there is nothing to resume (start a new run instead)")]
    AlreadyFinished(String),
    #[error("{table} chunk {chunk} held {recorded} when it was copied but holds {planned} now: the source table changed since the run began, so resuming could skip or repeat rows; start a new run")]
    PlanChanged {
        table: String,
        chunk: u32,
        recorded: String,
        planned: String,
    },
}

pub(crate) fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// The target's message with its detail (`Key (id)=(7) is not present in table "t".`).
pub(crate) fn db_message_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error().and_then(|db| db.detail()) {
        Some(detail) => format!("{} {detail}", db_message(e)),
        None => db_message(e),
    }
}

pub(crate) fn query_error(what: impl Into<String>) -> impl Fn(tokio_postgres::Error) -> CopyError {
    let what = what.into();
    move |e| CopyError::Query {
        what: what.clone(),
        message: db_message(&e),
    }
}
