//! The `payrules` command line: a thin layer over the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use payrules::hrfile::grading::{self, Graded};
use payrules::hrfile::output::csv_text;
use payrules::hrfile::{self, Encoding, FileProblem, Loaded, ReadOptions, write};
use payrules::policy::PolicySet;
use payrules::run::{Kind, parse_request};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
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
    /// A month's pay from HR files (CSV, XLSX or JSON; Chinese or English headers).
    ///
    /// Exit 0 when every row was valid; 2 when any was not (every problem is
    /// listed with file:line:column and no output is written, unless
    /// --allow-partial); 1 when a file or the policy cannot be read at all.
    Monthly {
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        #[command(flatten)]
        files: Files,
    },
    /// The annual bonus for a year from HR files (same options as monthly).
    Annual {
        /// The year, YYYY.
        #[arg(long)]
        year: String,
        #[command(flatten)]
        files: Files,
    },
    /// Write the example district (69 communities, about 700 workers) as CSV and XLSX.
    Example {
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Grade workers from scores under the policy's quota rule.
    ///
    /// Prints worker_id,unit,score,rank,grade (and the pool report on
    /// stderr); exit 2 listing every problem in the scores.
    Grade {
        /// The period, YYYY-MM or YYYY (selects the policy version and, if the file has a period column, the rows).
        #[arg(long)]
        period: String,
        /// Scores file: worker_id (工号), unit (社区, optional with --roster), score (分数).
        #[arg(long)]
        scores: PathBuf,
        /// Roster, for units and seniority tie-breaks (hired_on).
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Policy TOML file; default: built-in.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// csv (default) or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: GradeFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Check grades HR decided against the quota caps: exit 0, or 2 listing every violation.
    CheckGrades {
        /// The period, YYYY-MM or YYYY.
        #[arg(long)]
        period: String,
        /// Grades file: worker_id (工号), unit (社区, optional with --roster), grade (等次).
        #[arg(long)]
        grades: PathBuf,
        /// Roster, for units.
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Policy TOML file; default: built-in.
        #[arg(long)]
        policy: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// How input files are read.
#[derive(Args)]
struct ReadArgs {
    /// CSV encoding: auto (UTF-8 with or without BOM, else GBK), utf-8 or gbk.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    encoding: Encoding,
    /// XLSX sheet to read; default: the first.
    #[arg(long)]
    sheet: Option<String>,
}

fn parse_encoding(s: &str) -> Result<Encoding, String> {
    s.parse()
}

/// HR files (CSV, XLSX or JSON) or the example district: the workers,
/// assessments and honours of a run.
#[derive(Args)]
struct Sources {
    /// Roster: 工号 id, 姓名 name, 社区 unit, 岗位 position, 职称 title, 入职日期 hired_on, 离职日期 left_on, 试用期至 probation_until.
    #[arg(long)]
    roster: Option<PathBuf>,
    /// Assessments: 工号 worker_id, 考核期间 period, 等次 grade and/or 分数 score.
    #[arg(long)]
    assessments: Option<PathBuf>,
    /// Honours: 工号 worker_id, 荣誉级别 level, 授予日期 awarded_on, 事迹 deed.
    #[arg(long)]
    honours: Option<PathBuf>,
    /// Run on the built-in example district instead of files.
    #[arg(long, conflicts_with_all = ["roster", "assessments", "honours"])]
    example: bool,
    #[command(flatten)]
    read: ReadArgs,
}

/// The inputs and outputs of a pay run.
#[derive(Args)]
struct Files {
    #[command(flatten)]
    sources: Sources,
    /// Policy TOML file; default: built-in.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Output format; default: from the --output extension, else table.
    #[arg(long, value_enum)]
    format: Option<OutFormat>,
    /// Write here (completely or not at all) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// With errors, still write the valid payslips, and the errors beside them (NAME.errors.csv).
    #[arg(long)]
    allow_partial: bool,
    /// Permission bits (octal) of a new output file; default 600. A replaced file keeps its own.
    #[arg(long, value_parser = hrfile::output::parse_mode)]
    mode: Option<u32>,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GradeFormat {
    Csv,
    Json,
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
    /// A JSON run request (as for `payrules run`) supplying workers,
    /// assessments and honours; its kind and period are ignored. - for
    /// standard input. Or give the HR files, or --example.
    #[arg(long, conflicts_with_all = ["roster", "assessments", "honours", "example"])]
    request: Option<PathBuf>,
    #[command(flatten)]
    sources: Sources,
    /// Base policy TOML file (used when the request carries no policy); default: built-in.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Permission bits (octal) of a new output file; default 600. A replaced file keeps its own.
    #[arg(long, value_parser = hrfile::output::parse_mode)]
    mode: Option<u32>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Aligned text for a terminal.
    Table,
    /// One CSV table with a `record` column.
    Csv,
    /// The JSON what-if document.
    Json,
    /// A workbook: summary, workers, units, line codes, grade changes, errors.
    Xlsx,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy version in force on a date, as TOML.
    Show {
        /// Policy TOML file; default: the built-in policy.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The date (YYYY-MM-DD, or as HR files write it: 2026/11/1); default: today.
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
        return payrules::limits::read_all(std::io::stdin())
            .map_err(|e| Fail(format!("cannot read standard input: {e}"), 1));
    }
    payrules::limits::read_file(path)
        .map_err(|e| Fail(format!("cannot read {}: {e}", path.display()), 1))
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
    write_output_mode(path, text, None)
}

/// [`write_output`], a new file getting `mode`.
fn write_output_mode(path: Option<&Path>, text: &str, mode: Option<u32>) -> Result<(), Fail> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.write_all(b"\n"))
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))
        }
        Some(p) => write::write_atomic_mode(p, mode, |out| {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        })
        .map_err(|e| Fail(format!("cannot write {}: {e}", p.display()), 1)),
    }
}

