//! Conversion speed on the shared Oracle corpora: `cargo bench -p godwit-convert`.
//!
//! Reads every corpus folder under `$GODWIT_CORPUS` (default `../shared/corpus/oracle` beside the
//! repository), then times, in this process, the reference pass (reading the files and counting their
//! lines) and the full conversion (read, split, convert, write the script text), best of five runs.
//! Prints seconds, lines per second, and the conversion's ratio to the reference pass.

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn best_of<F: FnMut() -> usize>(runs: usize, mut f: F) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut out = 0;
    for _ in 0..runs {
        let start = Instant::now();
        out = f();
        best = best.min(start.elapsed());
    }
    (best, out)
}

fn main() {
    let root = std::env::var_os("GODWIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/oracle")
        });
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("no corpus at {} (set GODWIT_CORPUS)", root.display());
        return;
    };
    let mut corpora: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("files.txt").is_file())
        .collect();
    corpora.sort();
    let files: Vec<PathBuf> = corpora
        .iter()
        .flat_map(|c| {
            std::fs::read_to_string(c.join("files.txt"))
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| c.join(l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    let (reference, lines) = best_of(5, || {
        files
            .iter()
            .map(|f| {
                std::fs::read(f)
                    .map(|b| b.iter().filter(|c| **c == b'\n').count())
                    .unwrap_or(0)
            })
            .sum()
    });
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let options = godwit_convert::Options::default();
    let (convert, objects) = best_of(5, || {
        corpora
            .iter()
            .map(|c| {
                let script = godwit_oracle::read_input(c).expect("corpus reads");
                let conversion = godwit_convert::convert(&script.statements, &options);
                let sql = conversion.to_sql(&options);
                std::hint::black_box(sql.len());
                conversion.objects.len()
            })
            .sum()
    });
    println!(
        "corpora: {} ({} files, {lines} lines, {:.2} MB), {objects} objects reported",
        corpora.len(),
        files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "reference (read files, count lines): {:.4} s",
        reference.as_secs_f64()
    );
    println!(
        "convert all corpora: {:.4} s = {:.0} lines/s, {:.1} MB/s, {:.1}x the reference pass",
        convert.as_secs_f64(),
        lines as f64 / convert.as_secs_f64(),
        bytes as f64 / 1e6 / convert.as_secs_f64(),
        convert.as_secs_f64() / reference.as_secs_f64().max(1e-9)
    );
    // Each corpus alone (the bar is per corpus: each PL/SQL code base under 1 s).
    for corpus in &corpora {
        let (alone, _) = best_of(5, || {
            let script = godwit_oracle::read_input(corpus).expect("corpus reads");
            let conversion = godwit_convert::convert(&script.statements, &options);
            std::hint::black_box(conversion.to_sql(&options).len())
        });
        println!(
            "  {}: {:.4} s",
            corpus.file_name().unwrap_or_default().to_string_lossy(),
            alone.as_secs_f64()
        );
    }
}
