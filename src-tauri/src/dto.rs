//! Transport types: the JSON shapes that cross the IPC boundary to the UI.
//!
//! Engine types never leak to the frontend. Every type here derives [`specta::Type`] so the
//! TypeScript bindings (`ui/src/bindings.ts`) are generated from it. Numbers are `u32`/`f64`
//! (no `i64`: JavaScript has no lossless 64-bit integer), identifiers and timestamps are strings.

use serde::{Deserialize, Serialize};
use specta::Type;

/// What a profile points at: a database engine, or Oracle scripts read offline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum EngineDto {
    /// PostgreSQL (source and target).
    #[default]
    Postgres,
    /// A live Oracle Database (source), read through Oracle's client library (Instant Client).
    Oracle,
    /// Oracle scripts read offline (source): a `.sql` file or a folder of scripts.
    OracleScript,
}

/// Whether an engine can be used in this build, with a sentence for the UI when it cannot.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    /// Engine identifier.
    pub engine: EngineDto,
    /// Human label, e.g. "PostgreSQL".
    pub label: String,
    /// Default TCP port for new profiles (0 when it has none).
    pub default_port: u32,
    /// True when profiles of this engine can be saved and tested.
    pub available: bool,
    /// A sentence for the UI: why the engine is not available, or what it needs.
    pub note: String,
}

/// Environment label of a connection; the UI colours it green / amber / red.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentDto {
    /// Development.
    #[default]
    Dev,
    /// Test / staging.
    Test,
    /// Production.
    Prod,
}

/// A saved connection profile (never carries the password). Fields an engine does not use are
/// empty (port 0).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDto {
    /// Stable identifier.
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// Engine of the database, or an Oracle script source.
    pub engine: EngineDto,
    /// Host name or address (PostgreSQL; Oracle by service name).
    pub host: String,
    /// TCP port (PostgreSQL; Oracle by service name).
    pub port: u32,
    /// PostgreSQL database name, or Oracle service name.
    pub database: String,
    /// Oracle TNS alias (`tnsnames.ora`), when the profile connects through one.
    pub tns_alias: String,
    /// Oracle script source: the `.sql` file or folder of scripts.
    pub path: String,
    /// User name (empty for a script source).
    pub username: String,
    /// Environment label.
    pub environment: EnvironmentDto,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last update time (RFC 3339).
    pub updated_at: String,
}

/// What the UI sends to create (`id` null) or update a profile. Fields the engine does not use
/// are ignored.
#[derive(Clone, Debug, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInputDto {
    /// Existing profile id when editing, null when creating.
    pub id: Option<String>,
    /// Unique display name.
    pub name: String,
    /// Engine of the database, or an Oracle script source.
    pub engine: EngineDto,
    /// Host name or address (PostgreSQL; Oracle by service name).
    pub host: String,
    /// TCP port, 1–65535 (PostgreSQL; Oracle by service name).
    pub port: u32,
    /// PostgreSQL database name, or Oracle service name.
    pub database: String,
    /// Oracle TNS alias; when not empty, host, port and service name are ignored.
    pub tns_alias: String,
    /// Oracle script source: the `.sql` file or folder of scripts.
    pub path: String,
    /// User name (PostgreSQL, Oracle).
    pub username: String,
    /// Environment label.
    pub environment: EnvironmentDto,
    /// New password to store in the OS keyring; null keeps the stored one, "" removes it. Ignored
    /// for a script source, which never has one.
    pub password: Option<String>,
}

/// Result of a successful connection test.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthDto {
    /// Server version string, e.g. "15.8" (PostgreSQL) or Oracle's banner.
    pub server_version: String,
    /// User the session runs as.
    pub user: String,
    /// Database connected to.
    pub database: String,
    /// Round-trip latency in milliseconds.
    pub latency_ms: f64,
    /// Privileges the user holds that matter for a migration.
    pub privileges: Vec<String>,
}

/// What reading an Oracle script source found.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScriptCheckDto {
    /// The file or folder read.
    pub path: String,
    /// Script files that hold statements or notes (included files count).
    pub files: u32,
    /// Statements read, PL/SQL units included.
    pub statements: u32,
    /// PL/SQL units and anonymous blocks among them.
    pub plsql_units: u32,
    /// What the reader skipped, with file and line.
    pub notes: Vec<ScriptNoteDto>,
}

