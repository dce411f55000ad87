//! The CLI's workflows, callable in-process: [`run`] takes the parsed
//! arguments and a [`Console`] (standard output and error, or buffers in a
//! test) and returns the exit code; `src/main.rs` only parses and calls it.
//!
//! Exit codes: 0 done; 1 nothing written (bad input file, policy, or
//! arguments); 2 input errors (with `--allow-partial`: written without the
//! rows in error).
//!
//! ```
//! use payrules::app::{Console, run_args};
//! let mut con = Console::buffered();
//! let code = run_args(["payrules", "policy", "show", "--on", "2026/11/1"], &mut con);
//! assert_eq!(code, 0);
//! assert!(con.stdout_text().contains("in force on 2026-11-01"));
//! ```

/// Writes a line to the console's standard output (a failed write is not an error of the run).
macro_rules! outln {
    ($con:expr) => {{ let _ = writeln!($con.out); }};
    ($con:expr, $($t:tt)*) => {{ let _ = writeln!($con.out, $($t)*); }};
}
/// Writes to the console's standard output.
macro_rules! outp {
    ($con:expr, $($t:tt)*) => {{ let _ = write!($con.out, $($t)*); }};
}
/// Writes a line to the console's standard error.
macro_rules! errln {
    ($con:expr) => {{ let _ = writeln!($con.err); }};
    ($con:expr, $($t:tt)*) => {{ let _ = writeln!($con.err, $($t)*); }};
}
/// Writes to the console's standard error.
macro_rules! errp {
    ($con:expr, $($t:tt)*) => {{ let _ = write!($con.err, $($t)*); }};
}

mod args;
mod book;
mod grade;
mod io;
mod pay;
mod whatif;

use crate::hrfile::grading::{self, Graded};
use crate::hrfile::output::csv_text;
use crate::hrfile::{self, Encoding, FileProblem, Loaded, ReadOptions, write};
use crate::policy::PolicySet;
use crate::run::Kind;
pub use args::Cli;
use args::*;
use clap::{Args, Parser, Subcommand, ValueEnum};
use grade::*;
use io::*;
use pay::*;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use whatif::*;

/// A failure that ends the command: message and exit code.
struct Fail(String, u8);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string(), 1)
    }
}

fn main_inner(con: &mut Console, cli: Cli) -> Result<u8, Fail> {
    match cli.command {
        Command::Monthly { period, files } => pay(con, Kind::Monthly, period, files),
        Command::Annual {
            year,
            book: None,
            files,
        } => pay(con, Kind::Annual, year, files),
        Command::Annual {
            year,
            book: Some(book),
            files,
        } => book::pay(con, &book, Kind::Annual, year, files),
        Command::Pay {
            book,
            period,
            files,
        } => book::pay(con, &book, Kind::Monthly, period, files),
        Command::Close { book, period } => book::close(con, &book, &period),
        Command::Correct(args) => book::correct(con, args),
        Command::History {
            book,
            worker,
            format,
        } => book::history(con, &book, &worker, format),
        Command::Report {
            book,
            year,
            format,
            output,
            mode,
        } => book::report(con, &book, &year, format, output.as_deref(), mode),
        Command::Book { command } => match command {
            BookCommand::Init { book, policy } => book::init(con, &book, policy.as_deref()),
            BookCommand::Verify { book } => book::verify(con, &book),
            BookCommand::Months { book } => book::months(con, &book),
            BookCommand::ImportYtd {
                book,
                file,
                through,
            } => book::import_ytd(con, &book, &file, &through),
        },
        Command::Example { out } => {
            let written = crate::example::write(&out).map_err(|e| {
                Fail(
                    format!("cannot write the example into {}: {e}", out.display()),
                    1,
                )
            })?;
            for p in written {
                outln!(con, "{}", p.display());
            }
            Ok(0)
        }
        Command::Grade {
            period,
            scores,
            roster,
            policy,
            format,
            output,
            read,
        } => grade_cmd(con, period, scores, roster, policy, format, output, read),
        Command::CheckGrades {
            period,
            grades,
            roster,
            policy,
            read,
        } => check_grades_cmd(con, period, grades, roster, policy, read),
        Command::Run {
            request,
            output,
            policy,
        } => {
            let bytes = read_input(&request)?;
            let policy = load_policy(policy.as_deref())?;
            let fail = |e: crate::run::RequestError| Fail(format!("{}: {e}", request.display()), 1);
            let doc = crate::Document::parse(&bytes).map_err(fail)?;
            let out = doc.run(Some(&policy)).map_err(fail)?;
            write_output(con, output.as_deref(), &out.to_json())?;
            for e in out.input_errors().unwrap_or_default() {
                errln!(con, "{}: {e}", request.display());
            }
            Ok(if out.complete() { 0 } else { 2 })
        }
        Command::Whatif(args) => whatif(con, args),
        Command::Policy {
            command: PolicyCommand::Show { policy, on },
        } => {
            let set = load_policy(policy.as_deref())?;
            let date = match on {
                Some(d) => {
                    // Written as HR files may write it: 2026/11/1, 2026年11月1日.
                    crate::period::parse_date(&hrfile::normalize_date(&d))
                        .map_err(|e| Fail(format!("--on: {e}"), 1))?
                }
                None => today(),
            };
            let v = set.version_on(date)?;
            let one = PolicySet {
                versions: vec![v.clone()],
                ..set.clone()
            };
            outln!(
                con,
                "# policy {} version {} — in force on {date}",
                set.id,
                v.version
            );
            outp!(con, "{}", one.to_toml());
            Ok(0)
        }
        Command::Policy {
            command: PolicyCommand::Check { file },
        } => {
            let set = load_policy(Some(&file))?;
            outln!(
                con,
                "{}: ok — policy {} with {} version(s)",
                file.display(),
                set.id,
                set.versions.len()
            );
            Ok(0)
        }
    }
}

