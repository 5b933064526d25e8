//! `godwit`: the headless face of the Godwit engine, for scripts and CI.
//!
//! Exit codes: 0 success; 1 the operation failed (connection, catalog read, file write); 2 invalid usage
//! or input (bad arguments, unknown profile, invalid pattern). Results go to stdout; progress, logs and
//! errors to stderr. A connection URL is never printed with its password.

mod commands;
mod convert_command;
mod copy_command;
mod copy_progress;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  godwit health --source postgresql://app@db.example.org/shop --target postgresql://postgres@localhost/shop_copy
  godwit discover --source postgresql://app@db/shop --schema sales --exclude '*_archive'
  godwit discover --source shop-prod --format json > catalog.json
  godwit ddl --source postgresql://app@db/shop -o shop.sql
  godwit profile add shop-prod --url postgresql://app:secret@db.example.org/shop --env prod
  godwit convert --from oracle hr_install/ -o hr.sql --report hr-report.json

A SOURCE or TARGET is a postgresql:// URL or the name of a saved profile (its password comes from the
OS keyring). Passwords may also come from PGPASSWORD.

Exit codes: 0 success, 1 operation failed, 2 invalid usage or input; `godwit copy` also 3 (rows
set aside by --on-error skip) and 130 (interrupted, resumable).
Logging: -v (info), -vv (debug), or RUST_LOG=godwit=debug; logs go to stderr.";

