//! Gross to net: employee contributions, cumulative income-tax withholding
//! and the annual-bonus choice.
//!
//! The tables are policy data ([`TaxRules`], the optional `[versions.tax]`
//! table of a policy version); this module only computes.
//!
//! - **Contributions**: pension, medical, unemployment and housing fund, each
//!   `base × rate` rounded to the fen; the base is given per worker or is the
//!   month's gross, clamped to the policy's bounds.
//! - **Cumulative withholding** (国家税务总局公告2018年第61号): this month's tax
//!   is the annual table applied to the cumulative taxable income, minus the
//!   tax already withheld this year, never below zero. A [`Ytd`] carries the
//!   year-to-date figures from one month to the next.
//! - **The annual one-time bonus** (财政部 税务总局公告2023年第30号): taxed
//!   separately (bracket by bonus ÷ 12 on the monthly table) until the policy's
//!   `separate_until` date, or merged with wages; [`bonus_choice`] computes
//!   both, picks the lower, and reports a bonus in a cliff range ([`Cliff`]).
//!
//! The State Taxation Administration's worked example (salary 30000 a month,
//! contributions 4500, special additional deductions 2000):
//!
//! ```
//! use payrules::policy::PolicySet;
//! use payrules::period::parse_date;
//! use payrules::tax::{withhold, MonthFigures, Ytd};
//!
//! let set = PolicySet::builtin();
//! let rules = set.version_on(parse_date("2026-01-01").unwrap()).unwrap().tax.as_ref().unwrap();
//! let month = MonthFigures {
//!     income: "30000".parse().unwrap(),
//!     contributions: "4500".parse().unwrap(),
//!     additional_deductions: "2000".parse().unwrap(),
//!     ..MonthFigures::default()
//! };
//! let mut ytd = Ytd::start(2026);
//! let mut withheld = Vec::new();
//! for _ in 0..3 {
//!     let w = withhold(rules, &ytd, &month);
//!     withheld.push(w.tax.to_string());
//!     ytd = w.ytd;
//! }
//! assert_eq!(withheld, ["555.00", "625.00", "1850.00"]);
//! ```
//!
//! **Bounds.** Every amount a run passes in is at most 1,000,000,000 yuan (the
//! policy and request readers refuse more) and rates are below 1, so every
//! sum and product here stays below 10^13 with at most eight decimal places,
//! far inside `Decimal`'s 96-bit range: the plain operators cannot overflow.
//! Callers of the public functions should keep amounts below 10^15.

use crate::money::{Amount, parse_amount, parse_rate, round_fen};
use crate::period::{Year, YearMonth, parse_date};
use crate::policy::{Policy, max_amount};
use crate::rules::slip::{Line, LineCode, Payslip, Why};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt::{self, Write as _};

const TWELVE: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

pub use crate::policy::tax_tables::{Bracket, Contributions, Table, TableProblem, TaxRules};
use crate::policy::tax_tables::{non_negative, zero};

/// A worker's year-to-date state for one tax year (the `ytd` documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ytd {
    /// The tax year.
    pub year: i32,
    /// Months employed this year (each earns a basic deduction).
    pub months: u8,
    /// Cumulative income, including exempt income and merged bonuses.
    pub income: Decimal,
    /// Cumulative exempt income.
    pub exempt_income: Decimal,
    /// Cumulative employee contributions (special deductions).
    pub contributions: Decimal,
    /// Cumulative special additional deductions.
    pub additional_deductions: Decimal,
    /// Cumulative other deductions.
    pub other_deductions: Decimal,
    /// Tax withheld on wages (and merged bonuses) this year.
    pub tax_withheld: Decimal,
    /// An annual bonus taxed separately this year (at most one a year).
    pub separate_bonus: Decimal,
    /// Tax withheld on it.
    pub separate_bonus_tax: Decimal,
}

impl Ytd {
    /// The state at the start of a tax year: all zero.
    pub fn start(year: i32) -> Ytd {
        Ytd {
            year,
            months: 0,
            income: zero(),
            exempt_income: zero(),
            contributions: zero(),
            additional_deductions: zero(),
            other_deductions: zero(),
            tax_withheld: zero(),
            separate_bonus: zero(),
            separate_bonus_tax: zero(),
        }
    }

    /// The basic deduction for the months employed.
    pub fn basic(&self, rules: &TaxRules) -> Decimal {
        rules.basic_deduction * Decimal::from(self.months)
    }

    /// Cumulative taxable income: income − exempt − basic × months −
    /// contributions − additional − other. May be negative.
    pub fn taxable(&self, rules: &TaxRules) -> Decimal {
        self.income
            - self.exempt_income
            - self.basic(rules)
            - self.contributions
            - self.additional_deductions
            - self.other_deductions
    }
}

/// One month's figures for withholding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthFigures {
    /// Income this month (gross pay).
    pub income: Decimal,
    /// Of which exempt.
    pub exempt: Decimal,
    /// Employee contributions this month.
    pub contributions: Decimal,
    /// Special additional deductions this month.
    pub additional_deductions: Decimal,
    /// Other deductions this month.
    pub other_deductions: Decimal,
}

/// The result of withholding one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withholding {
    /// The state after this month (one more month, this month's figures and tax added).
    pub ytd: Ytd,
    /// Cumulative taxable income (may be negative).
    pub taxable: Decimal,
    /// Index of the annual-table bracket used.
    pub bracket: usize,
    /// Cumulative tax due on it, rounded.
    pub cumulative_tax: Decimal,
    /// Tax withheld before this month.
    pub withheld_before: Decimal,
    /// This month's tax: cumulative tax − withheld before, never below 0.
    pub tax: Decimal,
}

/// Withholds one month by the cumulative method.
pub fn withhold(rules: &TaxRules, ytd: &Ytd, m: &MonthFigures) -> Withholding {
    let mut out = *ytd;
    out.months = ytd.months.saturating_add(1);
    out.income += m.income;
    out.exempt_income += m.exempt;
    out.contributions += m.contributions;
    out.additional_deductions += m.additional_deductions;
    out.other_deductions += m.other_deductions;
    let taxable = out.taxable(rules);
    let (bracket, cumulative_tax) = rules.annual.tax(taxable, Decimal::ONE);
    let tax = non_negative(cumulative_tax - ytd.tax_withheld);
    out.tax_withheld += tax;
    Withholding {
        ytd: out,
        taxable,
        bracket,
        cumulative_tax,
        withheld_before: ytd.tax_withheld,
        tax,
    }
}

/// Where a contribution base comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseSource {
    /// Given for the worker.
    Given,
    /// The month's gross pay.
    Gross,
}

/// Whether a base was moved into the bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clamp {
    /// Inside the bounds.
    None,
    /// Raised to the lower bound.
    Lower,
    /// Lowered to the upper bound.
    Upper,
}

