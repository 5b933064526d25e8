//! The rows an offline script inserts, as the canonical text [`crate::data::select_expression`] would
//! read from Oracle, so a script's data goes through the same [`crate::data::copy_line`] path as live
//! rows.
//!
//! [`script_tables`] replays a [`Script`]'s statements in order the way Oracle would leave the tables:
//! `CREATE TABLE` (and `ALTER TABLE … ADD/DROP/RENAME/MODIFY`, `DROP`, `TRUNCATE`, `RENAME`) give each
//! table its columns and types; `CREATE SEQUENCE` and identity columns give `NEXTVAL`s in statement
//! order; `INSERT INTO t [(cols)] VALUES (…)[, (…)]`, `INSERT … SELECT … FROM dual [UNION ALL …]` and
//! `INSERT ALL INTO … SELECT … FROM dual` give rows, also inside anonymous `DECLARE`/`BEGIN` blocks
//! (with `v := expr` variables). Values are evaluated from literals and the functions scripts use
//! (`TO_DATE`/`TO_TIMESTAMP` with Oracle format models, `TO_NUMBER`, `HEXTORAW`,
//! `UTL_RAW.CAST_TO_RAW`, `CHR`, `NVL`, `||`, arithmetic on numbers, `SYSDATE` and friends as the
//! `now` the caller passes) and stored as the column's type stores them (NUMBER(p,s) rounded,
//! TIMESTAMP(p) rounded, CHAR padded, `''` is NULL, lengths and NOT NULL checked).
//!
//! Nothing is guessed: anything else (an unknown function, a column reference, a row trigger, an
//! UPDATE of loaded rows, a string where the session's NLS format would decide) is a
//! [`ScriptProblem`] naming file, line, table and the expression. Assumptions, stated once: the
//! database character set is AL32UTF8, the session is American (`'.'` decimal point, English month
//! names), and the database and session time zone is UTC.

use crate::data::{hex_upper, ColumnSize, OracleColumn, OracleType};
use crate::lexer::{tokenize, Token, TokenKind};
use crate::script::{Script, ScriptNote, StatementKind};
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// A table the script creates, with the rows it inserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptTable {
    /// The name as Oracle stores it (unquoted names upper case), without its schema.
    pub name: String,
    /// Where the table is created.
    pub file: PathBuf,
    pub line: u32,
    /// Columns in table order (virtual columns excluded), as `ALL_TAB_COLUMNS` would list them.
    pub columns: Vec<OracleColumn>,
    pub rows: Vec<ScriptRow>,
}

/// One inserted row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptRow {
    pub file: PathBuf,
    /// Line of the INSERT statement.
    pub line: u32,
    /// Line where this row's values start (differs from `line` in multi-row VALUES lists).
    pub row_line: u32,
    /// One value per column of the table, in order: the text [`crate::data::select_expression`]
    /// reads for it (`None`: NULL).
    pub values: Vec<Option<String>>,
}

/// A sequence the script's rows drew values from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptSequence {
    /// The name as Oracle stores it.
    pub name: String,
    /// The value NEXTVAL gives next, as an integer's digits.
    pub next: String,
}

/// The script's tables, in creation order, and what was skipped on the way.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScriptData {
    pub tables: Vec<ScriptTable>,
    /// Sequences whose NEXTVAL the script's rows took, with the value NEXTVAL gives next, so that
    /// the target's sequences can go on after the copied rows.
    pub sequences: Vec<ScriptSequence>,
    /// Statements that were not evaluated but cannot change the rows (e.g. a block holding only
    /// calls to built-in packages), and rows the script loads from elsewhere (SQLcl `LOAD`).
    pub notes: Vec<ScriptNote>,
}

impl ScriptData {
    /// The table named `name` (as Oracle stores it).
    pub fn table(&self, name: &str) -> Option<&ScriptTable> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Rows across all tables.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }
}

/// A statement or value that cannot be evaluated exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptProblem {
    pub file: PathBuf,
    pub line: u32,
    pub table: Option<String>,
    pub message: String,
}

impl fmt::Display for ScriptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if let Some(table) = &self.table {
            write!(f, "table {table}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in the script's data (all statements are read before giving up).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptDataError {
    pub problems: Vec<ScriptProblem>,
}

impl fmt::Display for ScriptDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} problem(s) evaluating the script's rows",
            self.problems.len()
        )?;
        for p in self.problems.iter().take(20) {
            write!(f, "\n  {p}")?;
        }
        if self.problems.len() > 20 {
            write!(f, "\n  … and {} more", self.problems.len() - 20)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScriptDataError {}

/// Replays `script` and returns its tables with their rows. `now` is the moment SYSDATE,
/// SYSTIMESTAMP, CURRENT_DATE and CURRENT_TIMESTAMP stand for (and the default year and month of
/// `TO_DATE`), so the result is the same on every run.
pub fn script_tables(script: &Script, now: NaiveDateTime) -> Result<ScriptData, ScriptDataError> {
    let mut state = State::new(DateTime::from_chrono(now));
    // Routines the script defines: a block calling one may change rows we cannot see.
    for st in &script.statements {
        if let Some(name) = routine_name(&st.text) {
            state.routines.insert(name);
        }
    }
    for st in &script.statements {
        let tokens = tokenize(&st.text, st.line);
        let place = Place {
            file: &st.file,
            line: st.line,
        };
        match st.kind {
            StatementKind::Sql => state.sql(&tokens, place, None),
            StatementKind::PlSql => state.plsql(&tokens, place),
        }
    }
    if !state.problems.is_empty() {
        return Err(ScriptDataError {
            problems: state.problems,
        });
    }
    let mut sequences: Vec<ScriptSequence> = state
        .sequences
        .iter()
        .filter(|(_, seq)| seq.current.is_some())
        .filter_map(|(name, seq)| {
            Some(ScriptSequence {
                name: name.clone(),
                next: seq.next.as_ref()?.tm_text_unchecked(),
            })
        })
        .collect();
    sequences.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ScriptData {
        sequences,
        tables: state
            .tables
            .into_iter()
            .flatten()
            .filter(|t| t.columns_known)
            .map(|t| {
                let stored: Vec<bool> = t.columns.iter().map(|c| !c.virtual_column).collect();
                let keep = |values: Vec<Option<String>>| -> Vec<Option<String>> {
                    values
                        .into_iter()
                        .zip(&stored)
                        .filter(|(_, s)| **s)
                        .map(|(v, _)| v)
                        .collect()
                };
                ScriptTable {
                    columns: t
                        .columns
                        .iter()
                        .filter(|c| !c.virtual_column)
                        .map(|c| OracleColumn {
                            name: c.name.clone(),
                            data_type: c.ty.oracle_type(),
                            size: c.ty.size(),
                        })
                        .collect(),
                    name: t.name,
                    file: t.file,
                    line: t.line,
                    rows: t
                        .rows
                        .into_iter()
                        .map(|r| ScriptRow {
                            values: keep(r.values),
                            ..r
                        })
                        .collect(),
                }
            })
            .collect(),
        notes: state.notes,
    })
}

// ---------------------------------------------------------------------------------------------
// Values

/// An Oracle date-time (DATE, TIMESTAMP) as its fields; years 1 to 9999 AD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DateTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

impl DateTime {
    fn from_chrono(t: NaiveDateTime) -> DateTime {
        DateTime {
            year: t.year(),
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
            nanos: t.nanosecond().min(999_999_999),
        }
    }

    /// `SYYYY-MM-DD HH24:MI:SS` as Oracle's TO_CHAR writes it (a space for the AD sign).
    fn date_text(&self) -> String {
        format!(
            " {:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn timestamp_text(&self) -> String {
        format!("{}.{:09}", self.date_text(), self.nanos)
    }

    /// Rounds the fraction to `digits` digits, carrying into the seconds (and beyond) as Oracle does.
    fn round_fraction(mut self, digits: u32) -> Result<DateTime, String> {
        let unit = 10u32.pow(9 - digits.min(9));
        let rest = self.nanos % unit;
        self.nanos -= rest;
        if rest * 2 >= unit {
            self.nanos += unit;
        }
        if self.nanos >= 1_000_000_000 {
            self.nanos -= 1_000_000_000;
            self.second += 1;
            if self.second == 60 {
                self.second = 0;
                self.minute += 1;
            }
            if self.minute == 60 {
                self.minute = 0;
                self.hour += 1;
            }
            if self.hour == 24 {
                self.hour = 0;
                self.day += 1;
            }
            if self.day > days_in_month(self.year, self.month) {
                self.day = 1;
                self.month += 1;
            }
            if self.month == 13 {
                self.month = 1;
                self.year += 1;
            }
            if self.year > 9999 || (self.year, self.month, self.day) == (1582, 10, 5) {
                return Err("rounding the fraction of a second runs past a valid date".into());
            }
        }
        Ok(self)
    }
}

/// Days in a month in Oracle's calendar: Julian before October 1582, Gregorian after.
fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = if year < 1582 || (year == 1582 && month < 10) {
        year % 4 == 0
    } else {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    };
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

fn check_date(year: i32, month: u32, day: u32) -> Result<(), String> {
    if !(1..=9999).contains(&year) {
        return Err(format!("year {year} is outside 1 to 9999 AD"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} is not 1 to 12"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(format!("day {day} is not valid for {year:04}-{month:02}"));
    }
    if year == 1582 && month == 10 && (5..=14).contains(&day) {
        return Err(format!(
            "1582-10-{day:02} does not exist (the Gregorian reform skipped it)"
        ));
    }
    Ok(())
}

/// An Oracle NUMBER: `coef × 10^exp`, at most 38 significant digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dec {
    coef: i128,
    exp: i32,
}

const MAX_DIGITS: usize = 38;

impl Dec {
    fn zero() -> Dec {
        Dec { coef: 0, exp: 0 }
    }

    /// Removes trailing zeros; checks the digit count and Oracle's range.
    fn normalized(mut self) -> Result<Dec, String> {
        if self.coef == 0 {
            return Ok(Dec::zero());
        }
        while self.coef % 10 == 0 {
            self.coef /= 10;
            self.exp += 1;
        }
        let digits = self.coef.unsigned_abs().to_string().len();
        if digits > MAX_DIGITS {
            return Err(format!(
                "{} has more than 38 significant digits",
                self.tm_text_unchecked()
            ));
        }
        let magnitude = self.exp + digits as i32 - 1;
        if !(-130..=125).contains(&magnitude) {
            return Err("the number is outside Oracle NUMBER's range (1E-130 to 1E+126)".into());
        }
        Ok(self)
    }

