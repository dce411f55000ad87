//! HR files in, payroll sheets out.
//!
//! Reads the rosters, assessments, honours and tax inputs HR keeps (tax
//! inputs in a file of their own or as roster columns) — CSV (UTF-8 with or
//! without BOM, or GBK as saved by Chinese Excel), XLSX, or JSON — with
//! headers in English codes or Chinese, into the engine's records, keeping
//! the `file:line` (and column) of every record so that an engine error can
//! name it. [`write`](mod@write) renders a run as an aligned table, CSV, JSON or XLSX.
//!
//! ```
//! use payrules::hrfile::{read_roster, ReadOptions};
//! let csv = "工号,姓名,社区,岗位,职称,入职日期\nW001,林晓,温泉社区,社区工作者,社会工作师,2020/3/1\n";
//! let sheet = read_roster("roster.csv", csv.as_bytes().to_vec(), &ReadOptions::default(), None).unwrap();
//! assert_eq!(sheet.records[0].id, "W001");
//! assert_eq!(sheet.records[0].hired_on, "2020-03-01"); // 2020/3/1 normalised
//! assert_eq!(sheet.origin.lines[0], 2);
//! ```

pub mod accounted;
pub mod bank;
pub mod finance;
pub mod gbk;
pub mod grading;
pub mod limits;
mod locate;
pub mod output;
pub(crate) mod render;
pub mod slips;
pub mod table;
pub use locate::locate;
pub mod whatif;
mod workbook;
pub mod write;

use crate::rules::payslip::LineCode;
use crate::rules::tax::TaxRecord;
use crate::run::{InputError, Request, Run, Totals};
use crate::worker::{AssessmentRecord, ChangeRecord, HonourRecord, WorkerRecord};
use csv::StringRecord;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use table::{MAX_CELL, Table};

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (with or without BOM) when the bytes are UTF-8, else GBK.
    #[default]
    Auto,
    /// UTF-8, BOM optional.
    Utf8,
    /// GBK (GB2312 is a subset).
    Gbk,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gbk),
            _ => Err(format!(
                "unknown encoding {s:?}; expected auto, utf-8 or gbk"
            )),
        }
    }
}

/// How files are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV encoding.
    pub encoding: Encoding,
    /// XLSX sheet name; default: the first sheet.
    pub sheet: Option<String>,
    /// Headers of columns to ignore knowingly (`--ignore-column`); any other
    /// unknown column is an error.
    pub ignore_columns: Vec<String>,
}

/// Called while a large file is read: file, rows so far, fraction of the file read.
pub type Progress<'a> = Option<&'a mut dyn FnMut(&str, usize, f64)>;

/// A problem found in an input file (or, without a file, in the run).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileProblem {
    /// The file, as named on the command line; empty for run-wide problems.
    pub file: String,
    /// The line (CSV, JSON) or row number (XLSX).
    pub line: Option<usize>,
    /// The column: its number (CSV), letter (XLSX) or key (JSON).
    pub column: Option<String>,
    /// The worker concerned, when known.
    pub worker_id: Option<String>,
    /// The field (`hired_on`, `grade`…), when one is at fault.
    pub field: Option<String>,
    /// What was wrong and what was expected.
    pub message: String,
    /// A warning does not stop the run (an unknown column, say).
    pub warning: bool,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            f.write_str(&self.file)?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
                if let Some(c) = &self.column {
                    write!(f, ":{c}")?;
                }
            }
            f.write_str(": ")?;
        }
        if self.warning {
            f.write_str("warning: ")?;
        }
        if let Some(w) = &self.worker_id {
            write!(f, "worker {w}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text, trimmed.
    Text,
    /// A date: `2026-11-03`, `2026/11/3`, `2026年11月3日` or an Excel date cell.
    Date,
    /// A period: `2026-11`, `2026/11`, `2026年11月`, `2026`.
    Period,
    /// A rate: a fraction such as `0.12`, or a percentage such as `12%`
    /// (read as `0.12`, exactly).
    Rate,
}

/// A column HR files may carry, and the header names accepted for it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field (also accepted as a header, in any case).
    pub field: &'static str,
    /// Other accepted header names.
    pub names: &'static [&'static str],
    /// Whether the column must be present.
    pub required: bool,
    /// How cells are read.
    pub kind: CellKind,
}

const fn col(
    field: &'static str,
    names: &'static [&'static str],
    required: bool,
    kind: CellKind,
) -> Column {
    Column {
        field,
        names,
        required,
        kind,
    }
}

use CellKind::{Date, Period, Rate, Text};

