//! ROWID-range chunks: how a large Oracle table is split so that several sessions can read it at
//! once, each chunk by itself, and a chunk can be read again exactly after an interruption.
//!
//! A ROWID orders rows by data object, relative file, block and row slot, and a table's rows live only
//! in its segments' extents. [`plan_ranges`] therefore walks the table's extents (from DBA_EXTENTS,
//! or USER_EXTENTS for the connected user's own tables), in ROWID order, and closes a chunk once it
//! holds about the blocks that many rows take; each chunk is `ROWID BETWEEN first AND last`, never
//! spanning two data objects (partitions), so no row falls in two chunks and none in none.
//!
//! All chunks of a run read one snapshot when the user may read the system change number: the
//! number taken when the run is planned ([`SCN_SQL`]), queried `AS OF SCN`, and kept with the plan so
//! that a resumed run reads the same rows.

use crate::data::{quoted, select_list, OracleColumn};
use crate::live::{LiveError, OracleSession};
use serde::{Deserialize, Serialize};

/// Which rows of a table a chunk holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowRange {
    /// The whole table (no extents were visible, or it is small).
    Whole,
    /// `ROWID BETWEEN first AND last` (ROWIDs as ROWIDTOCHAR writes them).
    Rowids { first: String, last: String },
    /// Rows `from..to` in the order an exported script inserts them (the offline source).
    Rows { from: u64, to: u64 },
}

impl RowRange {
    /// The range for people and for the progress table, e.g. `ROWIDs AAAR3s…AAAR3t`.
    pub fn describe(&self) -> String {
        match self {
            RowRange::Whole => "the whole table".into(),
            RowRange::Rowids { first, last } => format!("ROWIDs {first}…{last}"),
            RowRange::Rows { from, to } => format!("rows {from}..{to} of the script"),
        }
    }
}

/// The system change number now, as text. Needs EXECUTE on DBMS_FLASHBACK; [`SCN_FALLBACK_SQL`]
/// asks V$DATABASE instead.
pub const SCN_SQL: &str = "SELECT TO_CHAR(DBMS_FLASHBACK.GET_SYSTEM_CHANGE_NUMBER) FROM dual";
/// The system change number from V$DATABASE (needs SELECT on it).
pub const SCN_FALLBACK_SQL: &str = "SELECT TO_CHAR(current_scn) FROM v$database";

/// A table's extents in ROWID order, each as the first and last ROWID it can hold and its blocks
/// (binds: owner, table). Needs SELECT on DBA_EXTENTS.
pub const EXTENTS_SQL: &str = "SELECT ROWIDTOCHAR(DBMS_ROWID.ROWID_CREATE(1, o.data_object_id, e.relative_fno, e.block_id, 0)),
       ROWIDTOCHAR(DBMS_ROWID.ROWID_CREATE(1, o.data_object_id, e.relative_fno, e.block_id + e.blocks - 1, 32767)),
       TO_CHAR(e.blocks), TO_CHAR(o.data_object_id)
  FROM dba_extents e
  JOIN all_objects o ON o.owner = e.owner AND o.object_name = e.segment_name
   AND NVL(o.subobject_name, ' ') = NVL(e.partition_name, ' ') AND o.object_type = e.segment_type
 WHERE e.owner = :1 AND e.segment_name = :2
   AND e.segment_type IN ('TABLE', 'TABLE PARTITION', 'TABLE SUBPARTITION')
   AND o.data_object_id IS NOT NULL
 ORDER BY o.data_object_id, e.relative_fno, e.block_id";

/// [`EXTENTS_SQL`] for the connected user's own tables, from USER_EXTENTS (bind: table).
pub const USER_EXTENTS_SQL: &str = "SELECT ROWIDTOCHAR(DBMS_ROWID.ROWID_CREATE(1, o.data_object_id, e.relative_fno, e.block_id, 0)),
       ROWIDTOCHAR(DBMS_ROWID.ROWID_CREATE(1, o.data_object_id, e.relative_fno, e.block_id + e.blocks - 1, 32767)),
       TO_CHAR(e.blocks), TO_CHAR(o.data_object_id)
  FROM user_extents e
  JOIN user_objects o ON o.object_name = e.segment_name
   AND NVL(o.subobject_name, ' ') = NVL(e.partition_name, ' ') AND o.object_type = e.segment_type
 WHERE e.segment_name = :1
   AND e.segment_type IN ('TABLE', 'TABLE PARTITION', 'TABLE SUBPARTITION')
   AND o.data_object_id IS NOT NULL
 ORDER BY o.data_object_id, e.relative_fno, e.block_id";

