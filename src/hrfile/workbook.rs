//! The payroll workbook (XLSX): 工资表 Payroll, 错误 Errors (a partial run),
//! 工资条 Payslips, 财务汇总 Finance, 按单位 By unit, 名额 Quota, 未发放 Not
//! paid and 说明 About; and the one-sheet tables of the book's reports.
//!
//! Amounts stay `Decimal` to the end: a money cell gets its number from the
//! amount's exact two-decimal string at the moment it is written
//! ([`money`]), with a two-decimal number format. A fixed creation date
//! keeps a workbook byte-identical run to run.

use super::FileProblem;
use super::write::{Col, PayRows, columns};
use crate::money::format_amount;
use crate::rules::payslip::LineCode;
use crate::run::Run;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;
use std::io;

pub(super) fn xerr(e: XlsxError) -> io::Error {
    io::Error::other(format!("cannot build the XLSX workbook: {e}"))
}

/// Writes an amount as a number cell: the number is read from the amount's
/// exact two-decimal string here, at the last step, and shown with a
/// two-decimal format.
pub(super) fn money(
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
/// (bilingual headers, frozen), a totals row; the 工资条 payslips to print
/// and cut; the 财务汇总 finance summary ([`super::finance`]); a per-unit subtotal sheet; the quota position; and what the run
/// was.
#[cfg(any(test, feature = "internals"))]
pub fn xlsx(run: &Run, rows: &PayRows) -> io::Result<Vec<u8>> {
    xlsx_with(run, rows, &Extras::default())
}

/// What the payroll sheets show beside the payslips: the roster rows not
/// paid and why, and the problems of a partial run.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Roster rows that get no payslip in the period.
    pub not_paid: Vec<super::accounted::NotPaid>,
    /// The errors of a run written anyway (`--allow-partial`): the workbook
    /// gains a 错误 Errors sheet listing each, and its title and About sheet
    /// say it is incomplete.
    pub errors: Vec<FileProblem>,
}

/// The payroll workbook of [`xlsx`], with a 未发放 Not paid sheet listing
/// the roster rows without a payslip when there are any.
pub fn xlsx_with(run: &Run, rows: &PayRows, extras: &Extras) -> io::Result<Vec<u8>> {
    xlsx_inner(run, rows, extras).map_err(xerr)
}

