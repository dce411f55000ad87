//! The conservation law of corrections, through the book: for any year of
//! inputs and any sequence of corrections, what was paid over the year per
//! worker and line code (the months' own lines plus every arrears and
//! recovery) equals one recomputation of the year with the final inputs;
//! and the tax withheld by December equals the annual table on the final
//! year's taxable income (each month's taxable income stays positive, so
//! no month's cumulative tax falls below what was already withheld).

use payrules::LineCode;
use payrules::book::{Book, Replace};
use payrules::correction::corrected;
use payrules::policy::{BUILTIN_TOML, PolicySet};
use payrules::run::{Request, run};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;

const TITLES: [&str; 4] = [
    "none",
    "assistant_social_worker",
    "social_worker",
    "senior_social_worker",
];
const GRADES: [&str; 2] = ["pass", "fail"];

fn policy() -> String {
    BUILTIN_TOML
        .replacen("base_pay = \"2200.00\"", "base_pay = \"30000.00\"", 1)
        .replacen(
            "living_allowance = \"600.00\"",
            "living_allowance = \"0.00\"",
            1,
        )
        .replacen(
            "post_allowance = \"300.00\"",
            "post_allowance = \"0.00\"",
            1,
        )
}

/// One worker's inputs for one month: title and grade indices.
type Inputs = Vec<(usize, usize)>;

fn month(m: u32, inputs: &Inputs) -> Request {
    let period = format!("2026-{m:02}");
    let workers: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, (t, _))| {
            json!({"id": format!("W{i}"), "name": "社工", "unit": format!("U{i}"),
                   "position": "community_worker", "title": TITLES[*t], "hired_on": "2020-03-01"})
        })
        .collect();
    let assessments: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, (_, g))| json!({"worker_id": format!("W{i}"), "period": period, "grade": GRADES[*g]}))
        .collect();
    let tax: Vec<_> = (0..inputs.len())
        .map(|i| {
            json!({"worker_id": format!("W{i}"), "contribution_base": "22500.00",
                   "housing_fund_rate": "0.095", "additional_deductions": "2000.00"})
        })
        .collect();
    serde_json::from_value(json!({
        "kind": "monthly", "period": period, "workers": workers,
        "assessments": assessments, "tax": tax,
    }))
    .unwrap()
}

fn inputs(n: usize) -> impl Strategy<Value = Inputs> {
    prop::collection::vec((0..TITLES.len(), 0..GRADES.len()), n)
}

/// A year: 1–3 workers, twelve months of inputs, and after closing each of
/// months 1–11 maybe a correction of one closed month with new inputs.
fn year() -> impl Strategy<Value = (Vec<Inputs>, Vec<Option<(u32, Inputs)>>)> {
    (1usize..=3).prop_flat_map(|n| {
        (
            prop::collection::vec(inputs(n), 12),
            prop::collection::vec(prop::option::of((0u32..11, inputs(n))), 11),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn paid_over_the_year_equals_one_recomputation_with_the_final_inputs((months, corrections) in year()) {
        let dir = tempfile::tempdir().unwrap();
        let text = policy();
        let mut book = Book::init(&dir.path().join("b.book"), Some(&text)).unwrap();
        let mut last = months.clone();
        for m in 1..=12u32 {
            let paid = book.pay(month(m, &months[m as usize - 1])).unwrap();
            prop_assert!(paid.stored, "{:?}", paid.run.errors);
            book.close(&format!("2026-{m:02}")).unwrap();
            if m < 12
                && let Some((back, new)) = &corrections[m as usize - 1]
            {
                // A closed month: 1..=m.
                let target = back % m + 1;
                let req = month(target, new);
                book.correct(
                    &format!("2026-{target:02}"),
                    Replace {
                        workers: Some(req.workers),
                        assessments: Some(req.assessments),
                        honours: None,
                        changes: None,
                    },
                    "corrected",
                )
                .unwrap();
                last[target as usize - 1] = new.clone();
            }
        }
        // What was paid, per worker and code: the months' own lines plus
        // every correction (all paid by December).
        let n = months[0].len();
        let mut paid: BTreeMap<(String, LineCode), Decimal> = BTreeMap::new();
        for w in 0..n {
            let id = format!("W{w}");
            let h = book.history(&id).unwrap();
            for r in &h.rows {
                for (c, a) in &r.lines {
                    if corrected(*c) {
                        *paid.entry((id.clone(), *c)).or_default() += a;
                    }
                }
            }
            for (a, paid_in) in &h.corrections {
                prop_assert!(paid_in.is_some(), "a correction left unpaid: {a}");
                *paid.entry((id.clone(), a.code)).or_default() += a.amount();
            }
        }
        // One recomputation with the final inputs.
        let set = PolicySet::from_toml(&text).unwrap();
        let mut now: BTreeMap<(String, LineCode), Decimal> = BTreeMap::new();
        let mut final_gross = Decimal::ZERO;
        for m in 1..=12u32 {
            let run = run(month(m, &last[m as usize - 1]), Some(&set)).unwrap();
            for p in &run.payslips {
                for l in &p.lines {
                    if corrected(l.code) {
                        *now.entry((run.workers[p.worker].id.to_string(), l.code)).or_default() += l.amount;
                        final_gross += l.amount;
                    }
                }
            }
        }
        paid.retain(|_, a| !a.is_zero());
        now.retain(|_, a| !a.is_zero());
        prop_assert_eq!(&paid, &now);
        // The tax: each worker's December state against the annual table on
        // the final taxable income (12 × (5000 + 4500 + 2000) deducted).
        let rules = set.versions()[0].tax().cloned().unwrap();
        let states = book.states(2026).unwrap();
        let mut withheld = Decimal::ZERO;
        let mut expected = Decimal::ZERO;
        for w in 0..n {
            let id = format!("W{w}");
            let gross: Decimal = now.iter().filter(|((i, _), _)| *i == id).map(|(_, a)| *a).sum();
            let taxable = gross - Decimal::from(12 * 11500);
            expected += rules.annual.tax(taxable, Decimal::ONE).1;
            let s = states.iter().find(|s| s.worker_id == id).unwrap();
            withheld += s.tax_withheld.as_deref().unwrap().parse::<Decimal>().unwrap();
        }
        prop_assert!(final_gross > Decimal::ZERO);
        prop_assert_eq!(withheld, expected);
    }
}
