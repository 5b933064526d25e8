//! Oracle table data as PostgreSQL COPY text, with no silent loss.
//!
//! Each column is read with a SELECT expression that gives a canonical text whatever the session's
//! NLS settings ([`select_expression`]): numbers in text-minimum form, DATE and TIMESTAMP with a
//! signed year and nine fraction digits, TIMESTAMP WITH (LOCAL) TIME ZONE as its UTC instant (so a
//! named zone such as `America/New_York` keeps the exact instant, DST overlaps included),
//! BINARY_FLOAT/DOUBLE as their IEEE bits (NaN and infinities exact), RAW as hex. [`copy_field`]
//! turns that text into a field of PostgreSQL's COPY text format for the column's Oracle type, and
//! refuses what PostgreSQL cannot hold exactly (fractions of a second beyond microseconds) naming
//! the value; NUL characters, which PostgreSQL text cannot hold, follow the [`NulPolicy`] and are
//! counted in [`DataStats`].

use serde::{Deserialize, Serialize};

/// An Oracle column type as `ALL_TAB_COLUMNS.DATA_TYPE` spells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum OracleType {
    /// NUMBER and FLOAT (decimal).
    Number,
    BinaryFloat,
    BinaryDouble,
    /// CHAR, VARCHAR2, NCHAR, NVARCHAR2, CLOB, NCLOB, LONG.
    Text,
    Date,
    Timestamp,
    /// TIMESTAMP WITH TIME ZONE and WITH LOCAL TIME ZONE.
    TimestampTz,
    IntervalYearToMonth,
    IntervalDayToSecond,
    /// RAW (read as hex by the query).
    Binary,
    /// BLOB and LONG RAW: read bare (SQL cannot turn them into hex past 2000 bytes); the driver reads
    /// a BLOB through its locator in pieces and hands the bytes on as hex.
    Blob,
    /// ROWID, UROWID.
    RowId,
    /// RAW going into a `uuid` column (a copy sets this when the target's column is a uuid; the
    /// catalog never says it): 16 bytes, sent as plain hex.
    Uuid,
    /// Anything else (object types, XMLTYPE, …): not copied.
    Other(String),
}

impl OracleType {
    /// Reads `ALL_TAB_COLUMNS.DATA_TYPE`, e.g. `TIMESTAMP(6) WITH TIME ZONE` or
    /// `INTERVAL DAY(2) TO SECOND(6)`.
    pub fn parse(data_type: &str) -> OracleType {
        let upper = data_type.trim().to_ascii_uppercase();
        let base: String = upper
            .chars()
            .filter(|c| *c != '(' && *c != ')' && !c.is_ascii_digit())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match base.as_str() {
            "NUMBER" | "FLOAT" | "DECIMAL" | "INTEGER" | "SMALLINT" => OracleType::Number,
            "BINARY_FLOAT" => OracleType::BinaryFloat,
            "BINARY_DOUBLE" => OracleType::BinaryDouble,
            "CHAR" | "VARCHAR" | "VARCHAR2" | "NCHAR" | "NVARCHAR2" | "CLOB" | "NCLOB" | "LONG" => {
                OracleType::Text
            }
            "DATE" => OracleType::Date,
            "TIMESTAMP" => OracleType::Timestamp,
            "TIMESTAMP WITH TIME ZONE" | "TIMESTAMP WITH LOCAL TIME ZONE" => {
                OracleType::TimestampTz
            }
            "INTERVAL YEAR TO MONTH" => OracleType::IntervalYearToMonth,
            "INTERVAL DAY TO SECOND" => OracleType::IntervalDayToSecond,
            "RAW" => OracleType::Binary,
            "LONG RAW" | "BLOB" => OracleType::Blob,
            "ROWID" | "UROWID" => OracleType::RowId,
            _ => OracleType::Other(upper),
        }
    }
}

/// A column to read: its name as Oracle stores it, its type and, where the source says it, its
/// declared size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OracleColumn {
    pub name: String,
    pub data_type: OracleType,
    pub size: ColumnSize,
}

impl OracleColumn {
    /// A column whose size is not known.
    pub fn new(name: &str, data_type: OracleType) -> OracleColumn {
        OracleColumn {
            name: name.to_string(),
            data_type,
            size: ColumnSize::default(),
        }
    }
}

