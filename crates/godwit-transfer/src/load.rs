//! The load around the data: user triggers disabled on the target tables while rows arrive and
//! enabled again afterwards (also after a failure or a cancel, and by a resumed run); existing
//! tables loaded without their secondary indexes and foreign keys, which come back after the
//! data; and owned or identity sequences set past the copied rows once they are in.
//!
//! Disabled triggers are recorded in `godwit_copy.triggers` on the target, in the transaction that
//! disables them, with the state each had (enabled, `REPLICA`, `ALWAYS`): a run killed while they
//! are off leaves the record, and the resumed run restores exactly those, as they were.
//!
//! Deferred indexes and foreign keys are recorded the same way, in `godwit_copy.deferred`, as the
//! target wrote them (`pg_get_indexdef`, `pg_get_constraintdef` under an empty search path, so every
//! name is qualified), in the transaction that drops them. Each one recreated leaves the record in
//! its own transaction: a run killed anywhere recreates, when resumed, exactly what is left of it.

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
    /// Secondary indexes (`index name`) and foreign keys (`foreign key table.constraint`) of
    /// existing target tables dropped for the load and recreated after it, by this invocation.
    #[serde(default)]
    pub recreated: Vec<String>,
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

/// The step recorded with the drops of a run's deferred indexes and foreign keys: a resumed run
/// that finds it drops nothing more.
const DEFERRED_STEP: &str = "deferred secondary indexes and foreign keys";

/// The secondary indexes of the selected tables (`unnest` of schemas and names) that a load can go
/// without: table, index (both quoted and qualified), definition, tablespace and comment. Kept:
/// unique ones (they guard the rows as they arrive) and those a constraint uses (keys, exclusion
/// constraints, the unique index a foreign key references), those of a partition attached to the
/// parent's index, invalid ones, the replica identity, the clustered one, and those with something
/// depending on them or a column statistics target (dropping would lose what the definition does
/// not say).
const DEFERRABLE_INDEXES: &str = "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname),
        quote_ident(n.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid),
        s.spcname::text, obj_description(i.indexrelid, 'pg_class')
   FROM pg_index i
   JOIN pg_class ic ON ic.oid = i.indexrelid
   JOIN pg_class t ON t.oid = i.indrelid AND t.relkind = 'r'
   JOIN pg_namespace n ON n.oid = t.relnamespace
   LEFT JOIN pg_tablespace s ON s.oid = ic.reltablespace
  WHERE (n.nspname, t.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
    AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
    AND i.indisvalid AND i.indisready AND NOT i.indisreplident AND NOT i.indisclustered
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass
                       AND d.refobjid = i.indexrelid AND d.deptype = 'n')
    AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0)
  ORDER BY 1, 2";

/// The foreign keys of the selected tables (each row they get is checked against the referenced
/// table): table (quoted, qualified), name (quoted), definition and comment. Those a partition
/// inherits from its parent stay (they cannot be dropped alone).
const DEFERRABLE_FOREIGN_KEYS: &str =
    "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname),
        quote_ident(c.conname), pg_get_constraintdef(c.oid), obj_description(c.oid, 'pg_constraint')
   FROM pg_constraint c
   JOIN pg_class t ON t.oid = c.conrelid AND t.relkind = 'r'
   JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE c.contype = 'f' AND c.conparentid = 0
    AND (n.nspname, t.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY 1, 2";

/// Drops the secondary indexes and foreign keys of `tables` on the target for the load, recording
/// each definition in `godwit_copy.deferred` in the same transaction (see [`DEFERRABLE_INDEXES`]
/// for what stays). A run that did so before (killed, then resumed) drops nothing more. Returns
/// what it dropped now, as [`LoadSteps::recreated`] names it.
pub(crate) async fn defer_indexes(
    target: &Client,
    run_id: &str,
    tables: &[QualifiedName],
) -> Result<Vec<String>, CopyError> {
    let (schemas, names) = names(tables);
    in_transaction(target, async {
        let done: bool = target
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM godwit_copy.steps WHERE run_id = $1 AND step = $2)",
                &[&run_id, &DEFERRED_STEP],
            )
            .await?
            .get(0);
        if done {
            return Ok(Vec::new());
        }
        // Definitions with every name qualified, whatever the search path they are replayed under.
        target
            .batch_execute("SET LOCAL search_path = pg_catalog")
            .await?;
        let mut dropped = Vec::new();
        let record = "INSERT INTO godwit_copy.deferred (run_id, kind, table_name, name, definition, tablespace, comment)
                      VALUES ($1, $2, $3, $4, $5, $6, $7)";
        for row in target
            .query(DEFERRABLE_FOREIGN_KEYS, &[&schemas, &names])
            .await?
        {
            let (table, name, definition, comment): (String, String, String, Option<String>) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            target
                .execute(
                    record,
                    &[&run_id, &"foreign key", &table, &name, &definition, &None::<String>, &comment],
                )
                .await?;
            target
                .batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .await?;
            dropped.push(format!("foreign key {table}.{name}"));
        }
        for row in target.query(DEFERRABLE_INDEXES, &[&schemas, &names]).await? {
            let (table, name, definition, tablespace, comment): (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
            ) = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
            target
                .execute(
                    record,
                    &[&run_id, &"index", &table, &name, &definition, &tablespace, &comment],
                )
                .await?;
            target.batch_execute(&format!("DROP INDEX {name}")).await?;
            dropped.push(format!("index {name}"));
        }
        target
            .execute(
                "INSERT INTO godwit_copy.steps (run_id, step) VALUES ($1, $2)",
                &[&run_id, &DEFERRED_STEP],
            )
            .await?;
        Ok(dropped)
    })
    .await
    .map_err(|e| CopyError::Query {
        what: "dropping the target tables' secondary indexes and foreign keys for the load (nothing was dropped)".into(),
        message: db_message_detail(&e),
    })
}

