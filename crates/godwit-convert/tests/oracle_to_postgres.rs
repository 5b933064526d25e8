//! An Oracle install script converted and loaded into a real PostgreSQL: objects arrive, data arrives,
//! and the converted views return the rows Oracle would (expected rows written by hand from Oracle's
//! rules).

use godwit_convert::{convert, Conversion, Options, Severity, Status};
use godwit_testkit::{database, TestDatabase};
use std::path::Path;

fn fixture() -> (Conversion, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop_oracle.sql");
    let script = godwit_oracle::read_input(&path).expect("fixture reads");
    assert!(script.notes.is_empty(), "{:?}", script.notes);
    let options = Options::default();
    let conversion = convert(&script.statements, &options);
    let sql = conversion.to_sql(&options);
    (conversion, sql)
}

async fn loaded() -> (Conversion, TestDatabase) {
    let (conversion, sql) = fixture();
    let db = database("oracle_shop").await;
    let client = db.connect().await;
    if let Err(e) = client.batch_execute(&sql).await {
        panic!(
            "converted script failed: {}\n--- script ---\n{sql}",
            godwit_testkit::describe(&e)
        );
    }
    (conversion, db)
}

async fn strings(db: &TestDatabase, sql: &str) -> Vec<Vec<Option<String>>> {
    let client = db.connect().await;
    godwit_testkit::text_rows(&client, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", godwit_testkit::describe(&e)))
}

fn row(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| {
            if *v == "NULL" {
                None
            } else {
                Some(v.to_string())
            }
        })
        .collect()
}

fn status_of<'a>(c: &'a Conversion, kind: &str, name: &str) -> &'a godwit_convert::ObjectReport {
    c.objects
        .iter()
        .find(|o| o.kind == kind && o.name == name)
        .unwrap_or_else(|| panic!("no report for {kind} {name}"))
}

