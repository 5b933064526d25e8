//! Discover → render → apply to an empty database → discover again: the two catalogs are equal.

use godwit_catalog::{Catalog, ConstraintKind, ObjectKind, ObjectRef, UserType};
use godwit_postgres::{connect, discover, object_ddl, render, Phase, SchemaFilter};
use godwit_testkit::{database, TestDatabase};
use std::process::Command;

async fn read(db: &TestDatabase) -> Catalog {
    let client = connect(&db.url).await.expect("connect");
    discover(&client, &SchemaFilter::default())
        .await
        .expect("discover")
}

/// Applies `catalog` rendered as a script to a fresh database and reads it back.
async fn recreate(catalog: &Catalog, label: &str) -> Catalog {
    let script = render(catalog).to_sql();
    let target = database(label).await;
    let client = target.connect().await;
    if let Err(e) = client.batch_execute(&script).await {
        panic!(
            "rendered script failed: {}\n--- script ---\n{script}",
            godwit_testkit::describe(&e)
        );
    }
    read(&target).await
}

fn assert_same(original: &Catalog, copy: &Catalog) {
    let (a, b) = (original.without_statistics(), copy.without_statistics());
    if a != b {
        let left = serde_json::to_string_pretty(&a).unwrap();
        let right = serde_json::to_string_pretty(&b).unwrap();
        let diff: Vec<String> = left
            .lines()
            .zip(right.lines())
            .enumerate()
            .filter(|(_, (l, r))| l != r)
            .take(20)
            .map(|(i, (l, r))| format!("line {i}:\n  source: {l}\n  copy:   {r}"))
            .collect();
        panic!("catalogs differ after the round trip:\n{}", diff.join("\n"));
    }
}

#[tokio::test]
async fn rich_schema_round_trips() {
    let source = database("rich_source").await;
    source
        .execute(include_str!("fixtures/rich_schema.sql"))
        .await;
    let original = read(&source).await;

    // The reader saw every kind the fixture creates.
    let counts: std::collections::BTreeMap<_, _> = original.object_counts().into_iter().collect();
    for kind in ObjectKind::ALL {
        assert!(counts[&kind] > 0, "no {kind:?} discovered");
    }
    let shop = original.schema("shop").unwrap();
    assert!(shop
        .types
        .iter()
        .any(|t| matches!(t, UserType::Domain { checks, .. } if !checks.is_empty())));
    let orders = shop.tables.iter().find(|t| t.name == "orders").unwrap();
    assert!(
        orders.constraints.iter().any(|c| !c.validated),
        "NOT VALID check lost"
    );
    assert!(
        orders.triggers.iter().any(|t| !t.enabled),
        "disabled trigger lost"
    );
    let customers = shop.tables.iter().find(|t| t.name == "customers").unwrap();
    assert!(customers.columns[0]
        .identity
        .as_ref()
        .is_some_and(|i| i.always && i.last_value == Some(1010)));
    let lines = shop
        .tables
        .iter()
        .find(|t| t.name == "order_lines")
        .unwrap();
    assert!(lines.columns.iter().any(|c| c.generated.is_some()));
    let partitions = shop
        .tables
        .iter()
        .filter(|t| t.partition_of.is_some())
        .count();
    assert_eq!(partitions, 7);
    let plain_seq = shop
        .sequences
        .iter()
        .find(|s| s.name == "plain_seq")
        .unwrap();
    assert_eq!(plain_seq.last_value, Some(2));
    let hr = original.schema("hr").unwrap();
    assert!(hr
        .tables
        .iter()
        .flat_map(|t| &t.constraints)
        .any(|c| matches!(c.kind, ConstraintKind::ForeignKey { .. }) && c.deferrable));
    assert!(original
        .schema("Sales Ops")
        .unwrap()
        .tables
        .iter()
        .any(|t| t.name == "Order"));
    // The FK cycle is broken by deferring one key.
    assert_eq!(
        godwit_catalog::creation_order(&original)
            .deferred_foreign_keys
            .len(),
        1
    );

    let copy = recreate(&original, "rich_copy").await;
    assert_same(&original, &copy);
}

#[tokio::test]
async fn pgbench_schema_round_trips() {
    let source = database("pgbench_source").await;
    let bin = godwit_testkit::postgres_bin_dir()
        .map(|d| d.join("pgbench"))
        .filter(|p| p.exists());
    let pgbench = bin.unwrap_or_else(|| "pgbench".into());
    let out = Command::new(&pgbench)
        .args(["-i", "-s", "1", "-I", "dtgvpf", "-q", &source.url])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", pgbench.display()));
    assert!(
        out.status.success(),
        "pgbench -i failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = read(&source).await;
    let public = original.schema("public").unwrap();
    let names: Vec<&str> = public.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pgbench_accounts",
            "pgbench_branches",
            "pgbench_history",
            "pgbench_tellers"
        ]
    );
    let accounts = public
        .tables
        .iter()
        .find(|t| t.name == "pgbench_accounts")
        .unwrap();
    assert_eq!(
        accounts.stats.row_estimate,
        Some(100_000),
        "pgbench -s 1 has 100000 accounts (analysed by -I v)"
    );
    let copy = recreate(&original, "pgbench_copy").await;
    assert_same(&original, &copy);
}

