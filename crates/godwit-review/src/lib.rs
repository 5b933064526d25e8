//! Side-by-side review of two texts: which lines are equal, deleted, inserted or replaced, and,
//! within a replaced line, which words changed.
//!
//! Owns only the diff itself (no SQL knowledge, no UI): the desktop shows an Oracle object next to
//! its PostgreSQL conversion with it, and the same rows serve DDL diffs between a source and a
//! target. Lines are compared without their line endings (`\n` and `\r\n` alike), with the Myers
//! algorithm of the `similar` crate; words (runs of word characters, runs of whitespace, single
//! punctuation characters) are compared the same way inside each replaced pair of lines.
//!
//! ```
//! use godwit_review::{side_by_side, Tag};
//! let rows = side_by_side("a NUMBER(10)\nb DATE\n", "a numeric(10)\nb timestamp(0)\n");
//! assert_eq!(rows.len(), 2);
//! assert!(rows.iter().all(|r| r.tag == Tag::Replace));
//! ```

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffOp};

/// How a row of the side-by-side view relates its two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    /// The same line on both sides.
    Equal,
    /// A line only on the old (left) side.
    Delete,
    /// A line only on the new (right) side.
    Insert,
    /// An old line paired with the new line that replaces it; see the segments for the words.
    Replace,
}

/// A run of text within one side of a row; `emphasized` marks the words that changed (never
/// whitespace alone: spacing differences are shown as plain text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The text, without any line ending.
    pub text: String,
    /// True when this run differs from the other side (only ever set in [`Tag::Replace`] rows).
    pub emphasized: bool,
}

/// One row of the side-by-side view.
///
/// Line numbers start at 1. A side that has no line in this row has no number and no segments.
/// Equal, deleted and inserted lines are one unemphasized segment (none for an empty line);
/// replaced lines are split into the segments that stayed and the ones that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Tag of the row.
    pub tag: Tag,
    /// Line number in the old text, when the row has an old side.
    pub old_line: Option<u32>,
    /// Line number in the new text, when the row has a new side.
    pub new_line: Option<u32>,
    /// The old line as segments.
    pub old: Vec<Segment>,
    /// The new line as segments.
    pub new: Vec<Segment>,
}

/// Side-by-side rows from `old` to `new`, in order. Never fails; two empty texts give no rows.
///
/// Within a block of changed lines, old and new lines are paired in order as [`Tag::Replace`]
/// rows; the surplus of the longer side follows as [`Tag::Delete`] or [`Tag::Insert`] rows.
pub fn side_by_side(old: &str, new: &str) -> Vec<Row> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut rows = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines) {
        let (_, old_range, new_range) = op.as_tag_tuple();
        let paired = match op {
            DiffOp::Equal { .. } => {
                for (o, n) in old_range.zip(new_range) {
                    rows.push(Row {
                        tag: Tag::Equal,
                        old_line: Some(number(o)),
                        new_line: Some(number(n)),
                        old: whole(old_lines[o]),
                        new: whole(new_lines[n]),
                    });
                }
                continue;
            }
            DiffOp::Delete { .. } | DiffOp::Insert { .. } | DiffOp::Replace { .. } => {
                old_range.len().min(new_range.len())
            }
        };
        for (o, n) in old_range.clone().zip(new_range.clone()) {
            let (old_segments, new_segments) = words(old_lines[o], new_lines[n]);
            rows.push(Row {
                tag: Tag::Replace,
                old_line: Some(number(o)),
                new_line: Some(number(n)),
                old: old_segments,
                new: new_segments,
            });
        }
        for o in old_range.skip(paired) {
            rows.push(Row {
                tag: Tag::Delete,
                old_line: Some(number(o)),
                new_line: None,
                old: whole(old_lines[o]),
                new: Vec::new(),
            });
        }
        for n in new_range.skip(paired) {
            rows.push(Row {
                tag: Tag::Insert,
                old_line: None,
                new_line: Some(number(n)),
                old: Vec::new(),
                new: whole(new_lines[n]),
            });
        }
    }
    rows
}

/// 1-based line number of a 0-based index (saturating for texts beyond 4 billion lines).
fn number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn whole(line: &str) -> Vec<Segment> {
    if line.is_empty() {
        return Vec::new();
    }
    vec![Segment {
        text: line.to_string(),
        emphasized: false,
    }]
}

