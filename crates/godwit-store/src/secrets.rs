//! Passwords in the OS keyring (macOS Keychain, Windows Credential Manager, Secret Service on Linux),
//! one entry per profile under the service name `godwit`. Never written to SQLite or logs.
//!
//! The calls block (D-Bus on Linux): from async code, call them through `spawn_blocking`.

use crate::StoreError;
use keyring::Entry;

/// The keyring service name Godwit's entries live under.
pub const SERVICE: &str = "godwit";

/// Access to profile passwords in the OS keyring.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    service: String,
}

fn keyring_error(e: keyring::Error) -> StoreError {
    StoreError::Keyring(e.to_string())
}

impl Secrets {
    /// Godwit's keyring entries.
    pub fn new() -> Secrets {
        Secrets {
            service: SERVICE.to_string(),
        }
    }

    /// Entries under another service name (tests use their own so they never touch real ones).
    pub fn with_service(service: &str) -> Secrets {
        Secrets {
            service: service.to_string(),
        }
    }

    fn entry(&self, profile_id: &str) -> Result<Entry, StoreError> {
        Entry::new(&self.service, &format!("profile:{profile_id}")).map_err(keyring_error)
    }

    pub fn set_password(&self, profile_id: &str, password: &str) -> Result<(), StoreError> {
        self.entry(profile_id)?
            .set_password(password)
            .map_err(keyring_error)
    }

    /// The saved password, `None` when there is none.
    pub fn password(&self, profile_id: &str) -> Result<Option<String>, StoreError> {
        match self.entry(profile_id)?.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    /// Removes the password; removing one that does not exist is not an error.
    pub fn delete_password(&self, profile_id: &str) -> Result<(), StoreError> {
        match self.entry(profile_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}
