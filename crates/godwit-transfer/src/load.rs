//! The load around the data: user triggers disabled on the target tables while rows arrive and
//! enabled again afterwards (also after a failure or a cancel, and by a resumed run), and owned or
//! identity sequences set past the copied rows once they are in.
//!
//! Disabled triggers are recorded in `godwit_copy.triggers` on the target, in the transaction that
//! disables them, with the state each had (enabled, `REPLICA`, `ALWAYS`): a run killed while they
//! are off leaves the record, and the resumed run restores exactly those, as they were.

use crate::*;

/// What the load did besides copying rows, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadSteps {
    /// Foreign keys added `NOT VALID` after the data and then validated (`table.constraint`),
    /// by this invocation.
    pub foreign_keys_validated: Vec<String>,
    /// Owned and identity sequences set past the copied rows: `sequence = last value`.
    pub sequences: Vec<String>,
    /// User triggers disabled during the load and enabled again afterwards (`table.trigger`).
    pub triggers_disabled: Vec<String>,
}

/// `unnest` arguments selecting tables by schema and name.
fn names(tables: &[QualifiedName]) -> (Vec<String>, Vec<String>) {
    tables
        .iter()
        .map(|t| (t.schema.clone(), t.name.clone()))
        .unzip()
}

/// Disables every enabled user trigger of `tables` on the target, recording each with its state
/// for the run (a trigger the run recorded before keeps its first record). Returns them as
/// `table.trigger`.
pub(crate) async fn disable_triggers(
    target: &Client,
    run_id: &str,
    tables: &[QualifiedName],
) -> Result<Vec<String>, CopyError> {
    let (schemas, tables) = names(tables);
    let failed = query_error("disabling the target tables' triggers");
    in_transaction(target, async {
        let rows = target
            .query(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), t.tgname::text, t.tgenabled::text
                   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
                    AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                  ORDER BY 1, 2",
                &[&schemas, &tables],
            )
            .await?;
        let mut disabled = Vec::new();
        for row in rows {
            let (table, trigger, state): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            target
                .execute(
                    "INSERT INTO godwit_copy.triggers (run_id, table_name, trigger_name, enabled) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&run_id, &table, &trigger, &state],
                )
                .await?;
            target
                .batch_execute(&format!(
                    "ALTER TABLE {table} DISABLE TRIGGER {}",
                    quote_ident(&trigger)
                ))
                .await?;
            disabled.push(format!("{table}.{}", quote_ident(&trigger)));
        }
        Ok(disabled)
    })
    .await
    .map_err(failed)
}

/// Enables again, as they were, the triggers the run disabled (those still there), and forgets
/// them, in one transaction. Returns them as `table.trigger`.
pub(crate) async fn restore_triggers(
    target: &Client,
    run_id: &str,
) -> Result<Vec<String>, CopyError> {
    let failed = query_error("enabling the target tables' triggers again");
    let recorded: bool = target
        .query_one(
            "SELECT to_regclass('godwit_copy.triggers') IS NOT NULL",
            &[],
        )
        .await
        .map_err(&failed)?
        .get(0);
    if !recorded {
        return Ok(Vec::new());
    }
    in_transaction(target, async {
        let rows = target
            .query(
                "SELECT g.table_name, g.trigger_name, g.enabled FROM godwit_copy.triggers g
                  WHERE g.run_id = $1
                    AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = to_regclass(g.table_name) AND t.tgname = g.trigger_name)
                  ORDER BY 1, 2",
                &[&run_id],
            )
            .await?;
        let mut enabled = Vec::new();
        for row in rows {
            let (table, trigger, state): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            let mode = match state.as_str() {
                "R" => "REPLICA ",
                "A" => "ALWAYS ",
                _ => "",
            };
            target
                .batch_execute(&format!(
                    "ALTER TABLE {table} ENABLE {mode}TRIGGER {}",
                    quote_ident(&trigger)
                ))
                .await?;
            enabled.push(format!("{table}.{}", quote_ident(&trigger)));
        }
        target
            .execute(
                "DELETE FROM godwit_copy.triggers WHERE run_id = $1",
                &[&run_id],
            )
            .await?;
        Ok(enabled)
    })
    .await
    .map_err(failed)
}

