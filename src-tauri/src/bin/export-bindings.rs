//! Writes `ui/src/bindings.ts` (or the path given as the first argument) from the command list.

use std::path::PathBuf;

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts"));
    match godwit_desktop::export_bindings(&path) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => {
            eprintln!("cannot export bindings: {e}");
            std::process::exit(1);
        }
    }
}
