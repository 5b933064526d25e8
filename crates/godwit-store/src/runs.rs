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

    /// Records that a chunk of a table was copied (idempotent).
    pub fn record_chunk(
        &self,
        run_id: &str,
        table: &str,
        chunk: u32,
        rows: u64,
        bytes: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO run_chunks (run_id, table_name, chunk, rows, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run_id, table, chunk, rows as i64, bytes as i64],
        )?;
        Ok(())
    }

    /// (table, chunk, rows) of every chunk the run completed.
    pub fn run_chunks(&self, run_id: &str) -> Result<Vec<(String, u32, u64)>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT table_name, chunk, rows FROM run_chunks WHERE run_id = ?1 ORDER BY table_name, chunk")?;
        let rows = stmt.query_map([run_id], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, i64>(1)? as u32,
                r.get::<_, i64>(2)? as u64,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
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
        store.record_chunk(&run.id, "public.t", 0, 10, 100).unwrap();
        store.record_chunk(&run.id, "public.t", 0, 10, 100).unwrap();
        store.record_chunk(&run.id, "public.t", 1, 5, 50).unwrap();
        assert_eq!(
            store.run_chunks(&run.id).unwrap(),
            [
                ("public.t".to_string(), 0, 10),
                ("public.t".to_string(), 1, 5)
            ]
        );
        assert_eq!(store.run("last").unwrap().id, run.id);
        store.set_run_status(&run.id, "finished", None).unwrap();
        assert!(matches!(store.run("last"), Err(StoreError::RunNotFound(_))));
        let finished = store.run(&run.id).unwrap();
        assert!(finished.finished_at.is_some());
    }
}
