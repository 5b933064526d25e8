//! Findings: what the converter could not convert with certainty, or changed in a way a person should
//! know about. Every finding has a stable id, a severity, the place in the Oracle source, a message and a
//! suggestion.

use serde::Serialize;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Converted; worth knowing (e.g. a physical clause dropped).
    Info,
    /// Converted, but the meaning may differ: review it.
    Warning,
    /// Not converted.
    Error,
}

impl Severity {
    /// Lower-case label used in reports and script comments.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `GW-TYPE-ROWID`.
    pub id: &'static str,
    pub severity: Severity,
    pub file: PathBuf,
    pub line: u32,
    pub message: String,
    pub suggestion: String,
}
