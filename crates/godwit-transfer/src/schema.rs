//! The target's schema: statements applied as recorded steps, and the check of existing target
//! tables against the source before any row moves.

use crate::*;

/// For each statement, its step key (md5 of its text) unless the run already committed it.
pub(crate) async fn pending_steps<'a>(
    target: &Client,
    run_id: &str,
    statements: Vec<&'a godwit_postgres::DdlStatement>,
) -> Result<Vec<(&'a godwit_postgres::DdlStatement, String)>, CopyError> {
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let keys = step_keys(target, run_id, &texts).await?;
    Ok(statements
        .into_iter()
        .zip(keys)
        .filter_map(|(s, key)| Some((s, key?)))
        .collect())
}

/// Each statement's step key (md5 of its text), `None` for those the run already committed.
pub(crate) async fn step_keys(
    target: &Client,
    run_id: &str,
    texts: &[&str],
) -> Result<Vec<Option<String>>, CopyError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let rows = target
        .query(
            "SELECT md5(u.s), EXISTS (SELECT 1 FROM godwit_copy.steps g WHERE g.run_id = $2 AND g.step = md5(u.s))
               FROM unnest($1::text[]) WITH ORDINALITY AS u(s, i) ORDER BY u.i",
            &[&texts, &run_id],
        )
        .await
        .map_err(query_error("reading the target's schema steps"))?;
    Ok(rows
        .iter()
        .map(|r| (!r.get::<_, bool>(1)).then(|| r.get(0)))
        .collect())
}

/// Runs `work` in a transaction on `client`: committed if it succeeds, rolled back if not.
pub(crate) async fn in_transaction<T>(
    client: &Client,
    work: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        let value = work.await?;
        client.batch_execute("COMMIT").await?;
        Ok(value)
    }
    .await;
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}

/// Runs one schema statement in a transaction that also records it as done for the run.
pub(crate) async fn step(
    client: &Client,
    run_id: &str,
    sql: &str,
    key: &str,
) -> Result<(), tokio_postgres::Error> {
    in_transaction(client, async {
        client.batch_execute(sql).await?;
        client
            .execute(
                "INSERT INTO godwit_copy.steps (run_id, step) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&run_id, &key],
            )
            .await?;
        Ok(())
    })
    .await
}

pub(crate) fn schema_error(sql: &str) -> impl Fn(tokio_postgres::Error) -> CopyError + '_ {
    move |e| CopyError::Schema {
        statement: sql.lines().next().unwrap_or("").to_string(),
        message: db_message(&e),
    }
}

/// Applies schema statements in order, one transaction each, skipping those the run committed before.
pub(crate) async fn apply_steps(
    target: &Client,
    run_id: &str,
    statements: Vec<&godwit_postgres::DdlStatement>,
) -> Result<(), CopyError> {
    for (s, key) in pending_steps(target, run_id, statements).await? {
        step(target, run_id, &s.sql, &key)
            .await
            .map_err(schema_error(&s.sql))?;
    }
    Ok(())
}

