//! Copy runs for the Execution screen: each run is a background task driving
//! [`godwit_transfer::copy_checked`] under a [`Control`], watched for progress (sent to the UI as
//! events) and stopped by Cancel. A run that finishes keeps its verification in the history (the
//! shared SQLite store, with its runs and committed chunks), so it can be reviewed after a restart;
//! runs of the CLI show too.
//!
//! Throughput and ETA are worked out here from [`TableStatus`], so the UI only formats them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use godwit_store::{Run, RunVerification, Store, TableTotals, TableVerification, VerifyLevel};
use godwit_transfer::{
    kept_verification, loss_percent, Control, CopyError, CopyOptions, TableStatus, Verification,
};

use crate::dto::{
    CommandError, CopyReportDto, CopyStatusDto, ProgressDto, RunDto, RunStateDto, TableCheckDto,
    TableProgressDto, VerifyDto,
};

/// How often a live run's progress goes to the UI.
pub const TICK: Duration = Duration::from_millis(300);

/// Numbers the statuses read, so the UI can tell the newer of two (see [`CopyStatusDto::seq`]).
static SEQ: AtomicU64 = AtomicU64::new(1);

fn next_seq() -> f64 {
    SEQ.fetch_add(1, Ordering::SeqCst) as f64
}

/// Sends a run's status to the UI (a Tauri event in the app; a recorder in tests).
pub type Emit = Arc<dyn Fn(CopyStatusDto) + Send + Sync>;

/// Runs started in this window, by id; kept after they end, with their outcome.
pub type Runs = Arc<Mutex<HashMap<String, Arc<LiveRun>>>>;

/// How a run of this window ended.
#[derive(Clone, Debug)]
enum Outcome {
    Finished(Box<RunVerification>),
    Interrupted(String),
    Failed(String),
}

/// A run this window started or resumed.
pub struct LiveRun {
    run_id: String,
    source: String,
    target: String,
    resumed: bool,
    started_at: String,
    control: Control,
    /// When the copy task began: rates count from the first chunk, else from here.
    began: Instant,
    end: Mutex<Option<(Instant, Outcome)>>,
    /// Wakes the watcher when the run ends, so the last status goes out at once.
    ended: tokio::sync::Notify,
}

impl LiveRun {
    /// True until the run's task ended.
    pub fn running(&self) -> bool {
        self.end.lock().map(|e| e.is_none()).unwrap_or(false)
    }

    /// Asks the run to stop; open chunks roll back and the run stays resumable.
    pub fn stop(&self) {
        self.control.stop();
    }

    /// The run as it stands now.
    pub fn status(&self) -> CopyStatusDto {
        // Numbered and read under the lock that `end` takes: a higher number saw a state at least as new.
        let (seq, end, stopped) = match self.end.lock() {
            Ok(end) => (next_seq(), end.clone(), self.control.is_stopped()),
            Err(_) => (next_seq(), None, self.control.is_stopped()),
        };
        let now = end.as_ref().map(|(at, _)| *at).unwrap_or_else(Instant::now);
        let (state, report, error) = match end.map(|(_, o)| o) {
            None if stopped => (RunStateDto::Stopping, None, None),
            None => (RunStateDto::Running, None, None),
            Some(Outcome::Finished(v)) => (RunStateDto::Finished, Some(report(&v)), None),
            Some(Outcome::Interrupted(m)) => (RunStateDto::Interrupted, None, Some(m)),
            Some(Outcome::Failed(m)) => (RunStateDto::Failed, None, Some(m)),
        };
        let tables = self.control.tables();
        let live = matches!(state, RunStateDto::Running | RunStateDto::Stopping);
        CopyStatusDto {
            run_id: self.run_id.clone(),
            seq,
            state,
            live,
            cancellable: live,
            phase: if live {
                self.control.phase().to_string()
            } else {
                String::new()
            },
            source: self.source.clone(),
            target: self.target.clone(),
            resumed: self.resumed,
            started_at: self.started_at.clone(),
            total: total_progress(&tables, self.began, now),
            tables: tables.iter().map(|t| table_progress(t, now)).collect(),
            report,
            error,
        }
    }

    fn end(&self, outcome: Outcome) {
        if let Ok(mut end) = self.end.lock() {
            *end = Some((Instant::now(), outcome));
        }
        self.ended.notify_one();
    }
}

