//! 工资条 as a printable HTML page (`--format slips`): the payslip strips an
//! office prints and cuts, one per worker, with the same columns as the
//! payroll sheet — 工号, 姓名, 社区/单位, every earning, 应发合计 gross, the
//! deductions and 实发合计 net when the run computed them.
//!
//! Each slip is a two-row table (a bilingual header row and the worker's
//! row) followed by a dashed cut line; a slip is never split across pages
//! (`break-inside: avoid`), and the page is A4 landscape. Amounts are the
//! exact two-decimal amounts of the run, right-aligned. Every text cell is
//! HTML-escaped: a name typed as `<script>` shows as those characters and
//! runs nothing. The page is self-contained (no scripts, no fonts or files
//! fetched), so it prints the same offline.

use super::write::{Col, PayRows, columns};
use crate::money::format_amount;
use crate::run::Run;
use std::io::{self, Write};

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and
/// attribute values.
///
/// ```
/// use payrules::hrfile::slips::escape;
/// assert_eq!(escape("<b>\"A&B\"</b>"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;");
/// ```
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page { size: A4 landscape; margin: 10mm; }
body { font-family: sans-serif; font-size: 10pt; margin: 0; }
h1 { font-size: 12pt; margin: 0 0 4mm 0; }
table.slip { border-collapse: collapse; width: 100%; break-inside: avoid; page-break-inside: avoid; }
table.slip th, table.slip td { border: 1px solid #000; padding: 1mm 1.5mm; }
table.slip th { font-weight: bold; background: #eee; font-size: 8pt; }
table.slip td.m { text-align: right; font-variant-numeric: tabular-nums; }
div.cut { border-top: 1px dashed #666; margin: 4mm 0; }
";

/// Writes the 工资条 page of a run: a title (period, kind, policy), then
/// per paid worker a `<table class="slip" data-worker="ID">` and a
/// `<div class="cut">`.
pub fn html(run: &Run, rows: &PayRows, out: &mut dyn Write) -> io::Result<()> {
    let cols: Vec<Col> = columns(run);
    let period = escape(&run.period);
    let kind = match run.kind {
        crate::run::Kind::Monthly => "月度 monthly",
        crate::run::Kind::Annual => "年度 annual",
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>工资条 payslips {period}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>工资条 payslips {period} · {kind} · {} · {} 人 workers</h1>\n",
        escape(&run.policy.cite()),
        run.totals.workers
    )?;
    let mut head = String::from(
        "<tr><th>工号<br>worker_id</th><th>姓名<br>name</th><th>社区/单位<br>unit</th>",
    );
    for c in &cols {
        head.push_str(&format!("<th>{}<br>{}</th>", escape(c.zh()), c.code()));
    }
    head.push_str("</tr>\n");
    let mut row = String::new();
    for slip in rows.iter() {
        let wk = &run.workers[slip.worker];
        row.clear();
        let id = escape(&wk.id);
        row.push_str(&format!(
            "<table class=\"slip\" data-worker=\"{id}\">\n{head}<tr><td>{id}</td><td>{}</td><td>{}</td>",
            escape(&wk.name),
            escape(&wk.unit)
        ));
        for c in &cols {
            match c.amount(&slip) {
                Some(a) => row.push_str(&format!("<td class=\"m\">{}</td>", format_amount(a))),
                None => row.push_str("<td class=\"m\"></td>"),
            }
        }
        row.push_str("</tr>\n</table>\n<div class=\"cut\"></div>\n");
        out.write_all(row.as_bytes())?;
    }
    out.write_all(b"</body>\n</html>\n")
}
