//! The whole conversion, as `godwit convert --from oracle` runs it: the script reader, the converter,
//! the PostgreSQL script and the JSON report, on arbitrary bytes made lossy UTF-8. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let script = godwit_oracle::read_text(Path::new("fuzz.sql"), &text);
    let options = godwit_convert::Options::default();
    let conversion = godwit_convert::convert(&script.statements, &options);
    let _ = conversion.to_sql(&options);
    let _ = conversion.report_json();
    for object in &conversion.objects {
        let _ = conversion.postgres_sql(object);
    }
});