/// A contribution base and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base {
    /// Where it came from.
    pub source: BaseSource,
    /// Before clamping.
    pub raw: Decimal,
    /// Clamping applied.
    pub clamp: Clamp,
    /// The base used.
    pub used: Decimal,
}

/// The contribution base: the given base, or the month's gross, clamped to
/// the policy's bounds.
pub fn contribution_base(c: &Contributions, given: Option<Decimal>, gross: Decimal) -> Base {
    let (source, raw) = match given {
        Some(b) => (BaseSource::Given, b),
        None => (BaseSource::Gross, gross),
    };
    let (clamp, used) = if raw < c.base.0 {
        (Clamp::Lower, c.base.0)
    } else if raw > c.base.1 {
        (Clamp::Upper, c.base.1)
    } else {
        (Clamp::None, raw)
    };
    Base {
        source,
        raw,
        clamp,
        used,
    }
}

/// The four employee contributions on a base, each rounded to the fen:
/// pension, medical, unemployment, housing fund.
pub fn contributions(c: &Contributions, base: Decimal, housing_fund_rate: Decimal) -> [Decimal; 4] {
    [
        round_fen(base * c.pension),
        round_fen(base * c.medical),
        round_fen(base * c.unemployment),
        round_fen(base * housing_fund_rate),
    ]
}

/// How an annual bonus is taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// On its own, on the monthly table (bonus ÷ 12 picks the bracket).
    Separate,
    /// Added to the year's wages and withheld by the cumulative method.
    Merged,
}

impl Method {
    /// The code in documents.
    pub fn code(self) -> &'static str {
        match self {
            Method::Separate => "separate",
            Method::Merged => "merged",
        }
    }
}

/// Why separate taxation is not open to a bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSeparate {
    /// Paid after the rule's end date.
    Ended(NaiveDate),
    /// A bonus was already taxed separately this year (once a year only).
    UsedThisYear,
}

/// A bonus in a cliff range of the separate table: a smaller bonus (`edge`)
/// would leave the worker more after tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cliff {
    /// The bracket edge below the bonus that leaves the most after tax.
    pub edge: Decimal,
    /// What a bonus of `edge` leaves after separate tax.
    pub net_at_edge: Decimal,
    /// What this bonus leaves after separate tax.
    pub net_here: Decimal,
    /// `net_at_edge − net_here`: how much more the smaller bonus leaves.
    pub loss: Decimal,
    /// About where the cliff range ends: bonuses in `(edge, range_end]` leave less than `edge`.
    pub range_end: Decimal,
}

/// Separate tax on an annual bonus: the bracket by bonus ÷ 12 on the
/// monthly table, `bonus × rate − quick deduction`, rounded.
pub fn separate_tax(table: &Table, bonus: Decimal) -> (usize, Decimal) {
    table.tax(bonus, TWELVE)
}

/// Whether `bonus` lies in a cliff range of the separate table.
pub fn cliff(table: &Table, bonus: Decimal) -> Option<Cliff> {
    let net = |x: Decimal| x - separate_tax(table, x).1;
    let here = net(bonus);
    let best = table
        .brackets()
        .iter()
        .filter_map(|b| b.up_to.map(|u| u * TWELVE))
        .filter(|e| *e < bonus)
        .map(|e| (e, net(e)))
        .max_by_key(|(_, n)| *n)?;
    if best.1 <= here {
        return None;
    }
    let b = table.at(table.index(bonus, TWELVE));
    let range_end = (best.1 - b.quick_deduction)
        .checked_div(Decimal::ONE - b.rate)
        .map_or(bonus, round_fen);
    Some(Cliff {
        edge: round_fen(best.0),
        net_at_edge: best.1,
        net_here: here,
        loss: best.1 - here,
        range_end,
    })
}

/// Both ways of taxing an annual bonus, and the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BonusChoice {
    /// The bonus.
    pub bonus: Decimal,
    /// Day paid (decides whether separate taxation is still open).
    pub paid_on: NaiveDate,
    /// Separate tax `(bracket, tax)`, when open to this bonus.
    pub separate: Option<(usize, Decimal)>,
    /// Why separate taxation is not open, if it is not.
    pub no_separate: Option<NoSeparate>,
    /// Cumulative taxable income of the year's wages before the bonus.
    pub taxable: Decimal,
    /// Annual-table tax on it, rounded.
    pub wage_tax: Decimal,
    /// Tax withheld on wages so far.
    pub withheld: Decimal,
    /// Annual-table bracket with the bonus merged.
    pub merged_bracket: usize,
    /// Annual-table tax with the bonus merged, rounded.
    pub merged_cumulative_tax: Decimal,
    /// Withholding now if merged: merged cumulative tax − withheld, never below 0.
    pub merged: Decimal,
    /// The year's total tax if separate: max(withheld, wage tax) + separate tax.
    pub separate_total: Option<Decimal>,
    /// The year's total tax if merged: max(withheld, merged cumulative tax).
    pub merged_total: Decimal,
    /// The method chosen: separate only when its total is strictly lower.
    pub chosen: Method,
    /// Tax withheld on the bonus now.
    pub tax: Decimal,
    /// A cliff of the separate table the bonus falls in, if any.
    pub cliff: Option<Cliff>,
    /// The state after the bonus.
    pub ytd: Ytd,
}

impl BonusChoice {
    /// How much the choice saves over the other method (0 on a tie or
    /// when only one method is open).
    pub fn saving(&self) -> Decimal {
        match self.separate_total {
            Some(s) => (s - self.merged_total).abs(),
            None => zero(),
        }
    }
}

/// Computes both ways of taxing an annual bonus paid on `paid_on`, given the
/// year's wage figures in `ytd`, and chooses the lower total tax for the year
/// (merged on a tie). `ytd` should hold the whole year's wages (or the best
/// projection) for the choice to be the final one.
pub fn bonus_choice(
    rules: &TaxRules,
    ytd: &Ytd,
    bonus: Decimal,
    paid_on: NaiveDate,
) -> BonusChoice {
    let taxable = ytd.taxable(rules);
    let (_, wage_tax) = rules.annual.tax(taxable, Decimal::ONE);
    let (merged_bracket, merged_cumulative_tax) = rules.annual.tax(taxable + bonus, Decimal::ONE);
    let withheld = ytd.tax_withheld;
    let merged = non_negative(merged_cumulative_tax - withheld);
    let merged_total = withheld.max(merged_cumulative_tax);
    let no_separate = match rules.separate_until {
        Some(end) if paid_on > end => Some(NoSeparate::Ended(end)),
        _ if !ytd.separate_bonus.is_zero() => Some(NoSeparate::UsedThisYear),
        _ => None,
    };
    let separate = no_separate
        .is_none()
        .then(|| separate_tax(&rules.bonus_monthly, bonus));
    let separate_total = separate.map(|(_, t)| withheld.max(wage_tax) + t);
    let chosen = match separate_total {
        Some(s) if s < merged_total => Method::Separate,
        _ => Method::Merged,
    };
    let mut out = *ytd;
    let tax = match (chosen, separate) {
        (Method::Separate, Some((_, t))) => {
            out.separate_bonus += bonus;
            out.separate_bonus_tax += t;
            t
        }
        _ => {
            out.income += bonus;
            out.tax_withheld += merged;
            merged
        }
    };
    BonusChoice {
        bonus,
        paid_on,
        separate,
        no_separate,
        taxable,
        wage_tax,
        withheld,
        merged_bracket,
        merged_cumulative_tax,
        merged,
        separate_total,
        merged_total,
        chosen,
        tax,
        cliff: cliff(&rules.bonus_monthly, bonus),
        ytd: out,
    }
}

