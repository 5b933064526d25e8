//! An existing target table checked against the Oracle table before any row moves: every Oracle
//! column matched by name (case-insensitively) to a target column that can take its values without
//! changing them silently, and every target column the rows do not fill able to stay empty. All
//! problems are reported at once. A narrower column that would refuse a value loudly (too long, too
//! large) is a note in the table's report, not a refusal: the copy names such a row.

use super::OracleTable;
use crate::canonical::Canonical;
use crate::*;
use godwit_oracle::data::{OracleColumn, OracleType};

/// A target column an Oracle column goes into.
pub(super) struct MappedColumn {
    pub(super) name: String,
    /// As `format_type` writes it, e.g. `character varying(20)`.
    pub(super) data_type: String,
    /// The form its values compare in.
    pub(super) form: Canonical,
    /// Whether it can hold a long value the target hashes where it lies.
    pub(super) long: bool,
}

/// The target's columns for an Oracle table, in the order of the Oracle columns, and notes on
/// those narrower than the Oracle ones.
pub(super) async fn target_columns(
    target: &Client,
    table: &OracleTable,
    columns: &[OracleColumn],
) -> Result<(Vec<MappedColumn>, Vec<String>), CopyError> {
    let refused = |e: tokio_postgres::Error| {
        CopyError::Incompatible(vec![format!("{}: {}", table.target, db_message(&e))])
    };
    let found: Vec<TargetColumn> = target
        .query(
            "SELECT attname::text, format_type(atttypid, atttypmod), attgenerated <> '', attnotnull AND NOT atthasdef AND attidentity = '' AND attgenerated = '' FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            &[&table.target.to_string()],
        )
        .await
        .map_err(refused)?
        .iter()
        .map(|r| TargetColumn {
            name: r.get(0),
            data_type: r.get(1),
            generated: r.get(2),
            required: r.get(3),
        })
        .collect();
    let mut mapped = Vec::new();
    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    let at = |name: &str| format!("{}.{}", table.target, quote_ident(name));
    for c in columns {
        let Some(t) = found
            .iter()
            .find(|t| t.name == c.name)
            .or_else(|| found.iter().find(|t| t.name.eq_ignore_ascii_case(&c.name)))
        else {
            problems.push(format!(
                "{}.{}: no such column on the target (Oracle column {} of {}.{})",
                table.target, c.name, c.name, table.owner, table.table
            ));
            continue;
        };
        if t.generated {
            problems.push(format!(
                "{}: the target column is generated and cannot take values",
                at(&t.name)
            ));
        }
        match fit(c, &t.data_type) {
            Fit::Holds => {}
            Fit::Refused(why) => problems.push(format!("{}: {why}", at(&t.name))),
            Fit::Narrower(why) => notes.push(format!("{}: {why}", quote_ident(&t.name))),
        }
        mapped.push(MappedColumn {
            name: t.name.clone(),
            form: Canonical::of(&t.data_type),
            long: crate::canonical::hashed_in_place(&t.data_type),
            data_type: t.data_type.clone(),
        });
    }
    for t in found.iter().filter(|t| t.required) {
        if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(&t.name)) {
            problems.push(format!(
                "{}: NOT NULL on the target without a default, and the Oracle table has no such column (every row would be refused)",
                at(&t.name)
            ));
        }
    }
    if problems.is_empty() {
        Ok((mapped, notes))
    } else {
        Err(CopyError::Incompatible(problems))
    }
}

/// A column of the target table.
struct TargetColumn {
    name: String,
    /// As `format_type` writes it, e.g. `character varying(20)`.
    data_type: String,
    generated: bool,
    /// NOT NULL with no default, identity or generation: the rows must fill it.
    required: bool,
}

/// Whether a target column can take an Oracle column's values.
#[derive(Debug, PartialEq, Eq)]
enum Fit {
    Holds,
    /// It cannot take them, or would change some without an error (rounded, a time of day
    /// dropped): the copy is refused.
    Refused(String),
    /// Some values may not fit, and PostgreSQL would refuse each such row with an error (too long,
    /// too large, a fraction for an integer): a note.
    Narrower(String),
}

