//! Bad input never panics: it becomes a finding or a note, and the conversion goes on.

use godwit_convert::{convert, Options, Status};
use godwit_oracle::read_script;

fn convert_text(text: &str) -> godwit_convert::Conversion {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.sql");
    std::fs::write(&path, text).unwrap();
    let script = read_script(&path).unwrap();
    let conversion = convert(&script.statements, &Options::default());
    let _ = conversion.to_sql(&Options::default());
    conversion
}

#[test]
fn deeply_nested_expressions_are_a_finding() {
    let depth = 5000;
    let expr = format!("{}1{}", "NVL(".repeat(depth), ", 0)".repeat(depth));
    let c = convert_text(&format!("CREATE VIEW v AS SELECT {expr} AS x FROM dual;\nCREATE TABLE t (a NUMBER DEFAULT {expr});\n"));
    let view = c.objects.iter().find(|o| o.name == "public.v").unwrap();
    assert_eq!(view.status, Status::NotConverted);
    assert_eq!(view.findings[0].id, "GW-SQL-TOO-DEEP");
    let table = c.objects.iter().find(|o| o.name == "public.t").unwrap();
    assert!(table.findings.iter().any(|f| f.id == "GW-SQL-TOO-DEEP"));
}

#[test]
fn truncated_and_unbalanced_statements_do_not_stop_the_conversion() {
    let c = convert_text("CREATE TABLE a (x NUMBER;\nCREATE TABLE b (y VARCHAR2(10)));\nINSERT INTO b VALUES ('unclosed);\nCREATE TABLE c (z DATE);\nCREATE TABLE");
    // The table before the damage and the one with an extra parenthesis are both converted; the
    // unclosed quote swallows the rest of the file into one string, as it would in SQL*Plus.
    for name in ["a", "b"] {
        assert!(
            c.catalog
                .table(&godwit_catalog::QualifiedName::new("public", name))
                .is_some(),
            "table {name}"
        );
    }
    assert!(c
        .catalog
        .table(&godwit_catalog::QualifiedName::new("public", "c"))
        .is_none());
}

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn random_token_soup_never_panics() {
    let pieces = [
        "CREATE",
        "TABLE",
        "VIEW",
        "INDEX",
        "ON",
        "AS",
        "SELECT",
        "FROM",
        "WHERE",
        "(",
        ")",
        "(+)",
        ",",
        ";",
        "/\n",
        "'",
        "''",
        "\"",
        "q'[",
        "]'",
        "NUMBER",
        "VARCHAR2(",
        "DEFAULT",
        "CONSTRAINT",
        "PRIMARY KEY",
        "REFERENCES",
        "CHECK",
        "NVL(",
        "DECODE(",
        "ROWNUM",
        "<=",
        "5",
        "x",
        "y.z",
        "BEGIN",
        "END;",
        "DECLARE",
        "INSERT INTO",
        "VALUES",
        "ALTER TABLE",
        "ADD",
        "MODIFY",
        "COMMENT ON",
        "IS",
        "--",
        "/*",
        "*/",
        "\n",
        "@",
        "PROMPT",
        "GENERATED",
        "IDENTITY",
        "SEQUENCE",
        "START WITH",
        "MATERIALIZED",
        "TYPE",
        "OBJECT",
        "TABLE OF",
        "EXECUTE IMMEDIATE",
        "||",
        "MINUS",
        "LISTAGG(",
        "WITHIN GROUP",
        "ORDER BY",
        "SYSDATE",
        "-",
        "+",
        "TO_DATE(",
        "ADD_MONTHS(",
        "é",
        "\u{0}",
    ];
    let mut rng = Lcg(42);
    for _ in 0..2000 {
        let n = 1 + rng.next() % 60;
        let text: Vec<&str> = (0..n)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect();
        let text = text.join(" ").replace('\u{0}', "");
        convert_text(&text);
    }
}
