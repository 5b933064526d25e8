//! Copies from a saved Oracle source on the Execution screen, a live database or an exported
//! script (a .sql file or a folder of them), through the engine's
//! [`godwit_transfer::copy_oracle_from`], the path of `godwit copy --source oracle://…|SCRIPT`:
//! every table of the user's schema, or every table the script creates with the rows it inserts,
//! into the PostgreSQL table of the same lower-case name in the first schema of the form (else
//! `public`). With "create the schema" the converted schema is created around the rows, as the
//! CLI's `--create-schema` does ([`godwit_transfer::OracleSource::converted_schema`]); else the
//! tables must exist, as `godwit convert` created them.
//!
//! Such a run shows per-table progress, stops on Cancel, resumes with its unfinished chunks and
//! keeps its verification (counts and hashes, differing rows by key) like a PostgreSQL run. No
//! Oracle server can run in our tests: a script source is copied into a real PostgreSQL
//! (`tests/oracle_script_copy.rs`); a live copy is untested without `GODWIT_TEST_ORACLE`.

use godwit_transfer::{CopyOptions, OracleRunOptions, OracleSchema, OracleSource, OracleTable};

/// The form's table fields, as a bad pattern's error names them.
pub const SETTINGS: (&str, &str) = ("Tables", "Excluded tables");

/// What the form asks of an Oracle run: the first schema, the table patterns, and whether the
/// schema is created; recorded with the run so that Resume copies the same way.
pub fn chosen(options: &CopyOptions) -> OracleRunOptions {
    OracleRunOptions {
        schema: options.schemas.first().cloned(),
        include: options.include.clone(),
        exclude: options.exclude.clone(),
        create_schema: options.create_schema,
        chunk_rows: None,
    }
}

/// An Oracle source read and ready to copy.
pub struct Prepared {
    pub source: OracleSource,
    pub tables: Vec<OracleTable>,
    /// The converted schema created around the rows, when asked.
    pub schema: Option<OracleSchema>,
}

/// Converts `source`'s schema when `chosen` asks for it and picks its tables; blocking (the
/// conversion). A bad pattern's error names its field.
pub fn prepare(source: OracleSource, chosen: &OracleRunOptions) -> Result<Prepared, String> {
    let tables = chosen.tables(&source, SETTINGS)?;
    let schema = source.converted_schema(chosen.schema()).map(|c| {
        tracing::info!(
            converted = c.converted,
            with_findings = c.with_findings,
            not_converted = c.not_converted,
            "schema converted for the copy"
        );
        c.schema
    });
    for note in &source.notes {
        tracing::info!(file = %note.file.display(), line = note.line, "{}", note.message);
    }
    Ok(Prepared {
        source,
        tables,
        schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hr() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/godwit-cli/tests/fixtures/oracle_hr")
    }

    #[test]
    fn the_form_chooses_the_first_schema_the_patterns_and_the_schema_creation() {
        let options = CopyOptions {
            schemas: vec!["hr".into(), "other".into()],
            include: vec!["emp*".into()],
            create_schema: true,
            ..CopyOptions::default()
        };
        let chosen = chosen(&options);
        assert_eq!(
            (
                chosen.schema(),
                chosen.include.as_slice(),
                chosen.create_schema
            ),
            ("hr", &["emp*".to_string()][..], true)
        );
    }

    #[test]
    fn a_script_is_prepared_with_its_schema_only_when_asked() {
        let asked = OracleRunOptions {
            schema: Some("hr".into()),
            include: vec!["emp*".into(), "jobs".into()],
            create_schema: true,
            ..OracleRunOptions::default()
        };
        let prepared = prepare(OracleSource::script(&hr(), true).unwrap(), &asked).unwrap();
        let targets: Vec<String> = prepared
            .tables
            .iter()
            .map(|t| t.target.to_string())
            .collect();
        assert_eq!(targets, ["hr.jobs", "hr.employees"]);
        assert!(prepared
            .schema
            .is_some_and(|s| s.search_path == "hr, public"));
        let bare = OracleRunOptions {
            create_schema: false,
            ..asked.clone()
        };
        let prepared = prepare(OracleSource::script(&hr(), false).unwrap(), &bare).unwrap();
        assert!(prepared.schema.is_none());
        let bad = OracleRunOptions {
            include: vec!["emp[".into()],
            ..bare
        };
        let err = prepare(OracleSource::script(&hr(), false).unwrap(), &bad)
            .err()
            .unwrap();
        assert!(err.starts_with("Tables: "), "{err}");
    }
}
