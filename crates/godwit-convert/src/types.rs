//! Oracle data types to PostgreSQL types.
//!
//! | Oracle | PostgreSQL |
//! |---|---|
//! | NUMBER(p) / NUMBER(p,0), p ≤ 4 / ≤ 9 / ≤ 18 / more | smallint / integer / bigint / numeric(p) |
//! | NUMBER(p,s), s > 0 | numeric(p,s) |
//! | NUMBER, NUMBER(*) | numeric (never silently bigint) |
//! | INTEGER, INT, SMALLINT (Oracle NUMBER(38)) | numeric(38,0) |
//! | FLOAT(b), BINARY_DOUBLE, DOUBLE PRECISION / BINARY_FLOAT, REAL | double precision / real |
//! | VARCHAR2(n [BYTE\|CHAR]), NVARCHAR2(n), VARCHAR(n) | varchar(n) (n characters hold n bytes) |
//! | CHAR(n), NCHAR(n) | char(n) |
//! | CLOB, NCLOB, LONG | text |
//! | BLOB, RAW(n), LONG RAW, BFILE | bytea (BFILE with a finding) |
//! | DATE | timestamp(0) (an Oracle DATE has a time of day) |
//! | TIMESTAMP(p) [WITH [LOCAL] TIME ZONE] | timestamp(p) / timestamptz(p) |
//! | INTERVAL YEAR TO MONTH / DAY TO SECOND(s) | interval year to month / interval day to second(s) |
//! | ROWID, UROWID | text (finding) |
//! | XMLTYPE, JSON, BOOLEAN | xml, jsonb, boolean |

use crate::cursor::Cursor;
use godwit_catalog::DataType;

