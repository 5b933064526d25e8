//! Watching and stopping a run from outside: per-table progress, the stop signal.

use crate::*;

/// Where one table stands in a running copy, as [`Control::tables`] shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TableStatus {
    pub table: String,
    pub chunks_total: usize,
    /// Chunks committed, by this invocation or an earlier one of the same run.
    pub chunks_done: usize,
    /// Rows committed on the target, by this invocation or an earlier one.
    pub rows_done: u64,
    /// Rows refused by the target and set aside, in committed chunks.
    pub rows_rejected: u64,
    /// Rows sent in chunks not committed yet (about one row per COPY message until the chunk
    /// commits; taken back if it rolls back).
    pub rows_in_flight: u64,
    /// COPY bytes of this invocation's committed chunks.
    pub bytes_done: u64,
    pub bytes_in_flight: u64,
    /// The source's row estimate (`pg_class.reltuples`, else counted on a sample of blocks).
    pub rows_estimate: Option<u64>,
    /// Rows committed or rejected by earlier invocations of the run (resumed runs).
    pub rows_before: u64,
    /// When this invocation began copying the table's first chunk.
    #[serde(skip)]
    pub started: Option<Instant>,
}

impl TableStatus {
    pub fn finished(&self) -> bool {
        self.chunks_done >= self.chunks_total
    }

    /// Source rows the table has been through: committed, rejected, and in chunks on their way.
    pub fn processed(&self) -> u64 {
        self.rows_done + self.rows_rejected + self.rows_in_flight
    }

    /// The table's expected rows: the estimate, never below what was seen, exact once finished.
    pub fn expected(&self) -> u64 {
        if self.finished() {
            self.rows_done + self.rows_rejected
        } else {
            self.rows_estimate.unwrap_or(0).max(self.processed())
        }
    }
}

/// Watches and stops a run from outside: cheap to clone, shared with the caller.
#[derive(Clone)]
pub struct Control {
    pub(crate) stop: Arc<tokio::sync::watch::Sender<bool>>,
    pub(crate) tables: Arc<Mutex<Vec<TableStatus>>>,
    pub(crate) phase: Arc<Mutex<&'static str>>,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            stop: Arc::new(tokio::sync::watch::channel(false).0),
            tables: Arc::default(),
            phase: Arc::new(Mutex::new("starting")),
        }
    }
}

impl Control {
    pub fn new() -> Control {
        Control::default()
    }

    /// Asks the run to stop: no new chunk starts, open chunks roll back, the run stays resumable.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves once [`Control::stop`] was called.
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// What the run is doing: `starting`, `creating the schema`, `planning`, `disabling triggers`,
    /// `deferring indexes and foreign keys`, `copying`, `enabling triggers`, `building keys and
    /// indexes`, `creating code and comments`, `recreating indexes and foreign keys`, `setting
    /// sequences`, `verifying`.
    pub fn phase(&self) -> &'static str {
        self.phase.lock().map(|p| *p).unwrap_or("")
    }

    pub(crate) fn set_phase(&self, phase: &'static str) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase;
        }
    }

    /// Every table of the run with its progress, in copy order (empty until the run is planned).
    pub fn tables(&self) -> Vec<TableStatus> {
        self.tables.lock().map(|t| t.clone()).unwrap_or_default()
    }

    pub(crate) fn update(&self, slot: usize, f: impl FnOnce(&mut TableStatus)) {
        if let Ok(mut tables) = self.tables.lock() {
            if let Some(t) = tables.get_mut(slot) {
                f(t);
            }
        }
    }
}

/// Runs `work` unless the run is asked to stop first.
pub(crate) async fn unless_stopped<T>(
    control: &Control,
    run_id: &str,
    work: impl Future<Output = Result<T, CopyError>>,
) -> Result<T, CopyError> {
    tokio::select! {
        biased;
        _ = control.stopped() => Err(CopyError::Stopped { run_id: run_id.to_string() }),
        result = work => result,
    }
}
