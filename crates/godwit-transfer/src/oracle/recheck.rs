//! Naming the rows of an Oracle table whose counts or hashes disagree: the source's rows (every
//! chunk of the run's plan, at its snapshot, less the rows set aside) and the target's are compared
//! by the target's primary key, each value in the canonical form of its target column's type
//! ([`crate::canonical`]), and the lost, extra and different rows named by key.
//!
//! A table without a primary key on the target is compared by whole rows, counted (a row twice in
//! the source must be twice on the target): its differences show as lost and extra rows, named by
//! their first columns' values.
//!
//! Neither side's order is relied on (Oracle's and PostgreSQL's collations differ): keys are
//! spread over buckets by their hash, and each pass reads both sides once and compares the rows of
//! one bucket in memory, so memory stays bounded (about [`BUCKET_ROWS`] rows) whatever the table's
//! size; a large table takes several passes.

use crate::canonical::{digest_row_fields, unescape, SeenField, StreamingRows};
use crate::oracle::{OracleCopyOptions, OracleRows, TableJob};
use crate::*;
use godwit_oracle::chunks::RowRange;
use godwit_oracle::data::{copy_row, DataError};
use std::collections::{HashMap, HashSet};
use xxhash_rust::xxh3::xxh3_64;

/// Rows compared in memory per pass, about.
const BUCKET_ROWS: u64 = 500_000;

/// One side's row in a bucket: its key as people read it, each field's hash, and how many rows
/// the source has with that key (more than one only when whole rows are the key).
struct Seen {
    key: String,
    fields: Vec<u64>,
    count: u64,
}

/// Columns shown for a row matched by its whole content.
const SHOWN_COLUMNS: usize = 4;

/// A row's canonical key (for matching), its key as people read it, and each field's hash, from
/// its recorded fields (the key's kept; a long key value is matched by its hash and not shown).
fn keyed(
    shown_columns: usize,
    names: &[String],
    key: &[usize],
    seen: &[SeenField],
) -> (Vec<u8>, Seen) {
    let mut matching = Vec::new();
    let mut shown = Vec::new();
    for (i, &k) in key.iter().enumerate() {
        let field = seen.get(k);
        let (canonical, text) = match field.and_then(|f| f.value.as_ref()) {
            Some((canonical, raw)) => (
                canonical.clone(),
                if raw == b"\\N" {
                    "NULL".to_string()
                } else {
                    String::from_utf8_lossy(&unescape(raw)).into_owned()
                },
            ),
            None => (
                field.map_or(0, |f| f.hash).to_le_bytes().to_vec(),
                "…".to_string(),
            ),
        };
        matching.extend_from_slice(&(canonical.len() as u64).to_le_bytes());
        matching.extend_from_slice(&canonical);
        if i < shown_columns {
            shown.push(format!(
                "{}={text}",
                names.get(k).map(String::as_str).unwrap_or("?")
            ));
        } else if i == shown_columns {
            shown.push("…".into());
        }
    }
    (
        matching,
        Seen {
            key: shown.join(", "),
            fields: seen.iter().map(|f| f.hash).collect(),
            count: 1,
        },
    )
}

/// Which of `fields` fields keep their values: the key's.
fn keep(key: &[usize], fields: usize) -> Vec<bool> {
    (0..fields).map(|i| key.contains(&i)).collect()
}

/// Whether the target table has a primary key.
async fn has_primary_key(target: &Client, job: &TableJob) -> Result<bool, CopyError> {
    Ok(target
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = $1::text::regclass AND indisprimary)",
            &[&job.name],
        )
        .await
        .map_err(query_error(format!("reading the primary key of {}", job.name)))?
        .get(0))
}

/// The positions (in the copied columns) of the target table's primary key (every column when it
/// has none), or why its rows cannot be matched.
async fn key_positions(
    target: &Client,
    job: &TableJob,
) -> Result<Result<Vec<usize>, String>, CopyError> {
    let key: Option<Vec<String>> = target
        .query_opt(
            "SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = $1::text::regclass AND i.indisprimary
              GROUP BY i.indexrelid",
            &[&job.name],
        )
        .await
        .map_err(query_error(format!(
            "reading the primary key of {}",
            job.name
        )))?
        .map(|r| r.get(0));
    let Some(key) = key else {
        // No primary key: whole rows are the key.
        return Ok(Ok((0..job.target_names.len()).collect()));
    };
    let positions: Option<Vec<usize>> = key
        .iter()
        .map(|k| job.target_names.iter().position(|n| n == k))
        .collect();
    Ok(positions.ok_or_else(|| {
        format!(
            "rows not named: the primary key of {} ({}) has columns the source does not fill",
            job.name,
            key.join(", ")
        )
    }))
}

