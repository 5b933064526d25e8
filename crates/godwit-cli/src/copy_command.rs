//! `godwit copy`: resolves the databases, runs the copy under Ctrl-C and a progress display, and
//! prints the verification: counts, hashes, the sample, and every row found lost, extra or
//! different by key, with the evidence when none was.

use crate::commands::{print_json, resolve};
use crate::{Failure, Format, Selection};
use godwit_store::Store;
use godwit_transfer::CopyReport;

/// Exit code of a copy stopped by Ctrl-C (128 + SIGINT, as shells report it): the run is resumable.
const INTERRUPTED: u8 = 130;
/// Exit code of a copy where every row arrived except those `--on-error skip` set aside: a script
/// must not take it for a complete copy.
const SET_ASIDE: u8 = 3;

#[allow(clippy::too_many_arguments)]
pub(crate) async fn copy(
    selection: &Selection,
    target: &str,
    jobs: usize,
    chunk_pages: u32,
    chunk_by: godwit_transfer::ChunkBy,
    create_schema: bool,
    disable_triggers: bool,
    defer_indexes: bool,
    hash_by_client: bool,
    verification: &godwit_transfer::Verification,
    on_error: godwit_transfer::OnError,
    resume: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let source_url = resolve(&selection.source).await?;
    let target_url = resolve(target).await?;
    let store = Store::open_default().map_err(Failure::operation)?;
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let history = store.clone();
    let options = godwit_transfer::CopyOptions {
        schemas: selection.schemas.clone(),
        include: selection.include.clone(),
        exclude: selection.exclude.clone(),
        jobs,
        chunk_pages,
        create_schema,
        verify_hash: false,
        on_error,
        chunk_by,
        disable_triggers,
        defer_indexes,
        hash_by_client,
    };
    let control = godwit_transfer::Control::new();
    let watched = Watched::start(&control);
    let started = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let result = {
        let (control, started) = (control.clone(), started.clone());
        let (verification, resume) = (*verification, resume.map(str::to_string));
        let target_url = target_url.clone();
        on_copy_runtime(jobs, async move {
            godwit_transfer::copy_checked(
                &source_url,
                &target_url,
                store,
                &options,
                &verification,
                resume.as_deref(),
                &control,
                |run_id| {
                    eprintln!("run {run_id}");
                    if let Ok(mut started) = started.lock() {
                        *started = Some(run_id.to_string());
                    }
                },
                |p| {
                    tracing::info!(
                        "[{}/{}] {} chunk {}: {} rows, {} rejected, {} bytes",
                        p.chunks_done,
                        p.chunks_total,
                        p.table,
                        p.chunk,
                        p.rows,
                        p.rejected,
                        p.bytes
                    )
                },
            )
            .await
        })
        .await?
    };
    watched.end().await;
    let report = result.map_err(|e| match e {
        godwit_transfer::CopyError::Stopped { run_id } => interrupted(&control, &run_id),
        godwit_transfer::CopyError::Store(godwit_store::StoreError::RunNotFound(_))
        | godwit_transfer::CopyError::ResumeMismatch { .. }
        | godwit_transfer::CopyError::AlreadyFinished(_)
        | godwit_transfer::CopyError::PlanChanged { .. } => Failure::input(e),
        // Whatever stopped the run (a database going away while it started, say), what committed
        // stays committed: say how to go on.
        e => {
            let message = e.to_string();
            // Indexes and foreign keys dropped for the load wait for the resume.
            let deferred = if defer_indexes {
                "; the target tables' indexes and foreign keys dropped for the load are recorded in godwit_copy.deferred on the target, and the resumed run recreates them"
            } else {
                ""
            };
            match started.lock().ok().and_then(|s| s.clone()) {
                Some(id) if !message.contains("--resume") => Failure::operation(format!(
                    "{message}; resume with --resume {id} (what committed is kept){deferred}"
                )),
                _ => Failure::operation(format!("{message}{deferred}")),
            }
        }
    })?;
    keep_verification(&history, &report, verification.level);
    match format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            println!(
                "{:<40} {:>14} {:>14} {:>10} {:>10} {:>8}",
                "table", "source rows", "target rows", "rejected", "lost", "hash"
            );
            for t in &report.tables {
                let hash = match (&t.source_hash, t.content_differs()) {
                    (None, _) => "-",
                    (Some(_), false) => "equal",
                    (Some(_), true) => "DIFFERS",
                };
                println!(
                    "{:<40} {:>14} {:>14} {:>10} {:>10} {:>8}",
                    t.table,
                    t.source_rows,
                    t.target_rows,
                    t.rejected_rows,
                    t.lost(),
                    hash
                );
            }
            println!(
                "run {}: {} of {} chunks copied now, {} rows, {:.1} MB in {:.1} s",
                report.run_id,
                report.chunks_copied,
                report.chunks_total,
                report.rows_copied,
                report.bytes_copied as f64 / 1e6,
                report.seconds
            );
            println!(
                "{} rows lost, {} extra rows, {} rejected",
                report.rows_lost(),
                report.rows_extra(),
                report.rows_rejected()
            );
            print_findings(&report);
            println!("verified by {}", report.verification);
            print_load(&report.load);
        }
    }
    let set_aside = (report.rows_rejected() > 0).then(|| {
        let per_table: Vec<String> = report
            .tables
            .iter()
            .filter(|t| t.rejected_rows > 0)
            .map(|t| format!("{} {}", t.table, t.rejected_rows))
            .collect();
        format!(
            "the target refused {} rows ({}); they are set aside in godwit_copy.rejects on the target ({}) with their key, data and error: SELECT * FROM godwit_copy.rejects WHERE run_id = '{}'",
            report.rows_rejected(),
            per_table.join(", "),
            godwit_postgres::redact_url(&target_url),
            report.run_id
        )
    });
    if report.rows_lost() != 0
        || report.rows_extra() != 0
        || !report.content_mismatches().is_empty()
    {
        if let Some(message) = &set_aside {
            eprintln!("warning: {message}");
        }
        return Err(Failure::operation(format!(
            "verification failed: {} rows lost ({:.4} %), {} extra, {} different; content differs in: [{}]",
            report.rows_lost(),
            report.loss_percent(),
            report.rows_extra(),
            report.rows_different(),
            report.content_mismatches().join(", ")
        )));
    }
    match set_aside {
        Some(message) => Err(Failure {
            code: SET_ASIDE,
            message: format!("copy incomplete: {message} (exit {SET_ASIDE})"),
        }),
        None => Ok(()),
    }
}

