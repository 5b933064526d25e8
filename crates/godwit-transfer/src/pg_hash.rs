//! PostgreSQL's own 64-bit hash functions, computed in godwit, so that a row hashed here as it
//! streams from the source equals the same row hashed by the target server in SQL
//! ([`crate::server_hash`]).
//!
//! PostgreSQL hashes bytes with Bob Jenkins' lookup3 (public domain), in its `hash_any_extended`
//! form: the state starts from the length, 12 bytes at a time are mixed in, the last 0 to 11 are
//! added (the lowest byte of `c` left for the length) and the state is finalised; the result is
//! `b << 32 | c`. Words are read little-endian, as PostgreSQL reads them on little-endian
//! machines; a run first checks that the target computes the same values, and hashes rows itself
//! when it does not.
//!
//! A row's hash ([`RowHash`]) joins two parts by xor and hashes the result as an `int8`: the
//! record (`hash_record_extended`) of the fields that enter as part of it, which folds their
//! hashes as `result * 31 + field` (a NULL counting 0), and each other field's own hash, seeded
//! with its column's position (`hashint4extended(v, i + 1)` and the like), which the server
//! computes without building a record. How each field enters is its [`FieldForm`].

/// The length-independent part of lookup3's initial state, as PostgreSQL uses it.
const INITIAL: u32 = 0x9e37_79b9u32.wrapping_add(3_923_095);

/// lookup3's state as PostgreSQL runs it over bytes.
#[derive(Clone, Copy, Debug)]
struct State {
    a: u32,
    b: u32,
    c: u32,
}

impl State {
    /// The state before the bytes of a value of `len` bytes (the length enters as 32 bits:
    /// PostgreSQL's values are under 1 GB), hashed with `seed` (a non-zero seed is added and
    /// mixed in first).
    fn new(len: u64, seed: u64) -> State {
        let start = INITIAL.wrapping_add(len as u32);
        let mut state = State {
            a: start,
            b: start,
            c: start,
        };
        if seed != 0 {
            state.a = state.a.wrapping_add((seed >> 32) as u32);
            state.b = state.b.wrapping_add(seed as u32);
            state.mix();
        }
        state
    }

    /// Mixes in one whole block of 12 bytes, read as little-endian words.
    #[inline(always)]
    fn block(&mut self, block: &[u8]) {
        let word = |at: usize| {
            u32::from_le_bytes([block[at], block[at + 1], block[at + 2], block[at + 3]])
        };
        self.a = self.a.wrapping_add(word(0));
        self.b = self.b.wrapping_add(word(4));
        self.c = self.c.wrapping_add(word(8));
        self.mix();
    }

    /// lookup3's `mix`.
    #[inline(always)]
    fn mix(&mut self) {
        let State { a, b, c } = self;
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(4);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(6);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(8);
        *b = b.wrapping_add(*a);
        *a = a.wrapping_sub(*c);
        *a ^= c.rotate_left(16);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a);
        *b ^= a.rotate_left(19);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b);
        *c ^= b.rotate_left(4);
        *b = b.wrapping_add(*a);
    }

    /// Adds the last 0 to 11 bytes without a mix (PostgreSQL mixes every whole block of 12 in its
    /// loop), `c`'s lowest byte kept for the length, and finalises: `b << 32 | c`.
    fn finish(mut self, tail: &[u8]) -> u64 {
        for (i, byte) in tail.iter().enumerate() {
            let v = *byte as u32;
            match i {
                0..=3 => self.a = self.a.wrapping_add(v << (i * 8)),
                4..=7 => self.b = self.b.wrapping_add(v << ((i - 4) * 8)),
                _ => self.c = self.c.wrapping_add(v << ((i - 7) * 8)),
            }
        }
        let State {
            mut a,
            mut b,
            mut c,
        } = self;
        c ^= b;
        c = c.wrapping_sub(b.rotate_left(14));
        a ^= c;
        a = a.wrapping_sub(c.rotate_left(11));
        b ^= a;
        b = b.wrapping_sub(a.rotate_left(25));
        c ^= b;
        c = c.wrapping_sub(b.rotate_left(16));
        a ^= c;
        a = a.wrapping_sub(c.rotate_left(4));
        b ^= a;
        b = b.wrapping_sub(a.rotate_left(14));
        c ^= b;
        c = c.wrapping_sub(b.rotate_left(24));
        ((b as u64) << 32) | c as u64
    }
}

/// `hash_any_extended(bytes, seed)`: a bytea's hash (`hashvarlenaextended`).
fn hash_bytes_seeded(bytes: &[u8], seed: u64) -> u64 {
    let mut state = State::new(bytes.len() as u64, seed);
    let blocks = bytes.chunks_exact(12);
    let tail = blocks.remainder();
    blocks.for_each(|block| state.block(block));
    state.finish(tail)
}

