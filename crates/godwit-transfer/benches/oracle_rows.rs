//! Speed of Oracle rows (no LOBs) on their way into PostgreSQL: COPY text against COPY's binary
//! format.
//!
//! A table ORDERS of `GODWIT_BENCH_ROWS` rows (default 2,000,000; generated as they are read, in
//! the canonical text Oracle's SELECT gives: NUMBER ids and amounts, VARCHAR2, DATE, TIMESTAMP WITH
//! TIME ZONE, BINARY_DOUBLE, INTERVAL DAY TO SECOND and RAW(16) into a uuid) is copied by
//! `copy_oracle_from` with `--verify off` as COPY text (`copy_text`) and in binary, each with one
//! job and with two, and in binary with `--verify hash` (two jobs), into a throwaway cluster (or the server `GODWIT_TEST_PG` names). The
//! reference, in the same process: the same rows' COPY text, generated and sent by one bare
//! `COPY … FROM STDIN` (the single-stream limit, as `psql` would send a file). Rounds interleave
//! (`GODWIT_BENCH_ROUNDS`, default 3); printed: each one's median time, its ratio of throughput
//! to the reference's, and peak RSS growth. Every copy's rows are compared with the reference's.
//!
//! `cargo bench -p godwit-transfer --bench oracle_rows`

use bytes::Bytes;
use futures_util::SinkExt;
use godwit_catalog::QualifiedName;
use godwit_oracle::data::{copy_row, DataStats, Field, NulPolicy, OracleColumn, OracleType};
use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_transfer::{
    copy_oracle_from, Control, OracleCopyOptions, OracleRows, OracleTable, Verify,
};
use std::sync::Arc;
use std::time::Instant;

const MB: f64 = 1024.0 * 1024.0;

/// The target table, as a conversion of ORDERS gives it.
const TARGET: &str = "(id bigint PRIMARY KEY, customer integer, amount numeric(12,2), status varchar(20), note varchar(200), ordered timestamp(0), updated timestamptz, ratio double precision, wait interval, guid uuid)";

/// ORDERS' columns.
fn columns() -> Vec<OracleColumn> {
    [
        ("ID", "NUMBER", None),
        ("CUSTOMER", "NUMBER", None),
        ("AMOUNT", "NUMBER", None),
        ("STATUS", "VARCHAR2", Some(20)),
        ("NOTE", "VARCHAR2", Some(200)),
        ("ORDERED", "DATE", None),
        ("UPDATED", "TIMESTAMP(6) WITH TIME ZONE", None),
        ("RATIO", "BINARY_DOUBLE", None),
        ("WAIT", "INTERVAL DAY(2) TO SECOND(6)", None),
        ("GUID", "RAW", Some(16)),
    ]
    .into_iter()
    .map(|(name, data_type, length)| {
        let mut column = OracleColumn::new(name, OracleType::parse(data_type));
        column.size.length = length;
        column
    })
    .collect()
}

/// Row `i` as Oracle's SELECT returns it (canonical text), with NULLs here and there.
fn row(i: u64) -> Vec<Option<String>> {
    let day = i % 28 + 1;
    let (h, m, s) = (i % 24, i * 7 % 60, i * 13 % 60);
    vec![
        Some(i.to_string()),
        Some((i * 7919 % 100_000).to_string()),
        Some(format!("{}.{:02}", i * 31 % 1_000_000, i % 100)),
        Some(["NEW", "PAID", "SHIPPED", "RETURNED"][(i % 4) as usize].to_string()),
        (i % 5 != 0).then(|| format!("order {i}\tfor customer {}, é", i % 1000)),
        Some(format!(
            " 20{:02}-{:02}-{day:02} {h:02}:{m:02}:{s:02}",
            i % 25,
            i % 12 + 1
        )),
        Some(format!(
            " 2024-{:02}-{day:02} {h:02}:{m:02}:{s:02}.{:06}000",
            i % 12 + 1,
            i % 1_000_000
        )),
        Some(format!("{:016X}", (i as f64 / 7.0).to_bits())),
        (i % 3 == 0).then(|| format!("+{:02} {h:02}:{m:02}:{s:02}.500000000", i % 30)),
        Some(format!(
            "{:032X}",
            (i as u128) * 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835
        )),
    ]
}

#[path = "../tests/common/rows_of.rs"]
mod rows_of;
use rows_of::RowsOf;

