//! Order-independent hashes of rows as they pass through a COPY stream.
//!
//! Each row's fields, as the COPY stream carries them, are hashed to 128 bits (XXH3); a set of rows
//! hashes to the wrapping sum of its rows' hashes, so the same rows give the same sum in any order,
//! and sums of chunks add up to the table's. The source's sum is taken while its COPY passes through
//! to the target; the target's by reading its rows back in the same format and column order.
//!
//! Normalisation is the same on both sides: the bytes of each field as PostgreSQL sends them, except
//! for type OIDs that binary arrays and composite values carry inside them, which differ between two
//! databases for types created there (they are zeroed before hashing). Text-format streams (tables
//! whose source and target types differ) are hashed as text lines, both sides read with the same
//! session settings ([`SESSION_SETTINGS`]).

use crate::pg_hash::{self, FieldForm};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tokio_postgres::Client;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

/// A plain field longer than this enters its row's hash as its SHA-256 and length (see
/// [`RowStream`]): a side that streams such a value in slices, or lets the server digest it, never
/// holds it whole, and hashes it as a side holding it whole does.
pub(crate) const HUGE_FIELD: usize = 16 << 20;

/// What stands for a huge field's length in the bytes hashed (real lengths are -1 or more).
const DIGEST_MARK: i32 = -2;

/// The bytes that stand for a huge field in hashes: [`DIGEST_MARK`], its length, its SHA-256.
pub(crate) fn digest_form(len: u64, sha: &[u8; 32]) -> [u8; 44] {
    let mut form = [0u8; 44];
    form[..4].copy_from_slice(&DIGEST_MARK.to_be_bytes());
    form[4..12].copy_from_slice(&len.to_be_bytes());
    form[12..].copy_from_slice(sha);
    form
}

/// The 64-bit hash of one field's value (for naming the columns of a row that differs): a huge
/// plain value by its [`digest_form`], so that a side that never holds it hashes it the same.
pub(crate) fn field_hash(value: &[u8], plain: bool) -> u64 {
    if RowStream::digests(value.len() as u64, plain) {
        return huge_field_hash(value.len() as u64, &Sha256::digest(value).into());
    }
    xxh3_64(value) | 1
}

/// [`field_hash`] of a huge value from its length and SHA-256.
pub(crate) fn huge_field_hash(len: u64, sha: &[u8; 32]) -> u64 {
    xxh3_64(&digest_form(len, sha)) | 1
}

/// Settings under which both sides are read when text output is compared (text-format chunks,
/// sample comparison): the same text for the same values on both servers.
/// JIT compilation is turned off (PostgreSQL 11 or later): it cost a row hash query 29 ms to compile
/// and gained nothing measurable (one `EXPLAIN ANALYZE`, a few timings by hand).
pub(crate) const SESSION_SETTINGS: &str = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'; SELECT set_config('jit', 'off', false) WHERE current_setting('server_version_num')::int >= 110000";

/// The signature that opens a binary COPY stream.
pub(crate) const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// Where type OIDs sit inside a binary field, so that they can be zeroed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// No OID of a type created in the database inside.
    Plain,
    /// An array; its element type's OID is in the header, its elements have the inner shape.
    Array(Box<Shape>),
    /// A composite value: each attribute carries its type's OID.
    Composite(Vec<Shape>),
}

impl Shape {
    pub(crate) fn plain(&self) -> bool {
        matches!(self, Shape::Plain)
    }
}

/// The sum of a set of rows' hashes and their number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowsHash {
    pub rows: u64,
    pub sum: u128,
}

impl RowsHash {
    pub(crate) fn add(&mut self, row: u128) {
        self.rows += 1;
        self.sum = self.sum.wrapping_add(row);
    }

    pub(crate) fn merge(&mut self, other: RowsHash) {
        self.rows += other.rows;
        self.sum = self.sum.wrapping_add(other.sum);
    }

    /// 32 hexadecimal digits.
    pub fn hex(&self) -> String {
        format!("{:032x}", self.sum)
    }

    pub(crate) fn parse(hex: &str) -> Option<u128> {
        u128::from_str_radix(hex, 16).ok()
    }
}