/// Figures from rows and bytes moved in `seconds` of this invocation (`fresh_rows` leaves out what
/// earlier invocations of the run committed).
#[allow(clippy::too_many_arguments)]
fn progress(
    chunks_done: usize,
    chunks_total: usize,
    rows_done: u64,
    rows_expected: u64,
    fresh_rows: u64,
    bytes: u64,
    seconds: Option<f64>,
) -> ProgressDto {
    let fraction = if rows_expected > 0 {
        (rows_done as f64 / rows_expected as f64).min(1.0)
    } else if chunks_total > 0 {
        chunks_done as f64 / chunks_total as f64
    } else {
        0.0
    };
    let (rows_per_second, mb_per_second) = match seconds {
        Some(s) if s > 0.0 => (fresh_rows as f64 / s, bytes as f64 / 1e6 / s),
        _ => (0.0, 0.0),
    };
    let left = rows_expected.saturating_sub(rows_done);
    let eta_seconds = if chunks_total > 0 && chunks_done >= chunks_total {
        Some(0.0)
    } else if rows_per_second >= 0.5 {
        Some((left as f64 / rows_per_second).ceil())
    } else {
        None
    };
    ProgressDto {
        chunks_done: chunks_done as u32,
        chunks_total: chunks_total as u32,
        rows_done: rows_done as f64,
        rows_expected: rows_expected as f64,
        fraction,
        rows_per_second,
        mb_per_second,
        eta_seconds,
    }
}

fn table_progress(t: &TableStatus, now: Instant) -> TableProgressDto {
    let seconds = t
        .started
        .map(|s| now.saturating_duration_since(s).as_secs_f64().max(0.001));
    TableProgressDto {
        table: t.table.clone(),
        finished: t.finished(),
        started: t.started.is_some() || t.finished(),
        rows_rejected: t.rows_rejected as f64,
        progress: progress(
            t.chunks_done,
            t.chunks_total,
            t.processed(),
            t.expected(),
            t.processed().saturating_sub(t.rows_before),
            t.bytes_done + t.bytes_in_flight,
            seconds,
        ),
    }
}

fn total_progress(tables: &[TableStatus], began: Instant, now: Instant) -> ProgressDto {
    let first = tables.iter().filter_map(|t| t.started).min();
    let seconds = first
        .or(Some(began))
        .map(|s| now.saturating_duration_since(s).as_secs_f64().max(0.001));
    let sum = |f: fn(&TableStatus) -> u64| tables.iter().map(f).sum::<u64>();
    progress(
        tables.iter().map(|t| t.chunks_done).sum(),
        tables.iter().map(|t| t.chunks_total).sum(),
        sum(TableStatus::processed),
        sum(TableStatus::expected),
        sum(TableStatus::processed).saturating_sub(sum(|t| t.rows_before)),
        sum(|t| t.bytes_done + t.bytes_in_flight),
        first.and(seconds),
    )
}

pub fn verify_dto(level: VerifyLevel) -> VerifyDto {
    match level {
        VerifyLevel::Off => VerifyDto::Off,
        VerifyLevel::Count => VerifyDto::Count,
        VerifyLevel::Hash => VerifyDto::Hash,
        VerifyLevel::Sample => VerifyDto::Sample,
    }
}

/// What checked one table, in words.
fn checked_by(t: &TableVerification, level: VerifyLevel) -> String {
    if level == VerifyLevel::Off {
        return "nothing".into();
    }
    let mut by = vec!["counts".to_string()];
    if t.source_hash.is_some() {
        by.push(match t.chunks_compared {
            0 => "row hashes".into(),
            n => format!("row hashes ({n} chunks one by one)"),
        });
    }
    if let Some(n) = t.rows_sampled {
        by.push(format!("{n} sampled rows"));
    }
    if t.sample_note.is_some() {
        by.push("not sampled (no primary key)".into());
    }
    if t.rechecked.is_some() {
        by.push("rechecked row by row".into());
    }
    by.join(", ")
}

fn check(t: &TableVerification, level: VerifyLevel) -> TableCheckDto {
    TableCheckDto {
        table: t.table.clone(),
        source_rows: t.source_rows as f64,
        target_rows: t.target_rows as f64,
        rejected_rows: t.rejected_rows as f64,
        lost: t.lost as f64,
        extra: t.extra as f64,
        source_hash: t.source_hash.clone(),
        target_hash: t.target_hash.clone(),
        matches: t.matches(),
        different: t.different as f64,
        loss_percent: t.loss_percent,
        checked_by: checked_by(t, level),
        chunks_differing: t.chunks_differing.clone(),
        rechecked: t.rechecked.clone(),
        lost_keys: t.lost_keys.clone(),
        extra_keys: t.extra_keys.clone(),
        different_rows: t
            .different_rows
            .iter()
            .map(|d| format!("{} (columns {})", d.key, d.columns.join(", ")))
            .collect(),
    }
}

fn tables(n: usize) -> String {
    format!("{n} table{}", if n == 1 { "" } else { "s" })
}