/// The post-data statements in the order that loads fastest, each a step of the run (see
/// [`step`]): keys and checks table by table on `jobs` connections at once (each table's in order
/// on one connection); then every index on its own, `jobs` at once (index builds on one table do
/// not block each other); then foreign keys one after another (two at once could deadlock on a pair
/// of tables that reference each other), added `NOT VALID` so that adding one takes no scan; then
/// their validation, `jobs` at once (validating one reads its table under a lock that lets the
/// others go on). A foreign key the source holds `NOT VALID` stays so; one on a partitioned table
/// is validated as it is added (PostgreSQL before 18 cannot add it `NOT VALID`). Returns the foreign
/// keys validated as `table.constraint`.
pub(crate) async fn post_data(
    target_url: &str,
    target: &Client,
    run_id: &str,
    catalog: &Catalog,
    statements: Vec<&godwit_postgres::DdlStatement>,
    jobs: usize,
) -> Result<Vec<String>, CopyError> {
    let mut by_table: Vec<Vec<String>> = Vec::new();
    let mut slots: BTreeMap<&godwit_catalog::ObjectRef, usize> = BTreeMap::new();
    let (mut indexes, mut adds, mut validations) = (Vec::new(), Vec::new(), Vec::new());
    for s in statements {
        if s.sql.contains(" FOREIGN KEY (") {
            let fk = foreign_key_steps(catalog, s);
            validations.extend(fk.validate.clone());
            adds.push(fk);
        } else if s.sql.starts_with("CREATE INDEX ") || s.sql.starts_with("CREATE UNIQUE INDEX ") {
            indexes.push(vec![s.sql.clone()]);
        } else {
            let slot = *slots.entry(&s.object).or_insert_with(|| {
                by_table.push(Vec::new());
                by_table.len() - 1
            });
            by_table[slot].push(s.sql.clone());
        }
    }
    in_parallel(target_url, target, run_id, by_table, jobs, schema_failure()).await?;
    in_parallel(target_url, target, run_id, indexes, jobs, schema_failure()).await?;
    let texts: Vec<&str> = adds.iter().map(|fk| fk.add.as_str()).collect();
    for (fk, key) in adds.iter().zip(step_keys(target, run_id, &texts).await?) {
        let Some(key) = key else { continue };
        // A run begun by an earlier godwit recorded the key's statement in another form.
        if let Some((table, name)) = &fk.constraint {
            let exists: bool = target
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2)",
                    &[&table.to_string(), name],
                )
                .await
                .map_err(query_error(format!("looking for foreign key {name} on {table}")))?
                .get(0);
            if exists {
                continue;
            }
        }
        step(target, run_id, &fk.add, &key)
            .await
            .map_err(schema_error(&fk.add))?;
    }
    let texts: Vec<&str> = validations.iter().map(|(_, sql)| sql.as_str()).collect();
    let validated: Vec<String> = validations
        .iter()
        .zip(step_keys(target, run_id, &texts).await?)
        .filter(|(_, key)| key.is_some())
        .map(|((name, _), _)| name.clone())
        .collect();
    let groups = validations.into_iter().map(|(_, sql)| vec![sql]).collect();
    let run = run_id.to_string();
    let fail: StatementError = Arc::new(move |sql, e| {
        foreign_key_violation(sql, &e, &run).unwrap_or_else(|| schema_error(sql)(e))
    });
    in_parallel(target_url, target, run_id, groups, jobs, fail).await?;
    Ok(validated)
}

/// [`CopyError::ForeignKeyViolated`] when `statement` (`ALTER TABLE t VALIDATE CONSTRAINT c` on its
/// first line) failed because rows violate the key.
pub(crate) fn foreign_key_violation(
    statement: &str,
    e: &tokio_postgres::Error,
    run_id: &str,
) -> Option<CopyError> {
    if e.code() != Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) {
        return None;
    }
    let first = statement.lines().next()?.trim_end_matches(';');
    let (table, constraint) = first
        .strip_prefix("ALTER TABLE ")?
        .rsplit_once(" VALIDATE CONSTRAINT ")?;
    Some(CopyError::ForeignKeyViolated {
        table: table.to_string(),
        constraint: constraint.to_string(),
        message: db_message_detail(e),
        run_id: run_id.to_string(),
    })
}

/// A foreign key's statements.
struct ForeignKeyStep {
    /// Adding it: `NOT VALID` unless the catalog says otherwise.
    add: String,
    /// Its table and name, when the catalog has it.
    constraint: Option<(QualifiedName, String)>,
    /// When it is to be validated after: `table.constraint` and the validation.
    validate: Option<(String, String)>,
}

