//! Connecting to PostgreSQL, with errors that say what to fix, and the `health` check.
//!
//! TLS follows libpq's `sslmode`: `disable`, `prefer` (the default: TLS when the server offers it) and
//! `require` (TLS or nothing). As in libpq, `require` encrypts without verifying the server certificate.

use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};

/// Why a connection failed, phrased as what to fix. Never contains the password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid connection URL {url}: {reason}. Expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require]")]
    InvalidUrl { url: String, reason: String },
    #[error("password authentication failed for user \"{user}\" at {server}: check the password (or the user name)")]
    WrongPassword { user: String, server: String },
    #[error("role \"{user}\" does not exist at {server}: check the user name")]
    UnknownUser { user: String, server: String },
    #[error("cannot reach {server}: {reason}. Check the host name and port, that the server is running and that a firewall lets the connection through")]
    Unreachable { server: String, reason: String },
    #[error("database \"{database}\" does not exist at {server}: check its name or create it (CREATE DATABASE \"{database}\")")]
    DatabaseMissing { database: String, server: String },
    #[error("{server} requires an encrypted connection: add sslmode=require to the URL (e.g. …/{database}?sslmode=require)")]
    TlsRequired { server: String, database: String },
    #[error("{server} refused user \"{user}\" for database \"{database}\": {reason}. Ask the administrator for an entry in pg_hba.conf")]
    Rejected {
        server: String,
        user: String,
        database: String,
        reason: String,
    },
    #[error("user \"{user}\" may not connect to database \"{database}\" at {server}: grant it with GRANT CONNECT ON DATABASE \"{database}\" TO \"{user}\"")]
    InsufficientPrivilege {
        user: String,
        database: String,
        server: String,
    },
    #[error("{server}: {message}")]
    Server { server: String, message: String },
}

/// What `godwit health` reports about a server.
#[derive(Clone, Debug, Serialize)]
pub struct HealthReport {
    /// `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`.
    pub server_version: String,
    pub server_version_num: u32,
    pub user: String,
    pub database: String,
    /// Round trip of `SELECT 1`, median of five, in milliseconds.
    pub latency_ms: f64,
    /// What the user may do: `superuser`, `create databases`, `create in database`, `temporary tables`,
    /// `replication`, `read all data`.
    pub privileges: Vec<String>,
    /// True when the connection is encrypted.
    pub tls: bool,
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let authority = match authority.rfind('@') {
        Some(at) => match authority[..at].split_once(':') {
            Some((user, _)) => format!("{user}:***{}", &authority[at..]),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    format!(
        "{}{}{}",
        &url[..scheme_end],
        authority,
        redact_query_password(&rest[authority_end..])
    )
}

fn redact_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| {
            if kv.to_ascii_lowercase().starts_with("password=") {
                "password=***".to_string()
            } else {
                kv.to_string()
            }
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

struct Target {
    server: String,
    user: String,
    database: String,
}

fn describe_target(config: &Config) -> Target {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("").to_string();
    Target {
        server: format!("{host}:{port}"),
        database: config.get_dbname().unwrap_or(&user).to_string(),
        user,
    }
}

fn parse(url: &str) -> Result<Config, ConnectError> {
    let mut config: Config =
        url.parse()
            .map_err(|e: tokio_postgres::Error| ConnectError::InvalidUrl {
                url: redact_url(url),
                reason: e.to_string(),
            })?;
    if config.get_user().is_none() {
        return Err(ConnectError::InvalidUrl {
            url: redact_url(url),
            reason: "no user name".into(),
        });
    }
    if config.get_hosts().is_empty() {
        config.host("localhost");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("godwit");
    Ok(config)
}

fn classify(error: tokio_postgres::Error, target: &Target) -> ConnectError {
    let Target {
        server,
        user,
        database,
    } = target;
    let (server, user, database) = (server.clone(), user.clone(), database.clone());
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        let message = db.message().to_string();
        return if *code == SqlState::INVALID_PASSWORD {
            ConnectError::WrongPassword { user, server }
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            ConnectError::DatabaseMissing { database, server }
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            ConnectError::InsufficientPrivilege {
                user,
                database,
                server,
            }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && message.contains("no encryption")
        {
            ConnectError::TlsRequired { server, database }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && message.contains("does not exist")
        {
            ConnectError::UnknownUser { user, server }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            ConnectError::Rejected {
                server,
                user,
                database,
                reason: message,
            }
        } else {
            ConnectError::Server { server, message }
        };
    }
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    if reason.contains("password missing") {
        return ConnectError::WrongPassword { user, server };
    }
    ConnectError::Unreachable { server, reason }
}

/// Accepts any server certificate: libpq's `sslmode=require` semantics (encryption, no verification).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_connector() -> tokio_postgres_rustls::MakeRustlsConnect {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

/// Connects to `url` (a `postgresql://` URL), driving the connection on the current tokio runtime.
pub async fn connect(url: &str) -> Result<Client, ConnectError> {
    let config = parse(url)?;
    let target = describe_target(&config);
    let result = if config.get_ssl_mode() == SslMode::Disable {
        config
            .connect(tokio_postgres::NoTls)
            .await
            .map(|(client, conn)| {
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection closed");
                    }
                });
                client
            })
    } else {
        config.connect(tls_connector()).await.map(|(client, conn)| {
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection closed");
                }
            });
            client
        })
    };
    let client = result.map_err(|e| classify(e, &target))?;
    tracing::debug!(server = %target.server, database = %target.database, "connected");
    Ok(client)
}