/// Splits a COPY stream, arriving in pieces cut anywhere, into rows: a binary tuple (its field count
/// and fields) or a text line (without its newline).
#[derive(Debug)]
pub(crate) struct CopyRows {
    binary: bool,
    /// Bytes of a row not complete yet.
    carry: Vec<u8>,
    header_read: bool,
    ended: bool,
}

impl CopyRows {
    pub(crate) fn new(binary: bool) -> CopyRows {
        CopyRows {
            binary,
            carry: Vec::new(),
            header_read: !binary,
            ended: false,
        }
    }

    /// Feeds a piece of the stream, calling `row` for each complete row.
    pub(crate) fn feed(&mut self, piece: &[u8], row: &mut impl FnMut(&[u8])) -> Result<(), String> {
        if self.carry.is_empty() {
            let used = self.parse(piece, row)?;
            self.carry.extend_from_slice(&piece[used..]);
        } else {
            let mut data = std::mem::take(&mut self.carry);
            data.extend_from_slice(piece);
            let used = self.parse(&data, row)?;
            data.drain(..used);
            self.carry = data;
        }
        Ok(())
    }

    /// Checks that the stream ended with a whole row.
    pub(crate) fn finish(&self) -> Result<(), String> {
        if !self.carry.is_empty() {
            return Err(format!(
                "the COPY stream ended inside a row ({} bytes left over)",
                self.carry.len()
            ));
        }
        if self.binary && self.header_read && !self.ended {
            return Err("the binary COPY stream ended without its trailer".into());
        }
        Ok(())
    }

    /// Parses the complete rows at the start of `data`; returns the bytes used.
    fn parse(&mut self, data: &[u8], row: &mut impl FnMut(&[u8])) -> Result<usize, String> {
        let mut at = 0;
        if !self.binary {
            while let Some(end) = data[at..].iter().position(|b| *b == b'\n') {
                row(&data[at..at + end]);
                at += end + 1;
            }
            return Ok(at);
        }
        if !self.header_read {
            if data.len() < SIGNATURE.len() + 8 {
                return Ok(0);
            }
            if &data[..SIGNATURE.len()] != SIGNATURE {
                return Err("the stream is not binary COPY data (no PGCOPY signature)".into());
            }
            let extension = be_i32(&data[SIGNATURE.len() + 4..]).max(0) as usize;
            let start = SIGNATURE.len() + 8 + extension;
            if data.len() < start {
                return Ok(0);
            }
            self.header_read = true;
            at = start;
        }
        while !self.ended {
            let rest = &data[at..];
            if rest.len() < 2 {
                break;
            }
            let fields = i16::from_be_bytes([rest[0], rest[1]]);
            if fields == -1 {
                self.ended = true;
                at += 2;
                break;
            }
            let mut end = 2;
            let mut complete = true;
            for _ in 0..fields.max(0) {
                if rest.len() < end + 4 {
                    complete = false;
                    break;
                }
                let len = be_i32(&rest[end..]);
                end += 4 + len.max(0) as usize;
                if rest.len() < end {
                    complete = false;
                    break;
                }
            }
            if !complete {
                break;
            }
            row(&rest[..end]);
            at += end;
        }
        if self.ended && at < data.len() {
            return Err("bytes after the binary COPY trailer".into());
        }
        Ok(at)
    }
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// The fields of a row that [`CopyRows`] gave: `None` for NULL.
pub(crate) fn fields(row: &[u8], binary: bool) -> Vec<Option<&[u8]>> {
    if !binary {
        return row
            .split(|b| *b == b'\t')
            .map(|f| (f != b"\\N").then_some(f))
            .collect();
    }
    binary_fields(row).collect()
}

/// The fields of a binary row, one by one, without collecting them: `None` for NULL.
fn binary_fields(row: &[u8]) -> impl Iterator<Item = Option<&[u8]>> {
    let mut at = 2;
    std::iter::from_fn(move || {
        if at + 4 > row.len() {
            return None;
        }
        let len = be_i32(&row[at..]);
        at += 4;
        if len < 0 {
            return Some(None);
        }
        let end = (at + len as usize).min(row.len());
        let value = &row[at..end];
        at = end;
        Some(Some(value))
    })
}

/// Field `n` of a row that [`CopyRows`] gave, without collecting the others: `None` for NULL or
/// when the row has fewer fields.
pub(crate) fn nth_field(row: &[u8], n: usize, binary: bool) -> Option<&[u8]> {
    if !binary {
        let field = row.split(|b| *b == b'\t').nth(n)?;
        return (field != b"\\N").then_some(field);
    }
    binary_fields(row).nth(n).flatten()
}

/// Zeroes the type OIDs inside a binary field of shape `shape` (in place; a value that does not
/// parse as the shape is left as it is, the same on both sides).
pub(crate) fn zero_oids(value: &mut [u8], shape: &Shape) {
    match shape {
        Shape::Plain => {}
        Shape::Array(inner) => {
            if value.len() < 12 {
                return;
            }
            let dimensions = be_i32(value).clamp(0, 6) as usize;
            value[8..12].fill(0);
            let mut at = 12 + dimensions * 8;
            if inner.plain() {
                return;
            }
            while at + 4 <= value.len() {
                let len = be_i32(&value[at..]);
                at += 4;
                if len >= 0 {
                    let end = (at + len as usize).min(value.len());
                    zero_oids(&mut value[at..end], inner);
                    at = end;
                }
            }
        }
        Shape::Composite(attributes) => {
            if value.len() < 4 {
                return;
            }
            let mut at = 4;
            for attribute in attributes {
                if at + 8 > value.len() {
                    return;
                }
                value[at..at + 4].fill(0);
                let len = be_i32(&value[at + 4..]);
                at += 8;
                if len >= 0 {
                    let end = (at + len as usize).min(value.len());
                    zero_oids(&mut value[at..end], attribute);
                    at = end;
                }
            }
        }
    }
}

/// Hashes rows of one table's COPY stream with the normalisation of its columns' shapes.
#[derive(Clone, Debug)]
pub(crate) struct RowHasher {
    binary: bool,
    /// Per column; empty when every column is plain (the row's bytes are hashed as they are).
    shapes: Vec<Shape>,
    scratch: Vec<u8>,
    /// Rows hashed as PostgreSQL hashes them ([`RowHasher::as_postgres`]).
    postgres: Option<FieldForms>,
}

/// How each column of a table enters a PostgreSQL row hash (see [`crate::server_hash`]).
pub(crate) type FieldForms = std::sync::Arc<Vec<FieldForm>>;

impl RowHasher {
    pub(crate) fn new(binary: bool, shapes: &[Shape]) -> RowHasher {
        let shapes = if binary && shapes.iter().any(|s| !s.plain()) {
            shapes.to_vec()
        } else {
            Vec::new()
        };
        RowHasher {
            binary,
            shapes,
            scratch: Vec::new(),
            postgres: None,
        }
    }

