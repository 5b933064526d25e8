//! Oracle hierarchical queries (`START WITH … CONNECT BY PRIOR …`) to recursive CTEs.
//!
//! Handles one table in FROM (with or without alias), a CONNECT BY condition of comparisons where
//! `PRIOR` marks the parent's columns, LEVEL, SYS_CONNECT_BY_PATH, CONNECT_BY_ROOT, CONNECT_BY_ISLEAF,
//! ORDER SIBLINGS BY one column, and Oracle's depth-first result order. WHERE filters the rows after the
//! hierarchy is built, as in Oracle. NOCYCLE stops at a row already among its ancestors. Anything else
//! (joins, CONNECT_BY_ISCYCLE, several ORDER SIBLINGS keys) is left unchanged, and the token pass
//! reports it.

use crate::cursor::{matching_paren, split_commas, text};
use godwit_oracle::{tokenize, Token, TokenKind};

const CHILD: &str = "godwit_child";
const PARENT: &str = "godwit_parent";

fn is_keyword(t: &Token) -> bool {
    [
        "AND", "OR", "NOT", "NULL", "IS", "IN", "LIKE", "BETWEEN", "PRIOR", "CASE", "WHEN", "THEN",
        "ELSE", "END", "TRUE", "FALSE", "LEVEL", "ESCAPE",
    ]
    .iter()
    .any(|k| t.is(k))
}

/// Rewrites column references in a condition: `PRIOR col` → parent's, other columns → `row_alias`'s.
/// `qualifiers` are the names the table is known by in the query (alias, table name).
fn requalify(
    tokens: &[Token],
    row_alias: &str,
    parent_alias: Option<&str>,
    qualifiers: &[String],
) -> Option<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut prior = false;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.is("PRIOR") {
            prior = true;
            i += 1;
            continue;
        }
        let is_column = matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && !is_keyword(t)
            && !tokens.get(i + 1).is_some_and(|n| n.is_symbol("("))
            && !(i > 0 && tokens[i - 1].is_symbol("."));
        if is_column {
            // alias.column → column
            let (column, next) = if tokens.get(i + 1).is_some_and(|n| n.is_symbol(".")) {
                if !qualifiers.iter().any(|q| t.text.eq_ignore_ascii_case(q)) {
                    return None;
                }
                (tokens.get(i + 2)?.text.clone(), i + 3)
            } else {
                (t.text.clone(), i + 1)
            };
            let owner = if prior { parent_alias? } else { row_alias };
            out.push(format!("{owner}.{column}"));
            prior = false;
            i = next;
            continue;
        }
        if prior {
            // PRIOR before something that is not a column.
            return None;
        }
        out.push(t.text.clone());
        i += 1;
    }
    Some(out.join(" "))
}