/// A worker's tax settings for a run (the request's `tax` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Contribution base; `None` means the month's gross, clamped.
    pub contribution_base: Option<Decimal>,
    /// Housing-fund rate; `None` means the policy's default.
    pub housing_fund_rate: Option<Decimal>,
    /// Special additional deductions this month.
    pub additional_deductions: Decimal,
    /// Other deductions this month.
    pub other_deductions: Decimal,
    /// Day an annual bonus is paid (annual runs; default the year's last day).
    pub paid_on: Option<NaiveDate>,
}

/// A worker's tax input to a run: settings and the state carried in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// Settings.
    pub settings: Settings,
    /// Year-to-date state before this run.
    pub ytd: Ytd,
}

/// The gross-to-net computation behind a payslip's net-pay lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A month's wages.
    Month {
        /// The contribution base.
        base: Base,
        /// Housing-fund rate used.
        housing_fund_rate: Decimal,
        /// Whether the rate was given (else the policy default).
        rate_given: bool,
        /// Pension, medical, unemployment, housing fund.
        contributions: [Decimal; 4],
        /// The month's figures.
        figures: MonthFigures,
        /// The withholding.
        withholding: Withholding,
    },
    /// An annual bonus.
    Bonus(BonusChoice),
}

/// A payslip's gross-to-net figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxSlip {
    /// Gross pay (earning lines).
    pub gross: Decimal,
    /// How the deductions were reached.
    pub detail: Detail,
    /// Income tax withheld.
    pub income_tax: Decimal,
    /// Sum of the deduction lines.
    pub deductions: Decimal,
    /// `gross − deductions`.
    pub net: Decimal,
}

impl TaxSlip {
    /// The year-to-date state carried out.
    pub fn ytd_out(&self) -> &Ytd {
        match &self.detail {
            Detail::Month { withholding, .. } => &withholding.ytd,
            Detail::Bonus(b) => &b.ytd,
        }
    }
}

fn push(slip: &mut Payslip, code: LineCode, amount: Decimal) {
    slip.lines.push(Line {
        code,
        amount,
        why: Why::Tax,
    });
}

/// Income exempt from tax on a payslip: awards of exempt honour levels.
pub fn exempt_income(rules: &TaxRules, slip: &Payslip) -> Decimal {
    slip.lines
        .iter()
        .filter(|l| matches!(l.why, Why::Honour { level, .. } if rules.exempt(level)))
        .map(|l| l.amount)
        .sum()
}

/// Adds the net-pay lines of a month's wages to `slip`: contributions,
/// income tax by the cumulative method, and net.
pub fn month_lines(rules: &TaxRules, input: &Input, slip: &mut Payslip) -> TaxSlip {
    let c = &rules.contributions;
    let s = &input.settings;
    let gross = slip.gross;
    let base = contribution_base(c, s.contribution_base, gross);
    let rate = s.housing_fund_rate.unwrap_or(c.housing_fund_default);
    let amounts = contributions(c, base.used, rate);
    let total: Decimal = amounts.iter().sum();
    let figures = MonthFigures {
        income: gross,
        exempt: exempt_income(rules, slip),
        contributions: total,
        additional_deductions: s.additional_deductions,
        other_deductions: s.other_deductions,
    };
    let w = withhold(rules, &input.ytd, &figures);
    for (code, a) in [
        LineCode::Pension,
        LineCode::Medical,
        LineCode::Unemployment,
        LineCode::HousingFund,
    ]
    .into_iter()
    .zip(amounts)
    {
        push(slip, code, a);
    }
    push(slip, LineCode::IncomeTax, w.tax);
    let deductions = total + w.tax;
    let net = gross - deductions;
    push(slip, LineCode::Net, net);
    TaxSlip {
        gross,
        detail: Detail::Month {
            base,
            housing_fund_rate: rate,
            rate_given: s.housing_fund_rate.is_some(),
            contributions: amounts,
            figures,
            withholding: w,
        },
        income_tax: w.tax,
        deductions,
        net,
    }
}

/// Adds the net-pay lines of an annual bonus to `slip` (income tax by the
/// better method, and net); the bonus bears no contributions.
pub fn bonus_lines(
    rules: &TaxRules,
    input: &Input,
    slip: &mut Payslip,
    paid_on: NaiveDate,
) -> TaxSlip {
    let gross = slip.gross;
    let choice = bonus_choice(rules, &input.ytd, gross, paid_on);
    push(slip, LineCode::IncomeTax, choice.tax);
    let net = gross - choice.tax;
    push(slip, LineCode::Net, net);
    TaxSlip {
        gross,
        income_tax: choice.tax,
        deductions: choice.tax,
        net,
        detail: Detail::Bonus(choice),
    }
}

fn pct(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn a(d: Decimal) -> Amount {
    Amount(d)
}

/// The rule path (after `§`) of a net-pay line.
pub fn rule_path(code: LineCode, slip: Option<&TaxSlip>) -> &'static str {
    match code {
        LineCode::Pension => "tax.contributions.pension",
        LineCode::Medical => "tax.contributions.medical",
        LineCode::Unemployment => "tax.contributions.unemployment",
        LineCode::HousingFund => "tax.contributions.housing_fund",
        LineCode::IncomeTax => match slip.map(|s| &s.detail) {
            Some(Detail::Bonus(b)) if b.chosen == Method::Separate => "tax.annual_bonus.monthly",
            _ => "tax.annual",
        },
        _ => "tax",
    }
}

