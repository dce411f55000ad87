//! What a payslip is made of: [`Line`]s with a [`LineCode`], an amount
//! rounded to the fen and a compact [`Why`], and the [`Payslip`] that holds
//! them. Every rule module (fixed pay, bonus, honours, quota notes, tax)
//! writes these; the texts an auditor reads are rendered from them later
//! (the `explain` module beside this one).

use crate::worker::{Grade, HonourLevel, Title};
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
    /// 补发: a past period corrected upwards, paid this month (income of this month).
    Arrears,
    /// 补扣: a past period corrected downwards, recovered this month (a negative amount).
    Recovery,
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
    pub const ALL: [LineCode; 15] = [
        LineCode::BasePay,
        LineCode::LivingAllowance,
        LineCode::PostAllowance,
        LineCode::TitleAllowance,
        LineCode::MonthlyBonus,
        LineCode::AnnualBonus,
        LineCode::HonourAward,
        LineCode::Arrears,
        LineCode::Recovery,
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
            LineCode::Arrears => "arrears",
            LineCode::Recovery => "recovery",
            LineCode::Pension => "pension",
            LineCode::Medical => "medical",
            LineCode::Unemployment => "unemployment",
            LineCode::HousingFund => "housing_fund",
            LineCode::IncomeTax => "income_tax",
            LineCode::Net => "net",
        }
    }
    /// The code written `code` in documents (`"base_pay"`, `"arrears"`…).
    pub fn from_code(code: &str) -> Option<LineCode> {
        LineCode::ALL.into_iter().find(|c| c.code() == code)
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
            LineCode::Arrears => "补发",
            LineCode::Recovery => "补扣",
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

pub(crate) const PAID_DAYS: Decimal = Decimal::from_parts(2175, 0, 0, false, 2);

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
    pub(crate) fn without_probation(self) -> Share {
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

    pub(crate) fn is_full(self) -> bool {
        matches!(self, Share::Full)
    }

    pub(crate) fn render(self, out: &mut String, full: Decimal, rate: Decimal) {
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
    /// A position amount or the title allowance for the part of a month in
    /// which one position or title held, when it changed within the month.
    Segment {
        /// The share paid of the part's full monthly amount.
        share: Share,
        /// The part's first paid day.
        from: NaiveDate,
        /// For the title allowance, the title's number; else the index of
        /// the position in the policy version.
        of: u16,
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
        /// Index of the honour in the honours given to `payslip::monthly`.
        index: u32,
        /// How many other honours for the same deed this one supersedes.
        superseded: u8,
        /// Index (in the same honours) of the honour of an earlier month
        /// already paid for the same deed, whose payment the amount is net
        /// of: the line pays the difference, or nothing when not higher.
        prior: Option<u32>,
    },
    /// An arrears or recovery line: a past period's correction, paid this
    /// month; the correction is in the run's adjustments of the worker.
    Adjustment {
        /// Index of the correction among the worker's adjustments in the run.
        index: u32,
    },
    /// A net-pay line (contribution, income tax, net): the figures are in
    /// the payslip's `TaxSlip` (rules::tax), reached through the explanation context.
    Tax,
}

/// The position and title in force from a day of a month, for a worker
/// whose position or title changes within it (see `run` and the request's
/// `changes`): a month's segments start with its first day, in date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// The first day the state holds.
    pub from: NaiveDate,
    /// Index of the position in the policy version.
    pub position: u16,
    /// The title.
    pub title: Title,
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

/// A worker's payslip for one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
