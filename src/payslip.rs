//! Payslip lines and their computation: monthly fixed pay, the monthly and
//! annual bonus, honour awards.
//!
//! A [`Line`] holds its code, its amount (already rounded to the fen) and a
//! compact [`Why`] from which the rule citation and the explanation text are
//! rendered only when asked for, so computing a payslip allocates nothing
//! per line.
//!
//! ```
//! use payrules::payslip::{monthly, GradeNote, LineCode};
//! use payrules::policy::PolicySet;
//! use payrules::period::{YearMonth, parse_date};
//! use payrules::worker::{Grade, Title, Worker};
//!
//! let set = PolicySet::builtin();
//! let nov: YearMonth = "2026-11".parse().unwrap();
//! let policy = set.version_on(nov.first_day()).unwrap();
//! let w = Worker {
//!     id: "W001".into(), name: "林晓".into(), unit: "温泉社区".into(),
//!     position: "community_worker".into(), title: Title::SocialWorker,
//!     hired_on: parse_date("2026-11-16").unwrap(), left_on: None, probation_until: None,
//! };
//! let slip = monthly(policy, nov, &w, 0, Grade::Excellent, GradeNote::Given, &[]).unwrap();
//! // hired on the 16th: 15 of 30 days
//! assert_eq!(slip.amount(LineCode::BasePay).unwrap().to_string(), "1100.00");
//! assert_eq!(slip.amount(LineCode::MonthlyBonus).unwrap().to_string(), "650.00");
//! assert_eq!(slip.gross.to_string(), "2400.00"); // 1100 + 300 + 150 + 200 + 650
//! ```

use crate::money::{FenSum, round_fen};
use crate::period::{Year, YearMonth, calendar_days, overlap, weekdays};
use crate::policy::{Basis, MonthsServed, Policy};
use crate::worker::{Grade, Honour, HonourLevel, Worker};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// What a line pays for. The order is the order lines appear on a payslip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineCode {
    /// 基础报酬.
    BasePay,
    /// 生活补贴.
    LivingAllowance,
    /// 岗位补贴.
    PostAllowance,
    /// 职称补贴.
    TitleAllowance,
    /// 月度绩效奖金.
    MonthlyBonus,
    /// 年度绩效奖金.
    AnnualBonus,
    /// 评优评先奖励.
    HonourAward,
    /// 养老保险 (employee share): a deduction.
    Pension,
    /// 医疗保险 (employee share): a deduction.
    Medical,
    /// 失业保险 (employee share): a deduction.
    Unemployment,
    /// 住房公积金 (employee share): a deduction.
    HousingFund,
    /// 个人所得税 withheld: a deduction.
    IncomeTax,
    /// 实发: gross − deductions.
    Net,
}

impl LineCode {
    /// Every code, in payslip order.
    pub const ALL: [LineCode; 13] = [
        LineCode::BasePay,
        LineCode::LivingAllowance,
        LineCode::PostAllowance,
        LineCode::TitleAllowance,
        LineCode::MonthlyBonus,
        LineCode::AnnualBonus,
        LineCode::HonourAward,
        LineCode::Pension,
        LineCode::Medical,
        LineCode::Unemployment,
        LineCode::HousingFund,
        LineCode::IncomeTax,
        LineCode::Net,
    ];
    /// The code as it appears in documents.
    pub fn code(self) -> &'static str {
        match self {
            LineCode::BasePay => "base_pay",
            LineCode::LivingAllowance => "living_allowance",
            LineCode::PostAllowance => "post_allowance",
            LineCode::TitleAllowance => "title_allowance",
            LineCode::MonthlyBonus => "monthly_bonus",
            LineCode::AnnualBonus => "annual_bonus",
            LineCode::HonourAward => "honour_award",
            LineCode::Pension => "pension",
            LineCode::Medical => "medical",
            LineCode::Unemployment => "unemployment",
            LineCode::HousingFund => "housing_fund",
            LineCode::IncomeTax => "income_tax",
            LineCode::Net => "net",
        }
    }
    /// The Chinese name, for bilingual sheets.
    pub fn zh(self) -> &'static str {
        match self {
            LineCode::BasePay => "基础报酬",
            LineCode::LivingAllowance => "生活补贴",
            LineCode::PostAllowance => "岗位补贴",
            LineCode::TitleAllowance => "职称补贴",
            LineCode::MonthlyBonus => "月度绩效奖金",
            LineCode::AnnualBonus => "年度绩效奖金",
            LineCode::HonourAward => "评优评先奖励",
            LineCode::Pension => "养老保险",
            LineCode::Medical => "医疗保险",
            LineCode::Unemployment => "失业保险",
            LineCode::HousingFund => "住房公积金",
            LineCode::IncomeTax => "个人所得税",
            LineCode::Net => "实发",
        }
    }
    /// Whether the line is an earning (summed into gross); deductions and
    /// `net` come after gross.
    pub fn is_earning(self) -> bool {
        self < LineCode::Pension
    }
}

