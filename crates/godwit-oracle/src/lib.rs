//! Oracle as a source. Today: the offline script source ([`script`]), which reads SQL*Plus-style
//! scripts (as exported by DBMS_METADATA, SQL Developer, `expdp … SQLFILE=`, or hand-written install
//! scripts) into statements with their file and line, and the Oracle SQL [`lexer`] the converter parses
//! them with; and the live source ([`live`]), which reads a schema's DDL through DBMS_METADATA.

pub mod chunks;
pub mod data;
pub mod lexer;
pub mod live;
pub mod script;
pub mod script_data;

pub use lexer::{tokenize, Token, TokenKind};
pub use script::{read_input, read_script, read_text, ScriptError, Statement, StatementKind};
