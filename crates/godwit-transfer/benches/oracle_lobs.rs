//! Memory and speed of Oracle LOBs on their way into PostgreSQL.
//!
//! One row with a CLOB and a BLOB of `GODWIT_BENCH_LOB_MB` MB each (default 256; generated as
//! they are read, never whole in memory) is copied by `copy_oracle_from` with `--verify hash` into
//! a throwaway cluster (or the server `GODWIT_TEST_PG` names), and the same COPY text is sent by a
//! bare `COPY … FROM STDIN` in the same process: the reference. Printed: each one's time, the ratio,
//! and the growth of peak RSS (VmHWM, reset between the two) against the size of the values.
//!
//! `cargo bench -p godwit-transfer --bench oracle_lobs`

use bytes::Bytes;
use futures_util::SinkExt;
use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_transfer::{OracleCopyOptions, Verify};
use std::io::Read;

#[path = "../tests/common/generated_lobs.rs"]
mod generated_lobs;
use generated_lobs::{
    blob_pattern, clob_len, copy_generated, escaped_text, Generated, Repeated, TEXT,
};
use std::time::Instant;

const MB: f64 = 1024.0 * 1024.0;

#[tokio::main]
async fn main() {
    let megabytes: usize = std::env::var("GODWIT_BENCH_LOB_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let bytes = megabytes << 20;
    let target = godwit_testkit::database("bench_oracle_lobs").await;
    target
        .execute(
            "CREATE TABLE docs (id integer PRIMARY KEY, body text, image bytea);
             CREATE TABLE reference (id integer PRIMARY KEY, body text, image bytea);",
        )
        .await;
    let client = target.connect().await;

    // The reference: the same COPY text, generated piece by piece, sent by a bare COPY.
    let before = resident();
    reset_peak();
    let started = Instant::now();
    {
        let sink = client
            .copy_in::<_, Bytes>("COPY reference FROM STDIN")
            .await
            .unwrap();
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from_static(b"1\t")).await.unwrap();
        let escaped = escaped_text();
        let mut piece = Vec::with_capacity(1 << 20);
        for _ in 0..clob_len(bytes) / TEXT.len() {
            piece.extend_from_slice(escaped.as_bytes());
            if piece.len() >= 1 << 20 {
                sink.send(Bytes::from(std::mem::take(&mut piece)))
                    .await
                    .unwrap();
            }
        }
        piece.extend_from_slice(b"\t\\\\x");
        sink.send(Bytes::from(std::mem::take(&mut piece)))
            .await
            .unwrap();
        let mut blob = Repeated::new(&blob_pattern(), bytes);
        let mut raw = vec![0u8; 1 << 19];
        loop {
            let n = blob.read(&mut raw).unwrap();
            if n == 0 {
                break;
            }
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hex: Vec<u8> = raw[..n]
                .iter()
                .flat_map(|b| [HEX[(b >> 4) as usize], HEX[(b & 15) as usize]])
                .collect();
            sink.send(Bytes::from(hex)).await.unwrap();
        }
        sink.send(Bytes::from_static(b"\n")).await.unwrap();
        sink.as_mut().finish().await.unwrap();
    }
    let reference = started.elapsed().as_secs_f64();
    let reference_peak = peak_rss().saturating_sub(before);

    let before = resident();
    reset_peak();
    let started = Instant::now();
    let verify = if std::env::var("GODWIT_BENCH_VERIFY").as_deref() == Ok("count") {
        Verify::Count
    } else {
        Verify::Hash
    };
    let rows = Generated {
        bytes,
        small_rows: 0,
    };
    let options = OracleCopyOptions {
        verify,
        jobs: 1,
        ..Default::default()
    };
    let copied = copy_generated(rows, &target.url, "bench-lobs", &options)
        .await
        .unwrap();
    let godwit = started.elapsed().as_secs_f64();
    let godwit_peak = peak_rss().saturating_sub(before);
    let report = &copied[0].report;
    assert_eq!(report.target_rows, 1);
    assert!(!report.content_differs(), "hashes differ");
    let same: bool = client
        .query_one(
            "SELECT d.body = r.body AND d.image = r.image FROM docs d, reference r",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(same, "the copied row differs from the reference row");

    let values = (2 * bytes) as f64 / MB;
    println!("oracle LOBs: one row, a {megabytes} MB CLOB and a {megabytes} MB BLOB ({values:.0} MB of values)");
    println!(
        "  bare COPY FROM STDIN (reference): {reference:.1} s, peak RSS +{:.1} MB",
        reference_peak as f64 / MB
    );
    println!(
        "  copy_oracle_from --verify hash:   {godwit:.1} s ({:.2}x the reference's time), peak RSS +{:.1} MB ({:.3} of the values' size)",
        godwit / reference,
        godwit_peak as f64 / MB,
        godwit_peak as f64 / (2 * bytes) as f64
    );
}
