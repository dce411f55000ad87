//! Months of gross to net in integer fen, for callers that chain many
//! months and need the amounts, not their explanation: a year's simulation
//! for a district, a bulk run asked for no explanations.
//!
//! [`Bulk`] reads a policy version's tax rules once into integer form
//! (rates as mantissa and power of ten, amounts as fen); [`YtdFen`] is a
//! year-to-date state in fen; [`Bulk::month`] is one month of
//! [`month_lines`]: the same contributions, tax and net (a property test
//! checks a year of months against it), in integer arithmetic with no
//! `Decimal` and no explanation record. Convert at the edges with
//! [`YtdFen::from_ytd`] and [`YtdFen::to_ytd`] (whose amounts have two
//! decimals) and [`crate::money::fen_amount`].
//!
//! ```
//! use payrules::money::fen_amount;
//! use payrules::policy::PolicySet;
//! use payrules::tax::{Bulk, Settings, Ytd, YtdFen};
//!
//! let set = PolicySet::builtin();
//! let bulk = Bulk::new(set.versions()[0].tax().unwrap()).unwrap();
//! let settings = bulk.settings(&Settings::default()).unwrap();
//! let mut ytd = YtdFen::from_ytd(&Ytd::start(2026)).unwrap();
//! let mut withheld = Vec::new();
//! for _ in 0..12 {
//!     // 8800.00 a month: contributions 8% + 2% + 0.5% + 12% = 1980.00.
//!     let m = bulk.month(&settings, &mut ytd, 880_000, 0);
//!     withheld.push(m.income_tax);
//! }
//! // January: (8800 − 5000 − 1980) × 3% = 54.60.
//! assert_eq!(withheld[0], 5_460);
//! let year: i64 = withheld.iter().sum();
//! assert_eq!(ytd.to_ytd().tax_withheld, fen_amount(year)); // 655.20
//! assert_eq!(fen_amount(year).to_string(), "655.20");
//! ```

// Only the benches and tests call it so far (the tax-year bench is its
// yardstick); no face runs a tax year in bulk yet.
#![cfg_attr(not(feature = "internals"), allow(dead_code))]

use super::fen::{amount, div_round as div_round_128, div_round_64 as div_round, of_up_to_2};
use super::*;

/// A rate as `mantissa / power` (`0.08` is `8 / 100`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rate {
    m: i64,
    p: i64,
}

impl Rate {
    fn of(r: Decimal) -> Option<Rate> {
        let s = r.scale();
        let m = i64::try_from(r.mantissa()).ok()?;
        (s <= 6 && (0..1 << 20).contains(&m)).then(|| Rate { m, p: 10i64.pow(s) })
    }
    /// `round(fen × rate)`, half away from zero.
    #[inline]
    fn times(self, fen: i64) -> i64 {
        div_round(fen * self.m, self.p)
    }
}

/// Fen amounts a month may reach in this module: below 2^31 fen (21
/// million yuan), every product with a rate fits an `i64`.
const MAX_FEN: i64 = 1 << 31;

/// A version's tax rules in integer form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bulk {
    basic: i64,
    base: (i64, i64),
    rates: [Rate; 3],
    housing_fund_default: Rate,
    /// `(up_to, rate, quick deduction)`; `up_to` `i64::MAX` for the last.
    annual: Vec<(i64, Rate, i64)>,
}

/// A worker's tax settings in integer form ([`Bulk::settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsFen {
    base: Option<i64>,
    housing_fund: Rate,
    additional: i64,
    other: i64,
}

/// A year-to-date state in fen: [`Ytd`]'s figures as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YtdFen {
    /// The tax year.
    pub year: i32,
    /// Months employed.
    pub months: u8,
    /// Cumulative income.
    pub income: i64,
    /// Cumulative exempt income.
    pub exempt_income: i64,
    /// Cumulative contributions deducted.
    pub contributions: i64,
    /// Cumulative special additional deductions.
    pub additional_deductions: i64,
    /// Cumulative other deductions.
    pub other_deductions: i64,
    /// Tax withheld on wages.
    pub tax_withheld: i64,
    /// A bonus taxed separately.
    pub separate_bonus: i64,
    /// Tax on it.
    pub separate_bonus_tax: i64,
    /// Tax due but not withheld.
    pub tax_unwithheld: i64,
}