/// Whether a target column of type `target` (as `format_type` writes it) can take every value of
/// the Oracle column.
fn fit(column: &OracleColumn, target: &str) -> Fit {
    let t = target.trim().to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim().to_string();
    let modifier = |n: usize| crate::schema::type_modifier(&t, n);
    let size = &column.size;
    let declared = describe(column);
    let changes = |how: &str| Fit::Refused(format!("{declared} into {target} {how}"));
    let narrower = |how: &str| Fit::Narrower(format!("{declared} into {target}: {how}"));
    let refused = || Fit::Refused(format!("{declared} cannot go into {target}"));
    let temporal = base.starts_with("timestamp") || base.starts_with("time") || base == "date";
    let numeric = matches!(
        base.as_str(),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "money"
    );
    let textual = matches!(
        base.as_str(),
        "text" | "character varying" | "character" | "bpchar" | "\"char\"" | "name" | "citext"
    );
    match &column.data_type {
        OracleType::Number => {
            if temporal || matches!(base.as_str(), "bytea" | "uuid" | "interval") {
                return refused();
            }
            let (p, s) = (size.precision.map(i64::from), size.scale.map(i64::from));
            let whole_digits = p.zip(s.or(Some(0))).map(|(p, s)| p - s);
            let float_digits = match base.as_str() {
                "real" => Some(6),
                "double precision" => Some(15),
                _ => None,
            };
            if float_digits.is_some_and(|f| p.is_some_and(|p| p > f)) {
                return changes("rounds some values");
            }
            let int_digits = match base.as_str() {
                "smallint" => Some(4),
                "integer" => Some(9),
                "bigint" => Some(18),
                _ => None,
            };
            if let Some(max) = int_digits {
                if s.unwrap_or(0) > 0 {
                    return narrower("a value with a fraction will be refused");
                }
                if whole_digits.is_some_and(|w| w > max) {
                    return narrower("a value too large for it will be refused");
                }
            }
            if base == "numeric" {
                if let Some(tp) = modifier(0) {
                    let ts = modifier(1).unwrap_or(0);
                    if s.is_some_and(|s| s > ts) {
                        return changes("rounds the fractions");
                    }
                    if whole_digits.is_some_and(|w| w > tp - ts) {
                        return narrower("a value too large for it will be refused");
                    }
                }
            }
            Fit::Holds
        }
        OracleType::BinaryFloat | OracleType::BinaryDouble => {
            if !(numeric || textual) || base == "money" {
                return refused();
            }
            if column.data_type == OracleType::BinaryDouble && base == "real" {
                return changes("rounds some values");
            }
            Fit::Holds
        }
        OracleType::Text | OracleType::RowId => {
            if base == "bytea" {
                return refused();
            }
            match (modifier(0).filter(|_| textual), size.length) {
                (Some(n), Some(len)) if n < i64::from(len) => {
                    narrower("a longer value will be refused")
                }
                _ => Fit::Holds,
            }
        }
        OracleType::Date | OracleType::Timestamp | OracleType::TimestampTz => {
            if !(temporal || textual) {
                return refused();
            }
            if base == "date" {
                return changes("drops the time of day");
            }
            if base == "time" || base.starts_with("time ") {
                return changes("drops the day");
            }
            let fraction = match column.data_type {
                OracleType::Date => 0,
                _ => size.scale.map_or(6, i64::from).min(6),
            };
            match modifier(0).filter(|_| base.starts_with("timestamp")) {
                Some(p) if p < fraction => changes("rounds fractions of a second"),
                _ => Fit::Holds,
            }
        }
        OracleType::IntervalYearToMonth | OracleType::IntervalDayToSecond => {
            if !(base.starts_with("interval") || textual) {
                return refused();
            }
            Fit::Holds
        }
        OracleType::Binary | OracleType::Uuid => match base.as_str() {
            "bytea" => Fit::Holds,
            "uuid" => match size.length {
                Some(len) if len != 16 => Fit::Refused(format!(
                    "{declared} cannot go into uuid (a uuid holds 16 bytes)"
                )),
                _ => Fit::Holds,
            },
            _ if textual => Fit::Holds,
            _ => refused(),
        },
        OracleType::Blob => match base.as_str() {
            "bytea" => Fit::Holds,
            _ => refused(),
        },
        OracleType::Other(name) => Fit::Refused(format!(
            "Oracle type {name} is not copied (convert the column by hand)"
        )),
    }
}

