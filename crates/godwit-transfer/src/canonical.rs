//! One form for a value on both sides of an Oracle copy, so that the rows sent and the rows read
//! back from the target hash alike exactly when the target holds the same values.
//!
//! The source side is the COPY text godwit sends (from `godwit_oracle::data::copy_field`); the target
//! side is the target's own COPY text output, read under [`crate::hash::SESSION_SETTINGS`]. Each
//! field is put in the canonical form of the *target column's type*: numbers as plain decimals
//! without redundant zeros, floats by their bits, timestamps without a `+00` zone or trailing zero
//! fractions (and a date equal to a timestamp at midnight), intervals as months, days and
//! microseconds, bytes and UUIDs as lower-case hex, blank-padded text without its padding, text with
//! COPY's escapes undone. A value the target changed on the way in (a number rounded to the column's
//! scale, a time of day dropped by a `date` column, a fraction rounded by `timestamp(0)`) therefore
//! hashes differently, and the verification reports the table.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use xxhash_rust::xxh3::Xxh3;

/// How a target column's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Canonical {
    Decimal,
    Float4,
    Float8,
    /// timestamp, timestamptz and date.
    Timestamp,
    Interval,
    Bytes,
    Uuid,
    /// character(n): trailing blanks are padding.
    Padded,
    Bool,
    Text,
}

impl Canonical {
    /// The form for a column of the type `format_type` names (e.g. `numeric(10,2)`,
    /// `timestamp(0) without time zone`, `character(3)`).
    pub(crate) fn of(format_type: &str) -> Canonical {
        let t = format_type.trim().to_ascii_lowercase();
        let base = t.split('(').next().unwrap_or("").trim();
        match base {
            "smallint" | "integer" | "bigint" | "numeric" => Canonical::Decimal,
            "real" => Canonical::Float4,
            "double precision" => Canonical::Float8,
            "date" => Canonical::Timestamp,
            "bytea" => Canonical::Bytes,
            "uuid" => Canonical::Uuid,
            "boolean" => Canonical::Bool,
            "character" | "bpchar" => Canonical::Padded,
            _ if base.starts_with("timestamp") => Canonical::Timestamp,
            _ if base.starts_with("interval") => Canonical::Interval,
            _ => Canonical::Text,
        }
    }

    /// `field` (COPY text, escaped; `\N` is NULL) in canonical form.
    pub(crate) fn field<'a>(&self, field: &'a [u8]) -> Cow<'a, [u8]> {
        if field == b"\\N" {
            return Cow::Borrowed(b"\0N");
        }
        match self.plain_field(field) {
            Some(canonical) => canonical,
            None => self.field_as_text(field),
        }
    }

    /// The canonical form of the values rows usually hold, computed on their bytes: text, decimals
    /// without an exponent, timestamps and floats as godwit sends them and PostgreSQL prints them.
    /// The same bytes as [`Canonical::field_as_text`] gives; `None` for anything else.
    fn plain_field<'a>(&self, field: &'a [u8]) -> Option<Cow<'a, [u8]>> {
        match self {
            Canonical::Text => Some(unescape(field)),
            Canonical::Decimal => plain_decimal(field).map(Cow::Owned),
            Canonical::Timestamp => plain_timestamp(field).map(Cow::Owned),
            Canonical::Float4 => plain_float::<f32>(field).map(Cow::Owned),
            Canonical::Float8 => plain_float::<f64>(field).map(Cow::Owned),
            Canonical::Uuid => plain_hex(field, b"", b"-").map(Cow::Owned),
            // bytea's `\x`, its backslash escaped in COPY text.
            Canonical::Bytes => plain_hex(field, b"\\\\x", b"").map(Cow::Owned),
            _ => None,
        }
    }

    /// [`Canonical::field`] of a field that is not NULL, through its text.
    fn field_as_text<'a>(&self, field: &'a [u8]) -> Cow<'a, [u8]> {
        let raw = unescape(field);
        let text = String::from_utf8_lossy(&raw);
        let canonical = match self {
            Canonical::Text => return raw,
            Canonical::Padded => text.trim_end_matches(' ').to_string(),
            Canonical::Decimal => decimal(&text).unwrap_or_else(|| text.to_string()),
            Canonical::Float4 => match text.trim().parse::<f32>() {
                Ok(v) if v.is_nan() => "NaN".into(),
                Ok(v) => format!("{:08x}", v.to_bits()),
                Err(_) => text.to_string(),
            },
            Canonical::Float8 => match text.trim().parse::<f64>() {
                Ok(v) if v.is_nan() => "NaN".into(),
                Ok(v) => format!("{:016x}", v.to_bits()),
                Err(_) => text.to_string(),
            },
            Canonical::Timestamp => timestamp(&text),
            Canonical::Interval => interval(&text).unwrap_or_else(|| text.to_string()),
            Canonical::Bytes => text.to_ascii_lowercase(),
            Canonical::Uuid => text
                .trim_start_matches("\\x")
                .chars()
                .filter(|c| *c != '-')
                .collect::<String>()
                .to_ascii_lowercase(),
            Canonical::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "t" | "true" | "1" | "y" | "yes" | "on" => "t".into(),
                "f" | "false" | "0" | "n" | "no" | "off" => "f".into(),
                other => other.to_string(),
            },
        };
        Cow::Owned(canonical.into_bytes())
    }
}

