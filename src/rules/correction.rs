//! Corrections of past periods (补发 / 补扣): what was paid for a period,
//! what should have been paid, and the difference paid in a later month.
//!
//! A period is corrected by running it again with the corrected inputs (a
//! grade changed on appeal, a title approved late) or under a policy version
//! adopted later, and comparing the earning lines per worker and line code
//! with what was paid. Each difference is an [`Adjustment`]: paid in a later
//! monthly run as an `arrears` line (more is due) or a `recovery` line (too
//! much was paid, a negative amount). Arrears and recoveries are income of
//! the month they are paid in, so the cumulative withholding of that month
//! taxes them; the corrected period's tax is never recomputed.
//!
//! Only earning lines are compared (fixed pay, bonuses, honour awards);
//! contributions, tax and net follow from the month that pays the
//! difference. Arrears and recoveries already paid in the corrected period
//! belong to the periods they corrected and are not compared either.
//!
//! **Conservation.** When `paid` holds what has been paid for the period so
//! far (its payslips plus every earlier correction's difference), paying
//! the adjustments makes the amount paid per worker and code equal the
//! recomputation:
//!
//! ```
//! use payrules::correction::{diff, Earned};
//! use payrules::payslip::LineCode;
//! let d = |s: &str| s.parse().unwrap();
//! let mut paid = Earned::new();
//! paid.add("W1", LineCode::MonthlyBonus, d("900.00"));
//! paid.add("W2", LineCode::MonthlyBonus, d("1300.00"));
//! let mut now = Earned::new();
//! now.add("W1", LineCode::MonthlyBonus, d("1100.00"));
//! now.add("W2", LineCode::MonthlyBonus, d("1100.00"));
//! let adj = diff("2026-09", "grades corrected on appeal", &paid, &now);
//! assert_eq!(adj.len(), 2);
//! assert_eq!((adj[0].line_code(), adj[0].amount()), (LineCode::Arrears, d("200.00")));
//! assert_eq!((adj[1].line_code(), adj[1].amount()), (LineCode::Recovery, d("-200.00")));
//! ```

use crate::money::Amount;
use crate::rules::slip::{LineCode, Payslip};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One difference of one worker, line code and past period, to be paid in a
/// later month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Adjustment {
    /// Whose.
    pub worker_id: String,
    /// The period corrected (`YYYY-MM`, or `YYYY` for the annual bonus).
    pub period: String,
    /// The earning line corrected.
    pub code: LineCode,
    /// What was paid for it (0 when nothing was).
    pub old: Decimal,
    /// What should have been paid.
    pub new: Decimal,
    /// Why (the reason the correction was made with).
    pub reason: String,
}

impl Adjustment {
    /// The amount to pay: `new − old` (negative for a recovery).
    #[must_use]
    pub fn amount(&self) -> Decimal {
        self.new - self.old
    }

    /// `arrears` when more is due, `recovery` when too much was paid.
    #[must_use]
    pub fn line_code(&self) -> LineCode {
        if self.amount().is_sign_negative() {
            LineCode::Recovery
        } else {
            LineCode::Arrears
        }
    }

    /// The explanation of the line paying it.
    #[must_use]
    pub fn explain(&self) -> String {
        let what = if self.amount().is_sign_negative() {
            "recovered"
        } else {
            "paid"
        };
        format!(
            "correction of {} {}: {} → {}, {} {} ({})",
            self.period,
            self.code.code(),
            Amount(self.old),
            Amount(self.new),
            Amount(self.amount().abs()),
            what,
            self.reason
        )
    }

    /// The document form (a request's `adjustments` entry).
    #[must_use]
    pub fn to_record(&self) -> AdjustmentRecord {
        AdjustmentRecord {
            worker_id: self.worker_id.clone(),
            period: self.period.clone(),
            code: self.code.code().to_string(),
            old: Amount(self.old).to_string(),
            new: Amount(self.new).to_string(),
            reason: self.reason.clone(),
        }
    }
}

impl fmt::Display for Adjustment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.worker_id,
            self.line_code().code(),
            Amount(self.amount()),
            self.explain()
        )
    }
}

/// An adjustment as it arrives in a monthly request's `adjustments` list
/// (and as a `correction` response writes it): amounts as decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRecord {
    /// Whose.
    pub worker_id: String,
    /// The period corrected: `YYYY-MM` or `YYYY`, before the month paying it.
    pub period: String,
    /// The earning line corrected (`monthly_bonus`, `title_allowance`…).
    pub code: String,
    /// What was paid for it.
    pub old: String,
    /// What should have been paid.
    pub new: String,
    /// Why.
    pub reason: String,
}

