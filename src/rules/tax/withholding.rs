//! Contributions and cumulative withholding: a worker's year-to-date state,
//! one month's tax on the cumulative income, and the contribution base and
//! amounts.

use super::*;
use crate::money::round_fen;
use crate::period::YearMonth;

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
    /// Tax due but not withheld because the pay did not allow it: part of
    /// the cumulative tax still owed. It is not added to anything: the next
    /// month's due (cumulative tax − `tax_withheld`) already includes it, and
    /// each month sets it afresh to what that month could not withhold.
    pub tax_unwithheld: Decimal,
    /// The last month whose wages the state includes (`None`: not known,
    /// such as a state written by hand or before `through` existed). A
    /// monthly run sets it to its month; [`withhold`] leaves it as it was.
    pub through: Option<YearMonth>,
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
            tax_unwithheld: zero(),
            through: None,
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
    /// Of it, tax left unwithheld by earlier months (the state's
    /// `tax_unwithheld`), which `due` includes.
    pub carried_in: Decimal,
    /// This month's tax due: cumulative tax − withheld before, never below 0.
    pub due: Decimal,
    /// This month's tax withheld: `due`, or what the pay allows when less.
    pub tax: Decimal,
    /// `due − tax`: left unwithheld, carried in the state's `tax_unwithheld`.
    pub unwithheld: Decimal,
}

/// Withholds one month by the cumulative method: all the tax due.
#[cfg(any(test, feature = "internals"))]
pub fn withhold(rules: &TaxRules, ytd: &Ytd, m: &MonthFigures) -> Withholding {
    withhold_within(rules, ytd, m, None)
}

/// Withholds one month by the cumulative method, at most `allowed` (what
/// the month's pay leaves after contributions) when given: the rest of the
/// tax due is left unwithheld and carried in the state's `tax_unwithheld`.
/// The next month's due includes it (cumulative tax − tax withheld), so it
/// is withheld as soon as the pay allows and never counted twice.
///
/// ```
/// use payrules::policy::PolicySet;
/// use payrules::period::parse_date;
/// use payrules::tax::{withhold_within, MonthFigures, Ytd};
///
/// let set = PolicySet::builtin();
/// let rules = set.version_on(parse_date("2026-01-01").unwrap()).unwrap().tax().unwrap();
/// // 100000 of income over 3 months with nothing withheld: taxable
/// // 100000 − 15000 = 85000 → 85000 × 10% − 2520 = 5980 due in March.
/// let ytd = Ytd { months: 2, income: "96000.00".parse().unwrap(), ..Ytd::start(2026) };
/// let march = MonthFigures { income: "4000.00".parse().unwrap(), ..MonthFigures::default() };
/// let w = withhold_within(rules, &ytd, &march, Some("4000.00".parse().unwrap()));
/// assert_eq!((w.due.to_string(), w.tax.to_string()), ("5980.00".into(), "4000.00".into()));
/// assert_eq!(w.ytd.tax_unwithheld.to_string(), "1980.00");
/// assert_eq!(w.ytd.tax_withheld.to_string(), "4000.00");
/// ```
pub fn withhold_within(
    rules: &TaxRules,
    ytd: &Ytd,
    m: &MonthFigures,
    allowed: Option<Decimal>,
) -> Withholding {
    if let Some(w) = withhold_fen(rules, ytd, m, allowed) {
        return w;
    }
    withhold_decimal(rules, ytd, m, allowed)
}

/// [`withhold_within`] in `Decimal`: any scale.
fn withhold_decimal(
    rules: &TaxRules,
    ytd: &Ytd,
    m: &MonthFigures,
    allowed: Option<Decimal>,
) -> Withholding {
    let mut out = *ytd;
    out.months = ytd.months.saturating_add(1);
    out.income += m.income;
    out.exempt_income += m.exempt;
    out.contributions += m.contributions;
    out.additional_deductions += m.additional_deductions;
    out.other_deductions += m.other_deductions;
    let taxable = out.taxable(rules);
    let (bracket, cumulative_tax) = rules.annual.tax(taxable, Decimal::ONE);
    let due = non_negative(cumulative_tax - ytd.tax_withheld);
    let tax = match allowed {
        // `allowed` is an amount of fen (pay less deductions): rounding only
        // gives it the two decimals every line has.
        Some(a) if a < due => non_negative(round_fen(a)),
        _ => due,
    };
    let unwithheld = due - tax;
    out.tax_withheld += tax;
    out.tax_unwithheld = unwithheld;
    Withholding {
        ytd: out,
        taxable,
        bracket,
        cumulative_tax,
        withheld_before: ytd.tax_withheld,
        carried_in: ytd.tax_unwithheld,
        due,
        tax,
        unwithheld,
    }
}

