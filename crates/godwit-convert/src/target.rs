//! The check on the target: the converted script is executed on a real PostgreSQL inside one
//! transaction that is always rolled back, with `check_function_bodies` on and, where the server has it,
//! every PL/pgSQL routine passed through `plpgsql_check`. A statement the server refuses, or a routine
//! with a `plpgsql_check` error, is left out of the script and reported on its object with the server's
//! message (`GW-PG-TARGET`, `GW-PG-CHECK`); what depended on it is checked again without it.
//!
//! Nothing is left behind on the target: every statement runs under a savepoint inside the rolled-back
//! transaction. Data statements are not executed (they cannot make a routine invalid and would only
//! cost time). An empty database is the best target: objects that already exist there collide with
//! the script's CREATE statements and are reported as such.

use crate::convert::{Conversion, Options};
use crate::validate::{remove, Rejection};
use godwit_catalog::{quote_ident, ObjectKind, ObjectRef};
use godwit_postgres::Phase;
use std::collections::BTreeMap;
use tokio_postgres::Client;

const SERVER: Rejection = Rejection {
    id: "GW-PG-TARGET",
    by: "the target PostgreSQL (in a rolled-back transaction)",
    suggestion: "fix the converted statement by hand (the message is the server's own)",
};

const PLPGSQL_CHECK: Rejection = Rejection {
    id: "GW-PG-CHECK",
    by: "plpgsql_check on the target",
    suggestion: "fix the routine's body by hand (the message is plpgsql_check's own)",
};

/// What the check on the target did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetCheck {
    /// Statements executed in the last (clean) round.
    pub statements: usize,
    /// PL/pgSQL routines passed through plpgsql_check in the last round.
    pub routines_checked: usize,
    /// Statements or routines left out, over all rounds.
    pub rejected: usize,
    /// Whether the server has the plpgsql_check extension; without it only `check_function_bodies`
    /// (PostgreSQL's own PL/pgSQL parser, no name resolution in SQL statements) checks the bodies.
    pub plpgsql_check: bool,
}

/// Why the check could not run at all (the connection, not the converted SQL).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("the target PostgreSQL refused the check: {0}")]
    Server(String),
}

fn server_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(d) = db.detail() {
                m.push_str(&format!("; {d}"));
            }
            m
        }
        None => e.to_string(),
    }
}

/// Runs the converted script on `client`'s database in a rolled-back transaction until every statement
/// is accepted, leaving out and reporting what the server or plpgsql_check refuses.
pub async fn check_on_target(
    client: &mut Client,
    conversion: &mut Conversion,
    options: &Options,
) -> Result<TargetCheck, TargetError> {
    let mut result = TargetCheck::default();
    // Each round removes at least one catalog element, so this ends.
    loop {
        let round = run_round(client, conversion, options).await?;
        result.plpgsql_check = round.plpgsql_check;
        result.statements = round.statements;
        result.routines_checked = round.routines_checked;
        if round.failures.is_empty() {
            return Ok(result);
        }
        for (object, sql, rejection, error) in round.failures {
            remove(conversion, &object, &sql, rejection, &error);
            result.rejected += 1;
        }
    }
}

