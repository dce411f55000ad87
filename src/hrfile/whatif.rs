//! The what-if comparison as a CSV table and as an aligned text table (the
//! JSON document is the what-if's own, `Whatif::to_json`; the workbook is
//! [`xlsx`]).

use super::write::{money, xerr};
use crate::money::Amount;
use crate::rules::slip::LineCode;
use crate::whatif::{Delta, Outcome, Side, Whatif, WorkerDelta};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use std::fmt::Write as _;
use std::io;

/// One CSV table: a `record` column says what each row is — `total`,
/// `period`, `unit`, `code` (a line code over all workers), `worker` (a
/// worker's gross) or `line` (one of a worker's lines) — with old, new
/// and delta amounts. Text cells go through
/// [`csv_text`](super::output::csv_text); amounts are plain numbers.
pub fn csv(w: &Whatif) -> String {
    let mut rows: Vec<[String; 9]> = Vec::new();
    let row =
        |record: &str, period: &str, id: &str, name: &str, unit: &str, line: &str, d: &Delta| {
            let text = |s: &str| super::output::csv_text(s).into_owned();
            [
                text(record),
                text(period),
                text(id),
                text(name),
                text(unit),
                text(line),
                Amount(d.old).to_string(),
                Amount(d.new).to_string(),
                Amount(d.delta()).to_string(),
            ]
        };
    let scope = w.scope.to_string();
    rows.push(row("total", &scope, "", "", "", "gross", &w.total));
    for p in &w.periods {
        rows.push(row("period", &p.period, "", "", "", "gross", &p.gross));
    }
    for (unit, d) in &w.by_unit {
        rows.push(row("unit", &scope, "", "", unit, "gross", d));
    }
    for (code, d) in &w.by_code {
        rows.push(row("code", &scope, "", "", "", code.code(), d));
    }
    for wd in &w.workers {
        rows.push(row(
            "worker", &scope, &wd.id, &wd.name, &wd.unit, "gross", &wd.gross,
        ));
        for (code, d) in &wd.lines {
            rows.push(row(
                "line",
                &scope,
                &wd.id,
                &wd.name,
                &wd.unit,
                code.code(),
                d,
            ));
        }
    }
    let header = [
        "record",
        "period",
        "worker_id",
        "name",
        "unit",
        "line",
        "old",
        "new",
        "delta",
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing UTF-8 strings to a Vec cannot fail; were it to, the
    // rows written so far are returned rather than a panic.
    let _ = w.write_record(header);
    for r in &rows {
        let _ = w.write_record(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A plain-text report for a terminal: totals, periods, units, codes,
/// grade changes, then every worker whose pay changed.
pub fn table(w: &Whatif) -> String {
    let mut s = String::new();
    let c = w.counts();
    let r = &w.reform;
    let _ = writeln!(
        s,
        "What-if {}: reform {}{} (policy {} version {}, from {})",
        w.scope,
        r.id,
        r.name
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default(),
        r.base,
        r.version,
        r.effective_from
    );
    let _ = writeln!(
        s,
        "Workers: {} — {} gain, {} lose, {} unchanged{}",
        w.workers.len(),
        c.gain,
        c.lose,
        c.same,
        if w.complete() {
            String::new()
        } else {
            format!("; {} input error(s), see below", w.errors.len())
        }
    );
    let amounts = |d: &Delta| {
        vec![
            Amount(d.old).to_string(),
            Amount(d.new).to_string(),
            signed(d.delta()),
        ]
    };
    let mut t = vec![vec![
        "period".into(),
        "versions".into(),
        "old".into(),
        "new".into(),
        "delta".into(),
    ]];
    for p in &w.periods {
        let mut row = vec![
            p.period.clone(),
            if p.reform_in_force {
                format!("{} → {}", p.base_version, p.reform_version)
            } else {
                format!("{} (reform not yet in force)", p.base_version)
            },
        ];
        row.extend(amounts(&p.gross));
        t.push(row);
    }
    let mut total = vec!["total".into(), String::new()];
    total.extend(amounts(&w.total));
    t.push(total);
    s.push('\n');
    aligned(&mut s, &t, 2);
    let mut t = vec![vec![
        "unit".into(),
        "old".into(),
        "new".into(),
        "delta".into(),
    ]];
    for (unit, d) in &w.by_unit {
        let mut row = vec![unit.clone()];
        row.extend(amounts(d));
        t.push(row);
    }
    s.push('\n');
    aligned(&mut s, &t, 1);
    let mut t = vec![vec![
        "line".into(),
        "old".into(),
        "new".into(),
        "delta".into(),
    ]];
    for (code, d) in &w.by_code {
        let mut row = vec![format!("{} {}", code.code(), code.zh())];
        row.extend(amounts(d));
        t.push(row);
    }
    s.push('\n');
    aligned(&mut s, &t, 1);
    if !w.grade_changes.is_empty() {
        let _ = writeln!(s, "\nGrade changes ({}):", w.grade_changes.len());
        let mut t = vec![vec![
            "period".into(),
            "worker".into(),
            "unit".into(),
            "grade".into(),
        ]];
        for g in &w.grade_changes {
            t.push(vec![
                g.period.clone(),
                g.worker_id.clone(),
                g.unit.clone(),
                format!(
                    "{} → {}{}",
                    g.old,
                    g.new,
                    if g.scored { " (by score)" } else { "" }
                ),
            ]);
        }
        aligned(&mut s, &t, 0);
    }
    let changed: Vec<&WorkerDelta> = w
        .workers
        .iter()
        .filter(|w| w.lines.iter().any(|(_, d)| d.old != d.new) || w.paid != Side::Both)
        .collect();
    let _ = writeln!(
        s,
        "\nWorkers whose pay changes ({} of {}):",
        changed.len(),
        w.workers.len()
    );
    if !changed.is_empty() {
        let mut t = vec![vec![
            "worker".into(),
            "name".into(),
            "unit".into(),
            "old".into(),
            "new".into(),
            "delta".into(),
            "lines changed".into(),
        ]];
        for w in changed {
            let mut row = vec![w.id.clone(), w.name.clone(), w.unit.clone()];
            row.extend(amounts(&w.gross));
            let mut lines: Vec<String> = w
                .lines
                .iter()
                .filter(|(_, d)| d.old != d.new)
                .map(|(c, d)| format!("{} {}", c.code(), signed(d.delta())))
                .collect();
            match w.paid {
                Side::Base => lines.push("not paid under the reform (input error)".into()),
                Side::Reform => lines.push("paid only under the reform".into()),
                Side::Both => {}
            }
            row.push(lines.join(", "));
            t.push(row);
        }
        aligned(&mut s, &t, 3);
    }
    if !w.errors.is_empty() {
        let _ = writeln!(s, "\nInput errors ({}):", w.errors.len());
        for e in &w.errors {
            let _ = writeln!(s, "  {} [{}] {}", e.period, side_name(e.side), e.error);
        }
    }
    s
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Base => "base",
        Side::Reform => "reform",
        Side::Both => "both",
    }
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", Amount(d))
    } else {
        Amount(d).to_string()
    }
}

/// Writes rows as aligned columns; the three columns from `numeric_from` on
/// (old, new, delta) are right-aligned.
fn aligned(s: &mut String, rows: &[Vec<String>], numeric_from: usize) {
    let widths = super::render::widths(rows.iter().map(Vec::as_slice));
    let layout = super::render::Layout {
        indent: "  ",
        numeric: |c| c >= numeric_from && numeric_from > 0 && c < numeric_from + 3,
    };
    for r in rows {
        super::render::line(s, &layout, &widths, r);
    }
}

/// The what-if workbook: a summary (total, outcome counts, one row per
/// run), every worker with old / new / delta of the gross and of each line
/// code, the units, the line codes, the grade changes, and the errors.
/// Bilingual headers, frozen; money as numbers with two decimals.
pub fn xlsx(w: &Whatif) -> io::Result<Vec<u8>> {
    xlsx_inner(w).map_err(xerr)
}

fn xlsx_inner(w: &Whatif) -> Result<Vec<u8>, XlsxError> {
    let mut wb = super::workbook::new_workbook(format!("what-if {} {}", w.reform.id, w.scope))?;
    let head = super::workbook::head_format();
    let num = Format::new().set_num_format(super::workbook::MONEY);
    let heads = |ws: &mut Worksheet, heads: &[&str], frozen_cols: u16| -> Result<(), XlsxError> {
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, 16)?;
        }
        ws.set_row_height(0, 32)?;
        ws.set_freeze_panes(1, frozen_cols)?;
        Ok(())
    };
    let delta = |ws: &mut Worksheet, r: u32, c: u16, d: &Delta| -> Result<(), XlsxError> {
        money(ws, r, c, d.old, &num)?;
        money(ws, r, c + 1, d.new, &num)?;
        money(ws, r, c + 2, d.delta(), &num)
    };
    let side = |s: Side| match s {
        Side::Base => "base",
        Side::Reform => "reform",
        Side::Both => "both",
    };

    let ws = wb.add_worksheet();
    ws.set_name("汇总 Summary")?;
    heads(
        ws,
        &[
            "运行\nrun",
            "期间\nperiod",
            "基准版本\nbase version",
            "改革版本\nreform version",
            "改革生效\nreform in force",
            "人数(原)\nworkers old",
            "人数(新)\nworkers new",
            "应发(原)\ngross old",
            "应发(新)\ngross new",
            "差额\ndelta",
        ],
        2,
    )?;
    let mut r = 1u32;
    for p in &w.periods {
        let kind = match p.kind {
            crate::run::Kind::Monthly => "monthly",
            crate::run::Kind::Annual => "annual",
        };
        ws.write_string(r, 0, kind)?;
        ws.write_string(r, 1, &p.period)?;
        ws.write_string(r, 2, &p.base_version)?;
        ws.write_string(r, 3, &p.reform_version)?;
        ws.write_boolean(r, 4, p.reform_in_force)?;
        ws.write_number(r, 5, p.workers.0 as f64)?;
        ws.write_number(r, 6, p.workers.1 as f64)?;
        delta(ws, r, 7, &p.gross)?;
        r += 1;
    }
    ws.write_string(r, 0, "合计 total")?;
    ws.write_string(r, 1, w.scope.to_string())?;
    delta(ws, r, 7, &w.total)?;
    let c = w.counts();
    r += 2;
    let name = w
        .reform
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    ws.write_string(r, 0, format!("改革 reform: {}{name}", w.reform.id))?;
    r += 1;
    ws.write_string(
        r,
        0,
        format!(
            "增加 gain: {}, 减少 lose: {}, 不变 same: {}",
            c.gain, c.lose, c.same
        ),
    )?;

    let codes: Vec<LineCode> = w.by_code.keys().copied().collect();
    let ws = wb.add_worksheet();
    ws.set_name("按人员 Workers")?;
    let mut h: Vec<String> = [
        "工号\nworker_id",
        "姓名\nname",
        "社区/单位\nunit",
        "结果\noutcome",
        "发放\npaid by",
        "应发(原)\ngross old",
        "应发(新)\ngross new",
        "差额\ngross delta",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for code in &codes {
        for (zh, en) in [("原", "old"), ("新", "new"), ("差额", "delta")] {
            h.push(format!("{}({zh})\n{} {en}", code.zh(), code.code()));
        }
    }
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    heads(ws, &h, 2)?;
    for (i, wd) in w.workers.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &wd.id)?;
        ws.write_string(r, 1, &wd.name)?;
        ws.write_string(r, 2, &wd.unit)?;
        let outcome = match wd.outcome() {
            Outcome::Gain => "gain",
            Outcome::Lose => "lose",
            Outcome::Same => "same",
        };
        ws.write_string(r, 3, outcome)?;
        ws.write_string(r, 4, side(wd.paid))?;
        delta(ws, r, 5, &wd.gross)?;
        for (k, code) in codes.iter().enumerate() {
            if let Some((_, d)) = wd.lines.iter().find(|(c, _)| c == code) {
                delta(ws, r, 8 + 3 * k as u16, d)?;
            }
        }
    }

    // Sheets of labelled old / new / delta rows: by unit, by line code.
    let mut labelled =
        |name: &str, head_row: &[&str], rows: Vec<(Vec<&str>, &Delta)>| -> Result<(), XlsxError> {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            let labels = head_row.len() - 3;
            heads(ws, head_row, labels as u16)?;
            for (i, (cells, d)) in rows.iter().enumerate() {
                let r = i as u32 + 1;
                for (c, text) in cells.iter().enumerate() {
                    ws.write_string(r, c as u16, *text)?;
                }
                delta(ws, r, labels as u16, d)?;
            }
            Ok(())
        };
    labelled(
        "按单位 By unit",
        &[
            "社区/单位\nunit",
            "应发(原)\ngross old",
            "应发(新)\ngross new",
            "差额\ndelta",
        ],
        w.by_unit
            .iter()
            .map(|(unit, d)| (vec![unit.as_str()], d))
            .collect(),
    )?;
    labelled(
        "按项目 By code",
        &[
            "项目\nline",
            "代码\ncode",
            "原\nold",
            "新\nnew",
            "差额\ndelta",
        ],
        w.by_code
            .iter()
            .map(|(code, d)| (vec![code.zh(), code.code()], d))
            .collect(),
    )?;

    let ws = wb.add_worksheet();
    ws.set_name("等次变化 Grade changes")?;
    heads(
        ws,
        &[
            "期间\nperiod",
            "工号\nworker_id",
            "社区/单位\nunit",
            "原等次\nold grade",
            "新等次\nnew grade",
            "按分数\nscored",
        ],
        2,
    )?;
    for (i, g) in w.grade_changes.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &g.period)?;
        ws.write_string(r, 1, &g.worker_id)?;
        ws.write_string(r, 2, &g.unit)?;
        ws.write_string(r, 3, g.old.code())?;
        ws.write_string(r, 4, g.new.code())?;
        ws.write_boolean(r, 5, g.scored)?;
    }

    if !w.errors.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("错误 Errors")?;
        heads(
            ws,
            &[
                "期间\nperiod",
                "运行\nside",
                "工号\nworker_id",
                "字段\nfield",
                "问题\nmessage",
            ],
            0,
        )?;
        for (i, e) in w.errors.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &e.period)?;
            ws.write_string(r, 1, side(e.side))?;
            ws.write_string(r, 2, e.error.worker_id.as_deref().unwrap_or(""))?;
            ws.write_string(r, 3, &e.error.field)?;
            ws.write_string(r, 4, &e.error.message)?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        assert_eq!(signed(Decimal::from(5)), "+5.00");
        assert_eq!(signed(Decimal::from(-5)), "-5.00");
    }
}
