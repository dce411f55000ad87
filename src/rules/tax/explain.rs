//! How a net-pay line was computed: its rule path and its explanation.

use super::*;
use crate::rules::slip::LineCode;
use std::fmt::Write as _;

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
                due,
                ..
            },
            LineCode::Pension | LineCode::Medical | LineCode::Unemployment | LineCode::HousingFund,
        ) => {
            let i = match code {
                LineCode::Pension => 0,
                LineCode::Medical => 1,
                LineCode::Unemployment => 2,
                _ => 3,
            };
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
            let _ = write!(out, " = {}", a(due[i]));
            if amount < due[i] {
                let _ = write!(
                    out,
                    "; pay allows {}; {} not deducted (not carried: collect it outside the payroll)",
                    a(amount),
                    a(due[i] - amount)
                );
            }
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
            let _ = write!(out, " = {}", a(w.due));
            let carried = w.carried_in.min(w.due);
            if carried > Decimal::ZERO {
                let _ = write!(
                    out,
                    " (of which {} carried unwithheld from earlier months)",
                    a(carried)
                );
            }
            if w.unwithheld > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; tax due {}; pay allows {}; {} carried to next month",
                    a(w.due),
                    a(amount),
                    a(w.unwithheld)
                );
            }
            if figures.exempt > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; exempt this month: {} honour award",
                    a(figures.exempt)
                );
            }
        }
        (Detail::Bonus(b), LineCode::IncomeTax) => {
            render_bonus(&mut out, b, rules);
            if slip.tax_unwithheld > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; tax due {}; pay allows {}; {} carried to next month",
                    a(b.tax),
                    a(amount),
                    a(slip.tax_unwithheld)
                );
            }
        }
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
            if slip.contributions_unpaid > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; contributions {} not deducted (the pay does not cover them)",
                    a(slip.contributions_unpaid)
                );
            }
            if slip.tax_unwithheld > Decimal::ZERO {
                let _ = write!(
                    out,
                    "; income tax {} not withheld, carried to next month",
                    a(slip.tax_unwithheld)
                );
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

/// What a payslip's deductions could not take from the pay, as `(field,
/// message)` pairs for a run's warnings: `contributions` not deducted (not
/// carried) and `income_tax` not withheld (carried to the next month).
/// Empty when the pay covered every deduction.
pub fn shortfalls(slip: &TaxSlip) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Detail::Month {
        due, contributions, ..
    } = &slip.detail
        && slip.contributions_unpaid > Decimal::ZERO
    {
        let due_total: Decimal = due.iter().sum();
        let lines: Vec<String> = ["pension", "medical", "unemployment", "housing fund"]
            .into_iter()
            .zip(due.iter().zip(contributions))
            .filter(|(_, (d, c))| d > c)
            .map(|(name, (d, c))| format!("{name} {}", a(*d - *c)))
            .collect();
        out.push((
            "contributions",
            format!(
                "contributions due {}; pay allows {}; {} not deducted ({}) and not carried: collect it outside the payroll",
                a(due_total),
                a(due_total - slip.contributions_unpaid),
                a(slip.contributions_unpaid),
                lines.join(", ")
            ),
        ));
    }
    if slip.tax_unwithheld > Decimal::ZERO {
        let due = slip.income_tax + slip.tax_unwithheld;
        out.push((
            "income_tax",
            format!(
                "tax due {}; pay allows {}; {} carried to next month (ytd.tax_unwithheld): pass this response's ytd to the next run",
                a(due),
                a(slip.income_tax),
                a(slip.tax_unwithheld)
            ),
        ));
    }
    out
}