/// `hash_uint32_extended(k, seed)`: `k` added to the state of a 4-byte value, finalised.
fn hash_u32(k: u32, seed: u64) -> u64 {
    let mut state = State::new(4, seed);
    state.a = state.a.wrapping_add(k);
    state.finish(&[])
}

/// `hashint8extended(v, seed)`: the low half xor the high half (its complement for a negative
/// value), hashed as a 32-bit value.
fn hash_i64(v: i64, seed: u64) -> u64 {
    let high = (v >> 32) as u32;
    let low = v as u32 ^ if v >= 0 { high } else { !high };
    hash_u32(low, seed)
}

/// How a column's value enters a row hash, on the server and in godwit alike: as a field of the
/// row's record (hashed with seed 0 and folded), or by its own hash seeded with its column's
/// position (one plus its index), xor'ed with the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldForm {
    /// In the record: its binary send form's bytes (`<send>(v)`, hashed as a bytea); for
    /// bounded values of types without a hash of their own here (`numeric`, `float8`, …).
    Bytes,
    /// In the record: the value itself, of a type hashed as a 32-bit integer (`date`, `bool` as
    /// a char); its send form is its big-endian bytes.
    Word,
    /// In the record: the value itself, of a type hashed as `int8` (`timestamptz`).
    Long,
    /// On its own: a 32-bit integer (`hashint4extended`, `hashint2extended` of the widened
    /// value, `hashoidextended`).
    OwnWord,
    /// On its own: an `int8` (`hashint8extended`, `timestamp_hash_extended`,
    /// `time_hash_extended`).
    OwnLong,
    /// On its own: its send form's bytes (`hashtextextended` of a text as stored, a bytea's or
    /// uuid's hash, or a one-field record of any other value that may be large: no record ever
    /// holds two of them).
    OwnBytes,
    /// On its own: its send form's bytes less trailing spaces (`hashbpcharextended` of a
    /// `char(n)`, whose trailing spaces PostgreSQL ignores and pads back).
    OwnPadded,
}

impl FieldForm {
    /// Whether the field enters the row's record (else by its own hash).
    fn in_record(self) -> bool {
        matches!(self, FieldForm::Bytes | FieldForm::Word | FieldForm::Long)
    }

    /// Whether the field's bytes are hashed as they come, so it may stream in pieces
    /// ([`BytesHasher`]).
    pub(crate) fn streams(self) -> bool {
        self == FieldForm::OwnBytes
    }
}

/// The seed of column `index`'s own hash.
pub(crate) fn seed_of(index: usize) -> u64 {
    index as u64 + 1
}

/// A PostgreSQL row hash taken field by field, in column order.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RowHash {
    record: u64,
    own: u64,
    index: usize,
}

impl RowHash {
    /// Adds the next field (`None` for NULL), from its send form.
    pub(crate) fn field(&mut self, form: FieldForm, value: Option<&[u8]>) {
        if form.in_record() {
            self.record = fold(self.record, field_hash(form, value, 0));
        } else {
            self.own ^= field_hash(form, value, seed_of(self.index));
        }
        self.index += 1;
    }

    /// Adds the next field's own hash, taken by a [`BytesHasher`] made with [`seed_of`] its
    /// index (a streamed [`FieldForm::OwnBytes`]).
    pub(crate) fn own_hash(&mut self, hash: u64) {
        self.own ^= hash;
        self.index += 1;
    }

    /// The index of the next field.
    pub(crate) fn next_index(&self) -> usize {
        self.index
    }

    /// The row's hash: `hashint8extended(record # own…, 0)`.
    pub(crate) fn finish(&self) -> u64 {
        hash_i64((self.record ^ self.own) as i64, 0)
    }
}

/// A field's hash in its form with `seed` (0 for NULL).
fn field_hash(form: FieldForm, value: Option<&[u8]>, seed: u64) -> u64 {
    let Some(v) = value else { return 0 };
    match (form, big_endian(v)) {
        (FieldForm::OwnPadded, _) => hash_bytes_seeded(trim_spaces(v), seed),
        (FieldForm::Word | FieldForm::OwnWord, Some(n)) => hash_u32(n as u32, seed),
        (FieldForm::Long | FieldForm::OwnLong, Some(n)) => hash_i64(n, seed),
        _ => hash_bytes_seeded(v, seed),
    }
}

/// The next step of `hash_record_extended`'s fold.
fn fold(record: u64, field: u64) -> u64 {
    record.wrapping_mul(31).wrapping_add(field)
}

