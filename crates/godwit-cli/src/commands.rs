//! The subcommands: thin layers that resolve arguments, call the engine crates and print results.

use crate::{Command, Env, Failure, Format, ProfileCommand, Selection};
use godwit_catalog::{creation_order, dependencies, Catalog, DependencyReason, ObjectKind};
use godwit_postgres::{redact_url, HealthReport, SchemaFilter};
use godwit_store::{Engine, Environment, ProfileInput, Secrets, Store};
use std::collections::BTreeMap;
use std::io::Write;

pub async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Health {
            source,
            target,
            format,
        } => health(&source, target.as_deref(), format).await,
        Command::Discover { selection, format } => discover(&selection, format).await,
        Command::Ddl { selection, output } => ddl(&selection, &output).await,
        Command::Profile(command) => profile(command).await,
        Command::Copy {
            selection,
            target,
            jobs,
            chunk_pages,
            chunk_by,
            create_schema,
            disable_triggers,
            defer_indexes,
            hash_by_client,
            resume,
            verify,
            sample_rows,
            on_error,
            nul,
            chunk_rows,
            copy_text,
            format,
        } => {
            let on_error = match on_error {
                crate::OnError::Stop => godwit_transfer::OnError::Stop,
                crate::OnError::Skip => godwit_transfer::OnError::Skip,
            };
            let level = match verify {
                crate::Verify::Off => godwit_transfer::Verify::Off,
                crate::Verify::Count => godwit_transfer::Verify::Count,
                crate::Verify::Hash => godwit_transfer::Verify::Hash,
                crate::Verify::Sample => godwit_transfer::Verify::Sample,
            };
            if crate::copy_command::is_oracle_source(&selection.source) {
                let nul = match nul {
                    crate::Nul::Fail => godwit_transfer::NulPolicy::Fail,
                    crate::Nul::Strip => godwit_transfer::NulPolicy::Strip,
                    crate::Nul::Replace => godwit_transfer::NulPolicy::Replace,
                };
                return crate::copy_command::copy_from_oracle(
                    crate::copy_command::OracleCopyArgs {
                        selection: &selection,
                        target: &target,
                        options: godwit_transfer::OracleCopyOptions {
                            chunk_rows,
                            nul,
                            on_error,
                            jobs,
                            verify: level,
                            disable_triggers,
                            defer_indexes,
                            copy_text,
                        },
                        create_schema,
                        resume: resume.as_deref(),
                        format,
                    },
                )
                .await;
            }
            let verification = godwit_transfer::Verification { level, sample_rows };
            let chunk_by = match chunk_by {
                crate::ChunkBy::Blocks => godwit_transfer::ChunkBy::Blocks,
                crate::ChunkBy::Key => godwit_transfer::ChunkBy::Key,
            };
            crate::copy_command::copy(
                &selection,
                &target,
                jobs,
                chunk_pages,
                chunk_by,
                create_schema,
                disable_triggers,
                defer_indexes,
                hash_by_client,
                &verification,
                on_error,
                resume.as_deref(),
                format,
            )
            .await
        }
        Command::Convert {
            from: crate::Dialect::Oracle,
            input,
            output,
            report,
            schema,
            rules,
            oracle_driver,
            ccflags,
            check_on,
        } => {
            crate::convert_command::convert(crate::convert_command::ConvertArgs {
                input: &input,
                output: &output,
                report: report.as_deref(),
                schema: &schema,
                rules: rules.as_deref(),
                driver: oracle_driver,
                ccflags: &ccflags,
                check_on: check_on.as_deref(),
            })
            .await
        }
    }
}

/// Turns a SOURCE/TARGET argument (URL or profile name) into a URL with its password.
pub(crate) async fn resolve(source: &str) -> Result<String, Failure> {
    let env_password = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty());
    if source.contains("://") {
        return Ok(match env_password {
            Some(p) if !has_password(source) => add_password(source, &p),
            _ => source.to_string(),
        });
    }
    let store = Store::open_default().map_err(Failure::operation)?;
    let profile = store.get_profile(source).map_err(|e| {
        Failure::input(format!(
            "{e}; give a postgresql:// URL or one of the saved profiles (godwit profile list)"
        ))
    })?;
    let id = profile.id.clone();
    let saved = tokio::task::spawn_blocking(move || Secrets::new().password(&id))
        .await
        .map_err(Failure::operation)?
        .map_err(|e| Failure::operation(format!("profile {:?}: {e}", profile.name)))?;
    Ok(profile.connection_url(saved.or(env_password).as_deref()))
}

fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rfind('@')
        .is_some_and(|at| authority[..at].contains(':'))
        || url.contains("password=")
}