/// A decimal as written: sign, the digits before and after the point, and the exponent
/// (`-12.5`, `+.5`, `1E+125`, `-1.2e-130`; at least one digit, an exponent of at most six digits).
pub(crate) struct DecimalText<'a> {
    pub(crate) negative: bool,
    pub(crate) whole: &'a [u8],
    pub(crate) fraction: &'a [u8],
    pub(crate) exponent: i64,
}

impl DecimalText<'_> {
    pub(crate) fn parse(field: &[u8]) -> Option<DecimalText<'_>> {
        let (negative, rest) = match field.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, field),
        };
        let (mantissa, exponent) = match memchr::memchr2(b'e', b'E', rest) {
            Some(at) => {
                let text = std::str::from_utf8(&rest[at + 1..]).ok()?;
                let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
                if digits.is_empty()
                    || digits.len() > 6
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                (&rest[..at], text.parse::<i64>().ok()?)
            }
            None => (rest, 0),
        };
        let (whole, fraction) = match memchr::memchr(b'.', mantissa) {
            Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
            None => (mantissa, &mantissa[mantissa.len()..]),
        };
        if whole.len() + fraction.len() == 0
            || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
        {
            return None;
        }
        Some(DecimalText {
            negative,
            whole,
            fraction,
            exponent,
        })
    }
}

/// A decimal without an exponent (at most 4096 digits before the point) as [`decimal`] writes
/// it: no leading or trailing zeros, zero as `0`.
fn plain_decimal(field: &[u8]) -> Option<Vec<u8>> {
    let DecimalText {
        negative,
        whole,
        fraction,
        exponent,
    } = DecimalText::parse(field)?;
    if exponent != 0 || whole.len() > 4096 {
        return None;
    }
    let start = whole.iter().take_while(|b| **b == b'0').count();
    let whole = &whole[start..];
    let end = fraction.len() - fraction.iter().rev().take_while(|b| **b == b'0').count();
    let fraction = &fraction[..end];
    if whole.is_empty() && fraction.is_empty() {
        return Some(b"0".to_vec());
    }
    let mut out = Vec::with_capacity(whole.len() + fraction.len() + 3);
    if negative {
        out.push(b'-');
    }
    match whole.is_empty() {
        true => out.push(b'0'),
        false => out.extend_from_slice(whole),
    }
    if !fraction.is_empty() {
        out.push(b'.');
        out.extend_from_slice(fraction);
    }
    Some(out)
}

/// A timestamp of printable ASCII without escapes or surrounding blanks as [`timestamp`] writes
/// it: no `+00` zone, no trailing zero fraction, no time of exactly midnight.
fn plain_timestamp(field: &[u8]) -> Option<Vec<u8>> {
    if field.first() == Some(&b' ')
        || field.last() == Some(&b' ')
        || !field.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
        || field.contains(&b'\\')
    {
        return None;
    }
    let (t, era): (&[u8], &[u8]) = match field.strip_suffix(b" BC") {
        Some(rest) => (rest, b" BC"),
        None => (field, b""),
    };
    let t = t
        .strip_suffix(b"+00:00")
        .or_else(|| t.strip_suffix(b"+00"))
        .unwrap_or(t);
    let mut out = Vec::with_capacity(t.len() + era.len());
    match memchr::memchr(b'.', t) {
        Some(at) if t[at + 1..].iter().all(u8::is_ascii_digit) => {
            let fraction = &t[at + 1..];
            let end = fraction.len() - fraction.iter().rev().take_while(|b| **b == b'0').count();
            out.extend_from_slice(&t[..at]);
            if end > 0 {
                out.push(b'.');
                out.extend_from_slice(&fraction[..end]);
            }
        }
        _ => out.extend_from_slice(t),
    }
    if out.ends_with(b" 00:00:00") {
        out.truncate(out.len() - 9);
    }
    out.extend_from_slice(era);
    Some(out)
}

/// `prefix` and hexadecimal digits (with `skipped` bytes among them, left out) as `\x` (when
/// there is a prefix) and the digits in lower case.
fn plain_hex(field: &[u8], prefix: &[u8], skipped: &[u8]) -> Option<Vec<u8>> {
    let digits = field.strip_prefix(prefix)?;
    if !digits
        .iter()
        .all(|b| b.is_ascii_hexdigit() || skipped.contains(b))
    {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() + 2);
    if !prefix.is_empty() {
        out.extend_from_slice(b"\\x");
    }
    out.extend(
        digits
            .iter()
            .filter(|b| !skipped.contains(b))
            .map(u8::to_ascii_lowercase),
    );
    Some(out)
}

/// A float without blanks that parses: `NaN`, or its bits in lower-case hexadecimal.
fn plain_float<F>(field: &[u8]) -> Option<Vec<u8>>
where
    F: num_traits::Float + num_traits::ToBytes + std::str::FromStr,
{
    let text = std::str::from_utf8(field).ok()?;
    if text.trim() != text || text.contains('\\') {
        return None;
    }
    let value: F = text.parse().ok()?;
    Some(match value.is_nan() {
        true => b"NaN".to_vec(),
        false => hex::encode(value.to_be_bytes()).into_bytes(),
    })
}