/// What a run's checks proved, one sentence each, as the CLI prints its evidence.
fn evidence(v: &RunVerification) -> Vec<String> {
    if v.level == VerifyLevel::Off {
        return vec![
            "None: verification was off, so nothing was checked and the counts are the copy's own."
                .into(),
        ];
    }
    let sum = |f: fn(&TableVerification) -> i64| v.tables.iter().map(f).sum::<i64>();
    let (source, target, rejected) = (
        sum(|t| t.source_rows),
        sum(|t| t.target_rows),
        sum(|t| t.rejected_rows),
    );
    let mut said = vec![if source == target + rejected {
        format!("Counted on both sides: {source} source rows = {target} target rows + {rejected} set aside.")
    } else {
        format!("Counted on both sides: {source} source rows, {target} target rows and {rejected} set aside do not add up.")
    }];
    let hashed: Vec<_> = v
        .tables
        .iter()
        .filter(|t| t.source_hash.is_some())
        .collect();
    if !hashed.is_empty() {
        let equal = hashed.iter().filter(|t| !t.hashes_differ()).count();
        let chunks: u64 = hashed.iter().map(|t| t.chunks_compared).sum();
        let by_server = hashed
            .iter()
            .filter(|t| {
                t.target_hash
                    .as_deref()
                    .is_some_and(godwit_transfer::taken_by_servers)
            })
            .count();
        let target = match by_server {
            0 => "target read back",
            n if n == hashed.len() => "target hashed by its own server",
            _ => "target hashed by its own server or read back",
        };
        said.push(format!(
            "Row hashes (every row, source as it streamed, {target}) equal in {equal} of {}{}.",
            tables(hashed.len()),
            if chunks > 0 {
                format!(", {chunks} key-range chunks compared one by one")
            } else {
                String::new()
            }
        ));
    }
    let sampled: Vec<_> = v.tables.iter().filter_map(|t| t.rows_sampled).collect();
    if !sampled.is_empty() {
        let different: u64 = v.tables.iter().map(|t| t.different).sum();
        said.push(format!(
            "{} sampled rows in {} compared value by value by primary key{}.",
            sampled.iter().sum::<u64>(),
            tables(sampled.len()),
            if different == 0 {
                ": all equal".to_string()
            } else {
                format!(": {different} rows differ")
            }
        ));
    }
    let unsampled: Vec<&str> = v
        .tables
        .iter()
        .filter(|t| t.sample_note.is_some())
        .map(|t| t.table.as_str())
        .collect();
    if !unsampled.is_empty() {
        said.push(format!(
            "Not sampled (no primary key, counted only): {}.",
            unsampled.join(", ")
        ));
    }
    for t in v.tables.iter().filter(|t| t.rechecked.is_some()) {
        said.push(format!(
            "{} read again row by row ({}): {} lost ({:.4} %), {} extra, {} different.",
            t.table,
            t.rechecked.as_deref().unwrap_or_default().join(", "),
            t.lost,
            t.loss_percent,
            t.extra,
            t.different
        ));
    }
    said
}

/// A kept verification for the screen.
pub fn report(v: &RunVerification) -> CopyReportDto {
    let sum = |f: fn(&TableVerification) -> u64| v.tables.iter().map(f).sum::<u64>();
    let expected: i64 = v
        .tables
        .iter()
        .map(|t| (t.source_rows - t.rejected_rows).max(0))
        .sum();
    CopyReportDto {
        chunks_copied: v.chunks_copied as u32,
        chunks_total: v.chunks_total as u32,
        rows_copied: v.rows_copied as f64,
        bytes_copied: v.bytes_copied as f64,
        seconds: v.seconds,
        verification: v.method.clone(),
        rows_lost: sum(|t| t.lost) as f64,
        rows_extra: sum(|t| t.extra) as f64,
        rows_rejected: v.tables.iter().map(|t| t.rejected_rows).sum::<i64>() as f64,
        content_mismatches: v
            .tables
            .iter()
            .filter(|t| t.hashes_differ() || t.different > 0)
            .map(|t| t.table.clone())
            .collect(),
        rows_different: sum(|t| t.different) as f64,
        loss_percent: loss_percent(sum(|t| t.lost), expected),
        level: verify_dto(v.level),
        evidence: evidence(v),
        verified_at: v.verified_at.clone(),
        tables: v.tables.iter().map(|t| check(t, v.level)).collect(),
    }
}

/// A history run's state; `running` there but not in this window means another process runs it,
/// or one that quit without saying so.
pub fn run_state(status: &str) -> RunStateDto {
    match status {
        "running" => RunStateDto::Running,
        "finished" => RunStateDto::Finished,
        "failed" => RunStateDto::Failed,
        _ => RunStateDto::Interrupted,
    }
}

