//! Saved connection profiles (no secrets: see [`crate::Secrets`]).

use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Database engine a profile connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Postgres,
}

impl Engine {
    fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
        }
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

/// What a person enters to create (`id: None`) or update a profile.
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

/// A saved connection profile.
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
    /// The profile as a `postgresql://` URL, with `password` (percent-encoded) when given.
    pub fn connection_url(&self, password: Option<&str>) -> String {
        let auth = match password {
            Some(p) => format!("{}:{}", percent_encode(&self.username), percent_encode(p)),
            None => percent_encode(&self.username),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "postgresql://{auth}@{host}:{}/{}",
            self.port,
            percent_encode(&self.database)
        )
    }

    fn from_row(row: &Row) -> rusqlite::Result<Profile> {
        Ok(Profile {
            id: row.get("id")?,
            name: row.get("name")?,
            engine: Engine::Postgres,
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

fn validate(input: &ProfileInput) -> Result<(), StoreError> {
    let required = [
        ("name", &input.name),
        ("host", &input.host),
        ("database", &input.database),
        ("user name", &input.username),
    ];
    for (field, value) in required {
        if value.trim().is_empty() {
            return Err(StoreError::Invalid {
                field,
                problem: "is empty".into(),
            });
        }
    }
    if input.port == 0 {
        return Err(StoreError::Invalid {
            field: "port",
            problem: "must be between 1 and 65535".into(),
        });
    }
    Ok(())
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
        validate(&input)?;
        let name = input.name.trim().to_string();
        let result = match &input.id {
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                self.conn
                    .execute(
                        "INSERT INTO profiles (id, name, engine, host, port, database, username, environment)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![id, name, input.engine.as_str(), input.host.trim(), input.port, input.database, input.username, input.environment.as_str()],
                    )
                    .map(|_| id)
            }
            Some(id) => self
                .conn
                .execute(
                    "UPDATE profiles SET name = ?2, engine = ?3, host = ?4, port = ?5, database = ?6, username = ?7,
                            environment = ?8, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                      WHERE id = ?1",
                    params![id, name, input.engine.as_str(), input.host.trim(), input.port, input.database, input.username, input.environment.as_str()],
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
