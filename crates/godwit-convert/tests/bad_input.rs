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

// ----- Script-level damage: every problem names its file and line -----

/// Runs `f` on a thread with a 2 MB stack (the default for spawned threads and for the test harness),
/// so a recursion that would overflow in production overflows here too, whatever RUST_MIN_STACK says.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Writes `bytes` to `input.sql` in a temp dir, reads it as a script and converts it (script text and
/// report too). Returns the script, the conversion and the file's path.
fn read_and_convert(
    bytes: &[u8],
) -> (
    godwit_oracle::script::Script,
    godwit_convert::Conversion,
    std::path::PathBuf,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.sql");
    std::fs::write(&path, bytes).unwrap();
    let script = read_script(&path).unwrap();
    let options = Options::default();
    let conversion = convert(&script.statements, &options);
    let _ = conversion.to_sql(&options);
    let _ = conversion.report_json();
    (script, conversion, path, dir)
}

fn has_table(c: &godwit_convert::Conversion, name: &str) -> bool {
    c.catalog
        .table(&godwit_catalog::QualifiedName::new("public", name))
        .is_some()
}

#[test]
fn unclosed_quotes_and_comments_are_notes_naming_file_and_line() {
    for (open, what) in [
        ("'abc", "a string"),
        ("\"abc", "a quoted name"),
        ("q'[abc", "a q-quoted string"),
        ("Q'{abc}", "a q-quoted string"),
        ("N'abc", "a string"),
        ("/* abc", "a /* comment"),
    ] {
        let text = format!(
            "CREATE TABLE a (x NUMBER);\n\nCREATE TABLE b (y VARCHAR2(10) DEFAULT {open});\nCREATE TABLE c (z DATE);\n"
        );
        let (script, c, path, _dir) = read_and_convert(text.as_bytes());
        let note = script
            .notes
            .iter()
            .find(|n| n.message.contains("never closed"))
            .unwrap_or_else(|| panic!("{open}: no note in {:?}", script.notes));
        assert_eq!(
            (note.file.as_path(), note.line),
            (path.as_path(), 3),
            "{open}"
        );
        assert!(note.message.starts_with(what), "{open}: {}", note.message);
        assert!(has_table(&c, "a"), "{open}: the table before the damage");
    }
    // An unclosed comment between statements hides the rest of the file: that is said too.
    let (script, c, path, _dir) = read_and_convert(
        b"CREATE TABLE a (x NUMBER);\n/* never closed\nCREATE TABLE b (y DATE);\n",
    );
    assert!(has_table(&c, "a") && !has_table(&c, "b"));
    assert!(
        script
            .notes
            .iter()
            .any(|n| n.file == path && n.line == 2 && n.message.contains("never closed")),
        "{:?}",
        script.notes
    );
}

#[test]
fn a_statement_cut_anywhere_is_a_note_naming_file_and_line() {
    let complete = "CREATE TABLE a (x NUMBER PRIMARY KEY);\n";
    let last_sql = "CREATE TABLE \"Orders\" (\n  id NUMBER(10) GENERATED ALWAYS AS IDENTITY,\n  note VARCHAR2(40 CHAR) DEFAULT q'[it's; here]' NOT NULL,\n  made DATE DEFAULT SYSDATE,\n  CONSTRAINT orders_ck CHECK (note <> 'x''y'),\n  CONSTRAINT orders_fk FOREIGN KEY (id) REFERENCES a (x)\n) /* the end */";
    let last_plsql = "CREATE OR REPLACE PROCEDURE p (n IN NUMBER) IS\n  v NUMBER := NVL(n, 0);\nBEGIN\n  INSERT INTO a VALUES (v);\n  RAISE_APPLICATION_ERROR(-20001, 'bad ' || n);\nEND;";
    // A PL/SQL unit cut before its CREATE … PROCEDURE words is read as SQL, so either ending is named.
    for (last, terminator) in [(last_sql, ";\n"), (last_plsql, "\n/\n")] {
        let mut cuts = 0;
        for cut in (1..=last.len()).filter(|k| last.is_char_boundary(*k)) {
            let head = &last[..cut];
            // A cut inside a comment at the very start leaves no statement at all.
            if head.trim().is_empty() {
                continue;
            }
            let (script, c, path, _dir) =
                read_and_convert(format!("{complete}\n{head}").as_bytes());
            assert!(has_table(&c, "a"), "cut at {cut}");
            let ok = script.notes.iter().any(|n| {
                n.file == path
                    && n.line >= 3
                    && (n.message.contains("no terminating") || n.message.contains("never closed"))
            });
            assert!(ok, "cut at {cut} ({head:?}): {:?}", script.notes);
            cuts += 1;
        }
        assert!(cuts > 100);
        // The whole statement with its terminator: no note.
        let (script, _, _, _dir) =
            read_and_convert(format!("{complete}\n{last}{terminator}").as_bytes());
        assert!(script.notes.is_empty(), "{:?}", script.notes);
    }
}