/// The explanation of a net-pay line.
pub fn explain(
    code: LineCode,
    amount: Decimal,
    slip: &TaxSlip,
    rules: Option<&TaxRules>,
) -> String {
    let mut out = String::new();
    match (&slip.detail, code) {
        (
            Detail::Month {
                base,
                housing_fund_rate,
                rate_given,
                ..
            },
            LineCode::Pension | LineCode::Medical | LineCode::Unemployment | LineCode::HousingFund,
        ) => {
            let rate = match (code, rules) {
                (LineCode::HousingFund, _) => *housing_fund_rate,
                (LineCode::Pension, Some(r)) => r.contributions.pension,
                (LineCode::Medical, Some(r)) => r.contributions.medical,
                (LineCode::Unemployment, Some(r)) => r.contributions.unemployment,
                _ => Decimal::ZERO,
            };
            let src = match base.source {
                BaseSource::Given => "given",
                BaseSource::Gross => "gross pay",
            };
            match base.clamp {
                Clamp::None => {
                    let _ = write!(out, "base {} ({src})", a(base.used));
                }
                Clamp::Lower => {
                    let _ = write!(
                        out,
                        "base {} ({src} {} raised to the lower bound)",
                        a(base.used),
                        a(base.raw)
                    );
                }
                Clamp::Upper => {
                    let _ = write!(
                        out,
                        "base {} ({src} {} capped at the upper bound)",
                        a(base.used),
                        a(base.raw)
                    );
                }
            }
            let _ = write!(out, " × {}", pct(rate));
            if code == LineCode::HousingFund {
                out.push_str(if *rate_given {
                    " (rate given)"
                } else {
                    " (policy default rate)"
                });
            }
            let _ = write!(out, " = {}", a(amount));
        }
        (
            Detail::Month {
                figures,
                withholding: w,
                ..
            },
            LineCode::IncomeTax,
        ) => {
            let y = &w.ytd;
            let basic = rules.map_or(Decimal::ZERO, |r| r.basic_deduction);
            let _ = write!(
                out,
                "cumulative method, month {} of {}: income {} − exempt {} − basic {} ({} × {}) − contributions {} − additional deductions {} − other deductions {} = taxable {}",
                y.months,
                y.year,
                a(y.income),
                a(y.exempt_income),
                a(basic * Decimal::from(y.months)),
                a(basic),
                y.months,
                a(y.contributions),
                a(y.additional_deductions),
                a(y.other_deductions),
                a(w.taxable)
            );
            if w.taxable <= Decimal::ZERO {
                out.push_str(" → tax 0.00");
            } else if let Some(b) = rules.map(|r| r.annual.at(w.bracket)) {
                let _ = write!(
                    out,
                    "; × {} − {} = {}",
                    pct(b.rate),
                    a(b.quick_deduction),
                    a(w.cumulative_tax)
                );
            }
            let _ = write!(out, "; − withheld {}", a(w.withheld_before));
            if w.cumulative_tax < w.withheld_before {
                out.push_str(" (no refund mid-year)");
            }
            let _ = write!(out, " = {}", a(amount));
            if figures.exempt > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; exempt this month: {} honour award",
                    a(figures.exempt)
                );
            }
        }
        (Detail::Bonus(b), LineCode::IncomeTax) => render_bonus(&mut out, b, rules),
        (detail, LineCode::Net) => {
            let _ = write!(out, "gross {}", a(slip.gross));
            if let Detail::Month { contributions, .. } = detail {
                for (name, c) in ["pension", "medical", "unemployment", "housing fund"]
                    .into_iter()
                    .zip(contributions)
                {
                    let _ = write!(out, " − {name} {}", a(*c));
                }
            }
            let _ = write!(out, " − income tax {} = {}", a(slip.income_tax), a(amount));
            if amount < Decimal::ZERO {
                out.push_str(" (deductions exceed gross pay: the worker owes the difference)");
            }
        }
        _ => {
            let _ = write!(out, "{}", a(amount));
        }
    }
    out
}

fn render_bonus(out: &mut String, b: &BonusChoice, rules: Option<&TaxRules>) {
    let _ = write!(out, "annual bonus {} paid {}: ", a(b.bonus), b.paid_on);
    match (b.separate, rules) {
        (Some((i, t)), Some(r)) => {
            let br = r.bonus_monthly.at(i);
            let _ = write!(
                out,
                "separate {} × {} − {} = {} (bonus ÷ 12 = {}",
                a(b.bonus),
                pct(br.rate),
                a(br.quick_deduction),
                a(t),
                a(b.bonus / TWELVE)
            );
            match br.up_to {
                Some(u) => {
                    let _ = write!(out, " ≤ {})", a(u));
                }
                None => out.push_str(", top bracket)"),
            }
        }
        (Some((_, t)), None) => {
            let _ = write!(out, "separate {}", a(t));
        }
        (None, _) => match b.no_separate {
            Some(NoSeparate::Ended(end)) => {
                let _ = write!(
                    out,
                    "separate taxation ended {end} (tax.annual_bonus.separate_until), so the bonus is merged"
                );
            }
            _ => out.push_str(
                "a bonus was already taxed separately this year (once a year only), so this one is merged",
            ),
        },
    }
    let _ = write!(
        out,
        "; merged: taxable {} + {} = {}",
        a(b.taxable),
        a(b.bonus),
        a(b.taxable + b.bonus)
    );
    let merged_taxable = b.taxable + b.bonus;
    if merged_taxable > Decimal::ZERO
        && let Some(br) = rules.map(|r| r.annual.at(b.merged_bracket))
    {
        let _ = write!(out, " × {} − {}", pct(br.rate), a(br.quick_deduction));
    }
    let _ = write!(
        out,
        " → {} − withheld {} = {}",
        a(b.merged_cumulative_tax),
        a(b.withheld),
        a(b.merged)
    );
    match b.separate_total {
        Some(s) => {
            let _ = write!(
                out,
                "; the year's tax {} separate, {} merged → {}",
                a(s),
                a(b.merged_total),
                b.chosen.code()
            );
            if b.saving() > Decimal::ZERO {
                let _ = write!(out, ", lower by {}", a(b.saving()));
            } else {
                out.push_str(" (a tie keeps the bonus with wages)");
            }
        }
        None => {
            let _ = write!(out, " → merged");
        }
    }
    if let Some(c) = b.cliff {
        let _ = write!(
            out,
            "; CLIFF: taxed separately this bonus leaves {}, a bonus of {} would leave {} ({} more); bonuses above {} up to about {} leave less than {} does",
            a(c.net_here),
            a(c.edge),
            a(c.net_at_edge),
            a(c.loss),
            a(c.edge),
            a(c.range_end),
            a(c.edge)
        );
        if b.chosen == Method::Merged {
            out.push_str(" (merging avoids it here)");
        }
    }
}

// ---------------------------------------------------------------------------
// Request and response documents.