    /// Hashes binary rows as the server does with [`crate::server_hash::ServerRowHash`]: the
    /// result is the row's [`pg_hash::RowHash`], as a signed value widened to 128 bits.
    pub(crate) fn as_postgres(forms: FieldForms) -> RowHasher {
        RowHasher {
            postgres: Some(forms),
            ..RowHasher::new(true, &[])
        }
    }

    /// The 128-bit hash of one row.
    pub(crate) fn row(&mut self, row: &[u8]) -> u128 {
        if let Some(forms) = &self.postgres {
            let mut hash = pg_hash::RowHash::default();
            binary_fields(row)
                .enumerate()
                .for_each(|(i, value)| hash.field(form_at(forms, i), value));
            return postgres_row_hash(hash.finish());
        }
        if self.binary && row.len() > HUGE_FIELD {
            return self.long_row(row);
        }
        if self.shapes.is_empty() {
            return xxh3_128(row);
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(row);
        let mut at = 2;
        for shape in &self.shapes {
            if at + 4 > self.scratch.len() {
                break;
            }
            let len = be_i32(&self.scratch[at..]);
            at += 4;
            if len >= 0 {
                let end = (at + len as usize).min(self.scratch.len());
                zero_oids(&mut self.scratch[at..end], shape);
                at = end;
            }
        }
        xxh3_128(&self.scratch)
    }

    /// A binary row that may hold a huge field, hashed field by field as [`RowStream`] does.
    fn long_row(&mut self, row: &[u8]) -> u128 {
        let fields = fields(row, true);
        let mut stream = RowStream::new(fields.len() as i16);
        for (i, field) in fields.into_iter().enumerate() {
            let shape = self.shapes.get(i).unwrap_or(&Shape::Plain);
            match field {
                None => stream.null(),
                Some(value) if shape.plain() => {
                    stream.begin(value.len() as u64, true);
                    stream.piece(value);
                    stream.end();
                }
                Some(value) => {
                    let mut value = value.to_vec();
                    zero_oids(&mut value, shape);
                    stream.begin(value.len() as u64, false);
                    stream.piece(&value);
                    stream.end();
                }
            }
        }
        stream.finish()
    }

    /// The 64-bit hash of each field (for naming the columns of a row that differs).
    pub(crate) fn field_hashes(&mut self, row: &[u8]) -> Vec<u64> {
        let binary = self.binary;
        let shapes = self.shapes.clone();
        fields(row, binary)
            .into_iter()
            .enumerate()
            .map(|(i, f)| match f {
                None => 0,
                Some(value) => match shapes.get(i) {
                    Some(shape) if !shape.plain() => {
                        let mut copy = value.to_vec();
                        zero_oids(&mut copy, shape);
                        field_hash(&copy, false)
                    }
                    _ => field_hash(value, true),
                },
            })
            .collect()
    }
}

/// The hash of one binary row given field by field, each field's bytes in pieces: the same as
/// [`RowHasher::row`] of the whole row. A plain field longer than [`HUGE_FIELD`] counts as
/// [`DIGEST_MARK`], its length and its SHA-256, so that it may be hashed as it streams or be
/// digested by the server ([`RowStream::digested`]). In PostgreSQL's form
/// ([`RowStream::postgres`]) every field streams into its own hash.
pub(crate) struct RowStream {
    form: StreamForm,
}

enum StreamForm {
    Xxh3 {
        row: Box<Xxh3>,
        field: Option<(u64, Sha256)>,
    },
    Postgres {
        forms: FieldForms,
        row: pg_hash::RowHash,
        /// A streaming field's hash so far; another field's bytes so far.
        field: Option<pg_hash::BytesHasher>,
        value: Vec<u8>,
    },
}

impl RowStream {
    pub(crate) fn new(fields: i16) -> RowStream {
        let mut row = Box::new(Xxh3::new());
        row.update(&fields.to_be_bytes());
        RowStream {
            form: StreamForm::Xxh3 { row, field: None },
        }
    }