#[tokio::test]
async fn schema_objects_arrive_with_oracle_constraint_states() {
    let (conversion, db) = loaded().await;
    let tables = strings(&db, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY 1").await;
    assert_eq!(
        tables,
        [
            "accounts",
            "audit_log",
            "dept",
            "emp",
            "events",
            "links",
            "org",
            "regions",
            "sales",
            "sites",
            "tickets"
        ]
        .map(|t| row(&[t]))
    );
    let constraints = strings(&db, "SELECT conname, contype, convalidated::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1").await;
    assert_eq!(
        constraints,
        [
            row(&["accounts_pkey", "p", "true"]),
            row(&["dept_mgr_fk", "f", "true"]),
            row(&["dept_pk", "p", "true"]),
            row(&["dept_region_fk", "f", "true"]),
            row(&["emp_commission_chk", "c", "false"]),
            row(&["emp_dept_id_fkey", "f", "true"]),
            row(&["emp_pk", "p", "true"]),
            row(&["emp_salary_min", "c", "true"]),
            row(&["links_pkey", "p", "true"]),
            row(&["org_pkey", "p", "true"]),
            row(&["reg_id_pk", "p", "true"]),
            row(&["tickets_pk", "p", "true"]),
        ]
    );
    // The unique index the primary key replaces is not created twice; bitmap → btree; function-based kept.
    let indexes = strings(&db, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'emp\\_%' ESCAPE '\\' AND indexname <> 'emp_pk' ORDER BY 1").await;
    assert_eq!(
        indexes,
        [
            row(&[
                "emp_dept_bix",
                "CREATE INDEX emp_dept_bix ON public.emp USING btree (dept_id)"
            ]),
            row(&[
                "emp_name_upper_ix",
                "CREATE INDEX emp_name_upper_ix ON public.emp USING btree (upper((name)::text))"
            ]),
        ]
    );
    let types = strings(&db, "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'emp'::regclass AND attnum > 0 ORDER BY attnum").await;
    assert_eq!(
        types,
        [
            row(&["emp_id", "integer"]),
            row(&["name", "character varying(40)"]),
            row(&["dept_id", "smallint"]),
            row(&["salary", "numeric(8,2)"]),
            row(&["commission_pct", "numeric(2,2)"]),
            row(&["hired", "timestamp(0) without time zone"]),
        ]
    );
    assert_eq!(
        strings(
            &db,
            "SELECT obj_description('emp'::regclass), col_description('emp'::regclass, 4)"
        )
        .await,
        [row(&["Employees; one row each", "Monthly salary in 'EUR'"])]
    );
    assert_eq!(
        strings(&db, "SELECT nextval('emp_seq'), nextval('plain_seq')").await,
        [row(&["207", "1"])]
    );

    let ghost = status_of(&conversion, "TABLE", "public.emp");
    assert!(ghost
        .findings
        .iter()
        .any(|f| f.id == "GW-CONSTRAINT-DISABLED" && f.message.contains("emp_ghost_chk")));
    assert!(ghost
        .findings
        .iter()
        .any(|f| f.id == "GW-CONSTRAINT-NOVALIDATE" && f.severity == Severity::Info));
    assert_eq!(
        status_of(&conversion, "INDEX", "public.emp_dept_bix").findings[0].id,
        "GW-INDEX-BITMAP"
    );
}

#[tokio::test]
async fn data_arrives_with_oracle_empty_string_and_identity_rules() {
    let (conversion, db) = loaded().await;
    assert_eq!(conversion.data.iter().map(|d| d.rows).sum::<usize>(), 23);
    // INSERT ALL … SELECT FROM dual: one INSERT per target; MERGE updated region 2 and added 6.
    assert_eq!(
        strings(&db, "SELECT region_id, region_name FROM regions ORDER BY 1").await,
        [
            row(&["1", "Europe"]),
            row(&["2", "The Americas"]),
            row(&["3", "NULL"]),
            row(&["4", "Asia"]),
            row(&["5", "Oceania"]),
            row(&["6", "Antarctica"])
        ]
    );
    assert_eq!(
        strings(&db, "SELECT manager_id FROM dept ORDER BY dept_id").await,
        [row(&["100"]), row(&["NULL"])]
    );
    assert_eq!(
        strings(&db, "SELECT hired::date::text FROM emp WHERE emp_id = 101").await,
        [row(&["2005-09-21"])]
    );
    // '' is NULL, except as an operand of || where Oracle treats NULL as ''.
    assert_eq!(
        strings(&db, "SELECT ticket_id, note FROM tickets ORDER BY 1").await,
        [row(&["5", "Rock 'n' roll"]), row(&["7", "NULL"])]
    );
    // The identity continues after the loaded rows, as Oracle's would after START WITH LIMIT VALUE.
    assert_eq!(
        strings(
            &db,
            "INSERT INTO tickets (title) VALUES ('third') RETURNING ticket_id"
        )
        .await,
        [row(&["8"])]
    );
    // SYSDATE default.
    assert_eq!(strings(&db, "INSERT INTO dept (dept_id, dept_name) VALUES (30, 'New') RETURNING created_on::date = current_date").await, [row(&["t"])]);
}

#[tokio::test]
async fn partitioned_tables_become_declarative_partitions() {
    let (conversion, db) = loaded().await;
    assert_eq!(
        strings(
            &db,
            "SELECT sale_id, tableoid::regclass::text FROM sales ORDER BY 1"
        )
        .await,
        [
            row(&["1", "sales_2022"]),
            row(&["2", "sales_2023"]),
            row(&["3", "sales_default"])
        ]
    );
    assert_eq!(
        strings(&db, "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'sites'::regclass ORDER BY 1").await,
        [row(&["sites_eu", "FOR VALUES IN ('DE', 'FR')"]), row(&["sites_other", "DEFAULT"])]
    );
    assert_eq!(
        strings(
            &db,
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass"
        )
        .await,
        [row(&["4"])]
    );
    let sites = status_of(&conversion, "TABLE", "public.sites");
    assert!(
        sites.findings.is_empty() || sites.findings.iter().all(|f| f.severity == Severity::Info)
    );
    let sales = status_of(&conversion, "TABLE", "public.sales");
    assert!(sales.findings.iter().any(|f| f.id == "GW-TABLE-INTERVAL"));
    // A primary key without the partition key: PostgreSQL refuses it, so the table stays whole.
    assert_eq!(
        strings(
            &db,
            "SELECT relkind::text FROM pg_class WHERE relname = 'accounts'"
        )
        .await,
        [row(&["r"])]
    );
    let accounts = status_of(&conversion, "TABLE", "public.accounts");
    assert!(accounts
        .findings
        .iter()
        .any(|f| f.id == "GW-TABLE-PARTITION-KEY"));
}

#[tokio::test]
async fn converted_views_return_what_oracle_returns() {
    let (conversion, db) = loaded().await;
    // NVL, DECODE (NULL matches NULL), the view's column list.
    assert_eq!(
        strings(&db, "SELECT emp_id, name, dept_name, pay::numeric(12,2), band FROM emp_details_view ORDER BY emp_id").await,
        [row(&["100", "King", "Admin", "24000.00", "ten"]), row(&["101", "O'Hara", "Sales", "6000.00", "other"])]
    );
    assert_eq!(
        strings(&db, "SELECT name FROM rich_emps ORDER BY 1").await,
        [row(&["King"]), row(&["O'Hara"])]
    );
    // LISTAGG skips NULLs, like string_agg.
    assert_eq!(
        strings(&db, "SELECT names FROM region_names").await,
        [row(&["Antarctica; Asia; Europe; Oceania; The Americas"])]
    );
    assert!(status_of(&conversion, "VIEW", "public.emp_details_view")
        .findings
        .iter()
        .any(|f| f.id == "GW-VIEW-READ-ONLY"));
    // (+) outer join: every employee, the department only where the outer-side filter holds.
    assert_eq!(
        strings(
            &db,
            "SELECT name, dept_name FROM old_style_join ORDER BY name"
        )
        .await,
        [
            row(&["King", "Admin"]),
            row(&["Nobody", "NULL"]),
            row(&["O'Hara", "NULL"])
        ]
    );
    // ADD_MONTHS and INSTR through the compatibility helpers the script creates first.
    assert_eq!(
        strings(
            &db,
            "SELECT emp_id, review::date::text, last_a FROM emp_review ORDER BY emp_id"
        )
        .await,
        [
            row(&["100", "2003-12-17", "0"]),
            row(&["101", "2006-03-21", "6"]),
            row(&["102", "2001-07-13", "0"])
        ]
    );
    // || treats NULL as '' (King has no commission).
    assert_eq!(
        strings(&db, "SELECT label FROM emp_labels ORDER BY emp_id").await,
        [
            row(&["King ()"]),
            row(&["O'Hara (.5)"]),
            row(&["Nobody ()"])
        ]
    );
    // CONNECT BY NOCYCLE: 1 → 2 → 3 → 1 stops before returning 1 again.
    assert_eq!(
        strings(&db, "SELECT id, step FROM link_chain").await,
        [row(&["1", "1"]), row(&["2", "2"]), row(&["3", "3"])]
    );
    // CONNECT BY: depth first, siblings by name, paths, roots and leaves as Oracle computes them.
    assert_eq!(
        strings(&db, "SELECT id, depth, path, root, leaf FROM org_tree").await,
        [
            row(&["1", "1", "/root", "root", "0"]),
            row(&["3", "2", "/root/a", "root", "0"]),
            row(&["4", "3", "/root/a/a1", "root", "1"]),
            row(&["2", "2", "/root/b", "root", "0"]),
            row(&["5", "3", "/root/b/b1", "root", "1"]),
        ]
    );
    // ROWNUM over an ordered subquery: the first row of the order.
    assert_eq!(
        strings(&db, "SELECT name FROM top_earner").await,
        [row(&["King"])]
    );
}

#[tokio::test]
async fn what_is_not_converted_is_reported_and_left_out() {
    let (conversion, db) = loaded().await;
    let tree = status_of(&conversion, "VIEW", "public.emp_tree");
    assert_eq!(tree.status, Status::NotConverted);
    assert_eq!(tree.findings[0].id, "GW-SQL-CONNECT-BY");
    let expected_line = include_str!("fixtures/shop_oracle.sql")
        .lines()
        .position(|l| l.starts_with("CREATE VIEW emp_tree"))
        .unwrap() as u32
        + 1;
    assert_eq!(
        tree.line, expected_line,
        "finding points at the view's line in the script"
    );
    let procedure = status_of(&conversion, "PROCEDURE", "public.list_emps");
    assert_eq!(procedure.status, Status::NotConverted);
    assert!(
        procedure.findings[0].message.contains("GOTO"),
        "{:?}",
        procedure.findings
    );
    assert!(
        strings(&db, "SELECT 1 FROM pg_class WHERE relname = 'emp_tree'")
            .await
            .is_empty()
    );
    let (_, sql) = fixture();
    assert!(
        sql.contains("-- VIEW public.emp_tree (Oracle: "),
        "not-converted objects are listed in the script"
    );
}

#[tokio::test]
async fn plsql_procedures_functions_and_triggers_behave_like_oracle() {
    let (conversion, db) = loaded().await;
    let client = db.connect().await;
    // An autonomous transaction runs in the caller's (its COMMIT removed, with a warning); the
    // default before an OUT parameter is dropped (PostgreSQL refuses it), with a warning.
    let log = status_of(&conversion, "PROCEDURE", "public.log_msg");
    assert_eq!(log.status, Status::ConvertedWithFindings);
    let ids: Vec<&str> = log.findings.iter().map(|f| f.id).collect();
    assert!(
        ids.contains(&"GW-PLSQL-AUTONOMOUS") && ids.contains(&"GW-PLSQL-DEFAULT-BEFORE-OUT"),
        "{ids:?}"
    );
    client
        .batch_execute(
            "BEGIN; CALL log_msg('hello', 2, NULL); ROLLBACK; CALL log_msg('kept', 3, NULL);",
        )
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT msg FROM audit_log").await,
        [row(&["kept:3:auditor"])]
    );
    // A schema-level collection type (a domain over an array) is an array in PL/SQL too.
    assert_eq!(
        strings(&db, "SELECT first_word(ARRAY['a', 'b']::t_words)").await,
        [row(&["2:a:y"])]
    );
    // Local subprograms become routines beside their routine; the enclosing routine's variables
    // and parameters they use are passed to them (IN OUT where they assign them).
    assert_eq!(strings(&db, "SELECT shout('hi')").await, [row(&["HI!"])]);
    assert_eq!(strings(&db, "SELECT counter_demo(3)").await, [row(&["66"])]);
    // User-defined exceptions, EXCEPTION_INIT, predefined ones, SQLCODE and SQLERRM as Oracle's.
    assert_eq!(
        strings(
            &db,
            "SELECT safe_div(1, -1), safe_div(1, 99), safe_div(1, 0), safe_div(1, 4)"
        )
        .await,
        [row(&[
            "negative:1:User-Defined Exception",
            "app:-20042:ORA-20042: ninety-nine",
            "zero:-1476",
            ".25"
        ])]
    );
    // Explicit and parameterised cursors, %NOTFOUND, cursor and query FOR loops, a ref cursor and
    // SQL%ROWCOUNT. Salaries: King 24000, O'Hara 4000, Nobody 3000.
    assert_eq!(
        strings(&db, "SELECT cursor_walk(3500)").await,
        [row(&["King;O'Hara;+++101102|2|3"])]
    );
    client
        .batch_execute("CALL raise_salary(101)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT salary FROM emp WHERE emp_id = 101").await,
        [row(&["4400.00"])]
    );
    client
        .batch_execute("CALL raise_salary(102, 50)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT salary FROM emp WHERE emp_id = 102").await,
        [row(&["4500.00"])]
    );
    // SELECT INTO finding no row raises NO_DATA_FOUND, as in Oracle.
    let missing = client
        .batch_execute("CALL raise_salary(999)")
        .await
        .unwrap_err();
    assert_eq!(
        missing.code().map(|c| c.code()),
        Some("P0002"),
        "{missing:?}"
    );
    // RAISE_APPLICATION_ERROR(-20001, …) raises SQLSTATE U0001 with the message.
    let err = client
        .batch_execute("UPDATE emp SET salary = NULL WHERE emp_id = 100; CALL raise_salary(100)")
        .await
        .unwrap_err();
    let db_error = err.as_db_error().unwrap();
    assert_eq!(
        (db_error.code().code(), db_error.message()),
        ("U0001", "no salary for 100")
    );
    assert_eq!(
        strings(&db, "SELECT emp_count(10), emp_count(20), emp_count(99)").await,
        [row(&["1", "1", "0"])]
    );
    // The trigger fires on new rows.
    assert_eq!(
        strings(
            &db,
            "INSERT INTO tickets (title) VALUES ('quiet') RETURNING title"
        )
        .await,
        [row(&["QUIET"])]
    );
}

