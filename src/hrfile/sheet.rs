//! One HR table read into records: its headers matched to the list's
//! columns (missing, doubled and unknown columns reported), then each row
//! handed to the caller as a [`RowView`] with its cells normalised, keeping
//! the line of every record. Problems with one cell are reported for its
//! row, which is still read.

use super::cells::{normalize_date, normalize_period, normalize_rate};
use super::columns::CellKind::{Date, Period, Rate, Text};
use super::columns::{Column, accepted, closest, column_for, known_columns, looks_like_money};
use super::origin::Origin;
use super::table::{self, Input, MAX_CELL, Table};
use super::{FileProblem, Progress, ReadOptions};
use crate::run::packed::{Full, MAX_TEXT, Pack, Packed};
use compact_str::CompactString;
use csv::StringRecord;

/// Records read from one file, with their origin and the problems found.
/// `L` holds the records: a `Vec`, or a [`Packed`] list for the lists a
/// large run holds a million of.
#[derive(Debug, Clone)]
pub struct Sheet<L> {
    /// One record per data row.
    pub records: L,
    /// Where each came from.
    pub origin: Origin,
    /// Problems with single rows (the rows are still read, with the bad
    /// cell empty) and warnings (unknown columns).
    pub problems: Vec<FileProblem>,
}

/// Where a sheet's records go as they are read.
pub trait Rows<T>: Default {
    /// Adds a record; `Err` when the list is full.
    fn add(&mut self, rec: T) -> Result<(), Full>;
    /// The number of records added.
    fn count(&self) -> usize;
}

impl<T> Rows<T> for Vec<T> {
    fn add(&mut self, rec: T) -> Result<(), Full> {
        self.push(rec);
        Ok(())
    }
    fn count(&self) -> usize {
        self.len()
    }
}

impl<T: Pack> Rows<T> for Packed<T> {
    fn add(&mut self, rec: T) -> Result<(), Full> {
        self.push(&rec)
    }
    fn count(&self) -> usize {
        self.len()
    }
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
        self.cell(k).into()
    }
    /// The cell of column `k` as [`get`](Self::get) reads it, kept inline
    /// when short (no allocation for an id, a name or a date).
    pub fn cell(&self, k: usize) -> CompactString {
        let raw = self.raw(k);
        match self.cols[k].kind {
            Text => CompactString::from(raw),
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
        self.cell_opt(k).map(String::from)
    }
    /// The cell as [`cell`](Self::cell) reads it, or `None` when absent or empty.
    pub fn cell_opt(&self, k: usize) -> Option<CompactString> {
        let v = self.cell(k);
        (!v.is_empty()).then_some(v)
    }
    fn raw(&self, k: usize) -> &str {
        self.index[k]
            .and_then(|i| self.rec.get(i))
            .filter(|c| c.len() <= MAX_CELL)
            .map_or("", super::cells::trim)
    }
}

/// Reads a table with the given columns into records built by `make`.
///
/// Structural problems (empty file, header only, missing or doubled
/// columns, undecodable bytes) and unknown columns (unless
/// [`ReadOptions::ignore_columns`] names them) are errors;
/// problems with one cell are reported for its row, which is still read.
pub fn read_sheet<T, L: Rows<T>>(
    file: &str,
    input: impl Into<Input>,
    opts: &ReadOptions,
    cols: &'static [Column],
    what: &str,
    mut progress: Progress,
    mut make: impl FnMut(&RowView) -> T,
) -> Result<Sheet<L>, Vec<FileProblem>> {
    let mut t: Table = table::open(file, input, opts, &|h| column_for(cols, h).is_some())?;
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
        lines: Default::default(),
        columns: cols
            .iter()
            .zip(&index)
            .filter_map(|(c, i)| i.map(|i| (c.field, t.label(i))))
            .collect(),
    };
    let id_col = index[0];
    let mut records = L::default();
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
        if records.add(make(&view)).is_err() {
            return Err(vec![FileProblem {
                file: file.to_string(),
                line: Some(line),
                column: None,
                worker_id: None,
                field: None,
                message: format!(
                    "more than {MAX_TEXT} bytes of text in the {what} rows up to this one; split the file"
                ),
                warning: false,
            }]);
        }
        origin.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        let n = records.count();
        if n % 10_000 == 0
            && let Some(p) = progress.as_mut()
        {
            p(file, n, t.progress());
        }
    }
    if let Some(p) = progress.as_mut() {
        p(file, records.count(), 1.0);
    }
    if records.count() == 0 {
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