/// Result of testing a profile: a database connection, or the reading of a script source.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ProfileTestDto {
    /// A database answered.
    Database {
        /// What it reported.
        health: HealthDto,
    },
    /// A script source was read.
    Script {
        /// What the reader found.
        check: ScriptCheckDto,
    },
}

/// Kinds of database objects shown in the Discovery tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKindDto {
    /// A schema (namespace).
    Schema,
    /// An ordinary or partitioned table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence.
    Sequence,
    /// A function or procedure.
    Routine,
    /// A user-defined type.
    Type,
    /// An index.
    Index,
    /// A trigger.
    Trigger,
    /// A constraint.
    Constraint,
}

/// Number of objects of one kind.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// How many objects of that kind.
    pub count: u32,
}

/// One object in the Discovery tree.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ObjectNode {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// Schema that holds the object.
    pub schema: String,
    /// Object name (for indexes and triggers, their own name).
    pub name: String,
    /// Planner's row estimate (tables only; null when unknown).
    pub row_estimate: Option<f64>,
    /// Total size on disk in bytes, including indexes and TOAST (tables only; null when unknown).
    pub total_bytes: Option<f64>,
    /// Dependent objects shown beneath it (a table's indexes and triggers).
    pub children: Vec<ObjectNode>,
}

/// Objects of one kind within a schema.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindGroup {
    /// Object kind of every object in the group.
    pub kind: ObjectKindDto,
    /// The objects, in catalog order.
    pub objects: Vec<ObjectNode>,
}

/// One schema with its objects grouped by kind (empty groups omitted).
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SchemaNode {
    /// Schema name.
    pub name: String,
    /// Object groups, one per non-empty kind.
    pub groups: Vec<KindGroup>,
}

/// The Discovery tree of one connection.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogTree {
    /// Profile the catalog was read from.
    pub profile_id: String,
    /// Schemas, in catalog order.
    pub schemas: Vec<SchemaNode>,
    /// Object counts per kind over the whole catalog.
    pub counts: Vec<KindCount>,
}

/// Identifies one object whose DDL the UI asks for.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRefDto {
    /// Object kind.
    pub kind: ObjectKindDto,
    /// Schema that holds the object.
    pub schema: String,
    /// Object name.
    pub name: String,
}

/// Errors the UI offers a way out of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCodeDto {
    /// Oracle's client library (Instant Client) is missing: say what to install, and offer the
    /// offline route (an Oracle script source).
    OracleClientMissing,
}

/// Error returned by every command: one message a person can act on (never a secret).
#[derive(Clone, Debug, Serialize, Type, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct CommandError {
    /// The message to show.
    pub message: String,
    /// Set when the UI has a specific way out of this error.
    pub code: Option<ErrorCodeDto>,
}

impl CommandError {
    /// Builds an error from anything displayable.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: None,
        }
    }

    /// The same error with a code the UI acts on.
    pub fn with_code(mut self, code: ErrorCodeDto) -> Self {
        self.code = Some(code);
        self
    }
}

/// Status of one converted Oracle object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ConversionStatusDto {
    /// Converted with nothing to review.
    Converted,
    /// Converted, with findings to review.
    ConvertedWithFindings,
    /// Not converted: only findings, no PostgreSQL SQL.
    NotConverted,
}

/// Severity of a conversion finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum SeverityDto {
    /// Converted; worth knowing.
    Info,
    /// Converted, but the meaning may differ.
    Warning,
    /// Not converted.
    Error,
}

/// Something the script reader noticed and skipped.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScriptNoteDto {
    /// File the note is about.
    pub file: String,
    /// 1-based line in that file.
    pub line: u32,
    /// What was skipped and why.
    pub message: String,
}

/// Object counts of a conversion, by status.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConversionSummaryDto {
    /// All reported objects.
    pub objects: u32,
    /// Converted with nothing to review.
    pub converted: u32,
    /// Converted with findings.
    pub with_findings: u32,
    /// Not converted.
    pub not_converted: u32,
    /// Data statements (INSERT, UPDATE, DELETE) converted.
    pub data_statements: u32,
}

