//! Where an Oracle table's rows come from: the [`OracleRows`] a copy reads through, and a live
//! database's ([`LiveRows`]: ROWID ranges of the table's extents, read at one SCN).

use super::OracleTable;
use crate::*;
use godwit_oracle::chunks::{chunk_sql, current_scn, plan_ranges, Plan, RowRange};
use godwit_oracle::data::{read_columns, DataError, Field, OracleColumn};
use godwit_oracle::live::OracleSession;

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
    /// Streams the rows of one chunk: each row's identity (its ROWID) and its values (LOBs as
    /// streams where the source can read them in pieces), until `row` returns false.
    fn read(
        &mut self,
        table: &OracleTable,
        columns: &[OracleColumn],
        range: &RowRange,
        snapshot: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
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
        row: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
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
            .query_fields("table data", &sql, &binds, &mut |mut fields| {
                let rowid = match fields.is_empty() {
                    true => None,
                    false => match fields.remove(0) {
                        Field::Value(rowid) => rowid,
                        _ => None,
                    },
                };
                row(rowid.unwrap_or_default(), fields)
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
