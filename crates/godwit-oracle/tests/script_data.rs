//! The offline script source's rows: the shared Oracle corpora replayed into tables whose values are
//! the canonical text the copy path (`data::copy_line`) takes, and the errors a script's data can give.

use chrono::{NaiveDate, NaiveDateTime};
use godwit_oracle::data::{copy_line, DataStats, NulPolicy, OracleType};
use godwit_oracle::script_data::{script_tables, ScriptData, ScriptDataError, ScriptTable};
use std::path::{Path, PathBuf};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/oracle")
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(7, 30, 15)
        .unwrap()
}

/// The corpus's rows, or `None` (and a SKIPPED line) when the shared corpora are not on this machine.
fn corpus(name: &str) -> Option<ScriptData> {
    let root = corpus_root();
    if !root.is_dir() {
        eprintln!("SKIPPED: corpus not found at {}", root.display());
        return None;
    }
    let script = godwit_oracle::read_input(&root.join(name)).unwrap();
    Some(script_tables(&script, now()).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn table<'a>(data: &'a ScriptData, name: &str) -> &'a ScriptTable {
    data.table(name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

/// The values of the row whose first column is `key`.
fn row(table: &ScriptTable, key: &str) -> Vec<Option<String>> {
    table
        .rows
        .iter()
        .find(|r| r.values[0].as_deref() == Some(key))
        .unwrap_or_else(|| panic!("{}: no row {key}", table.name))
        .values
        .clone()
}

fn value(table: &ScriptTable, key: &str, column: &str) -> Option<String> {
    let k = table
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap_or_else(|| panic!("{}: no column {column}", table.name));
    row(table, key)[k].clone()
}

/// Counts rows straight from the text, without the evaluator: one per line starting with
/// `INSERT INTO` (the Oracle sample schemas insert one row per statement), or one per line holding
/// a whole `(…),` / `(…);` tuple (chinook's multi-row VALUES lists).
fn rows_in_text(path: &Path, tuples: bool) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| {
            let t = l.trim();
            if tuples {
                t.starts_with('(') && (t.ends_with("),") || t.ends_with(");"))
            } else {
                t.to_ascii_uppercase().starts_with("INSERT INTO")
            }
        })
        .count()
}

#[test]
fn the_corpora_yield_the_rows_their_files_insert() {
    let root = corpus_root();
    let Some(hr) = corpus("hr") else { return };
    let co = corpus("co").unwrap();
    let chinook = corpus("chinook").unwrap();
    let sh = corpus("sh").unwrap();
    let sakila = corpus("sakila").unwrap();

    let populate = |c: &str, f: &str| root.join(c).join(f);
    assert_eq!(
        rows_in_text(&populate("hr", "human_resources/hr_populate.sql"), false),
        216
    );
    assert_eq!(hr.row_count(), 216);
    assert_eq!(
        rows_in_text(&populate("co", "customer_orders/co_populate.sql"), false),
        8783
    );
    assert_eq!(co.row_count(), 8783);
    assert_eq!(
        rows_in_text(
            &populate("chinook", "ChinookDatabase/DataSources/Chinook_Oracle.sql"),
            true
        ),
        15607
    );
    assert_eq!(chinook.row_count(), 15607);
    assert_eq!(
        rows_in_text(&populate("sh", "sales_history/sh_populate.sql"), false),
        112
    );
    assert_eq!(sh.row_count(), 112);
    // sakila's only INSERTs are `BEFORE INSERT` trigger events: its data file is not in the corpus.
    assert_eq!(sakila.row_count(), 0);
    assert_eq!(sakila.tables.len(), 16);

    // The classic HR schema's tables (Oceania makes five regions).
    let counts: Vec<(&str, usize)> = hr
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.rows.len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("REGIONS", 5),
            ("COUNTRIES", 25),
            ("LOCATIONS", 23),
            ("DEPARTMENTS", 27),
            ("JOBS", 19),
            ("EMPLOYEES", 107),
            ("JOB_HISTORY", 10)
        ]
    );
    // sh's big tables come from SQLcl LOAD of CSV files the corpus lacks: said, not hidden.
    assert_eq!(table(&sh, "SALES").rows.len(), 0);
    let loads: Vec<u32> = sh
        .notes
        .iter()
        .filter(|n| n.message.contains("LOAD") && n.message.contains(".csv"))
        .map(|n| n.line)
        .collect();
    assert_eq!(loads, [501, 506, 511, 516, 521, 526]);
}

