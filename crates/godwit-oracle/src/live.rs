//! The live Oracle source: reads a schema's DDL and table statistics from a running database.
//!
//! The reader works through the [`OracleSession`] trait, so its queries and row mapping are tested with
//! recorded rows, and either driver serves it: the `oracle` crate ([`connect`], ODPI-C, needs Oracle's
//! client library at run time) or, with the `thin` cargo feature, Oracle's pure-Rust thin driver
//! ([`connect_thin`], crate `oracledb`, beta). It asks DBMS_METADATA for each object's DDL (the same output the offline
//! extraction script spools, so both sources go through one converter) and ALL_TABLES for statistics.

use crate::data::Field;
use crate::script::{read_text, Statement};
use serde::Serialize;
use std::path::PathBuf;

#[cfg(feature = "thin")]
mod thin;
#[cfg(feature = "thin")]
pub use thin::{connect_thin, ThinSession, FETCH_ARRAY_SIZE};

/// Why the live source could not be read. Messages say what to do; they never hold the password.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("invalid Oracle URL {url}: {reason}. Expected oracle://USER[:PASSWORD]@HOST[:PORT]/SERVICE (EZConnect) or oracle://USER[:PASSWORD]@TNS_ALIAS")]
    InvalidUrl { url: String, reason: String },
    #[error("the Oracle client library is not installed: download Oracle Instant Client (Basic or Basic Light) from https://www.oracle.com/database/technologies/instant-client/downloads.html, unzip it, and put its folder on LD_LIBRARY_PATH (Linux), DYLD_LIBRARY_PATH (macOS) or PATH (Windows). Or work offline: have a DBA run scripts/oracle/godwit_extract.sql and convert its output with `godwit convert --from oracle FILE`")]
    ClientLibraryMissing,
    #[error("cannot connect to Oracle at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("Oracle query {query} failed: {message}")]
    Query {
        query: &'static str,
        message: String,
    },
    #[error("schema {0:?} has no objects this user can see (check the name, or grant SELECT_CATALOG_ROLE)")]
    EmptySchema(String),
}