/// Godwit: move databases to PostgreSQL.
#[derive(Parser)]
#[command(name = "godwit", version, about, after_help = EXAMPLES)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect and report server version, privileges and latency.
    #[command(
        after_help = "Example:\n  godwit health --source postgresql://app@db/shop --target shop-copy"
    )]
    Health {
        /// Source database: postgresql:// URL or saved profile name.
        #[arg(long)]
        source: String,
        /// Target database: postgresql:// URL or saved profile name.
        #[arg(long)]
        target: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List a database's schemas and objects: counts per kind, tables with sizes, dependencies.
    #[command(
        after_help = "Example:\n  godwit discover --source postgresql://app@db/shop --schema public --include 'order*' --format json"
    )]
    Discover {
        #[command(flatten)]
        selection: Selection,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write a PostgreSQL script that recreates the schema on an empty database.
    #[command(
        after_help = "Example:\n  godwit ddl --source postgresql://app@db/shop --schema sales -o sales.sql\n  godwit ddl --source shop-prod -o - | psql -d empty_db"
    )]
    Ddl {
        #[command(flatten)]
        selection: Selection,
        /// Output file, `-` for stdout.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Convert an Oracle script or folder of scripts to one PostgreSQL script, with a report.
    #[command(
        after_help = "Example:\n  godwit convert --from oracle hr_install/ -o hr.sql --report hr-report.json\n\nA folder is read in the order of its files.txt, else sorted by path. Exit 0 when it converted\nwhat it could (findings are not errors), 2 when the input is unusable."
    )]
    Convert {
        /// Source dialect (only `oracle` today).
        #[arg(long, value_enum)]
        from: Dialect,
        /// Oracle script file or folder, or a live database: oracle://USER[:PASSWORD]@HOST[:PORT]/SERVICE
        /// (or @TNS_ALIAS; password also from ORACLE_PASSWORD; schema from GODWIT_ORACLE_SCHEMA, default USER).
        input: PathBuf,
        /// PostgreSQL script to write, `-` for stdout.
        #[arg(short, long)]
        output: PathBuf,
        /// Write the conversion report (every object, its status and findings) as JSON here.
        #[arg(long)]
        report: Option<PathBuf>,
        /// PostgreSQL schema for objects the script does not qualify.
        #[arg(long, default_value = "public")]
        schema: String,
        /// TOML rules overriding the type mapping per type, table or column (see README).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Driver for a live Oracle: `thick` (the `oracle` crate; needs Oracle Instant Client) or `thin`
        /// (Oracle's pure-Rust driver, beta; in builds with the `thin` feature).
        #[arg(long, value_enum, default_value = "thick")]
        oracle_driver: OracleDriver,
        /// PL/SQL conditional compilation flags, as Oracle's PLSQL_CCFLAGS: `name:value,…` (values
        /// TRUE, FALSE, numbers or text); `$$name` not given is NULL, so `$IF $$name` takes `$ELSE`.
        #[arg(long, default_value = "")]
        ccflags: String,
        /// Check the converted script on this PostgreSQL (URL or profile) before writing it: every
        /// statement runs in one transaction that is rolled back, with check_function_bodies on and
        /// plpgsql_check where the server has it; what the server refuses is left out and reported
        /// with its error. Best on an empty database.
        #[arg(long, value_name = "TARGET")]
        check_on: Option<String>,
    },
    /// Copy table data from a PostgreSQL or Oracle source (a live database, or an exported Oracle
    /// script) to a PostgreSQL target: chunked, parallel, resumable, verified.
    #[command(
        after_help = "Examples:\n  godwit copy --source postgresql://app@old/shop --target postgresql://app@new/shop --create-schema --jobs 4\n  godwit copy --source shop-old --target shop-new --resume last\n  godwit copy --source oracle://hr@db:1521/FREEPDB1 --target shop-new --create-schema --verify hash\n  godwit copy --source ./export/ --target shop-new --create-schema   (an exported Oracle script or folder)\n\nThe run id is printed when the run starts; after any interruption `--resume RUN_ID` (or `last`)\ncopies only the chunks that did not commit. Progress goes to stderr: bars on a terminal, a line\nevery 2 s otherwise (GODWIT_PROGRESS_SECONDS). Ctrl-C stops the run: chunks being copied roll back,\nthe committed ones stay, and the command says how to resume.\n\nWith --create-schema the tables are created without their keys, indexes and foreign keys; after\nthe data the keys are added and the indexes built (--jobs at once), foreign keys added NOT VALID\nand then validated. Owned and identity sequences are then set past the copied rows (the source's\nvalue or the column's maximum, whichever is larger), also for existing target tables.\n--disable-triggers turns the target tables' user triggers off during the load and back on after\nit, also after a failure or Ctrl-C; a run killed meanwhile turns them back on when resumed. Every\nstep is recorded: --resume finishes what a killed run left (indexes, keys, sequences, triggers).\n--defer-indexes loads existing target tables without their secondary indexes and foreign keys\nand recreates them after the data (definitions kept in godwit_copy.deferred until then).\n\nExit codes: 0 every row arrived; 3 every row arrived except those --on-error skip set aside (the\ncount per table is printed; the rows are in godwit_copy.rejects on the target with their key,\ndata and error); 1 the copy or its verification failed; 2 invalid usage or input; 130\ninterrupted by Ctrl-C (resumable)."
    )]
    Copy {
        #[command(flatten)]
        selection: Selection,
        /// Target database: postgresql:// URL or saved profile name.
        #[arg(long)]
        target: String,
        /// Chunks copied at once (with --verify hash, as many connections again read finished
        /// tables back from the target meanwhile).
        #[arg(long, default_value_t = 4)]
        jobs: usize,
        /// Table pages (8 kB) per chunk.
        #[arg(long, default_value_t = 16384)]
        chunk_pages: u32,
        /// How tables are split: `blocks` (ranges of table blocks, any table) or `key` (ranges of the
        /// primary key where it is one integer column, as many as by blocks; other tables by blocks).
        #[arg(long, value_enum, default_value_t = ChunkBy::Blocks)]
        chunk_by: ChunkBy,
        /// Create the schema on the target first (keys, indexes, code after the data).
        #[arg(long)]
        create_schema: bool,
        /// Disable the target tables' user triggers while rows arrive and enable them again, as they
        /// were, afterwards (also after a failure or Ctrl-C, or on --resume after a kill).
        #[arg(long)]
        disable_triggers: bool,
        /// Existing target tables: drop their secondary (non-unique) indexes and foreign keys for
        /// the load, recording each definition in godwit_copy.deferred on the target; after the data,
        /// build the indexes again (--jobs at once) and add the foreign keys NOT VALID, then validate
        /// them. Keys and unique indexes stay. --resume recreates what a killed run recorded.
        #[arg(long)]
        defer_indexes: bool,
        /// With --verify hash: hash the rows in godwit (the source's as they stream, the target's
        /// read back) even where both servers could hash their own rows (PostgreSQL 14 or later);
        /// slower, for comparison.
        #[arg(long)]
        hash_by_client: bool,
        /// Resume an interrupted run: its id, or `last` for the newest unfinished run.
        #[arg(long)]
        resume: Option<String>,
        /// How to prove no row was lost: `count` (row counts), `hash` (counts, and per chunk an
        /// order-independent hash of the rows on both sides: each PostgreSQL server 14 or later
        /// hashes its own rows; otherwise the source's are hashed as they stream and the target's
        /// read back), `sample` (counts, and --sample-rows rows per table compared
        /// value by value by primary key) or `off`. Tables that disagree are read again row by row and
        /// their lost, extra and different rows named by key.
        #[arg(long, value_enum, default_value_t = Verify::Count)]
        verify: Verify,
        /// Rows per table compared value by value with `--verify sample`.
        #[arg(long, default_value_t = 1000)]
        sample_rows: u64,
        /// Oracle sources: NUL characters in text, which PostgreSQL cannot store: `fail` (stop naming
        /// the table, row and column), `strip` them, or `replace` them with U+FFFD; counted either way.
        #[arg(long, value_enum, default_value_t = Nul::Fail)]
        nul: Nul,
        /// Oracle sources: rows per chunk, about (one target transaction each; live tables are split
        /// into ROWID ranges of their extents sized from the table's statistics).
        #[arg(long, default_value_t = 100_000)]
        chunk_rows: u64,
        /// Oracle sources: send every table as COPY text. By default a table without LOBs whose
        /// columns all have a binary form is sent in COPY's binary format (a chunk holding a value
        /// the binary writer does not read is sent again as text).
        #[arg(long)]
        copy_text: bool,
        /// A row the target refuses (constraint, check, encoding): `stop` the run naming its table, chunk
        /// and key, or `skip` it into godwit_copy.rejects on the target and copy every other row (the
        /// run then exits 3 if any row was set aside).
        #[arg(long, value_enum, default_value_t = OnError::Stop)]
        on_error: OnError,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Manage saved connection profiles (shared with the desktop app).
    #[command(subcommand)]
    Profile(ProfileCommand),
}

