//! Deterministic Oracle → PostgreSQL conversion.
//!
//! [`convert`] reads the statements of an Oracle script (see `godwit_oracle::script`) into a PostgreSQL
//! [`godwit_catalog::Catalog`] plus data statements, and reports every Oracle object with its status and
//! [`findings::Finding`]s. [`Conversion::to_sql`] writes one PostgreSQL script in creation order: types,
//! sequences and tables; the data; keys, indexes and foreign keys; views; comments. The DDL itself is
//! rendered by the same writer the PostgreSQL source uses (`godwit_postgres::render`).
//!
//! What is not converted is reported as findings, never emitted as broken SQL; every statement that
//! is emitted has passed PostgreSQL's own parser (see [`validate`]).

mod collection;
pub mod compat;
pub mod conditional;
pub mod convert;
mod cursor;
mod dbms_sql;
pub mod expr;
pub mod findings;
pub mod formats;
mod hierarchy;
mod install_block;
mod json_table;
mod merge;
pub mod names;
mod object_type;
mod package;
mod package_collections;
mod package_documents;
mod plsql;
pub mod query;
pub mod rules;
pub mod target;
pub mod types;
pub mod validate;
mod xml_table;

pub use convert::{convert, Conversion, DataStatement, ObjectReport, Options, Status};
pub use findings::{Finding, Severity};
pub use target::{check_on_target, TargetCheck, TargetError};

use godwit_catalog::{ObjectKind, ObjectRef};
use godwit_postgres::Phase;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

fn report_kind(kind: ObjectKind) -> Option<&'static str> {
    Some(match kind {
        ObjectKind::Table => "TABLE",
        ObjectKind::View => "VIEW",
        ObjectKind::MaterializedView => "MATERIALIZED VIEW",
        ObjectKind::Sequence => "SEQUENCE",
        ObjectKind::Type => "TYPE",
        _ => return None,
    })
}

fn comment_lines(text: &str) -> String {
    text.lines().map(|l| format!("--   {l}\n")).collect()
}

impl Conversion {
    /// Counts of objects by status: (converted, converted with findings, not converted).
    pub fn status_counts(&self) -> (usize, usize, usize) {
        let count = |s: Status| self.objects.iter().filter(|o| o.status == s).count();
        (
            count(Status::Converted),
            count(Status::ConvertedWithFindings),
            count(Status::NotConverted),
        )
    }