/// What the reader needs from a connection.
pub trait OracleSession {
    /// Runs `sql` (a PL/SQL block or DDL) without results.
    fn execute(&mut self, name: &'static str, sql: &str) -> Result<(), LiveError>;
    /// Runs a query with string binds `:1`, `:2`, …, bound by position: in SQL (unlike PL/SQL) every
    /// placeholder is its own position, even a repeated name, so a query never repeats one. Every
    /// value as text, NULL as `None`.
    fn query(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
    ) -> Result<Vec<Vec<Option<String>>>, LiveError>;

    /// Runs a query like [`OracleSession::query`] but hands each row to `row` as it arrives, so a
    /// table of any size streams in bounded memory (`row` returning false stops the fetch). The
    /// default collects the rows first; drivers that can fetch in arrays override it.
    fn query_each(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
        row: &mut dyn FnMut(Vec<Option<String>>) -> bool,
    ) -> Result<(), LiveError> {
        for r in self.query(name, sql, binds)? {
            if !row(r) {
                break;
            }
        }
        Ok(())
    }

    /// Runs a query like [`OracleSession::query_each`], handing LOBs over as streams of their
    /// contents ([`Field::Characters`], [`Field::Bytes`]) where the driver can read them in pieces,
    /// so that a value of any size passes through in bounded memory. The default hands every value
    /// over whole.
    fn query_fields(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
        row: &mut dyn FnMut(Vec<Field<'_>>) -> bool,
    ) -> Result<(), LiveError> {
        self.query_each(name, sql, binds, &mut |values| {
            row(values.into_iter().map(Field::Value).collect())
        })
    }
}

/// Rows fetched per round trip (array fetch) and prefetched by the client library when data is read.
pub const DATA_FETCH_ROWS: u32 = 1000;

/// Session settings for DBMS_METADATA: statement terminators, no physical attributes, constraints as
/// separate ALTER statements, no schema prefix.
pub const TRANSFORM_SQL: &str = "BEGIN
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'SQLTERMINATOR', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'PRETTY', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'SEGMENT_ATTRIBUTES', FALSE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'STORAGE', FALSE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'CONSTRAINTS_AS_ALTER', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'REF_CONSTRAINTS', TRUE);
  DBMS_METADATA.SET_TRANSFORM_PARAM(DBMS_METADATA.SESSION_TRANSFORM, 'EMIT_SCHEMA', FALSE);
END;";

/// A schema's objects in creation order, as DBMS_METADATA names their types (same selection as the
/// extraction script).
pub const OBJECTS_SQL: &str = "SELECT md_type, object_name FROM (
  SELECT o.object_name, o.created,
         DECODE(o.object_type, 'PACKAGE', 'PACKAGE_SPEC', 'TYPE', 'TYPE_SPEC', 'PACKAGE BODY', 'PACKAGE_BODY',
                'TYPE BODY', 'TYPE_BODY', 'MATERIALIZED VIEW', 'MATERIALIZED_VIEW', o.object_type) AS md_type,
         DECODE(o.object_type, 'SEQUENCE', 1, 'TYPE', 2, 'TABLE', 3, 'INDEX', 4, 'VIEW', 5, 'MATERIALIZED VIEW', 6,
                'PACKAGE', 7, 'TYPE BODY', 8, 'FUNCTION', 9, 'PROCEDURE', 10, 'PACKAGE BODY', 11, 'TRIGGER', 12,
                'SYNONYM', 13, 99) AS creation_rank
    FROM all_objects o
   WHERE o.owner = :1
     AND o.object_type IN ('SEQUENCE', 'TYPE', 'TABLE', 'INDEX', 'VIEW', 'MATERIALIZED VIEW', 'PACKAGE',
                           'TYPE BODY', 'FUNCTION', 'PROCEDURE', 'PACKAGE BODY', 'TRIGGER', 'SYNONYM')
     AND o.secondary = 'N' AND o.generated = 'N' AND o.object_name NOT LIKE 'BIN$%'
     AND NOT (o.object_type = 'TABLE' AND EXISTS (SELECT 1 FROM all_mviews m WHERE m.owner = o.owner AND m.mview_name = o.object_name))
     AND NOT (o.object_type = 'INDEX' AND EXISTS (SELECT 1 FROM all_constraints c WHERE c.owner = o.owner
                                                   AND c.index_name = o.object_name AND c.constraint_type IN ('P', 'U')))
     AND NOT (o.object_type = 'INDEX' AND EXISTS (SELECT 1 FROM all_indexes i WHERE i.owner = o.owner
                                                   AND i.index_name = o.object_name AND i.index_type IN ('LOB', 'IOT - TOP'))))
 ORDER BY creation_rank, created, object_name";

/// One object's DDL.
pub const DDL_SQL: &str = "SELECT DBMS_METADATA.GET_DDL(:1, :2, :3) FROM dual";

/// Table and column comments, as COMMENT statements.
pub const COMMENTS_SQL: &str = "SELECT 'COMMENT ON TABLE \"' || table_name || '\" IS ''' || REPLACE(comments, '''', '''''') || ''''
  FROM all_tab_comments WHERE owner = :1 AND comments IS NOT NULL AND table_name NOT LIKE 'BIN$%'
UNION ALL
SELECT 'COMMENT ON COLUMN \"' || table_name || '\".\"' || column_name || '\" IS ''' || REPLACE(comments, '''', '''''') || ''''
  FROM all_col_comments WHERE owner = :2 AND comments IS NOT NULL AND table_name NOT LIKE 'BIN$%'";

/// Optimizer statistics per table: row count and an estimate of its bytes.
pub const TABLE_STATS_SQL: &str = "SELECT table_name, num_rows, num_rows * avg_row_len FROM all_tables WHERE owner = :1 ORDER BY table_name";

/// Statistics of one table, as the optimizer last gathered them (`None` when never gathered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableStatistics {
    pub table: String,
    pub num_rows: Option<i64>,
    pub bytes: Option<i64>,
}