/// A run read back from the history: committed chunks and rows per table, no live figures.
pub fn history_status(
    run: &Run,
    totals: &[TableTotals],
    kept: Option<&RunVerification>,
    source: String,
    target: String,
) -> CopyStatusDto {
    let tables: Vec<TableProgressDto> = totals
        .iter()
        .map(|t| TableProgressDto {
            table: t.table.clone(),
            finished: run.status == "finished",
            started: true,
            rows_rejected: t.rejected as f64,
            progress: progress(
                t.chunks as usize,
                0,
                t.rows + t.rejected,
                t.rows + t.rejected,
                0,
                0,
                None,
            ),
        })
        .collect();
    let chunks: usize = totals.iter().map(|t| t.chunks as usize).sum();
    let rows: u64 = totals.iter().map(|t| t.rows + t.rejected).sum();
    CopyStatusDto {
        run_id: run.id.clone(),
        seq: next_seq(),
        state: run_state(&run.status),
        live: false,
        cancellable: false,
        phase: String::new(),
        source,
        target,
        resumed: false,
        started_at: run.started_at.clone(),
        tables,
        total: progress(chunks, 0, rows, rows, 0, 0, None),
        report: kept.filter(|_| run.status == "finished").map(report),
        error: run.message.clone(),
    }
}

/// A history run for the run list.
pub fn run_item(
    run: &Run,
    totals: &[TableTotals],
    kept: Option<&RunVerification>,
    live: Option<&LiveRun>,
    names: (Option<String>, Option<String>),
) -> RunDto {
    let running_here = live.is_some_and(LiveRun::running);
    let state = match live {
        Some(l) => l.status().state,
        None => run_state(&run.status),
    };
    let resumable_here = names.0.is_some() && names.1.is_some();
    RunDto {
        id: run.id.clone(),
        state,
        live: running_here,
        source: names.0.unwrap_or_else(|| run.source.clone()),
        target: names.1.unwrap_or_else(|| run.target.clone()),
        resumable_here,
        from_oracle: run.kind == "copy-oracle",
        started_at: run.started_at.clone(),
        finished_at: run.finished_at.clone(),
        message: run.message.clone(),
        chunks_done: totals.iter().map(|t| t.chunks).sum(),
        rows_done: totals.iter().map(|t| t.rows).sum::<u64>() as f64,
        rows_lost: kept
            .filter(|v| v.level != VerifyLevel::Off)
            .map(|v| v.rows_lost() as f64),
        verify: kept.map(|v| verify_dto(v.level)),
    }
}

/// One side of a run: its URL with password, and how to name it.
pub struct Side {
    pub url: String,
    pub label: String,
    pub password: Option<String>,
}

/// Removes the passwords from a message (drivers may echo what they were given).
fn redact(message: String, sides: &[&Side]) -> String {
    sides
        .iter()
        .filter_map(|s| s.password.as_deref().filter(|p| !p.is_empty()))
        .fold(message, |m, p| m.replace(p, "***"))
}

/// The sentence for a run that stopped, with the way on in the desktop's words (the engine's own
/// messages name the CLI's flags).
fn outcome_of(error: CopyError, sides: &[&Side]) -> Outcome {
    let message = match error {
        CopyError::Stopped { .. } => {
            return Outcome::Interrupted(
                "Cancelled: the committed chunks are kept; Resume copies the rest.".into(),
            )
        }
        CopyError::Chunk {
            table,
            chunk,
            message,
            ..
        } => format!(
            "Copying {table} chunk {chunk} failed: {message}. The committed chunks are kept: Resume copies the rest once the cause is fixed."
        ),
        CopyError::Rejected {
            table,
            chunk,
            key,
            message,
            sqlstate,
            ..
        } => format!(
            "{table} chunk {chunk}: the target refused the row with key {key}: {message} (SQLSTATE {sqlstate}). None of that chunk's rows were kept; the committed chunks are. Resume once the target accepts the row, or resume setting refused rows aside (they go to godwit_copy.rejects on the target, with their error)."
        ),
        other => other.to_string(),
    };
    Outcome::Failed(redact(message, sides))
}

