//! A run as HR reads it: the compact rows the sheets are made from, an
//! aligned table, CSV, the errors file, the summary printed after a run;
//! the XLSX workbook is in `hrfile::workbook`, re-exported here.
//!
//! Amounts stay `Decimal` to the end.

use super::FileProblem;
use super::output::{csv_text, push_csv_field, push_csv_text};
use crate::money::format_amount;
use crate::rules::payslip::{LineCode, Payslip};
use crate::run::Run;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Writes a file completely or not at all: a one-file
/// [`super::output::CommitSet`] (a temporary created exclusively beside it,
/// then renamed over it; a new file getting `mode` (`--mode`), else `0600`).
pub fn write_atomic_mode(
    path: &Path,
    mode: Option<u32>,
    f: impl FnOnce(&mut io::BufWriter<&std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut set = super::output::CommitSet::new(mode);
    set.add(path, f)?;
    set.commit()
}

/// The amounts of a run's payslips as the payroll sheets show them: one
/// row per payslip, one sum per line code (several honour lines add up) and
/// the gross.
///
/// The sheets (table, CSV, XLSX) and the summary read these rows, not the
/// payslips, so a run can hand its payslips over one by one
/// ([`crate::run::run_with`]) and keep only these: about 32 bytes a payslip
/// instead of 300. An amount on the fen (two decimals, as every line of a
/// run is) within ±21,474,836.47 is kept as its fen count and read back as
/// the same `Decimal`, scale included; any other (a zero without decimals,
/// a negative zero, a larger amount) is kept whole.
#[derive(Debug, Clone, Default)]
pub struct PayRows {
    /// Per row: worker index in the run, the codes present (bit = code),
    /// and which of the row's amounts are kept whole (bit k = its k-th
    /// amount). A row's amounts, the gross then one sum per present code,
    /// follow the amounts of the rows before it.
    rows: Vec<(u32, u16, u16)>,
    /// Fen counts; for an amount kept whole, its index in `whole`.
    amounts: Vec<i32>,
    whole: Vec<Decimal>,
}

/// One row of [`PayRows`].
pub struct PayRow<'a> {
    /// Index of the worker in the run.
    pub worker: usize,
    mask: u16,
    whole_mask: u16,
    amounts: &'a [i32],
    whole: &'a [Decimal],
}

/// An amount of a [`PayRow`] as kept: a fen count, or a `Decimal` kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// The amount of this many fen, two decimals.
    Fen(i64),
    /// Any other amount.
    Whole(Decimal),
}

impl Kept {
    /// The amount.
    #[must_use]
    pub fn amount(self) -> Decimal {
        match self {
            Kept::Fen(f) => crate::money::fen_amount(f),
            Kept::Whole(d) => d,
        }
    }
}

impl PayRow<'_> {
    /// Gross pay.
    pub fn gross(&self) -> Decimal {
        self.nth(0).amount()
    }
    /// The sum of the lines with `code`, if the payslip has any.
    pub fn amount(&self, code: LineCode) -> Option<Decimal> {
        self.kept(Col::Code(code)).map(Kept::amount)
    }
    /// The amount of a column as kept, if the payslip has one.
    pub fn kept(&self, col: Col) -> Option<Kept> {
        match col {
            Col::Gross => Some(self.nth(0)),
            Col::Code(code) => {
                let bit = code as u16;
                if self.mask & (1 << bit) == 0 {
                    return None;
                }
                let before = (self.mask & ((1u16 << bit) - 1)).count_ones() as usize;
                Some(self.nth(1 + before))
            }
        }
    }
    fn nth(&self, k: usize) -> Kept {
        let a = self.amounts[k];
        if self.whole_mask & (1 << k) != 0 {
            // Invariant: `push` stored the index of an amount in `whole`.
            Kept::Whole(self.whole[a as usize])
        } else {
            Kept::Fen(i64::from(a))
        }
    }
}

impl PayRows {
    /// No rows.
    pub fn new() -> PayRows {
        PayRows::default()
    }