#[test]
fn each_object_keeps_its_oracle_source_and_its_postgres_sql() {
    let (conversion, _) = fixture();
    let emp = status_of(&conversion, "TABLE", "public.emp");
    assert!(
        emp.oracle_source.starts_with("CREATE TABLE emp"),
        "{}",
        emp.oracle_source
    );
    assert!(
        emp.oracle_source
            .contains("ALTER TABLE emp ADD CONSTRAINT emp_commission_chk"),
        "ALTERs join the table's source"
    );
    assert!(emp.oracle_source.contains("COMMENT ON TABLE emp"));
    let sql = conversion.postgres_sql(emp).unwrap();
    assert!(sql.starts_with("CREATE TABLE public.emp ("), "{sql}");
    assert!(
        sql.contains("ADD CONSTRAINT emp_commission_chk CHECK"),
        "{sql}"
    );
    let index = status_of(&conversion, "INDEX", "public.emp_dept_bix");
    assert_eq!(
        conversion.postgres_sql(index).unwrap().trim(),
        "CREATE INDEX emp_dept_bix ON public.emp USING btree (dept_id);"
    );
    let data = status_of(&conversion, "DATA", "public.regions");
    assert!(conversion
        .postgres_sql(data)
        .unwrap()
        .contains("insert into regions values(3, NULL);"));
    let tree = status_of(&conversion, "VIEW", "public.emp_tree");
    assert!(tree.oracle_source.contains("CONNECT BY"));
    assert_eq!(conversion.postgres_sql(tree), None);
}

