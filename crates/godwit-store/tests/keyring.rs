//! Passwords go to the real OS keyring and never into the SQLite file.
//!
//! On Linux this needs a Secret Service (gnome-keyring) on the session bus: `cargo xtask test` runs the
//! tests inside `dbus-run-session` with an unlocked gnome-keyring and sets GODWIT_REQUIRE_KEYRING=1, so
//! there a missing keyring fails the test. Without a session bus (a bare `cargo test`) it is skipped
//! with a message.

use godwit_store::{Engine, Environment, ProfileInput, Secrets, Store};

fn keyring_available() -> bool {
    if std::env::var_os("GODWIT_REQUIRE_KEYRING").is_some() || !cfg!(target_os = "linux") {
        return true;
    }
    let available = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    if !available {
        eprintln!(
            "SKIPPED: no D-Bus session for the Secret Service keyring; run `cargo xtask test`"
        );
    }
    available
}

#[test]
fn passwords_live_in_the_keyring_not_in_sqlite() {
    if !keyring_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("godwit.sqlite3");
    let store = Store::open(&path).unwrap();
    let profile = store
        .save_profile(ProfileInput {
            id: None,
            name: "keyring-test".into(),
            engine: Engine::Postgres,
            host: "localhost".into(),
            port: 5432,
            database: "db".into(),
            username: "u".into(),
            environment: Environment::Dev,
        })
        .unwrap();
    let secrets = Secrets::with_service(&format!("godwit-test-{}", std::process::id()));
    let password = "correct horse battery staple 🐎";
    assert_eq!(secrets.password(&profile.id).unwrap(), None);
    secrets.set_password(&profile.id, password).unwrap();
    assert_eq!(
        secrets.password(&profile.id).unwrap().as_deref(),
        Some(password)
    );
    // A fresh handle (as after an app restart) reads the same secret.
    let again = Secrets::with_service(&format!("godwit-test-{}", std::process::id()));
    assert_eq!(
        again.password(&profile.id).unwrap().as_deref(),
        Some(password)
    );

    drop(store);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let needle = password.as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the password reached the SQLite files"
    );

    secrets.delete_password(&profile.id).unwrap();
    assert_eq!(secrets.password(&profile.id).unwrap(), None);
    secrets.delete_password(&profile.id).unwrap();
}
