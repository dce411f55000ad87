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
//! - **Never a negative net** ([`month_lines`]): contributions are deducted
//!   while the pay allows, in line order, and tax up to what is left; tax
//!   the pay cannot cover is carried in [`Ytd::tax_unwithheld`] and withheld
//!   by a later month ([`withhold_within`]); [`shortfalls`] words both for a
//!   run's warnings.
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
//! let rules = set.version_on(parse_date("2026-01-01").unwrap()).unwrap().tax().unwrap();
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
mod bulk;
mod explain;
mod fen;
mod lines;
mod records;
mod withholding;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use bonus::{BonusChoice, Cliff, Method, NoSeparate, bonus_choice, cliff, separate_tax};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use bulk::{Bulk, MonthFen, SettingsFen, YtdFen};
pub use explain::{explain, rule_path, shortfalls};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use lines::{Detail, Input, Settings, TaxSlip, bonus_lines, exempt_income, month_lines};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use records::{
    BonusDoc, Count, Found, InputProblem, Inputs, RunTax, Source, TaxPeriod, TaxRecord, YtdDoc,
    YtdRecord,
};
#[cfg(any(feature = "book", feature = "internals"))]
pub use records::read_state;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use withholding::{
    Base, BaseSource, Clamp, MonthFigures, Withholding, Ytd, contribution_base, contributions,
    withhold_within,
};
#[cfg(any(test, feature = "internals"))]
pub use withholding::withhold;

use crate::money::Amount;
use rust_decimal::Decimal;

const TWELVE: Decimal = Decimal::from_parts(12, 0, 0, false, 0);

