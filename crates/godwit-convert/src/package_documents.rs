//! Package variables of record types that hold collections, of collections of collections or of
//! such records (xlsx_builder_pkg's `workbook`: a record of sparse INDEX BY tables of records of
//! INDEX BY tables), and INDEX BY tables whose single elements the body deletes (pdf_builder_pkg's
//! `images`). No PostgreSQL composite or array type holds them with PL/SQL's semantics, so the
//! variable is one jsonb document, kept in its session setting like every package variable (a member
//! works on a local copy, see `package_collections`):
//!
//! | PL/SQL | jsonb document |
//! |---|---|
//! | a record | an object keyed by the fields' PostgreSQL names (a NULL field is absent) |
//! | an INDEX BY table (integer or text keys) | an object keyed by the keys as text: sparse, as in Oracle |
//! | a scalar | its `to_jsonb` value; NULL is JSON `null` |
//!
//! `v.a(i).b := x` becomes `v := godwit_compat.doc_put(v, ARRAY['a', i, 'b'], to_jsonb(x))`, which
//! creates missing elements as Oracle's assignment does; a read is `doc_get`, which raises
//! NO_DATA_FOUND for a missing element, as Oracle does (a missing field is NULL). COUNT, FIRST, LAST,
//! NEXT, PRIOR, EXISTS and DELETE work on the keys: integer keys in numeric order, text keys in
//! binary (UTF-8 byte) order. A statement whose value calls another routine evaluates the value first,
//! reloads the copy (the routine may have changed the variable) and then assigns, as Oracle's
//! assignment keeps the callee's changes. `DBMS_LOB.FREETEMPORARY(v(i).f)` makes the field NULL.
//!
//! Refused (a finding): whole collections or records without a composite type read or passed as a
//! value, EXTEND/TRIM, DELETE(m, n), fields of other packages' types, anchored types, element records
//! with default values.

use crate::cursor::{matching_paren, split_commas, text};
use crate::package::{statement_end, Declarations};
use godwit_oracle::{tokenize, Token, TokenKind};

/// What a document holds at some place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// A scalar of this PostgreSQL type.
    Scalar(String),
    /// A record: its fields (upper-case Oracle name, key, shape) and its composite type, if it has one.
    Record {
        fields: Vec<(String, String, Shape)>,
        composite: Option<String>,
        /// Field key → default value as JSON text.
        defaults: Vec<(String, String)>,
    },
    /// An INDEX BY table; `by_text` when its keys are VARCHAR2.
    Table { by_text: bool, element: Box<Shape> },
}

impl Shape {
    fn holds_collection(&self) -> bool {
        match self {
            Shape::Scalar(_) => false,
            Shape::Record { fields, .. } => fields.iter().any(|(_, _, s)| s.holds_collection()),
            Shape::Table { .. } => true,
        }
    }

    /// The initial value as JSON text: the fields' defaults.
    pub(crate) fn initial(&self) -> String {
        match self {
            Shape::Record {
                fields, defaults, ..
            } => {
                let mut parts = Vec::new();
                for (_, key, shape) in fields {
                    if let Some((_, value)) = defaults.iter().find(|(k, _)| k == key) {
                        parts.push(format!("\"{key}\": {value}"));
                    } else if matches!(shape, Shape::Record { .. }) {
                        let inner = shape.initial();
                        if inner != "{}" {
                            parts.push(format!("\"{key}\": {inner}"));
                        }
                    }
                }
                format!("{{{}}}", parts.join(", "))
            }
            _ => "{}".into(),
        }
    }
}

/// The package's types a document is built from.
pub(crate) struct Types<'a> {
    pub package: &'a str,
    pub schema: &'a str,
    pub own: &'a Declarations,
}

