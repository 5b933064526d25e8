//! The check on the target: converted routines are created with check_function_bodies on and passed
//! through plpgsql_check on a real PostgreSQL, in a transaction that is rolled back. What the server
//! refuses is left out of the script and reported with the server's own message.
//!
//! These tests need the plpgsql_check extension on the test server (the test command installs the
//! Debian package `postgresql-NN-plpgsql-check`).

use godwit_convert::{check_on_target, convert, Conversion, Options, Severity, Status};
use godwit_testkit::{database, text_rows};
use std::path::Path;

fn converted(oracle: &str) -> Conversion {
    let script = godwit_oracle::script::read_text(Path::new("check.sql"), oracle);
    assert!(script.notes.is_empty(), "{:?}", script.notes);
    convert(&script.statements, &Options::default())
}

fn report<'a>(c: &'a Conversion, name: &str) -> &'a godwit_convert::ObjectReport {
    c.objects
        .iter()
        .find(|o| o.name == name && o.kind != "DATA")
        .unwrap_or_else(|| panic!("no report for {name}: {:#?}", c.objects))
}

fn errors(report: &godwit_convert::ObjectReport) -> Vec<(&'static str, &str)> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.id, f.message.as_str()))
        .collect()
}

const SCRIPT: &str = "
CREATE TABLE orders (id NUMBER PRIMARY KEY, total NUMBER(10,2));
CREATE OR REPLACE PROCEDURE touch_missing AS
BEGIN
  UPDATE no_such_table SET x = 1;
END;
/
CREATE OR REPLACE FUNCTION order_total(p_id NUMBER) RETURN NUMBER AS
  v NUMBER;
BEGIN
  SELECT total INTO v FROM orders WHERE id = p_id;
  RETURN v;
END;
/
CREATE OR REPLACE VIEW order_totals AS SELECT id, order_total(id) AS total FROM orders;
CREATE OR REPLACE VIEW doubled AS SELECT id, no_such_function(total) AS t FROM orders;
";

#[tokio::test]
async fn a_routine_plpgsql_check_refuses_is_left_out_with_its_error_and_the_rest_loads() {
    let mut conversion = converted(SCRIPT);
    let options = Options::default();
    // Every object passes the converter's own gate (PostgreSQL's parser): only a real server sees
    // what is wrong.
    assert_eq!(
        report(&conversion, "public.touch_missing").status,
        Status::Converted
    );

    let db = database("target_check").await;
    let mut client = db.connect().await;
    let checked = check_on_target(&mut client, &mut conversion, &options)
        .await
        .expect("the check runs");
    assert!(checked.plpgsql_check, "the test server has plpgsql_check");
    assert_eq!(checked.rejected, 2, "{:#?}", conversion.objects);
    assert_eq!(
        checked.routines_checked, 1,
        "order_total only, after the round without touch_missing"
    );

    let missing = report(&conversion, "public.touch_missing");
    assert_eq!(missing.status, Status::NotConverted);
    let errs = errors(missing);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "GW-PG-CHECK");
    assert!(
        errs[0]
            .1
            .contains("relation \"no_such_table\" does not exist"),
        "{}",
        errs[0].1
    );

    let doubled = report(&conversion, "public.doubled");
    assert_eq!(doubled.status, Status::NotConverted);
    let errs = errors(doubled);
    assert_eq!(errs[0].0, "GW-PG-TARGET");
    assert!(errs[0].1.contains("no_such_function"), "{}", errs[0].1);
    assert!(errs[0].1.contains("SQLSTATE 42883"), "{}", errs[0].1);

    assert_eq!(
        report(&conversion, "public.order_total").status,
        Status::Converted
    );
    assert_eq!(
        report(&conversion, "public.order_totals").status,
        Status::Converted
    );

    // Nothing stayed behind on the target: the check was rolled back.
    let left = text_rows(
        &client,
        "SELECT count(*) FROM pg_class WHERE relname IN ('orders', 'order_totals')",
    )
    .await
    .unwrap();
    assert_eq!(left[0][0].as_deref(), Some("0"));

    // The script without the refused objects loads, and the kept function works.
    let sql = conversion.to_sql(&options);
    assert!(
        !sql.lines()
            .any(|l| l.starts_with("CREATE OR REPLACE PROCEDURE public.touch_missing")),
        "{sql}"
    );
    client
        .batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}\n{sql}", godwit_testkit::describe(&e)));
    client
        .batch_execute("INSERT INTO orders VALUES (1, 12.5)")
        .await
        .unwrap();
    let rows = text_rows(&client, "SELECT total FROM order_totals")
        .await
        .unwrap();
    assert_eq!(rows[0][0].as_deref(), Some("12.50"));
}

#[tokio::test]
async fn every_routine_of_the_shop_fixture_passes_plpgsql_check() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop_oracle.sql");
    let script = godwit_oracle::read_input(&path).expect("fixture reads");
    let options = Options::default();
    let mut conversion = convert(&script.statements, &options);
    let db = database("target_check_shop").await;
    let mut client = db.connect().await;
    let checked = check_on_target(&mut client, &mut conversion, &options)
        .await
        .expect("the check runs");
    assert!(checked.plpgsql_check);
    let refused: Vec<_> = conversion
        .objects
        .iter()
        .flat_map(|o| o.findings.iter().map(move |f| (o, f)))
        .filter(|(_, f)| f.id == "GW-PG-CHECK" || f.id == "GW-PG-TARGET")
        .map(|(o, f)| format!("{} {}: {}", o.kind, o.name, f.message))
        .collect();
    assert!(refused.is_empty(), "{refused:#?}");
    assert!(checked.routines_checked >= 20, "{checked:?}");
}
