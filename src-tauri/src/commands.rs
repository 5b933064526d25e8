//! Tauri commands: small functions that call the engine crates and map their results to
//! transport types. No business logic lives here.
//!
//! Each command is a thin wrapper over a method of [`AppState`], so the methods are tested on a
//! real SQLite file without a window.
//!
//! Passwords only travel UI → keyring ([`godwit_store::Secrets`]) and keyring → connection; they
//! are never logged, stored in SQLite or put into an error message.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use godwit_catalog::Catalog;
use godwit_oracle::live::{LiveError, OracleUrl};
use godwit_oracle::script::Script;
use godwit_postgres::SchemaFilter;
use godwit_store::{Engine, Profile, Secrets, Store, StoreError};
use tauri::State;

use crate::convert;
use crate::dto::{
    CatalogTree, CommandError, ConversionDto, EngineDto, EngineInfo, ErrorCodeDto, HealthDto,
    ObjectDetailDto, ObjectRefDto, ProfileDto, ProfileInputDto, ProfileTestDto,
};

/// Shared state of the running app.
pub struct AppState {
    /// The local store, or the reason it could not be opened (shown on every command).
    store: Result<Mutex<Store>, String>,
    /// Where profile passwords live.
    secrets: Secrets,
    /// Catalogs read by `discover`, by profile id, so `object_ddl` needs no second round trip.
    catalogs: Mutex<HashMap<String, Catalog>>,
    /// The last Oracle conversion, so `conversion_object` can show one object without converting again.
    conversion: Mutex<Option<godwit_convert::Conversion>>,
}

/// A profile's password, wiped from error text: drivers may echo what they were given.
struct Redact(Option<String>);

impl Redact {
    fn error(&self, message: impl std::fmt::Display) -> CommandError {
        let mut message = message.to_string();
        if let Some(p) = self.0.as_deref().filter(|p| !p.is_empty()) {
            message = message.replace(p, "***");
        }
        CommandError::new(message)
    }
}

/// An Oracle error for the UI; a missing client library carries the code that offers the offline route.
fn oracle_error(e: LiveError, redact: &Redact) -> CommandError {
    match e {
        LiveError::ClientLibraryMissing => {
            redact.error(e).with_code(ErrorCodeDto::OracleClientMissing)
        }
        other => redact.error(other),
    }
}

fn stopped(what: &str) -> CommandError {
    CommandError::new(format!("{what} stopped unexpectedly: try again."))
}

impl AppState {
    /// Opens the default store (`$GODWIT_DATA_DIR` or the platform data dir) with Godwit's keyring
    /// entries. A failure is kept and reported by each command instead of stopping the app.
    pub fn open_default() -> Self {
        Self::from_store(Store::open_default(), Secrets::new())
    }

    /// Opens the store at `path`, with passwords in `secrets` (tests use their own service name).
    pub fn open(path: &Path, secrets: Secrets) -> Self {
        Self::from_store(Store::open(path), secrets)
    }