    /// The rows of a run's payslips.
    pub fn from_run(run: &Run) -> PayRows {
        let mut rows = PayRows::new();
        for slip in &run.payslips {
            rows.push(slip);
        }
        rows
    }
    /// Adds a payslip's row.
    pub fn push(&mut self, slip: &Payslip) {
        let mut mask = 0u16;
        let mut whole_mask = 0u16;
        let start = self.amounts.len();
        self.keep(Kept::of(slip.gross), 0, &mut whole_mask);
        // Lines on the fen, the usual case, are summed as fen counts; a row
        // with any other line is summed as Decimal, scale and sign kept.
        let mut fen = [0i64; LineCode::ALL.len()];
        let on_fen = slip.lines.iter().all(|l| {
            mask |= 1 << (l.code as u16);
            crate::money::on_fen(l.amount)
                .and_then(|f| fen[l.code as usize].checked_add(f))
                .map(|s| fen[l.code as usize] = s)
                .is_some()
        });
        let mut k = 1;
        if on_fen {
            for (c, f) in fen.iter().enumerate() {
                if mask & (1 << c) != 0 {
                    self.keep(Kept::Fen(*f), k, &mut whole_mask);
                    k += 1;
                }
            }
        } else {
            mask = 0;
            let mut sums = [None::<Decimal>; LineCode::ALL.len()];
            for l in &slip.lines {
                *sums[l.code as usize].get_or_insert(Decimal::ZERO) += l.amount;
            }
            for (c, s) in sums.iter().enumerate() {
                if let Some(s) = s {
                    mask |= 1 << c;
                    self.keep(Kept::of(*s), k, &mut whole_mask);
                    k += 1;
                }
            }
        }
        debug_assert_eq!(self.amounts.len() - start, 1 + mask.count_ones() as usize);
        // Invariant: a run has fewer than 2^32 workers.
        self.rows.push((slip.worker as u32, mask, whole_mask));
    }
    /// Keeps the `k`-th amount of the row being added.
    fn keep(&mut self, a: Kept, k: u32, whole_mask: &mut u16) {
        let small = match a {
            Kept::Fen(f) => i32::try_from(f).ok(),
            Kept::Whole(_) => None,
        };
        match small {
            Some(f) => self.amounts.push(f),
            None => {
                *whole_mask |= 1 << k;
                // Invariant: fewer than 2^31 amounts are kept whole (a run
                // has fewer than 2^32 workers, and amounts this large are
                // rare).
                self.amounts.push(self.whole.len() as i32);
                self.whole.push(a.amount());
            }
        }
    }
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether there are no rows.
    #[cfg(any(test, feature = "internals"))]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// The rows in run order.
    pub fn iter(&self) -> impl Iterator<Item = PayRow<'_>> {
        self.iter_at(0..self.rows.len(), 0)
    }
    /// The rows cut into runs of `size` rows, in order, to be read apart.
    pub fn chunks(&self, size: usize) -> Vec<impl Iterator<Item = PayRow<'_>> + Send> {
        let size = size.max(1);
        let mut out = Vec::new();
        let mut amount = 0;
        for (i, &(_, mask, _)) in self.rows.iter().enumerate() {
            if i.is_multiple_of(size) {
                out.push(self.iter_at(i..(i + size).min(self.rows.len()), amount));
            }
            amount += 1 + mask.count_ones() as usize;
        }
        out
    }
    /// Rows `rows`, the first of whose amounts is at `start`.
    fn iter_at(
        &self,
        rows: std::ops::Range<usize>,
        mut start: usize,
    ) -> impl Iterator<Item = PayRow<'_>> + Send {
        self.rows[rows].iter().map(move |&(w, mask, whole_mask)| {
            let end = start + 1 + mask.count_ones() as usize;
            let amounts = &self.amounts[start..end];
            start = end;
            PayRow {
                worker: w as usize,
                mask,
                whole_mask,
                amounts,
                whole: &self.whole,
            }
        })
    }
    /// Keeps the rows of the workers for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut out = PayRows::new();
        for r in self.iter().filter(|r| keep(r.worker)) {
            let mut whole_mask = 0;
            for k in 0..r.amounts.len() {
                out.keep(r.nth(k), k as u32, &mut whole_mask);
            }
            out.rows.push((r.worker as u32, r.mask, whole_mask));
        }
        *self = out;
    }
}

