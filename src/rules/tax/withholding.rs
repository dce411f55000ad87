//! Contributions and cumulative withholding: a worker's year-to-date state,
//! one month's tax on the cumulative income, and the contribution base and
//! amounts.

use super::*;
use crate::money::round_fen;

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
