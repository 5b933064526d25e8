//! A session on Oracle's pure-Rust thin driver (crate `oracledb`, beta): no client library needed.
//!
//! Behind the `thin` cargo feature. Talks Oracle Net directly (Easy Connect strings and `tnsnames.ora`
//! aliases through `TNS_ADMIN`); Oracle Database 19c or later, per the driver's documentation; no Native
//! Network Encryption (use TLS).

use super::{LiveError, OracleSession, OracleUrl};
use std::time::Duration;

/// Rows fetched per round trip (and on the first execute). Catalog queries return one row per object,
/// so a large schema takes a few round trips instead of one per hundred rows.
pub const FETCH_ARRAY_SIZE: u32 = 1000;

/// How long establishing the network connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// A session on the thin driver.
pub struct ThinSession(oracledb::Connection);

/// Connects with the thin driver. Errors name the target (`//host:port/service` or the alias), never
/// the password.
pub fn connect_thin(url: &OracleUrl) -> Result<ThinSession, LiveError> {
    // The driver builds its TLS configuration (tcps://) on rustls's process-wide provider, which is
    // ambiguous when a binary also links another provider (godwit-postgres uses ring): name one. A
    // provider installed earlier stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let password = super::password(url);
    let failed = |e: oracledb::Error| LiveError::Connect {
        target: url.connect_string.clone(),
        message: super::hide(&e.to_string(), &password),
    };
    let config = oracledb::Config::default()
        .set_credentials(&url.user, &password)
        .set_transport_connect_timeout(Some(CONNECT_TIMEOUT))
        .set_connect_string(&url.connect_string)
        .map_err(failed)?;
    oracledb::connect(config).map(ThinSession).map_err(failed)
}

/// Any column value as text (NULL as `None`): strings, CLOBs (fetched as strings), numbers and ROWIDs
/// as the driver spells them, dates and intervals through their `Display`.
fn text(row: &oracledb::Row, i: usize) -> Result<Option<String>, oracledb::Error> {
    match row.get::<Option<String>>(i) {
        Ok(v) => Ok(v),
        Err(first) => row
            .get::<Option<oracledb::OracleTimestamp>>(i)
            .map(|v| v.map(|t| t.to_string()))
            .or_else(|_| {
                row.get::<Option<oracledb::OracleIntervalDS>>(i)
                    .map(|v| v.map(|t| t.to_string()))
            })
            .or_else(|_| {
                row.get::<Option<oracledb::OracleIntervalYM>>(i)
                    .map(|v| v.map(|t| t.to_string()))
            })
            .or_else(|_| row.get::<Option<f64>>(i).map(|v| v.map(|f| f.to_string())))
            .or_else(|_| row.get::<Option<bool>>(i).map(|v| v.map(|b| b.to_string())))
            // BLOB, LONG RAW and RAW as hex, as the queries read RAW.
            .or_else(|_| {
                row.get::<Option<Vec<u8>>>(i)
                    .map(|v| v.map(|bytes| bytes.iter().map(|b| format!("{b:02X}")).collect()))
            })
            .map_err(|_| first),
    }
}

impl OracleSession for ThinSession {
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
        let error = |e: oracledb::Error| LiveError::Query {
            query: name,
            message: e.to_string(),
        };
        let statement = self
            .0
            .statement(sql)
            .map_err(error)?
            .prefetch_rows(FETCH_ARRAY_SIZE)
            .fetch_array_size(FETCH_ARRAY_SIZE)
            .build()
            .map_err(error)?;
        let params: Vec<&dyn oracledb::ToDbValue> = binds
            .iter()
            .map(|b| b as &dyn oracledb::ToDbValue)
            .collect();
        let mut out = Vec::new();
        for row in statement.query(&params).map_err(error)? {
            let row = row.map_err(error)?;
            out.push(
                (0..row.columns().len())
                    .map(|i| text(&row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(error)?,
            );
        }
        Ok(out)
    }
}
