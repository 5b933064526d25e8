//! Copies from a saved Oracle connection on the Execution screen, through the engine's
//! [`godwit_transfer::copy_oracle_from`] (the path of `godwit copy --source oracle://…`): every table
//! of the user's schema into the existing PostgreSQL table of the same lower-case name, in the first
//! schema of the form (else `public`), as `godwit convert` created them.
//!
//! Such a run shows per-table progress, stops on Cancel and keeps its verification (counts and
//! hashes, differing rows by key) like a PostgreSQL run. No Oracle server can run in our tests:
//! what is tested here is the choice of tables; the engine's Oracle path is tested on recorded
//! rows (crates/godwit-transfer), and a live copy is untested without `GODWIT_TEST_ORACLE`.

use godwit_transfer::{CopyOptions, OracleTable};
use serde::{Deserialize, Serialize};

/// What an Oracle run copies, recorded as the run's options so that Resume copies the same tables
/// (a run of the CLI records none: every table, into `public`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The PostgreSQL schema of the target tables; `public` when none.
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Selection {
    /// The form's choice: the first schema, the table patterns.
    pub fn of(options: &CopyOptions) -> Selection {
        Selection {
            schema: options.schemas.first().cloned(),
            include: options.include.clone(),
            exclude: options.exclude.clone(),
        }
    }

    /// The selection a run recorded (its options as JSON).
    pub fn recorded(options: &str) -> Selection {
        serde_json::from_str(options).unwrap_or_default()
    }

    pub fn schema(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }
}

/// The schema an Oracle user's tables live in, as the catalog spells it: upper case unless quoted.
pub fn owner(user: &str) -> String {
    godwit_oracle::live::owner_name(user)
}

/// The Oracle tables to copy (see `godwit_transfer::oracle_tables`), a bad pattern named by the
/// form's field.
pub fn tables(
    names: impl IntoIterator<Item = String>,
    owner: &str,
    schema: &str,
    include: &[String],
    exclude: &[String],
) -> Result<Vec<OracleTable>, String> {
    godwit_transfer::oracle_tables(
        names,
        owner,
        schema,
        (include, "Tables"),
        (exclude, "Excluded tables"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["EMPLOYEES", "JOB_HISTORY", "Mixed", "REGIONS"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn tables_go_to_lower_case_names_in_the_chosen_schema_kept_by_the_globs() {
        let all = tables(names(), "HR", "hr", &[], &[]).unwrap();
        let targets: Vec<String> = all.iter().map(|t| t.target.to_string()).collect();
        assert_eq!(
            targets,
            [
                "hr.employees",
                "hr.job_history",
                "hr.\"Mixed\"",
                "hr.regions"
            ]
        );
        assert!(all.iter().all(|t| t.owner == "HR"));
        assert_eq!(all[0].table, "EMPLOYEES");
        let some = tables(
            names(),
            "HR",
            "hr",
            &["hr.j*".into(), "regions".into()],
            &["reg*".into()],
        )
        .unwrap();
        assert_eq!(
            some.iter().map(|t| t.table.as_str()).collect::<Vec<_>>(),
            ["JOB_HISTORY"]
        );
        let err = tables(names(), "HR", "hr", &["emp[".into()], &[]).unwrap_err();
        assert!(err.starts_with("Tables: "), "{err}");
    }

    #[test]
    fn a_selection_is_recorded_and_read_back_with_defaults_for_the_clis_runs() {
        let options = CopyOptions {
            schemas: vec!["hr".into(), "other".into()],
            include: vec!["emp*".into()],
            ..CopyOptions::default()
        };
        let chosen = Selection::of(&options);
        let json = serde_json::to_string(&chosen).unwrap();
        assert_eq!(Selection::recorded(&json), chosen);
        assert_eq!(chosen.schema(), "hr");
        let cli = Selection::recorded("{}");
        assert_eq!((cli.schema(), cli.include.len()), ("public", 0));
        assert_eq!(Selection::recorded("not json"), Selection::default());
    }

    #[test]
    fn owners_are_upper_case_unless_quoted() {
        assert_eq!(owner("hr"), "HR");
        assert_eq!(owner("\"App\""), "App");
    }
}