/// [`withhold_within`] in integer fen ([`super::fen`]), when every amount
/// read has two decimals or is zero (as every amount a run computes) and
/// the basic deduction has two decimals; `None` otherwise. The same values,
/// scales and signs as [`withhold_decimal`] (its sums with a zero keep the
/// other operand as it is: [`super::fen::add`]).
#[inline]
fn withhold_fen(
    rules: &TaxRules,
    ytd: &Ytd,
    m: &MonthFigures,
    allowed: Option<Decimal>,
) -> Option<Withholding> {
    use super::fen::{add, amount, of, table_tax};
    // Nonzero with two decimals: then the taxable sum has two decimals
    // whatever the scale of any zero before it.
    let basic =
        of(rules.basic_deduction).filter(|&b| b != 0 && rules.basic_deduction.scale() == 2)?;
    let sum = |a: Decimal, b: Decimal| -> Option<(i64, Decimal)> {
        let (fa, fb) = (of(a)?, of(b)?);
        Some((fa + fb, add(a, fa, b, fb)))
    };
    let (income, income_d) = sum(ytd.income, m.income)?;
    let (exempt, exempt_d) = sum(ytd.exempt_income, m.exempt)?;
    let (contributions, contributions_d) = sum(ytd.contributions, m.contributions)?;
    let (additional, additional_d) = sum(ytd.additional_deductions, m.additional_deductions)?;
    let (other, other_d) = sum(ytd.other_deductions, m.other_deductions)?;
    let withheld_before = of(ytd.tax_withheld)?;
    let months = ytd.months.saturating_add(1);
    let taxable = income - exempt - basic * i64::from(months) - contributions - additional - other;
    let (bracket, cumulative) = table_tax(&rules.annual, taxable)?;
    let due = (cumulative - withheld_before).max(0);
    let tax = match allowed {
        Some(a) => {
            let a = of(a)?;
            if a < due { a.max(0) } else { due }
        }
        None => due,
    };
    let unwithheld = due - tax;
    let tax_d = amount(tax);
    let mut out = *ytd;
    out.months = months;
    out.income = income_d;
    out.exempt_income = exempt_d;
    out.contributions = contributions_d;
    out.additional_deductions = additional_d;
    out.other_deductions = other_d;
    out.tax_withheld = add(ytd.tax_withheld, withheld_before, tax_d, tax);
    out.tax_unwithheld = amount(unwithheld);
    Some(Withholding {
        ytd: out,
        taxable: amount(taxable),
        bracket,
        cumulative_tax: amount(cumulative),
        withheld_before: ytd.tax_withheld,
        carried_in: ytd.tax_unwithheld,
        due: amount(due),
        tax: tax_d,
        unwithheld: amount(unwithheld),
    })
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
    let rates = [c.pension, c.medical, c.unemployment, housing_fund_rate];
    if let Some(fast) = super::fen::contributions(base, rates) {
        return fast;
    }
    [
        round_fen(base * c.pension),
        round_fen(base * c.medical),
        round_fen(base * c.unemployment),
        round_fen(base * housing_fund_rate),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;
    use proptest::prelude::*;

    /// Two-decimal amounts, and zeros of both scales a run meets.
    fn fen(max: i64) -> impl Strategy<Value = Decimal> {
        prop_oneof![
            1 => Just(Decimal::ZERO),
            1 => Just(Decimal::new(0, 2)),
            8 => (-max..max).prop_map(|f| Decimal::new(f, 2)),
        ]
    }

    /// Every field as printed: value, scale and sign.
    fn printed(w: &Withholding) -> String {
        format!("{w:?}")
    }

    proptest! {
        /// The integer-fen path gives exactly the `Decimal` path's result
        /// (values, scales, signs), across brackets and with the pay's limit.
        #[test]
        fn fen_path_is_the_decimal_path(
            months in 0u8..12,
            income in fen(10_000_000_000),
            exempt in fen(100_000_000),
            contributions in fen(1_000_000_000),
            additional in fen(100_000_000),
            withheld in fen(1_000_000_000),
            m_income in fen(1_000_000_000),
            m_exempt in fen(100_000_000),
            m_contributions in fen(100_000_000),
            m_additional in fen(1_000_000),
            allowed in prop::option::of(fen(1_000_000_000)),
        ) {
            let set = PolicySet::builtin();
            let rules = set.versions[0].tax.as_ref().unwrap();
            let ytd = Ytd {
                months,
                income,
                exempt_income: exempt,
                contributions,
                additional_deductions: additional,
                tax_withheld: withheld,
                ..Ytd::start(2026)
            };
            let m = MonthFigures {
                income: m_income,
                exempt: m_exempt,
                contributions: m_contributions,
                additional_deductions: m_additional,
                other_deductions: m_additional,
            };
            let fast = withhold_fen(rules, &ytd, &m, allowed).expect("two-decimal inputs");
            prop_assert_eq!(printed(&fast), printed(&withhold_decimal(rules, &ytd, &m, allowed)));
        }

        #[test]
        fn fen_contributions_are_the_decimal_ones(base in fen(100_000_000), hf in 0i64..13) {
            let set = PolicySet::builtin();
            let c = &set.versions[0].tax.as_ref().unwrap().contributions;
            let rate = Decimal::new(hf, 2);
            let fast = contributions(c, base, rate);
            let slow = [
                round_fen(base * c.pension),
                round_fen(base * c.medical),
                round_fen(base * c.unemployment),
                round_fen(base * rate),
            ];
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }

    #[test]
    fn other_scales_take_the_decimal_path() {
        let set = PolicySet::builtin();
        let rules = set.versions[0].tax.as_ref().unwrap();
        let m = MonthFigures {
            income: "30000".parse().unwrap(),
            ..MonthFigures::default()
        };
        assert!(withhold_fen(rules, &Ytd::start(2026), &m, None).is_none());
        // …and print as the Decimal path prints them: a sum with a zero
        // keeps the other operand's scale there.
        let w = withhold_within(rules, &Ytd::start(2026), &m, None);
        assert_eq!(w.ytd.income.to_string(), "30000");
        assert_eq!(w.tax.to_string(), "750.00"); // (30000 − 5000) × 3%
    }
}
