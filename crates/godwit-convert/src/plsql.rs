//! First PL/SQL units to PL/pgSQL: standalone procedures, functions and simple triggers whose bodies
//! use only statements with a direct PL/pgSQL form (assignments, IF/ELSIF/ELSE, loops, DML, SELECT
//! INTO (made STRICT, as Oracle raises NO_DATA_FOUND/TOO_MANY_ROWS), procedure calls, RETURN,
//! RAISE_APPLICATION_ERROR, DBMS_OUTPUT.PUT_LINE, EXCEPTION handlers with predefined names).
//! Anything else (cursors, collections, BULK COLLECT, packages, PRAGMA, compound triggers, …) leaves
//! the unit not converted, with a finding naming the construct.

use crate::collection::Kind;
use crate::cursor::{matching_paren, split_commas, text, Cursor};
use crate::expr::Rewrite;
use crate::names::pg_name;
use godwit_catalog::{quote_ident, QualifiedName};
use godwit_oracle::{tokenize, Token, TokenKind};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Constructs the first version does not convert, by the word that reveals them.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("GOTO", "GOTO"),
    ("COMPOUND", "compound triggers"),
    (
        "SAVEPOINT",
        "savepoints (PL/pgSQL has none: a nested BEGIN … EXCEPTION block rolls back to its start)",
    ),
];

/// Collection types and variables of the unit being converted.
#[derive(Default)]
struct Scope {
    /// Collection type name (upper case) → (its PostgreSQL type: an array type, or jsonb for a map,
    /// and how it is indexed).
    types: std::collections::BTreeMap<String, (String, Kind)>,
    /// Collection type name (upper case) → the PostgreSQL type of its elements.
    elements: std::collections::BTreeMap<String, String>,
    /// Variables and parameters of an array collection type (upper case).
    arrays: std::collections::BTreeSet<String>,
    /// Those variables and parameters (upper case) → the PostgreSQL type of their elements.
    array_elements: std::collections::BTreeMap<String, String>,
    /// Variables and parameters of a map (INDEX BY VARCHAR2) type (upper case) → element type.
    maps: std::collections::BTreeMap<String, String>,
    /// Record types declared in the routine or an enclosing one (upper case) → composite type.
    records: std::collections::BTreeMap<String, String>,
    /// User-defined exceptions in scope (upper case) → their SQLSTATE.
    exceptions: std::collections::BTreeMap<String, String>,
    /// Object types with methods (upper case).
    object_methods: std::collections::BTreeMap<String, crate::object_type::ObjectMethods>,
    /// Variables and parameters of those types (upper case) → their type (upper case).
    objects: std::collections::BTreeMap<String, String>,
}

/// What a unit sees from its package: collection types and exceptions.
#[derive(Clone, Default)]
pub struct UnitContext {
    pub collections: crate::collection::Collections,
    /// Exception name (upper case) → SQLSTATE.
    pub exceptions: std::collections::BTreeMap<String, String>,
    /// Schema-level collection types (upper case) → the PostgreSQL domain they became, which
    /// declarations use instead of a bare array type.
    pub domains: std::collections::BTreeMap<String, String>,
    /// Record types declared in an enclosing routine (upper case) → the composite type they became.
    pub records: std::collections::BTreeMap<String, String>,
    /// Object types with methods (upper case), for calls `v.m(…)` on their variables.
    pub object_methods: std::collections::BTreeMap<String, crate::object_type::ObjectMethods>,
}

/// The SQLSTATE an Oracle error number is raised with: user errors -20000 … -20999 as U0000 …
/// U0999 (as RAISE_APPLICATION_ERROR raises them), the common ORA errors as PostgreSQL's own.
pub fn sqlstate_of_oracle_code(code: i64) -> Option<String> {
    if (-20999..=-20000).contains(&code) {
        return Some(format!("U{:04}", -code - 20000));
    }
    Some(
        match code {
            -1 => "23505",
            -1400 => "23502",
            -2291 | -2292 => "23503",
            -2290 => "23514",
            100 | -1403 => "P0002",
            -1422 => "P0003",
            -1476 => "22012",
            -1722 => "22P02",
            -6502 => "22000",
            -54 => "55P03",
            -60 => "40P01",
            -942 => "42P01",
            -955 => "42P07",
            -1031 => "42501",
            -8177 => "40001",
            -1407 => "23502",
            -1438 => "22003",
            -12899 => "22001",
            -1830 | -1840 | -1841 | -1843 | -1847 | -1858 | -1861 => "22007",
            -1001 | -6511 => "24000",
            -1013 => "57014",
            _ => return None,
        }
        .to_string(),
    )
}

/// A stable SQLSTATE for a user-defined exception (class G, unused by PostgreSQL).
pub fn sqlstate_of_exception(qualified_name: &str) -> String {
    // FNV-1a: stable across builds and platforms.
    let mut hash: u32 = 0x811c9dc5;
    for b in qualified_name.to_ascii_uppercase().bytes() {
        hash ^= b as u32;
        hash = hash.wrapping_mul(0x01000193);
    }
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut code = String::from("G");
    for _ in 0..4 {
        code.push(DIGITS[(hash % 36) as usize] as char);
        hash /= 36;
    }
    code
}

impl Scope {
    /// Collection uses in `tokens` rewritten for the collections in scope (see `collection`).
    fn rewrite_collections(&self, tokens: &[Token]) -> Result<Vec<Token>, NotConverted> {
        let types = self
            .types
            .iter()
            .map(|(k, (pg, _))| (k.clone(), pg.clone()))
            .collect();
        let scope = crate::collection::InScope {
            arrays: &self.arrays,
            array_elements: &self.array_elements,
            types: &types,
            maps: &self.maps,
        };
        crate::collection::rewrite(tokens, &scope)
    }

    /// Records a collection type: arrays of the element type, or jsonb for a map.
    fn add_type(&mut self, name: String, element: String, kind: Kind, domain: Option<String>) {
        let pg = match (kind, domain) {
            (Kind::ByText, _) => "jsonb".to_string(),
            (_, Some(domain)) => domain,
            _ => format!("{element}[]"),
        };
        self.types.insert(name.clone(), (pg, kind));
        self.elements.insert(name, element);
    }

    /// Records a variable or parameter declared with `type_name` when that is a collection type.
    fn add_variable(&mut self, variable: String, type_name: &str) {
        match self.types.get(type_name) {
            Some((_, Kind::ByText)) => {
                let element = self.elements.get(type_name).cloned().unwrap_or_default();
                self.maps.insert(variable, element);
            }
            Some(_) => {
                if let Some(element) = self.elements.get(type_name).filter(|e| !e.is_empty()) {
                    self.array_elements
                        .insert(variable.clone(), element.clone());
                }
                self.arrays.insert(variable);
            }
            None => {}
        }
    }
}

/// The type at the cursor: a collection type in scope as its array type, else `type_of`'s answer.
fn scoped_type(
    scope: &RefCell<Scope>,
    c: &mut Cursor,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Option<String> {
    // PKG.T: another package's collection type.
    if let (Some(p), Some(dot), Some(t)) = (c.peek(), c.peek_at(1), c.peek_at(2)) {
        let key = format!("{}.{}", p.upper(), t.upper());
        let anchored = c.peek_at(3).is_some_and(|n| n.is_symbol("%"));
        if dot.is_symbol(".") && !anchored {
            if let Some((pg, _)) = scope.borrow().types.get(&key) {
                let pg = pg.clone();
                c.next();
                c.next();
                c.next();
                return Some(pg);
            }
        }
    }
    if let Some(t) = c.peek() {
        let qualified = c
            .peek_at(1)
            .is_some_and(|n| n.is_symbol(".") || n.is_symbol("%"));
        let found = scope
            .borrow()
            .types
            .get(&t.upper())
            .map(|(pg, _)| pg.clone())
            .or_else(|| scope.borrow().records.get(&t.upper()).cloned());
        if let (false, Some(pg)) = (qualified, found) {
            c.next();
            return Some(pg);
        }
    }
    type_of(c)
}

/// User-defined exceptions and SQLCODE: `RAISE e` → `RAISE EXCEPTION USING ERRCODE = …`, `WHEN e` →
/// `WHEN SQLSTATE …`, `SQLCODE` → Oracle's number for the caught SQLSTATE.
fn exception_statements(
    tokens: &[Token],
    exceptions: &std::collections::BTreeMap<String, String>,
    rewrite: &mut Rewrite,
) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let prev = k.checked_sub(1).map(|p| &tokens[p]);
        if let Some(state) = exceptions
            .get(&t.upper())
            .filter(|_| t.kind == TokenKind::Word)
        {
            if prev.is_some_and(|p| p.is("RAISE")) {
                out.pop();
                out.extend(tokenize(
                    &format!("RAISE EXCEPTION USING ERRCODE = '{state}', MESSAGE = 'User-Defined Exception {}'", t.text),
                    t.line,
                ));
                k += 1;
                continue;
            }
            if prev.is_some_and(|p| p.is("WHEN") || p.is("OR")) {
                out.extend(tokenize(&format!("SQLSTATE '{state}'"), t.line));
                k += 1;
                continue;
            }
        }
        if t.is("SQLERRM")
            && !prev.is_some_and(|p| p.is_symbol("."))
            && !tokens.get(k + 1).is_some_and(|n| n.is_symbol("("))
        {
            rewrite.helpers.insert("sqlcode");
            out.extend(tokenize("godwit_compat.sqlerrm(SQLSTATE, SQLERRM)", t.line));
            k += 1;
            continue;
        }
        if t.is("SQLCODE") && !prev.is_some_and(|p| p.is_symbol(".")) {
            rewrite.helpers.insert("sqlcode");
            out.extend(tokenize("godwit_compat.sqlcode(SQLSTATE)", t.line));
            k += 1;
            continue;
        }
        out.push(t.clone());
        k += 1;
    }
    out
}