impl Kept {
    /// An amount as [`PayRows`] keeps it.
    fn of(a: Decimal) -> Kept {
        match crate::money::on_fen(a) {
            Some(f) => Kept::Fen(f),
            None => Kept::Whole(a),
        }
    }
}

/// A money column of the payroll sheets: a line code, or the gross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// The sum of a payslip's lines with this code.
    Code(LineCode),
    /// Gross pay (应发合计).
    Gross,
}

impl Col {
    /// The English header (the line code, or `gross`).
    pub fn code(self) -> &'static str {
        match self {
            Col::Code(c) => c.code(),
            Col::Gross => "gross",
        }
    }
    /// The Chinese header.
    pub fn zh(self) -> &'static str {
        match self {
            Col::Code(c) => c.zh(),
            Col::Gross => "应发合计",
        }
    }
    /// A row's amount in this column, if any.
    pub fn amount(self, row: &PayRow) -> Option<Decimal> {
        match self {
            Col::Code(c) => row.amount(c),
            Col::Gross => Some(row.gross()),
        }
    }
    /// The run's total of this column.
    pub fn total(self, run: &Run) -> Decimal {
        match self {
            Col::Code(c) => run.totals.by_code.get(&c).copied().unwrap_or_default(),
            Col::Gross => run.totals.gross,
        }
    }
}

/// The money columns of a run's payroll sheets: the earning codes that
/// occur, the gross, then the deductions and the net when the run computed
/// net pay (`pension`, `medical`, `unemployment`, `housing_fund`,
/// `income_tax`, `net`), as a payslip reads.
pub fn columns(run: &Run) -> Vec<Col> {
    let codes = super::codes(run);
    let mut cols: Vec<Col> = codes
        .iter()
        .filter(|c| c.is_earning())
        .map(|&c| Col::Code(c))
        .collect();
    cols.push(Col::Gross);
    cols.extend(
        codes
            .iter()
            .filter(|c| !c.is_earning())
            .map(|&c| Col::Code(c)),
    );
    cols
}

/// One row per worker: `worker_id,name,unit,<earning codes>,gross`, then
/// the deduction codes and `net` when the run computed net pay; a code a
/// worker has no line for is empty (a worker without tax inputs has no
/// deductions or net). Text cells go through [`csv_text`]; amounts are
/// plain numbers.
#[cfg(any(test, feature = "internals"))]
pub fn csv(run: &Run, rows: &PayRows, out: &mut dyn Write) -> io::Result<()> {
    csv_styled(run, rows, CsvStyle::PLAIN, out)
}

/// The headers of a payroll CSV: Chinese, English codes, or both: a row of
/// Chinese headers above a row of the codes (people read the first, other
/// programs key on the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Headers {
    /// `工号`, `应发合计`…
    Zh,
    /// `worker_id`, `gross`…: the codes, as other systems read them.
    En,
    /// `工号,…,应发合计` above `worker_id,…,gross` (the CLI's default).
    #[default]
    Both,
}

impl Headers {
    fn cell(self, zh: &str, en: &str) -> String {
        match self {
            Headers::Zh => zh.to_string(),
            Headers::En => en.to_string(),
            Headers::Both => format!("{zh} {en}"),
        }
    }
}

impl std::str::FromStr for Headers {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "zh" => Ok(Headers::Zh),
            "en" => Ok(Headers::En),
            "both" => Ok(Headers::Both),
            _ => Err(format!("{s:?}: expected zh, en or both")),
        }
    }
}

/// How a payroll CSV is written for the office: the CLI's default is Excel's
/// (a byte-order mark, bilingual headers, a totals row); [`CsvStyle::PLAIN`]
/// is what [`csv()`] writes for other systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStyle {
    /// A UTF-8 byte-order mark first, so Excel shows the Chinese.
    pub bom: bool,
    /// The header cells.
    pub headers: Headers,
    /// A last row with the count and the total of every money column.
    pub totals: bool,
    /// GBK instead of UTF-8 (and no byte-order mark), for older systems;
    /// a character GBK lacks is an error ([`super::gbk`]).
    pub gbk: bool,
}