    fn from_store(store: Result<Store, StoreError>, secrets: Secrets) -> Self {
        let store = store.map(Mutex::new).map_err(|e| {
            tracing::error!(error = %e, "cannot open the local store");
            format!("Godwit cannot open its local store: {e}")
        });
        Self {
            store,
            secrets,
            catalogs: Mutex::new(HashMap::new()),
            conversion: Mutex::new(None),
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, CommandError> {
        let store = self.store.as_ref().map_err(CommandError::new)?;
        let guard = store.lock().map_err(|_| {
            CommandError::new(
                "The local store is unusable after an earlier failure: restart Godwit.",
            )
        })?;
        f(&guard).map_err(CommandError::new)
    }

    /// Runs a keyring call off the async workers (the Secret Service client must not run on a tokio worker).
    async fn keyring<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Secrets) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, CommandError> {
        let secrets = self.secrets.clone();
        tauri::async_runtime::spawn_blocking(move || f(&secrets))
            .await
            .map_err(|_| stopped("The keyring call"))?
            .map_err(CommandError::new)
    }

    async fn password(&self, profile: &Profile) -> Result<Option<String>, CommandError> {
        let id = profile.id.clone();
        self.keyring(move |k| k.password(&id)).await
    }

    /// A saved PostgreSQL profile's URL, with its password read from the keyring.
    async fn postgres_url(&self, profile_id: &str) -> Result<String, CommandError> {
        let profile = self.with_store(|s| s.get_profile(profile_id))?;
        if profile.engine != Engine::Postgres {
            return Err(CommandError::new(format!(
                "{:?} is an Oracle source: Discovery reads PostgreSQL connections. Open Oracle sources on the Conversion screen.",
                profile.name
            )));
        }
        let password = self.password(&profile).await?;
        Ok(profile.connection_url(password.as_deref()))
    }

    /// A saved Oracle profile's connection settings, with its password read from the keyring.
    async fn oracle_url(&self, profile: &Profile) -> Result<OracleUrl, CommandError> {
        let connect_string = profile.oracle_connect_string().ok_or_else(|| {
            CommandError::new(format!(
                "{:?} is not an Oracle database connection.",
                profile.name
            ))
        })?;
        Ok(OracleUrl {
            user: profile.username.clone(),
            password: self.password(profile).await?,
            connect_string,
        })
    }

    /// All saved profiles, by name.
    pub fn list_profiles(&self) -> Result<Vec<ProfileDto>, CommandError> {
        let profiles = self.with_store(|s| s.list_profiles())?;
        Ok(profiles.into_iter().map(convert::profile).collect())
    }

    /// Creates or updates a profile; a given password goes to the OS keyring (empty removes it).
    /// A script source has no password: one left from an earlier engine is removed.
    #[tracing::instrument(skip_all, fields(id = ?input.id, name = %input.name, engine = ?input.engine))]
    pub async fn save_profile(&self, input: ProfileInputDto) -> Result<ProfileDto, CommandError> {
        let store_input = convert::profile_input(&input)?;
        let editing = store_input.id.is_some();
        let saved = self.with_store(|s| s.save_profile(store_input))?;
        let id = saved.id.clone();
        if !saved.engine.has_password() {
            if editing {
                // Best effort: the profile is saved, and a stale secret is only removed, never used.
                if let Err(e) = self.keyring(move |k| k.delete_password(&id)).await {
                    tracing::warn!(error = %e.message, "cannot remove the password of a script source");
                }
            }
        } else if let Some(password) = input.password {
            if password.is_empty() {
                self.keyring(move |k| k.delete_password(&id)).await?;
            } else {
                self.keyring(move |k| k.set_password(&id, &password))
                    .await?;
            }
        }
        Ok(convert::profile(saved))
    }

    /// Deletes a profile and its keyring password.
    #[tracing::instrument(skip(self))]
    pub async fn delete_profile(&self, id: String) -> Result<(), CommandError> {
        let profile = self.with_store(|s| s.get_profile(&id))?;
        self.with_store(|s| s.delete_profile(&profile.id))?;
        if let Ok(mut cache) = self.catalogs.lock() {
            cache.remove(&profile.id);
        }
        if !profile.engine.has_password() {
            return Ok(());
        }
        self.keyring(move |k| k.delete_password(&profile.id)).await
    }

    /// Tests a saved profile: connects to its database (PostgreSQL or Oracle), or reads its scripts.
    #[tracing::instrument(skip(self))]
    pub async fn test_profile(&self, id: String) -> Result<ProfileTestDto, CommandError> {
        let result = self.run_test(&id).await;
        if let Err(e) = &result {
            tracing::info!(error = %e.message, "profile test failed");
        }
        result
    }

    async fn run_test(&self, id: &str) -> Result<ProfileTestDto, CommandError> {
        let profile = self.with_store(|s| s.get_profile(id))?;
        match profile.engine {
            Engine::Postgres => {
                let url = self.postgres_url(&profile.id).await?;
                let report = godwit_postgres::health(&url)
                    .await
                    .map_err(CommandError::new)?;
                Ok(ProfileTestDto::Database {
                    health: HealthDto {
                        server_version: report.server_version,
                        user: report.user,
                        database: report.database,
                        latency_ms: report.latency_ms,
                        privileges: report.privileges,
                    },
                })
            }
            Engine::Oracle => {
                let url = self.oracle_url(&profile).await?;
                let redact = Redact(url.password.clone());
                let health = tauri::async_runtime::spawn_blocking(move || {
                    let mut session = godwit_oracle::live::connect(&url)?;
                    crate::oracle::health(&mut session)
                })
                .await
                .map_err(|_| stopped("The Oracle connection test"))?
                .map_err(|e| oracle_error(e, &redact))?;
                Ok(ProfileTestDto::Database { health })
            }
            Engine::OracleScript => {
                let (label, script) = read_scripts(&profile).await?;
                Ok(ProfileTestDto::Script {
                    check: convert::script_check(&label, &script),
                })
            }
        }
    }

    /// Reads the catalog of a saved PostgreSQL connection (all user schemas) and returns its tree.
    #[tracing::instrument(skip(self))]
    pub async fn discover(&self, id: String) -> Result<CatalogTree, CommandError> {
        let url = self.postgres_url(&id).await?;
        let client = godwit_postgres::connect(&url)
            .await
            .map_err(CommandError::new)?;
        let catalog = godwit_postgres::discover(&client, &SchemaFilter::default())
            .await
            .map_err(CommandError::new)?;
        let tree = convert::catalog_tree(&id, &catalog);
        self.catalogs
            .lock()
            .map_err(|_| CommandError::new("The catalog cache is unusable: restart Godwit."))?
            .insert(id, catalog);
        Ok(tree)
    }

    /// DDL of one object from the catalog last discovered for this profile.
    pub fn object_ddl(&self, id: &str, object: &ObjectRefDto) -> Result<String, CommandError> {
        let cache = self
            .catalogs
            .lock()
            .map_err(|_| CommandError::new("The catalog cache is unusable: restart Godwit."))?;
        let catalog = cache.get(id).ok_or_else(|| {
            CommandError::new(
                "This connection's catalog is not loaded: open it in Discovery first.",
            )
        })?;
        godwit_postgres::object_ddl(catalog, &convert::object_ref(object)).ok_or_else(|| {
            CommandError::new(format!(
                "No DDL is available for {}.{} ({:?}).",
                object.schema, object.name, object.kind
            ))
        })
    }

    /// Converts the Oracle script (or folder) at `path`; see [`convert_oracle_script`].
    #[tracing::instrument(skip(self))]
    pub async fn convert_oracle_script(&self, path: String) -> Result<ConversionDto, CommandError> {
        let path = path.trim().to_string();
        if path.is_empty() {
            return Err(CommandError::new(
                "Enter the path of an Oracle script, or of a folder of scripts.",
            ));
        }
        let input = PathBuf::from(&path);
        let script = read_path(input)
            .await?
            .map_err(|e| CommandError::new(format!("Cannot convert {path}: {e}")))?;
        self.convert(path, script).await
    }

    /// Converts a saved Oracle source; see [`convert_oracle_profile`].
    #[tracing::instrument(skip(self))]
    pub async fn convert_oracle_profile(&self, id: String) -> Result<ConversionDto, CommandError> {
        let result = self.convert_profile(&id).await;
        if let Err(e) = &result {
            tracing::info!(error = %e.message, "conversion failed");
        }
        result
    }

    async fn convert_profile(&self, id: &str) -> Result<ConversionDto, CommandError> {
        let profile = self.with_store(|s| s.get_profile(id))?;
        match profile.engine {
            Engine::OracleScript => {
                let (label, script) = read_scripts(&profile).await?;
                self.convert(label, script).await
            }
            Engine::Oracle => {
                let url = self.oracle_url(&profile).await?;
                let redact = Redact(url.password.clone());
                let script = tauri::async_runtime::spawn_blocking(move || {
                    let mut session = godwit_oracle::live::connect(&url)?;
                    let live = godwit_oracle::live::read_schema(&mut session, &url.user)?;
                    Ok::<_, LiveError>(Script {
                        statements: live.statements,
                        notes: Vec::new(),
                    })
                })
                .await
                .map_err(|_| stopped("Reading the Oracle database"))?
                .map_err(|e| oracle_error(e, &redact))?;
                self.convert(profile.connection_url(None), script).await
            }
            Engine::Postgres => Err(CommandError::new(format!(
                "{:?} is a PostgreSQL connection: choose an Oracle database or an Oracle script source to convert.",
                profile.name
            ))),
        }
    }

    /// Converts `script` (read from `label`), keeps the conversion for `conversion_object`, and
    /// returns its list.
    async fn convert(&self, label: String, script: Script) -> Result<ConversionDto, CommandError> {
        let (script, conversion) = tauri::async_runtime::spawn_blocking(move || {
            let conversion =
                godwit_convert::convert(&script.statements, &godwit_convert::Options::default());
            (script, conversion)
        })
        .await
        .map_err(|_| stopped("The conversion"))?;
        let dto = convert::conversion(&label, &script, &conversion);
        *self.conversion.lock().map_err(|_| {
            CommandError::new("The conversion cache is unusable: restart Godwit.")
        })? = Some(conversion);
        Ok(dto)
    }

    /// One object of the last conversion; see [`conversion_object`].
    pub fn conversion_object(&self, id: u32) -> Result<ObjectDetailDto, CommandError> {
        let cache = self
            .conversion
            .lock()
            .map_err(|_| CommandError::new("The conversion cache is unusable: restart Godwit."))?;
        let conversion = cache.as_ref().ok_or_else(|| {
            CommandError::new("Nothing is converted yet: convert a script first.")
        })?;
        let index = usize::try_from(id).unwrap_or(usize::MAX);
        let object = conversion.objects.get(index).ok_or_else(|| {
            CommandError::new(format!(
                "Object {id} is not part of the last conversion: convert the script again."
            ))
        })?;
        Ok(convert::object_detail(index, conversion, object))
    }
}

/// Reads a script file or folder off the async workers.
async fn read_path(
    path: PathBuf,
) -> Result<Result<Script, godwit_oracle::ScriptError>, CommandError> {
    tauri::async_runtime::spawn_blocking(move || godwit_oracle::read_input(&path))
        .await
        .map_err(|_| stopped("Reading the scripts"))
}

/// Reads a script source profile's file or folder; returns its path as text and the script.
/// Fails naming the profile and the file (and `files.txt` line) that cannot be read.
async fn read_scripts(profile: &Profile) -> Result<(String, Script), CommandError> {
    let path = profile.script_path().ok_or_else(|| {
        CommandError::new(format!(
            "{:?} is not an Oracle script source.",
            profile.name
        ))
    })?;
    let label = path.display().to_string();
    let script = read_path(path.to_path_buf()).await?.map_err(|e| {
        CommandError::new(format!(
            "Cannot read the Oracle script source {:?}: {e}",
            profile.name
        ))
    })?;
    Ok((label, script))
}

/// Engines this build knows, and whether each can be used.
#[tauri::command]
#[specta::specta]
pub fn list_engines() -> Vec<EngineInfo> {
    vec![
        EngineInfo {
            engine: EngineDto::Postgres,
            label: "PostgreSQL".into(),
            default_port: 5432,
            available: true,
            note: String::new(),
        },
        EngineInfo {
            engine: EngineDto::Oracle,
            label: "Oracle".into(),
            default_port: 1521,
            available: true,
            note: "A live Oracle database, read through Oracle's client library (Instant Client), which must be installed on this computer. Without it, use an Oracle script source.".into(),
        },
        EngineInfo {
            engine: EngineDto::OracleScript,
            label: "Oracle script".into(),
            default_port: 0,
            available: true,
            note: "A .sql file or a folder of scripts (read in the order of its files.txt, else by name), such as the output of scripts/oracle/godwit_extract.sql. Works offline; no password.".into(),
        },
    ]
}

/// All saved connection profiles, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileDto>, CommandError> {
    state.list_profiles()
}