/// Splits a line into words: runs of alphanumerics/`_`, runs of whitespace, single other characters.
fn tokens(line: &str) -> Vec<&str> {
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut previous: Option<u8> = None;
    for (i, c) in line.char_indices() {
        let k = class(c);
        if let Some(p) = previous {
            if p != k || k == 2 {
                out.push(&line[start..i]);
                start = i;
            }
        }
        previous = Some(k);
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}

/// Appends `text` to `segments`, merging it into the last segment when the emphasis matches.
fn push(segments: &mut Vec<Segment>, text: &str, emphasized: bool) {
    match segments.last_mut() {
        Some(last) if last.emphasized == emphasized => last.text.push_str(text),
        _ => segments.push(Segment {
            text: text.to_string(),
            emphasized,
        }),
    }
}

/// Word-level segments of a replaced pair of lines: (old side, new side).
fn words(old: &str, new: &str) -> (Vec<Segment>, Vec<Segment>) {
    let old_words = tokens(old);
    let new_words = tokens(new);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for op in capture_diff_slices(Algorithm::Myers, &old_words, &new_words) {
        let (_, old_range, new_range) = op.as_tag_tuple();
        // Whitespace alone is never emphasized: re-indentation is not a change worth reviewing.
        let changed = !matches!(op, DiffOp::Equal { .. });
        for o in old_range {
            let word = old_words[o];
            push(&mut left, word, changed && !word.trim().is_empty());
        }
        for n in new_range {
            let word = new_words[n];
            push(&mut right, word, changed && !word.trim().is_empty());
        }
    }
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compact form of a row: tag, line numbers, and each side with changed words in `[...]`.
    fn show(row: &Row) -> (Tag, Option<u32>, Option<u32>, String, String) {
        let side = |segments: &[Segment]| {
            segments
                .iter()
                .map(|s| {
                    if s.emphasized {
                        format!("[{}]", s.text)
                    } else {
                        s.text.clone()
                    }
                })
                .collect::<String>()
        };
        (
            row.tag,
            row.old_line,
            row.new_line,
            side(&row.old),
            side(&row.new),
        )
    }

    type Expected = (Tag, Option<u32>, Option<u32>, &'static str, &'static str);

    fn check(old: &str, new: &str, expected: &[Expected]) {
        let actual: Vec<_> = side_by_side(old, new).iter().map(show).collect();
        let expected: Vec<_> = expected
            .iter()
            .map(|(t, o, n, l, r)| (*t, *o, *n, l.to_string(), r.to_string()))
            .collect();
        assert_eq!(actual, expected, "old:\n{old}\nnew:\n{new}");
    }

    use Tag::*;

    #[test]
    fn identical_texts_are_equal_rows() {
        check(
            "CREATE TABLE t (\n  id INT\n);\n",
            "CREATE TABLE t (\n  id INT\n);",
            &[
                (
                    Equal,
                    Some(1),
                    Some(1),
                    "CREATE TABLE t (",
                    "CREATE TABLE t (",
                ),
                (Equal, Some(2), Some(2), "  id INT", "  id INT"),
                (Equal, Some(3), Some(3), ");", ");"),
            ],
        );
    }

    #[test]
    fn empty_texts_give_no_rows() {
        check("", "", &[]);
    }

    #[test]
    fn a_changed_line_marks_only_the_changed_words() {
        check(
            "CREATE TABLE t (\n  id NUMBER(10) NOT NULL\n);",
            "CREATE TABLE t (\n  id numeric(10) NOT NULL\n);",
            &[
                (
                    Equal,
                    Some(1),
                    Some(1),
                    "CREATE TABLE t (",
                    "CREATE TABLE t (",
                ),
                (
                    Replace,
                    Some(2),
                    Some(2),
                    "  id [NUMBER](10) NOT NULL",
                    "  id [numeric](10) NOT NULL",
                ),
                (Equal, Some(3), Some(3), ");", ");"),
            ],
        );
    }

    #[test]
    fn a_function_rewrite_marks_the_call_and_its_punctuation() {
        check(
            "SELECT NVL(a, 0) FROM t",
            "SELECT COALESCE(a, 0) FROM t",
            &[(
                Replace,
                Some(1),
                Some(1),
                "SELECT [NVL](a, 0) FROM t",
                "SELECT [COALESCE](a, 0) FROM t",
            )],
        );
    }

    #[test]
    fn changed_spacing_is_not_emphasized() {
        check(
            "  id      NUMBER(10),",
            "    id bigint,",
            &[(
                Replace,
                Some(1),
                Some(1),
                "  id      [NUMBER(10)],",
                "    id [bigint],",
            )],
        );
    }

    #[test]
    fn surplus_old_lines_are_deleted_after_the_pairs() {
        check(
            "a\nb x\nc y\nd",
            "a\nb z\nd",
            &[
                (Equal, Some(1), Some(1), "a", "a"),
                (Replace, Some(2), Some(2), "b [x]", "b [z]"),
                (Delete, Some(3), None, "c y", ""),
                (Equal, Some(4), Some(3), "d", "d"),
            ],
        );
    }

    #[test]
    fn added_lines_are_inserted() {
        check(
            "a\nc",
            "a\nb\nc\nd",
            &[
                (Equal, Some(1), Some(1), "a", "a"),
                (Insert, None, Some(2), "", "b"),
                (Equal, Some(2), Some(3), "c", "c"),
                (Insert, None, Some(4), "", "d"),
            ],
        );
    }

    #[test]
    fn windows_line_endings_compare_equal_to_unix_ones() {
        check(
            "a\r\nb\r\n",
            "a\nb\n",
            &[
                (Equal, Some(1), Some(1), "a", "a"),
                (Equal, Some(2), Some(2), "b", "b"),
            ],
        );
    }

    #[test]
    fn rows_serialise_with_lowercase_tags() {
        let rows = side_by_side("x", "y");
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(json[0]["tag"], "replace");
        assert_eq!(json[0]["old"][0]["emphasized"], true);
        assert_eq!(json[0]["new_line"], 1);
    }

    #[test]
    fn words_split_on_word_runs_spaces_and_each_punctuation() {
        assert_eq!(
            tokens("a_1  b(c,d)"),
            ["a_1", "  ", "b", "(", "c", ",", "d", ")"]
        );
        assert!(tokens("").is_empty());
    }
}