/// `v` without trailing spaces, as `bpchar` compares and hashes it.
fn trim_spaces(v: &[u8]) -> &[u8] {
    // Eight at a time: a char(n) is mostly padding, often all of it.
    let mut end = v.len();
    while end >= 8 && v[end - 8..end] == [b' '; 8] {
        end -= 8;
    }
    while end > 0 && v[end - 1] == b' ' {
        end -= 1;
    }
    &v[..end]
}

/// A signed big-endian integer of 1, 2, 4 or 8 bytes.
fn big_endian(v: &[u8]) -> Option<i64> {
    Some(match v.len() {
        1 => v[0] as i8 as i64,
        2 => i16::from_be_bytes([v[0], v[1]]) as i64,
        4 => i32::from_be_bytes([v[0], v[1], v[2], v[3]]) as i64,
        8 => i64::from_be_bytes(v.try_into().ok()?),
        _ => return None,
    })
}

/// [`hash_bytes`] of a value given in pieces, its length known first (a binary COPY field's is).
#[derive(Clone, Debug)]
pub(crate) struct BytesHasher {
    state: State,
    /// Bytes of the value not mixed in yet (fewer than 12).
    pending: [u8; 12],
    held: usize,
    /// Bytes of the value still to come after those held.
    left: u64,
}

impl BytesHasher {
    /// A hasher of a value of `len` bytes, as `hash_any_extended(…, seed)`.
    pub(crate) fn new(len: u64, seed: u64) -> BytesHasher {
        BytesHasher {
            state: State::new(len, seed),
            pending: [0; 12],
            held: 0,
            left: len,
        }
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        // Bytes beyond the announced length are ignored, as a shorter value would be.
        bytes = &bytes[..bytes.len().min(self.left as usize)];
        self.left -= bytes.len() as u64;
        if self.held > 0 {
            let take = (12 - self.held).min(bytes.len());
            self.pending[self.held..self.held + take].copy_from_slice(&bytes[..take]);
            self.held += take;
            bytes = &bytes[take..];
            if self.held < 12 {
                return;
            }
            let block = self.pending;
            self.state.block(&block);
            self.held = 0;
        }
        let blocks = bytes.chunks_exact(12);
        let rest = blocks.remainder();
        blocks.for_each(|block| self.state.block(block));
        self.pending[..rest.len()].copy_from_slice(rest);
        self.held = rest.len();
    }