const WORKER_ID: &[&str] = &["工号", "员工编号", "人员编号", "编号", "id"];
const NAME: &[&str] = &["姓名"];
const PERIOD: &[&str] = &["考核期间", "期间", "考核周期", "考核月份"];
const GRADE: &[&str] = &["等次", "考核等次", "考核结果"];
const SCORE: &[&str] = &["分数", "得分", "考核分数"];
const UNIT: &[&str] = &[
    "社区/单位",
    "社区",
    "单位",
    "所在社区",
    "所在单位",
    "community",
];

const CONTRIBUTION_BASE: &[&str] = &["缴费基数", "社保缴费基数", "社保基数"];
const HOUSING_FUND_RATE: &[&str] = &[
    "公积金比例",
    "住房公积金比例",
    "公积金缴存比例",
    "住房公积金缴存比例",
];
const ADDITIONAL_DEDUCTIONS: &[&str] = &["专项附加扣除", "专项附加扣除合计"];
const OTHER_DEDUCTIONS: &[&str] = &["其他扣除", "其他扣除合计"];
const PAID_ON: &[&str] = &["发放日期", "奖金发放日期"];

/// The tax fields a roster or a tax file may carry (the request's `tax`
/// record without `worker_id`), in the order of [`TAX`] after `worker_id`.
pub const TAX_FIELDS: [&str; 5] = [
    "contribution_base",
    "housing_fund_rate",
    "additional_deductions",
    "other_deductions",
    "paid_on",
];

/// Roster columns: the worker, then (optional) the tax columns of [`TAX`].
pub const ROSTER: &[Column] = &[
    col(
        "id",
        &["工号", "员工编号", "人员编号", "编号", "worker_id"],
        true,
        Text,
    ),
    col("name", NAME, false, Text),
    col("unit", UNIT, true, Text),
    col("position", &["岗位", "职务"], true, Text),
    col("title", &["职称"], false, Text),
    col(
        "hired_on",
        &["入职日期", "入职时间", "hire_date"],
        true,
        Date,
    ),
    col("left_on", &["离职日期", "离职时间"], false, Date),
    col(
        "probation_until",
        &["试用期至", "试用期满", "试用期截止"],
        false,
        Date,
    ),
    col("contribution_base", CONTRIBUTION_BASE, false, Text),
    col("housing_fund_rate", HOUSING_FUND_RATE, false, Rate),
    col("additional_deductions", ADDITIONAL_DEDUCTIONS, false, Text),
    col("other_deductions", OTHER_DEDUCTIONS, false, Text),
    col("paid_on", PAID_ON, false, Date),
    col(
        "bank",
        &["开户行", "开户银行", "开户行名称", "银行"],
        false,
        Text,
    ),
    col(
        "account",
        &["银行账号", "银行卡号", "账号", "卡号", "工资卡号"],
        false,
        Text,
    ),
];

/// The index in [`ROSTER`] of its bank column (then the account column),
/// read by [`read_roster_bank`] beside the engine's records.
const ROSTER_BANK: usize = 13;

/// The index in [`ROSTER`] of its first tax column.
const ROSTER_TAX: usize = 8;

/// Tax inputs (`--tax FILE`): one row per worker, the request's `tax` list.
/// Every tax column is optional; an empty cell means the default.
pub const TAX: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("contribution_base", CONTRIBUTION_BASE, false, Text),
    col("housing_fund_rate", HOUSING_FUND_RATE, false, Rate),
    col("additional_deductions", ADDITIONAL_DEDUCTIONS, false, Text),
    col("other_deductions", OTHER_DEDUCTIONS, false, Text),
    col("paid_on", PAID_ON, false, Date),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Assessment columns (a grade, a score, or both).
pub const ASSESSMENTS: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("period", PERIOD, true, Period),
    col("grade", GRADE, false, Text),
    col("score", SCORE, false, Text),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Change columns (`--changes FILE`): a worker's new position, title or
/// unit from a day; the request's `changes` list.
pub const CHANGES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("on", &["生效日期", "变动日期", "起始日期"], true, Date),
    col("position", &["岗位", "职务"], false, Text),
    col("title", &["职称"], false, Text),
    col("unit", UNIT, false, Text),
    col("name", NAME, false, Text),
];

/// Honour columns.
pub const HONOURS: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("level", &["荣誉级别", "级别"], true, Text),
    col(
        "awarded_on",
        &["授予日期", "获奖日期", "表彰日期"],
        true,
        Date,
    ),
    col("deed", &["事迹", "荣誉事迹", "荣誉称号"], false, Text),
    col("name", NAME, false, Text),
    col("unit", UNIT, false, Text),
];

