//! A cursor over a statement's tokens, for the hand-written Oracle DDL parser.

use godwit_oracle::{Token, TokenKind};

pub struct Cursor<'a> {
    tokens: &'a [Token],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(tokens: &'a [Token]) -> Self {
        Self { tokens, pos: 0 }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos)
    }

    pub fn peek_at(&self, offset: usize) -> Option<&'a Token> {
        self.tokens.get(self.pos + offset)
    }

    pub fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// The tokens from `start` to here, joined by spaces.
    pub fn text_since(&self, start: usize) -> String {
        self.tokens[start.min(self.pos)..self.pos]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    /// The line of the current token (or of the last one at the end).
    pub fn line(&self) -> u32 {
        self.peek()
            .or(self.tokens.last())
            .map(|t| t.line)
            .unwrap_or(0)
    }

    /// Consumes the word `keyword` when it is next.
    pub fn eat(&mut self, keyword: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(keyword)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the words `keywords` when they are all next.
    pub fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let matches = keywords
            .iter()
            .enumerate()
            .all(|(i, k)| self.peek_at(i).is_some_and(|t| t.is(k)));
        if matches {
            self.pos += keywords.len();
        }
        matches
    }

    pub fn eat_symbol(&mut self, symbol: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_symbol(symbol)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn is_symbol(&self, symbol: &str) -> bool {
        self.peek().is_some_and(|t| t.is_symbol(symbol))
    }

    pub fn is(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is(keyword))
    }

    /// Consumes an identifier (word or quoted name).
    pub fn ident(&mut self) -> Option<&'a Token> {
        match self.peek() {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                self.pos += 1;
                Some(t)
            }
            _ => None,
        }
    }

    /// Consumes `name` or `schema.name`; returns (schema, name) tokens.
    pub fn qualified(&mut self) -> Option<(Option<&'a Token>, &'a Token)> {
        let first = self.ident()?;
        if self.is_symbol(".")
            && self
                .peek_at(1)
                .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        {
            self.pos += 1;
            let second = self.ident()?;
            // A database link (name@link) is left for the caller to notice.
            return Some((Some(first), second));
        }
        Some((None, first))
    }

    /// When the next token is `(`, consumes the balanced group and returns the tokens inside it.
    pub fn group(&mut self) -> Option<&'a [Token]> {
        if !self.is_symbol("(") {
            return None;
        }
        let start = self.pos + 1;
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            if t.is_symbol("(") {
                depth += 1;
            } else if t.is_symbol(")") {
                depth -= 1;
                if depth == 0 {
                    return Some(&self.tokens[start..self.pos - 1]);
                }
            }
        }
        Some(&self.tokens[start..])
    }

    /// Tokens up to (not including) the next top-level token for which `stop` is true, or the end.
    pub fn until(&mut self, stop: impl Fn(&Token) -> bool) -> &'a [Token] {
        let start = self.pos;
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            if depth == 0 && stop(t) {
                break;
            }
            if t.is_symbol("(") {
                depth += 1;
            } else if t.is_symbol(")") {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            self.pos += 1;
        }
        &self.tokens[start..self.pos]
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [Token] {
        let start = self.pos;
        self.pos = self.tokens.len();
        &self.tokens[start..]
    }
}

/// Splits tokens at top-level commas.
pub fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        } else if depth == 0 && t.is_symbol(",") {
            parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    if start < tokens.len() || !parts.is_empty() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The tokens' text joined by spaces: SQL for tokens that need no rewriting.
pub(crate) fn text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Index of the `)` that closes the `(` at `open`.
pub fn matching_paren(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        if t.is_symbol("(") {
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}
