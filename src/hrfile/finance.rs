//! The finance office's summary of a run (财务汇总): per unit and for the
//! district, the workers paid, every earning code, arrears (补发) and
//! recoveries (补扣), the gross, each deduction, income tax and net — the
//! XLSX sheet `财务汇总 Finance` of the payroll workbook and
//! `--format summary` on the terminal.

use super::write::{PayRows, money};
use crate::money::format_amount;
use crate::rules::payslip::LineCode;
use crate::run::Run;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// One line of the summary: a line code, or the gross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The sum of the lines with this code.
    Code(LineCode),
    /// Gross pay (应发合计).
    Gross,
}

impl Item {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Item::Code(c) => c.zh(),
            Item::Gross => "应发合计",
        }
    }
    /// The English label (the line code, or `gross`).
    pub fn code(self) -> &'static str {
        match self {
            Item::Code(c) => c.code(),
            Item::Gross => "gross",
        }
    }
}

/// Sums per unit and for the district.
#[derive(Debug, Clone)]
pub struct Finance {
    /// The lines, in payslip order: the earning codes that occur, arrears
    /// and recoveries (always), the gross, then the deductions, income tax
    /// and net when the run computed them.
    pub items: Vec<Item>,
    /// Per unit (sorted): workers paid and one sum per item.
    pub units: Vec<(String, u32, Vec<Decimal>)>,
    /// The district: workers paid and one sum per item.
    pub district: (u32, Vec<Decimal>),
}

impl Finance {
    /// The summary of the payslips in `rows`.
    pub fn new(run: &Run, rows: &PayRows) -> Finance {
        let codes = super::codes(run);
        let mut items: Vec<Item> = codes
            .iter()
            .filter(|c| c.is_earning() && !matches!(c, LineCode::Arrears | LineCode::Recovery))
            .map(|&c| Item::Code(c))
            .collect();
        items.push(Item::Code(LineCode::Arrears));
        items.push(Item::Code(LineCode::Recovery));
        items.push(Item::Gross);
        items.extend(
            codes
                .iter()
                .filter(|c| !c.is_earning())
                .map(|&c| Item::Code(c)),
        );
        let mut units: BTreeMap<String, (u32, Vec<Decimal>)> = BTreeMap::new();
        let mut district = (0u32, vec![Decimal::ZERO; items.len()]);
        for r in rows.iter() {
            let unit = &run.workers[r.worker].unit;
            let e = units
                .entry(unit.to_string())
                .or_insert_with(|| (0, vec![Decimal::ZERO; items.len()]));
            e.0 += 1;
            district.0 += 1;
            for (i, item) in items.iter().enumerate() {
                let a = match item {
                    Item::Code(c) => r.amount(*c).unwrap_or_default(),
                    Item::Gross => r.gross(),
                };
                e.1[i] += a;
                district.1[i] += a;
            }
        }
        Finance {
            items,
            units: units.into_iter().map(|(u, (n, s))| (u, n, s)).collect(),
            district,
        }
    }

    /// The summary as an aligned table for a terminal: a row per unit
    /// (workers, then the items), a rule, and the district's row.
    pub fn table(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut zh = vec!["社区/单位".to_string(), "人数".to_string()];
        let mut en = vec!["unit".to_string(), "workers".to_string()];
        zh.extend(self.items.iter().map(|i| i.zh().to_string()));
        en.extend(self.items.iter().map(|i| i.code().to_string()));
        let row = |name: &str, n: u32, sums: &[Decimal]| -> Vec<String> {
            let mut v = vec![name.to_string(), n.to_string()];
            v.extend(sums.iter().map(|s| format_amount(*s)));
            v
        };
        let body: Vec<Vec<String>> = self.units.iter().map(|(u, n, s)| row(u, *n, s)).collect();
        let total = row("合计 district", self.district.0, &self.district.1);
        let widths = super::render::widths(
            [&zh, &en, &total]
                .into_iter()
                .chain(body.iter())
                .map(|r| r.as_slice()),
        );
        let layout = super::render::Layout {
            indent: "",
            numeric: |i| i >= 1,
        };
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut s = String::new();
        for r in [&zh, &en, &rule].into_iter().chain(body.iter()) {
            super::render::line(&mut s, &layout, &widths, r);
        }
        super::render::line(&mut s, &layout, &widths, &rule);
        super::render::line(&mut s, &layout, &widths, &total);
        out.write_all(s.as_bytes())
    }

    /// Adds the `财务汇总 Finance` sheet: a row per item (科目, bilingual),
    /// a column for the district (全区合计) then one per unit, the workers
    /// paid in the first row; money as two-decimal numbers.
    pub fn sheet(&self, wb: &mut Workbook) -> Result<(), XlsxError> {
        let head = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format("#,##0.00");
        let bold_num = Format::new().set_bold().set_num_format("#,##0.00");
        let ws = wb.add_worksheet();
        ws.set_name("财务汇总 Finance")?;
        ws.write_string_with_format(0, 0, "科目\nitem", &head)?;
        ws.write_string_with_format(0, 1, "全区合计\ndistrict", &head)?;
        ws.set_column_width(0, 20)?;
        ws.set_column_width(1, 16)?;
        for (c, (u, _, _)) in self.units.iter().enumerate() {
            ws.write_string_with_format(0, 2 + c as u16, u, &head)?;
            ws.set_column_width(2 + c as u16, 14)?;
        }
        ws.set_row_height(0, 32)?;
        ws.set_freeze_panes(1, 2)?;
        ws.write_string_with_format(1, 0, "人数 workers", &bold)?;
        ws.write_number_with_format(1, 1, self.district.0, &bold)?;
        for (c, (_, n, _)) in self.units.iter().enumerate() {
            ws.write_number(1, 2 + c as u16, *n)?;
        }
        for (i, item) in self.items.iter().enumerate() {
            let r = 2 + i as u32;
            let strong = matches!(item, Item::Gross | Item::Code(LineCode::Net));
            let label = format!("{} {}", item.zh(), item.code());
            if strong {
                ws.write_string_with_format(r, 0, label, &bold)?;
            } else {
                ws.write_string(r, 0, label)?;
            }
            let f = if strong { &bold_num } else { &num };
            money(ws, r, 1, self.district.1[i], &bold_num)?;
            for (c, (_, _, sums)) in self.units.iter().enumerate() {
                money(ws, r, 2 + c as u16, sums[i], f)?;
            }
        }
        Ok(())
    }
}