/// The hash of one COPY text line (without its newline) in canonical form, field by field: the
/// same as [`StreamingRows`] gives for it.
pub(crate) fn row_hash(forms: &[Canonical], line: &[u8]) -> u128 {
    let mut rows = StreamingRows::new(forms.to_vec());
    let mut hash = 0;
    rows.feed(line, &mut |h| hash = h);
    rows.feed(b"\n", &mut |h| hash = h);
    hash
}

/// A text value of more bytes than this (a bytea value of more raw bytes) enters a row's hash as
/// its SHA-256 instead of its bytes, so that the target can hash it where it lies
/// ([`digest_select`]) and nobody holds it whole.
pub(crate) const LONG_FIELD: usize = 1 << 20;

/// Adds one field, in canonical form, to a row's hash: its bytes (or, when long, its SHA-256) and
/// then its length.
fn add_field(row: &mut Xxh3, form: Canonical, canonical: &[u8]) {
    match form {
        _ if !is_long(form, canonical) => {
            row.update(canonical);
            row.update(&(canonical.len() as u64).to_le_bytes());
        }
        Canonical::Bytes => {
            // `\x` and lower-case hex: the digest is of the bytes themselves.
            let mut sha = Sha256::new();
            let bytes = HexBytes::default().feed(&canonical[2..], &mut sha);
            add_digest(row, sha.finalize().into(), bytes)
        }
        _ => add_digest(
            row,
            Sha256::digest(canonical).into(),
            canonical.len() as u64,
        ),
    }
}

/// Whether a field in canonical form enters hashes as its digest: text of more than [`LONG_FIELD`]
/// bytes, bytes (`\x` and hex) of more than [`LONG_FIELD`] raw bytes.
fn is_long(form: Canonical, canonical: &[u8]) -> bool {
    match form {
        Canonical::Text => canonical.len() > LONG_FIELD,
        Canonical::Bytes => canonical.len().saturating_sub(2) / 2 > LONG_FIELD,
        _ => false,
    }
}

/// Adds a long field to a row's hash: its SHA-256 and its length.
fn add_digest(row: &mut Xxh3, digest: [u8; 32], len: u64) {
    row.update(&digest);
    row.update(&len.to_le_bytes());
}

/// Decodes hex piece by piece into a SHA-256.
#[derive(Default)]
struct HexBytes {
    /// The high nibble of a byte cut between two pieces.
    high: Option<u8>,
}

impl HexBytes {
    /// Decodes `hex` into `sha`; returns the bytes decoded.
    fn feed(&mut self, hex: &[u8], sha: &mut Sha256) -> u64 {
        let nibble = |c: u8| match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        };
        let mut out = Vec::with_capacity(hex.len() / 2 + 1);
        for &c in hex {
            match self.high.take() {
                None => self.high = Some(nibble(c)),
                Some(high) => out.push(high << 4 | nibble(c)),
            }
        }
        sha.update(&out);
        out.len() as u64
    }
}

/// Raw bytes a text or bytes field may gather before it is known to be long: its canonical form
/// is then longer than [`LONG_FIELD`] (an escape takes two raw bytes; a byte, two hex digits).
const GATHER_LIMIT: usize = 4 * LONG_FIELD + 16;

/// Hashes COPY text rows as their bytes stream past, cut anywhere, without ever holding a row:
/// each field in the canonical form of its column ([`Canonical::field`]) as [`add_field`] adds it.
/// A field is gathered and put in canonical form whole, unless it is a text or bytes field longer
/// than [`GATHER_LIMIT`] (a LOB): that one is unescaped into its SHA-256 piece by piece, so memory
/// stays bounded whatever the value's size.
pub(crate) struct StreamingRows {
    forms: Vec<Canonical>,
    row: Xxh3,
    /// When fields are recorded ([`StreamingRows::recording`]): the current row's, and which
    /// fields keep their values.
    seen: Option<(Vec<SeenField>, Vec<bool>)>,
    /// The field being read, and its raw bytes while it is gathered.
    field: usize,
    pending: Vec<u8>,
    /// Set once the field is too long to gather.
    long: Option<LongField>,
    /// Bytes fed since the last complete row.
    open: bool,
}

/// A long field on its way into its SHA-256.
struct LongField {
    sha: Sha256,
    /// Its length so far: canonical bytes (text), or the bytes decoded (bytes).
    len: u64,
    /// Whether the last raw byte was an escaping backslash.
    escaping: bool,
    /// Bytes fields: the `\x` still to skip, and the hex decoder.
    prefix: usize,
    hex: Option<HexBytes>,
}

impl StreamingRows {
    pub(crate) fn new(forms: Vec<Canonical>) -> StreamingRows {
        StreamingRows {
            forms,
            row: Xxh3::new(),
            seen: None,
            field: 0,
            pending: Vec::new(),
            long: None,
            open: false,
        }
    }

    /// Also records each row's fields for [`StreamingRows::feed_fields`], keeping the values of
    /// the fields marked in `keep` (unless long).
    pub(crate) fn recording(mut self, keep: Vec<bool>) -> StreamingRows {
        self.seen = Some((Vec::new(), keep));
        self
    }

