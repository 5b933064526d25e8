//! Row hashes in PostgreSQL's own hash functions, so that the target server can hash its rows
//! itself (`--verify hash` when both servers are PostgreSQL 14 or later).
//!
//! Without this, the target's rows come back through a second COPY to be parsed and hashed in
//! godwit: the whole table crosses the network twice. Here godwit hashes each source row as it
//! streams, with the functions PostgreSQL uses ([`crate::pg_hash`]), and the target hashes its
//! rows in one scan with `hash_record_extended`, sending only a count and a sum per piece. Where
//! the source must hash rows again (the rows a chunk kept after the target refused some, a chunk
//! copied before hashes were kept), it runs the same SQL.
//!
//! Normalisation is the same on both sides: a value enters as its type's binary send form (what a
//! binary COPY carries; a text as the session sends it in its client encoding), hashed as a bytea,
//! so two values hash alike exactly when a binary COPY would carry the same bytes; integers, dates
//! and timestamps enter as themselves, which is cheaper for the server and as exact
//! ([`FieldForm`]). A row hashes to `hash_record_extended` of its fields; a column whose values
//! may be large is hashed on its own first and enters the row as that hash, so no record the
//! server builds holds more than one such value (a row over 1 GB still hashes). A set of rows
//! hashes to the sum of its rows' hashes (exact, as `numeric`, then wrapped to 128 bits), so
//! chunks add up to the table in any order.
//!
//! It applies only where the bytes are the same on both sides: binary chunks (the same types) whose
//! values carry no type OIDs inside (see [`Shape`]), and servers that compute these functions as
//! godwit does (asked before each run: [`ServerHashing::of`]). Other tables are hashed in
//! godwit on both sides ([`crate::hash`]).

use crate::hash::{binary_row, FieldForms, RowHasher, RowsHash, Shape};
use crate::pg_hash::FieldForm;
use godwit_catalog::quote_ident;
use tokio_postgres::Client;

/// The first server version with `hash_record_extended`.
const SERVER_HASH_VERSION: i32 = 140_000;

/// Marks hashes taken by the servers in the run's records, so that a hash taken by the client
/// (an earlier invocation's) is never summed with them.
const MARK: &str = "pg:";

/// How a run's servers hash rows, when both hash as godwit does ([`ServerHashing::of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerHashing {
    /// The target stores text as it arrives (its encoding is UTF-8, the sessions'), so a text's
    /// hash may be taken from it as stored, without its send function.
    pub(crate) text_as_stored: bool,
}

impl ServerHashing {
    /// `Some` when both servers hash as godwit does ([`ServerHashing::agrees`]).
    pub(crate) async fn of(
        source: &Client,
        target: &Client,
    ) -> Result<Option<ServerHashing>, tokio_postgres::Error> {
        if !(Self::agrees(source).await? && Self::agrees(target).await?) {
            return Ok(None);
        }
        let encoding: String = target
            .query_one(
                "SELECT current_setting('server_encoding') || '/' || current_setting('client_encoding')",
                &[],
            )
            .await?
            .get(0);
        // A text hashed as stored hashes its bytes, as godwit hashes its send form.
        let text = "Godwit é 漢字 \t\\";
        let stored: i64 = target
            .query_one(
                "SELECT hashtextextended($1::text COLLATE \"C\", 0)",
                &[&text],
            )
            .await?
            .get(0);
        Ok(Some(ServerHashing {
            text_as_stored: encoding == "UTF8/UTF8"
                && stored == crate::pg_hash::hash_bytes(text.as_bytes()) as i64,
        }))
    }

