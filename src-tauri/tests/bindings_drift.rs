//! The committed TypeScript bindings must equal a fresh export.

use std::path::PathBuf;

#[test]
fn committed_bindings_match_fresh_export() {
    let committed_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    // No tempfile crate here: a dev-dependency that changes shared dependencies' features would make
    // the app build recompile the whole Tauri stack after the tests.
    let fresh_path =
        std::env::temp_dir().join(format!("godwit-bindings-{}.ts", std::process::id()));
    godwit_desktop::export_bindings(&fresh_path).expect("export bindings");
    let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
    let _ = std::fs::remove_file(&fresh_path);
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is out of date: run `cargo run -p godwit-desktop --bin export-bindings` and commit it"
    );
}
