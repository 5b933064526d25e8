//! PL/SQL that leans on Oracle-supplied packages and PL/SQL's calling conventions, converted, checked by
//! plpgsql_check on the target, loaded, and called: results are what Oracle gives (written by hand
//! from Oracle's documentation).

use godwit_convert::{check_on_target, convert, Conversion, Options, Status};
use godwit_testkit::{database, text_rows, TestDatabase};
use std::path::Path;
use tokio_postgres::Client;

/// Converts `oracle`, checks it on a fresh database with plpgsql_check (nothing may be refused), loads
/// it there and returns the conversion, the database and a session on it.
async fn loaded(label: &str, oracle: &str) -> (Conversion, TestDatabase, Client) {
    let options = Options::default();
    let mut conversion = converted(label, oracle);
    let db = database(label).await;
    let mut client = db.connect().await;
    let checked = check_on_target(&mut client, &mut conversion, &options)
        .await
        .expect("the check runs");
    assert!(checked.plpgsql_check, "the test server has plpgsql_check");
    assert_eq!(checked.rejected, 0, "{:#?}", conversion.objects);
    client
        .batch_execute(&conversion.to_sql(&options))
        .await
        .unwrap_or_else(|e| panic!("{}", godwit_testkit::describe(&e)));
    (conversion, db, client)
}

/// `oracle` converted with the default options (the script must read without notes).
fn converted(label: &str, oracle: &str) -> Conversion {
    let script = godwit_oracle::script::read_text(Path::new(&format!("{label}.sql")), oracle);
    assert!(script.notes.is_empty(), "{:?}", script.notes);
    convert(&script.statements, &Options::default())
}

/// Asserts that the object `name` was not converted, its first finding saying `because`.
fn refused(conversion: &Conversion, name: &str, because: &str) {
    let report = conversion
        .objects
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no report for {name}: {:#?}", conversion.objects));
    assert_eq!(report.status, Status::NotConverted, "{report:#?}");
    assert!(report.findings[0].message.contains(because), "{report:#?}");
}

fn all_converted(conversion: &Conversion) {
    for o in &conversion.objects {
        assert_ne!(o.status, Status::NotConverted, "{o:#?}");
    }
}

/// The first column of the first row `sql` returns, as text.
async fn value(client: &Client, sql: &str) -> Option<String> {
    text_rows(client, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", godwit_testkit::describe(&e)))[0][0]
        .clone()
}

const SCRIPT: &str = "
CREATE OR REPLACE TYPE point_t AS OBJECT (x NUMBER, y NUMBER);
/
CREATE OR REPLACE PACKAGE ctx_demo AS
  FUNCTION current_level RETURN VARCHAR2;
  PROCEDURE set_level(p_level IN VARCHAR2);
  PROCEDURE forget(p_attribute IN VARCHAR2 DEFAULT NULL);
  FUNCTION is_debug RETURN BOOLEAN;
  FUNCTION describe RETURN VARCHAR2;
  FUNCTION origin RETURN point_t;
END ctx_demo;
/
CREATE OR REPLACE PACKAGE BODY ctx_demo AS
  FUNCTION current_level RETURN VARCHAR2 IS
  BEGIN
    RETURN SYS_CONTEXT('DEMO_CTX', 'LEVEL');
  END current_level;

  PROCEDURE set_level(p_level IN VARCHAR2) IS
  BEGIN
    DBMS_SESSION.SET_CONTEXT(namespace => 'DEMO_CTX', attribute => 'LEVEL', value => p_level);
    DBMS_SESSION.SET_CONTEXT('DEMO_CTX', 'SET_BY', 'set_level');
  END set_level;

  PROCEDURE forget(p_attribute IN VARCHAR2 DEFAULT NULL) IS
  BEGIN
    IF p_attribute IS NULL THEN
      DBMS_SESSION.CLEAR_ALL_CONTEXT('DEMO_CTX');
    ELSE
      DBMS_SESSION.CLEAR_CONTEXT('DEMO_CTX', NULL, p_attribute);
    END IF;
  END forget;

  FUNCTION is_debug RETURN BOOLEAN IS
  BEGIN
    RETURN current_level = 'DEBUG';
  END is_debug;

  FUNCTION describe RETURN VARCHAR2 IS
  BEGIN
    -- Parameterless functions, called without parentheses, unqualified and qualified.
    IF is_debug AND ctx_demo.is_debug THEN
      RETURN 'debug, set by ' || SYS_CONTEXT('DEMO_CTX', 'SET_BY');
    END IF;
    RETURN 'quiet' || SYS_CONTEXT('DEMO_CTX', 'SET_BY');
  END describe;

  FUNCTION origin RETURN point_t IS
    v point_t;
  BEGIN
    SELECT point_t(0, 1) INTO v FROM dual;
    RETURN v;
  END origin;
END ctx_demo;
/
";

#[tokio::test]
async fn application_contexts_parameterless_calls_and_constructors_behave_as_in_oracle() {
    let (conversion, _db, client) = loaded("plsql_builtins", SCRIPT).await;
    all_converted(&conversion);

    let describe = "SELECT ctx_demo.describe()";
    assert_eq!(value(&client, describe).await, Some("quiet".into()));
    client
        .batch_execute("CALL ctx_demo.set_level('DEBUG')")
        .await
        .unwrap();
    assert_eq!(
        value(&client, describe).await,
        Some("debug, set by set_level".into())
    );
    client
        .batch_execute("CALL ctx_demo.forget('LEVEL')")
        .await
        .unwrap();
    assert_eq!(
        value(&client, describe).await,
        Some("quietset_level".into()),
        "only LEVEL is cleared"
    );
    client
        .batch_execute("CALL ctx_demo.forget()")
        .await
        .unwrap();
    assert_eq!(value(&client, describe).await, Some("quiet".into()));
    assert_eq!(
        value(&client, "SELECT (ctx_demo.origin()).y").await,
        Some("1".into())
    );
}

const LOCAL_SUBPROGRAMS: &str = "
CREATE OR REPLACE FUNCTION describe_list(p_sep IN VARCHAR2, p_show_null IN BOOLEAN DEFAULT FALSE)
RETURN VARCHAR2 IS
  l_out VARCHAR2(4000);
  l_count PLS_INTEGER := 0;
  -- Reads the enclosing function's parameters, assigns its variables.
  PROCEDURE append(p_name IN VARCHAR2, p_value IN VARCHAR2) IS
  BEGIN
    IF p_value IS NOT NULL OR p_show_null THEN
      IF l_count > 0 THEN
        l_out := l_out || p_sep;
      END IF;
      l_out := l_out || p_name || '=' || NVL(p_value, 'null');
      l_count := l_count + 1;
    END IF;
  END append;
  -- Reads a variable; called without parentheses.
  FUNCTION total RETURN VARCHAR2 IS
  BEGIN
    RETURN ' (' || l_count || ')';
  END total;
  -- Shares the variables only through the procedure it calls.
  PROCEDURE append_twice(p_name IN VARCHAR2) IS
  BEGIN
    append(p_name, 'x');
    append(p_name, 'y');
  END append_twice;
BEGIN
  append('a', '1');
  append('b', NULL);
  append(p_name => 'c', p_value => '3');
  append_twice('d');
  RETURN l_out || total;
END;
/
";

#[tokio::test]
async fn local_subprograms_share_the_enclosing_routines_variables() {
    let (conversion, _db, client) = loaded("plsql_local_subprograms", LOCAL_SUBPROGRAMS).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT describe_list(', ')").await,
        Some("a=1, c=3, d=x, d=y (4)".into())
    );
    assert_eq!(
        value(&client, "SELECT describe_list('; ', TRUE)").await,
        Some("a=1; b=null; c=3; d=x; d=y (5)".into())
    );
}

const PACKAGE_COLLECTIONS: &str = "
CREATE OR REPLACE PACKAGE stack_pkg AS
  TYPE t_items IS TABLE OF VARCHAR2(100);
  g_items t_items := t_items();
  PROCEDURE push(p IN VARCHAR2);
  FUNCTION pop RETURN VARCHAR2;
  FUNCTION size_of RETURN NUMBER;
  PROCEDURE push_twice(p IN VARCHAR2);
  PROCEDURE remember_size;
  FUNCTION remembered RETURN NUMBER;
END stack_pkg;
/
CREATE OR REPLACE PACKAGE BODY stack_pkg AS
  TYPE t_sizes IS TABLE OF NUMBER INDEX BY PLS_INTEGER;
  g_sizes t_sizes;

  PROCEDURE push(p IN VARCHAR2) IS
  BEGIN
    g_items.EXTEND;
    g_items(g_items.LAST) := p;
    g_sizes(g_sizes.COUNT + 1) := g_items.COUNT;
  END push;

  FUNCTION pop RETURN VARCHAR2 IS
    v VARCHAR2(100);
  BEGIN
    v := g_items(g_items.LAST);
    g_items.TRIM;
    RETURN v;
  END pop;

  FUNCTION size_of RETURN NUMBER IS
  BEGIN
    RETURN stack_pkg.g_items.COUNT * 1000 + g_sizes.COUNT;
  END size_of;

  g_remembered NUMBER := -1;

  PROCEDURE size_into(po_size OUT NUMBER) IS
  BEGIN
    po_size := g_items.COUNT;
  END size_into;

  -- A package variable as a procedure's OUT argument.
  PROCEDURE remember_size IS
  BEGIN
    size_into(po_size => g_remembered);
  END remember_size;

  FUNCTION remembered RETURN NUMBER IS
  BEGIN
    RETURN g_remembered;
  END remembered;

  PROCEDURE push_twice(p IN VARCHAR2) IS
  BEGIN
    push(p);
    push(p || '!');
    -- Sees what the sibling calls changed.
    g_items(1) := 'first:' || g_items.COUNT;
  END push_twice;
END stack_pkg;
/
";

#[tokio::test]
async fn package_collection_variables_last_as_long_as_the_session() {
    let (conversion, db, client) = loaded("plsql_package_collections", PACKAGE_COLLECTIONS).await;
    all_converted(&conversion);
    client
        .batch_execute("CALL stack_pkg.push('a'); CALL stack_pkg.push_twice('b');")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT stack_pkg.remembered()")
            .await
            .as_deref(),
        Some("-1")
    );
    client
        .batch_execute("CALL stack_pkg.remember_size()")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT stack_pkg.remembered()")
            .await
            .as_deref(),
        Some("3")
    );
    let size = "SELECT stack_pkg.size_of()";
    assert_eq!(value(&client, size).await, Some("3003".into()));
    let pop = "SELECT stack_pkg.pop()";
    assert_eq!(value(&client, pop).await, Some("b!".into()));
    assert_eq!(value(&client, pop).await, Some("b".into()));
    assert_eq!(value(&client, size).await, Some("1003".into()));
    assert_eq!(value(&client, pop).await, Some("first:3".into()));
    // Another session starts with the initial values.
    let other = db.connect().await;
    assert_eq!(value(&other, size).await, Some("0".into()));
}

const SIGNATURES: &str = "
CREATE OR REPLACE FUNCTION scaled(p_factor IN NUMBER DEFAULT 10, p_value IN NUMBER) RETURN NUMBER IS
  e_compile EXCEPTION;
  PRAGMA EXCEPTION_INIT(e_compile, -6550);
BEGIN
  RETURN p_factor * p_value;
EXCEPTION
  WHEN e_compile THEN
    RETURN -1;
END;
/
";

#[tokio::test]
async fn oracle_signatures_postgresql_refuses_are_adapted_and_said() {
    let (conversion, _db, client) = loaded("plsql_signatures", SIGNATURES).await;
    all_converted(&conversion);
    let report = &conversion.objects[0];
    assert_eq!(report.status, Status::ConvertedWithFindings, "{report:#?}");
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
    // A parameter without a default after one with a default gets DEFAULT NULL; an Oracle error
    // PostgreSQL never raises keeps its handler, which can then only catch RAISE e_compile.
    assert!(ids.contains(&"GW-PLSQL-DEFAULT-ADDED"), "{ids:?}");
    assert!(ids.contains(&"GW-PLSQL-EXCEPTION-CODE"), "{ids:?}");
    let rows = text_rows(&client, "SELECT scaled(p_value => 4), scaled(2, 4)")
        .await
        .unwrap();
    assert_eq!(rows[0], [Some("40".to_string()), Some("8".to_string())]);
}

const TEXT_KEYED_TABLES: &str = "
CREATE OR REPLACE PACKAGE timers AS
  PROCEDURE start_timer(p_name IN VARCHAR2);
  PROCEDURE stop_timer(p_name IN VARCHAR2);
  FUNCTION started(p_name IN VARCHAR2) RETURN NUMBER;
  FUNCTION names RETURN VARCHAR2;
  FUNCTION names_backwards RETURN VARCHAR2;
END timers;
/
CREATE OR REPLACE PACKAGE BODY timers AS
  TYPE t_starts IS TABLE OF NUMBER INDEX BY VARCHAR2(100);
  g_starts t_starts;

  PROCEDURE start_timer(p_name IN VARCHAR2) IS
  BEGIN
    g_starts(p_name) := g_starts.COUNT + 1;
  END start_timer;

  PROCEDURE stop_timer(p_name IN VARCHAR2) IS
  BEGIN
    g_starts.DELETE(p_name);
  END stop_timer;

  FUNCTION started(p_name IN VARCHAR2) RETURN NUMBER IS
  BEGIN
    IF g_starts.EXISTS(p_name) THEN
      RETURN g_starts(p_name);
    END IF;
    RETURN 0;
  END started;

  FUNCTION names RETURN VARCHAR2 IS
    l_key VARCHAR2(100);
    l_out VARCHAR2(4000);
  BEGIN
    l_key := g_starts.FIRST;
    WHILE l_key IS NOT NULL LOOP
      l_out := l_out || l_key || '=' || g_starts(l_key) || ';';
      l_key := g_starts.NEXT(l_key);
    END LOOP;
    RETURN l_out;
  END names;

  FUNCTION names_backwards RETURN VARCHAR2 IS
    TYPE t_seen IS TABLE OF VARCHAR2(10) INDEX BY VARCHAR2(100);
    l_seen t_seen;
    l_key VARCHAR2(100);
    l_out VARCHAR2(4000);
  BEGIN
    l_key := g_starts.LAST;
    WHILE l_key IS NOT NULL LOOP
      l_seen(l_key) := 'seen';
      l_out := l_out || l_key;
      l_key := g_starts.PRIOR(l_key);
    END LOOP;
    RETURN l_out || ':' || l_seen.COUNT;
  END names_backwards;
END timers;
/
";

#[tokio::test]
async fn tables_indexed_by_text_are_walked_in_key_order() {
    let (conversion, _db, client) = loaded("plsql_text_keyed", TEXT_KEYED_TABLES).await;
    all_converted(&conversion);
    client
        .batch_execute(
            "CALL timers.start_timer('b'); CALL timers.start_timer('a'); CALL timers.start_timer('B');",
        )
        .await
        .unwrap();
    // Oracle's binary order of VARCHAR2 keys: upper case before lower case.
    let names = "SELECT timers.names()";
    assert_eq!(value(&client, names).await, Some("B=3;a=2;b=1;".into()));
    assert_eq!(
        value(&client, "SELECT timers.names_backwards()").await,
        Some("baB:3".into())
    );
    let started = "SELECT timers.started('a')";
    assert_eq!(value(&client, started).await, Some("2".into()));
    client
        .batch_execute("CALL timers.stop_timer('a')")
        .await
        .unwrap();
    assert_eq!(value(&client, names).await, Some("B=3;b=1;".into()));
    assert_eq!(value(&client, started).await, Some("0".into()));
}

