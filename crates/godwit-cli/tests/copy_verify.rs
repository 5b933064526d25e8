//! `godwit copy --verify …` as a user reads it: a clean run says "0 rows lost" with its evidence
//! (counts, hashes, sampled rows); a target that lost, changed or added rows fails the run, and the
//! output names each row by key with the loss percentage.

mod common;

use common::{godwit, Run};
use godwit_store::{RunVerification, Store, VerifyLevel};
use godwit_testkit::database;

/// The verification the history keeps for the run `godwit` printed (`run ID` on stderr), as the
/// desktop reads it when the run is reviewed there.
fn kept(data: &std::path::Path, run: &Run) -> RunVerification {
    let id = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("run "))
        .unwrap_or_else(|| panic!("no run id in {}", run.stderr));
    Store::open(&data.join("godwit.sqlite3"))
        .unwrap()
        .verification(id.trim())
        .unwrap()
        .unwrap_or_else(|| panic!("run {id} keeps no verification"))
}

const TABLES: &str = "CREATE TABLE accounts (id int PRIMARY KEY, name text, balance numeric(12,2), opened timestamptz);
CREATE TABLE notes (body text);";

#[tokio::test]
async fn verification_names_rows_by_key_or_shows_its_evidence() {
    let source = database("verify_cli_source").await;
    source
        .execute(&format!(
            "{TABLES}
             INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, timestamptz '2020-01-01' + g * interval '1 day' FROM generate_series(1, 5000) g;
             INSERT INTO notes SELECT 'note ' || g FROM generate_series(1, 10) g;"
        ))
        .await;
    let target = database("verify_cli_target").await;
    target
        .execute(&format!(
            "{TABLES}
             CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF NEW.id = 77 THEN RETURN NULL; END IF;
               IF NEW.id = 4000 THEN NEW.balance := NEW.balance + 0.01; END IF;
               RETURN NEW; END $$;
             CREATE TRIGGER tamper BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION tamper();"
        ))
        .await;
    let data = tempfile::tempdir().unwrap();
    let args = ["copy", "--source", &source.url, "--target", &target.url];
    let bad = godwit(
        &[
            &args[..],
            &[
                "--verify",
                "hash",
                "--chunk-by",
                "key",
                "--chunk-pages",
                "4",
            ],
        ]
        .concat(),
        data.path(),
    );
    assert_eq!(bad.code, 1, "{}\n{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout.contains(
            "public.accounts: rechecked id " // the differing chunks' ranges follow
        ) && bad
            .stdout
            .contains(": 1 lost (0.0200 %), 0 extra, 1 different"),
        "{}",
        bad.stdout
    );
    assert!(bad.stdout.contains("  lost: id=77\n"), "{}", bad.stdout);
    assert!(
        bad.stdout
            .contains("  different: id=4000 (columns balance)\n"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stderr
            .contains("verification failed: 1 rows lost (0.0200 %), 0 extra, 1 different"),
        "{}",
        bad.stderr
    );

    // The history keeps what the run found, rows by key, as the desktop shows it later.
    let found = kept(data.path(), &bad);
    assert_eq!(found.level, VerifyLevel::Hash);
    assert_eq!(found.rows_lost(), 1);
    let accounts = found
        .tables
        .iter()
        .find(|t| t.table == "public.accounts")
        .expect("accounts kept");
    assert_eq!((accounts.source_rows, accounts.target_rows), (5000, 4999));
    assert_eq!(
        (accounts.lost, accounts.extra, accounts.different),
        (1, 0, 1)
    );
    assert_eq!(accounts.lost_keys, ["id=77"]);
    assert_eq!(accounts.different_rows.len(), 1);
    assert_eq!(accounts.different_rows[0].key, "id=4000");
    assert_eq!(accounts.different_rows[0].columns, ["balance"]);
    assert!(accounts.rechecked.is_some());

    // The same databases without the trigger: a clean run, each level saying what it checked.
    target
        .execute("DROP TRIGGER tamper ON accounts; TRUNCATE accounts, notes;")
        .await;
    let hash = godwit(&[&args[..], &["--verify", "hash"]].concat(), data.path());
    assert_eq!(hash.code, 0, "{}\n{}", hash.stdout, hash.stderr);
    assert!(
        hash.stdout.contains("0 rows lost, 0 extra rows, 0 rejected")
            && hash.stdout.contains("evidence: 5010 source rows = 5010 target rows + 0 rejected; row hashes equal in 2 of 2 tables"),
        "{}",
        hash.stdout
    );
    let clean = kept(data.path(), &hash);
    assert_eq!(clean.level, VerifyLevel::Hash);
    assert_eq!(clean.rows_lost(), 0);
    assert_eq!(clean.rows_copied, 5010);
    assert_eq!(
        clean
            .tables
            .iter()
            .map(|t| t.table.as_str())
            .collect::<Vec<_>>(),
        ["public.accounts", "public.notes"]
    );
    for t in &clean.tables {
        assert_eq!(t.source_rows, t.target_rows, "{t:?}");
        assert!(
            t.source_hash.is_some() && t.source_hash == t.target_hash,
            "{t:?}"
        );
        assert_eq!((t.lost, t.extra, t.different), (0, 0, 0), "{t:?}");
    }
    target.execute("TRUNCATE accounts, notes;").await;
    let sample = godwit(
        &[&args[..], &["--verify", "sample", "--sample-rows", "50"]].concat(),
        data.path(),
    );
    assert_eq!(sample.code, 0, "{}\n{}", sample.stdout, sample.stderr);
    assert!(
        sample.stdout.contains("sampled rows equal value by value")
            && sample
                .stdout
                .contains("not sampled (no primary key, counted only): public.notes"),
        "{}",
        sample.stdout
    );
    let sampled = kept(data.path(), &sample);
    assert_eq!(sampled.level, VerifyLevel::Sample);
    assert_eq!(sampled.tables[0].rows_sampled, Some(50), "{sampled:?}");
    assert!(sampled.tables[1].sample_note.is_some(), "{sampled:?}");
    target.execute("TRUNCATE accounts, notes;").await;
    let off = godwit(&[&args[..], &["--verify", "off"]].concat(), data.path());
    assert_eq!(off.code, 0, "{}\n{}", off.stdout, off.stderr);
    assert!(
        off.stdout.contains("verified by nothing (--verify off)")
            && off
                .stdout
                .contains("evidence: none (--verify off checked nothing")
            && !off.stdout.contains("target rows + 0 rejected"),
        "{}",
        off.stdout
    );
    // Not verified, and kept as such: no hashes claimed.
    let unchecked = kept(data.path(), &off);
    assert_eq!(unchecked.level, VerifyLevel::Off);
    assert!(unchecked.tables.iter().all(|t| t.source_hash.is_none()));
}

/// An Oracle source on a machine without Oracle's client library: a clear error saying what to
/// install, never the password; a wrong `--nul` is a usage error naming the choices.
#[tokio::test]
async fn an_oracle_source_without_the_client_library_says_what_to_install() {
    let target = database("verify_cli_oracle_target").await;
    let data = tempfile::tempdir().unwrap();
    let run = godwit(
        &[
            "copy",
            "--source",
            "oracle://scott:tiger-secret@127.0.0.1:1/FREEPDB1",
            "--target",
            &target.url,
            "--nul",
            "strip",
        ],
        data.path(),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Oracle client library is not installed")
            || run.stderr.contains("cannot connect to Oracle at"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("tiger-secret") && !run.stdout.contains("tiger-secret"));
    let bad = godwit(
        &[
            "copy",
            "--source",
            "oracle://scott@h/s",
            "--target",
            &target.url,
            "--nul",
            "drop",
        ],
        data.path(),
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("fail, strip, replace"),
        "{}",
        bad.stderr
    );
}