#[test]
fn the_script_names_each_object_and_its_findings() {
    let (_, sql) = fixture();
    let header = sql
        .lines()
        .position(|l| l.starts_with("-- TABLE public.emp (Oracle: "))
        .expect("table header");
    let create = sql
        .lines()
        .position(|l| l.starts_with("CREATE TABLE public.emp ("))
        .unwrap();
    assert!(header < create);
    assert!(sql.contains("--   warning GW-CONSTRAINT-DISABLED: constraint emp_ghost_chk on public.emp is DISABLED in Oracle; left out"), "{sql}");
    let data = sql.find("-- ===== data =====").unwrap();
    assert!(
        sql.find("CREATE TABLE public.tickets").unwrap() < data
            && data < sql.find("ADD CONSTRAINT emp_pk").unwrap(),
        "data loads between tables and keys"
    );
}

/// Output in the form `scripts/oracle/godwit_extract.sql` spools (DBMS_METADATA with SQLTERMINATOR,
/// quoted upper-case names, constraint states, EDITIONABLE, physical clauses removed).
#[tokio::test]
async fn dbms_metadata_output_converts_and_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dbms_metadata_hr.sql");
    let script = godwit_oracle::read_input(&path).unwrap();
    assert!(script.notes.is_empty(), "{:?}", script.notes);
    let options = Options {
        default_schema: "hr".into(),
        ..Default::default()
    };
    let conversion = convert(&script.statements, &options);
    let sql = conversion.to_sql(&options);
    let db = database("dbms_metadata").await;
    db.connect()
        .await
        .batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}\n{sql}", godwit_testkit::describe(&e)));
    assert_eq!(
        strings(
            &db,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hr' ORDER BY 1"
        )
        .await,
        [
            row(&["countries"]),
            row(&["country_regions"]),
            row(&["regions"])
        ]
    );
    assert_eq!(
        strings(
            &db,
            "SELECT conname FROM pg_constraint WHERE connamespace = 'hr'::regnamespace ORDER BY 1"
        )
        .await,
        [
            row(&["countr_reg_fk"]),
            row(&["country_c_id_pk"]),
            row(&["reg_id_pk"])
        ]
    );
    assert_eq!(
        strings(&db, "SELECT obj_description('hr.regions'::regclass)").await,
        [row(&[
            "Regions table that contains region numbers and names."
        ])]
    );
    assert_eq!(
        strings(&db, "SELECT nextval('hr.locations_seq')").await,
        [row(&["3300"])]
    );
    assert_eq!(
        status_of(&conversion, "PROCEDURE", "hr.secure_dml").status,
        Status::Converted
    );
}