#[derive(Args)]
struct Selection {
    /// Source database: postgresql:// URL or saved profile name; for `copy` also an oracle:// URL
    /// or an exported Oracle script (a .sql file, or a folder of them).
    #[arg(long)]
    source: String,
    /// Schema to read (repeatable); default: every user schema.
    #[arg(long = "schema")]
    schemas: Vec<String>,
    /// Keep only objects whose name (or schema.name) matches this glob (repeatable).
    #[arg(long)]
    include: Vec<String>,
    /// Drop objects whose name (or schema.name) matches this glob (repeatable).
    #[arg(long)]
    exclude: Vec<String>,
}

#[derive(Subcommand)]
enum ProfileCommand {
    /// Save a profile; the URL's password goes to the OS keyring, the rest to Godwit's database.
    #[command(
        after_help = "Example:\n  godwit profile add shop-prod --url postgresql://app:secret@db.example.org:5432/shop --env prod"
    )]
    Add {
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long, value_enum, default_value_t = Env::Dev)]
        env: Env,
    },
    /// List saved profiles.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Delete a profile and its keyring password.
    Remove { name: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Verify {
    Off,
    Count,
    Hash,
    Sample,
}

#[derive(Clone, Copy, ValueEnum)]
enum Nul {
    Fail,
    Strip,
    Replace,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnError {
    Stop,
    Skip,
}

#[derive(Clone, Copy, ValueEnum)]
enum ChunkBy {
    Blocks,
    Key,
}

#[derive(Clone, Copy, ValueEnum)]
enum Dialect {
    Oracle,
}

#[derive(Clone, Copy, ValueEnum)]
enum OracleDriver {
    Thick,
    Thin,
}

#[derive(Clone, Copy, ValueEnum)]
enum Env {
    Dev,
    Test,
    Prod,
}

/// A failure and the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn operation(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
    pub fn input(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,godwit=info",
        _ => "debug,tokio_postgres=info",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