fn add_password(url: &str, password: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}password={}",
        godwit_store::percent_encode(password)
    )
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(Failure::operation)?;
    println!("{text}");
    Ok(())
}

async fn health(source: &str, target: Option<&str>, format: Format) -> Result<(), Failure> {
    let mut reports: Vec<(&str, String, HealthReport)> = Vec::new();
    for (role, arg) in [("source", Some(source)), ("target", target)] {
        let Some(arg) = arg else { continue };
        let url = resolve(arg).await?;
        let report = godwit_postgres::health(&url)
            .await
            .map_err(|e| Failure::operation(format!("{role}: {e}")))?;
        reports.push((role, redact_url(&url), report));
    }
    match format {
        Format::Json => {
            let map: BTreeMap<&str, serde_json::Value> = reports
                .iter()
                .map(|(role, url, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["url"] = serde_json::Value::String(url.clone());
                    (*role, v)
                })
                .collect();
            print_json(&map)
        }
        Format::Table => {
            for (role, url, r) in &reports {
                println!("{role}: {url}");
                println!("  server      PostgreSQL {}", r.server_version);
                println!("  user        {} on database {}", r.user, r.database);
                println!("  latency     {:.3} ms", r.latency_ms);
                println!("  tls         {}", if r.tls { "yes" } else { "no" });
                println!(
                    "  privileges  {}",
                    if r.privileges.is_empty() {
                        "none beyond connect".into()
                    } else {
                        r.privileges.join(", ")
                    }
                );
            }
            Ok(())
        }
    }
}

async fn read_catalog(selection: &Selection) -> Result<Catalog, Failure> {
    let url = resolve(&selection.source).await?;
    let filter = SchemaFilter {
        schemas: selection.schemas.clone(),
        include: selection.include.clone(),
        exclude: selection.exclude.clone(),
    };
    let client = godwit_postgres::connect(&url)
        .await
        .map_err(|e| Failure::operation(format!("source: {e}")))?;
    tracing::info!(source = %redact_url(&url), "reading the catalog");
    godwit_postgres::discover(&client, &filter)
        .await
        .map_err(|e| match e {
            godwit_postgres::ReadError::Query { .. } => Failure::operation(e),
            _ => Failure::input(e),
        })
}