/// One Oracle object in the conversion list.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConvertedObjectDto {
    /// Identifier within the last conversion (pass it to `conversion_object`).
    pub id: u32,
    /// Oracle kind: TABLE, INDEX, VIEW, PROCEDURE, DATA, …
    pub kind: String,
    /// PostgreSQL name, `schema.name`.
    pub name: String,
    /// Conversion status.
    pub status: ConversionStatusDto,
    /// Number of findings.
    pub findings: u32,
    /// Oracle file the object is defined in.
    pub file: String,
    /// 1-based line of its definition in that file.
    pub line: u32,
}

/// Result of converting an Oracle source: a script, a folder of scripts, or a live database.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConversionDto {
    /// The source converted: the file or folder, or the database's `oracle://` URL (no password).
    pub path: String,
    /// Counts by status.
    pub summary: ConversionSummaryDto,
    /// What the script reader skipped.
    pub notes: Vec<ScriptNoteDto>,
    /// Every object, in script order.
    pub objects: Vec<ConvertedObjectDto>,
    /// The distinct kinds among the objects, sorted.
    pub kinds: Vec<String>,
}

/// One finding of a converted object.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingDto {
    /// Stable identifier, e.g. GW-TYPE-ROWID.
    pub id: String,
    /// Severity.
    pub severity: SeverityDto,
    /// What differs or could not be converted.
    pub message: String,
    /// What to do about it.
    pub suggestion: String,
    /// File the finding is about.
    pub file: String,
    /// 1-based line in that file.
    pub line: u32,
    /// 1-based line within the object's Oracle source; null when it falls outside it.
    pub source_line: Option<u32>,
}

/// How a diff row relates the Oracle and the PostgreSQL sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum DiffTagDto {
    /// The same line on both sides.
    Equal,
    /// A line only on the Oracle side.
    Delete,
    /// A line only on the PostgreSQL side.
    Insert,
    /// An Oracle line and the PostgreSQL line replacing it.
    Replace,
}

/// A run of text in a diff row; `emphasized` marks changed words.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SegmentDto {
    /// The text.
    pub text: String,
    /// True when this run changed.
    pub emphasized: bool,
}

/// One row of the side-by-side view.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiffRowDto {
    /// Relation of the two sides.
    pub tag: DiffTagDto,
    /// 1-based line in the Oracle source, when the row has one.
    pub old_line: Option<u32>,
    /// 1-based line in the PostgreSQL SQL, when the row has one.
    pub new_line: Option<u32>,
    /// The Oracle line as segments.
    pub old: Vec<SegmentDto>,
    /// The PostgreSQL line as segments.
    pub new: Vec<SegmentDto>,
}

/// One object of the last conversion in detail.
#[derive(Clone, Debug, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDetailDto {
    /// The object as listed.
    pub object: ConvertedObjectDto,
    /// Its Oracle source (starting at its line in its file).
    pub oracle_source: String,
    /// Its PostgreSQL SQL; null when not converted.
    pub postgres_sql: Option<String>,
    /// Its findings.
    pub findings: Vec<FindingDto>,
    /// Oracle source vs PostgreSQL SQL, row by row (empty when not converted).
    pub diff: Vec<DiffRowDto>,
}

/// How a copy checks the target once the rows moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum VerifyDto {
    /// Nothing is checked: the figures are the copy's own.
    Off,
    /// Row counts per table on both sides.
    Count,
    /// Row counts and an order-independent hash of every table's rows on both sides.
    Hash,
    /// Row counts, and `sampleRows` rows per table compared value by value by primary key.
    Sample,
}

/// What a copy does with a row the target refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum OnErrorDto {
    /// Stop the run naming the table, chunk and row; the run stays resumable.
    Stop,
    /// Keep every other row; refused ones go to `godwit_copy.rejects` on the target.
    Skip,
}

