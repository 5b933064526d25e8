//! Query-level rewrites that need the structure of a SELECT block, not just its tokens:
//! Oracle `(+)` outer joins to ANSI joins, and `ROWNUM` limits to `LIMIT`.
//!
//! Works on one query block at a time (`SELECT … FROM … WHERE …`), recursing into parenthesised
//! subqueries and the branches of set operations. A block it cannot rewrite with certainty (mixed join
//! syntax, `(+)` under OR, ROWNUM with ORDER BY or aggregation in the same block) is returned unchanged;
//! the token-level pass then reports the construct as blocking.

use crate::cursor::{matching_paren, split_commas};
use godwit_oracle::{Token, TokenKind};

fn word(text: &str) -> Token {
    Token {
        kind: TokenKind::Word,
        text: text.into(),
        line: 0,
        unterminated: false,
    }
}

/// Clause keywords that end a WHERE clause.
const AFTER_WHERE: [&str; 10] = [
    "GROUP", "HAVING", "ORDER", "CONNECT", "START", "FETCH", "FOR", "WINDOW", "MODEL", "OFFSET",
];

/// Rewrites every query block of `tokens`.
pub fn rewrite_query(tokens: &[Token]) -> Vec<Token> {
    // Subqueries first.
    let out = rewrite_query_parts(tokens);
    // Then each branch of a top-level set operation.
    let mut result = Vec::with_capacity(out.len());
    let mut start = 0;
    for k in top_level(&out) {
        let t = &out[k];
        if t.is("UNION") || t.is("INTERSECT") || t.is("MINUS") || t.is("EXCEPT") {
            result.extend(rewrite_block(&out[start..k]));
            result.push(t.clone());
            start = k + 1;
        }
    }
    result.extend(rewrite_block(&out[start..]));
    result
}

/// Rewrites subqueries nested inside a non-query parenthesis (e.g. `IN (SELECT …)` is a query, but
/// `(a, (SELECT …))` holds one).
fn rewrite_query_parts(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is_symbol("(") {
            if let Some(end) = matching_paren(tokens, i) {
                out.push(tokens[i].clone());
                let inner = &tokens[i + 1..end];
                if inner
                    .first()
                    .is_some_and(|t| t.is("SELECT") || t.is("WITH"))
                {
                    out.extend(rewrite_query(inner));
                } else {
                    out.extend(rewrite_query_parts(inner));
                }
                out.push(tokens[end].clone());
                i = end + 1;
                continue;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// Indexes of the tokens at parenthesis depth 0.
fn top_level(tokens: &[Token]) -> Vec<usize> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth == 0 {
            out.push(k);
        }
    }
    out
}

fn is_outer_marker(tokens: &[Token], k: usize) -> bool {
    tokens[k].is_symbol("(")
        && tokens.get(k + 1).is_some_and(|t| t.is_symbol("+"))
        && tokens.get(k + 2).is_some_and(|t| t.is_symbol(")"))
}

/// Splits a condition at top-level ANDs (not the AND of BETWEEN … AND …). `None` when it has a
/// top-level OR.
fn conjuncts(tokens: &[Token]) -> Option<Vec<&[Token]>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut between = false;
    for k in top_level(tokens) {
        let t = &tokens[k];
        if t.is("OR") {
            return None;
        } else if t.is("BETWEEN") {
            between = true;
        } else if t.is("AND") {
            if between {
                between = false;
            } else {
                parts.push(&tokens[start..k]);
                start = k + 1;
            }
        }
    }
    parts.push(&tokens[start..]);
    Some(parts)
}