    /// Feeds the next bytes of the stream, calling `row` with the hash of each row it completes.
    pub(crate) fn feed(&mut self, bytes: &[u8], row: &mut dyn FnMut(u128)) {
        self.feed_fields(bytes, &mut |hash, _| row(hash));
    }

    /// [`StreamingRows::feed`], also giving each row's fields as recorded (none unless
    /// [`StreamingRows::recording`]).
    pub(crate) fn feed_fields(
        &mut self,
        mut bytes: &[u8],
        row: &mut dyn FnMut(u128, &[SeenField]),
    ) {
        while !bytes.is_empty() {
            self.open = true;
            let Some(at) = memchr::memchr2(b'\t', b'\n', bytes) else {
                self.take(bytes);
                return;
            };
            let part = &bytes[..at];
            if self.long.is_none() && self.pending.is_empty() {
                // The whole field is in this piece: no need to gather it.
                self.short_field(part);
            } else {
                self.take(part);
                self.end_field();
            }
            if bytes[at] == b'\n' {
                let fields = self.seen.as_mut().map(|(f, _)| std::mem::take(f));
                row(self.row.digest128(), fields.as_deref().unwrap_or_default());
                if let (Some((seen, _)), Some(mut fields)) = (self.seen.as_mut(), fields) {
                    fields.clear();
                    *seen = fields;
                }
                self.row.reset();
                self.field = 0;
                self.open = false;
            }
            bytes = &bytes[at + 1..];
        }
    }

    /// Checks that the stream ended with a whole row.
    #[cfg(test)]
    pub(crate) fn finish(&self) -> Result<(), String> {
        if self.open {
            return Err("the COPY stream ended inside a row".into());
        }
        Ok(())
    }

    fn form(&self) -> Canonical {
        *self.forms.get(self.field).unwrap_or(&Canonical::Text)
    }

    /// Takes raw bytes of the current field (no delimiter among them).
    fn take(&mut self, part: &[u8]) {
        if self.long.is_none() {
            let streamable = matches!(self.form(), Canonical::Text | Canonical::Bytes);
            if !streamable || self.pending.len() + part.len() <= GATHER_LIMIT {
                self.pending.extend_from_slice(part);
                return;
            }
            let bytes = self.form() == Canonical::Bytes;
            self.long = Some(LongField {
                sha: Sha256::new(),
                len: 0,
                escaping: false,
                prefix: if bytes { 2 } else { 0 },
                hex: bytes.then(HexBytes::default),
            });
            let pending = std::mem::take(&mut self.pending);
            self.unescape_into_digest(&pending);
        }
        self.unescape_into_digest(part);
    }

    /// Unescapes raw bytes of a long field ([`unescape`], piece by piece) into its SHA-256.
    fn unescape_into_digest(&mut self, raw: &[u8]) {
        let Some(long) = self.long.as_mut() else {
            return;
        };
        let mut out = Vec::with_capacity(raw.len());
        for &b in raw {
            if long.escaping {
                long.escaping = false;
                out.push(unescaped(b));
            } else if b == b'\\' {
                long.escaping = true;
            } else {
                out.push(b);
            }
        }
        long.absorb(&out);
    }

    /// Ends a field that was gathered or streamed.
    fn end_field(&mut self) {
        match self.long.take() {
            None => {
                let pending = std::mem::take(&mut self.pending);
                self.short_field(&pending);
                self.pending = pending;
                self.pending.clear();
            }
            Some(mut long) => {
                if long.escaping {
                    // A backslash ending the field stands for itself, as in [`unescape`].
                    long.absorb(b"\\");
                }
                let digest = long.sha.finalize().into();
                add_digest(&mut self.row, digest, long.len);
                if let Some((seen, _)) = self.seen.as_mut() {
                    seen.push(SeenField::long(digest, long.len));
                }
                self.field += 1;
            }
        }
    }

    /// Hashes a whole field in canonical form.
    fn short_field(&mut self, raw: &[u8]) {
        let form = self.form();
        let canonical = form.field(raw);
        add_field(&mut self.row, form, &canonical);
        if let Some((seen, keep)) = self.seen.as_mut() {
            let kept = keep.get(self.field) == Some(&true);
            seen.push(SeenField::short(form, &canonical, raw, kept));
        }
        self.field += 1;
    }
}

/// One field of a row as a recheck compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeenField {
    /// The field's own hash, as [`add_field`] adds it to its row's (a long value by its SHA-256).
    pub(crate) hash: u64,
    /// When asked and not long: its canonical form and its raw COPY text.
    pub(crate) value: Option<(Vec<u8>, Vec<u8>)>,
}

impl SeenField {
    fn short(form: Canonical, canonical: &[u8], raw: &[u8], keep: bool) -> SeenField {
        let mut h = Xxh3::new();
        add_field(&mut h, form, canonical);
        SeenField {
            hash: h.digest(),
            value: (keep && !is_long(form, canonical)).then(|| (canonical.to_vec(), raw.to_vec())),
        }
    }

    fn long(digest: [u8; 32], len: u64) -> SeenField {
        let mut h = Xxh3::new();
        add_digest(&mut h, digest, len);
        SeenField {
            hash: h.digest(),
            value: None,
        }
    }
}