/// What the UI sends to start copying data from a saved connection or script source into a saved
/// PostgreSQL connection.
#[derive(Clone, Debug, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyInputDto {
    /// Profile id of the source: a PostgreSQL or live Oracle connection, or an Oracle script source.
    pub source_id: String,
    /// Profile id of the target database.
    pub target_id: String,
    /// Schemas to copy (empty: every user schema).
    pub schemas: Vec<String>,
    /// Table name globs to copy (`schema.table` or `table`; empty: all).
    pub include: Vec<String>,
    /// Table name globs to leave out.
    pub exclude: Vec<String>,
    /// Chunks copied at once, 1–64 (from Oracle: one source session and target connection each).
    pub jobs: u32,
    /// Table pages (8 kB each) per chunk, at least 1 (PostgreSQL sources).
    pub chunk_pages: u32,
    /// Rows per chunk, about, at least 1 (Oracle sources: live tables are split by ROWID ranges
    /// sized from their statistics).
    pub chunk_rows: u32,
    /// Create the schema on the target first (keys, indexes and code after the data); from Oracle,
    /// the converted schema.
    pub create_schema: bool,
    /// How to check the target afterwards (an Oracle source is always counted and hashed).
    pub verify: VerifyDto,
    /// Rows per table compared value by value under `sample`, at least 1.
    pub sample_rows: u32,
    /// What to do with rows the target refuses.
    pub on_error: OnErrorDto,
}

/// Where a copy run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RunStateDto {
    /// Copying (in this window, or elsewhere: see `live`).
    Running,
    /// Cancel was asked: open chunks are rolling back.
    Stopping,
    /// Every chunk committed and the target was verified.
    Finished,
    /// Stopped (cancelled, or the app or CLI quit) with its committed chunks kept: resumable.
    Interrupted,
    /// Stopped by an error, with its committed chunks kept: resumable once the cause is fixed.
    Failed,
}

/// Progress of a table, or of the whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDto {
    /// Chunks committed (by this invocation or an earlier one of the run).
    pub chunks_done: u32,
    /// Chunks planned; 0 when unknown (a run read back from the history).
    pub chunks_total: u32,
    /// Source rows through: committed, set aside and on their way.
    pub rows_done: f64,
    /// Rows expected: the source's estimate, never below what was seen, exact once finished.
    pub rows_expected: f64,
    /// Share done, 0–1 (rows, else chunks).
    pub fraction: f64,
    /// Rows per second in this invocation.
    pub rows_per_second: f64,
    /// COPY megabytes per second in this invocation.
    pub mb_per_second: f64,
    /// Seconds left at the current rate; null while no rate is known.
    pub eta_seconds: Option<f64>,
}

/// One table of a copy run.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TableProgressDto {
    /// `schema.table`.
    pub table: String,
    /// Every chunk committed.
    pub finished: bool,
    /// Its first chunk began in this invocation (or it finished earlier).
    pub started: bool,
    /// Rows the target refused and the run set aside.
    pub rows_rejected: f64,
    /// Figures.
    pub progress: ProgressDto,
}

/// How one table compared after the copy.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TableCheckDto {
    /// `schema.table`.
    pub table: String,
    /// Rows in the source (in the run's snapshot).
    pub source_rows: f64,
    /// Rows in the target.
    pub target_rows: f64,
    /// Source rows the target refused, set aside in `godwit_copy.rejects`.
    pub rejected_rows: f64,
    /// Source rows missing from the target beyond the rejected ones.
    pub lost: f64,
    /// Target rows beyond the source's.
    pub extra: f64,
    /// Order-independent hash of the source's rows (hash verification only).
    pub source_hash: Option<String>,
    /// The same over the target's rows.
    pub target_hash: Option<String>,
    /// True when counts agree and hashes (when computed) are equal.
    pub matches: bool,
    /// Rows on both sides whose values differ (found by a sample or a recheck).
    pub different: f64,
    /// Lost rows as a percentage of the source rows that should have arrived.
    pub loss_percent: f64,
    /// What checked this table, in words: counts, hashes, sampled rows.
    pub checked_by: String,
    /// Chunks whose hashes differ, by range.
    pub chunks_differing: Vec<String>,
    /// What was read again row by row; null when the table was not rechecked.
    pub rechecked: Option<Vec<String>>,
    /// Lost rows by key (the first ones; `lost` is exact).
    pub lost_keys: Vec<String>,
    /// Extra rows by key.
    pub extra_keys: Vec<String>,
    /// Different rows by key, with their differing columns.
    pub different_rows: Vec<String>,
}