/// What the live reader read from one schema.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LiveSchema {
    /// Every object's DDL, split into statements; `file` is `oracle:SCHEMA/TYPE/NAME`.
    pub statements: Vec<Statement>,
    pub tables: Vec<TableStatistics>,
}

/// The schema an Oracle user name stands for, as the catalog spells it: upper case unless quoted.
pub fn owner_name(user: &str) -> String {
    if user.starts_with('"') {
        user.trim_matches('"').to_string()
    } else {
        user.to_uppercase()
    }
}

/// Reads `schema` (an Oracle user name; unquoted names are upper-cased as Oracle does).
pub fn read_schema(session: &mut dyn OracleSession, schema: &str) -> Result<LiveSchema, LiveError> {
    let owner = owner_name(schema);
    session.execute("transform", TRANSFORM_SQL)?;
    let objects = session.query("objects", OBJECTS_SQL, &[&owner])?;
    if objects.is_empty() {
        return Err(LiveError::EmptySchema(owner));
    }
    let mut out = LiveSchema::default();
    for row in objects {
        let (Some(Some(kind)), Some(Some(name))) = (row.first(), row.get(1)) else {
            continue;
        };
        let ddl = session.query("ddl", DDL_SQL, &[kind, name, &owner])?;
        let Some(Some(text)) = ddl.into_iter().next().and_then(|r| r.into_iter().next()) else {
            continue;
        };
        let origin = PathBuf::from(format!("oracle:{owner}/{kind}/{name}"));
        out.statements.extend(read_text(&origin, &text).statements);
    }
    for row in session.query("comments", COMMENTS_SQL, &[&owner, &owner])? {
        if let Some(Some(text)) = row.into_iter().next() {
            out.statements.extend(
                read_text(
                    &PathBuf::from(format!("oracle:{owner}/COMMENT")),
                    &format!("{text};"),
                )
                .statements,
            );
        }
    }
    for row in session.query("table statistics", TABLE_STATS_SQL, &[&owner])? {
        let number = |i: usize| {
            row.get(i)
                .cloned()
                .flatten()
                .and_then(|v| v.parse::<f64>().ok())
                .map(|v| v as i64)
        };
        if let Some(Some(table)) = row.first() {
            out.tables.push(TableStatistics {
                table: table.clone(),
                num_rows: number(1),
                bytes: number(2),
            });
        }
    }
    Ok(out)
}

/// Connection settings from an `oracle://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OracleUrl {
    pub user: String,
    pub password: Option<String>,
    /// EZConnect (`//host:port/service`) or a TNS alias.
    pub connect_string: String,
}