/// Compares `job`'s table on both sides by the target's primary key (see the module's doc).
/// `Ok(Err(why))` when the rows cannot be matched (a key column the source does not fill).
pub(crate) async fn recheck(
    target: &Client,
    open: &OpenRows,
    run_id: &str,
    job: &Arc<TableJob>,
    ranges: Vec<RowRange>,
    expected_rows: u64,
    options: &OracleCopyOptions,
) -> Result<Result<Recheck, String>, CopyError> {
    let key = match key_positions(target, job).await? {
        Ok(key) => key,
        Err(why) => return Ok(Err(why)),
    };
    let set_aside: HashSet<String> = target
        .query(
            "SELECT source_ctid FROM godwit_copy.rejects WHERE run_id = $1 AND table_name = $2",
            &[&run_id, &job.name],
        )
        .await
        .map_err(query_error("reading the rows set aside"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let passes = expected_rows.div_ceil(BUCKET_ROWS).max(1);
    let whole_rows = key.len() == job.target_names.len() && !has_primary_key(target, job).await?;
    let shown_columns = if whole_rows { SHOWN_COLUMNS } else { key.len() };
    let key_names: Vec<&str> = key.iter().map(|&k| job.target_names[k].as_str()).collect();
    let by = if whole_rows {
        "whole rows (no primary key)".to_string()
    } else {
        key_names.join(", ")
    };
    let mut found = Recheck {
        ranges: vec![format!(
            "whole table, by {by} ({passes} pass{})",
            if passes == 1 { "" } else { "es" }
        )],
        ..Recheck::default()
    };
    let set_aside = Arc::new(set_aside);
    let (ranges, key) = (Arc::new(ranges), Arc::new(key));
    let mut source: Option<Box<dyn OracleRows>> = None;
    target
        .batch_execute(SESSION_SETTINGS)
        .await
        .map_err(query_error("setting the session for the recheck"))?;
    for pass in 0..passes {
        // The source's rows of this bucket, by key.
        let reading = format!("reading {} again to name its rows", job.name);
        let (back, rows) = {
            let (open, job, ranges, key, set_aside) = (
                open.clone(),
                job.clone(),
                ranges.clone(),
                key.clone(),
                set_aside.clone(),
            );
            let nul = options.nul;
            let reader = source.take();
            tokio::task::spawn_blocking(move || -> Result<_, DataError> {
                let mut source = match reader {
                    Some(s) => s,
                    None => open()?,
                };
                let mut rows: HashMap<Vec<u8>, Seen> = HashMap::new();
                let mut fields_of =
                    StreamingRows::new(job.forms.clone()).recording(keep(&key, job.forms.len()));
                let mut failure = None;
                for range in ranges.iter() {
                    source.read(
                        &job.table,
                        &job.columns,
                        range,
                        job.scn.as_deref(),
                        &mut |rowid, fields| {
                            if set_aside.contains(&rowid) {
                                return true;
                            }
                            let mut stats = godwit_oracle::data::DataStats::default();
                            // The row streams through its fields' hashes: LOBs are never whole.
                            let mut keyed_row = None;
                            let mut stream = |bytes: &[u8]| {
                                fields_of.feed_fields(bytes, &mut |_, seen| {
                                    keyed_row =
                                        Some(keyed(shown_columns, &job.target_names, &key, seen));
                                });
                                true
                            };
                            match copy_row(&job.columns, fields, nul, &mut stats, &mut stream) {
                                Ok(_) => {
                                    if let Some((k, seen)) = keyed_row.take() {
                                        if xxh3_64(&k) % passes == pass {
                                            rows.entry(k)
                                                .and_modify(|s: &mut Seen| s.count += 1)
                                                .or_insert(seen);
                                        }
                                    }
                                    true
                                }
                                Err(error) => {
                                    failure = Some(job.value_error(rowid, error));
                                    false
                                }
                            }
                        },
                    )?;
                    if let Some(e) = failure.take() {
                        return Err(e);
                    }
                }
                Ok((source, rows))
            })
            .await
            .map_err(|e| CopyError::Query {
                what: "the Oracle reader".into(),
                message: e.to_string(),
            })?
            .map_err(|e| CopyError::Query {
                what: reading,
                message: e.to_string(),
            })?
        };
        source = Some(back);
        let mut rows = rows;
        // The target's rows of this bucket, against them.
        // Long values digested by the server, as the source's were as they streamed.
        let sql = format!(
            "COPY (SELECT {} FROM ONLY {}) TO STDOUT",
            job.digested_select(),
            job.name
        );
        let kept = keep(&key, job.forms.len());
        read_rows(target, &sql, false, |line| {
            let seen = digest_row_fields(&job.forms, &job.long, &kept, line);
            let (k, seen) = keyed(shown_columns, &job.target_names, &key, &seen);
            if xxh3_64(&k) % passes != pass {
                return;
            }
            // One of the source's rows with this key is matched.
            let sent = match rows.get_mut(&k) {
                Some(s) if s.count > 1 => {
                    s.count -= 1;
                    Some(Seen {
                        key: String::new(),
                        fields: s.fields.clone(),
                        count: 1,
                    })
                }
                _ => rows.remove(&k),
            };
            match sent {
                None => {
                    found.extra += 1;
                    if found.extra_keys.len() < NAMED_ROWS {
                        found.extra_keys.push(seen.key);
                    }
                }
                Some(sent) if sent.fields != seen.fields => {
                    found.different += 1;
                    if found.different_rows.len() < NAMED_ROWS {
                        let columns = sent
                            .fields
                            .iter()
                            .zip(&seen.fields)
                            .zip(&job.target_names)
                            .filter(|((a, b), _)| a != b)
                            .map(|(_, n)| n.clone())
                            .collect();
                        found.different_rows.push(DifferentRow {
                            key: seen.key,
                            columns,
                        });
                    }
                }
                Some(_) => {}
            }
        })
        .await
        .map_err(|message| CopyError::Query {
            what: format!("reading {} back to name its rows", job.name),
            message,
        })?;
        found.lost += rows.values().map(|s| s.count).sum::<u64>();
        let mut lost: Vec<String> = rows
            .into_values()
            .map(|s| {
                if s.count > 1 {
                    format!("{} (×{})", s.key, s.count)
                } else {
                    s.key
                }
            })
            .collect();
        lost.sort();
        for key in lost {
            if found.lost_keys.len() < NAMED_ROWS {
                found.lost_keys.push(key);
            }
        }
    }
    Ok(Ok(found))
}
