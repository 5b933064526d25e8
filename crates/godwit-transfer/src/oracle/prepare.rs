//! What an Oracle copy needs before any row moves, one implementation for `godwit copy` and the
//! desktop: the source's tables and a way to open their rows (a live database's sessions, or an
//! exported script's rows evaluated once), the converted schema `--create-schema` creates around
//! them, and the choice a run records so that a resume copies the same tables the same way.

use super::{live_sessions, oracle_tables, OpenRows, OracleSchema, OracleTable, ScriptRows};
use super::{ORACLE_TABLES_SQL, SCRIPT_OWNER};
use crate::*;
use godwit_oracle::live::{LiveError, OracleSession, OracleUrl};
use godwit_oracle::script::ScriptNote;
use godwit_oracle::script_data::{ScriptDataError, ScriptSequence};
use godwit_oracle::{ScriptError, Statement};

/// An Oracle source ready to copy from.
pub struct OracleSource {
    /// The owner its tables are listed under ([`SCRIPT_OWNER`] for a script).
    pub owner: String,
    /// Its tables, as Oracle stores their names.
    pub names: Vec<String>,
    /// Opens a row source per job.
    pub open: OpenRows,
    /// The source's statements (DDL and code), read when the schema is to be created.
    pub statements: Option<Vec<Statement>>,
    /// Sequences an exported script's rows drew values from (a live database's DDL carries
    /// each sequence's position).
    pub sequences: Vec<ScriptSequence>,
    /// What reading a script noted: statements not evaluated that cannot change the rows, rows
    /// it loads from elsewhere.
    pub notes: Vec<ScriptNote>,
}

