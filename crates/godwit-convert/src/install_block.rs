//! Install blocks: anonymous PL/SQL blocks that look in Oracle's data dictionary and run DDL through
//! EXECUTE IMMEDIATE, the way product install scripts create or upgrade their schema
//! (`IF the column is missing THEN EXECUTE IMMEDIATE 'alter table … add (' || name || ' ' || type
//! || ')'`). PostgreSQL has neither the dictionary views nor Oracle's DDL, so such a block cannot
//! run as a DO block. Instead the converter runs it: this module evaluates the block's variables,
//! records, collections, loops and conditions, answers its dictionary queries from the schema as
//! converted so far, and hands every statement the block would run to the converter, in order.
//!
//! Only what a block like that needs is understood; anything else makes the evaluation give up, and
//! the converter falls back to its other ways of handling the block.

use crate::cursor::matching_paren;
use godwit_oracle::{Token, TokenKind};
use std::collections::BTreeMap;

/// What the evaluation works against: the dictionary as converted so far, and the converter that
/// takes the statements the block runs.
pub trait Target {
    /// All rows of an Oracle dictionary view of the schema (USER_TABLES, USER_TAB_COLUMNS, …), with
    /// upper-case column names and values; `None` for a view this cannot answer.
    fn dictionary(&mut self, view: &str) -> Option<Vec<BTreeMap<String, String>>>;
    /// Converts a statement the block runs (`text` is Oracle SQL).
    fn run(&mut self, text: &str, line: u32);
}

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Text(String),
    Number(f64),
    Record(BTreeMap<String, Value>),
    List(Vec<Value>),
}