/// Keeps the finished run's verification in the history, as the desktop does for its runs, so the
/// run reviewed there later shows what was checked. The copy itself is done: a store that refuses
/// only gets a warning.
fn keep_verification(
    history: &std::sync::Mutex<Store>,
    report: &CopyReport,
    asked: godwit_transfer::Verify,
) {
    let kept = godwit_transfer::kept_verification(report, asked);
    let saved = match history.lock() {
        Ok(store) => store
            .save_verification(&report.run_id, &kept)
            .map_err(|e| e.to_string()),
        Err(_) => Err("the store lock is poisoned".to_string()),
    };
    if let Err(e) = saved {
        eprintln!(
            "warning: cannot keep the run's verification in the history ({e}); it shows only below"
        );
    }
}

/// What the load did around the rows: foreign keys validated, sequences set, triggers disabled.
fn print_load(load: &godwit_transfer::LoadSteps) {
    if !load.foreign_keys_validated.is_empty() {
        println!(
            "foreign keys added NOT VALID, then validated: {}",
            load.foreign_keys_validated.join(", ")
        );
    }
    if !load.sequences.is_empty() {
        println!(
            "sequences set past the copied rows: {}",
            load.sequences.join(", ")
        );
    }
    if !load.recreated.is_empty() {
        println!(
            "dropped for the load and recreated after it: {}",
            load.recreated.join(", ")
        );
    }
    if !load.triggers_disabled.is_empty() {
        println!(
            "triggers disabled during the load and enabled again: {}",
            load.triggers_disabled.join(", ")
        );
    }
}

/// Runs the copy on a runtime of its own with one worker thread per four jobs (at least one),
/// and waits for it. Every chunk in flight keeps two server processes busy for each thread godwit
/// needs, so more threads only add wake-ups across threads: on a 2-core machine the default
/// runtime (a thread per core) spent about a fifth of godwit's CPU time switching between them.
async fn on_copy_runtime<T: Send + 'static>(
    jobs: usize,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.div_ceil(4).max(1))
        .thread_name("godwit-copy")
        .enable_all()
        .build()
        .map_err(|e| Failure::operation(format!("cannot start the copy's runtime: {e}")))?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = sender.send(runtime.block_on(work));
        // Connections left open by a stopped run close with the runtime, off the caller's thread.
        runtime.shutdown_background();
    });
    receiver
        .await
        .map_err(|_| Failure::operation("the copy's runtime stopped without an answer"))
}

/// Ctrl-C and the progress display around a run. The first Ctrl-C stops the workers, each
/// rolling back its open chunk, and leaves the run resumable; a second quits at once (resumable
/// too: only committed chunks count).
struct Watched {
    signals: tokio::task::JoinHandle<()>,
    display: tokio::task::JoinHandle<()>,
    drawn: tokio::sync::oneshot::Sender<()>,
}

