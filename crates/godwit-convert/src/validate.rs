//! The last gate before output: every generated PostgreSQL statement goes through PostgreSQL's own
//! parser (libpg_query, through the `pg_query` crate), and every PL/pgSQL body through PostgreSQL's
//! PL/pgSQL parser. A statement it rejects never reaches the script: the catalog element that produced
//! it is removed and its object carries a `GW-PG-SYNTAX` error with the parser's message.

use crate::convert::{Conversion, Status};
use crate::findings::{Finding, Severity};
use godwit_catalog::{quote_ident, ObjectKind, ObjectRef};

/// Statements parsed in one call; a batch that fails is parsed statement by statement.
const BATCH: usize = 256;

/// Why PostgreSQL's parser rejects `sql`, or `None` when it accepts it. `plpgsql` also parses the body
/// of a `LANGUAGE plpgsql` routine.
pub fn syntax_error(sql: &str, plpgsql: bool) -> Option<String> {
    if sql.contains('\0') {
        return Some("the statement contains a NUL byte".into());
    }
    // The raw parser alone (no parse tree handed back): what an accepted statement needs, fast.
    if let Err(e) = pg_query::split_with_parser(sql) {
        return Some(message(e));
    }
    if plpgsql {
        match pg_query::parse_plpgsql(sql) {
            // The body parsed; only libpg_query's JSON dump of it (unused here) is malformed, which
            // happens for some trigger functions.
            Ok(_) | Err(pg_query::Error::InvalidJson(_)) => {}
            // Resolving `%TYPE` or a type in another schema needs a database's catalog, which
            // libpg_query does not have; that is checked on the target instead.
            Err(pg_query::Error::Parse(m)) if m.starts_with("Not implemented") => {}
            // Without a catalog, an array of a composite type the script creates looks like an
            // array of the pseudo-type record: the target decides.
            Err(pg_query::Error::Parse(m)) if m.contains("has pseudo-type _record") => {}
            Err(e) => return Some(format!("in the PL/pgSQL body: {}", message(e))),
        }
    }
    None
}

fn message(e: pg_query::Error) -> String {
    match e {
        pg_query::Error::Parse(m) | pg_query::Error::Split(m) => m,
        other => other.to_string(),
    }
}

/// Indexes (into `statements`) of the statements PostgreSQL's parser rejects. Parses in batches and only
/// looks at single statements inside a batch that fails.
fn rejected(statements: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (b, batch) in statements.chunks(BATCH).enumerate() {
        let joined = batch.iter().map(|s| format!("{s};\n")).collect::<String>();
        if syntax_error(&joined, false).is_none() {
            continue;
        }
        for (i, sql) in batch.iter().enumerate() {
            if let Some(e) = syntax_error(sql, false) {
                out.push((b * BATCH + i, e));
            }
        }
    }
    out
}

/// Checks the conversion's DDL and data with PostgreSQL's parser; drops what it rejects and reports it.
pub(crate) fn check(conversion: &mut Conversion) {
    check_data(conversion);
    // Each round removes at least one catalog element, so this ends; usually it runs once.
    loop {
        let script = godwit_postgres::render(&conversion.catalog);
        let sql: Vec<&str> = script.statements.iter().map(|s| s.sql.as_str()).collect();
        let mut failures = rejected(&sql);
        for (i, s) in script.statements.iter().enumerate() {
            if is_plpgsql_routine(&s.sql) {
                if let Some(e) = syntax_error(&s.sql, true) {
                    if !failures.iter().any(|(k, _)| *k == i) {
                        failures.push((i, e));
                    }
                }
            }
        }
        if failures.is_empty() {
            return;
        }
        for (i, error) in failures {
            let statement = &script.statements[i];
            remove(
                conversion,
                &statement.object,
                &statement.sql,
                &Rejection::PARSER,
                &error,
            );
        }
    }
}

