//! Mappings between engine types (`godwit-store`, `godwit-catalog`, `godwit-convert`, `godwit-review`) and transport types ([`crate::dto`]).
//!
//! Pure data reshaping: no I/O and no decisions beyond renaming fields and widening numbers.

use std::collections::BTreeSet;

use godwit_catalog::{Catalog, ObjectKind, ObjectRef};
use godwit_convert::{Conversion, Finding, ObjectReport, Severity, Status};
use godwit_oracle::script::{Script, StatementKind};
use godwit_store::{Engine, Environment, Profile, ProfileInput};

use crate::dto::{
    CatalogTree, CommandError, ConversionDto, ConversionStatusDto, ConversionSummaryDto,
    ConvertedObjectDto, DiffRowDto, DiffTagDto, EngineDto, EnvironmentDto, FindingDto, KindCount,
    KindGroup, ObjectDetailDto, ObjectKindDto, ObjectNode, ObjectRefDto, ProfileDto,
    ProfileInputDto, SchemaNode, ScriptCheckDto, ScriptNoteDto, SegmentDto, SeverityDto,
};

/// Profile as the UI sees it: the store keeps a TNS alias or a script path in `database`
/// (see [`Engine`]); the UI gets each in its own field.
pub fn profile(p: Profile) -> ProfileDto {
    let tns_alias = p.tns_alias().unwrap_or_default().to_string();
    let path = p
        .script_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let database = if tns_alias.is_empty() && path.is_empty() {
        p.database
    } else {
        String::new()
    };
    ProfileDto {
        id: p.id,
        name: p.name,
        engine: engine(&p.engine),
        host: p.host,
        port: u32::from(p.port),
        database,
        tns_alias,
        path,
        username: p.username,
        environment: environment(p.environment),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn engine(e: &Engine) -> EngineDto {
    match e {
        Engine::Postgres => EngineDto::Postgres,
        Engine::Oracle => EngineDto::Oracle,
        Engine::OracleScript => EngineDto::OracleScript,
    }
}

fn environment(e: Environment) -> EnvironmentDto {
    match e {
        Environment::Dev => EnvironmentDto::Dev,
        Environment::Test => EnvironmentDto::Test,
        Environment::Prod => EnvironmentDto::Prod,
    }
}

/// Store input from the UI's form (the password is handled separately, never stored here). Only
/// the fields the engine uses are passed on; the store checks that they are filled in.
///
/// Fails with a readable message for a port out of range.
pub fn profile_input(input: &ProfileInputDto) -> Result<ProfileInput, CommandError> {
    let port = || {
        u16::try_from(input.port)
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| {
                CommandError::new(format!(
                    "Port {} is out of range: use a number from 1 to 65535.",
                    input.port
                ))
            })
    };
    let tns_alias = input.tns_alias.trim();
    let (engine, host, port, database, username) = match input.engine {
        EngineDto::Postgres => (
            Engine::Postgres,
            input.host.trim(),
            port()?,
            input.database.trim(),
            input.username.trim(),
        ),
        EngineDto::Oracle if !tns_alias.is_empty() => {
            (Engine::Oracle, "", 0, tns_alias, input.username.trim())
        }
        EngineDto::Oracle => (
            Engine::Oracle,
            // An empty host would turn the service name into a TNS alias: refuse it by name.
            non_empty("Host", input.host.trim())?,
            port()?,
            input.database.trim(),
            input.username.trim(),
        ),
        EngineDto::OracleScript => (Engine::OracleScript, "", 0, input.path.trim(), ""),
    };
    Ok(ProfileInput {
        id: input.id.clone().filter(|id| !id.is_empty()),
        name: input.name.trim().to_string(),
        engine,
        host: host.to_string(),
        port,
        database: database.to_string(),
        username: username.to_string(),
        environment: match input.environment {
            EnvironmentDto::Dev => Environment::Dev,
            EnvironmentDto::Test => Environment::Test,
            EnvironmentDto::Prod => Environment::Prod,
        },
    })
}

fn non_empty<'a>(field: &str, value: &'a str) -> Result<&'a str, CommandError> {
    if value.is_empty() {
        return Err(CommandError::new(format!(
            "{field} is empty: give the database's host, or connect with a TNS alias."
        )));
    }
    Ok(value)
}

