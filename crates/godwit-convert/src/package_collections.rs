//! Package variables of the package's own collection types (nested tables, VARRAYs, INDEX BY integer
//! tables). Their value lives, like every package variable, in a session setting
//! (`godwit.<package>__<variable>`, as the array's text). A member that uses one works on a local copy
//! of the same name: the copy is read from the setting when the member starts and again after every
//! statement that calls another routine (which may change it), and written back after every statement
//! that changes it. Everything else about the variable (`v(i)`, COUNT, EXTEND, BULK COLLECT, …) is then
//! the routine converter's ordinary handling of a local collection.
//!
//! The one difference from Oracle: a statement that both changes the variable and calls a routine that
//! changes it too keeps only its own change.

use crate::package::{statement_end, subprogram_end};
use crate::plsql::starts_statement;
use godwit_oracle::{tokenize, Token};
use std::collections::BTreeMap;

/// A package collection variable a member works on through a local copy.
pub(crate) struct LocalCopy {
    /// Upper-case Oracle name; the copy has the same name.
    pub name: String,
    /// The collection type's tokens (the package's own type, unqualified).
    pub declared: Vec<Token>,
    /// The setting's name as an SQL literal: `'godwit.pkg__v'`.
    pub setting: String,
    /// The value before the session first assigns it, as SQL text: `'{}'` (empty), a literal or `NULL`.
    pub initial: String,
    /// Whether a call may change it through an OUT argument (a package document is never passed).
    pub passed: bool,
}

/// Words that open or continue a compound statement: what follows them is not a simple statement.
const COMPOUND: &[&str] = &[
    "IF",
    "ELSIF",
    "ELSE",
    "LOOP",
    "WHILE",
    "FOR",
    "CASE",
    "BEGIN",
    "DECLARE",
    "END",
    "EXCEPTION",
    "WHEN",
];

/// The member's tokens with the local copies declared, loaded and written back. `calls` tells whether
/// a simple statement calls a routine that might change package state.
pub(crate) fn with_local_copies(
    tokens: &[Token],
    copies: &[LocalCopy],
    calls: &dyn Fn(&[Token]) -> bool,
) -> Result<Vec<Token>, String> {
    let header_end = signature_end(tokens, 0).ok_or("a member without IS/AS")?;
    let mut declarations = Vec::new();
    let top_begin = declaration_ranges(tokens, header_end + 1, &mut declarations)
        .ok_or("a member without BEGIN")?;
    let mut k = top_begin + 1;
    while k < tokens.len() {
        if tokens[k].is("DECLARE") {
            declaration_ranges(tokens, k + 1, &mut declarations);
        }
        k += 1;
    }
    let in_declarations = |k: usize| declarations.iter().any(|(s, e)| *s <= k && k < *e);
    // The member's local subprograms get the copies as IN OUT parameters: a call to one may change
    // them.
    let local: Vec<String> = (header_end + 1..top_begin)
        .filter(|&k| {
            (tokens[k].is("PROCEDURE") || tokens[k].is("FUNCTION")) && !tokens[k - 1].is("END")
        })
        .filter_map(|k| tokens.get(k + 1).map(|n| n.upper()))
        .collect();

    // After which `;` to write back (per copy) and reload.
    let mut after: BTreeMap<usize, (Vec<usize>, bool)> = BTreeMap::new();
    let mut k = top_begin + 1;
    while k < tokens.len() {
        let t = &tokens[k];
        let simple = t.kind == godwit_oracle::TokenKind::Word
            && starts_statement(tokens, k)
            && !in_declarations(k)
            && !COMPOUND.iter().any(|w| t.is(w));
        if !simple {
            k += 1;
            continue;
        }
        let end = statement_end(tokens, k);
        let statement = &tokens[k..end];
        let calls_local = statement.iter().any(|t| local.contains(&t.upper()));
        let written: Vec<usize> = copies
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                calls_local
                    || crate::package::assigned(statement, &c.name)
                    || (c.passed && passed_as_argument(statement, &c.name))
            })
            .map(|(i, _)| i)
            .collect();
        let reload = calls(statement);
        if !written.is_empty() || reload {
            let entry = after.entry(end).or_default();
            entry.0.extend(written);
            entry.1 |= reload;
        }
        k = end + 1;
    }

    let line = tokens[top_begin].line;
    let load = |out: &mut Vec<Token>, line: u32| {
        for c in copies {
            out.extend(tokenize(
                &format!(
                    "{} := godwit_compat.pkg_get({}, {});",
                    c.name, c.setting, c.initial
                ),
                line,
            ));
        }
    };
    let mut out = Vec::with_capacity(tokens.len() + 16);
    for (i, t) in tokens.iter().enumerate() {
        out.push(t.clone());
        if i == header_end {
            // Declared first and loaded there: the member's own declarations may read them.
            for c in copies {
                out.extend(tokenize(&c.name, line));
                out.extend(c.declared.iter().cloned());
                out.extend(tokenize(
                    &format!(":= godwit_compat.pkg_get({}, {});", c.setting, c.initial),
                    line,
                ));
            }
        }
        if let Some((written, reload)) = after.get(&i) {
            for &w in written {
                let c = &copies[w];
                out.extend(tokenize(
                    &format!(
                        "PERFORM godwit_compat.pkg_set({}, CAST({} AS TEXT));",
                        c.setting, c.name
                    ),
                    t.line,
                ));
            }
            if *reload {
                load(&mut out, t.line);
            }
        }
    }
    Ok(out)
}