fn is_plpgsql_routine(sql: &str) -> bool {
    let head = sql
        .trim_start()
        .get(..40)
        .unwrap_or(sql)
        .to_ascii_uppercase();
    (head.starts_with("CREATE OR REPLACE FUNCTION")
        || head.starts_with("CREATE FUNCTION")
        || head.starts_with("CREATE OR REPLACE PROCEDURE")
        || head.starts_with("CREATE PROCEDURE"))
        && sql.to_ascii_lowercase().contains("language plpgsql")
}

fn check_data(conversion: &mut Conversion) {
    let sql: Vec<&str> = conversion.data.iter().map(|d| d.sql.as_str()).collect();
    let failures = rejected(&sql);
    if failures.is_empty() {
        return;
    }
    let mut drop = vec![false; conversion.data.len()];
    for (i, error) in failures {
        drop[i] = true;
        let d = &conversion.data[i];
        let finding = Finding {
            id: "GW-PG-SYNTAX",
            severity: Severity::Error,
            file: d.file.clone(),
            line: d.line,
            message: format!(
                "PostgreSQL's parser rejects the converted data statement for {} ({} rows not loaded): {error}",
                d.table, d.rows
            ),
            suggestion: "load these rows by hand, and report the statement as a converter bug"
                .into(),
        };
        let name = format!("{}.{}", d.table.schema, d.table.name);
        match conversion
            .objects
            .iter_mut()
            .find(|o| o.kind == "DATA" && o.name == name)
        {
            Some(report) => {
                if report.status == Status::Converted {
                    report.status = Status::ConvertedWithFindings;
                }
                report.findings.push(finding);
            }
            None => conversion.objects.push(crate::convert::ObjectReport {
                kind: "DATA".into(),
                name,
                file: finding.file.clone(),
                line: finding.line,
                status: Status::NotConverted,
                findings: vec![finding],
                oracle_source: String::new(),
            }),
        }
    }
    let mut k = 0;
    conversion.data.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
    // A data object whose every statement was dropped is not converted.
    for report in conversion.objects.iter_mut().filter(|o| o.kind == "DATA") {
        let still_loaded = conversion
            .data
            .iter()
            .any(|d| format!("{}.{}", d.table.schema, d.table.name) == report.name);
        if !still_loaded && report.findings.iter().any(|f| f.id == "GW-PG-SYNTAX") {
            report.status = Status::NotConverted;
        }
    }
}

/// Data statements for a table that was left out cannot load: they are dropped and reported.
fn drop_data_of(conversion: &mut Conversion, table: &ObjectRef, part: &str, rejection: &Rejection) {
    let name = format!("{}.{}", table.schema, table.name);
    let (dropped, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut conversion.data)
        .into_iter()
        .partition(|d| d.table.schema == table.schema && d.table.name == table.name);
    conversion.data = kept;
    let Some(first) = dropped.first() else {
        return;
    };
    let rows: usize = dropped.iter().map(|d| d.rows).sum();
    if let Some(report) = conversion
        .objects
        .iter_mut()
        .find(|o| o.kind == "DATA" && o.name == name)
    {
        report.status = Status::NotConverted;
        report.findings.push(Finding {
            id: rejection.id,
            severity: Severity::Error,
            file: first.file.clone(),
            line: first.line,
            message: format!(
                "{} data statements ({rows} rows) not loaded: {} rejects the converted {part}",
                dropped.len(),
                rejection.by
            ),
            suggestion: "convert the table by hand, then load its rows".into(),
        });
    }
}

/// What a rejected statement built: a part of a table (index, constraint, trigger), or a whole object.
enum Element {
    Index(String),
    Constraint(String),
    Trigger(String),
    Whole,
}

