//! A finished run's verification as the history keeps it ([`RunVerification`], saved with
//! [`Store::save_verification`]), the same from the CLI and the desktop, so a run reviewed later
//! shows what was checked whichever of them ran it.

use crate::*;
use godwit_store::{DifferentRowRecord, RunVerification, TableVerification, VerifyLevel};

/// The verification of a finished run as the history keeps it: per table the counts and hashes,
/// and what the finer checks found (rows lost, extra and different by key where rechecked, else
/// by the counts). `asked` is the level the run was started or resumed with; a run begun with
/// hashes keeps them when resumed with counts, so hashes found mean hash.
pub fn kept_verification(report: &CopyReport, asked: Verify) -> RunVerification {
    let (level, tables) = kept_tables(&report.tables, &report.findings, asked);
    RunVerification {
        level,
        method: report.verification.clone(),
        chunks_copied: report.chunks_copied as u64,
        chunks_total: report.chunks_total as u64,
        rows_copied: report.rows_copied,
        bytes_copied: report.bytes_copied,
        seconds: report.seconds,
        verified_at: String::new(),
        tables,
    }
}

/// The level a run was checked at and its tables as the history keeps them (see
/// [`kept_verification`]).
pub fn kept_tables(
    checks: &[TableCheck],
    findings: &[TableFindings],
    asked: Verify,
) -> (VerifyLevel, Vec<TableVerification>) {
    let level = match asked {
        Verify::Off => VerifyLevel::Off,
        Verify::Count if checks.iter().any(|t| t.source_hash.is_some()) => VerifyLevel::Hash,
        Verify::Count => VerifyLevel::Count,
        Verify::Hash => VerifyLevel::Hash,
        Verify::Sample => VerifyLevel::Sample,
    };
    let tables = checks
        .iter()
        .map(|t| {
            let lost = t.lost().max(0) as u64;
            let by_counts = TableVerification {
                table: t.table.clone(),
                source_rows: t.source_rows,
                target_rows: t.target_rows,
                rejected_rows: t.rejected_rows,
                source_hash: t.source_hash.clone(),
                target_hash: t.target_hash.clone(),
                lost,
                extra: (-t.lost()).max(0) as u64,
                loss_percent: loss_percent(lost, t.source_rows - t.rejected_rows),
                ..TableVerification::default()
            };
            match findings.iter().find(|f| f.table == t.table) {
                None => by_counts,
                Some(f) => TableVerification {
                    lost: f.lost,
                    extra: f.extra,
                    different: f.different,
                    loss_percent: f.loss_percent,
                    chunks_compared: f.chunks_compared as u64,
                    chunks_differing: f.chunks_differing.clone(),
                    rows_sampled: f.rows_sampled,
                    sample_note: f.sample_note.clone(),
                    rechecked: f.recheck.as_ref().map(|r| r.ranges.clone()),
                    lost_keys: f
                        .recheck
                        .as_ref()
                        .map(|r| r.lost_keys.clone())
                        .unwrap_or_default(),
                    extra_keys: f
                        .recheck
                        .as_ref()
                        .map(|r| r.extra_keys.clone())
                        .unwrap_or_default(),
                    different_rows: records(f.recheck.iter().flat_map(|r| &r.different_rows)),
                    ..by_counts
                },
            }
        })
        .collect();
    (level, tables)
}

