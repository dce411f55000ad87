//! Corrections of closed months: recompute with corrected inputs, or under
//! a policy version adopted later, and record the differences for the next
//! month to pay. What a month has paid so far is its payslips plus every
//! correction recorded for it, so corrections made one after another pay
//! only what is still due (the conservation law of `rules::correction`).

use super::complete::earlier_honours;
use super::pay::{honours_paid, stored_inputs};
use super::*;
use crate::rules::correction::Earned;
use crate::rules::slip::LineCode;
use crate::worker::{AssessmentRecord, HonourRecord, WorkerRecord};
use store::{AdjustmentRow, Tx};

/// Corrected inputs of a month: each list given replaces the stored one.
#[derive(Debug, Clone, Default)]
pub struct Replace {
    /// The corrected roster.
    pub workers: Option<Vec<WorkerRecord>>,
    /// The corrected assessments.
    pub assessments: Option<Vec<AssessmentRecord>>,
    /// The corrected honours.
    pub honours: Option<Vec<HonourRecord>>,
    /// The corrected changes of position, title or unit (a late-reported
    /// promotion, paid as arrears).
    pub changes: Option<Vec<crate::worker::ChangeRecord>>,
}

/// The inputs a closed period was last computed with: its latest revision,
/// or the inputs it was paid with; and their policy.
fn latest_inputs(tx: &Tx, period: &str) -> Result<(i64, Request), BookError> {
    let (policy_id, blob) = match tx.latest_revision(period)? {
        Some(r) => r,
        None => {
            let m = tx
                .month(period)?
                .ok_or_else(|| BookError::NotPaid(period.to_string()))?;
            (m.policy_id, tx.inputs(period)?)
        }
    };
    let json = codec::inflate(&blob)?;
    let req: Request = serde_json::from_slice(&json)
        .map_err(|e| BookError::Corrupt(format!("stored inputs of {period}: {e}")))?;
    Ok((policy_id, req))
}

/// What a period has paid so far: its payslips' earnings and every
/// correction recorded for it.
fn paid_so_far(tx: &Tx, period: &str) -> Result<Earned, BookError> {
    let mut e = Earned::new();
    for s in tx.slips(period)? {
        for (code, amount) in codec::decode_lines(&s.lines)? {
            e.add(&s.worker_id, code, amount);
        }
    }
    for a in tx.adjustments_of(period)? {
        let code = LineCode::from_code(&a.code)
            .ok_or_else(|| BookError::Corrupt(format!("correction code {:?}", a.code)))?;
        e.add(&a.worker_id, code, codec::yuan(a.new - a.old));
    }
    Ok(e)
}

/// Recomputes one closed period and records its differences.
fn recompute(
    tx: &Tx,
    period: &str,
    req: Request,
    policy_id: i64,
    set: &PolicySet,
    reason: &str,
) -> Result<Vec<Adjustment>, BookError> {
    let stored = stored_inputs(&req)?;
    let mut req = req;
    // A correction compares earnings: tax follows in the month paying it.
    req.tax.clear();
    let paid = paid_so_far(tx, period)?;
    let monthly = req.kind == Kind::Monthly;
    if monthly {
        earlier_honours(tx, &mut req)?;
    }
    let run = run::run(req, Some(set))?;
    if !run.errors.is_empty() {
        return Err(BookError::InputErrors {
            period: period.to_string(),
            count: run.errors.len(),
            first: errors_text(&run),
            errors: run.errors.clone(),
        });
    }
    let adjustments = differences(&run, &paid, reason);
    if monthly {
        // What the period has now paid per deed, its arrears included.
        tx.put_honours(period, &honours_paid(&run))?;
    }
    let revision = tx.put_revision(period, policy_id, &stored, reason, &now())?;
    for a in &adjustments {
        tx.put_adjustment(
            revision,
            &AdjustmentRow {
                id: 0,
                corrected: a.period.clone(),
                worker_id: a.worker_id.clone(),
                code: a.code.code().to_string(),
                old: codec::fen(a.old),
                new: codec::fen(a.new),
                reason: a.reason.clone(),
                paid_in: None,
            },
        )?;
    }
    Ok(adjustments)
}

fn need_reason(reason: &str) -> Result<(), BookError> {
    if reason.trim().is_empty() {
        return Err(BookError::Invalid(
            "--reason: empty; say why the month is corrected (it is shown on every line paying it)"
                .into(),
        ));
    }
    Ok(())
}

impl Book {
    /// Corrects a closed period with corrected inputs, under the policy it
    /// was computed with; the differences are recorded for the next month
    /// to pay and returned (sorted by worker and code).
    pub fn correct(
        &mut self,
        period: &str,
        replace: Replace,
        reason: &str,
    ) -> Result<Vec<Adjustment>, BookError> {
        need_reason(reason)?;
        let period = period.to_string();
        self.store.write(|tx| {
            let m = tx
                .month(&period)?
                .ok_or_else(|| BookError::NotPaid(period.clone()))?;
            if m.status != "closed" {
                return Err(BookError::Order {
                    period: period.clone(),
                    message: "is a draft: pay it again with the corrected inputs instead".into(),
                });
            }
            let (policy_id, mut req) = latest_inputs(tx, &period)?;
            if let Some(w) = replace.workers {
                req.workers = w;
            }
            if let Some(a) = replace.assessments {
                req.assessments = a;
            }
            if let Some(h) = replace.honours {
                req.honours = h;
            }
            if let Some(c) = replace.changes {
                req.changes = c;
            }
            let (text, _) = tx.policy(policy_id)?;
            let set = PolicySet::from_toml(&text).map_err(RequestError::from)?;
            recompute(tx, &period, req, policy_id, &set, reason)
        })
    }

    /// Adopts a policy (TOML text) retroactively from `from` (`YYYY-MM`):
    /// every closed period from then on is recomputed under it and the
    /// differences recorded; months paid later use it.
    pub fn correct_policy(
        &mut self,
        policy: &str,
        from: &str,
        reason: &str,
    ) -> Result<Vec<Adjustment>, BookError> {
        need_reason(reason)?;
        let from = month_of(from)?;
        let set = PolicySet::from_toml(policy).map_err(RequestError::from)?;
        self.store.write(|tx| {
            let policy_id = tx.policy_id(&codec::sha256(&[policy.as_bytes()]), policy)?;
            tx.set_meta("policy", &policy_id.to_string())?;
            let mut all = Vec::new();
            for m in tx.closed()? {
                let covered = match m.kind.as_str() {
                    "monthly" => month_of(&m.period)? >= from,
                    // The annual bonus of a year is computed at the year's end.
                    _ => m.period.parse::<i32>().is_ok_and(|y| y >= from.year()),
                };
                if !covered {
                    continue;
                }
                let (_, req) = latest_inputs(tx, &m.period)?;
                all.extend(recompute(tx, &m.period, req, policy_id, &set, reason)?);
            }
            Ok(all)
        })
    }
}
