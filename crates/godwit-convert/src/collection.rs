//! PL/SQL collections (nested tables, VARRAYs, tables INDEX BY an integer) as PostgreSQL arrays.
//!
//! | PL/SQL | PL/pgSQL |
//! |---|---|
//! | `TYPE t IS TABLE OF e [INDEX BY PLS_INTEGER]`, `VARRAY(n) OF e` | `e[]` |
//! | `t(a, b)`, `t()` | `CAST(ARRAY[a, b] AS e[])`, `CAST(ARRAY[] AS e[])` |
//! | `v(i)` | `v[i]` |
//! | `v.COUNT`, `v.FIRST`, `v.LAST` | `coalesce(cardinality(v), 0)`, `array_lower(v, 1)`, `array_upper(v, 1)` |
//! | `v.EXISTS(i)`, `v.NEXT(i)`, `v.PRIOR(i)` | bounds checks on the array |
//! | `v.EXTEND[(n)]`, `v.TRIM[(n)]`, `v.DELETE` | array_append / array_fill, a slice, `'{}'` |
//! | `SELECT c BULK COLLECT INTO v FROM …` | `SELECT coalesce(array_agg(c), '{}') INTO v FROM (SELECT c FROM …)` |
//! | `SELECT a, b BULK COLLECT INTO recs FROM …` | `array_agg(CAST(ROW(a, b) AS element))` |
//! | `FETCH c BULK COLLECT INTO v [LIMIT n]` | a nested block fetching row by row into the array |
//! | `v(i).f := x` | `v[i].f := x` |
//! | `FORALL i IN a .. b dml;` | `FOR i IN a .. b LOOP dml; END LOOP;` |
//!
//! Arrays are dense: an INDEX BY table with gaps, `DELETE(i)`, MULTISET operators, `TABLE(v)` in SQL
//! and collections of collections are refused.
//!
//! Tables INDEX BY VARCHAR2 are maps from text keys: a jsonb object. `v(k)` reads the key's value
//! back as the element type, `v(k) := x` sets it (jsonb_set), FIRST/LAST/NEXT/PRIOR walk the keys in
//! code point order (COLLATE ucs_basic: the byte order of UTF-8, Oracle's binary order), COUNT counts them, EXISTS(k) and DELETE[(k)] work
//! on keys.

use crate::cursor::{matching_paren, split_commas};
use godwit_oracle::{tokenize, Token, TokenKind};
use std::collections::{BTreeMap, BTreeSet};

/// How a collection type is indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A nested table or VARRAY: NULL until constructed.
    Dense,
    /// INDEX BY PLS_INTEGER (or BINARY_INTEGER, SIMPLE_INTEGER): an array, empty at first.
    ByInteger,
    /// INDEX BY VARCHAR2 (or VARCHAR, STRING): a jsonb object, empty at first.
    ByText,
}

impl Kind {
    /// Whether a variable of the type starts empty (INDEX BY tables) rather than NULL.
    pub fn starts_empty(self) -> bool {
        self != Kind::Dense
    }
}

/// Collection types in scope, by upper-case name: the element type's Oracle tokens, and how it is
/// indexed.
pub type Collections = BTreeMap<String, (Vec<Token>, Kind)>;

/// The collection types of Oracle-supplied packages that converted calls support (upper case,
/// qualified), with their element type and indexing, as the input's own are given to a unit:
/// DBMS_SQL's (DESC_REC2 differs from DESC_REC only in how long a name may be, and both hold names
/// as text here) and OWA's VC_ARR.
pub fn oracle_supplied() -> Collections {
    [
        ("DBMS_SQL.DESC_TAB", "DBMS_SQL.DESC_REC"),
        ("DBMS_SQL.DESC_TAB2", "DBMS_SQL.DESC_REC"),
        ("DBMS_SQL.NUMBER_TABLE", "NUMBER"),
        ("DBMS_SQL.VARCHAR2_TABLE", "VARCHAR2(2000)"),
        ("DBMS_SQL.DATE_TABLE", "DATE"),
        ("OWA.VC_ARR", "VARCHAR2(32000)"),
    ]
    .into_iter()
    .map(|(name, element)| (name.to_string(), (tokenize(element, 0), Kind::ByInteger)))
    .collect()
}

