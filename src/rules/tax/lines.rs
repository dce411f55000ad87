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
