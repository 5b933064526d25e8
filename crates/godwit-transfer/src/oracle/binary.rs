//! Oracle rows in COPY's binary format: each row's COPY text line (as
//! `godwit_oracle::data::copy_field` writes it, the form the row's hash is taken from) turned into
//! a binary tuple for the target columns' types, so that PostgreSQL receives values without
//! parsing them.
//!
//! Every encoder reads only the canonical text `copy_field` makes for its Oracle type and gives the
//! value PostgreSQL's own input function would make of that text: numbers keep their display scale
//! (`1.50` stays `1.50`), a zone-less time is never given a zone, a `timestamp` column ignores the
//! `+00` of a time with a zone as `timestamp_in` does. The column's type modifier (a `numeric`'s
//! scale, a `varchar`'s length, a `timestamp(0)`'s rounding) is applied by the server's receive
//! functions as by its input functions. A table is written in binary only when every column has an
//! encoder ([`BinaryField::of`]) and none is a LOB, whose length is not known before it streams;
//! a value its encoder does not read ([`NotBinary`]) sends the chunk back to be copied as text.

use crate::canonical::{unescape_into, DecimalText};
use godwit_oracle::data::{OracleColumn, OracleType};

/// COPY's binary header: signature, flags, header extension length.
pub(crate) const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// COPY's binary trailer: a field count of -1.
pub(crate) const TRAILER: &[u8] = &[0xff, 0xff];

/// How one target column's values are written in COPY's binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryField {
    Int2,
    Int4,
    Int8,
    Numeric,
    Float4,
    Float8,
    /// `timestamp`: a time with or without `+00`, which is ignored.
    Timestamp,
    /// `timestamptz`: a UTC time written with `+00`.
    TimestampUtc,
    Interval,
    Bytea,
    Uuid,
    Bool,
    /// text, varchar, char(n): the characters.
    Text,
    Json,
    Jsonb,
}

impl BinaryField {
    /// The encoder for values of `source` going into a column of the type `format_type` names, when
    /// godwit has one. Numbers, times, intervals and bytes are read only from their own Oracle types
    /// (any other text into such a column is left to PostgreSQL's input function); any value goes
    /// into a text or JSON column as its characters.
    pub(crate) fn of(source: &OracleType, format_type: &str) -> Option<BinaryField> {
        use OracleType as O;
        let t = format_type.trim().to_ascii_lowercase();
        let base = t.split('(').next().unwrap_or("").trim();
        let number = matches!(source, O::Number | O::BinaryFloat | O::BinaryDouble);
        let time = matches!(source, O::Date | O::Timestamp | O::TimestampTz);
        let field = match base {
            "text" | "character varying" | "character" | "bpchar" => BinaryField::Text,
            "json" => BinaryField::Json,
            "jsonb" => BinaryField::Jsonb,
            "smallint" if number => BinaryField::Int2,
            "integer" if number => BinaryField::Int4,
            "bigint" if number => BinaryField::Int8,
            "numeric" if number => BinaryField::Numeric,
            "real" if number => BinaryField::Float4,
            "double precision" if number => BinaryField::Float8,
            "boolean" if *source == O::Number => BinaryField::Bool,
            "bytea" if *source == O::Binary => BinaryField::Bytea,
            "uuid" if *source == O::Uuid => BinaryField::Uuid,
            _ if base.starts_with("timestamp") && time && t.ends_with("with time zone") => {
                // A zone-less time would take the session's zone: only UTC instants are written.
                (*source == O::TimestampTz).then_some(BinaryField::TimestampUtc)?
            }
            _ if base.starts_with("timestamp") && time => BinaryField::Timestamp,
            _ if base.starts_with("interval")
                && matches!(source, O::IntervalYearToMonth | O::IntervalDayToSecond) =>
            {
                BinaryField::Interval
            }
            _ => return None,
        };
        Some(field)
    }