/// Oracle's row generator, `SELECT … FROM dual CONNECT BY <condition on LEVEL>`: rows with LEVEL 1, 2,
/// … while the condition holds for the next level (level 1 always comes), as a recursive CTE.
fn row_generator(
    select_list: &[Token],
    connect: &[Token],
    filter: Option<&[Token]>,
    order: Option<&[Token]>,
) -> Option<Vec<Token>> {
    const LEVEL: &str = "godwit_level";
    let with_level = |tokens: &[Token], level: &str| -> String {
        tokens
            .iter()
            .map(|t| {
                if t.is("LEVEL") {
                    level.to_string()
                } else {
                    t.text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut sql = format!(
        "SELECT {} FROM (WITH RECURSIVE godwit_rows({LEVEL}) AS (SELECT 1 UNION ALL SELECT {LEVEL} + 1 FROM godwit_rows WHERE {}) SELECT {LEVEL} FROM godwit_rows) godwit_dual",
        with_level(select_list, LEVEL),
        with_level(connect, &format!("({LEVEL} + 1)"))
    );
    if let Some(w) = filter {
        sql.push_str(&format!(" WHERE {}", with_level(w, LEVEL)));
    }
    if let Some(o) = order {
        sql.push_str(&format!(" ORDER BY {}", with_level(o, LEVEL)));
    }
    Some(tokenize(&sql, select_list.first()?.line))
}

/// The recursive-CTE form of a hierarchical query block, or `None` when it is not one this handles.
pub fn rewrite(block: &[Token]) -> Option<Vec<Token>> {
    let mut depth = 0i32;
    let mut at: Vec<(usize, String)> = Vec::new();
    for (k, t) in block.iter().enumerate() {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth == 0 && t.kind == TokenKind::Word {
            let next = block.get(k + 1);
            let clause = match t.upper().as_str() {
                "FROM" | "WHERE" => t.upper(),
                "START" if next.is_some_and(|n| n.is("WITH")) => "START".into(),
                "CONNECT" if next.is_some_and(|n| n.is("BY")) => "CONNECT".into(),
                "ORDER" if next.is_some_and(|n| n.is("BY") || n.is("SIBLINGS")) => "ORDER".into(),
                "GROUP" | "HAVING" | "UNION" | "INTERSECT" | "MINUS" | "EXCEPT" => return None,
                _ => continue,
            };
            at.push((k, clause));
        }
    }
    if !block.first()?.is("SELECT") || !at.iter().any(|(_, c)| c == "CONNECT") {
        return None;
    }
    let clause = |name: &str| -> Option<&[Token]> {
        let pos = at.iter().position(|(_, c)| c == name)?;
        let start = at[pos].0;
        let end = at.get(pos + 1).map(|(k, _)| *k).unwrap_or(block.len());
        let skip = match name {
            "START" | "CONNECT" => 2,
            "ORDER" => {
                if block.get(start + 1).is_some_and(|t| t.is("SIBLINGS")) {
                    3
                } else {
                    2
                }
            }
            _ => 1,
        };
        Some(&block[(start + skip).min(end)..end])
    };
    let select_list = &block[1..at.iter().find(|(_, c)| c == "FROM")?.0];
    let from = clause("FROM")?;
    if matches!(from, [d] if d.is("DUAL"))
        && clause("START").is_none()
        && !clause("CONNECT")?.iter().any(|t| t.is("PRIOR"))
    {
        return row_generator(
            select_list,
            clause("CONNECT")?,
            clause("WHERE"),
            clause("ORDER"),
        );
    }
    if from
        .iter()
        .any(|t| t.is_symbol(",") || t.is_symbol("(") || t.is("JOIN"))
    {
        return None;
    }
    let (table, alias) = match from {
        [name] => (text(from), name.text.clone()),
        [schema, dot, name] if dot.is_symbol(".") => (text(from), name.text.clone()),
        [.., name] => (text(&from[..from.len() - 1]), name.text.clone()),
        [] => return None,
    };
    let table_name = table.rsplit(' ').next().unwrap_or(&table).to_string();
    let qualifiers = vec![alias.clone(), table_name];
    let mut connect = clause("CONNECT")?;
    // NOCYCLE: a row that is already among its own ancestors is not returned again (rows are told
    // apart by their ctid, so the source must be a table).
    let nocycle = connect.first().is_some_and(|t| t.is("NOCYCLE"));
    if nocycle {
        connect = &connect[1..];
        if select_list.iter().any(|t| t.is("CONNECT_BY_ISCYCLE")) {
            return None;
        }
    }
    let join = requalify(connect, CHILD, Some(PARENT), &qualifiers)?;
    let start = match clause("START") {
        Some(s) => Some(requalify(s, CHILD, None, &qualifiers)?),
        None => None,
    };
    // The parent key: the column PRIOR marks; the child's value of it orders siblings by default.
    let prior_at = connect.iter().position(|t| t.is("PRIOR"))?;
    let prior_column = requalify(
        &connect[prior_at + 1..(prior_at + 4).min(connect.len())],
        "x",
        None,
        &qualifiers,
    )
    .and_then(|s| {
        s.split_whitespace()
            .next()
            .map(|c| c.trim_start_matches("x.").to_string())
    })?;
    let siblings = block.iter().any(|t| t.is("SIBLINGS"));
    let order = clause("ORDER");
    let sibling_key = if siblings {
        let keys = split_commas(order?);
        if keys.len() != 1 || keys[0].len() != 1 {
            return None;
        }
        keys[0][0].text.clone()
    } else {
        prior_column
    };

    // Select list: LEVEL, SYS_CONNECT_BY_PATH, CONNECT_BY_ROOT, CONNECT_BY_ISLEAF.
    let mut anchor_extra = vec![
        format!("1 AS godwit_level"),
        format!("array_cat(ARRAY[{CHILD}.{sibling_key}], NULL) AS godwit_order"),
    ];
    let mut step_extra = vec![
        format!("{PARENT}.godwit_level + 1"),
        format!("array_append({PARENT}.godwit_order, {CHILD}.{sibling_key})"),
    ];
    let mut join = join;
    if nocycle {
        anchor_extra.push(format!("ARRAY[{CHILD}.ctid] AS godwit_visited"));
        step_extra.push(format!(
            "array_append({PARENT}.godwit_visited, {CHILD}.ctid)"
        ));
        join = format!("({join}) AND NOT {CHILD}.ctid = ANY({PARENT}.godwit_visited)");
    }
    let mut list = Vec::new();
    let mut i = 0;
    let mut n = 0;
    while i < select_list.len() {
        let t = &select_list[i];
        if t.is("LEVEL") {
            list.push("godwit_level".to_string());
            i += 1;
        } else if t.is("SYS_CONNECT_BY_PATH")
            && select_list.get(i + 1).is_some_and(|x| x.is_symbol("("))
        {
            let end = matching_paren(select_list, i + 1)?;
            let args = split_commas(&select_list[i + 2..end]);
            let column = requalify(args.first()?, CHILD, None, &qualifiers)?;
            let sep = text(args.get(1)?);
            n += 1;
            anchor_extra.push(format!(
                "CAST({sep} || {column} AS text) AS godwit_path_{n}"
            ));
            step_extra.push(format!("{PARENT}.godwit_path_{n} || {sep} || {column}"));
            list.push(format!("godwit_path_{n}"));
            i = end + 1;
        } else if t.is("CONNECT_BY_ROOT") {
            let column = requalify(select_list.get(i + 1..i + 2)?, CHILD, None, &qualifiers)?;
            n += 1;
            anchor_extra.push(format!("{column} AS godwit_root_{n}"));
            step_extra.push(format!("{PARENT}.godwit_root_{n}"));
            list.push(format!("godwit_root_{n}"));
            i += 2;
        } else if t.is("CONNECT_BY_ISLEAF") {
            // A leaf has no row that would be its child.
            let child_of_this = requalify(connect, "godwit_leaf", Some(&alias), &qualifiers)?;
            list.push(format!("(CASE WHEN EXISTS (SELECT 1 FROM {table} godwit_leaf WHERE {child_of_this}) THEN 0 ELSE 1 END)"));
            i += 1;
        } else {
            list.push(t.text.clone());
            i += 1;
        }
    }
    let mut sql = format!(
        "WITH RECURSIVE godwit_tree AS (SELECT {CHILD}.*, {} FROM {table} {CHILD}{} UNION ALL SELECT {CHILD}.*, {} FROM {table} {CHILD} JOIN godwit_tree {PARENT} ON {join}) SELECT {} FROM godwit_tree {alias}",
        anchor_extra.join(", "),
        start.map(|s| format!(" WHERE {s}")).unwrap_or_default(),
        step_extra.join(", "),
        list.join(" ")
    );
    if let Some(w) = clause("WHERE") {
        let filter: Vec<String> = w
            .iter()
            .map(|t| {
                if t.is("LEVEL") {
                    "godwit_level".to_string()
                } else {
                    t.text.clone()
                }
            })
            .collect();
        sql.push_str(&format!(" WHERE {}", filter.join(" ")));
    }
    match order {
        Some(o) if !siblings => sql.push_str(&format!(" ORDER BY {}", text(o))),
        // Oracle returns a hierarchy depth first, siblings in order.
        _ => sql.push_str(&format!(" ORDER BY {alias}.godwit_order")),
    }
    Some(tokenize(&sql, block[0].line))
}
