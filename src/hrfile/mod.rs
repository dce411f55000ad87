//! HR files in, payroll sheets out.
//!
//! Reads the rosters, assessments and honours HR keeps — CSV (UTF-8 with or
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

pub mod grading;
pub mod limits;
mod locate;
pub mod output;
pub(crate) mod render;
pub mod table;
pub use locate::locate;
pub mod whatif;
pub mod write;

use crate::rules::payslip::LineCode;
use crate::run::{InputError, Request, Run, Totals};
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
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

use CellKind::{Date, Period, Text};

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

/// Roster columns.
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
/// `2026-11-03`, `2026/11/3`, `2026.11.3` or `2026年11月3日`; otherwise the
/// text is kept as given, so the engine's error shows what HR wrote.
pub fn normalize_date(text: &str) -> String {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // Already YYYY-MM-DD (the common case): the engine checks the day.
        return t.to_string();
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
        }
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
/// columns, undecodable bytes) are errors; unknown columns are warnings;
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
            None => problems.push(header_problem(
                c,
                format!(
                    "unknown column {h:?} ignored; the {what} columns are: {}",
                    known_columns(cols)
                ),
                true,
            )),
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

/// Reads a roster.
pub fn read_roster(
    file: &str,
    bytes: Vec<u8>,
    opts: &ReadOptions,
    progress: Progress,
) -> Result<Sheet<WorkerRecord>, Vec<FileProblem>> {
    read_sheet(file, bytes, opts, ROSTER, "roster", progress, |r| {
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
    })
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

/// A request built from files, with the origin of every record.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The request for the engine.
    pub request: Request,
    /// Origins of workers, assessments and honours.
    pub origins: [Option<Origin>; 3],
    /// Row problems and warnings from reading.
    pub problems: Vec<FileProblem>,
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
        let mut origins: [Option<Origin>; 3] = [Some(roster.origin), None, None];
        let assessments = assessments.map_or_else(Vec::new, |s| {
            problems.extend(s.problems);
            origins[1] = Some(s.origin);
            s.records
        });
        let honours = honours.map_or_else(Vec::new, |s| {
            problems.extend(s.problems);
            origins[2] = Some(s.origin);
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
            },
            origins,
            problems,
        }
    }

    /// An engine error as a problem naming the file, line and column.
    pub fn locate(&self, e: &InputError) -> FileProblem {
        locate(&self.origins, e)
    }
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
    }
}