fn xlsx_inner(run: &Run, rows: &PayRows, extras: &Extras) -> Result<Vec<u8>, XlsxError> {
    let cols = columns(run);
    let incomplete = !extras.errors.is_empty();
    let title = if incomplete {
        format!(
            "payroll {} ({:?}) — 不完整 INCOMPLETE: {} error(s)",
            run.period,
            run.kind,
            extras.errors.len()
        )
    } else {
        format!("payroll {} ({:?})", run.period, run.kind)
    };
    let mut wb = new_workbook(title)?;
    let head = head_format();
    let num = Format::new().set_num_format(MONEY);
    let bold = Format::new().set_bold();
    let bold_num = Format::new().set_bold().set_num_format(MONEY);

    let ws = wb.add_worksheet();
    ws.set_name("工资表 Payroll")?;
    let mut heads: Vec<(String, &str)> = vec![
        ("工号".into(), "worker_id"),
        ("姓名".into(), "name"),
        ("社区/单位".into(), "unit"),
    ];
    heads.extend(cols.iter().map(|c| (c.zh().to_string(), c.code())));
    for (c, (zh, en)) in heads.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, format!("{zh}\n{en}"), &head)?;
        ws.set_column_width(c, if c < 3 { 14 } else { 16 })?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 2)?;
    let mut r = 1u32;
    for slip in rows.iter() {
        let wk = &run.workers[slip.worker];
        ws.write_string(r, 0, wk.id.as_str())?;
        ws.write_string(r, 1, wk.name.as_str())?;
        ws.write_string(r, 2, wk.unit.as_str())?;
        for (i, c) in cols.iter().enumerate() {
            if let Some(a) = c.amount(&slip) {
                money(ws, r, 3 + i as u16, a, &num)?;
            }
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计 Total", &bold)?;
    ws.write_string_with_format(r, 1, format!("{} 人 workers", run.totals.workers), &bold)?;
    for (i, c) in cols.iter().enumerate() {
        money(ws, r, 3 + i as u16, c.total(run), &bold_num)?;
    }

    if incomplete {
        errors_sheet(&mut wb, &extras.errors, &head)?;
    }
    payslips_sheet(&mut wb, run, rows, &cols, &head, &num)?;
    super::finance::Finance::new(run, rows).sheet(&mut wb)?;

    // Per-unit subtotals.
    let mut units: BTreeMap<&str, (u32, Vec<Decimal>)> = BTreeMap::new();
    for slip in rows.iter() {
        let wk = &run.workers[slip.worker];
        let e = units
            .entry(wk.unit.as_str())
            .or_insert_with(|| (0, vec![Decimal::ZERO; cols.len()]));
        e.0 += 1;
        for (s, c) in e.1.iter_mut().zip(&cols) {
            *s += c.amount(&slip).unwrap_or_default();
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("按单位 By unit")?;
    let mut heads: Vec<(String, &str)> =
        vec![("社区/单位".into(), "unit"), ("人数".into(), "workers")];
    heads.extend(cols.iter().map(|c| (c.zh().to_string(), c.code())));
    for (c, (zh, en)) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, format!("{zh}\n{en}"), &head)?;
        ws.set_column_width(c as u16, 16)?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 1)?;
    let mut r = 1u32;
    for (unit, (n, sums)) in &units {
        ws.write_string(r, 0, *unit)?;
        ws.write_number(r, 1, *n)?;
        for (i, s) in sums.iter().enumerate() {
            money(ws, r, 2 + i as u16, *s, &num)?;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "合计 Total", &bold)?;
    ws.write_number_with_format(r, 1, run.totals.workers as u32, &bold)?;
    for (i, c) in cols.iter().enumerate() {
        money(ws, r, 2 + i as u16, c.total(run), &bold_num)?;
    }

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

    if !extras.not_paid.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("未发放 Not paid")?;
        let heads = [
            "工号\nworker_id",
            "姓名\nname",
            "社区/单位\nunit",
            "原因\nreason",
            "说明\nmessage",
            "位置\nfile:line",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, if c == 4 { 40 } else { 16 })?;
        }
        ws.set_row_height(0, 32)?;
        ws.set_freeze_panes(1, 1)?;
        for (i, n) in extras.not_paid.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &n.worker_id)?;
            ws.write_string(r, 1, &n.name)?;
            ws.write_string(r, 2, &n.unit)?;
            ws.write_string(r, 3, n.reason)?;
            ws.write_string(r, 4, &n.message)?;
            ws.write_string(r, 5, n.place())?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("说明 About")?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 40)?;
    let status = if incomplete {
        format!(
            "不完整 INCOMPLETE: {} 个错误 error(s), the rows at fault are not paid; see sheet 错误 Errors",
            extras.errors.len()
        )
    } else if run.errors.is_empty() {
        "完整 complete".to_string()
    } else {
        format!("不完整 INCOMPLETE: {} error(s)", run.errors.len())
    };
    let about = [
        ("状态 status", status),
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
        (
            "实发合计 net",
            run.totals
                .by_code
                .get(&LineCode::Net)
                .map_or_else(|| "—".to_string(), |n| format_amount(*n)),
        ),
        (
            "错误 errors",
            if incomplete {
                extras.errors.len()
            } else {
                run.errors.len()
            }
            .to_string(),
        ),
        ("未发放 not paid", extras.not_paid.len().to_string()),
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

/// The 错误 Errors sheet of a partial run: one row per problem, with where
/// it is (`file:line` and column), the worker, the field and the message.
fn errors_sheet(wb: &mut Workbook, errors: &[FileProblem], head: &Format) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("错误 Errors")?;
    let heads = [
        "位置
file:line",
        "列
column",
        "工号
worker_id",
        "字段
field",
        "说明
message",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, head)?;
        ws.set_column_width(c as u16, if c == 4 { 60 } else { 16 })?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 0)?;
    for (i, p) in errors.iter().enumerate() {
        let r = i as u32 + 1;
        let place = match p.line {
            Some(l) => format!("{}:{l}", p.file),
            None => p.file.clone(),
        };
        ws.write_string(r, 0, place)?;
        ws.write_string(r, 1, p.column.as_deref().unwrap_or(""))?;
        ws.write_string(r, 2, p.worker_id.as_deref().unwrap_or(""))?;
        ws.write_string(r, 3, p.field.as_deref().unwrap_or(""))?;
        ws.write_string(r, 4, &p.message)?;
    }
    Ok(())
}

