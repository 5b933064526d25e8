//! Oracle names to PostgreSQL names: unquoted (upper-case) names become lower case; quoted names with
//! lower-case letters keep their case (and stay quoted on output); names longer than PostgreSQL's 63
//! bytes are shortened deterministically.

use godwit_oracle::{Token, TokenKind};

/// PostgreSQL's identifier limit in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// The PostgreSQL spelling of an Oracle identifier token (unquoted, before any quoting for output).
pub fn pg_name(token: &Token) -> String {
    let name = match token.kind {
        TokenKind::QuotedIdent => {
            let inner = token.text.trim_matches('"');
            if inner.chars().any(|c| c.is_lowercase()) {
                inner.to_string()
            } else {
                inner.to_lowercase()
            }
        }
        _ => token.text.to_lowercase(),
    };
    shorten(&name).0
}

/// Shortens `name` to 63 bytes: the first 54 bytes (on a character boundary), `_`, and 8 hex digits of
/// a hash of the whole name. Returns the name and whether it was shortened.
pub fn shorten(name: &str) -> (String, bool) {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return (name.to_string(), false);
    }
    let mut cut = 54;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    });
    (format!("{}_{hash:08x}", &name[..cut]), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    fn name(sql: &str) -> String {
        pg_name(&tokenize(sql, 1)[0])
    }

    #[test]
    fn oracle_names_become_postgres_names() {
        assert_eq!(name("EMPLOYEES"), "employees");
        assert_eq!(name("\"EMPLOYEES\""), "employees");
        assert_eq!(name("\"MixedCase\""), "MixedCase");
        assert_eq!(name("emp$hist#"), "emp$hist#");
    }

    #[test]
    fn long_names_are_shortened_deterministically() {
        let long = "a".repeat(70);
        let (short, changed) = shorten(&long);
        assert!(changed);
        assert_eq!(short.len(), 63);
        assert_eq!(shorten(&long).0, short);
        assert_ne!(shorten(&"a".repeat(71)).0, short);
    }
}
