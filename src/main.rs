//! The `payrules` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use payrules::policy::PolicySet;
use payrules::run::{parse_request, run};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "payrules",
    version,
    about = "Pay of full-time community workers, exact to the fen and explained line by line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a JSON request (see README "The JSON documents") and write the response.
    ///
    /// Exit 0 when complete; 2 when inputs had errors (the response is still
    /// written, with "complete": false); 1 when the request cannot be read.
    Run {
        /// The request file, or - for standard input.
        request: PathBuf,
        /// Write the response here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Policy TOML file (used when the request carries no policy); default: built-in.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Price a policy change: run base and reform on the same inputs and compare.
    ///
    /// Exit 0 when complete; 2 when inputs had errors (the report is still
    /// written); 1 when the reform, policy or request cannot be read.
    Whatif(WhatifArgs),
    /// Show or check policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["period", "year"])))]
struct WhatifArgs {
    /// Reform TOML file (see README "What-if runs").
    #[arg(long)]
    reform: PathBuf,
    /// One month, YYYY-MM.
    #[arg(long)]
    period: Option<String>,
    /// A year, YYYY: the twelve monthly runs and the annual run.
    #[arg(long)]
    year: Option<String>,
    #[command(flatten)]
    inputs: InputArgs,
    /// Base policy TOML file (used when the request carries no policy); default: built-in.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Where the workers, assessments and honours come from. (HR files —
/// roster, assessments, honours as CSV/XLSX — are to join `--request` here.)
#[derive(clap::Args)]
struct InputArgs {
    /// A JSON run request (as for `payrules run`) supplying workers,
    /// assessments and honours; its kind and period are ignored. - for standard input.
    #[arg(long)]
    request: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Aligned text for a terminal.
    Table,
    /// One CSV table with a `record` column.
    Csv,
    /// The JSON what-if document.
    Json,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy version in force on a date, as TOML.
    Show {
        /// Policy TOML file; default: the built-in policy.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The date (YYYY-MM-DD); default: today.
        #[arg(long)]
        on: Option<String>,
    },
    /// Check a policy file: exit 0, or 1 listing every problem.
    Check {
        /// Policy TOML file.
        file: PathBuf,
    },
}

/// A failure that ends the command: message and exit code.
struct Fail(String, u8);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string(), 1)
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>, Fail> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Fail(format!("cannot read standard input: {e}"), 1))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| Fail(format!("cannot read {}: {e}", path.display()), 1))
}

fn load_policy(path: Option<&Path>) -> Result<PolicySet, Fail> {
    match path {
        None => Ok(PolicySet::builtin()),
        Some(p) => {
            let bytes = read_input(p)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Fail(format!("{}: policy is not UTF-8 text", p.display()), 1))?;
            PolicySet::from_toml(&text).map_err(|e| Fail(format!("{}: {e}", p.display()), 1))
        }
    }
}

/// Writes `text` to `path` completely or not at all (temporary file, then rename).
fn write_output(path: Option<&Path>, text: &str) -> Result<(), Fail> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.write_all(b"\n"))
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))
        }
        Some(p) => {
            let tmp = p.with_extension("partial");
            std::fs::write(&tmp, format!("{text}\n"))
                .and_then(|_| std::fs::rename(&tmp, p))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    Fail(format!("cannot write {}: {e}", p.display()), 1)
                })
        }
    }
}

fn today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days((secs / 86_400) as i64)
}

fn main_inner(cli: Cli) -> Result<u8, Fail> {
    match cli.command {
        Command::Run {
            request,
            output,
            policy,
        } => {
            let bytes = read_input(&request)?;
            let policy = load_policy(policy.as_deref())?;
            let req = match parse_request(&bytes) {
                Ok(req) => req,
                Err(_) if payrules::reform::is_whatif(&bytes) => {
                    // A what-if document: the same answer as `payrules_run_json`.
                    let resp = payrules::run::run_json(&bytes, Some(&policy))
                        .map_err(|e| Fail(format!("{}: {e}", request.display()), 1))?;
                    write_output(output.as_deref(), &resp.json)?;
                    return Ok(if resp.complete { 0 } else { 2 });
                }
                Err(e) => return Err(Fail(format!("{}: {e}", request.display()), 1)),
            };
            let result = run(&req, Some(&policy))
                .map_err(|e| Fail(format!("{}: {e}", request.display()), 1))?;
            write_output(output.as_deref(), &result.to_json())?;
            for e in &result.errors {
                eprintln!("{}: {e}", request.display());
            }
            Ok(if result.complete() { 0 } else { 2 })
        }
        Command::Whatif(args) => whatif(args),
        Command::Policy {
            command: PolicyCommand::Show { policy, on },
        } => {
            let set = load_policy(policy.as_deref())?;
            let date = match on {
                Some(d) => {
                    payrules::period::parse_date(&d).map_err(|e| Fail(format!("--on: {e}"), 1))?
                }
                None => today(),
            };
            let v = set.version_on(date)?;
            let one = PolicySet {
                versions: vec![v.clone()],
                ..set.clone()
            };
            println!(
                "# policy {} version {} — in force on {date}",
                set.id, v.version
            );
            print!("{}", one.to_toml());
            Ok(0)
        }
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => {
            let set = load_policy(Some(&file))?;
            println!(
                "{}: ok — policy {} with {} version(s)",
                file.display(),
                set.id,
                set.versions.len()
            );
            Ok(0)
        }
    }
}

fn whatif(args: WhatifArgs) -> Result<u8, Fail> {
    use payrules::reform::{Reform, Scope, compare};
    let rpath = &args.reform;
    let text = String::from_utf8(read_input(rpath)?)
        .map_err(|_| Fail(format!("{}: reform is not UTF-8 text", rpath.display()), 1))?;
    let reform =
        Reform::from_toml(&text).map_err(|e| Fail(format!("{}: {e}", rpath.display()), 1))?;
    let scope_text = args.period.or(args.year).unwrap_or_default();
    let scope = Scope::parse(&scope_text).map_err(|e| Fail(format!("--period/--year: {e}"), 1))?;
    let request = &args.inputs.request;
    let bytes = read_input(request)?;
    let req = parse_request(&bytes).map_err(|e| Fail(format!("{}: {e}", request.display()), 1))?;
    let base = match &req.policy {
        Some(text) => PolicySet::from_toml(text)
            .map_err(|e| Fail(format!("{}: policy: {e}", request.display()), 1))?,
        None => load_policy(args.policy.as_deref())?,
    };
    let result = compare(req, &base, &reform, scope).map_err(|e| match e {
        payrules::run::RequestError::Reform(e) => Fail(format!("{}: {e}", rpath.display()), 1),
        e => Fail(format!("{}: {e}", request.display()), 1),
    })?;
    let text = match args.format {
        Format::Table => result.to_table(),
        Format::Csv => result.to_csv(),
        Format::Json => result.to_json(),
    };
    write_output(args.output.as_deref(), text.trim_end())?;
    for e in &result.errors {
        eprintln!(
            "{}: {} ({:?}): {}",
            request.display(),
            e.period,
            e.side,
            e.error
        );
    }
    Ok(if result.complete() { 0 } else { 2 })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match main_inner(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fail(msg, code)) => {
            eprintln!("payrules: {msg}");
            ExitCode::from(code)
        }
    }
}
