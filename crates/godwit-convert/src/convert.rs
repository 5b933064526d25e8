//! Statement by statement: Oracle script statements into a PostgreSQL catalog, data statements and a
//! report of every object with its findings.

use crate::cursor::{split_commas, Cursor};
use crate::expr::Rewrite;
use crate::findings::{Finding, Severity};
use crate::names::{pg_name, shorten};
use crate::types::convert_type;
use godwit_catalog::*;
use godwit_oracle::{tokenize, Statement, StatementKind, Token, TokenKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Conversion settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// PostgreSQL schema for objects the script does not qualify with a schema.
    pub default_schema: String,
    /// Type overrides from a rules file.
    pub rules: crate::rules::Rules,
    /// Values of PL/SQL inquiry directives (`$$name`) for conditional compilation; unset ones are
    /// NULL, as in Oracle.
    pub ccflags: crate::conditional::Flags,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            default_schema: "public".into(),
            rules: Default::default(),
            ccflags: Default::default(),
        }
    }
}

/// What happened to one Oracle object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Converted,
    ConvertedWithFindings,
    NotConverted,
}

/// One Oracle object (or statement) in the report.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectReport {
    /// Oracle kind: `TABLE`, `INDEX`, `VIEW`, `PROCEDURE`, `DATA`, …
    pub kind: String,
    /// PostgreSQL name, `schema.name`.
    pub name: String,
    pub file: PathBuf,
    pub line: u32,
    pub status: Status,
    pub findings: Vec<Finding>,
    /// The Oracle statements the object comes from (its CREATE, then ALTERs and COMMENTs on it).
    pub oracle_source: String,
}

/// A data statement (INSERT, UPDATE, DELETE) converted from the script, run after the tables exist.
#[derive(Clone, Debug, Serialize)]
pub struct DataStatement {
    pub table: QualifiedName,
    pub sql: String,
    /// Rows an INSERT … VALUES adds (0 when not countable).
    pub rows: usize,
    pub file: PathBuf,
    pub line: u32,
}

/// The result of converting a script.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Conversion {
    pub catalog: Catalog,
    /// `godwit_compat` helper functions the converted SQL calls.
    pub helpers: std::collections::BTreeSet<&'static str>,
    pub data: Vec<DataStatement>,
    pub objects: Vec<ObjectReport>,
}

struct Converter<'o> {
    options: &'o Options,
    catalog: Catalog,
    data: Vec<DataStatement>,
    objects: Vec<ObjectReport>,
    /// (kind, schema.name) → index in `objects`, for later statements that add findings.
    index: BTreeMap<(String, String), usize>,
    file: PathBuf,
    line: u32,
    /// Oracle schema names the input qualifies names with but creates nothing in: they are the
    /// script's own schema and map to the default schema.
    foreign_qualifiers: std::collections::BTreeSet<String>,
    helpers: std::collections::BTreeSet<&'static str>,
    /// PostgreSQL schema names of the input's PL/SQL packages (all of them, read before converting).
    package_schemas: std::collections::BTreeSet<String>,
    /// Package specs read so far.
    packages: crate::package::Packages,
    /// Every package spec of the input, read ahead, for subtypes used before their spec.
    specs_ahead: BTreeMap<String, crate::package::Declarations>,
    /// Tables, views and synonyms the input creates (read before converting).
    relations: std::collections::BTreeSet<String>,
    /// Object types with methods (upper-case Oracle name).
    object_methods: BTreeMap<String, crate::object_type::ObjectMethods>,
    /// Columns made NOT NULL in the data section, after rows went in: (table, column). A primary
    /// key added later does not make them NOT NULL in CREATE TABLE.
    not_null_after_data: std::collections::BTreeSet<(String, String)>,
    /// Schema-level collection types (domains over arrays) for PL/SQL units.
    schema_collections: crate::collection::Collections,
    /// Their domains' PostgreSQL names.
    schema_domains: std::collections::BTreeMap<String, String>,
    /// Text of the statement being converted.
    source: String,
    /// Line of the part of the statement being converted (a column, a constraint), for findings.
    focus_line: Option<u32>,
    /// What rewriters learn from the catalog (date columns, object types), kept until the catalog
    /// gains a table, column or type: (tables, columns, types) counted, then what was learnt.
    catalog_facts: std::cell::RefCell<Option<(CatalogSize, CatalogFacts)>>,
}

type CatalogSize = (usize, usize, usize);

/// Names rewriters need from the catalog.
#[derive(Clone, Default)]
struct CatalogFacts {
    date_columns: std::collections::BTreeSet<String>,
    object_types: std::collections::BTreeMap<String, String>,
}

/// What the converter needs to know about the whole input before the first statement, read in one
/// pass over it.
struct Prescan {
    /// Schema qualifiers of `schema.object` references to objects the input creates unqualified,
    /// when the input creates nothing in that schema: the script ran as that Oracle user.
    foreign_qualifiers: std::collections::BTreeSet<String>,
    /// PostgreSQL schema names for the packages the input creates.
    package_schemas: std::collections::BTreeSet<String>,
    /// Every package spec of the input, read ahead (upper-case name → declarations), so a record
    /// can use a subtype of a package whose spec comes later in the script.
    specs_ahead: BTreeMap<String, crate::package::Declarations>,
    /// Tables, views and synonyms the input creates (PostgreSQL names): `user_accounts` is then the
    /// input's own table, not a dictionary view.
    relations: std::collections::BTreeSet<String>,
}

fn prescan(statements: &[Statement]) -> Prescan {
    use std::collections::BTreeSet;
    let mut package_schemas: BTreeSet<String> = BTreeSet::new();
    let mut specs_ahead = BTreeMap::new();
    let mut created_unqualified: BTreeSet<String> = BTreeSet::new();
    let mut created_schemas: BTreeSet<String> = BTreeSet::new();
    let mut relations: BTreeSet<String> = BTreeSet::new();
    let mut qualifiers: BTreeSet<(String, String)> = BTreeSet::new();
    for s in statements {
        let tokens = tokenize(&s.text, s.line);
        let head = words(&tokens, 8);
        if head.first().is_some_and(|w| w == "CREATE") {
            if let Some(k) = head.iter().position(|w| {
                matches!(
                    w.as_str(),
                    "TABLE"
                        | "VIEW"
                        | "SEQUENCE"
                        | "SYNONYM"
                        | "TYPE"
                        | "FUNCTION"
                        | "PROCEDURE"
                        | "PACKAGE"
                )
            }) {
                let mut c = Cursor::new(&tokens[(k + 1).min(tokens.len())..]);
                c.eat("BODY");
                let qualified = c.qualified();
                if let (Some((_, name)), "TABLE" | "VIEW" | "SYNONYM") =
                    (qualified, head[k].as_str())
                {
                    relations.insert(pg_name(name));
                }
                if let (Some((_, name)), "PACKAGE") = (qualified, head[k].as_str()) {
                    package_schemas.insert(pg_name(name));
                    let body = head.get(k + 1).is_some_and(|w| w == "BODY");
                    let rest = c.rest();
                    let is = rest.iter().position(|t| t.is("IS") || t.is("AS"));
                    if let (false, Some(at)) = (body, is) {
                        specs_ahead
                            .insert(name.upper(), crate::package::read_spec(&rest[at + 1..]));
                    }
                }
                match qualified {
                    Some((Some(schema), _)) => {
                        created_schemas.insert(pg_name(schema));
                    }
                    Some((None, name)) => {
                        created_unqualified.insert(pg_name(name));
                    }
                    None => {}
                }
            }
        }
        for w in tokens.windows(3) {
            if matches!(w[0].kind, TokenKind::Word | TokenKind::QuotedIdent)
                && w[1].is_symbol(".")
                && matches!(w[2].kind, TokenKind::Word | TokenKind::QuotedIdent)
            {
                qualifiers.insert((pg_name(&w[0]), pg_name(&w[2])));
            }
        }
    }
    // A qualifier is the script owner's schema when everything it qualifies is an object the script
    // creates; an alias (`a.address_id`) also qualifies columns.
    let mut by_qualifier: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (q, object) in qualifiers {
        by_qualifier.entry(q).or_default().push(object);
    }
    let foreign_qualifiers = by_qualifier
        .into_iter()
        .filter(|(q, objects)| {
            objects.iter().all(|o| created_unqualified.contains(o))
                && !created_schemas.contains(q)
                && !created_unqualified.contains(q)
        })
        .map(|(q, _)| q)
        .collect();
    Prescan {
        foreign_qualifiers,
        package_schemas,
        specs_ahead,
        relations,
    }
}

/// A package member's tokens with a first statement that runs the package's initialization once per
/// session.
fn initialization_first(tokens: &[Token], schema: &str) -> Vec<Token> {
    let Some(begin) = crate::package_collections::top_level_begin(tokens) else {
        return tokens.to_vec();
    };
    let line = tokens[begin].line;
    let setting = format!("'godwit.{schema}__godwit_initialized'");
    let mut out = tokens[..=begin].to_vec();
    out.extend(tokenize(
        &format!(
            "IF godwit_compat.pkg_get({setting}, NULL) IS NULL THEN PERFORM godwit_compat.pkg_set({setting}, '1'); {}.godwit_initialize; END IF;",
            quote_ident(schema)
        ),
        line,
    ));
    out.extend(tokens[begin + 1..].iter().cloned());
    out
}

/// A routine's argument list as PostgreSQL tells routines apart: the input arguments' types without
/// names, defaults or modifiers (`p_a numeric(38,0) DEFAULT 1, OUT p_b varchar` → `numeric`).
fn postgres_signature(arguments: &str) -> String {
    let mut types = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for ch in arguments.chars().chain(std::iter::once(',')) {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                let argument = std::mem::take(&mut current);
                let argument = argument
                    .split(" DEFAULT ")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                if argument.is_empty() || argument.starts_with("OUT ") {
                    continue;
                }
                let words: Vec<&str> = argument
                    .trim_start_matches("INOUT ")
                    .split_whitespace()
                    .collect();
                // name type…: the type, without its modifiers.
                let ty = words.get(1..).map(|w| w.join(" ")).unwrap_or_default();
                types.push(ty.split('(').next().unwrap_or_default().trim().to_string());
                continue;
            }
            _ => {}
        }
        if depth > 0 && ch != '(' {
            continue;
        }
        if ch != '(' && ch != ')' {
            current.push(ch);
        }
    }
    types.join(", ")
}

/// Converts the statements of an Oracle script.
pub fn convert(statements: &[Statement], options: &Options) -> Conversion {
    let Prescan {
        foreign_qualifiers,
        package_schemas,
        specs_ahead,
        relations,
    } = prescan(statements);
    let mut c = Converter {
        options,
        catalog: Catalog::default(),
        data: Vec::new(),
        objects: Vec::new(),
        index: BTreeMap::new(),
        file: PathBuf::new(),
        line: 0,
        foreign_qualifiers,
        helpers: Default::default(),
        package_schemas,
        specs_ahead,
        relations,
        object_methods: Default::default(),
        not_null_after_data: Default::default(),
        packages: Default::default(),
        schema_collections: Default::default(),
        schema_domains: Default::default(),
        source: String::new(),
        focus_line: None,
        catalog_facts: Default::default(),
    };
    for s in statements {
        c.file = s.file.clone();
        c.line = s.line;
        c.source = s.text.clone();
        let tokens = tokenize(&s.text, s.line);
        if tokens.is_empty() {
            continue;
        }
        let tokens = if s.kind == StatementKind::PlSql && tokens.iter().any(|t| t.is_symbol("$")) {
            match crate::conditional::resolve(&tokens, &options.ccflags) {
                Ok(resolved) => resolved,
                Err(reason) => {
                    c.conditional_failure(&tokens, reason);
                    continue;
                }
            }
        } else {
            tokens
        };
        c.statement(s, &tokens);
    }
    c.finish();
    let mut conversion = Conversion {
        catalog: c.catalog,
        helpers: c.helpers,
        data: c.data,
        objects: c.objects,
    };
    crate::validate::check(&mut conversion);
    conversion
}

fn words(tokens: &[Token], n: usize) -> Vec<String> {
    tokens
        .iter()
        .take(n)
        .map(|t| {
            if t.kind == TokenKind::Word {
                t.upper()
            } else {
                t.text.clone()
            }
        })
        .collect()
}