impl Watched {
    fn start(control: &godwit_transfer::Control) -> Watched {
        let on_signal = control.clone();
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                // The progress display says so.
                on_signal.stop();
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("interrupt: quitting now");
                    std::process::exit(i32::from(INTERRUPTED));
                }
            }
        });
        let (drawn, done) = tokio::sync::oneshot::channel();
        let display = tokio::spawn(crate::copy_progress::watch(control.clone(), done));
        Watched {
            signals,
            display,
            drawn,
        }
    }

    /// The run is over: the display draws its last lines, Ctrl-C is the shell's again.
    async fn end(self) {
        let _ = self.drawn.send(());
        let _ = self.display.await;
        self.signals.abort();
    }
}

/// The failure of a run stopped by Ctrl-C: what it kept and how to resume.
fn interrupted(control: &godwit_transfer::Control, run_id: &str) -> Failure {
    let tables = control.tables();
    Failure {
        code: INTERRUPTED,
        message: format!(
            "interrupted: {} of {} chunks committed and kept; resume with `godwit copy --resume {run_id}` and the same --source and --target",
            tables.iter().map(|t| t.chunks_done).sum::<usize>(),
            tables.iter().map(|t| t.chunks_total).sum::<usize>(),
        ),
    }
}

/// What `godwit copy` does with an Oracle source.
pub(crate) struct OracleCopyArgs<'a> {
    pub selection: &'a Selection,
    pub target: &'a str,
    pub options: godwit_transfer::OracleCopyOptions,
    pub create_schema: bool,
    pub resume: Option<&'a str>,
    pub format: Format,
}

/// Whether `source` names an Oracle source: an `oracle://` URL, or an exported script (a file or
/// a folder of them) that exists.
pub(crate) fn is_oracle_source(source: &str) -> bool {
    source.starts_with("oracle://")
        || (!source.contains("://") && std::path::Path::new(source).exists())
}

