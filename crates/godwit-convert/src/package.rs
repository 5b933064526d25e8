//! PL/SQL packages: a package becomes a PostgreSQL schema of the same name holding its routines, so
//! `pkg.proc(...)` in callers keeps working unchanged.
//!
//! This module reads a package's structure: the spec's declarations (constants, variables, types,
//! cursors, exceptions, routine signatures) and the body's member routines, each cut out whole
//! (nested blocks, CASE, local subprograms included). It also prepares a member's tokens for the
//! routine converter: package constants are inlined, calls to sibling members qualified with the
//! package, and package variables kept as session settings (`godwit.<package>__<variable>`, read and
//! written through `godwit_compat.pkg_get`/`pkg_set`), so that their values live as long as the
//! session, as in Oracle.

use crate::names::pg_name;
use crate::plsql::UnitKind;
use godwit_oracle::{tokenize, Token, TokenKind};
use std::collections::{BTreeMap, BTreeSet};

/// What a package spec (or the top level of a body) declares, by upper-case Oracle name.
#[derive(Clone, Debug, Default)]
pub struct Declarations {
    /// Constants with their value's tokens.
    pub constants: BTreeMap<String, Vec<Token>>,
    /// Variables: session state.
    pub variables: BTreeSet<String>,
    /// Declared types of variables and constants, for `name%TYPE` anchors.
    pub declared_types: BTreeMap<String, Vec<Token>>,
    /// Initial values of variables that have one.
    pub initial_values: BTreeMap<String, Vec<Token>>,
    /// Subtypes with their base type's tokens (constraints such as RANGE and NOT NULL dropped).
    pub subtypes: BTreeMap<String, Vec<Token>>,
    /// Record types with the tokens inside their parentheses; the converter keeps the ones it turns
    /// into composite types in the package's schema and moves the others to `other`.
    pub records: BTreeMap<String, Vec<Token>>,
    /// Collection types (nested tables, VARRAYs, INDEX BY integer tables): arrays in members.
    pub collections: crate::collection::Collections,
    /// Record types no composite type can hold (they hold collections), with the tokens inside their
    /// parentheses: package variables of them may still be documents (see `package_documents`).
    pub unconverted_records: BTreeMap<String, Vec<Token>>,
    /// Oracle error numbers given to exceptions by PRAGMA EXCEPTION_INIT.
    pub exception_codes: BTreeMap<String, i64>,
    /// Types, cursors and exceptions: (kind, name), not converted yet.
    pub other: Vec<(&'static str, String)>,
    /// Functions declared without parameters, which PL/SQL calls without parentheses.
    pub parameterless_functions: BTreeSet<String>,
    /// Package INDEX BY variables the body deletes single elements of (`v.DELETE(i)`): sparse, so
    /// kept as jsonb documents rather than arrays (see `package_documents`).
    pub sparse_variables: BTreeSet<String>,
}

impl Declarations {
    /// Adds a body's own declarations to its spec's.
    pub fn merge(&mut self, other: &Declarations) {
        self.constants.extend(other.constants.clone());
        self.variables.extend(other.variables.iter().cloned());
        self.declared_types.extend(other.declared_types.clone());
        self.initial_values.extend(other.initial_values.clone());
        self.subtypes.extend(other.subtypes.clone());
        self.records.extend(other.records.clone());
        self.collections.extend(other.collections.clone());
        self.unconverted_records
            .extend(other.unconverted_records.clone());
        self.exception_codes.extend(other.exception_codes.clone());
        self.other.extend(other.other.iter().cloned());
        self.parameterless_functions
            .extend(other.parameterless_functions.iter().cloned());
        self.sparse_variables
            .extend(other.sparse_variables.iter().cloned());
    }
}

/// Whether a package variable's initial value is known without running anything: literals, NULL,
/// TRUE/FALSE, and an empty collection constructor `T()`.
pub fn constant_initial_value(
    value: &[Token],
    collections: &crate::collection::Collections,
) -> bool {
    if let [t, open, close] = value {
        if collections.contains_key(&t.upper()) && open.is_symbol("(") && close.is_symbol(")") {
            return true;
        }
    }
    value.iter().all(|t| {
        matches!(
            t.kind,
            TokenKind::String | TokenKind::Number | TokenKind::Symbol
        ) || t.is("NULL")
            || t.is("TRUE")
            || t.is("FALSE")
    })
}

/// Whether a function (tokens from its name on) can be called without arguments: it has no
/// parameters, or all of them have defaults. PL/SQL then calls it without parentheses too.
pub fn callable_without_arguments(function: &[Token]) -> bool {
    match function.get(1) {
        Some(r) if r.is("RETURN") => true,
        Some(open) if open.is_symbol("(") => crate::cursor::matching_paren(function, 1)
            .is_some_and(|close| {
                crate::cursor::split_commas(&function[2..close])
                    .iter()
                    .all(|p| p.iter().any(|t| t.is("DEFAULT") || t.is_symbol(":=")))
            }),
        _ => false,
    }
}

/// One routine of a package body.
pub struct Member<'t> {
    pub kind: UnitKind,
    /// Upper-case Oracle name.
    pub name: String,
    /// From the routine's name to the `;` after its final END (what the routine converter reads).
    pub tokens: &'t [Token],
    pub line: u32,
}

/// A package body cut into its parts.
pub struct Body<'t> {
    pub members: Vec<Member<'t>>,
    pub declarations: Declarations,
    /// Statements between the body's own BEGIN and END, run once per session in Oracle.
    pub initialization: Option<&'t [Token]>,
}

/// Index of the first top-level `;` at or after `start` (outside parentheses).
pub(crate) fn statement_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(start) {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth <= 0 && t.is_symbol(";") {
            return k;
        }
    }
    tokens.len().saturating_sub(1)
}

/// Index of the first IS, AS or `;` at or after `start` outside parentheses: where a routine's
/// signature stops.
pub(crate) fn signature_stop(tokens: &[Token], start: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(start) {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth == 0 && (t.is_symbol(";") || t.is("IS") || t.is("AS")) {
            return Some(k);
        }
    }
    None
}