fn today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days((secs / 86_400) as i64)
}

/// A progress bar on stderr for inputs over 10,000 rows, only when stderr is a terminal.
struct Bar {
    on: bool,
    shown: bool,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            on: std::io::stderr().is_terminal(),
            shown: false,
        }
    }
    fn tick(&mut self, file: &str, rows: usize, frac: f64) {
        if !self.on || rows <= 10_000 {
            return;
        }
        let pct = (frac.clamp(0.0, 1.0) * 100.0) as usize;
        let fill = pct * 30 / 100;
        eprint!(
            "\r{file}: [{}{}] {pct:3}% {rows} rows",
            "#".repeat(fill),
            " ".repeat(30 - fill)
        );
        self.shown = true;
        if frac >= 1.0 {
            eprintln!();
            self.shown = false;
        }
    }
}

fn print_problems(problems: &[FileProblem]) {
    let mut err = std::io::stderr().lock();
    for p in problems {
        let _ = writeln!(err, "{p}");
    }
}

/// Reads one input file with the progress bar; structural problems go to `errors`.
fn read_file<T>(
    path: &Path,
    errors: &mut Vec<FileProblem>,
    bar: &mut Bar,
    read: impl FnOnce(&str, Vec<u8>, hrfile::Progress) -> Result<T, Vec<FileProblem>>,
) -> Result<Option<T>, Fail> {
    let bytes = read_input(path)?;
    let name = path.display().to_string();
    let mut tick = |f: &str, rows: usize, frac: f64| bar.tick(f, rows, frac);
    match read(&name, bytes, Some(&mut tick)) {
        Ok(t) => Ok(Some(t)),
        Err(ps) => {
            errors.extend(ps);
            Ok(None)
        }
    }
}

fn out_format(files: &Files) -> OutFormat {
    if let Some(f) = files.format {
        return f;
    }
    let ext = files
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => OutFormat::Csv,
        Some("json") => OutFormat::Json,
        Some("xlsx") => OutFormat::Xlsx,
        _ => OutFormat::Table,
    }
}

fn render(
    run: &payrules::run::Run,
    rows: &write::PayRows,
    format: OutFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutFormat::Table => write::table(run, rows, out),
        OutFormat::Csv => write::csv(run, rows, out),
        OutFormat::Json => {
            out.write_all(run.to_json().as_bytes())?;
            out.write_all(b"\n")
        }
        OutFormat::Xlsx => out.write_all(&write::xlsx(run, rows)?),
    }
}