#[tokio::test]
async fn statements_postgres_cannot_parse_never_reach_the_script() {
    // A rules file is user input: a type PostgreSQL cannot parse makes the table's CREATE invalid, and a
    // bad index expression type makes only the index invalid.
    let script = godwit_oracle::read_text(
        Path::new("gate.sql"),
        "CREATE TABLE good (id NUMBER(6) PRIMARY KEY, name VARCHAR2(20));\n\
         CREATE INDEX good_name ON good (name);\n\
         CREATE TABLE bad (id NUMBER(6), note RAW(16));\n\
         INSERT INTO good VALUES (1, 'x');\n\
         INSERT INTO bad VALUES (1, NULL);\n",
    );
    let options = Options {
        rules: toml::from_str("[columns]\n\"bad.note\" = \"uuid(((\"\n").unwrap(),
        ..Options::default()
    };
    let conversion = convert(&script.statements, &options);
    let bad = status_of(&conversion, "TABLE", "public.bad");
    assert_eq!(bad.status, Status::NotConverted);
    let finding = bad.findings.last().unwrap();
    assert_eq!(finding.id, "GW-PG-SYNTAX");
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding.message.contains("syntax error at or near"),
        "{}",
        finding.message
    );
    assert_eq!(
        (finding.file.as_path(), finding.line),
        (Path::new("gate.sql"), 3)
    );
    assert_eq!(
        status_of(&conversion, "TABLE", "public.good").status,
        Status::Converted
    );

    let sql = conversion.to_sql(&options);
    let statements: String = sql.lines().filter(|l| !l.starts_with("--")).collect();
    assert!(
        !statements.contains("CREATE TABLE public.bad") && !statements.contains("insert into bad"),
        "the rejected statement and the data it would hold are left out:\n{sql}"
    );
    let data = status_of(&conversion, "DATA", "public.bad");
    assert_eq!(data.status, Status::NotConverted);
    assert!(data
        .findings
        .iter()
        .any(|f| f.id == "GW-PG-SYNTAX" && f.message.contains("(1 rows)")));
    let db = database("oracle_gate").await;
    let client = db.connect().await;
    client
        .batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}\n{sql}", godwit_testkit::describe(&e)));
    assert_eq!(
        strings(&db, "SELECT count(*) FROM good").await,
        vec![row(&["1"])]
    );
}