impl OracleUrl {
    /// Parses `oracle://USER[:PASSWORD]@HOST[:PORT]/SERVICE` or `oracle://USER[:PASSWORD]@TNS_ALIAS`.
    pub fn parse(url: &str) -> Result<OracleUrl, LiveError> {
        let redacted = redact(url);
        let bad = |reason: &str| LiveError::InvalidUrl {
            url: redacted.clone(),
            reason: reason.into(),
        };
        let rest = url
            .strip_prefix("oracle://")
            .ok_or_else(|| bad("it does not start with oracle://"))?;
        let (credentials, target) = rest
            .rsplit_once('@')
            .ok_or_else(|| bad("no user name before @"))?;
        let (user, password) = match credentials.split_once(':') {
            Some((u, p)) => (u.to_string(), Some(decode(p))),
            None => (credentials.to_string(), None),
        };
        if user.is_empty() || target.is_empty() {
            return Err(bad("user name or target is empty"));
        }
        let connect_string = if target.contains('/') || target.contains(':') {
            format!("//{target}")
        } else {
            target.to_string()
        };
        Ok(OracleUrl {
            user: decode(&user),
            password,
            connect_string,
        })
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `url` with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

/// The URL's password, else `ORACLE_PASSWORD`, else empty.
fn password(url: &OracleUrl) -> String {
    url.password
        .clone()
        .or_else(|| std::env::var("ORACLE_PASSWORD").ok())
        .unwrap_or_default()
}

/// `message` with `password` replaced by `***` (an empty password hides nothing).
fn hide(message: &str, password: &str) -> String {
    if password.is_empty() {
        message.to_string()
    } else {
        message.replace(password, "***")
    }
}

/// A session on the `oracle` crate (ODPI-C; needs Oracle's client library at run time).
pub struct ClientSession(oracle::Connection);

/// Connects with the `oracle` crate. A missing client library is [`LiveError::ClientLibraryMissing`].
pub fn connect(url: &OracleUrl) -> Result<ClientSession, LiveError> {
    let password = password(url);
    oracle::Connection::connect(&url.user, &password, &url.connect_string)
        .map(ClientSession)
        .map_err(|e| {
            let message = e.to_string();
            if message.contains("DPI-1047") || message.contains("Cannot locate") {
                LiveError::ClientLibraryMissing
            } else {
                LiveError::Connect {
                    target: url.connect_string.clone(),
                    message: hide(&message, &password),
                }
            }
        })
}

/// An `oracle` crate error as the error of query `name`.
fn client_error(name: &'static str) -> impl Fn(oracle::Error) -> LiveError {
    move |e| LiveError::Query {
        query: name,
        message: e.to_string(),
    }
}

/// String binds as the `oracle` crate takes them.
fn client_binds<'a>(binds: &'a [&'a str]) -> Vec<&'a dyn oracle::sql_type::ToSql> {
    binds
        .iter()
        .map(|b| b as &dyn oracle::sql_type::ToSql)
        .collect()
}

impl OracleSession for ClientSession {
    fn execute(&mut self, name: &'static str, sql: &str) -> Result<(), LiveError> {
        self.0
            .execute(sql, &[])
            .map(|_| ())
            .map_err(|e| LiveError::Query {
                query: name,
                message: e.to_string(),
            })
    }

    fn query(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
    ) -> Result<Vec<Vec<Option<String>>>, LiveError> {
        let error = client_error(name);
        let params = client_binds(binds);
        let rows = self.0.query(sql, &params).map_err(&error)?;
        let width = rows.column_info().len();
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(&error)?;
            out.push(
                (0..width)
                    .map(|i| row.get::<usize, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(&error)?,
            );
        }
        Ok(out)
    }

    fn query_each(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
        row: &mut dyn FnMut(Vec<Option<String>>) -> bool,
    ) -> Result<(), LiveError> {
        let mut failure = None;
        self.query_fields(name, sql, binds, &mut |fields| match fields
            .into_iter()
            .map(Field::into_value)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(values) => row(values),
            Err(e) => {
                failure = Some(LiveError::Query {
                    query: name,
                    message: format!("reading a LOB: {e}"),
                });
                false
            }
        })?;
        failure.map_or(Ok(()), Err)
    }

    fn query_fields(
        &mut self,
        name: &'static str,
        sql: &str,
        binds: &[&str],
        row: &mut dyn FnMut(Vec<Field<'_>>) -> bool,
    ) -> Result<(), LiveError> {
        let error = client_error(name);
        let params = client_binds(binds);
        // Array fetch and prefetch: a thousand rows per round trip. LOBs come as locators, handed
        // over as streams the copy reads in pieces.
        let mut stmt = self
            .0
            .statement(sql)
            .fetch_array_size(DATA_FETCH_ROWS)
            .prefetch_rows(DATA_FETCH_ROWS)
            .lob_locator()
            .build()
            .map_err(&error)?;
        let rows = stmt.query(&params).map_err(&error)?;
        let kinds: Vec<oracle::sql_type::OracleType> = rows
            .column_info()
            .iter()
            .map(|c| c.oracle_type().clone())
            .collect();
        for r in rows {
            let r = r.map_err(&error)?;
            let fields = kinds
                .iter()
                .enumerate()
                .map(|(i, kind)| client_field(&r, i, kind))
                .collect::<Result<Vec<_>, _>>()
                .map_err(&error)?;
            if !row(fields) {
                break;
            }
        }
        Ok(())
    }
}

/// Column `i` of a fetched row: LOBs as streams through their locators (a CLOB as its text, a BLOB
/// as its bytes), RAW and LONG RAW as hex, the rest as the driver writes them.
fn client_field(
    row: &oracle::Row,
    i: usize,
    kind: &oracle::sql_type::OracleType,
) -> Result<Field<'static>, oracle::Error> {
    use oracle::sql_type::OracleType as T;
    Ok(match kind {
        T::BLOB => match row.get::<usize, Option<oracle::sql_type::Blob>>(i)? {
            Some(blob) => Field::Bytes(Box::new(blob)),
            None => Field::Value(None),
        },
        T::CLOB => match row.get::<usize, Option<oracle::sql_type::Clob>>(i)? {
            Some(clob) => Field::Characters(Box::new(clob)),
            None => Field::Value(None),
        },
        T::NCLOB => match row.get::<usize, Option<oracle::sql_type::Nclob>>(i)? {
            Some(nclob) => Field::Characters(Box::new(nclob)),
            None => Field::Value(None),
        },
        T::Raw(_) | T::LongRaw => Field::Value(
            row.get::<usize, Option<Vec<u8>>>(i)?
                .map(|bytes| crate::data::hex_upper(&bytes)),
        ),
        _ => Field::Value(row.get::<usize, Option<String>>(i)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    #[test]
    fn unquoted_user_names_stand_for_upper_case_schemas() {
        assert_eq!(owner_name("hr"), "HR");
        assert_eq!(owner_name("Hr_App"), "HR_APP");
        assert_eq!(owner_name("\"App\""), "App");
    }

    /// Plays back recorded rows, checking each query's name and binds in order.
    struct Recorded(VecDeque<(&'static str, Vec<String>, Vec<Vec<Option<String>>>)>);

    impl OracleSession for Recorded {
        fn execute(&mut self, name: &'static str, sql: &str) -> Result<(), LiveError> {
            assert_eq!(name, "transform");
            assert!(sql.contains("SQLTERMINATOR"));
            Ok(())
        }
        fn query(
            &mut self,
            name: &'static str,
            _sql: &str,
            binds: &[&str],
        ) -> Result<Vec<Vec<Option<String>>>, LiveError> {
            let (expected, expected_binds, rows) = self.0.pop_front().expect("an unexpected query");
            assert_eq!(
                (
                    name,
                    binds.iter().map(|b| b.to_string()).collect::<Vec<_>>()
                ),
                (expected, expected_binds)
            );
            Ok(rows)
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn recorded_catalog_rows_become_statements_and_statistics() {
        let recorded = vec![
            ("objects", vec!["HR".into()], vec![vec![s("SEQUENCE"), s("EMP_SEQ")], vec![s("TABLE"), s("REGIONS")], vec![s("PROCEDURE"), s("NOOP")]]),
            ("ddl", vec!["SEQUENCE".into(), "EMP_SEQ".into(), "HR".into()], vec![vec![s("\n  CREATE SEQUENCE  \"EMP_SEQ\"  MINVALUE 1 START WITH 207 NOCACHE ;\n")]]),
            (
                "ddl",
                vec!["TABLE".into(), "REGIONS".into(), "HR".into()],
                vec![vec![s("\n  CREATE TABLE \"REGIONS\" \n   (\t\"REGION_ID\" NUMBER NOT NULL ENABLE, \n\t\"REGION_NAME\" VARCHAR2(25 BYTE)\n   ) ;\n  ALTER TABLE \"REGIONS\" ADD CONSTRAINT \"REG_ID_PK\" PRIMARY KEY (\"REGION_ID\")\n  USING INDEX  ENABLE;\n")]],
            ),
            ("ddl", vec!["PROCEDURE".into(), "NOOP".into(), "HR".into()], vec![vec![s("\n  CREATE OR REPLACE EDITIONABLE PROCEDURE \"NOOP\" IS\nBEGIN\n  NULL;\nEND;\n/\n")]]),
            ("comments", vec!["HR".into(), "HR".into()], vec![vec![s("COMMENT ON TABLE \"REGIONS\" IS 'Regions'")]]),
            ("table statistics", vec!["HR".into()], vec![vec![s("REGIONS"), s("4"), s("64")], vec![s("NEVER_ANALYZED"), None, None]]),
        ];
        let mut session = Recorded(recorded.into());
        let schema = read_schema(&mut session, "hr").unwrap();
        assert!(session.0.is_empty(), "every recorded query was asked");
        let texts: Vec<&str> = schema.statements.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts.len(), 5, "{texts:?}");
        assert!(texts[0].starts_with("CREATE SEQUENCE  \"EMP_SEQ\""));
        assert!(texts[2].starts_with("ALTER TABLE \"REGIONS\" ADD CONSTRAINT"));
        assert!(texts[3].ends_with("END;"));
        assert_eq!(
            schema.statements[1].file,
            PathBuf::from("oracle:HR/TABLE/REGIONS")
        );
        assert_eq!(texts[4], "COMMENT ON TABLE \"REGIONS\" IS 'Regions'");
        assert_eq!(
            schema.tables,
            [
                TableStatistics {
                    table: "REGIONS".into(),
                    num_rows: Some(4),
                    bytes: Some(64)
                },
                TableStatistics {
                    table: "NEVER_ANALYZED".into(),
                    num_rows: None,
                    bytes: None
                }
            ]
        );
    }

    /// Positions `:1`, `:2`, … used in `sql`, in order of appearance.
    fn placeholders(sql: &str) -> Vec<usize> {
        let tokens = crate::lexer::tokenize(sql, 1);
        tokens
            .windows(2)
            .filter(|w| w[0].is_symbol(":") && w[1].kind == crate::lexer::TokenKind::Number)
            .map(|w| w[1].text.parse().unwrap())
            .collect()
    }

    /// SQL binds by position per placeholder, even a repeated name: each query numbers its
    /// placeholders 1, 2, … once each, and the reader passes that many values.
    #[test]
    fn every_placeholder_is_bound_once() {
        for (sql, binds) in [
            (OBJECTS_SQL, 1),
            (DDL_SQL, 3),
            (COMMENTS_SQL, 2),
            (TABLE_STATS_SQL, 1),
        ] {
            assert_eq!(placeholders(sql), (1..=binds).collect::<Vec<_>>(), "{sql}");
        }
    }

    #[test]
    fn an_empty_schema_says_what_to_check() {
        let mut session = Recorded(vec![("objects", vec!["NOBODY".into()], vec![])].into());
        assert!(
            matches!(read_schema(&mut session, "nobody"), Err(LiveError::EmptySchema(o)) if o == "NOBODY")
        );
    }

    #[test]
    fn urls_accept_ezconnect_and_tns_aliases_and_hide_passwords() {
        let ez = OracleUrl::parse("oracle://hr:p%40ss@db.example.org:1521/FREEPDB1").unwrap();
        assert_eq!(
            (
                ez.user.as_str(),
                ez.password.as_deref(),
                ez.connect_string.as_str()
            ),
            ("hr", Some("p@ss"), "//db.example.org:1521/FREEPDB1")
        );
        let tns = OracleUrl::parse("oracle://hr@PRODDB").unwrap();
        assert_eq!(
            (tns.password, tns.connect_string.as_str()),
            (None, "PRODDB")
        );
        let err = OracleUrl::parse("postgresql://hr:secret@x/y")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("oracle://USER") && !err.contains("secret"),
            "{err}"
        );
    }

    /// Without Oracle's client library (as here: none can be installed in our test environment), the
    /// error says what to install and offers the offline route.
    #[test]
    fn a_missing_client_library_says_what_to_install() {
        let url = OracleUrl::parse("oracle://scott:tiger@127.0.0.1:1/nothing").unwrap();
        match connect(&url) {
            Err(LiveError::ClientLibraryMissing) => {
                let message = LiveError::ClientLibraryMissing.to_string();
                assert!(
                    message.contains("Instant Client") && message.contains("godwit_extract.sql")
                );
            }
            // A machine with the client library: then nothing listens on port 1.
            Err(LiveError::Connect { target, message }) => {
                assert_eq!(target, "//127.0.0.1:1/nothing");
                assert!(!message.contains("tiger"));
            }
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => panic!("connected to port 1"),
        }
    }

    /// Runs against a real Oracle when GODWIT_TEST_ORACLE=oracle://user:password@host:port/service
    /// names one (schema: GODWIT_TEST_ORACLE_SCHEMA, default the user).
    #[test]
    fn live_oracle_schema_when_configured() {
        let Ok(url) = std::env::var("GODWIT_TEST_ORACLE") else {
            eprintln!("SKIPPED: set GODWIT_TEST_ORACLE to run the live Oracle test");
            return;
        };
        let url = OracleUrl::parse(&url).unwrap();
        let schema =
            std::env::var("GODWIT_TEST_ORACLE_SCHEMA").unwrap_or_else(|_| url.user.clone());
        let mut session = connect(&url).unwrap();
        let read = read_schema(&mut session, &schema).unwrap();
        assert!(!read.statements.is_empty());
        #[cfg(feature = "thin")]
        {
            let mut thin = connect_thin(&url).unwrap();
            let read_thin = read_schema(&mut thin, &schema).unwrap();
            assert_eq!(read_thin.statements, read.statements);
            assert_eq!(read_thin.tables, read.tables);
        }
    }

    /// A port on this machine where nothing listens.
    #[cfg(feature = "thin")]
    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[cfg(feature = "thin")]
    #[test]
    fn thin_driver_connection_refused_names_host_and_port_not_the_password() {
        let port = closed_port();
        let url =
            OracleUrl::parse(&format!("oracle://scott:tiger@127.0.0.1:{port}/FREEPDB1")).unwrap();
        let started = std::time::Instant::now();
        let Err(err) = connect_thin(&url) else {
            panic!("connected to a closed port")
        };
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        let text = err.to_string();
        assert!(
            matches!(&err, LiveError::Connect { target, .. } if target == &format!("//127.0.0.1:{port}/FREEPDB1")),
            "{text}"
        );
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        assert!(!text.contains("tiger"), "{text}");
    }

    /// A listener that answers the connect packet with garbage, then hangs up: an error, not a panic
    /// or a hang.
    #[cfg(feature = "thin")]
    #[test]
    fn thin_driver_survives_a_server_speaking_garbage() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for answer in [
                &b"\x00\x08\x00\x00\x04\x00\x00\x00"[..],
                b"HTTP/1.0 400 Bad Request\r\n\r\n",
                b"",
            ] {
                let (mut socket, _) = listener.accept().unwrap();
                let mut buffer = [0u8; 512];
                let _ = socket.read(&mut buffer);
                let _ = socket.write_all(answer);
            }
        });
        for _ in 0..3 {
            let url = OracleUrl::parse(&format!("oracle://scott:tiger@127.0.0.1:{port}/FREEPDB1"))
                .unwrap();
            match connect_thin(&url) {
                Err(LiveError::Connect { target, message }) => {
                    assert!(target.contains(&port.to_string()));
                    assert!(!message.contains("tiger"), "{message}");
                }
                Err(other) => panic!("unexpected error: {other}"),
                Ok(_) => panic!("a garbage server accepted the login"),
            }
        }
        server.join().unwrap();
    }

    #[cfg(feature = "thin")]
    #[test]
    fn thin_driver_unknown_tns_alias_is_a_connect_error() {
        let url = OracleUrl::parse("oracle://scott:tiger@GODWIT_NO_SUCH_ALIAS").unwrap();
        match connect_thin(&url) {
            Err(LiveError::Connect { target, message }) => {
                assert_eq!(target, "GODWIT_NO_SUCH_ALIAS");
                assert!(!message.contains("tiger"), "{message}");
            }
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => panic!("connected through an alias that does not exist"),
        }
    }
}
