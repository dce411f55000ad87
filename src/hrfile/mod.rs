//! HR files in, payroll sheets out.
//!
//! Reads the rosters, assessments, honours and tax inputs HR keeps (tax
//! inputs in a file of their own or as roster columns) — CSV (UTF-8 with or
//! without BOM, or GBK as saved by Chinese Excel), XLSX, or JSON — with
//! headers in English codes or Chinese, into the engine's records, keeping
//! the `file:line` (and column) of every record so that an engine error can
//! name it. [`write`](mod@write) renders a run as an aligned table, CSV, JSON or XLSX.
//!
//! Reading is layered, each layer its own module: `cells` normalises what
//! HR writes in a cell (dates, periods, rates); `columns` names each list's
//! columns and the headers accepted for them; [`table`] opens a file (CSV,
//! XLSX or JSON) as rows of text; `sheet` matches a table's headers to a
//! list's columns and reads its rows into records ([`read_sheet`]); `lists`
//! reads each list of the request (roster, tax inputs, assessments,
//! honours, changes); `loaded` joins them into one request ([`Loaded`]),
//! and `origin` keeps where every record came from, for [`locate`].
//!
//! ```
//! use payrules::hrfile::{read_roster, ReadOptions};
//! let csv = "工号,姓名,社区,岗位,职称,入职日期\nW001,林晓,温泉社区,社区工作者,社会工作师,2020/3/1\n";
//! let sheet = read_roster("roster.csv", csv.as_bytes().to_vec(), &ReadOptions::default(), None).unwrap();
//! assert_eq!(sheet.records[0].id, "W001");
//! assert_eq!(sheet.records[0].hired_on, "2020-03-01"); // 2020/3/1 normalised
//! assert_eq!(sheet.origin.line(0), Some(2));
//! ```

pub mod accounted;
pub mod bank;
mod cells;
mod columns;
pub mod finance;
pub mod gbk;
pub mod grading;
pub mod limits;
mod lists;
mod loaded;
mod locate;
mod origin;
pub mod output;
pub(crate) mod render;
mod sheet;
pub mod slips;
mod csv_rows;
pub mod table;
pub use locate::locate;
pub mod whatif;
mod workbook;
pub mod write;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use cells::{excel_serial_date, normalize_date, normalize_period, normalize_rate};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use columns::{
    ASSESSMENTS, CHANGES, CellKind, Column, GRADES, HONOURS, ROSTER, SCORES, TAX, TAX_FIELDS,
    column_for,
};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use lists::{
    PackedRosterTax, RosterTax, read_assessments, read_assessments_packed, read_changes,
    read_honours, read_roster, read_roster_bank, read_roster_tax, read_tax,
};
pub use loaded::Loaded;
pub use table::Input;
pub(crate) use origin::tax_origin;
pub use origin::{Origin, Origins};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use sheet::{RowView, Rows, Sheet, read_sheet};

use crate::rules::payslip::LineCode;
use crate::run::{Run, Totals};
use std::collections::BTreeSet;
use std::fmt;

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

/// Removes the payslips of the given workers from a run and from its rows,
/// and recomputes the totals from the rows that remain (for
/// `--allow-partial`, when a worker's row had a problem the engine could not
/// see).
pub(crate) fn drop_workers(run: &mut Run, rows: &mut write::PayRows, ids: &BTreeSet<String>) {
    if ids.is_empty() {
        return;
    }
    let workers = &run.workers;
    let paid = |w: usize| !ids.contains(workers[w].id.as_str());
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
            .entry(workers[row.worker].unit.to_string())
            .or_default() += row.gross();
    }
    run.totals = totals;
}

/// The line codes that occur in a run, in payslip order.
pub fn codes(run: &Run) -> Vec<LineCode> {
    run.totals.by_code.keys().copied().collect()
}