/// Object kind as the UI sees it.
pub fn kind(k: ObjectKind) -> ObjectKindDto {
    match k {
        ObjectKind::Schema => ObjectKindDto::Schema,
        ObjectKind::Table => ObjectKindDto::Table,
        ObjectKind::View => ObjectKindDto::View,
        ObjectKind::MaterializedView => ObjectKindDto::MaterializedView,
        ObjectKind::Sequence => ObjectKindDto::Sequence,
        ObjectKind::Routine => ObjectKindDto::Routine,
        ObjectKind::Type => ObjectKindDto::Type,
        ObjectKind::Index => ObjectKindDto::Index,
        ObjectKind::Trigger => ObjectKindDto::Trigger,
        ObjectKind::Constraint => ObjectKindDto::Constraint,
    }
}

/// Engine object reference for a UI request.
pub fn object_ref(r: &ObjectRefDto) -> ObjectRef {
    let kind = match r.kind {
        ObjectKindDto::Schema => ObjectKind::Schema,
        ObjectKindDto::Table => ObjectKind::Table,
        ObjectKindDto::View => ObjectKind::View,
        ObjectKindDto::MaterializedView => ObjectKind::MaterializedView,
        ObjectKindDto::Sequence => ObjectKind::Sequence,
        ObjectKindDto::Routine => ObjectKind::Routine,
        ObjectKindDto::Type => ObjectKind::Type,
        ObjectKindDto::Index => ObjectKind::Index,
        ObjectKindDto::Trigger => ObjectKind::Trigger,
        ObjectKindDto::Constraint => ObjectKind::Constraint,
    };
    ObjectRef {
        kind,
        schema: r.schema.clone(),
        name: r.name.clone(),
    }
}

/// Sizes and counts arrive as `i64`; the UI gets `f64` (exact up to 2^53, far beyond any table).
fn widen(v: Option<i64>) -> Option<f64> {
    v.map(|n| n as f64)
}

fn leaf(kind: ObjectKindDto, schema: &str, name: &str) -> ObjectNode {
    ObjectNode {
        kind,
        schema: schema.to_string(),
        name: name.to_string(),
        row_estimate: None,
        total_bytes: None,
        children: Vec::new(),
    }
}

