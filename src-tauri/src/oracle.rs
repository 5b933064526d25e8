//! What the desktop asks a live Oracle database beyond reading its schema: who and what answered a
//! connection test. Written over [`OracleSession`], so it is tested with recorded rows like the
//! live reader in `godwit-oracle` (where it could move once the CLI needs it too).

use std::time::Instant;

use godwit_oracle::live::{LiveError, OracleSession};

use crate::dto::HealthDto;

/// Session user, database name and service name.
pub const SESSION_SQL: &str = "SELECT SYS_CONTEXT('USERENV', 'SESSION_USER'), SYS_CONTEXT('USERENV', 'DB_NAME'), SYS_CONTEXT('USERENV', 'SERVICE_NAME') FROM dual";

/// The server's banner, e.g. "Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production".
pub const VERSION_SQL: &str =
    "SELECT banner FROM v$version WHERE banner LIKE 'Oracle%' ORDER BY banner";

/// Roles and privileges that let the user read other schemas' DDL and statistics.
pub const PRIVILEGES_SQL: &str = "SELECT role FROM session_roles WHERE role IN ('DBA', 'SELECT_CATALOG_ROLE', 'EXP_FULL_DATABASE', 'DATAPUMP_EXP_FULL_DATABASE')
UNION ALL
SELECT privilege FROM session_privs WHERE privilege = 'SELECT ANY DICTIONARY'
ORDER BY 1";

fn first(rows: &[Vec<Option<String>>], column: usize) -> Option<String> {
    rows.first()
        .and_then(|r| r.get(column).cloned().flatten())
        .filter(|v| !v.is_empty())
}

/// Asks an open session who and what it is. Only the session query must succeed: a user who may
/// not read `v$version` or the role views still gets a report ("unknown" version, no privileges).
pub fn health(session: &mut dyn OracleSession) -> Result<HealthDto, LiveError> {
    let start = Instant::now();
    let rows = session.query("session", SESSION_SQL, &[])?;
    let latency_ms = start.elapsed().as_secs_f64() * 1000.0;
    let server_version = session
        .query("version", VERSION_SQL, &[])
        .ok()
        .and_then(|rows| first(&rows, 0))
        .unwrap_or_else(|| "Oracle (version unknown: no access to v$version)".into());
    let privileges = session
        .query("privileges", PRIVILEGES_SQL, &[])
        .map(|rows| {
            rows.into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .collect()
        })
        .unwrap_or_default();
    Ok(HealthDto {
        server_version,
        user: first(&rows, 0).unwrap_or_default(),
        database: first(&rows, 2)
            .or_else(|| first(&rows, 1))
            .unwrap_or_default(),
        latency_ms,
        privileges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers each query by name; a missing name fails as a database would.
    struct Recorded(Vec<(&'static str, Vec<Vec<Option<String>>>)>);

    impl OracleSession for Recorded {
        fn execute(&mut self, name: &'static str, _sql: &str) -> Result<(), LiveError> {
            panic!("unexpected execute {name}")
        }
        fn query(
            &mut self,
            name: &'static str,
            _sql: &str,
            binds: &[&str],
        ) -> Result<Vec<Vec<Option<String>>>, LiveError> {
            assert!(binds.is_empty());
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, rows)| rows.clone())
                .ok_or(LiveError::Query {
                    query: name,
                    message: "ORA-00942: table or view does not exist".into(),
                })
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.into())
    }

    #[test]
    fn health_reports_user_service_banner_and_catalog_privileges() {
        let mut session = Recorded(vec![
            ("session", vec![vec![s("HR"), s("FREE"), s("FREEPDB1")]]),
            (
                "version",
                vec![vec![s(
                    "Oracle Database 23ai Free Release 23.0.0.0.0 - Develop, Learn, and Run for Free",
                )]],
            ),
            (
                "privileges",
                vec![vec![s("SELECT ANY DICTIONARY")], vec![s("SELECT_CATALOG_ROLE")]],
            ),
        ]);
        let h = health(&mut session).unwrap();
        assert_eq!((h.user.as_str(), h.database.as_str()), ("HR", "FREEPDB1"));
        assert!(h.server_version.starts_with("Oracle Database 23ai"));
        assert_eq!(
            h.privileges,
            ["SELECT ANY DICTIONARY", "SELECT_CATALOG_ROLE"]
        );
        assert!(h.latency_ms >= 0.0);
    }

    #[test]
    fn a_user_without_dictionary_access_still_gets_a_report() {
        let mut session = Recorded(vec![("session", vec![vec![s("APP"), s("ORCL"), None]])]);
        let h = health(&mut session).unwrap();
        assert_eq!((h.user.as_str(), h.database.as_str()), ("APP", "ORCL"));
        assert!(h.server_version.contains("unknown"), "{}", h.server_version);
        assert!(h.privileges.is_empty());
    }

    #[test]
    fn a_failing_session_query_is_an_error() {
        let mut session = Recorded(vec![]);
        assert!(matches!(
            health(&mut session),
            Err(LiveError::Query {
                query: "session",
                ..
            })
        ));
    }
}