/// The collections a block's statements see.
pub struct InScope<'a> {
    /// Variables and parameters holding arrays (upper case).
    pub arrays: &'a BTreeSet<String>,
    /// Those variables (upper case) → the PostgreSQL type of their elements, where known.
    pub array_elements: &'a BTreeMap<String, String>,
    /// Collection type names (upper case) → their PostgreSQL array type, for constructors.
    pub types: &'a BTreeMap<String, String>,
    /// Variables and parameters holding maps (INDEX BY VARCHAR2), upper case → the PostgreSQL type
    /// of their elements.
    pub maps: &'a BTreeMap<String, String>,
}

/// The element type of a collection type definition (the tokens after `TYPE name IS`) and how it is
/// indexed, or `None` when it is not a collection this module handles.
pub fn element_type(definition: &[Token]) -> Option<(Vec<Token>, Kind)> {
    let of = definition.iter().position(|t| t.is("OF"))?;
    let head = &definition[..of];
    let is_table = matches!(head, [t] if t.is("TABLE"));
    let is_varray = head
        .first()
        .is_some_and(|t| t.is("VARRAY") || t.is("VARYING"));
    if !is_table && !is_varray {
        return None;
    }
    let rest = &definition[of + 1..];
    let end = rest
        .iter()
        .position(|t| t.is("INDEX") || t.is("NOT"))
        .unwrap_or(rest.len());
    let kind = match rest.iter().position(|t| t.is("INDEX")) {
        None => Kind::Dense,
        Some(index) => {
            let by = rest.get(index + 2)?;
            if ["PLS_INTEGER", "BINARY_INTEGER", "SIMPLE_INTEGER"]
                .iter()
                .any(|w| by.is(w))
            {
                Kind::ByInteger
            } else if ["VARCHAR2", "VARCHAR", "STRING", "NVARCHAR2"]
                .iter()
                .any(|w| by.is(w))
            {
                Kind::ByText
            } else {
                return None;
            }
        }
    };
    let element = rest[..end].to_vec();
    if element.is_empty() {
        return None;
    }
    Some((element, kind))
}

fn word(text: &str, line: u32) -> Token {
    Token {
        kind: TokenKind::Word,
        text: text.into(),
        line,
        unterminated: false,
    }
}

fn symbol(text: &str, line: u32) -> Token {
    Token {
        kind: TokenKind::Symbol,
        text: text.into(),
        line,
        unterminated: false,
    }
}

/// `v[index]`, the index rewritten.
fn indexed(v: &Token, index: &[Token], scope: &InScope) -> Result<Vec<Token>, String> {
    let mut out = vec![v.clone(), symbol("[", v.line)];
    out.extend(rewrite(index, scope)?);
    out.push(symbol("]", v.line));
    Ok(out)
}

/// `TABLE(v) [alias]` over the array variable `v` whose elements are `element`: its elements as rows,
/// a scalar element in the column COLUMN_VALUE as in Oracle, a composite one as its attributes.
fn table_of_array(tokens: &[Token], close: usize, array: &str, element: &str) -> String {
    let alias = tokens
        .get(close + 1)
        .filter(|a| a.kind == TokenKind::Word && !is_clause_word(a))
        .map(|a| a.text.clone());
    // Composite elements are named by schema-qualified types; scalar ones are built-in.
    let composite = element.contains('.');
    match (alias, composite) {
        (Some(a), false) => format!("unnest({array}) AS {a}(column_value)"),
        (Some(a), true) => format!("unnest({array}) AS {a}"),
        (None, false) => format!("unnest({array}) AS column_value"),
        (None, true) => format!("unnest({array})"),
    }
}

/// Words that end a FROM item rather than name its alias.
fn is_clause_word(t: &Token) -> bool {
    [
        "WHERE",
        "GROUP",
        "ORDER",
        "CONNECT",
        "START",
        "UNION",
        "INTERSECT",
        "MINUS",
        "JOIN",
        "LEFT",
        "RIGHT",
        "FULL",
        "INNER",
        "CROSS",
        "ON",
        "HAVING",
        "FOR",
        "FETCH",
        "OFFSET",
        "NATURAL",
        "WITH",
        "EXCEPT",
        "INTO",
        "BULK",
        "LOOP",
    ]
    .iter()
    .any(|w| t.is(w))
}