impl CsvStyle {
    /// No mark, English codes, no totals row.
    #[cfg(any(test, feature = "internals"))]
    pub const PLAIN: CsvStyle = CsvStyle {
        bom: false,
        headers: Headers::En,
        totals: false,
        gbk: false,
    };
}

impl Default for CsvStyle {
    /// For Excel: a mark, bilingual headers, a totals row.
    fn default() -> Self {
        CsvStyle {
            bom: true,
            headers: Headers::Both,
            totals: true,
            gbk: false,
        }
    }
}

/// The payroll CSV of [`csv()`] in `style`: with a totals row, the last row
/// is `合计 total` (as the headers are), the count of workers (`3 人
/// workers`), an empty unit and every money column's total.
pub fn csv_styled(
    run: &Run,
    rows: &PayRows,
    style: CsvStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    super::gbk::encoded(out, style.bom, style.gbk, |out| {
        csv_utf8(run, rows, style, out)
    })
}

/// The rows of [`csv_styled`], as UTF-8 without the mark. Each row is
/// written field by field into one buffer ([`push_csv_text`]: quoted as
/// the csv crate quotes), amounts from their fen counts.
fn csv_utf8(run: &Run, rows: &PayRows, style: CsvStyle, out: &mut dyn Write) -> io::Result<()> {
    let cols = columns(run);
    let h = style.headers;
    let rows_of = match h {
        Headers::Both => vec![Headers::Zh, Headers::En],
        one => vec![one],
    };
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let put_row = |out: &mut dyn Write, line: &mut Vec<u8>, cells: &[String]| {
        line.clear();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_csv_field(line, c.as_bytes());
        }
        line.push(b'\n');
        out.write_all(line)
    };
    let mut header = Vec::new();
    for h in rows_of {
        header.clear();
        header.extend([
            h.cell("工号", "worker_id"),
            h.cell("姓名", "name"),
            h.cell("社区/单位", "unit"),
        ]);
        header.extend(cols.iter().map(|c| h.cell(c.zh(), c.code())));
        put_row(out, &mut line, &header)?;
    }
    // The rows, 32,768 at a time, every other run of them rendered on a
    // thread of its own; each written in order as it is ready.
    let chunks = rows.chunks(1 << 15);
    let mut sums = ColumnSums::new(cols.len());
    if chunks.len() < 2 {
        for chunk in chunks {
            line.clear();
            render_rows(run, &cols, chunk, &mut line, &mut sums);
            out.write_all(&line)?;
        }
    } else {
        let (mine, theirs): (Vec<_>, Vec<_>) = chunks
            .into_iter()
            .enumerate()
            .partition(|(k, _)| k % 2 == 0);
        let cols = &cols;
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let written = std::thread::scope(|s| {
            let helper = s.spawn(move || {
                let mut sums = ColumnSums::new(cols.len());
                for (_, chunk) in theirs {
                    let mut buf = free_rx.try_recv().unwrap_or_default();
                    buf.clear();
                    render_rows(run, cols, chunk, &mut buf, &mut sums);
                    if done_tx.send(buf).is_err() {
                        break; // the writer stopped
                    }
                }
                sums
            });
            let write_all = || -> io::Result<()> {
                for (_, chunk) in mine {
                    line.clear();
                    render_rows(run, cols, chunk, &mut line, &mut sums);
                    out.write_all(&line)?;
                    // The run rendered beside this one, when there is one.
                    if let Ok(buf) = done_rx.recv() {
                        out.write_all(&buf)?;
                        let _ = free_tx.send(buf);
                    }
                }
                Ok(())
            };
            let written = write_all();
            drop(done_rx);
            let theirs = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.map(|()| theirs)
        })?;
        sums.merge(written);
    }
    if style.totals {
        let n = rows.len();
        let mut row = vec![
            h.cell("合计", "total"),
            match h {
                Headers::Zh => format!("{n} 人"),
                Headers::En => format!("{n} workers"),
                Headers::Both => format!("{n} 人 workers"),
            },
            String::new(),
        ];
        row.extend(sums.totals().into_iter().map(format_amount));
        put_row(out, &mut line, &row)?;
    }
    out.flush()
}

/// The totals of a payroll's money columns as its rows are written:
/// amounts kept as fen counts summed as integers, any other as `Decimal`.
struct ColumnSums {
    fen: Vec<i128>,
    other: Vec<crate::money::FenSum>,
}