/// A count (year, months) as it arrives: a JSON integer or a string, kept as
/// text so that a bad value becomes an error naming the worker and field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Count(pub String);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(n) => s.serialize_u64(n),
            Err(_) => s.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number, such as 3 or \"3\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Count, E> {
                Ok(Count(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A worker's tax settings as they arrive (the request's `tax` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRecord {
    /// Whose.
    pub worker_id: String,
    /// Contribution base; absent means the month's gross, clamped to the bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_base: Option<String>,
    /// Housing-fund rate, such as `"0.12"`; absent means the policy default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub housing_fund_rate: Option<String>,
    /// Special additional deductions this month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_deductions: Option<String>,
    /// Other deductions this month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_deductions: Option<String>,
    /// Annual runs: the day the bonus is paid; default the year's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<String>,
}

/// A worker's year-to-date state as it arrives (the request's `ytd` list);
/// the response's `ytd` list has the same shape, so it can be passed on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YtdRecord {
    /// Whose.
    pub worker_id: String,
    /// Tax year.
    pub year: Count,
    /// Months employed this year so far.
    #[serde(default)]
    pub months: Count,
    /// Cumulative income.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<String>,
    /// Cumulative exempt income.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_income: Option<String>,
    /// Cumulative contributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributions: Option<String>,
    /// Cumulative special additional deductions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_deductions: Option<String>,
    /// Cumulative other deductions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_deductions: Option<String>,
    /// Tax withheld on wages this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_withheld: Option<String>,
    /// An annual bonus taxed separately this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separate_bonus: Option<String>,
    /// Tax on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separate_bonus_tax: Option<String>,
}

impl YtdRecord {
    /// The document of a state.
    pub fn from_ytd(worker_id: &str, y: &Ytd) -> YtdRecord {
        let s = |d: Decimal| Some(a(d).to_string());
        YtdRecord {
            worker_id: worker_id.to_string(),
            year: Count(y.year.to_string()),
            months: Count(y.months.to_string()),
            income: s(y.income),
            exempt_income: s(y.exempt_income),
            contributions: s(y.contributions),
            additional_deductions: s(y.additional_deductions),
            other_deductions: s(y.other_deductions),
            tax_withheld: s(y.tax_withheld),
            separate_bonus: s(y.separate_bonus),
            separate_bonus_tax: s(y.separate_bonus_tax),
        }
    }
}

/// The period a run's tax inputs are read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxPeriod {
    /// A monthly run.
    Month(YearMonth),
    /// An annual (bonus) run.
    Year(Year),
}

/// Where a worker id of a tax input stands in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A validated worker, at this index.
    Worker(usize),
    /// In the roster but not employed in the period (state passes through).
    NotEmployed,
    /// In the roster but refused for other errors.
    Refused,
    /// Not in the roster.
    Unknown,
}

/// Which list a tax input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The request's `tax` list.
    Tax,
    /// The request's `ytd` list.
    Ytd,
}

/// A problem with a tax input: worker, field, message, list and index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The worker.
    pub worker_id: String,
    /// The field (`tax.housing_fund_rate`, `ytd.months`…).
    pub field: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// The list and index of the record.
    pub source: (Source, usize),
}

/// The validated tax inputs of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Per validated worker index: the input, if the worker has one.
    pub workers: Vec<Option<Input>>,
    /// States of roster workers not employed in the period, passed through unchanged.
    pub passed: Vec<(String, Ytd)>,
    /// Whether the request had any tax input (the response then has `ytd`).
    pub active: bool,
}

fn amount_field(text: &str) -> Result<Decimal, String> {
    let d = parse_amount(text).map_err(|e| e.to_string())?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("{text} is negative; expected zero or more"));
    }
    if d > max_amount() {
        return Err(format!(
            "{text} is above the largest amount accepted ({})",
            max_amount()
        ));
    }
    Ok(d)
}

impl Inputs {
    /// Reads and validates the request's `tax` and `ytd` lists against the
    /// policy version; `n` is the number of validated workers and `find`
    /// places a worker id. Every problem is returned; a worker with a
    /// problem should not be paid.
    pub fn read(
        policy: &Policy,
        period: TaxPeriod,
        tax: &[TaxRecord],
        ytd: &[YtdRecord],
        n: usize,
        mut find: impl FnMut(&str) -> Found,
    ) -> (Inputs, Vec<InputProblem>) {
        let active = !tax.is_empty() || !ytd.is_empty();
        let mut out = Inputs {
            // Without tax inputs nothing is kept per worker.
            workers: if active { vec![None; n] } else { Vec::new() },
            passed: Vec::new(),
            active,
        };
        let mut problems = Vec::new();
        if !out.active {
            return (out, problems);
        }
        let mut err = |id: &str, field: &str, message: String, source| {
            problems.push(InputProblem {
                worker_id: id.to_string(),
                field: field.to_string(),
                message,
                source,
            })
        };
        let Some(rules) = policy.tax.as_ref() else {
            let msg = format!(
                "policy {} has no tax rules; add a [versions.tax] table (see README \"Gross to net\") or leave out the tax and ytd lists",
                policy.cite()
            );
            for (i, r) in tax.iter().enumerate() {
                err(&r.worker_id, "tax", msg.clone(), (Source::Tax, i));
            }
            for (i, r) in ytd.iter().enumerate() {
                err(&r.worker_id, "ytd", msg.clone(), (Source::Ytd, i));
            }
            return (out, problems);
        };
        let cite = policy.cite();
        // Settings per worker id, keyed by index into the validated list or
        // kept aside for workers who pass through.
        let mut settings: Vec<Option<(Settings, usize)>> = vec![None; n];
        let mut states: Vec<Option<(Ytd, usize)>> = vec![None; n];
        let mut passing: std::collections::BTreeMap<String, Option<Ytd>> = Default::default();
        let mut failed: std::collections::BTreeSet<String> = Default::default();
        let mut seen_tax: std::collections::HashMap<&str, usize> = Default::default();
        for (i, r) in tax.iter().enumerate() {
            let src = (Source::Tax, i);
            let id = r.worker_id.as_str();
            if let Some(first) = seen_tax.insert(id, i) {
                err(
                    id,
                    "tax",
                    format!("given twice (also tax[{first}]); keep one entry per worker"),
                    src,
                );
                failed.insert(id.to_string());
                continue;
            }
            let mut ok = true;
            let mut s = Settings::default();
            let mut field = |name: &str, v: &Option<String>, ok: &mut bool| -> Option<Decimal> {
                let t = v.as_deref()?;
                match amount_field(t) {
                    Ok(d) => Some(d),
                    Err(m) => {
                        err(id, &format!("tax.{name}"), m, src);
                        *ok = false;
                        None
                    }
                }
            };
            s.contribution_base = field("contribution_base", &r.contribution_base, &mut ok);
            s.additional_deductions =
                field("additional_deductions", &r.additional_deductions, &mut ok).unwrap_or(zero());
            s.other_deductions =
                field("other_deductions", &r.other_deductions, &mut ok).unwrap_or(zero());
            if let Some(t) = r.housing_fund_rate.as_deref() {
                let (lo, hi) = rules.contributions.housing_fund;
                match parse_rate(t) {
                    Ok(x) if x >= lo && x <= hi => s.housing_fund_rate = Some(x),
                    Ok(x) => {
                        err(
                            id,
                            "tax.housing_fund_rate",
                            format!(
                                "{x} is outside the housing-fund range {}–{} of policy {cite} §tax.contributions.housing_fund; write a fraction such as \"0.12\"",
                                lo.normalize(),
                                hi.normalize()
                            ),
                            src,
                        );
                        ok = false;
                    }
                    Err(e) => {
                        err(id, "tax.housing_fund_rate", e.to_string(), src);
                        ok = false;
                    }
                }
            }
            if let Some(t) = r.paid_on.as_deref() {
                match (period, parse_date(t)) {
                    (TaxPeriod::Year(_), Ok(d)) => s.paid_on = Some(d),
                    (TaxPeriod::Month(_), _) => {
                        err(
                            id,
                            "tax.paid_on",
                            "paid_on is for annual runs (the day the annual bonus is paid); leave it out of monthly runs".into(),
                            src,
                        );
                        ok = false;
                    }
                    (_, Err(e)) => {
                        err(id, "tax.paid_on", e.to_string(), src);
                        ok = false;
                    }
                }
            }
            if !ok {
                failed.insert(id.to_string());
                continue;
            }
            match find(id) {
                Found::Worker(wi) => settings[wi] = Some((s, i)),
                Found::NotEmployed => {
                    passing.entry(id.to_string()).or_insert(None);
                }
                Found::Refused => {}
                Found::Unknown => {
                    err(
                        id,
                        "worker_id",
                        format!("no worker {id:?} in the roster"),
                        src,
                    );
                    failed.insert(id.to_string());
                }
            }
        }
        let mut seen_ytd: std::collections::HashMap<&str, usize> = Default::default();
        for (i, r) in ytd.iter().enumerate() {
            let src = (Source::Ytd, i);
            let id = r.worker_id.as_str();
            if let Some(first) = seen_ytd.insert(id, i) {
                err(
                    id,
                    "ytd",
                    format!("given twice (also ytd[{first}]); keep one state per worker"),
                    src,
                );
                failed.insert(id.to_string());
                continue;
            }
            let found = find(id);
            // The year the state must belong to.
            let paid_on = match found {
                Found::Worker(wi) => settings[wi].and_then(|(s, _)| s.paid_on),
                _ => None,
            };
            let (year, max_months, before) = match period {
                TaxPeriod::Month(m) => (m.year(), m.month() - 1, format!("before {m}")),
                TaxPeriod::Year(y) => {
                    let d = paid_on.unwrap_or(y.last_day());
                    (d.year(), 12, format!("by {d}"))
                }
            };
            match read_ytd(r, year, max_months as u8, &before) {
                Ok(y) => match found {
                    Found::Worker(wi) => states[wi] = Some((y, i)),
                    Found::NotEmployed => {
                        passing.insert(id.to_string(), Some(y));
                    }
                    Found::Refused => {}
                    Found::Unknown => {
                        err(
                            id,
                            "worker_id",
                            format!("no worker {id:?} in the roster"),
                            src,
                        );
                        failed.insert(id.to_string());
                    }
                },
                Err(list) => {
                    for (f, m) in list {
                        err(id, &f, m, src);
                    }
                    failed.insert(id.to_string());
                }
            }
        }
        for wi in 0..n {
            if settings[wi].is_none() && states[wi].is_none() {
                continue;
            }
            let s = settings[wi].map(|(s, _)| s).unwrap_or_default();
            let year = match period {
                TaxPeriod::Month(m) => m.year(),
                TaxPeriod::Year(y) => s.paid_on.unwrap_or(y.last_day()).year(),
            };
            let y = states[wi].map_or(Ytd::start(year), |(y, _)| y);
            out.workers[wi] = Some(Input {
                settings: s,
                ytd: y,
            });
        }
        let year = match period {
            TaxPeriod::Month(m) => m.year(),
            TaxPeriod::Year(y) => y.get(),
        };
        out.passed = passing
            .into_iter()
            .filter(|(id, _)| !failed.contains(id))
            .map(|(id, y)| (id, y.unwrap_or(Ytd::start(year))))
            .collect();
        (out, problems)
    }
}