/// Where the subprogram starting at `start` (its PROCEDURE/FUNCTION word) ends: the `;` after its
/// final END, or after its signature for a forward declaration or an external routine. Second value:
/// true when it has a body.
pub(crate) fn subprogram_end(tokens: &[Token], start: usize) -> Option<(usize, bool)> {
    // The signature runs to IS/AS (a body) or `;` (a declaration), outside parentheses.
    let mut k = signature_stop(tokens, start + 1)?;
    if tokens[k].is_symbol(";") {
        return Some((k, false));
    }
    k += 1;
    if tokens
        .get(k)
        .is_some_and(|t| t.is("LANGUAGE") || t.is("EXTERNAL"))
    {
        return Some((statement_end(tokens, k), false));
    }
    let mut blocks = 0i32;
    while k < tokens.len() {
        let t = &tokens[k];
        let prev_end = k > 0 && tokens[k - 1].is("END");
        if blocks == 0 && (t.is("PROCEDURE") || t.is("FUNCTION")) && !prev_end {
            // A local subprogram in the declarations.
            let (end, _) = subprogram_end(tokens, k)?;
            k = end + 1;
            continue;
        }
        if t.is("BEGIN") || (t.is("CASE") && !prev_end) {
            blocks += 1;
        } else if t.is("END") {
            let next = tokens.get(k + 1);
            if next.is_some_and(|n| n.is("IF") || n.is("LOOP")) {
                k += 2;
                continue;
            }
            blocks -= 1;
            if next.is_some_and(|n| n.is("CASE")) {
                k += 2;
                continue;
            }
            if blocks == 0 {
                return Some((statement_end(tokens, k), true));
            }
        }
        k += 1;
    }
    None
}

/// `[NAME %] TYPE` anchors at the start of `tokens` resolved to the anchor's declared type.
fn resolve_anchor(tokens: &[Token], into: &Declarations) -> Vec<Token> {
    if tokens.len() == 3 && tokens[1].is_symbol("%") && tokens[2].is("TYPE") {
        if let Some(t) = into.declared_types.get(&tokens[0].upper()) {
            return t.clone();
        }
    }
    tokens.to_vec()
}

fn declaration(decl: &[Token], into: &mut Declarations) {
    let Some(first) = decl.first() else {
        return;
    };
    let name = first.upper();
    if !first.is("TYPE") && !first.is("SUBTYPE") && !first.is("CURSOR") && !first.is("PRAGMA") {
        let start = 1 + decl.get(1).is_some_and(|t| t.is("CONSTANT")) as usize;
        let declared: Vec<Token> = decl
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|t| !t.is_symbol(":=") && !t.is("DEFAULT") && !t.is("NOT"))
            .cloned()
            .collect();
        if !declared.is_empty() {
            let resolved = resolve_anchor(&declared, into);
            into.declared_types.insert(name.clone(), resolved);
        }
    }
    if first.is("SUBTYPE") && decl.get(2).is_some_and(|t| t.is("IS")) {
        let written: Vec<Token> = decl[3..]
            .iter()
            .take_while(|t| !t.is("NOT") && !t.is("RANGE"))
            .cloned()
            .collect();
        let base: Vec<Token> = resolve_anchor(&written, into)
            .iter()
            .flat_map(|t| {
                // A subtype of another subtype: its base.
                into.subtypes
                    .get(&t.upper())
                    .cloned()
                    .unwrap_or_else(|| vec![t.clone()])
            })
            .collect();
        into.subtypes.insert(decl[1].upper(), base);
    } else if first.is("TYPE")
        && decl.get(2).is_some_and(|t| t.is("IS") || t.is("AS"))
        && decl.get(3).is_some_and(|t| t.is("RECORD"))
        && decl.get(4).is_some_and(|t| t.is_symbol("("))
        && decl.last().is_some_and(|t| t.is_symbol(")"))
    {
        into.records
            .insert(decl[1].upper(), decl[5..decl.len() - 1].to_vec());
    } else if let Some(collection) = first
        .is("TYPE")
        .then(|| decl.get(2).filter(|t| t.is("IS") || t.is("AS")))
        .flatten()
        .and_then(|_| crate::collection::element_type(&index_subtype_resolved(&decl[3..], into)))
    {
        into.collections.insert(decl[1].upper(), collection);
    } else if first.is("TYPE") || first.is("SUBTYPE") {
        let kind = if first.is("TYPE") { "type" } else { "subtype" };
        into.other
            .push((kind, decl.get(1).map(|t| t.upper()).unwrap_or_default()));
    } else if first.is("CURSOR") {
        into.other
            .push(("cursor", decl.get(1).map(|t| t.upper()).unwrap_or_default()));
    } else if first.is("PRAGMA") {
        // EXCEPTION_INIT(name, code) gives an exception an Oracle error number; SERIALLY_REUSABLE,
        // RESTRICT_REFERENCES: nothing to create.
        if decl.get(1).is_some_and(|t| t.is("EXCEPTION_INIT")) {
            let parts: Vec<&Token> = decl
                .iter()
                .skip(3)
                .filter(|t| !t.is_symbol(",") && !t.is_symbol(")"))
                .collect();
            if let [name, rest @ ..] = parts.as_slice() {
                let code: String = rest.iter().map(|t| t.text.as_str()).collect();
                if let Ok(code) = code.parse::<i64>() {
                    into.exception_codes.insert(name.upper(), code);
                }
            }
        }
    } else if decl.get(1).is_some_and(|t| t.is("EXCEPTION")) {
        into.other.push(("exception", name));
    } else if decl.get(1).is_some_and(|t| t.is("CONSTANT")) {
        match decl
            .iter()
            .position(|t| t.is_symbol(":=") || t.is("DEFAULT"))
        {
            Some(p) if p + 1 < decl.len() => {
                // A constant defined from earlier constants: their values, in parentheses.
                let mut value = Vec::new();
                for t in &decl[p + 1..] {
                    match into
                        .constants
                        .get(&t.upper())
                        .filter(|_| t.kind == TokenKind::Word)
                    {
                        Some(earlier) => {
                            value.push(Token {
                                kind: TokenKind::Symbol,
                                text: "(".into(),
                                ..t.clone()
                            });
                            value.extend(earlier.iter().cloned());
                            value.push(Token {
                                kind: TokenKind::Symbol,
                                text: ")".into(),
                                ..t.clone()
                            });
                        }
                        None => value.push(t.clone()),
                    }
                }
                into.constants.insert(name, value);
            }
            _ => {
                into.variables.insert(name);
            }
        }
    } else if first.kind == TokenKind::Word || first.kind == TokenKind::QuotedIdent {
        if let Some(p) = decl
            .iter()
            .position(|t| t.is_symbol(":=") || t.is("DEFAULT"))
        {
            into.initial_values
                .insert(name.clone(), decl[p + 1..].to_vec());
        }
        into.variables.insert(name);
    }
}