/// The share of a full amount that a line pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// The full amount.
    Full,
    /// `(days − probation_days + probation_days × rate) / month_days`.
    Calendar {
        /// Days employed in the month.
        days: u8,
        /// Of which on probation (0 when the rate is 1).
        probation_days: u8,
        /// Days in the month.
        month_days: u8,
    },
    /// `(weekdays − probation_weekdays + probation_weekdays × rate) / 21.75`, at most 1.
    PaidDays {
        /// Weekdays employed in the month.
        days: u8,
        /// Of which on probation.
        probation_days: u8,
        /// Whether the fraction reached a full month and was capped.
        capped: bool,
    },
    /// `months / 12`.
    Months {
        /// Months served.
        months: u8,
    },
}

const PAID_DAYS: Decimal = Decimal::from_parts(2175, 0, 0, false, 2);

impl Share {
    /// Applies the share to a full amount, exactly (not rounded), with the
    /// policy's probation pay `rate` for days on probation.
    pub fn apply(self, full: Decimal, rate: Decimal) -> Decimal {
        // Invariant: `full` is a policy amount ≤ 1e9 and the share's numbers are
        // at most 31 days × a rate ≤ 1, so these products cannot overflow.
        let units =
            |days: u8, pd: u8, rate: Decimal| Decimal::from(days - pd) + Decimal::from(pd) * rate;
        match self {
            Share::Full => full,
            Share::Calendar {
                days,
                probation_days,
                month_days,
            } => full * units(days, probation_days, rate) / Decimal::from(month_days),
            Share::PaidDays { capped: true, .. } => full,
            Share::PaidDays {
                days,
                probation_days,
                ..
            } => full * units(days, probation_days, rate) / PAID_DAYS,
            Share::Months { months } => full * Decimal::from(months) / Decimal::from(12),
        }
    }

    /// The same share without a probation rate (the monthly bonus is prorated
    /// by days, but the probation rate applies to fixed pay only).
    fn without_probation(self) -> Share {
        match self {
            Share::Calendar {
                days, month_days, ..
            } => Share::Calendar {
                days,
                probation_days: 0,
                month_days,
            },
            Share::PaidDays { days, capped, .. } => Share::PaidDays {
                days,
                probation_days: 0,
                capped,
            },
            s => s,
        }
    }

    fn is_full(self) -> bool {
        matches!(self, Share::Full)
    }

    fn render(self, out: &mut String, full: Decimal, rate: Decimal) {
        let _ = write!(out, "{}", full.round_dp(2));
        let units = |out: &mut String, days: u8, pd: u8, rate: Decimal| {
            if pd == 0 {
                let _ = write!(out, "{days}");
            } else {
                let _ = write!(
                    out,
                    "({} + {} × {} probation rate)",
                    days - pd,
                    pd,
                    rate.normalize()
                );
            }
        };
        match self {
            Share::Full => out.push_str(" a month, full month"),
            Share::Calendar {
                days,
                probation_days,
                month_days,
            } => {
                out.push_str(" × ");
                units(out, days, probation_days, rate);
                let _ = write!(out, "/{month_days} calendar days");
            }
            Share::PaidDays {
                days,
                probation_days,
                capped,
            } => {
                out.push_str(" × ");
                units(out, days, probation_days, rate);
                out.push_str("/21.75 paid days");
                if capped {
                    out.push_str(", capped at a full month");
                }
            }
            Share::Months { months } => {
                let _ = write!(out, " × {months}/12 months served");
            }
        }
    }
}

/// Why a worker has the grade a bonus line pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeNote {
    /// The grade was given in the assessments.
    Given,
    /// No assessment, and the policy treats such workers as ungraded.
    Missing,
    /// On probation on the period's last day, and the policy does not grade probationers.
    Probation(NaiveDate),
    /// Assigned from a score under the quota rule.
    Quota {
        /// Rank in the pool (1 = best).
        rank: u32,
        /// Graded headcount of the pool.
        of: u32,
        /// Index of the pool in the run's quota report.
        pool: u32,
        /// Slots for the grade assigned (excellent or good), if any.
        slots: u32,
    },
}

