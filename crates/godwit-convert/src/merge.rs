//! Oracle MERGE to PostgreSQL MERGE (PostgreSQL 15 and later): the WHERE of an Oracle WHEN clause
//! becomes `WHEN … AND condition`, and qualified SET targets lose their qualifier. `DELETE WHERE`
//! (delete after update) has no PostgreSQL form: such a MERGE is left for a person.

use crate::cursor::{split_commas, text};
use godwit_oracle::{tokenize, Token, TokenKind};

/// Top-level positions of the words `kw` in `tokens`.
fn top_level_words(tokens: &[Token], kw: &str) -> Vec<usize> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth == 0 && t.is(kw) {
            out.push(k);
        }
    }
    out
}

/// The PostgreSQL form of an Oracle MERGE, or `None` when it uses what PostgreSQL cannot express.
pub fn rewrite(tokens: &[Token]) -> Option<Vec<Token>> {
    let whens = top_level_words(tokens, "WHEN");
    let first_when = *whens.first()?;
    let mut sql = text(&tokens[..first_when]);
    for (i, &start) in whens.iter().enumerate() {
        let end = whens.get(i + 1).copied().unwrap_or(tokens.len());
        let clause = &tokens[start..end];
        let then = clause.iter().position(|t| t.is("THEN"))?;
        let head = text(&clause[..then]); // WHEN [NOT] MATCHED
        let action = &clause[then + 1..];
        if !top_level_words(action, "DELETE").is_empty() {
            return None;
        }
        let wheres = top_level_words(action, "WHERE");
        let (body, condition) = match wheres.as_slice() {
            [] => (action, None),
            [w] => (&action[..*w], Some(text(&action[w + 1..]))),
            _ => return None,
        };
        let body = if body.first().is_some_and(|t| t.is("UPDATE")) {
            // UPDATE SET t.a = …, b = … → UPDATE SET a = …, b = …
            let set = body.iter().position(|t| t.is("SET"))?;
            let assignments: Vec<String> = split_commas(&body[set + 1..])
                .into_iter()
                .map(|a| match a {
                    [q, dot, column, rest @ ..]
                        if dot.is_symbol(".")
                            && matches!(q.kind, TokenKind::Word | TokenKind::QuotedIdent) =>
                    {
                        format!("{} {}", column.text, text(rest))
                    }
                    _ => text(a),
                })
                .collect();
            format!("UPDATE SET {}", assignments.join(", "))
        } else if body.first().is_some_and(|t| t.is("INSERT"))
            && body.get(1).is_some_and(|t| t.is_symbol("("))
        {
            // INSERT (t.a, t.b) VALUES … → INSERT (a, b) VALUES …
            let close = crate::cursor::matching_paren(body, 1)?;
            let columns: Vec<String> = split_commas(&body[2..close])
                .into_iter()
                .map(|c| match c {
                    [_, dot, column] if dot.is_symbol(".") => column.text.clone(),
                    _ => text(c),
                })
                .collect();
            format!(
                "INSERT ({}) {}",
                columns.join(", "),
                text(&body[close + 1..])
            )
        } else {
            text(body)
        };
        match condition {
            Some(c) => sql.push_str(&format!(" {head} AND ({c}) THEN {body}")),
            None => sql.push_str(&format!(" {head} THEN {body}")),
        }
    }
    Some(tokenize(&sql, tokens[0].line))
}
