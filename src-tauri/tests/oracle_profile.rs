//! A live Oracle profile on a real SQLite file and the real OS keyring, with every log line captured.
//!
//! Its own test binary, so its global log subscriber sees every event (a thread-local one misses
//! callsites other tests hit first). On Linux the keyring needs a Secret Service on the session bus:
//! `cargo xtask test` runs the tests inside `dbus-run-session` with an unlocked gnome-keyring; a bare
//! `cargo test` without a session bus skips this test and says so.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use godwit_desktop::commands::AppState;
use godwit_desktop::dto::{
    CopyInputDto, EngineDto, EnvironmentDto, ErrorCodeDto, OnErrorDto, ProfileInputDto, VerifyDto,
};
use godwit_store::Secrets;

fn keyring_available() -> bool {
    if std::env::var_os("GODWIT_REQUIRE_KEYRING").is_some() || !cfg!(target_os = "linux") {
        return true;
    }
    let available = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    if !available {
        eprintln!(
            "SKIPPED: no D-Bus session for the Secret Service keyring; run `cargo xtask test`"
        );
    }
    available
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn live(id: Option<String>, password: &str) -> ProfileInputDto {
    ProfileInputDto {
        id,
        name: "hr live".into(),
        engine: EngineDto::Oracle,
        host: "127.0.0.1".into(),
        port: 1,
        database: "FREEPDB1".into(),
        tns_alias: String::new(),
        path: String::new(),
        username: "hr".into(),
        environment: EnvironmentDto::Prod,
        password: Some(password.into()),
    }
}

/// Without Oracle's client library (as on our test machines) testing or converting a live profile
/// says what to install and carries the code that offers the offline route; with it, nothing listens
/// on port 1. Either way the password is in no message, log line or SQLite file, only the keyring.
#[test]
fn a_live_oracle_profile_says_what_to_install_and_never_shows_its_password() {
    if !keyring_available() {
        return;
    }
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let dir = std::env::temp_dir().join(format!("godwit-desktop-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let service = format!("godwit-desktop-test-{}", std::process::id());
    let state = AppState::open(&dir.join("godwit.sqlite3"), Secrets::with_service(&service));
    let password = "Tiger-e2e-7f3a9c";

    let saved = tauri::async_runtime::block_on(state.save_profile(live(None, password))).unwrap();
    assert_eq!(
        (saved.host.as_str(), saved.port, saved.database.as_str()),
        ("127.0.0.1", 1, "FREEPDB1")
    );
    // A PostgreSQL target for a copy from the Oracle profile (never reached: the source fails first).
    let target = tauri::async_runtime::block_on(state.save_profile(ProfileInputDto {
        name: "shop".into(),
        engine: EngineDto::Postgres,
        database: "shop".into(),
        username: "app".into(),
        password: None,
        ..live(None, "")
    }))
    .unwrap();
    let copy = CopyInputDto {
        source_id: saved.id.clone(),
        target_id: target.id.clone(),
        schemas: vec!["hr".into()],
        include: vec![],
        exclude: vec![],
        jobs: 1,
        chunk_pages: 16,
        chunk_rows: 100_000,
        create_schema: false,
        verify: VerifyDto::Count,
        sample_rows: 1000,
        on_error: OnErrorDto::Stop,
    };
    // A run of that Oracle database that stopped (as the CLI or an earlier session records one).
    let stopped = {
        let store = godwit_store::Store::open(&dir.join("godwit.sqlite3")).unwrap();
        let run = store
            .start_run(
                "copy-oracle",
                "oracle://hr@127.0.0.1:1/FREEPDB1",
                "postgresql://app@127.0.0.1:1/shop",
                r#"{"schema":"hr"}"#,
            )
            .unwrap();
        store
            .set_run_status(
                &run.id,
                "failed",
                Some("ORA-03113: end-of-file on communication channel"),
            )
            .unwrap();
        run.id
    };
    let errors = [
        tauri::async_runtime::block_on(state.test_profile(saved.id.clone())).unwrap_err(),
        tauri::async_runtime::block_on(state.convert_oracle_profile(saved.id.clone())).unwrap_err(),
        tauri::async_runtime::block_on(state.start_copy(copy, Arc::new(|_| {}))).unwrap_err(),
        tauri::async_runtime::block_on(state.resume_copy(
            stopped.clone(),
            false,
            VerifyDto::Count,
            1000,
            Arc::new(|_| {}),
        ))
        .unwrap_err(),
    ];
    // The copy's and the resume's errors name the connection they could not read from.
    for err in &errors[2..] {
        assert!(
            err.message.starts_with(
                "Cannot copy from the Oracle connection \"hr live\" (hr@127.0.0.1:1/FREEPDB1): "
            ),
            "{}",
            err.message
        );
    }
    // No run was added; the stopped one is listed under the saved connections' names, resumable.
    let runs = state.list_runs().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (
            runs[0].id.as_str(),
            runs[0].source.as_str(),
            runs[0].target.as_str(),
            runs[0].resumable_here
        ),
        (stopped.as_str(), "hr live", "shop", true)
    );
    assert_eq!(
        state.copy_status(&stopped).unwrap().error.as_deref(),
        Some("ORA-03113: end-of-file on communication channel")
    );
    for err in &errors {
        assert!(!err.message.contains(password), "{}", err.message);
        if err.code == Some(ErrorCodeDto::OracleClientMissing) {
            assert!(
                err.message.contains("Instant Client")
                    && err.message.contains("godwit_extract.sql"),
                "{}",
                err.message
            );
        } else {
            // A machine with the client library: then nothing listens on port 1.
            assert!(
                err.message.contains("//127.0.0.1:1/FREEPDB1"),
                "{}",
                err.message
            );
        }
    }

    // The keyring holds the password; the SQLite files never do.
    let secrets = Secrets::with_service(&service);
    assert_eq!(
        secrets.password(&saved.id).unwrap().as_deref(),
        Some(password)
    );
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("godwit.sqlite3")),
        "{files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "the password reached {}",
            file.display()
        );
    }

    // Turning the profile into a script source removes its password; deleting it leaves nothing.
    let script = tauri::async_runtime::block_on(state.save_profile(ProfileInputDto {
        engine: EngineDto::OracleScript,
        path: dir.display().to_string(),
        ..live(Some(saved.id.clone()), "")
    }))
    .unwrap();
    assert_eq!(secrets.password(&script.id).unwrap(), None);
    tauri::async_runtime::block_on(state.delete_profile(script.id)).unwrap();

    let text = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("profile test failed") && text.contains("conversion failed"),
        "the failures were not logged: {text}"
    );
    assert!(
        !text.contains(password),
        "the password reached the log: {text}"
    );
    drop(state);
    let _ = std::fs::remove_dir_all(&dir);
}