/// A deferred index or foreign key as `godwit_copy.deferred` records it.
struct DeferredObject {
    foreign_key: bool,
    table: String,
    name: String,
    definition: String,
    tablespace: Option<String>,
    comment: Option<String>,
    /// A foreign key added back `NOT VALID`, still to validate.
    added: bool,
}

impl DeferredObject {
    /// The condition selecting its record.
    fn record(&self, run_id: &str) -> String {
        format!(
            "run_id = {} AND kind = {} AND table_name = {} AND name = {}",
            literal(run_id),
            literal(if self.foreign_key {
                "foreign key"
            } else {
                "index"
            }),
            literal(&self.table),
            literal(&self.name)
        )
    }

    /// The statement that forgets its record, in the transaction that recreates it (or its last step).
    fn forget(&self, run_id: &str) -> String {
        format!(
            "DELETE FROM godwit_copy.deferred WHERE {}",
            self.record(run_id)
        )
    }

    /// How the report and errors name it.
    fn describe(&self) -> String {
        if self.foreign_key {
            format!("foreign key {}.{}", self.table, self.name)
        } else {
            format!("index {}", self.name)
        }
    }
}

/// Recreates what the run deferred and has not recreated yet (whatever this invocation was
/// asked): indexes `jobs` at once, each with its tablespace and comment; foreign keys added `NOT
/// VALID` one after another (see [`post_data`]), then validated `jobs` at once. A foreign key the
/// target held `NOT VALID` comes back so. Each step, with the change to its record, is one
/// transaction. Returns what it recreated, and the foreign keys it validated (`table.constraint`).
/// A foreign key the copied rows violate stops the run with [`CopyError::ForeignKeyViolated`]: it
/// stays on the target `NOT VALID`, and its record says so.
pub(crate) async fn recreate_deferred(
    target_url: &str,
    target: &Client,
    run_id: &str,
    jobs: usize,
) -> Result<(Vec<String>, Vec<String>), CopyError> {
    let deferred: Vec<DeferredObject> = target
        .query(
            "SELECT kind = 'foreign key', table_name, name, definition, tablespace, comment, added
               FROM godwit_copy.deferred WHERE run_id = $1 ORDER BY kind DESC, table_name, name",
            &[&run_id],
        )
        .await
        .map_err(query_error(
            "reading the target's deferred indexes and foreign keys",
        ))?
        .iter()
        .map(|r| DeferredObject {
            foreign_key: r.get(0),
            table: r.get(1),
            name: r.get(2),
            definition: r.get(3),
            tablespace: r.get(4),
            comment: r.get(5),
            added: r.get(6),
        })
        .collect();
    if deferred.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // What each statement recreates, for its error.
    let mut statements: BTreeMap<String, (String, String)> = BTreeMap::new();
    let (mut indexes, mut adds, mut validations) = (Vec::new(), Vec::new(), Vec::new());
    let mut recreated = Vec::new();
    let mut validated = Vec::new();
    for d in &deferred {
        let comment = |on: &str| {
            d.comment
                .as_ref()
                .map(|c| format!("COMMENT ON {on} IS {};\n", literal(c)))
                .unwrap_or_default()
        };
        if !d.foreign_key {
            let tablespace = d
                .tablespace
                .as_ref()
                .map(|t| format!("SET LOCAL default_tablespace = {};\n", quote_ident(t)))
                .unwrap_or_default();
            let sql = format!(
                "{tablespace}{};\n{}{}",
                d.definition,
                comment(&format!("INDEX {}", d.name)),
                d.forget(run_id)
            );
            statements.insert(sql.clone(), (d.describe(), d.definition.clone()));
            indexes.push(vec![sql]);
            recreated.push(d.describe());
            continue;
        }
        let stays_not_valid = d.definition.ends_with(" NOT VALID");
        if !d.added {
            let add = format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}{}",
                d.table,
                d.name,
                d.definition,
                if stays_not_valid { "" } else { " NOT VALID" }
            );
            let sql = format!(
                "{add};\n{}{}",
                comment(&format!("CONSTRAINT {} ON {}", d.name, d.table)),
                if stays_not_valid {
                    d.forget(run_id)
                } else {
                    format!(
                        "UPDATE godwit_copy.deferred SET added = true WHERE {}",
                        d.record(run_id)
                    )
                }
            );
            statements.insert(sql.clone(), (d.describe(), add));
            adds.push(vec![sql]);
        }
        if !stays_not_valid {
            let validate = format!("ALTER TABLE {} VALIDATE CONSTRAINT {}", d.table, d.name);
            let sql = format!("{validate};\n{}", d.forget(run_id));
            statements.insert(sql.clone(), (d.describe(), validate));
            validations.push(vec![sql]);
            validated.push(format!("{}.{}", d.table, d.name));
        }
        recreated.push(d.describe());
    }
    let statements = Arc::new(statements);
    let fail: StatementError = {
        let run_id = run_id.to_string();
        Arc::new(move |sql, e| {
            let (what, statement) = statements.get(sql).cloned().unwrap_or_default();
            foreign_key_violation(&statement, &e, &run_id).unwrap_or_else(|| CopyError::Deferred {
                what,
                statement,
                message: db_message_detail(&e),
                run_id: run_id.clone(),
            })
        })
    };
    in_parallel(target_url, target, run_id, indexes, jobs, fail.clone()).await?;
    // One at a time: two at once could deadlock on tables that reference each other.
    in_parallel(target_url, target, run_id, adds, 1, fail.clone()).await?;
    in_parallel(target_url, target, run_id, validations, jobs, fail).await?;
    Ok((recreated, validated))
}