/// A column's declared size (`None`: not said, or unconstrained), for checking that an existing
/// target column can hold every value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ColumnSize {
    /// CHAR/VARCHAR2: characters (bytes when declared in bytes); RAW: bytes.
    pub length: Option<u32>,
    /// NUMBER(p,s): p.
    pub precision: Option<u32>,
    /// NUMBER(p,s): s; TIMESTAMP(f) and INTERVAL DAY TO SECOND(f): f, the digits of a second's
    /// fraction.
    pub scale: Option<i32>,
}

/// What to do with a NUL character (U+0000) in text, which PostgreSQL refuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NulPolicy {
    /// Refuse the value, naming it (the default: nothing changes silently).
    #[default]
    Fail,
    /// Remove the NUL characters.
    Strip,
    /// Replace each with U+FFFD (the replacement character).
    Replace,
}

/// What the conversion did to a table's values, for the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DataStats {
    pub values: u64,
    /// Values that held NUL characters, and the characters stripped or replaced.
    pub nul_values: u64,
    pub nul_characters: u64,
}

/// A value PostgreSQL cannot take as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("column {column}: the text holds {count} NUL character(s), which PostgreSQL cannot store (--nul strip or --nul replace to load it anyway, counted in the report)")]
    Nul { column: String, count: u64 },
    #[error("column {column}: {value} has fractions of a second below a microsecond, which PostgreSQL cannot hold")]
    Precision { column: String, value: String },
    #[error("column {column}: cannot read {value:?} as {expected}")]
    Malformed {
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("column {column}: Oracle type {data_type} is not copied (convert it by hand)")]
    Unsupported { column: String, data_type: String },
    #[error("column {column}: reading the LOB failed: {message}")]
    Read { column: String, message: String },
}

/// One value of a fetched row: text as [`select_expression`] reads it, or a LOB handed over as a
/// stream of its contents, so that a value of any size passes through in pieces.
pub enum Field<'r> {
    Value(Option<String>),
    /// A CLOB's (NCLOB's, LONG's) text as UTF-8.
    Characters(Box<dyn std::io::Read + 'r>),
    /// A BLOB's (LONG RAW's) bytes.
    Bytes(Box<dyn std::io::Read + 'r>),
}

impl Field<'_> {
    /// The whole value as [`select_expression`] reads it: a streamed CLOB as its text, a streamed
    /// BLOB as upper-case hex (as `RAWTOHEX` writes it).
    pub fn into_value(self) -> std::io::Result<Option<String>> {
        use std::io::Read;
        match self {
            Field::Value(v) => Ok(v),
            Field::Characters(mut r) => {
                let mut text = String::new();
                r.read_to_string(&mut text)?;
                Ok(Some(text))
            }
            Field::Bytes(mut r) => {
                let (mut hex, mut piece) = (String::new(), vec![0u8; STREAM_PIECE_BYTES]);
                loop {
                    let n = r.read(&mut piece)?;
                    if n == 0 {
                        return Ok(Some(hex));
                    }
                    hex.push_str(&hex_upper(&piece[..n]));
                }
            }
        }
    }
}

/// Bytes read from a streamed value at a time.
pub const STREAM_PIECE_BYTES: usize = 256 * 1024;

/// `"NAME"`, as Oracle quotes an identifier.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SELECT expression reading `column` as the canonical text [`copy_field`] expects.
pub fn select_expression(column: &OracleColumn) -> String {
    let c = quoted(&column.name);
    match &column.data_type {
        OracleType::Number => format!("TO_CHAR({c}, 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,''')"),
        OracleType::BinaryFloat => format!("RAWTOHEX(UTL_RAW.CAST_FROM_BINARY_FLOAT({c}))"),
        OracleType::BinaryDouble => format!("RAWTOHEX(UTL_RAW.CAST_FROM_BINARY_DOUBLE({c}))"),
        OracleType::Date => format!("TO_CHAR({c}, 'SYYYY-MM-DD HH24:MI:SS')"),
        OracleType::Timestamp => format!("TO_CHAR({c}, 'SYYYY-MM-DD HH24:MI:SS.FF9')"),
        OracleType::TimestampTz => {
            format!("TO_CHAR(SYS_EXTRACT_UTC({c}), 'SYYYY-MM-DD HH24:MI:SS.FF9')")
        }
        OracleType::IntervalYearToMonth | OracleType::IntervalDayToSecond => {
            format!("TO_CHAR({c})")
        }
        OracleType::Binary | OracleType::Uuid => format!("RAWTOHEX({c})"),
        OracleType::Blob => c,
        OracleType::RowId => format!("ROWIDTOCHAR({c})"),
        OracleType::Text | OracleType::Other(_) => c,
    }
}