    /// A row hashed as the server hashes it ([`pg_hash::RowHash`], see [`crate::server_hash`]).
    pub(crate) fn postgres(forms: FieldForms) -> RowStream {
        RowStream {
            form: StreamForm::Postgres {
                forms,
                row: pg_hash::RowHash::default(),
                field: None,
                value: Vec::new(),
            },
        }
    }

    /// Whether a field of `len` bytes enters the hash as its digest.
    pub(crate) fn digests(len: u64, plain: bool) -> bool {
        plain && len > HUGE_FIELD as u64
    }

    pub(crate) fn null(&mut self) {
        match &mut self.form {
            StreamForm::Xxh3 { row, .. } => row.update(&(-1i32).to_be_bytes()),
            StreamForm::Postgres { forms, row, .. } => {
                row.field(form_at(forms, row.next_index()), None)
            }
        }
    }

    /// Starts a field of `len` bytes (`plain`: no type OIDs inside, see [`Shape`]); its bytes follow
    /// in [`RowStream::piece`]s, then [`RowStream::end`].
    pub(crate) fn begin(&mut self, len: u64, plain: bool) {
        match &mut self.form {
            StreamForm::Xxh3 { row, field } => {
                if Self::digests(len, plain) {
                    *field = Some((len, Sha256::new()));
                } else {
                    row.update(&(len as i32).to_be_bytes());
                }
            }
            StreamForm::Postgres {
                forms,
                row,
                field,
                value,
            } => {
                // Only a field hashed as it comes may not fit in memory (a large value has that
                // form): the others are kept until they end.
                value.clear();
                let index = row.next_index();
                *field = form_at(forms, index)
                    .streams()
                    .then(|| pg_hash::BytesHasher::new(len, pg_hash::seed_of(index)));
            }
        }
    }

    pub(crate) fn piece(&mut self, bytes: &[u8]) {
        match &mut self.form {
            StreamForm::Xxh3 { row, field } => match field {
                Some((_, sha)) => sha.update(bytes),
                None => row.update(bytes),
            },
            StreamForm::Postgres { field, value, .. } => match field {
                Some(field) => field.update(bytes),
                None => value.extend_from_slice(bytes),
            },
        }
    }

