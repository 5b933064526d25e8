//! Oracle LOBs stream into a real PostgreSQL in pieces: the reader hands a CLOB or BLOB over as the
//! driver reads it through its locator (here: a session that hands over at most [`PIECE`] bytes per
//! read, cutting escapes and UTF-8 characters anywhere), the copy escapes it piece by piece into
//! COPY text, and its hash is taken as the bytes stream past; the target hashes long values where
//! they lie. Every value must arrive byte for byte; a value the target changes must fail the hash
//! check.

use godwit_catalog::QualifiedName;
use godwit_oracle::data::Field;
use godwit_oracle::live::{LiveError, OracleSession};
use godwit_testkit::database;
use godwit_transfer::{
    copy_oracle_from, Control, LiveRows, NulPolicy, OpenRows, OracleCopyOptions, OracleRows,
    OracleTable, Verify,
};
use std::sync::{Arc, Mutex};

/// The most a LOB read hands over at once (odd, so escapes and characters are cut anywhere).
const PIECE: usize = 997;

/// A LOB read at most [`PIECE`] bytes at a time, counting the reads. With a probe, when its last
/// byte has been read it asks the target how many bytes its COPY has received so far.
struct Pieces {
    data: Vec<u8>,
    at: usize,
    reads: Arc<Mutex<u64>>,
    probe: Option<Probe>,
}

/// The target's URL, and the bytes its COPY had processed when the probed value was read.
#[derive(Clone)]
struct Probe {
    url: String,
    seen: Arc<Mutex<Option<i64>>>,
}

impl Probe {
    /// Reads `pg_stat_progress_copy` on its own connection (from this blocking reader thread).
    fn look(&self) {
        let url = self.url.clone();
        let seen = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let client = godwit_testkit::connect(&url).await;
                client
                    .query_one(
                        "SELECT coalesce(max(bytes_processed), 0) FROM pg_stat_progress_copy",
                        &[],
                    )
                    .await
                    .unwrap()
                    .get::<_, i64>(0)
            })
        })
        .join()
        .unwrap();
        *self.seen.lock().unwrap() = Some(seen);
    }
}

impl std::io::Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(PIECE).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        *self.reads.lock().unwrap() += 1;
        if self.at == self.data.len() {
            if let Some(probe) = self.probe.take() {
                probe.look();
            }
        }
        Ok(n)
    }
}

/// The table DOCS (ID NUMBER, BODY CLOB, IMAGE BLOB) as a session without extents or SCN answers
/// for it: one chunk, LOBs handed over as streams.
struct Documents {
    rows: Vec<(u32, Option<String>, Option<Vec<u8>>)>,
    reads: Arc<Mutex<u64>>,
    /// Probes the target when the first BLOB has been read.
    probe: Option<Probe>,
}

impl OracleSession for Documents {
    fn execute(&mut self, _: &'static str, _: &str) -> Result<(), LiveError> {
        Ok(())
    }

    fn query(
        &mut self,
        name: &'static str,
        _: &str,
        _: &[&str],
    ) -> Result<Vec<Vec<Option<String>>>, LiveError> {
        match name {
            "columns" => Ok([("ID", "NUMBER"), ("BODY", "CLOB"), ("IMAGE", "BLOB")]
                .iter()
                .map(|(n, t)| vec![Some(n.to_string()), Some(t.to_string())])
                .collect()),
            "table size" => Ok(vec![vec![Some("3".into()), Some("100".into())]]),
            other => Err(LiveError::Query {
                query: other,
                message: "ORA-00942: table or view does not exist".into(),
            }),
        }
    }

