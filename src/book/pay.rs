//! Paying a period into the book: a month ([`Book::pay`]) or the annual
//! bonus ([`Book::annual`]). The order of months is checked, the request
//! completed from the book and run under the book's policy, and, when the
//! run has no input errors, stored as the period's draft: its inputs
//! (deflated), payslip lines, year-to-date states and the honours it paid;
//! the corrections it paid are marked paid in this month.

use super::complete::complete;
use super::*;
use crate::period::{Year, parse_date};
use crate::rules::tax::TaxRecord;
use std::collections::BTreeSet;

/// A month paid into the book.
#[derive(Debug)]
pub struct Paid {
    /// The run (payslips with their net-pay lines, errors, warnings).
    pub run: Run,
    /// Corrections of past periods it pays.
    pub adjustments: usize,
    /// Whether it replaced an earlier draft.
    pub replaced: bool,
    /// Whether it was stored: a run with input errors is not (the errors
    /// are in `run.errors`; correct the inputs and pay again).
    pub stored: bool,
}

impl Book {
    /// Pays a month: `req` holds the month's roster, assessments, honours
    /// and tax settings (kind `monthly`); the book adds each worker's
    /// year-to-date state and the pending corrections, runs it, and stores
    /// it as the month's draft.
    pub fn pay(&mut self, req: Request) -> Result<Paid, BookError> {
        if req.kind != Kind::Monthly {
            return Err(BookError::Invalid(
                "pay takes a monthly request; use annual for the bonus".into(),
            ));
        }
        let month = month_of(&req.period)?;
        let period = month.to_string();
        self.store.write(|tx| {
            let existing = tx.month(&period)?;
            if existing.as_ref().is_some_and(|m| m.status == "closed") {
                return Err(BookError::Closed(period.clone()));
            }
            if let Some(last) = last_closed_month(tx)? {
                let expected = next_month(last);
                if month != expected {
                    let message = if month < expected {
                        format!("{last} is already closed; months after it are paid in order")
                    } else {
                        format!(
                            "the book's last closed month is {last}; pay and close {expected} first (months are paid in order, without gaps)"
                        )
                    };
                    return Err(BookError::Order {
                        period: period.clone(),
                        message,
                    });
                }
            } else if let Some(other) = tx
                .months()?
                .into_iter()
                .find(|m| m.kind == "monthly" && m.period != period)
            {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: format!(
                        "{} is a draft; close it before paying another month",
                        other.period
                    ),
                });
            }
            let policy_id = current_policy(tx)?;
            let (text, _) = tx.policy(policy_id)?;
            let set = PolicySet::from_toml(&text).map_err(RequestError::from)?;
            let inputs = stored_inputs(&req)?;
            let (req, ids) = complete(tx, req, &set, month.year(), Some(month))?;
            let run = run::run(req, Some(&set))?;
            if !run.errors.is_empty() {
                return Ok(Paid {
                    run,
                    adjustments: 0,
                    replaced: false,
                    stored: false,
                });
            }
            let rows = tx.payable(&period)?;
            let paid_ids = paid_adjustments(tx, &run, &ids, &rows)?;
            let n = paid_ids.len();
            put_month(tx, &run, "monthly", policy_id, &inputs)?;
            tx.set_paid_in(&period, &paid_ids)?;
            Ok(Paid {
                run,
                adjustments: n,
                replaced: existing.is_some(),
                stored: true,
            })
        })
    }

    /// Pays the annual bonus of `req.period` (a year) on the book's year
    /// figures: the year's December must be closed, so that the choice
    /// between separate and merged taxation is made on the whole year.
    pub fn annual(&mut self, req: Request) -> Result<Paid, BookError> {
        if req.kind != Kind::Annual {
            return Err(BookError::Invalid("annual takes an annual request".into()));
        }
        let year: Year = req
            .period
            .parse()
            .map_err(|e| BookError::Invalid(format!("year: {e}")))?;
        let period = year.to_string();
        self.store.write(|tx| {
            let existing = tx.month(&period)?;
            if existing.as_ref().is_some_and(|m| m.status == "closed") {
                return Err(BookError::Closed(period.clone()));
            }
            let december = format!("{year}-12");
            if tx.month(&december)?.is_none_or(|m| m.status != "closed") {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: format!(
                        "close {december} first: the annual bonus's tax is chosen on the whole year's figures"
                    ),
                });
            }
            let policy_id = current_policy(tx)?;
            let (text, _) = tx.policy(policy_id)?;
            let set = PolicySet::from_toml(&text).map_err(RequestError::from)?;
            let inputs = stored_inputs(&req)?;
            let (req, _) = complete(tx, req, &set, year.get(), None)?;
            let run = run::run(req, Some(&set))?;
            let stored = run.errors.is_empty();
            if stored {
                put_month(tx, &run, "annual", policy_id, &inputs)?;
            }
            Ok(Paid {
                run,
                adjustments: 0,
                replaced: stored && existing.is_some(),
                stored,
            })
        })
    }
}

