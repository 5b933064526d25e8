//! An Oracle table whose rows a function gives (row `i` as Oracle's SELECT returns it, in canonical
//! text), read in ranges of rows as the offline script source reads them: for the tests and
//! benches of Oracle copies that need no recorded session. (Included by path.)

use godwit_oracle::chunks::{Plan, RowRange};
use godwit_oracle::data::{DataError, Field, OracleColumn};
use godwit_transfer::{OracleRows, OracleTable};

/// `rows` rows of `columns`, row `i` given by `row(i)` and named `row {i + 1}`, planned in chunks
/// of `chunk_rows`.
pub struct RowsOf<F> {
    pub columns: Vec<OracleColumn>,
    pub rows: u64,
    pub chunk_rows: u64,
    pub row: F,
}

impl<F: Fn(u64) -> Vec<Option<String>> + Send> OracleRows for RowsOf<F> {
    fn columns(&mut self, _: &OracleTable) -> Result<Vec<OracleColumn>, DataError> {
        Ok(self.columns.clone())
    }

    fn plan(&mut self, _: &OracleTable, _: u64) -> Result<Plan, DataError> {
        let size = self.chunk_rows.max(1);
        Ok(Plan {
            ranges: (0..self.rows)
                .step_by(size as usize)
                .map(|from| RowRange::Rows {
                    from,
                    to: (from + size).min(self.rows),
                })
                .collect(),
            note: None,
            rows: Some(self.rows),
        })
    }

    fn snapshot(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn read(
        &mut self,
        _: &OracleTable,
        _: &[OracleColumn],
        range: &RowRange,
        _: Option<&str>,
        each: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
    ) -> Result<(), DataError> {
        let RowRange::Rows { from, to } = range else {
            panic!("RowsOf plans ranges of rows, not {range:?}");
        };
        for i in *from..*to {
            let fields = (self.row)(i).into_iter().map(Field::Value).collect();
            if !each(format!("row {}", i + 1), fields) {
                break;
            }
        }
        Ok(())
    }
}