/// Rewrites collection uses in a block's statements. `arrays` are the variables and parameters of a
/// collection type; `types` the collection type names in scope with their PostgreSQL array type.
pub fn rewrite(tokens: &[Token], scope: &InScope) -> Result<Vec<Token>, String> {
    let (arrays, types) = (scope.arrays, scope.types);
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut k = 0;
    let statement_start = |k: usize| crate::plsql::starts_statement(tokens, k);
    while k < tokens.len() {
        let t = &tokens[k];
        let line = t.line;
        let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
        let upper = t.upper();
        let next = tokens.get(k + 1);
        if t.kind != TokenKind::Word || after_dot {
            out.push(t.clone());
            k += 1;
            continue;
        }
        // FORALL i IN a .. b dml;
        if upper == "FORALL" && statement_start(k) {
            let dml = (k..tokens.len())
                .find(|&j| {
                    ["INSERT", "UPDATE", "DELETE", "MERGE", "EXECUTE"]
                        .iter()
                        .any(|w| tokens[j].is(w))
                })
                .ok_or("FORALL without a statement")?;
            if tokens[k..dml]
                .iter()
                .any(|t| t.is("INDICES") || t.is("VALUES") || t.is("SAVE"))
            {
                return Err("FORALL … INDICES OF / VALUES OF / SAVE EXCEPTIONS".into());
            }
            let end = (dml..tokens.len())
                .find(|&j| tokens[j].is_symbol(";"))
                .ok_or("FORALL without ;")?;
            out.push(word("FOR", line));
            out.extend(rewrite(&tokens[k + 1..dml], scope)?);
            out.push(word("LOOP", line));
            out.extend(rewrite(&tokens[dml..=end], scope)?);
            out.extend(tokenize("END LOOP;", line));
            k = end + 1;
            continue;
        }
        // FETCH c BULK COLLECT INTO v[, w] [LIMIT n]; row by row into the arrays, at most n rows.
        if upper == "FETCH" && statement_start(k) {
            let end = (k..tokens.len())
                .find(|&j| tokens[j].is_symbol(";"))
                .unwrap_or(tokens.len());
            let statement = &tokens[k..end];
            if let Some(b) = statement.iter().position(|t| t.is("BULK")) {
                out.extend(fetch_bulk_collect(statement, b, scope)?);
                k = end;
                continue;
            }
        }
        // SELECT … BULK COLLECT INTO v[, w] FROM …;
        if upper == "SELECT" && statement_start(k) {
            let end = (k..tokens.len())
                .find(|&j| tokens[j].is_symbol(";"))
                .unwrap_or(tokens.len());
            let statement = &tokens[k..end];
            if let Some(b) = statement.iter().position(|t| t.is("BULK")) {
                out.extend(bulk_collect(statement, b, scope)?);
                k = end;
                continue;
            }
        }
        // A constructor: t(a, b) / t().
        if let Some(array_type) = types
            .get(&upper)
            .filter(|_| next.is_some_and(|n| n.is_symbol("(")))
        {
            let close = matching_paren(tokens, k + 1).ok_or("unbalanced constructor")?;
            out.extend(tokenize("CAST(ARRAY[", line));
            out.extend(rewrite(&tokens[k + 2..close], scope)?);
            out.extend(tokenize("] AS", line));
            out.push(word(array_type, line));
            out.push(Token {
                kind: TokenKind::Symbol,
                text: ")".into(),
                line,
                unterminated: false,
            });
            k = close + 1;
            continue;
        }
        if let Some(element) = scope.maps.get(&upper) {
            let (text, after) = map_use(tokens, k, element, scope)?;
            out.extend(tokenize(&text, line));
            k = after;
            continue;
        }
        if !arrays.contains(&upper) {
            if upper == "TABLE" && next.is_some_and(|n| n.is_symbol("(")) {
                if let Some(close) = matching_paren(tokens, k + 1) {
                    if let [v] = &tokens[k + 2..close] {
                        if let Some(element) = scope.array_elements.get(&v.upper()) {
                            out.extend(tokenize(
                                &table_of_array(tokens, close, &v.text, element),
                                line,
                            ));
                            k = close + 1;
                            if tokens
                                .get(k)
                                .is_some_and(|a| a.kind == TokenKind::Word && !is_clause_word(a))
                            {
                                k += 1;
                            }
                            continue;
                        }
                    }
                    if tokens[k + 2..close]
                        .iter()
                        .any(|t| arrays.contains(&t.upper()))
                    {
                        return Err("TABLE(collection) in SQL".into());
                    }
                }
            }
            out.push(t.clone());
            k += 1;
            continue;
        }
        let name = &t.text;
        // v(i) → v[i]
        if next.is_some_and(|n| n.is_symbol("(")) {
            let close = matching_paren(tokens, k + 1).ok_or("unbalanced collection index")?;
            let field = tokens.get(close + 1).is_some_and(|n| n.is_symbol("."))
                && tokens
                    .get(close + 2)
                    .is_some_and(|n| n.kind == TokenKind::Word);
            // The end of a field path `.a.b…` after the index.
            let mut path_end = close + 1;
            while tokens.get(path_end).is_some_and(|n| n.is_symbol("."))
                && tokens
                    .get(path_end + 1)
                    .is_some_and(|n| n.kind == TokenKind::Word)
            {
                path_end += 2;
            }
            let assigned = tokens.get(path_end).is_some_and(|n| n.is_symbol(":="));
            // v(i).f(j) := …: an element of an array field of a record element.
            let inner_index = tokens
                .get(path_end)
                .filter(|n| field && n.is_symbol("("))
                .and_then(|_| matching_paren(tokens, path_end))
                .filter(|&c| tokens.get(c + 1).is_some_and(|n| n.is_symbol(":=")));
            if let Some(inner_close) = inner_index.filter(|_| statement_start(k)) {
                out.extend(indexed(t, &tokens[k + 2..close], scope)?);
                out.extend(tokens[close + 1..path_end].iter().cloned());
                out.push(symbol("[", line));
                out.extend(rewrite(&tokens[path_end + 1..inner_close], scope)?);
                out.push(symbol("]", line));
                k = inner_close + 1;
                continue;
            }
            if field && assigned && statement_start(k) {
                // A field of a record element assigned (PostgreSQL 14 and later): v[i].a.b := …
                out.extend(indexed(t, &tokens[k + 2..close], scope)?);
                out.extend(tokens[close + 1..path_end].iter().cloned());
                k = path_end;
                continue;
            }
            if field && !assigned {
                // A field of a record element, read: (v[i]).field; an array field indexed in
                // turn: (v[i]).field[j].
                out.push(symbol("(", line));
                out.extend(indexed(t, &tokens[k + 2..close], scope)?);
                out.push(symbol(")", line));
                out.extend(tokens[close + 1..path_end].iter().cloned());
                k = path_end;
                if tokens.get(path_end).is_some_and(|n| n.is_symbol("(")) {
                    let inner_close =
                        matching_paren(tokens, path_end).ok_or("unbalanced collection index")?;
                    out.push(symbol("[", line));
                    out.extend(rewrite(&tokens[path_end + 1..inner_close], scope)?);
                    out.push(symbol("]", line));
                    k = inner_close + 1;
                }
                continue;
            }
            if field || tokens.get(close + 1).is_some_and(|n| n.is_symbol("(")) {
                return Err(format!("{name}(…) with a field assigned or a second index: assigning fields of record elements or collections of collections"));
            }
            out.extend(indexed(t, &tokens[k + 2..close], scope)?);
            k = close + 1;
            continue;
        }
        // v.METHOD[(args)]
        if next.is_some_and(|n| n.is_symbol(".")) {
            let method = tokens.get(k + 2).map(|m| m.upper()).unwrap_or_default();
            let (args, after) = match tokens.get(k + 3) {
                Some(p) if p.is_symbol("(") => {
                    let close = matching_paren(tokens, k + 3).ok_or("unbalanced method call")?;
                    // The arguments get the collection rules too (l.EXTEND(other.COUNT)).
                    let mut parts: Vec<String> = Vec::new();
                    for p in split_commas(&tokens[k + 4..close]) {
                        let rewritten = rewrite(p, scope)?;
                        parts.push(
                            rewritten
                                .iter()
                                .map(|t| t.text.clone())
                                .collect::<Vec<_>>()
                                .join(" "),
                        );
                    }
                    (parts, close + 1)
                }
                _ => (Vec::new(), k + 3),
            };
            let at_start = statement_start(k);
            let text = match (method.as_str(), args.as_slice(), at_start) {
                ("COUNT", [], _) => format!("coalesce(cardinality({name}), 0)"),
                ("FIRST", [], _) => format!("array_lower({name}, 1)"),
                ("LAST", [], _) => format!("array_upper({name}, 1)"),
                ("EXISTS", [i], _) => format!(
                    "coalesce(({i}) BETWEEN array_lower({name}, 1) AND array_upper({name}, 1), false)"
                ),
                ("NEXT", [i], _) => format!("(CASE WHEN ({i}) < array_upper({name}, 1) THEN ({i}) + 1 END)"),
                ("PRIOR", [i], _) => format!("(CASE WHEN ({i}) > array_lower({name}, 1) THEN ({i}) - 1 END)"),
                ("EXTEND", [], true) => format!("{name} := array_append(coalesce({name}, '{{}}'), NULL)"),
                ("EXTEND", [n], true) => format!(
                    "FOR godwit_i IN 1 .. {n} LOOP {name} := array_append(coalesce({name}, '{{}}'), NULL); END LOOP"
                ),
                ("TRIM", [], true) => format!("{name} := {name}[array_lower({name}, 1) : array_upper({name}, 1) - 1]"),
                ("TRIM", [n], true) => {
                    format!("{name} := {name}[array_lower({name}, 1) : array_upper({name}, 1) - ({n})]")
                }
                ("DELETE", [], true) => format!("{name} := '{{}}'"),
                (m, _, _) => return Err(format!("collection method {name}.{m}")),
            };
            out.extend(tokenize(&text, line));
            k = after;
            continue;
        }
        out.push(t.clone());
        k += 1;
    }
    Ok(out)
}