/// Starts (or, with `resume`, continues) a run in the background and returns its status once the
/// history has it. Fails when the run cannot begin (unknown or finished run, other databases than
/// the run's, the local store).
#[allow(clippy::too_many_arguments)]
pub async fn launch(
    store: Arc<Mutex<Store>>,
    runs: Runs,
    source: Side,
    target: Side,
    options: CopyOptions,
    verification: Verification,
    resume: Option<String>,
    emit: Emit,
) -> Result<CopyStatusDto, CommandError> {
    let control = Control::new();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<Result<Arc<LiveRun>, String>>();
    let started_tx = Arc::new(Mutex::new(Some(started_tx)));
    let began = Instant::now();
    let resumed = resume.is_some();
    tauri::async_runtime::spawn(async move {
        let live: Arc<Mutex<Option<Arc<LiveRun>>>> = Arc::default();
        let on_start = {
            let (live, runs, control, emit, started_tx) = (
                live.clone(),
                runs.clone(),
                control.clone(),
                emit.clone(),
                started_tx.clone(),
            );
            let (source_label, target_label) = (source.label.clone(), target.label.clone());
            let history = store.clone();
            move |run_id: &str| {
                let run = Arc::new(LiveRun {
                    run_id: run_id.to_string(),
                    source: source_label,
                    target: target_label,
                    resumed,
                    started_at: history
                        .lock()
                        .ok()
                        .and_then(|s| s.run(run_id).ok())
                        .map(|r| r.started_at)
                        .unwrap_or_default(),
                    control,
                    began,
                    end: Mutex::new(None),
                    ended: tokio::sync::Notify::new(),
                });
                if let Ok(mut runs) = runs.lock() {
                    runs.insert(run_id.to_string(), run.clone());
                }
                if let Ok(mut slot) = live.lock() {
                    *slot = Some(run.clone());
                }
                tauri::async_runtime::spawn(watch(run.clone(), emit));
                if let Some(tx) = started_tx.lock().ok().and_then(|mut t| t.take()) {
                    let _ = tx.send(Ok(run));
                }
            }
        };
        let history = store.clone();
        let result = godwit_transfer::copy_checked(
            &source.url,
            &target.url,
            store,
            &options,
            &verification,
            resume.as_deref(),
            &control,
            on_start,
            |_| {},
        )
        .await;
        let outcome = match result {
            Ok(report) => Outcome::Finished(Box::new(keep(
                &history,
                &report.run_id,
                kept_verification(&report, verification.level),
            ))),
            Err(e) => outcome_of(e, &[&source, &target]),
        };
        let run = live.lock().ok().and_then(|l| l.clone());
        match run {
            Some(run) => {
                tracing::info!(run_id = %run.run_id, outcome = ?outcome_kind(&outcome), "copy run ended");
                run.end(outcome);
            }
            None => {
                let message = match outcome {
                    Outcome::Failed(m) | Outcome::Interrupted(m) => m,
                    Outcome::Finished(_) => "the run ended before it began".into(),
                };
                if let Some(tx) = started_tx.lock().ok().and_then(|mut t| t.take()) {
                    let _ = tx.send(Err(message));
                }
            }
        }
    });
    match started_rx.await {
        Ok(Ok(run)) => Ok(run.status()),
        Ok(Err(message)) => Err(CommandError::new(message)),
        Err(_) => Err(CommandError::new(
            "The copy stopped unexpectedly before it began: try again.",
        )),
    }
}

/// An Oracle run to start or continue; see [`launch_oracle`].
pub struct OracleRun {
    /// Opens a row source per job: a live database's sessions, or an exported script's rows.
    pub open: godwit_transfer::OpenRows,
    /// The source as the screen names it (its password wiped from messages).
    pub source: Side,
    /// The source as the history records it: a URL without password, or the script's path.
    pub recorded_source: String,
    pub target: Side,
    pub tables: Vec<godwit_transfer::OracleTable>,
    /// The converted schema created around the rows, when asked.
    pub schema: Option<godwit_transfer::OracleSchema>,
    /// What the run copies, recorded with a new run.
    pub chosen: godwit_transfer::OracleRunOptions,
    /// Chunks copied at once, rows per chunk (a resumed run keeps its chunks), and what a row the
    /// target refuses does; the run is always counted and hashed.
    pub options: godwit_transfer::OracleCopyOptions,
    /// The run to continue, skipping its committed chunks and schema steps.
    pub resume: Option<String>,
}