impl Types<'_> {
    /// The shape of a declared type, or why it has none.
    pub(crate) fn shape(&self, declared: &[Token], depth: usize) -> Result<Shape, String> {
        if depth > 16 {
            return Err("types nested too deeply".into());
        }
        let described = || text(declared);
        if declared.iter().any(|t| t.is_symbol("%")) {
            return Err(format!("anchored type {}", described()));
        }
        let name = match declared {
            [p, dot, t] if dot.is_symbol(".") && p.upper() == self.package => t.upper(),
            [s, dot, t] if dot.is_symbol(".") && s.text == self.schema => t.upper(),
            [t, ..] => t.upper(),
            [] => return Err("a field without a type".into()),
        };
        let simple = declared.len() == 1 || matches!(declared, [_, dot, _] if dot.is_symbol("."));
        if simple {
            if let Some(base) = self.own.subtypes.get(&name) {
                return self.shape(base, depth + 1);
            }
            if let Some((element, kind)) = self.own.collections.get(&name) {
                let element = self.shape(element, depth + 1)?;
                return match kind {
                    crate::collection::Kind::Dense => {
                        Err(format!("nested table or VARRAY {name} inside a document"))
                    }
                    kind => Ok(Shape::Table {
                        by_text: *kind == crate::collection::Kind::ByText,
                        element: Box::new(element),
                    }),
                };
            }
            let composite = self.own.records.contains_key(&name);
            if let Some(fields) = self
                .own
                .records
                .get(&name)
                .or_else(|| self.own.unconverted_records.get(&name))
            {
                return self.record(&name, fields, composite, depth);
            }
        }
        if declared.len() == 3 && declared[1].is_symbol(".") {
            return Err(format!("type {} of another package", described()));
        }
        scalar(declared).ok_or_else(|| format!("type {}", described()))
    }

    fn record(
        &self,
        name: &str,
        fields: &[Token],
        composite: bool,
        depth: usize,
    ) -> Result<Shape, String> {
        let mut out = Vec::new();
        let mut defaults = Vec::new();
        for field in split_commas(fields) {
            let Some(first) = field.first() else {
                return Err(format!("record {name} has an empty field"));
            };
            let key = crate::names::pg_name(first);
            let end = field
                .iter()
                .position(|t| t.is("NOT") || t.is("DEFAULT") || t.is_symbol(":="))
                .unwrap_or(field.len());
            let shape = self.shape(&field[1..end], depth + 1)?;
            if let Some(d) = field[end..]
                .iter()
                .position(|t| t.is("DEFAULT") || t.is_symbol(":="))
            {
                let value = &field[end + d + 1..];
                defaults.push((
                    key.clone(),
                    json_literal(value).ok_or_else(|| {
                        format!(
                            "field {} of record {name} has a default value that is not a literal",
                            first.text
                        )
                    })?,
                ));
            }
            out.push((first.upper(), key, shape));
        }
        Ok(Shape::Record {
            fields: out,
            composite: composite.then(|| {
                format!(
                    "{}.{}",
                    self.schema,
                    crate::names::pg_name(&Token {
                        kind: TokenKind::Word,
                        text: name.into(),
                        line: 0,
                        unterminated: false,
                    })
                )
            }),
            defaults,
        })
    }

    /// The shape of a package variable that needs a document, `None` when it does not (or cannot have
    /// one: the variable is then handled, or refused, as before).
    /// A `sparse` INDEX BY table (one whose single elements are deleted) is a document too.
    pub(crate) fn document(&self, variable: &str, sparse: bool) -> Option<Result<Shape, String>> {
        let declared = self.own.declared_types.get(variable)?;
        let shape = self.shape(declared, 0);
        match &shape {
            Ok(Shape::Table { .. }) if sparse => Some(shape),
            Ok(Shape::Record { .. }) if shape.as_ref().is_ok_and(Shape::holds_collection) => {
                Some(shape)
            }
            Ok(Shape::Table { element, .. }) if element.holds_collection() => Some(shape),
            // A record type left unconverted because of what its fields hold: the document is the only
            // way; say why it is not possible either.
            Err(_) if self.is_unconverted_record(declared) => Some(shape),
            _ => None,
        }
    }

    fn is_unconverted_record(&self, declared: &[Token]) -> bool {
        matches!(declared, [t] if self.own.unconverted_records.contains_key(&t.upper()))
    }
}

