//! The net-pay lines of a payslip: a worker's tax settings for a run, and the
//! contribution, tax and net lines of a month or of the annual bonus.

use super::*;
use crate::rules::slip::{Line, LineCode, Payslip, Why};
use chrono::NaiveDate;

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
        /// Pension, medical, unemployment, housing fund: `base × rate` each.
        due: [Decimal; 4],
        /// The same, deducted: each as due while the month's pay allows,
        /// taken in this order; what the pay cannot cover is not deducted
        /// (and not carried: see [`TaxSlip::contributions_unpaid`]).
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
    /// Income tax due but not withheld because the pay did not allow it;
    /// carried in the state's `tax_unwithheld` to the next month.
    pub tax_unwithheld: Decimal,
    /// Contributions due but not deducted because the pay did not allow
    /// them. Not carried: the employer collects them outside the payroll.
    pub contributions_unpaid: Decimal,
    /// Sum of the deduction lines.
    pub deductions: Decimal,
    /// `gross − deductions`, never negative.
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

    /// Marks the state carried out as including the wages of `month` (a
    /// monthly run's month).
    pub fn set_through(&mut self, month: crate::period::YearMonth) {
        match &mut self.detail {
            Detail::Month { withholding, .. } => withholding.ytd.through = Some(month),
            Detail::Bonus(b) => b.ytd.through = Some(month),
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
///
/// **Never a negative net.** Deductions are taken while the pay allows, in
/// line order: pension, medical, unemployment and housing fund, each as due
/// or what is left of the gross; then income tax, up to what is left after
/// them. A contribution the pay cannot cover is not deducted, not counted in
/// the year-to-date contributions (only what was deducted is a special
/// deduction), and not carried ([`TaxSlip::contributions_unpaid`]); tax the
/// pay cannot cover is carried in the state's `tax_unwithheld` and withheld
/// by the next month the pay allows ([`withhold_within`]).
pub fn month_lines(rules: &TaxRules, input: &Input, slip: &mut Payslip) -> TaxSlip {
    let exempt = exempt_income(rules, slip);
    let t = month_fen(rules, input, slip.gross, exempt)
        .unwrap_or_else(|| month_decimal(rules, input, slip.gross, exempt));
    if let Detail::Month { contributions, .. } = &t.detail {
        for (code, a) in [
            LineCode::Pension,
            LineCode::Medical,
            LineCode::Unemployment,
            LineCode::HousingFund,
        ]
        .into_iter()
        .zip(*contributions)
        {
            push(slip, code, a);
        }
    }
    push(slip, LineCode::IncomeTax, t.income_tax);
    push(slip, LineCode::Net, t.net);
    t
}

/// [`month_lines`]' figures in `Decimal`: any scale.
fn month_decimal(rules: &TaxRules, input: &Input, gross: Decimal, exempt: Decimal) -> TaxSlip {
    let c = &rules.contributions;
    let s = &input.settings;
    let base = contribution_base(c, s.contribution_base, gross);
    let rate = s.housing_fund_rate.unwrap_or(c.housing_fund_default);
    let due = contributions(c, base.used, rate);
    let mut left = non_negative(gross);
    let amounts = due.map(|d| {
        let taken = d.min(left);
        left -= taken;
        taken
    });
    let total: Decimal = amounts.iter().sum();
    let due_total: Decimal = due.iter().sum();
    let figures = MonthFigures {
        income: gross,
        exempt,
        contributions: total,
        additional_deductions: s.additional_deductions,
        other_deductions: s.other_deductions,
    };
    let w = withhold_within(rules, &input.ytd, &figures, Some(left));
    let deductions = total + w.tax;
    let net = gross - deductions;
    TaxSlip {
        gross,
        detail: Detail::Month {
            base,
            housing_fund_rate: rate,
            rate_given: s.housing_fund_rate.is_some(),
            due,
            contributions: amounts,
            figures,
            withholding: w,
        },
        income_tax: w.tax,
        tax_unwithheld: w.unwithheld,
        contributions_unpaid: due_total - total,
        deductions,
        net,
    }
}

/// [`month_decimal`] in integer fen ([`super::fen`]) when the gross has two
/// decimals and every other amount two or none (zero): the same values,
/// scales and signs; `None` otherwise.
#[inline(always)]
fn month_fen(rules: &TaxRules, input: &Input, gross: Decimal, exempt: Decimal) -> Option<TaxSlip> {
    use super::fen::{amount, of, times};
    if gross.scale() != 2 {
        return None;
    }
    let c = &rules.contributions;
    let s = &input.settings;
    let g = of(gross)?;
    let (source, raw_d) = match s.contribution_base {
        Some(b) => (BaseSource::Given, b),
        None => (BaseSource::Gross, gross),
    };
    let raw = of(raw_d)?;
    let (clamp, used, used_d) = if raw < of(c.base.0)? {
        (Clamp::Lower, of(c.base.0)?, c.base.0)
    } else if raw > of(c.base.1)? {
        (Clamp::Upper, of(c.base.1)?, c.base.1)
    } else {
        (Clamp::None, raw, raw_d)
    };
    let rate = s.housing_fund_rate.unwrap_or(c.housing_fund_default);
    let due = [
        times(used, c.pension)?,
        times(used, c.medical)?,
        times(used, c.unemployment)?,
        times(used, rate)?,
    ];
    let mut left = g.max(0);
    let taken = due.map(|d| {
        let t = d.min(left);
        left -= t;
        t
    });
    let total: i64 = taken.iter().sum();
    let due_total: i64 = due.iter().sum();
    let total_d = amount(total);
    let figures = MonthFigures {
        income: gross,
        exempt,
        contributions: total_d,
        additional_deductions: s.additional_deductions,
        other_deductions: s.other_deductions,
    };
    let w = withhold_within(rules, &input.ytd, &figures, Some(amount(left)));
    let tax = of(w.tax)?;
    let deductions = total + tax;
    Some(TaxSlip {
        gross,
        detail: Detail::Month {
            base: Base {
                source,
                raw: raw_d,
                clamp,
                used: used_d,
            },
            housing_fund_rate: rate,
            rate_given: s.housing_fund_rate.is_some(),
            due: due.map(amount),
            contributions: taken.map(amount),
            figures,
            withholding: w,
        },
        income_tax: w.tax,
        tax_unwithheld: w.unwithheld,
        contributions_unpaid: amount(due_total - total),
        deductions: amount(deductions),
        net: amount(g - deductions),
    })
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
    let mut choice = bonus_choice(rules, &input.ytd, gross, paid_on);
    // Merged, the tax due includes any wage tax carried unwithheld, which
    // may exceed the bonus: withhold what the bonus allows and carry the
    // rest. (Separately taxed, the tax is below the bonus: the tables'
    // rates are below 1 and their quick deductions not negative.)
    let allowed = non_negative(gross);
    let mut unwithheld = zero();
    if choice.chosen == Method::Merged && choice.tax > allowed {
        unwithheld = choice.tax - allowed;
        choice.ytd.tax_withheld -= unwithheld;
        choice.ytd.tax_unwithheld = unwithheld;
    }
    let tax = choice.tax - unwithheld;
    push(slip, LineCode::IncomeTax, tax);
    let net = gross - tax;
    push(slip, LineCode::Net, net);
    TaxSlip {
        gross,
        income_tax: tax,
        tax_unwithheld: unwithheld,
        contributions_unpaid: zero(),
        deductions: tax,
        net,
        detail: Detail::Bonus(choice),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySet;
    use proptest::prelude::*;

    /// Two-decimal amounts, and zeros of both scales a run meets.
    fn fen(min: i64, max: i64) -> impl Strategy<Value = Decimal> {
        prop_oneof![
            1 => Just(Decimal::ZERO),
            1 => Just(Decimal::new(0, 2)),
            8 => (min..max).prop_map(|f| Decimal::new(f, 2)),
        ]
    }

    proptest! {
        /// The integer-fen month is the `Decimal` month: every figure, its
        /// scale and sign, across the base's bounds, pays too small for the
        /// contributions or the tax, and tax carried in.
        #[test]
        fn fen_month_is_the_decimal_month(
            gross in (-100_000i64..1_000_000_000).prop_map(|f| Decimal::new(f, 2)),
            exempt in prop_oneof![Just(Decimal::ZERO), fen(0, 1_000_000)],
            base in prop::option::of(fen(0, 10_000_000)),
            hf in prop::option::of((5i64..13).prop_map(|r| Decimal::new(r, 2))),
            additional in fen(0, 500_000),
            other in fen(0, 100_000),
            months in 0u8..12,
            income in fen(0, 5_000_000_000),
            withheld in fen(0, 50_000_000),
            unwithheld in fen(0, 100_000),
        ) {
            let set = PolicySet::builtin();
            let rules = set.versions[0].tax.as_ref().unwrap();
            let settings = Settings {
                contribution_base: base,
                housing_fund_rate: hf,
                additional_deductions: additional,
                other_deductions: other,
                paid_on: None,
            };
            let ytd = Ytd {
                months,
                income,
                tax_withheld: withheld,
                tax_unwithheld: unwithheld,
                ..Ytd::start(2026)
            };
            let input = Input { settings, ytd };
            let fast = month_fen(rules, &input, gross, exempt).expect("two-decimal amounts");
            let slow = month_decimal(rules, &input, gross, exempt);
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }
}
