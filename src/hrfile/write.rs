//! A run as HR reads it: an aligned table, CSV, XLSX; the errors file; the
//! summary printed after a run.
//!
//! Amounts stay `Decimal` to the end; an XLSX money cell gets its number from
//! the amount's exact decimal string at the moment it is written, with a
//! two-decimal number format.

use super::FileProblem;
use crate::money::format_amount;
use crate::payslip::{LineCode, Payslip};
use crate::run::Run;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// Writes a file completely or not at all: into `NAME.partial` beside it,
/// then renamed over it.
pub fn write_atomic(
    path: &Path,
    f: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    let tmp = path.with_file_name(name);
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
        f(&mut w)?;
        w.flush()?;
        drop(w);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The amount of each line code on a payslip (several honour lines add up).
fn amounts(slip: &Payslip, codes: &[LineCode]) -> Vec<Option<Decimal>> {
    codes
        .iter()
        .map(|c| {
            slip.lines
                .iter()
                .filter(|l| l.code == *c)
                .map(|l| l.amount)
                .reduce(|a, b| a + b)
        })
        .collect()
}

/// One row per worker: `worker_id,name,unit,<line codes>,gross`; a code a
/// worker has no line for is empty.
pub fn csv(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let codes = super::codes(run);
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let mut header = vec!["worker_id", "name", "unit"];
    header.extend(codes.iter().map(|c| c.code()));
    header.push("gross");
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for slip in &run.payslips {
        let wk = &run.workers[slip.worker];
        row.clear();
        row.push(wk.id.clone());
        row.push(wk.name.clone());
        row.push(wk.unit.clone());
        for a in amounts(slip, &codes) {
            row.push(a.map(format_amount).unwrap_or_default());
        }
        row.push(format_amount(slip.gross));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// An aligned table for a terminal (Chinese characters count two columns),
/// with a bilingual header and a totals row.
pub fn table(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let codes = super::codes(run);
    let mut heads: Vec<(String, String)> = vec![
        ("工号".into(), "worker_id".into()),
        ("姓名".into(), "name".into()),
        ("社区/单位".into(), "unit".into()),
    ];
    heads.extend(
        codes
            .iter()
            .map(|c| (c.zh().to_string(), c.code().to_string())),
    );
    heads.push(("应发合计".into(), "gross".into()));
    let n = heads.len();
    let mut widths: Vec<usize> = heads
        .iter()
        .map(|(z, e)| z.width().max(e.width()))
        .collect();
    let row_cells = |slip: &Payslip| -> Vec<String> {
        let wk = &run.workers[slip.worker];
        let mut v = vec![wk.id.clone(), wk.name.clone(), wk.unit.clone()];
        v.extend(
            amounts(slip, &codes)
                .into_iter()
                .map(|a| a.map(format_amount).unwrap_or_default()),
        );
        v.push(format_amount(slip.gross));
        v
    };
    for slip in &run.payslips {
        for (w, c) in widths.iter_mut().zip(row_cells(slip)) {
            *w = (*w).max(c.width());
        }
    }
    let mut total: Vec<String> = vec![
        "合计 total".into(),
        format!("{} workers", run.totals.workers),
        String::new(),
    ];
    total.extend(
        codes
            .iter()
            .map(|c| format_amount(run.totals.by_code.get(c).copied().unwrap_or_default())),
    );
    total.push(format_amount(run.totals.gross));
    for (w, c) in widths.iter_mut().zip(&total) {
        *w = (*w).max(c.width());
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.width());
            if i > 0 {
                s.push_str("  ");
            }
            if i >= 3 {
                s.extend(std::iter::repeat_n(' ', pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                if i + 1 < n {
                    s.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    let zh: Vec<String> = heads.iter().map(|h| h.0.clone()).collect();
    let en: Vec<String> = heads.iter().map(|h| h.1.clone()).collect();
    line(out, &zh)?;
    line(out, &en)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule)?;
    for slip in &run.payslips {
        line(out, &row_cells(slip))?;
    }
    line(out, &rule)?;
    line(out, &total)?;
    Ok(())
}

fn xerr(e: XlsxError) -> io::Error {
    io::Error::other(format!("cannot build the XLSX workbook: {e}"))
}

/// Writes an amount as a number cell: the number is read from the amount's
/// exact two-decimal string here, at the last step, and shown with a
/// two-decimal format.
fn money(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    amount: Decimal,
    fmt: &Format,
) -> Result<(), XlsxError> {
    let text = format_amount(amount);
    // Invariant: `format_amount` writes a plain decimal, which always parses.
    let value: f64 = text.parse().unwrap_or(f64::NAN);
    ws.write_number_with_format(row, col, value, fmt)?;
    Ok(())
}

/// The payroll workbook: one row per worker with a column per line code
/// (bilingual headers, frozen), a totals row; a per-unit subtotal sheet; the
/// quota position; and what the run was.
pub fn xlsx(run: &Run) -> io::Result<Vec<u8>> {
    xlsx_inner(run).map_err(xerr)
}

fn xlsx_inner(run: &Run) -> Result<Vec<u8>, XlsxError> {
    let codes = super::codes(run);
    let mut wb = Workbook::new();
    // A fixed creation date keeps the workbook byte-identical run to run.
    let props = DocProperties::new()
        .set_title(format!("payroll {} ({:?})", run.period, run.kind))
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let num = Format::new().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    let bold_num = Format::new().set_bold().set_num_format("#,##0.00");

    let ws = wb.add_worksheet();
    ws.set_name("工资表 Payroll")?;
    let mut heads: Vec<(String, &str)> = vec![
        ("工号".into(), "worker_id"),
        ("姓名".into(), "name"),
        ("社区/单位".into(), "unit"),
    ];
    heads.extend(codes.iter().map(|c| (c.zh().to_string(), c.code())));
    heads.push(("应发合计".into(), "gross"));
    for (c, (zh, en)) in heads.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, format!("{zh}\n{en}"), &head)?;
        ws.set_column_width(c, if c < 3 { 14 } else { 16 })?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 2)?;
    let mut r = 1u32;
    for slip in &run.payslips {
        let wk = &run.workers[slip.worker];
        ws.write_string(r, 0, &wk.id)?;
        ws.write_string(r, 1, &wk.name)?;
        ws.write_string(r, 2, &wk.unit)?;
        for (i, a) in amounts(slip, &codes).into_iter().enumerate() {
            if let Some(a) = a {
                money(ws, r, 3 + i as u16, a, &num)?;
            }
        }
        money(ws, r, 3 + codes.len() as u16, slip.gross, &num)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计 Total", &bold)?;
    ws.write_string_with_format(r, 1, format!("{} 人 workers", run.totals.workers), &bold)?;
    for (i, c) in codes.iter().enumerate() {
        let v = run.totals.by_code.get(c).copied().unwrap_or_default();
        money(ws, r, 3 + i as u16, v, &bold_num)?;
    }
    money(ws, r, 3 + codes.len() as u16, run.totals.gross, &bold_num)?;

    // Per-unit subtotals.
    let mut units: BTreeMap<&str, (u32, Vec<Decimal>, Decimal)> = BTreeMap::new();
    for slip in &run.payslips {
        let wk = &run.workers[slip.worker];
        let e = units
            .entry(wk.unit.as_str())
            .or_insert_with(|| (0, vec![Decimal::ZERO; codes.len()], Decimal::ZERO));
        e.0 += 1;
        for (s, a) in e.1.iter_mut().zip(amounts(slip, &codes)) {
            *s += a.unwrap_or_default();
        }
        e.2 += slip.gross;
    }
    let ws = wb.add_worksheet();
    ws.set_name("按单位 By unit")?;
    let mut heads: Vec<(String, &str)> =
        vec![("社区/单位".into(), "unit"), ("人数".into(), "workers")];
    heads.extend(codes.iter().map(|c| (c.zh().to_string(), c.code())));
    heads.push(("应发合计".into(), "gross"));
    for (c, (zh, en)) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, format!("{zh}\n{en}"), &head)?;
        ws.set_column_width(c as u16, 16)?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 1)?;
    let mut r = 1u32;
    for (unit, (n, sums, gross)) in &units {
        ws.write_string(r, 0, *unit)?;
        ws.write_number(r, 1, *n)?;
        for (i, s) in sums.iter().enumerate() {
            money(ws, r, 2 + i as u16, *s, &num)?;
        }
        money(ws, r, 2 + codes.len() as u16, *gross, &num)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计 Total", &bold)?;
    ws.write_number_with_format(r, 1, run.totals.workers as u32, &bold)?;
    for (i, c) in codes.iter().enumerate() {
        let v = run.totals.by_code.get(c).copied().unwrap_or_default();
        money(ws, r, 2 + i as u16, v, &bold_num)?;
    }
    money(ws, r, 2 + codes.len() as u16, run.totals.gross, &bold_num)?;

    if !run.quota.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("名额 Quota")?;
        let heads = [
            "考核单位\npool",
            "参评人数\ngraded",
            "优秀名额\nexcellent allowed",
            "优秀人数\nexcellent used",
            "良好名额\ngood allowed",
            "良好人数\ngood used",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, 16)?;
        }
        ws.set_row_height(0, 32)?;
        ws.set_freeze_panes(1, 1)?;
        for (i, p) in run.quota.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &p.pool)?;
            ws.write_number(r, 1, p.graded)?;
            ws.write_number(r, 2, p.excellent.allowed)?;
            ws.write_number(r, 3, p.excellent.used)?;
            ws.write_number(r, 4, p.good.allowed)?;
            ws.write_number(r, 5, p.good.used)?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("说明 About")?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 40)?;
    let about = [
        ("期间 period", run.period.clone()),
        (
            "类型 kind",
            match run.kind {
                crate::run::Kind::Monthly => "月度 monthly".to_string(),
                crate::run::Kind::Annual => "年度 annual".to_string(),
            },
        ),
        ("政策 policy", run.policy.cite()),
        ("人数 workers paid", run.totals.workers.to_string()),
        ("应发合计 gross", format_amount(run.totals.gross)),
        ("错误 errors", run.errors.len().to_string()),
        (
            "生成 made by",
            format!("payrules {}", env!("CARGO_PKG_VERSION")),
        ),
    ];
    for (i, (k, v)) in about.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *k, &bold)?;
        ws.write_string(i as u32, 1, v)?;
    }
    wb.save_to_buffer()
}

/// The errors file written beside a partial output:
/// `file,line,column,worker_id,field,message,severity`.
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
        w.write_record([
            p.file.as_str(),
            &p.line.map(|l| l.to_string()).unwrap_or_default(),
            p.column.as_deref().unwrap_or(""),
            p.worker_id.as_deref().unwrap_or(""),
            p.field.as_deref().unwrap_or(""),
            &p.message,
            if p.warning { "warning" } else { "error" },
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The summary printed on stderr after a run: workers paid, total gross,
/// per-unit totals (the first `max_units`), quota usage.
pub fn summary(run: &Run, max_units: usize) -> String {
    let mut s = format!(
        "{} {} under policy {}: {} workers paid, gross {}\n",
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
    for slip in &run.payslips {
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
