//! PL/SQL conditional compilation (`$IF … $THEN … $ELSIF … $ELSE … $END`), resolved before
//! conversion as Oracle's compiler would: inquiry directives (`$$name`) take the values given in
//! [`Flags`] (Oracle's PLSQL_CCFLAGS), unset ones are NULL, so `$IF $$debug $THEN` takes its `$ELSE`
//! branch by default. `DBMS_DB_VERSION` answers for Oracle 19. `$ERROR` in a taken branch is an error.

use godwit_oracle::{Token, TokenKind};
use std::collections::BTreeMap;

/// Values of inquiry directives, by upper-case name: `TRUE`/`FALSE`, a number, or a string.
pub type Flags = BTreeMap<String, String>;

/// The Oracle release `DBMS_DB_VERSION` describes.
const VERSION: (i64, i64) = (19, 0);

fn is_directive(tokens: &[Token], k: usize, word: &str) -> bool {
    tokens.get(k).is_some_and(|t| t.is_symbol("$")) && tokens.get(k + 1).is_some_and(|t| t.is(word))
}

/// A value in a condition.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Bool(Option<bool>),
    Number(Option<f64>),
    Text(Option<String>),
}

fn flag_value(raw: Option<&String>) -> Value {
    match raw.map(|v| v.trim().to_ascii_uppercase()) {
        None => Value::Bool(None),
        Some(v) if v == "TRUE" => Value::Bool(Some(true)),
        Some(v) if v == "FALSE" => Value::Bool(Some(false)),
        Some(v) if v == "NULL" => Value::Bool(None),
        Some(v) => match v.parse::<f64>() {
            Ok(n) => Value::Number(Some(n)),
            Err(_) => Value::Text(raw.cloned()),
        },
    }
}

struct Condition<'a> {
    tokens: &'a [Token],
    pos: usize,
    flags: &'a Flags,
}