/// The fields of a row read back with [`digest_select`] for the columns marked in `digests`, as
/// [`StreamingRows::recording`] records the row as it was sent (keeping the values marked in `keep`).
pub(crate) fn digest_row_fields(
    forms: &[Canonical],
    digests: &[bool],
    keep: &[bool],
    line: &[u8],
) -> Vec<SeenField> {
    let mut fields = line.split(|b| *b == b'\t');
    let mut seen = Vec::with_capacity(forms.len());
    for (i, form) in forms.iter().enumerate() {
        let value = fields.next().unwrap_or(b"\\N");
        if digests.get(i) == Some(&true) {
            let digest = fields.next().unwrap_or(b"\\N");
            if let Some((len, sha)) = parse_digest(digest) {
                seen.push(SeenField::long(sha, len));
                continue;
            }
        }
        let kept = keep.get(i) == Some(&true);
        seen.push(SeenField::short(*form, &form.field(value), value, kept));
    }
    seen
}

impl LongField {
    /// Canonical bytes of the field (unescaped) into the digest.
    fn absorb(&mut self, canonical: &[u8]) {
        let skip = self.prefix.min(canonical.len());
        self.prefix -= skip;
        let canonical = &canonical[skip..];
        self.len += match self.hex.as_mut() {
            Some(hex) => hex.feed(canonical, &mut self.sha),
            None => {
                self.sha.update(canonical);
                canonical.len() as u64
            }
        };
    }
}

/// The SELECT expressions that read column `name` (of a type [`hashed_in_place`] accepts) back for
/// [`digest_row_hash`]: the value when it is short, else NULL; then, when it is long,
/// `LENGTH:SHA256HEX`, computed by the server where the value lies.
pub(crate) fn digest_select(name: &str, bytea: bool) -> String {
    let c = godwit_catalog::quote_ident(name);
    let bytes = if bytea {
        c.clone()
    } else {
        format!("convert_to({c}, 'UTF8')")
    };
    format!(
        "CASE WHEN octet_length({c}) <= {LONG_FIELD} THEN {c} END, \
         CASE WHEN octet_length({c}) > {LONG_FIELD} THEN octet_length({c})::text || ':' || encode(sha256({bytes}), 'hex') END"
    )
}

/// Whether a target column of type `format_type` can hold a long value the target can hash where
/// it lies (text, varchar, bytea).
pub(crate) fn hashed_in_place(format_type: &str) -> bool {
    let base = format_type.split('(').next().unwrap_or("").trim();
    matches!(base, "text" | "character varying" | "bytea")
}

/// The hash of a row read back with [`digest_select`] for the columns marked in `digests`: the
/// same as [`StreamingRows`] gives for the row as it was sent.
pub(crate) fn digest_row_hash(forms: &[Canonical], digests: &[bool], line: &[u8]) -> u128 {
    let mut row = Xxh3::new();
    let mut fields = line.split(|b| *b == b'\t');
    for (i, form) in forms.iter().enumerate() {
        let value = fields.next().unwrap_or(b"\\N");
        if digests.get(i) == Some(&true) {
            let digest = fields.next().unwrap_or(b"\\N");
            if let Some((len, sha)) = parse_digest(digest) {
                add_digest(&mut row, sha, len);
                continue;
            }
        }
        add_field(&mut row, *form, &form.field(value));
    }
    row.digest128()
}

/// `LENGTH:SHA256HEX` as [`digest_select`] writes it.
fn parse_digest(field: &[u8]) -> Option<(u64, [u8; 32])> {
    let text = std::str::from_utf8(field).ok()?;
    let (len, hex) = text.split_once(':')?;
    let mut sha = [0u8; 32];
    for (i, byte) in sha.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some((len.parse().ok()?, sha))
}

/// A COPY text field with its backslash escapes undone (borrowed when it has none).
pub(crate) fn unescape(field: &[u8]) -> Cow<'_, [u8]> {
    if !field.contains(&b'\\') {
        return Cow::Borrowed(field);
    }
    let mut out = Vec::with_capacity(field.len());
    unescape_into(field, &mut out);
    Cow::Owned(out)
}

/// Appends `field` with its backslash escapes undone to `out` (a backslash ending the field stands
/// for itself).
pub(crate) fn unescape_into(field: &[u8], out: &mut Vec<u8>) {
    let mut rest = field;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        match rest.get(at + 1) {
            Some(&escaped) => out.push(unescaped(escaped)),
            None => out.push(b'\\'),
        }
        rest = &rest[(at + 2).min(rest.len())..];
    }
    out.extend_from_slice(rest);
}

/// The byte a backslash followed by `escaped` stands for in COPY text.
fn unescaped(escaped: u8) -> u8 {
    match escaped {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 8,
        b'f' => 12,
        b'v' => 11,
        other => other,
    }
}