/// The request as given, for storage: without a policy (the book's policy
/// is stored by reference) and deflated.
pub(super) fn stored_inputs(req: &Request) -> Result<Vec<u8>, BookError> {
    if req.policy.is_some() || !req.ytd.is_empty() || !req.adjustments.is_empty() {
        return Err(BookError::Invalid(
            "a month paid into the book takes no policy, ytd or adjustments: the book supplies them".into(),
        ));
    }
    // Kept: the assessments and honours of the period itself (a file of the
    // whole year's assessments is read twelve times; each month keeps its own).
    // An honour is kept unless its date reads as one outside the period.
    let in_period = |d: &str| match (parse_date(d), req.kind) {
        (Ok(d), Kind::Monthly) => YearMonth::of(d).to_string() == req.period,
        (Ok(d), Kind::Annual) => chrono::Datelike::year(&d).to_string() == req.period,
        (Err(_), _) => true,
    };
    /// The stored form: the fields of a request, borrowed.
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        kind: Kind,
        period: &'a str,
        workers: &'a [crate::worker::WorkerRecord],
        assessments: Vec<&'a crate::worker::AssessmentRecord>,
        honours: Vec<&'a crate::worker::HonourRecord>,
        tax: &'a [TaxRecord],
        /// Changes of position, title or unit, whatever their date (one
        /// may take effect before the period and still count in it).
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        changes: &'a [crate::worker::ChangeRecord],
    }
    let stored = Stored {
        kind: req.kind,
        period: &req.period,
        workers: &req.workers,
        assessments: req
            .assessments
            .iter()
            .filter(|a| a.period == req.period)
            .collect(),
        honours: req
            .honours
            .iter()
            .filter(|h| in_period(&h.awarded_on))
            .collect(),
        tax: &req.tax,
        changes: &req.changes,
    };
    // Invariant: a request holds only strings and sequences.
    let json = serde_json::to_vec(&stored).expect("request serialises");
    Ok(codec::deflate(&json))
}

/// The ids of the corrections a run paid: those of workers with a payslip.
/// A recovery the pay allowed only in part is split in the book first: the
/// row keeps the part recovered (and is paid), a new pending row holds the
/// rest.
fn paid_adjustments(
    tx: &store::Tx,
    run: &Run,
    ids: &[(String, i64)],
    rows: &[store::AdjustmentRow],
) -> Result<Vec<i64>, BookError> {
    let paid: BTreeSet<&str> = run
        .payslips
        .iter()
        .map(|p| run.workers[p.worker].id.as_str())
        .collect();
    let mut used = BTreeSet::new();
    let mut unpaid = BTreeSet::new();
    for d in &run.deferred {
        // The row it came from: same worker, period, code, reason and `new`,
        // recovering more than what is left.
        let row = rows.iter().find(|r| {
            !used.contains(&r.id)
                && ids.iter().any(|(_, id)| *id == r.id)
                && r.worker_id == d.worker_id
                && r.corrected == d.period
                && r.code == d.code.code()
                && r.reason == d.reason
                && r.new == codec::fen(d.new)
                && r.old >= codec::fen(d.old)
        });
        let Some(row) = row else {
            return Err(BookError::Corrupt(format!(
                "a deferred recovery of worker {} matches no correction",
                d.worker_id
            )));
        };
        used.insert(row.id);
        if row.old == codec::fen(d.old) {
            // Nothing recovered this month: it stays pending, whole.
            unpaid.insert(row.id);
        } else {
            tx.split_adjustment(row.id, codec::fen(d.old))?;
        }
    }
    Ok(ids
        .iter()
        .filter(|(w, id)| paid.contains(w.as_str()) && !unpaid.contains(id))
        .map(|(_, id)| *id)
        .collect())
}

/// Stores a run as its period's draft.
fn put_month(
    tx: &store::Tx,
    run: &Run,
    kind: &str,
    policy_id: i64,
    inputs: &[u8],
) -> Result<(), BookError> {
    let mut slips = Vec::with_capacity(run.payslips.len());
    for p in &run.payslips {
        let w = &run.workers[p.worker];
        let ytd = run
            .tax
            .slips
            .get(p.worker)
            .and_then(Option::as_ref)
            .map(|t| codec::encode_ytd(t.ytd_out()));
        slips.push(SlipRow {
            worker_id: w.id.to_string(),
            period: run.period.clone(),
            unit: w.unit.to_string(),
            lines: codec::encode_lines(p.lines.iter().map(|l| (l.code, l.amount))),
            ytd,
        });
    }
    let m = MonthRow {
        period: run.period.clone(),
        kind: kind.to_string(),
        status: "draft".into(),
        policy_id,
        policy_version: run.policy.version.clone(),
        errors: run.errors.len() as i64,
        workers: run.payslips.len() as i64,
        seq: None,
        digest: None,
        computed_at: now(),
        closed_at: None,
    };
    tx.put_draft(&m, inputs, &slips)?;
    if kind == "monthly" {
        tx.put_honours(&run.period, &honours_paid(run))?;
    }
    Ok(())
}

/// What a monthly run paid per worker and honoured deed: `(worker, deed,
/// highest level code, fen)`.
pub(super) fn honours_paid(run: &Run) -> Vec<(String, String, String, i64)> {
    use crate::rules::slip::Why;
    use crate::worker::HonourLevel;
    let mut by: std::collections::BTreeMap<(String, String), (HonourLevel, i64)> =
        Default::default();
    for p in &run.payslips {
        for l in &p.lines {
            let Why::Honour { index, level, .. } = l.why else {
                continue;
            };
            let Some(deed) = run
                .honours
                .of(p.worker)
                .get(index as usize)
                .and_then(|h| h.deed.clone())
            else {
                continue;
            };
            let e = by
                .entry((run.workers[p.worker].id.to_string(), deed))
                .or_insert((level, 0));
            e.0 = e.0.max(level);
            e.1 += codec::fen(l.amount);
        }
    }
    by.into_iter()
        .map(|((w, d), (level, fen))| (w, d, level.code().to_string(), fen))
        .collect()
}