impl ColumnSums {
    fn new(n: usize) -> ColumnSums {
        ColumnSums {
            fen: vec![0; n],
            other: vec![crate::money::FenSum::default(); n],
        }
    }
    fn merge(&mut self, more: ColumnSums) {
        for (a, b) in self.fen.iter_mut().zip(more.fen) {
            *a += b;
        }
        for (a, b) in self.other.iter_mut().zip(more.other) {
            a.merge(b);
        }
    }
    fn totals(&self) -> Vec<Decimal> {
        self.other
            .iter()
            .zip(&self.fen)
            .map(|(o, f)| {
                let mut t = *o;
                t.add_fen(*f);
                t.total()
            })
            .collect()
    }
}

/// Appends the CSV rows of `rows` to `buf`, adding their amounts to `sums`.
fn render_rows<'r>(
    run: &Run,
    cols: &[Col],
    rows: impl Iterator<Item = PayRow<'r>>,
    buf: &mut Vec<u8>,
    sums: &mut ColumnSums,
) {
    for slip in rows {
        let wk = &run.workers[slip.worker];
        push_csv_text(buf, &wk.id);
        buf.push(b',');
        push_csv_text(buf, &wk.name);
        buf.push(b',');
        push_csv_text(buf, &wk.unit);
        for (k, c) in cols.iter().enumerate() {
            buf.push(b',');
            match slip.kept(*c) {
                Some(Kept::Fen(f)) => {
                    crate::money::push_fen(buf, f);
                    sums.fen[k] += i128::from(f);
                }
                Some(Kept::Whole(a)) => {
                    buf.extend_from_slice(format_amount(a).as_bytes());
                    sums.other[k].add(a);
                }
                None => {}
            }
        }
        buf.push(b'\n');
    }
}

/// An aligned table for a terminal (Chinese characters count two columns),
/// with a bilingual header and a totals row.
pub fn table(run: &Run, rows: &PayRows, out: &mut dyn Write) -> io::Result<()> {
    let cols = columns(run);
    let mut heads: Vec<(String, String)> = vec![
        ("工号".into(), "worker_id".into()),
        ("姓名".into(), "name".into()),
        ("社区/单位".into(), "unit".into()),
    ];
    heads.extend(
        cols.iter()
            .map(|c| (c.zh().to_string(), c.code().to_string())),
    );
    let mut widths: Vec<usize> = heads
        .iter()
        .map(|(z, e)| z.width().max(e.width()))
        .collect();
    let row_cells = |slip: &PayRow| -> Vec<String> {
        let wk = &run.workers[slip.worker];
        let mut v = vec![wk.id.to_string(), wk.name.to_string(), wk.unit.to_string()];
        v.extend(
            cols.iter()
                .map(|c| c.amount(slip).map(format_amount).unwrap_or_default()),
        );
        v
    };
    for slip in rows.iter() {
        for (w, c) in widths.iter_mut().zip(row_cells(&slip)) {
            *w = (*w).max(c.width());
        }
    }
    let mut total: Vec<String> = vec![
        "合计 total".into(),
        format!("{} workers", run.totals.workers),
        String::new(),
    ];
    total.extend(cols.iter().map(|c| format_amount(c.total(run))));
    for (w, c) in widths.iter_mut().zip(&total) {
        *w = (*w).max(c.width());
    }
    let layout = super::render::Layout {
        indent: "",
        numeric: |i| i >= 3,
    };
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        super::render::line(&mut s, &layout, &widths, cells);
        out.write_all(s.as_bytes())
    };
    let zh: Vec<String> = heads.iter().map(|h| h.0.clone()).collect();
    let en: Vec<String> = heads.iter().map(|h| h.1.clone()).collect();
    line(out, &zh)?;
    line(out, &en)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule)?;
    for slip in rows.iter() {
        line(out, &row_cells(&slip))?;
    }
    line(out, &rule)?;
    line(out, &total)?;
    Ok(())
}

pub use super::workbook::{Extras, table_xlsx, xlsx_with};
#[cfg(any(test, feature = "internals"))]
pub use super::workbook::xlsx;
pub(super) use super::workbook::{money, xerr};