#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
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
    use crate::rules::slip::LineCode;

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

    fn slip_of(gross: &str) -> crate::rules::slip::Payslip {
        use crate::rules::slip::{Line, LineCode, Payslip, Why};
        Payslip {
            worker: 0,
            lines: vec![Line {
                code: LineCode::BasePay,
                amount: d(gross),
                why: Why::Tax,
            }],
            gross: d(gross),
        }
    }

    fn amounts(slip: &crate::rules::slip::Payslip) -> Vec<String> {
        slip.lines.iter().map(|l| l.amount.to_string()).collect()
    }

    #[test]
    fn contributions_above_the_pay_are_capped_in_line_order() {
        let r = rules();
        // One day's pay, 600.00; the base is raised to the lower bound 4000.00:
        // pension 320.00, medical 80.00, unemployment 20.00, housing fund
        // 480.00 = 900.00 due. The pay covers pension, medical, unemployment
        // (420.00) and 180.00 of the housing fund: 300.00 not deducted.
        let mut slip = slip_of("600.00");
        let input = Input {
            settings: Settings::default(),
            ytd: Ytd::start(2026),
        };
        let t = month_lines(&r, &input, &mut slip);
        assert_eq!(
            amounts(&slip),
            [
                "600.00", "320.00", "80.00", "20.00", "180.00", "0.00", "0.00"
            ]
        );
        assert_eq!(t.net, d("0"));
        assert_eq!(t.contributions_unpaid, d("300.00"));
        assert_eq!(t.tax_unwithheld, d("0"));
        // Only what was deducted is a special deduction.
        assert_eq!(t.ytd_out().contributions, d("600.00"));
        // taxable 600 − 5000 − 600 < 0: no tax.
        assert_eq!(t.ytd_out().tax_withheld, d("0"));
        let hf = explain(LineCode::HousingFund, d("180.00"), &t, Some(&r));
        assert!(
            hf.ends_with("= 480.00; pay allows 180.00; 300.00 not deducted (not carried: collect it outside the payroll)"),
            "{hf}"
        );
        let net = explain(LineCode::Net, d("0.00"), &t, Some(&r));
        assert_eq!(
            net,
            "gross 600.00 − pension 320.00 − medical 80.00 − unemployment 20.00 − housing fund 180.00 − income tax 0.00 = 0.00; contributions 300.00 not deducted (the pay does not cover them)"
        );
        let w = shortfalls(&t);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].0, "contributions");
        assert_eq!(
            w[0].1,
            "contributions due 900.00; pay allows 600.00; 300.00 not deducted (housing fund 300.00) and not carried: collect it outside the payroll"
        );
    }

    #[test]
    fn tax_above_the_pay_is_carried_and_withheld_next_month() {
        let r = rules();
        // A state with 96000.00 of income over two months and nothing
        // withheld (taken over mid-year). March: gross 4400.00, contributions
        // 4400 × 22.5% = 990.00 (352 + 88 + 22 + 528), leaving 3410.00.
        // Cumulative taxable 100400 − 15000 − 990 = 84410.00 → × 10% − 2520
        // = 5921.00 due; the pay allows 3410.00; 2511.00 carried.
        let ytd = Ytd {
            months: 2,
            income: d("96000.00"),
            ..Ytd::start(2026)
        };
        let settings = Settings::default();
        let mut march = slip_of("4400.00");
        let t = month_lines(&r, &Input { settings, ytd }, &mut march);
        assert_eq!(
            amounts(&march),
            [
                "4400.00", "352.00", "88.00", "22.00", "528.00", "3410.00", "0.00"
            ]
        );
        assert_eq!(
            (t.income_tax, t.tax_unwithheld),
            (d("3410.00"), d("2511.00"))
        );
        let y = *t.ytd_out();
        assert_eq!(
            (y.tax_withheld, y.tax_unwithheld),
            (d("3410.00"), d("2511.00"))
        );
        let tax = explain(LineCode::IncomeTax, d("3410.00"), &t, Some(&r));
        assert!(
            tax.ends_with("= taxable 84410.00; × 10% − 2520.00 = 5921.00; − withheld 0.00 = 5921.00; tax due 5921.00; pay allows 3410.00; 2511.00 carried to next month"),
            "{tax}"
        );
        assert_eq!(
            shortfalls(&t),
            [(
                "income_tax",
                "tax due 5921.00; pay allows 3410.00; 2511.00 carried to next month (ytd.tax_unwithheld): pass this response's ytd to the next run".to_string()
            )]
        );
        // April, the same pay: income 104800 − 20000 − 1980 = 82820.00 →
        // 8282 − 2520 = 5762.00 − withheld 3410.00 = 2352.00 due (the month
        // itself lowers the cumulative tax by 159.00, so less than the 2511.00
        // carried); the pay allows 3410.00: all withheld, nothing carried,
        // net 3410.00 − 2352.00 = 1058.00.
        let mut april = slip_of("4400.00");
        let t = month_lines(&r, &Input { settings, ytd: y }, &mut april);
        assert_eq!(amounts(&april)[5..], ["2352.00", "1058.00"]);
        assert_eq!(t.tax_unwithheld, d("0"));
        let y = *t.ytd_out();
        assert_eq!((y.tax_withheld, y.tax_unwithheld), (d("5762.00"), d("0")));
        // Withheld + carried = the annual table on the cumulative taxable.
        assert_eq!(r.annual.tax(y.taxable(&r), Decimal::ONE).1, d("5762.00"));
        let tax = explain(LineCode::IncomeTax, d("2352.00"), &t, Some(&r));
        assert!(
            tax.ends_with("− withheld 3410.00 = 2352.00 (of which 2352.00 carried unwithheld from earlier months)"),
            "{tax}"
        );
        assert!(shortfalls(&t).is_empty());
    }

    #[test]
    fn a_merged_bonus_withholds_at_most_the_bonus() {
        let r = rules();
        // A year of wages: income 100000.00 over 12 months, nothing withheld,
        // a bonus already taxed separately (so this one is merged).
        // Merged taxable 100000 − 60000 + 1200 = 41200.00 → 4120 − 2520 =
        // 1600.00 due; the bonus allows 1200.00; 400.00 carried.
        let ytd = Ytd {
            months: 12,
            income: d("100000.00"),
            separate_bonus: d("1000.00"),
            separate_bonus_tax: d("30.00"),
            ..Ytd::start(2026)
        };
        let mut slip = slip_of("1200.00");
        let input = Input {
            settings: Settings::default(),
            ytd,
        };
        let t = bonus_lines(&r, &input, &mut slip, parse_date("2026-12-31").unwrap());
        assert_eq!(amounts(&slip), ["1200.00", "1200.00", "0.00"]);
        assert_eq!(
            (t.income_tax, t.tax_unwithheld),
            (d("1200.00"), d("400.00"))
        );
        let y = t.ytd_out();
        assert_eq!(y.income, d("101200.00"));
        assert_eq!(
            (y.tax_withheld, y.tax_unwithheld),
            (d("1200.00"), d("400.00"))
        );
        let tax = explain(LineCode::IncomeTax, d("1200.00"), &t, Some(&r));
        assert!(
            tax.ends_with("; tax due 1600.00; pay allows 1200.00; 400.00 carried to next month"),
            "{tax}"
        );
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