/// Reads a `ytd` record for a run needing the state of `year` with at most
/// `max_months` months (`before` says when, for messages).
fn read_ytd(
    r: &YtdRecord,
    year: i32,
    max_months: u8,
    before: &str,
) -> Result<Ytd, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let y = match r.year.0.parse::<i32>() {
        Ok(y) if y == year => Some(y),
        Ok(y) => {
            problems.push((
                "ytd.year".to_string(),
                format!(
                    "state of tax year {y} given to a run in tax year {year}; the cumulative method restarts each January: leave the state out to start {year} from zero, or pass the state out of the previous {year} run"
                ),
            ));
            None
        }
        Err(_) => {
            problems.push((
                "ytd.year".to_string(),
                format!(
                    "{:?} is not a year; expected a year such as {year}",
                    r.year.0
                ),
            ));
            None
        }
    };
    let months_text = if r.months.0.is_empty() {
        "0"
    } else {
        r.months.0.as_str()
    };
    let months = match months_text.parse::<u8>() {
        Ok(m) if m > 12 => {
            problems.push((
                "ytd.months".to_string(),
                format!("{m} months employed is more than the 12 months of a year"),
            ));
            None
        }
        Ok(m) if m > max_months => {
            problems.push((
                "ytd.months".to_string(),
                format!(
                    "{m} months employed, but at most {max_months} month(s) of {year} come {before}; pass the state out of the previous run, not this one's"
                ),
            ));
            None
        }
        Ok(m) => Some(m),
        Err(_) => {
            problems.push((
                "ytd.months".to_string(),
                format!(
                    "{months_text:?} is not a number of months; expected a whole number 0 to 12"
                ),
            ));
            None
        }
    };
    let mut amt = |name: &str, v: &Option<String>| -> Option<Decimal> {
        match v.as_deref() {
            None => Some(zero()),
            Some(t) => match amount_field(t) {
                Ok(d) => Some(d),
                Err(m) => {
                    problems.push((format!("ytd.{name}"), m));
                    None
                }
            },
        }
    };
    let income = amt("income", &r.income);
    let exempt = amt("exempt_income", &r.exempt_income);
    let contributions = amt("contributions", &r.contributions);
    let additional = amt("additional_deductions", &r.additional_deductions);
    let other = amt("other_deductions", &r.other_deductions);
    let withheld = amt("tax_withheld", &r.tax_withheld);
    let sep = amt("separate_bonus", &r.separate_bonus);
    let sep_tax = amt("separate_bonus_tax", &r.separate_bonus_tax);
    if let (Some(i), Some(e)) = (income, exempt)
        && e > i
    {
        problems.push((
            "ytd.exempt_income".to_string(),
            format!(
                "{} is more than the income {}; exempt income is part of income",
                a(e),
                a(i)
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Invariant: every field is Some when no problem was recorded.
    match (
        y,
        months,
        income,
        exempt,
        contributions,
        additional,
        other,
        withheld,
        sep,
        sep_tax,
    ) {
        (
            Some(year),
            Some(months),
            Some(income),
            Some(exempt_income),
            Some(contributions),
            Some(additional_deductions),
            Some(other_deductions),
            Some(tax_withheld),
            Some(separate_bonus),
            Some(separate_bonus_tax),
        ) => Ok(Ytd {
            year,
            months,
            income,
            exempt_income,
            contributions,
            additional_deductions,
            other_deductions,
            tax_withheld,
            separate_bonus,
            separate_bonus_tax,
        }),
        _ => Err(vec![("ytd".into(), "invalid state".into())]),
    }
}

/// The gross-to-net part of a run: per-payslip figures and the states out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTax {
    /// Whether the request had tax inputs (then the response carries `ytd`).
    pub active: bool,
    /// Per worker index: the payslip's gross-to-net figures.
    pub slips: Vec<Option<TaxSlip>>,
    /// States out, sorted by worker id: paid workers' new states and the
    /// unchanged states of roster workers not employed in the period.
    pub ytd: Vec<(String, Ytd)>,
}

impl RunTax {
    /// Starts the gross-to-net part of a run from its validated inputs.
    pub fn new(inputs: &Inputs) -> RunTax {
        RunTax {
            active: inputs.active,
            // Empty unless the request had tax inputs (`inputs.workers` is
            // empty then), so plain runs keep nothing per worker.
            slips: vec![None; inputs.workers.len()],
            ytd: inputs.passed.clone(),
        }
    }

    /// Adds the net-pay lines to a payslip of worker `wi`, if the worker has
    /// a tax input and the policy has tax rules.
    pub fn apply(
        &mut self,
        policy: &Policy,
        inputs: &Inputs,
        period: TaxPeriod,
        slip: &mut Payslip,
    ) {
        let wi = slip.worker;
        let (Some(rules), Some(Some(input))) = (policy.tax.as_ref(), inputs.workers.get(wi)) else {
            return;
        };
        let t = match period {
            TaxPeriod::Month(_) => month_lines(rules, input, slip),
            TaxPeriod::Year(y) => {
                let paid_on = input.settings.paid_on.unwrap_or(y.last_day());
                bonus_lines(rules, input, slip, paid_on)
            }
        };
        if let Some(s) = self.slips.get_mut(wi) {
            *s = Some(t);
        }
    }

    /// Collects the states out, sorted by worker id; `id` names a worker index.
    pub fn finish<'a>(&mut self, id: impl Fn(usize) -> &'a str) {
        for (wi, s) in self.slips.iter().enumerate() {
            if let Some(s) = s {
                self.ytd.push((id(wi).to_string(), *s.ytd_out()));
            }
        }
        self.ytd.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

/// Serialises the response's `ytd` list.
pub struct YtdDoc<'a>(pub &'a [(String, Ytd)]);

impl Serialize for YtdDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(id, y)| YtdRecord::from_ytd(id, y)))
    }
}