impl Value {
    fn text(&self) -> Option<String> {
        match self {
            Value::Null => Some(String::new()),
            Value::Text(t) => Some(t.clone()),
            Value::Number(n) if n.fract() == 0.0 => Some(format!("{}", *n as i64)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }
}

#[derive(Debug)]
enum Expr {
    Literal(Value),
    Variable(String),
    Field(Box<Expr>, String),
    Element(String, Box<Expr>),
    Method(String, String),
    Call(String, Vec<Expr>),
    Binary(Box<Expr>, String, Box<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
}

#[derive(Debug)]
enum Place {
    Variable(String),
    Field(String, String),
    Element(String, Expr),
    ElementField(String, Expr, String),
}

#[derive(Debug)]
enum Statement {
    Nothing,
    Assign(Place, Expr),
    For {
        variable: String,
        low: Expr,
        high: Expr,
        body: Vec<Statement>,
    },
    If {
        branches: Vec<(Expr, Vec<Statement>)>,
        otherwise: Vec<Statement>,
    },
    SelectInto {
        count: bool,
        column: String,
        into: String,
        view: String,
        filter: Option<Expr>,
    },
    Execute(Expr, u32),
    Sql(String, u32),
}

/// Why an evaluation gave up.
pub type GiveUp = String;

/// Evaluates an anonymous block (`declarations` between DECLARE and BEGIN, `body` between BEGIN
/// and its END) against `target`. `Err` before anything ran when the block uses something not
/// understood; statements already handed to the target stay (the converter reports them).
pub fn run(declarations: &[Token], body: &[Token], target: &mut dyn Target) -> Result<(), GiveUp> {
    let mut state = State {
        variables: BTreeMap::new(),
        target,
    };
    let mut collection_types = Vec::new();
    let mut record_types = Vec::new();
    for decl in declarations
        .split(|t| t.is_symbol(";"))
        .filter(|d| !d.is_empty())
    {
        if decl[0].is("TYPE") {
            let name = decl.get(1).ok_or("a type without a name")?.upper();
            if decl.iter().any(|t| t.is("RECORD")) {
                record_types.push(name);
            } else if decl.iter().any(|t| t.is("TABLE") || t.is("VARRAY")) {
                collection_types.push(name);
            } else {
                return Err(format!("type {name}"));
            }
            continue;
        }
        let name = decl[0].upper();
        if decl.iter().any(|t| t.is("CURSOR") || t.is("EXCEPTION")) {
            return Err(format!("declaration of {name}"));
        }
        let type_name = decl.get(1).map(|t| t.upper()).unwrap_or_default();
        let initial = match decl
            .iter()
            .position(|t| t.is_symbol(":=") || t.is("DEFAULT"))
        {
            Some(at) => {
                let (expr, used) = Parser::new(&decl[at + 1..], &collection_types).expr()?;
                if used != decl.len() - at - 1 {
                    return Err(format!("the initial value of {name}"));
                }
                Some(expr)
            }
            None => None,
        };
        let value = if collection_types.contains(&type_name) {
            Value::List(Vec::new())
        } else if record_types.contains(&type_name) {
            Value::Record(BTreeMap::new())
        } else {
            Value::Null
        };
        let value = match initial {
            Some(initial) => state.eval(&initial)?,
            None => value,
        };
        state.variables.insert(name, value);
    }
    let collections: Vec<String> = state
        .variables
        .iter()
        .filter(|(_, v)| matches!(v, Value::List(_)))
        .map(|(k, _)| k.clone())
        .collect();
    let statements = Parser::new(body, &collections).statements(&[])?;
    state.execute(&statements)
}

struct State<'t> {
    variables: BTreeMap<String, Value>,
    target: &'t mut dyn Target,
}

impl State<'_> {
    fn execute(&mut self, statements: &[Statement]) -> Result<(), GiveUp> {
        for statement in statements {
            match statement {
                Statement::Nothing => {}
                Statement::Assign(place, expr) => {
                    let value = self.eval(expr)?;
                    self.assign(place, value)?;
                }
                Statement::For {
                    variable,
                    low,
                    high,
                    body,
                } => {
                    let (low, high) = (self.eval(low)?, self.eval(high)?);
                    if low == Value::Null || high == Value::Null {
                        continue;
                    }
                    let (low, high) = (
                        low.number().ok_or("a loop bound")? as i64,
                        high.number().ok_or("a loop bound")? as i64,
                    );
                    if high - low > 10_000 {
                        return Err("a loop of more than 10000 rounds".into());
                    }
                    let saved = self.variables.get(variable).cloned();
                    for i in low..=high {
                        self.variables
                            .insert(variable.clone(), Value::Number(i as f64));
                        self.execute(body)?;
                    }
                    match saved {
                        Some(v) => self.variables.insert(variable.clone(), v),
                        None => self.variables.remove(variable),
                    };
                }
                Statement::If {
                    branches,
                    otherwise,
                } => {
                    let mut taken = false;
                    for (condition, body) in branches {
                        if self.truth(condition)? {
                            self.execute(body)?;
                            taken = true;
                            break;
                        }
                    }
                    if !taken {
                        self.execute(otherwise)?;
                    }
                }
                Statement::SelectInto {
                    count,
                    column,
                    into,
                    view,
                    filter,
                } => {
                    let rows = self
                        .target
                        .dictionary(view)
                        .ok_or_else(|| format!("the dictionary view {view}"))?;
                    let mut matching = Vec::new();
                    for row in rows {
                        let keep = match filter {
                            Some(f) => self.with_row(&row, |s| s.truth(f))?,
                            None => true,
                        };
                        if keep {
                            matching.push(row);
                        }
                    }
                    let value = if *count {
                        Value::Number(matching.len() as f64)
                    } else if matching.len() == 1 {
                        matching[0]
                            .get(column)
                            .map(|v| Value::Text(v.clone()))
                            .ok_or_else(|| format!("column {column} of {view}"))?
                    } else {
                        return Err(format!(
                            "SELECT {column} INTO {into} finds {} rows",
                            matching.len()
                        ));
                    };
                    self.variables.insert(into.clone(), value);
                }
                Statement::Execute(expr, line) => {
                    let text = self
                        .eval(expr)?
                        .text()
                        .ok_or("EXECUTE IMMEDIATE of something other than text")?;
                    self.target.run(&text, *line);
                }
                Statement::Sql(text, line) => self.target.run(text, *line),
            }
        }
        Ok(())
    }

    /// Evaluates with a dictionary row's columns visible as names.
    fn with_row<R>(
        &mut self,
        row: &BTreeMap<String, String>,
        f: impl FnOnce(&mut Self) -> Result<R, GiveUp>,
    ) -> Result<R, GiveUp> {
        let saved: Vec<(String, Option<Value>)> = row
            .keys()
            .map(|k| (k.clone(), self.variables.get(k).cloned()))
            .collect();
        for (k, v) in row {
            self.variables.insert(k.clone(), Value::Text(v.clone()));
        }
        let result = f(self);
        for (k, v) in saved {
            match v {
                Some(v) => self.variables.insert(k, v),
                None => self.variables.remove(&k),
            };
        }
        result
    }

    fn assign(&mut self, place: &Place, value: Value) -> Result<(), GiveUp> {
        match place {
            Place::Variable(name) => {
                if !self.variables.contains_key(name) {
                    return Err(format!("assignment to {name}"));
                }
                self.variables.insert(name.clone(), value);
            }
            Place::Field(name, field) => match self.variables.get_mut(name) {
                Some(Value::Record(fields)) => {
                    fields.insert(field.clone(), value);
                }
                _ => return Err(format!("assignment to {name}.{field}")),
            },
            Place::Element(name, index) | Place::ElementField(name, index, _) => {
                let index = self.eval(index)?.number().ok_or("a collection index")? as usize;
                let field = match place {
                    Place::ElementField(_, _, f) => Some(f.clone()),
                    _ => None,
                };
                let Some(Value::List(items)) = self.variables.get_mut(name) else {
                    return Err(format!("assignment to an element of {name}"));
                };
                if index == items.len() + 1 {
                    items.push(Value::Record(BTreeMap::new()));
                } else if index == 0 || index > items.len() {
                    return Err(format!("a gap in collection {name}"));
                }
                match field {
                    None => items[index - 1] = value,
                    Some(f) => match &mut items[index - 1] {
                        Value::Record(fields) => {
                            fields.insert(f, value);
                        }
                        other => {
                            let mut fields = BTreeMap::new();
                            if *other != Value::Null {
                                return Err(format!("a field of a scalar element of {name}"));
                            }
                            fields.insert(f, value);
                            *other = Value::Record(fields);
                        }
                    },
                }
            }
        }
        Ok(())
    }

    fn truth(&mut self, expr: &Expr) -> Result<bool, GiveUp> {
        Ok(matches!(self.eval(expr)?, Value::Number(n) if n != 0.0))
    }

    fn eval(&mut self, expr: &Expr) -> Result<Value, GiveUp> {
        Ok(match expr {
            Expr::Literal(v) => v.clone(),
            Expr::Variable(name) => self
                .variables
                .get(name)
                .cloned()
                .ok_or_else(|| format!("the name {name}"))?,
            Expr::Field(inner, field) => match self.eval(inner)? {
                Value::Record(fields) => fields.get(field).cloned().unwrap_or(Value::Null),
                _ => return Err(format!("field {field} of something other than a record")),
            },
            Expr::Element(name, index) => {
                let index = self.eval(index)?.number().ok_or("a collection index")? as usize;
                match self.variables.get(name) {
                    Some(Value::List(items)) if index >= 1 && index <= items.len() => {
                        items[index - 1].clone()
                    }
                    _ => return Err(format!("element {index} of {name}")),
                }
            }
            Expr::Method(name, method) => match (self.variables.get(name), method.as_str()) {
                (Some(Value::List(items)), "COUNT") => Value::Number(items.len() as f64),
                (Some(Value::List(items)), "FIRST") if !items.is_empty() => Value::Number(1.0),
                (Some(Value::List(items)), "LAST") if !items.is_empty() => {
                    Value::Number(items.len() as f64)
                }
                (Some(Value::List(_)), "FIRST" | "LAST") => Value::Null,
                _ => return Err(format!("{name}.{method}")),
            },
            Expr::Call(name, args) => {
                let values = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                match (name.as_str(), values.as_slice()) {
                    (_, [Value::Null]) => Value::Null,
                    ("UPPER", [v]) => Value::Text(v.text().ok_or("UPPER")?.to_uppercase()),
                    ("LOWER", [v]) => Value::Text(v.text().ok_or("LOWER")?.to_lowercase()),
                    ("TRIM", [v]) => Value::Text(v.text().ok_or("TRIM")?.trim().to_string()),
                    ("REPLACE", [text, search, rest @ ..]) if rest.len() <= 1 => {
                        let text = text.text().ok_or("REPLACE")?;
                        let search = search.text().ok_or("REPLACE")?;
                        let with = match rest {
                            [w] => w.text().ok_or("REPLACE")?,
                            _ => String::new(),
                        };
                        if search.is_empty() {
                            Value::Text(text)
                        } else {
                            Value::Text(text.replace(&search, &with))
                        }
                    }
                    ("NVL", [a, b]) => {
                        if *a == Value::Null {
                            b.clone()
                        } else {
                            a.clone()
                        }
                    }
                    _ => return Err(format!("function {name}")),
                }
            }
            Expr::Not(inner) => {
                let v = self.eval(inner)?;
                match v {
                    Value::Number(n) => Value::Number(if n == 0.0 { 1.0 } else { 0.0 }),
                    _ => Value::Null,
                }
            }
            Expr::IsNull(inner, negated) => {
                let v = self.eval(inner)?;
                let null = v == Value::Null || v == Value::Text(String::new());
                Value::Number(if null != *negated { 1.0 } else { 0.0 })
            }
            Expr::Binary(left, op, right) => {
                let (l, r) = (self.eval(left)?, self.eval(right)?);
                binary(&l, op, &r)?
            }
        })
    }
}

/// A binary operation with Oracle's rules: NULL (and '') makes comparisons unknown (false here);
/// `||` treats NULL as ''.
fn binary(l: &Value, op: &str, r: &Value) -> Result<Value, GiveUp> {
    let truth = |b: bool| Value::Number(if b { 1.0 } else { 0.0 });
    let is_null = |v: &Value| *v == Value::Null || *v == Value::Text(String::new());
    Ok(match op {
        "||" => Value::Text(format!(
            "{}{}",
            l.text().ok_or("||")?,
            r.text().ok_or("||")?
        )),
        "AND" => truth(l.number() == Some(1.0) && r.number() == Some(1.0)),
        "OR" => truth(l.number() == Some(1.0) || r.number() == Some(1.0)),
        "+" | "-" | "*" | "/" => {
            if is_null(l) || is_null(r) {
                return Ok(Value::Null);
            }
            let (a, b) = (l.number().ok_or(op)?, r.number().ok_or(op)?);
            Value::Number(match op {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                _ => a / b,
            })
        }
        _ => {
            if is_null(l) || is_null(r) {
                return Ok(Value::Number(0.0));
            }
            let ordering = match (l.number(), r.number()) {
                (Some(a), Some(b))
                    if matches!(l, Value::Number(_)) || matches!(r, Value::Number(_)) =>
                {
                    a.partial_cmp(&b)
                }
                _ => l.text().partial_cmp(&r.text()),
            }
            .ok_or("a comparison")?;
            use std::cmp::Ordering::*;
            truth(match op {
                "=" => ordering == Equal,
                "!=" | "<>" | "^=" => ordering != Equal,
                "<" => ordering == Less,
                ">" => ordering == Greater,
                "<=" => ordering != Greater,
                ">=" => ordering != Less,
                _ => return Err(format!("operator {op}")),
            })
        }
    })
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    collections: &'a [String],
}

impl<'a> Parser<'a> {
    fn new(tokens: &'a [Token], collections: &'a [String]) -> Self {
        Parser {
            tokens,
            pos: 0,
            collections,
        }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn peek_is(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is(word))
    }