    /// Whether `client` (a server) hashes as godwit does ([`crate::pg_hash`]): PostgreSQL 14 or
    /// later on a little-endian machine. Asked of both servers before a run relies on it.
    async fn agrees(client: &Client) -> Result<bool, tokio_postgres::Error> {
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int4", &[])
            .await?
            .get(0);
        if version < SERVER_HASH_VERSION {
            return Ok(false);
        }
        // Values of every length up to three blocks and a long one, each beside a value of every
        // native form, NULLs and a large value (see `row_hash`).
        let values: Vec<Vec<u8>> = (0..40u32)
            .map(|n| (0..n).map(|i| (i * 37 + n) as u8).collect())
            .chain([(0..5000u32).map(|i| (i % 253) as u8).collect()])
            .collect();
        let long = b"a large value".to_vec();
        let rows = client
            .query(
                "SELECT hash_record_extended(ROW(a, b, c, d, e, f, g, h, i, v, NULL::bytea, hash_record_extended(ROW($2::bytea), 0), hash_record_extended(ROW(NULL::bytea), 0), NULL::int4), 0),
                        ARRAY[int2send(a), int4send(b), int8send(c), oidsend(d), boolsend(e), date_send(f), time_send(g), timestamp_send(h), timestamptz_send(i), v]
                   FROM (VALUES (-7::int2, -123456::int4, -5000000000::int8, 4000000000::oid, true, date '2024-02-29',
                                 time '13:14:15.5', timestamp '1999-12-31 23:59:59.25', timestamptz '2024-01-01 00:00:00+00')) AS p(a, b, c, d, e, f, g, h, i),
                        unnest($1::bytea[]) WITH ORDINALITY AS u(v, n)
                  ORDER BY n",
                &[&values, &long],
            )
            .await?;
        use FieldForm::{Bytes, Large, Long, Word};
        let forms = vec![
            Word, Word, Long, Word, Word, Word, Long, Long, Long, Bytes, Bytes, Large, Large, Word,
        ];
        let mut hasher = RowHasher::as_postgres(std::sync::Arc::new(forms));
        let agree = rows.len() == values.len()
            && rows.iter().all(|row| {
                let sent: Vec<Vec<u8>> = row.get(1);
                let mut fields: Vec<Option<&[u8]>> = sent.iter().map(|v| Some(&v[..])).collect();
                fields.extend([None, Some(&long[..]), None, None]);
                hasher.row(&binary_row(&fields)) as i64 == row.get::<_, i64>(0)
            });
        Ok(agree)
    }
}

/// How one column enters a row's hash: its send function, its type's name and its form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HashedColumn {
    send: String,
    typname: String,
    form: FieldForm,
}

/// The SQL that hashes a table's rows on the servers, and how each column enters a row's hash
/// (for hashing the same way in godwit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerRowHash {
    /// The row hash over the alias `x`, naming the columns as the source does.
    source: String,
    /// The same naming the columns as the target does.
    target: String,
    forms: FieldForms,
}

impl ServerRowHash {
    /// The row hash for `table`'s copied columns (`source` names, quoted; `target`, the same columns
    /// as the target names them, quoted), or `None` when a column carries type OIDs inside.
    pub(crate) async fn of(
        client: &Client,
        table: &str,
        (source, target): (&[String], &[String]),
        shapes: &[Shape],
        hashing: ServerHashing,
    ) -> Result<Option<ServerRowHash>, tokio_postgres::Error> {
        if shapes.iter().any(|s| !s.plain()) || source.len() != target.len() {
            return Ok(None);
        }
        let rows = client
            .query(
                "SELECT a.attname::text, t.typsend::regproc::text, t.typlen::int4, t.typname::text, a.atttypmod, t.oid::int8
                   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                &[&table],
            )
            .await?;
        let mut columns = Vec::new();
        for name in source {
            let Some(row) = rows
                .iter()
                .find(|r| quote_ident(r.get::<_, &str>(0)) == *name)
            else {
                return Ok(None);
            };
            let send: String = row.get(1);
            if send == "-" {
                return Ok(None);
            }
            columns.push(HashedColumn {
                send,
                typname: row.get(3),
                form: form_of(row.get(5), row.get(2), row.get(3), row.get(4)),
            });
        }
        Ok(Some(ServerRowHash {
            // The source runs it only to hash again rows it sent (its text is sent as stored
            // only when it is UTF-8 too: it is not asked).
            source: row_hash(&columns, source, false),
            target: row_hash(&columns, target, hashing.text_as_stored),
            forms: std::sync::Arc::new(columns.iter().map(|c| c.form).collect()),
        }))
    }

