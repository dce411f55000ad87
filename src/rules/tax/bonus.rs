//! The annual one-time bonus: taxed separately or merged with wages, the
//! cheaper of the two, and the cliff ranges of the separate table.

use super::*;
use crate::money::round_fen;
use chrono::NaiveDate;

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
    /// Tax due on the bonus now by the method chosen (the payslip withholds
    /// less only when merged and above the bonus: see `bonus_lines`).
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
            // Merged, the due includes any wage tax carried unwithheld:
            // withheld now (separately taxed, that stays carried).
            out.tax_unwithheld = zero();
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
