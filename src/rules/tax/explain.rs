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
