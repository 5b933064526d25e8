//! User rules that override the built-in type mapping, from a TOML file (`godwit convert --rules`):
//!
//! ```toml
//! # Any Oracle type spelling, written as in the DDL (case and spaces do not matter).
//! [types]
//! "NUMBER" = "bigint"            # NUMBER without precision
//! "NUMBER(10)" = "bigint"
//! "RAW(16)" = "uuid"
//! "TIMESTAMP(*)" = "timestamptz" # (*) matches any modifiers
//!
//! # Per table (schema.table or table, PostgreSQL names): the same keys, for that table's columns.
//! [tables."hr.employees"]
//! "NUMBER(6)" = "bigint"
//!
//! # Per column (schema.table.column or table.column).
//! [columns]
//! "hr.employees.salary" = "numeric(12,2)"
//! ```
//! A column rule wins over a table rule, which wins over a type rule, which wins over the built-in map.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Type overrides; empty by default.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    #[serde(default)]
    pub tables: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// A rules file that cannot be used; the message names the file and, for syntax errors, the line.
#[derive(Debug, thiserror::Error)]
#[error("rules file {path}: {message}")]
pub struct RulesError {
    pub path: String,
    pub message: String,
}

/// An Oracle type spelling in the form rules are matched on: upper case, no spaces.
pub fn normalize(spelling: &str) -> String {
    spelling
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

impl Rules {
    /// Reads and checks a rules file.
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let error = |message: String| RulesError {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        Rules::parse(&text).map_err(|e| error(e.message))
    }

    /// Parses rules from TOML text.
    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            RulesError {
                path: String::new(),
                message: format!(
                    "{}{}",
                    line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                    e.message()
                ),
            }
        })?;
        for (key, target) in rules
            .types
            .iter()
            .chain(rules.tables.values().flatten())
            .chain(&rules.columns)
        {
            if target.trim().is_empty() || target.contains(';') {
                return Err(RulesError {
                    path: String::new(),
                    message: format!("rule {key:?} maps to {target:?}, which is not a type"),
                });
            }
        }
        Ok(rules)
    }

    fn lookup(map: &BTreeMap<String, String>, spelling: &str) -> Option<String> {
        let wanted = normalize(spelling);
        let base = wanted.split('(').next().unwrap_or(&wanted).to_string();
        map.iter()
            .find(|(k, _)| normalize(k) == wanted)
            .or_else(|| {
                map.iter()
                    .find(|(k, _)| normalize(k) == format!("{base}(*)"))
            })
            .map(|(_, v)| v.trim().to_string())
    }

    /// The overriding PostgreSQL type for column `column` of `schema.table`, declared in Oracle as
    /// `spelling`, with the rule that chose it.
    pub fn type_for(
        &self,
        schema: &str,
        table: &str,
        column: &str,
        spelling: &str,
    ) -> Option<(String, String)> {
        for key in [
            format!("{schema}.{table}.{column}"),
            format!("{table}.{column}"),
        ] {
            if let Some(t) = self.columns.get(&key) {
                return Some((t.trim().to_string(), format!("[columns] {key:?}")));
            }
        }
        for key in [format!("{schema}.{table}"), table.to_string()] {
            if let Some(t) = self
                .tables
                .get(&key)
                .and_then(|m| Self::lookup(m, spelling))
            {
                return Some((t, format!("[tables.{key:?}] {spelling:?}")));
            }
        }
        Self::lookup(&self.types, spelling).map(|t| (t, format!("[types] {spelling:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[types]
"number" = "bigint"
"RAW(16)" = "uuid"
"TIMESTAMP(*)" = "timestamptz"

[tables."hr.employees"]
"NUMBER(6)" = "bigint"

[columns]
"employees.salary" = "numeric(12,2)"
"#;

    #[test]
    fn column_beats_table_beats_type() {
        let r = Rules::parse(RULES).unwrap();
        let t = |table: &str, column: &str, spelling: &str| {
            r.type_for("hr", table, column, spelling).map(|(t, _)| t)
        };
        assert_eq!(
            t("employees", "salary", "NUMBER(8,2)").as_deref(),
            Some("numeric(12,2)")
        );
        assert_eq!(
            t("employees", "employee_id", "NUMBER (6)").as_deref(),
            Some("bigint")
        );
        assert_eq!(t("jobs", "min_salary", "NUMBER(6)"), None);
        assert_eq!(t("jobs", "anything", "NUMBER").as_deref(), Some("bigint"));
        assert_eq!(t("tokens", "id", "raw(16)").as_deref(), Some("uuid"));
        assert_eq!(t("tokens", "id", "RAW(32)"), None);
        assert_eq!(
            t("log", "at", "TIMESTAMP(3)").as_deref(),
            Some("timestamptz")
        );
    }

    #[test]
    fn bad_rules_name_the_line() {
        let err = Rules::parse("[types]\n\"NUMBER\" = \n").unwrap_err();
        assert!(err.message.starts_with("line 2: "), "{}", err.message);
        let err = Rules::parse("[typos]\n").unwrap_err();
        assert!(err.message.contains("typos"), "{}", err.message);
        let err = Rules::parse("[types]\n\"NUMBER\" = \"int; drop table x\"\n").unwrap_err();
        assert!(err.message.contains("not a type"), "{}", err.message);
    }
}