#[test]
fn binary_garbage_is_read_with_a_note_and_never_panics() {
    let mut rng = Lcg(7);
    for round in 0..20 {
        // Bytes 1..=255: no NUL, so the reader takes the file, decoding it as Latin-1 if not UTF-8.
        let garbage: Vec<u8> = (0..20_000).map(|_| (rng.next() % 255 + 1) as u8).collect();
        let mut bytes = b"CREATE TABLE a (x NUMBER);\n".to_vec();
        bytes.extend_from_slice(&garbage);
        let (script, c, path, _dir) = read_and_convert(&bytes);
        assert!(has_table(&c, "a"), "round {round}");
        assert!(
            script
                .notes
                .iter()
                .any(|n| n.file == path && n.line >= 2 && n.message.contains("not UTF-8")),
            "round {round}: {:?}",
            script.notes
        );
    }
}

#[test]
fn a_nul_byte_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.sql");
    std::fs::write(
        &path,
        b"CREATE TABLE a (x NUMBER);\nCREATE TABLE b (\ny NUMBER\0);\n",
    )
    .unwrap();
    let message = read_script(&path).unwrap_err().to_string();
    assert!(
        message.contains(&format!("{}:3", path.display())) && message.contains("NUL"),
        "{message}"
    );
    // Through a folder, and through an include, the same.
    std::fs::write(dir.path().join("main.sql"), "@@dump.sql\n").unwrap();
    let message = read_script(&dir.path().join("main.sql"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("dump.sql:3"), "{message}");
    let message = godwit_oracle::read_input(dir.path())
        .unwrap_err()
        .to_string();
    assert!(message.contains("dump.sql:3"), "{message}");
}

#[test]
fn include_cycles_are_a_note_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    // Each file includes itself and the other twice: without cycle detection this is 4^20 reads.
    std::fs::write(
        dir.path().join("a.sql"),
        "CREATE TABLE a (x NUMBER);\n@@a.sql\n@@b.sql\n@@a\n@@b\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.sql"),
        "CREATE TABLE b (x NUMBER);\n@@a.sql\n@@b.sql\n",
    )
    .unwrap();
    let script = read_script(&dir.path().join("a.sql")).unwrap();
    assert_eq!(script.statements.len(), 3, "{:?}", script.statements);
    assert!(script
        .notes
        .iter()
        .any(|n| n.line == 2 && n.message.contains("include cycle")));
}

// ----- Deep nesting, on the default 2 MB thread stack -----

/// A script with `expr` in every place an expression can stand, then one more table.
fn expression_places(expr: &str) -> String {
    format!(
        "CREATE TABLE base (id NUMBER PRIMARY KEY, v NUMBER);\n\
         CREATE VIEW deep_view AS SELECT {expr} AS x FROM base;\n\
         CREATE TABLE deep_default (a NUMBER DEFAULT {expr});\n\
         CREATE TABLE deep_check (a NUMBER, CONSTRAINT deep_ck CHECK (a > {expr}));\n\
         CREATE TABLE deep_virtual (a NUMBER, b NUMBER GENERATED ALWAYS AS ({expr}) VIRTUAL);\n\
         CREATE INDEX deep_index ON base ({expr});\n\
         INSERT INTO base (id, v) VALUES (1, {expr});\n\
         UPDATE base SET v = {expr} WHERE id = 1;\n\
         CREATE MATERIALIZED VIEW deep_mview AS SELECT {expr} AS x FROM base;\n\
         CREATE OR REPLACE FUNCTION deep_function RETURN NUMBER IS\nBEGIN\n  RETURN {expr};\nEND;\n/\n\
         BEGIN\n  INSERT INTO base (id, v) VALUES (2, {expr});\nEND;\n/\n\
         CREATE TABLE after_the_damage (a NUMBER);\n"
    )
}

fn check_deep(text: String, expect_too_deep: bool) {
    let c = on_small_stack(move || read_and_convert(text.as_bytes()).1);
    assert!(has_table(&c, "after_the_damage"));
    for name in [
        "public.deep_view",
        "public.deep_default",
        "public.deep_check",
    ] {
        let o = c
            .objects
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the report"));
        assert!(o.file.ends_with("input.sql") && o.line > 1, "{name}");
        if expect_too_deep {
            let f = o
                .findings
                .iter()
                .find(|f| f.id == "GW-SQL-TOO-DEEP")
                .unwrap_or_else(|| panic!("{name}: {:?}", o.findings));
            assert!(f.file.ends_with("input.sql") && f.line > 1, "{name}");
        }
    }
}

#[test]
fn a_hundred_thousand_open_parentheses_are_a_finding() {
    // Unbalanced: the statement never closes its parentheses.
    check_deep(expression_places(&"(".repeat(100_000)), true);
    // Balanced.
    check_deep(
        expression_places(&format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000))),
        true,
    );
}