/// A foreign key's statements: added `NOT VALID` and validated after, except one the source holds
/// `NOT VALID` (it stays so) or one on a partitioned table (added valid).
fn foreign_key_steps(
    catalog: &Catalog,
    statement: &godwit_postgres::DdlStatement,
) -> ForeignKeyStep {
    let sql = statement.sql.clone();
    let table_name = QualifiedName::new(&statement.object.schema, &statement.object.name);
    let table = catalog.table(&table_name);
    let constraint = table.and_then(|t| {
        t.constraints.iter().find(|c| {
            matches!(c.kind, ConstraintKind::ForeignKey { .. })
                && sql.contains(&format!(
                    " ADD CONSTRAINT {} FOREIGN KEY (",
                    quote_ident(&c.name)
                ))
        })
    });
    let Some(c) = constraint else {
        return ForeignKeyStep {
            add: sql,
            constraint: None,
            validate: None,
        };
    };
    let later = !sql.ends_with(" NOT VALID") && table.is_some_and(|t| t.partitioning.is_none());
    ForeignKeyStep {
        add: if later {
            format!("{sql} NOT VALID")
        } else {
            sql
        },
        constraint: Some((table_name.clone(), c.name.clone())),
        validate: later.then(|| {
            (
                format!("{table_name}.{}", quote_ident(&c.name)),
                format!(
                    "ALTER TABLE {table_name} VALIDATE CONSTRAINT {}",
                    quote_ident(&c.name)
                ),
            )
        }),
    }
}

/// What a statement that failed means for the run, from its text and the error.
pub(crate) type StatementError =
    Arc<dyn Fn(&str, tokio_postgres::Error) -> CopyError + Send + Sync>;

/// A failed schema statement: [`CopyError::Schema`] naming its first line.
pub(crate) fn schema_failure() -> StatementError {
    Arc::new(|sql, e| schema_error(sql)(e))
}

