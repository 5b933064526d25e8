//! Row hashes in PostgreSQL's own hash functions, so that the target server can hash its rows
//! itself (`--verify hash` when both servers are PostgreSQL 14 or later).
//!
//! Without this, the target's rows come back through a second COPY to be parsed and hashed in
//! godwit: the whole table crosses the network twice. Here godwit hashes each source row as it
//! streams, with the functions PostgreSQL uses ([`crate::pg_hash`]), and the target hashes its
//! rows in one scan, sending only a count and a sum per piece. Where
//! the source must hash rows again (the rows a chunk kept after the target refused some, a chunk
//! copied before hashes were kept), it runs the same SQL.
//!
//! Normalisation is the same on both sides: a value enters as its type's binary send form (what a
//! binary COPY carries; a text as the session sends it in its client encoding), hashed as a bytea,
//! so two values hash alike exactly when a binary COPY would carry the same bytes; integers, dates
//! and timestamps enter as themselves, a text as stored (when the target stores UTF-8), a
//! `char(n)` without its trailing spaces (PostgreSQL pads them back), which is cheaper for the
//! server and as exact ([`FieldForm`]). A row hashes to `hashint8extended` of the xor of
//! its record's hash (`hash_record_extended` of the fields that have no hash function of their
//! own) and each other field's own hash, seeded with its column's position: building a record
//! per row is most of the server's work, and no record holds a value that may be large, so a row
//! over 1 GB still hashes. A set of rows hashes to the sum of its rows' hashes (exact, as
//! `numeric`, then wrapped to 128 bits), so chunks add up to the table in any order.
//!
//! It applies only where the bytes are the same on both sides: binary chunks (the same types) whose
//! values carry no type OIDs inside (see [`Shape`]), and servers that compute these functions as
//! godwit does (asked before each run: [`ServerHashing::of`]). Other tables are hashed in
//! godwit on both sides ([`crate::hash`]).

use crate::hash::{binary_row, FieldForms, RowHasher, RowsHash, Shape};
use crate::pg_hash::FieldForm;
use godwit_catalog::quote_ident;
use tokio_postgres::Client;

/// The first server version with `hash_record_extended` (and every other function used).
const SERVER_HASH_VERSION: i32 = 140_000;

/// Marks hashes taken by the servers in the run's records, so that a hash taken by the client
/// (an earlier invocation's) is never summed with them.
const MARK: &str = "pg2:";