fn errors_path(output: &Path) -> PathBuf {
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    output.with_file_name(format!("{stem}.errors.csv"))
}

/// Reads a run's HR files (or the example district) into a request; `Err`
/// with the exit code when the files had problems, which are printed.
fn load_sources(kind: Kind, period: String, src: &Sources) -> Result<Result<Loaded, u8>, Fail> {
    let opts = ReadOptions {
        encoding: src.read.encoding,
        sheet: src.read.sheet.clone(),
    };
    let loaded = if src.example {
        Loaded {
            request: payrules::example::district().into_request(kind, period),
            origins: [None, None, None],
            problems: Vec::new(),
        }
    } else {
        let mut bar = Bar::new();
        let mut errors = Vec::new();
        let Some(roster_path) = src.roster.as_deref() else {
            return Err(Fail("give --roster FILE (or --example)".into(), 1));
        };
        let roster = read_file(roster_path, &mut errors, &mut bar, |n, b, p| {
            hrfile::read_roster(n, b, &opts, p)
        })?;
        let assessments = match src.assessments.as_deref() {
            Some(path) => read_file(path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_assessments(n, b, &opts, p)
            })?,
            None => None,
        };
        let honours = match src.honours.as_deref() {
            Some(path) => read_file(path, &mut errors, &mut bar, |n, b, p| {
                hrfile::read_honours(n, b, &opts, p)
            })?,
            None => None,
        };
        let Some(roster) = roster.filter(|_| errors.is_empty()) else {
            print_problems(&errors);
            eprintln!(
                "payrules: {} problem(s) in the input files; no output written",
                errors.iter().filter(|p| !p.warning).count()
            );
            return Ok(Err(2));
        };
        Loaded::new(kind, period, roster, assessments, honours)
    };
    Ok(Ok(loaded))
}

/// `monthly` and `annual`: files in, payroll out.
fn pay(kind: Kind, period: String, files: Files) -> Result<u8, Fail> {
    let policy = load_policy(files.policy.as_deref())?;
    let format = out_format(&files);
    if format == OutFormat::Xlsx && files.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Fail(
            "--format xlsx writes a workbook; give --output FILE.xlsx".into(),
            1,
        ));
    }
    let loaded = match load_sources(kind, period, &files.sources)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let Loaded {
        request,
        origins,
        problems: read_problems,
    } = loaded;
    // The records are released as they are read. The sheets need only each
    // payslip's amounts, kept as compact rows while the payslips go by; the
    // JSON response renders the payslips themselves.
    let (mut result, mut rows) = if format == OutFormat::Json {
        let run = payrules::run::run_owned(request, Some(&policy))?;
        let rows = write::PayRows::from_run(&run);
        (run, rows)
    } else {
        let mut rows = write::PayRows::new();
        let run = payrules::run::run_owned_each(request, Some(&policy), |_, slip| rows.push(slip))?;
        (run, rows)
    };
    let row_bad: BTreeSet<String> = read_problems
        .iter()
        .filter(|p| !p.warning)
        .filter_map(|p| p.worker_id.clone())
        .collect();
    let mut problems: Vec<FileProblem> = read_problems;
    problems.extend(result.errors.iter().map(|e| hrfile::locate(&origins, e)));
    let warnings: Vec<&FileProblem> = problems.iter().filter(|p| p.warning).collect();
    for w in &warnings {
        eprintln!("{w}");
    }
    let errors: Vec<FileProblem> = problems.iter().filter(|p| !p.warning).cloned().collect();
    if !errors.is_empty() {
        print_problems(&errors);
        if !files.allow_partial {
            eprintln!(
                "payrules: {} problem(s); no output written (--allow-partial writes the valid payslips and an errors file)",
                errors.len()
            );
            return Ok(2);
        }
        // Rows the engine never saw as bad (a cell too long, an Excel error
        // cell) still must not be paid.
        hrfile::drop_workers(&mut result, &mut rows, &row_bad);
    }
    match files.output.as_deref() {
        Some(path) => {
            // Both files, or neither; a clean run removes an old errors file.
            let ep = errors_path(path);
            let mut set = hrfile::output::CommitSet::new(files.mode);
            let fail = |p: &Path, e| Fail(format!("cannot write {}: {e}", p.display()), 1);
            set.add(path, |out| render(&result, &rows, format, out))
                .map_err(|e| fail(path, e))?;
            if errors.is_empty() {
                set.remove(&ep);
            } else {
                set.add(&ep, |out| write::errors_csv(&problems, out))
                    .map_err(|e| fail(&ep, e))?;
            }
            set.commit()
                .map_err(|e| Fail(format!("cannot write: {e}"), 1))?;
            if !errors.is_empty() {
                eprintln!(
                    "payrules: {} problem(s); wrote the valid payslips to {} and the problems to {}",
                    errors.len(),
                    path.display(),
                    ep.display()
                );
            }
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            render(&result, &rows, format, &mut out)
                .and_then(|_| out.flush())
                .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1))?;
        }
    }
    if !files.quiet {
        eprint!("{}", write::summary(&result, &rows, 30));
    }
    Ok(if errors.is_empty() { 0 } else { 2 })
}

