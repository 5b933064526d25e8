//! The offline Oracle source: SQL*Plus-style scripts split into statements with file and line.
//!
//! Follows SQL*Plus rules: a SQL statement ends at `;` (outside strings, quoted identifiers and
//! comments) or at a line holding only `/`; a PL/SQL unit (`CREATE [OR REPLACE] [EDITIONABLE]
//! FUNCTION|PROCEDURE|PACKAGE [BODY]|TRIGGER|TYPE [BODY]|LIBRARY|JAVA`, or an anonymous `DECLARE`/`BEGIN`
//! block) ends at a line holding only `/` (or `.`). SQL*Plus commands (REM, PROMPT, SET, SPOOL, CONNECT,
//! EXIT, DEFINE, WHENEVER, COLUMN, …) are skipped; `@file` and `@@file` include another script, resolved
//! relative to the including file. Nothing here is fatal but unreadable or binary files: problems are
//! reported as [`ScriptNote`]s with file and line.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// A file that cannot be used as input at all.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}: not a text script (it holds a NUL byte at byte {offset}, line {line})"
    )]
    Binary {
        path: PathBuf,
        offset: usize,
        /// 1-based line of the first NUL byte.
        line: usize,
    },
    #[error("{path}: files.txt line {line} names {name:?}, which does not exist")]
    MissingListedFile {
        path: PathBuf,
        line: usize,
        name: String,
    },
    #[error("{path} holds no SQL script files (*.sql, *.pks, *.pkb, …)")]
    EmptyFolder { path: PathBuf },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// A SQL statement (ended by `;`).
    Sql,
    /// A PL/SQL unit or anonymous block (ended by a `/` line).
    PlSql,
}

/// One statement of a script, without its terminator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub file: PathBuf,
    /// 1-based line where the statement starts.
    pub line: u32,
    pub text: String,
    pub kind: StatementKind,
}

/// Something the reader noticed and skipped, with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptNote {
    pub file: PathBuf,
    pub line: u32,
    pub message: String,
}

/// Statements of one or more scripts, in execution order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub notes: Vec<ScriptNote>,
}

const SQLPLUS_COMMANDS: &[&str] = &[
    "ACCEPT",
    "APPEND",
    "ARCHIVE",
    "ATTRIBUTE",
    "BREAK",
    "BTITLE",
    "CLEAR",
    "COL",
    "COLUMN",
    "COMPUTE",
    "CONN",
    "CONNECT",
    "COPY",
    "DEF",
    "DEFINE",
    "DEL",
    "DESC",
    "DESCRIBE",
    "DISC",
    "DISCONNECT",
    "EXIT",
    "HOST",
    "INPUT",
    "PASSWORD",
    "PAUSE",
    "PRINT",
    "PRO",
    "PROMPT",
    "QUIT",
    "RECOVER",
    "REM",
    "REMARK",
    "REPFOOTER",
    "REPHEADER",
    "SET",
    "SHO",
    "SHOW",
    "SPO",
    "SPOOL",
    "START",
    "STARTUP",
    "SHUTDOWN",
    "STORE",
    "TIMING",
    "TTITLE",
    "UNDEF",
    "UNDEFINE",
    "VAR",
    "VARIABLE",
    "WHENEVER",
    "XQUERY",
];

/// File name endings read from a folder without `files.txt`.
const SCRIPT_EXTENSIONS: &[&str] = &[
    "sql", "pks", "pkb", "pls", "plb", "pck", "prc", "fnc", "trg", "typ", "tps", "tpb", "vw",
    "seq", "tab", "ddl",
];