/// The PostgreSQL type a scalar is read back as.
fn scalar(declared: &[Token]) -> Option<Shape> {
    let first = declared.first()?;
    let pg = match first.upper().as_str() {
        // Spelled so that the routine converter's type rules leave them as they are.
        "NUMBER" | "NUMERIC" | "DECIMAL" | "FLOAT" | "INTEGER" | "INT" | "SMALLINT" => "NUMBER",
        "BINARY_DOUBLE" | "BINARY_FLOAT" => "BINARY_DOUBLE",
        "PLS_INTEGER" | "BINARY_INTEGER" | "SIMPLE_INTEGER" | "NATURAL" | "NATURALN"
        | "POSITIVE" | "POSITIVEN" | "SIGNTYPE" => "int4",
        "VARCHAR2" | "VARCHAR" | "NVARCHAR2" | "STRING" | "CLOB" | "NCLOB" | "LONG" => "text",
        "BOOLEAN" => "boolean",
        "DATE" => "timestamp(0)",
        "TIMESTAMP" => "timestamp",
        "RAW" | "BLOB" => "bytea",
        _ => return None,
    };
    Some(Shape::Scalar(pg.into()))
}

/// A default value's JSON text: numbers, strings, TRUE/FALSE, NULL.
fn json_literal(value: &[Token]) -> Option<String> {
    match value {
        [t] if t.kind == TokenKind::Number => Some(t.text.trim_start_matches('+').to_string())
            .filter(|n| n.parse::<f64>().is_ok() && !n.starts_with('.') && !n.ends_with('.')),
        [m, t] if m.is_symbol("-") && t.kind == TokenKind::Number => {
            json_literal(std::slice::from_ref(t)).map(|n| format!("-{n}"))
        }
        [t] if t.kind == TokenKind::String => {
            let s = t.string_value();
            if s.is_empty() {
                return Some("null".into());
            }
            Some(format!(
                "\"{}\"",
                s.replace('\\', "\\\\").replace('"', "\\\"")
            ))
        }
        [t] if t.is("TRUE") || t.is("FALSE") || t.is("NULL") => Some(t.text.to_lowercase()),
        _ => None,
    }
}

/// One step of a path into a document.
enum Step {
    Field(String),
    Key { expr: Vec<Token>, by_text: bool },
}

/// Rewrites every use of the document variable `variable` (upper case) in a member's tokens. `calls`
/// tells whether tokens call a routine that may change package state. Returns the tokens and whether
/// they need the `godwit_doc_value jsonb` temporary.
pub(crate) fn rewrite(
    tokens: &[Token],
    variable: &str,
    shape: &Shape,
    calls: &dyn Fn(&[Token]) -> bool,
) -> Result<(Vec<Token>, bool), String> {
    let mut r = Rewriter {
        variable,
        shape,
        calls,
        temp: false,
    };
    let out = r.tokens(tokens)?;
    Ok((out, r.temp))
}

struct Rewriter<'a> {
    variable: &'a str,
    shape: &'a Shape,
    calls: &'a dyn Fn(&[Token]) -> bool,
    temp: bool,
}

const METHODS: &[&str] = &[
    "COUNT", "FIRST", "LAST", "NEXT", "PRIOR", "EXISTS", "DELETE", "EXTEND", "TRIM", "LIMIT",
];