    fn query_fields(
        &mut self,
        name: &'static str,
        sql: &str,
        _: &[&str],
        row: &mut dyn FnMut(Vec<Field<'_>>) -> bool,
    ) -> Result<(), LiveError> {
        assert_eq!(name, "table data");
        assert!(sql.contains("FROM \"HR\".\"DOCS\""), "{sql}");
        for (id, body, image) in &self.rows {
            let stream = |data: Vec<u8>, probe: Option<Probe>| Pieces {
                data,
                at: 0,
                reads: self.reads.clone(),
                probe,
            };
            let fields = vec![
                Field::Value(Some(format!("AAA{id}"))),
                Field::Value(Some(id.to_string())),
                match body {
                    Some(text) => {
                        Field::Characters(Box::new(stream(text.clone().into_bytes(), None)))
                    }
                    None => Field::Value(None),
                },
                match image {
                    Some(bytes) => Field::Bytes(Box::new(stream(bytes.clone(), self.probe.take()))),
                    None => Field::Value(None),
                },
            ];
            if !row(fields) {
                break;
            }
        }
        Ok(())
    }
}

/// A 3 MB text with tabs, newlines, carriage returns, backslashes and multi-byte characters.
fn long_text() -> String {
    (0..60_000)
        .map(|i| format!("line {i}\tback\\slash é漢字\r\n"))
        .collect()
}

/// 17 MB of every byte value (34 MB of COPY text); the target hashes it (and the text) where it
/// lies.
fn long_bytes() -> Vec<u8> {
    (0..17_000_000u32).map(|i| (i * 31 % 256) as u8).collect()
}

fn documents(reads: &Arc<Mutex<u64>>, probe: Option<Probe>) -> OpenRows {
    let reads = reads.clone();
    Arc::new(move || {
        let session = Documents {
            rows: vec![
                (1, Some(long_text()), Some(long_bytes())),
                (2, None, Some(Vec::new())),
                (3, Some(format!("a\0b{}\0", "x".repeat(5000))), None),
            ],
            reads: reads.clone(),
            probe: probe.clone(),
        };
        Ok(Box::new(LiveRows::new(Box::new(session), "HR")) as Box<dyn OracleRows>)
    })
}

fn docs() -> Vec<OracleTable> {
    vec![OracleTable {
        owner: "HR".into(),
        table: "DOCS".into(),
        target: QualifiedName::new("public", "docs"),
    }]
}

/// Copies DOCS from `rows` under `run_id`.
async fn copy_docs(
    rows: OpenRows,
    url: &str,
    run_id: &str,
    options: &OracleCopyOptions,
) -> Result<Vec<godwit_transfer::OracleCopied>, godwit_transfer::CopyError> {
    copy_oracle_from(
        rows,
        url,
        run_id,
        &docs(),
        options,
        None,
        &Control::new(),
        None,
    )
    .await
}

fn options() -> OracleCopyOptions {
    OracleCopyOptions {
        nul: NulPolicy::Strip,
        verify: Verify::Hash,
        jobs: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn clobs_and_blobs_stream_in_pieces_and_arrive_byte_for_byte_with_equal_hashes() {
    let target = database("oracle_lobs").await;
    target
        .execute("CREATE TABLE docs (id integer PRIMARY KEY, body text, image bytea)")
        .await;
    let reads = Arc::new(Mutex::new(0u64));
    let probe = Probe {
        url: target.url.clone(),
        seen: Arc::default(),
    };
    let copied = copy_docs(
        documents(&reads, Some(probe.clone())),
        &target.url,
        "lobs-1",
        &options(),
    )
    .await
    .unwrap();
    let report = &copied[0].report;
    assert_eq!((report.source_rows, report.target_rows), (3, 3));
    assert_eq!((report.nul_values, report.nul_characters), (1, 2));
    assert!(report.source_hash.is_some());
    assert_eq!(report.source_hash, report.target_hash);
    // The LOBs were read in pieces of at most 997 bytes, and they streamed: by the time the 17 MB
    // BLOB had been read, the target had already received most of its row (a row gathered whole
    // before sending would show nothing of it yet).
    let lob_bytes = long_text().len() + long_bytes().len() + 5003;
    assert!(*reads.lock().unwrap() >= (lob_bytes / PIECE) as u64);
    let seen = probe.seen.lock().unwrap().expect("the probe ran");
    assert!(seen > 16_000_000, "the target had received {seen} bytes");

    let client = target.connect().await;
    let rows = client
        .query("SELECT id, body, image FROM docs ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, Option<String>, Option<Vec<u8>>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(got[0], (1, Some(long_text()), Some(long_bytes())));
    assert_eq!(got[1], (2, None, Some(Vec::new())));
    assert_eq!(got[2], (3, Some(format!("ab{}", "x".repeat(5000))), None));
}

/// A target that changes one character deep inside a long value: the streamed hashes differ and
/// the table is reported, with the changed row named by its key.
#[tokio::test]
async fn a_long_value_the_target_changes_fails_the_hash_check() {
    let target = database("oracle_lobs_changed").await;
    target
        .execute(
            "CREATE TABLE docs (id integer PRIMARY KEY, body text, image bytea);
             CREATE FUNCTION change_body() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.id = 1 THEN NEW.body := overlay(NEW.body PLACING 'Z' FROM 1000000); END IF;
               RETURN NEW;
             END $$;
             CREATE TRIGGER change_body BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION change_body();",
        )
        .await;
    let copied = copy_docs(
        documents(&Arc::default(), None),
        &target.url,
        "lobs-2",
        &options(),
    )
    .await
    .unwrap();
    let report = &copied[0].report;
    assert_eq!(report.lost(), 0);
    assert!(report.content_differs(), "{report:?}");
    let recheck = report.recheck.as_ref().expect("a recheck of the table");
    assert_eq!((recheck.lost, recheck.extra, recheck.different), (0, 0, 1));
    let different: Vec<(&str, &[String])> = recheck
        .different_rows
        .iter()
        .map(|d| (d.key.as_str(), d.columns.as_slice()))
        .collect();
    assert_eq!(
        different,
        [("id=1", &["body".to_string()][..])],
        "{recheck:?}"
    );
}

/// Under the default NUL policy a streamed CLOB holding NULs stops the table, naming the column and
/// counting its NULs.
#[tokio::test]
async fn a_streamed_clob_with_nuls_is_refused_under_the_default_policy() {
    let target = database("oracle_lobs_nul").await;
    target
        .execute("CREATE TABLE docs (id integer PRIMARY KEY, body text, image bytea)")
        .await;
    let e = copy_docs(
        documents(&Arc::default(), None),
        &target.url,
        "lobs-3",
        &OracleCopyOptions {
            nul: NulPolicy::Fail,
            ..options()
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("AAA3") && e.contains("BODY") && e.contains("2 NUL"),
        "{e}"
    );
    let client = target.connect().await;
    let rows: i64 = client
        .query_one("SELECT count(*) FROM docs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}