#[test]
fn values_match_the_files() {
    let Some(hr) = corpus("hr") else { return };
    let co = corpus("co").unwrap();
    let chinook = corpus("chinook").unwrap();
    let sh = corpus("sh").unwrap();

    // hr_populate.sql 806-818: INSERT INTO employees VALUES ( 100, 'Steven', 'King', 'SKING',
    // '1.515.555.0100', TO_DATE('17-06-2013', 'dd-MM-yyyy'), 'AD_PRES', 24000, NULL, NULL, 90 )
    let employees = table(&hr, "EMPLOYEES");
    let king = employees.rows.iter().find(|r| r.line == 806).unwrap();
    assert!(king.file.ends_with("human_resources/hr_populate.sql"));
    assert_eq!(king.row_line, 807);
    let v = |s: &str| Some(s.to_string());
    assert_eq!(
        king.values,
        [
            v("100"),
            v("Steven"),
            v("King"),
            v("SKING"),
            v("1.515.555.0100"),
            v(" 2013-06-17 00:00:00"),
            v("AD_PRES"),
            v("24000"),
            None,
            None,
            v("90")
        ]
    );
    // Types as ALL_TAB_COLUMNS would give them, in table order.
    let types: Vec<&OracleType> = employees.columns.iter().map(|c| &c.data_type).collect();
    assert_eq!(types[5], &OracleType::Date);
    assert_eq!(types[8], &OracleType::Number);
    // COMMISSION_PCT NUMBER(2,2): .4 (employee 145, `, .4`).
    assert_eq!(value(employees, "145", "COMMISSION_PCT"), v(".4"));
    // COUNTRY_ID CHAR(2) and a NULL state (LOCATIONS 1000: 'Roma', NULL, 'IT').
    let locations = table(&hr, "LOCATIONS");
    assert_eq!(value(locations, "1000", "STATE_PROVINCE"), None);
    assert_eq!(value(locations, "1000", "COUNTRY_ID"), v("IT"));
    // JOB_HISTORY: TO_DATE('24-03-2016', 'dd-MM-yyyy').
    let history = table(&hr, "JOB_HISTORY");
    let clerk = history
        .rows
        .iter()
        .find(|r| r.values[0].as_deref() == Some("114"))
        .unwrap();
    assert_eq!(clerk.values[1], v(" 2016-03-24 00:00:00"));

    // co: TO_TIMESTAMP('04-FEB-2021 13.20.22.245676861','DD-MON-YYYY HH24.MI.SS.FF') into a
    // TIMESTAMP (6 digits) column: Oracle rounds to .245677.
    let orders = table(&co, "ORDERS");
    assert_eq!(
        row(orders, "1"),
        [
            v("1"),
            v(" 2021-02-04 13:20:22.245677000"),
            v("3"),
            v("CANCELLED"),
            v("1")
        ]
    );
    assert_eq!(orders.rows[0].line, 591);
    // A doubled quote, a number with decimals, and JSON as BLOB bytes (UTL_RAW.CAST_TO_RAW).
    let products = table(&co, "PRODUCTS");
    assert_eq!(
        value(products, "1", "PRODUCT_NAME"),
        v("Boy's Shirt (White)")
    );
    assert_eq!(value(products, "1", "UNIT_PRICE"), v("29.55"));
    let details = value(products, "1", "PRODUCT_DETAILS").unwrap();
    assert!(details.starts_with(&hex(
        r#"{"colour":"white","gender":"Boy's","brand":"COMTOURS""#
    )));
    assert!(details.ends_with(&hex(r#""reviews":[]}"#)));
    // Product 4 takes the block's variable, two literals joined by chr(10).
    let four = value(products, "4", "PRODUCT_DETAILS").unwrap();
    assert!(four.contains(&hex("officia dolor amet cillum est.\"},\n{\"rating\":2")));
    // Negative coordinates in NUMBER(9,6) and an address over several lines.
    let stores = table(&co, "STORES");
    assert_eq!(value(stores, "2", "LONGITUDE"), v("-122.267237"));
    // co_populate.sql 535-537: (6,'London','One South Place … EC2M 2RB',51.519281,-0.087296)
    assert_eq!(value(stores, "6", "LONGITUDE"), v("-.087296"));
    assert!(value(stores, "2", "PHYSICAL_ADDRESS")
        .unwrap()
        .contains("Redwood Shores\n    500 Oracle Parkway"));
    assert_eq!(value(stores, "1", "PHYSICAL_ADDRESS"), None);
    // ORDER_ITEMS (1,1,33,37,4,NULL).
    assert_eq!(
        row(table(&co, "ORDER_ITEMS"), "1")[3..],
        [v("37"), v("4"), None]
    );

    // chinook: one multi-row statement at line 198, each row with its own line; chr(38) is '&'.
    let genres = table(&chinook, "GENRE");
    assert!(genres.rows.iter().all(|r| r.line == 198));
    assert_eq!(genres.rows[3].row_line, 202);
    assert_eq!(genres.rows[3].values, [v("4"), v("Alternative & Punk")]);
    assert_eq!(
        value(table(&chinook, "ARTIST"), "88", "NAME"),
        v("Guns N' Roses")
    );
    // 0.99 as TO_CHAR(x, 'TM9') writes it; a month without its leading zero.
    assert_eq!(value(table(&chinook, "TRACK"), "1", "UNITPRICE"), v(".99"));
    assert_eq!(
        value(table(&chinook, "EMPLOYEE"), "1", "BIRTHDATE"),
        v(" 1962-02-18 00:00:00")
    );
    assert_eq!(value(table(&chinook, "INVOICE"), "1", "BILLINGSTATE"), None);

    // sh: '' is NULL in Oracle; to_date(..., 'YYYY-MM-DD-HH24-MI-SS').
    let sh_products = table(&sh, "PRODUCTS");
    assert_eq!(value(sh_products, "14", "PROD_SRC_ID"), None);
    assert_eq!(
        value(sh_products, "14", "PROD_EFF_FROM"),
        v(" 2019-01-01 00:00:00")
    );
    assert_eq!(value(sh_products, "14", "PROD_LIST_PRICE"), v("999.99"));
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn every_corpus_value_is_what_the_copy_path_takes() {
    for name in ["hr", "co", "chinook", "sh", "sakila"] {
        let Some(data) = corpus(name) else { return };
        let mut stats = DataStats::default();
        let mut lines = 0;
        for t in &data.tables {
            for r in &t.rows {
                assert_eq!(r.values.len(), t.columns.len(), "{name} {}", t.name);
                copy_line(&t.columns, &r.values, NulPolicy::Fail, &mut stats).unwrap_or_else(|e| {
                    panic!("{}:{} table {}: {e}", r.file.display(), r.row_line, t.name)
                });
                lines += 1;
            }
        }
        assert_eq!(lines, data.row_count());
        assert_eq!(stats.nul_values, 0);
    }
}

fn run(text: &str) -> Result<ScriptData, ScriptDataError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("load.sql");
    std::fs::write(&path, text).unwrap();
    let script = godwit_oracle::read_script(&path).unwrap();
    script_tables(&script, now())
}

/// Lines 1-14 of the scripts below: a sequence, defaults, INSERT ALL, SELECT … FROM dual, an identity.
const SEQUENCES_AND_DEFAULTS: &str = "CREATE SEQUENCE s START WITH 10 INCREMENT BY 5;
CREATE TABLE t (id NUMBER, name VARCHAR2(10) DEFAULT 'none', made DATE DEFAULT SYSDATE,
  code CHAR(3), amount NUMBER(6,2), at TIMESTAMP(3), raw_bytes RAW(4), \"Mixed\" NUMBER);
INSERT INTO t (id, code, amount, at, raw_bytes) VALUES (s.NEXTVAL, 'ab', 1234.565,
  TIMESTAMP '2024-01-02 03:04:05.0005', HEXTORAW('00ff'));
INSERT ALL INTO t (id, name) VALUES (s.nextval, q'[it's]')
  INTO t (id, name) VALUES (s.nextval, 'x' || 2 || NULL)
  SELECT * FROM dual;
INSERT INTO t (id, \"Mixed\") SELECT -0.25, 1e3 FROM dual UNION ALL SELECT 2 * 3 + 1, -(1.5) FROM dual;
CREATE TABLE ids (id INTEGER GENERATED BY DEFAULT ON NULL AS IDENTITY (START WITH 100), tag VARCHAR2(5));
INSERT INTO ids (tag) VALUES ('a');
INSERT INTO ids VALUES (NULL, 'b');
INSERT INTO ids VALUES (7, 'c');
ALTER TABLE ids ADD (note VARCHAR2(10) DEFAULT 'later');
";

#[test]
fn sequences_identities_defaults_and_insert_forms() {
    // Date arithmetic is not evaluated: said with its place, nothing else wrong.
    let problem = run(&format!(
        "{SEQUENCES_AND_DEFAULTS}BEGIN\n  INSERT INTO ids (tag, note) VALUES ('d', to_char(TO_DATE('1999', 'YYYY') - 0));\nEND;\n/\n"
    ))
    .unwrap_err();
    assert_eq!(problem.problems.len(), 1, "{problem}");
    assert_eq!(problem.problems[0].line, 16);
    assert!(problem.problems[0].message.contains("date arithmetic"));

    let data = run(&format!(
        "{SEQUENCES_AND_DEFAULTS}DECLARE\n  v VARCHAR2(10) := 'e' || 'f';\nBEGIN\n  INSERT INTO ids (tag, note) VALUES ('d', v);\n  v := v || 'g';\n  INSERT INTO ids (tag, note) VALUES ('e', v);\nEND;\n/\n"
    ))
    .unwrap();
    let v = |s: &str| Some(s.to_string());
    let t = table(&data, "T");
    assert_eq!(
        t.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        [
            "ID",
            "NAME",
            "MADE",
            "CODE",
            "AMOUNT",
            "AT",
            "RAW_BYTES",
            "Mixed"
        ]
    );
    let rows: Vec<&Vec<Option<String>>> = t.rows.iter().map(|r| &r.values).collect();
    // NEXTVAL from START WITH/INCREMENT BY; DEFAULTs for the unnamed columns (SYSDATE is `now`);
    // CHAR padded; NUMBER(6,2) rounded half away from zero; TIMESTAMP(3) rounded; RAW as hex.
    assert_eq!(
        rows[0],
        &[
            v("10"),
            v("none"),
            v(" 2026-11-26 07:30:15"),
            v("ab "),
            v("1234.57"),
            v(" 2024-01-02 03:04:05.001000000"),
            v("00FF"),
            None
        ]
    );
    // INSERT ALL: one source row, so both INTO clauses share one NEXTVAL (as in Oracle).
    assert_eq!(
        (rows[1][0].clone(), rows[1][1].clone()),
        (v("15"), v("it's"))
    );
    assert_eq!((rows[2][0].clone(), rows[2][1].clone()), (v("15"), v("x2")));
    assert_eq!(
        (rows[3][0].clone(), rows[3][7].clone()),
        (v("-.25"), v("1000"))
    );
    assert_eq!(
        (rows[4][0].clone(), rows[4][7].clone()),
        (v("7"), v("-1.5"))
    );
    assert_eq!(t.rows[3].line, 9);

    let ids = table(&data, "IDS");
    let got: Vec<Vec<Option<String>>> = ids.rows.iter().map(|r| r.values.clone()).collect();
    assert_eq!(
        got,
        [
            vec![v("100"), v("a"), v("later")],
            vec![v("101"), v("b"), v("later")],
            vec![v("7"), v("c"), v("later")],
            vec![v("102"), v("d"), v("ef")],
            vec![v("103"), v("e"), v("efg")],
        ]
    );
    assert_eq!(ids.rows[3].line, 18);
    // The sequence goes on after the values the rows took (10, then 15 twice in one INSERT ALL).
    assert_eq!(
        data.sequences,
        [godwit_oracle::script_data::ScriptSequence {
            name: "S".into(),
            next: "20".into()
        }]
    );
}

/// The problems of a script that should fail, as `file:line: message` strings.
fn problems(text: &str) -> Vec<String> {
    let e = run(text).expect_err("the script should not evaluate");
    let shown = e.to_string();
    e.problems
        .iter()
        .map(|p| {
            let one = p.to_string();
            assert!(shown.contains(&one), "{shown}");
            let file = p.file.file_name().unwrap().to_string_lossy();
            one.replacen(&p.file.display().to_string(), &file, 1)
        })
        .collect()
}

#[test]
fn what_cannot_be_evaluated_is_named_with_file_and_line() {
    let got = problems(
        "CREATE TABLE t (id NUMBER(3) NOT NULL, name VARCHAR2(5), born DATE);\n\
         INSERT INTO t VALUES (1, 'a', SYSDATE);\n\
         INSERT INTO t VALUES (2, my_func(1), NULL);\n\
         INSERT INTO t VALUES (3, 'b');\n\
         INSERT INTO nowhere VALUES (4);\n\
         INSERT INTO t (id, colour) VALUES (5, 'red');\n\
         INSERT INTO t VALUES (6, 'c', TO_DATE('31-02-2020', 'DD-MM-YYYY'));\n\
         INSERT INTO t VALUES (7, 'c', TO_DATE('2020-01-01', 'YYYY-MM-DD Q'));\n\
         INSERT INTO t VALUES (8, 'toolong', NULL);\n\
         INSERT INTO t VALUES (1000, 'd', NULL);\n\
         INSERT INTO t VALUES (NULL, 'e', NULL);\n\
         INSERT INTO t VALUES (9, 'f', '2020-01-01');\n\
         INSERT INTO t VALUES\n  (10, 'g', NULL),\n  (11, some_column, NULL);\n\
         UPDATE t SET name = 'x';\n",
    );
    let expected = [
        "load.sql:3: table T: column NAME: my_func(1): the function MY_FUNC is not evaluated",
        "load.sql:4: table T: 2 value(s) for 3 column(s)",
        "load.sql:5: table NOWHERE: INSERT INTO a table the script does not create",
        "load.sql:6: table T: the table has no column COLOUR",
        "load.sql:7: table T: column BORN: TO_DATE('31-02-2020', 'DD-MM-YYYY'): TO_DATE: \"31-02-2020\" does not match the format \"DD-MM-YYYY\": day 31 is not valid for 2020-02",
        "load.sql:8: table T: column BORN: TO_DATE('2020-01-01', 'YYYY-MM-DD Q'): TO_DATE: the format element \"Q\" is not evaluated (supported: YYYY YY RR RRRR MM MON MONTH DD DDD HH HH12 HH24 MI SS FF[1-9] AM PM)",
        "load.sql:9: table T: column NAME: the value is 7 bytes, longer than VARCHAR2(5) holds (ORA-12899)",
        "load.sql:10: table T: column ID: 1000 is too large for NUMBER(3,0) (ORA-01438)",
        "load.sql:11: table T: column ID is NOT NULL and the row gives it NULL (ORA-01400)",
        "load.sql:12: table T: column BORN: text into a DATE column takes the session's NLS_DATE_FORMAT, which the script does not fix (use TO_DATE with a format)",
        "load.sql:15: table T: column NAME: some_column: SOME_COLUMN is not a value the script gives (a column, variable or function not evaluated)",
        "load.sql:16: table T: UPDATE of rows the script inserted is not evaluated: UPDATE t SET name = 'x'",
    ];
    assert_eq!(got, expected);
}

#[test]
fn blocks_and_triggers_that_could_change_rows_are_refused() {
    let got = problems(
        "CREATE TABLE t (id NUMBER);\n\
         CREATE OR REPLACE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  :new.id := 1;\nEND;\n/\n\
         INSERT INTO t VALUES (1);\n\
         ALTER TRIGGER t_bi DISABLE;\n\
         INSERT INTO t VALUES (2);\n\
         BEGIN\n  FOR i IN 1..10 LOOP\n    INSERT INTO t VALUES (i);\n  END LOOP;\nEND;\n/\n\
         BEGIN\n  dbms_stats.gather_table_stats(USER, 'T');\nEND;\n/\n",
    );
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("load.sql:7: table T: the INSERT trigger T_BI would run"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("load.sql:11: the PL/SQL statement FOR i IN 1 .. 10 LOOP"),
        "{got:?}"
    );
    // A block that changes no rows is skipped with a note, not an error.
    let data = run("CREATE TABLE t (id NUMBER);\nBEGIN\n  dbms_stats.gather_table_stats(USER, 'T');\nEND;\n/\nINSERT INTO t VALUES (1);\n").unwrap();
    assert_eq!(data.row_count(), 1);
    assert_eq!(data.notes.len(), 1);
    assert_eq!(data.notes[0].line, 3);
}

#[test]
fn cut_statements_give_problems_not_panics() {
    let root = corpus_root();
    if !root.is_dir() {
        eprintln!("SKIPPED: corpus not found at {}", root.display());
        return;
    }
    for name in ["hr", "co", "sh", "sakila", "logger"] {
        let script = godwit_oracle::read_input(&root.join(name)).unwrap();
        for cut in [3, 5, 7] {
            let mut cut_script = script.clone();
            for st in &mut cut_script.statements {
                let chars: Vec<char> = st.text.chars().collect();
                let keep = (chars.len() * cut / 8).min(2000);
                st.text = chars[..keep].iter().collect();
            }
            // Each statement cut short: whatever comes back, it comes back.
            let _ = script_tables(&cut_script, now());
        }
    }
}

/// Lines 1-9 of the scripts below: the format models the corpora use, and the general elements.
const DATES: &str = "CREATE TABLE d (n NUMBER, at DATE, ts TIMESTAMP(9));\n\
         INSERT INTO d VALUES (1, TO_DATE('04-FEB-2021 13.20.22', 'DD-MON-YYYY HH24.MI.SS'),\n\
           TO_TIMESTAMP('04-FEB-2021 13.20.22.245676861', 'DD-MON-YYYY HH24.MI.SS.FF'));\n\
         INSERT INTO d VALUES (2, TO_DATE('1962-2-18 7:5:0', 'yyyy-mm-dd hh24:mi:ss'), NULL);\n\
         INSERT INTO d VALUES (3, TO_DATE('17-02-2014', 'dd-MM-yyyy'),\n\
           TO_TIMESTAMP('2019-01-01-23-59-58', 'YYYY-MM-DD-HH24-MI-SS'));\n\
         INSERT INTO d VALUES (4, to_date('5 March 99 11:05 PM', 'DD MONTH RR HH12:MI AM', 'NLS_DATE_LANGUAGE = American'),\n\
           TO_TIMESTAMP('31/12/25 1.5', 'DD/MM/YY SS.FF3'));\n\
         INSERT INTO d VALUES (5, DATE '2024-02-29', TIMESTAMP '2024-02-29 10:11:12.5');\n\
         ";

#[test]
fn dates_follow_their_format_models() {
    let with_last = |last: &str| {
        run(&format!(
            "{DATES}INSERT INTO d VALUES (6, TO_DATE('12', 'MM'), {last});\n"
        ))
    };
    // Arithmetic on a timestamp is refused.
    let data = with_last("CURRENT_TIMESTAMP - 0").unwrap_err();
    assert_eq!(data.problems.len(), 1, "{data}");
    assert_eq!(data.problems[0].line, 10);
    assert!(data.problems[0]
        .message
        .starts_with("column TS: CURRENT_TIMESTAMP - 0:"));
    // SYSTIMESTAMP has a time zone; a TIMESTAMP column would take the session's zone.
    let data = with_last("SYSTIMESTAMP").unwrap_err();
    assert!(
        data.problems[0].message.contains("session time zone"),
        "{data}"
    );
    // The year and month TO_DATE leaves out are `now`'s.
    let data = with_last("LOCALTIMESTAMP").unwrap();
    let v = |s: &str| Some(s.to_string());
    let got: Vec<Vec<Option<String>>> = table(&data, "D")
        .rows
        .iter()
        .map(|r| r.values[1..].to_vec())
        .collect();
    assert_eq!(
        got,
        [
            vec![
                v(" 2021-02-04 13:20:22"),
                v(" 2021-02-04 13:20:22.245676861")
            ],
            vec![v(" 1962-02-18 07:05:00"), None],
            vec![
                v(" 2014-02-17 00:00:00"),
                v(" 2019-01-01 23:59:58.000000000")
            ],
            vec![
                v(" 1999-03-05 23:05:00"),
                v(" 2025-12-31 00:00:01.500000000")
            ],
            vec![
                v(" 2024-02-29 00:00:00"),
                v(" 2024-02-29 10:11:12.500000000")
            ],
            vec![
                v(" 2026-12-01 00:00:00"),
                v(" 2026-11-26 07:30:15.000000000")
            ],
        ]
    );
    // The copy path takes them all but the nanoseconds PostgreSQL cannot hold, which it refuses.
    let columns = &table(&data, "D").columns;
    let refused: Vec<usize> = table(&data, "D")
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            copy_line(
                columns,
                &r.values,
                NulPolicy::Fail,
                &mut DataStats::default(),
            )
            .is_err()
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(refused, [0]);

    // A language other than English, and a day that does not exist, are named with their place.
    let got = problems("CREATE TABLE d (at DATE);\n\
         INSERT INTO d VALUES (TO_DATE('5 mars 1999', 'DD MONTH YYYY', 'NLS_DATE_LANGUAGE=FRENCH'));\n\
         INSERT INTO d VALUES (TO_DATE('1582-10-10', 'YYYY-MM-DD'));\n\
         INSERT INTO d VALUES (TO_TIMESTAMP('2020-01-01 10:00:00.5', 'YYYY-MM-DD HH24:MI:SS.FF'));\n");
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got[0].starts_with("load.sql:2: table D: column AT:") && got[0].contains("FRENCH"));
    assert!(got[1].starts_with("load.sql:3: table D: column AT:") && got[1].contains("Gregorian"));
    assert!(
        got[2].starts_with("load.sql:4: table D: column AT:")
            && got[2].contains("fractions of a second")
    );
}

#[test]
fn a_sqlcl_load_is_a_note_and_the_statement_after_it_still_counts() {
    // The script reader runs a LOAD line on to the next `;`, taking the INSERT after it along.
    let data =
        run("CREATE TABLE t (id NUMBER);\nLOAD t t.csv\nPrompt next\nINSERT INTO t VALUES (1);\n")
            .unwrap();
    assert_eq!(table(&data, "T").rows.len(), 1);
    assert_eq!(table(&data, "T").rows[0].line, 4);
    assert_eq!(data.notes.len(), 1);
    assert_eq!(data.notes[0].line, 2);
    assert!(data.notes[0]
        .message
        .starts_with("LOAD t t.csv: SQLcl loads"));
}

#[test]
fn tables_are_created_once_dropped_renamed_and_altered_as_in_oracle() {
    let data = run("CREATE TABLE t (id NUMBER, gone VARCHAR2(5));\n\
         INSERT INTO t VALUES (1, 'x');\n\
         CREATE TABLE t (other DATE);\n\
         INSERT INTO t VALUES (2, NULL);\n\
         ALTER TABLE t DROP COLUMN gone;\n\
         ALTER TABLE t ADD flag CHAR(1) DEFAULT 'Y';\n\
         ALTER TABLE t RENAME COLUMN id TO key;\n\
         RENAME t TO u;\n\
         CREATE TABLE scratch (a NUMBER);\n\
         INSERT INTO scratch VALUES (1);\n\
         DROP TABLE scratch PURGE;\n\
         CREATE TABLE copy AS SELECT * FROM u;\n\
         CREATE TABLE ext (a NUMBER) ORGANIZATION EXTERNAL (TYPE oracle_loader DEFAULT DIRECTORY d LOCATION ('a.csv'));\n\
         CREATE TABLE wiped (a NUMBER);\n\
         INSERT INTO wiped VALUES (1);\n\
         TRUNCATE TABLE wiped;\n\
         INSERT INTO wiped VALUES (2);\n\
         DELETE FROM wiped;\n")
    .unwrap();
    let names: Vec<&str> = data.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["U", "WIPED"]);
    let u = table(&data, "U");
    let columns: Vec<&str> = u.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["KEY", "FLAG"]);
    let v = |s: &str| Some(s.to_string());
    let rows: Vec<&Vec<Option<String>>> = u.rows.iter().map(|r| &r.values).collect();
    assert_eq!(rows, [&vec![v("1"), v("Y")], &vec![v("2"), v("Y")]]);
    assert_eq!(table(&data, "WIPED").rows.len(), 0);
    let noted: Vec<u32> = data.notes.iter().map(|n| n.line).collect();
    assert_eq!(noted, [3, 12, 13], "{:?}", data.notes);
}
