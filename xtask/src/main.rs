//! `cargo xtask run` launches the desktop app; `cargo xtask test` runs every test. Both install what
//! they need first (Debian/Ubuntu system packages through apt, Node packages through npm) and skip
//! whatever is already present, so a second run goes straight to work.

mod desktop;
mod system;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <run|test>
  run    install what the desktop app needs, build it and launch it
  test   install what the tests need and run every test: engine crates, CLI, desktop bindings,
         and the end-to-end test of the real app under Xvfb";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_app(),
        Some("test") => test(),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

/// Stages and how long each took, printed at the end.
struct Timings(Vec<(String, f64)>, Instant);

impl Timings {
    fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        eprintln!("xtask: == {name}");
        let start = Instant::now();
        let out = f().with_context(|| format!("stage {name:?} failed"))?;
        self.0
            .push((name.to_string(), start.elapsed().as_secs_f64()));
        Ok(out)
    }

    fn print(&self) {
        eprintln!("xtask: timings");
        for (name, secs) in &self.0 {
            eprintln!("  {name:<40} {secs:>7.1} s");
        }
        eprintln!(
            "  {:<40} {:>7.1} s",
            "total",
            self.1.elapsed().as_secs_f64()
        );
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn check(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn run_app() -> Result<()> {
    let root = workspace_root();
    system::ensure_packages(system::APP_PACKAGES)?;
    // Installs the UI's packages when needed, builds the UI and the app, then runs it.
    desktop::launch(&root)
}

fn test() -> Result<()> {
    let root = workspace_root();
    if cfg!(target_os = "linux") && std::env::var_os("GODWIT_IN_KEYRING_SESSION").is_none() {
        system::ensure_packages(&[system::APP_PACKAGES, system::TEST_ONLY_PACKAGES].concat())?;
        // Re-run inside a private D-Bus session with an unlocked gnome-keyring: the real Secret
        // Service keyring the app uses, with throwaway storage (XDG_DATA_HOME) so no real secret is touched.
        return system::rerun_in_keyring_session();
    }
    let mut t = Timings(Vec::new(), Instant::now());
    t.stage("ui dependencies", || desktop::install_ui_deps(&root))?;
    t.stage("ui build", || desktop::build_ui(&root))?;
    t.stage("cargo test: engine crates and CLI", || {
        check(
            cargo()
                .current_dir(&root)
                .args([
                    "test",
                    "--workspace",
                    "--exclude",
                    "xtask",
                    "--exclude",
                    "godwit-desktop",
                ])
                .env("GODWIT_REQUIRE_KEYRING", "1"),
        )
    })?;
    // Same features as the app build below, so the two share every compiled dependency.
    t.stage("cargo test: desktop shell (bindings drift)", || {
        check(cargo().current_dir(&root).args([
            "test",
            "-p",
            "godwit-desktop",
            "--features",
            "tauri/custom-protocol",
        ]))
    })?;
    let app = t.stage("desktop app build", || desktop::build_app(&root))?;
    t.stage("tauri-driver", || {
        desktop::ensure_tauri_driver().map(|_| ())
    })?;
    t.stage("end-to-end test of the desktop app", || {
        let cluster;
        let url = match std::env::var("GODWIT_TEST_PG") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                cluster = godwit_testkit::Cluster::start(godwit_testkit::ClusterOptions::default());
                cluster.url("postgres")
            }
        };
        desktop::run_e2e(&root, &app, &url)
    })?;
    t.print();
    eprintln!("xtask: all tests passed");
    Ok(())
}