fn element_of(conversion: &Conversion, object: &ObjectRef, sql: &str) -> Element {
    let head = sql.trim_start().to_ascii_uppercase();
    let Some(table) = conversion
        .catalog
        .schema(&object.schema)
        .and_then(|s| s.tables.iter().find(|t| t.name == object.name))
        .filter(|_| object.kind == ObjectKind::Table)
    else {
        return Element::Whole;
    };
    if head.starts_with("CREATE TABLE") || head.starts_with("CREATE UNLOGGED TABLE") {
        return Element::Whole;
    }
    if let Some(i) = table
        .indexes
        .iter()
        .find(|i| sql.contains(&format!("INDEX {} ON ", quote_ident(&i.name))))
    {
        return Element::Index(i.name.clone());
    }
    if let Some(c) = table
        .constraints
        .iter()
        .find(|c| sql.contains(&format!("CONSTRAINT {} ", quote_ident(&c.name))))
    {
        return Element::Constraint(c.name.clone());
    }
    if let Some(t) = table
        .triggers
        .iter()
        .find(|t| sql.contains(&format!("TRIGGER {} ", quote_ident(&t.name))))
    {
        return Element::Trigger(t.name.clone());
    }
    Element::Whole
}

/// Who refused a statement, for the finding that reports it.
pub(crate) struct Rejection {
    /// Finding id.
    pub id: &'static str,
    /// Subject of the finding's sentence, e.g. "PostgreSQL's parser".
    pub by: &'static str,
    pub suggestion: &'static str,
}

impl Rejection {
    pub const PARSER: Rejection = Rejection {
        id: "GW-PG-SYNTAX",
        by: "PostgreSQL's parser",
        suggestion: "convert it by hand, and report the statement as a converter bug",
    };
}

