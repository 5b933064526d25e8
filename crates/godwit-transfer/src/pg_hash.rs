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
//! A record (`hash_record_extended`) folds its fields' hashes as `result * 31 + field`, a NULL
//! field counting 0; how each field is hashed is its [`FieldForm`].

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
    /// PostgreSQL's values are under 1 GB).
    fn new(len: u64) -> State {
        let start = INITIAL.wrapping_add(len as u32);
        State {
            a: start,
            b: start,
            c: start,
        }
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

/// `hash_any_extended(bytes, 0)`: a bytea's hash (`hashvarlenaextended`) with seed 0.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut state = State::new(bytes.len() as u64);
    let blocks = bytes.chunks_exact(12);
    let tail = blocks.remainder();
    blocks.for_each(|block| state.block(block));
    state.finish(tail)
}

/// `hash_uint32_extended(k, 0)`: `k` added to the state of a 4-byte value, finalised.
fn hash_u32(k: u32) -> u64 {
    let mut state = State::new(4);
    state.a = state.a.wrapping_add(k);
    state.finish(&[])
}

/// `hashint8extended(v, 0)`: the low half xor the high half (its complement for a negative value).
pub(crate) fn hash_i64(v: i64) -> u64 {
    let high = (v >> 32) as u32;
    let low = v as u32 ^ if v >= 0 { high } else { !high };
    hash_u32(low)
}

/// The next step of `hash_record_extended`'s fold.
pub(crate) fn fold(record: u64, field: u64) -> u64 {
    record.wrapping_mul(31).wrapping_add(field)
}

/// How a column's value enters a row hash, on the server and in godwit alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldForm {
    /// Its binary send form's bytes (`<send>(v)`, hashed as a bytea).
    Bytes,
    /// A value that may be large: its send form's hash, as an int8
    /// (`hash_record_extended(ROW(<send>(v)), 0)`, 0 for NULL), so that no record holds it.
    Large,
    /// The value itself, of a type hashed as a 32-bit integer (`int2` widened, `int4`, `oid`,
    /// `date`, `bool` as a char); its send form is its big-endian bytes.
    Word,
    /// The value itself, of a type hashed as `int8` (`int8`, `time`, `timestamp`, `timestamptz`).
    Long,
}

/// A field's part in a row hash, from its send form (`None` for NULL).
pub(crate) fn field_hash(form: FieldForm, value: Option<&[u8]>) -> u64 {
    match (form, value) {
        (FieldForm::Large, value) => large_field(value.map(hash_bytes)),
        (_, None) => 0,
        (FieldForm::Bytes, Some(v)) => hash_bytes(v),
        (FieldForm::Word, Some(v)) => match big_endian(v) {
            Some(n) => hash_u32(n as u32),
            None => hash_bytes(v),
        },
        (FieldForm::Long, Some(v)) => match big_endian(v) {
            Some(n) => hash_i64(n),
            None => hash_bytes(v),
        },
    }
}

/// A [`FieldForm::Large`] field's part in a row hash, from its bytes' hash (`None` for NULL).
pub(crate) fn large_field(hash: Option<u64>) -> u64 {
    hash_i64(hash.unwrap_or(0) as i64)
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
    pub(crate) fn new(len: u64) -> BytesHasher {
        BytesHasher {
            state: State::new(len),
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

    /// Values PostgreSQL 15 computed on x86-64 (`psql`, 2026-11-26): `hash_record_extended` of a
    /// one-field record is its field's hash.
    #[test]
    fn hashes_are_postgresqls() {
        let pattern: Vec<u8> = [
            0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
        ]
        .repeat(4);
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
        for (len, expected) in recorded {
            assert_eq!(hash_bytes(&pattern[..len]) as i64, expected, "{len} bytes");
        }
        // hashint8extended(0, 0), (1, 0), (-1, 0), (5000000000, 0)
        assert_eq!(hash_i64(0) as i64, 4154612158245552303);
        assert_eq!(hash_i64(1) as i64, -3670598878359251130);
        assert_eq!(hash_i64(-1) as i64, -1888257769727981238);
        assert_eq!(hash_i64(5_000_000_000) as i64, -5263616605311196344);
        // hash_record_extended(row(int4send(7), null::bytea, textsend('abc')), 0)
        let record = [Some(&7i32.to_be_bytes()[..]), None, Some(b"abc")]
            .iter()
            .fold(0, |r, f| fold(r, f.map_or(0, hash_bytes)));
        assert_eq!(record as i64, -4649074670649344158);
        // hash_record_extended(row(hash_record_extended(row(textsend('abc')), 0),
        //                          hash_record_extended(row(null::bytea), 0)), 0)
        let nested = fold(fold(0, hash_i64(hash_bytes(b"abc") as i64)), hash_i64(0));
        assert_eq!(nested as i64, 3918580716420168216);
    }

    #[test]
    fn bytes_given_in_pieces_hash_as_given_whole() {
        let value: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 5, 11, 12, 13, 24, 25, 999] {
            let whole = hash_bytes(&value[..len]);
            for cut in [1, 3, 7, 12, 13, 100] {
                let mut h = BytesHasher::new(len as u64);
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
        assert_ne!(hash_i64(1), hash_i64(-1));
        assert_ne!(hash_i64(0), hash_i64(1 << 32));
    }
}
