//! Oracle `XMLTABLE` → PostgreSQL's own XMLTABLE. XPath 1.0 has no default namespace, so a
//! `XMLNAMESPACES(DEFAULT 'uri')` becomes the prefix godwit_default, which the row and column paths'
//! unprefixed element names are given (through `godwit_compat.xml_path`, as XMLType's methods do):
//!
//! ```text
//! XMLTABLE(XMLNAMESPACES(DEFAULT 'u', 'v' AS "r"), '/a/b' PASSING doc COLUMNS id NUMBER PATH '@r:id')
//! XMLTABLE(XMLNAMESPACES('v' AS r, 'u' AS godwit_default), godwit_compat.xml_path('/a/b', 'xmlns="u"')
//!          PASSING (doc) COLUMNS id numeric PATH godwit_compat.xml_path('@r:id', 'xmlns="u"'))
//! ```
//!
//! Paths must be literals and every column needs a PATH (Oracle's default path is the column's
//! upper-case name) or FOR ORDINALITY; DEFAULT values, RETURNING SEQUENCE and XQuery are refused.

use crate::cursor::{split_commas, Cursor};
use crate::expr::literal;
use crate::json_table::string_of;
use crate::names::pg_name;
use godwit_catalog::quote_ident;
use godwit_oracle::{Token, TokenKind};

/// Converts the arguments of an XMLTABLE call; `document` converts the PASSING expression. Returns
/// the PostgreSQL call (the helpers it uses are godwit_compat's `xml` ones when a default namespace
/// is declared), or why it cannot be converted.
pub fn convert(
    args: &[Token],
    document: &mut dyn FnMut(&[Token]) -> String,
) -> Result<(String, bool), String> {
    let parts = split_commas(args);
    let mut k = 0;
    let mut namespaces = Vec::new();
    let mut default = None;
    if let Some(first) = parts
        .first()
        .filter(|p| p.first().is_some_and(|t| t.is("XMLNAMESPACES")))
    {
        let close = crate::cursor::matching_paren(first, 1).ok_or("unbalanced XMLNAMESPACES")?;
        for item in split_commas(&first[2..close]) {
            match item {
                [d, uri] if d.is("DEFAULT") => {
                    default = Some(
                        string_of(std::slice::from_ref(uri))
                            .ok_or("a default namespace that is not a literal")?,
                    )
                }
                [uri, r#as, prefix] if r#as.is("AS") => {
                    let uri = string_of(std::slice::from_ref(uri))
                        .ok_or("a namespace that is not a literal")?;
                    namespaces.push(format!(
                        "{} AS {}",
                        literal(&uri),
                        quote_ident(&pg_name(prefix))
                    ));
                }
                _ => return Err("a namespace declaration not understood".into()),
            }
        }
        k = 1;
    }
    let head = parts.get(k).ok_or("XMLTABLE without a row path")?;
    let mut c = Cursor::new(head);
    let row_path = c
        .next()
        .filter(|t| t.kind == TokenKind::String)
        .map(|t| t.string_value())
        .ok_or("a row path that is not a literal (or XQuery)")?;
    if !c.eat("PASSING") {
        return Err("XMLTABLE without PASSING".into());
    }
    c.eat_all(&["BY", "VALUE"]);
    let passing_start = c.pos;
    let columns_at = head
        .iter()
        .position(|t| t.is("COLUMNS"))
        .ok_or("XMLTABLE without COLUMNS")?;
    let passed = &head[passing_start..columns_at];
    if passed.is_empty() || passed.iter().any(|t| t.is("RETURNING")) {
        return Err("a PASSING clause not understood".into());
    }
    let path = |p: &str| match &default {
        Some(uri) => format!(
            "{}.xml_path({}, {})",
            crate::compat::SCHEMA,
            literal(p),
            literal(&format!("xmlns=\"{uri}\""))
        ),
        None => literal(p),
    };
    let mut columns = Vec::new();
    let first_column = &head[columns_at + 1..];
    for column in std::iter::once(first_column).chain(parts[k + 1..].iter().copied()) {
        let mut c = Cursor::new(column);
        let name = c.ident().ok_or("a column without a name")?;
        let alias = quote_ident(&pg_name(name));
        if c.eat_all(&["FOR", "ORDINALITY"]) && c.at_end() {
            columns.push(format!("{alias} FOR ORDINALITY"));
            continue;
        }
        let converted = crate::types::convert_type(&mut c).ok_or("a column without a type")?;
        if converted.is_user_type() {
            return Err(format!(
                "column {} of a type that is not built in",
                name.text
            ));
        }
        if !c.eat("PATH") {
            return Err(format!("column {} without PATH", name.text));
        }
        let p = c
            .next()
            .filter(|t| t.kind == TokenKind::String)
            .map(|t| t.string_value())
            .ok_or("a PATH that is not a literal")?;
        if !c.at_end() {
            return Err(format!(
                "column {}: DEFAULT or more after its PATH",
                name.text
            ));
        }
        columns.push(format!(
            "{alias} {} PATH {}",
            converted.data_type.sql,
            path(&p)
        ));
    }
    if let Some(uri) = &default {
        namespaces.push(format!("{} AS godwit_default", literal(uri)));
    }
    let namespaces = if namespaces.is_empty() {
        String::new()
    } else {
        format!("XMLNAMESPACES({}), ", namespaces.join(", "))
    };
    Ok((
        format!(
            "XMLTABLE({namespaces}{} PASSING ({}) COLUMNS {})",
            path(&row_path),
            document(passed),
            columns.join(", ")
        ),
        default.is_some(),
    ))
}