/// Reads a package spec: the tokens after `PACKAGE name IS|AS` up to its final END.
pub fn read_spec(tokens: &[Token]) -> Declarations {
    let mut d = Declarations::default();
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        if t.is("END")
            && tokens[k + 1..]
                .iter()
                .all(|x| x.kind == TokenKind::Word || x.is_symbol(";"))
        {
            break;
        }
        if t.is("PROCEDURE") || t.is("FUNCTION") {
            if t.is("FUNCTION") && callable_without_arguments(&tokens[k + 1..]) {
                d.parameterless_functions.insert(tokens[k + 1].upper());
            }
            k = subprogram_end(tokens, k).map_or(tokens.len(), |(e, _)| e + 1);
            continue;
        }
        let end = statement_end(tokens, k);
        declaration(&tokens[k..end], &mut d);
        k = end + 1;
    }
    d
}

/// Cuts a package body (the tokens after `PACKAGE BODY name IS|AS`) into members, declarations and the
/// initialization section.
pub fn split_body(tokens: &[Token]) -> Result<Body<'_>, String> {
    let mut body = Body {
        members: Vec::new(),
        declarations: Declarations::default(),
        initialization: None,
    };
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        if t.is("PROCEDURE") || t.is("FUNCTION") {
            let (end, has_body) = subprogram_end(tokens, k)
                .ok_or_else(|| format!("routine at line {} has no matching END", t.line))?;
            if has_body {
                let name = tokens.get(k + 1).ok_or("a routine without a name")?;
                body.members.push(Member {
                    kind: if t.is("PROCEDURE") {
                        UnitKind::Procedure
                    } else {
                        UnitKind::Function
                    },
                    name: name.upper(),
                    tokens: &tokens[k + 1..=end],
                    line: t.line,
                });
            }
            k = end + 1;
            continue;
        }
        if t.is("BEGIN") {
            let end = tokens
                .iter()
                .rposition(|x| x.is("END"))
                .unwrap_or(tokens.len());
            body.initialization = Some(&tokens[k + 1..end.max(k + 1)]);
            break;
        }
        if t.is("END") {
            break;
        }
        let end = statement_end(tokens, k);
        declaration(&tokens[k..end], &mut body.declarations);
        k = end + 1;
    }
    Ok(body)
}

/// Everything the converter knows about the input's packages, by upper-case Oracle name.
#[derive(Default)]
pub struct Packages {
    pub specs: BTreeMap<String, Declarations>,
}

/// The member being prepared: its package, the package's declarations, its sibling members and the
/// package collection variables it works on through local copies (left as they are).
#[derive(Clone, Copy)]
struct MemberScope<'a> {
    package: &'a str,
    own: &'a Declarations,
    siblings: &'a BTreeSet<String>,
    copies: &'a BTreeSet<String>,
}

impl Packages {
    /// A member's tokens ready for the routine converter: constants of its own package (unqualified or
    /// qualified) and of other packages (qualified) inlined in parentheses, calls to its siblings
    /// qualified with the package. Refuses a member that reads or writes package variables.
    pub fn prepare_member(
        &self,
        package: &str,
        own: &Declarations,
        siblings: &BTreeSet<String>,
        tokens: &[Token],
    ) -> Result<Vec<Token>, String> {
        let (tokens, copies) = self.local_copies(package, own, siblings, tokens)?;
        let scope = MemberScope {
            package,
            own,
            siblings,
            copies: &copies,
        };
        self.prepare_tokens(&scope, &tokens, true)
    }