/// An Oracle copy's verification as the history keeps it: per table the rows its chunks committed
/// against the rows the target holds, and under [`Verify::Hash`] the hash of the rows sent against
/// the hash of the rows read back, compared for the whole table; where they disagree, the rows
/// the recheck named by key. `Sample` is checked as `Hash` for Oracle sources.
pub fn kept_oracle_verification(
    copied: &[OracleCopied],
    asked: Verify,
    seconds: f64,
) -> RunVerification {
    let hashed = copied.iter().any(|c| c.report.source_hash.is_some());
    let level = match asked {
        Verify::Off => VerifyLevel::Off,
        _ if hashed => VerifyLevel::Hash,
        _ => VerifyLevel::Count,
    };
    let tables = copied
        .iter()
        .map(|c| {
            let r = &c.report;
            let lost = r.lost().max(0) as u64;
            let by_counts = TableVerification {
                table: r.table.clone(),
                source_rows: r.expected_rows + c.rejected_rows as i64,
                target_rows: r.target_rows,
                rejected_rows: c.rejected_rows as i64,
                source_hash: r.source_hash.clone(),
                target_hash: r.target_hash.clone(),
                lost,
                extra: (-r.lost()).max(0) as u64,
                loss_percent: loss_percent(lost, r.expected_rows),
                // One hash per table, sent against read back: no chunks compared one by one.
                chunks_compared: 0,
                chunks_differing: if r.content_differs() {
                    vec!["the whole table (rows sent ≠ rows read back)".into()]
                } else {
                    Vec::new()
                },
                ..TableVerification::default()
            };
            match &r.recheck {
                None => by_counts,
                Some(found) => TableVerification {
                    lost: found.lost,
                    extra: found.extra,
                    different: found.different,
                    loss_percent: loss_percent(found.lost, r.expected_rows),
                    rechecked: Some(found.ranges.clone()),
                    lost_keys: found.lost_keys.clone(),
                    extra_keys: found.extra_keys.clone(),
                    different_rows: records(&found.different_rows),
                    ..by_counts
                },
            }
        })
        .collect();
    RunVerification {
        level,
        method: match level {
            VerifyLevel::Off => "nothing checked (--verify off)".into(),
            VerifyLevel::Hash => "rows committed per chunk against rows on the target; hash of the rows sent against the rows read back, each value in its target column's canonical form".into(),
            _ => "rows committed per chunk against rows on the target".into(),
        },
        chunks_copied: copied
            .iter()
            .map(|c| c.report.chunks.saturating_sub(c.report.chunks_skipped))
            .sum(),
        chunks_total: copied.iter().map(|c| c.report.chunks).sum(),
        rows_copied: copied.iter().map(|c| c.report.source_rows).sum(),
        bytes_copied: 0,
        seconds,
        verified_at: String::new(),
        tables,
    }
}

/// Different rows as the history keeps them.
fn records<'a>(rows: impl IntoIterator<Item = &'a DifferentRow>) -> Vec<DifferentRowRecord> {
    rows.into_iter()
        .map(|d| DifferentRowRecord {
            key: d.key.clone(),
            columns: d.columns.clone(),
        })
        .collect()
}

