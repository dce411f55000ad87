//! Gross to net: employee contributions, cumulative income-tax withholding
//! and the annual-bonus choice.
//!
//! The tables are policy data ([`TaxRules`], the optional `[versions.tax]`
//! table of a policy version); this module only computes.
//!
//! - **Contributions**: pension, medical, unemployment and housing fund, each
//!   `base × rate` rounded to the fen; the base is given per worker or is the
//!   month's gross, clamped to the policy's bounds.
//! - **Cumulative withholding** (国家税务总局公告2018年第61号): this month's tax
//!   is the annual table applied to the cumulative taxable income, minus the
//!   tax already withheld this year, never below zero. A [`Ytd`] carries the
//!   year-to-date figures from one month to the next.
//! - **The annual one-time bonus** (财政部 税务总局公告2023年第30号): taxed
//!   separately (bracket by bonus ÷ 12 on the monthly table) until the policy's
//!   `separate_until` date, or merged with wages; [`bonus_choice`] computes
//!   both, picks the lower, and reports a bonus in a cliff range ([`Cliff`]).
//!
//! The State Taxation Administration's worked example (salary 30000 a month,
//! contributions 4500, special additional deductions 2000):
//!
//! ```
//! use payrules::policy::PolicySet;
//! use payrules::period::parse_date;
//! use payrules::tax::{withhold, MonthFigures, Ytd};
//!
//! let set = PolicySet::builtin();
//! let rules = set.version_on(parse_date("2026-01-01").unwrap()).unwrap().tax.as_ref().unwrap();
//! let month = MonthFigures {
//!     income: "30000".parse().unwrap(),
//!     contributions: "4500".parse().unwrap(),
//!     additional_deductions: "2000".parse().unwrap(),
//!     ..MonthFigures::default()
//! };
//! let mut ytd = Ytd::start(2026);
//! let mut withheld = Vec::new();
//! for _ in 0..3 {
//!     let w = withhold(rules, &ytd, &month);
//!     withheld.push(w.tax.to_string());
//!     ytd = w.ytd;
//! }
//! assert_eq!(withheld, ["555.00", "625.00", "1850.00"]);
//! ```
//!
//! **Bounds.** Every amount a run passes in is at most 1,000,000,000 yuan (the
//! policy and request readers refuse more) and rates are below 1, so every
//! sum and product here stays below 10^13 with at most eight decimal places,
//! far inside `Decimal`'s 96-bit range: the plain operators cannot overflow.
//! Callers of the public functions should keep amounts below 10^15.

mod bonus;
mod explain;
mod lines;
mod records;
mod withholding;

pub use bonus::{BonusChoice, Cliff, Method, NoSeparate, bonus_choice, cliff, separate_tax};
pub use explain::{explain, rule_path};
pub use lines::{Detail, Input, Settings, TaxSlip, bonus_lines, exempt_income, month_lines};
pub use records::{
    BonusDoc, Count, Found, InputProblem, Inputs, RunTax, Source, TaxPeriod, TaxRecord, YtdDoc,
    YtdRecord, read_state,
};
pub use withholding::{
    Base, BaseSource, Clamp, MonthFigures, Withholding, Ytd, contribution_base, contributions,
    withhold,
};

use crate::money::Amount;
use rust_decimal::Decimal;

const TWELVE: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

pub use crate::policy::tax_tables::{Bracket, Contributions, Table, TableProblem, TaxRules};
use crate::policy::tax_tables::{non_negative, zero};

