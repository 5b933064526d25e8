//! Rows too wide to pass through as one message.
//!
//! PostgreSQL sends each row of a `COPY … TO` as one message, and tokio-postgres holds a message
//! whole (its buffer growing by doubling): a row of a few hundred MB would take that much memory,
//! twice over. So in a table that holds out-of-line values the rows are sized first, cheaply (the
//! length of a text or bytea value is read from its TOAST pointer), and a row whose COPY form would
//! exceed [`WIDE_ROW`] leaves the pass-through: it is sent on its own in the chunk's transaction,
//! field by field, each field in slices of at most [`SLICE`] bytes of its binary form, and hashed
//! as it goes ([`RowStream`]: a field over [`HUGE_FIELD`] counts as its SHA-256 and length). The
//! target's read-back finds its wide rows the same way and lets the server digest their huge
//! fields, so neither side ever holds such a row whole.

use crate::*;

/// Rows whose COPY form is estimated larger than this are sent field by field.
pub(crate) const WIDE_ROW: i64 = 16 << 20;
/// Bytes of a field's binary form fetched and sent at once.
pub(crate) const SLICE: i64 = 8 << 20;
/// A value stored in more bytes than this (compressed or not) is sized exactly, by its binary form;
/// a smaller one by its stored size (only text and bytea lengths are known without reading them).
const SIZED_EXACTLY: i64 = 256 << 10;

/// How one copied column is sized and read in slices.
#[derive(Clone, Debug)]
struct Form {
    /// The type's binary output function (`textsend`, `jsonb_send`, …): a value's COPY form.
    send: String,
    /// Of variable length (fixed-length values never make a row wide).
    varlena: bool,
    /// `octet_length` gives the value's length without reading it (text types, bytea).
    octets: bool,
    /// Where type OIDs sit inside its binary form.
    shape: Shape,
}

impl Form {
    fn bytea(&self) -> bool {
        self.send == "byteasend"
    }

    /// SQL for the length of `value`'s binary form: a bytea's, or a text's in the session's own
    /// encoding, read from its TOAST pointer; any other value's through its send function (which
    /// reads it whole, on the server).
    fn length(&self, value: &str) -> String {
        match self.send.as_str() {
            "byteasend" => format!("octet_length({value})::int8"),
            "textsend" | "varcharsend" => format!(
                "CASE WHEN current_setting('server_encoding') = current_setting('client_encoding') THEN octet_length({value}) ELSE octet_length({}({value})) END::int8",
                self.send
            ),
            send => format!("octet_length({send}({value}))::int8"),
        }
    }
}

/// The columns of a table that may hold wide rows, as each side names them.
#[derive(Clone, Debug)]
pub(crate) struct WideColumns {
    forms: Vec<Form>,
    source: Vec<String>,
    target: Vec<String>,
}

/// One row of the table on one side, by its ctid in the caller's snapshot.
#[derive(Clone, Copy)]
struct RowAt<'a> {
    client: &'a Client,
    table: &'a QualifiedName,
    ctid: &'a str,
    /// The target's side (its column names).
    target: bool,
}

/// Why sending a wide row failed.
pub(crate) enum WideError {
    Source(tokio_postgres::Error),
    Target(tokio_postgres::Error),
    Stopped,
}

impl WideColumns {
    /// The table's columns (`source`, quoted, in copy order; `target`, the same as the target names
    /// them) when it holds any out-of-line value on the source; `None` when no row can be wide.
    pub(crate) async fn of(
        client: &Client,
        table: &str,
        source: &[String],
        target: &[String],
        shapes: &[Shape],
    ) -> Result<Option<WideColumns>, tokio_postgres::Error> {
        let toasted: bool = client
            .query_one(
                "SELECT c.reltoastrelid <> 0 AND pg_relation_size(c.reltoastrelid) > 0
                   FROM pg_class c WHERE c.oid = $1::text::regclass",
                &[&table],
            )
            .await?
            .get(0);
        if !toasted {
            return Ok(None);
        }
        let rows = client
            .query(
                "SELECT a.attname::text, t.typsend::regproc::text, t.typlen::int4,
                        t.typcategory = 'S' OR t.typsend = 'byteasend'::regproc
                   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                &[&table],
            )
            .await?;
        let mut forms = Vec::new();
        for (i, column) in source.iter().enumerate() {
            let Some(row) = rows
                .iter()
                .find(|r| quote_ident(r.get::<_, &str>(0)) == *column)
            else {
                return Ok(None);
            };
            forms.push(Form {
                send: row.get(1),
                varlena: row.get::<_, i32>(2) == -1,
                octets: row.get(3),
                shape: shapes.get(i).cloned().unwrap_or(Shape::Plain),
            });
        }
        Ok(forms.iter().any(|f| f.varlena).then(|| WideColumns {
            forms,
            source: source.to_vec(),
            target: target.to_vec(),
        }))
    }

    fn names(&self, target: bool) -> &[String] {
        if target {
            &self.target
        } else {
            &self.source
        }
    }

