//! An Oracle script source (Oracle's HR sample schema, `crates/godwit-cli/tests/fixtures/oracle_hr`)
//! copied from the desktop's commands into a real PostgreSQL (the testkit's server), through the
//! engine's Oracle path as `godwit copy --source SCRIPT` does: the converted schema created around
//! the rows, every table hashed on both sides, the run and its verification in the SQLite history,
//! a cancelled run and a run stopped by a refused row resumed from the run list with only what was
//! left.
//!
//! The target connection's password lives in the OS keyring, as in the app: without a D-Bus
//! session this test runs itself again inside a private one (`dbus-run-session` with a
//! gnome-keyring unlocked for it, its files in a temp dir), as `cargo xtask test` does.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use godwit_desktop::commands::AppState;
use godwit_desktop::dto::{
    CopyInputDto, CopyStatusDto, EngineDto, EnvironmentDto, OnErrorDto, ProfileDto,
    ProfileInputDto, RunStateDto, VerifyDto,
};
use godwit_desktop::execution::Emit;
use godwit_store::{ChunkRecord, Secrets, Store};
use godwit_testkit::{database, text_rows, TestDatabase};

/// HR's tables and the rows `hr_populate.sql` inserts into each (216 in all).
const HR_ROWS: [(&str, i64); 7] = [
    ("regions", 5),
    ("countries", 25),
    ("locations", 23),
    ("departments", 27),
    ("jobs", 19),
    ("employees", 107),
    ("job_history", 10),
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/godwit-cli/tests/fixtures/oracle_hr")
}

/// True when the keyring is at hand here; else runs `test` again inside a private D-Bus session
/// with an unlocked gnome-keyring (failing when it fails), or says why it cannot, and returns false.
fn keyring_here(test: &str) -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || !cfg!(target_os = "linux") {
        return true;
    }
    let tools = ["dbus-run-session", "gnome-keyring-daemon"];
    if let Some(missing) = tools.iter().find(|t| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .map_or(true, |o| !o.status.success())
    }) {
        assert!(
            std::env::var_os("GODWIT_REQUIRE_KEYRING").is_none(),
            "no D-Bus session and no {missing}"
        );
        eprintln!("SKIPPED: no D-Bus session and no {missing}; run `cargo xtask test`");
        return false;
    }
    // Short: the keyring's control socket goes under XDG_RUNTIME_DIR, and socket paths are short.
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let home = std::env::temp_dir().join(format!(
        "gwkr-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    for sub in ["data", "cache", "config", "runtime"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(home.join("runtime"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let script = r#"eval "$(printf godwit | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; exec "$@""#;
    let output = std::process::Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script, "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("runtime"))
        .env("GODWIT_REQUIRE_KEYRING", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&home);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{test} inside a private D-Bus session failed:\n{stdout}\n{stderr}"
    );
    false
}

fn profile(name: &str, engine: EngineDto) -> ProfileInputDto {
    ProfileInputDto {
        name: name.into(),
        engine,
        environment: EnvironmentDto::Test,
        ..ProfileInputDto::default()
    }
}

/// A copy from the commands: a target database, a store in a temp dir (removed on drop), and the
/// HR script source and the target saved as profiles, the target's password in the keyring.
struct Setup {
    target: TestDatabase,
    dir: PathBuf,
    state: AppState,
    script: ProfileDto,
    pg: ProfileDto,
}

