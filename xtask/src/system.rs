//! System packages (Debian/Ubuntu through apt) and the keyring session the tests run in.

use anyhow::{bail, Context, Result};
use std::process::Command;

/// What the desktop app needs to build and run (Tauri v2 on Linux, the OS keyring).
pub const APP_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libsoup-3.0-dev",
    "libxdo-dev",
    "libdbus-1-dev",
    // pg_query (PostgreSQL's parser, used by the converter) generates its bindings with libclang.
    "libclang-dev",
    "dbus",
    "gnome-keyring",
];

/// What the tests need beyond the app's packages: PostgreSQL server binaries (initdb, pg_ctl, pgbench)
/// and the plpgsql_check extension,
/// openssl for the TLS test, Xvfb and WebKitWebDriver for the end-to-end test.
pub const TEST_ONLY_PACKAGES: &[&str] = &[
    "postgresql",
    // The converter's check on the target runs converted routines through plpgsql_check (Debian 12's
    // PostgreSQL is 15).
    "postgresql-15-plpgsql-check",
    "openssl",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
];

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the missing `packages` with apt (as root, or through sudo). On systems without apt it
/// only checks the tools it can and says what to install.
pub fn ensure_packages(packages: &[&str]) -> Result<()> {
    if !cfg!(target_os = "linux") {
        eprintln!("xtask: not Linux: make sure Node.js 20+, and for tests PostgreSQL server binaries, are installed (see README)");
        return Ok(());
    }
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "xtask: no apt/dpkg here: install the equivalents of {} yourself (see README)",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !is_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            cmd.arg("apt-get");
        }
        let status = cmd
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("cannot run apt-get")?;
        if !status.success() {
            bail!("apt-get {} failed with {status}", args.join(" "));
        }
        Ok(())
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args)
}

/// Re-runs this xtask command inside `dbus-run-session` with an unlocked gnome-keyring whose storage
/// (and every other XDG directory) lives in a temporary folder, then exits with its status.
pub fn rerun_in_keyring_session() -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("godwit-xtask-{}", std::process::id()));
    for sub in ["data", "cache", "config", "runtime"] {
        std::fs::create_dir_all(scratch.join(sub))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            scratch.join("runtime"),
            std::fs::Permissions::from_mode(0o700),
        )?;
    }
    let exe = std::env::current_exe()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let script = r#"eval "$(printf godwit | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; exec "$@""#;
    let status = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script, "sh"])
        .arg(&exe)
        .args(&args)
        .env("GODWIT_IN_KEYRING_SESSION", "1")
        .env("XDG_DATA_HOME", scratch.join("data"))
        .env("XDG_CACHE_HOME", scratch.join("cache"))
        .env("XDG_CONFIG_HOME", scratch.join("config"))
        .env("XDG_RUNTIME_DIR", scratch.join("runtime"))
        .status()
        .context("cannot start dbus-run-session (package dbus)")?;
    let _ = std::fs::remove_dir_all(&scratch);
    std::process::exit(status.code().unwrap_or(1));
}