const BLOCKS: &str = "
CREATE TABLE squares (n NUMBER PRIMARY KEY, sq NUMBER);
CREATE TABLE totals (k VARCHAR2(10) PRIMARY KEY, v NUMBER);
DECLARE
  v_total NUMBER := 0;
BEGIN
  FOR i IN 1 .. 10 LOOP
    IF MOD(i, 2) = 0 THEN
      INSERT INTO squares VALUES (i, i * i);
      v_total := v_total + i * i;
    END IF;
  END LOOP;
  UPDATE squares SET sq = -sq WHERE n = 10;
  INSERT INTO squares VALUES (0, v_total);
  MERGE INTO totals t
  USING (SELECT 'sq' k, SUM(sq) v FROM squares) s
  ON (t.k = s.k)
  WHEN MATCHED THEN UPDATE SET t.v = s.v
  WHEN NOT MATCHED THEN INSERT (t.k, t.v) VALUES (s.k, s.v);
  COMMIT;
END;
/
BEGIN
  FOR r IN (SELECT table_name FROM user_tables) LOOP
    EXECUTE IMMEDIATE 'DROP TABLE ' || r.table_name;
  END LOOP;
END;
/
";

#[tokio::test]
async fn anonymous_blocks_become_do_blocks_and_their_rows_arrive() {
    let (conversion, _db, client) = loaded("plsql_blocks", BLOCKS).await;
    let blocks: Vec<_> = conversion
        .objects
        .iter()
        .filter(|o| o.kind == "ANONYMOUS BLOCK")
        .collect();
    assert_eq!(blocks.len(), 2, "{blocks:#?}");
    assert_eq!(blocks[0].status, Status::Converted, "{:#?}", blocks[0]);
    // A block that reads Oracle's dictionary to drop what exists is not converted, and says why.
    assert_eq!(blocks[1].status, Status::NotConverted);
    assert!(
        blocks[1].findings[0]
            .message
            .contains("data dictionary (user_tables)"),
        "{}",
        blocks[1].findings[0].message
    );
    let rows = text_rows(
        &client,
        "SELECT count(*), sum(sq) FILTER (WHERE n > 0), max(sq) FILTER (WHERE n = 0) FROM squares",
    )
    .await
    .unwrap();
    // 2² + 4² + 6² + 8² − 10², and the total the block computed before the UPDATE.
    assert_eq!(
        rows[0],
        [
            Some("6".to_string()),
            Some("20".to_string()),
            Some("220".to_string())
        ]
    );
    // The block's MERGE (qualified SET and INSERT columns in Oracle) inserted the sum.
    assert_eq!(
        value(&client, "SELECT v FROM totals WHERE k = 'sq'")
            .await
            .as_deref(),
        Some("240")
    );
}

const TRIGGERS: &str = "
CREATE TABLE emp (id NUMBER PRIMARY KEY, sal NUMBER, name VARCHAR2(30), changed VARCHAR2(100));
CREATE TABLE emp_log (msg VARCHAR2(200));
CREATE SEQUENCE emp_seq START WITH 100;
CREATE OR REPLACE TRIGGER emp_bi BEFORE INSERT ON emp FOR EACH ROW
WHEN (NEW.id IS NULL)
BEGIN
  :NEW.id := emp_seq.NEXTVAL;
END;
/
CREATE OR REPLACE TRIGGER emp_bu BEFORE UPDATE OF sal, name ON emp FOR EACH ROW
BEGIN
  IF UPDATING('SAL') THEN
    :NEW.changed := 'sal';
  ELSIF UPDATING('NAME') THEN
    :NEW.changed := 'name';
  END IF;
END;
/
CREATE OR REPLACE TRIGGER emp_aiud AFTER INSERT OR UPDATE OR DELETE ON emp
BEGIN
  IF INSERTING THEN INSERT INTO emp_log VALUES ('insert'); END IF;
  IF UPDATING THEN INSERT INTO emp_log VALUES ('update'); END IF;
  IF DELETING THEN INSERT INTO emp_log VALUES ('delete'); END IF;
END;
/
CREATE OR REPLACE TRIGGER emp_no_delete BEFORE DELETE ON emp FOR EACH ROW DISABLE
BEGIN
  RAISE_APPLICATION_ERROR(-20001, 'no deletes');
END;
/
CREATE OR REPLACE TRIGGER emp_compound FOR UPDATE ON emp COMPOUND TRIGGER
  BEFORE STATEMENT IS BEGIN NULL; END BEFORE STATEMENT;
END emp_compound;
/
";

#[tokio::test]
async fn triggers_see_which_event_and_column_and_keep_their_state() {
    let (conversion, _db, client) = loaded("plsql_triggers", TRIGGERS).await;
    refused(&conversion, "public.emp_compound", "compound");
    client
        .batch_execute(
            "INSERT INTO emp (sal, name) VALUES (10, 'a');
             UPDATE emp SET sal = 20;
             INSERT INTO emp (id, sal, name) VALUES (1, 5, 'b');
             UPDATE emp SET name = 'bb' WHERE id = 1;
             DELETE FROM emp WHERE id = 1;",
        )
        .await
        .unwrap_or_else(|e| panic!("{}", godwit_testkit::describe(&e)));
    let rows = text_rows(&client, "SELECT id, changed FROM emp")
        .await
        .unwrap();
    // The sequence filled the key; UPDATING('SAL') saw the salary change; the disabled trigger let
    // the DELETE through.
    assert_eq!(rows, [[Some("100".to_string()), Some("sal".to_string())]]);
    let log = text_rows(&client, "SELECT string_agg(msg, ',') FROM emp_log")
        .await
        .unwrap();
    assert_eq!(
        log[0][0].as_deref(),
        Some("insert,update,insert,update,delete")
    );
}

const CURSOR_ATTRIBUTES: &str = "
CREATE TABLE items (id NUMBER PRIMARY KEY);
INSERT INTO items VALUES (1);
INSERT INTO items VALUES (2);
INSERT INTO items VALUES (3);
CREATE OR REPLACE FUNCTION walk RETURN VARCHAR2 IS
  CURSOR c IS SELECT id FROM items ORDER BY id;
  v NUMBER;
  l_out VARCHAR2(200);
BEGIN
  IF NOT c%ISOPEN THEN
    l_out := 'closed;';
  END IF;
  OPEN c;
  LOOP
    FETCH c INTO v;
    EXIT WHEN c%NOTFOUND;
    l_out := l_out || c%ROWCOUNT || ':' || v || ';';
  END LOOP;
  l_out := l_out || 'fetched ' || c%ROWCOUNT || ';';
  IF c%ISOPEN THEN
    CLOSE c;
  END IF;
  IF NOT c%ISOPEN AND NOT SQL%ISOPEN THEN
    l_out := l_out || 'closed';
  END IF;
  RETURN l_out;
END;
/
";

#[tokio::test]
async fn explicit_cursors_know_whether_they_are_open_and_how_many_rows_they_fetched() {
    let (conversion, _db, client) = loaded("plsql_cursor_attributes", CURSOR_ATTRIBUTES).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT walk()").await.as_deref(),
        Some("closed;1:1;2:2;3:3;fetched 3;closed")
    );
}

const CURSOR_FOR_LOOPS: &str = "
CREATE TABLE items (id NUMBER PRIMARY KEY);
INSERT INTO items VALUES (1);
INSERT INTO items VALUES (2);
INSERT INTO items VALUES (3);
CREATE OR REPLACE TYPE names_t AS TABLE OF VARCHAR2(30);
/
CREATE OR REPLACE FUNCTION loop_walk(p_skip IN names_t) RETURN VARCHAR2 IS
  CURSOR c IS SELECT id FROM items
    WHERE 'n' || id NOT IN (SELECT column_value FROM TABLE(p_skip)) ORDER BY id;
  l_out VARCHAR2(200);
  l_n NUMBER;
BEGIN
  FOR r IN c LOOP
    l_out := l_out || c%ROWCOUNT || '=' || r.id || CASE WHEN c%ISOPEN THEN 'o' END || ';';
  END LOOP;
  IF NOT c%ISOPEN THEN
    l_out := l_out || 'closed;';
  END IF;
  <<again>>
  FOR r IN c LOOP
    EXIT again WHEN c%ROWCOUNT = 2;
    l_out := l_out || c%ROWCOUNT || ';';
  END LOOP again;
  SELECT COUNT(*) INTO l_n FROM TABLE(p_skip) t WHERE t.column_value LIKE 'n%';
  RETURN l_out || l_n;
END;
/
";

#[tokio::test]
async fn cursor_for_loops_count_their_rows_and_collections_are_read_as_tables() {
    let (conversion, _db, client) = loaded("plsql_cursor_for_loops", CURSOR_FOR_LOOPS).await;
    all_converted(&conversion);
    // Rows 1 and 3 (n2 is skipped); %ROWCOUNT counts from 1 in each loop, the cursor is open inside
    // it and closed after; the second loop leaves at its second row.
    assert_eq!(
        value(&client, "SELECT loop_walk(ARRAY['n2', 'x']::names_t)")
            .await
            .as_deref(),
        Some("1=1o;2=3o;closed;1;1")
    );
    // An empty collection skips nothing and counts nothing.
    assert_eq!(
        value(&client, "SELECT loop_walk(ARRAY[]::names_t)")
            .await
            .as_deref(),
        Some("1=1o;2=2o;3=3o;closed;1;0")
    );
}

const DATES_AND_DYNAMIC_SQL: &str = "
CREATE TABLE events (id NUMBER PRIMARY KEY, at DATE);
CREATE TABLE stays (id NUMBER PRIMARY KEY, arrived DATE, left_on DATE);
INSERT INTO stays VALUES (1, DATE '2024-03-01', DATE '2024-03-04');
CREATE VIEW stay_lengths AS SELECT s.id, s.left_on - s.arrived nights, arrived + 1 next_day FROM stays s;
CREATE OR REPLACE FUNCTION days_apart(p_from IN DATE, p_to IN DATE) RETURN NUMBER IS
BEGIN
  -- Oracle's DATE - DATE is a number of days.
  RETURN p_to - p_from;
END;
/
CREATE OR REPLACE FUNCTION next_noon(p_day IN DATE) RETURN DATE IS
  l_day DATE := TRUNC(p_day);
BEGIN
  RETURN l_day + 1 + 12/24;
END;
/
CREATE OR REPLACE FUNCTION padded(p_value IN VARCHAR2, p_width IN NUMBER) RETURN VARCHAR2 IS
BEGIN
  RETURN LPAD(p_value, p_width, '*') || CHR(p_width + 30);
END;
/
CREATE OR REPLACE FUNCTION lob_copy RETURN CLOB IS
  d CLOB := 'hello world';
BEGIN
  DBMS_LOB.COPY(d, 'WORLD!', 5, 7, 1);
  RETURN d;
END;
/
CREATE OR REPLACE FUNCTION count_events(p_after IN DATE) RETURN NUMBER IS
  n NUMBER;
BEGIN
  EXECUTE IMMEDIATE 'INSERT INTO events VALUES (:1, :2)' USING 1, p_after + 2;
  EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM events WHERE at > :d' INTO n USING p_after;
  RETURN n;
END;
/
";

#[tokio::test]
async fn date_arithmetic_on_variables_integer_arguments_and_literal_dynamic_sql() {
    let (conversion, _db, client) = loaded("plsql_dates", DATES_AND_DYNAMIC_SQL).await;
    all_converted(&conversion);
    let checks = [
        (
            "SELECT days_apart('2024-03-01 00:00', '2024-03-02 12:00')",
            "1.5",
        ),
        (
            "SELECT next_noon('2024-02-28 17:45')",
            "2024-02-29 12:00:00",
        ),
        ("SELECT padded('ab', 5.9)", "***ab#"),
        ("SELECT count_events('2024-01-01')", "1"),
        ("SELECT lob_copy()", "hello WORLD"),
        // Date columns of the tables the script creates, in a view.
        (
            "SELECT nights || ' ' || next_day FROM stay_lengths",
            "3 2024-03-02 00:00:00",
        ),
    ];
    for (sql, expected) in checks {
        assert_eq!(
            value(&client, sql).await.as_deref(),
            Some(expected),
            "{sql}"
        );
    }
}

const PACKAGE_RECORDS: &str = "
CREATE OR REPLACE PACKAGE str_types AS
  SUBTYPE t_big IS VARCHAR2(32767);
END str_types;
/
CREATE OR REPLACE PACKAGE shapes AS
  TYPE t_box IS RECORD (width PLS_INTEGER, height PLS_INTEGER, label str_types.t_big, filled BOOLEAN);
  FUNCTION area(p_box IN t_box) RETURN NUMBER;
  FUNCTION make(p_w IN PLS_INTEGER, p_h IN PLS_INTEGER) RETURN t_box;
END shapes;
/
CREATE OR REPLACE PACKAGE BODY shapes AS
  FUNCTION area(p_box IN t_box) RETURN NUMBER IS
  BEGIN
    RETURN p_box.width * p_box.height;
  END area;

  FUNCTION make(p_w IN PLS_INTEGER, p_h IN PLS_INTEGER) RETURN t_box IS
    v t_box;
  BEGIN
    v.width := p_w;
    v.height := p_h;
    v.label := 'box';
    v.filled := TRUE;
    RETURN v;
  END make;
END shapes;
/
";

#[tokio::test]
async fn package_records_hold_pl_sql_integers_booleans_and_other_packages_subtypes() {
    let (conversion, _db, client) = loaded("plsql_package_records", PACKAGE_RECORDS).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT shapes.area(shapes.make(3, 4))")
            .await
            .as_deref(),
        Some("12")
    );
    assert_eq!(
        value(
            &client,
            "SELECT (shapes.make(2, 5)).label || ':' || (shapes.make(2, 5)).filled"
        )
        .await
        .as_deref(),
        Some("box:true")
    );
}

const LOCAL_RECORDS: &str = "
CREATE OR REPLACE FUNCTION level_table RETURN VARCHAR2 IS
  TYPE rec_level IS RECORD (name VARCHAR2(30), lowest NUMBER, highest PLS_INTEGER);
  TYPE tab_level IS TABLE OF rec_level INDEX BY PLS_INTEGER;
  l_levels tab_level;
  l_out VARCHAR2(400);

  FUNCTION make(p_name VARCHAR2, p_low NUMBER, p_high NUMBER) RETURN rec_level IS
    l rec_level;
  BEGIN
    l.name := p_name;
    l.lowest := p_low;
    l.highest := p_high;
    RETURN l;
  END make;
BEGIN
  l_levels(l_levels.COUNT + 1) := make('error', 1, 2);
  l_levels(l_levels.COUNT + 1) := make('debug', 16, 32);
  FOR i IN 1 .. l_levels.COUNT LOOP
    l_out := l_out || l_levels(i).name || '=' || (l_levels(i).highest - l_levels(i).lowest) || ';';
  END LOOP;
  RETURN l_out;