    /// The package collection variables `tokens` uses, worked on through local copies (see
    /// `package_collections`): the member's tokens with the copies in place, and their names.
    fn local_copies(
        &self,
        package: &str,
        own: &Declarations,
        siblings: &BTreeSet<String>,
        tokens: &[Token],
    ) -> Result<(Vec<Token>, BTreeSet<String>), String> {
        use crate::package_collections::{with_local_copies, LocalCopy};
        let used = |v: &str| {
            tokens.iter().enumerate().skip(1).any(|(k, t)| {
                t.upper() == v
                    && (k < 2 || !tokens[k - 1].is_symbol(".") || tokens[k - 2].upper() == package)
            })
        };
        let mut copies = Vec::new();
        for variable in &own.variables {
            let Some(declared) = own.declared_types.get(variable) else {
                continue;
            };
            // The package's own collection type, or another package's (PKG.T).
            let (type_name, found) = match declared.as_slice() {
                [t] => (t.upper(), own.collections.get(&t.upper()).map(|(_, k)| *k)),
                [p, dot, t] if dot.is_symbol(".") && p.upper() == package => {
                    (t.upper(), own.collections.get(&t.upper()).map(|(_, k)| *k))
                }
                [p, dot, t] if dot.is_symbol(".") => {
                    let name = format!("{}.{}", p.upper(), t.upper());
                    let found = match self.specs.get(&p.upper()) {
                        Some(spec) => spec.collections.get(&t.upper()).map(|(_, k)| *k),
                        None => crate::collection::oracle_supplied()
                            .get(&name)
                            .map(|(_, k)| *k),
                    };
                    (name, found)
                }
                _ => continue,
            };
            let Some(kind) = found else {
                continue;
            };
            if !used(variable) || own.sparse_variables.contains(variable) {
                continue;
            }
            let initial = match own.initial_values.get(variable).map(Vec::as_slice) {
                None if kind.starts_empty() => "'{}'".to_string(),
                None => "NULL".to_string(),
                Some([t, open, close])
                    if t.upper() == type_name && open.is_symbol("(") && close.is_symbol(")") =>
                {
                    "'{}'".to_string()
                }
                Some(_) => {
                    return Err(format!(
                        "package variable {package}.{variable} has a computed initial value, which is not converted yet"
                    ))
                }
            };
            copies.push(LocalCopy {
                name: variable.clone(),
                declared: tokenize(&type_name, 0),
                setting: setting_literal(package, variable),
                initial,
                passed: true,
            });
        }
        // Records holding collections (and collections of collections): jsonb documents.
        let schema = pg_name_text(package);
        let types = crate::package_documents::Types {
            package,
            schema: &schema,
            own,
        };
        let mut documents = Vec::new();
        for variable in &own.variables {
            if copies.iter().any(|c| c.name == *variable) {
                continue;
            }
            let Some(shape) = types.document(variable, own.sparse_variables.contains(variable))
            else {
                continue;
            };
            if !used(variable) {
                continue;
            }
            let shape = shape.map_err(|why| {
                format!("package variable {package}.{variable} holds collections, and cannot be kept as a jsonb document: {why} is not converted yet")
            })?;
            if own.initial_values.contains_key(variable) {
                return Err(format!(
                    "package variable {package}.{variable} holds collections and has an initial value, which is not converted yet"
                ));
            }
            copies.push(LocalCopy {
                name: variable.clone(),
                declared: tokenize("JSON", 0),
                setting: setting_literal(package, variable),
                initial: crate::expr::literal(&shape.initial()),
                passed: false,
            });
            documents.push((variable.clone(), shape));
        }
        // Scalars passed as a call's argument may be a procedure's OUT argument, which needs a
        // variable: they get a local copy too.
        for variable in &own.variables {
            let Some(declared) = own.declared_types.get(variable) else {
                continue;
            };
            let scalar = matches!(declared.as_slice(), [t] if SCALAR_TYPES.contains(&t.upper().as_str()))
                || matches!(declared.as_slice(), [t, open, ..] if open.is_symbol("(") && SCALAR_TYPES.contains(&t.upper().as_str()));
            if !scalar || !crate::package_collections::passed_as_argument(tokens, variable) {
                continue;
            }
            let initial = match own.initial_values.get(variable).map(Vec::as_slice) {
                None => "NULL".to_string(),
                Some([t]) if t.is("NULL") => "NULL".to_string(),
                Some([t]) if t.kind == TokenKind::String => crate::expr::literal(&t.string_value()),
                Some([t]) if t.kind == TokenKind::Number || t.is("TRUE") || t.is("FALSE") => {
                    format!("'{}'", t.text.to_lowercase())
                }
                Some([minus, t]) if minus.is_symbol("-") && t.kind == TokenKind::Number => {
                    format!("'-{}'", t.text)
                }
                Some(_) => continue,
            };
            copies.push(LocalCopy {
                name: variable.clone(),
                declared: setting_type(declared),
                setting: setting_literal(package, variable),
                initial,
                passed: true,
            });
        }
        if copies.is_empty() {
            return Ok((tokens.to_vec(), BTreeSet::new()));
        }
        let names: BTreeSet<String> = copies.iter().map(|c| c.name.clone()).collect();
        // `PKG.V` is the copy too.
        let mut unqualified = Vec::with_capacity(tokens.len());
        let mut k = 0;
        while k < tokens.len() {
            if tokens[k].upper() == package
                && tokens.get(k + 1).is_some_and(|d| d.is_symbol("."))
                && tokens
                    .get(k + 2)
                    .is_some_and(|v| names.contains(&v.upper()))
                && !(k > 0 && tokens[k - 1].is_symbol("."))
            {
                k += 2;
                continue;
            }
            unqualified.push(tokens[k].clone());
            k += 1;
        }
        const NOT_CALLS: &[&str] = &[
            "NULL",
            "RETURN",
            "EXIT",
            "CONTINUE",
            "RAISE",
            "COMMIT",
            "ROLLBACK",
            "SAVEPOINT",
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "MERGE",
            "OPEN",
            "FETCH",
            "CLOSE",
            "EXECUTE",
            "PIPE",
            "GOTO",
            "FORALL",
            "WITH",
            "SET",
            "LOCK",
            "DBMS_OUTPUT",
        ];
        let calls = |s: &[Token]| {
            let named_call = s.iter().enumerate().any(|(i, t)| {
                let after_dot = i > 0 && s[i - 1].is_symbol(".");
                t.kind == TokenKind::Word
                    && !after_dot
                    && (siblings.contains(&t.upper())
                        || (self.specs.contains_key(&t.upper())
                            && s.get(i + 1).is_some_and(|d| d.is_symbol("."))))
            });
            let call_statement = s.first().is_some_and(|t| {
                t.kind == TokenKind::Word
                    && !names.contains(&t.upper())
                    && !NOT_CALLS.iter().any(|w| t.is(w))
            }) && !s.iter().any(|t| t.is_symbol(":="));
            named_call || call_statement
        };
        let mut temp_declared = false;
        for (variable, shape) in &documents {
            let (rewritten, temp) =
                crate::package_documents::rewrite(&unqualified, variable, shape, &calls)?;
            unqualified = rewritten;
            if temp && !temp_declared {
                temp_declared = true;
                let begin = crate::package_collections::top_level_begin(&unqualified)
                    .ok_or("a member without BEGIN")?;
                let line = unqualified[begin].line;
                unqualified.splice(begin..begin, tokenize("godwit_doc_value JSON;", line));
            }
        }
        let tokens = with_local_copies(&unqualified, &copies, &calls)?;
        Ok((tokens, names))
    }

