//! The verification of a copy run, kept with the run so it can be read again after the program
//! that ran it quit: how the tables were checked, per table the counts, hashes and findings, and
//! the rows found lost, extra or different, by key.

use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// How a run's tables were checked, as `godwit copy --verify` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyLevel {
    Off,
    Count,
    Hash,
    Sample,
}

impl VerifyLevel {
    fn as_str(self) -> &'static str {
        match self {
            VerifyLevel::Off => "off",
            VerifyLevel::Count => "count",
            VerifyLevel::Hash => "hash",
            VerifyLevel::Sample => "sample",
        }
    }

    fn parse(s: &str) -> VerifyLevel {
        match s {
            "off" => VerifyLevel::Off,
            "hash" => VerifyLevel::Hash,
            "sample" => VerifyLevel::Sample,
            _ => VerifyLevel::Count,
        }
    }
}

/// A run's verification as it stood when the run last finished.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunVerification {
    pub level: VerifyLevel,
    /// How the tables were checked, in words.
    pub method: String,
    /// Figures of the invocation that finished the run (a resumed run skips earlier chunks).
    pub chunks_copied: u64,
    pub chunks_total: u64,
    pub rows_copied: u64,
    pub bytes_copied: u64,
    pub seconds: f64,
    /// When it was saved (set by the store; ignored by [`Store::save_verification`]).
    pub verified_at: String,
    /// Per table, in copy order.
    pub tables: Vec<TableVerification>,
}

impl RunVerification {
    /// Source rows missing on the target over all tables.
    pub fn rows_lost(&self) -> u64 {
        self.tables.iter().map(|t| t.lost).sum()
    }

    /// Whether every table arrived as it left (see [`TableVerification::matches`]).
    pub fn matches(&self) -> bool {
        self.tables.iter().all(TableVerification::matches)
    }
}

impl TableVerification {
    /// Whether both hashes were taken and differ.
    pub fn hashes_differ(&self) -> bool {
        matches!((&self.source_hash, &self.target_hash), (Some(a), Some(b)) if a != b)
    }

    /// Whether the table arrived as it left: no row lost, extra or different, no chunk or hash
    /// that disagrees.
    pub fn matches(&self) -> bool {
        self.lost == 0
            && self.extra == 0
            && self.different == 0
            && self.chunks_differing.is_empty()
            && !self.hashes_differ()
    }
}

/// How one table compared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TableVerification {
    pub table: String,
    pub source_rows: i64,
    pub target_rows: i64,
    /// Source rows the target refused, set aside on the target.
    pub rejected_rows: i64,
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
    /// Rows lost, extra and different (by key where rechecked, else by the counts).
    pub lost: u64,
    pub extra: u64,
    pub different: u64,
    pub loss_percent: f64,
    /// Chunks whose hashes were compared one by one, and the ranges of those that differ.
    pub chunks_compared: u64,
    pub chunks_differing: Vec<String>,
    /// Rows compared value by value; `None` when not sampled, with the reason in `sample_note`.
    pub rows_sampled: Option<u64>,
    pub sample_note: Option<String>,
    /// What was read again row by row; `None` when the table was not rechecked.
    pub rechecked: Option<Vec<String>>,
    /// The rows named by key (the first ones of each kind; the counts above are exact).
    pub lost_keys: Vec<String>,
    pub extra_keys: Vec<String>,
    pub different_rows: Vec<DifferentRowRecord>,
}

/// A row on both sides whose values differ, and the columns that do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DifferentRowRecord {
    pub key: String,
    pub columns: Vec<String>,
}