impl Rewriter<'_> {
    fn tokens(&mut self, tokens: &[Token]) -> Result<Vec<Token>, String> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut k = 0;
        while k < tokens.len() {
            let t = &tokens[k];
            // DBMS_LOB.FREETEMPORARY(v…): the element or field becomes NULL.
            if let Some(close) = self.freed(tokens, k) {
                let mut assignment = tokens[k + 4..close].to_vec();
                assignment.extend(tokenize(":= NULL;", t.line));
                let (text, _) = self.reference(&assignment, 0)?;
                out.extend(tokenize(&text, t.line));
                k = close + 1;
                continue;
            }
            let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
            if t.kind != TokenKind::Word || after_dot || !t.text.eq_ignore_ascii_case(self.variable)
            {
                out.push(t.clone());
                k += 1;
                continue;
            }
            let (text, next) = self.reference(tokens, k)?;
            out.extend(tokenize(&text, t.line));
            k = next;
        }
        Ok(out)
    }

    /// The index of the `)` closing `DBMS_LOB.FREETEMPORARY(v…)` when that statement starts at `k`
    /// and frees part of the document.
    fn freed(&self, tokens: &[Token], k: usize) -> Option<usize> {
        let is = |at: usize, f: &dyn Fn(&Token) -> bool| tokens.get(at).is_some_and(f);
        if !(tokens[k].is("DBMS_LOB")
            && crate::plsql::starts_statement(tokens, k)
            && is(k + 1, &|t| t.is_symbol("."))
            && is(k + 2, &|t| t.is("FREETEMPORARY"))
            && is(k + 3, &|t| t.is_symbol("("))
            && is(k + 4, &|t| t.text.eq_ignore_ascii_case(self.variable)))
        {
            return None;
        }
        let close = matching_paren(tokens, k + 3)?;
        is(close + 1, &|t| t.is_symbol(";")).then_some(close)
    }

    fn sql(&mut self, tokens: &[Token]) -> Result<String, String> {
        Ok(text(&self.tokens(tokens)?))
    }

    /// The use of the variable at `k`: its SQL and the index after it.
    fn reference(&mut self, tokens: &[Token], k: usize) -> Result<(String, usize), String> {
        let name = self.variable.to_lowercase();
        let mut steps: Vec<Step> = Vec::new();
        let mut shape = self.shape;
        let mut j = k + 1;
        let mut method: Option<(String, Vec<Vec<Token>>)> = None;
        loop {
            let next = tokens.get(j);
            if next.is_some_and(|n| n.is_symbol(".")) {
                let Some(word) = tokens.get(j + 1).filter(|w| w.kind == TokenKind::Word) else {
                    break;
                };
                let upper = word.upper();
                match shape {
                    Shape::Record { fields, .. } => {
                        let Some((_, key, inner)) = fields.iter().find(|(f, _, _)| *f == upper)
                        else {
                            return Err(format!("{name}: no field {}", word.text));
                        };
                        steps.push(Step::Field(key.clone()));
                        shape = inner;
                        j += 2;
                    }
                    Shape::Table { .. } if METHODS.contains(&upper.as_str()) => {
                        let mut args = Vec::new();
                        j += 2;
                        if tokens.get(j).is_some_and(|p| p.is_symbol("(")) {
                            let close =
                                matching_paren(tokens, j).ok_or("unbalanced method call")?;
                            args = split_commas(&tokens[j + 1..close])
                                .into_iter()
                                .filter(|a| !a.is_empty())
                                .map(<[Token]>::to_vec)
                                .collect();
                            j = close + 1;
                        }
                        method = Some((upper, args));
                        break;
                    }
                    _ => break,
                }
                continue;
            }
            if next.is_some_and(|n| n.is_symbol("(")) {
                let Shape::Table { by_text, element } = shape else {
                    break;
                };
                let close = matching_paren(tokens, j).ok_or("unbalanced collection index")?;
                steps.push(Step::Key {
                    expr: tokens[j + 1..close].to_vec(),
                    by_text: *by_text,
                });
                shape = element;
                j = close + 1;
                continue;
            }
            break;
        }
        let at_start = crate::plsql::starts_statement(tokens, k);
        let (path, keys) = self.path(&steps)?;
        let located = if steps.is_empty() {
            name.clone()
        } else {
            format!("godwit_compat.doc_get({name}, {path}, {keys})")
        };
        if let Some((method, args)) = method {
            let Shape::Table { by_text, .. } = shape else {
                unreachable!("methods are read on tables only")
            };
            let suffix = if *by_text { "text" } else { "int" };
            let key = |this: &mut Self, a: &[Token]| -> Result<String, String> {
                Ok(key_text(&this.sql(a)?, *by_text))
            };
            let text = match (method.as_str(), args.as_slice()) {
                ("COUNT", []) => format!("godwit_compat.doc_count({located})"),
                ("FIRST", []) => format!("godwit_compat.doc_first_{suffix}({located})"),
                ("LAST", []) => format!("godwit_compat.doc_last_{suffix}({located})"),
                ("NEXT", [i]) => format!(
                    "godwit_compat.doc_next_{suffix}({located}, {})",
                    key(self, i)?
                ),
                ("PRIOR", [i]) => format!(
                    "godwit_compat.doc_prior_{suffix}({located}, {})",
                    key(self, i)?
                ),
                ("EXISTS", [i]) => {
                    format!("godwit_compat.doc_exists({located}, {})", key(self, i)?)
                }
                ("DELETE", []) if at_start => {
                    if steps.is_empty() {
                        format!("{name} := CAST('{{}}' AS jsonb)")
                    } else {
                        format!("{name} := godwit_compat.doc_clear({name}, {path}, {keys})")
                    }
                }
                ("DELETE", [i]) if at_start => format!(
                    "{name} := godwit_compat.doc_remove({name}, {path}, {keys}, {})",
                    key(self, i)?
                ),
                (m, _) => {
                    return Err(format!(
                        "{name}…{m} on an INDEX BY table inside a package record (with these arguments) is not converted"
                    ))
                }
            };
            return Ok((text, j));
        }
        if at_start && tokens.get(j).is_some_and(|n| n.is_symbol(":=")) {
            let end = statement_end(tokens, j + 1);
            let value_tokens = &tokens[j + 1..end];
            let value = self.sql(value_tokens)?;
            let json = match shape {
                // Oracle has no empty string: '' is NULL.
                Shape::Scalar(pg) if pg == "text" => {
                    format!("to_jsonb(nullif(CAST(({value}) AS text), ''))")
                }
                Shape::Scalar(pg) => format!("to_jsonb(CAST(({value}) AS {pg}))"),
                Shape::Record {
                    composite: Some(c), ..
                } => format!("to_jsonb(CAST(({value}) AS {c}))"),
                _ if matches!(value_tokens, [t] if t.is("NULL")) => "NULL".into(),
                _ => {
                    return Err(format!(
                        "{name}: a whole collection or record of a package document assigned from {value}"
                    ))
                }
            };
            let text = if steps.is_empty() {
                // Only NULL gets here: every field NULL, every collection empty.
                format!("{name} := CAST('{{}}' AS jsonb)")
            } else if (self.calls)(value_tokens) {
                // The value first: the routine it calls may change the variable, whose copy is
                // reloaded after this statement; then the assignment.
                self.temp = true;
                format!(
                    "godwit_doc_value := {json}; {name} := godwit_compat.doc_put({name}, {path}, godwit_doc_value)"
                )
            } else {
                format!("{name} := godwit_compat.doc_put({name}, {path}, {json})")
            };
            return Ok((text, end));
        }
        let text = match shape {
            Shape::Scalar(pg) if !steps.is_empty() => {
                format!("CAST(godwit_compat.doc_text({name}, {path}, {keys}) AS {pg})")
            }
            Shape::Record {
                composite: Some(c), ..
            } if !steps.is_empty() => format!(
                "jsonb_populate_record(CAST(NULL AS {c}), nullif({located}, CAST('null' AS jsonb)))"
            ),
            _ => {
                return Err(format!(
                    "{name}: a whole collection or record of a package document used as a value"
                ))
            }
        };
        Ok((text, j))
    }

    /// The path as a text[] and the (1-based) positions of its collection keys as an int[].
    fn path(&mut self, steps: &[Step]) -> Result<(String, String), String> {
        let mut parts = Vec::new();
        let mut keys = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::Field(f) => parts.push(format!("'{f}'")),
                Step::Key { expr, by_text } => {
                    parts.push(key_text(&self.sql(expr)?, *by_text));
                    keys.push((i + 1).to_string());
                }
            }
        }
        Ok((
            format!("CAST(ARRAY[{}] AS text[])", parts.join(", ")),
            format!("CAST('{{{}}}' AS integer[])", keys.join(",")),
        ))
    }
}