/// After a run failed or was stopped: enables the triggers it disabled on a connection of its
/// own, waiting at most 10 s for locks. What it cannot do is logged: the record stays, and
/// resuming the run restores them.
pub(crate) async fn restore_triggers_after_failure(target_url: &str, run_id: &str) {
    let restored = async {
        let target = connect("target", target_url).await?;
        target
            .batch_execute("SET lock_timeout = '10s'")
            .await
            .map_err(query_error("setting a lock timeout"))?;
        restore_triggers(&target, run_id).await
    }
    .await;
    match restored {
        Ok(triggers) if !triggers.is_empty() => {
            tracing::info!(run_id, triggers = ?triggers, "the target's triggers are enabled again")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(
            run_id,
            error = %e,
            "the target's triggers disabled by the run are still disabled; resuming the run enables them"
        ),
    }
}

/// The owned (serial) and identity sequences of `tables`: schema, table, column, sequence (as
/// regclass text), increment, and last value (`None` when never used or not readable).
const OWNED_SEQUENCES: &str = "SELECT n.nspname::text, t.relname::text, a.attname::text, s.oid::regclass::text, q.seqincrement,
        CASE WHEN has_sequence_privilege(s.oid, 'SELECT,USAGE') THEN pg_catalog.pg_sequence_last_value(s.oid) END
   FROM pg_depend d
   JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
   JOIN pg_sequence q ON q.seqrelid = s.oid
   JOIN pg_class t ON t.oid = d.refobjid
   JOIN pg_namespace n ON n.oid = t.relnamespace
   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    AND (n.nspname, t.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY 1, 2, 3";

/// Sets each owned or identity sequence of `tables` on the target past the copied rows: to the
/// largest of the source sequence's last value (same table and column), the target's own, and
/// the column's maximum on the target (the smallest of them, and the minimum, for descending
/// sequences). A sequence never moves back. Returns `sequence = value` for each one set.
pub(crate) async fn advance_sequences(
    source: &Client,
    target: &Client,
    tables: &[QualifiedName],
) -> Result<Vec<String>, CopyError> {
    let (schemas, names) = names(tables);
    let read = |side: &'static str| query_error(format!("reading the {side}'s sequences"));
    let source_values: BTreeMap<(String, String, String), Option<i64>> = source
        .query(OWNED_SEQUENCES, &[&schemas, &names])
        .await
        .map_err(read("source"))?
        .iter()
        .map(|r| {
            (
                (r.get(0), r.get(1), r.get::<_, String>(2).to_lowercase()),
                r.get(5),
            )
        })
        .collect();
    let owned = target
        .query(OWNED_SEQUENCES, &[&schemas, &names])
        .await
        .map_err(read("target"))?;
    let mut set = Vec::new();
    for r in owned {
        let (schema, table, column, sequence): (String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let (increment, target_value): (i64, Option<i64>) = (r.get(4), r.get(5));
        let source_value = source_values
            .get(&(schema.clone(), table.clone(), column.to_lowercase()))
            .copied()
            .flatten();
        let (pick, extreme) = if increment < 0 {
            ("LEAST", "min")
        } else {
            ("GREATEST", "max")
        };
        let sql = format!(
            "SELECT pg_catalog.setval($1::text::regclass, v, true) FROM (SELECT {pick}($2::bigint, $3::bigint, (SELECT {extreme}(x.{})::bigint FROM {} x)) AS v) s WHERE v IS NOT NULL",
            quote_ident(&column),
            QualifiedName::new(&schema, &table)
        );
        let value: Option<i64> = target
            .query_opt(&sql, &[&sequence, &source_value, &target_value])
            .await
            .map_err(|e| CopyError::Schema {
                statement: format!(
                    "setting sequence {sequence} past the copied rows of {}.{}",
                    QualifiedName::new(&schema, &table),
                    quote_ident(&column)
                ),
                message: db_message(&e),
            })?
            .map(|row| row.get(0));
        if let Some(value) = value {
            set.push(format!("{sequence} = {value}"));
        }
    }
    Ok(set)
}