impl Converter<'_> {
    fn finding(
        &self,
        id: &'static str,
        severity: Severity,
        message: impl Into<String>,
        suggestion: impl Into<String>,
    ) -> Finding {
        Finding {
            id,
            severity,
            file: self.file.clone(),
            line: self.focus_line.unwrap_or(self.line),
            message: message.into(),
            suggestion: suggestion.into(),
        }
    }

    /// Adds a report entry for a new object and returns its index.
    fn report(&mut self, kind: &str, name: &QualifiedName, status: Status) -> usize {
        let key = (kind.to_string(), name.to_string());
        if let Some(&i) = self.index.get(&key) {
            // CREATE OR REPLACE of the same object: the later one wins.
            self.objects[i].file = self.file.clone();
            self.objects[i].line = self.line;
            self.objects[i].status = status;
            self.objects[i].findings.clear();
            self.objects[i].oracle_source = self.source.clone();
            return i;
        }
        self.objects.push(ObjectReport {
            kind: kind.into(),
            name: name.to_string(),
            file: self.file.clone(),
            line: self.line,
            status,
            findings: Vec::new(),
            oracle_source: self.source.clone(),
        });
        self.index.insert(key, self.objects.len() - 1);
        self.objects.len() - 1
    }

    /// Adds the current statement to the Oracle source shown for object `i` (an ALTER or COMMENT on it).
    fn add_source(&mut self, i: usize) {
        let source = &mut self.objects[i].oracle_source;
        if !source.contains(self.source.as_str()) {
            source.push_str(";\n\n");
            source.push_str(&self.source);
        }
    }

    /// Attaches a finding to object `i`, updating its status.
    fn note(&mut self, i: usize, finding: Finding) {
        let o = &mut self.objects[i];
        if finding.severity >= Severity::Warning && o.status == Status::Converted {
            o.status = Status::ConvertedWithFindings;
        }
        o.findings.push(finding);
    }

    /// Marks object `i` not converted, with an error finding saying why.
    fn reject(
        &mut self,
        i: usize,
        id: &'static str,
        message: impl Into<String>,
        suggestion: impl Into<String>,
    ) {
        let f = self.finding(id, Severity::Error, message, suggestion);
        let o = &mut self.objects[i];
        o.status = Status::NotConverted;
        o.findings.push(f);
    }

    /// The notes a rewrite made, as warnings on object `i`.
    fn note_rewrite(&mut self, i: usize, notes: &[(&'static str, String)]) {
        for (id, message) in notes {
            let f = self.finding(id, Severity::Warning, message.clone(), "review it");
            self.note(i, f);
        }
    }

    /// Reports a new object as not converted, saying why.
    fn not_converted(
        &mut self,
        kind: &str,
        name: &QualifiedName,
        id: &'static str,
        message: String,
        suggestion: &str,
    ) {
        let i = self.report(kind, name, Status::NotConverted);
        self.reject(i, id, message, suggestion);
    }

    fn qualified(&self, schema: Option<&Token>, name: &Token) -> QualifiedName {
        let schema = schema
            .map(pg_name)
            .filter(|s| !self.foreign_qualifiers.contains(s));
        QualifiedName::new(
            schema.unwrap_or_else(|| self.options.default_schema.clone()),
            pg_name(name),
        )
    }

    /// Converts the type at the cursor; a user-defined type without a schema gets the default one.
    fn pg_type(&self, c: &mut Cursor) -> Option<crate::types::Converted> {
        let start = c.pos;
        let mut t = convert_type(c)?;
        t.spelling = c.text_since(start);
        if t.is_user_type() && !t.data_type.name.contains('.') {
            let q = QualifiedName::new(&self.options.default_schema, &t.data_type.name).to_string();
            t.data_type = DataType::plain(q);
        }
        Some(t)
    }

    fn rewriter(&self) -> Rewrite {
        let mut rw = Rewrite::default();
        rw.dropped_qualifiers = self.foreign_qualifiers.clone();
        rw.packages = self.package_schemas.clone();
        rw.input_relations = self.relations.clone();
        let facts = self.catalog_facts();
        rw.date_columns = facts.date_columns;
        rw.object_types = facts.object_types;
        // The schemas of object type methods are called like packages.
        rw.packages
            .extend(self.object_methods.values().map(|m| m.schema.clone()));
        rw.constructors = self
            .object_methods
            .values()
            .filter(|m| !m.constructors.is_empty())
            .map(|m| {
                (
                    m.type_name.to_lowercase(),
                    (m.schema.clone(), m.constructors.clone()),
                )
            })
            .collect();
        rw
    }

    /// Date columns and object types of the catalog, recomputed only when it has grown.
    fn catalog_facts(&self) -> CatalogFacts {
        let tables = self.catalog.schemas.iter().flat_map(|s| &s.tables);
        let size = (
            tables.clone().count(),
            tables.clone().map(|t| t.columns.len()).sum(),
            self.catalog.schemas.iter().map(|s| s.types.len()).sum(),
        );
        if let Some((known, facts)) = self.catalog_facts.borrow().as_ref() {
            if *known == size {
                return facts.clone();
            }
        }
        let mut facts = CatalogFacts::default();
        // Date columns by name, unless the name is another type's column somewhere.
        let mut other_columns = std::collections::BTreeSet::new();
        for column in tables.flat_map(|t| &t.columns) {
            if column.data_type.name.starts_with("timestamp") || column.data_type.name == "date" {
                facts.date_columns.insert(column.name.clone());
            } else {
                other_columns.insert(column.name.clone());
            }
        }
        facts.date_columns.retain(|c| !other_columns.contains(c));
        for schema in &self.catalog.schemas {
            for t in &schema.types {
                if let UserType::Composite { name, .. } = t {
                    facts.object_types.insert(
                        name.clone(),
                        QualifiedName::new(&schema.name, name).to_string(),
                    );
                }
            }
        }
        *self.catalog_facts.borrow_mut() = Some((size, facts.clone()));
        facts
    }

    fn schema_mut(&mut self, schema: &str) -> &mut Schema {
        if let Some(i) = self.catalog.schemas.iter().position(|s| s.name == schema) {
            return &mut self.catalog.schemas[i];
        }
        self.catalog.schemas.push(Schema {
            name: schema.to_string(),
            ..Default::default()
        });
        self.catalog.schemas.last_mut().expect("just pushed")
    }

    fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.catalog
            .schemas
            .iter_mut()
            .find(|s| s.name == name.schema)?
            .tables
            .iter_mut()
            .find(|t| t.name == name.name)
    }

    fn statement(&mut self, s: &Statement, tokens: &[Token]) {
        let head = words(tokens, 12);
        let mut k = 0;
        let create = head.first().is_some_and(|w| w == "CREATE");
        if create {
            k = 1;
            while head.get(k).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "OR" | "REPLACE"
                        | "FORCE"
                        | "NOFORCE"
                        | "EDITIONABLE"
                        | "NONEDITIONABLE"
                        | "EDITIONING"
                        | "NO"
                        | "PUBLIC"
                )
            }) {
                k += 1;
            }
        }
        let kw = |i: usize| head.get(i).map(String::as_str).unwrap_or("");
        match (create, kw(if create { k } else { 0 })) {
            (
                true,
                "TABLE" | "GLOBAL" | "PRIVATE" | "SHARDED" | "DUPLICATED" | "BLOCKCHAIN"
                | "IMMUTABLE",
            ) => self.create_table(tokens),
            (true, "UNIQUE" | "BITMAP" | "INDEX" | "MULTIVALUE") => self.create_index(tokens),
            (true, "SEQUENCE") => self.create_sequence(tokens),
            (true, "VIEW") => self.create_view(tokens, k + 1, false),
            (true, "MATERIALIZED") if kw(k + 1) == "VIEW" => self.create_view(tokens, k + 2, true),
            (true, "SYNONYM") => self.create_synonym(tokens, k + 1),
            (true, "TYPE") if kw(k + 1) == "BODY" => {
                self.type_body(&tokens[(k + 2).min(tokens.len())..])
            }
            (true, "TYPE") if s.kind == StatementKind::PlSql => self.create_type(tokens, k + 1),
            (true, "FUNCTION" | "PROCEDURE" | "TRIGGER") => {
                let kind = match kw(k) {
                    "FUNCTION" => crate::plsql::UnitKind::Function,
                    "PROCEDURE" => crate::plsql::UnitKind::Procedure,
                    _ => crate::plsql::UnitKind::Trigger,
                };
                self.plsql_unit(kind, kw(k), &tokens[(k + 1).min(tokens.len())..]);
            }
            (true, "PACKAGE") if kw(k + 1) == "BODY" => {
                self.package_body(&tokens[(k + 2).min(tokens.len())..])
            }
            (true, "PACKAGE") => self.package_spec(&tokens[(k + 1).min(tokens.len())..]),
            (true, "TYPE" | "LIBRARY" | "JAVA") => {
                let kind = if kw(k) == "TYPE" && kw(k + 1) == "BODY" {
                    "TYPE BODY".into()
                } else {
                    kw(k).to_string()
                };
                let skip = k + 1 + kind.contains(' ') as usize;
                let mut c = Cursor::new(&tokens[skip.min(tokens.len())..]);
                let name = c
                    .qualified()
                    .map(|(s, n)| self.qualified(s, n))
                    .unwrap_or_else(|| QualifiedName::new(&self.options.default_schema, "?"));
                self.not_converted(
                    &kind,
                    &name,
                    "GW-PLSQL-NOT-YET",
                    format!("{kind} {name} is PL/SQL, which this version does not convert"),
                    "convert it by hand, or wait for the PL/SQL converter",
                );
            }
            (false, "ALTER") if kw(1) == "TABLE" => self.alter_table(tokens),
            (false, "ALTER")
                if kw(1) == "TRIGGER" && tokens.last().is_some_and(|t| t.is("DISABLE")) =>
            {
                self.disable_trigger(tokens)
            }
            (false, "COMMENT") => self.comment(tokens),
            (false, "INSERT" | "UPDATE" | "DELETE" | "MERGE") => self.data_statement(tokens),
            (false, "BEGIN" | "DECLARE") => self.anonymous_block(tokens),
            (false, "COMMIT" | "ROLLBACK" | "SAVEPOINT") => {}
            (
                false,
                "ALTER" | "GRANT" | "REVOKE" | "DROP" | "TRUNCATE" | "ANALYZE" | "AUDIT"
                | "NOAUDIT" | "PURGE" | "LOCK" | "CALL" | "SELECT" | "WITH" | "EXPLAIN"
                | "FLASHBACK" | "RENAME" | "ASSOCIATE" | "DISASSOCIATE",
            ) => {
                let what = head.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
                let name = QualifiedName::new(
                    &self.options.default_schema,
                    format!(
                        "{}:{}",
                        self.file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                        self.line
                    ),
                );
                let i = self.report("STATEMENT", &name, Status::Converted);
                let f = self.finding(
                    "GW-SKIPPED-STATEMENT",
                    Severity::Info,
                    format!("{what} … is not part of the converted schema; skipped"),
                    "apply it by hand if the target needs it",
                );
                self.note(i, f);
            }
            _ => {
                let what = head.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
                let name = QualifiedName::new(
                    &self.options.default_schema,
                    format!(
                        "{}:{}",
                        self.file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                        self.line
                    ),
                );
                self.not_converted(
                    "STATEMENT",
                    &name,
                    "GW-UNKNOWN-STATEMENT",
                    format!("statement {what} … is not understood"),
                    "convert it by hand",
                );
            }
        }
    }

    // ----- PL/SQL -----

    fn plsql_unit(&mut self, kind: crate::plsql::UnitKind, keyword: &str, tokens: &[Token]) {
        let mut rw = self.rewriter();
        let result = self.standalone_unit(kind, tokens, &mut rw);
        self.helpers.extend(rw.helpers.iter().copied());
        let mut c = Cursor::new(tokens);
        let name = c
            .qualified()
            .map(|(s, n)| self.qualified(s, n))
            .unwrap_or_else(|| QualifiedName::new(&self.options.default_schema, "?"));
        let unit = match result {
            Ok(unit) => unit,
            Err(reason) => {
                return self.not_converted(
                    keyword,
                    &name,
                    "GW-PLSQL-NOT-YET",
                    format!("{keyword} {name}: {reason}"),
                    "convert it by hand, or wait for the next PL/SQL rules",
                );
            }
        };
        let report = self.report(keyword, &name, Status::Converted);
        let f = self.finding("GW-PLSQL-CONVERTED", Severity::Info, format!("{keyword} {name} converted to PL/pgSQL; its behaviour is not yet checked against Oracle's"), "test it");
        self.note(report, f);
        self.note_rewrite(report, &rw.notes);
        self.add_routines(&unit);
        if let Some((table, definition, enabled)) = unit.trigger {
            let trigger = Trigger {
                name: name.name.clone(),
                timing: TriggerTiming::Before,
                events: vec![],
                for_each_row: definition.contains("FOR EACH ROW"),
                function: unit.name.clone(),
                definition,
                enabled,
                comment: None,
            };
            match self.table_mut(&table) {
                Some(t) => {
                    t.triggers.retain(|x| x.name != trigger.name);
                    t.triggers.push(trigger);
                }
                None => {
                    self.reject(
                        report,
                        "GW-TRIGGER-UNKNOWN-TABLE",
                        format!("trigger {name} is on {table}, which the input does not define"),
                        "include the table's DDL",
                    );
                }
            }
        }
    }

    /// What a unit outside any package sees: the schema's collection types and object types.
    fn schema_unit_context(&self) -> crate::plsql::UnitContext {
        crate::plsql::UnitContext {
            collections: self
                .schema_collections
                .clone()
                .into_iter()
                .chain(crate::collection::oracle_supplied())
                .collect(),
            domains: self.schema_domains.clone(),
            object_methods: self.object_methods.clone(),
            ..Default::default()
        }
    }

    /// Converts a PL/SQL unit outside any package: it sees the schema's collection types.
    fn standalone_unit(
        &self,
        kind: crate::plsql::UnitKind,
        tokens: &[Token],
        rw: &mut Rewrite,
    ) -> Result<crate::plsql::Unit, String> {
        let qualify = |s: Option<&Token>, n: &Token| self.qualified(s, n);
        let type_of = |c: &mut Cursor| self.plsql_type(c);
        // Package constants (PKG.C) are inlined, as in package members.
        let mut inlined: Vec<Token> = Vec::with_capacity(tokens.len());
        let mut k = 0;
        while k < tokens.len() {
            let constant = (k == 0 || !tokens[k - 1].is_symbol("."))
                .then(|| tokens.get(k + 1).filter(|d| d.is_symbol(".")))
                .flatten()
                .and_then(|_| {
                    let package = tokens[k].upper();
                    // A trigger may come before the spec of the package it uses.
                    self.packages
                        .specs
                        .get(&package)
                        .or_else(|| self.specs_ahead.get(&package))
                })
                .and_then(|spec| spec.constants.get(&tokens.get(k + 2)?.upper()));
            match constant {
                Some(value) => {
                    inlined.extend(tokenize("(", tokens[k].line));
                    inlined.extend(value.iter().cloned());
                    inlined.extend(tokenize(")", tokens[k].line));
                    k += 3;
                }
                None => {
                    inlined.push(tokens[k].clone());
                    k += 1;
                }
            }
        }
        let tokens = &inlined[..];
        crate::plsql::convert_unit(
            kind,
            tokens,
            rw,
            &qualify,
            &type_of,
            &self.schema_unit_context(),
        )
    }

    /// A PL/SQL unit whose conditional compilation cannot be resolved: reported under its own kind
    /// and name.
    fn conditional_failure(&mut self, tokens: &[Token], reason: String) {
        let head = words(tokens, 8);
        let kinds = ["PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER", "TYPE"];
        let (kind, at) = match head.iter().position(|w| kinds.contains(&w.as_str())) {
            Some(k) if head.get(k + 1).is_some_and(|w| w == "BODY") => {
                (format!("{} BODY", head[k]), k + 2)
            }
            Some(k) => (head[k].clone(), k + 1),
            None => ("ANONYMOUS BLOCK".to_string(), head.len()),
        };
        let name = Cursor::new(&tokens[at.min(tokens.len())..])
            .qualified()
            .map(|(s, n)| self.qualified(s, n))
            .unwrap_or_else(|| QualifiedName::new(&self.options.default_schema, "?"));
        self.not_converted(
            &kind,
            &name,
            "GW-PLSQL-CONDITIONAL",
            format!("{kind} {name}: conditional compilation not resolved: {reason}"),
            "set the inquiry directives it needs (godwit convert --ccflags name:value,…) or convert it by hand",
        );
    }

    /// Adds a converted unit's routine, its record types and those of its hoisted local subprograms to
    /// the catalog; a routine with the same name and arguments is replaced (CREATE OR REPLACE).
    fn add_routines(&mut self, unit: &crate::plsql::Unit) {
        let routine = unit.routine();
        let target = self.schema_mut(&unit.name.schema);
        target.routines.retain(|r| {
            !(r.name == routine.name && r.identity_arguments == routine.identity_arguments)
        });
        target.routines.push(routine);
        for (name, attributes) in &unit.types {
            let target = self.schema_mut(&name.schema);
            target.types.retain(|t| t.name() != name.name);
            target.types.push(UserType::Composite {
                name: name.name.clone(),
                attributes: attributes
                    .iter()
                    .map(|(n, t)| (n.clone(), godwit_catalog::DataType::plain(t.clone())))
                    .collect(),
                comment: None,
            });
        }
        for local in &unit.hoisted {
            self.add_routines(local);
        }
    }

    /// The package name after `PACKAGE [BODY]`, and the tokens after its IS/AS.
    fn package_head<'t>(
        &self,
        tokens: &'t [Token],
    ) -> Option<(QualifiedName, &'t Token, &'t [Token])> {
        let mut c = Cursor::new(tokens);
        let (schema, name) = c.qualified()?;
        let report_name = self.qualified(schema, name);
        let mut depth = 0;
        while let Some(t) = c.next() {
            if t.is_symbol("(") {
                depth += 1;
            } else if t.is_symbol(")") {
                depth -= 1;
            } else if depth == 0 && (t.is("IS") || t.is("AS")) {
                return Some((report_name, name, c.rest()));
            }
        }
        None
    }

    /// `package_head`, or `None` after reporting the unit of `kind` (PACKAGE, PACKAGE BODY, TYPE
    /// BODY) as not understood.
    fn head_or_report<'t>(
        &mut self,
        kind: &str,
        tokens: &'t [Token],
    ) -> Option<(QualifiedName, &'t Token, &'t [Token])> {
        let head = self.package_head(tokens);
        if head.is_none() {
            let name = QualifiedName::new(&self.options.default_schema, "?");
            self.not_converted(
                kind,
                &name,
                "GW-PLSQL-NOT-YET",
                format!(
                    "{} not understood (no IS/AS after its name)",
                    kind.to_lowercase()
                ),
                "convert it by hand",
            );
        }
        head
    }

    /// `CREATE PACKAGE`: a schema named after the package; its constants are inlined where members
    /// use them; variables (session state), types, cursors and exceptions are reported.
    fn package_spec(&mut self, tokens: &[Token]) {
        let Some((report_name, name, rest)) = self.head_or_report("PACKAGE", tokens) else {
            return;
        };
        let mut spec = crate::package::read_spec(rest);
        let schema = pg_name(name);
        self.schema_mut(&schema);
        let report = self.report("PACKAGE", &report_name, Status::Converted);
        self.package_records(&schema, &mut spec, &Default::default(), report);
        let f = self.finding(
            "GW-PLSQL-PACKAGE",
            Severity::Info,
            format!(
                "package {} becomes schema {}: its routines are called as {}.name(…), as in Oracle",
                name.upper(),
                quote_ident(&schema),
                quote_ident(&schema)
            ),
            "nothing to do",
        );
        self.note(report, f);
        for variable in &spec.variables {
            let f = self.finding("GW-PLSQL-PACKAGE-STATE", Severity::Warning, format!("package variable {}.{variable} is kept in the session setting godwit.{schema}__{}: it lasts as long as the session, as in Oracle, but an aborted transaction undoes its changes", name.upper(), variable.to_lowercase()), "check code that relies on a variable keeping its value across a rollback");
            self.note(report, f);
        }
        for (kind, item) in &spec.other {
            let f = self.finding("GW-PLSQL-PACKAGE-DECL", Severity::Warning, format!("package {kind} {}.{item} is not converted yet: routines that use it are not converted", name.upper()), "convert it by hand");
            self.note(report, f);
        }
        self.packages.specs.insert(name.upper(), spec);
    }

    /// A package's record types become composite types in its schema; one whose fields do not all
    /// convert (anchored `%TYPE` to something other than a column or package variable, collections,
    /// unknown types) stays unconverted, with a finding. A record may hold another record of the
    /// package, in any order of declaration, or one of `visible` (a body's records see the spec's).
    fn package_records(
        &mut self,
        schema: &str,
        decls: &mut crate::package::Declarations,
        visible: &BTreeMap<String, Vec<Token>>,
        report: usize,
    ) {
        let mut pending = std::mem::take(&mut decls.records);
        loop {
            let mut failed = std::collections::BTreeMap::new();
            let mut progress = false;
            for (name, fields) in pending {
                match self.record_attributes(schema, &fields, decls, visible) {
                    Ok(attributes) => {
                        let pg = pg_name(&Token {
                            kind: TokenKind::Word,
                            text: name.clone(),
                            line: 0,
                            unterminated: false,
                        });
                        let target = self.schema_mut(schema);
                        target.types.retain(|t| t.name() != pg);
                        target.types.push(UserType::Composite {
                            name: pg,
                            attributes,
                            comment: None,
                        });
                        decls.records.insert(name, fields);
                        progress = true;
                    }
                    Err(why) => {
                        failed.insert(name, (fields, why));
                    }
                }
            }
            if !progress || failed.is_empty() {
                for (name, (fields, why)) in failed {
                    decls.unconverted_records.insert(name.clone(), fields);
                    let f = self.finding("GW-PLSQL-PACKAGE-DECL", Severity::Warning, format!("record type {name} is not converted: {why}; routines that use it are not converted"), "convert it by hand");
                    self.note(report, f);
                    decls.other.push(("type", name));
                }
                return;
            }
            pending = failed.into_iter().map(|(n, (f, _))| (n, f)).collect();
        }
    }

    /// The attributes of a package record type's composite type, or why it cannot have one yet.
    fn record_attributes(
        &self,
        schema: &str,
        fields: &[Token],
        decls: &crate::package::Declarations,
        visible: &BTreeMap<String, Vec<Token>>,
    ) -> Result<Vec<(String, godwit_catalog::DataType)>, String> {
        let mut attributes = Vec::new();
        for field in split_commas(fields) {
            let field = self.resolve_field_type(field, decls);
            let field = &field[..];
            let mut c = Cursor::new(field);
            let Some(field_name) = c.ident() else {
                return Err("a field without a name".to_string());
            };
            let pls_integer = c.peek().is_some_and(crate::types::is_plsql_integer);
            // Another record of this package, converted already.
            let record = c
                .peek()
                .filter(|_| c.peek_at(1).is_none_or(|n| !n.is_symbol(".")))
                .filter(|t| {
                    decls.records.contains_key(&t.upper()) || visible.contains_key(&t.upper())
                })
                .map(|t| godwit_catalog::DataType::plain(format!("{schema}.{}", pg_name(t))));
            // A collection of this package (of scalars): an array of their type.
            let collection = c
                .peek()
                .filter(|_| c.peek_at(1).is_none_or(|n| !n.is_symbol(".")))
                .and_then(|t| decls.collections.get(&t.upper()))
                .filter(|(_, kind)| *kind != crate::collection::Kind::ByText)
                .and_then(|(element, _)| {
                    let mut e = Cursor::new(element);
                    let scalar = if e.peek().is_some_and(crate::types::is_plsql_integer) {
                        Some("integer".to_string())
                    } else {
                        self.pg_type(&mut e)
                            .filter(|t| !t.is_user_type())
                            .map(|t| t.data_type.sql)
                    };
                    scalar.map(|sql| godwit_catalog::DataType::plain(format!("{sql}[]")))
                });
            let converted = if let Some(record) = record {
                c.next();
                Some(record)
            } else if let Some(array) = collection {
                c.next();
                Some(array)
            } else if field.iter().any(|t| t.is_symbol("%")) {
                None
            } else if pls_integer {
                // PL/SQL's integer types, which no column has.
                c.next();
                Some(godwit_catalog::DataType::plain("integer"))
            } else {
                self.pg_type(&mut c)
                    .filter(|t| !t.is_user_type())
                    .map(|t| t.data_type)
            };
            let Some(data_type) = converted else {
                return Err(format!("field {} has a type a composite type cannot hold yet (anchored %TYPE, a collection or another record)", field_name.text));
            };
            if !(c.at_end() || c.is("NOT") || c.is("DEFAULT") || c.is_symbol(":=")) {
                return Err(format!("field {} not understood", field_name.text));
            }
            attributes.push((pg_name(field_name), data_type));
        }
        Ok(attributes)
    }

    /// A record field with its type spelled out: `table.column%TYPE` anchors to a known column,
    /// subtypes of this package or another (`PKG.SUBTYPE`), and `variable%TYPE` anchors to a
    /// package variable (also inside such a subtype) become the types they stand for.
    fn resolve_field_type(
        &self,
        field: &[Token],
        decls: &crate::package::Declarations,
    ) -> Vec<Token> {
        if let [n, table, dot, column, pct, ty] = field {
            if dot.is_symbol(".") && pct.is_symbol("%") && ty.is("TYPE") {
                let table = self.qualified(None, table);
                let column = pg_name(column);
                return match self
                    .catalog
                    .table(&table)
                    .and_then(|t| t.columns.iter().find(|c| c.name == column))
                {
                    Some(c) => {
                        let mut out = vec![n.clone()];
                        out.extend(tokenize(&c.data_type.sql, n.line));
                        out
                    }
                    None => field.to_vec(),
                };
            }
        }
        let mut out = Vec::with_capacity(field.len());
        let mut k = 0;
        while k < field.len() {
            let t = &field[k];
            // PKG.SUBTYPE of another package, then a subtype of this one.
            let other_spec = field.get(k + 1).filter(|d| d.is_symbol(".")).and_then(|_| {
                let name = t.upper();
                self.packages
                    .specs
                    .get(&name)
                    .or_else(|| self.specs_ahead.get(&name))
            });
            if let Some((spec, subtype)) = other_spec.zip(field.get(k + 2)) {
                if let Some(base) = spec.subtypes.get(&subtype.upper()) {
                    out.extend(resolve_variable_anchor(base, spec));
                    k += 3;
                    continue;
                }
            }
            match decls.subtypes.get(&t.upper()) {
                Some(base) => out.extend(resolve_variable_anchor(base, decls)),
                None => out.push(t.clone()),
            }
            k += 1;
        }
        // `name variable%TYPE` of this package.
        match &out[..] {
            [n, _, pct, ty] if pct.is_symbol("%") && ty.is("TYPE") => {
                let mut resolved = vec![n.clone()];
                resolved.extend(resolve_variable_anchor(&out[1..], decls));
                resolved
            }
            _ => out,
        }
    }

    /// `CREATE PACKAGE BODY`: each member routine converted into the package's schema.
    fn package_body(&mut self, tokens: &[Token]) {
        let Some((report_name, name, rest)) = self.head_or_report("PACKAGE BODY", tokens) else {
            return;
        };
        let package = name.upper();
        let schema = pg_name(name);
        let body = match crate::package::split_body(rest) {
            Ok(body) => body,
            Err(reason) => {
                return self.not_converted(
                    "PACKAGE BODY",
                    &report_name,
                    "GW-PLSQL-NOT-YET",
                    format!("package body {package}: {reason}"),
                    "convert it by hand",
                );
            }
        };
        let mut own = self
            .packages
            .specs
            .get(&package)
            .cloned()
            .unwrap_or_default();
        let mut declarations = body.declarations.clone();
        let body_report = self.report("PACKAGE BODY", &report_name, Status::Converted);
        self.schema_mut(&schema);
        self.package_records(&schema, &mut declarations, &own.records, body_report);
        own.merge(&declarations);
        // INDEX BY tables whose single elements the body deletes are sparse: documents.
        let by_integer: std::collections::BTreeSet<String> = own
            .variables
            .iter()
            .filter(|v| match own.declared_types.get(*v).map(Vec::as_slice) {
                Some([t]) => own
                    .collections
                    .get(&t.upper())
                    .is_some_and(|(_, kind)| *kind == crate::collection::Kind::ByInteger),
                _ => false,
            })
            .cloned()
            .collect();
        own.sparse_variables = crate::package::deleted_by_element(rest, &by_integer);
        // A package variable of a collection type that nothing assigns is an empty collection: a
        // constant (logger's gc_empty_tab_param, used as a default).
        let empty_collections: Vec<(String, Token)> = own
            .variables
            .iter()
            .filter(|v| !own.initial_values.contains_key(*v))
            .filter_map(|v| match own.declared_types.get(v).map(Vec::as_slice) {
                Some([t]) if own.collections.contains_key(&t.upper()) => {
                    Some((v.clone(), t.clone()))
                }
                _ => None,
            })
            .filter(|(v, _)| !crate::package::assigned(rest, v))
            .collect();
        for (variable, collection_type) in empty_collections {
            own.variables.remove(&variable);
            let line = collection_type.line;
            let mut value = vec![collection_type];
            value.extend(tokenize("()", line));
            own.constants.insert(variable, value);
        }
        // The package's exceptions (spec and body) are in scope in every member.
        let exceptions: std::collections::BTreeMap<String, String> = own
            .other
            .iter()
            .filter(|(kind, _)| *kind == "exception")
            .map(|(_, name)| {
                let state = own
                    .exception_codes
                    .get(name)
                    .and_then(|code| crate::plsql::sqlstate_of_oracle_code(*code))
                    .unwrap_or_else(|| {
                        crate::plsql::sqlstate_of_exception(&format!("{package}.{name}"))
                    });
                (name.clone(), state)
            })
            .collect();
        own.other.retain(|(kind, _)| *kind != "exception");
        // Collections of the package's records hold its composite types.
        for (element, _) in own.collections.values_mut() {
            if let [t] = element.as_slice() {
                if own.records.contains_key(&t.upper()) {
                    *element = tokenize(&format!("{schema}.{}", pg_name(t)), t.line);
                }
            }
        }
        let mut collections = self.schema_collections.clone();
        collections.extend(crate::collection::oracle_supplied());
        collections.extend(own.collections.clone());
        // Other packages' collection types, by their qualified name (`PKG.T`), their records'
        // elements as those packages' composite types.
        for (other, spec) in &self.packages.specs {
            if *other == package {
                continue;
            }
            let other_schema = pg_name(&Token {
                kind: TokenKind::Word,
                text: other.clone(),
                line: 0,
                unterminated: false,
            });
            for (name, (element, kind)) in &spec.collections {
                let element = match element.as_slice() {
                    [t] if spec.records.contains_key(&t.upper()) => {
                        tokenize(&format!("{other_schema}.{}", pg_name(t)), t.line)
                    }
                    _ => element.clone(),
                };
                collections.insert(format!("{other}.{name}"), (element, *kind));
            }
        }
        let context = crate::plsql::UnitContext {
            collections,
            exceptions,
            domains: self.schema_domains.clone(),
            records: Default::default(),
            object_methods: self.object_methods.clone(),
        };
        for member in &body.members {
            if member.kind == crate::plsql::UnitKind::Function
                && crate::package::callable_without_arguments(member.tokens)
            {
                own.parameterless_functions.insert(member.name.clone());
            }
        }
        // The body's own variables with a computed initial value (a call, another name) get it in
        // the package's initialization (below), first and in the order declared, as Oracle
        // evaluates them on the package's first use in a session.
        let mut computed: Vec<(&String, &Vec<Token>)> = body
            .declarations
            .initial_values
            .iter()
            .filter(|(v, init)| {
                body.declarations.variables.contains(*v)
                    && !crate::package::constant_initial_value(init, &own.collections)
            })
            .collect();
        computed.sort_by_key(|(_, init)| init.first().map(|t| t.line));
        let mut initialization: Vec<Token> = Vec::new();
        for (variable, value) in computed {
            let line = value.first().map_or(0, |t| t.line);
            initialization.extend(tokenize(&format!("{} :=", variable.to_lowercase()), line));
            initialization.extend(value.iter().cloned());
            initialization.extend(tokenize(";", line));
            own.initial_values.remove(variable);
        }
        initialization.extend(body.initialization.unwrap_or_default().iter().cloned());
        self.packages.specs.entry(package.clone()).or_default();
        let siblings: std::collections::BTreeSet<String> =
            body.members.iter().map(|m| m.name.clone()).collect();
        let (statement_line, statement_source) = (self.line, self.source.clone());
        // A member's tokens prepared (constants, siblings, package variables) and converted into the
        // package's schema.
        let convert_member = |this: &Self,
                              kind: crate::plsql::UnitKind,
                              tokens: &[Token],
                              rw: &mut Rewrite|
         -> Result<crate::plsql::Unit, String> {
            let prepared = this
                .packages
                .prepare_member(&package, &own, &siblings, tokens)?;
            let qualify = |_: Option<&Token>, n: &Token| QualifiedName::new(&schema, pg_name(n));
            let type_of = |c: &mut Cursor| this.plsql_type(c);
            crate::plsql::convert_unit(kind, &prepared, rw, &qualify, &type_of, &context)
        };
        // The initialization section: a procedure <package>.godwit_initialize that every member
        // calls first, once per session (a session setting remembers it ran), as Oracle runs it on
        // the package's first use in a session.
        let mut initialize: Option<String> = None;
        if let Some(init) = Some(&initialization[..]).filter(|i| !i.is_empty()) {
            let line = init[0].line;
            let mut tokens = tokenize("godwit_initialize IS BEGIN", line);
            tokens.extend(init.iter().cloned());
            tokens.extend(tokenize("END;", line));
            let mut rw = self.rewriter();
            let unit = convert_member(self, crate::plsql::UnitKind::Procedure, &tokens, &mut rw);
            self.helpers.extend(rw.helpers.iter().copied());
            let finding = match unit {
                Ok(unit) => {
                    self.helpers.insert("pkg_get");
                    self.add_routines(&unit);
                    initialize = Some(schema.clone());
                    self.finding("GW-PLSQL-PACKAGE-INIT", Severity::Info, format!("the initialization section of package body {package} became {}.godwit_initialize, which each member calls first, once per session", quote_ident(&schema)), "none")
                }
                Err(reason) => self.finding("GW-PLSQL-PACKAGE-INIT", Severity::Warning, format!("the initialization section of package body {package} (run once per session in Oracle) is not converted: {reason}"), "run its statements where the session starts, or convert it by hand"),
            };
            let mut finding = finding;
            finding.line = line;
            self.objects[body_report].findings.push(finding);
        }
        let mut converted = 0;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut signatures: BTreeMap<(String, String), String> = BTreeMap::new();
        for member in &body.members {
            // Overloads keep one report entry each: the second is "name (overload 2)".
            let occurrence = {
                let n = seen.entry(member.name.clone()).or_default();
                *n += 1;
                *n
            };
            let keyword = if member.kind == crate::plsql::UnitKind::Procedure {
                "PROCEDURE"
            } else {
                "FUNCTION"
            };
            let last_line = member.tokens.last().map_or(member.line, |t| t.line);
            self.line = member.line;
            self.source = statement_source
                .lines()
                .skip(member.line.saturating_sub(statement_line) as usize)
                .take((last_line - member.line + 1) as usize)
                .collect::<Vec<_>>()
                .join("\n");
            let member_name = QualifiedName::new(
                &schema,
                match occurrence {
                    1 => pg_name(&member.tokens[0]),
                    n => format!("{} (overload {n})", pg_name(&member.tokens[0])),
                },
            );
            let with_initialization;
            let member_tokens = match &initialize {
                Some(schema) => {
                    with_initialization = initialization_first(member.tokens, schema);
                    &with_initialization[..]
                }
                None => member.tokens,
            };
            let mut rw = self.rewriter();
            let result = convert_member(self, member.kind, member_tokens, &mut rw);
            self.helpers.extend(rw.helpers.iter().copied());
            // Two Oracle overloads whose PostgreSQL signatures are the same (NUMBER and INTEGER
            // are both numeric): the first one is kept, the later one is reported.
            let result = result.and_then(|unit| {
                let signature = (unit.name.to_string(), postgres_signature(&unit.arguments));
                match signatures.get(&signature) {
                    Some(first) => Err(format!(
                        "its PostgreSQL signature {}({}) is the same as that of {first}, which is kept",
                        unit.name, signature.1
                    )),
                    None => {
                        signatures.insert(signature, member_name.to_string());
                        Ok(unit)
                    }
                }
            });
            match result {
                Ok(unit) => {
                    converted += 1;
                    if unit.definition.contains("godwit_compat.pkg_") {
                        self.helpers.insert("pkg_get");
                    }
                    if unit.definition.contains("godwit_compat.doc_") {
                        self.helpers.insert("doc");
                    }
                    let report = self.report(keyword, &member_name, Status::Converted);
                    self.note_rewrite(report, &rw.notes);
                    let f = self.finding("GW-PLSQL-CONVERTED", Severity::Info, format!("{keyword} {package}.{} converted to PL/pgSQL in schema {}; its behaviour is not yet checked against Oracle's", member.name, quote_ident(&schema)), "test it");
                    self.note(report, f);
                    self.add_routines(&unit);
                }
                Err(reason) => {
                    self.not_converted(
                        keyword,
                        &member_name,
                        "GW-PLSQL-NOT-YET",
                        format!("{keyword} {package}.{}: {reason}", member.name),
                        "convert it by hand, or wait for the next PL/SQL rules",
                    );
                    let f = self.finding(
                        "GW-PLSQL-MEMBER",
                        Severity::Warning,
                        format!("{keyword} {} is not converted: {reason}", member.name),
                        "see its own entry in the report",
                    );
                    self.objects[body_report].findings.push(f);
                }
            }
        }
        self.line = statement_line;
        self.source = statement_source;
        let all = body.members.len();
        let report = &mut self.objects[body_report];
        report.status = if all > 0 && converted == 0 {
            Status::NotConverted
        } else if report
            .findings
            .iter()
            .any(|f| f.severity >= Severity::Warning)
        {
            Status::ConvertedWithFindings
        } else {
            Status::Converted
        };
    }

    /// A PL/SQL type: an Oracle type, or an anchored `table.column%TYPE` / `table%ROWTYPE`.
    fn plsql_type(&self, c: &mut Cursor) -> Option<String> {
        let mut k = 0;
        let mut parts = Vec::new();
        while let Some(t) = c
            .peek_at(k)
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
        {
            parts.push(pg_name(t));
            if c.peek_at(k + 1).is_some_and(|t| t.is_symbol(".")) {
                k += 2;
            } else {
                k += 1;
                break;
            }
        }
        if c.peek_at(k).is_some_and(|t| t.is_symbol("%"))
            && c.peek_at(k + 1)
                .is_some_and(|t| t.is("TYPE") || t.is("ROWTYPE"))
        {
            let anchor = c.peek_at(k + 1).map(|t| t.upper()).unwrap_or_default();
            // table.column%TYPE on a table the input defines: the column must exist.
            if anchor == "TYPE" && (2..=3).contains(&parts.len()) {
                let (schema, table) = if parts.len() == 3 {
                    (parts[0].clone(), parts[1].clone())
                } else {
                    (self.options.default_schema.clone(), parts[0].clone())
                };
                let column = &parts[parts.len() - 1];
                if let Some(t) = self.catalog.table(&QualifiedName::new(&schema, &table)) {
                    if !t.columns.iter().any(|col| &col.name == column) {
                        return None;
                    }
                }
            }
            c.pos += k + 2;
            return Some(format!(
                "{}%{anchor}",
                parts
                    .iter()
                    .map(|p| quote_ident(p))
                    .collect::<Vec<_>>()
                    .join(".")
            ));
        }
        if c.is("SYS_REFCURSOR") {
            c.next();
            return Some("refcursor".into());
        }
        // A BFILE is {directory, file name} and a UTL_FILE handle the id of an open file: see the
        // `files` helpers.
        if c.is("BFILE") {
            c.next();
            return Some("text[]".into());
        }
        if c.is("UTL_FILE")
            && c.peek_at(1).is_some_and(|t| t.is_symbol("."))
            && c.peek_at(2).is_some_and(|t| t.is("FILE_TYPE"))
        {
            c.pos += 3;
            return Some("integer".into());
        }
        // DBMS_SQL's column description (see the `dbms_sql` helpers).
        if c.is("DBMS_SQL")
            && c.peek_at(1).is_some_and(|t| t.is_symbol("."))
            && c.peek_at(2)
                .is_some_and(|t| t.is("DESC_REC") || t.is("DESC_REC2"))
        {
            c.pos += 3;
            return Some(format!("{}.dbms_sql_desc_rec", crate::compat::SCHEMA));
        }
        if c.peek().is_some_and(crate::types::is_plsql_integer) {
            c.next();
            return Some("integer".into());
        }
        let converted = self.pg_type(c)?;
        if converted.is_user_type() {
            // Only types the input creates: an Oracle-supplied type (SDO_GEOMETRY, …) does not exist.
            let name = &converted.data_type.name;
            let known = self.catalog.schemas.iter().any(|s| {
                s.types
                    .iter()
                    .any(|t| QualifiedName::new(&s.name, t.name()).to_string() == *name)
            });
            if !known {
                return None;
            }
        }
        Some(converted.data_type.sql)
    }

    fn disable_trigger(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(&tokens[2..]);
        let Some((_, name)) = c.qualified() else {
            return;
        };
        let name = pg_name(name);
        for table in self
            .catalog
            .schemas
            .iter_mut()
            .flat_map(|s| s.tables.iter_mut())
        {
            for trigger in table.triggers.iter_mut().filter(|t| t.name == name) {
                trigger.enabled = false;
            }
        }
    }

    // ----- tables -----

    fn create_table(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(tokens);
        c.eat("CREATE");
        let mut temporary = false;
        while !c.is("TABLE") && !c.at_end() {
            if c.is("GLOBAL") || c.is("PRIVATE") {
                temporary = true;
            }
            c.next();
        }
        c.eat("TABLE");
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        let Some((schema, name_token)) = c.qualified() else {
            let name = QualifiedName::new(&self.options.default_schema, "?");
            return self.not_converted(
                "TABLE",
                &name,
                "GW-PARSE",
                "CREATE TABLE without a table name".into(),
                "check the statement",
            );
        };
        let name = self.qualified(schema, name_token);
        let report = self.report("TABLE", &name, Status::Converted);
        if shorten(&name_token.text).1 {
            let f = self.finding(
                "GW-NAME-SHORTENED",
                Severity::Warning,
                format!("table name longer than 63 bytes shortened to {}", name.name),
                "rename it if the short name is unclear",
            );
            self.note(report, f);
        }
        if c.is("OF") {
            self.reject(
                report,
                "GW-TABLE-OBJECT",
                format!("object table {name} (OF type) is not converted"),
                "create it as a regular table of the type's attributes",
            );
            return;
        }
        let Some(body) = c.group() else {
            self.reject(report, "GW-TABLE-AS-SELECT", format!("table {name} is created from a query (CREATE TABLE … AS SELECT), which is not converted yet"), "create the table and load it with INSERT … SELECT");
            return;
        };
        let mut table = Table::new(&name.name);
        for part in split_commas(body) {
            if part.is_empty() {
                continue;
            }
            self.focus_line = Some(part[0].line);
            if is_constraint_start(&part[0]) {
                if let Some(con) = self.constraint(part, &name, report, &table) {
                    table.constraints.push(con);
                }
            } else {
                self.column(part, &name, report, &mut table);
            }
            self.focus_line = None;
        }
        // Table properties after the column list.
        let rest = c.rest();
        let upper: Vec<String> = rest.iter().map(|t| t.upper()).collect();
        if temporary {
            let f = self.finding("GW-TABLE-GLOBAL-TEMPORARY", Severity::Warning, format!("global temporary table {name} became a regular table: PostgreSQL temporary tables exist per session and are created at run time"), "create it as TEMPORARY in the sessions that use it, or keep it as a regular table and empty it yourself");
            self.note(report, f);
        }
        if upper
            .windows(2)
            .any(|w| w[0] == "ORGANIZATION" && w[1] == "INDEX")
        {
            let f = self.finding(
                "GW-TABLE-IOT",
                Severity::Info,
                format!(
                    "index-organized table {name} became a heap table with its primary key index"
                ),
                "CLUSTER the table on its primary key after loading if scans by key matter",
            );
            self.note(report, f);
        }
        let partitions = match upper
            .windows(2)
            .position(|w| w[0] == "PARTITION" && w[1] == "BY")
        {
            Some(at) => self.partitions(&rest[at + 2..], &name, report, &table),
            None => Vec::new(),
        };
        if upper
            .windows(2)
            .any(|w| w[0] == "ORGANIZATION" && w[1] == "EXTERNAL")
        {
            self.reject(
                report,
                "GW-TABLE-EXTERNAL",
                format!("external table {name} is not converted"),
                "use file_fdw or load the file with COPY",
            );
            return;
        }
        if let Some(first) = partitions.first() {
            table.partitioning = first.1.clone();
        }
        let schema_name = name.schema.clone();
        let schema = self.schema_mut(&schema_name);
        schema.tables.retain(|t| t.name != table.name);
        schema.tables.push(table);
        for (child, _) in partitions {
            schema.tables.retain(|t| t.name != child.name);
            schema.tables.push(child);
        }
    }

    /// `PARTITION BY RANGE|LIST|HASH (key) [INTERVAL (…)] (PARTITION p VALUES …, …)` into declarative
    /// partitions: the returned tables are the partitions, each paired with the parent's partitioning
    /// (the same for all). Empty when the table stays unpartitioned (with a finding saying why).
    fn partitions(
        &mut self,
        tokens: &[Token],
        table: &QualifiedName,
        report: usize,
        parent: &Table,
    ) -> Vec<(Table, Option<Partitioning>)> {
        let mut c = Cursor::new(tokens);
        let strategy = if c.eat("RANGE") {
            PartitionStrategy::Range
        } else if c.eat("LIST") {
            PartitionStrategy::List
        } else if c.eat("HASH") {
            PartitionStrategy::Hash
        } else {
            let f = self.finding("GW-TABLE-PARTITIONS", Severity::Warning, format!("partitioning of {table} (reference or system) is not converted; the table is created unpartitioned"), "add declarative partitions by hand if needed");
            self.note(report, f);
            return Vec::new();
        };
        let key: Vec<String> = c
            .group()
            .map(|g| {
                split_commas(g)
                    .iter()
                    .filter_map(|p| p.first())
                    .map(pg_name)
                    .collect()
            })
            .unwrap_or_default();
        // PostgreSQL needs the partition key in every primary key and unique constraint.
        let uncovered = parent.constraints.iter().find(|con| match &con.kind {
            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns, .. } => {
                !key.iter().all(|k| columns.contains(k))
            }
            _ => false,
        });
        if let Some(con) = uncovered {
            let f = self.finding("GW-TABLE-PARTITION-KEY", Severity::Warning, format!("{table} is created unpartitioned: its key {} does not include the partition key ({}), which PostgreSQL requires", con.name, key.join(", ")), "add the partition key to the key, then partition the table");
            self.note(report, f);
            return Vec::new();
        }
        let interval = c.eat("INTERVAL") && c.group().is_some();
        if c.eat("SUBPARTITION") {
            let f = self.finding(
                "GW-TABLE-SUBPARTITIONS",
                Severity::Warning,
                format!(
                    "subpartitions of {table} are not converted; its partitions are not subdivided"
                ),
                "subpartition by hand if needed",
            );
            self.note(report, f);
            while !c.at_end() && !c.is_symbol("(") && !c.is("PARTITIONS") {
                c.next();
            }
        }
        let partitioning = Some(Partitioning {
            strategy,
            key: format!(
                "({})",
                key.iter()
                    .map(|k| quote_ident(k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        let child = |name: String, bound: String| {
            let mut t = Table::new(name);
            t.partition_of = Some(PartitionOf {
                parent: table.clone(),
                bound,
            });
            (t, partitioning.clone())
        };
        let mut out = Vec::new();
        if c.eat("PARTITIONS") {
            let n: u32 = c.next().and_then(|t| t.text.parse().ok()).unwrap_or(0);
            for i in 0..n {
                out.push(child(
                    format!("{}_p{}", table.name, i + 1),
                    format!("FOR VALUES WITH (MODULUS {n}, REMAINDER {i})"),
                ));
            }
            return out;
        }
        let Some(list) = c.group() else {
            return Vec::new();
        };
        let parts = split_commas(list);
        let count = parts.len();
        let mut lower: Option<String> = None;
        for (i, part) in parts.into_iter().enumerate() {
            let mut pc = Cursor::new(part);
            pc.eat("PARTITION");
            let pname = match pc.ident() {
                Some(t) if !t.is("VALUES") => pg_name(t),
                _ => format!("{}_p{}", table.name, i + 1),
            };
            let bound = match strategy {
                PartitionStrategy::Range => {
                    if !(pc.eat("VALUES") && pc.eat_all(&["LESS", "THAN"])) {
                        return Vec::new();
                    }
                    let values = pc.group().unwrap_or(&[]);
                    let upper: Vec<String> = split_commas(values)
                        .iter()
                        .map(|v| {
                            if v.len() == 1 && v[0].is("MAXVALUE") {
                                "MAXVALUE".to_string()
                            } else {
                                self.bound_value(v, report)
                            }
                        })
                        .collect();
                    let from = lower
                        .clone()
                        .unwrap_or_else(|| vec!["MINVALUE"; upper.len()].join(", "));
                    let to = upper.join(", ");
                    lower = Some(to.clone());
                    format!("FOR VALUES FROM ({from}) TO ({to})")
                }
                PartitionStrategy::List => {
                    pc.eat("VALUES");
                    let values = pc.group().unwrap_or(&[]);
                    if values.len() == 1 && values[0].is("DEFAULT") {
                        "DEFAULT".to_string()
                    } else {
                        format!(
                            "FOR VALUES IN ({})",
                            split_commas(values)
                                .iter()
                                .map(|v| self.bound_value(v, report))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                }
                PartitionStrategy::Hash => {
                    format!("FOR VALUES WITH (MODULUS {count}, REMAINDER {i})")
                }
            };
            out.push(child(pname, bound));
        }
        if interval {
            out.push(child(format!("{}_default", table.name), "DEFAULT".into()));
            let f = self.finding("GW-TABLE-INTERVAL", Severity::Warning, format!("interval partitioning of {table}: the listed partitions are created, plus a DEFAULT partition for later rows; PostgreSQL does not create partitions by itself"), "create future partitions ahead of time (e.g. with pg_partman)");
            self.note(report, f);
        }
        let f = self.finding(
            "GW-TABLE-PARTITIONED",
            Severity::Info,
            format!(
                "{table} is partitioned by {:?} into {} partitions",
                strategy,
                out.len()
            )
            .to_lowercase(),
            "none",
        );
        self.note(report, f);
        out
    }

    fn bound_value(&mut self, tokens: &[Token], report: usize) -> String {
        let mut rw = self.rewriter();
        let sql = rw.sql(tokens);
        self.rewrite_findings(report, &rw, "partition bound");
        sql
    }

    fn column(&mut self, part: &[Token], table: &QualifiedName, report: usize, out: &mut Table) {
        let mut c = Cursor::new(part);
        let Some(name_token) = c.ident() else { return };
        let name = pg_name(name_token);
        let mut spelling = String::new();
        let virtual_without_type = c.is("GENERATED") || c.is("AS");
        let data_type = if virtual_without_type {
            let f = self.finding(
                "GW-COLUMN-VIRTUAL-TYPE",
                Severity::Warning,
                format!("virtual column {table}.{name} has no declared type; numeric assumed"),
                "declare the type",
            );
            self.note(report, f);
            DataType::plain("numeric")
        } else {
            match self.pg_type(&mut c) {
                Some(t) => {
                    spelling = t.spelling.clone();
                    if let Some((id, message)) = t.note {
                        let severity = if id == "GW-TYPE-USER" {
                            Severity::Warning
                        } else {
                            Severity::Info
                        };
                        let f = self.finding(
                            id,
                            severity,
                            format!("{table}.{name}: {message}"),
                            "check the column type",
                        );
                        self.note(report, f);
                    }
                    t.data_type
                }
                None => {
                    let f = self.finding(
                        "GW-PARSE",
                        Severity::Error,
                        format!("column {table}.{name}: type not understood"),
                        "check the column definition",
                    );
                    self.note(report, f);
                    return;
                }
            }
        };
        let data_type =
            match self
                .options
                .rules
                .type_for(&table.schema, &table.name, &name, &spelling)
            {
                Some((pg_type, rule)) => {
                    let f = self.finding(
                        "GW-TYPE-RULE",
                        Severity::Info,
                        format!("{table}.{name}: {spelling} became {pg_type} by rule {rule}"),
                        "none",
                    );
                    self.note(report, f);
                    DataType::plain(pg_type)
                }
                None => data_type,
            };
        let mut column = Column {
            name: name.clone(),
            data_type,
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        };
        let mut pending_name: Option<String> = None;
        while !c.at_end() {
            if c.eat("DEFAULT") {
                let on_null = c.eat_all(&["ON", "NULL"]);
                if c.is("NULL") && c.peek_at(1).is_none_or(is_column_attribute_start) {
                    // DEFAULT NULL is no default.
                    c.next();
                    continue;
                }
                let expr = c.until(is_column_attribute_start);
                let mut rw = self.rewriter();
                let sql = rw.sql(expr);
                self.rewrite_findings(report, &rw, &format!("default of {table}.{name}"));
                if on_null {
                    let f = self.finding("GW-DEFAULT-ON-NULL", Severity::Warning, format!("{table}.{name}: DEFAULT ON NULL became a plain DEFAULT: an explicit NULL is no longer replaced"), "make inserts omit the column, or add a trigger");
                    self.note(report, f);
                }
                if rw.blocking.is_empty() {
                    column.default = Some(sql);
                }
            } else if c.is("GENERATED") || c.is("AS") {
                let always =
                    c.eat("GENERATED") && (c.eat("ALWAYS") || !c.eat_all(&["BY", "DEFAULT"]));
                let on_null = c.eat_all(&["ON", "NULL"]);
                c.eat("AS");
                if c.eat("IDENTITY") {
                    let options = c
                        .group()
                        .map(|g| self.sequence_options(g, report))
                        .unwrap_or_else(|| default_sequence(1));
                    if on_null {
                        let f = self.finding("GW-IDENTITY-ON-NULL", Severity::Info, format!("{table}.{name}: identity ON NULL became GENERATED BY DEFAULT (an explicit NULL is rejected by the NOT NULL instead of replaced)"), "omit the column in inserts");
                        self.note(report, f);
                    }
                    column.identity = Some(Identity {
                        always,
                        options: SequenceOptions {
                            data_type: identity_type(&column.data_type),
                            ..options
                        },
                        last_value: None,
                    });
                    column.nullable = false;
                    if !matches!(
                        column.data_type.sql.as_str(),
                        "smallint" | "integer" | "bigint"
                    ) {
                        column.data_type = DataType {
                            sql: "bigint".into(),
                            name: "bigint".into(),
                            ..Default::default()
                        };
                    }
                } else if let Some(expr) = c.group() {
                    let mut rw = self.rewriter();
                    let sql = rw.sql(expr);
                    self.rewrite_findings(report, &rw, &format!("virtual column {table}.{name}"));
                    c.eat("VIRTUAL");
                    if rw.blocking.is_empty() {
                        column.generated = Some(sql);
                        let f = self.finding(
                            "GW-COLUMN-VIRTUAL",
                            Severity::Info,
                            format!(
                                "virtual column {table}.{name} became a stored generated column"
                            ),
                            "none needed unless the expression is not immutable",
                        );
                        self.note(report, f);
                    }
                }
            } else if c.eat("CONSTRAINT") {
                pending_name = c.ident().map(pg_name);
            } else if c.eat_all(&["NOT", "NULL"]) {
                column.nullable = false;
                let state = constraint_state(&mut c);
                if state.disabled {
                    column.nullable = true;
                    let f = self.finding("GW-CONSTRAINT-DISABLED", Severity::Warning, format!("disabled NOT NULL on {table}.{name} left out (Oracle does not enforce it either)"), "add it once the data is clean");
                    self.note(report, f);
                }
                pending_name = None;
            } else if c.eat("NULL") {
                constraint_state(&mut c);
                pending_name = None;
            } else if c.is("PRIMARY") || c.is("UNIQUE") || c.is("REFERENCES") || c.is("CHECK") {
                let rest = c.until(|t| t.is("CONSTRAINT") || (t.is("NOT")) || t.is("DEFAULT"));
                let mut tokens_for: Vec<Token> = Vec::new();
                if rest
                    .first()
                    .is_some_and(|t| t.is("PRIMARY") || t.is("UNIQUE"))
                {
                    // Inline key on this column: PRIMARY KEY / UNIQUE (column).
                    let (kw, tail) = if rest[0].is("PRIMARY") {
                        (2, &rest[2.min(rest.len())..])
                    } else {
                        (1, &rest[1..])
                    };
                    tokens_for.extend(rest[..kw].iter().cloned());
                    tokens_for.extend(paren_list(name_token, rest[0].line));
                    tokens_for.extend(tail.iter().cloned());
                } else if rest.first().is_some_and(|t| t.is("REFERENCES")) {
                    tokens_for.push(Token {
                        kind: TokenKind::Word,
                        text: "FOREIGN".into(),
                        line: rest[0].line,
                        unterminated: false,
                    });
                    tokens_for.push(Token {
                        kind: TokenKind::Word,
                        text: "KEY".into(),
                        line: rest[0].line,
                        unterminated: false,
                    });
                    tokens_for.extend(paren_list(name_token, rest[0].line));
                    tokens_for.extend(rest.iter().cloned());
                } else {
                    tokens_for.extend(rest.iter().cloned());
                }
                if let Some(name) = pending_name.take() {
                    let mut named = vec![
                        Token {
                            kind: TokenKind::Word,
                            text: "CONSTRAINT".into(),
                            line: 0,
                            unterminated: false,
                        },
                        Token {
                            kind: TokenKind::QuotedIdent,
                            text: format!("\"{name}\""),
                            line: 0,
                            unterminated: false,
                        },
                    ];
                    named.extend(tokens_for);
                    tokens_for = named;
                }
                if let Some(con) = self.constraint(&tokens_for, table, report, out) {
                    out.constraints.push(con);
                }
            } else if c.eat("COLLATE") {
                c.ident();
                let f = self.finding(
                    "GW-COLUMN-COLLATION",
                    Severity::Warning,
                    format!("collation of {table}.{name} dropped"),
                    "choose a PostgreSQL collation",
                );
                self.note(report, f);
            } else {
                // SORT, VISIBLE, INVISIBLE, ENCRYPT …: no PostgreSQL meaning.
                c.next();
            }
        }
        out.columns.push(column);
    }

    fn rewrite_findings(&mut self, report: usize, rw: &Rewrite, what: &str) {
        self.helpers.extend(rw.helpers.iter().copied());
        for (id, message) in &rw.blocking {
            let f = self.finding(
                id,
                Severity::Error,
                format!("{what}: {message}"),
                "rewrite it by hand",
            );
            self.note(report, f);
        }
        for (id, message) in &rw.notes {
            let f = self.finding(
                id,
                Severity::Warning,
                format!("{what}: {message}"),
                "check the result",
            );
            self.note(report, f);
        }
    }

    /// Parses an out-of-line constraint (`[CONSTRAINT name] PRIMARY KEY (…)`, …) with its state.
    fn constraint(
        &mut self,
        tokens: &[Token],
        table: &QualifiedName,
        report: usize,
        out: &Table,
    ) -> Option<Constraint> {
        let mut c = Cursor::new(tokens);
        let explicit = if c.eat("CONSTRAINT") {
            c.ident().map(pg_name)
        } else {
            None
        };
        let columns_of = |g: Option<&[Token]>| -> Vec<String> {
            g.map(|g| {
                split_commas(g)
                    .iter()
                    .filter_map(|p| p.first())
                    .map(pg_name)
                    .collect()
            })
            .unwrap_or_default()
        };
        let kind = if c.eat_all(&["PRIMARY", "KEY"]) {
            ConstraintKind::PrimaryKey {
                columns: columns_of(c.group()),
            }
        } else if c.eat("UNIQUE") {
            ConstraintKind::Unique {
                columns: columns_of(c.group()),
                nulls_not_distinct: false,
            }
        } else if c.eat_all(&["FOREIGN", "KEY"]) {
            let columns = columns_of(c.group());
            c.eat("REFERENCES");
            let (schema, target) = c.qualified()?;
            let referenced_table = self.qualified(schema, target);
            let referenced_columns = columns_of(c.group());
            let mut on_delete = ForeignKeyAction::NoAction;
            if c.eat_all(&["ON", "DELETE"]) {
                on_delete = if c.eat("CASCADE") {
                    ForeignKeyAction::Cascade
                } else if c.eat_all(&["SET", "NULL"]) {
                    ForeignKeyAction::SetNull
                } else {
                    ForeignKeyAction::NoAction
                };
            }
            ConstraintKind::ForeignKey {
                columns,
                referenced_table,
                referenced_columns,
                on_update: ForeignKeyAction::NoAction,
                on_delete,
                match_type: ForeignKeyMatch::Simple,
            }
        } else if c.eat("CHECK") {
            let expr = c.group().unwrap_or(&[]);
            // `column IS JSON`: PostgreSQL 15 has no IS JSON; a cast to jsonb checks the same.
            if expr.len() >= 3 && expr[1].is("IS") && expr[2].is("JSON") && expr.len() <= 4 {
                let column = pg_name(&expr[0]);
                let is_bytes = out
                    .columns
                    .iter()
                    .find(|x| x.name == column)
                    .is_some_and(|x| x.data_type.sql == "bytea");
                let value = if is_bytes {
                    format!("convert_from({}, 'UTF8')", quote_ident(&column))
                } else {
                    quote_ident(&column)
                };
                let f = self.finding("GW-CHECK-IS-JSON", Severity::Info, format!("check {column} IS JSON on {table} became a cast to jsonb (invalid JSON is rejected with a cast error)"), "consider a jsonb column");
                self.note(report, f);
                let expression = format!(
                    "({} IS NULL OR ({value})::jsonb IS NOT NULL)",
                    quote_ident(&column)
                );
                let state = constraint_state(&mut c);
                let name = explicit.unwrap_or_else(|| {
                    default_constraint_name(
                        table,
                        &ConstraintKind::Check {
                            expression: String::new(),
                            no_inherit: false,
                        },
                        out,
                    )
                });
                return (!state.disabled).then_some(Constraint {
                    name,
                    kind: ConstraintKind::Check {
                        expression,
                        no_inherit: false,
                    },
                    deferrable: false,
                    initially_deferred: false,
                    validated: !state.novalidate,
                    comment: None,
                });
            }
            let mut rw = self.rewriter();
            let sql = rw.sql(expr);
            self.rewrite_findings(report, &rw, &format!("check constraint on {table}"));
            if !rw.blocking.is_empty() {
                return None;
            }
            ConstraintKind::Check {
                expression: sql,
                no_inherit: false,
            }
        } else {
            let f = self.finding(
                "GW-PARSE",
                Severity::Error,
                format!(
                    "constraint on {table} not understood: {}",
                    tokens
                        .iter()
                        .take(6)
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                "convert it by hand",
            );
            self.note(report, f);
            return None;
        };
        let state = constraint_state(&mut c);
        let name = explicit.unwrap_or_else(|| default_constraint_name(table, &kind, out));
        if state.disabled {
            let f = self.finding(
                "GW-CONSTRAINT-DISABLED",
                Severity::Warning,
                format!("constraint {name} on {table} is DISABLED in Oracle; left out"),
                "add it once the data satisfies it",
            );
            self.note(report, f);
            return None;
        }
        let mut validated = true;
        if state.novalidate {
            match kind {
                ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
                    validated = false;
                    let f = self.finding(
                        "GW-CONSTRAINT-NOVALIDATE",
                        Severity::Info,
                        format!(
                            "constraint {name} on {table} is ENABLE NOVALIDATE: created NOT VALID"
                        ),
                        "VALIDATE CONSTRAINT once the data is clean",
                    );
                    self.note(report, f);
                }
                _ => {
                    let f = self.finding("GW-CONSTRAINT-NOVALIDATE", Severity::Warning, format!("key {name} on {table} is NOVALIDATE in Oracle; PostgreSQL validates keys, so existing duplicates will fail it"), "clean duplicates before the key is added");
                    self.note(report, f);
                }
            }
        }
        Some(Constraint {
            name,
            kind,
            deferrable: state.deferrable,
            initially_deferred: state.initially_deferred,
            validated,
            comment: None,
        })
    }

    fn alter_table(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(tokens);
        c.eat("ALTER");
        c.eat("TABLE");
        let Some((schema, name_token)) = c.qualified() else {
            return;
        };
        let name = self.qualified(schema, name_token);
        let Some(&report) = self.index.get(&("TABLE".to_string(), name.to_string())) else {
            let label = QualifiedName::new(&name.schema, format!("{} (ALTER)", name.name));
            return self.not_converted(
                "STATEMENT",
                &label,
                "GW-ALTER-UNKNOWN-TABLE",
                format!("ALTER TABLE {name}: the table is not defined in the input"),
                "include the table's DDL in the input",
            );
        };
        self.add_source(report);
        let Some(mut table) = self
            .table_mut(&name)
            .map(|t| std::mem::replace(t, Table::new(&name.name)))
        else {
            return;
        };
        if c.eat("ADD") {
            let items: Vec<Vec<Token>> = if c.is_symbol("(") {
                c.group()
                    .map(|g| split_commas(g).into_iter().map(|p| p.to_vec()).collect())
                    .unwrap_or_default()
            } else {
                vec![c.rest().to_vec()]
            };
            for item in items {
                self.focus_line = item.first().map(|t| t.line);
                if item.first().is_some_and(is_constraint_start) {
                    if let Some(con) = self.constraint(&item, &name, report, &table) {
                        table.constraints.push(con);
                    }
                } else if !item.is_empty() {
                    self.column(&item, &name, report, &mut table);
                }
                self.focus_line = None;
            }
        } else if c.is("DROP") && c.peek_at(1).is_some_and(|t| t.is("CONSTRAINT")) {
            // DROP CONSTRAINT name: gone from the table (a later ADD may reuse the name).
            c.next();
            c.next();
            let constraint = c.ident().map(pg_name).unwrap_or_default();
            let before = table.constraints.len();
            table.constraints.retain(|k| k.name != constraint);
            if table.constraints.len() == before {
                let f = self.finding(
                    "GW-ALTER-UNKNOWN-CONSTRAINT",
                    Severity::Warning,
                    format!("ALTER TABLE {name} DROP CONSTRAINT {constraint}: the table has no such constraint here"),
                    "check the constraints by hand",
                );
                self.note(report, f);
            }
        } else if c.eat("MODIFY") {
            if c.is("CONSTRAINT") || c.is("PRIMARY") || c.is("UNIQUE") {
                let f = self.finding("GW-ALTER-CONSTRAINT-STATE", Severity::Info, format!("ALTER TABLE {name} MODIFY constraint state ignored: constraints are created enabled"), "none");
                self.note(report, f);
            } else {
                let items: Vec<Vec<Token>> = if c.is_symbol("(") {
                    c.group()
                        .map(|g| split_commas(g).into_iter().map(|p| p.to_vec()).collect())
                        .unwrap_or_default()
                } else {
                    vec![c.rest().to_vec()]
                };
                for item in items {
                    if item.iter().any(|t| t.is("IDENTITY")) {
                        let f = self.finding("GW-IDENTITY-RESTART", Severity::Info, format!("ALTER TABLE {name} MODIFY … IDENTITY: identity positions are set past the loaded data after the data section"), "none");
                        self.note(report, f);
                        continue;
                    }
                    let Some(col_token) = item.first() else {
                        continue;
                    };
                    let col = pg_name(col_token);
                    if !table.columns.iter().any(|x| x.name == col) {
                        let f = self.finding(
                            "GW-ALTER-UNKNOWN-COLUMN",
                            Severity::Warning,
                            format!("ALTER TABLE {name} MODIFY {}: the table has no such column here (added by dynamic SQL the converter does not follow?)", col_token.text),
                            "add the column by hand",
                        );
                        self.note(report, f);
                        continue;
                    }
                    // Only what the MODIFY states: a type when given, NOT NULL, a default. Without
                    // a type the rest is read with a stand-in type, which is not applied.
                    let has_type = item.get(1).is_some_and(|t| {
                        t.kind == TokenKind::Word && !is_column_attribute_start(t)
                    });
                    let mut read = item.clone();
                    if !has_type {
                        read.insert(
                            1,
                            Token {
                                kind: TokenKind::Word,
                                text: "NUMBER".into(),
                                line: col_token.line,
                                unterminated: false,
                            },
                        );
                    }
                    let mut scratch = Table::new(&table.name);
                    self.column(&read, &name, report, &mut scratch);
                    if let (Some(existing), Some(changed)) = (
                        table.columns.iter_mut().find(|x| x.name == col),
                        scratch.columns.pop(),
                    ) {
                        if has_type {
                            existing.data_type = changed.data_type;
                        }
                        // NOT NULL after rows went in (an install script filling a new column
                        // first): set in the data section, in the script's order.
                        let rows_before = self.data.iter().any(|d| d.table == name);
                        if !changed.nullable && existing.nullable && rows_before {
                            self.data.push(DataStatement {
                                table: name.clone(),
                                sql: format!(
                                    "ALTER TABLE {name} ALTER COLUMN {} SET NOT NULL",
                                    quote_ident(&existing.name)
                                ),
                                rows: 0,
                                file: self.file.clone(),
                                line: self.line,
                            });
                            self.not_null_after_data
                                .insert((name.to_string(), existing.name.clone()));
                            let f = self.finding("GW-ALTER-NOT-NULL-AFTER-DATA", Severity::Info, format!("{name}.{} becomes NOT NULL where the script makes it so, after the rows inserted before", existing.name), "none");
                            self.note(report, f);
                        } else if !changed.nullable {
                            existing.nullable = false;
                        }
                        if item.iter().any(|t| t.is("NULL")) && !item.iter().any(|t| t.is("NOT")) {
                            existing.nullable = true;
                        }
                        if changed.default.is_some() {
                            existing.default = changed.default;
                        }
                    }
                }
            }
        } else if c.is("ENABLE") || c.is("DISABLE") {
            let f = self.finding("GW-ALTER-CONSTRAINT-STATE", Severity::Info, format!("ALTER TABLE {name} ENABLE/DISABLE ignored: keys are added after the data is loaded"), "none");
            self.note(report, f);
        } else {
            let what = tokens
                .iter()
                .skip(c.pos)
                .take(3)
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let f = self.finding(
                "GW-ALTER-UNSUPPORTED",
                Severity::Warning,
                format!("ALTER TABLE {name} {what} … is not converted"),
                "apply it by hand",
            );
            self.note(report, f);
        }
        if let Some(t) = self.table_mut(&name) {
            *t = table;
        }
    }

    // ----- indexes, sequences, comments -----

    fn create_index(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(tokens);
        c.eat("CREATE");
        let unique = c.eat("UNIQUE");
        let bitmap = c.eat("BITMAP");
        c.eat("MULTIVALUE");
        c.eat("INDEX");
        let Some((schema, index_token)) = c.qualified() else {
            return;
        };
        let index_name = self.qualified(schema, index_token);
        let report = self.report("INDEX", &index_name, Status::Converted);
        if !c.eat("ON") {
            return;
        }
        let Some((tschema, table_token)) = c.qualified() else {
            return;
        };
        let table_name = self.qualified(tschema, table_token);
        let Some(keys) = c.group() else {
            self.reject(
                report,
                "GW-INDEX-CLUSTER",
                format!("index {index_name} is not a table index (cluster or bitmap join index)"),
                "none",
            );
            return;
        };
        let mut index = Index {
            name: index_name.name.clone(),
            unique,
            method: "btree".into(),
            keys: vec![],
            include: vec![],
            predicate: None,
            comment: None,
        };
        for part in split_commas(keys) {
            let mut part = part;
            let mut order = SortOrder::Asc;
            if part.last().is_some_and(|t| t.is("DESC")) {
                order = SortOrder::Desc;
                part = &part[..part.len() - 1];
            } else if part.last().is_some_and(|t| t.is("ASC")) {
                part = &part[..part.len() - 1];
            }
            let expression = if part.len() == 1
                && matches!(part[0].kind, TokenKind::Word | TokenKind::QuotedIdent)
            {
                quote_ident(&pg_name(&part[0]))
            } else {
                let mut rw = self.rewriter();
                let sql = rw.sql(part);
                self.rewrite_findings(report, &rw, &format!("index {index_name}"));
                format!("({sql})")
            };
            // Oracle sorts NULLs last ascending and first descending, as PostgreSQL does by default.
            index.keys.push(IndexKey {
                expression,
                order,
                nulls_first: order == SortOrder::Desc,
                opclass: None,
            });
        }
        let rest: Vec<String> = c.rest().iter().map(|t| t.upper()).collect();
        if bitmap {
            let f = self.finding(
                "GW-INDEX-BITMAP",
                Severity::Info,
                format!("bitmap index {index_name} became a btree index"),
                "consider a BRIN or GIN index, or none, for low-cardinality columns",
            );
            self.note(report, f);
        }
        if rest.iter().any(|w| w == "REVERSE") {
            let f = self.finding(
                "GW-INDEX-REVERSE",
                Severity::Info,
                format!("reverse key index {index_name} became a plain btree index"),
                "none",
            );
            self.note(report, f);
        }
        if rest.iter().any(|w| w == "INDEXTYPE") {
            self.reject(
                report,
                "GW-INDEX-DOMAIN",
                format!("domain index {index_name} (Oracle Text or spatial) is not converted"),
                "use a GIN index with to_tsvector for text search, or PostGIS for spatial data",
            );
            return;
        }
        if rest.iter().any(|w| w == "LOCAL" || w == "GLOBAL") {
            let f = self.finding(
                "GW-INDEX-PARTITIONED",
                Severity::Info,
                format!("partitioning clause of index {index_name} dropped"),
                "none",
            );
            self.note(report, f);
        }
        let view = self
            .catalog
            .schemas
            .iter_mut()
            .find(|s| s.name == table_name.schema)
            .and_then(|s| {
                s.views
                    .iter_mut()
                    .find(|v| v.name == table_name.name && v.materialized)
            });
        if let Some(view) = view {
            view.indexes.retain(|i| i.name != index.name);
            view.indexes.push(index);
            return;
        }
        match self.table_mut(&table_name) {
            Some(table) => {
                table.indexes.retain(|i| i.name != index.name);
                table.indexes.push(index);
            }
            None => {
                self.reject(
                    report,
                    "GW-INDEX-UNKNOWN-TABLE",
                    format!(
                        "index {index_name} is on {table_name}, which the input does not define"
                    ),
                    "include the table's DDL",
                );
            }
        }
    }

    fn sequence_options(&mut self, tokens: &[Token], report: usize) -> SequenceOptions {
        let mut c = Cursor::new(tokens);
        let mut increment = 1i64;
        let (mut start, mut min, mut max, mut cache, mut cycle) = (None, None, None, 1i64, false);
        let number = |c: &mut Cursor| -> Option<i128> {
            let negative = c.eat_symbol("-");
            let t = c.next()?;
            let v: i128 = t.text.parse().ok()?;
            Some(if negative { -v } else { v })
        };
        let mut clamped = false;
        let mut clamp = |v: i128| -> i64 {
            if v > i64::MAX as i128 || v < i64::MIN as i128 {
                clamped = true;
            }
            v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
        };
        while !c.at_end() {
            if c.eat_all(&["START", "WITH"]) {
                start = number(&mut c).map(&mut clamp);
            } else if c.eat_all(&["INCREMENT", "BY"]) {
                increment = number(&mut c).map(&mut clamp).unwrap_or(1);
            } else if c.eat("MAXVALUE") {
                max = number(&mut c).map(&mut clamp);
            } else if c.eat("MINVALUE") {
                min = number(&mut c).map(&mut clamp);
            } else if c.eat("CACHE") {
                cache = number(&mut c).map(&mut clamp).unwrap_or(1).max(1);
            } else if c.eat("NOCACHE") {
                cache = 1;
            } else if c.eat("CYCLE") {
                cycle = true;
            } else {
                // NOCYCLE, ORDER, NOORDER, NOMAXVALUE, NOMINVALUE, KEEP, SCALE, SESSION, GLOBAL …
                c.next();
            }
        }
        if clamped {
            let f = self.finding(
                "GW-SEQUENCE-RANGE",
                Severity::Info,
                "a sequence bound beyond bigint was clamped to the bigint range".to_string(),
                "none",
            );
            self.note(report, f);
        }
        let (default_min, default_max) = if increment > 0 {
            (1, i64::MAX)
        } else {
            (i64::MIN, -1)
        };
        let min_value = min.unwrap_or(default_min);
        let max_value = max.unwrap_or(default_max);
        SequenceOptions {
            data_type: "bigint".into(),
            start: start.unwrap_or(if increment > 0 { min_value } else { max_value }),
            increment,
            min_value,
            max_value,
            cache,
            cycle,
        }
    }

    fn create_sequence(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(tokens);
        c.eat("CREATE");
        c.eat("SEQUENCE");
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        let Some((schema, name_token)) = c.qualified() else {
            return;
        };
        let name = self.qualified(schema, name_token);
        let report = self.report("SEQUENCE", &name, Status::Converted);
        let options = self.sequence_options(c.rest(), report);
        let schema = self.schema_mut(&name.schema);
        schema.sequences.retain(|s| s.name != name.name);
        schema.sequences.push(Sequence {
            name: name.name.clone(),
            options,
            last_value: None,
            owned_by: None,
            comment: None,
        });
    }

    fn comment(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(tokens);
        c.eat("COMMENT");
        c.eat("ON");
        let on_column = c.eat("COLUMN");
        if !on_column {
            c.eat("TABLE");
            c.eat_all(&["MATERIALIZED", "VIEW"]);
        }
        let mut parts = vec![];
        while let Some(t) = c.ident() {
            parts.push(t);
            if !c.eat_symbol(".") {
                break;
            }
        }
        if !c.eat("IS") {
            return;
        }
        let text = c
            .next()
            .filter(|t| t.kind == TokenKind::String)
            .map(Token::string_value);
        let text = text.filter(|t| !t.is_empty());
        let (schema, table, column) = match (on_column, parts.len()) {
            (true, 3) => (Some(parts[0]), parts[1], Some(parts[2])),
            (true, 2) => (None, parts[0], Some(parts[1])),
            (false, 2) => (Some(parts[0]), parts[1], None),
            (false, 1) => (None, parts[0], None),
            _ => return,
        };
        let name = self.qualified(schema, table);
        if let Some(&i) = self
            .index
            .get(&("TABLE".to_string(), name.to_string()))
            .or_else(|| self.index.get(&("VIEW".to_string(), name.to_string())))
        {
            self.add_source(i);
        }
        if let Some(t) = self.table_mut(&name) {
            match column {
                Some(col) => {
                    let col = pg_name(col);
                    if let Some(column) = t.columns.iter_mut().find(|x| x.name == col) {
                        column.comment = text;
                    }
                }
                None => t.comment = text,
            }
            return;
        }
        if let Some(v) = self
            .catalog
            .schemas
            .iter_mut()
            .find(|s| s.name == name.schema)
            .and_then(|s| s.views.iter_mut().find(|v| v.name == name.name))
        {
            match column {
                Some(col) => {
                    if let Some(text) = text {
                        v.column_comments.push((pg_name(col), text));
                    }
                }
                None => v.comment = text,
            }
        }
    }

    // ----- views, synonyms, types -----

    fn create_view(&mut self, tokens: &[Token], start: usize, materialized: bool) {
        let mut c = Cursor::new(&tokens[start.min(tokens.len())..]);
        c.eat_all(&["IF", "NOT", "EXISTS"]);
        let Some((schema, name_token)) = c.qualified() else {
            return;
        };
        let name = self.qualified(schema, name_token);
        let kind = if materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        };
        let report = self.report(kind, &name, Status::Converted);
        let columns: Vec<String> = c
            .group()
            .map(|g| {
                split_commas(g)
                    .iter()
                    .filter(|p| p.first().is_some_and(|t| !is_constraint_start(t)))
                    .filter_map(|p| p.first())
                    .map(pg_name)
                    .collect()
            })
            .unwrap_or_default();
        // Skip to the AS that starts the query (materialized views have build and refresh clauses first).
        while !c.at_end()
            && !(c.is("AS")
                && c.peek_at(1)
                    .is_some_and(|t| t.is("SELECT") || t.is("WITH") || t.is_symbol("(")))
        {
            c.next();
        }
        if !c.eat("AS") {
            self.reject(
                report,
                "GW-PARSE",
                format!("{kind} {name}: no AS SELECT found"),
                "check the statement",
            );
            return;
        }
        let query_tokens = c.rest();
        // Trailing WITH CHECK OPTION / WITH READ ONLY.
        let mut end = query_tokens.len();
        let mut check_option = None;
        let upper: Vec<String> = query_tokens.iter().map(|t| t.upper()).collect();
        if let Some(p) = (0..upper.len().saturating_sub(1))
            .rev()
            .find(|&p| upper[p] == "WITH" && (upper[p + 1] == "READ" || upper[p + 1] == "CHECK"))
        {
            if upper[p + 1] == "CHECK" {
                check_option = Some("CASCADED".to_string());
            } else {
                let f = self.finding("GW-VIEW-READ-ONLY", Severity::Warning, format!("view {name} is WITH READ ONLY in Oracle; PostgreSQL may let simple views be updated"), "REVOKE INSERT, UPDATE, DELETE on the view");
                self.note(report, f);
            }
            end = p;
        }
        let mut rw = self.rewriter();
        let query = rw.query(&query_tokens[..end]);
        self.rewrite_findings(report, &rw, &format!("{kind} {name}"));
        if !rw.blocking.is_empty() {
            self.objects[report].status = Status::NotConverted;
            return;
        }
        let view = View {
            name: name.name.clone(),
            materialized,
            query,
            columns,
            check_option,
            indexes: vec![],
            depends_on: vec![],
            comment: None,
            column_comments: vec![],
        };
        let schema = self.schema_mut(&name.schema);
        schema.views.retain(|v| v.name != view.name);
        schema.views.push(view);
    }

    fn create_synonym(&mut self, tokens: &[Token], start: usize) {
        let mut c = Cursor::new(&tokens[start.min(tokens.len())..]);
        let Some((schema, name_token)) = c.qualified() else {
            return;
        };
        let name = self.qualified(schema, name_token);
        c.eat("FOR");
        let Some((tschema, target_token)) = c.qualified() else {
            return;
        };
        let target = self.qualified(tschema, target_token);
        let is_relation = self.catalog.table(&target).is_some()
            || self
                .catalog
                .schema(&target.schema)
                .is_some_and(|s| s.views.iter().any(|v| v.name == target.name));
        if !is_relation || c.is_symbol("@") {
            return self.not_converted("SYNONYM", &name, "GW-SYNONYM", format!("synonym {name} for {target} is not converted (only synonyms of tables and views in the input are)"), "refer to the object by its name, or set search_path");
        }
        let report = self.report("SYNONYM", &name, Status::Converted);
        let f = self.finding(
            "GW-SYNONYM-VIEW",
            Severity::Info,
            format!("synonym {name} became a view on {target}"),
            "or refer to the object directly",
        );
        self.note(report, f);
        let view = View {
            name: name.name.clone(),
            materialized: false,
            query: format!("SELECT * FROM {target}"),
            columns: vec![],
            check_option: None,
            indexes: vec![],
            depends_on: vec![target],
            comment: None,
            column_comments: vec![],
        };
        self.schema_mut(&name.schema).views.push(view);
    }

    fn create_type(&mut self, tokens: &[Token], start: usize) {
        let mut c = Cursor::new(&tokens[start.min(tokens.len())..]);
        let Some((schema, name_token)) = c.qualified() else {
            return;
        };
        let name = self.qualified(schema, name_token);
        c.eat("FORCE");
        while c.is("AUTHID") || c.is("CURRENT_USER") || c.is("DEFINER") {
            c.next();
        }
        let as_is = c.eat("AS") || c.eat("IS");
        if as_is && (c.is("TABLE") || c.is("VARRAY") || c.is("VARYING")) {
            // TABLE OF t / VARRAY(n) OF t → a domain over an array of t.
            c.next();
            c.eat("ARRAY");
            c.group();
            c.eat("OF");
            let element_start = c.pos;
            let element = self.pg_type(&mut c);
            // PL/SQL sees it as a collection (an array) in every unit.
            if element.is_some() {
                let element_tokens = tokenize(&c.text_since(element_start), name_token.line);
                self.schema_collections.insert(
                    name_token.upper(),
                    (element_tokens, crate::collection::Kind::Dense),
                );
                self.schema_domains
                    .insert(name_token.upper(), name.to_string());
            }
            let Some(element) = element else {
                return self.not_converted(
                    "TYPE",
                    &name,
                    "GW-PARSE",
                    format!("collection type {name}: element type not understood"),
                    "convert it by hand",
                );
            };
            let report = self.report("TYPE", &name, Status::Converted);
            let f = self.finding(
                "GW-TYPE-COLLECTION",
                Severity::Info,
                format!(
                    "collection type {name} became a domain over {}[]",
                    element.data_type.sql
                ),
                "none",
            );
            self.note(report, f);
            let base = DataType {
                sql: format!("{}[]", element.data_type.sql),
                name: element.data_type.name.clone(),
                array_dims: 1,
                ..Default::default()
            };
            let schema = self.schema_mut(&name.schema);
            schema.types.retain(|t| t.name() != name.name);
            schema.types.push(UserType::Domain {
                name: name.name.clone(),
                base,
                not_null: false,
                default: None,
                checks: vec![],
                comment: None,
            });
            return;
        }
        let is_object = as_is && c.eat("OBJECT");
        let attributes = if is_object { c.group() } else { None };
        let Some(attributes) = attributes else {
            return self.not_converted(
                "TYPE",
                &name,
                "GW-PLSQL-NOT-YET",
                format!("type {name} (collection or subtype) is not converted yet"),
                "convert it by hand, or wait for the PL/SQL converter",
            );
        };
        let report = self.report("TYPE", &name, Status::Converted);
        let mut attrs = Vec::new();
        let mut methods = crate::object_type::ObjectMethods {
            type_name: name_token.upper(),
            schema: name.name.clone(),
            ..Default::default()
        };
        let mut has_methods = false;
        for part in split_commas(attributes) {
            let mut pc = Cursor::new(part);
            if pc.is("MEMBER")
                || pc.is("STATIC")
                || pc.is("CONSTRUCTOR")
                || pc.is("MAP")
                || pc.is("ORDER")
                || pc.is("OVERRIDING")
                || pc.is("FINAL")
                || pc.is("NOT")
            {
                use crate::object_type::Role;
                match crate::object_type::method_spec(part) {
                    Some((role, kind, method, arity)) => {
                        has_methods = true;
                        match role {
                            Role::Member => {
                                methods.members.insert(method, kind);
                            }
                            Role::Static => {
                                methods.statics.insert(method);
                            }
                            Role::Constructor => methods.constructors.push(arity),
                        }
                    }
                    None => {
                        let f = self.finding(
                            "GW-TYPE-METHODS",
                            Severity::Warning,
                            format!("type {name}: a method declaration not understood"),
                            "convert it by hand",
                        );
                        self.note(report, f);
                    }
                }
                continue;
            }
            let Some(attr) = pc.ident() else { continue };
            match self.pg_type(&mut pc) {
                Some(t) => attrs.push((pg_name(attr), t.data_type)),
                None => {
                    let f = self.finding(
                        "GW-PARSE",
                        Severity::Error,
                        format!("type {name}: attribute {} not understood", attr.text),
                        "convert it by hand",
                    );
                    self.note(report, f);
                }
            }
        }
        methods.attributes = attrs.iter().map(|(a, _)| a.to_uppercase()).collect();
        if has_methods {
            let f = self.finding(
                "GW-TYPE-METHODS",
                Severity::Info,
                format!(
                    "the methods of type {name} become routines in schema {} (self first for MEMBER methods), converted with its TYPE BODY",
                    quote_ident(&methods.schema)
                ),
                "none",
            );
            self.note(report, f);
            self.object_methods
                .insert(methods.type_name.clone(), methods);
        }
        let schema = self.schema_mut(&name.schema);
        schema.types.retain(|t| t.name() != name.name);
        schema.types.push(UserType::Composite {
            name: name.name.clone(),
            attributes: attrs,
            comment: None,
        });
    }

    /// `CREATE TYPE BODY t`: each method converted into the schema named after the type (see
    /// `object_type`).
    fn type_body(&mut self, tokens: &[Token]) {
        let Some((report_name, name, rest)) = self.head_or_report("TYPE BODY", tokens) else {
            return;
        };
        let Some(methods) = self.object_methods.get(&name.upper()).cloned() else {
            return self.not_converted(
                "TYPE BODY",
                &report_name,
                "GW-PLSQL-NOT-YET",
                format!("type body {report_name}: its object type with methods was not converted before it"),
                "include the CREATE TYPE … AS OBJECT before its body",
            );
        };
        let members = match crate::object_type::split_body(rest) {
            Ok(members) => members,
            Err(reason) => {
                return self.not_converted(
                    "TYPE BODY",
                    &report_name,
                    "GW-PLSQL-NOT-YET",
                    format!("type body {report_name}: {reason}"),
                    "convert it by hand",
                )
            }
        };
        let body_report = self.report("TYPE BODY", &report_name, Status::Converted);
        self.schema_mut(&methods.schema);
        let mut converted = 0;
        for member in &members {
            let member_name = QualifiedName::new(&methods.schema, pg_name(&member.tokens[0]));
            let keyword = if member.kind == crate::plsql::UnitKind::Procedure {
                "PROCEDURE"
            } else {
                "FUNCTION"
            };
            let mut rw = self.rewriter();
            let result = crate::object_type::prepare_member(member, &methods).and_then(|tokens| {
                let schema = methods.schema.clone();
                let qualify =
                    |_: Option<&Token>, n: &Token| QualifiedName::new(&schema, pg_name(n));
                let type_of = |c: &mut Cursor| self.plsql_type(c);
                crate::plsql::convert_unit(
                    member.kind,
                    &tokens,
                    &mut rw,
                    &qualify,
                    &type_of,
                    &self.schema_unit_context(),
                )
            });
            self.helpers.extend(rw.helpers.iter().copied());
            self.line = member.line;
            match result {
                Ok(unit) => {
                    converted += 1;
                    let report = self.report(keyword, &member_name, Status::Converted);
                    let f = self.finding("GW-PLSQL-CONVERTED", Severity::Info, format!("method {}.{} converted to PL/pgSQL as {member_name}; its behaviour is not yet checked against Oracle's", methods.type_name, member.name), "test it");
                    self.note(report, f);
                    self.note_rewrite(report, &rw.notes);
                    self.add_routines(&unit);
                }
                Err(reason) => {
                    let f = self.finding(
                        "GW-PLSQL-MEMBER",
                        Severity::Warning,
                        format!(
                            "method {}.{} is not converted: {reason}",
                            methods.type_name, member.name
                        ),
                        "convert it by hand",
                    );
                    self.note(body_report, f);
                    self.not_converted(
                        keyword,
                        &member_name,
                        "GW-PLSQL-NOT-YET",
                        format!("method {}.{}: {reason}", methods.type_name, member.name),
                        "convert it by hand",
                    );
                }
            }
        }
        if converted == 0 && !members.is_empty() {
            self.objects[body_report].status = Status::NotConverted;
        }
    }

    // ----- data -----

    fn data_statement(&mut self, tokens: &[Token]) {
        if tokens[0].is("INSERT")
            && tokens.get(1).is_some_and(|t| t.is("ALL"))
            && !tokens.iter().any(|t| t.is("WHEN"))
        {
            return self.insert_all(tokens);
        }
        let first = tokens[0].upper();
        let target = {
            let mut c = Cursor::new(tokens);
            c.next();
            if first == "INSERT" {
                c.eat("INTO");
            } else if first == "DELETE" {
                c.eat("FROM");
            } else if first == "MERGE" {
                c.eat("INTO");
            }
            c.qualified().map(|(s, n)| self.qualified(s, n))
        };
        let Some(table) = target else { return };
        let label = table.clone();
        let report = self
            .index
            .get(&("DATA".to_string(), label.to_string()))
            .copied()
            .unwrap_or_else(|| self.report("DATA", &label, Status::Converted));
        let merged;
        let tokens = if first == "MERGE" {
            match crate::merge::rewrite(tokens) {
                Some(t) => {
                    let f = self.finding(
                        "GW-DATA-MERGE",
                        Severity::Info,
                        format!("MERGE into {table} needs PostgreSQL 15 or later"),
                        "none on 15+",
                    );
                    self.note(report, f);
                    merged = t;
                    &merged[..]
                }
                None => {
                    self.objects[report].status = Status::ConvertedWithFindings;
                    let f = self.finding("GW-DATA-NOT-YET", Severity::Error, format!("MERGE into {table} uses DELETE WHERE, which PostgreSQL's MERGE cannot express"), "split it into MERGE and DELETE");
                    self.objects[report].findings.push(f);
                    return;
                }
            }
        } else if tokens.get(1).is_some_and(|t| t.is("ALL") || t.is("FIRST")) {
            self.objects[report].status = Status::ConvertedWithFindings;
            let f = self.finding(
                "GW-DATA-NOT-YET",
                Severity::Error,
                format!("conditional multi-table INSERT into {table} is not converted yet"),
                "rewrite it as one INSERT … SELECT … WHERE per target",
            );
            self.objects[report].findings.push(f);
            return;
        } else {
            tokens
        };
        let mut rw = self.rewriter();
        rw.empty_string_is_null = true;
        let sql = rw.query(tokens);
        self.rewrite_findings(report, &rw, &format!("data for {table}"));
        if !rw.blocking.is_empty() {
            return;
        }
        let rows = if first == "INSERT" {
            count_value_rows(tokens)
        } else {
            0
        };
        self.push_data(table, sql, rows, tokens[0].line);
    }

    fn push_data(&mut self, table: QualifiedName, sql: String, rows: usize, line: u32) {
        self.data.push(DataStatement {
            table,
            sql,
            rows,
            file: self.file.clone(),
            line,
        });
    }

    /// Unconditional `INSERT ALL INTO t1 … INTO t2 … subquery`: one INSERT per target, each reading the
    /// subquery (`… VALUES (…)` directly when the subquery only reads DUAL).
    fn insert_all(&mut self, tokens: &[Token]) {
        let mut c = Cursor::new(&tokens[2..]);
        let mut targets: Vec<(Vec<Token>, Option<&[Token]>, Option<&[Token]>)> = Vec::new();
        while c.eat("INTO") {
            let start = c.pos;
            if c.qualified().is_none() {
                return;
            }
            let name: Vec<Token> = tokens[2 + start..2 + c.pos].to_vec();
            let columns = if c.is_symbol("(") { c.group() } else { None };
            let values = if c.eat("VALUES") { c.group() } else { None };
            targets.push((name, columns, values));
        }
        let source = c.rest();
        let from_dual = source
            .windows(2)
            .any(|w| w[0].is("FROM") && w[1].is("DUAL"))
            && !source.iter().any(|t| t.is("JOIN") || t.is_symbol(","));
        let word = |t: &str| Token {
            kind: TokenKind::Word,
            text: t.into(),
            line: tokens[0].line,
            unterminated: false,
        };
        let sym = |t: &str| Token {
            kind: TokenKind::Symbol,
            text: t.into(),
            line: tokens[0].line,
            unterminated: false,
        };
        for (name, columns, values) in targets {
            let mut insert = vec![word("INSERT"), word("INTO")];
            insert.extend(name);
            if let Some(columns) = columns {
                insert.push(sym("("));
                insert.extend(columns.iter().cloned());
                insert.push(sym(")"));
            }
            match values {
                Some(values) if from_dual => {
                    insert.push(word("VALUES"));
                    insert.push(sym("("));
                    insert.extend(values.iter().cloned());
                    insert.push(sym(")"));
                }
                _ => {
                    insert.push(word("SELECT"));
                    match values {
                        Some(values) => insert.extend(values.iter().cloned()),
                        None => insert.push(sym("*")),
                    }
                    insert.extend([word("FROM"), sym("(")]);
                    insert.extend(source.iter().cloned());
                    insert.extend([sym(")"), word("insert_all_source")]);
                }
            }
            self.data_statement(&insert);
        }
    }

    /// `BEGIN … END;` blocks that only hold DML (the usual way sample schemas load data) become plain
    /// statements; anything else is PL/SQL, left for the PL/SQL converter.
    fn anonymous_block(&mut self, tokens: &[Token]) {
        let begin = tokens
            .iter()
            .position(|t| t.is("BEGIN"))
            .unwrap_or(tokens.len());
        let end = tokens
            .iter()
            .rposition(|t| t.is("END"))
            .unwrap_or(tokens.len());
        let declarations = if tokens[0].is("DECLARE") {
            &tokens[1..begin]
        } else {
            &[][..]
        };
        let inner = if begin < end {
            &tokens[begin + 1..end]
        } else {
            &[][..]
        };
        let statements: Vec<&[Token]> = inner
            .split(|t| t.is_symbol(";"))
            .filter(|s| !s.is_empty())
            .collect();
        let is_dml = |s: &[Token]| s[0].is("INSERT") || s[0].is("UPDATE") || s[0].is("DELETE");
        let is_assignment = |s: &[Token]| {
            s.len() > 2 && matches!(s[0].kind, TokenKind::Word) && s[1].is_symbol(":=")
        };
        let simple = !inner.is_empty()
            && statements
                .iter()
                .all(|s| is_dml(s) || s[0].is("COMMIT") || s[0].is("NULL") || is_assignment(s))
            && !inner.iter().any(|t| t.kind == TokenKind::Bind);
        let variables = if simple {
            self.block_variables(declarations)
        } else {
            None
        };
        let Some(variables) = variables else {
            let reason = match self.do_block(declarations, inner, tokens) {
                Ok(()) => return,
                Err(reason) => reason,
            };
            // An install block (dictionary lookups guarding EXECUTE IMMEDIATE of DDL): the
            // converter runs it against the schema converted so far.
            let name = QualifiedName::new(
                &self.options.default_schema,
                format!(
                    "{}:{}",
                    self.file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                    self.line
                ),
            );
            let block_line = self.line;
            let mut target = BlockTarget {
                converter: self,
                ran: 0,
            };
            let evaluated = crate::install_block::run(declarations, inner, &mut target);
            let ran = target.ran;
            self.line = block_line;
            match evaluated {
                Ok(()) => {
                    let report = self.report("ANONYMOUS BLOCK", &name, Status::Converted);
                    let f = self.finding("GW-PLSQL-INSTALL-BLOCK", Severity::Info, format!("install block run by the converter against the schema converted so far ({reason}): {ran} statement(s) it would run were converted in its place"), "check its conditions held as on a fresh target");
                    self.note(report, f);
                    return;
                }
                Err(stopped) if ran > 0 => {
                    return self.not_converted(
                        "ANONYMOUS BLOCK",
                        &name,
                        "GW-PLSQL-NOT-YET",
                        format!("install block stopped after {ran} statement(s) were converted: {stopped}"),
                        "apply the rest of the block by hand",
                    );
                }
                Err(_) => {}
            }
            self.static_ddl_in_block(tokens);
            let name = QualifiedName::new(
                &self.options.default_schema,
                format!(
                    "{}:{}",
                    self.file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                    self.line
                ),
            );
            return self.not_converted(
                "ANONYMOUS BLOCK",
                &name,
                "GW-PLSQL-NOT-YET",
                format!("anonymous PL/SQL block not converted: {reason}"),
                "convert it to a DO block by hand",
            );
        };
        if variables.is_empty() && !statements.iter().any(|s| is_assignment(s)) {
            // Only DML: plain statements.
            for s in statements {
                if is_dml(s) {
                    self.line = s[0].line;
                    self.data_statement(s);
                }
            }
            return;
        }
        // Declarations, assignments and DML: a DO block.
        let first_dml = statements.iter().find(|s| is_dml(s));
        let Some(first_dml) = first_dml else { return };
        let data_before = self.data.len();
        let mut body = String::new();
        let mut rows = 0;
        let mut table = None;
        for s in &statements {
            if is_dml(s) {
                self.data_statement(s);
                if let Some(d) = self.data.pop() {
                    rows += d.rows;
                    table.get_or_insert(d.table);
                    body.push_str(&format!("    {};\n", d.sql));
                }
            } else if is_assignment(s) {
                let mut rw = self.rewriter();
                rw.empty_string_is_null = true;
                body.push_str(&format!(
                    "    {} := {};\n",
                    quote_ident(&pg_name(&s[0])),
                    rw.sql(&s[2..])
                ));
                self.helpers.extend(rw.helpers.iter().copied());
            }
        }
        self.data.truncate(data_before);
        let Some(table) = table else { return };
        let declare: String = variables
            .iter()
            .map(|(n, t, init)| {
                format!(
                    "    {} {t}{};\n",
                    quote_ident(n),
                    init.as_ref()
                        .map(|i| format!(" := {i}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        let sql = format!("DO $godwit$\nDECLARE\n{declare}BEGIN\n{body}END\n$godwit$");
        self.push_data(table, sql, rows, first_dml[0].line);
    }

    /// An anonymous block as a DO block, run with the data (after the tables, before their keys): its
    /// declarations and statements converted as a procedure's would be. COMMITs are left out (the
    /// loading script commits). Refused when the block reads Oracle's data dictionary, runs dynamic SQL
    /// (whose Oracle SQL is only known when it runs), uses SQL*Plus bind variables or declares local
    /// subprograms.
    fn do_block(
        &mut self,
        declarations: &[Token],
        inner: &[Token],
        tokens: &[Token],
    ) -> Result<(), String> {
        if inner.is_empty() {
            return Err("no statements between BEGIN and END".into());
        }
        if let Some((t, whose)) = inner
            .iter()
            .chain(declarations)
            .find_map(|t| Some((t, crate::expr::oracle_view(t, &self.relations)?)))
        {
            let what = match whose {
                "APEX's" => "APEX's views",
                dictionary => dictionary,
            };
            return Err(format!(
                "it reads {what} ({}), which PostgreSQL does not have",
                t.text
            ));
        }
        if inner
            .windows(2)
            .any(|w| w[0].is("EXECUTE") && w[1].is("IMMEDIATE"))
        {
            return Err(
                "it runs dynamic SQL (EXECUTE IMMEDIATE), whose Oracle SQL is only known when it runs"
                    .into(),
            );
        }
        if inner.iter().any(|t| t.kind == TokenKind::Bind) {
            return Err("it uses SQL*Plus bind variables".into());
        }
        let line = tokens[0].line;
        let mut unit_tokens = tokenize("godwit_block IS", line);
        unit_tokens.extend(declarations.iter().cloned());
        unit_tokens.extend(tokenize("BEGIN", line));
        let mut k = 0;
        while k < inner.len() {
            let commit = inner[k].is("COMMIT")
                && inner.get(k + 1).is_some_and(|t| t.is_symbol(";"))
                && crate::plsql::starts_statement(inner, k);
            if commit {
                k += 2;
                continue;
            }
            unit_tokens.push(inner[k].clone());
            k += 1;
        }
        unit_tokens.extend(tokenize("END;", line));
        let mut rw = self.rewriter();
        let unit =
            self.standalone_unit(crate::plsql::UnitKind::Procedure, &unit_tokens, &mut rw)?;
        if !unit.hoisted.is_empty() {
            return Err("it declares local subprograms".into());
        }
        let body = unit
            .definition
            .split_once("$godwit$")
            .and_then(|(_, rest)| rest.rsplit_once("$godwit$"))
            .map(|(body, _)| body)
            .ok_or("its converted body was not found")?;
        self.helpers.extend(rw.helpers.iter().copied());
        // The data it loads is reported under the first table it writes to.
        let written = inner.windows(3).find_map(|w| {
            let target = if (w[0].is("INSERT") || w[0].is("MERGE")) && w[1].is("INTO") {
                Some(&w[2])
            } else if w[0].is("UPDATE") {
                Some(&w[1])
            } else if w[0].is("DELETE") && w[1].is("FROM") {
                Some(&w[2])
            } else {
                None
            }?;
            (target.kind == TokenKind::Word).then(|| self.qualified(None, target))
        });
        let name = QualifiedName::new(
            &self.options.default_schema,
            format!(
                "{}:{}",
                self.file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                line
            ),
        );
        let report = self.report("ANONYMOUS BLOCK", &name, Status::Converted);
        let f = self.finding(
            "GW-PLSQL-DO-BLOCK",
            Severity::Info,
            "anonymous block converted to a DO block, run with the data (its COMMITs are left to the loading script)".to_string(),
            "check what it does on the target",
        );
        self.note(report, f);
        self.note_rewrite(report, &rw.notes);
        self.push_data(
            written.unwrap_or(name),
            format!("DO $godwit${body}$godwit$"),
            0,
            line,
        );
        Ok(())
    }

    /// DDL given as a plain string literal to EXECUTE IMMEDIATE in a block that is not converted (install
    /// scripts that create objects "if they do not exist"): converted as if the script had run it.
    /// Rows of an Oracle dictionary view (USER_TABLES, USER_TAB_COLUMNS, USER_INDEXES,
    /// USER_CONSTRAINTS, USER_CONS_COLUMNS, USER_SEQUENCES, USER_TRIGGERS, USER_VIEWS,
    /// USER_OBJECTS) for the default schema as converted so far: names upper case, as Oracle keeps
    /// unquoted names. `None` for another view.
    fn dictionary_rows(&self, view: &str) -> Option<Vec<BTreeMap<String, String>>> {
        let row = |pairs: &[(&str, String)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_uppercase()))
                .collect()
        };
        let schema = self
            .catalog
            .schemas
            .iter()
            .find(|s| s.name == self.options.default_schema);
        let tables = schema.map(|s| s.tables.as_slice()).unwrap_or_default();
        let mut rows = Vec::new();
        match view {
            "USER_TABLES" | "TABS" => {
                for t in tables {
                    rows.push(row(&[("TABLE_NAME", t.name.clone())]));
                }
            }
            "USER_TAB_COLUMNS" | "USER_TAB_COLS" | "COLS" => {
                for t in tables {
                    for c in &t.columns {
                        rows.push(row(&[
                            ("TABLE_NAME", t.name.clone()),
                            ("COLUMN_NAME", c.name.clone()),
                            ("NULLABLE", if c.nullable { "Y" } else { "N" }.to_string()),
                            ("DATA_TYPE", c.data_type.name.clone()),
                        ]));
                    }
                }
            }
            "USER_INDEXES" => {
                for t in tables {
                    for i in &t.indexes {
                        rows.push(row(&[
                            ("INDEX_NAME", i.name.clone()),
                            ("TABLE_NAME", t.name.clone()),
                        ]));
                    }
                }
            }
            "USER_CONSTRAINTS" | "USER_CONS_COLUMNS" => {
                for t in tables {
                    for c in &t.constraints {
                        let (kind, columns) = match &c.kind {
                            ConstraintKind::PrimaryKey { columns } => ("P", columns.clone()),
                            ConstraintKind::Unique { columns, .. } => ("U", columns.clone()),
                            ConstraintKind::ForeignKey { columns, .. } => ("R", columns.clone()),
                            _ => ("C", Vec::new()),
                        };
                        if view == "USER_CONSTRAINTS" {
                            rows.push(row(&[
                                ("CONSTRAINT_NAME", c.name.clone()),
                                ("TABLE_NAME", t.name.clone()),
                                ("CONSTRAINT_TYPE", kind.to_string()),
                            ]));
                        } else {
                            for column in columns {
                                rows.push(row(&[
                                    ("CONSTRAINT_NAME", c.name.clone()),
                                    ("TABLE_NAME", t.name.clone()),
                                    ("COLUMN_NAME", column),
                                ]));
                            }
                        }
                    }
                }
            }
            "USER_SEQUENCES" => {
                for q in schema.map(|s| s.sequences.as_slice()).unwrap_or_default() {
                    rows.push(row(&[("SEQUENCE_NAME", q.name.clone())]));
                }
            }
            "USER_TRIGGERS" => {
                for t in tables {
                    for g in &t.triggers {
                        rows.push(row(&[
                            ("TRIGGER_NAME", g.name.clone()),
                            ("TABLE_NAME", t.name.clone()),
                        ]));
                    }
                }
            }
            "USER_VIEWS" => {
                for v in schema.map(|s| s.views.as_slice()).unwrap_or_default() {
                    rows.push(row(&[("VIEW_NAME", v.name.clone())]));
                }
            }
            "USER_OBJECTS" => {
                for t in tables {
                    rows.push(row(&[
                        ("OBJECT_NAME", t.name.clone()),
                        ("OBJECT_TYPE", "TABLE".into()),
                    ]));
                    for i in &t.indexes {
                        rows.push(row(&[
                            ("OBJECT_NAME", i.name.clone()),
                            ("OBJECT_TYPE", "INDEX".into()),
                        ]));
                    }
                }
                for q in schema.map(|s| s.sequences.as_slice()).unwrap_or_default() {
                    rows.push(row(&[
                        ("OBJECT_NAME", q.name.clone()),
                        ("OBJECT_TYPE", "SEQUENCE".into()),
                    ]));
                }
                for v in schema.map(|s| s.views.as_slice()).unwrap_or_default() {
                    rows.push(row(&[
                        ("OBJECT_NAME", v.name.clone()),
                        ("OBJECT_TYPE", "VIEW".into()),
                    ]));
                }
            }
            _ => return None,
        }
        Some(rows)
    }

    fn static_ddl_in_block(&mut self, tokens: &[Token]) {
        for k in 0..tokens.len().saturating_sub(2) {
            if tokens[k].is("EXECUTE")
                && tokens[k + 1].is("IMMEDIATE")
                && tokens[k + 2].kind == TokenKind::String
                && tokens.get(k + 3).is_none_or(|t| t.is_symbol(";"))
            {
                let text = tokens[k + 2].string_value();
                let inner = tokenize(text.trim().trim_end_matches(';'), tokens[k + 2].line);
                let is_ddl = inner
                    .first()
                    .is_some_and(|t| t.is("CREATE") || t.is("ALTER") || t.is("COMMENT"));
                if is_ddl {
                    let statement = Statement {
                        file: self.file.clone(),
                        line: tokens[k + 2].line,
                        text: text.clone(),
                        kind: StatementKind::Sql,
                    };
                    let before = self.objects.len();
                    self.line = statement.line;
                    self.statement(&statement, &inner);
                    for i in before..self.objects.len() {
                        let f = self.finding("GW-DDL-IN-BLOCK", Severity::Warning, "created from a string given to EXECUTE IMMEDIATE in an anonymous block; the block's own logic (conditions, loops) is not converted".to_string(), "check the block's conditions still hold for a fresh target");
                        self.note(i, f);
                    }
                }
            }
        }
    }

    /// Scalar variable declarations of an anonymous block: (name, PostgreSQL type, initial value).
    /// `None` when a declaration is anything else (cursor, type, exception, %TYPE …).
    fn block_variables(
        &mut self,
        declarations: &[Token],
    ) -> Option<Vec<(String, String, Option<String>)>> {
        let mut out = Vec::new();
        for decl in declarations
            .split(|t| t.is_symbol(";"))
            .filter(|d| !d.is_empty())
        {
            let mut c = Cursor::new(decl);
            let name = pg_name(c.ident()?);
            if c.is("CONSTANT")
                || c.is("CURSOR")
                || c.is("EXCEPTION")
                || c.is("TYPE")
                || decl.iter().any(|t| t.is_symbol("%"))
            {
                return None;
            }
            let data_type = self.pg_type(&mut c)?.data_type.sql;
            c.eat_all(&["NOT", "NULL"]);
            let init = if c.eat_symbol(":=") || c.eat("DEFAULT") {
                let mut rw = self.rewriter();
                let sql = rw.sql(c.rest());
                self.helpers.extend(rw.helpers.iter().copied());
                Some(sql)
            } else {
                None
            };
            if !c.at_end() {
                return None;
            }
            out.push((name, data_type, init));
        }
        Some(out)
    }

    // ----- after the last statement -----

    fn finish(&mut self) {
        // Foreign keys that name no columns reference the primary key.
        let primary_keys: BTreeMap<QualifiedName, Vec<String>> = self
            .catalog
            .schemas
            .iter()
            .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
            .filter_map(|(s, t)| {
                t.constraints.iter().find_map(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns } => {
                        Some((QualifiedName::new(&s.name, &t.name), columns.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        let after_data = std::mem::take(&mut self.not_null_after_data);
        for schema in &mut self.catalog.schemas {
            let schema_name = schema.name.clone();
            for table in &mut schema.tables {
                let table_name = QualifiedName::new(&schema_name, &table.name).to_string();
                for con in &mut table.constraints {
                    if let ConstraintKind::ForeignKey {
                        referenced_table,
                        referenced_columns,
                        ..
                    } = &mut con.kind
                    {
                        if referenced_columns.is_empty() {
                            if let Some(pk) = primary_keys.get(referenced_table) {
                                *referenced_columns = pk.clone();
                            }
                        }
                    }
                }
                // Primary key columns are NOT NULL (Oracle says so implicitly).
                let pk_columns: Vec<String> = table
                    .constraints
                    .iter()
                    .filter_map(|c| match &c.kind {
                        ConstraintKind::PrimaryKey { columns } => Some(columns.clone()),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                for column in table
                    .columns
                    .iter_mut()
                    .filter(|c| pk_columns.contains(&c.name))
                    .filter(|c| !after_data.contains(&(table_name.clone(), c.name.clone())))
                {
                    column.nullable = false;
                }
                // A unique index that a key constraint also creates: keep the constraint only.
                let keys: Vec<(String, Vec<String>)> = table
                    .constraints
                    .iter()
                    .filter_map(|c| match &c.kind {
                        ConstraintKind::PrimaryKey { columns }
                        | ConstraintKind::Unique { columns, .. } => {
                            Some((c.name.clone(), columns.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                table.indexes.retain(|index| {
                    let columns: Vec<String> = index
                        .keys
                        .iter()
                        .map(|k| k.expression.trim_matches('"').to_string())
                        .collect();
                    !keys.iter().any(|(name, key_columns)| {
                        *name == index.name || (index.unique && *key_columns == columns)
                    })
                });
                // Identity columns keep NOT NULL; PostgreSQL needs no separate constraint.
            }
        }
        // A foreign key needs comparable types on both sides; Oracle compares any NUMBERs, PostgreSQL
        // not integer with numeric. The referencing column takes the referenced column's type.
        let column_types: BTreeMap<(QualifiedName, String), DataType> = self
            .catalog
            .schemas
            .iter()
            .flat_map(|s| {
                s.tables.iter().flat_map(move |t| {
                    t.columns.iter().map(move |c| {
                        (
                            (QualifiedName::new(&s.name, &t.name), c.name.clone()),
                            c.data_type.clone(),
                        )
                    })
                })
            })
            .collect();
        let numeric_family = |t: &DataType| {
            matches!(
                t.name.as_str(),
                "smallint" | "integer" | "bigint" | "numeric"
            )
        };
        let mut aligned = Vec::new();
        for schema in &mut self.catalog.schemas {
            for table in &mut schema.tables {
                let fks: Vec<(Vec<String>, QualifiedName, Vec<String>)> = table
                    .constraints
                    .iter()
                    .filter_map(|c| match &c.kind {
                        ConstraintKind::ForeignKey {
                            columns,
                            referenced_table,
                            referenced_columns,
                            ..
                        } => Some((
                            columns.clone(),
                            referenced_table.clone(),
                            referenced_columns.clone(),
                        )),
                        _ => None,
                    })
                    .collect();
                for (columns, target, target_columns) in fks {
                    for (column, target_column) in columns.iter().zip(&target_columns) {
                        let Some(wanted) =
                            column_types.get(&(target.clone(), target_column.clone()))
                        else {
                            continue;
                        };
                        if let Some(col) = table.columns.iter_mut().find(|c| &c.name == column) {
                            if col.data_type != *wanted
                                && numeric_family(&col.data_type)
                                && numeric_family(wanted)
                            {
                                aligned.push(format!(
                                    "{}.{}.{column} became {} like {target}.{target_column}",
                                    schema.name, table.name, wanted.sql
                                ));
                                col.data_type = wanted.clone();
                            }
                        }
                    }
                }
            }
        }
        for message in aligned {
            let name = QualifiedName::new(&self.options.default_schema, "(foreign keys)");
            let i = self
                .index
                .get(&("NOTE".to_string(), name.to_string()))
                .copied()
                .unwrap_or_else(|| self.report("NOTE", &name, Status::Converted));
            let f = self.finding(
                "GW-FK-TYPE-ALIGNED",
                Severity::Info,
                message,
                "none: the values are the same numbers",
            );
            self.note(i, f);
        }
        // Views depend on the views their query names.
        let view_names: Vec<QualifiedName> = self
            .catalog
            .schemas
            .iter()
            .flat_map(|s| {
                s.views
                    .iter()
                    .map(move |v| QualifiedName::new(&s.name, &v.name))
            })
            .collect();
        for schema in &mut self.catalog.schemas {
            let schema_name = schema.name.clone();
            for view in &mut schema.views {
                let words: std::collections::BTreeSet<String> = tokenize(&view.query, 1)
                    .iter()
                    .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
                    .map(|t| t.text.trim_matches('"').to_string())
                    .collect();
                for other in &view_names {
                    if other.name != view.name
                        && words.contains(&other.name)
                        && (other.schema == schema_name || words.contains(&other.schema))
                    {
                        view.depends_on.push(other.clone());
                    }
                }
            }
        }
        // Mark objects whose report collected only info findings as converted.
        for o in &mut self.objects {
            if o.status == Status::ConvertedWithFindings
                && o.findings.iter().all(|f| f.severity == Severity::Info)
            {
                o.status = Status::Converted;
            }
        }
    }
}

fn identity_type(t: &DataType) -> String {
    match t.sql.as_str() {
        "smallint" | "integer" | "bigint" => t.sql.clone(),
        _ => "bigint".into(),
    }
}

fn default_sequence(increment: i64) -> SequenceOptions {
    SequenceOptions {
        data_type: "bigint".into(),
        start: 1,
        increment,
        min_value: 1,
        max_value: i64::MAX,
        cache: 1,
        cycle: false,
    }
}

fn paren_list(name: &Token, line: u32) -> Vec<Token> {
    let sym = |s: &str| Token {
        kind: TokenKind::Symbol,
        text: s.into(),
        line,
        unterminated: false,
    };
    vec![sym("("), name.clone(), sym(")")]
}

fn is_constraint_start(t: &Token) -> bool {
    t.is("CONSTRAINT")
        || t.is("PRIMARY")
        || t.is("UNIQUE")
        || t.is("FOREIGN")
        || t.is("CHECK")
        || t.is("SUPPLEMENTAL")
}

fn is_column_attribute_start(t: &Token) -> bool {
    [
        "CONSTRAINT",
        "NOT",
        "NULL",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "ENABLE",
        "DISABLE",
        "GENERATED",
        "COLLATE",
        "VISIBLE",
        "INVISIBLE",
        "ENCRYPT",
    ]
    .iter()
    .any(|k| t.is(k))
}

#[derive(Default)]
struct ConstraintState {
    disabled: bool,
    novalidate: bool,
    deferrable: bool,
    initially_deferred: bool,
}

/// Reads constraint state words: ENABLE/DISABLE, VALIDATE/NOVALIDATE, RELY, DEFERRABLE, INITIALLY …,
/// USING INDEX …, EXCEPTIONS INTO ….
fn constraint_state(c: &mut Cursor) -> ConstraintState {
    let mut s = ConstraintState::default();
    loop {
        if c.eat("ENABLE") || c.eat("VALIDATE") || c.eat("RELY") || c.eat("NORELY") {
        } else if c.eat("DISABLE") {
            s.disabled = true;
        } else if c.eat("NOVALIDATE") {
            s.novalidate = true;
        } else if c.eat_all(&["NOT", "DEFERRABLE"]) {
            s.deferrable = false;
        } else if c.eat("DEFERRABLE") {
            s.deferrable = true;
        } else if c.eat("INITIALLY") {
            s.initially_deferred = c.eat("DEFERRED");
            c.eat("IMMEDIATE");
        } else if c.eat_all(&["USING", "INDEX"]) {
            if c.group().is_none() {
                // USING INDEX name, or physical attributes.
                while !c.at_end()
                    && !(c.is("ENABLE")
                        || c.is("DISABLE")
                        || c.is("VALIDATE")
                        || c.is("NOVALIDATE")
                        || c.is("CONSTRAINT")
                        || c.is("NOT"))
                {
                    c.next();
                }
            }
        } else if c.eat_all(&["EXCEPTIONS", "INTO"]) {
            c.qualified();
        } else {
            break;
        }
    }
    s
}

/// The name PostgreSQL would give an unnamed constraint.
fn default_constraint_name(
    table: &QualifiedName,
    kind: &ConstraintKind,
    existing: &Table,
) -> String {
    let base = match kind {
        ConstraintKind::PrimaryKey { .. } => format!("{}_pkey", table.name),
        ConstraintKind::Unique { columns, .. } => {
            format!("{}_{}_key", table.name, columns.join("_"))
        }
        ConstraintKind::ForeignKey { columns, .. } => {
            format!("{}_{}_fkey", table.name, columns.join("_"))
        }
        ConstraintKind::Check { .. } => format!("{}_check", table.name),
        ConstraintKind::Exclusion { .. } => format!("{}_excl", table.name),
    };
    let mut name = shorten(&base).0;
    let mut n = 1;
    while existing.constraints.iter().any(|c| c.name == name) {
        name = shorten(&format!("{base}{n}")).0;
        n += 1;
    }
    name
}

/// Rows added by `INSERT … VALUES (…)[, (…)]`.
fn count_value_rows(tokens: &[Token]) -> usize {
    let Some(values) = tokens.iter().position(|t| t.is("VALUES")) else {
        return 0;
    };
    let mut depth = 0;
    let mut rows = 0;
    for t in &tokens[values + 1..] {
        if t.is_symbol("(") {
            if depth == 0 {
                rows += 1;
            }
            depth += 1;
        } else if t.is_symbol(")") {
            depth -= 1;
        }
    }
    rows
}

/// `variable%TYPE` where the variable is one of the package's: its declared type; else unchanged.
fn resolve_variable_anchor(tokens: &[Token], decls: &crate::package::Declarations) -> Vec<Token> {
    match tokens {
        [v, pct, ty] if pct.is_symbol("%") && ty.is("TYPE") => decls
            .declared_types
            .get(&v.upper())
            .filter(|t| !t.iter().any(|t| t.is_symbol("%")))
            .cloned()
            .unwrap_or_else(|| tokens.to_vec()),
        _ => tokens.to_vec(),
    }
}

/// The converter as the target of an install block: dictionary views from the schema converted so
/// far; the statements the block runs converted as if they were in the script there.
struct BlockTarget<'c, 'o> {
    converter: &'c mut Converter<'o>,
    /// How many statements the block ran.
    ran: usize,
}

impl crate::install_block::Target for BlockTarget<'_, '_> {
    fn dictionary(&mut self, view: &str) -> Option<Vec<BTreeMap<String, String>>> {
        self.converter.dictionary_rows(view)
    }

    fn run(&mut self, text: &str, line: u32) {
        self.ran += 1;
        let c = &mut *self.converter;
        let text = text.trim().trim_end_matches(';').to_string();
        let tokens = tokenize(&text, line);
        if tokens.is_empty() {
            return;
        }
        let statement = Statement {
            file: c.file.clone(),
            line,
            text: text.clone(),
            kind: StatementKind::Sql,
        };
        let before = c.objects.len();
        c.line = line;
        c.statement(&statement, &tokens);
        for i in before..c.objects.len() {
            let f = c.finding("GW-DDL-IN-BLOCK", Severity::Info, format!("from a statement an install block runs (EXECUTE IMMEDIATE or SQL), converted where the block would run it: {}", text.chars().take(100).collect::<String>()), "none");
            c.note(i, f);
        }
    }
}