/// Bytes as a short human figure (kB, MB, GB with 1024 steps, like pg_size_pretty).
fn size(bytes: Option<i64>) -> String {
    let Some(bytes) = bytes else {
        return "-".into();
    };
    let units = ["bytes", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 10.0 * 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{} {}", value.round() as i64, units[unit])
}

async fn discover(selection: &Selection, format: Format) -> Result<(), Failure> {
    let catalog = read_catalog(selection).await?;
    if let Format::Json = format {
        return print_json(&catalog);
    }
    println!("Objects");
    for (kind, count) in catalog.object_counts() {
        println!("  {:<20} {count:>6}", kind.label());
    }
    println!("\nTables{:>44} {:>12}", "rows (est.)", "size");
    for schema in &catalog.schemas {
        for t in &schema.tables {
            let name = format!("{}.{}", schema.name, t.name);
            let rows = t
                .stats
                .row_estimate
                .map(|r| r.to_string())
                .unwrap_or_else(|| "-".into());
            println!("  {name:<40} {rows:>12} {:>12}", size(t.stats.total_bytes));
        }
    }
    let deps = dependencies(&catalog);
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &deps {
        let reason = match d.reason {
            DependencyReason::ForeignKey { .. } => "foreign keys",
            DependencyReason::PartitionOf => "partitions",
            DependencyReason::ViewReads => "view reads",
            DependencyReason::UsesType { .. } => "type uses",
            DependencyReason::TriggerFunction { .. } => "trigger functions",
        };
        *by_reason.entry(reason).or_default() += 1;
    }
    let order = creation_order(&catalog);
    println!(
        "\nDependencies: {} ({})",
        deps.len(),
        by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if order.deferred_foreign_keys.is_empty() {
        println!("Foreign-key cycles: none");
    } else {
        let names: Vec<String> = order
            .deferred_foreign_keys
            .iter()
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        println!(
            "Foreign-key cycles: broken by adding {} after the data",
            names.join(", ")
        );
    }
    let views = catalog
        .object_counts()
        .iter()
        .filter(|(k, _)| matches!(k, ObjectKind::View | ObjectKind::MaterializedView))
        .map(|(_, n)| n)
        .sum::<usize>();
    println!(
        "Creation order: {} types, {} tables, {views} views",
        order.types.len(),
        order.tables.len()
    );
    Ok(())
}

async fn ddl(selection: &Selection, output: &std::path::Path) -> Result<(), Failure> {
    let catalog = read_catalog(selection).await?;
    let script = godwit_postgres::render(&catalog);
    write_output(output, &script.to_sql())?;
    eprintln!(
        "wrote {} ({} statements)",
        output.display(),
        script.statements.len()
    );
    Ok(())
}

pub(crate) fn write_output(output: &std::path::Path, sql: &str) -> Result<(), Failure> {
    if output.as_os_str() == "-" {
        std::io::stdout()
            .write_all(sql.as_bytes())
            .map_err(Failure::operation)?;
        return Ok(());
    }
    let write_error =
        |e: std::io::Error| Failure::operation(format!("cannot write {}: {e}", output.display()));
    // A device or pipe (/dev/null, /dev/stdout, a FIFO) is written as it is: renaming over it would
    // replace it with a regular file.
    if std::fs::metadata(output).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::write(output, sql).map_err(write_error);
    }
    // Write next to the target and rename, so a failure never leaves a half-written script.
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let temp = dir.join(format!(
        ".{}.godwit-tmp",
        output.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    std::fs::write(&temp, &sql).map_err(write_error)?;
    std::fs::rename(&temp, output).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        write_error(e)
    })?;
    Ok(())
}

async fn profile(command: ProfileCommand) -> Result<(), Failure> {
    let store = Store::open_default().map_err(Failure::operation)?;
    match command {
        ProfileCommand::Add { name, url, env } => {
            let config: tokio_postgres_config::Parsed =
                tokio_postgres_config::parse(&url).map_err(Failure::input)?;
            let profile = store
                .save_profile(ProfileInput {
                    id: None,
                    name,
                    engine: Engine::Postgres,
                    host: config.host,
                    port: config.port,
                    database: config.database,
                    username: config.user,
                    environment: match env {
                        Env::Dev => Environment::Dev,
                        Env::Test => Environment::Test,
                        Env::Prod => Environment::Prod,
                    },
                })
                .map_err(Failure::input)?;
            if let Some(password) = config.password {
                let id = profile.id.clone();
                let saved = tokio::task::spawn_blocking(move || {
                    Secrets::new().set_password(&id, &password)
                })
                .await
                .map_err(Failure::operation)?;
                if let Err(e) = saved {
                    let _ = store.delete_profile(&profile.id);
                    return Err(Failure::operation(format!(
                        "profile {:?} not saved: {e}",
                        profile.name
                    )));
                }
            }
            eprintln!(
                "saved profile {:?} ({})",
                profile.name,
                profile.connection_url(None)
            );
            Ok(())
        }
        ProfileCommand::List { format } => {
            let profiles = store.list_profiles().map_err(Failure::operation)?;
            match format {
                Format::Json => print_json(&profiles),
                Format::Table => {
                    for p in profiles {
                        let env = serde_json::to_value(p.environment)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        println!("{:<24} {:<5} {}", p.name, env, p.connection_url(None));
                    }
                    Ok(())
                }
            }
        }
        ProfileCommand::Remove { name } => {
            let profile = store.get_profile(&name).map_err(Failure::input)?;
            let id = profile.id.clone();
            tokio::task::spawn_blocking(move || Secrets::new().delete_password(&id))
                .await
                .map_err(Failure::operation)?
                .map_err(Failure::operation)?;
            store
                .delete_profile(&profile.id)
                .map_err(Failure::operation)?;
            eprintln!("removed profile {name:?}");
            Ok(())
        }
    }
}

/// The parts of a `postgresql://` URL a profile stores.
mod tokio_postgres_config {
    pub struct Parsed {
        pub host: String,
        pub port: u16,
        pub database: String,
        pub user: String,
        pub password: Option<String>,
    }

    pub fn parse(url: &str) -> Result<Parsed, String> {
        let bad = |reason: &str| {
            format!(
                "invalid connection URL {}: {reason}",
                godwit_postgres::redact_url(url)
            )
        };
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| bad(&e.to_string()))?;
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => return Err(bad("a profile needs a TCP host name")),
        };
        let user = config
            .get_user()
            .ok_or_else(|| bad("no user name"))?
            .to_string();
        Ok(Parsed {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            database: config.get_dbname().unwrap_or(&user).to_string(),
            password: config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_pg_size_pretty() {
        assert_eq!(size(Some(8192)), "8192 bytes");
        assert_eq!(size(Some(16384)), "16 kB");
        assert_eq!(size(Some(50 * 1024 * 1024)), "50 MB");
        assert_eq!(size(None), "-");
    }

    #[test]
    fn passwords_from_pgpassword_are_added_only_when_missing() {
        assert!(has_password("postgresql://u:p@h/db"));
        assert!(!has_password("postgresql://u@h/db"));
        assert_eq!(
            add_password("postgresql://u@h/db", "a b"),
            "postgresql://u@h/db?password=a%20b"
        );
    }
}