    /// Appends the value of the COPY text `field` (not NULL) in binary, without its length.
    fn encode(self, field: &[u8], out: &mut Vec<u8>) -> Option<()> {
        match self {
            BinaryField::Int2 => {
                out.extend_from_slice(&i16::try_from(integer(field)?).ok()?.to_be_bytes())
            }
            BinaryField::Int4 => {
                out.extend_from_slice(&i32::try_from(integer(field)?).ok()?.to_be_bytes())
            }
            BinaryField::Int8 => out.extend_from_slice(&integer(field)?.to_be_bytes()),
            BinaryField::Numeric => numeric(field, out)?,
            BinaryField::Float4 => {
                let value = float::<f32>(field)?;
                out.extend_from_slice(&value.to_bits().to_be_bytes())
            }
            BinaryField::Float8 => {
                let value = float::<f64>(field)?;
                out.extend_from_slice(&value.to_bits().to_be_bytes())
            }
            BinaryField::Timestamp => {
                let (micros, _) = timestamp(field)?;
                out.extend_from_slice(&micros.to_be_bytes())
            }
            BinaryField::TimestampUtc => match timestamp(field)? {
                (micros, true) => out.extend_from_slice(&micros.to_be_bytes()),
                (_, false) => return None,
            },
            BinaryField::Interval => {
                let (micros, days, months) = interval(field)?;
                out.extend_from_slice(&micros.to_be_bytes());
                out.extend_from_slice(&days.to_be_bytes());
                out.extend_from_slice(&months.to_be_bytes());
            }
            BinaryField::Bytea => {
                // bytea's hex input `\x…` with its backslash escaped for COPY.
                let hex = field.strip_prefix(b"\\\\x")?;
                hex_bytes(hex, out)?
            }
            BinaryField::Uuid => {
                if field.len() != 32 {
                    return None;
                }
                hex_bytes(field, out)?
            }
            BinaryField::Bool => match field {
                b"1" => out.push(1),
                b"0" => out.push(0),
                _ => return None,
            },
            BinaryField::Text | BinaryField::Json => unescape_into(field, out),
            BinaryField::Jsonb => {
                out.push(1);
                unescape_into(field, out)
            }
        }
        Some(())
    }
}

/// The encoders for a table's columns (Oracle columns in order, with their target types), or
/// `None` when a column has none or is a LOB: the table is written as text.
pub(crate) fn table_fields(
    columns: &[OracleColumn],
    target_types: &[String],
) -> Option<Vec<BinaryField>> {
    if columns.len() != target_types.len() || columns.is_empty() {
        return None;
    }
    columns
        .iter()
        .zip(target_types)
        .map(|(column, target)| {
            let lob = match column.data_type {
                OracleType::Blob => true,
                // CLOB, NCLOB and LONG have no declared length.
                OracleType::Text => column.size.length.is_none(),
                _ => false,
            };
            if lob {
                None
            } else {
                BinaryField::of(&column.data_type, target)
            }
        })
        .collect()
}

/// A value an encoder does not read: its column (0-based) in the row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotBinary {
    pub(crate) column: usize,
}

