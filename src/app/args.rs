//! The command line's arguments (clap): what each command takes.

use super::*;

/// The arguments of the `payrules` command line (`Cli::parse()`, or
/// [`super::run_args`] from a list).
#[derive(Parser)]
#[command(
    name = "payrules",
    version,
    about = "Pay of full-time community workers, exact to the fen and explained line by line"
)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Run a JSON request (see docs/json.md) and write the response.
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
        #[arg(long, value_parser = period_arg)]
        period: String,
        #[command(flatten)]
        files: Files,
    },
    /// The annual bonus for a year from HR files (same options as monthly).
    ///
    /// With --book, the bonus is paid into the book: its tax (separate or
    /// merged) is chosen on the book's year figures, and it is stored as the
    /// draft of period YYYY (close it with payrules close --period YYYY).
    Annual {
        /// The year, YYYY.
        #[arg(long, value_parser = period_arg)]
        year: String,
        /// Pay into this book.
        #[arg(long)]
        book: Option<PathBuf>,
        #[command(flatten)]
        files: Files,
    },
    /// Create, check or list a payroll book (an SQLite file holding months).
    Book {
        #[command(subcommand)]
        command: BookCommand,
    },
    /// Pay a month into a book: gross and net, year-to-date figures from the
    /// book, pending corrections paid; stored as the month's draft.
    ///
    /// Exit 0 when stored; 2 when inputs had errors (listed; nothing
    /// stored); 1 when refused (a closed month, a gap, a busy book).
    Pay {
        /// The book.
        #[arg(long)]
        book: PathBuf,
        /// The month, YYYY-MM.
        #[arg(long, value_parser = period_arg)]
        period: String,
        #[command(flatten)]
        files: Files,
    },
    /// Close a paid month (or annual bonus, --period YYYY): it never changes again.
    Close {
        /// The book.
        #[arg(long)]
        book: PathBuf,
        /// YYYY-MM, or YYYY for the annual bonus.
        #[arg(long, value_parser = period_arg)]
        period: String,
    },
    /// Correct a closed month (corrected files) or adopt a policy
    /// retroactively (--policy FILE --from YYYY-MM); the next pay pays the
    /// differences as arrears or recovers them.
    Correct(CorrectArgs),
    /// One worker's periods and corrections in a book.
    History {
        /// The book.
        #[arg(long)]
        book: PathBuf,
        /// The worker id (工号).
        #[arg(long)]
        worker: String,
        /// table (default), json or csv.
        #[arg(long, value_enum, default_value = "table")]
        format: ViewFormat,
    },
    /// The finance office's summary of a year: per month and unit, every
    /// line code (earnings, arrears, recoveries, deductions, income tax, net).
    Report {
        /// The book.
        #[arg(long)]
        book: PathBuf,
        /// The year, YYYY.
        #[arg(long, value_parser = period_arg)]
        year: String,
        /// table (default), csv or xlsx.
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        /// Write here instead of standard output (required for xlsx).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Permission bits (octal) of a new output file; default 600.
        #[arg(long, value_parser = hrfile::output::parse_mode)]
        mode: Option<u32>,
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
        #[arg(long, value_parser = period_arg)]
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
        #[arg(long, value_parser = period_arg)]
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

/// `book` subcommands.
#[derive(Subcommand)]
pub(super) enum BookCommand {
    /// Create a book (with the built-in policy unless --policy).
    Init {
        /// The new book file.
        book: PathBuf,
        /// Policy TOML file; default: built-in.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Check every closed month against its chained digest: exit 0, or 1
    /// naming each month changed outside payrules.
    Verify {
        /// The book.
        book: PathBuf,
    },
    /// List the months in the book.
    Months {
        /// The book.
        book: PathBuf,
    },
    /// Import year-to-date figures (a JSON list of ytd records, or a CSV
    /// with worker_id,year,months,income,…,tax_withheld headers) for the
    /// book's first month or workers who joined mid-year.
    ImportYtd {
        /// The book.
        book: PathBuf,
        /// The figures.
        file: PathBuf,
        /// The last month they include, YYYY-MM.
        #[arg(long, value_parser = period_arg)]
        through: String,
    },
}

/// `correct` arguments.
#[derive(Args)]
pub(super) struct CorrectArgs {
    /// The book.
    #[arg(long)]
    pub(super) book: PathBuf,
    /// The closed month to correct, YYYY-MM (with corrected files).
    #[arg(long, value_parser = period_arg, conflicts_with_all = ["policy", "from"])]
    pub(super) period: Option<String>,
    /// The corrected roster.
    #[arg(long)]
    pub(super) roster: Option<PathBuf>,
    /// The corrected assessments.
    #[arg(long)]
    pub(super) assessments: Option<PathBuf>,
    /// The corrected honours.
    #[arg(long)]
    pub(super) honours: Option<PathBuf>,
    /// The corrected changes of position, title or unit (a promotion approved late, say).
    #[arg(long)]
    pub(super) changes: Option<PathBuf>,
    /// A policy adopted retroactively (with --from).
    #[arg(long, requires = "from")]
    pub(super) policy: Option<PathBuf>,
    /// The first month the policy covers, YYYY-MM.
    #[arg(long, value_parser = period_arg, requires = "policy")]
    pub(super) from: Option<String>,
    /// Why: shown on every arrears or recovery line.
    #[arg(long)]
    pub(super) reason: String,
    #[command(flatten)]
    pub(super) read: ReadArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ViewFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    Table,
    Csv,
    Xlsx,
}

/// How input files are read.
#[derive(Args)]
pub(super) struct ReadArgs {
    /// CSV encoding: auto (UTF-8 with or without BOM, else GBK), utf-8 or gbk.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub(super) encoding: Encoding,
    /// XLSX sheet to read; default: the first.
    #[arg(long)]
    pub(super) sheet: Option<String>,
    /// Ignore this column of the input files knowingly (repeatable); any other unknown column is an error.
    #[arg(long = "ignore-column", value_name = "NAME")]
    pub(super) ignore_columns: Vec<String>,
}

/// A period argument written as HR files may write it (`2026/11`,
/// `2026年11月`, `2026年`) becomes `YYYY-MM` or `YYYY`; anything else is
/// passed on for the command to judge, so its error shows what was typed.
pub(super) fn period_arg(s: &str) -> Result<String, String> {
    Ok(crate::hrfile::normalize_period(s).to_string())
}

pub(super) fn parse_encoding(s: &str) -> Result<Encoding, String> {
    s.parse()
}

/// HR files (CSV, XLSX or JSON) or the example district: the workers,
/// assessments and honours of a run.
#[derive(Args)]
pub(super) struct Sources {
    /// Roster: 工号 id, 姓名 name, 社区 unit, 岗位 position, 职称 title, 入职日期 hired_on, 离职日期 left_on, 试用期至 probation_until.
    #[arg(long)]
    pub(super) roster: Option<PathBuf>,
    /// Assessments: 工号 worker_id, 考核期间 period, 等次 grade and/or 分数 score.
    #[arg(long)]
    pub(super) assessments: Option<PathBuf>,
    /// Honours: 工号 worker_id, 荣誉级别 level, 授予日期 awarded_on, 事迹 deed.
    #[arg(long)]
    pub(super) honours: Option<PathBuf>,
    /// Changes of position, title or unit from a day: 工号 worker_id, 生效日期 on, 岗位 position, 职称 title, 社区/单位 unit (empty: unchanged).
    #[arg(long)]
    pub(super) changes: Option<PathBuf>,
    /// Run on the built-in example district instead of files.
    #[arg(long, conflicts_with_all = ["roster", "assessments", "honours", "changes"])]
    pub(super) example: bool,
    #[command(flatten)]
    pub(super) read: ReadArgs,
}

/// The inputs and outputs of a pay run.
#[derive(Args)]
pub(super) struct Files {
    #[command(flatten)]
    pub(super) sources: Sources,
    /// Tax inputs, one row per worker, for net pay: 工号 worker_id, 缴费基数 contribution_base, 公积金比例 housing_fund_rate, 专项附加扣除 additional_deductions, 其他扣除 other_deductions, 发放日期 paid_on (annual). The same columns may be on the roster instead.
    #[arg(long, conflicts_with = "example")]
    pub(super) tax: Option<PathBuf>,
    /// Policy TOML file; default: built-in.
    #[arg(long)]
    pub(super) policy: Option<PathBuf>,
    /// Output format; default: from the --output extension, else table.
    #[arg(long, value_enum)]
    pub(super) format: Option<OutFormat>,
    /// Write here (completely or not at all) instead of standard output.
    #[arg(long)]
    pub(super) output: Option<PathBuf>,
    /// With errors, still write the valid payslips, and the errors beside them (NAME.errors.csv).
    #[arg(long)]
    pub(super) allow_partial: bool,
    /// Permission bits (octal) of a new output file; default 600. A replaced file keeps its own.
    #[arg(long, value_parser = hrfile::output::parse_mode)]
    pub(super) mode: Option<u32>,
    /// No summary on stderr.
    #[arg(long, short)]
    pub(super) quiet: bool,
    /// Treat every warning (an unknown column, a grade for a worker not employed…) as an error.
    #[arg(long)]
    pub(super) strict: bool,
    /// Also write the bank transfer file (工号, 姓名, 开户行, 银行账号, 实发金额; CSV, or XLSX by the extension) from the roster's 开户行 bank and 银行账号 account columns; with the payroll, or neither.
    #[arg(long, value_name = "FILE")]
    pub(super) bank_file: Option<PathBuf>,
    /// CSV output (payroll and bank file) without the UTF-8 byte-order mark Excel needs to show Chinese.
    #[arg(long)]
    pub(super) no_bom: bool,
    /// CSV headers: zh (工号), en (worker_id, the codes), or both (工号 worker_id).
    #[arg(long, value_name = "zh|en|both", default_value = "both", value_parser = parse_headers)]
    pub(super) headers: write::Headers,
    /// No totals row at the end of the payroll CSV.
    #[arg(long)]
    pub(super) no_totals: bool,
    /// CSV output encoding (payroll and bank file): utf-8, or gbk for older systems (no byte-order mark; a character GBK lacks is an error).
    #[arg(long, value_name = "utf-8|gbk", default_value = "utf-8", value_parser = parse_output_encoding)]
    pub(super) output_encoding: OutputEncoding,
}

/// The encoding of CSV output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum OutputEncoding {
    Utf8,
    Gbk,
}

pub(super) fn parse_output_encoding(s: &str) -> Result<OutputEncoding, String> {
    match s.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => Ok(OutputEncoding::Utf8),
        "gbk" | "gb2312" | "cp936" => Ok(OutputEncoding::Gbk),
        _ => Err(format!(
            "unknown output encoding {s:?}; expected utf-8 or gbk"
        )),
    }
}