#[tokio::main]
async fn main() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (rows, rounds) = (
        env("GODWIT_BENCH_ROWS", 2_000_000),
        env("GODWIT_BENCH_ROUNDS", 3),
    );
    let target = godwit_testkit::database("bench_oracle_rows").await;
    let client = target.connect().await;
    // Label, COPY text, jobs, verification.
    let variants: [(&str, bool, usize, Verify); 5] = [
        ("text, 1 job", true, 1, Verify::Off),
        ("binary, 1 job", false, 1, Verify::Off),
        ("text, 2 jobs", true, 2, Verify::Off),
        ("binary, 2 jobs", false, 2, Verify::Off),
        ("binary, 2 jobs, --verify hash", false, 2, Verify::Hash),
    ];
    // `GODWIT_BENCH_ONLY="binary, 1 job"`: that variant alone (with the reference), for profiling.
    let only = std::env::var("GODWIT_BENCH_ONLY").ok();
    // Per round: the reference's sample, then each variant's.
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); variants.len() + 1];
    let mut megabytes = 0.0;
    for round in 0..rounds {
        // The reference: the same rows' COPY text, made and sent by one bare COPY.
        fresh_table(&client, "reference").await;
        let started = Started::now();
        let sent = reference(&client, rows).await;
        samples[0].push(started.sample());
        megabytes = sent as f64 / MB;
        for (v, (label, copy_text, jobs, verify)) in variants.iter().enumerate() {
            if only.as_deref().is_some_and(|o| o != *label) {
                continue;
            }
            let table = format!("orders_{v}");
            fresh_table(&client, &table).await;
            let started = Started::now();
            let chunks = 8;
            let copied = copy_oracle_from(
                Arc::new(move || {
                    Ok(Box::new(RowsOf {
                        columns: columns(),
                        rows,
                        chunk_rows: rows.div_ceil(chunks),
                        row,
                    }) as Box<dyn OracleRows>)
                }),
                &target.url,
                &format!("bench-{round}-{v}"),
                &[OracleTable {
                    owner: "SHOP".into(),
                    table: "ORDERS".into(),
                    target: QualifiedName::new("public", &table),
                }],
                &OracleCopyOptions {
                    verify: *verify,
                    jobs: *jobs,
                    chunk_rows: rows.div_ceil(chunks),
                    copy_text: *copy_text,
                    ..Default::default()
                },
                None,
                &Control::new(),
                None,
            )
            .await
            .unwrap();
            samples[v + 1].push(started.sample());
            assert_eq!(copied[0].report.binary, !copy_text, "{label}");
            assert_eq!(copied[0].report.target_rows, rows as i64, "{label}");
            let report = &copied[0].report;
            assert_eq!(
                report.source_hash.is_some(),
                *verify == Verify::Hash,
                "{label}"
            );
            assert!(!report.content_differs(), "{label}: the hashes differ");
            if round == 0 {
                let differ: i64 = client
                    .query_one(
                        &format!(
                            "SELECT count(*) FROM (SELECT * FROM reference EXCEPT ALL SELECT * FROM {table}) d"
                        ),
                        &[],
                    )
                    .await
                    .unwrap()
                    .get(0);
                assert_eq!(differ, 0, "{label}: rows differ from the reference's");
            }
        }
    }
    let (reference, reference_runs) = Sample::medians(&samples[0]);
    println!(
        "oracle rows: {rows} rows of ORDERS ({megabytes:.0} MB of COPY text), medians of {rounds} rounds"
    );
    println!(
        "  bare COPY text FROM STDIN (reference): {:.2} s (runs {reference_runs}), CPU: client {:.2} s, server {:.2} s; peak RSS +{:.1} MB",
        reference.seconds,
        reference.godwit_cpu,
        reference.server_cpu,
        reference.peak as f64 / MB
    );
    for (v, (label, _, _, _)) in variants.iter().enumerate() {
        if samples[v + 1].is_empty() {
            continue;
        }
        let (m, runs) = Sample::medians(&samples[v + 1]);
        println!(
            "  copy_oracle_from, {label:<29} {:.2} s ({:.2}x the reference's throughput; runs {runs}); CPU: godwit {:.2} s, server {:.2} s ({:.2}x the reference's); peak RSS +{:.1} MB",
            m.seconds,
            reference.seconds / m.seconds,
            m.godwit_cpu,
            m.server_cpu,
            m.server_cpu / reference.server_cpu,
            m.peak as f64 / MB
        );
    }
}

