//! Reading the book: a worker's history, the finance office's summary of a
//! year, and the check that closed months are as they were closed.

use super::*;
use crate::rules::slip::LineCode;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use store::{SlipRow, Tx};

/// One period of a worker's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// `draft` or `closed`.
    pub status: String,
    /// The unit.
    pub unit: String,
    /// The lines, in payslip order.
    pub lines: Vec<(LineCode, Decimal)>,
    /// Gross (sum of the earning lines).
    pub gross: Decimal,
    /// Net, when the period had net-pay lines.
    pub net: Option<Decimal>,
    /// Tax withheld on wages this year so far, after the period.
    pub tax_ytd: Option<Decimal>,
}

/// A worker's history: every period paid and every correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Whose.
    pub worker_id: String,
    /// Periods, in order.
    pub rows: Vec<HistoryRow>,
    /// Corrections: the adjustment and the month paying it (`None` while pending).
    pub corrections: Vec<(Adjustment, Option<String>)>,
}

/// One row of the finance office's summary: a period and unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// `draft` or `closed`.
    pub status: String,
    /// The unit.
    pub unit: String,
    /// Workers paid.
    pub workers: usize,
    /// Sum per line code (earnings, arrears, recoveries, each deduction, net).
    pub by_code: BTreeMap<LineCode, Decimal>,
    /// Gross.
    pub gross: Decimal,
}

/// The result of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Closed periods checked.
    pub months: usize,
    /// The periods whose content no longer matches its digest, with why.
    pub problems: Vec<(String, String)>,
}

impl Verified {
    /// Whether every closed month is as it was closed.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The digest of a month's stored content, chained to `prev`.
pub(super) fn digest(
    tx: &Tx,
    m: &store::MonthRow,
    prev: &str,
    slips: &[SlipRow],
) -> Result<String, BookError> {
    let (_, policy_digest) = tx.policy(m.policy_id)?;
    let inputs = codec::sha256(&[&tx.inputs(&m.period)?]);
    let mut d = codec::Digester::new(prev);
    d.record(&[
        &m.period,
        &m.kind,
        &policy_digest,
        &m.policy_version,
        &inputs,
        &m.workers.to_string(),
        &m.errors.to_string(),
    ]);
    for s in slips {
        d.record(&[
            &s.worker_id,
            &s.unit,
            &s.lines,
            s.ytd.as_deref().unwrap_or("-"),
        ]);
    }
    for a in tx.paid_in(&m.period)? {
        d.record(&[
            &a.corrected,
            &a.worker_id,
            &a.code,
            &a.old.to_string(),
            &a.new.to_string(),
            &a.reason,
        ]);
    }
    Ok(d.finish())
}

fn adjustment(a: &store::AdjustmentRow) -> Result<Adjustment, BookError> {
    Ok(Adjustment {
        worker_id: a.worker_id.clone(),
        period: a.corrected.clone(),
        code: LineCode::from_code(&a.code)
            .ok_or_else(|| BookError::Corrupt(format!("correction code {:?}", a.code)))?,
        old: codec::yuan(a.old),
        new: codec::yuan(a.new),
        reason: a.reason.clone(),
    })
}

fn row_of(s: &SlipRow, status: &str) -> Result<HistoryRow, BookError> {
    let lines = codec::decode_lines(&s.lines)?;
    let gross = lines
        .iter()
        .filter(|(c, _)| c.is_earning())
        .map(|(_, a)| *a)
        .sum();
    let net = lines.iter().find(|(c, _)| *c == LineCode::Net).map(|l| l.1);
    Ok(HistoryRow {
        period: s.period.clone(),
        status: status.to_string(),
        unit: s.unit.clone(),
        gross,
        net,
        tax_ytd: s.ytd.as_deref().and_then(codec::ytd_withheld),
        lines,
    })
}

impl Book {
    /// A worker's history: every period paid, in order, and every correction.
    pub fn history(&mut self, worker_id: &str) -> Result<History, BookError> {
        self.store.read(|tx| {
            let status: BTreeMap<String, String> = tx
                .months()?
                .into_iter()
                .map(|m| (m.period, m.status))
                .collect();
            let rows = tx
                .worker_slips(worker_id)?
                .iter()
                .map(|s| row_of(s, status.get(&s.period).map_or("", String::as_str)))
                .collect::<Result<Vec<_>, _>>()?;
            let corrections = tx
                .worker_adjustments(worker_id)?
                .iter()
                .map(|a| Ok((adjustment(a)?, a.paid_in.clone())))
                .collect::<Result<Vec<_>, BookError>>()?;
            Ok(History {
                worker_id: worker_id.to_string(),
                rows,
                corrections,
            })
        })
    }

    /// The summary of a year per period and unit: every line code summed,
    /// gross, and the number of workers paid.
    pub fn report(&mut self, year: i32) -> Result<Vec<ReportRow>, BookError> {
        let prefix = year.to_string();
        self.store.read(|tx| {
            let mut out = Vec::new();
            for m in tx.months()? {
                if !(m.period == prefix || m.period.starts_with(&format!("{prefix}-"))) {
                    continue;
                }
                let mut by_unit: BTreeMap<String, ReportRow> = BTreeMap::new();
                for s in tx.slips(&m.period)? {
                    let r = by_unit.entry(s.unit.clone()).or_insert_with(|| ReportRow {
                        period: m.period.clone(),
                        status: m.status.clone(),
                        unit: s.unit.clone(),
                        workers: 0,
                        by_code: BTreeMap::new(),
                        gross: Decimal::ZERO,
                    });
                    r.workers += 1;
                    for (c, a) in codec::decode_lines(&s.lines)? {
                        *r.by_code.entry(c).or_insert(Decimal::ZERO) += a;
                        if c.is_earning() {
                            r.gross += a;
                        }
                    }
                }
                out.extend(by_unit.into_values());
            }
            Ok(out)
        })
    }

    /// Checks every closed month against its digest, in the order closed.
    pub fn verify(&mut self) -> Result<Verified, BookError> {
        self.store.read(|tx| {
            let closed = tx.closed()?;
            let mut problems = Vec::new();
            let mut prev = String::new();
            for (i, m) in closed.iter().enumerate() {
                if m.seq != Some(i as i64 + 1) {
                    problems.push((
                        m.period.clone(),
                        format!(
                            "closed as number {:?} of the chain, expected {}",
                            m.seq,
                            i + 1
                        ),
                    ));
                }
                let slips = tx.slips(&m.period)?;
                let d = digest(tx, m, &prev, &slips)?;
                if m.digest.as_deref() != Some(d.as_str()) {
                    problems.push((
                        m.period.clone(),
                        "its payslips, inputs or corrections paid differ from when it was closed (changed outside payrules)".into(),
                    ));
                }
                prev = m.digest.clone().unwrap_or_default();
            }
            Ok(Verified {
                months: closed.len(),
                problems,
            })
        })
    }
}
