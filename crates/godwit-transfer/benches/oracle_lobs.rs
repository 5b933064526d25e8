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
use godwit_catalog::QualifiedName;
use godwit_oracle::chunks::{Plan, RowRange};
use godwit_oracle::data::{DataError, Field, OracleColumn, OracleType};
use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_transfer::{
    copy_oracle_from, Control, OracleCopyOptions, OracleRows, OracleTable, Verify,
};
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

/// The repeated text of the CLOB: tabs, newlines, backslashes and multi-byte characters.
const TEXT: &str = "Godwit\tLOB line with a back\\slash, é and 漢字\r\n";

/// `TEXT` as COPY text.
fn escaped_text() -> String {
    TEXT.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

/// The CLOB's length: whole repetitions of [`TEXT`] (a cut character would not be UTF-8).
fn clob_len(bytes: usize) -> usize {
    bytes - bytes % TEXT.len()
}

/// `len` bytes of `pattern` repeated, made as they are read.
struct Repeated {
    pattern: Vec<u8>,
    left: usize,
    at: usize,
}

impl Repeated {
    fn new(pattern: &[u8], len: usize) -> Repeated {
        Repeated {
            pattern: pattern.to_vec(),
            left: len,
            at: 0,
        }
    }
}

impl Read for Repeated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            let take = (self.pattern.len() - self.at)
                .min(buf.len() - n)
                .min(self.left);
            buf[n..n + take].copy_from_slice(&self.pattern[self.at..self.at + take]);
            (n, self.left, self.at) = (
                n + take,
                self.left - take,
                (self.at + take) % self.pattern.len(),
            );
        }
        Ok(n)
    }
}

/// The bytes of the BLOB's pattern.
fn blob_pattern() -> Vec<u8> {
    (0..=255u8).collect()
}

/// A table DOCS (ID, BODY CLOB, IMAGE BLOB) of one row, its LOBs generated as they are read.
struct Generated {
    bytes: usize,
}

impl OracleRows for Generated {
    fn columns(&mut self, _: &OracleTable) -> Result<Vec<OracleColumn>, DataError> {
        Ok([
            ("ID", OracleType::Number),
            ("BODY", OracleType::Text),
            ("IMAGE", OracleType::Blob),
        ]
        .into_iter()
        .map(|(name, data_type)| OracleColumn::new(name, data_type))
        .collect())
    }

    fn plan(&mut self, _: &OracleTable, _: u64) -> Result<Plan, DataError> {
        Ok(Plan {
            ranges: vec![RowRange::Whole],
            note: None,
            rows: Some(1),
        })
    }

    fn snapshot(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn read(
        &mut self,
        _: &OracleTable,
        _: &[OracleColumn],
        _: &RowRange,
        _: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
    ) -> Result<(), DataError> {
        row(
            "row 1".into(),
            vec![
                Field::Value(Some("1".into())),
                Field::Characters(Box::new(Repeated::new(
                    TEXT.as_bytes(),
                    clob_len(self.bytes),
                ))),
                Field::Bytes(Box::new(Repeated::new(&blob_pattern(), self.bytes))),
            ],
        );
        Ok(())
    }
}

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
    let copied = copy_oracle_from(
        Arc::new(move || Ok(Box::new(Generated { bytes }) as Box<dyn OracleRows>)),
        &target.url,
        "bench-lobs",
        &[OracleTable {
            owner: "BENCH".into(),
            table: "DOCS".into(),
            target: QualifiedName::new("public", "docs"),
        }],
        &OracleCopyOptions {
            verify: if std::env::var("GODWIT_BENCH_VERIFY").as_deref() == Ok("count") {
                Verify::Count
            } else {
                Verify::Hash
            },
            jobs: 1,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
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