#[tokio::test]
async fn a_package_becomes_a_schema_whose_routines_callers_call_unchanged() {
    let (conversion, db) = loaded().await;
    let client = db.connect().await;
    // bonus = salary_of(p) * c_bonus_pct / 100: a private sibling, an inlined constant, a subtype.
    assert_eq!(
        strings(&db, "SELECT payroll.bonus(101) = 200").await,
        [row(&["t"])]
    );
    // DBMS_LOB basics, DBMS_OUTPUT and SYS_CONTEXT('USERENV', …) have PostgreSQL equivalents.
    assert_eq!(
        strings(&db, "SELECT payroll.report() = 'ayro:6:' || current_user").await,
        [row(&["t"])]
    );
    // Collections are arrays: BULK COLLECT, COUNT, EXTEND, LAST, FIRST, EXISTS, INDEX BY tables.
    assert_eq!(
        strings(&db, "SELECT payroll.names_over(3500)").await,
        [row(&["King,O'Hara,end,2:y"])]
    );
    // A PIPELINED function is set-returning; TABLE(f(…)) in FROM calls it.
    let mut rewrite = godwit_convert::expr::Rewrite::default();
    let query = rewrite.query(&godwit_oracle::tokenize(
        "SELECT * FROM TABLE(payroll.evens(3)) e",
        1,
    ));
    assert_eq!(
        strings(
            &db,
            &format!("SELECT string_agg(x::text, ',') FROM ({query}) q(x)")
        )
        .await,
        [row(&["2,4,6"])]
    );
    // A record type of the package is a composite type in its schema.
    assert_eq!(
        strings(
            &db,
            "SELECT (payroll.pay_of(101)).emp_id, (payroll.pay_of(101)).amount = 200"
        )
        .await,
        [row(&["101", "t"])]
    );
    // A record-typed package variable keeps the whole record and single fields for the session.
    client
        .batch_execute("CALL payroll.remember_pay(101)")
        .await
        .unwrap();
    let amount = client
        .query_one("SELECT payroll.last_pay_amount()::text", &[])
        .await
        .unwrap();
    assert_eq!(
        amount.get::<_, Option<String>>(0).as_deref(),
        Some("201.00")
    );
    client
        .batch_execute("CALL payroll.pay_bonus(101)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT salary FROM emp WHERE emp_id = 101").await,
        [row(&["4200.00"])]
    );
    assert_eq!(
        status_of(&conversion, "PACKAGE", "public.payroll").status,
        Status::ConvertedWithFindings,
        "the spec's variables are reported"
    );
    // Package variables keep their values for the session, start from their initial values in a new
    // session, and NULL is a value like any other.
    client
        .batch_execute("CALL payroll.remember(7); CALL payroll.remember(8);")
        .await
        .unwrap();
    let read = "SELECT payroll.last_emp()::text, payroll.calls()::text";
    let same_session = client.query_one(read, &[]).await.unwrap();
    assert_eq!(
        (
            same_session.get::<_, Option<String>>(0),
            same_session.get::<_, Option<String>>(1)
        ),
        (Some("8".into()), Some("2".into()))
    );
    client
        .batch_execute("CALL payroll.remember(NULL)")
        .await
        .unwrap();
    let same_session = client.query_one(read, &[]).await.unwrap();
    assert_eq!(
        (
            same_session.get::<_, Option<String>>(0),
            same_session.get::<_, Option<String>>(1)
        ),
        (None, Some("3".into()))
    );
    let other_session = db.connect().await;
    let fresh = other_session.query_one(read, &[]).await.unwrap();
    assert_eq!(
        (
            fresh.get::<_, Option<String>>(0),
            fresh.get::<_, Option<String>>(1)
        ),
        (None, Some("0".into()))
    );
    // A SELECT … INTO a package variable is not converted, and says why.
    let forget = status_of(&conversion, "PROCEDURE", "payroll.forget");
    assert_eq!(forget.status, Status::NotConverted);
    assert!(
        forget.findings[0]
            .message
            .contains("G_LAST_EMP is a SELECT/FETCH INTO target"),
        "{:?}",
        forget.findings
    );
    assert!(
        forget.oracle_source.starts_with("  PROCEDURE forget"),
        "{}",
        forget.oracle_source
    );
    let body = status_of(&conversion, "PACKAGE BODY", "public.payroll");
    assert_eq!(body.status, Status::ConvertedWithFindings);
    assert!(body
        .findings
        .iter()
        .any(|f| f.id == "GW-PLSQL-MEMBER" && f.message.contains("FORGET")));
    assert!(
        strings(&db, "SELECT 1 FROM pg_proc WHERE proname = 'forget'")
            .await
            .is_empty()
    );
}

