//! Saved connection profiles (no secrets: see [`crate::Secrets`]).

use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// What a profile points at: a database engine, or an offline source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// A PostgreSQL server: `host`, `port`, `database`, `username`.
    Postgres,
    /// A live Oracle database: `username`, and `host`, `port`, `database` (the service name) for
    /// EZConnect, or an empty `host` and `database` holding a TNS alias (port 0).
    Oracle,
    /// Oracle scripts read offline: `database` holds the path of a `.sql` file or of a folder of
    /// scripts; `host` and `username` are empty and `port` is 0. Never has a password.
    OracleScript,
}

impl Engine {
    fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Oracle => "oracle",
            Engine::OracleScript => "oracle_script",
        }
    }

    fn parse(s: &str) -> Option<Engine> {
        match s {
            "postgres" => Some(Engine::Postgres),
            "oracle" => Some(Engine::Oracle),
            "oracle_script" => Some(Engine::OracleScript),
            _ => None,
        }
    }

    /// True when profiles of this engine may have a password in the keyring.
    pub fn has_password(self) -> bool {
        !matches!(self, Engine::OracleScript)
    }
}

/// Environment label shown with a colour (dev green, test amber, prod red).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

impl Environment {
    fn as_str(self) -> &'static str {
        match self {
            Environment::Dev => "dev",
            Environment::Test => "test",
            Environment::Prod => "prod",
        }
    }

    fn parse(s: &str) -> Environment {
        match s {
            "prod" => Environment::Prod,
            "test" => Environment::Test,
            _ => Environment::Dev,
        }
    }
}

/// What a person enters to create (`id: None`) or update a profile. The fields mean what
/// [`Engine`] says for each engine; the ones an engine does not use are saved empty (port 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub id: Option<String>,
    pub name: String,
    pub engine: Engine,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub environment: Environment,
}

/// A saved connection profile. The fields mean what [`Engine`] says for its engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub engine: Engine,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub environment: Environment,
    pub created_at: String,
    pub updated_at: String,
}

/// Percent-encodes a URL component (RFC 3986 unreserved characters stay as they are).
pub fn percent_encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for b in component.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Profile {
    /// The profile as a URL, with `password` (percent-encoded) when given:
    /// `postgresql://user:password@host:port/database`, `oracle://user:password@host:port/service`
    /// or `oracle://user:password@TNS_ALIAS`; for an Oracle script source, its path.
    pub fn connection_url(&self, password: Option<&str>) -> String {
        let auth = match password {
            Some(p) => format!("{}:{}", percent_encode(&self.username), percent_encode(p)),
            None => percent_encode(&self.username),
        };
        match self.engine {
            Engine::Postgres => format!(
                "postgresql://{auth}@{}:{}/{}",
                self.bracketed_host(),
                self.port,
                percent_encode(&self.database)
            ),
            Engine::Oracle => match self.tns_alias() {
                Some(alias) => format!("oracle://{auth}@{alias}"),
                None => format!(
                    "oracle://{auth}@{}:{}/{}",
                    self.bracketed_host(),
                    self.port,
                    self.database
                ),
            },
            Engine::OracleScript => self.database.clone(),
        }
    }

    fn bracketed_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// The TNS alias of an Oracle profile that connects through one (`tnsnames.ora`).
    pub fn tns_alias(&self) -> Option<&str> {
        (self.engine == Engine::Oracle && self.host.is_empty()).then_some(self.database.as_str())
    }

    /// What Oracle's client connects to: `//host:port/service` (EZConnect) or the TNS alias.
    /// `None` for other engines.
    pub fn oracle_connect_string(&self) -> Option<String> {
        if self.engine != Engine::Oracle {
            return None;
        }
        Some(match self.tns_alias() {
            Some(alias) => alias.to_string(),
            None => format!(
                "//{}:{}/{}",
                self.bracketed_host(),
                self.port,
                self.database
            ),
        })
    }

    /// The file or folder of an Oracle script source. `None` for other engines.
    pub fn script_path(&self) -> Option<&std::path::Path> {
        (self.engine == Engine::OracleScript).then(|| std::path::Path::new(&self.database))
    }

    fn from_row(row: &Row) -> rusqlite::Result<Profile> {
        Ok(Profile {
            id: row.get("id")?,
            name: row.get("name")?,
            engine: {
                let engine: String = row.get("engine")?;
                Engine::parse(&engine).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        format!("unknown engine {engine:?}").into(),
                    )
                })?
            },
            host: row.get("host")?,
            port: row.get("port")?,
            database: row.get("database")?,
            username: row.get("username")?,
            environment: Environment::parse(&row.get::<_, String>("environment")?),
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

fn required(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid {
            field,
            problem: "is empty".into(),
        });
    }
    Ok(())
}

fn port_required(port: u16) -> Result<(), StoreError> {
    if port == 0 {
        return Err(StoreError::Invalid {
            field: "port",
            problem: "must be between 1 and 65535".into(),
        });
    }
    Ok(())
}