/// Reads a script file, or a folder of them (in the order of its `files.txt` when present, else sorted
/// by path).
pub fn read_input(path: &Path) -> Result<Script, ScriptError> {
    let meta = std::fs::metadata(path).map_err(|source| ScriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return read_script(path);
    }
    let list = path.join("files.txt");
    let files: Vec<PathBuf> = if list.is_file() {
        let text = std::fs::read_to_string(&list).map_err(|source| ScriptError::Read {
            path: list.clone(),
            source,
        })?;
        let mut files = Vec::new();
        for (i, name) in text.lines().enumerate() {
            let name = name.trim();
            if name.is_empty() || name.starts_with('#') {
                continue;
            }
            let file = path.join(name);
            if !file.is_file() {
                return Err(ScriptError::MissingListedFile {
                    path: list.clone(),
                    line: i + 1,
                    name: name.to_string(),
                });
            }
            files.push(file);
        }
        files
    } else {
        let mut files = Vec::new();
        collect_scripts(path, &mut files)?;
        files.sort();
        files
    };
    if files.is_empty() {
        return Err(ScriptError::EmptyFolder {
            path: path.to_path_buf(),
        });
    }
    let mut script = Script::default();
    for file in files {
        let part = read_script(&file)?;
        script.statements.extend(part.statements);
        script.notes.extend(part.notes);
    }
    Ok(script)
}