/// A key as text: integer keys rounded as PL/SQL rounds a PLS_INTEGER index.
fn key_text(sql: &str, by_text: bool) -> String {
    if by_text {
        format!("CAST(({sql}) AS text)")
    } else {
        format!("CAST(CAST(({sql}) AS int4) AS text)")
    }
}

/// The `godwit_compat` helpers documents use.
pub(crate) const HELPERS: &str = r#"CREATE OR REPLACE FUNCTION godwit_compat.doc_get(doc jsonb, path text[], keys integer[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  cur jsonb := doc;
BEGIN
  -- A missing field is NULL; a missing element is Oracle's NO_DATA_FOUND (ORA-01403).
  FOR i IN 1 .. coalesce(array_length(path, 1), 0) LOOP
    IF i = ANY(keys) AND path[i] IS NULL THEN
      RAISE EXCEPTION 'NULL index table key value' USING ERRCODE = '22000';
    END IF;
    cur := CASE WHEN jsonb_typeof(cur) = 'object' THEN cur -> path[i] END;
    IF cur IS NULL AND i = ANY(keys) THEN
      RAISE EXCEPTION 'no data found' USING ERRCODE = 'P0002';
    END IF;
  END LOOP;
  RETURN cur;
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_text(doc jsonb, path text[], keys integer[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT godwit_compat.doc_get(doc, path, keys) #>> '{}' $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_put(doc jsonb, path text[], value jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  cur jsonb := CASE WHEN jsonb_typeof(doc) = 'object' THEN doc ELSE '{}' END;
BEGIN
  -- Missing elements and records on the way are created, as Oracle's assignment creates them.
  IF coalesce(array_length(path, 1), 0) = 0 THEN
    RETURN coalesce(value, 'null');
  END IF;
  IF path[1] IS NULL THEN
    RAISE EXCEPTION 'NULL index table key value' USING ERRCODE = '22000';
  END IF;
  RETURN jsonb_set(cur, path[1:1], godwit_compat.doc_put(cur -> path[1], path[2:], value));
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_clear(doc jsonb, path text[], keys integer[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM godwit_compat.doc_get(doc, path, keys);
  RETURN godwit_compat.doc_put(doc, path, '{}');
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_remove(doc jsonb, path text[], keys integer[], key text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF key IS NULL OR godwit_compat.doc_get(doc, path, keys) IS NULL THEN
    RETURN doc;
  END IF;
  RETURN doc #- (path || key);
END
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_keys(coll jsonb) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
  SELECT k FROM jsonb_object_keys(CASE WHEN jsonb_typeof(coll) = 'object' THEN coll ELSE '{}' END) k
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_count(coll jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT CAST(count(*) AS integer) FROM godwit_compat.doc_keys(coll) $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_exists(coll jsonb, key text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(jsonb_typeof(coll) = 'object' AND coll ? key, false) $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_first_int(coll jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT min(CAST(k AS integer)) FROM godwit_compat.doc_keys(coll) k $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_last_int(coll jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT max(CAST(k AS integer)) FROM godwit_compat.doc_keys(coll) k $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_next_int(coll jsonb, key text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT min(CAST(k AS integer)) FROM godwit_compat.doc_keys(coll) k WHERE CAST(k AS integer) > CAST(key AS integer)
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_prior_int(coll jsonb, key text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT max(CAST(k AS integer)) FROM godwit_compat.doc_keys(coll) k WHERE CAST(k AS integer) < CAST(key AS integer)
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_first_text(coll jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT min(k COLLATE ucs_basic) FROM godwit_compat.doc_keys(coll) k $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_last_text(coll jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT max(k COLLATE ucs_basic) FROM godwit_compat.doc_keys(coll) k $$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_next_text(coll jsonb, key text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT min(k COLLATE ucs_basic) FROM godwit_compat.doc_keys(coll) k WHERE k COLLATE ucs_basic > key
$$;
CREATE OR REPLACE FUNCTION godwit_compat.doc_prior_text(coll jsonb, key text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT max(k COLLATE ucs_basic) FROM godwit_compat.doc_keys(coll) k WHERE k COLLATE ucs_basic < key
$$"#;