/// Creates or updates a profile; a given password goes to the OS keyring (empty string removes it).
/// A script source never has a password.
#[tauri::command]
#[specta::specta]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInputDto,
) -> Result<ProfileDto, CommandError> {
    state.save_profile(input).await
}

/// Deletes a profile and its keyring password.
#[tauri::command]
#[specta::specta]
pub async fn delete_profile(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    state.delete_profile(id).await
}

/// Tests a saved profile. A database (PostgreSQL, Oracle) reports server version, latency and
/// privileges; an Oracle script source reports its files and statements.
///
/// Fails with a message naming what is wrong; without Oracle's client library, with code
/// `oracleClientMissing` and what to install.
#[tauri::command]
#[specta::specta]
pub async fn test_profile(
    state: State<'_, AppState>,
    id: String,
) -> Result<ProfileTestDto, CommandError> {
    state.test_profile(id).await
}

/// Reads the catalog of a saved PostgreSQL connection (all user schemas) and returns its tree.
#[tauri::command]
#[specta::specta]
pub async fn discover(state: State<'_, AppState>, id: String) -> Result<CatalogTree, CommandError> {
    state.discover(id).await
}

/// DDL of one object from the catalog last discovered for this profile.
#[tauri::command]
#[specta::specta]
pub async fn object_ddl(
    state: State<'_, AppState>,
    id: String,
    object: ObjectRefDto,
) -> Result<String, CommandError> {
    state.object_ddl(&id, &object)
}

