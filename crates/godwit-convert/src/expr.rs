//! Oracle SQL expressions and queries to PostgreSQL, token by token.
//!
//! Rewrites what has an exact PostgreSQL equivalent (NVL, NVL2, DECODE with NULL matching NULL,
//! SYSDATE, SYSTIMESTAMP, USER, `seq.NEXTVAL`/`CURRVAL`, TO_DATE with a format, TO_NUMBER, LISTAGG,
//! MINUS, `FROM dual`, q-quoted and national strings, upper-case quoted names). Constructs it cannot
//! convert with certainty (`(+)` outer joins, ROWNUM, CONNECT BY, …) are reported as blocking: the
//! caller then leaves the statement out with a finding rather than emit something that means
//! something else.

use crate::cursor::{matching_paren, split_commas};
use crate::names::pg_name;
use godwit_catalog::quote_ident;
use godwit_oracle::{Token, TokenKind};

/// How an expression is being converted, and what the conversion found.
#[derive(Default)]
pub struct Rewrite {
    /// In data (INSERT values), Oracle's `''` is NULL.
    pub empty_string_is_null: bool,
    /// Constructs that could not be converted: (finding id, message).
    pub blocking: Vec<(&'static str, String)>,
    /// Conversions worth a note: (finding id, message).
    pub notes: Vec<(&'static str, String)>,
    /// Schema qualifiers to leave out (Oracle schemas that map to the target's default schema).
    pub dropped_qualifiers: std::collections::BTreeSet<String>,
    /// The word before the `.` preceding the current call (e.g. `UTL_RAW`), upper-cased.
    pub(crate) current_qualifier: Option<String>,
    /// Set by a call rewrite that replaces its package qualifier too.
    pub(crate) drop_qualifier: bool,
    /// `godwit_compat` helpers the converted SQL calls.
    pub helpers: std::collections::BTreeSet<&'static str>,
    /// Nesting of `sql` calls (function arguments recurse).
    depth: u32,
    /// PostgreSQL schemas made from the input's PL/SQL packages: `pkg.proc(…);` calls them.
    pub packages: std::collections::BTreeSet<String>,
    /// Tables, views and synonyms the input creates (PostgreSQL names): never taken for Oracle's
    /// own views.
    pub input_relations: std::collections::BTreeSet<String>,
    /// DATE and TIMESTAMP variables and parameters of the routine being converted (lower case), for
    /// Oracle's date arithmetic on them.
    pub date_variables: std::collections::BTreeSet<String>,
    /// Columns of DATE and TIMESTAMP type in the tables the input defines (lower case; a name that is
    /// another type's column in some table is left out), for Oracle's date arithmetic on them.
    pub date_columns: std::collections::BTreeSet<String>,
    /// XMLType variables and parameters of the routine being converted (lower case), for XMLType's
    /// methods on them.
    pub xml_variables: std::collections::BTreeSet<String>,
    /// BFILE variables and parameters of the routine being converted (lower case): DBMS_LOB's
    /// calls on them read server files.
    pub bfile_variables: std::collections::BTreeSet<String>,
    /// Object types converted to composite types: lower-case name → qualified PostgreSQL name.
    /// `t(a, b)` (Oracle's constructor) becomes `ROW(a, b)::schema.t`.
    pub object_types: std::collections::BTreeMap<String, String>,
    /// Object types with user-defined constructors: lower-case name → (schema of their methods,
    /// the fewest and most arguments of each constructor). `t(args)` calls `schema.t(args)` when
    /// one takes that many arguments.
    pub constructors: std::collections::BTreeMap<String, (String, Vec<(usize, usize)>)>,
}

/// Whose view the word `t` names, when it is one of Oracle's own (its data dictionary: `USER_`,
/// `ALL_`, `DBA_`, `V$`, `GV$`) or of APEX's (`APEX_`, `WWV_FLOW_`), none of which PostgreSQL has,
/// and not one of the input's own tables, views or synonyms (`own`, PostgreSQL names).
pub(crate) fn oracle_view(
    t: &Token,
    own: &std::collections::BTreeSet<String>,
) -> Option<&'static str> {
    let upper = t.upper();
    let dictionary = ["USER_", "ALL_", "DBA_", "V$", "GV$"];
    let whose = if upper.len() > 4 && dictionary.iter().any(|p| upper.starts_with(p)) {
        "Oracle's data dictionary"
    } else if ["APEX_", "WWV_FLOW_"].iter().any(|p| upper.starts_with(p)) {
        "APEX's"
    } else {
        return None;
    };
    (t.kind == TokenKind::Word && !own.contains(&pg_name(t))).then_some(whose)
}

/// Deepest parenthesis nesting converted; deeper input is reported instead of risking the stack.
pub const MAX_NESTING: usize = 200;

/// The deepest parenthesis nesting in `tokens`.
pub fn nesting(tokens: &[Token]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for t in tokens {
        if t.is_symbol("(") {
            depth += 1;
            max = max.max(depth);
        } else if t.is_symbol(")") {
            depth = depth.saturating_sub(1);
        }
    }
    max
}

/// Whether `package` (upper case) is one Oracle supplies (DBMS_*, UTL_*, OWA, HTP, APEX_*, …), whose
/// calls have no PostgreSQL counterpart unless a rule maps them.
pub(crate) fn is_oracle_supplied(package: &str) -> bool {
    [
        "DBMS_", "UTL_", "OWA", "APEX_", "WWV_", "CTX_", "ORD_", "SDO_", "XDB",
    ]
    .iter()
    .any(|prefix| package.starts_with(prefix))
        || ["HTP", "HTF", "SYS"].contains(&package)
}

/// `sql` as an integer argument: unchanged when it is an integer literal, else truncated and cast (as
/// Oracle truncates a fractional length or code).
fn integer_argument(sql: &str) -> String {
    if sql.trim().replace(' ', "").parse::<i64>().is_ok() {
        sql.trim().to_string()
    } else {
        format!("CAST(trunc({sql}) AS integer)")
    }
}

/// A PostgreSQL string literal.
pub fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl Rewrite {
    fn qualifier_is(&self, package: &str) -> bool {
        self.current_qualifier.as_deref() == Some(package)
    }

    /// Reports a call of `name` in an Oracle-supplied package (the current qualifier) that no rule
    /// maps; true when it did.
    fn refuse_oracle_supplied(&mut self, name: &str) -> bool {
        let Some(package) = self
            .current_qualifier
            .clone()
            .filter(|q| is_oracle_supplied(q) && !self.packages.contains(&q.to_lowercase()))
        else {
            return false;
        };
        self.blocking.push((
            "GW-PLSQL-BUILTIN",
            format!(
                "package call {}.{} is not converted yet",
                package.to_lowercase(),
                name.to_lowercase()
            ),
        ));
        true
    }

    /// Whether `arg` is a BFILE variable or parameter.
    pub(crate) fn is_bfile(&self, arg: &[Token]) -> bool {
        matches!(arg, [v] if self.bfile_variables.contains(&crate::names::pg_name(v)))
    }

    /// Notes the `files` helpers and what they need on the server.
    pub(crate) fn uses_files(&mut self) {
        self.helpers.insert("files");
        let note = "UTL_FILE and BFILE read and write the PostgreSQL server's files: register each Oracle directory object in godwit_compat.directories (name as Oracle spells it, server path). Reading needs superuser, or EXECUTE on pg_stat_file and pg_read_binary_file plus membership in pg_read_server_files; writing needs superuser or EXECUTE on lo_export(oid, text); a written file is rewritten whole on each FFLUSH and FCLOSE";
        if !self.notes.iter().any(|(_, n)| n == note) {
            self.notes.push(("GW-PLSQL-FILE", note.into()));
        }
    }

    /// Notes the `owa_cgi` helpers and where their environment comes from.
    pub(crate) fn uses_owa_cgi(&mut self) {
        self.helpers.insert("owa_cgi");
        let note = "OWA's CGI environment is what OWA.INIT_CGI_ENV set in this session: no PL/SQL gateway sets it, and OWA_UTIL.GET_CGI_ENV raises VALUE_ERROR until something did, as OWA does outside a gateway call";
        if !self.notes.iter().any(|(_, n)| n == note) {
            self.notes.push(("GW-PLSQL-OWA-CGI", note.into()));
        }
    }

    /// An XMLType method on `doc` (SQL text): EXTRACT, EXISTSNODE, GETCLOBVAL, GETSTRINGVAL,
    /// GETNUMBERVAL; anything else is reported.
    fn xml_method(&mut self, doc: &str, method: &str, args: &[String]) -> String {
        match (method, args) {
            ("EXTRACT" | "EXISTSNODE", [path, ns @ ..]) if ns.len() <= 1 => {
                self.helpers.insert("xml");
                let helper = if method == "EXTRACT" {
                    "xml_extract"
                } else {
                    "xml_existsnode"
                };
                let ns = ns.first().map(|n| format!(", {n}")).unwrap_or_default();
                format!("{}.{helper}({doc}, {path}{ns})", crate::compat::SCHEMA)
            }
            ("GETCLOBVAL" | "GETSTRINGVAL", []) => format!("CAST({doc} AS text)"),
            ("GETNUMBERVAL", []) => format!("CAST(CAST({doc} AS text) AS numeric)"),
            _ => {
                self.blocking.push((
                    "GW-PLSQL-XMLTYPE",
                    format!(
                        "XMLType method {} is not converted yet",
                        method.to_lowercase()
                    ),
                ));
                doc.to_string()
            }
        }
    }

    /// Whether the word at `i` is a DATE or TIMESTAMP variable or parameter of the routine (not a
    /// field, call or qualifier).
    fn is_date_variable(&self, tokens: &[Token], i: usize) -> bool {
        let t = &tokens[i];
        let name = t.text.to_lowercase();
        t.kind == TokenKind::Word
            && ((self.date_variables.contains(&name) && !prev_is_dot(tokens, i))
                || self.date_columns.contains(&name))
            && !tokens
                .get(i + 1)
                .is_some_and(|n| n.is_symbol(".") || n.is_symbol("("))
    }

    /// Oracle's date arithmetic after the date term at `i` (written `date` in PostgreSQL): `d + n` and
    /// `d - n` count days, `d1 - d2` is a number of days. Returns the text and the last token used.
    fn date_arithmetic(
        &mut self,
        tokens: &[Token],
        i: usize,
        date: &str,
    ) -> Option<(String, usize)> {
        // d + 1 + 1/24: each step's result is a date again (d1 - d2 is a number, and ends it).
        let (mut text, mut end, mut is_date) = self.date_step(tokens, i, date)?;
        while is_date {
            match self.date_step(tokens, end, &text) {
                Some((t, e, d)) => (text, end, is_date) = (t, e, d),
                None => break,
            }
        }
        Some((text, end))
    }

    /// One `+ n`, `- n` or `- date` after the date term ending at `i`: the text, the last token used,
    /// and whether the result is a date.
    fn date_step(
        &mut self,
        tokens: &[Token],
        i: usize,
        date: &str,
    ) -> Option<(String, usize, bool)> {
        let op = tokens
            .get(i + 1)
            .filter(|n| n.is_symbol("+") || n.is_symbol("-"))?;
        let other_date = tokens.get(i + 2).is_some_and(|o| {
            o.is("SYSDATE") || o.is("SYSTIMESTAMP") || self.is_date_variable(tokens, i + 2)
        });
        // alias.column on the right.
        let qualified_date = tokens.get(i + 3).is_some_and(|d| d.is_symbol("."))
            && tokens.get(i + 4).is_some()
            && self.is_date_variable(tokens, i + 4)
            && self
                .date_columns
                .contains(&tokens[i + 4].text.to_lowercase());
        // d1 - f(…) where f returns a date.
        let date_call = tokens
            .get(i + 2)
            .filter(|f| is_date_function(f) && tokens.get(i + 3).is_some_and(|p| p.is_symbol("(")))
            .and_then(|_| matching_paren(tokens, i + 3));
        if let (true, Some(close)) = (op.is_symbol("-"), date_call) {
            let other = self.sql(&tokens[i + 2..=close]);
            return Some((
                format!("trim_scale(EXTRACT(EPOCH FROM ({date} - {other})) / 86400)"),
                close,
                false,
            ));
        }
        if op.is_symbol("-") && (other_date || qualified_date) {
            let (other, end) = if qualified_date {
                (
                    format!(
                        "{}.{}",
                        tokens[i + 2].text.to_lowercase(),
                        tokens[i + 4].text.to_lowercase()
                    ),
                    i + 4,
                )
            } else {
                let other = match tokens[i + 2].upper().as_str() {
                    "SYSDATE" => "LOCALTIMESTAMP(0)".to_string(),
                    "SYSTIMESTAMP" => "CURRENT_TIMESTAMP".to_string(),
                    _ => tokens[i + 2].text.to_lowercase(),
                };
                (other, i + 2)
            };
            return Some((
                format!("trim_scale(EXTRACT(EPOCH FROM ({date} - {other})) / 86400)"),
                end,
                false,
            ));
        }
        // The operand is a multiplicative term: 1, (x), 1/24, 2*(x), a variable, a call (not one
        // that returns an interval, which PostgreSQL adds as it is).
        let factor_end = |at: usize| match tokens.get(at) {
            Some(t) if t.kind == TokenKind::Number => Some(at),
            Some(t) if t.is_symbol("(") => matching_paren(tokens, at),
            Some(t)
                if t.kind == TokenKind::Word
                    && !is_plsql_or_sql_keyword(t)
                    && !self.is_date_variable(tokens, at)
                    && !is_date_function(t)
                    && ![
                        "NUMTODSINTERVAL",
                        "NUMTOYMINTERVAL",
                        "TO_DSINTERVAL",
                        "TO_YMINTERVAL",
                        "INTERVAL",
                    ]
                    .iter()
                    .any(|f| t.is(f)) =>
            {
                match tokens.get(at + 1) {
                    Some(p) if p.is_symbol("(") => matching_paren(tokens, at + 1),
                    Some(d) if d.is_symbol(".") => None,
                    _ => Some(at),
                }
            }
            _ => None,
        };
        let mut end = factor_end(i + 2)?;
        while tokens
            .get(end + 1)
            .is_some_and(|t| t.is_symbol("*") || t.is_symbol("/"))
        {
            match factor_end(end + 2) {
                Some(next_end) => end = next_end,
                None => break,
            }
        }
        let days = self.sql(&tokens[i + 2..=end]);
        Some((
            format!("({date} {} ({days}) * interval '1 day')", op.text),
            end,
            true,
        ))
    }

    /// Converts a query or DML statement: query-level rewrites (outer joins, ROWNUM), then tokens.
    pub fn query(&mut self, tokens: &[Token]) -> String {
        if nesting(tokens) > MAX_NESTING {
            return self.too_deep();
        }
        self.sql(&crate::query::rewrite_query(tokens))
    }

    fn too_deep(&mut self) -> String {
        self.blocking.push((
            "GW-SQL-TOO-DEEP",
            format!("expression nested deeper than {MAX_NESTING} parentheses"),
        ));
        String::new()
    }

    /// `doc.method(…)[.method(…)…]` from the `.` at `at`: each call works on the previous result
    /// (PL/SQL calls a method without arguments with or without parentheses). Returns the SQL and the
    /// index after the chain.
    fn xml_methods(&mut self, tokens: &[Token], mut at: usize, doc: String) -> (String, usize) {
        let mut current = doc;
        while tokens.get(at).is_some_and(|d| d.is_symbol("."))
            && tokens
                .get(at + 1)
                .is_some_and(|m| m.kind == TokenKind::Word)
        {
            let method = tokens[at + 1].upper();
            let (args, next_at) = if tokens.get(at + 2).is_some_and(|p| p.is_symbol("(")) {
                let close = matching_paren(tokens, at + 2).unwrap_or(tokens.len() - 1);
                let args: Vec<String> = split_commas(&tokens[at + 3..close])
                    .iter()
                    .map(|a| self.sql(a))
                    .collect();
                (args, close + 1)
            } else {
                (Vec::new(), at + 2)
            };
            current = self.xml_method(&current, &method, &args);
            at = next_at;
        }
        (current, at)
    }

    /// Converts `tokens` to PostgreSQL SQL text.
    pub fn sql(&mut self, tokens: &[Token]) -> String {
        if self.depth == 0 && nesting(tokens) > MAX_NESTING {
            return self.too_deep();
        }
        self.depth += 1;
        // A call's arguments are converted inside the rule for the call: what the rule has set about
        // its own qualifier must survive the calls in its arguments.
        let qualifier = (self.current_qualifier.take(), self.drop_qualifier);
        let text = self.sql_tokens(tokens);
        (self.current_qualifier, self.drop_qualifier) = qualifier;
        self.depth -= 1;
        text
    }

    fn sql_tokens(&mut self, tokens: &[Token]) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            let next = tokens.get(i + 1);
            let upper = if t.kind == TokenKind::Word {
                t.upper()
            } else {
                String::new()
            };
            // Function calls with a rewrite: NAME ( args )
            if t.kind == TokenKind::Word && next.is_some_and(|n| n.is_symbol("(")) {
                if let Some(end) = matching_paren(tokens, i + 1) {
                    let args = &tokens[i + 2..end];
                    self.current_qualifier =
                        (i >= 2 && tokens[i - 1].is_symbol(".")).then(|| tokens[i - 2].upper());
                    self.drop_qualifier = false;
                    if let Some((text, consumed)) = self.call(&upper, args, &tokens[end + 1..]) {
                        if self.drop_qualifier && out.last().is_some_and(|s| s == ".") {
                            out.pop();
                            out.pop();
                            // SYS.UTL_RAW.…: the owner goes too.
                            if out.last().is_some_and(|s| s == ".")
                                && out.len() >= 2
                                && out[out.len() - 2] == "sys"
                            {
                                out.pop();
                                out.pop();
                            }
                        }
                        // XMLTYPE(…).method(…)…: the methods on the constructed document.
                        if upper == "XMLTYPE"
                            && consumed == 0
                            && self.current_qualifier.is_none()
                            && tokens.get(end + 1).is_some_and(|d| d.is_symbol("."))
                        {
                            let (text, at) = self.xml_methods(tokens, end + 1, text);
                            out.push(text);
                            i = at;
                            continue;
                        }
                        // A call that returns a date, then Oracle's date arithmetic on it.
                        let returns_date = is_date_function(t) && self.current_qualifier.is_none();
                        if returns_date && consumed == 0 {
                            if let Some((text, last)) = self.date_arithmetic(tokens, end, &text) {
                                out.push(text);
                                i = last + 1;
                                continue;
                            }
                        }
                        out.push(text);
                        i = end + 1 + consumed;
                        continue;
                    }
                }
            }
            match t.kind {
                TokenKind::Word => match upper.as_str() {
                    "SYSDATE" | "SYSTIMESTAMP" => {
                        let now = if upper == "SYSDATE" {
                            "LOCALTIMESTAMP(0)"
                        } else {
                            "CURRENT_TIMESTAMP"
                        };
                        match self.date_arithmetic(tokens, i, now) {
                            Some((text, end)) => {
                                out.push(text);
                                i = end + 1;
                                continue;
                            }
                            None => out.push(now.into()),
                        }
                    }
                    _ if self.xml_variables.contains(&t.text.to_lowercase())
                        && !prev_is_dot(tokens, i)
                        && next.is_some_and(|n| n.is_symbol(".")) =>
                    {
                        let (current, at) = self.xml_methods(tokens, i + 1, t.text.to_lowercase());
                        out.push(current);
                        i = at;
                        continue;
                    }
                    _ if self.is_date_variable(tokens, i) => {
                        let mut name = t.text.to_lowercase();
                        if prev_is_dot(tokens, i) && out.len() >= 2 {
                            // alias.column: the qualifier already written goes inside.
                            out.pop();
                            let qualifier = out.pop().unwrap_or_default();
                            name = format!("{qualifier}.{name}");
                        }
                        match self.date_arithmetic(tokens, i, &name) {
                            Some((text, end)) => {
                                out.push(text);
                                i = end + 1;
                                continue;
                            }
                            None => out.push(name),
                        }
                    }
                    "USER"
                        if !next.is_some_and(|n| n.is_symbol(".") || n.is_symbol("("))
                            && !prev_is_dot(tokens, i) =>
                    {
                        out.push("CURRENT_USER".into())
                    }
                    "MINUS" => out.push("EXCEPT".into()),
                    _ if i > 0
                        && (tokens[i - 1].is("FROM") || tokens[i - 1].is("JOIN"))
                        && oracle_view(t, &self.input_relations).is_some() =>
                    {
                        self.blocking.push((
                            "GW-SQL-DICTIONARY",
                            format!(
                                "reads {} view {}, which PostgreSQL does not have",
                                oracle_view(t, &self.input_relations).unwrap_or_default(),
                                t.text.to_lowercase()
                            ),
                        ));
                        out.push(t.text.to_lowercase());
                    }
                    _ if next.is_some_and(|n| n.is_symbol("."))
                        && !prev_is_dot(tokens, i)
                        && is_oracle_supplied(&upper)
                        && !self.packages.contains(&upper.to_lowercase())
                        && tokens.get(i + 2).is_some_and(|m| m.kind == TokenKind::Word)
                        && !tokens
                            .get(i + 3)
                            .is_some_and(|p| p.is_symbol("(") || p.is_symbol(".")) =>
                    {
                        // PKG.NAME without arguments: a function called without parentheses or a
                        // package constant.
                        let member = tokens[i + 2].upper();
                        let text = match (upper.as_str(), member.as_str()) {
                            ("DBMS_UTILITY", "FORMAT_CALL_STACK") => {
                                self.helpers.insert("call_stack");
                                format!("{}.format_call_stack()", crate::compat::SCHEMA)
                            }
                            ("DBMS_UTILITY", "FORMAT_ERROR_STACK") => "SQLERRM".into(),
                            ("DBMS_UTILITY", "GET_TIME") => {
                                "(extract(epoch FROM clock_timestamp()) * 100)::bigint".into()
                            }
                            ("DBMS_RANDOM", "VALUE") => "random()".into(),
                            ("UTL_RAW", "BIG_ENDIAN") => "1".into(),
                            // Oracle's machine order on the x86 and ARM machines it runs on.
                            ("UTL_RAW", "LITTLE_ENDIAN" | "MACHINE_ENDIAN") => "2".into(),
                            ("DBMS_CRYPTO", constant)
                                if dbms_crypto_constant(constant).is_some() =>
                            {
                                dbms_crypto_constant(constant)
                                    .unwrap_or_default()
                                    .to_string()
                            }
                            // DBMS_LOB's constants: the largest size PostgreSQL can hold and more,
                            // the database character set, no language context or warning.
                            ("DBMS_LOB", "LOBMAXSIZE") => "2147483647".into(),
                            ("DBMS_LOB", "FILE_READONLY" | "LOB_READONLY") => "0".into(),
                            ("DBMS_LOB", "LOB_READWRITE") => "1".into(),
                            ("DBMS_LOB", "DEFAULT_CSID" | "DEFAULT_LANG_CTX" | "NO_WARNING") => {
                                "0".into()
                            }
                            ("DBMS_LOB", "WARN_INCONVERTIBLE_CHAR") => "1".into(),
                            ("OWA", "NL_CHAR") => "chr(10)".into(),
                            ("OWA", "NUM_CGI_VARS") => {
                                self.uses_owa_cgi();
                                format!("{}.owa_num_cgi_vars()", crate::compat::SCHEMA)
                            }
                            // DBMS_SQL's language flags: the statement runs as PostgreSQL's.
                            ("DBMS_SQL", "OPEN_CURSOR") => {
                                crate::dbms_sql::uses(self);
                                format!("{}.dbms_sql_open_cursor()", crate::compat::SCHEMA)
                            }
                            ("DBMS_SQL", "NATIVE") => "1".into(),
                            ("DBMS_SQL", "V6") => "0".into(),
                            ("DBMS_SQL", "V7") => "2".into(),
                            ("DBMS_XMLGEN", "ENTITY_ENCODE") => "0".into(),
                            ("DBMS_XMLGEN", "ENTITY_DECODE") => "1".into(),
                            _ => {
                                self.blocking.push((
                                    "GW-PLSQL-BUILTIN",
                                    format!(
                                        "{}.{} is not converted yet",
                                        upper.to_lowercase(),
                                        member.to_lowercase()
                                    ),
                                ));
                                format!("{}.{}", upper.to_lowercase(), member.to_lowercase())
                            }
                        };
                        out.push(text);
                        i += 3;
                        continue;
                    }
                    "FROM"
                        if next.is_some_and(|n| n.is("DUAL"))
                            && !tokens.get(i + 2).is_some_and(|n| n.is_symbol(".")) =>
                    {
                        i += 2;
                        continue;
                    }
                    "NEXTVAL" | "CURRVAL" if prev_is_dot(tokens, i) => {
                        // seq.NEXTVAL / schema.seq.NEXTVAL: replace the name already written.
                        let mut name_parts = Vec::new();
                        while out.last().is_some_and(|s| s == ".") {
                            out.pop();
                            if let Some(part) = out.pop() {
                                name_parts.insert(0, part);
                            }
                        }
                        let function = if upper == "NEXTVAL" {
                            "nextval"
                        } else {
                            "currval"
                        };
                        out.push(format!("{function}({})", literal(&name_parts.join("."))));
                    }
                    "ROWNUM" => {
                        self.blocking.push((
                            "GW-SQL-ROWNUM",
                            "ROWNUM is not converted yet (LIMIT or row_number())".into(),
                        ));
                        out.push(t.text.to_lowercase());
                    }
                    "CONNECT" if next.is_some_and(|n| n.is("BY")) => {
                        self.blocking.push((
                            "GW-SQL-CONNECT-BY",
                            "CONNECT BY hierarchical queries are not converted yet (recursive CTE)"
                                .into(),
                        ));
                        out.push(t.text.to_lowercase());
                    }
                    "PRIOR" | "SYS_CONNECT_BY_PATH" | "CONNECT_BY_ROOT" | "CONNECT_BY_ISLEAF" => {
                        self.blocking.push((
                            "GW-SQL-CONNECT-BY",
                            format!("{upper} is not converted yet (recursive CTE)"),
                        ));
                        out.push(t.text.to_lowercase());
                    }
                    "JSON_TABLE" | "PIVOT" | "UNPIVOT" | "MODEL" | "MATCH_RECOGNIZE"
                    | "XMLTABLE" => {
                        self.blocking.push((
                            "GW-SQL-UNSUPPORTED",
                            format!("{upper} is not converted yet"),
                        ));
                        out.push(t.text.to_lowercase());
                    }
                    _ if next.is_some_and(|n| n.is_symbol("."))
                        && !prev_is_dot(tokens, i)
                        && self.dropped_qualifiers.contains(&t.text.to_lowercase()) =>
                    {
                        i += 2;
                        continue;
                    }
                    _ => out.push(t.text.to_lowercase()),
                },
                TokenKind::QuotedIdent => out.push(quote_ident(&pg_name(t))),
                TokenKind::String => {
                    let value = t.string_value();
                    // Oracle's '' is NULL, but || treats NULL as '': next to || it stays ''.
                    let concatenated = next.is_some_and(|n| n.is_symbol("||"))
                        || (i > 0 && tokens[i - 1].is_symbol("||"));
                    if value.is_empty() && self.empty_string_is_null && !concatenated {
                        out.push("NULL".into());
                    } else {
                        out.push(literal(&value));
                    }
                }
                TokenKind::Number => {
                    out.push(t.text.trim_end_matches(['f', 'F', 'd', 'D']).to_string())
                }
                TokenKind::Symbol => {
                    if t.text == "("
                        && next.is_some_and(|n| n.is_symbol("+"))
                        && tokens.get(i + 2).is_some_and(|n| n.is_symbol(")"))
                    {
                        self.blocking.push((
                            "GW-SQL-OUTER-JOIN",
                            "Oracle (+) outer joins are not converted yet (ANSI LEFT/RIGHT JOIN)"
                                .into(),
                        ));
                    }
                    if t.text == "/" {
                        // Oracle has no integer division. PostgreSQL gives OPERATOR(…) a lower
                        // precedence than + and -, so the division and its operands are parenthesised.
                        let left = left_term_start(&out);
                        match (left, right_factor_end(tokens, i + 1)) {
                            (Some(start), Some(end)) => {
                                self.helpers.insert("divide");
                                let dividend = join(&out[start..]);
                                out.truncate(start);
                                let divisor = self.sql(&tokens[i + 1..=end]);
                                out.push(format!(
                                    "({dividend} OPERATOR({}./) {divisor})",
                                    crate::compat::SCHEMA
                                ));
                                i = end + 1;
                            }
                            _ => {
                                self.notes.push(("GW-SQL-DIVISION", "a division whose operands were not recognised is left as /: PostgreSQL divides integers without the fraction Oracle keeps".into()));
                                out.push("/".into());
                                i += 1;
                            }
                        }
                        continue;
                    }
                    if t.text == "||" {
                        // Oracle concatenation treats NULL as '': the compat operator does too.
                        self.helpers.insert("concat");
                        out.push(format!("OPERATOR({}.||)", crate::compat::SCHEMA));
                        i += 1;
                        continue;
                    }
                    out.push(match t.text.as_str() {
                        "!=" | "^=" => "<>".to_string(),
                        other => other.to_string(),
                    })
                }
                TokenKind::Bind => out.push(t.text.clone()),
            }
            i += 1;
        }
        join(&out)
    }

    /// Rewrites a call of `name` with `args`; `after` is what follows the closing parenthesis (for
    /// LISTAGG's WITHIN GROUP). Returns the text and how many tokens of `after` it consumed.
    fn call(&mut self, name: &str, args: &[Token], after: &[Token]) -> Option<(String, usize)> {
        let parts = split_commas(args);
        let arg = |k: usize, this: &mut Self| parts.get(k).map(|p| this.sql(p));
        // A routine of the input's packages given '' (Oracle's NULL) gets NULL, whatever the
        // parameter's type: PostgreSQL would read '' as an empty string, or fail on a number.
        let empty = |p: &[Token]| {
            p.len() == 1 && p[0].kind == TokenKind::String && p[0].string_value().is_empty()
        };
        if self
            .current_qualifier
            .as_ref()
            .is_some_and(|q| self.packages.contains(&q.to_lowercase()))
            && parts
                .iter()
                .any(|p| empty(p) || (p.len() == 3 && p[1].is_symbol("=>") && empty(&p[2..])))
        {
            let mut list = Vec::with_capacity(parts.len());
            for p in &parts {
                list.push(if empty(p) {
                    "NULL".to_string()
                } else if p.len() == 3 && p[1].is_symbol("=>") && empty(&p[2..]) {
                    format!("{} => NULL", pg_name(&p[0]))
                } else {
                    self.sql(p)
                });
            }
            return Some((format!("{}({})", name.to_lowercase(), list.join(", ")), 0));
        }
        // A qualified call is a user routine (pkg.substr) unless the qualifier is an Oracle package
        // with rules below.
        if self.current_qualifier.as_deref().is_some_and(|q| {
            ![
                "DBMS_LOB",
                "DBMS_RANDOM",
                "DBMS_UTILITY",
                "UTL_RAW",
                "UTL_ENCODE",
                "UTL_LMS",
                "DBMS_XMLGEN",
                "UTL_URL",
                "UTL_I18N",
                "UTL_COMPRESS",
                "UTL_FILE",
                "DBMS_SQL",
                "OWA",
                "OWA_UTIL",
                "DBMS_CRYPTO",
                "DBMS_ASSERT",
                "HTF",
                "SYS",
            ]
            .contains(&q)
        }) {
            self.refuse_oracle_supplied(name);
            return None;
        }
        if self.current_qualifier.is_none() {
            let user_constructor = self
                .constructors
                .get(&name.to_lowercase())
                .filter(|(_, arities)| {
                    arities
                        .iter()
                        .any(|(min, max)| (*min..=*max).contains(&parts.len()))
                })
                .map(|(schema, _)| schema.clone());
            if let Some(schema) = user_constructor {
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                return Some((
                    format!("{schema}.{}({})", name.to_lowercase(), list.join(", ")),
                    0,
                ));
            }
            if let Some(pg_type) = self.object_types.get(&name.to_lowercase()).cloned() {
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                return Some((format!("ROW({})::{pg_type}", list.join(", ")), 0));
            }
        }
        let text = match (name, parts.len()) {
            ("FORMAT_CALL_STACK", 0) if self.qualifier_is("DBMS_UTILITY") => {
                self.drop_qualifier = true;
                self.helpers.insert("call_stack");
                format!("{}.format_call_stack()", crate::compat::SCHEMA)
            }
            ("GET_TIME", 0) if self.qualifier_is("DBMS_UTILITY") => {
                // Hundredths of a second from an arbitrary point: only differences mean something.
                self.drop_qualifier = true;
                "(extract(epoch FROM clock_timestamp()) * 100)::bigint".into()
            }
            ("STRING", 2) if self.qualifier_is("DBMS_RANDOM") => {
                self.drop_qualifier = true;
                self.helpers.insert("random_string");
                format!(
                    "{}.random_string({}, {})",
                    crate::compat::SCHEMA,
                    arg(0, self)?,
                    arg(1, self)?
                )
            }
            ("FORMAT_MESSAGE", 1..) if self.qualifier_is("UTL_LMS") => {
                self.drop_qualifier = true;
                self.helpers.insert("format_message");
                let format = arg(0, self)?;
                let values: Vec<String> = (1..parts.len())
                    .filter_map(|k| arg(k, self).map(|v| format!("({v})::text")))
                    .collect();
                format!(
                    "{}.format_message({format}, VARIADIC ARRAY[{}]::text[])",
                    crate::compat::SCHEMA,
                    values.join(", ")
                )
            }
            ("HASH", 2) | ("MAC", 3) if self.qualifier_is("DBMS_CRYPTO") => {
                self.drop_qualifier = true;
                self.helpers.insert("crypto");
                let parts = by_position(&parts, &["SRC", "TYP", "KEY"])?;
                let mut list = vec![self.sql(parts[0]?), integer_argument(&self.sql(parts[1]?))];
                if name == "MAC" {
                    list.push(self.sql(parts[2]?));
                }
                let helper = if name == "HASH" {
                    "crypto_hash"
                } else {
                    "crypto_mac"
                };
                format!("{}.{helper}({})", crate::compat::SCHEMA, list.join(", "))
            }
            ("ENCRYPT" | "DECRYPT", 3 | 4) if self.qualifier_is("DBMS_CRYPTO") => {
                self.drop_qualifier = true;
                self.helpers.insert("crypto");
                let parts = by_position(&parts, &["SRC", "TYP", "KEY", "IV"])?;
                let iv = match parts[3] {
                    Some(iv) => self.sql(iv),
                    None => "NULL".into(),
                };
                format!(
                    "{}.crypto_encrypt({}, {}, {}, {iv}, {})",
                    crate::compat::SCHEMA,
                    self.sql(parts[0]?),
                    integer_argument(&self.sql(parts[1]?)),
                    self.sql(parts[2]?),
                    name == "DECRYPT"
                )
            }
            ("RANDOMBYTES", 1) if self.qualifier_is("DBMS_CRYPTO") => {
                self.drop_qualifier = true;
                self.helpers.insert("crypto");
                format!(
                    "{}.crypto_random_bytes({})",
                    crate::compat::SCHEMA,
                    integer_argument(&arg(0, self)?)
                )
            }
            ("GETCHUNKSIZE", 1) if self.qualifier_is("DBMS_LOB") => {
                // A storage property PostgreSQL does not have: the chunk size Oracle reports for
                // LOBs in 8 KB blocks, a good size to read and write in.
                self.drop_qualifier = true;
                "8132".into()
            }
            ("ESCAPE_SC", 1) if self.qualifier_is("HTF") => {
                // HTML special characters as entities: & " < >.
                self.drop_qualifier = true;
                format!(
                    "replace(replace(replace(replace({}, '&', '&amp;'), '\"', '&quot;'), '<', '&lt;'), '>', '&gt;')",
                    arg(0, self)?
                )
            }
            ("NOOP", 1) if self.qualifier_is("DBMS_ASSERT") => {
                self.drop_qualifier = true;
                arg(0, self)?
            }
            (
                "ENQUOTE_LITERAL" | "ENQUOTE_NAME" | "SIMPLE_SQL_NAME" | "QUALIFIED_SQL_NAME"
                | "SQL_OBJECT_NAME" | "SCHEMA_NAME",
                1,
            )
            | ("ENQUOTE_NAME", 2)
                if self.qualifier_is("DBMS_ASSERT") =>
            {
                self.drop_qualifier = true;
                self.helpers.insert("dbms_assert");
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                format!(
                    "{}.assert_{}({})",
                    crate::compat::SCHEMA,
                    name.to_ascii_lowercase(),
                    list.join(", ")
                )
            }
            ("BIT_AND" | "BIT_OR" | "BIT_XOR", 2) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                self.helpers.insert("raw_bits");
                let op = name.trim_start_matches("BIT_").to_ascii_lowercase();
                format!(
                    "{}.raw_bits({}, {}, '{op}')",
                    crate::compat::SCHEMA,
                    arg(0, self)?,
                    arg(1, self)?
                )
            }
            ("BIT_COMPLEMENT" | "REVERSE", 1) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                self.helpers.insert("raw_bits");
                let helper = if name == "REVERSE" {
                    "raw_reverse"
                } else {
                    "raw_complement"
                };
                format!("{}.{helper}({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("LENGTH", 1) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                format!("length({})", arg(0, self)?)
            }
            ("CONCAT", 1..=12) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                let list: Vec<String> = (0..parts.len())
                    .filter_map(|k| arg(k, self).map(|v| format!("({v})")))
                    .collect();
                format!("({})", list.join(" OPERATOR(pg_catalog.||) "))
            }
            ("SUBSTR", 2..=3) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                let list = self.integers_from(&parts, 1);
                format!("substr({})", list.join(", "))
            }
            ("CAST_TO_BINARY_INTEGER" | "CAST_FROM_BINARY_INTEGER", 1 | 2)
                if self.qualifier_is("UTL_RAW") =>
            {
                self.drop_qualifier = true;
                self.helpers.insert("raw_integer");
                let helper = if name == "CAST_TO_BINARY_INTEGER" {
                    "raw_to_integer"
                } else {
                    "integer_to_raw"
                };
                let endianess = if parts.len() == 2 {
                    integer_argument(&arg(1, self)?)
                } else {
                    "1".into()
                };
                format!(
                    "{}.{helper}({}, {endianess})",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("ESCAPE", 1..=3) if self.qualifier_is("UTL_URL") => {
                self.drop_qualifier = true;
                let parts = by_position(&parts, &["URL", "ESCAPE_RESERVED_CHARS", "URL_CHARSET"])?;
                if let Some(charset) = parts.get(2).copied().flatten() {
                    self.utf8_charset("UTL_URL.ESCAPE", charset)?;
                }
                self.helpers.insert("url");
                let url = self.sql(parts[0]?);
                match parts.get(1).copied().flatten() {
                    Some(reserved) => format!(
                        "{}.url_escape({url}, {})",
                        crate::compat::SCHEMA,
                        self.sql(reserved)
                    ),
                    None => format!("{}.url_escape({url})", crate::compat::SCHEMA),
                }
            }
            ("UNESCAPE", 1 | 2) if self.qualifier_is("UTL_URL") => {
                self.drop_qualifier = true;
                let parts = by_position(&parts, &["URL", "URL_CHARSET"])?;
                if let Some(charset) = parts.get(1).copied().flatten() {
                    self.utf8_charset("UTL_URL.UNESCAPE", charset)?;
                }
                self.helpers.insert("url");
                format!(
                    "{}.url_unescape({})",
                    crate::compat::SCHEMA,
                    self.sql(parts[0]?)
                )
            }
            ("STRING_TO_RAW" | "RAW_TO_CHAR", 1 | 2) if self.qualifier_is("UTL_I18N") => {
                // Text to bytes in a character set and back: convert_to / convert_from.
                self.drop_qualifier = true;
                let charset = if name == "STRING_TO_RAW" {
                    "DST_CHARSET"
                } else {
                    "SRC_CHARSET"
                };
                let parts = by_position(&parts, &["DATA", charset])?;
                let cp437 = parts
                    .get(1)
                    .copied()
                    .flatten()
                    .and_then(format_literal)
                    .is_some_and(|c| c.eq_ignore_ascii_case("US8PC437"));
                let encoding = match parts.get(1).copied().flatten() {
                    Some(_) if cp437 && name == "STRING_TO_RAW" => {
                        self.helpers.insert("cp437");
                        let data = self.sql(parts[0]?);
                        return Some((format!("{}.to_cp437({data})", crate::compat::SCHEMA), 0));
                    }
                    Some(charset) => literal(self.postgres_encoding(name, charset)?),
                    None => "getdatabaseencoding()".to_string(),
                };
                let function = if name == "STRING_TO_RAW" {
                    "convert_to"
                } else {
                    "convert_from"
                };
                format!("{function}({}, {encoding})", self.sql(parts[0]?))
            }
            ("CONVERT", 1 | 2) if self.qualifier_is("DBMS_XMLGEN") => {
                self.drop_qualifier = true;
                self.helpers.insert("xml_entities");
                let flag = if parts.len() == 2 {
                    arg(1, self)?
                } else {
                    "0".into()
                };
                format!(
                    "{}.xml_entities({}, {flag})",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("BASE64_ENCODE", 1) if self.qualifier_is("UTL_ENCODE") => {
                // Both wrap the text in lines (Oracle at 64 characters, PostgreSQL at 76).
                self.drop_qualifier = true;
                self.notes.push((
                    "GW-PLSQL-BASE64",
                    "UTL_ENCODE.BASE64_ENCODE wraps lines at 76 characters in PostgreSQL, at 64 in Oracle".into(),
                ));
                format!("convert_to(encode({}, 'base64'), 'UTF8')", arg(0, self)?)
            }
            ("BASE64_DECODE", 1) if self.qualifier_is("UTL_ENCODE") => {
                self.drop_qualifier = true;
                format!("decode(convert_from({}, 'UTF8'), 'base64')", arg(0, self)?)
            }
            // PostgreSQL's lpad, rpad and chr take integers; Oracle's truncate any number.
            ("LPAD" | "RPAD", 2 | 3) => {
                let mut list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                if list.len() < parts.len() {
                    return None;
                }
                // A number or date is padded as the text Oracle converts it to.
                if format_literal(parts[0]).is_none() {
                    self.helpers.insert("concat");
                    list[0] = format!("{}.oracle_text({})", crate::compat::SCHEMA, list[0]);
                }
                list[1] = integer_argument(&list[1]);
                format!("{}({})", name.to_lowercase(), list.join(", "))
            }
            ("CHR", 1) => format!("chr({})", integer_argument(&arg(0, self)?)),
            // Oracle's REPLACE: a missing or NULL replacement removes the string; a NULL search
            // string leaves the text as it is.
            ("REPLACE", 2 | 3) => {
                let text = arg(0, self)?;
                let search = arg(1, self)?;
                let replacement = match parts.len() {
                    3 => format!("coalesce({}, '')", arg(2, self)?),
                    _ => "''".to_string(),
                };
                format!("coalesce(replace({text}, {search}, {replacement}), {text})")
            }
            ("XMLTYPE", 1) => format!("xmlparse(document {})", arg(0, self)?),
            ("CREATEXML", 1) if self.qualifier_is("XMLTYPE") => {
                self.drop_qualifier = true;
                format!("xmlparse(document {})", arg(0, self)?)
            }
            ("EXTRACTVALUE" | "EXISTSNODE", 2 | 3) | ("EXTRACT", 2 | 3)
                if !parts[0].iter().any(|t| t.is("FROM")) =>
            {
                self.helpers.insert("xml");
                let helper = match name {
                    "EXTRACTVALUE" => "xml_extractvalue",
                    "EXISTSNODE" => "xml_existsnode",
                    _ => "xml_extract",
                };
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                format!("{}.{helper}({})", crate::compat::SCHEMA, list.join(", "))
            }
            ("LENGTHB", 1) => format!("octet_length({})", arg(0, self)?),
            ("DUMP", 1) => {
                self.helpers.insert("dump");
                format!("{}.dump({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("HEXTORAW", 1) => format!("decode({}, 'hex')", arg(0, self)?),
            // XMLSEQUENCE(EXTRACT(doc, path[, ns])): one row per node found.
            ("XMLSEQUENCE", 1) if self.current_qualifier.is_none() => {
                let inner = arg(0, self)?;
                let prefix = format!("{}.xml_extract(", crate::compat::SCHEMA);
                match inner.strip_prefix(&prefix) {
                    Some(rest) => {
                        self.helpers.insert("xml");
                        format!("{}.xml_sequence({rest}", crate::compat::SCHEMA)
                    }
                    None => {
                        self.blocking.push((
                            "GW-PLSQL-BUILTIN",
                            "XMLSEQUENCE of something other than EXTRACT(…) is not converted yet"
                                .into(),
                        ));
                        return None;
                    }
                }
            }
            // VALUE(t) of a table alias over a set of scalars (XMLSEQUENCE's nodes): the alias
            // names the column too.
            ("VALUE", 1)
                if self.current_qualifier.is_none()
                    && matches!(parts[0], [t] if t.kind == TokenKind::Word) =>
            {
                parts[0][0].text.to_lowercase()
            }
            // RAW(16) of random bytes, as Oracle's globally unique identifiers.
            ("SYS_GUID", 0) => "decode(replace(gen_random_uuid()::text, '-', ''), 'hex')".into(),
            // A TIMESTAMP (in the session's zone) or TIMESTAMP WITH TIME ZONE as UTC.
            ("SYS_EXTRACT_UTC", 1) => format!(
                "(CAST({} AS timestamptz) AT TIME ZONE 'UTC')",
                arg(0, self)?
            ),
            ("RAWTOHEX", 1) => format!("upper(encode({}, 'hex'))", arg(0, self)?),
            ("HTTPURITYPE", _) if self.current_qualifier.is_none() => {
                self.blocking.push((
                    "GW-PLSQL-BUILTIN",
                    "HTTPURITYPE (an HTTP request made by the database) has no PostgreSQL equivalent: core PostgreSQL has no HTTP client".into(),
                ));
                return None;
            }
            // Every LOB value is a copy in PostgreSQL, never a locator of a table's LOB.
            ("ISTEMPORARY", 1) if self.qualifier_is("DBMS_LOB") => {
                self.drop_qualifier = true;
                self.notes.push((
                    "GW-PLSQL-LOB",
                    "DBMS_LOB.ISTEMPORARY is 1 for every LOB that is not NULL: PostgreSQL's LOB values are copies, never locators of a table's LOB".into(),
                ));
                format!("(CASE WHEN {} IS NOT NULL THEN 1 END)", arg(0, self)?)
            }
            ("LZ_COMPRESS", 1 | 2) if self.qualifier_is("UTL_COMPRESS") => {
                self.drop_qualifier = true;
                self.helpers.insert("lz_compress");
                self.notes.push((
                    "GW-PLSQL-COMPRESS",
                    "UTL_COMPRESS.LZ_COMPRESS writes gzip with stored (uncompressed) deflate blocks: any inflater reads it back, but it is a little larger than the input, where Oracle's is usually smaller".into(),
                ));
                format!("{}.lz_compress({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("LZ_UNCOMPRESS", 1) if self.qualifier_is("UTL_COMPRESS") => {
                self.drop_qualifier = true;
                self.helpers.insert("lz_uncompress");
                format!("{}.lz_uncompress({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("GETLENGTH" | "FILEISOPEN" | "ISOPEN" | "FILEEXISTS", 1)
                if self.qualifier_is("DBMS_LOB") && self.is_bfile(parts[0]) =>
            {
                self.drop_qualifier = true;
                self.uses_files();
                let helper = match name.to_ascii_uppercase().as_str() {
                    "GETLENGTH" => "bfile_length",
                    "FILEEXISTS" => "bfile_exists",
                    _ => "bfile_isopen",
                };
                format!("{}.{helper}({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("BITAND", 2) if self.current_qualifier.is_none() => {
                self.helpers.insert("bitand");
                format!(
                    "{}.bitand({}, {})",
                    crate::compat::SCHEMA,
                    arg(0, self)?,
                    arg(1, self)?
                )
            }
            ("BFILENAME", 2) if self.current_qualifier.is_none() => {
                format!(
                    "ARRAY[CAST({} AS text), CAST({} AS text)]",
                    arg(0, self)?,
                    arg(1, self)?
                )
            }
            ("FOPEN", 3 | 4) if self.qualifier_is("UTL_FILE") => {
                self.drop_qualifier = true;
                self.uses_files();
                let named = crate::plsql::positional(
                    &parts,
                    &["LOCATION", "FILENAME", "OPEN_MODE", "MAX_LINESIZE"],
                )?;
                let mut list = Vec::new();
                for p in named.iter().filter(|p| !p.is_empty()) {
                    list.push(self.sql(p));
                }
                if list.len() != named.len() {
                    return None;
                }
                format!(
                    "{}.utl_file_fopen({})",
                    crate::compat::SCHEMA,
                    list.join(", ")
                )
            }
            ("OPEN_CURSOR", 0) | ("EXECUTE" | "FETCH_ROWS" | "IS_OPEN", 1)
                if self.qualifier_is("DBMS_SQL") =>
            {
                self.drop_qualifier = true;
                crate::dbms_sql::uses(self);
                let list: Vec<String> = (0..parts.len())
                    .filter_map(|k| arg(k, self))
                    .map(|c| format!("pg_catalog.int4({c})"))
                    .collect();
                format!(
                    "{}.dbms_sql_{}({})",
                    crate::compat::SCHEMA,
                    name.to_lowercase(),
                    list.join(", ")
                )
            }
            ("CGI_VAR_NAME" | "CGI_VAR_VAL", 1) if self.qualifier_is("OWA") => {
                self.drop_qualifier = true;
                self.uses_owa_cgi();
                let which = if name == "CGI_VAR_NAME" {
                    "names"
                } else {
                    "values"
                };
                format!(
                    "{}.owa_cgi_var('{which}', pg_catalog.int4({}))",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("GET_CGI_ENV", 1) if self.qualifier_is("OWA_UTIL") => {
                self.drop_qualifier = true;
                self.uses_owa_cgi();
                format!(
                    "{}.owa_util_get_cgi_env({})",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("IS_OPEN", 1) if self.qualifier_is("UTL_FILE") => {
                self.drop_qualifier = true;
                self.uses_files();
                format!(
                    "{}.utl_file_is_open(pg_catalog.int4({}))",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("GETLENGTH", 1) if self.qualifier_is("DBMS_LOB") => {
                self.drop_qualifier = true;
                format!("length({})", arg(0, self)?)
            }
            ("SUBSTR", 1..=3) if self.qualifier_is("DBMS_LOB") => {
                // DBMS_LOB.SUBSTR(lob, amount = 32767, offset = 1): amount before offset.
                self.drop_qualifier = true;
                let amount = if parts.len() > 1 {
                    integer_argument(&arg(1, self)?)
                } else {
                    "32767".into()
                };
                let offset = if parts.len() > 2 {
                    integer_argument(&arg(2, self)?)
                } else {
                    "1".into()
                };
                format!("pg_catalog.substr({}, {offset}, {amount})", arg(0, self)?)
            }
            ("INSTR", 2..=4) if self.qualifier_is("DBMS_LOB") => {
                self.drop_qualifier = true;
                self.helpers.insert("instr");
                let list = self.integers_from(&parts, 2);
                format!("{}.instr({})", crate::compat::SCHEMA, list.join(", "))
            }
            ("VALUE", 0) if self.qualifier_is("DBMS_RANDOM") => {
                self.drop_qualifier = true;
                "random()".into()
            }
            ("VALUE", 2) if self.qualifier_is("DBMS_RANDOM") => {
                self.drop_qualifier = true;
                let (low, high) = (arg(0, self)?, arg(1, self)?);
                format!("(({low}) + random() * (({high}) - ({low})))")
            }
            ("FORMAT_ERROR_STACK", 0) if self.qualifier_is("DBMS_UTILITY") => {
                self.drop_qualifier = true;
                "SQLERRM".into()
            }
            ("SYS_CONTEXT", 2) => {
                let namespace = format_literal(parts[0])
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let parameter = format_literal(parts[1])
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                if namespace != "USERENV" || format_literal(parts[1]).is_none() {
                    // An application context (kept in session settings by
                    // DBMS_SESSION.SET_CONTEXT), or a USERENV attribute computed at run time: the
                    // helper answers.
                    self.helpers.insert("context");
                    return Some((
                        format!(
                            "{}.sys_context({}, {})",
                            crate::compat::SCHEMA,
                            arg(0, self)?,
                            arg(1, self)?
                        ),
                        0,
                    ));
                }
                match parameter.as_str() {
                    "SESSION_USER" => "session_user::text".into(),
                    "CURRENT_USER" | "CURRENT_SCHEMA" => {
                        format!("{}::text", parameter.to_lowercase())
                    }
                    "DB_NAME" | "CON_NAME" => "current_database()::text".into(),
                    "IP_ADDRESS" => "host(inet_client_addr())".into(),
                    "SID" => "pg_backend_pid()::text".into(),
                    "MODULE" => "current_setting('application_name')".into(),
                    "CLIENT_IDENTIFIER" => {
                        "current_setting('godwit.client_identifier', true)".into()
                    }
                    "ACTION" => "nullif(current_setting('godwit.action', true), '')".into(),
                    "CLIENT_INFO" => {
                        "nullif(current_setting('godwit.client_info', true), '')".into()
                    }
                    _ => {
                        // OS_USER, HOST, TERMINAL, LANGUAGE, SERVER_HOST, …: nothing in PostgreSQL
                        // knows them.
                        self.blocking.push((
                            "GW-PLSQL-BUILTIN",
                            format!("SYS_CONTEXT('USERENV', '{parameter}') has no PostgreSQL equivalent"),
                        ));
                        return None;
                    }
                }
            }
            ("NVL", 2) => format!("coalesce({}, {})", arg(0, self)?, arg(1, self)?),
            ("NVL2", 3) => format!(
                "(CASE WHEN {} IS NOT NULL THEN {} ELSE {} END)",
                arg(0, self)?,
                arg(1, self)?,
                arg(2, self)?
            ),
            ("DECODE", n) if n >= 3 => {
                let subject = arg(0, self)?;
                let mut case = String::from("(CASE");
                let mut k = 1;
                while k + 1 < n {
                    // A whole number searched for is written as an untyped literal, which takes the
                    // subject's type: Oracle compares a CHAR subject with a number by converting it.
                    let whole = |t: &Token| {
                        t.kind == TokenKind::Number && t.text.bytes().all(|b| b.is_ascii_digit())
                    };
                    let search = match parts[k] {
                        [t] if whole(t) => literal(&t.text),
                        [sign, t] if sign.is_symbol("-") && whole(t) => {
                            literal(&format!("-{}", t.text))
                        }
                        _ => arg(k, self)?,
                    };
                    case.push_str(&format!(
                        " WHEN {subject} IS NOT DISTINCT FROM {search} THEN {}",
                        arg(k + 1, self)?
                    ));
                    k += 2;
                }
                if k < n {
                    case.push_str(&format!(" ELSE {}", arg(k, self)?));
                }
                case.push_str(" END)");
                case
            }
            // Read in UTC by a helper, so that no local time falls into a daylight-saving gap.
            ("TO_DATE" | "TO_TIMESTAMP", 2 | 3) => {
                let helper = if name == "TO_DATE" {
                    "to_date"
                } else {
                    "to_timestamp"
                };
                self.helpers.insert("to_date");
                self.nls_parameter(name, parts.get(2));
                let format = self.format_argument(name, parts[1], true)?;
                format!(
                    "{}.{helper}({}, {format})",
                    crate::compat::SCHEMA,
                    arg(0, self)?
                )
            }
            ("TO_TIMESTAMP_TZ", 2 | 3) => {
                self.nls_parameter(name, parts.get(2));
                let format = self.format_argument(name, parts[1], true)?;
                format!("to_timestamp({}, {format})", arg(0, self)?)
            }
            ("TO_CHAR", 2 | 3) => {
                self.nls_parameter(name, parts.get(2));
                let value = arg(0, self)?;
                if format_literal(parts[1]).is_some_and(|f| {
                    crate::formats::family(&f) == crate::formats::Family::TextMinimum
                }) {
                    self.helpers.insert("concat");
                    format!("{}.oracle_text({value})", crate::compat::SCHEMA)
                } else if let Some(hex) = format_literal(parts[1]).filter(|f| is_hex_format(f)) {
                    self.helpers.insert("hex_format");
                    format!(
                        "{}.to_char_hex({value}, {})",
                        crate::compat::SCHEMA,
                        literal(&hex)
                    )
                } else {
                    let format = self.format_argument(name, parts[1], false)?;
                    format!("to_char({value}, {format})")
                }
            }
            ("TO_NUMBER", 2 | 3) => {
                self.nls_parameter(name, parts.get(2));
                if let Some(hex) = format_literal(parts[1]).filter(|f| is_hex_format(f)) {
                    self.helpers.insert("hex_format");
                    format!(
                        "{}.to_number_hex({}, {})",
                        crate::compat::SCHEMA,
                        arg(0, self)?,
                        literal(&hex)
                    )
                } else {
                    let format = self.format_argument(name, parts[1], false)?;
                    format!("to_number({}, {format})", arg(0, self)?)
                }
            }
            ("XMLTABLE", _) if self.current_qualifier.is_none() => {
                let converted = {
                    let mut document = |t: &[Token]| self.sql(t);
                    crate::xml_table::convert(args, &mut document)
                };
                match converted {
                    Ok((sql, default_namespace)) => {
                        if default_namespace {
                            self.helpers.insert("xml");
                        }
                        sql
                    }
                    Err(why) => {
                        self.blocking.push((
                            "GW-SQL-UNSUPPORTED",
                            format!("XMLTABLE is not converted: {why}"),
                        ));
                        return None;
                    }
                }
            }
            ("JSON_TABLE", _) => {
                let converted = {
                    let mut document = |t: &[Token]| self.sql(t);
                    crate::json_table::convert(args, &mut document)
                };
                match converted {
                    Ok((sql, note)) => {
                        if let Some(note) = note {
                            self.notes.push(("GW-SQL-JSON-TABLE", note));
                        }
                        // PostgreSQL needs an alias for a subquery in FROM.
                        let aliased = after.first().is_some_and(|t| {
                            matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
                                && !TERM_STOP_WORDS.contains(&t.text.to_lowercase().as_str())
                                && ![
                                    "JOIN", "CROSS", "LEFT", "RIGHT", "INNER", "FULL", "NATURAL",
                                    "WHERE", "GROUP", "ORDER", "CONNECT", "START", "FETCH",
                                    "OFFSET",
                                ]
                                .iter()
                                .any(|k| t.is(k))
                        });
                        if aliased {
                            sql
                        } else {
                            format!("{sql} AS godwit_json_table")
                        }
                    }
                    Err(reason) => {
                        self.blocking
                            .push(("GW-SQL-UNSUPPORTED", format!("JSON_TABLE: {reason}")));
                        return None;
                    }
                }
            }
            ("TABLE", 1)
                if args.first().is_some_and(|t| t.kind == TokenKind::Word)
                    && args.last().is_some_and(|t| t.is_symbol(")")) =>
            {
                // TABLE(pipelined_function(…)) in FROM: PostgreSQL calls set-returning functions
                // directly.
                self.sql(args)
            }
            ("CAST", 1) => {
                // CAST(expr AS oracle_type): the type as a column of that type would convert.
                let mut depth = 0i32;
                let as_at = args.iter().enumerate().rev().find_map(|(k, t)| {
                    if t.is_symbol(")") {
                        depth += 1;
                    } else if t.is_symbol("(") {
                        depth -= 1;
                    }
                    (depth == 0 && t.is("AS")).then_some(k)
                })?;
                let mut c = crate::cursor::Cursor::new(&args[as_at + 1..]);
                let converted = crate::types::convert_type(&mut c)?;
                if converted.is_user_type() || !c.at_end() {
                    return None;
                }
                format!(
                    "CAST({} AS {})",
                    self.sql(&args[..as_at]),
                    converted.data_type.sql
                )
            }
            ("LENGTH", 1) => {
                self.helpers.insert("length");
                format!("{}.length({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("ROUND", 1 | 2) => {
                // Dates round by their format (ROUND(d, 'MM') rounds up from the 16th); numbers as
                // PostgreSQL's round(numeric), half away from zero.
                self.helpers.insert("round");
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                format!("{}.round({})", crate::compat::SCHEMA, list.join(", "))
            }
            ("TO_DATE", 1) => {
                self.notes.push(("GW-SQL-TO-DATE-NLS", "TO_DATE without a format depends on NLS_DATE_FORMAT; converted as a cast to timestamp(0)".into()));
                format!("({})::timestamp(0)", arg(0, self)?)
            }
            ("TO_NUMBER", 1) => format!("({})::numeric", arg(0, self)?),
            ("ADD_MONTHS", 2)
            | ("MONTHS_BETWEEN", 2)
            | ("LAST_DAY", 1)
            | ("INSTR", 2..=4)
            | ("TRUNC", 1..=2)
            | ("SUBSTR", 2..=3)
            | ("NEXT_DAY", 2) => {
                let helper = match name {
                    "ADD_MONTHS" => "add_months",
                    "MONTHS_BETWEEN" => "months_between",
                    "LAST_DAY" => "last_day",
                    "INSTR" => "instr",
                    "SUBSTR" => "substr",
                    "NEXT_DAY" => "next_day",
                    _ => "trunc",
                };
                self.helpers.insert(helper);
                let list: Vec<String> = if helper == "substr" {
                    self.integers_from(&parts, 1)
                } else if helper == "instr" {
                    self.integers_from(&parts, 2)
                } else {
                    (0..parts.len()).filter_map(|k| arg(k, self)).collect()
                };
                format!("{}.{helper}({})", crate::compat::SCHEMA, list.join(", "))
            }
            // Oracle's regular expressions: REGEXP_REPLACE replaces every match by default.
            ("REGEXP_REPLACE", 2 | 3) => {
                let replacement = if parts.len() == 3 {
                    arg(2, self)?
                } else {
                    "''".into()
                };
                format!(
                    "regexp_replace({}, {}, {replacement}, 'g')",
                    arg(0, self)?,
                    arg(1, self)?
                )
            }
            ("REGEXP_LIKE", 2) => format!("({} ~ {})", arg(0, self)?, arg(1, self)?),
            ("REGEXP_LIKE", 3) if parts[2].len() == 1 && parts[2][0].string_value() == "i" => {
                format!("({} ~* {})", arg(0, self)?, arg(1, self)?)
            }
            ("REGEXP_SUBSTR", 2) => format!(
                "(regexp_match({}, '(' || {} || ')'))[1]",
                arg(0, self)?,
                arg(1, self)?
            ),
            ("REGEXP_COUNT", 2) => {
                self.notes.push((
                    "GW-SQL-PG15",
                    "REGEXP_COUNT needs PostgreSQL 15 or later".into(),
                ));
                format!("regexp_count({}, {})", arg(0, self)?, arg(1, self)?)
            }
            ("TO_CHAR", 1) => {
                // Without a format Oracle writes numbers without trailing zeros and dates in the session's
                // format; the helper does the former, dates come out ISO.
                self.helpers.insert("concat");
                format!("{}.oracle_text({})", crate::compat::SCHEMA, arg(0, self)?)
            }
            ("GROUPING_ID", _) => {
                // PostgreSQL's GROUPING(a, b, …) returns the same bit mask as Oracle's GROUPING_ID.
                let list: Vec<String> = (0..parts.len()).filter_map(|k| arg(k, self)).collect();
                format!("GROUPING({})", list.join(", "))
            }
            ("CAST_TO_RAW", 1) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                format!("convert_to({}, 'UTF8')", arg(0, self)?)
            }
            ("CAST_TO_VARCHAR2", 1) if self.qualifier_is("UTL_RAW") => {
                self.drop_qualifier = true;
                format!("convert_from({}, 'UTF8')", arg(0, self)?)
            }
            ("LISTAGG", 1 | 2) => {
                // LISTAGG(x [, sep] [ON OVERFLOW …]) [WITHIN GROUP (ORDER BY …)]; string_agg has no
                // length limit, so the overflow clause has nothing to do.
                let separator = match parts.get(1) {
                    Some(p) => {
                        let end = p.iter().position(|t| t.is("ON")).unwrap_or(p.len());
                        self.sql(&p[..end])
                    }
                    None => "''".into(),
                };
                let value = arg(0, self)?;
                if after.first().is_some_and(|t| t.is("WITHIN"))
                    && after.get(1).is_some_and(|t| t.is("GROUP"))
                    && after.get(2).is_some_and(|t| t.is_symbol("("))
                {
                    let end = matching_paren(after, 2)?;
                    let order = self.sql(&after[3..end]);
                    return Some((
                        format!("string_agg(({value})::text, {separator} {order})"),
                        end + 1,
                    ));
                }
                format!("string_agg(({value})::text, {separator})")
            }
            _ => {
                // An Oracle-supplied package's function no rule maps is reported by name.
                self.refuse_oracle_supplied(name);
                return None;
            }
        };
        Some((text, 0))
    }
}

/// The value of a DBMS_CRYPTO constant (Oracle's documented numbers).
fn dbms_crypto_constant(name: &str) -> Option<i64> {
    Some(match name {
        "HASH_MD4" => 1,
        "HASH_MD5" => 2,
        "HASH_SH1" => 3,
        "HASH_SH256" => 4,
        "HASH_SH384" => 5,
        "HASH_SH512" => 6,
        "HMAC_MD5" => 1,
        "HMAC_SH1" => 2,
        "HMAC_SH256" => 3,
        "HMAC_SH384" => 4,
        "HMAC_SH512" => 5,
        "ENCRYPT_DES" => 1,
        "ENCRYPT_3DES_2KEY" => 2,
        "ENCRYPT_3DES" => 3,
        "ENCRYPT_AES" => 4,
        "ENCRYPT_PBE_MD5DES" => 5,
        "ENCRYPT_AES128" => 6,
        "ENCRYPT_AES192" => 7,
        "ENCRYPT_AES256" => 8,
        "ENCRYPT_RC4" => 129,
        "CHAIN_CBC" => 256,
        "CHAIN_CFB" => 512,
        "CHAIN_ECB" => 768,
        "CHAIN_OFB" => 1024,
        "PAD_PKCS5" => 4096,
        "PAD_NONE" => 8192,
        "PAD_ZERO" => 12288,
        "PAD_ORCL" => 16384,
        "DES_CBC_PKCS5" => 1 + 256 + 4096,
        "DES3_CBC_PKCS5" => 3 + 256 + 4096,
        _ => return None,
    })
}

/// Oracle functions that return a date (whatever their arguments).
fn is_date_function(t: &Token) -> bool {
    [
        "TO_DATE",
        "ADD_MONTHS",
        "LAST_DAY",
        "NEXT_DAY",
        "TO_TIMESTAMP",
    ]
    .iter()
    .any(|f| t.is(f))
}

/// Words that cannot be a date arithmetic operand (they start or continue another clause).
fn is_plsql_or_sql_keyword(t: &Token) -> bool {
    [
        "AND", "OR", "NOT", "THEN", "ELSE", "END", "WHEN", "FROM", "WHERE", "INTO", "LOOP", "IS",
        "NULL", "CASE", "SELECT", "AS", "IN", "BETWEEN", "LIKE", "ORDER", "GROUP", "BY",
    ]
    .iter()
    .any(|k| t.is(k))
}

/// A call's arguments in the order of `names` (upper case), whether passed by position or by name
/// (`name => value`); `None` for one not passed. An unknown name is not converted.
fn by_position<'a>(parts: &[&'a [Token]], names: &[&str]) -> Option<Vec<Option<&'a [Token]>>> {
    let args = crate::plsql::positional(parts, names)?;
    Some(
        (0..names.len())
            .map(|k| args.get(k).copied().filter(|a| !a.is_empty()))
            .collect(),
    )
}

/// An Oracle hexadecimal number format: `[FM][0…]X…` (or lower-case x).
fn is_hex_format(format: &str) -> bool {
    let upper = format.to_ascii_uppercase();
    let model = upper.strip_prefix("FM").unwrap_or(&upper);
    let digits = model.trim_start_matches('0');
    !digits.is_empty() && digits.bytes().all(|b| b == b'X')
}

/// The PostgreSQL encoding of an Oracle character set name, where PostgreSQL has it.
pub(crate) fn encoding_of_charset(name: &str) -> Option<&'static str> {
    match name.to_ascii_uppercase().as_str() {
        "AL32UTF8" | "UTF8" | "UTF-8" => Some("UTF8"),
        "WE8ISO8859P1" => Some("LATIN1"),
        "WE8ISO8859P15" => Some("LATIN9"),
        "WE8MSWIN1252" => Some("WIN1252"),
        "US7ASCII" => Some("SQL_ASCII"),
        _ => None,
    }
}

/// The value of a format argument written as a single string literal.
fn format_literal(part: &[Token]) -> Option<String> {
    match part {
        [t] if t.kind == TokenKind::String => Some(t.string_value()),
        _ => None,
    }
}

impl Rewrite {
    /// A call's arguments converted, those from `first_integer` on as integers (positions,
    /// lengths and occurrences, which Oracle truncates and PostgreSQL's functions take as integer).
    fn integers_from(&mut self, parts: &[&[Token]], first_integer: usize) -> Vec<String> {
        parts
            .iter()
            .enumerate()
            .map(|(k, part)| {
                let sql = self.sql(part);
                if k < first_integer {
                    sql
                } else {
                    integer_argument(&sql)
                }
            })
            .collect()
    }

    /// The PostgreSQL encoding for an Oracle character set given as a literal; another one blocks
    /// the statement, naming it.
    fn postgres_encoding(&mut self, function: &str, charset: &[Token]) -> Option<&'static str> {
        let encoding = format_literal(charset).and_then(|c| encoding_of_charset(&c));
        if encoding.is_none() {
            let shown: Vec<String> = charset.iter().map(|t| t.text.clone()).collect();
            self.blocking.push((
                "GW-PLSQL-BUILTIN",
                format!(
                    "{} with the character set {} is not converted yet",
                    function.to_lowercase(),
                    shown.join(" ")
                ),
            ));
        }
        encoding
    }

    /// A URL character set argument: UTF-8 is what the helpers use; another one blocks.
    fn utf8_charset(&mut self, function: &str, charset: &[Token]) -> Option<()> {
        match self.postgres_encoding(function, charset)? {
            "UTF8" => Some(()),
            other => {
                self.blocking.push((
                    "GW-PLSQL-BUILTIN",
                    format!("{function} over {other} is not converted yet (UTF-8 only)"),
                ));
                None
            }
        }
    }

    /// A format model argument in PostgreSQL's spelling. Elements PostgreSQL cannot express block the
    /// statement; a format that is not a literal is passed on unchanged, with a note.
    fn format_argument(&mut self, function: &str, part: &[Token], parsing: bool) -> Option<String> {
        let Some(format) = format_literal(part) else {
            self.notes.push((
                "GW-SQL-FORMAT",
                format!("{function}'s format is not a literal: it is passed to PostgreSQL unchanged, and Oracle-only elements (RR, SSSSS, FF, TZR) in it would mean something else"),
            ));
            return Some(self.sql(part));
        };
        use crate::formats::{datetime, family, number, Family};
        let datetime_format = parsing || family(&format) == Family::Datetime;
        let translated = if datetime_format {
            datetime(&format, parsing)
        } else {
            number(&format)
        };
        if !translated.unsupported.is_empty() {
            self.blocking.push((
                "GW-SQL-FORMAT",
                format!(
                    "{function} format '{format}' uses {}, which PostgreSQL cannot express",
                    translated.unsupported.join(", ")
                ),
            ));
        }
        for note in translated.notes {
            self.notes.push((
                "GW-SQL-FORMAT",
                format!("{function} format '{format}': {note}"),
            ));
        }
        Some(literal(&translated.format))
    }

    /// The NLS parameter of TO_CHAR/TO_DATE/TO_NUMBER: American/English names and '.,' separators
    /// are what PostgreSQL uses; anything else is reported, as it is not applied.
    fn nls_parameter(&mut self, function: &str, part: Option<&&[Token]>) {
        let Some(part) = part else {
            return;
        };
        let value = format_literal(part)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let settings: Vec<String> = value
            .split('\n')
            .map(|s| s.split_whitespace().collect::<String>())
            .collect();
        let english = settings.iter().all(|s| {
            s.is_empty()
                || s == "NLS_DATE_LANGUAGE=AMERICAN"
                || s == "NLS_DATE_LANGUAGE=ENGLISH"
                || s == "NLS_NUMERIC_CHARACTERS='.,'"
                || s == "NLS_NUMERIC_CHARACTERS=''.,''"
        });
        if value.is_empty() || !english {
            self.notes.push((
                "GW-SQL-FORMAT-NLS",
                format!("{function}'s NLS parameter is not applied: PostgreSQL uses English month and day names and the '.' decimal mark"),
            ));
        }
    }
}

/// Words that end an operand when read backwards from a `/`.
const TERM_STOP_WORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "select",
    "where",
    "then",
    "else",
    "when",
    "case",
    "end",
    "in",
    "between",
    "like",
    "is",
    "from",
    "by",
    "on",
    "having",
    "return",
    "into",
    "values",
    "as",
    "set",
    "distinct",
    "all",
    "any",
    "some",
    "exists",
    "if",
    "elsif",
    "loop",
    "while",
    "union",
    "intersect",
    "except",
    "with",
    "using",
    "over",
    "partition",
    "order",
    "group",
    "default",
    "check",
    "prior",
    "escape",
];

/// Where the multiplicative term that ends `out` (the dividend of a `/`) starts: a chain of factors
/// joined by `*` or `/`, each a literal, a (qualified) name, a call or a parenthesised group.
/// Index of the "(" that the ")" at `close` in `out` closes.
fn matching_open(out: &[String], close: usize) -> Option<usize> {
    let mut depth = 0;
    let mut j = close + 1;
    loop {
        j = j.checked_sub(1)?;
        match out[j].as_str() {
            ")" => depth += 1,
            "(" => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(j);
        }
    }
}

fn left_term_start(out: &[String]) -> Option<usize> {
    let is_operand = |p: &str| {
        !p.is_empty()
            && !TERM_STOP_WORDS.contains(&p)
            && !matches!(
                p,
                "+" | "-"
                    | "*"
                    | "/"
                    | ","
                    | "("
                    | ")"
                    | "="
                    | "<"
                    | ">"
                    | "<="
                    | ">="
                    | "<>"
                    | ":="
                    | "||"
                    | ";"
                    | "["
                    | "]"
            )
            && !p.starts_with("OPERATOR(")
    };
    let mut k = out.len();
    loop {
        if k == 0 {
            return None;
        }
        if out[k - 1] == ")" {
            k = matching_open(out, k - 1)?;
            // A call: the function's (qualified) name before its parenthesis.
            if k > 0 && is_operand(&out[k - 1]) {
                k -= 1;
            }
        } else if out[k - 1] == "]" {
            // An element of an array: v[i], the array before its bracket.
            let mut depth = 0usize;
            k = (0..k).rev().find(|&j| {
                if out[j] == "]" {
                    depth += 1;
                } else if out[j] == "[" {
                    depth -= 1;
                }
                depth == 0
            })?;
            if k > 0 && out[k - 1] == ")" {
                k = matching_open(out, k - 1)?;
            } else if k > 0 && is_operand(&out[k - 1]) {
                k -= 1;
            } else {
                return None;
            }
        } else if is_operand(&out[k - 1]) {
            k -= 1;
        } else {
            return None;
        }
        // Qualifiers and fields: a.b.c, and (composite).field.
        while k >= 2 && out[k - 1] == "." {
            if is_operand(&out[k - 2]) {
                k -= 2;
            } else if out[k - 2] == ")" {
                k = matching_open(out, k - 2)?;
                if k > 0 && is_operand(&out[k - 1]) {
                    k -= 1;
                }
            } else {
                break;
            }
        }
        let chained = k > 0
            && (out[k - 1] == "*"
                || out[k - 1].starts_with("OPERATOR(") && out[k - 1].ends_with("./)"));
        if chained {
            k -= 1;
        } else {
            return (k < out.len()).then_some(k);
        }
    }
}

/// The last token of the factor starting at `start` (the divisor of a `/`): an optional sign, then a
/// literal, a (qualified) name or call, a parenthesised group or a CASE … END.
fn right_factor_end(tokens: &[Token], start: usize) -> Option<usize> {
    let mut j = start;
    if tokens.get(j)?.is_symbol("-") || tokens.get(j)?.is_symbol("+") {
        j += 1;
    }
    let t = tokens.get(j)?;
    let mut end = match t.kind {
        TokenKind::Number | TokenKind::String | TokenKind::Bind => return Some(j),
        TokenKind::Symbol if t.is_symbol("(") => return matching_paren(tokens, j),
        TokenKind::Word if t.is("CASE") => {
            let mut depth = 0;
            for (k, u) in tokens.iter().enumerate().skip(j) {
                if u.is("CASE") {
                    depth += 1;
                } else if u.is("END") {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
            }
            return None;
        }
        TokenKind::Word | TokenKind::QuotedIdent => j,
        _ => return None,
    };
    loop {
        match tokens.get(end + 1) {
            Some(n) if n.is_symbol("(") => end = matching_paren(tokens, end + 1)?,
            // An element of an array: v[i].
            Some(n) if n.is_symbol("[") => {
                let mut depth = 0usize;
                end = (end + 1..tokens.len()).find(|&k| {
                    if tokens[k].is_symbol("[") {
                        depth += 1;
                    } else if tokens[k].is_symbol("]") {
                        depth -= 1;
                    }
                    depth == 0
                })?;
            }
            Some(n)
                if n.is_symbol(".")
                    && tokens.get(end + 2).is_some_and(|w| {
                        matches!(w.kind, TokenKind::Word | TokenKind::QuotedIdent)
                    }) =>
            {
                end += 2
            }
            _ => return Some(end),
        }
    }
}

fn prev_is_dot(tokens: &[Token], i: usize) -> bool {
    i > 0 && tokens[i - 1].is_symbol(".")
}

/// Joins SQL pieces with single spaces, except around `.`, after `(`, before `)` and `,`.
fn join(parts: &[String]) -> String {
    let mut out = String::new();
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            let prev = parts[k - 1].as_str();
            let tight = p == "."
                || p == ","
                || p == ")"
                || prev == "."
                || prev == "("
                || (p == "("
                    && prev
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_'));
            if !tight {
                out.push(' ');
            }
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_oracle::tokenize;

    fn convert(sql: &str) -> (String, Vec<&'static str>) {
        let mut r = Rewrite::default();
        let text = r.sql(&tokenize(sql, 1));
        (text, r.blocking.iter().map(|(id, _)| *id).collect())
    }

    #[test]
    fn oracle_functions_become_postgres_expressions() {
        let cases = [
            ("NVL(a, 0)", "coalesce(a, 0)"),
            ("NVL2(a, 'y', 'n')", "(CASE WHEN a IS NOT NULL THEN 'y' ELSE 'n' END)"),
            ("DECODE(x, 1, 'one', NULL, 'none', 'other')", "(CASE WHEN x IS NOT DISTINCT FROM '1' THEN 'one' WHEN x IS NOT DISTINCT FROM null THEN 'none' ELSE 'other' END)"),
            ("SYSDATE", "LOCALTIMESTAMP(0)"),
            ("SYSDATE - 1", "(LOCALTIMESTAMP(0) - (1) * interval '1 day')"),
            ("ADD_MONTHS(hired, 6)", "godwit_compat.add_months(hired, 6)"),
            ("TRUNC(SYSDATE, 'MM')", "godwit_compat.trunc(LOCALTIMESTAMP(0), 'MM')"),
            ("INSTR(name, 'a', -1)", "godwit_compat.instr(name, 'a', - 1)"),
            ("SUBSTR(s, -3)", "godwit_compat.substr(s, - 3)"),
            ("REGEXP_REPLACE(s, '[0-9]', '#')", "regexp_replace(s, '[0-9]', '#', 'g')"),
            ("REGEXP_LIKE(s, '^a', 'i')", "(s ~* '^a')"),
            ("REGEXP_SUBSTR(s, '[0-9]+')", "(regexp_match(s, '(' || '[0-9]+' || ')'))[1]"),
            ("SYSTIMESTAMP + (1/24)", "(CURRENT_TIMESTAMP + (((1 OPERATOR(godwit_compat./) 24))) * interval '1 day')"),
            ("SYSDATE + 1/24", "(LOCALTIMESTAMP(0) + ((1 OPERATOR(godwit_compat./) 24)) * interval '1 day')"),
            ("1 + p / 100", "1 + (p OPERATOR(godwit_compat./) 100)"),
            ("(r).a / 2", "((r).a OPERATOR(godwit_compat./) 2)"),
            ("a / b * c", "(a OPERATOR(godwit_compat./) b) * c"),
            ("a * t.b / -c", "(a * t.b OPERATOR(godwit_compat./) - c)"),
            ("a / b / c", "((a OPERATOR(godwit_compat./) b) OPERATOR(godwit_compat./) c)"),
            ("NVL(x, 1) / f(y) + 1", "(coalesce(x, 1) OPERATOR(godwit_compat./) f(y)) + 1"),
            ("s.total / (CASE WHEN n = 0 THEN 1 ELSE n END)", "(s.total OPERATOR(godwit_compat./) (case when n = 0 then 1 else n end))"),
            ("SYSTIMESTAMP", "CURRENT_TIMESTAMP"),
            ("USER", "CURRENT_USER"),
            ("emp_seq.NEXTVAL", "nextval('emp_seq')"),
            ("hr.emp_seq.CURRVAL", "currval('hr.emp_seq')"),
            ("TO_DATE('17-06-2003', 'dd-MM-yyyy')", "godwit_compat.to_date('17-06-2003', 'dd-MM-yyyy')"),
            ("TO_DATE(s, 'DD-MON-RR', 'NLS_DATE_LANGUAGE = AMERICAN')", "godwit_compat.to_date(s, 'DD-MON-YY')"),
            ("TO_TIMESTAMP(s, 'YYYY-MM-DD HH24:MI:SSXFF')", "godwit_compat.to_timestamp(s, 'YYYY-MM-DD HH24:MI:SS.US')"),
            ("TO_TIMESTAMP_TZ(s, 'YYYY-MM-DD HH24:MI TZH:TZM')", "to_timestamp(s, 'YYYY-MM-DD HH24:MI TZH:TZM')"),
            ("TO_CHAR(hired, 'DD.MM.RRRR SSSSS')", "to_char(hired, 'DD.MM.YYYY SSSS')"),
            ("TO_CHAR(salary, 'FM999G990D00')", "to_char(salary, 'FM999G990D00')"),
            ("TO_CHAR(salary, 'TM9')", "godwit_compat.oracle_text(salary)"),
            ("TO_NUMBER(s, '9G999D99')", "to_number(s, '9G999D99')"),
            ("ROUND(hired, 'MM')", "godwit_compat.round(hired, 'MM')"),
            ("ROUND(x)", "godwit_compat.round(x)"),
            ("CAST(x AS VARCHAR2(10))", "CAST(x AS varchar(10))"),
            ("DBMS_LOB.GETLENGTH(l)", "length(l)"),
            ("DBMS_LOB.SUBSTR(l, 10, 5)", "pg_catalog.substr(l, 5, 10)"),
            ("pkg.substr(s, 2)", "pkg.substr(s, 2)"),
            ("DBMS_RANDOM.VALUE(1, 10)", "((1) + random() * ((10) - (1)))"),
            ("SYS_CONTEXT('USERENV', 'SESSION_USER')", "session_user::text"),
            ("CAST(NVL(x, 0) AS NUMBER(5,2))", "CAST(coalesce(x, 0) AS numeric(5,2))"),
            ("CAST(d AS DATE)", "CAST(d AS timestamp(0))"),
            ("TO_NUMBER(s)", "(s)::numeric"),
            ("SELECT 1 FROM DUAL", "select 1"),
            ("SELECT a FROM t MINUS SELECT a FROM u", "select a from t EXCEPT select a from u"),
            ("q'[it's]' || N'x'", "'it''s' OPERATOR(godwit_compat.||) 'x'"),
            ("\"EMP_ID\" != 3", "emp_id <> 3"),
            ("LISTAGG(name, ', ') WITHIN GROUP (ORDER BY name)", "string_agg((name)::text, ', ' order by name)"),
            ("NVL(NVL(a, b), c)", "coalesce(coalesce(a, b), c)"),
        ];
        for (oracle, expected) in cases {
            assert_eq!(convert(oracle).0, expected, "{oracle}");
        }
    }

    #[test]
    fn empty_strings_are_null_in_data() {
        let mut r = Rewrite {
            empty_string_is_null: true,
            ..Default::default()
        };
        assert_eq!(r.sql(&tokenize("(1, '', 'x')", 1)), "(1, NULL, 'x')");
    }

    #[test]
    fn unconvertible_constructs_block_the_statement() {
        assert_eq!(
            convert("SELECT * FROM a, b WHERE a.id = b.id (+)").1,
            ["GW-SQL-OUTER-JOIN"]
        );
        assert_eq!(
            convert("SELECT * FROM t WHERE ROWNUM < 5").1,
            ["GW-SQL-ROWNUM"]
        );
        assert_eq!(convert("TO_CHAR(d, 'DdSP')").1, ["GW-SQL-FORMAT"]);
        // A hexadecimal model mixed with decimal elements.
        assert_eq!(convert("TO_CHAR(n, '9XX')").1, ["GW-SQL-FORMAT"]);
        assert_eq!(
            convert("TO_DATE(s, 'DD-MON-YYYY TZR')").1,
            ["GW-SQL-FORMAT"]
        );
        assert_eq!(
            convert("SELECT id FROM t START WITH p IS NULL CONNECT BY PRIOR id = p").1,
            ["GW-SQL-CONNECT-BY", "GW-SQL-CONNECT-BY"]
        );
    }
}