/// Where a line's amount comes from, kept compact so that computing does not
/// allocate; rendered into `rule` and `explain` on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A position amount (base, living, post) or the title allowance.
    Fixed {
        /// The share paid of the full monthly amount (which the policy holds).
        share: Share,
    },
    /// A bonus by grade.
    Bonus {
        /// The grade paid.
        grade: Grade,
        /// The share paid of the grade's full amount (which the policy holds).
        share: Share,
        /// Why the worker has this grade.
        note: GradeNote,
    },
    /// An honour award.
    Honour {
        /// Level paid.
        level: HonourLevel,
        /// Index of the honour in the honours given to [`monthly`].
        index: u32,
        /// How many other honours for the same deed this one supersedes.
        superseded: u8,
    },
    /// A net-pay line (contribution, income tax, net): the figures are in
    /// the payslip's [`crate::tax::TaxSlip`], reached through [`Context::tax`].
    Tax,
}

/// One payslip line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// What it pays for.
    pub code: LineCode,
    /// Amount, rounded half away from zero to the fen.
    pub amount: Decimal,
    /// Where the amount comes from.
    pub why: Why,
}

/// What a payslip's lines are rendered against.
pub struct Context<'a> {
    /// The policy version the payslip was computed under.
    pub policy: &'a Policy,
    /// The worker.
    pub worker: &'a Worker,
    /// The honours passed to [`monthly`].
    pub honours: &'a [&'a Honour],
    /// Names of the quota pools, by index.
    pub pools: &'a [crate::quota::PoolReport],
    /// The payslip's gross-to-net figures, when it has net-pay lines.
    pub tax: Option<&'a crate::tax::TaxSlip>,
}

impl Line {
    /// The rule that produced the line: `policy version §path`.
    pub fn rule(&self, cx: &Context) -> String {
        let p = cx.policy;
        let path = match (self.code, self.why) {
            (LineCode::BasePay | LineCode::LivingAllowance | LineCode::PostAllowance, _) => {
                format!("positions.{}.{}", position_code(cx), self.code.code())
            }
            (LineCode::TitleAllowance, _) => format!("title_allowance.{}", cx.worker.title.code()),
            (code, Why::Bonus { grade, .. }) => format!("{}.{}", code.code(), grade.code()),
            (_, Why::Honour { level, .. }) => format!("honours.{}", level.code()),
            (code, Why::Tax) => crate::tax::rule_path(code, cx.tax).to_string(),
            (code, _) => code.code().to_string(),
        };
        format!("{} {} §{path}", p.id, p.version)
    }