/// Why an exported script cannot be a copy source; each names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum ScriptSourceError {
    #[error(transparent)]
    Read(#[from] ScriptError),
    #[error(transparent)]
    Rows(#[from] ScriptDataError),
}

impl OracleSource {
    /// An exported script (a file, or a folder in the order of its `files.txt`): its statements
    /// replayed as Oracle would leave the tables, `SYSDATE` the time of the call, in UTC. Keeps the
    /// statements when `with_schema`. Blocking: reads files and evaluates every row.
    pub fn script(
        path: &std::path::Path,
        with_schema: bool,
    ) -> Result<OracleSource, ScriptSourceError> {
        let script = godwit_oracle::read_input(path)?;
        let data = godwit_oracle::script_data::script_tables(&script, script_clock())?;
        Ok(OracleSource {
            owner: SCRIPT_OWNER.to_string(),
            names: data.tables.iter().map(|t| t.name.clone()).collect(),
            sequences: data.sequences.clone(),
            notes: data.notes.clone(),
            open: ScriptRows::opener(Arc::new(data)),
            statements: with_schema.then_some(script.statements),
        })
    }

    /// A live database's tables of `owner` (as `godwit_oracle::live::owner_name` spells it), read
    /// through sessions of `url`; with `with_schema`, its DDL and code through DBMS_METADATA.
    /// Blocking: connects and queries.
    pub fn live(
        url: &OracleUrl,
        owner: &str,
        with_schema: bool,
    ) -> Result<OracleSource, LiveError> {
        let mut session = godwit_oracle::live::connect(url)?;
        let names = session
            .query("tables", ORACLE_TABLES_SQL, &[owner])?
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect();
        let statements = if with_schema {
            Some(godwit_oracle::live::read_schema(&mut session, owner)?.statements)
        } else {
            None
        };
        Ok(OracleSource {
            owner: owner.to_string(),
            names,
            open: live_sessions(url.clone()),
            statements,
            sequences: Vec::new(),
            notes: Vec::new(),
        })
    }

    /// The source's statements converted into the schema created around the rows in `schema`
    /// (`None` when they were not read), with the conversion's counts. Blocking: converts.
    pub fn converted_schema(&self, schema: &str) -> Option<ConvertedSchema> {
        let statements = self.statements.as_ref()?;
        let conversion = godwit_convert::convert(
            statements,
            &godwit_convert::Options {
                default_schema: schema.to_string(),
                ..Default::default()
            },
        );
        let (converted, with_findings, not_converted) = conversion.status_counts();
        Some(ConvertedSchema {
            schema: OracleSchema::from_conversion(&conversion, schema, &self.sequences),
            converted,
            with_findings,
            not_converted,
        })
    }
}

/// The schema created around an Oracle copy's rows, and how many of the source's objects the
/// conversion converted, converted with findings, and left out.
pub struct ConvertedSchema {
    pub schema: OracleSchema,
    pub converted: usize,
    pub with_findings: usize,
    pub not_converted: usize,
}

impl OracleSchema {
    /// The schema `--create-schema` creates from an Oracle conversion into `schema`: its objects,
    /// the helper functions its code calls first, and after the rows the source's other data
    /// statements (schema changes), identity positions, and the positions of the `sequences` the
    /// rows drew values from.
    pub fn from_conversion(
        conversion: &godwit_convert::Conversion,
        schema: &str,
        sequences: &[ScriptSequence],
    ) -> OracleSchema {
        // The rows themselves come through the copy; the data section's schema changes (a column
        // made NOT NULL once rows are in, a table an install block creates) follow them.
        let mut after_rows: Vec<String> = conversion
            .data
            .iter()
            .filter(|d| {
                let first = d.sql.split_whitespace().next().unwrap_or("");
                ["ALTER", "CREATE", "COMMENT"]
                    .iter()
                    .any(|w| first.eq_ignore_ascii_case(w))
            })
            .map(|d| d.sql.clone())
            .collect();
        after_rows.extend(conversion.identity_positions(&table_names(&conversion.catalog)));
        for used in sequences {
            let converted = conversion.catalog.schemas.iter().find_map(|s| {
                s.sequences
                    .iter()
                    .find(|q| q.name == used.name || q.name.eq_ignore_ascii_case(&used.name))
                    .map(|q| QualifiedName::new(&s.name, &q.name))
            });
            if let Some(name) = converted {
                after_rows.push(format!(
                    "SELECT pg_catalog.setval('{}', {}, false)",
                    name.to_string().replace('\'', "''"),
                    used.next
                ));
            }
        }
        OracleSchema {
            catalog: conversion.catalog.clone(),
            before: godwit_convert::compat::definitions(&conversion.helpers),
            after_rows,
            search_path: format!("{}, public", quote_ident(schema)),
        }
    }
}

/// What an Oracle run copies, recorded as the run's options so that a resume (from the desktop,
/// whichever started the run) copies the same tables into the same schema, creating it if the run
/// did. Runs recorded before it was kept read as every table into `public`, schema not created.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OracleRunOptions {
    /// The PostgreSQL schema of the target tables; `public` when none.
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The converted schema is created around the rows.
    #[serde(default)]
    pub create_schema: bool,
    /// Rows per chunk asked for: a run resumed before its chunks were planned plans them so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_rows: Option<u64>,
}

impl OracleRunOptions {
    /// The options a run recorded (as JSON); defaults when it recorded none.
    pub fn recorded(options: &str) -> OracleRunOptions {
        serde_json::from_str(options).unwrap_or_default()
    }

    /// As JSON, for the run history.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn schema(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    /// Fails naming the setting whose pattern is bad, before anything connects.
    pub fn check(&self, settings: (&str, &str)) -> Result<(), String> {
        oracle_tables(
            Vec::new(),
            "",
            self.schema(),
            (&self.include, settings.0),
            (&self.exclude, settings.1),
        )
        .map(drop)
    }

    /// The tables of `source` these options copy (see [`oracle_tables`]); a bad pattern is named
    /// by its setting (`settings`: the include's and the exclude's names, as the caller calls them).
    pub fn tables(
        &self,
        source: &OracleSource,
        settings: (&str, &str),
    ) -> Result<Vec<OracleTable>, String> {
        oracle_tables(
            source.names.iter().cloned(),
            &source.owner,
            self.schema(),
            (&self.include, settings.0),
            (&self.exclude, settings.1),
        )
    }
}