/// The columns of a SELECT reading `columns` in order, each as [`select_expression`] says.
pub fn select_list(columns: &[OracleColumn]) -> String {
    columns
        .iter()
        .map(select_expression)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table's columns in order, with their types.
pub const COLUMNS_SQL: &str = "SELECT column_name, data_type, char_length, data_length, data_precision, data_scale FROM all_tab_columns WHERE owner = :1 AND table_name = :2 ORDER BY column_id";

/// Why a table's data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Live(#[from] crate::live::LiveError),
    #[error(
        "table {owner}.{table} has no columns this user can see (check the name and the grants)"
    )]
    NoColumns { owner: String, table: String },
    #[error("table {owner}.{table}, row with ROWID {rowid}: {error}")]
    Value {
        owner: String,
        table: String,
        rowid: String,
        error: Box<ValueError>,
    },
}

/// Reads the columns of `owner.table` from ALL_TAB_COLUMNS.
pub fn read_columns(
    session: &mut dyn crate::live::OracleSession,
    owner: &str,
    table: &str,
) -> Result<Vec<OracleColumn>, DataError> {
    let columns: Vec<OracleColumn> = session
        .query("columns", COLUMNS_SQL, &[owner, table])?
        .into_iter()
        .filter_map(|r| {
            let mut r = r.into_iter();
            let name = r.next()??;
            let declared = r.next()??;
            let data_type = OracleType::parse(&declared);
            let mut number = || {
                r.next()
                    .flatten()
                    .and_then(|v| v.trim().parse::<i64>().ok())
            };
            let (chars, bytes, precision, scale) = (number(), number(), number(), number());
            let size = match data_type {
                OracleType::Text => ColumnSize {
                    length: chars.filter(|c| *c > 0).map(|c| c as u32),
                    ..Default::default()
                },
                OracleType::Binary => ColumnSize {
                    length: bytes.map(|b| b as u32),
                    ..Default::default()
                },
                // FLOAT's precision is in binary digits.
                OracleType::Number if declared.eq_ignore_ascii_case("FLOAT") => {
                    ColumnSize::default()
                }
                OracleType::Number => ColumnSize {
                    precision: precision.map(|p| p as u32),
                    scale: scale.map(|s| s as i32),
                    ..Default::default()
                },
                OracleType::Timestamp
                | OracleType::TimestampTz
                | OracleType::IntervalDayToSecond => ColumnSize {
                    scale: scale.map(|s| s as i32),
                    ..Default::default()
                },
                _ => ColumnSize::default(),
            };
            Some(OracleColumn {
                name,
                data_type,
                size,
            })
        })
        .collect();
    if columns.is_empty() {
        return Err(DataError::NoColumns {
            owner: owner.into(),
            table: table.into(),
        });
    }
    Ok(columns)
}

/// Appends `text` to `out` escaped for COPY's text format.
fn escape_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(ch),
        }
    }
}

/// A signed Oracle year (`SYYYY`, no year 0) as PostgreSQL writes it: `-44` is `0044 … BC`.
fn date_part(value: &str) -> Option<(String, bool)> {
    let (bc, rest) = match value.trim_start().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.trim_start().trim_start_matches('+')),
    };
    let (year, rest) = rest.split_once('-')?;
    if year.is_empty() || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((format!("{:0>4}-{rest}", year.trim_start_matches('0')), bc))
}

/// Splits `HH:MI:SS.fffffffff` into the part PostgreSQL keeps (microseconds) and whether digits
/// below a microsecond were not zero.
fn microseconds(time: &str) -> (String, bool) {
    match time.split_once('.') {
        None => (time.to_string(), false),
        Some((whole, fraction)) => {
            let lost = fraction.chars().skip(6).any(|c| c != '0');
            let kept: String = fraction.chars().take(6).collect();
            let kept = kept.trim_end_matches('0');
            if kept.is_empty() {
                (whole.to_string(), lost)
            } else {
                (format!("{whole}.{kept}"), lost)
            }
        }
    }
}

