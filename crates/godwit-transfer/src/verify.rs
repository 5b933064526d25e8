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

    /// Rows the target lacks beyond the rejected ones (negative: extra rows).
    pub fn lost(&self) -> i64 {
        self.source_rows - self.rejected_rows - self.target_rows
    }
}

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
}

impl CopyReport {
    pub fn rows_lost(&self) -> i64 {
        self.tables.iter().map(|t| t.lost().max(0)).sum()
    }
    /// Tables whose counts agree but whose content hashes differ.
    pub fn content_mismatches(&self) -> Vec<&str> {
        self.tables
            .iter()
            .filter(|t| t.content_differs())
            .map(|t| t.table.as_str())
            .collect()
    }

    pub fn rows_extra(&self) -> i64 {
        self.tables.iter().map(|t| (-t.lost()).max(0)).sum()
    }

    /// Rows the target refused over all tables, set aside in `godwit_copy.rejects`.
    pub fn rows_rejected(&self) -> i64 {
        self.tables.iter().map(|t| t.rejected_rows).sum()
    }
}

/// Row counts (and hashes on request) of every table on both sides, the source read in the run's
/// snapshot. Rows the target refused and the run set aside are counted apart, and left out of the
/// source's hash.
pub(crate) async fn verify(
    source: &Client,
    target: &Client,
    catalog: &Catalog,
    mapping: &BTreeMap<QualifiedName, TableMapping>,
    options: &CopyOptions,
    run_id: &str,
) -> Result<Vec<TableCheck>, CopyError> {
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
    let mut tables = Vec::new();
    for (schema, table) in data_tables(catalog) {
        let name = QualifiedName::new(&schema, &table);
        let rejected = rejects.get(&name.to_string()).cloned().unwrap_or_default();
        let count = format!("SELECT count(*) FROM ONLY {name}");
        let (a, b) = tokio::join!(source.query_one(&count, &[]), target.query_one(&count, &[]));
        let source_rows: i64 = a
            .map_err(query_error(format!("counting {name} on the source")))?
            .get(0);
        let target_rows: i64 = b
            .map_err(query_error(format!("counting {name} on the target")))?
            .get(0);
        let (source_hash, target_hash) = if options.verify_hash {
            // The sum of a 64-bit hash of each row's text: independent of row order, equal when the
            // multisets of rows are equal (up to hash collisions).
            // The copied columns in the source's order on both sides, whatever the target's order.
            let source_columns = catalog
                .table(&name)
                .map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.generated.is_none())
                        .map(|c| quote_ident(&c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "*".into());
            let target_columns = mapping
                .get(&name)
                .map(|m| m.target_columns.clone())
                .unwrap_or_else(|| source_columns.clone());
            let sum = |columns: &str, filter: &str| {
                format!(
                    "SELECT coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0) FROM (SELECT {columns} FROM ONLY {name} x{filter}) t"
                )
            };
            // The source's sum less that of the rows the target refused (found by their ctid in
            // the snapshot, a TID scan).
            let source_sql = format!(
                "SELECT (({}) - ({}))::text",
                sum(&source_columns, ""),
                sum(&source_columns, " WHERE x.ctid = ANY($1::text[]::tid[])")
            );
            let target_sql = format!("SELECT ({})::text", sum(&target_columns, ""));
            // Both sides at once: each server scans its own copy.
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&rejected];
            let (a, b) = tokio::join!(
                source.query_one(&source_sql, &params),
                target.query_one(&target_sql, &[])
            );
            let a: String = a
                .map_err(query_error(format!("hashing {name} on the source")))?
                .get(0);
            let b: String = b
                .map_err(query_error(format!("hashing {name} on the target")))?
                .get(0);
            (Some(a), Some(b))
        } else {
            (None, None)
        };
        tables.push(TableCheck {
            table: name.to_string(),
            source_rows,
            target_rows,
            rejected_rows: rejected.len() as i64,
            source_hash,
            target_hash,
        });
    }
    Ok(tables)
}
