//! Oracle datetime and number format models (TO_CHAR, TO_DATE, TO_TIMESTAMP, TO_NUMBER) in
//! PostgreSQL's spelling.
//!
//! Most elements are spelled the same in both; this module rewrites the ones that differ (`RR`, `RRRR`,
//! `SSSSS`, `FF`, `TZR`, `X`, …), reports the ones whose output differs, and refuses the ones
//! PostgreSQL has no equivalent for (`SP`, `DL`, `TS`, `B`, hexadecimal `X`, …) so that a format is
//! never passed on with a different meaning.

/// A format model in PostgreSQL's spelling, with what a person should know about it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Translated {
    pub format: String,
    /// Output or input differs from Oracle's in a way worth a warning.
    pub notes: Vec<String>,
    /// Elements PostgreSQL cannot express: the call must not be converted.
    pub unsupported: Vec<String>,
}

/// Which family a format model belongs to.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Family {
    Datetime,
    Number,
    /// `TM`, `TM9`, `TME`: Oracle's text-minimum number format.
    TextMinimum,
}

/// Whether a TO_CHAR format formats a date or a number (Oracle decides by the argument's type; the
/// format's elements tell the same for any format that is valid for one of them).
pub fn family(format: &str) -> Family {
    let unquoted = strip_quoted(format).to_ascii_uppercase();
    let bare = unquoted.trim_start_matches("FM");
    if matches!(bare, "TM" | "TM9" | "TME") {
        return Family::TextMinimum;
    }
    const DATE_MARKERS: [&str; 19] = [
        "Y", "RR", "MM", "MON", "DD", "DY", "DAY", "HH", "SS", "FF", "AM", "PM", "A.M", "P.M", "Q",
        "WW", "IW", "J", "TZ",
    ];
    if DATE_MARKERS.iter().any(|m| bare.contains(m)) {
        Family::Datetime
    } else {
        Family::Number
    }
}

