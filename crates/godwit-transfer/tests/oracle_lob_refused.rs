//! Refused rows in a chunk that holds a 64 MB CLOB and a 64 MB BLOB: the chunk is copied again from
//! its spill file, the LOB row streaming on its own under a savepoint, never read whole, so godwit's
//! memory grows by a fraction of it. (One test in its own binary: the peak resident memory it
//! measures is the whole process's.)

#[path = "common/generated_lobs.rs"]
mod generated_lobs;

use generated_lobs::{copy_generated, Generated};
use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_testkit::{database, TestDatabase};
use godwit_transfer::{OnError, OracleCopyOptions, Verify};

/// Copies the LOB row and three small rows into a fresh `docs` that refuses the row `refused`,
/// setting refused rows aside; fails when peak resident memory grows by 48 MB or more.
async fn copy_refusing(target: &TestDatabase, refused: u32) -> godwit_transfer::OracleCopied {
    target
        .execute(&format!(
            "DROP TABLE IF EXISTS docs;
             CREATE TABLE docs (id integer PRIMARY KEY CHECK (id <> {refused}), body text, image bytea);"
        ))
        .await;
    let rows = Generated {
        bytes: 64 << 20,
        small_rows: 3,
    };
    let options = OracleCopyOptions {
        verify: Verify::Hash,
        on_error: OnError::Skip,
        ..Default::default()
    };
    let before = resident();
    reset_peak();
    let mut copied = copy_generated(
        rows,
        &target.url,
        &format!("lob-refused-{refused}"),
        &options,
    )
    .await
    .unwrap();
    let grown = peak_rss().saturating_sub(before);
    eprintln!(
        "refusing row {refused}: peak resident memory grew by {} MB",
        grown >> 20
    );
    // Read whole, the LOB row's COPY line alone is 64 MB of text and 128 MB of hex.
    assert!(
        grown < 48 << 20,
        "refusing row {refused}: peak resident memory grew by {} MB for 128 MB of LOBs",
        grown >> 20
    );
    copied.remove(0)
}

#[tokio::test]
async fn a_chunk_with_lobs_is_copied_again_around_its_refused_rows_without_reading_them_whole() {
    let target = database("oracle_lob_refused").await;
    let client = target.connect().await;

    // A small row refused: the LOB row streams through on its own and arrives whole, hashed.
    let kept = copy_refusing(&target, 3).await;
    let report = &kept.report;
    assert_eq!(
        (report.source_rows, report.target_rows),
        (4, 3),
        "{report:?}"
    );
    assert_eq!(kept.rejected_rows, 1, "{report:?}");
    assert!(!report.content_differs(), "{report:?}");
    assert!(report.source_hash.is_some() && report.source_hash == report.target_hash);
    let lob: (i64, i64) = client
        .query_one(
            "SELECT octet_length(body)::int8, octet_length(image)::int8 FROM docs WHERE id = 1",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert!(lob.0 > 60 << 20 && lob.1 == 64 << 20, "{lob:?}");
    let small: String = client
        .query_one(
            "SELECT row_json FROM godwit_copy.rejects WHERE run_id = 'lob-refused-3'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(small.contains("\"small\""), "{small}");

    // The LOB row refused: set aside by its ROWID, without its values.
    let refused = copy_refusing(&target, 1).await;
    let report = &refused.report;
    assert_eq!(
        (report.source_rows, report.target_rows),
        (4, 3),
        "{report:?}"
    );
    assert!(!report.content_differs(), "{report:?}");
    let json: Option<String> = client
        .query_one(
            "SELECT row_json FROM godwit_copy.rejects WHERE run_id = 'lob-refused-1'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(json, None);
}