/// Scores for `payrules grade`.
pub const SCORES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("unit", UNIT, false, Text),
    col("score", SCORE, true, Text),
    col("period", PERIOD, false, Period),
    col("name", NAME, false, Text),
];

/// Grades for `payrules check-grades` (the output of `grade` reads back).
pub const GRADES: &[Column] = &[
    col("worker_id", WORKER_ID, true, Text),
    col("unit", UNIT, false, Text),
    col("grade", GRADE, true, Text),
    col("period", PERIOD, false, Period),
    col("name", NAME, false, Text),
    col("score", SCORE, false, Text),
    col("rank", &["排名", "名次"], false, Text),
];

fn norm_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
}

/// The column a header names, if any.
pub fn column_for(cols: &[Column], header: &str) -> Option<usize> {
    let h = norm_header(header);
    if h.is_empty() {
        return None;
    }
    cols.iter()
        .position(|c| c.field == h || c.names.iter().any(|n| n.to_ascii_lowercase() == h))
}

/// Normalises a date cell to `YYYY-MM-DD` when it is a real date written
/// `2026-11-03`, `2026/11/3`, `2026.11.3` or `2026年11月3日`, or an Excel
/// date serial number (see [`excel_serial_date`]); otherwise the text is
/// kept as given, so the engine's error shows what HR wrote.
pub fn normalize_date(text: &str) -> String {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // Already YYYY-MM-DD (the common case): the engine checks the day.
        return t.to_string();
    }
    if let Some(date) = excel_serial_date(t) {
        return date.format("%Y-%m-%d").to_string();
    }
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    if let [y, m, d] = parts[..] {
        let ok = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
        };
        if y.len() == 4
            && ok(y, 4)
            && ok(m, 2)
            && ok(d, 2)
            && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
            && let Some(date) = crate::period::ymd(y, m, d)
        {
            return date.format("%Y-%m-%d").to_string();
        }
    }
    t.to_string()
}

/// The date of an Excel date serial number, as a date cell holds it when
/// its column is formatted as a number (`46342` is 2026-11-16), or as
/// "save as CSV" writes such a cell.
///
/// Only five-digit whole numbers are taken, 10000 (1927-05-18) to 99999
/// (2173-10-14): a four-digit number in a date column is more likely a year
/// typed alone, and is left for the engine to refuse. Excel counts days
/// from 1899-12-31 as day 1 but also counts 1900-02-29, a day that never
/// was (its 1900 leap-year quirk, kept from Lotus 1-2-3); every serial from
/// 61 on is therefore the number of days after 1899-12-30.
#[must_use]
pub fn excel_serial_date(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    if t.len() != 5 || !t.bytes().all(|b| b.is_ascii_digit()) || t.starts_with('0') {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    crate::period::ymd(1899, 12, 30)?.checked_add_signed(chrono::TimeDelta::try_days(n)?)
}

/// Normalises a period cell: `2026/11`, `2026年11月`, `2026.11` → `2026-11`;
/// `2026年` → `2026`; anything else is kept for the engine to judge.
pub fn normalize_period(text: &str) -> String {
    let t = text.trim().trim_end_matches(['月', '年', '度']);
    let parts: Vec<&str> = t.split(['-', '/', '.', '年']).collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts[..] {
        [y] if y.len() == 4 && digits(y) => y.to_string(),
        [y, m] if y.len() == 4 && digits(y) && digits(m) && m.len() <= 2 => {
            match m.parse::<u32>() {
                Ok(m) if (1..=12).contains(&m) => format!("{y}-{m:02}"),
                _ => text.trim().to_string(),
            }
        }
        _ => text.trim().to_string(),
    }
}

/// Normalises a rate cell: `12%` (or `12％`) → `0.12`, exactly (the digits
/// moved two places, never through a float); anything else is kept for the
/// engine to judge, so its error shows what HR wrote.
pub fn normalize_rate(text: &str) -> String {
    let t = text.trim();
    let Some(num) = t.strip_suffix(['%', '％']).map(str::trim_end) else {
        return t.to_string();
    };
    match crate::money::parse_decimal(num, crate::money::RATE_DP - 2) {
        Ok(d) => {
            let mut d = d / rust_decimal::Decimal::ONE_HUNDRED;
            d = d.normalize();
            d.to_string()
        }
        Err(_) => t.to_string(),
    }
}

/// Where the records of one list came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The file, as named.
    pub file: String,
    /// The line (row) of each record, by index.
    pub lines: Vec<u32>,
    /// Column label of each field read.
    pub columns: BTreeMap<&'static str, String>,
}

impl Origin {
    /// The line of record `i`.
    pub fn line(&self, i: usize) -> Option<usize> {
        self.lines.get(i).map(|&l| l as usize)
    }
}