    fn eat(&mut self, word: &str) -> bool {
        let yes = self.peek_is(word);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        let yes = self.peek().is_some_and(|t| t.is_symbol(symbol));
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn expect(&mut self, word: &str) -> Result<(), GiveUp> {
        if self.eat(word) || self.eat_symbol(word) {
            Ok(())
        } else {
            Err(format!(
                "{word} expected at {}",
                self.peek()
                    .map_or("the end".to_string(), |t| t.text.clone())
            ))
        }
    }

    fn name(&mut self) -> Result<String, GiveUp> {
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                self.pos += 1;
                Ok(t.upper())
            }
            _ => Err("a name expected".into()),
        }
    }

    /// Statements until one of `stops` (words) or the end.
    fn statements(&mut self, stops: &[&str]) -> Result<Vec<Statement>, GiveUp> {
        let mut out = Vec::new();
        while let Some(t) = self.peek() {
            if stops.iter().any(|s| t.is(s)) {
                break;
            }
            out.push(self.statement()?);
        }
        Ok(out)
    }

    fn statement(&mut self) -> Result<Statement, GiveUp> {
        let t = self.peek().ok_or("a statement expected")?;
        let line = t.line;
        if self.eat("NULL") || self.eat("COMMIT") {
            self.expect(";")?;
            return Ok(Statement::Nothing);
        }
        if self.eat("FOR") {
            let variable = self.name()?;
            self.expect("IN")?;
            if self.peek_is("REVERSE") {
                return Err("FOR … REVERSE".into());
            }
            // The low bound ends at `..`: an additive expression, no comparison.
            let low = self.additive()?;
            self.expect("..")?;
            let high = self.expression()?;
            self.expect("LOOP")?;
            let body = self.statements(&["END"])?;
            self.expect("END")?;
            self.expect("LOOP")?;
            self.expect(";")?;
            return Ok(Statement::For {
                variable,
                low,
                high,
                body,
            });
        }
        if self.eat("IF") {
            let mut branches = Vec::new();
            let condition = self.expression()?;
            self.expect("THEN")?;
            let body = self.statements(&["ELSIF", "ELSE", "END"])?;
            branches.push((condition, body));
            let mut otherwise = Vec::new();
            loop {
                if self.eat("ELSIF") {
                    let condition = self.expression()?;
                    self.expect("THEN")?;
                    let body = self.statements(&["ELSIF", "ELSE", "END"])?;
                    branches.push((condition, body));
                } else if self.eat("ELSE") {
                    otherwise = self.statements(&["END"])?;
                } else {
                    break;
                }
            }
            self.expect("END")?;
            self.expect("IF")?;
            self.expect(";")?;
            return Ok(Statement::If {
                branches,
                otherwise,
            });
        }
        if self.eat("SELECT") {
            let count = self.eat("COUNT");
            let column = if count {
                let open = self.pos;
                if !self.peek().is_some_and(|t| t.is_symbol("(")) {
                    return Err("COUNT without (".into());
                }
                self.pos = matching_paren(self.tokens, open).ok_or("COUNT(")? + 1;
                String::new()
            } else {
                self.name()?
            };
            self.expect("INTO")?;
            let into = self.name()?;
            self.expect("FROM")?;
            let view = self.name()?;
            let filter = if self.eat("WHERE") {
                Some(self.expression()?)
            } else {
                None
            };
            self.expect(";")?;
            return Ok(Statement::SelectInto {
                count,
                column,
                into,
                view,
                filter,
            });
        }
        if self.eat("EXECUTE") {
            self.expect("IMMEDIATE")?;
            let sql = self.expression()?;
            self.expect(";")?;
            return Ok(Statement::Execute(sql, line));
        }
        if ["UPDATE", "INSERT", "DELETE", "MERGE"]
            .iter()
            .any(|w| t.is(w))
        {
            let start = self.pos;
            let mut depth = 0i32;
            while let Some(x) = self.peek() {
                if x.is_symbol("(") {
                    depth += 1;
                } else if x.is_symbol(")") {
                    depth -= 1;
                } else if depth == 0 && x.is_symbol(";") {
                    break;
                }
                self.pos += 1;
            }
            let text = crate::cursor::text(&self.tokens[start..self.pos]);
            self.expect(";")?;
            return Ok(Statement::Sql(text, line));
        }
        // An assignment.
        let name = self.name()?;
        let place = if self.eat_symbol("(") {
            let index = self.expression()?;
            self.expect(")")?;
            if self.eat_symbol(".") {
                let field = self.name()?;
                Place::ElementField(name, index, field)
            } else {
                Place::Element(name, index)
            }
        } else if self.eat_symbol(".") {
            Place::Field(name, self.name()?)
        } else {
            Place::Variable(name)
        };
        self.expect(":=")?;
        let value = self.expression()?;
        self.expect(";")?;
        Ok(Statement::Assign(place, value))
    }

