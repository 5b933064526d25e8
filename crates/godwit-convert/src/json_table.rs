//! Oracle `JSON_TABLE` in FROM → a LATERAL subquery over jsonb, where PostgreSQL (13 and later,
//! without its own JSON_TABLE) can express it:
//!
//! ```text
//! JSON_TABLE(doc, '$.items[*]' COLUMNS (n FOR ORDINALITY, id NUMBER PATH '$.id', tag VARCHAR2(9) PATH '$.a.tag'))
//! LATERAL (SELECT godwit_j.ordinality AS n, (godwit_j.value #>> '{id}')::numeric AS id,
//!                 (godwit_j.value #>> '{a,tag}')::varchar(9) AS tag
//!          FROM jsonb_array_elements((doc)::jsonb #> '{items}') WITH ORDINALITY AS godwit_j(value, ordinality))
//! ```
//!
//! Row paths are `$`, `$.a.b` and either of them ending in `[*]`; column paths are `$.a.b`. NESTED
//! PATH, EXISTS PATH, filters, wildcards inside paths and a missing PATH are refused.

use crate::cursor::{split_commas, Cursor};
use crate::expr::literal;
use crate::names::pg_name;
use godwit_oracle::{Token, TokenKind};

/// Steps of a simple JSON path (`$.a."b c".d`), and whether it ends in `[*]`.
fn path_steps(path: &str) -> Option<(Vec<String>, bool)> {
    let rest = path.trim().strip_prefix('$')?;
    let (rest, array) = match rest.strip_suffix("[*]") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let mut steps = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '.' {
            return None;
        }
        let mut step = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                step.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if !(c.is_alphanumeric() || c == '_' || c == '$') {
                    return None;
                }
                step.push(c);
                chars.next();
            }
        }
        if step.is_empty() {
            return None;
        }
        steps.push(step);
    }
    Some((steps, array))
}

/// `'{a,b}'`: a jsonb path array literal.
fn path_literal(steps: &[String]) -> String {
    let quoted: Vec<String> = steps
        .iter()
        .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    literal(&format!("{{{}}}", quoted.join(",")))
}

/// A string literal's value.
pub(crate) fn string_of(tokens: &[Token]) -> Option<String> {
    match tokens {
        [t] if t.kind == TokenKind::String => Some(t.string_value()),
        _ => None,
    }
}

/// Converts the arguments of a JSON_TABLE call; `document` converts the document expression. Returns
/// the LATERAL subquery, a note on error handling, or why it cannot be converted.
pub fn convert(
    args: &[Token],
    document: &mut dyn FnMut(&[Token]) -> String,
) -> Result<(String, Option<String>), String> {
    let columns_at = args
        .iter()
        .position(|t| t.is("COLUMNS"))
        .ok_or("JSON_TABLE without COLUMNS")?;
    let head = split_commas(&args[..columns_at]);
    let [doc, row_path] = head.as_slice() else {
        return Err("JSON_TABLE with other than a document and a row path".into());
    };
    let doc_end = doc.iter().position(|t| t.is("FORMAT")).unwrap_or(doc.len());
    let path_end = row_path
        .iter()
        .position(|t| t.is("ERROR") || t.is("NULL"))
        .unwrap_or(row_path.len());
    let row_path = string_of(&row_path[..path_end]).ok_or("a row path that is not a literal")?;
    let (row_steps, array) = path_steps(&row_path)
        .ok_or_else(|| format!("row path '{row_path}' is not a simple path"))?;
    if !args.get(columns_at + 1).is_some_and(|t| t.is_symbol("(")) {
        return Err("COLUMNS without a list".into());
    }
    let close = crate::cursor::matching_paren(args, columns_at + 1).ok_or("unbalanced COLUMNS")?;
    let mut select = Vec::new();
    let mut note = None;
    for column in split_commas(&args[columns_at + 2..close]) {
        let mut c = Cursor::new(column);
        if c.is("NESTED") {
            return Err("NESTED PATH columns".into());
        }
        let name = c.ident().ok_or("a column without a name")?;
        let alias = godwit_catalog::quote_ident(&pg_name(name));
        if c.eat_all(&["FOR", "ORDINALITY"]) {
            select.push(format!("godwit_j.ordinality AS {alias}"));
            continue;
        }
        let converted = crate::types::convert_type(&mut c).ok_or("a column without a type")?;
        if converted.is_user_type() {
            return Err(format!(
                "column {} has a type that is not a built-in type",
                name.text
            ));
        }
        let format_json = c.eat_all(&["FORMAT", "JSON"]);
        if c.is("EXISTS") {
            return Err("EXISTS PATH columns".into());
        }
        if !c.eat("PATH") {
            return Err(format!("column {} without PATH", name.text));
        }
        let path = c
            .next()
            .filter(|t| t.kind == TokenKind::String)
            .map(|t| t.string_value())
            .ok_or("a PATH that is not a literal")?;
        let (steps, wildcard) = path_steps(&path)
            .ok_or_else(|| format!("column path '{path}' is not a simple path"))?;
        if wildcard {
            return Err(format!("column path '{path}' with [*]"));
        }
        let rest: Vec<String> = c.rest().iter().map(|t| t.upper()).collect();
        let error_on_error = rest.windows(3).any(|w| w == ["ERROR", "ON", "ERROR"]);
        if !error_on_error && !format_json {
            note = Some("JSON_TABLE: a value that does not convert to its column's type raises an error in PostgreSQL, where Oracle returns NULL (NULL ON ERROR)".to_string());
        }
        let value = if format_json {
            format!("(godwit_j.value #> {})", path_literal(&steps))
        } else {
            format!(
                "(godwit_j.value #>> {})::{}",
                path_literal(&steps),
                converted.data_type.sql
            )
        };
        select.push(format!("{value} AS {alias}"));
    }
    if select.is_empty() {
        return Err("JSON_TABLE without columns".into());
    }
    let document = format!("({})::jsonb", document(&doc[..doc_end]));
    let target = if row_steps.is_empty() {
        document
    } else {
        format!("{document} #> {}", path_literal(&row_steps))
    };
    let source = if array {
        format!("jsonb_array_elements({target}) WITH ORDINALITY AS godwit_j(value, ordinality)")
    } else {
        format!("(SELECT {target} AS value, 1::bigint AS ordinality) AS godwit_j WHERE godwit_j.value IS NOT NULL")
    };
    Ok((
        format!("LATERAL (SELECT {} FROM {source})", select.join(", ")),
        note,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_are_read_and_others_refused() {
        assert_eq!(path_steps("$"), Some((vec![], false)));
        assert_eq!(path_steps("$[*]"), Some((vec![], true)));
        assert_eq!(
            path_steps("$.a.\"b c\"[*]"),
            Some((vec!["a".into(), "b c".into()], true))
        );
        assert_eq!(path_steps("$.a[0]"), None);
        assert_eq!(path_steps("$..a"), None);
        assert_eq!(path_steps("$.a?(@ > 1)"), None);
        assert_eq!(
            path_literal(&["a".into(), "b\"c".into()]),
            "'{\"a\",\"b\\\"c\"}'"
        );
    }
}
