//! A copy run finished by the desktop keeps its verification in the history: after the store is
//! opened again (as after a restart), the run list and the run's status show it, with the rows found
//! lost by key. Real PostgreSQL databases (the testkit's server) and a real SQLite file.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use godwit_desktop::commands::AppState;
use godwit_desktop::dto::{CopyReportDto, RunStateDto, VerifyDto};
use godwit_desktop::execution::{self, Runs, Side};
use godwit_store::{Secrets, Store};
use godwit_transfer::{CopyOptions, Verification, Verify};

const TABLE: &str =
    "CREATE SCHEMA shop; CREATE TABLE shop.items (id int PRIMARY KEY, name text NOT NULL);";

fn side(url: &str, label: &str) -> Side {
    Side {
        url: url.into(),
        label: label.into(),
        password: None,
    }
}

/// Copies `source` into `target` from the desktop's run launcher and waits for the run to end.
async fn copy(path: &std::path::Path, source: &str, target: &str, level: Verify) -> String {
    let store = Arc::new(Mutex::new(Store::open(path).unwrap()));
    let runs = Runs::default();
    let options = CopyOptions {
        schemas: vec!["shop".into()],
        jobs: 2,
        chunk_pages: 2,
        ..CopyOptions::default()
    };
    let started = execution::launch(
        store,
        runs.clone(),
        side(source, "source"),
        side(target, "target"),
        options,
        Verification {
            level,
            sample_rows: 50,
        },
        None,
        Arc::new(|_| {}),
    )
    .await
    .unwrap();
    let run = runs.lock().unwrap().get(&started.run_id).cloned().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while run.running() {
        assert!(Instant::now() < deadline, "the copy did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = run.status();
    assert_eq!(status.state, RunStateDto::Finished, "{:?}", status.error);
    started.run_id
}

/// The run's kept verification, read by a new app state on the same file (as after a restart).
fn kept(path: &std::path::Path, run_id: &str) -> (CopyReportDto, Option<f64>, Option<VerifyDto>) {
    let state = AppState::open(
        path,
        Secrets::with_service(&format!("godwit-desktop-history-{}", std::process::id())),
    );
    let item = state
        .list_runs()
        .unwrap()
        .into_iter()
        .find(|r| r.id == run_id)
        .expect("the run is listed");
    let status = state.copy_status(run_id).unwrap();
    assert!(!status.live);
    (
        status.report.expect("a kept verification"),
        item.rows_lost,
        item.verify,
    )
}

#[test]
fn a_finished_copy_keeps_its_verification_for_review_after_a_restart() {
    tauri::async_runtime::block_on(async {
        let source = godwit_testkit::database("desk_history_src").await;
        let sampled = godwit_testkit::database("desk_history_sampled").await;
        let unchecked = godwit_testkit::database("desk_history_off").await;
        let leaky = godwit_testkit::database("desk_history_leaky").await;
        source
            .execute(&format!(
                "{TABLE} INSERT INTO shop.items SELECT g, 'item ' || g FROM generate_series(1, 2000) g;"
            ))
            .await;
        for db in [&sampled, &unchecked, &leaky] {
            db.execute(TABLE).await;
        }
        // This target drops one row as it arrives.
        leaky
            .execute(
                "CREATE FUNCTION shop.drop_777() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 777 THEN RETURN NULL; END IF; RETURN NEW; END $$;
                 CREATE TRIGGER drop_777 BEFORE INSERT ON shop.items FOR EACH ROW EXECUTE FUNCTION shop.drop_777();",
            )
            .await;
        let dir =
            std::env::temp_dir().join(format!("godwit-desktop-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("godwit.sqlite3");

        let run = copy(&path, &source.url, &sampled.url, Verify::Sample).await;
        let (report, lost, verify) = kept(&path, &run);
        assert_eq!((lost, verify), (Some(0.0), Some(VerifyDto::Sample)));
        assert_eq!((report.level, report.rows_lost), (VerifyDto::Sample, 0.0));
        assert!(report.verified_at.ends_with('Z'), "{}", report.verified_at);
        let table = &report.tables[0];
        assert_eq!(
            (
                table.table.as_str(),
                table.source_rows,
                table.target_rows,
                table.matches
            ),
            ("shop.items", 2000.0, 2000.0, true)
        );
        let n: u64 = table
            .checked_by
            .strip_prefix("counts, ")
            .and_then(|s| s.strip_suffix(" sampled rows"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("checked by {:?}", table.checked_by));
        assert!((1..=50).contains(&n), "{n} rows sampled");
        assert_eq!(
            report.evidence,
            [
                "Counted on both sides: 2000 source rows = 2000 target rows + 0 set aside."
                    .to_string(),
                format!("{n} sampled rows in 1 table compared value by value by primary key: all equal.")
            ]
        );

        let run = copy(&path, &source.url, &unchecked.url, Verify::Off).await;
        let (report, lost, verify) = kept(&path, &run);
        assert_eq!((lost, verify), (None, Some(VerifyDto::Off)));
        assert_eq!(report.level, VerifyDto::Off);
        assert!(
            report.evidence[0].starts_with("None"),
            "{:?}",
            report.evidence
        );
        assert_eq!(report.tables[0].checked_by, "nothing");

        let run = copy(&path, &source.url, &leaky.url, Verify::Count).await;
        let (report, lost, _) = kept(&path, &run);
        assert_eq!(lost, Some(1.0));
        assert_eq!((report.rows_lost, report.loss_percent), (1.0, 0.05));
        let table = &report.tables[0];
        assert!(!table.matches);
        assert_eq!(table.lost_keys, ["id=777"]);
        assert!(table.rechecked.is_some(), "{table:?}");
        assert!(
            report.evidence.iter().any(|e| e.contains("do not add up"))
                && report
                    .evidence
                    .iter()
                    .any(|e| e.starts_with("shop.items read again row by row")),
            "{:?}",
            report.evidence
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}