impl Store {
    /// Keeps `verification` as the run's (replacing an earlier one of the same run).
    pub fn save_verification(
        &self,
        run_id: &str,
        verification: &RunVerification,
    ) -> Result<(), StoreError> {
        let v = verification;
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM run_verifications WHERE run_id = ?1", [run_id])?;
        tx.execute(
            "INSERT INTO run_verifications (run_id, level, method, chunks_copied, chunks_total, rows_copied, bytes_copied, seconds)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                run_id,
                v.level.as_str(),
                v.method,
                v.chunks_copied as i64,
                v.chunks_total as i64,
                v.rows_copied as i64,
                v.bytes_copied as i64,
                v.seconds
            ],
        )?;
        let mut table = tx.prepare(
            "INSERT INTO run_verification_tables (run_id, position, table_name, source_rows, target_rows, rejected_rows, source_hash, target_hash, lost, extra, different, loss_percent, chunks_compared, rows_sampled, sample_note, rechecked)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let mut row = tx.prepare(
            "INSERT INTO run_verification_rows (run_id, table_name, kind, position, key, columns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (position, t) in v.tables.iter().enumerate() {
            table.execute(params![
                run_id,
                position as i64,
                t.table,
                t.source_rows,
                t.target_rows,
                t.rejected_rows,
                t.source_hash,
                t.target_hash,
                t.lost as i64,
                t.extra as i64,
                t.different as i64,
                t.loss_percent,
                t.chunks_compared as i64,
                t.rows_sampled.map(|n| n as i64),
                t.sample_note,
                t.rechecked.is_some()
            ])?;
            let lists: [(&str, &[String]); 4] = [
                ("lost", &t.lost_keys),
                ("extra", &t.extra_keys),
                ("chunk", &t.chunks_differing),
                ("range", t.rechecked.as_deref().unwrap_or(&[])),
            ];
            for (kind, keys) in lists {
                for (i, key) in keys.iter().enumerate() {
                    row.execute(params![
                        run_id,
                        t.table,
                        kind,
                        i as i64,
                        key,
                        None::<String>
                    ])?;
                }
            }
            for (i, d) in t.different_rows.iter().enumerate() {
                row.execute(params![
                    run_id,
                    t.table,
                    "different",
                    i as i64,
                    d.key,
                    d.columns.join("\n")
                ])?;
            }
        }
        drop((table, row));
        tx.commit()?;
        Ok(())
    }

    /// The verification kept for a run, if one was saved.
    pub fn verification(&self, run_id: &str) -> Result<Option<RunVerification>, StoreError> {
        let head = self
            .conn
            .query_row(
                "SELECT level, method, chunks_copied, chunks_total, rows_copied, bytes_copied, seconds, verified_at FROM run_verifications WHERE run_id = ?1",
                [run_id],
                |r| {
                    Ok(RunVerification {
                        level: VerifyLevel::parse(&r.get::<_, String>(0)?),
                        method: r.get(1)?,
                        chunks_copied: r.get::<_, i64>(2)? as u64,
                        chunks_total: r.get::<_, i64>(3)? as u64,
                        rows_copied: r.get::<_, i64>(4)? as u64,
                        bytes_copied: r.get::<_, i64>(5)? as u64,
                        seconds: r.get(6)?,
                        verified_at: r.get(7)?,
                        tables: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut verification) = head else {
            return Ok(None);
        };
        let mut tables = self.conn.prepare(
            "SELECT table_name, source_rows, target_rows, rejected_rows, source_hash, target_hash, lost, extra, different, loss_percent, chunks_compared, rows_sampled, sample_note, rechecked
               FROM run_verification_tables WHERE run_id = ?1 ORDER BY position",
        )?;
        verification.tables = tables
            .query_map([run_id], |r| {
                Ok(TableVerification {
                    table: r.get(0)?,
                    source_rows: r.get(1)?,
                    target_rows: r.get(2)?,
                    rejected_rows: r.get(3)?,
                    source_hash: r.get(4)?,
                    target_hash: r.get(5)?,
                    lost: r.get::<_, i64>(6)? as u64,
                    extra: r.get::<_, i64>(7)? as u64,
                    different: r.get::<_, i64>(8)? as u64,
                    loss_percent: r.get(9)?,
                    chunks_compared: r.get::<_, i64>(10)? as u64,
                    rows_sampled: r.get::<_, Option<i64>>(11)?.map(|n| n as u64),
                    sample_note: r.get(12)?,
                    rechecked: r.get::<_, bool>(13)?.then(Vec::new),
                    ..TableVerification::default()
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows = self.conn.prepare(
            "SELECT table_name, kind, key, columns FROM run_verification_rows WHERE run_id = ?1 ORDER BY table_name, kind, position",
        )?;
        let named = rows.query_map([run_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        for found in named {
            let (table, kind, key, columns) = found?;
            let Some(t) = verification.tables.iter_mut().find(|t| t.table == table) else {
                continue;
            };
            match kind.as_str() {
                "lost" => t.lost_keys.push(key),
                "extra" => t.extra_keys.push(key),
                "chunk" => t.chunks_differing.push(key),
                "range" => t.rechecked.get_or_insert_with(Vec::new).push(key),
                _ => t.different_rows.push(DifferentRowRecord {
                    key,
                    columns: columns
                        .unwrap_or_default()
                        .split('\n')
                        .filter(|c| !c.is_empty())
                        .map(String::from)
                        .collect(),
                }),
            }
        }
        Ok(Some(verification))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs of a file from before verifications were kept (schema version 5) have none, and get
    /// one once saved.
    #[test]
    fn runs_of_a_version_5_file_have_no_verification_until_one_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.sqlite3");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        rusqlite_migration::Migrations::new(vec![
            rusqlite_migration::M::up(include_str!("../migrations/0001_profiles.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0002_runs.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0003_oracle_profiles.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0004_run_chunk_rejects.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0005_run_chunk_hashes.sql")),
        ])
        .to_latest(&mut conn)
        .unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, kind, source, target, options, status) VALUES ('r1', 'copy', 's', 't', '{}', 'finished');",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
        assert_eq!(store.verification("r1").unwrap(), None);
        let kept = RunVerification {
            level: VerifyLevel::Off,
            method: "nothing".into(),
            chunks_copied: 1,
            chunks_total: 1,
            rows_copied: 3,
            bytes_copied: 30,
            seconds: 0.1,
            verified_at: String::new(),
            tables: vec![TableVerification {
                table: "public.t".into(),
                source_rows: 3,
                target_rows: 3,
                ..TableVerification::default()
            }],
        };
        store.save_verification("r1", &kept).unwrap();
        let read = store.verification("r1").unwrap().unwrap();
        assert_eq!((read.level, read.tables.len()), (VerifyLevel::Off, 1));
        // The verification goes with its run.
        store
            .conn
            .execute("DELETE FROM runs WHERE id = 'r1'", [])
            .unwrap();
        assert_eq!(store.verification("r1").unwrap(), None);
        let left: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM run_verification_tables) + (SELECT count(*) FROM run_verification_rows)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }
}