fn collect_scripts(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScriptError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ScriptError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_scripts(&p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SCRIPT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads one script file and the files it includes with `@`/`@@`.
pub fn read_script(path: &Path) -> Result<Script, ScriptError> {
    let mut script = Script::default();
    read_into(path, &mut script, &mut Vec::new())?;
    Ok(script)
}

fn decode(path: &Path, bytes: Vec<u8>, notes: &mut Vec<ScriptNote>) -> Result<String, ScriptError> {
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(ScriptError::Binary {
            path: path.to_path_buf(),
            offset,
            line: bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1,
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            notes.push(ScriptNote {
                file: path.to_path_buf(),
                line,
                message: "the file is not UTF-8; it was read as Windows-1252/Latin-1".into(),
            });
            Ok(bytes.iter().map(|b| *b as char).collect())
        }
    }
}

/// Reads `path` into `script`; `chain` holds the files that include it, outermost first.
fn read_into(
    path: &Path,
    script: &mut Script,
    chain: &mut Vec<PathBuf>,
) -> Result<(), ScriptError> {
    let bytes = std::fs::read(path).map_err(|source| ScriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = decode(path, bytes, &mut script.notes)?;
    chain.push(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()));
    let result = split_into(path, &text, script, Some(chain));
    chain.pop();
    result
}

/// Splits script text that did not come from a file (DDL read from a live database); `origin` names it
/// in statements and notes. Includes are not followed.
pub fn read_text(origin: &Path, text: &str) -> Script {
    let mut script = Script::default();
    let _ = split_into(origin, text, &mut script, None);
    script
}

/// Splits `text` into `script`; includes are followed when `chain` (the files being read, outermost
/// first) is given.
fn split_into(
    path: &Path,
    text: &str,
    script: &mut Script,
    mut chain: Option<&mut Vec<PathBuf>>,
) -> Result<(), ScriptError> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut splitter = Splitter {
        text,
        pos: 0,
        line: 1,
        unclosed_comment: None,
    };
    while let Some(item) = splitter.next_item() {
        match item {
            Item::Statement {
                line,
                text,
                kind,
                terminated,
                unclosed,
            } => {
                if let Some((what, opened)) = unclosed {
                    script.notes.push(ScriptNote {
                        file: path.to_path_buf(),
                        line: opened,
                        message: format!(
                            "{what} opened on line {opened} is never closed: the statement starting on line {line} runs to the end of the file"
                        ),
                    });
                } else if !terminated {
                    script.notes.push(ScriptNote {
                        file: path.to_path_buf(),
                        line,
                        message: match kind {
                            StatementKind::Sql => {
                                "statement has no terminating ';' before the end of the file".into()
                            }
                            StatementKind::PlSql => {
                                "PL/SQL unit has no terminating '/' line before the end of the file"
                                    .into()
                            }
                        },
                    });
                }
                script.statements.push(Statement {
                    file: path.to_path_buf(),
                    line,
                    text,
                    kind,
                });
            }
            Item::Include { line, target } => {
                let target = target.trim_matches(['\'', '"']);
                let mut file = base.join(target);
                if file.extension().is_none() {
                    file.set_extension("sql");
                }
                let Some(chain) = chain.as_deref_mut() else {
                    continue;
                };
                let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                if chain.len() > 20 {
                    script.notes.push(ScriptNote {
                        file: path.to_path_buf(),
                        line,
                        message: format!("@{target} not followed: includes nest deeper than 20"),
                    });
                } else if chain.contains(&canonical) {
                    script.notes.push(ScriptNote {
                        file: path.to_path_buf(),
                        line,
                        message: format!(
                            "@{target} not followed: {} is already being read (an include cycle)",
                            file.display()
                        ),
                    });
                } else if file.is_file() {
                    read_into(&file, script, chain)?;
                } else {
                    script.notes.push(ScriptNote {
                        file: path.to_path_buf(),
                        line,
                        message: format!("included file {} not found; skipped", file.display()),
                    });
                }
            }
        }
    }
    if let Some(opened) = splitter.unclosed_comment {
        script.notes.push(ScriptNote {
            file: path.to_path_buf(),
            line: opened,
            message: format!(
                "a /* comment opened on line {opened} is never closed: the rest of the file was read as a comment"
            ),
        });
    }
    Ok(())
}

enum Item {
    Statement {
        line: u32,
        text: String,
        kind: StatementKind,
        terminated: bool,
        /// What was still open at the end of the input (a string, a quoted name, a comment) and the
        /// line where it opened.
        unclosed: Option<(&'static str, u32)>,
    },
    Include {
        line: u32,
        target: String,
    },
}

struct Splitter<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    /// Line of a `/*` between statements that is never closed (it hides the rest of the file).
    unclosed_comment: Option<u32>,
}

impl<'a> Splitter<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The rest of the current line, without its newline.
    fn current_line(&self) -> &'a str {
        let rest = &self.text[self.pos..];
        &rest[..rest.find('\n').unwrap_or(rest.len())]
    }

    fn skip_line(&mut self) {
        let len = self.current_line().len();
        self.pos += len;
        if self.pos < self.text.len() {
            self.pos += 1;
            self.line += 1;
        }
    }

    fn next_item(&mut self) -> Option<Item> {
        loop {
            // Skip whitespace and comments between statements.
            while self.pos < self.text.len() {
                let b = self.bytes()[self.pos];
                if b == b'\n' {
                    self.line += 1;
                    self.pos += 1;
                } else if b.is_ascii_whitespace() {
                    self.pos += 1;
                } else if self.text[self.pos..].starts_with("--") {
                    self.skip_line();
                } else if self.text[self.pos..].starts_with("/*") {
                    self.skip_block_comment();
                } else {
                    break;
                }
            }
            if self.pos >= self.text.len() {
                return None;
            }
            let line_text = self.current_line().trim();
            let line = self.line;
            if line_text == "/" || line_text == "." {
                self.skip_line();
                continue;
            }
            if let Some(target) = line_text
                .strip_prefix("@@")
                .or_else(|| line_text.strip_prefix('@'))
            {
                let target = target.split_whitespace().next().unwrap_or("").to_string();
                self.skip_line();
                return Some(Item::Include { line, target });
            }
            let first_word: String = line_text
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_ascii_uppercase();
            if SQLPLUS_COMMANDS.contains(&first_word.as_str())
                && !self.is_sql_despite_command_word(&first_word)
            {
                // A command runs to the end of its line; a trailing '-' continues it.
                loop {
                    let continued = self.current_line().trim_end().ends_with('-');
                    self.skip_line();
                    if !continued || self.pos >= self.text.len() {
                        break;
                    }
                }
                continue;
            }
            if first_word == "EXEC" || first_word == "EXECUTE" {
                // EXEC proc(args) is shorthand for an anonymous block: BEGIN proc(args); END;
                let call = self
                    .current_line()
                    .trim()
                    .splitn(2, char::is_whitespace)
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(';')
                    .to_string();
                self.skip_line();
                return Some(Item::Statement {
                    line,
                    text: format!("BEGIN {call}; END;"),
                    kind: StatementKind::PlSql,
                    terminated: true,
                    unclosed: None,
                });
            }
            let kind = self.statement_kind();
            return Some(match kind {
                StatementKind::PlSql => self.read_plsql(line),
                StatementKind::Sql => self.read_sql(line),
            });
        }
    }

    /// `SET` and `START` are also SQL words in some positions (`SET TRANSACTION`, `SET ROLE`); `DESC` never
    /// starts SQL. True when this line is really SQL.
    fn is_sql_despite_command_word(&self, word: &str) -> bool {
        let words: Vec<String> = self
            .current_line()
            .split_whitespace()
            .take(2)
            .map(|w| w.to_ascii_uppercase())
            .collect();
        word == "SET"
            && words.get(1).is_some_and(|w| {
                w == "TRANSACTION" || w == "ROLE" || w == "CONSTRAINT" || w == "CONSTRAINTS"
            })
    }

    fn skip_block_comment(&mut self) {
        let rest = &self.text[self.pos..];
        let end = rest[2..].find("*/").map(|i| i + 4).unwrap_or_else(|| {
            self.unclosed_comment = Some(self.line);
            rest.len()
        });
        self.line += rest[..end].matches('\n').count() as u32;
        self.pos += end;
    }

    /// Looks at the first words of the statement at `pos` to tell SQL from PL/SQL.
    fn statement_kind(&self) -> StatementKind {
        let head_end = (self.pos + 400).min(self.text.len());
        let mut end = head_end;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let tokens = crate::lexer::tokenize(&self.text[self.pos..end], 1);
        let words: Vec<String> = tokens
            .iter()
            .take(8)
            .filter(|t| t.kind == crate::lexer::TokenKind::Word)
            .map(|t| t.upper())
            .collect();
        let mut i;
        match words.first().map(String::as_str) {
            Some("DECLARE" | "BEGIN") => return StatementKind::PlSql,
            Some("CREATE") => i = 1,
            _ => return StatementKind::Sql,
        }
        while i < words.len()
            && matches!(
                words[i].as_str(),
                "OR" | "REPLACE"
                    | "EDITIONABLE"
                    | "NONEDITIONABLE"
                    | "EDITIONING"
                    | "AND"
                    | "COMPILE"
                    | "RESOLVE"
                    | "NOFORCE"
            )
        {
            i += 1;
        }
        match words.get(i).map(String::as_str) {
            Some(
                "FUNCTION" | "PROCEDURE" | "PACKAGE" | "TRIGGER" | "TYPE" | "LIBRARY" | "JAVA",
            ) => StatementKind::PlSql,
            _ => StatementKind::Sql,
        }
    }

    /// A PL/SQL unit runs to the next line holding only `/` or `.`.
    fn read_plsql(&mut self, line: u32) -> Item {
        let start = self.pos;
        loop {
            if self.pos >= self.text.len() {
                let text = self.text[start..].trim_end().to_string();
                return Item::Statement {
                    line,
                    text,
                    kind: StatementKind::PlSql,
                    terminated: false,
                    unclosed: None,
                };
            }
            let at_line_start = self.pos == start || self.bytes()[self.pos - 1] == b'\n';
            let current = self.current_line().trim();
            if at_line_start && self.pos != start && (current == "/" || current == ".") {
                let text = self.text[start..self.pos].trim_end().to_string();
                self.skip_line();
                return Item::Statement {
                    line,
                    text,
                    kind: StatementKind::PlSql,
                    terminated: true,
                    unclosed: None,
                };
            }
            self.skip_line();
        }
    }

    /// A SQL statement runs to the first `;` outside strings, quoted names and comments, or to a `/` line.
    fn read_sql(&mut self, line: u32) -> Item {
        let start = self.pos;
        let bytes = self.bytes();
        let n = bytes.len();
        let mut i = self.pos;
        let mut line_no = self.line;
        let mut unclosed = None;
        while i < n {
            let b = bytes[i];
            let opened = line_no;
            match b {
                b'\n' => {
                    line_no += 1;
                    i += 1;
                    // A line holding only '/' ends a statement that lacks its ';'.
                    let rest = &self.text[i..];
                    let next_line = rest[..rest.find('\n').unwrap_or(rest.len())].trim();
                    if next_line == "/" {
                        let text = self.text[start..i].trim_end().to_string();
                        self.pos = i;
                        self.line = line_no;
                        self.skip_line();
                        return Item::Statement {
                            line,
                            text,
                            kind: StatementKind::Sql,
                            terminated: true,
                            unclosed: None,
                        };
                    }
                }
                b'\'' => {
                    // q'X...X' strings
                    let is_q = i > start
                        && matches!(bytes[i - 1], b'q' | b'Q')
                        && (i < 2
                            || !bytes[i - 2].is_ascii_alphanumeric()
                            || matches!(bytes[i - 2], b'n' | b'N'));
                    if is_q && i + 1 < n {
                        let close = match bytes[i + 1] {
                            b'[' => b']',
                            b'(' => b')',
                            b'{' => b'}',
                            b'<' => b'>',
                            c => c,
                        };
                        i += 2;
                        while i < n && !(bytes[i] == close && bytes.get(i + 1) == Some(&b'\'')) {
                            line_no += (bytes[i] == b'\n') as u32;
                            i += 1;
                        }
                        if i >= n {
                            unclosed = Some(("a q-quoted string", opened));
                        }
                        i = (i + 2).min(n);
                    } else {
                        i += 1;
                        while i < n {
                            if bytes[i] == b'\'' {
                                if bytes.get(i + 1) == Some(&b'\'') {
                                    i += 2;
                                    continue;
                                }
                                break;
                            }
                            line_no += (bytes[i] == b'\n') as u32;
                            i += 1;
                        }
                        if i >= n {
                            unclosed = Some(("a string", opened));
                        }
                        i = (i + 1).min(n);
                    }
                }
                b'"' => {
                    i += 1;
                    while i < n && bytes[i] != b'"' {
                        line_no += (bytes[i] == b'\n') as u32;
                        i += 1;
                    }
                    if i >= n {
                        unclosed = Some(("a quoted name", opened));
                    }
                    i = (i + 1).min(n);
                }
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    while i < n && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i < n && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                        line_no += (bytes[i] == b'\n') as u32;
                        i += 1;
                    }
                    if i >= n {
                        unclosed = Some(("a /* comment", opened));
                    }
                    i = (i + 2).min(n);
                }
                b';' => {
                    let text = self.text[start..i].trim_end().to_string();
                    self.pos = i + 1;
                    self.line = line_no;
                    return Item::Statement {
                        line,
                        text,
                        kind: StatementKind::Sql,
                        terminated: true,
                        unclosed: None,
                    };
                }
                _ => i += 1,
            }
        }
        self.pos = n;
        self.line = line_no;
        Item::Statement {
            line,
            text: self.text[start..].trim_end().to_string(),
            kind: StatementKind::Sql,
            terminated: false,
            unclosed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Script {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sql");
        std::fs::write(&path, text).unwrap();
        read_script(&path).unwrap()
    }

    fn texts(script: &Script) -> Vec<(u32, &str, StatementKind)> {
        script
            .statements
            .iter()
            .map(|s| (s.line, s.text.as_str(), s.kind))
            .collect()
    }

    #[test]
    fn sqlplus_commands_are_skipped_and_statements_keep_their_lines() {
        let s = split(
            "SET ECHO OFF\nREM a remark; with a semicolon\nPrompt ****** Creating ....\n\nCREATE TABLE t\n  (a NUMBER);\n\
             COLUMN x FORMAT a10\nspool off\nINSERT INTO t VALUES ('x;y');\nexit\n",
        );
        use StatementKind::Sql;
        assert_eq!(
            texts(&s),
            [
                (5, "CREATE TABLE t\n  (a NUMBER)", Sql),
                (9, "INSERT INTO t VALUES ('x;y')", Sql)
            ]
        );
        assert!(s.notes.is_empty(), "{:?}", s.notes);
    }

    #[test]
    fn plsql_units_end_at_a_slash_line() {
        let s = split(
            "CREATE OR REPLACE EDITIONABLE PROCEDURE p IS\nBEGIN\n  NULL; -- a ; here\nEND;\n/\n\
             BEGIN\n  INSERT INTO t VALUES (1);\nEND;\n/\nCREATE TYPE pt AS OBJECT (x NUMBER);\n/\nSELECT 1 FROM dual\n/\n",
        );
        let kinds: Vec<_> = s.statements.iter().map(|s| (s.line, s.kind)).collect();
        use StatementKind::*;
        assert_eq!(kinds, [(1, PlSql), (6, PlSql), (10, PlSql), (12, Sql)]);
        assert!(s.statements[0].text.ends_with("END;"));
        assert_eq!(s.statements[3].text, "SELECT 1 FROM dual");
    }

    #[test]
    fn semicolons_in_strings_q_quotes_names_and_comments_do_not_split() {
        let s = split(
            "INSERT INTO t VALUES (q'[a;b]', 'c'';d', \"e;f\" /* ; */); -- ;\nSELECT 2 FROM dual;",
        );
        assert_eq!(s.statements.len(), 2, "{:?}", s.statements);
        assert_eq!(s.statements[1].line, 2);
    }

    #[test]
    fn truncated_input_is_a_note_not_a_failure() {
        let s = split("CREATE TABLE t (a NUMBER");
        assert_eq!(s.statements.len(), 1);
        assert_eq!(s.notes[0].line, 1);
        assert!(s.notes[0].message.contains("no terminating ';'"));
        let p = split("CREATE PROCEDURE p IS BEGIN NULL; END;");
        assert!(p.notes[0].message.contains("no terminating '/'"));
        let q = split("INSERT INTO t VALUES ('never closed);\n");
        assert_eq!(q.statements.len(), 1);
    }

    #[test]
    fn includes_are_followed_relative_to_the_including_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("main.sql"),
            "@@sub/tables\nSELECT 1 FROM dual;\n@missing.sql\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sub/tables.sql"),
            "CREATE TABLE a (x NUMBER);\n",
        )
        .unwrap();
        let s = read_script(&dir.path().join("main.sql")).unwrap();
        assert_eq!(s.statements.len(), 2);
        assert!(s.statements[0].file.ends_with("sub/tables.sql"));
        assert!(s.notes[0].message.contains("missing.sql not found"));
    }

    #[test]
    fn binary_files_are_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dump.bin");
        std::fs::write(&path, [0x43, 0x52, 0x00, 0xff]).unwrap();
        let err = read_script(&path).unwrap_err().to_string();
        assert!(err.contains("dump.bin") && err.contains("NUL"), "{err}");
    }

    #[test]
    fn folders_follow_files_txt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.sql"), "SELECT 'b' FROM dual;").unwrap();
        std::fs::write(dir.path().join("a.sql"), "SELECT 'a' FROM dual;").unwrap();
        std::fs::write(dir.path().join("files.txt"), "b.sql\na.sql\n").unwrap();
        let s = read_input(dir.path()).unwrap();
        assert_eq!(s.statements[0].text, "SELECT 'b' FROM dual");
        std::fs::write(dir.path().join("files.txt"), "b.sql\nc.sql\n").unwrap();
        assert!(read_input(dir.path())
            .unwrap_err()
            .to_string()
            .contains("line 2 names \"c.sql\""));
    }

    #[test]
    fn the_shared_corpora_split_without_notes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/oracle");
        if !root.is_dir() {
            eprintln!("SKIPPED: corpus not found at {}", root.display());
            return;
        }
        for (corpus, min_statements) in [("hr", 30), ("co", 20), ("sh", 20), ("chinook", 40)] {
            let s = read_input(&root.join(corpus)).unwrap();
            assert!(
                s.statements.len() >= min_statements,
                "{corpus}: {} statements",
                s.statements.len()
            );
            assert!(s.notes.is_empty(), "{corpus}: {:?}", s.notes);
        }
    }
}