END;
/
";

#[tokio::test]
async fn record_types_declared_in_a_routine_become_composite_types_beside_it() {
    let (conversion, _db, client) = loaded("plsql_local_records", LOCAL_RECORDS).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT level_table()").await.as_deref(),
        Some("error=1;debug=16;")
    );
    assert_eq!(
        value(
            &client,
            "SELECT count(*) FROM pg_type WHERE typname = 'level_table__rec_level'"
        )
        .await
        .as_deref(),
        Some("1")
    );
}

const QUERIES_IN_ROUTINES: &str = "
CREATE TABLE dept (id NUMBER PRIMARY KEY, name VARCHAR2(20));
CREATE TABLE staff (id NUMBER PRIMARY KEY, dept_id NUMBER, name VARCHAR2(20));
INSERT INTO dept VALUES (1, 'a');
INSERT INTO dept VALUES (2, 'b');
INSERT INTO staff VALUES (1, 1, 'x');
CREATE OR REPLACE FUNCTION dept_summary RETURN VARCHAR2 IS
  l_out VARCHAR2(400);
  n NUMBER;
BEGIN
  FOR r IN (SELECT d.name, s.name staff FROM dept d, staff s WHERE d.id = s.dept_id(+) ORDER BY d.id) LOOP
    l_out := l_out || r.name || ':' || NVL(r.staff, '-') || ';';
  END LOOP;
  SELECT id INTO n FROM dept WHERE name = 'b' AND ROWNUM = 1;
  FOR x IN (SELECT LEVEL lv FROM dual CONNECT BY LEVEL <= 2) LOOP
    l_out := l_out || x.lv;
  END LOOP;
  RETURN l_out || ':' || n;
END;
/
";

#[tokio::test]
async fn the_sql_inside_routines_gets_the_query_rules() {
    let (conversion, _db, client) = loaded("plsql_queries", QUERIES_IN_ROUTINES).await;
    all_converted(&conversion);
    // (+) outer join, ROWNUM and the CONNECT BY row generator, inside a function.
    assert_eq!(
        value(&client, "SELECT dept_summary()").await.as_deref(),
        Some("a:x;b:-;12:2")
    );
}

const XMLTYPE: &str = "
CREATE OR REPLACE FUNCTION bucket_names(p_response IN CLOB) RETURN VARCHAR2 IS
  l_xml XMLTYPE := XMLTYPE(p_response);
  l_ns VARCHAR2(100) := 'xmlns:s3=\"http://s3.example/doc\"';
  l_out VARCHAR2(400);
BEGIN
  IF l_xml.existsnode('/s3:Result/s3:Bucket', l_ns) = 1 THEN
    l_out := EXTRACTVALUE(l_xml, '/s3:Result/s3:Owner', l_ns) || ':'
      || l_xml.extract('/s3:Result/s3:Bucket/s3:Name/text()', l_ns).getstringval;
  END IF;
  IF l_xml.existsnode('/s3:Result/s3:Missing', l_ns) = 0 THEN
    l_out := l_out || ':none missing';
  END IF;
  RETURN l_out;
END;
/
";

#[tokio::test]
async fn xmltype_methods_read_documents_with_namespaces() {
    let (conversion, _db, client) = loaded("plsql_xmltype", XMLTYPE).await;
    all_converted(&conversion);
    let doc = r#"<Result xmlns="http://s3.example/doc"><Owner>ann</Owner><Bucket><Name>a</Name></Bucket><Bucket><Name>b</Name></Bucket></Result>"#;
    assert_eq!(
        value(&client, &format!("SELECT bucket_names('{doc}')"))
            .await
            .as_deref(),
        Some("ann:ab:none missing")
    );
}

#[test]
fn an_oracle_supplied_call_without_a_rule_is_refused_by_name_wherever_it_is() {
    let conversion = converted(
        "supplied",
        "CREATE OR REPLACE FUNCTION escaped(p IN VARCHAR2) RETURN VARCHAR2 IS
           l VARCHAR2(400) := UTL_I18N.UNESCAPE_REFERENCE(p);
         BEGIN
           RETURN l;
         END;
         /
         CREATE OR REPLACE FUNCTION hashed(p IN RAW) RETURN RAW IS
         BEGIN
           RETURN UTL_COMPRESS.LZ_COMPRESS_OPEN(p);
         END;
         /
         CREATE OR REPLACE FUNCTION who RETURN VARCHAR2 IS
         BEGIN
           RETURN 'by ' || SYS_CONTEXT('userenv', 'os_user');
         END;
         /
         CREATE OR REPLACE FUNCTION fetched(p_url IN VARCHAR2) RETURN CLOB IS
         BEGIN
           RETURN httpuritype(p_url).getclob();
         END;
         /",
    );
    for (name, call) in [
        (
            "public.escaped",
            "package call utl_i18n.unescape_reference is not converted yet",
        ),
        (
            "public.hashed",
            "package call utl_compress.lz_compress_open is not converted yet",
        ),
        (
            "public.who",
            "SYS_CONTEXT('USERENV', 'OS_USER') has no PostgreSQL equivalent",
        ),
        (
            "public.fetched",
            "HTTPURITYPE (an HTTP request made by the database) has no PostgreSQL equivalent",
        ),
    ] {
        refused(&conversion, name, call);
    }
}

#[test]
fn overloads_that_collapse_to_one_postgresql_signature_keep_the_first_and_say_so() {
    let conversion = converted(
        "overloads",
        "CREATE OR REPLACE PACKAGE fmt AS
           FUNCTION show(p IN NUMBER) RETURN VARCHAR2;
           FUNCTION show(p IN INTEGER) RETURN VARCHAR2;
           FUNCTION show(p IN VARCHAR2) RETURN VARCHAR2;
         END fmt;
         /
         CREATE OR REPLACE PACKAGE BODY fmt AS
           FUNCTION show(p IN NUMBER) RETURN VARCHAR2 IS BEGIN RETURN 'number'; END;
           FUNCTION show(p IN INTEGER) RETURN VARCHAR2 IS BEGIN RETURN 'integer'; END;
           FUNCTION show(p IN VARCHAR2) RETURN VARCHAR2 IS BEGIN RETURN 'text'; END;
         END fmt;
         /",
    );
    let status = |name: &str| {
        conversion
            .objects
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{name}: {:#?}", conversion.objects))
    };
    assert_eq!(status("fmt.show").status, Status::Converted);
    assert_eq!(
        status("fmt.\"show (overload 3)\"").status,
        Status::Converted
    );
    refused(
        &conversion,
        "fmt.\"show (overload 2)\"",
        "is the same as that of fmt.show, which is kept",
    );
}

const PACKAGE_INITIALIZATION: &str = "
CREATE TABLE init_log (n NUMBER);
CREATE OR REPLACE PACKAGE cfg AS
  FUNCTION rate RETURN NUMBER;
  PROCEDURE bump;
END cfg;
/
CREATE OR REPLACE PACKAGE BODY cfg AS
  g_rate NUMBER;

  FUNCTION rate RETURN NUMBER IS
  BEGIN
    RETURN g_rate;
  END rate;

  PROCEDURE bump IS
  BEGIN
    g_rate := g_rate + 1;
  END bump;
BEGIN
  g_rate := 42;
  INSERT INTO init_log VALUES (1);
END cfg;
/
";

#[tokio::test]
async fn a_package_initialization_section_runs_once_per_session_before_its_first_use() {
    let (conversion, db, client) = loaded("plsql_package_init", PACKAGE_INITIALIZATION).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT cfg.rate()").await.as_deref(),
        Some("42")
    );
    client.batch_execute("CALL cfg.bump()").await.unwrap();
    assert_eq!(
        value(&client, "SELECT cfg.rate()").await.as_deref(),
        Some("43")
    );
    assert_eq!(
        value(&client, "SELECT count(*) FROM init_log")
            .await
            .as_deref(),
        Some("1")
    );
    // A new session runs it again, for itself.
    let other = db.connect().await;
    assert_eq!(
        value(&other, "SELECT cfg.rate()").await.as_deref(),
        Some("42")
    );
    assert_eq!(
        value(&other, "SELECT count(*) FROM init_log")
            .await
            .as_deref(),
        Some("2")
    );
}

const ERROR_BACKTRACE: &str = "
CREATE TABLE error_log (what VARCHAR2(4000), backtrace VARCHAR2(4000));
CREATE OR REPLACE PROCEDURE risky(p IN NUMBER) AS
  l NUMBER;
BEGIN
  l := CASE WHEN p > 0 THEN 1 / p ELSE 1 / (p - p) END;
EXCEPTION
  WHEN ZERO_DIVIDE THEN
    INSERT INTO error_log VALUES ('zero', DBMS_UTILITY.FORMAT_ERROR_BACKTRACE);
  WHEN OTHERS THEN
    INSERT INTO error_log VALUES ('other', DBMS_UTILITY.FORMAT_ERROR_BACKTRACE);
END;
/
CREATE OR REPLACE PROCEDURE with_savepoint AS
BEGIN
  SAVEPOINT before_insert;
  INSERT INTO error_log VALUES ('x', NULL);
  ROLLBACK TO before_insert;
END;
/
";

#[tokio::test]
async fn an_exception_handler_reads_the_error_backtrace_and_savepoints_are_refused() {
    let (conversion, _db, client) = loaded("plsql_backtrace", ERROR_BACKTRACE).await;
    refused(&conversion, "public.with_savepoint", "savepoints");
    client
        .batch_execute("CALL risky(0); CALL risky(2);")
        .await
        .unwrap();
    let rows = text_rows(
        &client,
        "SELECT what, backtrace LIKE '%risky%line%' FROM error_log",
    )
    .await
    .unwrap();
    // Only the failing call logged, with where it failed.
    assert_eq!(rows, [[Some("zero".to_string()), Some("t".to_string())]]);
}

const OTHER_PACKAGES_COLLECTIONS: &str = "
CREATE OR REPLACE PACKAGE types_pkg AS
  TYPE t_names IS TABLE OF VARCHAR2(30);
  TYPE rec_pair IS RECORD (k VARCHAR2(10), v NUMBER);
  TYPE t_pairs IS TABLE OF rec_pair INDEX BY PLS_INTEGER;
END types_pkg;
/
CREATE OR REPLACE PACKAGE user_pkg AS
  FUNCTION count_names(p IN types_pkg.t_names) RETURN NUMBER;
  FUNCTION pair_total RETURN NUMBER;
END user_pkg;
/
CREATE OR REPLACE PACKAGE BODY user_pkg AS
  FUNCTION count_names(p IN types_pkg.t_names) RETURN NUMBER IS
    l types_pkg.t_names := p;
  BEGIN
    l.EXTEND;
    l(l.LAST) := 'extra';
    RETURN l.COUNT;
  END count_names;

  FUNCTION pair_total RETURN NUMBER IS
    l types_pkg.t_pairs;
    r types_pkg.rec_pair;
  BEGIN
    r.k := 'a';
    r.v := 2;
    l(1) := r;
    r.v := 5;
    l(2) := r;
    RETURN l(1).v + l(2).v;
  END pair_total;
END user_pkg;
/
";

#[tokio::test]
async fn collection_types_of_other_packages_are_usable_by_their_qualified_name() {
    let (conversion, _db, client) = loaded(
        "plsql_other_packages_collections",
        OTHER_PACKAGES_COLLECTIONS,
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT user_pkg.count_names(ARRAY['a', 'b'])")
            .await
            .as_deref(),
        Some("3")
    );
    assert_eq!(
        value(&client, "SELECT user_pkg.pair_total()")
            .await
            .as_deref(),
        Some("7")
    );
}

#[tokio::test]
async fn records_hold_records_and_subtypes_anchored_to_variables_of_packages_read_later() {
    // doc_pkg's spec comes before text_pkg's, whose subtype it uses; t_doc holds t_props, which
    // sorts after it.
    let (conversion, _db, client) = loaded(
        "nested_records",
        "
CREATE OR REPLACE TYPE line_t AS OBJECT (n NUMBER, txt VARCHAR2(100));
/
CREATE OR REPLACE TYPE line_tab AS TABLE OF line_t;
/
CREATE OR REPLACE PACKAGE doc_pkg AS
  TYPE t_props IS RECORD (author VARCHAR2(50), pages NUMBER);
  TYPE t_doc IS RECORD (title text_pkg.t_text, props t_props);
  TYPE t_doc_tab IS TABLE OF t_doc INDEX BY PLS_INTEGER;
  FUNCTION describe(p_title VARCHAR2) RETURN VARCHAR2;
  FUNCTION lines(p_count NUMBER) RETURN line_tab PIPELINED;
END doc_pkg;
/
CREATE OR REPLACE PACKAGE text_pkg AS
  g_text_def VARCHAR2(200);
  SUBTYPE t_text IS g_text_def%TYPE;
END text_pkg;
/
CREATE OR REPLACE PACKAGE BODY doc_pkg AS
  FUNCTION describe(p_title VARCHAR2) RETURN VARCHAR2 IS
    l_docs t_doc_tab;
  BEGIN
    l_docs(1).title := p_title;
    l_docs(1).props.author := 'Ada';
    l_docs(1).props.pages := 42;
    RETURN l_docs(1).title || ' by ' || l_docs(1).props.author || ', '
      || l_docs(1).props.pages || ' pages';
  END describe;

  FUNCTION lines(p_count NUMBER) RETURN line_tab PIPELINED IS
  BEGIN
    FOR i IN 1 .. p_count LOOP
      PIPE ROW (line_t(i, 'line ' || i));
    END LOOP;
    RETURN;
  END lines;
END doc_pkg;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT doc_pkg.describe('Notes')")
            .await
            .as_deref(),
        Some("Notes by Ada, 42 pages")
    );
    // The field anchored to text_pkg.g_text_def%TYPE has its type.
    assert_eq!(
        value(
            &client,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
             WHERE attrelid = 'doc_pkg.t_doc'::regclass AND attname = 'title'"
        )
        .await
        .as_deref(),
        Some("character varying(200)")
    );
    // A PIPELINED function over a schema-level collection type returns its rows.
    assert_eq!(
        value(
            &client,
            "SELECT string_agg(txt, ',' ORDER BY n) FROM doc_pkg.lines(3)"
        )
        .await
        .as_deref(),
        Some("line 1,line 2,line 3")
    );
}

#[tokio::test]
async fn package_variables_with_computed_initial_values_get_them_on_first_use() {
    // Without an initialization section; the second value uses the first, as declared.
    let (conversion, db, client) = loaded(
        "computed_initial_values",
        "
CREATE OR REPLACE PACKAGE api AS
  FUNCTION endpoint RETURN VARCHAR2;
  PROCEDURE use_sandbox;
END api;
/
CREATE OR REPLACE PACKAGE BODY api AS
  g_live CONSTANT VARCHAR2(100) := 'https://api.example.com';
  g_base VARCHAR2(100) := g_live || '/v1';
  g_width PLS_INTEGER := length(g_base);

  FUNCTION endpoint RETURN VARCHAR2 IS
  BEGIN
    RETURN g_base || ' (' || g_width || ')';
  END endpoint;

  PROCEDURE use_sandbox IS
  BEGIN
    g_base := replace(g_base, 'api.', 'sandbox.');
  END use_sandbox;
END api;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT api.endpoint()").await.as_deref(),
        Some("https://api.example.com/v1 (26)")
    );
    // Evaluated once per session: a change lasts, it is not evaluated again.
    client
        .batch_execute("CALL api.use_sandbox()")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT api.endpoint()").await.as_deref(),
        Some("https://sandbox.example.com/v1 (26)")
    );
    let other = db.connect().await;
    assert_eq!(
        value(&other, "SELECT api.endpoint()").await.as_deref(),
        Some("https://api.example.com/v1 (26)")
    );
}