/// Checks what `input`'s engine needs and clears what it does not use (see [`Engine`]).
fn normalize(mut input: ProfileInput) -> Result<ProfileInput, StoreError> {
    required("name", &input.name)?;
    input.name = input.name.trim().to_string();
    input.host = input.host.trim().to_string();
    input.database = input.database.trim().to_string();
    match input.engine {
        Engine::Postgres => {
            required("host", &input.host)?;
            port_required(input.port)?;
            required("database", &input.database)?;
            required("user name", &input.username)?;
        }
        Engine::Oracle => {
            if input.host.is_empty() {
                required("TNS alias", &input.database)?;
                input.port = 0;
            } else {
                port_required(input.port)?;
                required("service name", &input.database)?;
            }
            required("user name", &input.username)?;
        }
        Engine::OracleScript => {
            required("script path", &input.database)?;
            input.host.clear();
            input.port = 0;
            input.username.clear();
        }
    }
    Ok(input)
}

impl Store {
    /// Every profile, by name.
    pub fn list_profiles(&self) -> Result<Vec<Profile>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT * FROM profiles ORDER BY name COLLATE NOCASE")?;
        let rows = stmt.query_map([], Profile::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The profile with this id, or else this name.
    pub fn get_profile(&self, key: &str) -> Result<Profile, StoreError> {
        self.conn
            .query_row(
                "SELECT * FROM profiles WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
                [key],
                Profile::from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::ProfileNotFound(key.to_string()))
    }

    /// Creates the profile when `input.id` is `None`, else updates it. Secrets are not touched.
    pub fn save_profile(&self, input: ProfileInput) -> Result<Profile, StoreError> {
        let input = normalize(input)?;
        let name = input.name.clone();
        let result = match &input.id {
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                self.conn
                    .execute(
                        "INSERT INTO profiles (id, name, engine, host, port, database, username, environment)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![id, name, input.engine.as_str(), input.host, input.port, input.database, input.username, input.environment.as_str()],
                    )
                    .map(|_| id)
            }
            Some(id) => self
                .conn
                .execute(
                    "UPDATE profiles SET name = ?2, engine = ?3, host = ?4, port = ?5, database = ?6, username = ?7,
                            environment = ?8, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                      WHERE id = ?1",
                    params![id, name, input.engine.as_str(), input.host, input.port, input.database, input.username, input.environment.as_str()],
                )
                .map(|n| if n == 0 { String::new() } else { id.clone() }),
        };
        match result {
            Ok(id) if id.is_empty() => {
                Err(StoreError::ProfileNotFound(input.id.unwrap_or_default()))
            }
            Ok(id) => self.get_profile(&id),
            Err(rusqlite::Error::SqliteFailure(e, Some(msg)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation
                    && msg.contains("profiles.name") =>
            {
                Err(StoreError::DuplicateName(name))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the profile (its keyring secret is the caller's to delete, see [`crate::Secrets`]).
    pub fn delete_profile(&self, id: &str) -> Result<(), StoreError> {
        match self
            .conn
            .execute("DELETE FROM profiles WHERE id = ?1", [id])?
        {
            0 => Err(StoreError::ProfileNotFound(id.to_string())),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> ProfileInput {
        ProfileInput {
            id: None,
            name: name.into(),
            engine: Engine::Postgres,
            host: "db.example.org".into(),
            port: 5432,
            database: "shop".into(),
            username: "app".into(),
            environment: Environment::Prod,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("godwit.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn profiles_are_created_listed_updated_and_deleted() {
        let (_dir, store) = store();
        let created = store.save_profile(input("shop-prod")).unwrap();
        store.save_profile(input("analytics")).unwrap();
        let names: Vec<_> = store
            .list_profiles()
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["analytics", "shop-prod"]);

        let mut change = input("shop-prod-eu");
        change.id = Some(created.id.clone());
        change.environment = Environment::Test;
        let updated = store.save_profile(change).unwrap();
        assert_eq!(
            (
                updated.id.as_str(),
                updated.name.as_str(),
                updated.environment
            ),
            (created.id.as_str(), "shop-prod-eu", Environment::Test)
        );
        assert_eq!(store.get_profile("shop-prod-eu").unwrap().id, created.id);

        store.delete_profile(&created.id).unwrap();
        assert!(matches!(
            store.get_profile(&created.id),
            Err(StoreError::ProfileNotFound(_))
        ));
        assert!(matches!(
            store.delete_profile(&created.id),
            Err(StoreError::ProfileNotFound(_))
        ));
    }

    #[test]
    fn profiles_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("godwit.sqlite3");
        let id = Store::open(&path)
            .unwrap()
            .save_profile(input("kept"))
            .unwrap()
            .id;
        assert_eq!(
            Store::open(&path).unwrap().get_profile("kept").unwrap().id,
            id
        );
    }

    #[test]
    fn bad_profiles_are_refused_naming_the_field() {
        let (_dir, store) = store();
        let mut no_host = input("x");
        no_host.host = "  ".into();
        assert_eq!(
            store.save_profile(no_host).unwrap_err().to_string(),
            "invalid connection profile: host is empty"
        );
        let mut no_port = input("x");
        no_port.port = 0;
        assert!(store
            .save_profile(no_port)
            .unwrap_err()
            .to_string()
            .contains("port"));
        store.save_profile(input("twice")).unwrap();
        assert_eq!(
            store.save_profile(input("twice")).unwrap_err().to_string(),
            "a connection profile named \"twice\" already exists"
        );
        assert!(
            store.list_profiles().unwrap().len() == 1,
            "a refused profile was half-written"
        );
    }

    fn oracle(name: &str, host: &str, port: u16, database: &str) -> ProfileInput {
        ProfileInput {
            id: None,
            name: name.into(),
            engine: Engine::Oracle,
            host: host.into(),
            port,
            database: database.into(),
            username: "hr".into(),
            environment: Environment::Test,
        }
    }

    #[test]
    fn oracle_profiles_connect_by_service_name_or_tns_alias() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("godwit.sqlite3");
        let store = Store::open(&path).unwrap();
        let ez = store
            .save_profile(oracle("hr-ez", " db.example.org ", 1521, "FREEPDB1"))
            .unwrap();
        assert_eq!(ez.engine, Engine::Oracle);
        assert_eq!(ez.tns_alias(), None);
        assert_eq!(
            ez.oracle_connect_string().as_deref(),
            Some("//db.example.org:1521/FREEPDB1")
        );
        assert_eq!(
            ez.connection_url(Some("p@ss")),
            "oracle://hr:p%40ss@db.example.org:1521/FREEPDB1"
        );
        // An alias has no host, and the port it was typed with is dropped.
        let tns = store
            .save_profile(oracle("hr-tns", "", 1521, "PRODDB"))
            .unwrap();
        assert_eq!((tns.port, tns.tns_alias()), (0, Some("PRODDB")));
        assert_eq!(tns.oracle_connect_string().as_deref(), Some("PRODDB"));
        assert_eq!(tns.connection_url(None), "oracle://hr@PRODDB");
        assert_eq!(tns.script_path(), None);
        drop(store);
        // Both come back the same from the file.
        let again = Store::open(&path).unwrap();
        assert_eq!(again.get_profile("hr-ez").unwrap(), ez);
        assert_eq!(again.get_profile("hr-tns").unwrap(), tns);
    }

    #[test]
    fn oracle_script_sources_keep_only_their_path() {
        let (_dir, store) = store();
        let mut input = oracle(
            "shop-scripts",
            "ignored-host",
            1521,
            " /data/shop/install.sql ",
        );
        input.engine = Engine::OracleScript;
        let saved = store.save_profile(input).unwrap();
        assert_eq!(
            (saved.host.as_str(), saved.port, saved.username.as_str()),
            ("", 0, "")
        );
        assert_eq!(
            saved.script_path(),
            Some(std::path::Path::new("/data/shop/install.sql"))
        );
        assert_eq!(saved.oracle_connect_string(), None);
        assert_eq!(saved.connection_url(Some("x")), "/data/shop/install.sql");
        assert!(!saved.engine.has_password());
        assert!(Engine::Oracle.has_password() && Engine::Postgres.has_password());
    }

    #[test]
    fn oracle_profiles_missing_a_field_are_refused_naming_it() {
        let (_dir, store) = store();
        let cases = [
            (oracle("a", "db", 1521, ""), "service name is empty"),
            (oracle("b", "", 1521, " "), "TNS alias is empty"),
            (
                oracle("c", "db", 0, "FREEPDB1"),
                "port must be between 1 and 65535",
            ),
            (
                ProfileInput {
                    username: " ".into(),
                    ..oracle("d", "db", 1521, "FREEPDB1")
                },
                "user name is empty",
            ),
            (
                ProfileInput {
                    engine: Engine::OracleScript,
                    ..oracle("e", "", 0, "")
                },
                "script path is empty",
            ),
        ];
        for (input, expected) in cases {
            let err = store.save_profile(input).unwrap_err().to_string();
            assert_eq!(err, format!("invalid connection profile: {expected}"));
        }
        assert!(store.list_profiles().unwrap().is_empty());
    }

    #[test]
    fn a_profile_can_change_engine() {
        let (_dir, store) = store();
        let live = store
            .save_profile(oracle("shop", "db", 1521, "FREEPDB1"))
            .unwrap();
        let script = store
            .save_profile(ProfileInput {
                id: Some(live.id.clone()),
                engine: Engine::OracleScript,
                ..oracle("shop", "db", 1521, "/tmp/shop.sql")
            })
            .unwrap();
        assert_eq!(script.id, live.id);
        assert_eq!(
            (script.engine, script.host.as_str(), script.port),
            (Engine::OracleScript, "", 0)
        );
    }

    #[test]
    fn connection_urls_encode_user_password_and_database() {
        let (_dir, store) = store();
        let mut i = input("enc");
        i.username = "a@b".into();
        i.database = "my db".into();
        let p = store.save_profile(i).unwrap();
        assert_eq!(
            p.connection_url(Some("p:w/d?")),
            "postgresql://a%40b:p%3Aw%2Fd%3F@db.example.org:5432/my%20db"
        );
        assert_eq!(
            p.connection_url(None),
            "postgresql://a%40b@db.example.org:5432/my%20db"
        );
    }
}