/// Oracle lets a subquery in FROM go without an alias; PostgreSQL before 16 does not.
fn alias_subqueries(block: &[Token]) -> Vec<Token> {
    let top = top_level(block);
    let Some(from) = top.iter().copied().find(|&k| block[k].is("FROM")) else {
        return block.to_vec();
    };
    let ends_from = |t: &Token| {
        [
            "WHERE",
            "GROUP",
            "HAVING",
            "ORDER",
            "CONNECT",
            "START",
            "UNION",
            "INTERSECT",
            "MINUS",
            "EXCEPT",
            "FETCH",
            "FOR",
            "WINDOW",
            "MODEL",
            "OFFSET",
            "LIMIT",
        ]
        .iter()
        .any(|k| t.is(k))
    };
    let from_end = top
        .iter()
        .copied()
        .find(|&k| k > from && ends_from(&block[k]))
        .unwrap_or(block.len());
    let follows_item = |t: Option<&Token>| match t {
        None => true,
        Some(t) => {
            t.is_symbol(",")
                || ["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL"]
                    .iter()
                    .any(|k| t.is(k))
                || ends_from(t)
        }
    };
    let mut out = Vec::with_capacity(block.len() + 2);
    let mut k = 0;
    let mut n = 0;
    while k < block.len() {
        if k > from
            && k < from_end
            && block[k].is_symbol("(")
            && block
                .get(k + 1)
                .is_some_and(|t| t.is("SELECT") || t.is("WITH"))
        {
            if let Some(end) = matching_paren(block, k) {
                out.extend(block[k..=end].iter().cloned());
                if follows_item(block.get(end + 1)) {
                    n += 1;
                    out.push(word(&format!("subquery{n}")));
                }
                k = end + 1;
                continue;
            }
        }
        out.push(block[k].clone());
        k += 1;
    }
    out
}

fn rewrite_block(block: &[Token]) -> Vec<Token> {
    if let Some(tree) = crate::hierarchy::rewrite(block) {
        return tree;
    }
    let block = &alias_subqueries(block)[..];
    let top = top_level(block);
    let find = |kw: &str| top.iter().copied().find(|&k| block[k].is(kw));
    let (Some(from), Some(where_)) = (find("FROM"), find("WHERE")) else {
        return block.to_vec();
    };
    if where_ < from {
        return block.to_vec();
    }
    let where_end = top
        .iter()
        .copied()
        .find(|&k| k > where_ && AFTER_WHERE.iter().any(|kw| block[k].is(kw)))
        .unwrap_or(block.len());
    let condition = &block[where_ + 1..where_end];
    let has_outer = (0..condition.len()).any(|k| is_outer_marker(condition, k));
    let has_rownum = condition.iter().any(|t| t.is("ROWNUM"));
    if !has_outer && !has_rownum {
        return block.to_vec();
    }
    let Some(parts) = conjuncts(condition) else {
        return block.to_vec();
    };
    let mut from_clause: Vec<Token> = block[from..where_].to_vec();
    let remaining: Vec<&[Token]>;
    let mut limit: Option<i64> = None;

    // ROWNUM <= n / ROWNUM < n / n >= ROWNUM / n > ROWNUM
    let blocks_limit = top.iter().any(|&k| {
        block[k].is("ORDER")
            || block[k].is("GROUP")
            || block[k].is("HAVING")
            || block[k].is("DISTINCT")
            || block[k].is("UNIQUE")
    }) || block[..from].iter().any(|t| {
        ["COUNT", "SUM", "AVG", "MIN", "MAX", "LISTAGG"]
            .iter()
            .any(|f| t.is(f))
    });
    let mut rest: Vec<&[Token]> = Vec::new();
    for part in parts {
        let n = |t: &Token| {
            (t.kind == TokenKind::Number)
                .then(|| t.text.parse::<i64>().ok())
                .flatten()
        };
        let bound = match part {
            [r, op, v] if r.is("ROWNUM") && op.is_symbol("<=") => n(v),
            [r, op, v] if r.is("ROWNUM") && op.is_symbol("<") => n(v).map(|v| v - 1),
            [v, op, r] if r.is("ROWNUM") && op.is_symbol(">=") => n(v),
            [v, op, r] if r.is("ROWNUM") && op.is_symbol(">") => n(v).map(|v| v - 1),
            // ROWNUM = 1: the first row (ROWNUM = 2 and above never match, and stay).
            [r, op, v] | [v, op, r] if r.is("ROWNUM") && op.is_symbol("=") && n(v) == Some(1) => {
                Some(1)
            }
            _ => None,
        };
        match bound {
            Some(b) if !blocks_limit && limit.is_none() => limit = Some(b.max(0)),
            _ => rest.push(part),
        }
    }

    if has_outer {
        match ansi_joins(&block[from + 1..where_], &rest) {
            Some((joined, still)) => {
                from_clause = std::iter::once(block[from].clone()).chain(joined).collect();
                remaining = still;
            }
            None => remaining = rest,
        }
    } else {
        remaining = rest;
    }

    let mut out: Vec<Token> = block[..from].to_vec();
    out.extend(from_clause);
    if !remaining.is_empty() {
        out.push(word("WHERE"));
        for (k, part) in remaining.iter().enumerate() {
            if k > 0 {
                out.push(word("AND"));
            }
            out.extend(part.iter().cloned());
        }
    }
    out.extend(block[where_end..].iter().cloned());
    if let Some(n) = limit {
        out.push(word("LIMIT"));
        out.push(Token {
            kind: TokenKind::Number,
            text: n.to_string(),
            line: 0,
            unterminated: false,
        });
    }
    out
}