    /// Statements that make the identity columns of `loaded` tables continue after the highest
    /// value the data put in them.
    pub fn identity_positions<'a>(
        &self,
        loaded: impl IntoIterator<Item = &'a godwit_catalog::QualifiedName>,
    ) -> Vec<String> {
        let loaded: BTreeSet<&godwit_catalog::QualifiedName> = loaded.into_iter().collect();
        let mut out = Vec::new();
        for table in loaded {
            let Some(t) = self.catalog.table(table) else {
                continue;
            };
            for column in t.columns.iter().filter(|c| c.identity.is_some()) {
                let col = godwit_catalog::quote_ident(&column.name);
                out.push(format!(
                    "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), max({col})) FROM {table} HAVING max({col}) IS NOT NULL",
                    expr::literal(&table.to_string()),
                    expr::literal(&column.name)
                ));
            }
        }
        out
    }

    /// The PostgreSQL script: one block per object, headed by a comment naming the Oracle object, where
    /// it was defined and its findings; data between the tables and their keys.
    pub fn to_sql(&self, options: &Options) -> String {
        let script = godwit_postgres::render(&self.catalog);
        let reports: BTreeMap<(String, String), &ObjectReport> = self
            .objects
            .iter()
            .map(|o| ((o.kind.clone(), o.name.clone()), o))
            .collect();
        let mut headed: BTreeSet<ObjectRef> = BTreeSet::new();
        let (converted, with_findings, not_converted) = self.status_counts();
        let mut out = String::new();
        let _ = writeln!(out, "-- Converted from Oracle by Godwit");
        let _ = writeln!(out, "-- objects: {converted} converted, {with_findings} converted with findings, {not_converted} not converted");
        out.push_str("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSET check_function_bodies = false;\n");
        if options.default_schema != "public" {
            let _ = writeln!(
                out,
                "CREATE SCHEMA IF NOT EXISTS {};",
                godwit_catalog::quote_ident(&options.default_schema)
            );
            let _ = writeln!(
                out,
                "SET search_path TO {}, public;",
                godwit_catalog::quote_ident(&options.default_schema)
            );
        }
        let helpers = compat::definitions(&self.helpers);
        if !helpers.is_empty() {
            let _ = write!(out, "\n-- ===== compatibility helpers (Oracle built-ins with no exact PostgreSQL equivalent) =====\n\n");
            for h in helpers {
                out.push_str(&h);
                out.push_str(";\n\n");
            }
        }
        let header = |out: &mut String, object: &ObjectRef, headed: &mut BTreeSet<ObjectRef>| {
            let Some(kind) = report_kind(object.kind) else {
                return;
            };
            if !headed.insert(object.clone()) {
                return;
            }
            let name = godwit_catalog::QualifiedName::new(&object.schema, &object.name).to_string();
            let plain = format!("{}.{}", object.schema, object.name);
            if let Some(report) = reports.get(&(kind.to_string(), plain)).or_else(|| {
                reports.get(&(
                    "SYNONYM".to_string(),
                    format!("{}.{}", object.schema, object.name),
                ))
            }) {
                let _ = writeln!(
                    out,
                    "-- {kind} {name} (Oracle: {}:{})",
                    report.file.display(),
                    report.line
                );
                for f in &report.findings {
                    out.push_str(&comment_lines(&format!(
                        "{} {}: {}",
                        f.severity.label(),
                        f.id,
                        f.message
                    )));
                }
            }
        };
        for phase in Phase::ALL {
            let statements: Vec<_> = script.phase(phase).collect();
            if !statements.is_empty() {
                let _ = write!(out, "\n-- ===== {} =====\n\n", phase.title());
            }
            for s in statements {
                header(&mut out, &s.object, &mut headed);
                out.push_str(&s.sql);
                out.push_str(";\n\n");
            }
            if phase == Phase::PreData && !self.data.is_empty() {
                out.push_str("\n-- ===== data =====\n\n");
                let mut last_table = None;
                for d in &self.data {
                    if last_table != Some(&d.table) {
                        let _ = writeln!(
                            out,
                            "-- data for {} (Oracle: {}:{})",
                            d.table,
                            d.file.display(),
                            d.line
                        );
                        last_table = Some(&d.table);
                    }
                    out.push_str(&d.sql);
                    out.push_str(";\n");
                }
                for position in self.identity_positions(self.data.iter().map(|d| &d.table)) {
                    out.push_str(&position);
                    out.push_str(";\n");
                }
            }
        }
        let skipped: Vec<&ObjectReport> = self
            .objects
            .iter()
            .filter(|o| o.status == Status::NotConverted)
            .collect();
        if !skipped.is_empty() {
            out.push_str("\n-- ===== not converted =====\n\n");
            for o in skipped {
                let _ = writeln!(
                    out,
                    "-- {} {} (Oracle: {}:{})",
                    o.kind,
                    o.name,
                    o.file.display(),
                    o.line
                );
                for f in &o.findings {
                    out.push_str(&comment_lines(&format!(
                        "{} {}: {} ({})",
                        f.severity.label(),
                        f.id,
                        f.message,
                        f.suggestion
                    )));
                }
            }
        }
        out
    }

    /// The PostgreSQL statements converted from one reported object, as they appear in the script;
    /// `None` when it produced none (not converted, or a statement that only adjusts others).
    pub fn postgres_sql(&self, object: &ObjectReport) -> Option<String> {
        let (schema, name) = object.name.split_once('.')?;
        if object.kind == "DATA" {
            let table = name.trim_matches('"');
            let statements: Vec<String> = self
                .data
                .iter()
                .filter(|d| d.table.schema == schema && d.table.name == table)
                .map(|d| format!("{};\n", d.sql))
                .collect();
            return (!statements.is_empty()).then(|| statements.concat());
        }
        let kind = match object.kind.as_str() {
            "TABLE" => ObjectKind::Table,
            "VIEW" | "SYNONYM" => ObjectKind::View,
            "MATERIALIZED VIEW" => ObjectKind::MaterializedView,
            "SEQUENCE" => ObjectKind::Sequence,
            "TYPE" => ObjectKind::Type,
            "INDEX" => ObjectKind::Index,
            _ => return None,
        };
        if object.status == Status::NotConverted {
            return None;
        }
        godwit_postgres::object_ddl(
            &self.catalog,
            &ObjectRef {
                kind,
                schema: schema.to_string(),
                name: name.to_string(),
            },
        )
    }

    /// The report as JSON: every object with its status and findings, and totals.
    pub fn report_json(&self) -> serde_json::Value {
        let (converted, with_findings, not_converted) = self.status_counts();
        serde_json::json!({
            "summary": {
                "objects": self.objects.len(),
                "converted": converted,
                "converted_with_findings": with_findings,
                "not_converted": not_converted,
                "data_statements": self.data.len(),
                "data_rows": self.data.iter().map(|d| d.rows).sum::<usize>(),
            },
            "objects": self.objects,
        })
    }
}
