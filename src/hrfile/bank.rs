//! The bank transfer file (代发工资文件): one row per paid worker — 工号,
//! 姓名, 开户行, 银行账号, 实发金额 — and a totals row with the count, for
//! the bank's payroll service.
//!
//! The bank details come from the roster's optional columns 开户行 `bank`
//! and 银行账号 `account`, kept beside the engine's records (the engine
//! never sees them). An account is digits only, 10 to 30 of them once
//! spaces are removed (`6222 0210 …` is read as `62220210…`); a paid worker
//! without one, or with a malformed one, is an error naming the worker and
//! the roster's file:line, and the command writes nothing.

use super::FileProblem;
use super::output::csv_text;
use super::write::{PayRows, money, xerr};
use crate::money::format_amount;
use crate::rules::payslip::LineCode;
use crate::run::Run;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::{self, Write};

/// One worker's bank details as the roster gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// The bank and branch (开户行); may be empty.
    pub bank: String,
    /// The account number as written (spaces kept; see [`normalize_account`]).
    pub account: String,
    /// The roster line, when read from a file.
    pub line: Option<usize>,
}

/// The bank details of a roster, by worker id.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// The roster file, as named.
    pub file: String,
    /// The label of the account column (its number or letter), if present.
    pub column: Option<String>,
    /// Each worker's details (the first row of a worker given twice).
    pub by_worker: HashMap<String, Account>,
}

/// The account number without spaces, when it is 10 to 30 digits.
///
/// ```
/// use payrules::hrfile::bank::normalize_account;
/// assert_eq!(normalize_account("6222 0210 0112 3456 789").as_deref(), Some("6222021001123456789"));
/// assert_eq!(normalize_account("6222-0210"), None);
/// assert_eq!(normalize_account("123456789"), None);
/// ```
pub fn normalize_account(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    ((10..=30).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// One row of the bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRow {
    /// 工号.
    pub worker_id: String,
    /// 姓名.
    pub name: String,
    /// 开户行.
    pub bank: String,
    /// 银行账号, digits only.
    pub account: String,
    /// 实发金额: the net when the run computed it, else the gross.
    pub amount: Decimal,
}

impl Accounts {
    /// Checks that each of `workers` has a well-formed account: one error
    /// per worker that has none or a malformed one, naming the roster line.
    pub fn check<'a>(&self, workers: impl IntoIterator<Item = &'a str>) -> Vec<FileProblem> {
        let mut out = Vec::new();
        for id in workers {
            let a = self.by_worker.get(id);
            let message = match a {
                None => Some(if self.column.is_none() {
                    "no bank account: the roster has no 银行账号 account column (add it, with 开户行 bank, for --bank-file)".to_string()
                } else {
                    "no bank account on the roster".to_string()
                }),
                Some(a) if a.account.trim().is_empty() => {
                    Some("no bank account: the 银行账号 account cell is empty".to_string())
                }
                Some(a) => normalize_account(&a.account).is_none().then(|| {
                    format!(
                        "bank account {:?} is not 10 to 30 digits (spaces are allowed)",
                        a.account
                    )
                }),
            };
            if let Some(message) = message {
                out.push(FileProblem {
                    file: self.file.clone(),
                    line: a.and_then(|a| a.line),
                    column: self.column.clone(),
                    worker_id: Some(id.to_string()),
                    field: Some("account".into()),
                    message,
                    warning: false,
                });
            }
        }
        out
    }

    /// The bank file's rows: one per payslip with a positive amount to
    /// transfer (the net when known, else the gross), in run order; or the
    /// problems of [`Accounts::check`] for those workers.
    pub fn rows(&self, run: &Run, rows: &PayRows) -> Result<Vec<BankRow>, Vec<FileProblem>> {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for r in rows.iter() {
            let amount = r.amount(LineCode::Net).unwrap_or_else(|| r.gross());
            if amount <= Decimal::ZERO {
                continue;
            }
            let wk = &run.workers[r.worker];
            let problems = self.check([wk.id.as_str()]);
            if !problems.is_empty() {
                bad.extend(problems);
                continue;
            }
            // Invariant: check passed, so the account is there and well formed.
            let a = &self.by_worker[wk.id.as_str()];
            out.push(BankRow {
                worker_id: wk.id.to_string(),
                name: wk.name.to_string(),
                bank: a.bank.clone(),
                account: normalize_account(&a.account).unwrap_or_default(),
                amount,
            });
        }
        if bad.is_empty() { Ok(out) } else { Err(bad) }
    }
}

/// The headers of the bank file.
pub const HEADERS: [&str; 5] = ["工号", "姓名", "开户行", "银行账号", "实发金额"];

fn total(rows: &[BankRow]) -> Decimal {
    rows.iter().map(|r| r.amount).sum()
}

/// The bank file as CSV: a UTF-8 byte-order mark when `bom` (Excel then
/// shows the Chinese), the headers, a row per transfer, and
/// `合计,N 人,,,TOTAL`. Text cells through [`csv_text`]. With `gbk`, the
/// same rows in GBK without the mark ([`super::gbk`]).
pub fn csv(rows: &[BankRow], bom: bool, gbk: bool, out: &mut dyn Write) -> io::Result<()> {
    super::gbk::encoded(out, bom, gbk, |out| csv_utf8(rows, out))
}

/// The rows of [`csv()`], as UTF-8 without the mark.
fn csv_utf8(rows: &[BankRow], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADERS)?;
    for r in rows {
        w.write_record([
            &*csv_text(&r.worker_id),
            &*csv_text(&r.name),
            &*csv_text(&r.bank),
            &r.account,
            &format_amount(r.amount),
        ])?;
    }
    w.write_record([
        "合计",
        &format!("{} 人", rows.len()),
        "",
        "",
        &format_amount(total(rows)),
    ])?;
    w.flush()
}

/// The bank file as a one-sheet workbook (`代发 Bank`): accounts as text
/// cells (all their digits), amounts as two-decimal numbers, a totals row.
pub fn xlsx(rows: &[BankRow]) -> io::Result<Vec<u8>> {
    use super::workbook::{MONEY, new_workbook};
    use rust_xlsxwriter::Format;
    let inner = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = new_workbook("bank transfers")?;
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format(MONEY);
        let bold_num = Format::new().set_bold().set_num_format(MONEY);
        let ws = wb.add_worksheet();
        ws.set_name("代发 Bank")?;
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, [12, 10, 28, 26, 14][c])?;
        }
        ws.set_freeze_panes(1, 0)?;
        let mut r = 1u32;
        for row in rows {
            ws.write_string(r, 0, &row.worker_id)?;
            ws.write_string(r, 1, &row.name)?;
            ws.write_string(r, 2, &row.bank)?;
            ws.write_string(r, 3, &row.account)?;
            money(ws, r, 4, row.amount, &num)?;
            r += 1;
        }
        ws.write_string_with_format(r, 0, "合计", &bold)?;
        ws.write_string_with_format(r, 1, format!("{} 人", rows.len()), &bold)?;
        money(ws, r, 4, total(rows), &bold_num)?;
        wb.save_to_buffer()
    };
    inner().map_err(xerr)
}

/// Whether `path` names an XLSX file (else the bank file is CSV).
pub fn is_xlsx(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}
