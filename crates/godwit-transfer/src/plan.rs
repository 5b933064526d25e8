//! Chunk planning: which tables hold rows, and how each is split into block or key ranges.

use crate::*;

/// How tables are split into chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChunkBy {
    /// Ranges of table blocks (by ctid): any table, no index needed.
    #[default]
    Blocks,
    /// Ranges of the primary key for tables whose key is one integer column (read through its
    /// index); other tables by blocks.
    Key,
}

/// Which rows of a table a chunk holds.
#[derive(Clone, Debug)]
pub(crate) enum Range {
    /// Blocks `from..to` (`None`: open); a table with one chunk has both ends open.
    Blocks { from: Option<u32>, to: Option<u32> },
    /// Key values `from..to` of the integer column `column` (quoted), `None`: open.
    Keys {
        column: String,
        from: Option<i64>,
        to: Option<i64>,
    },
}

impl Range {
    /// The WHERE clause selecting the range from the table aliased `x` (empty: the whole table).
    pub(crate) fn filter(&self) -> String {
        let mut condition = Vec::new();
        match self {
            Range::Blocks { from, to } => {
                if let Some(from) = from {
                    condition.push(format!("x.ctid >= '({from},0)'::tid"));
                }
                if let Some(to) = to {
                    condition.push(format!("x.ctid < '({to},0)'::tid"));
                }
            }
            Range::Keys { column, from, to } => {
                if let Some(from) = from {
                    condition.push(format!("x.{column} >= {from}"));
                }
                if let Some(to) = to {
                    condition.push(format!("x.{column} < {to}"));
                }
            }
        }
        if condition.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", condition.join(" AND "))
        }
    }

    /// The range for people and for the progress table, e.g. `blocks 8..16` or `id ..1000`.
    pub(crate) fn describe(&self) -> String {
        let end = |v: Option<String>| v.unwrap_or_default();
        match self {
            Range::Blocks { from, to } => format!(
                "blocks {}..{}",
                end(from.map(|v| v.to_string())),
                end(to.map(|v| v.to_string()))
            ),
            Range::Keys { column, from, to } => format!(
                "{column} {}..{}",
                end(from.map(|v| v.to_string())),
                end(to.map(|v| v.to_string()))
            ),
        }
    }
}

/// Splits the key span `min..=max` into `pieces` ranges of equal width; the first and last are
/// open so that every value belongs to one.
pub(crate) fn key_ranges(min: i64, max: i64, pieces: u32) -> Vec<(Option<i64>, Option<i64>)> {
    let span = (max as i128 - min as i128 + 1).max(1);
    let pieces = (pieces.max(1) as i128).min(span);
    let width = (span + pieces - 1) / pieces;
    (0..pieces)
        .map(|i| {
            let bound = |k: i128| (min as i128 + k * width) as i64;
            (
                (i > 0).then(|| bound(i)),
                (i + 1 < pieces).then(|| bound(i + 1)),
            )
        })
        .collect()
}

/// A piece of a table.
#[derive(Clone, Debug)]
pub(crate) struct Chunk {
    pub(crate) table: QualifiedName,
    /// The table's place in [`Control::tables`].
    pub(crate) slot: usize,
    pub(crate) index: u32,
    pub(crate) range: Range,
    /// Source column list.
    pub(crate) columns: String,
    /// The same columns as the target names them.
    pub(crate) target_columns: String,
    /// Copy as text (the types differ but convert); binary otherwise.
    pub(crate) text: bool,
    /// SQL naming a row of the table aliased `x` for people: its primary key, else its ctid.
    pub(crate) key: String,
    /// Where type OIDs sit in each column's binary values (see [`crate::hash`]).
    pub(crate) shapes: Arc<Vec<Shape>>,
    /// How rows too wide to pass through whole are found and sent (tables with out-of-line values).
    pub(crate) wide: Option<Arc<WideColumns>>,
    /// Under `--verify hash`, the servers hash the rows when they can ([`ServerRowHash`]); the
    /// client hashes the stream otherwise.
    pub(crate) row_hash: Option<Arc<ServerRowHash>>,
}

impl Chunk {
    /// A hash of this chunk's rows as the run's records keep it.
    pub(crate) fn hash_text(&self, hash: &RowsHash) -> String {
        recorded_hash(self.row_hash.is_some(), hash)
    }
}