/// The time `SYSDATE` and friends stand for in an exported script's rows: now, in UTC (the
/// script's stated session time zone).
fn script_clock() -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
        0,
    )
    .map(|t| t.naive_utc())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hr() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../godwit-cli/tests/fixtures/oracle_hr")
    }

    #[test]
    fn a_script_source_lists_its_tables_and_converts_its_schema_into_the_chosen_one() {
        let source = OracleSource::script(&hr(), true).unwrap();
        assert_eq!(source.owner, SCRIPT_OWNER);
        assert_eq!(source.names.len(), 7, "{:?}", source.names);
        let converted = source.converted_schema("hr").unwrap();
        assert!(converted.converted > 0 && converted.not_converted == 0);
        let schema = &converted.schema;
        assert_eq!(schema.search_path, "hr, public");
        assert!(
            schema
                .catalog
                .schemas
                .iter()
                .any(|s| s.name == "hr" && s.tables.iter().any(|t| t.name == "employees")),
            "{:?}",
            schema
                .catalog
                .schemas
                .iter()
                .map(|s| &s.name)
                .collect::<Vec<_>>()
        );
        // Without the schema, the statements are not kept.
        let bare = OracleSource::script(&hr(), false).unwrap();
        assert!(bare.statements.is_none() && bare.converted_schema("hr").is_none());
    }

    #[test]
    fn a_sequence_the_rows_drew_from_is_set_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("orders.sql");
        std::fs::write(
            &file,
            "CREATE SEQUENCE order_seq START WITH 1000 INCREMENT BY 10;
CREATE TABLE orders (id NUMBER(10) PRIMARY KEY);
INSERT INTO orders VALUES (order_seq.NEXTVAL);
",
        )
        .unwrap();
        let source = OracleSource::script(&file, true).unwrap();
        let schema = source.converted_schema("public").unwrap().schema;
        assert!(
            schema
                .after_rows
                .iter()
                .any(|s| s == "SELECT pg_catalog.setval('public.order_seq', 1010, false)"),
            "{:?}",
            schema.after_rows
        );
    }

    #[test]
    fn a_script_that_cannot_be_read_names_its_file() {
        let missing = hr().join("nothing.sql");
        let err = OracleSource::script(&missing, false).err().unwrap();
        assert!(err.to_string().contains("nothing.sql"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.sql");
        std::fs::write(
            &file,
            "CREATE TABLE t (n NUMBER);\nINSERT INTO t VALUES (unknown_fn(1));\n",
        )
        .unwrap();
        let err = OracleSource::script(&file, false).err().unwrap();
        assert!(
            matches!(err, ScriptSourceError::Rows(_)) && err.to_string().contains("bad.sql:2"),
            "{err}"
        );
    }

    #[test]
    fn run_options_are_recorded_and_read_back_with_defaults_for_older_runs() {
        let chosen = OracleRunOptions {
            schema: Some("hr".into()),
            include: vec!["emp*".into()],
            exclude: vec![],
            create_schema: true,
            chunk_rows: Some(40),
        };
        assert_eq!(OracleRunOptions::recorded(&chosen.to_json()), chosen);
        assert_eq!(chosen.schema(), "hr");
        let older = OracleRunOptions::recorded(r#"{"schema":"hr","include":[],"exclude":[]}"#);
        assert!(!older.create_schema && older.schema() == "hr");
        let none = OracleRunOptions::recorded("{}");
        assert_eq!((none.schema(), none.create_schema), ("public", false));
        assert_eq!(
            OracleRunOptions::recorded("not json"),
            OracleRunOptions::default()
        );
    }

    #[test]
    fn run_options_choose_tables_by_their_postgresql_names() {
        let source = OracleSource::script(&hr(), false).unwrap();
        let options = OracleRunOptions {
            schema: Some("hr".into()),
            include: vec!["hr.j*".into()],
            ..Default::default()
        };
        let tables = options
            .tables(&source, ("Tables", "Excluded tables"))
            .unwrap();
        let mut names: Vec<String> = tables.iter().map(|t| t.target.to_string()).collect();
        names.sort();
        assert_eq!(names, ["hr.job_history", "hr.jobs"]);
        let bad = OracleRunOptions {
            exclude: vec!["emp[".into()],
            ..Default::default()
        };
        let err = bad
            .tables(&source, ("Tables", "Excluded tables"))
            .unwrap_err();
        assert!(err.starts_with("Excluded tables: "), "{err}");
        assert_eq!(
            bad.check(("--include", "--exclude")).unwrap_err(),
            err.replace("Excluded tables", "--exclude")
        );
    }
}
