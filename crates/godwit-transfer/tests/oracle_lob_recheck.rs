//! A 64 MB BLOB the target changes on its way in: the hashes differ, and the recheck that names the
//! row reads both sides' LOBs as digests, never whole, so godwit's memory grows by a fraction of
//! them. (One test in its own binary: the peak resident memory it measures is the whole process's.)

#[path = "common/generated_lobs.rs"]
mod generated_lobs;

use generated_lobs::{copy_generated, Generated};
use godwit_testkit::database;
use godwit_testkit::memory::{peak_rss, reset_peak, resident};
use godwit_transfer::{OracleCopyOptions, Verify};

#[tokio::test]
async fn a_changed_lob_is_named_by_a_recheck_that_never_holds_it() {
    let target = database("oracle_lob_recheck").await;
    target
        .execute(
            "CREATE TABLE docs (id integer PRIMARY KEY, body text, image bytea);
             CREATE FUNCTION change_image() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.image := set_byte(NEW.image, 50000000, 1); RETURN NEW; END $$;
             CREATE TRIGGER change_image BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION change_image();",
        )
        .await;
    let bytes = 64 << 20;
    let before = resident();
    reset_peak();
    let rows = Generated {
        bytes,
        small_rows: 0,
    };
    let options = OracleCopyOptions {
        verify: Verify::Hash,
        ..Default::default()
    };
    let copied = copy_generated(rows, &target.url, "lob-recheck", &options)
        .await
        .unwrap();
    let grown = peak_rss().saturating_sub(before);
    eprintln!("peak resident memory grew by {} MB", grown >> 20);

    let report = &copied[0].report;
    assert!(report.content_differs(), "{report:?}");
    let recheck = report.recheck.as_ref().expect("a recheck of the table");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (0, 0, 1));
    assert_eq!(recheck.different_rows[0].key, "id=1", "{recheck:?}");
    assert_eq!(recheck.different_rows[0].columns, ["image"], "{recheck:?}");
    // Gathered whole, the row's COPY text alone is 64 MB of text and 128 MB of hex, on each side.
    assert!(
        grown < 48 << 20,
        "peak resident memory grew by {} MB for 128 MB of LOBs",
        grown >> 20
    );
}