/// A table as planned: what verification needs to read it on both sides.
#[derive(Clone, Debug)]
pub(crate) struct TablePlan {
    pub(crate) table: QualifiedName,
    /// Source column list (quoted) and the same columns as the target names them.
    pub(crate) columns: String,
    pub(crate) target_columns: String,
    /// The copied columns' names in the source.
    pub(crate) column_names: Vec<String>,
    /// The same columns as the target names them, quoted.
    pub(crate) target_names: Vec<String>,
    pub(crate) text: bool,
    /// SQL naming a row (aliased `x`) for people; `has_key` when it is the primary key.
    pub(crate) key: String,
    pub(crate) has_key: bool,
    /// The primary key's columns (source names), for fetching rows by key.
    pub(crate) key_columns: Vec<String>,
    pub(crate) shapes: Arc<Vec<Shape>>,
    pub(crate) wide: Option<Arc<WideColumns>>,
    pub(crate) row_hash: Option<Arc<ServerRowHash>>,
    /// The chunks' ranges, by chunk number.
    pub(crate) ranges: Vec<Range>,
    /// The table's size in blocks when planned.
    pub(crate) pages: u64,
}

impl TablePlan {
    /// The position of the integer key column among the copied columns when the table is
    /// chunked by key, with each chunk's range, so that rows read back can be told apart by chunk.
    pub(crate) fn key_position(&self) -> Option<usize> {
        match self.ranges.first()? {
            Range::Keys { column, .. } => self
                .column_names
                .iter()
                .position(|c| &quote_ident(c) == column),
            Range::Blocks { .. } => None,
        }
    }

    /// A hash of this table's rows as the run's records keep it.
    pub(crate) fn hash_text(&self, hash: &RowsHash) -> String {
        recorded_hash(self.row_hash.is_some(), hash)
    }

    /// The sum of a recorded hash of this table's rows, when it was taken the way this plan
    /// hashes (by the servers or by the client).
    pub(crate) fn recorded_sum(&self, recorded: Option<&str>) -> Option<u128> {
        recorded_sum(self.row_hash.is_some(), recorded)
    }

    /// The chunk holding key value `value` (key-chunked tables).
    pub(crate) fn chunk_of_key(&self, value: i64) -> usize {
        self.ranges
            .iter()
            .position(|r| match r {
                Range::Keys { from, to, .. } => {
                    from.is_none_or(|f| value >= f) && to.is_none_or(|t| value < t)
                }
                Range::Blocks { .. } => false,
            })
            .unwrap_or(0)
    }
}

/// The copied columns of a table (all but generated ones), quoted.
pub(crate) fn copied_columns(table: Option<&godwit_catalog::Table>) -> Vec<String> {
    table
        .map(|t| {
            t.columns
                .iter()
                .filter(|c| c.generated.is_none())
                .map(|c| c.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The primary key's columns of a table.
pub(crate) fn primary_key(table: Option<&godwit_catalog::Table>) -> Option<Vec<String>> {
    table.and_then(|t| {
        t.constraints.iter().find_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns } if !columns.is_empty() => Some(columns.clone()),
            _ => None,
        })
    })
}

/// Tables that hold rows: every table except partitioned parents.
pub(crate) fn data_tables(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .filter(|t| t.partitioning.is_none())
                .map(move |t| (s.name.clone(), t.name.clone()))
        })
        .collect()
}