impl Condition<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Result<Option<bool>, String> {
        let mut left = self.and()?;
        while self.peek().is_some_and(|t| t.is("OR")) {
            self.pos += 1;
            let right = self.and()?;
            left = match (left, right) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Option<bool>, String> {
        let mut left = self.not()?;
        while self.peek().is_some_and(|t| t.is("AND")) {
            self.pos += 1;
            let right = self.not()?;
            left = match (left, right) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Option<bool>, String> {
        if self.peek().is_some_and(|t| t.is("NOT")) {
            self.pos += 1;
            return Ok(self.not()?.map(|b| !b));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Option<bool>, String> {
        let left = self.value()?;
        if self.peek().is_some_and(|t| t.is("IS")) {
            self.pos += 1;
            let negated = self.peek().is_some_and(|t| t.is("NOT"));
            if negated {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|t| t.is("NULL")) {
                return Err("IS without NULL in a $IF condition".into());
            }
            self.pos += 1;
            let null = matches!(
                left,
                Value::Bool(None) | Value::Number(None) | Value::Text(None)
            );
            return Ok(Some(null != negated));
        }
        let op = match self.peek() {
            Some(t)
                if t.kind == TokenKind::Symbol
                    && ["=", "<", ">", "<=", ">=", "<>", "!=", "^="].contains(&t.text.as_str()) =>
            {
                t.text.clone()
            }
            _ => {
                return match left {
                    Value::Bool(b) => Ok(b),
                    other => Err(format!("{other:?} used as a condition")),
                }
            }
        };
        self.pos += 1;
        let right = self.value()?;
        let ordering = match (&left, &right) {
            (Value::Number(Some(a)), Value::Number(Some(b))) => a.partial_cmp(b),
            (Value::Text(Some(a)), Value::Text(Some(b))) => Some(a.cmp(b)),
            (Value::Bool(Some(a)), Value::Bool(Some(b))) => Some(a.cmp(b)),
            _ => return Ok(None),
        };
        let Some(o) = ordering else { return Ok(None) };
        use std::cmp::Ordering::*;
        Ok(Some(match op.as_str() {
            "=" => o == Equal,
            "<" => o == Less,
            ">" => o == Greater,
            "<=" => o != Greater,
            ">=" => o != Less,
            _ => o != Equal,
        }))
    }

    fn value(&mut self) -> Result<Value, String> {
        let t = self
            .peek()
            .cloned()
            .ok_or("a $IF condition ends too early")?;
        self.pos += 1;
        if t.is_symbol("(") {
            let inner = self.or()?;
            if !self.peek().is_some_and(|t| t.is_symbol(")")) {
                return Err("unbalanced parentheses in a $IF condition".into());
            }
            self.pos += 1;
            return Ok(Value::Bool(inner));
        }
        if t.is_symbol("$") && self.peek().is_some_and(|t| t.is_symbol("$")) {
            self.pos += 1;
            let name = self.peek().ok_or("$$ without a name")?.upper();
            self.pos += 1;
            return Ok(flag_value(self.flags.get(&name)));
        }
        if t.is("DBMS_DB_VERSION") && self.peek().is_some_and(|t| t.is_symbol(".")) {
            let name = self
                .tokens
                .get(self.pos + 1)
                .ok_or("DBMS_DB_VERSION.?")?
                .upper();
            self.pos += 2;
            return Ok(match name.as_str() {
                "VERSION" => Value::Number(Some(VERSION.0 as f64)),
                "RELEASE" => Value::Number(Some(VERSION.1 as f64)),
                n if n.starts_with("VER_LE_") => {
                    let parts: Vec<i64> =
                        n[7..].split('_').filter_map(|p| p.parse().ok()).collect();
                    let (v, r) = (
                        parts.first().copied().unwrap_or(0),
                        parts.get(1).copied().unwrap_or(0),
                    );
                    Value::Bool(Some(
                        VERSION <= (v, r) || (VERSION.0 == v && parts.len() == 1),
                    ))
                }
                other => return Err(format!("DBMS_DB_VERSION.{other} is not known")),
            });
        }
        match t.kind {
            TokenKind::Number => Ok(Value::Number(t.text.parse().ok())),
            TokenKind::String => Ok(Value::Text(Some(t.string_value()))),
            _ if t.is("TRUE") => Ok(Value::Bool(Some(true))),
            _ if t.is("FALSE") => Ok(Value::Bool(Some(false))),
            _ if t.is("NULL") => Ok(Value::Bool(None)),
            _ => Err(format!("{} in a $IF condition is not resolved", t.text)),
        }
    }
}

/// The tokens with every `$IF` replaced by its taken branch, or why that cannot be done.
pub fn resolve(tokens: &[Token], flags: &Flags) -> Result<Vec<Token>, String> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        if is_directive(tokens, k, "IF") {
            let (taken, end) = branch(tokens, k, flags)?;
            out.extend(resolve(taken, flags)?);
            k = end;
            continue;
        }
        if is_directive(tokens, k, "ERROR") {
            let end = (k..tokens.len())
                .find(|&e| is_directive(tokens, e, "END"))
                .ok_or("$ERROR without $END")?;
            let message: Vec<String> = tokens[k + 2..end]
                .iter()
                .map(|t| t.string_value())
                .collect();
            return Err(format!("$ERROR directive: {}", message.join(" ")));
        }
        if tokens[k].is_symbol("$") && tokens.get(k + 1).is_some_and(|t| t.is_symbol("$")) {
            let name = tokens.get(k + 2).map(|t| t.upper()).unwrap_or_default();
            let line = tokens[k].line;
            let replacement = match (name.as_str(), flags.get(&name)) {
                ("PLSQL_LINE", _) => line.to_string(),
                (_, Some(v)) => match flag_value(Some(v)) {
                    Value::Text(Some(s)) => format!("'{}'", s.replace('\'', "''")),
                    Value::Bool(None) => "NULL".into(),
                    _ => v.clone(),
                },
                _ => return Err(format!("inquiry directive $${name} is not resolved")),
            };
            out.extend(godwit_oracle::tokenize(&replacement, line));
            k += 3;
            continue;
        }
        out.push(tokens[k].clone());
        k += 1;
    }
    Ok(out)
}

/// For the `$IF` at `start`: the tokens of the branch taken and the index after its `$END`.
fn branch<'t>(
    tokens: &'t [Token],
    start: usize,
    flags: &Flags,
) -> Result<(&'t [Token], usize), String> {
    // Directive positions at this nesting level: (kind, index).
    let mut marks = Vec::new();
    let mut depth = 0;
    let mut k = start + 2;
    let end = loop {
        if k >= tokens.len() {
            return Err(format!("$IF at line {} has no $END", tokens[start].line));
        }
        if is_directive(tokens, k, "IF") || is_directive(tokens, k, "ERROR") {
            // $ERROR … $END nests like $IF.
            depth += 1;
        } else if is_directive(tokens, k, "END") {
            if depth == 0 {
                break k;
            }
            depth -= 1;
        } else if depth == 0 {
            for kind in ["THEN", "ELSIF", "ELSE"] {
                if is_directive(tokens, k, kind) {
                    marks.push((kind, k));
                }
            }
        }
        k += 1;
    };
    // $IF cond $THEN body ($ELSIF cond $THEN body)* ($ELSE body)? $END
    let mut condition_start = start + 2;
    let mut i = 0;
    while i < marks.len() {
        let (kind, at) = marks[i];
        match kind {
            "THEN" => {
                let body_end = marks.get(i + 1).map_or(end, |m| m.1);
                let mut c = Condition {
                    tokens: &tokens[condition_start..at],
                    pos: 0,
                    flags,
                };
                let value = c.or()?;
                if c.pos != at - condition_start {
                    return Err(format!(
                        "$IF condition at line {} not understood",
                        tokens[condition_start.min(tokens.len() - 1)].line
                    ));
                }
                if value == Some(true) {
                    return Ok((&tokens[at + 2..body_end], end + 2));
                }
                i += 1;
            }
            "ELSIF" => {
                condition_start = at + 2;
                i += 1;
            }
            _ => {
                return Ok((&tokens[at + 2..end], end + 2));
            }
        }
    }
    Ok((&[], end + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    fn run(src: &str, flags: &[(&str, &str)]) -> Result<String, String> {
        let flags: Flags = flags
            .iter()
            .map(|(k, v)| (k.to_uppercase(), v.to_string()))
            .collect();
        resolve(&tokenize(src, 1), &flags).map(|t| {
            t.iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn branches_follow_the_flags_and_unset_flags_are_null() {
        let src = "BEGIN $IF $$no_op $THEN NULL; $ELSE x := 1; $END y := 2; END;";
        assert_eq!(run(src, &[]).unwrap(), "BEGIN x := 1 ; y := 2 ; END ;");
        assert_eq!(
            run(src, &[("no_op", "TRUE")]).unwrap(),
            "BEGIN NULL ; y := 2 ; END ;"
        );
        let levels = "$IF $$level > 2 $THEN a; $ELSIF $$level = 2 $THEN b; $ELSE c; $END";
        assert_eq!(run(levels, &[("level", "3")]).unwrap(), "a ;");
        assert_eq!(run(levels, &[("level", "2")]).unwrap(), "b ;");
        assert_eq!(run(levels, &[]).unwrap(), "c ;");
        assert_eq!(
            run("$IF NOT $$x OR TRUE $THEN a; $END", &[]).unwrap(),
            "a ;"
        );
        assert_eq!(run("$IF $$x IS NULL $THEN a; $END", &[]).unwrap(), "a ;");
    }

    #[test]
    fn nested_ifs_versions_and_errors() {
        let src = "$IF DBMS_DB_VERSION.VER_LE_11_2 $THEN old; $ELSE $IF DBMS_DB_VERSION.VERSION >= 12 $THEN new; $END $END";
        assert_eq!(run(src, &[]).unwrap(), "new ;");
        assert!(run("$IF TRUE $THEN $ERROR 'unsupported' $END $END", &[])
            .unwrap_err()
            .contains("unsupported"));
        assert!(run("$IF $$a $THEN x;", &[])
            .unwrap_err()
            .contains("no $END"));
        assert_eq!(run("l := $$PLSQL_LINE;", &[]).unwrap(), "l := 1 ;");
        assert!(run("u := $$PLSQL_UNIT;", &[]).is_err());
    }
}