struct Round {
    statements: usize,
    routines_checked: usize,
    plpgsql_check: bool,
    failures: Vec<(ObjectRef, String, &'static Rejection, String)>,
}

async fn run_round(
    client: &mut Client,
    conversion: &Conversion,
    options: &Options,
) -> Result<Round, TargetError> {
    let tx = client
        .transaction()
        .await
        .map_err(|e| TargetError::Server(server_error(&e)))?;
    let fatal = |e: tokio_postgres::Error| TargetError::Server(server_error(&e));
    let mut prelude = String::from("SET LOCAL check_function_bodies = on;\n");
    if options.default_schema != "public" {
        let schema = quote_ident(&options.default_schema);
        prelude.push_str(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema};\nSET LOCAL search_path TO {schema}, public;\n"
        ));
    }
    for helper in crate::compat::definitions(&conversion.helpers) {
        prelude.push_str(&helper);
        prelude.push_str(";\n");
    }
    tx.batch_execute(&prelude).await.map_err(fatal)?;
    let plpgsql_check = tx
        .batch_execute(
            "SAVEPOINT godwit_ext; CREATE EXTENSION IF NOT EXISTS plpgsql_check; RELEASE godwit_ext;",
        )
        .await
        .is_ok();
    if !plpgsql_check {
        tx.batch_execute("ROLLBACK TO SAVEPOINT godwit_ext")
            .await
            .map_err(fatal)?;
    }

    let script = godwit_postgres::render(&conversion.catalog);
    let mut failures = Vec::new();
    let mut statements = 0;
    for statement in &script.statements {
        if statement.phase == Phase::SequencePositions {
            continue;
        }
        statements += 1;
        tx.batch_execute("SAVEPOINT godwit_statement")
            .await
            .map_err(fatal)?;
        match tx.batch_execute(&statement.sql).await {
            Ok(()) => tx.batch_execute("RELEASE SAVEPOINT godwit_statement").await,
            Err(e) => {
                failures.push((
                    statement.object.clone(),
                    statement.sql.clone(),
                    &SERVER,
                    server_error(&e),
                ));
                tx.batch_execute("ROLLBACK TO SAVEPOINT godwit_statement")
                    .await
            }
        }
        .map_err(fatal)?;
    }

    let mut routines_checked = 0;
    if plpgsql_check && failures.is_empty() {
        let schemas: Vec<String> = conversion
            .catalog
            .schemas
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let routines = tx
            .query(
                "SELECT p.oid, n.nspname, p.proname,
                        (SELECT t.tgrelid FROM pg_trigger t WHERE t.tgfoid = p.oid LIMIT 1),
                        p.prorettype = 'trigger'::regtype
                   FROM pg_proc p
                   JOIN pg_namespace n ON n.oid = p.pronamespace
                   JOIN pg_language l ON l.oid = p.prolang
                  WHERE l.lanname = 'plpgsql' AND n.nspname = ANY($1)
                  ORDER BY n.nspname, p.proname, p.oid",
                &[&schemas],
            )
            .await
            .map_err(fatal)?;
        // One error per routine is enough to leave it out; the first is the one to fix first.
        let mut errors: BTreeMap<(String, String), String> = BTreeMap::new();
        for row in routines {
            let oid: u32 = row.get(0);
            let schema: String = row.get(1);
            let name: String = row.get(2);
            let relation: Option<u32> = row.get(3);
            let is_trigger: bool = row.get(4);
            if is_trigger && relation.is_none() {
                continue; // plpgsql_check needs the table a trigger function runs on.
            }
            routines_checked += 1;
            tx.batch_execute("SAVEPOINT godwit_check")
                .await
                .map_err(fatal)?;
            let found = tx
                .query(
                    "SELECT lineno, message, detail, query
                       FROM plpgsql_check_function_tb($1::oid::regprocedure, $2::oid::regclass)
                      WHERE level = 'error'
                      LIMIT 1",
                    &[&oid, &relation.unwrap_or(0)],
                )
                .await;
            let undo = if found.is_ok() {
                "RELEASE SAVEPOINT godwit_check"
            } else {
                "ROLLBACK TO SAVEPOINT godwit_check"
            };
            tx.batch_execute(undo).await.map_err(fatal)?;
            let message = match found {
                Ok(rows) => rows.first().map(|r| {
                    let line: Option<i32> = r.get(0);
                    let message: String = r.get(1);
                    let detail: Option<String> = r.get(2);
                    let query: Option<String> = r.get(3);
                    let mut m = message;
                    if let Some(line) = line {
                        m.push_str(&format!(" (line {line} of the body)"));
                    }
                    if let Some(d) = detail {
                        m.push_str(&format!("; {d}"));
                    }
                    if let Some(q) = query {
                        m.push_str(&format!("; in: {}", q.trim()));
                    }
                    m
                }),
                // plpgsql_check itself failed on this routine: that is an error in the routine too.
                Err(e) => Some(server_error(&e)),
            };
            if let Some(m) = message {
                errors.entry((schema, name)).or_insert(m);
            }
        }
        for ((schema, name), error) in errors {
            let object = ObjectRef {
                kind: ObjectKind::Routine,
                schema,
                name,
            };
            let sql = script
                .statements
                .iter()
                .find(|s| s.object == object)
                .map(|s| s.sql.clone())
                .unwrap_or_default();
            failures.push((object, sql, &PLPGSQL_CHECK, error));
        }
    }
    tx.rollback().await.map_err(fatal)?;
    Ok(Round {
        statements,
        routines_checked,
        plpgsql_check,
        failures,
    })
}