/// Earning amounts per worker and line code: what a period paid, or
/// should have paid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Earned(BTreeMap<(String, LineCode), Decimal>);

impl Earned {
    /// Nothing paid.
    #[must_use]
    pub fn new() -> Earned {
        Earned::default()
    }

    /// Adds `amount` to a worker's `code`. Net-pay lines, arrears and
    /// recoveries are not earnings of the period and are ignored.
    pub fn add(&mut self, worker_id: &str, code: LineCode, amount: Decimal) {
        if !corrected(code) {
            return;
        }
        *self
            .0
            .entry((worker_id.to_string(), code))
            .or_insert(Decimal::ZERO) += amount;
    }

    /// Adds a payslip's earning lines.
    pub fn add_slip(&mut self, worker_id: &str, slip: &Payslip) {
        for l in &slip.lines {
            self.add(worker_id, l.code, l.amount);
        }
    }

    /// Adds an earlier correction of the period (its difference was, or
    /// will be, paid).
    #[cfg(test)]
    pub fn add_adjustment(&mut self, a: &Adjustment) {
        self.add(&a.worker_id, a.code, a.amount());
    }

    /// The amount of a worker's code (0 when none).
    #[must_use]
    pub fn get(&self, worker_id: &str, code: LineCode) -> Decimal {
        self.0
            .get(&(worker_id.to_string(), code))
            .copied()
            .unwrap_or(Decimal::ZERO)
    }
}

/// Whether a line code is compared by a correction: the period's own earnings.
#[must_use]
pub fn corrected(code: LineCode) -> bool {
    code.is_earning() && !matches!(code, LineCode::Arrears | LineCode::Recovery)
}

/// The adjustments that make `paid` equal `now`, per worker and code, sorted
/// by worker and code; no adjustment where they already agree.
#[must_use]
pub fn diff(period: &str, reason: &str, paid: &Earned, now: &Earned) -> Vec<Adjustment> {
    let mut keys: Vec<(&str, LineCode)> = paid.0.keys().map(|(w, c)| (w.as_str(), *c)).collect();
    keys.extend(now.0.keys().map(|(w, c)| (w.as_str(), *c)));
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|(w, c)| {
            let (old, new) = (paid.get(w, c), now.get(w, c));
            (old != new).then(|| Adjustment {
                worker_id: w.to_string(),
                period: period.to_string(),
                code: c,
                old,
                new,
                reason: reason.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_worker_missed_and_a_worker_paid_by_mistake() {
        let mut paid = Earned::new();
        paid.add("W2", LineCode::BasePay, d("3500.00"));
        paid.add("W2", LineCode::Net, d("3000.00")); // ignored
        paid.add("W2", LineCode::Arrears, d("10.00")); // ignored
        let mut now = Earned::new();
        now.add("W1", LineCode::BasePay, d("1750.00"));
        let a = diff("2026-10", "roster corrected", &paid, &now);
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].worker_id.as_str(), a[0].amount()),
            ("W1", d("1750.00"))
        );
        assert_eq!(a[0].line_code(), LineCode::Arrears);
        assert_eq!(
            (a[1].worker_id.as_str(), a[1].amount()),
            ("W2", d("-3500.00"))
        );
        assert_eq!(a[1].line_code(), LineCode::Recovery);
        assert_eq!(
            a[1].explain(),
            "correction of 2026-10 base_pay: 3500.00 → 0.00, 3500.00 recovered (roster corrected)"
        );
    }

    #[test]
    fn a_second_correction_pays_only_what_is_still_due() {
        let mut paid = Earned::new();
        paid.add("W1", LineCode::MonthlyBonus, d("900.00"));
        let mut first = Earned::new();
        first.add("W1", LineCode::MonthlyBonus, d("1300.00"));
        let a1 = diff("2026-09", "appeal", &paid, &first);
        assert_eq!(a1[0].amount(), d("400.00"));
        paid.add_adjustment(&a1[0]);
        let mut second = Earned::new();
        second.add("W1", LineCode::MonthlyBonus, d("1100.00"));
        let a2 = diff("2026-09", "appeal reviewed", &paid, &second);
        assert_eq!(a2[0].amount(), d("-200.00"));
        assert_eq!((a2[0].old, a2[0].new), (d("1300.00"), d("1100.00")));
        assert!(diff("2026-09", "none", &second, &second).is_empty());
    }
}