/// Whether `variable` (upper case) is a whole argument of a call in `tokens` (`f(v)`, `f(a, v)`,
/// `f(p => v)`): an OUT parameter there would assign it.
pub(crate) fn passed_as_argument(tokens: &[Token], variable: &str) -> bool {
    (1..tokens.len()).any(|k| {
        tokens[k].upper() == variable
            && (tokens[k - 1].is_symbol("=>")
                || tokens[k - 1].is_symbol(",")
                || tokens[k - 1].is_symbol("("))
            && tokens
                .get(k + 1)
                .is_some_and(|n| n.is_symbol(")") || n.is_symbol(","))
    })
}

/// Index of the BEGIN of the routine whose tokens start at its name (after its declarations and
/// local subprograms).
pub(crate) fn top_level_begin(tokens: &[Token]) -> Option<usize> {
    let header_end = signature_end(tokens, 0)?;
    declaration_ranges(tokens, header_end + 1, &mut Vec::new())
}

/// Index of the IS/AS ending the signature that starts at `start` (outside parentheses).
fn signature_end(tokens: &[Token], start: usize) -> Option<usize> {
    crate::package::signature_stop(tokens, start).filter(|&k| !tokens[k].is_symbol(";"))
}

/// Records the declaration section starting at `start` (and those of the local subprograms in it) as
/// `(start, BEGIN)` ranges; returns the index of its BEGIN.
fn declaration_ranges(
    tokens: &[Token],
    start: usize,
    ranges: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    let mut k = start;
    loop {
        let t = tokens.get(k)?;
        if t.is("BEGIN") {
            ranges.push((start, k));
            return Some(k);
        }
        if t.is("PROCEDURE") || t.is("FUNCTION") {
            let (end, has_body) = subprogram_end(tokens, k)?;
            if has_body {
                let is = signature_end(tokens, k + 1)?;
                declaration_ranges(tokens, is + 1, ranges)?;
            }
            k = end + 1;
            continue;
        }
        k = statement_end(tokens, k) + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::text;

    #[test]
    fn a_copy_is_declared_loaded_written_back_after_changes_and_reloaded_after_calls() {
        let member = tokenize(
            "add(p IN NUMBER) IS
               l NUMBER;
               PROCEDURE inner IS BEGIN g.EXTEND; END inner;
             BEGIN
               IF p > 0 THEN
                 g.EXTEND;
                 g(g.COUNT) := p;
               END IF;
               other_proc(p);
               l := g.COUNT;
             END add;",
            1,
        );
        let copies = [LocalCopy {
            name: "G".into(),
            declared: tokenize("t_list", 1),
            setting: "'godwit.pkg__g'".into(),
            initial: "'{}'".into(),
            passed: true,
        }];
        let calls = |s: &[Token]| s.first().is_some_and(|t| t.is("OTHER_PROC"));
        let out = text(&with_local_copies(&member, &copies, &calls).unwrap());
        let load = "G := godwit_compat . pkg_get ( 'godwit.pkg__g' , '{}' ) ;";
        let declare = "G t_list := godwit_compat . pkg_get ( 'godwit.pkg__g' , '{}' ) ;";
        let store = "PERFORM godwit_compat . pkg_set ( 'godwit.pkg__g' , CAST ( G AS TEXT ) ) ;";
        assert!(
            out.starts_with(&format!("add ( p IN NUMBER ) IS {declare} l NUMBER ;")),
            "{out}"
        );
        assert!(out.contains("END inner ; BEGIN IF"), "{out}");
        assert!(
            out.contains(&format!(
                "g . EXTEND ; {store} g ( g . COUNT ) := p ; {store} END IF"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "other_proc ( p ) ; {load} l := g . COUNT ; END add"
            )),
            "{out}"
        );
        // The local subprogram's statements are not touched here (it gets the copy as a parameter).
        assert!(out.contains("IS BEGIN g . EXTEND ; END inner"), "{out}");
    }
}