    /// SQL true for a row (aliased `x`) whose COPY form is estimated over [`WIDE_ROW`].
    fn predicate(&self, target: bool) -> String {
        let sizes: Vec<String> = self
            .forms
            .iter()
            .zip(self.names(target))
            .filter(|(f, _)| f.varlena)
            .map(|(f, c)| {
                if f.octets {
                    format!("coalesce(octet_length(x.{c})::int8, 0)")
                } else {
                    format!(
                        "coalesce(CASE WHEN pg_column_size(x.{c}) > {SIZED_EXACTLY} THEN octet_length({}(x.{c})) ELSE pg_column_size(x.{c}) END::int8, 0)",
                        f.send
                    )
                }
            })
            .collect();
        format!("({}) > {WIDE_ROW}", sizes.join(" + "))
    }

    /// `filter` (empty, or ` WHERE …` on rows aliased `x`) narrowed to the wide rows.
    fn wide_filter(&self, filter: &str, target: bool) -> String {
        let predicate = self.predicate(target);
        if filter.is_empty() {
            format!(" WHERE {predicate}")
        } else {
            format!("{filter} AND {predicate}")
        }
    }

    /// The ctids of the wide rows of `table` within `filter`, read in the caller's transaction.
    pub(crate) async fn find(
        &self,
        client: &Client,
        table: &QualifiedName,
        filter: &str,
        target: bool,
    ) -> Result<Vec<String>, tokio_postgres::Error> {
        let sql = format!(
            "SELECT x.ctid::text FROM ONLY {table} x{}",
            self.wide_filter(filter, target)
        );
        Ok(client
            .query(&sql, &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    /// The length of each field's binary form in the row (`None`: NULL).
    async fn lengths(&self, at: RowAt<'_>) -> Result<Vec<Option<i64>>, tokio_postgres::Error> {
        let list: Vec<String> = self
            .forms
            .iter()
            .zip(self.names(at.target))
            .map(|(f, c)| f.length(&format!("x.{c}")))
            .collect();
        let row = at
            .client
            .query_one(
                &format!(
                    "SELECT {} FROM ONLY {} x WHERE x.ctid = $1::text::tid",
                    list.join(", "),
                    at.table
                ),
                &[&at.ctid],
            )
            .await?;
        Ok((0..self.forms.len()).map(|i| row.get(i)).collect())
    }

    /// `what` of field `i` of the row (`what` gets the field's binary form as SQL).
    async fn field(
        &self,
        at: RowAt<'_>,
        i: usize,
        what: impl Fn(&str) -> String,
    ) -> Result<Vec<u8>, tokio_postgres::Error> {
        let (form, column) = (&self.forms[i], &self.names(at.target)[i]);
        let value = if form.bytea() {
            format!("x.{column}")
        } else {
            format!("{}(x.{column})", form.send)
        };
        at.client
            .query_one(
                &format!(
                    "SELECT {} FROM ONLY {} x WHERE x.ctid = $1::text::tid",
                    what(&value),
                    at.table
                ),
                &[&at.ctid],
            )
            .await
            .map(|r| r.get(0))
    }

    /// Sends the source rows at `ctids` (read in the chunk's snapshot) to the target in one binary
    /// COPY of their own, field by field, a field in slices of [`SLICE`] bytes; adds their hashes
    /// to `hash` (in PostgreSQL's form when `postgres` gives the columns' forms, see
    /// [`RowStream::postgres`]). Returns the rows the target wrote and the bytes sent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send(
        &self,
        source: &Client,
        target: &Client,
        table: &QualifiedName,
        target_columns: &str,
        ctids: &[String],
        control: &Control,
        hash: &mut RowsHash,
        postgres: Option<&FieldForms>,
    ) -> Result<(u64, u64), WideError> {
        use WideError::{Source, Target};
        let sink = target
            .copy_in(&format!(
                "COPY {table} ({target_columns}) FROM STDIN (FORMAT binary)"
            ))
            .await
            .map_err(Target)?;
        futures_util::pin_mut!(sink);
        let mut head = BytesMut::new();
        head.put_slice(SIGNATURE);
        head.put_i32(0);
        head.put_i32(0);
        let mut bytes = 0u64;
        for ctid in ctids {
            let at = RowAt {
                client: source,
                table,
                ctid,
                target: false,
            };
            let lengths = self.lengths(at).await.map_err(Source)?;
            let mut row = match postgres {
                Some(forms) => RowStream::postgres(forms.clone()),
                None => RowStream::new(lengths.len() as i16),
            };
            head.put_i16(lengths.len() as i16);
            for (i, len) in lengths.into_iter().enumerate() {
                if control.is_stopped() {
                    return Err(WideError::Stopped);
                }
                let Some(len) = len else {
                    row.null();
                    head.put_i32(-1);
                    continue;
                };
                head.put_i32(len as i32);
                let plain = self.forms[i].shape.plain();
                row.begin(len as u64, plain);
                let mut done = 0;
                while done < len {
                    // A field with OIDs inside is fetched whole: they are zeroed before hashing.
                    let take = if plain { SLICE.min(len - done) } else { len };
                    let piece = self
                        .field(at, i, |v| {
                            format!("substring({v} from {} for {take})", done + 1)
                        })
                        .await
                        .map_err(Source)?;
                    if plain {
                        row.piece(&piece);
                    } else {
                        let mut zeroed = piece.clone();
                        zero_oids(&mut zeroed, &self.forms[i].shape);
                        row.piece(&zeroed);
                    }
                    if !head.is_empty() {
                        bytes += head.len() as u64;
                        sink.send(head.split().freeze()).await.map_err(Target)?;
                    }
                    bytes += piece.len() as u64;
                    sink.send(Bytes::from(piece)).await.map_err(Target)?;
                    done += take;
                }
                row.end();
            }
            hash.add(row.finish());
        }
        head.put_i16(-1);
        bytes += head.len() as u64;
        sink.send(head.freeze()).await.map_err(Target)?;
        let rows = sink.finish().await.map_err(Target)?;
        Ok((rows, bytes))
    }

    /// The SHA-256 of field `i`'s binary form in the row, computed by the server.
    async fn digest(&self, at: RowAt<'_>, i: usize) -> Result<[u8; 32], tokio_postgres::Error> {
        let sha = self.field(at, i, |v| format!("sha256({v})")).await?;
        Ok(sha.try_into().unwrap_or([0; 32]))
    }

    /// Field `i` of the row, `len` bytes in its binary form, handed to `piece` in slices of at most
    /// [`SLICE`] bytes; a value with type OIDs inside comes whole, the OIDs zeroed.
    async fn stream_field(
        &self,
        at: RowAt<'_>,
        i: usize,
        len: i64,
        piece: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), tokio_postgres::Error> {
        let shape = &self.forms[i].shape;
        if !shape.plain() {
            let mut value = self.field(at, i, |v| v.to_string()).await?;
            zero_oids(&mut value, shape);
            piece(&value);
            return Ok(());
        }
        let mut done = 0;
        while done < len {
            let take = SLICE.min(len - done);
            let slice = self
                .field(at, i, |v| {
                    format!("substring({v} from {} for {take})", done + 1)
                })
                .await?;
            piece(&slice);
            done += take;
        }
        Ok(())
    }

    /// The hash of the target's row at `ctid` as [`RowStream`] takes it, its huge fields digested by
    /// the server, and the integer value of field `key` (when asked) to place it in its chunk.
    pub(crate) async fn hash_target_row(
        &self,
        target: &Client,
        table: &QualifiedName,
        ctid: &str,
        key: Option<usize>,
    ) -> Result<(u128, Option<i64>), tokio_postgres::Error> {
        let at = RowAt {
            client: target,
            table,
            ctid,
            target: true,
        };
        let lengths = self.lengths(at).await?;
        let mut row = RowStream::new(lengths.len() as i16);
        let mut key_value = None;
        for (i, len) in lengths.into_iter().enumerate() {
            let Some(len) = len else {
                row.null();
                continue;
            };
            let plain = self.forms[i].shape.plain();
            if RowStream::digests(len as u64, plain) {
                let sha = self.digest(at, i).await?;
                row.digested(len as u64, &sha);
                continue;
            }
            row.begin(len as u64, plain);
            self.stream_field(at, i, len, &mut |piece| {
                if Some(i) == key {
                    key_value = binary_integer(piece);
                }
                row.piece(piece);
            })
            .await?;
            row.end();
        }
        Ok((row.finish(), key_value))
    }

    /// The row at `ctid` as a recheck compares it: `key_sql` (on rows aliased `x`) as text, and each
    /// field's [`field_hash`] (0 for NULL), huge fields digested by the server.
    pub(crate) async fn keyed_row(
        &self,
        client: &Client,
        table: &QualifiedName,
        ctid: &str,
        key_sql: &str,
        target: bool,
    ) -> Result<(String, Vec<u64>), tokio_postgres::Error> {
        let key: Option<String> = client
            .query_one(
                &format!(
                    "SELECT ({key_sql})::text FROM ONLY {table} x WHERE x.ctid = $1::text::tid"
                ),
                &[&ctid],
            )
            .await?
            .get(0);
        let at = RowAt {
            client,
            table,
            ctid,
            target,
        };
        let mut hashes = Vec::new();
        for (i, len) in self.lengths(at).await?.into_iter().enumerate() {
            let Some(len) = len else {
                hashes.push(0);
                continue;
            };
            if RowStream::digests(len as u64, self.forms[i].shape.plain()) {
                let sha = self.digest(at, i).await?;
                hashes.push(huge_field_hash(len as u64, &sha));
                continue;
            }
            // As `field_hash` of the whole value.
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            self.stream_field(at, i, len, &mut |piece| h.update(piece))
                .await?;
            hashes.push(h.digest() | 1);
        }
        Ok((key.unwrap_or_default(), hashes))
    }
}