    pub(crate) fn end(&mut self) {
        match &mut self.form {
            StreamForm::Xxh3 { field, .. } => {
                if let Some((len, sha)) = field.take() {
                    self.digested(len, &sha.finalize().into());
                }
            }
            StreamForm::Postgres {
                forms,
                row,
                field,
                value,
            } => match field.take() {
                Some(streamed) => row.own_hash(streamed.finish()),
                None => row.field(form_at(forms, row.next_index()), Some(value)),
            },
        }
    }

    /// A huge field by its length and SHA-256, as a server computed them (the client's form only).
    pub(crate) fn digested(&mut self, len: u64, sha: &[u8; 32]) {
        if let StreamForm::Xxh3 { row, .. } = &mut self.form {
            row.update(&digest_form(len, sha));
        }
    }

    pub(crate) fn finish(&self) -> u128 {
        match &self.form {
            StreamForm::Xxh3 { row, .. } => row.digest128(),
            StreamForm::Postgres { row, .. } => postgres_row_hash(row.finish()),
        }
    }
}

/// How column `i` enters a PostgreSQL row hash (a field beyond the columns known: as bytes).
fn form_at(forms: &FieldForms, i: usize) -> FieldForm {
    forms.get(i).copied().unwrap_or(FieldForm::Bytes)
}

/// A row's PostgreSQL hash as it enters [`RowsHash`]: the server sums signed values, so the same
/// value, sign-extended to 128 bits.
fn postgres_row_hash(row: u64) -> u128 {
    (row as i64 as i128) as u128
}

/// A COPY stream hashed as it passes: feed it every piece, then [`StreamHash::finish`].
#[derive(Debug)]
pub(crate) struct StreamHash {
    rows: CopyRows,
    hasher: RowHasher,
    pub(crate) total: RowsHash,
}

impl StreamHash {
    pub(crate) fn new(binary: bool, shapes: &[Shape]) -> StreamHash {
        Self::with(binary, RowHasher::new(binary, shapes))
    }

    /// A stream whose rows `hasher` hashes.
    pub(crate) fn with(binary: bool, hasher: RowHasher) -> StreamHash {
        StreamHash {
            rows: CopyRows::new(binary),
            hasher,
            total: RowsHash::default(),
        }
    }

    pub(crate) fn feed(&mut self, piece: &[u8]) -> Result<(), String> {
        let (hasher, total) = (&mut self.hasher, &mut self.total);
        self.rows.feed(piece, &mut |row| total.add(hasher.row(row)))
    }

    pub(crate) fn finish(&self) -> Result<RowsHash, String> {
        self.rows.finish()?;
        Ok(self.total)
    }
}

/// Runs `copy_sql` (a `COPY … TO STDOUT`) and calls `row` for each row it sends.
pub(crate) async fn read_rows(
    client: &Client,
    copy_sql: &str,
    binary: bool,
    mut row: impl FnMut(&[u8]),
) -> Result<(), String> {
    use futures_util::StreamExt;
    let out = client
        .copy_out(copy_sql)
        .await
        .map_err(|e| crate::db_message(&e))?;
    futures_util::pin_mut!(out);
    let mut rows = CopyRows::new(binary);
    while let Some(piece) = out.next().await {
        let piece = piece.map_err(|e| crate::db_message(&e))?;
        rows.feed(&piece, &mut row)?;
    }
    rows.finish()
}

/// The hash of the rows `copy_sql` sends.
pub(crate) async fn hash_rows(
    client: &Client,
    copy_sql: &str,
    binary: bool,
    shapes: &[Shape],
) -> Result<RowsHash, String> {
    let mut hasher = RowHasher::new(binary, shapes);
    let mut total = RowsHash::default();
    read_rows(client, copy_sql, binary, |row| total.add(hasher.row(row))).await?;
    Ok(total)
}

/// The shape of each column of `table` (in the order given), read from the server's catalog: only
/// arrays of types created in the database and composite values need their OIDs zeroed.
pub(crate) async fn column_shapes(
    client: &Client,
    table: &str,
    columns: &[String],
) -> Result<Vec<Shape>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT a.attname::text, a.atttypid::int8 FROM pg_attribute a
              WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            &[&table],
        )
        .await?;
    let types: BTreeMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut shapes = Vec::new();
    for column in columns {
        let oid = types.get(column).copied().unwrap_or(0);
        shapes.push(type_shape(client, oid, 0).await?);
    }
    Ok(shapes)
}