/// The 工资条 Payslips sheet, ready to print and cut: per worker a
/// bilingual header row (工号, 姓名, 社区/单位, then every money column of
/// the payroll: earnings, 应发合计 gross, deductions, 实发合计 net), the
/// worker's row, and a blank row between one slip and the next.
fn payslips_sheet(
    wb: &mut Workbook,
    run: &Run,
    rows: &PayRows,
    cols: &[Col],
    head: &Format,
    num: &Format,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("工资条 Payslips")?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let mut heads: Vec<String> = vec![
        "工号\nworker_id".into(),
        "姓名\nname".into(),
        "社区/单位\nunit".into(),
    ];
    heads.extend(cols.iter().map(|c| format!("{}\n{}", c.zh(), c.code())));
    for c in 0..heads.len() {
        ws.set_column_width(c as u16, if c < 3 { 14 } else { 16 })?;
    }
    let mut r = 0u32;
    for slip in rows.iter() {
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, h, head)?;
        }
        ws.set_row_height(r, 32)?;
        let wk = &run.workers[slip.worker];
        ws.write_string(r + 1, 0, wk.id.as_str())?;
        ws.write_string(r + 1, 1, wk.name.as_str())?;
        ws.write_string(r + 1, 2, wk.unit.as_str())?;
        for (i, c) in cols.iter().enumerate() {
            if let Some(a) = c.amount(&slip) {
                money(ws, r + 1, 3 + i as u16, a, num)?;
            }
        }
        r += 3;
    }
    Ok(())
}

/// A new workbook titled `title`, with a fixed creation date so that the
/// same payroll gives the same bytes run after run. Every workbook payrules
/// writes starts here.
pub(crate) fn new_workbook(title: impl Into<String>) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    Ok(wb)
}

/// The header cells' format: bold, wrapped, centred.
pub(crate) fn head_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// Money cells: a number with two decimals.
pub(crate) const MONEY: &str = "#,##0.00";

/// A plain table as a one-sheet workbook: the first row bold as headers;
/// a cell from column `numeric_from` on that reads as an amount is a number
/// cell with two decimals, every other cell text (book reports).
pub fn table_xlsx(sheet: &str, rows: &[Vec<String>], numeric_from: usize) -> io::Result<Vec<u8>> {
    let inner = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = new_workbook(sheet)?;
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format(MONEY);
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32;
            for (c, cell) in row.iter().enumerate() {
                let col = c as u16;
                match cell.parse::<Decimal>() {
                    Ok(d) if r > 0 && c >= numeric_from && cell.contains('.') => {
                        money(ws, r, col, d, &num)?
                    }
                    _ if r == 0 => {
                        ws.write_string_with_format(r, col, cell, &bold)?;
                    }
                    _ => {
                        ws.write_string(r, col, cell.as_str())?;
                    }
                }
            }
        }
        wb.save_to_buffer()
    };
    inner().map_err(xerr)
}