fn load_roster(
    path: Option<&Path>,
    opts: &ReadOptions,
    errors: &mut Vec<FileProblem>,
) -> Result<Option<hrfile::Sheet<payrules::worker::WorkerRecord>>, Fail> {
    let mut bar = Bar::new();
    match path {
        Some(p) => read_file(p, errors, &mut bar, |n, b, pr| {
            hrfile::read_roster(n, b, opts, pr)
        }),
        None => Ok(None),
    }
}

fn pool_table(pools: &[payrules::quota::PoolReport]) {
    eprintln!("pool  graded  excellent used/allowed  good used/allowed");
    for p in pools {
        eprintln!(
            "{}  {}  {}/{}  {}/{}",
            p.pool, p.graded, p.excellent.used, p.excellent.allowed, p.good.used, p.good.allowed
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn grade_cmd(
    period: String,
    scores: PathBuf,
    roster: Option<PathBuf>,
    policy: Option<PathBuf>,
    format: GradeFormat,
    output: Option<PathBuf>,
    read: ReadArgs,
) -> Result<u8, Fail> {
    let set = load_policy(policy.as_deref())?;
    let version = grading::policy_for(&set, &period).map_err(|e| Fail(e, 1))?;
    let Some((roster, sheet)) =
        read_grading_files(&scores, roster.as_deref(), read, grading::read_scores)?
    else {
        return Ok(2);
    };
    let Graded {
        rows,
        pools,
        problems,
        notes,
    } = grading::grade(version, &period, &sheet, roster.as_ref());
    for n in &notes {
        eprintln!("note: {n}");
    }
    if !problems.is_empty() {
        print_problems(&problems);
        eprintln!(
            "payrules: {} problem(s) in the scores; no grades written",
            problems.len()
        );
        return Ok(2);
    }
    let text = match format {
        GradeFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record(["worker_id", "unit", "score", "rank", "grade"]);
            for r in &rows {
                let _ = w.write_record([
                    &*csv_text(&r.worker_id),
                    &csv_text(&r.unit),
                    &r.score,
                    &r.rank.to_string(),
                    r.grade.code(),
                ]);
            }
            let bytes = w.into_inner().map_err(|e| Fail(e.to_string(), 1))?;
            String::from_utf8(bytes).map_err(|e| Fail(e.to_string(), 1))?
        }
        GradeFormat::Json => {
            let doc = serde_json::json!({
                "period": period,
                "policy": {"id": version.id, "version": version.version},
                "grades": rows,
                "pools": pools,
                "notes": notes,
            });
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(e.to_string(), 1))?
        }
    };
    write_output(output.as_deref(), text.trim_end())?;
    if format == GradeFormat::Csv {
        pool_table(&pools);
    }
    Ok(0)
}

/// Reads the roster (if given) and the scores or grades file of `grade` /
/// `check-grades`; `None`, with the problems printed, when either cannot be
/// read. Warnings are printed either way.
#[allow(clippy::type_complexity)]
fn read_grading_files<T>(
    file: &Path,
    roster: Option<&Path>,
    read: ReadArgs,
    reader: impl FnOnce(
        &str,
        Vec<u8>,
        &ReadOptions,
        hrfile::Progress,
    ) -> Result<hrfile::Sheet<T>, Vec<FileProblem>>,
) -> Result<
    Option<(
        Option<hrfile::Sheet<payrules::worker::WorkerRecord>>,
        hrfile::Sheet<T>,
    )>,
    Fail,
> {
    let opts = ReadOptions {
        encoding: read.encoding,
        sheet: read.sheet,
    };
    let mut errors = Vec::new();
    let roster = load_roster(roster, &opts, &mut errors)?;
    let mut bar = Bar::new();
    let sheet = read_file(file, &mut errors, &mut bar, |n, b, p| {
        reader(n, b, &opts, p)
    })?;
    let Some(sheet) = sheet.filter(|_| errors.is_empty()) else {
        print_problems(&errors);
        return Ok(None);
    };
    for w in sheet.problems.iter().filter(|p| p.warning) {
        eprintln!("{w}");
    }
    Ok(Some((roster, sheet)))
}

fn check_grades_cmd(
    period: String,
    grades: PathBuf,
    roster: Option<PathBuf>,
    policy: Option<PathBuf>,
    read: ReadArgs,
) -> Result<u8, Fail> {
    let set = load_policy(policy.as_deref())?;
    let version = grading::policy_for(&set, &period).map_err(|e| Fail(e, 1))?;
    let Some((roster, sheet)) =
        read_grading_files(&grades, roster.as_deref(), read, grading::read_grades)?
    else {
        return Ok(2);
    };
    let (pools, problems) = grading::check(version, &period, &sheet, roster.as_ref());
    if !problems.is_empty() {
        print_problems(&problems);
        eprintln!(
            "payrules: {} problem(s); the grades break the quota or cannot be read",
            problems.len()
        );
        return Ok(2);
    }
    let graded: u32 = pools.iter().map(|p| p.graded).sum();
    println!(
        "{}: ok — {} pools, {graded} graded, every pool within the caps of policy {}",
        grades.display(),
        pools.len(),
        version.cite()
    );
    Ok(0)
}

fn main_inner(cli: Cli) -> Result<u8, Fail> {
    match cli.command {
        Command::Monthly { period, files } => pay(Kind::Monthly, period, files),
        Command::Annual { year, files } => pay(Kind::Annual, year, files),
        Command::Example { out } => {
            let written = payrules::example::write(&out).map_err(|e| {
                Fail(
                    format!("cannot write the example into {}: {e}", out.display()),
                    1,
                )
            })?;
            for p in written {
                println!("{}", p.display());
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
        } => grade_cmd(period, scores, roster, policy, format, output, read),
        Command::CheckGrades {
            period,
            grades,
            roster,
            policy,
            read,
        } => check_grades_cmd(period, grades, roster, policy, read),
        Command::Run {
            request,
            output,
            policy,
        } => {
            let bytes = read_input(&request)?;
            let policy = load_policy(policy.as_deref())?;
            let fail =
                |e: payrules::run::RequestError| Fail(format!("{}: {e}", request.display()), 1);
            let doc = payrules::contract::parse(&bytes).map_err(fail)?;
            let out = payrules::contract::run_document(doc, Some(&policy)).map_err(fail)?;
            write_output(output.as_deref(), &out.to_json())?;
            for e in out.input_errors().unwrap_or_default() {
                eprintln!("{}: {e}", request.display());
            }
            Ok(if out.complete() { 0 } else { 2 })
        }
        Command::Whatif(args) => whatif(args),
        Command::Policy {
            command: PolicyCommand::Show { policy, on },
        } => {
            let set = load_policy(policy.as_deref())?;
            let date = match on {
                Some(d) => {
                    // Written as HR files may write it: 2026/11/1, 2026年11月1日.
                    payrules::period::parse_date(&hrfile::normalize_date(&d))
                        .map_err(|e| Fail(format!("--on: {e}"), 1))?
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
    use payrules::whatif::{Reform, Scope, compare};
    let rpath = &args.reform;
    let text = String::from_utf8(read_input(rpath)?)
        .map_err(|_| Fail(format!("{}: reform is not UTF-8 text", rpath.display()), 1))?;
    let reform =
        Reform::from_toml(&text).map_err(|e| Fail(format!("{}: {e}", rpath.display()), 1))?;
    let scope_text = args.period.or(args.year).unwrap_or_default();
    let scope = Scope::parse(&scope_text).map_err(|e| Fail(format!("--period/--year: {e}"), 1))?;
    let (req, origins, label) = match &args.request {
        Some(path) => {
            let bytes = read_input(path)?;
            let req =
                parse_request(&bytes).map_err(|e| Fail(format!("{}: {e}", path.display()), 1))?;
            (req, [None, None, None], path.display().to_string())
        }
        None => {
            if args.sources.roster.is_none() && !args.sources.example {
                return Err(Fail(
                    "give the inputs: --request FILE, --roster FILE [--assessments FILE] [--honours FILE], or --example".into(),
                    1,
                ));
            }
            let loaded = match load_sources(Kind::Monthly, scope_text.clone(), &args.sources)? {
                Ok(loaded) => loaded,
                Err(code) => return Ok(code),
            };
            let (warnings, errors): (Vec<FileProblem>, Vec<FileProblem>) =
                loaded.problems.into_iter().partition(|p| p.warning);
            for w in &warnings {
                eprintln!("{w}");
            }
            if !errors.is_empty() {
                print_problems(&errors);
                eprintln!(
                    "payrules: {} problem(s) in the input files; no output written",
                    errors.len()
                );
                return Ok(2);
            }
            let label = args
                .sources
                .roster
                .as_deref()
                .map_or("example".to_string(), |p| p.display().to_string());
            (loaded.request, loaded.origins, label)
        }
    };
    if matches!(args.format, Format::Xlsx)
        && args.output.is_none()
        && std::io::stdout().is_terminal()
    {
        return Err(Fail(
            "--format xlsx writes a workbook; give --output FILE.xlsx".into(),
            1,
        ));
    }
    let base = match &req.policy {
        Some(text) => {
            PolicySet::from_toml(text).map_err(|e| Fail(format!("{label}: policy: {e}"), 1))?
        }
        None => load_policy(args.policy.as_deref())?,
    };
    let result = compare(&req, &base, &reform, scope).map_err(|e| match e {
        payrules::run::RequestError::Reform(e) => Fail(format!("{}: {e}", rpath.display()), 1),
        e => Fail(format!("{label}: {e}"), 1),
    })?;
    let out = args.output.as_deref();
    let written = match args.format {
        Format::Table => {
            write_output_mode(out, hrfile::whatif::table(&result).trim_end(), args.mode)
        }
        Format::Csv => write_output_mode(out, hrfile::whatif::csv(&result).trim_end(), args.mode),
        Format::Json => write_output_mode(out, result.to_json().trim_end(), args.mode),
        Format::Xlsx => {
            let bytes = write::whatif_xlsx(&result)
                .map_err(|e| Fail(format!("cannot write the workbook: {e}"), 1))?;
            match args.output.as_deref() {
                Some(path) => {
                    write::write_atomic_mode(path, args.mode, |out| out.write_all(&bytes))
                        .map_err(|e| Fail(format!("cannot write {}: {e}", path.display()), 1))
                }
                None => std::io::stdout()
                    .write_all(&bytes)
                    .map_err(|e| Fail(format!("cannot write standard output: {e}"), 1)),
            }
        }
    };
    written?;
    for e in &result.errors {
        if origins.iter().any(Option::is_some) {
            let p = hrfile::locate(&origins, &e.error);
            eprintln!("{} ({:?}): {p}", e.period, e.side);
        } else {
            eprintln!("{label}: {} ({:?}): {}", e.period, e.side, e.error);
        }
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