/// Records read from one file, with their origin and the problems found.
#[derive(Debug, Clone)]
pub struct Sheet<T> {
    /// One record per data row.
    pub records: Vec<T>,
    /// Where each came from.
    pub origin: Origin,
    /// Problems with single rows (the rows are still read, with the bad
    /// cell empty) and warnings (unknown columns).
    pub problems: Vec<FileProblem>,
}

/// A row as read, with its cells looked up by column definition.
pub struct RowView<'a> {
    rec: &'a StringRecord,
    index: &'a [Option<usize>],
    cols: &'a [Column],
}

impl RowView<'_> {
    /// The cell of column `k` (index into the column list), trimmed and
    /// normalised by its kind; empty when absent or too long.
    pub fn get(&self, k: usize) -> String {
        let raw = self.raw(k);
        match self.cols[k].kind {
            Text => raw.to_string(),
            Date => normalize_date(raw),
            Period => normalize_period(raw),
            Rate => normalize_rate(raw),
        }
    }
    /// Whether the sheet has column `k` at all.
    pub fn has(&self, k: usize) -> bool {
        self.index[k].is_some()
    }
    /// The cell, or `None` when absent or empty.
    pub fn opt(&self, k: usize) -> Option<String> {
        let v = self.get(k);
        (!v.is_empty()).then_some(v)
    }
    fn raw(&self, k: usize) -> &str {
        self.index[k]
            .and_then(|i| self.rec.get(i))
            .filter(|c| c.len() <= MAX_CELL)
            .map_or("", str::trim)
    }
}

