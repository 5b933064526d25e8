//! The offline source's rows: the tables an exported Oracle script creates and the rows it inserts
//! (`godwit_oracle::script_data`), copied through the same Oracle path as a live database's rows:
//! the same canonical text, COPY lines, chunk transactions, resume and verification. A row is named
//! by the file and line of its VALUES.

use crate::*;
use godwit_oracle::chunks::{Plan, RowRange};
use godwit_oracle::data::{DataError, Field, OracleColumn};
use godwit_oracle::script_data::ScriptData;

/// The owner an exported script's tables are listed under (a script names no schema of its own).
pub const SCRIPT_OWNER: &str = "SCRIPT";

/// An exported script's rows as an Oracle row source. Cheap to clone: every job shares the rows.
#[derive(Clone)]
pub struct ScriptRows {
    data: Arc<ScriptData>,
}

impl ScriptRows {
    pub fn new(data: Arc<ScriptData>) -> ScriptRows {
        ScriptRows { data }
    }

    /// Opens a source per job, all reading the same rows.
    pub fn opener(data: Arc<ScriptData>) -> OpenRows {
        Arc::new(move || Ok(Box::new(ScriptRows::new(data.clone())) as Box<dyn OracleRows>))
    }

    fn table(
        &self,
        table: &OracleTable,
    ) -> Result<&godwit_oracle::script_data::ScriptTable, DataError> {
        self.data
            .table(&table.table)
            .ok_or_else(|| DataError::NoColumns {
                owner: table.owner.clone(),
                table: table.table.clone(),
            })
    }
}

impl OracleRows for ScriptRows {
    fn columns(&mut self, table: &OracleTable) -> Result<Vec<OracleColumn>, DataError> {
        Ok(self.table(table)?.columns.clone())
    }

    fn plan(&mut self, table: &OracleTable, chunk_rows: u64) -> Result<Plan, DataError> {
        let rows = self.table(table)?.rows.len() as u64;
        let step = chunk_rows.max(1);
        let mut ranges: Vec<RowRange> = (0..rows.div_ceil(step))
            .map(|i| RowRange::Rows {
                from: i * step,
                to: ((i + 1) * step).min(rows),
            })
            .collect();
        if ranges.is_empty() {
            ranges.push(RowRange::Rows { from: 0, to: 0 });
        }
        Ok(Plan {
            ranges,
            note: None,
            rows: Some(rows),
        })
    }

    fn snapshot(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn read(
        &mut self,
        table: &OracleTable,
        _columns: &[OracleColumn],
        range: &RowRange,
        _snapshot: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
    ) -> Result<(), DataError> {
        let rows = &self.table(table)?.rows;
        let (from, to) = match range {
            RowRange::Rows { from, to } => (*from as usize, *to as usize),
            RowRange::Whole => (0, rows.len()),
            RowRange::Rowids { .. } => {
                return Err(DataError::Live(godwit_oracle::live::LiveError::Query {
                    query: "script rows",
                    message: format!("{} is not a range of a script's table", range.describe()),
                }))
            }
        };
        for r in rows.get(from..to.min(rows.len())).unwrap_or_default() {
            let at = format!("{}:{}", r.file.display(), r.row_line);
            if !row(at, r.values.iter().cloned().map(Field::Value).collect()) {
                break;
            }
        }
        Ok(())
    }
}