    fn prepare_tokens(
        &self,
        scope: &MemberScope,
        tokens: &[Token],
        skip_first: bool,
    ) -> Result<Vec<Token>, String> {
        let MemberScope {
            package,
            own,
            siblings,
            copies,
        } = *scope;
        let first = if skip_first { 1 } else { 0 };
        let symbol = |text: &str, line: u32| Token {
            kind: TokenKind::Symbol,
            text: text.into(),
            line,
            unterminated: false,
        };
        let word = |text: &str, line: u32| Token {
            kind: TokenKind::Word,
            text: text.into(),
            line,
            unterminated: false,
        };
        let mut out = Vec::with_capacity(tokens.len());
        let mut k = 0;
        // Inside SQL a bare name is a column before it is a function, as in Oracle's resolution.
        let mut in_sql = false;
        while k < tokens.len() {
            let t = &tokens[k];
            if crate::plsql::starts_statement(tokens, k) {
                in_sql = [
                    "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "CURSOR", "OPEN",
                ]
                .iter()
                .any(|w| t.is(w));
            }
            let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
            let is_name = matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent);
            if !is_name || after_dot {
                out.push(t.clone());
                k += 1;
                continue;
            }
            let upper = t.upper();
            // PKG.NAME: a constant or variable of a known package.
            if tokens.get(k + 1).is_some_and(|d| d.is_symbol(".")) {
                if let (Some(spec), Some(member)) = (self.specs.get(&upper), tokens.get(k + 2)) {
                    let m = member.upper();
                    let decl = if upper == package { own } else { spec };
                    if let Some(value) = decl.constants.get(&m).or_else(|| spec.constants.get(&m)) {
                        out.push(symbol("(", t.line));
                        out.extend(value.iter().cloned());
                        out.push(symbol(")", t.line));
                        k += 3;
                        continue;
                    }
                    if decl.records.contains_key(&m) || spec.records.contains_key(&m) {
                        out.push(word(&pg_name_text(&upper), t.line));
                        out.push(symbol(".", t.line));
                        out.push(word(&pg_name_text(&m), t.line));
                        k += 3;
                        continue;
                    }
                    if upper == package && own.collections.contains_key(&m) {
                        // The package's own collection type, in scope unqualified.
                        out.push(tokens[k + 2].clone());
                        k += 3;
                        continue;
                    }
                    if let Some(base) = decl.subtypes.get(&m).or_else(|| spec.subtypes.get(&m)) {
                        out.extend(base.iter().cloned());
                        k += 3;
                        continue;
                    }
                    if let Some((kind, _)) =
                        decl.other.iter().chain(&spec.other).find(|(_, n)| *n == m)
                    {
                        return Err(format!(
                            "uses package {kind} {upper}.{m}, which is not converted yet"
                        ));
                    }
                    let anchored = tokens.get(k + 3).is_some_and(|p| p.is_symbol("%"))
                        && tokens.get(k + 4).is_some_and(|p| p.is("TYPE"));
                    if let Some(declared) = decl
                        .declared_types
                        .get(&m)
                        .or_else(|| spec.declared_types.get(&m))
                        .filter(|_| anchored)
                    {
                        out.extend(declared.iter().cloned());
                        k += 5;
                        continue;
                    }
                    if upper == package && copies.contains(&m) {
                        // PKG.V of a collection the member works on through its local copy.
                        out.push(tokens[k + 2].clone());
                        k += 3;
                        continue;
                    }
                    if decl.variables.contains(&m) || spec.variables.contains(&m) {
                        let owner = if decl.variables.contains(&m) {
                            decl
                        } else {
                            spec
                        };
                        let state = State {
                            package: &upper,
                            variable: &m,
                            owner,
                        };
                        k = self.state_access(&state, scope, tokens, k, k + 3, &mut out)?;
                        continue;
                    }
                }
                if let Some(spec) = self.specs.get(&upper) {
                    let m = tokens.get(k + 2).map(|m| m.upper()).unwrap_or_default();
                    let parameterless = spec.parameterless_functions.contains(&m)
                        || (upper == package && own.parameterless_functions.contains(&m));
                    if parameterless
                        && !in_sql
                        && !tokens.get(k + 3).is_some_and(|p| p.is_symbol("("))
                    {
                        // PKG.F without parentheses: PostgreSQL needs them.
                        out.extend(tokens[k..k + 3].iter().cloned());
                        out.push(symbol("(", t.line));
                        out.push(symbol(")", t.line));
                        k += 3;
                        continue;
                    }
                    out.push(t.clone());
                    k += 1;
                    continue;
                }
                // Not a package: a record variable (`v.field`), a table alias, … (below).
            }
            let declared_other = |d: &Declarations| {
                d.other
                    .iter()
                    .find(|(_, n)| *n == upper)
                    .map(|(kind, _)| *kind)
            };
            if let Some(kind) = declared_other(own) {
                return Err(format!(
                    "uses package {kind} {upper}, which is not converted yet"
                ));
            }
            let before_end = k > 0 && tokens[k - 1].is("END");
            if k >= first && !before_end {
                if let Some(value) = own.constants.get(&upper) {
                    out.push(symbol("(", t.line));
                    out.extend(value.iter().cloned());
                    out.push(symbol(")", t.line));
                    k += 1;
                    continue;
                }
                if own.records.contains_key(&upper) {
                    out.push(word(&pg_name_text(package), t.line));
                    out.push(symbol(".", t.line));
                    out.push(word(&pg_name_text(&upper), t.line));
                    k += 1;
                    continue;
                }
                if let Some(base) = own.subtypes.get(&upper) {
                    out.extend(base.iter().cloned());
                    k += 1;
                    continue;
                }
                let anchored = tokens.get(k + 1).is_some_and(|p| p.is_symbol("%"))
                    && tokens.get(k + 2).is_some_and(|p| p.is("TYPE"));
                if let Some(declared) = own.declared_types.get(&upper).filter(|_| anchored) {
                    out.extend(declared.iter().cloned());
                    k += 3;
                    continue;
                }
                if copies.contains(&upper) {
                    out.push(t.clone());
                    k += 1;
                    continue;
                }
                if own.variables.contains(&upper) {
                    let state = State {
                        package,
                        variable: &upper,
                        owner: own,
                    };
                    k = self.state_access(&state, scope, tokens, k, k + 1, &mut out)?;
                    continue;
                }
                let called_bare = own.parameterless_functions.contains(&upper)
                    && !in_sql
                    && !crate::plsql::starts_statement(tokens, k)
                    && !tokens
                        .get(k + 1)
                        .is_some_and(|n| n.is_symbol("(") || n.is_symbol(":=") || n.is_symbol("."));
                if siblings.contains(&upper) && called_bare {
                    // A sibling function called without parentheses: PostgreSQL needs them.
                    out.push(word(&pg_name_text(package), t.line));
                    out.push(symbol(".", t.line));
                    out.push(t.clone());
                    out.push(symbol("(", t.line));
                    out.push(symbol(")", t.line));
                    k += 1;
                    continue;
                }
                if siblings.contains(&upper)
                    && tokens
                        .get(k + 1)
                        .is_some_and(|n| n.is_symbol("(") || n.is_symbol(";"))
                {
                    out.push(word(&pg_name_text(package), t.line));
                    out.push(symbol(".", t.line));
                    out.push(t.clone());
                    k += 1;
                    continue;
                }
            }
            out.push(t.clone());
            k += 1;
        }
        Ok(out)
    }
}