/// Where a command's messages go: the process's standard output and error,
/// or buffers (for tests and for callers that embed the CLI).
pub struct Console {
    out: Stream,
    err: Stream,
    /// Whether standard output is a terminal (a workbook is not written to one).
    pub out_is_terminal: bool,
}

enum Stream {
    Stdout,
    Stderr,
    Buffer(Vec<u8>),
}

impl Write for Stream {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Stdout => std::io::stdout().lock().write(b),
            Stream::Stderr => std::io::stderr().lock().write(b),
            Stream::Buffer(v) => v.write(b),
        }
    }
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Stdout => std::io::stdout().lock().write_all(b),
            Stream::Stderr => std::io::stderr().lock().write_all(b),
            Stream::Buffer(v) => v.write_all(b),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Stdout => std::io::stdout().flush(),
            Stream::Stderr => std::io::stderr().flush(),
            Stream::Buffer(_) => Ok(()),
        }
    }
}

impl Console {
    /// The process's standard output and error.
    #[must_use]
    pub fn std() -> Console {
        Console {
            out: Stream::Stdout,
            err: Stream::Stderr,
            out_is_terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Buffers for both; read them with [`Console::stdout_bytes`] and
    /// [`Console::stderr_text`].
    #[must_use]
    pub fn buffered() -> Console {
        Console {
            out: Stream::Buffer(Vec::new()),
            err: Stream::Buffer(Vec::new()),
            out_is_terminal: false,
        }
    }

    /// What was written to a buffered standard output.
    #[must_use]
    pub fn stdout_bytes(&self) -> &[u8] {
        match &self.out {
            Stream::Buffer(v) => v,
            _ => &[],
        }
    }

    /// What was written to a buffered standard output, as text.
    #[must_use]
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(self.stdout_bytes()).into_owned()
    }

    /// What was written to a buffered standard error, as text.
    #[must_use]
    pub fn stderr_text(&self) -> String {
        match &self.err {
            Stream::Buffer(v) => String::from_utf8_lossy(v).into_owned(),
            _ => String::new(),
        }
    }
}

/// Runs parsed arguments; returns the exit code. A failure's message goes
/// to the console's standard error as `payrules: …`.
pub fn run(cli: Cli, con: &mut Console) -> u8 {
    match main_inner(con, cli) {
        Ok(code) => code,
        Err(Fail(msg, code)) => {
            errln!(con, "payrules: {msg}");
            code
        }
    }
}

/// Parses `args` (the first is the program's name) and runs them: what the
/// `payrules` binary does, in-process. Bad arguments print clap's message
/// and give its exit code (2), `--help` and `--version` theirs (0).
pub fn run_args<I, T>(args: I, con: &mut Console) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli, con),
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                errp!(con, "{text}");
            } else {
                outp!(con, "{text}");
            }
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
    }
}
