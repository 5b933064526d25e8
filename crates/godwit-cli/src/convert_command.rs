//! `godwit convert`: an Oracle script, folder or live schema to one PostgreSQL script and a report,
//! optionally checked on a real PostgreSQL (`--check-on`) in a transaction that is rolled back.

use crate::commands::{resolve, write_output};
use crate::Failure;

/// The arguments of `godwit convert`.
pub struct ConvertArgs<'a> {
    pub input: &'a std::path::Path,
    pub output: &'a std::path::Path,
    pub report: Option<&'a std::path::Path>,
    pub schema: &'a str,
    pub rules: Option<&'a std::path::Path>,
    pub driver: crate::OracleDriver,
    pub ccflags: &'a str,
    /// A PostgreSQL URL or profile to check the converted script on.
    pub check_on: Option<&'a str>,
}

/// `name:value,…` (Oracle's PLSQL_CCFLAGS syntax) as upper-case names and values.
pub(crate) fn parse_ccflags(text: &str) -> Result<godwit_convert::conditional::Flags, String> {
    let mut flags = godwit_convert::conditional::Flags::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((name, value)) = item.split_once(':') else {
            return Err(format!("--ccflags: {item:?} is not name:value"));
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("--ccflags: {name:?} is not a flag name"));
        }
        flags.insert(name.to_ascii_uppercase(), value.trim().to_string());
    }
    Ok(flags)
}

/// Prints what reading a script skipped or noticed, on stderr, each with its file and line.
pub(crate) fn print_notes(notes: &[godwit_oracle::script::ScriptNote]) {
    for note in notes {
        eprintln!(
            "note: {}:{}: {}",
            note.file.display(),
            note.line,
            note.message
        );
    }
}

/// Converts, checks on the target when asked, then writes the script and the report (never a
/// half-written file).
pub async fn convert(args: ConvertArgs<'_>) -> Result<(), Failure> {
    let ConvertArgs {
        input,
        output,
        report,
        schema,
        rules,
        driver,
        ccflags,
        check_on,
    } = args;
    let ccflags = parse_ccflags(ccflags).map_err(Failure::input)?;
    let rules = match rules {
        Some(path) => godwit_convert::rules::Rules::load(path).map_err(Failure::input)?,
        None => Default::default(),
    };
    let script = match input.to_str().filter(|i| i.starts_with("oracle://")) {
        // A live Oracle database: its schema's DDL through DBMS_METADATA.
        Some(url) => {
            let url = godwit_oracle::live::OracleUrl::parse(url).map_err(Failure::input)?;
            let mut session: Box<dyn godwit_oracle::live::OracleSession> = match driver {
                crate::OracleDriver::Thick => {
                    Box::new(godwit_oracle::live::connect(&url).map_err(Failure::operation)?)
                }
                crate::OracleDriver::Thin => thin_session(&url)?,
            };
            let owner = std::env::var("GODWIT_ORACLE_SCHEMA").unwrap_or_else(|_| url.user.clone());
            let live = godwit_oracle::live::read_schema(session.as_mut(), &owner)
                .map_err(Failure::operation)?;
            godwit_oracle::script::Script {
                statements: live.statements,
                notes: Vec::new(),
            }
        }
        None => godwit_oracle::read_input(input).map_err(Failure::input)?,
    };
    print_notes(&script.notes);
    let options = godwit_convert::Options {
        default_schema: schema.to_string(),
        rules,
        ccflags,
    };
    let mut conversion = godwit_convert::convert(&script.statements, &options);
    if let Some(target) = check_on {
        check(target, &mut conversion, &options).await?;
    }
    write_output(output, &conversion.to_sql(&options))?;
    if let Some(path) = report {
        let json =
            serde_json::to_string_pretty(&conversion.report_json()).map_err(Failure::operation)?;
        write_output(path, &json)?;
    }
    let (converted, with_findings, not_converted) = conversion.status_counts();
    eprintln!(
        "converted {} statements: {converted} objects converted, {with_findings} with findings, {not_converted} not converted; {} data statements",
        script.statements.len(),
        conversion.data.len()
    );
    Ok(())
}

/// A session on Oracle's pure-Rust thin driver.
#[cfg(feature = "thin")]
fn thin_session(
    url: &godwit_oracle::live::OracleUrl,
) -> Result<Box<dyn godwit_oracle::live::OracleSession>, Failure> {
    Ok(Box::new(
        godwit_oracle::live::connect_thin(url).map_err(Failure::operation)?,
    ))
}

/// This build has no thin driver: say how to get one.
#[cfg(not(feature = "thin"))]
fn thin_session(
    _url: &godwit_oracle::live::OracleUrl,
) -> Result<Box<dyn godwit_oracle::live::OracleSession>, Failure> {
    Err(Failure::input(
        "this godwit was built without the thin Oracle driver: build it with `cargo build -p godwit-cli --features thin`, or use --oracle-driver thick",
    ))
}

/// Writes `text` to `output` (`-` is stdout) through a temporary file and a rename, so a failure never
/// leaves a half-written file.
/// Runs the check on the target and says what it did on stderr.
async fn check(
    target: &str,
    conversion: &mut godwit_convert::Conversion,
    options: &godwit_convert::Options,
) -> Result<(), Failure> {
    let url = resolve(target).await?;
    let redacted = godwit_postgres::redact_url(&url);
    let mut client = godwit_postgres::connect(&url)
        .await
        .map_err(|e| Failure::operation(format!("--check-on {redacted}: {e}")))?;
    let checked = godwit_convert::check_on_target(&mut client, conversion, options)
        .await
        .map_err(|e| Failure::operation(format!("--check-on {redacted}: {e}")))?;
    let bodies = if checked.plpgsql_check {
        format!("{} routines passed plpgsql_check", checked.routines_checked)
    } else {
        "plpgsql_check is not installed there, so routine bodies were checked by check_function_bodies only".to_string()
    };
    eprintln!(
        "checked on {redacted} (rolled back): {} statements ran, {bodies}; {} left out with the server's error",
        checked.statements, checked.rejected
    );
    Ok(())
}