fn pct(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

fn a(d: Decimal) -> Amount {
    Amount(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::parse_date;
    use crate::policy::PolicySet;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn rules() -> TaxRules {
        let set = PolicySet::builtin();
        let p = set.version_on(parse_date("2026-01-01").unwrap()).unwrap();
        p.tax.clone().unwrap()
    }

    #[test]
    fn official_worked_example_through_december() {
        let r = rules();
        let m = MonthFigures {
            income: d("30000"),
            contributions: d("4500"),
            additional_deductions: d("2000"),
            ..Default::default()
        };
        let mut y = Ytd::start(2026);
        let mut got = Vec::new();
        for _ in 0..12 {
            let w = withhold(&r, &y, &m);
            got.push(w.tax.to_string());
            y = w.ytd;
        }
        // By hand: cumulative taxable 18500 × month number.
        //  Jan 18500×3% = 555;  Feb 37000×10%−2520 = 1180 → 625;
        //  Mar 55500 → 3030 → 1850; Apr 74000 → 4880 → 1850; May 92500 → 6730 → 1850;
        //  Jun 111000 → 8580 → 1850; Jul 129500 → 10430 → 1850;
        //  Aug 148000×20%−16920 = 12680 → 2250; Sep 166500 → 16380 → 3700;
        //  Oct 185000 → 20080 → 3700; Nov 203500 → 23780 → 3700; Dec 222000 → 27480 → 3700.
        assert_eq!(
            got,
            [
                "555.00", "625.00", "1850.00", "1850.00", "1850.00", "1850.00", "1850.00",
                "2250.00", "3700.00", "3700.00", "3700.00", "3700.00"
            ]
        );
        assert_eq!(y.tax_withheld, d("27480"));
        assert_eq!(y.months, 12);
        assert_eq!(y.taxable(&r), d("222000"));
        assert_eq!(r.annual.tax(d("222000"), Decimal::ONE).1, d("27480"));
    }

    #[test]
    fn no_refund_mid_year() {
        let r = rules();
        let high = MonthFigures {
            income: d("20000"),
            ..Default::default()
        };
        let w1 = withhold(&r, &Ytd::start(2026), &high);
        // 20000 − 5000 = 15000 × 3% = 450
        assert_eq!(w1.tax, d("450"));
        let w2 = withhold(&r, &w1.ytd, &MonthFigures::default());
        // cumulative 20000 − 10000 = 10000 → 300 < 450 withheld: nothing, no refund
        assert_eq!(w2.cumulative_tax, d("300"));
        assert_eq!(w2.tax.to_string(), "0.00");
        assert_eq!(w2.ytd.tax_withheld, d("450"));
    }

    #[test]
    fn separate_bonus_table_at_and_around_each_edge() {
        let t = &rules().bonus_monthly;
        // (bonus, tax) by hand: rate and quick deduction of the bracket of bonus ÷ 12.
        for (bonus, tax) in [
            ("0.00", "0.00"),
            ("36000.00", "1080.00"),    // 3000 a month, 3%
            ("36000.01", "3390.00"),    // 10% − 210: 3600.001 − 210 = 3390.001
            ("144000.00", "14190.00"),  // 10%
            ("144000.01", "27390.00"),  // 20% − 1410: 28800.002 − 1410
            ("300000.00", "58590.00"),  // 20%
            ("300000.01", "72340.00"),  // 25% − 2660: 75000.0025 − 2660
            ("420000.00", "102340.00"), // 25%
            ("420000.01", "121590.00"), // 30% − 4410
            ("660000.00", "193590.00"), // 30%
            ("660000.01", "223840.00"), // 35% − 7160: 231000.0035 − 7160
            ("960000.00", "328840.00"), // 35%
            ("960000.01", "416840.00"), // 45% − 15160: 432000.0045 − 15160
            ("35999.99", "1080.00"),    // 1079.9997
        ] {
            assert_eq!(separate_tax(t, d(bonus)).1, d(tax), "bonus {bonus}");
        }
    }

    #[test]
    fn cliffs_are_flagged_with_their_cost() {
        let t = &rules().bonus_monthly;
        // 36000 leaves 34920; 36000.01 leaves 32610.01: 2309.99 less.
        let c = cliff(t, d("36000.01")).unwrap();
        assert_eq!(c.edge, d("36000"));
        assert_eq!(c.net_at_edge, d("34920"));
        assert_eq!(c.loss, d("2309.99"));
        // 36000(1 − 3%) = 34920 = x(1 − 10%) + 210 → x = 38566.67
        assert_eq!(c.range_end, d("38566.67"));
        assert!(cliff(t, d("36000")).is_none());
        // 38566.66 leaves 38566.66 − 3646.67 = 34919.99: still a fen short;
        // 38566.67 leaves 38566.67 − 3646.67 = 34920.00: out of the cliff.
        assert_eq!(cliff(t, d("38566.66")).unwrap().loss, d("0.01"));
        assert!(cliff(t, d("38566.67")).is_none());
        // 144000 leaves 129810; 160500 × 80% + 1410 = 129810: the range ends at 160500.
        let c = cliff(t, d("150000")).unwrap();
        assert_eq!((c.edge, c.loss), (d("144000"), d("129810") - d("121410")));
        assert_eq!(c.range_end, d("160500"));
        assert!(cliff(t, d("160500.01")).is_none());
        assert!(cliff(t, d("2400")).is_none());
    }

    #[test]
    fn bonus_merged_or_separate_with_a_year_of_wages() {
        let r = rules();
        // A year of 10000 a month, contributions 2000, no other deductions:
        // taxable 12 × (10000 − 5000 − 2000) = 36000 → 1080 withheld.
        let mut y = Ytd::start(2026);
        let m = MonthFigures {
            income: d("10000"),
            contributions: d("2000"),
            ..Default::default()
        };
        for _ in 0..12 {
            y = withhold(&r, &y, &m).ytd;
        }
        assert_eq!(y.tax_withheld, d("1080"));
        let paid = parse_date("2026-12-31").unwrap();
        // Bonus 24000: separate 24000 × 3% = 720 (2000 a month);
        // merged 60000 × 10% − 2520 = 3480 → 2400 more. Separate wins by 1680.
        let b = bonus_choice(&r, &y, d("24000"), paid);
        assert_eq!(b.separate, Some((0, d("720"))));
        assert_eq!(b.merged, d("2400"));
        assert_eq!(b.chosen, Method::Separate);
        assert_eq!(b.tax, d("720"));
        assert_eq!(b.saving(), d("1680"));
        assert_eq!(b.ytd.separate_bonus, d("24000"));
        assert_eq!(b.ytd.income, y.income);
        // A second bonus the same year must be merged.
        let again = bonus_choice(&r, &b.ytd, d("1000"), paid);
        assert_eq!(again.no_separate, Some(NoSeparate::UsedThisYear));
        assert_eq!(again.chosen, Method::Merged);
        // 37000 × 10% − 2520 = 1180 − 1080 = 100
        assert_eq!(again.tax, d("100"));

        // A low earner: 4400 a month, contributions 990: taxable negative.
        let mut low = Ytd::start(2026);
        for _ in 0..12 {
            low = withhold(
                &r,
                &low,
                &MonthFigures {
                    income: d("4400"),
                    contributions: d("990"),
                    ..Default::default()
                },
            )
            .ytd;
        }
        assert_eq!(low.taxable(&r), d("-19080")); // 12 × (4400 − 5000 − 990)
        let b = bonus_choice(&r, &low, d("2400"), paid);
        // separate 72, merged 0: merging uses the unused deductions.
        assert_eq!(b.separate, Some((0, d("72"))));
        assert_eq!(b.chosen, Method::Merged);
        assert_eq!(b.tax.to_string(), "0.00");
        assert_eq!(b.saving(), d("72"));
    }

    #[test]
    fn bonus_paid_after_the_end_date_is_merged() {
        let r = rules();
        let y = Ytd::start(2028);
        let b = bonus_choice(&r, &y, d("24000"), parse_date("2028-01-15").unwrap());
        assert_eq!(
            b.no_separate,
            Some(NoSeparate::Ended(parse_date("2027-12-31").unwrap()))
        );
        assert_eq!(b.separate, None);
        assert_eq!(b.chosen, Method::Merged);
        // 24000 × 3% with no months of deductions yet
        assert_eq!(b.tax, d("720"));
        let last_day = bonus_choice(
            &r,
            &Ytd::start(2027),
            d("24000"),
            parse_date("2027-12-31").unwrap(),
        );
        assert!(last_day.separate.is_some());
    }

    #[test]
    fn contributions_from_a_clamped_base() {
        let r = rules();
        let c = &r.contributions;
        let b = contribution_base(c, None, d("4400"));
        assert_eq!(b.clamp, Clamp::None);
        // 4400 × 8%, 2%, 0.5%, 12%
        assert_eq!(
            contributions(c, b.used, c.housing_fund_default),
            [d("352"), d("88"), d("22"), d("528")]
        );
        let low = contribution_base(c, None, d("100"));
        assert_eq!((low.clamp, low.used), (Clamp::Lower, c.base.0));
        let high = contribution_base(c, Some(d("99999")), d("100"));
        assert_eq!((high.clamp, high.used), (Clamp::Upper, c.base.1));
        // half away from zero: 3333.33 × 0.5% = 16.66665 → 16.67
        assert_eq!(contributions(c, d("4444.44"), d("0.05"))[2], d("22.22"));
        assert_eq!(contributions(c, d("3333.33"), d("0.05"))[2], d("16.67"));
    }

    #[test]
    fn tables_must_continue() {
        let mut b = rules().annual.brackets().to_vec();
        b[1].quick_deduction = d("2500");
        let e = Table::new(b).unwrap_err();
        assert_eq!(e[0].0, 1);
        assert!(e[0].2.contains("expected 2520.00"), "{}", e[0].2);
        assert!(Table::new(vec![]).is_err());
    }
}