impl Setup {
    async fn new(label: &str, target_sql: &str) -> Setup {
        let target = database(label).await;
        if !target_sql.is_empty() {
            target.execute(target_sql).await;
        }
        let dir = std::env::temp_dir().join(format!("godwit-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let state = Setup::open(&dir);
        let script = state
            .save_profile(ProfileInputDto {
                path: fixture().display().to_string(),
                ..profile("hr scripts", EngineDto::OracleScript)
            })
            .await
            .unwrap();
        // postgresql://user:password@host:port/db, as the testkit writes it.
        let rest = target.url.strip_prefix("postgresql://").unwrap();
        let (auth, place) = rest.split_once('@').unwrap();
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        let (host, database) = place.split_once('/').unwrap();
        let (host, port) = host.split_once(':').unwrap();
        let pg = state
            .save_profile(ProfileInputDto {
                host: host.into(),
                port: port.parse().unwrap(),
                database: database.split('?').next().unwrap().into(),
                username: user.into(),
                password: Some(password.into()),
                ..profile("hr target", EngineDto::Postgres)
            })
            .await
            .unwrap();
        Setup {
            target,
            dir,
            state,
            script,
            pg,
        }
    }

    fn open(dir: &Path) -> AppState {
        AppState::open(
            &dir.join("godwit.sqlite3"),
            Secrets::with_service(&format!(
                "godwit-desktop-script-copy-{}",
                std::process::id()
            )),
        )
    }

    /// A new app state on the same store, as after a restart.
    fn restart(&mut self) {
        self.state = Setup::open(&self.dir);
    }

    /// Starts copying the HR script into `schema`, creating it, hashed; returns the run's id.
    /// Starts copying into `schema` with `jobs` chunks at once of about `chunk_rows` rows.
    async fn start(&self, schema: &str, jobs: u32, chunk_rows: u32, emit: Emit) -> String {
        let input = self.input(schema, jobs, chunk_rows);
        let started = self.state.start_copy(input, emit).await.unwrap();
        assert_eq!(
            (started.source.as_str(), started.target.as_str()),
            ("hr scripts", "hr target")
        );
        started.run_id
    }

    /// The Execution form: the script source into `schema`, schema created, hashed.
    fn input(&self, schema: &str, jobs: u32, chunk_rows: u32) -> CopyInputDto {
        CopyInputDto {
            source_id: self.script.id.clone(),
            target_id: self.pg.id.clone(),
            schemas: vec![schema.into()],
            include: vec![],
            exclude: vec![],
            jobs,
            chunk_pages: 16,
            chunk_rows,
            create_schema: true,
            verify: VerifyDto::Hash,
            sample_rows: 1000,
            on_error: OnErrorDto::Stop,
        }
    }

    /// Resumes the run as the run list's Resume does, and waits for it to end.
    async fn resume(&self, run_id: &str, emit: Emit) -> CopyStatusDto {
        let resumed = self
            .state
            .resume_copy(run_id.to_string(), false, VerifyDto::Hash, 1000, emit)
            .await
            .unwrap();
        assert!(resumed.resumed);
        self.ended(run_id).await
    }

    /// Waits for the run to end and returns its last status.
    async fn ended(&self, run_id: &str) -> CopyStatusDto {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let status = self.state.copy_status(run_id).unwrap();
            if !status.live {
                return status;
            }
            assert!(Instant::now() < deadline, "the run did not end: {status:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The run's committed chunks in the history.
    fn chunks(&self, run_id: &str) -> Vec<ChunkRecord> {
        Store::open(&self.dir.join("godwit.sqlite3"))
            .unwrap()
            .run_chunks(run_id)
            .unwrap()
    }

    /// Rows per HR table in `schema`, as `HR_ROWS` lists them.
    async fn counts(&self, schema: &str) -> Vec<(String, i64)> {
        let sql: Vec<String> = HR_ROWS
            .iter()
            .map(|(t, _)| format!("SELECT '{t}', count(*) FROM {schema}.{t}"))
            .collect();
        text_rows(&self.target.connect().await, &sql.join(" UNION ALL "))
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r[0].clone().unwrap(),
                    r[1].as_deref().unwrap().parse().unwrap(),
                )
            })
            .collect()
    }

    /// Primary keys, validated foreign keys and user triggers in `schema`.
    async fn objects(&self, schema: &str) -> Vec<Option<String>> {
        text_rows(
            &self.target.connect().await,
            &format!(
                "SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND connamespace = '{schema}'::regnamespace)::text,
                        (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated AND connamespace = '{schema}'::regnamespace)::text,
                        (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT tgisinternal AND c.relnamespace = '{schema}'::regnamespace)::text"
            ),
        )
        .await
        .unwrap()
        .remove(0)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Records every status the run sends.
fn recorder() -> (Emit, Arc<Mutex<Vec<CopyStatusDto>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let keep = sent.clone();
    (
        Arc::new(move |s: CopyStatusDto| keep.lock().unwrap().push(s)),
        sent,
    )
}

fn expected() -> Vec<(String, i64)> {
    HR_ROWS.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

/// The finished run's verification: 216 rows, none lost, the hashes of all seven tables equal.
fn assert_verified(status: &CopyStatusDto) {
    assert_eq!(status.state, RunStateDto::Finished, "{:?}", status.error);
    let report = status.report.as_ref().expect("a verification");
    assert_eq!(report.level, VerifyDto::Hash);
    assert_eq!(
        (report.rows_lost, report.rows_extra, report.rows_different),
        (0.0, 0.0, 0.0)
    );
    assert!(report.content_mismatches.is_empty(), "{report:?}");
    assert_eq!(report.tables.len(), 7, "{report:?}");
    for t in &report.tables {
        assert!(
            t.matches && t.source_hash.is_some() && t.source_hash == t.target_hash,
            "{t:?}"
        );
        assert_eq!(t.checked_by, "counts, row hashes");
    }
    assert_eq!(
        report.tables.iter().map(|t| t.target_rows).sum::<f64>(),
        216.0
    );
    assert_eq!(
        report.evidence[..2],
        [
            "Counted on both sides: 216 source rows = 216 target rows + 0 set aside.".to_string(),
            "Row hashes (every row, source as it streamed, target read back) equal in 7 of 7 tables.".to_string()
        ]
    );
}

#[test]
fn a_script_source_arrives_with_its_schema_cancelled_resumed_and_kept_in_the_history() {
    if !keyring_here(
        "a_script_source_arrives_with_its_schema_cancelled_resumed_and_kept_in_the_history",
    ) {
        return;
    }
    tauri::async_runtime::block_on(async {
        let mut copy = Setup::new("desk_script_copy", "").await;
        let (emit, sent) = recorder();

        // Cancelled at once: while its schema is being created, or before its first chunk.
        // Three sessions at once, chunks of 40 rows: employees (107 rows) in three, the others
        // in one each.
        let run_id = copy.start("hr", 3, 40, emit.clone()).await;
        copy.state.cancel_copy(&run_id).unwrap();
        let cancelled = copy.ended(&run_id).await;
        assert_eq!(cancelled.state, RunStateDto::Interrupted);
        let error = cancelled.error.unwrap_or_default();
        assert!(error.starts_with("Cancelled"), "{error}");
        // The run list has it, named by the saved profiles, resumable here.
        let listed = copy.state.list_runs().unwrap();
        let item = listed.iter().find(|r| r.id == run_id).unwrap();
        assert_eq!(
            (item.source.as_str(), item.target.as_str(), item.state),
            ("hr scripts", "hr target", RunStateDto::Interrupted)
        );
        assert!(item.resumable_here && item.from_oracle);
        let before = copy.chunks(&run_id);
        eprintln!("cancelled with {} of 9 chunks committed", before.len());

        let done = copy.resume(&run_id, emit).await;
        assert_verified(&done);
        let report = done.report.as_ref().unwrap();
        assert_eq!(
            (report.chunks_copied, report.chunks_total),
            (9 - before.len() as u32, 9)
        );
        // Progress came per table while it ran, and the last status is the finished run. The
        // watcher sends that one just after the run ends, so it may trail `copy_status` a little.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sent
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.run_id == run_id && s.state == RunStateDto::Finished)
        {
            assert!(Instant::now() < deadline, "no final status was sent");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        {
            let sent = sent.lock().unwrap();
            assert!(
                sent.iter()
                    .any(|s| s.live && s.tables.len() == 7 && s.run_id == run_id),
                "no per-table progress among {} statuses",
                sent.len()
            );
            let last = sent.iter().rev().find(|s| s.run_id == run_id).unwrap();
            assert_eq!(
                (last.state, last.total.rows_done),
                (RunStateDto::Finished, 216.0)
            );
        }

        // The rows and the converted schema around them, in the chosen schema.
        assert_eq!(copy.counts("hr").await, expected());
        assert_eq!(
            text_rows(
                &copy.target.connect().await,
                "SELECT first_name, hire_date::text, salary::text, commission_pct::text FROM hr.employees WHERE employee_id = 100"
            )
            .await
            .unwrap(),
            [[
                Some("Steven".to_string()),
                Some("2013-06-17 00:00:00".to_string()),
                Some("24000.00".to_string()),
                None
            ]]
        );
        assert_eq!(
            copy.objects("hr").await,
            [Some("7".into()), Some("10".into()), Some("2".into())]
        );

        // After a restart, the history holds the run, its chunks and its verification.
        copy.restart();
        let item = copy
            .state
            .list_runs()
            .unwrap()
            .into_iter()
            .find(|r| r.id == run_id)
            .unwrap();
        assert_eq!(
            (item.state, item.rows_lost, item.verify, item.rows_done),
            (
                RunStateDto::Finished,
                Some(0.0),
                Some(VerifyDto::Hash),
                216.0
            )
        );
        let kept = copy.state.copy_status(&run_id).unwrap();
        assert!(!kept.live);
        assert_verified(&kept);
        assert!(kept.report.unwrap().verified_at.ends_with('Z'));
        let chunks = copy.chunks(&run_id);
        assert_eq!(
            (chunks.len(), chunks.iter().map(|c| c.rows).sum::<u64>()),
            (9, 216)
        );
    });
}

/// The employees table gets a check refusing employee 150 as the copy creates it.
const REFUSE_150: &str = "CREATE FUNCTION refuse_150() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' AND object_identity = 'public.employees')
     AND NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'not_150') THEN
    ALTER TABLE public.employees ADD CONSTRAINT not_150 CHECK (employee_id <> 150);
  END IF;
END $$;
CREATE EVENT TRIGGER refuse_150 ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION refuse_150();";

#[test]
fn a_script_copy_stopped_by_a_refused_row_resumes_with_only_what_was_left() {
    if !keyring_here("a_script_copy_stopped_by_a_refused_row_resumes_with_only_what_was_left") {
        return;
    }
    tauri::async_runtime::block_on(async {
        let copy = Setup::new("desk_script_refused", REFUSE_150).await;
        let (emit, _) = recorder();

        // No chunk can be empty of rows.
        let mut zero = copy.input("public", 4, 0);
        zero.chunk_rows = 0;
        let refused = copy.state.start_copy(zero, emit.clone()).await.unwrap_err();
        assert_eq!(refused.message, "Rows per chunk must be at least 1; got 0.");
        let run_id = copy.start("public", 4, 100_000, emit.clone()).await;
        let failed = copy.ended(&run_id).await;
        assert_eq!(failed.state, RunStateDto::Failed);
        let error = failed.error.unwrap_or_default();
        // The chunk holding the refused row rolled back whole (under "stop" the Oracle path does
        // not look for the row); the message says so in the desktop's words.
        assert!(
            error.starts_with("Copying public.employees chunk 0 failed: ")
                && error.contains("not_150")
                && error.contains("Resume copies the rest")
                && !error.contains("--resume"),
            "{error}"
        );
        let before = copy.chunks(&run_id);
        assert!(
            !before.is_empty()
                && before.len() < 7
                && before.iter().all(|c| c.table != "public.employees"),
            "{before:?}"
        );
        let rows_before: u64 = before.iter().map(|c| c.rows).sum();
        eprintln!(
            "stopped with {} of 7 chunks ({rows_before} rows) committed",
            before.len()
        );

        copy.target
            .execute("DROP EVENT TRIGGER refuse_150; ALTER TABLE public.employees DROP CONSTRAINT not_150")
            .await;
        let done = copy.resume(&run_id, emit).await;
        assert_verified(&done);
        // This invocation copied only the chunks the first one did not commit.
        let report = done.report.unwrap();
        assert_eq!(
            (
                report.chunks_copied,
                report.chunks_total,
                report.rows_copied
            ),
            (7 - before.len() as u32, 7, (216 - rows_before) as f64)
        );
        let chunks = copy.chunks(&run_id);
        assert_eq!(
            (chunks.len(), chunks.iter().map(|c| c.rows).sum::<u64>()),
            (7, 216)
        );
        // The chunks committed before the stop kept their rows and were not copied again (the
        // primary keys built after the rows would refuse a row twice).
        for c in &before {
            assert!(chunks.contains(c), "{c:?} changed");
        }
        assert_eq!(copy.counts("public").await, expected());
        assert_eq!(
            copy.objects("public").await,
            [Some("7".into()), Some("10".into()), Some("2".into())]
        );
    });
}