#[tokio::test]
async fn script_is_split_into_migration_phases() {
    let source = database("phases").await;
    source
        .execute(include_str!("fixtures/rich_schema.sql"))
        .await;
    let script = render(&read(&source).await);
    let first = |phase: Phase, needle: &str| {
        script
            .phase(phase)
            .position(|s| s.sql.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {phase:?}"))
    };
    // Pre-data has no keys; post-data adds them, foreign keys last.
    assert!(script
        .phase(Phase::PreData)
        .all(|s| !s.sql.contains("PRIMARY KEY") && !s.sql.contains("FOREIGN KEY")));
    assert!(first(Phase::PostData, "customers_pkey") < first(Phase::PostData, "FOREIGN KEY"));
    // Views in dependency order, routines before the views that call them.
    assert!(
        first(Phase::Code, "VIEW shop.customer_totals")
            < first(Phase::Code, "VIEW shop.big_customers")
    );
    assert!(
        first(Phase::Code, "FUNCTION shop.order_total") < first(Phase::Code, "\"Order Summary\"")
    );
    assert!(
        first(Phase::Code, "CREATE TRIGGER orders_touch")
            > first(Phase::Code, "VIEW shop.new_orders")
    );
    assert!(script.phase(Phase::Comments).count() >= 8);
    assert!(script
        .phase(Phase::SequencePositions)
        .any(|s| s.sql.contains("plain_seq")));
}

#[tokio::test]
async fn one_object_ddl_shows_the_table_with_its_keys_and_indexes() {
    let source = database("object_ddl").await;
    source
        .execute(include_str!("fixtures/rich_schema.sql"))
        .await;
    let catalog = read(&source).await;
    let table = ObjectRef {
        kind: ObjectKind::Table,
        schema: "shop".into(),
        name: "orders".into(),
    };
    let ddl = object_ddl(&catalog, &table).unwrap();
    assert!(ddl.starts_with("CREATE TABLE shop.orders ("), "{ddl}");
    assert!(
        ddl.contains("CREATE INDEX orders_open ON shop.orders"),
        "{ddl}"
    );
    assert!(ddl.contains("CREATE TRIGGER orders_touch"), "{ddl}");
    assert!(
        !ddl.contains("CREATE TABLE shop.customers"),
        "another table leaked in: {ddl}"
    );
    let index = ObjectRef {
        kind: ObjectKind::Index,
        schema: "shop".into(),
        name: "orders_payload".into(),
    };
    assert_eq!(
        object_ddl(&catalog, &index).unwrap().trim(),
        "CREATE INDEX orders_payload ON shop.orders USING gin (payload);"
    );
    let missing = ObjectRef {
        kind: ObjectKind::Table,
        schema: "shop".into(),
        name: "nope".into(),
    };
    assert!(object_ddl(&catalog, &missing).is_none());
}

#[tokio::test]
async fn filters_select_schemas_and_object_names() {
    let source = database("filters").await;
    source
        .execute(include_str!("fixtures/rich_schema.sql"))
        .await;
    let client = source.connect().await;
    let filter = SchemaFilter {
        schemas: vec!["shop".into()],
        include: vec!["order*".into()],
        exclude: vec!["*_lines".into()],
    };
    let catalog = discover(&client, &filter).await.unwrap();
    assert_eq!(catalog.schemas.len(), 1);
    let tables: Vec<&str> = catalog.schemas[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["orders"]);
    let missing = SchemaFilter {
        schemas: vec!["nope".into()],
        ..Default::default()
    };
    let err = discover(&client, &missing).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "schema \"nope\" does not exist in the source database"
    );
}

/// What an extension owns (its types, functions, tables) is left out: the target gets it from
/// `CREATE EXTENSION`, not from godwit. Only the database's own objects are read.
#[tokio::test]
async fn objects_an_extension_owns_are_left_out() {
    let source = database("extension_members").await;
    source
        .execute(
            "CREATE EXTENSION citext;
             CREATE TABLE people (id int PRIMARY KEY, email citext);
             CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS 'SELECT upper(t)';",
        )
        .await;
    let catalog = read(&source).await;
    let public = catalog
        .schemas
        .iter()
        .find(|s| s.name == "public")
        .expect("the public schema");
    let tables: Vec<&str> = public.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tables, ["people"]);
    let types: Vec<&str> = public.types.iter().map(|t| t.name()).collect();
    assert!(types.is_empty(), "citext's own type was read: {types:?}");
    let routines: Vec<&str> = public.routines.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(routines, ["shout"], "citext's functions were read");
}