/// `godwit copy --source oracle://…` or `--source <exported script or folder>`: every table of the
/// Oracle schema (`GODWIT_ORACLE_SCHEMA`, else the user), or every table the script creates with
/// the rows it inserts, kept by `--include`/`--exclude` on the lower-case names, into the PostgreSQL
/// table of the same name (lower case, in the first `--schema` or `public`): created first from the
/// conversion with `--create-schema`, else as `godwit convert` created them. Live tables are split
/// into ROWID ranges copied `--jobs` at once at one SCN. Counted on both sides, and with `--verify
/// hash` hashed on both sides; the verification is kept in the run history.
pub(crate) async fn copy_from_oracle(args: OracleCopyArgs<'_>) -> Result<(), Failure> {
    let OracleCopyArgs {
        selection,
        target,
        options,
        create_schema,
        resume,
        format,
    } = args;
    let target_url = resolve(target).await?;
    let chosen = godwit_transfer::OracleRunOptions {
        schema: selection.schemas.first().cloned(),
        include: selection.include.clone(),
        exclude: selection.exclude.clone(),
        create_schema,
        chunk_rows: Some(options.chunk_rows),
    };
    const SETTINGS: (&str, &str) = ("--include", "--exclude");
    // Bad patterns fail before anything connects.
    chosen.check(SETTINGS).map_err(Failure::input)?;
    let live = selection.source.starts_with("oracle://");
    // The source's table names, a way to open its rows, and its statements for --create-schema.
    let source = if live {
        let url =
            godwit_oracle::live::OracleUrl::parse(&selection.source).map_err(Failure::input)?;
        // Unquoted names are upper case in Oracle's catalog: `hr` owns the tables of HR.
        let owner = godwit_oracle::live::owner_name(
            &std::env::var("GODWIT_ORACLE_SCHEMA").unwrap_or_else(|_| url.user.clone()),
        );
        tokio::task::spawn_blocking(move || {
            godwit_transfer::OracleSource::live(&url, &owner, create_schema)
        })
        .await
        .map_err(Failure::operation)?
        .map_err(Failure::operation)?
    } else {
        godwit_transfer::OracleSource::script(
            std::path::Path::new(&selection.source),
            create_schema,
        )
        .map_err(|e| match e {
            godwit_transfer::ScriptSourceError::Read(e) => Failure::input(e),
            e => Failure::input(format!("--source {}: {e}", selection.source)),
        })?
    };
    crate::convert_command::print_notes(&source.notes);
    let tables = chosen.tables(&source, SETTINGS).map_err(Failure::input)?;
    let oracle_schema = source.converted_schema(chosen.schema()).map(|c| {
        eprintln!("schema: {} objects converted, {} with findings, {} not converted (godwit convert --report lists them)", c.converted, c.with_findings, c.not_converted);
        c.schema
    });
    let store = Store::open_default().map_err(Failure::operation)?;
    let source_name = if live {
        godwit_oracle::live::redact(&selection.source)
    } else {
        selection.source.clone()
    };
    let target_name = godwit_postgres::redact_url(&target_url);
    let run = match resume {
        Some(key) => store.run(key).map_err(Failure::input)?,
        None => store
            .start_run("copy-oracle", &source_name, &target_name, &chosen.to_json())
            .map_err(Failure::operation)?,
    };
    eprintln!("run {}", run.id);
    let began = std::time::Instant::now();
    let control = godwit_transfer::Control::new();
    let watched = Watched::start(&control);
    let history = std::sync::Arc::new(std::sync::Mutex::new(store));
    let result = godwit_transfer::copy_oracle_from(
        source.open,
        &target_url,
        &run.id,
        &tables,
        &options,
        oracle_schema.as_ref(),
        &control,
        Some(&history),
    )
    .await;
    watched.end().await;
    let store = history
        .lock()
        .map_err(|_| Failure::operation("the run history's lock is poisoned"))?;
    let copied = match result {
        Ok(r) => r,
        Err(godwit_transfer::CopyError::Stopped { run_id }) => {
            let _ = store.set_run_status(&run.id, "interrupted", Some("stopped by Ctrl-C"));
            return Err(interrupted(&control, &run_id));
        }
        Err(e) => {
            let _ = store.set_run_status(&run.id, "interrupted", Some(&e.to_string()));
            return Err(Failure::operation(format!(
                "{e} (resume with --resume {})",
                run.id
            )));
        }
    };
    let kept = godwit_transfer::kept_oracle_verification(
        &copied,
        options.verify,
        began.elapsed().as_secs_f64(),
    );
    if let Err(e) = store.save_verification(&run.id, &kept) {
        eprintln!("warning: the verification could not be kept in the run history: {e}");
    }
    let lost: u64 = kept.tables.iter().map(|t| t.lost).sum();
    let extra: u64 = kept.tables.iter().map(|t| t.extra).sum();
    let different: u64 = kept.tables.iter().map(|t| t.different).sum();
    let differing: Vec<&str> = copied
        .iter()
        .filter(|c| c.report.content_differs())
        .map(|c| c.report.table.as_str())
        .collect();
    let failed = !kept.matches();
    store
        .set_run_status(
            &run.id,
            "finished",
            failed.then_some("verification failed: rows lost or different"),
        )
        .map_err(Failure::operation)?;
    let reports: Vec<&godwit_transfer::OracleTableReport> =
        copied.iter().map(|c| &c.report).collect();
    match format {
        Format::Json => print_json(&reports)?,
        Format::Table => {
            println!(
                "{:<40} {:>12} {:>12} {:>10} {:>8} {:>10} {:>8}",
                "table", "expected", "target rows", "rejected", "chunks", "NUL values", "hash"
            );
            for c in &copied {
                let r = &c.report;
                let hash = match (&r.source_hash, &r.target_hash) {
                    (Some(s), Some(t)) if s == t => "equal",
                    (Some(_), Some(_)) => "DIFFERS",
                    _ => "-",
                };
                println!(
                    "{:<40} {:>12} {:>12} {:>10} {:>8} {:>10} {:>8}",
                    r.table,
                    r.expected_rows,
                    r.target_rows,
                    c.rejected_rows,
                    r.chunks,
                    r.nul_values,
                    hash
                );
                for note in &r.notes {
                    eprintln!("note: {}: {note}", r.table);
                }
                if let Some(found) = &r.recheck {
                    println!(
                        "{}: rechecked {}: {} lost, {} extra, {} different",
                        r.table,
                        found.ranges.join(", "),
                        found.lost,
                        found.extra,
                        found.different
                    );
                    print_rows_by_key(found);
                }
            }
        }
    }
    let nul_values: u64 = reports.iter().map(|r| r.nul_values).sum();
    if nul_values > 0 {
        eprintln!(
            "note: {nul_values} values held NUL characters ({} characters), {} as --nul asked",
            reports.iter().map(|r| r.nul_characters).sum::<u64>(),
            if options.nul == godwit_transfer::NulPolicy::Strip {
                "stripped"
            } else {
                "replaced"
            }
        );
    }
    if failed {
        return Err(Failure::operation(format!(
            "verification failed: {lost} rows lost, {extra} extra, {different} different{}",
            if differing.is_empty() {
                String::new()
            } else {
                format!(
                    "; the rows read back differ from the rows sent in {}",
                    differing.join(", ")
                )
            }
        )));
    }
    let evidence = if reports.iter().all(|r| r.source_hash.is_some()) {
        "counted and hashed on both sides"
    } else {
        "counted on both sides"
    };
    let clean = format!("0 rows lost ({evidence}, rows set aside included)");
    match format {
        // Standard output stays one JSON document.
        Format::Json => eprintln!("{clean}"),
        Format::Table => println!("{clean}"),
    }
    let set_aside: Vec<String> = copied
        .iter()
        .filter(|c| c.rejected_rows > 0)
        .map(|c| format!("{} {}", c.report.table, c.rejected_rows))
        .collect();
    if set_aside.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: SET_ASIDE,
        message: format!(
            "copy incomplete: the target refused {} rows ({}); they are set aside in godwit_copy.rejects on the target ({}) with their ROWID (or script line), values and error: SELECT * FROM godwit_copy.rejects WHERE run_id = '{}' (exit {SET_ASIDE})",
            copied.iter().map(|c| c.rejected_rows).sum::<u64>(),
            set_aside.join(", "),
            godwit_postgres::redact_url(&target_url),
            run.id
        ),
    })
}