/// Reads an Oracle script (a file, or a folder of scripts in `files.txt` order), converts it to
/// PostgreSQL and returns its objects by status. The conversion is kept for `conversion_object`.
///
/// Fails when the path is empty or a file cannot be read as a text script (the message names it).
#[tauri::command]
#[specta::specta]
pub async fn convert_oracle_script(
    state: State<'_, AppState>,
    path: String,
) -> Result<ConversionDto, CommandError> {
    state.convert_oracle_script(path).await
}

/// Converts a saved Oracle source to PostgreSQL: a script source's file or folder, or a live
/// database's schema (the profile's user) read through DBMS_METADATA. Kept for `conversion_object`.
///
/// Fails when the profile is not an Oracle source, its scripts cannot be read (the message names the
/// file), or the database cannot be read; without Oracle's client library, with code
/// `oracleClientMissing` and what to install.
#[tauri::command]
#[specta::specta]
pub async fn convert_oracle_profile(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConversionDto, CommandError> {
    state.convert_oracle_profile(id).await
}

/// One object of the last conversion: Oracle source, PostgreSQL SQL, findings and their diff.
///
/// Fails when nothing was converted yet or `id` is not an object of the last conversion.
#[tauri::command]
#[specta::specta]
pub async fn conversion_object(
    state: State<'_, AppState>,
    id: u32,
) -> Result<ObjectDetailDto, CommandError> {
    state.conversion_object(id)
}

#[cfg(test)]
mod tests {
    //! The commands on a real SQLite file in a temp dir. None of these touches the keyring: the
    //! live Oracle profile, whose password goes there, is tested in `tests/oracle_profile.rs`.

    use super::*;
    use crate::dto::{EnvironmentDto, ProfileTestDto};

    /// A temp dir removed on drop (no tempfile crate here: see tests/bindings_drift.rs).
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "godwit-desktop-{name}-{}-{:?}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn state(dir: &TempDir) -> AppState {
        let secrets = Secrets::with_service(&format!("godwit-desktop-test-{}", std::process::id()));
        AppState::open(&dir.0.join("godwit.sqlite3"), secrets)
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tauri::async_runtime::block_on(f)
    }

    fn input(name: &str, engine: EngineDto) -> ProfileInputDto {
        ProfileInputDto {
            id: None,
            name: name.into(),
            engine,
            host: String::new(),
            port: 0,
            database: String::new(),
            tns_alias: String::new(),
            path: String::new(),
            username: String::new(),
            environment: EnvironmentDto::Dev,
            password: None,
        }
    }

    fn script_source(name: &str, path: &Path) -> ProfileInputDto {
        ProfileInputDto {
            path: path.display().to_string(),
            ..input(name, EngineDto::OracleScript)
        }
    }

    const SHOP: &str = "CREATE TABLE orders (\n  id NUMBER(10) PRIMARY KEY,\n  placed DATE DEFAULT SYSDATE\n);\n\nINSERT INTO orders (id) VALUES (1);\n\nCREATE VIEW recent AS SELECT id FROM orders WHERE placed > SYSDATE - 7;\n\nCREATE PROCEDURE touch AS\nBEGIN\n  GOTO done;\n  <<done>>\n  NULL;\nEND;\n/\n";

    #[test]
    fn a_script_source_is_saved_tested_and_converted_like_its_path() {
        let dir = TempDir::new("script");
        let file = dir.0.join("shop.sql");
        std::fs::write(&file, SHOP).unwrap();
        let state = state(&dir);

        // A password sent with a script source is ignored (and the keyring is not touched).
        let saved = block_on(state.save_profile(ProfileInputDto {
            host: "ignored".into(),
            username: "ignored".into(),
            password: Some("not-kept".into()),
            ..script_source("shop scripts", &file)
        }))
        .unwrap();
        assert_eq!(saved.engine, EngineDto::OracleScript);
        assert_eq!(saved.path, file.display().to_string());
        assert_eq!(
            (saved.host.as_str(), saved.username.as_str(), saved.port),
            ("", "", 0)
        );
        let listed = state.list_profiles().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, saved.path);

        match block_on(state.test_profile(saved.id.clone())).unwrap() {
            ProfileTestDto::Script { check } => {
                assert_eq!(check.path, file.display().to_string());
                assert_eq!(
                    (check.files, check.statements, check.plsql_units),
                    (1, 4, 1)
                );
            }
            other => panic!("expected a script check, got {other:?}"),
        }

        let by_profile = block_on(state.convert_oracle_profile(saved.id.clone())).unwrap();
        let by_path = block_on(state.convert_oracle_script(file.display().to_string())).unwrap();
        assert_eq!(by_profile.path, by_path.path);
        let counts = |c: &ConversionDto| {
            let s = &c.summary;
            (
                s.objects,
                s.converted,
                s.with_findings,
                s.not_converted,
                s.data_statements,
            )
        };
        assert_eq!(counts(&by_profile), counts(&by_path));
        assert!(
            by_profile.summary.not_converted >= 1,
            "{:?}",
            counts(&by_profile)
        );
        // The profile's conversion is the one kept for the detail view.
        block_on(state.convert_oracle_profile(saved.id.clone())).unwrap();
        let detail = state.conversion_object(0).unwrap();
        assert_eq!(detail.object.file, file.display().to_string());

        // A script source has no password, so deleting it needs no keyring either.
        block_on(state.delete_profile(saved.id)).unwrap();
        assert!(state.list_profiles().unwrap().is_empty());
    }

    #[test]
    fn a_folder_source_reports_a_missing_listed_file_by_name_and_line() {
        let dir = TempDir::new("folder");
        let scripts = dir.0.join("install");
        std::fs::create_dir_all(&scripts).unwrap();
        std::fs::write(scripts.join("tables.sql"), SHOP).unwrap();
        std::fs::write(
            scripts.join("files.txt"),
            "tables.sql\n# views next\nviews.sql\n",
        )
        .unwrap();
        let state = state(&dir);
        let saved = block_on(state.save_profile(script_source("install", &scripts))).unwrap();
        let err = block_on(state.test_profile(saved.id.clone())).unwrap_err();
        assert!(
            err.message.contains("files.txt line 3") && err.message.contains("views.sql"),
            "{}",
            err.message
        );
        assert_eq!(err.code, None);

        std::fs::write(
            scripts.join("views.sql"),
            "CREATE VIEW v AS SELECT 1 AS one FROM dual;\n",
        )
        .unwrap();
        match block_on(state.test_profile(saved.id)).unwrap() {
            ProfileTestDto::Script { check } => {
                assert_eq!((check.files, check.statements), (2, 5));
            }
            other => panic!("expected a script check, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_script_is_reported_with_its_path() {
        let dir = TempDir::new("missing");
        let state = state(&dir);
        let missing = dir.0.join("no-such.sql");
        let saved = block_on(state.save_profile(script_source("gone", &missing))).unwrap();
        for err in [
            block_on(state.test_profile(saved.id.clone())).unwrap_err(),
            block_on(state.convert_oracle_profile(saved.id.clone())).unwrap_err(),
        ] {
            assert!(
                err.message.contains(&missing.display().to_string())
                    && err.message.contains("\"gone\""),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn profiles_are_refused_where_their_engine_does_not_fit() {
        let dir = TempDir::new("engines");
        let state = state(&dir);
        let script = block_on(state.save_profile(script_source("s", &dir.0))).unwrap();
        let err = block_on(state.discover(script.id)).unwrap_err();
        assert!(err.message.contains("Conversion screen"), "{}", err.message);

        let pg = block_on(state.save_profile(ProfileInputDto {
            host: "localhost".into(),
            port: 5432,
            database: "shop".into(),
            username: "app".into(),
            ..input("pg", EngineDto::Postgres)
        }))
        .unwrap();
        let err = block_on(state.convert_oracle_profile(pg.id)).unwrap_err();
        assert!(
            err.message.contains("PostgreSQL connection"),
            "{}",
            err.message
        );

        let err =
            block_on(state.save_profile(input("empty", EngineDto::OracleScript))).unwrap_err();
        assert!(
            err.message.contains("script path is empty"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_tns_alias_profile_round_trips() {
        let dir = TempDir::new("tns");
        let state = state(&dir);
        let saved = block_on(state.save_profile(ProfileInputDto {
            host: "left-over".into(),
            port: 1521,
            tns_alias: "PRODDB".into(),
            username: "hr".into(),
            ..input("hr tns", EngineDto::Oracle)
        }))
        .unwrap();
        assert_eq!(
            (
                saved.tns_alias.as_str(),
                saved.host.as_str(),
                saved.database.as_str(),
                saved.port
            ),
            ("PRODDB", "", "", 0)
        );
        let listed = state.list_profiles().unwrap();
        assert_eq!(listed[0].tns_alias, "PRODDB");
    }
}