/// SQL naming a row of `table` (aliased `x`) for people: `col=value, …` of its primary key, else its
/// ctid in the source.
pub(crate) fn key_sql(table: Option<&godwit_catalog::Table>) -> String {
    match primary_key(table) {
        Some(columns) => format!(
            "concat_ws(', ', {})",
            columns
                .iter()
                .map(|c| format!(
                    "{} || coalesce(x.{}::text, 'NULL')",
                    literal(&format!("{c}=")),
                    quote_ident(c)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "'ctid=' || x.ctid::text".into(),
    }
}

/// The primary key column of `table` when the key is one `smallint`, `integer` or `bigint` column.
pub(crate) fn integer_key(table: &godwit_catalog::Table) -> Option<String> {
    let columns = primary_key(Some(table))?;
    let [column] = columns.as_slice() else {
        return None;
    };
    let data_type = &table.columns.iter().find(|c| &c.name == column)?.data_type;
    matches!(data_type.name.as_str(), "smallint" | "integer" | "bigint").then(|| column.clone())
}

/// Splits every table into chunks: block ranges of at most `chunk_pages` pages, or as many key
/// ranges for tables with an integer key under [`ChunkBy::Key`]; also returns each
/// table's status as [`Control::tables`] starts it (chunks, row estimate). With `server_hashes`
/// (`--verify hash`, both servers able to) the tables the target can hash get a [`ServerRowHash`].
pub(crate) async fn plan(
    source: &Client,
    catalog: &Catalog,
    mapping: &BTreeMap<QualifiedName, TableMapping>,
    chunk_pages: u32,
    chunk_by: ChunkBy,
    server_hashes: Option<ServerHashing>,
) -> Result<(Vec<Chunk>, Vec<TableStatus>, Vec<TablePlan>), CopyError> {
    let mut chunks = Vec::new();
    let mut tables = Vec::new();
    let mut plans = Vec::new();
    for (slot, (schema, table)) in data_tables(catalog).into_iter().enumerate() {
        let name = QualifiedName::new(&schema, &table);
        let row = source
            .query_one(
                "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples::float8
                   FROM pg_class c WHERE c.oid = $1::text::regclass",
                &[&name.to_string()],
            )
            .await
            .map_err(query_error(format!("sizing {name}")))?;
        let (pages, reltuples): (i64, f64) = (row.get(0), row.get(1));
        let estimate = if pages == 0 {
            Some(0)
        } else if reltuples > 0.0 {
            Some(reltuples as u64)
        } else {
            // Never analyzed: count a sample of about 1000 blocks (all of a smaller table).
            let sql = if pages <= 1000 {
                format!("SELECT count(*)::float8 FROM ONLY {name}")
            } else {
                let percent = 100_000.0 / pages as f64;
                format!(
                    "SELECT count(*)::float8 * {} FROM ONLY {name} TABLESAMPLE SYSTEM ({percent})",
                    100.0 / percent
                )
            };
            source
                .query_one(&sql, &[])
                .await
                .ok()
                .map(|r| r.get::<_, f64>(0) as u64)
        };
        let source_table = catalog.table(&name);
        let column_names = copied_columns(source_table);
        let columns = column_names
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let shapes = Arc::new(
            column_shapes(source, &name.to_string(), &column_names)
                .await
                .map_err(query_error(format!("reading the column types of {name}")))?,
        );
        let key = key_sql(source_table);
        let pieces = ((pages.max(1) as u64).div_ceil(chunk_pages as u64)) as u32;
        let integer_key = match chunk_by {
            ChunkBy::Key => source_table.and_then(integer_key),
            ChunkBy::Blocks => None,
        };
        let ranges: Vec<Range> = match integer_key {
            Some(column) => {
                // As many chunks as by blocks, over the span of the key (read from its index).
                let column = quote_ident(&column);
                let row = source
                    .query_one(
                        &format!("SELECT min(x.{column})::bigint, max(x.{column})::bigint FROM ONLY {name} x"),
                        &[],
                    )
                    .await
                    .map_err(query_error(format!("reading the key span of {name}")))?;
                match (row.get::<_, Option<i64>>(0), row.get::<_, Option<i64>>(1)) {
                    (Some(min), Some(max)) => key_ranges(min, max, pieces)
                        .into_iter()
                        .map(|(from, to)| Range::Keys {
                            column: column.clone(),
                            from,
                            to,
                        })
                        .collect(),
                    _ => vec![Range::Keys {
                        column,
                        from: None,
                        to: None,
                    }],
                }
            }
            None => (0..pieces)
                .map(|index| Range::Blocks {
                    from: (index > 0).then(|| index * chunk_pages),
                    to: (index + 1 < pieces).then(|| (index + 1) * chunk_pages),
                })
                .collect(),
        };
        let pieces = ranges.len() as u32;
        let target_columns = mapping
            .get(&name)
            .map(|m| m.target_columns.clone())
            .unwrap_or_else(|| columns.clone());
        let text = mapping.get(&name).is_some_and(|m| m.text);
        let quoted: Vec<String> = column_names.iter().map(|c| quote_ident(c)).collect();
        let target_names = mapping
            .get(&name)
            .map(|m| m.target_names.clone())
            .unwrap_or_else(|| quoted.clone());
        let wide = if text {
            None
        } else {
            WideColumns::of(source, &name.to_string(), &quoted, &target_names, &shapes)
                .await
                .map_err(query_error(format!("sizing the values of {name}")))?
                .map(Arc::new)
        };
        let row_hash = match server_hashes.filter(|_| !text) {
            None => None,
            Some(hashing) => ServerRowHash::of(
                source,
                &name.to_string(),
                (&quoted, &target_names),
                &shapes,
                hashing,
            )
            .await
            .map_err(query_error(format!("reading the column types of {name}")))?
            .map(Arc::new),
        };
        let key_columns = primary_key(source_table);
        plans.push(TablePlan {
            table: name.clone(),
            columns: columns.clone(),
            target_columns: target_columns.clone(),
            column_names,
            target_names,
            text,
            key: key.clone(),
            has_key: key_columns.is_some(),
            key_columns: key_columns.unwrap_or_default(),
            shapes: shapes.clone(),
            wide: wide.clone(),
            row_hash: row_hash.clone(),
            ranges: ranges.clone(),
            pages: pages.max(0) as u64,
        });
        for (index, range) in ranges.into_iter().enumerate() {
            chunks.push(Chunk {
                table: name.clone(),
                slot,
                index: index as u32,
                range,
                columns: columns.clone(),
                target_columns: target_columns.clone(),
                text,
                key: key.clone(),
                shapes: shapes.clone(),
                wide: wide.clone(),
                row_hash: row_hash.clone(),
            });
        }
        tables.push(TableStatus {
            table: name.to_string(),
            chunks_total: pieces as usize,
            rows_estimate: estimate,
            ..Default::default()
        });
    }
    Ok((chunks, tables, plans))
}