/// The errors file in the payroll CSV's encoding: a UTF-8 byte-order mark
/// first when `style.bom` (Excel then shows the Chinese messages), or GBK
/// when `style.gbk`; the rows of [`errors_csv`].
pub fn errors_csv_styled(
    problems: &[FileProblem],
    style: CsvStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    super::gbk::encoded(out, style.bom, style.gbk, |out| errors_csv(problems, out))
}

/// The errors file written beside a partial output:
/// `file,line,column,worker_id,field,message,severity`, text cells through
/// [`csv_text`].
pub fn errors_csv(problems: &[FileProblem], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "file",
        "line",
        "column",
        "worker_id",
        "field",
        "message",
        "severity",
    ])?;
    for p in problems {
        let text = |s: Option<&str>| csv_text(s.unwrap_or("")).into_owned();
        w.write_record([
            &*csv_text(&p.file),
            &p.line.map(|l| l.to_string()).unwrap_or_default(),
            &text(p.column.as_deref()),
            &text(p.worker_id.as_deref()),
            &text(p.field.as_deref()),
            &csv_text(&p.message),
            if p.warning { "warning" } else { "error" },
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The summary printed on stderr after a run: workers paid, total gross,
/// per-unit totals (the first `max_units`), quota usage.
pub fn summary(run: &Run, rows: &PayRows, max_units: usize) -> String {
    let net = match run.totals.by_code.get(&LineCode::Net) {
        Some(n) => format!(", net {}", format_amount(*n)),
        None => String::new(),
    };
    let mut s = format!(
        "{} {} under policy {}: {} workers paid, gross {}{net}\n",
        match run.kind {
            crate::run::Kind::Monthly => "monthly",
            crate::run::Kind::Annual => "annual",
        },
        run.period,
        run.policy.cite(),
        run.totals.workers,
        format_amount(run.totals.gross)
    );
    let mut heads: BTreeMap<&str, u32> = BTreeMap::new();
    for slip in rows.iter() {
        *heads
            .entry(run.workers[slip.worker].unit.as_str())
            .or_default() += 1;
    }
    let wide = run
        .totals
        .by_unit
        .keys()
        .take(max_units)
        .map(|u| u.width())
        .max()
        .unwrap_or(0);
    let amount_w = run
        .totals
        .by_unit
        .values()
        .map(|v| format_amount(*v).len())
        .max()
        .unwrap_or(0);
    for (unit, gross) in run.totals.by_unit.iter().take(max_units) {
        let pad = wide.saturating_sub(unit.width());
        s.push_str(&format!(
            "  {unit}{}  {:>5} workers  {:>amount_w$}\n",
            " ".repeat(pad),
            heads.get(unit.as_str()).copied().unwrap_or(0),
            format_amount(*gross)
        ));
    }
    if run.totals.by_unit.len() > max_units {
        s.push_str(&format!(
            "  … and {} more units (the XLSX output has them all)\n",
            run.totals.by_unit.len() - max_units
        ));
    }
    if !run.quota.is_empty() {
        let (mut ea, mut eu, mut ga, mut gu, mut graded, mut over) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0usize);
        for p in &run.quota {
            ea += u64::from(p.excellent.allowed);
            eu += u64::from(p.excellent.used);
            ga += u64::from(p.good.allowed);
            gu += u64::from(p.good.used);
            graded += u64::from(p.graded);
            over += p.violations().len();
        }
        s.push_str(&format!(
            "quota: {} pools, {graded} graded; excellent {eu} of {ea} places used, good {gu} of {ga}; {over} over a cap\n",
            run.quota.len()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{Kind, run};

    fn november() -> Run {
        let req = crate::example::district().into_request(Kind::Monthly, "2026-11".into());
        run(&req, None).unwrap()
    }

    #[test]
    fn rows_hold_each_codes_sum_and_the_gross() {
        let r = november();
        let rows = PayRows::from_run(&r);
        assert_eq!(rows.len(), r.payslips.len());
        let mut honours = 0;
        for (row, slip) in rows.iter().zip(&r.payslips) {
            assert_eq!(row.worker, slip.worker);
            assert_eq!(row.gross(), slip.gross);
            for code in LineCode::ALL {
                let lines: Vec<Decimal> = slip
                    .lines
                    .iter()
                    .filter(|l| l.code == code)
                    .map(|l| l.amount)
                    .collect();
                let want = (!lines.is_empty()).then(|| lines.iter().sum::<Decimal>());
                assert_eq!(row.amount(code), want, "{code:?}");
            }
            honours += usize::from(row.amount(LineCode::HonourAward).is_some());
        }
        // The example's November has honours (two for one deed: one line).
        assert!(honours > 0);
    }

    #[test]
    fn rows_give_back_each_amount_with_its_scale() {
        // Kept as fen: 1.50, -3.07, the largest i32 count of fen. Kept
        // whole: one fen more, a zero without decimals, a negative zero,
        // three decimals, a mantissa beyond i64.
        let odd = [
            "1.50",
            "-3.07",
            "21474836.47",
            "-21474836.49",
            "21474836.48",
            "0",
            "-0.00",
            "12.345",
            "79228162514264337593543950335",
        ];
        let mut slip = november().payslips.swap_remove(0);
        slip.lines.truncate(1);
        let mut rows = PayRows::new();
        for (i, text) in odd.iter().enumerate() {
            let a: Decimal = text.parse().unwrap();
            slip.gross = a;
            slip.lines[0].amount = a;
            slip.worker = i;
            rows.push(&slip);
        }
        rows.retain(|w| w != 1);
        let code = slip.lines[0].code;
        // Text, scale and sign: `Decimal`'s equality ignores the scale.
        let seen = |d: Decimal| (d.to_string(), d.scale(), d.is_sign_negative());
        let back: Vec<_> = rows
            .iter()
            .map(|r| (r.worker, seen(r.gross()), seen(r.amount(code).unwrap())))
            .collect();
        // The gross as given; a code's amount as the sum of its lines.
        let want: Vec<_> = odd
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 1)
            .map(|(i, t)| {
                let a: Decimal = t.parse().unwrap();
                (i, seen(a), seen(Decimal::ZERO + a))
            })
            .collect();
        assert_eq!(back, want);
    }

    /// A payroll of more rows than one thread renders at a time comes out
    /// whole and in order: each row the run's payslip, the totals the run's.
    #[test]
    fn a_long_payroll_csv_has_every_row_in_order() {
        let req = crate::synth::monthly_request(100_003, "2026-11".parse().unwrap());
        let r = run(&req, None).unwrap();
        let rows = PayRows::from_run(&r);
        assert!(rows.chunks(1 << 15).len() >= 4);
        let mut out = Vec::new();
        csv_styled(&r, &rows, CsvStyle::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines().skip(2); // the two header rows
        let cols = columns(&r);
        for (slip, line) in r.payslips.iter().zip(&mut lines) {
            let w = &r.workers[slip.worker];
            let mut want = vec![w.id.to_string(), w.name.to_string(), w.unit.to_string()];
            want.extend(cols.iter().map(|c| match c {
                Col::Gross => format_amount(slip.gross),
                Col::Code(code) => {
                    let mut of = slip.lines.iter().filter(|l| l.code == *code).peekable();
                    match of.peek() {
                        Some(_) => format_amount(of.map(|l| l.amount).sum()),
                        None => String::new(),
                    }
                }
            }));
            assert_eq!(line, want.join(","));
        }
        let total = lines.next().unwrap();
        let gross = format_amount(r.totals.gross);
        assert!(total.starts_with("合计 total,100003 人 workers,,"), "{total}");
        assert!(total.contains(&gross), "{total}");
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn retain_keeps_the_rows_asked_for_in_order() {
        let r = november();
        let mut rows = PayRows::from_run(&r);
        let before: Vec<(usize, Decimal)> = rows.iter().map(|x| (x.worker, x.gross())).collect();
        rows.retain(|w| w % 3 != 0);
        let after: Vec<(usize, Decimal)> = rows.iter().map(|x| (x.worker, x.gross())).collect();
        let want: Vec<(usize, Decimal)> = before.into_iter().filter(|(w, _)| w % 3 != 0).collect();
        assert_eq!(after, want);
        assert!(!rows.is_empty());
    }
}