/// The mark of an earlier row hash taken by the servers (all `hash_record_extended`): such
/// hashes are not summed with today's; their chunks are hashed again.
const EARLIER_MARK: &str = "pg:";

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
        if !(Self::agrees(source, false).await? && Self::agrees(target, false).await?) {
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
        Ok(Some(ServerHashing {
            text_as_stored: encoding == "UTF8/UTF8" && Self::agrees(target, true).await?,
        }))
    }

    /// Whether `client` (a server) hashes as godwit does ([`crate::pg_hash`]): PostgreSQL 14 or
    /// later on a little-endian machine, asked of both servers before a run relies on it (and
    /// of the target again with texts hashed as stored, `text_as_stored`). Rows of a value of
    /// every form, NULLs, a large value and bytes of every length up to three blocks and a long
    /// one, hashed by the SQL a table's rows would be ([`row_hash`]).
    async fn agrees(client: &Client, text_as_stored: bool) -> Result<bool, tokio_postgres::Error> {
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int4", &[])
            .await?
            .get(0);
        if version < SERVER_HASH_VERSION {
            return Ok(false);
        }
        let values: Vec<Vec<u8>> = (0..40u32)
            .map(|n| (0..n).map(|i| (i * 37 + n) as u8).collect())
            .chain([(0..5000u32).map(|i| (i % 253) as u8).collect()])
            .collect();
        let long = b"a large value".to_vec();
        use FieldForm::*;
        // (name, type, send function, form, the probe's value)
        let probe: [(&str, &str, &str, FieldForm, &str); 18] = [
            ("a", "int2", "int2send", OwnWord, "-7::int2"),
            ("b", "int4", "int4send", OwnWord, "-123456::int4"),
            ("c", "int8", "int8send", OwnLong, "-5000000000::int8"),
            ("d", "oid", "oidsend", OwnWord, "4000000000::oid"),
            ("e", "bool", "boolsend", Word, "true"),
            ("f", "date", "date_send", Word, "date '2024-02-29'"),
            ("g", "time", "time_send", OwnLong, "time '13:14:15.5'"),
            (
                "h",
                "timestamp",
                "timestamp_send",
                OwnLong,
                "timestamp '1999-12-31 23:59:59.25'",
            ),
            (
                "i",
                "timestamptz",
                "timestamptz_send",
                Long,
                "timestamptz '2024-01-01 00:00:00+00'",
            ),
            (
                "k",
                "uuid",
                "uuid_send",
                OwnBytes,
                "'00010203-0405-0607-0809-0a0b0c0d0e0f'::uuid",
            ),
            ("m", "numeric", "numeric_send", Bytes, "-1234.5678::numeric"),
            (
                "p",
                "bpchar",
                "bpcharsend",
                OwnPadded,
                "'Godwit é 漢字'::char(16)",
            ),
            (
                "t",
                "text",
                "textsend",
                OwnBytes,
                "'Godwit é 漢字 \t\\'::text",
            ),
            ("y", "float8", "float8send", Bytes, "'-0.5'::float8"),
            ("w", "bytea", "byteasend", OwnBytes, "NULL::bytea"),
            ("z", "int4", "int4send", OwnWord, "NULL::int4"),
            ("l", "bytea", "byteasend", OwnBytes, "$2::bytea"),
            ("v", "bytea", "byteasend", OwnBytes, "u.v"),
        ];
        let columns: Vec<HashedColumn> = probe
            .iter()
            .map(|(_, typname, send, form, _)| HashedColumn {
                send: send.to_string(),
                typname: typname.to_string(),
                form: *form,
            })
            .collect();
        let names: Vec<String> = probe.iter().map(|p| p.0.to_string()).collect();
        let sql = format!(
            "SELECT {}, ARRAY[{}] FROM (SELECT {} FROM unnest($1::bytea[]) WITH ORDINALITY AS u(v, n) ORDER BY n) x",
            row_hash(&columns, &names, text_as_stored),
            probe.iter().map(|(name, _, send, _, _)| format!("{send}(x.{name})")).collect::<Vec<_>>().join(", "),
            probe.iter().map(|(name, .., value)| format!("{value} AS {name}")).collect::<Vec<_>>().join(", "),
        );
        let rows = client.query(&sql, &[&values, &long]).await?;
        let mut hasher = RowHasher::as_postgres(std::sync::Arc::new(
            columns.iter().map(|c| c.form).collect(),
        ));
        let agree = rows.len() == values.len()
            && rows.iter().all(|row| {
                let sent: Vec<Option<Vec<u8>>> = row.get(1);
                let fields: Vec<Option<&[u8]>> = sent.iter().map(|v| v.as_deref()).collect();
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

/// Whether a recorded hash (a run's, a verification's) was taken by the servers, each hashing
/// its own rows (today's row hash or an earlier one), rather than read back into godwit.
pub fn taken_by_servers(recorded: &str) -> bool {
    recorded.starts_with(MARK) || recorded.starts_with(EARLIER_MARK)
}

/// The sum of a recorded hash, when it was taken the way `by_servers` says (`None` for one taken
/// the other way, or none).
pub(crate) fn recorded_sum(by_servers: bool, recorded: Option<&str>) -> Option<u128> {
    let recorded = recorded?;
    match recorded.strip_prefix(MARK) {
        Some(hex) if by_servers => RowsHash::parse(hex),
        None if !by_servers && !taken_by_servers(recorded) => RowsHash::parse(recorded),
        _ => None,
    }
}

/// How a column of type `oid` (`typlen`, `typname`, the column's `typmod`) enters a row's hash:
/// integers, dates and times as themselves, texts, bytea and uuid by their own hash functions, a
/// `char(n)` without its trailing spaces, any other value of an unbounded varlena type (all but
/// `numeric`) by its send form's own hash, the rest as their send form in the row's record.
fn form_of(oid: i64, typlen: i32, typname: &str, typmod: i32) -> FieldForm {
    match oid {
        // int2, int4, oid
        21 | 23 | 26 => FieldForm::OwnWord,
        // bool, date
        16 | 1082 => FieldForm::Word,
        // int8, time, timestamp
        20 | 1083 | 1114 => FieldForm::OwnLong,
        // timestamptz
        1184 => FieldForm::Long,
        // bytea, text, varchar, uuid
        17 | 25 | 1043 | 2950 => FieldForm::OwnBytes,
        // char(n)
        1042 if typmod >= 5 => FieldForm::OwnPadded,
        _ if typlen == -1 && typname != "numeric" => FieldForm::OwnBytes,
        _ => FieldForm::Bytes,
    }
}

/// The row hash in SQL over alias `x` ([`crate::pg_hash::RowHash`]): `hashint8extended` of the
/// xor of the record of the fields in it and each other field's own hash, seeded with its
/// column's position. A bytea is hashed as stored (its bytes are its send form), and so is a text
/// when `text_as_stored` (in the "C" collation, which hashes bytes; a `char(n)` without its
/// trailing spaces): the same values, without copying each one first.
fn row_hash(columns: &[HashedColumn], names: &[String], text_as_stored: bool) -> String {
    let mut record = Vec::new();
    let mut own = Vec::new();
    for (i, (c, name)) in columns.iter().zip(names).enumerate() {
        let (seed, v) = (crate::pg_hash::seed_of(i), format!("x.{name}"));
        // A NULL counts 0, as in a record (a one-field record of NULL hashes to 0).
        match (c.form, c.typname.as_str()) {
            (FieldForm::Word | FieldForm::Long, _) => record.push(v),
            (FieldForm::Bytes, _) => record.push(format!("{}({v})", c.send)),
            (FieldForm::OwnWord | FieldForm::OwnLong, typname) => {
                let function = match typname {
                    "int2" => "hashint2extended",
                    "int4" => "hashint4extended",
                    "oid" => "hashoidextended",
                    "time" => "time_hash_extended",
                    "timestamp" => "timestamp_hash_extended",
                    _ => "hashint8extended",
                };
                own.push(format!("coalesce({function}({v}, {seed}), 0)"));
            }
            (FieldForm::OwnBytes, "text" | "varchar") if text_as_stored => own.push(format!(
                "coalesce(hashtextextended({v} COLLATE \"C\", {seed}), 0)"
            )),
            (FieldForm::OwnBytes, "uuid") => {
                own.push(format!("coalesce(uuid_hash_extended({v}, {seed}), 0)"))
            }
            (FieldForm::OwnBytes, "bytea") => {
                own.push(format!("hash_record_extended(ROW({v}), {seed})"))
            }
            (FieldForm::OwnBytes, _) => own.push(format!(
                "hash_record_extended(ROW({}({v})), {seed})",
                c.send
            )),
            (FieldForm::OwnPadded, _) if text_as_stored => own.push(format!(
                "coalesce(hashbpcharextended({v} COLLATE \"C\", {seed}), 0)"
            )),
            // Its text cast drops the trailing spaces.
            (FieldForm::OwnPadded, _) => own.push(format!(
                "hash_record_extended(ROW(textsend({v}::text)), {seed})"
            )),
        }
    }
    if !record.is_empty() {
        own.insert(
            0,
            format!("hash_record_extended(ROW({}), 0)", record.join(", ")),
        );
    }
    if own.is_empty() {
        own.push("0::int8".into());
    }
    format!("hashint8extended({}, 0)", own.join(" # "))
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
        // An earlier row hash of the servers' is summed with neither.
        let earlier = format!("pg:{}", h.hex());
        assert_eq!(recorded_sum(true, Some(&earlier)), None);
        assert_eq!(recorded_sum(false, Some(&earlier)), None);
        assert!(taken_by_servers(&earlier) && taken_by_servers(&recorded));
        assert!(!taken_by_servers(&h.hex()));
    }

    #[test]
    fn fields_without_a_hash_of_their_own_share_one_record_and_the_others_are_seeded() {
        let column = |send: &str, typname: &str, form| HashedColumn {
            send: send.into(),
            typname: typname.into(),
            form,
        };
        let columns = [
            column("int4send", "int4", FieldForm::OwnWord),
            column("textsend", "text", FieldForm::OwnBytes),
            column("numeric_send", "numeric", FieldForm::Bytes),
            column("byteasend", "bytea", FieldForm::OwnBytes),
            column("jsonb_send", "jsonb", FieldForm::OwnBytes),
            column("date_send", "date", FieldForm::Word),
            column("bpcharsend", "bpchar", FieldForm::OwnPadded),
        ];
        let names = ["id", "\"Body\"", "n", "b", "j", "d", "c"].map(String::from);
        assert_eq!(
            row_hash(&columns, &names, false),
            "hashint8extended(hash_record_extended(ROW(numeric_send(x.n), x.d), 0) # coalesce(hashint4extended(x.id, 1), 0) # hash_record_extended(ROW(textsend(x.\"Body\")), 2) # hash_record_extended(ROW(x.b), 4) # hash_record_extended(ROW(jsonb_send(x.j)), 5) # hash_record_extended(ROW(textsend(x.c::text)), 7), 0)"
        );
        let stored = row_hash(&columns, &names, true);
        assert!(stored.contains("coalesce(hashtextextended(x.\"Body\" COLLATE \"C\", 2), 0)"));
        assert!(stored.contains("coalesce(hashbpcharextended(x.c COLLATE \"C\", 7), 0)"));
        assert_eq!(row_hash(&[], &[], true), "hashint8extended(0::int8, 0)");
        assert_eq!(form_of(23, 4, "int4", -1), FieldForm::OwnWord);
        assert_eq!(form_of(1082, 4, "date", -1), FieldForm::Word);
        assert_eq!(form_of(1184, 8, "timestamptz", -1), FieldForm::Long);
        assert_eq!(form_of(1114, 8, "timestamp", -1), FieldForm::OwnLong);
        assert_eq!(form_of(1042, -1, "bpchar", 88), FieldForm::OwnPadded);
        assert_eq!(form_of(1042, -1, "bpchar", -1), FieldForm::OwnBytes);
        assert_eq!(form_of(1043, -1, "varchar", 104), FieldForm::OwnBytes);
        assert_eq!(form_of(17, -1, "bytea", -1), FieldForm::OwnBytes);
        assert_eq!(form_of(3802, -1, "jsonb", -1), FieldForm::OwnBytes);
        assert_eq!(form_of(1700, -1, "numeric", -1), FieldForm::Bytes);
        assert_eq!(form_of(701, 8, "float8", -1), FieldForm::Bytes);
    }
}