    /// An expression and how many tokens it used (for declarations' initial values).
    fn expr(&mut self) -> Result<(Expr, usize), GiveUp> {
        let e = self.expression()?;
        Ok((e, self.pos))
    }

    fn expression(&mut self) -> Result<Expr, GiveUp> {
        let mut left = self.conjunction()?;
        while self.eat("OR") {
            let right = self.conjunction()?;
            left = Expr::Binary(Box::new(left), "OR".into(), Box::new(right));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<Expr, GiveUp> {
        let mut left = self.negation()?;
        while self.eat("AND") {
            let right = self.negation()?;
            left = Expr::Binary(Box::new(left), "AND".into(), Box::new(right));
        }
        Ok(left)
    }

    fn negation(&mut self) -> Result<Expr, GiveUp> {
        if self.eat("NOT") {
            return Ok(Expr::Not(Box::new(self.negation()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, GiveUp> {
        let left = self.additive()?;
        if self.eat("IS") {
            let negated = self.eat("NOT");
            self.expect("NULL")?;
            return Ok(Expr::IsNull(Box::new(left), negated));
        }
        for op in ["=", "!=", "<>", "^=", "<=", ">=", "<", ">"] {
            if self.eat_symbol(op) {
                let right = self.additive()?;
                return Ok(Expr::Binary(Box::new(left), op.into(), Box::new(right)));
            }
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, GiveUp> {
        let mut left = self.multiplicative()?;
        loop {
            let op = ["||", "+", "-"]
                .into_iter()
                .find(|op| self.peek().is_some_and(|t| t.is_symbol(op)));
            let Some(op) = op else { break };
            self.pos += 1;
            let right = self.multiplicative()?;
            left = Expr::Binary(Box::new(left), op.into(), Box::new(right));
        }
        Ok(left)
    }

    fn multiplicative(&mut self) -> Result<Expr, GiveUp> {
        let mut left = self.primary()?;
        loop {
            let op = ["*", "/"]
                .into_iter()
                .find(|op| self.peek().is_some_and(|t| t.is_symbol(op)));
            let Some(op) = op else { break };
            self.pos += 1;
            let right = self.primary()?;
            left = Expr::Binary(Box::new(left), op.into(), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, GiveUp> {
        let t = self.peek().ok_or("an expression expected")?;
        match t.kind {
            TokenKind::String => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Text(t.string_value())))
            }
            TokenKind::Number => {
                self.pos += 1;
                let n: f64 = t.text.parse().map_err(|_| format!("number {}", t.text))?;
                Ok(Expr::Literal(Value::Number(n)))
            }
            TokenKind::Symbol if t.is_symbol("(") => {
                self.pos += 1;
                let e = self.expression()?;
                self.expect(")")?;
                Ok(e)
            }
            TokenKind::Symbol if t.is_symbol("-") => {
                self.pos += 1;
                let e = self.primary()?;
                Ok(Expr::Binary(
                    Box::new(Expr::Literal(Value::Number(0.0))),
                    "-".into(),
                    Box::new(e),
                ))
            }
            TokenKind::Word | TokenKind::QuotedIdent => {
                if t.is("NULL") {
                    self.pos += 1;
                    return Ok(Expr::Literal(Value::Null));
                }
                let name = self.name()?;
                let mut expr = if self.peek().is_some_and(|p| p.is_symbol("(")) {
                    self.pos += 1;
                    if self.collections.contains(&name) {
                        let index = self.expression()?;
                        self.expect(")")?;
                        Expr::Element(name, Box::new(index))
                    } else {
                        let mut args = vec![self.expression()?];
                        while self.eat_symbol(",") {
                            args.push(self.expression()?);
                        }
                        self.expect(")")?;
                        Expr::Call(name, args)
                    }
                } else if self.collections.contains(&name)
                    && self.peek().is_some_and(|p| p.is_symbol("."))
                {
                    self.pos += 1;
                    let method = self.name()?;
                    return Ok(Expr::Method(name, method));
                } else {
                    Expr::Variable(name)
                };
                while self.peek().is_some_and(|p| p.is_symbol(".")) {
                    self.pos += 1;
                    expr = Expr::Field(Box::new(expr), self.name()?);
                }
                Ok(expr)
            }
            _ => Err(format!("{} in an expression", t.text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    #[derive(Default)]
    struct Fake {
        columns: Vec<(String, String)>,
        ran: Vec<String>,
    }

    impl Target for Fake {
        fn dictionary(&mut self, view: &str) -> Option<Vec<BTreeMap<String, String>>> {
            (view == "USER_TAB_COLUMNS").then(|| {
                self.columns
                    .iter()
                    .map(|(t, c)| {
                        [
                            ("TABLE_NAME".to_string(), t.clone()),
                            ("COLUMN_NAME".to_string(), c.clone()),
                            ("NULLABLE".to_string(), "Y".to_string()),
                        ]
                        .into()
                    })
                    .collect()
            })
        }

        fn run(&mut self, text: &str, _line: u32) {
            if let Some(column) = text.strip_prefix("alter table T add (") {
                let name = column.split(' ').next().unwrap_or_default().to_string();
                self.columns.push(("T".into(), name));
            }
            self.ran.push(text.to_string());
        }
    }

    #[test]
    fn columns_missing_from_the_dictionary_are_added_once() {
        let declarations = tokenize(
            "type t_col is record (name varchar2(30), type varchar2(30));
             type t_cols is table of t_col index by pls_integer;
             l_col t_col; l_cols t_cols; l_count pls_integer;",
            1,
        );
        let body = tokenize(
            "l_col.name := 'A'; l_col.type := 'NUMBER'; l_cols(l_cols.count + 1) := l_col;
             l_col.name := 'B'; l_col.type := 'DATE'; l_cols(l_cols.count + 1) := l_col;
             for i in 1 .. l_cols.count loop
               select count(1) into l_count from user_tab_columns
                where table_name = 'T' and column_name = upper(l_cols(i).name);
               if l_count = 0 then
                 execute immediate 'alter table T add (' || l_cols(i).name || ' ' || l_cols(i).type || ')';
               end if;
             end loop;",
            1,
        );
        let mut fake = Fake {
            columns: vec![("T".into(), "A".into())],
            ..Default::default()
        };
        run(&declarations, &body, &mut fake).unwrap();
        assert_eq!(fake.ran, ["alter table T add (B DATE)"]);
    }

    #[test]
    fn what_is_not_understood_gives_up_before_running_anything() {
        let mut fake = Fake::default();
        let body = tokenize("open c; execute immediate 'drop table t';", 1);
        assert!(run(&[], &body, &mut fake).is_err());
        assert!(fake.ran.is_empty());
    }
}