/// A use of the map (INDEX BY VARCHAR2) variable at `k`: its text, and the index to go on from.
fn map_use(
    tokens: &[Token],
    k: usize,
    element: &str,
    scope: &InScope,
) -> Result<(String, usize), String> {
    let name = &tokens[k].text;
    let sql =
        |ts: &[Token]| -> Result<String, String> { Ok(crate::cursor::text(&rewrite(ts, scope)?)) };
    let key_of = |key: &str| format!("CAST(({key}) AS text)");
    let keys = format!("jsonb_object_keys(coalesce({name}, '{{}}')) godwit_k");
    let at_start = crate::plsql::starts_statement(tokens, k);
    match tokens.get(k + 1) {
        Some(open) if open.is_symbol("(") => {
            let close = matching_paren(tokens, k + 1).ok_or("unbalanced map key")?;
            let key = key_of(&sql(&tokens[k + 2..close])?);
            let next = tokens.get(close + 1);
            if at_start && next.is_some_and(|n| n.is_symbol(":=")) {
                let end = crate::package::statement_end(tokens, close + 2);
                let value = sql(&tokens[close + 2..end])?;
                // The element type without its length or precision: a literal gets a type, and
                // nothing is cut short by the cast.
                let base = element.split('(').next().unwrap_or(element).trim();
                return Ok((
                    format!(
                        "{name} := jsonb_set(coalesce({name}, '{{}}'), ARRAY[{key}], coalesce(to_jsonb(CAST(({value}) AS {base})), CAST('null' AS jsonb)))"
                    ),
                    end,
                ));
            }
            if next.is_some_and(|n| n.is_symbol(".")) {
                let field = tokens
                    .get(close + 2)
                    .filter(|f| f.kind == TokenKind::Word)
                    .ok_or("a map element followed by a dot")?;
                if tokens.get(close + 3).is_some_and(|n| n.is_symbol(":=")) {
                    return Err(format!(
                        "{name}(…).{} := …: assigning a field of an INDEX BY VARCHAR2 element",
                        field.text
                    ));
                }
                return Ok((
                    format!(
                        "(jsonb_populate_record(CAST(NULL AS {element}), jsonb_extract_path({name}, {key}))).{}",
                        field.text
                    ),
                    close + 3,
                ));
            }
            Ok((
                format!("CAST(jsonb_extract_path_text({name}, {key}) AS {element})"),
                close + 1,
            ))
        }
        Some(dot) if dot.is_symbol(".") => {
            let method = tokens.get(k + 2).map(|m| m.upper()).unwrap_or_default();
            let (args, after) = match tokens.get(k + 3) {
                Some(p) if p.is_symbol("(") => {
                    let close = matching_paren(tokens, k + 3).ok_or("unbalanced method call")?;
                    let args = split_commas(&tokens[k + 4..close])
                        .into_iter()
                        .map(|a| sql(a).map(|s| key_of(&s)))
                        .collect::<Result<Vec<_>, _>>()?;
                    (args, close + 1)
                }
                _ => (Vec::new(), k + 3),
            };
            let c = "COLLATE ucs_basic";
            let text = match (method.as_str(), args.as_slice(), at_start) {
                ("COUNT", [], _) => format!("CAST((SELECT count(*) FROM {keys}) AS integer)"),
                ("FIRST", [], _) => format!("(SELECT min(godwit_k {c}) FROM {keys})"),
                ("LAST", [], _) => format!("(SELECT max(godwit_k {c}) FROM {keys})"),
                ("EXISTS", [key], _) => {
                    format!("(jsonb_extract_path(coalesce({name}, '{{}}'), {key}) IS NOT NULL)")
                }
                ("NEXT", [key], _) => {
                    format!("(SELECT min(godwit_k {c}) FROM {keys} WHERE godwit_k {c} > {key})")
                }
                ("PRIOR", [key], _) => {
                    format!("(SELECT max(godwit_k {c}) FROM {keys} WHERE godwit_k {c} < {key})")
                }
                ("DELETE", [], true) => format!("{name} := '{{}}'"),
                ("DELETE", [key], true) => format!("{name} := {name} - {key}"),
                (m, _, _) => {
                    return Err(format!(
                        "collection method {name}.{m} on an INDEX BY VARCHAR2 table"
                    ))
                }
            };
            Ok((text, after))
        }
        _ => Ok((name.clone(), k + 1)),
    }
}

