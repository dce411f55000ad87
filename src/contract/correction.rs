//! The `correction` document: a past period recomputed with corrected
//! inputs (or under a policy version adopted later) and compared with what
//! was paid; the differences are adjustments that a later monthly request
//! pays as `arrears` or `recovery` lines.
//!
//! ```json
//! {"kind": "correction", "period": "2026-09", "reason": "grade corrected on appeal",
//!  "paid": [ …the payslips of September's response… ],
//!  "request": { …September's request with the corrected inputs… }}
//! ```
//!
//! `paid` takes the `payslips` of the period's response as they are (only
//! `worker_id` and each line's `code` and `amount` are read), plus any
//! earlier corrections of the period in `paid_adjustments`, so that a second
//! correction pays only what is still due. The response lists `adjustments`
//! (to pass as they are in the `adjustments` of the paying month's request)
//! and one explained `lines` entry per adjustment. A worker whose corrected
//! inputs have errors gets no adjustment; the response then says
//! `complete: false` and lists the errors.

use crate::money::Amount;
use crate::policy::PolicySet;
use crate::rules::correction::{self, Adjustment, AdjustmentRecord, Earned};
use crate::rules::slip::LineCode;
use crate::run::{self, InputError, Request, RequestError, Run};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A `correction` request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// Always `correction`.
    pub kind: String,
    /// The period corrected: `YYYY-MM` (or `YYYY` for the annual bonus).
    pub period: String,
    /// Why the period is corrected; shown on every line paying it.
    pub reason: String,
    /// What the period paid: the payslips of its response.
    #[serde(default)]
    pub paid: Vec<PaidSlip>,
    /// Earlier corrections of the same period, already recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paid_adjustments: Vec<AdjustmentRecord>,
    /// The period's request with the corrected inputs (and policy, if it
    /// carries one).
    pub request: Request,
}

/// A payslip as a response wrote it; only the worker and the lines' codes
/// and amounts are read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PaidSlip {
    /// Whose.
    pub worker_id: String,
    /// The lines paid.
    #[serde(default)]
    pub lines: Vec<PaidLine>,
}

/// A paid line: its code and amount.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PaidLine {
    /// The line code (`base_pay`, `monthly_bonus`…).
    pub code: String,
    /// The amount paid.
    pub amount: Amount,
}

/// The result of a correction.
#[derive(Debug, Clone)]
pub struct Correction {
    /// The recomputation of the period.
    pub run: Run,
    /// The period corrected.
    pub period: String,
    /// The reason.
    pub reason: String,
    /// The differences to pay, sorted by worker and code.
    pub adjustments: Vec<Adjustment>,
}

impl Correction {
    /// Whether every corrected input was valid.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.run.complete()
    }

    /// Sum of the arrears and of the recoveries (negative).
    #[must_use]
    pub fn totals(&self) -> (rust_decimal::Decimal, rust_decimal::Decimal) {
        let mut t = (rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
        for a in &self.adjustments {
            match a.line_code() {
                LineCode::Recovery => t.1 += a.amount(),
                _ => t.0 += a.amount(),
            }
        }
        t
    }

    /// The response document.
    #[must_use]
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct PolicyRef<'a> {
            id: &'a str,
            version: &'a str,
        }
        #[derive(Serialize)]
        struct LineDoc<'a> {
            worker_id: &'a str,
            line: &'static str,
            amount: Amount,
            explain: String,
        }
        #[derive(Serialize)]
        struct Totals {
            workers: usize,
            arrears: Amount,
            recovery: Amount,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            kind: &'static str,
            period: &'a str,
            reason: &'a str,
            policy: PolicyRef<'a>,
            complete: bool,
            adjustments: Vec<AdjustmentRecord>,
            lines: Vec<LineDoc<'a>>,
            totals: Totals,
            errors: &'a [InputError],
        }
        let (arrears, recovery) = self.totals();
        let workers: BTreeSet<&str> = self
            .adjustments
            .iter()
            .map(|a| a.worker_id.as_str())
            .collect();
        let doc = Doc {
            kind: "correction",
            period: &self.period,
            reason: &self.reason,
            policy: PolicyRef {
                id: &self.run.policy.id,
                version: &self.run.policy.version,
            },
            complete: self.complete(),
            adjustments: self.adjustments.iter().map(Adjustment::to_record).collect(),
            lines: self
                .adjustments
                .iter()
                .map(|a| LineDoc {
                    worker_id: &a.worker_id,
                    line: a.line_code().code(),
                    amount: Amount(a.amount()),
                    explain: a.explain(),
                })
                .collect(),
            totals: Totals {
                workers: workers.len(),
                arrears: Amount(arrears),
                recovery: Amount(recovery),
            },
            errors: &self.run.errors,
        };
        // Invariant: strings, numbers, booleans and sequences only.
        serde_json::to_string_pretty(&doc).expect("correction serialises")
    }
}