#[test]
fn conditional_compilation_takes_the_branch_the_flags_choose() {
    let script = godwit_oracle::read_text(
        Path::new("cc.sql"),
        "CREATE OR REPLACE PROCEDURE trace_me IS\nBEGIN\n  $IF $$debug $THEN\n    DBMS_OUTPUT.PUT_LINE('debug');\n  $ELSE\n    NULL;\n  $END\nEND;\n/\n\
         CREATE OR REPLACE PROCEDURE needs_flag IS\nBEGIN\n  $IF $$mode = 'x' $THEN NULL; $END\n  l := $$build_id;\nEND;\n/\n",
    );
    let plain = convert(&script.statements, &Options::default());
    let definition = |c: &Conversion, name: &str| {
        c.catalog
            .schemas
            .iter()
            .flat_map(|s| &s.routines)
            .find(|r| r.name == name)
            .map(|r| r.definition.clone())
    };
    let off = definition(&plain, "trace_me").expect("converted with $$debug unset");
    assert!(
        !off.to_lowercase().contains("raise notice") && !off.contains("$$"),
        "{off}"
    );
    let needs = status_of(&plain, "PROCEDURE", "public.needs_flag");
    assert_eq!(needs.status, Status::NotConverted);
    assert_eq!(needs.findings[0].id, "GW-PLSQL-CONDITIONAL");
    assert!(
        needs.findings[0].message.contains("$$BUILD_ID"),
        "{}",
        needs.findings[0].message
    );

    let options = Options {
        ccflags: [("DEBUG".to_string(), "TRUE".to_string())].into(),
        ..Options::default()
    };
    let on = convert(&script.statements, &options);
    assert!(definition(&on, "trace_me")
        .unwrap()
        .to_lowercase()
        .contains("raise notice"));
}
