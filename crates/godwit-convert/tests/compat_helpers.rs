//! The `godwit_compat` helpers return what Oracle's built-ins return (expected values from Oracle's
//! documented rules and examples, written by hand).

use godwit_testkit::database;

async fn value(client: &tokio_postgres::Client, sql: &str) -> Option<String> {
    let rows = godwit_testkit::text_rows(client, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {}", godwit_testkit::describe(&e)));
    rows.into_iter().next().and_then(|mut r| r.swap_remove(0))
}

#[tokio::test]
async fn helpers_follow_oracle_rules() {
    let db = database("compat").await;
    let all: std::collections::BTreeSet<&'static str> = godwit_convert::compat::HELPERS
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let client = db.connect().await;
    for statement in godwit_convert::compat::definitions(&all) {
        client
            .batch_execute(&statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {}", godwit_testkit::describe(&e)));
    }
    let cases = [
        // ||: NULL is '', an empty result is NULL, other types become text.
        ("SELECT 'a' OPERATOR(godwit_compat.||) NULL", Some("a")),
        ("SELECT NULL OPERATOR(godwit_compat.||) 'b'", Some("b")),
        (
            "SELECT NULL::text OPERATOR(godwit_compat.||) NULL::text",
            None,
        ),
        ("SELECT '' OPERATOR(godwit_compat.||) ''", None),
        (
            "SELECT 'x' OPERATOR(godwit_compat.||) 2 OPERATOR(godwit_compat.||) 'y'",
            Some("x2y"),
        ),
        ("SELECT 1.5 OPERATOR(godwit_compat.||) 'x'", Some("1.5x")),
        (
            "SELECT 'x' OPERATOR(godwit_compat.||) 0.50::numeric(2,2)",
            Some("x.5"),
        ),
        ("SELECT -0.25 OPERATOR(godwit_compat.||) ''", Some("-.25")),
        (
            "SELECT 24000.00 OPERATOR(godwit_compat.||) ''",
            Some("24000"),
        ),
        // ADD_MONTHS: shorter target month → its last day; a month end stays a month end.
        (
            "SELECT godwit_compat.add_months('2024-01-31', 1)",
            Some("2024-02-29 00:00:00"),
        ),
        (
            "SELECT godwit_compat.add_months('2024-02-29', 1)",
            Some("2024-03-31 00:00:00"),
        ),
        (
            "SELECT godwit_compat.add_months('2024-01-15 10:30:00', -2)",
            Some("2023-11-15 10:30:00"),
        ),
        (
            "SELECT godwit_compat.add_months('2024-01-15', 1.9)",
            Some("2024-02-15 00:00:00"),
        ),
        ("SELECT godwit_compat.add_months(NULL, 1)", None),
        // LAST_DAY keeps the time of day.
        (
            "SELECT godwit_compat.last_day('2024-02-10 08:00:00')",
            Some("2024-02-29 08:00:00"),
        ),
        // MONTHS_BETWEEN: whole months for equal days or two month ends, else 31-day fractions.
        (
            "SELECT godwit_compat.months_between('2024-03-31', '2024-02-29')",
            Some("1"),
        ),
        (
            "SELECT round(godwit_compat.months_between('1995-02-02', '1995-01-01'), 6)",
            Some("1.032258"),
        ),
        (
            "SELECT godwit_compat.months_between('2024-01-15', '2024-03-15')",
            Some("-2"),
        ),
        // INSTR, Oracle's documentation examples.
        (
            "SELECT godwit_compat.instr('CORPORATE FLOOR', 'OR', 3, 2)",
            Some("14"),
        ),
        (
            "SELECT godwit_compat.instr('CORPORATE FLOOR', 'OR', -3, 2)",
            Some("2"),
        ),
        ("SELECT godwit_compat.instr('abc', 'z')", Some("0")),
        ("SELECT godwit_compat.instr('abc', NULL)", None),
        // SUBSTR, Oracle's documentation examples and edge cases.
        ("SELECT godwit_compat.substr('ABCDEFG', 3, 4)", Some("CDEF")),
        (
            "SELECT godwit_compat.substr('ABCDEFG', -5, 4)",
            Some("CDEF"),
        ),
        ("SELECT godwit_compat.substr('ABCDEFG', 0, 2)", Some("AB")),
        ("SELECT godwit_compat.substr('ABCDEFG', -3)", Some("EFG")),
        ("SELECT godwit_compat.substr('ABC', 2, 0)", None),
        ("SELECT godwit_compat.substr('ABC', -5)", None),
        // NEXT_DAY: 2024-05-17 is a Friday.
        (
            "SELECT godwit_compat.next_day('2024-05-17 10:00', 'MONDAY')",
            Some("2024-05-20 10:00:00"),
        ),
        (
            "SELECT godwit_compat.next_day('2024-05-17', 'fri')",
            Some("2024-05-24 00:00:00"),
        ),
        // TO_CHAR without a format.
        (
            "SELECT godwit_compat.oracle_text(0.50::numeric(2,2))",
            Some(".5"),
        ),
        // TRUNC on dates and on numbers.
        (
            "SELECT godwit_compat.trunc(timestamp '2024-05-17 13:45:00', 'MM')",
            Some("2024-05-01 00:00:00"),
        ),
        (
            "SELECT godwit_compat.trunc(timestamp '2024-05-17 13:45:00')",
            Some("2024-05-17 00:00:00"),
        ),
        (
            "SELECT godwit_compat.trunc(timestamp '2024-05-17 13:45:00', 'Q')",
            Some("2024-04-01 00:00:00"),
        ),
        ("SELECT godwit_compat.trunc(12.345, 1)", Some("12.3")),
        ("SELECT godwit_compat.trunc(-12.9)", Some("-12")),
    ];
    for (sql, expected) in cases {
        assert_eq!(value(&client, sql).await.as_deref(), expected, "{sql}");
    }
}

#[test]
fn only_used_helpers_are_emitted() {
    let used: std::collections::BTreeSet<&'static str> = ["months_between"].into_iter().collect();
    let defs = godwit_convert::compat::definitions(&used);
    assert_eq!(
        defs.len(),
        3,
        "schema, months_between and the last_day it calls"
    );
    assert!(godwit_convert::compat::definitions(&Default::default()).is_empty());
}