/// `FETCH c BULK COLLECT INTO v[, w] [LIMIT n]` → a nested block that empties the arrays and
/// appends fetched rows until the cursor is done or n rows are in (FOUND then says which).
fn fetch_bulk_collect(
    statement: &[Token],
    bulk: usize,
    scope: &InScope,
) -> Result<Vec<Token>, String> {
    let line = statement[0].line;
    if !(statement.get(bulk + 1).is_some_and(|t| t.is("COLLECT"))
        && statement.get(bulk + 2).is_some_and(|t| t.is("INTO")))
    {
        return Err("BULK COLLECT not followed by INTO".into());
    }
    let cursor = crate::cursor::text(&statement[1..bulk]);
    let limit_at = statement.iter().position(|t| t.is("LIMIT"));
    let targets = split_commas(&statement[bulk + 3..limit_at.unwrap_or(statement.len())]);
    let mut declarations = String::new();
    let mut fetched = Vec::new();
    let mut appends = String::new();
    let mut empties = String::new();
    for (n, target) in targets.iter().enumerate() {
        let [variable] = target else {
            return Err(
                "FETCH … BULK COLLECT into something other than collection variables".into(),
            );
        };
        let name = variable.upper();
        let element = scope
            .array_elements
            .get(&name)
            .filter(|_| scope.arrays.contains(&name))
            .ok_or_else(|| {
                format!(
                    "FETCH … BULK COLLECT into {}, whose element type is not known",
                    variable.text
                )
            })?;
        let temp = format!("godwit_fetched_{n}");
        declarations.push_str(&format!("{temp} {element}; "));
        fetched.push(temp.clone());
        let v = variable.text.to_lowercase();
        empties.push_str(&format!("{v} := '{{}}'; "));
        appends.push_str(&format!("{v} := array_append({v}, {temp}); "));
    }
    let first = targets[0][0].text.to_lowercase();
    let limit = match limit_at {
        Some(at) => format!(
            "EXIT WHEN coalesce(cardinality({first}), 0) >= ({}); ",
            crate::cursor::text(&statement[at + 1..])
        ),
        None => String::new(),
    };
    let sql = format!(
        "DECLARE {declarations}BEGIN {empties}LOOP {limit}FETCH {cursor} INTO {}; EXIT WHEN NOT FOUND; {appends}END LOOP; END",
        fetched.join(", ")
    );
    Ok(tokenize(&sql, line))
}

