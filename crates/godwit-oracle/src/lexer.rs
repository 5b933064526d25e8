//! Oracle SQL and PL/SQL tokens: words, quoted identifiers, numbers, strings (including q-quoted
//! `q'[…]'` and national `N'…'`), operators. Comments are skipped. Never panics: an unterminated string or
//! quoted identifier runs to the end of the input and is flagged in its token.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TokenKind {
    /// An unquoted identifier or keyword.
    Word,
    /// A `"quoted identifier"`.
    QuotedIdent,
    Number,
    /// A string literal; `text` holds the source spelling, [`Token::string_value`] its value.
    String,
    /// Punctuation and operators: `( ) , ; . + - * / || = <> != ^= <= >= < > := => % @ :`
    Symbol,
    /// A bind variable or `:NEW`/`:OLD` reference, e.g. `:new`.
    Bind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    pub kind: TokenKind,
    /// The token as written in the source.
    pub text: String,
    /// 1-based line in the statement's file.
    pub line: u32,
    /// True for a string or quoted identifier that reached the end of the input without closing.
    pub unterminated: bool,
}

impl Token {
    /// True when this is the word `keyword` (case-insensitive).
    pub fn is(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// True when this is the symbol `symbol`.
    pub fn is_symbol(&self, symbol: &str) -> bool {
        self.kind == TokenKind::Symbol && self.text == symbol
    }

    /// The upper-cased word (Oracle folds unquoted names to upper case).
    pub fn upper(&self) -> String {
        self.text.to_ascii_uppercase()
    }

    /// The value of a string literal (quotes removed, `''` collapsed, q-quote delimiters removed).
    pub fn string_value(&self) -> String {
        let t = self.text.as_str();
        let body = t.strip_prefix(['N', 'n']).unwrap_or(t);
        if let Some(q) = body.strip_prefix(['q', 'Q']) {
            // q'Xtext X'
            let inner = q.strip_prefix('\'').unwrap_or(q);
            let mut chars = inner.chars();
            let Some(open) = chars.next() else {
                return String::new();
            };
            let rest = chars.as_str();
            let rest = rest.strip_suffix('\'').unwrap_or(rest);
            let close = closing_delimiter(open);
            return rest.strip_suffix(close).unwrap_or(rest).to_string();
        }
        let inner = body.strip_prefix('\'').unwrap_or(body);
        let inner = if self.unterminated {
            inner
        } else {
            inner.strip_suffix('\'').unwrap_or(inner)
        };
        inner.replace("''", "'")
    }
}

fn closing_delimiter(open: char) -> char {
    match open {
        '[' => ']',
        '(' => ')',
        '{' => '}',
        '<' => '>',
        c => c,
    }
}

const TWO_CHAR_SYMBOLS: [&str; 10] = ["||", "<>", "!=", "^=", "<=", ">=", ":=", "=>", "..", "**"];

/// Splits `source` (starting at line `first_line`) into tokens.
pub fn tokenize(source: &str, first_line: u32) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = first_line;
    let mut i = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Comments
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < n && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i = (i + 2).min(n);
            continue;
        }
        let start = i;
        let start_line = line;
        let mut unterminated = false;
        let kind;
        // q-quoted and national strings: q'[..]', nq'..', N'..'
        let lower = c.to_ascii_lowercase();
        let q_prefix = if lower == 'q' && chars.get(i + 1) == Some(&'\'') {
            Some(i + 1)
        } else if lower == 'n'
            && matches!(chars.get(i + 1), Some('q' | 'Q'))
            && chars.get(i + 2) == Some(&'\'')
        {
            Some(i + 2)
        } else {
            None
        };
        if let Some(quote) = q_prefix.filter(|q| *q + 1 < n) {
            let close = closing_delimiter(chars[quote + 1]);
            i = quote + 2;
            loop {
                if i >= n {
                    unterminated = true;
                    break;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                if chars[i] == close && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                    break;
                }
                i += 1;
            }
            kind = TokenKind::String;
        } else if c == '\'' || (lower == 'n' && chars.get(i + 1) == Some(&'\'')) {
            i += if c == '\'' { 1 } else { 2 };
            loop {
                if i >= n {
                    unterminated = true;
                    break;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            kind = TokenKind::String;
        } else if c == '"' {
            i += 1;
            loop {
                if i >= n {
                    unterminated = true;
                    break;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                if chars[i] == '"' {
                    i += 1;
                    break;
                }
                i += 1;
            }
            kind = TokenKind::QuotedIdent;
        } else if c.is_alphabetic() || c == '_' {
            while i < n && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '#')) {
                i += 1;
            }
            kind = TokenKind::Word;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < n
                && (chars[i].is_ascii_digit()
                    || (chars[i] == '.' && chars.get(i + 1) != Some(&'.')))
            {
                i += 1;
            }
            if i < n
                && matches!(chars[i], 'e' | 'E')
                && chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '-' || *d == '+')
            {
                i += 2;
                while i < n && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // Oracle literal suffixes: 1.5f, 2d
            if i < n
                && matches!(chars[i], 'f' | 'F' | 'd' | 'D')
                && !chars.get(i + 1).is_some_and(|d| d.is_alphanumeric())
            {
                i += 1;
            }
            kind = TokenKind::Number;
        } else if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|d| d.is_alphabetic() || *d == '"')
        {
            i += 1;
            while i < n && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '#' | '"'))
            {
                i += 1;
            }
            kind = TokenKind::Bind;
        } else {
            let two: String = chars[i..(i + 2).min(n)].iter().collect();
            i += if TWO_CHAR_SYMBOLS.contains(&two.as_str()) {
                2
            } else {
                1
            };
            kind = TokenKind::Symbol;
        }
        tokens.push(Token {
            kind,
            text: chars[start..i].iter().collect(),
            line: start_line,
            unterminated,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<String> {
        tokenize(sql, 1).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_strings_numbers_and_symbols() {
        assert_eq!(
            texts("SELECT a.b, 'it''s', 1.5e3, x||y FROM t WHERE c <> :new.id -- gone\n/* gone */ AND d := 2"),
            ["SELECT", "a", ".", "b", ",", "'it''s'", ",", "1.5e3", ",", "x", "||", "y", "FROM", "t", "WHERE", "c", "<>", ":new", ".", "id", "AND", "d", ":=", "2"]
        );
    }

    #[test]
    fn q_quoted_and_national_strings() {
        let tokens = tokenize("q'[it's [here]]' Q'{a}' N'x' nq'!b'c!'", 1);
        let values: Vec<String> = tokens.iter().map(Token::string_value).collect();
        assert_eq!(values, ["it's [here]", "a", "x", "b'c"]);
        assert!(tokens.iter().all(|t| t.kind == TokenKind::String));
    }

    #[test]
    fn lines_are_counted_through_strings_and_comments() {
        let tokens = tokenize("a\n'x\ny'\n/*\n*/ b", 10);
        assert_eq!(
            tokens.iter().map(|t| t.line).collect::<Vec<_>>(),
            [10, 11, 14]
        );
    }

    #[test]
    fn unterminated_input_never_panics() {
        for sql in [
            "'abc", "\"abc", "q'[abc", "/* abc", "q'", "n'", ":", "1e", "'",
        ] {
            let tokens = tokenize(sql, 1);
            assert!(tokens.iter().all(|t| !t.text.is_empty()), "{sql}");
        }
        assert!(tokenize("'abc", 1)[0].unterminated);
    }
}