/// An Oracle column's type as people write it, with its size where known: `NUMBER(10,2)`,
/// `VARCHAR2(20)`, `TIMESTAMP(3)`.
fn describe(column: &OracleColumn) -> String {
    let s = &column.size;
    let name = match &column.data_type {
        OracleType::Number => {
            return match (s.precision, s.scale) {
                (Some(p), Some(0) | None) => format!("NUMBER({p})"),
                (Some(p), Some(sc)) => format!("NUMBER({p},{sc})"),
                _ => "NUMBER".into(),
            }
        }
        OracleType::Text => match s.length {
            Some(n) => return format!("VARCHAR2({n})"),
            None => "VARCHAR2/CLOB",
        },
        OracleType::Binary | OracleType::Uuid => match s.length {
            Some(n) => return format!("RAW({n})"),
            None => "RAW",
        },
        OracleType::Timestamp | OracleType::TimestampTz => {
            let zone = match column.data_type {
                OracleType::TimestampTz => " WITH TIME ZONE",
                _ => "",
            };
            return match s.scale {
                Some(f) => format!("TIMESTAMP({f}){zone}"),
                None => format!("TIMESTAMP{zone}"),
            };
        }
        OracleType::BinaryFloat => "BINARY_FLOAT",
        OracleType::BinaryDouble => "BINARY_DOUBLE",
        OracleType::Date => "DATE",
        OracleType::IntervalYearToMonth => "INTERVAL YEAR TO MONTH",
        OracleType::IntervalDayToSecond => "INTERVAL DAY TO SECOND",
        OracleType::Blob => "BLOB",
        OracleType::RowId => "ROWID",
        OracleType::Other(name) => name,
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::data::ColumnSize;

    fn sized(
        data_type: OracleType,
        precision: Option<u32>,
        scale: Option<i32>,
        length: Option<u32>,
    ) -> OracleColumn {
        OracleColumn {
            name: "C".into(),
            data_type,
            size: ColumnSize {
                length,
                precision,
                scale,
            },
        }
    }

    fn refused(column: &OracleColumn, target: &str) -> String {
        match fit(column, target) {
            Fit::Refused(why) => why,
            other => panic!("{target}: {other:?}"),
        }
    }

    fn narrower(column: &OracleColumn, target: &str) -> String {
        match fit(column, target) {
            Fit::Narrower(why) => why,
            other => panic!("{target}: {other:?}"),
        }
    }

    #[test]
    fn numbers_go_where_every_value_fits() {
        let money = sized(OracleType::Number, Some(10), Some(2), None);
        assert_eq!(fit(&money, "numeric(12,2)"), Fit::Holds);
        assert_eq!(fit(&money, "numeric"), Fit::Holds);
        assert_eq!(fit(&money, "text"), Fit::Holds);
        assert_eq!(
            refused(&money, "numeric(10,1)"),
            "NUMBER(10,2) into numeric(10,1) rounds the fractions"
        );
        assert_eq!(
            narrower(&money, "numeric(9,2)"),
            "NUMBER(10,2) into numeric(9,2): a value too large for it will be refused"
        );
        assert_eq!(
            narrower(&money, "integer"),
            "NUMBER(10,2) into integer: a value with a fraction will be refused"
        );
        let id = sized(OracleType::Number, Some(12), Some(0), None);
        assert_eq!(fit(&id, "bigint"), Fit::Holds);
        assert_eq!(
            narrower(&id, "integer"),
            "NUMBER(12) into integer: a value too large for it will be refused"
        );
        assert_eq!(
            refused(&id, "real"),
            "NUMBER(12) into real rounds some values"
        );
        assert_eq!(
            refused(&id, "timestamp without time zone"),
            "NUMBER(12) cannot go into timestamp without time zone"
        );
        // Oracle's INTEGER is NUMBER(38): into bigint, as converters map it, values that do not
        // fit are refused row by row.
        let integer = sized(OracleType::Number, Some(38), Some(0), None);
        assert!(matches!(fit(&integer, "bigint"), Fit::Narrower(_)));
        let any = sized(OracleType::Number, None, None, None);
        assert_eq!(fit(&any, "integer"), Fit::Holds);
    }

    #[test]
    fn text_times_and_bytes_go_where_every_value_fits() {
        let name = sized(OracleType::Text, None, None, Some(40));
        assert_eq!(fit(&name, "character varying(40)"), Fit::Holds);
        assert_eq!(fit(&name, "jsonb"), Fit::Holds);
        assert_eq!(
            narrower(&name, "character varying(20)"),
            "VARCHAR2(40) into character varying(20): a longer value will be refused"
        );
        assert_eq!(refused(&name, "bytea"), "VARCHAR2(40) cannot go into bytea");

        let day = sized(OracleType::Date, None, None, None);
        assert_eq!(fit(&day, "timestamp(0) without time zone"), Fit::Holds);
        assert_eq!(
            refused(&day, "date"),
            "DATE into date drops the time of day"
        );
        let at = sized(OracleType::Timestamp, None, Some(6), None);
        assert_eq!(
            refused(&at, "timestamp(3) without time zone"),
            "TIMESTAMP(6) into timestamp(3) without time zone rounds fractions of a second"
        );
        assert_eq!(fit(&at, "timestamp with time zone"), Fit::Holds);
        assert_eq!(
            refused(&at, "numeric"),
            "TIMESTAMP(6) cannot go into numeric"
        );

        let raw = sized(OracleType::Binary, None, None, Some(16));
        assert_eq!(fit(&raw, "uuid"), Fit::Holds);
        assert_eq!(
            refused(&sized(OracleType::Binary, None, None, Some(8)), "uuid"),
            "RAW(8) cannot go into uuid (a uuid holds 16 bytes)"
        );
        assert_eq!(
            refused(&sized(OracleType::Blob, None, None, None), "text"),
            "BLOB cannot go into text"
        );
        assert_eq!(
            refused(&sized(OracleType::BinaryDouble, None, None, None), "real"),
            "BINARY_DOUBLE into real rounds some values"
        );
        assert_eq!(
            refused(
                &sized(OracleType::Other("SDO_GEOMETRY".into()), None, None, None),
                "text"
            ),
            "Oracle type SDO_GEOMETRY is not copied (convert the column by hand)"
        );
    }
}
