//! What the copy tests share: running the real `godwit` binary.

use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `godwit` with `args`, its history in `data_dir`, progress lines every 0.2 s.
pub fn godwit(args: &[&str], data_dir: &std::path::Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_godwit"))
        .args(args)
        .env("GODWIT_DATA_DIR", data_dir)
        .env("GODWIT_PROGRESS_SECONDS", "0.2")
        .env_remove("PGPASSWORD")
        .env_remove("RUST_LOG")
        .output()
        .expect("run godwit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
