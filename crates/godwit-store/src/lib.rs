//! Godwit's local state: one SQLite file shared by the CLI and the desktop app, and secrets in the OS
//! keyring.
//!
//! The file lives in `$GODWIT_DATA_DIR`, or else the platform data directory (`~/.local/share/godwit`
//! on Linux, `~/Library/Application Support/godwit` on macOS, `%APPDATA%\godwit` on Windows). Its
//! schema evolves through the numbered SQL files in `migrations/`, each applied once in its own
//! transaction. Passwords never touch the file: [`Secrets`] keeps them in the OS keyring.

mod chunk_hashes;
mod profiles;
mod runs;
mod secrets;
mod verifications;

pub use chunk_hashes::ChunkHashes;
pub use profiles::{percent_encode, Engine, Environment, Profile, ProfileInput};
pub use runs::{ChunkRecord, Run, TableTotals};
pub use secrets::Secrets;
pub use verifications::{DifferentRowRecord, RunVerification, TableVerification, VerifyLevel};

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};

/// What can go wrong with the local store; each message names the file, profile or field at fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no data directory: set GODWIT_DATA_DIR to a writable folder")]
    NoDataDir,
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the Godwit database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("cannot upgrade the Godwit database {path}: {message}")]
    Migrate { path: PathBuf, message: String },
    #[error(
        "no run {0:?} in the history (give a run id, or `last` for the newest unfinished run)"
    )]
    RunNotFound(String),
    #[error("no connection profile named or with id {0:?}")]
    ProfileNotFound(String),
    #[error("a connection profile named {0:?} already exists")]
    DuplicateName(String),
    #[error("invalid connection profile: {field} {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("the OS keyring refused the request: {0}")]
    Keyring(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The SQLite file's schema, one entry per file in `migrations/`, in order.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_profiles.sql")),
        M::up(include_str!("../migrations/0002_runs.sql")),
        M::up(include_str!("../migrations/0003_oracle_profiles.sql")),
        M::up(include_str!("../migrations/0004_run_chunk_rejects.sql")),
        M::up(include_str!("../migrations/0005_run_chunk_hashes.sql")),
        M::up(include_str!("../migrations/0006_run_verifications.sql")),
    ])
}

/// The folder holding Godwit's database: `$GODWIT_DATA_DIR`, else the platform data dir + `godwit`.
pub fn data_dir() -> Result<PathBuf, StoreError> {
    match std::env::var_os("GODWIT_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::data_dir()
            .map(|d| d.join("godwit"))
            .ok_or(StoreError::NoDataDir),
    }
}

/// An open Godwit database.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating and migrating) `godwit.sqlite3` in [`data_dir`].
    pub fn open_default() -> Result<Store, StoreError> {
        let dir = data_dir()?;
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::DataDir {
            path: dir.clone(),
            source,
        })?;
        Store::open(&dir.join("godwit.sqlite3"))
    }

    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Migrate {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn a_new_file_is_migrated_to_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.sqlite3")).unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
    }

    /// A file written before Oracle profiles existed (schema version 2) keeps its profiles.
    #[test]
    fn profiles_of_a_version_2_file_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.sqlite3");
        let mut conn = Connection::open(&path).unwrap();
        Migrations::new(vec![
            M::up(include_str!("../migrations/0001_profiles.sql")),
            M::up(include_str!("../migrations/0002_runs.sql")),
        ])
        .to_latest(&mut conn)
        .unwrap();
        conn.execute(
            "INSERT INTO profiles (id, name, engine, host, port, database, username, environment, created_at, updated_at)
             VALUES ('p1', 'old', 'postgres', 'db', 5433, 'shop', 'app', 'prod', '2024-01-02T03:04:05.000Z', '2024-01-02T03:04:05.000Z')",
            [],
        )
        .unwrap();
        drop(conn);

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 6);
        let old = store.get_profile("old").unwrap();
        assert_eq!(
            old,
            Profile {
                id: "p1".into(),
                name: "old".into(),
                engine: Engine::Postgres,
                host: "db".into(),
                port: 5433,
                database: "shop".into(),
                username: "app".into(),
                environment: Environment::Prod,
                created_at: "2024-01-02T03:04:05.000Z".into(),
                updated_at: "2024-01-02T03:04:05.000Z".into(),
            }
        );
        // The rebuilt table still refuses what it refused before.
        let err = store
            .conn
            .execute(
                "INSERT INTO profiles (id, name, engine, host, port, database, username, environment)
                 VALUES ('p2', 'bad', 'postgres', 'db', 0, 'shop', 'app', 'dev')",
                [],
            )
            .unwrap_err();
        assert!(err.to_string().contains("CHECK"), "{err}");
        assert!(store
            .save_profile(ProfileInput {
                id: None,
                name: "old".into(),
                engine: Engine::Oracle,
                host: String::new(),
                port: 0,
                database: "PRODDB".into(),
                username: "hr".into(),
                environment: Environment::Dev,
            })
            .is_err_and(|e| matches!(e, StoreError::DuplicateName(_))));
    }

    #[test]
    fn a_file_from_a_newer_godwit_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.sqlite3");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("g.sqlite3"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-db.sqlite3");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("not-a-db.sqlite3"), "{err}");
    }
}