fn strip_quoted(format: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in format.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// How an Oracle datetime element is written for PostgreSQL.
enum Element {
    /// The same spelling (case kept: `Month` and `MONTH` differ in both).
    Same,
    Becomes(&'static str),
    /// Rewritten, with a note on how the result differs.
    Note(&'static str, &'static str),
    Unsupported,
}

/// Oracle datetime elements, longest first so that `HH24` wins over `HH` and `DDD` over `DD`.
const DATETIME: &[(&str, Element)] = &[
    ("SYYYY", Element::Unsupported),
    ("SYEAR", Element::Unsupported),
    ("Y,YYY", Element::Same),
    ("SSSSS", Element::Becomes("SSSS")),
    ("MONTH", Element::Same),
    ("YYYY", Element::Same),
    ("IYYY", Element::Same),
    ("RRRR", Element::Becomes("YYYY")),
    ("HH24", Element::Same),
    ("HH12", Element::Same),
    ("YEAR", Element::Unsupported),
    ("A.M.", Element::Same),
    ("P.M.", Element::Same),
    ("B.C.", Element::Same),
    ("A.D.", Element::Same),
    ("YYY", Element::Same),
    ("IYY", Element::Same),
    ("SCC", Element::Unsupported),
    ("MON", Element::Same),
    ("DAY", Element::Same),
    ("DDD", Element::Same),
    ("FF1", Element::Same),
    ("FF2", Element::Same),
    ("FF3", Element::Same),
    ("FF4", Element::Same),
    ("FF5", Element::Same),
    ("FF6", Element::Same),
    ("FF7", Element::Note("US", "FF7–FF9 become microseconds (6 digits): PostgreSQL keeps no finer time")),
    ("FF8", Element::Note("US", "FF7–FF9 become microseconds (6 digits): PostgreSQL keeps no finer time")),
    ("FF9", Element::Note("US", "FF7–FF9 become microseconds (6 digits): PostgreSQL keeps no finer time")),
    ("TZH", Element::Same),
    ("TZM", Element::Same),
    ("TZR", Element::Note("TZ", "TZR becomes TZ: PostgreSQL writes the zone's abbreviation (CET), not its region name (Europe/Paris)")),
    ("TZD", Element::Becomes("TZ")),
    ("YY", Element::Same),
    ("IY", Element::Same),
    ("RR", Element::Becomes("YY")),
    ("CC", Element::Same),
    ("MM", Element::Same),
    ("RM", Element::Same),
    ("WW", Element::Same),
    ("IW", Element::Same),
    ("DD", Element::Same),
    ("DY", Element::Same),
    ("HH", Element::Same),
    ("MI", Element::Same),
    ("SS", Element::Same),
    ("FF", Element::Becomes("US")),
    ("AM", Element::Same),
    ("PM", Element::Same),
    ("BC", Element::Same),
    ("AD", Element::Same),
    ("FM", Element::Same),
    ("FX", Element::Same),
    ("TH", Element::Same),
    ("SP", Element::Unsupported),
    ("DL", Element::Unsupported),
    ("DS", Element::Unsupported),
    ("TS", Element::Unsupported),
    ("EE", Element::Unsupported),
    ("Y", Element::Same),
    ("I", Element::Same),
    ("Q", Element::Same),
    ("W", Element::Same),
    ("D", Element::Same),
    ("J", Element::Same),
    ("X", Element::Becomes(".")),
    ("E", Element::Unsupported),
];

/// Translates an Oracle datetime format model. `parsing` is true for TO_DATE/TO_TIMESTAMP, where
/// two-digit `RR` years are read differently.
pub fn datetime(format: &str, parsing: bool) -> Translated {
    let mut t = Translated::default();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            // Quoted text is copied as is, quotes included (the same in both).
            let end = chars[i + 1..]
                .iter()
                .position(|&q| q == '"')
                .map_or(chars.len(), |p| i + 1 + p + 1);
            t.format.extend(&chars[i..end.min(chars.len())]);
            i = end;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            t.format.push(c);
            i += 1;
            continue;
        }
        let rest: String = chars[i..].iter().collect::<String>().to_ascii_uppercase();
        let Some((oracle, element)) = DATETIME.iter().find(|(e, _)| rest.starts_with(e)) else {
            t.unsupported.push(c.to_string());
            i += 1;
            continue;
        };
        let original: String = chars[i..i + oracle.len()].iter().collect();
        if parsing && matches!(*oracle, "TZR" | "TZD") {
            // PostgreSQL reads zone offsets (TZH:TZM) but not zone names.
            t.unsupported.push(original);
            i += oracle.len();
            continue;
        }
        match element {
            Element::Same => t.format.push_str(&original),
            Element::Becomes(pg) => t.format.push_str(pg),
            Element::Note(pg, note) => {
                t.format.push_str(pg);
                t.notes.push((*note).to_string());
            }
            Element::Unsupported => t.unsupported.push(original),
        }
        if parsing && *oracle == "RR" {
            t.notes.push("RR reads two-digit years 50–69 as 1950–1969 in Oracle and as 2050–2069 in PostgreSQL (YY)".into());
        }
        i += oracle.len();
    }
    t.notes.dedup();
    t
}