#[tokio::test]
async fn bulk_collect_of_several_columns_fills_a_collection_of_records() {
    let (conversion, _db, client) = loaded(
        "bulk_collect_records",
        "
CREATE TABLE sheets (id NUMBER PRIMARY KEY, name VARCHAR2(30));
INSERT INTO sheets VALUES (2, 'Totals');
INSERT INTO sheets VALUES (1, 'Data');
CREATE OR REPLACE PACKAGE book AS
  TYPE t_sheet IS RECORD (id NUMBER, name VARCHAR2(30));
  TYPE t_sheet_list IS TABLE OF t_sheet INDEX BY PLS_INTEGER;
  FUNCTION sheet_names RETURN VARCHAR2;
END book;
/
CREATE OR REPLACE PACKAGE BODY book AS
  FUNCTION sheet_names RETURN VARCHAR2 IS
    l_sheets t_sheet_list;
    l_names VARCHAR2(200);
  BEGIN
    SELECT id, upper(name) BULK COLLECT INTO l_sheets FROM sheets ORDER BY id;
    FOR i IN 1 .. l_sheets.COUNT LOOP
      l_names := l_names || l_sheets(i).id || '=' || l_sheets(i).name || ';';
    END LOOP;
    RETURN l_names;
  END sheet_names;
END book;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT book.sheet_names()").await.as_deref(),
        Some("1=DATA;2=TOTALS;")
    );
}

#[tokio::test]
async fn blocks_nested_in_a_body_keep_their_own_declarations() {
    // Each time the loop enters the nested block its variables start again: l_seen is NULL and
    // l_list empty, as in Oracle.
    let (conversion, _db, client) = loaded(
        "nested_blocks",
        "
CREATE OR REPLACE FUNCTION nested_blocks(p_rounds IN PLS_INTEGER) RETURN VARCHAR2 IS
  TYPE t_list IS TABLE OF VARCHAR2(10) INDEX BY PLS_INTEGER;
  l_out VARCHAR2(200);
BEGIN
  FOR i IN 1 .. p_rounds LOOP
    DECLARE
      l_seen PLS_INTEGER;
      l_list t_list;
      l_raw BLOB := HEXTORAW('0A0B');
      l_day DATE := DATE '2024-01-31';
    BEGIN
      l_list(1) := 'r' || i;
      l_out := l_out || nvl(to_char(l_seen), 'null') || ':' || l_list.COUNT || ':' || l_list(1)
        || ':' || dbms_lob.getlength(l_raw) || ':' || to_char(l_day + i, 'MM-DD') || ' ';
      l_seen := i;
    END;
  END LOOP;
  RETURN l_out;
END;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT nested_blocks(2)").await.as_deref(),
        Some("null:1:r1:2:02-01 null:1:r2:2:02-02 ")
    );
}

#[tokio::test]
async fn dbms_crypto_encrypts_lobs_and_computed_error_numbers_are_raised() {
    let (conversion, _db, client) = loaded(
        "dbms_crypto",
        "
CREATE OR REPLACE PACKAGE vault AS
  FUNCTION seal(p_blob IN BLOB, p_key IN VARCHAR2) RETURN BLOB;
  FUNCTION unseal(p_blob IN BLOB, p_key IN VARCHAR2) RETURN BLOB;
  FUNCTION seal_des(p_raw IN RAW) RETURN RAW;
  PROCEDURE fail(p_offset IN PLS_INTEGER);
END vault;
/
CREATE OR REPLACE PACKAGE BODY vault AS
  g_type CONSTANT PLS_INTEGER := dbms_crypto.encrypt_aes256 + dbms_crypto.chain_cbc + dbms_crypto.pad_pkcs5;

  FUNCTION seal(p_blob IN BLOB, p_key IN VARCHAR2) RETURN BLOB IS
    l_out BLOB;
  BEGIN
    dbms_lob.createtemporary(l_out, false);
    dbms_crypto.encrypt(l_out, p_blob, g_type, utl_raw.cast_to_raw(p_key));
    RETURN l_out;
  END seal;

  FUNCTION unseal(p_blob IN BLOB, p_key IN VARCHAR2) RETURN BLOB IS
    l_out BLOB;
  BEGIN
    dbms_crypto.decrypt(dst => l_out, src => p_blob, typ => g_type, key => utl_raw.cast_to_raw(p_key));
    RETURN l_out;
  END unseal;

  FUNCTION seal_des(p_raw IN RAW) RETURN RAW IS
  BEGIN
    RETURN dbms_crypto.encrypt(p_raw, dbms_crypto.encrypt_des + dbms_crypto.chain_ecb + dbms_crypto.pad_none,
      hextoraw('0123456789ABCDEF'));
  END seal_des;

  PROCEDURE fail(p_offset IN PLS_INTEGER) IS
  BEGIN
    raise_application_error(-20000 - p_offset, 'failed with offset ' || p_offset);
  END fail;
END vault;
/
",
    )
    .await;
    all_converted(&conversion);
    let key = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        value(
            &client,
            &format!(
                "SELECT convert_from(vault.unseal(vault.seal(convert_to('attack at dawn', 'UTF8'), '{key}'), '{key}'), 'UTF8')"
            )
        )
        .await
        .as_deref(),
        Some("attack at dawn")
    );
    // AES-256-CBC with PKCS5 padding: 14 bytes become one 16-byte block.
    assert_eq!(
        value(
            &client,
            &format!("SELECT length(vault.seal(convert_to('attack at dawn', 'UTF8'), '{key}'))")
        )
        .await
        .as_deref(),
        Some("16")
    );
    // A key of the wrong size is an error, as in Oracle, and DES is refused by name.
    let short = text_rows(&client, "SELECT vault.seal('\\x00'::bytea, 'short')")
        .await
        .unwrap_err();
    assert!(
        godwit_testkit::describe(&short).contains("AES-256 takes 32"),
        "{short}"
    );
    let des = text_rows(
        &client,
        "SELECT vault.seal_des('\\x0011223344556677'::bytea)",
    )
    .await
    .unwrap_err();
    assert!(godwit_testkit::describe(&des).contains("DES"), "{des}");
    // RAISE_APPLICATION_ERROR with a computed number: SQLSTATE U0000 + offset.
    let raised = client
        .batch_execute("CALL vault.fail(42)")
        .await
        .unwrap_err();
    let db_error = raised.as_db_error().expect("a server error");
    assert_eq!(db_error.code().code(), "U0042");
    assert_eq!(db_error.message(), "failed with offset 42");
}