    /// Hashes rows of the table's binary COPY stream in godwit exactly as the servers do.
    pub(crate) fn client_rows(&self) -> RowHasher {
        RowHasher::as_postgres(self.forms.clone())
    }

    /// How each column enters a row's hash.
    pub(crate) fn forms(&self) -> &FieldForms {
        &self.forms
    }

    /// Counts and hashes the source's rows of `table` within `filter` (a `WHERE` over alias `x`,
    /// or empty).
    pub(crate) async fn source_rows(
        &self,
        client: &Client,
        table: &str,
        filter: &str,
    ) -> Result<RowsHash, tokio_postgres::Error> {
        sum_rows(client, &self.source, table, filter).await
    }

    /// Counts and hashes the target's rows of `table` within `filter`.
    pub(crate) async fn target_rows(
        &self,
        client: &Client,
        table: &str,
        filter: &str,
    ) -> Result<RowsHash, tokio_postgres::Error> {
        sum_rows(client, &self.target, table, filter).await
    }

    /// Counts and hashes the target's rows of `table` within `filter` by key range: the rows whose
    /// integer `key` (quoted, as the target names it) is below `bounds[0]` in the first, from
    /// `bounds[i-1]` and below `bounds[i]` in the i-th; a NULL key counts in the first.
    pub(crate) async fn target_rows_by_key(
        &self,
        client: &Client,
        table: &str,
        filter: &str,
        key: &str,
        bounds: &[i64],
    ) -> Result<Vec<RowsHash>, tokio_postgres::Error> {
        let sql = format!(
            "SELECT coalesce(width_bucket(x.{key}::int8, $1::int8[]), 0)::int4, count(*), coalesce(sum({}), 0)::text FROM ONLY {table} x{filter} GROUP BY 1",
            self.target
        );
        let mut ranges = vec![RowsHash::default(); bounds.len() + 1];
        for row in client.query(&sql, &[&bounds]).await? {
            let range = (row.get::<_, i32>(0).max(0) as usize).min(bounds.len());
            ranges[range].merge(rows_hash(row.get(1), row.get(2)));
        }
        Ok(ranges)
    }
}

/// A hash as the run's records keep it: marked when the servers' hashing took it.
pub(crate) fn recorded_hash(by_servers: bool, hash: &RowsHash) -> String {
    if by_servers {
        format!("{MARK}{}", hash.hex())
    } else {
        hash.hex()
    }
}

/// The sum of a recorded hash, when it was taken the way `by_servers` says (`None` for one taken
/// the other way, or none).
pub(crate) fn recorded_sum(by_servers: bool, recorded: Option<&str>) -> Option<u128> {
    let recorded = recorded?;
    match recorded.strip_prefix(MARK) {
        Some(hex) if by_servers => RowsHash::parse(hex),
        None if !by_servers => RowsHash::parse(recorded),
        _ => None,
    }
}

/// How a column of type `oid` (`typlen`, `typname`, the column's `typmod`) enters a row's hash:
/// integers, dates and times as themselves; values of unbounded varlena types (all but `numeric`
/// and `char(n)`, `varchar(n)` of at most 65,536 characters) by their own hash; the rest as
/// their send form.
fn form_of(oid: i64, typlen: i32, typname: &str, typmod: i32) -> FieldForm {
    match oid {
        // int2, int4, oid, bool, date
        21 | 23 | 26 | 16 | 1082 => return FieldForm::Word,
        // int8, time, timestamp, timestamptz
        20 | 1083 | 1114 | 1184 => return FieldForm::Long,
        _ => {}
    }
    let bounded = typname == "numeric"
        || matches!(typname, "bpchar" | "varchar") && (5..=65_540).contains(&typmod);
    if typlen == -1 && !bounded {
        FieldForm::Large
    } else {
        FieldForm::Bytes
    }
}