/// Serialises the annual-bonus choice on a payslip.
pub struct BonusDoc<'a>(pub &'a BonusChoice);

impl Serialize for BonusDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct CliffDoc {
            edge: Amount,
            net_at_edge: Amount,
            net_here: Amount,
            loss: Amount,
            range_end: Amount,
        }
        let b = self.0;
        let mut st = s.serialize_struct("BonusTax", 9)?;
        st.serialize_field("bonus", &a(b.bonus))?;
        st.serialize_field("paid_on", &b.paid_on.to_string())?;
        st.serialize_field("separate", &b.separate.map(|(_, t)| a(t)))?;
        let why_not = b.no_separate.map(|n| match n {
            NoSeparate::Ended(d) => format!("separate taxation ended {d}"),
            NoSeparate::UsedThisYear => "a bonus was already taxed separately this year".into(),
        });
        st.serialize_field("separate_unavailable", &why_not)?;
        st.serialize_field("merged", &a(b.merged))?;
        st.serialize_field("separate_total", &b.separate_total.map(a))?;
        st.serialize_field("merged_total", &a(b.merged_total))?;
        st.serialize_field("chosen", b.chosen.code())?;
        st.serialize_field("saving", &a(b.saving()))?;
        st.serialize_field(
            "cliff",
            &b.cliff.map(|c| CliffDoc {
                edge: a(c.edge),
                net_at_edge: a(c.net_at_edge),
                net_here: a(c.net_here),
                loss: a(c.loss),
                range_end: a(c.range_end),
            }),
        )?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn rules() -> TaxRules {
        let set = PolicySet::builtin();
        let p = set.version_on(parse_date("2026-01-01").unwrap()).unwrap();
        p.tax.clone().unwrap()
    }

    #[test]
    fn official_worked_example_through_december() {
        let r = rules();
        let m = MonthFigures {
            income: d("30000"),
            contributions: d("4500"),
            additional_deductions: d("2000"),
            ..Default::default()
        };
        let mut y = Ytd::start(2026);
        let mut got = Vec::new();
        for _ in 0..12 {
            let w = withhold(&r, &y, &m);
            got.push(w.tax.to_string());
            y = w.ytd;
        }
        // By hand: cumulative taxable 18500 × month number.
        //  Jan 18500×3% = 555;  Feb 37000×10%−2520 = 1180 → 625;
        //  Mar 55500 → 3030 → 1850; Apr 74000 → 4880 → 1850; May 92500 → 6730 → 1850;
        //  Jun 111000 → 8580 → 1850; Jul 129500 → 10430 → 1850;
        //  Aug 148000×20%−16920 = 12680 → 2250; Sep 166500 → 16380 → 3700;
        //  Oct 185000 → 20080 → 3700; Nov 203500 → 23780 → 3700; Dec 222000 → 27480 → 3700.
        assert_eq!(
            got,
            [
                "555.00", "625.00", "1850.00", "1850.00", "1850.00", "1850.00", "1850.00",
                "2250.00", "3700.00", "3700.00", "3700.00", "3700.00"
            ]
        );
        assert_eq!(y.tax_withheld, d("27480"));
        assert_eq!(y.months, 12);
        assert_eq!(y.taxable(&r), d("222000"));
        assert_eq!(r.annual.tax(d("222000"), Decimal::ONE).1, d("27480"));
    }

    #[test]
    fn no_refund_mid_year() {
        let r = rules();
        let high = MonthFigures {
            income: d("20000"),
            ..Default::default()
        };
        let w1 = withhold(&r, &Ytd::start(2026), &high);
        // 20000 − 5000 = 15000 × 3% = 450
        assert_eq!(w1.tax, d("450"));
        let w2 = withhold(&r, &w1.ytd, &MonthFigures::default());
        // cumulative 20000 − 10000 = 10000 → 300 < 450 withheld: nothing, no refund
        assert_eq!(w2.cumulative_tax, d("300"));
        assert_eq!(w2.tax.to_string(), "0.00");
        assert_eq!(w2.ytd.tax_withheld, d("450"));
    }

    #[test]
    fn separate_bonus_table_at_and_around_each_edge() {
        let t = &rules().bonus_monthly;
        // (bonus, tax) by hand: rate and quick deduction of the bracket of bonus ÷ 12.
        for (bonus, tax) in [
            ("0.00", "0.00"),
            ("36000.00", "1080.00"),    // 3000 a month, 3%
            ("36000.01", "3390.00"),    // 10% − 210: 3600.001 − 210 = 3390.001
            ("144000.00", "14190.00"),  // 10%
            ("144000.01", "27390.00"),  // 20% − 1410: 28800.002 − 1410
            ("300000.00", "58590.00"),  // 20%
            ("300000.01", "72340.00"),  // 25% − 2660: 75000.0025 − 2660
            ("420000.00", "102340.00"), // 25%
            ("420000.01", "121590.00"), // 30% − 4410
            ("660000.00", "193590.00"), // 30%
            ("660000.01", "223840.00"), // 35% − 7160: 231000.0035 − 7160
            ("960000.00", "328840.00"), // 35%
            ("960000.01", "416840.00"), // 45% − 15160: 432000.0045 − 15160
            ("35999.99", "1080.00"),    // 1079.9997
        ] {
            assert_eq!(separate_tax(t, d(bonus)).1, d(tax), "bonus {bonus}");
        }
    }

    #[test]
    fn cliffs_are_flagged_with_their_cost() {
        let t = &rules().bonus_monthly;
        // 36000 leaves 34920; 36000.01 leaves 32610.01: 2309.99 less.
        let c = cliff(t, d("36000.01")).unwrap();
        assert_eq!(c.edge, d("36000"));
        assert_eq!(c.net_at_edge, d("34920"));
        assert_eq!(c.loss, d("2309.99"));
        // 36000(1 − 3%) = 34920 = x(1 − 10%) + 210 → x = 38566.67
        assert_eq!(c.range_end, d("38566.67"));
        assert!(cliff(t, d("36000")).is_none());
        // 38566.66 leaves 38566.66 − 3646.67 = 34919.99: still a fen short;
        // 38566.67 leaves 38566.67 − 3646.67 = 34920.00: out of the cliff.
        assert_eq!(cliff(t, d("38566.66")).unwrap().loss, d("0.01"));
        assert!(cliff(t, d("38566.67")).is_none());
        // 144000 leaves 129810; 160500 × 80% + 1410 = 129810: the range ends at 160500.
        let c = cliff(t, d("150000")).unwrap();
        assert_eq!((c.edge, c.loss), (d("144000"), d("129810") - d("121410")));
        assert_eq!(c.range_end, d("160500"));
        assert!(cliff(t, d("160500.01")).is_none());
        assert!(cliff(t, d("2400")).is_none());
    }

    #[test]
    fn bonus_merged_or_separate_with_a_year_of_wages() {
        let r = rules();
        // A year of 10000 a month, contributions 2000, no other deductions:
        // taxable 12 × (10000 − 5000 − 2000) = 36000 → 1080 withheld.
        let mut y = Ytd::start(2026);
        let m = MonthFigures {
            income: d("10000"),
            contributions: d("2000"),
            ..Default::default()
        };
        for _ in 0..12 {
            y = withhold(&r, &y, &m).ytd;
        }
        assert_eq!(y.tax_withheld, d("1080"));
        let paid = parse_date("2026-12-31").unwrap();
        // Bonus 24000: separate 24000 × 3% = 720 (2000 a month);
        // merged 60000 × 10% − 2520 = 3480 → 2400 more. Separate wins by 1680.
        let b = bonus_choice(&r, &y, d("24000"), paid);
        assert_eq!(b.separate, Some((0, d("720"))));
        assert_eq!(b.merged, d("2400"));
        assert_eq!(b.chosen, Method::Separate);
        assert_eq!(b.tax, d("720"));
        assert_eq!(b.saving(), d("1680"));
        assert_eq!(b.ytd.separate_bonus, d("24000"));
        assert_eq!(b.ytd.income, y.income);
        // A second bonus the same year must be merged.
        let again = bonus_choice(&r, &b.ytd, d("1000"), paid);
        assert_eq!(again.no_separate, Some(NoSeparate::UsedThisYear));
        assert_eq!(again.chosen, Method::Merged);
        // 37000 × 10% − 2520 = 1180 − 1080 = 100
        assert_eq!(again.tax, d("100"));

        // A low earner: 4400 a month, contributions 990: taxable negative.
        let mut low = Ytd::start(2026);
        for _ in 0..12 {
            low = withhold(
                &r,
                &low,
                &MonthFigures {
                    income: d("4400"),
                    contributions: d("990"),
                    ..Default::default()
                },
            )
            .ytd;
        }
        assert_eq!(low.taxable(&r), d("-19080")); // 12 × (4400 − 5000 − 990)
        let b = bonus_choice(&r, &low, d("2400"), paid);
        // separate 72, merged 0: merging uses the unused deductions.
        assert_eq!(b.separate, Some((0, d("72"))));
        assert_eq!(b.chosen, Method::Merged);
        assert_eq!(b.tax.to_string(), "0.00");
        assert_eq!(b.saving(), d("72"));
    }

    #[test]
    fn bonus_paid_after_the_end_date_is_merged() {
        let r = rules();
        let y = Ytd::start(2028);
        let b = bonus_choice(&r, &y, d("24000"), parse_date("2028-01-15").unwrap());
        assert_eq!(
            b.no_separate,
            Some(NoSeparate::Ended(parse_date("2027-12-31").unwrap()))
        );
        assert_eq!(b.separate, None);
        assert_eq!(b.chosen, Method::Merged);
        // 24000 × 3% with no months of deductions yet
        assert_eq!(b.tax, d("720"));
        let last_day = bonus_choice(
            &r,
            &Ytd::start(2027),
            d("24000"),
            parse_date("2027-12-31").unwrap(),
        );
        assert!(last_day.separate.is_some());
    }

    #[test]
    fn contributions_from_a_clamped_base() {
        let r = rules();
        let c = &r.contributions;
        let b = contribution_base(c, None, d("4400"));
        assert_eq!(b.clamp, Clamp::None);
        // 4400 × 8%, 2%, 0.5%, 12%
        assert_eq!(
            contributions(c, b.used, c.housing_fund_default),
            [d("352"), d("88"), d("22"), d("528")]
        );
        let low = contribution_base(c, None, d("100"));
        assert_eq!((low.clamp, low.used), (Clamp::Lower, c.base.0));
        let high = contribution_base(c, Some(d("99999")), d("100"));
        assert_eq!((high.clamp, high.used), (Clamp::Upper, c.base.1));
        // half away from zero: 3333.33 × 0.5% = 16.66665 → 16.67
        assert_eq!(contributions(c, d("4444.44"), d("0.05"))[2], d("22.22"));
        assert_eq!(contributions(c, d("3333.33"), d("0.05"))[2], d("16.67"));
    }

    #[test]
    fn tables_must_continue() {
        let mut b = rules().annual.brackets().to_vec();
        b[1].quick_deduction = d("2500");
        let e = Table::new(b).unwrap_err();
        assert_eq!(e[0].0, 1);
        assert!(e[0].2.contains("expected 2520.00"), "{}", e[0].2);
        assert!(Table::new(vec![]).is_err());
    }
}
