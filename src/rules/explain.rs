//! The rule citation and the explanation of a payslip line, rendered on
//! demand from its compact [`Why`] against a [`Context`] (the policy
//! version, the worker, the honours, the quota pools and the tax figures).
//! Computing a payslip never builds these texts.

use crate::policy::Policy;
use crate::rules::correction::Adjustment;
use crate::rules::quota::PoolReport;
use crate::rules::slip::{GradeNote, Line, LineCode, Share, Why};
use crate::rules::tax::{self, TaxSlip};
use crate::worker::{Grade, Honour, Worker};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// What a payslip's lines are rendered against.
pub struct Context<'a> {
    /// The policy version the payslip was computed under.
    pub policy: &'a Policy,
    /// The worker.
    pub worker: &'a Worker,
    /// The honours passed to `payslip::monthly`.
    pub honours: &'a [&'a Honour],
    /// Names of the quota pools, by index.
    pub pools: &'a [PoolReport],
    /// The payslip's gross-to-net figures, when it has net-pay lines.
    pub tax: Option<&'a TaxSlip>,
    /// The corrections of past periods paid on the payslip.
    pub adjustments: &'a [Adjustment],
}

impl Line {
    /// The rule that produced the line: `policy version §path`.
    pub fn rule(&self, cx: &Context) -> String {
        let p = cx.policy;
        let path = match (self.code, self.why) {
            (LineCode::TitleAllowance, Why::Segment { of, .. }) => {
                format!("title_allowance.{}", segment_title(of).code())
            }
            (
                LineCode::BasePay | LineCode::LivingAllowance | LineCode::PostAllowance,
                Why::Segment { of, .. },
            ) => format!(
                "positions.{}.{}",
                p.positions
                    .get(of as usize)
                    .map_or("?", |x| x.code.as_str()),
                self.code.code()
            ),
            (LineCode::BasePay | LineCode::LivingAllowance | LineCode::PostAllowance, _) => {
                format!("positions.{}.{}", position_code(cx), self.code.code())
            }
            (LineCode::TitleAllowance, _) => format!("title_allowance.{}", cx.worker.title.code()),
            (code, Why::Bonus { grade, .. }) => format!("{}.{}", code.code(), grade.code()),
            (_, Why::Honour { level, .. }) => format!("honours.{}", level.code()),
            (code, Why::Tax) => tax::rule_path(code, cx.tax).to_string(),
            (_, Why::Adjustment { index }) => match cx.adjustments.get(index as usize) {
                Some(a) => format!("corrections.{}.{}", a.period, a.code.code()),
                None => "corrections".to_string(),
            },
            (code, _) => code.code().to_string(),
        };
        format!("{} {} §{path}", p.id, p.version)
    }