impl YtdFen {
    /// The state in fen, when every amount has at most two decimals and is
    /// below 2^31 fen.
    #[must_use]
    pub fn from_ytd(y: &Ytd) -> Option<YtdFen> {
        let f = |d: Decimal| of_up_to_2(d).filter(|x| x.abs() < MAX_FEN);
        Some(YtdFen {
            year: y.year,
            months: y.months,
            income: f(y.income)?,
            exempt_income: f(y.exempt_income)?,
            contributions: f(y.contributions)?,
            additional_deductions: f(y.additional_deductions)?,
            other_deductions: f(y.other_deductions)?,
            tax_withheld: f(y.tax_withheld)?,
            separate_bonus: f(y.separate_bonus)?,
            separate_bonus_tax: f(y.separate_bonus_tax)?,
            tax_unwithheld: f(y.tax_unwithheld)?,
        })
    }

    /// The state as [`Ytd`], every amount with two decimals (`through` not known).
    #[must_use]
    pub fn to_ytd(self) -> Ytd {
        Ytd {
            year: self.year,
            months: self.months,
            income: amount(self.income),
            exempt_income: amount(self.exempt_income),
            contributions: amount(self.contributions),
            additional_deductions: amount(self.additional_deductions),
            other_deductions: amount(self.other_deductions),
            tax_withheld: amount(self.tax_withheld),
            separate_bonus: amount(self.separate_bonus),
            separate_bonus_tax: amount(self.separate_bonus_tax),
            tax_unwithheld: amount(self.tax_unwithheld),
            through: None,
        }
    }
}

/// One month's net-pay amounts in fen: the lines [`month_lines`] adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFen {
    /// Pension, medical, unemployment, housing fund deducted.
    pub contributions: [i64; 4],
    /// Income tax withheld.
    pub income_tax: i64,
    /// Net pay.
    pub net: i64,
}

impl Bulk {
    /// The rules in integer form, when every amount has at most two
    /// decimals and is below 2^31 fen, and every rate has at most six
    /// decimals.
    #[must_use]
    pub fn new(rules: &TaxRules) -> Option<Bulk> {
        let c = &rules.contributions;
        let fen = |d: Decimal| of_up_to_2(d).filter(|x| x.abs() < MAX_FEN);
        let mut annual = Vec::new();
        for b in rules.annual.brackets() {
            let up_to = match b.up_to {
                Some(u) => fen(u)?,
                None => i64::MAX,
            };
            annual.push((up_to, Rate::of(b.rate)?, fen(b.quick_deduction)?));
        }
        Some(Bulk {
            basic: fen(rules.basic_deduction)?,
            base: (fen(c.base.0)?, fen(c.base.1)?),
            rates: [
                Rate::of(c.pension)?,
                Rate::of(c.medical)?,
                Rate::of(c.unemployment)?,
            ],
            housing_fund_default: Rate::of(c.housing_fund_default)?,
            annual,
        })
    }

    /// A worker's settings in integer form.
    #[must_use]
    pub fn settings(&self, s: &Settings) -> Option<SettingsFen> {
        let fen = |d: Decimal| of_up_to_2(d).filter(|x| x.abs() < MAX_FEN);
        Some(SettingsFen {
            base: match s.contribution_base {
                Some(b) => Some(fen(b)?),
                None => None,
            },
            housing_fund: match s.housing_fund_rate {
                Some(r) => Rate::of(r)?,
                None => self.housing_fund_default,
            },
            additional: fen(s.additional_deductions)?,
            other: fen(s.other_deductions)?,
        })
    }