/// `hash_record_extended` of the columns in their forms. A large bytea is hashed as stored (its
/// bytes are its send form), and so is a large text when `text_as_stored` (in the "C" collation,
/// which hashes bytes): the same values, without copying each one first.
fn row_hash(columns: &[HashedColumn], names: &[String], text_as_stored: bool) -> String {
    let fields: Vec<String> = columns
        .iter()
        .zip(names)
        .map(|(c, name)| match (c.form, c.typname.as_str()) {
            (FieldForm::Word | FieldForm::Long, _) => format!("x.{name}"),
            (FieldForm::Bytes, _) => format!("{}(x.{name})", c.send),
            (FieldForm::Large, "bytea") => format!("hash_record_extended(ROW(x.{name}), 0)"),
            (FieldForm::Large, "text" | "varchar") if text_as_stored => {
                // NULL enters as a one-field record's hash of NULL does: 0.
                format!("coalesce(hashtextextended(x.{name} COLLATE \"C\", 0), 0)")
            }
            (FieldForm::Large, _) => {
                format!("hash_record_extended(ROW({}(x.{name})), 0)", c.send)
            }
        })
        .collect();
    format!("hash_record_extended(ROW({}), 0)", fields.join(", "))
}

async fn sum_rows(
    client: &Client,
    expression: &str,
    table: &str,
    filter: &str,
) -> Result<RowsHash, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "SELECT count(*), coalesce(sum({expression}), 0)::text FROM ONLY {table} x{filter}"
            ),
            &[],
        )
        .await?;
    Ok(rows_hash(row.get(0), row.get(1)))
}

/// A count and an exact sum (as text) as a [`RowsHash`], the sum wrapped to 128 bits.
fn rows_hash(count: i64, sum: &str) -> RowsHash {
    RowsHash {
        rows: count.max(0) as u64,
        sum: sum.parse::<i128>().unwrap_or_default() as u128,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_sum_wraps_like_the_sum_of_its_parts() {
        let a = rows_hash(1, "-5");
        let mut b = rows_hash(1, "2");
        b.merge(rows_hash(1, "-7"));
        assert_eq!(a.sum, (-5i128) as u128);
        assert_eq!(b.sum, a.sum);
        assert_eq!(b.rows, 2);
    }

    #[test]
    fn hashes_are_recorded_with_their_mark_and_only_marked_ones_are_read() {
        let h = RowsHash {
            rows: 3,
            sum: 0xabc,
        };
        let recorded = recorded_hash(true, &h);
        assert_eq!(recorded_sum(true, Some(&recorded)), Some(0xabc));
        assert_eq!(recorded_sum(true, Some(&h.hex())), None);
        assert_eq!(RowsHash::parse(&recorded), None);
    }

    #[test]
    fn integers_enter_as_themselves_and_large_values_by_their_own_hash() {
        let column = |send: &str, typname: &str, form| HashedColumn {
            send: send.into(),
            typname: typname.into(),
            form,
        };
        let columns = [
            column("int4send", "int4", FieldForm::Word),
            column("textsend", "text", FieldForm::Large),
            column("numeric_send", "numeric", FieldForm::Bytes),
            column("byteasend", "bytea", FieldForm::Large),
            column("jsonb_send", "jsonb", FieldForm::Large),
        ];
        let names = ["id", "\"Body\"", "n", "b", "j"].map(String::from);
        assert_eq!(
            row_hash(&columns, &names, false),
            "hash_record_extended(ROW(x.id, hash_record_extended(ROW(textsend(x.\"Body\")), 0), numeric_send(x.n), hash_record_extended(ROW(x.b), 0), hash_record_extended(ROW(jsonb_send(x.j)), 0)), 0)"
        );
        assert!(row_hash(&columns, &names, true)
            .contains("coalesce(hashtextextended(x.\"Body\" COLLATE \"C\", 0), 0)"));
        assert_eq!(form_of(23, 4, "int4", -1), FieldForm::Word);
        assert_eq!(form_of(1184, 8, "timestamptz", -1), FieldForm::Long);
        assert_eq!(form_of(1042, -1, "bpchar", 88), FieldForm::Bytes);
        assert_eq!(form_of(1043, -1, "varchar", -1), FieldForm::Large);
        assert_eq!(form_of(17, -1, "bytea", -1), FieldForm::Large);
        assert_eq!(form_of(1700, -1, "numeric", -1), FieldForm::Bytes);
        assert_eq!(form_of(701, 8, "float8", -1), FieldForm::Bytes);
    }
}