/// The lost, extra and different rows a recheck named, by key, under its table's line.
fn print_rows_by_key(r: &godwit_transfer::Recheck) {
    let more = |shown: usize, total: u64| {
        if total as usize > shown {
            format!(" … and {} more", total as usize - shown)
        } else {
            String::new()
        }
    };
    if r.lost > 0 {
        println!(
            "  lost: {}{}",
            r.lost_keys.join("; "),
            more(r.lost_keys.len(), r.lost)
        );
    }
    if r.extra > 0 {
        println!(
            "  extra: {}{}",
            r.extra_keys.join("; "),
            more(r.extra_keys.len(), r.extra)
        );
    }
    if r.different > 0 {
        let rows: Vec<String> = r
            .different_rows
            .iter()
            .map(|d| format!("{} (columns {})", d.key, d.columns.join(", ")))
            .collect();
        println!(
            "  different: {}{}",
            rows.join("; "),
            more(rows.len(), r.different)
        );
    }
}

/// The evidence of a clean copy (counts and hashes), or each table's lost, extra and different rows
/// by key.
fn print_findings(report: &CopyReport) {
    if report.verification.starts_with("nothing") {
        println!(
            "evidence: none (--verify off checked nothing; the counts above are the copy's own)"
        );
        return;
    }
    let source: i64 = report.tables.iter().map(|t| t.source_rows).sum();
    let target: i64 = report.tables.iter().map(|t| t.target_rows).sum();
    println!(
        "{} rows different; loss {:.4} % of {} source rows",
        report.rows_different(),
        report.loss_percent(),
        source - report.rows_rejected()
    );
    let hashed = report
        .tables
        .iter()
        .filter(|t| t.source_hash.is_some())
        .count();
    let equal = report
        .tables
        .iter()
        .filter(|t| t.source_hash.is_some() && !t.content_differs())
        .count();
    let chunks: usize = report.findings.iter().map(|f| f.chunks_compared).sum();
    let sampled: u64 = report.findings.iter().filter_map(|f| f.rows_sampled).sum();
    let mut evidence = vec![format!(
        "{source} source rows = {target} target rows + {} rejected",
        report.rows_rejected()
    )];
    if hashed > 0 {
        evidence.push(format!(
            "row hashes equal in {equal} of {hashed} tables ({chunks} key-range chunks compared one by one)"
        ));
    }
    if report.findings.iter().any(|f| f.rows_sampled.is_some()) {
        evidence.push(format!("{sampled} sampled rows equal value by value"));
    }
    let unsampled: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.sample_note.is_some())
        .map(|f| f.table.as_str())
        .collect();
    if !unsampled.is_empty() {
        evidence.push(format!(
            "not sampled (no primary key, counted only): {}",
            unsampled.join(", ")
        ));
    }
    println!("evidence: {}", evidence.join("; "));
    for f in &report.findings {
        let Some(r) = &f.recheck else { continue };
        println!(
            "{}: rechecked {} row by row: {} lost ({:.4} %), {} extra, {} different",
            f.table,
            r.ranges.join(", "),
            r.lost,
            f.loss_percent,
            r.extra,
            r.different
        );
        if !f.chunks_differing.is_empty() {
            println!(
                "  chunks whose hashes differ: {}",
                f.chunks_differing.join(", ")
            );
        }
        print_rows_by_key(r);
    }
}