/// Connects, then reports server version, the user's privileges and the round-trip latency.
pub async fn health(url: &str) -> Result<HealthReport, ConnectError> {
    let config = parse(url)?;
    let target = describe_target(&config);
    let client = connect(url).await?;
    let server_error = |e: tokio_postgres::Error| classify(e, &target);
    let row = client
        .query_one(
            "SELECT current_setting('server_version'), current_setting('server_version_num')::int4,
                    current_user::text, current_database()::text,
                    r.rolsuper, r.rolcreatedb, r.rolreplication,
                    has_database_privilege(current_database(), 'CREATE'),
                    has_database_privilege(current_database(), 'TEMPORARY'),
                    CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_read_all_data')
                         THEN pg_has_role('pg_read_all_data', 'member') ELSE false END,
                    COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)
               FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await
        .map_err(server_error)?;
    let mut samples = Vec::with_capacity(5);
    for _ in 0..5 {
        let start = Instant::now();
        client
            .simple_query("SELECT 1")
            .await
            .map_err(server_error)?;
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let flags = [
        (row.get::<_, bool>(4), "superuser"),
        (row.get(5), "create databases"),
        (row.get(7), "create in database"),
        (row.get(8), "temporary tables"),
        (row.get(6), "replication"),
        (
            row.get::<_, bool>(4) || row.get::<_, bool>(9),
            "read all data",
        ),
    ];
    Ok(HealthReport {
        server_version: row.get(0),
        server_version_num: row.get::<_, i32>(1) as u32,
        user: row.get(2),
        database: row.get(3),
        latency_ms: (samples[2] * 1000.0).round() / 1000.0,
        privileges: flags
            .iter()
            .filter(|(has, _)| *has)
            .map(|(_, name)| name.to_string())
            .collect(),
        tls: row.get(10),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_passwords_in_userinfo_and_query() {
        let cases = [
            (
                "postgresql://bob:s3cret@db:5432/app",
                "postgresql://bob:***@db:5432/app",
            ),
            ("postgresql://bob@db/app", "postgresql://bob@db/app"),
            (
                "postgres://bob:p%40ss@db/app?sslmode=require",
                "postgres://bob:***@db/app?sslmode=require",
            ),
            (
                "postgresql://db/app?user=bob&password=s3cret",
                "postgresql://db/app?user=bob&password=***",
            ),
            (
                "postgresql://bob:x@y:z@db/app",
                "postgresql://bob:***@db/app",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_url(url), expected);
        }
    }

    #[test]
    fn an_invalid_url_is_reported_without_its_password() {
        let err = parse("postgresql://bob:s3cret@db:notaport/app").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("invalid connection URL"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