    /// Reads a numeric literal or text: `12`, `-0.5`, `1.5e3`, `.25`.
    fn parse(text: &str) -> Option<Result<Dec, String>> {
        let t = text.trim();
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (mantissa, exponent) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], Some(&t[i + 1..])),
            None => (t, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let exponent: i32 = match exponent {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty()
                    || digits.len() > 6
                    || !digits.chars().all(|c| c.is_ascii_digit())
                {
                    return None;
                }
                e.parse().ok()?
            }
            None => 0,
        };
        let all: String = format!("{int}{frac}");
        let all = all.trim_start_matches('0');
        let trimmed = all.trim_end_matches('0');
        let exp = exponent - frac.len() as i32 + (all.len() - trimmed.len()) as i32;
        if trimmed.is_empty() {
            return Some(Ok(Dec::zero()));
        }
        if trimmed.len() > MAX_DIGITS {
            return Some(Err(format!(
                "{} has more than 38 significant digits",
                text.trim()
            )));
        }
        let coef: i128 = trimmed.parse().ok()?;
        Some(
            Dec {
                coef: if negative { -coef } else { coef },
                exp,
            }
            .normalized(),
        )
    }

    fn digits(&self) -> usize {
        if self.coef == 0 {
            1
        } else {
            self.coef.unsigned_abs().to_string().len()
        }
    }

    fn tm_text_unchecked(&self) -> String {
        if self.coef == 0 {
            return "0".into();
        }
        let digits = self.coef.unsigned_abs().to_string();
        let sign = if self.coef < 0 { "-" } else { "" };
        if self.exp >= 0 {
            return format!("{sign}{digits}{}", "0".repeat(self.exp as usize));
        }
        let point = digits.len() as i32 + self.exp;
        if point > 0 {
            let (a, b) = digits.split_at(point as usize);
            format!("{sign}{a}.{b}")
        } else {
            format!("{sign}.{}{digits}", "0".repeat((-point) as usize))
        }
    }

    /// The text `TO_CHAR(x, 'TM9')` writes.
    fn tm_text(&self) -> Result<String, String> {
        let text = self.tm_text_unchecked();
        if text.len() > 64 {
            return Err(format!(
                "{} needs more than 64 characters, where TO_CHAR(x, 'TM9') switches to scientific notation (not reproduced)",
                text.chars().take(70).collect::<String>()
            ));
        }
        Ok(text)
    }

    /// Rounds half away from zero to `scale` digits after the point (negative: before it).
    fn round_scale(self, scale: i32) -> Result<Dec, String> {
        if self.exp >= -scale {
            return Ok(self);
        }
        let drop = (-scale - self.exp) as u32;
        if drop > 38 {
            return Ok(Dec::zero());
        }
        let p = 10i128.pow(drop);
        let (mut q, r) = (self.coef / p, self.coef % p);
        if r.unsigned_abs() * 2 >= p.unsigned_abs() {
            q += self.coef.signum();
        }
        Dec {
            coef: q,
            exp: -scale,
        }
        .normalized()
    }

    /// Rounds to `digits` significant digits.
    fn round_significant(self, digits: usize) -> Result<Dec, String> {
        let have = self.digits();
        if self.coef == 0 || have <= digits {
            return Ok(self);
        }
        self.round_scale(-(self.exp + (have - digits) as i32))
    }

    fn aligned(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Dec| {
            let shift = u32::try_from(d.exp - exp).ok()?;
            d.coef.checked_mul(10i128.checked_pow(shift)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn arith(a: Dec, op: char, b: Dec) -> Result<Dec, String> {
        let too_big = || "the arithmetic needs more than 38 digits (not evaluated)".to_string();
        let result = match op {
            '+' | '-' => {
                let (x, y, exp) = Dec::aligned(a, b).ok_or_else(too_big)?;
                let coef = if op == '+' {
                    x.checked_add(y)
                } else {
                    x.checked_sub(y)
                };
                Dec {
                    coef: coef.ok_or_else(too_big)?,
                    exp,
                }
            }
            '*' => Dec {
                coef: a.coef.checked_mul(b.coef).ok_or_else(too_big)?,
                exp: a.exp + b.exp,
            },
            _ => return Err(format!("the operator {op} is not evaluated")),
        };
        result.normalized()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Text(String),
    Number(Dec),
    Date(DateTime),
    Timestamp(DateTime),
    /// A TIMESTAMP WITH TIME ZONE, as its UTC instant.
    TimestampUtc(DateTime),
    Raw(Vec<u8>),
}

impl Value {
    /// Oracle's empty string is NULL.
    fn text(s: String) -> Value {
        if s.is_empty() {
            Value::Null
        } else {
            Value::Text(s)
        }
    }

    /// Implicit conversion to text (for `||` and text columns).
    fn to_text(&self) -> Result<Option<String>, String> {
        Ok(match self {
            Value::Null => None,
            Value::Text(s) => Some(s.clone()),
            Value::Number(d) => Some(d.tm_text()?),
            Value::Raw(bytes) => Some(hex_upper(bytes)),
            Value::Date(_) | Value::Timestamp(_) | Value::TimestampUtc(_) => {
                return Err("a date used as text takes the session's NLS date format, which the script does not fix (use TO_CHAR with a format)".into())
            }
        })
    }

    /// Implicit conversion to a number.
    fn to_number(&self, nls_changed: bool) -> Result<Option<Dec>, String> {
        match self {
            Value::Null => Ok(None),
            Value::Number(d) => Ok(Some(*d)),
            Value::Text(s) => text_to_number(s, nls_changed).map(Some),
            _ => Err("a date or raw value is not a number".into()),
        }
    }
}

fn text_to_number(s: &str, nls_changed: bool) -> Result<Dec, String> {
    if nls_changed && s.contains(['.', ',']) {
        return Err(format!(
            "{s:?} as a number depends on NLS_NUMERIC_CHARACTERS, which the script changes"
        ));
    }
    match Dec::parse(s) {
        Some(result) => result,
        None => Err(format!("{s:?} is not a number")),
    }
}

// ---------------------------------------------------------------------------------------------
// Column types

#[derive(Clone, Debug, PartialEq)]
enum ColumnType {
    /// NUMBER(p,s) and its synonyms; `None`: unconstrained.
    Number {
        precision: Option<u32>,
        scale: Option<i32>,
    },
    /// FLOAT(b): b binary digits of precision.
    Float(u32),
    BinaryFloat,
    BinaryDouble,
    /// CHAR/NCHAR (padded) and VARCHAR2/NVARCHAR2: maximum length, in characters when `chars`.
    Text {
        name: &'static str,
        length: u32,
        chars: bool,
        padded: bool,
    },
    /// CLOB, NCLOB, LONG.
    Lob(&'static str),
    Date,
    Timestamp {
        fraction: u32,
        zone: bool,
    },
    /// RAW(n) (`Some(n)`), BLOB and LONG RAW (`None`).
    Binary(Option<u32>, &'static str),
    Other(String),
}

impl ColumnType {
    /// The declared size, as `ALL_TAB_COLUMNS` would give it.
    fn size(&self) -> ColumnSize {
        match self {
            ColumnType::Number { precision, scale } => ColumnSize {
                precision: *precision,
                scale: *scale,
                ..Default::default()
            },
            ColumnType::Text { length, .. } | ColumnType::Binary(Some(length), _) => ColumnSize {
                length: Some(*length),
                ..Default::default()
            },
            ColumnType::Timestamp { fraction, .. } => ColumnSize {
                scale: Some(*fraction as i32),
                ..Default::default()
            },
            _ => ColumnSize::default(),
        }
    }

    fn oracle_type(&self) -> OracleType {
        match self {
            ColumnType::Number { .. } | ColumnType::Float(_) => OracleType::Number,
            ColumnType::BinaryFloat => OracleType::BinaryFloat,
            ColumnType::BinaryDouble => OracleType::BinaryDouble,
            ColumnType::Text { .. } | ColumnType::Lob(_) => OracleType::Text,
            ColumnType::Date => OracleType::Date,
            ColumnType::Timestamp { zone: false, .. } => OracleType::Timestamp,
            ColumnType::Timestamp { zone: true, .. } => OracleType::TimestampTz,
            ColumnType::Binary(..) => OracleType::Binary,
            ColumnType::Other(name) => OracleType::parse(name),
        }
    }

    /// Reads a column type from DDL tokens (e.g. `VARCHAR2 ( 255 CHAR )`, `TIMESTAMP(3) WITH TIME ZONE`).
    fn parse(tokens: &[Token]) -> ColumnType {
        let words: Vec<String> = tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(Token::upper)
            .collect();
        let numbers: Vec<i64> = {
            let mut out = Vec::new();
            let mut negative = false;
            for t in tokens {
                if t.is_symbol("-") {
                    negative = true;
                } else if t.kind == TokenKind::Number {
                    if let Ok(n) = t.text.parse::<i64>() {
                        out.push(if negative { -n } else { n });
                    }
                    negative = false;
                }
            }
            out
        };
        let first = words.first().map(String::as_str).unwrap_or("");
        let second = words.get(1).map(String::as_str).unwrap_or("");
        // Oracle's limits keep the arithmetic below in range: precision 1-38, scale -84 to 127.
        let n = |i: usize| numbers.get(i).map(|v| (*v).clamp(-84, 2000));
        let chars_semantics = words.iter().skip(1).any(|w| w == "CHAR");
        let text = |name: &'static str, padded: bool, national: bool| ColumnType::Text {
            name,
            length: n(0).unwrap_or(1).max(1) as u32,
            chars: national || chars_semantics,
            padded,
        };
        match (first, second) {
            ("NUMBER" | "DECIMAL" | "DEC" | "NUMERIC", _)
                if tokens.iter().any(|t| t.is_symbol("*")) =>
            {
                ColumnType::Number {
                    precision: None,
                    scale: n(0).map(|s| s.min(127) as i32),
                }
            }
            ("NUMBER" | "DECIMAL" | "DEC" | "NUMERIC", _) => ColumnType::Number {
                precision: n(0).map(|p| p.clamp(1, 38) as u32),
                scale: n(1).map(|s| s.min(127) as i32).or(n(0).map(|_| 0)),
            },
            ("INTEGER" | "INT" | "SMALLINT", _) => ColumnType::Number {
                precision: Some(38),
                scale: Some(0),
            },
            ("FLOAT", _) => ColumnType::Float(n(0).unwrap_or(126).clamp(1, 126) as u32),
            ("REAL", _) => ColumnType::Float(63),
            ("DOUBLE", "PRECISION") => ColumnType::Float(126),
            ("BINARY_FLOAT", _) => ColumnType::BinaryFloat,
            ("BINARY_DOUBLE", _) => ColumnType::BinaryDouble,
            ("CHAR" | "CHARACTER", "VARYING") => text("VARCHAR2", false, false),
            ("CHAR" | "CHARACTER", _) => text("CHAR", true, false),
            ("NCHAR", "VARYING") => text("NVARCHAR2", false, true),
            ("NCHAR", _) => text("NCHAR", true, true),
            ("NATIONAL", _) if words.iter().any(|w| w == "VARYING") => {
                text("NVARCHAR2", false, true)
            }
            ("NATIONAL", _) => text("NCHAR", true, true),
            ("VARCHAR2" | "VARCHAR", _) => text("VARCHAR2", false, false),
            ("NVARCHAR2", _) => text("NVARCHAR2", false, true),
            ("CLOB", _) => ColumnType::Lob("CLOB"),
            ("NCLOB", _) => ColumnType::Lob("NCLOB"),
            ("LONG", "RAW") => ColumnType::Binary(None, "LONG RAW"),
            ("LONG", _) => ColumnType::Lob("LONG"),
            ("DATE", _) => ColumnType::Date,
            ("TIMESTAMP", _) => ColumnType::Timestamp {
                fraction: n(0).unwrap_or(6).clamp(0, 9) as u32,
                zone: words.iter().any(|w| w == "ZONE"),
            },
            ("RAW", _) => ColumnType::Binary(Some(n(0).unwrap_or(2000) as u32), "RAW"),
            ("BLOB", _) => ColumnType::Binary(None, "BLOB"),
            _ => ColumnType::Other(
                tokens
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_uppercase(),
            ),
        }
    }

    /// The text the column holds for `value`, as `select_expression` reads it.
    fn store(&self, value: &Value, nls_changed: bool) -> Result<Option<String>, String> {
        if *value == Value::Null {
            return Ok(None);
        }
        match self {
            ColumnType::Number { precision, scale } => {
                let mut d = value.to_number(nls_changed)?.unwrap_or(Dec::zero());
                if let Some(s) = scale {
                    d = d.round_scale(*s)?;
                }
                if let Some(p) = precision {
                    let integer_digits = d.digits() as i32 + d.exp;
                    let s = scale.unwrap_or(0);
                    if d.coef != 0 && integer_digits > *p as i32 - s {
                        return Err(format!(
                            "{} is too large for NUMBER({p},{s}) (ORA-01438)",
                            d.tm_text_unchecked()
                        ));
                    }
                    if d.coef != 0 && d.digits() > *p as usize {
                        return Err(format!(
                            "{} has more digits than NUMBER({p},{s}) holds (ORA-01438)",
                            d.tm_text_unchecked()
                        ));
                    }
                }
                Ok(Some(d.tm_text()?))
            }
            ColumnType::Float(bits) => {
                let d = value.to_number(nls_changed)?.unwrap_or(Dec::zero());
                let digits = ((*bits as f64) * std::f64::consts::LOG10_2).ceil() as usize;
                Ok(Some(d.round_significant(digits.clamp(1, 38))?.tm_text()?))
            }
            ColumnType::BinaryFloat | ColumnType::BinaryDouble => {
                let d = value
                    .to_number(nls_changed)?
                    .ok_or("a NULL")?
                    .tm_text_unchecked();
                Ok(Some(if *self == ColumnType::BinaryFloat {
                    let f: f32 = d.parse().map_err(|_| format!("{d} as BINARY_FLOAT"))?;
                    format!("{:08X}", f.to_bits())
                } else {
                    let f: f64 = d.parse().map_err(|_| format!("{d} as BINARY_DOUBLE"))?;
                    format!("{:016X}", f.to_bits())
                }))
            }
            ColumnType::Text {
                name,
                length,
                chars,
                padded,
            } => {
                let Some(mut s) = value.to_text()? else {
                    return Ok(None);
                };
                let size = |s: &str| {
                    if *chars {
                        s.chars().count()
                    } else {
                        s.len()
                    }
                };
                let unit = if *chars { "characters" } else { "bytes" };
                if size(&s) > *length as usize {
                    return Err(format!(
                        "the value is {} {unit}, longer than {name}({length}{}) holds (ORA-12899)",
                        size(&s),
                        if *chars { " CHAR" } else { "" }
                    ));
                }
                if *padded {
                    let pad = *length as usize - size(&s);
                    s.extend(std::iter::repeat_n(' ', pad));
                }
                Ok(Some(s))
            }
            ColumnType::Lob(_) => value.to_text(),
            ColumnType::Date => match value {
                Value::Date(d) | Value::Timestamp(d) if d.nanos == 0 => Ok(Some(d.date_text())),
                Value::Date(_) | Value::Timestamp(_) => Err(
                    "a timestamp with fractions of a second into a DATE column (Oracle's rounding is not reproduced)"
                        .into(),
                ),
                Value::TimestampUtc(_) => Err(
                    "a timestamp with time zone into a DATE column takes the session time zone (not evaluated)".into(),
                ),
                Value::Text(_) => Err(
                    "text into a DATE column takes the session's NLS_DATE_FORMAT, which the script does not fix (use TO_DATE with a format)".into(),
                ),
                _ => Err("not a date".into()),
            },
            ColumnType::Timestamp { fraction, zone } => match (value, zone) {
                (Value::Date(d) | Value::Timestamp(d), false)
                | (Value::TimestampUtc(d), true) => {
                    Ok(Some(d.round_fraction(*fraction)?.timestamp_text()))
                }
                (Value::Date(_) | Value::Timestamp(_), true) => Err(
                    "a timestamp without time zone into a TIMESTAMP WITH TIME ZONE column takes the session time zone (not evaluated)".into(),
                ),
                (Value::TimestampUtc(_), false) => Err(
                    "a timestamp with time zone into a TIMESTAMP column takes the session time zone (not evaluated)".into(),
                ),
                (Value::Text(_), _) => Err(
                    "text into a TIMESTAMP column takes the session's NLS_TIMESTAMP_FORMAT, which the script does not fix (use TO_TIMESTAMP with a format)".into(),
                ),
                _ => Err("not a timestamp".into()),
            },
            ColumnType::Binary(limit, name) => {
                let bytes = match value {
                    Value::Raw(b) => b.clone(),
                    Value::Text(s) => hex_bytes(s)?,
                    _ => return Err(format!("not a {name} value")),
                };
                if let Some(limit) = limit {
                    if bytes.len() > *limit as usize {
                        return Err(format!(
                            "the value is {} bytes, longer than RAW({limit}) holds",
                            bytes.len()
                        ));
                    }
                }
                Ok(Some(hex_upper(&bytes)))
            }
            ColumnType::Other(name) => Err(format!("values of type {name} are not evaluated")),
        }
    }
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if s.len() % 2 == 1 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "{:?} is not hexadecimal bytes",
            s.chars().take(40).collect::<String>()
        ));
    }
    Ok((0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Date format models

#[derive(Clone, Debug, PartialEq)]
enum Element {
    Year(usize),
    SignedYear,
    RoundYear(usize),
    Month,
    MonthName,
    MonthAbbrev,
    Day,
    DayOfYear,
    Hour12,
    Hour24,
    Minute,
    Second,
    Fraction(usize),
    Meridian,
    Separator,
    Literal(String),
}

fn format_elements(format: &str) -> Result<Vec<Element>, String> {
    let upper = format.to_ascii_uppercase();
    let mut rest = upper.as_str();
    let mut out = Vec::new();
    const NAMED: &[(&str, Element)] = &[
        ("SYYYY", Element::SignedYear),
        ("YYYY", Element::Year(4)),
        ("RRRR", Element::RoundYear(4)),
        ("YY", Element::Year(2)),
        ("RR", Element::RoundYear(2)),
        ("MONTH", Element::MonthName),
        ("MON", Element::MonthAbbrev),
        ("MM", Element::Month),
        ("DDD", Element::DayOfYear),
        ("DD", Element::Day),
        ("HH24", Element::Hour24),
        ("HH12", Element::Hour12),
        ("HH", Element::Hour12),
        ("MI", Element::Minute),
        ("SS", Element::Second),
        ("A.M.", Element::Meridian),
        ("P.M.", Element::Meridian),
        ("AM", Element::Meridian),
        ("PM", Element::Meridian),
    ];
    'outer: while let Some(c) = rest.chars().next() {
        if let Some(tail) = rest.strip_prefix("FF") {
            let digit = tail.chars().next().filter(|d| ('1'..='9').contains(d));
            match digit {
                Some(d) => {
                    out.push(Element::Fraction(d as usize - '0' as usize));
                    rest = &tail[1..];
                }
                None => {
                    out.push(Element::Fraction(9));
                    rest = tail;
                }
            }
            continue;
        }
        for (name, element) in NAMED {
            if let Some(tail) = rest.strip_prefix(name) {
                out.push(element.clone());
                rest = tail;
                continue 'outer;
            }
        }
        if c == '"' {
            let body = &format[format.len() - rest.len() + 1..];
            let end = body
                .find('"')
                .ok_or("a quoted text in the format is not closed")?;
            out.push(Element::Literal(body[..end].to_string()));
            rest = &rest[end + 2..];
            continue;
        }
        if c.is_alphanumeric() {
            let word: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
            return Err(format!(
                "the format element {word:?} is not evaluated (supported: YYYY YY RR RRRR MM MON MONTH DD DDD HH HH12 HH24 MI SS FF[1-9] AM PM)"
            ));
        }
        if !matches!(out.last(), Some(Element::Separator)) {
            out.push(Element::Separator);
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

const MONTHS: [&str; 12] = [
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
];

/// Parses `input` with an Oracle format model as TO_DATE/TO_TIMESTAMP do (not FX: any punctuation
/// matches any, numbers may have fewer digits, MM/MON/MONTH accept each other, the input may end
/// early). `fraction` allows FF.
fn parse_datetime(
    input: &str,
    format: &str,
    now: &DateTime,
    fraction: bool,
) -> Result<DateTime, String> {
    let elements = format_elements(format)?;
    if !fraction && elements.iter().any(|e| matches!(e, Element::Fraction(_))) {
        return Err(format!(
            "the format {format:?} has FF, which TO_DATE does not accept (ORA-01821)"
        ));
    }
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let (mut year, mut month, mut day) = (None, None, None);
    let (mut hour, mut minute, mut second, mut nanos) = (None, None, None, None);
    let mut day_of_year = None;
    let mut pm = None;
    let mut twelve = false;
    let fail = |what: &str| format!("{input:?} does not match the format {format:?}: {what}");
    for (k, element) in elements.iter().enumerate() {
        // Whitespace between elements is free.
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        // A numeric element directly followed by another reads its full width.
        let next_is_numeric = matches!(
            elements.get(k + 1),
            Some(
                Element::Year(_)
                    | Element::SignedYear
                    | Element::RoundYear(_)
                    | Element::Month
                    | Element::Day
                    | Element::DayOfYear
                    | Element::Hour12
                    | Element::Hour24
                    | Element::Minute
                    | Element::Second
                    | Element::Fraction(_)
            )
        );
        let number = |max: usize, i: &mut usize| -> Result<(u64, usize), String> {
            let start = *i;
            while *i < chars.len() && *i - start < max && chars[*i].is_ascii_digit() {
                *i += 1;
            }
            if *i == start {
                return Err(fail(&format!("expected digits at position {}", start + 1)));
            }
            let text: String = chars[start..*i].iter().collect();
            Ok((text.parse().unwrap_or(0), *i - start))
        };
        let set = |slot: &mut Option<u64>, v: u64, name: &str| -> Result<(), String> {
            if slot.replace(v).is_some() {
                return Err(format!("the format {format:?} gives the {name} twice"));
            }
            Ok(())
        };
        match element {
            Element::Separator => {
                while i < chars.len() && !chars[i].is_alphanumeric() {
                    i += 1;
                }
            }
            Element::Literal(text) => {
                let got: String = chars[i..].iter().take(text.chars().count()).collect();
                if !got.eq_ignore_ascii_case(text) {
                    return Err(fail(&format!("expected {text:?}")));
                }
                i += text.chars().count();
            }
            Element::Year(width) | Element::RoundYear(width) => {
                let max = if next_is_numeric { *width } else { 4 };
                let (v, len) = number(max, &mut i)?;
                let v = v as i64;
                let (century, current) = (now.year as i64 / 100, now.year as i64 % 100);
                // YYYY takes the digits as they are; YY the current century; RR and RRRR with two
                // digits the century nearest the current year.
                let full = match element {
                    Element::Year(4) => v,
                    _ if len > 2 => v,
                    Element::RoundYear(_) if v < 50 && current >= 50 => (century + 1) * 100 + v,
                    Element::RoundYear(_) if v >= 50 && current < 50 => (century - 1) * 100 + v,
                    _ => century * 100 + v,
                };
                if year.replace(full).is_some() {
                    return Err(format!("the format {format:?} gives the year twice"));
                }
            }
            Element::SignedYear => {
                let negative = chars[i] == '-';
                if matches!(chars[i], '-' | '+') {
                    i += 1;
                }
                let (v, _) = number(4, &mut i)?;
                let v = if negative { -(v as i64) } else { v as i64 };
                if year.replace(v).is_some() {
                    return Err(format!("the format {format:?} gives the year twice"));
                }
            }
            Element::Month | Element::MonthName | Element::MonthAbbrev => {
                let v = if chars[i].is_ascii_digit() {
                    if *element != Element::Month {
                        return Err(fail("expected a month name"));
                    }
                    number(2, &mut i)?.0
                } else {
                    let word: String = chars[i..]
                        .iter()
                        .take_while(|c| c.is_alphabetic())
                        .collect::<String>()
                        .to_uppercase();
                    let found = MONTHS
                        .iter()
                        .position(|m| *m == word)
                        .or_else(|| MONTHS.iter().position(|m| m[..3] == word));
                    let Some(index) = found else {
                        return Err(fail(&format!("{word:?} is not an English month name")));
                    };
                    i += word.chars().count();
                    index as u64 + 1
                };
                set(&mut month, v, "month")?;
            }
            Element::Day
            | Element::DayOfYear
            | Element::Hour12
            | Element::Hour24
            | Element::Minute
            | Element::Second => {
                twelve |= *element == Element::Hour12;
                let (slot, width, name) = match element {
                    Element::Day => (&mut day, 2, "day"),
                    Element::DayOfYear => (&mut day_of_year, 3, "day of the year"),
                    Element::Minute => (&mut minute, 2, "minutes"),
                    Element::Second => (&mut second, 2, "seconds"),
                    _ => (&mut hour, 2, "hour"),
                };
                let v = number(width, &mut i)?.0;
                set(slot, v, name)?;
            }
            Element::Fraction(width) => {
                let (v, len) = number(*width, &mut i)?;
                set(&mut nanos, v * 10u64.pow(9 - len as u32), "fraction")?;
            }
            Element::Meridian => {
                let rest: String = chars[i..].iter().take(4).collect::<String>().to_uppercase();
                let (is_pm, len) = if rest.starts_with("A.M.") {
                    (false, 4)
                } else if rest.starts_with("P.M.") {
                    (true, 4)
                } else if rest.starts_with("AM") {
                    (false, 2)
                } else if rest.starts_with("PM") {
                    (true, 2)
                } else {
                    return Err(fail("expected AM or PM"));
                };
                pm = Some(is_pm);
                i += len;
            }
        }
    }
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    if i < chars.len() {
        return Err(fail(&format!(
            "the format ends before {:?} (ORA-01830)",
            chars[i..].iter().collect::<String>()
        )));
    }
    let year = year.unwrap_or(now.year as i64);
    let year = i32::try_from(year).map_err(|_| fail("the year is out of range"))?;
    let (month, day) = match day_of_year {
        Some(doy) => {
            if month.is_some() || day.is_some() {
                return Err(format!(
                    "the format {format:?} gives the day of the year with a month or day"
                ));
            }
            let mut left = doy as u32;
            let mut m = 1;
            while m <= 12 && left > days_in_month(year, m) {
                left -= days_in_month(year, m);
                m += 1;
            }
            if doy == 0 || m > 12 {
                return Err(fail(&format!("day of the year {doy} is not valid")));
            }
            (m, left)
        }
        None => (
            month.map(|m| m as u32).unwrap_or(now.month),
            day.map(|d| d as u32).unwrap_or(1),
        ),
    };
    check_date(year, month, day).map_err(|e| fail(&e))?;
    let mut hour = hour.unwrap_or(0) as u32;
    if twelve || pm.is_some() {
        if !(1..=12).contains(&hour) {
            return Err(fail(&format!("hour {hour} is not 1 to 12")));
        }
        hour = hour % 12 + if pm == Some(true) { 12 } else { 0 };
    }
    let (minute, second) = (minute.unwrap_or(0) as u32, second.unwrap_or(0) as u32);
    if hour > 23 || minute > 59 || second > 59 {
        return Err(fail(&format!(
            "{hour:02}:{minute:02}:{second:02} is not a time of day"
        )));
    }
    Ok(DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos: nanos.unwrap_or(0) as u32,
    })
}

/// `DATE 'YYYY-MM-DD'` and `TIMESTAMP 'YYYY-MM-DD HH24:MI:SS[.FF]'` literals (ANSI, fixed formats).
fn ansi_literal(text: &str, timestamp: bool, now: &DateTime) -> Result<DateTime, String> {
    let text = text.trim();
    if timestamp {
        if text.len() > 29 || text.contains(['+', 'Z']) || text.matches('-').count() > 2 {
            return Err(format!(
                "TIMESTAMP {text:?}: time zones in timestamp literals are not evaluated"
            ));
        }
        parse_datetime(text, "YYYY-MM-DD HH24:MI:SS.FF", now, true)
    } else {
        if text.contains(':') {
            return Err(format!("DATE {text:?} is not YYYY-MM-DD"));
        }
        parse_datetime(text, "YYYY-MM-DD", now, false)
    }
    .map_err(|e| {
        format!(
            "{} literal: {e}",
            if timestamp { "TIMESTAMP" } else { "DATE" }
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[derive(Clone, Debug)]
enum Expr {
    Literal(Value),
    /// A number literal with a binary suffix (1.5f, 2d): not evaluated.
    BinaryLiteral(String),
    Negate(Box<Expr>),
    /// `+ - * /`, and `|` for `||`.
    Binary(char, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    /// A (dotted) name: a variable, a pseudo-column (SYSDATE), `seq.NEXTVAL`, or a column.
    Name(Vec<String>),
    AnsiDate(String, bool),
}

/// Joins tokens back into readable source text for messages.
fn source_text(tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Token> = None;
    for t in tokens {
        let glue = match prev {
            None => false,
            Some(p) => {
                p.is_symbol("(")
                    || p.is_symbol(".")
                    || t.is_symbol(")")
                    || t.is_symbol(",")
                    || t.is_symbol(".")
                    || (t.is_symbol("(") && p.kind == TokenKind::Word)
            }
        };
        if prev.is_some() && !glue {
            out.push(' ');
        }
        out.push_str(&t.text);
        prev = Some(t);
    }
    if out.chars().count() > 120 {
        let cut: String = out.chars().take(117).collect();
        format!("{cut}…")
    } else {
        out
    }
}

/// Oracle's name for an identifier token: unquoted names upper case.
fn ident(t: &Token) -> Option<String> {
    match t.kind {
        TokenKind::Word => Some(t.upper()),
        TokenKind::QuotedIdent => Some(t.text.trim_matches('"').to_string()),
        _ => None,
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(tokens: &'a [Token]) -> Self {
        Parser { tokens, pos: 0 }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, k: usize) -> Option<&'a Token> {
        self.tokens.get(self.pos + k)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn line(&self) -> Option<u32> {
        self.peek().or_else(|| self.tokens.last()).map(|t| t.line)
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_symbol(symbol)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<(), String> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            Err(format!(
                "expected {symbol:?} but found {}",
                self.peek()
                    .map(|t| format!("{:?}", t.text))
                    .unwrap_or_else(|| "the end of the statement".into())
            ))
        }
    }

    /// A possibly qualified name (`schema.table`): the last part, as Oracle stores it.
    fn object_name(&mut self) -> Result<String, String> {
        let mut name = self.next().and_then(ident).ok_or("expected a name")?;
        while self.eat_symbol(".") {
            name = self
                .next()
                .and_then(ident)
                .ok_or("expected a name after '.'")?;
        }
        if self.peek().is_some_and(|t| t.is_symbol("@")) {
            return Err("a database link is not evaluated".into());
        }
        Ok(name)
    }

    /// Advances to the first token outside parentheses for which `stop` holds (or to the end);
    /// returns the tokens passed.
    fn until_top_level(&mut self, stop: impl Fn(&Token) -> bool) -> &'a [Token] {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if depth == 0 && stop(t) {
                break;
            }
            if t.is_symbol("(") {
                depth += 1;
            } else if t.is_symbol(")") {
                depth = depth.saturating_sub(1);
            }
            self.pos += 1;
        }
        &self.tokens[start..self.pos]
    }

    /// The tokens up to the matching `)` of an already consumed `(`, which is consumed too.
    fn parenthesized(&mut self) -> Result<&'a [Token], String> {
        let inside = self.until_top_level(|t| t.is_symbol(")"));
        if self.eat_symbol(")") {
            Ok(inside)
        } else {
            Err("a '(' is not closed".into())
        }
    }

    fn expression(&mut self) -> Result<Expr, String> {
        self.additive()
    }

    /// The first of `symbols` at the parser's position, consumed.
    fn eat_any(&mut self, symbols: &[&str]) -> Option<char> {
        let symbol = symbols.iter().find(|s| self.eat_symbol(s))?;
        symbol.chars().next()
    }

    /// `||`, `+` and `-` share a precedence in Oracle (`|` stands for `||`).
    fn additive(&mut self) -> Result<Expr, String> {
        let mut left = self.multiplicative()?;
        while let Some(op) = self.eat_any(&["||", "+", "-"]) {
            left = Expr::Binary(op, Box::new(left), Box::new(self.multiplicative()?));
        }
        Ok(left)
    }

    fn multiplicative(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(op) = self.eat_any(&["*", "/"]) {
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_symbol("-") {
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        if self.eat_symbol("+") {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(t) = self.next() else {
            return Err("an expression is missing".into());
        };
        match t.kind {
            TokenKind::Number => {
                if t.text.ends_with(['f', 'F', 'd', 'D']) {
                    return Ok(Expr::BinaryLiteral(t.text.clone()));
                }
                match Dec::parse(&t.text) {
                    Some(Ok(d)) => Ok(Expr::Literal(Value::Number(d))),
                    Some(Err(e)) => Err(e),
                    None => Err(format!("{:?} is not a number", t.text)),
                }
            }
            TokenKind::String => {
                if t.unterminated {
                    return Err("a string is not closed".into());
                }
                Ok(Expr::Literal(Value::text(t.string_value())))
            }
            TokenKind::Symbol if t.text == "(" => {
                let e = self.expression()?;
                self.expect_symbol(")")?;
                Ok(e)
            }
            TokenKind::Word | TokenKind::QuotedIdent => {
                if t.kind == TokenKind::Word {
                    if t.is("NULL") {
                        return Ok(Expr::Literal(Value::Null));
                    }
                    if (t.is("DATE") || t.is("TIMESTAMP"))
                        && self.peek().is_some_and(|n| n.kind == TokenKind::String)
                    {
                        let s = self.next().map(Token::string_value).unwrap_or_default();
                        return Ok(Expr::AnsiDate(s, t.is("TIMESTAMP")));
                    }
                    if t.is("CASE") || t.is("SELECT") || t.is("INTERVAL") {
                        return Err(format!("{} expressions are not evaluated", t.upper()));
                    }
                }
                let mut parts = vec![ident(t).unwrap_or_default()];
                while self.peek().is_some_and(|n| n.is_symbol("."))
                    && self
                        .peek_at(1)
                        .is_some_and(|n| matches!(n.kind, TokenKind::Word | TokenKind::QuotedIdent))
                {
                    self.pos += 1;
                    parts.push(self.next().and_then(ident).unwrap_or_default());
                }
                if self.eat_symbol("(") {
                    let mut args = Vec::new();
                    if !self.eat_symbol(")") {
                        loop {
                            args.push(self.expression()?);
                            if self.eat_symbol(")") {
                                break;
                            }
                            self.expect_symbol(",")?;
                        }
                    }
                    return Ok(Expr::Call(parts.join("."), args));
                }
                Ok(Expr::Name(parts))
            }
            TokenKind::Bind => Err(format!("the bind variable {} is not evaluated", t.text)),
            TokenKind::Symbol => Err(format!("unexpected {:?}", t.text)),
        }
    }
}

/// Parses a complete expression from `tokens`.
fn parse_expression(tokens: &[Token]) -> Result<Expr, String> {
    let mut p = Parser::new(tokens);
    let e = p.expression()?;
    if let Some(t) = p.peek() {
        return Err(format!("unexpected {:?} after the expression", t.text));
    }
    Ok(e)
}

/// Splits `tokens` at top-level commas.
fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, t) in tokens.iter().enumerate() {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if t.is_symbol(",") && depth == 0 {
            out.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    if start < tokens.len() || !out.is_empty() {
        out.push(&tokens[start..]);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Script state

#[derive(Clone, Copy)]
struct Place<'a> {
    file: &'a Path,
    line: u32,
}

#[derive(Clone, Debug)]
struct Sequence {
    /// The next value NEXTVAL gives; `None` when the script sets it to something not known here.
    next: Option<Dec>,
    increment: Dec,
    max: Option<Dec>,
    min: Option<Dec>,
    current: Option<Dec>,
}

impl Sequence {
    fn from_options(tokens: &[Token]) -> Result<Sequence, String> {
        let mut p = Parser::new(tokens);
        let mut start = None;
        let mut increment = Dec { coef: 1, exp: 0 };
        let (mut min, mut max) = (None, None);
        let mut unknown_start = false;
        let number = |p: &mut Parser| -> Result<Dec, String> {
            let negative = p.eat_symbol("-");
            let t = p.next().ok_or("expected a number")?;
            let d =
                Dec::parse(&t.text).ok_or_else(|| format!("{:?} is not a number", t.text))??;
            Ok(if negative {
                Dec {
                    coef: -d.coef,
                    exp: d.exp,
                }
            } else {
                d
            })
        };
        while let Some(t) = p.next() {
            if t.is("START") {
                p.eat_word("WITH");
                if p.eat_word("LIMIT") {
                    p.eat_word("VALUE");
                    unknown_start = true;
                } else {
                    start = Some(number(&mut p)?);
                }
            } else if t.is("INCREMENT") {
                p.eat_word("BY");
                increment = number(&mut p)?;
            } else if t.is("MAXVALUE") {
                max = Some(number(&mut p)?);
            } else if t.is("MINVALUE") {
                min = Some(number(&mut p)?);
            }
        }
        if increment.coef == 0 {
            return Err("INCREMENT BY 0".into());
        }
        let ascending = increment.coef > 0;
        let start = start.or(if ascending { min } else { max }).unwrap_or(Dec {
            coef: if ascending { 1 } else { -1 },
            exp: 0,
        });
        Ok(Sequence {
            next: (!unknown_start).then_some(start),
            increment,
            max,
            min,
            current: None,
        })
    }

    fn next_value(&mut self, name: &str) -> Result<Dec, String> {
        let Some(value) = self.next else {
            return Err(format!(
                "the next value of {name} is set by the script in a way not evaluated here (START WITH LIMIT VALUE)"
            ));
        };
        let beyond_max = self
            .max
            .is_some_and(|m| Dec::arith(value, '-', m).is_ok_and(|d| d.coef > 0));
        let below_min = self
            .min
            .is_some_and(|m| Dec::arith(m, '-', value).is_ok_and(|d| d.coef > 0));
        if beyond_max || below_min {
            return Err(format!(
                "{name}.NEXTVAL goes past the sequence's MAXVALUE/MINVALUE (ORA-08004)"
            ));
        }
        self.next = Some(Dec::arith(value, '+', self.increment)?);
        self.current = Some(value);
        Ok(value)
    }
}

#[derive(Clone, Debug)]
enum Identity {
    Always,
    ByDefault,
    ByDefaultOnNull,
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: ColumnType,
    default: Option<Vec<Token>>,
    default_on_null: bool,
    not_null: bool,
    identity: Option<(Identity, Sequence)>,
    virtual_column: bool,
}

#[derive(Clone, Debug)]
struct Table {
    name: String,
    file: PathBuf,
    line: u32,
    columns: Vec<Column>,
    /// False for CREATE TABLE … AS SELECT / OF type: the columns are not in the script.
    columns_known: bool,
    temporary: bool,
    rows: Vec<ScriptRow>,
}

#[derive(Clone, Debug)]
struct Trigger {
    table: String,
    enabled: bool,
}

struct State {
    now: DateTime,
    tables: Vec<Option<Table>>,
    by_name: HashMap<String, usize>,
    sequences: HashMap<String, Sequence>,
    triggers: HashMap<String, Trigger>,
    routines: HashSet<String>,
    /// The script changes NLS_NUMERIC_CHARACTERS or NLS_TERRITORY: text with '.' or ',' is not read
    /// as a number.
    nls_changed: bool,
    /// Rows were inserted since the last COMMIT (or DDL, which commits).
    uncommitted: bool,
    problems: Vec<ScriptProblem>,
    notes: Vec<ScriptNote>,
}

/// Variables of an anonymous block.
type Variables = HashMap<String, Value>;

/// What one row's evaluation remembers: each sequence's NEXTVAL is taken once per row.
#[derive(Default)]
struct RowContext {
    nextval: HashMap<String, Dec>,
}

/// The name of a procedure, function or package a PL/SQL statement creates.
fn routine_name(text: &str) -> Option<String> {
    let head: String = text.chars().take(300).collect();
    let tokens = tokenize(&head, 1);
    let mut p = Parser::new(&tokens);
    if !p.eat_word("CREATE") {
        return None;
    }
    while ["OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE"]
        .iter()
        .any(|w| p.eat_word(w))
    {}
    if !(p.eat_word("PROCEDURE") || p.eat_word("FUNCTION") || p.eat_word("PACKAGE")) {
        return None;
    }
    p.eat_word("BODY");
    p.object_name().ok()
}

impl State {
    fn new(now: DateTime) -> State {
        State {
            now,
            tables: Vec::new(),
            by_name: HashMap::new(),
            sequences: HashMap::new(),
            triggers: HashMap::new(),
            routines: HashSet::new(),
            nls_changed: false,
            uncommitted: false,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn problem(&mut self, place: Place, table: Option<&str>, message: impl Into<String>) {
        self.problems.push(ScriptProblem {
            file: place.file.to_path_buf(),
            line: place.line,
            table: table.map(str::to_string),
            message: message.into(),
        });
    }

    fn note(&mut self, place: Place, message: impl Into<String>) {
        self.notes.push(ScriptNote {
            file: place.file.to_path_buf(),
            line: place.line,
            message: message.into(),
        });
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let i = *self.by_name.get(name)?;
        self.tables[i].as_mut()
    }

    /// One SQL statement (also one inside a block, with the block's variables).
    fn sql(&mut self, tokens: &[Token], place: Place, vars: Option<&Variables>) {
        let Some(first) = tokens.first() else {
            return;
        };
        let place = Place {
            file: place.file,
            line: first.line,
        };
        let word = first.upper();
        let second = tokens.get(1).map(Token::upper).unwrap_or_default();
        if matches!(
            word.as_str(),
            "COMMIT" | "CREATE" | "ALTER" | "DROP" | "TRUNCATE" | "RENAME" | "GRANT"
        ) {
            self.uncommitted = false;
        }
        let result = match (word.as_str(), second.as_str()) {
            ("CREATE", _) => self.create(tokens, place),
            ("ALTER", "TABLE") => self.alter_table(tokens),
            ("ALTER", "SEQUENCE") => self.alter_sequence(tokens),
            ("ALTER", "SESSION") => {
                let text = source_text(tokens).to_ascii_uppercase();
                if text.contains("NLS_NUMERIC_CHARACTERS") || text.contains("NLS_TERRITORY") {
                    self.nls_changed = true;
                }
                Ok(())
            }
            ("ALTER", "TRIGGER") => {
                if let Some(name) = tokens.get(2).and_then(ident) {
                    let enabled = tokens.iter().any(|t| t.is("ENABLE"));
                    if let Some(trigger) = self.triggers.get_mut(&name) {
                        trigger.enabled = enabled;
                    }
                }
                Ok(())
            }
            ("DROP", "TABLE") => {
                let mut p = Parser::new(&tokens[2..]);
                if let Ok(name) = p.object_name() {
                    if let Some(i) = self.by_name.remove(&name) {
                        self.tables[i] = None;
                    }
                }
                Ok(())
            }
            ("DROP", "SEQUENCE") => {
                let mut p = Parser::new(&tokens[2..]);
                if let Ok(name) = p.object_name() {
                    self.sequences.remove(&name);
                }
                Ok(())
            }
            ("DROP", "TRIGGER") => {
                let mut p = Parser::new(&tokens[2..]);
                if let Ok(name) = p.object_name() {
                    self.triggers.remove(&name);
                }
                Ok(())
            }
            ("TRUNCATE", "TABLE") => {
                let mut p = Parser::new(&tokens[2..]);
                if let Ok(name) = p.object_name() {
                    if let Some(t) = self.table_mut(&name) {
                        t.rows.clear();
                    }
                }
                Ok(())
            }
            ("RENAME", _) => {
                let mut p = Parser::new(&tokens[1..]);
                match (p.object_name(), p.eat_word("TO"), p.object_name()) {
                    (Ok(old), true, Ok(new)) => {
                        self.rename_table(&old, &new);
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            ("INSERT", _) => self.insert(tokens, place, vars),
            ("UPDATE" | "DELETE" | "MERGE", _) => self.change(tokens, &word),
            ("LOAD", _) => {
                self.load(tokens, place, vars);
                Ok(())
            }
            ("ROLLBACK", _) if self.uncommitted => Err((
                None,
                "ROLLBACK after INSERTs is not evaluated (the rows inserted since the last COMMIT would be undone)"
                    .to_string(),
            )),
            _ => Ok(()),
        };
        if let Err((table, message)) = result {
            self.problem(place, table.as_deref(), message);
        }
    }

    /// SQLcl's `LOAD table file.csv`: the rows come from a file the script does not hold, so each
    /// LOAD is a note. The script reader does not know LOAD as a command, so the statement it gives
    /// runs on to the next `;`: the lines after the LOADs (and SQL*Plus commands between them) are
    /// the next statement, which is replayed.
    fn load(&mut self, tokens: &[Token], place: Place, vars: Option<&Variables>) {
        const COMMANDS: &[&str] = &[
            "LOAD", "PROMPT", "PRO", "REM", "REMARK", "SET", "SPOOL", "SPO", "SHOW", "SHO",
            "WHENEVER", "COLUMN", "COL", "DEFINE", "DEF", "UNDEFINE", "PAUSE", "TIMING", "TTITLE",
            "BTITLE",
        ];
        let mut k = 0;
        while k < tokens.len() {
            let line = tokens[k].line;
            let end = tokens[k..]
                .iter()
                .position(|t| t.line != line)
                .map_or(tokens.len(), |n| k + n);
            if !COMMANDS.iter().any(|c| tokens[k].is(c)) {
                self.sql(&tokens[k..], place, vars);
                return;
            }
            if tokens[k].is("LOAD") {
                self.note(
                    Place {
                        file: place.file,
                        line,
                    },
                    format!(
                        "{}: SQLcl loads these rows from a file outside the script; they are not included",
                        source_text(&tokens[k..end])
                    ),
                );
            }
            k = end;
        }
    }

    fn rename_table(&mut self, old: &str, new: &str) {
        if let Some(i) = self.by_name.remove(old) {
            if let Some(t) = self.tables[i].as_mut() {
                t.name = new.to_string();
            }
            self.by_name.insert(new.to_string(), i);
            for trigger in self.triggers.values_mut() {
                if trigger.table == old {
                    trigger.table = new.to_string();
                }
            }
        }
    }

    /// UPDATE, DELETE, MERGE: fine on a table without rows; rows we hold would change.
    fn change(&mut self, tokens: &[Token], word: &str) -> Result<(), Failure> {
        let mut p = Parser::new(&tokens[1..]);
        if word == "DELETE" {
            p.eat_word("FROM");
        }
        if word == "MERGE" {
            p.eat_word("INTO");
        }
        let name = p.object_name().map_err(|e| (None, e))?;
        let unconditional_delete = word == "DELETE" && !tokens.iter().any(|t| t.is("WHERE"));
        match self.table_mut(&name) {
            Some(t) if unconditional_delete => {
                t.rows.clear();
                Ok(())
            }
            Some(t) if !t.rows.is_empty() => Err((
                Some(name),
                format!(
                    "{word} of rows the script inserted is not evaluated: {}",
                    source_text(tokens)
                ),
            )),
            _ => Ok(()),
        }
    }

    fn create(&mut self, tokens: &[Token], place: Place) -> Result<(), Failure> {
        let mut p = Parser::new(&tokens[1..]);
        while [
            "OR",
            "REPLACE",
            "EDITIONABLE",
            "NONEDITIONABLE",
            "FORCE",
            "NOFORCE",
        ]
        .iter()
        .any(|w| p.eat_word(w))
        {}
        let mut temporary = false;
        while let Some(t) = p.peek() {
            if t.is("GLOBAL") || t.is("PRIVATE") || t.is("TEMPORARY") {
                temporary = true;
                p.pos += 1;
            } else if ["SHARDED", "DUPLICATED", "IMMUTABLE", "BLOCKCHAIN"]
                .iter()
                .any(|w| t.is(w))
            {
                p.pos += 1;
            } else {
                break;
            }
        }
        if p.eat_word("SEQUENCE") {
            let name = p.object_name().map_err(|e| (None, e))?;
            let seq = Sequence::from_options(&tokens[1 + p.pos..])
                .map_err(|e| (None, format!("sequence {name}: {e}")))?;
            self.sequences.insert(name, seq);
            return Ok(());
        }
        if p.eat_word("TRIGGER") {
            self.create_trigger(&mut p);
            return Ok(());
        }
        if !p.eat_word("TABLE") {
            return Ok(());
        }
        let if_not_exists = p.eat_word("IF") && p.eat_word("NOT") && p.eat_word("EXISTS");
        let name = p.object_name().map_err(|e| (None, e))?;
        if self.by_name.contains_key(&name) {
            if !if_not_exists {
                self.note(
                    place,
                    format!("table {name} already exists: Oracle refuses this CREATE (ORA-00955) and the table keeps its first definition"),
                );
            }
            return Ok(());
        }
        let mut table = Table {
            name: name.clone(),
            file: place.file.to_path_buf(),
            line: place.line,
            columns: Vec::new(),
            columns_known: false,
            temporary,
            rows: Vec::new(),
        };
        if p.eat_symbol("(") {
            let body = p.parenthesized().map_err(|e| (Some(name.clone()), e))?;
            let mut primary_key = Vec::new();
            let mut typed = true;
            for item in split_commas(body) {
                match parse_column(item) {
                    Ok(ColumnItem::Column(c)) => table.columns.push(*c),
                    Ok(ColumnItem::PrimaryKey(cols)) => primary_key.extend(cols),
                    Ok(ColumnItem::Constraint) => {}
                    Ok(ColumnItem::Untyped) => typed = false,
                    Err(e) => return Err((Some(name), e)),
                }
            }
            for c in &mut table.columns {
                if primary_key.contains(&c.name) {
                    c.not_null = true;
                }
            }
            table.columns_known = typed && !table.columns.is_empty();
        }
        if !table.columns_known {
            self.note(
                place,
                format!("table {name} is created without a column list (AS SELECT or OF a type): its columns are not known, so it is left out"),
            );
        } else if p.tokens[p.pos..].iter().any(|t| t.is("EXTERNAL")) {
            table.columns_known = false;
            self.note(
                place,
                format!("table {name} is an external table: its rows are in files outside the script, so it is left out"),
            );
        }
        self.by_name.insert(name, self.tables.len());
        self.tables.push(Some(table));
        Ok(())
    }

    fn create_trigger(&mut self, p: &mut Parser) {
        let Ok(name) = p.object_name() else {
            return;
        };
        let mut inserts = false;
        while let Some(t) = p.next() {
            if t.is("INSERT") {
                inserts = true;
            }
            if t.is("ON") {
                break;
            }
        }
        let Ok(table) = p.object_name() else {
            return;
        };
        let enabled = !p.tokens[p.pos..]
            .iter()
            .take_while(|t| !(t.is("BEGIN") || t.is("DECLARE") || t.is("CALL") || t.is("COMPOUND")))
            .any(|t| t.is("DISABLE"));
        if inserts {
            self.triggers.insert(name, Trigger { table, enabled });
        }
    }

    fn alter_sequence(&mut self, tokens: &[Token]) -> Result<(), Failure> {
        let mut p = Parser::new(&tokens[2..]);
        let name = p.object_name().map_err(|e| (None, e))?;
        let options = &tokens[2 + p.pos..];
        if let Some(seq) = self.sequences.get_mut(&name) {
            let changed = Sequence::from_options(options).map_err(|e| (None, e))?;
            if options.iter().any(|t| t.is("INCREMENT")) {
                seq.increment = changed.increment;
            }
            if options.iter().any(|t| t.is("RESTART") || t.is("START")) {
                seq.next = changed.next;
            }
            if options.iter().any(|t| t.is("MAXVALUE")) {
                seq.max = changed.max;
            }
        }
        Ok(())
    }

    fn alter_table(&mut self, tokens: &[Token]) -> Result<(), Failure> {
        let mut p = Parser::new(&tokens[2..]);
        let name = p.object_name().map_err(|e| (None, e))?;
        let err = |m: String| (Some(name.clone()), m);
        let Some(i) = self.by_name.get(&name).copied() else {
            return Ok(());
        };
        let nls = self.nls_changed;
        let Some(action) = p.next() else {
            return Ok(());
        };
        let action = action.upper();
        match action.as_str() {
            "ADD" => {
                let items: Vec<&[Token]> = if p.eat_symbol("(") {
                    split_commas(p.parenthesized().map_err(err)?)
                } else {
                    vec![&p.tokens[p.pos..]]
                };
                let mut added = Vec::new();
                for item in items {
                    match parse_column(item).map_err(err)? {
                        ColumnItem::Column(c) => added.push(*c),
                        ColumnItem::PrimaryKey(cols) => {
                            if let Some(t) = self.tables[i].as_mut() {
                                for c in t.columns.iter_mut().filter(|c| cols.contains(&c.name)) {
                                    c.not_null = true;
                                }
                            }
                        }
                        _ => {}
                    }
                }
                for column in added {
                    // Existing rows take the column's default (or NULL).
                    let fill = match &column.default {
                        Some(tokens)
                            if self.tables[i].as_ref().is_some_and(|t| !t.rows.is_empty()) =>
                        {
                            let expr = parse_expression(tokens).map_err(|e| {
                                err(format!(
                                    "column {}: DEFAULT {}: {e}",
                                    column.name,
                                    source_text(tokens)
                                ))
                            })?;
                            let v = self
                                .eval(&expr, &mut RowContext::default(), None)
                                .and_then(|v| column.ty.store(&v, nls))
                                .map_err(|e| {
                                    err(format!(
                                        "column {}: DEFAULT {}: {e}",
                                        column.name,
                                        source_text(tokens)
                                    ))
                                })?;
                            Some(v)
                        }
                        _ => None,
                    };
                    let Some(t) = self.tables[i].as_mut() else {
                        break;
                    };
                    if t.columns.iter().any(|c| c.name == column.name) {
                        return Err(err(format!("column {} already exists", column.name)));
                    }
                    if column.identity.is_some() && !t.rows.is_empty() {
                        return Err(err(format!(
                            "identity column {} added to a table with rows is not evaluated",
                            column.name
                        )));
                    }
                    if column.not_null && fill.is_none() && !t.rows.is_empty() {
                        return Err(err(format!(
                            "NOT NULL column {} added without a default to a table with rows (ORA-01758)",
                            column.name
                        )));
                    }
                    for row in &mut t.rows {
                        row.values.push(fill.clone().flatten());
                    }
                    t.columns.push(column);
                }
                Ok(())
            }
            "DROP" => {
                let names: Vec<String> = if p.eat_word("COLUMN") {
                    p.next().and_then(ident).into_iter().collect()
                } else if p.eat_symbol("(") {
                    p.parenthesized()
                        .map_err(err)?
                        .iter()
                        .filter_map(ident)
                        .collect()
                } else {
                    Vec::new()
                };
                if let Some(t) = self.tables[i].as_mut() {
                    for n in names {
                        if let Some(k) = t.columns.iter().position(|c| c.name == n) {
                            t.columns.remove(k);
                            for row in &mut t.rows {
                                row.values.remove(k);
                            }
                        }
                    }
                }
                Ok(())
            }
            "RENAME" => {
                if p.eat_word("TO") {
                    if let Ok(new) = p.object_name() {
                        self.rename_table(&name, &new);
                    }
                } else if p.eat_word("COLUMN") {
                    let old = p.next().and_then(ident);
                    p.eat_word("TO");
                    let new = p.next().and_then(ident);
                    if let (Some(old), Some(new), Some(t)) = (old, new, self.tables[i].as_mut()) {
                        if let Some(c) = t.columns.iter_mut().find(|c| c.name == old) {
                            c.name = new;
                        }
                    }
                }
                Ok(())
            }
            "ENABLE" | "DISABLE" if p.eat_word("ALL") && p.eat_word("TRIGGERS") => {
                for trigger in self.triggers.values_mut().filter(|t| t.table == name) {
                    trigger.enabled = action == "ENABLE";
                }
                Ok(())
            }
            "MODIFY" => {
                if p.peek()
                    .is_some_and(|t| t.is("CONSTRAINT") || t.is("PRIMARY") || t.is("UNIQUE"))
                {
                    return Ok(());
                }
                let items: Vec<&[Token]> = if p.eat_symbol("(") {
                    split_commas(p.parenthesized().map_err(err)?)
                } else {
                    vec![&p.tokens[p.pos..]]
                };
                for item in items {
                    self.modify_column(i, item).map_err(err)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn modify_column(&mut self, table: usize, item: &[Token]) -> Result<(), String> {
        let Some(t) = self.tables[table].as_mut() else {
            return Ok(());
        };
        let Some(name) = item.first().and_then(ident) else {
            return Ok(());
        };
        let Some(k) = t.columns.iter().position(|c| c.name == name) else {
            return Err(format!(
                "MODIFY names column {name}, which the table does not have"
            ));
        };
        let changed = match parse_column(item)? {
            ColumnItem::Column(c) => *c,
            _ => return Ok(()),
        };
        let has_type = item
            .get(1)
            .is_some_and(|t| t.kind == TokenKind::Word && !is_property_word(t));
        let column = &mut t.columns[k];
        if has_type && changed.ty != column.ty {
            if !t.rows.is_empty() {
                return Err(format!(
                    "changing the type of column {name} after rows were inserted is not evaluated"
                ));
            }
            column.ty = changed.ty;
        }
        if changed.default.is_some() {
            column.default = changed.default;
            column.default_on_null = changed.default_on_null;
        }
        if changed.identity.is_some() {
            column.identity = changed.identity;
        }
        if changed.not_null {
            column.not_null = true;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // INSERT

    fn insert(
        &mut self,
        tokens: &[Token],
        place: Place,
        vars: Option<&Variables>,
    ) -> Result<(), Failure> {
        let mut p = Parser::new(&tokens[1..]);
        if p.eat_word("ALL") {
            return self.insert_all(&mut p, place, vars);
        }
        if p.peek().is_some_and(|t| t.is("FIRST") || t.is("WHEN")) {
            return Err((
                None,
                "conditional INSERT FIRST/WHEN is not evaluated".into(),
            ));
        }
        if !p.eat_word("INTO") {
            return Err((None, "expected INTO after INSERT".into()));
        }
        let target = self.insert_target(&mut p)?;
        let name = target.0.clone();
        let rows = State::source_rows(&mut p, &name)?;
        if let Some(t) = p.peek() {
            return Err((
                Some(name),
                format!("{} … after the values is not evaluated", t.text),
            ));
        }
        let mut ctx_rows = Vec::new();
        for (row_line, exprs) in rows {
            ctx_rows.push((row_line, vec![(target.clone(), exprs)]));
        }
        self.add_rows(ctx_rows, place, vars);
        Ok(())
    }

    /// `INSERT ALL INTO t [(cols)] VALUES (…) … SELECT * FROM dual`.
    fn insert_all(
        &mut self,
        p: &mut Parser,
        place: Place,
        vars: Option<&Variables>,
    ) -> Result<(), Failure> {
        let mut targets = Vec::new();
        let row_line = place.line;
        while p.eat_word("INTO") {
            let target = self.insert_target(p)?;
            let name = target.0.clone();
            if !p.eat_word("VALUES") {
                return Err((
                    Some(name),
                    "INSERT ALL INTO without VALUES is not evaluated".into(),
                ));
            }
            p.expect_symbol("(").map_err(|e| (Some(name.clone()), e))?;
            let values = p.parenthesized().map_err(|e| (Some(name.clone()), e))?;
            let exprs = split_commas(values)
                .into_iter()
                .map(ValueExpr::parse)
                .collect();
            targets.push((target, exprs));
        }
        let rest = &p.tokens[p.pos..];
        let from_dual = rest.len() >= 4
            && rest[0].is("SELECT")
            && rest[rest.len() - 2].is("FROM")
            && rest[rest.len() - 1].is("DUAL");
        if targets.is_empty() || !from_dual {
            return Err((
                None,
                format!(
                    "INSERT ALL is evaluated only with VALUES and SELECT … FROM dual: {}",
                    source_text(p.tokens)
                ),
            ));
        }
        self.add_rows(vec![(row_line, targets)], place, vars);
        Ok(())
    }

    /// `name [alias] [(columns)]`: the table's index and the named columns' positions.
    fn insert_target(&self, p: &mut Parser) -> Result<Target, Failure> {
        let name = p.object_name().map_err(|e| (None, e))?;
        let Some(&index) = self.by_name.get(&name) else {
            return Err((
                Some(name.clone()),
                "INSERT INTO a table the script does not create".to_string(),
            ));
        };
        let table = self.tables[index]
            .as_ref()
            .ok_or((Some(name.clone()), "dropped".to_string()))?;
        if !table.columns_known {
            return Err((
                Some(name),
                "the table's columns are not in the script (created AS SELECT or OF a type)".into(),
            ));
        }
        if p.peek().is_some_and(|t| {
            matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
                && !t.is("VALUES")
                && !t.is("SELECT")
                && !t.is("INTO")
        }) {
            p.pos += 1; // an alias
        }
        let positions = if p.peek().is_some_and(|t| t.is_symbol("("))
            && !p.peek_at(1).is_some_and(|t| t.is("SELECT"))
        {
            p.pos += 1;
            let list = p.parenthesized().map_err(|e| (Some(name.clone()), e))?;
            let mut positions = Vec::new();
            for item in split_commas(list) {
                let column = item.last().and_then(ident).ok_or((
                    Some(name.clone()),
                    format!("{} is not a column name", source_text(item)),
                ))?;
                let Some(k) = table.columns.iter().position(|c| c.name == column) else {
                    return Err((
                        Some(name.clone()),
                        format!("the table has no column {column}"),
                    ));
                };
                if positions.contains(&k) {
                    return Err((
                        Some(name.clone()),
                        format!("column {column} is named twice"),
                    ));
                }
                positions.push(k);
            }
            positions
        } else {
            (0..table.columns.len()).collect()
        };
        Ok((name, index, positions))
    }

    /// The rows of `VALUES (…)[, (…)]` or `SELECT … FROM dual [UNION ALL SELECT … FROM dual]`.
    fn source_rows(p: &mut Parser, name: &str) -> Result<Vec<SourceRow>, Failure> {
        let err = |e: String| (Some(name.to_string()), e);
        let mut rows = Vec::new();
        if p.eat_word("VALUES") {
            loop {
                let line = p.line().unwrap_or(0);
                p.expect_symbol("(").map_err(err)?;
                let values = p.parenthesized().map_err(err)?;
                rows.push((
                    line,
                    split_commas(values)
                        .into_iter()
                        .map(ValueExpr::parse)
                        .collect(),
                ));
                if !p.eat_symbol(",") {
                    break;
                }
            }
            return Ok(rows);
        }
        let parenthesized = p.eat_symbol("(");
        loop {
            let line = p.line().unwrap_or(0);
            if !p.eat_word("SELECT") {
                return Err(err("expected VALUES or SELECT".into()));
            }
            let list = p.until_top_level(|t| t.is("FROM"));
            if !(p.eat_word("FROM") && p.eat_word("DUAL")) {
                return Err(err(format!(
                    "INSERT … SELECT is evaluated only from DUAL: {}",
                    source_text(p.tokens)
                )));
            }
            rows.push((
                line,
                split_commas(list)
                    .into_iter()
                    .map(|item| {
                        // A column alias after the expression is allowed.
                        let n = item.len();
                        let aliased = n >= 2
                            && matches!(item[n - 1].kind, TokenKind::Word | TokenKind::QuotedIdent)
                            && (item[n - 2].is("AS")
                                || matches!(
                                    item[n - 2].kind,
                                    TokenKind::String | TokenKind::Number
                                )
                                || item[n - 2].is_symbol(")"));
                        let item = if aliased {
                            &item[..n - if item[n - 2].is("AS") { 2 } else { 1 }]
                        } else {
                            item
                        };
                        ValueExpr::parse(item)
                    })
                    .collect(),
            ));
            if !(p.eat_word("UNION") && p.eat_word("ALL")) {
                break;
            }
        }
        if parenthesized {
            p.expect_symbol(")").map_err(err)?;
        }
        Ok(rows)
    }

    /// Evaluates and stores rows; each source row may feed several targets (INSERT ALL).
    fn add_rows(&mut self, rows: Vec<RowTargets>, place: Place, vars: Option<&Variables>) {
        for (row_line, targets) in rows {
            let mut ctx = RowContext::default();
            for ((name, index, positions), exprs) in targets {
                let row_place = Place {
                    file: place.file,
                    line: row_line,
                };
                match self.build_row(index, &positions, &exprs, &mut ctx, vars) {
                    Ok(values) => {
                        self.uncommitted = true;
                        if let Some(t) = self.tables[index].as_mut() {
                            t.rows.push(ScriptRow {
                                file: place.file.to_path_buf(),
                                line: place.line,
                                row_line,
                                values,
                            });
                        }
                    }
                    Err(message) => self.problem(row_place, Some(&name), message),
                }
            }
        }
    }

    fn build_row(
        &mut self,
        index: usize,
        positions: &[usize],
        exprs: &[ValueExpr],
        ctx: &mut RowContext,
        vars: Option<&Variables>,
    ) -> Result<Vec<Option<String>>, String> {
        let table = self.tables[index].as_ref().ok_or("the table was dropped")?;
        if exprs.len() != positions.len() {
            return Err(format!(
                "{} value(s) for {} column(s)",
                exprs.len(),
                positions.len()
            ));
        }
        if let Some((name, _)) = self
            .triggers
            .iter()
            .find(|(_, t)| t.enabled && t.table == table.name)
        {
            return Err(format!(
                "the INSERT trigger {name} would run for this row, and triggers are not evaluated (disable it in the script, or load the rows another way)"
            ));
        }
        if table.temporary {
            return Err(
                "rows of a temporary table do not outlive the session; not evaluated".into(),
            );
        }
        let columns = table.columns.clone();
        let mut values = Vec::with_capacity(columns.len());
        for (k, column) in columns.iter().enumerate() {
            let given = positions.iter().position(|p| *p == k).map(|i| &exprs[i]);
            let fail = |e: String, what: &str| format!("column {}: {what}: {e}", column.name);
            let mut value = match given {
                Some(expr) => {
                    if column.virtual_column {
                        return Err(format!(
                            "column {} is virtual and cannot take a value (ORA-54013)",
                            column.name
                        ));
                    }
                    if matches!(column.identity, Some((Identity::Always, _))) {
                        return Err(format!(
                            "column {} is GENERATED ALWAYS AS IDENTITY and cannot take a value (ORA-32795)",
                            column.name
                        ));
                    }
                    let e = expr
                        .expr
                        .as_ref()
                        .map_err(|e| fail(e.clone(), &expr.text))?;
                    Some(self.eval(e, ctx, vars).map_err(|e| fail(e, &expr.text))?)
                }
                None => None,
            };
            let is_null = |v: &Option<Value>| matches!(v, None | Some(Value::Null));
            if let Some((kind, _)) = &column.identity {
                let generate = match kind {
                    Identity::Always => true,
                    Identity::ByDefault => value.is_none(),
                    Identity::ByDefaultOnNull => is_null(&value),
                };
                if generate {
                    let t = self.tables[index].as_mut().ok_or("the table was dropped")?;
                    let (_, seq) = t.columns[k].identity.as_mut().ok_or("identity")?;
                    let v = seq
                        .next_value(&format!("the identity of {}", column.name))
                        .map_err(|e| format!("column {}: {e}", column.name))?;
                    value = Some(Value::Number(v));
                }
            } else if column.virtual_column {
                // Computed by the database; left out of the copied columns.
                values.push(None);
                continue;
            }
            let use_default = match &value {
                None => true,
                Some(Value::Null) => column.default_on_null,
                _ => false,
            };
            if use_default {
                if let Some(tokens) = &column.default {
                    let text = format!("DEFAULT {}", source_text(tokens));
                    let expr = parse_expression(tokens).map_err(|e| fail(e, &text))?;
                    value = Some(self.eval(&expr, ctx, None).map_err(|e| fail(e, &text))?);
                }
            }
            let value = value.unwrap_or(Value::Null);
            let stored = column
                .ty
                .store(&value, self.nls_changed)
                .map_err(|e| format!("column {}: {e}", column.name))?;
            if stored.is_none() && column.not_null {
                return Err(format!(
                    "column {} is NOT NULL and the row gives it NULL (ORA-01400)",
                    column.name
                ));
            }
            values.push(stored);
        }
        Ok(values)
    }

    // -----------------------------------------------------------------------------------------
    // Evaluation

    fn eval(
        &mut self,
        e: &Expr,
        ctx: &mut RowContext,
        vars: Option<&Variables>,
    ) -> Result<Value, String> {
        match e {
            Expr::Literal(v) => Ok(v.clone()),
            Expr::BinaryLiteral(text) => Err(format!(
                "the binary floating-point literal {text} is not evaluated"
            )),
            Expr::AnsiDate(text, timestamp) => {
                let d = ansi_literal(text, *timestamp, &self.now)?;
                Ok(if *timestamp {
                    Value::Timestamp(d)
                } else {
                    Value::Date(d)
                })
            }
            Expr::Negate(inner) => match self.eval(inner, ctx, vars)? {
                Value::Null => Ok(Value::Null),
                v => {
                    let d = v.to_number(self.nls_changed)?.unwrap_or(Dec::zero());
                    Ok(Value::Number(Dec {
                        coef: -d.coef,
                        exp: d.exp,
                    }))
                }
            },
            Expr::Binary('|', a, b) => {
                let a = self.eval(a, ctx, vars)?.to_text()?.unwrap_or_default();
                let b = self.eval(b, ctx, vars)?.to_text()?.unwrap_or_default();
                Ok(Value::text(a + &b))
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a, ctx, vars)?, self.eval(b, ctx, vars)?);
                if a == Value::Null || b == Value::Null {
                    return Ok(Value::Null);
                }
                if matches!(
                    a,
                    Value::Date(_) | Value::Timestamp(_) | Value::TimestampUtc(_)
                ) || matches!(
                    b,
                    Value::Date(_) | Value::Timestamp(_) | Value::TimestampUtc(_)
                ) {
                    return Err("date arithmetic is not evaluated".into());
                }
                let (x, y) = (
                    a.to_number(self.nls_changed)?.unwrap_or(Dec::zero()),
                    b.to_number(self.nls_changed)?.unwrap_or(Dec::zero()),
                );
                Ok(Value::Number(Dec::arith(x, *op, y)?))
            }
            Expr::Name(parts) => self.name(parts, ctx, vars),
            Expr::Call(name, args) => self.call(name, args, ctx, vars),
        }
    }

    fn name(
        &mut self,
        parts: &[String],
        ctx: &mut RowContext,
        vars: Option<&Variables>,
    ) -> Result<Value, String> {
        let now = self.now;
        match parts {
            [one] => {
                if let Some(v) = vars.and_then(|vars| vars.get(one)) {
                    return Ok(v.clone());
                }
                match one.as_str() {
                    "SYSDATE" | "CURRENT_DATE" => Ok(Value::Date(DateTime { nanos: 0, ..now })),
                    "SYSTIMESTAMP" | "CURRENT_TIMESTAMP" => Ok(Value::TimestampUtc(now)),
                    "LOCALTIMESTAMP" => Ok(Value::Timestamp(now)),
                    "USER" | "UID" | "ROWNUM" | "LEVEL" | "ROWID" | "SESSIONTIMEZONE" | "DBTIMEZONE" => {
                        Err(format!("{one} is not evaluated"))
                    }
                    _ => Err(format!(
                        "{one} is not a value the script gives (a column, variable or function not evaluated)"
                    )),
                }
            }
            [.., seq, op] if op == "NEXTVAL" || op == "CURRVAL" => {
                let sequence = self
                    .sequences
                    .get_mut(seq)
                    .ok_or_else(|| format!("the script does not create the sequence {seq}"))?;
                if op == "NEXTVAL" {
                    if let Some(v) = ctx.nextval.get(seq) {
                        return Ok(Value::Number(*v));
                    }
                    let v = sequence.next_value(seq)?;
                    ctx.nextval.insert(seq.clone(), v);
                    Ok(Value::Number(v))
                } else {
                    sequence
                        .current
                        .map(Value::Number)
                        .ok_or_else(|| format!("{seq}.CURRVAL before any NEXTVAL (ORA-08002)"))
                }
            }
            _ => Err(format!(
                "{} is not a value the script gives (a column or package variable is not evaluated)",
                parts.join(".")
            )),
        }
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        ctx: &mut RowContext,
        vars: Option<&Variables>,
    ) -> Result<Value, String> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a, ctx, vars)?);
        }
        let count = |range: std::ops::RangeInclusive<usize>| -> Result<(), String> {
            if range.contains(&values.len()) {
                Ok(())
            } else {
                Err(format!(
                    "{name} takes {range:?} argument(s), not {}",
                    values.len()
                ))
            }
        };
        let text_arg = |v: &Value, what: &str| -> Result<String, String> {
            match v {
                Value::Text(s) => Ok(s.clone()),
                Value::Number(d) => d.tm_text(),
                _ => Err(format!("{name}: the {what} must be a string")),
            }
        };
        match name {
            "TO_DATE" | "TO_TIMESTAMP" => {
                count(1..=3)?;
                if values[0] == Value::Null {
                    return Ok(Value::Null);
                }
                if values.len() == 1 {
                    return Err(format!(
                        "{name} without a format takes the session's NLS format, which the script does not fix"
                    ));
                }
                let input = text_arg(&values[0], "value")?;
                let format = text_arg(&values[1], "format")?;
                if let Some(nls) = values.get(2) {
                    check_nls_date_language(&text_arg(nls, "NLS parameter")?)?;
                }
                let timestamp = name == "TO_TIMESTAMP";
                let d = parse_datetime(&input, &format, &self.now, timestamp)
                    .map_err(|e| format!("{name}: {e}"))?;
                Ok(if timestamp {
                    Value::Timestamp(d)
                } else {
                    Value::Date(d)
                })
            }
            "TO_NUMBER" => {
                count(1..=1)?;
                match &values[0] {
                    Value::Null => Ok(Value::Null),
                    Value::Number(d) => Ok(Value::Number(*d)),
                    Value::Text(s) => Ok(Value::Number(text_to_number(s, self.nls_changed)?)),
                    _ => Err("TO_NUMBER of a date or raw value".into()),
                }
            }
            "TO_CHAR" => {
                count(1..=1)?;
                match &values[0] {
                    Value::Null => Ok(Value::Null),
                    Value::Number(d) => Ok(Value::text(d.tm_text()?)),
                    Value::Text(s) => Ok(Value::text(s.clone())),
                    _ => Err(
                        "TO_CHAR of a date without a format takes the session's NLS format".into(),
                    ),
                }
            }
            "HEXTORAW" => {
                count(1..=1)?;
                match &values[0] {
                    Value::Null => Ok(Value::Null),
                    v => {
                        let bytes = hex_bytes(&v.to_text()?.unwrap_or_default())?;
                        Ok(if bytes.is_empty() {
                            Value::Null
                        } else {
                            Value::Raw(bytes)
                        })
                    }
                }
            }
            "RAWTOHEX" => {
                count(1..=1)?;
                match &values[0] {
                    Value::Raw(b) => Ok(Value::text(hex_upper(b))),
                    Value::Null => Ok(Value::Null),
                    _ => Err("RAWTOHEX of a value that is not RAW".into()),
                }
            }
            "UTL_RAW.CAST_TO_RAW" => {
                count(1..=1)?;
                match &values[0] {
                    Value::Null => Ok(Value::Null),
                    v => Ok(Value::Raw(v.to_text()?.unwrap_or_default().into_bytes())),
                }
            }
            "CHR" => {
                count(1..=1)?;
                let Some(d) = values[0].to_number(self.nls_changed)? else {
                    return Ok(Value::Null);
                };
                let n = d.round_scale(0)?;
                let code = 10i128
                    .checked_pow(n.exp.max(0) as u32)
                    .and_then(|p| n.coef.checked_mul(p))
                    .and_then(|c| u8::try_from(c).ok());
                match code {
                    Some(code) if code < 128 => Ok(Value::text((code as char).to_string())),
                    _ => Err(format!(
                        "CHR({}) outside ASCII depends on the database character set (not evaluated)",
                        d.tm_text_unchecked()
                    )),
                }
            }
            "NVL" => {
                count(2..=2)?;
                Ok(if values[0] == Value::Null {
                    values[1].clone()
                } else {
                    values[0].clone()
                })
            }
            _ => Err(format!("the function {name} is not evaluated")),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Anonymous blocks

    fn plsql(&mut self, tokens: &[Token], place: Place) {
        let anonymous = tokens
            .first()
            .is_some_and(|t| t.is("DECLARE") || t.is("BEGIN"));
        if !anonymous {
            if tokens.first().is_some_and(|t| t.is("CREATE")) {
                if let Err((table, message)) = self.create(tokens, place) {
                    self.problem(place, table.as_deref(), message);
                }
            }
            return;
        }
        // Try to run the block; if it holds something not evaluated, tell whether it may change rows.
        let changes_rows = tokens.iter().any(|t| {
            ["INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE"]
                .iter()
                .any(|w| t.is(w))
                || (t.kind == TokenKind::String && {
                    let s = t.string_value().to_ascii_uppercase();
                    [
                        "INSERT ",
                        "UPDATE ",
                        "DELETE ",
                        "MERGE ",
                        "TRUNCATE ",
                        "CREATE TABLE",
                        "ALTER TABLE",
                        "DROP TABLE",
                    ]
                    .iter()
                    .any(|w| s.contains(w))
                })
                || ident(t).is_some_and(|n| self.routines.contains(&n))
        });
        if let Err((line, message)) = self.run_block(tokens, place) {
            let at = Place {
                file: place.file,
                line,
            };
            if changes_rows {
                self.problem(at, None, message);
            } else {
                self.note(
                    at,
                    format!("anonymous block not evaluated ({message}); it inserts, changes or deletes no rows"),
                );
            }
        }
    }

    fn run_block(&mut self, tokens: &[Token], place: Place) -> Result<(), (u32, String)> {
        let mut vars = Variables::new();
        let mut p = Parser::new(tokens);
        let line_of = |p: &Parser| p.line().unwrap_or(place.line);
        if p.eat_word("DECLARE") {
            while !p.at_end() && !p.peek().is_some_and(|t| t.is("BEGIN")) {
                let line = line_of(&p);
                let decl = next_statement(&mut p);
                let Some(name) = decl.first().and_then(ident) else {
                    return Err((line, "a declaration is not evaluated".into()));
                };
                let not_a_variable = [
                    "CURSOR",
                    "TYPE",
                    "SUBTYPE",
                    "PROCEDURE",
                    "FUNCTION",
                    "PRAGMA",
                ]
                .iter()
                .any(|w| decl[0].is(w))
                    || decl.get(1).is_some_and(|t| t.is("EXCEPTION"));
                if not_a_variable {
                    return Err((
                        line,
                        format!("the declaration {} is not evaluated", source_text(decl)),
                    ));
                }
                let init = decl
                    .iter()
                    .position(|t| t.is_symbol(":=") || t.is("DEFAULT"));
                let value = match init {
                    Some(k) => {
                        let expr = parse_expression(&decl[k + 1..]).map_err(|e| (line, e))?;
                        self.eval(&expr, &mut RowContext::default(), Some(&vars))
                            .map_err(|e| (line, format!("{}: {e}", source_text(decl))))?
                    }
                    None => Value::Null,
                };
                vars.insert(name, value);
            }
        }
        if !p.eat_word("BEGIN") {
            return Err((line_of(&p), "expected BEGIN".into()));
        }
        loop {
            let Some(t) = p.peek() else {
                return Err((place.line, "the block has no END".into()));
            };
            let line = t.line;
            if t.is("END") {
                return Ok(());
            }
            if t.is("EXCEPTION") {
                return Err((line, "exception handlers are not evaluated".into()));
            }
            let statement = next_statement(&mut p);
            let Some(first) = statement.first() else {
                continue;
            };
            if first.is("INSERT") {
                self.sql(statement, place, Some(&vars));
            } else if first.is("COMMIT") {
                self.uncommitted = false;
            } else if first.is("NULL") {
            } else if statement.len() > 2 && statement[1].is_symbol(":=") {
                let Some(name) = ident(first).filter(|n| vars.contains_key(n)) else {
                    return Err((
                        line,
                        format!("{} is not a variable of the block", first.text),
                    ));
                };
                let expr = parse_expression(&statement[2..]).map_err(|e| (line, e))?;
                let v = self
                    .eval(&expr, &mut RowContext::default(), Some(&vars))
                    .map_err(|e| (line, format!("{}: {e}", source_text(statement))))?;
                vars.insert(name, v);
            } else if first.is("DBMS_OUTPUT") {
            } else {
                return Err((
                    line,
                    format!(
                        "the PL/SQL statement {} is not evaluated",
                        source_text(statement)
                    ),
                ));
            }
        }
    }
}

/// The statement at the parser's position, up to its `;` (which is consumed).
fn next_statement<'a>(p: &mut Parser<'a>) -> &'a [Token] {
    let statement = p.until_top_level(|t| t.is_symbol(";"));
    p.eat_symbol(";");
    statement
}

fn check_nls_date_language(nls: &str) -> Result<(), String> {
    let upper = nls.to_ascii_uppercase();
    let Some((key, value)) = upper.split_once('=') else {
        return Err(format!(
            "the NLS parameter {nls:?} is not NLS_DATE_LANGUAGE=…"
        ));
    };
    let value = value.trim().trim_matches(['\'', '"']);
    if key.trim() != "NLS_DATE_LANGUAGE" || !matches!(value, "AMERICAN" | "ENGLISH") {
        return Err(format!(
            "the NLS parameter {nls:?} is not evaluated (only NLS_DATE_LANGUAGE=AMERICAN or ENGLISH)"
        ));
    }
    Ok(())
}

/// A table, its index and the positions of the columns an INSERT names.
type Target = (String, usize, Vec<usize>);

/// Why a statement is not evaluated: the table it concerns (if any) and the message.
type Failure = (Option<String>, String);

/// One row of a VALUES list or SELECT … FROM dual: the line it starts on and its values.
type SourceRow = (u32, Vec<ValueExpr>);

/// One source row and the tables (with their values) it goes to; INSERT ALL has several.
type RowTargets = (u32, Vec<(Target, Vec<ValueExpr>)>);

/// One value of a VALUES list: its source text (for messages) and its parsed form.
#[derive(Clone, Debug)]
struct ValueExpr {
    text: String,
    expr: Result<Expr, String>,
}

impl ValueExpr {
    fn parse(tokens: &[Token]) -> ValueExpr {
        ValueExpr {
            text: source_text(tokens),
            expr: parse_expression(tokens),
        }
    }
}

enum ColumnItem {
    Column(Box<Column>),
    /// An out-of-line PRIMARY KEY: its columns are NOT NULL.
    PrimaryKey(Vec<String>),
    Constraint,
    /// A column without a type (CREATE TABLE t (a, b) AS SELECT).
    Untyped,
}

/// Words that end a column's type and start its properties.
fn is_property_word(t: &Token) -> bool {
    [
        "DEFAULT",
        "NOT",
        "NULL",
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "GENERATED",
        "AS",
        "ENCRYPT",
        "COLLATE",
        "SORT",
        "VISIBLE",
        "INVISIBLE",
        "VIRTUAL",
        "ENABLE",
        "DISABLE",
        "IDENTITY",
    ]
    .iter()
    .any(|w| t.is(w))
}

/// One item of a CREATE TABLE column list (or of ALTER TABLE ADD/MODIFY).
fn parse_column(item: &[Token]) -> Result<ColumnItem, String> {
    let Some(first) = item.first() else {
        return Ok(ColumnItem::Constraint);
    };
    if first.kind == TokenKind::Word
        && [
            "CONSTRAINT",
            "PRIMARY",
            "UNIQUE",
            "FOREIGN",
            "CHECK",
            "SUPPLEMENTAL",
            "PERIOD",
            "SCOPE",
            "REF",
        ]
        .iter()
        .any(|w| first.is(w))
    {
        if let Some(k) = item.iter().position(|t| t.is("PRIMARY")) {
            let mut p = Parser::new(&item[k..]);
            p.eat_word("PRIMARY");
            p.eat_word("KEY");
            if p.eat_symbol("(") {
                let cols = p.parenthesized()?.iter().filter_map(ident).collect();
                return Ok(ColumnItem::PrimaryKey(cols));
            }
        }
        return Ok(ColumnItem::Constraint);
    }
    let name = ident(first).ok_or_else(|| format!("{:?} is not a column name", first.text))?;
    let rest = &item[1..];
    let type_end = Parser::new(rest).until_top_level(is_property_word).len();
    let type_tokens = &rest[..type_end];
    let props = &rest[type_end..];
    let virtual_column =
        props.iter().any(|t| t.is("AS")) && !props.iter().any(|t| t.is("IDENTITY"));
    if type_tokens.is_empty() && !virtual_column && props.is_empty() {
        return Ok(ColumnItem::Untyped);
    }
    let ty = if type_tokens.is_empty() {
        ColumnType::Other("(virtual)".into())
    } else {
        ColumnType::parse(type_tokens)
    };
    let mut column = Column {
        name,
        ty,
        default: None,
        default_on_null: false,
        not_null: false,
        identity: None,
        virtual_column,
    };
    let mut p = Parser::new(props);
    while let Some(t) = p.next() {
        if t.is_symbol("(") {
            // A CHECK condition or REFERENCES column list: nothing to read.
            p.parenthesized()?;
        } else if (t.is("NOT") && p.eat_word("NULL")) || t.is("PRIMARY") {
            column.not_null = true;
        } else if t.is("DEFAULT") {
            if p.eat_word("ON") {
                p.eat_word("NULL");
                column.default_on_null = true;
            }
            let expr = p.until_top_level(|t| is_property_word(t) && !t.is("NULL"));
            column.default = Some(expr.to_vec());
        } else if t.is("GENERATED") && props.iter().any(|t| t.is("IDENTITY")) {
            let kind = if p.eat_word("ALWAYS") {
                Identity::Always
            } else if p.eat_word("BY") && p.eat_word("DEFAULT") {
                if p.eat_word("ON") && p.eat_word("NULL") {
                    Identity::ByDefaultOnNull
                } else {
                    Identity::ByDefault
                }
            } else {
                Identity::Always
            };
            p.eat_word("AS");
            p.eat_word("IDENTITY");
            let options = if p.eat_symbol("(") {
                p.parenthesized()?
            } else {
                &[]
            };
            column.identity = Some((kind, Sequence::from_options(options)?));
            column.not_null = true;
        }
    }
    Ok(ColumnItem::Column(Box::new(column)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime {
        DateTime {
            year: 2026,
            month: 11,
            day: 26,
            hour: 8,
            minute: 0,
            second: 0,
            nanos: 0,
        }
    }

    fn num(text: &str) -> String {
        Dec::parse(text).unwrap().unwrap().tm_text().unwrap()
    }

    #[test]
    fn numbers_read_as_tm9_writes_them() {
        assert_eq!(num("0.5"), ".5");
        assert_eq!(num("-0.25"), "-.25");
        assert_eq!(num("1e3"), "1000");
        assert_eq!(num("1.50"), "1.5");
        assert_eq!(num("00120"), "120");
        assert_eq!(num("-0"), "0");
        assert_eq!(num("1.5E-3"), ".0015");
        assert!(Dec::parse("1,5").is_none());
        assert!(Dec::parse("1".repeat(39).as_str()).unwrap().is_err());
        let d = Dec::parse("29.555").unwrap().unwrap();
        assert_eq!(d.round_scale(2).unwrap().tm_text().unwrap(), "29.56");
        let d = Dec::parse("-29.555").unwrap().unwrap();
        assert_eq!(d.round_scale(2).unwrap().tm_text().unwrap(), "-29.56");
        assert_eq!(d.round_scale(-1).unwrap().tm_text().unwrap(), "-30");
    }

    #[test]
    fn format_models_parse_like_oracle() {
        let n = now();
        let d = parse_datetime(
            "04-FEB-2021 13.20.22.245676861",
            "DD-MON-YYYY HH24.MI.SS.FF",
            &n,
            true,
        )
        .unwrap();
        assert_eq!(d.timestamp_text(), " 2021-02-04 13:20:22.245676861");
        let d = parse_datetime("1962-2-18 00:00:00", "yyyy-mm-dd hh24:mi:ss", &n, false).unwrap();
        assert_eq!(d.date_text(), " 1962-02-18 00:00:00");
        let d = parse_datetime("17-02-2014", "dd-MM-yyyy", &n, false).unwrap();
        assert_eq!(d.date_text(), " 2014-02-17 00:00:00");
        let d = parse_datetime("2019-01-01-00-00-00", "YYYY-MM-DD-HH24-MI-SS", &n, false).unwrap();
        assert_eq!(d.date_text(), " 2019-01-01 00:00:00");
        let d = parse_datetime("5 march 99 11:05 pm", "DD MONTH RR HH:MI AM", &n, false).unwrap();
        assert_eq!(d.date_text(), " 1999-03-05 23:05:00");
        let d = parse_datetime("12 AM", "HH12 AM", &n, false).unwrap();
        assert_eq!(d.date_text(), " 2026-11-01 00:00:00");
        assert!(parse_datetime("30-02-2020", "DD-MM-YYYY", &n, false).is_err());
        assert!(parse_datetime("29-02-1500", "DD-MM-YYYY", &n, false).is_ok());
        assert!(parse_datetime("2020-01-01 10", "YYYY-MM-DD", &n, false).is_err());
        assert!(parse_datetime("2020-01-01", "YYYY-MM-DD HH24:MI:SS.FF", &n, false).is_err());
        assert!(parse_datetime("2020", "YYYY Q", &n, false).is_err());
    }

    #[test]
    fn timestamps_round_to_their_precision() {
        let d = parse_datetime(
            "2021-12-31 23:59:59.9999996",
            "YYYY-MM-DD HH24:MI:SS.FF",
            &now(),
            true,
        )
        .unwrap();
        assert_eq!(
            d.round_fraction(6).unwrap().timestamp_text(),
            " 2022-01-01 00:00:00.000000000"
        );
        assert_eq!(
            d.round_fraction(9).unwrap().timestamp_text(),
            " 2021-12-31 23:59:59.999999600"
        );
    }
}