/// The shape of values of type `oid` (domains read as their base type).
fn type_shape<'a>(
    client: &'a Client,
    oid: i64,
    depth: u32,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Shape, tokio_postgres::Error>> + Send + 'a>,
> {
    Box::pin(async move {
        if oid == 0 || depth > 8 {
            return Ok(Shape::Plain);
        }
        let Some(row) = client
            .query_opt(
                "SELECT t.typtype::text, t.typcategory::text, t.typelem::int8, t.typbasetype::int8, t.typrelid::int8
                   FROM pg_type t WHERE t.oid = $1::int8::oid",
                &[&oid],
            )
            .await?
        else {
            return Ok(Shape::Plain);
        };
        let (typtype, category, elem, base, relid): (String, String, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        Ok(match typtype.as_str() {
            "d" => type_shape(client, base, depth + 1).await?,
            "c" => {
                let attributes = client
                    .query(
                        "SELECT a.atttypid::int8 FROM pg_attribute a WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                        &[&relid],
                    )
                    .await?;
                let mut shapes = Vec::new();
                for a in attributes {
                    shapes.push(type_shape(client, a.get(0), depth + 1).await?);
                }
                Shape::Composite(shapes)
            }
            _ if category == "A" && elem != 0 => {
                let inner = type_shape(client, elem, depth + 1).await?;
                // Built-in element types have the same OID everywhere.
                if inner.plain() && elem < FIRST_NORMAL_OID {
                    Shape::Plain
                } else {
                    Shape::Array(Box::new(inner))
                }
            }
            _ => Shape::Plain,
        })
    })
}

/// One row of a binary COPY stream: its field count, then each field's length (-1: NULL) and bytes.
pub(crate) fn binary_row(fields: &[Option<&[u8]>]) -> Vec<u8> {
    let mut row = (fields.len() as i16).to_be_bytes().to_vec();
    for field in fields {
        match field {
            None => row.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(v) => {
                row.extend_from_slice(&(v.len() as i32).to_be_bytes());
                row.extend_from_slice(v);
            }
        }
    }
    row
}

/// OIDs below this are PostgreSQL's own, the same in every database.
const FIRST_NORMAL_OID: i64 = 16384;

#[cfg(test)]
mod tests {
    use super::*;

    fn binary_stream(rows: &[Vec<Option<&[u8]>>]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        for row in rows {
            out.extend_from_slice(&binary_row(row));
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    #[test]
    fn a_stream_cut_anywhere_gives_the_same_rows_and_sum_in_any_order() {
        let a: Vec<Option<&[u8]>> = vec![Some(b"1"), None, Some(b"hello")];
        let b: Vec<Option<&[u8]>> = vec![Some(b"2"), Some(b""), None];
        let one = binary_stream(&[a.clone(), b.clone()]);
        let other = binary_stream(&[b, a]);
        let whole = {
            let mut h = StreamHash::new(true, &[]);
            h.feed(&one).unwrap();
            h.finish().unwrap()
        };
        assert_eq!(whole.rows, 2);
        for cut in 0..other.len() {
            let mut h = StreamHash::new(true, &[]);
            h.feed(&other[..cut]).unwrap();
            h.feed(&other[cut..]).unwrap();
            assert_eq!(h.finish().unwrap(), whole, "cut at {cut}");
        }
        // A stream cut short is an error, not a smaller sum.
        let mut h = StreamHash::new(true, &[]);
        h.feed(&one[..one.len() - 3]).unwrap();
        assert!(h.finish().is_err());
        // NULL and an empty value differ.
        let mut x = RowHasher::new(true, &[]);
        let null = binary_stream(&[vec![None]]);
        let empty = binary_stream(&[vec![Some(b"")]]);
        assert_ne!(x.row(&null[19..25]), x.row(&empty[19..25]));
    }

    #[test]
    fn one_field_is_the_same_as_among_all_fields() {
        let stream = binary_stream(&[vec![Some(b"7"), None, Some(b""), Some(b"abc")]]);
        let row = &stream[19..stream.len() - 2];
        for (row, binary) in [(row, true), (&b"1\t\\N\t\tx"[..], false)] {
            let all = fields(row, binary);
            for n in 0..5 {
                let expected = all.get(n).copied().flatten();
                assert_eq!(nth_field(row, n, binary), expected, "field {n}");
            }
        }
    }

    #[test]
    fn a_row_given_field_by_field_in_pieces_hashes_as_the_whole_row() {
        let long = vec![7u8; HUGE_FIELD + 3];
        let short = b"short value".to_vec();
        for row in [
            vec![Some(&short[..]), None, Some(&b""[..])],
            vec![Some(&long[..]), Some(&short[..]), None],
            vec![Some(&long[..HUGE_FIELD]), Some(&short[..])],
        ] {
            let stream = binary_stream(std::slice::from_ref(&row));
            let whole = RowHasher::new(true, &[]).row(&stream[19..stream.len() - 2]);
            let mut fields = RowStream::new(row.len() as i16);
            for field in &row {
                match field {
                    None => fields.null(),
                    Some(value) => {
                        fields.begin(value.len() as u64, true);
                        for piece in value.chunks(1 << 20) {
                            fields.piece(piece);
                        }
                        fields.end();
                    }
                }
            }
            assert_eq!(fields.finish(), whole);
        }
        // A field hashed in pieces is the field hashed whole.
        let mut pieces = Xxh3::new();
        for piece in long.chunks(1 << 20) {
            pieces.update(piece);
        }
        assert_eq!(pieces.digest(), xxh3_64(&long));
        // A huge field's digest computed elsewhere stands for it; one byte changed deep inside
        // changes the row's hash.
        let stream = binary_stream(&[vec![Some(&long[..])]]);
        let whole = RowHasher::new(true, &[]).row(&stream[19..stream.len() - 2]);
        let mut digested = RowStream::new(1);
        digested.digested(long.len() as u64, &Sha256::digest(&long).into());
        assert_eq!(digested.finish(), whole);
        let mut changed = long.clone();
        changed[HUGE_FIELD] = 8;
        let stream = binary_stream(&[vec![Some(&changed[..])]]);
        assert_ne!(
            RowHasher::new(true, &[]).row(&stream[19..stream.len() - 2]),
            whole
        );
    }

    #[test]
    fn text_lines_hash_the_same_in_any_order() {
        let mut a = StreamHash::new(false, &[]);
        a.feed(b"1\tx\n2\t\\N\n").unwrap();
        let mut b = StreamHash::new(false, &[]);
        b.feed(b"2\t\\N\n1").unwrap();
        b.feed(b"\tx\n").unwrap();
        assert_eq!(a.finish().unwrap(), b.finish().unwrap());
        assert_eq!(fields(b"1\t\\N", false), [Some(&b"1"[..]), None]);
    }

    #[test]
    fn oids_inside_arrays_and_composites_do_not_count() {
        // An array of one dimension with element type OID `oid` holding one 4-byte value.
        let array = |oid: i32| {
            let mut v = Vec::new();
            for n in [1i32, 0, oid, 1, 1, 4] {
                v.extend_from_slice(&n.to_be_bytes());
            }
            v.extend_from_slice(b"abcd");
            v
        };
        let (x, y) = (array(70001), array(80002));
        let shapes = [Shape::Array(Box::new(Shape::Plain))];
        let mut h = RowHasher::new(true, &shapes);
        let row = |v: &[u8]| {
            let mut r = 1i16.to_be_bytes().to_vec();
            r.extend_from_slice(&(v.len() as i32).to_be_bytes());
            r.extend_from_slice(v);
            r
        };
        assert_eq!(h.row(&row(&x)), h.row(&row(&y)));
        assert_eq!(h.field_hashes(&row(&x)), h.field_hashes(&row(&y)));
        // Without the shape they differ: the OID is part of the bytes.
        let mut plain = RowHasher::new(true, &[Shape::Plain]);
        assert_ne!(plain.row(&row(&x)), plain.row(&row(&y)));
        // The value still counts.
        let mut z = array(70001);
        *z.last_mut().unwrap() = b'e';
        assert_ne!(h.row(&row(&x)), h.row(&row(&z)));
    }
}