/// Runs groups of statements on `jobs` connections at once, each group's in order on one
/// connection, each statement a step of the run that is skipped if the run committed it before.
/// A statement that fails stops the others; `fail` says what it means.
pub(crate) async fn in_parallel(
    target_url: &str,
    target: &Client,
    run_id: &str,
    groups: Vec<Vec<String>>,
    jobs: usize,
    fail: StatementError,
) -> Result<(), CopyError> {
    let mut pending = Vec::new();
    for group in groups {
        let texts: Vec<&str> = group.iter().map(String::as_str).collect();
        let keys = step_keys(target, run_id, &texts).await?;
        let left: Vec<(String, String)> = group
            .into_iter()
            .zip(keys)
            .filter_map(|(sql, key)| Some((sql, key?)))
            .collect();
        if !left.is_empty() {
            pending.push(left);
        }
    }
    if pending.is_empty() {
        return Ok(());
    }
    let connections = jobs.min(pending.len()).max(1);
    let queue = Arc::new(Mutex::new(VecDeque::from(pending)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (queue, url, run_id, fail) = (
            queue.clone(),
            target_url.to_string(),
            run_id.to_string(),
            fail.clone(),
        );
        workers.spawn(async move {
            let client = connect("target", &url).await?;
            loop {
                let Some(group) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok::<(), CopyError>(());
                };
                for (sql, key) in group {
                    step(&client, &run_id, &sql, &key)
                        .await
                        .map_err(|e| fail(&sql, e))?;
                }
            }
        });
    }
    let mut failure = None;
    while let Some(result) = workers.join_next().await {
        if let Err(e) = result
            .map_err(|e| CopyError::Query {
                what: "a schema worker".into(),
                message: e.to_string(),
            })
            .and_then(|r| r)
        {
            if failure.is_none() {
                if let Ok(mut q) = queue.lock() {
                    q.clear();
                }
            }
            failure.get_or_insert(e);
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// How a source table's columns land in the target table.
pub(crate) struct TableMapping {
    pub(crate) target_columns: String,
    /// The same, one quoted name per column.
    pub(crate) target_names: Vec<String>,
    pub(crate) text: bool,
}

/// A length or precision from a type's SQL, e.g. 20 in `character varying(20)`.
pub(crate) fn type_size(sql: &str) -> Option<u32> {
    type_modifier(sql, 0).and_then(|m| u32::try_from(m).ok())
}

/// Modifier `n` of a type's SQL, e.g. 2 (n = 1) in `numeric(10,2)`.
pub(crate) fn type_modifier(sql: &str, n: usize) -> Option<i64> {
    let inner = sql.split_once('(')?.1.split(')').next()?;
    inner.split(',').nth(n)?.trim().parse().ok()
}

/// Checks every source table against the target before any row moves: the table and each column must
/// exist (names compared case-insensitively), no target column may be generated, no type may be
/// narrower, and a target column the source does not fill must be nullable or have a default. Tables whose types differ but convert are copied as text. All problems are reported at once.
pub(crate) async fn preflight(
    catalog: &Catalog,
    target: &Client,
) -> Result<BTreeMap<QualifiedName, TableMapping>, CopyError> {
    let filter = SchemaFilter {
        schemas: vec![],
        include: vec![],
        exclude: vec![],
    };
    let target_catalog = godwit_postgres::discover(target, &filter).await?;
    let mut problems = Vec::new();
    let mut mapping = BTreeMap::new();
    for schema in &catalog.schemas {
        for table in schema.tables.iter().filter(|t| t.partitioning.is_none()) {
            let name = QualifiedName::new(&schema.name, &table.name);
            let found = target_catalog
                .schemas
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&schema.name))
                .and_then(|s| {
                    s.tables.iter().find(|t| t.name == table.name).or_else(|| {
                        s.tables
                            .iter()
                            .find(|t| t.name.eq_ignore_ascii_case(&table.name))
                    })
                });
            let Some(target_table) = found else {
                problems.push(format!(
                    "{name}: no such table on the target (create it, or use --create-schema)"
                ));
                continue;
            };
            let mut columns = Vec::new();
            let mut text = false;
            for column in table.columns.iter().filter(|c| c.generated.is_none()) {
                let Some(tc) = target_table
                    .columns
                    .iter()
                    .find(|c| c.name == column.name)
                    .or_else(|| {
                        target_table
                            .columns
                            .iter()
                            .find(|c| c.name.eq_ignore_ascii_case(&column.name))
                    })
                else {
                    problems.push(format!(
                        "{name}.{}: no such column on the target",
                        quote_ident(&column.name)
                    ));
                    continue;
                };
                if tc.generated.is_some() {
                    problems.push(format!(
                        "{name}.{}: the target column is generated and cannot take values",
                        quote_ident(&column.name)
                    ));
                }
                if tc.data_type.sql != column.data_type.sql {
                    let narrowed = tc.data_type.name == column.data_type.name
                        && matches!((type_size(&column.data_type.sql), type_size(&tc.data_type.sql)), (Some(a), Some(b)) if b < a);
                    if narrowed {
                        problems.push(format!(
                            "{name}.{}: narrowed from {} to {}",
                            quote_ident(&column.name),
                            column.data_type.sql,
                            tc.data_type.sql
                        ));
                    } else {
                        text = true;
                    }
                }
                columns.push(quote_ident(&tc.name));
            }
            // A target column the source does not fill must be able to stay empty or take its
            // default; else every row would be refused.
            for tc in &target_table.columns {
                let filled = table
                    .columns
                    .iter()
                    .any(|c| c.generated.is_none() && c.name.eq_ignore_ascii_case(&tc.name));
                if !filled
                    && !tc.nullable
                    && tc.default.is_none()
                    && tc.identity.is_none()
                    && tc.generated.is_none()
                {
                    problems.push(format!(
                        "{name}.{}: NOT NULL on the target without a default, and the source has no such column (every row would be refused)",
                        quote_ident(&tc.name)
                    ));
                }
            }
            mapping.insert(
                name,
                TableMapping {
                    target_columns: columns.join(", "),
                    target_names: columns.clone(),
                    text,
                },
            );
        }
    }
    if problems.is_empty() {
        Ok(mapping)
    } else {
        Err(CopyError::Incompatible(problems))
    }
}