#[test]
fn ten_thousand_nested_calls_and_subqueries_are_a_finding() {
    let depth = 10_000;
    let calls = format!("{}v{}", "UPPER(".repeat(depth), ")".repeat(depth));
    check_deep(expression_places(&calls), true);
    let decode = format!("{}0{}", "DECODE(v, 1, ".repeat(depth), ", 2)".repeat(depth));
    check_deep(expression_places(&decode), true);
    let subqueries = format!(
        "{}1{}",
        "(SELECT ".repeat(depth),
        " FROM dual)".repeat(depth)
    );
    check_deep(expression_places(&subqueries), true);
}

#[test]
fn ten_thousand_nested_case_expressions_do_not_overflow_the_stack() {
    // CASE nests without parentheses: nothing here recurses on it, so it converts.
    let depth = 10_000;
    let case = format!(
        "{}0{}",
        "CASE WHEN v = 1 THEN ".repeat(depth),
        " ELSE 2 END".repeat(depth)
    );
    check_deep(expression_places(&case), false);
    let plsql = format!(
        "CREATE OR REPLACE PROCEDURE deep_blocks IS\nBEGIN\n{}NULL;\n{}END;\n/\n\
         CREATE OR REPLACE PROCEDURE deep_ifs (n NUMBER) IS\nBEGIN\n{}NULL;\n{}END;\n/\n\
         CREATE TABLE after_the_damage (a NUMBER);\n",
        "BEGIN\n".repeat(depth),
        "END;\n".repeat(depth),
        "IF n > 0 THEN\n".repeat(depth),
        "END IF;\n".repeat(depth),
    );
    let c = on_small_stack(move || read_and_convert(plsql.as_bytes()).1);
    assert!(has_table(&c, "after_the_damage"));
    for name in ["public.deep_blocks", "public.deep_ifs"] {
        assert!(c.objects.iter().any(|o| o.name == name), "{name}");
    }
}

// ----- A large script -----

/// Writes a script of about `megabytes` MB: tables of several column types, each followed by rows.
/// Returns the table names and the number of INSERT statements.
fn write_big_script(path: &std::path::Path, megabytes: usize) -> (Vec<String>, usize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let target = megabytes << 20;
    let rows_per_table = 400;
    let (mut written, mut tables, mut inserts) = (0usize, Vec::new(), 0usize);
    while written < target {
        let name = format!("big_{}", tables.len());
        let create = format!(
            "CREATE TABLE {name} (\n  id NUMBER(10) NOT NULL,\n  label VARCHAR2(80 CHAR) DEFAULT 'none' NOT NULL,\n  \
             amount NUMBER(12,2),\n  made DATE DEFAULT SYSDATE,\n  note CLOB,\n  CONSTRAINT {name}_pk PRIMARY KEY (id),\n  \
             CONSTRAINT {name}_ck CHECK (amount >= 0)\n);\nCOMMENT ON TABLE {name} IS 'Table {name}';\n"
        );
        out.write_all(create.as_bytes()).unwrap();
        written += create.len();
        for row in 0..rows_per_table {
            let insert = format!(
                "INSERT INTO {name} (id, label, amount, made, note) VALUES ({row}, 'row {row} of {name}; it''s here', \
                 {row}.25, TO_DATE('2024-01-{:02}', 'YYYY-MM-DD'), q'[a note; with (parentheses)]');\n",
                row % 28 + 1
            );
            out.write_all(insert.as_bytes()).unwrap();
            written += insert.len();
            inserts += 1;
        }
        out.write_all(b"COMMIT;\n").unwrap();
        written += 8;
        tables.push(name);
    }
    out.flush().unwrap();
    (tables, inserts)
}

/// About 50 MB (GODWIT_BIG_SCRIPT_MB overrides): every table and every row arrives.
#[test]
fn a_fifty_megabyte_script_converts_completely() {
    let megabytes = std::env::var("GODWIT_BIG_SCRIPT_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sql");
    let (tables, inserts) = write_big_script(&path, megabytes);
    assert!(std::fs::metadata(&path).unwrap().len() >= (megabytes as u64) << 20);
    let script = read_script(&path).unwrap();
    assert!(
        script.notes.is_empty(),
        "{:?}",
        &script.notes[..script.notes.len().min(5)]
    );
    let options = Options::default();
    let c = convert(&script.statements, &options);
    drop(script);
    let sql = c.to_sql(&options);
    let report = c.report_json();
    for name in &tables {
        let table = c
            .objects
            .iter()
            .find(|o| o.kind == "TABLE" && o.name == format!("public.{name}"));
        let table = table.unwrap_or_else(|| panic!("{name} is not in the report"));
        assert_eq!(
            table.status,
            Status::Converted,
            "{name}: {:?}",
            table.findings
        );
        assert!(table.file.ends_with("big.sql") && table.line > 0);
        assert!(has_table(&c, name), "{name} is not in the catalog");
    }
    assert_eq!(c.data.len(), inserts);
    assert_eq!(c.data.iter().map(|d| d.rows).sum::<usize>(), inserts);
    assert_eq!(report["summary"]["data_rows"], inserts);
    assert!(
        sql.contains(&format!("CREATE TABLE public.{}", tables.last().unwrap()))
            || sql.contains(tables.last().unwrap())
    );
}