/// A collection type's definition with a subtype of the package after INDEX BY replaced by its base
/// type (`INDEX BY tp_author` where `SUBTYPE tp_author IS VARCHAR2(…)`).
fn index_subtype_resolved(definition: &[Token], into: &Declarations) -> Vec<Token> {
    let mut out = definition.to_vec();
    if let Some(by) = definition
        .windows(2)
        .position(|w| w[0].is("INDEX") && w[1].is("BY"))
    {
        if let Some(base) = definition
            .get(by + 2)
            .and_then(|t| into.subtypes.get(&t.upper()))
        {
            out.splice(by + 2..by + 3, base.iter().cloned());
        }
    }
    out
}

/// The variables of `candidates` (upper case) whose single elements `tokens` delete:
/// `v.DELETE(i)`, `pkg.v.DELETE(i)`.
pub fn deleted_by_element(tokens: &[Token], candidates: &BTreeSet<String>) -> BTreeSet<String> {
    (0..tokens.len().saturating_sub(4))
        .filter(|&k| {
            tokens[k + 2].is("DELETE")
                && tokens[k + 1].is_symbol(".")
                && tokens[k + 3].is_symbol("(")
                && !tokens[k + 4].is_symbol(")")
                && candidates.contains(&tokens[k].upper())
        })
        .map(|k| tokens[k].upper())
        .collect()
}

/// Whether the body assigns `variable` (upper case): `v :=`, `v(i) :=`, `v(i).f[.g…] :=`,
/// `v.EXTEND/DELETE/TRIM`, `INTO v`.
pub fn assigned(tokens: &[Token], variable: &str) -> bool {
    // The token after a field path `.a.b…` starting at `at`.
    let after_fields = |mut at: usize| {
        while tokens.get(at).is_some_and(|d| d.is_symbol("."))
            && tokens
                .get(at + 1)
                .is_some_and(|w| w.kind == TokenKind::Word)
        {
            at += 2;
        }
        tokens.get(at)
    };
    (0..tokens.len()).any(|k| {
        let t = &tokens[k];
        if t.upper() != variable || (k > 0 && tokens[k - 1].is_symbol(".")) {
            return false;
        }
        let next = tokens.get(k + 1);
        next.is_some_and(|n| n.is_symbol(":="))
            || (k > 0 && tokens[k - 1].is("INTO"))
            || (next.is_some_and(|n| n.is_symbol("("))
                && crate::cursor::matching_paren(tokens, k + 1)
                    .and_then(|c| after_fields(c + 1))
                    .is_some_and(|n| n.is_symbol(":=")))
            || (next.is_some_and(|n| n.is_symbol("."))
                && tokens
                    .get(k + 2)
                    .is_some_and(|m| m.is("EXTEND") || m.is("DELETE") || m.is("TRIM")))
    })
}

/// Whether the name at `k` is a target of SELECT/FETCH … INTO.
fn is_into_target(tokens: &[Token], k: usize) -> bool {
    !crate::plsql::starts_statement(tokens, k)
        && (tokens[k - 1].is("INTO") || tokens[k - 1].is_symbol(","))
        && tokens[k.saturating_sub(20)..k].iter().any(|t| t.is("INTO"))
}

/// Types a package variable kept in a session setting may have (its value is written as text).
const SCALAR_TYPES: &[&str] = &[
    "NUMBER",
    "INTEGER",
    "PLS_INTEGER",
    "BINARY_INTEGER",
    "SIMPLE_INTEGER",
    "NATURAL",
    "POSITIVE",
    "VARCHAR2",
    "VARCHAR",
    "NVARCHAR2",
    "CHAR",
    "NCHAR",
    "DATE",
    "TIMESTAMP",
    "BOOLEAN",
    "CLOB",
    "FLOAT",
    "BINARY_DOUBLE",
    "BINARY_FLOAT",
    "BLOB",
    "RAW",
    "NCLOB",
    "LONG",
];

/// A package variable being read or written.
struct State<'a> {
    package: &'a str,
    variable: &'a str,
    owner: &'a Declarations,
}

/// PL/SQL types whose PostgreSQL spelling the type converter does not know.
fn setting_type(declared: &[Token]) -> Vec<Token> {
    match declared {
        [t] if crate::types::is_plsql_integer(t) => {
            vec![Token {
                text: "INTEGER".into(),
                ..t.clone()
            }]
        }
        _ => declared.to_vec(),
    }
}

/// Tokens for a fixed piece of SQL: words, symbols and the setting's name as a string.
fn pieces(parts: &[&str], setting: &Token, line: u32) -> Vec<Token> {
    parts
        .iter()
        .map(|p| {
            if *p == "SETTING" {
                return setting.clone();
            }
            let kind = if p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                TokenKind::Word
            } else {
                TokenKind::Symbol
            };
            Token {
                kind,
                text: (*p).into(),
                line,
                unterminated: false,
            }
        })
        .collect()
}

