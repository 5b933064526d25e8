//! The target's schema: statements applied as recorded steps, and the check of existing target
//! tables against the source before any row moves.

use crate::*;

/// For each statement, its step key (md5 of its text) unless the run already committed it.
pub(crate) async fn pending_steps<'a>(
    target: &Client,
    run_id: &str,
    statements: Vec<&'a godwit_postgres::DdlStatement>,
) -> Result<Vec<(&'a godwit_postgres::DdlStatement, String)>, CopyError> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let rows = target
        .query(
            "SELECT md5(u.s), EXISTS (SELECT 1 FROM godwit_copy.steps g WHERE g.run_id = $2 AND g.step = md5(u.s))
               FROM unnest($1::text[]) WITH ORDINALITY AS u(s, i) ORDER BY u.i",
            &[&texts, &run_id],
        )
        .await
        .map_err(query_error("reading the target's schema steps"))?;
    Ok(statements
        .into_iter()
        .zip(rows)
        .filter(|(_, r)| !r.get::<_, bool>(1))
        .map(|(s, r)| (s, r.get(0)))
        .collect())
}

/// Runs one schema statement in a transaction that also records it as done for the run.
pub(crate) async fn step(
    client: &Client,
    run_id: &str,
    sql: &str,
    key: &str,
) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        client.batch_execute(sql).await?;
        client
            .execute(
                "INSERT INTO godwit_copy.steps (run_id, step) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&run_id, &key],
            )
            .await?;
        client.batch_execute("COMMIT").await
    }
    .await;
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
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

/// Keys, indexes and checks table by table on `jobs` connections at once (each table's statements in
/// order on one connection), then foreign keys one after another (two at once could deadlock on a
/// pair of tables that reference each other). Each statement is a step of the run (see [`step`]).
pub(crate) async fn post_data(
    target_url: &str,
    target: &Client,
    run_id: &str,
    statements: Vec<&godwit_postgres::DdlStatement>,
    jobs: usize,
) -> Result<(), CopyError> {
    let pending = pending_steps(target, run_id, statements).await?;
    let (foreign_keys, rest): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|(s, _)| s.sql.contains(" FOREIGN KEY ("));
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut index: BTreeMap<godwit_catalog::ObjectRef, usize> = BTreeMap::new();
    for (s, key) in rest {
        let slot = *index.entry(s.object.clone()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push((s.sql.clone(), key));
    }
    let queue = Arc::new(Mutex::new(VecDeque::from(groups)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs {
        let (queue, url, run_id) = (queue.clone(), target_url.to_string(), run_id.to_string());
        workers.spawn(async move {
            let client = connect("target", &url).await?;
            loop {
                let Some(group) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                    return Ok::<(), CopyError>(());
                };
                for (sql, key) in group {
                    step(&client, &run_id, &sql, &key)
                        .await
                        .map_err(schema_error(&sql))?;
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
            failure.get_or_insert(e);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    for (s, key) in foreign_keys {
        step(target, run_id, &s.sql, &key)
            .await
            .map_err(schema_error(&s.sql))?;
    }
    Ok(())
}

/// How a source table's columns land in the target table.
pub(crate) struct TableMapping {
    pub(crate) target_columns: String,
    pub(crate) text: bool,
}

/// A length or precision from a type's SQL, e.g. 20 in `character varying(20)`.
pub(crate) fn type_size(sql: &str) -> Option<u32> {
    let inner = sql.split_once('(')?.1.split([')', ',']).next()?;
    inner.trim().parse().ok()
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
