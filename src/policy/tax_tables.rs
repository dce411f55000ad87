//! Income-tax tables and contribution rates: the `[versions.tax]` data of a
//! policy version, checked when built ([`Table::new`]), and the one piece of
//! arithmetic that belongs to a table (the tax on an amount).

use crate::money::round_fen;
use crate::worker::HonourLevel;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One bracket of a progressive table: `amount × rate − quick_deduction`
/// for amounts up to `up_to` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bracket {
    /// Upper bound (inclusive); `None` for the last bracket.
    pub up_to: Option<Decimal>,
    /// Rate, a fraction below 1.
    pub rate: Decimal,
    /// Quick deduction (速算扣除数).
    pub quick_deduction: Decimal,
}

/// A progressive table: brackets ascending, the last one unbounded, and
/// every quick deduction continuing the one before, so tax rises smoothly
/// with the amount the table is applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    brackets: Vec<Bracket>,
}

/// A problem with a table: the bracket index, the field and the message.
pub type TableProblem = (usize, &'static str, String);

impl Table {
    /// Checks and builds a table; every problem is reported with its bracket
    /// index and field.
    pub fn new(brackets: Vec<Bracket>) -> Result<Table, Vec<TableProblem>> {
        let mut problems = Vec::new();
        if brackets.is_empty() {
            problems.push((0, "", "no brackets; expected at least one".to_string()));
        }
        let last = brackets.len().saturating_sub(1);
        for (i, b) in brackets.iter().enumerate() {
            match b.up_to {
                None if i != last => problems.push((
                    i,
                    "up_to",
                    "missing; only the last bracket may be unbounded".into(),
                )),
                Some(u) if i == last => problems.push((
                    i,
                    "up_to",
                    format!(
                        "{u}: the last bracket must be unbounded (no up_to), so every amount has a bracket"
                    ),
                )),
                _ => {}
            }
            if b.rate.is_sign_negative() || b.rate >= Decimal::ONE {
                problems.push((
                    i,
                    "rate",
                    format!(
                        "{} is outside 0..1; write a fraction such as \"0.03\"",
                        b.rate
                    ),
                ));
            }
            if i == 0 {
                if !b.quick_deduction.is_zero() {
                    problems.push((
                        i,
                        "quick_deduction",
                        format!(
                            "{}: the first bracket's quick deduction must be 0.00",
                            b.quick_deduction
                        ),
                    ));
                }
                if let Some(u) = b.up_to.filter(|u| *u <= Decimal::ZERO) {
                    problems.push((i, "up_to", format!("{u}: expected more than 0")));
                }
                continue;
            }
            let prev = brackets[i - 1];
            if let (Some(pu), Some(u)) = (prev.up_to, b.up_to)
                && u <= pu
            {
                problems.push((
                    i,
                    "up_to",
                    format!("{u} is not above the previous bracket's {pu}"),
                ));
            }
            if b.rate < prev.rate {
                problems.push((
                    i,
                    "rate",
                    format!("{} is below the previous bracket's {}", b.rate, prev.rate),
                ));
            }
            if let Some(pu) = prev.up_to {
                let expected = prev.quick_deduction + pu * (b.rate - prev.rate);
                if expected != b.quick_deduction {
                    problems.push((
                        i,
                        "quick_deduction",
                        format!(
                            "{} does not continue the table: expected {} (= {} + {} × ({} − {}))",
                            b.quick_deduction,
                            round_fen(expected),
                            prev.quick_deduction,
                            pu,
                            b.rate,
                            prev.rate
                        ),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(Table { brackets })
        } else {
            Err(problems)
        }
    }

    /// The brackets, ascending.
    pub fn brackets(&self) -> &[Bracket] {
        &self.brackets
    }

    /// The index of the bracket holding `amount` when every bound is
    /// multiplied by `scale` (1 for the annual table, 12 for the bonus
    /// table read by bonus ÷ 12).
    pub fn index(&self, amount: Decimal, scale: Decimal) -> usize {
        let last = self.brackets.len().saturating_sub(1);
        if scale == Decimal::ONE {
            self.brackets
                .iter()
                .position(|b| b.up_to.is_none_or(|u| amount <= u))
                .unwrap_or(last)
        } else {
            self.brackets
                .iter()
                .position(|b| b.up_to.is_none_or(|u| amount <= u * scale))
                .unwrap_or(last)
        }
    }

    /// The bracket at `i`.
    pub(crate) fn at(&self, i: usize) -> Bracket {
        self.brackets.get(i).copied().unwrap_or(Bracket {
            up_to: None,
            rate: Decimal::ZERO,
            quick_deduction: Decimal::ZERO,
        })
    }

    /// Tax on `amount` (bracket chosen at `scale`), rounded to the fen;
    /// zero for an amount of zero or less.
    pub fn tax(&self, amount: Decimal, scale: Decimal) -> (usize, Decimal) {
        if amount.is_sign_negative() || amount.is_zero() {
            return (0, zero());
        }
        let i = self.index(amount, scale);
        let b = self.at(i);
        (
            i,
            non_negative(round_fen(amount * b.rate - b.quick_deduction)),
        )
    }
}

/// Zero with two decimals, so it prints `0.00`.
pub(crate) fn zero() -> Decimal {
    Decimal::new(0, 2)
}

/// `x`, or `0.00` when `x` is below zero (or a negative zero).
pub(crate) fn non_negative(x: Decimal) -> Decimal {
    if x.is_sign_negative() || x.is_zero() {
        zero()
    } else {
        x
    }
}

/// Contribution rates and the base's bounds (`[versions.tax.contributions]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributions {
    /// 养老保险, employee share.
    pub pension: Decimal,
    /// 医疗保险, employee share.
    pub medical: Decimal,
    /// 失业保险, employee share.
    pub unemployment: Decimal,
    /// 住房公积金: lowest and highest rate a worker may have.
    pub housing_fund: (Decimal, Decimal),
    /// The housing-fund rate of a worker who gives none.
    pub housing_fund_default: Decimal,
    /// The contribution base's lower and upper bound (city-set).
    pub base: (Decimal, Decimal),
}

/// The tax rules of a policy version (`[versions.tax]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRules {
    /// Basic deduction a month employed (5000).
    pub basic_deduction: Decimal,
    /// The annual comprehensive-income table (综合所得税率表).
    pub annual: Table,
    /// The monthly table the separately taxed annual bonus is read on.
    pub bonus_monthly: Table,
    /// Last day a bonus may be paid and taxed separately; later it is merged.
    pub separate_until: Option<NaiveDate>,
    /// Contribution rates and base bounds.
    pub contributions: Contributions,
    /// Honour levels whose awards are exempt from income tax.
    pub exempt_honours: Vec<HonourLevel>,
}

impl TaxRules {
    /// Whether awards of this honour level are exempt from income tax.
    pub fn exempt(&self, level: HonourLevel) -> bool {
        self.exempt_honours.contains(&level)
    }
}