/// Starts copying an Oracle source into its tables on the target in the background, through the
/// engine's Oracle path (live ROWID ranges at one SCN or a script's rows by number, the form's jobs
/// chunks at once, the converted schema around the rows when asked, counted and hashed on both
/// sides, differing rows named by key), and returns the run as it starts. A new run is recorded as
/// `copy-oracle`, like the CLI's, with its [`godwit_transfer::OracleRunOptions`]. It shows
/// per-table progress, stops on Cancel and keeps its verification like a PostgreSQL run.
pub fn launch_oracle(
    store: Arc<Mutex<Store>>,
    runs: Runs,
    oracle: OracleRun,
    emit: Emit,
) -> Result<CopyStatusDto, CommandError> {
    let OracleRun {
        open,
        source,
        recorded_source,
        target,
        tables,
        schema,
        chosen,
        options,
        resume,
    } = oracle;
    let run = {
        let history = store.lock().map_err(|_| {
            CommandError::new(
                "The local store is unusable after an earlier failure: restart Godwit.",
            )
        })?;
        match &resume {
            Some(id) => history
                .set_run_status(id, "running", None)
                .and_then(|()| history.run(id)),
            None => history.start_run(
                "copy-oracle",
                &recorded_source,
                &godwit_postgres::redact_url(&target.url),
                &chosen.to_json(),
            ),
        }
        .map_err(CommandError::new)?
    };
    let live = Arc::new(LiveRun {
        run_id: run.id.clone(),
        source: source.label.clone(),
        target: target.label.clone(),
        resumed: resume.is_some(),
        started_at: run.started_at.clone(),
        control: Control::new(),
        began: Instant::now(),
        end: Mutex::new(None),
        ended: tokio::sync::Notify::new(),
    });
    if let Ok(mut runs) = runs.lock() {
        runs.insert(run.id.clone(), live.clone());
    }
    tauri::async_runtime::spawn(watch(live.clone(), emit));
    let running = live.clone();
    tauri::async_runtime::spawn(async move {
        let result = godwit_transfer::copy_oracle_from(
            open,
            &target.url,
            &run.id,
            &tables,
            &godwit_transfer::OracleCopyOptions {
                verify: godwit_transfer::Verify::Hash,
                ..options
            },
            schema.as_ref(),
            &running.control,
            Some(&store),
        )
        .await;
        let outcome = match result {
            Ok(copied) => {
                let seconds = running.began.elapsed().as_secs_f64();
                let kept = keep(
                    &store,
                    &run.id,
                    godwit_transfer::kept_oracle_verification(
                        &copied,
                        godwit_transfer::Verify::Hash,
                        seconds,
                    ),
                );
                let status = if kept.matches() {
                    None
                } else {
                    Some("verification failed: rows lost or different")
                };
                if let Ok(s) = store.lock() {
                    let _ = s.set_run_status(&run.id, "finished", status);
                }
                Outcome::Finished(Box::new(kept))
            }
            Err(e) => {
                let (status, outcome) = match outcome_of(e, &[&source, &target]) {
                    Outcome::Failed(m) => ("failed", Outcome::Failed(m)),
                    other => ("interrupted", other),
                };
                if let (Ok(s), Outcome::Failed(m) | Outcome::Interrupted(m)) =
                    (store.lock(), &outcome)
                {
                    let _ = s.set_run_status(&run.id, status, Some(m));
                }
                outcome
            }
        };
        tracing::info!(run_id = %run.id, outcome = ?outcome_kind(&outcome), "Oracle copy run ended");
        running.end(outcome);
    });
    Ok(live.status())
}

/// Oracle sessions (and target connections) a resumed Oracle run copies with at once.
pub const ORACLE_RESUME_JOBS: usize = 2;

/// Keeps a run's verification in the history and returns it as kept (with its time); when the
/// store refuses, the run's screen still shows it, and the log says why it will not come back.
pub fn keep(store: &Mutex<Store>, run_id: &str, verification: RunVerification) -> RunVerification {
    let saved = store.lock().map_err(|_| None).and_then(|s| {
        s.save_verification(run_id, &verification)
            .and_then(|()| s.verification(run_id))
            .map_err(Some)
    });
    match saved {
        Ok(Some(kept)) => kept,
        Ok(None) => verification,
        Err(e) => {
            tracing::warn!(run_id, error = ?e.map(|e| e.to_string()), "cannot keep the run's verification in the history");
            verification
        }
    }
}

fn outcome_kind(o: &Outcome) -> &'static str {
    match o {
        Outcome::Finished(_) => "finished",
        Outcome::Interrupted(_) => "interrupted",
        Outcome::Failed(_) => "failed",
    }
}