/// `SELECT a[, b] BULK COLLECT INTO v[, w] FROM …` → one array_agg per column over the query.
fn bulk_collect(statement: &[Token], bulk: usize, scope: &InScope) -> Result<Vec<Token>, String> {
    let arrays = scope.arrays;
    let line = statement[0].line;
    if !(statement.get(bulk + 1).is_some_and(|t| t.is("COLLECT"))
        && statement.get(bulk + 2).is_some_and(|t| t.is("INTO")))
    {
        return Err("BULK COLLECT not followed by INTO".into());
    }
    let from = statement
        .iter()
        .position(|t| t.is("FROM"))
        .ok_or("BULK COLLECT without FROM")?;
    let columns = split_commas(&statement[1..bulk]);
    let targets = split_commas(&statement[bulk + 3..from]);
    // Several columns into one collection of records: its elements built from the columns.
    let record_element = match &targets[..] {
        [[target]]
            if columns.len() > 1
                && !columns.iter().any(|c| matches!(c, [t] if t.is_symbol("*"))) =>
        {
            Some(scope.array_elements.get(&target.upper()).ok_or(
                "BULK COLLECT of several columns into a collection whose element type is not known",
            )?)
        }
        _ if columns.len() != targets.len() => {
            return Err("BULK COLLECT with as many targets as columns, or into one collection of records, only".into());
        }
        _ => None,
    };
    for target in &targets {
        if !(target.len() == 1 && arrays.contains(&target[0].upper())) {
            return Err("BULK COLLECT into something other than collection variables".into());
        }
    }
    if statement.iter().any(|t| t.is("LIMIT")) {
        return Err("BULK COLLECT … LIMIT".into());
    }
    let text = |ts: &[Token]| {
        ts.iter()
            .map(|t| t.text.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let inner: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} AS godwit_c{i}", text(c)))
        .collect();
    let aggregates: Vec<String> = match record_element {
        Some(element) => {
            let fields: Vec<String> = (0..columns.len())
                .map(|i| format!("godwit_q.godwit_c{i}"))
                .collect();
            vec![format!(
                "coalesce(array_agg(CAST(ROW({}) AS {element})), '{{}}')",
                fields.join(", ")
            )]
        }
        None => (0..columns.len())
            .map(|i| format!("coalesce(array_agg(godwit_q.godwit_c{i}), '{{}}')"))
            .collect(),
    };
    let sql = format!(
        "SELECT {} INTO {} FROM (SELECT {} {}) godwit_q",
        aggregates.join(", "),
        targets
            .iter()
            .map(|t| text(t))
            .collect::<Vec<_>>()
            .join(", "),
        inner.join(", "),
        text(&statement[from..])
    );
    Ok(tokenize(&sql, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Result<String, String> {
        let arrays: BTreeSet<String> = ["L".to_string(), "R".to_string()].into();
        let array_elements: BTreeMap<String, String> = [
            ("L".to_string(), "varchar(10)".to_string()),
            ("R".to_string(), "pkg.pair_t".to_string()),
        ]
        .into();
        let types: BTreeMap<String, String> =
            [("T_LIST".to_string(), "varchar(10)[]".to_string())].into();
        let maps: BTreeMap<String, String> = [("M".to_string(), "numeric".to_string())].into();
        let scope = InScope {
            arrays: &arrays,
            array_elements: &array_elements,
            types: &types,
            maps: &maps,
        };
        rewrite(&tokenize(src, 1), &scope).map(|t| {
            t.iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn collections_become_arrays() {
        assert_eq!(
            element_type(&tokenize("TABLE OF VARCHAR2(10) INDEX BY PLS_INTEGER", 1))
                .unwrap()
                .0
                .len(),
            4
        );
        assert_eq!(
            element_type(&tokenize("TABLE OF NUMBER INDEX BY VARCHAR2(10)", 1))
                .unwrap()
                .1,
            Kind::ByText
        );
        assert!(element_type(&tokenize("TABLE OF NUMBER INDEX BY DATE", 1)).is_none());
        assert!(element_type(&tokenize("VARRAY(5) OF NUMBER", 1)).is_some());
        assert!(element_type(&tokenize("RECORD (a NUMBER)", 1)).is_none());
        assert_eq!(
            run("l := t_list('a', 'b');").unwrap(),
            "l := CAST ( ARRAY [ 'a' , 'b' ] AS varchar(10)[] ) ;"
        );
        assert_eq!(run("x := l(i + 1);").unwrap(), "x := l [ i + 1 ] ;");
        assert_eq!(
            run("n := l.COUNT;").unwrap(),
            "n := coalesce ( cardinality ( l ) , 0 ) ;"
        );
        assert_eq!(run("l.EXTEND; l(l.LAST) := 'x';").unwrap(), "l := array_append ( coalesce ( l , '{}' ) , NULL ) ; l [ array_upper ( l , 1 ) ] := 'x' ;");
        assert_eq!(run("l.DELETE;").unwrap(), "l := '{}' ;");
        assert_eq!(
            run("FORALL i IN 1 .. l.COUNT INSERT INTO t VALUES (l(i));").unwrap(),
            "FOR i IN 1 .. coalesce ( cardinality ( l ) , 0 ) LOOP INSERT INTO t VALUES ( l [ i ] ) ; END LOOP ;"
        );
        assert_eq!(
            run("SELECT name BULK COLLECT INTO l FROM t ORDER BY name;").unwrap(),
            "SELECT coalesce ( array_agg ( godwit_q . godwit_c0 ) , '{}' ) INTO l FROM ( SELECT name AS godwit_c0 FROM t ORDER BY name ) godwit_q ;"
        );
        assert_eq!(
            run("SELECT a, b BULK COLLECT INTO r FROM t;").unwrap(),
            "SELECT coalesce ( array_agg ( CAST ( ROW ( godwit_q . godwit_c0 , godwit_q . godwit_c1 ) AS pkg . pair_t ) ) , '{}' ) INTO r FROM ( SELECT a AS godwit_c0 , b AS godwit_c1 FROM t ) godwit_q ;"
        );
        assert!(run("SELECT a, b, c BULK COLLECT INTO l, r FROM t;").is_err());
        assert!(run("l.DELETE(3);").unwrap_err().contains("DELETE"));
        assert_eq!(run("x := l(2).name;").unwrap(), "x := ( l [ 2 ] ) . name ;");
        assert_eq!(run("l(2).name := 'x';").unwrap(), "l [ 2 ] . name := 'x' ;");
        assert_eq!(
            run("l(2).widths(i + 1) := 600;").unwrap(),
            "l [ 2 ] . widths [ i + 1 ] := 600 ;"
        );
        assert!(run("l(2)(3) := 'x';").is_err());
        assert_eq!(
            run("SELECT * FROM TABLE(l);").unwrap(),
            "SELECT * FROM unnest ( l ) AS column_value ;"
        );
        assert_eq!(
            run("SELECT t.column_value FROM TABLE(l) t WHERE 1 = 1;").unwrap(),
            "SELECT t . column_value FROM unnest ( l ) AS t ( column_value ) WHERE 1 = 1 ;"
        );
        assert!(run("SELECT * FROM TABLE(f(l));")
            .unwrap_err()
            .contains("TABLE"));
    }
}