/// What a period paid, from a correction request's `paid` and
/// `paid_adjustments`; an unknown line code is an error naming the worker.
pub fn earned_from(
    paid: &[PaidSlip],
    earlier: &[AdjustmentRecord],
    period: &str,
) -> Result<Earned, RequestError> {
    let mut e = Earned::new();
    for (i, s) in paid.iter().enumerate() {
        for (j, l) in s.lines.iter().enumerate() {
            let code = LineCode::from_code(&l.code).ok_or_else(|| {
                RequestError::Json(format!(
                    "paid[{i}].lines[{j}]: worker {}: unknown line code {:?}",
                    crate::limits::quote(&s.worker_id),
                    crate::limits::quote(&l.code)
                ))
            })?;
            e.add(&s.worker_id, code, l.amount.0);
        }
    }
    for (i, r) in earlier.iter().enumerate() {
        let bad = |m: String| {
            RequestError::Json(format!(
                "paid_adjustments[{i}]: worker {}: {m}",
                crate::limits::quote(&r.worker_id)
            ))
        };
        if r.period != period {
            return Err(bad(format!(
                "corrects {}, not {period}; give only this period's earlier corrections",
                crate::limits::quote(&r.period)
            )));
        }
        let code = LineCode::from_code(&r.code)
            .filter(|c| correction::corrected(*c))
            .ok_or_else(|| bad(format!("unknown code {:?}", crate::limits::quote(&r.code))))?;
        let amt = |t: &str| {
            crate::money::parse_amount(t)
                .map_err(|x| bad(format!("{}: {x}", crate::limits::quote(t))))
        };
        let (old, new) = (amt(&r.old)?, amt(&r.new)?);
        e.add(&r.worker_id, code, new - old);
    }
    Ok(e)
}

/// Runs a correction: the corrected request is run, its earnings compared
/// with what was paid, and the differences returned. `policy` is used when
/// the corrected request carries no policy text.
pub fn correct(
    req: CorrectionRequest,
    policy: Option<&PolicySet>,
) -> Result<Correction, RequestError> {
    if req.request.period != req.period {
        return Err(RequestError::Period(format!(
            "the corrected request is for {}, the correction for {}; they must be the same period",
            crate::limits::quote(&req.request.period),
            crate::limits::quote(&req.period)
        )));
    }
    if !req.request.tax.is_empty()
        || !req.request.ytd.is_empty()
        || !req.request.adjustments.is_empty()
    {
        return Err(RequestError::Json(
            "request: a correction compares earnings only; leave out tax, ytd and adjustments (the month paying the difference withholds its tax)".into(),
        ));
    }
    if req.reason.trim().is_empty() {
        return Err(RequestError::Json(
            "reason: empty; say why the period is corrected (an auditor reads it on every line)"
                .into(),
        ));
    }
    let paid = earned_from(&req.paid, &req.paid_adjustments, &req.period)?;
    let run = run::run(req.request, policy)?;
    let adjustments = adjustments_of(&run, &paid, &req.reason);
    Ok(Correction {
        run,
        period: req.period,
        reason: req.reason,
        adjustments,
    })
}

/// The adjustments of a recomputed period against what was paid; workers
/// whose corrected inputs had errors are left out.
#[must_use]
pub fn adjustments_of(run: &Run, paid: &Earned, reason: &str) -> Vec<Adjustment> {
    let mut now = Earned::new();
    for slip in &run.payslips {
        now.add_slip(&run.workers[slip.worker].id, slip);
    }
    let refused: BTreeSet<&str> = run
        .errors
        .iter()
        .filter_map(|e| e.worker_id.as_deref())
        .collect();
    correction::diff(&run.period, reason, paid, &now)
        .into_iter()
        .filter(|a| !refused.contains(a.worker_id.as_str()))
        .collect()
}