    /// One month of [`month_lines`] for a gross of `gross` fen, of which
    /// `exempt` exempt: updates `ytd` and returns the lines' amounts.
    /// Amounts must stay below 2^31 fen a month (checked by
    /// [`Bulk::settings`] and [`YtdFen::from_ytd`] for the inputs; the
    /// gross is the caller's).
    #[inline]
    #[must_use]
    pub fn month(&self, s: &SettingsFen, ytd: &mut YtdFen, gross: i64, exempt: i64) -> MonthFen {
        let used = s
            .base
            .unwrap_or(gross)
            .clamp(self.base.0, self.base.1.max(self.base.0));
        let due = [
            self.rates[0].times(used),
            self.rates[1].times(used),
            self.rates[2].times(used),
            s.housing_fund.times(used),
        ];
        let mut left = gross.max(0);
        let taken = due.map(|d| {
            let t = d.min(left);
            left -= t;
            t
        });
        let total: i64 = taken.iter().sum();
        ytd.months = ytd.months.saturating_add(1);
        ytd.income += gross;
        ytd.exempt_income += exempt;
        ytd.contributions += total;
        ytd.additional_deductions += s.additional;
        ytd.other_deductions += s.other;
        let taxable = ytd.income
            - ytd.exempt_income
            - self.basic * i64::from(ytd.months)
            - ytd.contributions
            - ytd.additional_deductions
            - ytd.other_deductions;
        let cumulative = self.annual_tax(taxable);
        let due_tax = (cumulative - ytd.tax_withheld).max(0);
        let tax = if left < due_tax { left } else { due_tax };
        ytd.tax_withheld += tax;
        ytd.tax_unwithheld = due_tax - tax;
        MonthFen {
            contributions: taken,
            income_tax: tax,
            net: gross - total - tax,
        }
    }

    /// The annual table's tax on a cumulative taxable income, never below 0.
    #[inline]
    fn annual_tax(&self, taxable: i64) -> i64 {
        if taxable <= 0 {
            return 0;
        }
        for &(up_to, rate, quick) in &self.annual {
            if taxable <= up_to {
                // Below 2^40 fen, × a rate's mantissa (below 2^20) fits an i64.
                let tax = if taxable < 1 << 40 {
                    div_round(taxable * rate.m - quick * rate.p, rate.p)
                } else {
                    let n = i128::from(taxable) * i128::from(rate.m)
                        - i128::from(quick) * i128::from(rate.p);
                    div_round_128(n, i128::from(rate.p)) as i64
                };
                return tax.max(0);
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;
    use crate::rules::slip::{Line, LineCode, Payslip, Why};
    use proptest::prelude::*;

    proptest! {
        /// A year of months in fen gives [`month_lines`]' lines month by
        /// month and its state at the end: pays too small for the
        /// contributions or the tax, bases beyond the bounds, exempt income.
        #[test]
        fn a_year_in_fen_is_a_year_of_month_lines(
            grosses in prop::collection::vec(0i64..6_000_000, 12),
            exempt in prop::collection::vec(prop_oneof![3 => Just(0i64), 1 => 0i64..1_000_000], 12),
            base in prop::option::of(0i64..5_000_000),
            hf in prop::option::of(5i64..13),
            additional in 0i64..500_000,
        ) {
            let set = PolicySet::builtin();
            let rules = set.versions[0].tax.as_ref().unwrap();
            let bulk = Bulk::new(rules).unwrap();
            let settings = Settings {
                contribution_base: base.map(|b| Decimal::new(b, 2)),
                housing_fund_rate: hf.map(|r| Decimal::new(r, 2)),
                additional_deductions: Decimal::new(additional, 2),
                ..Settings::default()
            };
            let sf = bulk.settings(&settings).unwrap();
            let mut ytd = Ytd::start(2026);
            let mut yf = YtdFen::from_ytd(&ytd).unwrap();
            for (g, e) in grosses.iter().zip(&exempt) {
                let gross = Decimal::new(*g, 2);
                // Exempt income is an honour line of an exempt level.
                let mut lines = vec![Line { code: LineCode::BasePay, amount: Decimal::new(g - e.min(g), 2), why: Why::Tax }];
                if *e > 0 && e <= g {
                    let level = rules.exempt_honours[0];
                    lines.push(Line { code: LineCode::HonourAward, amount: Decimal::new(*e, 2), why: Why::Honour { level, index: 0, superseded: 0, prior: None } });
                }
                let exempt_fen = if *e > 0 && e <= g { *e } else { 0 };
                let mut slip = Payslip { worker: 0, lines, gross };
                let t = month_lines(rules, &Input { settings, ytd }, &mut slip);
                ytd = *t.ytd_out();
                let m = bulk.month(&sf, &mut yf, *g, exempt_fen);
                let Detail::Month { contributions, .. } = t.detail else { unreachable!() };
                prop_assert_eq!(m.contributions.map(amount), contributions);
                prop_assert_eq!(amount(m.income_tax), t.income_tax);
                prop_assert_eq!(amount(m.net), t.net);
            }
            prop_assert_eq!(yf.to_ytd(), Ytd { through: None, ..ytd });
        }
    }
}