    /// The inputs and arithmetic behind the amount, for an auditor.
    pub fn explain(&self, cx: &Context) -> String {
        let mut out = String::new();
        match self.why {
            Why::Tax => {
                return match cx.tax {
                    Some(t) => {
                        crate::tax::explain(self.code, self.amount, t, cx.policy.tax.as_ref())
                    }
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
                let _ = write!(out, " → {}", cx.policy.honours.amount(level).round_dp(2));
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

fn position_code(cx: &Context) -> String {
    cx.policy.position_index(&cx.worker.position).map_or_else(
        || cx.worker.position.clone(),
        |i| cx.policy.positions[i].code.clone(),
    )
}

/// A worker's payslip for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payslip {
    /// Index of the worker in the run's worker list.
    pub worker: usize,
    /// Lines in payslip order; honour awards last.
    pub lines: Vec<Line>,
    /// Sum of the rounded lines.
    pub gross: Decimal,
}

impl Payslip {
    /// The amount of the first line with this code.
    pub fn amount(&self, code: LineCode) -> Option<Decimal> {
        self.lines.iter().find(|l| l.code == code).map(|l| l.amount)
    }
}

/// Why a payslip could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// The worker's position is not in the policy version.
    #[error("unknown position {given:?}; this policy version has: {expected}")]
    UnknownPosition {
        /// As given.
        given: String,
        /// The policy's positions.
        expected: String,
    },
}

/// The share of fixed pay for a worker in a month, or `None` when the worker
/// was not employed on any day of it.
pub fn month_share(policy: &Policy, month: YearMonth, w: &Worker) -> Option<Share> {
    let (first, last) = overlap(month, w.hired_on, w.left_on)?;
    let rate = policy.probation.pay_rate;
    let probation = match w.probation_until {
        Some(p) if p >= first && rate != Decimal::ONE => Some((first, p.min(last))),
        _ => None,
    };
    let whole = first == month.first_day() && last == month.last_day();
    if whole && probation.is_none() {
        return Some(Share::Full);
    }
    // Days fit in u8: at most 31 in a month.
    Some(match policy.proration.basis {
        Basis::CalendarDays => Share::Calendar {
            days: calendar_days(first, last) as u8,
            probation_days: probation.map_or(0, |(a, b)| calendar_days(a, b) as u8),
            month_days: month.days() as u8,
        },
        Basis::PaidDays2175 => {
            let days = weekdays(first, last) as u8;
            let probation_days = probation.map_or(0, |(a, b)| weekdays(a, b) as u8);
            let full_units =
                Decimal::from(days - probation_days) + Decimal::from(probation_days) * rate;
            Share::PaidDays {
                days,
                probation_days,
                capped: probation_days == 0 && (whole || full_units >= PAID_DAYS),
            }
        }
    })
}

/// The last day of a worker's probation when the worker must be ungraded
/// for a period ending on `last`: on probation that day while the policy does
/// not grade probationers (`probation.graded = false`); otherwise `None`.
pub fn probation_ungraded(policy: &Policy, worker: &Worker, last: NaiveDate) -> Option<NaiveDate> {
    if policy.probation.graded || !worker.on_probation(last) {
        return None;
    }
    worker.probation_until
}

/// Computes a monthly payslip.
///
/// `worker_index` is stored in the payslip; `grade` is the month's grade
/// (already decided: given, by quota, or ungraded) and `note` says why;
/// `honours` are the worker's honours awarded in `month`. The worker must be
/// employed on some day of `month`; otherwise the payslip pays nothing.
pub fn monthly(
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
) -> Result<Payslip, PayError> {
    monthly_in(
        Vec::new(),
        policy,
        month,
        worker,
        worker_index,
        grade,
        note,
        honours,
    )
}

/// [`monthly`] writing the lines into `lines` (emptied first), so that a
/// caller that hands payslips on one by one can reuse one buffer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn monthly_in(
    mut lines: Vec<Line>,
    policy: &Policy,
    month: YearMonth,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
    honours: &[&Honour],
) -> Result<Payslip, PayError> {
    lines.clear();
    lines.reserve(5 + honours.len());
    let pos = policy
        .position_index(&worker.position)
        .map(|i| &policy.positions[i])
        .ok_or_else(|| PayError::UnknownPosition {
            given: worker.position.clone(),
            expected: policy.position_codes(),
        })?;
    let share = month_share(policy, month, worker).unwrap_or(Share::Calendar {
        days: 0,
        probation_days: 0,
        month_days: month.days() as u8,
    });
    let rate = policy.probation.pay_rate;
    let mut gross = FenSum::default();
    let mut push = |code, full: Decimal, why: Why, share: Share| {
        // Policy amounts read from TOML are held on the fen, so a full share
        // of one needs no rounding.
        let amount = match share {
            Share::Full if full.scale() == crate::money::AMOUNT_DP => full,
            _ => round_fen(share.apply(full, rate)),
        };
        gross.add(amount);
        lines.push(Line { code, amount, why });
    };
    for (code, full) in [
        (LineCode::BasePay, pos.base_pay),
        (LineCode::LivingAllowance, pos.living_allowance),
        (LineCode::PostAllowance, pos.post_allowance),
        (
            LineCode::TitleAllowance,
            policy.title_allowance(worker.title),
        ),
    ] {
        push(code, full, Why::Fixed { share }, share);
    }
    let full = policy.monthly_bonus.amount(grade);
    let bonus_share = if policy.proration.monthly_bonus {
        share.without_probation()
    } else {
        Share::Full
    };
    push(
        LineCode::MonthlyBonus,
        full,
        Why::Bonus {
            grade,
            share: bonus_share,
            note,
        },
        bonus_share,
    );
    for (index, level, superseded) in crate::award::payable(policy, honours) {
        let full = policy.honours.amount(level);
        push(
            LineCode::HonourAward,
            full,
            Why::Honour {
                level,
                index: index as u32,
                superseded,
            },
            Share::Full,
        );
    }
    Ok(Payslip {
        worker: worker_index,
        lines,
        gross: gross.total(),
    })
}

/// Months of `year` the worker served, by the policy's `months_served` rule.
pub fn months_served(policy: &Policy, year: Year, w: &Worker) -> u8 {
    year.months()
        .filter(|m| match overlap(*m, w.hired_on, w.left_on) {
            None => false,
            Some((a, b)) => match policy.proration.months_served {
                MonthsServed::AnyDay => true,
                MonthsServed::WholeMonth => a == m.first_day() && b == m.last_day(),
            },
        })
        .count() as u8
}

/// Computes an annual payslip: the annual bonus by the year's grade,
/// prorated by months served where the policy says so.
pub fn annual(
    policy: &Policy,
    year: Year,
    worker: &Worker,
    worker_index: usize,
    grade: Grade,
    note: GradeNote,
) -> Payslip {
    let full = policy.annual_bonus.amount(grade);
    let share = match months_served(policy, year, worker) {
        12 => Share::Full,
        _ if !policy.proration.annual_bonus => Share::Full,
        months => Share::Months { months },
    };
    let amount = round_fen(share.apply(full, Decimal::ONE));
    Payslip {
        worker: worker_index,
        lines: vec![Line {
            code: LineCode::AnnualBonus,
            amount,
            why: Why::Bonus { grade, share, note },
        }],
        gross: amount,
    }
}