/// A decimal number as plain digits: no exponent, no leading or trailing zeros, no `+`, zero as `0`.
fn decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.trim_start_matches('+')),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], t[at + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    // digits × 10^(point - digits.len())
    let digits = format!("{whole}{fraction}");
    let point = whole.len() as i64 + exponent;
    if !(-4096..=4096).contains(&point) {
        return None;
    }
    let (int_part, frac_part) = if point <= 0 {
        (
            String::new(),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let body = match (int_part.is_empty(), frac_part.is_empty()) {
        (true, true) => return Some("0".into()),
        (_, true) => int_part.to_string(),
        (true, false) => format!("0.{frac_part}"),
        (false, false) => format!("{int_part}.{frac_part}"),
    };
    Some(if negative { format!("-{body}") } else { body })
}

/// A timestamp or date: no `+00` zone (both sides read in UTC), no trailing zero fraction, and a
/// time of exactly midnight left out, so a `date` and a midnight timestamp compare equal.
fn timestamp(text: &str) -> String {
    let t = text.trim();
    let (t, era) = match t.strip_suffix(" BC") {
        Some(rest) => (rest, " BC"),
        None => (t, ""),
    };
    let t = t
        .strip_suffix("+00:00")
        .or_else(|| t.strip_suffix("+00"))
        .unwrap_or(t);
    let t = match t.split_once('.') {
        Some((whole, fraction)) if fraction.chars().all(|c| c.is_ascii_digit()) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        _ => t.to_string(),
    };
    let t = t.strip_suffix(" 00:00:00").unwrap_or(&t);
    format!("{t}{era}")
}

/// An interval as `months days microseconds`, from PostgreSQL's `postgres` output style
/// (`1 year 2 mons -3 days +04:05:06.5`) or the form godwit sends (`1 years 2 months`, `-4 days -05:06:07.5`).
fn interval(text: &str) -> Option<String> {
    let (mut months, mut days, mut micros) = (0i64, 0i64, 0i64);
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word.contains(':') {
            let (negative, time) = match word.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, word.trim_start_matches('+')),
            };
            let mut parts = time.split(':');
            let hours: i64 = parts.next()?.parse().ok()?;
            let minutes: i64 = parts.next()?.parse().ok()?;
            let seconds = parts.next().unwrap_or("0");
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let whole: i64 = whole.parse().ok()?;
            let fraction: i64 = if fraction.is_empty() {
                0
            } else {
                format!("{:0<6}", &fraction[..fraction.len().min(6)])
                    .parse()
                    .ok()?
            };
            let value = ((hours * 60 + minutes) * 60 + whole) * 1_000_000 + fraction;
            micros += if negative { -value } else { value };
            continue;
        }
        let number: i64 = word.parse().ok()?;
        let unit = words.next()?.trim_end_matches('s');
        match unit {
            "year" => months += 12 * number,
            "mon" | "month" => months += number,
            "day" => days += number,
            _ => return None,
        }
    }
    Some(format!("{months} {days} {micros}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_values_take_the_plain_path_and_give_the_same_bytes_as_through_text() {
        let cases: &[(Canonical, &[&str])] = &[
            (
                Canonical::Decimal,
                &[
                    "0",
                    "-0",
                    "00.500",
                    ".5",
                    "5.",
                    "-.05",
                    "0.000",
                    "123.4500",
                    "-123",
                    "007",
                    "1e5",
                    "+1",
                    " 1",
                    "1.2.3",
                    "",
                    ".",
                    "-",
                    "12345678901234567890.0123",
                ],
            ),
            (
                Canonical::Timestamp,
                &[
                    "2024-01-01 00:00:00",
                    "2024-01-01 00:00:00+00",
                    "2024-01-01 00:00:00.000000+00",
                    "2024-01-01 13:00:00.500",
                    "0044-03-15 12:00:00 BC",
                    "0044-03-15 00:00:00+00 BC",
                    "2024-01-01",
                    "2024-01-01 00:00:00+00:00",
                    "2024-01-01 10:00:00.12a",
                    " 2024-01-01 00:00:00",
                    "2024-01-01 00:00:00.",
                    "infinity",
                ],
            ),
            (
                Canonical::Float8,
                &[
                    "0.1",
                    "-0",
                    "NaN",
                    "Infinity",
                    "-Infinity",
                    "1e-320",
                    "x",
                    " 1",
                    "1E+308",
                ],
            ),
            (
                Canonical::Float4,
                &["0.1", "3.4028235e38", "NaN", "-Infinity", "1e-45"],
            ),
            (Canonical::Text, &["plain", "tab\\there", "é漢字", ""]),
            (
                Canonical::Uuid,
                &[
                    "0123456789ABCDEF0123456789abcdef",
                    "01234567-89ab-cdef-0123-456789ABCDEF",
                    "\\\\x0123",
                    "xyz",
                    "",
                ],
            ),
            (
                Canonical::Bytes,
                &["\\\\x00FF10", "\\\\x", "\\\\xzz", "00ff", "\\x00"],
            ),
        ];
        for (form, values) in cases {
            for value in *values {
                let plain = form.plain_field(value.as_bytes());
                let through_text = form.field_as_text(value.as_bytes());
                if let Some(plain) = plain {
                    assert_eq!(
                        String::from_utf8_lossy(&plain),
                        String::from_utf8_lossy(&through_text),
                        "{form:?} {value:?}"
                    );
                }
            }
        }
        // The usual values do take the plain path.
        assert!(Canonical::Decimal.plain_field(b"-123.4500").is_some());
        assert!(Canonical::Timestamp
            .plain_field(b"2024-01-01 13:00:00.5+00")
            .is_some());
        assert!(Canonical::Float8.plain_field(b"0.1").is_some());
        assert!(Canonical::Uuid
            .plain_field(b"01234567-89ab-cdef-0123-456789ABCDEF")
            .is_some());
        assert!(Canonical::Bytes.plain_field(b"\\\\x00FF").is_some());
    }

    fn same(form: Canonical, sent: &str, read_back: &str) -> bool {
        form.field(sent.as_bytes()) == form.field(read_back.as_bytes())
    }

    /// The hash of a line taken whole: each field in canonical form as [`add_field`] adds it.
    fn whole_line_hash(forms: &[Canonical], line: &[u8]) -> u128 {
        let mut hasher = Xxh3::new();
        for (i, field) in line.split(|b| *b == b'\t').enumerate() {
            add_field(&mut hasher, forms[i], &forms[i].field(field));
        }
        hasher.digest128()
    }

    /// A 5 MB text with escapes everywhere (also at the edges of the pieces).
    fn long_text() -> String {
        (0..400_000).map(|i| format!("a\\\\b\\t{i}\\n")).collect()
    }

    #[test]
    fn rows_cut_anywhere_hash_as_whole_lines_even_with_long_values() {
        let forms = vec![
            Canonical::Decimal,
            Canonical::Text,
            Canonical::Bytes,
            Canonical::Text,
        ];
        // Long text and bytea (streamed into their digests), a medium text (gathered, then
        // digested), a backslash ending a field, NULLs.
        let long_hex = format!("\\\\x{}", "0A1B".repeat(1_500_000));
        let medium = "m".repeat(LONG_FIELD + 1);
        let lines = [
            format!("1.50\t{}\t{long_hex}\tend\\", long_text()),
            format!("2\t\\N\t\\\\x00\t{medium}"),
            format!("3\tshort\t\\N\t{}", long_text()),
        ];
        let stream: Vec<u8> = lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect();
        let expected: Vec<u128> = lines
            .iter()
            .map(|l| whole_line_hash(&forms, l.as_bytes()))
            .collect();
        for piece in [7, 4096, 65_537, stream.len()] {
            let mut rows = StreamingRows::new(forms.clone());
            let mut got = Vec::new();
            for part in stream.chunks(piece) {
                rows.feed(part, &mut |h| got.push(h));
            }
            rows.finish().unwrap();
            assert_eq!(got, expected, "pieces of {piece} bytes");
        }
        // A lower-case and an upper-case bytea, long, are the same bytes.
        let lower = format!("\\\\x{}", "0a1b".repeat(1_500_000));
        assert_eq!(
            row_hash(&[Canonical::Bytes], long_hex.as_bytes()),
            row_hash(&[Canonical::Bytes], lower.as_bytes())
        );
        let mut rows = StreamingRows::new(forms);
        rows.feed(b"1\tcut", &mut |_| {});
        assert!(rows.finish().is_err());
    }

    /// [`long_text`] unescaped, 3 MB of bytes, and their hex.
    fn long_values() -> (String, Vec<u8>, String) {
        let text = long_text()
            .replace("\\\\", "\\")
            .replace("\\t", "\t")
            .replace("\\n", "\n");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        (text, bytes, hex)
    }

    /// `LENGTH:SHA256HEX` of `data`, as the target's [`digest_select`] gives it.
    fn digest(data: &[u8]) -> String {
        let sha: String = Sha256::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{}:{sha}", data.len())
    }

    /// A row read back with the target's digests of its long values hashes as the row sent.
    #[test]
    fn digests_computed_by_the_target_stand_for_long_values() {
        let forms = [Canonical::Decimal, Canonical::Text, Canonical::Bytes];
        let (text, bytes, hex) = long_values();
        let sent = format!("7\t{}\t\\\\x{hex}", long_text());
        let read_back = format!(
            "7\t\\N\t{}\t\\N\t{}",
            digest(text.as_bytes()),
            digest(&bytes)
        );
        let digests = [false, true, true];
        assert_eq!(
            digest_row_hash(&forms, &digests, read_back.as_bytes()),
            row_hash(&forms, sent.as_bytes())
        );
        // Short values come back as themselves.
        assert_eq!(
            digest_row_hash(&forms, &digests, b"7\tshort\t\\N\t\\\\x0a\t\\N"),
            row_hash(&forms, b"7\tshort\t\\\\x0A")
        );
        // One byte changed deep inside is a different hash.
        let mut changed = bytes.clone();
        changed[2_000_000] ^= 1;
        let read_back = format!(
            "7\t\\N\t{}\t\\N\t{}",
            digest(text.as_bytes()),
            digest(&changed)
        );
        assert_ne!(
            digest_row_hash(&forms, &digests, read_back.as_bytes()),
            row_hash(&forms, sent.as_bytes())
        );
    }

    #[test]
    fn fields_recorded_as_rows_stream_match_the_targets_with_long_values_digested() {
        let forms = vec![Canonical::Decimal, Canonical::Text, Canonical::Bytes];
        let (text, bytes, hex) = long_values();
        let sent = format!("7.50\t{}\t\\\\x{hex}\n8\tshort\t\\N\n", long_text());
        let read_back = format!(
            "7.5\t\\N\t{}\t\\N\t{}",
            digest(text.as_bytes()),
            digest(&bytes)
        );
        let (digests, keep) = ([false, true, true], [true, false, false]);
        // The rows cut into pieces of 65,537 bytes, as a LOB streams.
        let mut streamed = Vec::new();
        let mut rows = StreamingRows::new(forms.clone()).recording(keep.to_vec());
        for piece in sent.as_bytes().chunks(65_537) {
            rows.feed_fields(piece, &mut |_, fields| streamed.push(fields.to_vec()));
        }
        assert_eq!(streamed.len(), 2);
        let target = digest_row_fields(&forms, &digests, &keep, read_back.as_bytes());
        // Matched by hashes and canonical values (the source's 7.50 is the target's 7.5).
        let matched = |fields: &[SeenField]| -> Vec<(u64, Option<Vec<u8>>)> {
            fields
                .iter()
                .map(|f| (f.hash, f.value.as_ref().map(|v| v.0.clone())))
                .collect()
        };
        assert_eq!(matched(&streamed[0]), matched(&target));
        // The key kept in canonical form with its text; the long values by hash only.
        assert_eq!(target[0].value, Some((b"7.5".to_vec(), b"7.5".to_vec())));
        assert!(target[1].value.is_none() && target[2].value.is_none());
        let short = digest_row_fields(&forms, &digests, &keep, b"8\tshort\t\\N\t\\N\t\\N");
        assert_eq!(streamed[1], short);
        // One byte changed deep inside the bytes changes that field's hash only.
        let mut changed = bytes.clone();
        changed[2_000_000] ^= 1;
        let read_back = format!(
            "7.5\t\\N\t{}\t\\N\t{}",
            digest(text.as_bytes()),
            digest(&changed)
        );
        let other = digest_row_fields(&forms, &digests, &keep, read_back.as_bytes());
        assert_eq!(other[..2], target[..2]);
        assert_ne!(other[2].hash, target[2].hash);
    }

    #[test]
    fn numbers_compare_by_value_and_catch_rounding() {
        let d = Canonical::of("numeric(10,2)");
        assert!(same(d, "1.5", "1.50"));
        assert!(same(d, "-.5", "-0.50"));
        assert!(same(d, "1E+20", "100000000000000000000"));
        assert!(same(d, "1.2E-3", "0.0012"));
        assert!(same(d, "0", "0.00"));
        assert!(!same(d, "1.235", "1.24"));
        assert!(same(Canonical::of("integer"), "42", "42"));
    }

    #[test]
    fn floats_compare_by_their_bits() {
        let f = Canonical::of("double precision");
        assert!(same(f, "0.1", "0.1"));
        assert!(same(f, "1e300", "1e+300"));
        assert!(same(f, "NaN", "NaN"));
        assert!(same(f, "-Infinity", "-Infinity"));
        assert!(!same(f, "0.1", "0.10000000000000002"));
        assert!(same(Canonical::of("real"), "0.1", "0.1"));
    }

    #[test]
    fn timestamps_and_dates_catch_a_lost_time_of_day() {
        let t = Canonical::of("timestamp with time zone");
        assert!(same(t, "2024-11-03 05:30:00+00", "2024-11-03 05:30:00+00"));
        assert!(same(
            t,
            "2000-01-01 00:00:00.123456+00",
            "2000-01-01 00:00:00.123456+00"
        ));
        let d = Canonical::of("date");
        assert!(same(d, "2000-01-01 00:00:00", "2000-01-01"));
        assert!(!same(d, "2000-01-01 13:45:00", "2000-01-01"));
        assert!(same(d, "0044-03-15 00:00:00 BC", "0044-03-15 BC"));
        let zero = Canonical::of("timestamp(0) without time zone");
        assert!(!same(zero, "2000-01-01 00:00:00.5", "2000-01-01 00:00:01"));
    }

    #[test]
    fn intervals_compare_by_months_days_and_microseconds() {
        let i = Canonical::of("interval");
        assert!(same(i, "2 years 3 months", "2 years 3 mons"));
        assert!(same(i, "-0 days -00:00:01", "-00:00:01"));
        assert!(same(i, "1 days 02:03:04.5", "1 day 02:03:04.5"));
        assert!(same(i, "-1 years -0 months", "-1 years"));
        assert!(!same(i, "1 days 02:03:04.5", "1 day 02:03:04"));
    }

    #[test]
    fn bytes_uuids_padding_and_escapes() {
        assert!(same(
            Canonical::of("bytea"),
            "\\\\xDEADBEEF",
            "\\\\xdeadbeef"
        ));
        assert!(same(
            Canonical::of("uuid"),
            "\\\\x0102030405060708090a0b0c0d0e0f10",
            "01020304-0506-0708-090a-0b0c0d0e0f10"
        ));
        assert!(same(Canonical::of("character(5)"), "ab   ", "ab"));
        assert!(same(Canonical::of("text"), "a\u{8}b", "a\\bb"));
        assert!(!same(Canonical::of("text"), "ab ", "ab"));
        assert!(!same(Canonical::of("text"), "\\N", ""));
    }
}
