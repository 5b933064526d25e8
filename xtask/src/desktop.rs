//! Desktop app automation: UI dependencies and build, the app build, tauri-driver, the
//! end-to-end run under Xvfb, and launching the app for a person.
//!
//! Linux-first: the E2E run needs Xvfb, tauri-driver and WebKitWebDriver (package
//! `webkit2gtk-driver`), and expects to run inside a D-Bus session with an unlocked keyring.

use std::ffi::OsStr;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};

/// Name of the stamp file (a copy of `package-lock.json`) recording what `npm ci` installed.
const LOCK_STAMP: &str = ".godwit-package-lock.json";

fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn npm(ui: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(ui).args(args);
    cmd
}

/// Runs `npm ci` in `ui/` when `node_modules` is missing or `package-lock.json` changed since
/// the last install. Fails when npm is missing or the install fails.
pub fn install_ui_deps(root: &Path) -> Result<()> {
    let ui = root.join("ui");
    let lock =
        std::fs::read(ui.join("package-lock.json")).context("cannot read ui/package-lock.json")?;
    let stamp = ui.join("node_modules").join(LOCK_STAMP);
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    run(&mut npm(&ui, &["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(&stamp, &lock).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(())
}

/// Type-checks the UI (svelte-check, strict TypeScript) and builds it with Vite into `ui/dist`.
pub fn build_ui(root: &Path) -> Result<()> {
    let ui = root.join("ui");
    run(&mut npm(&ui, &["run", "check"]))?;
    run(&mut npm(&ui, &["run", "build"]))
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the desktop binary (debug, `tauri/custom-protocol` so it serves `ui/dist` instead of
/// the dev server) and returns its path. Run [`build_ui`] first: the build embeds `ui/dist`.
pub fn build_app(root: &Path) -> Result<PathBuf> {
    run(cargo().current_dir(root).args([
        "build",
        "-p",
        "godwit-desktop",
        "--bin",
        "godwit-desktop",
        "--features",
        "tauri/custom-protocol",
    ]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let app = target.join("debug").join("godwit-desktop");
    if !app.is_file() {
        bail!("the build finished but {} is missing", app.display());
    }
    Ok(app)
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Returns the path of `tauri-driver`, installing it with `cargo install tauri-driver --locked`
/// (about a minute) when it is missing. Fails when `WebKitWebDriver` is not installed either.
pub fn ensure_tauri_driver() -> Result<PathBuf> {
    if find_in_path("WebKitWebDriver").is_none() {
        bail!("WebKitWebDriver is missing: install the Debian package webkit2gtk-driver");
    }
    if let Some(p) = find_in_path("tauri-driver") {
        return Ok(p);
    }
    run(cargo().args(["install", "tauri-driver", "--locked"]))?;
    find_in_path("tauri-driver")
        .ok_or_else(|| anyhow!("tauri-driver was installed but is not on PATH or in ~/.cargo/bin"))
}

/// A child started in its own process group; dropping it kills the whole group and reaps it.
struct Group {
    name: &'static str,
    child: Child,
}

impl Group {
    fn spawn(name: &'static str, cmd: &mut Command) -> Result<Group> {
        let child = cmd
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(Group { name, child })
    }

    fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &group])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                sleep(Duration::from_millis(50));
            }
        }
        eprintln!(
            "warning: {} (pid {}) did not stop",
            self.name,
            self.child.id()
        );
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A display number with neither a lock file nor a socket.
fn free_display() -> Result<u32> {
    (99..199)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .ok_or_else(|| anyhow!("no free X display between :99 and :198"))
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        sleep(Duration::from_millis(100));
    }
    bail!("timed out after {timeout:?} waiting for {what}")
}

/// Runs the end-to-end test (`tests/e2e/run.mjs`) against the built `app`: starts Xvfb and
/// tauri-driver in their own process groups with fresh XDG and Godwit data dirs, runs the Node
/// script, and kills both groups whatever happens. `pg_url` is a disposable PostgreSQL
/// (`postgresql://user:pass@host:port/db`); the test creates schema `e2e_shop` in it.
///
/// Set `GODWIT_E2E_ARTIFACTS` to keep failure screenshots in that directory (and
/// `GODWIT_E2E_SCREENSHOTS=1` for one per passing test too).
///
/// Expects a D-Bus session with an unlocked Secret Service keyring (the app stores passwords
/// there). Fails when a tool is missing or any E2E test fails.
pub fn run_e2e(root: &Path, app: &Path, pg_url: &str) -> Result<()> {
    let driver = ensure_tauri_driver()?;
    let app = std::fs::canonicalize(app)
        .with_context(|| format!("app binary {} not found", app.display()))?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let tmp = std::env::temp_dir().join(format!("godwit-e2e-{}-{stamp}", std::process::id()));
    let dirs = ["data", "cache", "config", "godwit", "artifacts"].map(|d| tmp.join(d));
    for d in &dirs {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let [data, cache, config, godwit_data, tmp_artifacts] = dirs;
    // Screenshots go to $GODWIT_E2E_ARTIFACTS when set (kept), else into the temp dir.
    let artifacts = std::env::var_os("GODWIT_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or(tmp_artifacts);
    let env: [(&str, &OsStr); 4] = [
        ("XDG_DATA_HOME", data.as_os_str()),
        ("XDG_CACHE_HOME", cache.as_os_str()),
        ("XDG_CONFIG_HOME", config.as_os_str()),
        ("GODWIT_DATA_DIR", godwit_data.as_os_str()),
    ];

    let display = free_display()?;
    let mut xvfb_cmd = Command::new("Xvfb");
    xvfb_cmd
        .args([
            &format!(":{display}"),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _xvfb = Group::spawn("Xvfb", &mut xvfb_cmd)?;
    wait_for("Xvfb", Duration::from_secs(10), || {
        Path::new(&format!("/tmp/.X11-unix/X{display}")).exists()
    })?;

    let port = free_port()?;
    let native_port = free_port()?;
    let mut driver_cmd = Command::new(&driver);
    driver_cmd
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", format!(":{display}"))
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _driver = Group::spawn("tauri-driver", &mut driver_cmd)?;

    let started = Instant::now();
    let status = Command::new("node")
        .arg(root.join("tests/e2e/run.mjs"))
        .current_dir(root)
        .env("GODWIT_APP", &app)
        .env("GODWIT_TEST_PG", pg_url)
        .env("WEBDRIVER_URL", format!("http://127.0.0.1:{port}"))
        .env("GODWIT_E2E_ARTIFACTS", &artifacts)
        .envs(env)
        .status()
        .context("cannot start node (Node 20 or newer is required)")?;
    println!("E2E ran in {:.1} s", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!(
            "the desktop E2E test failed ({status}); screenshots, if any, are in {}",
            artifacts.display()
        );
    }
    // Groups are killed on drop; the temp dir goes once everything is down.
    drop(_driver);
    drop(_xvfb);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// Installs UI dependencies, builds the UI and the app, and runs the app until its window closes.
pub fn launch(root: &Path) -> Result<()> {
    install_ui_deps(root)?;
    build_ui(root)?;
    let app = build_app(root)?;
    run(Command::new(app).current_dir(root))
}