/// Appends the binary tuple of one COPY text line (its newline optional) to `out`; on
/// [`NotBinary`], `out` is left as it was.
pub(crate) fn encode_row(
    fields: &[BinaryField],
    line: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), NotBinary> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let start = out.len();
    let count = i16::try_from(fields.len()).map_err(|_| NotBinary { column: 0 })?;
    out.extend_from_slice(&count.to_be_bytes());
    let mut values = Fields { rest: Some(line) };
    for (column, field) in fields.iter().enumerate() {
        let fail = |out: &mut Vec<u8>| {
            out.truncate(start);
            NotBinary { column }
        };
        let Some(value) = values.next() else {
            return Err(fail(out));
        };
        if value == b"\\N" {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        if field.encode(value, out).is_none() {
            return Err(fail(out));
        }
        let Ok(len) = i32::try_from(out.len() - at - 4) else {
            return Err(fail(out));
        };
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    if values.next().is_some() {
        out.truncate(start);
        return Err(NotBinary {
            column: fields.len(),
        });
    }
    Ok(())
}

/// The tab-separated fields of a COPY text line.
struct Fields<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(b'\t', rest) {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// `-?[0-9]+` (a leading `+` allowed) as an integer.
fn integer(field: &[u8]) -> Option<i64> {
    let (negative, rest) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    if rest.is_empty() || rest.len() > 19 || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Accumulated negatively, so that i64::MIN is read too.
    let value = rest.iter().try_fold(0i64, |n, b| {
        n.checked_mul(10)?.checked_sub(i64::from(b - b'0'))
    })?;
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// Bounds of the numbers written in binary (PostgreSQL's are wider; Oracle's are far narrower):
/// base-10000 digits of weight and display scale.
const NUMERIC_MAX_WEIGHT: i64 = 1000;
const NUMERIC_MAX_SCALE: i64 = 4000;

/// A decimal (`-12.5`, `.5`, `1E+125`, `-1.2E-130`, `NaN`) as `numeric_in` reads it: base-10000
/// digits, weight, sign and the display scale (the digits after the point, less the exponent).
fn numeric(field: &[u8], out: &mut Vec<u8>) -> Option<()> {
    const POSITIVE: u16 = 0x0000;
    const NEGATIVE: u16 = 0x4000;
    const NAN: u16 = 0xC000;
    // Digit count, weight, sign and display scale.
    let header = |digits: usize, weight: i64, sign: u16, scale: i64| {
        let mut head = [0u8; 8];
        head[0..2].copy_from_slice(&(digits as u16).to_be_bytes());
        head[2..4].copy_from_slice(&(weight as i16).to_be_bytes());
        head[4..6].copy_from_slice(&sign.to_be_bytes());
        head[6..8].copy_from_slice(&(scale as u16).to_be_bytes());
        head
    };
    if field == b"NaN" {
        out.extend_from_slice(&header(0, 0, NAN, 0));
        return Some(());
    }
    let DecimalText {
        negative,
        whole,
        fraction,
        exponent,
    } = DecimalText::parse(field)?;
    // The power of ten of the first digit, and the display scale.
    let decimal_weight = whole.len() as i64 - 1 + exponent;
    let scale = (fraction.len() as i64 - exponent).max(0);
    let weight = if decimal_weight >= 0 {
        (decimal_weight + 4) / 4 - 1
    } else {
        -((-decimal_weight - 1) / 4 + 1)
    };
    if weight.abs() > NUMERIC_MAX_WEIGHT || scale > NUMERIC_MAX_SCALE {
        return None;
    }
    // Zeros before the first digit so that the digits fall into groups of four; the groups are
    // written after the header, without the zero groups at either end.
    let offset = ((weight + 1) * 4 - (decimal_weight + 1)) as usize;
    let count = whole.len() + fraction.len();
    let decimal = |i: usize| {
        let digit = if i < whole.len() {
            whole[i]
        } else {
            fraction[i - whole.len()]
        };
        (digit - b'0') as u16
    };
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    let (mut leading, mut written, mut kept) = (0i64, 0usize, 0usize);
    for group in 0..(count + offset).div_ceil(4) {
        let value = (0..4).fold(0u16, |value, k| {
            let digit = (group * 4 + k)
                .checked_sub(offset)
                .filter(|i| *i < count)
                .map_or(0, decimal);
            value * 10 + digit
        });
        if written == 0 && value == 0 {
            leading += 1;
            continue;
        }
        out.extend_from_slice(&value.to_be_bytes());
        written += 1;
        if value != 0 {
            kept = written;
        }
    }
    out.truncate(start + 8 + 2 * kept);
    let (weight, sign) = match (kept, negative) {
        (0, _) => (0, POSITIVE),
        (_, true) => (weight - leading, NEGATIVE),
        (_, false) => (weight - leading, POSITIVE),
    };
    out[start..start + 8].copy_from_slice(&header(kept, weight, sign, scale));
    Some(())
}

/// A float as `float4in`/`float8in` read it: `NaN`, `Infinity`, `-Infinity`, or a decimal rounded
/// once to the nearest value; a finite decimal that overflows or underflows to zero (which
/// PostgreSQL refuses) is not read.
fn float<F: num_traits::Float + std::str::FromStr>(field: &[u8]) -> Option<F> {
    match field {
        b"NaN" => return Some(F::nan()),
        b"Infinity" => return Some(F::infinity()),
        b"-Infinity" => return Some(F::neg_infinity()),
        _ => {}
    }
    if !field
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let value: F = std::str::from_utf8(field).ok()?.parse().ok()?;
    let mantissa = field.split(|b| matches!(b, b'e' | b'E')).next()?;
    let zero_written = !mantissa.iter().any(|b| matches!(b, b'1'..=b'9'));
    if value.is_infinite() || (value.is_zero() && !zero_written) {
        return None;
    }
    Some(value)
}

/// PostgreSQL's day number (Julian day) of a proleptic Gregorian date (astronomical year: 1 BC
/// is 0), as its `date2j` computes it.
fn julian_day(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month > 2 {
        (year + 4800, month + 1)
    } else {
        (year + 4799, month + 13)
    };
    let century = y / 100;
    y * 365 - 32167 + y / 4 - century + century / 4 + 7834 * m / 256 + day
}

/// The Julian day of 2000-01-01, PostgreSQL's epoch.
const POSTGRES_EPOCH_DAY: i64 = 2_451_545;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `YYYY-MM-DD HH:MM:SS[.ffffff][+00][ BC]` (as `copy_field` writes it: a four-digit year) as
/// microseconds since 2000-01-01, and whether it carried `+00`.
fn timestamp(field: &[u8]) -> Option<(i64, bool)> {
    let (field, bc) = match field.strip_suffix(b" BC") {
        Some(rest) => (rest, true),
        None => (field, false),
    };
    let (field, utc) = match field.strip_suffix(b"+00") {
        Some(rest) => (rest, true),
        None => (field, false),
    };
    if field.len() < 19 || field[4] != b'-' || field[7] != b'-' || field[10] != b' ' {
        return None;
    }
    let (year, month, day) = (
        digits(&field[0..4])?,
        digits(&field[5..7])?,
        digits(&field[8..10])?,
    );
    // Year 0 does not exist; 1 BC is astronomical year 0.
    let year = match bc {
        true if year >= 1 => 1 - year,
        false if year >= 1 => year,
        _ => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) || year < -4712 {
        return None;
    }
    let micros = time_of_day(&field[11..])?;
    let days = julian_day(year, month, day) - POSTGRES_EPOCH_DAY;
    Some((days * MICROS_PER_DAY + micros, utc))
}

/// ASCII digits (at least one) as a number.
fn digits(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    text.iter().try_fold(0i64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

/// `HH:MM:SS[.f…]` (hours below 24, at most six fraction digits) in microseconds.
fn time_of_day(time: &[u8]) -> Option<i64> {
    if time.len() < 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let (hours, minutes, seconds) = (
        digits(&time[0..2])?,
        digits(&time[3..5])?,
        digits(&time[6..8])?,
    );
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    let fraction = match &time[8..] {
        [] => 0,
        [b'.', fraction @ ..] if fraction.len() <= 6 => {
            digits(fraction)? * 10i64.pow(6 - fraction.len() as u32)
        }
        _ => return None,
    };
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + fraction)
}

/// `[-]N years [-]N months` or `[-]N days [-]HH:MM:SS[.f]` (as `copy_field` writes Oracle's
/// intervals) as PostgreSQL's microseconds, days and months.
fn interval(field: &[u8]) -> Option<(i64, i32, i32)> {
    let mut words = field.split(|b| *b == b' ');
    let (first, unit, second) = (words.next()?, words.next()?, words.next()?);
    let (negative, count) = signed(first);
    let count = digits(count).filter(|_| count.len() <= 10)?;
    // Both parts carry the same sign.
    let (negative_second, second) = signed(second);
    if negative != negative_second {
        return None;
    }
    match (unit, words.next(), words.next()) {
        (b"years", Some(b"months"), None) => {
            let months = count.checked_mul(12)?.checked_add(digits(second)?)?;
            let months = i32::try_from(if negative { -months } else { months }).ok()?;
            Some((0, 0, months))
        }
        (b"days", None, None) => {
            let days = i32::try_from(count).ok()?;
            let micros = time_of_day(second)?;
            Some(match negative {
                true => (-micros, -days, 0),
                false => (micros, days, 0),
            })
        }
        _ => None,
    }
}

/// A part of an interval without its minus sign, and whether it had one.
fn signed(part: &[u8]) -> (bool, &[u8]) {
    match part.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, part),
    }
}

/// Hexadecimal digits (an even number) as bytes.
fn hex_bytes(hex: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    out.resize(start + hex.len() / 2, 0);
    hex::decode_to_slice(hex, &mut out[start..]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_parts(text: &str) -> (u16, i16, u16, u16, Vec<u16>) {
        let mut out = Vec::new();
        numeric(text.as_bytes(), &mut out).unwrap_or_else(|| panic!("{text} not read"));
        let word = |i: usize| u16::from_be_bytes([out[2 * i], out[2 * i + 1]]);
        let digits = (0..word(0) as usize).map(|i| word(4 + i)).collect();
        (word(0), word(1) as i16, word(2), word(3), digits)
    }

    #[test]
    fn numbers_keep_their_digits_weight_and_display_scale_as_numeric_in_reads_them() {
        // (text, weight, sign, display scale, base-10000 digits)
        let cases: &[(&str, i16, u16, u16, &[u16])] = &[
            ("0", 0, 0, 0, &[]),
            ("-0", 0, 0, 0, &[]),
            ("0.00", 0, 0, 2, &[]),
            ("123.45", 0, 0, 2, &[123, 4500]),
            ("-123.45", 0, 0x4000, 2, &[123, 4500]),
            (".5", -1, 0, 1, &[5000]),
            ("-.05", -1, 0x4000, 2, &[500]),
            ("1.50", 0, 0, 2, &[1, 5000]),
            ("10000", 1, 0, 0, &[1]),
            ("12345678", 1, 0, 0, &[1234, 5678]),
            ("1E+125", 31, 0, 0, &[10]),
            ("1.5E-3", -1, 0, 4, &[15]),
            ("-1.2E-130", -33, 0x4000, 131, &[120]),
            ("1.23E+1", 0, 0, 1, &[12, 3000]),
            ("0.000100", -1, 0, 6, &[1]),
        ];
        for (text, weight, sign, scale, digits) in cases {
            let (count, w, s, d, got) = numeric_parts(text);
            assert_eq!(
                (count as usize, w, s, d, got.as_slice()),
                (digits.len(), *weight, *sign, *scale, *digits),
                "{text}"
            );
        }
        assert_eq!(numeric_parts("NaN").2, 0xC000);
        for bad in ["", ".", "1.2.3", "1E", "E5", "12a", "1E+9999999", "--1"] {
            assert!(numeric(bad.as_bytes(), &mut Vec::new()).is_none(), "{bad}");
        }
    }

    #[test]
    fn floats_are_read_once_and_refused_where_postgresql_would_be_out_of_range() {
        assert_eq!(float::<f32>(b"0.1"), Some(0.1f32));
        assert_eq!(float::<f64>(b"0.1"), Some(0.1f64));
        assert_eq!(
            float::<f64>(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert!(float::<f64>(b"NaN").is_some_and(f64::is_nan));
        assert_eq!(float::<f32>(b"-Infinity"), Some(f32::NEG_INFINITY));
        assert_eq!(float::<f32>(b"1E+39"), None, "overflow");
        assert_eq!(float::<f64>(b"1E-400"), None, "underflow to zero");
        assert_eq!(float::<f64>(b"0.000"), Some(0.0));
        assert_eq!(float::<f64>(b"inf"), None);
    }

    #[test]
    fn times_count_microseconds_from_2000_across_eras_and_leap_days() {
        let at = |t: &str| timestamp(t.as_bytes()).map(|(m, _)| m);
        assert_eq!(at("2000-01-01 00:00:00"), Some(0));
        assert_eq!(at("2000-01-01 00:00:00.000001"), Some(1));
        assert_eq!(at("1999-12-31 23:59:59.5"), Some(-500_000));
        assert_eq!(
            at("2024-02-29 12:00:00"),
            Some(8_825 * MICROS_PER_DAY + 43_200_000_000)
        );
        assert_eq!(
            timestamp(b"2000-01-02 00:00:00+00"),
            Some((MICROS_PER_DAY, true))
        );
        // 1 BC is year 0, a leap year.
        assert_eq!(
            at("0001-01-01 00:00:00 BC"),
            at("0001-01-01 00:00:00").map(|m| m - 366 * MICROS_PER_DAY)
        );
        for bad in [
            "2023-02-29 00:00:00",
            "2024-13-01 00:00:00",
            "0000-01-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 00:00:00.1234567",
            "2024-01-01",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn intervals_split_into_months_or_days_and_microseconds() {
        assert_eq!(interval(b"2 years 3 months"), Some((0, 0, 27)));
        assert_eq!(interval(b"-1 years -11 months"), Some((0, 0, -23)));
        assert_eq!(
            interval(b"4 days 05:06:07.123456"),
            Some((18_367_123_456, 4, 0))
        );
        assert_eq!(
            interval(b"-4 days -05:06:07"),
            Some((-18_367_000_000, -4, 0))
        );
        assert_eq!(
            interval(b"999999999 years 0 months"),
            None,
            "months overflow"
        );
        assert_eq!(interval(b"1 years -1 months"), None);
    }

    #[test]
    fn a_row_is_counted_fields_with_lengths_and_nulls_as_minus_one() {
        let fields = [
            BinaryField::Int4,
            BinaryField::Text,
            BinaryField::Bytea,
            BinaryField::Uuid,
        ];
        let mut out = vec![9];
        encode_row(&fields, b"7\ta\\tb\\\\\t\\\\x00ff\t\\N\n", &mut out).unwrap();
        let expected: Vec<u8> = [
            &[9u8][..],
            &[0, 4],
            &[0, 0, 0, 4, 0, 0, 0, 7],
            &[0, 0, 0, 4, b'a', b'\t', b'b', b'\\'],
            &[0, 0, 0, 2, 0, 0xff],
            &[0xff, 0xff, 0xff, 0xff],
        ]
        .concat();
        assert_eq!(out, expected);
        // A value its encoder does not read leaves nothing behind, and names its column.
        assert_eq!(
            encode_row(&fields, b"7\tx\tnot hex\t\\N", &mut out),
            Err(NotBinary { column: 2 })
        );
        assert_eq!(out, expected);
        assert_eq!(
            encode_row(&fields, b"7\tx", &mut out),
            Err(NotBinary { column: 2 })
        );
        assert!(encode_row(&fields, b"7\tx\t\\N\t\\N\textra", &mut out).is_err());
    }

    #[test]
    fn only_tables_without_lobs_whose_columns_all_have_encoders_are_binary() {
        let column = |name: &str, t: OracleType, length: Option<u32>| {
            let mut c = OracleColumn::new(name, t);
            c.size.length = length;
            c
        };
        let columns = vec![
            column("ID", OracleType::Number, None),
            column("NAME", OracleType::Text, Some(20)),
            column("AT", OracleType::TimestampTz, None),
        ];
        let types = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            table_fields(
                &columns,
                &types(&[
                    "numeric(10,0)",
                    "character varying(20)",
                    "timestamp with time zone"
                ])
            ),
            Some(vec![
                BinaryField::Numeric,
                BinaryField::Text,
                BinaryField::TimestampUtc
            ])
        );
        // A zone-less DATE into timestamptz would take the session's zone: text.
        let mut dated = columns.clone();
        dated[2].data_type = OracleType::Date;
        assert_eq!(
            table_fields(
                &dated,
                &types(&["bigint", "text", "timestamp(0) with time zone"])
            ),
            None
        );
        // A CLOB (no declared length) streams: text.
        let mut clob = columns.clone();
        clob[1].size.length = None;
        assert_eq!(
            table_fields(
                &clob,
                &types(&["bigint", "text", "timestamp(6) without time zone"])
            ),
            None
        );
        assert_eq!(
            table_fields(&columns, &types(&["bigint", "text", "money"])),
            None
        );
    }
}
