//! An Oracle table DOCS (ID NUMBER, BODY CLOB, IMAGE BLOB) of one row whose LOBs are generated as
//! they are read, never whole in memory: for the LOB bench and the tests that measure memory.
//! (Included by path; not every includer uses every item.)
#![allow(dead_code)]

use godwit_catalog::QualifiedName;
use godwit_oracle::chunks::{Plan, RowRange};
use godwit_oracle::data::{DataError, Field, OracleColumn, OracleType};
use godwit_transfer::{
    copy_oracle_from, Control, CopyError, OracleCopied, OracleCopyOptions, OracleRows, OracleTable,
};
use std::io::Read;
use std::sync::Arc;

/// The repeated text of the CLOB: tabs, newlines, backslashes and multi-byte characters.
pub const TEXT: &str = "Godwit\tLOB line with a back\\slash, é and 漢字\r\n";

/// `TEXT` as COPY text.
pub fn escaped_text() -> String {
    TEXT.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

/// The CLOB's length: whole repetitions of [`TEXT`] (a cut character would not be UTF-8).
pub fn clob_len(bytes: usize) -> usize {
    bytes - bytes % TEXT.len()
}

/// `len` bytes of `pattern` repeated, made as they are read.
pub struct Repeated {
    pattern: Vec<u8>,
    left: usize,
    at: usize,
}

impl Repeated {
    pub fn new(pattern: &[u8], len: usize) -> Repeated {
        Repeated {
            pattern: pattern.to_vec(),
            left: len,
            at: 0,
        }
    }
}

impl Read for Repeated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            let take = (self.pattern.len() - self.at)
                .min(buf.len() - n)
                .min(self.left);
            buf[n..n + take].copy_from_slice(&self.pattern[self.at..self.at + take]);
            (n, self.left, self.at) = (
                n + take,
                self.left - take,
                (self.at + take) % self.pattern.len(),
            );
        }
        Ok(n)
    }
}

/// The bytes of the BLOB's pattern.
pub fn blob_pattern() -> Vec<u8> {
    (0..=255u8).collect()
}

/// A table DOCS (ID, BODY CLOB, IMAGE BLOB) of one row, its LOBs generated as they are read.
pub struct Generated {
    /// The size of each LOB.
    pub bytes: usize,
    /// Rows after the first (ids 2, 3, …) with a short text and a 4-byte BLOB.
    pub small_rows: u32,
}

impl OracleRows for Generated {
    fn columns(&mut self, _: &OracleTable) -> Result<Vec<OracleColumn>, DataError> {
        Ok([
            ("ID", OracleType::Number),
            ("BODY", OracleType::Text),
            ("IMAGE", OracleType::Blob),
        ]
        .into_iter()
        .map(|(name, data_type)| OracleColumn::new(name, data_type))
        .collect())
    }

    fn plan(&mut self, _: &OracleTable, _: u64) -> Result<Plan, DataError> {
        Ok(Plan {
            ranges: vec![RowRange::Whole],
            note: None,
            rows: Some(1 + u64::from(self.small_rows)),
        })
    }

    fn snapshot(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn read(
        &mut self,
        _: &OracleTable,
        _: &[OracleColumn],
        _: &RowRange,
        _: Option<&str>,
        row: &mut dyn FnMut(String, Vec<Field<'_>>) -> bool,
    ) -> Result<(), DataError> {
        row(
            "row 1".into(),
            vec![
                Field::Value(Some("1".into())),
                Field::Characters(Box::new(Repeated::new(
                    TEXT.as_bytes(),
                    clob_len(self.bytes),
                ))),
                Field::Bytes(Box::new(Repeated::new(&blob_pattern(), self.bytes))),
            ],
        );
        for id in 2..2 + self.small_rows {
            row(
                format!("row {id}"),
                vec![
                    Field::Value(Some(id.to_string())),
                    Field::Characters(Box::new(Repeated::new(b"small", 5))),
                    Field::Bytes(Box::new(Repeated::new(&[1, 2, 3, 4], 4))),
                ],
            );
        }
        Ok(())
    }
}

/// Copies DOCS from `rows` into `public.docs` at `url` as `options` ask.
pub async fn copy_generated(
    rows: Generated,
    url: &str,
    run_id: &str,
    options: &OracleCopyOptions,
) -> Result<Vec<OracleCopied>, CopyError> {
    let (bytes, small_rows) = (rows.bytes, rows.small_rows);
    copy_oracle_from(
        Arc::new(move || Ok(Box::new(Generated { bytes, small_rows }) as Box<dyn OracleRows>)),
        url,
        run_id,
        &[OracleTable {
            owner: "BENCH".into(),
            table: "DOCS".into(),
            target: QualifiedName::new("public", "docs"),
        }],
        options,
        None,
        &Control::new(),
        None,
    )
    .await
}