/// The verification of a finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyReportDto {
    /// Chunks this invocation copied (a resumed run skips those done before).
    pub chunks_copied: u32,
    /// Chunks of the whole run.
    pub chunks_total: u32,
    /// Rows this invocation copied.
    pub rows_copied: f64,
    /// COPY bytes this invocation moved.
    pub bytes_copied: f64,
    /// Seconds this invocation took.
    pub seconds: f64,
    /// How the tables were checked, in words.
    pub verification: String,
    /// Rows missing from the target over all tables.
    pub rows_lost: f64,
    /// Rows the target has beyond the source's.
    pub rows_extra: f64,
    /// Rows the target refused, set aside.
    pub rows_rejected: f64,
    /// Tables whose counts agree but whose hashes differ.
    pub content_mismatches: Vec<String>,
    /// Rows on both sides whose values differ.
    pub rows_different: f64,
    /// Lost rows as a percentage of the source rows that should have arrived.
    pub loss_percent: f64,
    /// How the run was checked.
    pub level: VerifyDto,
    /// What the checks proved, one sentence each (none when nothing was checked).
    pub evidence: Vec<String>,
    /// When the verification was kept in the history (RFC 3339).
    pub verified_at: String,
    /// Per table.
    pub tables: Vec<TableCheckDto>,
}

/// A copy run as the Execution screen shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CopyStatusDto {
    /// Run id (as in the CLI's `--resume`).
    pub run_id: String,
    /// When this status was read, as a counter over all statuses: of two statuses of a run, the
    /// higher one is the newer (events and command answers may arrive in either order).
    pub seq: f64,
    /// Where it stands.
    pub state: RunStateDto,
    /// True while this window runs it (progress is live).
    pub live: bool,
    /// True while Cancel can stop it (live, and not from an Oracle source).
    pub cancellable: bool,
    /// What the run is doing: `planning`, `copying`, `verifying`, … (empty when not live).
    pub phase: String,
    /// The source: a saved connection's name, else its URL without password.
    pub source: String,
    /// The target, likewise.
    pub target: String,
    /// This invocation continues an earlier one.
    pub resumed: bool,
    /// When the run began (RFC 3339).
    pub started_at: String,
    /// Tables in copy order (from the history when not live: committed figures only).
    pub tables: Vec<TableProgressDto>,
    /// The whole run.
    pub total: ProgressDto,
    /// Verification, once finished (kept in the history, so also for runs of earlier sessions).
    pub report: Option<CopyReportDto>,
    /// Why it stopped (failed or interrupted).
    pub error: Option<String>,
}

/// One run of the history, for the run list.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RunDto {
    /// Run id.
    pub id: String,
    /// Where it stands.
    pub state: RunStateDto,
    /// True while this window runs it.
    pub live: bool,
    /// The source: a saved connection's name, else its URL without password.
    pub source: String,
    /// The target, likewise.
    pub target: String,
    /// True when both databases match saved connections, so Resume can reach them.
    pub resumable_here: bool,
    /// True for a copy from an Oracle source (a live database or a script).
    pub from_oracle: bool,
    /// When it began (RFC 3339).
    pub started_at: String,
    /// When it last ended, if it did.
    pub finished_at: Option<String>,
    /// Why it stopped.
    pub message: Option<String>,
    /// Chunks committed over all its invocations.
    pub chunks_done: u32,
    /// Rows committed over all its invocations.
    pub rows_done: f64,
    /// Rows lost by its kept verification; null when none was kept or nothing was checked.
    pub rows_lost: Option<f64>,
    /// How its kept verification checked the tables; null when none was kept.
    pub verify: Option<VerifyDto>,
}

/// Sent to the UI about three times a second while a copy runs, and once when it ends.
#[derive(Clone, Debug, Serialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct CopyProgressEvent {
    /// The run as it stands.
    pub status: CopyStatusDto,
}