/// Converts one value, read as [`select_expression`] reads it (`None`: NULL), into a field of
/// PostgreSQL's COPY text format for a column of type `data_type`.
pub fn copy_field(
    column: &str,
    data_type: &OracleType,
    value: Option<&str>,
    nul: NulPolicy,
    stats: &mut DataStats,
) -> Result<String, ValueError> {
    let Some(value) = value else {
        return Ok("\\N".into());
    };
    stats.values += 1;
    let malformed = |expected: &'static str| ValueError::Malformed {
        column: column.to_string(),
        value: value.chars().take(80).collect(),
        expected,
    };
    let mut out = String::with_capacity(value.len() + 8);
    match data_type {
        OracleType::Text | OracleType::RowId => {
            let count = value.chars().filter(|c| *c == '\0').count() as u64;
            if count > 0 {
                stats.nul_values += 1;
                stats.nul_characters += count;
                match nul {
                    NulPolicy::Fail => {
                        return Err(ValueError::Nul {
                            column: column.to_string(),
                            count,
                        })
                    }
                    NulPolicy::Strip => escape_into(&mut out, &value.replace('\0', "")),
                    NulPolicy::Replace => escape_into(&mut out, &value.replace('\0', "\u{FFFD}")),
                }
            } else {
                escape_into(&mut out, value);
            }
        }
        OracleType::Number => {
            let v = value.trim();
            // Text-minimum numbers: digits, one point, a sign, an exponent (`1E+125`).
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'E' | 'e'))
            {
                return Err(malformed("a number"));
            }
            out.push_str(v);
        }
        OracleType::BinaryFloat | OracleType::BinaryDouble => {
            let bits = u64::from_str_radix(value.trim(), 16).map_err(|_| malformed("IEEE bits"))?;
            let text = if *data_type == OracleType::BinaryFloat {
                if value.trim().len() != 8 {
                    return Err(malformed("4 bytes of IEEE bits"));
                }
                float_text(
                    f32::from_bits(bits as u32) as f64,
                    f32::from_bits(bits as u32).to_string(),
                )
            } else {
                if value.trim().len() != 16 {
                    return Err(malformed("8 bytes of IEEE bits"));
                }
                float_text(f64::from_bits(bits), f64::from_bits(bits).to_string())
            };
            out.push_str(&text);
        }
        OracleType::Date => {
            let (date, bc) = date_part(value).ok_or_else(|| malformed("SYYYY-MM-DD HH24:MI:SS"))?;
            out.push_str(&date);
            if bc {
                out.push_str(" BC");
            }
        }
        OracleType::Timestamp | OracleType::TimestampTz => {
            let (date, bc) =
                date_part(value).ok_or_else(|| malformed("SYYYY-MM-DD HH24:MI:SS.FF9"))?;
            let (day, time) = date
                .split_once(' ')
                .ok_or_else(|| malformed("SYYYY-MM-DD HH24:MI:SS.FF9"))?;
            let (time, lost) = microseconds(time);
            if lost {
                return Err(ValueError::Precision {
                    column: column.to_string(),
                    value: value.to_string(),
                });
            }
            out.push_str(day);
            out.push(' ');
            out.push_str(&time);
            if *data_type == OracleType::TimestampTz {
                out.push_str("+00");
            }
            if bc {
                out.push_str(" BC");
            }
        }
        OracleType::IntervalYearToMonth => {
            // `+02-03`, `-01-11`
            let v = value.trim();
            let (negative, body) = match v.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, v.trim_start_matches('+')),
            };
            let (years, months) = body.split_once('-').ok_or_else(|| malformed("[+-]YY-MM"))?;
            let (years, months): (u64, u64) = (
                years.parse().map_err(|_| malformed("[+-]YY-MM"))?,
                months.parse().map_err(|_| malformed("[+-]YY-MM"))?,
            );
            let sign = if negative { "-" } else { "" };
            out.push_str(&format!("{sign}{years} years {sign}{months} months"));
        }
        OracleType::IntervalDayToSecond => {
            // `+04 05:06:07.123456789`
            let v = value.trim();
            let (negative, body) = match v.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, v.trim_start_matches('+')),
            };
            let (days, time) = body
                .split_once(' ')
                .ok_or_else(|| malformed("[+-]DD HH:MI:SS.FF"))?;
            let days: u64 = days.parse().map_err(|_| malformed("[+-]DD HH:MI:SS.FF"))?;
            let (time, lost) = microseconds(time);
            if lost {
                return Err(ValueError::Precision {
                    column: column.to_string(),
                    value: value.to_string(),
                });
            }
            let sign = if negative { "-" } else { "" };
            out.push_str(&format!("{sign}{days} days {sign}{time}"));
        }
        OracleType::Uuid => {
            let hex = value.trim();
            if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(malformed("16 bytes of hexadecimal for a uuid column"));
            }
            out.push_str(&hex.to_ascii_lowercase());
        }
        OracleType::Binary | OracleType::Blob => {
            let hex = value.trim();
            if hex.len() % 2 != 0 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(malformed("hexadecimal bytes"));
            }
            // bytea's hex input `\x…`, its backslash escaped for COPY.
            out.push_str("\\\\x");
            out.push_str(&hex.to_ascii_lowercase());
        }
        OracleType::Other(name) => {
            return Err(ValueError::Unsupported {
                column: column.to_string(),
                data_type: name.clone(),
            })
        }
    }
    Ok(out)
}