/// The alias a FROM item is referred to by: its last word when it has an alias, else its table name.
fn alias(item: &[Token]) -> Option<String> {
    let last = item.last()?;
    if !matches!(last.kind, TokenKind::Word | TokenKind::QuotedIdent) {
        return None;
    }
    Some(last.text.trim_matches('"').to_ascii_uppercase())
}

/// Aliases a condition refers to as `alias.column`.
fn referenced(part: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for k in 0..part.len().saturating_sub(2) {
        if matches!(part[k].kind, TokenKind::Word | TokenKind::QuotedIdent)
            && part[k + 1].is_symbol(".")
            && (k == 0 || !part[k - 1].is_symbol("."))
        {
            let a = part[k].text.trim_matches('"').to_ascii_uppercase();
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// Builds `a CROSS JOIN b LEFT JOIN c ON …` from a comma FROM list and the WHERE conjuncts; returns the
/// new FROM tokens (without FROM) and the conjuncts left for WHERE. `None` when the joins cannot be
/// rewritten with certainty.
fn ansi_joins<'a>(
    from_items: &[Token],
    parts: &[&'a [Token]],
) -> Option<(Vec<Token>, Vec<&'a [Token]>)> {
    let items = split_commas(from_items);
    if items.iter().any(|i| i.iter().any(|t| t.is("JOIN"))) {
        return None;
    }
    let aliases: Vec<String> = items.iter().map(|i| alias(i)).collect::<Option<_>>()?;
    // Conjuncts with (+), grouped by the outer alias they mark.
    let mut outer: Vec<(String, Vec<Vec<Token>>)> = Vec::new();
    let mut kept: Vec<&[Token]> = Vec::new();
    for part in parts {
        let markers: Vec<usize> = (0..part.len())
            .filter(|&k| is_outer_marker(part, k))
            .collect();
        if markers.is_empty() {
            kept.push(part);
            continue;
        }
        // Every marker must follow alias.column, all of the same alias.
        let mut marked = None;
        for &m in &markers {
            if m < 3 || !part[m - 2].is_symbol(".") {
                return None;
            }
            let a = part[m - 3].text.trim_matches('"').to_ascii_uppercase();
            if marked.as_ref().is_some_and(|x| x != &a) {
                return None;
            }
            marked = Some(a);
        }
        let marked = marked?;
        if !aliases.contains(&marked) {
            return None;
        }
        let mut cleaned = Vec::with_capacity(part.len());
        let mut k = 0;
        while k < part.len() {
            if is_outer_marker(part, k) {
                k += 3;
                continue;
            }
            cleaned.push(part[k].clone());
            k += 1;
        }
        match outer.iter_mut().find(|(a, _)| *a == marked) {
            Some((_, list)) => list.push(cleaned),
            None => outer.push((marked, vec![cleaned])),
        }
    }
    // Inner items first, in FROM order, then each outer item once everything its ON refers to is joined.
    let mut joined: Vec<String> = Vec::new();
    let mut out: Vec<Token> = Vec::new();
    for (item, a) in items.iter().zip(&aliases) {
        if outer.iter().any(|(o, _)| o == a) {
            continue;
        }
        if !out.is_empty() {
            out.push(word("CROSS"));
            out.push(word("JOIN"));
        }
        out.extend(item.iter().cloned());
        joined.push(a.clone());
    }
    let mut pending: Vec<(String, Vec<Vec<Token>>)> = outer;
    while !pending.is_empty() {
        let ready = pending.iter().position(|(o, conds)| {
            conds
                .iter()
                .flat_map(|c| referenced(c))
                .all(|r| r == *o || joined.contains(&r))
        })?;
        let (o, conds) = pending.remove(ready);
        let item = items[aliases.iter().position(|a| *a == o)?];
        if out.is_empty() {
            return None;
        }
        out.push(word("LEFT"));
        out.push(word("JOIN"));
        out.extend(item.iter().cloned());
        out.push(word("ON"));
        for (k, c) in conds.into_iter().enumerate() {
            if k > 0 {
                out.push(word("AND"));
            }
            out.extend(c);
        }
        joined.push(o);
    }
    Some((out, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Rewrite;
    use godwit_oracle::tokenize;

    fn convert(sql: &str) -> (String, usize) {
        let mut r = Rewrite::default();
        let text = r.sql(&rewrite_query(&tokenize(sql, 1)));
        (text, r.blocking.len())
    }

    #[test]
    fn outer_joins_become_ansi_joins() {
        let cases = [
            (
                "SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id (+)",
                "select e.name, d.name from emp e left join dept d on e.dept_id = d.id",
            ),
            (
                // A filter on the outer side stays in the join; other filters stay in WHERE.
                "SELECT * FROM emp e, dept d WHERE e.dept_id = d.id(+) and d.active(+) = 'Y' AND e.salary > 10",
                "select * from emp e left join dept d on e.dept_id = d.id and d.active = 'Y' where e.salary > 10",
            ),
            (
                "SELECT * FROM a, b, c WHERE a.x = b.x AND b.y = c.y (+) and a.d BETWEEN 1 AND 2",
                "select * from a cross join b left join c on b.y = c.y where a.x = b.x and a.d between 1 and 2",
            ),
            (
                "SELECT * FROM t1 x, t2 y WHERE x.a (+) = y.a",
                "select * from t2 y left join t1 x on x.a = y.a",
            ),
        ];
        for (oracle, expected) in cases {
            assert_eq!(convert(oracle), (expected.to_string(), 0), "{oracle}");
        }
    }

    #[test]
    fn outer_joins_under_or_stay_blocking() {
        assert_eq!(
            convert("SELECT * FROM a, b WHERE a.x = b.x (+) OR a.y = 1").1,
            1
        );
    }

    #[test]
    fn rownum_limits_become_limit() {
        assert_eq!(
            convert("SELECT * FROM t WHERE ROWNUM <= 10").0,
            "select * from t limit 10"
        );
        assert_eq!(
            convert("SELECT * FROM t WHERE x = 1 AND ROWNUM < 3").0,
            "select * from t where x = 1 limit 2"
        );
        assert_eq!(
            convert("SELECT * FROM (SELECT * FROM t ORDER BY x DESC) WHERE ROWNUM <= 5").0,
            "select * from(select * from t order by x desc) subquery1 limit 5"
        );
        // ROWNUM is applied before ORDER BY and aggregation: not a LIMIT.
        assert_eq!(convert("SELECT * FROM t WHERE ROWNUM <= 5 ORDER BY x").1, 1);
        assert_eq!(convert("SELECT count(*) FROM t WHERE ROWNUM <= 5").1, 1);
        assert_eq!(
            convert("SELECT a FROM t WHERE ROWNUM = 1 AND b = 2").0,
            "select a from t where b = 2 limit 1"
        );
    }
}
