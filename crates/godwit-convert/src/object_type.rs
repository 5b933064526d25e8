//! Object type methods. `CREATE TYPE t AS OBJECT (…)` becomes a composite type; its methods, written in
//! `CREATE TYPE BODY t`, become routines in a schema named after the type:
//! - a MEMBER procedure `m(…)` becomes `t.m(INOUT self t, …)`, a MEMBER function `t.m(self t, …)`;
//! - a STATIC method keeps its parameters;
//! - a user-defined constructor `t(…) RETURN SELF AS RESULT` becomes the function `t.t(…)`, which
//!   starts from an empty `self` and returns it.
//!
//! Inside a method, attributes and sibling methods named without `self.` get it. Elsewhere a call
//! `v.m(args)` on a variable of the type becomes `t.m(v, args)` (a procedure's CALL hands `self` back
//! to `v`), and `t(args)` calls the user-defined constructor when one takes that many arguments.

use crate::cursor::{matching_paren, split_commas};
use crate::plsql::UnitKind;
use godwit_oracle::{tokenize, Token, TokenKind};
use std::collections::{BTreeMap, BTreeSet};

/// What callers and method bodies need to know about an object type with methods.
#[derive(Clone, Debug, Default)]
pub struct ObjectMethods {
    /// The Oracle type name (upper case), as declarations write it.
    pub type_name: String,
    /// Schema of the methods' routines.
    pub schema: String,
    /// Attribute names (upper case).
    pub attributes: Vec<String>,
    /// MEMBER methods (upper case) and whether each is a procedure or a function.
    pub members: BTreeMap<String, UnitKind>,
    /// STATIC methods (upper case).
    pub statics: BTreeSet<String>,
    /// User-defined constructors: the fewest and most arguments each takes.
    pub constructors: Vec<(usize, usize)>,
}

/// What a method is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Member,
    Static,
    Constructor,
}

/// One method of a type spec: role, procedure or function, name (upper case) and, for a
/// constructor, how many arguments it takes at least and at most.
pub fn method_spec(part: &[Token]) -> Option<(Role, UnitKind, String, (usize, usize))> {
    let mut k = 0;
    let mut role = Role::Member;
    while let Some(t) = part.get(k) {
        if t.is("STATIC") {
            role = Role::Static;
        } else if t.is("CONSTRUCTOR") {
            role = Role::Constructor;
        } else if !(t.is("MEMBER")
            || t.is("MAP")
            || t.is("ORDER")
            || t.is("OVERRIDING")
            || t.is("FINAL")
            || t.is("INSTANTIABLE")
            || t.is("NOT"))
        {
            break;
        }
        k += 1;
    }
    let kind = match part.get(k) {
        Some(t) if t.is("PROCEDURE") => UnitKind::Procedure,
        Some(t) if t.is("FUNCTION") => UnitKind::Function,
        _ => return None,
    };
    let name = part.get(k + 1)?.upper();
    let arity = match part.get(k + 2) {
        Some(open) if open.is_symbol("(") => {
            let close = matching_paren(part, k + 2)?;
            let params = split_commas(&part[k + 3..close]);
            let optional = params
                .iter()
                .filter(|p| p.iter().any(|t| t.is("DEFAULT") || t.is_symbol(":=")))
                .count();
            (params.len() - optional, params.len())
        }
        _ => (0, 0),
    };
    Some((role, kind, name, arity))
}

/// One method of a type body, its role words removed: tokens from its name to the `;` after its END.
pub struct BodyMember {
    pub role: Role,
    pub kind: UnitKind,
    pub name: String,
    pub tokens: Vec<Token>,
    pub line: u32,
}

/// The methods of a type body (the tokens after `TYPE BODY name AS|IS`).
pub fn split_body(tokens: &[Token]) -> Result<Vec<BodyMember>, String> {
    // The role words go, so that the package body splitter sees PROCEDURE/FUNCTION members.
    let mut plain = Vec::with_capacity(tokens.len());
    let mut roles = Vec::new();
    let mut role = Role::Member;
    for t in tokens {
        if t.is("STATIC") {
            role = Role::Static;
        } else if t.is("CONSTRUCTOR") {
            role = Role::Constructor;
        } else if t.is("MEMBER") || t.is("MAP") || t.is("ORDER") || t.is("OVERRIDING") {
            continue;
        } else {
            if t.is("PROCEDURE") || t.is("FUNCTION") {
                roles.push(role);
                role = Role::Member;
            }
            plain.push(t.clone());
        }
    }
    // The role of each PROCEDURE/FUNCTION keyword, by its line and the name after it.
    let mut role_of: BTreeMap<(u32, String), Role> = BTreeMap::new();
    let keywords = plain
        .iter()
        .enumerate()
        .filter(|(_, t)| t.is("PROCEDURE") || t.is("FUNCTION"));
    for ((j, t), role) in keywords.zip(&roles) {
        if let Some(name) = plain.get(j + 1) {
            role_of.entry((t.line, name.upper())).or_insert(*role);
        }
    }
    let body = crate::package::split_body(&plain)?;
    if !body.declarations.variables.is_empty() || body.initialization.is_some() {
        return Err("a type body with declarations or statements outside its methods".into());
    }
    let mut out = Vec::new();
    for member in body.members {
        let role = role_of
            .get(&(member.line, member.name.clone()))
            .copied()
            .unwrap_or(Role::Member);
        out.push(BodyMember {
            role,
            kind: member.kind,
            name: member.name,
            tokens: member.tokens.to_vec(),
            line: member.line,
        });
    }
    Ok(out)
}