/// Reads a table with the given columns into records built by `make`.
///
/// Structural problems (empty file, header only, missing or doubled
/// columns, undecodable bytes) and unknown columns (unless
/// [`ReadOptions::ignore_columns`] names them) are errors;
/// problems with one cell are reported for its row, which is still read.
pub fn read_sheet<T>(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    cols: &'static [Column],
    what: &str,
    mut progress: Progress,
    mut make: impl FnMut(&RowView) -> T,
) -> Result<Sheet<T>, Vec<FileProblem>> {
    let mut t: Table = table::open(file, bytes, opts, &|h| column_for(cols, h).is_some())?;
    let mut problems = std::mem::take(&mut t.problems);
    let open_problems = problems.len();
    let mut index: Vec<Option<usize>> = vec![None; cols.len()];
    let mut errors = Vec::new();
    let header_problem = |c: usize, message: String, warning: bool| FileProblem {
        file: file.to_string(),
        line: Some(t.header_line),
        column: Some(t.label(c)),
        worker_id: None,
        field: None,
        message,
        warning,
    };
    for (c, h) in t.headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        match column_for(cols, h) {
            Some(k) => match index[k] {
                Some(prev) => errors.push(header_problem(
                    c,
                    format!(
                        "column {h:?} names {} again (column {} already does); keep one",
                        cols[k].field,
                        t.label(prev)
                    ),
                    false,
                )),
                None => index[k] = Some(c),
            },
            None => {
                let asked = opts.ignore_columns.iter().any(|i| i.trim() == h.trim());
                let money = if looks_like_money(h) {
                    " it looks like money, and no amount of it is paid or deducted;"
                } else {
                    ""
                };
                if asked {
                    problems.push(header_problem(
                        c,
                        format!("column {h:?} ignored as --ignore-column asks;{money} the {what} columns are: {}", known_columns(cols)),
                        true,
                    ));
                } else {
                    errors.push(header_problem(
                        c,
                        format!(
                            "unknown column {h:?}{};{money} rename it, or pass --ignore-column {h:?} to ignore it knowingly (the {what} columns are: {})",
                            closest(cols, h).map(|k| format!(" (did you mean {k:?}?)")).unwrap_or_default(),
                            known_columns(cols)
                        ),
                        false,
                    ));
                }
            }
        }
    }
    for (k, c) in cols.iter().enumerate() {
        if c.required && index[k].is_none() {
            errors.push(FileProblem {
                file: file.to_string(),
                line: Some(t.header_line),
                column: None,
                worker_id: None,
                field: Some(c.field.to_string()),
                message: format!(
                    "missing required column {}; name it {} (headers found: {})",
                    c.field,
                    accepted(c),
                    t.headers.join(", ")
                ),
                warning: false,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut origin = Origin {
        file: file.to_string(),
        lines: Vec::new(),
        columns: cols
            .iter()
            .zip(&index)
            .filter_map(|(c, i)| i.map(|i| (c.field, t.label(i))))
            .collect(),
    };
    let id_col = index[0];
    let mut records = Vec::new();
    let mut rec = StringRecord::new();
    loop {
        let line = match t.next_row(&mut rec) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(p) => return Err(vec![p]),
        };
        for (c, cell) in rec.iter().enumerate() {
            if cell.len() > MAX_CELL {
                let k = index.iter().position(|&i| i == Some(c));
                problems.push(FileProblem {
                    file: file.to_string(),
                    line: Some(line),
                    column: Some(t.label(c)),
                    worker_id: id_col
                        .and_then(|i| rec.get(i))
                        .filter(|s| s.len() <= MAX_CELL)
                        .map(|s| s.trim().to_string()),
                    field: k.map(|k| cols[k].field.to_string()),
                    message: format!(
                        "cell of {} bytes; at most {MAX_CELL} bytes are expected (is a document pasted into it?)",
                        cell.len()
                    ),
                    warning: false,
                });
            }
        }
        // Cell problems found while opening (XLSX error cells) get the
        // worker and field of their row.
        for p in problems.iter_mut().take(open_problems) {
            if p.line == Some(line) && p.worker_id.is_none() {
                p.worker_id = id_col
                    .and_then(|i| rec.get(i))
                    .map(|s| s.trim().to_string());
                let c = p
                    .column
                    .as_ref()
                    .and_then(|col| t.labels.iter().position(|l| l == col));
                p.field = c
                    .and_then(|c| index.iter().position(|&i| i == Some(c)))
                    .map(|k| cols[k].field.to_string());
            }
        }
        let view = RowView {
            rec: &rec,
            index: &index,
            cols,
        };
        records.push(make(&view));
        origin.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        if records.len() % 10_000 == 0
            && let Some(p) = progress.as_mut()
        {
            p(file, records.len(), t.progress());
        }
    }
    if let Some(p) = progress.as_mut() {
        p(file, records.len(), 1.0);
    }
    if records.is_empty() {
        return Err(vec![FileProblem {
            file: file.to_string(),
            line: Some(t.header_line),
            column: None,
            worker_id: None,
            field: None,
            message: format!(
                "a header row but no {what} rows; expected one row per record below the header"
            ),
            warning: false,
        }]);
    }
    Ok(Sheet {
        records,
        origin,
        problems,
    })
}

/// Whether a header names an amount of money (a deduction, an allowance…),
/// which must never be ignored without the clerk knowing.
fn looks_like_money(h: &str) -> bool {
    const WORDS: [&str; 12] = [
        "扣",
        "款",
        "金额",
        "工资",
        "补贴",
        "津贴",
        "奖",
        "费",
        "元",
        "amount",
        "deduction",
        "pay",
    ];
    let l = h.to_lowercase();
    WORDS.iter().any(|w| l.contains(w))
}

/// The known header closest to `h` by edit distance (in characters), if
/// any is within half its length.
fn closest(cols: &[Column], h: &str) -> Option<String> {
    fn dist(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let h = h.trim().to_lowercase();
    cols.iter()
        .flat_map(|c| std::iter::once(c.field).chain(c.names.iter().copied()))
        .map(|n| (dist(&h, &n.to_lowercase()), n))
        .filter(|(d, n)| *d * 2 <= h.chars().count().max(n.chars().count()))
        .min()
        .map(|(_, n)| n.to_string())
}

fn accepted(c: &Column) -> String {
    let mut v = vec![c.field.to_string()];
    v.extend(c.names.iter().map(|s| s.to_string()));
    v.join(" or ")
}

fn known_columns(cols: &[Column]) -> String {
    cols.iter()
        .map(|c| match c.names.first() {
            Some(zh) => format!("{} ({zh})", c.field),
            None => c.field.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a roster (its tax columns, if any, are left to
/// [`read_roster_tax`]).
pub fn read_roster(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<WorkerRecord>, Vec<FileProblem>> {
    read_roster_tax(file, bytes, opts, progress).map(|(roster, _)| roster)
}

/// A roster, the tax records of its tax columns, and its bank details
/// (开户行 `bank`, 银行账号 `account`) by worker id — empty when the roster
/// has neither column.
pub fn read_roster_bank(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<(RosterTax, bank::Accounts), Vec<FileProblem>> {
    let mut cells: Vec<(String, String, String)> = Vec::new();
    let (roster, tax) = read_roster_inner(file, bytes, opts, progress, &mut |r| {
        if r.has(ROSTER_BANK) || r.has(ROSTER_BANK + 1) {
            cells.push((r.get(0), r.get(ROSTER_BANK), r.get(ROSTER_BANK + 1)));
        }
    })?;
    let mut accounts = bank::Accounts {
        file: file.to_string(),
        column: roster.origin.columns.get("account").cloned(),
        by_worker: Default::default(),
    };
    for (i, (id, bank, account)) in cells.into_iter().enumerate() {
        accounts
            .by_worker
            .entry(id)
            .or_insert_with(|| bank::Account {
                bank,
                account,
                line: roster.origin.line(i),
            });
    }
    Ok(((roster, tax), accounts))
}

/// A roster and the tax records of its tax columns, if it has any.
pub type RosterTax = (Sheet<WorkerRecord>, Option<Sheet<TaxRecord>>);

/// Reads a roster and its tax columns: when the roster has any of the
/// columns of [`TAX_FIELDS`], one tax record per roster row (an empty cell
/// is absent: the default), its origin the roster's lines and columns.
pub fn read_roster_tax(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<RosterTax, Vec<FileProblem>> {
    read_roster_inner(file, bytes, opts, progress, &mut |_| {})
}

fn read_roster_inner(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
    side: &mut dyn FnMut(&RowView),
) -> Result<RosterTax, Vec<FileProblem>> {
    // Kept aside row by row, and only when the roster has tax columns, so a
    // roster without them costs nothing more.
    let mut tax = Vec::new();
    let roster = read_sheet(file, bytes, opts, ROSTER, "roster", progress, |r| {
        if (ROSTER_TAX..ROSTER_BANK).any(|k| r.has(k)) {
            tax.push(tax_record(r, 0, ROSTER_TAX));
        }
        side(r);
        WorkerRecord {
            id: r.get(0),
            name: r.get(1),
            unit: r.get(2),
            position: r.get(3),
            title: r.get(4),
            hired_on: r.get(5),
            left_on: r.opt(6),
            probation_until: r.opt(7),
        }
    })?;
    let tax = (!tax.is_empty()).then(|| Sheet {
        records: tax,
        origin: roster.origin.clone(),
        problems: Vec::new(),
    });
    Ok((roster, tax))
}

/// A tax record from a row: the worker id in column `id`, the fields of
/// [`TAX_FIELDS`] from column `first` on.
fn tax_record(r: &RowView, id: usize, first: usize) -> TaxRecord {
    TaxRecord {
        worker_id: r.get(id),
        contribution_base: r.opt(first),
        housing_fund_rate: r.opt(first + 1),
        additional_deductions: r.opt(first + 2),
        other_deductions: r.opt(first + 3),
        paid_on: r.opt(first + 4),
    }
}

/// Whether a tax record gives nothing but the worker (every field default).
fn blank(t: &TaxRecord) -> bool {
    t.contribution_base.is_none()
        && t.housing_fund_rate.is_none()
        && t.additional_deductions.is_none()
        && t.other_deductions.is_none()
        && t.paid_on.is_none()
}

/// Reads tax inputs (`--tax FILE`): one row per worker.
pub fn read_tax(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<TaxRecord>, Vec<FileProblem>> {
    let sheet = read_sheet(file, bytes, opts, TAX, "tax", progress, |r| {
        tax_record(r, 0, 1)
    })?;
    if !TAX_FIELDS
        .iter()
        .any(|f| sheet.origin.columns.contains_key(f))
    {
        return Err(vec![FileProblem {
            file: file.to_string(),
            line: None,
            column: None,
            worker_id: None,
            field: Some("tax".into()),
            message: format!(
                "no tax column; name at least one of {}",
                TAX[1..6]
                    .iter()
                    .map(accepted)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            warning: false,
        }]);
    }
    Ok(sheet)
}

/// Reads assessments.
pub fn read_assessments(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<AssessmentRecord>, Vec<FileProblem>> {
    let sheet = read_sheet(
        file,
        bytes,
        opts,
        ASSESSMENTS,
        "assessment",
        progress,
        |r| AssessmentRecord {
            worker_id: r.get(0),
            period: r.get(1),
            grade: r.opt(2),
            score: r.opt(3),
        },
    )?;
    if !sheet.origin.columns.contains_key("grade") && !sheet.origin.columns.contains_key("score") {
        return Err(vec![FileProblem {
            file: file.to_string(),
            line: None,
            column: None,
            worker_id: None,
            field: Some("grade".into()),
            message: format!(
                "missing column grade or score; name it {} or {}",
                accepted(&ASSESSMENTS[2]),
                accepted(&ASSESSMENTS[3])
            ),
            warning: false,
        }]);
    }
    Ok(sheet)
}

/// Reads honours.
pub fn read_honours(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<HonourRecord>, Vec<FileProblem>> {
    read_sheet(file, bytes, opts, HONOURS, "honour", progress, |r| {
        HonourRecord {
            worker_id: r.get(0),
            level: r.get(1),
            awarded_on: r.get(2),
            deed: r.opt(3),
            paid: None,
        }
    })
}

/// Reads changes of position, title or unit ([`CHANGES`]); an empty cell
/// means that field does not change.
pub fn read_changes(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<ChangeRecord>, Vec<FileProblem>> {
    read_sheet(file, bytes, opts, CHANGES, "change", progress, |r| {
        ChangeRecord {
            worker_id: r.get(0),
            on: r.get(1),
            position: r.opt(2),
            title: r.opt(3),
            unit: r.opt(4),
        }
    })
}

/// Where the records of a request read from files came from, per list.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// The roster.
    pub workers: Option<Origin>,
    /// The assessments file.
    pub assessments: Option<Origin>,
    /// The honours file.
    pub honours: Option<Origin>,
    /// The changes file.
    pub changes: Option<Origin>,
    /// The tax records, in request order: those of the roster's tax columns,
    /// then those of the tax file (each part its own file).
    pub tax: Vec<Origin>,
}

impl Origins {
    /// Whether any list was read from a file.
    pub fn any(&self) -> bool {
        self.workers.is_some()
            || self.assessments.is_some()
            || self.honours.is_some()
            || !self.tax.is_empty()
    }
}

/// A request built from files, with the origin of every record.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The request for the engine.
    pub request: Request,
    /// Origins of workers, assessments, honours and tax records.
    pub origins: Origins,
    /// Row problems and warnings from reading.
    pub problems: Vec<FileProblem>,
    /// The roster's bank details (for `--bank-file`).
    pub bank: bank::Accounts,
}

impl Loaded {
    /// Builds a request from sheets read.
    pub fn new(
        kind: crate::run::Kind,
        period: String,
        roster: Sheet<WorkerRecord>,
        assessments: Option<Sheet<AssessmentRecord>>,
        honours: Option<Sheet<HonourRecord>>,
    ) -> Loaded {
        let mut problems = roster.problems;
        let mut origins = Origins {
            workers: Some(roster.origin),
            ..Origins::default()
        };
        let assessments = assessments.map_or_else(Vec::new, |s| {
            problems.extend(s.problems);
            origins.assessments = Some(s.origin);
            s.records
        });
        let honours = honours.map_or_else(Vec::new, |s| {
            problems.extend(s.problems);
            origins.honours = Some(s.origin);
            s.records
        });
        Loaded {
            request: Request {
                kind,
                period,
                policy: None,
                workers: roster.records,
                assessments,
                honours,
                tax: Vec::new(),
                ytd: Vec::new(),
                adjustments: Vec::new(),
                changes: Vec::new(),
                explain: true,
            },
            origins,
            problems,
            bank: bank::Accounts::default(),
        }
    }

    /// Adds the tax records of the roster's tax columns and of a tax file.
    ///
    /// Without a tax file every roster row gives a tax record (empty cells
    /// are defaults), so every worker gets net-pay lines. With one, a roster
    /// row gives a record only when one of its tax cells is filled. A worker
    /// given again (in both, or twice in the tax file) is an error naming
    /// both file:lines; only the first record goes to the engine, and the
    /// error keeps the worker from being paid.
    pub fn add_tax(&mut self, roster: Option<Sheet<TaxRecord>>, file: Option<Sheet<TaxRecord>>) {
        let has_file = file.is_some();
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        for (part, skip_blank) in [(roster, has_file), (file, false)] {
            let Some(s) = part else { continue };
            self.problems.extend(s.problems);
            let o = s.origin;
            let mut kept = Origin {
                file: o.file.clone(),
                lines: Vec::new(),
                columns: o.columns.clone(),
            };
            let id_col = o.columns.get("worker_id").or_else(|| o.columns.get("id"));
            for (i, t) in s.records.into_iter().enumerate() {
                if skip_blank && blank(&t) {
                    continue;
                }
                let line = o.line(i);
                let here = match line {
                    Some(l) => format!("{}:{l}", o.file),
                    None => o.file.clone(),
                };
                if !t.worker_id.is_empty() {
                    if let Some(first) = seen.get(&t.worker_id) {
                        self.problems.push(FileProblem {
                            file: o.file.clone(),
                            line,
                            column: id_col.cloned(),
                            worker_id: Some(t.worker_id.clone()),
                            field: Some("tax".into()),
                            message: format!(
                                "tax inputs given again (also {first}); give each worker's tax inputs once, in the roster's tax columns or in the tax file"
                            ),
                            warning: false,
                        });
                        continue;
                    }
                    seen.insert(t.worker_id.clone(), here);
                }
                kept.lines.push(o.lines[i]);
                self.request.tax.push(t);
            }
            if !kept.lines.is_empty() {
                self.origins.tax.push(kept);
            }
        }
    }

    /// An engine error as a problem naming the file, line and column.
    pub fn locate(&self, e: &InputError) -> FileProblem {
        locate(&self.origins, e)
    }
}

/// The origin of tax record `i` and its index within it.
pub(crate) fn tax_origin(parts: &[Origin], mut i: usize) -> Option<(&Origin, usize)> {
    for o in parts {
        if i < o.lines.len() {
            return Some((o, i));
        }
        i -= o.lines.len();
    }
    None
}

/// Removes the payslips of the given workers from a run and from its rows,
/// and recomputes the totals from the rows that remain (for
/// `--allow-partial`, when a worker's row had a problem the engine could not
/// see).
pub(crate) fn drop_workers(run: &mut Run, rows: &mut write::PayRows, ids: &BTreeSet<String>) {
    if ids.is_empty() {
        return;
    }
    let workers = &run.workers;
    let paid = |w: usize| !ids.contains(&workers[w].id);
    run.payslips.retain(|p| paid(p.worker));
    rows.retain(paid);
    let mut totals = Totals::default();
    for row in rows.iter() {
        totals.workers += 1;
        totals.gross += row.gross();
        for code in LineCode::ALL {
            if let Some(a) = row.amount(code) {
                *totals.by_code.entry(code).or_default() += a;
            }
        }
        *totals
            .by_unit
            .entry(workers[row.worker].unit.clone())
            .or_default() += row.gross();
    }
    run.totals = totals;
}

/// The line codes that occur in a run, in payslip order.
pub fn codes(run: &Run) -> Vec<LineCode> {
    run.totals.by_code.keys().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods_normalise() {
        assert_eq!(normalize_date("2026/11/3"), "2026-11-03");
        assert_eq!(normalize_date(" 2026-11-03 "), "2026-11-03");
        assert_eq!(normalize_date("2026年11月3日"), "2026-11-03");
        assert_eq!(normalize_date("2026/02/30"), "2026/02/30");
        assert_eq!(normalize_date("26/11/3"), "26/11/3");
        // Excel serials: 46342 is 2026-11-16 (worked: 2026-01-01 is serial
        // 46023, and 11-16 is day 320 of the year, 46023 + 319 = 46342);
        // 45351 is 2024-02-29 (a real leap day, after the 1900 quirk).
        assert_eq!(normalize_date("46342"), "2026-11-16");
        assert_eq!(normalize_date("46023"), "2026-01-01");
        assert_eq!(normalize_date("45351"), "2024-02-29");
        assert_eq!(normalize_date("46342.0"), "2026-11-16");
        assert_eq!(normalize_date("10000"), "1927-05-18");
        // A year alone, a six-digit number or a fraction stays for the
        // engine to refuse with what HR wrote.
        assert_eq!(normalize_date("2026"), "2026");
        assert_eq!(normalize_date("463420"), "463420");
        assert_eq!(normalize_date("46342.5"), "46342.5");
        assert_eq!(normalize_period("2026/11"), "2026-11");
        assert_eq!(normalize_period("2026年11月"), "2026-11");
        assert_eq!(normalize_period("2026年度"), "2026");
        assert_eq!(normalize_period("2026-13"), "2026-13");
    }

    #[test]
    fn headers_in_either_language() {
        assert_eq!(column_for(ROSTER, "工号"), Some(0));
        assert_eq!(column_for(ROSTER, " ID "), Some(0));
        assert_eq!(column_for(ROSTER, "社区/单位"), Some(2));
        assert_eq!(column_for(ROSTER, "\u{feff}入职日期"), Some(5));
        assert_eq!(column_for(ROSTER, "备注"), None);
        assert_eq!(column_for(ROSTER, "社保缴费基数"), Some(ROSTER_TAX));
        assert_eq!(column_for(TAX, "住房公积金比例"), Some(2));
        assert_eq!(column_for(TAX, "Other_Deductions"), Some(4));
        assert_eq!(column_for(TAX, "发放日期"), Some(5));
    }

    #[test]
    fn rates_as_percentages_are_exact() {
        assert_eq!(normalize_rate("12%"), "0.12");
        assert_eq!(normalize_rate(" 7.5 ％ "), "0.075");
        assert_eq!(normalize_rate("0.12"), "0.12");
        assert_eq!(normalize_rate("12.34567%"), "12.34567%"); // too precise: the engine says so
        assert_eq!(normalize_rate("x%"), "x%");
    }
}