/// Local procedures and functions declared inside a routine become routines of their own beside it,
/// named `<routine>__<name>`, with the calls to them renamed. The enclosing routine's variables and
/// parameters a subprogram uses (itself or through the subprograms it calls) are passed to it as extra
/// parameters, by name: IN where it only reads them, IN OUT (procedures) where it assigns them, so the
/// enclosing routine sees the change as in Oracle. A local function that assigns one, or a subprogram
/// using the routine's cursors, types or exceptions, is refused. Returns the routine's tokens without
/// the subprograms, and the converted subprograms.
fn hoist_local_subprograms(
    tokens: &[Token],
    outer: &QualifiedName,
    outer_parameters: &[(String, Vec<Token>)],
    rewrite: &mut Rewrite,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
    context: &UnitContext,
) -> Result<(Vec<Token>, Vec<Unit>), NotConverted> {
    if !tokens.iter().any(|t| t.is("BEGIN")) {
        return Ok((tokens.to_vec(), Vec::new()));
    }
    // Find the local subprograms among the declarations, which end at the routine's own BEGIN.
    let mut local = Vec::new();
    let mut kept = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        if tokens[k].is("BEGIN") {
            kept.extend(tokens[k..].iter().cloned());
            break;
        }
        if tokens[k].is("PROCEDURE") || tokens[k].is("FUNCTION") {
            let (end, has_body) = crate::package::subprogram_end(tokens, k)
                .ok_or("a local subprogram without its END")?;
            if has_body {
                local.push((k, end));
            }
            k = end + 1;
            continue;
        }
        kept.push(tokens[k].clone());
        k += 1;
    }
    if local.is_empty() {
        return Ok((tokens.to_vec(), Vec::new()));
    }
    let names: Vec<String> = local.iter().map(|(s, _)| tokens[s + 1].upper()).collect();
    let hoisted_name = |n: &str| format!("{}__{}", outer.name, n.to_lowercase());
    let kept_begin = kept
        .iter()
        .position(|t| t.is("BEGIN"))
        .unwrap_or(kept.len());
    let (variables, others) = enclosing_declarations(&kept[..kept_begin], outer_parameters);

    // What each subprogram uses and assigns of the enclosing routine's variables, its own calls
    // to the other subprograms included (to a fixed point).
    let subs: Vec<&[Token]> = local.iter().map(|(s, e)| &tokens[s + 1..=*e]).collect();
    let mut uses: Vec<BTreeSet<String>> = Vec::new();
    let mut writes: Vec<BTreeSet<String>> = Vec::new();
    for (sub, name) in subs.iter().zip(&names) {
        let own = own_names(sub);
        let body = &sub[1..];
        if let Some(used) = body.iter().enumerate().find(|(i, t)| {
            t.kind == TokenKind::Word
                && !(*i > 0 && body[i - 1].is_symbol("."))
                && others.contains(&t.upper())
                && !own.contains(&t.upper())
        }) {
            return Err(format!(
                "local subprogram {name} uses {} of the enclosing routine, which PL/pgSQL cannot share",
                used.1.text
            ));
        }
        let used: BTreeSet<String> = variables
            .iter()
            .map(|(v, _)| v.clone())
            .filter(|v| !own.contains(v))
            .filter(|v| {
                body.iter().enumerate().any(|(i, t)| {
                    t.kind == TokenKind::Word
                        && t.upper() == *v
                        && !(i > 0 && body[i - 1].is_symbol("."))
                })
            })
            .collect();
        let written = used
            .iter()
            .filter(|v| crate::package::assigned(body, v))
            .cloned()
            .collect();
        uses.push(used);
        writes.push(written);
    }
    loop {
        let mut changed = false;
        for a in 0..subs.len() {
            for (b, callee) in names.iter().enumerate() {
                let calls = a != b
                    && subs[a]
                        .iter()
                        .skip(1)
                        .any(|t| t.kind == TokenKind::Word && t.upper() == *callee);
                if calls {
                    let own = own_names(subs[a]);
                    for v in uses[b].clone() {
                        changed |= !own.contains(&v) && uses[a].insert(v);
                    }
                    for v in writes[b].clone() {
                        changed |= !own.contains(&v) && writes[a].insert(v);
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let extras: BTreeMap<String, Vec<String>> = names
        .iter()
        .zip(&uses)
        .map(|(n, u)| (n.clone(), u.iter().cloned().collect()))
        .collect();
    let functions: BTreeSet<String> = local
        .iter()
        .zip(&names)
        .filter(|((s, _), _)| tokens[*s].is("FUNCTION"))
        .map(|(_, n)| n.clone())
        .collect();
    let rename = |ts: &[Token]| -> Vec<Token> {
        let mut out = Vec::with_capacity(ts.len());
        let mut i = 0;
        while i < ts.len() {
            let t = &ts[i];
            let after_dot = i > 0 && ts[i - 1].is_symbol(".");
            let after_end = i > 0 && ts[i - 1].is("END");
            let next = ts.get(i + 1);
            let with_arguments = next.is_some_and(|n| n.is_symbol("("));
            let call = with_arguments
                || next.is_some_and(|n| n.is_symbol(";"))
                || (functions.contains(&t.upper())
                    && !next.is_some_and(|n| n.is_symbol(":=") || n.is_symbol(".")));
            if t.kind != TokenKind::Word
                || !names.contains(&t.upper())
                || !call
                || after_dot
                || after_end
            {
                out.push(t.clone());
                i += 1;
                continue;
            }
            out.extend(tokenize(
                &format!("{}.{}", outer.schema, hoisted_name(&t.upper())),
                t.line,
            ));
            let shared = &extras[&t.upper()];
            let passed: Vec<String> = shared.iter().map(|v| format!("{v} => {v}")).collect();
            if with_arguments {
                let close = matching_paren(ts, i + 1).unwrap_or(ts.len() - 1);
                let inner = &ts[i + 2..close];
                out.push(ts[i + 1].clone());
                out.extend(inner.iter().cloned());
                if !passed.is_empty() {
                    if !inner.is_empty() {
                        out.extend(tokenize(",", t.line));
                    }
                    out.extend(tokenize(&passed.join(", "), t.line));
                }
                if let Some(c) = ts.get(close) {
                    out.push(c.clone());
                }
                i = close + 1;
            } else {
                if !passed.is_empty() {
                    out.extend(tokenize(&format!("({})", passed.join(", ")), t.line));
                } else if functions.contains(&t.upper()) {
                    out.extend(tokenize("()", t.line));
                }
                i += 1;
            }
        }
        out
    };
    let mut units = Vec::new();
    for (index, (((start, _), name), sub)) in local.iter().zip(&names).zip(&subs).enumerate() {
        let kind = if tokens[*start].is("PROCEDURE") {
            UnitKind::Procedure
        } else {
            UnitKind::Function
        };
        if kind == UnitKind::Function {
            if let Some(v) = writes[index].iter().next() {
                // Called only as `x := f(…);`, it becomes a procedure handing its result back in an
                // OUT parameter beside the variables it assigns.
                if let Some(as_procedure) = function_as_procedure(tokens, local[index]) {
                    return hoist_local_subprograms(
                        &as_procedure,
                        outer,
                        outer_parameters,
                        rewrite,
                        type_of,
                        context,
                    );
                }
                return Err(format!(
                    "local function {name} assigns {v} of the enclosing routine, which a PostgreSQL function cannot hand back"
                ));
            }
        }
        // The shared variables as extra parameters, after the subprogram's own.
        let signature_end = if sub.get(1).is_some_and(|t| t.is_symbol("(")) {
            matching_paren(sub, 1).ok_or("unbalanced parameter list")?
        } else {
            0
        };
        let own_defaults = sub[..=signature_end]
            .iter()
            .any(|t| t.is("DEFAULT") || t.is_symbol(":="));
        let mut added = Vec::new();
        for v in &uses[index] {
            let ty = variables
                .iter()
                .find(|(n, _)| n == v)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            if ty.is_empty() {
                return Err(format!(
                    "local subprogram {name} uses {v} of the enclosing routine, whose type is not known"
                ));
            }
            let line = sub[0].line;
            added.extend(tokenize(v, line));
            added.extend(tokenize(
                if writes[index].contains(v) {
                    "IN OUT"
                } else {
                    "IN"
                },
                line,
            ));
            added.extend(ty);
            if own_defaults {
                added.extend(tokenize("DEFAULT NULL", line));
            }
            added.extend(tokenize(",", line));
        }
        added.pop();
        let mut signed = vec![sub[0].clone()];
        if added.is_empty() {
            signed.extend(sub[1..].iter().cloned());
        } else if signature_end > 0 {
            signed.extend(sub[1..signature_end].iter().cloned());
            signed.extend(tokenize(",", sub[0].line));
            signed.extend(added);
            signed.extend(sub[signature_end..].iter().cloned());
        } else {
            signed.extend(tokenize("(", sub[0].line));
            signed.extend(added);
            signed.extend(tokenize(")", sub[0].line));
            signed.extend(sub[1..].iter().cloned());
        }
        // Its own name stays (qualify names it); calls inside it to its siblings are renamed.
        let mut renamed = vec![signed[0].clone()];
        renamed.extend(rename(&signed[1..]));
        let qualify = |_: Option<&Token>, n: &Token| {
            QualifiedName::new(&outer.schema, hoisted_name(&n.upper()))
        };
        rewrite.packages.insert(outer.schema.clone());
        let unit = convert_unit(kind, &renamed, rewrite, &qualify, type_of, context)
            .map_err(|e| format!("local subprogram {name}: {e}"))?;
        units.push(unit);
    }
    rewrite.packages.insert(outer.schema.clone());
    Ok((rename(&kept), units))
}

/// `tokens` with the local function at `start..=end` turned into a procedure whose OUT parameter
/// GODWIT_RESULT takes what it returns, and each `x := f(…);` into `f(…, GODWIT_RESULT => x);`.
/// `None` when the function is used some other way or its form is not the plain one.
fn function_as_procedure(tokens: &[Token], (start, end): (usize, usize)) -> Option<Vec<Token>> {
    let name = tokens.get(start + 1)?.upper();
    let sub = &tokens[start..=end];
    let mut k = 2;
    let params = if sub.get(k)?.is_symbol("(") {
        let close = matching_paren(sub, k)?;
        let inner = &sub[k + 1..close];
        k = close + 1;
        Some(inner)
    } else {
        None
    };
    if !sub.get(k)?.is("RETURN") {
        return None;
    }
    let is = (k + 1..sub.len()).find(|&j| sub[j].is("IS") || sub[j].is("AS"))?;
    let returns = &sub[k + 1..is];
    // Nested subprograms would have RETURNs of their own.
    if returns.is_empty()
        || sub[is..]
            .iter()
            .any(|t| t.is("FUNCTION") || t.is("PROCEDURE"))
    {
        return None;
    }
    let line = sub[0].line;
    let mut out: Vec<Token> = tokens[..start].to_vec();
    out.extend(tokenize("PROCEDURE", line));
    out.push(sub[1].clone());
    out.extend(tokenize("(", line));
    if let Some(p) = params.filter(|p| !p.is_empty()) {
        out.extend(p.iter().cloned());
        out.extend(tokenize(",", line));
    }
    out.extend(tokenize("GODWIT_RESULT OUT", line));
    out.extend(returns.iter().cloned());
    out.extend(tokenize(")", line));
    let mut j = is;
    while j < sub.len() {
        let t = &sub[j];
        if t.is("RETURN")
            && starts_statement(sub, j)
            && !sub.get(j + 1).is_some_and(|n| n.is_symbol(";"))
        {
            out.extend(tokenize("GODWIT_RESULT :=", t.line));
            let semi = (j..sub.len()).find(|&e| sub[e].is_symbol(";"))?;
            out.extend(sub[j + 1..=semi].iter().cloned());
            out.extend(tokenize("RETURN ;", t.line));
            j = semi + 1;
            continue;
        }
        out.push(t.clone());
        j += 1;
    }
    // The calls, everywhere else: only `target := name[(…)];` as a whole statement.
    let mut rest = Vec::with_capacity(tokens.len() - end);
    let call_at = |ts: &[Token], i: usize| {
        ts[i].kind == TokenKind::Word
            && ts[i].upper() == name
            && !(i > 0 && ts[i - 1].is_symbol("."))
            && !(i > 0 && ts[i - 1].is("END"))
    };
    // Calls before the function (in earlier local subprograms) come first.
    let mut before = Vec::with_capacity(start);
    for (part, range) in [(&mut before, 0..start), (&mut rest, end + 1..tokens.len())] {
        let ts = &tokens[range.clone()];
        let mut k = 0;
        while k < ts.len() {
            if !call_at(ts, k) {
                part.push(ts[k].clone());
                k += 1;
                continue;
            }
            let target_ok = k >= 2
                && ts[k - 1].is_symbol(":=")
                && ts[k - 2].kind == TokenKind::Word
                && starts_statement(ts, k - 2);
            let (args, after) = match ts.get(k + 1) {
                Some(open) if open.is_symbol("(") => {
                    let close = matching_paren(ts, k + 1)?;
                    (&ts[k + 2..close], close + 1)
                }
                _ => (&ts[k..k], k + 1),
            };
            if !target_ok || !ts.get(after).is_some_and(|t| t.is_symbol(";")) {
                return None;
            }
            let target = part.len() - 2;
            let target_token = part[target].clone();
            part.truncate(target);
            part.push(ts[k].clone());
            part.extend(tokenize("(", ts[k].line));
            if !args.is_empty() {
                part.extend(args.iter().cloned());
                part.extend(tokenize(",", ts[k].line));
            }
            part.extend(tokenize("GODWIT_RESULT =>", ts[k].line));
            part.push(target_token);
            part.extend(tokenize(")", ts[k].line));
            k = after;
        }
    }
    let mut whole = before;
    whole.extend(out[start..].iter().cloned());
    whole.extend(rest);
    Some(whole)
}

/// The enclosing routine's variables with their Oracle types (its parameters, then its declared
/// variables and constants), and the names of what else it declares (cursors, types, exceptions),
/// all upper case.
fn enclosing_declarations(
    declarations: &[Token],
    parameters: &[(String, Vec<Token>)],
) -> (Vec<(String, Vec<Token>)>, BTreeSet<String>) {
    let mut variables = parameters.to_vec();
    let mut others = BTreeSet::new();
    for d in declarations.split(|t| t.is_symbol(";")) {
        let Some(first) = d.first() else { continue };
        if first.is("PRAGMA") {
            continue;
        }
        if first.is("CURSOR") || first.is("TYPE") || first.is("SUBTYPE") {
            if let Some(n) = d.get(1) {
                others.insert(n.upper());
            }
            continue;
        }
        if d.get(1).is_some_and(|t| t.is("EXCEPTION")) {
            others.insert(first.upper());
            continue;
        }
        let from = if d.get(1).is_some_and(|t| t.is("CONSTANT")) {
            2
        } else {
            1
        };
        variables.push((first.upper(), declared_type(&d[from.min(d.len())..])));
    }
    (variables, others)
}

/// A declaration's type: its tokens up to a default (`:=`, DEFAULT) or NOT NULL.
fn declared_type(tokens: &[Token]) -> Vec<Token> {
    let mut ty = Vec::new();
    for (j, t) in tokens.iter().enumerate() {
        if t.is_symbol(":=")
            || t.is("DEFAULT")
            || (t.is("NOT") && tokens.get(j + 1).is_some_and(|n| n.is("NULL")))
        {
            break;
        }
        ty.push(t.clone());
    }
    ty
}

/// Names a (local) subprogram declares itself, upper case: its parameters and its declarations
/// before its BEGIN. `sub` starts at the subprogram's name.
fn own_names(sub: &[Token]) -> BTreeSet<String> {
    let mut own = BTreeSet::new();
    let mut k = 1;
    if sub.get(1).is_some_and(|t| t.is_symbol("(")) {
        if let Some(close) = matching_paren(sub, 1) {
            for p in split_commas(&sub[2..close]) {
                if let Some(n) = p.first() {
                    own.insert(n.upper());
                }
            }
            k = close + 1;
        }
    }
    let Some(is) = sub[k..].iter().position(|t| t.is("IS") || t.is("AS")) else {
        return own;
    };
    let from = k + is + 1;
    let until = sub[from..]
        .iter()
        .position(|t| t.is("BEGIN"))
        .map_or(sub.len(), |b| from + b);
    for d in sub[from..until].split(|t| t.is_symbol(";")) {
        if let Some(n) = d.first() {
            own.insert(n.upper());
        }
    }
    own
}

/// Record types a routine declares (`TYPE t IS RECORD (…)`, before its BEGIN, outside its local
/// subprograms): each becomes a composite type `<routine>__<t>` beside it. Returns the routine's
/// tokens without those declarations, and (Oracle name, composite type, attributes) of each.
#[allow(clippy::type_complexity)]
fn local_record_types(
    tokens: &[Token],
    routine: &QualifiedName,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Result<
    (
        Vec<Token>,
        Vec<(String, QualifiedName, Vec<(String, String)>)>,
    ),
    NotConverted,
> {
    let mut kept = Vec::with_capacity(tokens.len());
    let mut records = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        if t.is("BEGIN") {
            kept.extend(tokens[k..].iter().cloned());
            break;
        }
        if t.is("PROCEDURE") || t.is("FUNCTION") {
            let end =
                crate::package::subprogram_end(tokens, k).map_or(tokens.len() - 1, |(e, _)| e);
            kept.extend(tokens[k..=end].iter().cloned());
            k = end + 1;
            continue;
        }
        let end = crate::package::statement_end(tokens, k);
        let decl = &tokens[k..end];
        let is_record = decl.len() > 5
            && decl[0].is("TYPE")
            && (decl[2].is("IS") || decl[2].is("AS"))
            && decl[3].is("RECORD")
            && decl[4].is_symbol("(");
        if !is_record {
            kept.extend(tokens[k..=end.min(tokens.len() - 1)].iter().cloned());
            k = end + 1;
            continue;
        }
        let close = matching_paren(decl, 4).ok_or("unbalanced record type")?;
        let mut attributes = Vec::new();
        for field in split_commas(&decl[5..close]) {
            let (field_name, rest) = field.split_first().ok_or("a record field without a name")?;
            let declared = declared_type(rest);
            let mut c = Cursor::new(&declared);
            let pg = type_of(&mut c).filter(|_| c.at_end()).ok_or_else(|| {
                format!(
                    "type of field {} of record {} not understood",
                    field_name.text, decl[1].text
                )
            })?;
            attributes.push((pg_name(field_name), pg));
        }
        let composite = QualifiedName::new(
            &routine.schema,
            format!("{}__{}", routine.name, pg_name(&decl[1])),
        );
        records.push((decl[1].upper(), composite, attributes));
        k = end + 1;
    }
    Ok((kept, records))
}

/// `CURSOR c [(p type, …)] [RETURN t] IS query` → `c CURSOR [(p type, …)] FOR query;`.
fn cursor_declaration(
    decl: &[Token],
    rewrite: &mut Rewrite,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Result<String, NotConverted> {
    let mut c = Cursor::new(&decl[1..]);
    let name = c.ident().ok_or("a cursor without a name")?;
    let mut arguments = Vec::new();
    if let Some(group) = c.group() {
        for p in split_commas(group) {
            let mut pc = Cursor::new(p);
            let pname = pc.ident().ok_or("a cursor parameter without a name")?;
            pc.eat("IN");
            let ptype = type_of(&mut pc)
                .ok_or_else(|| format!("type of cursor parameter {} not understood", pname.text))?;
            if !pc.at_end() {
                return Err(format!("cursor parameter {} with a default", pname.text));
            }
            arguments.push(format!("{} {ptype}", quote_ident(&pg_name(pname))));
        }
    }
    if c.eat("RETURN") {
        c.until(|t| t.is("IS"));
    }
    if !c.eat("IS") {
        return Err(format!("cursor {} without IS", name.text));
    }
    let query = rewrite.query(c.rest());
    Ok(format!(
        "    {} CURSOR{} FOR {query};\n",
        quote_ident(&pg_name(name)),
        if arguments.is_empty() {
            String::new()
        } else {
            format!(" ({})", arguments.join(", "))
        }
    ))
}

/// Cursor attributes and loops: `c%NOTFOUND`/`%FOUND` (and `SQL%…`) → `NOT FOUND`/`FOUND`, which
/// PL/pgSQL sets after each FETCH and DML; `SQL%ROWCOUNT` → a variable set by GET DIAGNOSTICS after
/// each DML; `FOR r IN (query)` gets `r record` declared. Returns the statements and the extra
/// declarations.
fn cursor_statements(
    tokens: &[Token],
    locals: &[String],
) -> Result<(Vec<Token>, String), NotConverted> {
    let rowcount = tokens
        .windows(3)
        .any(|w| w[0].is("SQL") && w[1].is_symbol("%") && w[2].is("ROWCOUNT"));
    let mut declarations = String::new();
    // Explicit cursors whose %ISOPEN or %ROWCOUNT is read: PL/pgSQL has neither, so OPEN, FETCH and
    // CLOSE keep them in variables.
    let tracked: BTreeSet<String> = tokens
        .windows(3)
        .filter(|w| {
            w[0].kind == TokenKind::Word
                && !w[0].is("SQL")
                && w[1].is_symbol("%")
                && (w[2].is("ISOPEN") || w[2].is("ROWCOUNT"))
        })
        .map(|w| w[0].upper())
        .collect();
    let state = |cursor: &Token, what: &str| format!("godwit_{}_{what}", pg_name(cursor));
    // A cursor FOR loop over a tracked cursor opens it, counts each row as the loop body starts, and
    // closes it when the loop ends: statements to add after token positions.
    let mut added_after: BTreeMap<usize, String> = BTreeMap::new();
    for k in 0..tokens.len() {
        let w = &tokens[k..];
        if w.len() < 4
            || !(w[0].is("FOR") && w[2].is("IN") && tracked.contains(&w[3].upper()))
            || !(starts_statement(tokens, k) || k > 1 && tokens[k - 1].is_symbol(">"))
        {
            continue;
        }
        let (open, rows) = (state(&w[3], "open"), state(&w[3], "rows"));
        let mut body = k + 4;
        if tokens.get(body).is_some_and(|t| t.is_symbol("(")) {
            body = matching_paren(tokens, body).ok_or("unbalanced cursor arguments")? + 1;
        }
        if !tokens.get(body).is_some_and(|t| t.is("LOOP")) {
            return Err(format!("cursor FOR loop over {} not understood", w[3].text));
        }
        let end = loop_end(tokens, body)
            .ok_or_else(|| format!("cursor FOR loop over {} without END LOOP", w[3].text))?;
        added_after.insert(body, format!("{open} := true; {rows} := {rows} + 1;"));
        // Closed at the end, with no rows counted for the next loop.
        added_after.insert(end, format!("{open} := false; {rows} := 0;"));
    }
    for t in tokens.iter().filter(|t| tracked.contains(&t.upper())) {
        let open = state(t, "open");
        if !declarations.contains(&open) {
            declarations.push_str(&format!(
                "    {open} boolean := false;\n    {} integer := 0;\n",
                state(t, "rows")
            ));
        }
    }
    let mut after_statement: Option<String> = None;
    let mut declared: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    let mut in_dml = false;
    while k < tokens.len() {
        let t = &tokens[k];
        let start = is_statement_start(if k == 0 { None } else { Some(&tokens[k - 1]) });
        if start
            && (t.is("OPEN") || t.is("FETCH") || t.is("CLOSE"))
            && tokens
                .get(k + 1)
                .is_some_and(|c| tracked.contains(&c.upper()))
        {
            let c = &tokens[k + 1];
            let (open, rows) = (state(c, "open"), state(c, "rows"));
            after_statement = Some(if t.is("OPEN") {
                format!("{open} := true; {rows} := 0;")
            } else if t.is("CLOSE") {
                format!("{open} := false;")
            } else {
                format!("IF FOUND THEN {rows} := {rows} + 1; END IF;")
            });
        }
        if start
            && ["INSERT", "UPDATE", "DELETE", "MERGE", "SELECT", "EXECUTE"]
                .iter()
                .any(|w| t.is(w))
        {
            in_dml = true;
        }
        if t.is("FETCH")
            && start
            && tokens[k..]
                .iter()
                .take_while(|x| !x.is_symbol(";"))
                .any(|x| x.is("BULK"))
        {
            return Err("FETCH … BULK COLLECT".into());
        }
        if tokens.get(k + 1).is_some_and(|n| n.is_symbol("%")) && t.kind == TokenKind::Word {
            let attribute = tokens.get(k + 2).map(|a| a.upper()).unwrap_or_default();
            let replacement = match attribute.as_str() {
                "NOTFOUND" => Some("NOT FOUND".to_string()),
                "FOUND" => Some("FOUND".to_string()),
                "ROWCOUNT" if t.is("SQL") => Some("godwit_rowcount".to_string()),
                "ISOPEN" if t.is("SQL") => Some("false".to_string()),
                "ISOPEN" => Some(state(t, "open")),
                "ROWCOUNT" => Some(state(t, "rows")),
                _ => None,
            };
            if let Some(r) = replacement {
                out.extend(tokenize(&format!("({r})"), t.line));
                k += 3;
                continue;
            }
        }
        if t.is("FOR")
            && tokens.get(k + 2).is_some_and(|x| x.is("IN"))
            && tokens.get(k + 3).is_some_and(|x| x.is_symbol("("))
            && tokens
                .get(k + 4)
                .is_some_and(|x| x.is("SELECT") || x.is("WITH"))
        {
            let record = tokens[k + 1].upper();
            if !locals.contains(&record) && !declared.contains(&record) {
                declarations.push_str(&format!(
                    "    {} record;\n",
                    quote_ident(&pg_name(&tokens[k + 1]))
                ));
                declared.push(record);
            }
        }
        out.push(t.clone());
        if let Some(extra) = added_after.get(&k) {
            out.extend(tokenize(extra, t.line));
        }
        if t.is_symbol(";") {
            if let Some(extra) = after_statement.take() {
                out.extend(tokenize(&extra, t.line));
            }
        }
        if t.is_symbol(";") && in_dml {
            in_dml = false;
            if rowcount {
                out.extend(tokenize(
                    "GET DIAGNOSTICS godwit_rowcount = ROW_COUNT;",
                    t.line,
                ));
            }
        }
        k += 1;
    }
    if rowcount {
        declarations.push_str("    godwit_rowcount integer;\n");
    }
    Ok((out, declarations))
}

/// The arguments of the call `PKG . NAME [ ( … ) ]` at `i`, and the position after it.
pub(crate) fn call_arguments(
    tokens: &[Token],
    i: usize,
) -> Result<(Vec<&[Token]>, usize), NotConverted> {
    Ok(match tokens.get(i + 3) {
        Some(open) if open.is_symbol("(") => {
            let close = matching_paren(tokens, i + 3).ok_or("unbalanced call")?;
            (split_commas(&tokens[i + 4..close]), close + 1)
        }
        _ => (Vec::new(), i + 3),
    })
}

/// A UTL_FILE procedure call at `i` (a statement) over the `files` helpers: the replacement and the
/// position after the call. FOPEN and IS_OPEN are functions (see `Rewrite::call`).
fn utl_file_call(
    tokens: &[Token],
    i: usize,
    rewrite: &mut Rewrite,
) -> Result<(String, usize), NotConverted> {
    let procedure = tokens.get(i + 2).map(|m| m.upper()).unwrap_or_default();
    let (args, after) = call_arguments(tokens, i)?;
    let names: &[&str] = match procedure.as_str() {
        "PUT" => &["FILE", "BUFFER"],
        "PUT_LINE" | "PUT_RAW" => &["FILE", "BUFFER", "AUTOFLUSH"],
        "NEW_LINE" => &["FILE", "LINES"],
        "FGETATTR" => &[
            "LOCATION",
            "FILENAME",
            "FEXISTS",
            "FILE_LENGTH",
            "BLOCK_SIZE",
        ],
        _ => &["FILE"],
    };
    let args = positional(&args, names).ok_or_else(|| {
        format!(
            "utl_file.{} with arguments not understood",
            procedure.to_lowercase()
        )
    })?;
    let compat = crate::compat::SCHEMA;
    // A handle kept in a package variable reads back as a number.
    let handle = |f: &[Token]| format!("pg_catalog.int4({})", text(f));
    let flag = |a: Option<&&[Token]>| {
        a.filter(|a| !a.is_empty())
            .map_or("false".to_string(), |a| text(a))
    };
    let replacement = match (procedure.as_str(), args.as_slice()) {
        ("PUT", [f, buffer]) => {
            format!(
                "PERFORM {compat}.utl_file_put({}, CAST(({}) AS text))",
                handle(f),
                text(buffer)
            )
        }
        ("PUT_LINE", [f, buffer, rest @ ..]) => format!(
            "PERFORM {compat}.utl_file_put({}, CAST(({}) AS text), 1, {})",
            handle(f),
            text(buffer),
            flag(rest.first())
        ),
        ("NEW_LINE", [f, rest @ ..]) => format!(
            "PERFORM {compat}.utl_file_put({}, NULL, {})",
            handle(f),
            rest.first()
                .filter(|a| !a.is_empty())
                .map_or("1".to_string(), |a| as_integer(a))
        ),
        ("PUT_RAW", [f, buffer, rest @ ..]) => format!(
            "PERFORM {compat}.utl_file_put_raw({}, {}, {})",
            handle(f),
            text(buffer),
            flag(rest.first())
        ),
        ("FFLUSH", [f]) => format!("PERFORM {compat}.utl_file_fflush({})", handle(f)),
        ("FCLOSE", [f]) => format!("{} := {compat}.utl_file_fclose({})", text(f), handle(f)),
        ("FCLOSE_ALL", []) => format!("PERFORM {compat}.utl_file_fclose_all()"),
        // The file system's block size is not something PostgreSQL can read: only calls that never
        // read it afterwards are converted.
        ("FGETATTR", [location, name, exists, length, block_size]) => {
            let block = match block_size {
                [b] if b.kind == TokenKind::Word => b.upper(),
                _ => return Err("utl_file.fgetattr with arguments not understood".into()),
            };
            if tokens.iter().filter(|t| t.upper() == block).count() > 1 {
                return Err(format!(
                    "utl_file.fgetattr's block size ({}) is read, which PostgreSQL cannot give",
                    block.to_lowercase()
                ));
            }
            format!(
                "SELECT g.fexists, g.file_length INTO {}, {} FROM {compat}.utl_file_fgetattr({}, {}) g",
                text(exists),
                text(length),
                text(location),
                text(name)
            )
        }
        _ => {
            return Err(format!(
                "package call utl_file.{} is not converted yet",
                procedure.to_lowercase()
            ))
        }
    };
    rewrite.uses_files();
    Ok((replacement, after))
}

/// The `;` ending the END LOOP that closes the LOOP at `start`.
fn loop_end(tokens: &[Token], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for k in start..tokens.len() {
        let t = &tokens[k];
        if t.is("LOOP") && !(k > 0 && tokens[k - 1].is("END")) {
            depth += 1;
        } else if t.is("END") && tokens.get(k + 1).is_some_and(|n| n.is("LOOP")) {
            depth -= 1;
            if depth == 0 {
                return (k + 2..tokens.len()).find(|&e| tokens[e].is_symbol(";"));
            }
        }
    }
    None
}

/// Stands for PostgreSQL's own `||` in generated statement text.
const CONCAT: &str = "\u{1}";

/// Oracle exception names with a different PostgreSQL condition name.
const EXCEPTIONS: &[(&str, &str)] = &[
    ("DUP_VAL_ON_INDEX", "unique_violation"),
    ("ZERO_DIVIDE", "division_by_zero"),
    ("VALUE_ERROR", "data_exception"),
    ("INVALID_NUMBER", "invalid_text_representation"),
    ("INVALID_CURSOR", "invalid_cursor_state"),
    ("CURSOR_ALREADY_OPEN", "duplicate_cursor"),
    ("TIMEOUT_ON_RESOURCE", "lock_not_available"),
    ("ROWTYPE_MISMATCH", "datatype_mismatch"),
    ("SUBSCRIPT_BEYOND_COUNT", "array_subscript_error"),
    ("SUBSCRIPT_OUTSIDE_LIMIT", "array_subscript_error"),
];

/// A converted unit.
pub struct Unit {
    pub name: QualifiedName,
    pub kind: UnitKind,
    /// PostgreSQL argument list (for routines).
    pub arguments: String,
    pub returns: Option<String>,
    /// `CREATE OR REPLACE FUNCTION|PROCEDURE …` text.
    pub definition: String,
    /// For triggers: (table, CREATE TRIGGER text, enabled).
    pub trigger: Option<(QualifiedName, String, bool)>,
    /// Local subprograms, created beside the unit as `<unit>__<name>`.
    pub hoisted: Vec<Unit>,
    /// Record types declared in the unit, created beside it as composite types `<unit>__<type>`:
    /// (name, attributes as (name, PostgreSQL type)).
    pub types: Vec<(QualifiedName, Vec<(String, String)>)>,
}

impl Unit {
    /// The catalog routine this unit creates (a trigger's function for a trigger).
    pub fn routine(&self) -> godwit_catalog::Routine {
        godwit_catalog::Routine {
            name: self.name.name.clone(),
            kind: if self.kind == UnitKind::Procedure {
                godwit_catalog::RoutineKind::Procedure
            } else {
                godwit_catalog::RoutineKind::Function
            },
            identity_arguments: self.arguments.clone(),
            arguments: self.arguments.clone(),
            returns: self.returns.clone(),
            language: "plpgsql".into(),
            definition: self.definition.clone(),
            comment: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Procedure,
    Function,
    Trigger,
}

/// Why a unit was not converted.
pub type NotConverted = String;

/// Converts the body between IS/AS (or DECLARE) and the final END: `(declarations, statements)` as
/// PL/pgSQL text.
fn body(
    tokens: &[Token],
    parameters: &[String],
    rewrite: &mut Rewrite,
    scope: &RefCell<Scope>,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Result<(String, String), NotConverted> {
    let without_goto;
    let tokens = if tokens.iter().any(|t| t.is("GOTO")) {
        without_goto = goto_loop_tail(tokens);
        &without_goto[..]
    } else {
        tokens
    };
    for t in tokens.iter().filter(|t| t.kind == TokenKind::Word) {
        if let Some((_, what)) = UNSUPPORTED.iter().find(|(w, _)| t.is(w)) {
            return Err(format!("{what} are not converted yet"));
        }
    }
    if tokens.iter().any(|t| t.is_symbol("$")) {
        return Err("conditional compilation ($IF … $END) is not converted yet".into());
    }
    for (k, w) in tokens.windows(2).enumerate() {
        let of_sql = k > 0 && tokens[k - 1].is("SQL");
        if w[0].is_symbol("%") && !of_sql {
            let attr = format!("%{}", w[1].upper());
            if let Some((_, what)) = UNSUPPORTED.iter().find(|(u, _)| *u == attr) {
                return Err(format!("{what} are not converted yet"));
            }
        }
    }
    // PRAGMAs: AUTONOMOUS_TRANSACTION has no PostgreSQL equivalent: the routine runs in its caller's
    // transaction, so its COMMITs go (they would end the caller's); compiler hints have no effect.
    let mut kept: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut autonomous = false;
    let mut k = 0;
    while k < tokens.len() {
        if tokens[k].is("PRAGMA") {
            let end = (k..tokens.len())
                .find(|&e| tokens[e].is_symbol(";"))
                .unwrap_or(tokens.len() - 1);
            let what = tokens.get(k + 1).map(|t| t.upper()).unwrap_or_default();
            match what.as_str() {
                "AUTONOMOUS_TRANSACTION" => autonomous = true,
                "EXCEPTION_INIT" => {
                    // PRAGMA EXCEPTION_INIT(name, code): the exception is that Oracle error.
                    let args = tokens
                        .get(k + 2)
                        .filter(|t| t.is_symbol("("))
                        .and_then(|_| {
                            let close = matching_paren(tokens, k + 2)?;
                            let parts = split_commas(&tokens[k + 3..close]);
                            let name = parts.first()?.first()?.upper();
                            let code: i64 = parts
                                .get(1)?
                                .iter()
                                .map(|t| t.text.as_str())
                                .collect::<String>()
                                .parse()
                                .ok()?;
                            Some((name, code))
                        });
                    let (name, code) = args.ok_or("PRAGMA EXCEPTION_INIT not understood")?;
                    let state = sqlstate_of_oracle_code(code).unwrap_or_else(|| {
                        rewrite.notes.push((
                            "GW-PLSQL-EXCEPTION-CODE",
                            format!(
                                "PostgreSQL raises no error corresponding to ORA{code}: exception {name} is raised only by RAISE, and its handlers never catch a server error"
                            ),
                        ));
                        sqlstate_of_exception(&name)
                    });
                    scope.borrow_mut().exceptions.insert(name, state);
                }
                "SERIALLY_REUSABLE" | "RESTRICT_REFERENCES" | "UDF" | "INLINE" => {}
                other => return Err(format!("PRAGMA {other} is not converted yet")),
            }
            k = end + 1;
            continue;
        }
        kept.push(tokens[k].clone());
        k += 1;
    }
    if autonomous {
        let mut without_commit = Vec::with_capacity(kept.len());
        let mut k = 0;
        while k < kept.len() {
            let start = is_statement_start(if k == 0 { None } else { Some(&kept[k - 1]) });
            if start && kept[k].is("COMMIT") && kept.get(k + 1).is_some_and(|t| t.is_symbol(";")) {
                k += 2;
                continue;
            }
            without_commit.push(kept[k].clone());
            k += 1;
        }
        kept = without_commit;
        rewrite.notes.push((
            "GW-PLSQL-AUTONOMOUS",
            "PRAGMA AUTONOMOUS_TRANSACTION: PostgreSQL has no autonomous transactions; the routine now runs in its caller's transaction (its COMMITs were removed), so its changes roll back with the caller's".into(),
        ));
    }
    let tokens = &kept[..];
    // Declarations run to the BEGIN of the outermost block.
    let begin = tokens
        .iter()
        .position(|t| t.is("BEGIN"))
        .ok_or("no BEGIN")?;
    let end = tokens.iter().rposition(|t| t.is("END")).ok_or("no END")?;
    if end <= begin {
        return Err("no body between BEGIN and END".into());
    }
    // obj.method(…) on a local variable or parameter: object type methods (XMLType's extract, …).
    // Local collection types first: declarations and statements use them.
    for decl in tokens[..begin].split(|t| t.is_symbol(";")) {
        if decl.first().is_some_and(|t| t.is("TYPE"))
            && decl.get(2).is_some_and(|t| t.is("IS") || t.is("AS"))
        {
            if let Some((element, kind)) = crate::collection::element_type(&decl[3..]) {
                let mut c = Cursor::new(&element);
                let pg = scoped_type(scope, &mut c, type_of)
                    .filter(|_| c.at_end())
                    .ok_or_else(|| {
                        format!("element type of collection {} not understood", decl[1].text)
                    })?;
                scope.borrow_mut().add_type(decl[1].upper(), pg, kind, None);
            }
        }
    }
    let typed = |c: &mut Cursor| scoped_type(scope, c, type_of);
    for decl in tokens[..begin].split(|t| t.is_symbol(";")) {
        if let (Some(name), Some(type_name)) = (decl.first(), decl.get(1)) {
            let qualified = match (decl.get(2), decl.get(3)) {
                (Some(dot), Some(t)) if dot.is_symbol(".") => {
                    format!("{}.{}", type_name.upper(), t.upper())
                }
                _ => type_name.upper(),
            };
            scope.borrow_mut().add_variable(name.upper(), &qualified);
            if scope.borrow().object_methods.contains_key(&qualified) {
                scope.borrow_mut().objects.insert(name.upper(), qualified);
            }
            let constant = decl.get(1).is_some_and(|t| t.is("CONSTANT"));
            note_typed_variable(rewrite, name, &decl[if constant { 2 } else { 1 }..]);
        }
    }
    let locals: Vec<String> = tokens[..begin]
        .split(|t| t.is_symbol(";"))
        .filter_map(|d| d.first())
        .map(|t| t.upper())
        .chain(parameters.iter().cloned())
        .collect();
    // The statements: method calls on variables of object types with methods, then fields of
    // record fields read as (v.a).b, which PostgreSQL would take for schema.table.column.
    let rewritten_body = {
        let scope = scope.borrow();
        let called;
        let calls_done = if scope.objects.is_empty() {
            &tokens[begin..]
        } else {
            called = crate::object_type::rewrite_calls(
                &tokens[begin..],
                &scope.objects,
                &scope.object_methods,
            );
            &called[..]
        };
        nested_field_reads(calls_done, &locals)
    };
    let with_body: Vec<Token> = tokens[..begin]
        .iter()
        .cloned()
        .chain(rewritten_body)
        .collect();
    let tokens = &with_body[..];
    let end = tokens.iter().rposition(|t| t.is("END")).ok_or("no END")?;
    for w in tokens[begin..].windows(4) {
        if matches!(w[0].kind, TokenKind::Word)
            && w[1].is_symbol(".")
            && w[2].kind == TokenKind::Word
            && w[3].is_symbol("(")
            && locals.contains(&w[0].upper())
            && !scope.borrow().arrays.contains(&w[0].upper())
            && !scope.borrow().maps.contains_key(&w[0].upper())
            && !rewrite.xml_variables.contains(&w[0].text.to_lowercase())
        {
            return Err(format!(
                "object method calls ({}.{}) are not converted yet",
                w[0].text, w[2].text
            ));
        }
    }
    let mut declarations = String::new();
    for decl in tokens[..begin]
        .split(|t| t.is_symbol(";"))
        .filter(|d| !d.is_empty())
    {
        if decl[0].is("TYPE")
            && scope
                .borrow()
                .types
                .contains_key(&decl.get(1).map(|t| t.upper()).unwrap_or_default())
        {
            continue;
        }
        if decl[0].is("TYPE") || decl[0].is("SUBTYPE") {
            return Err("local types other than collections are not converted yet".into());
        }
        if decl[0].is("CURSOR") {
            let decl = scope.borrow().rewrite_collections(decl)?;
            declarations.push_str(&cursor_declaration(&decl, rewrite, &typed)?);
            continue;
        }
        let mut c = Cursor::new(decl);
        let name = c.ident().ok_or("a declaration without a name")?;
        let constant = c.eat("CONSTANT");
        if c.is("EXCEPTION") {
            // A user-defined exception: a SQLSTATE of its own unless EXCEPTION_INIT gave one.
            let key = name.upper();
            let mut scope = scope.borrow_mut();
            if !scope.exceptions.contains_key(&key) {
                scope
                    .exceptions
                    .insert(key.clone(), sqlstate_of_exception(&key));
            }
            continue;
        }
        let indexed = c
            .peek()
            .and_then(|t| {
                scope
                    .borrow()
                    .types
                    .get(&t.upper())
                    .map(|(_, kind)| kind.starts_empty())
            })
            .unwrap_or(false);
        let data_type = match typed(&mut c) {
            Some(t) => t,
            None => return Err(format!("declaration of {} not understood", name.text)),
        };
        let not_null = c.eat_all(&["NOT", "NULL"]);
        let init = if c.eat_symbol(":=") || c.eat("DEFAULT") {
            let value = scope.borrow().rewrite_collections(c.rest())?;
            Some(rewrite.sql(&value))
        } else if indexed {
            // An INDEX BY table starts empty.
            Some("'{}'".to_string())
        } else {
            None
        };
        if !c.at_end() {
            return Err(format!("declaration of {} not understood", name.text));
        }
        declarations.push_str(&format!(
            "    {}{} {}{}{};\n",
            quote_ident(&pg_name(name)),
            if constant { " CONSTANT" } else { "" },
            data_type,
            if not_null { " NOT NULL" } else { "" },
            init.map(|i| format!(" := {i}")).unwrap_or_default()
        ));
    }
    // Oracle-supplied packages' tables are in every unit's scope: only the input's count.
    let supplied = crate::collection::oracle_supplied();
    if scope
        .borrow()
        .types
        .iter()
        .any(|(name, (_, kind))| *kind == Kind::ByInteger && !supplied.contains_key(name))
    {
        rewrite.notes.push((
            "GW-PLSQL-COLLECTION",
            "INDEX BY tables became arrays: one filled with gaps (l(1), l(100)) counts the gaps in COUNT and NEXT, where Oracle skips them".into(),
        ));
    }
    let inner = nested_declarations(&tokens[begin + 1..end], scope, rewrite, &typed)?;
    let (with_backtrace, backtrace) = error_backtrace(&inner);
    if backtrace {
        declarations.push_str("    godwit_backtrace text;\n");
        rewrite.notes.push((
            "GW-PLSQL-BACKTRACE",
            "DBMS_UTILITY.FORMAT_ERROR_BACKTRACE reads PostgreSQL's error context (\"PL/pgSQL function … line n\"), not Oracle's ORA-06512 lines".into(),
        ));
    }
    let collections_done = scope.borrow().rewrite_collections(&with_backtrace)?;
    let exceptions_done =
        exception_statements(&collections_done, &scope.borrow().exceptions, rewrite);
    let (cursors_done, extra) = cursor_statements(&exceptions_done, &locals)?;
    declarations.push_str(&extra);
    let statements = statements(&cursors_done, rewrite)?;
    Ok((declarations, statements))
}

/// `v.a.b[.c…]` read (not assigned, not a call) where `v` is a local variable or parameter:
/// `((v.a).b).c`, the form PostgreSQL reads as fields of a composite value.
fn nested_field_reads(tokens: &[Token], locals: &[String]) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
        let is_local = t.kind == TokenKind::Word && !after_dot && locals.contains(&t.upper());
        // The field path after v: pairs of `.` and a word.
        let mut end = k + 1;
        while is_local
            && tokens.get(end).is_some_and(|d| d.is_symbol("."))
            && tokens
                .get(end + 1)
                .is_some_and(|w| w.kind == TokenKind::Word)
        {
            end += 2;
        }
        let fields = (end - k - 1) / 2;
        let called_or_assigned = tokens
            .get(end)
            .is_some_and(|n| n.is_symbol("(") || n.is_symbol(":="));
        if fields < 2 || called_or_assigned {
            out.push(t.clone());
            k += 1;
            continue;
        }
        let line = t.line;
        for _ in 0..fields - 1 {
            out.extend(tokenize("(", line));
        }
        out.push(t.clone());
        for f in 0..fields {
            out.push(tokens[k + 1 + 2 * f].clone());
            out.push(tokens[k + 2 + 2 * f].clone());
            if f + 1 < fields {
                out.extend(tokenize(")", line));
            }
        }
        k = end;
    }
    out
}

/// An Oracle amount or offset (a NUMBER) as the integer PostgreSQL's substr and overlay take:
/// truncated, as Oracle does. An integer literal stays as it is.
fn as_integer(tokens: &[Token]) -> String {
    match tokens {
        [n] if n.kind == TokenKind::Number && !n.text.contains('.') => n.text.clone(),
        // int4: the statement rules turn Oracle's INTEGER into numeric(38,0).
        _ => format!("CAST(trunc({}) AS int4)", text(tokens)),
    }
}

/// GOTO to a label on the last statements of the loop it is in (the way PL/SQL before 11g wrote
/// CONTINUE): each `GOTO l;` becomes those statements and CONTINUE, and the label goes. Other GOTOs
/// are left (and refused).
fn goto_loop_tail(tokens: &[Token]) -> Vec<Token> {
    let label_at = |k: usize| {
        tokens[k].is_symbol("<")
            && tokens.get(k + 1).is_some_and(|t| t.is_symbol("<"))
            && tokens.get(k + 2).is_some_and(|t| t.kind == TokenKind::Word)
            && tokens.get(k + 3).is_some_and(|t| t.is_symbol(">"))
            && tokens.get(k + 4).is_some_and(|t| t.is_symbol(">"))
    };
    // Loop depth before each token (LOOP … END LOOP).
    let mut depth = vec![0usize; tokens.len() + 1];
    for k in 0..tokens.len() {
        let d = depth[k];
        depth[k + 1] = if tokens[k].is("LOOP") && !(k > 0 && tokens[k - 1].is("END")) {
            d + 1
        } else if tokens[k].is("END") && tokens.get(k + 1).is_some_and(|t| t.is("LOOP")) {
            d.saturating_sub(1)
        } else {
            d
        };
    }
    for at in (0..tokens.len()).filter(|&k| label_at(k)) {
        let label = tokens[at + 2].upper();
        let tail_start = at + 5;
        if tokens
            .get(tail_start)
            .is_some_and(|t| t.is("LOOP") || t.is("WHILE") || t.is("FOR"))
        {
            continue;
        }
        let level = depth[at];
        // The tail: plain statements up to the END LOOP closing this loop.
        let Some(end_loop) = (tail_start..tokens.len()).find(|&j| {
            tokens[j].is("END")
                && tokens.get(j + 1).is_some_and(|t| t.is("LOOP"))
                && depth[j] == level
        }) else {
            continue;
        };
        let tail = &tokens[tail_start..end_loop];
        let plain = level > 0
            && !tail.iter().any(|t| {
                [
                    "IF", "LOOP", "BEGIN", "CASE", "GOTO", "EXIT", "RETURN", "CONTINUE",
                ]
                .iter()
                .any(|w| t.is(w))
                    || t.is_symbol("<")
            });
        // The loop's own start: where the depth last went up to this level.
        let loop_start = (0..at).rev().find(|&j| depth[j] < level).unwrap_or(0);
        let gotos: Vec<usize> = (loop_start..at)
            .filter(|&j| {
                tokens[j].is("GOTO")
                    && tokens.get(j + 1).is_some_and(|t| t.upper() == label)
                    && tokens.get(j + 2).is_some_and(|t| t.is_symbol(";"))
            })
            .collect();
        if !plain || gotos.is_empty() || gotos.iter().any(|&j| depth[j] != level) {
            continue;
        }
        // Rebuild: each GOTO becomes the tail and CONTINUE; the label goes.
        let mut rebuilt = Vec::with_capacity(tokens.len() + gotos.len() * (tail.len() + 2));
        let mut k = 0;
        while k < tokens.len() {
            if gotos.contains(&k) {
                rebuilt.extend(tail.iter().cloned());
                rebuilt.extend(tokenize("CONTINUE;", tokens[k].line));
                k += 3;
            } else if k == at {
                k += 5;
            } else {
                rebuilt.push(tokens[k].clone());
                k += 1;
            }
        }
        // One label per pass keeps the positions above right; the next pass has one label fewer.
        return goto_loop_tail(&rebuilt);
    }
    tokens.to_vec()
}

/// Blocks nested in the body (`DECLARE … BEGIN … END;`) stay nested blocks, as PL/pgSQL has them
/// too: their variables get PostgreSQL types here, and their default values are rewritten with the
/// statements. Types, cursors, exceptions and subprograms declared there are not converted yet.
fn nested_declarations(
    tokens: &[Token],
    scope: &RefCell<Scope>,
    rewrite: &mut Rewrite,
    typed: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Result<Vec<Token>, NotConverted> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let start = is_statement_start(if k == 0 { None } else { Some(&tokens[k - 1]) });
        if !(start && t.is("DECLARE")) {
            out.push(t.clone());
            k += 1;
            continue;
        }
        let begin = (k + 1..tokens.len())
            .find(|&j| tokens[j].is("BEGIN"))
            .ok_or("a nested DECLARE without BEGIN")?;
        out.push(t.clone());
        for decl in tokens[k + 1..begin]
            .split(|t| t.is_symbol(";"))
            .filter(|d| !d.is_empty())
        {
            let mut c = Cursor::new(decl);
            let name = c.ident().ok_or("a declaration without a name")?;
            if [
                "TYPE",
                "SUBTYPE",
                "CURSOR",
                "PROCEDURE",
                "FUNCTION",
                "PRAGMA",
            ]
            .iter()
            .any(|w| name.is(w))
                || c.is("EXCEPTION")
            {
                return Err(format!(
                    "{} declared in a nested block is not converted yet",
                    decl.iter()
                        .take(2)
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            let constant = c.eat("CONSTANT");
            let type_start = c.pos;
            let data_type = typed(&mut c)
                .ok_or_else(|| format!("declaration of {} not understood", name.text))?;
            let mut type_name = decl[type_start].upper();
            if decl.get(type_start + 1).is_some_and(|d| d.is_symbol(".")) {
                if let Some(t) = decl.get(type_start + 2) {
                    type_name = format!("{type_name}.{}", t.upper());
                }
            }
            scope.borrow_mut().add_variable(name.upper(), &type_name);
            note_typed_variable(rewrite, name, &decl[type_start..]);
            out.push(name.clone());
            if constant {
                out.extend(tokenize("CONSTANT", name.line));
            }
            out.extend(tokenize(&data_type, name.line));
            let rest = c.rest();
            out.extend(rest.iter().cloned());
            // An INDEX BY table starts empty, as at the top level.
            let starts_empty = scope
                .borrow()
                .types
                .get(&type_name)
                .is_some_and(|(_, kind)| kind.starts_empty());
            if starts_empty && !rest.iter().any(|t| t.is_symbol(":=") || t.is("DEFAULT")) {
                out.extend(tokenize(":= '{}'", name.line));
            }
            out.extend(tokenize(";", name.line));
        }
        k = begin;
    }
    Ok(out)
}

/// `DBMS_UTILITY.FORMAT_ERROR_BACKTRACE` inside exception handlers: each handler that reads it starts
/// with `GET STACKED DIAGNOSTICS godwit_backtrace = PG_EXCEPTION_CONTEXT;`, and the call reads that
/// variable. Outside a handler it is left for the rules to report. Returns the tokens and whether the
/// variable is used.
fn error_backtrace(tokens: &[Token]) -> (Vec<Token>, bool) {
    let is_call = |k: usize| {
        tokens[k].is("DBMS_UTILITY")
            && tokens.get(k + 1).is_some_and(|d| d.is_symbol("."))
            && tokens
                .get(k + 2)
                .is_some_and(|m| m.is("FORMAT_ERROR_BACKTRACE"))
    };
    if !(0..tokens.len()).any(is_call) {
        return (tokens.to_vec(), false);
    }
    /// A block being read (whether its EXCEPTION section has begun, and where the current handler's
    /// statements start in the output and whether GET STACKED DIAGNOSTICS is already there), or a
    /// CASE, whose END is not a block's.
    struct Frame {
        case: bool,
        handlers: bool,
        handler: Option<(usize, bool)>,
    }
    let frame = |case: bool| Frame {
        case,
        handlers: false,
        handler: None,
    };
    let mut frames = vec![frame(false)];
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len() + 8);
    let mut used = false;
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let start = starts_statement(tokens, k);
        let after_end = k > 0 && tokens[k - 1].is("END");
        if t.is("BEGIN") || (t.is("CASE") && !after_end) {
            frames.push(frame(t.is("CASE")));
        } else if t.is("END")
            && !tokens
                .get(k + 1)
                .is_some_and(|n| n.is("IF") || n.is("LOOP"))
            && frames.len() > 1
        {
            frames.pop();
        } else if t.is("EXCEPTION") && start {
            if let Some(f) = frames.last_mut().filter(|f| !f.case) {
                f.handlers = true;
            }
        }
        if is_call(k) {
            if let Some((at, inserted)) = frames.last_mut().and_then(|f| f.handler.as_mut()) {
                if !*inserted {
                    let get = tokenize(
                        "GET STACKED DIAGNOSTICS godwit_backtrace = PG_EXCEPTION_CONTEXT;",
                        t.line,
                    );
                    out.splice(*at..*at, get);
                    *inserted = true;
                }
                out.push(Token {
                    kind: TokenKind::Word,
                    text: "godwit_backtrace".into(),
                    line: t.line,
                    unterminated: false,
                });
                used = true;
                k += 3;
                // An empty argument list.
                if tokens.get(k).is_some_and(|p| p.is_symbol("("))
                    && tokens.get(k + 1).is_some_and(|p| p.is_symbol(")"))
                {
                    k += 2;
                }
                continue;
            }
        }
        out.push(t.clone());
        // WHEN … THEN in an exception section starts a handler.
        if t.is("THEN") && frames.last().is_some_and(|f| f.handlers && !f.case) {
            let when = out
                .iter()
                .rposition(|x| x.is("WHEN") || x.is_symbol(";") || x.is("EXCEPTION"));
            let handler_when = when.is_some_and(|w| {
                out[w].is("WHEN")
                    && w > 0
                    && (out[w - 1].is_symbol(";") || out[w - 1].is("EXCEPTION"))
            });
            if handler_when {
                let at = out.len();
                if let Some(f) = frames.last_mut() {
                    f.handler = Some((at, false));
                }
            }
        }
        k += 1;
    }
    (out, used)
}

/// Remembers a variable or parameter of DATE/TIMESTAMP or XMLType type (`declared` starts at its
/// type), for the date arithmetic and XMLType method rules.
fn note_typed_variable(rewrite: &mut Rewrite, name: &Token, declared: &[Token]) {
    let is = |k: usize, w: &str| declared.get(k).is_some_and(|t| t.is(w));
    if is(0, "DATE") || is(0, "TIMESTAMP") {
        rewrite.date_variables.insert(pg_name(name));
    }
    if is(0, "XMLTYPE") || (is(0, "SYS") && is(2, "XMLTYPE")) {
        rewrite.xml_variables.insert(pg_name(name));
    }
    if is(0, "BFILE") {
        rewrite.bfile_variables.insert(pg_name(name));
    }
}

/// Whether the token at `k` starts a PL/SQL statement.
pub(crate) fn starts_statement(tokens: &[Token], k: usize) -> bool {
    is_statement_start(k.checked_sub(1).map(|p| &tokens[p]))
}

fn is_statement_start(prev: Option<&Token>) -> bool {
    match prev {
        None => true,
        Some(p) => {
            p.is_symbol(";")
                || p.is("BEGIN")
                || p.is("THEN")
                || p.is("ELSE")
                || p.is("LOOP")
                || p.is("EXCEPTION")
        }
    }
}

/// A LOB argument as an assignment target: a record element's field read as `(v[i]).f` is assigned
/// as `v[i].f`.
fn assignable(lob: &[Token]) -> String {
    match lob {
        [open, inner @ .., close, dot, field]
            if open.is_symbol("(")
                && close.is_symbol(")")
                && dot.is_symbol(".")
                && crate::cursor::matching_paren(lob, 0) == Some(lob.len() - 3) =>
        {
            format!("{} . {}", crate::cursor::text(inner), field.text)
        }
        _ => crate::cursor::text(lob),
    }
}

/// Rewrites the statements of a block.
fn statements(tokens: &[Token], rewrite: &mut Rewrite) -> Result<String, NotConverted> {
    // :NEW / :OLD → NEW / OLD; other bind variables have no meaning in a stored unit.
    let mut mapped = Vec::with_capacity(tokens.len());
    let labels: BTreeSet<String> = tokens
        .windows(5)
        .filter(|w| w[0].is_symbol("<") && w[1].is_symbol("<") && w[3].is_symbol(">"))
        .map(|w| w[2].upper())
        .collect();
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        k += 1;
        // A label after END [LOOP], EXIT or CONTINUE: a name, not a call.
        if t.kind == TokenKind::Word
            && labels.contains(&t.upper())
            && k > 1
            && ["END", "LOOP", "EXIT", "CONTINUE"]
                .iter()
                .any(|w| tokens[k - 2].is(w))
        {
            mapped.push(Token {
                kind: TokenKind::Symbol,
                text: quote_ident(&pg_name(t)),
                line: t.line,
                unterminated: false,
            });
            continue;
        }
        // A label `<< name >>` (four symbols and a word here) as one token PL/pgSQL reads.
        if let [a, b, name, c, d, ..] = &tokens[k - 1..] {
            if a.is_symbol("<")
                && b.is_symbol("<")
                && name.kind == TokenKind::Word
                && c.is_symbol(">")
                && d.is_symbol(">")
            {
                mapped.push(Token {
                    kind: TokenKind::Symbol,
                    text: format!("<<{}>>", quote_ident(&pg_name(name))),
                    line: t.line,
                    unterminated: false,
                });
                k += 4;
                continue;
            }
        }
        if t.kind == TokenKind::Bind {
            let name = t.text.trim_start_matches(':').to_ascii_uppercase();
            if name != "NEW" && name != "OLD" {
                return Err(format!("bind variable {} is not converted", t.text));
            }
            mapped.push(Token {
                kind: TokenKind::Word,
                text: name,
                line: t.line,
                unterminated: false,
            });
        } else {
            mapped.push(t.clone());
        }
    }
    // MERGE: PostgreSQL's form (unqualified SET and INSERT columns, WHEN … AND condition).
    let mut merged = Vec::with_capacity(mapped.len());
    let mut k = 0;
    while k < mapped.len() {
        let start = is_statement_start(if k == 0 { None } else { Some(&mapped[k - 1]) });
        if start && mapped[k].is("MERGE") {
            let end = crate::package::statement_end(&mapped, k);
            let rewritten = crate::merge::rewrite(&mapped[k..end])
                .ok_or("MERGE … DELETE WHERE, which PostgreSQL's MERGE cannot express")?;
            merged.extend(rewritten);
            k = end;
            continue;
        }
        merged.push(mapped[k].clone());
        k += 1;
    }
    let tokens = &merged[..];
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let word = |t: &str, line: u32| Token {
        kind: TokenKind::Word,
        text: t.into(),
        line,
        unterminated: false,
    };
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let start = is_statement_start(if i == 0 { None } else { Some(&tokens[i - 1]) });
        if t.kind == TokenKind::Bind {
            // :NEW / :OLD
            let name = t.text.trim_start_matches(':').to_ascii_uppercase();
            if name != "NEW" && name != "OLD" {
                return Err(format!("bind variable {} is not converted", t.text));
            }
            out.push(word(&name, t.line));
            i += 1;
            continue;
        }
        if start
            && t.is("RAISE_APPLICATION_ERROR")
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("("))
        {
            let close =
                matching_paren(tokens, i + 1).ok_or("unbalanced RAISE_APPLICATION_ERROR")?;
            let args = split_commas(&tokens[i + 2..close]);
            let code_tokens = args
                .first()
                .filter(|a| !a.is_empty())
                .ok_or("RAISE_APPLICATION_ERROR without an error number")?;
            let code: Option<i64> = code_tokens
                .iter()
                .map(|t| t.text.as_str())
                .collect::<String>()
                .parse()
                .ok();
            let message = args
                .get(1)
                .ok_or("RAISE_APPLICATION_ERROR without a message")?;
            // Oracle's user errors -20000 … -20999 become SQLSTATE U0000 … U0999; a computed
            // number is mapped the same way when the error is raised.
            match code {
                Some(code) => {
                    let state = format!("U{:04}", (-code - 20000).clamp(0, 999));
                    out.extend(tokenize(
                        &format!("RAISE EXCEPTION USING ERRCODE = '{state}', MESSAGE ="),
                        t.line,
                    ));
                }
                None => {
                    out.extend(tokenize(
                        "RAISE EXCEPTION USING ERRCODE = 'U' || lpad(CAST(least(greatest(-(",
                        t.line,
                    ));
                    out.extend(code_tokens.iter().cloned());
                    out.extend(tokenize(
                        ") - 20000, 0), 999) AS varchar), 4, '0'), MESSAGE =",
                        t.line,
                    ));
                }
            }
            out.extend(message.iter().cloned());
            i = close + 1;
            continue;
        }
        if start
            && t.is("DBMS_OUTPUT")
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
            && tokens
                .get(i + 2)
                .is_some_and(|n| n.is("PUT_LINE") || n.is("PUT"))
        {
            // PUT and PUT_LINE alike: a notice is a line.
            let close = matching_paren(tokens, i + 3).ok_or("unbalanced DBMS_OUTPUT call")?;
            out.extend(tokenize("RAISE NOTICE '%',", t.line));
            out.extend(tokens[i + 4..close].iter().cloned());
            i = close + 1;
            continue;
        }
        if start
            && t.is("DBMS_SQL")
            && !rewrite.packages.contains(&pg_name(t))
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
        {
            let (replacement, after) = crate::dbms_sql::procedure_call(tokens, i, rewrite)?;
            out.extend(tokenize(&replacement, t.line));
            i = after;
            continue;
        }
        if start
            && t.is("UTL_FILE")
            && !rewrite.packages.contains(&pg_name(t))
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
        {
            let (replacement, after) = utl_file_call(tokens, i, rewrite)?;
            out.extend(tokenize(&replacement, t.line));
            i = after;
            continue;
        }
        if start
            && (t.is("HTP") || t.is("OWA_UTIL") || t.is("OWA"))
            && !rewrite.packages.contains(&pg_name(t))
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
        {
            // The PL/SQL web toolkit's page buffer: HTP writes to it, OWA_UTIL its headers. It is
            // kept per session; godwit_compat.htp_page() reads it (no gateway serves it).
            let call = format!(
                "{}.{}",
                t.upper(),
                tokens.get(i + 2).map(|m| m.upper()).unwrap_or_default()
            );
            let (args, after) = call_arguments(tokens, i)?;
            let piece = |arg: &[Token]| format!("CAST(({}) AS text)", text(arg));
            let replacement = match (call.as_str(), args.as_slice()) {
                ("HTP.P" | "HTP.PRINT", [arg]) => format!(
                    "PERFORM {}.htp_write({}, true)",
                    crate::compat::SCHEMA,
                    piece(arg)
                ),
                ("HTP.P" | "HTP.PRINT", []) => {
                    format!("PERFORM {}.htp_write('', true)", crate::compat::SCHEMA)
                }
                ("HTP.PRN", [arg]) => format!(
                    "PERFORM {}.htp_write({}, false)",
                    crate::compat::SCHEMA,
                    piece(arg)
                ),
                ("HTP.INIT", []) => format!("PERFORM {}.htp_init()", crate::compat::SCHEMA),
                ("OWA.INIT_CGI_ENV", [num, names, values]) => {
                    rewrite.uses_owa_cgi();
                    format!(
                        "PERFORM {}.owa_init_cgi_env(pg_catalog.int4({}), {}, {})",
                        crate::compat::SCHEMA,
                        text(num),
                        text(names),
                        text(values)
                    )
                }
                ("OWA_UTIL.HTTP_HEADER_CLOSE", []) => {
                    format!("PERFORM {}.htp_write('', true)", crate::compat::SCHEMA)
                }
                ("OWA_UTIL.MIME_HEADER", rest) if rest.len() <= 3 => {
                    let args = positional(rest, &["CCONTENT_TYPE", "BCLOSE_HEADER", "CCHARSET"])
                        .ok_or("owa_util.mime_header with arguments not understood")?;
                    let arg = |k: usize, default: &str| {
                        args.get(k)
                            .filter(|a| !a.is_empty())
                            .map_or(default.to_string(), |a| text(a))
                    };
                    format!(
                        "PERFORM {}.htp_mime_header({}, {}, {})",
                        crate::compat::SCHEMA,
                        arg(0, "'text/html'"),
                        arg(1, "true"),
                        arg(2, "NULL")
                    )
                }
                _ => {
                    return Err(format!(
                        "package call {} is not converted yet",
                        call.to_lowercase()
                    ));
                }
            };
            if !call.starts_with("OWA.") {
                rewrite.helpers.insert("htp");
                rewrite.notes.push((
                    "GW-PLSQL-HTP",
                    "HTP and OWA_UTIL write to a page buffer kept per session, which godwit_compat.htp_page() reads; no PL/SQL gateway serves it".into(),
                ));
            }
            out.extend(tokenize(&replacement, t.line));
            i = after;
            continue;
        }
        if start
            && t.is("DBMS_LOB")
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
            && tokens.get(i + 3).is_some_and(|n| n.is_symbol("("))
        {
            let procedure = tokens[i + 2].upper();
            let close = matching_paren(tokens, i + 3).ok_or("unbalanced DBMS_LOB call")?;
            let args = split_commas(&tokens[i + 4..close]);
            // Oracle's parameter names, for calls in named notation.
            let names: &[&str] = match procedure.as_str() {
                "CONVERTTOBLOB" => &[
                    "DEST_LOB",
                    "SRC_CLOB",
                    "AMOUNT",
                    "DEST_OFFSET",
                    "SRC_OFFSET",
                    "BLOB_CSID",
                    "LANG_CONTEXT",
                    "WARNING",
                ],
                "CONVERTTOCLOB" => &[
                    "DEST_LOB",
                    "SRC_BLOB",
                    "AMOUNT",
                    "DEST_OFFSET",
                    "SRC_OFFSET",
                    "BLOB_CSID",
                    "LANG_CONTEXT",
                    "WARNING",
                ],
                "COPY" => &["DEST_LOB", "SRC_LOB", "AMOUNT", "DEST_OFFSET", "SRC_OFFSET"],
                "APPEND" => &["DEST_LOB", "SRC_LOB"],
                "WRITEAPPEND" => &["LOB_LOC", "AMOUNT", "BUFFER"],
                "CREATETEMPORARY" => &["LOB_LOC", "CACHE", "DUR"],
                "FREETEMPORARY" => &["LOB_LOC"],
                "TRIM" => &["LOB_LOC", "NEWLEN"],
                "FILEOPEN" | "OPEN" => &["FILE_LOC", "OPEN_MODE"],
                "FILECLOSE" | "CLOSE" => &["FILE_LOC"],
                "LOADFROMFILE" => &["DEST_LOB", "SRC_LOB", "AMOUNT", "DEST_OFFSET", "SRC_OFFSET"],
                "READ" => &["LOB_LOC", "AMOUNT", "OFFSET", "BUFFER"],
                _ => &[],
            };
            let args = if args
                .iter()
                .any(|a| a.get(1).is_some_and(|t| t.is_symbol("=>")))
            {
                positional(&args, names).ok_or_else(|| {
                    format!(
                        "dbms_lob.{} with arguments not understood",
                        procedure.to_lowercase()
                    )
                })?
            } else {
                args
            };
            // A LOB is text or bytea in PostgreSQL: both have '', ||, substr and length.
            let replacement = match (procedure.as_str(), args.as_slice()) {
                ("CREATETEMPORARY", [lob, ..]) => format!("{} := ''", assignable(lob)),
                ("FREETEMPORARY", [lob]) => format!("{} := NULL", assignable(lob)),
                // BFILEs: opened and closed per session; LOADFROMFILE reads the file into a LOB.
                ("FILEOPEN", [f, ..]) | ("OPEN", [f, ..])
                    if procedure == "FILEOPEN" || rewrite.is_bfile(f) =>
                {
                    rewrite.uses_files();
                    format!("PERFORM {}.bfile_open({})", crate::compat::SCHEMA, text(f))
                }
                ("FILECLOSE", [f]) | ("CLOSE", [f])
                    if procedure == "FILECLOSE" || rewrite.is_bfile(f) =>
                {
                    rewrite.uses_files();
                    format!("PERFORM {}.bfile_close({})", crate::compat::SCHEMA, text(f))
                }
                ("FILECLOSEALL", []) => {
                    rewrite.uses_files();
                    format!("PERFORM {}.bfile_close_all()", crate::compat::SCHEMA)
                }
                ("LOADFROMFILE", [dest, src, amount, offsets @ ..]) if offsets.len() <= 2 => {
                    rewrite.uses_files();
                    let mut list = vec![text(dest), text(src), text(amount)];
                    list.extend(offsets.iter().map(|o| text(o)));
                    format!(
                        "{} := {}.bfile_load({})",
                        assignable(dest),
                        crate::compat::SCHEMA,
                        list.join(", ")
                    )
                }
                ("OPEN" | "CLOSE", _) => "NULL".to_string(),
                ("APPEND", [dest, src]) => format!(
                    "{d} := coalesce({d}, '') {CONCAT} {s}",
                    d = text(dest),
                    s = text(src)
                ),
                ("WRITEAPPEND", [lob, amount, buffer]) => format!(
                    "{l} := coalesce({l}, '') {CONCAT} pg_catalog.substr({b}, 1, {a})",
                    l = text(lob),
                    a = as_integer(amount),
                    b = text(buffer)
                ),
                // COPY(dest, src, amount[, dest_offset[, src_offset]]): overwrites dest from
                // dest_offset with amount characters (or bytes) of src from src_offset.
                ("COPY", [dest, src, amount, offsets @ ..]) if offsets.len() <= 2 => {
                    let at = |k: usize| offsets.get(k).map_or("1".to_string(), |o| as_integer(o));
                    format!(
                        "{d} := overlay(coalesce({d}, '') placing pg_catalog.substr({s}, {so}, {a}) from {dof})",
                        d = text(dest),
                        s = text(src),
                        a = as_integer(amount),
                        dof = at(0),
                        so = at(1)
                    )
                }
                // CONVERTTOBLOB / CONVERTTOCLOB(dest, src, amount, dest_offset, src_offset, csid,
                // lang_context, warning): text to bytes in the database's encoding and back; the
                // offsets move past what was read and written, as in Oracle.
                (
                    "CONVERTTOBLOB" | "CONVERTTOCLOB",
                    [dest, src, amount, dest_offset, src_offset, csid, _, warning],
                ) => {
                    let default_csid = matches!(csid, [z] if z.text == "0")
                        || matches!(csid, [p, d, c] if p.is("DBMS_LOB") && d.is_symbol(".") && c.is("DEFAULT_CSID"));
                    // NLS_CHARSET_ID('name') of a character set PostgreSQL has.
                    let named = match csid {
                        [f, open, name, close]
                            if f.is("NLS_CHARSET_ID")
                                && open.is_symbol("(")
                                && name.kind == TokenKind::String
                                && close.is_symbol(")") =>
                        {
                            crate::expr::encoding_of_charset(&name.string_value())
                        }
                        _ => None,
                    };
                    let encoding = match named {
                        Some(encoding) => crate::expr::literal(encoding),
                        None if default_csid => "getdatabaseencoding()".to_string(),
                        None => {
                            return Err(format!(
                                "dbms_lob.{} with a character set id other than DEFAULT_CSID or NLS_CHARSET_ID of a character set PostgreSQL has is not converted yet",
                                procedure.to_lowercase()
                            ))
                        }
                    };
                    let piece = format!(
                        "pg_catalog.substr({}, {}, {})",
                        text(src),
                        as_integer(src_offset),
                        as_integer(amount)
                    );
                    // Bytes are counted in the BLOB, characters in the CLOB.
                    let (converted, written, read) = if procedure == "CONVERTTOBLOB" {
                        (
                            format!("convert_to({piece}, {encoding})"),
                            "pg_catalog.octet_length",
                            "pg_catalog.char_length",
                        )
                    } else {
                        (
                            format!("convert_from({piece}, {encoding})"),
                            "pg_catalog.char_length",
                            "pg_catalog.octet_length",
                        )
                    };
                    format!(
                        "{d} := overlay(coalesce({d}, '') placing {converted} from {at}); {o} := {o} + {written}({converted}); {so} := {so} + {read}({piece}); {w} := 0",
                        at = as_integer(dest_offset),
                        d = text(dest),
                        o = text(dest_offset),
                        so = text(src_offset),
                        w = text(warning),
                    )
                }
                // READ(lob, amount IN OUT, offset, buffer OUT): at most amount characters (bytes)
                // from offset, amount set to what was read; NO_DATA_FOUND past the end.
                ("READ", [lob, amount, offset, buffer]) if !rewrite.is_bfile(lob) => format!(
                    "IF {o} < 1 OR {a} < 1 OR {a} > 32767 THEN RAISE EXCEPTION 'ORA-21560: argument is null, invalid, or out of range' USING ERRCODE = '22023'; END IF; \
                     IF {o} > coalesce(pg_catalog.length({l}), 0) THEN RAISE EXCEPTION 'no data found' USING ERRCODE = 'P0002'; END IF; \
                     {b} := pg_catalog.substr({l}, {oi}, {ai}); {a} := pg_catalog.length({b})",
                    l = text(lob),
                    a = text(amount),
                    o = text(offset),
                    oi = as_integer(offset),
                    ai = as_integer(amount),
                    b = assignable(buffer)
                ),
                ("TRIM", [lob, length]) => {
                    format!(
                        "{l} := substr({l}, 1, {n})",
                        l = text(lob),
                        n = text(length)
                    )
                }
                _ => {
                    return Err(format!(
                        "package call dbms_lob.{} is not converted yet",
                        procedure.to_lowercase()
                    ))
                }
            };
            // PostgreSQL's own || (text or bytea), kept whole so the Oracle || rule leaves it alone.
            for (k, piece) in replacement.split(CONCAT).enumerate() {
                if k > 0 {
                    out.push(word("OPERATOR(pg_catalog.||)", t.line));
                }
                out.extend(tokenize(piece, t.line));
            }
            i = close + 1;
            continue;
        }
        if start
            && t.is("DBMS_CRYPTO")
            && !rewrite.packages.contains(&pg_name(t))
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
            && tokens
                .get(i + 2)
                .is_some_and(|n| n.is("ENCRYPT") || n.is("DECRYPT"))
            && tokens.get(i + 3).is_some_and(|n| n.is_symbol("("))
        {
            // The LOB procedures ENCRYPT/DECRYPT(dst, src, typ, key[, iv]) assign what the
            // functions of the same name return: dst := DBMS_CRYPTO.ENCRYPT(src, typ, key, iv).
            let close = matching_paren(tokens, i + 3).ok_or("unbalanced DBMS_CRYPTO call")?;
            let args = split_commas(&tokens[i + 4..close]);
            let args = positional(&args, &["DST", "SRC", "TYP", "KEY", "IV"])
                .filter(|a| (4..=5).contains(&a.len()) && a[..4].iter().all(|p| !p.is_empty()))
                .ok_or("DBMS_CRYPTO procedure call with arguments not understood")?;
            out.extend(args[0].iter().cloned());
            out.extend(tokenize(":=", t.line));
            out.extend(tokens[i..i + 4].iter().cloned());
            for (k, arg) in args[1..].iter().enumerate() {
                if k > 0 {
                    out.extend(tokenize(",", t.line));
                }
                out.extend(arg.iter().cloned());
            }
            out.extend(tokenize(")", t.line));
            i = close + 1;
            continue;
        }
        if start
            && (t.is("DBMS_SESSION")
                || t.is("DBMS_LOCK")
                || t.is("APEX_UTIL")
                || t.is("DBMS_APPLICATION_INFO"))
            && !rewrite.packages.contains(&pg_name(t))
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
            && tokens.get(i + 3).is_some_and(|n| n.is_symbol("("))
        {
            let close = matching_paren(tokens, i + 3).ok_or("unbalanced call")?;
            let args = split_commas(&tokens[i + 4..close]);
            let call = format!("{}.{}", t.upper(), tokens[i + 2].upper());
            let compat = crate::compat::SCHEMA;
            // Oracle's parameter names, for calls in named notation (`namespace => …`).
            let names: &[&str] = match call.as_str() {
                "DBMS_SESSION.SET_CONTEXT" => {
                    &["NAMESPACE", "ATTRIBUTE", "VALUE", "USERNAME", "CLIENT_ID"]
                }
                "DBMS_SESSION.CLEAR_CONTEXT" => &["NAMESPACE", "CLIENT_ID", "ATTRIBUTE"],
                "DBMS_SESSION.CLEAR_ALL_CONTEXT" => &["NAMESPACE"],
                "DBMS_SESSION.SET_IDENTIFIER" => &["CLIENT_ID"],
                "DBMS_APPLICATION_INFO.SET_MODULE" => &["MODULE_NAME", "ACTION_NAME"],
                "DBMS_APPLICATION_INFO.SET_ACTION" => &["ACTION_NAME"],
                "DBMS_APPLICATION_INFO.SET_CLIENT_INFO" => &["CLIENT_INFO"],
                "DBMS_APPLICATION_INFO.READ_MODULE" => &["MODULE_NAME", "ACTION_NAME"],
                "DBMS_APPLICATION_INFO.READ_CLIENT_INFO" => &["CLIENT_INFO"],
                _ => &["SECONDS"],
            };
            let args = positional(&args, names).ok_or_else(|| {
                format!("call {} with arguments not understood", call.to_lowercase())
            })?;
            let replacement = match (call.as_str(), args.as_slice()) {
                // The client identifier lives in a session setting SYS_CONTEXT reads back.
                ("DBMS_SESSION.SET_IDENTIFIER", [id]) => format!(
                    "PERFORM set_config('godwit.client_identifier', {}, false)",
                    text(id)
                ),
                // The module is PostgreSQL's application_name (what pg_stat_activity shows); the
                // action and client info are session settings SYS_CONTEXT('USERENV', …) reads.
                ("DBMS_APPLICATION_INFO.SET_MODULE", [module, action]) => format!(
                    "PERFORM set_config('application_name', coalesce(left({}, 63), ''), false), set_config('godwit.action', coalesce({}, ''), false)",
                    text(module),
                    text(action)
                ),
                ("DBMS_APPLICATION_INFO.SET_ACTION", [action]) => format!(
                    "PERFORM set_config('godwit.action', coalesce({}, ''), false)",
                    text(action)
                ),
                ("DBMS_APPLICATION_INFO.SET_CLIENT_INFO", [info]) => format!(
                    "PERFORM set_config('godwit.client_info', coalesce({}, ''), false)",
                    text(info)
                ),
                ("DBMS_APPLICATION_INFO.READ_MODULE", [module, action]) => format!(
                    "{} := nullif(current_setting('application_name'), ''); {} := nullif(current_setting('godwit.action', true), '')",
                    text(module),
                    text(action)
                ),
                ("DBMS_APPLICATION_INFO.READ_CLIENT_INFO", [info]) => format!(
                    "{} := nullif(current_setting('godwit.client_info', true), '')",
                    text(info)
                ),
                ("DBMS_LOCK.SLEEP" | "DBMS_SESSION.SLEEP" | "APEX_UTIL.PAUSE", [seconds]) => {
                    format!("PERFORM pg_sleep({})", text(seconds))
                }
                // SET_CONTEXT(namespace, attribute, value [, username [, client_id]]): the user and
                // client restrictions of a globally accessed context are not kept.
                ("DBMS_SESSION.SET_CONTEXT", [namespace, attribute, value, ..]) => {
                    rewrite.helpers.insert("context");
                    format!(
                        "PERFORM {compat}.set_context({}, {}, {})",
                        text(namespace),
                        text(attribute),
                        text(value)
                    )
                }
                // CLEAR_CONTEXT(namespace [, client_id [, attribute]]).
                ("DBMS_SESSION.CLEAR_CONTEXT", [namespace, rest @ ..]) => {
                    rewrite.helpers.insert("context");
                    let attribute = rest
                        .get(1)
                        .filter(|a| !a.is_empty())
                        .map_or("NULL".to_string(), |a| text(a));
                    format!(
                        "PERFORM {compat}.clear_context({}, {attribute})",
                        text(namespace)
                    )
                }
                ("DBMS_SESSION.CLEAR_ALL_CONTEXT", [namespace]) => {
                    rewrite.helpers.insert("context");
                    format!("PERFORM {compat}.clear_context({}, NULL)", text(namespace))
                }
                _ => {
                    return Err(format!(
                        "package call {} is not converted yet",
                        call.to_lowercase()
                    ))
                }
            };
            out.extend(tokenize(&replacement, t.line));
            i = close + 1;
            continue;
        }
        if start
            && t.is("DBMS_OUTPUT")
            && tokens.get(i + 1).is_some_and(|n| n.is_symbol("."))
            && tokens
                .get(i + 2)
                .is_some_and(|n| n.is("NEW_LINE") || n.is("ENABLE") || n.is("DISABLE"))
        {
            // Notices need no buffer: enabling, disabling and line breaks have nothing to do.
            let end = if tokens.get(i + 3).is_some_and(|n| n.is_symbol("(")) {
                matching_paren(tokens, i + 3).ok_or("unbalanced DBMS_OUTPUT call")? + 1
            } else {
                i + 3
            };
            out.extend(tokenize("NULL", t.line));
            i = end;
            continue;
        }
        if start && t.is("PIPE") && tokens.get(i + 1).is_some_and(|n| n.is("ROW")) {
            let close = matching_paren(tokens, i + 2).ok_or("unbalanced PIPE ROW")?;
            out.extend(tokenize("RETURN NEXT", t.line));
            out.extend(tokens[i + 3..close].iter().cloned());
            i = close + 1;
            continue;
        }
        let predicate = t.is("INSERTING") || t.is("DELETING") || t.is("UPDATING");
        if start && predicate {
            return Err("INSERTING/UPDATING/DELETING outside a condition".into());
        }
        if t.is("UPDATING") && tokens.get(i + 1).is_some_and(|n| n.is_symbol("(")) {
            // UPDATING('COL'): Oracle asks whether the UPDATE sets the column; a row trigger in
            // PostgreSQL only sees whether its value changed.
            let close = matching_paren(tokens, i + 1).ok_or("unbalanced UPDATING(…)")?;
            let column = match &tokens[i + 2..close] {
                [c] if c.kind == TokenKind::String => c.string_value(),
                _ => return Err("UPDATING with a column name that is not a literal".into()),
            };
            let column = quote_ident(&pg_name(&Token {
                kind: TokenKind::Word,
                text: column,
                line: t.line,
                unterminated: false,
            }));
            rewrite.notes.push((
                "GW-PLSQL-UPDATING-COLUMN",
                format!(
                    "UPDATING({column}) is true here when the value of {column} changes; in Oracle, when the UPDATE sets it (even to the same value)"
                ),
            ));
            out.extend(tokenize(
                &format!("(TG_OP = 'UPDATE' AND NEW.{column} IS DISTINCT FROM OLD.{column})"),
                t.line,
            ));
            i = close + 1;
            continue;
        }
        if predicate {
            out.extend(tokenize(
                if t.is("INSERTING") {
                    "(TG_OP = 'INSERT')"
                } else if t.is("UPDATING") {
                    "(TG_OP = 'UPDATE')"
                } else {
                    "(TG_OP = 'DELETE')"
                },
                t.line,
            ));
            i += 1;
            continue;
        }
        if start && t.is("SELECT") {
            // SELECT … INTO → SELECT … INTO STRICT (Oracle's NO_DATA_FOUND / TOO_MANY_ROWS).
            let stop = tokens[i..]
                .iter()
                .position(|x| x.is_symbol(";"))
                .map(|p| i + p)
                .unwrap_or(tokens.len());
            // SELECT t(…) INTO v with t an object type: PL/pgSQL fills a composite target from the
            // row's columns, so the constructed value is expanded into its fields.
            let constructor = tokens.get(i + 1).is_some_and(|n| {
                n.kind == TokenKind::Word && rewrite.object_types.contains_key(&pg_name(n))
            }) && tokens.get(i + 2).is_some_and(|p| p.is_symbol("("))
                && matching_paren(tokens, i + 2)
                    .and_then(|c| tokens.get(c + 1))
                    .is_some_and(|n| n.is("INTO"));
            if constructor {
                let close = matching_paren(tokens, i + 2).unwrap_or(i + 2);
                out.push(tokens[i].clone());
                out.extend(tokenize("(", t.line));
                out.extend(tokens[i + 1..=close].iter().cloned());
                out.extend(tokenize(").*", t.line));
                out.push(tokens[close + 1].clone());
                out.push(word("STRICT", t.line));
                i = close + 2;
                continue;
            }
            let mut depth = 0;
            for x in &tokens[i..stop] {
                if x.is_symbol("(") {
                    depth += 1;
                } else if x.is_symbol(")") {
                    depth -= 1;
                }
                out.push(x.clone());
                if depth == 0 && x.is("INTO") {
                    out.push(word("STRICT", x.line));
                }
            }
            i = stop;
            continue;
        }
        if start && t.is("EXECUTE") && tokens.get(i + 1).is_some_and(|n| n.is("IMMEDIATE")) {
            out.push(word("EXECUTE", t.line));
            i += 2;
            // A literal statement is Oracle SQL known now: converted like any other.
            if let Some(literal) = tokens.get(i).filter(|l| {
                l.kind == TokenKind::String
                    && tokens
                        .get(i + 1)
                        .is_some_and(|n| n.is_symbol(";") || n.is("USING") || n.is("INTO"))
            }) {
                let sql = literal.string_value();
                let inner = tokenize(sql.trim().trim_end_matches(';'), literal.line);
                let first = inner.first().map(|f| f.upper()).unwrap_or_default();
                let converted = match first.as_str() {
                    "SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" => {
                        // Oracle's :1 / :name placeholders are PostgreSQL's $1, $2, … in order.
                        let mut numbered: Vec<Token> = Vec::with_capacity(inner.len());
                        let mut j = 0;
                        while j < inner.len() {
                            let x = &inner[j];
                            // :name lexes as one bind token, :1 as ':' and a number.
                            let numeric = x.is_symbol(":")
                                && inner.get(j + 1).is_some_and(|d| {
                                    matches!(d.kind, TokenKind::Number | TokenKind::Word)
                                });
                            if x.kind == TokenKind::Bind || numeric {
                                let n = numbered.iter().filter(|t| t.text.starts_with('$')).count();
                                numbered.push(Token {
                                    kind: TokenKind::Word,
                                    text: format!("${}", n + 1),
                                    ..x.clone()
                                });
                                j += if numeric { 2 } else { 1 };
                                continue;
                            }
                            numbered.push(x.clone());
                            j += 1;
                        }
                        rewrite.query(&numbered)
                    }
                    "BEGIN" | "DECLARE" => {
                        return Err("EXECUTE IMMEDIATE of a PL/SQL block".into());
                    }
                    _ => {
                        rewrite.notes.push((
                            "GW-PLSQL-DYNAMIC-DDL",
                            format!(
                                "EXECUTE IMMEDIATE runs Oracle DDL kept as written: {}",
                                sql.chars().take(80).collect::<String>()
                            ),
                        ));
                        sql.trim().trim_end_matches(';').to_string()
                    }
                };
                out.push(Token {
                    kind: TokenKind::String,
                    text: crate::expr::literal(&converted),
                    line: literal.line,
                    unterminated: false,
                });
                i += 1;
            }
            continue;
        }
        if start && t.kind == TokenKind::Word && !is_plsql_keyword(t) {
            // name; / name(args); / schema.name(args); → CALL; name := … stays an assignment.
            let mut k = i + 1;
            while tokens.get(k).is_some_and(|x| x.is_symbol("."))
                && tokens.get(k + 1).is_some_and(|x| x.kind == TokenKind::Word)
            {
                k += 2;
            }
            let after = if tokens.get(k).is_some_and(|x| x.is_symbol("(")) {
                matching_paren(tokens, k).map(|c| c + 1)
            } else {
                Some(k)
            };
            if let Some(after) = after {
                if tokens.get(after).is_none_or(|x| x.is_symbol(";"))
                    && !tokens.get(k).is_some_and(|x| x.is_symbol(":="))
                {
                    let known_package = k == i + 3 && rewrite.packages.contains(&pg_name(t));
                    if k > i + 1 && !known_package {
                        return Err(format!(
                            "package call {} is not converted yet",
                            tokens[i..k]
                                .iter()
                                .map(|x| x.text.as_str())
                                .collect::<String>()
                        ));
                    }
                    out.push(word("CALL", t.line));
                    out.extend(tokens[i..after].iter().cloned());
                    if after == k {
                        out.extend(tokenize("()", t.line));
                    }
                    i = after;
                    continue;
                }
            }
        }
        if let Some((_, pg)) = EXCEPTIONS.iter().find(|(o, _)| t.is(o)) {
            if i > 0 && (tokens[i - 1].is("WHEN") || tokens[i - 1].is("OR")) {
                out.push(word(pg, t.line));
                i += 1;
                continue;
            }
        }
        out.push(t.clone());
        i += 1;
    }
    // END name; → END;  (an Oracle block may repeat its unit's name)
    let mut cleaned: Vec<Token> = Vec::with_capacity(out.len());
    for (k, t) in out.iter().enumerate() {
        if t.kind == TokenKind::Word
            && k > 0
            && out[k - 1].is("END")
            && out.get(k + 1).is_some_and(|n| n.is_symbol(";"))
            && !["IF", "LOOP", "CASE"].iter().any(|w| t.is(w))
        {
            continue;
        }
        cleaned.push(t.clone());
    }
    let text = rewrite.sql(&query_level(&cleaned));
    if !rewrite.blocking.is_empty() {
        return Err(rewrite
            .blocking
            .iter()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join("; "));
    }
    Ok(one_statement_a_line(&text))
}

/// One statement a line, for a person reading it: line breaks after `; `, ` then ` and ` loop `
/// outside string literals and quoted names, whose text stays as it is.
fn one_statement_a_line(text: &str) -> String {
    let layout = |code: &str| {
        code.replace("; ", ";\n    ")
            .replace(" then ", " THEN\n    ")
            .replace(" loop ", " LOOP\n    ")
    };
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text;
    while let Some(open) = rest.find(['\'', '"']) {
        out.push_str(&layout(&rest[..open]));
        let quote = &rest[open..open + 1];
        // A doubled quote inside a literal reads as two literals side by side: the same text.
        match rest[open + 1..].find(quote) {
            Some(close) => {
                let end = open + close + 2;
                out.push_str(&rest[open..end]);
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(&layout(rest));
    out
}

fn is_plsql_keyword(t: &Token) -> bool {
    [
        "IF",
        "ELSIF",
        "ELSE",
        "END",
        "LOOP",
        "WHILE",
        "FOR",
        "EXIT",
        "CONTINUE",
        "RETURN",
        "NULL",
        "RAISE",
        "BEGIN",
        "DECLARE",
        "EXCEPTION",
        "WHEN",
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "SELECT",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "CASE",
        "OPEN",
        "FETCH",
        "CLOSE",
        "EXECUTE",
        "WITH",
        "LOCK",
        "SET",
    ]
    .iter()
    .any(|k| t.is(k))
}

/// Converts the parameter list of a routine: `p IN OUT type DEFAULT x` → `INOUT p type DEFAULT x`.
fn parameters(
    group: &[Token],
    procedure: bool,
    rewrite: &mut Rewrite,
    scope: &RefCell<Scope>,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
) -> Result<String, NotConverted> {
    let mut out: Vec<(bool, String, String)> = Vec::new();
    for p in split_commas(group) {
        let mut c = Cursor::new(p);
        let name = c.ident().ok_or("a parameter without a name")?;
        let mode = if c.eat("IN") {
            if c.eat("OUT") {
                "INOUT "
            } else {
                ""
            }
        } else if c.eat("OUT") {
            "OUT "
        } else {
            ""
        };
        c.eat("NOCOPY");
        let ahead: Vec<Token> = (0..3).filter_map(|k| c.peek_at(k).cloned()).collect();
        note_typed_variable(rewrite, name, &ahead);
        let data_type = type_of(&mut c)
            .ok_or_else(|| format!("type of parameter {} not understood", name.text))?;
        let default = if c.eat("DEFAULT") || c.eat_symbol(":=") {
            let value = scope.borrow().rewrite_collections(c.rest())?;
            format!(" DEFAULT {}", rewrite.sql(&value))
        } else {
            String::new()
        };
        if !c.at_end() {
            return Err(format!("parameter {} not understood", name.text));
        }
        out.push((
            !mode.is_empty(),
            format!("{mode}{} {data_type}", quote_ident(&pg_name(name))),
            default,
        ));
    }
    // A PostgreSQL procedure allows no OUT parameter after one with a default: those defaults go.
    let last_out = out
        .iter()
        .rposition(|(is_out, _, _)| *is_out)
        .filter(|_| procedure);
    let mut dropped = Vec::new();
    // Oracle allows a parameter without a default after one with a default (callers name it);
    // PostgreSQL does not, so such a parameter gets DEFAULT NULL, which Oracle's callers never use.
    let mut defaulted = Vec::new();
    let mut after_default = false;
    let list: Vec<String> = out
        .into_iter()
        .enumerate()
        .map(|(k, (_, param, default))| {
            if last_out.is_some_and(|l| k < l) && !default.is_empty() {
                dropped.push(param.clone());
                param
            } else if !default.is_empty() {
                after_default = true;
                format!("{param}{default}")
            } else if after_default && !param.starts_with("OUT ") {
                defaulted.push(param.clone());
                format!("{param} DEFAULT NULL")
            } else {
                param
            }
        })
        .collect();
    if !defaulted.is_empty() {
        rewrite.notes.push((
            "GW-PLSQL-DEFAULT-ADDED",
            format!(
                "PostgreSQL allows no parameter without a default after one with a default: {} got DEFAULT NULL (Oracle's callers always pass them)",
                defaulted.join(", ")
            ),
        ));
    }
    if !dropped.is_empty() {
        rewrite.notes.push((
            "GW-PLSQL-DEFAULT-BEFORE-OUT",
            format!(
                "PostgreSQL allows no OUT parameter after one with a default: the defaults of {} were dropped, so callers must pass them",
                dropped.join(", ")
            ),
        ));
    }
    Ok(list.join(", "))
}

/// Converts `CREATE [OR REPLACE] [EDITIONABLE] PROCEDURE|FUNCTION|TRIGGER …` (tokens after the kind
/// word). `qualify` turns Oracle names into PostgreSQL names with the right schema.
pub fn convert_unit(
    kind: UnitKind,
    tokens: &[Token],
    rewrite: &mut Rewrite,
    qualify: &dyn Fn(Option<&Token>, &Token) -> QualifiedName,
    type_of: &dyn Fn(&mut Cursor) -> Option<String>,
    context: &UnitContext,
) -> Result<Unit, NotConverted> {
    let scope = RefCell::new(Scope::default());
    scope.borrow_mut().exceptions = context.exceptions.clone();
    scope.borrow_mut().records = context.records.clone();
    scope.borrow_mut().object_methods = context.object_methods.clone();
    for (name, (element, kind)) in &context.collections {
        let mut c = Cursor::new(element);
        let pg = type_of(&mut c).filter(|_| c.at_end());
        match (context.domains.get(name), pg) {
            (Some(domain), pg) => scope.borrow_mut().add_type(
                name.clone(),
                pg.unwrap_or_default(),
                *kind,
                Some(domain.clone()),
            ),
            (None, Some(pg)) => scope.borrow_mut().add_type(name.clone(), pg, *kind, None),
            (None, None) => {}
        }
    }
    let typed = |c: &mut Cursor| scoped_type(&scope, c, type_of);
    let type_of: &dyn Fn(&mut Cursor) -> Option<String> = &typed;
    let mut c = Cursor::new(tokens);
    let (schema, name_token) = c.qualified().ok_or("no unit name")?;
    let name = qualify(schema, name_token);
    match kind {
        UnitKind::Procedure | UnitKind::Function => {
            let group = c.group();
            for p in group.map(split_commas).unwrap_or_default() {
                // The parameter's type: a collection type in scope, plain or as PKG.T.
                let collection = (1..p.len()).find_map(|k| {
                    let key = match (p.get(k + 1), p.get(k + 2)) {
                        (Some(dot), Some(t)) if dot.is_symbol(".") => {
                            format!("{}.{}", p[k].upper(), t.upper())
                        }
                        _ => p[k].upper(),
                    };
                    let known = scope.borrow().types.contains_key(&key);
                    known.then_some(key)
                });
                if let (Some(type_name), Some(name)) = (collection, p.first()) {
                    scope.borrow_mut().add_variable(name.upper(), &type_name);
                }
                // A parameter of an object type with methods: `p.m(…)` calls them.
                let object = p[1..]
                    .iter()
                    .find(|t| scope.borrow().object_methods.contains_key(&t.upper()));
                if let (Some(type_name), Some(name)) = (object, p.first()) {
                    scope
                        .borrow_mut()
                        .objects
                        .insert(name.upper(), type_name.upper());
                }
            }
            let parameter_names: Vec<String> = group
                .map(|g| {
                    split_commas(g)
                        .iter()
                        .filter_map(|p| p.first().map(|t| t.upper()))
                        .collect()
                })
                .unwrap_or_default();
            let arguments = match group {
                Some(g) => parameters(g, kind == UnitKind::Procedure, rewrite, &scope, type_of)?,
                None => String::new(),
            };
            let returns = if kind == UnitKind::Function {
                if !c.eat("RETURN") {
                    return Err("a function without RETURN".into());
                }
                Some(type_of(&mut c).ok_or("return type not understood")?)
            } else {
                None
            };
            // PIPELINED: a set-returning function; PIPE ROW(x) becomes RETURN NEXT x.
            let pipelined = c.eat("PIPELINED");
            let returns = match (pipelined, returns) {
                (true, Some(r)) => {
                    // An array type, or a schema-level collection type's domain over one.
                    let element = r.strip_suffix("[]").map(str::to_string).or_else(|| {
                        let scope = scope.borrow();
                        let (name, _) = scope.types.iter().find(|(_, (pg, _))| *pg == r)?;
                        scope.elements.get(name).filter(|e| !e.is_empty()).cloned()
                    });
                    Some(format!(
                        "SETOF {}",
                        element.ok_or("a PIPELINED function that does not return a collection")?
                    ))
                }
                (_, r) => r,
            };
            while c.is("AUTHID")
                || c.is("CURRENT_USER")
                || c.is("DEFINER")
                || c.is("DETERMINISTIC")
                || c.is("PARALLEL_ENABLE")
                || c.is("RESULT_CACHE")
                || c.is("RELIES_ON")
            {
                // RESULT_CACHE RELIES_ON (tables): a hint PostgreSQL has no use for.
                if c.next().is_some_and(|t| t.is("RELIES_ON")) {
                    c.group();
                }
            }
            if !(c.eat("IS") || c.eat("AS")) {
                return Err("no IS/AS after the signature".into());
            }
            if c.is("LANGUAGE") || c.is("EXTERNAL") {
                return Err("external (C or Java) routines are not converted".into());
            }
            let parameter_types: Vec<(String, Vec<Token>)> = group
                .map(|g| {
                    split_commas(g)
                        .iter()
                        .filter_map(|p| {
                            let (name, rest) = p.split_first()?;
                            let mut from = 0;
                            while rest
                                .get(from)
                                .is_some_and(|t| t.is("IN") || t.is("OUT") || t.is("NOCOPY"))
                            {
                                from += 1;
                            }
                            Some((name.upper(), declared_type(&rest[from..])))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let (rest, records) = local_record_types(c.rest(), &name, type_of)?;
            let mut inner = context.clone();
            for (oracle, qualified, _) in &records {
                inner.records.insert(oracle.clone(), qualified.to_string());
                scope
                    .borrow_mut()
                    .records
                    .insert(oracle.clone(), qualified.to_string());
            }
            let (rest, hoisted) =
                hoist_local_subprograms(&rest, &name, &parameter_types, rewrite, type_of, &inner)?;
            let (declarations, body) = body(&rest, &parameter_names, rewrite, &scope, type_of)?;
            let header = match &returns {
                Some(r) => format!("CREATE OR REPLACE FUNCTION {name}({arguments}) RETURNS {r}"),
                None => format!("CREATE OR REPLACE PROCEDURE {name}({arguments})"),
            };
            let declare = if declarations.is_empty() {
                String::new()
            } else {
                format!("DECLARE\n{declarations}")
            };
            Ok(Unit {
                name,
                kind,
                arguments,
                returns,
                definition: format!("{header}\nLANGUAGE plpgsql AS $godwit$\n{declare}BEGIN\n    {body}\nEND\n$godwit$"),
                trigger: None,
                hoisted,
                types: records.into_iter().map(|(_, q, a)| (q, a)).collect(),
            })
        }
        UnitKind::Trigger => {
            let timing = if c.eat("BEFORE") {
                "BEFORE"
            } else if c.eat("AFTER") {
                "AFTER"
            } else if c.eat_all(&["INSTEAD", "OF"]) {
                "INSTEAD OF"
            } else {
                return Err(
                    "trigger timing not understood (compound or system triggers are not converted)"
                        .into(),
                );
            };
            let mut events = Vec::new();
            loop {
                let event = c.next().ok_or("no trigger event")?.upper();
                if !matches!(event.as_str(), "INSERT" | "UPDATE" | "DELETE") {
                    return Err(format!("trigger event {event} not converted"));
                }
                let mut e = event.clone();
                if event == "UPDATE" && c.eat("OF") {
                    let mut cols = vec![quote_ident(&pg_name(
                        c.ident().ok_or("UPDATE OF without columns")?,
                    ))];
                    while c.eat_symbol(",") {
                        cols.push(quote_ident(&pg_name(
                            c.ident().ok_or("UPDATE OF column list")?,
                        )));
                    }
                    e = format!("UPDATE OF {}", cols.join(", "));
                }
                events.push(e);
                if !c.eat("OR") {
                    break;
                }
            }
            if !c.eat("ON") {
                return Err("trigger without ON table".into());
            }
            let (tschema, table_token) = c.qualified().ok_or("trigger table")?;
            let table = qualify(tschema, table_token);
            if c.is("REFERENCING") {
                return Err("REFERENCING clauses are not converted yet".into());
            }
            let row = c.eat_all(&["FOR", "EACH", "ROW"]);
            let when = if c.eat("WHEN") {
                let g = c.group().ok_or("WHEN without a condition")?;
                let converted: Vec<Token> = g
                    .iter()
                    .map(|t| {
                        if t.is("NEW") || t.is("OLD") {
                            Token {
                                text: t.text.to_ascii_uppercase(),
                                ..t.clone()
                            }
                        } else {
                            t.clone()
                        }
                    })
                    .collect();
                Some(rewrite.sql(&converted))
            } else {
                None
            };
            c.eat("ENABLE");
            let disabled = c.eat("DISABLE");
            let mut rest = c.rest();
            if rest.first().is_some_and(|t| t.is("DECLARE")) {
                rest = &rest[1..];
            }
            let (declarations, body) = body(rest, &[], rewrite, &scope, type_of)?;
            let function = QualifiedName::new(&name.schema, format!("{}_fn", name.name));
            let returns = if row && timing != "AFTER" {
                "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n    RETURN NEW;"
            } else {
                "RETURN NULL;"
            };
            let declare = if declarations.is_empty() {
                String::new()
            } else {
                format!("DECLARE\n{declarations}")
            };
            let definition = format!("CREATE OR REPLACE FUNCTION {function}() RETURNS trigger\nLANGUAGE plpgsql AS $godwit$\n{declare}BEGIN\n    {body}\n    {returns}\nEND\n$godwit$");
            let trigger = format!(
                "CREATE TRIGGER {} {timing} {} ON {table} FOR EACH {}{} EXECUTE FUNCTION {function}()",
                quote_ident(&name.name),
                events.join(" OR "),
                if row { "ROW" } else { "STATEMENT" },
                when.map(|w| format!(" WHEN ({w})")).unwrap_or_default()
            );
            Ok(Unit {
                name: function,
                kind,
                arguments: String::new(),
                returns: Some("trigger".into()),
                definition,
                trigger: Some((table, trigger, !disabled)),
                hoisted: Vec::new(),
                types: Vec::new(),
            })
        }
    }
}
/// The query-level SQL rules (outer joins, ROWNUM, hierarchical queries, …) on the SQL statements of a
/// body and on the queries in parentheses elsewhere (cursor FOR loops, conditions).
fn query_level(tokens: &[Token]) -> Vec<Token> {
    if crate::expr::nesting(tokens) > crate::expr::MAX_NESTING {
        // Too deep to rewrite safely: the token rules report it.
        return tokens.to_vec();
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let sql = ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"]
            .iter()
            .any(|w| t.is(w));
        if sql && starts_statement(tokens, k) {
            let end = crate::package::statement_end(tokens, k);
            out.extend(crate::query::rewrite_query(&tokens[k..end]));
            k = end;
            continue;
        }
        if t.is_symbol("(")
            && tokens
                .get(k + 1)
                .is_some_and(|n| n.is("SELECT") || n.is("WITH"))
        {
            if let Some(close) = matching_paren(tokens, k) {
                out.push(t.clone());
                out.extend(crate::query::rewrite_query(&tokens[k + 1..close]));
                out.push(tokens[close].clone());
                k = close + 1;
                continue;
            }
        }
        out.push(t.clone());
        k += 1;
    }
    out
}

/// A call's arguments in parameter order, whether written positionally or in named notation
/// (`name => value`, names as in `names`); a parameter left out is empty. `None` when a name is not one
/// of `names` or a positional argument follows a named one.
pub(crate) fn positional<'t>(args: &[&'t [Token]], names: &[&str]) -> Option<Vec<&'t [Token]>> {
    let mut out: Vec<&[Token]> = Vec::new();
    let mut named = false;
    for (k, arg) in args.iter().enumerate() {
        match arg {
            [name, arrow, value @ ..] if arrow.is_symbol("=>") => {
                named = true;
                let at = names.iter().position(|n| name.is(n))?;
                if out.len() <= at {
                    out.resize(at + 1, &[]);
                }
                out[at] = value;
            }
            _ if named => return None,
            _ => {
                if out.len() <= k {
                    out.resize(k + 1, &[]);
                }
                out[k] = arg;
            }
        }
    }
    Some(out)
}