/// `lost` rows as a percentage of the `expected` ones (0 when none were expected).
pub fn loss_percent(lost: u64, expected: i64) -> f64 {
    if expected > 0 {
        lost as f64 * 100.0 / expected as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(target_rows: i64, hash: Option<&str>) -> TableCheck {
        TableCheck {
            table: "public.t".into(),
            source_rows: 10,
            target_rows,
            rejected_rows: 0,
            source_hash: hash.map(String::from),
            target_hash: hash.map(String::from),
        }
    }

    #[test]
    fn hashes_found_mean_hash_and_off_stays_off() {
        let hashed = [check(10, Some("a"))];
        assert_eq!(
            kept_tables(&hashed, &[], Verify::Count).0,
            VerifyLevel::Hash
        );
        assert_eq!(kept_tables(&hashed, &[], Verify::Off).0, VerifyLevel::Off);
        let counted = [check(10, None)];
        assert_eq!(
            kept_tables(&counted, &[], Verify::Count).0,
            VerifyLevel::Count
        );
        assert_eq!(
            kept_tables(&counted, &[], Verify::Sample).0,
            VerifyLevel::Sample
        );
    }

    #[test]
    fn counts_give_the_loss_unless_findings_name_the_rows() {
        let (_, tables) = kept_tables(&[check(8, None)], &[], Verify::Count);
        assert_eq!((tables[0].lost, tables[0].extra), (2, 0));
        assert_eq!(tables[0].loss_percent, 20.0);
        let (_, tables) = kept_tables(&[check(12, None)], &[], Verify::Count);
        assert_eq!((tables[0].lost, tables[0].extra), (0, 2));
        let findings = [TableFindings {
            table: "public.t".into(),
            lost: 1,
            extra: 1,
            different: 1,
            loss_percent: 10.0,
            recheck: Some(Recheck {
                ranges: vec!["whole table".into()],
                lost: 1,
                extra: 1,
                different: 1,
                lost_keys: vec!["id=3".into()],
                extra_keys: vec!["id=11".into()],
                different_rows: vec![DifferentRow {
                    key: "id=4".into(),
                    columns: vec!["name".into()],
                }],
            }),
            ..TableFindings::default()
        }];
        let (_, tables) = kept_tables(&[check(10, None)], &findings, Verify::Hash);
        let t = &tables[0];
        assert_eq!((t.lost, t.extra, t.different), (1, 1, 1));
        assert_eq!(t.rechecked, Some(vec!["whole table".to_string()]));
        assert_eq!(
            (t.lost_keys.clone(), t.extra_keys.clone()),
            (vec!["id=3".to_string()], vec!["id=11".to_string()])
        );
        assert_eq!(
            t.different_rows,
            [DifferentRowRecord {
                key: "id=4".into(),
                columns: vec!["name".into()]
            }]
        );
        assert_eq!((t.source_rows, t.target_rows), (10, 10));
    }

    fn oracle(
        table: &str,
        expected_rows: i64,
        target_rows: i64,
        hashes: (&str, &str),
    ) -> OracleCopied {
        OracleCopied {
            report: OracleTableReport {
                table: table.into(),
                source_rows: 57,
                target_rows,
                chunks: 11,
                chunks_skipped: 5,
                values: 0,
                nul_values: 0,
                nul_characters: 0,
                expected_rows,
                source_hash: Some(hashes.0.into()),
                target_hash: Some(hashes.1.into()),
                snapshot_scn: Some("4242".into()),
                notes: Vec::new(),
                recheck: None,
                binary: true,
            },
            rejected_rows: 0,
        }
    }

    #[test]
    fn an_oracle_copy_is_kept_with_its_hashes_and_the_rows_named_by_key() {
        let clean = oracle("hr.employees", 107, 107, ("ab", "ab"));
        let mut changed = oracle("hr.jobs", 20, 19, ("cd", "ce"));
        changed.report.recheck = Some(Recheck {
            ranges: vec!["whole table, by job_id (1 pass)".into()],
            lost: 1,
            different: 1,
            lost_keys: vec!["job_id=AD_VP".into()],
            different_rows: vec![DifferentRow {
                key: "job_id=IT_PROG".into(),
                columns: vec!["max_salary".into()],
            }],
            ..Recheck::default()
        });
        let v = kept_oracle_verification(&[clean, changed], Verify::Hash, 2.0);
        assert_eq!(v.level, VerifyLevel::Hash);
        // A resumed run: 5 of 11 chunks were copied before, 57 rows now.
        assert_eq!(
            (v.chunks_copied, v.chunks_total, v.rows_copied),
            (12, 22, 114)
        );
        assert_eq!(v.rows_lost(), 1);
        let (e, j) = (&v.tables[0], &v.tables[1]);
        assert_eq!(
            (e.source_rows, e.target_rows, e.lost, e.chunks_compared),
            (107, 107, 0, 0)
        );
        assert!(e.chunks_differing.is_empty() && e.rechecked.is_none());
        assert_eq!(
            (j.lost, j.extra, j.different, j.loss_percent),
            (1, 0, 1, 5.0)
        );
        assert_eq!(j.lost_keys, ["job_id=AD_VP"]);
        assert_eq!(j.different_rows[0].columns, ["max_salary"]);
        assert_eq!(
            j.rechecked.as_deref(),
            Some(&["whole table, by job_id (1 pass)".to_string()][..])
        );
        // Counts only: the level says so, whatever the report holds.
        let counted = kept_oracle_verification(&[oracle("t", 3, 3, ("x", "x"))], Verify::Off, 1.0);
        assert_eq!(counted.level, VerifyLevel::Off);
    }
}