/// PostgreSQL's spelling of a float: `NaN`, `Infinity`, `-Infinity`, else the shortest text that
/// reads back as the same value.
fn float_text(value: f64, shortest: String) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value == f64::INFINITY {
        "Infinity".into()
    } else if value == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        shortest
    }
}

/// Writes one row as COPY text (with its newline) to `out` in pieces: each short value whole, a
/// streamed LOB piece by piece (a CLOB escaped, a BLOB as bytea hex), so that no value is ever whole
/// in memory. Returns false when `out` returned false (the reader stopped listening).
pub fn copy_row(
    columns: &[OracleColumn],
    fields: Vec<Field<'_>>,
    nul: NulPolicy,
    stats: &mut DataStats,
    out: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<bool, ValueError> {
    let mut fields = fields.into_iter();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 && !out(b"\t") {
            return Ok(false);
        }
        let going = match (fields.next(), &column.data_type) {
            (None, _) => out(b"\\N"),
            (Some(Field::Value(v)), data_type) => {
                out(copy_field(&column.name, data_type, v.as_deref(), nul, stats)?.as_bytes())
            }
            (Some(Field::Characters(r)), OracleType::Text) => {
                stream_text(&column.name, r, nul, stats, out)?
            }
            (Some(Field::Bytes(r)), OracleType::Blob | OracleType::Binary) => {
                stream_hex(&column.name, r, stats, out)?
            }
            (Some(other), data_type) => {
                let value = other.into_value().map_err(read_failed(&column.name))?;
                out(copy_field(&column.name, data_type, value.as_deref(), nul, stats)?.as_bytes())
            }
        };
        if !going {
            return Ok(false);
        }
    }
    Ok(out(b"\n"))
}

fn read_failed(column: &str) -> impl Fn(std::io::Error) -> ValueError + '_ {
    move |e| ValueError::Read {
        column: column.to_string(),
        message: e.to_string(),
    }
}