pub(super) fn parse_headers(s: &str) -> Result<write::Headers, String> {
    s.parse()
}

impl Files {
    /// The payroll CSV's style from --no-bom, --headers, --no-totals.
    pub(super) fn csv_style(&self) -> write::CsvStyle {
        write::CsvStyle {
            bom: !self.no_bom && self.output_encoding == OutputEncoding::Utf8,
            headers: self.headers,
            totals: !self.no_totals,
            gbk: self.output_encoding == OutputEncoding::Gbk,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum OutFormat {
    Table,
    Csv,
    Json,
    Xlsx,
    /// The finance office's summary: per unit and for the district, every line code, arrears, recoveries, gross, deductions, income tax, net.
    Summary,
    /// 工资条: the payslip strips as a printable HTML page (A4 landscape, a cut line between slips); also from an --output ending in .html.
    Slips,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum GradeFormat {
    Csv,
    Json,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["period", "year"])))]
pub(super) struct WhatifArgs {
    /// Reform TOML file (see docs/whatif.md).
    #[arg(long)]
    pub(super) reform: PathBuf,
    /// One month, YYYY-MM.
    #[arg(long, value_parser = period_arg)]
    pub(super) period: Option<String>,
    /// A year, YYYY: the twelve monthly runs and the annual run.
    #[arg(long, value_parser = period_arg)]
    pub(super) year: Option<String>,
    /// A JSON run request (as for `payrules run`) supplying workers,
    /// assessments and honours; its kind and period are ignored. - for
    /// standard input. Or give the HR files, or --example.
    #[arg(long, conflicts_with_all = ["roster", "assessments", "honours", "example"])]
    pub(super) request: Option<PathBuf>,
    #[command(flatten)]
    pub(super) sources: Sources,
    /// Base policy TOML file (used when the request carries no policy); default: built-in.
    #[arg(long)]
    pub(super) policy: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(super) format: Format,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub(super) output: Option<PathBuf>,
    /// Permission bits (octal) of a new output file; default 600. A replaced file keeps its own.
    #[arg(long, value_parser = hrfile::output::parse_mode)]
    pub(super) mode: Option<u32>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum Format {
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
pub(super) enum PolicyCommand {
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
