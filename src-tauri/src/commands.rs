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
use std::sync::{Arc, Mutex};

use godwit_catalog::Catalog;
use godwit_oracle::live::{LiveError, OracleUrl};
use godwit_oracle::script::Script;
use godwit_postgres::SchemaFilter;
use godwit_store::{Engine, Profile, Secrets, Store, StoreError};
use godwit_transfer::{
    ChunkBy, CopyOptions, OnError, OracleRunOptions, OracleSource, Verification, Verify,
};
use tauri::State;
use tauri_specta::Event;

use crate::convert;
use crate::dto::{
    CatalogTree, CommandError, ConversionDto, CopyInputDto, CopyProgressEvent, CopyStatusDto,
    EngineDto, EngineInfo, ErrorCodeDto, HealthDto, ObjectDetailDto, ObjectRefDto, OnErrorDto,
    ProfileDto, ProfileInputDto, ProfileTestDto, RunDto, VerifyDto,
};
use crate::execution::{self, Emit, Runs, Side};

/// Shared state of the running app.
pub struct AppState {
    /// The local store, or the reason it could not be opened (shown on every command). Shared
    /// with the copy runs, which record their chunks there.
    store: Result<Arc<Mutex<Store>>, String>,
    /// Where profile passwords live.
    secrets: Secrets,
    /// Catalogs read by `discover`, by profile id, so `object_ddl` needs no second round trip.
    catalogs: Mutex<HashMap<String, Catalog>>,
    /// The last Oracle conversion, so `conversion_object` can show one object without converting again.
    conversion: Mutex<Option<godwit_convert::Conversion>>,
    /// Copy runs started in this window.
    runs: Runs,
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
        let store = store.map(|s| Arc::new(Mutex::new(s))).map_err(|e| {
            tracing::error!(error = %e, "cannot open the local store");
            format!("Godwit cannot open its local store: {e}")
        });
        Self {
            store,
            secrets,
            catalogs: Mutex::new(HashMap::new()),
            conversion: Mutex::new(None),
            runs: Runs::default(),
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

    fn shared_store(&self) -> Result<Arc<Mutex<Store>>, CommandError> {
        self.store.as_ref().cloned().map_err(CommandError::new)
    }

    /// A saved profile as one side of a copy (`role`: "source" or "target"): PostgreSQL, or as
    /// the source a live Oracle database or an Oracle script source.
    fn copy_profile(&self, id: &str, role: &str) -> Result<Profile, CommandError> {
        if id.trim().is_empty() {
            return Err(CommandError::new(format!("Choose the {role} connection.")));
        }
        let profile = self.with_store(|s| s.get_profile(id))?;
        match (profile.engine, role) {
            (Engine::Postgres, _) | (Engine::Oracle | Engine::OracleScript, "source") => {
                Ok(profile)
            }
            _ => Err(CommandError::new(format!(
                "{:?} is an Oracle source: data copies write into PostgreSQL. Choose a PostgreSQL connection as the {role}.",
                profile.name
            ))),
        }
    }

    /// One side of a copy, with its password read from the keyring.
    async fn copy_side(&self, profile: &Profile) -> Result<Side, CommandError> {
        let password = self.password(profile).await?;
        Ok(Side {
            url: profile.connection_url(password.as_deref()),
            label: profile.name.clone(),
            password,
        })
    }

    /// Starts copying the data of a saved connection or script source into a PostgreSQL one; see
    /// [`start_copy`].
    #[tracing::instrument(skip_all, fields(source = %input.source_id, target = %input.target_id))]
    pub async fn start_copy(
        &self,
        input: CopyInputDto,
        emit: Emit,
    ) -> Result<CopyStatusDto, CommandError> {
        let options = copy_options(&input)?;
        let verification = verification(input.verify, input.sample_rows)?;
        let source = self.copy_profile(&input.source_id, "source")?;
        let target = self.copy_profile(&input.target_id, "target")?;
        if source.engine != Engine::Postgres {
            if input.chunk_rows == 0 {
                return Err(CommandError::new(
                    "Rows per chunk must be at least 1; got 0.",
                ));
            }
            let chosen = OracleRunOptions {
                chunk_rows: Some(u64::from(input.chunk_rows)),
                ..crate::oracle_copy::chosen(&options)
            };
            let copy = godwit_transfer::OracleCopyOptions {
                jobs: options.jobs,
                on_error: options.on_error,
                ..Default::default()
            };
            return self
                .oracle_copy(source, target, chosen, copy, None, emit)
                .await;
        }
        if source.connection_url(None) == target.connection_url(None) {
            return Err(CommandError::new(format!(
                "The source {:?} and the target {:?} are the same database ({}): choose another target.",
                source.name,
                target.name,
                source.connection_url(None)
            )));
        }
        let (source, target) = (
            self.copy_side(&source).await?,
            self.copy_side(&target).await?,
        );
        let store = self.shared_store()?;
        execution::launch(
            store,
            self.runs.clone(),
            source,
            target,
            options,
            verification,
            None,
            emit,
        )
        .await
    }

    /// Starts (or, with `resume`, continues) copying a saved Oracle source into a PostgreSQL
    /// connection (see [`crate::oracle_copy`]): a live database is connected to and its tables
    /// listed first, a script source read and its rows evaluated first (and with `chosen`'s
    /// schema creation, converted), so a source that cannot be read fails here, naming the
    /// profile and its place (the file, for a script) and never a password.
    async fn oracle_copy(
        &self,
        source: Profile,
        target: Profile,
        chosen: OracleRunOptions,
        copy: godwit_transfer::OracleCopyOptions,
        resume: Option<String>,
        emit: Emit,
    ) -> Result<CopyStatusDto, CommandError> {
        chosen
            .check(crate::oracle_copy::SETTINGS)
            .map_err(CommandError::new)?;
        let with_schema = chosen.create_schema;
        let place = source.connection_url(None);
        type Read = Box<dyn FnOnce() -> Result<OracleSource, CommandError> + Send>;
        let (read, named, password, empty): (Read, String, Option<String>, String) =
            match source.engine {
                Engine::Oracle => {
                    let url = self.oracle_url(&source).await?;
                    let redact = Redact(url.password.clone());
                    let owner = godwit_oracle::live::owner_name(&url.user);
                    let empty = format!("schema {owner} has no table to copy");
                    let password = url.password.clone();
                    (
                        Box::new(move || {
                            OracleSource::live(&url, &owner, with_schema)
                                .map_err(|e| oracle_error(e, &redact))
                        }),
                        format!(
                            "the Oracle connection {:?} ({})",
                            source.name,
                            place.trim_start_matches("oracle://")
                        ),
                        password,
                        empty,
                    )
                }
                Engine::OracleScript => {
                    let path = PathBuf::from(&place);
                    (
                        Box::new(move || {
                            OracleSource::script(&path, with_schema).map_err(CommandError::new)
                        }),
                        format!("the Oracle script source {:?} ({place})", source.name),
                        None,
                        "it creates no table to copy".into(),
                    )
                }
                Engine::Postgres => {
                    return Err(CommandError::new(format!(
                        "{:?} is not an Oracle source.",
                        source.name
                    )))
                }
            };
        let failed = |e: CommandError| CommandError {
            message: format!("Cannot copy from {named}: {}", e.message),
            code: e.code,
        };
        let prepared = {
            let chosen = chosen.clone();
            tauri::async_runtime::spawn_blocking(move || {
                crate::oracle_copy::prepare(read()?, &chosen).map_err(CommandError::new)
            })
            .await
            .map_err(|_| stopped("Reading the Oracle source"))?
            .map_err(failed)?
        };
        if prepared.tables.is_empty() {
            return Err(failed(CommandError::new(format!(
                "{empty} (with these table patterns)."
            ))));
        }
        let target = self.copy_side(&target).await?;
        // Rows per chunk as the run was started with (it may not have planned them yet).
        let options = godwit_transfer::OracleCopyOptions {
            chunk_rows: chosen.chunk_rows.unwrap_or(copy.chunk_rows),
            ..copy
        };
        execution::launch_oracle(
            self.shared_store()?,
            self.runs.clone(),
            execution::OracleRun {
                open: prepared.source.open,
                source: Side {
                    url: place.clone(),
                    label: source.name.clone(),
                    password,
                },
                recorded_source: place,
                target,
                tables: prepared.tables,
                schema: prepared.schema,
                chosen,
                options,
                resume,
            },
            emit,
        )
    }

    /// Continues an unfinished run with its unfinished chunks only; see [`resume_copy`].
    #[tracing::instrument(skip(self, emit))]
    pub async fn resume_copy(
        &self,
        run_id: String,
        set_aside: bool,
        verify: VerifyDto,
        sample_rows: u32,
        emit: Emit,
    ) -> Result<CopyStatusDto, CommandError> {
        let verification = verification(verify, sample_rows)?;
        let run = self.with_store(|s| s.run(&run_id))?;
        if run.status == "finished" {
            return Err(CommandError::new(format!(
                "Run {} already finished: there is nothing to resume.",
                run.id
            )));
        }
        if self.live_run(&run.id).is_some_and(|r| r.running()) {
            return Err(CommandError::new(format!(
                "Run {} is still running.",
                run.id
            )));
        }
        let profiles = self.with_store(|s| s.list_profiles())?;
        let side = |recorded: &str, role: &str| {
            matching_profile(&profiles, recorded)
                .cloned()
                .ok_or_else(|| {
                    CommandError::new(format!(
                        "Run {} copies from {} to {}, and no saved connection matches its {role} {recorded}: save one for that database, or resume from the command line with `godwit copy --resume {}`.",
                        run.id, run.source, run.target, run.id
                    ))
                })
        };
        let (source, target) = (side(&run.source, "source")?, side(&run.target, "target")?);
        // Refused rows may be set aside from now on (a run stopped by one resumes so).
        let on_error = if set_aside {
            OnError::Skip
        } else {
            OnError::Stop
        };
        if run.kind == "copy-oracle" {
            // The same tables, schema and schema creation as recorded; the engine skips the
            // committed chunks and schema steps.
            let chosen = OracleRunOptions::recorded(&run.options);
            let copy = godwit_transfer::OracleCopyOptions {
                jobs: execution::ORACLE_RESUME_JOBS,
                on_error,
                ..Default::default()
            };
            return self
                .oracle_copy(source, target, chosen, copy, Some(run.id), emit)
                .await;
        }
        let (source, target) = (
            self.copy_side(&source).await?,
            self.copy_side(&target).await?,
        );
        let store = self.shared_store()?;
        // What to copy and how comes from the run's recorded options.
        let options = CopyOptions {
            on_error,
            ..CopyOptions::default()
        };
        execution::launch(
            store,
            self.runs.clone(),
            source,
            target,
            options,
            verification,
            Some(run.id),
            emit,
        )
        .await
    }

    fn live_run(&self, run_id: &str) -> Option<Arc<execution::LiveRun>> {
        self.runs.lock().ok()?.get(run_id).cloned()
    }

    /// Asks a run of this window to stop; see [`cancel_copy`].
    #[tracing::instrument(skip(self))]
    pub fn cancel_copy(&self, run_id: &str) -> Result<CopyStatusDto, CommandError> {
        match self.live_run(run_id) {
            Some(run) if run.running() => {
                run.stop();
                Ok(run.status())
            }
            _ => Err(CommandError::new(format!(
                "Run {run_id} is not running in this window: a copy started from the command line stops with Ctrl-C there."
            ))),
        }
    }

    /// Stops every run of this window and waits up to `timeout` for them to end (the app is quitting).
    pub fn stop_runs(&self, timeout: std::time::Duration) {
        let running: Vec<_> = match self.runs.lock() {
            Ok(runs) => runs.values().filter(|r| r.running()).cloned().collect(),
            Err(_) => return,
        };
        if running.is_empty() {
            return;
        }
        tracing::info!(runs = running.len(), "stopping the copies before quitting");
        for r in &running {
            r.stop();
        }
        let deadline = std::time::Instant::now() + timeout;
        while running.iter().any(|r| r.running()) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Copy runs of the history, newest first; see [`list_runs`].
    pub fn list_runs(&self) -> Result<Vec<RunDto>, CommandError> {
        let (runs, profiles) = self.with_store(|s| {
            let mut runs = s.list_runs("copy", RUNS_LISTED)?;
            runs.extend(s.list_runs("copy-oracle", RUNS_LISTED)?);
            runs.sort_by(|a, b| b.started_at.cmp(&a.started_at));
            runs.truncate(RUNS_LISTED);
            let runs = runs
                .into_iter()
                .map(|r| {
                    let totals = s.run_totals(&r.id)?;
                    let kept = s.verification(&r.id)?;
                    Ok((r, totals, kept))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((runs, s.list_profiles()?))
        })?;
        Ok(runs
            .iter()
            .map(|(run, totals, kept)| {
                let live = self.live_run(&run.id);
                execution::run_item(
                    run,
                    totals,
                    kept.as_ref(),
                    live.as_deref(),
                    run_names(&profiles, run),
                )
            })
            .collect())
    }

    /// One run: live figures when this window runs it, else what the history holds; see [`copy_status`].
    pub fn copy_status(&self, run_id: &str) -> Result<CopyStatusDto, CommandError> {
        if let Some(run) = self.live_run(run_id) {
            return Ok(run.status());
        }
        let (run, totals, kept, profiles) = self.with_store(|s| {
            let run = s.run(run_id)?;
            let totals = s.run_totals(&run.id)?;
            let kept = s.verification(&run.id)?;
            Ok((run, totals, kept, s.list_profiles()?))
        })?;
        let (source, target) = run_names(&profiles, &run);
        Ok(execution::history_status(
            &run,
            &totals,
            kept.as_ref(),
            source.unwrap_or_else(|| run.source.clone()),
            target.unwrap_or_else(|| run.target.clone()),
        ))
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

/// Runs shown in the run list.
const RUNS_LISTED: usize = 100;

/// Most chunks copied at once.
const MAX_JOBS: u32 = 64;

/// The engine's options from the Execution screen's form; fails naming the setting that is wrong.
// Options the engine adds later keep their defaults (hence the struct update clippy finds needless).
#[allow(clippy::needless_update)]
fn copy_options(input: &CopyInputDto) -> Result<CopyOptions, CommandError> {
    if !(1..=MAX_JOBS).contains(&input.jobs) {
        return Err(CommandError::new(format!(
            "Parallel jobs must be between 1 and {MAX_JOBS}; got {}.",
            input.jobs
        )));
    }
    if input.chunk_pages == 0 {
        return Err(CommandError::new(
            "Chunk size must be at least 1 page (8 kB); got 0.",
        ));
    }
    let list = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .collect()
    };
    for (setting, patterns) in [
        ("Tables", &input.include),
        ("Excluded tables", &input.exclude),
    ] {
        let filter = SchemaFilter {
            include: list(patterns),
            ..SchemaFilter::default()
        };
        filter
            .validate()
            .map_err(|e| CommandError::new(format!("{setting}: {e}.")))?;
    }
    Ok(CopyOptions {
        schemas: list(&input.schemas),
        include: list(&input.include),
        exclude: list(&input.exclude),
        jobs: input.jobs as usize,
        chunk_pages: input.chunk_pages,
        create_schema: input.create_schema,
        verify_hash: input.verify == VerifyDto::Hash,
        on_error: match input.on_error {
            OnErrorDto::Stop => OnError::Stop,
            OnErrorDto::Skip => OnError::Skip,
        },
        chunk_by: ChunkBy::Blocks,
        ..CopyOptions::default()
    })
}

/// Most rows sampled per table.
const MAX_SAMPLE_ROWS: u32 = 1_000_000;

/// How the form asks a run to be checked; fails naming the setting when the sample is empty.
fn verification(verify: VerifyDto, sample_rows: u32) -> Result<Verification, CommandError> {
    let level = match verify {
        VerifyDto::Off => Verify::Off,
        VerifyDto::Count => Verify::Count,
        VerifyDto::Hash => Verify::Hash,
        VerifyDto::Sample => Verify::Sample,
    };
    if level == Verify::Sample && !(1..=MAX_SAMPLE_ROWS).contains(&sample_rows) {
        return Err(CommandError::new(format!(
            "Sample rows must be between 1 and {MAX_SAMPLE_ROWS} per table; got {sample_rows}."
        )));
    }
    Ok(Verification {
        level,
        sample_rows: u64::from(sample_rows.max(1)),
    })
}

/// The saved connection a run recorded (its URL without password), if any.
fn matching_profile<'a>(profiles: &'a [Profile], recorded: &str) -> Option<&'a Profile> {
    let bare = recorded.replacen(":***@", "@", 1);
    profiles.iter().find(|p| p.connection_url(None) == bare)
}

/// The names of the saved connections a run copies from and to, where they match.
fn run_names(profiles: &[Profile], run: &godwit_store::Run) -> (Option<String>, Option<String>) {
    let name = |recorded: &str| matching_profile(profiles, recorded).map(|p| p.name.clone());
    (name(&run.source), name(&run.target))
}

/// Sends a run's status to the window as a [`CopyProgressEvent`].
fn emitter(app: tauri::AppHandle) -> Emit {
    Arc::new(move |status| {
        if let Err(e) = (CopyProgressEvent { status }).emit(&app) {
            tracing::warn!(error = %e, "cannot send copy progress to the window");
        }
    })
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

/// Starts copying the data of a saved PostgreSQL connection, live Oracle connection or Oracle
/// script source (source) into a PostgreSQL connection (target) in the background, and returns the
/// run as it starts. Progress arrives as `copyProgressEvent`s. From Oracle, `createSchema` creates
/// the converted schema around the rows.
///
/// Fails naming the setting or connection at fault: jobs outside 1–64, a chunk size of 0, an invalid
/// table pattern, a missing connection or an Oracle one as the target, the same database on both
/// sides, an Oracle source that cannot be read (naming the profile, and for a script the file).
#[tauri::command]
#[specta::specta]
pub async fn start_copy(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    input: CopyInputDto,
) -> Result<CopyStatusDto, CommandError> {
    state.start_copy(input, emitter(app)).await
}

/// Continues an unfinished run (cancelled, failed, or left by a CLI or app that quit) with its
/// unfinished chunks only, between the saved connections that match the databases it recorded.
/// With `setAside`, rows the target refuses go to `godwit_copy.rejects` from now on instead of
/// stopping the run. It is verified as `verify` asks (`sampleRows` per table under `sample`); a
/// run begun with hashes keeps them when asked for counts.
///
/// Fails when the run is unknown, finished, still running here, or no saved connection matches.
#[tauri::command]
#[specta::specta]
pub async fn resume_copy(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    run_id: String,
    set_aside: bool,
    verify: VerifyDto,
    sample_rows: u32,
) -> Result<CopyStatusDto, CommandError> {
    state
        .resume_copy(run_id, set_aside, verify, sample_rows, emitter(app))
        .await
}

/// Asks a run of this window to stop: no new chunk starts, open chunks roll back, and the run
/// stays resumable. Fails when this window does not run it.
#[tauri::command]
#[specta::specta]
pub async fn cancel_copy(
    state: State<'_, AppState>,
    run_id: String,
) -> Result<CopyStatusDto, CommandError> {
    state.cancel_copy(&run_id)
}

/// Copy runs of the history (shared with the CLI), newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_runs(state: State<'_, AppState>) -> Result<Vec<RunDto>, CommandError> {
    state.list_runs()
}

/// One copy run: live progress and, once finished, its verification; for a run this window does
/// not run, the chunks and rows the history says it committed and the verification it kept.
#[tauri::command]
#[specta::specta]
pub async fn copy_status(
    state: State<'_, AppState>,
    run_id: String,
) -> Result<CopyStatusDto, CommandError> {
    state.copy_status(&run_id)
}

#[cfg(test)]
mod tests {
    //! The commands on a real SQLite file in a temp dir. None of these touches the keyring: the
    //! live Oracle profile, whose password goes there, is tested in `tests/oracle_profile.rs`.

    use super::*;
    use crate::dto::{ProfileTestDto, RunStateDto};

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
            name: name.into(),
            engine,
            ..ProfileInputDto::default()
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

    fn postgres(name: &str, database: &str) -> ProfileInputDto {
        ProfileInputDto {
            host: "127.0.0.1".into(),
            port: 5432,
            database: database.into(),
            username: "app".into(),
            ..input(name, EngineDto::Postgres)
        }
    }

    fn copy_input(source_id: &str, target_id: &str) -> CopyInputDto {
        CopyInputDto {
            source_id: source_id.into(),
            target_id: target_id.into(),
            schemas: vec![],
            include: vec![],
            exclude: vec![],
            jobs: 4,
            chunk_pages: 16,
            chunk_rows: 100_000,
            create_schema: false,
            verify: VerifyDto::Hash,
            sample_rows: 1000,
            on_error: OnErrorDto::Stop,
        }
    }

    fn no_events() -> Emit {
        Arc::new(|_| {})
    }

    #[test]
    fn copy_options_map_the_form_and_name_the_setting_that_is_wrong() {
        let options = copy_options(&CopyInputDto {
            schemas: vec![" shop ".into(), "".into()],
            include: vec!["orders*".into()],
            on_error: OnErrorDto::Skip,
            ..copy_input("a", "b")
        })
        .unwrap();
        assert_eq!(options.schemas, ["shop"]);
        assert_eq!(options.include, ["orders*"]);
        assert_eq!((options.jobs, options.chunk_pages), (4, 16));
        assert!(options.verify_hash);
        assert_eq!(options.on_error, OnError::Skip);

        let err = copy_options(&CopyInputDto {
            include: vec!["orders".into(), "items[".into()],
            ..copy_input("a", "b")
        })
        .unwrap_err();
        assert!(
            err.message
                .starts_with("Tables: invalid name pattern \"items[\""),
            "{}",
            err.message
        );

        for (jobs, chunk_pages, setting) in [
            (0, 16, "Parallel jobs"),
            (65, 16, "Parallel jobs"),
            (4, 0, "Chunk size"),
        ] {
            let err = copy_options(&CopyInputDto {
                jobs,
                chunk_pages,
                ..copy_input("a", "b")
            })
            .unwrap_err();
            assert!(err.message.starts_with(setting), "{}", err.message);
        }
    }

    #[test]
    fn the_verify_modes_reach_the_engine_and_an_empty_sample_is_refused() {
        for (dto, level) in [
            (VerifyDto::Off, Verify::Off),
            (VerifyDto::Count, Verify::Count),
            (VerifyDto::Hash, Verify::Hash),
            (VerifyDto::Sample, Verify::Sample),
        ] {
            let v = verification(dto, 250).unwrap();
            assert_eq!((v.level, v.sample_rows), (level, 250));
        }
        let err = verification(VerifyDto::Sample, 0).unwrap_err();
        assert!(
            err.message
                .starts_with("Sample rows must be between 1 and 1000000 per table; got 0."),
            "{}",
            err.message
        );
        // Only a sample needs rows.
        assert_eq!(
            verification(VerifyDto::Count, 0).unwrap().level,
            Verify::Count
        );
    }

    #[test]
    fn a_copy_is_refused_naming_the_connection_at_fault() {
        let dir = TempDir::new("copy-refusals");
        let state = state(&dir);
        let shop = block_on(state.save_profile(postgres("shop", "shop"))).unwrap();
        let twin = block_on(state.save_profile(postgres("shop again", "shop"))).unwrap();
        let scripts = block_on(state.save_profile(script_source("hr scripts", &dir.0))).unwrap();
        let start = |input| {
            block_on(state.start_copy(input, no_events()))
                .unwrap_err()
                .message
        };

        let message = start(copy_input("", &shop.id));
        assert_eq!(message, "Choose the source connection.");
        let message = start(copy_input(&shop.id, " "));
        assert_eq!(message, "Choose the target connection.");
        // A script source is read before anything connects; what is wrong names it and its file.
        let message = start(copy_input(&scripts.id, &shop.id));
        assert_eq!(
            message,
            format!(
                "Cannot copy from the Oracle script source \"hr scripts\" ({0}): {0} holds no SQL script files (*.sql, *.pks, *.pkb, …)",
                dir.0.display()
            )
        );
        let tableless = dir.0.join("tableless.sql");
        std::fs::write(&tableless, "CREATE SEQUENCE s;\n").unwrap();
        let tableless =
            block_on(state.save_profile(script_source("no tables", &tableless))).unwrap();
        let message = start(copy_input(&tableless.id, &shop.id));
        assert!(
            message.starts_with("Cannot copy from the Oracle script source \"no tables\" (")
                && message.ends_with(
                    "tableless.sql): it creates no table to copy (with these table patterns)."
                ),
            "{message}"
        );
        let bad = dir.0.join("bad.sql");
        std::fs::write(
            &bad,
            "CREATE TABLE t (n NUMBER);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (no_such_fn(2));\n",
        )
        .unwrap();
        let bad = block_on(state.save_profile(script_source("bad rows", &bad))).unwrap();
        let message = start(copy_input(&bad.id, &shop.id));
        assert!(
            message.starts_with("Cannot copy from the Oracle script source \"bad rows\" (")
                && message.contains("bad.sql:3"),
            "{message}"
        );
        let gone = dir.0.join("gone.sql");
        let gone = block_on(state.save_profile(script_source("gone", &gone))).unwrap();
        let message = start(copy_input(&gone.id, &shop.id));
        assert!(
            message.starts_with("Cannot copy from the Oracle script source \"gone\" (")
                && message.contains("gone.sql"),
            "{message}"
        );
        let message = start(CopyInputDto {
            include: vec!["emp[".into()],
            ..copy_input(&scripts.id, &shop.id)
        });
        assert!(message.starts_with("Tables: "), "{message}");
        let message = start(copy_input(&shop.id, &scripts.id));
        assert!(
            message.contains("\"hr scripts\" is an Oracle source")
                && message.contains("as the target"),
            "{message}"
        );
        let message = start(copy_input(&shop.id, &twin.id));
        assert!(
            message.contains("\"shop\"")
                && message.contains("\"shop again\"")
                && message.contains("same database"),
            "{message}"
        );
        let message = start(copy_input(&shop.id, "no-such-id"));
        assert!(message.contains("no-such-id"), "{message}");
        let message = start(CopyInputDto {
            jobs: 0,
            ..copy_input(&shop.id, &twin.id)
        });
        assert!(message.contains("Parallel jobs"), "{message}");
    }

    #[test]
    fn runs_of_the_history_are_listed_and_resumed_only_where_they_can_be() {
        let dir = TempDir::new("copy-history");
        let state = state(&dir);
        let shop = block_on(state.save_profile(postgres("shop", "shop"))).unwrap();
        let copy = block_on(state.save_profile(postgres("shop copy", "shop_copy"))).unwrap();
        // Runs record their databases without password, as the CLI writes them.
        let known = "postgresql://app:***@127.0.0.1:5432/shop";
        let (matched, stranger, done) = state
            .with_store(|s| {
                let matched = s.start_run(
                    "copy",
                    known,
                    "postgresql://app@127.0.0.1:5432/shop_copy",
                    "{}",
                )?;
                s.record_chunk(&matched.id, "public.orders", 0, 100, 8192, 0)?;
                s.record_chunk(&matched.id, "public.orders", 1, 50, 4096, 2)?;
                s.set_run_status(&matched.id, "interrupted", Some("stopped on request"))?;
                let stranger = s.start_run(
                    "copy",
                    "postgresql://other:***@db.example.org:5432/erp",
                    known,
                    "{}",
                )?;
                s.set_run_status(&stranger.id, "interrupted", None)?;
                let done = s.start_run(
                    "copy",
                    known,
                    "postgresql://app@127.0.0.1:5432/shop_copy",
                    "{}",
                )?;
                s.set_run_status(&done.id, "finished", None)?;
                s.save_verification(
                    &done.id,
                    &godwit_store::RunVerification {
                        level: godwit_store::VerifyLevel::Sample,
                        method: "row counts, and up to 50 rows per table compared".into(),
                        chunks_copied: 3,
                        chunks_total: 3,
                        rows_copied: 500,
                        bytes_copied: 9000,
                        seconds: 1.5,
                        verified_at: String::new(),
                        tables: vec![godwit_store::TableVerification {
                            table: "public.orders".into(),
                            source_rows: 500,
                            target_rows: 499,
                            rejected_rows: 1,
                            rows_sampled: Some(50),
                            ..Default::default()
                        }],
                    },
                )?;
                Ok((matched, stranger, done))
            })
            .unwrap();

        let runs = state.list_runs().unwrap();
        assert_eq!(runs.len(), 3);
        let item = runs.iter().find(|r| r.id == matched.id).unwrap();
        assert_eq!(
            (item.source.as_str(), item.target.as_str()),
            ("shop", "shop copy")
        );
        assert_eq!(
            (item.state, item.live, item.resumable_here),
            (RunStateDto::Interrupted, false, true)
        );
        assert_eq!((item.chunks_done, item.rows_done), (2, 150.0));
        let item = runs.iter().find(|r| r.id == stranger.id).unwrap();
        assert_eq!(
            item.source,
            "postgresql://other:***@db.example.org:5432/erp"
        );
        assert!(!item.resumable_here);
        assert_eq!((item.rows_lost, item.verify), (None, None));
        // A finished run's kept verification, read back without any window having run it.
        let item = runs.iter().find(|r| r.id == done.id).unwrap();
        assert_eq!(
            (item.rows_lost, item.verify),
            (Some(0.0), Some(VerifyDto::Sample))
        );
        let report = state.copy_status(&done.id).unwrap().report.unwrap();
        assert_eq!((report.rows_lost, report.rows_rejected), (0.0, 1.0));
        assert_eq!(report.tables[0].checked_by, "counts, 50 sampled rows");
        assert!(report.verified_at.ends_with('Z'), "{}", report.verified_at);
        assert!(
            report.evidence[0].contains("500 source rows = 499 target rows + 1 set aside"),
            "{:?}",
            report.evidence
        );

        let status = state.copy_status(&matched.id).unwrap();
        assert_eq!(
            (status.state, status.live),
            (RunStateDto::Interrupted, false)
        );
        assert_eq!(status.tables.len(), 1);
        assert_eq!(status.tables[0].progress.chunks_done, 2);
        assert_eq!(status.tables[0].rows_rejected, 2.0);
        assert_eq!(status.error.as_deref(), Some("stopped on request"));

        let resume = |id: &str| {
            block_on(state.resume_copy(id.into(), false, VerifyDto::Count, 1000, no_events()))
                .unwrap_err()
                .message
        };
        let message = resume(&stranger.id);
        assert!(
            message.contains("db.example.org")
                && message.contains(&format!("godwit copy --resume {}", stranger.id)),
            "{message}"
        );
        assert!(resume(&done.id).contains("already finished"));
        assert!(resume("no-such-run").contains("no-such-run"));
        let message = state.cancel_copy(&matched.id).unwrap_err().message;
        assert!(message.contains("not running in this window"), "{message}");
        let _ = (shop, copy);
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
