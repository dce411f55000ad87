//! The what-if comparison as a CSV table and as an aligned text table (the
//! JSON document is the what-if's own, `Whatif::to_json`; the workbook is
//! [`super::write::whatif_xlsx`]).

use crate::money::Amount;
use crate::whatif::{Delta, Side, Whatif, WorkerDelta};
use rust_decimal::Decimal;
use std::fmt::Write as _;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        assert_eq!(signed(Decimal::from(5)), "+5.00");
        assert_eq!(signed(Decimal::from(-5)), "-5.00");
    }
}