/// A converted type, and a note when the conversion deserves one: (finding id, message).
pub struct Converted {
    pub data_type: DataType,
    pub note: Option<(&'static str, String)>,
    /// The Oracle spelling of the type, as written (filled in by the caller).
    pub spelling: String,
}

impl Converted {
    /// True for a user-defined (object or collection) type, which the caller qualifies with its schema.
    pub fn is_user_type(&self) -> bool {
        self.note
            .as_ref()
            .is_some_and(|(id, _)| *id == "GW-TYPE-USER")
    }
}

fn number(precision: Option<u32>, scale: Option<i32>) -> DataType {
    let t = |sql: &str, name: &str| DataType {
        sql: sql.into(),
        name: name.into(),
        precision,
        scale,
        ..Default::default()
    };
    match (precision, scale) {
        (Some(p), None | Some(0)) if p <= 4 => t("smallint", "smallint"),
        (Some(p), None | Some(0)) if p <= 9 => t("integer", "integer"),
        (Some(p), None | Some(0)) if p <= 18 => t("bigint", "bigint"),
        (Some(p), None | Some(0)) => t(&format!("numeric({p})"), "numeric"),
        (Some(p), Some(s)) if s > 0 && s <= p as i32 => t(&format!("numeric({p},{s})"), "numeric"),
        (Some(_), Some(_)) => t("numeric", "numeric"),
        (None, Some(0)) => t("numeric(38,0)", "numeric"),
        (None, _) => t("numeric", "numeric"),
    }
}

fn sized(name: &str, length: Option<u32>) -> DataType {
    DataType {
        sql: match length {
            Some(n) => format!("{name}({n})"),
            None => name.to_string(),
        },
        name: name.into(),
        length,
        ..Default::default()
    }
}

fn integer_arg(tokens: &[godwit_oracle::Token], index: usize) -> Option<i64> {
    crate::cursor::split_commas(tokens)
        .get(index)
        .and_then(|part| part.first())
        .and_then(|t| t.text.parse().ok())
}

/// Parses an Oracle type at the cursor and converts it. `None` when the cursor is not at a type.
pub fn convert_type(c: &mut Cursor) -> Option<Converted> {
    let first = c.ident()?;
    let word = first.upper();
    let plain = |sql: &str| Converted {
        spelling: String::new(),
        data_type: DataType::plain(sql),
        note: None,
    };
    let converted = match word.as_str() {
        "NUMBER" | "NUMERIC" | "DECIMAL" | "DEC" => {
            let (p, s) = match c.group() {
                Some(args) => {
                    let star = args.first().is_some_and(|t| t.is_symbol("*"));
                    let p = if star { None } else { integer_arg(args, 0).map(|p| p as u32) };
                    let s = integer_arg(args, 1).map(|s| s as i32);
                    (p, if p.is_none() && s.is_none() && star { None } else { s })
                }
                None if word == "NUMBER" => (None, None),
                None => (Some(38), Some(0)),
            };
            let dt = number(p, s);
            let note = match (p, s) {
                (Some(_), Some(s)) if s < 0 => Some(("GW-TYPE-NEGATIVE-SCALE", format!("NUMBER with negative scale {s} became unconstrained numeric: values are not rounded to 10^{}", -s))),
                _ => None,
            };
            Converted { spelling: String::new(), data_type: dt, note }
        }
        "INTEGER" | "INT" | "SMALLINT" => Converted { spelling: String::new(), data_type: number(None, Some(0)), note: None },
        "FLOAT" => {
            c.group();
            plain("double precision")
        }
        "BINARY_DOUBLE" => plain("double precision"),
        "DOUBLE" => {
            c.eat("PRECISION");
            plain("double precision")
        }
        "BINARY_FLOAT" | "REAL" => plain("real"),
        "VARCHAR2" | "NVARCHAR2" | "VARCHAR" | "NCHAR" | "CHAR" | "CHARACTER" => {
            // CHAR VARYING / CHARACTER VARYING / NCHAR VARYING are VARCHAR2.
            let varying = c.eat("VARYING");
            let length = c.group().and_then(|args| integer_arg(args, 0)).map(|n| n as u32);
            let is_char = matches!(word.as_str(), "CHAR" | "CHARACTER" | "NCHAR") && !varying;
            if is_char {
                Converted { spelling: String::new(), data_type: sized("char", length.or(Some(1))), note: None }
            } else {
                Converted { spelling: String::new(), data_type: sized("varchar", length), note: None }
            }
        }
        "CLOB" | "NCLOB" => plain("text"),
        "LONG" => {
            if c.eat("RAW") {
                plain("bytea")
            } else {
                plain("text")
            }
        }
        "BLOB" => plain("bytea"),
        "RAW" => {
            c.group();
            plain("bytea")
        }
        "BFILE" => Converted {
            spelling: String::new(),
            data_type: DataType::plain("bytea"),
            note: Some(("GW-TYPE-BFILE", "BFILE (a pointer to a file outside the database) became bytea: the file contents must be loaded separately".into())),
        },
        "DATE" => Converted {
            spelling: String::new(),
            data_type: DataType { sql: "timestamp(0)".into(), name: "timestamp without time zone".into(), precision: Some(0), ..Default::default() },
            note: None,
        },
        "TIMESTAMP" => {
            let precision = c.group().and_then(|a| integer_arg(a, 0)).map(|p| p.min(6) as u32);
            let (base, name) = if c.eat_all(&["WITH", "LOCAL", "TIME", "ZONE"]) || c.eat_all(&["WITH", "TIME", "ZONE"]) {
                ("timestamptz", "timestamp with time zone")
            } else {
                ("timestamp", "timestamp without time zone")
            };
            let sql = match precision {
                Some(p) => format!("{base}({p})"),
                None => base.to_string(),
            };
            Converted { spelling: String::new(), data_type: DataType { sql, name: name.into(), precision, ..Default::default() }, note: None }
        }
        "INTERVAL" => {
            if c.eat("YEAR") {
                c.group();
                c.eat("TO");
                c.eat("MONTH");
                plain("interval year to month")
            } else {
                c.eat("DAY");
                c.group();
                c.eat("TO");
                c.eat("SECOND");
                let precision = c.group().and_then(|a| integer_arg(a, 0)).map(|p| p.min(6));
                match precision {
                    Some(p) => plain(&format!("interval day to second({p})")),
                    None => plain("interval day to second"),
                }
            }
        }
        "ROWID" | "UROWID" => {
            c.group();
            Converted {
                spelling: String::new(),
                data_type: DataType::plain("text"),
                note: Some(("GW-TYPE-ROWID", format!("{word} became text: PostgreSQL has no stable row address; stored ROWIDs are only strings now"))),
            }
        }
        "XMLTYPE" => plain("xml"),
        "JSON" => plain("jsonb"),
        "BOOLEAN" => plain("boolean"),
        "SYS" if c.eat_symbol(".") => {
            let inner = c.ident().map(|t| t.upper()).unwrap_or_default();
            if inner == "XMLTYPE" {
                plain("xml")
            } else {
                Converted { spelling: String::new(), data_type: DataType::plain("text"), note: Some(("GW-TYPE-UNKNOWN", format!("type SYS.{inner} has no PostgreSQL equivalent; became text"))) }
            }
        }
        _ => {
            // A user-defined type, possibly schema-qualified.
            let mut name = crate::names::pg_name(first);
            if c.eat_symbol(".") {
                if let Some(t) = c.ident() {
                    name = format!("{name}.{}", crate::names::pg_name(t));
                }
            }
            Converted {
                spelling: String::new(),
                data_type: DataType::plain(name.clone()),
                note: Some(("GW-TYPE-USER", format!("column uses type {name}, which must be converted for this column to load"))),
            }
        }
    };
    // Oracle length semantics and character sets are accepted and dropped.
    c.eat("BYTE");
    c.eat("CHAR");
    Some(converted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    fn pg(oracle: &str) -> String {
        let tokens = tokenize(oracle, 1);
        let mut c = Cursor::new(&tokens);
        convert_type(&mut c).unwrap().data_type.sql
    }

    #[test]
    fn oracle_types_map_by_the_table() {
        let cases = [
            ("NUMBER(4)", "smallint"),
            ("NUMBER(6)", "integer"),
            ("NUMBER(9,0)", "integer"),
            ("NUMBER(12)", "bigint"),
            ("NUMBER(20)", "numeric(20)"),
            ("NUMBER(8,2)", "numeric(8,2)"),
            ("NUMBER", "numeric"),
            ("NUMBER(*)", "numeric"),
            ("NUMBER(*,0)", "numeric(38,0)"),
            ("INTEGER", "numeric(38,0)"),
            ("FLOAT(126)", "double precision"),
            ("BINARY_FLOAT", "real"),
            ("BINARY_DOUBLE", "double precision"),
            ("VARCHAR2(25)", "varchar(25)"),
            ("VARCHAR2(255 CHAR)", "varchar(255)"),
            ("VARCHAR2(10 BYTE)", "varchar(10)"),
            ("NVARCHAR2(40)", "varchar(40)"),
            ("CHAR(2)", "char(2)"),
            ("CHAR", "char(1)"),
            ("CHAR VARYING(20)", "varchar(20)"),
            ("CHARACTER VARYING(20 CHAR)", "varchar(20)"),
            ("NCHAR VARYING(5)", "varchar(5)"),
            ("NCHAR(3)", "char(3)"),
            ("CLOB", "text"),
            ("NCLOB", "text"),
            ("LONG", "text"),
            ("BLOB", "bytea"),
            ("RAW(16)", "bytea"),
            ("LONG RAW", "bytea"),
            ("DATE", "timestamp(0)"),
            ("TIMESTAMP", "timestamp"),
            ("TIMESTAMP(3)", "timestamp(3)"),
            ("TIMESTAMP(9)", "timestamp(6)"),
            ("TIMESTAMP WITH TIME ZONE", "timestamptz"),
            ("TIMESTAMP(6) WITH LOCAL TIME ZONE", "timestamptz(6)"),
            ("INTERVAL YEAR(2) TO MONTH", "interval year to month"),
            ("INTERVAL DAY(3) TO SECOND(2)", "interval day to second(2)"),
            ("ROWID", "text"),
            ("XMLTYPE", "xml"),
            ("SYS.XMLTYPE", "xml"),
            ("JSON", "jsonb"),
            ("BOOLEAN", "boolean"),
        ];
        for (oracle, expected) in cases {
            assert_eq!(pg(oracle), expected, "{oracle}");
        }
    }
}

/// PL/SQL's integer types (PLS_INTEGER and its kin), which no column has: `integer` in PostgreSQL.
pub(crate) fn is_plsql_integer(t: &godwit_oracle::Token) -> bool {
    [
        "PLS_INTEGER",
        "BINARY_INTEGER",
        "SIMPLE_INTEGER",
        "NATURAL",
        "POSITIVE",
    ]
    .iter()
    .any(|w| t.is(w))
}
