//! A run's verification is kept in the SQLite file and read back after the store is reopened, as
//! the desktop does after a restart.

use godwit_store::{DifferentRowRecord, RunVerification, Store, TableVerification, VerifyLevel};

fn clean_table() -> TableVerification {
    TableVerification {
        table: "shop.orders".into(),
        source_rows: 30_000,
        target_rows: 30_000,
        rejected_rows: 0,
        source_hash: Some("9f1c0000000000000000000000000001".into()),
        target_hash: Some("9f1c0000000000000000000000000001".into()),
        chunks_compared: 12,
        ..TableVerification::default()
    }
}

fn damaged_table() -> TableVerification {
    TableVerification {
        table: "shop.notes".into(),
        source_rows: 500,
        target_rows: 499,
        rejected_rows: 1,
        source_hash: Some("aa".into()),
        target_hash: Some("ab".into()),
        lost: 1,
        extra: 1,
        different: 2,
        loss_percent: 0.2004,
        chunks_compared: 3,
        chunks_differing: vec!["id 100..200".into(), "id 300..".into()],
        rows_sampled: Some(0),
        sample_note: Some("no primary key".into()),
        rechecked: Some(vec!["id 100..200".into(), "id 300..".into()]),
        lost_keys: vec!["id=7000".into()],
        extra_keys: vec!["id=9999".into()],
        different_rows: vec![
            DifferentRowRecord {
                key: "id=150".into(),
                columns: vec!["body".into(), "Odd, name".into()],
            },
            DifferentRowRecord {
                key: "id=301".into(),
                columns: vec!["at".into()],
            },
        ],
    }
}

fn verification(tables: Vec<TableVerification>) -> RunVerification {
    RunVerification {
        level: VerifyLevel::Hash,
        method: "row counts, and an order-independent hash of every row".into(),
        chunks_copied: 130,
        chunks_total: 253,
        rows_copied: 15_500,
        bytes_copied: 1_234_567,
        seconds: 4.25,
        verified_at: String::new(),
        tables,
    }
}

#[test]
fn a_verification_survives_reopening_the_file_with_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("godwit.sqlite3");
    let saved = verification(vec![clean_table(), damaged_table()]);
    let (run, other) = {
        let store = Store::open(&path).unwrap();
        let run = store
            .start_run("copy", "postgresql://a:***@h/s", "postgresql://a@h/t", "{}")
            .unwrap();
        let other = store
            .start_run("copy", "postgresql://a:***@h/s", "postgresql://a@h/u", "{}")
            .unwrap();
        assert_eq!(store.verification(&run.id).unwrap(), None);
        store.save_verification(&run.id, &saved).unwrap();
        store.set_run_status(&run.id, "finished", None).unwrap();
        (run.id, other.id)
    };

    // A new connection on the same file, as after a restart.
    let store = Store::open(&path).unwrap();
    let read = store
        .verification(&run)
        .unwrap()
        .expect("a kept verification");
    assert!(
        read.verified_at.len() >= 20 && read.verified_at.ends_with('Z'),
        "{}",
        read.verified_at
    );
    assert_eq!(
        read,
        RunVerification {
            verified_at: read.verified_at.clone(),
            ..saved.clone()
        }
    );
    assert_eq!(read.rows_lost(), 1);
    assert_eq!(store.verification(&other).unwrap(), None);
    assert_eq!(store.verification("no-such-run").unwrap(), None);
}

#[test]
fn saving_again_replaces_the_earlier_verification() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("godwit.sqlite3")).unwrap();
    let run = store.start_run("copy", "s", "t", "{}").unwrap();
    store
        .save_verification(&run.id, &verification(vec![damaged_table()]))
        .unwrap();
    let again = RunVerification {
        level: VerifyLevel::Sample,
        tables: vec![TableVerification {
            rows_sampled: Some(1000),
            source_hash: None,
            target_hash: None,
            chunks_compared: 0,
            ..clean_table()
        }],
        ..verification(vec![])
    };
    store.save_verification(&run.id, &again).unwrap();
    let read = store.verification(&run.id).unwrap().unwrap();
    assert_eq!(read.level, VerifyLevel::Sample);
    assert_eq!(read.tables.len(), 1, "{:?}", read.tables);
    assert_eq!(read.tables[0].table, "shop.orders");
    assert_eq!(read.tables[0].rows_sampled, Some(1000));
    assert!(read.tables[0].rechecked.is_none() && read.tables[0].lost_keys.is_empty());
    assert_eq!(read.rows_lost(), 0);
}

#[test]
fn a_verification_needs_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("godwit.sqlite3")).unwrap();
    let err = store
        .save_verification("no-such-run", &verification(vec![clean_table()]))
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    assert_eq!(store.verification("no-such-run").unwrap(), None);
}
