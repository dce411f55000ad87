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
    let c = &rules.contributions;
    let s = &input.settings;
    let gross = slip.gross;
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
        exempt: exempt_income(rules, slip),
        contributions: total,
        additional_deductions: s.additional_deductions,
        other_deductions: s.other_deductions,
    };
    let w = withhold_within(rules, &input.ytd, &figures, Some(left));
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