/// Translates an Oracle number format model (TO_CHAR of a number, TO_NUMBER).
pub fn number(format: &str) -> Translated {
    let mut t = Translated::default();
    let upper = format.to_ascii_uppercase();
    let mut i = 0;
    while i < upper.len() {
        let rest = &upper[i..];
        let (len, pg): (usize, Option<&str>) = if rest.starts_with("EEEE") {
            (4, Some("EEEE"))
        } else if rest.starts_with("FM")
            || rest.starts_with("MI")
            || rest.starts_with("PR")
            || rest.starts_with("RN")
        {
            (2, Some(&format[i..i + 2]))
        } else {
            match rest.as_bytes()[0] {
                b'9' | b'0' | b',' | b'.' | b'D' | b'G' | b'S' | b'L' | b'V' => {
                    (1, Some(&format[i..i + 1]))
                }
                b'$' => {
                    if !upper.starts_with("FM") {
                        t.notes.push("PostgreSQL writes $ where the format puts it, before the padding (Oracle writes it next to the digits): add FM to compare".into());
                    }
                    (1, Some("$"))
                }
                _ => (rest.chars().next().map_or(1, char::len_utf8), None),
            }
        };
        match pg {
            Some(p) => t.format.push_str(p),
            None => t.unsupported.push(format[i..i + len].to_string()),
        }
        i += len;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_formats_in_postgres_spelling() {
        let cases = [
            ("YYYY-MM-DD HH24:MI:SS", "YYYY-MM-DD HH24:MI:SS"),
            ("DD-MON-RR", "DD-MON-YY"),
            ("dd/mm/rrrr", "dd/mm/YYYY"),
            ("FMMonth DD, YYYY", "FMMonth DD, YYYY"),
            ("Day, DDth \"of\" Month", "Day, DDth \"of\" Month"),
            ("HH:MI:SS.FF3 AM", "HH:MI:SS.FF3 AM"),
            ("SSSSS", "SSSS"),
            ("HH24:MI:SS.FF", "HH24:MI:SS.US"),
            ("HH24:MI:SSXFF", "HH24:MI:SS.US"),
            ("IYYY-IW", "IYYY-IW"),
            ("Q", "Q"),
            ("J", "J"),
            ("TZH:TZM", "TZH:TZM"),
        ];
        for (oracle, pg) in cases {
            let t = datetime(oracle, false);
            assert_eq!(t.format, pg, "{oracle}");
            assert!(t.unsupported.is_empty(), "{oracle}: {:?}", t.unsupported);
        }
    }

    #[test]
    fn datetime_elements_that_differ_are_noted_or_refused() {
        assert_eq!(datetime("DD-MON-RR", true).notes.len(), 1);
        assert!(datetime("DD-MON-RR", false).notes.is_empty());
        assert_eq!(datetime("TZR", false).format, "TZ");
        assert_eq!(datetime("TZR", false).notes.len(), 1);
        assert_eq!(datetime("TZR", true).unsupported, ["TZR"]);
        assert_eq!(datetime("DDSP", false).unsupported, ["SP"]);
        assert_eq!(datetime("DL", false).unsupported, ["DL"]);
        assert_eq!(datetime("SYYYY", false).unsupported, ["SYYYY"]);
        assert_eq!(datetime("YYYY-ZZ", false).unsupported, ["Z", "Z"]);
    }

    #[test]
    fn number_formats_in_postgres_spelling() {
        for f in [
            "999G999D99",
            "FM9,990.00",
            "S9999",
            "9999MI",
            "9999PR",
            "9.99EEEE",
            "0009",
            "RN",
            "L999",
            "99V99",
        ] {
            let t = number(f);
            assert_eq!(t.format, f);
            assert!(t.unsupported.is_empty() && t.notes.is_empty(), "{f}: {t:?}");
        }
        assert_eq!(number("$9,999").notes.len(), 1);
        assert!(number("FM$9,999").notes.is_empty());
        assert_eq!(number("XXXX").unsupported, ["X", "X", "X", "X"]);
        assert_eq!(number("B999").unsupported, ["B"]);
    }

    #[test]
    fn the_family_follows_the_elements() {
        assert_eq!(family("YYYY-MM-DD"), Family::Datetime);
        assert_eq!(family("HH24:MI:SS.FF9"), Family::Datetime);
        assert_eq!(family("\"Year \"YYYY"), Family::Datetime);
        assert_eq!(family("999G999D99"), Family::Number);
        assert_eq!(family("FM0009"), Family::Number);
        assert_eq!(family("9999MI"), Family::Number);
        assert_eq!(family("TM9"), Family::TextMinimum);
        assert_eq!(family("FMTM"), Family::TextMinimum);
    }
}