/// A streamed CLOB as a COPY text field, escaped piece by piece; NULs follow `nul` as in
/// [`copy_field`] (under [`NulPolicy::Fail`] the rest is read to count them).
fn stream_text(
    column: &str,
    mut reader: Box<dyn std::io::Read + '_>,
    nul: NulPolicy,
    stats: &mut DataStats,
    out: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<bool, ValueError> {
    use std::io::Read;
    stats.values += 1;
    let (mut piece, mut escaped) = (vec![0u8; STREAM_PIECE_BYTES], Vec::new());
    let mut nuls = 0u64;
    loop {
        let n = reader.read(&mut piece).map_err(read_failed(column))?;
        if n == 0 {
            break;
        }
        escaped.clear();
        for &b in &piece[..n] {
            match b {
                b'\\' => escaped.extend_from_slice(b"\\\\"),
                b'\n' => escaped.extend_from_slice(b"\\n"),
                b'\r' => escaped.extend_from_slice(b"\\r"),
                b'\t' => escaped.extend_from_slice(b"\\t"),
                0 => {
                    nuls += 1;
                    if nul == NulPolicy::Replace {
                        escaped.extend_from_slice("\u{FFFD}".as_bytes());
                    }
                }
                _ => escaped.push(b),
            }
        }
        if nuls > 0 && nul == NulPolicy::Fail {
            continue;
        }
        if !out(&escaped) {
            return Ok(false);
        }
    }
    if nuls > 0 {
        stats.nul_values += 1;
        stats.nul_characters += nuls;
        if nul == NulPolicy::Fail {
            return Err(ValueError::Nul {
                column: column.to_string(),
                count: nuls,
            });
        }
    }
    Ok(true)
}

/// A streamed BLOB as a COPY text field: bytea's hex input (`\\x…`), piece by piece.
fn stream_hex(
    column: &str,
    mut reader: Box<dyn std::io::Read + '_>,
    stats: &mut DataStats,
    out: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<bool, ValueError> {
    use std::io::Read;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    stats.values += 1;
    if !out(b"\\\\x") {
        return Ok(false);
    }
    let (mut piece, mut hex) = (vec![0u8; STREAM_PIECE_BYTES], Vec::new());
    loop {
        let n = reader.read(&mut piece).map_err(read_failed(column))?;
        if n == 0 {
            return Ok(true);
        }
        hex.clear();
        for &b in &piece[..n] {
            hex.push(HEX[(b >> 4) as usize]);
            hex.push(HEX[(b & 15) as usize]);
        }
        if !out(&hex) {
            return Ok(false);
        }
    }
}

/// One row as a line of COPY text (with its newline).
pub fn copy_line(
    columns: &[OracleColumn],
    values: &[Option<String>],
    nul: NulPolicy,
    stats: &mut DataStats,
) -> Result<String, ValueError> {
    let mut line = Vec::new();
    let fields = values.iter().cloned().map(Field::Value).collect();
    copy_row(columns, fields, nul, stats, &mut |bytes| {
        line.extend_from_slice(bytes);
        true
    })?;
    // Built from `&str`s and ASCII escapes: always UTF-8.
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Bytes as upper-case hex, as Oracle's `RAWTOHEX` writes them.
pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(t: OracleType, v: Option<&str>) -> Result<String, ValueError> {
        copy_field("C", &t, v, NulPolicy::Fail, &mut DataStats::default())
    }

    /// ALL_TAB_COLUMNS' rows as a session returns them.
    struct Catalog(Vec<Vec<Option<String>>>);

    impl crate::live::OracleSession for Catalog {
        fn execute(&mut self, _: &'static str, _: &str) -> Result<(), crate::live::LiveError> {
            Ok(())
        }
        fn query(
            &mut self,
            name: &'static str,
            sql: &str,
            binds: &[&str],
        ) -> Result<Vec<Vec<Option<String>>>, crate::live::LiveError> {
            assert_eq!(
                (name, sql, binds),
                ("columns", COLUMNS_SQL, &["HR", "T"][..])
            );
            Ok(self.0.clone())
        }
    }

    #[test]
    fn columns_come_with_their_declared_sizes() {
        let row = |v: [&str; 6]| {
            v.iter()
                .map(|s| (!s.is_empty()).then(|| s.to_string()))
                .collect()
        };
        let mut session = Catalog(vec![
            row(["ID", "NUMBER", "0", "22", "10", "0"]),
            row(["PRICE", "NUMBER", "0", "22", "8", "2"]),
            row(["ANY", "NUMBER", "0", "22", "", ""]),
            row(["F", "FLOAT", "0", "22", "126", ""]),
            row(["NAME", "VARCHAR2", "40", "160", "", ""]),
            row(["AT", "TIMESTAMP(3)", "0", "11", "", "3"]),
            row(["KEY", "RAW", "0", "16", "", ""]),
            row(["DOC", "CLOB", "0", "4000", "", ""]),
        ]);
        let sizes: Vec<(String, ColumnSize)> = read_columns(&mut session, "HR", "T")
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.size))
            .collect();
        let size = |length, precision, scale| ColumnSize {
            length,
            precision,
            scale,
        };
        assert_eq!(
            sizes,
            [
                ("ID".to_string(), size(None, Some(10), Some(0))),
                ("PRICE".to_string(), size(None, Some(8), Some(2))),
                ("ANY".to_string(), size(None, None, None)),
                ("F".to_string(), size(None, None, None)),
                ("NAME".to_string(), size(Some(40), None, None)),
                ("AT".to_string(), size(None, None, Some(3))),
                ("KEY".to_string(), size(Some(16), None, None)),
                ("DOC".to_string(), size(None, None, None)),
            ]
        );
    }

    #[test]
    fn raw_into_a_uuid_column_is_plain_hex_of_sixteen_bytes() {
        assert_eq!(
            field(OracleType::Uuid, Some("0A1B2C3D4E5F60718293A4B5C6D7E8F9")).unwrap(),
            "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
        );
        let e = field(OracleType::Uuid, Some("DEADBEEF"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("DEADBEEF") && e.contains("uuid"), "{e}");
    }

    #[test]
    fn types_read_from_the_catalog() {
        assert_eq!(OracleType::parse("NUMBER"), OracleType::Number);
        assert_eq!(
            OracleType::parse("TIMESTAMP(6) WITH TIME ZONE"),
            OracleType::TimestampTz
        );
        assert_eq!(
            OracleType::parse("TIMESTAMP(9) WITH LOCAL TIME ZONE"),
            OracleType::TimestampTz
        );
        assert_eq!(OracleType::parse("TIMESTAMP(3)"), OracleType::Timestamp);
        assert_eq!(
            OracleType::parse("INTERVAL DAY(2) TO SECOND(6)"),
            OracleType::IntervalDayToSecond
        );
        assert_eq!(
            OracleType::parse("INTERVAL YEAR(2) TO MONTH"),
            OracleType::IntervalYearToMonth
        );
        assert_eq!(OracleType::parse("RAW"), OracleType::Binary);
        assert_eq!(OracleType::parse("LONG RAW"), OracleType::Blob);
        assert_eq!(OracleType::parse("BLOB"), OracleType::Blob);
        assert_eq!(
            OracleType::parse("SDO_GEOMETRY"),
            OracleType::Other("SDO_GEOMETRY".into())
        );
    }

    /// Values as the SELECT expressions make Oracle return them (recorded forms).
    #[test]
    fn values_convert_without_loss() {
        use OracleType::*;
        assert_eq!(field(Number, Some(".5")).unwrap(), ".5");
        assert_eq!(
            field(Number, Some("-12345678901234567890.123456789")).unwrap(),
            "-12345678901234567890.123456789"
        );
        assert_eq!(field(Number, Some("1E+125")).unwrap(), "1E+125");
        assert!(field(Number, Some("1,5")).is_err());
        assert_eq!(
            field(Date, Some(" 2024-02-29 13:45:00")).unwrap(),
            "2024-02-29 13:45:00"
        );
        assert_eq!(
            field(Date, Some("-0044-03-15 12:00:00")).unwrap(),
            "0044-03-15 12:00:00 BC"
        );
        assert_eq!(
            field(Timestamp, Some(" 2024-01-02 03:04:05.123456000")).unwrap(),
            "2024-01-02 03:04:05.123456"
        );
        assert_eq!(
            field(Timestamp, Some(" 2024-01-02 03:04:05.000000000")).unwrap(),
            "2024-01-02 03:04:05"
        );
        // Below a microsecond: refused, naming the column and value.
        let e = field(Timestamp, Some(" 2024-01-02 03:04:05.123456789")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column C: 2024-01-02 03:04:05.123456789")
                || e.to_string().contains("below a microsecond"),
            "{e}"
        );
        // A named zone arrives as its UTC instant (SYS_EXTRACT_UTC): 01:30 America/New_York on the
        // fall-back night is two instants, and each keeps its own.
        assert_eq!(
            field(TimestampTz, Some(" 2024-11-03 05:30:00.000000000")).unwrap(),
            "2024-11-03 05:30:00+00"
        );
        assert_eq!(
            field(TimestampTz, Some(" 2024-11-03 06:30:00.250000000")).unwrap(),
            "2024-11-03 06:30:00.25+00"
        );
        assert_eq!(
            field(IntervalYearToMonth, Some("+02-03")).unwrap(),
            "2 years 3 months"
        );
        assert_eq!(
            field(IntervalYearToMonth, Some("-01-11")).unwrap(),
            "-1 years -11 months"
        );
        assert_eq!(
            field(IntervalDayToSecond, Some("+04 05:06:07.123456000")).unwrap(),
            "4 days 05:06:07.123456"
        );
        assert_eq!(
            field(IntervalDayToSecond, Some("-00 00:00:01.500000000")).unwrap(),
            "-0 days -00:00:01.5"
        );
        assert!(field(IntervalDayToSecond, Some("+00 00:00:00.000000001")).is_err());
        assert_eq!(field(Binary, Some("DEADBEEF")).unwrap(), "\\\\xdeadbeef");
        assert!(field(Binary, Some("ABC")).is_err());
        // A BLOB is read bare (RAWTOHEX stops at 2000 bytes); the driver hands on its bytes as hex.
        assert_eq!(
            select_expression(&OracleColumn::new("DOC", Blob)),
            "\"DOC\""
        );
        assert_eq!(field(Blob, Some("00FF")).unwrap(), "\\\\x00ff");
        // IEEE bits: NaN and the infinities exactly, values in their shortest exact form.
        assert_eq!(field(BinaryFloat, Some("7FC00000")).unwrap(), "NaN");
        assert_eq!(field(BinaryFloat, Some("7F800000")).unwrap(), "Infinity");
        assert_eq!(field(BinaryFloat, Some("FF800000")).unwrap(), "-Infinity");
        assert_eq!(field(BinaryFloat, Some("3DCCCCCD")).unwrap(), "0.1");
        assert_eq!(
            field(BinaryDouble, Some("3FB999999999999A")).unwrap(),
            "0.1"
        );
        assert_eq!(
            field(BinaryDouble, Some("FFF0000000000000")).unwrap(),
            "-Infinity"
        );
        assert!(field(BinaryDouble, Some("3DCCCCCD")).is_err());
        assert_eq!(field(Text, None).unwrap(), "\\N");
        assert_eq!(field(Text, Some("a\tb\\c\nd")).unwrap(), "a\\tb\\\\c\\nd");
        assert!(matches!(
            field(Other("XMLTYPE".into()), Some("<a/>")),
            Err(ValueError::Unsupported { .. })
        ));
    }

    #[test]
    fn nul_characters_follow_the_policy_and_are_counted() {
        let mut stats = DataStats::default();
        let v = Some("a\0b\0");
        let e = copy_field("NOTE", &OracleType::Text, v, NulPolicy::Fail, &mut stats).unwrap_err();
        assert_eq!(
            e,
            ValueError::Nul {
                column: "NOTE".into(),
                count: 2
            }
        );
        assert_eq!(
            copy_field("NOTE", &OracleType::Text, v, NulPolicy::Strip, &mut stats).unwrap(),
            "ab"
        );
        assert_eq!(
            copy_field("NOTE", &OracleType::Text, v, NulPolicy::Replace, &mut stats).unwrap(),
            "a\u{FFFD}b\u{FFFD}"
        );
        assert_eq!(
            copy_field(
                "NOTE",
                &OracleType::Text,
                Some("clean"),
                NulPolicy::Strip,
                &mut stats
            )
            .unwrap(),
            "clean"
        );
        assert_eq!(
            (stats.values, stats.nul_values, stats.nul_characters),
            (4, 3, 6)
        );
    }

    #[test]
    fn queries_read_each_type_as_canonical_text() {
        let columns = [
            OracleColumn::new("ID", OracleType::Number),
            OracleColumn::new("AT", OracleType::TimestampTz),
            OracleColumn::new("F", OracleType::BinaryDouble),
            OracleColumn::new("Odd\"Name", OracleType::Text),
        ];
        assert_eq!(
            select_list(&columns),
            "TO_CHAR(\"ID\", 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,'''), TO_CHAR(SYS_EXTRACT_UTC(\"AT\"), 'SYYYY-MM-DD HH24:MI:SS.FF9'), RAWTOHEX(UTL_RAW.CAST_FROM_BINARY_DOUBLE(\"F\")), \"Odd\"\"Name\""
        );
        let mut stats = DataStats::default();
        let line = copy_line(
            &columns,
            &[
                Some("7".into()),
                None,
                Some("7FF8000000000000".into()),
                Some("x".into()),
            ],
            NulPolicy::Fail,
            &mut stats,
        )
        .unwrap();
        assert_eq!(line, "7\t\\N\tNaN\tx\n");
    }
}
