//! Tauri commands: small functions that call the engine crates and map their results to
//! transport types. No business logic lives here.
//!
//! Passwords only travel UI → keyring ([`godwit_store::Secrets`]) and keyring → connection URL;
//! they are never logged, stored in SQLite or put into an error message.

use std::collections::HashMap;
use std::sync::Mutex;

use godwit_catalog::Catalog;
use godwit_postgres::SchemaFilter;
use godwit_store::{Secrets, Store};
use tauri::State;

use crate::convert;
use crate::dto::{
    CatalogTree, CommandError, ConversionDto, EngineDto, EngineInfo, HealthDto, ObjectDetailDto,
    ObjectRefDto, ProfileDto, ProfileInputDto,
};

/// Shared state of the running app.
pub struct AppState {
    /// The local store, or the reason it could not be opened (shown on every command).
    store: Result<Mutex<Store>, String>,
    /// Catalogs read by `discover`, by profile id, so `object_ddl` needs no second round trip.
    catalogs: Mutex<HashMap<String, Catalog>>,
    /// The last Oracle conversion, so `conversion_object` can show one object without converting again.
    conversion: Mutex<Option<godwit_convert::Conversion>>,
}

impl AppState {
    /// Opens the default store (`$GODWIT_DATA_DIR` or the platform data dir). A failure is kept
    /// and reported by each command instead of stopping the app.
    pub fn open_default() -> Self {
        let store = Store::open_default().map(Mutex::new).map_err(|e| {
            tracing::error!(error = %e, "cannot open the local store");
            format!("Godwit cannot open its local store: {e}")
        });
        Self {
            store,
            catalogs: Mutex::new(HashMap::new()),
            conversion: Mutex::new(None),
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, godwit_store::StoreError>,
    ) -> Result<T, CommandError> {
        let store = self.store.as_ref().map_err(CommandError::new)?;
        let guard = store.lock().map_err(|_| {
            CommandError::new(
                "The local store is unusable after an earlier failure: restart Godwit.",
            )
        })?;
        f(&guard).map_err(CommandError::new)
    }
}

/// Runs a keyring call off the async workers (the Secret Service client must not run on a tokio worker).
async fn keyring<T: Send + 'static>(
    f: impl FnOnce(&Secrets) -> Result<T, godwit_store::StoreError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(move || f(&Secrets::new()))
        .await
        .map_err(|_| CommandError::new("The keyring call stopped unexpectedly: try again."))?
        .map_err(CommandError::new)
}

/// Connection URL of a saved profile, with its password read from the keyring.
async fn profile_url(state: &AppState, profile_id: &str) -> Result<String, CommandError> {
    let profile = state.with_store(|s| s.get_profile(profile_id))?;
    let id = profile.id.clone();
    let password = keyring(move |k| k.password(&id)).await?;
    Ok(profile.connection_url(password.as_deref()))
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
            available: false,
            note: "Not yet available: Oracle support is planned for a later release.".into(),
        },
    ]
}

/// All saved connection profiles, by name.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all)]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileDto>, CommandError> {
    let profiles = state.with_store(|s| s.list_profiles())?;
    Ok(profiles.into_iter().map(convert::profile).collect())
}

/// Creates or updates a profile; a given password goes to the OS keyring (empty string removes it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, fields(id = ?input.id, name = %input.name))]
pub async fn save_profile(
    state: State<'_, AppState>,
    input: ProfileInputDto,
) -> Result<ProfileDto, CommandError> {
    let store_input = convert::profile_input(&input)?;
    let saved = state.with_store(|s| s.save_profile(store_input))?;
    if let Some(password) = input.password {
        let id = saved.id.clone();
        if password.is_empty() {
            keyring(move |k| k.delete_password(&id)).await?;
        } else {
            keyring(move |k| k.set_password(&id, &password)).await?;
        }
    }
    Ok(convert::profile(saved))
}

/// Deletes a profile and its keyring password.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn delete_profile(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    state.with_store(|s| s.delete_profile(&id))?;
    if let Ok(mut cache) = state.catalogs.lock() {
        cache.remove(&id);
    }
    keyring(move |k| k.delete_password(&id)).await
}

