//! A live Oracle → PostgreSQL copy, run only when `GODWIT_TEST_ORACLE` names a server
//! (`oracle://user:password@host:port/service`; the user needs CREATE TABLE). No Oracle server runs
//! where these tests usually run, so this test prints SKIPPED there; the same path is tested with
//! recorded rows in `oracle_copy.rs` and `oracle_lobs.rs`.
//!
//! It creates GODWIT_LIVE_COPY in the user's schema (dropped before and after), fills it from
//! PL/SQL with every type the copy converts, a 2 MB CLOB and a 3 MB BLOB, and copies it with two
//! sessions at one SCN, checking the values on the target and the hashes on both sides.

use godwit_catalog::QualifiedName;
use godwit_oracle::live::{connect, owner_name, OracleSession, OracleUrl};
use godwit_testkit::database;
use godwit_transfer::{
    copy_oracle_from, live_sessions, Control, NulPolicy, OracleCopyOptions, OracleTable, Verify,
};

const CREATE: &str = "CREATE TABLE godwit_live_copy (
    id NUMBER(10) PRIMARY KEY, amount NUMBER, taken DATE, at TIMESTAMP(6) WITH TIME ZONE,
    span INTERVAL DAY(2) TO SECOND(6), ratio BINARY_DOUBLE, tag RAW(16), note VARCHAR2(100),
    body CLOB, image BLOB)";

/// 500 rows; row 1 holds a 2 MB CLOB and a 3 MB BLOB built in pieces.
const FILL: &str = "DECLARE
  c CLOB; b BLOB;
BEGIN
  FOR i IN 1 .. 500 LOOP
    INSERT INTO godwit_live_copy VALUES (i, i / 7, DATE '2024-02-29' + i,
      TIMESTAMP '2024-11-03 01:30:00 America/New_York' + NUMTODSINTERVAL(i, 'MINUTE'),
      NUMTODSINTERVAL(i * 1.5, 'SECOND'), CASE WHEN i = 2 THEN BINARY_DOUBLE_NAN ELSE i / 3d END,
      HEXTORAW('DEADBEEF'), 'row ' || i || CHR(9) || 'tab', CASE WHEN i = 3 THEN NULL ELSE 'short ' || i END,
      EMPTY_BLOB());
  END LOOP;
  UPDATE godwit_live_copy SET body = EMPTY_CLOB() WHERE id = 1 RETURNING body, image INTO c, b;
  FOR i IN 1 .. 2048 LOOP
    DBMS_LOB.WRITEAPPEND(c, 1024, RPAD('piece ' || i || ' ', 1024, 'x'));
  END LOOP;
  FOR i IN 1 .. 3072 LOOP
    DBMS_LOB.WRITEAPPEND(b, 1024, UTL_RAW.COPIES(HEXTORAW(LPAD(TO_CHAR(MOD(i, 256), 'FMXX'), 2, '0')), 1024));
  END LOOP;
  COMMIT;
END;";

const DROP: &str =
    "BEGIN EXECUTE IMMEDIATE 'DROP TABLE godwit_live_copy PURGE'; EXCEPTION WHEN OTHERS THEN NULL; END;";

#[tokio::test]
async fn a_live_oracle_table_copies_with_two_sessions_at_one_scn_and_equal_hashes() {
    let Ok(url) = std::env::var("GODWIT_TEST_ORACLE") else {
        eprintln!("SKIPPED: set GODWIT_TEST_ORACLE to copy from a live Oracle");
        return;
    };
    let url = OracleUrl::parse(&url).unwrap();
    let owner = owner_name(&url.user);
    {
        let mut session = connect(&url).unwrap();
        session.execute("drop", DROP).unwrap();
        session.execute("create", CREATE).unwrap();
        session.execute("fill", FILL).unwrap();
    }
    let target = database("oracle_live").await;
    target
        .execute(
            "CREATE TABLE godwit_live_copy (id integer PRIMARY KEY, amount numeric, taken timestamp,
                at timestamptz, span interval, ratio double precision, tag bytea, note text,
                body text, image bytea)",
        )
        .await;
    let copied = copy_oracle_from(
        live_sessions(url.clone()),
        &target.url,
        "live-1",
        &[OracleTable {
            owner: owner.clone(),
            table: "GODWIT_LIVE_COPY".into(),
            target: QualifiedName::new("public", "godwit_live_copy"),
        }],
        &OracleCopyOptions {
            chunk_rows: 100,
            nul: NulPolicy::Fail,
            jobs: 2,
            verify: Verify::Hash,
            ..Default::default()
        },
        None,
        &Control::new(),
        None,
    )
    .await;
    connect(&url).unwrap().execute("drop", DROP).unwrap();
    let report = copied.unwrap().remove(0).report;
    assert_eq!((report.source_rows, report.target_rows), (500, 500));
    assert!(report.snapshot_scn.is_some(), "{:?}", report.notes);
    assert!(report.source_hash.is_some());
    assert_eq!(report.source_hash, report.target_hash);

    let client = target.connect().await;
    let row = client
        .query_one(
            "SELECT amount::text, taken::text, at IS NOT NULL, ratio::text, encode(tag, 'hex'),
                    note, length(body), left(body, 8), length(image), get_byte(image, 1024)
             FROM godwit_live_copy WHERE id = 1",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, String>(0).starts_with("0.142857142857142857"));
    assert_eq!(row.get::<_, String>(1), "2024-03-01 00:00:00");
    assert!(row.get::<_, bool>(2));
    assert_eq!(row.get::<_, String>(3), "0.3333333333333333");
    assert_eq!(row.get::<_, String>(4), "deadbeef");
    assert_eq!(row.get::<_, String>(5), "row 1\ttab");
    assert_eq!(row.get::<_, i32>(6), 2048 * 1024);
    assert_eq!(row.get::<_, String>(7), "piece 1 ");
    assert_eq!(row.get::<_, i32>(8), 3072 * 1024);
    assert_eq!(row.get::<_, i32>(9), 2);
    let nan: String = client
        .query_one("SELECT ratio::text FROM godwit_live_copy WHERE id = 2", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(nan, "NaN");
}