    /// The hash of the value (of its bytes given so far, should fewer have come).
    pub(crate) fn finish(&self) -> u64 {
        self.state.finish(&self.pending[..self.held])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_bytes(bytes: &[u8]) -> u64 {
        hash_bytes_seeded(bytes, 0)
    }

    /// Checks the hashes with `seed` of the first `len` bytes of a fixed pattern against those
    /// PostgreSQL computed (`hash_record_extended(ROW(<bytes>), seed)`).
    fn assert_byte_hashes(seed: u64, recorded: &[(usize, i64)]) {
        let pattern: Vec<u8> = [
            0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
        ]
        .repeat(4);
        for &(len, expected) in recorded {
            assert_eq!(
                hash_bytes_seeded(&pattern[..len], seed) as i64,
                expected,
                "{len} bytes, seed {seed}"
            );
        }
    }

    /// Values PostgreSQL 15 computed on x86-64 (`psql`, 2026-11-26): `hash_record_extended` of a
    /// one-field record is its field's hash.
    #[test]
    fn hashes_are_postgresqls() {
        let recorded: [(usize, i64); 13] = [
            (0, -6939563903564495251),
            (1, -4194760714999882651),
            (3, -8337159150737471306),
            (4, 1398229737608282635),
            (5, 6337427694993076522),
            (8, 4646862414158011804),
            (9, -5331920357031723859),
            (11, -3593812438596635661),
            (12, 6076189702503278872),
            (13, -5250573623128669191),
            (24, 250851764099727321),
            (25, -6209978228034425432),
            (40, 3018632497548393284),
        ];
        assert_byte_hashes(0, &recorded);
        // hashint8extended(0, 0), (1, 0), (-1, 0), (5000000000, 0)
        assert_eq!(hash_i64(0, 0) as i64, 4154612158245552303);
        assert_eq!(hash_i64(1, 0) as i64, -3670598878359251130);
        assert_eq!(hash_i64(-1, 0) as i64, -1888257769727981238);
        assert_eq!(hash_i64(5_000_000_000, 0) as i64, -5263616605311196344);
    }

    /// Seeded hashes, as PostgreSQL 15 computed them (`psql`, 2026-11-26).
    #[test]
    fn seeded_hashes_are_postgresqls() {
        // hash_record_extended(ROW(<the first n bytes>), 5)
        let recorded: [(usize, i64); 6] = [
            (0, -8122693617258832648),
            (1, 8698436761241412813),
            (4, -2749446868539661502),
            (12, 4104342887899305455),
            (13, -8808841198989448445),
            (25, 5592812907735151762),
        ];
        assert_byte_hashes(5, &recorded);
        // hashint4extended(-123456, 3), hashint2extended(-7, 2), hashoidextended(4000000000, 9),
        // hashint8extended(-5000000000, 4), hashint8extended(7, 1)
        assert_eq!(hash_u32(-123456i32 as u32, 3) as i64, 5625709477368363634);
        assert_eq!(hash_u32(-7i32 as u32, 2) as i64, -4280293135234795377);
        assert_eq!(hash_u32(4_000_000_000, 9) as i64, 8530867025891840763);
        assert_eq!(hash_i64(-5_000_000_000, 4) as i64, -4195525462935685970);
        assert_eq!(hash_i64(7, 1) as i64, -3604598377573523768);
        // hashbpcharextended('ab  '::char(6) COLLATE "C", 4), the same as 'ab' as a bytea
        assert_eq!(
            field_hash(FieldForm::OwnPadded, Some(b"ab    "), 4) as i64,
            -5955540148631605939
        );
        // uuid_hash_extended('00010203-0405-0607-0809-0a0b0c0d0e0f', 2)
        assert_eq!(
            field_hash(FieldForm::OwnBytes, Some(&(0..16).collect::<Vec<u8>>()), 2) as i64,
            -6319640600666279319
        );
    }

    /// A row as the server hashes it: `hashint8extended(hash_record_extended(ROW(x.d,
    /// numeric_send(x.n)), 0) # hashint4extended(x.id, 1) # hashtextextended(x.t COLLATE "C", 4)
    /// # hashbpcharextended(x.c COLLATE "C", 5) # 0 (x.z IS NULL), 0)` over
    /// `(42, date '2024-02-29', 1.5, 'abc', 'ab'::char(4), NULL::int8)`, 1082719577963343813 in
    /// PostgreSQL 15.
    #[test]
    fn a_row_hashes_as_postgresql_hashes_it() {
        use FieldForm::*;
        let fields: [(FieldForm, Option<&[u8]>); 6] = [
            (OwnWord, Some(&42i32.to_be_bytes())),
            (Word, Some(&[0, 0, 0x22, 0x79])),
            (Bytes, Some(&[0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88])),
            (OwnBytes, Some(b"abc")),
            (OwnPadded, Some(b"ab  ")),
            (OwnLong, None),
        ];
        let mut row = RowHash::default();
        fields
            .iter()
            .for_each(|(form, value)| row.field(*form, *value));
        assert_eq!(row.finish() as i64, 1082719577963343813);
        // A field's value, its NULL and its place each count.
        let changed = |at: usize, value: Option<&[u8]>| {
            let mut row = RowHash::default();
            for (i, (form, v)) in fields.iter().enumerate() {
                row.field(*form, if i == at { value } else { *v });
            }
            row.finish()
        };
        assert_ne!(changed(0, Some(&43i32.to_be_bytes())), row.finish());
        assert_ne!(changed(3, None), row.finish());
        assert_ne!(changed(3, Some(b"abd")), row.finish());
        assert_eq!(
            changed(4, Some(b"ab")),
            row.finish(),
            "trailing spaces of a char(n)"
        );
        assert_ne!(changed(4, Some(b" ab ")), row.finish());
        for (padded, trimmed) in [
            (&b""[..], &b""[..]),
            (b"         ", b""),
            (b"a                 ", b"a"),
            (b"a b             x", b"a b             x"),
            (b"        a        ", b"        a"),
        ] {
            assert_eq!(trim_spaces(padded), trimmed);
        }
        assert_ne!(changed(5, Some(&0i64.to_be_bytes())), row.finish());
    }

    #[test]
    fn bytes_given_in_pieces_hash_as_given_whole() {
        let value: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 5, 11, 12, 13, 24, 25, 999] {
            let whole = hash_bytes(&value[..len]);
            for cut in [1, 3, 7, 12, 13, 100] {
                let mut h = BytesHasher::new(len as u64, 0);
                value[..len].chunks(cut).for_each(|p| h.update(p));
                assert_eq!(h.finish(), whole, "len {len}, pieces of {cut}");
            }
        }
    }

    #[test]
    fn every_byte_and_the_length_count() {
        let value = [7u8; 30];
        let base = hash_bytes(&value);
        for i in 0..value.len() {
            let mut changed = value;
            changed[i] ^= 1;
            assert_ne!(hash_bytes(&changed), base, "byte {i}");
        }
        assert_ne!(hash_bytes(&value[..29]), base);
        assert_ne!(hash_i64(1, 0), hash_i64(-1, 0));
        assert_ne!(hash_i64(0, 0), hash_i64(1 << 32, 0));
    }
}
