//! The run history: copy runs and the chunks each completed, kept for review and resume.

use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// One run as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub kind: String,
    /// Source URL without its password.
    pub source: String,
    pub target: String,
    /// The run's options as JSON.
    pub options: String,
    pub status: String,
    pub message: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

impl Store {
    /// Records a new run as running and returns it.
    pub fn start_run(
        &self,
        kind: &str,
        source: &str,
        target: &str,
        options: &str,
    ) -> Result<Run, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.conn.execute(
            "INSERT INTO runs (id, kind, source, target, options, status) VALUES (?1, ?2, ?3, ?4, ?5, 'running')",
            params![id, kind, source, target, options],
        )?;
        self.run(&id)
    }

    /// The run with this id, or the newest unfinished one of `kind` for `last`.
    pub fn run(&self, key: &str) -> Result<Run, StoreError> {
        let sql = if key == "last" {
            "SELECT * FROM runs WHERE status <> 'finished' ORDER BY started_at DESC LIMIT 1"
        } else {
            "SELECT * FROM runs WHERE id = ?1"
        };
        let mut stmt = self.conn.prepare(sql)?;
        let params: &[&dyn rusqlite::ToSql] = if key == "last" { &[] } else { &[&key] };
        stmt.query_row(params, |r| {
            Ok(Run {
                id: r.get("id")?,
                kind: r.get("kind")?,
                source: r.get("source")?,
                target: r.get("target")?,
                options: r.get("options")?,
                status: r.get("status")?,
                message: r.get("message")?,
                started_at: r.get("started_at")?,
                finished_at: r.get("finished_at")?,
            })
        })
        .optional()?
        .ok_or_else(|| StoreError::RunNotFound(key.to_string()))
    }

    /// Runs of `kind`, newest first, at most `limit` of them.
    pub fn list_runs(&self, kind: &str, limit: usize) -> Result<Vec<Run>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM runs WHERE kind = ?1 ORDER BY started_at DESC, rowid DESC LIMIT ?2",
        )?;
        let ids = stmt
            .query_map(params![kind, limit as i64], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.iter().map(|id| self.run(id)).collect()
    }

    /// Marks a run running again (resume) or ended with `status` and an optional message.
    pub fn set_run_status(
        &self,
        id: &str,
        status: &str,
        message: Option<&str>,
    ) -> Result<(), StoreError> {
        let finished = if status == "running" { None } else { Some(()) };
        self.conn.execute(
            "UPDATE runs SET status = ?2, message = ?3,
                    finished_at = CASE WHEN ?4 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
              WHERE id = ?1",
            params![id, status, message, finished.is_some()],
        )?;
        Ok(())
    }

    /// Records that a chunk of a table was copied, with the rows the target refused and the run set
    /// aside (idempotent: recording a chunk again replaces its figures).
    pub fn record_chunk(
        &self,
        run_id: &str,
        table: &str,
        chunk: u32,
        rows: u64,
        bytes: u64,
        rejected: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO run_chunks (run_id, table_name, chunk, rows, bytes, rejected) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![run_id, table, chunk, rows as i64, bytes as i64, rejected as i64],
        )?;
        Ok(())
    }

    /// Every chunk the run completed, by table and chunk number.
    pub fn run_chunks(&self, run_id: &str) -> Result<Vec<ChunkRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT table_name, chunk, rows, bytes, rejected, done_at FROM run_chunks WHERE run_id = ?1 ORDER BY table_name, chunk",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(ChunkRecord {
                table: r.get(0)?,
                chunk: r.get::<_, i64>(1)? as u32,
                rows: r.get::<_, i64>(2)? as u64,
                bytes: r.get::<_, i64>(3)? as u64,
                rejected: r.get::<_, i64>(4)? as u64,
                done_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per table: chunks completed, rows copied, bytes and rows rejected, for a run's summary.
    pub fn run_totals(&self, run_id: &str) -> Result<Vec<TableTotals>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT table_name, count(*), sum(rows), sum(bytes), sum(rejected) FROM run_chunks WHERE run_id = ?1 GROUP BY table_name ORDER BY table_name",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(TableTotals {
                table: r.get(0)?,
                chunks: r.get::<_, i64>(1)? as u32,
                rows: r.get::<_, i64>(2)? as u64,
                bytes: r.get::<_, i64>(3)? as u64,
                rejected: r.get::<_, i64>(4)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One completed chunk of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRecord {
    pub table: String,
    pub chunk: u32,
    /// Rows the chunk's transaction wrote to the target.
    pub rows: u64,
    pub bytes: u64,
    /// Rows of the chunk the target refused, set aside in its `godwit_copy.rejects`.
    pub rejected: u64,
    pub done_at: String,
}