/// A method's tokens ready for the routine converter: `self` as the first parameter of a member,
/// a constructor returning the type from an empty `self`, attributes and sibling methods named
/// without `self.` given it, siblings qualified with the methods' schema.
pub fn prepare_member(member: &BodyMember, methods: &ObjectMethods) -> Result<Vec<Token>, String> {
    let tokens = &member.tokens;
    let line = member.line;
    let type_name = methods.type_name.to_lowercase();
    let mut out: Vec<Token> = vec![tokens[0].clone()];
    let mut k = 1;
    // Parameters.
    let group = match tokens.get(1) {
        Some(open) if open.is_symbol("(") => {
            let close = matching_paren(tokens, 1).ok_or("unbalanced parameter list")?;
            Some((2, close))
        }
        _ => None,
    };
    let mut shadowed: BTreeSet<String> = BTreeSet::new();
    if let Some((from, close)) = group {
        for p in split_commas(&tokens[from..close]) {
            if let Some(n) = p.first() {
                shadowed.insert(n.upper());
            }
        }
    }
    let explicit_self = shadowed.contains("SELF");
    match (member.role, group) {
        (Role::Member, _) if !explicit_self => {
            let mode = if member.kind == UnitKind::Procedure {
                "IN OUT"
            } else {
                "IN"
            };
            out.extend(tokenize(&format!("( self {mode} {type_name}"), line));
            match group {
                Some((from, close)) => {
                    out.extend(tokenize(",", line));
                    out.extend(tokens[from..=close].iter().cloned());
                    k = close + 1;
                }
                None => out.extend(tokenize(")", line)),
            }
        }
        (_, Some((_, close))) => {
            out.extend(tokens[1..=close].iter().cloned());
            k = close + 1;
        }
        (_, None) => {}
    }
    if member.role == Role::Member && member.kind == UnitKind::Function {
        if let Some((from, close)) = group {
            let self_param = split_commas(&tokens[from..close])
                .into_iter()
                .find(|p| p.first().is_some_and(|n| n.is("SELF")));
            if self_param.is_some_and(|p| p.iter().any(|t| t.is("OUT"))) {
                return Err(format!(
                    "member function {} changes SELF (IN OUT), which a PostgreSQL function cannot hand back",
                    member.name
                ));
            }
        }
    }
    // RETURN SELF AS RESULT → RETURN type, and an empty self to fill.
    let constructor = member.role == Role::Constructor;
    if constructor {
        let returns_self = tokens.get(k).is_some_and(|t| t.is("RETURN"))
            && tokens.get(k + 1).is_some_and(|t| t.is("SELF"))
            && tokens.get(k + 2).is_some_and(|t| t.is("AS"))
            && tokens.get(k + 3).is_some_and(|t| t.is("RESULT"));
        if !returns_self {
            return Err("a constructor without RETURN SELF AS RESULT".into());
        }
        out.extend(tokenize(&format!("RETURN {type_name}"), line));
        k += 4;
    }
    // Up to IS/AS.
    while k < tokens.len() && !(tokens[k].is("IS") || tokens[k].is("AS")) {
        out.push(tokens[k].clone());
        k += 1;
    }
    if k < tokens.len() {
        out.push(tokens[k].clone());
        k += 1;
    }
    if constructor {
        out.extend(tokenize(&format!("self {type_name};"), line));
    }
    // Local declarations shadow attributes.
    if let Some(begin) = (k..tokens.len()).find(|&j| tokens[j].is("BEGIN")) {
        for decl in tokens[k..begin].split(|t| t.is_symbol(";")) {
            if let Some(n) = decl.first() {
                shadowed.insert(n.upper());
            }
        }
    }
    let schema = &methods.schema;
    while k < tokens.len() {
        let t = &tokens[k];
        let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
        let upper = t.upper();
        let start = crate::plsql::starts_statement(tokens, k);
        if constructor
            && start
            && t.is("RETURN")
            && tokens.get(k + 1).is_some_and(|n| n.is_symbol(";"))
        {
            out.extend(tokenize("RETURN self", t.line));
            k += 1;
            continue;
        }
        if t.kind != TokenKind::Word || after_dot || shadowed.contains(&upper) {
            out.push(t.clone());
            k += 1;
            continue;
        }
        if methods.members.contains_key(&upper) {
            // A sibling member: schema.m(self[, args]).
            out.extend(tokenize(
                &format!("{schema}.{}", t.text.to_lowercase()),
                t.line,
            ));
            match tokens.get(k + 1) {
                Some(open) if open.is_symbol("(") => {
                    let empty = tokens.get(k + 2).is_some_and(|c| c.is_symbol(")"));
                    out.extend(tokenize(if empty { "(self" } else { "(self," }, t.line));
                    k += 2;
                }
                _ => {
                    out.extend(tokenize("(self)", t.line));
                    k += 1;
                }
            }
            continue;
        }
        if methods.statics.contains(&upper) {
            out.extend(tokenize(
                &format!("{schema}.{}", t.text.to_lowercase()),
                t.line,
            ));
            k += 1;
            continue;
        }
        let field_of_record = tokens.get(k + 1).is_some_and(|n| n.is_symbol("("));
        if methods.attributes.contains(&upper) && !field_of_record {
            out.extend(tokenize("self.", t.line));
            out.push(t.clone());
            k += 1;
            continue;
        }
        out.push(t.clone());
        k += 1;
    }
    Ok(out)
}