#[tokio::test]
async fn lob_conversions_application_info_and_name_assertions_behave_as_in_oracle() {
    let (conversion, _db, client) = loaded(
        "lob_appinfo_assert",
        "
CREATE OR REPLACE PACKAGE lobs AS
  FUNCTION round_trip(p_text IN CLOB) RETURN VARCHAR2;
  FUNCTION tagged(p_module IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION count_rows(p_table IN VARCHAR2) RETURN NUMBER;
END lobs;
/
CREATE OR REPLACE PACKAGE BODY lobs AS
  FUNCTION round_trip(p_text IN CLOB) RETURN VARCHAR2 IS
    l_blob BLOB;
    l_clob CLOB;
    l_dest PLS_INTEGER := 1;
    l_src PLS_INTEGER := 1;
    l_ctx PLS_INTEGER := dbms_lob.default_lang_ctx;
    l_warning PLS_INTEGER;
  BEGIN
    dbms_lob.createtemporary(l_blob, TRUE);
    dbms_lob.converttoblob(l_blob, p_text, dbms_lob.lobmaxsize, l_dest, l_src,
      dbms_lob.default_csid, l_ctx, l_warning);
    -- Offsets: one past the bytes written and the characters read.
    RETURN dbms_lob.getlength(l_blob) || '/' || l_dest || '/' || l_src || '/' || l_warning || '/'
      || round_back(l_blob);
  END round_trip;

  FUNCTION round_back(p_blob IN BLOB) RETURN VARCHAR2 IS
    l_clob CLOB;
    l_dest PLS_INTEGER := 1;
    l_src PLS_INTEGER := 1;
    l_ctx PLS_INTEGER := 0;
    l_warning PLS_INTEGER;
  BEGIN
    dbms_lob.createtemporary(l_clob, TRUE);
    dbms_lob.converttoclob(dest_lob => l_clob, src_blob => p_blob, amount => dbms_lob.getlength(p_blob),
      dest_offset => l_dest, src_offset => l_src, blob_csid => 0, lang_context => l_ctx, warning => l_warning);
    RETURN l_clob;
  END round_back;

  FUNCTION tagged(p_module IN VARCHAR2) RETURN VARCHAR2 IS
    l_module VARCHAR2(64);
    l_action VARCHAR2(64);
  BEGIN
    dbms_application_info.set_module(p_module, 'loading');
    dbms_application_info.set_client_info('batch 7');
    dbms_application_info.read_module(l_module, l_action);
    RETURN l_module || ':' || l_action || ':' || sys_context('USERENV', 'CLIENT_INFO');
  END tagged;

  FUNCTION count_rows(p_table IN VARCHAR2) RETURN NUMBER IS
    l_count NUMBER;
  BEGIN
    EXECUTE IMMEDIATE 'SELECT count(*) FROM ' || dbms_assert.sql_object_name(p_table) INTO l_count;
    RETURN l_count;
  END count_rows;
END lobs;
/
",
    )
    .await;
    all_converted(&conversion);
    // 'héllo' is 5 characters, 6 bytes in UTF-8.
    assert_eq!(
        value(&client, "SELECT lobs.round_trip('héllo')")
            .await
            .as_deref(),
        Some("6/7/6/0/héllo")
    );
    assert_eq!(
        value(&client, "SELECT lobs.tagged('nightly import')")
            .await
            .as_deref(),
        Some("nightly import:loading:batch 7")
    );
    assert_eq!(
        value(&client, "SELECT current_setting('application_name')")
            .await
            .as_deref(),
        Some("nightly import")
    );
    assert_eq!(
        value(&client, "SELECT lobs.count_rows('pg_catalog.pg_am')")
            .await
            .map(|n| n.parse::<i64>().unwrap() > 0),
        Some(true)
    );
    // An injected name is refused before it reaches the dynamic SQL.
    let injected = text_rows(&client, "SELECT lobs.count_rows('pg_am; DROP TABLE x')")
        .await
        .unwrap_err();
    assert!(
        godwit_testkit::describe(&injected).contains("ORA-44004"),
        "{injected}"
    );
}

#[tokio::test]
async fn object_type_methods_and_constructors_become_routines_beside_the_type() {
    let (conversion, _db, client) = loaded(
        "object_methods",
        "
CREATE OR REPLACE TYPE counter_t AS OBJECT (
  label VARCHAR2(30),
  n NUMBER,
  CONSTRUCTOR FUNCTION counter_t(p_label VARCHAR2) RETURN SELF AS RESULT,
  MEMBER PROCEDURE bump(p_by NUMBER DEFAULT 1),
  MEMBER FUNCTION shown RETURN VARCHAR2,
  STATIC FUNCTION describe(p_counter counter_t) RETURN VARCHAR2
);
/
CREATE OR REPLACE TYPE BODY counter_t AS
  CONSTRUCTOR FUNCTION counter_t(p_label VARCHAR2) RETURN SELF AS RESULT IS
  BEGIN
    label := p_label;
    n := 0;
    RETURN;
  END;

  MEMBER PROCEDURE bump(p_by NUMBER DEFAULT 1) IS
  BEGIN
    n := n + p_by;
  END bump;

  MEMBER FUNCTION shown RETURN VARCHAR2 IS
  BEGIN
    RETURN label || '=' || n;
  END shown;

  STATIC FUNCTION describe(p_counter counter_t) RETURN VARCHAR2 IS
  BEGIN
    RETURN 'counter ' || p_counter.shown;
  END describe;
END;
/
CREATE OR REPLACE FUNCTION count_to(p_times PLS_INTEGER) RETURN VARCHAR2 IS
  c counter_t := counter_t('clicks');
  d counter_t := counter_t('raw', 5);
BEGIN
  FOR i IN 1 .. p_times LOOP
    c.bump;
  END LOOP;
  c.bump(10);
  d.bump(2);
  RETURN c.shown() || ' ' || d.shown || ' ' || counter_t.describe(c);
END;
/
",
    )
    .await;
    all_converted(&conversion);
    // The user-defined constructor starts at 0; the attribute constructor takes both values.
    assert_eq!(
        value(&client, "SELECT count_to(3)").await.as_deref(),
        Some("clicks=13 raw=7 counter clicks=13")
    );
    assert_eq!(
        value(&client, "SELECT (counter_t.counter_t('x')).n")
            .await
            .as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn functions_whose_parameters_all_have_defaults_are_called_without_parentheses() {
    let (conversion, _db, client) = loaded(
        "defaulted_calls",
        "
CREATE OR REPLACE PACKAGE stamps AS
  FUNCTION stamp(p_date IN DATE := DATE '2024-05-06', p_sep IN VARCHAR2 := '-') RETURN VARCHAR2;
END stamps;
/
CREATE OR REPLACE PACKAGE BODY stamps AS
  FUNCTION stamp(p_date IN DATE := DATE '2024-05-06', p_sep IN VARCHAR2 := '-') RETURN VARCHAR2 IS
  BEGIN
    RETURN to_char(p_date, 'YYYY') || p_sep || to_char(p_date, 'MM');
  END stamp;
END stamps;
/
CREATE OR REPLACE PACKAGE labels AS
  FUNCTION label RETURN VARCHAR2;
END labels;
/
CREATE OR REPLACE PACKAGE BODY labels AS
  FUNCTION suffix(p_n IN NUMBER DEFAULT 7) RETURN VARCHAR2 IS
  BEGIN
    RETURN '#' || p_n;
  END suffix;

  FUNCTION label RETURN VARCHAR2 IS
    l_label VARCHAR2(40);
  BEGIN
    l_label := stamps.stamp;
    RETURN l_label || suffix;
  END label;
END labels;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT labels.label()").await.as_deref(),
        Some("2024-05#7")
    );
}

#[tokio::test]
async fn nested_record_fields_numbers_as_text_and_lob_searches_follow_oracle() {
    let (conversion, _db, client) = loaded(
        "nested_fields",
        "
CREATE OR REPLACE PACKAGE shapes AS
  TYPE t_point IS RECORD (x NUMBER, y NUMBER);
  TYPE t_box IS RECORD (corner t_point, label VARCHAR2(20));
  TYPE t_labels IS TABLE OF VARCHAR2(20);
  FUNCTION describe(p_box IN t_box) RETURN VARCHAR2;
  FUNCTION demo RETURN VARCHAR2;
END shapes;
/
CREATE OR REPLACE PACKAGE BODY shapes AS
  FUNCTION describe(p_box IN t_box) RETURN VARCHAR2 IS
  BEGIN
    RETURN p_box.label || '@' || lpad(p_box.corner.x, 3, '0') || ',' || p_box.corner.y;
  END describe;

  FUNCTION demo RETURN VARCHAR2 IS
    l_box t_box;
    l_from t_labels := t_labels('a', 'b', 'c');
    l_to t_labels := t_labels();
    l_blob BLOB := HEXTORAW('00FF00FF');
    l_at NUMBER := 2.0;
  BEGIN
    l_box.corner.x := 7;
    l_box.corner.y := 9;
    l_box.label := 'box';
    l_to.EXTEND(l_from.COUNT);
    RETURN describe(l_box) || ' ' || l_to.COUNT || ' '
      || dbms_lob.instr(l_blob, HEXTORAW('FF'), l_at, 2) || ' ' || round(2.567, l_at);
  END demo;
END shapes;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT shapes.demo()").await.as_deref(),
        Some("box@007,9 3 4 2.57")
    );
}

#[tokio::test]
async fn install_blocks_run_against_the_schema_converted_so_far() {
    // The shape of product install scripts: create the table when the dictionary lacks it, add
    // the columns it lacks, replace a constraint — and a second run of the same block changes
    // nothing, because the converter answers the dictionary from what it has converted.
    let create = "
DECLARE
  l_count PLS_INTEGER;
BEGIN
  SELECT count(1) INTO l_count FROM user_tables WHERE table_name = 'APP_PREFS';
  IF l_count = 0 THEN
    EXECUTE IMMEDIATE 'create table app_prefs (pref_name varchar2(255), pref_value varchar2(255) not null,
      constraint app_prefs_pk primary key (pref_name))';
  END IF;
END;
/
INSERT INTO app_prefs (pref_name, pref_value) VALUES ('LEVEL', 'DEBUG');
";
    // The row above goes in before pref_type exists; the block fills it, then makes it NOT NULL
    // and part of the key, as the script orders it.
    let install = "
DECLARE
  TYPE t_col IS RECORD (column_name VARCHAR2(30), data_type VARCHAR2(100));
  TYPE t_cols IS TABLE OF t_col INDEX BY PLS_INTEGER;
  l_col t_col;
  l_cols t_cols;
  l_count PLS_INTEGER;
  l_sql VARCHAR2(500);
BEGIN
  l_col.column_name := 'PREF_TYPE';
  l_col.data_type := 'VARCHAR2(30)';
  l_cols(l_cols.count + 1) := l_col;
  l_col.column_name := 'PREF_VALUE';
  l_col.data_type := 'VARCHAR2(255)';
  l_cols(l_cols.count + 1) := l_col;
  FOR i IN 1 .. l_cols.count LOOP
    SELECT count(1) INTO l_count FROM user_tab_columns
     WHERE table_name = 'APP_PREFS' AND column_name = l_cols(i).column_name;
    IF l_count = 0 THEN
      EXECUTE IMMEDIATE 'alter table app_prefs add (' || l_cols(i).column_name || ' ' || l_cols(i).data_type || ')';
      EXECUTE IMMEDIATE q'!update app_prefs set pref_type = 'APP'!';
      EXECUTE IMMEDIATE q'!alter table app_prefs modify pref_type not null!';
    END IF;
  END LOOP;
  SELECT count(*) INTO l_count FROM user_cons_columns
   WHERE constraint_name = 'APP_PREFS_PK' AND column_name != 'PREF_NAME';
  IF l_count = 0 THEN
    EXECUTE IMMEDIATE 'alter table app_prefs drop constraint app_prefs_pk';
    l_sql := 'alter table app_prefs add constraint %NAME% primary key (pref_type, pref_name)';
    EXECUTE IMMEDIATE replace(l_sql, '%NAME%', 'APP_PREFS_PK');
  END IF;
END;
/
";
    let (conversion, _db, client) =
        loaded("install_blocks", &format!("{create}{install}{install}")).await;
    for o in &conversion.objects {
        assert_ne!(o.status, Status::NotConverted, "{o:#?}");
    }
    let columns = text_rows(
        &client,
        "SELECT column_name || ' ' || is_nullable FROM information_schema.columns \
         WHERE table_name = 'app_prefs' ORDER BY ordinal_position",
    )
    .await
    .unwrap();
    let columns: Vec<_> = columns.into_iter().map(|r| r[0].clone().unwrap()).collect();
    assert_eq!(columns, ["pref_name NO", "pref_value NO", "pref_type NO"]);
    assert_eq!(
        value(
            &client,
            "SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_constraint c \
             CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
             WHERE c.conname = 'app_prefs_pk'"
        )
        .await
        .as_deref(),
        Some("pref_type,pref_name")
    );
    assert_eq!(
        value(
            &client,
            "SELECT pref_type || ':' || pref_name FROM app_prefs"
        )
        .await
        .as_deref(),
        Some("APP:LEVEL")
    );
}

#[tokio::test]
async fn web_toolkit_output_goes_to_a_page_buffer_per_session() {
    let (conversion, _db, client) = loaded(
        "htp_buffer",
        "
CREATE OR REPLACE PROCEDURE hello_page(p_name IN VARCHAR2, p_count IN NUMBER) IS
BEGIN
  owa_util.mime_header('text/html', FALSE, 'utf-8');
  owa_util.http_header_close;
  htp.prn('<p>');
  htp.p('Hello ' || htf.escape_sc(p_name) || '</p>');
  htp.p(p_count);
END;
/
",
    )
    .await;
    all_converted(&conversion);
    client
        .batch_execute("CALL hello_page('<Ada>', 3)")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT godwit_compat.htp_page()")
            .await
            .as_deref(),
        Some("Content-type: text/html; charset=utf-8\n\n<p>Hello &lt;Ada&gt;</p>\n3\n")
    );
}

#[tokio::test]
async fn fetch_bulk_collect_with_limit_reads_the_cursor_in_batches() {
    let (conversion, _db, client) = loaded(
        "fetch_bulk",
        "
CREATE TABLE items (id NUMBER PRIMARY KEY, name VARCHAR2(20));
INSERT INTO items VALUES (1, 'a');
INSERT INTO items VALUES (2, 'b');
INSERT INTO items VALUES (3, 'c');
INSERT INTO items VALUES (4, 'd');
INSERT INTO items VALUES (5, 'e');
CREATE OR REPLACE PACKAGE batches AS
  TYPE t_item IS RECORD (id NUMBER, name VARCHAR2(20));
  TYPE t_items IS TABLE OF t_item INDEX BY PLS_INTEGER;
  TYPE t_names IS TABLE OF VARCHAR2(20);
  FUNCTION in_batches(p_size IN PLS_INTEGER) RETURN VARCHAR2;
  FUNCTION all_names RETURN VARCHAR2;
END batches;
/
CREATE OR REPLACE PACKAGE BODY batches AS
  FUNCTION in_batches(p_size IN PLS_INTEGER) RETURN VARCHAR2 IS
    CURSOR c IS SELECT id, name FROM items ORDER BY id;
    l_items t_items;
    l_out VARCHAR2(200);
  BEGIN
    OPEN c;
    LOOP
      FETCH c BULK COLLECT INTO l_items LIMIT p_size;
      EXIT WHEN l_items.COUNT = 0;
      l_out := l_out || '[';
      FOR i IN 1 .. l_items.COUNT LOOP
        l_out := l_out || l_items(i).name;
      END LOOP;
      l_out := l_out || ']';
    END LOOP;
    CLOSE c;
    RETURN l_out;
  END in_batches;

  FUNCTION all_names RETURN VARCHAR2 IS
    CURSOR c IS SELECT name FROM items ORDER BY id DESC;
    l_names t_names;
  BEGIN
    OPEN c;
    FETCH c BULK COLLECT INTO l_names;
    CLOSE c;
    RETURN l_names.COUNT || ':' || l_names(1) || l_names(5);
  END all_names;
END batches;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT batches.in_batches(2)")
            .await
            .as_deref(),
        Some("[ab][cd][e]")
    );
    assert_eq!(
        value(&client, "SELECT batches.all_names()")
            .await
            .as_deref(),
        Some("5:ea")
    );
}

#[tokio::test]
async fn default_xml_namespaces_and_xmlsequence_rows() {
    let (conversion, _db, client) = loaded(
        "xml_default_ns",
        "
CREATE OR REPLACE FUNCTION bucket_list(p_response IN CLOB) RETURN VARCHAR2 IS
  l_xml XMLTYPE := XMLTYPE(p_response);
  l_ns VARCHAR2(100) := 'xmlns=\"http://s3.example/doc\"';
  l_out VARCHAR2(400);
BEGIN
  l_out := EXTRACTVALUE(l_xml, '/Result/Owner', l_ns) || ':';
  FOR r IN (SELECT EXTRACTVALUE(VALUE(t), '*/Name', l_ns) AS name
              FROM TABLE(XMLSEQUENCE(EXTRACT(l_xml, '//Bucket', l_ns))) t) LOOP
    l_out := l_out || r.name || ';';
  END LOOP;
  IF l_xml.existsnode('/Result/Bucket[Name=\"b\"]', l_ns) = 1 THEN
    l_out := l_out || 'has b';
  END IF;
  RETURN l_out;
END;
/
",
    )
    .await;
    all_converted(&conversion);
    let doc = r#"<Result xmlns="http://s3.example/doc"><Owner>ann</Owner><Bucket><Name>a</Name></Bucket><Bucket><Name>b</Name></Bucket></Result>"#;
    assert_eq!(
        value(&client, &format!("SELECT bucket_list('{doc}')"))
            .await
            .as_deref(),
        Some("ann:a;b;has b")
    );
}

#[tokio::test]
async fn records_holding_collections_are_read_by_element_and_divided_as_oracle() {
    let (conversion, _db, client) = loaded(
        "record_arrays",
        "
CREATE OR REPLACE PACKAGE fonts_pkg AS
  FUNCTION width(p_font IN PLS_INTEGER, p_char IN PLS_INTEGER) RETURN NUMBER;
  FUNCTION widened(p_char IN PLS_INTEGER) RETURN NUMBER;
END fonts_pkg;
/
CREATE OR REPLACE PACKAGE BODY fonts_pkg AS
  TYPE tp_widths IS TABLE OF PLS_INTEGER INDEX BY PLS_INTEGER;
  TYPE tp_font IS RECORD (widths tp_widths, name VARCHAR2(20));
  TYPE tp_fonts IS TABLE OF tp_font INDEX BY PLS_INTEGER;
  TYPE tp_settings IS RECORD (size_pt NUMBER);
  g_fonts tp_fonts;
  g_settings tp_settings;

  FUNCTION width(p_font IN PLS_INTEGER, p_char IN PLS_INTEGER) RETURN NUMBER IS
  BEGIN
    g_fonts(1).name := 'Helvetica';
    g_fonts(1).widths := tp_widths(250, 500, 750);
    g_settings.size_pt := 10;
    RETURN g_fonts(p_font).widths(p_char) * (g_settings.size_pt / 1000);
  END width;

  FUNCTION widened(p_char IN PLS_INTEGER) RETURN NUMBER IS
  BEGIN
    g_fonts(2).widths := tp_widths(1, 2, 3);
    FOR i IN 1 .. 3 LOOP
      g_fonts(2).widths(i) := 600 + i;
    END LOOP;
    RETURN g_fonts(2).widths(p_char);
  END widened;
END fonts_pkg;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT fonts_pkg.width(1, 2) = 5")
            .await
            .as_deref(),
        Some("t")
    );
    // An element of a record element's collection field, assigned.
    assert_eq!(
        value(&client, "SELECT fonts_pkg.widened(2)")
            .await
            .as_deref(),
        Some("602")
    );
}

#[tokio::test]
async fn goto_to_the_tail_of_a_loop_continues_it() {
    // PL/SQL before 11g wrote CONTINUE as a GOTO to a label on the loop's last statement.
    let (conversion, _db, client) = loaded(
        "goto_continue",
        "
CREATE OR REPLACE FUNCTION skip_vowels(p_text IN VARCHAR2) RETURN VARCHAR2 IS
  l_position PLS_INTEGER := 1;
  l_out VARCHAR2(100);
  l_char VARCHAR2(1);
BEGIN
  WHILE l_position <= length(p_text) LOOP
    l_char := substr(p_text, l_position, 1);
    IF instr('aeiou', l_char) > 0 THEN
      GOTO loop_again;
    END IF;
    l_out := l_out || l_char;
    <<loop_again>> l_position := l_position + 1;
  END LOOP;
  RETURN l_out;
END;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT skip_vowels('education')")
            .await
            .as_deref(),
        Some("dctn")
    );
}

/// xlsx_builder_pkg's shape: a package record of sparse INDEX BY tables of records of INDEX BY tables.
const WORKBOOK: &str = "
CREATE OR REPLACE PACKAGE sheet_demo AS
  TYPE tp_align IS RECORD (horizontal VARCHAR2(10), wrap BOOLEAN);
  PROCEDURE new_sheet(p_name IN VARCHAR2);
  PROCEDURE cell(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_value IN NUMBER, p_sheet IN PLS_INTEGER := NULL);
  PROCEDURE clear_cell(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_sheet IN PLS_INTEGER := 1);
  FUNCTION dump_sheet(p_sheet IN PLS_INTEGER) RETURN VARCHAR2;
  FUNCTION cell_value(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_sheet IN PLS_INTEGER := 1) RETURN NUMBER;
  FUNCTION summary RETURN VARCHAR2;
  FUNCTION counter RETURN PLS_INTEGER;
  FUNCTION style_count RETURN PLS_INTEGER;
  PROCEDURE rename_sheet(p_sheet IN PLS_INTEGER, p_name IN VARCHAR2);
  FUNCTION sheet_name(p_sheet IN PLS_INTEGER) RETURN VARCHAR2;
  PROCEDURE reset;
END sheet_demo;
/
CREATE OR REPLACE PACKAGE BODY sheet_demo AS
  TYPE tp_xf IS RECORD (font PLS_INTEGER, align tp_align);
  TYPE tp_xfs IS TABLE OF tp_xf INDEX BY PLS_INTEGER;
  TYPE tp_cell IS RECORD (value NUMBER, style VARCHAR2(50));
  TYPE tp_cells IS TABLE OF tp_cell INDEX BY PLS_INTEGER;
  TYPE tp_rows IS TABLE OF tp_cells INDEX BY PLS_INTEGER;
  TYPE tp_sheet IS RECORD (rows tp_rows, name VARCHAR2(100));
  TYPE tp_sheets IS TABLE OF tp_sheet INDEX BY PLS_INTEGER;
  TYPE tp_names IS TABLE OF PLS_INTEGER INDEX BY VARCHAR2(100);
  TYPE tp_book IS RECORD (sheets tp_sheets, names tp_names, xfs tp_xfs, cnt PLS_INTEGER := 0);
  book tp_book;

  FUNCTION get_style(p_col IN PLS_INTEGER) RETURN VARCHAR2 IS
    t_xf tp_xf;
    n PLS_INTEGER;
  BEGIN
    t_xf.font := p_col;
    t_xf.align.horizontal := 'left';
    n := book.xfs.COUNT + 1;
    book.xfs(n) := t_xf;
    book.cnt := book.cnt + 1;
    RETURN 's' || n;
  END get_style;

  PROCEDURE new_sheet(p_name IN VARCHAR2) IS
    t_nr PLS_INTEGER := book.sheets.COUNT + 1;
  BEGIN
    book.sheets(t_nr).name := p_name;
    book.names(p_name) := t_nr;
  END new_sheet;

  PROCEDURE cell(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_value IN NUMBER, p_sheet IN PLS_INTEGER := NULL) IS
    t_sheet PLS_INTEGER := NVL(p_sheet, book.sheets.COUNT);
  BEGIN
    book.sheets(t_sheet).rows(p_row)(p_col).value := p_value;
    -- get_style changes the workbook too: both changes stay.
    book.sheets(t_sheet).rows(p_row)(p_col).style := get_style(p_col);
  END cell;

  PROCEDURE clear_cell(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_sheet IN PLS_INTEGER := 1) IS
  BEGIN
    IF book.sheets(p_sheet).rows(p_row).EXISTS(p_col) THEN
      book.sheets(p_sheet).rows(p_row).DELETE(p_col);
    END IF;
  END clear_cell;

  FUNCTION dump_sheet(p_sheet IN PLS_INTEGER) RETURN VARCHAR2 IS
    r PLS_INTEGER;
    c PLS_INTEGER;
    s VARCHAR2(4000);
  BEGIN
    s := book.sheets(p_sheet).name || ':';
    r := book.sheets(p_sheet).rows.FIRST;
    WHILE r IS NOT NULL LOOP
      c := book.sheets(p_sheet).rows(r).FIRST;
      WHILE c IS NOT NULL LOOP
        s := s || ' ' || r || '/' || c || '=' || book.sheets(p_sheet).rows(r)(c).value || book.sheets(p_sheet).rows(r)(c).style;
        c := book.sheets(p_sheet).rows(r).NEXT(c);
      END LOOP;
      r := book.sheets(p_sheet).rows.NEXT(r);
    END LOOP;
    RETURN s || ' rows=' || book.sheets(p_sheet).rows.COUNT || ' last=' || book.sheets(p_sheet).rows.LAST
      || ' before100=' || book.sheets(p_sheet).rows.PRIOR(100);
  END dump_sheet;

  FUNCTION cell_value(p_col IN PLS_INTEGER, p_row IN PLS_INTEGER, p_sheet IN PLS_INTEGER := 1) RETURN NUMBER IS
  BEGIN
    RETURN book.sheets(p_sheet).rows(p_row)(p_col).value;
  END cell_value;

  FUNCTION summary RETURN VARCHAR2 IS
    k VARCHAR2(100);
    s VARCHAR2(4000);
    x tp_xf;
  BEGIN
    k := book.names.FIRST;
    WHILE k IS NOT NULL LOOP
      s := s || k || '=' || book.names(k) || ' ';
      k := book.names.NEXT(k);
    END LOOP;
    x := book.xfs(book.xfs.LAST);
    RETURN s || 'lastfont=' || x.font || ' ' || book.xfs(1).align.horizontal;
  END summary;

  FUNCTION counter RETURN PLS_INTEGER IS
  BEGIN
    RETURN book.cnt;
  END counter;

  FUNCTION style_count RETURN PLS_INTEGER IS
  BEGIN
    RETURN book.xfs.COUNT;
  END style_count;

  PROCEDURE rename_sheet(p_sheet IN PLS_INTEGER, p_name IN VARCHAR2) IS
  BEGIN
    book.sheets(p_sheet).name := p_name;
  END rename_sheet;

  FUNCTION sheet_name(p_sheet IN PLS_INTEGER) RETURN VARCHAR2 IS
  BEGIN
    IF book.sheets(p_sheet).name IS NULL THEN
      RETURN 'no name';
    END IF;
    RETURN book.sheets(p_sheet).name;
  END sheet_name;

  PROCEDURE reset IS
  BEGIN
    book := NULL;
  END reset;
END sheet_demo;
/
";

#[tokio::test]
async fn package_records_of_sparse_tables_of_tables_keep_oracle_semantics() {
    let (conversion, _db, client) = loaded("workbook", WORKBOOK).await;
    all_converted(&conversion);
    assert_eq!(
        value(&client, "SELECT sheet_demo.counter()")
            .await
            .as_deref(),
        Some("0"),
        "the field's default"
    );
    client
        .batch_execute(
            "CALL sheet_demo.new_sheet('Data');
             CALL sheet_demo.cell(10, 100, 1.5);
             CALL sheet_demo.cell(2, 100, 2);
             CALL sheet_demo.cell(3, 7, 3);",
        )
        .await
        .unwrap();
    // Rows and cells are walked in key order, skipping the gaps; COUNT counts the elements only.
    assert_eq!(
        value(&client, "SELECT sheet_demo.dump_sheet(1)")
            .await
            .as_deref(),
        Some("Data: 7/3=3s3 100/2=2s2 100/10=1.5s1 rows=2 last=100 before100=7")
    );
    // The styles get_style added while the caller assigned a cell are all there.
    assert_eq!(
        value(&client, "SELECT sheet_demo.counter()")
            .await
            .as_deref(),
        Some("3")
    );
    client
        .batch_execute("CALL sheet_demo.clear_cell(10, 100)")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT sheet_demo.dump_sheet(1)")
            .await
            .as_deref(),
        Some("Data: 7/3=3s3 100/2=2s2 rows=2 last=100 before100=7")
    );
    assert_eq!(
        value(&client, "SELECT sheet_demo.cell_value(3, 7)")
            .await
            .as_deref(),
        Some("3")
    );
    // A missing element is NO_DATA_FOUND, as in Oracle; so is a missing row for EXISTS.
    for missing in [
        "SELECT sheet_demo.cell_value(5, 7)",
        "CALL sheet_demo.clear_cell(1, 8)",
    ] {
        let error = client.batch_execute(missing).await.unwrap_err();
        assert_eq!(
            error.code().map(|c| c.code()),
            Some("P0002"),
            "{missing}: {error:?}"
        );
    }
    client
        .batch_execute(
            "CALL sheet_demo.new_sheet('Notes');
             CALL sheet_demo.new_sheet('Archive');
             CALL sheet_demo.cell(1, 1, 9);",
        )
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT sheet_demo.dump_sheet(3)")
            .await
            .as_deref(),
        Some("Archive: 1/1=9s4 rows=1 last=1 before100=1")
    );
    // Text keys in binary order; a record element read whole and by nested field.
    assert_eq!(
        value(&client, "SELECT sheet_demo.summary()")
            .await
            .as_deref(),
        Some("Archive=3 Data=1 Notes=2 lastfont=1 left")
    );
    // Oracle has no empty string: a name set to '' is NULL.
    client
        .batch_execute("CALL sheet_demo.rename_sheet(2, '')")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT sheet_demo.sheet_name(2)")
            .await
            .as_deref(),
        Some("no name")
    );
    assert_eq!(
        value(&client, "SELECT sheet_demo.sheet_name(3)")
            .await
            .as_deref(),
        Some("Archive")
    );
    // Assigning NULL to the record: every field NULL (the default is not applied again), every
    // collection empty.
    client
        .batch_execute("CALL sheet_demo.reset()")
        .await
        .unwrap();
    assert_eq!(value(&client, "SELECT sheet_demo.counter()").await, None);
    assert_eq!(
        value(&client, "SELECT sheet_demo.style_count()")
            .await
            .as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn gzip_streams_code_page_437_and_lob_conversions_to_a_named_character_set() {
    let (conversion, _db, client) = loaded(
        "lz_compress",
        "
CREATE OR REPLACE PACKAGE zip_demo AS
  FUNCTION gz(p_text IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION gz_crc(p_text IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION dos_name(p_name IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION utf8_bytes(p_text IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION freed RETURN VARCHAR2;
  FUNCTION gunzip(p_gzip IN RAW) RETURN VARCHAR2;
  FUNCTION round_trip(p_text IN VARCHAR2) RETURN VARCHAR2;
END zip_demo;
/
CREATE OR REPLACE PACKAGE BODY zip_demo AS
  TYPE tp_img IS RECORD (pixels BLOB);
  TYPE tp_imgs IS TABLE OF tp_img INDEX BY PLS_INTEGER;

  FUNCTION gz(p_text IN VARCHAR2) RETURN VARCHAR2 IS
  BEGIN
    RETURN rawtohex(utl_compress.lz_compress(utl_i18n.string_to_raw(p_text, 'AL32UTF8')));
  END gz;

  -- As xlsx_builder_pkg.add1file reads the CRC-32 of an entry: after 10 header bytes and the
  -- deflate data, before the 4-byte size.
  FUNCTION gz_crc(p_text IN VARCHAR2) RETURN VARCHAR2 IS
    t_blob BLOB;
    t_clen INTEGER;
  BEGIN
    t_blob := utl_compress.lz_compress(utl_i18n.string_to_raw(p_text, 'AL32UTF8'));
    t_clen := dbms_lob.getlength(t_blob) - 18;
    RETURN rawtohex(dbms_lob.substr(t_blob, 4, t_clen + 11)) || ' ' || t_clen;
  END gz_crc;

  FUNCTION dos_name(p_name IN VARCHAR2) RETURN VARCHAR2 IS
  BEGIN
    RETURN rawtohex(utl_i18n.string_to_raw(p_name, 'US8PC437'));
  END dos_name;

  FUNCTION utf8_bytes(p_text IN VARCHAR2) RETURN VARCHAR2 IS
    l_blob BLOB;
    l_dest INTEGER := 1;
    l_src INTEGER := 1;
    l_lang INTEGER := dbms_lob.default_lang_ctx;
    l_warning INTEGER;
  BEGIN
    dbms_lob.createtemporary(l_blob, TRUE);
    dbms_lob.converttoblob(l_blob, p_text, dbms_lob.lobmaxsize, l_dest, l_src, nls_charset_id('AL32UTF8'), l_lang, l_warning);
    RETURN rawtohex(l_blob) || ' ' || l_dest || ' ' || dbms_lob.istemporary(l_blob);
  END utf8_bytes;

  FUNCTION freed RETURN VARCHAR2 IS
    l_imgs tp_imgs;
  BEGIN
    l_imgs(1).pixels := hextoraw('AA');
    IF dbms_lob.istemporary(l_imgs(1).pixels) = 1 THEN
      dbms_lob.freetemporary(l_imgs(1).pixels);
    END IF;
    RETURN nvl(rawtohex(l_imgs(1).pixels), 'freed');
  END freed;

  FUNCTION gunzip(p_gzip IN RAW) RETURN VARCHAR2 IS
  BEGIN
    RETURN utl_i18n.raw_to_char(utl_compress.lz_uncompress(p_gzip), 'AL32UTF8');
  END gunzip;

  FUNCTION round_trip(p_text IN VARCHAR2) RETURN VARCHAR2 IS
  BEGIN
    RETURN utl_i18n.raw_to_char(
      utl_compress.lz_uncompress(utl_compress.lz_compress(utl_i18n.string_to_raw(p_text, 'AL32UTF8'))),
      'AL32UTF8');
  END round_trip;
END zip_demo;
/
",
    )
    .await;
    all_converted(&conversion);
    // RFC 1952: 1F8B, deflate (08), no flags, no time, OS 3; RFC 1951: one final stored block
    // (01) of 9 bytes (0900, its complement F6FF), the bytes; the CRC-32 of '123456789' (CBF43926,
    // the standard check value) and the size, both little endian.
    assert_eq!(
        value(&client, "SELECT zip_demo.gz('123456789')")
            .await
            .as_deref(),
        Some("1F8B0800000000000003010900F6FF3132333435363738392639F4CB09000000")
    );
    assert_eq!(
        value(&client, "SELECT zip_demo.gz_crc('123456789')")
            .await
            .as_deref(),
        Some("2639F4CB 14")
    );
    // Ç is 80 in code page 437; € is not in it: '?'.
    assert_eq!(
        value(&client, "SELECT zip_demo.dos_name('Ça €')")
            .await
            .as_deref(),
        Some("8061203F")
    );
    // 'é' is two bytes in UTF-8; the destination offset moves past the three bytes written.
    assert_eq!(
        value(&client, "SELECT zip_demo.utf8_bytes('né')")
            .await
            .as_deref(),
        Some("6EC3A9 4 1")
    );
    assert_eq!(
        value(&client, "SELECT zip_demo.freed()").await.as_deref(),
        Some("freed")
    );
    // Streams written by zlib (gzip -9): one with a dynamic Huffman block, one with a fixed one.
    let dynamic = "1F8B0800000000000203DDCD4B0E82301405D0ADDC0518E2FF3B24260E30A0E0D894F6152BA5C5B628B07A5D87E33338A9635C136E45728FD373763DE6391C31E1518DAA3D20B33E548EF24B0265A466813C54D8C307EB484C20554F02CC0888C1B046719C3A291B66506ACB6B1F21FD83A178105E9DE2354A673F06D2F678764DEB61DFE4107EACD93840D80AD3D97CB15CAD37DB5DF405A74074085D010000";
    let expected = format!(
        "{}The quick brown fox jumps over the lazy dog 0123456789.",
        "Oracle UTL_COMPRESS reads gzip; PostgreSQL inflates it: stored, fixed and dynamic Huffman blocks. ".repeat(3)
    );
    assert_eq!(
        value(&client, &format!("SELECT zip_demo.gunzip('\\x{dynamic}')")).await,
        Some(expected)
    );
    assert_eq!(
        value(
            &client,
            "SELECT zip_demo.gunzip('\\x1F8B08000000000002034B4C4A4E04230018482D4609000000')"
        )
        .await
        .as_deref(),
        Some("abcabcabc")
    );
    assert_eq!(
        value(&client, "SELECT zip_demo.round_trip('héllo')")
            .await
            .as_deref(),
        Some("héllo")
    );
    // Not gzip: an error, as Oracle's data error.
    let error = client
        .batch_execute("SELECT zip_demo.gunzip('\\x0102030405060708090A0B0C0D0E0F101112')")
        .await
        .unwrap_err();
    assert_eq!(error.code().map(|c| c.code()), Some("22000"), "{error:?}");
}

#[tokio::test]
async fn xmltype_methods_apply_to_a_constructed_document() {
    let (conversion, _db, client) = loaded(
        "xmltype_constructed",
        "
CREATE OR REPLACE FUNCTION tag_attr(p_tag IN VARCHAR2, p_attr IN VARCHAR2) RETURN VARCHAR2 IS
  l_value VARCHAR2(4000);
BEGIN
  SELECT xmltype(p_tag).extract('//@' || p_attr).getstringval() INTO l_value FROM dual;
  RETURN nvl(l_value, '-') || '/' || xmltype(p_tag).existsnode('//@' || p_attr);
END;
/
",
    )
    .await;
    all_converted(&conversion);
    assert_eq!(
        value(
            &client,
            "SELECT tag_attr('<tag id=\"7\" name=\"x\"/>', 'name')"
        )
        .await
        .as_deref(),
        Some("x/1")
    );
    assert_eq!(
        value(&client, "SELECT tag_attr('<tag id=\"7\"/>', 'name')")
            .await
            .as_deref(),
        Some("-/0")
    );
}

#[tokio::test]
async fn package_tables_whose_elements_are_deleted_stay_sparse() {
    // pdf_builder_pkg's images: an INDEX BY table of records from which single elements are deleted.
    let (conversion, _db, client) = loaded(
        "sparse_images",
        "
CREATE OR REPLACE PACKAGE img_demo AS
  PROCEDURE add(p_key IN PLS_INTEGER, p_name IN VARCHAR2);
  PROCEDURE drop_one(p_key IN PLS_INTEGER);
  PROCEDURE free_pixels;
  FUNCTION listing RETURN VARCHAR2;
END img_demo;
/
CREATE OR REPLACE PACKAGE BODY img_demo AS
  TYPE tp_img IS RECORD (name VARCHAR2(20), pixels BLOB, greyscale BOOLEAN);
  TYPE tp_img_tab IS TABLE OF tp_img INDEX BY PLS_INTEGER;
  images tp_img_tab;

  FUNCTION describe(p_img IN tp_img) RETURN VARCHAR2 IS
  BEGIN
    RETURN p_img.name || ':' || nvl(rawtohex(p_img.pixels), 'none');
  END describe;

  PROCEDURE add(p_key IN PLS_INTEGER, p_name IN VARCHAR2) IS
    l_img tp_img;
  BEGIN
    l_img.name := p_name;
    l_img.pixels := hextoraw('0A0B');
    l_img.greyscale := FALSE;
    images(p_key) := l_img;
  END add;

  PROCEDURE drop_one(p_key IN PLS_INTEGER) IS
  BEGIN
    images.DELETE(p_key);
  END drop_one;

  PROCEDURE free_pixels IS
    i PLS_INTEGER := images.FIRST;
  BEGIN
    WHILE i IS NOT NULL LOOP
      IF dbms_lob.istemporary(images(i).pixels) = 1 THEN
        dbms_lob.freetemporary(images(i).pixels);
      END IF;
      i := images.NEXT(i);
    END LOOP;
  END free_pixels;

  FUNCTION listing RETURN VARCHAR2 IS
    i PLS_INTEGER := images.FIRST;
    s VARCHAR2(4000);
  BEGIN
    WHILE i IS NOT NULL LOOP
      s := s || i || '=' || describe(images(i)) || ' ';
      i := images.NEXT(i);
    END LOOP;
    RETURN s || images.COUNT;
  END listing;
END img_demo;
/
",
    )
    .await;
    all_converted(&conversion);
    client
        .batch_execute(
            "CALL img_demo.add(30, 'c'); CALL img_demo.add(10, 'a'); CALL img_demo.add(20, 'b');
             CALL img_demo.drop_one(20);",
        )
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT img_demo.listing()").await.as_deref(),
        Some("10=a:0A0B 30=c:0A0B 2")
    );
    client
        .batch_execute("CALL img_demo.free_pixels()")
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT img_demo.listing()").await.as_deref(),
        Some("10=a:none 30=c:none 2")
    );
}

const SERVER_FILES: &str = "
CREATE OR REPLACE PROCEDURE write_report(p_dir IN VARCHAR2, p_name IN VARCHAR2) IS
  f UTL_FILE.FILE_TYPE;
BEGIN
  f := UTL_FILE.FOPEN(p_dir, p_name, 'w', max_linesize => 100);
  UTL_FILE.PUT(f, 'total: ');
  UTL_FILE.PUT_LINE(f, 42);
  UTL_FILE.NEW_LINE(f, 2);
  UTL_FILE.PUT_LINE(f, 'end');
  UTL_FILE.FCLOSE(f);
  IF UTL_FILE.IS_OPEN(f) THEN
    RAISE_APPLICATION_ERROR(-20001, 'still open');
  END IF;
  f := UTL_FILE.FOPEN(p_dir, p_name, 'a');
  UTL_FILE.PUT_LINE(f, 'more');
  UTL_FILE.FCLOSE(f);
END;
/
CREATE OR REPLACE FUNCTION copy_bytes(p_dir IN VARCHAR2, p_name IN VARCHAR2, p_data IN BLOB) RETURN VARCHAR2 IS
  f UTL_FILE.FILE_TYPE;
  b BFILE;
  l_blob BLOB;
  l_buf RAW(32767);
  l_amount BINARY_INTEGER := 3;
  l_pos INTEGER := 1;
  l_len INTEGER;
  l_exists BOOLEAN;
  l_size NUMBER;
  l_block NUMBER;
  l_out VARCHAR2(100);
BEGIN
  f := UTL_FILE.FOPEN(p_dir, p_name, 'wb', 32767);
  l_len := DBMS_LOB.GETLENGTH(p_data);
  WHILE l_pos <= l_len LOOP
    DBMS_LOB.READ(p_data, l_amount, l_pos, l_buf);
    UTL_FILE.PUT_RAW(f, l_buf, TRUE);
    l_pos := l_pos + l_amount;
  END LOOP;
  UTL_FILE.FCLOSE(f);
  UTL_FILE.FGETATTR(p_dir, p_name, l_exists, l_size, l_block);
  b := BFILENAME(p_dir, p_name);
  DBMS_LOB.FILEOPEN(b, DBMS_LOB.FILE_READONLY);
  DBMS_LOB.CREATETEMPORARY(l_blob, TRUE);
  DBMS_LOB.LOADFROMFILE(l_blob, b, DBMS_LOB.GETLENGTH(b) - 1, 1, 2);
  l_out := CASE WHEN l_exists THEN 'exists ' END || l_size || ' ' || DBMS_LOB.FILEISOPEN(b) || ' ' || RAWTOHEX(l_blob);
  DBMS_LOB.FILECLOSE(b);
  RETURN l_out || ' ' || DBMS_LOB.FILEISOPEN(b);
END;
/
CREATE OR REPLACE FUNCTION read_text(p_dir IN VARCHAR2, p_name IN VARCHAR2) RETURN CLOB IS
  b BFILE := BFILENAME(p_dir, p_name);
  c CLOB;
BEGIN
  DBMS_LOB.CREATETEMPORARY(c, TRUE);
  DBMS_LOB.OPEN(b, DBMS_LOB.LOB_READONLY);
  DBMS_LOB.LOADFROMFILE(c, b, DBMS_LOB.LOBMAXSIZE);
  DBMS_LOB.CLOSE(b);
  RETURN c;
END;
/
CREATE OR REPLACE FUNCTION try_open(p_dir IN VARCHAR2, p_name IN VARCHAR2, p_mode IN VARCHAR2) RETURN VARCHAR2 IS
  f UTL_FILE.FILE_TYPE;
BEGIN
  f := UTL_FILE.FOPEN(p_dir, p_name, p_mode, 10);
  UTL_FILE.PUT(f, 'twelve bytes');
  RETURN 'written';
EXCEPTION
  WHEN OTHERS THEN
    RETURN SQLERRM;
END;
/
";

#[tokio::test]
async fn utl_file_and_bfiles_read_and_write_the_servers_files() {
    let (conversion, _db, client) = loaded("server_files", SERVER_FILES).await;
    all_converted(&conversion);
    let dir = tempfile::tempdir().unwrap();
    // The server (another user, maybe) writes there.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    client
        .execute(
            "INSERT INTO godwit_compat.directories VALUES ('REPORTS', $1)",
            &[&dir.path().to_str().unwrap()],
        )
        .await
        .unwrap();
    client
        .batch_execute("CALL write_report('REPORTS', 'r.txt')")
        .await
        .unwrap();
    // PUT_LINE ends a line, NEW_LINE(2) adds two, 'a' appends.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.txt")).unwrap(),
        "total: 42\n\n\nend\nmore\n"
    );
    // Written three bytes at a time, read back from the second byte.
    assert_eq!(
        value(
            &client,
            "SELECT copy_bytes('REPORTS', 'b.bin', '\\x0102030405'::bytea)"
        )
        .await
        .as_deref(),
        Some("exists 5 1 02030405 0")
    );
    assert_eq!(
        std::fs::read(dir.path().join("b.bin")).unwrap(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        value(&client, "SELECT read_text('REPORTS', 'r.txt')")
            .await
            .as_deref(),
        Some("total: 42\n\n\nend\nmore\n")
    );
    // Oracle's errors: a directory object that does not exist, a file that does not, a line longer
    // than the handle's maximum.
    for (call, error) in [
        (
            "'NOWHERE', 'r.txt', 'r'",
            "ORA-29280: invalid directory path",
        ),
        (
            "'REPORTS', 'none.txt', 'r'",
            "ORA-29283: invalid file operation",
        ),
        ("'REPORTS', 'x.txt', 'x'", "ORA-29281: invalid mode"),
        ("'REPORTS', 'long.txt', 'w'", "ORA-29285: file write error"),
    ] {
        let got = value(&client, &format!("SELECT try_open({call})"))
            .await
            .unwrap();
        assert!(got.starts_with(error), "{call}: {got}");
    }
}

#[test]
fn utl_file_calls_without_a_postgresql_equivalent_are_refused_by_name() {
    let conversion = converted(
        "utl_file_refused",
        "
CREATE OR REPLACE FUNCTION first_line(p_dir IN VARCHAR2) RETURN VARCHAR2 IS
  f UTL_FILE.FILE_TYPE;
  l VARCHAR2(100);
BEGIN
  f := UTL_FILE.FOPEN(p_dir, 'a.txt', 'r');
  UTL_FILE.GET_LINE(f, l);
  RETURN l;
END;
/
CREATE OR REPLACE FUNCTION block_of(p_dir IN VARCHAR2) RETURN NUMBER IS
  e BOOLEAN;
  n NUMBER;
  b NUMBER;
BEGIN
  UTL_FILE.FGETATTR(p_dir, 'a.txt', e, n, b);
  RETURN b;
END;
/
",
    );
    refused(&conversion, "public.first_line", "utl_file.get_line");
    refused(&conversion, "public.block_of", "block size (b) is read");
}

const OTHER_PACKAGES_COLLECTION_VARIABLES: &str = "
CREATE OR REPLACE PACKAGE shapes AS
  TYPE t_point IS RECORD (x NUMBER, name VARCHAR2(20));
  TYPE t_point_list IS TABLE OF t_point INDEX BY BINARY_INTEGER;
END shapes;
/
CREATE OR REPLACE PACKAGE canvas AS
  PROCEDURE add_point(p_point IN shapes.t_point);
  PROCEDURE clear;
  FUNCTION describe RETURN VARCHAR2;
END canvas;
/
CREATE OR REPLACE PACKAGE BODY canvas AS
  g_points shapes.t_point_list;

  PROCEDURE add_point(p_point IN shapes.t_point) IS
  BEGIN
    IF g_points.count = 0 THEN
      g_points(1) := p_point;
    ELSE
      g_points(g_points.last + 1) := p_point;
    END IF;
  END add_point;

  PROCEDURE clear IS
  BEGIN
    g_points.delete;
  END clear;

  FUNCTION describe RETURN VARCHAR2 IS
    l_out VARCHAR2(200);
  BEGIN
    FOR i IN 1 .. g_points.count LOOP
      l_out := l_out || g_points(i).name || '=' || g_points(i).x || ';';
    END LOOP;
    RETURN g_points.count || ':' || l_out;
  END describe;
END canvas;
/
";

#[tokio::test]
async fn package_variables_of_another_packages_collection_type_last_the_session() {
    let (conversion, _db, client) = loaded(
        "other_packages_collections",
        OTHER_PACKAGES_COLLECTION_VARIABLES,
    )
    .await;
    all_converted(&conversion);
    client
        .batch_execute(
            "CALL canvas.add_point(ROW(1, 'a')::shapes.t_point);
             CALL canvas.add_point(ROW(2.5, 'b')::shapes.t_point);",
        )
        .await
        .unwrap();
    assert_eq!(
        value(&client, "SELECT canvas.describe()").await.as_deref(),
        Some("2:a=1;b=2.5;")
    );
    client.batch_execute("CALL canvas.clear()").await.unwrap();
    assert_eq!(
        value(&client, "SELECT canvas.describe()").await.as_deref(),
        Some("0:")
    );
}

const LOCAL_FUNCTION_ASSIGNING_SHARED_VARIABLES: &str = "
CREATE OR REPLACE PACKAGE bits AS
  TYPE t_divisors IS TABLE OF PLS_INTEGER INDEX BY PLS_INTEGER;
  FUNCTION bits_of(p_value IN NUMBER, p_width IN PLS_INTEGER) RETURN VARCHAR2;
END bits;
/
CREATE OR REPLACE PACKAGE BODY bits AS
FUNCTION bits_of(p_value IN NUMBER, p_width IN PLS_INTEGER) RETURN VARCHAR2 IS
  divisors t_divisors;
  g_buffer PLS_INTEGER;
  g_taken PLS_INTEGER := 0;
  l_out VARCHAR2(200);
  l_code PLS_INTEGER;
  FUNCTION next_code(p_bits IN PLS_INTEGER) RETURN PLS_INTEGER IS
    l_rv PLS_INTEGER;
  BEGIN
    IF g_taken >= p_width THEN
      RETURN NULL;
    END IF;
    l_rv := BITAND(g_buffer, p_bits * 2 - 1);
    g_buffer := TRUNC(g_buffer / divisors(p_bits));
    g_taken := g_taken + p_bits;
    RETURN l_rv;
  END;
BEGIN
  FOR i IN 1 .. 4 LOOP
    divisors(i) := i * 2;
  END LOOP;
  g_buffer := p_value;
  l_code := next_code(2);
  WHILE l_code IS NOT NULL LOOP
    l_out := l_out || l_code || ',';
    l_code := next_code(2);
  END LOOP;
  RETURN l_out || g_taken;
END;
END bits;
/
";

#[tokio::test]
async fn a_local_function_that_assigns_the_enclosing_routines_variables_hands_them_back() {
    let (conversion, _db, client) = loaded(
        "local_function_writes",
        LOCAL_FUNCTION_ASSIGNING_SHARED_VARIABLES,
    )
    .await;
    all_converted(&conversion);
    // 45 is 10 11 01 in two-bit codes, read from the low end; the buffer and the count of bits
    // taken live in the enclosing function between calls.
    assert_eq!(
        value(&client, "SELECT bits.bits_of(45, 6)")
            .await
            .as_deref(),
        Some("1,3,2,6")
    );
    assert_eq!(
        value(&client, "SELECT bits.bits_of(7, 0)").await.as_deref(),
        Some("0")
    );
    // Oracle's own example: BITAND(7, 29) is 5; NULL gives NULL.
    assert_eq!(
        value(&client, "SELECT godwit_compat.bitand(7, 29)")
            .await
            .as_deref(),
        Some("5")
    );
    assert_eq!(
        value(&client, "SELECT godwit_compat.bitand(7, NULL)").await,
        None
    );
}

#[test]
fn a_local_function_assigning_shared_variables_inside_an_expression_is_refused() {
    let conversion = converted(
        "local_function_in_expression",
        "
CREATE OR REPLACE FUNCTION counted RETURN NUMBER IS
  g_calls PLS_INTEGER := 0;
  FUNCTION tick RETURN PLS_INTEGER IS
  BEGIN
    g_calls := g_calls + 1;
    RETURN g_calls;
  END;
BEGIN
  RETURN tick + tick;
END;
/
",
    );
    refused(
        &conversion,
        "public.counted",
        "local function TICK assigns G_CALLS of the enclosing routine",
    );
}

#[tokio::test]
async fn an_empty_string_passed_to_a_package_routine_is_null() {
    let (conversion, _db, client) = loaded(
        "empty_string_arguments",
        "
CREATE OR REPLACE PACKAGE cells AS
  FUNCTION describe(p_count IN PLS_INTEGER, p_label IN VARCHAR2 := 'x') RETURN VARCHAR2;
  FUNCTION blank RETURN VARCHAR2;
END cells;
/
CREATE OR REPLACE PACKAGE BODY cells AS
  FUNCTION describe(p_count IN PLS_INTEGER, p_label IN VARCHAR2 := 'x') RETURN VARCHAR2 IS
  BEGIN
    RETURN CASE WHEN p_count IS NULL THEN 'no count' ELSE 'count' END || ', '
      || CASE WHEN p_label IS NULL THEN 'no label' ELSE 'label' END;
  END describe;

  FUNCTION blank RETURN VARCHAR2 IS
  BEGIN
    RETURN describe('', '') || '; ' || describe(1, p_label => '');
  END blank;
END cells;
/
",
    )
    .await;
    all_converted(&conversion);
    // '' is Oracle's NULL: for a number parameter and a text one alike.
    assert_eq!(
        value(&client, "SELECT cells.blank()").await.as_deref(),
        Some("no count, no label; count, no label")
    );
}

const DYNAMIC_SQL_CURSORS: &str = "
CREATE TABLE emp (empno NUMBER(4) NOT NULL, ename VARCHAR2(10), sal NUMBER(7,2));
INSERT INTO emp VALUES (7369, 'SMITH', 800.5);
INSERT INTO emp VALUES (7499, 'ALLEN', 1600);
INSERT INTO emp VALUES (7521, NULL, 1250);
CREATE OR REPLACE PACKAGE report AS
  FUNCTION run(p_query IN VARCHAR2, p_min IN NUMBER) RETURN VARCHAR2;
  FUNCTION columns_of(p_query IN VARCHAR2) RETURN VARCHAR2;
  FUNCTION raise_by(p_name IN VARCHAR2, p_amount IN NUMBER) RETURN NUMBER;
END report;
/
CREATE OR REPLACE PACKAGE BODY report AS
  g_desc dbms_sql.desc_tab;
  g_value VARCHAR2(4000);

  FUNCTION columns_of(p_query IN VARCHAR2) RETURN VARCHAR2 IS
    c INTEGER := dbms_sql.open_cursor;
    n INTEGER;
    l_out VARCHAR2(4000);
  BEGIN
    dbms_sql.parse(c, p_query, dbms_sql.native);
    dbms_sql.describe_columns(c, n, g_desc);
    FOR i IN 1 .. g_desc.count LOOP
      l_out := l_out || g_desc(i).col_name || ':' || g_desc(i).col_type || ':'
        || g_desc(i).col_max_len || ':' || g_desc(i).col_precision || ',' || g_desc(i).col_scale || ';';
    END LOOP;
    dbms_sql.close_cursor(c);
    RETURN n || ' ' || l_out;
  END columns_of;

  FUNCTION run(p_query IN VARCHAR2, p_min IN NUMBER) RETURN VARCHAR2 IS
    c INTEGER;
    l_rows INTEGER;
    l_out VARCHAR2(4000);
    l_sal NUMBER;
  BEGIN
    c := dbms_sql.open_cursor;
    dbms_sql.parse(c, p_query, dbms_sql.native);
    dbms_sql.bind_variable(c, ':min_sal', p_min);
    dbms_sql.describe_columns(c, l_rows, g_desc);
    FOR i IN 1 .. g_desc.count LOOP
      dbms_sql.define_column(c, i, g_value, 4000);
    END LOOP;
    l_rows := dbms_sql.execute(c);
    WHILE dbms_sql.fetch_rows(c) > 0 LOOP
      FOR i IN 1 .. g_desc.count LOOP
        dbms_sql.column_value(c, i, g_value);
        l_out := l_out || g_value || '|';
      END LOOP;
      dbms_sql.column_value(c, 3, l_sal);
      l_out := l_out || (l_sal * 2) || ';';
    END LOOP;
    dbms_sql.close_cursor(c);
    IF dbms_sql.is_open(c) THEN
      l_out := l_out || 'still open';
    END IF;
    RETURN l_out;
  END run;

  FUNCTION raise_by(p_name IN VARCHAR2, p_amount IN NUMBER) RETURN NUMBER IS
    c INTEGER := dbms_sql.open_cursor;
    n INTEGER;
  BEGIN
    dbms_sql.parse(c, 'update emp set sal = sal + :amount where ename = :name or ename is null', dbms_sql.native);
    dbms_sql.bind_variable(c, 'amount', p_amount);
    dbms_sql.bind_variable(c, 'NAME', p_name);
    n := dbms_sql.execute(c);
    dbms_sql.close_cursor(c);
    RETURN n;
  END raise_by;
END report;
/
";

#[tokio::test]
async fn dbms_sql_cursors_parse_bind_describe_fetch_and_read_columns() {
    let (conversion, _db, client) = loaded("dbms_sql_cursors", DYNAMIC_SQL_CURSORS).await;
    all_converted(&conversion);
    // Rows above the bound minimum, each column read as text, then the third as a number; a NULL
    // column reads as NULL; the cursor is closed after.
    assert_eq!(
        value(
            &client,
            "SELECT report.run('select empno, ename, sal from emp where sal > :min_sal order by empno', 1000)"
        )
        .await
        .as_deref(),
        Some("7499|ALLEN|1600|3200;7521||1250|2500;")
    );
    // Oracle's codes: VARCHAR2(10) is type 1 of 10 bytes, NUMBER(7,2) type 2 of 22 bytes with its
    // precision and scale, an expression NUMBER precision 0 and scale -127; names upper case
    // unless quoted.
    assert_eq!(
        value(
            &client,
            "SELECT report.columns_of('select ename, sal, sal + 1 \"Total\" from emp')"
        )
        .await
        .as_deref(),
        Some("3 ENAME:1:10:0,0;SAL:2:22:7,2;Total:2:22:0,-127;")
    );
    // DML: the number of rows it changed; binds by name, in any case.
    assert_eq!(
        value(&client, "SELECT report.raise_by('SMITH', 10)")
            .await
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        value(
            &client,
            "SELECT string_agg(sal::text, ',' ORDER BY empno) FROM emp"
        )
        .await
        .as_deref(),
        Some("810.50,1600.00,1260.00")
    );
}

#[test]
fn dbms_sql_array_fetches_and_pl_sql_blocks_are_refused_by_name() {
    let conversion = converted(
        "dbms_sql_refused",
        "
CREATE OR REPLACE PROCEDURE bulk_read(p_query IN VARCHAR2) IS
  c INTEGER := dbms_sql.open_cursor;
  n_tab dbms_sql.number_table;
BEGIN
  dbms_sql.parse(c, p_query, dbms_sql.native);
  dbms_sql.define_array(c, 1, n_tab, 100, 1);
  dbms_sql.close_cursor(c);
END;
/
",
    );
    refused(&conversion, "public.bulk_read", "dbms_sql.define_array");
}

const OWA_CGI_ENVIRONMENT: &str = "
CREATE OR REPLACE PACKAGE web AS
  PROCEDURE init(p_agent IN VARCHAR2);
  FUNCTION agent RETURN VARCHAR2;
  FUNCTION all_vars RETURN VARCHAR2;
END web;
/
CREATE OR REPLACE PACKAGE BODY web AS
  PROCEDURE init(p_agent IN VARCHAR2) IS
    l_names owa.vc_arr;
    l_values owa.vc_arr;
  BEGIN
    l_names(1) := 'HTTP_USER_AGENT';
    l_values(1) := p_agent;
    l_names(2) := 'REQUEST_METHOD';
    l_values(2) := 'GET';
    owa.init_cgi_env(l_names.count, l_names, l_values);
  END init;

  FUNCTION agent RETURN VARCHAR2 IS
  BEGIN
    RETURN nvl(owa_util.get_cgi_env('http_user_agent'), 'none');
  EXCEPTION
    WHEN value_error THEN
      RETURN 'not a web call';
  END agent;

  FUNCTION all_vars RETURN VARCHAR2 IS
    l_out VARCHAR2(4000);
  BEGIN
    FOR i IN 1 .. nvl(owa.num_cgi_vars, 0) LOOP
      l_out := l_out || owa.cgi_var_name(i) || '=' || owa.cgi_var_val(i) || ';';
    END LOOP;
    RETURN nvl(owa.num_cgi_vars, 0) || ':' || l_out;
  END all_vars;
END web;
/
";

#[tokio::test]
async fn owa_cgi_environment_is_what_init_cgi_env_set_in_the_session() {
    let (conversion, _db, client) = loaded("owa_cgi", OWA_CGI_ENVIRONMENT).await;
    all_converted(&conversion);
    // Outside a gateway call OWA_UTIL.GET_CGI_ENV raises VALUE_ERROR (its loop runs to NULL).
    assert_eq!(
        value(&client, "SELECT web.agent()").await.as_deref(),
        Some("not a web call")
    );
    assert_eq!(
        value(&client, "SELECT web.all_vars()").await.as_deref(),
        Some("0:")
    );
    client
        .batch_execute("CALL web.init('Mozilla/5.0')")
        .await
        .unwrap();
    // Names are looked up without regard to case.
    assert_eq!(
        value(&client, "SELECT web.agent()").await.as_deref(),
        Some("Mozilla/5.0")
    );
    assert_eq!(
        value(&client, "SELECT web.all_vars()").await.as_deref(),
        Some("2:HTTP_USER_AGENT=Mozilla/5.0;REQUEST_METHOD=GET;")
    );
}

const XML_TABLES: &str = r#"
CREATE OR REPLACE FUNCTION sheets_of(p_xml IN XMLTYPE) RETURN VARCHAR2 IS
  l_out VARCHAR2(4000);
BEGIN
  FOR r IN (SELECT x.n, x.r_id, x.sheet_id, x.name
              FROM XMLTABLE(XMLNAMESPACES(DEFAULT 'http://m', 'http://r' AS "r"),
                            '/workbook/sheets/sheet' PASSING p_xml
                            COLUMNS n FOR ORDINALITY,
                                    r_id VARCHAR2(20) PATH '@r:id',
                                    sheet_id NUMBER PATH '@sheetId',
                                    name VARCHAR2(31) PATH 'title') x
             WHERE x.r_id IS NOT NULL) LOOP
    l_out := l_out || r.n || ':' || r.r_id || ':' || (r.sheet_id + 1) || ':' || r.name || ';';
  END LOOP;
  RETURN l_out;
END;
/
CREATE OR REPLACE FUNCTION prices_of(p_xml IN XMLTYPE) RETURN NUMBER IS
  l_total NUMBER;
BEGIN
  SELECT SUM(t.price) INTO l_total
    FROM XMLTABLE('/items/item' PASSING p_xml COLUMNS price NUMBER PATH 'price') t;
  RETURN l_total;
END;
/
"#;

#[tokio::test]
async fn xmltable_reads_rows_with_default_and_prefixed_namespaces() {
    let (conversion, _db, client) = loaded("xml_tables", XML_TABLES).await;
    all_converted(&conversion);
    // The default namespace applies to the elements of both paths, never to attributes; a sheet
    // without r:id is filtered out; ordinality counts the rows XMLTABLE made.
    let workbook = r#"<workbook xmlns="http://m" xmlns:r="http://r"><sheets><sheet sheetId="1" r:id="rId1"><title>Sales</title></sheet><sheet sheetId="2"><title>Hidden</title></sheet><sheet sheetId="7" r:id="rId3"><title>Costs</title></sheet></sheets></workbook>"#;
    assert_eq!(
        value(&client, &format!("SELECT sheets_of('{workbook}'::xml)"))
            .await
            .as_deref(),
        Some("1:rId1:2:Sales;3:rId3:8:Costs;")
    );
    assert_eq!(
        value(
            &client,
            "SELECT prices_of('<items><item><price>1.5</price></item><item><price>2</price></item></items>'::xml)"
        )
        .await
        .as_deref(),
        Some("3.5")
    );
}

#[test]
fn xmltable_columns_without_a_path_are_refused() {
    let conversion = converted(
        "xmltable_refused",
        "
CREATE OR REPLACE FUNCTION first_name(p_xml IN XMLTYPE) RETURN VARCHAR2 IS
  l_name VARCHAR2(100);
BEGIN
  SELECT x.name INTO l_name FROM XMLTABLE('/a/b' PASSING p_xml COLUMNS name VARCHAR2(100)) x;
  RETURN l_name;
END;
/
",
    );
    refused(
        &conversion,
        "public.first_name",
        "XMLTABLE is not converted: column name without PATH",
    );
}

const OWN_TABLES: &str = "
CREATE TABLE user_accounts (id NUMBER PRIMARY KEY, name VARCHAR2(30));
INSERT INTO user_accounts VALUES (7, 'ann');
CREATE OR REPLACE FUNCTION account_name(p_id NUMBER) RETURN VARCHAR2 IS
  l_name VARCHAR2(30);
BEGIN
  SELECT name INTO l_name FROM user_accounts WHERE id = p_id;
  RETURN l_name;
END;
/
BEGIN
  UPDATE user_accounts SET name = (SELECT upper(name) FROM user_accounts WHERE id = 7);
END;
/
CREATE OR REPLACE FUNCTION page_name(p_page NUMBER) RETURN VARCHAR2 IS
  l_name VARCHAR2(255);
BEGIN
  SELECT page_name INTO l_name FROM apex_application_pages WHERE page_id = p_page;
  RETURN l_name;
END;
/
";

/// A table of the input whose name looks like a dictionary view (`user_accounts`) is the input's
/// own, in routines and in anonymous blocks; APEX's views, which PostgreSQL does not have, are
/// refused like Oracle's dictionary.
#[tokio::test]
async fn the_inputs_own_tables_are_not_taken_for_oracle_views() {
    let mut conversion = converted("own_tables", OWN_TABLES);
    refused(
        &conversion,
        "public.page_name",
        "reads APEX's view apex_application_pages",
    );
    let options = Options::default();
    let db = database("own_tables").await;
    let mut client = db.connect().await;
    let checked = check_on_target(&mut client, &mut conversion, &options)
        .await
        .expect("the check runs");
    assert_eq!(checked.rejected, 0, "{:#?}", conversion.objects);
    client
        .batch_execute(&conversion.to_sql(&options))
        .await
        .unwrap_or_else(|e| panic!("{}", godwit_testkit::describe(&e)));
    assert_eq!(
        value(&client, "SELECT public.account_name(7)").await,
        Some("ANN".into())
    );
}