/// Discovery tree of a catalog: schemas → kinds → objects (tables carry indexes and triggers).
pub fn catalog_tree(profile_id: &str, catalog: &Catalog) -> CatalogTree {
    let schemas = catalog
        .schemas
        .iter()
        .map(|s| {
            let sn = s.name.as_str();
            let tables = s
                .tables
                .iter()
                .map(|t| {
                    let mut children: Vec<ObjectNode> = t
                        .indexes
                        .iter()
                        .map(|i| leaf(ObjectKindDto::Index, sn, &i.name))
                        .collect();
                    children.extend(
                        t.triggers
                            .iter()
                            .map(|tr| leaf(ObjectKindDto::Trigger, sn, &tr.name)),
                    );
                    ObjectNode {
                        kind: ObjectKindDto::Table,
                        schema: sn.to_string(),
                        name: t.name.clone(),
                        row_estimate: widen(t.stats.row_estimate),
                        total_bytes: widen(t.stats.total_bytes),
                        children,
                    }
                })
                .collect();
            let views = s
                .views
                .iter()
                .filter(|v| !v.materialized)
                .map(|v| leaf(ObjectKindDto::View, sn, &v.name))
                .collect();
            let matviews = s
                .views
                .iter()
                .filter(|v| v.materialized)
                .map(|v| leaf(ObjectKindDto::MaterializedView, sn, &v.name))
                .collect();
            let sequences = s
                .sequences
                .iter()
                .map(|q| leaf(ObjectKindDto::Sequence, sn, &q.name))
                .collect();
            let routines = s
                .routines
                .iter()
                .map(|r| leaf(ObjectKindDto::Routine, sn, &r.name))
                .collect();
            let types = s
                .types
                .iter()
                .map(|t| leaf(ObjectKindDto::Type, sn, t.name()))
                .collect();
            let groups = [
                (ObjectKindDto::Table, tables),
                (ObjectKindDto::View, views),
                (ObjectKindDto::MaterializedView, matviews),
                (ObjectKindDto::Sequence, sequences),
                (ObjectKindDto::Routine, routines),
                (ObjectKindDto::Type, types),
            ]
            .into_iter()
            .filter(|(_, objects): &(ObjectKindDto, Vec<ObjectNode>)| !objects.is_empty())
            .map(|(kind, objects)| KindGroup { kind, objects })
            .collect();
            SchemaNode {
                name: s.name.clone(),
                groups,
            }
        })
        .collect();
    let counts = catalog
        .object_counts()
        .into_iter()
        .map(|(k, n)| KindCount {
            kind: kind(k),
            count: u32::try_from(n).unwrap_or(u32::MAX),
        })
        .collect();
    CatalogTree {
        profile_id: profile_id.to_string(),
        schemas,
        counts,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn conversion_status(s: Status) -> ConversionStatusDto {
    match s {
        Status::Converted => ConversionStatusDto::Converted,
        Status::ConvertedWithFindings => ConversionStatusDto::ConvertedWithFindings,
        Status::NotConverted => ConversionStatusDto::NotConverted,
    }
}

fn severity(s: Severity) -> SeverityDto {
    match s {
        Severity::Info => SeverityDto::Info,
        Severity::Warning => SeverityDto::Warning,
        Severity::Error => SeverityDto::Error,
    }
}

/// One reported object as a list entry; `id` is its index in the conversion.
pub fn converted_object(id: usize, o: &ObjectReport) -> ConvertedObjectDto {
    ConvertedObjectDto {
        id: count(id),
        kind: o.kind.clone(),
        name: o.name.clone(),
        status: conversion_status(o.status),
        findings: count(o.findings.len()),
        file: o.file.display().to_string(),
        line: o.line,
    }
}

/// What the script reader skipped, with file and line.
pub fn script_notes(script: &Script) -> Vec<ScriptNoteDto> {
    script
        .notes
        .iter()
        .map(|n| ScriptNoteDto {
            file: n.file.display().to_string(),
            line: n.line,
            message: n.message.clone(),
        })
        .collect()
}

/// What reading the script source at `path` found: files, statements, PL/SQL units and notes.
pub fn script_check(path: &str, script: &Script) -> ScriptCheckDto {
    let files: BTreeSet<&std::path::Path> = script
        .statements
        .iter()
        .map(|s| s.file.as_path())
        .chain(script.notes.iter().map(|n| n.file.as_path()))
        .collect();
    ScriptCheckDto {
        path: path.to_string(),
        files: count(files.len()),
        statements: count(script.statements.len()),
        plsql_units: count(
            script
                .statements
                .iter()
                .filter(|s| s.kind == StatementKind::PlSql)
                .count(),
        ),
        notes: script_notes(script),
    }
}

/// The conversion of the source `path` (a file, folder or database URL) as the UI lists it.
pub fn conversion(path: &str, script: &Script, c: &Conversion) -> ConversionDto {
    let (converted, with_findings, not_converted) = c.status_counts();
    let kinds: BTreeSet<&str> = c.objects.iter().map(|o| o.kind.as_str()).collect();
    ConversionDto {
        path: path.to_string(),
        summary: ConversionSummaryDto {
            objects: count(c.objects.len()),
            converted: count(converted),
            with_findings: count(with_findings),
            not_converted: count(not_converted),
            data_statements: count(c.data.len()),
        },
        notes: script_notes(script),
        objects: c
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| converted_object(i, o))
            .collect(),
        kinds: kinds.into_iter().map(str::to_string).collect(),
    }
}

/// Line of a finding within the object's Oracle source (1-based), when it is in the same file
/// and within the source's lines.
pub fn source_line(object: &ObjectReport, finding: &Finding) -> Option<u32> {
    if finding.file != object.file || finding.line < object.line {
        return None;
    }
    let relative = finding.line - object.line + 1;
    let lines = count(object.oracle_source.lines().count());
    (relative <= lines).then_some(relative)
}

fn segments(s: Vec<godwit_review::Segment>) -> Vec<SegmentDto> {
    s.into_iter()
        .map(|s| SegmentDto {
            text: s.text,
            emphasized: s.emphasized,
        })
        .collect()
}

fn diff_row(r: godwit_review::Row) -> DiffRowDto {
    DiffRowDto {
        tag: match r.tag {
            godwit_review::Tag::Equal => DiffTagDto::Equal,
            godwit_review::Tag::Delete => DiffTagDto::Delete,
            godwit_review::Tag::Insert => DiffTagDto::Insert,
            godwit_review::Tag::Replace => DiffTagDto::Replace,
        },
        old_line: r.old_line,
        new_line: r.new_line,
        old: segments(r.old),
        new: segments(r.new),
    }
}

/// One object in detail: its source, its PostgreSQL SQL (when converted), findings placed on
/// source lines, and the side-by-side diff of the two.
pub fn object_detail(id: usize, c: &Conversion, o: &ObjectReport) -> ObjectDetailDto {
    let postgres_sql = c.postgres_sql(o);
    let diff = postgres_sql
        .as_deref()
        .map(|sql| {
            godwit_review::side_by_side(&o.oracle_source, sql)
                .into_iter()
                .map(diff_row)
                .collect()
        })
        .unwrap_or_default();
    ObjectDetailDto {
        object: converted_object(id, o),
        oracle_source: o.oracle_source.clone(),
        postgres_sql,
        findings: o
            .findings
            .iter()
            .map(|f| FindingDto {
                id: f.id.to_string(),
                severity: severity(f.severity),
                message: f.message.clone(),
                suggestion: f.suggestion.clone(),
                file: f.file.display().to_string(),
                line: f.line,
                source_line: source_line(o, f),
            })
            .collect(),
        diff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use godwit_catalog::{Index, Schema, Table, TableStats, View};

    fn table(name: &str, rows: Option<i64>, indexes: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: vec![],
            constraints: vec![],
            indexes: indexes
                .iter()
                .map(|i| Index {
                    name: (*i).into(),
                    unique: false,
                    method: "btree".into(),
                    keys: vec![],
                    include: vec![],
                    predicate: None,
                    comment: None,
                })
                .collect(),
            triggers: vec![],
            partitioning: None,
            partition_of: None,
            unlogged: false,
            comment: None,
            stats: TableStats {
                row_estimate: rows,
                total_bytes: Some(8192),
            },
        }
    }

    fn view(name: &str, materialized: bool) -> View {
        View {
            name: name.into(),
            materialized,
            query: "SELECT 1".into(),
            columns: vec![],
            check_option: None,
            indexes: vec![],
            depends_on: vec![],
            comment: None,
            column_comments: vec![],
        }
    }

    fn input(engine: EngineDto, port: u32) -> ProfileInputDto {
        ProfileInputDto {
            id: None,
            name: " shop ".into(),
            engine,
            host: "db.example.test".into(),
            port,
            database: "shop".into(),
            tns_alias: String::new(),
            path: String::new(),
            username: "app".into(),
            environment: EnvironmentDto::Prod,
            password: Some("secret".into()),
        }
    }

    #[test]
    fn tree_groups_objects_by_kind_and_nests_indexes_under_tables() {
        let catalog = Catalog {
            schemas: vec![Schema {
                name: "shop".into(),
                tables: vec![table("orders", Some(500), &["orders_customer_idx"])],
                views: vec![view("big_orders", false), view("daily_totals", true)],
                ..Default::default()
            }],
        };
        let tree = catalog_tree("p1", &catalog);
        assert_eq!(tree.profile_id, "p1");
        let schema = &tree.schemas[0];
        let kinds: Vec<_> = schema.groups.iter().map(|g| g.kind).collect();
        assert_eq!(
            kinds,
            [
                ObjectKindDto::Table,
                ObjectKindDto::View,
                ObjectKindDto::MaterializedView
            ]
        );
        let orders = &schema.groups[0].objects[0];
        assert_eq!(orders.row_estimate, Some(500.0));
        assert_eq!(orders.total_bytes, Some(8192.0));
        assert_eq!(orders.children[0].kind, ObjectKindDto::Index);
        assert_eq!(orders.children[0].name, "orders_customer_idx");
        assert_eq!(schema.groups[2].objects[0].name, "daily_totals");
    }

    #[test]
    fn unknown_row_estimate_stays_unknown() {
        let catalog = Catalog {
            schemas: vec![Schema {
                name: "s".into(),
                tables: vec![table("t", None, &[])],
                ..Default::default()
            }],
        };
        let tree = catalog_tree("p", &catalog);
        assert_eq!(tree.schemas[0].groups[0].objects[0].row_estimate, None);
    }

    #[test]
    fn profile_input_trims_names_and_checks_the_port() {
        let store_input = profile_input(&input(EngineDto::Postgres, 5432)).expect("valid input");
        assert_eq!(store_input.name, "shop");
        assert_eq!(store_input.port, 5432);
        assert!(matches!(store_input.environment, Environment::Prod));
    }

    #[test]
    fn oracle_profiles_connect_by_service_name_or_tns_alias() {
        let ez = profile_input(&input(EngineDto::Oracle, 1521)).expect("valid input");
        assert_eq!(
            (ez.engine, ez.host.as_str(), ez.port, ez.database.as_str()),
            (Engine::Oracle, "db.example.test", 1521, "shop")
        );
        // A TNS alias wins over host, port and service name, whatever the form still holds.
        let mut alias = input(EngineDto::Oracle, 0);
        alias.tns_alias = " PRODDB ".into();
        let tns = profile_input(&alias).expect("valid input");
        assert_eq!(
            (
                tns.host.as_str(),
                tns.port,
                tns.database.as_str(),
                tns.username.as_str()
            ),
            ("", 0, "PRODDB", "app")
        );
        let mut no_host = input(EngineDto::Oracle, 1521);
        no_host.host = " ".into();
        let err = profile_input(&no_host).unwrap_err();
        assert!(err.message.contains("TNS alias"), "{}", err.message);
    }

    #[test]
    fn script_sources_keep_only_their_path() {
        let mut i = input(EngineDto::OracleScript, 0);
        i.path = " /data/shop.sql ".into();
        let script = profile_input(&i).expect("valid input");
        assert_eq!(
            (
                script.engine,
                script.host.as_str(),
                script.port,
                script.database.as_str(),
                script.username.as_str()
            ),
            (Engine::OracleScript, "", 0, "/data/shop.sql", "")
        );
    }

    #[test]
    fn profiles_show_the_alias_and_the_path_in_their_own_fields() {
        let stored = |engine: Engine, host: &str, port: u16, database: &str| Profile {
            id: "p".into(),
            name: "n".into(),
            engine,
            host: host.into(),
            port,
            database: database.into(),
            username: "hr".into(),
            environment: Environment::Dev,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let ez = profile(stored(Engine::Oracle, "db", 1521, "FREEPDB1"));
        assert_eq!(
            (
                ez.engine,
                ez.database.as_str(),
                ez.tns_alias.as_str(),
                ez.path.as_str()
            ),
            (EngineDto::Oracle, "FREEPDB1", "", "")
        );
        let tns = profile(stored(Engine::Oracle, "", 0, "PRODDB"));
        assert_eq!(
            (tns.database.as_str(), tns.tns_alias.as_str()),
            ("", "PRODDB")
        );
        let script = profile(stored(Engine::OracleScript, "", 0, "/data/shop.sql"));
        assert_eq!(
            (
                script.engine,
                script.database.as_str(),
                script.path.as_str()
            ),
            (EngineDto::OracleScript, "", "/data/shop.sql")
        );
        let pg = profile(stored(Engine::Postgres, "db", 5432, "shop"));
        assert_eq!(
            (
                pg.engine,
                pg.database.as_str(),
                pg.tns_alias.as_str(),
                pg.path.as_str()
            ),
            (EngineDto::Postgres, "shop", "", "")
        );
    }

    #[test]
    fn ports_outside_1_to_65535_are_refused() {
        for port in [0, 65536, 100_000] {
            for engine in [EngineDto::Postgres, EngineDto::Oracle] {
                let err = profile_input(&input(engine, port)).unwrap_err();
                assert!(err.message.contains("out of range"), "{}", err.message);
            }
        }
    }

    fn conversion_of(sql: &str) -> (Script, Conversion) {
        let dir =
            std::env::temp_dir().join(format!("godwit-desktop-convert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{:x}.sql", sql.len() * 31 + sql.lines().count()));
        std::fs::write(&file, sql).unwrap();
        let script = godwit_oracle::read_input(&file).unwrap();
        let conversion = godwit_convert::convert(&script.statements, &Default::default());
        (script, conversion)
    }

    #[test]
    fn conversion_lists_objects_with_ids_counts_and_kinds() {
        let (script, c) = conversion_of(
            "CREATE TABLE t (id NUMBER(10) PRIMARY KEY, d DATE);\n\nCREATE VIEW v AS SELECT id FROM t;\n\nCREATE PROCEDURE p AS\nBEGIN\n  GOTO done;\n  <<done>>\n  NULL;\nEND;\n/\n",
        );
        let dto = conversion("x.sql", &script, &c);
        assert_eq!(dto.objects.len(), c.objects.len());
        assert!(dto
            .objects
            .iter()
            .enumerate()
            .all(|(i, o)| o.id as usize == i));
        let s = &dto.summary;
        assert_eq!(s.converted + s.with_findings + s.not_converted, s.objects);
        assert!(s.not_converted >= 1, "{s:?}");
        assert!(
            dto.kinds.contains(&"TABLE".to_string()) && dto.kinds.contains(&"VIEW".to_string())
        );
    }

    #[test]
    fn script_check_counts_files_statements_and_plsql_units() {
        let (script, _) = conversion_of(
            "CREATE TABLE t (id NUMBER);\nINSERT INTO t VALUES (1);\nCREATE PROCEDURE p AS\nBEGIN\n  NULL;\nEND;\n/\n",
        );
        let check = script_check("x.sql", &script);
        assert_eq!(
            (check.files, check.statements, check.plsql_units),
            (1, 3, 1)
        );
        assert_eq!(check.path, "x.sql");
    }

    #[test]
    fn detail_places_findings_on_source_lines_and_diffs_converted_objects() {
        let (_, c) = conversion_of(
            "-- header\nCREATE TABLE t (\n  id NUMBER(10) PRIMARY KEY,\n  r ROWID\n);\n",
        );
        let (i, table) = c
            .objects
            .iter()
            .enumerate()
            .find(|(_, o)| o.kind == "TABLE")
            .unwrap();
        let detail = object_detail(i, &c, table);
        assert!(detail
            .postgres_sql
            .as_deref()
            .unwrap()
            .contains("CREATE TABLE"));
        assert!(detail.diff.iter().any(|r| r.tag != DiffTagDto::Equal));
        for f in &detail.findings {
            let line = f.source_line.expect("finding inside the table source");
            assert!(line as usize <= detail.oracle_source.lines().count());
        }
    }

    #[test]
    fn findings_outside_the_source_stay_unlinked() {
        let o = ObjectReport {
            kind: "TABLE".into(),
            name: "s.t".into(),
            file: "a.sql".into(),
            line: 10,
            status: Status::ConvertedWithFindings,
            findings: vec![],
            oracle_source: "CREATE TABLE t (\n  x INT\n)".into(),
        };
        let at = |file: &str, line: u32| Finding {
            id: "GW-TEST",
            severity: Severity::Warning,
            file: file.into(),
            line,
            message: String::new(),
            suggestion: String::new(),
        };
        assert_eq!(source_line(&o, &at("a.sql", 10)), Some(1));
        assert_eq!(source_line(&o, &at("a.sql", 12)), Some(3));
        assert_eq!(source_line(&o, &at("a.sql", 13)), None);
        assert_eq!(source_line(&o, &at("a.sql", 9)), None);
        assert_eq!(source_line(&o, &at("b.sql", 11)), None);
    }
}