impl Packages {
    /// Rewrites one use of a package variable whose name spans `start..after`: `v := expr;` becomes
    /// `PERFORM godwit_compat.pkg_set('godwit.pkg__v', CAST((expr) AS text));`, a read becomes
    /// `CAST(godwit_compat.pkg_get('godwit.pkg__v', CAST(initial AS text)) AS type)`. Returns the index
    /// to continue from.
    #[allow(clippy::too_many_arguments)]
    fn state_access(
        &self,
        state: &State,
        member: &MemberScope,
        tokens: &[Token],
        start: usize,
        after: usize,
        out: &mut Vec<Token>,
    ) -> Result<usize, String> {
        let (package, variable) = (state.package, state.variable);
        let line = tokens[start].line;
        let setting = Token {
            kind: TokenKind::String,
            text: setting_literal(package, variable),
            line,
            unterminated: false,
        };
        let Some(declared) = state.owner.declared_types.get(variable) else {
            return Err(format!(
                "package variable {package}.{variable} has no type Godwit understands"
            ));
        };
        // A subtype of another package: its base type.
        let resolved;
        let declared = match declared.as_slice() {
            // A UTL_FILE handle is the integer id of an open file (see the `files` helpers).
            [pkg, dot, name]
                if pkg.is("UTL_FILE") && dot.is_symbol(".") && name.is("FILE_TYPE") =>
            {
                resolved = godwit_oracle::tokenize("PLS_INTEGER", pkg.line);
                &resolved
            }
            [pkg, dot, name] if dot.is_symbol(".") => {
                match self
                    .specs
                    .get(&pkg.upper())
                    .and_then(|spec| spec.subtypes.get(&name.upper()))
                {
                    Some(base) => {
                        resolved = base.clone();
                        &resolved
                    }
                    None => declared,
                }
            }
            _ => declared,
        };
        let type_name = declared.first().map(|t| t.upper()).unwrap_or_default();
        let scalar = SCALAR_TYPES;
        let record = declared.len() == 1 && state.owner.records.contains_key(&type_name);
        if record {
            return self.record_access(state, member, tokens, start, after, &setting, out);
        }
        if !scalar.contains(&type_name.as_str()) || declared.iter().any(|t| t.is_symbol("%")) {
            return Err(format!(
                "package variable {package}.{variable} is of type {type_name}, which a session setting cannot hold"
            ));
        }
        if tokens.get(after).is_some_and(|t| t.is_symbol(".")) {
            return Err(format!(
                "uses the fields of package variable {variable}, which is not a record"
            ));
        }
        let statement_start = crate::plsql::starts_statement(tokens, start);
        if is_into_target(tokens, start) {
            return Err(format!(
                "package variable {package}.{variable} is a SELECT/FETCH INTO target, which is not converted yet"
            ));
        }
        if statement_start && tokens.get(after).is_some_and(|t| t.is_symbol(":=")) {
            let end = statement_end(tokens, after + 1);
            let value = self.prepare_tokens(member, &tokens[after + 1..end], false)?;
            out.extend(pieces(
                &[
                    "PERFORM",
                    "godwit_compat",
                    ".",
                    "pkg_set",
                    "(",
                    "SETTING",
                    ",",
                    "CAST",
                    "(",
                    "(",
                ],
                &setting,
                line,
            ));
            out.extend(value);
            out.extend(pieces(&[")", "AS", "TEXT", ")", ")"], &setting, line));
            return Ok(end);
        }
        let initial = state.owner.initial_values.get(variable);
        if initial.is_some_and(|init| !constant_initial_value(init, &state.owner.collections)) {
            return Err(format!(
                "package variable {package}.{variable} has a computed initial value, which is not converted yet"
            ));
        }
        out.extend(pieces(
            &[
                "CAST",
                "(",
                "godwit_compat",
                ".",
                "pkg_get",
                "(",
                "SETTING",
                ",",
                "CAST",
                "(",
            ],
            &setting,
            line,
        ));
        match initial {
            Some(init) => out.extend(init.iter().cloned()),
            None => out.extend(pieces(&["NULL"], &setting, line)),
        }
        out.extend(pieces(&["AS", "TEXT", ")", ")", "AS"], &setting, line));
        out.extend(setting_type(declared));
        out.extend(pieces(&[")"], &setting, line));
        Ok(after)
    }
}

impl Packages {
    /// A package variable of one of the package's record types, kept as the composite's text:
    /// `v := r;`, `v.f := x;` (through jsonb_populate_record), reads of `v` and `v.f`.
    #[allow(clippy::too_many_arguments)]
    fn record_access(
        &self,
        state: &State,
        member: &MemberScope,
        tokens: &[Token],
        start: usize,
        after: usize,
        setting: &Token,
        out: &mut Vec<Token>,
    ) -> Result<usize, String> {
        let (package, variable) = (state.package, state.variable);
        let line = tokens[start].line;
        let record_type = &state.owner.declared_types[variable][0];
        let pg_type = format!(
            "{}.{}",
            pg_name_text(package),
            pg_name_text(&record_type.upper())
        );
        let current = |out: &mut Vec<Token>| {
            out.extend(pieces(
                &[
                    "CAST",
                    "(",
                    "godwit_compat",
                    ".",
                    "pkg_get",
                    "(",
                    "SETTING",
                    ",",
                    "NULL",
                    ")",
                    "AS",
                ],
                setting,
                line,
            ));
            out.extend(tokenize(&pg_type, line));
            out.extend(pieces(&[")"], setting, line));
        };
        let field = tokens.get(after).is_some_and(|t| t.is_symbol("."))
            && tokens
                .get(after + 1)
                .is_some_and(|t| t.kind == TokenKind::Word);
        let end_of_reference = if field { after + 2 } else { after };
        let statement_start = crate::plsql::starts_statement(tokens, start);
        if is_into_target(tokens, start) {
            return Err(format!(
                "package variable {package}.{variable} is a SELECT/FETCH INTO target, which is not converted yet"
            ));
        }
        if statement_start
            && tokens
                .get(end_of_reference)
                .is_some_and(|t| t.is_symbol(":="))
        {
            let end = statement_end(tokens, end_of_reference + 1);
            let value = self.prepare_tokens(member, &tokens[end_of_reference + 1..end], false)?;
            out.extend(pieces(
                &[
                    "PERFORM",
                    "godwit_compat",
                    ".",
                    "pkg_set",
                    "(",
                    "SETTING",
                    ",",
                    "CAST",
                    "(",
                ],
                setting,
                line,
            ));
            if field {
                // The stored record with one field replaced.
                out.extend(tokenize("jsonb_populate_record (", line));
                current(out);
                out.extend(tokenize(", jsonb_build_object (", line));
                out.push(Token {
                    kind: TokenKind::String,
                    text: format!("'{}'", pg_name_text(&tokens[after + 1].upper())),
                    line,
                    unterminated: false,
                });
                out.extend(tokenize(", (", line));
                out.extend(value);
                out.extend(tokenize(") ) )", line));
            } else {
                out.extend(pieces(&["("], setting, line));
                out.extend(value);
                out.extend(pieces(&[")"], setting, line));
            }
            out.extend(pieces(&["AS", "TEXT", ")", ")"], setting, line));
            return Ok(end);
        }
        if field {
            out.extend(pieces(&["("], setting, line));
            current(out);
            out.extend(pieces(&[")", "."], setting, line));
            out.push(tokens[after + 1].clone());
        } else {
            current(out);
        }
        Ok(end_of_reference)
    }
}

/// The session setting holding a package variable, as an SQL literal: `'godwit.<pkg>__<var>'`.
fn setting_literal(package: &str, variable: &str) -> String {
    format!(
        "'godwit.{}__{}'",
        pg_name_text(package),
        pg_name_text(variable)
    )
}

