//! The SQL*Plus script reader and the Oracle lexer on arbitrary bytes (made lossy UTF-8, as a file
//! with encoding errors would be after decoding). Neither may panic, and every line they report must
//! be a line of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.matches('\n').count() as u32 + 1;
    let script = godwit_oracle::read_text(Path::new("fuzz.sql"), &text);
    for s in &script.statements {
        assert!(
            s.line >= 1 && s.line <= lines,
            "statement line {} of {lines}",
            s.line
        );
        for t in godwit_oracle::tokenize(&s.text, s.line) {
            assert!(!t.text.is_empty());
            assert!(
                t.line >= s.line && t.line <= lines,
                "token line {} of {lines}",
                t.line
            );
            let _ = t.string_value();
        }
    }
    for n in &script.notes {
        assert!(
            n.line >= 1 && n.line <= lines,
            "note line {} of {lines}",
            n.line
        );
    }
    for t in godwit_oracle::tokenize(&text, 1) {
        assert!(!t.text.is_empty());
        assert!(t.line <= lines, "token line {} of {lines}", t.line);
        let _ = t.string_value();
    }
});