/// Sends the run's status to the UI every [`TICK`] until it ends, and once more as it ended. All of
/// a run's events come from here, so they arrive in order.
async fn watch(run: Arc<LiveRun>, emit: Emit) {
    loop {
        let status = run.status();
        let live = status.live;
        emit(status);
        if !live {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = run.ended.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_transfer::{kept_tables, TableCheck, TableFindings, Verify};

    fn table(estimate: Option<u64>) -> TableStatus {
        TableStatus {
            table: "public.t".into(),
            chunks_total: 4,
            rows_estimate: estimate,
            ..Default::default()
        }
    }

    #[test]
    fn a_table_reports_rate_and_eta_from_this_invocation_only() {
        let start = Instant::now();
        let mut t = table(Some(1000));
        t.started = Some(start);
        // 300 rows came from an earlier invocation; 200 more in 2 s now.
        t.rows_before = 300;
        t.rows_done = 500;
        t.chunks_done = 2;
        t.bytes_done = 4_000_000;
        let p = table_progress(&t, start + Duration::from_secs(2));
        assert!(!p.finished && p.started);
        assert_eq!(
            (p.progress.rows_done, p.progress.rows_expected),
            (500.0, 1000.0)
        );
        assert_eq!(p.progress.fraction, 0.5);
        assert_eq!(p.progress.rows_per_second, 100.0);
        assert_eq!(p.progress.mb_per_second, 2.0);
        assert_eq!(p.progress.eta_seconds, Some(5.0));
    }

    #[test]
    fn expected_rows_never_fall_below_what_was_seen_and_are_exact_once_finished() {
        let mut t = table(Some(100));
        t.rows_done = 90;
        t.rows_in_flight = 30;
        let p = table_progress(&t, Instant::now());
        assert_eq!(
            (p.progress.rows_done, p.progress.rows_expected),
            (120.0, 120.0)
        );
        assert_eq!(
            p.progress.eta_seconds, None,
            "no rate before the table starts"
        );
        t.chunks_done = 4;
        t.rows_in_flight = 0;
        t.rows_rejected = 5;
        let p = table_progress(&t, Instant::now());
        assert!(p.finished);
        assert_eq!((p.progress.rows_expected, p.progress.fraction), (95.0, 1.0));
        assert_eq!(p.progress.eta_seconds, Some(0.0));
    }

    #[test]
    fn a_table_without_an_estimate_goes_by_chunks() {
        let mut t = table(None);
        t.chunks_done = 1;
        let p = table_progress(&t, Instant::now());
        assert_eq!(p.progress.fraction, 0.25);
    }

    #[test]
    fn the_total_sums_the_tables_and_counts_from_the_first_chunk() {
        let start = Instant::now();
        let mut a = table(Some(100));
        a.started = Some(start + Duration::from_secs(1));
        a.rows_done = 100;
        a.chunks_done = 4;
        let mut b = table(Some(300));
        b.table = "public.u".into();
        b.started = Some(start + Duration::from_secs(2));
        b.rows_done = 100;
        b.chunks_done = 1;
        let p = total_progress(&[a, b], start, start + Duration::from_secs(3));
        assert_eq!((p.chunks_done, p.chunks_total), (5, 8));
        assert_eq!((p.rows_done, p.rows_expected), (200.0, 400.0));
        assert_eq!(p.rows_per_second, 100.0);
        assert_eq!(p.eta_seconds, Some(2.0));
        // Nothing started yet: no rate, no ETA.
        let p = total_progress(&[table(Some(10))], start, start + Duration::from_secs(3));
        assert_eq!((p.rows_per_second, p.eta_seconds), (0.0, None));
    }

    /// One table's report under `level`, through the form the history keeps.
    fn checked(t: TableCheck, findings: Vec<TableFindings>, level: Verify) -> CopyReportDto {
        let (level, tables) = kept_tables(&[t], &findings, level);
        report(&RunVerification {
            level,
            method: "as asked".into(),
            chunks_copied: 1,
            chunks_total: 1,
            rows_copied: 10,
            bytes_copied: 100,
            seconds: 0.5,
            verified_at: String::new(),
            tables,
        })
    }

    #[test]
    fn the_evidence_says_who_hashed_the_targets_rows() {
        let table = |hash: &str| TableCheck {
            table: "public.t".into(),
            source_rows: 10,
            target_rows: 10,
            rejected_rows: 0,
            source_hash: Some(hash.into()),
            target_hash: Some(hash.into()),
        };
        let by_server = checked(table("pg2:0a"), vec![], Verify::Hash);
        assert!(
            by_server.evidence[1].starts_with(
                "Row hashes (every row, source as it streamed, target hashed by its own server) equal in 1 of 1 table"
            ),
            "{:?}",
            by_server.evidence
        );
        let read_back = checked(table("0a"), vec![], Verify::Hash);
        assert!(
            read_back.evidence[1].contains("target read back) equal in 1 of 1 table"),
            "{:?}",
            read_back.evidence
        );
    }

    #[test]
    fn a_check_reports_lost_extra_and_hash_mismatches() {
        let base = TableCheck {
            table: "public.t".into(),
            source_rows: 10,
            target_rows: 10,
            rejected_rows: 0,
            source_hash: Some("a".into()),
            target_hash: Some("a".into()),
        };
        let clean = checked(base.clone(), vec![], Verify::Count);
        assert!(clean.tables[0].matches);
        assert_eq!(clean.level, VerifyDto::Hash, "hashes found mean hash");
        assert!(
            clean.evidence[0].contains("10 source rows = 10 target rows + 0 set aside")
                && clean.evidence[1].contains("equal in 1 of 1 table."),
            "{:?}",
            clean.evidence
        );
        let lost = checked(
            TableCheck {
                target_rows: 7,
                ..base.clone()
            },
            vec![],
            Verify::Hash,
        );
        let t = &lost.tables[0];
        assert_eq!((t.lost, t.extra, t.matches), (3.0, 0.0, false));
        assert_eq!((lost.rows_lost, lost.loss_percent), (3.0, 30.0));
        assert!(
            lost.evidence[0].contains("do not add up"),
            "{:?}",
            lost.evidence
        );
        let extra = checked(
            TableCheck {
                target_rows: 12,
                ..base.clone()
            },
            vec![],
            Verify::Hash,
        );
        assert_eq!((extra.tables[0].lost, extra.tables[0].extra), (0.0, 2.0));
        let differs = checked(
            TableCheck {
                target_hash: Some("b".into()),
                ..base.clone()
            },
            vec![],
            Verify::Hash,
        );
        assert!(!differs.tables[0].matches);
        assert_eq!(differs.content_mismatches, ["public.t"]);
        let rejected = checked(
            TableCheck {
                target_rows: 8,
                rejected_rows: 2,
                source_hash: None,
                target_hash: None,
                ..base.clone()
            },
            vec![],
            Verify::Count,
        );
        assert!(rejected.tables[0].matches && rejected.tables[0].lost == 0.0);
        assert_eq!(rejected.level, VerifyDto::Count);
        assert_eq!(rejected.tables[0].checked_by, "counts");
    }

    #[test]
    fn findings_name_rows_by_key_and_say_what_each_mode_proved() {
        let base = TableCheck {
            table: "shop.notes".into(),
            source_rows: 500,
            target_rows: 500,
            rejected_rows: 0,
            source_hash: None,
            target_hash: None,
        };
        let sampled = checked(
            base.clone(),
            vec![TableFindings {
                table: "shop.notes".into(),
                rows_sampled: Some(100),
                ..TableFindings::default()
            }],
            Verify::Sample,
        );
        assert_eq!(sampled.level, VerifyDto::Sample);
        assert_eq!(sampled.tables[0].checked_by, "counts, 100 sampled rows");
        assert!(
            sampled.evidence[1].starts_with("100 sampled rows in 1 table compared value by value")
                && sampled.evidence[1].ends_with(": all equal."),
            "{:?}",
            sampled.evidence
        );
        let damaged = checked(
            base.clone(),
            vec![TableFindings {
                table: "shop.notes".into(),
                lost: 1,
                extra: 1,
                different: 1,
                loss_percent: 0.2,
                rows_sampled: Some(100),
                recheck: Some(godwit_transfer::Recheck {
                    ranges: vec!["whole table".into()],
                    lost: 1,
                    extra: 1,
                    different: 1,
                    lost_keys: vec!["id=7".into()],
                    extra_keys: vec!["id=900".into()],
                    different_rows: vec![godwit_transfer::DifferentRow {
                        key: "id=8".into(),
                        columns: vec!["body".into(), "at".into()],
                    }],
                }),
                ..TableFindings::default()
            }],
            Verify::Sample,
        );
        let t = &damaged.tables[0];
        assert!(!t.matches);
        assert_eq!(
            (t.lost_keys.as_slice(), t.extra_keys.as_slice()),
            (&["id=7".to_string()][..], &["id=900".to_string()][..])
        );
        assert_eq!(t.different_rows, ["id=8 (columns body, at)"]);
        assert_eq!(damaged.rows_different, 1.0);
        assert!(
            damaged.evidence.iter().any(|e| e
                == "shop.notes read again row by row (whole table): 1 lost (0.2000 %), 1 extra, 1 different."),
            "{:?}",
            damaged.evidence
        );
        let off = checked(base, vec![], Verify::Off);
        assert_eq!(off.level, VerifyDto::Off);
        assert_eq!(off.tables[0].checked_by, "nothing");
        assert!(off.evidence[0].starts_with("None"), "{:?}", off.evidence);
    }

    #[test]
    fn passwords_are_wiped_from_messages() {
        let side = |p: Option<&str>| Side {
            url: String::new(),
            label: String::new(),
            password: p.map(String::from),
        };
        let (a, b, none) = (side(Some("s3cret")), side(Some("hunter2")), side(Some("")));
        let message = "password s3cret for hunter2 refused".to_string();
        assert_eq!(
            redact(message, &[&a, &b, &none]),
            "password *** for *** refused"
        );
        match outcome_of(CopyError::Stopped { run_id: "r".into() }, &[]) {
            Outcome::Interrupted(m) => assert!(m.contains("Resume"), "{m}"),
            other => panic!("expected interrupted, got {other:?}"),
        }
    }

    #[test]
    fn failures_name_table_chunk_and_key_in_the_desktops_words() {
        let failed = |e| match outcome_of(e, &[]) {
            Outcome::Failed(m) => m,
            other => panic!("expected a failure, got {other:?}"),
        };
        let m = failed(CopyError::Rejected {
            table: "shop.notes".into(),
            chunk: 3,
            key: "id=250".into(),
            message: "new row violates check constraint".into(),
            sqlstate: "23514".into(),
            run_id: "r1".into(),
        });
        assert!(
            m.starts_with("shop.notes chunk 3: the target refused the row with key id=250")
                && m.contains("setting refused rows aside")
                && !m.contains("--"),
            "{m}"
        );
        let m = failed(CopyError::Chunk {
            table: "shop.orders".into(),
            chunk: 7,
            message: "connection reset".into(),
            run_id: "r1".into(),
        });
        assert!(
            m.starts_with("Copying shop.orders chunk 7 failed: connection reset.")
                && !m.contains("--"),
            "{m}"
        );
        let m = failed(CopyError::Incompatible(vec![
            "shop.orders: column total is missing".into(),
        ]));
        assert!(m.contains("column total is missing"), "{m}");
    }
}