/// Method calls on variables of object types with methods: `v.m(args)` → `schema.m(v, args)` and
/// `v.m` → `schema.m(v)`. `variables` maps variable names (upper case) to their type (upper case).
pub fn rewrite_calls(
    tokens: &[Token],
    variables: &BTreeMap<String, String>,
    types: &BTreeMap<String, ObjectMethods>,
) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let t = &tokens[k];
        let after_dot = k > 0 && tokens[k - 1].is_symbol(".");
        let methods = variables.get(&t.upper()).and_then(|ty| types.get(ty));
        let method = tokens
            .get(k + 1)
            .filter(|d| d.is_symbol("."))
            .and_then(|_| tokens.get(k + 2));
        let (Some(methods), Some(method), false) = (methods, method, after_dot) else {
            out.push(t.clone());
            k += 1;
            continue;
        };
        if !methods.members.contains_key(&method.upper()) {
            out.push(t.clone());
            k += 1;
            continue;
        }
        out.extend(tokenize(
            &format!("{}.{}", methods.schema, method.text.to_lowercase()),
            t.line,
        ));
        out.extend(tokenize("(", t.line));
        out.push(t.clone());
        match tokens.get(k + 3) {
            Some(open) if open.is_symbol("(") => {
                let close = matching_paren(tokens, k + 3).unwrap_or(tokens.len() - 1);
                if close > k + 4 {
                    out.extend(tokenize(",", t.line));
                    out.extend(tokens[k + 4..close].iter().cloned());
                }
                out.extend(tokenize(")", t.line));
                k = close + 1;
            }
            _ => {
                out.extend(tokenize(")", t.line));
                k += 3;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(tokens: &[Token]) -> String {
        tokens
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn methods() -> ObjectMethods {
        ObjectMethods {
            type_name: "COUNTER_T".into(),
            schema: "counter_t".into(),
            attributes: vec!["N".into(), "LABEL".into()],
            members: [
                ("BUMP".to_string(), UnitKind::Procedure),
                ("SHOWN".to_string(), UnitKind::Function),
            ]
            .into(),
            statics: ["ZERO".to_string()].into(),
            constructors: vec![(1, 1)],
        }
    }

    #[test]
    fn specs_say_role_kind_name_and_arity() {
        let spec = method_spec(&tokenize(
            "CONSTRUCTOR FUNCTION counter_t(p_label VARCHAR2, p_n NUMBER := 0) RETURN SELF AS RESULT",
            1,
        ))
        .unwrap();
        assert_eq!(spec.0, Role::Constructor);
        assert_eq!(spec.2, "COUNTER_T");
        assert_eq!(spec.3, (1, 2));
        let spec = method_spec(&tokenize("MAP MEMBER FUNCTION ordering RETURN NUMBER", 1)).unwrap();
        assert_eq!((spec.0, spec.1), (Role::Member, UnitKind::Function));
        assert!(method_spec(&tokenize("n NUMBER", 1)).is_none());
    }

    #[test]
    fn members_get_self_and_siblings_get_it_too() {
        let member = BodyMember {
            role: Role::Member,
            kind: UnitKind::Procedure,
            name: "BUMP".into(),
            tokens: tokenize(
                "bump(p_by NUMBER) IS l_old NUMBER; BEGIN l_old := n; n := n + p_by; label := shown; END;",
                1,
            ),
            line: 1,
        };
        assert_eq!(
            text(&prepare_member(&member, &methods()).unwrap()),
            "bump ( self IN OUT counter_t , p_by NUMBER ) IS l_old NUMBER ; BEGIN l_old := self . n ; self . n := self . n + p_by ; self . label := counter_t . shown ( self ) ; END ;"
        );
    }

    #[test]
    fn calls_on_variables_pass_the_variable_first() {
        let variables: BTreeMap<String, String> =
            [("C".to_string(), "COUNTER_T".to_string())].into();
        let types: BTreeMap<String, ObjectMethods> = [("COUNTER_T".to_string(), methods())].into();
        let rewritten = rewrite_calls(
            &tokenize("c.bump(2); x := c.shown; y := c.n;", 1),
            &variables,
            &types,
        );
        assert_eq!(
            text(&rewritten),
            "counter_t . bump ( c , 2 ) ; x := counter_t . shown ( c ) ; y := c . n ;"
        );
    }
}