/// One timed run: wall seconds, CPU seconds of godwit (this process) and of the server, and the
/// growth of peak RSS.
#[derive(Clone, Copy)]
struct Sample {
    seconds: f64,
    godwit_cpu: f64,
    server_cpu: f64,
    peak: u64,
}

impl Sample {
    /// The median of each figure (the largest peak), and the wall times of the runs.
    fn medians(samples: &[Sample]) -> (Sample, String) {
        let median = |figure: fn(&Sample) -> f64| {
            let mut values: Vec<f64> = samples.iter().map(figure).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let runs = samples
            .iter()
            .map(|s| format!("{:.2}", s.seconds))
            .collect::<Vec<_>>()
            .join(", ");
        let medians = Sample {
            seconds: median(|s| s.seconds),
            godwit_cpu: median(|s| s.godwit_cpu),
            server_cpu: median(|s| s.server_cpu),
            peak: samples.iter().map(|s| s.peak).max().unwrap_or(0),
        };
        (medians, runs)
    }
}

/// Where a timed run started.
struct Started {
    at: Instant,
    resident: u64,
    godwit_cpu: f64,
    server_cpu: f64,
}

impl Started {
    fn now() -> Started {
        let started = Started {
            at: Instant::now(),
            resident: resident(),
            godwit_cpu: cpu_seconds(false),
            server_cpu: cpu_seconds(true),
        };
        reset_peak();
        started
    }

    fn sample(&self) -> Sample {
        Sample {
            seconds: self.at.elapsed().as_secs_f64(),
            godwit_cpu: cpu_seconds(false) - self.godwit_cpu,
            server_cpu: cpu_seconds(true) - self.server_cpu,
            peak: peak_rss().saturating_sub(self.resident),
        }
    }
}

/// Drops and creates the unlogged table `name` with ORDERS' target columns.
async fn fresh_table(client: &tokio_postgres::Client, name: &str) {
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {name}; CREATE UNLOGGED TABLE {name} {TARGET}"
        ))
        .await
        .unwrap();
}

/// CPU seconds used so far by this process (`self`) or by every process named `postgres` (those
/// alive and the backends their postmaster has reaped), from /proc (clock ticks of 1/100 s).
fn cpu_seconds(of_postgres: bool) -> f64 {
    let ticks = |stat: &str, with_children: bool| -> u64 {
        // After the command's closing parenthesis: state is field 3; utime, stime, cutime, cstime
        // are fields 14 to 17.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<u64> = rest
            .split_whitespace()
            .skip(11)
            .take(4)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let n = if with_children { 4 } else { 2 };
        fields.iter().take(n).sum()
    };
    let total = if of_postgres {
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "postgres")
            })
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .map(|stat| ticks(&stat, true))
            .sum()
    } else {
        ticks(
            &std::fs::read_to_string("/proc/self/stat").unwrap_or_default(),
            false,
        )
    };
    total as f64 / 100.0
}

/// Sends ORDERS' rows as COPY text by one bare `COPY reference FROM STDIN`; returns the bytes sent.
async fn reference(client: &tokio_postgres::Client, rows: u64) -> usize {
    let sink = client
        .copy_in::<_, Bytes>("COPY reference FROM STDIN")
        .await
        .unwrap();
    futures_util::pin_mut!(sink);
    // A RAW going into a uuid column is written as a uuid, as the copy does.
    let mut columns = columns();
    for column in columns.iter_mut().filter(|c| c.name == "GUID") {
        column.data_type = OracleType::Uuid;
    }
    let (mut batch, mut sent) = (Vec::with_capacity(1 << 20), 0);
    let mut stats = DataStats::default();
    for i in 0..rows {
        let fields = row(i).into_iter().map(Field::Value).collect();
        copy_row(&columns, fields, NulPolicy::Fail, &mut stats, &mut |b| {
            batch.extend_from_slice(b);
            true
        })
        .unwrap();
        if batch.len() >= 1 << 20 {
            sent += batch.len();
            sink.send(Bytes::from(std::mem::take(&mut batch)))
                .await
                .unwrap();
        }
    }
    sent += batch.len();
    sink.send(Bytes::from(batch)).await.unwrap();
    sink.as_mut().finish().await.unwrap();
    sent
}