/// Removes the catalog element that produced `sql` (and what cannot exist without it) and reports
/// why on its object.
pub(crate) fn remove(
    conversion: &mut Conversion,
    object: &ObjectRef,
    sql: &str,
    rejection: &Rejection,
    error: &str,
) {
    let element = element_of(conversion, object, sql);
    let first_line = sql.lines().next().unwrap_or("").trim();
    let (part, report_key) = match &element {
        Element::Index(n) => (format!("index {n}"), None),
        Element::Constraint(n) => (format!("constraint {n}"), None),
        Element::Trigger(n) => (
            format!("trigger {n}"),
            Some(("TRIGGER", format!("{}.{n}", object.schema))),
        ),
        Element::Whole => (format!("{} {}", object.kind.label(), object.name), None),
    };
    let Some(schema) = conversion
        .catalog
        .schemas
        .iter_mut()
        .find(|s| s.name == object.schema)
    else {
        return;
    };
    match (&element, object.kind) {
        (Element::Index(n), _) => {
            for t in schema.tables.iter_mut().filter(|t| t.name == object.name) {
                t.indexes.retain(|i| &i.name != n);
            }
        }
        (Element::Constraint(n), _) => {
            for t in schema.tables.iter_mut().filter(|t| t.name == object.name) {
                t.constraints.retain(|c| &c.name != n);
            }
        }
        (Element::Trigger(n), _) => {
            for t in schema.tables.iter_mut().filter(|t| t.name == object.name) {
                t.triggers.retain(|x| &x.name != n);
            }
        }
        (Element::Whole, ObjectKind::Table) => {
            schema.tables.retain(|t| t.name != object.name);
            drop_data_of(conversion, object, &part, rejection);
        }
        (Element::Whole, ObjectKind::View | ObjectKind::MaterializedView) => {
            schema.views.retain(|v| v.name != object.name)
        }
        (Element::Whole, ObjectKind::Routine) => {
            schema.routines.retain(|r| r.name != object.name);
            // A trigger that calls the routine goes with it.
            for t in schema.tables.iter_mut() {
                t.triggers.retain(|x| {
                    !(x.function.schema == object.schema && x.function.name == object.name)
                });
            }
        }
        (Element::Whole, ObjectKind::Sequence) => {
            schema.sequences.retain(|s| s.name != object.name)
        }
        (Element::Whole, ObjectKind::Type) => schema.types.retain(|t| t.name() != object.name),
        (Element::Whole, ObjectKind::Schema) => {
            let name = object.name.clone();
            conversion.catalog.schemas.retain(|s| s.name != name);
        }
        (Element::Whole, _) => {}
    }
    let plain = format!("{}.{}", object.schema, object.name);
    let whole = matches!(element, Element::Whole);
    let index = conversion.objects.iter().position(|o| match &report_key {
        Some((kind, name)) => o.kind == *kind && &o.name == name,
        None => o.name == plain && o.kind != "DATA",
    });
    // A trigger function is reported under its trigger.
    let index = index.or_else(|| {
        conversion
            .objects
            .iter()
            .position(|o| o.kind == "TRIGGER" && o.oracle_source.is_empty() && o.name == plain)
    });
    let finding = |file, line| Finding {
        id: rejection.id,
        severity: Severity::Error,
        file,
        line,
        message: format!(
            "{} rejects the converted {part} ({first_line} …): {error}; it is left out",
            rejection.by
        ),
        suggestion: rejection.suggestion.into(),
    };
    match index {
        Some(i) => {
            let report = &mut conversion.objects[i];
            let f = finding(report.file.clone(), report.line);
            report.findings.push(f);
            if whole || report.status == Status::NotConverted {
                report.status = Status::NotConverted;
            } else {
                report.status = Status::ConvertedWithFindings;
            }
        }
        None => {
            let f = finding(Default::default(), 0);
            conversion.objects.push(crate::convert::ObjectReport {
                kind: object.kind.label().to_ascii_uppercase(),
                name: plain,
                file: Default::default(),
                line: 0,
                status: Status::NotConverted,
                findings: vec![f],
                oracle_source: String::new(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_sql_and_names_the_error_in_invalid_sql() {
        assert_eq!(syntax_error("SELECT 1 FROM t WHERE a = 1", false), None);
        let e = syntax_error("SELECT 1 FROM WHERE", false).unwrap();
        assert!(e.contains("syntax error at or near \"WHERE\""), "{e}");
        assert!(syntax_error("SELECT 'a\0'", false).unwrap().contains("NUL"));
    }

    #[test]
    fn parses_plpgsql_bodies_of_functions_and_procedures() {
        let good = "CREATE OR REPLACE FUNCTION f(a integer) RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\n  IF a > 0 THEN RETURN a; END IF;\n  RETURN 0;\nEND;\n$$";
        assert_eq!(syntax_error(good, true), None);
        let bad = good.replace("END IF;", "");
        let e = syntax_error(&bad, true).unwrap();
        assert!(e.starts_with("in the PL/pgSQL body:"), "{e}");
        let procedure = "CREATE OR REPLACE PROCEDURE p(a integer) LANGUAGE plpgsql AS $$\nBEGIN\n  LOOP EXIT; END;\nEND;\n$$";
        assert!(syntax_error(procedure, true).is_some());
        let trigger = "CREATE OR REPLACE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.a := 1;\n  RETURN NEW;\nEND;\n$$";
        assert_eq!(syntax_error(trigger, true), None);
        let anchored = "CREATE OR REPLACE PROCEDURE p(a t.c%TYPE) LANGUAGE plpgsql AS $$\nBEGIN\n  NULL;\nEND;\n$$";
        assert_eq!(syntax_error(anchored, true), None);
    }

    #[test]
    fn a_failing_batch_is_narrowed_to_its_bad_statements() {
        let statements: Vec<String> = (0..600)
            .map(|i| {
                if i == 17 || i == 400 {
                    format!("INSERT INTO t VALUES ({i},)")
                } else {
                    format!("INSERT INTO t VALUES ({i})")
                }
            })
            .collect();
        let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
        let bad: Vec<usize> = rejected(&refs).into_iter().map(|(i, _)| i).collect();
        assert_eq!(bad, vec![17, 400]);
    }
}
