//! The hashes of a copy run's chunks: the source's, taken while the rows streamed, and the target's,
//! read back, kept with the chunk in the run history.

use crate::{Store, StoreError};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// The recorded hashes of one chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkHashes {
    pub table: String,
    pub chunk: u32,
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
}

impl Store {
    /// Records the hash of the source rows a recorded chunk kept (after [`Store::record_chunk`],
    /// which forgets it when it records the chunk again).
    pub fn record_chunk_source_hash(
        &self,
        run_id: &str,
        table: &str,
        chunk: u32,
        hash: &str,
    ) -> Result<(), StoreError> {
        self.set_chunk_hash("source_hash", run_id, table, chunk, hash)
    }

    /// Records the hash of a chunk's rows read back from the target.
    pub fn record_chunk_target_hash(
        &self,
        run_id: &str,
        table: &str,
        chunk: u32,
        hash: &str,
    ) -> Result<(), StoreError> {
        self.set_chunk_hash("target_hash", run_id, table, chunk, hash)
    }

    fn set_chunk_hash(
        &self,
        column: &'static str,
        run_id: &str,
        table: &str,
        chunk: u32,
        hash: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            &format!("UPDATE run_chunks SET {column} = ?4 WHERE run_id = ?1 AND table_name = ?2 AND chunk = ?3"),
            params![run_id, table, chunk, hash],
        )?;
        Ok(())
    }

    /// The hashes recorded for a run's chunks, by table and chunk number.
    pub fn chunk_hashes(&self, run_id: &str) -> Result<Vec<ChunkHashes>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT table_name, chunk, source_hash, target_hash FROM run_chunks WHERE run_id = ?1 ORDER BY table_name, chunk",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(ChunkHashes {
                table: r.get(0)?,
                chunk: r.get::<_, i64>(1)? as u32,
                source_hash: r.get(2)?,
                target_hash: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_hashes_are_kept_with_their_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.sqlite3")).unwrap();
        let run = store.start_run("copy", "s", "t", "{}").unwrap();
        store
            .record_chunk(&run.id, "public.t", 0, 10, 100, 0)
            .unwrap();
        store
            .record_chunk(&run.id, "public.t", 1, 5, 50, 0)
            .unwrap();
        store
            .record_chunk_source_hash(&run.id, "public.t", 0, "00ff")
            .unwrap();
        store
            .record_chunk_target_hash(&run.id, "public.t", 0, "00fe")
            .unwrap();
        assert_eq!(
            store.chunk_hashes(&run.id).unwrap(),
            [
                ChunkHashes {
                    table: "public.t".into(),
                    chunk: 0,
                    source_hash: Some("00ff".into()),
                    target_hash: Some("00fe".into())
                },
                ChunkHashes {
                    table: "public.t".into(),
                    chunk: 1,
                    source_hash: None,
                    target_hash: None
                }
            ]
        );
    }
}