/// A table's figures over a run's completed chunks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTotals {
    pub table: String,
    pub chunks: u32,
    pub rows: u64,
    pub bytes: u64,
    pub rejected: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_chunks_are_recorded_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.sqlite3")).unwrap();
        let run = store
            .start_run("copy", "postgresql://a@h/s", "postgresql://a@h/t", "{}")
            .unwrap();
        assert_eq!(run.status, "running");
        store
            .record_chunk(&run.id, "public.t", 0, 10, 100, 0)
            .unwrap();
        store
            .record_chunk(&run.id, "public.t", 0, 10, 100, 0)
            .unwrap();
        store
            .record_chunk(&run.id, "public.t", 1, 5, 50, 2)
            .unwrap();
        store
            .record_chunk(&run.id, "public.u", 0, 7, 70, 0)
            .unwrap();
        let chunks: Vec<_> = store
            .run_chunks(&run.id)
            .unwrap()
            .into_iter()
            .map(|c| (c.table, c.chunk, c.rows, c.bytes, c.rejected))
            .collect();
        assert_eq!(
            chunks,
            [
                ("public.t".to_string(), 0, 10, 100, 0),
                ("public.t".to_string(), 1, 5, 50, 2),
                ("public.u".to_string(), 0, 7, 70, 0)
            ]
        );
        assert_eq!(
            store.run_totals(&run.id).unwrap(),
            [
                TableTotals {
                    table: "public.t".into(),
                    chunks: 2,
                    rows: 15,
                    bytes: 150,
                    rejected: 2
                },
                TableTotals {
                    table: "public.u".into(),
                    chunks: 1,
                    rows: 7,
                    bytes: 70,
                    rejected: 0
                }
            ]
        );
        assert_eq!(store.run("last").unwrap().id, run.id);
        let second = store
            .start_run("copy", "postgresql://a@h/s", "postgresql://a@h/u", "{}")
            .unwrap();
        let other = store.start_run("other", "s", "t", "{}").unwrap();
        store.set_run_status(&other.id, "finished", None).unwrap();
        let listed: Vec<_> = store
            .list_runs("copy", 10)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(listed, [second.id.clone(), run.id.clone()]);
        assert_eq!(store.list_runs("copy", 1).unwrap()[0].id, second.id);
        store.set_run_status(&second.id, "finished", None).unwrap();
        store.set_run_status(&run.id, "finished", None).unwrap();
        assert!(matches!(store.run("last"), Err(StoreError::RunNotFound(_))));
        let finished = store.run(&run.id).unwrap();
        assert!(finished.finished_at.is_some());
    }

    /// Chunks recorded before rejected rows were counted (schema version 3) read as none rejected.
    #[test]
    fn chunks_of_a_version_3_file_read_with_no_rejected_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.sqlite3");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        rusqlite_migration::Migrations::new(vec![
            rusqlite_migration::M::up(include_str!("../migrations/0001_profiles.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0002_runs.sql")),
            rusqlite_migration::M::up(include_str!("../migrations/0003_oracle_profiles.sql")),
        ])
        .to_latest(&mut conn)
        .unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, kind, source, target, options, status) VALUES ('r1', 'copy', 's', 't', '{}', 'interrupted');
             INSERT INTO run_chunks (run_id, table_name, chunk, rows, bytes) VALUES ('r1', 'public.t', 0, 10, 100);",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let chunks = store.run_chunks("r1").unwrap();
        assert_eq!(
            (chunks.len(), chunks[0].rows, chunks[0].rejected),
            (1, 10, 0)
        );
        store.record_chunk("r1", "public.t", 1, 4, 40, 1).unwrap();
        assert_eq!(store.run_totals("r1").unwrap()[0].rejected, 1);
    }
}