fn pg_name_text(oracle_upper: &str) -> String {
    let token = Token {
        kind: TokenKind::Word,
        text: oracle_upper.into(),
        line: 0,
        unterminated: false,
    };
    pg_name(&token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    const BODY: &str = "
      g_count PLS_INTEGER := 0;
      c_limit CONSTANT NUMBER := 10;
      c_double CONSTANT NUMBER := c_limit * 2;
      TYPE t_list IS TABLE OF VARCHAR2(10);
      TYPE t_map IS TABLE OF NUMBER INDEX BY VARCHAR2(10);
      TYPE t_pair IS RECORD (a NUMBER, b VARCHAR2(10));
      SUBTYPE t_name IS VARCHAR2(30) NOT NULL;
      SUBTYPE t_short_name IS t_name;
      g_text VARCHAR2(4000);
      SUBTYPE t_text IS g_text%TYPE;
      FUNCTION helper(p IN NUMBER) RETURN NUMBER;
      PROCEDURE first(p IN NUMBER) IS
        v NUMBER;
        PROCEDURE local_one IS BEGIN NULL; END local_one;
      BEGIN
        IF p > 0 THEN v := CASE WHEN p > 1 THEN 2 ELSE 1 END; END IF;
        LOOP EXIT; END LOOP;
        CASE p WHEN 1 THEN NULL; ELSE NULL; END CASE;
        BEGIN NULL; EXCEPTION WHEN OTHERS THEN NULL; END;
      END first;
      FUNCTION helper(p IN NUMBER) RETURN NUMBER IS BEGIN RETURN p * c_limit; END;
      FUNCTION ext RETURN NUMBER AS LANGUAGE JAVA NAME 'X.y() return int';
    BEGIN
      g_count := 1;
    END pkg;";

    #[test]
    fn a_body_is_cut_into_whole_members() {
        let tokens = tokenize(BODY, 1);
        let body = split_body(&tokens).unwrap();
        let names: Vec<&str> = body.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["FIRST", "HELPER"]);
        let first = &body.members[0];
        assert!(first.tokens.last().unwrap().is_symbol(";"));
        assert!(
            first.tokens[first.tokens.len() - 2].is("FIRST"),
            "ends at END first;"
        );
        assert_eq!(first.line, 13);
        assert!(body.declarations.variables.contains("G_COUNT"));
        let double: Vec<&str> = body.declarations.constants["C_DOUBLE"]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(double, ["(", "10", ")", "*", "2"]);
        assert!(body.declarations.other.is_empty());
        assert!(body.declarations.collections.contains_key("T_LIST"));
        assert_eq!(
            body.declarations.collections["T_MAP"].1,
            crate::collection::Kind::ByText
        );
        assert_eq!(body.declarations.records["T_PAIR"].len(), 8);
        assert_eq!(body.initialization.unwrap()[0].upper(), "G_COUNT");
        let short: Vec<&str> = body.declarations.subtypes["T_SHORT_NAME"]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(short, ["VARCHAR2", "(", "30", ")"]);
    }

    #[test]
    fn members_get_constants_inlined_and_siblings_qualified() {
        let tokens = tokenize(BODY, 1);
        let body = split_body(&tokens).unwrap();
        let mut packages = Packages::default();
        packages.specs.insert("PKG".into(), Declarations::default());
        let siblings: BTreeSet<String> = ["FIRST".into(), "HELPER".into()].into();
        let helper = packages
            .prepare_member("PKG", &body.declarations, &siblings, body.members[1].tokens)
            .unwrap();
        let text: Vec<&str> = helper.iter().map(|t| t.text.as_str()).collect();
        assert!(text.join(" ").contains("RETURN p * ( 10 )"), "{text:?}");
        let call = tokenize("x IS BEGIN v := helper(1); pkg.helper(2); END x;", 1);
        let prepared = packages
            .prepare_member("PKG", &body.declarations, &siblings, &call)
            .unwrap();
        let text: Vec<&str> = prepared.iter().map(|t| t.text.as_str()).collect();
        assert!(text.join(" ").contains(":= pkg . helper ( 1 )"), "{text:?}");
        let typed = tokenize("x(p t_name) IS v pkg.t_short_name; BEGIN NULL; END x;", 1);
        let anchored = tokenize("x(p t_text) IS v g_text%TYPE; BEGIN NULL; END x;", 1);
        let prepared = packages
            .prepare_member("PKG", &body.declarations, &siblings, &anchored)
            .unwrap();
        let text: Vec<&str> = prepared.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            text.join(" "),
            "x ( p VARCHAR2 ( 4000 ) ) IS v VARCHAR2 ( 4000 ) ; BEGIN NULL ; END x ;"
        );
        let prepared = packages
            .prepare_member("PKG", &body.declarations, &siblings, &typed)
            .unwrap();
        let text: Vec<&str> = prepared.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            text.join(" "),
            "x ( p VARCHAR2 ( 30 ) ) IS v VARCHAR2 ( 30 ) ; BEGIN NULL ; END x ;"
        );
        let uses_state = tokenize("x IS BEGIN g_count := g_count + c_limit; END x;", 1);
        let prepared = packages
            .prepare_member("PKG", &body.declarations, &siblings, &uses_state)
            .unwrap();
        let text: Vec<&str> = prepared.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            text.join(" "),
            "x IS BEGIN PERFORM godwit_compat . pkg_set ( 'godwit.pkg__g_count' , CAST ( ( CAST ( godwit_compat . pkg_get ( 'godwit.pkg__g_count' , CAST ( 0 AS TEXT ) ) AS INTEGER ) + ( 10 ) ) AS TEXT ) ) ; END x ;"
        );
        let into = tokenize("x IS BEGIN SELECT 1 INTO g_count FROM dual; END x;", 1);
        let err = packages
            .prepare_member("PKG", &body.declarations, &siblings, &into)
            .unwrap_err();
        assert!(err.contains("INTO target"), "{err}");
    }

    #[test]
    fn a_spec_lists_constants_variables_and_other_declarations() {
        let spec = read_spec(&tokenize(
            "c_version CONSTANT VARCHAR2(10) := '1.0';
             g_debug BOOLEAN := FALSE;
             e_failed EXCEPTION;
             PRAGMA EXCEPTION_INIT(e_failed, -20001);
             CURSOR c_all IS SELECT * FROM t;
             PROCEDURE run(p IN NUMBER);
             FUNCTION f RETURN NUMBER;
           END pkg;",
            1,
        ));
        assert_eq!(spec.constants["C_VERSION"][0].text, "'1.0'");
        assert!(spec.variables.contains("G_DEBUG"));
        assert_eq!(
            spec.other,
            [
                ("exception", "E_FAILED".to_string()),
                ("cursor", "C_ALL".to_string())
            ]
        );
    }
}