/// The optimizer's rows and blocks of a table (binds: owner, table), to size chunks.
pub const TABLE_SIZE_SQL: &str =
    "SELECT TO_CHAR(num_rows), TO_CHAR(blocks) FROM all_tables WHERE owner = :1 AND table_name = :2";

/// Rows per block assumed when the table has no statistics.
const DEFAULT_ROWS_PER_BLOCK: u64 = 50;

/// One extent: its ROWID bounds, blocks and data object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extent {
    pub first: String,
    pub last: String,
    pub blocks: u64,
    pub data_object: String,
}

/// Groups `extents` (in ROWID order) into chunks of about `blocks_per_chunk` blocks, never across
/// two data objects. No extents: one chunk of the whole table.
pub fn group_extents(extents: &[Extent], blocks_per_chunk: u64) -> Vec<RowRange> {
    let mut ranges = Vec::new();
    let close = |first: &Extent, last: &Extent| RowRange::Rowids {
        first: first.first.clone(),
        last: last.last.clone(),
    };
    let mut open: Option<(&Extent, &Extent, u64)> = None;
    for extent in extents {
        match &mut open {
            Some((first, last, blocks))
                if first.data_object == extent.data_object && *blocks < blocks_per_chunk.max(1) =>
            {
                *last = extent;
                *blocks += extent.blocks;
            }
            _ => {
                if let Some((first, last, _)) = open.take() {
                    ranges.push(close(first, last));
                }
                open = Some((extent, extent, extent.blocks));
            }
        }
    }
    if let Some((first, last, _)) = open {
        ranges.push(close(first, last));
    }
    if ranges.is_empty() {
        ranges.push(RowRange::Whole);
    }
    ranges
}

/// How a table was split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub ranges: Vec<RowRange>,
    /// Why the table is one chunk although chunks were asked for, if it is.
    pub note: Option<String>,
    /// The table's rows as far as they are known before reading (optimizer statistics), for
    /// progress.
    pub rows: Option<u64>,
}

/// Splits `owner.table` into ROWID ranges of about `chunk_rows` rows, from its extents (DBA_EXTENTS,
/// else USER_EXTENTS when `owner` is the connected user). When neither is readable the table is
/// one chunk and [`Plan::note`] says why.
pub fn plan_ranges(
    session: &mut dyn OracleSession,
    owner: &str,
    table: &str,
    own_schema: bool,
    chunk_rows: u64,
) -> Result<Plan, LiveError> {
    let number = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<u64>().ok());
    let size = session.query("table size", TABLE_SIZE_SQL, &[owner, table])?;
    let rows = size.first().and_then(|r| number(r.first()?));
    let rows_per_block = size
        .first()
        .and_then(|r| match (number(r.first()?), number(r.get(1)?)) {
            (Some(rows), Some(blocks)) if blocks > 0 && rows > 0 => Some(rows.div_ceil(blocks)),
            _ => None,
        })
        .unwrap_or(DEFAULT_ROWS_PER_BLOCK);
    let blocks_per_chunk = chunk_rows.div_ceil(rows_per_block).max(1);
    let extent_rows = match session.query("extents", EXTENTS_SQL, &[owner, table]) {
        Ok(rows) => rows,
        Err(dba) if own_schema => match session.query("user extents", USER_EXTENTS_SQL, &[table]) {
            Ok(rows) => rows,
            Err(user) => {
                return Ok(Plan {
                    ranges: vec![RowRange::Whole],
                    note: Some(format!("one chunk: the extents are not readable ({dba}; {user})")),
                    rows,
                })
            }
        },
        Err(dba) => {
            return Ok(Plan {
                ranges: vec![RowRange::Whole],
                note: Some(format!(
                    "one chunk: the extents are not readable (grant SELECT on DBA_EXTENTS to split it: {dba})"
                )),
                rows,
            })
        }
    };
    let extents: Vec<Extent> = extent_rows
        .iter()
        .filter_map(|r| {
            Some(Extent {
                first: r.first()?.clone()?,
                last: r.get(1)?.clone()?,
                blocks: number(r.get(2)?)?,
                data_object: r.get(3)?.clone()?,
            })
        })
        .collect();
    Ok(Plan {
        ranges: group_extents(&extents, blocks_per_chunk),
        note: None,
        rows,
    })
}