    /// The inputs and arithmetic behind the amount, for an auditor.
    pub fn explain(&self, cx: &Context) -> String {
        let mut out = String::new();
        match self.why {
            Why::Adjustment { index } => {
                return match cx.adjustments.get(index as usize) {
                    Some(a) => a.explain(),
                    None => self.amount.to_string(),
                };
            }
            Why::Tax => {
                return match cx.tax {
                    Some(t) => tax::explain(self.code, self.amount, t, cx.policy.tax.as_ref()),
                    None => self.amount.to_string(),
                };
            }
            Why::Fixed { share } => {
                let full = self.full_amount(cx);
                match self.code {
                    LineCode::TitleAllowance => {
                        let _ = write!(out, "title {}: ", cx.worker.title.code());
                    }
                    _ => {
                        let _ = write!(out, "position {}: ", position_code(cx));
                    }
                }
                share.render(&mut out, full, cx.policy.probation.pay_rate);
            }
            Why::Segment { share, from, of } => {
                let full = self.full_amount(cx);
                match self.code {
                    LineCode::TitleAllowance => {
                        let _ = write!(out, "title {} from {from}: ", segment_title(of).code());
                    }
                    _ => {
                        let code = cx
                            .policy
                            .positions
                            .get(of as usize)
                            .map_or("?", |x| x.code.as_str());
                        let _ = write!(out, "position {code} from {from}: ");
                    }
                }
                share.render(&mut out, full, cx.policy.probation.pay_rate);
            }
            Why::Bonus { grade, share, note } => {
                let full = self.full_amount(cx);
                match note {
                    GradeNote::Given => {
                        let _ = write!(out, "grade {grade}");
                    }
                    GradeNote::Missing => {
                        out.push_str("no assessment; ungraded under assessment.missing")
                    }
                    GradeNote::Probation(until) => {
                        let _ = write!(
                            out,
                            "ungraded: on probation until {until} (probation.graded = false)"
                        );
                    }
                    GradeNote::Quota {
                        rank,
                        of,
                        pool,
                        slots,
                    } => {
                        let name = cx.pools.get(pool as usize).map_or("?", |p| p.pool.as_str());
                        let _ = write!(out, "grade {grade}: rank {rank} of {of} in pool {name}");
                        if matches!(grade, Grade::Excellent | Grade::Good) {
                            let _ = write!(out, "; {grade} slots {slots}");
                        }
                    }
                }
                if matches!(grade, Grade::Ungraded) {
                    out.push_str(" → 0.00");
                } else if share.is_full() {
                    let _ = write!(out, " → {}", full.round_dp(2));
                } else {
                    out.push_str(": ");
                    share.render(&mut out, full, Decimal::ONE);
                }
            }
            Why::Honour {
                level,
                index,
                superseded,
                prior,
            } => {
                if let Some(h) = cx.honours.get(index as usize) {
                    let _ = write!(
                        out,
                        "{} honour ({}) awarded {}",
                        level.code(),
                        level.zh(),
                        h.awarded_on
                    );
                    if let Some(d) = &h.deed {
                        let _ = write!(out, " for {d:?}");
                    }
                }
                let full = cx.policy.honours.amount(level).round_dp(2);
                match prior.and_then(|p| cx.honours.get(p as usize)) {
                    Some(p) => {
                        let _ = write!(
                            out,
                            ": {} {full} − {} {} paid {} = {}",
                            level.code(),
                            p.level.code(),
                            crate::rules::award::paid_for(cx.policy, p).round_dp(2),
                            crate::period::YearMonth::of(p.awarded_on),
                            self.amount
                        );
                        if self.amount.is_zero() {
                            out.push_str(" (not higher than what was paid: nothing more to pay)");
                        } else {
                            out.push_str(" (honours.same_deed = highest_only: the difference)");
                        }
                    }
                    None => {
                        let _ = write!(out, " → {full}");
                    }
                }
                if superseded > 0 {
                    let _ = write!(
                        out,
                        "; {superseded} lower honour(s) for the same deed not paid (honours.same_deed = highest_only)"
                    );
                }
            }
        }
        let shown = matches!(
            self.why,
            Why::Fixed {
                share: Share::Full,
                ..
            } | Why::Honour { .. }
                | Why::Bonus {
                    share: Share::Full,
                    ..
                }
                | Why::Bonus {
                    grade: Grade::Ungraded,
                    ..
                }
        );
        if !shown {
            let _ = write!(out, " = {}", self.amount);
        }
        out
    }
}

impl Line {
    /// The full (unprorated) amount behind a fixed or bonus line, from the policy.
    fn full_amount(&self, cx: &Context) -> Decimal {
        let p = cx.policy;
        let pos = p
            .position_index(&cx.worker.position)
            .map(|i| &p.positions[i]);
        if let Why::Segment { of, .. } = self.why {
            let pos = p.positions.get(of as usize);
            return match self.code {
                LineCode::BasePay => pos.map_or(Decimal::ZERO, |x| x.base_pay),
                LineCode::LivingAllowance => pos.map_or(Decimal::ZERO, |x| x.living_allowance),
                LineCode::PostAllowance => pos.map_or(Decimal::ZERO, |x| x.post_allowance),
                LineCode::TitleAllowance => p.title_allowance(segment_title(of)),
                _ => self.amount,
            };
        }
        match (self.code, self.why) {
            (LineCode::BasePay, _) => pos.map_or(Decimal::ZERO, |x| x.base_pay),
            (LineCode::LivingAllowance, _) => pos.map_or(Decimal::ZERO, |x| x.living_allowance),
            (LineCode::PostAllowance, _) => pos.map_or(Decimal::ZERO, |x| x.post_allowance),
            (LineCode::TitleAllowance, _) => p.title_allowance(cx.worker.title),
            (LineCode::MonthlyBonus, Why::Bonus { grade, .. }) => p.monthly_bonus.amount(grade),
            (LineCode::AnnualBonus, Why::Bonus { grade, .. }) => p.annual_bonus.amount(grade),
            _ => self.amount,
        }
    }
}

/// The title of a segment line's number.
fn segment_title(of: u16) -> crate::worker::Title {
    crate::worker::Title::from_u32(of.into()).unwrap_or(crate::worker::Title::None)
}

fn position_code(cx: &Context) -> String {
    cx.policy.position_index(&cx.worker.position).map_or_else(
        || cx.worker.position.to_string(),
        |i| cx.policy.positions[i].code.clone(),
    )
}
