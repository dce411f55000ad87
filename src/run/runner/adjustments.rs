//! Corrections of past periods paid by a monthly run (the request's
//! `adjustments`): each record read and checked, then given to its worker;
//! each problem an input error naming the worker, who is then not paid.

use super::*;
use crate::rules::correction::{self, AdjustmentRecord};
use crate::rules::payslip::LineCode;

impl<'a, 'w, 'p> Runner<'a, 'w, 'p> {
    /// Reads the request's `adjustments` (corrections of past periods paid
    /// by a monthly run); each problem is an error naming the worker, who is
    /// then not paid. Empty when the request has none.
    pub(super) fn adjustments(&mut self, month: Option<YearMonth>) -> Vec<Vec<Adjustment>> {
        let req = self.req;
        if req.adjustments.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Vec<Adjustment>> = vec![Vec::new(); self.workers.len()];
        for (i, r) in req.adjustments.iter().enumerate() {
            let src = (List::Adjustments, i);
            let id = r.worker_id.as_str();
            let Some(month) = month else {
                self.error(
                    Some(id),
                    "adjustments",
                    "corrections are paid by monthly runs; move this adjustment to a monthly request".into(),
                    src,
                );
                continue;
            };
            match read_adjustment(r, month) {
                Err((field, msg)) => self.error(Some(id), &field, msg, src),
                Ok(a) => match self.find(id, src) {
                    Some(wi) => out[wi].push(a),
                    None if self.known(id) => self.error(
                        Some(id),
                        "adjustments",
                        format!(
                            "worker {id} is not paid in {month} (not employed, or refused for another error); pay the correction in a month the worker is paid"
                        ),
                        src,
                    ),
                    None => {} // unknown worker: reported by `find`
                },
            }
        }
        for a in &mut out {
            a.sort();
        }
        out
    }
}

/// Reads one adjustment record of a monthly run for `month`.
fn read_adjustment(r: &AdjustmentRecord, month: YearMonth) -> Result<Adjustment, (String, String)> {
    let err = |f: &str, m: String| (format!("adjustments.{f}"), m);
    let before = match (r.period.parse::<YearMonth>(), r.period.parse::<Year>()) {
        (Ok(m), _) => m < month,
        (_, Ok(y)) => y.get() <= month.year(),
        (Err(e), Err(_)) => return Err(err("period", e.to_string())),
    };
    if !before {
        return Err(err(
            "period",
            format!(
                "{} is not before {month}; a correction pays a past period",
                r.period
            ),
        ));
    }
    let code = LineCode::from_code(&r.code)
        .filter(|c| correction::corrected(*c))
        .ok_or_else(|| {
            let codes: Vec<&str> = LineCode::ALL
                .iter()
                .filter(|c| correction::corrected(**c))
                .map(|c| c.code())
                .collect();
            err(
                "code",
                format!(
                    "{:?} is not an earning line a correction can pay; expected one of {}",
                    crate::limits::quote(&r.code),
                    codes.join(", ")
                ),
            )
        })?;
    let amount = |f: &str, t: &str| -> Result<Decimal, (String, String)> {
        let d = crate::money::parse_amount(t).map_err(|e| err(f, e.to_string()))?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(err(f, format!("{t} is negative; a line pays zero or more")));
        }
        if d > crate::policy::max_amount() {
            return Err(err(
                f,
                format!(
                    "{t} is above the largest amount accepted ({})",
                    crate::policy::max_amount()
                ),
            ));
        }
        Ok(d)
    };
    let old = amount("old", &r.old)?;
    let new = amount("new", &r.new)?;
    if old == new {
        return Err(err(
            "new",
            format!(
                "old and new are both {}; there is nothing to pay",
                crate::money::Amount(old)
            ),
        ));
    }
    if r.reason.trim().is_empty() {
        return Err(err(
            "reason",
            "empty; say why the period was corrected (an auditor reads it on the payslip)".into(),
        ));
    }
    Ok(Adjustment {
        worker_id: r.worker_id.clone(),
        period: r.period.clone(),
        code,
        old,
        new,
        reason: r.reason.clone(),
    })
}