/// The snapshot all chunks read: the system change number now, or `None` with the reason when
/// this user may not read it.
pub fn current_scn(session: &mut dyn OracleSession) -> Result<String, String> {
    let read = |rows: Vec<Vec<Option<String>>>| {
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .filter(|s| !s.trim().is_empty() && s.trim().chars().all(|c| c.is_ascii_digit()))
            .map(|s| s.trim().to_string())
    };
    let first = match session.query("scn", SCN_SQL, &[]) {
        Ok(rows) => match read(rows) {
            Some(scn) => return Ok(scn),
            None => "DBMS_FLASHBACK gave no number".to_string(),
        },
        Err(e) => e.to_string(),
    };
    match session.query("scn", SCN_FALLBACK_SQL, &[]) {
        Ok(rows) => read(rows).ok_or_else(|| format!("{first}; V$DATABASE gave no number")),
        Err(e) => Err(format!("{first}; {e}")),
    }
}

/// The query reading one chunk: the ROWID, then each column as [`crate::data::select_expression`] reads it, at
/// the snapshot `scn` when there is one. Binds: the range's first and last ROWID.
pub fn chunk_sql(
    owner: &str,
    table: &str,
    columns: &[OracleColumn],
    range: &RowRange,
    scn: Option<&str>,
) -> String {
    let snapshot = scn.map(|s| format!(" AS OF SCN {s}")).unwrap_or_default();
    let filter = match range {
        RowRange::Whole | RowRange::Rows { .. } => "",
        RowRange::Rowids { .. } => " WHERE ROWID BETWEEN CHARTOROWID(:1) AND CHARTOROWID(:2)",
    };
    format!(
        "SELECT ROWIDTOCHAR(ROWID), {} FROM {}.{}{snapshot}{filter}",
        select_list(columns),
        quoted(owner),
        quoted(table)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extent(first: &str, last: &str, blocks: u64, object: &str) -> Extent {
        Extent {
            first: first.into(),
            last: last.into(),
            blocks,
            data_object: object.into(),
        }
    }

    fn rowids(first: &str, last: &str) -> RowRange {
        RowRange::Rowids {
            first: first.into(),
            last: last.into(),
        }
    }

    #[test]
    fn extents_group_into_chunks_of_about_the_asked_blocks() {
        let extents = [
            extent("A1", "A1z", 8, "7"),
            extent("A2", "A2z", 8, "7"),
            extent("A3", "A3z", 8, "7"),
            extent("A4", "A4z", 128, "7"),
            extent("A5", "A5z", 8, "7"),
        ];
        assert_eq!(
            group_extents(&extents, 16),
            vec![
                rowids("A1", "A2z"),
                rowids("A3", "A4z"),
                rowids("A5", "A5z")
            ]
        );
        assert_eq!(group_extents(&extents, 1_000), vec![rowids("A1", "A5z")]);
    }

    #[test]
    fn a_chunk_never_spans_two_partitions() {
        let extents = [
            extent("P1a", "P1az", 8, "101"),
            extent("P2a", "P2az", 8, "102"),
            extent("P2b", "P2bz", 8, "102"),
        ];
        assert_eq!(
            group_extents(&extents, 1_000),
            vec![rowids("P1a", "P1az"), rowids("P2a", "P2bz")]
        );
    }

    #[test]
    fn a_table_without_extents_is_one_chunk() {
        assert_eq!(group_extents(&[], 16), vec![RowRange::Whole]);
    }

    #[test]
    fn chunk_queries_read_a_range_at_the_snapshot() {
        let columns = [OracleColumn::new("ID", crate::data::OracleType::Number)];
        let range = rowids("a", "b");
        assert_eq!(
            chunk_sql("HR", "T", &columns, &range, Some("123")),
            "SELECT ROWIDTOCHAR(ROWID), TO_CHAR(\"ID\", 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,''') FROM \"HR\".\"T\" AS OF SCN 123 WHERE ROWID BETWEEN CHARTOROWID(:1) AND CHARTOROWID(:2)"
        );
        assert_eq!(
            chunk_sql("HR", "T", &columns, &RowRange::Whole, None),
            "SELECT ROWIDTOCHAR(ROWID), TO_CHAR(\"ID\", 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,''') FROM \"HR\".\"T\""
        );
    }
}