/// Connects with a saved profile and reports server version, latency and privileges.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn test_profile(
    state: State<'_, AppState>,
    id: String,
) -> Result<HealthDto, CommandError> {
    let url = profile_url(&state, &id).await?;
    let report = godwit_postgres::health(&url)
        .await
        .map_err(CommandError::new)?;
    Ok(HealthDto {
        server_version: report.server_version,
        user: report.user,
        database: report.database,
        latency_ms: report.latency_ms,
        privileges: report.privileges,
    })
}

/// Reads the catalog of a saved connection (all user schemas) and returns its tree.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn discover(state: State<'_, AppState>, id: String) -> Result<CatalogTree, CommandError> {
    let url = profile_url(&state, &id).await?;
    let client = godwit_postgres::connect(&url)
        .await
        .map_err(CommandError::new)?;
    let catalog = godwit_postgres::discover(&client, &SchemaFilter::default())
        .await
        .map_err(CommandError::new)?;
    let tree = convert::catalog_tree(&id, &catalog);
    state
        .catalogs
        .lock()
        .map_err(|_| CommandError::new("The catalog cache is unusable: restart Godwit."))?
        .insert(id, catalog);
    Ok(tree)
}

/// DDL of one object from the catalog last discovered for this profile.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn object_ddl(
    state: State<'_, AppState>,
    id: String,
    object: ObjectRefDto,
) -> Result<String, CommandError> {
    let cache = state
        .catalogs
        .lock()
        .map_err(|_| CommandError::new("The catalog cache is unusable: restart Godwit."))?;
    let catalog = cache.get(&id).ok_or_else(|| {
        CommandError::new("This connection's catalog is not loaded: open it in Discovery first.")
    })?;
    godwit_postgres::object_ddl(catalog, &convert::object_ref(&object)).ok_or_else(|| {
        CommandError::new(format!(
            "No DDL is available for {}.{} ({:?}).",
            object.schema, object.name, object.kind
        ))
    })
}

/// Reads an Oracle script (a file, or a folder of scripts in `files.txt` order), converts it to
/// PostgreSQL and returns its objects by status. The conversion is kept for `conversion_object`.
///
/// Fails when the path is empty or a file cannot be read as a text script (the message names it).
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn convert_oracle_script(
    state: State<'_, AppState>,
    path: String,
) -> Result<ConversionDto, CommandError> {
    let path = path.trim().to_string();
    if path.is_empty() {
        return Err(CommandError::new(
            "Enter the path of an Oracle script, or of a folder of scripts.",
        ));
    }
    let input = path.clone();
    let (script, conversion) = tauri::async_runtime::spawn_blocking(move || {
        let script = godwit_oracle::read_input(std::path::Path::new(&input))?;
        let conversion =
            godwit_convert::convert(&script.statements, &godwit_convert::Options::default());
        Ok::<_, godwit_oracle::ScriptError>((script, conversion))
    })
    .await
    .map_err(|_| CommandError::new("The conversion stopped unexpectedly: try again."))?
    .map_err(|e| CommandError::new(format!("Cannot convert {path}: {e}")))?;
    let dto = convert::conversion(&path, &script, &conversion);
    *state
        .conversion
        .lock()
        .map_err(|_| CommandError::new("The conversion cache is unusable: restart Godwit."))? =
        Some(conversion);
    Ok(dto)
}

/// One object of the last conversion: Oracle source, PostgreSQL SQL, findings and their diff.
///
/// Fails when nothing was converted yet or `id` is not an object of the last conversion.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip(state))]
pub async fn conversion_object(
    state: State<'_, AppState>,
    id: u32,
) -> Result<ObjectDetailDto, CommandError> {
    let cache = state
        .conversion
        .lock()
        .map_err(|_| CommandError::new("The conversion cache is unusable: restart Godwit."))?;
    let conversion = cache
        .as_ref()
        .ok_or_else(|| CommandError::new("Nothing is converted yet: convert a script first."))?;
    let index = usize::try_from(id).unwrap_or(usize::MAX);
    let object = conversion.objects.get(index).ok_or_else(|| {
        CommandError::new(format!(
            "Object {id} is not part of the last conversion: convert the script again."
        ))
    })?;
    Ok(convert::object_detail(index, conversion, object))
}
